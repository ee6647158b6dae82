"""A run's reports are built from the state store: a rerun after a crash writes the report an
uninterrupted night writes; `orderbridge report` writes them again; each finding says what happened;
decided holds are not open errors; counts per partner and code link to their sections."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from flows.exit_status import ExitStatus, for_run
from flows.reports import run_scope, write_reports
from tests.support import make_workspace, run_night

NOW = datetime(2026, 11, 27, 2, 0)
REPORTS = ("failures.csv", "failures.html", "summary.json", "summary.html")


def files(folder) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in REPORTS}


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("whole") / "ws")
    run_id = run_night(ws, NOW)
    return ws, run_id


@pytest.mark.parametrize("crash", ["intake", "decide", "deliver"])
def test_a_rerun_after_a_crash_writes_the_uninterrupted_report(uninterrupted, tmp_path, crash):
    ws_a, run_a = uninterrupted
    ws = make_workspace(tmp_path / "ws")
    crashed = run_night(ws, NOW, stop_after=crash)
    assert not (ws.reports_dir / crashed / "failures.html").exists()
    rerun = run_night(ws, NOW)  # the same clock: the unfinished run is resumed under its own id
    assert rerun == crashed == run_a
    assert files(ws.reports_dir / rerun) == files(ws_a.reports_dir / run_a)
    assert pq.read_table(ws.reports_dir / rerun / "allocation.parquet").equals(
        pq.read_table(ws_a.reports_dir / run_a / "allocation.parquet"))


def test_a_later_rerun_reports_the_crashed_runs_work_too(uninterrupted, tmp_path):
    ws_a, run_a = uninterrupted
    ws = make_workspace(tmp_path / "ws")
    crashed = run_night(ws, NOW, stop_after="decide")
    rerun = run_night(ws, datetime(2026, 11, 27, 6, 30))  # a person reruns it in the morning
    state = StateStore(ws.state_path)
    assert run_scope(state, rerun) == [crashed, rerun]
    folder, whole = ws.reports_dir / rerun, ws_a.reports_dir / run_a
    strip = lambda rows: [{k: v for k, v in r.items() if k != "run_id"} for r in rows]  # noqa: E731
    assert strip(csv_rows((folder / "failures.csv").read_bytes())) == strip(
        csv_rows((whole / "failures.csv").read_bytes()))
    ours, theirs = json.loads((folder / "summary.json").read_text()), json.loads((whole / "summary.json").read_text())
    assert ours["partners"] == theirs["partners"] and ours["totals"] == theirs["totals"]
    assert ours["run"]["covers"] == [crashed]
    assert f"completed the work of run(s) {crashed}" in (folder / "failures.html").read_text()


def test_each_finding_says_what_happened(uninterrupted):
    ws, run_id = uninterrupted
    rows = csv_rows((ws.reports_dir / run_id / "failures.csv").read_bytes())
    # 32: ACME-1001's line of a UPC with a wrong check digit is GTIN_CHECK_DIGIT_INVALID's alone (no ITEM_UNKNOWN
    # for the same number: rules.suite.told_once)
    assert len(rows) == 32 and all(r["consequence"] for r in rows)
    what = {(r["po_number"], r["code"], r["line_number"]): r["consequence"] for r in rows}
    assert what[("ACME-1001", "ITEM_UNKNOWN", "1")] == "line 1: IR"
    assert what[("ACME-1001", "CASE_PACK_ROUNDED", "4")] == "line 4: IQ 12"
    assert what[("ACME-1010", "DISCOUNT_OVER_THRESHOLD", "1")] == "order held for a person"
    assert what[("GLOBEX-2011", "ORDER_VALUE_BELOW_MINIMUM", "")] == "order rejected (855 RD)"
    # INITECH takes no backorder: its lines stock cannot cover say why they were rejected (they used to say nothing)
    assert what[("INITECH-3010", "STOCK_SHORT_REJECTED", "2")] == "line 2: IR"
    assert what[("INITECH-3010", "STOCK_SHORT_REJECTED", "3")] == "line 3: IR"
    broken = [r for r in rows if r["file"] == "acme-po-broken.x12"]
    assert broken and all("997 AK5 R" in r["consequence"] and "file quarantined" in r["consequence"]
                          for r in broken)
    html = (ws.reports_dir / run_id / "failures.html").read_text()
    assert "What happened" in html and "order rejected (855 RD)" in html


def test_counts_per_partner_and_code_link_to_their_sections(uninterrupted):
    ws, run_id = uninterrupted
    html = (ws.reports_dir / run_id / "failures.html").read_text()
    assert html.index('id="by-partner"') < html.index('id="by-code"') < html.index('id="partner-acme"')
    targets = set(re.findall(r'href="#([^"]+)"', html))
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert {"partner-acme", "partner-globex", "partner-initech", "code-item-unknown"} <= targets
    assert targets <= ids  # every link lands somewhere
    by_partner = html[html.index('id="by-partner"'):html.index('id="by-code"')]
    # (ACME-1000's copy in acme-po-02.x12 drops two of its lines: an ORDER_DUPLICATE error, no resend's warning)
    # (13 errors: the bad UPC's line is one finding, told_once)
    assert re.search(r'href="#partner-acme">acme</a></td><td class=num>13</td><td class=num>4</td>', by_partner)
    # severity in words, with its colour class
    assert '<td class="sev-error">error</td>' in html and '<td class="sev-warning">warning</td>' in html
    summary = json.loads((ws.reports_dir / run_id / "summary.json").read_text())
    assert summary["totals"]["errors"] == 23 and summary["totals"]["warnings"] == 9  # 2: INITECH-3010's stock
    assert (summary["totals"]["files"], summary["totals"]["quarantined"], summary["totals"]["held"]) == (9, 3, 5)
    page = (ws.reports_dir / run_id / "summary.html").read_text()
    assert 'href="failures.html#partner-acme"' in page and "Open errors" in page
    assert for_run(summary) == ExitStatus.INPUT_ERRORS


def test_decided_holds_are_not_repeated_as_open_errors(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    run_night(ws, NOW)
    runner = CliRunner()
    for verb, extra in (("approve", ["--note", "promo"]), ("reject", ["--reason", "credit"])):
        po = "ACME-1010" if verb == "approve" else "ACME-1011"
        res = runner.invoke(app, [verb, po, "--partner", "acme", "--by", "Dana", *extra, "-w", str(ws.root)])
        assert res.exit_code == 0, res.output
    night3 = run_night(ws, datetime(2026, 11, 29, 2, 0))
    folder = ws.reports_dir / night3
    rows = csv_rows((folder / "failures.csv").read_bytes())
    decided = {(r["po_number"], r["code"]): r["decided_by"] for r in rows if r["decided_by"]}
    assert decided == {("ACME-1010", "DISCOUNT_OVER_THRESHOLD"): "approved by Dana",
                       ("ACME-1011", "CREDIT_LIMIT_EXCEEDED"): "rejected by Dana"}
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["totals"]["errors"] == 0 and summary["totals"]["decided"] == 2
    assert for_run(summary) == ExitStatus.OK  # nothing open: a person decided both
    html = (folder / "failures.html").read_text()
    assert "<b>0</b> open error(s)" in html and "Held orders a person has approved or rejected" in html
    assert "error, decided: approved by Dana" in html


def test_report_command_writes_the_same_reports_again(uninterrupted, tmp_path):
    import shutil

    ws_a, run_id = uninterrupted
    ws = make_workspace(tmp_path / "ws")
    shutil.rmtree(ws.root)
    shutil.copytree(ws_a.root, ws.root)
    folder = ws.reports_dir / run_id
    before = files(folder)
    for name in REPORTS:
        (folder / name).unlink()
    res = CliRunner().invoke(app, ["report", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    assert files(folder) == before and "failures_html" in res.output
    assert CliRunner().invoke(app, ["report", "--run", "nope", "-w", str(ws.root)]).exit_code == ExitStatus.USAGE
    assert CliRunner().invoke(app, ["report", "--section", "nope", "-w", str(ws.root)]).exit_code == ExitStatus.USAGE


def test_reports_escape_partner_text(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    inbox = ws.drop_root / "acme" / "inbox"
    data = (inbox / "acme-po-01.x12").read_bytes().replace(b"VN*VP-1008", b"VN*<script>x</script>")
    data = data.replace(b"VN*VP-1001", b"VN*=HYPERLINK(1)")
    data = data.replace(b"*P*>~", b"*P*!~", 1)  # ">" is in the data: the interchange declares "!" (ISA16)
    for f in inbox.iterdir():
        f.unlink()
    (inbox / "<i>hostile.x12").write_bytes(data)
    run_id = run_night(ws, NOW)
    summary = write_reports(ws, run_id)
    for name in ("failures_html", "summary_html"):
        page = open(summary["reports"][name], encoding="utf-8").read()
        assert "<script>" not in page and "<i>hostile" not in page
    page = open(summary["reports"]["failures_html"], encoding="utf-8").read()
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "&lt;i&gt;hostile.x12" in page
    rows = csv_rows(open(summary["reports"]["failures_csv"], "rb").read())
    assert any(r["value"] == "'=HYPERLINK(1)" for r in rows)
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values())


def test_report_written_again_links_the_finance_pages_as_the_night_did_even_after_the_workspace_moved(tmp_path):
    """`orderbridge report` wrote the run's summary again with the finance report and dashboard as absolute file
    paths (the store keeps them so): links the console cannot serve, to the old place once the workspace was moved
    or restored elsewhere; the night's own page links them relative to itself."""
    import shutil

    from flows.night import InProcess
    from flows.night import run_night as run_whole_night
    from tests.crash_harness import NIGHTS, drop_night, new_workspace

    first = new_workspace(tmp_path / "first", shipping=False)
    drop_night(first, 0)
    run_id = run_whole_night(str(first), stages=InProcess(delays=[]), now=NIGHTS[0][1], use_gx=False)["run_id"]
    night = files(first / "reports" / run_id)
    assert b'href="finance/finance-report.html"' in night["summary.html"]
    moved = tmp_path / "moved"
    shutil.move(first, moved)
    res = CliRunner().invoke(app, ["report", "--run", run_id, "--section", "run", "-w", str(moved)])
    assert res.exit_code == 0, res.output
    again = files(moved / "reports" / run_id)
    assert str(first) not in res.output and again["summary.html"] == night["summary.html"]
    assert json.loads(again["summary.json"])["reports"] == json.loads(night["summary.json"])["reports"]
