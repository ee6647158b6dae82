"""SDQ (destination quantities: a PO1 line's quantity split over stores, as retailers' spreadsheet
orders send it) is not applied: the line ships to the order's ship-to as one. That is said once per
order (SDQ_NOT_APPLIED), and a line whose SDQ quantities do not add up to its PO102 is named
(SDQ_QUANTITY_MISMATCH); both are warnings, never in the 997, and the order is taken as sent."""

from __future__ import annotations

from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from tests.support import GOOD_PO, x12_850
from tests.test_acks_and_outputs import render, run, segments

HEAD = GOOD_PO[:6]
# a line of 36 over five stores in two SDQ segments (ten pairs at most per segment), one of 12 over two
LINE_1 = ["PO1*1*36*EA*2.50*PE*UP*073000040482", "PO4*6*1*EA",
          "SDQ*EA*92*0101*6*0102*6*0103*6*0104*6", "SDQ*EA*92*0105*12"]
LINE_2 = ["PO1*2*12*EA*10*PE*VN*SKU-2", "SDQ*EA*92*0101*6*0107*6"]


def found(body: list[str]) -> list[tuple[str, str | None, str | None, int | None]]:
    result = read_interchanges(x12_850(body))
    return [(f.code, f.location.element, f.location.value, f.location.segment_position)
            for f in check_structure(result, list(result.transaction_sets()))]


def test_an_order_with_store_quantities_is_told_once_that_they_are_not_applied():
    got = found(HEAD + LINE_1 + LINE_2 + ["CTT*2*48"])
    assert [g[0] for g in got] == ["SDQ_NOT_APPLIED"]
    [(_, element, value, position)] = got
    assert element == "SDQ03" and position == 10  # the first SDQ
    result = read_interchanges(x12_850(HEAD + LINE_1 + LINE_2 + ["CTT*2*48"]))
    [f] = check_structure(result, list(result.transaction_sets()))
    assert f.severity == "warning"
    assert "2 PO1 lines" in f.message and "6 destinations" in f.message and "ship-to" in f.message


def test_a_line_whose_store_quantities_do_not_add_up_is_named():
    short = ["PO1*1*36*EA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*6*0102*6", "SDQ*EA*92*0105*12"]
    got = found(HEAD + short + LINE_2 + ["CTT*2*48"])
    assert sorted(g[0] for g in got) == ["SDQ_NOT_APPLIED", "SDQ_QUANTITY_MISMATCH"]
    result = read_interchanges(x12_850(HEAD + short + LINE_2 + ["CTT*2*48"]))
    mismatch = [f for f in check_structure(result, list(result.transaction_sets()))
                if f.code == "SDQ_QUANTITY_MISMATCH"][0]
    assert (mismatch.location.segment_id, mismatch.location.element, mismatch.location.value) == ("PO1", "PO102", "36")
    assert mismatch.location.segment_position == 8 and "add up to 24" in mismatch.message


def test_decimal_store_quantities_add_up_exactly_and_another_unit_is_not_compared():
    tenths = ["PO1*1*0.3*EA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*0.1*0102*0.2"]
    assert [g[0] for g in found(HEAD + tenths + ["CTT*1*0.3"])] == ["SDQ_NOT_APPLIED"]
    cases = ["PO1*1*3*CA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*12*0102*24"]  # eaches of 3 cases
    assert [g[0] for g in found(HEAD + cases + ["CTT*1*3"])] == ["SDQ_NOT_APPLIED"]


def test_store_quantities_do_not_reject_or_change_the_order():
    out = run(x12_850(HEAD + LINE_1 + LINE_2 + ["CTT*2*48"]))
    assert [f.code for f in out.findings] == ["SDQ_NOT_APPLIED"]
    assert out.error_count == 0 and out.orders.num_rows == 1
    assert [str(q) for q in out.lines["quantity"].to_pylist()] == ["36.0000", "12.0000"]
    segs = segments(render(out)["997"])
    assert ["AK5", "A"] in segs and not [s for s in segs if s[0] in ("AK3", "AK4")]


def test_an_order_without_store_quantities_raises_nothing():
    assert found(GOOD_PO) == []
