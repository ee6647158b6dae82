"""StateStore._insert_rows binds each multi-row INSERT's values as one flat list, row after row
(connectors.state._flat_batches: each column put in place by a slice assignment, no tuple per row). The
batches are the rows' values in order whatever the table's size, the statement's row count and the
slice read at a time; and a table of many rows is stored as it was given (a line per row, nulls kept)."""

from __future__ import annotations

import itertools

import pyarrow as pa
import pytest

from connectors.state import LINE_COLUMNS, StateStore, _flat_batches
from schemas.lifecycle import LINE_ROWS


def _table(n: int) -> pa.Table:
    return pa.table({"a": [f"x{i}" for i in range(n)], "b": [None if i % 3 else i for i in range(n)],
                     "c": [i * 7 for i in range(n)]})


@pytest.mark.parametrize(("n", "per", "chunk"), [(0, 5, 20), (1, 5, 20), (5, 5, 20), (23, 5, 20), (23, 5, 7),
                                                 (100, 7, 20), (61, 500, 20_000), (9, 1, 4)])
def test_batches_are_the_rows_in_order(n: int, per: int, chunk: int) -> None:
    table = _table(n)
    rows = list(zip(*(table[c].to_pylist() for c in ("a", "b", "c")), strict=True))
    expected = [list(itertools.chain.from_iterable(rows[i:i + per])) for i in range(0, n, per)]
    assert list(_flat_batches(table, ["a", "b", "c"], per, chunk)) == expected
    # the statement shapes _insert_rows makes: n // per full batches, then the rest
    assert [len(b) // 3 for b in _flat_batches(table, ["a", "b", "c"], per, chunk)] == \
        [per] * (n // per) + ([n % per] if n % per else [])


def test_no_bound_column_gives_empty_batches() -> None:
    assert list(_flat_batches(_table(12), [], 5)) == [[], [], []]
    assert list(_flat_batches(_table(12), [], 5, order=pa.array([3, 1, 2, 0, 4, 5, 6], pa.int64()))) == [[], []]


def test_lines_stored_as_given(tmp_path) -> None:
    n = 1234  # two full statements of 500 rows, then one of 234
    table = pa.table({
        "partner": ["acme"] * n, "po_number": [f"PO{i // 10:05d}" for i in range(n)],
        "line_number": [i % 10 + 1 for i in range(n)], "line_id": [str(i % 10 + 1) for i in range(n)],
        "sku": [f"SKU-{i % 17}" for i in range(n)], "state": ["allocated"] * n, "ack": ["IA"] * n,
        "ordered": [str(i) for i in range(n)], "unit": ["EA"] * n, "unit_price": [f"{i}.5" for i in range(n)],
        "ack_price": [None] * n, "allocated": list(range(n)), "backordered": [0] * n, "rejected": [0] * n,
        "promised_date": [None if i % 2 else "2026-11-30" for i in range(n)], "warehouses": ["EAST"] * n,
        "reason": ["filled"] * n, "codes": [""] * n, "revision": [1] * n, "run_id": ["r1"] * n,
        "shipped": ["0"] * n, "invoiced": ["0"] * n,
        "ordered_sku": [f"SKU-{i % 5}" if i % 3 == 0 else "" for i in range(n)],
        "rejected_fraction": [None] * n, "priced_per": [None] * n, "unit_eaches": [None] * n,
        "backordered_over": [None] * n, "balance_cancelled": [None] * n, "expired": [None] * n,
        "cut_from": [None] * n}, schema=LINE_ROWS)
    store = StateStore(tmp_path / "s.sqlite")
    with store.transaction():
        store._insert_rows("order_lines", LINE_COLUMNS, table)
    got = store._q(f"SELECT {', '.join(LINE_COLUMNS)} FROM order_lines ORDER BY rowid")
    assert got == list(zip(*(table[c].to_pylist() for c in LINE_COLUMNS), strict=True))
    store.close()


@pytest.mark.parametrize(("n", "per", "chunk"), [(23, 5, 10), (23, 5, 7), (100, 7, 20), (9, 1, 4)])
def test_batches_in_a_given_order_are_the_rows_taken_in_that_order(n: int, per: int, chunk: int) -> None:
    table = _table(n)
    order = pa.array([i for i in reversed(range(n)) if i % 4], pa.int64())  # reordered, some rows left out
    assert list(_flat_batches(table, ["a", "b", "c"], per, chunk, order=order)) == \
        list(_flat_batches(table.take(order), ["a", "b", "c"], per, chunk))


def test_rows_inserted_in_a_given_order_are_those_rows_in_that_order(tmp_path, monkeypatch) -> None:
    """_insert_rows' ``order``: only the rows it names, written in its order (read into Python one
    statement's rows at a time: a wide table's values bounded), the literal columns as without it."""
    import connectors.state

    monkeypatch.setattr(connectors.state, "FLAT_VALUES", 5_000)
    n = 1234
    table = pa.table({"partner": ["acme"] * n, "po_number": [f"PO{i:05d}" for i in range(n)],
                      "line_number": list(range(n)), "line_id": [str(i) for i in range(n)],
                      **{c: [f"{c}-{i % 13}" for i in range(n)] for c in LINE_COLUMNS[4:]}})
    order = pa.array(sorted(range(0, n, 3), key=lambda i: (i % 7, -i)), pa.int64())
    store = StateStore(tmp_path / "s.sqlite")
    store._q("CREATE TABLE wide (" + ", ".join(f"{c} TEXT" for c in LINE_COLUMNS) + ")")
    with store.transaction():
        store._insert_rows("wide", LINE_COLUMNS, table, order=order)
        store._insert_rows("wide", LINE_COLUMNS, table, order=order.slice(0, 0))  # none
    got = store._q(f"SELECT {', '.join(LINE_COLUMNS)} FROM wide ORDER BY rowid")
    taken = table.take(order)
    assert got == [tuple(str(v) for v in row) for row in zip(*(taken[c].to_pylist() for c in LINE_COLUMNS),
                                                             strict=True)]
    store.close()


def test_rows_inserted_by_a_column_are_written_group_by_group_in_order(tmp_path) -> None:
    """_insert_rows' ``by``: the rows of each value of the column written together (values in order, null
    last; each group in ``order``'s order), a group's own constant columns as literals: the same rows."""
    n = 40
    table = pa.table({"k": [None if i % 5 == 0 else f"g{i % 3}" for i in range(n)], "v": [f"v{i}" for i in range(n)],
                      "w": [None if i % 3 == 1 else "same" for i in range(n)]})
    order = pa.array(list(reversed(range(n))), pa.int64())
    store = StateStore(tmp_path / "s.sqlite")
    store._q("CREATE TABLE t (k TEXT, v TEXT, w TEXT)")
    with store.transaction():
        store._insert_rows("t", ["k", "v", "w"], table, order=order, by="k")
    got = store._q("SELECT k, v, w FROM t ORDER BY rowid")
    rows = list(zip(*(table.take(order)[c].to_pylist() for c in ("k", "v", "w")), strict=True))
    assert got == [r for g in ("g0", "g1", "g2", None) for r in rows if r[0] == g]
    store.close()
