"""A line's own last date already past on arrival is flagged at that line as the order's is. DTM 001 (cancel after)
or 063 (do not deliver after) in a PO1 loop (ORDER_LINES cancel_after / do_not_deliver_after) before the run's day:
nothing of that line can arrive in time. The heading's such date holds the order (CANCEL_DATE_PASSED:
rules.business.places.check_dates); a line's own used to pass unflagged and the line was acknowledged IA."""

from __future__ import annotations

from datetime import date, datetime

from connectors.state import StateStore
from rules.business import check_line_deliveries
from schemas.rule_settings import PartnerRuleOverrides, RuleSettings
from tests.business.tables import line, lines_table, order, orders_table
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850

TODAY = date(2026, 11, 27)


def test_a_line_s_own_cancel_date_past_on_arrival_is_flagged_at_the_line():
    orders = orders_table(order(cancel_after=date(2026, 12, 20), do_not_deliver_after=None))
    lines = lines_table(line(line_number=1), line(line_number=2, line_id="2", cancel_after=date(2026, 11, 20)),
                        line(line_number=3, line_id="3", do_not_deliver_after=date(2026, 11, 26)),
                        line(line_number=4, line_id="4", do_not_deliver_after=TODAY))  # today is still in time
    found = check_line_deliveries(orders, lines, today=TODAY, settings=RuleSettings())
    assert [(f.code, f.location.line_number, f.location.segment_id, f.location.element) for f in found] == [
        ("CANCEL_DATE_PASSED", 2, "DTM", "DTM02"), ("CANCEL_DATE_PASSED", 3, "DTM", "DTM02")], found
    assert "Line 2: its DTM 001 (cancel after) 20261120 is before today 20261127" in found[0].message
    assert "Line 3: its DTM 063 (do not deliver after) 20261126 is before today 20261127" in found[1].message
    # with a transit time, a 063 past is still CANCEL_DATE_PASSED (not the transit warning), once
    settings = RuleSettings(partners={"acme": PartnerRuleOverrides(transit_days=3)})
    found = check_line_deliveries(orders, lines, today=TODAY, settings=settings)
    assert [(f.code, f.location.line_number) for f in found] == [
        ("CANCEL_DATE_PASSED", 2), ("CANCEL_DATE_PASSED", 3), ("DATE_IN_PAST", 4)], found


def test_the_order_s_own_past_date_repeated_on_a_line_is_said_once_by_the_order():
    orders = orders_table(order(cancel_after=date(2026, 11, 20), ship_not_before=None))
    lines = lines_table(line(line_number=1, cancel_after=date(2026, 11, 20)))
    assert check_line_deliveries(orders, lines, today=TODAY, settings=RuleSettings()) == []


def test_a_po_whose_line_deadline_passed_is_held(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    body = [*GOOD_PO[:6], "PO1*1*10*EA*4.56*PE*VN*VP-1011", "PO1*2*12*EA*5.81*PE*VN*VP-1012", "DTM*001*20261120",
            "CTT*2*22"]
    (inbox / "po.x12").write_bytes(x12_850(body))
    run_stages(ws, datetime(2026, 11, 27, 2))
    state = StateStore(ws.state_path)
    try:
        record = state.order("acme", "PO-1")
    finally:
        state.close()
    assert record.state == "held" and "CANCEL_DATE_PASSED" in record.hold_codes, record


def test_a_line_s_past_date_beside_the_order_s_own_past_one_is_said_by_the_order():
    orders = orders_table(order(cancel_after=date(2026, 11, 20), ship_not_before=None))
    lines = lines_table(line(line_number=1, line_id="1", cancel_after=date(2026, 11, 25)))
    assert check_line_deliveries(orders, lines, today=TODAY, settings=RuleSettings()) == []
