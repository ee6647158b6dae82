"""The balance of a PO that takes no back order (CSH01 N "No Back Order", SP "Ship Partial, Balance Cancel"),
cancelled once it shipped short (engine.lifecycle.balance): the lines end at what shipped, every reservation left is
released, the order moves to shipped (or invoiced, every shipped unit billed already: a partner billed per
shipment), the history says why. It waits while a warehouse that shipped none of it still holds units of it (its
confirmation may still come); a ship-complete PO (SC), one without CSH and one shipped in full are left alone.
The rg56 sweep's test_a_no_back_order_po_shipped_short_is_billed_for_what_shipped takes a whole night through it."""

from __future__ import annotations

from decimal import Decimal

from engine.lifecycle.balance import balance_due, cancelled_units, plan_balance_cancelled
from engine.lifecycle.common import check_plan
from schemas.lifecycle import EventKind, LineRecord, LineState, OrderRecord, OrderState, Reservation

KEY = ("imperialdade", "ID1")
AT, RUN = "2026-12-01T15:00:00", "day1"


def _order(state=OrderState.PARTIALLY_SHIPPED):
    return OrderRecord(*KEY, state, source_file="po.x12", isa13="1", gs06="1", st02="0001", value=Decimal(600))


def _line(n, allocated, shipped, invoiced=0, state=LineState.PARTIALLY_SHIPPED, backordered=0, unit="CA"):
    return LineRecord(*KEY, n, state, line_id=str(n), sku=f"SKU{n}", ack="IA", ordered=Decimal(allocated + backordered),
                      unit=unit, unit_price=Decimal(10), allocated=allocated, backordered=backordered,
                      shipped=Decimal(shipped), invoiced=Decimal(invoiced))


def _reserved(n, quantity, warehouse="EAST"):
    return Reservation(*KEY, n, warehouse, f"SKU{n}", quantity)


def _plan(lines, reservations, shipped_from=("EAST",), csh="N", record=None):
    record = record or _order()
    return plan_balance_cancelled({KEY: record}, lines={KEY: lines}, reservations={KEY: reservations},
                                  shipped_from={KEY: set(shipped_from)}, requirements={KEY: csh}, at=AT, run_id=RUN)


def test_a_po_shipped_short_ends_at_what_shipped_and_releases_the_rest():
    lines = (_line(1, 10, 7), _line(2, 6, 6, state=LineState.SHIPPED), _line(3, 4, 0, state=LineState.ALLOCATED))
    plan = _plan(lines, (_reserved(1, 3), _reserved(3, 4)))
    check_plan(plan)
    [t] = plan.transitions
    assert (t.record.state, t.events[0].event) == (OrderState.SHIPPED, EventKind.BALANCE_CANCELLED)
    assert t.record.value == Decimal(130)  # (7 + 6) x 10: what the order is now worth
    one, two, three = plan.lines[0].lines
    assert (one.state, one.allocated, one.rejected, one.shipped) == (LineState.SHIPPED, 7, 3, Decimal(7))
    assert one.codes == () and one.reason == "no_backorder" and one.balance_cancelled == cancelled_units(one) == 3
    assert two == lines[1]  # shipped in full: untouched
    assert (three.state, three.allocated, three.rejected) == (LineState.REJECTED, 0, 4)  # none of it shipped
    assert [(r.partner, r.po_number, r.rows) for r in plan.reservations] == [(*KEY, ())]
    note = t.events[0].note
    assert 'CSH01 N "No Back Order"' in note and "line 1 (3 CA of 10, 7 shipped), line 3 (4 CA of 4, 0 shipped)" \
        in note and "7 reserved unit(s) released" in note and "(EAST)" in note, note
    assert not plan.documents and not plan.findings  # nothing is sent: the 856 told what shipped


def test_ship_partial_balance_cancel_is_the_same_and_a_billed_order_is_settled():
    """SP (Ship Partial, Balance Cancel) as N; a partner billed per shipment already billed the 7 cases: the order
    ends invoiced (balance_cancelled_settled), the line invoiced."""
    plan = _plan((_line(1, 10, 7, invoiced=7),), (_reserved(1, 3),), csh="SP")
    [t] = plan.transitions
    assert (t.record.state, t.events[0].event) == (OrderState.INVOICED, EventKind.BALANCE_CANCELLED_SETTLED)
    assert plan.lines[0].lines[0].state == LineState.INVOICED
    assert 'CSH01 SP "Ship Partial, Balance Cancel"' in t.events[0].note


def test_a_warehouse_that_shipped_none_of_it_yet_keeps_the_order_waiting():
    """Line 1 shipped 7 of 10 from EAST; line 2 is reserved at WEST, whose confirmation has not come: the order
    waits (WEST's part may still ship). Once WEST shipped (any of the order), the balance of both goes."""
    lines = (_line(1, 10, 7), _line(2, 5, 0, state=LineState.ALLOCATED))
    held = (_reserved(1, 3), _reserved(2, 5, "WEST"))
    assert not _plan(lines, held).transitions
    assert not balance_due(_order(), lines, held, {"EAST"}, "N")
    assert balance_due(_order(), lines, held, {"EAST", "WEST"}, "N")
    assert _plan(lines, held, shipped_from=("EAST", "WEST")).transitions


def test_ship_complete_no_csh_and_orders_not_partly_shipped_are_left_alone():
    lines, held = (_line(1, 10, 7),), (_reserved(1, 3),)
    for csh in ("SC", "BK", "Y", "", None):  # ship complete holds the order whole; BK, Y take back orders
        assert not _plan(lines, held, csh=csh).transitions, csh
    for state in (OrderState.ACKNOWLEDGED, OrderState.SHIPPED, OrderState.HELD):
        assert not _plan(lines, held, record=_order(state)).transitions, state
    assert not _plan((_line(1, 10, 10, state=LineState.SHIPPED),), ()).transitions  # nothing left: nothing to do
    assert not _plan(lines, held, shipped_from=()).transitions


def test_a_backorder_and_a_part_of_a_unit_shipped_end_with_the_line():
    """A line's backordered units are its balance too (the buyer took none); 6.5 LB of 10 shipped ends the line at
    6 whole units placed (nothing of the seventh is left to ship)."""
    plan = _plan((_line(1, 6, Decimal("6.5"), backordered=4, unit="LB"),), (_reserved(1, 1),))
    [ln] = plan.lines[0].lines
    assert (ln.allocated, ln.backordered, ln.rejected, ln.state) == (6, 0, 4, LineState.SHIPPED)
    assert (ln.codes, ln.balance_cancelled) == ((), Decimal("3.5"))
    assert plan.transitions[0].record.state == OrderState.SHIPPED


def test_a_service_line_is_no_balance_and_is_left_to_its_delivery():
    """A service line (items.csv kind service: no warehouse ships it) stays as it is: the goods' balance is
    cancelled, the order stays partially shipped (balance_cancelled_open) and the invoice stage delivers the service
    next (flows.shipments: the balance first, then the services, then the 810s)."""
    lines = (_line(1, 10, 7), _line(2, 16, 0, state=LineState.ALLOCATED, unit="HR"))
    plan = plan_balance_cancelled({KEY: _order()}, lines={KEY: lines}, reservations={KEY: (_reserved(1, 3),)},
                                  shipped_from={KEY: {"EAST"}}, requirements={KEY: "N"}, at=AT, run_id=RUN,
                                  services={"SKU2"})
    [t] = plan.transitions
    assert (t.record.state, t.events[0].event) == (OrderState.PARTIALLY_SHIPPED, EventKind.BALANCE_CANCELLED_OPEN)
    assert plan.lines[0].lines[1] == lines[1] and plan.lines[0].lines[0].state == LineState.SHIPPED
    assert "Only its service lines are left" in t.events[0].note
    assert not balance_due(_order(), (lines[1],), (), {"EAST"}, "N", {"SKU2"})  # services alone: nothing to cut


def test_an_order_shipped_within_the_under_tolerance_is_complete():
    """A partner's under_ship_percent (10): an order that takes back orders (no CSH) whose every open line shipped
    at least 90 % of its promise is complete at what shipped, through the same cancellation (reason under_tolerance),
    with a SHIPMENT_WITHIN_TOLERANCE warning; a line shipped shorter, or not at all, keeps the order waiting; a partner
    without a tolerance is left alone."""
    lines = (_line(1, 100, 92), _line(2, 6, 6, state=LineState.SHIPPED))
    held = (_reserved(1, 8),)

    def plan(lines, held, under):
        return plan_balance_cancelled({KEY: _order()}, lines={KEY: lines}, reservations={KEY: held},
                                      shipped_from={KEY: {"EAST"}}, requirements={KEY: None}, at=AT, run_id=RUN,
                                      under_percent=under)

    done = plan(lines, held, {"imperialdade": Decimal(10)})
    check_plan(done)
    [t] = done.transitions
    assert (t.record.state, t.events[0].event) == (OrderState.SHIPPED, EventKind.BALANCE_CANCELLED)
    one = done.lines[0].lines[0]
    assert (one.state, one.allocated, one.rejected, one.reason, one.codes, one.balance_cancelled) == (
        LineState.SHIPPED, 92, 8, "under_tolerance", (), 8)
    assert "10% under-shipment tolerance" in t.events[0].note and "8 reserved unit(s) released" in t.events[0].note
    [told] = done.findings
    assert (told.finding.code, told.finding.severity) == ("SHIPMENT_WITHIN_TOLERANCE", "warning")
    assert [(r.partner, r.po_number, r.rows) for r in done.reservations] == [(*KEY, ())]
    assert not plan(lines, held, {}).transitions and not plan(lines, held, None).transitions
    assert not plan(lines, held, {"other": Decimal(10)}).transitions
    assert not plan((_line(1, 100, 89),), held, {"imperialdade": Decimal(10)}).transitions  # 11 % short
    assert plan((_line(1, 100, 90),), held, {"imperialdade": Decimal(10)}).transitions  # 10 %: at the tolerance
    assert not plan((_line(1, 100, 92), _line(2, 4, 0, state=LineState.ALLOCATED)), (*held, _reserved(2, 4)),
                    {"imperialdade": Decimal(10)}).transitions  # a line none of which shipped: waits
