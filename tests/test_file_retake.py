"""`orderbridge retake`: a file's content taken again when ops ask, only if its take answered, sent and changed
nothing (quarantined over a limit raised since, a confirmation held before its PO was taken in); the next run
takes its kept copy (or a byte-identical resend: one take, whichever copy comes first), with a FILE_RETAKEN
finding naming who asked and why; the file's history (file_takes, the runs' files, the console's file page)
keeps both takes. A file whose take sent or changed anything is refused, naming what: nothing is answered or
sent twice."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from flows.workspace import open_workspace
from tests.crash_harness import new_workspace
from tests.support import run_night, run_shipments, said, seed_demo_data, x12_850
from tests.support import state_rows as rows
from tests.support_console import Client, ConsoleServer, add_users

NIGHTS = [datetime(2026, 11, d, 2, 0) for d in (27, 28, 29, 30)]
# a PO the demo's reference data answers with an 855
PO = ["BEG*00*SA*{po}**20261126", "CUR*BY*USD", "DTM*010*20261210", "N1*ST*ACME DC*92*DC01",
      "PO1*1*12*EA*19.70*PE*UP*614141100101", "CTT*1*12"]


def two_pos(isa13: int = 7) -> bytes:
    """One interchange, one group, two 850s (ACME-R1 and ACME-R2)."""
    one = x12_850([s.format(po="ACME-R1") for s in PO], isa13=isa13).decode().splitlines(keepends=True)
    st = next(i for i, s in enumerate(one) if s.startswith("ST*"))
    se = next(i for i, s in enumerate(one) if s.startswith("SE*"))
    second = [s.replace("ACME-R1", "ACME-R2").replace("*0001~", "*0002~") for s in one[st:se + 1]]
    ge = next(i for i, s in enumerate(one) if s.startswith("GE*"))
    return "".join(one[:se + 1] + second + ["GE*2*1~\n"] + one[ge + 1:]).encode()


def workspace(tmp_path: Path, limits: str = ""):
    ws = open_workspace(tmp_path / "ws")
    seed_demo_data(ws.root)
    if limits:
        profile = ws.root / "partners" / "acme.toml"
        profile.write_text(profile.read_text(encoding="utf-8") + f"\n[limits]\n{limits}\n", encoding="utf-8")
    (ws.drop_root / "acme" / "inbox").mkdir(parents=True)
    return ws


def drop(ws, name: str, data: bytes, who: str = "acme") -> None:
    (ws.drop_root / who / "inbox" / name).write_bytes(data)


def retake(ws, *args: str):
    return CliRunner().invoke(app, ["retake", *args, "-w", str(ws.root)])




def documents(ws, doc_type: str) -> list[tuple]:
    return rows(ws, "SELECT d.file_name, s.po_number FROM documents d JOIN document_sets s ON s.document_id = d.id"
                    " WHERE d.doc_type=? ORDER BY d.id, s.position", (doc_type,))


def codes(ws, run_id: str) -> list[str]:
    return [r[0] for r in rows(ws, "SELECT code FROM findings WHERE run_id=? ORDER BY id", (run_id,))]


def test_a_file_quarantined_over_a_limit_raised_since_is_taken_again_once_asked_with_both_takes_kept(tmp_path):
    ws = workspace(tmp_path, "max_sets_per_file = 1")
    data = two_pos()
    sha = hashlib.sha256(data).hexdigest()
    drop(ws, "two.x12", data)
    night1 = run_night(ws, NIGHTS[0])
    assert codes(ws, night1) == ["FILE_TOO_MANY_SETS"] and documents(ws, "997") == []
    assert (ws.drop_root / "acme" / "quarantine" / "two.x12").is_file()

    # the partner resends the same bytes: still a duplicate, whose message says how to take it again
    drop(ws, "two-again.x12", data)
    night2 = run_night(ws, NIGHTS[1])
    [(code, message)] = rows(ws, "SELECT code, message FROM findings WHERE run_id=?", (night2,))
    assert code == "FILE_DUPLICATE" and "`orderbridge retake two.x12 --partner acme --by NAME --note WHY`" in message

    profile = ws.root / "partners" / "acme.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("max_sets_per_file = 1", "max_sets_per_file = 10"),
                       encoding="utf-8")
    done = retake(ws, "two.x12", "--partner", "acme", "--by", "Ann Ops", "--note", "limit raised to 10")
    assert done.exit_code == 0, done.output
    assert "takes it again from its kept copy" in said(done) and "Asked by Ann Ops" in said(done)
    night3 = run_night(ws, NIGHTS[2])
    assert codes(ws, night3)[0] == "FILE_RETAKEN"
    [message] = [r[0] for r in rows(ws, "SELECT message FROM findings WHERE run_id=? AND code='FILE_RETAKEN'",
                                     (night3,))]
    assert "as Ann Ops asked" in message and "limit raised to 10" in message and f"run {night1}" in message
    assert [po for _, po in documents(ws, "997")] == [""] and sorted(po for _, po in documents(ws, "855")) == [
        "ACME-R1", "ACME-R2"]
    assert rows(ws, "SELECT status, run_id, disposed_at IS NOT NULL FROM files WHERE sha256=?", (sha,)) == [
        ("processed", night3, 1)]
    assert rows(ws, "SELECT take, name, status, run_id, asked_by, note FROM file_takes WHERE sha256=?", (sha,)) == [
        (1, "two.x12", "quarantined", night1, "Ann Ops", "limit raised to 10")]
    assert (ws.drop_root / "acme" / "processed" / "two.x12").is_file()  # this take's copy; the first stays
    assert (ws.drop_root / "acme" / "quarantine" / "two.x12").is_file()
    store = StateStore(ws.state_path)
    try:  # each run's files still list the file as that run took it
        assert [(f["name"], f["status"]) for f in store.files_of_run(night1)] == [("two.x12", "quarantined")]
        assert [(f["name"], f["status"]) for f in store.files_of_run(night3)] == [("two.x12", "processed")]
    finally:
        store.close()
    failures = (ws.reports_dir / night3 / "failures.csv").read_text(encoding="utf-8")
    assert "FILE_RETAKEN" in failures and "Ann Ops" in failures
    shown = CliRunner().invoke(app, ["status", "ACME-R1", "--partner", "acme", "--json", "-w", str(ws.root)])
    [take] = json.loads(shown.output)["file_takes"]
    assert (take["of"], take["take"], take["status"], take["run_id"], take["asked_by"], take["note"]) == (
        "order", 1, "quarantined", night1, "Ann Ops", "limit raised to 10")
    text = said(CliRunner().invoke(app, ["status", "ACME-R1", "--partner", "acme", "-w", str(ws.root)]))
    assert "its order's file two.x12 was taken again: take 1" in text and "asked by Ann Ops" in text

    # now it was answered: taken again, it would acknowledge and order twice; refused, naming what it sent
    again = retake(ws, sha[:12], "--partner", "acme", "--by", "Ann Ops", "--note", "once more")
    assert again.exit_code == 2 and "cannot be taken again" in said(again)
    assert "997 ISA13" in said(again) and "order ACME-R1" in said(again) and "Nothing was done" in said(again)
    night4 = run_night(ws, NIGHTS[3])
    assert codes(ws, night4) == [] and len(documents(ws, "997")) == 1 and len(documents(ws, "855")) == 2

    add_users(ws.root)
    with ConsoleServer(ws.root) as server:
        c = Client(server.url)
        c.sign_in("vic")
        status, page = c.get(f"/file?partner=acme&sha256={sha}")
    assert status == 200
    takes = re.search(r'<table id="file-takes">.*?</table>', page, flags=re.S).group(0)
    assert "Ann Ops" in takes and "limit raised to 10" in takes and night1 in takes and night3 in takes
    assert "FILE_TOO_MANY_SETS" in page and "FILE_RETAKEN" in page  # both takes' findings


def test_a_file_answered_with_a_997_is_refused_even_when_quarantined(tmp_path):
    """A set rejected in its 997 (AK5 R): the partner has its answer; the same bytes again would answer it
    again. Refused, naming the 997; the file is still recorded as before."""
    ws = workspace(tmp_path)
    broken = x12_850([s.format(po="ACME-B1") for s in PO], se_count=99)
    drop(ws, "broken.x12", broken)
    run_night(ws, NIGHTS[0])
    assert rows(ws, "SELECT status FROM files") == [("quarantined",)] and len(documents(ws, "997")) == 1
    refused = retake(ws, "broken.x12", "--partner", "acme", "--by", "Ann", "--note", "try")
    assert refused.exit_code == 2 and "997 ISA13" in said(refused) and "a new file from the partner" in said(refused)
    assert rows(ws, "SELECT COUNT(*) FROM file_takes") == [(0,)] and rows(ws, "SELECT COUNT(*) FROM files") == [(1,)]


def test_a_file_too_large_is_refused_until_the_limit_is_raised_then_taken(tmp_path):
    ws = workspace(tmp_path, "max_file_bytes = 100")
    data = x12_850([s.format(po="ACME-L1") for s in PO])
    drop(ws, "big.x12", data)
    night1 = run_night(ws, NIGHTS[0])
    assert codes(ws, night1) == ["FILE_TOO_LARGE"]
    still = retake(ws, "big.x12", "--partner", "acme", "--by", "Ann", "--note", "retry")
    assert still.exit_code == 2 and "max_file_bytes" in said(still)
    profile = ws.root / "partners" / "acme.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("max_file_bytes = 100", ""), encoding="utf-8")
    assert retake(ws, "big.x12", "--partner", "acme", "--by", "Ann", "--note", "limit back to default").exit_code == 0
    night2 = run_night(ws, NIGHTS[1])
    assert codes(ws, night2)[0] == "FILE_RETAKEN" and [po for _, po in documents(ws, "855")] == ["ACME-L1"]


def test_a_file_over_max_sets_per_file_is_refused_until_the_limit_is_raised(tmp_path):
    """As max_file_bytes: a retake asked before the limit is raised would be quarantined again by the next run
    (FILE_TOO_MANY_SETS once more) and need a second retake; it is refused, saying which key to raise."""
    ws = workspace(tmp_path, "max_sets_per_file = 1")
    drop(ws, "two.x12", two_pos())
    night1 = run_night(ws, NIGHTS[0])
    assert codes(ws, night1) == ["FILE_TOO_MANY_SETS"]
    still = retake(ws, "two.x12", "--partner", "acme", "--by", "Ann", "--note", "retry")
    assert still.exit_code == 2 and "holds 2 transaction sets, over this partner's limit of 1" in said(still)
    assert "Raise [limits] max_sets_per_file in partners/acme.toml first" in said(still)
    assert rows(ws, "SELECT COUNT(*) FROM file_takes") == [(0,)]  # nothing marked
    profile = ws.root / "partners" / "acme.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("max_sets_per_file = 1", "max_sets_per_file = 2"),
                       encoding="utf-8")
    assert retake(ws, "two.x12", "--partner", "acme", "--by", "Ann", "--note", "limit raised to 2").exit_code == 0
    night2 = run_night(ws, NIGHTS[1])
    assert codes(ws, night2)[0] == "FILE_RETAKEN" and sorted(po for _, po in documents(ws, "855")) == \
        ["ACME-R1", "ACME-R2"]


def test_a_resend_after_the_mark_is_no_second_take(tmp_path):
    """Marked, and resent byte for byte before the next run: one take (the kept copy), the resend a duplicate."""
    ws = workspace(tmp_path, "max_sets_per_file = 1")
    data = two_pos()
    drop(ws, "two.x12", data)
    run_night(ws, NIGHTS[0])
    profile = ws.root / "partners" / "acme.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("max_sets_per_file = 1", ""), encoding="utf-8")
    assert retake(ws, "two.x12", "--partner", "acme", "--by", "Ann", "--note", "limit raised").exit_code == 0
    drop(ws, "two.x12", data)
    night2 = run_night(ws, NIGHTS[1])
    assert codes(ws, night2) == ["FILE_RETAKEN", "FILE_DUPLICATE"]
    assert len(documents(ws, "997")) == 1 and len(documents(ws, "855")) == 2
    assert not list((ws.drop_root / "acme" / "inbox").iterdir())


def test_a_name_of_several_contents_needs_its_sha256_and_an_unknown_file_is_refused(tmp_path):
    ws = workspace(tmp_path, "max_file_bytes = 100")
    drop(ws, "po.x12", x12_850([s.format(po="ACME-N1") for s in PO], isa13=1))
    run_night(ws, NIGHTS[0])
    drop(ws, "po.x12", x12_850([s.format(po="ACME-N2") for s in PO], isa13=2))
    run_night(ws, NIGHTS[1])
    several = retake(ws, "po.x12", "--partner", "acme", "--by", "Ann", "--note", "x")
    assert several.exit_code == 2 and "2 files named 'po.x12'" in said(several)
    assert retake(ws, "nope.x12", "--partner", "acme", "--by", "Ann", "--note", "x").exit_code == 2
    assert retake(ws, "po.x12", "--by", "Ann", "--note", "x").exit_code == 2  # neither --partner nor --warehouse
    assert rows(ws, "SELECT COUNT(*) FROM file_takes") == [(0,)]


def test_a_confirmation_held_before_its_po_was_taken_in_ships_once_taken_again(tmp_path):
    """The east DC's confirmation arrives before the night that takes its POs in: every shipment held
    (SHIPMENT_PO_UNKNOWN), nothing shipped, the file quarantined. Taken again once the POs are in, its
    shipments go out (856); taken again after that, it is refused, naming the shipments recorded."""
    from tests.crash_harness import REPO, drop_night

    root = new_workspace(tmp_path / "ws")
    ws = open_workspace(root)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True)
    name = "east-shipments-20261127.csv"
    inbox.joinpath(name).write_bytes((REPO / "sample_files" / "warehouse-drops" / "east" / name).read_bytes())
    early = run_shipments(ws, datetime(2026, 11, 26, 14, 30))
    assert "SHIPMENT_PO_UNKNOWN" in codes(ws, early) and rows(ws, "SELECT COUNT(*) FROM shipments") == [(0,)]
    assert rows(ws, "SELECT status FROM files WHERE partner='warehouse:east'") == [("quarantined",)]
    drop_night(ws.root, 0)
    run_night(ws, NIGHTS[0])
    assert rows(ws, "SELECT COUNT(*) FROM shipments") == [(0,)]  # the night found nothing new to ship

    done = retake(ws, name, "--warehouse", "east", "--by", "Dana", "--note", "POs taken in on the 27th")
    assert done.exit_code == 0, done.output
    again = run_shipments(ws, datetime(2026, 11, 27, 14, 30))
    assert codes(ws, again).count("FILE_RETAKEN") == 1
    shipped = rows(ws, "SELECT shipment_id FROM shipments ORDER BY shipment_id")
    assert shipped and len(documents(ws, "856")) >= 1
    refused = retake(ws, name, "--warehouse", "east", "--by", "Dana", "--note", "again")
    assert refused.exit_code == 2 and f"shipment {shipped[0][0]}" in said(refused)
    [(po,)] = rows(ws, "SELECT DISTINCT po_number FROM shipment_lines WHERE shipment_id=?", shipped[0])
    shown = CliRunner().invoke(app, ["status", po, "--json", "-w", str(ws.root)])
    takes = json.loads(shown.output)["file_takes"]
    assert [(t["of"], t["file"], t["asked_by"]) for t in takes] == [(f"shipment {shipped[0][0]}", name, "Dana")]


def _marked(root: Path):
    """A workspace of the demo's X12 partners whose file two.x12 was quarantined on night 1 (over ACME's
    max_sets_per_file, since raised) and marked to be taken again."""
    from tests.crash_harness import orderbridge

    new_workspace(root, shipping=False)
    ws = open_workspace(root)
    profile = root / "partners" / "acme.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + "\n[limits]\nmax_sets_per_file = 1\n", encoding="utf-8")
    (ws.drop_root / "acme" / "inbox").mkdir(parents=True)
    drop(ws, "two.x12", two_pos())
    assert orderbridge(root, 0).returncode == 1  # FILE_TOO_MANY_SETS
    profile.write_text(profile.read_text(encoding="utf-8").replace("max_sets_per_file = 1", ""), encoding="utf-8")
    assert retake(ws, "two.x12", "--partner", "acme", "--by", "Ann", "--note", "limit raised").exit_code == 0
    db = sqlite3.connect(ws.state_path)  # asked at the wall clock: the same in every workspace compared
    with db:
        db.execute("UPDATE file_takes SET asked_at='2026-11-27T09:00:00'")
    db.close()
    return ws


@pytest.fixture(scope="module")
def retaken_night(tmp_path_factory):
    """The night after the mark, uninterrupted: what every killed-and-rerun night must equal."""
    from tests.crash_harness import run_clean, snapshot

    root = tmp_path_factory.mktemp("retake-baseline") / "ws"
    _marked(root)
    run_clean(root, 1)
    return snapshot(root, 1)


@pytest.mark.parametrize("point", ["after-archive", "after-parse", "after-intake-commit", "after-numbering"])
def test_a_run_killed_while_taking_a_file_again_is_finished_by_the_next_run(point, retaken_night, tmp_path):
    """Killed (SIGKILL) at each step of taking the kept copy; the rerun finishes it: one take, one 997 and one
    855 per PO, the file in processed/, FILE_RETAKEN recorded once - the uninterrupted night's state."""
    from tests.crash_harness import differences, orderbridge, run_clean, snapshot

    ws = _marked(tmp_path / "ws")
    killed = orderbridge(ws.root, 1, env={"ORDERBRIDGE_KILL_AT": point})
    assert killed.returncode == -9, killed.stdout + killed.stderr
    run_clean(ws.root, 1)
    assert differences(snapshot(ws.root, 1), retaken_night) == []
    assert len(documents(ws, "997")) == 1 and sorted(po for _, po in documents(ws, "855")) == ["ACME-R1", "ACME-R2"]
    assert rows(ws, "SELECT COUNT(*) FROM findings WHERE code='FILE_RETAKEN'") == [(1,)]
    assert rows(ws, "SELECT name, status, disposed_at IS NOT NULL FROM files") == [("two.x12", "processed", 1)]
    assert (ws.drop_root / "acme" / "processed" / "two.x12").is_file()


def test_a_file_refused_for_a_sender_id_the_profile_had_wrong_is_taken_once_the_profile_is_fixed(tmp_path):
    """The profile named the partner's ISA06 wrongly: its file is quarantined PARTNER_SENDER_MISMATCH and never
    answered (no TA1, no 997). With the profile corrected, the file is taken again: answered, its PO taken."""
    ws = workspace(tmp_path)
    profile = ws.root / "partners" / "acme.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace('their_id = "ACMERETAIL"', 'their_id = "ACMEOLD"'),
                       encoding="utf-8")
    drop(ws, "po.x12", x12_850([s.format(po="ACME-S1") for s in PO]))
    night1 = run_night(ws, NIGHTS[0])
    assert "PARTNER_SENDER_MISMATCH" in codes(ws, night1) and rows(ws, "SELECT COUNT(*) FROM documents") == [(0,)]
    profile.write_text(profile.read_text(encoding="utf-8").replace('their_id = "ACMEOLD"', 'their_id = "ACMERETAIL"'),
                       encoding="utf-8")
    assert retake(ws, "po.x12", "--partner", "acme", "--by", "Ann", "--note", "ISA06 fixed").exit_code == 0
    night2 = run_night(ws, NIGHTS[1])
    assert codes(ws, night2)[0] == "FILE_RETAKEN" and len(documents(ws, "997")) == 1
    assert [po for _, po in documents(ws, "855")] == ["ACME-S1"]
