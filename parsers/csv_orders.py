"""CSV purchase orders (partners without EDI) -> the canonical ORDERS and ORDER_LINES tables
(schemas.orders), so they pass the same rule suites and allocation as 850s.

The partner profile's CsvOrderMapping names the columns (header text), the encoding, separators and
date format. Several rows with one PO number are one order (rows of a PO need not be adjacent);
order-level values come from its first row, and a later row that disagrees is a warning. A row with
a missing or unreadable value (PO, quantity, price, date) is a finding at its row and column, and its
whole PO is left out (as an 850 set in error is): no partial orders. Lineage, stable and documented:
isa13 = "CSV", gs06 = "1", st02 = the PO's first row number (4 digits at least), so order_ref =
"CSV-1-0002"; segment_position and file_segment of a line = its row number (header = 1); version
"CSV"; purpose "00", order_type "SA".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from parsers.csv_common import CsvRows, parse_date, parse_decimal, read_rows
from schemas.findings import Finding
from schemas.fulfilment import CsvOrderMapping
from schemas.orders import ORDER_LINES, ORDERS, PRODUCT_QUALIFIERS

_FIELDS = ("po_number", "po_date", "line_id", "quantity", "unit", "unit_price", "upc", "gtin", "vendor_part",
           "buyer_part", "description", "currency", "requested_ship_date", "requested_delivery_date", "ship_to_id",
           "ship_to_name", "ship_to_address1", "ship_to_city", "ship_to_state", "ship_to_postal_code",
           "ship_to_country")
_REQUIRED = ("po_number", "quantity")
_ORDER_LEVEL = ("po_date", "currency", "requested_ship_date", "requested_delivery_date", "ship_to_id", "ship_to_name",
                "ship_to_address1", "ship_to_city", "ship_to_state", "ship_to_postal_code", "ship_to_country")
_QUALIFIER = {"upc": "UP", "gtin": "UK", "vendor_part": "VN", "buyer_part": "BP"}


@dataclass(slots=True)
class CsvOrders:
    orders: pa.Table  # ORDERS
    lines: pa.Table  # ORDER_LINES
    findings: list[Finding] = field(default_factory=list)
    rejected: tuple[str, ...] = ()  # PO numbers left out because one of their rows is bad


def read_csv_orders(data: bytes, mapping: CsvOrderMapping, *, partner: str, file: str = "",
                    source_sha256: str = "") -> CsvOrders:
    rows = read_rows(data, mapping, {f: getattr(mapping, f) for f in _FIELDS}, required=_REQUIRED, file=file)
    groups: dict[str, list[tuple[int, dict]]] = {}
    bad: set[str] = set()
    for number, fields in rows.rows:
        po = rows.cell(fields, "po_number")
        value = _row(rows, number, fields, mapping)
        if not po:
            continue  # reported by _row
        groups.setdefault(po, [])
        if value is None:
            bad.add(po)
        else:
            groups[po].append((number, value))
    orders, lines = [], []
    for po, members in groups.items():
        if po in bad or not members:
            continue
        first_row, head = members[0]
        _consistent(rows, po, members)
        st02 = f"{first_row:04d}"
        lineage = dict(source_file=file, source_sha256=source_sha256, isa13="CSV", gs06="1", st02=st02)
        order_ref = f"CSV-1-{st02}"
        orders.append({"partner": partner, "order_ref": order_ref, "po_number": po, "purpose": "00",
                       "order_type": "SA", "version": "CSV", "po_date": head["po_date"], "currency": head["currency"],
                       "requested_ship_date": head["requested_ship_date"],
                       "requested_delivery_date": head["requested_delivery_date"],
                       **{k: head[k] for k in _ORDER_LEVEL if k.startswith("ship_to_")},
                       "ship_to_id_qualifier": "92" if head["ship_to_id"] else None,  # the buyer's own code
                       "line_count": len(members), "st_file_segment": first_row, **lineage})
        for n, (number, v) in enumerate(members, start=1):
            ids = [{"qualifier": q, "id": v[name]} for name, q in _QUALIFIER.items() if v[name]]
            product = {col: None for col in dict.fromkeys(PRODUCT_QUALIFIERS.values())}
            for name in _QUALIFIER:
                product[name] = v[name]
            lines.append({"partner": partner, "order_ref": order_ref, "po_number": po, "line_number": n,
                          "line_id": v["line_id"] or str(n), "quantity": v["quantity"], "unit": v["unit"],
                          "unit_price": v["unit_price"], "price_basis": "PE" if v["unit_price"] is not None else None,
                          **product, "product_ids": ids, "description": v["description"], **lineage,
                          "segment_position": number, "file_segment": number})
    findings = sorted(rows.findings, key=lambda f: f.location.row or 0)
    return CsvOrders(_table(orders, ORDERS), _table(lines, ORDER_LINES), findings, tuple(sorted(bad)))


def _row(rows: CsvRows, number: int, fields: list[str], m: CsvOrderMapping) -> dict | None:
    def text(name: str) -> str | None:
        return rows.cell(fields, name) or None

    ok = True
    for name in _REQUIRED:
        if not text(name):
            rows.problem("CSV_VALUE_MISSING", f"Row {number} has no {rows.header_names.get(name, name)!r}.", number,
                         name)
            ok = False
    out: dict = {name: text(name) for name in _FIELDS}
    for name in ("quantity", "unit_price"):
        if out[name] is not None:
            value = parse_decimal(out[name], m)
            if value is None:
                rows.problem("CSV_NUMBER_INVALID", f"{out[name]!r} is not a number (at most 4 decimals).", number,
                             name, out[name])
                ok = False
            out[name] = value
    for name in ("po_date", "requested_ship_date", "requested_delivery_date"):
        if out[name] is not None:
            value = parse_date(out[name], m)
            if value is None:
                rows.problem("CSV_DATE_INVALID", f"{out[name]!r} does not match {m.date_format!r}.", number, name,
                             out[name])
                ok = False
            out[name] = value
    out["unit"] = (out["unit"] or m.default_unit).upper()
    if out["currency"]:
        out["currency"] = out["currency"].upper()
    return out if ok else None


def _consistent(rows: CsvRows, po: str, members: list[tuple[int, dict]]) -> None:
    head = members[0][1]
    for number, v in members[1:]:
        for name in _ORDER_LEVEL:
            if v[name] is not None and head[name] is not None and v[name] != head[name]:
                rows.problem("CSV_ORDER_INCONSISTENT", f"PO {po}: {name} {v[name]!s} here, {head[name]!s} on row "
                             f"{members[0][0]}.", number, name, str(v[name]))


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.table({f.name: pa.array([r.get(f.name) for r in rows], f.type) for f in schema}, schema=schema)

