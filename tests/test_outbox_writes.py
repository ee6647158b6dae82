"""Delivery's batched outbox writes (connectors.local.LocalDrop.write_many, sizes) and the store's
readers of pending documents (StateStore.pending_files a chunk at a time, has_pending): nothing is in
place before its bytes are durable, a failure part-way places nothing and leaves no temporary, and
delivery reads the same documents and bytes as pending_documents."""

from __future__ import annotations

import errno
import os
from datetime import datetime

import pytest

import connectors.local as local
from connectors.local import TMP_PREFIX, LocalDrop
from connectors.reference import load_reference
from connectors.state import HELD, StateStore
from flows import steps
from schemas.errors import ConfigError, OrderBridgeError
from tests.support import make_workspace

FILES = [(f"acme-856-{k:09d}.x12", f"ISA*{k}~".encode() * (k + 1)) for k in range(1, 6)]


def _names(drop: LocalDrop) -> list[str]:
    return sorted(os.listdir(drop.root / "outbox"))


def test_write_many_places_every_file_with_its_bytes_in_order(tmp_path):
    drop = LocalDrop(tmp_path / "acme")
    placed = []
    drop.write_many("outbox", FILES, placed=placed.append)
    assert placed == [n for n, _d in FILES]
    assert _names(drop) == sorted(n for n, _d in FILES)  # no temporary left
    assert all(drop.read("outbox", n) == d for n, d in FILES)


def test_nothing_is_renamed_into_place_before_the_bytes_are_flushed(tmp_path, monkeypatch):
    drop = LocalDrop(tmp_path / "acme")
    seen = []

    def syncfs(fd):  # what the folder holds when the file system is flushed
        names = sorted(os.listdir(drop.root / "outbox"))
        seen.append(names)
        assert all((drop.root / "outbox" / n).read_bytes() == d for (_f, d), n in
                   zip(sorted(FILES), sorted(x for x in names if x.startswith(TMP_PREFIX)), strict=True))
        return 0

    monkeypatch.setattr(local, "_syncfs", lambda: syncfs)
    drop.write_many("outbox", FILES)
    assert len(seen) == 1  # one flush for the whole batch
    assert seen[0] == sorted(TMP_PREFIX + n for n, _d in FILES)  # only temporaries, every byte written
    assert _names(drop) == sorted(n for n, _d in FILES)


def test_without_syncfs_each_file_is_fsynced_before_any_rename(tmp_path, monkeypatch):
    drop = LocalDrop(tmp_path / "acme")
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(local, "_syncfs", lambda: None)
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda *a, **k: (events.append("rename"), real_replace(*a, **k))[1])
    drop.write_many("outbox", FILES)
    assert events == ["fsync"] * len(FILES) + ["rename"] * len(FILES)
    assert all(drop.read("outbox", n) == d for n, d in FILES)


def test_a_failure_part_way_places_nothing_and_leaves_no_temporary(tmp_path):
    drop = LocalDrop(tmp_path / "acme")

    def before(name, _data):
        if name == FILES[3][0]:
            raise OSError(errno.EIO, "the disk went away")

    with pytest.raises(OrderBridgeError):
        drop.write_many("outbox", FILES, before=before)
    assert _names(drop) == []


def test_a_failed_flush_places_nothing(tmp_path, monkeypatch):
    drop = LocalDrop(tmp_path / "acme")
    monkeypatch.setattr(local, "_syncfs", lambda: lambda fd: -1)
    monkeypatch.setattr(local, "_errno", lambda: errno.EIO)
    with pytest.raises(OrderBridgeError, match="Input/output error"):
        drop.write_many("outbox", FILES)
    assert _names(drop) == []


def test_unsafe_names_are_refused_before_anything_is_written(tmp_path):
    drop = LocalDrop(tmp_path / "acme")
    with pytest.raises(ConfigError):
        drop.write_many("outbox", [*FILES[:2], ("../escape.x12", b"x")])
    with pytest.raises(ConfigError):
        drop.sizes("outbox", ["../escape.x12"])
    assert _names(drop) == []


def test_sizes_names_only_the_files_in_place(tmp_path):
    drop = LocalDrop(tmp_path / "acme")
    drop.write_many("outbox", FILES[:2])
    assert drop.sizes("outbox", [n for n, _d in FILES]) == {n: len(d) for n, d in FILES[:2]}


def test_pending_files_are_pending_documents_a_chunk_at_a_time(tmp_path):
    ws = make_workspace(tmp_path)
    now = datetime(2026, 11, 26, 2)
    state = StateStore(ws.state_path)
    try:
        profiles = ws.partners()
        for pid, p in sorted(profiles.items()):  # the night's documents, numbered and stored, not delivered
            steps.intake_partner(ws, p, state, LocalDrop(ws.drop_root / pid), now=now, run_id="r")
        steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir), steps.load_inventory(ws, now.date()),
                         now=now, run_id="r", use_gx=False)
        for partner in ("acme", "globex", "initech"):
            docs = state.pending_documents(partner)
            chunks = list(state.pending_files(partner, chunk=2))
            assert all(len(c) == 2 for c in chunks[:-1]) and all(chunks)
            flat = [f for c in chunks for f in c]
            assert [(f.id, f.doc_type, f.file_name, f.isa13, f.content) for f in flat] == \
                [(d.id, d.doc_type, d.file_name, d.isa13, d.content) for d in docs]
            assert state.has_pending(partner) == bool(docs)
        assert any(state.pending_documents(p) for p in ("acme", "globex", "initech"))
        state.mark_delivered_many([d.id for d in state.pending_documents("acme")], now.isoformat())
        assert not state.has_pending("acme") and list(state.pending_files("acme")) == []
        assert not state.has_pending("acme", held=True)
        one = state.documents("acme")[0].id  # a held document is not pending, but its delivery looks at it
        state._q("UPDATE documents SET status=? WHERE id=?", (HELD, one))
        assert not state.has_pending("acme") and state.has_pending("acme", held=True)
    finally:
        state.close()


def test_temporaries_and_emptiness_are_what_remove_temporaries_and_intake_see(tmp_path):
    drop = LocalDrop(tmp_path / "d")
    assert drop.is_empty("inbox") and drop.temporaries("outbox") == []
    (tmp_path / "d" / "outbox" / f"{TMP_PREFIX}b").write_bytes(b"x")
    (tmp_path / "d" / "outbox" / f"{TMP_PREFIX}a").write_bytes(b"x")
    (tmp_path / "d" / "outbox" / f"{TMP_PREFIX}dir").mkdir()  # not a file of ours: left alone
    (tmp_path / "d" / "outbox" / "PO1.x12").write_bytes(b"x")
    (tmp_path / "d" / "inbox" / ".hidden").write_bytes(b"")  # any entry is something for intake to look at
    assert drop.temporaries("outbox") == [f"{TMP_PREFIX}a", f"{TMP_PREFIX}b"]
    assert not drop.is_empty("inbox") and not drop.is_empty("outbox")
    assert drop.remove_temporaries("outbox") == [f"{TMP_PREFIX}a", f"{TMP_PREFIX}b"]
    assert drop.temporaries("outbox") == [] and sorted(os.listdir(tmp_path / "d" / "outbox")) == [
        f"{TMP_PREFIX}dir", "PO1.x12"]


def test_marking_a_document_delivered_writes_its_content_once(tmp_path):
    """SQLite rewrites a row whose size changes with its content (delivered: status and delivered_at grow
    it); the old content's pages are freed, not zeroed and written again (secure_delete "fast", which
    Debian's SQLite has on by default): the WAL holds the new content once, not twice."""
    from schemas.lifecycle import Plan, PlannedDocument, PlannedSet

    size = 1_500_000  # under the WAL's autocheckpoint (1000 pages of 4 KiB): the WAL file measures the commit
    content = bytes(range(256)) * (size // 256)

    def render(doc, isa13, gs06, st02s):
        return f"{doc.partner}-{doc.doc_type}-{isa13:09d}.x12", content

    path = tmp_path / "state.sqlite"
    state = StateStore(path)
    try:
        doc = PlannedDocument("acme", "810", "IN", (PlannedSet("810:PO-1", (("BIG", "20261126"),), "PO-1"),))
        state.apply(Plan(documents=(doc,)), render=render, at="2026-11-26T02:00:00", run_id="r")
        state._q("PRAGMA wal_checkpoint(TRUNCATE)")
        [pending] = state.pending_documents("acme")
        state.mark_delivered_many([pending.id], "2026-11-26T02:00:01")
        wal = os.path.getsize(f"{path}-wal")
        assert size < wal < 1.5 * size  # the new content's pages (and a few others), not the old ones zeroed too
        [delivered] = state.documents("acme")
        assert delivered.status == "delivered" and delivered.content == content
    finally:
        state.close()
