"""The state store's bulk reads straight into Arrow (connectors.arrow_sql, ADBC's SQLite driver) give the
very tables the rows read through the store's own connection give: the reconciliation's reads, the
run report's and the ship and invoice stages' reads of their orders' lines and reservations, on the
demo's two nights with day 1's shipments (partial shipments, night 2's 860 changes and cancellations,
855s, 856s, 810s per shipment and per order, recorded documents, a reconciliation); the same tables
from the same rows on PostgreSQL (which always reads rows); a column NULL for its first thousand rows
still read as its text; in a transaction of the store, the store's own connection reads."""

from __future__ import annotations

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


def test_a_column_null_for_its_first_thousand_rows_is_read_as_its_text(tmp_path):
    store = StateStore(tmp_path / "s.sqlite")
    try:
        rows = [("acme", f"PO-{k:05d}", "new", 1, None if k < 1500 else f"2026-11-{k % 28 + 1:02d}",
                 None if k < 1500 else "" if k % 3 == 0 else f"2026-11-27T02:00:{k % 60:02d}.5+00:00")
                for k in range(1600)]
        store._many("INSERT INTO orders (partner, po_number, state, revision, po_date, received_at,"
                    " answered_revision, lines_key, source_file, isa13, gs06, st02, currency, change_file, order_ref,"
                    " source_sha256)"
                    " VALUES (?,?,?,?,?,?,0,'','f','1','1','1',NULL,NULL,NULL,NULL)", rows)
        got = store.finance_orders()
        sql = ("SELECT partner, po_number, state, revision, order_ref, lines_key, source_file, source_sha256, isa13,"
               " gs06, st02, po_date, currency, change_file, received_at FROM orders ORDER BY partner, po_number")
        assert got.equals(_table(store._q(sql), ORDER_ROWS))
        assert got["po_date"].null_count == 1500 and got["received_at"].null_count == 1500 + 34
        assert _from_arrow(arrow_sql.read(str(tmp_path / "s.sqlite"), sql + " LIMIT 0"), ORDER_ROWS).equals(
            _table([], ORDER_ROWS))
    finally:
        store.close()


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
