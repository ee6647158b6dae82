"""A stage of many transactions copies SQLite's WAL into the database file once, at its end
(StateStore.checkpoint_at_end: the ship stage commits each confirmation file on its own, the invoice stage
its closings and its 810s): each COMMIT is still durable when it returns (its frames synced in the WAL, which
the store replays when opened), so a file moved after its commit is never ahead of the store."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from connectors.state import STAGE_WAL_PAGES, StateStore
from flows import faults, shipments
from schemas.findings import finding
from schemas.lifecycle import FindingRecord
from tests.support import demo_night_with_warehouses, drop_confirmations, ship_stages

DAY1 = datetime(2026, 11, 27, 14, 30)


def _findings(n: int, tag: str) -> list[FindingRecord]:
    """n findings of ~1 KB each (a transaction of n / 4 pages or so)."""
    return [FindingRecord(finding("ORDER_DUPLICATE", f"{tag} {i} " + "x" * 1000), "acme", f"PO-{i}", "nothing",
                          "decide") for i in range(n)]


def _stamp(path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def test_inside_commits_leave_the_database_file_to_one_copy_at_the_end(tmp_path):
    path = tmp_path / "state" / "orderbridge.sqlite"
    store = StateStore(path)
    try:
        store.add_findings(_findings(10, "before"), run_id="r0")
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = _stamp(path)
        with store.checkpoint_at_end():
            for k in range(3):  # each past SQLite's own 1,000-page threshold: each COMMIT would copy the WAL
                store.add_findings(_findings(6000, f"stage {k}"), run_id=f"r{k + 1}")
                assert _stamp(path) == before  # committed in the WAL only
                # what a power cut leaves: the database file and the WAL as they are on disk now
                copy = tmp_path / f"cut{k}"
                copy.mkdir()
                for suffix in ("", "-wal"):
                    shutil.copyfile(f"{path}{suffix}", copy / f"orderbridge.sqlite{suffix}")
                cut = StateStore(copy / "orderbridge.sqlite")
                try:  # opened, the WAL is replayed: every commit so far is there
                    assert len(cut.findings(run_id=f"r{k + 1}")) == 6000
                finally:
                    cut.close()
            assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == STAGE_WAL_PAGES
        assert _stamp(path) != before  # copied once, at the end
        assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000  # SQLite's default again
        busy, log, copied = store._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert (busy, log) == (0, copied)  # nothing left to copy
        assert [len(store.findings(run_id=f"r{k}")) for k in range(4)] == [10, 6000, 6000, 6000]
    finally:
        store.close()


def test_a_failed_stage_copies_nothing_and_gives_back_the_setting(tmp_path):
    path = tmp_path / "orderbridge.sqlite"
    store = StateStore(path)
    try:
        store._db.execute("PRAGMA wal_autocheckpoint=250")
        store.add_findings(_findings(10, "before"), run_id="r0")
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = _stamp(path)
        with pytest.raises(RuntimeError, match="stage failed"), store.checkpoint_at_end():
            store.add_findings(_findings(3000, "stage"), run_id="r1")
            raise RuntimeError("stage failed")
        assert _stamp(path) == before  # the next COMMIT copies it, as any COMMIT past the threshold does
        assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 250
        assert len(store.findings(run_id="r1")) == 3000  # committed before the failure: kept
    finally:
        store.close()


def test_nested_and_in_memory_stores_change_nothing(tmp_path):
    mem = StateStore(":memory:")
    try:
        with mem.checkpoint_at_end():
            mem.add_findings(_findings(3, "m"), run_id="r")
        assert len(mem.findings(run_id="r")) == 3
    finally:
        mem.close()
    store = StateStore(tmp_path / "orderbridge.sqlite")
    try:
        with store.checkpoint_at_end(), store.checkpoint_at_end(most_pages=5):  # the outer one's setting holds
            assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == STAGE_WAL_PAGES
        assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    finally:
        store.close()


def test_the_ship_and_invoice_stages_copy_the_wal_once_each(tmp_path, monkeypatch):
    """Day 1's confirmations (two warehouses, a file each): at each file's commit the database file is as the stage
    found it, though the connection would copy the WAL at every COMMIT (a threshold of one page); after each stage
    it holds everything, and output is what it was (the same shipments and 810s: tests/test_shipments_flow.py)."""
    root = demo_night_with_warehouses(tmp_path / "ws")
    from flows.workspace import open_workspace

    ws = open_workspace(root)
    drop_confirmations(ws)
    state = StateStore(ws.state_path)
    db = ws.state_path
    seen: list[tuple] = []
    stage_start: list[tuple] = []
    reached = faults.reached

    def at_point(point: str) -> None:
        if point == "after-confirmation-commit":
            seen.append((_stamp(db), stage_start[-1]))
        reached(point)

    ship, invoice = shipments.ship_warehouse, shipments.invoice_run

    def ship_watched(*a, **kw):
        stage_start.append(_stamp(db))
        return ship(*a, **kw)

    def invoice_watched(*a, **kw):
        before = _stamp(db)
        out = invoice(*a, **kw)
        seen.append(("invoice", before != _stamp(db)))
        return out

    monkeypatch.setattr(faults, "reached", at_point)
    monkeypatch.setattr(shipments, "ship_warehouse", ship_watched)
    monkeypatch.setattr(shipments, "invoice_run", invoice_watched)
    try:
        state._db.execute("PRAGMA wal_autocheckpoint=1")
        state._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        east, north, billing = ship_stages(ws, DAY1, state=state, run_id="day1")
        assert (east.files, north.files, east.shipments + north.shipments, billing.invoices) == (1, 1, 4, 3)
        commits = [s for s in seen if s[0] != "invoice"]
        assert len(commits) == 2 and all(now == start for now, start in commits)
        assert seen[-1] == ("invoice", True)
        assert state._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1
        busy, log, copied = state._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert (busy, log) == (0, copied)
    finally:
        state.close()
