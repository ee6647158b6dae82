"""rg94: finding an order the way customer service and sales are asked about it. A buyer quotes a PO number typed
loosely ("PO# 4500-012345", with or without its leading zeros, "acme 1001"), our invoice ("invoice 2"), a shipment
(its id, bill of lading, tracking number), a carton (its SSCC as printed, bracketed, as the 20-digit barcode, or
the warehouse's label), a store, "what shipped short", an item; sales look in the console's orders search and ops
run `orderbridge status`. The night: the shipping demo (acme, globex, initech, umbrella: shipped, shipped in part,
invoiced, backordered, cancelled, closed orders) and a third night of two ACME POs numbered as an ERP numbers them
(0004500012345 sent with its zeros, 4500012399 without) for store 001234. Each question is asked both ways and
must find the right orders, nothing else, each with its documents and lines."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlencode

import pytest
from typer.testing import CliRunner

from tests.support import said, x12_850
from tests.support_console import Client, ConsoleServer

PO_BODY = ["BEG*00*SA*{po}**20261128", "CUR*BY*USD", "N1*ST*STORE 1234*92*001234", "N3*1 Main St",
           "N4*Columbus*OH*43215*US", "PO1*1*2*EA*4.10*PE*VN*SKU-1004", "CTT*1*2"]


def _build(root):
    from connectors.state import StateStore  # noqa: F401 - the store the night writes
    from tests.support import run_stages, shipping_demo

    ws = shipping_demo(root)["ws"]
    inbox = ws.drop_root / "acme" / "inbox"
    for n, po in enumerate(("0004500012345", "4500012399"), start=1):
        (inbox / f"erp{n}.x12").write_bytes(x12_850([s.format(po=po) for s in PO_BODY], isa13=940_000 + n))
    run_stages(ws, datetime(2026, 11, 29, 2))
    return ws


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("rg94") / "ws")


@pytest.fixture(scope="module")
def server(ws):
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-29T09:30:00") as s:
        yield s


def found(server, **query) -> tuple[list[tuple[str, str]], str]:
    """The orders page's rows as (partner, PO) and the page."""
    status, body = Client(server.url).get("/orders?" + urlencode(query))
    assert status == 200, body
    rows = re.findall(r"<tr>\s*<td>([^<]*)</td>\s*<td><a class=\"po\"[^>]*>([^<]*)</a>", body)
    return rows, body


def status_of(ws, typed: str, *extra: str):
    from flows.cli import app

    return CliRunner().invoke(app, ["status", typed, "--json", *extra, "-w", str(ws.root)])


def story_of(ws, typed: str):
    import json

    result = status_of(ws, typed)
    assert result.exit_code == 0, said(result)
    out = result.stdout
    return json.loads(out[out.index("{"):])


def test_the_night_has_what_the_questions_are_about(ws):
    from connectors.state import StateStore

    store = StateStore(ws.state_url)
    try:
        states = {o.po_number: o.state.value for o in store.orders()}
    finally:
        store.close()
    assert states["ACME-1001"] == "closed" and states["GLOBEX-2001"] == "partially_shipped"
    assert states["INITECH-3000"] == "cancelled" and states["GLOBEX-2000"] == "acknowledged"
    assert {"0004500012345", "4500012399"} <= states.keys()


PO_TYPED = [  # (typed, partner's PO number)
    ("4500012345", "0004500012345"),  # without its zeros (a part of it: found before too)
    ("PO# 4500012345", "0004500012345"), ("PO 4500-012345", "0004500012345"), ("4500 012345", "0004500012345"),
    ("P.O. No. 0004500012345", "0004500012345"), ("004500012399", "4500012399"), ("0 4500012399", "4500012399"),
    ("acme1001", "ACME-1001"), ("ACME 1001", "ACME-1001"), ("PO# acme-1001", "ACME-1001"), ("ACME/1001", "ACME-1001")]


@pytest.mark.parametrize(("typed", "po"), PO_TYPED)
def test_a_po_number_typed_as_a_buyer_types_it_finds_its_order_both_ways(ws, server, typed, po):
    rows, _ = found(server, po=typed)
    assert rows == [("acme", po)], typed
    doc = story_of(ws, typed)
    assert doc["order"]["po_number"] == po and doc["lines"], typed


QUOTED = [  # (typed, the orders it names, what the console says it is)
    ("INV0000002", [("acme", "ACME-1001")], "invoice INV0000002"),
    ("invoice 2", [("acme", "ACME-1001")], "invoice INV0000002"),
    ("inv 0000005", [("umbrella", "UMB-6001")], "invoice INV0000005"),
    ("SHP-1004", [("acme", "ACME-1001")], "shipment SHP-1004"),
    ("ASN shp-1002", [("initech", "INITECH-3010")], "shipment SHP-1002"),
    ("BOL-6006", [("umbrella", "UMB-6001")], "bill of lading BOL-6006"),
    ("BOL# BOL-9101", [("globex", "GLOBEX-2001")], "bill of lading BOL-9101"),
    ("1Z999AA10123456784", [("acme", "ACME-1001")], "tracking 1Z999AA10123456784"),
    ("tracking 1z999aa10123456828", [("umbrella", "UMB-6001")], "tracking 1Z999AA10123456828"),
    ("1Z 999 AA1 01234 5681 7", [("acme", "ACME-1001")], "tracking 1Z999AA10123456817"),
    ("00 0 0614141 000000001 2", [("acme", "ACME-1001")], "carton 006141410000000012"),
    ("(00) 006141410000000043", [("umbrella", "UMB-6001")], "carton 006141410000000043"),
    ("00006141410000000081", [("umbrella", "UMB-6001")], "carton 006141410000000081"),
    ("SSCC 106141410000000064", [("umbrella", "UMB-6001")], "pallet 106141410000000064"),
    ("(00)007339400000050018", [("globex", "GLOBEX-2001")], "carton 007339400000050018"),
    ("C-1007", [("acme", "ACME-1001")], "carton 006141410000000074")]


@pytest.mark.parametrize(("typed", "orders", "what"), QUOTED)
def test_what_our_documents_call_an_order_finds_it_in_the_console(server, typed, orders, what):
    rows, body = found(server, po=typed)
    assert rows == orders, typed
    assert 'id="found-by"' in body and what in body, typed


@pytest.mark.parametrize(("typed", "orders", "what"), QUOTED)
def test_what_our_documents_call_an_order_finds_it_with_status(ws, typed, orders, what):
    doc = story_of(ws, typed)
    assert [(doc["order"]["partner"], doc["order"]["po_number"])] == orders, typed
    assert doc["lines"] and doc["documents"], typed  # its story: lines and every document sent
    result = status_of(ws, typed)
    assert what.split()[-1] in said(result), said(result)  # says which of our documents the number is


def test_a_shipment_s_order_comes_with_its_856_810_and_cartons(ws):
    doc = story_of(ws, "1Z999AA10123456817")
    assert {d["type"] for d in doc["documents"]} >= {"855", "856", "810"}
    assert {s["shipment_id"] for s in doc["shipments"]} == {"SHP-1001", "SHP-1004"}
    assert {v["invoice_number"] for v in doc["invoices"]} == {"INV0000002", "INV0000004"}


def test_a_quoted_number_kept_to_its_partner_and_filters(server):
    assert found(server, po="SHP-1004", partner="umbrella")[0] == []  # acme's shipment: not umbrella's
    assert found(server, po="INV0000002", state="shipped")[0] == []  # ACME-1001 is closed (invoiced, 810s delivered)
    assert found(server, po="INV0000002", state="closed")[0] == [("acme", "ACME-1001")]


def test_a_number_nothing_is_finds_nothing_both_ways(ws, server):
    for typed in ("1Z999AA10123456799", "INV0000099", "SHP-9999", "(00) 006141410000000999"):
        rows, body = found(server, po=typed)
        assert rows == [] and 'id="found-by"' not in body, typed
        assert status_of(ws, typed).exit_code == 2, typed


def test_a_store_s_orders(server):
    for typed in ("1234", "001234", "store 1234", "Store #1234"):
        rows, _ = found(server, store=typed)
        assert sorted(rows) == [("acme", "0004500012345"), ("acme", "4500012399")], typed
    assert found(server, store="UMB-9")[0] == [("umbrella", "UMB-6001")]
    assert found(server, store="umb-9", since="2026-11-27")[0] == []  # its PO date is 2026-11-26
    assert found(server, store="1234", partner="globex")[0] == []


def test_everything_that_shipped_short(server):
    rows, _ = found(server, short="1")
    assert rows == [("globex", "GLOBEX-2001")]  # 24 of 48 shipped; ACME-1001 and UMB-6001 shipped what they owed
    assert found(server, short="1", partner="acme")[0] == []
    rows, body = found(server, short="1", po="BOL-9101")
    assert rows == [("globex", "GLOBEX-2001")] and 'id="found-by"' in body


ITEMS = [  # (typed, the orders a line of which names it)
    ("SKU-1007", [("globex", "GLOBEX-2001")]), ("sku-1013", [("umbrella", "UMB-6001")]),
    ("VP-1004", [("acme", "ACME-1001")]), ("vp 1004", [("acme", "ACME-1001")]),
    ("614141100101", [("acme", "ACME-1000")]), ("UPC 614141100101", [("acme", "ACME-1000")]),
    ("UPC: 0614141100101", [("acme", "ACME-1000")]), ("GTIN 00614141100101", [("acme", "ACME-1000")]),
    ("item# VP-1004", [("acme", "ACME-1001")]), ("SKU# SKU-1013", [("umbrella", "UMB-6001")])]


@pytest.mark.parametrize(("typed", "orders"), ITEMS)
def test_an_item_as_the_buyer_quotes_it_our_sku_theirs_or_the_upc(server, typed, orders):
    rows, _ = found(server, sku=typed, since="2026-11-26", until="2026-11-26")
    assert sorted(rows) == orders, typed


@pytest.mark.parametrize(("typed", "po"), [("VP-1004", "ACME-1001"), ("UPC 614141100101", "ACME-1000"),
                                           ("GTIN: 00614141100101", "ACME-1000")])
def test_status_of_an_item_as_the_buyer_quotes_it(ws, typed, po):
    assert story_of(ws, typed)["order"]["po_number"] == po


def test_status_says_what_the_number_it_was_given_is(ws):
    result = status_of(ws, "BOL-6001")
    assert "BOL-6001 is bill of lading BOL-6001 (shipment SHP-1001): PO ACME-1001 (acme)" in said(result)
    result = status_of(ws, "PO# 4500-012345")
    assert "is PO number 0004500012345: PO 0004500012345 (acme)" in said(result)


def test_a_po_number_begun_or_in_lower_case_is_refused_with_the_ones_like_it_as_before(ws):
    """A beginning of PO numbers (as typed or in capitals) still names them (tests/test_status_story)."""
    result = status_of(ws, "acme-100")
    assert result.exit_code == 2 and "PO numbers like it: ACME-1000 (acme), ACME-1001 (acme)" in said(result)


def test_the_bench_finds_every_order_it_looks_for():
    """bench/bench_finding_orders.py at a tiny size: each lookup finds what it looks for (timed in the bench only)."""
    import json
    import subprocess
    import sys

    from tests.support import REPO

    out = subprocess.run([sys.executable, "bench/bench_finding_orders.py", "300"], cwd=REPO, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = {r["lookup"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert len(rows) == 10 and all(r["found"] >= 1 for r in rows.values()), rows  # rg94b: the store with SDQ orders
    assert all("USING INDEX" in rows[k]["plan"][0] for k in ("SSCC", "carton label", "invoice", "shipment id"))


def test_the_store_s_lookups_on_both_back_ends(store_target):
    """StateStore.search_orders(po_loose, ship_to, shipped_short) and quoted_documents on SQLite and PostgreSQL
    (the SQL is portable: LTRIM, REPLACE, UPPER, NULLIF, CAST on both)."""
    from connectors.state import StateStore
    from flows.order_lookup import loose

    store = StateStore(store_target())
    try:
        with store.transaction():
            for partner, po, ship_to in (("acme", "0004500012345", "001234"), ("acme", "ACME-1001", "DC01"),
                                         ("globex", "4500012345", "77")):
                store._q("INSERT INTO orders (partner, po_number, state, revision, answered_revision, ship_to_id,"
                         " received_at) VALUES (?,?,?,1,1,?,?)", (partner, po, "shipped", ship_to, "2026-11-27"))
            for partner, po, n, ordered, shipped, balance_cancelled in (
                    ("acme", "0004500012345", 1, "10", "10", None), ("acme", "ACME-1001", 1, "10", "7", None),
                    ("globex", "4500012345", 1, "5", "0", "5"), ("globex", "4500012345", 2, "5", "", None)):
                store._q("INSERT INTO order_lines (partner, po_number, line_number, state, ordered, shipped, codes,"
                         " balance_cancelled) VALUES (?,?,?,?,?,?,'',?)",
                         (partner, po, n, "shipped", ordered, shipped, balance_cancelled))
            store._q("INSERT INTO shipments (warehouse, shipment_id, partner, ship_date, tracking_number,"
                     " bill_of_lading, billing) VALUES ('east', 'SHP-1', 'acme', '2026-11-27', '1Z1', 'BOL-1', 'x')")
            store._q("INSERT INTO cartons (warehouse, shipment_id, level, label, sscc, po_number) VALUES"
                     " ('east', 'SHP-1', 'P', 'C-1', '006141410000000012', 'ACME-1001')")
            for position, po in ((1, "ACME-1001"), (2, "0004500012345")):
                store._q("INSERT INTO shipment_lines (warehouse, shipment_id, position, partner, po_number,"
                         " line_number, quantity, carton, mark_for_store) VALUES ('east', 'SHP-1', ?, 'acme', ?, 1,"
                         " '1', ?, ?)", (position, po, "C-1" if position == 1 else "C-2", "0042" if position == 2
                                         else None))
            store._q("INSERT INTO invoices (invoice_number, partner, po_number, invoice_date, merchandise, charges,"
                     " total, doc_key) VALUES ('INV0000002', 'acme', 'ACME-1001', '2026-11-27', '1', '0', '1', 'k')")

        def pos(**kw):
            return sorted((o.partner, o.po_number) for o in store.search_orders(**kw))

        assert pos(po_loose=loose("PO# 4500-012345")) == [("acme", "0004500012345"), ("globex", "4500012345")]
        assert pos(po_loose=loose("acme 1001")) == [("acme", "ACME-1001")]
        assert pos(ship_to="1234") == [("acme", "0004500012345")] == pos(ship_to="42")  # its N104, a mark-for
        assert pos(ship_to="dc01") == [("acme", "ACME-1001")]
        assert pos(shipped_short=True) == [("acme", "ACME-1001"), ("globex", "4500012345")]
        assert store.quoted_documents(invoices=["INV0000002"]) == [("acme", "ACME-1001", "invoice INV0000002")]
        assert store.quoted_documents(carrier_refs=["BOL-1"]) == [
            ("acme", "0004500012345", "bill of lading BOL-1 (shipment SHP-1)"),
            ("acme", "ACME-1001", "bill of lading BOL-1 (shipment SHP-1)")]
        assert store.quoted_documents(shipments=["SHP-1"], partners=["acme", "globex"])[0][2] == "shipment SHP-1"
        assert store.quoted_documents(shipments=["SHP-1"], partners=["globex"]) == []
        assert store.quoted_documents(ssccs=["006141410000000012"]) == [
            ("acme", "ACME-1001", "carton 006141410000000012 (label C-1, shipment SHP-1)")]
    finally:
        store.close()


def test_a_workspace_without_partner_profiles_is_searched_all_the_same(tmp_path):
    """The lookup reads the partners' ids from the profiles' file names and their invoice prefixes from those that
    load: a workspace with none (bench/bench_console.py's) answered the console's search with a 500."""
    from connectors.state import StateStore
    from flows.order_lookup import quoted
    from flows.workspace import Workspace

    store = StateStore(tmp_path / "s.sqlite")
    try:
        with store.transaction():
            store._q("INSERT INTO invoices (invoice_number, partner, po_number, invoice_date, merchandise, charges,"
                     " total, doc_key) VALUES ('INV0000002', 'acme', 'ACME-1001', '2026-11-27', '1', '0', '1', 'k')")
        assert quoted(Workspace(tmp_path), store, "invoice 2") == [("acme", "ACME-1001", "invoice INV0000002")]
        assert quoted(Workspace(tmp_path), store, "SHP-1") == []
    finally:
        store.close()
