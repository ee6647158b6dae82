"""A planned shipment's lines as rows of one block of columns (schemas.shipment_records.ShippedLineBlock):
the ship planner makes no Python object per confirmation line, and the store writes shipment_lines from the
block's columns. Pinned here: the lines read as the tuples the planner made before (equal, hashed alike),
and the store writes the same shipment_lines rows from the block as from those tuples, in the same order;
records whose lines are not one block in order (tuples, a subset, another order) take the tuple path."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.state import _dtexts, _one_block, _shipped_line_columns, _shipped_line_rows
from engine.lifecycle.shipping import _shipped_by_shipment, _shipped_line_table
from rules.shipments import RESOLVED
from schemas.shipment_records import SHIPPED_LINE_FIELDS, ShipmentRecord, ShippedLine, ShippedLineBlock, ShippedLines
from schemas.shipments import SHIPMENT_LINES
from tests.test_shipment_columns import CASES, both_plans
from tests.test_state_shipping_rows import _line_rows


def _as_tuples(shipments) -> list[ShipmentRecord]:
    return [replace(r, lines=tuple(r.lines)) for r in shipments]


@pytest.mark.parametrize("name", list(CASES))
def test_a_plans_lines_are_one_block_written_as_their_tuples(monkeypatch, name):
    rows, structure, _columnar = CASES[name]
    new, old, _used = both_plans(monkeypatch, rows, structure=structure)
    if name == next(iter(CASES)):  # none held: every shipment planned at once, its lines rows of the block
        assert all(isinstance(r.lines, ShippedLines) for r in new.shipments + old.shipments)
    for plan in (new, old):
        if not plan.shipments:
            continue
        tuples = _as_tuples(plan.shipments)
        assert list(plan.shipments) == tuples and [hash(r) for r in plan.shipments] == [hash(r) for r in tuples]
        if all(isinstance(r.lines, ShippedLines) for r in plan.shipments):
            assert _one_block(plan.shipments) is not None
        assert _shipped_line_rows(plan.shipments, _dtexts()) == _shipped_line_rows(tuples, _dtexts()) \
            == _line_rows(tuples)
        if len(plan.shipments) > 1:  # a subset, or another order: not the block's rows in order
            for some in (plan.shipments[1:], plan.shipments[::-1]):
                assert _one_block(some) is None
                assert _shipped_line_rows(some, _dtexts()) == _line_rows(_as_tuples(some))


def _confirmations() -> pa.Table:
    """Confirmation lines of three shipments, one's rows apart, with stores, net weights, SKUs by item or
    not, blanks and nulls."""
    rows = [
        dict(shipment_id="S1", po_number="PO-1", line_number=1, line_id="1", item_sku="I-1", sku="SKU-1",
             quantity=Decimal("2.5000"), unit="EA", carton_id="C1", pallet_id="P1", row_number=2,
             mark_for_store="0101", net_weight=Decimal("12.5"), net_weight_unit="LB"),
        dict(shipment_id="S2", po_number="PO-2", line_number=3, line_id=None, item_sku="", sku="SKU-3",
             quantity=Decimal(4), unit=None, carton_id=None, row_number=3),
        dict(shipment_id="S1", po_number="PO-1", line_number=2, line_id="2", item_sku=None, sku=None,
             quantity=Decimal("1.2500"), unit="CS", carton_id="C2", row_number=4, mark_for_store=None,
             net_weight=None),
        dict(shipment_id="S3", po_number="PO-3", line_number=1, line_id="1", sku="SKU-1", quantity=Decimal(7),
             unit="EA", carton_id="C3", file_segment=5, mark_for_store="", net_weight=Decimal("0.5"),
             net_weight_unit=None),
    ]
    table = pa.table({f.name: pa.array([r.get(f.name) for r in rows], f.type) for f in SHIPMENT_LINES},
                     schema=SHIPMENT_LINES)
    for f in RESOLVED:  # the checks' columns (rules.shipments.check_shipments)
        table = table.append_column(f, pa.array([r.get(f.name) for r in rows], f.type))
    return table


def _expected_line(r: dict) -> ShippedLine:  # what the planner's rows made of a confirmation line
    return ShippedLine(r["po_number"], r["line_number"], r["line_id"] or "", r["item_sku"] or r["sku"] or "",
                       r["quantity"], r["unit"] or "", r["carton_id"] or "", r["pallet_id"] or "", r["row_number"],
                       r["file_segment"], r["mark_for_store"] or "", r["net_weight"], r["net_weight_unit"] or "")


@pytest.mark.parametrize("stores", [True, False])
@pytest.mark.parametrize("weights", [True, False])
def test_each_shipments_lines_in_row_order_the_shipments_as_first_seen(stores, weights):
    lines = _confirmations()
    if not stores:
        lines = lines.set_column(lines.schema.get_field_index("mark_for_store"), "mark_for_store",
                                 pa.nulls(lines.num_rows, pa.string()))
    if not weights:
        for name in ("net_weight", "net_weight_unit"):
            at = lines.schema.get_field_index(name)
            lines = lines.set_column(at, name, pa.nulls(lines.num_rows, lines.schema.field(at).type))
    shipped = _shipped_by_shipment(lines)
    rows = lines.to_pylist()
    assert list(shipped) == ["S1", "S2", "S3"]
    for sid, kept in shipped.items():
        mine = [r for r in rows if r["shipment_id"] == sid]
        assert kept.lines == tuple(map(_expected_line, mine)) and tuple(kept.lines) == kept.lines
        assert len(kept.lines) == len(mine) and kept.lines[-1] == _expected_line(mine[-1])
        assert (kept.po_number, kept.isa13) == (mine[0]["po_number"], mine[0]["isa13"])
    records = [ShipmentRecord("east", sid, "acme", date(2026, 11, 27), kept.lines) for sid, kept in shipped.items()]
    assert _one_block(records) is not None
    assert _shipped_line_rows(records, _dtexts()) == _line_rows(_as_tuples(records))
    text = [c for c in _shipped_line_columns(records, _dtexts())]
    assert text[8] == ["2.5", "1.25", "4", "7"]  # quantities as stored: exact, no trailing zeros
    assert text[14] == (["0101", None, None, None] if stores else [None] * 4)
    assert text[15] == (["12.5", None, None, "0.5"] if weights else [None] * 4)


def test_lines_of_a_block_equal_their_tuples_and_hash_alike():
    table = _shipped_line_table(_confirmations())
    block = ShippedLineBlock(table)
    assert table.column_names == list(SHIPPED_LINE_FIELDS)
    a, b = ShippedLines(block, 0, 2), ShippedLines(block, 2, 4)
    same = ShippedLines(ShippedLineBlock(table), 0, 2)
    assert a == same and a == tuple(a) and tuple(a) == a and hash(a) == hash(tuple(a)) and a != b
    assert len(a) == 2 and a[1] == block.lines()[1] and list(a) == list(block.lines()[:2]) and a[1:] == (a[1],)
    assert a != [*a]  # a list is no tuple: as a tuple compares
    assert ShippedLines(block, 4, 4) == ()


def test_a_blocks_shipments_are_stored_as_their_tuples_would_be(store_target):
    """On SQLite (columns, one-value columns as literals) and PostgreSQL (rows copied): the shipment_lines
    rows of a block's shipments, with their types, are those of the same shipments with tuples, and read
    back as the lines planned."""
    from connectors.state import SHIPPED_LINE_COLUMNS, StateStore
    from schemas.lifecycle import Plan

    shipped = _shipped_by_shipment(_confirmations())
    records = tuple(ShipmentRecord("east", sid, "acme", date(2026, 11, 27), kept.lines)
                    for sid, kept in shipped.items())
    assert _one_block(records) is not None
    store = StateStore(store_target())
    store.apply(Plan(shipments=records), at="2026-11-28T02:00:00", run_id="r1")
    stored = store._q(f"SELECT {', '.join(SHIPPED_LINE_COLUMNS)} FROM shipment_lines"
                      " ORDER BY warehouse, shipment_id, position")
    want = _shipped_line_rows(_as_tuples(records), _dtexts())
    assert [tuple(r) for r in stored] == want
    assert [tuple(map(type, r)) for r in stored] == [tuple(map(type, r)) for r in want]
    assert {r.shipment_id: r.lines for r in store.shipments()} == {r.shipment_id: r.lines for r in records}
    store.close()
