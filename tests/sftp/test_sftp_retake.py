"""`orderbridge retake` for a partner whose drop is an SFTP server (a private OpenSSH server): the file's
content is taken again from its kept copy in the local archive - nothing is written to the partner's server,
whose inbox may be one we may not change - and its earlier take stays recorded (tests/test_file_retake.py for
local drops and warehouses)."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from connectors.sftp import SftpDrop
from connectors.testing_sshd import LocalSshd
from flows.cli import app
from tests.sftp.conftest import Partner, need_root
from tests.sftp.test_sftp_read_only_inbox import _intake
from tests.support import make_workspace
from tests.test_file_retake import two_pos

pytestmark = pytest.mark.integration


def _db(ws, sql: str) -> list[tuple]:
    db = sqlite3.connect(ws.root / "state" / "orderbridge.sqlite")
    try:
        return sorted(db.execute(sql).fetchall())
    finally:
        db.close()


def _limited(tmp_path):
    ws = make_workspace(tmp_path, partners=())
    profile = ws.root / "partners" / "acme.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + "\n[limits]\nmax_sets_per_file = 1\n", encoding="utf-8")
    return ws, profile


def _retake(ws, profile) -> None:
    profile.write_text(profile.read_text(encoding="utf-8").replace("max_sets_per_file = 1", ""), encoding="utf-8")
    done = CliRunner().invoke(app, ["retake", "two.x12", "--partner", "acme", "--by", "Ann", "--note", "limit raised",
                                    "-w", str(ws.root)])
    assert done.exit_code == 0, done.output


def test_a_file_quarantined_from_an_sftp_drop_is_taken_again_from_its_kept_copy(tmp_path, settings, partner):
    partner.put("inbox", "two.x12", two_pos())
    ws, profile = _limited(tmp_path)
    with SftpDrop(settings) as drop:
        first = _intake(ws, drop, "r1")
        assert [f["code"] for f in first.findings] == ["FILE_TOO_MANY_SETS"] and first.quarantined == 1
        assert partner.names("processed") == ["two.x12"] and partner.names("inbox") == []
        _retake(ws, profile)
        second = _intake(ws, drop, "r2")
        third = _intake(ws, drop, "r3")
    assert [f["code"] for f in second.findings] == ["FILE_RETAKEN"] and (second.processed, second.orders) == (1, 2)
    assert (third.files, third.findings) == (0, [])  # taken once
    assert partner.names("inbox") == [] and partner.names("processed") == ["two.x12"]  # nothing put on the server
    assert _db(ws, "SELECT doc_type FROM documents") == [("997",)]
    assert _db(ws, "SELECT name, status, run_id FROM files") == [("two.x12", "processed", "r2")]
    assert _db(ws, "SELECT take, status, run_id, asked_by FROM file_takes") == [(1, "quarantined", "r1", "Ann")]
    assert (ws.drop_root / "acme" / "processed" / "two.x12").is_file()
    assert (ws.drop_root / "acme" / "quarantine" / "two.x12").is_file()


def test_a_file_left_in_an_inbox_we_may_not_change_is_taken_again_once(tmp_path):
    """`leave_in_inbox`: the first take's file is still on the server when ops ask; the kept copy is taken, the
    server's copy passed over as taken (no FILE_DUPLICATE), each run."""
    need_root()
    with LocalSshd(sftp_flags="-P remove,rename,posix-rename") as server:
        partner = Partner(server)
        partner.put("inbox", "two.x12", two_pos())
        ws, profile = _limited(tmp_path)
        with SftpDrop(server.settings(leave_in_inbox=True)) as drop:
            _intake(ws, drop, "r1")
            _retake(ws, profile)
            second = _intake(ws, drop, "r2")
            third = _intake(ws, drop, "r3")
        assert partner.names("inbox") == ["two.x12"]
    assert [f["code"] for f in second.findings] == ["FILE_RETAKEN"] and second.orders == 2
    assert (third.files, third.findings) == (0, [])
    assert _db(ws, "SELECT doc_type FROM documents") == [("997",)]
    assert _db(ws, "SELECT name, status, run_id FROM files") == [("two.x12", "processed", "r2")]
