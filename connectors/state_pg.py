"""The state store on PostgreSQL: the connection connectors.state talks to when a workspace's store is
a postgresql:// URL (psycopg 3). Owns what differs from SQLite at the connection: `?` -> `%s` (the
Dialect), what BEGIN IMMEDIATE means here, the database's checks (C collation, UTF8) and psycopg's
errors translated into ours at the edge. Holds no SQL of the store's: that stays in connectors.state.

BEGIN IMMEDIATE on SQLite is "this transaction will write: one writer at a time, readers go on". Here
a write transaction is READ COMMITTED plus a transaction-scoped advisory lock per store (the database
and schema): the read-check-write steps of the store (ids, apply's re-check, a reconciliation) keep
the meaning they have on SQLite, readers are never blocked, and the lock goes with the transaction
(commit, rollback or a dropped connection). Control numbers are in any case taken by one atomic
`UPDATE ... RETURNING`-style upsert, a row lock that holds without the store lock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import psycopg
from psycopg import pq

from connectors.state import Dialect
from schemas.errors import OrderBridgeError, StateError, TransientError

LOCK_TIMEOUT_MS = 30_000  # as SQLite's busy timeout: a writer waits this long, then a transient error
ANALYZE_AFTER = 1_000  # rows copied into a table before its statistics may be refreshed (PgConnection.analyze_grown)
# analyze_grown's statistics target (PostgreSQL's default is 100): a sample of 300 x this many rows. Its ANALYZE is
# there so a table just filled is not planned as empty; 3,000 rows say as much (row counts, each column's few
# common values and distinct count) at a tenth of the cost of 30,000: order_lines at 200,000 lines 0.45-0.95 s of
# the server's time -> 0.05-0.08 s, each time a night's intake or decide grows it
ANALYZE_TARGET = 10

POSTGRES = Dialect(
    name="postgresql", param="%s", blob="BYTEA", insert_rows="INSERT INTO", row_address="",
    begin="BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock("
          "hashtext('orderbridge.state:' || current_database() || '.' || current_schema()))")


def is_postgres(target: object) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def shown(url: str) -> str:
    """The URL as it may be printed: any password replaced by ***."""
    out = re.sub(r"^(postgres(?:ql)?://[^:/@?#]*):[^@/?#]*@", r"\1:***@", url)
    return re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", out)


def has_password(url: str) -> bool:
    """Whether the URL carries a password (in its user part or as a password= parameter)."""
    parts = urlsplit(url)
    return parts.password is not None or any(k.lower() == "password" for k, _ in parse_qsl(parts.query))


# --- the edge: psycopg's errors as ours --------------------------------------------------------------
_TRANSIENT_STATES = {
    "40001": "the state store's database aborted a transaction that clashed with another (serialization failure)",
    "40P01": "the state store's database broke a deadlock between two writers",
    "55P03": "the state store is locked by another process",
    "57P01": "the state store's database server is shutting down",
    "57P02": "the state store's database server is restarting",
    "57P03": "the state store's database server is not accepting connections yet",
    "53300": "the state store's database server has too many connections",
}
_TERMINAL_STATES = {
    "28P01": "the state store's database refused the login (check the user, PGPASSWORD or ~/.pgpass)",
    "28000": "the state store's database refused the login (check the user, PGPASSWORD or ~/.pgpass)",
    "3D000": "the state store's database does not exist: create it (docs/state-store.md, PostgreSQL)",
    "42501": "the state store's database user lacks a privilege it needs (docs/state-store.md, PostgreSQL)",
    "25006": "the state store's database is read-only (a standby, or default_transaction_read_only)",
    "53100": "the disk of the state store's database server is full",
    "3F000": "the schema named in the state store's URL (search_path) does not exist: create it",
}
# connection failures come from libpq without a SQLSTATE: their text says which kind they are
_TRANSIENT_TEXT = re.compile(r"connection refused|could not connect|server closed the connection|connection reset"
                             r"|timeout expired|connection timed out|no route to host|the connection is (closed|lost)"
                             r"|consuming input failed|sending query failed|terminating connection", re.IGNORECASE)
_TERMINAL_TEXT = (
    (re.compile(r"password authentication failed|no password supplied|authentication failed|"
                r"no pg_hba\.conf entry", re.IGNORECASE), "28P01"),
    (re.compile(r'database "[^"]*" does not exist', re.IGNORECASE), "3D000"),
    (re.compile(r'role "[^"]*" does not exist', re.IGNORECASE), "28000"),
)


def pg_error(exc: BaseException, where: str) -> OrderBridgeError:
    """A psycopg error met at the store as ours: a lost or refused connection, a serialization failure,
    a deadlock or a lock wait that timed out is transient (retried); a refused login, a missing database,
    a missing privilege, a read-only or full server and anything else is terminal, said once."""
    state = getattr(exc, "sqlstate", None) or ""
    text = str(exc).strip()
    if state in _TRANSIENT_STATES or state.startswith("08"):
        return TransientError(_TRANSIENT_STATES.get(state, "the connection to the state store's database failed"),
                              path=where, sqlstate=state, detail=text)
    if state in _TERMINAL_STATES:
        return StateError(_TERMINAL_STATES[state], path=where, sqlstate=state, detail=text)
    for pattern, code in _TERMINAL_TEXT:
        if pattern.search(text):
            return StateError(_TERMINAL_STATES[code], path=where, detail=text)
    if isinstance(exc, psycopg.OperationalError) and _TRANSIENT_TEXT.search(text):
        return TransientError("the connection to the state store's database failed", path=where, detail=text)
    if isinstance(exc, psycopg.errors.QueryCanceled) and "lock timeout" in text.lower():
        return TransientError(_TRANSIENT_STATES["55P03"], path=where, sqlstate=state)
    return StateError(f"the state store failed: {text}", path=where, sqlstate=state)


@contextmanager
def _edge(where: str) -> Iterator[None]:
    try:
        yield
    except psycopg.Error as exc:
        raise pg_error(exc, where) from exc


class _Rows:
    """A finished statement as sqlite3's cursor shows it to the store: rows (none for a write) and the
    number of rows changed."""

    __slots__ = ("_cur", "rowcount", "_where")

    def __init__(self, cur: psycopg.Cursor, where: str) -> None:
        self._cur, self.rowcount, self._where = cur, cur.rowcount, where

    def fetchall(self) -> list[tuple]:
        if self._cur.description is None:
            return []
        with _edge(self._where):
            return self._cur.fetchall()

    def fetchone(self) -> tuple | None:
        if self._cur.description is None:
            return None
        with _edge(self._where):
            return self._cur.fetchone()

    def fetchmany(self, size: int) -> list[tuple]:
        if self._cur.description is None:
            return []
        with _edge(self._where):
            return self._cur.fetchmany(size)


class PgConnection:
    """What connectors.state asks of its connection (execute, executemany, in_transaction, close), on
    psycopg in autocommit mode: the store opens and ends its transactions itself, as on SQLite."""

    def __init__(self, url: str) -> None:
        self.shown = shown(url)
        self._copied: dict[str, int] = {}  # rows copied into each table since its last ANALYZE here (committed)
        self._copying: dict[str, int] = {}  # ... by the transaction under way
        with _edge(self.shown):
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        try:
            with _edge(self.shown):
                self._conn.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
                encoding = self._conn.execute("SHOW server_encoding").fetchone()[0]
                # SQLite compares text byte by byte: so must the database, or ORDER BY and PO ranges differ
                bytewise = self._conn.execute("SELECT 'B' < 'a' AND 'Z' < '_' AND 'a' < 'b'").fetchone()[0]
            if encoding.upper() not in ("UTF8", "UTF-8"):
                raise StateError("the state store's database must be UTF8 (CREATE DATABASE ... ENCODING 'UTF8'"
                                 " LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0)", path=self.shown,
                                 encoding=encoding)
            if not bytewise:
                raise StateError("the state store's database must compare text byte by byte, as SQLite does: create"
                                 " it with LC_COLLATE 'C' (CREATE DATABASE ... LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE"
                                 " template0; docs/state-store.md)", path=self.shown)
        except BaseException:
            self._conn.close()
            raise

    @property
    def in_transaction(self) -> bool:
        return self._conn.info.transaction_status != pq.TransactionStatus.IDLE

    def execute(self, sql: str, args: Sequence[Any] | None = None) -> _Rows:
        was_idle = not self.in_transaction
        if sql in ("COMMIT", "ROLLBACK"):
            copied, self._copying = self._copying, {}
        with _edge(self.shown):
            cur = self._conn.cursor()
            try:
                cur.execute(sql, None if args is None else tuple(args))
            except psycopg.Error:
                # a BEGIN whose lock wait failed leaves no transaction behind, as on SQLite
                if was_idle and not self._conn.closed and self.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            rows = _Rows(cur, self.shown)
        if sql == "COMMIT" and copied:
            for table, n in copied.items():
                self._copied[table] = self._copied.get(table, 0) + n
            self.analyze_grown()
        return rows

    def analyze_grown(self) -> None:
        """ANALYZE every table this connection copied ANALYZE_AFTER rows or more into (committed) since it
        last did, and more rows than the table held at its last ANALYZE (pg_class.reltuples): what
        autovacuum would do, but it looks only once a minute, and the next stage of a night plans its
        joins meanwhile on the statistics of a table that was empty (seen: the reconcile stage's join of
        5,000 invoices with their documents, 27 s instead of 0.03). Statistics only: when it cannot run
        (a lock, a lost connection), it is left to autovacuum and the next statement says what is wrong."""
        due = [t for t, n in self._copied.items() if n >= ANALYZE_AFTER]
        if not due:
            return
        try:
            with _edge(self.shown):
                held: dict[str, float] = dict(self._conn.execute(
                    "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s::text[]) AND relkind = 'r'"
                    " AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())",
                    (due,)).fetchall())
                grown = sorted(t for t in due if self._copied[t] > max(held.get(t, 0), 0))
                if grown:  # one implicit transaction: the target is back to the server's once it ends
                    self._conn.execute(f"SET LOCAL default_statistics_target = {ANALYZE_TARGET};"
                                       f" ANALYZE {', '.join(grown)}")
        except OrderBridgeError:
            return
        for table in grown:
            del self._copied[table]

    def executemany(self, sql: str, rows) -> _Rows:
        rows = [tuple(r) for r in rows]
        with _edge(self.shown):
            cur = self._conn.cursor()
            if rows:
                cur.executemany(sql, rows)
                return _Rows(cur, self.shown)
        empty = _Rows(cur, self.shown)
        empty.rowcount = 0
        return empty

    def copy_in(self, table: str, sql: str, data: bytes | Iterable[Sequence[Any]], *, new: bool = False) -> int:
        """COPY ... FROM STDIN of ``data`` into ``table``: a block in the statement's format (CSV from
        Arrow), or rows written one by one (psycopg's text format: bytes as bytea, None as NULL). The rows
        copied; with ``new``, 0 when a row's key is stored already (nothing copied, the transaction goes
        on). Counted for analyze_grown once committed."""
        with _edge(self.shown):
            cur = self._conn.cursor()
            if new:
                cur.execute("SAVEPOINT copy_new")
            try:
                with cur.copy(sql) as copy:
                    if isinstance(data, bytes | bytearray | memoryview):
                        copy.write(data)
                    else:
                        for row in data:
                            copy.write_row(row)
            except psycopg.errors.UniqueViolation:
                if not new:
                    raise
                cur.execute("ROLLBACK TO SAVEPOINT copy_new")
                return 0
            copied = cur.rowcount
            if new:
                cur.execute("RELEASE SAVEPOINT copy_new")
        if self.in_transaction:
            self._copying[table] = self._copying.get(table, 0) + max(copied, 0)
        else:
            self._copied[table] = self._copied.get(table, 0) + max(copied, 0)
        return copied

    def copy_out(self, sql: str, args: Sequence[Any] = ()) -> bytes:
        """The bytes of COPY (SELECT ...) TO STDOUT (its parameters merged by psycopg)."""
        out = bytearray()
        with _edge(self.shown):
            cur = self._conn.cursor()
            with cur.copy(sql, tuple(args)) as copy:
                for block in copy:
                    out += block
        return bytes(out)

    def close(self) -> None:
        self._conn.close()


def connect(url: str) -> PgConnection:
    return PgConnection(url)
