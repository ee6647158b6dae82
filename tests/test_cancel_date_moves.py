"""An 860 that moves an answered PO's cancel date (DTM 001) or do-not-deliver-after (063): the order keeps
its lines and reservations (nothing is decided again), the new dates are stored as a new revision of its
ORDERS row, the 865 echoes them, `status` shows them and the history says so, and the backorder step of
the next run uses them: an extended date keeps the backorder offered stock, one pulled in cancels it.

GLOBEX-2000 (the demo): night 1 reserves 24 of line 4's 36 (SKU-1003) and backorders 12. The 860s are
written the way retail translators send them: 004010, "*" and "~" with a line feed, BCH01 04 and a heading
DTM with no POC (a date-only change), or with a POC that changes a quantity too."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
from typer.testing import CliRunner

from engine.changes import apply_changes
from flows.cli import app
from schemas.changes import CHANGE_HEADERS, ORDER_CHANGES
from tests.support import make_workspace, run_stages
from tests.test_backorder_cancel_date import NIGHT1, dated_night1, globex_with, stock_arrives, story


def change_860(ws, heading: list[str], pocs: list[str] = (), *, name: str = "change.x12", control: int = 4101,
               seq: str = "1") -> None:
    """An 860 for GLOBEX-2000 (BCH01 04) with ``heading`` segments after BCH and ``pocs`` after them."""
    n = len([p for p in pocs if p.startswith("POC")])
    body = [f"BCH*04*SA*GLOBEX-2000**{seq}*20261126", *heading, *pocs, f"CTT*{n}"]
    segs = ["ST*860*0001", *body, f"SE*{len(body) + 2}*0001"]
    text = (f"ISA*00*          *00*          *01*123456789      *ZZ*ORDERBRIDGE    *261208*2300*U*00401*{control:09d}"
            f"*0*P*>~\nGS*PC*GLOBEXWHS*ORDERBRIDGE*20261208*2300*{control}*X*004010~\n"
            + "".join(s + "~\n" for s in segs) + f"GE*1*{control}~\nIEA*1*{control:09d}~\n")
    (ws.drop_root / "globex" / "inbox" / name).write_bytes(text.encode())


def _outbox(ws, kind: str) -> list[str]:
    return [p.read_text() for p in sorted((ws.drop_root / "globex" / "outbox").glob("*"))
            if f"ST*{kind}*" in p.read_text().replace("|", "*")]


def _status(ws) -> dict:
    res = CliRunner().invoke(app, ["status", "GLOBEX-2000", "--partner", "globex", "--json", "--dates", "-w",
                                   str(ws.root)])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_an_extended_cancel_date_keeps_the_backorder_offered_stock(tmp_path):
    ws = dated_night1(tmp_path / "ws", "DTM|001|20261210~")
    record, lines, _events, _found, reserved = story(ws)
    assert record.state == "acknowledged" and (lines[4].allocated, lines[4].backordered) == (24, 12)
    answers_before = len(_outbox(ws, "855"))
    change_860(ws, ["DTM*001*20261220"])  # the buyer extends the cancel date by ten days
    run_stages(ws, datetime(2026, 12, 9, 2))
    after, lines2, events, found, reserved2 = story(ws)
    # the order keeps its lines and reservations: nothing decided again, no new 855
    assert after.state == "acknowledged" and after.revision == record.revision + 1
    assert (lines2[4].allocated, lines2[4].backordered) == (24, 12) and reserved2 == reserved
    assert events[-1] == "change_answered" and len(_outbox(ws, "855")) == answers_before
    (ack,) = _outbox(ws, "865")
    assert "BCA*00*AK*GLOBEX-2000" in ack.replace("|", "*") and "DTM*001*20261220" in ack.replace("|", "*")
    shown = _status(ws)
    assert shown["order"]["dates"]["cancel_after"] == "2026-12-20"
    assert "DTM 001 (cancel after) 2026-12-10 -> 2026-12-20" in json.dumps(shown["history"])
    stock_arrives(ws)
    run_stages(ws, datetime(2026, 12, 11, 2))  # the old date passed, the new one not: the backorder takes stock
    record, lines, events, found, _reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (36, 0, 0)
    assert events[-1] == "backorder_allocated" and "backorder_expired" not in events
    assert not [f for f in found if "passed (run date" in f["message"]]


def test_a_cancel_date_pulled_in_cancels_the_backorder_once_it_passes(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    globex_with(ws, "DTM|001|20261220~")
    run_stages(ws, NIGHT1)
    change_860(ws, ["DTM*001*20261205"])  # the buyer pulls the cancel date in
    run_stages(ws, datetime(2026, 12, 4, 2))
    record, lines, events, found, _reserved = story(ws)
    assert record.state == "acknowledged" and lines[4].backordered == 12 and events[-1] == "change_answered"
    stock_arrives(ws, "2026-12-06")
    run_stages(ws, datetime(2026, 12, 6, 2))  # the stock comes after the new date: the backorder is cancelled
    record, lines, events, found, _reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (24, 0, 12)
    assert events[-1] == "backorder_expired" and "backorder_allocated" not in events
    (late,) = [f for f in found if "passed (run date" in f["message"]]
    assert "DTM 001 (cancel after) 2026-12-05 passed (run date 2026-12-06)" in late["message"]


def test_a_do_not_deliver_after_sent_by_the_change_is_taken_too(tmp_path):
    """The 850 named no last date; the 860 adds DTM 063 (as a range, DTM05 RD8, the latest date its end)."""
    ws = make_workspace(tmp_path / "ws")
    run_stages(ws, NIGHT1)
    change_860(ws, ["DTM*063****RD8*20261201-20261205"])
    run_stages(ws, datetime(2026, 12, 3, 2))
    stock_arrives(ws, "2026-12-06")
    run_stages(ws, datetime(2026, 12, 6, 2))
    _record, lines, events, found, _reserved = story(ws)
    assert (lines[4].backordered, lines[4].rejected) == (0, 12) and events[-1] == "backorder_expired"
    assert any("DTM 063 (do not deliver after) 2026-12-05 passed" in f["message"] for f in found)


def test_a_date_change_with_a_quantity_change_decides_the_changed_line_only(tmp_path):
    """BCH 04 with DTM 001 and a POC QD for line 1: line 1 is decided again, the others keep what they have,
    and the order's new cancel date is the revision's."""
    ws = dated_night1(tmp_path / "ws", "DTM|001|20261210~")
    change_860(ws, ["DTM*001*20261220"], ["POC*1*QD*10*10*EA*19.11*PE*BP*GX770000"])
    run_stages(ws, datetime(2026, 12, 9, 2))
    record, lines, _events, _found, _reserved = story(ws)
    assert record.state == "acknowledged" and lines[1].ordered == 10 and lines[4].backordered == 12
    stock_arrives(ws)
    run_stages(ws, datetime(2026, 12, 11, 2))
    _record, lines, events, _found, _reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered) == (36, 0) and events[-1] == "backorder_allocated"


def test_apply_changes_applies_the_heading_deadlines():
    order = {"po_number": "P1", "cancel_after": date(2026, 12, 10), "do_not_deliver_after": None}
    header = {n: None for n in CHANGE_HEADERS.names} | {
        "partner": "acme", "change_ref": "1-1-0001", "po_number": "P1", "purpose": "04",
        "cancel_after": date(2026, 12, 20), "do_not_deliver_after": date(2026, 12, 22),
        "do_not_deliver_before": None, "source_file": "c.x12", "isa13": "1", "gs06": "1", "st02": "0001"}
    from schemas.orders import ORDER_LINES
    result = apply_changes(order, ORDER_LINES.empty_table(), header, ORDER_CHANGES.empty_table(), shipped=False)
    assert result.order_changes == {"cancel_after": date(2026, 12, 20), "do_not_deliver_after": date(2026, 12, 22)}
    (f,) = [f for f in result.findings if f.code == "CHANGE_HEADER_APPLIED"]
    assert "DTM 001 2026-12-10 -> 2026-12-20" in f.message and "backorders follow the new dates" in f.message
    same = apply_changes(order, ORDER_LINES.empty_table(), dict(header, cancel_after=date(2026, 12, 10),
                                                                 do_not_deliver_after=None),
                         ORDER_CHANGES.empty_table(), shipped=False)
    assert same.order_changes == {} and not same.findings


# --- a line's own cancel date: an 850's PO1 DTM 001, an 860's POC CT with its DTM ---------------------------
def globex_line_dates(ws, after: str, dtms: str) -> None:
    """GLOBEX-2000 with ``dtms`` ("|"-separated segments) inserted after the segment ``after`` starts with."""
    po = ws.drop_root / "globex" / "inbox" / "globex-po-01.x12"
    text = po.read_bytes().decode()
    at = text.index("\n", text.index(after)) + 1
    se = text.index("SE|", at)
    end = text.index("~", se)
    count = int(text[se:end].split("|")[1]) + dtms.count("~")
    po.write_bytes((text[:at] + dtms.replace("~", "~\r\n") + text[at:se] + f"SE|{count}|0001" + text[end:]).encode())


def test_a_line_s_own_later_cancel_date_keeps_its_backorder_after_the_order_s_passed(tmp_path):
    """The heading's DTM 001 is 2026-12-10, line 4's own (a DTM 001 in its PO1 loop) 2026-12-20: on 2026-12-11 the
    backorder of line 4 takes the new stock (by the order's date alone it was cancelled, as
    tests/test_backorder_cancel_date.py shows)."""
    from connectors.order_store import OrderStore

    ws = make_workspace(tmp_path / "ws")
    globex_with(ws, "DTM|001|20261210~")
    globex_line_dates(ws, "PID|F||||Pens blue", "DTM|001|20261220~")
    run_stages(ws, NIGHT1)
    record, lines, _events, _found, _reserved = story(ws)
    stored = OrderStore(ws.orders_dir).load("globex", record.lines_key)[1]
    own = {r["line_number"]: r["cancel_after"] for r in stored.to_pylist() if r["po_number"] == "GLOBEX-2000"}
    assert own == {1: None, 2: None, 3: None, 4: date(2026, 12, 20)}
    assert (lines[4].allocated, lines[4].backordered) == (24, 12)
    stock_arrives(ws)
    run_stages(ws, datetime(2026, 12, 11, 2))
    _record, lines, events, found, _reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (36, 0, 0)
    assert events[-1] == "backorder_allocated" and "backorder_expired" not in events
    assert not [f for f in found if "passed (run date" in f["message"]]


def test_a_line_s_own_earlier_cancel_date_cancels_its_backorder_first(tmp_path):
    """Line 4 asks its own shipment 2026-12-04 (its receipt's day) and its own cancel date 2026-12-05: promised
    (IB 2026-12-04) on night 1, cancelled once that date passed though the order's 2026-12-20 has not. (With the
    order's ship date 2026-12-10 the backorder would ship after 2026-12-05: refused at once, as
    tests/test_line_dtm_dates.py shows.)"""
    ws = make_workspace(tmp_path / "ws")
    globex_with(ws, "DTM|001|20261220~")
    globex_line_dates(ws, "PID|F||||Pens blue", "DTM|010|20261204~DTM|001|20261205~")
    run_stages(ws, NIGHT1)
    _record, lines, _events, found, _reserved = story(ws)
    assert (lines[4].backordered, str(lines[4].promised_date), found) == (12, "2026-12-04", [])
    stock_arrives(ws, "2026-12-06")
    run_stages(ws, datetime(2026, 12, 6, 2))
    _record, lines, events, found, _reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (24, 0, 12)
    assert lines[3].backordered == 30  # the order's own date has not passed
    (late,) = [f for f in found if "passed (run date" in f["message"]]
    assert "DTM 001 (cancel after, line 4) 2026-12-05" in late["message"] and "line 4 (12)" in late["message"]


def test_a_poc_ct_with_a_line_dtm_moves_that_line_s_cancel_date(tmp_path):
    """An 860 POC*4*CT with a DTM 001 under it (a line-level date change, as retailers' 860s send a moved cancel
    date per item) extends line 4's date past the order's: the order keeps its lines (865 IA, no
    CHANGE_DATES_NOT_STORED), and line 4's backorder is offered stock after the order's own date passed."""
    ws = dated_night1(tmp_path / "ws", "DTM|001|20261210~")
    before, lines0, _e, _f, reserved0 = story(ws)
    change_860(ws, [], ["POC*4*CT*36*36*EA*38.02*PE*VN*VP-1003", "DTM*001*20261220"])
    _results, run = run_stages(ws, datetime(2026, 12, 9, 2))
    after, lines1, events, _found, reserved1 = story(ws)
    assert after.state == "acknowledged" and after.revision == before.revision + 1 and reserved1 == reserved0
    assert events[-1] == "change_answered"
    assert "CHANGE_DATES_NOT_STORED" not in {f.code for f in run.findings}
    (ack,) = _outbox(ws, "865")
    assert "ACK*IA" in ack.replace("|", "*")
    shown = _status(ws)
    assert "line 4 DTM 001 (cancel after) (none) -> 2026-12-20" in json.dumps(shown["history"])
    stock_arrives(ws)
    run_stages(ws, datetime(2026, 12, 11, 2))
    _record, lines, events, found, _reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (36, 0, 0)
    assert (lines[3].backordered, lines[3].rejected) == (0, 30)  # line 3 kept the order's date: cancelled


def test_the_first_answer_uses_a_line_s_own_cancel_date(tmp_path):
    """Line 3 of GLOBEX-2000 can only ship 2026-12-15 (a receipt): the order's DTM 001 2026-12-10 would make it
    IR, but its own DTM 001 2026-12-20 keeps it backordered (IB); line 4's own 2026-12-01, before its
    receipt (2026-12-04), makes its backordered part IR although the order's date would allow it."""
    ws = make_workspace(tmp_path / "ws")
    globex_with(ws, "DTM|001|20261210~")
    globex_line_dates(ws, "PID|F||||Gel pen red", "DTM|001|20261220~")
    globex_line_dates(ws, "PID|F||||Pens blue", "DTM|001|20261201~")
    run_stages(ws, NIGHT1)
    _record, lines, _events, found, _reserved = story(ws)
    assert (lines[3].backordered, lines[3].rejected, str(lines[3].promised_date)) == (30, 0, "2026-12-15")
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (24, 0, 12)
    (late,) = found
    assert late["message"].startswith("Line 4:") and "line 4's own last date (its DTM 001 / 063) 2026-12-01" in \
        late["message"]


def test_past_lines_takes_a_line_s_own_date_first():
    from engine.lifecycle import backorders
    from schemas.lifecycle import LineRecord, LineState, OrderRecord, OrderState

    rec = OrderRecord("acme", "P1", OrderState.ACKNOWLEDGED, source_file="po.x12", isa13="1", gs06="1", st02="0001")
    lines = {rec.key: (LineRecord("acme", "P1", 1, LineState.BACKORDERED, sku="S", backordered=5),
                       LineRecord("acme", "P1", 2, LineState.BACKORDERED, sku="S", backordered=3, line_id="A2"),
                       LineRecord("acme", "P1", 3, LineState.ALLOCATED, sku="S", allocated=4))}
    order = {rec.key: {"cancel_after": date(2026, 12, 10), "do_not_deliver_after": None}}
    own = {rec.key: {1: {"cancel_after": date(2026, 12, 20), "do_not_deliver_after": None},
                     3: {"cancel_after": date(2026, 12, 1), "do_not_deliver_after": None}}}
    got = backorders.past_lines([rec], order, own, lines, today=date(2026, 12, 11))
    # line 1's own is later, line 3 has none due
    assert got == {rec.key: {2: backorders.Passed("DTM 001 (cancel after) 2026-12-10", (("001", date(2026, 12, 10)),))}}
    own[rec.key][2] = {"cancel_after": None, "do_not_deliver_after": date(2026, 12, 9)}
    got = backorders.past_lines([rec], order, own, lines, today=date(2026, 12, 11))
    assert got[rec.key][2] == backorders.Passed(
        "DTM 001 (cancel after) 2026-12-10 and DTM 063 (do not deliver after, line A2) 2026-12-09",
        (("001", date(2026, 12, 10)), ("063", date(2026, 12, 9))))
    plan = backorders.plan_expired([rec], lines=lines, passed={rec.key: got[rec.key][2]}, today=date(2026, 12, 11),
                                   at="2026-12-11T02:00:00", run_id="r", only={rec.key: [2]})
    after = {ln.line_number: ln for ln in plan.lines[0].lines}
    assert (after[1].backordered, after[2].backordered, after[2].rejected) == (5, 0, 3)


def test_apply_changes_moves_a_line_s_dates_from_its_poc():
    from schemas.orders import ORDER_LINES

    order = {"po_number": "P1", "partner": "acme", "order_ref": "r"}
    line = {n: None for n in ORDER_LINES.names} | {
        "partner": "acme", "order_ref": "r", "po_number": "P1", "line_number": 1, "line_id": "1",
        "quantity": Decimal(10), "unit": "EA", "source_file": "po.x12", "isa13": "1", "gs06": "1", "st02": "0001",
        "segment_position": 5, "file_segment": 5}
    header = {n: None for n in CHANGE_HEADERS.names} | {"partner": "acme", "change_ref": "c", "po_number": "P1",
                                                        "purpose": "04"}
    poc = {n: None for n in ORDER_CHANGES.names} | {
        "partner": "acme", "change_ref": "c", "po_number": "P1", "poc_number": 1, "line_id": "1", "change_type": "CT",
        "cancel_after": date(2026, 12, 20), "source_file": "c.x12", "isa13": "2", "gs06": "2", "st02": "0001",
        "segment_position": 3, "file_segment": 3}
    lines = pa.Table.from_pylist([line], schema=ORDER_LINES)
    result = apply_changes(order, lines, header, pa.Table.from_pylist([poc], schema=ORDER_CHANGES), shipped=False)
    assert result.dated_line_numbers == {1} and not result.changed_line_numbers and not result.findings
    assert result.new_lines["cancel_after"].to_pylist() == [date(2026, 12, 20)]
    assert [r.status for r in result.line_results] == ["IA"]
    no_date = dict(poc, cancel_after=None)
    result = apply_changes(order, lines, header, pa.Table.from_pylist([no_date], schema=ORDER_CHANGES),
                           shipped=False)
    assert [f.code for f in result.findings] == ["CHANGE_DATES_NOT_STORED"] and not result.dated_line_numbers


def _expired(tmp_path):
    """GLOBEX-2000 past its cancel date 2026-12-10 on 12-11: line 4's 12 backordered eaches cancelled."""
    ws = dated_night1(tmp_path / "ws", "DTM|001|20261210~")
    run_stages(ws, datetime(2026, 12, 11, 2))
    _record, lines, events, _found, _reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (24, 0, 12)
    assert events[-1] == "backorder_expired"
    return ws


def test_a_cancel_date_extended_after_the_backorder_expired_brings_the_units_back(tmp_path):
    """The retailer's system did not cancel at its date: the buyer extends it (860 DTM 001) after our run
    cancelled the 12 backordered eaches (no document: we expect the retailer to cancel them itself). The
    865 takes the new date, so the buyer waits for 12 more: they are backordered again and offered the
    stock that arrived, the same run (they used to stay cancelled: answered AK, never shipped)."""
    ws = _expired(tmp_path)
    change_860(ws, ["DTM*001*20261231"])
    stock_arrives(ws, "2026-12-12")
    run_stages(ws, datetime(2026, 12, 12, 2))
    record, lines, events, _found, _reserved = story(ws)
    assert record.state == "acknowledged"
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (36, 0, 0)
    assert events[-2:] == ["change_answered", "backorder_allocated"]
    assert "past_cancel_date" not in lines[4].reason and not [c for c in lines[4].codes if c.startswith("EXPIRED")]
    shown = _status(ws)
    assert "backordered again: line 4 (12)" in json.dumps(shown["history"])
    (ack,) = _outbox(ws, "865")
    assert "BCA*00*AK*GLOBEX-2000" in ack.replace("|", "*") and "DTM*001*20261231" in ack.replace("|", "*")


def test_expired_units_brought_back_wait_for_stock_and_a_date_still_past_keeps_them_cancelled(tmp_path):
    ws = _expired(tmp_path)
    change_860(ws, ["DTM*001*20261211"])  # moved, but already past on the run's date
    run_stages(ws, datetime(2026, 12, 12, 2))
    _record, lines, events, _found, _reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (24, 0, 12)
    assert events[-1] == "change_answered"
    change_860(ws, ["DTM*001*20261231"], name="change2.x12", control=4102, seq="2")  # no stock yet
    run_stages(ws, datetime(2026, 12, 13, 2))
    record, lines, events, _found, _reserved = story(ws)
    assert record.state == "acknowledged" and events[-1] == "change_answered"
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (24, 12, 0)


def test_on_an_order_that_shipped_in_part_an_extended_date_brings_the_expired_units_back(tmp_path):
    """The same after the east DC shipped line 4's 12 reserved there: the order is partially shipped when its
    backorder expires; the 860 extending the date is applied after shipment and the 12 come back."""
    from tests.support import ship_stages, shipping_workspace

    ws = shipping_workspace(tmp_path / "ws", partners=("acme", "globex", "initech"))
    globex_with(ws, "DTM|001|20261210~")
    run_stages(ws, NIGHT1)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261127.csv").write_text(
        "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"
        "SHP-77,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-77,GLOBEX-2000,4,SKU-1003,12,EA,C-77,4,LB,\n")
    ship_stages(ws, datetime(2026, 11, 27, 15), run_id="day1")
    run_stages(ws, datetime(2026, 12, 11, 2))
    record, lines, events, _found, _reserved = story(ws)
    assert record.state == "partially_shipped" and events[-1] == "backorder_expired"
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected, lines[4].shipped) == (24, 0, 12, 12)
    change_860(ws, ["DTM*001*20261231"])
    stock_arrives(ws, "2026-12-12")
    run_stages(ws, datetime(2026, 12, 12, 2))
    record, lines, events, _found, _reserved = story(ws)
    assert record.state == "partially_shipped"
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (36, 0, 0)
    assert events[-1] == "backorder_allocated"
