"""StateStore.release_orders: the orders keyed as a later release of a PO (schemas.order_keys), of one
partner or of all, found by one look over the keys (LIKE with the separator as a parameter: the same SQL
on SQLite and on PostgreSQL); a key that only looks alike is not one. On SQLite and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

from connectors.state import StateStore
from engine.lifecycle import intake
from engine.lifecycle.table import create
from schemas.lifecycle import Plan
from schemas.order_keys import release_key
from tests.lifecycle.helpers import AT, RUN, outcome_of, po, transitions


def test_release_orders_are_found_by_their_keys_on_both_backends(store_target):
    [t] = transitions(intake.plan_intake(outcome_of(po(number="PO-1")), partner="acme", live={}, lines={}, at=AT,
                                         run_id=RUN))
    keys = [("acme", "PO-1"), ("acme", release_key("PO-1", "2")), ("acme", "PO-1 2"), ("acme", "PO-12"),
            ("globex", release_key("PO-1", "3")), ("acme", release_key("Q_%", "x"))]
    store = StateStore(store_target())
    try:
        store.apply(Plan(transitions=tuple(create(replace(t.record, partner=p, po_number=k), at=AT, run_id=RUN)
                                           for p, k in keys)), run_id=RUN)
        assert [r.po_number for r in store.release_orders("acme")] == [release_key("PO-1", "2"),
                                                                        release_key("Q_%", "x")]
        assert [(r.partner, r.po_number) for r in store.release_orders()] == [
            ("acme", release_key("PO-1", "2")), ("acme", release_key("Q_%", "x")), ("globex", release_key("PO-1", "3"))]
        assert store.release_orders("initech") == []
    finally:
        store.close()
