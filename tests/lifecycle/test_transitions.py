"""The transition table and the one way an order moves (engine.lifecycle.table), pure."""

from __future__ import annotations

import pytest

from engine import lifecycle
from engine.lifecycle.table import TransitionRefused, create, move, moves
from schemas.lifecycle import Clock, EventKind, OrderState
from tests.lifecycle.helpers import AT, RUN, record


def test_move_follows_the_table_and_records_one_event():
    held = record(OrderState.HELD)
    t = move(held, EventKind.APPROVED_BY_PERSON, at=AT, run_id="", clock=Clock.WALL, actor="Dana", note="ok")
    assert (t.expect_state, t.expect_revision, t.record.state) == (OrderState.HELD, 1, OrderState.APPROVED)
    [e] = t.events
    assert (e.event, e.from_state, e.to_state, e.clock, e.actor) == (
        EventKind.APPROVED_BY_PERSON, OrderState.HELD, OrderState.APPROVED, Clock.WALL, "Dana")
    assert held.state == OrderState.HELD  # records are values: the old one is untouched


@pytest.mark.parametrize("state,event", [
    (OrderState.ACKNOWLEDGED, EventKind.APPROVED_BY_PERSON),  # only a held order can be approved
    (OrderState.CANCELLED, EventKind.ACKNOWLEDGED),
    (OrderState.SHIPPED, EventKind.PO_REPLACED),
    (OrderState.REJECTED, EventKind.CHANGE_APPLIED),
    (OrderState.HELD, EventKind.ACKNOWLEDGED),  # a held order is answered only after a person or a recheck
])
def test_an_illegal_transition_is_refused_not_overwritten(state, event):
    with pytest.raises(lifecycle.TransitionRefused):
        move(record(state), event, at=AT, run_id=RUN)


def test_create_enters_as_received_and_asks_for_an_arrival_number():
    t = create(record(OrderState.RECEIVED, arrival=0), at=AT, run_id=RUN, note="received in f")
    assert t.expect_state is None and t.record.state == OrderState.RECEIVED and t.new_arrival
    assert t.events[0].event == EventKind.PO_RECEIVED and t.events[0].from_state is None


def test_every_state_and_event_is_reachable_or_documented_as_room():
    targets = set(lifecycle.TRANSITIONS.values())
    sources = {s for s, _ in lifecycle.TRANSITIONS if s is not None}
    room = set(lifecycle.SHIPPING)
    assert set(OrderState) - room <= targets | {OrderState.RECEIVED}
    assert set(OrderState) - room <= sources
    assert {e for _, e in lifecycle.TRANSITIONS} == set(EventKind)


def test_isolated_turns_a_failure_into_the_orders_hold():
    rec = record(OrderState.RECEIVED)

    def boom():
        raise RuntimeError("a bug while planning")

    plan = lifecycle.isolated(rec, boom, at=AT, run_id=RUN, stage="decide")
    [t] = plan.transitions
    assert t.record.state == OrderState.HELD and t.record.hold_codes == ("ORDER_DECISION_FAILED",)
    assert [fr.finding.code for fr in plan.findings] == ["ORDER_DECISION_FAILED"]
    assert plan.findings[0].consequence == "order held for ops"


def test_isolated_turns_a_refused_transition_into_a_finding_and_leaves_the_order():
    rec = record(OrderState.CANCELLED)
    plan = lifecycle.isolated(rec, lambda: lifecycle.Plan(transitions=(move(rec, EventKind.ACKNOWLEDGED, at=AT,
                                                                             run_id=RUN),)),
                              at=AT, run_id=RUN, stage="decide")
    assert plan.transitions == () and [fr.finding.code for fr in plan.findings] == ["ORDER_TRANSITION_REFUSED"]


def test_a_plan_with_a_line_twice_fails_for_its_order_only():
    from schemas.lifecycle import LineRecord, LineState, OrderLines, Plan

    rec = record(OrderState.RECEIVED)
    twice = (LineRecord("acme", "PO-1", 1, LineState.RECEIVED), LineRecord("acme", "PO-1", 1, LineState.RECEIVED))
    plan = lifecycle.isolated(rec, lambda: Plan(lines=(OrderLines("acme", "PO-1", twice),)), at=AT, run_id=RUN,
                              stage="decide")
    assert plan.lines == () and plan.findings[0].finding.code == "ORDER_DECISION_FAILED"


def test_moves_stores_what_move_after_move_stores():
    """Several events in a row as one transition: the last move's record and every move's event."""
    received = record(OrderState.RECEIVED)
    first = move(received, EventKind.ALLOCATED, at=AT, run_id=RUN, note="5 units allocated")
    last = move(first.record, EventKind.ACKNOWLEDGED, at=AT, run_id=RUN, actor="Dana", note="855 AC",
                document_key="855:PO-1", ack_type="AC", answered_revision=1, revision=2)
    t = moves(received, [(EventKind.ALLOCATED, "system", "5 units allocated", ""),
                         (EventKind.ACKNOWLEDGED, "Dana", "855 AC", "855:PO-1")],
              at=AT, run_id=RUN, ack_type="AC", answered_revision=1, revision=2)
    assert (t.record, t.expect_state, t.expect_revision) == (last.record, OrderState.RECEIVED, 1)
    assert t.events == first.events + last.events
    assert moves(received, [(EventKind.REJECTED, "system", "no", "")], at=AT, run_id=RUN) == move(
        received, EventKind.REJECTED, at=AT, run_id=RUN, note="no")
    with pytest.raises(TransitionRefused):  # each step from the state the one before left
        moves(received, [(EventKind.REJECTED, "system", "", ""), (EventKind.ACKNOWLEDGED, "system", "", "")],
              at=AT, run_id=RUN)
