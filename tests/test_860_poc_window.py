"""An 860 that moves the ship window in its POC loops (POC*n*CT with DTM 037/038 under each line, none in the
heading: Williams-Sonoma's shape, rg18). The window every POC states alike, when the POCs name every line of the
order, is the order's new window, as an 850's PO1 loops' is (parsers.orders_850.common_line_dates): the shipment is
held against it. It used to be CHANGE_DATES_NOT_STORED per line, the order keeping the 850's window, so a shipment
inside the new window was warned SHIPPED_OUTSIDE_WINDOW. An 860 naming some of the order's lines only moves theirs:
each line keeps its own window (ORDER_LINES), the order's stays the other lines' (it used to move nothing, each such
POC CHANGE_DATES_NOT_STORED, and the moved lines' shipment was held against the old window).

ACME-1001 (the demo, 11 lines) carries DTM 037 2026-12-03; the warehouse ships it 2026-11-27, before that."""

from __future__ import annotations

from datetime import date, datetime

from connectors.order_store import OrderStore
from connectors.state import StateStore
from engine.changes import apply_changes, poc_window
from tests.support import drop_confirmations, run_stages, ship_stages, shipping_workspace
from tests.test_po_deadlines import NIGHT, with_dates


def _night_with_860(tmp_path, lines: range, dtm: str = "DTM*037*20261125"):
    """ACME-1001 with DTM 037 2026-12-03, then an 860 moving ``lines``' window by ``dtm`` (POC*n*CT, the DTM under
    each), then the day's shipments: (findings by code, the order's current ORDERS row, its history, its current
    ORDER_LINES rows by line number)."""
    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    po.write_text(with_dates("DTM*037*20261203~", "ACME-1001", po.read_text()))
    run_stages(ws, NIGHT)
    body = ["ST*860*0001", "BCH*04*SA*ACME-1001**1*20261126"]
    for n in lines:
        body += [f"POC*{n}*CT", dtm]
    body += [f"CTT*{len(lines)}", f"SE*{len(body) + 2}*0001"]
    (ws.drop_root / "acme" / "inbox" / "change.x12").write_text(
        "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*0800*U*00401*000001901*0*P*>~"
        "GS*PC*ACMERETAIL*ORDERBRIDGE*20261127*0800*1901*X*004010~" + "".join(s + "~" for s in body)
        + "GE*1*1901~IEA*1*000001901~")
    run_stages(ws, datetime(2026, 11, 27, 9))
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, datetime(2026, 11, 27, 14, 30), run_id="day1")
    state = StateStore(ws.state_url)
    try:
        found: dict[str, list] = {}
        for f in state.findings(partner="acme", po_number="ACME-1001"):
            found.setdefault(f["code"], []).append(f)
        record = state.order("acme", "ACME-1001")
        history = [h["event"] for h in state.order_history("acme", "ACME-1001")]
    finally:
        state.close()
    orders, lines = OrderStore(ws.orders_dir).load("acme", record.lines_key)
    row = [r for r in orders.to_pylist() if r["po_number"] == "ACME-1001"][-1]
    return found, row, history, {r["line_number"]: r for r in lines.to_pylist() if r["po_number"] == "ACME-1001"}


def test_a_window_every_poc_moves_is_the_order_s_and_the_shipment_is_held_against_it(tmp_path):
    found, row, history, _lines = _night_with_860(tmp_path, range(1, 12))
    assert row["ship_not_before"] == date(2026, 11, 25) and "change_applied" in history
    assert "SHIPPED_OUTSIDE_WINDOW" not in found and "CHANGE_DATES_NOT_STORED" not in found
    applied = found["CHANGE_HEADER_APPLIED"]
    assert len(applied) == 1 and "DTM 037 2026-12-03 -> 2026-11-25 (in every POC loop)" in applied[0]["message"]


def test_an_860_moving_some_lines_windows_moves_theirs_and_leaves_the_order_s(tmp_path):
    found, row, history, lines = _night_with_860(tmp_path, range(1, 4))
    assert row["ship_not_before"] == date(2026, 12, 3)  # lines 4-11 were not moved: the order keeps its window
    assert {n: r["ship_not_before"] for n, r in lines.items() if r["ship_not_before"]} == {
        n: date(2026, 11, 25) for n in (1, 2, 3)}  # lines 1-3 keep their new window's opening
    assert "CHANGE_DATES_NOT_STORED" not in found and "CHANGE_HEADER_APPLIED" not in found
    assert "CHANGE_LINE_DATES_NOT_APPLIED" not in found and "change_applied" in history
    # lines 4-11 left before the order's window opened; lines 1-3 within their own
    [outside] = found["SHIPPED_OUTSIDE_WINDOW"]
    assert "DTM 037 (ship not before) 2026-12-03" in outside["message"] and ", line" not in outside["message"]


def test_poc_window_takes_a_date_every_poc_sends_alike_for_every_line_and_none_in_the_heading():
    stored = [{"line_number": 1, "line_id": "1"}, {"line_number": 2, "line_id": "2"}]
    pocs = [{"line_id": "1", "change_type": "CT", "ship_no_later": date(2026, 12, 20)},
            {"line_id": "2", "change_type": "CT", "ship_no_later": date(2026, 12, 20),
             "ship_not_before": date(2026, 12, 10)}]
    assert poc_window({}, stored, pocs) == {"ship_no_later": date(2026, 12, 20)}  # 037: on line 2 only
    assert poc_window({"ship_no_later": date(2026, 12, 18)}, stored, pocs) == {}  # the heading's wins
    assert poc_window({}, stored, pocs[:1]) == {}  # line 2 not named: the order's window stays
    other = [pocs[0], {**pocs[1], "ship_no_later": date(2026, 12, 21)}]
    assert poc_window({}, stored, other) == {}  # two dates: neither is the order's


def test_apply_changes_moves_the_order_s_ship_no_later_by_its_pocs():
    import pyarrow as pa

    from schemas.changes import ORDER_CHANGES
    from schemas.orders import ORDER_LINES

    order = {"po_number": "P1", "ship_no_later": date(2026, 12, 4)}
    lines = pa.Table.from_pylist([{"partner": "wsi", "po_number": "P1", "line_number": n, "line_id": str(n),
                                   "quantity": 2, "unit": "EA"} for n in (1, 2)], schema=ORDER_LINES)
    header = {"po_number": "P1", "change_ref": "C1", "purpose": "04"}
    changes = pa.Table.from_pylist([{"partner": "wsi", "change_ref": "C1", "po_number": "P1", "poc_number": n,
                                     "line_id": str(n), "change_type": "CT", "ship_no_later": date(2026, 12, 11),
                                     "segment_position": 2 + n, "file_segment": 4 + n} for n in (1, 2)],
                                   schema=ORDER_CHANGES)
    result = apply_changes(order, lines, header, changes, shipped=False)
    assert result.order_changes == {"ship_no_later": date(2026, 12, 11)}
    assert [f.code for f in result.findings] == ["CHANGE_HEADER_APPLIED"]
