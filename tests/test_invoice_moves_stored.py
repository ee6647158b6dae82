"""The invoice stage's order moves as columns (engine.lifecycle.billing.plan_invoices' Plan.decided),
stored: the order row and its history are what move() after move(), written whole, stores (kept out
of tests/lifecycle, whose tests need no SQLite)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.state import StateStore
from engine.lifecycle.table import move
from schemas.lifecycle import EventKind, OrderState, OrderTransition, Plan
from tests.lifecycle.helpers import RUN, record
from tests.lifecycle.test_billing_columns import CASES, KEY, plan_of


@pytest.mark.parametrize("case", ["two shipments of one line in one run", "per shipment, partial",
                                  "per order, shipped complete"])
def test_the_810s_order_moves_stored_as_columns_are_what_move_stores(monkeypatch, tmp_path, case):
    """plan_invoices moves each order as columns (Plan.decided: its state set in place, an event per
    810): stored, the order row and its history are what move() after move(), written whole, store -
    two 810s of one order in one run chaining (in part, then in full), every other column kept."""
    kw = CASES[case]
    plan, _, _ = plan_of(monkeypatch, text=True, **kw)
    state = kw.get("state", OrderState.PARTIALLY_SHIPPED)
    stored = record(state, lines_key="k", answered_revision=1, value=Decimal("27.50"), codes=("C1", "C2"),
                    hold_codes=("H1",), hold_reasons=("a reason, quoted \"so\"",), ack_type="AC", answered_with="855",
                    changed_lines=(2,), received_at="2026-11-26T02:00:00")
    assert plan.transitions == () and len(plan.decided) == 1
    events = plan.decided[0].events.to_pylist()
    assert len(events) == len(plan.invoices) >= 1
    chain, current = [], stored
    for e in events:
        chain.append(move(current, EventKind(e["event"]), at=e["at"], run_id=e["run_id"], note=e["note"],
                          document_key=e["document_key"]))
        current = chain[-1].record
    outcome = {}
    for name, moves in (("columns", Plan(decided=plan.decided)), ("records", Plan(transitions=tuple(chain)))):
        store = StateStore(tmp_path / f"{name}.sqlite")
        store.apply(Plan(transitions=(OrderTransition(stored, None, None),)), run_id="r0")
        store.apply(moves, run_id=RUN)
        outcome[name] = (store.order(*KEY), [{k: v for k, v in e.items() if k != "seq"}
                                             for e in store.order_history(*KEY)])
        store.close()
    assert outcome["columns"] == outcome["records"]
    assert outcome["columns"][0] == current and len(outcome["columns"][1]) == len(events)
