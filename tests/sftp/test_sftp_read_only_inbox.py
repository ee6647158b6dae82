"""A partner's inbox we may read but not change (the partner removes what we have taken): with
``leave_in_inbox`` every file is taken exactly once and the others are never blocked; without it the
refused move is a clear error that names the setting."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from connectors.sftp import SftpDrop
from connectors.state import StateStore
from connectors.testing_sshd import LocalSshd
from flows import intake as intake_flow
from schemas.errors import SecurityError
from tests.sftp.conftest import Partner, need_root
from tests.support import make_workspace
from tests.test_intake_streaming import NOW, _interchanges

pytestmark = pytest.mark.integration


@pytest.fixture
def read_only() -> Iterator[tuple[LocalSshd, Partner]]:
    need_root()
    with LocalSshd(sftp_flags="-P remove,rename,posix-rename") as server:
        yield server, Partner(server)


def _intake(ws, drop, run_id):
    state = StateStore(ws.state_url)
    try:
        return intake_flow.intake_partner(ws, ws.partners()["acme"], state, drop, now=NOW, run_id=run_id)
    finally:
        state.close()


def _files(ws) -> list[tuple]:
    db = sqlite3.connect(ws.root / "state" / "orderbridge.sqlite")
    try:
        return sorted(db.execute("SELECT name, status, disposed_at IS NOT NULL FROM files").fetchall())
    finally:
        db.close()


@pytest.mark.parametrize("streamed", [False, True])
def test_a_read_only_inbox_with_leave_in_inbox_takes_each_file_once(tmp_path, read_only, monkeypatch, streamed):
    server, partner = read_only
    if streamed:  # downloaded a chunk at a time into the archive, read a piece at a time
        monkeypatch.setattr(intake_flow, "STREAM_BYTES", 0)
    partner.put("inbox", "po-1.x12", _interchanges(1))
    partner.put("inbox", "po-2.x12", _interchanges(2)[len(_interchanges(1)):])
    ws = make_workspace(tmp_path, partners=())
    with SftpDrop(server.settings(leave_in_inbox=True)) as drop:
        first = _intake(ws, drop, "r1")
        again = _intake(ws, drop, "r2")  # the partner has not removed them yet
    assert (first.files, first.processed, first.quarantined, first.orders) == (2, 2, 0, 2)
    assert (again.files, again.processed, again.duplicates, again.findings) == (0, 0, 0, [])
    assert _files(ws) == [("po-1.x12", "processed", 1), ("po-2.x12", "processed", 1)]
    assert sorted(p.name for p in (ws.drop_root / "acme" / "processed").iterdir()) == ["po-1.x12", "po-2.x12"]
    assert partner.names("inbox") == ["po-1.x12", "po-2.x12"]  # left for the partner to remove


def test_a_read_only_inbox_without_the_setting_is_a_clear_error_naming_it(tmp_path, read_only):
    server, partner = read_only
    partner.put("inbox", "po-1.x12", _interchanges(1))
    ws = make_workspace(tmp_path, partners=())
    with SftpDrop(server.settings()) as drop, pytest.raises(SecurityError, match="refuses") as err:
        _intake(ws, drop, "r1")
    assert "leave_in_inbox" in str(err.value)
    with SftpDrop(server.settings(remote_processed=None)) as drop, pytest.raises(SecurityError) as err:
        _intake(ws, drop, "r2")
    assert "leave_in_inbox" in str(err.value)
    assert partner.names("inbox") == ["po-1.x12"]
    assert _files(ws) == [("po-1.x12", "processed", 0)]  # taken once, its move still owed
