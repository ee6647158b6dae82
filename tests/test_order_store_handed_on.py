"""connectors.order_store.handed_on: inside a night's intake and decide (flows.night), a table written is
kept in memory for its file's first read; that read gives what reading the file gives (schema, metadata,
chunks, values), and only while the file is still the one written; nothing is kept outside it, and all
is let go at its end."""

from __future__ import annotations

import os

import pyarrow as pa

from connectors import order_store
from connectors.order_store import OrderStore, handed_on
from schemas.orders import ORDER_LINES, ORDERS


def _orders(po: str, n: int = 1) -> pa.Table:
    return pa.Table.from_pylist([{"partner": "p", "order_ref": f"r{i}", "po_number": po, "source_file": "f",
                                  "isa13": "1", "gs06": "1", "st02": "1", "line_count": 2} for i in range(n)],
                                schema=ORDERS)


def _lines(po: str, n: int = 3) -> pa.Table:
    rows = [{"partner": "p", "order_ref": "r0", "po_number": po, "line_number": i, "source_file": "f",
             "isa13": "1", "gs06": "1", "st02": "1", "segment_position": i, "file_segment": i,
             "product_ids": [{"qualifier": "VP", "id": f"X{i}"}] if i % 2 else None} for i in range(n)]
    half = len(rows) // 2  # two chunks: a table built in pieces
    return pa.concat_tables([pa.Table.from_pylist(rows[:half], schema=ORDER_LINES),
                             pa.Table.from_pylist(rows[half:], schema=ORDER_LINES)])


def _read(store: OrderStore, key: str) -> tuple[pa.Table, pa.Table]:
    """The pair as the files give it (nothing kept consulted)."""
    kept = dict(order_store._KEPT)
    order_store._KEPT.clear()
    try:
        return store.load("p", key)
    finally:
        order_store._KEPT.update(kept)


def _same(a: pa.Table, b: pa.Table) -> bool:
    return a.equals(b, check_metadata=True) and [c.num_chunks for c in a.columns] == [c.num_chunks for c in b.columns]


def test_a_table_kept_reads_as_its_file_and_is_taken_once(tmp_path):
    store = OrderStore(tmp_path)
    with handed_on():
        store.save("p", "k", _orders("1"), _lines("1"))
        store.save("p", "k", _orders("1b"), _lines("1b", 4), part=1)
        assert len(order_store._KEPT) == 4
        files = _read(store, "k")
        orders, lines = store.load("p", "k")
        assert not order_store._KEPT  # each taken by its first read, not held twice
        assert _same(orders, files[0]) and _same(lines, files[1])
        assert lines["po_number"].to_pylist() == ["1"] * 3 + ["1b"] * 4
        again = store.load("p", "k")  # read from the files
        assert _same(again[0], orders) and _same(again[1], lines)


def test_a_file_written_again_elsewhere_is_read_not_the_table_kept(tmp_path):
    """Another process (or person) replacing the file after it was kept: its new content is what is read."""
    store = OrderStore(tmp_path)
    with handed_on():
        store.save("p", "k", _orders("old"), _lines("old"))
    elsewhere = OrderStore(tmp_path)
    with handed_on():
        store.save("p", "k", _orders("old"), _lines("old"))
        kept = dict(order_store._KEPT)
        order_store._KEPT.clear()  # as a process that keeps nothing writes it
        elsewhere.save("p", "k", _orders("new", 2), _lines("new", 5))
        order_store._KEPT.update(kept)
        orders, lines = store.load("p", "k")
    assert orders["po_number"].to_pylist() == ["new", "new"]
    assert lines["po_number"].to_pylist() == ["new"] * 5


def test_a_file_gone_is_an_error_as_without_the_table_kept(tmp_path):
    import pytest

    from schemas.errors import StateError

    store = OrderStore(tmp_path)
    with handed_on():
        store.save("p", "k", _orders("1"), _lines("1"))
        os.remove(tmp_path / "p" / "k.lines.parquet")
        with pytest.raises(StateError):
            store.load("p", "k")


def test_nothing_is_kept_outside_and_all_is_let_go_at_the_end(tmp_path):
    store = OrderStore(tmp_path)
    store.save("p", "a", _orders("1"), _lines("1"))
    assert not order_store._KEPT
    with handed_on():
        with handed_on():  # (nested: the outer one lets go)
            store.save("p", "b", _orders("2"), _lines("2"))
        assert len(order_store._KEPT) == 2
        store.save("p", "b", _orders("2"), ORDER_LINES.empty_table())  # an empty table: read from its file
        assert list(order_store._KEPT) == [tmp_path / "p" / "b.orders.parquet"]
    assert not order_store._KEPT
    assert store.load("p", "b")[1].num_rows == 0


def test_a_night_decides_from_the_tables_intake_handed_on_and_sends_the_same(tmp_path, monkeypatch):
    """flows.night.run_night: decide reads none of the order files intake wrote that night (it takes them
    from memory), and the night sends what a night reading every file sends."""
    from contextlib import contextmanager
    from datetime import datetime

    from flows import decide as decide_stage
    from flows.night import InProcess, run_night
    from tests.support import make_workspace

    now = datetime(2026, 11, 27, 2, 0).isoformat()
    read_in_decide: list = []
    real_read, real_decide = order_store._read_file, decide_stage._decide_run
    deciding = [False]

    def counted(path, *a, **kw):
        if deciding[0]:
            read_in_decide.append(path)
        return real_read(path, *a, **kw)

    def decide_counted(*a, **kw):
        deciding[0] = True
        try:
            return real_decide(*a, **kw)
        finally:
            deciding[0] = False

    monkeypatch.setattr(order_store, "_read_file", counted)
    monkeypatch.setattr(decide_stage, "_decide_run", decide_counted)
    handed = make_workspace(tmp_path / "handed", partners=("acme",))
    run_night(str(handed.root), stages=InProcess(), now=now, use_gx=False)
    assert not order_store._KEPT  # let go after decide
    assert not [p for p in read_in_decide if p.name.endswith((".orders.parquet", ".lines.parquet"))]

    @contextmanager
    def nothing_kept():
        yield

    monkeypatch.setattr(order_store, "handed_on", nothing_kept)
    read = make_workspace(tmp_path / "read", partners=("acme",))
    run_night(str(read.root), stages=InProcess(), now=now, use_gx=False)
    assert [p for p in read_in_decide if p.name.endswith(".lines.parquet")]  # (this night read them)

    def sent(ws) -> dict:
        return {p.name: p.read_bytes() for p in sorted((ws.drop_root / "acme" / "outbox").iterdir())}

    assert sent(handed) and sent(handed) == sent(read)
