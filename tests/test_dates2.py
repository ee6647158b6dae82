"""Dates left by the rg87 sweep (dates in inbound orders).

1. Business-day transit: `[fulfilment.asn] transit_business_days = true` counts the partner's transit_days as
   business days (Saturdays, Sundays and `transit_holidays` skipped: schemas.orders.Transit) wherever the transit time
   moves a date: the 855's ship day for a delivery window or date (engine.answer.first_ship_day, a line's own too), a
   DTM 063's last ship day (rules' DATE_IN_PAST on arrival, SHIPPED_OUTSIDE_WINDOW, the allocation's deliver_by:
   schemas.orders.last_ship_day / last_ship_days) and the 856's estimated delivery (DTM 017). Calendar days stay the
   default. (The night test: tests/test_rg87_order_dates.py
   test_a_business_day_transit_moves_the_last_ship_day_and_the_estimated_delivery_past_the_weekend.)
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest
from pydantic import ValidationError

from engine.answer import first_ship_day
from schemas.fulfilment import AsnSettings
from schemas.orders import Transit, last_date_named, last_ship_day, last_ship_days
from tests.test_delivery_window_ship_day import WINDOW, _acme_855

FRI, SAT, SUN, MON, TUE = (date(2027, 1, d) for d in (8, 9, 10, 11, 12))
BUSINESS = Transit(2, business_days=True)


def test_business_days_skip_the_weekend_and_the_holidays_calendar_days_do_not():
    assert (BUSINESS.after(FRI), BUSINESS.before(MON)) == (TUE, date(2027, 1, 7))
    assert (Transit(2).after(FRI), Transit(2).before(MON)) == (SUN, SAT)  # the default: calendar days
    assert BUSINESS.after(SAT) == TUE and BUSINESS.before(SUN) == date(2027, 1, 7)  # a weekend day counts none
    holiday = Transit(2, business_days=True, holidays=frozenset({MON}))  # a carrier's holiday is no transit day
    assert (holiday.after(FRI), holiday.before(TUE)) == (date(2027, 1, 13), date(2027, 1, 7))
    assert Transit(0, business_days=True).before(SUN) == SUN
    assert (str(BUSINESS), str(Transit(3)), str(Transit(1))) == ("2 business days", "3 days", "1 day")


def test_the_last_ship_day_of_a_063_counts_business_days_for_a_column_and_in_its_name():
    assert last_ship_day(MON, BUSINESS) == date(2027, 1, 7)
    assert last_ship_day(MON, 2) == SAT  # a number of days: calendar days, as before
    got = last_ship_days(pa.chunked_array([[MON, MON, None, MON]], pa.date32()),
                         pa.chunked_array([["hd", "acme", "hd", "none"]]), {"hd": BUSINESS, "acme": 2})
    assert got.to_pylist() == [date(2027, 1, 7), SAT, None, MON]
    assert last_date_named("do_not_deliver_after", "DTM 063 (do not deliver after)", MON, BUSINESS) == (
        "DTM 063 (do not deliver after) 2027-01-11 less 2 business days in transit (the last ship day 2027-01-07)")


def test_the_profile_says_business_days_and_its_holidays_and_calendar_days_stay_the_default():
    assert AsnSettings(transit_days=2).transit == Transit(2)
    assert AsnSettings().transit is None
    got = AsnSettings(transit_days=2, transit_business_days=True, transit_holidays=[date(2026, 12, 25)]).transit
    assert got == Transit(2, True, frozenset({date(2026, 12, 25)}))
    with pytest.raises(ValidationError, match="set transit_business_days"):
        AsnSettings(transit_days=2, transit_holidays=[date(2026, 12, 25)])  # holidays of calendar days: nothing
    with pytest.raises(ValidationError, match="set transit_days"):
        AsnSettings(transit_business_days=True)


def test_a_delivery_window_s_ship_day_counts_business_days_back_from_its_opening():
    """DTM 064 Monday 2026-12-21, 3 days in transit: calendar days ship Friday 12-18, business days Wednesday 12-16,
    and with Friday 12-18 a carrier's holiday Tuesday 12-15."""
    before = date(2026, 12, 21)
    assert first_ship_day(None, None, before, 3) == date(2026, 12, 18)
    assert first_ship_day(None, None, before, Transit(3, True)) == date(2026, 12, 16)
    assert first_ship_day(None, None, before, Transit(3, True, frozenset({date(2026, 12, 18)}))) == date(2026, 12, 15)


@pytest.mark.parametrize("setting, day", [("", "20261218"), ("\ntransit_business_days = true", "20261216"),
                                          ("\ntransit_business_days = true\ntransit_holidays = [2026-12-18]",
                                           "20261215")], ids=["calendar", "business", "holiday"])
def test_the_855_promises_a_delivery_window_less_business_days_for_the_order_and_a_line_s_own(tmp_path, setting, day):
    """The 855's ACK 068 of ACME's PO (DTM 064 2026-12-21, 3 days in transit as the profile says), and of a PO whose
    line 2 sends that window in its own PO1 loop (decisions' line ship days: line 1 the run's day)."""
    acks = _acme_855(tmp_path / "order", WINDOW, f"3{setting}")  # the profile's transit_days line, and the setting
    assert {a[-1] for a in acks} == {day}, acks
    lines = ["PO1*1*10*EA*4.56*PE*VN*VP-1011", "PO1*2*12*EA*5.81*PE*VN*VP-1012", "DTM*064*20261221", "CTT*2*22"]
    acks = _acme_855(tmp_path / "line", [], f"3{setting}", lines)
    assert [a[-1] for a in acks] == ["20261127", day], acks


def test_a_063_that_business_days_put_out_of_reach_is_flagged_on_arrival():
    """DTM 063 Monday 2027-01-11 read on Friday the 8th with 2 business days in transit: the last ship day was
    Thursday the 7th (calendar days: Saturday, still ahead): DATE_IN_PAST (a warning), shipped today it arrives
    Tuesday the 12th."""
    from rules.business import check_line_deliveries
    from schemas.rule_settings import PartnerRuleOverrides, RuleSettings
    from tests.business.tables import line, lines_table, order, orders_table

    orders = orders_table(order(do_not_deliver_after=date(2027, 2, 20), ship_not_before=None, ship_no_later=None))
    lines = lines_table(line(line_number=1), line(line_number=2, line_id="2", do_not_deliver_after=MON))
    calendar = RuleSettings(partners={"acme": PartnerRuleOverrides(transit_days=2)})
    assert check_line_deliveries(orders, lines, today=FRI, settings=calendar) == []
    business = RuleSettings(partners={"acme": PartnerRuleOverrides(transit_days=2, transit_business_days=True)})
    [found] = check_line_deliveries(orders, lines, today=FRI, settings=business)
    assert (found.code, found.location.line_number) == ("DATE_IN_PAST", 2), found
    assert ("less 2 business days in transit (the last ship day 20270107) is before today 20270108: shipped today "
            "the line arrives 20270112") in found.message, found.message



def test_a_line_s_own_late_063_names_its_business_days_in_transit():
    """BACKORDER_AFTER_CANCEL for a line whose own last date (a 063 less the transit) came first names the transit
    as the partner counts it: "a 063 less 2 business days in transit" (it said "{days} days" of a number)."""
    from engine.allocate import LATE
    from engine.deadlines import late_backorder_findings

    late = pa.Table.from_pylist([{"partner": "hd", "order_ref": "r", "po_number": "P1", "line_number": 2,
                                  "units": 5, "promised_date": date(2027, 1, 20), "deliver_by": date(2027, 1, 7),
                                  "rejected": True}], schema=LATE)
    orders = pa.Table.from_pylist([{"partner": "hd", "po_number": "P1", "source_file": "po.x12", "isa13": "1",
                                    "gs06": "1", "st02": "0001", "cancel_after": date(2027, 2, 10),
                                    "do_not_deliver_after": None, "ship_no_later": None}])
    (found,) = late_backorder_findings(late, orders, transit={"hd": BUSINESS})
    assert "line 2's own last date (its DTM 001 / 063) 2027-01-07 (a 063 less 2 business days in transit)" in (
        found.finding.message), found.finding.message
    (found,) = late_backorder_findings(late, orders, transit={"hd": 3})
    assert "(a 063 less 3 days in transit)" in found.finding.message, found.finding.message


def test_an_order_s_063_that_business_days_put_out_of_reach_is_flagged_on_arrival():
    """The order's own DTM 063 Monday 2027-01-11 read on Friday the 8th, 2 business days in transit: DATE_IN_PAST
    (the last ship day Thursday the 7th; shipped today the goods arrive Tuesday the 12th); calendar days: nothing."""
    from rules.business import check_dates
    from schemas.rule_settings import PartnerRuleOverrides, RuleSettings
    from tests.business.tables import order, orders_table

    orders = orders_table(order(po_date=date(2027, 1, 4), do_not_deliver_after=MON, ship_not_before=None,
                                ship_no_later=None, requested_ship_date=None, requested_delivery_date=None))
    calendar = RuleSettings(partners={"acme": PartnerRuleOverrides(transit_days=2)})
    assert [f.code for f in check_dates(orders, today=FRI, settings=calendar)] == []
    business = RuleSettings(partners={"acme": PartnerRuleOverrides(transit_days=2, transit_business_days=True)})
    [found] = check_dates(orders, today=FRI, settings=business)
    assert found.code == "DATE_IN_PAST", found
    assert ("20270111 less 2 business days in transit (the last ship day 20270107) is before today 20270108: "
            "shipped today the goods arrive 20270112") in found.message, found.message

# 2. A window that came from a DTM*010 RD8 range (parsers.x12_dates.dtm_window) is stored as ORDERS ship_not_before /
#    ship_no_later, the columns of DTM 037 / 038; the range's end is kept beside them (requested_ship_end:
#    schemas.orders.RANGE_ENDS, set by parsers.orders_850, orders_860 and line_dates), so the texts name the DTM 010
#    range the buyer sent (schemas.orders.window_named: engine.deadlines._passed, engine.changes.dates_said for
#    CHANGE_HEADER_APPLIED, the 865's DTMs, status), never a 037 / 038 it did not send. (tests/test_dates3.py.)
def test_a_shipment_after_a_requested_ship_range_names_the_range_the_buyer_sent(tmp_path):
    """Wayfair sent ``DTM*010****RD8*20261221-20261230`` and no 037/038; its goods left 2026-12-31: the warning names
    its DTM 010 range and its end, not a DTM 038 it never sent."""
    from tests.test_rg87_order_dates import WF_SHIPPED, _variant

    _ws, found, _states = _variant("wayfair", "WF8700301", tmp_path, shipped_swaps=[WF_SHIPPED])
    [told] = [f[3] for f in found if f[0] == "SHIPPED_OUTSIDE_WINDOW"]
    assert "DTM 010" in told and "2026-12-30" in told, told
    assert "038" not in told, told


def test_an_860_moving_a_requested_ship_range_names_the_range_it_moved(tmp_path):
    """Wayfair's 860 moves its range to 2026-12-28 - 2027-01-05: CHANGE_HEADER_APPLIED names the DTM 010 range moved,
    not a DTM 038 neither document sent."""
    from tests.test_rg87_order_dates import _changed_night

    _ws, found, _states = _changed_night(tmp_path, "2027-01-04")
    [moved] = [m for c, m in found if c == "CHANGE_HEADER_APPLIED"]
    assert "2027-01-05" in moved and "DTM 038" not in moved and "DTM 037" not in moved, moved


# 3. A delivery range (DTM*002 RD8) keeps its end (requested_delivery_end), a day to arrive by. It is not DTM 063
#    (do_not_deliver_after): 063 is a last date here (schemas.orders.LAST_DATE_COLUMNS), the allocation's deliver_by,
#    a backorder's expiry (BACKORDER_AFTER_CANCEL, backorders.past_lines) and a held order's CANCEL_DATE_PASSED. A
#    shipment that cannot arrive by the range's end (less the days in transit) is SHIPPED_OUTSIDE_WINDOW naming the
#    range (engine.deadlines); nothing is cancelled or expired by it (tests/test_dates3.py).
def test_a_requested_delivery_range_keeps_its_end_without_it_cancelling_anything():
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from tests.retailer_support import recounted
    from tests.test_rg87_order_dates import FIXTURES

    path = FIXTURES / "drops" / "wayfair" / "WF850_WF8700301.x12"
    data = path.read_bytes().replace(b"DTM*002****D8*20270105", b"DTM*002****RD8*20270105-20270108")
    parsed = read_interchanges(recounted(data))
    orders, _ = read_orders(parsed, list(parsed.transaction_sets()), partner="wayfair")
    [got] = orders.to_pylist()
    assert (got["requested_delivery_date"], got["do_not_deliver_after"], got["cancel_after"]) == (
        date(2027, 1, 5), None, None)
    assert got["requested_delivery_end"] == date(2027, 1, 8)
