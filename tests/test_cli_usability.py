"""The command line a person expects: help on every option, flags shown as flags, --version, one
workspace flag everywhere (demo's old --workdir still works, hidden), progress lines when output is
not a terminal, a documented exit status, and demo hints that name the real command and list only
what each night sent."""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

import flows.cli as cli
from flows.cli import app
from flows.exit_status import ExitStatus, for_run
from tests.support import REPO, make_workspace, run_night, run_shipments

COMMAND = typer.main.get_command(app)


def commands(group=COMMAND, prefix: tuple[str, ...] = ()) -> list[tuple[str, click.Command]]:
    """Every command, sub-commands of groups (partner check, console-user add ...) included."""
    out = []
    for name, command in sorted(group.commands.items()):
        out.append((" ".join((*prefix, name)), command))
        if hasattr(command, "commands"):  # a group (typer vendors its own click)
            out += commands(command, (*prefix, name))
    return out


@pytest.mark.parametrize(("name", "command"), commands(), ids=[n for n, _ in commands()])
def test_every_option_has_help_and_flags_show_as_flags(name, command):
    missing = [p.name for p in command.params if not p.hidden and not getattr(p, "help", None)]
    assert not missing, f"{name}: no help for {missing}"
    text = CliRunner().invoke(app, [*name.split(), "--help"]).output
    assert "<bool>" not in text and "BOOLEAN" not in text
    for p in command.params:
        if p.param_type_name == "option" and getattr(p, "is_flag", False) and not p.hidden:
            assert re.search(rf"^\s+({'|'.join(map(re.escape, p.opts))})(,|\s{{2,}})", text, re.M), (name, p.opts)


def test_help_explains_run_now_and_serve_cron():
    run = CliRunner().invoke(app, ["run", "--help"]).output
    assert "2026-11-27T02:00:00" in run and "default: now" in run
    serve = CliRunner().invoke(app, ["serve", "--help"]).output
    assert "cron expression" in serve and "Europe/Berlin" in serve


def test_version():
    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"orderbridge {version('orderbridge')}"


def test_one_workspace_flag_everywhere():
    for name, command in commands():
        names = {o for p in command.params if not p.hidden for o in getattr(p, "opts", [])}
        if any("workspace" in o or "workdir" in o for p in command.params for o in getattr(p, "opts", [])):
            assert {"--workspace", "-w"} <= names, name
    demo = CliRunner().invoke(app, ["demo", "--help"]).output
    assert "--workspace" in demo and "--workdir" not in demo  # the old name still parses, unlisted


def test_exit_status_is_documented_once_in_the_readme():
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Exit status"):]
    section = section[:section.index("\n## ", 4)]
    table = dict(re.findall(r"^\| (\d) \| `(\w+)` \|", section, re.M))
    assert table == {str(int(s)): s.name for s in ExitStatus}
    assert for_run({"partners": [{"errors": 0, "failure": ""}]}) == ExitStatus.OK
    assert for_run({"partners": [{"errors": 2, "failure": ""}]}) == ExitStatus.INPUT_ERRORS
    assert for_run({"partners": [{"errors": 2, "failure": "delivery: SFTP refused"}]}) == ExitStatus.INCOMPLETE
    assert for_run({"failure": "decide: ConfigError", "partners": []}) == ExitStatus.INCOMPLETE


def test_command_name_is_what_works_from_here(tmp_path, monkeypatch):
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "orderbridge").write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "executable", str(venv / "python"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli.shutil, "which", lambda name: None)
    assert cli.command_name() == ".venv/bin/orderbridge"
    monkeypatch.setattr(cli.shutil, "which", lambda name: str(venv / "orderbridge"))
    assert cli.command_name() == "orderbridge"  # the venv is active
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the venv is not below the current folder: its full path
    monkeypatch.setattr(cli.shutil, "which", lambda name: None)
    assert cli.command_name() == str(venv / "orderbridge")


def _nights_in_process(monkeypatch):
    """The demo's nights without Prefect (flows.cli._run replaced by the same stages in process)."""
    def run(workspace: Path, now: str | None) -> dict:
        from flows.workspace import Workspace

        run_id = run_night(Workspace(workspace.resolve()), datetime.fromisoformat(now))
        summary = json.loads((workspace / "reports" / run_id / "summary.json").read_text())
        cli._summary_table(summary)
        return summary

    def ship(workspace: Path, now: str | None) -> dict:
        from flows.workspace import Workspace

        run_id = run_shipments(Workspace(workspace.resolve()), datetime.fromisoformat(now))
        summary = json.loads((workspace / "reports" / run_id / "summary.json").read_text())
        cli._summary_table(summary)
        return summary

    monkeypatch.setattr(cli, "_run", run)
    monkeypatch.setattr(cli, "_ship", ship)


def test_demo_hints_name_the_real_command_and_each_night_lists_only_what_it_sent(tmp_path, monkeypatch):
    _nights_in_process(monkeypatch)
    work = tmp_path / "demo"
    res = CliRunner().invoke(app, ["demo", "--workdir", str(work)])  # the old flag name, hidden
    assert res.exit_code == 0, res.output
    out = res.stdout
    night1, rest = out.split("Day 1")
    day1, night2 = rest.split("Night 2")
    sent1 = re.findall(r"^    (drop/\S+)$", night1, re.M)
    shipped = re.findall(r"^    (drop/\S+)$", day1, re.M)
    sent2 = re.findall(r"^    (drop/\S+)$", night2, re.M)
    # night 1: its 17 X12 documents and the CSV partner's acknowledgment
    assert len(sent1) == 18 and "this night sent 18 document(s)" in night1
    assert [p for p in sent1 if not p.endswith(".x12")] == ["drop/umbrella/outbox/umbrella-csv-ack-000000001.csv"]
    # day 1's shipments run lists its 856s and 810s only; night 2 lists night 2's documents only
    assert shipped and all(re.search(r"-(856|810)-", p) for p in shipped) and not set(sent1) & set(shipped)
    assert len(sent2) > 8 and not (set(sent1) | set(shipped)) & set(sent2)
    assert sorted(sent1 + shipped + sent2) == sorted(str(p.relative_to(work)) for p in [
        *work.glob("drop/*/outbox/*.x12"), *work.glob("drop/*/outbox/*.csv")])
    # the 997s answering the north 3PL's 945s are listed where the warehouse picks them up (its drop's outbox),
    # never under a partner's drop/
    acks = re.findall(r"^    (warehouse-drop/\S+)$", out, re.M)
    assert acks and all(re.fullmatch(r"warehouse-drop/north/outbox/north-997-\d{9}\.x12", p) for p in acks)
    assert sorted(acks) == sorted(str(p.relative_to(work)) for p in work.glob("warehouse-drop/*/outbox/*"))
    cmd = cli.command_name()
    hints = night2[night2.index("Next"):]
    assert f"{cmd} approve ACME-1010 --partner acme" in hints and f"{cmd} reject ACME-1011 --partner acme" in hints
    assert f"{cmd} run -w {work} --now 2026-11-29T02:00:00" in hints and f"{cmd} report -w {work}" in hints
    assert "acc: orders acknowledged; held: held for a person" in out  # the table's abbreviations explained
    # every PO the hints name is one this workspace holds, in the state they say
    from connectors.state import StateStore

    store = StateStore(work / "state" / "orderbridge.sqlite")
    assert store.order("acme", "ACME-1010").state == "held" and store.order("acme", "ACME-1011").state == "held"
    status_po, shipped_po = re.findall(rf"{re.escape(cmd)} status (\S+) --partner (\S+)", hints)
    assert store.order(status_po[1], status_po[0]) is not None
    # the second names an order that shipped (its shipments, cartons and invoices)
    assert store.order(shipped_po[1], shipped_po[0]).state in ("partially_shipped", "shipped", "invoiced", "closed")
    assert store.shipments_for_order(shipped_po[1], shipped_po[0])


def test_run_prints_progress_per_stage_and_partner_and_exits_by_its_meaning(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path / "ws", partners=("acme", "globex"))
    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--now", "2026-11-27T02:00:00"])
    assert res.exit_code == ExitStatus.INPUT_ERRORS, res.output  # done; the demo files hold errors
    # not a terminal: a plain line each (time, stage, partner), no spinner
    lines = [line for line in res.stderr.splitlines()
             if re.match(r"\d\d:\d\d:\d\d (run|intake|decide|deliver|reports)[ :]", line)]
    # start, run, 4 x intake, decide, 4 x deliver, reports, finished (the demo profiles: acme, globex,
    # initech and umbrella, the CSV partner; only acme and globex have files)
    assert len(lines) == 13
    for expected in ("intake acme: 3 files (2 processed, 1 quarantined, 0 duplicates)", "intake globex: 3 files",
                     "decide: 8 orders decided", "deliver acme: 6 documents sent", "deliver globex: 7 documents sent",
                     "reports: ", "run: 20261127T020000 finished"):
        assert any(expected in line for line in lines), (expected, lines)
    # a stage that fails: status 3, and the summary says which
    from flows import decide
    from schemas.errors import ConfigError

    def broken(*args, **kwargs):
        raise ConfigError("reference data missing")

    monkeypatch.setattr(decide, "decide_run", broken)
    monkeypatch.setattr("flows.steps.decide_run", broken)
    ws2 = make_workspace(tmp_path / "ws2", partners=("acme",))
    res = CliRunner().invoke(app, ["run", "-w", str(ws2.root), "--now", "2026-11-27T02:00:00"])
    assert res.exit_code == ExitStatus.INCOMPLETE, res.output
    assert "decide: FAILED" in res.stderr and "run stage failed: decide: ConfigError" in res.stdout


def test_each_run_says_how_many_orders_still_wait_for_a_person(tmp_path):
    """A night that found no error in its own input still ends by saying how many orders wait for a person
    (held by an earlier run): the scheduler's log and the ops reading it learn that ACME-1010 and ACME-1011
    have waited since the first night. It said '0 open errors in the input' and nothing of them."""
    ws = make_workspace(tmp_path / "ws", partners=("acme",))

    def night(now: str) -> str:
        res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--no-prefect", "--no-gx", "--now", now])
        assert res.exit_code in (ExitStatus.OK, ExitStatus.INPUT_ERRORS), res.output
        return next(line for line in res.stderr.splitlines() if " finished: " in line)

    assert night("2026-11-27T02:00:00").endswith("in the input; 2 orders wait for a person (orderbridge approvals)")
    assert night("2026-11-28T02:00:00").endswith(
        "finished: 0 open errors in the input; 2 orders wait for a person (orderbridge approvals)")
    for verb, po, why in (("approve", "ACME-1010", "--note"), ("reject", "ACME-1011", "--reason")):
        res = CliRunner().invoke(app, [verb, po, "--partner", "acme", "--by", "Dana", why, "ok", "-w", str(ws.root)])
        assert res.exit_code == 0, res.output
    assert night("2026-11-29T02:00:00").endswith("finished: 0 open errors in the input")


def test_the_decide_line_counts_orders_as_they_were_left_not_as_the_rules_saw_them(tmp_path):
    """INITECH takes no backorder (backorder = "reject"); with nothing in stock nor coming, every line of its POs
    is refused by allocation (855 IR) and the orders are rejected although the rules accepted them. The run's
    decide line counted the rules' verdicts ("2 acknowledged") while the 855s said RD: it now counts the orders
    as the decision left them, the same as the state store holds."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from connectors.state import StateStore

    ws = make_workspace(tmp_path / "ws", partners=("initech",))
    for path in (ws.inventory_dir / "snapshots").rglob("*.parquet"):
        t = pq.read_table(path)
        pq.write_table(t.set_column(t.schema.get_field_index("on_hand"), "on_hand",
                                    pc.multiply(t["on_hand"], 0)), path)
    receipts = ws.inventory_dir / "receipts.parquet"
    pq.write_table(pq.read_table(receipts).slice(0, 0), receipts)
    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--no-prefect", "--no-gx",
                                   "--now", "2026-11-27T02:00:00"])
    assert res.exit_code in (ExitStatus.OK, ExitStatus.INPUT_ERRORS), res.output
    line = next(ln for ln in res.stderr.splitlines() if " decide: " in ln)
    state = StateStore(ws.state_path)
    try:
        held = len(state.orders("initech", states=("held",)))
        rejected = len(state.orders("initech", states=("rejected",)))
        acknowledged = len(state.orders("initech", states=("acknowledged",)))
        summary = state.runs()[-1]["summary"]
    finally:
        state.close()
    assert rejected >= 1, line  # allocation refused them: their rules accepted them
    assert f"({acknowledged} acknowledged, {held} held, {rejected} rejected)" in line, line
    # the run's summary (the console's runs page reads its partner rows) counts them alike
    row = next(p for p in (summary if isinstance(summary, dict) else json.loads(summary))["partners"]
               if p["partner"] == "initech")
    assert (row["accepted"], row["held"], row["rejected"]) == (acknowledged, held, rejected), row


def test_a_workspace_whose_store_is_gone_is_told_to_restore_or_rebuild_it_not_to_run_first(tmp_path):
    """`status`, `approvals`, `exceptions` on a workspace with history whose state store is missing said "no state
    store in WS (run the flow first)" (exit 2): the one thing not to do (the run itself refuses, exit 4, as it would
    reuse control numbers). A new workspace is still told to run first."""
    import subprocess

    ws = make_workspace(tmp_path / "ws")
    run_night(ws, datetime(2026, 11, 27, 2))
    ws.state_path.unlink()
    for args in (["approvals"], ["exceptions"], ["status", "ACME-1000"]):
        res = CliRunner().invoke(app, [*args, "-w", str(ws.root)])
        assert res.exit_code == ExitStatus.WORKSPACE_UNUSABLE, (args, res.output)
        assert "but this workspace has history (" in res.output and "state restore FILE" in res.output
        assert "state rebuild" in res.output and "run the flow first" not in res.output
    fast = subprocess.run([sys.executable, "-c", "from flows.entry import main; main()", "status", "ACME-1000",
                           "-w", str(ws.root)], capture_output=True, text=True, cwd=REPO)
    assert fast.returncode == ExitStatus.WORKSPACE_UNUSABLE and "state rebuild" in fast.stderr
    res = CliRunner().invoke(app, ["approvals", "-w", str(tmp_path / "new")])
    assert res.exit_code == ExitStatus.USAGE and "(run the flow first)" in res.output


def test_dropped_without_a_prefect_server_says_so_instead_of_reporting_to_no_one(tmp_path, monkeypatch):
    """`orderbridge dropped east` with no PREFECT_API_URL said "reported: a confirmation in east's drop" (exit 0):
    the event went to a temporary API no deployment listens to, and the confirmation waited for the next run."""
    import shutil

    ws = make_workspace(tmp_path / "ws")
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    res = CliRunner().invoke(app, ["dropped", "east", "-w", str(ws.root)])
    assert res.exit_code == ExitStatus.USAGE and "reported" not in res.output
    assert "set PREFECT_API_URL" in res.output and f"orderbridge ship -w {ws.root}" in res.output


@pytest.mark.parametrize("encoding,separator", [("utf-16", "\t"), ("utf-16", ","), ("utf-16-le", "\t"),
                                                ("utf-16-be", ","), ("utf-32", ",")])
def test_inventory_load_reads_a_unicode_text_export_as_the_csv_order_reader_does(tmp_path, encoding, separator):
    """`inventory load` of Excel's "Unicode text" export (UTF-16 with its mark, TAB-separated) or a UTF-16 export
    without a mark said "reference file is not UTF-8": it is read as the CSV order reader reads it
    (schemas.wide_text), and loads what the same sheet saved as CSV UTF-8 loads."""
    rows = ["as_of,warehouse,sku,on_hand,reserved", "2026-11-27,east,SKU-1001,40,5", "2026-11-27,east,SKU-1002,7,0"]
    loaded = {}
    for name, enc, sep in (("utf8", "utf-8", ","), ("wide", encoding, separator)):
        ws = make_workspace(tmp_path / name)
        stock = tmp_path / f"{name}.csv"
        stock.write_bytes("".join(r.replace(",", sep) + "\r\n" for r in rows).encode(enc))
        res = CliRunner().invoke(app, ["inventory", "load", str(stock), "-w", str(ws.root)])
        assert res.exit_code == 0, res.output
        import pyarrow.parquet as pq

        loaded[name] = sorted(tuple(r.values()) for p in sorted((ws.root / "inventory" / "snapshots").rglob(
            "*.parquet")) for r in pq.read_table(p).to_pylist())
    assert loaded["wide"] == loaded["utf8"] and any(r[-2:] == (40, 5) for r in loaded["wide"]), loaded["wide"]
