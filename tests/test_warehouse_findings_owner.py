"""Whose a warehouse's finding is (flows.shipments): a finding about a partner's order (its PO in our
store) is that partner's, with the PO, so the order's page and the partner's section of the failures
report show it; one that concerns no order we hold (a PO we do not know, a row or 945 that cannot be
read, a file sent again, an inbox entry refused) is the warehouse's own, stored under "warehouse:<id>"
and shown as "warehouse <id>" in the failures report and the run summary - never under a blank partner."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime

import pytest

from connectors.state import StateStore
from flows.workspace import open_workspace
from schemas.reports import party_label, warehouse_party
from tests.support import demo_night_with_warehouses, run_shipments
from tests.test_shipment_findings_flow import HEAD, row, w945

NIGHT1, DAY1, DAY1_LATER = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30), datetime(2026, 11, 27, 16)


@pytest.fixture(scope="module")
def night1(tmp_path_factory):
    return demo_night_with_warehouses(tmp_path_factory.mktemp("owner") / "ws")


@pytest.fixture
def ws(night1, tmp_path):
    shutil.copytree(night1, tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


def _drop(ws, warehouse: str, name: str, data: bytes) -> None:
    inbox = ws.warehouse_drop_root / warehouse / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_bytes(data)


def _findings(ws, run_id: str) -> list[dict]:
    state = StateStore(ws.state_path)
    try:
        return state.findings(run_id=run_id)
    finally:
        state.close()


def test_party_label():
    assert warehouse_party("east") == "warehouse:east"
    assert (party_label("warehouse:east"), party_label("acme"), party_label("")) == (
        "warehouse east", "acme", "(no partner)")


def test_a_warehouse_finding_is_the_partners_whose_po_it_concerns_else_the_warehouses(ws):
    rows = (row(PO_Number="ACME-9999")  # S9: a PO nobody sent us
            + row(Shipment_ID="S7", Quantity="two", Carton_ID="C-7")  # S7: ACME-1000, one row unreadable
            + row(Shipment_ID="S7", PO_Line="2", SKU="SKU-1003", Carton_ID="C-7")
            + row(Shipment_ID="S6", PO_Number="ACME-1001", Ship_Date="27/11/2026", Carton_ID="C-6"))  # S6: no row read
    _drop(ws, "east", "c.csv", (HEAD + rows).encode())
    os.symlink("/etc/passwd", ws.warehouse_drop_root / "east" / "inbox" / "link.csv")
    _drop(ws, "north", "n.x12", w945(qty=""))  # GLOBEX-2001's 945 with a W12 that cannot be read
    run_id = run_shipments(ws, DAY1)
    found = _findings(ws, run_id)
    owners = {(f["code"], f["file"]): (f["partner"], f["po_number"]) for f in found}
    assert owners[("SHIPMENT_PO_UNKNOWN", "c.csv")] == ("warehouse:east", "ACME-9999")
    assert owners[("CSV_NUMBER_INVALID", "c.csv")] == ("acme", "ACME-1000")
    assert owners[("CSV_DATE_INVALID", "c.csv")] == ("acme", "ACME-1001")  # the PO its row names
    assert owners[("FILE_TYPE_REFUSED", "")] == ("warehouse:east", "")
    assert owners[("SHIPMENT_945_QUANTITY_MISSING", "n.x12")] == ("globex", "GLOBEX-2001")  # its W06's PO
    assert [f["code"] for f in found if not f["partner"]] == []
    # the failures report: the warehouse's own section, named; nothing under "(no partner)"
    folder = ws.reports_dir / run_id
    html = (folder / "failures.html").read_text()
    assert "(no partner)" not in html
    assert '<h2 id="partner-warehouse-east">Warehouse east</h2>' in html
    assert '<a href="#partner-warehouse-east">warehouse east</a>' in html
    # the run summary: the warehouse's own findings counted, in the totals too, linked to the report
    summary = json.loads((folder / "summary.json").read_text())
    own = summary["warehouse_findings"]
    assert own["east"] == {"errors": 2, "warnings": 0, "decided": 0, "findings": 2}
    assert "warehouse:east" not in {p["partner"] for p in summary["partners"]}
    assert summary["totals"]["errors"] == sum(p["errors"] for p in summary["partners"]) + sum(
        w["errors"] for w in own.values())
    page = (folder / "summary.html").read_text()
    assert '<h2 id="warehouses">Per warehouse</h2>' in page
    assert '<a href="failures.html#partner-warehouse-east">2 open error(s), 0 warning(s)</a>' in page


def test_a_confirmation_sent_again_is_the_warehouses_duplicate(ws):
    data = (HEAD + row()).encode()
    _drop(ws, "east", "c.csv", data)
    run_shipments(ws, DAY1)
    _drop(ws, "east", "c-again.csv", data)
    run_id = run_shipments(ws, DAY1_LATER)
    (dup,) = [f for f in _findings(ws, run_id) if f["code"] == "FILE_DUPLICATE"]
    assert (dup["partner"], dup["file"]) == ("warehouse:east", "c-again.csv")
    summary = json.loads((ws.reports_dir / run_id / "summary.json").read_text())
    assert summary["warehouse_findings"] == {"east": {"errors": 0, "warnings": 1, "decided": 0, "findings": 1}}
    assert summary["totals"]["warnings"] == 1


def test_the_terminal_says_which_warehouse_findings_concern_no_partners_order():
    from flows import cli

    summary = {"warehouses": [{"warehouse": "east", "files": 0, "failure": "", "quarantined": 0, "duplicates": 0,
                               "shipments": 0, "held": 0, "late": 0, "errors": 1}],
               "warehouse_findings": {"east": {"errors": 1, "warnings": 0, "decided": 0, "findings": 1}}}
    with cli.console.capture() as out:
        cli._shipping_lines(summary)
    text = " ".join(out.get().split())
    assert ('warehouse east: 0 confirmation file(s) (0 quarantined, 0 duplicate(s)), 0 shipment(s) recorded with their '
            '856, 0 held, 0 856 late, 1 error(s) (1 error(s), 0 warning(s) about no partner\'s order: "warehouse '
            'east" in the failures report)') in text


def test_the_terminal_counts_the_997s_a_warehouse_was_sent():
    """A 3PL whose 945s the run answered (ack945: its outbox) has them counted on its line, in the run's table
    and in the progress line; a warehouse sent none (a CSV export's) says nothing of them."""
    from flows import cli, night

    row = {"warehouse": "north", "files": 1, "failure": "", "quarantined": 0, "duplicates": 0, "shipments": 1,
           "held": 0, "late": 0, "errors": 0, "acknowledgments": 2}
    with cli.console.capture() as out:
        cli._shipping_lines({"warehouses": [row, {**row, "warehouse": "east", "acknowledgments": 0}]})
    text = " ".join(out.get().split())
    assert "warehouse north: 1 confirmation file(s) (0 quarantined, 0 duplicate(s)), 1 shipment(s) recorded with " \
           "their 856, 0 held, 0 856 late, 2 997/TA1 sent, 0 error(s)" in text
    assert "warehouse east: 1 confirmation file(s) (0 quarantined, 0 duplicate(s)), 1 shipment(s) recorded with " \
           "their 856, 0 held, 0 856 late, 0 error(s)" in text
    assert "0 856 late, 2 997/TA1 sent, 0 errors" in night._ship_line(row)
    assert "997" not in night._ship_line({**row, "acknowledgments": 0})


def test_a_warehouses_own_findings_are_not_a_partners_validation_errors(store_target):
    """The finance KPIs' validation error rate reads what partners sent: a warehouse's own findings are not."""
    from schemas.findings import finding
    from schemas.lifecycle import FindingRecord

    state = StateStore(store_target())
    try:
        state.add_findings([FindingRecord(finding("SHIPMENT_PO_UNKNOWN", "x", file="c.csv"), "warehouse:east", "P-1",
                                          "held", "shipments"),
                            FindingRecord(finding("ITEM_UNKNOWN", "y", file="a.x12"), "acme", "P-2", "held", "intake")],
                           run_id="r")
        assert state.partner_findings()["partner"].to_pylist() == ["acme"]
    finally:
        state.close()


def test_the_sizes_of_files_taken_under_a_name(store_target):
    """What the shipments deployment compares a listed file with before reading it (leave_in_inbox)."""
    state = StateStore(store_target())
    try:
        state.record_file("warehouse:north", "a" * 64, "n.x12", 120, "2026-11-27T14:30:00", "processed")
        state.record_file("warehouse:north", "b" * 64, "n.x12", 130, "2026-11-27T14:30:00", "processed")
        state.record_file("warehouse:north", "c" * 64, "m.x12", 140, "2026-11-27T14:30:00", "processed")
        state.mark_disposed("warehouse:north", "a" * 64, "2026-11-27T14:30:00")
        state.mark_disposed("warehouse:north", "c" * 64, "2026-11-27T14:30:00")
        assert state.taken_sizes("warehouse:north", "n.x12") == {120}  # b not moved yet: not taken
        assert state.taken_sizes("warehouse:east", "n.x12") == set()
    finally:
        state.close()


def test_the_console_page_of_a_warehouse_confirmation_lists_its_findings_whoever_owns_them(ws):
    import hashlib
    from urllib.parse import urlencode

    from tests.support_console import Client, ConsoleServer, add_users

    data = (HEAD + row(PO_Number="ACME-9999") + row(Shipment_ID="S7", Quantity="two", Carton_ID="C-7")).encode()
    _drop(ws, "east", "c.csv", data)
    run_shipments(ws, DAY1)
    add_users(ws.root)
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-27T15:00:00") as server:
        c = Client(server.url)
        c.sign_in("vic")
        status, page = c.get("/file?" + urlencode({"partner": "warehouse:east",
                                                    "sha256": hashlib.sha256(data).hexdigest()}))
    assert status == 200
    assert "SHIPMENT_PO_UNKNOWN" in page and "ACME-9999" in page  # the warehouse's own
    assert "CSV_NUMBER_INVALID" in page and "ACME-1000" in page  # acme's
