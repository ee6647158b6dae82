"""The store's reads of some orders' rows as Arrow (StateStore._arrow_by_keys: the ship stage's lines and
reservations, the invoice stage's lines) do not read the partner of each row back: it is the chunk's
partner=? parameter, repeated. That holds only if the text compared equal is the text stored: partners
that differ by case, by a trailing space or by a non-ASCII letter are each read as stored, on SQLite
(through ADBC's driver and through the store's own connection) and on PostgreSQL."""

from __future__ import annotations

import pyarrow as pa
import pytest

from connectors.state import CHUNK, StateStore
from flows.reports import RESERVATION_ROWS

PARTNERS = ("acme", "ACME", "acme ", "acmé", "b")


def _filled(store: StateStore) -> list[tuple]:
    rows = [(p, f"PO{n:04d}", line, wh, f"SKU{line}", n * 10 + line, "r1")
            for p in PARTNERS for n in range(CHUNK + 7) for line in (1, 2) for wh in ("east", "west")]
    with store.transaction():
        store._many("INSERT INTO reservations (partner, po_number, line_number, warehouse, sku, quantity, run_id)"
                    " VALUES (?,?,?,?,?,?,?)", rows)
    return rows


def _expected(rows: list[tuple], keys: list[tuple[str, str]]) -> pa.Table:
    """The rows of ``keys`` (sorted) as read with their partner, in _by_keys's order: partners as the
    keys name them, each one's POs (CHUNK a query) by PO, line and warehouse."""
    wanted = sorted((r for r in rows if (r[0], r[1]) in set(keys)), key=lambda r: (r[0], r[1], r[2], r[3]))
    return pa.Table.from_pylist([dict(zip(RESERVATION_ROWS.names, r[:6], strict=True)) for r in wanted],
                                schema=RESERVATION_ROWS)


def _check(store: StateStore, rows: list[tuple]) -> None:
    keys = sorted({(p, f"PO{n:04d}") for p in PARTNERS for n in range(0, CHUNK + 7, 2)} | {("acme", "PO9999")})
    got = store._arrow_by_keys("SELECT partner, po_number, line_number, warehouse, sku, quantity FROM reservations"
                               " WHERE", keys, "ORDER BY partner, po_number, line_number, warehouse", RESERVATION_ROWS)
    want = _expected(rows, keys)
    assert got.schema == want.schema
    assert got.equals(want)
    assert set(got["partner"].to_pylist()) == set(PARTNERS)


def test_each_partner_is_read_as_stored_on_sqlite(tmp_path, monkeypatch):
    store = StateStore(tmp_path / "state.sqlite")
    try:
        rows = _filled(store)
        _check(store, rows)  # straight into Arrow (connectors.arrow_sql)
        monkeypatch.setattr(store, "_arrow_rows", lambda sql, args=(): None)
        _check(store, rows)  # the store's own connection
    finally:
        store.close()


def test_each_partner_is_read_as_stored_on_postgresql(pg_server):
    store = StateStore(pg_server.fresh_url())
    try:
        _check(store, _filled(store))
    finally:
        store.close()


@pytest.mark.parametrize("sql", ["SELECT po_number, partner, line_number, warehouse, sku, quantity FROM reservations"
                                 " WHERE"])
def test_a_read_not_led_by_the_partner_reads_every_column(tmp_path, sql):
    store = StateStore(tmp_path / "state.sqlite")
    try:
        _filled(store)
        schema = pa.schema([RESERVATION_ROWS.field(1), RESERVATION_ROWS.field(0), *list(RESERVATION_ROWS)[2:]])
        got = store._arrow_by_keys(sql, [("ACME", "PO0003")], "ORDER BY line_number, warehouse", schema)
        assert got.column_names == schema.names
        assert got["partner"].to_pylist() == ["ACME"] * 4
        assert got["po_number"].to_pylist() == ["PO0003"] * 4
    finally:
        store.close()
