"""The run report's column-wise reads of the store (StateStore.lines_of_runs, reservations_of_runs) on
SQLite and PostgreSQL: the run's lines and exactly their reservations, in (partner, PO, line, warehouse)
order whatever order they were written in, equal to what the per-order reads give (whichever way the
reservations are looked up)."""

from __future__ import annotations

from connectors.state import LINE_COLUMNS, StateStore
from flows.reports import RESERVATION_ROWS

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
