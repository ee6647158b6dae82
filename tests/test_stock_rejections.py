"""A PO rejected for want of stock says why (engine.refusals): Wegmans' short night (tests/fixtures/rg20, its
profile ship_complete = true and backorder = "reject"; 48 eaches of paper towels in stock for the 80 it wants).
Before, the whole PO was rejected (855 RD, every line IR, rejected_by_policy in status) without a finding: the
failures report and `orderbridge status` showed an order rejected with no reason. Now one STOCK_SHORT_REJECTED
warning, at the short line's PO1, names the SKU, the units wanted, in stock and coming, the policy and the lines
rejected with it; a warning, so the night exits 0 (stock is not an input error of the partner's)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pyarrow as pa
import pyarrow.csv as pacsv
from typer.testing import CliRunner

from connectors.snapshots import write_snapshot
from connectors.state import StateStore
from flows.cli import app
from flows.exit_status import ExitStatus, for_run
from schemas.inventory import INVENTORY_SNAPSHOT
from tests.retailer_support import of_its_own, po_segments, segments
from tests.support import REPO, run_night

FIXTURES = REPO / "tests" / "fixtures" / "rg20"
NIGHT = datetime(2026, 11, 25, 2)


def test_wegmans_short_night_says_why_its_po_was_rejected_whole(tmp_path):
    ws = of_its_own(FIXTURES, tmp_path / "ws", {"wegmans": ["wegmans-850-3381207.x12"]},
                    warehouses=REPO / "tests" / "fixtures" / "rg2" / "warehouses")
    stock = pacsv.read_csv(FIXTURES / "stock.csv").to_pylist()
    for r in stock:
        if r["sku"] == "GRC-206":
            r["on_hand"] = 48  # of the 80 eaches (20 cases of 4) its line 2 wants; line 1's 720 are in stock
    write_snapshot(ws.inventory_dir / "snapshots", pa.Table.from_pylist(stock, schema=INVENTORY_SNAPSHOT))
    run_id = run_night(ws, NIGHT)

    ack = po_segments(segments(ws, "wegmans", "855"), "3381207", "BAK")
    assert ack[0][1:3] == ["00", "RD"] and [s[1] for s in ack if s[0] == "ACK"] == ["IR", "IR"]
    state = StateStore(ws.state_url)
    try:
        found = state.findings(partner="wegmans", po_number="3381207")
    finally:
        state.close()
    [f] = [f for f in found if f["code"] == "STOCK_SHORT_REJECTED"]
    assert f["severity"] == "warning" and f["consequence"] == "order rejected (855 RD)"
    assert f["message"].startswith(
        "PO 3381207 rejected whole (855 RD, every line IR): the partner ships complete and takes no backorder "
        "([allocation] ship_complete = true, backorder = \"reject\"), and stock is short for line 2 (SKU GRC-206): "
        "80 eaches wanted, 48 in stock for the run, 0 coming on receipts. The other lines were rejected with it "
        "though stock was there: line 1 (SKU GRC-202).")
    rows = list(csv.DictReader(io.StringIO((ws.reports_dir / run_id / "failures.csv").read_text())))
    [row] = [r for r in rows if r["code"] == "STOCK_SHORT_REJECTED"]
    assert row["po_number"] == "3381207" and row["consequence"] == "order rejected (855 RD)"
    assert (row["segment"], row["element"], row["line_number"], row["file"]) == (
        "PO1@16", "PO102", "2", "wegmans-850-3381207.x12")  # line 2: the PO1 at 16
    hints = csv.DictReader(io.StringIO((ws.reports_dir / run_id / "failures-hints.csv").read_text("utf-8-sig")))
    assert next(h["hint"] for h in hints if h["code"] == row["code"]).startswith("Stock, not the partner's PO")
    # `orderbridge status` tells the story with its reason
    shown = CliRunner().invoke(app, ["status", "3381207", "--partner", "wegmans", "-w", str(ws.root)],
                               terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "STOCK_SHORT_REJECTED" in shown.output and "SKU GRC-206" in shown.output
    summary = json.loads((ws.reports_dir / run_id / "summary.json").read_text())
    assert for_run(summary) == ExitStatus.OK  # nothing the partner sent was wrong


def test_a_csv_order_s_line_stock_refused_is_named_at_its_row_and_quantity_column(tmp_path):
    """Umbrella's CSV feed: VP-1030 (toner) has no stock and no receipt, so line 2's units are rejected
    (no_receipt); the warning is at the row and the layout's quantity column, as a rule's finding is."""
    from tests.test_csv_order_shapes_run import DATED, feed, run_feed

    prices = (REPO / "sample_files" / "reference" / "prices.csv").read_text()
    prices += "umbrella,SKU-1030,32.3400,USD,2026-01-01,\n"  # its price on file: the line is answered, not held
    _ws, found, ack = run_feed(tmp_path / "ws", feed(
        DATED,
        "U-7;26.11.2026;1;12;EA;25,70;VP-1013;04.12.2026;;;;UMB-9",
        "U-7;;2;10;EA;32,34;VP-1030;;;;;"), reference={"prices.csv": prices})
    assert ("decide", "STOCK_SHORT_REJECTED", 3, "Quantity", "U-7") in found
    assert [a.split(";")[:3] for a in ack] == [["U-7", "1", "IA"], ["U-7", "2", "IR"]]
