"""The state store's bulk reads (connectors.finance_store _read) on PostgreSQL go through COPY when every
column is text or an integer as stored (times, dates and decimals parsed from their text), and give the
table the rows read through the connection give: empty text and NULL apart, commas, quotes and line
breaks in text, times cut to the second, a decimal column; a spec with bytes is read as rows."""

from __future__ import annotations

import pyarrow as pa

from connectors.finance_store import BIN, DAY, I32, I64, TS, S, _chunked
from connectors.state import StateStore

ROWS = [("a", 1, "2026-11-27T02:00:00.5+00:00", "2026-11-27", "12.50", "plain"),
        ("b", None, "", "", "", ""),  # empty text: NULL for the parsed columns, "" for text
        ("c", 3, None, None, None, None),
        ("d, \"quoted\"\nnext line", -4, "2026-11-28T00:00:09", "2026-12-01", "-0.0001", "x,y")]
SPEC = (("partner", S), ("n", I32), ("at", TS), ("day", DAY), ("amount", pa.decimal128(12, 4)), ("note", S))


def test_a_bulk_read_on_postgresql_through_copy_is_the_rows_read(pg_server):
    store = StateStore(pg_server.fresh_url())
    try:
        store._q("CREATE TABLE t (partner TEXT, n BIGINT, at TEXT, day TEXT, amount TEXT, note TEXT, content BYTEA)")
        store._many("INSERT INTO t (partner, n, at, day, amount, note, content) VALUES (?,?,?,?,?,?,?)",
                    [(*r, b"\x00\x01" if i % 2 else None) for i, r in enumerate(ROWS)])
        sql = "SELECT partner, n, at, day, amount, note FROM t WHERE partner <> ? ORDER BY partner"
        spec = [(n, t) if isinstance(t, str) else (n, S) for n, t in SPEC]
        copied: list[str] = []
        real = store._db.copy_out
        store._db.copy_out = lambda sql, args=(): copied.append(sql) or real(sql, args)
        plain = store._read(sql, spec, ("zz",))
        typed = store._read(sql, pa.schema([(n, {S: pa.string(), I32: pa.int32(), TS: pa.timestamp("s"),
                                                 DAY: pa.date32()}[t] if isinstance(t, str) else t) for n, t in SPEC]),
                            ("zz",))
        assert len(copied) == 2  # both through COPY
        rows_read = _chunked(store._q_chunks(sql, ("zz",)), spec)
        with_bytes = store._read("SELECT partner, content FROM t ORDER BY partner", (("partner", S), ("c", BIN)))
        assert len(copied) == 2  # bytes: read as rows
        one = store._read("SELECT n FROM t WHERE partner = ? ORDER BY n", (("n", I64),), ("a",))
        none = store._read("SELECT n FROM t WHERE partner = ? ORDER BY n", (("n", I64),), ("nobody",))
    finally:
        store.close()
    assert plain.equals(rows_read)
    assert plain.column("partner").to_pylist() == [r[0] for r in ROWS]
    assert plain.column("note").to_pylist() == ["plain", "", None, "x,y"]
    assert typed.column("at").to_pylist()[1:3] == [None, None] and str(typed.column("at")[0]) == "2026-11-27 02:00:00"
    assert [str(v) if v is not None else None for v in typed.column("amount").to_pylist()] == \
        ["12.5000", None, None, "-0.0001"]
    assert with_bytes.column("c").to_pylist() == [None, b"\x00\x01", None, b"\x00\x01"]
    assert one.column("n").to_pylist() == [1] and none.num_rows == 0 and none.schema == one.schema
