"""A SQLite store's bulk reads straight into Arrow: ADBC's SQLite driver on a second, read-only
connection to the store's file, so a read of a night's order lines builds no Python value per cell
(the sqlite3 module costs ~0.35 us per value). Owns that connection and the shape of its result;
holds no SQL of the store's and decides nothing: connectors.state and connectors.finance_store ask it
and read rows through their own connection when it answers None (no driver, PostgreSQL, a store in
memory, a transaction of theirs open: its writes are not visible to another connection; a read the
driver fails).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

# Rows per batch. The driver infers each column's type from the first batch and reads the later ones as
# those types: a night's read (up to ~200,000 lines) is one batch, so a column NULL for its first
# thousand rows is still read as the text it holds. Bounded: at every read the driver reserves BATCH_ROWS
# x 8 bytes per column, twice more for a text column, kept while the table lives (2**30 rows took 8 GiB
# of address space a column: a host with strict overcommit or little memory crashed in the driver). A
# bigger result comes in several batches; where a later one holds a value the first's types do not take
# (a column NULL or integer throughout the first batch, text or reals later) the driver fails that read
# and the store's own connection reads it (Reader.read).
BATCH_ROWS = 2**18
BUSY_MS = 30_000  # as the store's own connection (connectors.state)
# (s52: PRAGMA mmap_size = 1 GiB or cache_size = 256 MiB on this connection changed nothing: a night's 200,000 order
# lines x 12 columns read in 0.43-0.48 s CPU either way, ~190 ns a value, the driver's own per-value cost)


def available() -> bool:
    try:
        import adbc_driver_sqlite.dbapi  # noqa: F401
    except ImportError:
        return False
    return True


def read(path: str, sql: str, args: Sequence = ()) -> pa.Table | None:
    """The rows of the read-only query ``sql`` (``?`` parameters) on the SQLite file ``path`` as an
    Arrow table (the driver's types: int64, double, string, binary; a column of NULLs only as int64),
    or None when the driver is not installed or fails (the caller's own connection then reads). One
    connection opened and closed for this read: a store reads through its Reader."""
    reader = Reader(path)
    try:
        return reader.read(sql, args)
    finally:
        reader.close()


class Reader:
    """One read-only connection to a SQLite file, opened at the first read and kept until close(). The
    driver links its own copy of SQLite: closing one of its connections drops the locks this process
    holds on the file and its WAL index (POSIX locks belong to the process), and the store's own
    connection then finds the WAL index changed and drops its page cache (PRAGMA data_version moves):
    every page it reads next comes from the file again. A connection kept for the store's life does
    that once."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn = None
        self._failed = False

    def read(self, sql: str, args: Sequence = ()) -> pa.Table | None:
        """``read``'s table, or None: no driver, no file, the driver failed (adbc.Error: the connection is
        closed and this reader reads no more), or this read failed in the driver otherwise (a value of a
        later batch that the first batch's types do not take: the reader reads on). The caller then reads
        the rows through its own connection."""
        if self._failed:
            return None
        try:
            import adbc_driver_sqlite
            import adbc_driver_sqlite.dbapi as adbc
        except ImportError:
            self._failed = True
            return None
        try:
            if not self.open():
                return None
            with self._conn.cursor() as cur:  # closed: no statement holds a read snapshot between reads
                cur.adbc_statement.set_options(
                    **{adbc_driver_sqlite.StatementOptions.BATCH_ROWS.value: str(BATCH_ROWS)})
                if args:
                    cur.execute(sql, list(args))
                else:
                    cur.execute(sql)
                return cur.fetch_arrow_table()
        except adbc.Error:  # whatever it was, the store's own connection reads the rows (and says what is wrong)
            self._failed = True
            self.close()
            return None
        except Exception:  # noqa: BLE001 - this read failed in the driver, its statement closed: a value of a later
            return None  # batch the first's types do not take (OSError "[SQLite] Type mismatch ..."), memory

    def open(self) -> bool:
        """The connection opened if it is not (a read opens it), and the file read once; False if it
        cannot be (no driver, no file, the driver failed before)."""
        if self._conn is not None:
            return True
        if self._failed:
            return False
        try:
            import adbc_driver_sqlite.dbapi as adbc
        except ImportError:
            self._failed = True
            return False
        file = Path(self.path)
        if not file.is_file():
            return False
        try:
            self._conn = adbc.connect(file.resolve().as_uri() + "?mode=ro", autocommit=True)
            with self._conn.cursor() as cur:
                cur.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
                cur.execute("SELECT count(*) FROM sqlite_master")  # a first read: the WAL index mapped now
                cur.fetchall()
        except adbc.Error:
            self._failed = True
            self.close()
            return False
        return True

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - a read-only connection: nothing of the store's is lost
                pass


def typed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table``'s columns (by position) as ``schema``'s types, as the rows read through sqlite3 and
    built with pa.array(values, type) give them: a column of NULLs only typed NULLs, the others cast
    (safely: an integer out of range raises, as pa.array does)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = []
    for col, f in zip(table.columns, schema, strict=True):  # kept in their chunks: no copy
        if col.null_count == len(col):
            arrays.append(pa.nulls(len(col), f.type))
        elif col.type != f.type:
            arrays.append(pc.cast(col, f.type))
        else:
            arrays.append(col)
    return pa.Table.from_arrays(arrays, schema=schema)
