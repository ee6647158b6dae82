"""The decide plan's reservation rows (engine.lifecycle.decisions): one per line and warehouse, sorted;
a line and warehouse the allocation gives twice is summed under the last row's SKU."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pyarrow as pa

from engine.lifecycle.decisions import _Batch, _repeats
from schemas.lifecycle import OrderRecord, OrderState


def _rows(lines: list[int], warehouses: list[str], skus: list[str], units: list[int]) -> list[dict]:
    n = len(lines)
    allocation = pa.table({"order_ref": ["acme|PO-1"] * n, "partner": ["acme"] * n, "po_number": ["PO-1"] * n,
                           "line_number": pa.array(lines, pa.int64()), "warehouse": warehouses, "sku": skus,
                           "allocated": pa.array([Decimal(u) for u in units], pa.decimal128(18, 4))})
    ctx = SimpleNamespace(records={("acme", "PO-1"): OrderRecord("acme", "PO-1", OrderState.RECEIVED)}, reserved={})
    order = SimpleNamespace(partner="acme", po_number="PO-1")
    return _Batch(ctx, [])._reservation_rows([order], allocation, [False]).rows.to_pylist()


def _row(line: int, warehouse: str, sku: str, quantity: int) -> dict:
    return {"partner": "acme", "po_number": "PO-1", "line_number": line, "warehouse": warehouse, "sku": sku,
            "quantity": quantity}


def test_distinct_lines_and_warehouses_come_sorted():
    assert _rows([2, 1, 1], ["EAST", "WEST", "EAST"], ["B", "A2", "A1"], [4, 2, 3]) == [
        _row(1, "EAST", "A1", 3), _row(1, "WEST", "A2", 2), _row(2, "EAST", "B", 4)]


def test_a_line_and_warehouse_twice_is_summed_under_the_last_sku():
    assert _rows([1, 2, 1], ["EAST", "EAST", "EAST"], ["A", "B", "A2"], [2, 1, 3]) == [
        _row(1, "EAST", "A2", 5), _row(2, "EAST", "B", 1)]


def test_repeats_sees_equal_neighbours_and_nulls():
    table = pa.table({"a": ["x", "x", "y"], "b": pa.array([1, 2, 2])})
    assert not _repeats(table, ["a", "b"]) and _repeats(table, ["b"])
    assert _repeats(pa.table({"a": pa.array([None, None], pa.string())}), ["a"])
    assert not _repeats(table.slice(0, 1), ["a"])
