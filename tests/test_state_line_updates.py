"""Plan.line_updates (the invoice stage's lines): a line's state, invoiced units and run set in place,
nothing else of it nor of the order's other lines; a line that is not stored rolls the whole plan
back (StateConflict). On SQLite and on PostgreSQL (the store_target fixture)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.state import StateConflict, StateStore
from engine.lifecycle.table import create
from schemas.lifecycle import LineRecord, LineState, OrderLines, OrderRecord, OrderState, Plan

AT = "2026-11-27T02:00:00"


def stored_order(store: StateStore) -> None:
    record = OrderRecord("acme", "PO-1", OrderState.RECEIVED, order_ref="1-1-1", lines_key="k")
    lines = tuple(LineRecord("acme", "PO-1", n, LineState.SHIPPED, line_id=str(n), sku=f"SKU-{n}", ordered=Decimal(4),
                             unit="EA", unit_price=Decimal("2.5"), allocated=4, shipped=Decimal(4), run_id="r1")
                  for n in (1, 2))
    store.apply(Plan(transitions=(create(record, at=AT, run_id="r1", note="received"),),
                     lines=(OrderLines("acme", "PO-1", lines),)), run_id="r1")


def test_line_updates_set_the_billing_columns_in_place(store_target):
    store = StateStore(store_target())
    stored_order(store)
    before = store.order_lines("acme", "PO-1")
    store.apply(Plan(line_updates=(("acme", "PO-1", 2, LineState.INVOICED.value, "4", "r2"),)), run_id="r2")
    one, two = store.order_lines("acme", "PO-1")
    assert one == before[0]
    assert two == LineRecord(**{**{f: getattr(before[1], f) for f in before[1].__slots__},
                                "state": LineState.INVOICED, "invoiced": Decimal(4), "run_id": "r2"})


def test_a_line_update_of_a_line_not_stored_writes_nothing(store_target):
    store = StateStore(store_target())
    stored_order(store)
    before = store.order_lines("acme", "PO-1")
    with pytest.raises(StateConflict):
        store.apply(Plan(line_updates=(("acme", "PO-1", 1, LineState.INVOICED.value, "4", "r2"),
                                       ("acme", "PO-1", 3, LineState.INVOICED.value, "1", "r2"))), run_id="r2")
    assert store.order_lines("acme", "PO-1") == before
