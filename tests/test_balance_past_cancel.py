"""The balance of an order shipped short, cancelled once its last date passed (engine.lifecycle.balance.past_due):
a PO's cancel-after (DTM 001), do-not-deliver-after (063) or, for a partner whose profile says so, ship-no-later
(038) passed, its partner's late_backorder is "reject" (the default: nothing ships after it) and the warehouses
holding its stock confirmed a shipment of it: the units allocated and not shipped are cancelled as a no-back-order
PO's are (reason past_cancel_date, codes BALANCE_CANCELLED:n), the reservations released, the order shipped (or
invoiced) and billed, one BACKORDER_AFTER_CANCEL warning. Units allocated and not shipped used to stay reserved for
ever and the order partially shipped, never billed. An order nothing of which shipped keeps its reserved units (no
warehouse confirmed), late_backorder "promise" keeps the balance, the last day itself is in time.
Unit tests of the plan, then whole nights of the rg62 sweep's Hallmark PO (681204: its confirmation carries 2 of the
4 ornaments of line 3; its DTM 038 is its cancel date: ship_no_later_is_cancel)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from engine.lifecycle import backorders
from engine.lifecycle.balance import past_due, plan_balance_cancelled
from engine.lifecycle.common import check_plan
from schemas.lifecycle import EventKind, LineRecord, LineState, OrderRecord, OrderState, Reservation
from tests.support import REPO

KEY = ("hallmark", "681204")
AT, RUN = "2026-12-07T02:00:00", "day9"
PASSED = backorders.Passed("DTM 038 (ship no later) 2026-12-05", (("038", date(2026, 12, 5)),))


def _order(state=OrderState.PARTIALLY_SHIPPED):
    return OrderRecord(*KEY, state, source_file="po.x12", isa13="1", gs06="1", st02="0001", value=Decimal(60))


def _line(n, allocated, shipped, state=LineState.PARTIALLY_SHIPPED, backordered=0):
    return LineRecord(*KEY, n, state, line_id=str(n), sku=f"SKU{n}", ack="IA", ordered=Decimal(allocated + backordered),
                      unit="EA", unit_price=Decimal(5), allocated=allocated, backordered=backordered,
                      shipped=Decimal(shipped))


def _reserved(n, quantity, warehouse="EAST"):
    return Reservation(*KEY, n, warehouse, f"SKU{n}", quantity)


def _plan(lines, reservations, *, passed=(1, 2), shipped_from=("EAST",), record=None, csh=None):
    return plan_balance_cancelled({KEY: record or _order()}, lines={KEY: lines}, reservations={KEY: reservations},
                                  shipped_from={KEY: set(shipped_from)}, requirements={KEY: csh}, at=AT, run_id=RUN,
                                  past={KEY: (PASSED, set(passed))})


def test_past_its_date_a_short_shipment_s_balance_is_cancelled_and_told():
    lines = (_line(1, 10, 10, state=LineState.SHIPPED), _line(2, 4, 2))
    plan = _plan(lines, (_reserved(2, 2),))
    check_plan(plan)
    [t] = plan.transitions
    assert (t.record.state, t.events[0].event) == (OrderState.SHIPPED, EventKind.BALANCE_CANCELLED)
    assert t.record.value == Decimal(60)  # (10 + 2) x 5
    one, two = plan.lines[0].lines
    assert one == lines[0]
    assert (two.state, two.allocated, two.rejected, two.shipped) == (LineState.SHIPPED, 2, 2, Decimal(2))
    assert (two.codes, two.balance_cancelled) == ((), 2) and two.reason == "past_cancel_date"
    assert [(r.partner, r.po_number, r.rows) for r in plan.reservations] == [(*KEY, ())]
    note = t.events[0].note
    assert PASSED.named in note and "line 2 (2 EA of 4, 2 shipped)" in note and "2 reserved unit(s) released" in note, \
        note
    [f] = plan.findings
    assert (f.finding.code, f.finding.severity, f.stage) == ("BACKORDER_AFTER_CANCEL", "warning", "shipments")
    assert f.finding.location.value == "20261205" and "late_backorder" in f.finding.message
    assert not plan.documents


def test_not_past_or_not_shipped_or_a_warehouse_still_to_confirm_waits():
    lines = (_line(1, 10, 10, state=LineState.SHIPPED), _line(2, 4, 2))
    held = (_reserved(2, 2),)
    # no passed date: the order waits (it takes back orders: no CSH01 N/SP, no tolerance)
    assert not plan_balance_cancelled({KEY: _order()}, lines={KEY: lines}, reservations={KEY: held},
                                      shipped_from={KEY: {"EAST"}}, requirements={}, at=AT, run_id=RUN).transitions
    # its short line's own date has not passed (only line 1's did)
    assert not _plan(lines, held, passed=(1,)).transitions
    # nothing shipped (acknowledged: the decide stage's backorder step keeps its reserved units)
    acknowledged = (_line(1, 10, 0, state=LineState.ALLOCATED),)
    assert not past_due(_order(OrderState.ACKNOWLEDGED), acknowledged, (_reserved(1, 10),), set(), {1})
    assert not _plan(acknowledged, (_reserved(1, 10),), record=_order(OrderState.ACKNOWLEDGED), shipped_from=()
                     ).transitions
    # units reserved at a warehouse that has not shipped any of it: its confirmation may still come
    split = (*lines, _line(3, 6, 0, state=LineState.ALLOCATED))
    assert not _plan(split, (*held, _reserved(3, 6, "WEST")), passed=(2, 3)).transitions
    assert _plan(split, (*held, _reserved(3, 6, "WEST")), passed=(2, 3), shipped_from=("EAST", "WEST")).transitions


def test_a_no_back_order_po_past_its_date_keeps_its_own_reason():
    """CSH01 N decides first (reason no_backorder, no warning): its balance would have gone at its shipment."""
    plan = _plan((_line(2, 4, 2),), (_reserved(2, 2),), csh="N")
    assert plan.lines[0].lines[0].reason == "no_backorder" and not plan.findings


def test_past_lines_selects_the_lines_shipped_short_by_their_own_date():
    lines = {KEY: (_line(1, 10, 10, state=LineState.SHIPPED), _line(2, 4, 2), _line(3, 4, 1))}
    heads = {KEY: {"cancel_after": date(2026, 12, 5)}}
    own = {KEY: {3: {"cancel_after": date(2026, 12, 20)}}}
    short = backorders.past_lines([_order()], heads, own, lines, today=date(2026, 12, 7),
                                  select=lambda ln: ln.promised > ln.shipped)
    # line 3's own date is later; line 1 shipped
    assert short == {KEY: {2: backorders.Passed("DTM 001 (cancel after) 2026-12-05", (("001", date(2026, 12, 5)),))}}
    assert backorders.past_lines([_order()], heads, own, lines, today=date(2026, 12, 7)) == {}  # none backordered


# --- whole nights: the rg62 sweep's Hallmark PO ------------------------------------------------------------------
FIXTURES = REPO / "tests" / "fixtures" / "rg62"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT, SHIP_DAY = datetime(2026, 11, 25, 2), datetime(2026, 12, 1, 15)
SHORT = [("681204,3,RG62-03,4,EA", "681204,3,RG62-03,2,EA")]  # line 3: 2 of the 4 ornaments


def _later(tmp_path, when, profile_swaps=()):
    from connectors.state import StateStore
    from tests.retailer_support import variant_night
    from tests.support import deliver_all, run_stages

    ws, _found, states = variant_night(FIXTURES, "hallmark", "681204", tmp_path, warehouses=WAREHOUSES, night=NIGHT,
                                       ship_day=SHIP_DAY, shipped_swaps=SHORT, profile_swaps=profile_swaps)
    assert states == {KEY: "partially_shipped"}
    run_stages(ws, when)
    deliver_all(ws, when)
    state = StateStore(ws.state_path)
    try:
        return (state.order(*KEY).state.value, {ln.line_number: ln for ln in state.order_lines(*KEY)},
                [h["event"] for h in state.order_history(*KEY)],
                [f for f in state.findings(partner=KEY[0], po_number=KEY[1]) if f["code"] == "BACKORDER_AFTER_CANCEL"],
                state.reservations_for([KEY]).get(KEY, ()), ws)
    finally:
        state.close()


def test_past_the_window_s_end_the_balance_is_cancelled_released_and_billed(tmp_path):
    """Its DTM 038 alone (ship_no_later_is_cancel), no DTM 001: the night after 12-05 ends the order at what shipped."""
    from tests.retailer_support import po_segments, segments

    state, lines, events, found, held, ws = _later(tmp_path, datetime(2026, 12, 6, 2))
    assert state == "invoiced" and "balance_cancelled" in events and not held
    three = lines[3]
    assert (three.shipped, three.rejected, three.codes, three.balance_cancelled) == (Decimal(2), 2, (), 2)
    assert three.reason.split("; ")[-1] == "past_cancel_date"  # after its reason at acknowledgement
    [f] = found
    assert "DTM 038" in f["message"] and "2026-12-05" in f["message"], f
    inv = po_segments(segments(ws, "hallmark", "810"), "681204", "BIG")
    assert ["TDS", "10860"] in inv


def test_on_the_last_day_itself_the_balance_still_waits(tmp_path):
    state, _lines, events, found, held, _ws = _later(tmp_path, datetime(2026, 12, 5, 2))
    assert state == "partially_shipped" and "balance_cancelled" not in events and not found
    assert sum(r.quantity for r in held) == 2


def test_with_late_backorder_promise_the_balance_is_kept(tmp_path):
    swap = [("ship_no_later_is_cancel = true", "ship_no_later_is_cancel = true\nlate_backorder = \"promise\"")]
    state, lines, events, _found, held, _ws = _later(tmp_path, datetime(2026, 12, 7, 2), swap)
    assert state == "partially_shipped" and "balance_cancelled" not in events
    assert sum(r.quantity for r in held) == 2 and lines[3].allocated == 4 and not lines[3].rejected
