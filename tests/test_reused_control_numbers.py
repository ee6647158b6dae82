"""A partner's interchange control number is a duplicate only within its duplicate window
(x12.duplicate_window_days, 365 days by default): an ISA13 (per sender) last received longer ago is taken
as new, with a warning naming its earlier use (ISA_REUSED), since translators restart at 1 or wrap;
within the window it is refused as before; identical bytes are still FILE_DUPLICATE; a store rebuilt
from the archive decides as the night did. A GS01+GS02+GS03+GS06 is unique within its interchange only
(X12 RFI 362): one used in another interchange is a new group, whatever its age, with no finding."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.local import LocalDrop
from connectors.state import StateStore
from engine.process import EarlierUse, Known, process_file
from flows import steps
from flows.cli import app
from flows.night import InProcess, run_night
from schemas.profile import load_profiles
from tests.crash_harness import NIGHTS, drop_night, new_workspace
from tests.support import GOOD_PO, REPO, make_workspace, run_stages, write_settled, x12_850
from tests.test_state_rebuild import _rows  # a store's rows as a set, as the rebuild tests read them

ACME = load_profiles(REPO / "partners")["acme"]
TODAY = date(2026, 11, 27)
KEY = ("ACMERETAIL", "000000001")
GROUP = ("PO", "ACMERETAIL", "ORDERBRIDGE", "1")
# a PO the demo's reference data answers with an 855 (tests/test_duplicate_envelopes.py's poison file)
PO = ["BEG*00*SA*REUSE-1**20261126", "CUR*BY*USD", "DTM*010*20261210", "N1*ST*ACME DC*92*DC01",
      "PO1*1*12*EA*19.70*PE*UP*614141100101", "CTT*1*12"]


def _run(data: bytes, known: Known, *, window: int | None = None):
    profile = ACME if window is None else ACME.model_copy(
        update={"x12": ACME.x12.model_copy(update={"duplicate_window_days": window})})
    out = process_file(data, file="new.x12", sha256="s2", profile=profile, known=known, today=TODAY)
    return out, [(f.code, f.severity) for f in out.findings]


def _known(received_at: str) -> Known:
    use = EarlierUse(received_at, "old.x12")
    return Known(interchanges=frozenset({KEY}), interchange_uses={KEY: use})


def test_the_default_window_is_a_year():
    assert ACME.x12.duplicate_window_days == 365


def test_an_isa13_used_longer_ago_than_the_window_is_taken_with_a_warning_naming_the_earlier_use():
    out, codes = _run(x12_850(GOOD_PO), _known("2025-11-26T02:00:00"))  # 366 days before
    assert codes == [("ISA_REUSED", "warning")] and out.orders.num_rows == 1
    assert [d.doc_type for d in out.documents] == ["997"] and out.disposition == "processed"
    [f] = out.findings
    assert "2025-11-26" in f.message and "old.x12" in f.message and "366 days" in f.message
    assert (f.location.isa13, f.location.element, f.location.file) == ("000000001", "ISA13", "new.x12")
    assert out.interchanges_seen == [KEY] and out.groups_seen == [GROUP]  # recorded as its latest use


def test_an_isa13_used_within_the_window_is_refused_as_before():
    for when in ("2025-11-27T23:59:59", "2026-11-27T01:00:00"):  # 365 days (by date) and the same day
        out, codes = _run(x12_850(GOOD_PO), _known(when))
        assert codes == [("ISA_DUPLICATE", "error")] and out.orders.num_rows == 0
    # a window of 0: never taken again; a number without a known use (no file row): a duplicate
    assert _run(x12_850(GOOD_PO), _known("2020-01-01T00:00:00"), window=0)[1] == [("ISA_DUPLICATE", "error")]
    assert _run(x12_850(GOOD_PO), Known(interchanges=frozenset({KEY})))[1] == [("ISA_DUPLICATE", "error")]
    # a smaller window takes it sooner
    assert _run(x12_850(GOOD_PO), _known("2026-11-20T00:00:00"), window=6)[1] == [("ISA_REUSED", "warning")]


def test_a_reused_isa13_sent_twice_in_the_file_is_taken_once():
    out, codes = _run(x12_850(GOOD_PO) * 2, _known("2024-01-01T00:00:00"))
    assert codes == [("ISA_REUSED", "warning"), ("ISA_DUPLICATE", "error")]
    assert "earlier in this file" in out.findings[1].message and out.orders.num_rows == 1


def test_a_gs06_reused_in_a_new_interchange_is_a_new_group_within_the_window_or_after():
    """The group's number was used in an earlier file's interchange (the store has its row); this
    file's interchange is new: the group is new, with no finding, however recent the earlier use."""
    out, codes = _run(x12_850(GOOD_PO, isa13=2), _known("2026-11-27T01:00:00"))  # the same day, ISA13 1 before
    assert codes == [] and out.orders.num_rows == 1 and out.groups_seen == [GROUP]
    assert [d.doc_type for d in out.documents] == ["997"] and out.disposition == "processed"
    out, codes = _run(x12_850(GOOD_PO, isa13=2), _known("2025-01-02T00:00:00"), window=0)
    assert codes == [] and out.orders.num_rows == 1


def _window(ws_root: Path, days: int) -> None:
    """The workspace's ACME profile with a duplicate window of ``days``."""
    path = ws_root / "partners" / "acme.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[x12]\n", f"[x12]\nduplicate_window_days = {days}\n", 1), encoding="utf-8")


def test_an_isa13_reused_after_the_window_is_taken_with_a_warning_and_its_po_acknowledged(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=())
    _window(ws.root, 1)
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "first.x12").write_bytes(x12_850(PO, isa13=7, gs06="70"))
    results, _ = run_stages(ws, datetime(2026, 11, 27, 2, 0))
    assert next(r for r in results if r.partner == "acme").documents["855"] == 1
    # two days later: the same ISA13 and GS06 (the partner's translator restarted), another PO
    again = [s.replace("REUSE-1", "REUSE-2") for s in PO]
    (inbox / "second.x12").write_bytes(x12_850(again, isa13=7, gs06="70"))
    results, _ = run_stages(ws, datetime(2026, 11, 29, 2, 0))
    acme = next(r for r in results if r.partner == "acme")
    assert [(f["code"], f["severity"]) for f in acme.findings] == [("ISA_REUSED", "warning")]
    assert "first.x12" in next(f["message"] for f in acme.findings if f["code"] == "ISA_REUSED")
    assert acme.documents["855"] == 1 and acme.documents["997"] == 1 and acme.quarantined == 0
    state = StateStore(ws.state_path)
    assert state.order("acme", "REUSE-2") is not None
    assert state.interchange_uses("acme", [("ACMERETAIL", "000000007")]) == {
        ("ACMERETAIL", "000000007"): ("2026-11-29T02:00:00", "second.x12")}  # the latest use
    # the same day, the same ISA13 once more (other bytes): within the window of its latest use
    third = [s.replace("REUSE-1", "REUSE-3") for s in PO]
    (inbox / "third.x12").write_bytes(x12_850(third, isa13=7, gs06="71"))
    res = steps.intake_partner(ws, ws.partners()["acme"], state, LocalDrop(ws.drop_root / "acme"),
                               now=datetime(2026, 11, 29, 3, 0), run_id="r3")
    assert [f["code"] for f in res.findings] == ["ISA_DUPLICATE"] and res.orders == 0
    # the second file's very bytes again, days later: the file itself is known (FILE_DUPLICATE)
    (inbox / "second-again.x12").write_bytes(x12_850(again, isa13=7, gs06="70"))
    res = steps.intake_partner(ws, ws.partners()["acme"], state, LocalDrop(ws.drop_root / "acme"),
                               now=datetime(2026, 12, 9, 3, 0), run_id="r4")
    assert [f["code"] for f in res.findings] == ["FILE_DUPLICATE"] and res.duplicates == 1 and res.orders == 0
    state.close()


def test_a_rebuilt_store_takes_and_refuses_reused_numbers_as_the_night_did(tmp_path):
    kept, lost = new_workspace(tmp_path / "kept", shipping=False), new_workspace(tmp_path / "lost", shipping=False)
    second, third = ([s.replace("REUSE-1", po) for s in PO] for po in ("REUSE-2", "REUSE-3"))
    for ws in (kept, lost):
        _window(ws, 1)
        drop_night(ws, 0)
        inbox = ws / "drop" / "acme" / "inbox"
        write_settled(inbox / "acme-a-901.x12", x12_850(PO, isa13=901, gs06="901"))
        run_night(str(ws), stages=InProcess(), now=NIGHTS[0][1], use_gx=False)
        write_settled(inbox / "acme-b-901.x12", x12_850(second, isa13=901, gs06="901"))  # reused: taken
        write_settled(inbox / "acme-c-901.x12", x12_850(third, isa13=901, gs06="902"))  # within: refused
        run_night(str(ws), stages=InProcess(), now="2026-11-29T02:00:00", use_gx=False)
    files = "SELECT name, status, error_count FROM files WHERE name LIKE 'acme-%-901.x12'"
    on_the_night = _rows(kept, files)
    assert on_the_night == {("acme-a-901.x12", "processed", 0), ("acme-b-901.x12", "processed", 0),
                            ("acme-c-901.x12", "quarantined", 1)}
    for p in (lost / "state").glob("orderbridge.sqlite*"):
        p.unlink()
    res = CliRunner().invoke(app, ["state", "rebuild", "-w", str(lost)])
    assert res.exit_code == 0, res.output
    assert _rows(lost, files) == on_the_night
    for sql in ("SELECT po_number FROM orders WHERE po_number LIKE 'REUSE-%'",
                "SELECT partner, sender, isa13, sha256 FROM interchanges_in",
                "SELECT partner, gs01, gs02, gs03, gs06, sha256 FROM groups_in"):
        assert _rows(lost, sql) == _rows(kept, sql), sql
    assert _rows(kept, "SELECT po_number FROM orders WHERE po_number LIKE 'REUSE-%'") == {("REUSE-1",),
                                                                                           ("REUSE-2",)}


def test_the_store_answers_each_numbers_latest_use(store_target):
    """interchange_uses / group_uses (both back ends): (received_at, file name) of the file that last
    carried each number (its `files` row); recording a number again moves it to the new file."""
    state = StateStore(store_target())
    for sha, name, at in (("sha1", "old.x12", "2025-01-05T02:00:00"), ("sha2", "new.x12", "2026-02-01T02:00:00")):
        state.record_file("acme", sha, name, 10, at, "processed")
    state.record_interchange("acme", "ACMERETAIL", "000000031", "sha1")
    state.record_group("acme", ("PO", "ACMERETAIL", "ORDERBRIDGE", "31"), "sha1")
    asked = [("ACMERETAIL", "000000031"), ("ACMERETAIL", "000000032")]
    assert state.interchange_uses("acme", asked) == {("ACMERETAIL", "000000031"): ("2025-01-05T02:00:00", "old.x12")}
    assert state.group_uses("acme") == {("PO", "ACMERETAIL", "ORDERBRIDGE", "31"): ("2025-01-05T02:00:00", "old.x12")}
    state.record_interchange("acme", "ACMERETAIL", "000000031", "sha2")  # taken again after the window
    state.record_group("acme", ("PO", "ACMERETAIL", "ORDERBRIDGE", "31"), "sha2")
    assert state.interchange_uses("acme") == {("ACMERETAIL", "000000031"): ("2026-02-01T02:00:00", "new.x12")}
    assert state.group_uses("acme", [("PO", "ACMERETAIL", "ORDERBRIDGE", "31")]) == {
        ("PO", "ACMERETAIL", "ORDERBRIDGE", "31"): ("2026-02-01T02:00:00", "new.x12")}
    assert state.interchanges("acme") == {("ACMERETAIL", "000000031")}  # one row per number
    assert state.file_interchanges("acme", "sha1") == set()
    state.close()


def test_a_store_of_an_older_version_knows_when_its_numbers_were_used(tmp_path):
    """No schema change: an older store's interchanges get their times from their files' rows, so after
    its migration a number its first night received a year before is taken again."""
    from flows.intake import known_for
    from parsers.x12_reader import read_interchanges
    from tests.test_state_migration import v1_store

    path = tmp_path / "state.sqlite"
    v1_store(path, "state-v1-night1.sql")  # ACME's ISA13 1001 received 2026-11-27T02:00:00 in acme-po-01.x12
    state = StateStore(path)
    data = x12_850(GOOD_PO, isa13=1001, gs06="5001")
    parsed = read_interchanges(data, file="later.x12")
    known = known_for(state, "acme", parsed)
    assert known.interchange_uses == {("ACMERETAIL", "000001001"): EarlierUse("2026-11-27T02:00:00", "acme-po-01.x12")}
    later = process_file(data, file="later.x12", sha256="s", profile=ACME, known=known, today=date(2027, 11, 28),
                         parsed=parsed)
    assert [f.code for f in later.findings] == ["ISA_REUSED"] and later.orders.num_rows == 1
    sooner = process_file(data, file="later.x12", sha256="s", profile=ACME, known=known, today=date(2027, 11, 27),
                          parsed=parsed)
    assert [f.code for f in sooner.findings] == ["ISA_DUPLICATE"]
    state.close()


def test_a_file_read_in_pieces_takes_a_reused_number_once_and_after_a_crash_the_same(tmp_path, monkeypatch):
    """A file read a piece (one interchange) at a time, the first of its interchanges reusing an ISA13
    beyond the window, the last sending it again: taken once (ISA_REUSED), the repeat ISA_DUPLICATE
    "earlier in this file"; killed after its first piece and run again, the same (the number's row
    already names this file, so the rest of the file counts it as its own)."""
    from flows import intake as intake_flow

    monkeypatch.setattr(intake_flow, "STREAM_BYTES", 0)
    monkeypatch.setattr(intake_flow, "PIECE_BYTES", 1)
    many = b"".join(x12_850([s.replace("REUSE-1", f"REUSE-{k}") for s in PO], isa13=isa13, gs06=gs06)
                    for k, (isa13, gs06) in enumerate(((7, "70"), (8, "80"), (7, "71")), start=2))
    real = intake_flow._plan_and_store

    def night(root: Path, *, die: bool) -> tuple[list, set]:
        ws = make_workspace(root, partners=())
        _window(ws.root, 1)
        inbox = ws.drop_root / "acme" / "inbox"
        inbox.mkdir(parents=True)
        (inbox / "first.x12").write_bytes(x12_850(PO, isa13=7, gs06="70"))
        state = StateStore(ws.state_path)
        drop, profile = LocalDrop(ws.drop_root / "acme"), ws.partners()["acme"]
        steps.intake_partner(ws, profile, state, drop, now=datetime(2026, 11, 27, 2), run_id="r1")
        (inbox / "many.x12").write_bytes(many)
        later = datetime(2026, 11, 29, 2)
        found = []
        if die:
            def dies_at_the_second_piece(*args, **kw):
                if args[3].file == "many.x12" and args[3].orders.num_rows and "REUSE-3" in \
                        args[3].orders["po_number"].to_pylist():
                    raise KeyboardInterrupt("killed")
                return real(*args, **kw)

            monkeypatch.setattr(intake_flow, "_plan_and_store", dies_at_the_second_piece)
            with pytest.raises(KeyboardInterrupt):
                steps.intake_partner(ws, profile, state, drop, now=later, run_id="r2")
            assert state.file_interchanges("acme", state.files("acme")[-1]["sha256"]) == {
                ("ACMERETAIL", "000000007")}  # the first piece committed: the reused number names this file
            monkeypatch.setattr(intake_flow, "_plan_and_store", real)
            found += [f["code"] for f in state.findings(run_id="r2")]
        res = steps.intake_partner(ws, profile, state, drop, now=later, run_id="r2")
        found += [f["code"] for f in res.findings]
        orders = {o.po_number for o in state.orders()}
        state.close()
        return sorted(found), orders

    whole, crashed = night(tmp_path / "a", die=False), night(tmp_path / "b", die=True)
    assert whole[0] == ["ISA_DUPLICATE", "ISA_REUSED"], whole
    assert whole[1] == {"REUSE-1", "REUSE-2", "REUSE-3"}
    assert crashed == whole  # the first piece's findings stored by the killed run, the rest by the rerun


def test_an_interchange_read_in_batches_is_judged_as_the_whole(tmp_path):
    """engine.process_batches (an interchange too large to hold) asks the same window and compares its
    groups within it as the whole read does."""
    from engine.process_batches import process_in_batches
    from parsers.x12_batches import scan_interchange
    from tests.test_duplicate_envelopes import one_interchange

    # the interchange's first group repeated within it (its second copy GS_DUPLICATE), then a group whose
    # number an earlier file's interchange used (new here)
    other = [s.replace("PO-1", "PO-2") for s in GOOD_PO]
    data = one_interchange((GOOD_PO, "1"), (other, "1"), (other, "3"), isa13=1)
    sk = scan_interchange(iter([data]), max_bytes=10**9, max_sets=1, max_set_bytes=10**9)
    known = Known(interchanges=frozenset({KEY}), interchange_uses={KEY: EarlierUse("2025-06-01T02:00:00", "old.x12")})
    batched = [o for _, o in process_in_batches(sk, lambda a, b: data[a:b], file="new.x12", sha256="s2", profile=ACME,
                                                known=known, today=TODAY)]
    assert len(batched) == 3
    whole, codes = _run(data, known)
    assert codes == [("ISA_REUSED", "warning"), ("GS_DUPLICATE", "error")]
    assert whole.orders["po_number"].to_pylist() == ["PO-1", "PO-2"]
    assert [(f.code, f.message) for o in batched for f in o.findings] == [(f.code, f.message) for f in whole.findings]
    assert [po for o in batched for po in o.orders["po_number"].to_pylist()] == ["PO-1", "PO-2"]
    assert [k for o in batched for k in o.groups_seen] == whole.groups_seen
