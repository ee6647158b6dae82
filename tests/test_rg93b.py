"""What the bad-nights sweep (tests/test_rg93_bad_nights.py) left: a warehouse's local drop whose confirmations
cannot be moved after they are taken (permission denied: a share the DC's account owns), as a partner's inbox
(flows.taking.Mover, shared by flows.intake and flows.shipments); while an inbox refuses moves, no archive copy
written again and no FILE_DUPLICATE reported again night after night; a local drop's `min_age_seconds`, as
SFTP's.

The warehouse's runs go through flows.night.run_shipments in this process, on a copy of night 1's demo workspace
(the warehouses included), east's CSV export split in two files; the partner's through `orderbridge run` as in
tests/test_rg93_bad_nights.py (its helpers).
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import time
from datetime import datetime
from pathlib import Path

import pytest

import connectors.local as local
from flows import night
from flows import shipments as shipping
from flows.workspace import open_workspace
from schemas.profile import LocalDropSettings, SftpSettings
from tests.crash_harness import new_workspace
from tests.support import REPO, run_stages, shipping_workspace, write_settled
from tests.test_rg93_bad_nights import acme as acme_of
from tests.test_rg93_bad_nights import inbox as acme_inbox
from tests.test_rg93_bad_nights import night as night_run
from tests.test_rg93_bad_nights import po850

NIGHT1 = datetime(2026, 11, 27, 2)
EAST_CSV = REPO / "sample_files" / "warehouse-drops" / "east" / "east-shipments-20261127.csv"


@pytest.fixture(scope="module")
def night1(tmp_path_factory):
    ws = shipping_workspace(tmp_path_factory.mktemp("rg93b") / "ws")
    run_stages(ws, NIGHT1)
    return ws.root


@pytest.fixture
def ws(night1, tmp_path):
    shutil.copytree(night1, tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


def east(ws, name: str) -> list[str]:
    where = ws.warehouse_drop_root / "east" / name
    return sorted(p.name for p in where.iterdir()) if where.is_dir() else []


def east_exports(ws) -> None:
    """East's day-1 export as two files: SHP-1001's rows, and the others' (SHP-1002, SHP-1003, SHP-1006)."""
    header, *rows = EAST_CSV.read_text().splitlines(keepends=True)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-a.csv").write_text(header + "".join(r for r in rows if r.startswith("SHP-1001,")))
    (inbox / "east-b.csv").write_text(header + "".join(r for r in rows if not r.startswith("SHP-1001,")))


def refuse_moves_from(monkeypatch, inbox: Path):
    """Moves out of ``inbox`` refused as on a share we may read but not change (EACCES); the real move back."""
    real = local.LocalDrop._place

    def refused(self, src, to, name):
        if Path(src).parent == inbox:
            raise PermissionError(errno.EACCES, "Permission denied", str(src))
        return real(self, src, to, name)

    monkeypatch.setattr(local.LocalDrop, "_place", refused)
    return real


def shipments_run(ws, now: str) -> dict:
    summary = night.run_shipments(str(ws.root), stages=night.InProcess(delays=[]), now=now)
    return {w["warehouse"]: w for w in summary["warehouses"]}["east"]


def rows(ws, sql: str) -> list[tuple]:
    db = sqlite3.connect(ws.root / "state" / "orderbridge.sqlite")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def asns(ws) -> list[str]:
    return sorted(p.name for p in ws.drop_root.glob("*/outbox/*-856-*"))


# --- 1. a warehouse's local drop whose confirmations cannot be moved ------------------------------------------
def test_warehouse_confirmations_that_cannot_be_moved_are_each_recorded_once_and_moved_when_they_can(
        ws, monkeypatch):
    """East's inbox is a share its account owns and ours may read but not change: both confirmations are taken
    and their shipments recorded (856s sent), each left in the inbox with its move owed, and the warehouse fails
    naming the folder to give write permission on and the files. Before: the warehouse failed at the first file's
    move with a bare PermissionError and the second file was never read, night after night. The next
    day, still refused, records nothing again (no 856 twice, no FILE_DUPLICATE) and writes no archive copy again
    (it wrote one under each day's name); once the permission is given the owed moves are made."""
    east_exports(ws)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    real, archived = refuse_moves_from(monkeypatch, inbox), []
    for now in ("2026-11-27T14:30:00", "2026-11-28T14:30:00"):
        result = shipments_run(ws, now)
        assert result["failure"].startswith(
            "StorageError: 2 file(s) were taken and recorded but could not be moved out of the inbox "
            f"(permission denied): give OrderBridge write permission on {inbox} and its processed/ and quarantine/; "
            "the next run moves them and records nothing again"), result["failure"]
        assert "east-a.csv, east-b.csv" in result["failure"]
        archived = archived or east(ws, "archive")  # the first day's copies (one a file): none written again
        assert east(ws, "inbox") == ["east-a.csv", "east-b.csv"]
        assert east(ws, "processed") == east(ws, "quarantine") == []
        assert len(asns(ws)) == 3, asns(ws)  # SHP-1001 and SHP-1003 for ACME, SHP-1002 for Initech: sent once
        assert rows(ws, "SELECT name FROM files WHERE partner = 'warehouse:east' AND disposed_at IS NULL "
                        "ORDER BY name") == [("east-a.csv",), ("east-b.csv",)]
        assert rows(ws, "SELECT COUNT(*) FROM findings WHERE code = 'FILE_DUPLICATE'") == [(0,)]
        assert east(ws, "archive") == archived and len(archived) == 2
    monkeypatch.setattr(local.LocalDrop, "_place", real)
    result = shipments_run(ws, "2026-11-28T20:00:00")
    assert (result["failure"], result["duplicates"], result["shipments"]) == ("", 0, 0)
    assert east(ws, "inbox") == [] and sorted(east(ws, "processed") + east(ws, "quarantine")) == [
        "east-a.csv", "east-b.csv"]
    assert len(asns(ws)) == 3
    assert rows(ws, "SELECT COUNT(*) FROM files WHERE disposed_at IS NULL") == [(0,)]


# --- 2. while an inbox refuses moves: archived once, a duplicate reported once ----------------------------------
@pytest.fixture
def acme_ws(tmp_path):
    ws = new_workspace(tmp_path / "acme-ws", shipping=False)
    (ws / "drop" / "acme" / "inbox").mkdir(parents=True)
    return ws


def acme_folder(ws: Path, name: str) -> list[str]:
    where = ws / "drop" / "acme" / name
    return sorted(p.name for p in where.iterdir()) if where.is_dir() else []


def duplicates(ws: Path) -> list[tuple]:
    """Each FILE_DUPLICATE as stored (run, file, consequence, file_move: the move as data, the consequence as
    recorded, never restated) and its consequence as the store's readers show it: StateStore.findings (the console,
    status) and findings_table (the failures report) alike, rendered from file_move."""
    from connectors.state import StateStore

    db = sqlite3.connect(ws / "state" / "orderbridge.sqlite")
    try:
        stored = db.execute("SELECT id, run_id, file, consequence, file_move FROM findings"
                            " WHERE code = 'FILE_DUPLICATE' ORDER BY id").fetchall()
    finally:
        db.close()
    store = StateStore(ws / "state" / "orderbridge.sqlite")
    try:
        runs = sorted({r[1] for r in stored})
        shown = {f["id"]: f["consequence"] for f in store.findings() if f["code"] == "FILE_DUPLICATE"}
        table = store.findings_table(runs).to_pylist()
        assert shown == {f["id"]: f["consequence"] for f in table if f["code"] == "FILE_DUPLICATE"}
    finally:
        store.close()
    return [(*r[1:], shown[r[0]]) for r in stored]


def test_while_an_inbox_refuses_moves_each_file_is_archived_once_and_a_duplicate_reported_once(acme_ws,
                                                                                                  monkeypatch):
    """An 850 and the same file sent again under another name, in an inbox that refuses moves for two nights: the
    first night archives both and reports the resend's FILE_DUPLICATE once (its consequence says it is left in the
    inbox); the second night writes no archive copy and reports nothing again, and its failure still names both
    files as waiting. Before: each night wrote another dated archive copy of each, and reported the FILE_DUPLICATE
    again. Once the move is permitted both move, the finding says so, and the same resend dropped again later is a
    new duplicate, reported."""
    ws, data = acme_ws, po850("PO-9351", 9351)
    write_settled(acme_inbox(ws) / "a-po.x12", data)
    write_settled(acme_inbox(ws) / "b-po-again.x12", data)
    real = refuse_moves_from(monkeypatch, acme_inbox(ws))
    for now in ("2026-11-27T02:00:00", "2026-11-28T02:00:00"):
        status, out, summary = night_run(ws, now)
        assert status == 3, out
        assert "files='a-po.x12, b-po-again.x12'" in acme_of(summary)["failure"], acme_of(summary)["failure"]
        assert len(acme_folder(ws, "archive")) == 2, acme_folder(ws, "archive")  # the first night's two copies
        assert duplicates(ws) == [("20261127T020000", "b-po-again.x12", "nothing sent again", "refused",
                                   "nothing sent again; left in the inbox: its move was refused (permission denied)")]
        assert acme_folder(ws, "inbox") == ["a-po.x12", "b-po-again.x12"]
    monkeypatch.setattr(local.LocalDrop, "_place", real)
    status, out, summary = night_run(ws, "2026-11-29T02:00:00")
    assert (status, acme_of(summary)["failure"], acme_of(summary)["duplicates"]) == (0, "", 0), out
    assert acme_folder(ws, "inbox") == [] and acme_folder(ws, "processed") == ["a-po.x12", "b-po-again.x12"]
    assert len(acme_folder(ws, "archive")) == 2
    assert duplicates(ws) == [("20261127T020000", "b-po-again.x12", "nothing sent again", "moved",
                               "nothing sent again; moved out of the inbox once permitted")]
    write_settled(acme_inbox(ws) / "b-po-again.x12", data)  # the partner sends it yet again
    status, out, summary = night_run(ws, "2026-11-30T02:00:00")
    assert acme_of(summary)["duplicates"] == 1, out
    assert [r[:2] for r in duplicates(ws)] == [("20261127T020000", "b-po-again.x12"),
                                               ("20261130T020000", "b-po-again.x12")]
    assert duplicates(ws)[1][2:] == ("nothing sent again", None, "nothing sent again")  # moved at once
    assert acme_folder(ws, "processed") == ["a-po.x12", "b-po-again-2.x12", "b-po-again.x12"]


# --- 3. a local drop's minimum age, as SFTP's ----------------------------------------------------------------
def test_a_local_drop_leaves_a_file_younger_than_its_min_age_for_a_later_run(acme_ws, ws):
    """`[drop.local] min_age_seconds` (SFTP's setting, the same default: 0, off): a zero-byte file unchanged across
    the settle time but changed less than that long ago (an upload slow to start) is left in the inbox, not taken
    and quarantined, until it is that old. Before: local drops had no such setting (the profile did not load) and
    the file was quarantined X12_NOT_EDI. A warehouse's local drop takes its profile's the same way."""
    assert LocalDropSettings().min_age_seconds == SftpSettings.model_fields["min_age_seconds"].default == 0.0
    profile = acme_ws / "partners" / "acme.toml"
    text = profile.read_text()
    assert '[drop]\nkind = "local"\n' in text
    profile.write_text(text.replace('[drop]\nkind = "local"\n', '[drop]\nkind = "local"\n\n[drop.local]\n'
                                    "min_age_seconds = 600.0\n"))
    slow = acme_inbox(acme_ws) / "po-slow.x12"
    slow.write_bytes(b"")
    os.utime(slow, (time.time() - 60, time.time() - 60))  # settled a minute ago, its upload not begun
    status, out, summary = night_run(acme_ws, "2026-11-27T02:00:00")
    assert (status, acme_of(summary)["files"]) == (0, 0), out
    assert acme_folder(acme_ws, "inbox") == ["po-slow.x12"] and acme_folder(acme_ws, "quarantine") == []
    os.utime(slow, (time.time() - 700, time.time() - 700))  # still empty long after: taken (and quarantined)
    status, out, summary = night_run(acme_ws, "2026-11-28T02:00:00")
    assert acme_of(summary)["files"] == 1, out
    assert acme_folder(acme_ws, "inbox") == [] and acme_folder(acme_ws, "quarantine") == ["po-slow.x12"]
    path = ws.root / "warehouses" / "east.toml"
    path.write_text(path.read_text().replace('[drop]\nkind = "local"\n', '[drop]\nkind = "local"\n\n[drop.local]\n'
                                             "min_age_seconds = 90.0\n"))
    assert shipping.warehouse_drops(ws)(ws.warehouses()["east"]).min_age_seconds == 90.0
    assert shipping.warehouse_drops(ws)(ws.warehouses()["north"]).min_age_seconds == 0.0
