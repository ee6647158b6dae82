"""The decide plan's ALLOCATED note figures (engine.lifecycle.decisions._Batch._units): per order, whole
units allocated, backordered and not placeable, and its distinct lines; a line the allocation splits
over warehouses (two rows) counts once, whether the rows come in line order or not."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from engine.lifecycle.decisions import _Batch


def _units(rows: list[tuple[str, int, str, str, str]]) -> dict:
    """rows: (order_ref, line_number, allocated, backordered, rejected)."""
    money = pa.decimal128(18, 4)
    allocation = pa.table({
        "order_ref": [r[0] for r in rows], "line_number": pa.array([r[1] for r in rows], pa.int32()),
        **{c: pa.array([Decimal(r[i]) for r in rows], money)
           for i, c in enumerate(("allocated", "backordered", "rejected"), start=2)}})
    return _Batch(None, [])._units(allocation)


def test_one_row_per_line_in_order():
    assert _units([("a|1", 1, "2.5", "0", "0"), ("a|1", 2, "3", "1", "0"), ("b|2", 1, "0", "0", "4")]) == {
        "a|1": (5, 1, 0, 2), "b|2": (0, 0, 4, 1)}


@pytest.mark.parametrize("rows", [
    # a line split over two warehouses: its two rows side by side, then out of line order
    [("a|1", 1, "2", "0", "0"), ("a|1", 1, "3", "0", "0"), ("a|1", 2, "1", "1", "0")],
    [("a|1", 2, "1", "1", "0"), ("a|1", 1, "2", "0", "0"), ("a|1", 1, "3", "0", "0")],
    [("a|1", 1, "2", "0", "0"), ("a|1", 2, "1", "1", "0"), ("a|1", 1, "3", "0", "0")],
])
def test_a_line_on_two_rows_counts_once(rows):
    assert _units(rows) == {"a|1": (6, 1, 0, 2)}
