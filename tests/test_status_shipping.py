"""`orderbridge status PO` shows an order's shipments (carrier, tracking number, bill of lading, the 856
with its control numbers, cartons and pallets with their SSCC-18s) and invoices (number, totals, the
810), with --json for tools; and an older store (schema 2) opens as version 3 and ships."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import pytest
from typer.testing import CliRunner

import connectors.state_migrations as mig
from connectors.state import StateStore
from engine.sscc import sscc_valid
from flows.cli import app
from tests.support import drop_confirmations, run_stages, ship_stages, shipping_demo, shipping_workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return shipping_demo(tmp_path_factory.mktemp("status") / "ws")["ws"]


def status(ws, po: str, *args: str):
    res = CliRunner().invoke(app, ["status", po, *args, "-w", str(ws.root)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    return res.stdout


def test_status_json_shows_shipments_cartons_ssccs_tracking_and_invoices(demo):
    doc = json.loads(status(demo, "ACME-1001", "--json"))
    assert doc["order"]["state"] == "invoiced"
    assert [(ln["line_number"], ln["shipped"], ln["invoiced"]) for ln in doc["lines"] if ln["shipped"] != "0"] == [
        (4, "12", "12"), (5, "48", "48"), (6, "5", "5"), (10, "6", "6")]
    first, second = doc["shipments"]
    assert (first["shipment_id"], first["warehouse"], first["carrier"], first["tracking_number"],
            first["bill_of_lading"], first["ship_date"], first["ship_time"], first["asn_late"]) == (
        "SHP-1001", "east", "UPSN", "1Z999AA10123456784", "BOL-6001", "2026-11-27", "14:05", False)
    assert first["asn"]["type"] == "856" and first["asn"]["file_name"] == f"acme-856-{first['asn']['isa13']}.x12"
    assert [(c["label"], c["ours"]) for c in first["cartons"]] == [("C-1001", True), ("C-1002", True),
                                                                   ("C-1003", True)]
    assert all(sscc_valid(c["sscc"]) for c in first["cartons"])
    assert [(ln["line_number"], ln["quantity"], ln["carton"]) for ln in first["lines"]] == [
        (4, "10", "C-1001"), (5, "24", "C-1001"), (5, "24", "C-1002"), (6, "5", "C-1003"), (10, "6", "C-1003")]
    assert second["shipment_id"] == "SHP-1004" and second["lines"][0]["quantity"] == "2"
    invoices = doc["invoices"]
    assert [(v["shipment_id"], v["total"], v["document"]["type"]) for v in invoices] == [
        ("SHP-1001", "466.32", "810"), ("SHP-1004", "18.78", "810")]
    assert {d["type"] for d in doc["documents"]} >= {"855", "856", "810", "997"}
    shipped = [h for h in doc["history"] if h["event"].startswith(("shipped", "invoiced"))]
    assert [(h["event"], h["document"]["type"]) for h in shipped] == [
        ("shipped_in_part", "856"), ("invoiced_in_part", "810"), ("shipped_in_full", "856"),
        ("invoiced_in_full", "810")]


def test_status_shows_pallets_and_a_late_asn(demo):
    doc = json.loads(status(demo, "GLOBEX-2001", "--json"))
    (s,) = doc["shipments"]
    assert s["asn_late"] and s["warehouse"] == "north" and {c["ours"] for c in s["cartons"]} == {False}  # the 3PL's
    doc = json.loads(status(demo, "UMB-6001", "--json"))
    day1 = doc["shipments"][0]
    assert [(c["level"], c["label"], c["pallet"]) for c in day1["cartons"]] == [
        ("pallet", "PAL-7001", ""), ("carton", "C-1005", "PAL-7001"), ("carton", "C-1006", "PAL-7001")]


def test_status_text_names_the_ssccs_and_tracking_numbers(demo):
    text = status(demo, "ACME-1001")
    doc = json.loads(status(demo, "ACME-1001", "--json"))
    for c in doc["shipments"][0]["cartons"]:
        assert c["sscc"] in text
    assert "1Z999AA10123456784" in text and "invoices (810)" in text and "INV" in text
    assert "shipped_in_part" in text and "shipped" in text.split("lines")[1]


def test_an_order_that_never_shipped_shows_no_shipping_columns(demo):
    text = status(demo, "GLOBEX-2000")
    assert "invoiced" not in text.split("documents sent")[0]
    doc = json.loads(status(demo, "GLOBEX-2000", "--json"))
    assert doc["shipments"] == [] and doc["invoices"] == []


def test_a_store_of_the_version_before_fulfilment_opens_at_its_version_and_ships(tmp_path, monkeypatch):
    """A workspace whose store was written by the version before fulfilment (mig.SHIPPING - 1): the
    migration adds the shipment and invoice tables and the new columns, keeps every order, and the
    shipments stage runs."""
    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    before = mig.SHIPPING - 1
    with monkeypatch.context() as m:  # written by a store of the version before fulfilment
        m.setattr(mig, "LATEST", before)
        m.setattr(mig, "MIGRATIONS", {k: step for k, step in mig.MIGRATIONS.items() if k < before})
        store = StateStore(ws.state_path)
        for table in ("shipments", "cartons", "shipment_lines", "invoices", "invoice_lines"):
            store._q(f"DROP TABLE {table}")
        store._q("ALTER TABLE order_lines DROP COLUMN shipped")
        store._q("ALTER TABLE order_lines DROP COLUMN invoiced")
        store._q("ALTER TABLE findings DROP COLUMN row_number")
        store._q("ALTER TABLE findings DROP COLUMN column_name")
        store._q("ALTER TABLE files DROP COLUMN disposed_at")  # the recovery step's columns came later still
        store._q("ALTER TABLE runs DROP COLUMN recovers")
        store.close()
    db = sqlite3.connect(ws.state_path)
    assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(before),)
    db.execute("INSERT INTO orders (partner, po_number, state, revision, answered_revision) VALUES"
               " ('acme', 'OLD-1', 'acknowledged', 1, 1)")
    db.execute("INSERT INTO order_lines (partner, po_number, line_number, state, allocated) VALUES"
               " ('acme', 'OLD-1', 1, 'allocated', 3)")
    db.commit()
    db.close()
    store = StateStore(ws.state_path)
    assert store.schema_version == mig.LATEST and mig.SHIPPING == before + 1  # fulfilment's step, then the later ones
    assert {"shipments", "cartons", "shipment_lines", "invoices", "invoice_lines"} <= store._table_names()
    assert {"shipped", "invoiced"} <= set(store._columns("order_lines"))
    (old,) = store.order_lines("acme", "OLD-1")
    assert (old.allocated, old.shipped, old.invoiced) == (3, 0, 0)
    store.close()
    run_stages(ws, datetime(2026, 11, 27, 2))
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, datetime(2026, 11, 27, 14, 30))
    store = StateStore(ws.state_path)
    assert store.order("acme", "ACME-1001").state.value == "partially_shipped"
    assert len(store.invoices("acme")) == 1
    store.close()


def test_the_consoles_order_page_shows_shipments_cartons_and_invoices(demo):
    """The console's order page (the story `status` reads) has a section per shipment (SSCCs, the 856)
    and the invoices, and the lines' shipped and invoiced columns."""
    from console.app import Console
    from console.reading import order_page

    store = StateStore(demo.state_path)
    try:
        record = store.order("acme", "ACME-1001")
        doc = order_page(store, record)
        html = Console(demo.root).templates.get_template("order.html").render(
            o=record, doc=doc, can_decide=False, user=None, csrf="", read_only=True, proxy=False, workspace="ws")
    finally:
        store.close()
    assert doc["sectioned"] == ["shipments", "invoices"] and "shipments" not in doc["more"]
    assert 'id="shipment-SHP-1001"' in html and "1Z999AA10123456784" in html and "BOL-6001" in html
    for sh in doc["shipments"]:
        for c in sh["cartons"]:
            assert c["sscc"] in html
    assert '<table id="invoices">' in html
    for inv in doc["invoices"]:
        assert inv["invoice_number"] in html and inv["document"]["file_name"] in html
    assert "<th class=\"num\">Shipped</th><th class=\"num\">Invoiced</th>" in html
