"""The state store's bulk reads straight into Arrow (connectors.arrow_sql, ADBC's SQLite driver) give the
very tables the rows read through the store's own connection give: the reconciliation's reads, the
run report's and the ship and invoice stages' reads of their orders' lines and reservations, on the
demo's two nights with day 1's shipments (partial shipments, night 2's 860 changes and cancellations,
855s, 856s, 810s per shipment and per order, recorded documents, a reconciliation); the same tables
from the same rows on PostgreSQL (which always reads rows); a column NULL for its first thousand rows
still read as its text; a result read in batches (BATCH_ROWS) the same table, and one the driver fails
(a column NULL throughout the first batch, text in a later one) read through the store's own
connection; a bulk read in a process of bounded address space completes; in a transaction of the
store, the store's own connection reads."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pyarrow as pa
import pytest

from connectors import arrow_sql
from connectors.finance_store import ORDER_ROWS, _from_arrow, _table
from connectors.state import StateStore
from engine import finance_inputs
from flows.reconcile import reconcile_run, record_documents
from flows.reports import RESERVATION_ROWS
from tests.support import REPO, shipping_demo

NIGHT2 = datetime(2026, 11, 28, 2)


def _reads(store: StateStore) -> dict[str, pa.Table]:
    runs = sorted({r["run_id"] for r in store.runs()} | {"day1", "s"})
    orders = store.finance_orders()
    keys = list(zip(orders["partner"].to_pylist(), orders["po_number"].to_pylist(), strict=True))
    return {
        "line_table": store.line_table_for(keys),  # the ship stage's reads of its orders' lines
        "reservation_table": store.reservation_table_for(keys),
        "billing_lines": store.billing_lines(keys),  # the invoice stage's
        "orders": store.finance_orders(),
        "lines": store.finance_lines(),
        "line_columns": store.finance_lines(finance_inputs.LINE_COLUMNS),
        "events": store.events_of(finance_inputs.CANCEL_EVENTS),
        "sent": store.sent_sets_of((*finance_inputs.PARTNER_ACKED, *finance_inputs.OUR_997)),
        "sent_acme": store.sent_sets_of(finance_inputs.PARTNER_ACKED, partner="acme"),
        "documents": store.sent_documents(finance_inputs.ANSWERS),
        "findings": store.partner_findings(),
        "recorded": store.recorded_lines(),
        "fulfilment": store.fulfilment_lines(),
        "run_lines": store.lines_of_runs(runs),
        "reservations": store.reservations_of_runs(runs, RESERVATION_ROWS),
        "run_events": store.events_of_runs(runs, [r[0] for r in store._q("SELECT DISTINCT event FROM order_events")]),
        "exceptions": store.stored_exceptions(),  # the reconciliation's own, and the cumulative report's
        "some_exceptions": store.stored_exceptions(ids=[r[0] for r in store._q(
            "SELECT exception_id FROM exceptions ORDER BY exception_id DESC LIMIT 3")]),
        "history": store.exception_history_table(),  # the cumulative report's
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's nights with day 1's shipments, the documents other systems of ours sent recorded, and
    a reconciliation (its verdicts and exceptions in the store)."""
    ws = shipping_demo(tmp_path_factory.mktemp("arrow") / "ws")["ws"]
    store = StateStore(ws.state_path)
    try:
        for path in sorted((REPO / "sample_files" / "recorded").glob("*/*.x12")):
            record_documents(store, path, partner=path.parent.name, by="test", note="", at=datetime(2026, 11, 27, 14))
        reconcile_run(ws, ws.partners(), store, now=NIGHT2, run_id="r1")
    finally:
        store.close()
    return ws


def test_the_reads_straight_into_arrow_are_the_rows_read_through_the_store(demo, monkeypatch):
    assert arrow_sql.available()
    store = StateStore(demo.state_path)
    try:
        calls = []
        direct = store._arrow_rows
        monkeypatch.setattr(store, "_arrow_rows", lambda sql, args=(): calls.append(sql) or direct(sql, args))
        fast = _reads(store)
        assert len(calls) >= 12 and all(t.num_rows for k, t in fast.items() if k != "events"), \
            {k: t.num_rows for k, t in fast.items()}
        monkeypatch.setattr(store, "_arrow_rows", lambda sql, args=(): None)  # the store's own connection
        slow = _reads(store)
    finally:
        store.close()
    for name, table in slow.items():
        assert fast[name].schema == table.schema, name
        assert fast[name].equals(table), name
    shown = fast["exceptions"].to_pylist()  # partner, PO, line (none first), type, id
    assert shown == sorted(shown, key=lambda r: (r["partner"], r["po_number"], -1 if r["line_number"] is None
                                                 else r["line_number"], r["type"], r["exception_id"]))
    lines = fast["lines"]
    assert {"cancelled", "deleted"} & set(lines["state"].to_pylist())  # night 2's 860s ended lines
    assert set(fast["fulfilment"]["doc_type"].to_pylist()) == {"856", "810"}


def test_the_same_rows_on_postgresql_read_the_same_tables(demo, pg_server):
    source = StateStore(demo.state_path)
    target = StateStore(pg_server.fresh_url())
    try:
        assert target._arrow_rows("SELECT 1") is None  # PostgreSQL reads rows through its connection
        tables = [r[0] for r in source._q("SELECT name FROM sqlite_master WHERE type='table'"
                                         " AND name NOT LIKE 'sqlite_%'")]
        with target.transaction():
            for name in tables:
                if name in ("schema_version", "meta"):
                    continue
                cols = [r[1] for r in source._q(f"PRAGMA table_info({name})")]
                rows = source._q(f"SELECT {', '.join(cols)} FROM {name}")
                target._q(f"DELETE FROM {name}")
                if rows:
                    target._many(f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})", rows)
        want, got = _reads(source), _reads(target)
    finally:
        source.close()
        target.close()
    for name, table in want.items():
        assert got[name].equals(table), name


def _null_first(store: StateStore, rows: int = 1600, nulls: int = 1500) -> None:
    """``rows`` orders and order lines (run r1) whose dates are NULL for the first ``nulls`` of them, as
    a night's lines not promised yet come before the promised ones."""
    orders = [("acme", f"PO-{k:05d}", "new", 1, None if k < nulls else f"2026-11-{k % 28 + 1:02d}",
               None if k < nulls else "" if k % 3 == 0 else f"2026-11-27T02:00:{k % 60:02d}.5+00:00")
              for k in range(rows)]
    store._many("INSERT INTO orders (partner, po_number, state, revision, po_date, received_at,"
                " answered_revision, lines_key, source_file, isa13, gs06, st02, currency, change_file, order_ref,"
                " source_sha256)"
                " VALUES (?,?,?,?,?,?,0,'','f','1','1','1',NULL,NULL,NULL,NULL)", orders)
    store._many("INSERT INTO order_lines (partner, po_number, line_number, sku, state, ordered, allocated,"
                " promised_date, run_id) VALUES (?,?,1,'SKU-1','open','5',?,?,'r1')",
                [("acme", f"PO-{k:05d}", None if k < nulls else 5, None if k < nulls else "2026-12-01")
                 for k in range(rows)])


def test_a_column_null_for_its_first_thousand_rows_is_read_as_its_text(tmp_path):
    store = StateStore(tmp_path / "s.sqlite")
    try:
        _null_first(store)
        got = store.finance_orders()
        sql = ("SELECT partner, po_number, state, revision, order_ref, lines_key, source_file, source_sha256, isa13,"
               " gs06, st02, po_date, currency, change_file, received_at, order_type FROM orders"
               " ORDER BY partner, po_number")
        assert got.equals(_table(store._q(sql), ORDER_ROWS))
        assert got["po_date"].null_count == 1500 and got["received_at"].null_count == 1500 + 34
        assert _from_arrow(arrow_sql.read(str(tmp_path / "s.sqlite"), sql + " LIMIT 0"), ORDER_ROWS).equals(
            _table([], ORDER_ROWS))
    finally:
        store.close()


def test_a_column_null_throughout_the_first_batch_is_read_through_the_store(tmp_path, monkeypatch):
    store = StateStore(tmp_path / "s.sqlite")
    try:
        _null_first(store)
        reads: list[pa.Table | None] = []
        direct = store._arrow_rows
        monkeypatch.setattr(store, "_arrow_rows", lambda sql, args=(): reads.append(direct(sql, args)) or reads[-1])
        whole = store.finance_orders(), store.lines_of_runs(["r1"])
        assert [t is not None and t.column(0).num_chunks for t in reads] == [1, 1]  # one batch each
        monkeypatch.setattr(arrow_sql, "BATCH_ROWS", 1000)
        reads.clear()
        batched = store.finance_orders(), store.lines_of_runs(["r1"])
        # the driver typed the dates from the first 1,000 rows (NULLs: integers) and failed at the text
        assert [t is None for t in reads] == [True, True]
        more = direct("SELECT po_number, revision FROM orders WHERE partner = ?", ["acme"])
        assert more is not None and more.column(0).num_chunks == 2  # the reader reads on, in batches
        monkeypatch.setattr(store, "_arrow_rows", lambda sql, args=(): None)  # the store's own connection
        slow = store.finance_orders(), store.lines_of_runs(["r1"])
    finally:
        store.close()
    for one, several, rows in zip(whole, batched, slow, strict=True):
        assert one.schema == rows.schema and several.schema == rows.schema
        assert one.equals(rows) and several.equals(rows)
    assert slow[0]["po_date"].null_count == 1500 and slow[1]["promised_date"].null_count == 1500
    assert slow[1]["allocated"].to_pylist() == [None] * 1500 + [5] * 100


def test_the_reads_in_small_batches_are_the_rows_read_through_the_store(demo, monkeypatch):
    """Every read in batches of 3 rows: those the driver reads are the same tables in several chunks,
    those it fails (a column NULL throughout the first batch) read through the store's own connection."""
    monkeypatch.setattr(arrow_sql, "BATCH_ROWS", 3)
    store = StateStore(demo.state_path)
    try:
        reads: list[pa.Table | None] = []
        direct = store._arrow_rows
        monkeypatch.setattr(store, "_arrow_rows", lambda sql, args=(): reads.append(direct(sql, args)) or reads[-1])
        batched = _reads(store)
        monkeypatch.setattr(store, "_arrow_rows", lambda sql, args=(): None)
        slow = _reads(store)
    finally:
        store.close()
    assert any(t is None for t in reads)
    assert any(t is not None and t.column(0).num_chunks > 1 for t in reads)
    for name, table in slow.items():
        assert batched[name].schema == table.schema, name
        assert batched[name].equals(table), name


# a bulk read in a process of bounded address space (RLIMIT_AS, as `ulimit -v`): the driver reserves
# BATCH_ROWS x 8 bytes a column at each read; at 2**30 rows that was 8 GiB and it crashed (SIGSEGV)
BOUNDED = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
from connectors.state import StateStore
store = StateStore(sys.argv[1])
direct = store._arrow_rows("SELECT po_number, promised_date FROM order_lines WHERE run_id = ?", ["r1"])
lines = store.lines_of_runs(["r1"])
print(json.dumps({"direct": None if direct is None else direct.num_rows, "lines": lines.num_rows,
                  "promised": lines["promised_date"].drop_null().to_pylist()}))
store.close()
"""


def test_a_bulk_read_in_a_bounded_address_space_completes(tmp_path):
    store = StateStore(tmp_path / "s.sqlite")
    try:
        _null_first(store, rows=3000, nulls=1000)
    finally:
        store.close()
    out = subprocess.run([sys.executable, "-c", BOUNDED, str(tmp_path / "s.sqlite")], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, (out.returncode, out.stderr[-2000:])
    assert json.loads(out.stdout) == {"direct": 3000, "lines": 3000, "promised": ["2026-12-01"] * 2000}


def test_inside_a_transaction_the_store_reads_its_own_writes(tmp_path):
    store = StateStore(tmp_path / "s.sqlite")
    try:
        assert store._arrow_rows("SELECT 1 AS one") is not None
        with store.transaction():
            store._many("INSERT INTO order_lines (partner, po_number, line_number, state) VALUES (?,?,?,?)",
                        [("acme", "PO-1", 1, "new")])
            assert store._arrow_rows("SELECT 1 AS one") is None  # another connection would not see the line
            assert store.finance_lines(["partner", "po_number"]).num_rows == 1
    finally:
        store.close()
    memory = StateStore(":memory:")
    try:
        assert memory._arrow_rows("SELECT 1 AS one") is None
    finally:
        memory.close()


def test_the_sides_matched_on_echoes_made_once_are_those_matched_each_on_its_own(demo):
    store = StateStore(demo.state_path)
    try:
        lines = store.finance_lines(finance_inputs.LINE_COLUMNS)
        recorded = pa.concat_tables([store.recorded_lines(), store.fulfilment_lines()])
        documents = store.sent_documents(finance_inputs.ANSWERS)
    finally:
        store.close()
    echoes = finance_inputs.line_echoes(lines)
    for name, shape, source in (("acknowledged", finance_inputs.acknowledged, documents),
                                ("shipped", finance_inputs.shipped, recorded),
                                ("invoiced", finance_inputs.invoiced, recorded)):
        once, alone = shape(source, lines, echoes), shape(source, lines)
        assert once.num_rows and once.equals(alone), name
