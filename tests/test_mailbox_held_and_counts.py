"""The VAN mailbox and partners whose profile does not load, and the mailbox in the run's counts: an interchange of a
partner whose profile is broken is held in mailbox/quarantine/held/ with a finding naming that profile and its
error (it used to say "no profile sends from"), and routed by the first night after the profile is fixed; a
finding of an interchange that is one partner's is counted in that partner's row, the rest in the `mailbox` row,
the same in summary.json and the failures report, through real nights."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from engine.mailbox import Broken, route
from parsers.x12_mailbox import split_interchanges
from schemas.profile import claimed_ids
from tests.test_mailbox_routing import NAME, _mailbox_file, _night, _parts, _sent, _workspace

REPO = Path(__file__).resolve().parents[1]
HELD = f"{NAME}.ic3of4.000003001.x12"  # initech's interchange in the mailbox file


@pytest.fixture(scope="module")
def profiles():
    from schemas.profile import load_profiles

    return load_profiles(REPO / "partners")


def test_a_broken_profile_naming_the_sender_holds_its_interchange_and_names_the_profile_and_error(profiles):
    import tomllib

    raw = tomllib.loads("bogus_key = 1\n" + (REPO / "partners" / "initech.toml").read_text())
    senders, ours = claimed_ids(raw)
    assert ("12", "5125550100") in senders and ours
    loaded = {pid: p for pid, p in profiles.items() if pid != "initech"}
    broken = {"initech": Broken("initech", "initech.toml", "bogus_key: Extra inputs are not permitted", senders,
                                ours)}
    routes = route(NAME, split_interchanges(_mailbox_file()).pieces, loaded, broken)
    assert [(r.partner, r.held, r.owner) for r in routes] == [
        ("acme", (), ""), ("globex", (), ""), ("", ("initech",), "initech"), ("", (), "")]
    held = routes[2].finding
    assert held.code == "MAILBOX_INTERCHANGE_HELD" and held.location.isa13 == "000003001"
    assert "partner initech's profile initech.toml does not load (bogus_key: Extra inputs" in held.message
    assert "no partner profile sends from" not in held.message and f"mailbox/quarantine/held/{HELD}" in held.message
    assert routes[3].finding.code == "MAILBOX_INTERCHANGE_UNROUTED"  # the stranger's: no broken profile names it


def test_a_profile_whose_ids_cannot_be_read_holds_what_no_loading_profile_takes_not_what_one_does(profiles):
    assert claimed_ids({"x12": "not a table"}) is None and claimed_ids(None) is None
    loaded = {pid: p for pid, p in profiles.items() if pid != "initech"}
    unreadable = {"initech": Broken("initech", "initech.toml", "Expected '=' after a key (line 3)")}
    routes = route(NAME, split_interchanges(_mailbox_file()).pieces, loaded, unreadable)
    assert [(r.partner, r.held) for r in routes] == [
        ("acme", ()), ("globex", ()), ("", ("initech",)), ("", ("initech",))]
    assert "its ids cannot be read" in routes[3].finding.message


def test_a_twin_profile_that_does_not_load_is_not_robbed_of_what_is_addressed_to_it(profiles):
    """Two profiles send from one id and ISA07/ISA08 tells them apart: with one of them broken, an interchange
    addressed to it is held for it, not routed to its twin."""
    acme = profiles["acme"]
    piece = split_interchanges(_parts()["acme"]).pieces[0]
    twin = Broken("acme2", "acme2.toml", "broken", frozenset({("ZZ", "ACMERETAIL")}),
                  frozenset({(piece.receiver_qualifier, piece.receiver)}))
    other = acme.model_copy(update={"x12": acme.x12.model_copy(update={"our_id": "SOMEONEELSE"})})
    routes = route(NAME, [piece], {"acme": other}, {"acme2": twin})
    assert (routes[0].partner, routes[0].held) == ("", ("acme2",))
    assert "the profile of acme sends from it too" in routes[0].finding.message
    elsewhere = Broken("acme2", "acme2.toml", "broken", twin.senders, frozenset({("ZZ", "ELSEWHERE")}))
    assert route(NAME, [piece], {"acme": acme}, {"acme2": elsewhere})[0].partner == "acme"


def test_an_interchange_of_a_partner_on_sftp_is_routed_to_it_and_only_the_stranger_s_is_the_mailbox_s(profiles):
    acme = profiles["acme"]
    remote = acme.model_copy(update={"drop": acme.drop.model_copy(update={"kind": "sftp"})})
    routes = route(NAME, split_interchanges(_mailbox_file()).pieces, {**profiles, "acme": remote})
    assert [(r.partner, r.owner) for r in routes] == [("acme", ""), ("globex", ""), ("initech", ""), ("", "")]


# --- real nights ---------------------------------------------------------------------------------------------------
def _failures(summary) -> list[dict]:
    with open(summary["reports"]["failures_csv"], encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _counts_agree(summary) -> None:
    """Every finding of failures.csv is counted in its partner's summary.json row (open errors, warnings, decided),
    the mailbox's in the `mailbox` row, and the totals are the rows'; the summary.json written is the one returned."""
    kinds: Counter = Counter()
    for r in _failures(summary):
        kind = "decided" if r["decided_by"] else ("errors" if r["severity"] == "error" else "warnings")
        kinds[(r["partner"], kind)] += 1
    rows = {p["partner"]: p for p in summary["partners"]}
    for (partner, kind), n in kinds.items():
        assert rows[partner][kind] == n, (partner, kind)
    for p in rows.values():
        assert p["findings"] == sum(n for (who, _), n in kinds.items() if who == p["partner"]), p["partner"]
    assert summary["totals"]["errors"] == sum(p["errors"] for p in rows.values())
    folder = Path(summary["reports"]["failures_csv"]).parent
    assert json.loads((folder / "summary.json").read_text())["partners"] == json.loads(json.dumps(
        summary["partners"]))


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    ws = _workspace(tmp_path_factory.mktemp("held") / "ws", _mailbox_file())
    profile = ws.partners_dir / "initech.toml"
    text = profile.read_text()
    profile.write_text("bogus_key = 1\n" + text)
    broken = _night(ws)
    kept = {p.relative_to(ws.root / "mailbox").as_posix() for p in (ws.root / "mailbox").rglob("*") if p.is_file()}
    sent_broken = sorted(p.name for p in (ws.drop_root / "initech").rglob("outbox/*"))
    # still broken the next night, then (another mistake) two nights later: ops told each night
    waiting = [_night(ws, "2026-11-28T02:00:00")]
    profile.write_text("other_bogus_key = 2\n" + text)
    waiting.append(_night(ws, "2026-11-30T02:00:00"))
    profile.write_text(text)
    fixed = _night(ws, "2026-12-01T02:00:00")
    return ws, broken, kept, sent_broken, fixed, waiting


def test_a_broken_profile_s_interchange_is_held_unanswered_with_a_finding_naming_the_profile(nights):
    ws, broken, kept, sent_broken, *_ = nights
    assert f"quarantine/held/{HELD}" in kept and f"quarantine/{HELD}" not in kept and sent_broken == []
    held = [r for r in _failures(broken) if r["code"] == "MAILBOX_INTERCHANGE_HELD"]
    assert [(r["partner"], r["severity"], r["isa13"]) for r in held] == [("initech", "error", "000003001")]
    assert "initech.toml does not load (bogus_key" in held[0]["message"]
    assert "kept in mailbox/quarantine/held" in held[0]["consequence"]
    with (ws.root / "mailbox" / "processed" / f"{NAME}.routes.csv").open() as fh:
        assert [(r["partner"], r["written_to"]) for r in csv.DictReader(fh)][2] == (
            "(held for initech)", f"mailbox/quarantine/held/{HELD}")


def test_the_first_night_after_the_profile_is_fixed_routes_and_answers_the_held_interchange(nights):
    ws, _, _, _, fixed, _ = nights
    from connectors.state import StateStore

    assert not list((ws.root / "mailbox" / "quarantine" / "held").iterdir())
    assert (ws.root / "mailbox" / "processed" / HELD).read_bytes() == _parts()["initech"]
    state = StateStore(ws.state_url)
    try:
        assert [(f["name"], f["status"]) for f in state.files("initech")] == [(HELD, "processed")]
    finally:
        state.close()
    for doc in ("997", "855"):
        assert {(isa[6].strip(), isa[7].strip()) for isa in _sent(ws, "initech", doc)} == {("12", "5125550100")}
    assert not [r for r in _failures(fixed) if r["code"].startswith("MAILBOX_")]  # said once, when it was held


def test_an_interchange_still_held_is_said_every_night_with_how_long_it_has_waited_until_the_profile_loads(nights):
    """MAILBOX_INTERCHANGE_HELD the night it came; each later night it is still held a warning in the failures report,
    under initech, naming the days since the run that held it and the profile's error that night; none once it
    loads (the fixed night routes it: test above)."""
    _, broken, _, _, fixed, waiting = nights
    assert not [r for r in _failures(broken) if r["code"] == "MAILBOX_INTERCHANGE_STILL_HELD"]  # said as HELD then
    said = []
    for summary in waiting:
        rows = _failures(summary)
        assert not [r for r in rows if r["code"] == "MAILBOX_INTERCHANGE_HELD"]  # held said once
        still = [r for r in rows if r["code"] == "MAILBOX_INTERCHANGE_STILL_HELD"]
        assert [(r["partner"], r["severity"], r["isa13"], r["file"]) for r in still] == [
            ("initech", "warning", "000003001", HELD)]
        assert "routed once the profile loads" in still[0]["consequence"]
        said.append(still[0]["message"])
        _counts_agree(summary)
    assert "has waited 1 day (held by the run of 2026-11-27)" in said[0]
    assert "has waited 3 days (held by the run of 2026-11-27)" in said[1]
    assert "(bogus_key: Extra inputs" in said[0] and "(other_bogus_key: Extra inputs" in said[1]  # that night's
    assert "initech.toml still does not load" in said[1] and "orderbridge partner check initech" in said[1]
    assert not [r for r in _failures(fixed) if r["code"] == "MAILBOX_INTERCHANGE_STILL_HELD"]


def test_a_rerun_of_the_night_that_held_it_does_not_say_it_is_still_held(tmp_path):
    """A night killed after the split and run again under its id: the held interchange is retaken (still held) but
    not reminded of on the run that held it; the next run reminds once, whatever its reruns."""
    from connectors.state import StateStore
    from flows import mailbox
    from flows.workspace import open_workspace

    ws = _workspace(tmp_path / "ws", _mailbox_file())
    profile = ws.partners_dir / "initech.toml"
    profile.write_text("bogus_key = 1\n" + profile.read_text())
    profiles, broken = open_workspace(ws.root).partners_apart()
    state = StateStore(ws.state_url)
    try:
        first = mailbox.split_mailbox(ws, profiles, state, run_id="r1", now=datetime(2026, 11, 27, 2), broken=broken)
        again = mailbox.split_mailbox(ws, profiles, state, run_id="r1", now=datetime(2026, 11, 27, 2), broken=broken)
        later = [mailbox.split_mailbox(ws, profiles, state, run_id="r2", now=datetime(2026, 11, 29, 2),
                                       broken=broken) for _ in range(2)]
        codes = {run: sorted(f["code"] for f in state.findings(run_id=run, partner="initech")) for run in ("r1", "r2")}
    finally:
        state.close()
    assert (first.held, again.still_held, [x.still_held for x in later]) == (1, 0, [1, 1])
    assert codes == {"r1": ["MAILBOX_INTERCHANGE_HELD"], "r2": ["MAILBOX_INTERCHANGE_STILL_HELD"]}
    assert "has waited since an earlier run" in later[0].findings[0]["message"]  # r1 is on no runs row here


def test_mailbox_findings_are_counted_alike_in_summary_json_and_the_failures_report(nights):
    _, broken, _, _, fixed, _ = nights
    rows = {p["partner"]: p for p in broken["partners"]}
    # initech: its profile's failure and the interchange held for it; the mailbox: the stranger's and the $$ADD line
    assert (rows["initech"]["errors"], rows["mailbox"]["errors"], rows["mailbox"]["warnings"]) == (2, 1, 1)
    _counts_agree(broken)
    _counts_agree(fixed)
    html = Path(broken["reports"]["failures_html"]).read_text(encoding="utf-8")
    assert "the VAN mailbox: what no one partner takes" in html


def test_no_partner_can_take_the_mailbox_s_id():
    from schemas.profile import PartnerProfile

    with pytest.raises(ValueError, match="'mailbox' names the VAN mailbox's row"):
        PartnerProfile.model_validate({"id": "mailbox", "name": "Mailbox Inc."})


def test_a_pull_that_loses_its_connection_is_retried_as_a_stage_is_then_said(tmp_path, monkeypatch):
    """The mailbox pull after a transient error (the VAN's server dropped the connection) is tried again after the
    stage's delays; a terminal one (its host key changed) is the night's failure at once, and the split still
    runs."""
    from flows import mailbox, night
    from schemas.errors import ConnectorUnavailable, SecurityError
    from tests.support import make_workspace

    ws = make_workspace(tmp_path / "ws", partners=())
    (ws.root / "workspace.toml").write_text('[mailbox]\nkind = "sftp"\n\n[mailbox.sftp]\nhost = "127.0.0.1"\n'
                                            'user = "u"\nkey_file = "/nonexistent"\nknown_hosts = "/nonexistent"\n')
    errors = [ConnectorUnavailable("SFTP connection lost"), ConnectorUnavailable("SFTP connection lost")]
    calls, slept, split = [], [], []

    def pull(ws_, remote, state, *, run_id):
        calls.append(run_id)
        if errors:
            raise errors.pop(0)
        return mailbox.Pulled(names=["van.edi"])

    monkeypatch.setattr(mailbox, "pull_mailbox", pull)
    monkeypatch.setattr(mailbox, "split_mailbox", lambda *a, **k: split.append(1) or mailbox.MailboxResult())
    stages = night.InProcess(delays=[1, 5], sleep=slept.append)
    assert night._split_mailbox(ws, {}, "r1", datetime(2026, 11, 27, 2), stages) == ""
    assert (len(calls), slept, split) == (3, [1, 5], [1])
    errors[:] = [SecurityError("SFTP host key does not match the pinned known_hosts entry")]
    failure = night._split_mailbox(ws, {}, "r2", datetime(2026, 11, 27, 2), stages)
    assert failure.startswith("mailbox pull: SecurityError: SFTP host key does not match")
    assert (len(calls), slept, split) == (4, [1, 5], [1, 1])
