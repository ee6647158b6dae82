"""Requested dates sent as ranges keep their ends (schemas.orders.RANGE_ENDS), left by dates2:

1. A ship window read from a ``DTM*010****RD8*a-b`` range (no 037 / 038) keeps its source: ORDERS / ORDER_LINES
   requested_ship_end, stored (ADDED_LATER / LINES_ADDED_LATER), set by parsers.orders_850 (heading, PO1 loops) and
   orders_860 (heading), moved by engine.changes.heading_changes. SHIPPED_OUTSIDE_WINDOW, CHANGE_HEADER_APPLIED, the
   865's DTMs and status name the DTM 010 range the buyer sent (schemas.orders.window_named), never a 037 / 038 it did
   not send. (The night tests: tests/test_dates2.py.)
2. A ``DTM*002****RD8*a-b`` requested delivery range keeps its end (requested_delivery_end), a day to arrive by: a
   shipment that cannot arrive by it (its last ship day: the end less the days in transit) is SHIPPED_OUTSIDE_WINDOW
   naming the range; it is no last date (schemas.orders.LAST_DATES): nothing is cancelled or expired by it.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from engine.answer import _with_deliver_by
from engine.changes import ChangeResult, dates_said, heading_changes
from engine.deadlines import ship_date_findings
from engine.po_change_ack import build_865
from parsers.orders_850 import read_orders
from parsers.orders_860 import read_changes
from parsers.x12_reader import read_interchanges
from schemas.orders import LAST_DATE_COLUMNS, ORDER_LINES, Transit, last_dates, window_named
from tests.retailer_support import recounted
from tests.test_rg87_order_dates import FIXTURES

WAYFAIR_850 = FIXTURES / "drops" / "wayfair" / "WF850_WF8700301.x12"
WAYFAIR_860 = FIXTURES / "changes" / "WF860_WF8700301.x12"
D = date


def _orders(swaps):
    data = WAYFAIR_850.read_bytes()
    for old, new in swaps:
        assert old in data, old
        data = data.replace(old, new)
    parsed = read_interchanges(recounted(data))
    return read_orders(parsed, list(parsed.transaction_sets()), partner="wayfair")


def test_the_heading_s_ship_range_keeps_its_end_and_a_single_day_keeps_none():
    orders, _lines = _orders([])
    [got] = orders.to_pylist()
    assert (got["requested_ship_date"], got["ship_not_before"], got["ship_no_later"], got["requested_ship_end"]) == (
        D(2026, 12, 21), D(2026, 12, 21), D(2026, 12, 30), D(2026, 12, 30))
    assert got["requested_delivery_end"] is None  # DTM*002****D8: one day
    orders, _lines = _orders([(b"DTM*010****RD8*20261221-20261230", b"DTM*010****D8*20261221")])
    [got] = orders.to_pylist()
    assert (got["requested_ship_date"], got["requested_ship_end"], got["ship_no_later"]) == (
        D(2026, 12, 21), None, None)


def test_a_po1_loop_s_own_ranges_keep_their_ends():
    _orders_, lines = _orders([])  # the fixture's lines state no dates of their own
    first = lines.to_pylist()[0]
    assert first["requested_ship_end"] is None and first["requested_delivery_end"] is None
    po1 = WAYFAIR_850.read_bytes().split(b"~")
    at = next(k for k, s in enumerate(po1) if s.strip().startswith(b"PO1*"))
    own = po1[at].strip() + b"~DTM*010****RD8*20261222-20261224~DTM*002****RD8*20270106-20270107"
    _orders_, lines = _orders([(po1[at].strip(), own)])
    first = lines.to_pylist()[0]
    assert (first["requested_ship_date"], first["ship_not_before"], first["ship_no_later"],
            first["requested_ship_end"]) == (D(2026, 12, 22), D(2026, 12, 22), D(2026, 12, 24), D(2026, 12, 24))
    assert (first["requested_delivery_date"], first["requested_delivery_end"], first["do_not_deliver_after"],
            first["cancel_after"]) == (D(2027, 1, 6), D(2027, 1, 7), None, None)


def test_an_860_heading_s_ranges_keep_their_ends():
    data = WAYFAIR_860.read_bytes()
    for old, new in ((b"DTM*010****RD8*20261228-20270105~", b"DTM*010****RD8*20261228-20270105~"
                                                             b"DTM*002****RD8*20270110-20270112~"),
                     (b"SE*5*", b"SE*6*")):  # one segment more
        assert old in data, old
        data = data.replace(old, new)
    parsed = read_interchanges(data)
    headers, _changes = read_changes(parsed, list(parsed.transaction_sets()), partner="wayfair")
    [got] = headers.to_pylist()
    assert (got["requested_ship_date"], got["ship_no_later"], got["requested_ship_end"]) == (
        D(2026, 12, 28), D(2027, 1, 5), D(2027, 1, 5))
    assert (got["requested_delivery_date"], got["requested_delivery_end"], got["do_not_deliver_after"]) == (
        D(2027, 1, 10), D(2027, 1, 12), None)


RANGED = {"requested_ship_date": D(2026, 12, 21), "ship_not_before": D(2026, 12, 21),
          "ship_no_later": D(2026, 12, 30), "requested_ship_end": D(2026, 12, 30)}


def test_a_window_side_is_named_by_the_dtm_the_buyer_sent():
    assert window_named("ship_no_later", "038", "ship no later", RANGED) == ("010", "requested ship range end")
    assert window_named("ship_not_before", "037", "ship not before", RANGED) == ("010", "requested ship range start")
    sent = {**RANGED, "ship_no_later": D(2026, 12, 31)}  # a 038 sent beside the range is its own
    assert window_named("ship_no_later", "038", "ship no later", sent) == ("038", "ship no later")
    plain = {k: v for k, v in RANGED.items() if k != "requested_ship_end"}  # 010 one day, 037 / 038 sent
    assert window_named("ship_no_later", "038", "ship no later", plain) == ("038", "ship no later")
    assert window_named("ship_not_before", "037", "ship not before", plain) == ("037", "ship not before")
    assert window_named("cancel_after", "001", "cancel after", RANGED) == ("001", "cancel after")


def _shipped(day: date) -> pa.Table:
    return pa.table({"shipment_id": ["S1"], "partner": ["wayfair"], "po_number": ["WF1"], "ship_date": [day],
                     "line_number": [1]})


def _order(**dates) -> pa.Table:
    return pa.table({"partner": ["wayfair"], "po_number": ["WF1"],
                     **{c: pa.array([dates.get(c)], pa.date32()) for c in (
                         "ship_not_before", "ship_no_later", "cancel_after", "do_not_deliver_after",
                         "requested_delivery_end", "requested_ship_date", "requested_ship_end")}})


def test_a_shipment_after_the_range_end_names_the_range_and_its_line_s_own_range_too():
    [f] = ship_date_findings(_shipped(D(2026, 12, 31)), _order(**RANGED))
    assert "after its DTM 010 (requested ship range end) 2026-12-30" in f.finding.message and "038" not in \
        f.finding.message
    [f] = ship_date_findings(_shipped(D(2026, 12, 20)), _order(**RANGED))
    assert "before its DTM 010 (requested ship range start) 2026-12-21" in f.finding.message
    lines = ORDER_LINES.empty_table().select(["partner", "po_number", "line_number", "ship_no_later",
                                              "requested_ship_date", "requested_ship_end"])
    lines = pa.Table.from_pylist([{"partner": "wayfair", "po_number": "WF1", "line_number": 1,
                                   "ship_no_later": D(2026, 12, 24), "requested_ship_date": D(2026, 12, 22),
                                   "requested_ship_end": D(2026, 12, 24)}], schema=lines.schema)
    [f] = ship_date_findings(_shipped(D(2026, 12, 25)), _order(**RANGED), lines)
    assert "DTM 010 (requested ship range end, line 1) 2026-12-24" in f.finding.message
    # a 038 the buyer sent is named 038, as before
    [f] = ship_date_findings(_shipped(D(2026, 12, 31)), _order(ship_no_later=D(2026, 12, 30)))
    assert "DTM 038 (ship no later) 2026-12-30" in f.finding.message


def test_a_shipment_that_cannot_arrive_by_a_delivery_range_s_end_is_warned_naming_the_range():
    order = _order(requested_delivery_end=D(2027, 1, 8))
    assert not ship_date_findings(_shipped(D(2027, 1, 6)), order, transit={"wayfair": Transit(2)})
    [f] = ship_date_findings(_shipped(D(2027, 1, 7)), order, transit={"wayfair": Transit(2)})
    assert f.finding.code == "SHIPPED_OUTSIDE_WINDOW" and f.finding.severity == "warning"
    assert ("after its DTM 002 (requested delivery range end) 2027-01-08 less 2 days in transit (the last ship day "
            "2027-01-06)") in f.finding.message, f.finding.message
    [f] = ship_date_findings(_shipped(D(2027, 1, 9)), order)  # no transit time known: the end itself
    assert "DTM 002 (requested delivery range end) 2027-01-08" in f.finding.message


def test_a_delivery_range_s_end_cancels_nothing():
    assert "requested_delivery_end" not in LAST_DATE_COLUMNS
    assert "requested_delivery_end" not in {c for c, _q, _n in last_dates(True)}
    orders = _order(requested_delivery_end=D(2027, 1, 8))
    assert _with_deliver_by(orders)["deliver_by"].to_pylist() == [None]  # the allocation's last date: none


def test_an_860_moving_a_range_moves_its_end_and_says_the_range():
    order = {**RANGED, "po_number": "WF1"}
    header = {"requested_ship_date": D(2026, 12, 28), "ship_not_before": D(2026, 12, 28),
              "ship_no_later": D(2027, 1, 5), "requested_ship_end": D(2027, 1, 5)}
    changed = heading_changes(order, header)
    assert changed == header
    said = dates_said(order, changed)
    assert said == ["DTM 010 2026-12-21 -> 2026-12-28", "DTM 010 range end 2026-12-30 -> 2027-01-05"]
    # a single day sent for 010 with a window of its own ends the range (the window, sent as 037 / 038, is named so)
    single = {"requested_ship_date": D(2026, 12, 28), "ship_not_before": D(2026, 12, 27),
              "ship_no_later": D(2027, 1, 2)}
    changed = heading_changes(order, single)
    assert changed["requested_ship_end"] is None
    assert dates_said(order, changed) == [
        "DTM 010 2026-12-21 -> 2026-12-28", "DTM 010 range end 2026-12-30 -> (none)",
        "DTM 037 2026-12-21 -> 2026-12-27", "DTM 038 2026-12-30 -> 2027-01-02"]
    # without one, the window (and the range's end naming it) stays the 850's range; a single 002 ends its range
    changed = heading_changes({**order, "requested_delivery_end": D(2027, 1, 8)},
                              {"requested_ship_date": D(2026, 12, 22), "requested_delivery_date": D(2027, 1, 6)})
    assert changed == {"requested_ship_date": D(2026, 12, 22), "requested_delivery_date": D(2027, 1, 6),
                       "requested_delivery_end": None,
                       "requested_ship_start": D(2026, 12, 21)}  # the range's first day, naming the opening
    # the 850's DTM 038 moved by an 860's 038: named 038 (no range on either)
    assert dates_said({"ship_no_later": D(2026, 12, 30)}, {"ship_no_later": D(2027, 1, 2)}) == [
        "DTM 038 2026-12-30 -> 2027-01-02"]


def test_the_865_echoes_a_moved_range_as_the_range_sent():
    header = {"po_number": "WF1", "po_date": D(2026, 12, 7), "change_date": D(2026, 12, 8),
              "requested_ship_date": D(2026, 12, 28), "ship_not_before": D(2026, 12, 28),
              "ship_no_later": D(2027, 1, 5), "requested_ship_end": D(2027, 1, 5)}
    moved = {k: v for k, v in header.items() if k not in ("po_number", "po_date", "change_date")}
    result = ChangeResult(new_lines=ORDER_LINES.empty_table(), changed_line_numbers=frozenset(),
                          deleted_line_numbers=frozenset(), released=pa.table({}), cancelled=False, rejected=False,
                          findings=[], line_results=[], order_changes=moved)
    dtms = [s for s in build_865(header, result, today=D(2026, 12, 9)) if s[0] == "DTM"]
    assert dtms == [["DTM", "010", "", "", "", "RD8", "20261228-20270105"]]
    # a 037 / 038 the buyer sent are echoed as sent
    sent = {"po_number": "WF1", "ship_not_before": D(2026, 12, 27), "ship_no_later": D(2027, 1, 2)}
    result = ChangeResult(new_lines=ORDER_LINES.empty_table(), changed_line_numbers=frozenset(),
                          deleted_line_numbers=frozenset(), released=pa.table({}), cancelled=False, rejected=False,
                          findings=[], line_results=[], order_changes={k: v for k, v in sent.items()
                                                                       if k != "po_number"})
    dtms = [s for s in build_865(sent, result, today=D(2026, 12, 9)) if s[0] == "DTM"]
    assert dtms == [["DTM", "037", "20261227"], ["DTM", "038", "20270102"]]


def test_status_names_a_window_from_a_range_as_the_range():
    from flows.status_view import ORDER_DATES, _named

    named = {c: f"DTM {q} ({t})" for c, q, t in _named(ORDER_DATES, RANGED)}
    assert named["ship_no_later"] == "DTM 010 (requested ship range end)"
    assert named["ship_not_before"] == "DTM 010 (requested ship range start)"
    assert "requested_ship_end" not in named  # said once, by the window's end
    plain = {"ship_not_before": D(2026, 12, 21), "ship_no_later": D(2026, 12, 30)}
    named = {c: f"DTM {q} ({t})" for c, q, t in _named(ORDER_DATES, plain)}
    assert (named["ship_not_before"], named["ship_no_later"]) == ("DTM 037 (ship not before)",
                                                                  "DTM 038 (ship no later)")
    assert named["requested_delivery_end"] == "DTM 002 (delivery requested range end)"
