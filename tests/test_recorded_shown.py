"""Documents another system of ours sent (the ERP's 810s, the WMS's 856s), entered with `orderbridge record`,
count in the reconciliation as ours; the order's story shows them beside the documents we sent, with what
they are, who recorded them, when and from which file: `status` (text and --json) and the console's order
page. Before, the demo's ACME-1000 showed no invoice at all although ERP-5001 billed it twice: it was
visible only through its exceptions."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime

import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from flows.reconcile import record_documents
from tests.support import REPO, make_workspace, run_stages
from tests.support_console import Client, ConsoleServer, add_users

NIGHT1, RECORDED = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14)
ERP_810 = ("810", "ERP-5001", "2026-11-27", "WMS-77001", 1, "12", "000990001", "990001", "0001",
           "acme-erp-810.x12", "2026-11-27T16:00:00", "2026-11-27T14:00:00", "Kim Finance", "ERP manual invoices")


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("recorded") / "ws")
    run_stages(ws, NIGHT1)
    store = StateStore(ws.state_path)
    try:
        for path in sorted((REPO / "sample_files" / "recorded" / "acme").glob("*.x12")):
            record_documents(store, path, partner="acme", by="Kim Finance", note="ERP manual invoices", at=RECORDED)
    finally:
        store.close()
    add_users(ws.root)
    return ws


def test_status_shows_the_documents_recorded_for_the_order(ws):
    res = CliRunner().invoke(app, ["status", "ACME-1000", "--partner", "acme", "--json", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    recorded = json.loads(res.stdout)["recorded"]
    keys = ("type", "document_ref", "doc_date", "shipment_id", "lines", "quantity", "isa13", "gs06", "st02", "file",
            "sent_at", "recorded_at", "recorded_by", "note")
    assert [tuple(r[k] for k in keys) for r in recorded] == [
        ("856", "WMS-77001", "2026-11-27", "WMS-77001", 2, "40", "000880001", "880001", "0001", "acme-wms-856.x12",
         "2026-11-27T11:15:00", "2026-11-27T14:00:00", "Kim Finance", "ERP manual invoices"),
        ERP_810,  # the same invoice number sent again an hour later, in its own file: both shown
        (*ERP_810[:6], "000990002", "990002", "0001", "acme-erp-810-again.x12", "2026-11-27T17:00:00",
         *ERP_810[11:])]
    assert {r["clock"] for r in recorded} == {"wall"}
    res = CliRunner().invoke(app, ["status", "ACME-1000", "--partner", "acme", "-w", str(ws.root)],
                             terminal_width=200)
    text = " ".join(res.output.split())
    assert "documents recorded as sent by another system of ours" in text
    assert ("810 ERP-5001 (shipment WMS-77001) of 2026-11-27: 1 line, 12 units; sent 2026-11-27T16:00:00, "
            "ISA13 000990001 GS06 990001 ST02 0001, file acme-erp-810.x12; recorded 2026-11-27T14:00:00 by "
            "Kim Finance: ERP manual invoices") in text
    res = CliRunner().invoke(app, ["status", "ACME-1001", "--partner", "acme", "--json", "-w", str(ws.root)])
    assert json.loads(res.stdout)["recorded"] == []  # nothing recorded for it: nothing said
    res = CliRunner().invoke(app, ["status", "ACME-1001", "--partner", "acme", "-w", str(ws.root)])
    assert "recorded as sent" not in res.output


@pytest.mark.integration
def test_the_console_order_page_shows_the_documents_recorded_for_the_order(ws):
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-27T09:30:00") as server:
        c = Client(server.url)
        c.sign_in("dana")
        status, body = c.get("/order?partner=acme&po=ACME-1000")
    assert status == 200
    table = re.search(r'<table id="recorded">.*?</table>', body, flags=re.S)
    assert table, "no recorded section"
    rows = [[html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r'<tr class="recorded-[^"]*">(.*?)</tr>', table.group(0), flags=re.S)]
    assert rows[1] == ["810", "ERP-5001", "WMS-77001", "2026-11-27", "1", "12", "000990001", "990001", "0001",
                       "acme-erp-810.x12", "2026-11-27T16:00:00", "2026-11-27T14:00:00", "Kim Finance",
                       "ERP manual invoices"]
    assert [r[0] for r in rows] == ["856", "810", "810"]
    assert 'id="more-recorded"' not in body  # its own section, not again among the later ones
