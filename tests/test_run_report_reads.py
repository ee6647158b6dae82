"""The run report's column-wise reads of the store (StateStore.lines_of_runs, reservations_of_runs) on
SQLite and PostgreSQL: the run's lines and exactly their reservations, in (partner, PO, line, warehouse)
order whatever order they were written in, equal to what the per-order reads give (whichever way the
reservations are looked up)."""

from __future__ import annotations

import pyarrow as pa

from connectors.state import LINE_COLUMNS, StateStore
from flows.reports import RESERVATION_ROWS
from schemas.grouping import in_key_order

# (partner, po, line, run): written out of order; "acme"/"PO-b" line 3 belongs to another run
LINES = [("globex", "G-1", 2, "r1"), ("acme", "PO-b", 3, "r2"), ("acme", "PO-b", 1, "r1"), ("acme", "PO-a", 10, "r1"),
         ("acme", "PO-a", 2, "r1"), ("acme", "PO-B", 1, "r1"), ("globex", "G-1", 1, "r1")]
# (partner, po, line, warehouse, quantity)
RESERVED = [("acme", "PO-b", 1, "WEST", 3), ("acme", "PO-b", 1, "EAST", 5), ("acme", "PO-b", 3, "EAST", 2),
            ("globex", "G-1", 2, "EAST", 7), ("acme", "PO-a", 10, "EAST", 1), ("other", "X-1", 1, "EAST", 9)]


def _store(target: str) -> StateStore:
    store = StateStore(target)
    ints = {"line_number", "allocated", "backordered", "rejected", "revision"}
    rows = []
    for partner, po, line, run in LINES:
        values = {c: (0 if c in ints else None) for c in LINE_COLUMNS}
        values.update(partner=partner, po_number=po, line_number=line, run_id=run, state="allocated",
                      sku=f"SKU-{line}", ordered="4", codes="", revision=1)
        rows.append(tuple(values[c] for c in LINE_COLUMNS))
    with store.transaction():
        store._many(f"INSERT INTO order_lines ({', '.join(LINE_COLUMNS)}) VALUES ({','.join('?' * len(LINE_COLUMNS))})",
                    rows)
        store._many("INSERT INTO reservations (partner, po_number, line_number, warehouse, sku, quantity, run_id)"
                    " VALUES (?,?,?,?,?,?,?)", [(p, po, n, w, f"SKU-{n}", q, "r1") for p, po, n, w, q in RESERVED])
    return store


def test_the_runs_lines_come_sorted_by_partner_po_and_line(store_target):
    store = _store(store_target())
    try:
        lines = store.lines_of_runs(["r1"])
        assert lines.column_names == list(LINE_COLUMNS)
        got = list(zip(lines["partner"].to_pylist(), lines["po_number"].to_pylist(), lines["line_number"].to_pylist(),
                       strict=True))
        assert got == sorted((p, po, n) for p, po, n, run in LINES if run == "r1")  # "PO-B" before "PO-a"
        assert set(lines["run_id"].to_pylist()) == {"r1"}
        assert store.lines_of_runs(["r1", "r2"]).num_rows == len(LINES) and not store.lines_of_runs([]).num_rows
    finally:
        store.close()


def test_the_reservations_are_those_of_the_runs_lines_and_no_others(store_target):
    store = _store(store_target())
    try:
        reserved = store.reservations_of_runs(["r1"], RESERVATION_ROWS)
        assert reserved.schema == RESERVATION_ROWS
        assert [tuple(r.values()) for r in reserved.to_pylist()] == [
            ("acme", "PO-a", 10, "EAST", "SKU-10", 1),
            ("acme", "PO-b", 1, "EAST", "SKU-1", 5), ("acme", "PO-b", 1, "WEST", "SKU-1", 3),
            ("globex", "G-1", 2, "EAST", "SKU-2", 7)]  # not PO-b line 3 (run r2), not the other partner's
        # what the per-order reads give for the same lines (the report's former way)
        lines = store.lines_of_runs(["r1"])
        wanted = set(zip(lines["partner"].to_pylist(), lines["po_number"].to_pylist(),
                         lines["line_number"].to_pylist(), strict=True))
        held = store.reservations_for(sorted({(p, po) for p, po, _ in wanted}))
        former = [(r.partner, r.po_number, r.line_number, r.warehouse, r.sku, int(r.quantity))
                  for _, rs in sorted(held.items()) for r in rs if (r.partner, r.po_number, r.line_number) in wanted]
        assert [tuple(r.values()) for r in reserved.to_pylist()] == former
        # the same, each reservation looking up its line (no more reservations than the runs' lines) or
        # each line its reservations (more)
        assert store.reservations_of_runs(["r1"], RESERVATION_ROWS, lines=len(RESERVED)).equals(reserved)
        assert store.reservations_of_runs(["r1"], RESERVATION_ROWS, lines=len(RESERVED) - 1).equals(reserved)
        assert store.reservations_of_runs(["nothing"], RESERVATION_ROWS).num_rows == 0
        assert store.reservations_of_runs(["nothing"], RESERVATION_ROWS, lines=len(RESERVED)).num_rows == 0
    finally:
        store.close()


def test_the_reservations_kept_by_the_runs_lines_table_are_those_the_join_gives(store_target):
    """reservations_of_runs(of=lines_of_runs's table): the reservations read alone and matched to the
    table's lines in Arrow give what the join with order_lines gives; a reservation whose partner, PO and
    line number each appear among the lines, but never together, is not theirs."""
    store = _store(store_target())
    try:
        with store.transaction():  # globex has a line 2 and acme a PO-a: globex/PO-a line 2 is no line
            store._many("INSERT INTO reservations (partner, po_number, line_number, warehouse, sku, quantity, run_id)"
                        " VALUES (?,?,?,?,?,?,?)", [("globex", "PO-a", 2, "EAST", "SKU-2", 4, "r1"),
                                                    ("acme", "PO-B", 1, "AAA", "SKU-1", 6, "r1")])
        joined = store.reservations_of_runs(["r1"], RESERVATION_ROWS)
        assert [tuple(r.values())[:4] for r in joined.to_pylist()] == [
            ("acme", "PO-B", 1, "AAA"), ("acme", "PO-a", 10, "EAST"), ("acme", "PO-b", 1, "EAST"),
            ("acme", "PO-b", 1, "WEST"), ("globex", "G-1", 2, "EAST")]
        lines = store.lines_of_runs(["r1"])  # 6 lines, 8 reservations: the join
        assert store.reservations_of_runs(["r1"], RESERVATION_ROWS, of=lines).equals(joined)
        both = store.lines_of_runs(["r1", "r2"])  # 7 lines, 8 reservations: the join
        assert store.reservations_of_runs(["r1", "r2"], RESERVATION_ROWS, of=both).equals(
            store.reservations_of_runs(["r1", "r2"], RESERVATION_ROWS))
        with store.transaction():  # no more reservations than lines: read alone, matched in Arrow
            store._q("DELETE FROM reservations WHERE partner = 'other'")
            store._q("DELETE FROM reservations WHERE warehouse = 'WEST'")
        joined = store.reservations_of_runs(["r1"], RESERVATION_ROWS)
        assert joined.num_rows == 4
        assert store.reservations_of_runs(["r1"], RESERVATION_ROWS, of=lines).equals(joined)
        assert store.reservations_of_runs(["r1", "r2"], RESERVATION_ROWS, of=both).equals(
            store.reservations_of_runs(["r1", "r2"], RESERVATION_ROWS))
        assert store.reservations_of_runs(["r2"], RESERVATION_ROWS, of=store.lines_of_runs(["r2"])).to_pylist() == [
            {"partner": "acme", "po_number": "PO-b", "line_number": 3, "warehouse": "EAST", "sku": "SKU-3",
             "quantity": 2}]  # one line, more reservations: the join
        none = store.lines_of_runs(["nothing"])
        assert store.reservations_of_runs(["nothing"], RESERVATION_ROWS, of=none).num_rows == 0
    finally:
        store.close()


def test_one_runs_lines_are_read_without_their_run_id_and_equal_a_read_of_several_runs(store_target):
    store = _store(store_target())
    try:
        one, both = store.lines_of_runs(["r1"]), store.lines_of_runs(["r1", "r2", "nothing"])
        assert one.schema == both.schema
        assert one.equals(both.filter(pa.compute.equal(both["run_id"], "r1")))
        assert store.lines_of_runs(["nothing"]).equals(both.schema.empty_table())
    finally:
        store.close()


def test_rows_already_in_order_are_told_from_rows_that_are_not():
    def table(**columns):
        return pa.table(columns)

    assert in_key_order(table(a=["x", "x", "y"], b=[2, 2, 1]), ("a", "b"))  # ties: a stable sort keeps them
    assert not in_key_order(table(a=["x", "x", "y"], b=[2, 1, 1]), ("a", "b"))
    assert in_key_order(table(a=["X", "a", "b"], b=[9, 1, 0]), ("a", "b"))  # byte order: "X" before "a"
    assert not in_key_order(table(a=["a", "X"], b=[1, 2]), ("a", "b"))
    assert in_key_order(table(a=["a", "b"], b=[9, 0]), ("a",)) and in_key_order(table(a=["b"]), ("a",))
    assert not in_key_order(table(a=["a", None]), ("a",))  # a null: the caller sorts (nulls last)
    assert not in_key_order(table(a=[1.0, float("nan")]), ("a",))
    chunked = pa.Table.from_batches([pa.record_batch({"a": [1, 2]}), pa.record_batch({"a": [2, 3]})])
    assert in_key_order(chunked, ("a",))
    assert not in_key_order(pa.Table.from_batches([pa.record_batch({"a": [1, 3]}), pa.record_batch({"a": [2]})]),
                         ("a",))
