"""A warehouse's shipment confirmation that arrives after we cancelled its order as unshipped past its cancel date
(balance_cancelled_unshipped, once the partner's [allocation] unshipped_grace_days passed: tests.test_unshipped_past_
cancel). The goods left the day before we cancelled it (the last day of the grace), the confirmation came a day
after. The shipment is held as any shipment of a closed line is (SHIPMENT_LINE_CLOSED, issue 11): no 856 saying the
cancelled lines are on order and shipping, no 810, no reservation consumed, made again or released twice, the order
stays cancelled. What changed: the finding used to read as the warehouse's error ("Line 4 of GLOBEX-2000 is
rejected."; "the warehouse must send a corrected confirmation"), though the confirmation is right and the order is
the one that ended. It now says that we cancelled the line's units after acknowledging them, which units and why, what
the shipment carried and when, and that the buyer decides (keep the goods on a new PO, or send them back). The ops
report and `orderbridge status` show it beside the order's cancellation.

GLOBEX-2000 (the demo) with DTM 001 2026-12-10: line 4 reserved 12 at EAST and 12 at WEST, 12 backordered."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime

from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from flows.reports import write_reports
from schemas.lifecycle import OrderState
from tests.support import REPO, run_stages
from tests.test_backorder_cancel_date import dated_night1, story

CONFIRMATION = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
                "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"
                "SHP-9001,2026-12-17,16:05,UPSN,G2,1Z999AA10123459999,BOL-9001,GLOBEX-2000,4,SKU-1003,12,EA,C-9001,"
                "14.5,LB,\n")


def _sent(ws) -> list[tuple[str, str]]:
    state = StateStore(ws.state_url)
    try:
        return [(d.doc_type, d.file_name) for d in state.documents("globex")]
    finally:
        state.close()


def test_a_confirmation_after_the_order_ended_is_held_and_told_as_units_we_cancelled(tmp_path):
    ws = dated_night1(tmp_path / "ws", "DTM|001|20261210~")
    run_stages(ws, datetime(2026, 12, 11, 2))  # past the date: the backorder cancelled (EXPIRED:12)
    run_stages(ws, datetime(2026, 12, 18, 2))  # the grace over, nothing confirmed shipped: the order ends
    ended, lines, events, _found, reserved = story(ws)
    assert ended.state == OrderState.CANCELLED and events[-1] == "balance_cancelled_unshipped" and reserved == {}
    sent = _sent(ws)
    # EAST, which held 12 of line 4, shipped them on the grace's last day; its confirmation comes the day after
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "east-shipments-20261218.csv").write_text(CONFIRMATION)
    run_stages(ws, datetime(2026, 12, 19, 2))

    record, after, history, _found, held = story(ws)
    # the order and its lines as the cancellation left them: nothing reopened, reserved or released again
    assert (record.state, record.revision) == (OrderState.CANCELLED, ended.revision) and after == lines
    assert history == events and held == {}
    state = StateStore(ws.state_url)
    try:
        assert state.shipments() == [] and state.shipped_since(datetime(2026, 11, 26).date()) == []
        found = state.findings(run_id="20261219", po_number="GLOBEX-2000")
    finally:
        state.close()
    assert _sent(ws) == sent  # no 856 (the cancelled lines as shipping), no 810
    assert (ws.warehouse_drop_root / "east" / "quarantine" / "east-shipments-20261218.csv").exists()
    # one finding tells ops what happened; the shipment's other finding on the line shares its consequence
    closed = [f for f in found if f["code"] == "SHIPMENT_LINE_CLOSED"]
    assert len(closed) == 1 and {f["code"] for f in found} == {"SHIPMENT_LINE_CLOSED", "SHIPMENT_OVER_RESERVED"}
    message = closed[0]["message"]
    assert message.startswith("Line 4 of GLOBEX-2000 is rejected. We cancelled units of it after acknowledging them:")
    assert "12 backordered past the order's last date (EXPIRED:12)" in message, message
    assert "24 unshipped past the order's last date (BALANCE_CANCELLED:24)" in message, message
    assert "shipment SHP-9001 shipped 12 EA of it on 2026-12-17" in message, message
    assert {f["consequence"] for f in found} == {
        "shipment SHP-9001 held: no 856 nor 810, no reservation consumed nor made, the units stay cancelled; the "
        "goods left for units we cancelled: ask the buyer whether it keeps them (on a new PO) or sends them back, "
        "and tell the warehouse"}
    assert all(f["severity"] == "error" and f["stage"] == "shipments" for f in found)

    # the ops report of the night lists it
    report = write_reports(ws, "20261219")
    rows = list(csv.DictReader(open(report["reports"]["failures_csv"], newline="")))  # noqa: SIM115
    assert any(r["code"] == "SHIPMENT_LINE_CLOSED" and r["po_number"] == "GLOBEX-2000"
               and "We cancelled units of it" in r["message"] for r in rows), rows
    # and the order's status: cancelled, nothing reserved, the cancellation and the confirmation after it
    res = CliRunner().invoke(app, ["status", "GLOBEX-2000", "--partner", "globex", "--json", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    shown = json.loads(res.stdout)
    assert shown["order"]["state"] == "cancelled" and shown["reservations"] == []
    assert [h["event"] for h in shown["history"]][-1] == "balance_cancelled_unshipped"
    assert any(f["code"] == "SHIPMENT_LINE_CLOSED" and "ask the buyer" in f["consequence"]
               for f in shown["findings"]), shown["findings"]

    run_stages(ws, datetime(2026, 12, 20, 2))  # the file was quarantined: read once, told once
    assert story(ws)[1:] == (after, history, _found, {})
    state = StateStore(ws.state_url)
    try:
        assert state.findings(run_id="20261220", po_number="GLOBEX-2000") == []
    finally:
        state.close()
