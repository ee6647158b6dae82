"""A line's own requested delivery or ship date already past: an 850's PO1 loop DTM 002 / 010 dated before the run,
or an 860 pulling a line in (POC CT with DTM 002, the electronics trade's reschedule) to a date already gone. The
order's own past date is DATE_IN_PAST, rescheduled by default (855 ACK01 DR "item accepted - date rescheduled", ACK
068 the first day we ship; schemas.outcomes RESCHEDULE), the buyer told we cannot meet it. A line's own was not
checked: it was answered IA for today (the 855 line, and the 865 of a pull-in, BCA AD), as if the date were met. Now
it is DATE_IN_PAST at the line, as the order's is: DR in the 855, the revised 855, and the 865 (its BCA02 AC: not
every change as asked), each with the day we can ship."""

from __future__ import annotations

from datetime import date

from rules.business.places import check_line_requested_dates
from tests.support import GOOD_PO, x12_850
from tests.test_rg71_electronic_components import _changed, _line_dates

TODAY = date(2026, 11, 26)


def _found(body: list[str]):
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    result = read_interchanges(x12_850(body), file="po.x12")
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    return check_line_requested_dates(orders, lines, today=TODAY)


def test_a_line_s_own_past_delivery_or_ship_date_is_found_at_the_line():
    found = _found(GOOD_PO[:6] + ["PO1*1*12*EA*2.50*PE*UP*073000040482", "DTM*002*20261120",
                                  "PO1*2*6*EA*10*PE*VN*SKU-2", "DTM*010*20261125", "DTM*002*20261130",
                                  "PO1*3*6*EA*10*PE*VN*SKU-2", "DTM*010*20261126",  # today: in time
                                  "CTT*3"])
    assert [(f.code, f.severity, f.location.line_number, f.location.segment_id, f.location.element,
             f.location.value) for f in found] == [("DATE_IN_PAST", "warning", 1, "DTM", "DTM02", "20261120"),
                                                   ("DATE_IN_PAST", "warning", 2, "DTM", "DTM02", "20261125")]
    assert found[0].message.startswith("Line 1: its DTM 002 (delivery requested) 20261120 is before today 20261126")
    assert "(DR)" in found[0].message
    # the order's own date (every line's alike, or the heading's past one beside the line's): check_dates says it
    assert _found(GOOD_PO[:6] + ["DTM*002*20261120", "PO1*1*12*EA*2.50*PE*UP*073000040482", "DTM*002*20261119",
                                 "CTT*1"]) == []
    assert _found(GOOD_PO) == []


def test_an_850_line_dated_in_the_past_is_rescheduled_dr_for_the_day_we_ship(tmp_path):
    """Celestica's line 3 asked for 11-24 (its PO1 loop's DTM 002) on a PO taken 11-25: rescheduled, ACK DR with the
    day it ships (the night's, 11-25), as a heading date already past is; it used to be IA dated that day."""
    from tests.retailer_support import of_its_own, po_segments, segments
    from tests.support import run_stages
    from tests.test_rg71_electronic_components import FIXTURES, NIGHT, WAREHOUSES

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"celestica": ["celestica-850-CL71002211.x12"]}, warehouses=WAREHOUSES)
    po = (ws.drop_root / "celestica" / "inbox" / "celestica-850-CL71002211.x12")
    text = po.read_text(encoding="utf-8")
    assert text.count("DTM*002*20261216") == 1
    po.write_text(text.replace("DTM*002*20261216", "DTM*002*20261124"), encoding="utf-8")
    run_stages(ws, NIGHT)
    ack = po_segments(segments(ws, "celestica", "855"), "CL71002211", "BAK")
    assert [s[1:6] for s in ack if s[0] == "ACK"][2] == ["DR", "1000", "EA", "068", "20261125"]


def test_a_pull_in_to_a_date_already_past_is_answered_dr_by_the_865_with_the_day_we_ship(tmp_path):
    """Celestica (865s) pulls line 3 in to 11-24 (POC CT, DTM 002) on 11-26: the date is kept as the buyer's, the
    line decided again, rescheduled (DATE_IN_PAST at the line), and the 865 says DR 068 11-26, BCA02 AC; it said IA
    AD with 11-26, as if the date asked were met."""
    ws, found, states = _changed(tmp_path, "celestica", [
        "POC*3*CT*1000*1000*EA*0.6**BP*C-100-0317-C*VP*RG71-317T/NOPB", "DTM*002*20261124"], 7121)
    from tests.retailer_support import segments

    assert states == {("celestica", "CL71002211"): "acknowledged"}
    [past] = [m for c, m in found if c == "DATE_IN_PAST"]
    assert past.startswith("Line 3: its DTM 002 (delivery requested) 20261124 is before today 20261126")
    answer = segments(ws, "celestica", "865")
    assert [s[1:3] for s in answer if s[0] == "BCA"] == [["00", "AC"]]
    assert [s[1:6] for s in answer if s[0] == "ACK"] == [["DR", "1000", "EA", "068", "20261126"]]
    assert _line_dates(ws, "celestica")["3"] == date(2026, 11, 24)
    # a pull-in still ahead is taken as asked, as before
    ws, found, _states = _changed(tmp_path / "ahead", "celestica", [
        "POC*3*CT*1000*1000*EA*0.6**BP*C-100-0317-C*VP*RG71-317T/NOPB", "DTM*002*20261204"], 7122)
    answer = segments(ws, "celestica", "865")
    assert [s[1:3] for s in answer if s[0] == "BCA"] == [["00", "AD"]]
    assert [s[1:6] for s in answer if s[0] == "ACK"] == [["IA", "1000", "EA", "068", "20261201"]]


def test_a_pull_in_to_a_date_already_past_is_answered_dr_by_the_revised_855(tmp_path):
    """Jabil (revised 855s) pulls the transceiver reels in to 11-20: its revised 855 says DR for line 2, dated the
    day it ships (the change's day, 11-26), the other lines as before."""
    from tests.retailer_support import po_segments, segments

    ws, found, _states = _changed(tmp_path, "jabil", [
        "POC*2*CT*2*2*RE*1150**BP*311-0513-00*VP*RG71-3232ECAE+T", "DTM*002*20261120"], 7123)
    assert "DATE_IN_PAST" in {c for c, _m in found}
    answers = segments(ws, "jabil", "855")
    revised = po_segments(answers[next(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"]):], "4500718821",
                          "BAK")
    assert [s[1:2] + s[4:6] for s in revised if s[0] == "ACK"][1] == ["DR", "068", "20261126"]
