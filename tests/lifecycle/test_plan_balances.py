"""engine.lifecycle.balance.plan_balances: the run's balances cancelled in one pure call (no state store, no flow).
It selects the orders past their last date (a "reject" partner's, shipped short, every unit reserved at a warehouse
that shipped them), names their dates from the stored rows it is given (a line's own first), and returns one plan
of both kinds: the orders this run's shipments carried (CSH01 N / SP, the partner's tolerance, or past their date)
and the orders past their date that no shipment of this run carried. dates_wanted says whose dates to read."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from engine.lifecycle.balance import (
    BalanceTerms,
    balance_terms,
    dates_wanted,
    plan_balances,
    received_before,
    unshipped_past,
)
from engine.lifecycle.common import check_plan
from schemas.lifecycle import EventKind, LineRecord, LineState, OrderRecord, OrderState, Reservation
from tests.lifecycle.helpers import acme

TODAY, AT, RUN = date(2026, 12, 7), "2026-12-07T02:00:00", "r9"
PAST, LATER = date(2026, 12, 5), date(2026, 12, 20)
TERMS = BalanceTerms(under_percent={}, rejecting=frozenset({"acme", "globex"}))


def _order(po, partner="acme", state=OrderState.PARTIALLY_SHIPPED):
    return OrderRecord(partner, po, state, source_file="po.x12", isa13="1", gs06="1", st02="0001", value=Decimal(50))


def _line(po, n, allocated, shipped, partner="acme", state=LineState.PARTIALLY_SHIPPED):
    return LineRecord(partner, po, n, state, line_id=str(n), sku=f"SKU{n}", ack="IA", ordered=Decimal(allocated),
                      unit="EA", unit_price=Decimal(5), allocated=allocated, shipped=Decimal(shipped))


def _held(po, n, quantity, partner="acme", warehouse="EAST"):
    return Reservation(partner, po, n, warehouse, f"SKU{n}", quantity)


def _night(orders):
    """records, lines, reservations of ``orders``: (record, lines, reservations) each."""
    return ({r.key: r for r, _l, _h in orders}, {r.key: ls for r, ls, _h in orders},
            {r.key: hs for r, _l, hs in orders})


def _short(po, partner="acme", warehouse="EAST"):
    """An order whose line 1 shipped 10 of 10 and line 2 2 of 4 (2 reserved at ``warehouse``)."""
    return (_order(po, partner), (_line(po, 1, 10, 10, partner, LineState.SHIPPED), _line(po, 2, 4, 2, partner)),
            (_held(po, 2, 2, partner, warehouse),))


def _plan(orders, *, shipped_from, late_from, heads, line_dates=None, terms=TERMS):
    records, lines, held = _night(orders)
    return plan_balances(records, lines=lines, reservations=held, shipped_from=shipped_from, late_from=late_from,
                         heads=heads, line_dates=line_dates or {}, terms=terms, today=TODAY, at=AT, run_id=RUN)


def _events(plan):
    return {t.record.key: [e.event for e in t.events] for t in plan.transitions}


def test_one_plan_for_this_run_s_orders_and_those_past_their_date_whatever_run_shipped_them():
    """NB1 (this run's, CSH01 N) and OLD1 (an earlier run's, past its cancel-after): both in the one plan, each for
    its own reason; NOTYET (not past), PROMISE (a partner that promises late backorders) are left alone."""
    orders = [_short("NB1"), _short("OLD1"), _short("NOTYET"), _short("PROMISE", partner="initech")]
    heads = {("acme", "NB1"): {"sales_requirement": "N"}, ("acme", "OLD1"): {"cancel_after": PAST},
             ("acme", "NOTYET"): {"cancel_after": LATER}, ("initech", "PROMISE"): {"cancel_after": PAST}}
    everyone = {r.key: {"EAST"} for r, _l, _h in orders}
    plan = _plan(orders, shipped_from={("acme", "NB1"): {"EAST"}}, late_from=everyone, heads=heads)
    check_plan(plan)
    assert _events(plan) == {("acme", "NB1"): [EventKind.BALANCE_CANCELLED],
                             ("acme", "OLD1"): [EventKind.BALANCE_CANCELLED]}
    reasons = {ol.po_number: ol.lines[1].reason for ol in plan.lines}
    assert reasons == {"NB1": "no_backorder", "OLD1": "past_cancel_date"}
    assert [(f.po_number, f.finding.code) for f in plan.findings] == [("OLD1", "BACKORDER_AFTER_CANCEL")]
    assert {(r.po_number, r.rows) for r in plan.reservations} == {("NB1", ()), ("OLD1", ())}


def test_an_order_this_run_shipped_past_its_date_is_cancelled_for_its_date():
    """Carried by this run, no CSH01, no tolerance: its date decides (the first call's ``past``), once."""
    orders = [_short("NOW1")]
    key = ("acme", "NOW1")
    plan = _plan(orders, shipped_from={key: {"EAST"}}, late_from={key: {"EAST"}}, heads={key: {"cancel_after": PAST}})
    assert _events(plan) == {key: [EventKind.BALANCE_CANCELLED]} and len(plan.findings) == 1
    assert plan.lines[0].lines[1].reason == "past_cancel_date"


def test_a_line_s_own_date_comes_first():
    """The order's cancel-after passed but the short line's own is later: it waits; the other way round, it goes."""
    key = ("acme", "OWN1")
    kw = {"shipped_from": {}, "late_from": {key: {"EAST"}}}
    assert not _plan([_short("OWN1")], heads={key: {"cancel_after": PAST}},
                     line_dates={key: {2: {"cancel_after": LATER}}}, **kw).transitions
    plan = _plan([_short("OWN1")], heads={key: {"cancel_after": LATER}}, line_dates={key: {2: {"cancel_after": PAST}}},
                 **kw)
    assert _events(plan) == {key: [EventKind.BALANCE_CANCELLED]}
    assert "line 2" in plan.findings[0].finding.message


def test_the_partner_terms_decide_ship_no_later_transit_and_tolerance():
    key = ("acme", "W1")
    kw = {"shipped_from": {}, "late_from": {key: {"EAST"}}}
    heads = {key: {"ship_no_later": PAST}}
    assert not _plan([_short("W1")], heads=heads, **kw).transitions  # DTM 038 is no last date for acme
    ends = BalanceTerms(under_percent={}, rejecting=frozenset({"acme"}), window_end_cancels=frozenset({"acme"}))
    assert _events(_plan([_short("W1")], heads=heads, terms=ends, **kw)) == {key: [EventKind.BALANCE_CANCELLED]}
    # a DTM 063 on the 10th less 5 days in transit: the last ship day, the 5th, passed
    heads = {key: {"do_not_deliver_after": date(2026, 12, 10)}}
    assert not _plan([_short("W1")], heads=heads, **kw).transitions
    transit = BalanceTerms(under_percent={}, rejecting=frozenset({"acme"}), transit={"acme": 5})
    assert _plan([_short("W1")], heads=heads, terms=transit, **kw).transitions
    # 9 of 10 shipped this run, within acme's 10 %: complete at what shipped, no date needed
    key = ("acme", "TOL1")
    within = [(_order("TOL1"), (_line("TOL1", 1, 10, 9),), (_held("TOL1", 1, 1),))]
    assert not _plan(within, shipped_from={key: {"EAST"}}, late_from={}, heads={}).transitions
    tolerant = BalanceTerms(under_percent={"acme": Decimal(10)}, rejecting=frozenset())
    plan = _plan(within, shipped_from={key: {"EAST"}}, late_from={}, heads={}, terms=tolerant)
    assert _events(plan) == {key: [EventKind.BALANCE_CANCELLED]}
    assert [f.finding.code for f in plan.findings] == ["SHIPMENT_WITHIN_TOLERANCE"]


def test_a_partner_not_rejecting_is_never_looked_at_past_its_date():
    """late_from naming an order of a partner not in ``rejecting`` (a caller's slip): not cancelled for its date."""
    key = ("initech", "P1")
    assert not _plan([_short("P1", partner="initech")], shipped_from={}, late_from={key: {"EAST"}},
                     heads={key: {"cancel_after": PAST}}).transitions


def test_dates_wanted_reads_heads_of_this_run_s_and_the_candidates_lines_of_the_candidates_alone():
    orders = [_short("NB1"), _short("OLD1"), _short("WEST1"), _short("PROMISE", partner="initech")]
    # WEST1: its units are reserved at WEST, which shipped none of it yet: not a candidate
    late_from = {("acme", "OLD1"): {"EAST"}, ("acme", "WEST1"): {"EAST"}, ("initech", "PROMISE"): {"EAST"}}
    orders[2] = (orders[2][0], orders[2][1], (_held("WEST1", 2, 2, warehouse="WEST"),))
    records, lines, held = _night(orders)
    headed, late = dates_wanted(records, lines=lines, reservations=held, shipped_from={("acme", "NB1"): {"EAST"}},
                                late_from=late_from, terms=TERMS)
    assert [r.po_number for r in headed] == ["NB1", "OLD1"] and [r.po_number for r in late] == ["OLD1"]


def test_balance_terms_read_the_profiles():
    p = acme()
    other = p.model_copy(update={"allocation": p.allocation.model_copy(update={
        "late_backorder": "promise", "ship_no_later_is_cancel": True}), "fulfilment": p.fulfilment.model_copy(
        update={"under_ship_percent": Decimal(10)})})
    t = balance_terms({"acme": p, "other": other})
    assert t.rejecting == {"acme"} and t.window_end_cancels == {"other"}
    assert t.under_percent == {"other": Decimal(10)}


# --- an order nothing of which shipped, past its last date and its partner's grace ---------------------------------
GRACE = BalanceTerms(under_percent={}, rejecting=frozenset({"acme"}), grace={"acme": 7})


def _idle(po, partner="acme"):
    """Acknowledged, nothing shipped: line 1 allocated 10 (reserved at EAST), line 2 backordered 4."""
    record = replace(_order(po, partner, OrderState.ACKNOWLEDGED), received_at="2026-11-20T02:00:00")
    one = _line(po, 1, 10, 0, partner, LineState.ALLOCATED)
    two = LineRecord(partner, po, 2, LineState.BACKORDERED, line_id="2", sku="SKU2", ack="IB", ordered=Decimal(4),
                     unit="EA", unit_price=Decimal(5), backordered=4)
    return record, (one, two), (_held(po, 1, 10, partner),)


def _idle_plan(orders, heads, line_dates=None, terms=GRACE, today=date(2026, 12, 13)):
    records, lines, held = _night(orders)
    return plan_balances(records, lines=lines, reservations=held, shipped_from={}, late_from={}, heads=heads,
                         line_dates=line_dates or {}, terms=terms, today=today, at=AT, run_id=RUN)


def test_an_order_nothing_of_which_shipped_ends_once_its_grace_after_the_date_is_over():
    key = ("acme", "IDLE")
    heads = {key: {"cancel_after": PAST}}  # 2026-12-05, a grace of 7 days: waits to the 12th, ends on the 13th
    assert not _idle_plan([_idle("IDLE")], heads, today=date(2026, 12, 12)).transitions
    plan = _idle_plan([_idle("IDLE")], heads)
    check_plan(plan)
    [t] = plan.transitions
    assert (t.record.state, t.events[0].event) == (OrderState.CANCELLED, EventKind.BALANCE_CANCELLED_UNSHIPPED)
    assert t.record.value == 0
    one, two = plan.lines[0].lines
    assert (one.state, one.allocated, one.rejected, one.balance_cancelled) == (LineState.REJECTED, 0, 10, 10)
    assert (two.state, two.backordered, two.rejected, two.balance_cancelled) == (LineState.REJECTED, 0, 4, 4)
    assert one.reason == two.reason == "past_cancel_date"
    assert [(r.po_number, r.rows) for r in plan.reservations] == [("IDLE", ())]
    note = t.events[0].note
    assert "DTM 001 (cancel after) 2026-12-05 passed more than 7 day(s) ago" in note and "nothing of it shipped" \
        in note and "10 reserved unit(s) released" in note and "reserved at EAST)" in note, note
    [f] = plan.findings
    assert (f.finding.code, f.finding.severity, f.stage) == ("BACKORDER_AFTER_CANCEL", "warning", "shipments")
    assert not plan.documents
    # no grace: the first run past the date, as an order shipped short
    assert _idle_plan([_idle("IDLE")], heads, terms=BalanceTerms(under_percent={}, rejecting=frozenset({"acme"})),
                      today=date(2026, 12, 6)).transitions


def test_an_order_nothing_of_which_shipped_waits_when_a_line_is_in_time_or_its_partner_promises():
    key = ("acme", "IDLE")
    # line 1's own cancel date is later: the order waits whole (its line 2's backorder is the decide stage's)
    assert not _idle_plan([_idle("IDLE")], {key: {"cancel_after": PAST}}, {key: {1: {"cancel_after": LATER}}}
                          ).transitions
    # received within the grace (accepted after its last date, its 855 rescheduling it): it has the grace to ship
    late = [(replace(_idle("IDLE")[0], received_at="2026-12-07T02:00:00"), *_idle("IDLE")[1:])]
    assert not _idle_plan(late, {key: {"cancel_after": PAST}}).transitions
    assert _idle_plan(late, {key: {"cancel_after": PAST}}, today=date(2026, 12, 15)).transitions
        # a partner that promises late backorders ships late too
    assert not _idle_plan([_idle("IDLE", partner="initech")], {("initech", "IDLE"): {"cancel_after": PAST}}
                          ).transitions
    # an order of services alone is delivered by the invoice stage, never cancelled here
    records, lines, held = _night([_idle("IDLE")])
    assert not plan_balances(records, lines=lines, reservations=held, shipped_from={}, late_from={},
                             heads={key: {"cancel_after": PAST}}, line_dates={}, terms=GRACE, today=date(2026, 12, 13),
                             at=AT, run_id=RUN, services={"SKU1", "SKU2"}).transitions


def test_unshipped_past_reads_the_dates_alone():
    orders = [_idle("A"), _idle("B"), _idle("C"), _idle("D", partner="initech"), _short("E")]
    records = [r for r, _l, _h in orders]
    heads = {("acme", "A"): {"cancel_after": PAST}, ("acme", "B"): {"cancel_after": LATER},
             ("initech", "D"): {"cancel_after": PAST}, ("acme", "E"): {"cancel_after": PAST}}
    own = {("acme", "C"): {2: {"cancel_after": PAST}}}  # a line's own date passed: its lines are read
    picked = unshipped_past(records, heads, own, terms=GRACE, today=date(2026, 12, 13))
    assert [r.po_number for r in picked] == ["A", "C"]  # not B (in time), D (promises), E (shipped in part)
    assert unshipped_past(records, heads, own, terms=GRACE, today=date(2026, 12, 12)) == []  # within the grace
    assert received_before(GRACE, date(2026, 12, 13)) == "2026-12-06"  # the state store's cut: the grace's


def test_balance_terms_read_the_grace_of_the_rejecting_partners():
    p = acme()
    promising = p.model_copy(update={"allocation": p.allocation.model_copy(update={"late_backorder": "promise"})})
    assert balance_terms({"acme": p, "other": promising}).grace == {"acme": 7}
