"""Plan.received_orders through the state store: the orders and PO_RECEIVED events stored are those
table.create's transitions of the same orders store (arrivals and event numbers in row order); a PO
already stored is a StateConflict and nothing is written. On SQLite and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import pytest

from connectors.state import StateConflict, StateStore
from engine.lifecycle import intake
from schemas.lifecycle import Plan
from tests.lifecycle.helpers import AT, RUN, outcome_of, po, transitions


def _file():
    return outcome_of(po(number="PO-1"), [s for s in po(number="PO-2") if not s.startswith("CUR")],
                      po(number="PO-3"))


def _plan(out, run_id: str = RUN) -> Plan:
    """plan_intake's plan for ``out`` without its 997 (no renderer here)."""
    return replace(intake.plan_intake(out, partner="acme", live={}, lines={}, at=AT, run_id=run_id), documents=())


def _rows(store: StateStore) -> tuple[list, list]:
    orders = store._q("SELECT * FROM orders ORDER BY arrival")
    events = store._q("SELECT * FROM order_events ORDER BY seq")
    return [tuple(r) for r in orders], [tuple(r) for r in events]


def test_received_orders_store_what_their_transitions_store(store_target):
    p = _plan(_file())
    assert [t.num_rows for t in p.received_orders] == [3] and p.transitions == ()
    columnar, per_order = StateStore(store_target("a")), StateStore(store_target("b"))
    for store in (columnar, per_order):  # an order and an event already numbered: numbers go on from them
        store.apply(Plan(transitions=tuple(transitions(_plan(outcome_of(po(number="PO-0"), isa13=7), "r0")))))
    columnar.apply(p, run_id=RUN)
    per_order.apply(Plan(transitions=tuple(transitions(p))), run_id=RUN)
    orders, events = _rows(columnar)
    assert (orders, events) == _rows(per_order)
    assert [o[1] for o in orders] == ["PO-0", "PO-1", "PO-2", "PO-3"] and len(events) == 4
    assert [o[16] for o in orders] == ["USD", "USD", "", "USD"]  # currency: "" where the 850 has no CUR
    for store in (columnar, per_order):
        store.close()


def test_a_received_order_already_stored_is_a_conflict_and_nothing_is_written(store_target):
    store = StateStore(store_target())
    p = _plan(_file())
    store.apply(Plan(transitions=tuple(transitions(p)[1:2])), run_id=RUN)  # PO-2 is there already
    before = _rows(store)
    with pytest.raises(StateConflict, match="PO-2 exists"):
        store.apply(p, run_id=RUN)
    assert _rows(store) == before
    store.close()
