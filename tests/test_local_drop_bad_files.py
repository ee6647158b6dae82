"""One bad file never blocks a partner's intake in a local drop: every entry of the inbox is processed,
or refused with a finding and a report row (and left in place). Long names archive under bounded
names; symlinks, FIFOs and undecodable names are refused and never followed or read; a file still
being written is not read until it settles; a new file never overwrites an older one in processed/."""

from __future__ import annotations

import os
import shutil
import threading
from datetime import datetime
from pathlib import Path

import pytest

from connectors.base import MAX_NAME_BYTES, archive_name, bounded_name
from connectors.local import LocalDrop
from connectors.state import StateStore
from flows import steps
from flows.workspace import open_workspace
from schemas.profile import load_profiles
from tests.support import REPO, SAMPLES

NOW = datetime(2026, 11, 27, 2, 0)
GOOD = (SAMPLES / "acme" / "acme-po-01.x12").read_bytes()
OTHER = (SAMPLES / "acme" / "acme-po-02.x12").read_bytes()


@pytest.fixture
def ws(tmp_path):
    ws = open_workspace(tmp_path / "ws")
    shutil.copytree(REPO / "partners", ws.root / "partners")
    (ws.drop_root / "acme" / "inbox").mkdir(parents=True)
    return ws


def _inbox(ws) -> Path:
    return ws.drop_root / "acme" / "inbox"


def _intake(ws, drop=None):
    state = StateStore(ws.state_path)
    try:
        return steps.intake_partner(ws, ws.partners()["acme"], state, drop or LocalDrop(ws.drop_root / "acme"),
                                    now=NOW, run_id="r")
    finally:
        state.close()


def _codes(res) -> list[tuple[str, str]]:
    return [(f["code"], f["location"].get("value", "")) for f in res.findings if f["code"].startswith("FILE_")]


def test_a_name_of_254_characters_is_archived_under_a_bounded_name(ws):
    long_name = "po-" + "x" * 247 + ".x12"
    assert len(long_name) == 254
    (_inbox(ws) / long_name).write_bytes(GOOD)
    (_inbox(ws) / "next.x12").write_bytes(OTHER)
    res = _intake(ws)
    assert (res.files, res.failure) == (2, "")
    archived = sorted(p.name for p in (ws.drop_root / "acme" / "archive").iterdir())
    assert len(archived) == 2 and all(len(n.encode()) <= MAX_NAME_BYTES for n in archived)
    assert (ws.drop_root / "acme" / "processed" / long_name).read_bytes() == GOOD
    assert list(_inbox(ws).iterdir()) == []


@pytest.mark.parametrize("name", ["new\nline.x12", "bad..name.x12", "tab\tname.x12", "back\\slash.x12"])
def test_an_unsafe_name_is_refused_with_a_report_row_and_the_rest_is_processed(ws, name):
    (_inbox(ws) / name).write_bytes(GOOD)
    (_inbox(ws) / "good.x12").write_bytes(OTHER)
    res = _intake(ws)
    assert _codes(res) == [("FILE_NAME_REFUSED", repr(name))]
    assert all(f["partner"] == "acme" for f in res.findings)
    assert res.files == 1 and res.errors >= 1
    assert sorted(p.name for p in _inbox(ws).iterdir()) == [name]  # left where it is, reported every run
    assert _codes(_intake(ws)) == [("FILE_NAME_REFUSED", repr(name))]


def test_a_name_that_is_not_utf8_is_refused(ws):
    raw = os.fsencode(_inbox(ws)) + b"/po-\xff.x12"
    with open(raw, "wb") as fh:
        fh.write(GOOD)
    (_inbox(ws) / "good.x12").write_bytes(OTHER)
    res = _intake(ws)
    assert _codes(res) == [("FILE_NAME_REFUSED", repr("po-\udcff.x12"))]
    assert res.files == 1


def test_a_symlink_is_refused_and_never_followed(ws, tmp_path):
    outside = tmp_path / "secret.x12"
    outside.write_bytes(GOOD)
    (_inbox(ws) / "link.x12").symlink_to(outside)
    (_inbox(ws) / "dangling.x12").symlink_to(tmp_path / "missing")
    res = _intake(ws)
    assert sorted(_codes(res)) == [("FILE_TYPE_REFUSED", "'dangling.x12'"), ("FILE_TYPE_REFUSED", "'link.x12'")]
    assert res.files == 0 and list((ws.drop_root / "acme" / "archive").iterdir()) == []
    assert (_inbox(ws) / "link.x12").is_symlink() and outside.read_bytes() == GOOD


def test_a_fifo_is_refused_and_never_opened(ws):
    os.mkfifo(_inbox(ws) / "pipe.x12")
    (_inbox(ws) / "good.x12").write_bytes(GOOD)
    res = _intake(ws)  # reading a FIFO would block until a writer comes: this returns
    assert _codes(res) == [("FILE_TYPE_REFUSED", "'pipe.x12'")]
    assert res.files == 1


def test_a_symlink_swapped_in_after_listing_is_not_followed(ws, tmp_path):
    outside = tmp_path / "secret.x12"
    outside.write_bytes(b"secret")
    drop = LocalDrop(ws.drop_root / "acme")
    (_inbox(ws) / "po.x12").write_bytes(GOOD)
    [info] = drop.list("inbox")
    (_inbox(ws) / "po.x12").unlink()
    (_inbox(ws) / "po.x12").symlink_to(outside)
    from schemas.errors import TransientError

    with pytest.raises(TransientError):
        drop.read("inbox", info.name, expected_size=info.size)


def test_a_new_file_with_an_existing_name_keeps_the_older_copy_in_processed(ws):
    (_inbox(ws) / "po.x12").write_bytes(GOOD)
    _intake(ws)
    (_inbox(ws) / "po.x12").write_bytes(OTHER)
    _intake(ws)
    processed = ws.drop_root / "acme" / "processed"
    assert sorted(p.name for p in processed.iterdir()) == ["po-2.x12", "po.x12"]
    assert (processed / "po.x12").read_bytes() == GOOD and (processed / "po-2.x12").read_bytes() == OTHER


def test_write_new_and_move_new_never_replace_a_file(tmp_path):
    drop = LocalDrop(tmp_path)
    assert [drop.write_new("processed", "a.x12", bytes([k])) for k in range(3)] == ["a.x12", "a-2.x12", "a-3.x12"]
    assert [(tmp_path / "processed" / n).read_bytes() for n in ("a.x12", "a-2.x12", "a-3.x12")] == [b"\0", b"\1", b"\2"]
    (tmp_path / "inbox" / "a.x12").write_bytes(b"new")
    assert drop.move_new("inbox", "a.x12", "processed") == "a-4.x12"
    long_name = "p" * 250 + ".x12"
    for k in range(2):
        (tmp_path / "inbox" / long_name).write_bytes(bytes([k]))
        placed = drop.move_new("inbox", long_name, "processed")
        assert len(placed.encode()) <= MAX_NAME_BYTES
    assert [p.name for p in (tmp_path / "inbox").iterdir()] == []


def test_bounded_names_stay_within_the_limit_and_apart():
    a, b = "é" * 200 + "a", "é" * 200 + "b"  # 401 bytes each, same first 400
    na, nb = archive_name(NOW.date(), "f" * 64, a), archive_name(NOW.date(), "f" * 64, b)
    assert na != nb and len(na.encode()) <= MAX_NAME_BYTES and len(nb.encode()) <= MAX_NAME_BYTES
    assert bounded_name("short.x12", prefix="p-") == "p-short.x12"


# --- a file still being written (the same stability rule as SFTP) ---------------------------------------
def test_a_file_changing_across_the_settle_interval_is_not_listed(tmp_path):
    drop_dir = tmp_path / "drop"
    writes = iter([b"more", b"", b""])

    def sleep(_seconds):  # while the drop waits, the writer adds to the file
        with open(drop_dir / "inbox" / "growing.x12", "ab") as fh:
            fh.write(next(writes))

    drop = LocalDrop(drop_dir, settle_seconds=2.0, sleep=sleep)
    (drop_dir / "inbox" / "growing.x12").write_bytes(b"ISA*part")
    assert drop.list("inbox") == []
    # nothing changes during the next interval: ready
    assert [f.name for f in drop.list("inbox")] == ["growing.x12"]


def test_an_old_file_is_ready_without_waiting_and_uploads_in_progress_are_skipped(tmp_path):
    drop = LocalDrop(tmp_path, settle_seconds=30.0, sleep=lambda s: pytest.fail("no wait needed"))
    path = tmp_path / "inbox" / "old.x12"
    path.write_bytes(GOOD)
    os.utime(path, (1_000_000_000, 1_000_000_000))
    (tmp_path / "inbox" / "upload.x12.part").write_bytes(b"partial")
    (tmp_path / "inbox" / ".hidden.x12").write_bytes(b"partial")
    assert [f.name for f in drop.list("inbox")] == ["old.x12"]
    assert drop.refused("inbox") == []


def test_a_file_written_by_another_thread_is_read_only_once_complete(ws):
    path = _inbox(ws) / "big.x12"
    wrote, stop = threading.Event(), threading.Event()

    def writer():  # writes until told to stop, a little at a time, as a slow upload does
        with open(path, "ab") as fh:
            while not stop.is_set():
                fh.write(GOOD[:100])
                fh.flush()
                wrote.set()
                stop.wait(0.005)

    def settle(_seconds):  # the drop's settle interval lasts until the writer has written again
        wrote.clear()
        assert wrote.wait(timeout=60), "the writer thread did not write"

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert wrote.wait(timeout=60)
        res = _intake(ws, LocalDrop(ws.drop_root / "acme", settle_seconds=1.0, sleep=settle))
        assert res.files == 0 and list((ws.drop_root / "acme" / "archive").iterdir()) == []
        assert path.exists()  # not moved away while the writer still writes into it
    finally:
        stop.set()
        thread.join()
    complete = path.read_bytes()
    res = _intake(ws, LocalDrop(ws.drop_root / "acme", settle_seconds=1.0, sleep=lambda s: None))
    [archived] = list((ws.drop_root / "acme" / "archive").iterdir())
    assert res.files == 1 and archived.read_bytes() == complete


def test_the_profile_sets_the_local_stability_rule(tmp_path):
    (tmp_path / "partners").mkdir()
    text = (REPO / "partners" / "acme.toml").read_text().replace(
        '[drop]\nkind = "local"\n', '[drop]\nkind = "local"\n\n[drop.local]\nsettle_seconds = 7.5\n'
        'temp_suffixes = [".uploading"]\n')
    (tmp_path / "partners" / "acme.toml").write_text(text)
    profile = load_profiles(tmp_path / "partners")["acme"]
    drop = steps.local_drops(open_workspace(tmp_path / "ws"))(profile)
    assert (drop.settle_seconds, drop.temp_suffixes) == (7.5, (".uploading",))
    assert load_profiles(REPO / "partners")["acme"].drop.local.settle_seconds == 2.0  # the default


def test_lock_files_tilde_names_and_files_guarded_by_a_lock_are_never_listed(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, data in [("po-1.edi", b"ISA*half"), ("po-1.edi.lock", b""), ("po-3.x12", b"ISA*half"),
                       ("po-3.lck", b""), ("~po-2.edi", b"ISA*half"), ("ready.edi", b"ISA*whole~")]:
        (inbox / name).write_bytes(data)
    drop = LocalDrop(tmp_path, settle_seconds=0)
    assert [f.name for f in drop.list("inbox")] == ["ready.edi"]
    assert drop.refused("inbox") == []
    (inbox / "po-3.lck").unlink()
    assert [f.name for f in drop.list("inbox")] == ["po-3.x12", "ready.edi"]


def test_a_listed_file_removed_before_it_is_read_is_transient(tmp_path):
    from schemas.errors import TransientError, is_transient

    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "po-1.edi").write_bytes(b"ISA*one~")
    drop = LocalDrop(tmp_path, settle_seconds=0)
    [info] = drop.list("inbox")
    (tmp_path / "inbox" / "po-1.edi").unlink()
    with pytest.raises(TransientError, match="vanished") as err:
        drop.read("inbox", info.name, expected_size=info.size)
    assert is_transient(err.value) and drop.list("inbox") == []


def test_a_file_put_in_the_drop_folder_itself_not_its_inbox_is_reported_each_run_and_left_there(ws):
    """`drop/acme/po.x12` (one level above inbox/) was never read and nothing said so, night after night: it is
    now an error finding naming the folder (a report row), the file is left where it is, and the inbox is read
    as usual. Folders and hidden files there (ours, someone's temporary file) say nothing."""
    stray = ws.drop_root / "acme" / "acme-po-01.x12"
    stray.write_bytes(GOOD)
    (ws.drop_root / "acme" / ".partial").write_bytes(b"x")
    (_inbox(ws) / "next.x12").write_bytes(OTHER)
    res = _intake(ws)
    assert _codes(res) == [("FILE_OUTSIDE_INBOX", "'acme-po-01.x12'")] and res.files == 1
    said = next(f for f in res.findings if f["code"] == "FILE_OUTSIDE_INBOX")
    assert said["severity"] == "error" and "not in its inbox/" in said["message"]
    assert str(ws.drop_root / "acme") in said["message"]
    assert stray.read_bytes() == GOOD
    again = _intake(ws)  # nothing else to take: still said
    assert _codes(again) == [("FILE_OUTSIDE_INBOX", "'acme-po-01.x12'")] and again.files == 0
    stray.rename(_inbox(ws) / stray.name)  # moved where it belongs: read, and nothing more said
    moved = _intake(ws)
    assert _codes(moved) == [] and moved.files == 1
