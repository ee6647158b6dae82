"""A run's own finance report (reports/<run id>/finance/: the reconciliation of the whole history as of
that run, ~11 MB more every night at 50,000 lines) is removed once the run is older than workspace.toml's
[reports] finance_snapshot_days (default 90; 0 keeps all). The run's other reports and the cumulative
report (reports/finance/) stay; a night never fails over it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from flows.reports import PRUNING, prune_finance_snapshots
from flows.workspace import FINANCE_SNAPSHOT_DAYS, Workspace, open_workspace
from schemas.errors import ConfigError
from tests.support import make_workspace

NOW = datetime(2026, 11, 27, 2)


def _run_folder(root: Path, run_id: str) -> Path:
    folder = root / "reports" / run_id
    (folder / "finance" / "data").mkdir(parents=True)
    (folder / "finance" / "finance-report.html").write_text("<html></html>")
    (folder / "finance" / "data" / "lines.csv").write_text("partner,po_number\n")
    (folder / "summary.json").write_text("{}")
    (folder / "failures.csv").write_text("code\n")
    return folder


def test_only_the_finance_folders_of_runs_older_than_the_days_go(tmp_path):
    ws = Workspace(tmp_path)
    old = _run_folder(tmp_path, "20260801T020000")  # 118 days before NOW
    old2 = _run_folder(tmp_path, "20260828T020000-2")  # 91 days before: a second run of that clock
    edge = _run_folder(tmp_path, "20260829T020000")  # exactly 90 days before: kept
    new = _run_folder(tmp_path, "20261126T020000")
    cumulative = tmp_path / "reports" / "finance"
    since = tmp_path / "reports" / "finance-since-2026-01-01"
    for keep in (cumulative, since):
        (keep / "data").mkdir(parents=True)
        (keep / "data" / "lines.csv").write_text("x\n")
    staging = _run_folder(tmp_path, ".partial-20260701T020000")  # a run's report being written: not ours to touch
    leftover = new / f"{PRUNING}finance"  # a kill between the rename and the removal, last time
    (leftover / "data").mkdir(parents=True)

    assert prune_finance_snapshots(ws, NOW, 90) == ["20260801T020000", "20260828T020000-2"]
    for gone in (old, old2):
        assert not (gone / "finance").exists() and not (gone / f"{PRUNING}finance").exists()
        assert (gone / "summary.json").is_file() and (gone / "failures.csv").is_file()  # the run's own reports stay
    for kept in (edge, new):
        assert (kept / "finance" / "data" / "lines.csv").is_file()
    assert (cumulative / "data" / "lines.csv").is_file() and (since / "data" / "lines.csv").is_file()
    assert (staging / "finance" / "data" / "lines.csv").is_file()
    assert not leftover.exists()
    assert prune_finance_snapshots(ws, NOW, 90) == []  # nothing left to do: the same call again changes nothing


def test_zero_days_keeps_every_runs_finance_report(tmp_path):
    old = _run_folder(tmp_path, "20200101T020000")
    assert prune_finance_snapshots(Workspace(tmp_path), NOW, 0) == []
    assert (old / "finance" / "finance-report.html").is_file()


def test_the_days_come_from_workspace_toml_and_a_bad_value_is_named(tmp_path):
    ws = Workspace(tmp_path)
    assert ws.finance_snapshot_days == FINANCE_SNAPSHOT_DAYS == 90
    ws.config_path.write_text("[reports]\nfinance_snapshot_days = 30\n")
    assert ws.finance_snapshot_days == 30
    for bad in ("-1", '"30"', "1.5", "true"):
        ws.config_path.write_text(f"[reports]\nfinance_snapshot_days = {bad}\n")
        with pytest.raises(ConfigError, match="finance_snapshot_days"):
            ws.finance_snapshot_days  # noqa: B018 - the property reads the file


def _night(ws, now: datetime, lines: list[str]) -> dict:
    from flows import progress
    from flows.night import InProcess, run_night

    before = progress.report
    progress.report = lambda stage, message, **kw: lines.append(f"{stage}: {message}")
    try:
        return run_night(str(ws.root), stages=InProcess(), now=now.isoformat(), use_gx=False)
    finally:
        progress.report = before


def test_a_night_removes_the_finance_report_of_a_run_older_than_the_days(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    ws.config_path.write_text("[reports]\nfinance_snapshot_days = 30\n")
    lines: list[str] = []
    first = _night(ws, NOW, lines)["run_id"]
    assert (ws.reports_dir / first / "finance" / "finance-report.html").is_file()
    assert not any("removed" in line for line in lines)
    second = _night(ws, datetime(2027, 1, 5, 2), lines)["run_id"]  # 39 days later
    assert not (ws.reports_dir / first / "finance").exists()
    assert (ws.reports_dir / first / "summary.json").is_file() and (ws.reports_dir / first / "failures.html").is_file()
    assert (ws.reports_dir / second / "finance" / "finance-report.html").is_file()
    assert (ws.reports_dir / "finance" / "finance-report.html").is_file()  # the cumulative report
    assert any(f"finance reports of 1 run older than 30 days removed ({first} .. {first})" in line for line in lines)
    from console.reading import reports_of

    listed = [name for name, _ in reports_of(ws.reports_dir, first)]
    assert "summary.json" in listed and not [n for n in listed if n.startswith("finance/")]


def test_a_bad_setting_is_one_progress_line_and_the_night_still_finishes(tmp_path):
    ws = open_workspace(make_workspace(tmp_path / "ws").root)
    ws.config_path.write_text("[reports]\nfinance_snapshot_days = -3\n")
    lines: list[str] = []
    summary = _night(ws, NOW, lines)
    assert (ws.reports_dir / summary["run_id"] / "finance" / "finance-report.html").is_file()
    assert any("old runs' finance reports not pruned" in line and "finance_snapshot_days -3" in line for line in lines)
    assert any(line.startswith("run: ") and "finished" in line for line in lines)
