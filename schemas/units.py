"""Units of measure: which PO103/ACK03 codes are units at all (X12 data element 355, Unit or Basis for
Measurement Code). Definitions only; how many eaches a unit holds for an item is reference data
(items.unit, items.case_pack, item_units) and rules.business.quantities converts with it.

Interim: the standard's complete 355 list belongs to the X12 dictionaries (schemas.x12dict); until they
hold it, this is the one place that lists the codes, the count and packaging units of order-to-cash and
the common measures, written from public references of element 355.
"""

from __future__ import annotations

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


def is_unit_code(code: str | None) -> bool:
    """Is ``code`` a unit of measure code (element 355)?"""
    return bool(code) and code in UNIT_CODES_355
