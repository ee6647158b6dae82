"""SCH line schedules (one PO1 line delivered on several dates, its quantity split over them: X12's 850
note asks that SCH02 be PO103's unit and the SCH01 quantities add up to PO102) are not applied: we keep no
dates per line, so the line is allocated, acknowledged and shipped whole on the order's dates. That is
said once per order (SCH_NOT_APPLIED, naming each schedule for a person to pass on), and a line whose
schedule quantities do not add up to its PO102 is named (SCH_QUANTITY_MISMATCH); both are warnings, never
in the 997, and the order is taken as sent. The schedule used to be dropped without a word."""

from __future__ import annotations

from datetime import date

from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from tests.support import GOOD_PO, x12_850
from tests.test_acks_and_outputs import render, run, segments

HEAD = GOOD_PO[:6]
# 12 EA delivered in two halves a week apart, and a line of 6 over three ship dates (005010's SCH shape:
# SCH05 qualifier 002 delivery requested / 010 requested ship, SCH06 date)
LINE_1 = ["PO1*1*12*EA*2.50*PE*UP*073000040482", "SCH*6*EA***002*20261210", "SCH*6*EA***002*20261217"]
LINE_2 = ["PO1*2*6*EA*10*PE*VN*SKU-2", "SCH*2*EA***010*20261205", "SCH*2*EA***010*20261212",
          "SCH*2*EA***010*20261219"]


def found(body: list[str]) -> list:
    result = read_interchanges(x12_850(body))
    return check_structure(result, list(result.transaction_sets()))


def test_an_order_with_schedules_is_told_once_naming_each_date():
    [f] = found(HEAD + LINE_1 + LINE_2 + ["CTT*2*18"])
    assert (f.code, f.severity) == ("SCH_NOT_APPLIED", "warning")
    assert (f.location.segment_id, f.location.element, f.location.value) == ("SCH", "SCH06", "20261210")
    assert f.location.segment_position == 9  # the first SCH
    assert "2 PO1 lines" in f.message
    assert "line 1: 6 EA 002 20261210, 6 EA 002 20261217" in f.message
    assert "line 2: 2 EA 010 20261205, 2 EA 010 20261212, 2 EA 010 20261219" in f.message


def test_a_line_whose_schedule_does_not_add_up_is_named():
    short = ["PO1*1*12*EA*2.50*PE*UP*073000040482", "SCH*6*EA***002*20261210", "SCH*4*EA***002*20261217"]
    got = found(HEAD + short + LINE_2 + ["CTT*2*18"])
    assert sorted(f.code for f in got) == ["SCH_NOT_APPLIED", "SCH_QUANTITY_MISMATCH"]
    [mismatch] = [f for f in got if f.code == "SCH_QUANTITY_MISMATCH"]
    loc = mismatch.location
    assert (loc.segment_id, loc.element, loc.value, loc.segment_position) == ("PO1", "PO102", "12", 8)
    assert "add up to 10" in mismatch.message and "SCH schedule quantities" in mismatch.message


def test_schedules_in_another_unit_are_not_compared_and_many_are_counted():
    cases = ["PO1*1*2*CA*30*PE*VN*SKU-1", "SCH*12*EA***002*20261210", "SCH*12*EA***002*20261217"]
    assert [f.code for f in found(HEAD + cases + ["CTT*1*2"])] == ["SCH_NOT_APPLIED"]
    weekly = ["PO1*1*12*EA*2.50*PE*VN*SKU-1"] + [f"SCH*1*EA***002*202612{d:02d}" for d in range(1, 13)]
    [f] = found(HEAD + weekly + ["CTT*1*12"])
    assert "202612 10" not in f.message and "20261210" in f.message and "20261211" not in f.message
    assert f.message.count(" EA 002 ") == 10 and "and 2 more" in f.message


def test_schedules_do_not_reject_or_change_the_order():
    out = run(x12_850(HEAD + LINE_1 + LINE_2 + ["CTT*2*18"]))
    assert [f.code for f in out.findings] == ["SCH_NOT_APPLIED"]
    assert out.error_count == 0 and out.orders.num_rows == 1
    assert [str(q) for q in out.lines["quantity"].to_pylist()] == ["12.0000", "6.0000"]
    segs = segments(render(out)["997"])
    assert ["AK5", "A"] in segs and not [s for s in segs if s[0] in ("AK3", "AK4")]


def test_an_order_without_schedules_raises_nothing():
    assert found(GOOD_PO) == []


# --- DTM dates in PO1 loops: kept per order only ------------------------------------------------------------


def test_line_dates_the_heading_does_not_carry_are_one_warning_naming_each():
    """A PO1 loop's DTM (of the line, or of one of its N1 destinations) whose qualifier and date the heading
    does not carry and the line does not keep (a 017 estimated delivery: a line keeps its 002/010/037/038/001/063/
    064) is named once per order (LINE_DATES_NOT_APPLIED). A line date equal to the heading's loses nothing; a
    reference date (N9 loop) or a subline's is no line's; a line's own 038 (its window's end) is kept, not named."""
    body = HEAD + ["PO1*1*12*EA*2.50*PE*UP*073000040482", "DTM*010*20261210", "DTM*017*20261215",
                   "N9*L1*NOTE", "DTM*007*20261201",
                   "PO1*2*6*EA*10*PE*VN*SKU-2", "N1*ST*DC 8*92*DC08", "DTM*002*20261218",
                   "PO1**6*EA*10*PE*VN*SKU-2", "SLN*1**I*6*EA", "DTM*002*20261219", "CTT*3*24"]
    # line 2's own N1*ST (DC 8) is another party than the heading's (DC 7): a true LINE_SHIP_TO_NOT_APPLIED too
    assert [g.code for g in found(body)].count("LINE_SHIP_TO_NOT_APPLIED") == 1
    [f] = [g for g in found(body) if g.code != "LINE_SHIP_TO_NOT_APPLIED"]
    assert (f.code, f.severity, f.location.segment_id, f.location.value, f.location.segment_position) == (
        "LINE_DATES_NOT_APPLIED", "warning", "DTM", "20261215", 10)
    assert "(line 1: DTM 017 20261215; line 2: DTM 002 20261218)" in f.message
    assert "20261210" not in f.message and "20261201" not in f.message and "20261219" not in f.message
    window = [b if b != "DTM*017*20261215" else "DTM*038*20261215" for b in body]
    [f] = [g for g in found(window) if g.code != "LINE_SHIP_TO_NOT_APPLIED"]
    assert "(line 2: DTM 002 20261218)" in f.message and "DTM 038" not in f.message
    assert [g.code for g in found(HEAD + ["PO1*1*12*EA*2.50*PE*VN*SKU-1", "DTM*010*20261210", "CTT*1*12"])] == []
    out = run(x12_850(body))
    assert sorted(g.code for g in out.findings) == ["LINE_DATES_NOT_APPLIED", "LINE_SHIP_TO_NOT_APPLIED"]
    assert out.error_count == 0
    segs = segments(render(out)["997"])
    assert ["AK5", "A"] in segs and not [s for s in segs if s[0] in ("AK3", "AK4")]


def test_a_line_s_own_cancel_and_do_not_deliver_dates_are_kept_not_named():
    """A PO1 loop's own DTM 001/063/064 (before its N1 or SCH) is kept per line (parsers.orders_850.line_dates):
    not named; one after the line's N1 (the destination's), or a second DTM 001 of the line, still is."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    body = HEAD + ["PO1*1*12*EA*2.50*PE*UP*073000040482", "DTM*001*20261220", "DTM*063****RD8*20261201-20261222",
                   "DTM*001*20261225",
                   "PO1*2*6*EA*10*PE*VN*SKU-2", "N1*ST*DC 8*92*DC08", "DTM*001*20261218", "CTT*2*18"]
    # line 2's own N1*ST (DC 8) is another party than the heading's (DC 7): a true LINE_SHIP_TO_NOT_APPLIED too
    assert [g.code for g in found(body)].count("LINE_SHIP_TO_NOT_APPLIED") == 1
    [f] = [g for g in found(body) if g.code != "LINE_SHIP_TO_NOT_APPLIED"]
    assert f.code == "LINE_DATES_NOT_APPLIED"
    assert "(line 1: DTM 001 20261225; line 2: DTM 001 20261218)" in f.message
    result = read_interchanges(x12_850(body), file="po.x12")
    _orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    assert lines.select(["cancel_after", "do_not_deliver_after", "do_not_deliver_before"]).to_pylist() == [
        {"cancel_after": date(2026, 12, 20), "do_not_deliver_after": date(2026, 12, 22), "do_not_deliver_before": None},
        {"cancel_after": None, "do_not_deliver_after": None, "do_not_deliver_before": None}]
    assert found(HEAD + ["PO1*1*12*EA*2.50*PE*VN*SKU-1", "DTM*001*20261220", "CTT*1*12"]) == []
