"""Warehouse shipment confirmations as CSV -> SHIPMENT_LINES (schemas.shipments), one row per item
per carton; the columns are found by the header names of a ShipmentCsvMapping.

No paths, no I/O. A row with a missing or unreadable required value (shipment id, ship date, PO,
quantity) is left out and reported at its row and column; what the values mean against our orders
(unknown PO, over-shipping, ...) is checked in rules.shipments. Lineage: source_file, row_number
(header = 1), isa13 = "CSV", gs06 = st02 = "".
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from parsers.csv_common import parse_date, parse_decimal, parse_time, raw_records, read_rows
from schemas.findings import Finding
from schemas.fulfilment import ShipmentCsvMapping
from schemas.reference import sscc18
from schemas.shipments import SHIPMENT_LINES

_FIELDS = ("shipment_id", "ship_date", "ship_time", "carrier_scac", "service_level", "tracking_number",
           "bill_of_lading", "partner", "po_number", "line_id", "sku", "quantity", "unit", "carton_id",
           "carton_weight", "weight_unit", "pallet_id")
_REQUIRED = ("shipment_id", "ship_date", "po_number", "quantity")
WEIGHT_UNITS = {"L": "LB", "LB": "LB", "LBS": "LB", "K": "KG", "KG": "KG", "KGS": "KG"}


def read_shipment_csv(data: bytes, mapping: ShipmentCsvMapping, *, file: str = "",
                      source_sha256: str = "") -> tuple[pa.Table, list[Finding]]:
    """(SHIPMENT_LINES, findings) of one CSV confirmation file. Columnar: each mapped column is
    stripped once, each distinct value parsed once; findings name their row as the rows are read."""
    rows = read_rows(data, mapping, {f: getattr(mapping, f) for f in _FIELDS}, required=_REQUIRED, file=file)
    numbers = [number for number, _fields in rows.rows]
    n = len(numbers)
    by_column = list(zip(*(fields for _number, fields in rows.rows), strict=True)) if n else []
    cols: dict[str, list] = {}
    for name in _FIELDS:
        at = rows.columns.get(name)
        cols[name] = [v.strip() or None for v in by_column[at]] if at is not None and n else [None] * n
    problems: list[tuple[int, int, tuple]] = []  # (row index, rank within the row, problem arguments)
    for rank, (name, code) in enumerate((("shipment_id", "SHIPMENT_ID_MISSING"), ("po_number", "SHIPMENT_PO_MISSING"),
                                         ("ship_date", "SHIPMENT_DATE_MISSING"), ("quantity", "CSV_VALUE_MISSING"))):
        for i, v in enumerate(cols[name]):
            if not v:
                problems.append((i, rank, (code, f"Row {numbers[i]} has no {rows.header_names.get(name, name)!r}.",
                                           numbers[i], name)))
    quantity = _parsed_column(cols["quantity"], lambda t: parse_decimal(t, mapping))
    ship_date = _parsed_column(cols["ship_date"], lambda t: parse_date(t, mapping))
    ship_time = _parsed_column(cols["ship_time"], lambda t: parse_time(t, mapping))
    weight = _parsed_column(cols["carton_weight"], lambda t: parse_decimal(t, mapping))
    for rank, (name, parsed, code, what) in enumerate((
            ("quantity", quantity, "CSV_NUMBER_INVALID", lambda t: f"{t!r} is not a quantity."),
            ("ship_date", ship_date, "CSV_DATE_INVALID", lambda t: f"{t!r} does not match {mapping.date_format!r}."),
            ("ship_time", ship_time, "CSV_DATE_INVALID", lambda t: f"{t!r} does not match {mapping.time_format!r}."),
            ("carton_weight", weight, "CSV_NUMBER_INVALID", lambda t: f"{t!r} is not a weight.")), start=4):
        for i, (text, value) in enumerate(zip(cols[name], parsed, strict=True)):
            if text and value is None:
                problems.append((i, rank, (code, what(text), numbers[i], name, text)))
    bad = set()
    for i, _rank, args in sorted(problems, key=lambda p: (p[0], p[1])):
        rows.problem(*args)
        bad.add(i)
    keep = [i for i in range(n) if i not in bad] if bad else range(n)

    def column(values: list) -> list:
        return [values[i] for i in keep] if bad else values

    units = _mapped_column(cols["unit"], lambda t: (t or mapping.default_unit).upper())
    weight_units = _mapped_column(cols["weight_unit"], lambda t: _weight_unit(t, mapping))
    out = {
        "source_kind": ["csv"] * len(keep), "shipment_id": column(cols["shipment_id"]),
        "ship_date": column(ship_date), "ship_time": column(ship_time),
        "carrier_scac": column(_mapped_column(cols["carrier_scac"], lambda t: (t or "").upper() or None)),
        "service_level": column(cols["service_level"]), "tracking_number": column(cols["tracking_number"]),
        "bill_of_lading": column(cols["bill_of_lading"]), "partner": column(cols["partner"]),
        "po_number": column(cols["po_number"]), "line_id": column(cols["line_id"]), "sku": column(cols["sku"]),
        "quantity": column(quantity), "unit": column(units), "carton_id": column(cols["carton_id"]),
        "carton_sscc": column(_mapped_column(cols["carton_id"], sscc18)), "carton_weight": column(weight),
        "weight_unit": column([u if w is not None else None for u, w in zip(weight_units, weight, strict=True)]),
        "pallet_id": column(cols["pallet_id"]), "pallet_sscc": column(_mapped_column(cols["pallet_id"], sscc18)),
        "isa13": ["CSV"] * len(keep), "gs06": [""] * len(keep), "st02": [""] * len(keep),
        "source_file": [file] * len(keep), "source_sha256": [source_sha256] * len(keep),
        "row_number": column(numbers),
    }
    table = pa.table({f.name: pa.array(out[f.name], f.type) if f.name in out else pa.nulls(len(keep), f.type)
                      for f in SHIPMENT_LINES}, schema=SHIPMENT_LINES)
    return table, sorted(rows.findings, key=lambda f: f.location.row or 0)


def _parsed_column(values: list, parse) -> list:
    """``parse`` of each value, once per distinct value (None stays None)."""
    return _mapped_column(values, lambda v: None if v is None else parse(v))


def _mapped_column(values: list, f) -> list:
    """``f`` of each value (None included), once per distinct value."""
    seen: dict = {}
    out = []
    for v in values:
        if v in seen:
            out.append(seen[v])
        else:
            out.append(seen.setdefault(v, f(v)))
    return out


def _weight_unit(text: str | None, m: ShipmentCsvMapping) -> str:
    unit_text = (text or m.default_weight_unit).upper()
    return WEIGHT_UNITS.get(unit_text, unit_text)


def to_table(rows: Iterable[dict]) -> pa.Table:
    """SHIPMENT_LINES from row dicts (missing keys are null)."""
    rows = list(rows)
    return pa.table({f.name: pa.array([r.get(f.name) for r in rows], f.type) for f in SHIPMENT_LINES},
                    schema=SHIPMENT_LINES)


def shipment_ids_of_rows(data: bytes, mapping: ShipmentCsvMapping, rows: set[int]) -> dict[int, str]:
    """Record number -> the shipment id written on that row, for rows the reader left out (malformed
    ones too), so the caller can hold their whole shipment rather than send it without them."""
    records = raw_records(data, mapping)
    if not records:
        return {}
    title = mapping.shipment_id.strip().casefold()
    at = next((i for i, h in enumerate(records[0][1]) if h.strip().casefold() == title), None)
    if at is None:
        return {}
    return {n: fields[at].strip() for n, fields in records[1:] if n in rows and at < len(fields) and fields[at].strip()}
