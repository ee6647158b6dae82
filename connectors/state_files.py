"""The state store as a file (SQLite): a consistent copy while it is in use (the online backup API),
and what a store file holds, read without creating or migrating it. connectors.state keeps the SQL
portable; what only a SQLite file can do lives here (a PostgreSQL store would use pg_dump and a
query instead). Must not import parsers, rules, engine or flows.
"""

from __future__ import annotations

import os
import sqlite3
import tomllib
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from schemas.errors import ConfigError, StateError

STATE_URL_ENV = "ORDERBRIDGE_STATE_URL"  # a postgresql:// URL: the state store of the workspace this process runs


def state_target(root: Path | str) -> str:
    """Where a workspace's state store is, as connectors.state.StateStore opens it: ORDERBRIDGE_STATE_URL,
    else workspace.toml's [state] url (a postgresql:// URL without its password: that comes from
    PGPASSWORD or a .pgpass file), else the SQLite file <workspace>/state/orderbridge.sqlite (the
    embedded default). flows.workspace.Workspace.state_url and connectors.lease both ask here."""
    root = Path(root)
    config_path = root / "workspace.toml"
    url = os.environ.get(STATE_URL_ENV, "").strip()
    if not url and config_path.is_file():
        try:
            config = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{config_path} cannot be read: {exc}", path=str(config_path)) from exc
        url = str(config.get("state", {}).get("url", "")).strip()
        if url and _has_password(url):
            raise ConfigError(f"{config_path}: the state store's URL carries a password; a file is no place"
                              " for it: put it in PGPASSWORD or ~/.pgpass (docs/state-store.md)",
                              path=str(config_path))
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(f"the state store's URL must be a postgresql:// URL, not {url.split(':')[0]!r}",
                          path=str(config_path))
    return url or str(root / "state" / "orderbridge.sqlite")


def _has_password(url: str) -> bool:
    parts = urlsplit(url)
    return parts.password is not None or any(k.lower() == "password" for k, _ in parse_qsl(parts.query))


def lease_row(path: Path | str, name: str) -> tuple | None:
    """The lease row ``name`` of a SQLite store file, read without creating or migrating it (None when
    the file, the table or the row is not there)."""
    p = Path(path)
    if not p.is_file() or p.stat().st_size == 0:
        return None
    try:
        db = sqlite3.connect(f"file:{p}?mode=ro", uri=True, timeout=30)
        try:
            if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='leases'").fetchone():
                return None
            from connectors.state import LEASE_COLUMNS

            return db.execute(f"SELECT {', '.join(LEASE_COLUMNS)} FROM leases WHERE name=?", (name,)).fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return None


def release_leases(path: Path | str, at: str) -> int:
    """Mark every lease in the SQLite store file ``path`` released at ``at`` (a restored backup: its
    lease rows name holders of the time it was taken, which hold nothing in the restored workspace; left
    as they were, a run on another machine would wait for them to expire). The number released."""
    db = sqlite3.connect(Path(path), timeout=30)
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='leases'").fetchone():
            return 0
        with db:
            return db.execute("UPDATE leases SET released=1, renewed_at=? WHERE released=0", (at,)).rowcount
    finally:
        db.close()


def write_version_of(path: Path | str) -> int:
    """The write version of the SQLite store file ``path`` (its write_version row, connectors.store_versions),
    read without creating, migrating or writing it; 0 when there is none (no file, an older or damaged store)."""
    file = Path(path)
    if not file.is_file():
        return 0
    try:
        db = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return 0
    try:
        row = db.execute("SELECT version FROM write_version WHERE one = 1").fetchone()
        return int(row[0]) if row else 0
    except (sqlite3.Error, ValueError, TypeError):
        return 0
    finally:
        db.close()


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
