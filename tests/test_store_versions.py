"""The state store's write version (schema 23, connectors.store_versions): every write transaction of any
connection bumps it, a lease's renewal does not; a table one stage wrote is taken by the next stage's
connection only while nothing else wrote since (and the take is what the store holds), else the store is read.
On SQLite and on PostgreSQL where the version is the store's; the hand-on itself is SQLite's."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pytest

from connectors import lease, store_versions
from connectors.state import BILLING_LINE_COLUMNS, LINE_COLUMNS, StateStore
from schemas.lifecycle import (
    LINE_ROWS,
    ORDER_KEYS,
    RESERVATION_ROWS,
    LineRecord,
    LineState,
    OrderLines,
    Plan,
    ReservationTable,
)
from tests.test_state_line_tables import _table

ROOT = Path(__file__).resolve().parent.parent
AT = "2026-11-27T02:00:00"


def _orders(n: int, partner: str = "acme") -> list[tuple[str, str]]:
    return [(partner, f"PO-{i:03d}") for i in range(n)]


def _lines(orders, *, state: str = "accepted", run: str = "r1") -> pa.Table:
    return _table([(p, po, n) for p, po in orders for n in (2, 1, 3)], state=state, run_id=run, sku="SKU-1",
                  allocated=4)


def _reservations(orders) -> ReservationTable:
    keys = pa.table({"partner": [p for p, _ in orders], "po_number": [po for _, po in orders]}, schema=ORDER_KEYS)
    rows = [(p, po, n, wh) for p, po in orders[:-1] for n in (1, 2) for wh in ("west", "east")]  # the last: none
    return ReservationTable(keys, pa.table({"partner": [r[0] for r in rows], "po_number": [r[1] for r in rows],
                                            "line_number": [r[2] for r in rows], "warehouse": [r[3] for r in rows],
                                            "sku": ["SKU-1"] * len(rows), "quantity": [3] * len(rows)},
                                           schema=RESERVATION_ROWS))


def _decided(path, orders) -> int:
    """What decide leaves: the orders' lines and reservations written by one connection (closed); the version."""
    store = StateStore(path)
    try:
        store.apply(Plan(line_tables=(_lines(orders),), reservation_tables=(_reservations(orders),)), run_id="r1")
        return store.version_committed
    finally:
        store.close()


def _store_lines(store: StateStore, keys) -> pa.Table:
    return store._arrow_by_keys(f"SELECT {', '.join(LINE_COLUMNS)} FROM order_lines WHERE", keys,
                                "ORDER BY partner, po_number, line_number", LINE_ROWS)


def _store_reservations(store: StateStore, keys) -> pa.Table:
    return store._arrow_by_keys("SELECT partner, po_number, line_number, warehouse, sku, quantity FROM reservations"
                                " WHERE", keys, "ORDER BY partner, po_number, line_number, warehouse",
                                RESERVATION_ROWS)


@pytest.fixture
def kept():
    """The night's keeping (flows.night), the reads served counted from zero."""
    store_versions.TAKEN.clear()
    with store_versions.keeping():
        yield store_versions.TAKEN
    store_versions.TAKEN.clear()


# --- the version ---------------------------------------------------------------------------------------
def test_every_write_transaction_bumps_the_version_a_lease_renewal_does_not(store_target, tmp_path):
    target = store_target()
    store, other = StateStore(target), StateStore(target)
    try:
        v = store.write_version()
        store.record_file("acme", "abc", "a.x12", 3, AT, "processed")  # a write on its own: its own transaction
        assert other.write_version() == v + 1 == store.version_committed  # seen by another connection
        with store.transaction():  # several writes, one transaction: one bump
            store.mark_disposed("acme", "abc", AT)
            store.start_run("r1", AT)
        assert other.write_version() == v + 2
        with store.transaction():  # nothing written: nothing bumped
            store.file_record("acme", "abc")
        store.apply(Plan())
        assert other.write_version() == v + 2
        other.apply(Plan(line_tables=(_lines(_orders(2)),)), run_id="r1")
        assert store.write_version() == v + 3
        held = lease.acquire(tmp_path / "ws", "run", state=target)  # the lease's rows only: no bump
        held.renew(note="still here")
        held.release()
        assert store.write_version() == v + 3
    finally:
        store.close()
        other.close()


def test_a_write_no_statement_named_still_bumps_it_and_lets_kept_tables_go(tmp_path, kept):
    """SQLite: rows changed by a statement the store did not see (not through _q/_many) are found at the
    COMMIT (the connection's own count of rows changed): the version moves, and nothing kept is trusted."""
    path = tmp_path / "s.sqlite"
    orders = _orders(3)
    _decided(path, orders)
    store = StateStore(path)
    try:
        v = store.write_version()
        with store.transaction():
            store._db.execute("UPDATE order_lines SET state='cancelled' WHERE po_number='PO-001'")
        assert store.write_version() == v + 1
        table = store.line_table_for(orders)
        assert "order_lines" not in kept  # read from the store
        assert table["state"].to_pylist().count("cancelled") == 3
    finally:
        store.close()


def test_a_store_of_version_22_gets_the_write_version(store_target):
    from connectors.state_migrations import LATEST, SHIPMENT_METHODS, WRITE_VERSIONS

    target = store_target()
    store = StateStore(target)
    store.start_run("r1", AT)
    with store.transaction():  # what a version 22 store looks like
        store._q("DROP TABLE write_version")
        store._versioned = False  # (as a version 22 store's connection: nothing to bump)
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(SHIPMENT_METHODS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == WRITE_VERSIONS + 17 == SHIPMENT_METHODS + 18
        assert store.write_version() == 1  # its migration was its first write
        assert store.run("r1")["status"] == "running"
        store.finish_run("r1", AT, {}, status="finished")
        assert store.write_version() == 2
    finally:
        store.close()


def test_a_restored_or_rebuilt_store_goes_past_the_version_of_the_one_it_replaced(tmp_path):
    from connectors.state_files import write_version_of

    path = tmp_path / "s.sqlite"
    store = StateStore(path)
    for n in range(5):
        store.start_run(f"r{n}", AT)
    before = store.write_version()
    assert write_version_of(path) == before and write_version_of(tmp_path / "none.sqlite") == 0
    fresh = StateStore(tmp_path / "t.sqlite")
    try:
        assert fresh.write_version() < before
        assert fresh.raise_write_version(before) == before + 1
        assert fresh.raise_write_version(0) == before + 2  # never back
    finally:
        fresh.close()
        store.close()


# --- tables handed on ----------------------------------------------------------------------------------
def test_the_next_stage_takes_the_kept_lines_and_reservations_while_nothing_wrote(tmp_path, kept):
    path = tmp_path / "s.sqlite"
    orders = _orders(7)
    _decided(path, orders)
    store = StateStore(path)  # the next stage's own connection
    try:
        store.record_file("acme", "f1", "c.csv", 9, AT, "processed")  # a write of another table meanwhile
        wanted = [orders[5], orders[1], orders[3], orders[6]]
        lines = store.line_table_for(wanted)
        reserved = store.reservation_table_for(wanted)
        assert kept == {"order_lines": 1, "reservations": 1}  # taken, not read
        assert lines.equals(_store_lines(store, wanted)) and lines.num_rows == 12
        assert reserved.equals(_store_reservations(store, wanted)) and reserved.num_rows == 12  # PO-006: none
        # kept for the plan that rewrites them, with each line's address (_rewrite_changed: updated in place)
        keys, table, _, addresses = store._lines_read
        assert keys == frozenset(wanted) and table.equals(lines)
        assert addresses.to_pylist() == [r[0] for r in store._q(
            "SELECT rowid FROM order_lines WHERE po_number IN ('PO-001', 'PO-003', 'PO-005', 'PO-006')"
            " ORDER BY partner, po_number, line_number")]
        shipped = lines.set_column(LINE_ROWS.get_field_index("state"), LINE_ROWS.field("state"),
                                   pa.array(["shipped"] * lines.num_rows, pa.string()))
        store.apply(Plan(line_tables=(shipped,)), run_id="r2")  # the ship stage's rewrite of its orders' lines
        assert _store_lines(store, wanted)["state"].to_pylist() == ["shipped"] * 12
        # the ship stage's own lines kept in turn (the invoice stage's billing_lines), beside decide's others
        billed = store.billing_lines([orders[1], orders[0]])
        assert kept["billing_lines"] == 1
        read = store._arrow_by_keys(f"SELECT {', '.join(BILLING_LINE_COLUMNS)} FROM order_lines WHERE",
                                    [orders[1], orders[0]], "ORDER BY po_number, line_number", billed.schema)
        assert billed.equals(read) and billed["state"].to_pylist() == ["accepted"] * 3 + ["shipped"] * 3
    finally:
        store.close()


def test_a_write_by_a_second_store_on_the_same_file_makes_the_next_stage_read_the_store(tmp_path, kept):
    """Another connection of this process writing those orders' lines (not through a plan naming them): the
    next read is the store's and shows the write; a plan of another connection naming its orders lets only
    those go."""
    path = tmp_path / "s.sqlite"
    orders = _orders(4)
    _decided(path, orders)
    second, store = StateStore(path), StateStore(path)
    try:
        second.apply(Plan(lines=(OrderLines("acme", "PO-002", (
            LineRecord("acme", "PO-002", 1, LineState.REJECTED, line_id="1", sku="SKU-9"),)),)))
        assert store.line_table_for(orders[:2])["sku"].to_pylist() == ["SKU-1"] * 6  # PO-002 not among them
        assert kept == {"order_lines": 1}
        got = store.line_table_for(orders)  # PO-002 rewritten by the other: read, with it
        assert kept == {"order_lines": 1}
        assert got.equals(_store_lines(store, orders))
        assert got.filter(pa.compute.equal(got["po_number"], "PO-002"))["sku"].to_pylist() == ["SKU-9"]
        second._q("UPDATE order_lines SET ack='IA' WHERE po_number='PO-000'")  # no orders named: all let go
        assert store.line_table_for(orders[:1])["ack"].to_pylist() == ["IA"] * 3
        assert store.reservation_table_for(orders[:1]).num_rows == 4  # (reservations: still kept)
        assert kept == {"order_lines": 1, "reservations": 1}
    finally:
        second.close()
        store.close()


def _in_another_process(path: Path, code: str) -> None:
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from connectors.state import StateStore
        store = StateStore({str(path)!r})
    """) + textwrap.dedent(code) + "\nstore.close()\n"
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT)


def test_a_write_by_another_process_makes_the_next_stage_read_the_store(tmp_path, kept):
    path = tmp_path / "s.sqlite"
    orders = _orders(3)
    _decided(path, orders)
    _in_another_process(path, """
        store._q("UPDATE reservations SET quantity=1 WHERE po_number='PO-000'")
        store._q("UPDATE order_lines SET backordered=2 WHERE po_number='PO-001'")
    """)
    store = StateStore(path)
    try:
        assert store.reservation_table_for(orders)["quantity"].to_pylist()[:4] == [1] * 4
        lines = store.line_table_for(orders)
        assert lines["backordered"].to_pylist() == [0] * 3 + [2] * 3 + [0] * 3
        assert kept == {}  # both read from the store
    finally:
        store.close()


def test_an_approval_from_the_console_path_between_the_stages_makes_the_next_read_the_stores(tmp_path, kept):
    """A person's approval (flows.cli / the console: StateStore.apply of plan_person_decision, under the lease)
    in another process: the store's version moved, so the next stage reads what is stored."""
    from flows.cli import _record_decision  # noqa: F401 - the path the console and `orderbridge approve` share

    path = tmp_path / "s.sqlite"
    orders = _orders(2)
    _decided(path, orders)
    store = StateStore(path)
    store._q("INSERT INTO orders (partner, po_number, state, revision, answered_revision) VALUES"
             " ('acme', 'PO-000', 'held', 1, 0)")
    store.close()
    _in_another_process(path, """
        from engine import lifecycle
        record = store.order("acme", "PO-000")
        store.apply(lifecycle.plan_person_decision(record, lifecycle.VERDICT_APPROVED, by="ops", note="ok",
                                                  at="2026-11-27T09:00:00"))
    """)
    store = StateStore(path)
    try:
        assert store.order("acme", "PO-000").state.value == "approved"
        assert store.line_table_for(orders).equals(_store_lines(store, orders))
        assert kept == {}
    finally:
        store.close()


def _billed(store: StateStore, lines: list[tuple[str, str, int]], run: str = "r3") -> None:
    """What the invoice stage writes of the lines it bills: their state, invoiced and run_id set in place, one
    LINE_UPDATES table (Plan.line_update_tables)."""
    from schemas.lifecycle import LINE_UPDATES

    store.apply(Plan(line_update_tables=(pa.table({
        "partner": [k[0] for k in lines], "po_number": [k[1] for k in lines], "line_number": [k[2] for k in lines],
        "state": ["invoiced"] * len(lines), "invoiced": ["4"] * len(lines), "run_id": [run] * len(lines)},
        schema=LINE_UPDATES),)), run_id=run)


def _read_lines(store: StateStore) -> pa.Table:
    """Every order line as finance_lines(keep=True) reads them from the store (the driver's table)."""
    return store._arrow_rows(f"SELECT {', '.join(LINE_COLUMNS)} FROM order_lines ORDER BY partner, po_number,"
                             " line_number")


def test_the_reconciliation_takes_every_line_the_night_kept_with_the_invoice_stages_updates(tmp_path, kept):
    """decide's lines, the ship stage's rewrite of some and the invoice stage's updates of some of those (the
    kept rows updated as the UPDATE set them, not let go), and an order none of them wrote (its lines read by
    key): the reconciliation's connection takes every line from memory, the same table the store's read gives,
    and lets what was kept go."""
    path = tmp_path / "s.sqlite"
    earlier = StateStore(path)  # an order of an earlier night: stored, never kept
    earlier.apply(Plan(lines=(OrderLines("acme", "PO-000", (
        LineRecord("acme", "PO-000", 1, LineState.INVOICED, line_id="1", sku="SKU-9"),)),)))
    earlier.close()
    orders = _orders(7)[1:]
    _decided(path, orders)
    ship = StateStore(path)
    shipped = ship.line_table_for(orders[:3])
    ship.apply(Plan(line_tables=(shipped.set_column(LINE_ROWS.get_field_index("state"), LINE_ROWS.field("state"),
                                                    pa.array(["shipped"] * 9, pa.string())),)), run_id="r2")
    ship.close()
    invoicing = StateStore(path)
    _billed(invoicing, [(p, po, n) for p, po in orders[:2] for n in (1, 3)] + [("acme", orders[2][1], 2)])
    invoicing.close()
    reconciling = StateStore(path)
    try:
        got = reconciling.finance_lines(LINE_COLUMNS[:12], keep=True)
        assert kept.get("finance_lines") == 1 and not store_versions._KEPT  # taken, then let go
        version, direct = reconciling._kept_lines
        assert direct.equals(_read_lines(reconciling)) and direct.num_rows == 19
        states = dict(zip(zip(direct["po_number"].to_pylist(), direct["line_number"].to_pylist(), strict=True),
                          zip(direct["state"].to_pylist(), direct["invoiced"].to_pylist(),
                              direct["run_id"].to_pylist(), strict=True), strict=True))
        assert states[("PO-001", 1)] == ("invoiced", "4", "r3") and states[("PO-001", 2)][::2] == ("shipped", "r1")
        assert states[("PO-003", 2)] == ("invoiced", "4", "r3") and states[("PO-004", 1)][::2] == ("accepted", "r1")
        assert states[("PO-000", 1)][0] == "invoiced"  # read by key
        assert reconciling.hand_on_lines("r3")  # and handed on to the report as before
        assert got.equals(reconciling.finance_lines(LINE_COLUMNS[:12]))  # the store's read (not kept)
    finally:
        reconciling.close()


def test_the_reconciliation_reads_the_store_when_another_connection_wrote_lines_or_most_are_not_kept(tmp_path,
                                                                                                    kept):
    path = tmp_path / "s.sqlite"
    orders = _orders(4)
    _decided(path, orders)
    invoicing = StateStore(path)
    _billed(invoicing, [(p, po, n) for p, po in orders for n in (1, 2, 3)])
    invoicing._q("UPDATE order_lines SET ack='IA' WHERE po_number='PO-001'")  # no orders named: all let go
    invoicing.close()
    reconciling = StateStore(path)
    try:
        reconciling.finance_lines(keep=True)
        assert "finance_lines" not in kept
        assert reconciling._kept_lines[1].equals(_read_lines(reconciling))
        assert "IA" in reconciling._kept_lines[1]["ack"].to_pylist()
    finally:
        reconciling.close()
    many = tmp_path / "m.sqlite"  # most lines an earlier night's: read whole, not by key beside the kept ones
    earlier = StateStore(many)
    earlier.apply(Plan(lines=tuple(OrderLines(p, po, tuple(LineRecord(p, po, n, LineState.INVOICED, line_id=str(n),
                                                                  sku="SKU-9") for n in (1, 2, 3)))
                                   for p, po in _orders(5, "globex"))), run_id="r0")  # (rows: never kept)
    earlier.close()
    _decided(many, orders[:2])
    reconciling = StateStore(many)
    try:
        reconciling.finance_lines(keep=True)
        assert "finance_lines" not in kept and not store_versions._KEPT
        assert reconciling._kept_lines[1].equals(_read_lines(reconciling)) and reconciling._kept_lines[1].num_rows == 21
    finally:
        reconciling.close()


def test_nothing_is_kept_outside_the_nights_keeping(tmp_path):
    path = tmp_path / "s.sqlite"
    store_versions.TAKEN.clear()
    orders = _orders(2)
    _decided(path, orders)
    store = StateStore(path)
    try:
        store.line_table_for(orders)
        store.reservation_table_for(orders)
        assert store_versions.TAKEN == {} and not store_versions._KEPT
    finally:
        store.close()


def test_the_night_hands_decides_and_the_ship_stages_tables_on_and_sends_the_same(tmp_path, monkeypatch):
    """flows.night.run_night in one process, the warehouses' confirmations waiting: the ship stage takes decide's
    lines and reservations, the invoice stage the ship stage's lines (each stage its own connection), all let go
    after the invoice stage; the night sends and stores what a night reading the store sends and stores."""
    from contextlib import contextmanager
    from datetime import datetime

    from flows.night import InProcess, run_night
    from tests.support import drop_confirmations, shipping_workspace
    from tests.support_pool import dump_state

    now = datetime(2026, 11, 27, 2, 0).isoformat()
    handed = shipping_workspace(tmp_path / "handed")
    drop_confirmations(handed)
    store_versions.TAKEN.clear()
    run_night(str(handed.root), stages=InProcess(), now=now, use_gx=False)
    taken = dict(store_versions.TAKEN)
    assert taken.get("order_lines") and taken.get("reservations") and taken.get("billing_lines"), taken
    assert taken.get("finance_lines") == 1, taken  # the reconciliation: every line from memory
    assert not store_versions._KEPT and not store_versions.active()  # let go after the reconciliation

    @contextmanager
    def nothing_kept():
        yield

    monkeypatch.setattr(store_versions, "keeping", nothing_kept)
    read = shipping_workspace(tmp_path / "read")
    drop_confirmations(read)
    store_versions.TAKEN.clear()
    run_night(str(read.root), stages=InProcess(), now=now, use_gx=False)
    assert store_versions.TAKEN == {}

    def sent(ws) -> dict:
        return {str(p.relative_to(ws.root)): p.read_bytes() for p in sorted(ws.root.glob("*drop*/*/outbox/*"))}

    assert [n for n in sent(handed) if n.endswith(".x12")] and sent(handed) == sent(read)
    assert any("856" in b.decode("latin-1") for b in sent(handed).values())
    assert dump_state(handed.root) == dump_state(read.root)

    def finance(ws) -> dict:  # the reconciliation's report tables (CSV: the report's bytes, Parquet's rows)
        data = sorted(ws.root.glob("reports/*/finance/data/*.csv"))
        return {p.name: p.read_bytes() for p in data}

    assert finance(handed) and finance(handed) == finance(read)


def test_a_connection_that_migrates_a_versioned_store_counts_its_writes(store_target, monkeypatch):
    """A store of version 23 or later (it has its write version) migrated by a newer OrderBridge: the migrating
    connection's COMMIT and its later writes bump the version as any connection's do. Before, only a store opened at
    LATEST (or given its write version by the migration) counted them, so a table kept at a version could be taken
    after that connection wrote (found by session 64's rechistory helper)."""
    from connectors import state_migrations
    from connectors.state_migrations import LATEST, WRITE_VERSIONS

    assert LATEST - 1 >= WRITE_VERSIONS
    target = store_target()
    store = StateStore(target)
    store.start_run("r1", AT)
    with store.transaction():  # the store one version back (its last step made a no-op below: nothing to undo)
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(LATEST - 1),))
    before = store.write_version()
    store.close()
    monkeypatch.setitem(state_migrations.MIGRATIONS, LATEST - 1, lambda s: None)
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST
        migrated = store.write_version()
        assert migrated == before + 1  # the migration's COMMIT is a write
        store.finish_run("r1", AT, {}, status="finished")
        assert store.write_version() == migrated + 1
    finally:
        store.close()
