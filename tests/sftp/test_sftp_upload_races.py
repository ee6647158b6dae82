"""Partners' uploads caught half-way, against a private OpenSSH server (the same rules hold for a
3PL's drop: tests/sftp/test_sftp_warehouse_drops.py):

- a stalled upload: a plain-named file still being written (its size changes between the listing and
  the download, or it changed within ``min_age_seconds``) is never taken half-written, and the other
  files of the inbox go on;
- "rename-then-drop": an upload renamed from ``x.tmp`` to ``x.edi`` while we list is taken once, when
  it has settled; a file sent again under another name is a FILE_DUPLICATE, never answered twice (and,
  in an inbox we may not change, reported once, not each run);
- a long session through a firewall that drops idle connections stays up with ``keepalive_seconds``.
"""

from __future__ import annotations

import os
import select
import socket
import sqlite3
import threading
import time

import pytest

from connectors.sftp import SftpDrop
from connectors.state import StateStore
from connectors.testing_sshd import LocalSshd
from flows import intake as intake_flow
from schemas.errors import ConnectorUnavailable, FileNotReady
from tests.sftp.conftest import Partner, need_root
from tests.sftp.test_sftp_read_only_inbox import _intake
from tests.support import make_workspace
from tests.test_intake_streaming import _interchanges

pytestmark = pytest.mark.integration

PO_0 = _interchanges(1)  # PO-0, ISA13 100
PO_1 = _interchanges(2)[len(PO_0):]  # PO-1, ISA13 101


def _answers(ws) -> list[str]:
    state = StateStore(ws.state_url)
    try:
        return sorted(d.doc_type for d in state.documents("acme"))
    finally:
        state.close()


def _db(ws, sql: str) -> list[tuple]:
    db = sqlite3.connect(ws.root / "state" / "orderbridge.sqlite")
    try:
        return sorted(db.execute(sql).fetchall())
    finally:
        db.close()


class StillWriting(SftpDrop):
    """The partner's upload of ``name`` goes on after our listing: it grows before we download it."""

    def __init__(self, *args, partner: Partner, name: str, more: bytes, **kw) -> None:
        super().__init__(*args, **kw)
        self.partner, self.name, self.more = partner, name, more

    def list(self, folder):
        listed = super().list(folder)
        if self.more:
            with open(self.partner.path("inbox", self.name), "ab") as fh:
                fh.write(self.more)
            self.more = b""
        return listed


@pytest.mark.parametrize("streamed", [False, True])
def test_a_file_growing_between_listing_and_download_is_left_whole_for_the_next_run_and_the_others_go_on(
        tmp_path, settings, partner, monkeypatch, streamed):
    if streamed:  # downloaded a chunk at a time into a spool of the archive
        monkeypatch.setattr(intake_flow, "STREAM_BYTES", 0)
    half = len(PO_0) // 2
    partner.put("inbox", "a-po-0.x12", PO_0[:half])  # listed at half its size
    partner.put("inbox", "b-po-1.x12", PO_1)
    ws = make_workspace(tmp_path, partners=())
    with StillWriting(settings, partner=partner, name="a-po-0.x12", more=PO_0[half:]) as drop:
        first = _intake(ws, drop, "r1")
    assert (first.files, first.processed, first.quarantined, first.errors) == (1, 1, 0, 0)
    assert partner.names("inbox") == ["a-po-0.x12"] and partner.get("inbox", "a-po-0.x12") == PO_0
    assert _db(ws, "SELECT name, status FROM files") == [("b-po-1.x12", "processed")]
    assert [p.name for p in (ws.drop_root / "acme" / "archive").iterdir() if "a-po-0" in p.name] == []  # no spool
    with SftpDrop(settings) as drop:
        second = _intake(ws, drop, "r2")
    assert (second.files, second.processed, second.errors, second.orders) == (1, 1, 0, 1)
    assert (ws.drop_root / "acme" / "processed" / "a-po-0.x12").read_bytes() == PO_0
    assert partner.names("inbox") == []


def test_a_file_replaced_by_a_shorter_one_after_listing_is_not_ready(settings, partner):
    partner.put("inbox", "po.x12", PO_1)
    with SftpDrop(settings) as drop:
        [info] = drop.list("inbox")
        partner.put("inbox", "po.x12", PO_1[:100])  # the partner started its upload again
        with pytest.raises(FileNotReady, match="changed since it was listed"):
            drop.read("inbox", "po.x12", expected_size=info.size)


def test_min_age_keeps_a_stalled_upload_out_until_it_is_old_enough(server, partner):
    path = partner.put("inbox", "stalled.x12", PO_0[:40])  # no byte for longer than the settle time
    partner.put("inbox", "done.x12", PO_1)
    old = time.time() - 600
    os.utime(partner.path("inbox", "done.x12"), (old, old))
    naps: list[float] = []
    settings = server.settings(settle_seconds=0.05, min_age_seconds=120)
    with SftpDrop(settings, sleep=naps.append) as drop:  # nothing changes across the settle time
        assert [f.name for f in drop.list("inbox")] == ["done.x12"]
    assert naps == [0.05]
    with SftpDrop(settings, sleep=naps.append, clock=lambda: time.time() + 121) as drop:  # two minutes on
        assert [f.name for f in drop.list("inbox")] == ["done.x12", "stalled.x12"]
    with SftpDrop(server.settings(settle_seconds=0.05), sleep=naps.append) as drop:  # without the rule: taken
        assert [f.name for f in drop.list("inbox")] == ["done.x12", "stalled.x12"]
    assert os.path.getsize(path) == 40


def test_an_upload_renamed_from_tmp_while_we_list_is_taken_once_when_it_has_settled(tmp_path, server, partner):
    partner.put("inbox", "po.x12.tmp", PO_0)
    partner.put("inbox", "other.x12", PO_1)
    renamed = []

    def partner_renames(_seconds: float) -> None:  # between our two listings
        os.rename(partner.path("inbox", "po.x12.tmp"), partner.path("inbox", "po.x12"))
        renamed.append(True)

    ws = make_workspace(tmp_path, partners=())
    with SftpDrop(server.settings(settle_seconds=0.05), sleep=partner_renames) as drop:
        # a .tmp in the first listing, a new name in the second: not yet
        assert [f.name for f in drop.list("inbox")] == ["other.x12"] and renamed == [True]
    with SftpDrop(server.settings(settle_seconds=0.05), sleep=lambda s: None) as drop:
        first = _intake(ws, drop, "r1")
        again = _intake(ws, drop, "r2")
    assert (first.files, first.processed, first.orders) == (2, 2, 2)
    assert (again.files, again.duplicates) == (0, 0)
    assert _db(ws, "SELECT name FROM files") == [("other.x12",), ("po.x12",)]
    assert _answers(ws) == ["997", "997"]  # the 855s come with the run's decide stage


def test_a_file_sent_again_under_another_name_is_a_duplicate_never_answered_twice(tmp_path, settings, partner):
    partner.put("inbox", "po-0.x12", PO_0)
    ws = make_workspace(tmp_path, partners=())
    with SftpDrop(settings) as drop:
        _intake(ws, drop, "r1")
        partner.put("inbox", "po-0-resent.x12", PO_0)  # the partner's translator sends it again
        again = _intake(ws, drop, "r2")
    assert (again.files, again.duplicates, again.processed, again.orders) == (1, 1, 0, 0)
    assert [f["code"] for f in again.findings] == ["FILE_DUPLICATE"]
    assert _answers(ws) == ["997"]  # the 855 comes with the run's decide stage
    assert partner.names("processed") == ["po-0-resent.x12", "po-0.x12"] and partner.names("inbox") == []


def test_a_resend_under_another_name_in_an_inbox_we_may_not_change_is_reported_once(tmp_path):
    need_root()
    with LocalSshd(sftp_flags="-P remove,rename,posix-rename") as server:
        partner = Partner(server)
        partner.put("inbox", "po-0.x12", PO_0)
        ws = make_workspace(tmp_path, partners=())
        with SftpDrop(server.settings(leave_in_inbox=True)) as drop:
            _intake(ws, drop, "r1")
            partner.put("inbox", "po-0-resent.x12", PO_0)
            second = _intake(ws, drop, "r2")
            third = _intake(ws, drop, "r3")  # both still there: the partner has not cleaned up yet
    assert (second.files, second.duplicates) == (1, 1)
    assert (third.files, third.duplicates, third.findings) == (0, 0, [])
    assert _db(ws, "SELECT file, run_id FROM findings WHERE code = 'FILE_DUPLICATE'") == [("po-0-resent.x12", "r2")]
    assert _answers(ws) == ["997"]  # the 855 comes with the run's decide stage
    assert sorted(p.name for p in (ws.drop_root / "acme" / "processed").iterdir()) == ["po-0-resent.x12", "po-0.x12"]


class IdleCutter:
    """A firewall (or NAT) between us and the server that cuts a connection idle for ``idle`` seconds."""

    def __init__(self, port: int, idle: float) -> None:
        self.port, self.idle = port, idle
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listen_port = self.listener.getsockname()[1]
        self.cut = 0
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stop:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.port))
        last = time.monotonic()
        try:
            while not self._stop:
                ready, _, _ = select.select([client, upstream], [], [], 0.1)
                for src in ready:
                    data = src.recv(65536)
                    if not data:
                        return
                    (upstream if src is client else client).sendall(data)
                    last = time.monotonic()
                if time.monotonic() - last > self.idle:
                    self.cut += 1
                    return
        except OSError:  # a side reset the connection (the client given up, the server gone): the relay ends,
            return  # quietly (a thread's error would be reported against whatever test runs next on the worker)
        finally:
            client.close()
            upstream.close()

    def close(self) -> None:
        self._stop = True
        self.listener.close()


@pytest.fixture
def firewall(server: LocalSshd, tmp_path):
    cutter = IdleCutter(server.port, idle=2.0)
    known = tmp_path / "known_hosts"  # the server's pinned key, as seen through the firewall's port
    known.write_text(server.known_hosts.read_text().replace(f"]:{server.port} ", f"]:{cutter.listen_port} "))
    try:
        yield cutter, server.settings(port=cutter.listen_port, known_hosts=str(known))
    finally:
        cutter.close()


def test_without_keepalive_a_firewall_cuts_an_idle_session(firewall, partner):
    cutter, settings = firewall
    partner.put("inbox", "po.x12", PO_0)
    with SftpDrop(settings) as drop:
        assert [f.name for f in drop.list("inbox")] == ["po.x12"]
        time.sleep(4)  # a long stage between two SFTP calls
        with pytest.raises(ConnectorUnavailable):
            drop.list("inbox")
    assert cutter.cut == 1


def test_keepalive_keeps_a_long_session_through_a_firewall_that_drops_idle_connections(firewall, partner):
    cutter, settings = firewall
    partner.put("inbox", "po.x12", PO_0)
    with SftpDrop(settings.model_copy(update={"keepalive_seconds": 1})) as drop:
        assert [f.name for f in drop.list("inbox")] == ["po.x12"]
        time.sleep(4)
        assert drop.read("inbox", "po.x12", expected_size=len(PO_0)) == PO_0
    assert cutter.cut == 0
