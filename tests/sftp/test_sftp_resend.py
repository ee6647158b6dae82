"""`orderbridge resend` for a partner whose drop is an SFTP server (a private OpenSSH server): the kept copy goes
to the server's outbox byte for byte, or re-enveloped under new control numbers in a new file name, written as the
night writes (a temporary name renamed into place); a resend the connection dropped before is finished by the
next night's delivery under the same numbers, and nothing is written twice by a rerun (tests/test_resend.py for
local drops)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from typer.testing import CliRunner

from connectors.sftp import SftpDrop
from connectors.state import StateStore
from engine.resend import renumbered
from flows import documents
from flows.cli import app
from tests.sftp.test_sftp_warehouse_drops import _sftp_table
from tests.support import shipping_demo

pytestmark = pytest.mark.integration

ACME_810 = "acme-810-000000008.x12"  # INV0000002: ISA13 8, GS06 7, ST02 0007
NIGHT3 = datetime(2026, 11, 29, 2)
RESENT_AT = datetime(2026, 12, 1, 9, 30)  # the resend's --now: a renumbered copy's ISA and GS dates


@pytest.fixture
def ws(tmp_path, server):
    """The shipping demo's workspace with ACME's drop moved to the private SFTP server (its outbox empty: ACME
    took every file we sent)."""
    ws = shipping_demo(tmp_path / "ws")["ws"]
    path = ws.root / "partners" / "acme.toml"
    text = path.read_text()
    start = text.index("[drop]\n")
    end = text.index("\n[", start + 1) + 1
    path.write_text(text[:start] + _sftp_table(server) + "\n" + text[end:])
    assert ws.partners()["acme"].drop.kind == "sftp"
    return ws


def resend(ws, *args: str):
    return CliRunner().invoke(app, ["resend", "--partner", "acme", *args, "--by", "Ann", "--note",
                                    "ACME says INV0000002 never came", "-w", str(ws.root)])


def stored(ws) -> bytes:
    db = sqlite3.connect(ws.state_path)
    try:
        return bytes(db.execute("SELECT content FROM documents WHERE file_name=?", (ACME_810,)).fetchone()[0])
    finally:
        db.close()


def resends(ws) -> list[tuple]:
    db = sqlite3.connect(ws.state_path)
    try:
        return db.execute("SELECT isa13, gs06, file_name, status FROM resends ORDER BY id").fetchall()
    finally:
        db.close()


def deliver(ws, settings) -> int:
    state = StateStore(ws.state_path)
    try:
        with SftpDrop(settings) as drop:
            return documents.deliver_partner(ws.partners()["acme"], state, drop, now=NIGHT3)
    finally:
        state.close()


def test_an_810_goes_to_the_sftp_outbox_again_byte_for_byte_then_renumbered(ws, partner, settings):
    done = resend(ws, "--isa", "8")
    assert done.exit_code == 0, done.output
    assert partner.names("outbox") == [ACME_810] and partner.get("outbox", ACME_810) == stored(ws)
    partner.server.folder("outbox").joinpath(ACME_810).unlink()  # ACME takes it
    again = resend(ws, "--isa", "8", "--new-control-numbers", "--now", RESENT_AT.isoformat())
    assert again.exit_code == 0, again.output
    assert partner.names("outbox") == ["acme-810-000000013.x12"]
    assert partner.get("outbox", "acme-810-000000013.x12") == renumbered(stored(ws), isa13=13, gs06=12, at=RESENT_AT)
    assert resends(ws) == [("000000008", "7", ACME_810, "delivered"),
                           ("000000013", "12", "acme-810-000000013.x12", "delivered")]
    partner.server.folder("outbox").joinpath("acme-810-000000013.x12").unlink()
    assert deliver(ws, settings) == 0 and partner.names("outbox") == []  # the night sends neither again


def test_a_resend_cut_off_by_the_server_is_finished_by_the_night_under_the_same_numbers(ws, partner, settings,
                                                                                      server, monkeypatch):
    real = documents._write

    def dies(drop, folder, files, *args, **kwargs):
        server.kill()
        return real(drop, folder, files, *args, **kwargs)

    monkeypatch.setattr(documents, "_write", dies)
    cut = resend(ws, "--isa", "8", "--new-control-numbers", "--now", RESENT_AT.isoformat())
    assert cut.exit_code == 3, cut.output  # INCOMPLETE: recorded, not written
    assert resends(ws) == [("000000013", "12", "acme-810-000000013.x12", "pending")]
    monkeypatch.setattr(documents, "_write", real)
    server.restart()
    assert deliver(ws, settings) == 1  # at NIGHT3: the bytes recorded at RESENT_AT
    assert partner.names("outbox") == ["acme-810-000000013.x12"]
    assert partner.get("outbox", "acme-810-000000013.x12") == renumbered(stored(ws), isa13=13, gs06=12, at=RESENT_AT)
    assert resends(ws) == [("000000013", "12", "acme-810-000000013.x12", "delivered")]
    partner.server.folder("outbox").joinpath("acme-810-000000013.x12").unlink()
    assert deliver(ws, settings) == 0 and partner.names("outbox") == []
