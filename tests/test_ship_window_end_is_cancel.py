"""A partner whose ship window's end is its cancel date (`[allocation] ship_no_later_is_cancel = true`): its POs'
DTM 038 (ship no later) is a last date as DTM 001 (cancel after) and 063 (do not deliver after) are. Many home and
furniture retailers send a 037/038 window and no 001 (Williams-Sonoma sends it in every PO1 loop: rg18): a backorder
that could only ship after the window's end was promised past it (855 IB) and kept waiting for stock after it had
passed. Now it is answered IR on the first night (late_backorder "reject"), and cancelled on a night after the date,
with BACKORDER_AFTER_CANCEL naming the DTM 038. Without the setting (X12's 038 is a ship date, not a cancellation)
nothing changes.

GLOBEX-2000 (the demo): line 3's 30 eaches wait for a receipt of 2026-12-15; line 4's 12 backordered eaches for one
of 2026-12-04, shipping with the order on its DTM 010 2026-12-10."""

from __future__ import annotations

from datetime import date, datetime

from engine.lifecycle import backorders
from schemas.lifecycle import LineRecord, LineState, OrderRecord, OrderState
from tests.support import make_workspace, run_stages
from tests.test_backorder_cancel_date import NIGHT1, globex_with, stock_arrives, story


def window_end_cancels(ws) -> None:
    profile = ws.root / "partners" / "globex.toml"
    text = profile.read_text()
    assert "[allocation]\n" in text
    profile.write_text(text.replace("[allocation]\n", "[allocation]\nship_no_later_is_cancel = true\n", 1))


def globex_lines_with(ws, dtm: str) -> None:
    """GLOBEX-2000 with ``dtm`` (one DTM segment) in each of its four PO1 loops, after the PID, none in the heading:
    Williams-Sonoma's shape (its guide requires a DTM in each PO1 loop and lists none in the heading)."""
    po = ws.drop_root / "globex" / "inbox" / "globex-po-01.x12"
    text = po.read_bytes().decode()
    head, rest = text.split("ST|850|0002~", 1)
    parts = head.split("PID|F||||")
    head = parts[0] + "".join(
        "PID|F||||" + p.replace("~", "~" + dtm.replace("~", "~\r\n"), 1) for p in parts[1:])
    head = head.replace("SE|16|0001~", "SE|20|0001~")
    po.write_bytes((head + "ST|850|0002~" + rest).encode())


def _night1_line3(ws):
    run_stages(ws, NIGHT1)
    _record, lines, _events, found, _reserved = story(ws)
    ack = next(t for t in (p.read_text() for p in sorted((ws.drop_root / "globex" / "outbox").glob("*-855-*")))
               if "GLOBEX-2000" in t)
    return lines, found, ack


def test_the_window_s_end_is_the_cancel_date_for_a_partner_that_says_so(tmp_path):
    ws = make_workspace(tmp_path / "on" / "ws")
    globex_with(ws, "DTM|038|20261210~")
    window_end_cancels(ws)
    lines, found, ack = _night1_line3(ws)
    assert (lines[3].ack, lines[3].backordered, lines[3].rejected, lines[3].promised_date) == ("IR", 0, 30, None)
    assert "past_cancel_date" in lines[3].reason
    assert (lines[4].ack, lines[4].backordered, str(lines[4].promised_date)) == ("BP+IB", 12, "2026-12-10")
    assert len(found) == 1 and "DTM 038 (ship no later) 2026-12-10" in found[0]["message"]
    assert "2026-12-15 at the earliest" in found[0]["message"] and found[0]["consequence"] == "line IR"
    assert "ACK|IR|30|EA" in ack and "ACK|IB|30" not in ack


def test_by_default_the_window_s_end_is_no_cancel_date(tmp_path):
    ws = make_workspace(tmp_path / "off" / "ws")
    globex_with(ws, "DTM|038|20261210~")
    lines, found, ack = _night1_line3(ws)
    assert (lines[3].ack, lines[3].backordered, str(lines[3].promised_date)) == ("IB", 30, "2026-12-15")
    assert found == [] and "ACK|IB|30|EA|068|20261215" in ack


def test_a_window_sent_in_every_po1_loop_is_the_cancel_date_too(tmp_path):
    """The window each PO1 loop states alike is the order's (parsers.orders_850.common_line_dates, rg18); its end
    is then the order's last date as a heading DTM 038's is."""
    ws = make_workspace(tmp_path / "lines" / "ws")
    globex_lines_with(ws, "DTM|038|20261210~")
    window_end_cancels(ws)
    lines, found, ack = _night1_line3(ws)
    assert (lines[3].ack, lines[3].rejected) == ("IR", 30)
    assert len(found) == 1 and "DTM 038 (ship no later) 2026-12-10" in found[0]["message"]
    assert "ACK|IR|30|EA" in ack


def line_4_expires(ws) -> list[dict]:
    """GLOBEX-2000's night 1 (line 4: 24 placed, 12 backordered), then 2026-12-11 with stock for line 4, past a last
    date of 2026-12-10: line 4's backorder is cancelled, not given the stock. Its BACKORDER_AFTER_CANCEL findings."""
    window_end_cancels(ws)
    run_stages(ws, NIGHT1)
    _record, lines, _events, _found, reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered) == (24, 12)
    before = dict(reserved)
    stock_arrives(ws)
    run_stages(ws, datetime(2026, 12, 11, 2))  # the day after the window's end, with stock for line 4
    record, lines, events, found, reserved = story(ws)
    assert reserved == before and (lines[4].backordered, lines[4].rejected) == (0, 12)
    assert record.state == OrderState.ACKNOWLEDGED and events[-1] == "backorder_expired"
    return found


def test_after_the_window_s_end_a_backorder_is_cancelled_not_given_stock(tmp_path):
    ws = make_workspace(tmp_path / "later" / "ws")
    globex_with(ws, "DTM|038|20261210~")
    found = line_4_expires(ws)
    assert "DTM 038 (ship no later) 2026-12-10 passed (run date 2026-12-11)" in found[-1]["message"]


def test_past_lines_names_the_window_s_end_of_a_partner_that_says_so_only():
    record = OrderRecord("wsi", "P1", OrderState.ACKNOWLEDGED)
    line = LineRecord("wsi", "P1", 1, LineState.BACKORDERED, sku="S", backordered=5)
    dates = {("wsi", "P1"): {"ship_no_later": date(2026, 12, 4), "cancel_after": None}}
    args = ([record], dates, {}, {("wsi", "P1"): [line]})
    assert backorders.past_lines(*args, today=date(2026, 12, 5)) == {}
    assert backorders.past_lines(*args, today=date(2026, 12, 5), window_end_cancels={"wsi"}) == {
        ("wsi", "P1"): {1: backorders.Passed("DTM 038 (ship no later) 2026-12-04", (("038", date(2026, 12, 4)),))}}
    assert backorders.past_lines(*args, today=date(2026, 12, 4), window_end_cancels={"wsi"}) == {}  # still in time
