"""A delivery window's last day (DTM 063 do not deliver after) with the partner's transit time known (`[fulfilment.asn]
transit_days`): the goods must leave that many days before it to arrive in time, so 063 less the transit is the last
ship day (schemas.orders.last_ship_day). Every check holding a ship day against 063 uses it: the allocation's
late backorders (BACKORDER_AFTER_CANCEL at decide), a later night's expired backorders (backorders.past_lines), the
shipment's SHIPPED_OUTSIDE_WINDOW; and an order whose last ship day is already past on arrival, while its 063 is not,
is flagged (DATE_IN_PAST, a warning: accepted and rescheduled, the buyer decides). They used to compare with the 063
itself. Without a transit time nothing changes."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from connectors.state import StateStore
from engine.deadlines import ship_date_findings
from engine.lifecycle import backorders
from schemas.lifecycle import LineRecord, LineState, OrderRecord, OrderState
from schemas.orders import last_ship_day
from tests.business.tables import order, orders_table
from tests.support import make_workspace, run_stages
from tests.test_backorder_cancel_date import NIGHT1, globex_with, story
from tests.test_po_deadlines import shipped_day1


def transit(ws, partner: str, days: int) -> None:
    toml = ws.root / "partners" / f"{partner}.toml"
    text = toml.read_text()
    if "[fulfilment.asn]\n" in text:
        text = text.replace("[fulfilment.asn]\n", f"[fulfilment.asn]\ntransit_days = {days}\n", 1)
    else:
        text += f"\n[fulfilment.asn]\ntransit_days = {days}\n"
    toml.write_text(text)


def test_last_ship_day():
    assert last_ship_day(date(2026, 12, 23), 3) == date(2026, 12, 20)
    assert last_ship_day(date(2026, 12, 23), 0) == date(2026, 12, 23)
    assert last_ship_day(date(2026, 12, 23), None) == date(2026, 12, 23)  # no transit time: the 063 itself
    assert last_ship_day(None, 3) is None


def test_a_shipment_that_cannot_arrive_by_the_063_given_transit_warns():
    shipped = pa.table({"shipment_id": ["S1"], "partner": ["acme"], "po_number": ["P1"],
                        "ship_date": [date(2026, 12, 6)]})
    orders = orders_table(order(po_number="P1", partner="acme", do_not_deliver_after=date(2026, 12, 8),
                                ship_not_before=None, ship_no_later=None))
    assert ship_date_findings(shipped, orders) == ()  # 12-06 is before the 063 itself
    [found] = ship_date_findings(shipped, orders, transit={"acme": 3})
    assert found.finding.code == "SHIPPED_OUTSIDE_WINDOW"
    assert ("left 2026-12-06, after its DTM 063 (do not deliver after) 2026-12-08 less 3 days in transit "
            "(the last ship day 2026-12-05)") in found.finding.message, found.finding.message
    assert ship_date_findings(shipped, orders, transit={"other": 3}) == ()


def test_a_later_night_s_backorder_expires_on_the_last_ship_day_not_the_063():
    record = OrderRecord("acme", "P1", OrderState.ACKNOWLEDGED)
    line = LineRecord("acme", "P1", 1, LineState.BACKORDERED, sku="S", backordered=5)
    dates = {("acme", "P1"): {"do_not_deliver_after": date(2026, 12, 8), "cancel_after": None}}
    args = ([record], dates, {}, {("acme", "P1"): [line]})
    assert backorders.past_lines(*args, today=date(2026, 12, 6)) == {}
    assert backorders.past_lines(*args, today=date(2026, 12, 6), transit={"acme": 3}) == {("acme", "P1"): {
        1: backorders.Passed("DTM 063 (do not deliver after) 2026-12-08 less 3 days in transit (the last ship day "
                             "2026-12-05)", (("063", date(2026, 12, 8)),))}}
    assert backorders.past_lines(*args, today=date(2026, 12, 5), transit={"acme": 3}) == {}  # still in time
    lines = {("acme", "P1"): {1: {"do_not_deliver_after": date(2026, 12, 8)}}}  # the line's own 063
    assert backorders.past_lines([record], {}, lines, {("acme", "P1"): [line]}, today=date(2026, 12, 6),
                                 transit={"acme": 3}) == {("acme", "P1"): {
        1: backorders.Passed("DTM 063 (do not deliver after, line 1) 2026-12-08 less 3 days in transit (the last "
                             "ship day 2026-12-05)", (("063", date(2026, 12, 8)),))}}


def test_allocation_holds_a_backorder_against_the_last_ship_day(tmp_path):
    """GLOBEX-2000's line 3 waits for a receipt of 2026-12-15: with DTM 063 2026-12-16 it arrives in time when
    nothing is in transit (IB), but with 3 days in transit it must leave by 12-13: answered IR (late_backorder
    "reject", the default), and BACKORDER_AFTER_CANCEL names the transit."""
    ws = make_workspace(tmp_path / "none" / "ws")
    globex_with(ws, "DTM|063|20261216~")
    run_stages(ws, NIGHT1)
    _record, lines, _events, found, _reserved = story(ws)
    assert (lines[3].ack, lines[3].backordered) == ("IB", 30) and found == []
    ws = make_workspace(tmp_path / "three" / "ws")
    globex_with(ws, "DTM|063|20261216~")
    transit(ws, "globex", 3)
    run_stages(ws, NIGHT1)
    _record, lines, _events, found, _reserved = story(ws)
    assert (lines[3].ack, lines[3].backordered, lines[3].rejected) == ("IR", 0, 30)
    assert len(found) == 1, found
    assert ("DTM 063 (do not deliver after) 2026-12-16 less 3 days in transit (the last ship day 2026-12-13)"
            in found[0]["message"]), found[0]["message"]


def test_an_order_whose_window_cannot_be_met_in_transit_is_flagged_and_its_shipment_warned(tmp_path, monkeypatch):
    """ACME-1001 arrives 2026-11-27 with DTM 063 2026-11-29 and 3 days in transit: the last ship day (11-26) is
    past on arrival though the 063 is not. DATE_IN_PAST (a warning: the order is accepted, its 855 offers the first
    day we can ship; the buyer decides), and the shipment of 11-27 is SHIPPED_OUTSIDE_WINDOW."""
    import tests.support as support

    original = support.shipping_workspace

    def with_transit(root, partners=("acme",)):
        ws = original(root, partners=partners)
        transit(ws, "acme", 3)
        return ws

    monkeypatch.setattr(support, "shipping_workspace", with_transit)
    ws = shipped_day1(tmp_path, "DTM*063*20261129~")
    state = StateStore(ws.state_url)
    try:
        found = state.findings(partner="acme", po_number="ACME-1001")
        shipped = state.order("acme", "ACME-1001").state.value
    finally:
        state.close()
    past = [f for f in found if f["code"] == "DATE_IN_PAST"]
    assert [f["severity"] for f in past] == ["warning"], found
    assert ("DTM 063 (do not deliver after) 20261129 less 3 days in transit (the last ship day 20261126) is "
            "before today 20261127: shipped today the goods arrive 20261130, after the window; the 855 offers the "
            "first day we can ship (DR)") in past[0]["message"], past[0]["message"]
    # taken; shipped after its last ship day, short (line 4: 10 of its 12), its balance is cancelled at once and the
    # order billed (acme's late_backorder "reject": the rest could only ship later still; engine.lifecycle.balance)
    assert shipped == "invoiced"
    assert [f for f in found if f["code"] == "BACKORDER_AFTER_CANCEL" and "shipped it short" in f["message"]], found
    late = [f for f in found if f["code"] == "SHIPPED_OUTSIDE_WINDOW"]
    assert len(late) == 1 and "less 3 days in transit" in late[0]["message"], found


def test_a_line_whose_own_063_cannot_be_met_in_transit_is_flagged_at_the_line():
    """Line 2's own DTM 063 (PO1 loop) is 2026-11-29, the order's 2026-12-20: with 3 days in transit the line's last
    ship day (11-26) is past on 11-27, its 063 not: DATE_IN_PAST at the line (a warning). Line 1 has none of its own
    (the order's, in time); without a transit time, nothing."""
    from rules.business import check_line_deliveries
    from schemas.rule_settings import PartnerRuleOverrides, RuleSettings
    from tests.business.tables import line, lines_table

    orders = orders_table(order(do_not_deliver_after=date(2026, 12, 20), ship_not_before=None, ship_no_later=None))
    lines = lines_table(line(line_number=1), line(line_number=2, line_id="2", do_not_deliver_after=date(2026, 11, 29)))
    today = date(2026, 11, 27)
    assert check_line_deliveries(orders, lines, today=today, settings=RuleSettings()) == []
    settings = RuleSettings(partners={"acme": PartnerRuleOverrides(transit_days=3)})
    [found] = check_line_deliveries(orders, lines, today=today, settings=settings)
    assert (found.code, found.severity, found.location.line_number) == ("DATE_IN_PAST", "warning", 2), found
    assert ("Line 2: its DTM 063 (do not deliver after) 20261129 less 3 days in transit (the last ship day 20261126) "
            "is before today 20261127") in found.message, found.message


def test_the_855_of_an_order_whose_window_cannot_be_met_in_transit_reschedules_its_lines_to_today(tmp_path):
    """What the buyer is told: ACME's PO-1 (DTM 063 2026-11-29, no DTM 010) on 2026-11-27 is acknowledged with each
    line DR (date rescheduled: DATE_IN_PAST's outcome) and ACK 068 the run's day, the first we can ship; the buyer
    decides. Without a transit time its lines are IA (accepted), as before."""
    from tests.test_delivery_window_ship_day import _acme_855

    acks = _acme_855(tmp_path / "three", ["DTM*063*20261129"], 3)
    assert [(a[0], a[-2], a[-1]) for a in acks] == [("DR", "068", "20261127")] * 2, acks
    acks = _acme_855(tmp_path / "none", ["DTM*063*20261129"], None)
    assert [a[0] for a in acks] == ["IA", "IA"], acks
