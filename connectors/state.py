"""State store: files seen (by content hash), control numbers, documents, orders and their history.

SQLite by default (one file per workspace). Control numbers are taken and the documents that
carry them are stored, content included, in one transaction: a crash before the commit leaves
nothing used; a crash after it leaves a pending document that the next run delivers as is. So a
number is never used for two different documents, and a document is never built twice.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from schemas.errors import OrderBridgeError, StateError, TransientError

# --- the edge: sqlite3 and OS errors as ours -------------------------------------------------------------
_RETRYABLE = {sqlite3.SQLITE_BUSY: "the state store is locked by another process",
              sqlite3.SQLITE_LOCKED: "the state store is locked by another process"}
_PERMANENT = {
    sqlite3.SQLITE_READONLY: "the state store is read-only (the workspace is not writable)",
    sqlite3.SQLITE_PERM: "the state store is read-only (the workspace is not writable)",
    sqlite3.SQLITE_CANTOPEN: "the state store cannot be opened (missing folder, no permission, or a read-only "
                             "workspace)",
    sqlite3.SQLITE_FULL: "the disk holding the state store is full",
    sqlite3.SQLITE_IOERR: "the disk holding the state store reports an I/O error (full, failing or removed)",
    sqlite3.SQLITE_CORRUPT: "the state store is damaged (truncated or corrupt): restore it from a backup",
    sqlite3.SQLITE_NOTADB: "the state store is not a database (truncated or overwritten): restore it from a backup",
}


def state_error(exc: BaseException, path: str) -> OrderBridgeError:
    """A sqlite3 or OS error met at the state store as our error: a busy or locked database is
    transient (retried); anything else - read-only workspace, full disk, I/O error, damaged file,
    cannot open - is terminal: one clear error, never retried."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in _RETRYABLE:
        return TransientError(_RETRYABLE[primary], path=path)
    if primary in _PERMANENT:
        return StateError(_PERMANENT[primary], path=path, sqlite=getattr(exc, "sqlite_errorname", ""))
    if isinstance(exc, OSError):
        return StateError(f"the state store's folder cannot be used: {exc.strerror or exc}", path=path)
    return StateError(f"the state store failed: {exc}", path=path)


@contextmanager
def _edge(path: str) -> Iterator[None]:
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise state_error(exc, path) from exc

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    partner TEXT NOT NULL, sha256 TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL,
    received_at TEXT NOT NULL, status TEXT NOT NULL, archive_path TEXT, run_id TEXT,
    error_count INTEGER DEFAULT 0, PRIMARY KEY (partner, sha256));
CREATE TABLE IF NOT EXISTS control_numbers (
    partner TEXT NOT NULL, kind TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (partner, kind));
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner TEXT NOT NULL, doc_type TEXT NOT NULL,
    doc_key TEXT NOT NULL, file_name TEXT NOT NULL, isa13 TEXT, gs06 TEXT, st02 TEXT,
    content BLOB NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, delivered_at TEXT,
    source_sha256 TEXT, po_number TEXT, run_id TEXT, UNIQUE (partner, doc_key));
CREATE TABLE IF NOT EXISTS interchanges_in (
    partner TEXT NOT NULL, sender TEXT NOT NULL, isa13 TEXT NOT NULL, sha256 TEXT NOT NULL,
    PRIMARY KEY (partner, sender, isa13));
CREATE TABLE IF NOT EXISTS orders (
    partner TEXT NOT NULL, po_number TEXT NOT NULL, state TEXT NOT NULL, source_file TEXT,
    source_sha256 TEXT, isa13 TEXT, gs06 TEXT, st02 TEXT, received_at TEXT, updated_at TEXT,
    detail TEXT, PRIMARY KEY (partner, po_number));
CREATE TABLE IF NOT EXISTS order_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner TEXT NOT NULL, po_number TEXT NOT NULL,
    at TEXT NOT NULL, event TEXT NOT NULL, actor TEXT NOT NULL, note TEXT);
CREATE TABLE IF NOT EXISTS line_status (
    partner TEXT NOT NULL, po_number TEXT NOT NULL, line_number INTEGER NOT NULL, line_id TEXT,
    ack TEXT NOT NULL, ordered TEXT, allocated INTEGER, backordered INTEGER, rejected INTEGER,
    promised_date TEXT, warehouses TEXT, reason TEXT, codes TEXT, run_id TEXT,
    PRIMARY KEY (partner, po_number, line_number));
CREATE TABLE IF NOT EXISTS reservations (
    partner TEXT NOT NULL, po_number TEXT NOT NULL, line_number INTEGER NOT NULL, warehouse TEXT NOT NULL,
    sku TEXT NOT NULL, quantity INTEGER NOT NULL, run_id TEXT,
    PRIMARY KEY (partner, po_number, line_number, warehouse));
CREATE TABLE IF NOT EXISTS pending_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner TEXT NOT NULL, po_number TEXT NOT NULL,
    change_ref TEXT NOT NULL, store_key TEXT NOT NULL, source_file TEXT, received_at TEXT NOT NULL,
    status TEXT NOT NULL, UNIQUE (partner, store_key, change_ref));
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, summary TEXT);
"""

MAX_CONTROL = {"ISA": 999_999_999, "GS": 999_999_999, "ST": 999_999_999}


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: int
    partner: str
    doc_type: str
    doc_key: str
    file_name: str
    isa13: str
    gs06: str
    st02: str
    content: bytes
    status: str
    source_sha256: str
    po_number: str


class StateStore:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        with _edge(self.path):
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.executescript(SCHEMA)
            except BaseException:
                self._db.close()
                raise
        self._depth = 0

    def close(self) -> None:
        self._db.close()

    def check(self) -> None:
        """Before a run: the whole store reads back (PRAGMA quick_check) and a write transaction can
        start; else StateError at once, before anything is done."""
        with self._lock, _edge(self.path):
            verdict = self._db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if verdict != "ok":
                raise StateError(_PERMANENT[sqlite3.SQLITE_CORRUPT], path=self.path, detail=verdict)
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT; nested calls join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with _edge(self.path):
                self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
                with _edge(self.path):
                    self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # SQLite rolls back itself after some failures (e.g. disk full)
                    with _edge(self.path):
                        self._db.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0

    def _q(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock, _edge(self.path):
            return self._db.execute(sql, args).fetchall()

    # --- files ------------------------------------------------------------------------------
    def file_status(self, partner: str, sha256: str) -> str | None:
        rows = self._q("SELECT status FROM files WHERE partner=? AND sha256=?", (partner, sha256))
        return rows[0][0] if rows else None

    def record_file(self, partner: str, sha256: str, name: str, size: int, at: str, status: str,
                    archive_path: str = "", run_id: str = "", error_count: int = 0) -> None:
        self._q("INSERT INTO files (partner, sha256, name, size, received_at, status, archive_path, run_id,"
                " error_count) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (partner, sha256) DO UPDATE SET"
                " status=excluded.status, error_count=excluded.error_count",
                (partner, sha256, name, size, at, status, archive_path, run_id, error_count))

    def files(self, partner: str | None = None) -> list[dict]:
        sql = "SELECT partner, sha256, name, size, received_at, status, archive_path, error_count FROM files"
        rows = self._q(sql + (" WHERE partner=?" if partner else "") + " ORDER BY received_at, name",
                       (partner,) if partner else ())
        keys = ("partner", "sha256", "name", "size", "received_at", "status", "archive_path", "error_count")
        return [dict(zip(keys, r, strict=False)) for r in rows]

    # --- inbound interchange control numbers (duplicate detection across files) -------------
    def interchanges(self, partner: str) -> set[tuple[str, str]]:
        return {(s, n) for s, n in self._q("SELECT sender, isa13 FROM interchanges_in WHERE partner=?", (partner,))}

    def record_interchange(self, partner: str, sender: str, isa13: str, sha256: str) -> None:
        self._q("INSERT OR IGNORE INTO interchanges_in VALUES (?,?,?,?)", (partner, sender, isa13, sha256))

    # --- outbound control numbers -------------------------------------------------------------
    def take_numbers(self, partner: str, kind: str, count: int = 1) -> list[int]:
        """Reserve ``count`` consecutive control numbers; call inside transaction()."""
        if count <= 0:
            return []
        with self.transaction():
            rows = self._q("SELECT last FROM control_numbers WHERE partner=? AND kind=?", (partner, kind))
            last = rows[0][0] if rows else 0
            new_last = last + count
            if new_last > MAX_CONTROL.get(kind, 999_999_999):
                raise StateError("control numbers exhausted", partner=partner, kind=kind)
            self._q("INSERT INTO control_numbers VALUES (?,?,?) ON CONFLICT (partner, kind) DO UPDATE"
                    " SET last=excluded.last", (partner, kind, new_last))
        return list(range(last + 1, new_last + 1))

    def last_number(self, partner: str, kind: str) -> int:
        rows = self._q("SELECT last FROM control_numbers WHERE partner=? AND kind=?", (partner, kind))
        return rows[0][0] if rows else 0

    def numbers_used(self) -> dict[tuple[str, str], int]:
        return {(p, k): v for p, k, v in self._q("SELECT partner, kind, last FROM control_numbers")}

    # --- documents ----------------------------------------------------------------------------
    def document_exists(self, partner: str, doc_key: str) -> bool:
        return bool(self._q("SELECT 1 FROM documents WHERE partner=? AND doc_key=?", (partner, doc_key)))

    def add_document(self, *, partner: str, doc_type: str, doc_key: str, file_name: str, content: bytes,
                     at: str, isa13: str = "", gs06: str = "", st02: str = "", source_sha256: str = "",
                     po_number: str = "", run_id: str = "", status: str = "pending") -> int:
        """A document to deliver ("pending"), or one "held" unrendered (``content``: what is needed to
        render it later, no control numbers taken) until `release_document`."""
        with self.transaction(), _edge(self.path):
            cur = self._db.execute(
                "INSERT INTO documents (partner, doc_type, doc_key, file_name, isa13, gs06, st02, content,"
                " status, created_at, source_sha256, po_number, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (partner, doc_type, doc_key, file_name, isa13, gs06, st02, content, status, at,
                 source_sha256, po_number, run_id))
            return int(cur.lastrowid)

    def held_documents(self, partner: str) -> list[StoredDocument]:
        return self._docs("partner=? AND status='held'", (partner,))

    def release_document(self, doc_id: int, *, file_name: str, content: bytes, isa13: str, gs06: str,
                         st02: str) -> None:
        """A held document, now numbered and rendered, becomes pending (call inside transaction())."""
        self._q("UPDATE documents SET status='pending', file_name=?, content=?, isa13=?, gs06=?, st02=?"
                " WHERE id=? AND status='held'", (file_name, content, isa13, gs06, st02, doc_id))

    def _docs(self, where: str, args: tuple) -> list[StoredDocument]:
        rows = self._q("SELECT id, partner, doc_type, doc_key, file_name, isa13, gs06, st02, content, status,"
                       " source_sha256, po_number FROM documents WHERE " + where + " ORDER BY id", args)
        return [StoredDocument(*r[:8], bytes(r[8]), *r[9:]) for r in rows]

    def pending_documents(self, partner: str) -> list[StoredDocument]:
        return self._docs("partner=? AND status='pending'", (partner,))

    def documents(self, partner: str | None = None) -> list[StoredDocument]:
        return self._docs("partner=?", (partner,)) if partner else self._docs("1=1", ())

    def mark_delivered(self, doc_id: int, at: str) -> None:
        self._q("UPDATE documents SET status='delivered', delivered_at=? WHERE id=?", (at, doc_id))

    # --- orders -------------------------------------------------------------------------------
    def order(self, partner: str, po_number: str) -> dict | None:
        rows = self._q("SELECT partner, po_number, state, source_file, source_sha256, isa13, gs06, st02,"
                       " received_at, updated_at, detail FROM orders WHERE partner=? AND po_number=?",
                       (partner, po_number))
        if not rows:
            return None
        keys = ("partner", "po_number", "state", "source_file", "source_sha256", "isa13", "gs06", "st02",
                "received_at", "updated_at", "detail")
        out = dict(zip(keys, rows[0], strict=False))
        out["detail"] = json.loads(out["detail"] or "{}")
        return out

    def orders(self, partner: str | None = None, state: str | None = None) -> list[dict]:
        sql, args = "SELECT partner, po_number FROM orders WHERE 1=1", []
        if partner:
            sql, args = sql + " AND partner=?", [*args, partner]
        if state:
            sql, args = sql + " AND state=?", [*args, state]
        return [self.order(p, po) for p, po in self._q(sql + " ORDER BY partner, po_number", tuple(args))]

    def upsert_order(self, partner: str, po_number: str, state: str, at: str, *, source_file: str = "",
                     source_sha256: str = "", isa13: str = "", gs06: str = "", st02: str = "",
                     detail: dict | None = None, actor: str = "system", note: str = "") -> None:
        with self.transaction():
            existing = self.order(partner, po_number)
            if existing is None:
                self._q("INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        (partner, po_number, state, source_file, source_sha256, isa13, gs06, st02, at, at,
                         json.dumps(detail or {}, sort_keys=True)))
            else:
                merged = {**existing["detail"], **(detail or {})}
                self._q("UPDATE orders SET state=?, updated_at=?, detail=? WHERE partner=? AND po_number=?",
                        (state, at, json.dumps(merged, sort_keys=True), partner, po_number))
            self._q("INSERT INTO order_events (partner, po_number, at, event, actor, note) VALUES (?,?,?,?,?,?)",
                    (partner, po_number, at, state, actor, note))

    def order_history(self, partner: str, po_number: str) -> list[dict]:
        rows = self._q("SELECT at, event, actor, note FROM order_events WHERE partner=? AND po_number=?"
                       " ORDER BY id", (partner, po_number))
        return [dict(zip(("at", "event", "actor", "note"), r, strict=False)) for r in rows]

    # --- line statuses and reservations -------------------------------------------------------
    def replace_line_status(self, partner: str, po_number: str, rows: list[dict], run_id: str) -> None:
        with self.transaction():
            self._q("DELETE FROM line_status WHERE partner=? AND po_number=?", (partner, po_number))
            for r in rows:
                self._q("INSERT INTO line_status VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (partner, po_number, r["line_number"], r.get("line_id"), r["ack"], r.get("ordered"),
                         r.get("allocated"), r.get("backordered"), r.get("rejected"), r.get("promised_date"),
                         r.get("warehouses"), r.get("reason"), r.get("codes"), run_id))

    def line_status(self, partner: str, po_number: str) -> list[dict]:
        cols = ("line_number", "line_id", "ack", "ordered", "allocated", "backordered", "rejected",
                "promised_date", "warehouses", "reason", "codes", "run_id")
        rows = self._q(f"SELECT {', '.join(cols)} FROM line_status WHERE partner=? AND po_number=?"
                       " ORDER BY line_number", (partner, po_number))
        return [dict(zip(cols, r, strict=False)) for r in rows]

    def replace_reservations(self, partner: str, po_number: str, rows: list[dict], run_id: str) -> None:
        with self.transaction():
            self._q("DELETE FROM reservations WHERE partner=? AND po_number=?", (partner, po_number))
            for r in rows:
                self._q("INSERT INTO reservations VALUES (?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET"
                        " quantity = quantity + excluded.quantity",
                        (partner, po_number, r["line_number"], r["warehouse"], r["sku"], int(r["quantity"]),
                         run_id))

    def reservations(self) -> list[dict]:
        """Units we have promised and not yet released, summed by warehouse and SKU."""
        rows = self._q("SELECT warehouse, sku, SUM(quantity) FROM reservations GROUP BY warehouse, sku"
                       " ORDER BY warehouse, sku")
        return [{"warehouse": w, "sku": s, "quantity": int(q)} for w, s, q in rows]

    def order_reservations(self, partner: str, po_number: str) -> list[dict]:
        rows = self._q("SELECT line_number, warehouse, sku, quantity FROM reservations WHERE partner=? AND"
                       " po_number=? ORDER BY line_number, warehouse", (partner, po_number))
        return [dict(zip(("line_number", "warehouse", "sku", "quantity"), r, strict=False)) for r in rows]

    # --- 860 change orders waiting to be applied ---------------------------------------------
    def add_change(self, partner: str, po_number: str, change_ref: str, store_key: str, source_file: str,
                   at: str) -> None:
        self._q("INSERT OR IGNORE INTO pending_changes (partner, po_number, change_ref, store_key, source_file,"
                " received_at, status) VALUES (?,?,?,?,?,?,'pending')",
                (partner, po_number, change_ref, store_key, source_file, at))

    def pending_changes(self) -> list[dict]:
        cols = ("id", "partner", "po_number", "change_ref", "store_key", "source_file", "received_at")
        rows = self._q(f"SELECT {', '.join(cols)} FROM pending_changes WHERE status='pending' ORDER BY id")
        return [dict(zip(cols, r, strict=False)) for r in rows]

    def finish_change(self, change_id: int, status: str) -> None:
        self._q("UPDATE pending_changes SET status=? WHERE id=?", (status, change_id))

    # --- runs ---------------------------------------------------------------------------------
    def start_run(self, run_id: str, at: str) -> None:
        self._q("INSERT OR REPLACE INTO runs (run_id, started_at) VALUES (?,?)", (run_id, at))

    def runs(self) -> list[dict]:
        rows = self._q("SELECT run_id, started_at, finished_at, summary FROM runs ORDER BY started_at, run_id")
        return [{"run_id": r, "started_at": s, "finished_at": f, "summary": json.loads(x or "{}")}
                for r, s, f, x in rows]

    def finish_run(self, run_id: str, at: str, summary: dict) -> None:
        self._q("UPDATE runs SET finished_at=?, summary=? WHERE run_id=?",
                (at, json.dumps(summary, sort_keys=True, default=str), run_id))
