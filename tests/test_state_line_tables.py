"""Plan.line_tables through the state store: every row stored as given (columns with one value in
every row written as literals, the others bound), and the orders a table names lose their earlier
lines first (each order once, whatever the row order). On SQLite and on PostgreSQL."""

from __future__ import annotations

import pyarrow as pa
import pytest

from connectors.state import StateStore, _order_keys
from schemas.lifecycle import LINE_ROWS, Plan


def _table(rows: list[tuple[str, str, int]], **columns) -> pa.Table:
    """LINE_ROWS for (partner, po_number, line_number) rows; other columns one value each or a list."""
    n = len(rows)
    base = {"partner": [r[0] for r in rows], "po_number": [r[1] for r in rows], "line_number": [r[2] for r in rows],
            "line_id": [str(r[2]) for r in rows], "sku": "", "state": "received", "ack": "", "ordered": "12",
            "unit": "EA", "unit_price": "2.5", "ack_price": None, "allocated": 0, "backordered": 0, "rejected": 0,
            "promised_date": None, "warehouses": "", "reason": "", "codes": "", "revision": 1, "run_id": "r1",
            "shipped": "0", "invoiced": "0", "ordered_sku": "", "rejected_fraction": None,
            "priced_per": None, "unit_eaches": None, "backordered_over": None, "balance_cancelled": None,
            "expired": None, "cut_from": None} | columns
    return pa.table({f.name: pa.array(v if isinstance(v, list) else [v] * n, f.type) for f, v in
                     ((f, base[f.name]) for f in LINE_ROWS)}, schema=LINE_ROWS)


def _stored(store: StateStore) -> list[tuple]:
    return [tuple(r) for r in store._q("SELECT partner, po_number, line_number, line_id, ordered, unit, unit_price,"
                                       " ack_price, allocated, revision, run_id, state FROM order_lines"
                                       " ORDER BY partner, po_number, line_number")]


def test_order_keys_are_each_pair_once_in_first_seen_order():
    cases = [[], [("acme", "PO-1", 1)], [("acme", "PO-1", 1), ("acme", "PO-1", 2), ("acme", "PO-2", 1)],
             [("acme", "PO-1", 1), ("acme", "PO-2", 1), ("acme", "PO-1", 2), ("globex", "PO-1", 1),
              ("acme", "PO-2", 2), ("globex", "PO-1", 2)]]
    for rows in cases:
        table = _table(rows)
        expected = list(dict.fromkeys(zip(table["partner"].to_pylist(), table["po_number"].to_pylist(), strict=True)))
        assert _order_keys(table) == expected
    loose = pa.table({"partner": ["a", "a", None, None, "a"], "po_number": ["1", "1", "2", "2", "1"]})
    assert _order_keys(loose) == [("a", "1"), (None, "2")]


def test_line_tables_store_every_row_as_given_and_replace_the_orders_lines(store_target):
    store = StateStore(store_target())
    old = _table([("acme", "PO-1", 1), ("acme", "PO-1", 2), ("acme", "PO-1", 3), ("acme", "PO-9", 1)],
                 run_id="r0", unit="CS")
    store.apply(Plan(line_tables=(old,)), run_id="r0")
    rows = [("acme", "PO-2", 1), ("acme", "PO-1", 1), ("acme", "PO-2", 2), ("acme", "PO-1", 2)]
    new = _table(rows, ordered=["1", "2", "3", "4"], unit_price=["2.5", "2.5", "10", "2.5"],
                 unit=["EA", "EA", "EA", "CS"], allocated=[0, 0, 0, 7], ack_price=[None, "1", None, None])
    store.apply(Plan(line_tables=(new,)), run_id="r1")
    assert _stored(store) == [
        ("acme", "PO-1", 1, "1", "2", "EA", "2.5", "1", 0, 1, "r1", "received"),
        ("acme", "PO-1", 2, "2", "4", "CS", "2.5", None, 7, 1, "r1", "received"),  # PO-1's line 3 is gone
        ("acme", "PO-2", 1, "1", "1", "EA", "2.5", None, 0, 1, "r1", "received"),
        ("acme", "PO-2", 2, "2", "3", "EA", "10", None, 0, 1, "r1", "received"),
        ("acme", "PO-9", 1, "1", "12", "CS", "2.5", None, 0, 1, "r0", "received")]  # not named: kept
    store.close()


def test_many_rows_a_statement_keep_no_statement_journal_and_a_failure_undoes_the_whole_plan(tmp_path):
    """SQLite: the rows of a line table go many to a statement inserted OR FAIL (SQLite keeps no statement
    journal for them: no copy of every page they touch written first), and a statement that fails after
    others succeeded still leaves nothing of the plan stored (the transaction is rolled back whole)."""
    from connectors.state import StateError

    store = StateStore(tmp_path / "s.sqlite")
    old = _table([("acme", "PO-0", 1)], run_id="r0")
    store.apply(Plan(line_tables=(old,)), run_id="r0")
    before = _stored(store)
    rows = [("acme", f"PO-{n // 20 + 1}", n % 20 + 1) for n in range(1200)]
    rows[1100] = rows[3]  # a key twice, in the third statement's rows (500 rows a statement)
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    with pytest.raises(StateError):
        store.apply(Plan(line_tables=(old, _table(rows, ordered=[str(n) for n in range(1200)]))), run_id="r1")
    store._db.set_trace_callback(None)
    inserts = [s for s in statements if s.startswith("INSERT") and "order_lines" in s]
    assert len(inserts) == 4 and all(s.startswith("INSERT OR FAIL INTO order_lines") for s in inserts)
    assert _stored(store) == before
    store.close()
