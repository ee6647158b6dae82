"""A line's own dates (an 850's PO1-loop DTM 001 / 063 / 064, an 860's POC-loop DTM: ORDER_LINES cancel_after,
do_not_deliver_after, do_not_deliver_before) in the shipment window check (SHIPPED_OUTSIDE_WINDOW): a shipped
line is held against its own date where it has one, else its order's, and the warning names the line."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa

from tests.business.tables import order, orders_table
from tests.support import run_stages
from tests.test_po_deadlines import NIGHT, with_dates


def line_dates(text: str, po: str, line: str, dtms: str) -> str:
    """``text`` (acme's demo 850s) with ``dtms`` (DTM segments) at the end of ``po``'s PO1 loop ``line``."""
    start = text.index(f"BEG*00*SA*{po}*")
    at = text.index("~", text.index(f"PO1*{line}*", start))
    at = text.index("~", at + 1) + 1 if text[at + 1:].lstrip("\r\n").startswith("PID*") else at + 1
    se = text.index("SE*", at)
    count, rest = text[se + 3:].split("*", 1)
    return text[:at] + dtms + text[at:se] + f"SE*{int(count) + dtms.count('~')}*" + rest


def _lines(*rows: tuple) -> pa.Table:
    """Canonical ORDER_LINES columns the check reads: (po, line number, PO101, cancel_after, 063, 064)."""
    cols = ["po_number", "line_number", "line_id", "cancel_after", "do_not_deliver_after", "do_not_deliver_before"]
    t = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    return pa.table({"partner": ["acme"] * len(rows), **t}).cast(pa.schema([
        ("partner", pa.string()), ("po_number", pa.string()), ("line_number", pa.int32()), ("line_id", pa.string()),
        ("cancel_after", pa.date32()), ("do_not_deliver_after", pa.date32()), ("do_not_deliver_before", pa.date32())]))


def test_a_line_s_own_date_stands_for_its_order_s_and_is_named_with_the_line():
    from engine.deadlines import ship_date_findings

    shipped = pa.table({"shipment_id": ["S1", "S1", "S2", "S3", "S4"], "partner": ["acme"] * 5,
                        "po_number": ["P1", "P1", "P1", "P2", "P3"],
                        "line_number": pa.array([1, 2, 2, 1, 1], pa.int32()),
                        "ship_date": [date(2026, 12, 12)] * 5})
    no = {"ship_not_before": None, "ship_no_later": None}  # tables.order's defaults left out
    orders = orders_table(order(po_number="P1", partner="acme", cancel_after=date(2026, 12, 15), **no),
                          order(po_number="P2", partner="acme", cancel_after=date(2026, 12, 10), **no),
                          order(po_number="P3", partner="acme", **no))
    lines = _lines(("P1", 1, "A1", date(2026, 12, 10), None, None),  # earlier than the order's 12-15
                   ("P2", 1, "B1", date(2026, 12, 20), None, None),  # later than the order's 12-10
                   ("P3", 1, None, None, date(2026, 12, 11), None))  # the order has no dates of its own
    found = ship_date_findings(shipped, orders, lines)
    assert [(fr.po_number, fr.finding.location.value) for fr in found] == [("P1", "S1"), ("P3", "S4")]
    # S1: line A1's own 12-10 passed; line 2 has none, the order's 12-15 is not passed. S2 (line 2): nothing.
    assert "left 2026-12-12, after its DTM 001 (cancel after, line A1) 2026-12-10:" in found[0].finding.message
    # P2: the line's own later date stands for the order's passed one. P3: the line's only date, by its number.
    assert "after its DTM 063 (do not deliver after, line 1) 2026-12-11:" in found[1].finding.message
    # without the lines, the order's dates as before
    assert [fr.po_number for fr in ship_date_findings(shipped, orders)] == ["P2"]


def test_the_order_s_date_is_named_for_the_shipped_lines_without_their_own():
    from engine.deadlines import ship_date_findings

    shipped = pa.table({"shipment_id": ["S1", "S1"], "partner": ["acme"] * 2, "po_number": ["P1", "P1"],
                        "line_number": pa.array([1, 2], pa.int32()), "ship_date": [date(2026, 12, 20)] * 2})
    orders = orders_table(order(po_number="P1", partner="acme", cancel_after=date(2026, 12, 15),
                                ship_not_before=None, ship_no_later=date(2026, 12, 12)))
    found = ship_date_findings(shipped, orders, _lines(("P1", 1, "1", date(2026, 12, 18), None, None)))
    assert len(found) == 1
    assert ("after its DTM 038 (ship no later) 2026-12-12 and DTM 001 (cancel after) 2026-12-15 and "
            "DTM 001 (cancel after, line 1) 2026-12-18:") in found[0].finding.message


def _ship(ws, *, night: bool = True) -> list[dict]:
    """``ws``'s orders taken (the night's run, unless ``night`` is False: already), the demo's east and north
    confirmations shipped on 2026-11-27: its SHIPPED_OUTSIDE_WINDOW findings."""
    from connectors.state import StateStore
    from tests.support import drop_confirmations, ship_stages

    if night:
        run_stages(ws, NIGHT)
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, datetime(2026, 11, 27, 14, 30), run_id="day1")
    state = StateStore(ws.state_url)
    try:
        return [f for f in state.findings(partner="acme") if f["code"] == "SHIPPED_OUTSIDE_WINDOW"]
    finally:
        state.close()


def test_a_shipment_before_a_line_s_own_do_not_deliver_before_warns_nothing(tmp_path):
    """ACME-1001's line 4 carries its own DTM 064 2026-12-03 in its PO1 loop (the heading has none); the east
    warehouse ships it 2026-11-27 in SHP-1001 (with lines 5, 6, 10): 064 is a delivery date, a truck leaving
    before the delivery window opens breaks nothing, so no warning (it used to warn, naming line 4)."""
    from tests.support import shipping_workspace

    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    po.write_text(line_dates(po.read_text(), "ACME-1001", "4", "DTM*064*20261203~"))
    assert _ship(ws) == []


def test_a_line_s_own_earlier_date_stands_for_the_order_s(tmp_path):
    """The heading says not delivered before 2026-12-03; lines 4, 5 and 6 carry their own DTM 064 2026-11-25.
    SHP-1001 (lines 4, 5, 6 and 10, 2026-11-27) leaves before the heading's date for line 10: nothing is
    said either way, a do-not-deliver-before is a delivery date (it used to warn for line 10). The line
    standing for its order is test_a_line_s_own_date_stands_for_its_order_s_and_is_named_with_the_line's."""
    from tests.support import shipping_workspace

    for dated, expected in ((("4", "5", "6"), 0), (("4", "5", "6", "10"), 0)):
        ws = shipping_workspace(tmp_path / f"ws{len(dated)}", partners=("acme",))
        po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
        text = with_dates("DTM*064*20261203~", "ACME-1001", po.read_text())
        for line in dated:
            text = line_dates(text, "ACME-1001", line, "DTM*064*20261125~")
        po.write_text(text)
        found = [f for f in _ship(ws) if "SHP-1001" in f["message"]]
        assert len(found) == expected
        if found:
            assert "before its DTM 064 (do not deliver before) 2026-12-03:" in found[0]["message"]


# --- status --dates: a line's own dates where they differ from its order's -------------------------------------
def test_status_dates_shows_a_line_s_own_dates_where_they_differ_from_the_order_s(tmp_path):
    """ACME-1001: heading DTM 001 2026-12-31; line 4's own DTM 001 2026-12-20, line 5's own DTM 001 2026-12-31 (the
    order's: not repeated), line 6's own DTM 064 2026-12-14 (the heading has none)."""
    import json

    from typer.testing import CliRunner

    from flows.cli import app
    from tests.support import make_workspace

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    text = with_dates("DTM*001*20261231~", "ACME-1001", po.read_text())
    for line, dtm in (("4", "DTM*001*20261220~"), ("5", "DTM*001*20261231~"), ("6", "DTM*064*20261214~")):
        text = line_dates(text, "ACME-1001", line, dtm)
    po.write_text(text)
    run_stages(ws, NIGHT)
    runner = CliRunner()
    args = ["status", "ACME-1001", "--partner", "acme", "-w", str(ws.root)]
    doc = json.loads(runner.invoke(app, [*args, "--json", "--dates"]).stdout)
    assert doc["order"]["dates"]["cancel_after"] == "2026-12-31"
    assert doc["order"]["line_dates"] == [
        {"line_number": 4, "line_id": "4", "cancel_after": "2026-12-20"},
        {"line_number": 6, "line_id": "6", "do_not_deliver_before": "2026-12-14"}]
    shown = runner.invoke(app, [*args, "--dates"], terminal_width=200).output
    assert "line 4's own dates: cancel after 2026-12-20 (DTM 001)" in shown
    assert "line 6's own dates: do not deliver before 2026-12-14 (DTM 064)" in shown
    assert "line 5's own" not in shown
    assert json.loads(runner.invoke(app, [*args, "--json"]).stdout)["order"]["line_dates"] == []  # not asked


def test_status_dates_shows_a_line_date_an_860_moved(tmp_path):
    """An 860 POC*4*CT with a DTM 001 under it moves GLOBEX-2000's line 4 to 2026-12-20 (the order's 2026-12-10):
    `status --dates` shows the current revision's line date."""
    from tests.support import make_workspace
    from tests.test_backorder_cancel_date import NIGHT1, globex_with
    from tests.test_cancel_date_moves import _status, change_860

    ws = make_workspace(tmp_path / "ws")
    globex_with(ws, "DTM|001|20261210~")
    run_stages(ws, NIGHT1)
    assert _status(ws)["order"]["line_dates"] == []
    change_860(ws, [], ["POC*4*CT*36*36*EA*38.02*PE*VN*VP-1003", "DTM*001*20261220"])
    run_stages(ws, datetime(2026, 12, 9, 2))
    shown = _status(ws)["order"]
    assert shown["dates"]["cancel_after"] == "2026-12-10"
    assert [(ln["line_number"], ln["cancel_after"]) for ln in shown["line_dates"]] == [(4, "2026-12-20")]


def test_a_line_date_an_860_poc_moved_is_the_one_its_shipment_is_held_against(tmp_path):
    """After ACME-1001 is acknowledged, an 860 (BCH 04) POC*4*CT with a DTM 063 under it says line 4 may not be
    delivered after 2026-11-26: SHP-1001 (2026-11-27) is warned about, naming line 4 and the moved date. (It
    used a 064, do not deliver before, which no longer holds a ship date.)"""
    from tests.support import shipping_workspace

    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    run_stages(ws, NIGHT)
    body = ["ST*860*0001", "BCH*04*SA*ACME-1001**1*20261126", "POC*4*CT*10*10*EA*9.39*PE*VN*VP-1002",
            "DTM*063*20261126", "CTT*1", "SE*6*0001"]
    (ws.drop_root / "acme" / "inbox" / "change.x12").write_text(
        "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*0800*U*00401*000001901*0*P*>~"
        "GS*PC*ACMERETAIL*ORDERBRIDGE*20261127*0800*1901*X*004010~" + "".join(s + "~" for s in body)
        + "GE*1*1901~IEA*1*000001901~")
    run_stages(ws, datetime(2026, 11, 27, 9))
    found = _ship(ws, night=False)
    assert len(found) == 1 and "SHP-1001" in found[0]["message"]
    assert "after its DTM 063 (do not deliver after, line 4) 2026-11-26" in found[0]["message"]
