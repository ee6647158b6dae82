"""Approve, reject and recheck (engine.lifecycle.people), pure."""

from __future__ import annotations

import pytest

from engine import lifecycle
from engine.decide import ACCEPTED, PENDING, OrderDecision
from schemas.lifecycle import Clock, EventKind, OrderState
from tests.lifecycle.helpers import AT, record


def test_approve_a_held_order_records_who_when_and_why():
    p = lifecycle.plan_person_decision(record(OrderState.HELD), "approved", by="Dana", note="promo", at=AT)
    [t] = p.transitions
    assert t.record.state == OrderState.APPROVED
    assert (t.record.person.by, t.record.person.reason, t.record.person.at) == ("Dana", "promo", AT)
    assert (t.events[0].clock, t.events[0].actor) == (Clock.WALL, "Dana")


def test_reject_a_held_order():
    p = lifecycle.plan_person_decision(record(OrderState.HELD), "rejected", by="Lee", note="credit", at=AT)
    assert p.transitions[0].record.state == OrderState.REJECTED_BY_PERSON


def test_only_a_held_order_can_be_decided_by_a_person():
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.plan_person_decision(record(OrderState.ACKNOWLEDGED), "approved", by="Dana", note="", at=AT)


def test_recheck_clears_or_keeps_the_hold():
    a = record(OrderState.HELD, hold_codes=("SHIP_TO_UNKNOWN",), hold_reasons=("ship-to unknown",))
    b = record(OrderState.HELD, po_number="PO-2", hold_codes=("CREDIT_LIMIT_EXCEEDED",))
    decisions = [OrderDecision("acme", "PO-1", "r", "f", ACCEPTED),
                 OrderDecision("acme", "PO-2", "r", "f", PENDING, codes=("CREDIT_LIMIT_EXCEEDED",),
                               reasons=("over the limit",))]
    p = lifecycle.plan_recheck({a.key: a, b.key: b}, decisions, at=AT, by="ops")
    cleared, still = p.transitions
    assert (cleared.record.state, cleared.record.hold_codes, cleared.events[0].event) == (
        OrderState.RECEIVED, (), EventKind.RECHECK_CLEARED)
    assert "ship-to unknown" in cleared.events[0].note
    assert (still.record.state, still.record.hold_reasons, still.events[0].event) == (
        OrderState.HELD, ("over the limit",), EventKind.RECHECK_HELD)


def test_the_person_decisions_the_rules_respect():
    approved = lifecycle.plan_person_decision(record(OrderState.HELD), "approved", by="Dana", note="",
                                              at=AT).transitions[0].record
    assert lifecycle.person_decisions([approved, record(OrderState.HELD, po_number="PO-2")]) == {
        ("acme", "PO-1"): approved.person}
