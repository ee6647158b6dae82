"""The typed state store: plans applied in one transaction with the optimistic re-check, runs on
record from their start, portable SQL, and the indices the read side needs. Every test runs on SQLite
and on PostgreSQL (the store_target fixture, tests/support_pg.py); what is SQLite's own says so."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest

from connectors.state import StateConflict, StateStore
from connectors.state_migrations import LATEST
from engine import lifecycle
from engine.lifecycle.table import create
from schemas.findings import finding
from schemas.lifecycle import (
    EventKind,
    FindingRecord,
    LineRecord,
    LineState,
    OrderLines,
    OrderRecord,
    OrderState,
    OrderTransition,
    Plan,
    PlannedDocument,
    PlannedSet,
)
from tests.support import REPO
from tests.support import numbers_render as render
from tests.support_pg import index_names

AT = "2026-11-27T02:00:00"


def new_order(store: StateStore, po: str = "PO-1") -> OrderRecord:
    record = OrderRecord("acme", po, OrderState.RECEIVED, order_ref="1-1-1", lines_key="k")
    t = create(record, at=AT, run_id="r1", note="received")
    store.apply(Plan(transitions=(t,), lines=(OrderLines("acme", po, (
        LineRecord("acme", po, 1, LineState.RECEIVED, line_id="1"),)),)), run_id="r1")
    return store.order("acme", po)


def test_a_plan_is_applied_whole_with_numbers_ids_and_links(store_target):
    store = StateStore(store_target())
    order = new_order(store)
    assert (order.state, order.arrival, order.revision) == ("received", 1, 1)
    held = lifecycle.move(order, EventKind.HELD, at=AT, run_id="r1", note="held", document_key="855:PO-1",
                          hold_codes=("X",))
    doc = PlannedDocument("acme", "855", "PR", (PlannedSet("855:PO-1", (("BAK", "00"),), "PO-1"),
                                                PlannedSet("855:PO-1b", (("BAK", "00"),), "PO-1")))
    f = FindingRecord(finding("ORDER_DUPLICATE", "dup"), "acme", "PO-1", "nothing", "decide")
    applied = store.apply(Plan(transitions=(held,), documents=(doc,), findings=(f,)), render=render, at=AT,
                          run_id="r1")
    assert applied.documents == {("acme", "855"): 1}
    [stored] = store.documents("acme")
    assert (stored.isa13, stored.gs06, stored.st02, stored.doc_key) == ("000000001", "1", "0001,0002", "855:PO-1")
    assert stored.content == b"855/1/1/[1, 2]" and stored.created_at == AT and stored.run_id == "r1"
    history = store.order_history("acme", "PO-1")
    assert [h["event"] for h in history] == ["po_received", "held"] and history[1]["document_id"] == stored.id
    assert store.findings(run_id="r1")[0]["consequence"] == "nothing"
    assert store.order("acme", "PO-1").hold_codes == ("X",)
    # the same keys again: nothing new, no number used
    store.apply(Plan(documents=(doc,)), render=render, at=AT, run_id="r2")
    assert len(store.documents("acme")) == 1 and store.last_number("acme", "ISA") == 1


def test_a_stale_plan_is_refused_whole(store_target):
    """Two runs plan from the same order: the second finds it moved and writes nothing at all."""
    store = StateStore(store_target())
    order = new_order(store)
    first = Plan(transitions=(lifecycle.move(order, EventKind.HELD, at=AT, run_id="a"),))
    doc = PlannedDocument("acme", "855", "PR", (PlannedSet("855:PO-1", (("BAK", "00"),), "PO-1"),))
    second = Plan(transitions=(lifecycle.move(order, EventKind.ACKNOWLEDGED, at=AT, run_id="b"),),
                  documents=(doc,), lines=(OrderLines("acme", "PO-1", ()),))
    store.apply(first, run_id="a")
    with pytest.raises(StateConflict, match="PO-1 is held r1, expected received r1"):
        store.apply(second, render=render, at=AT, run_id="b")
    assert store.order("acme", "PO-1").state == "held"
    assert store.documents() == [] and store.numbers_used() == {}  # no number taken, no 855 stored
    assert len(store.order_lines("acme", "PO-1")) == 1
    with pytest.raises(StateConflict):  # a new order that exists already
        store.apply(Plan(transitions=(create(replace(order, state=OrderState.RECEIVED), at=AT, run_id="c"),)))


def test_transitions_of_one_order_chain_within_a_plan(store_target):
    store = StateStore(store_target())
    order = new_order(store)
    a = lifecycle.move(order, EventKind.ALLOCATED, at=AT, run_id="r")
    b = lifecycle.move(a.record, EventKind.ACKNOWLEDGED, at=AT, run_id="r", ack_type="AD")
    store.apply(Plan(transitions=(a, b)))
    assert store.order("acme", "PO-1").state == "acknowledged"
    assert [h["event"] for h in store.order_history("acme", "PO-1")] == ["po_received", "allocated", "acknowledged"]


def test_runs_are_on_record_from_their_start(store_target):
    store = StateStore(store_target())
    store.start_run("20261127T020000", "2026-11-30T10:00:00", clock=AT)
    [run] = store.runs()
    assert (run["status"], run["clock"], run["finished_at"]) == ("running", AT, None)
    store.finish_run("20261127T020000", "2026-11-30T10:01:00", {"ok": 1}, status="failed")
    assert store.runs()[0]["status"] == "failed" and store.runs()[0]["summary"] == {"ok": 1}


SQLITE_ONLY = [r"INSERT\s+OR\s+", r"REPLACE\s+INTO", r"AUTOINCREMENT", r"lastrowid", r"json_extract", r"group_concat",
               r"datetime\(", r"strftime\(", r"IFNULL\(", r"rowid"]


def test_the_sql_is_portable():
    """No SQLite-only SQL (PostgreSQL comes next, issue 14) but in the Dialect, the one place that knows
    SQL differences: its SQLite-only phrases (many rows inserted OR FAIL, no statement journal; a row's
    rowid, where a line read is updated) are ones PostgreSQL's dialect says its own way (INSERT INTO; no
    row address: its lines are updated by their key); SQLite's own settings stay in the connection."""
    from connectors.state_pg import POSTGRES

    for name in ("state.py", "state_migrations.py"):
        text = (REPO / "connectors" / name).read_text()
        if name == "state.py":
            start, end = text.index("class Dialect:"), text.index("\nSQLITE = Dialect()")
            dialect, text = text[start:end], text[:start] + text[end:]
            assert [p for p in SQLITE_ONLY if re.search(p, dialect, re.IGNORECASE)] == [r"INSERT\s+OR\s+", r"rowid"]
            assert POSTGRES.insert_rows == "INSERT INTO"
            assert POSTGRES.row_address == ""
        for pattern in SQLITE_ONLY:
            assert not re.search(pattern, text, re.IGNORECASE), f"{name}: {pattern}"
        pragmas = [line.strip() for line in text.splitlines() if "PRAGMA" in line]
        assert all(p.startswith('self._db.execute("PRAGMA') for p in pragmas), pragmas


def test_the_read_side_has_its_indices(store_target):
    store = StateStore(store_target())
    names = index_names(store)
    assert {"orders_po", "orders_state", "order_events_order", "document_sets_po", "findings_run",
            "order_lines_sku"} <= names
    if store.dialect.name == "sqlite":  # SQLite's query plan (PostgreSQL's planner scans a table this small)
        plan = store._q("EXPLAIN QUERY PLAN SELECT * FROM orders WHERE po_number=?", ("PO-1",))
        assert "orders_po" in " ".join(str(r) for r in plan)


def test_a_migration_that_adds_a_table(store_target, monkeypatch):
    """How later workstreams add a table: DDL in connectors.state, a version step with add_tables
    (groups_in, the finance tables and fulfilment's were added this way; a hypothetical next version here)."""
    import connectors.state as cs
    import connectors.state_migrations as mig

    path = store_target()
    StateStore(path).close()  # the latest version
    latest = mig.LATEST
    monkeypatch.setattr(cs, "TABLES", cs.TABLES + "CREATE TABLE widgets (id BIGINT PRIMARY KEY, po_number TEXT);")
    monkeypatch.setattr(cs, "INDEXES", cs.INDEXES + "CREATE INDEX widgets_po ON widgets (po_number);")
    monkeypatch.setattr(mig, "LATEST", latest + 1)
    monkeypatch.setitem(mig.MIGRATIONS, latest, lambda s: mig.add_tables(s, "widgets"))
    store = StateStore(path)
    assert store.schema_version == latest + 1 and "widgets" in store._table_names()
    assert "widgets_po" in index_names(store)
    store.close()
    fresh = StateStore(store_target("new"))
    assert fresh.schema_version == latest + 1 and "widgets" in fresh._table_names()


@pytest.mark.parametrize("version", [5, 6, 0])
def test_stores_of_version_5_and_6_and_a_new_one_reach_the_latest(store_target, version):
    """Version 5 (before fulfilment), version 6 (fulfilment's tables: main's stores in the wild) and a
    new store (0) all reach the latest version, recovery's and TA1_ACKS' columns included, with their rows
    kept."""
    import connectors.state_migrations as mig
    from connectors.state import ADDED_IN, COLUMNS_ADDED_IN

    path = store_target()
    store = StateStore(path)
    if version:
        with store.transaction():  # what a store of that version looks like
            store._q("INSERT INTO files (partner, sha256, name, size, received_at, status) VALUES"
                     " ('acme', 'abc', 'a.x12', 3, ?, 'processed')", (AT,))
            store._q("INSERT INTO runs (run_id, kind, clock, started_at, status) VALUES"
                     " ('n1', 'nightly', ?, ?, 'running'), ('n2', 'nightly', ?, ?, 'finished')",
                     (AT, AT, "2026-11-27T06:00:00", "2026-11-27T06:00:01"))
            for name in mig.LOOKUP_INDEX_NAMES:  # version 31's (on columns dropped below: SQLite refuses otherwise)
                store._q(f"DROP INDEX {name}")
            for table, column, _ in COLUMNS_ADDED_IN[mig.RECOVERY] + COLUMNS_ADDED_IN[mig.TA1_ACKS] + \
                    COLUMNS_ADDED_IN[mig.STORE_MARKS] + COLUMNS_ADDED_IN[mig.NET_WEIGHTS] + \
                    COLUMNS_ADDED_IN[mig.RECORDED_AMOUNTS] + COLUMNS_ADDED_IN[mig.BILLED_WEIGHTS] + \
                    COLUMNS_ADDED_IN[mig.BUYER_GS_IDS] + COLUMNS_ADDED_IN[mig.SUBSTITUTES] + \
                    COLUMNS_ADDED_IN[mig.OUR_GS_IDS] + COLUMNS_ADDED_IN[mig.ISA_IDS] + \
                    COLUMNS_ADDED_IN[mig.ORDER_PARTIES]:
                store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
            for table in ADDED_IN[mig.SERIALS]:
                store._q(f"DROP TABLE {table}")
            if version < mig.SHIPPING:
                for table in ADDED_IN[mig.SHIPPING]:
                    store._q(f"DROP TABLE {table}")
                for table, column, _ in COLUMNS_ADDED_IN[mig.SHIPPING]:
                    store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
            store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))
        assert "disposed_at" not in store._columns("files")
    store.close()
    store = StateStore(path)
    assert store.schema_version == LATEST == mig.ORDER_TYPES + 19 == mig.RETAKES + 20 == mig.OUR_GS_IDS + 21 \
        == mig.RETURNED_SERIALS + 22 == mig.SUBSTITUTES + 23 \
        and mig.SUBSTITUTES == mig.SERIALS + 1 == mig.BUYER_GS_IDS + 2 \
        == mig.BILLED_WEIGHTS + 3 == mig.RECORDED_AMOUNTS + 4 == mig.NET_WEIGHTS + 5 == mig.STORE_MARKS + 6 \
        == mig.TA1_ACKS + 7 == mig.RETUNED_INDEXES + 8 == mig.LEASES + 9 == mig.RECOVERY + 10 == mig.SHIPPING + 11
    assert set(ADDED_IN[mig.SERIALS]) <= store._table_names()
    assert mig.NET_WEIGHTS == mig.STORE_MARKS + 1 == mig.TA1_ACKS + 2 \
        == mig.RETUNED_INDEXES + 3 == mig.LEASES + 4 == mig.RECOVERY + 5 == mig.SHIPPING + 6
    assert set(ADDED_IN[mig.SHIPPING]) <= store._table_names()
    for table, column, _ in COLUMNS_ADDED_IN[mig.SHIPPING] + COLUMNS_ADDED_IN[mig.RECOVERY] + \
            COLUMNS_ADDED_IN[mig.TA1_ACKS] + COLUMNS_ADDED_IN[mig.STORE_MARKS] + COLUMNS_ADDED_IN[mig.NET_WEIGHTS] + \
            COLUMNS_ADDED_IN[mig.RECORDED_AMOUNTS] + COLUMNS_ADDED_IN[mig.BILLED_WEIGHTS] + \
            COLUMNS_ADDED_IN[mig.BUYER_GS_IDS] + COLUMNS_ADDED_IN[mig.SUBSTITUTES] + \
            COLUMNS_ADDED_IN[mig.OUR_GS_IDS] + COLUMNS_ADDED_IN[mig.ISA_IDS] + COLUMNS_ADDED_IN[mig.ORDER_PARTIES] + \
            COLUMNS_ADDED_IN[mig.CSV_ENCODINGS]:
        assert column in store._columns(table), (table, column)
    if version:
        assert store.file_record("acme", "abc")["disposed_at"] == AT  # moved by the time it was migrated
        assert {r["run_id"]: r["recovers"] for r in store.runs()} == {"n1": [], "n2": ["n1"]}
    store.start_run("r3", AT)  # the store is used at once
    store.record_file("acme", "def", "b.x12", 3, AT, "processed", run_id="r3")
    store.mark_disposed("acme", "def", AT)
    assert store.file_record("acme", "def")["disposed_at"] == AT
    store.close()
    assert StateStore(path).schema_version == LATEST  # opening again migrates nothing


def test_a_version_2_store_gets_the_inbound_groups_table(store_target):
    """Version 3 added groups_in (GS01+GS02+GS03+GS06 received, for GS_DUPLICATE across files)."""
    path = store_target()
    store = StateStore(path)
    store.record_group("acme", ("PO", "ACMERETAIL", "ORDERBRIDGE", "7"), "sha")
    store._q("DROP TABLE groups_in")  # what a version 2 store looks like
    store._q("UPDATE meta SET value='2' WHERE key='schema_version'")
    store.close()
    store = StateStore(path)
    assert store.schema_version == LATEST and store.groups("acme") == set()
    store.record_group("acme", ("PO", "ACMERETAIL", "ORDERBRIDGE", "7"), "sha")
    store.record_group("acme", ("PO", "ACMERETAIL", "ORDERBRIDGE", "7"), "sha2")  # once is enough
    assert store.groups("acme") == {("PO", "ACMERETAIL", "ORDERBRIDGE", "7")}
    store.close()


def test_version_3_gets_the_indices_that_read_a_run(store_target):
    """3 -> 4: the reports read a run's documents, events and files by run id (indexed, not scanned)."""
    path = store_target()
    store = StateStore(path)
    with store.transaction():  # what a version 3 store looks like
        for name in ("documents_run", "order_events_run", "files_run", "order_lines_run"):
            store._q(f"DROP INDEX {name}")
        store._q("UPDATE meta SET value='3' WHERE key='schema_version'")
    store.close()
    store = StateStore(path)
    indices = index_names(store)
    assert store.schema_version == LATEST
    assert {"documents_run", "order_events_run", "files_run", "order_lines_run"} <= indices
    if store.dialect.name == "sqlite":  # SQLite's query plan
        plan = store._q("EXPLAIN QUERY PLAN SELECT id FROM documents WHERE run_id IN ('r')")
        assert "documents_run" in " ".join(str(r) for r in plan)


def test_version_8_drops_the_reservations_sku_index_and_indexes_cartons_by_label(store_target):
    """8 -> 9: reservations lose their (warehouse, sku) index (every plan's writes paid for it); their
    rows stay and the totals by warehouse and SKU read the same. Cartons gain an index by label (each
    confirmation file's lookup of its cartons, recorded_cartons_for)."""
    path = store_target()
    store = StateStore(path)
    with store.transaction():  # what a version 8 store looks like, with some reservations
        store._q("CREATE INDEX reservations_sku ON reservations (warehouse, sku)")
        store._q("DROP INDEX cartons_label")
        store._many("INSERT INTO reservations (partner, po_number, line_number, warehouse, sku, quantity, run_id)"
                    " VALUES (?,?,?,?,?,?,?)", [("acme", "PO-1", 1, "EAST", "SKU-2", 3, "r"),
                                                ("acme", "PO-1", 2, "EAST", "SKU-1", 4, "r"),
                                                ("acme", "PO-2", 1, "EAST", "SKU-2", 5, "r")])
        store._q("UPDATE meta SET value='8' WHERE key='schema_version'")
    before = store.reservations()
    store.close()
    store = StateStore(path)
    assert store.schema_version == LATEST and "reservations_sku" not in index_names(store)
    assert "cartons_label" in index_names(store)
    if store.dialect.name == "sqlite":  # SQLite's query plan: the label lookup uses it
        plan = store._q("EXPLAIN QUERY PLAN SELECT DISTINCT warehouse, shipment_id FROM cartons WHERE label IN ('C-1')")
        assert "cartons_label" in " ".join(str(r) for r in plan)
    assert store.reservations() == before == [{"warehouse": "EAST", "sku": "SKU-1", "quantity": 4},
                                              {"warehouse": "EAST", "sku": "SKU-2", "quantity": 8}]
    store.close()
    fresh = index_names(StateStore(store_target("new")))  # a new store as a migrated one
    assert "reservations_sku" not in fresh and "cartons_label" in fresh


def test_open_orders_value_is_summed_per_partner_by_the_store(store_target):
    """The credit exposure the decide stage and a recheck give the rules (order_values of the OPEN
    states) is what the open orders' records add up to, per partner: other states, a partner with no
    open order and an order with no value (0) as the records read them."""
    store = StateStore(store_target())
    rows = [("acme", "PO-1", OrderState.ACKNOWLEDGED, Decimal("12.50")),
            ("acme", "PO-2", OrderState.SHIPPED, Decimal("0.3")),
            ("acme", "PO-3", OrderState.PARTIALLY_SHIPPED, Decimal("100")),
            ("acme", "PO-4", OrderState.INVOICED, Decimal("7")),
            ("acme", "PO-5", OrderState.RECEIVED, Decimal("9")),
            ("bolt", "PO-1", OrderState.ACKNOWLEDGED, Decimal("1E+1")),
            ("bolt", "PO-2", OrderState.ACKNOWLEDGED, Decimal(0)),
            ("cove", "PO-1", OrderState.HELD, Decimal("5"))]
    store.apply(Plan(transitions=tuple(
        OrderTransition(OrderRecord(p, po, s, value=v), None, None) for p, po, s, v in rows)))
    store._q("UPDATE orders SET value=NULL WHERE partner='bolt' AND po_number='PO-2'")
    expected: dict[str, Decimal] = {}
    for r in store.orders(states=lifecycle.OPEN):
        expected[r.partner] = expected.get(r.partner, Decimal(0)) + r.value
    assert store.order_values(lifecycle.OPEN) == expected == {"acme": Decimal("112.8"), "bolt": Decimal("10")}


def test_open_orders_value_by_currency_never_adds_two_currencies(store_target):
    """By currency (the decide stage's and a recheck's credit exposure, customer_currencies.csv): per partner and the
    PO's currency, "" for a PO that named none (the customer's own), the other states left out."""
    store = StateStore(store_target())
    rows = [("dfs", "PO-1", OrderState.ACKNOWLEDGED, Decimal("4710"), "USD"),
            ("dfs", "PO-2", OrderState.ACKNOWLEDGED, Decimal("36820"), "HKD"),
            ("dfs", "PO-3", OrderState.SHIPPED, Decimal("10"), "HKD"),
            ("dfs", "PO-4", OrderState.ACKNOWLEDGED, Decimal("5"), ""),
            ("dfs", "PO-5", OrderState.INVOICED, Decimal("7"), "USD")]
    store.apply(Plan(transitions=tuple(
        OrderTransition(OrderRecord(p, po, s, value=v, currency=c), None, None) for p, po, s, v, c in rows)))
    assert store.order_values(lifecycle.OPEN, by_currency=True) == {
        ("dfs", "USD"): Decimal("4710"), ("dfs", "HKD"): Decimal("36830"), ("dfs", ""): Decimal("5")}
    assert store.order_values(lifecycle.OPEN) == {"dfs": Decimal("41545")}  # as before: per partner


def test_orders_with_backorders_are_those_in_the_states_asked(store_target):
    """The decide stage's backorder step asks for the orders still shippable with a backordered line:
    an order in another state, or with nothing backordered, is not listed; by partner and PO."""
    store = StateStore(store_target())
    rows = [("bolt", "PO-1", OrderState.ACKNOWLEDGED, 2), ("acme", "PO-2", OrderState.PARTIALLY_SHIPPED, 1),
            ("acme", "PO-1", OrderState.ACKNOWLEDGED, 3), ("acme", "PO-3", OrderState.ACKNOWLEDGED, 0),
            ("acme", "PO-4", OrderState.INVOICED, 4), ("acme", "PO-5", OrderState.CANCELLED, 5)]
    store.apply(Plan(
        transitions=tuple(OrderTransition(OrderRecord(p, po, s), None, None) for p, po, s, _ in rows),
        lines=tuple(OrderLines(p, po, (LineRecord(p, po, 1, LineState.ALLOCATED, allocated=1),
                                       LineRecord(p, po, 2, LineState.BACKORDERED, backordered=b)))
                    for p, po, _, b in rows)))
    assert store.orders_with_backorders(lifecycle.SHIPPABLE) == [("acme", "PO-1"), ("acme", "PO-2"), ("bolt", "PO-1")]
    assert store.orders_with_backorders([OrderState.INVOICED]) == [("acme", "PO-4")]
    assert store.orders_with_backorders([]) == []


def test_orders_whose_po_number_is_a_number_given_with_leading_zeros(store_target):
    """A confirmation naming Topco's PO 000001761234000 as 1761234000 (a spreadsheet kept it as a number): the
    orders whose PO number is that number with leading zeros, every partner's, on both back ends (ltrim is
    SQLite's and PostgreSQL's); a number that has no zeros taken off, or is not digits, asks for nothing."""
    store = StateStore(store_target())
    rows = [("topco", "000001761234000"), ("topco", "1761234000X"), ("acme", "01761234000"), ("acme", "761234000"),
            ("bolt", "0042")]
    store.apply(Plan(transitions=tuple(OrderTransition(OrderRecord(p, po, OrderState.ACKNOWLEDGED), None, None)
                                       for p, po in rows)))
    found = [(r.partner, r.po_number) for r in store.orders_with_unpadded_po(["1761234000", "42", "7"])]
    assert found == [("acme", "01761234000"), ("bolt", "0042"), ("topco", "000001761234000")]
    assert store.orders_with_unpadded_po(["0042", "abc", ""]) == []


def test_rows_given_as_columns_every_one_a_literal_are_counted_from_a_sequence(tmp_path):
    """SQLite's many-rows INSERT of columns (intake's new orders and events): with every column a literal the
    row count comes from a column given as a sequence, not from the first (an itertools.repeat has no length);
    with none a sequence the store says the count is unknown instead of failing inside."""
    import itertools

    store = StateStore(tmp_path / "store.sqlite")
    with store.transaction():
        store._q("CREATE TABLE probe (a TEXT, b TEXT)")
        literal = {0: "'x'", 1: "'y'"}
        written = store._insert_columns("probe", ("a", "b"), [itertools.repeat("x"), ["y"] * 3], literal=literal)
        assert written == 3
        with pytest.raises(ValueError, match="how many rows is unknown"):
            store._insert_columns("probe", ("a", "b"), [itertools.repeat("x"), itertools.repeat("y")], literal=literal)
    assert [tuple(r) for r in store._q("SELECT a, b FROM probe")] == [("x", "y")] * 3
