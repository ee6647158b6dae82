"""engine.lifecycle.backorders.plan_deadlines: the decide stage's backorder step's deadline check, pure (no state
store, no flow; it used to be decided in flows.shipments.backorder_step): past a backordered line's last date, a
partner whose late_backorder is "reject" has the backorder cancelled and the order offered nothing more; one that
promises keeps it, warned once (to_warn); an order not in a shippable state (an 860 raised it after shipment and its
added lines wait for their decision) is left to the next night; a window that opens later is held (not for the
orders an 860 raised in this run)."""

from __future__ import annotations

from datetime import date

from engine.lifecycle.backorders import Deadlines, Passed, plan_deadlines, to_warn
from engine.lifecycle.common import check_plan
from schemas.lifecycle import EventKind, LineRecord, LineState, OrderRecord, OrderState
from tests.lifecycle.helpers import acme

TODAY, AT, RUN = date(2026, 12, 7), "2026-12-07T02:00:00", "r9"
PAST, LATER = date(2026, 12, 5), date(2026, 12, 20)


def _profiles():
    p = acme()
    promising = p.model_copy(update={"allocation": p.allocation.model_copy(update={"late_backorder": "promise"})})
    return {"acme": p, "globex": promising}


def _order(po, partner="acme", state=OrderState.ACKNOWLEDGED):
    return OrderRecord(partner, po, state, source_file="po.x12", isa13="1", gs06="1", st02="0001")


def _lines(po, partner="acme"):
    return (LineRecord(partner, po, 1, LineState.ALLOCATED, line_id="1", sku="A", ack="IA", allocated=5),
            LineRecord(partner, po, 2, LineState.BACKORDERED, line_id="2", sku="B", ack="IB", backordered=4))


def _check(orders, dates, line_dates=None, fresh=()):
    return plan_deadlines(orders, dates=dates, line_dates=line_dates or {},
                          lines={r.key: _lines(r.po_number, r.partner) for r in orders}, profiles=_profiles(),
                          today=TODAY, at=AT, run_id=RUN, fresh=fresh)


def test_past_its_date_a_rejecting_partner_s_backorder_is_cancelled_and_offered_nothing():
    orders = [_order("R1"), _order("NOTYET")]
    got = _check(orders, {("acme", "R1"): {"cancel_after": PAST}, ("acme", "NOTYET"): {"cancel_after": LATER}})
    check_plan(got.expired)
    [t] = got.expired.transitions
    assert (t.record.key, t.events[0].event) == (("acme", "R1"), EventKind.BACKORDER_EXPIRED)
    one, two = got.expired.lines[0].lines
    assert (one.allocated, two.backordered, two.rejected, two.state) == (5, 0, 4, LineState.REJECTED)
    assert [r.po_number for r in got.waiting] == ["NOTYET"] and got.promising == {}
    assert [f.finding.code for f in got.expired.findings] == ["BACKORDER_AFTER_CANCEL"]


def test_a_promising_partner_keeps_its_backorder_and_is_warned_once():
    key = ("globex", "P1")
    got = _check([_order("P1", "globex")], {key: {"cancel_after": PAST}})
    assert not got.expired.transitions and [r.key for r in got.waiting] == [key]
    assert got.promising == {key: Passed("DTM 001 (cancel after) 2026-12-05", (("001", PAST),))}
    assert to_warn(got.promising, set()) == got.promising and to_warn(got.promising, {key}) == {}


def test_a_line_s_own_date_and_the_order_s_state_decide():
    key = ("acme", "OWN")
    # the order's date passed, line 2's own is later: kept
    got = _check([_order("OWN")], {key: {"cancel_after": PAST}}, {key: {2: {"cancel_after": LATER}}})
    assert not got.expired.transitions and got.waiting
    # shipped (an 860 raised it after shipment, its added lines wait for their decision): the next night's
    got = _check([_order("OWN", state=OrderState.SHIPPED)], {key: {"cancel_after": PAST}})
    assert got == Deadlines(waiting=[_order("OWN", state=OrderState.SHIPPED)])


def test_a_window_that_opens_later_is_held_except_for_an_order_raised_in_this_run():
    key = ("acme", "W1")
    dates = {key: {"ship_not_before": LATER}}
    assert _check([_order("W1")], dates).opens == {key: {2: LATER}}
    assert _check([_order("W1")], dates, fresh={key}).opens == {}
