"""Plan.line_tables written as changes (SQLite): when the table rewrites the lines of orders the store
read last through line_table_for, and nothing wrote order_lines since (on this connection or another),
each changed line gets only its changed columns set (the other rows and columns, and the row itself,
stay where they are), a new line is inserted and a line gone deleted; the stored lines are the table's
whatever happened in between (another connection's commit, this one's writes, a rollback: every line
of the orders rewritten). And the bulk reads keep one read-only connection: the store's own keeps its
page cache (PRAGMA data_version stays)."""

from __future__ import annotations

import sqlite3

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from connectors.state import StateStore
from schemas.lifecycle import Plan
from tests.test_state_line_tables import _table

ROWS = [("acme", "PO-1", 1), ("acme", "PO-1", 2), ("acme", "PO-1", 3), ("acme", "PO-2", 1), ("acme", "PO-2", 2),
        ("acme", "PO-9", 1)]


def _store(tmp_path) -> StateStore:
    store = StateStore(tmp_path / "s.sqlite")
    store.apply(Plan(line_tables=(_table(ROWS, run_id="r0", sku=["A", "B", "C", "D", "E", "F"]),)), run_id="r0")
    return store


def _rows(store: StateStore) -> dict[tuple, tuple]:
    """(partner, po_number, line_number) -> (rowid, every column): where each line is and what it holds."""
    return {r[1:4]: (r[0], *r[1:]) for r in store._q("SELECT rowid, * FROM order_lines")}


def _changed(read: pa.Table) -> pa.Table:
    """PO-1 and PO-2's lines as the ship stage writes them: PO-1's line 2 shipped, PO-2's line 1 gone,
    a new line 3 on PO-2; the others as read."""
    keep = pc.invert(pc.and_(pc.equal(read["po_number"], "PO-2"), pc.equal(read["line_number"], 1)))
    table = read.filter(keep)
    shipped = pc.and_(pc.equal(table["po_number"], "PO-1"), pc.equal(table["line_number"], 2))
    for name, value in (("state", "shipped"), ("shipped", "12")):
        at = table.schema.get_field_index(name)
        table = table.set_column(at, name, pc.if_else(shipped, pa.scalar(value), table[name]))
    added = _table([("acme", "PO-2", 3)], run_id="r1", sku="G").cast(table.schema)
    return pa.concat_tables([table, added])


def _expected(table: pa.Table, other: dict[tuple, tuple]) -> list[tuple]:
    return sorted([tuple(r.values()) for r in table.to_pylist()] + [v[1:] for v in other.values()])


def test_a_table_of_the_lines_read_last_sets_only_what_changed(tmp_path):
    store = _store(tmp_path)
    try:
        before = _rows(store)
        read = store.line_table_for([("acme", "PO-1"), ("acme", "PO-2")])
        table = _changed(read)
        statements = []
        store._db.set_trace_callback(statements.append)
        store.apply(Plan(line_tables=(table,)), run_id="r1")
        store._db.set_trace_callback(None)
        after = _rows(store)
        assert sorted(v[1:] for v in after.values()) == _expected(table, {k: v for k, v in before.items()
                                                                          if k[1] == "PO-9"})
        # the lines that stayed are where they were (updated in place, not deleted and inserted again)
        for key in [("acme", "PO-1", 1), ("acme", "PO-1", 2), ("acme", "PO-1", 3), ("acme", "PO-2", 2),
                    ("acme", "PO-9", 1)]:
            assert after[key][0] == before[key][0], key
        assert ("acme", "PO-2", 1) not in after
        updates = [s for s in statements if s.startswith("UPDATE order_lines")]
        # one statement: the one changed line's changed columns, the line found by the rowid it was read at
        rowid = before[("acme", "PO-1", 2)][0]
        assert updates == ["UPDATE order_lines SET state=v.column2, shipped=v.column3 FROM (VALUES"
                           f" ({rowid},'shipped','12')) AS v WHERE order_lines.rowid=v.column1"]
        assert not any(s.startswith("DELETE FROM order_lines WHERE partner=? AND po_number IN") or
                       "po_number IN ('PO-1'" in s for s in statements)
    finally:
        store.close()


@pytest.mark.parametrize("between", ["another connection", "this connection", "rolled back", "other orders read"])
def test_the_lines_stored_are_the_tables_whatever_wrote_in_between(tmp_path, between):
    store = _store(tmp_path)
    try:
        read = store.line_table_for([("acme", "PO-1"), ("acme", "PO-2")])
        table = _changed(read)
        if between == "another connection":
            other = sqlite3.connect(tmp_path / "s.sqlite", isolation_level=None, timeout=30)
            other.execute("UPDATE order_lines SET unit='XX' WHERE po_number='PO-1' AND line_number=3")
            other.close()
        elif between == "this connection":
            store.apply(Plan(line_updates=(("acme", "PO-1", 1, "invoiced", "12", "r1"),)), run_id="r1")
        elif between == "rolled back":  # the plan's first try: refused after its lines were written
            with pytest.raises(RuntimeError), store.transaction():
                store.apply(Plan(line_tables=(table,)), run_id="r1")
                raise RuntimeError("refused")
        else:
            store.line_table_for([("acme", "PO-9")])
        store.apply(Plan(line_tables=(table,)), run_id="r1")
        got = store.line_table_for([("acme", "PO-1"), ("acme", "PO-2")])
        assert got.to_pylist() == table.sort_by([("po_number", "ascending"), ("line_number", "ascending")]).to_pylist()
    finally:
        store.close()


def test_the_bulk_reads_keep_the_stores_page_cache(tmp_path):
    store = _store(tmp_path)
    try:
        keys = [("acme", "PO-1"), ("acme", "PO-2")]
        store.line_table_for(keys)
        version = store._db.execute("PRAGMA data_version").fetchone()[0]
        for _ in range(3):
            assert store.line_table_for(keys).num_rows == 5
            assert store.billing_lines(keys).num_rows == 5
            store.apply(Plan(line_updates=(("acme", "PO-1", 1, "invoiced", "12", "r1"),)), run_id="r1")
        assert store._db.execute("PRAGMA data_version").fetchone()[0] == version  # no other connection wrote
        assert store.line_table_for(keys)["state"].to_pylist()[0] == "invoiced"  # and it reads what is committed
    finally:
        store.close()


def test_the_lines_read_with_some_shipped_are_updated_in_place(tmp_path):
    store = _store(tmp_path)
    try:
        before = _rows(store)
        read = store.line_table_for([("acme", "PO-1"), ("acme", "PO-2")])
        shipped = pc.equal(read["line_number"], 1)
        table = read
        for name, value in (("state", "shipped"), ("shipped", "12"), ("run_id", "r1")):
            at = table.schema.get_field_index(name)
            table = table.set_column(at, name, pc.if_else(shipped, pa.scalar(value), table[name]))
        statements = []
        store._db.set_trace_callback(statements.append)
        store.apply(Plan(line_tables=(table,)), run_id="r1")
        store._db.set_trace_callback(None)
        assert store._lines_read is None  # the read is used once, not held (a night's lines)
        after = _rows(store)
        assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}  # every row in place
        assert store.line_table_for([("acme", "PO-1"), ("acme", "PO-2")]).to_pylist() == table.to_pylist()
        assert after[("acme", "PO-9", 1)] == before[("acme", "PO-9", 1)]
        [update] = [s for s in statements if "order_lines" in s]
        # the values every changed line shares written once as literals; each line found by its rowid
        first, second = before[("acme", "PO-1", 1)][0], before[("acme", "PO-2", 1)][0]
        assert update == ("UPDATE order_lines SET state='shipped', run_id='r1', shipped='12' FROM (VALUES"
                          f" ({first}),({second})) AS v WHERE order_lines.rowid=v.column1"), update
    finally:
        store.close()


def test_lines_of_some_of_the_orders_read_in_another_order_are_updated_where_they_are(tmp_path):
    """The plan rewrites two of the three orders read, its lines in another order than read, each line
    shipped a different quantity: each changed line is found by the rowid it was read with (none of another
    line's values lands on it), and the order not in the plan is untouched."""
    store = _store(tmp_path)
    try:
        before = _rows(store)
        read = store.line_table_for([("acme", "PO-1"), ("acme", "PO-2"), ("acme", "PO-9")])
        table = read.filter(pc.not_equal(read["po_number"], "PO-1")).take([2, 1, 0])  # PO-9/1, PO-2/2, PO-2/1
        for name, values in (("state", ["shipped", "shipped", "received"]), ("shipped", ["7", "8", "0"])):
            table = table.set_column(table.schema.get_field_index(name), name, pa.array(values, pa.string()))
        statements = []
        store._db.set_trace_callback(statements.append)
        store.apply(Plan(line_tables=(table,)), run_id="r1")
        store._db.set_trace_callback(None)
        after = _rows(store)
        assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}  # every row in place
        got = {(r["po_number"], r["line_number"]): (r["state"], r["shipped"]) for r in store.line_table_for(
            [("acme", "PO-1"), ("acme", "PO-2"), ("acme", "PO-9")]).to_pylist()}
        assert got == {("PO-1", 1): ("received", "0"), ("PO-1", 2): ("received", "0"), ("PO-1", 3): ("received", "0"),
                       ("PO-2", 1): ("received", "0"),
                       ("PO-2", 2): ("shipped", "8"), ("PO-9", 1): ("shipped", "7")}
        assert [s for s in statements if "order_lines" in s] == [
            "UPDATE order_lines SET state='shipped', shipped=v.column2 FROM (VALUES"
            f" ({before[('acme', 'PO-9', 1)][0]},'7'),({before[('acme', 'PO-2', 2)][0]},'8')) AS v"
            " WHERE order_lines.rowid=v.column1"]
    finally:
        store.close()
