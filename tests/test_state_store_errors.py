"""A state store that cannot be used is a terminal error, said once, at once: a read-only workspace,
a full disk, a truncated or foreign file give StateError (never retried) with a clear message, and
`orderbridge run` stops before doing anything with exit status 4. Only a busy/locked database is
transient (retried). SQLite's own (its result codes, its file): PostgreSQL's errors at the edge are in
tests/test_state_store_pg.py."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from prefect.states import Failed
from typer.testing import CliRunner

from connectors.local import LocalDrop
from connectors.state import StateStore, state_error
from engine.lifecycle.table import create
from flows.cli import app
from flows.nightly import _retry_transient
from schemas.errors import StateError, StorageError, TransientError
from schemas.lifecycle import OrderRecord, OrderState, Plan
from tests.support import SAMPLES, seed_demo_data


def _new_orders(prefix: str, count: int, pad: str, at: str) -> Plan:
    """``count`` new orders whose hold reasons carry ``pad`` (they make the store grow)."""
    return Plan(transitions=tuple(create(OrderRecord("acme", f"{prefix}-{k}", OrderState.RECEIVED, hold_reasons=(pad,)),
                                         at=at, run_id="r") for k in range(count)))


def _store_with_history(path: Path) -> Path:
    store = StateStore(path)
    store.apply(_new_orders("PO", 300, "x" * 200, "2026-11-27T02:00:00"), run_id="r")
    store.take_numbers("acme", "ISA", 5)
    store.close()
    return path


def _truncate_half(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.truncate(path, path.stat().st_size // 2)


@contextmanager
def read_only(folder: Path):
    """``folder`` read-only for this process: permission bits when we are not root, else a read-only
    bind mount (root ignores permission bits); skipped where neither is possible."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for p in modes:
            p.chmod(modes[p] & ~0o222)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    bind = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip("cannot make a read-only folder here (root without mount)")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True).returncode:
            pytest.skip("cannot remount read-only here")
        yield
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def test_a_read_only_workspace_is_a_terminal_error(tmp_path):
    path = _store_with_history(tmp_path / "state" / "orderbridge.sqlite")
    with read_only(tmp_path / "state"), pytest.raises(StateError, match="read-only|cannot be opened") as info:
        StateStore(path).take_numbers("acme", "ISA", 1)
    assert not info.value.transient
    assert StateStore(path).last_number("acme", "ISA") == 5  # nothing was lost


def test_a_full_disk_is_a_terminal_error(tmp_path):
    store = StateStore(_store_with_history(tmp_path / "orderbridge.sqlite"))
    pages = store._q("PRAGMA page_count")[0][0]
    store._q(f"PRAGMA max_page_count = {pages}")  # SQLite answers SQLITE_FULL, as on a full disk
    with pytest.raises(StateError, match="disk .* is full") as info:
        for k in range(200):
            store.apply(_new_orders(f"NEW-{k}", 1, "y" * 500, "2026-11-28T02:00:00"), run_id="r2")
    assert not info.value.transient and "SQLITE_FULL" in str(info.value)
    assert _retry_transient(None, None, Failed(data=info.value)) is False  # the flow does not retry it


@pytest.mark.parametrize("damage", ["truncated", "not a database", "a folder"])
def test_a_damaged_state_store_is_a_terminal_error(tmp_path, damage):
    path = _store_with_history(tmp_path / "orderbridge.sqlite")
    if damage == "truncated":
        _truncate_half(path)
    elif damage == "not a database":
        path.write_bytes(b"these are not the pages you are looking for" * 100)
    else:
        path.unlink()
        path.mkdir()
    with pytest.raises(StateError) as info:
        store = StateStore(path)
        store.check()
        store.orders()
    assert not info.value.transient


def test_only_a_locked_store_is_transient(tmp_path):
    path = _store_with_history(tmp_path / "orderbridge.sqlite")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as busy:
        other.execute("BEGIN IMMEDIATE")
    holder.execute("ROLLBACK")
    assert isinstance(state_error(busy.value, str(path)), TransientError)
    assert isinstance(state_error(OSError(errno.EROFS, "Read-only file system"), str(path)), StateError)


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    seed_demo_data(ws)  # profiles, reference data and inventory: a workspace ready to run
    inbox = ws / "drop" / "acme" / "inbox"
    inbox.mkdir(parents=True)
    shutil.copy2(SAMPLES / "acme" / "acme-po-01.x12", inbox)
    _store_with_history(ws / "state" / "orderbridge.sqlite")
    return ws


def test_run_stops_at_once_with_exit_status_4_on_a_damaged_store(tmp_path):
    ws = _workspace(tmp_path)
    _truncate_half(ws / "state" / "orderbridge.sqlite")
    res = CliRunner().invoke(app, ["run", "-w", str(ws), "--now", "2026-11-27T02:00:00"])
    assert res.exit_code == 4, res.output
    assert "state store is damaged" in res.stderr and "Nothing was done" in res.stderr
    assert "Traceback" not in res.output
    assert [p.name for p in (ws / "drop" / "acme" / "inbox").iterdir()] == ["acme-po-01.x12"]
    assert not (ws / "reports").exists() or list((ws / "reports").iterdir()) == []


def test_run_stops_at_once_on_a_read_only_workspace(tmp_path):
    ws = _workspace(tmp_path)
    with read_only(ws):
        res = CliRunner().invoke(app, ["run", "-w", str(ws), "--now", "2026-11-27T02:00:00"])
    assert res.exit_code == 4, res.output
    assert "the workspace cannot be used" in res.stderr


def test_a_drop_folder_that_cannot_be_written_is_terminal(tmp_path, monkeypatch):
    drop = LocalDrop(tmp_path)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageError) as info:
        drop.write("archive", "a.x12", b"data")
    assert not info.value.transient
    assert [p.name for p in (tmp_path / "archive").iterdir()] == []  # no temporary file left behind
