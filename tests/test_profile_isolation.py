"""One partner's profile that does not load (a TOML typo, a value schemas.profile refuses, a field missing) is
that partner's failure, not the night's: the partners whose profiles load run as they would without it, the
broken one is a failed partner of the run (exit 3, the summary's row says which file, what and what to do)
and nothing of it is taken, answered, quarantined or sent: its files wait in its drop until the profile is
fixed. Confirmations naming its POs wait in the warehouse's inbox too. Only when no profile loads is the
workspace refused as before (exit 4). It used to refuse every night (exit 4) for one partner's typo."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from flows.exit_status import ExitStatus, for_run
from flows.night import InProcess, run_night, run_shipments
from flows.workspace import Workspace
from schemas.errors import ConfigError
from tests.crash_harness import NIGHTS, drop_night, new_workspace
from tests.support_pool import dump_files

BROKEN = 'usage = "X"'  # x12.usage must be P or T
EXTRA = ("[x12]", "[x12]\nnot_an_option = 1")  # a field the profile does not have (a typo)


def _break(ws: Path, partner: str, how: tuple[str, str] = ('usage = "T"', BROKEN)) -> str:
    path = ws / "partners" / f"{partner}.toml"
    text = path.read_text(encoding="utf-8")
    assert how[0] in text
    path.write_text(text.replace(how[0], how[1], 1), encoding="utf-8")
    return text


def _night(ws: Path, night: int) -> dict:
    drop_night(ws, night)
    return run_night(str(ws), stages=InProcess(delays=[]), now=NIGHTS[night][1], use_gx=False)


def _partner_files(ws: Path, partner: str) -> dict[str, bytes]:
    return {k: v for k, v in dump_files(ws).items() if k.startswith(f"drop/{partner}/")}


def test_a_broken_profile_fails_its_partner_only_and_its_files_wait(tmp_path):
    without, broken = new_workspace(tmp_path / "without"), new_workspace(tmp_path / "broken")
    (without / "partners" / "initech.toml").unlink()
    good = _break(broken, "initech")
    summary = _night(broken, 0)
    alone = _night(without, 0)
    # the others: what a night without initech gives them, byte for byte
    for pid in ("acme", "globex", "umbrella"):
        assert _partner_files(broken, pid) == _partner_files(without, pid), pid
    rows = {p["partner"]: p for p in summary["partners"]}
    assert [p["partner"] for p in summary["partners"]] == ["acme", "globex", "initech", "umbrella"]
    assert {pid: rows[pid] for pid in ("acme", "globex", "umbrella")} == {
        p["partner"]: p for p in alone["partners"]}
    failure = rows["initech"]["failure"]
    assert failure.startswith(f"profile: {broken.resolve() / 'partners' / 'initech.toml'} does not load: x12.usage: ")
    assert "'X'" in failure and "orderbridge partner check initech" in failure and "wait in its drop" in failure
    assert for_run(summary) == ExitStatus.INCOMPLETE and for_run(alone) != ExitStatus.INCOMPLETE
    # its row in the failures report: the file, the field and value refused, what to do
    with open(summary["reports"]["failures_csv"], encoding="utf-8-sig", newline="") as f:
        found = [r for r in csv.DictReader(f) if r["code"] == "PROFILE_NOT_LOADED"]
    assert len(found) == 1 and found[0]["partner"] == "initech" and found[0]["file"] == "initech.toml", found
    assert (found[0]["element"], found[0]["value"], found[0]["severity"]) == ("x12.usage", "X", "error"), found
    with open(Path(summary["reports"]["failures_csv"]).parent / "failures-hints.csv", encoding="utf-8-sig",
              newline="") as f:  # the hint once per code (failures.csv's rows join it on code)
        hint = next(r["hint"] for r in csv.DictReader(f) if r["code"] == "PROFILE_NOT_LOADED")
    assert "partner check" in hint and "does not load" in found[0]["message"], found
    # nothing of initech taken: its files in its inbox, nothing archived, answered or sent
    inbox = sorted(p.name for p in (broken / "drop" / "initech" / "inbox").iterdir())
    assert inbox == sorted(p.name for p in (Path(__file__).parent.parent / "sample_files" / "drops" / "initech")
                           .iterdir())
    assert not [p for p in (broken / "drop" / "initech").rglob("*") if p.is_file() and p.parent.name != "inbox"]
    state = StateStore(Workspace(broken).state_url)
    try:
        assert not [o for o in state.orders() if o.partner == "initech"]
        assert not state.pending_documents("initech")
    finally:
        state.close()
    # fixed: the next night takes them
    (broken / "partners" / "initech.toml").write_text(good, encoding="utf-8")
    later = _night(broken, 1)
    assert not {p["partner"]: p["failure"] for p in later["partners"] if p["failure"]}
    assert not [p for p in (broken / "drop" / "initech" / "inbox").iterdir() if p.name.startswith("initech-po")]
    assert {p["partner"]: p["files"] for p in later["partners"]}["initech"] >= 3
    assert list((broken / "drop" / "initech" / "outbox").glob("initech-997-*.x12"))


@pytest.mark.parametrize("how, said", [
    (('id = "initech"', 'id = "initech"\nname = ['), "not TOML: "),  # a TOML syntax error: its line
    (('id = "initech"', 'id = "initech2"'), "profile file name must equal its id"),
    (EXTRA, "x12.not_an_option"),
])
def test_each_kind_of_broken_profile_is_its_partners_failure(tmp_path, how, said):
    ws = new_workspace(tmp_path / "ws", shipping=False)
    _break(ws, "initech", how)
    summary = _night(ws, 0)
    failure = {p["partner"]: p["failure"] for p in summary["partners"]}
    assert said in failure["initech"] and not any(failure[p] for p in failure if p != "initech"), failure
    if said == "not TOML: ":
        assert "(at line " in failure["initech"]  # where the reader stopped
    assert len(list((ws / "drop" / "initech" / "inbox").iterdir())) == 3


SHIPPED = ("shipped", "partially_shipped", "invoiced")


def _states(ws: Path) -> dict:
    state = StateStore(Workspace(ws).state_url)
    try:
        return {o.key: o.state.value for o in state.orders()}
    finally:
        state.close()


def test_confirmations_naming_its_pos_wait_in_the_warehouse_inbox(tmp_path):
    """Day 1's east confirmation names ACME-1001, INITECH-3010 and UMB-6001: while initech's profile does not
    load it is left in the inbox (neither taken nor quarantined), north's (GLOBEX-2001) ships; once fixed,
    the next shipments run takes it and INITECH-3010 ships."""
    ws = new_workspace(tmp_path / "ws")
    _night(ws, 0)
    before = _states(ws)
    good = _break(ws, "initech")
    drop_night(ws, 1)  # the day's confirmations (and night 2's partner files, not taken by a shipments run)
    summary = run_shipments(str(ws), stages=InProcess(delays=[]), now="2026-11-27T14:30:00")
    east = ws / "warehouse-drop" / "east"
    assert [p.name for p in (east / "inbox").iterdir()] == ["east-shipments-20261127.csv"]
    assert not list((east / "quarantine").glob("*")) and not list((east / "processed").glob("*"))
    found = {w["warehouse"]: w for w in summary["warehouses"]}
    assert "PO INITECH-3010 of partner initech" in found["east"]["failure"] and not found["north"]["failure"]
    assert found["north"]["shipments"] == 1 and found["east"]["files"] == 0
    assert {p["partner"]: bool(p["failure"]) for p in summary["partners"]}["initech"]
    assert for_run(summary) == ExitStatus.INCOMPLETE
    states = _states(ws)
    assert states[("globex", "GLOBEX-2001")] in SHIPPED and before[("globex", "GLOBEX-2001")] not in SHIPPED
    assert (states[("initech", "INITECH-3010")], states[("acme", "ACME-1001")]) == (
        before[("initech", "INITECH-3010")], before[("acme", "ACME-1001")])
    (ws / "partners" / "initech.toml").write_text(good, encoding="utf-8")
    again = run_shipments(str(ws), stages=InProcess(delays=[]), now="2026-11-27T15:00:00")
    assert not [w for w in again["warehouses"] if w["failure"]]
    assert not (east / "inbox" / "east-shipments-20261127.csv").exists()
    states = _states(ws)
    assert states[("initech", "INITECH-3010")] in SHIPPED and states[("acme", "ACME-1001")] in SHIPPED


def test_the_run_command_runs_the_others_and_exits_3_and_refuses_when_none_loads(tmp_path):
    ws = new_workspace(tmp_path / "ws", shipping=False)
    drop_night(ws, 0)
    _break(ws, "globex", EXTRA)
    res = CliRunner().invoke(app, ["run", "-w", str(ws), "--now", NIGHTS[0][1], "--no-prefect", "--no-gx"])
    text = " ".join(res.output.split())
    assert res.exit_code == ExitStatus.INCOMPLETE, res.output
    assert "partner globex is left out of this run" in text and "Traceback" not in res.output
    summary = json.loads(next((ws / "reports").glob("*/summary.json")).read_text())
    assert {p["partner"]: bool(p["failure"]) for p in summary["partners"]} == {"acme": False, "globex": True,
                                                                               "initech": False}
    for pid in ("acme", "initech"):
        _break(ws, pid, EXTRA)
    res = CliRunner().invoke(app, ["run", "-w", str(ws), "--now", NIGHTS[1][1], "--no-prefect", "--no-gx"])
    text = " ".join(res.output.split())
    assert res.exit_code == ExitStatus.WORKSPACE_UNUSABLE, res.output
    assert "no partner profile loads (3 in" in text and "Nothing was done" in text


def test_a_network_partners_broken_profile_leaves_its_interchanges_unanswered_until_fixed(tmp_path):
    """tests/fixtures/gsroute: two e-procurement networks (``network``, ``netrun``), each one interchange of two
    buyers' groups told apart by GS02. netrun's profile with a TOML typo: its interchange is neither answered
    (no TA1 for an unknown sender, no 997) nor quarantined: it waits; network's answers are the ones a workspace
    without netrun sends, byte for byte. The confirmation naming both networks' POs waits in the east inbox.
    Fixed, the next night answers each of netrun's groups at its own GS02 and the confirmation ships."""
    from tests.retailer_support import on_demo
    from tests.test_gs_routing import FIXTURES, A, B, sent

    without = on_demo(FIXTURES, tmp_path / "without").root
    broken = on_demo(FIXTURES, tmp_path / "broken").root
    (without / "partners" / "netrun.toml").unlink()
    good = _break(broken, "netrun", ('their_gs_ids = ["AN01000067890"]', 'their_gs_ids = ["AN01000067890"'))
    clock = "2026-11-27T02:00:00"
    summary = run_night(str(broken), stages=InProcess(delays=[]), now=clock, use_gx=False)
    run_night(str(without), stages=InProcess(delays=[]), now=clock, use_gx=False)
    for pid in ("network", "divisions"):
        assert _partner_files(broken, pid) == _partner_files(without, pid), pid
    failure = {p["partner"]: p["failure"] for p in summary["partners"]}
    assert "netrun.toml does not load: not TOML: " in failure["netrun"] and not failure["network"]
    netrun = broken / "drop" / "netrun"
    assert [p.name for p in (netrun / "inbox").iterdir()] == ["netrun-850-4412.x12"]
    assert not [p for p in netrun.rglob("*") if p.is_file() and p.parent.name != "inbox"]  # no TA1, 997, quarantine
    east = broken / "warehouse-drop" / "east" / "inbox"
    east.mkdir(parents=True, exist_ok=True)
    for f in (FIXTURES / "shipments").iterdir():
        (east / f.name).write_bytes(f.read_bytes())
    shipped = run_shipments(str(broken), stages=InProcess(delays=[]), now="2026-11-27T14:30:00")
    waiting = {w["warehouse"]: w["failure"] for w in shipped["warehouses"]}["east"]
    assert "NR-100" in waiting and "which no order holds yet" in waiting and "netrun" in waiting
    assert [p.name for p in east.iterdir()] == ["east-shipments-20261127.csv"]
    (broken / "partners" / "netrun.toml").write_text(good, encoding="utf-8")
    fixed = run_night(str(broken), stages=InProcess(delays=[]), now="2026-11-28T02:00:00", use_gx=False)
    assert not [p for p in fixed["partners"] if p["failure"]] and not list(east.iterdir())
    ws = Workspace(broken)
    acks = sent(ws, "netrun", "997")
    assert sorted((ak102, gs03) for _i, _n, gs03, _g, _s, ak102 in acks) == [("4411", A), ("4412", B)]
    states = _states(broken)
    assert {po: states[("netrun", po)] for po in ("NR-100", "NR-200", "NR-201")} == dict.fromkeys(
        ("NR-100", "NR-200", "NR-201"), "invoiced")


class Sharded(InProcess):
    """The per-partner stages as a work pool runs them (flows.pool through flows.night._per_partner's
    ``<stage>_many``): what each phase was given is kept."""

    def __init__(self) -> None:
        super().__init__(delays=[])
        self.given: list[tuple[str, list[str]]] = []

    def intake_many(self, workspace: str, partners: list[str], now_iso: str, run_id: str) -> dict:
        self.given.append(("intake", list(partners)))
        return {pid: self.intake(workspace, pid, now_iso, run_id) for pid in partners}

    def deliver_many(self, workspace: str, partners: list[str], now_iso: str, run_id: str) -> dict:
        self.given.append(("deliver", list(partners)))
        return {pid: self.deliver(workspace, pid, now_iso, run_id) for pid in partners}


def test_the_pool_night_gives_its_workers_only_the_partners_whose_profiles_load(tmp_path):
    one, pool = new_workspace(tmp_path / "one", shipping=False), new_workspace(tmp_path / "pool", shipping=False)
    for ws in (one, pool):
        _break(ws, "globex", EXTRA)
        drop_night(ws, 0)
    stages = Sharded()
    summary = run_night(str(pool), stages=stages, now=NIGHTS[0][1], use_gx=False)
    alone = run_night(str(one), stages=InProcess(delays=[]), now=NIGHTS[0][1], use_gx=False)
    assert stages.given == [("intake", ["acme", "initech"]), ("deliver", ["acme", "initech"])]
    def rows(summary: dict, ws: Path) -> list[dict]:
        return [p | {"failure": p["failure"].replace(str(ws.resolve()), "WS")} for p in summary["partners"]]

    assert rows(summary, pool) == rows(alone, one) and "x12.not_an_option" in summary["partners"][1]["failure"]
    assert {k: v for k, v in dump_files(pool).items() if k.startswith("drop/")} == {
        k: v for k, v in dump_files(one).items() if k.startswith("drop/")}
    assert len(list((pool / "drop" / "globex" / "inbox").iterdir())) == 3


def test_partner_check_and_status_with_one_broken_profile(tmp_path):
    """`partner check` says on one line what is wrong with the broken profile (the field and the value given, no
    pydantic page) and that its partner waits; another partner's check is not troubled by it; `status` of the
    broken partner's order still tells its story (it needs no profile)."""
    ws = new_workspace(tmp_path / "ws", shipping=False)
    _night(ws, 0)
    _break(ws, "initech")
    runner = CliRunner()
    res = runner.invoke(app, ["partner", "check", "initech", "-w", str(ws)])
    lines = [ln for ln in res.output.splitlines() if ln.startswith("missing:")]
    assert res.exit_code == ExitStatus.INPUT_ERRORS and len(lines) == 1, res.output
    assert "invalid partner profile: x12.usage: Input should be 'P' or 'T' (given 'X')" in " ".join(res.output.split())
    assert "its files wait in its drop" in " ".join(res.output.split()) and "pydantic.dev" not in res.output
    res = runner.invoke(app, ["partner", "check", "acme", "-w", str(ws)])
    assert res.exit_code == ExitStatus.OK and "initech" not in res.output, res.output
    res = runner.invoke(app, ["status", "INITECH-3010", "-w", str(ws)])
    assert res.exit_code == ExitStatus.OK and "initech / INITECH-3010" in res.output, res.output


def test_report_and_retake_with_one_broken_profile(tmp_path):
    """`report --run` writes the broken night's reports again (its partner row kept); `retake` for the broken
    partner says its profile does not load (exit 2), and for another partner is not troubled by it."""
    ws = new_workspace(tmp_path / "ws", shipping=False)
    _night(ws, 0)
    _break(ws, "initech")
    summary = _night(ws, 1)
    runner = CliRunner()
    res = runner.invoke(app, ["report", "--run", summary["run_id"], "--section", "run", "-w", str(ws)])
    assert res.exit_code == ExitStatus.OK, res.output
    again = json.loads((ws / "reports" / summary["run_id"] / "summary.json").read_text())
    assert [p["partner"] for p in again["partners"]] == ["acme", "globex", "initech"]
    assert again["partners"][2]["failure"].startswith("profile: ")
    res = runner.invoke(app, ["retake", "initech-po-01.x12", "--partner", "initech", "--by", "ops", "--note", "n",
                              "-w", str(ws)])
    text = " ".join(res.output.split())
    assert res.exit_code == ExitStatus.USAGE and "partner initech's profile" in text and "does not load" in text
    res = runner.invoke(app, ["retake", "acme-po-broken.x12", "--partner", "acme", "--by", "ops", "--note", "n",
                              "-w", str(ws)])
    assert "does not load" not in res.output and "initech" not in res.output, res.output


def test_inspect_with_another_partners_broken_profile(tmp_path):
    """`inspect --partner acme` is not troubled by initech's broken profile (it used to stop at it: exit 4);
    `inspect --partner initech` says what is wrong with initech's (exit 4, as before)."""
    ws = new_workspace(tmp_path / "ws", shipping=False)
    _break(ws, "initech")
    po = Path(__file__).parent.parent / "sample_files" / "drops" / "acme" / "acme-po-01.x12"
    runner = CliRunner()
    res = runner.invoke(app, ["inspect", str(po), "--partner", "acme", "-w", str(ws)])
    assert res.exit_code in (ExitStatus.OK, ExitStatus.INPUT_ERRORS) and "initech" not in res.output, res.output
    res = runner.invoke(app, ["inspect", str(po), "--partner", "initech", "-w", str(ws)])
    # the ConfigError that flows.cli.main turns into exit 4 (tests/test_cli_hostile_values.py runs it)
    assert isinstance(res.exception, ConfigError) and "x12.usage" in str(res.exception)


def test_a_drop_folder_without_a_profile_is_its_partners_failure_and_its_files_wait(tmp_path):
    """A partner's drop set up (and sent to) before its profile, or a profile removed or misnamed: its files were
    never read and nothing said so, night after night (no finding, no summary row, exit 0). Now it is a partner whose
    profile does not load: its row says no such file and how many files wait, PROFILE_NOT_LOADED in the failures
    report, exit 3; its files stay in its inbox. An empty leftover folder says nothing."""
    ws = new_workspace(tmp_path / "ws", shipping=False)
    inbox = ws / "drop" / "hooli" / "inbox"
    inbox.mkdir(parents=True)
    sent = Path(__file__).parent.parent / "sample_files" / "drops" / "acme" / "acme-po-01.x12"
    (inbox / "hooli-po-01.x12").write_bytes(sent.read_bytes())
    (ws / "drop" / "gone" / "inbox").mkdir(parents=True)  # a partner off-boarded: its folders stay, empty
    summary = _night(ws, 0)
    failure = {p["partner"]: p["failure"] for p in summary["partners"]}
    assert sorted(failure) == ["acme", "globex", "hooli", "initech"] and not any(
        failure[p] for p in failure if p != "hooli"), failure
    assert "hooli.toml does not load: there is no such file, and 1 file(s) wait in " in failure["hooli"]
    assert for_run(summary) == ExitStatus.INCOMPLETE
    with open(summary["reports"]["failures_csv"], encoding="utf-8-sig", newline="") as f:
        found = [r for r in csv.DictReader(f) if r["code"] == "PROFILE_NOT_LOADED"]
    assert [(r["partner"], r["file"], r["severity"]) for r in found] == [("hooli", "hooli.toml", "error")]
    assert [p.name for p in inbox.iterdir()] == ["hooli-po-01.x12"]
    assert not [p for p in (ws / "drop" / "hooli").rglob("*") if p.is_file() and p.parent.name != "inbox"]
    result = CliRunner().invoke(app, ["partner", "check", "hooli", "-w", str(ws)])
    assert result.exit_code == 1 and "no profile for partner hooli" in result.output
