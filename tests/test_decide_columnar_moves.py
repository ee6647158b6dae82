"""The decide stage moves an order answered by its 855 alone as columns (Plan.decided, built by
engine.lifecycle.decisions without an OrderTransition per order); every other order (held, CSV
acknowledgment, an 860 to answer, a failed decision) through the per-order path. Both paths store the
same orders and history events, numbered in decision order; a decided order no longer in its expected
state is a StateConflict and nothing is written (on SQLite and on PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pytest

from connectors.local import LocalDrop
from connectors.reference import load_reference
from connectors.state import StateConflict, StateStore
from engine.lifecycle import decisions
from engine.lifecycle.table import create, move
from schemas.lifecycle import EventKind, OrderRecord, OrderState, Plan
from tests.support import make_workspace

NIGHT = datetime(2026, 11, 27, 2)
PARTNERS = ("acme", "globex", "initech", "umbrella")


def _decided(root, partners=PARTNERS) -> tuple[list, list, list]:
    """Intake and decide of the demo drops: the stored orders, history events and document sets."""
    from flows import steps

    ws = make_workspace(root, partners)
    state = StateStore(ws.state_url)
    profiles = ws.partners()
    for pid in sorted(profiles):
        steps.intake_partner(ws, profiles[pid], state, LocalDrop(ws.drop_root / pid), now=NIGHT, run_id="n1")
    steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir), steps.load_inventory(ws, NIGHT.date()),
                     now=NIGHT, run_id="n1", use_gx=False)
    rows = (state._q("SELECT * FROM orders ORDER BY partner, po_number"), state._q("SELECT * FROM order_events ORDER"
            " BY seq"), state._q("SELECT partner, doc_key, document_id, st02 FROM document_sets ORDER BY 1, 2"))
    state.close()
    return tuple([tuple(r) for r in part] for part in rows)


def _per_order(monkeypatch) -> None:
    monkeypatch.setattr(decisions._Batch, "_plain", lambda self, d, record, rejected: False)


def test_columnar_and_per_order_moves_store_the_same_orders_and_events(tmp_path, monkeypatch):
    columnar = _decided(tmp_path / "columnar")
    events = {e[5] for e in columnar[1]}
    assert {"acknowledged", "allocated", "held", "rejected"} <= events  # both paths in one batch
    _per_order(monkeypatch)
    assert _decided(tmp_path / "per-order") == columnar


def test_a_failed_decision_keeps_its_place_among_the_others(tmp_path, monkeypatch):
    real = decisions.render_855s

    def poisoned(heads, *args, **kw):
        if any(h["po_number"] == "GLOBEX-2000" for h in heads):
            raise RuntimeError("injected")
        return real(heads, *args, **kw)

    monkeypatch.setattr(decisions, "render_855s", poisoned)
    columnar = _decided(tmp_path / "columnar", ("acme", "globex"))
    assert "decision_failed" in {e[5] for e in columnar[1]}
    _per_order(monkeypatch)
    assert _decided(tmp_path / "per-order", ("acme", "globex")) == columnar


def test_decided_orders_stand_for_their_transitions(store_target):
    record = OrderRecord("acme", "PO-1", OrderState.RECEIVED, order_ref="r", lines_key="k", source_file="f.x12")
    stores = {}
    for name in ("objects", "columns"):
        store = StateStore(store_target(name))
        store.apply(Plan(transitions=(create(record, at="2026-11-26T02:00:00", run_id="r0"),)))
        held = move(store.order("acme", "PO-1"), EventKind.HELD, at="2026-11-27T02:00:00", run_id="r1",
                    note="held: why", hold_codes=("CODE",), hold_reasons=("why, and how",), codes=("CODE",))
        columns = Plan(decided=(decisions._in_order(decisions.decided_orders([held])),))
        store.apply(Plan(transitions=(held,)) if name == "objects" else columns)
        stores[name] = (store._q("SELECT * FROM orders"), store._q("SELECT * FROM order_events ORDER BY seq"))
        with pytest.raises(StateConflict):  # no longer received: nothing written
            store.apply(columns)
        assert (store._q("SELECT * FROM orders"), store._q("SELECT * FROM order_events ORDER BY seq")) == \
            stores[name]
        store.close()
    assert stores["objects"] == stores["columns"]
