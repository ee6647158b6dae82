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

from parsers.csv_common import CsvRows, parse_date, parse_decimal, parse_time, raw_records, read_rows
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
    """(SHIPMENT_LINES, findings) of one CSV confirmation file."""
    rows = read_rows(data, mapping, {f: getattr(mapping, f) for f in _FIELDS}, required=_REQUIRED, file=file)
    out: list[dict] = []
    for number, fields in rows.rows:
        row = _row(rows, number, fields, mapping)
        if row is not None:
            row.update(source_file=file, source_sha256=source_sha256, row_number=number)
            out.append(row)
    return to_table(out), sorted(rows.findings, key=lambda f: f.location.row or 0)


def _row(rows: CsvRows, number: int, fields: list[str], m: ShipmentCsvMapping) -> dict | None:
    def text(name: str) -> str | None:
        return rows.cell(fields, name) or None

    ok = True
    for name, code in (("shipment_id", "SHIPMENT_ID_MISSING"), ("po_number", "SHIPMENT_PO_MISSING"),
                       ("ship_date", "SHIPMENT_DATE_MISSING"), ("quantity", "CSV_VALUE_MISSING")):
        if not text(name):
            rows.problem(code, f"Row {number} has no {rows.header_names.get(name, name)!r}.", number, name)
            ok = False
    quantity = parse_decimal(text("quantity") or "", m)
    if text("quantity") and quantity is None:
        rows.problem("CSV_NUMBER_INVALID", f"{text('quantity')!r} is not a quantity.", number, "quantity",
                     text("quantity"))
        ok = False
    ship_date = parse_date(text("ship_date") or "", m)
    if text("ship_date") and ship_date is None:
        rows.problem("CSV_DATE_INVALID", f"{text('ship_date')!r} does not match {m.date_format!r}.", number,
                     "ship_date", text("ship_date"))
        ok = False
    ship_time = parse_time(text("ship_time"), m) if text("ship_time") else None
    if text("ship_time") and ship_time is None:
        rows.problem("CSV_DATE_INVALID", f"{text('ship_time')!r} does not match {m.time_format!r}.", number,
                     "ship_time", text("ship_time"))
        ok = False
    weight = parse_decimal(text("carton_weight"), m) if text("carton_weight") else None
    if text("carton_weight") and weight is None:
        rows.problem("CSV_NUMBER_INVALID", f"{text('carton_weight')!r} is not a weight.", number, "carton_weight",
                     text("carton_weight"))
        ok = False
    if not ok:
        return None
    unit_text = (text("weight_unit") or m.default_weight_unit).upper()
    carton, pallet = text("carton_id"), text("pallet_id")
    return {
        "source_kind": "csv", "shipment_id": text("shipment_id"), "ship_date": ship_date, "ship_time": ship_time,
        "carrier_scac": (text("carrier_scac") or "").upper() or None, "service_level": text("service_level"),
        "tracking_number": text("tracking_number"), "bill_of_lading": text("bill_of_lading"),
        "partner": text("partner"), "po_number": text("po_number"), "line_id": text("line_id"), "sku": text("sku"),
        "quantity": quantity, "unit": (text("unit") or m.default_unit).upper(), "carton_id": carton,
        "carton_sscc": sscc18(carton), "carton_weight": weight if weight is not None else None,
        "weight_unit": WEIGHT_UNITS.get(unit_text, unit_text) if weight is not None else None,
        "pallet_id": pallet, "pallet_sscc": sscc18(pallet), "isa13": "CSV", "gs06": "", "st02": "",
    }


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
