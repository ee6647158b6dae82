"""Units of measure: which PO103/ACK03 codes are units at all (X12 data element 355, Unit or Basis for
Measurement Code). Definitions only; how many eaches a unit holds for an item is reference data
(items.unit, items.case_pack, item_units) and rules.business.quantities converts with it.

The standard's complete 355 list belongs to the X12 dictionaries (schemas.x12dict): unit_codes() takes
it from there as soon as a dictionary holds it. Until then UNIT_CODES_355 is the one interim list: the
count and packaging units of order-to-cash and the common measures, written from public references of
element 355.
"""

from __future__ import annotations

import functools

from schemas.x12dict import dictionary

UNIT_CODES_355: frozenset[str] = frozenset({
    # counts and packages
    "EA",  # each
    "CA",  # case
    "CS",  # sent for "case" by many partners
    "BX",  # box
    "PK",  # package
    "PH",  # pack (PAK)
    "DZ",  # dozen
    "PR",  # pair
    "CT",  # carton
    "BG",  # bag
    "BD",  # bundle
    "BO",  # bottle
    "CN",  # can
    "CH",  # container
    "CQ",  # cartridge
    "DR",  # drum
    "JR",  # jar
    "KT",  # kit
    "PA",  # pail
    "PC",  # piece
    "PL",  # pallet/unit load
    "RL",  # roll
    "RM",  # ream
    "SH",  # sheet
    "ST",  # set
    "TB",  # tube
    "UN",  # unit
    "BL",  # barrel
    "AS",  # assortment
    "TK",  # tank
    # measures
    "LB",  # pound
    "KG",  # kilogram
    "OZ",  # ounce
    "GA",  # gallon
    "LT",  # liter
    "FT",  # foot
    "YD",  # yard
    "IN",  # inch
    "MR",  # meter
    "SF",  # square foot
    "SY",  # square yard
    "PT",  # pint
    "TN",  # net ton (2,000 lb)
})


@functools.cache
def unit_codes(version: str = "004010") -> frozenset[str]:
    """The unit of measure codes (element 355) of ``version``: the dictionary's complete list when it
    holds one, else the interim list above."""
    d = dictionary(version)
    held = d.codes("355") if d is not None else None
    return frozenset(held) if held else UNIT_CODES_355


def is_unit_code(code: str | None, version: str = "004010") -> bool:
    """Is ``code`` a unit of measure code (element 355)?"""
    return bool(code) and code in unit_codes(version)
