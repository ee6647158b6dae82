"""A heading DTM may give its date in DTM05/DTM06 instead of DTM02 (X12 syntax note R020305: one of DTM02,
DTM03, DTM05 is required; P0506), as guides written against 005010 and later ask for it:
``DTM*002****D8*20261215``, a window ``DTM*010****RD8*20261205-20261208``. Such dates are the order's
dates like any other (they used to be read as none: the 855 promised today instead of the requested ship
date, and a cancel-after date already past went unseen, the order acknowledged and shipped)."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa

from connectors.state import StateStore
from parsers.orders_850 import read_orders
from parsers.x12_dates import dtm_date
from parsers.x12_reader import read_interchanges
from tests.support import make_workspace, run_stages, x12_850

NIGHT = datetime(2026, 11, 27, 2)


def test_the_date_of_a_dtm_is_dtm02_or_what_dtm05_says_dtm06_holds():
    dtm02 = pa.array(["20261201", None, None, None, None, None, None, None])
    dtm05 = pa.array(["D8", "D8", "RD8", "DT", "RD8", "TM", None, "D6"])
    dtm06 = pa.array(["20270101", "20261215", "20261205-20261208", "202612101200", "20261205", "1200", None,
                      "261215"])
    assert dtm_date(dtm02, dtm05, dtm06).to_pylist() == [
        "20261201", "20261215", "20261205", "20261210", "20261205", None, None, "261215"]
    # the end of a range, for a latest acceptable date; a range without its end gives none
    assert dtm_date(dtm02, dtm05, dtm06, end=True).to_pylist() == [
        "20261201", "20261215", "20261208", "20261210", None, None, None, "261215"]


def test_an_850_s_dtm05_dates_are_its_dates():
    body = ["BEG*00*SA*PO-1**20261126", "DTM*002****D8*20261215", "DTM*010****RD8*20261205-20261208",
            "DTM*001****RD8*20261201-20261220", "DTM*038*20261209", "N1*ST*ACME STORE 1*92*0001",
            "PO1*1*12*EA*19.70**VN*VP-1001", "CTT*1*12"]
    parsed = read_interchanges(x12_850(body))
    orders, _ = read_orders(parsed, list(parsed.transaction_sets()), partner="acme")
    got = orders.select(["requested_delivery_date", "requested_ship_date", "cancel_after", "ship_no_later"])
    assert got.to_pylist() == [{"requested_delivery_date": date(2026, 12, 15), "requested_ship_date": date(2026, 12, 5),
                                "cancel_after": date(2026, 12, 20), "ship_no_later": date(2026, 12, 9)}]


def _run(tmp_path, dtms):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    body = ["BEG*00*SA*PO-1**20261126", "CUR*BY*USD", *dtms, "N1*ST*ACME STORE 1*92*0001",
            "PO1*1*12*EA*19.70**VN*VP-1001", "CTT*1*12"]
    (inbox / "po.x12").write_bytes(x12_850(body))
    run_stages(ws, NIGHT)
    return ws, StateStore(ws.state_path)


def test_the_855_promises_the_requested_ship_date_given_in_dtm06(tmp_path):
    ws, state = _run(tmp_path, ["DTM*010****D8*20261205"])
    [path] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    acks = [r for r in read_interchanges(path.read_bytes()).segments.elements.to_pylist() if r[0] == "ACK"]
    assert acks == [["ACK", "IA", "12", "EA", "068", "20261205"]]
    assert state.order("acme", "PO-1").state == "acknowledged"


def test_a_cancel_after_date_past_in_dtm06_holds_the_order(tmp_path):
    ws, state = _run(tmp_path, ["DTM*001****D8*20261120"])
    order = state.order("acme", "PO-1")
    assert order.state == "held" and "CANCEL_DATE_PASSED" in order.hold_codes
    assert not list(ws.drop_root.glob("acme/outbox/*-855-*.x12"))


def test_an_860_s_new_dates_in_dtm06_are_read():
    from parsers.orders_860 import read_changes
    from tests.changes.builders import parse_860, sets_860, x12_860

    result = parse_860(x12_860(["BCH*04*SA*PO-1**20261126", "DTM*010****D8*20261207",
                                "DTM*038****RD8*20261201-20261211", "POC*1*NC*12*0*EA*19.70**VN*VP-1001", "CTT*1"]))
    headers, _ = read_changes(result, sets_860(result), partner="acme")
    assert headers.select(["requested_ship_date", "ship_no_later"]).to_pylist() == [
        {"requested_ship_date": date(2026, 12, 7), "ship_no_later": date(2026, 12, 11)}]
