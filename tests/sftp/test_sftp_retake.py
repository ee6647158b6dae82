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


def test_a_3pl_945_held_before_its_po_was_in_ships_from_its_kept_copy_when_taken_again(tmp_path, server, partner):
    """A 3PL's 945 on its SFTP server, taken before the night that takes GLOBEX-2001 in: held (PO unknown),
    moved on the server, nothing shipped. Taken again once the PO is in: its 856 is built from the kept copy,
    the server untouched; then refused, naming the shipment."""
    from datetime import datetime

    from tests.sftp.test_sftp_warehouse_drops import NIGHT1, NORTH_945, _856s, _north_on_sftp, _shipments
    from tests.support import run_stages, shipping_workspace

    ws = shipping_workspace(tmp_path / "ws")
    _north_on_sftp(ws, server)
    partner.put("inbox", NORTH_945.name, NORTH_945.read_bytes())
    early = {w["warehouse"]: w for w in _shipments(ws, datetime(2026, 11, 26, 14, 30))["warehouses"]}["north"]
    assert (early["failure"], early["quarantined"], early["shipments"]) == ("", 1, 0)
    assert partner.names("processed") == [NORTH_945.name] and partner.names("inbox") == []
    run_stages(ws, NIGHT1)
    assert _856s(ws, "globex") == 0
    done = CliRunner().invoke(app, ["retake", NORTH_945.name, "--warehouse", "north", "--by", "Dana", "--note",
                                    "GLOBEX-2001 taken in", "-w", str(ws.root)])
    assert done.exit_code == 0, done.output
    again = {w["warehouse"]: w for w in _shipments(ws, datetime(2026, 11, 27, 14, 30))["warehouses"]}["north"]
    assert (again["failure"], again["processed"], again["shipments"]) == ("", 1, 1)
    assert _856s(ws, "globex") == 1
    assert partner.names("inbox") == [] and partner.names("processed") == [NORTH_945.name]
    assert _db(ws, "SELECT take, status, asked_by FROM file_takes") == [(1, "quarantined", "Dana")]
    refused = CliRunner().invoke(app, ["retake", NORTH_945.name, "--warehouse", "north", "--by", "Dana", "--note",
                                       "again", "-w", str(ws.root)])
    assert refused.exit_code == 2 and "shipment" in refused.output
