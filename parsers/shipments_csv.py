"""Warehouse shipment confirmations as CSV -> SHIPMENT_LINES (schemas.shipments), one row per item
per carton; the columns are found by the header names of a ShipmentCsvMapping.

No paths, no I/O. A row with a missing or unreadable required value (shipment id, ship date, PO,
quantity) is left out and reported at its row and column; what the values mean against our orders
(unknown PO, over-shipping, ...) is checked in rules.shipments. Lineage: source_file, row_number
(header = 1), isa13 = "CSV", gs06 = st02 = "". A row shipping 0 units is a cut line, as a 945's W12
shipping 0: left out with a warning (SHIPMENT_ROW_NOT_SHIPPED), the rest of its shipment ships; but box 2..m of a
multi-box unit (Box Number / Box Count: "2" and "3", or "2 of 3") ships 0 of it by design and is kept, a carton
of the unit counted on box 1 (rules.shipments.box_checks checks the boxes add up). A warehouse without those
columns confirms a unit's further cartons as rows of 0 of its line in cartons of their own beside the line's rows
with units on the same shipment: read as the units' boxes 2..m (_further_cartons), no cut lines either. An id
a spreadsheet rewrote in scientific notation refuses its row (CSV_VALUE_GARBLED); such a tracking
number or BOL is dropped with a warning. A unit written as its name ("Each") reads as its 355 code, a weight
unit as its name or sign ("Pounds", "lbs.", "12.5#") as LB / KG.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from operator import itemgetter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers.csv_common import (
    cell_text,
    header_at,
    parse_date,
    parse_decimal,
    parse_month_end,
    parse_time,
    raw_records,
    read_columns,
    scientific,
    serial_time,
    time_in,
    written_zone,
)
from schemas.findings import Detail, Finding, finding
from schemas.fulfilment import ShipmentCsvMapping
from schemas.packaging import packaging_code, unlisted, why_not_packaging
from schemas.reference import sscc_columns
from schemas.shipments import SHIPMENT_LINES, TRANSPORT_METHODS
from schemas.time_codes import AMBIGUOUS
from schemas.units import is_unit_code, unit_code_named, weight_in

_FIELDS = ("shipment_id", "ship_date", "ship_time", "carrier_scac", "service_level", "tracking_number",
           "bill_of_lading", "partner", "po_number", "line_id", "sku", "quantity", "unit", "carton_id",
           "carton_weight", "weight_unit", "pallet_id", "release_number", "mark_for_store", "net_weight",
           "net_weight_unit", "lot_number", "expiration_date", "transport_method", "serial_numbers",
           "box_number", "box_count", "packaging", "voided")
_REQUIRED = ("shipment_id", "ship_date", "po_number", "quantity")
_IDS = ("shipment_id", "po_number", "line_id", "sku", "carton_id", "pallet_id")  # what names a line or a carton
_REFERENCES = ("tracking_number", "bill_of_lading")  # what the 856 only passes on
_PLACES = Decimal("0.0001")  # SHIPMENT_LINES' numbers are decimal128(18, 4)


_SERIAL_SEPARATORS = re.compile(r"[\s,;|]+")


def _serials(text: str | None) -> str | None:
    """A cell's serial numbers one blank apart ("SN1, SN2;SN3" -> "SN1 SN2 SN3"); None without any."""
    return " ".join(s for s in _SERIAL_SEPARATORS.split(text) if s) or None if text else None


# a cell listing several tracking numbers (a shipment's packages: NetSuite's item fulfillment "Tracking Numbers", a
# WMS joining its labels' numbers): split at commas, semicolons, | and line breaks ("<br>" too, as a saved search
# writes them), or at blanks when every part is a number of its own (10 characters or more: a USPS number written
# in groups of 4 stays one number)
_TRACKING_SEPARATORS = re.compile(r"\s*(?:[,;|\n\r]|<br\s*/?>)\s*", re.IGNORECASE)


def tracking_cell(text: str | None) -> str | None:
    """A tracking number cell's numbers, TRACKING_SEPARATOR apart ("1Z..1, 1Z..2" -> "1Z..1|1Z..2": the 856 carries
    each as a REF*CN of its own, engine.shipments.tracking_numbers); one number as written; None without any."""
    if text is None:
        return None
    parts = [s for s in _TRACKING_SEPARATORS.split(text) if s]
    if len(parts) == 1 and " " in parts[0]:
        blanks = parts[0].split()
        if all(len(b) >= 10 for b in blanks):
            parts = blanks
    return TRACKING_SEPARATOR.join(dict.fromkeys(parts)) or None


TRACKING_SEPARATOR = "|"


def _several_tracking(cells: _Distinct) -> _Distinct:
    """The tracking column with each distinct cell holding a separator or a blank read by tracking_cell (found in
    Arrow: a file's one number per cell makes no Python call each)."""
    if not cells.values:
        return cells
    maybe = pc.match_substring_regex(pa.array(cells.values, pa.string()), r"[,;|\s]|<[bB][rR]")
    which = np.flatnonzero(pc.fill_null(maybe, False).to_numpy(zero_copy_only=False)).tolist()
    if not which:
        return cells
    values = list(cells.values)
    for k in which:
        values[k] = tracking_cell(values[k])
    return _Distinct(values, cells.index)
# the transport mode as WMS and 3PL exports name it (Extensiv's routing Mode "LTL"; a WMS's "Truckload"): the X12
# element 91 code it is (LT less than trailer load, M motor (common carrier), A air, AF air freight, R rail, S
# ocean, H customer pickup), any case; a code as itself. Not "Parcel": U is a private parcel service, D parcel
# post (USPS): which one the word means is the carrier's (a parcel SCAC without a method is U: transport_method_for)
_METHOD_WORDS = {"LTL": "LT", "LESS THAN TRUCKLOAD": "LT", "LESS THAN TRAILER LOAD": "LT", "TRUCKLOAD": "M",
                 "FULL TRUCKLOAD": "M", "FTL": "M", "TL": "M", "MOTOR": "M", "AIR": "A", "AIR FREIGHT": "AF",
                 "RAIL": "R", "OCEAN": "S", "CUSTOMER PICKUP": "H", "CUSTOMER PICK UP": "H", "WILL CALL": "H"}


def _method(text: str | None) -> str | None:
    """A transport method cell as its element 91 code (a code in capitals, or a mode's name: _METHOD_WORDS)."""
    if text is None:
        return None
    word = " ".join(text.upper().replace("-", " ").split())
    return word if word in TRANSPORT_METHODS else _METHOD_WORDS.get(word, word)


_BOX_OF = re.compile(r"\s*(\d{1,4})\s*(?:(?:of|/)\s*(\d{1,4})\s*)?", re.IGNORECASE)


def _box(number: str | None, count: str | None) -> tuple[int, int] | str | None:
    """(box k, of m boxes) of a multi-box unit's row from its Box Number cell ("2", "2 of 3", "2/3") and Box Count
    cell ("3"); None for an ordinary row (both empty, or box 1 of 1); why not, as text, when they do not read as
    one box of a unit (no number, a count below 2, a box past the count, two counts that differ)."""
    if number is None and count is None:
        return None
    got = _BOX_OF.fullmatch(number or "")
    if got is None:
        return f"the box number {number!r} is not a box of the unit (2, 2 of 3, 2/3)" if number else \
            "a box count without the row's box number"
    k, of = int(got.group(1)), got.group(2)
    m = int(of) if of else None
    if count is not None:
        if not count.isdigit():
            return f"the box count {count!r} is not a whole number"
        if m is not None and int(count) != m:
            return f"the box number says of {m}, the box count {count}"
        m = int(count)
    if m is None:
        return f"the box number {number!r} without the unit's box count"
    if k < 1 or m < 1 or k > m:
        return f"box {k} of {m} is no box of the unit"
    return None if m == 1 else (k, m)


def _further_cartons(zero: list[int], cols: dict[str, _Distinct], quantity: _Distinct, bad: set[int],
                     box_cells: dict[int, tuple]) -> dict[int, tuple[int, int]]:
    """The boxes (k, of m) of a unit shipped in several cartons that a warehouse confirms without the box columns
    (Rooms To Go's sofa in 2 cartons, each with its SSCC label): a row of 0 units (``zero``: the rows shipping 0
    that are neither refused nor a box already) in a carton of its own, for a line another row of the same
    shipment and PO ships units of, is a further carton of that line's units. Per such line (its rows naming no
    box), with u units on its rows with units and z further cartons: m = 1 + z / u boxes to a unit (rounded up),
    its rows with units box 1 of m, its further cartons boxes 2..m in turn, in row order (a unit's cartons listed
    together, or every unit's first cartons then their second ones, number alike). A confirmation whose cartons
    are no whole number of boxes to a unit, or whose box 1 holds more than one unit, numbers so that
    rules.shipments.box_checks holds the shipment (SHIPMENT_BOXES_INCOMPLETE) rather than guess which unit is
    short. A row of 0 with no carton of its own (no carton id, or a carton holding units of any line of the
    shipment: a further carton holds nothing but the unit's part), or for a line with no units in the shipment, is
    a cut line, as before; {row index: (k, m)} of the rows numbered."""
    def cell(name: str, i: int):
        return cols[name].values[cols[name].index[i]]

    def line_of(i: int) -> tuple:
        line = cell("line_id", i)
        return (cell("shipment_id", i), cell("po_number", i), line, None if line else cell("sku", i))

    candidates: dict[tuple, list[int]] = {}
    for i in zero:
        if cell("carton_id", i) is not None and i not in box_cells:
            candidates.setdefault(line_of(i), []).append(i)
    if not candidates:
        return {}
    shipping: dict[tuple, list[int]] = {}
    filled: set[tuple] = set()  # (shipment, carton) of every carton holding units
    for i in quantity.rows_where(lambda v: v is not None and v > 0):
        if i not in bad:
            filled.add((cell("shipment_id", i), cell("carton_id", i)))
            if (key := line_of(i)) in candidates:
                shipping.setdefault(key, []).append(i)
    boxed_lines = {line_of(i) for i in box_cells}
    out: dict[int, tuple[int, int]] = {}
    for key, further in candidates.items():
        units = shipping.get(key)
        if not units or key in boxed_lines:
            continue
        further = [i for i in further if (key[0], cell("carton_id", i)) not in filled]
        if not further:
            continue
        u = int(sum((quantity.values[quantity.index[i]] for i in units), Decimal(0)).to_integral_value("ROUND_CEILING"))
        m = 1 + -(-len(further) // u)
        out.update({i: (1, m) for i in units})
        out.update({i: (2 + j % (m - 1), m) for j, i in enumerate(further)})
    return out


def _exact(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


WEIGHT_UNITS = {"L": "LB", "LB": "LB", "LBS": "LB", "K": "KG", "KG": "KG", "KGS": "KG"}
# a weight unit as a WMS export spells it out in a cell or its unit column ("12.5 lb.", "Pounds", "12.5#", the
# U.S. pound sign, "Kilograms"), read as its code (not the 945's W03 codes: those are codes)
_WEIGHT_WORDS = {**WEIGHT_UNITS, "#": "LB", "POUND": "LB", "POUNDS": "LB", "KILO": "KG", "KILOS": "KG",
                 "KILOGRAM": "KG", "KILOGRAMS": "KG", "KILOGRAMME": "KG", "KILOGRAMMES": "KG",
                 # ounces and grams (a parcel WMS weighs light cartons in them), by name, sign and X12 355 code
                 # (OZ, GR); the UN/ECE Recommendation 20 codes an EDIFACT-minded WMS writes (LBR, KGM, ONZ, GRM);
                 # TN, the 355 net ton (2,000 pounds): as schemas.units converts them
                 "OZ": "OZ", "OZS": "OZ", "OUNCE": "OZ", "OUNCES": "OZ", "G": "GR", "GR": "GR", "GRS": "GR",
                 "GM": "GR", "GMS": "GR", "GRAM": "GR", "GRAMS": "GR", "GRAMME": "GR", "GRAMMES": "GR", "TN": "TN",
                 "LBR": "LB", "KGM": "KG", "ONZ": "OZ", "GRM": "GR"}
# a carton weight goes to the 856 (TD107/TD108) in pounds or kilograms, what partners' guides take: one in
# ounces or net tons is written in pounds, one in grams in kilograms, converted exactly (schemas.units.weight_in:
# 1 oz is 1/16 lb, 1 g 0.001 kg) and rounded to 4 places as a weight read is; a net weight keeps its unit (OZ,
# GR, TN are 355 weight codes billing converts, as a 945's W1212 O and S are)
_CARTON_WEIGHT_UNIT = {"OZ": "LB", "TN": "LB", "GR": "KG"}
WEIGHT_CODES = frozenset(_WEIGHT_WORDS.values())  # LB, KG, OZ, GR, TN: the units a weight can be read in


def weight_unit_named(text: str) -> str | None:
    """The code (LB, KG; OZ, GR, TN) of a weight unit as written in a confirmation CSV, any case, a period after
    it or not ("lbs.", "Pounds", "#", "kg", "oz", "g"); None when it is none we know."""
    word = text.strip().upper()
    return _WEIGHT_WORDS.get(word[:-1] if word.endswith(".") and len(word) > 1 else word)


def read_shipment_csv(data: bytes, mapping: ShipmentCsvMapping, *, file: str = "",
                      source_sha256: str = "", clock: str = "") -> tuple[pa.Table, list[Finding]]:
    """(SHIPMENT_LINES, findings) of one CSV confirmation file. Columnar: the file read into columns
    (parsers.csv_common.read_columns: Arrow's CSV reader where the file allows it), each mapped column
    stripped and parsed once per distinct value; findings name their row as the rows are read. ``clock``: the
    warehouse's IANA time zone (WarehouseProfile.time_zone), which says whose IST or CST a ship time's is."""
    read = read_columns(data, mapping, {f: getattr(mapping, f) for f in _FIELDS}, required=_REQUIRED, file=file)
    rows, numbers = read.rows, read.numbers
    n = len(numbers)
    cols: dict[str, _Distinct] = {}
    for name in _FIELDS:
        at = rows.columns.get(name)
        cols[name] = _Distinct.of_cells(read.cells[at] if at is not None and n else pa.nulls(n, pa.string()))
    # a multi-box unit's box (box k of m): read from the two cells together; one that names no box is refused at its
    # row below, as any value that does not read (the shipment held: a unit's box left out would be a carton
    # unlabelled). Box 2..m may leave its quantity empty: it ships 0 of the unit (counted on box 1)
    boxed = cols["box_number"].rows_where(lambda v: v is not None) + cols["box_count"].rows_where(
        lambda v: v is not None)
    box_cells = {i: (cols["box_number"].values[cols["box_number"].index[i]],
                     cols["box_count"].values[cols["box_count"].index[i]]) for i in boxed}
    boxes: list = [None] * n
    for i, (b, c) in box_cells.items():
        boxes[i] = _box(b, c)
    further = {i for i in box_cells if isinstance(boxes[i], tuple) and boxes[i][0] > 1}
    voided = _voided(cols, mapping, rows, numbers, file)
    problems: list[tuple[int, int, tuple]] = []  # (row index, rank within the row, problem arguments)
    for rank, (name, code) in enumerate((("shipment_id", "SHIPMENT_ID_MISSING"), ("po_number", "SHIPMENT_PO_MISSING"),
                                         ("ship_date", "SHIPMENT_DATE_MISSING"), ("quantity", "CSV_VALUE_MISSING"))):
        for i in cols[name].rows_where(lambda v: not v):
            if name == "quantity" and i in further:
                continue
            problems.append((i, rank, (code, f"Row {numbers[i]} has no {rows.header_names.get(name, name)!r}.",
                                       numbers[i], name)))
    # an id a spreadsheet rewrote in scientific notation (FedEx 771234567811 -> 7.71235E+11): its digits are lost
    for name in _IDS:
        for i in cols[name].rows_at(_garbled_values(cols[name])):
            t = cols[name].values[cols[name].index[i]]
            problems.append((i, 9, ("CSV_VALUE_GARBLED", f"{t!r} is a number a spreadsheet rewrote in scientific "
                                    "notation: its digits are lost.", numbers[i], name, t)))
    for name in _REFERENCES:
        garbled = _garbled_values(cols[name])
        for i in cols[name].rows_at(garbled):
            t = cols[name].values[cols[name].index[i]]
            rows.note(finding("SHIPMENT_REFERENCE_GARBLED", f"{t!r} is a number a spreadsheet rewrote in scientific "
                              "notation: left out of the 856.", file=file, row=numbers[i],
                              column=rows.header_names.get(name, name), value=t))
        if garbled:
            cols[name] = _Distinct([None if k in garbled else t for k, t in enumerate(cols[name].values)],
                                   cols[name].index)
    cols["tracking_number"] = _several_tracking(cols["tracking_number"])  # several numbers in a cell: each one
    # the transport method (TD504): an X12 element 91 code, any case; another word is left out with a warning
    # (the 856 then says what it would without the column), not guessed at, and the row ships
    method = cols["transport_method"].map(_method)
    for i in method.rows_where(lambda v: v is not None and v not in TRANSPORT_METHODS):
        t = cols["transport_method"].values[cols["transport_method"].index[i]]
        rows.note(finding("SHIPMENT_TRANSPORT_METHOD_UNKNOWN", f"{t!r} is no X12 transport method code (element 91: "
                          "M motor, U private parcel, LT less than trailer load, A air ...): left out of the 856, "
                          "whose TD504 is the PO's for the carrier, else U for a parcel carrier, else M.", file=file,
                          row=numbers[i], column=rows.header_names.get("transport_method", "transport_method"),
                          value=t))
    method = method.map(lambda v: v if v in TRANSPORT_METHODS else None)
    quantity = cols["quantity"].map(lambda t: None if t is None else parse_decimal(t, mapping))
    ship_date = cols["ship_date"].map(lambda t: None if t is None else parse_date(t, mapping))
    ship_time = cols["ship_time"].map(lambda t: None if t is None else parse_time(t, mapping))
    # a lot's expiry given as its month ("2028-07", "07/2028", GS1's "280700"): the month's last day, as GS1 reads
    # AI 17's day 00 (the 856's DTM*036 then states it; its DTM02 is a full date) -- it used to hold the shipment
    expires = cols["expiration_date"].map(lambda t: None if t is None else parse_month_end(t, mapping))
    time_in_date = cols["ship_date"].map(lambda t: None if t is None else time_in(t) or (  # "2026-11-27 14:05"
        serial_time(t) if mapping.excel_serial_dates else None))  # or Excel's serial's fraction of a day
    # the zone written after the time ("2026-12-01T19:50:12Z", "14:05 -05:00", "13:50 CST"): its 623 time code, the
    # 856's DTM04, by which the ASN window converts the time (it used to be dropped: a UTC time read as ours)
    # (an offset 623 has no code for, "-09:30": the time converted to UTC, its code UT; it used to be dropped, the time
    # read as the warehouse's clock's)
    # (an abbreviation of several places', IST, read as the one the warehouse's ``clock`` keeps; none: a warning at its
    # first row, once a file, the time taken as the clock's, as before)
    time_zoned = cols["ship_time"].map(lambda t: (None, None, None) if t is None else written_zone(t, clock))
    date_zoned = cols["ship_date"].map(
        lambda t: (None, None, None) if t is None or time_in(t) is None else written_zone(t, clock))
    time_zone, time_offset = time_zoned.map(itemgetter(0)), time_zoned.map(itemgetter(1))
    date_zone, date_offset = date_zoned.map(itemgetter(0)), date_zoned.map(itemgetter(1))
    told: set[str] = set()
    for name, zoned in (("ship_time", time_zoned), ("ship_date", date_zoned)):
        if all(v is None or v[2] is None for v in zoned.values):
            continue
        for i in zoned.rows_where(lambda v: v[2] is not None):
            abbreviation = zoned.values[zoned.index[i]][2]
            if abbreviation in told or (name == "ship_date" and cols["ship_time"].values[cols["ship_time"].index[i]]):
                continue
            told.add(abbreviation)
            rows.note(_ambiguous_zone(cols[name].values[cols[name].index[i]], abbreviation, clock, file, numbers[i],
                                      rows.header_names.get(name, name)))
    weighed = cols["carton_weight"].map(_weight_and_unit)  # ("12,5", "KG") of "12,5 kg"; the unit None when not given
    # a number with a word after it that is no weight unit we read ("12 stone", "12 CT"): as a Weight Unit column of
    # "stone" is, the row ships and its weight is left out with a warning at the cell (not CSV_NUMBER_INVALID, which
    # held the whole shipment for a weight's unit); the word, None for every other cell
    unknown_in_cell = cols["carton_weight"].map(lambda t: _unknown_unit_in_cell(t, mapping))
    # a weight past 4 decimals (22.04622 LB: 10 kg converted by the warehouse's system) is read rounded to
    # 4, with a warning naming it: no scale weighs to 0.0001, and a shipment is not held for it
    weight = weighed.map(lambda w: None if w is None else parse_decimal(w[0], mapping, places=None))
    for i in weight.rows_where(lambda v: v is not None and v != v.quantize(_PLACES)):
        t, v = cols["carton_weight"].values[cols["carton_weight"].index[i]], weight.values[weight.index[i]]
        rows.note(finding("SHIPMENT_WEIGHT_ROUNDED", f"{t!r} has more than 4 decimal places; our shipments and 856s "
                          f"carry 4: read as {_exact(v.quantize(_PLACES))}.", file=file, row=numbers[i],
                          column=rows.header_names.get("carton_weight", "carton_weight"), value=t))
    weight = weight.map(lambda v: None if v is None else v.quantize(_PLACES))
    net_weighed = cols["net_weight"].map(_weight_and_unit)  # the line's net weight (catch weight), as the carton's
    net = net_weighed.map(lambda w: None if w is None else parse_decimal(w[0], mapping, places=None))
    net_title = rows.header_names.get("net_weight", "net_weight")
    for i in net.rows_where(lambda v: v is not None and v.quantize(_PLACES) > 0 and v != v.quantize(_PLACES)):
        t, v = cols["net_weight"].values[cols["net_weight"].index[i]], net.values[net.index[i]]
        rows.note(finding("SHIPMENT_WEIGHT_ROUNDED", f"{t!r} has more than 4 decimal places; our shipments carry 4: "
                          f"read as {_exact(v.quantize(_PLACES))}, the weight a catch-weight line is billed by.",
                          file=file, row=numbers[i], column=net_title, value=t))
    # a negative net weight (-42.35: a scale's tare taken twice, a sign typed in): the row's units still shipped,
    # the weight is what is wrong: left out with a warning at its cell (as a negative carton weight is), so its
    # catch-weight line waits for a confirmed weight rather than the row being refused and the shipment held
    # (zero too, or a weight that rounds to zero at 4 places: goods that shipped weigh something, and the 810
    # builder refuses a catch-weight line weighed at nothing, so the finding is here, at the cell, not there)
    for i in net.rows_where(lambda v: v is not None and v.quantize(_PLACES) <= 0):
        t, v = cols["net_weight"].values[cols["net_weight"].index[i]], net.values[net.index[i]]
        what = "negative" if v < 0 else "zero" if v == 0 else "zero at 4 decimal places"
        rows.note(finding("SHIPMENT_WEIGHT_INVALID", f"Row {numbers[i]}: the net weight {t!r} is {what}: left out "
                          "(its line is not billed by weight until the warehouse confirms it).", file=file,
                          row=numbers[i], column=net_title, value=t))
    net_read = net  # what the cell reads as (a negative or zero weight too: it is a number)
    net = net.map(lambda v: None if v is None or v.quantize(_PLACES) <= 0 else v.quantize(_PLACES))
    # a unit written in the net weight cell ("42.35 KG") that its unit column contradicts ("LB"): which one the
    # scale meant is unknown, and a weight billed in the wrong unit is off 2.2 times; the row ships (goods left),
    # its net weight is left out with a warning at its cell, so its line is not billed until it is confirmed
    net_in_cell = net_weighed.map(lambda w: None if w is None else w[1])
    net_column_unit = cols["net_weight_unit"].map(lambda t: None if t is None else weight_unit_named(t) or t.upper())
    net_unit_title = rows.header_names.get("net_weight_unit", "net weight unit")
    contradicted = np.flatnonzero(_differ(net_in_cell, net_column_unit) & _valued(net)).tolist()
    for i in contradicted:
        t = cols["net_weight"].values[cols["net_weight"].index[i]]
        rows.note(finding("SHIPMENT_WEIGHT_INVALID", f"Row {numbers[i]}: the net weight {t!r} is in "
                          f"{net_in_cell.values[net_in_cell.index[i]]}; the {net_unit_title!r} column says "
                          f"{net_column_unit.values[net_column_unit.index[i]]}: the net weight is left out (its line "
                          "is not billed by weight until the warehouse confirms it).", file=file, row=numbers[i],
                          column=net_title, value=t))
    # a carton weight's unit column naming no weight we can read or convert ("stone", "CT", a typo): in what unit
    # the number is is unknown, and TD108 cannot carry it: the row ships, its weight is left out with a warning at
    # the unit's cell (the 856 used to be refused for it, ASN_NOT_BUILT, the whole shipment held). A net weight's
    # unit stays as written: billing names it ("its net weight shipped is in LT ...: not a weight to convert")
    column_unit = cols["weight_unit"].map(lambda t: None if t is None else weight_unit_named(t) or t.upper())
    in_cell = weighed.map(lambda w: None if w is None else w[1])  # a unit written in the weight cell
    unit_title = rows.header_names.get("weight_unit", "weight unit")
    unknown_carton = np.flatnonzero(_unknown_unit(column_unit) & ~_valued(in_cell) & _valued(weight)).tolist()
    carton_title = rows.header_names.get("carton_weight", "carton_weight")
    for i in unknown_in_cell.rows_where(lambda v: v is not None):
        t = cols["carton_weight"].values[cols["carton_weight"].index[i]]
        rows.note(finding("SHIPMENT_WEIGHT_INVALID", f"Row {numbers[i]}: the carton weight {t!r} is in "
                          f"{unknown_in_cell.values[unknown_in_cell.index[i]]!r}, no weight unit we read (LB, KG; OZ, "
                          "GR, TN, by code, name or sign): the weight is left out of the 856.", file=file,
                          row=numbers[i], column=carton_title, value=t))
    for i in unknown_carton:
        t = cols["weight_unit"].values[cols["weight_unit"].index[i]]
        rows.note(finding("SHIPMENT_WEIGHT_INVALID", f"Row {numbers[i]}: the carton weight's unit {t!r} is no weight "
                          "unit we read (LB, KG; OZ, GR, TN, by code, name or sign): the weight is left out of the "
                          "856.", file=file, row=numbers[i], column=unit_title, value=t))
    for rank, (name, parsed, code, what) in enumerate((
            ("quantity", quantity, "CSV_NUMBER_INVALID",
             lambda t: f"{t!r} is not a quantity (a number with at most 4 decimal places)."),
            ("ship_date", ship_date, "CSV_DATE_INVALID", lambda t: f"{t!r} does not match {mapping.date_format!r}."),
            ("ship_time", ship_time, "CSV_DATE_INVALID", lambda t: f"{t!r} does not match {mapping.time_format!r}."),
            ("carton_weight", weight, "CSV_NUMBER_INVALID", lambda t: f"{t!r} is not a weight."),
            ("net_weight", net_read, "CSV_NUMBER_INVALID", lambda t: f"{t!r} is not a net weight."),
            ("expiration_date", expires, "CSV_DATE_INVALID",
             lambda t: f"{t!r} does not match {mapping.date_format!r} (nor that without its day: a month).")),
            start=4):
        text = cols[name]
        unread = {k for k, (t, v) in enumerate(zip(text.values, parsed.values, strict=True)) if t and v is None}
        if name == "carton_weight":  # a number in a unit we do not read: the warning above, not an error
            unread -= {k for k, v in enumerate(unknown_in_cell.values) if v is not None}
        for i in text.rows_at(unread):
            t = text.values[text.index[i]]
            problems.append((i, rank, (code, what(t), numbers[i], name, t)))
    for i in np.flatnonzero(_differ(in_cell, column_unit)).tolist():
        t = cols["carton_weight"].values[cols["carton_weight"].index[i]]
        problems.append((i, 8, ("CSV_NUMBER_INVALID", f"{t!r} is in {in_cell.values[in_cell.index[i]]}; the "
                                f"{unit_title!r} column says {column_unit.values[column_unit.index[i]]}.",
                                numbers[i], "carton_weight", t)))
    for i in sorted(box_cells):
        if isinstance(got := boxes[i], str):
            name = "box_count" if box_cells[i][0] is not None and "count" in got else "box_number"
            problems.append((i, 10, ("CSV_NUMBER_INVALID", f"Row {numbers[i]}: {got}.", numbers[i], name,
                                     box_cells[i][0 if name == "box_number" else 1])))
    bad = set()
    for i, _rank, args in sorted(problems, key=lambda p: (p[0], p[1])):
        if i in voided:  # a voided label's row ships nothing: what it says is no problem of a shipment
            continue
        rows.problem(*args)
        bad.add(i)
    # a row shipping 0 (a cut line, as a 945's W12 shipping 0): left out with a warning, the rest ships; but box 2..m
    # of a multi-box unit ships 0 of it by design (the unit counted on box 1): a carton, kept. A warehouse without
    # the box columns confirms a unit's further cartons as rows of 0 of the line in cartons of their own: read as
    # box 2..m of the line's units (_further_cartons)
    zero = [i for i in quantity.rows_where(lambda v: v is not None and v == 0)
            if i not in bad and i not in further and i not in voided]
    inferred = _further_cartons(zero, cols, quantity, bad, box_cells) if zero else {}
    for i, box in inferred.items():
        boxes[i] = box
    further |= {i for i, box in inferred.items() if box[0] > 1}
    cut = [i for i in zero if i not in further]
    for i in cut:
        t = cols["quantity"].values[cols["quantity"].index[i]]
        sku, line = (cols[c].values[cols[c].index[i]] for c in ("sku", "line_id"))
        what = sku or (f"line {line}" if line else "its item")
        rows.note(finding("SHIPMENT_ROW_NOT_SHIPPED", f"Row {numbers[i]} ships 0 of {what}: not recorded as shipped.",
                          file=file, row=numbers[i], column=rows.header_names.get("quantity", "quantity"), value=t))
    packaging = _packaging(cols["packaging"], rows, numbers, file)
    keep = np.ones(n, dtype=bool)
    keep[list(bad)] = False
    keep[cut] = False
    keep[sorted(voided)] = False
    m = int(keep.sum())
    units = cols["unit"].map(lambda t: _unit(t or mapping.default_unit))
    weight_units = cols["weight_unit"].map(lambda t: _weight_unit(t, mapping))
    cell_units = in_cell.column(pa.string(), keep)
    out = {
        "shipment_id": cols["shipment_id"], "ship_date": ship_date, "ship_time": ship_time,
        "carrier_scac": _carriers(cols["carrier_scac"], cols["service_level"], mapping, keep, rows, numbers, file),
        "service_level": cols["service_level"], "tracking_number": cols["tracking_number"],
        "bill_of_lading": cols["bill_of_lading"], "partner": cols["partner"], "po_number": cols["po_number"],
        "line_id": cols["line_id"], "sku": cols["sku"], "quantity": quantity, "unit": units,
        "carton_id": cols["carton_id"], "carton_weight": weight, "weight_unit": weight_units,
        "pallet_id": cols["pallet_id"], "release_number": cols["release_number"],
        "mark_for_store": cols["mark_for_store"], "net_weight": net,
        "net_weight_unit": cols["net_weight_unit"].map(lambda t: _weight_unit(t, mapping)),
        "lot_number": cols["lot_number"], "expiration_date": expires,
        "transport_method": method,
        "serial_numbers": cols["serial_numbers"].map(_serials), "packaging": packaging,
    }
    columns = {name: d.column(SHIPMENT_LINES.field(name).type, keep) for name, d in out.items()}
    for left_out, name in ((contradicted, "net_weight"), (unknown_carton, "carton_weight")):
        if left_out:  # left out: no weight rather than one in a guessed unit
            unsure = np.zeros(n, dtype=bool)
            unsure[left_out] = True
            columns[name] = pc.if_else(pa.array(unsure[keep]), pa.scalar(None, columns[name].type), columns[name])
    columns["carton_sscc"] = sscc_columns(columns["carton_id"])[1]
    columns["pallet_sscc"] = sscc_columns(columns["pallet_id"])[1]
    columns["ship_time_zone"] = pc.if_else(pc.is_valid(columns["ship_time"]), time_zone.column(pa.string(), keep),
                                           date_zone.column(pa.string(), keep))  # the zone of the time read
    offsets = pc.if_else(pc.is_valid(columns["ship_time"]), time_offset.column(pa.int32(), keep),
                         date_offset.column(pa.int32(), keep))
    columns["ship_time"] = pc.coalesce(columns["ship_time"], time_in_date.column(pa.time32("s"), keep))
    if offsets.null_count < len(offsets):
        columns["ship_date"], columns["ship_time"], columns["ship_time_zone"] = in_utc(
            columns["ship_date"], columns["ship_time"], columns["ship_time_zone"], offsets)
    columns["weight_unit"] = pc.if_else(pc.is_valid(columns["carton_weight"]), pc.coalesce(cell_units,
                                                                                         columns["weight_unit"]),
                                        pa.scalar(None, pa.string()))
    columns["carton_weight"], columns["weight_unit"] = _in_pounds_or_kilograms(columns["carton_weight"],
                                                                               columns["weight_unit"])
    net_units = net_weighed.map(lambda w: None if w is None else w[1]).column(pa.string(), keep)
    columns["net_weight_unit"] = pc.if_else(pc.is_valid(columns["net_weight"]), pc.coalesce(
        net_units, columns["net_weight_unit"]), pa.scalar(None, pa.string()))
    constant = {"source_kind": "csv", "isa13": "CSV", "gs06": "", "st02": "", "source_file": file,
                "source_sha256": source_sha256}
    columns.update({name: pa.repeat(pa.scalar(value, pa.string()), m) for name, value in constant.items()})
    if further:  # a further box's empty quantity: 0 of the unit
        empty = np.zeros(n, dtype=bool)
        empty[sorted(further)] = True
        columns["quantity"] = pc.if_else(pa.array(empty[keep]), pc.fill_null(columns["quantity"], 0),
                                         columns["quantity"])
    if box_cells or inferred:
        kept_boxes = [b if isinstance(b, tuple) else None for b, k in zip(boxes, keep, strict=True) if k]
        columns["box_number"] = pa.array([b and b[0] for b in kept_boxes], pa.int32())
        columns["box_count"] = pa.array([b and b[1] for b in kept_boxes], pa.int32())
    else:  # no row names a box (the usual file): no Python step per row
        columns["box_number"] = columns["box_count"] = pa.nulls(m, pa.int32())
    columns["row_number"] = pa.array(np.asarray(numbers, dtype=np.int32)[keep] if n else [], pa.int32())
    table = pa.table({f.name: columns[f.name] if f.name in columns else pa.nulls(m, f.type) for f in SHIPMENT_LINES},
                     schema=SHIPMENT_LINES)
    return table, sorted(rows.findings, key=lambda f: f.location.row or 0)


def _voided(cols: dict[str, _Distinct], mapping: ShipmentCsvMapping, rows, numbers: list[int], file: str) -> set[int]:
    """The rows of a voided label (the layout's ``voided`` column holding one of its ``voided_values``, any case:
    ShipStation's Voided "True", Shippo's refunded label): left out with a warning at each (SHIPMENT_LABEL_VOIDED),
    whatever else they hold; the shipment's other rows ship. A shipping tool's export keeps a voided label beside
    the label made again for the same goods: read as shipped, the voided one went out as an 856 and an 810 with a
    dead tracking number, and the goods' real label was held as more than was reserved."""
    cells = cols["voided"]
    values = {v.strip().casefold() for v in mapping.voided_values}
    which = {k for k, v in enumerate(cells.values) if v is not None and v.strip().casefold() in values}
    title = rows.header_names.get("voided", "voided")
    out = cells.rows_at(which)
    for i in out:
        v = cells.values[cells.index[i]]
        sid, sku, line, qty = (cols[c].values[cols[c].index[i]] for c in ("shipment_id", "sku", "line_id", "quantity"))
        detail = Detail(quantity=f"{qty}", item=sku or (f"line {line}" if line else "its item"))
        rows.note(finding("SHIPMENT_LABEL_VOIDED", f"{voided_label(numbers[i], title, v, detail, sid)} not recorded "
                          "as shipped.", file=file, row=numbers[i], column=title, value=v, detail=detail))
    return set(out)


def voided_label(row: int | None, column: str, value: str | None, detail: Detail, shipment: str | None) -> str:
    """The words a SHIPMENT_LABEL_VOIDED finding opens with, from its location (``row``, ``column``, ``value``),
    its detail (the row's quantity and item) and its row's ``shipment``: "Row 4: its label was voided (Voided
    'True'): 2 of SKU-1 on shipment S1" (engine.lifecycle.repeats.voided_after_recorded words one recorded)."""
    return (f"Row {row}: its label was voided ({column} {value!r}): {detail.quantity} of {detail.item} on shipment "
            f"{shipment}")


def _packaging(cells: _Distinct, rows, numbers: list[int], file: str) -> _Distinct:
    """The Packaging column as TD101 codes (schemas.packaging.packaging_code: "cyl" -> CYL). A cell of no packaging
    code's shape is left out with a warning at its row (SHIPMENT_PACKAGING_INVALID: the carton is described by the
    item master's packaging, else the partner's default); a code of the right shape whose form or material is on
    no list we hold is kept (written as given) with a warning: later X12 releases add codes."""
    read = cells.map(packaging_code)
    title = rows.header_names.get("packaging", "packaging")
    for i in cells.rows_where(lambda v: v is not None):
        t, code = cells.values[cells.index[i]], read.values[read.index[i]]
        if code is None:
            rows.note(finding("SHIPMENT_PACKAGING_INVALID", f"Row {numbers[i]}: {why_not_packaging(t)}: left out, "
                              "the carton described by the item master's packaging, else the partner's default "
                              "(CTN25).", file=file, row=numbers[i], column=title, value=t))
        elif what := unlisted(code):
            rows.note(finding("SHIPMENT_PACKAGING_INVALID", f"Row {numbers[i]}: the packaging {code!r}: {what} is on "
                              "no packaging list we hold (X12 element 103): written as given.", file=file,
                              row=numbers[i], column=title, value=t))
    return read


def _carriers(carrier: _Distinct, service: _Distinct, mapping: ShipmentCsvMapping, keep: np.ndarray, rows,
              numbers: list[int], file: str) -> _Distinct:
    """Each row's SCAC (ShipmentCsvMapping.scac_of): the SCAC the layout's carriers name for its service or carrier
    cell, else its carrier cell in capitals when that is a SCAC's shape and no carrier's name we list, else the SCAC
    of a carrier's name (once per distinct pair of cells; a file whose carrier cells are all SCACs' shape, none a
    name we list, and whose layout names no carriers: the cells in capitals, no pair made). A cell naming several
    SCACs' carriers (a bare "DHL", "FedEx": ShipmentCsvMapping.carrier_choices) that nothing settles is refused: no
    SCAC, a SHIPMENT_CARRIER_AMBIGUOUS warning at its first kept row naming the choices (once per cell and file)."""
    from schemas.service_levels import carrier_choices, carrier_name_key, carrier_names

    names = carrier_names().keys() | carrier_choices().keys()
    if not mapping.carriers and all(v is None or (_SCAC_SHAPE.fullmatch(v.strip().upper()) and
                                                  carrier_name_key(v) not in names) for v in carrier.values):
        return carrier.map(lambda t: (t or "").upper() or None)
    width = len(service.values) or 1
    pairs, index = np.unique(carrier.index * width + service.index, return_inverse=True)  # each row's pair of cells
    index = np.asarray(index, dtype=np.int64).reshape(-1)
    scacs, told = [], set()
    for k, p in enumerate(pairs.tolist()):
        cell, said = carrier.values[p // width], service.values[p % width]
        choices = mapping.carrier_choices(cell, said)
        scacs.append(None if choices else mapping.scac_of(cell, said))
        if choices and carrier_name_key(cell) not in told:
            at = np.flatnonzero((index == k) & keep)
            if len(at):
                told.add(carrier_name_key(cell))
                i = int(at[0])
                rows.note(finding("SHIPMENT_CARRIER_AMBIGUOUS", f"Row {numbers[i]}: the carrier {cell!r} is no "
                                  f"SCAC and names several carriers: {choices}. The 856 goes without a carrier SCAC "
                                  "(TD503) rather than a guessed one; map the name in the warehouse profile's [csv] "
                                  "carriers (or its services' names), or ask the warehouse to export the service.",
                                  file=file, row=numbers[i],
                                  column=rows.header_names.get("carrier_scac", "carrier_scac"), value=cell))
    return _Distinct(scacs, index)


_SCAC_SHAPE = re.compile(r"[A-Z]{2,4}")


def _ambiguous_zone(cell: str, name: str, clock: str, file: str, row: int, column: str) -> Finding:
    if name not in AMBIGUOUS:  # an abbreviation we do not read at all (csv_common.written_zone)
        return finding("SHIPMENT_TIME_ZONE_UNKNOWN", f"The ship time {cell!r} is in {name}, a time zone abbreviation "
                       f"we do not read: the time is taken as the warehouse clock's, without a zone (as is every "
                       f"{name} time of the file), not guessed. Ask the warehouse to export the time with its UTC "
                       "offset (+08:00), or tell us the zone so we read its name.", file=file, row=row,
                       column=column, value=cell)
    readings = [f"{place}'s ({'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d})"
                for place, m in AMBIGUOUS[name]]
    said = ", ".join(readings[:-1]) + f" or {readings[-1]}"
    whose = f"the warehouse's clock ({clock}) keeps none of them" if clock else "the warehouse profile names no " \
        "time_zone to say which"
    return finding("SHIPMENT_TIME_ZONE_AMBIGUOUS", f"The ship time {cell!r} is in {name}, which is {said} time; "
                   f"{whose}: the time is taken as the warehouse clock's, without a zone (as is every {name} time of "
                   "the file). Set the warehouse's time_zone, or ask it to export the time with its UTC offset.",
                   file=file, row=row, column=column, value=cell)


def in_utc(days: pa.Array, times: pa.Array, zones: pa.Array, offsets: pa.Array) -> tuple[pa.Array, ...]:
    """(ship dates, times, zones) with each time given at a UTC offset of ``offsets`` (minutes; null: none to convert)
    converted to UTC, its zone UT (the date the day it was in UTC)."""
    d, t, z, o = (a.to_pylist() for a in (days, times, zones, offsets))
    for i, minutes in enumerate(o):
        if minutes is not None and d[i] is not None and t[i] is not None:
            at = datetime.combine(d[i], t[i]) - timedelta(minutes=minutes)
            d[i], t[i], z[i] = at.date(), at.time(), "UT"
    return pa.array(d, days.type), pa.array(t, times.type), pa.array(z, zones.type)


class _Distinct:
    """A column as its distinct values (Python objects, null included) and each row's index into them:
    a function of the values is computed once per distinct value."""

    def __init__(self, values: list, index: np.ndarray) -> None:
        self.values, self.index = values, index

    @classmethod
    def of(cls, column: pa.Array) -> _Distinct:
        encoded = column.dictionary_encode(null_encoding="encode")
        return cls(encoded.dictionary.to_pylist(), np.asarray(encoded.indices.to_numpy(zero_copy_only=False),
                                                              dtype=np.int64))

    @classmethod
    def of_cells(cls, column: pa.Array) -> _Distinct:
        """``of(column).map(_value)``: _value called only for a distinct value whose first or last character is
        not an ASCII letter or digit (one _value may change: blanks around it, Excel's ="..." guard, an empty
        cell); any other value is its own (a file's ids, dates and numbers: no Python call each)."""
        encoded = column.dictionary_encode(null_encoding="encode")
        values = encoded.dictionary.to_pylist()
        plain = pc.match_substring_regex(encoded.dictionary, r"(?s)^[A-Za-z0-9](?:.*[A-Za-z0-9])?$")
        for k in np.flatnonzero(~pc.fill_null(plain, False).to_numpy(zero_copy_only=False)).tolist():
            values[k] = _value(values[k])
        return cls(values, np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64))

    def map(self, f) -> _Distinct:
        return _Distinct([f(v) for v in self.values], self.index)

    def rows_where(self, test) -> list[int]:
        return self.rows_at({k for k, v in enumerate(self.values) if test(v)})

    def rows_at(self, which: set[int]) -> list[int]:
        """The rows whose value is one of these distinct values, in row order."""
        if not which:
            return []
        return np.flatnonzero(np.isin(self.index, np.fromiter(which, dtype=np.int64))).tolist()

    def column(self, type_: pa.DataType, keep: np.ndarray) -> pa.Array:
        """The kept rows' values as an Arrow column of ``type_`` (only values a kept row holds converted)."""
        index = self.index[keep]
        used = np.zeros(len(self.values), dtype=bool)
        used[index] = True
        values = [v if u else None for v, u in zip(self.values, used.tolist(), strict=True)]
        return pa.array(values, type_).take(pa.array(index))


def _garbled(text: str | None) -> bool:
    """A value in a spreadsheet's scientific notation (7.71235E+11, 6,14141E+17): a long number whose
    digits were rounded away. The order feeds' one check (csv_common.scientific): the exponent's sign as a
    spreadsheet always writes it, so an id such as 2E10 (a part number, a PO) reads as the id it is."""
    return scientific(text)


def _garbled_values(column: _Distinct) -> set[int]:
    """The distinct values of ``column`` that are _garbled (scientific notation): the test made only of a
    value holding an E, as every one in scientific notation does."""
    return {k for k, v in enumerate(column.values) if v and ("E" in v or "e" in v) and _garbled(v)}


def _value(text: str | None) -> str | None:
    """A cell's value as `cell_text` reads it, None when empty (the common case without a call)."""
    if text is None:
        return None
    value = text.strip()
    return (cell_text(value) if value[:2] == '="' else value) or None


_WEIGHT_IN_CELL = re.compile(r"^(.*?\d)\s*([A-Za-z]+\.?|#)$")


def _weight_and_unit(text: str | None) -> tuple[str, str | None] | None:
    """A weight cell as (its number's text, the weight unit written after it or None): "12,5 kg" ->
    ("12,5", "KG"), "12.5 lb." and "12.5#" -> ("12.5", "LB"); a word that is no weight unit stays in the
    number (which then does not read)."""
    if text is None:
        return None
    m = _WEIGHT_IN_CELL.match(text)
    unit = weight_unit_named(m.group(2)) if m is not None else None
    if unit is None:
        return text, None
    return m.group(1), unit


def _unknown_unit_in_cell(text: str | None, mapping: ShipmentCsvMapping) -> str | None:
    """The word after a weight cell's number when it is no weight unit we read ("stone" of "12 stone", "CT" of
    "12 CT"), the number reading as a weight; None for every other cell (a unit we read, no word, no number)."""
    if text is None:
        return None
    m = _WEIGHT_IN_CELL.match(text)
    if m is None or m.group(2) == "#" or weight_unit_named(m.group(2)) is not None:
        return None
    return m.group(2) if parse_decimal(m.group(1).strip(), mapping, places=None) is not None else None


def _differ(a: _Distinct, b: _Distinct) -> np.ndarray:
    """Rows where both columns hold a value and the values differ."""
    left = np.asarray([v is not None for v in a.values], dtype=bool)[a.index]
    right = np.asarray([v is not None for v in b.values], dtype=bool)[b.index]
    both = np.flatnonzero(left & right)
    out = np.zeros(len(a.index), dtype=bool)
    for i in both.tolist():
        out[i] = a.values[a.index[i]] != b.values[b.index[i]]
    return out


def _valued(a: _Distinct) -> np.ndarray:
    """Rows whose value is not None."""
    return np.asarray([v is not None for v in a.values], dtype=bool)[a.index]


def _unknown_unit(a: _Distinct) -> np.ndarray:
    """Rows whose weight unit (as weight_unit_named reads it, else in capitals) is none we can read a weight in."""
    return np.asarray([v is not None and v not in WEIGHT_CODES for v in a.values], dtype=bool)[a.index]


def _in_pounds_or_kilograms(weight: pa.Array, unit: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Carton weights in ounces or net tons as pounds, in grams as kilograms (_CARTON_WEIGHT_UNIT), converted
    exactly and rounded to 4 places (schemas.units.weight_in: 12 OZ -> 0.75 LB, 850 GR -> 0.85 KG); the rest as
    they are. Only the rows converted are touched in Python."""
    other = pc.fill_null(pc.is_in(unit, value_set=pa.array(sorted(_CARTON_WEIGHT_UNIT))), False)
    rows = np.flatnonzero(np.asarray(other.to_numpy(zero_copy_only=False), dtype=bool)).tolist()
    if not rows:
        return weight, unit
    weights, units = weight.to_pylist(), unit.to_pylist()
    for i in rows:
        units[i] = _CARTON_WEIGHT_UNIT[units[i]]
        weights[i] = None if weights[i] is None else weight_in(weights[i], unit[i].as_py(), units[i])
    return pa.array(weights, weight.type), pa.array(units, unit.type)


def _unit(text: str) -> str:
    """A unit as X12 codes it (element 355): a code as written (in capitals), a code's name ("Each",
    "Cases") as its code, anything else in capitals (the checks compare it with the line's unit)."""
    code = text.upper()
    return code if is_unit_code(code) else unit_code_named(text) or code


def _weight_unit(text: str | None, m: ShipmentCsvMapping) -> str:
    unit_text = text or m.default_weight_unit
    return weight_unit_named(unit_text) or unit_text.upper()


def to_table(rows: Iterable[dict]) -> pa.Table:
    """SHIPMENT_LINES from row dicts (missing keys are null)."""
    rows = list(rows)
    return pa.table({f.name: pa.array([r.get(f.name) for r in rows], f.type) for f in SHIPMENT_LINES},
                    schema=SHIPMENT_LINES)


def shipment_ids_of_rows(data: bytes, mapping: ShipmentCsvMapping, rows: set[int]) -> dict[int, str]:
    """Record number -> the shipment id written on that row, for rows the reader left out (malformed
    ones too), so the caller can hold their whole shipment rather than send it without them."""
    return cells_of_rows(data, mapping, rows, mapping.shipment_id)


def cells_of_rows(data: bytes, mapping: ShipmentCsvMapping, rows: set[int], column: str) -> dict[int, str]:
    """Record number -> the text of the column headed ``column`` on that row (rows in ``rows`` that
    have one; a row the reader left out too), e.g. the PO a row that cannot be read was about."""
    records = raw_records(data, mapping)
    head = header_at(records, mapping)
    if head >= len(records):
        return {}
    title = " ".join(column.split()).casefold()
    at = next((i for i, h in enumerate(records[head][1]) if " ".join(h.split()).casefold() == title), None)
    if at is None:
        return {}
    return {n: cell_text(fields[at]) for n, fields in records[head + 1:]
            if n in rows and at < len(fields) and cell_text(fields[at])}
