"""The night when things go wrong, as ops live it: what `orderbridge run` exits with, what its failures report,
its summary and `orderbridge status` say, and which files are left where, when the drop holds uploads still being
written (the partners' `.tmp`/`.part`/`.filepart` conventions, in any letter case, a zero-byte file), the same file
dropped again under another name or the same name on a later night with other contents, names with spaces and
non-ASCII letters, an outbox that cannot be written (a full disk, a read-only folder), an inbox whose files cannot be
moved after they are taken (permission denied), a run killed twice in a row and run again, the clock going back an
hour between two runs (the end of daylight saving time) and an interchange dated in the future. Nothing may
disappear or be sent twice, no control number is used twice, and ops are told what to do.

The partner is the demo's ACME (a local drop, 997s and 855s), its 850s written here for SKU-1001 (19.70, in stock)
so that a clean night exits 0 and every answer can be read back. Runs go through the command line in this process
(`--no-prefect --no-gx`), the kills through tests/crash_harness.py's forked runs.
"""

from __future__ import annotations

import errno
import json
import os
import signal
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import connectors.local as local
from flows.cli import app
from tests import crash_harness
from tests.crash_harness import (
    CLI,
    NIGHTS,
    Baseline,
    _forked,
    differences,
    drop_night,
    new_workspace,
    orderbridge,
    runs,
    snapshot,
)
from tests.support import REPO, said, write_settled

ISA = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *{date}*0200*U*00401*{isa13:09d}*0*P*>~\n"
       "GS*PO*ACMERETAIL*ORDERBRIDGE*20{date}*0200*{isa13}*X*004010~\n")


def po850(po: str, isa13: int, *, qty: int = 5, date: str = "261126") -> bytes:
    """One ACME 850 for ``qty`` of SKU-1001 at our price (accepted as ordered), in an interchange of its own."""
    body = [f"BEG*00*SA*{po}**20261126", "CUR*BY*USD", "DTM*010*20261210",
            "N1*ST*Acme Distribution Center*92*DC01", f"PO1*1*{qty}*EA*19.70*PE*VN*VP-1001", "CTT*1"]
    st = "".join(s + "~\n" for s in ["ST*850*0001", *body, f"SE*{len(body) + 2}*0001"])
    return (ISA.format(date=date, isa13=isa13) + st + f"GE*1*{isa13}~\nIEA*1*{isa13:09d}~\n").encode()


def night(ws: Path, now: str) -> tuple[int, str, dict]:
    """`orderbridge run` at ``now``: its exit status, what it printed (lines joined) and its summary.json."""
    res = CliRunner().invoke(app, ["run", "-w", str(ws), "--now", now, "--no-prefect", "--no-gx"])
    assert "Traceback" not in res.output, res.output
    run_id = datetime.fromisoformat(now).strftime("%Y%m%dT%H%M%S")
    summary = ws / "reports" / run_id / "summary.json"
    return res.exit_code, said(res), json.loads(summary.read_text()) if summary.is_file() else {}


def acme(summary: dict) -> dict:
    return next(p for p in summary["partners"] if p["partner"] == "acme")


def outbox(ws: Path) -> list[str]:
    return sorted(p.name for p in (ws / "drop" / "acme" / "outbox").iterdir())


def folder(ws: Path, name: str) -> list[str]:
    where = ws / "drop" / "acme" / name
    return sorted(p.name for p in where.iterdir()) if where.is_dir() else []


def segments(ws: Path, name: str) -> list[list[str]]:
    text = (ws / "drop" / "acme" / "outbox" / name).read_text(encoding="utf-8")
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def answered(ws: Path) -> dict[str, list[str]]:
    """Each 855 in acme's outbox by the PO it answers (BAK03) -> its BAK02 and its line's ACK01."""
    out = {}
    for name in outbox(ws):
        if "-855-" in name:
            segs = segments(ws, name)
            bak = next(s for s in segs if s[0] == "BAK")
            out[bak[3]] = [bak[2], *(s[1] for s in segs if s[0] == "ACK")]
    return out


def failures_rows(ws: Path, run_id: str) -> list[tuple]:
    import csv
    import io

    text = (ws / "reports" / run_id / "failures.csv").read_text(encoding="utf-8")
    return [tuple(r) for r in csv.reader(io.StringIO(text))]


def failures(ws: Path, run_id: str) -> list[dict]:
    import csv
    import io

    text = (ws / "reports" / run_id / "failures.csv").read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def state_rows(ws: Path, sql: str) -> list[tuple]:
    import sqlite3

    db = sqlite3.connect(ws / "state" / "orderbridge.sqlite")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def sent_once(ws: Path) -> None:
    """No control number used twice, no PO answered by two 855s, every document delivered exactly once."""
    docs = state_rows(ws, "SELECT partner, doc_type, isa13, status FROM documents")
    assert len({(p, n) for p, _t, n, _s in docs}) == len(docs)
    pos = [next(s for s in segments(ws, n) if s[0] == "BAK")[3] for n in outbox(ws) if "-855-" in n]
    assert len(pos) == len(set(pos)), pos
    files = [p.name for p in ws.glob("drop/*/outbox/*")]
    assert not [n for n in files if n.startswith(".")]  # no temporary of ours left
    assert sorted(n for n in files) == sorted(
        f"{p}-{t}-{n}.x12" for p, t, n, s in docs if s == "delivered")


@pytest.fixture
def ws(tmp_path):
    ws = new_workspace(tmp_path / "ws", shipping=False)
    (ws / "drop" / "acme" / "inbox").mkdir(parents=True)
    return ws


def inbox(ws: Path) -> Path:
    return ws / "drop" / "acme" / "inbox"


# --- uploads still being written --------------------------------------------------------------------------
def test_uploads_still_being_written_are_left_in_the_inbox_in_any_letter_case_and_taken_once_complete(ws):
    """A partner's upload under a temporary name is never read, whatever the case of its suffix: WinSCP's
    `.filepart`, `.part`, `.tmp`, and the same written in capitals by a Windows or mainframe client (`PO7.X12.TMP`,
    `PO8.EDI.PART`, `PO9.X12.FILEPART`). Before: a name ending in `.TMP` was read half written, its interchange
    refused with a TA1 R sent to the partner for a file it was still uploading and the file quarantined; the
    complete file, renamed a minute later, was a second interchange under the same ISA13."""
    whole = {"PO-9301": po850("PO-9301", 9301)}
    write_settled(inbox(ws) / "po-9301.x12", whole["PO-9301"])
    half, final = {}, {}
    for k, name in enumerate(["po-9302.x12.filepart", "po-9303.x12.part", "po-9304.x12.tmp", "PO9305.X12.TMP",
                              "PO9306.EDI.PART", "PO9307.X12.FILEPART", "PO9308.x12.Tmp"], start=2):
        po = f"PO-93{k:02d}"
        whole[po] = po850(po, 9300 + k)
        half[name] = whole[po][:150]  # cut inside its ISA/GS: what a reader would see mid-upload
        final[name] = (name.rsplit(".", 1)[0], po)
        write_settled(inbox(ws) / name, half[name])
    status, out, summary = night(ws, "2026-11-27T02:00:00")
    assert status == 0, out
    assert (acme(summary)["files"], acme(summary)["quarantined"], acme(summary)["errors"]) == (1, 0, 0)
    assert folder(ws, "inbox") == sorted(half) and folder(ws, "quarantine") == []
    assert [n for n in outbox(ws) if "TA1" in n] == []  # nothing said to the partner about its uploads
    assert answered(ws) == {"PO-9301": ["AD", "IA"]}
    assert failures(ws, "20261127T020000") == []
    # the uploads finish: each renamed to its final name, and the next night takes them
    for name, (to, po) in final.items():
        (inbox(ws) / name).unlink()
        write_settled(inbox(ws) / to, whole[po])
    status, out, summary = night(ws, "2026-11-28T02:00:00")
    assert status == 0, out
    assert (acme(summary)["files"], acme(summary)["quarantined"], acme(summary)["duplicates"]) == (7, 0, 0)
    assert answered(ws) == {po: ["AD", "IA"] for po in whole}
    assert folder(ws, "inbox") == [] and len(folder(ws, "processed")) == 8
    sent_once(ws)


def test_a_zero_byte_file_is_quarantined_with_a_finding_and_answered_with_nothing(ws):
    """An empty file left in the inbox (an upload that created its file and never wrote it): quarantined with the
    finding that says it is empty, exit 1, no TA1 or 997 (there is no interchange to answer), and the partner's
    other file is answered as usual. The same name sent again whole the next night is taken as the order."""
    write_settled(inbox(ws) / "po-9311.x12", b"")
    write_settled(inbox(ws) / "po-9312.x12", po850("PO-9312", 9312))
    status, out, summary = night(ws, "2026-11-27T02:00:00")
    assert status == 1, out
    assert (acme(summary)["files"], acme(summary)["quarantined"]) == (2, 1)
    [row] = failures(ws, "20261127T020000")
    assert (row["file"], row["code"], row["severity"], row["consequence"]) == (
        "po-9311.x12", "X12_NOT_EDI", "error", "file quarantined")
    assert "The file is empty" in row["message"]
    assert folder(ws, "quarantine") == ["po-9311.x12"] and folder(ws, "inbox") == []
    assert answered(ws) == {"PO-9312": ["AD", "IA"]} and [n for n in outbox(ws) if "TA1" in n] == []
    write_settled(inbox(ws) / "po-9311.x12", po850("PO-9311", 9311))
    status, out, _summary = night(ws, "2026-11-28T02:00:00")
    assert status == 0, out
    assert answered(ws) == {"PO-9311": ["AD", "IA"], "PO-9312": ["AD", "IA"]}
    assert (ws / "drop/acme/quarantine/po-9311.x12").read_bytes() == b""  # the empty one kept as it came
    sent_once(ws)


# --- the same file again, names of every kind ---------------------------------------------------------------
def test_a_resend_under_another_name_and_the_same_name_with_other_contents_later(ws):
    """Night 1: `Bestellung Nr 5 – Größe L.x12` (spaces, non-ASCII, a dash of U+2013) and the same bytes as
    `Bestellung Nr 5 – Größe L (1).x12` (a partner's system sending it twice): the first listed (the copy: a space
    sorts before the dot) is taken and answered, the other reported once as FILE_DUPLICATE naming it (a warning:
    exit 0), nothing sent again. Night 2: the first name again
    with another PO: taken and answered, the older file kept beside it in processed/."""
    name = "Bestellung Nr 5 – Größe L.x12"
    write_settled(inbox(ws) / name, po850("PO-9321", 9321))
    write_settled(inbox(ws) / "Bestellung Nr 5 – Größe L (1).x12", po850("PO-9321", 9321))
    status, out, summary = night(ws, "2026-11-27T02:00:00")
    assert status == 0, out
    assert (acme(summary)["files"], acme(summary)["duplicates"], acme(summary)["errors"]) == (2, 1, 0)
    [row] = failures(ws, "20261127T020000")
    assert (row["file"], row["code"], row["severity"], row["consequence"]) == (
        name, "FILE_DUPLICATE", "warning", "nothing sent again")
    assert "Bestellung Nr 5 – Größe L (1).x12" in row["message"]
    assert answered(ws) == {"PO-9321": ["AD", "IA"]}
    assert len([n for n in outbox(ws) if "-997-" in n]) == 1
    write_settled(inbox(ws) / name, po850("PO-9322", 9322, qty=7))
    status, out, summary = night(ws, "2026-11-28T02:00:00")
    assert status == 0, out
    assert answered(ws) == {"PO-9321": ["AD", "IA"], "PO-9322": ["AD", "IA"]}
    assert folder(ws, "processed") == sorted([name, "Bestellung Nr 5 – Größe L (1).x12",
                                              "Bestellung Nr 5 – Größe L-2.x12"])
    assert b"PO-9322" in (ws / "drop/acme/processed/Bestellung Nr 5 – Größe L-2.x12").read_bytes()
    assert b"PO-9321" in (ws / "drop/acme/processed" / name).read_bytes()
    [line] = state_rows(ws, "SELECT ordered, ack FROM order_lines WHERE po_number='PO-9322'")
    assert float(line[0]) == 7 and line[1] == "IA"
    sent_once(ws)


# --- an outbox that cannot be written -------------------------------------------------------------------------
@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS, errno.EACCES], ids=errno.errorcode.get)
def test_an_outbox_that_cannot_be_written_keeps_the_answers_and_the_next_run_sends_each_once(ws, monkeypatch, err):
    """The disk under acme's outbox is full (or mounted read-only, or the folder's permissions changed) while the
    run writes its 997 and 855: exit 3 (not done), the partner's failure names the error and the folder's path,
    and says what waits (before: `(folder='outbox')`, no path and nothing about the documents kept); nothing is
    half written there; `status` shows the 855 not delivered. The next run, the folder writable again, sends the
    same two documents under the numbers they were given, once."""
    write_settled(inbox(ws) / "po-9331.x12", po850("PO-9331", 9331, qty=4))
    real = local._write_temporary

    def refused(dfd, where, name, data, *, fsync):
        if Path(where) == ws / "drop" / "acme" / "outbox":
            raise OSError(err, os.strerror(err))
        return real(dfd, where, name, data, fsync=fsync)

    monkeypatch.setattr(local, "_write_temporary", refused)
    status, out, summary = night(ws, "2026-11-27T02:00:00")
    assert status == 3, out
    assert (acme(summary)["delivered"], acme(summary)["pending"], acme(summary)["documents"]) == (
        0, 2, {"997": 1, "855": 1})
    assert acme(summary)["failure"].startswith(f"delivery: StorageError: the drop folder cannot be written: "
                                               f"{os.strerror(err)}")
    assert str(ws / "drop" / "acme" / "outbox") in acme(summary)["failure"]
    assert f"acme failed: delivery: StorageError: the drop folder cannot be written: {os.strerror(err)}" in out
    assert "2 document(s) of this run kept, not sent yet: the next run sends them" in out
    html = (ws / "reports" / "20261127T020000" / "summary.html").read_text(encoding="utf-8")
    assert "Partner acme failed: delivery: StorageError" in html
    assert "2 document(s) of this run are not delivered yet: the next run delivers them" in html
    assert outbox(ws) == [] and folder(ws, "processed") == ["po-9331.x12"]
    before = state_rows(ws, "SELECT doc_type, isa13, status FROM documents ORDER BY isa13")
    assert before == [("997", "000000001", "pending"), ("855", "000000002", "pending")]
    shown = CliRunner().invoke(app, ["status", "PO-9331", "-w", str(ws)])
    assert shown.exit_code == 0 and "acme-855-000000002.x12" in said(shown) and "pending" in said(shown)
    monkeypatch.setattr(local, "_write_temporary", real)
    status, out, summary = night(ws, "2026-11-27T06:30:00")  # ops freed the disk and ran it again
    assert status == 0, out
    assert outbox(ws) == ["acme-855-000000002.x12", "acme-997-000000001.x12"]
    assert answered(ws) == {"PO-9331": ["AD", "IA"]}
    ak = [s for s in segments(ws, "acme-997-000000001.x12") if s[0] in ("AK1", "AK9")]
    assert ak == [["AK1", "PO", "9331"], ["AK9", "A", "1", "1", "1"]]
    assert state_rows(ws, "SELECT doc_type, isa13, status FROM documents ORDER BY isa13") == [
        ("997", "000000001", "delivered"), ("855", "000000002", "delivered")]
    sent_once(ws)


# --- an inbox whose files cannot be moved after they are taken ----------------------------------------------
def test_inbox_files_that_cannot_be_moved_are_each_answered_once_and_moved_when_they_can(ws, monkeypatch):
    """The inbox is a share the partner's account owns and ours may read but not change (permission denied on
    the move to processed/): every file is taken and answered, each left in the inbox with its move owed, and the
    partner fails (exit 3) with what to do: the folder to give write permission on, the files, and that the next
    run answers nothing again. Before: the partner failed at the first file's move with a bare PermissionError,
    and its other files were never read, night after night (one order answered, the rest waiting). The next night,
    still refused, answers nothing again (no 997 or 855 twice, no FILE_DUPLICATE). Once the permission is given,
    the owed moves are made."""
    for k in (1, 2):
        write_settled(inbox(ws) / f"po-934{k}.x12", po850(f"PO-934{k}", 9340 + k, qty=k))
    real = local.LocalDrop._place

    def refused(self, src, to, name):
        if Path(src).parent == inbox(ws):
            raise PermissionError(errno.EACCES, "Permission denied", str(src))
        return real(self, src, to, name)

    monkeypatch.setattr(local.LocalDrop, "_place", refused)
    for now in ("2026-11-27T02:00:00", "2026-11-28T02:00:00"):
        status, out, summary = night(ws, now)
        assert status == 3, out
        failure = acme(summary)["failure"]
        assert failure.startswith("intake: StorageError: 2 file(s) were taken and answered but could not be moved "
                                  "out of the inbox (permission denied): give OrderBridge write permission on "
                                  f"{inbox(ws)} and its processed/ and quarantine/; the next run moves them and "
                                  "answers nothing again"), failure
        assert "po-9341.x12, po-9342.x12" in failure
        assert folder(ws, "inbox") == ["po-9341.x12", "po-9342.x12"] and folder(ws, "processed") == []
        assert answered(ws) == {"PO-9341": ["AD", "IA"], "PO-9342": ["AD", "IA"]} and len(outbox(ws)) == 4
        assert "FILE_DUPLICATE" not in [r[0] for r in state_rows(ws, "SELECT code FROM findings")]
    assert acme(summary)["files"] == 0  # nothing new the second night
    monkeypatch.setattr(local.LocalDrop, "_place", real)
    status, out, summary = night(ws, "2026-11-29T02:00:00")
    assert status == 0, out
    assert (acme(summary)["files"], acme(summary)["duplicates"], acme(summary)["failure"]) == (0, 0, "")
    assert folder(ws, "inbox") == [] and folder(ws, "processed") == ["po-9341.x12", "po-9342.x12"]
    assert answered(ws) == {"PO-9341": ["AD", "IA"], "PO-9342": ["AD", "IA"]} and len(outbox(ws)) == 4
    assert state_rows(ws, "SELECT COUNT(*) FROM files WHERE disposed_at IS NULL") == [(0,)]
    sent_once(ws)


# --- a run killed, and killed again -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return Baseline(tmp_path_factory.mktemp("rg93-baseline"))


def _killed(ws: Path, point: str) -> None:
    res = orderbridge(ws, 0, env={"ORDERBRIDGE_KILL_AT": point})
    assert res.returncode == -signal.SIGKILL, res.stdout + res.stderr


def _run_at(ws: Path, now: str, *, kill: str = "") -> int:
    """`orderbridge run` at ``now`` in a process of its own (tests/crash_harness.py), killed at ``kill``: its status."""
    args = [*CLI, "run", "-w", str(ws), "--now", now, "--no-prefect", "--no-gx"]
    env = {**os.environ, "PYTHONPATH": str(REPO), **({"ORDERBRIDGE_KILL_AT": kill} if kill else {})}
    status, _out, _err = _forked(args, env, ws.parent, 0.0, 600)
    return status


@pytest.mark.slow
def test_a_night_killed_twice_in_a_row_then_run_again_equals_an_uninterrupted_night(baseline, tmp_path):
    """The demo's night 1 killed (SIGKILL: an OOM kill, a power cut) after the third file's intake commit, run again
    by cron and killed again while writing its fifth outbox file, then run a third time: the outbox, the store
    (control numbers, documents, orders, lines, reservations, files, findings) and the failures report are those of
    the night run once without a kill; the run is on record once, finished, covering its own two crashes."""
    ws = new_workspace(tmp_path / "ws")
    drop_night(ws, 0)
    _killed(ws, "after-intake-commit@3")
    assert runs(ws) == [("20261127T020000", NIGHTS[0][1], "running", "")]
    _killed(ws, "mid-outbox-write@5")
    assert [n.name for n in ws.glob("drop/*/outbox/.tmp-*")]  # the killed write's temporary, left behind
    last = orderbridge(ws, 0)
    assert last.returncode == 1, last.stdout + last.stderr  # done; the demo's input has error findings
    assert differences(snapshot(ws, 0), baseline.snaps[0]) == []
    assert [(r, s, c) for r, _clock, s, c in runs(ws)] == [("20261127T020000", "finished", "20261127T020000")]


@pytest.mark.slow
def test_a_night_killed_then_killed_again_in_the_morning_run_sends_each_document_once(baseline, tmp_path,
                                                                                      monkeypatch):
    """Night 1 killed after its decide stage numbered the 855s; ops run it by hand at 06:30 and that run is killed
    too, mid-delivery; a third run at 07:00 completes both. Each run that died is on record as crashed and named
    by the run that completed its work; the outbox, the store and the failures report (the 07:00 run's, covering
    both) are the uninterrupted night's: every document sent once under the numbers the first run gave it."""
    ws = new_workspace(tmp_path / "ws")
    drop_night(ws, 0)
    _killed(ws, "after-numbering")
    assert _run_at(ws, "2026-11-27T06:30:00", kill="mid-outbox-write@4") == -signal.SIGKILL
    assert _run_at(ws, "2026-11-27T07:00:00") == 1  # done; the demo's input has error findings
    assert [(r, s, c) for r, _clock, s, c in runs(ws)] == [
        ("20261127T020000", "crashed", ""), ("20261127T063000", "crashed", "20261127T020000"),
        ("20261127T070000", "finished", "20261127T020000,20261127T063000")]
    report = sorted(row[:-1] for row in failures_rows(ws, "20261127T070000"))
    monkeypatch.setattr(crash_harness, "night_report", lambda *_a: [])  # no run finished on night 1's clock
    want = {**baseline.snaps[0], "report": []}
    assert differences(snapshot(ws, 0), want) == []
    assert report == sorted(row[:-1] for row in baseline.snaps[0]["report"])  # the run id column aside


# --- the clock going back an hour, an interchange dated ahead -----------------------------------------------------
def test_the_run_clock_going_back_an_hour_between_two_runs_uses_no_number_twice(ws):
    """The end of daylight saving time: the 02:30 run, then one whose clock reads 01:45 (an hour later, set back).
    Each run answers its own PO; the control numbers go on from where they were (1-2, then 3-4: never again from
    what the clock would suggest), the documents carry the clock each was made at, each run has its report folder,
    and `orderbridge report` with no run id writes the report of the run made last (the 01:45 one)."""
    write_settled(inbox(ws) / "po-9351.x12", po850("PO-9351", 9351))
    status, out, _summary = night(ws, "2026-11-27T02:30:00")
    assert status == 0, out
    write_settled(inbox(ws) / "po-9352.x12", po850("PO-9352", 9352, qty=3))
    status, out, summary = night(ws, "2026-11-27T01:45:00")
    assert status == 0, out
    assert (acme(summary)["files"], acme(summary)["documents"]) == (1, {"997": 1, "855": 1})
    assert outbox(ws) == ["acme-855-000000002.x12", "acme-855-000000004.x12", "acme-997-000000001.x12",
                          "acme-997-000000003.x12"]
    assert answered(ws) == {"PO-9351": ["AD", "IA"], "PO-9352": ["AD", "IA"]}
    assert segments(ws, "acme-997-000000003.x12")[0][9:11] == ["261127", "0145"]
    assert segments(ws, "acme-855-000000002.x12")[0][9:11] == ["261127", "0230"]
    assert sorted(p.name for p in (ws / "reports").iterdir() if p.name[0] == "2") == ["20261127T014500",
                                                                                     "20261127T023000"]
    assert [r[0] for r in state_rows(ws, "SELECT run_id FROM runs WHERE status='finished' ORDER BY started_at")] == [
        "20261127T023000", "20261127T014500"]
    again = CliRunner().invoke(app, ["report", "-w", str(ws)])
    assert again.exit_code == 0 and "20261127T014500" in said(again) and "20261127T023000" not in said(again)
    [(po, clock)] = state_rows(ws, "SELECT po_number, received_at FROM orders WHERE po_number='PO-9352'")
    assert clock.startswith("2026-11-27T01:45")
    sent_once(ws)


def test_on_a_server_in_local_time_the_run_made_after_the_clocks_went_back_is_the_latest(ws, monkeypatch):
    """`orderbridge run` by cron with no --now, on a machine kept in local time: 01:30 (summer time), then 01:10
    after the clocks went back. The second run is the latest: `orderbridge report` with no run id writes its
    report, and the runs are listed in the order they were made. Before: the runs were ordered by their start on
    the machine's clock, the 01:10 run listed first and `orderbridge report` wrote the 01:30 run's report."""
    import flows.night

    wall = ["2026-11-27T01:30:00"]

    class Wall(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.fromisoformat(wall[0])

    monkeypatch.setattr(flows.night, "datetime", Wall)
    write_settled(inbox(ws) / "po-9361.x12", po850("PO-9361", 9361))
    first = CliRunner().invoke(app, ["run", "-w", str(ws), "--no-prefect", "--no-gx"])
    assert first.exit_code == 0, first.output
    wall[0] = "2026-11-27T01:10:00"  # an hour later, the clocks gone back
    write_settled(inbox(ws) / "po-9362.x12", po850("PO-9362", 9362))
    second = CliRunner().invoke(app, ["run", "-w", str(ws), "--no-prefect", "--no-gx"])
    assert second.exit_code == 0, second.output
    assert answered(ws) == {"PO-9361": ["AD", "IA"], "PO-9362": ["AD", "IA"]}
    from connectors.state import StateStore
    from flows.reports import latest_run

    state = StateStore(ws / "state" / "orderbridge.sqlite")
    try:
        assert [r["run_id"] for r in state.runs()] == ["20261127T013000", "20261127T011000"]
        assert latest_run(state) == "20261127T011000"
        assert [r["started_at"] for r in state.runs()] == ["2026-11-27T01:30:00", "2026-11-27T01:30:01"]
    finally:
        state.close()
    again = CliRunner().invoke(app, ["report", "-w", str(ws)])
    assert again.exit_code == 0 and "20261127T011000" in said(again) and "20261127T013000" not in said(again)


def test_an_interchange_dated_in_the_future_is_taken_and_answered(ws):
    """An ISA09/GS04 dated seven weeks after the run's clock (a partner's translator with its clock or calendar
    wrong): X12 sets no rule against it, so the PO is taken and answered as any, the 997 and 855 sent, no finding
    (a check stricter than the standard would lose the order); the TA1 a partner asks for (ISA14 1) echoes the
    date as sent."""
    data = po850("PO-9371", 9371, date="270115").replace(b"*0*P*>~", b"*1*P*>~", 1)
    write_settled(inbox(ws) / "po-9371.x12", data)
    status, out, summary = night(ws, "2026-11-27T02:00:00")
    assert status == 0, out
    assert (acme(summary)["errors"], acme(summary)["warnings"]) == (0, 0)
    assert failures(ws, "20261127T020000") == []
    assert answered(ws) == {"PO-9371": ["AD", "IA"]}
    [ta1] = [n for n in outbox(ws) if "-TA1-" in n]
    assert segments(ws, ta1)[1] == ["TA1", "000009371", "270115", "0200", "A", "000"]
    ak = [s for s in segments(ws, next(n for n in outbox(ws) if "-997-" in n)) if s[0] in ("AK1", "AK9")]
    assert ak == [["AK1", "PO", "9371"], ["AK9", "A", "1", "1", "1"]]
    sent_once(ws)


# --- two runs at once -----------------------------------------------------------------------------------------
def test_while_a_run_holds_the_workspace_a_second_run_does_nothing_and_status_still_answers(ws):
    """Cron starts `orderbridge run` while the night's run still holds the workspace (a slow night): the second
    exits 5 (BUSY) at once, naming the holder and `--wait`, and does nothing: the new file stays in the inbox,
    no run or report is recorded. Meanwhile ops can still read an order: `orderbridge status` answers (it
    writes nothing). Once the holder is gone, the next run takes the file and answers it once."""
    from tests.test_workspace_lease import _holder

    write_settled(inbox(ws) / "po-9381.x12", po850("PO-9381", 9381))
    status, out, _summary = night(ws, "2026-11-27T02:00:00")
    assert status == 0, out
    write_settled(inbox(ws) / "po-9382.x12", po850("PO-9382", 9382))
    holder = _holder(ws)
    try:
        second = CliRunner().invoke(app, ["run", "-w", str(ws), "--now", "2026-11-27T03:00:00", "--no-prefect",
                                          "--no-gx"])
        assert second.exit_code == 5, second.output
        assert "another OrderBridge process holds this workspace" in said(second) and "--wait" in said(second)
        assert f"process {holder.pid}" in said(second)
        assert folder(ws, "inbox") == ["po-9382.x12"] and not (ws / "reports" / "20261127T030000").exists()
        assert [r[0] for r in state_rows(ws, "SELECT run_id FROM runs")] == ["20261127T020000"]
        shown = CliRunner().invoke(app, ["status", "PO-9381", "-w", str(ws)])
        assert shown.exit_code == 0, shown.output
        assert "acknowledged" in said(shown) and "acme-855-000000002.x12" in said(shown)
    finally:
        holder.terminate()
        holder.wait()
    status, out, _summary = night(ws, "2026-11-27T03:00:00")
    assert status == 0, out
    assert answered(ws) == {"PO-9381": ["AD", "IA"], "PO-9382": ["AD", "IA"]}
    sent_once(ws)


def test_an_outbox_refusing_the_rename_part_way_sends_what_was_placed_once_and_the_rest_next_run(ws, monkeypatch):
    """The outbox takes the run's 997 and then refuses the rename of its 855 into place (permission denied: a
    partner's poller changed the folder's rights mid-delivery): exit 3, the failure names the error and the
    folder's path as for a write refused (it used to be the bare PermissionError of the rename); the 997 is in
    place and recorded delivered, no temporary is left. The partner's poller takes the 997; the next run sends the
    855 alone, once. Before: the 997 placed before the refusal stayed pending (a chunk was marked delivered only
    once all of it was in place), and the next run wrote it again: the partner got it twice."""
    write_settled(inbox(ws) / "po-9391.x12", po850("PO-9391", 9391))
    real = os.replace

    def refused(src, dst, *args, **kw):
        if "dst_dir_fd" in kw and str(dst).startswith("acme-855-"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(src, dst, *args, **kw)

    monkeypatch.setattr(os, "replace", refused)
    status, out, summary = night(ws, "2026-11-27T02:00:00")
    monkeypatch.setattr(os, "replace", real)
    assert status == 3, out
    assert acme(summary)["failure"].startswith("delivery: StorageError: the drop folder cannot be written: "
                                               "Permission denied")
    assert str(ws / "drop" / "acme" / "outbox") in acme(summary)["failure"]
    assert (acme(summary)["delivered"], acme(summary)["pending"]) == (1, 1)
    assert "1 document(s) of this run kept, not sent yet: the next run sends them" in out
    assert outbox(ws) == ["acme-997-000000001.x12"]
    assert state_rows(ws, "SELECT doc_type, isa13, status FROM documents ORDER BY isa13") == [
        ("997", "000000001", "delivered"), ("855", "000000002", "pending")]
    taken = ws / "taken-by-acme"  # the partner's poller takes what is in its outbox, as it arrives
    taken.mkdir()
    for name in outbox(ws):
        (ws / "drop" / "acme" / "outbox" / name).rename(taken / name)
    status, out, summary = night(ws, "2026-11-27T06:30:00")
    assert status == 0, out
    assert acme(summary)["delivered"] == 0  # none of this run's own; the 855 the night made, sent now
    assert outbox(ws) == ["acme-855-000000002.x12"]  # the 997 the partner took is not sent again
    assert answered(ws) == {"PO-9391": ["AD", "IA"]}
    assert sorted(p.name for p in taken.iterdir()) == ["acme-997-000000001.x12"]
    assert state_rows(ws, "SELECT doc_type, isa13, status FROM documents ORDER BY isa13") == [
        ("997", "000000001", "delivered"), ("855", "000000002", "delivered")]
