"""The state store as a file (SQLite): a consistent copy while it is in use (the online backup API),
and what a store file holds, read without creating or migrating it. connectors.state keeps the SQL
portable; what only a SQLite file can do lives here (a PostgreSQL store would use pg_dump and a
query instead). Must not import parsers, rules, engine or flows.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from schemas.errors import StateError


def online_backup(db: sqlite3.Connection, target: Path) -> None:
    """Copy the open database ``db`` to ``target``: written beside it under a temporary name, a whole
    file (no WAL), checked with integrity_check, then renamed into place."""
    tmp = target.with_name(f".{target.name}.partial")
    tmp.unlink(missing_ok=True)
    copy = sqlite3.connect(tmp)
    try:
        db.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        verdict = copy.execute("PRAGMA integrity_check(1)").fetchone()[0]
    finally:
        copy.close()
    if verdict != "ok":
        tmp.unlink(missing_ok=True)
        raise StateError("the backup copy did not pass its integrity check", path=str(target), detail=verdict)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def contents(path: Path | str) -> str:
    """What a store file holds, read without creating or migrating it: "missing" (no file), "empty"
    (no tables, or no run, file, document or control number recorded), else "history". A file that
    is not a readable database counts as history (opening it reports the damage)."""
    p = Path(path)
    if not p.exists():
        return "missing"
    if p.stat().st_size == 0:
        return "empty"
    try:
        db = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            for table in ("runs", "files", "documents", "control_numbers"):
                if table in tables and db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                    return "history"
            return "empty"
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return "history"
