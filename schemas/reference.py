"""Reference data tables (Arrow schemas): items, partner item cross-references, prices, customers
and ship-to locations, plus the GS1 identifier helpers both the CSV loader and the rules use.

Definitions and small pure helpers only: loading lives in connectors.reference, checks in rules.business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.orders import BUYER_ITEM_QUALIFIERS, MONEY, PERCENT, PRICE

ITEM_STATUSES = ("active", "discontinued")

ITEMS = pa.schema(
    [
        pa.field("sku", pa.string(), nullable=False),
        # GTIN-14, zero padded, valid check digit; optional: empty for an item that has none (steel plate cut to
        # size, bulk chemicals, resin by the railcar, many MRO parts), matched by the other ids a PO sends (VN/VP,
        # the partner's cross-reference) and never by an empty GTIN; an item with a UPC but no GTIN has the UPC's
        pa.field("gtin", pa.string()),
        pa.field("upc", pa.string()),  # UPC-A (12 digits) as printed, if any
        pa.field("vendor_part", pa.string()),  # our part number (PO1 qualifier VN)
        pa.field("description", pa.string()),
        pa.field("unit", pa.string(), nullable=False),  # selling unit: EA
        pa.field("case_pack", pa.int32(), nullable=False),  # eaches per case (1 = sold singly)
        pa.field("min_order_qty", pa.int32(), nullable=False),  # in eaches
        pa.field("status", pa.string(), nullable=False),  # active | discontinued
        # a catch-weight item's nominal (average) weight of one of its own units (items.unit: a case of
        # random-weight chicken averaging 48 LB), in average_weight_unit (LB, KG ...): what a line ordered by
        # weight (PO1*2*480*LB) is in our units. Optional: null for an item never ordered by weight
        pa.field("average_weight", pa.decimal128(18, 4)),
        pa.field("average_weight_unit", pa.string()),
        # the sku that supersedes this one (automotive, industrial, electronics part numbers are replaced by
        # new numbers that buyers' systems keep ordering under the old): optional, null for an item never
        # superseded. Read by the item rules: a line naming a discontinued item names its replacement
        pa.field("replaced_by", pa.string()),
        # the item's tax class, which a tax of an 810 ([[fulfilment.invoice.taxes]] exempt) may exempt: "grocery"
        # for basic groceries (zero-rated under GST/HST). Optional: null or empty for a taxable item
        pa.field("tax_class", pa.string()),
        # each unit of the item carries its own serial number (notebooks, phones, medical devices): a partner whose
        # 856 lists serials (fulfilment.asn.serial_numbers) gets one per unit shipped, and a confirmation line of
        # it without any is held (rules.shipments.serial_checks). Optional (true/false, yes/no, y/n, 1/0): null
        # or false for an item shipped without serials (cables, paper)
        pa.field("serialised", pa.bool_()),
        # the item's DEA controlled-substance schedule (21 CFR 1308; DEA_SCHEDULES: CII, CIIN, CIII ...): a line of
        # a Schedule I or II item needs the buyer's DEA order form (Form 222 or its CSOS electronic order, 21 CFR
        # 1305) named on the PO (rules.business.controlled). Optional: null or empty for an item not controlled
        pa.field("dea_schedule", pa.string()),
        # what the item is (ITEM_KINDS): "goods" (stocked, picked, packed and shipped) or "service" (hours of a field
        # technician, a repair, an inspection: no stock, never on a warehouse confirmation or an 856; acknowledged
        # as ordered and billed with the goods of its order's first shipment, or alone the night it is acknowledged:
        # engine.kept_stock, engine.lifecycle.shipping). Optional: null or empty for goods, so every item of a file
        # without the column stays stocked
        pa.field("kind", pa.string()),
        # what one of the item ships in, as the 856's TD101 codes it (X12 element 103, schemas.packaging: CYL a gas
        # cylinder, DRM a drum, BAG, PLT94 a wooden pallet, CTN25 a corrugated carton): a carton holding only items of
        # one packaging is described by it where its confirmation row names none. Optional: null or empty for the
        # partner's default (AsnSettings.packaging, CTN25)
        pa.field("packaging", pa.string()),
    ]
)

ITEM_KINDS = ("goods", "service")


def service_skus(items: pa.Table) -> frozenset[str]:
    """The skus of ``items`` (ITEMS) whose kind is "service": none when the column is absent (an older file)."""
    if "kind" not in items.column_names or items.num_rows == 0:
        return frozenset()
    return frozenset(pc.filter(items["sku"], pc.fill_null(pc.equal(items["kind"], "service"), False)).to_pylist())

# DEA schedules as wholesalers' item masters write them (C + the schedule's roman numeral; N: a non-narcotic
# substance of schedule II or III)
DEA_SCHEDULES = ("CI", "CII", "CIIN", "CIII", "CIIIN", "CIV", "CV")
# the schedules a supplier fills only against a DEA Form 222 or a CSOS electronic order (21 CFR 1305.03)
ORDER_FORM_SCHEDULES = frozenset({"CI", "CII", "CIIN"})

# A partner's cross-reference: the id it sends under a PO1 qualifier (BP, IN, VP, VA, MG, SK, CB, UP ...)
# -> our SKU. ``qualifier`` may be left out (or empty): such a row is the buyer's own number for the item (BP, IN,
# PI or CB: schemas.orders.BUYER_ITEM_QUALIFIERS), which is all the cross-reference held before the column existed.
PARTNER_ITEMS = pa.schema(
    [
        pa.field("partner", pa.string(), nullable=False),
        pa.field("qualifier", pa.string()),  # PO1 product/service id qualifier (data element 235)
        pa.field("buyer_part", pa.string(), nullable=False),  # the id as the partner sends it
        pa.field("sku", pa.string(), nullable=False),
    ]
)
LEGACY_CROSS_REFERENCE_QUALIFIERS = BUYER_ITEM_QUALIFIERS  # what a row without a qualifier answers to

# How many eaches one unit of an item holds, for units other than the each, the item's own selling unit
# (items.unit) and its case (CA/CS = items.case_pack): e.g. SKU-1,PK,6 (inner pack), SKU-1,DZ,12, SKU-1,BX,24.
ITEM_UNITS = pa.schema(
    [
        pa.field("sku", pa.string(), nullable=False),
        pa.field("unit", pa.string(), nullable=False),  # PO103 code (data element 355)
        pa.field("eaches", pa.int32(), nullable=False),  # >= 1
    ]
)

# kits (bundles) a warehouse confirms by their components: each row a component and its units per kit (kits.csv,
# optional); engine.lifecycle.kits reads a confirmation's components of a kit a PO orders as that kit
KITS = pa.schema(
    [
        pa.field("kit_sku", pa.string(), nullable=False),  # our item ordered (items.csv)
        pa.field("component_sku", pa.string(), nullable=False),  # an item the kit is made of, as confirmed
        pa.field("quantity", pa.int32(), nullable=False),  # its eaches in one kit, >= 1 (engine.lifecycle.kits)
    ]
)
# kits.csv as read: KITS and two optional columns, together: the unit (X12 355: CA) the warehouse confirms the
# component in and its eaches in one (``pack`` >= 1), for a component not sold on its own (no items.csv row, so no
# case_pack nor item_units row gives its pack); engine.lifecycle.kits reads them when present
KIT_ROWS = pa.schema([*KITS, pa.field("unit", pa.string()), pa.field("pack", pa.int32())])

PRICES = pa.schema(
    [
        pa.field("partner", pa.string(), nullable=False),
        pa.field("sku", pa.string(), nullable=False),
        pa.field("unit_price", PRICE, nullable=False),  # per each, to 6 decimals (0.004185: schemas.orders PRICE)
        pa.field("currency", pa.string(), nullable=False),
        pa.field("valid_from", pa.date32(), nullable=False),
        pa.field("valid_to", pa.date32()),  # inclusive; null = open ended
    ]
)

CUSTOMERS = pa.schema(
    [
        pa.field("partner", pa.string(), nullable=False),
        pa.field("credit_limit", MONEY, nullable=False),
        pa.field("open_ar", MONEY, nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("terms_type", pa.string()),  # ITD01 code agreed
        pa.field("terms_net_days", pa.int32()),
        pa.field("terms_discount_percent", PERCENT),
        pa.field("terms_discount_days", pa.int32()),
        pa.field("discount_approval_threshold_percent", PERCENT, nullable=False),
    ]
)

# Promotions agreed with a customer (optional file deals.csv): a deal or promotion number the buyer sends with an
# off-invoice allowance (the SAC's SAC13 reference, else the PO line's, else the PO's REF*PD), the allowance it is
# (SAC02, or the agency's code SAC04; empty: any), the item it is on (empty: any, a heading allowance too), the most
# it may take off (percent of the line's value, or of the PO's for a heading SAC; and/or rate per unit ordered) and
# the PO dates (BEG05) it runs, inclusive. An allowance matching a deal within its dates is pre-approved: it is not
# judged by the customer's discount_approval_threshold_percent (rules.business.allowance_discounts.match_deals).
DEALS = pa.schema(
    [
        pa.field("partner", pa.string(), nullable=False),
        pa.field("deal", pa.string(), nullable=False),  # the promotion/deal number as the buyer sends it
        pa.field("allowance_code", pa.string()),  # SAC02 (C310, A260 ...) or SAC04; null: any allowance
        pa.field("sku", pa.string()),  # an items.csv sku; null: any item, and a heading allowance
        pa.field("percent", PERCENT),  # the most percent of the value it applies to; null: not limited by it
        pa.field("rate", PRICE),  # the most per unit ordered; null: not limited by it (one of the two is given)
        # the unit the rate is per (EA, CA ...: the item's units, items.csv case_pack and item_units.csv), compared in
        # it whatever unit the line is ordered in; null: per the unit the line is ordered in (or the SAC's SAC09)
        pa.field("unit", pa.string()),
        pa.field("valid_from", pa.date32(), nullable=False),
        pa.field("valid_to", pa.date32()),  # inclusive; null = open ended
        pa.field("description", pa.string()),
        # the PO's date the deal's dates are held to (DEAL_MATCH_ON): po_date (BEG05, the default: a deal's buy or
        # order dates), ship_date (its requested ship date, DTM 010: a deal's first and last ship dates) or
        # delivery_date (its requested delivery date, DTM 002: a deal valid for what arrives in its period)
        pa.field("match_on", pa.string()),
    ]
)
DEAL_MATCH_ON = ("po_date", "ship_date", "delivery_date")

# Further currencies agreed with a customer (optional file customer_currencies.csv): a partner of customers.csv may
# also order in each currency listed here, with its own credit limit and open AR in it. customers.csv's row stays the
# customer's home currency (a PO with no CUR, its terms and discount threshold); an order's credit exposure is counted
# in its own currency against that currency's limit, never added to another currency's.
CUSTOMER_CURRENCIES = pa.schema(
    [
        pa.field("partner", pa.string(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("credit_limit", MONEY, nullable=False),
        pa.field("open_ar", MONEY, nullable=False),
    ]
)

SHIP_TOS = pa.schema(
    [
        pa.field("partner", pa.string(), nullable=False),
        pa.field("location_id", pa.string(), nullable=False),  # N104 as the partner sends it
        pa.field("name", pa.string()),
        pa.field("address1", pa.string()),
        pa.field("city", pa.string()),
        pa.field("state", pa.string()),
        pa.field("postal_code", pa.string()),
        pa.field("country", pa.string()),
        # the DC this location (a store) is shipped through, a location_id of another row of the partner: a store-level
        # partner's order pre-distributed to its stores (SDQ) goes to each store's DC, the 856's N1*ST (the stores its
        # marks-for) and the 810's (engine.shipments.store_dcs). Optional: null or empty for a location shipped to
        # directly (the PO's own ship-to, as named)
        pa.field("dc", pa.string()),
    ]
)

# Files a reference folder may leave out (an empty table): item_units only lists units beyond each/case,
# customer_currencies only currencies beyond a customer's own, kits only kits confirmed by their components.
OPTIONAL_FILES = frozenset({"item_units", "customer_currencies", "kits", "deals"})
# Columns a reference file may leave out (filled with nulls): older files predate them.
OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {"partner_items": frozenset({"qualifier"}),
                                               "items": frozenset({"gtin", "average_weight", "average_weight_unit",
                                                                          "replaced_by", "tax_class",
                                                                          "serialised", "dea_schedule", "kind",
                                                                          "packaging"}),
                                               "ship_tos": frozenset({"dc"}),
                                               "kits": frozenset({"unit", "pack"}),
                                               "deals": frozenset({"allowance_code", "sku", "percent", "rate", "unit",
                                                                   "valid_to", "description", "match_on"})}

SCHEMAS: dict[str, pa.Schema] = {
    "items": ITEMS,
    "partner_items": PARTNER_ITEMS,
    "prices": PRICES,
    "customers": CUSTOMERS,
    "ship_tos": SHIP_TOS,
    "item_units": ITEM_UNITS,
    "customer_currencies": CUSTOMER_CURRENCIES,
    "kits": KIT_ROWS,
    "deals": DEALS,
}


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """One consistent set of reference tables, passed to the rules as an argument."""

    items: pa.Table
    partner_items: pa.Table
    prices: pa.Table
    customers: pa.Table
    ship_tos: pa.Table
    item_units: pa.Table = field(default_factory=ITEM_UNITS.empty_table)
    customer_currencies: pa.Table = field(default_factory=CUSTOMER_CURRENCIES.empty_table)
    kits: pa.Table = field(default_factory=KIT_ROWS.empty_table)
    deals: pa.Table = field(default_factory=DEALS.empty_table)  # deals.csv: promotions agreed (DEALS)
    # cells read with a blank for a control character: (file, line, column, as written, as read); said as
    # CONTROL_CHARACTER_REPLACED warnings by the decide stage (rules.reference_rows.reference_replaced)
    replaced: tuple[tuple[str, int, str, str, str], ...] = ()
    # items.csv rows of an item sold by the case (CA, or CS not made a cassette) with a case_pack above 1: (file,
    # row, sku, unit, case_pack); decided as they say, said as CASE_PACK_AMBIGUOUS warnings by the decide stage and
    # `orderbridge partner check` (rules.reference_rows.case_items_said)
    case_items: tuple[tuple[str, int, str, str, int], ...] = ()


# --- GS1 identifiers ------------------------------------------------------------------------

GTIN_LENGTHS = (8, 12, 13, 14)


def gs1_check_digit(data_digits: str) -> int:
    """Check digit for the digits *without* their check digit: weights 3,1,3,... from the right. The
    digits must be ASCII digits (every caller checks first): their bytes are summed, 48 + each digit."""
    data = data_digits.encode("ascii")
    odd, even = data[-1::-2], data[-2::-2]
    return -(3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)) % 10


def gs1_valid(code: str | None) -> bool:
    """True for a GTIN-8/12/13/14 (or SSCC-18) of digits whose last digit is the right check digit."""
    if not code or not code.isascii() or not code.isdigit() or len(code) not in (*GTIN_LENGTHS, 18):
        return False
    return gs1_check_digit(code[:-1]) == int(code[-1])


# the lengths a GS1 number sent with blanks or hyphens is read at (printed_gs1): a GTIN-8 (an EAN-8, a UPC-E),
# a UPC-A, an EAN-13, a GTIN-14, the lengths GS1_SHAPE (rules.registry) takes of a UP, UK, EN or EO sent as digits
PRINTED_LENGTHS = frozenset({8, 12, 13, 14})
_PRINTED_SEPARATOR = re.compile(r" *- *| +")


def printed_gs1(code: str | None) -> str | None:
    """The digits of a GS1 number sent with blanks or hyphens between its digits, wherever they fall: as printed
    under its bar code (0-41200-00020-9, 4 006381 333931, the ITF-14's 1 00 12345 67890 2) or as a buyer's item file
    keeps it (614141-840014, 0 0 041200 000209), of a length a GS1 number has (PRINTED_LENGTHS); None for anything
    else: a number without separators (read as it is), other characters, other lengths. The check digit is not looked
    at here (normalise_gtin and the GTIN check do: it decides whether the digits are a GS1 number)."""
    if code is None or (" " not in code and "-" not in code):
        return None
    groups = _PRINTED_SEPARATOR.split(code.strip())
    if len(groups) < 2 or not all(g.isascii() and g.isdigit() for g in groups):
        return None
    digits = "".join(groups)
    return digits if len(digits) in PRINTED_LENGTHS else None


# The GS1 number each product id qualifier of X12 code list 235 names, by digits: UP "UCC - 12" (a U.P.C.-A, 1-5-5-1),
# EN "EAN/UCC - 13", EO "EAN/UCC - 8"; UI, a U.P.C. consumer package code (1-5-5), and UD, a U.P.C./EAN consumer
# package code (2-5-5), when sent whole with their check digit. Such a number zero-filled to a longer GS1 length is that
# number (GS1 keeps every GTIN right-justified in 14 digits: a UPC-A as 13 digits with a leading 0 is what many
# translators send), and so is a shorter one (a UPC-A is an EAN-13 with a leading 0). UK "EAN/UCC - 14", U2 and UA (a
# case code: X12 leaves its packaging level open) take any GTIN. A valid number of a longer structure (an EAN-13 whose
# first digit is not 0 as UP, a case's GTIN-14 as UP or EN, a UPC-A as EO) is still read as its number, as real
# translators' 'UPC' fields hold EANs: qualifier_misfit says what it is, for PRODUCT_ID_QUALIFIER_MISMATCH.
QUALIFIER_DIGITS = {"UP": 12, "EN": 13, "EO": 8, "UI": 12, "UD": 13}
QUALIFIER_NUMBERS = {12: "a U.P.C. (UPC-A, 12 digits)", 13: "an EAN-13 (or a UPC-A)", 8: "an EAN-8"}


def qualifier_misfit(gtin: str | None, qualifier: str | None) -> tuple[str, str, str] | None:
    """For the GTIN-14 ``gtin`` (normalise_gtin's) sent under ``qualifier`` (code list 235) that names another
    structure (QUALIFIER_DIGITS: a non-zero digit before it): (what it is, its digits, the qualifier it goes under),
    e.g. ("an EAN-13", "4006381333931", "EN"); None when the qualifier names it, takes any GTIN, or no GTIN."""
    width = QUALIFIER_DIGITS.get((qualifier or "").strip().upper())
    if gtin is None or width is None or not gtin[:14 - width].strip("0"):
        return None
    n = len(gtin.lstrip("0"))
    return ((f"a GTIN-14 of indicator digit {gtin[0]}", gtin, "UK") if n == 14 else
            ("an EAN-13", gtin[1:], "EN") if n == 13 else ("a UPC-A", gtin[2:], "UP"))


def normalise_gtin(code: str | None) -> str | None:
    """A valid UPC-A/EAN-13/GTIN-8/GTIN-14 as a 14-digit GTIN, as sent or in its printed form (printed_gs1); None
    when not a valid GTIN."""
    if code is None:
        return None
    code = code.strip()
    if not code.isdigit() and (" " in code or "-" in code):
        code = printed_gs1(code) or code
    if len(code) == 18 or not gs1_valid(code):
        return None
    return code.zfill(14)


def zeros_dropped_gtin(code: str | None, digits: int = 14) -> str | None:
    """A UPC/GTIN whose leading zeros were dropped (a spreadsheet stores it as a number: UPC 012345678905 as
    12345678905), as its ``digits`` digits (12: the UPC, 14: the GTIN-14): a number of 6 digits or more,
    shorter than ``digits``, that is no valid GS1 number of its own length (a GTIN-8 stays one) but is one with
    the zeros put back (leading zeros never change a GS1 check digit, so the right digit tells). None for
    anything else (an 11-digit UPC without its check digit is a digit short, not zeros)."""
    if code is None or not 6 <= len(code) < digits or not code.isascii() or not code.isdigit() or gs1_valid(code):
        return None
    filled = code.zfill(digits)
    return filled if gs1_valid(filled) else None


_SCIENTIFIC = re.compile(r"^\+?(\d)(?:[.,](\d+))?E\+?(\d{1,2})$", re.IGNORECASE)


def from_scientific(text: str | None) -> tuple[str, int] | None:
    """A long number a spreadsheet wrote in scientific notation (7.12345678901E+11, 6,14141E+11; a positive
    exponent: the way a UPC column saved as a number comes back): (the digits its mantissa keeps, how many digits
    the number has). Every digit kept (as many as the number has: 7.12345678901E+11 is 712345678901) reads it back
    exactly; fewer, the rest were rounded away (6,14141E+11: 614141 and 6 digits lost). None for anything else."""
    m = _SCIENTIFIC.match(text.strip()) if text else None
    if m is None:
        return None
    kept, length = m.group(1) + (m.group(2) or ""), int(m.group(3)) + 1
    if len(kept) > length:  # 1.25E+1: not a whole number, no id
        return None
    return kept, length


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|" + "|".join(_MONTHS) + ")"
# the dates a spreadsheet shows (and saves to CSV) for a cell it read as a date: Excel's d-mmm, d-mmm-yy, mmm-yy,
# its short date (m/d/yyyy, or d/m/yyyy and d.m.yyyy in other locales) and ISO yyyy-mm-dd
_DAY_MONTH = re.compile(rf"^(\d{{1,2}})[- ]{_MONTH}(?:[- ](\d{{2}}|\d{{4}}))?$", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"^{_MONTH}[- ](\d{{2}})$", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.])(\d{1,2})\2(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def spreadsheet_date(text: str | None) -> str | None:
    """The date an id reads as when a spreadsheet took it for one and saved it so (an item 3-1 or MAR1 typed in a cell
    Excel reads as a date shows, and is saved to CSV, as "1-Mar"; "3/1" as "3/1/2026"), in words ("1 March",
    "1 March 2026", "March 2026", "3/1/2026"); None for anything else (a part number with a dash, "3-1", "MAR-1X",
    a day no month has). Only a hint for a person: the id it was is never guessed from it."""
    value = " ".join(text.split()) if text else ""
    if m := _DAY_MONTH.match(value):
        month = _month(m.group(2))
        if not 1 <= int(m.group(1)) <= _DAYS[month - 1]:
            return None
        year = f" {_year(m.group(3))}" if m.group(3) else ""
        return f"{int(m.group(1))} {_MONTHS[month - 1].title()}{year}"
    if m := _MONTH_YEAR.match(value):
        return f"{_MONTHS[_month(m.group(1)) - 1].title()} {_year(m.group(2))}"
    if m := _NUMERIC_DATE.match(value):
        first, second = int(m.group(1)), int(m.group(3))
        day_first = 1 <= second <= 12 and 1 <= first <= _DAYS[second - 1]
        month_first = 1 <= first <= 12 and 1 <= second <= _DAYS[first - 1]
        return value if day_first or month_first else None
    if m := _ISO_DATE.match(value):
        month, day = int(m.group(2)), int(m.group(3))
        return value if 1 <= month <= 12 and 1 <= day <= _DAYS[month - 1] else None
    return None


_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month(name: str) -> int:
    return next(k for k, full in enumerate(_MONTHS, 1) if full.startswith(name.lower()[:3]))


def _year(text: str) -> str:
    return text if len(text) == 4 else f"20{text}"


def complete_gtin(code: str | None, body_length: int) -> str | None:
    """A GS1 number sent without its check digit (``body_length`` digits: code list 235's UI, U.P.C. consumer
    package code 1-5-5, is 11; UD and UA, U.P.C./EAN consumer package and case codes 2-5-5, are 12; U2, U.P.C.
    shipping container code 1-2-5-5, 13) as the
    GTIN-14 it names, its check digit computed; a value of another length as normalise_gtin reads it (a whole
    GTIN with its check digit, as some partners send under these qualifiers); None for anything else."""
    if code is None:
        return None
    code = code.strip()
    if len(code) == body_length and code.isascii() and code.isdigit():
        return (code + str(gs1_check_digit(code))).zfill(14)
    return normalise_gtin(code)


def isbn_gtin(code: str | None) -> str | None:
    """An ISBN (code list 235's IB) as the GTIN-14 of its ISBN-13 (the book's EAN, "Bookland" 978/979): an
    ISBN-13 with its GS1 check digit, or an ISBN-10 (nine digits and a check digit 0-9 or X, mod 11) re-expressed
    as 978 + its nine digits + the EAN check digit, as BISG's ISBN-13 rules convert it; hyphens and blanks
    between the groups are dropped. None for anything else (a wrong check digit names no book)."""
    if code is None:
        return None
    code = code.replace("-", "").replace(" ", "").upper()
    if len(code) == 13 and code[:3] in ("978", "979"):
        return normalise_gtin(code)
    if len(code) != 10 or not code.isascii() or not code[:9].isdigit() or not (code[9].isdigit() or code[9] == "X"):
        return None
    total = sum((10 - i) * int(d) for i, d in enumerate(code[:9])) + (10 if code[9] == "X" else int(code[9]))
    if total % 11:
        return None
    body = "978" + code[:9]
    return (body + str(gs1_check_digit(body))).zfill(14)


# Code list 235's qualifiers of a National Drug Code, and the layout each names (labeler-product-package
# digits): ND the NDC (any layout), N4 the 11-digit HIPAA form 5-4-2, N1..N3 the 10-digit forms the FDA
# assigns (4-4-2, 5-3-2, 5-4-1). One drug is one NDC however a PO prints it: pharmacy and hospital buyers send
# the label's hyphens (00093-7156-01, 0093-7156-01) as often as the bare 11 digits (00093715601).
NDC_QUALIFIERS = {"ND": None, "N4": (5, 4, 2), "N1": (4, 4, 2), "N2": (5, 3, 2), "N3": (5, 4, 1)}
_NDC_11 = (5, 4, 2)


def ndc_11(code: str | None, qualifier: str | None = None) -> str | None:
    """An NDC as its 11 digits (5-4-2): a hyphenated (or blank-separated) NDC of any of the FDA's layouts
    (4-4-2, 5-3-2, 5-4-1, 5-4-2) with the short segment padded with a leading zero; 11 bare digits as they
    are; 10 bare digits in the layout ``qualifier`` names (N1, N2, N3). None for anything else (ND with 10
    bare digits names no layout; a value with other characters is no NDC)."""
    if code is None:
        return None
    parts = code.strip().replace(" ", "-").split("-")
    if not all(p.isascii() and p.isdigit() for p in parts):
        return None
    if len(parts) == 1:
        digits = parts[0]
        if len(digits) == 11:
            return digits
        layout = NDC_QUALIFIERS.get(qualifier or "")
        if len(digits) != 10 or layout is None or sum(layout) != 10:
            return None
        parts = [digits[:layout[0]], digits[layout[0]:layout[0] + layout[1]], digits[layout[0] + layout[1]:]]
    if len(parts) != 3 or sum(map(len, parts)) not in (10, 11):
        return None
    if tuple(map(len, parts)) != _NDC_11:
        short = [k for k, p in enumerate(parts) if len(p) == _NDC_11[k] - 1]
        if sum(map(len, parts)) != 10 or len(short) != 1 or any(
                len(p) != _NDC_11[k] for k, p in enumerate(parts) if k != short[0]):
            return None
        parts[short[0]] = "0" + parts[short[0]]
    return "".join(parts)


def ndc_10s(code: str | None, qualifier: str | None = None) -> tuple[str, ...]:
    """The 10-digit NDCs (the FDA's labeler-product-package digits without the 11-digit form's padding zero) an NDC
    sent under ``qualifier`` can be: a hyphenated 10-digit form (4-4-2, 5-3-2, 5-4-1) or 10 bare digits is its one
    NDC; the 11-digit form (5-4-2, hyphenated or bare: N4, ND) is each 10-digit NDC whose short segment the padding
    zero leads (00093-7156-01: 0093-7156-01 4-4-2 alone; 61414-0840-01: 61414-840-01 5-3-2 alone; a zero leading
    two segments, two NDCs). Empty for anything else. A drug's U.P.C. is 3 and its 10-digit NDC (GS1 US, the FDA's
    21 CFR 207.35), so each names at most one GTIN (ndc_gtin)."""
    if code is None:
        return ()
    parts = code.strip().replace(" ", "-").split("-")
    if not all(p.isascii() and p.isdigit() for p in parts) or len(parts) not in (1, 3):
        return ()
    digits = "".join(parts)
    if len(digits) == 10 and (len(parts) == 3 or qualifier in NDC_QUALIFIERS):
        return (digits,) if len(parts) == 1 or ndc_11(code, qualifier) is not None else ()
    if len(digits) != 11 or (len(parts) == 3 and tuple(map(len, parts)) != _NDC_11):
        return ()
    starts = (0, 5, 9)  # the 11 digits' segments: labeler 5, product 4, package 2
    return tuple(digits[:k] + digits[k + 1:] for k in starts if digits[k] == "0")


def ndc_gtin(ndc10: str) -> str:
    """The GTIN-14 of a drug's U.P.C.: 3 (GS1's prefix for the NDC) and its 10-digit NDC, the check digit added."""
    body = "3" + ndc10
    return (body + str(gs1_check_digit(body))).zfill(14)


def upce_upca(code: str | None) -> str | None:
    """A UPC-E (GS1's zero-suppressed U.P.C. of small packs: number system 0 or 1, six digits and the check digit of
    the UPC-A it stands for, 8 digits as printed under the symbol) as that UPC-A's 12 digits, the zeros put back where
    its sixth digit says (0-2: after the manufacturer's second digit, 3: third, 4: fourth, 5-9: before that digit);
    None for anything else (a check digit that is not the UPC-A's)."""
    if code is None:
        return None
    code = code.strip()
    if len(code) != 8 or not code.isascii() or not code.isdigit() or code[0] not in "01":
        return None
    d, last = code[1:7], code[6]
    if last in "012":
        body = d[:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[:4] + "00000" + d[4]
    else:
        body = d[:5] + "0000" + last
    upca = code[0] + body
    return upca + code[7] if gs1_check_digit(upca) == int(code[7]) else None


def upc_readings(code: str | None) -> tuple[tuple[str, str], ...]:
    """What a value sent as a U.P.C. (code list 235's UP: the 12-digit UPC-A, 1-5-5-1) that is no valid UPC-A as
    sent can stand for, as (GTIN-14, how it was read): of 8 digits, the UPC-A a UPC-E stands for (upce_upca; a valid
    EAN-8 as sent stays normalise_gtin's first), of 7 the same with its number system 0 put back (a spreadsheet's
    number column drops it as it drops a UPC-A's); of 11 digits, the UPC-A with its leading zero put back (a
    spreadsheet's or an ERP's number field dropped it: zeros_dropped_gtin) when that is valid, and the UPC-A whose
    check digit was left off (the 11 digits UI, 1-5-5, sends, sent under UP). A UPC-E in its printed form (0 410202 9:
    printed_gs1) is read as its digits. Empty for anything else."""
    if code is None:
        return ()
    code = printed_gs1(code) or code.strip()
    if not code.isascii() or not code.isdigit():
        return ()
    if len(code) in (7, 8):
        upca = upce_upca(code.zfill(8))
        return ((upca.zfill(14), f"the UPC-A {upca} its UPC-E {code.zfill(8)} stands for"),) if upca else ()
    if len(code) != 11:
        return ()
    out = []
    if gs1_valid("0" + code):
        out.append((code.zfill(14), f"the UPC-A 0{code} with its leading zero"))
    upca = code + str(gs1_check_digit(code))
    out.append((upca.zfill(14), f"the UPC-A {upca} with its check digit"))
    return tuple(out)


def sscc_digits(code: str | None) -> str | None:
    """The 18 digits of an SSCC written alone, after AI 00 or after "(00)"; None for any other shape
    (the check digit is not looked at here)."""
    if code is None:
        return None
    if len(code) == 18 and code.isascii() and code.isdigit():  # the usual shape: as it is
        return code
    text = code.strip()
    if text.startswith("(00)"):
        text = text[4:]
    elif len(text) == 20 and text.startswith("00"):
        text = text[2:]
    if len(text) != 18 or not text.isascii() or not text.isdigit():
        return None
    return text


def sscc18(code: str | None) -> str | None:
    """The 18 digits of a valid SSCC-18 (any shape sscc_digits reads, right check digit), else None."""
    digits = sscc_digits(code)  # 18 ASCII digits or None
    return digits if digits is not None and gs1_check_digit(digits[:-1]) == ord(digits[-1]) - 48 else None



def gs1_check_digits(digits: np.ndarray) -> np.ndarray:
    """gs1_check_digit of each row of ``digits`` (an (n, k) array of digit values 0-9, the data digits
    without their check digit), column-wise."""
    digits = np.asarray(digits, np.int64)
    weights = np.where(np.arange(digits.shape[1])[::-1] % 2 == 0, 3, 1)
    return -(digits @ weights) % 10


def sscc_columns(values: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """sscc_digits and sscc18 of each value, column-wise: (the 18 digits of each SSCC-shaped value, those
    of each valid SSCC-18), null elsewhere. Values of 18 ASCII digits (the usual shape) are checked with
    numpy over their bytes; only values holding 18 digits in another shape ("(00)...", AI 00, spaces)
    go through sscc_digits, once per distinct value."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    arr = pc.cast(arr, pa.string())
    none = pa.scalar(None, pa.string())
    eighteen = pc.fill_null(pc.match_substring_regex(arr, "[0-9]{18}"), False) if arr.null_count < len(arr) else None
    if eighteen is None or not pc.any(eighteen).as_py():  # no SSCC without 18 digits in a row
        return pa.nulls(len(arr), pa.string()), pa.nulls(len(arr), pa.string())
    plain = pc.fill_null(pc.match_substring_regex(arr, r"^[0-9]{18}$"), False)
    digits = pc.if_else(plain, arr, none)
    other = pc.and_not(eighteen, plain)
    if pc.any(other).as_py():
        shaped = pc.if_else(other, arr, none).dictionary_encode()
        found = pa.array([sscc_digits(v) for v in shaped.dictionary.to_pylist()], pa.string())
        digits = pc.coalesce(digits, found.take(shaped.indices))
    present = pc.is_valid(digits).to_numpy(zero_copy_only=False)
    flat = pc.drop_null(digits)
    m = len(flat)
    start = int(np.frombuffer(flat.buffers()[1], np.int32, count=1, offset=4 * flat.offset)[0]) if m else 0
    table = (np.frombuffer(flat.buffers()[2], np.uint8, count=18 * m, offset=start).reshape(m, 18) - 48
             if m else np.zeros((0, 18), np.int64))
    ok = np.zeros(len(arr), bool)
    ok[present] = gs1_check_digits(table[:, :17]) == table[:, 17]
    return digits, pc.if_else(pa.array(ok), digits, none)
