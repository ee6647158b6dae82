"""Requested ship ranges left by dates3 (tests/test_dates3.py; schemas.orders.RANGE_ENDS, window_named):

1. An 860's POC loop reads its own DTM 010 / 002 range's last day (ORDER_CHANGES requested_ship_end /
   requested_delivery_end, as the 850's PO1 loop does), and engine.changes._take_dates takes it with the date sent:
   after a POC moves a line's range, its window is named as that range, not as a DTM 038 the buyer did not send.
   A window every POC sends as the same range (poc_window) brings that range to the order.
2. An order whose window came from its lines only (every PO1 loop the same DTM 010 range, none in the heading) takes
   the range's first day with its end (ORDERS requested_ship_date), so its opening is named as the range too.
3. SHIP_WINDOW_INCONSISTENT names a reversed window that came from a range as the range (window_named).
4. The 865 echoes a moved DTM 002 range as the range sent (``DTM*002****RD8*a-b``).
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from engine.changes import apply_changes, poc_window
from engine.deadlines import ship_date_findings
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from tests.changes.builders import read_change
from tests.support import GOOD_PO, x12_850

D = date
LINE_1 = "PO1*1*12*EA*2.50*PE*UP*073000040482*VN*SKU-1"
LINE_2 = "PO1*2*6*EA*10*PE*VN*SKU-2"


def _order(po: list[str], lines: bool = True):
    result = read_interchanges(x12_850(po), file="acme-po.x12")
    sets = [s for s in result.transaction_sets() if s[2].set_id == "850"]
    orders, order_lines = read_orders(result, sets, partner="acme", source_sha256="po-sha", lines=lines)
    return orders.to_pylist()[0], order_lines


def _orders_table(po: list[str]) -> pa.Table:
    result = read_interchanges(x12_850(po), file="acme-po.x12")
    sets = [s for s in result.transaction_sets() if s[2].set_id == "850"]
    return read_orders(result, sets, partner="acme", source_sha256="po-sha")[0]


def _with(po: list[str], swaps: dict[str, str]) -> list[str]:
    for old, new in swaps.items():
        assert old in po, old
        po = [new if s == old else s for s in po]
    return [s for seg in po for s in seg.split("~")]


def _shipped(day: date, line: int = 1) -> pa.Table:
    return pa.table({"shipment_id": ["S1"], "partner": ["acme"], "po_number": ["PO-1"], "ship_date": [day],
                     "line_number": [line]})


# 1. ----------------------------------------------------------------------------------------------------------------
def test_a_poc_loop_s_own_ranges_keep_their_ends():
    _header, changes = read_change(["POC*1*CT*12*12*EA", "DTM*010****RD8*20261228-20261231",
                                    "DTM*002****RD8*20270106-20270108", "POC*2*CT*6*6*EA", "DTM*010*20261229"])
    got = changes.to_pylist()
    assert [(r["requested_ship_date"], r["ship_not_before"], r["ship_no_later"], r["requested_ship_end"])
            for r in got] == [(D(2026, 12, 28), D(2026, 12, 28), D(2026, 12, 31), D(2026, 12, 31)),
                              (D(2026, 12, 29), None, None, None)]
    assert [(r["requested_delivery_date"], r["requested_delivery_end"]) for r in got] == [
        (D(2027, 1, 6), D(2027, 1, 8)), (None, None)]


def _line_ranged():
    """PO-1 whose line 1 asks for its own range 2026-12-21 - 2026-12-24 (DTM 010 RD8, no 037 / 038)."""
    return _order(_with(GOOD_PO, {LINE_1: f"{LINE_1}~DTM*010****RD8*20261221-20261224"}))


def _changed(order, lines, pocs):
    header, changes = read_change(pocs)
    result = apply_changes(order, lines, header, changes, shipped=False)
    return result, {r["line_number"]: r for r in result.new_lines.to_pylist()}


def test_a_poc_moving_a_line_s_range_moves_its_end_and_a_late_shipment_names_the_range():
    order, lines = _line_ranged()
    assert lines.to_pylist()[0]["requested_ship_end"] == D(2026, 12, 24)
    result, new = _changed(order, lines, ["POC*1*CT*12*12*EA", "DTM*010****RD8*20261228-20261231"])
    one = new[1]
    assert (one["requested_ship_date"], one["ship_not_before"], one["ship_no_later"], one["requested_ship_end"]) == (
        D(2026, 12, 28), D(2026, 12, 28), D(2026, 12, 31), D(2026, 12, 31))
    [f] = ship_date_findings(_shipped(D(2027, 1, 2)), pa.Table.from_pylist([order]), result.new_lines)
    assert "after its DTM 010 (requested ship range end, line 1) 2026-12-31" in f.finding.message, f.finding.message
    [f] = ship_date_findings(_shipped(D(2026, 12, 27)), pa.Table.from_pylist([order]), result.new_lines)
    assert "before its DTM 010 (requested ship range start, line 1) 2026-12-28" in f.finding.message, \
        f.finding.message


def test_a_poc_s_single_day_ends_the_line_s_range_only_with_a_window_of_its_own():
    order, lines = _line_ranged()
    # a single DTM 010 with its own 037 / 038: the range is over, its window named as sent
    result, new = _changed(order, lines, ["POC*1*CT*12*12*EA", "DTM*010*20261228", "DTM*037*20261228",
                                          "DTM*038*20261230"])
    assert (new[1]["ship_no_later"], new[1]["requested_ship_end"]) == (D(2026, 12, 30), None)
    [f] = ship_date_findings(_shipped(D(2027, 1, 2)), pa.Table.from_pylist([order]), result.new_lines)
    assert "DTM 038 (ship no later, line 1) 2026-12-30" in f.finding.message, f.finding.message
    # a single DTM 010 alone: the line's window (the range's) stays, and so does the end naming it
    _result, new = _changed(order, lines, ["POC*1*CT*12*12*EA", "DTM*010*20261222"])
    assert (new[1]["requested_ship_date"], new[1]["ship_no_later"], new[1]["requested_ship_end"]) == (
        D(2026, 12, 22), D(2026, 12, 24), D(2026, 12, 24))


def test_a_range_every_poc_sends_alike_is_the_order_s_and_its_change_says_the_range():
    order, lines = _order(_with(GOOD_PO, {"DTM*010*20261210": "DTM*010****RD8*20261221-20261224"}))
    pocs = ["POC*1*CT*12*12*EA", "DTM*010****RD8*20261228-20261231", "POC*2*CT*6*6*EA",
            "DTM*010****RD8*20261228-20261231"]
    header, changes = read_change(pocs)
    window = poc_window(header, lines.to_pylist(), changes.to_pylist())
    assert window == {"ship_not_before": D(2026, 12, 28), "ship_no_later": D(2026, 12, 31),
                      "requested_ship_date": D(2026, 12, 28), "requested_ship_end": D(2026, 12, 31)}
    result = apply_changes(order, lines, header, changes, shipped=False)
    assert {k: result.order_changes.get(k) for k in window} == window
    [told] = [f.message for f in result.findings if f.code == "CHANGE_HEADER_APPLIED"]
    assert "DTM 010 range end 2026-12-24 -> 2026-12-31" in told and "038" not in told, told
    # POCs whose ranges differ move each line's own only
    header, changes = read_change([*pocs[:3], "DTM*010****RD8*20261228-20270102"])
    assert "requested_ship_end" not in poc_window(header, lines.to_pylist(), changes.to_pylist())


def test_the_change_s_line_dates_name_a_moved_range_as_the_range():
    from engine.lifecycle.changes import moved_dates

    order, lines = _line_ranged()
    result, _new = _changed(order, lines, ["POC*1*CT*12*12*EA", "DTM*010****RD8*20261228-20261231"])
    said = moved_dates(order, {}, lines, result)
    assert "line 1 DTM 010 (requested ship range end) 2026-12-24 -> 2026-12-31" in said, said


# 2. ----------------------------------------------------------------------------------------------------------------
LINES_RANGED = {"DTM*010*20261210": "", LINE_1: f"{LINE_1}~DTM*010****RD8*20261221-20261224",
                LINE_2: f"{LINE_2}~DTM*010****RD8*20261221-20261224"}


def test_a_window_from_the_lines_range_alone_is_named_as_the_range_at_both_ends():
    po = [s for s in _with(GOOD_PO, LINES_RANGED) if s]
    order, _lines = _order(po)
    assert (order["requested_ship_date"], order["ship_not_before"], order["ship_no_later"],
            order["requested_ship_end"]) == (D(2026, 12, 21), D(2026, 12, 21), D(2026, 12, 24), D(2026, 12, 24))
    assert _order(po, lines=False)[0] == order  # inspect (no lines built) reads the same order
    shipped = pa.table({"shipment_id": ["S1"], "partner": ["acme"], "po_number": ["PO-1"],
                        "ship_date": [D(2026, 12, 20)]})
    [f] = ship_date_findings(shipped, pa.Table.from_pylist([order]))
    assert "before its DTM 010 (requested ship range start) 2026-12-21" in f.finding.message, f.finding.message


def test_a_single_day_every_line_asks_stays_the_lines_own_whichever_way_the_order_is_read():
    po = [s for s in _with(GOOD_PO, {"DTM*010*20261210": "", LINE_1: f"{LINE_1}~DTM*010*20261221",
                                     LINE_2: f"{LINE_2}~DTM*010*20261221"}) if s]
    order, lines = _order(po)
    assert order["requested_ship_date"] is None and order["requested_ship_end"] is None
    assert [r["requested_ship_date"] for r in lines.to_pylist()] == [D(2026, 12, 21)] * 2
    assert _order(po, lines=False)[0] == order  # it used to be the order's when read without its lines
    # a heading's own single DTM 010 stays the order's beside the lines' common range
    heading = [s for s in _with(GOOD_PO, {k: v for k, v in LINES_RANGED.items() if k != "DTM*010*20261210"}) if s]
    order, _lines = _order(heading)
    assert (order["requested_ship_date"], order["ship_not_before"], order["ship_no_later"]) == (
        D(2026, 12, 10), D(2026, 12, 21), D(2026, 12, 24))


# 3. ----------------------------------------------------------------------------------------------------------------
def test_a_reversed_range_is_inconsistent_naming_the_range_sent():
    from rules.business import check_dates
    from schemas.rule_settings import RuleSettings

    po = [s for s in _with(GOOD_PO, {"DTM*010*20261210": "DTM*010****RD8*20261230-20261221"}) if s]
    order, _lines = _order(po)
    assert (order["ship_not_before"], order["ship_no_later"], order["requested_ship_end"]) == (
        D(2026, 12, 30), D(2026, 12, 21), D(2026, 12, 21))
    found = [f.message for f in check_dates(_orders_table(po), today=D(2026, 11, 27),
                                            settings=RuleSettings()) if f.code == "SHIP_WINDOW_INCONSISTENT"]
    assert found == ["DTM 010 (requested ship range start) 20261230 is after DTM 010 (requested ship range end) "
                     "20261221."], found
    # a 037 / 038 the buyer sent are named as sent
    po = [s for s in _with(GOOD_PO, {"DTM*010*20261210": "DTM*037*20261230~DTM*038*20261221"}) if s]
    found = [f.message for f in check_dates(_orders_table(po), today=D(2026, 11, 27),
                                            settings=RuleSettings()) if f.code == "SHIP_WINDOW_INCONSISTENT"]
    assert found == ["DTM 037 (ship not before) 20261230 is after DTM 038 (ship no later) 20261221."], found


def test_a_line_s_reversed_range_is_inconsistent_naming_its_range():
    from rules.business import check_line_windows
    from schemas.rule_settings import RuleSettings

    po = _with(GOOD_PO, {LINE_1: f"{LINE_1}~DTM*010****RD8*20261230-20261221"})
    _order_, lines = _order(po)
    found = [f.message for f in check_line_windows(_orders_table(po), lines, today=D(2026, 11, 27),
                                                   settings=RuleSettings()) if f.code == "SHIP_WINDOW_INCONSISTENT"]
    assert found == ["Line 1: its DTM 010 (requested ship range start) 20261230 is after its DTM 010 (requested ship "
                     "range end) 20261221."], found


# 4. ----------------------------------------------------------------------------------------------------------------
def _865_dtms(header: dict, moved: dict) -> list[list[str]]:
    from engine.changes import ChangeResult
    from engine.po_change_ack import build_865
    from schemas.orders import ORDER_LINES

    result = ChangeResult(new_lines=ORDER_LINES.empty_table(), changed_line_numbers=frozenset(),
                          deleted_line_numbers=frozenset(), released=pa.table({}), cancelled=False, rejected=False,
                          findings=[], line_results=[], order_changes=moved)
    head = {"po_number": "PO-1", "po_date": D(2026, 11, 26), "change_date": D(2026, 11, 28), **header}
    return [s for s in build_865(head, result, today=D(2026, 11, 29)) if s[0] == "DTM"]


def test_the_865_echoes_a_moved_delivery_range_as_the_range_sent():
    from engine.changes import heading_changes

    order = {"po_number": "PO-1", "requested_delivery_date": D(2027, 1, 5), "requested_delivery_end": D(2027, 1, 8)}
    moved = {"requested_delivery_date": D(2027, 1, 10), "requested_delivery_end": D(2027, 1, 12)}
    assert heading_changes(order, moved) == moved
    assert _865_dtms(moved, moved) == [["DTM", "002", "", "", "", "RD8", "20270110-20270112"]]
    # its end alone moved: the range, as sent
    header = {"requested_delivery_date": D(2027, 1, 5), "requested_delivery_end": D(2027, 1, 9)}
    assert _865_dtms(header, heading_changes(order, header)) == [
        ["DTM", "002", "", "", "", "RD8", "20270105-20270109"]]
    # a single day on the range's first day ends the range: echoed as the day sent (it used to echo no DTM)
    header = {"requested_delivery_date": D(2027, 1, 5)}
    changed = heading_changes(order, header)
    assert changed == {"requested_delivery_end": None}
    assert _865_dtms(header, changed) == [["DTM", "002", "20270105"]]
