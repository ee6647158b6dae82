"""Partner-supplied values are printed as they are, never interpreted: rich markup (`[/b]`,
`[bold red]X[/]`), emoji codes and terminal control sequences in PO numbers, names, notes and file
names come out literally (control characters made visible), and never cause a traceback."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from engine import lifecycle
from engine.lifecycle.table import create
from flows import cli
from flows.cli import app
from flows.terminal import shown
from flows.workspace import open_workspace
from schemas.lifecycle import EventKind, LineRecord, LineState, OrderLines, OrderRecord, OrderState, Plan
from tests.support import GOOD_PO, SAMPLES, make_workspace, run_stages, x12_850

HOSTILE = ["[/b]", "[bold red]X[/]", "[link=http://x]y[/link]", ":smile:", "A\x1b[2JB"]


def _po_file(tmp_path: Path, po: str, name: str = "po.x12") -> Path:
    body = [s.replace("PO-1", po) if s.startswith("BEG") else s for s in GOOD_PO]
    path = tmp_path / name
    path.write_bytes(x12_850(body))
    return path


def _visible(value: str) -> str:
    return value.replace("\x1b", "\\x1b")


@pytest.mark.parametrize("po", HOSTILE)
def test_inspect_prints_a_hostile_po_number_literally(tmp_path, po):
    res = CliRunner().invoke(app, ["inspect", str(_po_file(tmp_path, po))])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert res.exit_code in (0, 1)
    assert f"PO {_visible(po)}:" in res.stdout
    assert "\x1b" not in res.stdout


def _workspace_with_order(tmp_path: Path, po: str, text: str):
    """A held order whose PO number, file name, hold reason, history note and line carry ``text``."""
    ws = open_workspace(tmp_path / "ws")
    store = StateStore(ws.state_path)
    at = "2026-11-27T02:00:00"
    received = create(OrderRecord("acme", po, OrderState.RECEIVED, source_file=f"{text}.x12", currency=text),
                      at=at, run_id="r", note=f"note {text}")
    held = lifecycle.move(received.record, EventKind.HELD, at=at, run_id="r", note=f"note {text}",
                          hold_reasons=(f"reason {text}",))
    line = LineRecord("acme", po, 1, LineState.RECEIVED, line_id=text, ack="IA", unit=text, warehouses=text,
                      reason=text)
    store.apply(Plan(transitions=(received, held), lines=(OrderLines("acme", po, (line,)),)), run_id="r")
    store.close()
    return ws


@pytest.mark.parametrize("value", HOSTILE)
def test_status_and_approvals_print_hostile_values_literally(tmp_path, value):
    ws = _workspace_with_order(tmp_path, value, value)
    for args in (["status", value, "-w", str(ws.root)], ["approvals", "-w", str(ws.root)]):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, (args, res.output, res.exception)
        assert _visible(value) in res.stdout
        assert "\x1b" not in res.stdout


@pytest.mark.parametrize("value", ["[/b]", "[bold red]X[/]", ":smile:"])
def test_recheck_and_status_of_a_held_order_print_hostile_values_literally(tmp_path, value):
    # a real night: ACME-1010 arrives under a PO number full of markup and is held for a person
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    po = f"{value}1010"  # BEG03 is at most 22 characters
    data = (SAMPLES / "acme" / "acme-po-02.x12").read_bytes().replace(b"ACME-1010", po.encode())
    name = value.replace("/", "") + ".x12"  # markup still ("[b].x12"), and a valid file name
    (inbox / name).write_bytes(data)
    run_stages(ws, datetime(2026, 11, 27, 2))
    assert StateStore(ws.state_path).order("acme", po).state == "held"
    runner = CliRunner()
    for args in (["recheck", po, "--partner", "acme", "--by", value, "-w", str(ws.root)],
                 ["status", po, "-w", str(ws.root)], ["approvals", "-w", str(ws.root)]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0, (args, res.output, res.exception)
        assert po in res.stdout, (args, res.stdout)
    assert name in res.stdout  # approvals: the file name as sent


def test_the_run_summary_prints_hostile_failures_literally(capsys):
    summary = {"run_id": "r", "failure": "decide: [/b]", "reports": {},
               "partners": [{"partner": "acme", "files": 1, "processed": 0, "quarantined": 0, "duplicates": 0,
                             "orders": 0, "accepted": 0, "held": 0, "rejected": 0, "documents": {}, "delivered": 0,
                             "errors": 1, "failure": "intake: bad name '[bold red]X[/]\x1b[2J'"}]}
    cli._summary_table(summary)
    out = capsys.readouterr().out
    assert "run stage failed: decide: [/b]" in out
    assert "acme failed: intake: bad name '[bold red]X[/]\\x1b[2J'" in out


def test_errors_print_hostile_text_without_a_traceback(tmp_path):
    cli_bin = Path(sys.executable).parent / "orderbridge"
    # a usage error naming a file
    missing = tmp_path / "no[/b]such[bold red]X[/]"
    res = subprocess.run([str(cli_bin), "inspect", str(missing)], capture_output=True, text=True, timeout=120)
    assert (res.returncode, "Traceback" in res.stderr) == (2, False), res.stderr
    assert f"no such file: {missing}" in res.stderr
    # the last line of defence (main): an OrderBridgeError whose message carries a path
    ws = tmp_path / "w[/b]s"
    (ws / "partners").mkdir(parents=True)
    (ws / "partners" / "bad.toml").write_text("id = [")
    res = subprocess.run([str(cli_bin), "inspect", str(_po_file(tmp_path, "PO-1")), "--partner", "bad", "-w",
                          str(ws)], capture_output=True, text=True, timeout=120)
    # a profile that does not load: the workspace cannot be used (README, "Exit status")
    assert (res.returncode, "Traceback" in res.stderr) == (4, False), res.stderr
    assert "ConfigError: cannot read partner profile" in res.stderr and str(ws / "partners") in res.stderr


def test_run_refuses_a_profile_that_does_not_load_before_the_flow_starts(tmp_path, monkeypatch):
    """`run` on a workspace where no profile loads (two ASN deadlines set differently, after an edit) exits 4
    with the profiles' messages before the flow starts: inside the Prefect flow the same error was logged by
    Prefect with two tracebacks (the "no traceback" promise of README's Exit status) and printed three times.
    (One profile that does not load among others that do is its partner's failure in the run:
    tests/test_profile_isolation.py.)"""
    from tests.support import seed_demo_data

    seed_demo_data(tmp_path)
    profile = tmp_path / "partners" / "acme.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("[finance]\n", "[finance]\nasn_window_minutes "
                                                                   "= 1440\n", 1), encoding="utf-8")
    for other in ("globex", "initech", "umbrella"):  # and every other profile refused too (a field it has not)
        profile = tmp_path / "partners" / f"{other}.toml"
        profile.write_text("not_an_option = 1\n" + profile.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(cli, "_run", lambda *a, **k: pytest.fail("the flow started"))
    res = CliRunner().invoke(app, ["run", "-w", str(tmp_path), "--now", "2026-11-27T02:00:00"])
    text = " ".join(res.output.split())
    assert res.exit_code == 4 and "asn_window_minutes = 1440 disagree" in text and "Nothing was done" in text


@pytest.mark.parametrize(("raw", "expected"), [
    ("PO-1", "PO-1"), ("[/b]", "[/b]"), ("a\nb", "a\\nb"), ("a\x1b[2Jb", "a\\x1b[2Jb"), ("\x9b31m", "\\x9b31m"),
    ("po-\udcff.x12", "po-\\udcff.x12"), ("abc\u202edcba", "abc\\u202edcba"), ("Müller", "Müller"),
])
def test_shown_makes_control_characters_visible_and_keeps_the_rest(raw, expected):
    assert shown(raw) == expected
