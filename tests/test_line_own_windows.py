"""A PO whose lines carry different ship windows (DTM 037 ship not before / 038 ship no later in each PO1 loop, none
in the heading: Williams-Sonoma's, Wayfair's and many home retailers' 850s schedule each item so). Each line keeps its
own window (ORDER_LINES ship_not_before / ship_no_later) and every place the order's window is used uses the line's:
its 855 ACK 068 is no earlier than its window opens, its 038 is its last date for a partner whose window's end is its
cancel date (`[allocation] ship_no_later_is_cancel`: at allocation and on a later night), its shipment is held against
it (SHIPPED_OUTSIDE_WINDOW names the line), status --dates and the console show it, and an 860 POC's 037/038 moves
it. Before, lines with different windows lost theirs (LINE_DATES_NOT_APPLIED named them): they were promised for the
order's day, backordered past their own end and shipped without a word outside their window.

GLOBEX-2000 (the demo) without its heading DTM 010 (its lines' windows are its only dates: a line's window opening
after the order's requested ship date would contradict it, SHIP_WINDOW_INCONSISTENT, as an order's does); line 3
(SKU-1005) waits for a receipt of 2026-12-15, line 4 (SKU-1003) is short (with the other partners' orders taking
stock: 24 of 36 placed, 12 on a receipt of 2026-12-04)."""

from __future__ import annotations

import json
from datetime import date, datetime

from typer.testing import CliRunner

from connectors.order_store import OrderStore
from connectors.state import StateStore
from flows.cli import app
from schemas.lifecycle import OrderState
from tests.support import REPO, make_workspace, run_stages, ship_stages, shipping_workspace
from tests.test_backorder_cancel_date import NIGHT1, story
from tests.test_cancel_date_moves import _outbox, change_860, globex_line_dates
from tests.test_ship_window_end_is_cancel import line_4_expires, window_end_cancels

# each line's own window: line 1 opens on 12-14, line 3 ends before its receipt (12-15)
WINDOWS = {"Copy paper": ("20261214", "20261220"), "Pens black": ("20261201", "20261212"),
           "Gel pen red": ("20261202", "20261212"), "Pens blue": ("20261203", "20261222")}


def _windows(ws, windows: dict = WINDOWS, *, ship_date: bool = False) -> None:
    """GLOBEX-2000's lines with their ``windows`` (PID text -> DTM 037, DTM 038), its heading's DTM 010 left out
    unless ``ship_date``."""
    if not ship_date:
        po = ws.drop_root / "globex" / "inbox" / "globex-po-01.x12"
        text = po.read_bytes().decode()
        assert "DTM|010|20261210~\r\n" in text and "SE|16|0001~" in text
        po.write_bytes(text.replace("DTM|010|20261210~\r\n", "", 1).replace("SE|16|0001~", "SE|15|0001~", 1).encode())
    for item, (opens, ends) in windows.items():
        globex_line_dates(ws, f"PID|F||||{item}", f"DTM|037|{opens}~DTM|038|{ends}~")


def _855(ws) -> list[str]:
    """The segments of GLOBEX-2000's first 855 set (BAK to SE)."""
    text = next(t for t in _outbox(ws, "855") if "|GLOBEX-2000|" in t).replace("\r", "").replace("\n", "")
    segments = text.split("~")
    start = next(i for i, s in enumerate(segments) if s.startswith("BAK|") and "|GLOBEX-2000|" in s)
    return segments[start: next(i for i in range(start, len(segments)) if segments[i].startswith("SE|"))]


def _acks(ws) -> list[str]:
    return [s for s in _855(ws) if s.startswith(("PO1", "ACK"))]


def _findings(ws, code: str) -> list[dict]:
    state = StateStore(ws.state_url)
    try:
        return [f for f in state.findings(partner="globex", po_number="GLOBEX-2000") if f["code"] == code]
    finally:
        state.close()


def _stored(ws) -> tuple[dict, dict]:
    """GLOBEX-2000's current ORDERS row and its ORDER_LINES rows by line number."""
    state = StateStore(ws.state_url)
    try:
        record = state.order("globex", "GLOBEX-2000")
    finally:
        state.close()
    orders, lines = OrderStore(ws.orders_dir).load("globex", record.lines_key)
    return ([r for r in orders.to_pylist() if r["po_number"] == "GLOBEX-2000"][-1],
            {r["line_number"]: r for r in lines.to_pylist() if r["po_number"] == "GLOBEX-2000"})


def _ship_on_13th(ws) -> None:
    """GLOBEX-2000 leaves 2026-12-13: lines 1 and 2 from the north 3PL (WEST stock, a 945), line 4 from east."""
    east = ws.warehouse_drop_root / "east" / "inbox"
    east.mkdir(parents=True, exist_ok=True)
    head = (REPO / "sample_files" / "warehouse-drops" / "east" / "east-shipments-20261127.csv").read_text()
    (east / "east-shipments-20261213.csv").write_text(
        head.splitlines()[0] + "\nSHP-7001,2026-12-13,10:00,UPSN,G2,1Z999AA10123456800,BOL-7001,GLOBEX-2000,4,"
        "SKU-1003,36,EA,C-7001,9.5,LB,\n")
    north = ws.warehouse_drop_root / "north" / "inbox"
    north.mkdir(parents=True, exist_ok=True)
    body = ["ST*945*0001", "W06*N*DO-88002*20261213*SHP-7002**GLOBEX-2000",
            "N1*SF*North 3PL Columbus*UL*0614141000203", "N9*BM*BOL-7002", "G62*11*20261213*8*1000",
            "W27*M*ODFL*LTL STANDARD", "LX*1", "W12*CC*12*12*0*EA**BP*GX770000**6*G*L", "N9*LI*1",
            "LX*2", "W12*CC*48*48*0*EA**BP*GX770033**4*G*L", "N9*LI*2"]
    body.append(f"SE*{len(body) + 1}*0001")
    (north / "north-945-20261213.x12").write_text(
        "ISA*00*          *00*          *ZZ*NORTH3PL       *ZZ*ORDERBRIDGE    *261213*0900*U*00401*000000460*0*P*>~"
        "GS*SW*NORTH3PL*ORDERBRIDGE*20261213*0900*460*X*004010~" + "".join(s + "~" for s in body)
        + "GE*1*460~IEA*1*000000460~")
    ship_stages(ws, datetime(2026, 12, 13, 10, 30), run_id="d13")


def test_lines_with_different_windows_keep_them_through_a_night_and_its_shipment(tmp_path):
    ws = shipping_workspace(tmp_path / "ws", partners=("globex",))
    _windows(ws)
    window_end_cancels(ws)
    run_stages(ws, NIGHT1)
    # kept per line; the lines state no window alike, so the order has none
    order, lines = _stored(ws)
    assert (order["ship_not_before"], order["ship_no_later"]) == (None, None)
    assert {n: (r["ship_not_before"], r["ship_no_later"]) for n, r in lines.items()} == {
        n: (date.fromisoformat(a), date.fromisoformat(b)) for n, (a, b) in enumerate(WINDOWS.values(), 1)}
    assert _findings(ws, "LINE_DATES_NOT_APPLIED") == []
    assert _findings(ws, "SHIP_WINDOW_INCONSISTENT") == [] and _findings(ws, "DATE_IN_PAST") == []
    # 855: each line ships when its own window opens (the order has no date: it would say today, 11-27)
    acks = _acks(ws)
    assert "ACK|IA|12|EA|068|20261214" in acks and "ACK|IA|48|EA|068|20261201" in acks
    assert "ACK|IA|36|EA|068|20261203" in acks
    # allocation: line 3's receipt (12-15) comes after its own window's end (12-12), its partner's cancel date
    _record, story_lines, _events, late, _reserved = story(ws)
    assert (story_lines[3].ack, story_lines[3].rejected) == ("IR", 30) and "ACK|IR|30|EA" in acks
    assert len(late) == 1 and "after line 3's own last date (its DTM 001 / 063 / 038) 2026-12-12" in late[0]["message"]
    # shipped 12-13: after line 2's window (ends 12-12), before line 1's (opens 12-14); line 4's is kept
    _ship_on_13th(ws)
    outside = _findings(ws, "SHIPPED_OUTSIDE_WINDOW")
    assert [f["message"].split(" for PO")[0] for f in outside] == ["Shipment SHP-7002"]
    assert ("left 2026-12-13, after its DTM 038 (ship no later, line 2) 2026-12-12; before its DTM 037 (ship not "
            "before, line 1) 2026-12-14:") in outside[0]["message"]
    # status --dates: each line's own window
    res = CliRunner().invoke(app, ["status", "GLOBEX-2000", "--partner", "globex", "--json", "--dates", "-w",
                                   str(ws.root)])
    shown = {ln["line_number"]: ln for ln in json.loads(res.stdout)["order"]["line_dates"]}
    assert (shown[1]["ship_not_before"], shown[1]["ship_no_later"]) == ("2026-12-14", "2026-12-20")
    assert shown[3]["ship_no_later"] == "2026-12-12"


def test_by_default_a_line_s_window_end_is_no_cancel_date_but_its_opening_dates_its_ack(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("globex",))
    _windows(ws)
    run_stages(ws, NIGHT1)
    _record, lines, _events, late, _reserved = story(ws)
    assert (lines[3].ack, lines[3].backordered, str(lines[3].promised_date)) == ("IB", 30, "2026-12-15")
    assert late == [] and "ACK|IB|30|EA|068|20261215" in _acks(ws)
    assert "ACK|IA|12|EA|068|20261214" in _acks(ws) and "ACK|IA|48|EA|068|20261201" in _acks(ws)


def test_a_later_night_cancels_a_backorder_past_its_line_s_own_window_end(tmp_path):
    """Line 4's own 038 is 2026-12-10 (its backorder ships 12-10 with the order: in time on night 1), line 2's
    2026-12-20: on 2026-12-11 line 4's 12 backordered eaches are cancelled by its own date, naming the line."""
    ws = make_workspace(tmp_path / "ws")
    globex_line_dates(ws, "PID|F||||Pens blue", "DTM|037|20261201~DTM|038|20261210~")
    globex_line_dates(ws, "PID|F||||Pens black", "DTM|037|20261201~DTM|038|20261220~")
    found = line_4_expires(ws)
    assert "DTM 038 (ship no later, line 4) 2026-12-10" in found[-1]["message"]


def test_an_860_moves_one_line_s_window(tmp_path):
    """After GLOBEX-2000 is answered with line 1's window 12-14..12-20, an 860 POC*1*CT moves it to open 12-16 and end
    12-22: the line keeps the new window (the order none), is decided again (its ACK 068 12-16), and no
    CHANGE_LINE_DATES_NOT_APPLIED or CHANGE_DATES_NOT_STORED is raised (the dates used to be left to a person)."""
    ws = make_workspace(tmp_path / "ws", partners=("globex",))
    _windows(ws)
    run_stages(ws, NIGHT1)
    change_860(ws, [], ["POC*1*CT*12*12*EA*19.11*PE*BP*GX770000", "DTM*037*20261216", "DTM*038*20261222"])
    run_stages(ws, datetime(2026, 12, 9, 2))
    order, lines = _stored(ws)
    assert (order["ship_not_before"], order["ship_no_later"]) == (None, None)
    assert (lines[1]["ship_not_before"], lines[1]["ship_no_later"]) == (date(2026, 12, 16), date(2026, 12, 22))
    assert (lines[2]["ship_not_before"], lines[2]["ship_no_later"]) == (date(2026, 12, 1), date(2026, 12, 12))
    for code in ("CHANGE_LINE_DATES_NOT_APPLIED", "CHANGE_DATES_NOT_STORED", "CHANGE_POC_REJECTED"):
        assert _findings(ws, code) == [], code
    answer = _outbox(ws, "865") + [t for t in _outbox(ws, "855") if "BAK|05" in t or "BAK*05" in t]
    assert answer and any("068|20261216" in t.replace("*", "|") for t in answer)
    state = StateStore(ws.state_url)
    try:
        moved = [h["note"] for h in state.order_history("globex", "GLOBEX-2000") if h["event"].startswith("change")]
    finally:
        state.close()
    assert moved, "the change is in the history"


def test_the_console_shows_a_line_s_own_window(tmp_path):
    import re

    from tests.support_console import Client, ConsoleServer, add_users

    ws = make_workspace(tmp_path / "ws", partners=("globex",))
    _windows(ws)
    run_stages(ws, NIGHT1)
    add_users(ws.root)
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-27T09:30:00") as server:
        c = Client(server.url)
        c.sign_in("vic")
        status, body = c.get("/order?partner=globex&po=GLOBEX-2000")
    assert status == 200
    rows = re.findall(r'<tr class="line-dates">(.*?)</tr>', body, flags=re.S)
    assert len(rows) == 4 and "ship not before 2026-12-14; ship no later 2026-12-20" in rows[0]


def _heading_dtm(ws) -> list[str]:
    return [s for s in _855(ws) if s.startswith("DTM")]


def test_an_855_heading_s_ship_date_is_the_earliest_line_s_when_the_lines_are_scheduled_apart(tmp_path):
    """A partner whose 855 heading says when the lines ship (`[acks.po_ack] ship_date = true`: DTM*068): with the
    lines scheduled apart (windows opening 12-14 and 12-16), the heading says the earliest of its lines' days, 12-14
    (it said the run's day, 11-27, a day no line ships on). With the window alike on every line (the order's,
    opening 12-08), it says the order's day as before; with none, the run's day."""
    apart = {"Copy paper": ("20261214", "20261220"), "Pens black": ("20261216", "20261220"),
             "Gel pen red": ("20261216", "20261220"), "Pens blue": ("20261214", "20261220")}
    alike = {k: ("20261208", "20261220") for k in WINDOWS}
    for name, windows, day in (("apart", apart, "20261214"), ("alike", alike, "20261208"), ("none", {}, "20261127")):
        ws = make_workspace(tmp_path / name / "ws", partners=("globex",))
        profile = ws.root / "partners" / "globex.toml"
        profile.write_text(profile.read_text().replace("[acks]\n", "[acks.po_ack]\nship_date = true\n\n[acks]\n", 1)
                           if "[acks.po_ack]" not in profile.read_text() else profile.read_text())
        _windows(ws, windows)
        run_stages(ws, NIGHT1)
        assert _heading_dtm(ws) == [f"DTM|068|{day}"], name


# --- the date rules judge a line's own window as an order's ----------------------------------------------------------
def _line_window_findings(*lines: dict, **order: object) -> list:
    from rules.business import check_line_windows
    from schemas.rule_settings import RuleSettings
    from tests.business.tables import line, lines_table, orders_table
    from tests.business.tables import order as order_row

    no_window = {"ship_not_before": None, "ship_no_later": None, "requested_delivery_date": None}
    return check_line_windows(orders_table(order_row(**{**no_window, **order})),
                              lines_table(*(line(**ln) for ln in lines)), today=date(2026, 11, 27),
                              settings=RuleSettings())


def test_a_line_s_own_window_is_judged_as_an_order_s_at_the_line():
    """Order PO-1 (DTM 010 2026-12-05, PO date 2026-11-20): line 1's own 037 after its own 038, line 3's 038 already
    past: a finding each, at its line. Line 2's window opening after the order's 010 is a line scheduled apart (the
    heading's requested ship date does not judge a line's own window), line 4's window is in order: none for them;
    line 5's window opening after its own 010 is contradictory. A window the line shares with its order is
    check_dates' (not said twice)."""
    found = _line_window_findings(
        {"line_number": 1, "line_id": "1", "ship_not_before": date(2026, 12, 9), "ship_no_later": date(2026, 12, 8)},
        {"line_number": 2, "line_id": "2", "ship_not_before": date(2026, 12, 7), "ship_no_later": date(2026, 12, 20)},
        {"line_number": 3, "line_id": "3", "ship_no_later": date(2026, 11, 26)},
        {"line_number": 4, "line_id": "4", "ship_not_before": date(2026, 12, 1), "ship_no_later": date(2026, 12, 20)},
        {"line_number": 5, "line_id": "5", "ship_not_before": date(2026, 12, 7), "ship_no_later": date(2026, 12, 20),
         "requested_ship_date": date(2026, 12, 6)})
    said = [(f.code, f.location.line_number, f.message) for f in found]
    assert ("SHIP_WINDOW_INCONSISTENT", 1, "Line 1: its DTM 037 (ship not before) 20261209 is after its DTM 038 "
            "(ship no later) 20261208.") in said
    assert ("SHIP_WINDOW_INCONSISTENT", 5, "Line 5: its DTM 037 (ship not before) 20261207 is after its "
            "DTM 010 (requested ship) 20261206.") in said
    assert 2 not in {n for _c, n, _m in said}
    assert ("DATE_IN_PAST", 3, "Line 3: its DTM 038 (ship no later) 20261126 is before today 20261127.") in said
    assert 4 not in {n for _c, n, _m in said}
    assert all(f.location.segment_id == "DTM" for f in found)
    shared = {"ship_not_before": date(2026, 12, 9), "ship_no_later": date(2026, 12, 8)}
    assert _line_window_findings({"line_number": 1, **shared}, **shared) == []  # the order's: check_dates says it


def test_a_line_whose_window_opens_after_the_order_s_ship_date_is_scheduled_apart_not_held(tmp_path):
    """GLOBEX-2000 keeps its DTM 010 2026-12-10; line 1's own window opens 2026-12-14. A detail date overrides the
    heading's for its line (a translator states the heading's 010 as the first line's): line 1 is scheduled apart,
    acknowledged to ship when its own window opens, the others on the order's 010; the order is not held (it was,
    as SHIP_WINDOW_INCONSISTENT, in this change's first version: a valid PO waiting for a person)."""
    ws = make_workspace(tmp_path / "ws", partners=("globex",))
    _windows(ws, {"Copy paper": ("20261214", "20261220")}, ship_date=True)
    run_stages(ws, NIGHT1)
    assert _findings(ws, "SHIP_WINDOW_INCONSISTENT") == []
    state = StateStore(ws.state_url)
    try:
        assert state.order("globex", "GLOBEX-2000").state == OrderState.ACKNOWLEDGED
    finally:
        state.close()
    acks = _acks(ws)
    assert any(a.endswith("|068|20261214") for a in acks), acks
    assert any(a.endswith("|068|20261210") for a in acks), acks


def _twelve_more_pens(ws, as_of: str) -> None:
    """A snapshot of ``as_of``: the first one's with 12 more SKU-1003 (line 4's item) in EAST: what the other
    orders leave of it is these 12."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    first = pq.read_table(ws.root / "inventory" / "snapshots" / "as_of=2026-11-26" / "part-0.parquet")
    more = pc.if_else(pc.and_(pc.equal(first["sku"], "SKU-1003"), pc.equal(first["warehouse"], "EAST")),
                      pc.add(first["on_hand"], 12), first["on_hand"])
    folder = ws.root / "inventory" / "snapshots" / f"as_of={as_of}"
    folder.mkdir(parents=True)
    pq.write_table(first.set_column(first.schema.get_field_index("on_hand"), "on_hand",
                                    more.cast(first.schema.field("on_hand").type)), folder / "part-0.parquet")


def _acme_wants_pens(ws) -> None:
    """An ACME 850 (PO-PENS, DTM 010 2026-12-10) for 12 SKU-1003 (VN VP-1003), taken on the next night."""
    from tests.support import x12_850

    body = ["BEG*00*SA*PO-PENS**20261207", "CUR*BY*USD", "DTM*010*20261210", "N1*ST*DC 7*92*DC07", "N3*1 Way",
            "N4*Columbus*OH*43215*US", "PO1*1*12*EA*39.20*PE*VN*VP-1003", "CTT*1*12"]
    (ws.drop_root / "acme" / "inbox" / "pens.x12").write_bytes(x12_850(body, isa13=77))


def test_stock_that_comes_before_a_backorder_s_window_is_kept_for_it_not_released_early(tmp_path):
    """GLOBEX-2000 line 4 (SKU-1003) has its own window 12-15..12-22 (after the order's DTM 010 12-10: scheduled
    apart): night 1 places 24 and backorders 12, promised for 12-15 (its window's opening, as its ACK 068 says). Twelve
    pens arrive on 12-07, and an ACME order asking for 12 comes on 12-08. The 12-08 night reserves the 12 for the
    backorder (the earlier promise, ranked first as any backorder): kept for it, not released to ship before its
    window: the line keeps its promise, 12-15, its history says so; the ACME order gets none of them (backordered).
    Before, a backorder whose window had not opened was offered nothing until it did: the 12 went to ACME that night,
    and on 12-15 the backorder found no stock left and missed its window."""
    ws = make_workspace(tmp_path / "ws")
    globex_line_dates(ws, "PID|F||||Pens blue", "DTM|037|20261215~DTM|038|20261222~")
    run_stages(ws, NIGHT1)
    _record, lines, _events, _late, reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, str(lines[4].promised_date)) == (24, 12, "2026-12-15")
    assert "ACK|IB|12|EA|068|20261215" in [s for s in _855(ws) if s.startswith("ACK")]
    assert sum(q for (n, _w), q in reserved.items() if n == 4) == 24
    _twelve_more_pens(ws, "2026-12-07")
    _acme_wants_pens(ws)
    run_stages(ws, datetime(2026, 12, 8, 2))
    _record, lines, events, _late, reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, str(lines[4].promised_date)) == (36, 0, "2026-12-15")
    assert sum(q for (n, _w), q in reserved.items() if n == 4) == 36 and "backorder_allocated" in events
    state = StateStore(ws.state_url)
    try:
        [note] = [h["note"] for h in state.order_history("globex", "GLOBEX-2000")
                  if h["event"] == "backorder_allocated"]
        pens = {ln.line_number: ln for ln in state.order_lines("acme", "PO-PENS")}
    finally:
        state.close()
    assert "line 4's 12 reserved before its ship window opens (2026-12-15)" in note and "not before" in note, note
    assert (pens[1].allocated, pens[1].backordered + pens[1].rejected) == (0, 12), pens
    run_stages(ws, datetime(2026, 12, 15, 2))  # the window opens: nothing more to place, the reservation stands
    _record, lines, _events, _late, reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered) == (36, 0)
    assert sum(q for (n, _w), q in reserved.items() if n == 4) == 36


def test_a_backorder_without_a_window_is_placed_the_night_stock_comes(tmp_path):
    from tests.test_backorder_cancel_date import stock_arrives

    ws = make_workspace(tmp_path / "ws")
    run_stages(ws, NIGHT1)
    _record, lines, _events, _late, _reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered) == (24, 12)
    stock_arrives(ws, "2026-12-07")
    run_stages(ws, datetime(2026, 12, 8, 2))
    _record, lines, events, _late, _reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered) == (36, 0) and "backorder_allocated" in events


def test_not_open_takes_the_line_s_own_window_else_the_order_s():
    from engine.lifecycle.backorders import backorder_input, not_open, window_opens
    from schemas.lifecycle import LineRecord, LineState, OrderRecord

    today = date(2026, 12, 8)
    records = [OrderRecord("acme", f"PO-{k}", OrderState.ACKNOWLEDGED) for k in (1, 2)]
    lines = {r.key: (LineRecord("acme", r.po_number, 1, LineState.BACKORDERED, sku="SKU-1", backordered=5),
                     LineRecord("acme", r.po_number, 2, LineState.BACKORDERED, sku="SKU-2", backordered=3),
                     LineRecord("acme", r.po_number, 3, LineState.ALLOCATED, sku="SKU-3", allocated=4))
             for r in records}
    dates = {("acme", "PO-1"): {"ship_not_before": date(2026, 12, 15)}, ("acme", "PO-2"): {"ship_not_before": None}}
    own = {("acme", "PO-1"): {2: {"ship_not_before": today}},  # its own window opens today: offered stock
           ("acme", "PO-2"): {1: {"ship_not_before": date(2026, 12, 9)}, 3: {"ship_not_before": date(2026, 12, 20)}}}
    held = not_open(records, dates, own, lines, today=today)
    assert held == {("acme", "PO-1"): {1}, ("acme", "PO-2"): {1}}  # line 3 backorders nothing
    assert window_opens(records, dates, own, lines, today=today) == {("acme", "PO-1"): {1: date(2026, 12, 15)},
                                                                      ("acme", "PO-2"): {1: date(2026, 12, 9)}}
    offered = backorder_input(records, lines, held=held).select(["po_number", "line_number"]).to_pylist()
    assert offered == [{"po_number": "PO-1", "line_number": 2}, {"po_number": "PO-2", "line_number": 2}]
