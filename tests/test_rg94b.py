"""rg94b: what the order-finding sweep (rg94, tests/test_rg94_finding_orders.py) left. A store named only in a PO's
SDQ (a DC order broken out by store) is found before anything ships to it, and an 860 moving its units to another
store moves the answer; a PO held as several releases is found by its PO number typed loosely; tracking numbers,
bills of lading and stores are found through indexes (schema version LOOKUP_INDEXES, both back ends); and
`orderbridge orders` lists a store's orders and those shipped short from the command line."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from tests.support import said

RL = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*{isa:09d}*0*P*>~\n"
      "GS*PO*ACMERETAIL*ORDERBRIDGE*20261126*0200*{isa}*X*004010~\nST*850*0001~\nBEG*00*RL*0004500077001*{r}*20261126~\n"
      "CUR*BY*USD~\nN1*ST*Acme Distribution Center*92*DC01~\nPO1*1*12*EA*19.70*PE*UP*614141100101~\nCTT*1*12~\n"
      "SE*7*0001~\nGE*1*{isa}~\nIEA*1*{isa:09d}~\n")


def _cli(ws, *args: str):
    from flows.cli import app

    return CliRunner().invoke(app, [*args, "-w", str(ws.root)])


def _search(ws, **query) -> list[tuple[str, str]]:
    """The console's orders search (console.reading.Search, run as the orders page runs it) as (partner, order key)."""
    from connectors.state import StateStore
    from console.reading import Search

    loose = query.pop("loose", "")
    store = StateStore(ws.state_url)
    try:
        search = Search.parse(query)
        rows, _more = (search.in_loose() if loose else search).run(store, ws)
        return sorted(o.key for o in rows)
    finally:
        store.close()


def _listed(ws, *args: str) -> list[tuple[str, str]]:
    result = _cli(ws, "orders", "--json", *args)
    assert result.exit_code == 0, said(result)
    return sorted((o["partner"], o["po_number"]) for o in json.loads(result.stdout)["orders"])


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """acme's demo night with ACME-1001 (ship-to DC01) broken out by SDQ to stores 0101 and 0102 (lines 4 and 5),
    and two releases of PO 0004500077001; nothing shipped yet."""
    from tests.support import run_stages
    from tests.test_sdq_store_level import store_level_workspace

    ws = store_level_workspace(tmp_path_factory.mktemp("rg94b"), [])
    inbox = ws.drop_root / "acme" / "inbox"
    for isa, release in ((930_001, "1"), (930_002, "2")):
        (inbox / f"rl-{release}.x12").write_text(RL.format(isa=isa, r=release))
    run_stages(ws, datetime(2026, 11, 27, 3))
    return ws


# --- 1. a store named only in the PO's SDQ --------------------------------------------------------------------------

def test_a_store_named_only_in_the_po_s_sdq_finds_it_before_anything_ships(night):
    for typed in ("0102", "102", "store 0102", "Store #0102"):
        assert _search(night, store=typed) == [("acme", "ACME-1001")], typed
    assert _search(night, store="0101", partner="acme") == [("acme", "ACME-1001")]
    assert _search(night, store="0102", partner="globex") == []
    assert _search(night, store="0109") == []  # a store no SDQ names
    assert ("acme", "ACME-1001") in _search(night, store="DC01")  # its own ship-to, as before


def test_the_console_page_lists_the_sdq_store_s_orders(night):
    import re
    from urllib.parse import urlencode

    from tests.support_console import Client, ConsoleServer

    with ConsoleServer(night.root, wall_clock=lambda: "2026-11-27T09:30:00") as server:
        status, body = Client(server.url).get("/orders?" + urlencode({"store": "store 102"}))
    assert status == 200, body
    assert re.findall(r"<a class=\"po\"[^>]*>([^<]*)</a>", body) == ["ACME-1001"]


def test_an_860_moving_a_store_s_units_moves_its_orders(tmp_path):
    """ACME-1001's lines 4 and 5 moved by an 860 from store 0102 to 0103: 0102 names it no more, 0103 does, 0101
    (kept) still does; the orders a store is shipped to before and after are the same way."""
    from tests.changes.builders import x12_860
    from tests.support import run_stages
    from tests.test_sdq_store_level import store_level_workspace

    ws = store_level_workspace(tmp_path, [])
    assert _search(ws, store="0102") == [("acme", "ACME-1001")] and _search(ws, store="0103") == []
    change = x12_860(["BCH*04*SA*ACME-1001**1*20261126*****20261127",
                      "POC*4*RZ*10*10*EA*9.39*PE*VN*VP-1002", "SDQ*EA*92*0101*4*0103*6",
                      "POC*5*RZ*48*48*EA*4.90*PE*VN*VP-1004", "SDQ*EA*92*0101*24*0103*24", "CTT*2"], isa13=7001)
    (ws.drop_root / "acme" / "inbox" / "acme-change-sdq.x12").write_bytes(change)
    run_stages(ws, datetime(2026, 11, 27, 9))
    assert _search(ws, store="0103") == [("acme", "ACME-1001")], "the store the 860 added"
    assert _search(ws, store="0102") == [], "the store the 860 took every unit from"
    assert _search(ws, store="0101") == [("acme", "ACME-1001")]
    assert _listed(ws, "--store", "103") == [("acme", "ACME-1001")] and _listed(ws, "--store", "0102") == []


def test_the_store_index_reads_each_stored_table_once_and_skips_a_store_given_nothing(tmp_path):
    """connectors.item_index.StoreIndex: the stores of each line's split, without leading zeros, in capitals; a store
    whose quantity is 0 (an 860 moving every unit away) is not named; a table written since is read, the rest kept."""
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    from connectors.item_index import StoreIndex
    from schemas.orders import STORE_QUANTITY

    folder = tmp_path / "orders" / "acme"
    folder.mkdir(parents=True)

    def split(*pairs):
        return [{"unit": "EA", "id_qualifier": "92", "store": s, "quantity": q, "quantity_sent": str(q)}
                for s, q in pairs]

    pq.write_table(pa.table({"partner": ["acme", "acme"], "po_number": ["PO-1", "PO-1"],
                             "store_quantities": pa.array([split(("0101", Decimal(4)), ("0102", Decimal(0))),
                                                           None], pa.list_(STORE_QUANTITY))}),
                   folder / "k1.lines.parquet")
    index = StoreIndex(tmp_path / "orders", tmp_path / "derived")
    assert index.tables_naming("101") == [("acme", "PO-1", "k1")] == index.tables_naming("0101")
    assert index.tables_naming("0102") == []  # given nothing
    assert (tmp_path / "derived" / "store-ids-v1.arrow").is_file()
    pq.write_table(pa.table({"partner": ["acme"], "po_number": ["PO-2"],
                             "store_quantities": pa.array([split(("s-9", Decimal(1)))], pa.list_(STORE_QUANTITY))}),
                   folder / "k2.lines.parquet")
    assert StoreIndex(tmp_path / "orders", tmp_path / "derived").tables_naming("S-9") == [("acme", "PO-2", "k2")]


# --- 2. a PO held as several releases, typed loosely ----------------------------------------------------------------

def test_a_po_held_as_releases_is_found_typed_loosely_in_the_console(night):
    from schemas.order_keys import release_key

    both = [("acme", "0004500077001"), ("acme", release_key("0004500077001", "2"))]
    assert _search(night, po="0004500077001") == both  # as sent: as before
    for typed in ("PO# 4500-077001", "4500077001", "4500 077001"):
        assert _search(night, po=typed, loose="1") == both, typed


def test_status_of_a_po_held_as_releases_typed_loosely_shows_every_release(night):
    result = _cli(night, "status", "PO# 4500-077001")
    assert result.exit_code == 0, said(result)
    assert "is 2 releases" in said(result), said(result)
    one = _cli(night, "status", "4500077001", "--release", "2", "--json")
    assert one.exit_code == 0, said(one)
    doc = json.loads(one.stdout[one.stdout.index("{"):])
    assert doc["order"]["po_number"].endswith("2") and doc["lines"]


def test_loose_matching_keeps_releases_on_both_back_ends(store_target):
    from connectors.state import StateStore
    from schemas.order_keys import release_key

    store = StateStore(store_target())
    try:
        with store.transaction():
            for po in ("0004500077001", release_key("0004500077001", "2"), "45000770012", release_key("BLK-1", "3")):
                store._q("INSERT INTO orders (partner, po_number, state, revision, answered_revision, received_at)"
                         " VALUES ('acme', ?, 'acknowledged', 1, 1, '2026-11-27')", (po,))
        keys = sorted(o.po_number for o in store.search_orders(po_loose="4500077001"))
        assert keys == ["0004500077001", release_key("0004500077001", "2")]  # not 45000770012
        assert [o.po_number for o in store.search_orders(po_loose="BLK1")] == [release_key("BLK-1", "3")]
    finally:
        store.close()


# --- 3. indexes: tracking number, bill of lading, store --------------------------------------------------------------

def test_a_store_before_lookup_indexes_gets_them_on_both_back_ends(store_target):
    from connectors.state import StateStore
    from connectors.state_migrations import HELD_LINES, LATEST, LOOKUP_INDEX_NAMES, LOOKUP_INDEXES
    from tests.support_pg import index_names

    target = store_target()
    store = StateStore(target)
    assert set(LOOKUP_INDEX_NAMES) <= index_names(store)  # a new store has them
    with store.transaction():  # what a version 30 store looks like
        for name in LOOKUP_INDEX_NAMES:
            store._q(f"DROP INDEX {name}")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(HELD_LINES),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == LOOKUP_INDEXES + 9 == HELD_LINES + 10
        assert set(LOOKUP_INDEX_NAMES) <= index_names(store)
        with store.transaction():
            store._q("INSERT INTO orders (partner, po_number, state, revision, answered_revision, ship_to_id,"
                     " received_at) VALUES ('acme', 'PO-1', 'shipped', 1, 1, '00s-9', '2026-11-27')")
            store._q("INSERT INTO shipments (warehouse, shipment_id, partner, ship_date, tracking_number,"
                     " bill_of_lading, billing) VALUES ('east', 'SHP-1', 'acme', '2026-11-27', '1Z1', 'BOL-1', 'x')")
            store._q("INSERT INTO shipment_lines (warehouse, shipment_id, position, partner, po_number, line_number,"
                     " quantity, mark_for_store) VALUES ('east', 'SHP-1', 1, 'acme', 'PO-1', 1, '1', '0042')")
        assert [o.po_number for o in store.search_orders(ship_to="S-9")] == ["PO-1"]
        assert [o.po_number for o in store.search_orders(ship_to="42")] == ["PO-1"]
        assert [o.po_number for o in store.search_orders(ship_to="7", store_orders=[("acme", "PO-1")])] == ["PO-1"]
        assert store.quoted_documents(carrier_refs=["BOL-1"]) == [
            ("acme", "PO-1", "bill of lading BOL-1 (shipment SHP-1)")]
    finally:
        store.close()


def test_the_bench_shows_tracking_bol_and_store_lookups_use_their_indexes():
    import subprocess
    import sys

    from tests.support import REPO

    out = subprocess.run([sys.executable, "bench/bench_finding_orders.py", "300"], cwd=REPO, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = {r["lookup"]: r for r in map(json.loads, out.stdout.splitlines())}
    plan = {k: " | ".join(r["plan"]) for k, r in rows.items()}
    assert "shipments_tracking" in plan["tracking / BOL"] and "shipments_bol" in plan["tracking / BOL"]
    assert "SCAN shipments" not in plan["tracking / BOL"]
    for name in ("store (ship-to N104)", "store (N104, and orders whose SDQ names it)"):
        assert "orders_ship_to" in plan[name] and "shipment_lines_store" in plan[name], plan[name]
        assert "SCAN orders" not in plan[name] and rows[name]["found"] >= 1, plan[name]


# --- 4. `orderbridge orders`: a store's orders, those shipped short --------------------------------------------------

def test_orders_lists_a_store_s_orders_and_those_shipped_short(tmp_path):
    """The shipping demo: GLOBEX-2001 shipped 24 of 48 (short); UMB-6001 went to store UMB-9."""
    from tests.support import shipping_demo

    ws = shipping_demo(tmp_path / "ws")["ws"]
    assert _listed(ws, "--short") == [("globex", "GLOBEX-2001")]
    assert _listed(ws, "--short", "--partner", "acme") == []
    assert _listed(ws, "--store", "umb-9") == [("umbrella", "UMB-6001")]
    assert _listed(ws, "--store", "umb-9", "--state", "shipped") == []
    table = _cli(ws, "orders", "--short")
    assert table.exit_code == 0 and "GLOBEX-2001" in said(table) and "ACME-1001" not in said(table), said(table)
    none = _cli(ws, "orders", "--store", "nowhere")
    assert none.exit_code == 0 and "no orders" in said(none), said(none)
    assert _cli(ws, "orders", "--state", "nonsense").exit_code == 2
