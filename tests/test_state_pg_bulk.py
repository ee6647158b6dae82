"""The state store's bulk paths on PostgreSQL (COPY ... FROM STDIN of Arrow tables and of rows, COPY
(SELECT ...) TO STDOUT into Arrow, UPDATE ... FROM unnest(arrays), = ANY(array) by key) store and read
back what SQLite's per-row paths do: odd text (quotes, commas, newlines, backslashes, COPY's own
markers, non-ASCII) kept byte for byte, an empty string never read as NULL nor NULL as ''."""

from __future__ import annotations

import itertools

import pyarrow as pa
import pytest

from connectors.state import StateStore
from schemas.findings import Finding, Location
from schemas.lifecycle import LINE_ROWS, FindingRecord, Plan

ODD = ["a,b", 'q"uo"te', "two\nlines", "cr\r\nlf", "back\\slash", "\\N", "\\.", "NULL", "", None, "é€✓ 日本",
       " lead", "tab\there", "'single'", '""', "trail,"]


def _lines(n: int, run_id: str) -> pa.Table:
    """LINE_ROWS of orders PO-0..PO-4 (partner 'acme', one 'odd"partner'), the odd texts cycled."""
    odd = itertools.cycle(ODD)
    rows = {f.name: [] for f in LINE_ROWS}
    for i in range(n):
        row = {"partner": "acme" if i % 7 else 'odd"partner', "po_number": f"PO-{i % 5}", "line_number": i,
               "state": "received", "allocated": None if i % 3 else i, "backordered": 0, "rejected": None,
               "revision": 1, "run_id": run_id, "unit_eaches": None if i % 4 else i,
               "cut_from": None if i % 5 else i}
        for f in LINE_ROWS:
            rows[f.name].append(row[f.name] if f.name in row else next(odd))
    return pa.table(rows, schema=LINE_ROWS)


@pytest.fixture
def stores(pg_server, tmp_path):
    made = [StateStore(tmp_path / "s.sqlite"), StateStore(pg_server.fresh_url())]
    yield made
    for s in made:
        s.close()


def _both(stores, read):
    sqlite, pg = (read(s) for s in stores)
    assert pg == sqlite
    return sqlite


def test_line_tables_written_and_read_in_bulk_are_what_sqlite_stores_and_reads(stores):
    table = _lines(64, "r1")
    for s in stores:
        s.apply(Plan(line_tables=(table,)), run_id="r1")
    stored = _both(stores, lambda s: [tuple(r) for r in s._q(
        "SELECT * FROM order_lines ORDER BY partner, po_number, line_number")])
    assert len(stored) == 64
    by_key = {(r["partner"], r["po_number"], r["line_number"]): r for r in table.to_pylist()}
    cols = [f.name for f in LINE_ROWS]
    assert [tuple(by_key[r[:3]][c] for c in cols) for r in stored] == [r[:len(cols)] for r in stored]
    assert {"", None} <= {v for r in stored for v in r}

    keys = [(p, f"PO-{k}") for k in (3, 1, 0, 4, 2) for p in ("acme", 'odd"partner')]
    sqlite_read, pg_read = (s.line_table_for(keys) for s in stores)  # COPY (SELECT ...) TO STDOUT on PostgreSQL
    assert pg_read.schema == sqlite_read.schema == LINE_ROWS
    assert pg_read.equals(sqlite_read)
    assert pg_read.num_rows == 64
    sqlite_run, pg_run = (s.lines_of_runs(["r1"]) for s in stores)
    assert pg_run.equals(sqlite_run) and pg_run.num_rows == 64
    sqlite_bill, pg_bill = (s.billing_lines(keys) for s in stores)
    assert pg_bill.equals(sqlite_bill)

    again = _lines(10, "r2")  # the orders it names lose their earlier lines (one DELETE by array on PostgreSQL)
    for s in stores:
        s.apply(Plan(line_tables=(again,)), run_id="r2")
    _both(stores, lambda s: s._q("SELECT partner, po_number, line_number, run_id FROM order_lines"
                                 " ORDER BY partner, po_number, line_number"))
    named = set(zip(again["partner"].to_pylist(), again["po_number"].to_pylist(), strict=True))
    kept = _both(stores, lambda s: s.lines_of_runs(["r1"]).select(["partner", "po_number"]).to_pylist())
    assert kept and not named & {(r["partner"], r["po_number"]) for r in kept}


def test_line_updates_in_one_statement_are_what_sqlite_writes(stores):
    table = _lines(20, "r1")
    for s in stores:
        s.apply(Plan(line_tables=(table,)), run_id="r1")
    keys = table.select(["partner", "po_number", "line_number"]).to_pylist()
    updates = tuple((k["partner"], k["po_number"], k["line_number"], "invoiced", text, "r2")
                    for k, text in zip(keys[::2], itertools.cycle(ODD), strict=False))
    for s in stores:
        s.apply(Plan(line_updates=updates), run_id="r2")
    stored = _both(stores, lambda s: [tuple(r) for r in s._q(
        "SELECT partner, po_number, line_number, state, invoiced, run_id FROM order_lines WHERE run_id='r2'"
        " ORDER BY partner, po_number, line_number")])
    assert sorted(stored, key=lambda r: r[:3]) == sorted(updates, key=lambda r: r[:3])


def test_findings_copied_as_rows_are_what_sqlite_stores(stores):
    odd = itertools.cycle(ODD)
    findings = [FindingRecord(Finding(f"C{i}", "error", next(odd) or "", Location(
        file=next(odd) or "", value=next(odd), segment_position=i if i % 2 else None, column=next(odd) or "")),
        partner="acme", po_number=next(odd) or "", consequence="none", stage="intake") for i in range(40)]
    for s in stores:
        s.add_findings(findings, run_id="r1")
    rows = _both(stores, lambda s: s.findings(run_id="r1"))
    assert [r["message"] for r in rows] == [f.finding.message for f in findings]
    assert [r["value"] for r in rows] == [f.finding.location.value for f in findings]
    sqlite_table, pg_table = (s.findings_table(["r1"]) for s in stores)
    assert pg_table.equals(sqlite_table)


def test_a_table_grown_by_a_committed_copy_is_analysed_at_once(pg_server):
    """The next stage plans its joins on statistics of the rows just copied in, not of an empty table
    (autovacuum looks only once a minute); a rolled back copy counts for nothing."""
    from connectors.state_pg import ANALYZE_AFTER

    store = StateStore(pg_server.fresh_url())

    def analysed() -> dict[str, float]:
        return dict(store._q("SELECT relname, reltuples FROM pg_class WHERE relname IN ('order_lines', 'findings')"
                             " AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"))

    before = analysed()
    assert before["order_lines"] <= 0
    with pytest.raises(RuntimeError), store.transaction():
        store.apply(Plan(line_tables=(_lines(ANALYZE_AFTER * 2, "r0"),)), run_id="r0")
        raise RuntimeError("rolled back")
    assert analysed()["order_lines"] == before["order_lines"]
    store.apply(Plan(line_tables=(_lines(ANALYZE_AFTER - 1, "r1"),)), run_id="r1")  # too few to bother
    assert analysed()["order_lines"] == before["order_lines"]
    store.apply(Plan(line_tables=(_lines(ANALYZE_AFTER + 1, "r2"),)), run_id="r2")
    assert analysed()["order_lines"] == ANALYZE_AFTER + 1  # the earlier rows replaced: the table as it stands
    store.close()
