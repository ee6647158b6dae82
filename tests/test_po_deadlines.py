"""The last acceptable dates a PO names (X12 element 374 on the 850's heading DTM): 001 cancel after,
063 do not deliver after, 064 do not deliver before. They are kept with the order (ORDERS columns; a
table stored before reads them as null) and shown by `status`; one already past on arrival holds the
order (CANCEL_DATE_PASSED); 064 after 063 or 037 after 001 contradict each other."""

from __future__ import annotations

import json
from datetime import date, datetime

import pyarrow.parquet as pq
from typer.testing import CliRunner

from connectors.order_store import OrderStore
from flows.cli import app
from rules.business import check_dates
from schemas.orders import ADDED_LATER, ORDERS
from schemas.outcomes import HOLD_ORDER, outcome_for
from schemas.rule_settings import RuleSettings
from tests.business.tables import TODAY, order, orders_table
from tests.support import make_workspace, run_stages
from tests.test_mark_for import ACME_PO, orders_of

NIGHT = datetime(2026, 11, 27, 2)


def with_dates(dtms: str, po: str = "ACME-1000", text: str = ACME_PO) -> str:
    """acme's demo 850s, ``po``'s set carrying ``dtms`` (DTM segments) after its DTM 010."""
    start = text.index(f"BEG*00*SA*{po}*")
    at = text.index("~", text.index("DTM*010*", start)) + 1
    se = text.index("SE*", at)
    count, rest = text[se + 3:].split("*", 1)
    added = dtms.count("~")
    return text[:at] + dtms + text[at:se] + f"SE*{int(count) + added}*" + rest


def shipped_day1(tmp_path, segments: str):
    """acme's demo workspace, ACME-1001's 850 carrying ``segments`` after its DTM 010, run for night 1 and shipped
    on day 1 (the demo's warehouse confirmations): the workspace."""
    from tests.support import drop_confirmations, ship_stages, shipping_workspace

    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    po.write_text(with_dates(segments, "ACME-1001", po.read_text()))
    run_stages(ws, NIGHT)
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, datetime(2026, 11, 27, 14, 30), run_id="day1")
    return ws


def test_the_850_keeps_cancel_after_and_the_do_not_deliver_window():
    orders, _ = orders_of(with_dates("DTM*001*20261215~DTM*063*20261218~DTM*064*20261211~"))
    first, second = orders.to_pylist()[:2]
    assert (first["cancel_after"], first["do_not_deliver_after"], first["do_not_deliver_before"]) == (
        date(2026, 12, 15), date(2026, 12, 18), date(2026, 12, 11))
    assert (second["cancel_after"], second["do_not_deliver_after"], second["do_not_deliver_before"]) == (
        None, None, None)
    assert first["requested_ship_date"] == date(2026, 12, 10)  # the others unchanged


def test_orders_stored_before_the_deadline_columns_read_them_as_null(tmp_path):
    orders, lines = orders_of(with_dates("DTM*001*20261215~"))
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.orders.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["cancel_after", "do_not_deliver_after",
                                                    "do_not_deliver_before"]), path)
    assert {"cancel_after", "do_not_deliver_after", "do_not_deliver_before"} <= ADDED_LATER
    loaded, _ = store.load("acme", "old")
    assert loaded.schema == ORDERS and loaded["cancel_after"].null_count == loaded.num_rows
    assert store.load_orders("acme", "old", ["po_number", "do_not_deliver_before"]).column(
        "do_not_deliver_before").null_count == orders.num_rows


def test_a_cancel_date_past_on_arrival_holds_the_order():
    found = check_dates(orders_table(order(cancel_after=date(2026, 11, 20), ship_not_before=None)), today=TODAY,
                        settings=RuleSettings())
    assert [(f.code, f.location.segment_id, f.location.element) for f in found] == [
        ("CANCEL_DATE_PASSED", "DTM", "DTM02")]
    assert "DTM 001 (cancel after) 20261120 is before today 20261127" in found[0].message
    found = check_dates(orders_table(order(do_not_deliver_after=date(2026, 11, 20))), today=TODAY,
                        settings=RuleSettings())
    assert [f.code for f in found] == ["CANCEL_DATE_PASSED"] and "DTM 063" in found[0].message
    assert outcome_for("CANCEL_DATE_PASSED") == HOLD_ORDER
    # today itself is still in time; a 064 in the past is harmless; a table without the columns passes
    assert check_dates(orders_table(order(cancel_after=TODAY, ship_not_before=None,
                                          do_not_deliver_before=date(2026, 11, 1))),
                       today=TODAY, settings=RuleSettings()) == []
    old = orders_table(order()).drop_columns(["cancel_after", "do_not_deliver_after", "do_not_deliver_before"])
    assert check_dates(old, today=TODAY, settings=RuleSettings()) == []


def test_a_window_the_wrong_way_round_is_inconsistent():
    found = check_dates(orders_table(order(do_not_deliver_before=date(2026, 12, 20),
                                           do_not_deliver_after=date(2026, 12, 19))),
                        today=TODAY, settings=RuleSettings())
    assert [f.code for f in found] == ["SHIP_WINDOW_INCONSISTENT"]
    assert "DTM 064 (do not deliver before) 20261220 is after DTM 063" in found[0].message
    # 037 is 2026-12-01: a cancel date before it leaves no day to ship on
    found = check_dates(orders_table(order(cancel_after=date(2026, 11, 29))), today=TODAY, settings=RuleSettings())
    assert [f.code for f in found] == ["SHIP_WINDOW_INCONSISTENT"]
    assert "DTM 037 (ship not before) 20261201 is after DTM 001 (cancel after) 20261129" in found[0].message


def test_status_shows_the_dates_and_the_hold(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    text = with_dates("DTM*001*20261126~", "ACME-1000", po.read_text())  # cancel after: before the night
    po.write_text(with_dates("DTM*001*20261231~DTM*063*20270105~DTM*064*20261214~", "ACME-1001", text))
    run_stages(ws, NIGHT)
    runner = CliRunner()

    def story(number: str) -> dict:
        res = runner.invoke(app, ["status", number, "--partner", "acme", "--json", "--dates", "-w", str(ws.root)])
        assert res.exit_code == 0, res.output
        return json.loads(res.stdout)

    dead, alive = story("ACME-1000"), story("ACME-1001")
    assert dead["order"]["state"] == "held" and "CANCEL_DATE_PASSED" in dead["order"]["hold_codes"]
    assert dead["order"]["dates"]["cancel_after"] == "2026-11-26"
    assert {k: v for k, v in alive["order"]["dates"].items() if v} == {
        "cancel_after": "2026-12-31", "do_not_deliver_after": "2027-01-05", "do_not_deliver_before": "2026-12-14",
        "requested_ship_date": "2026-12-10"}
    assert "CANCEL_DATE_PASSED" not in alive["order"]["codes"]
    shown = runner.invoke(app, ["status", "ACME-1001", "--partner", "acme", "--dates", "-w", str(ws.root)],
                          terminal_width=200)
    assert "cancel after 2026-12-31 (DTM 001)" in shown.output
    assert "do not deliver after 2027-01-05 (DTM 063)" in shown.output
    plain = runner.invoke(app, ["status", "ACME-1001", "--partner", "acme", "--json", "-w", str(ws.root)])
    assert json.loads(plain.stdout)["order"]["dates"] == {}  # status alone reads no stored table


def test_a_backorder_that_cannot_ship_before_the_cancel_date_is_answered_ir(tmp_path):
    """GLOBEX-2000's line 3 waits for a receipt of 2026-12-15 (the demo); with DTM 001 2026-12-10 on the
    PO the 855 rejects it (IR) instead of promising a date the buyer would refuse, and a finding names
    both dates; line 4 (promised 2026-12-10, its receipt due 2026-12-04) keeps its promise."""
    from connectors.state import StateStore

    ws = make_workspace(tmp_path / "ws")
    po = ws.drop_root / "globex" / "inbox" / "globex-po-01.x12"
    text = po.read_bytes().decode()
    at = text.index("\n", text.index("DTM|010|20261210")) + 1
    se = text.index("SE|16|0001")
    po.write_bytes((text[:at] + "DTM|001|20261210~\r\n" + text[at:se] + "SE|17|0001" +
                    text[se + len("SE|16|0001"):]).encode())
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_url)
    try:
        lines = {ln.line_number: ln for ln in state.order_lines("globex", "GLOBEX-2000")}
        found = [f for f in state.findings(partner="globex", po_number="GLOBEX-2000")
                 if f["code"] == "BACKORDER_AFTER_CANCEL"]
    finally:
        state.close()
    assert (lines[3].ack, lines[3].backordered, lines[3].rejected, lines[3].promised_date) == ("IR", 0, 30, None)
    assert "past_cancel_date" in lines[3].reason
    assert (lines[4].ack, lines[4].backordered, str(lines[4].promised_date)) == ("BP+IB", 12, "2026-12-10")
    assert len(found) == 1 and "2026-12-15" in found[0]["message"] and "2026-12-10" in found[0]["message"]
    assert "DTM 001 (cancel after)" in found[0]["message"] and found[0]["consequence"] == "line IR"
    ack = next(t for t in (p.read_text() for p in sorted((ws.drop_root / "globex" / "outbox").glob("*-855-*")))
               if "GLOBEX-2000" in t)
    assert "ACK|IR|30|EA" in ack and "ACK|IB|12|EA" in ack


def test_a_shipment_outside_the_window_warns_once_per_shipment_and_po():
    import pyarrow as pa

    from engine.deadlines import ship_date_findings

    shipped = pa.table({"shipment_id": ["S1", "S1", "S2", "S3"], "partner": ["acme"] * 4,
                        "po_number": ["P1", "P1", "P2", "P3"],
                        "ship_date": [date(2026, 12, 16), date(2026, 12, 16), date(2026, 12, 2), date(2026, 12, 9)]})
    orders = orders_table(order(po_number="P1", partner="acme", ship_no_later=date(2026, 12, 8),
                                cancel_after=date(2026, 12, 15)),
                          order(po_number="P2", partner="acme", ship_not_before=date(2026, 12, 3),
                                do_not_deliver_before=date(2026, 12, 5)),
                          order(po_number="P3", partner="acme", ship_not_before=date(2026, 12, 1),
                                ship_no_later=date(2026, 12, 9), cancel_after=date(2026, 12, 9)))
    found = ship_date_findings(shipped, orders)
    assert [(fr.finding.code, fr.finding.severity, fr.po_number, fr.finding.location.value) for fr in found] == [
        ("SHIPPED_OUTSIDE_WINDOW", "warning", "P1", "S1"), ("SHIPPED_OUTSIDE_WINDOW", "warning", "P2", "S2")]
    assert ("left 2026-12-16, after its DTM 038 (ship no later) 2026-12-08 and DTM 001 (cancel after) 2026-12-15"
            in found[0].finding.message)
    # 064 (do not deliver before) is a delivery date: leaving before it breaks nothing, 037 alone is named
    assert "left 2026-12-02, before its DTM 037 (ship not before) 2026-12-03: " in found[1].finding.message
    assert found[0].consequence == "856 sent: chargeback risk"  # on the last day itself (P3): nothing
    assert ship_date_findings(shipped, orders.drop_columns(["ship_not_before", "ship_no_later", "cancel_after",
                                                            "do_not_deliver_before", "do_not_deliver_after"])) == ()


def test_leaving_before_a_do_not_deliver_before_date_is_no_breach():
    """DTM 064 (do not deliver before) is a delivery date: a truck leaving before a grocery DC's delivery
    window opens is normal (Publix: ship 12-02 for a window opening 12-05), so no warning; a ship date after
    the 063 (do not deliver after) is certain to arrive late, and still warns."""
    import pyarrow as pa

    from engine.deadlines import ship_date_findings

    shipped = pa.table({"shipment_id": ["S1", "S2"], "partner": ["acme"] * 2, "po_number": ["P1", "P2"],
                        "ship_date": [date(2026, 12, 2), date(2026, 12, 9)]})
    no = {"ship_not_before": None, "ship_no_later": None}
    orders = orders_table(order(po_number="P1", partner="acme", do_not_deliver_before=date(2026, 12, 5),
                                do_not_deliver_after=date(2026, 12, 8), **no),
                          order(po_number="P2", partner="acme", do_not_deliver_before=date(2026, 12, 5),
                                do_not_deliver_after=date(2026, 12, 8), **no))
    found = ship_date_findings(shipped, orders)
    assert [(fr.po_number, fr.finding.location.value) for fr in found] == [("P2", "S2")]
    assert "left 2026-12-09, after its DTM 063 (do not deliver after) 2026-12-08: " in found[0].finding.message
    assert "064" not in found[0].finding.message


def test_a_shipment_before_the_window_is_sent_with_a_warning(tmp_path):
    """ACME-1001 ships 2026-11-27 (the demo's east warehouse); its PO says not before 2026-12-01 (037) nor
    delivered before 2026-12-03 (064): the 856 goes, and a warning names the ship-not-before date only (a
    truck may leave before the delivery window opens)."""
    from connectors.state import StateStore

    ws = shipped_day1(tmp_path, "DTM*037*20261201~DTM*064*20261203~")
    state = StateStore(ws.state_url)
    try:
        found = [f for f in state.findings(partner="acme") if f["code"] == "SHIPPED_OUTSIDE_WINDOW"]
        shipped = state.order("acme", "ACME-1001").state.value
    finally:
        state.close()
    assert [(f["po_number"], f["severity"]) for f in found] == [("ACME-1001", "warning")]
    assert "before its DTM 037 (ship not before) 2026-12-01: " in found[0]["message"]
    assert shipped in ("shipped", "partially_shipped")


def test_a_window_date_an_860_moved_is_the_one_the_shipment_is_held_against(tmp_path):
    """As above, but an 860 (BCH 04, heading DTM 037 only) moves ship-not-before to 2026-11-25 after the
    order was acknowledged: the shipment of 2026-11-27 is checked against the new date, no warning. (It moved
    a 064, do not deliver before, which no longer holds a ship date at all.)"""
    from connectors.state import StateStore
    from tests.support import drop_confirmations, ship_stages, shipping_workspace

    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    po.write_text(with_dates("DTM*037*20261203~", "ACME-1001", po.read_text()))
    run_stages(ws, NIGHT)
    body = ["ST*860*0001", "BCH*04*SA*ACME-1001**1*20261126", "DTM*037*20261125", "CTT*0", "SE*5*0001"]
    (ws.drop_root / "acme" / "inbox" / "change.x12").write_text(
        "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*0800*U*00401*000001901*0*P*>~"
        "GS*PC*ACMERETAIL*ORDERBRIDGE*20261127*0800*1901*X*004010~" + "".join(s + "~" for s in body)
        + "GE*1*1901~IEA*1*000001901~")
    run_stages(ws, datetime(2026, 11, 27, 9))
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, datetime(2026, 11, 27, 14, 30), run_id="day1")
    state = StateStore(ws.state_url)
    try:
        found = [f for f in state.findings(partner="acme") if f["code"] == "SHIPPED_OUTSIDE_WINDOW"]
        history = [h["event"] for h in state.order_history("acme", "ACME-1001")]
        shipped = state.order("acme", "ACME-1001").state.value
    finally:
        state.close()
    # a moved ship-not-before decides the order again (a revised 855), rather than a date-only answer
    assert "change_applied" in history and shipped in ("shipped", "partially_shipped")
    assert found == []
