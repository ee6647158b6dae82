"""`orderbridge resend`: a document we delivered, sent again when the partner says it never arrived - its kept
copy byte for byte, or the same sets under a new ISA13/GS06 from the partner's counters (never reused) - recorded
(who, when, why, file, numbers) and shown in `status`; a crash between numbering and writing is finished by the
next run under the same numbers, nothing is delivered twice by a rerun of the night, a 997 answering the resend's
numbers decides the document, and the reconciliation counts it once. Refused (exit 2, nothing done): a document
never sent, one the partner rejected, a partner whose delivery is not configured. (tests/sftp/test_sftp_resend.py:
the same over SFTP.)"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime
from urllib.parse import urlencode

import pytest
from typer.testing import CliRunner

from connectors.local import LocalDrop
from connectors.state import StateStore
from engine.resend import NotAnInterchange, renamed, renumbered
from flows import documents, steps
from flows.cli import app
from flows.reconcile import reconcile_run
from tests.support import said, shipping_demo
from tests.support import state_rows as rows
from tests.support_console import Client, ConsoleServer, add_users
from tests.test_finance_flow import partner_997

NIGHT3 = datetime(2026, 11, 29, 2)
ACME_810 = "acme-810-000000008.x12"  # INV0000002 (ACME-1001, shipment SHP-1001): ISA13 8, GS06 7, ST02 0007


@pytest.fixture
def ws(tmp_path):
    return shipping_demo(tmp_path / "ws")["ws"]


def cli(ws, *args: str):
    return CliRunner().invoke(app, [*args, "-w", str(ws.root)])


def resend(ws, *args: str, by: str = "Ann", note: str = "ACME says it never arrived"):
    return cli(ws, "resend", "--partner", "acme", *args, "--by", by, "--note", note)




def stored(ws, file_name: str) -> bytes:
    return bytes(rows(ws, "SELECT content FROM documents WHERE partner='acme' AND file_name=?", (file_name,))[0][0])


def outbox(ws, partner: str = "acme"):
    return ws.drop_root / partner / "outbox"


def taken(ws, name: str) -> bytes:
    """The partner takes a file out of its outbox (what a poller does)."""
    path = outbox(ws) / name
    data = path.read_bytes()
    path.unlink()
    return data


def counters(ws, partner: str = "acme") -> dict[str, int]:
    return dict(rows(ws, "SELECT kind, last FROM control_numbers WHERE partner=?", (partner,)))


def deliver(ws, partner: str = "acme", now: datetime = NIGHT3) -> int:
    state = StateStore(ws.state_path)
    try:
        return documents.deliver_partner(ws.partners()[partner], state, LocalDrop(ws.drop_root / partner), now=now)
    finally:
        state.close()


def test_the_kept_810_goes_again_byte_for_byte_and_is_recorded(ws):
    sent = taken(ws, ACME_810)
    assert sent == stored(ws, ACME_810)
    done = resend(ws, "--document", "810:INV0000002")
    assert done.exit_code == 0, done.output
    assert (outbox(ws) / ACME_810).read_bytes() == sent  # the same name, the same bytes
    assert "byte for byte" in said(done) and "ISA13 000000008" in said(done)
    [row] = rows(ws, "SELECT doc_type, renumbered, file_name, isa13, gs06, st02s, status, asked_by, note FROM resends")
    assert row == ("810", 0, ACME_810, "000000008", "7", "0007", "delivered", "Ann", "ACME says it never arrived")
    story = json.loads(cli(ws, "status", "ACME-1001", "--partner", "acme", "--json").stdout)
    [shown] = story["resends"]
    assert (shown["type"], shown["file_name"], shown["isa13"], shown["new_control_numbers"], shown["asked_by"]) == (
        "810", ACME_810, "000000008", False, "Ann")
    assert "was sent again as acme-810-000000008.x12" in said(cli(ws, "status", "ACME-1001", "--partner", "acme"))
    add_users(ws.root)
    with ConsoleServer(ws.root) as server:  # the console's order page: a section of its own
        c = Client(server.url)
        c.sign_in("vic")
        code, page = c.get("/order?" + urlencode({"partner": "acme", "po": "ACME-1001"}))
    assert code == 200
    table = re.search(r'<table id="more-resends">.*?</table>', page, flags=re.S).group(0)
    assert ACME_810 in table and "ACME says it never arrived" in table and "Ann" in table
    log = json.loads(cli(ws, "resends", "--json").stdout)  # the resend log
    assert [(r["partner"], r["doc_type"], r["po_numbers"], r["file_name"], r["asked_by"]) for r in log] == [
        ("acme", "810", "ACME-1001", ACME_810, "Ann")]
    table = cli(ws, "resends", "--partner", "acme").output
    assert "1 document(s) sent again" in table and "Ann" in table and "ACME-1001" in table
    # the night delivers nothing of it again: its documents and its resends are delivered
    taken(ws, ACME_810)
    assert deliver(ws) == 0 and not (outbox(ws) / ACME_810).exists()


def test_a_file_still_in_the_outbox_is_said_untaken_and_not_written_over(ws):
    before = (outbox(ws) / ACME_810).stat().st_mtime_ns
    done = resend(ws, "--isa", "8")
    assert done.exit_code == 0, done.output
    assert "has not taken it yet" in said(done)
    assert (outbox(ws) / ACME_810).stat().st_mtime_ns == before
    (outbox(ws) / ACME_810).write_bytes(b"someone else's file")
    other = resend(ws, "--isa", "8")
    assert other.exit_code == 2 and "holds other bytes" in said(other)
    assert rows(ws, "SELECT COUNT(*) FROM resends") == [(1,)]


def test_new_control_numbers_come_from_the_counters_and_are_never_reused(ws):
    taken(ws, ACME_810)
    assert (counters(ws)["ISA"], counters(ws)["GS"], counters(ws)["ST"]) == (12, 11, 11)
    done = resend(ws, "--file", ACME_810, "--new-control-numbers", "--now", "2026-12-01T09:30:00",
                  note="their translator dropped ISA13 8")
    assert done.exit_code == 0, done.output
    new = (outbox(ws) / "acme-810-000000013.x12").read_bytes()
    old = stored(ws, ACME_810)
    assert new == renumbered(old, isa13=13, gs06=12, at=datetime(2026, 12, 1, 9, 30))
    assert b"*000000013*" in new and b"IEA*1*000000013~" in new and b"GE*1*12~" in new and b"ST*810*0007~" in new
    # everything but the envelope's numbers and dates as sent: the sets byte for byte
    assert old.split(b"~")[2:-3] == new.split(b"~")[2:-3]
    assert (counters(ws)["ISA"], counters(ws)["GS"], counters(ws)["ST"]) == (13, 12, 11)
    assert not (outbox(ws) / ACME_810).exists()  # the old file is not sent again
    # a second one takes the next numbers; the night's next document the ones after
    again = resend(ws, "--isa", "8", "--new-control-numbers")
    assert again.exit_code == 0, again.output
    assert (outbox(ws) / "acme-810-000000014.x12").is_file()
    assert rows(ws, "SELECT isa13, gs06, file_name FROM resends ORDER BY id") == [
        ("000000013", "12", "acme-810-000000013.x12"), ("000000014", "13", "acme-810-000000014.x12")]
    state = StateStore(ws.state_path)
    try:
        assert state.take_numbers("acme", "ISA", 1) == [15] and state.take_numbers("acme", "GS", 1) == [14]
    finally:
        state.close()


def test_a_crash_between_numbering_and_writing_is_finished_under_the_same_numbers(ws, monkeypatch):
    taken(ws, ACME_810)
    real = documents._write

    def crash(*args, **kwargs):
        raise OSError("killed before the write")

    monkeypatch.setattr(documents, "_write", crash)
    failed = resend(ws, "--isa", "8", "--new-control-numbers", "--now", "2026-12-01T09:30:00")
    assert failed.exit_code != 0
    assert rows(ws, "SELECT isa13, gs06, status FROM resends") == [("000000013", "12", "pending")]
    assert not (outbox(ws) / "acme-810-000000013.x12").exists()
    monkeypatch.setattr(documents, "_write", real)
    # the same command again finishes it: no new numbers
    done = resend(ws, "--isa", "8", "--new-control-numbers", "--now", "2026-12-01T10:00:00")  # nor a new date
    assert done.exit_code == 0, done.output
    assert rows(ws, "SELECT isa13, gs06, status FROM resends") == [("000000013", "12", "delivered")]
    assert (outbox(ws) / "acme-810-000000013.x12").read_bytes() == renumbered(stored(ws, ACME_810), isa13=13, gs06=12,
                                                                              at=datetime(2026, 12, 1, 9, 30))
    assert counters(ws)["ISA"] == 13


def test_the_nights_delivery_writes_a_resend_a_crash_left_pending_once(ws, monkeypatch):
    taken(ws, ACME_810)
    monkeypatch.setattr(documents, "_write", lambda *a, **k: (_ for _ in ()).throw(OSError("killed")))
    assert resend(ws, "--isa", "8").exit_code != 0
    monkeypatch.undo()
    state = StateStore(ws.state_path)
    try:
        assert state.has_pending("acme")  # the night's delivery of acme runs for it
    finally:
        state.close()
    assert deliver(ws) == 1
    assert taken(ws, ACME_810) == stored(ws, ACME_810)
    assert rows(ws, "SELECT status, delivered_at FROM resends") == [("delivered", NIGHT3.isoformat())]
    assert deliver(ws) == 0 and not (outbox(ws) / ACME_810).exists()  # a rerun of the night: nothing twice


def test_the_997_for_the_resends_numbers_decides_the_810_counted_once(ws):
    taken(ws, ACME_810)
    assert resend(ws, "--isa", "8", "--new-control-numbers").exit_code == 0
    partner_997(ws, "acme", [[["AK1", "IN", "12"], ["AK2", "810", "0007"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]],
                name="acme-997-resend.x12")
    state = StateStore(ws.state_path)
    try:
        steps.intake_partner(ws, ws.partners()["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NIGHT3,
                             run_id="n3")
        assert "FA_UNMATCHED" not in {f["code"] for f in state.findings("n3", "acme")}
        reconcile_run(ws, ws.partners(), state, now=NIGHT3, run_id="n3")
        verdicts = [v for v in state.document_status("acme") if v["doc_type"] == "810"]
        mine = [v for v in verdicts if v["st02"] == "0007"]
        assert [(v["isa13"], v["gs06"], v["status"]) for v in mine] == [("000000013", "12", "accepted")]
        assert len(verdicts) == len({(v["gs06"], v["st02"]) for v in verdicts})
        # one 810 per invoice: the resend is no second document of ours
        assert state.sent_documents(("810",), content=False).num_rows == 5
        sets = state.sent_sets_of(("810",), partner="acme")
        assert sorted(sets["st02"].to_pylist()) == ["0007", "0011"]
    finally:
        state.close()
    story = json.loads(cli(ws, "status", "ACME-1001", "--partner", "acme", "--json").stdout)
    assert [d["type"] for d in story["documents"]].count("810") == 2  # INV0000002 and INV0000004, each once


def test_refused_a_document_never_sent_one_rejected_and_a_partner_without_delivery(ws):
    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=NIGHT3, run_id="n3")  # INITECH-3000's 855: rejected by its 997
    finally:
        state.close()
    rejected = cli(ws, "resend", "--partner", "initech", "--po", "INITECH-3000", "--type", "855", "--by", "Ann",
                   "--note", "x")
    assert rejected.exit_code == 2 and "rejected" in said(rejected) and "corrected" in said(rejected)
    db = sqlite3.connect(ws.state_path)
    db.execute("UPDATE documents SET status='pending' WHERE partner='acme' AND file_name=?", (ACME_810,))
    db.commit()
    db.close()
    never = resend(ws, "--isa", "8")
    assert never.exit_code == 2 and "never sent" in said(never)
    unknown = resend(ws, "--isa", "999")
    assert unknown.exit_code == 2 and "no document" in said(unknown)
    csv = cli(ws, "resend", "--partner", "umbrella", "--type", "CSV", "--po", "UMB-6001", "--by", "Ann", "--note", "x",
              "--new-control-numbers")
    assert csv.exit_code == 2 and "no control numbers" in said(csv)
    (ws.drop_root / "acme").rename(ws.drop_root / "acme-moved")
    nowhere = resend(ws, "--isa", "12")
    assert nowhere.exit_code == 2 and "not configured" in said(nowhere)
    assert rows(ws, "SELECT COUNT(*) FROM resends") == [(0,)]


def test_dry_run_prints_what_would_go_and_does_nothing(ws):
    taken(ws, ACME_810)
    before = counters(ws)
    done = resend(ws, "--po", "ACME-1001", "--type", "810", "--dry-run")
    assert done.exit_code == 2 and "names 2 documents" in said(done)  # two 810s: name one
    done = resend(ws, "--isa", "8", "--new-control-numbers", "--dry-run")
    assert done.exit_code == 0, done.output
    assert "Would send 810 acme-810-000000008.x12" in said(done) and "Nothing was done" in said(done)
    assert counters(ws) == before and rows(ws, "SELECT COUNT(*) FROM resends") == [(0,)]
    assert not (outbox(ws) / ACME_810).exists() and not (outbox(ws) / "acme-810-000000013.x12").exists()


def test_renumbered_keeps_every_other_byte_and_names_the_new_file():
    ta1 = (b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *261127*0200*U*00401*000000002"
           b"*0*P*>~\r\nTA1*000000007*261127*0200*A*000~\r\nIEA*0*000000002~\r\n")
    assert renumbered(ta1, isa13=42, gs06=0) == ta1.replace(b"000000002", b"000000042")
    with pytest.raises(NotAnInterchange):
        renumbered(b"po,line\n1,2\n", isa13=1, gs06=1)
    assert renamed("acme-810-000000008.x12", "000000008", 13) == "acme-810-000000013.x12"
    assert renamed("INV_8_2026.edi", "000000008", 13) == "INV_000000013_2026.edi"
    assert renamed("invoice.edi", "000000008", 13) == "invoice-resend-000000013.edi"
