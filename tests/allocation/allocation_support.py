"""Small builders for allocation tests: in-memory Arrow lines, snapshots and receipts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa

from schemas.inventory import ALLOCATION_INPUT, EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT, RESERVATIONS

AS_OF = date(2024, 3, 1)
TODAY = date(2024, 3, 1)


def lines(*rows: dict) -> pa.Table:
    """Order lines; each row needs partner, sku, quantity; the rest has defaults."""
    out = []
    for i, row in enumerate(rows):
        full = {
            "partner": "ACME",
            "order_ref": f"O{i:04d}",
            "po_number": f"PO{i:04d}",
            "line_number": 1,
            "requested_ship_date": None,
            "po_date": date(2024, 2, 1),
            "arrival": i,
            "case_pack": None,
        }
        full.update(row)
        full["quantity"] = None if full["quantity"] is None else Decimal(str(full["quantity"]))
        out.append(full)
    return pa.Table.from_pylist(out, schema=ALLOCATION_INPUT)


def snapshot(
    stock: dict[tuple[str, str], int], reserved: dict[tuple[str, str], int] | None = None
) -> pa.Table:
    reserved = reserved or {}
    rows = [
        {"as_of": AS_OF, "warehouse": w, "sku": s, "on_hand": q, "reserved": reserved.get((w, s), 0)}
        for (w, s), q in stock.items()
    ]
    return pa.Table.from_pylist(rows, schema=INVENTORY_SNAPSHOT)


def receipts(*rows: tuple[str, str, int, date]) -> pa.Table:
    return pa.Table.from_pylist(
        [{"warehouse": w, "sku": s, "quantity": q, "eta": eta} for w, s, q, eta in rows],
        schema=EXPECTED_RECEIPTS,
    )


def reservations(*rows: tuple[str, str, int]) -> pa.Table:
    return pa.Table.from_pylist(
        [{"warehouse": w, "sku": s, "quantity": q} for w, s, q in rows], schema=RESERVATIONS
    )


def rows(result_table: pa.Table) -> list[dict]:
    """Rows with whole quantities as ints, for readable assertions."""
    out = []
    for row in result_table.to_pylist():
        for key in ("ordered", "allocated", "backordered", "rejected"):
            if row[key] == int(row[key]):
                row[key] = int(row[key])
        out.append(row)
    return out


def totals(result_table: pa.Table) -> dict[tuple[str, str, int], dict[str, int]]:
    """Per line (partner, order_ref, line_number): summed quantities."""
    out: dict = {}
    for row in rows(result_table):
        key = (row["partner"], row["order_ref"], row["line_number"])
        acc = out.setdefault(key, {"ordered": 0, "allocated": 0, "backordered": 0, "rejected": 0})
        for k in acc:
            acc[k] += row[k]
    return out
