"""GX validating in a process of its own (flows.gx_child): the child's answer is the one this process would give
(masks, outcomes, validation.json byte for byte, an expectation that cannot run still a ConfigError), every way the
child can fail falls back to validating here with the same answer, and a real `orderbridge run` with GX on leaves
GX out of the night's process, its child gone, and the same findings as a night validating in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from flows import gx_child
from rules import registry
from rules.business import resolve_items
from rules.gx_runner import judged_rows, narrowed, suite_config, validate
from rules.suite import run_suite
from schemas.rule_settings import RuleSettings

from .test_gx_runner import TODAY, rich_lines, rich_orders

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def frame(ref):
    return registry.rules_frame(resolve_items(rich_lines(), ref.items, ref.partner_items))


def _gone(child) -> bool:
    return child.poll() is not None


def _in_child_only(monkeypatch) -> list:
    """judged_rows of this process made to fail loudly: an answer can only have come from the child."""
    calls: list = []

    def here(rows, suite):
        calls.append(rows.num_rows)
        return judged_rows(rows, suite)

    monkeypatch.setattr(gx_child, "judged_rows", here)
    return calls


def test_the_childs_answer_is_this_process_answer(frame, tmp_path, monkeypatch):
    """Masks, success, the failed expectations and validation.json (byte for byte) of the rich lines, which trip
    every expectation: the child's are this process's; the child answered (nothing validated here) and is gone."""
    exps = registry.expectations(RuleSettings())
    here = validate(frame, exps, docs_dir=tmp_path / "here")
    calls = _in_child_only(monkeypatch)
    child = gx_child.spawn()
    monkeypatch.setattr(gx_child, "_child", child)
    there = validate(frame, exps, docs_dir=tmp_path / "child", judge=gx_child.judge)
    assert calls == [] and _gone(child) and gx_child._child is None
    assert set(there.masks) == set(here.masks) == {e.key for e in exps}
    for key, mask in here.masks.items():
        assert mask.dtype == there.masks[key].dtype and np.array_equal(mask, there.masks[key]), key
    assert any(mask.any() for mask in here.masks.values())
    assert (there.success, there.evaluated_expectations, there.failed_expectations) == (
        here.success, here.evaluated_expectations, here.failed_expectations)
    assert not here.success and here.failed_expectations
    written = (tmp_path / "child" / "validation.json").read_bytes()
    assert written == (tmp_path / "here" / "validation.json").read_bytes()
    assert any(o["unexpected"] for o in json.loads(written))


def test_run_suite_findings_are_the_same_through_the_child(ref, monkeypatch):
    settings = RuleSettings()
    kwargs = dict(today=TODAY, use_gx=True)
    here = run_suite(rich_orders(), rich_lines(), ref, settings, **kwargs)
    calls = _in_child_only(monkeypatch)
    monkeypatch.setattr(gx_child, "_child", gx_child.spawn())
    there = run_suite(rich_orders(), rich_lines(), ref, settings, judge=gx_child.judge, **kwargs)
    assert calls == []
    assert there.findings == here.findings and len(here.findings) > 10


def test_gx_asked_first_gives_run_suites_findings(ref, monkeypatch, tmp_path):
    """GX asked before the rules (gx_first, through the child) then run_suite(asked=): the findings, the resolved
    lines and validation.json of run_suite asking GX itself; nothing validated here, the child gone before the rules
    ran, and run_suite did not ask again."""
    from rules.suite import gx_first

    settings = RuleSettings()
    kwargs = dict(today=TODAY, use_gx=True)
    here = run_suite(rich_orders(), rich_lines(), ref, settings, docs_dir=tmp_path / "here", **kwargs)
    calls = _in_child_only(monkeypatch)
    child = gx_child.spawn()
    monkeypatch.setattr(gx_child, "_child", child)
    asked = gx_first(rich_lines(), ref, settings, docs_dir=tmp_path / "first", judge=gx_child.judge)
    assert calls == [] and _gone(child) and gx_child._child is None

    def not_again(*_a, **_k):
        raise AssertionError("GX asked again")

    monkeypatch.setattr("rules.gx_runner.validate", not_again)
    there = run_suite(rich_orders(), rich_lines(), ref, settings, judge=not_again, asked=asked, **kwargs)
    assert there.findings == here.findings and len(here.findings) > 10
    assert there.lines.equals(here.lines) and there.gx_expectations == here.gx_expectations
    assert (tmp_path / "first" / "validation.json").read_bytes() == (tmp_path / "here" / "validation.json").read_bytes()


@pytest.mark.integration
def test_the_child_has_exited_before_decide_reads_or_builds_anything_more(tmp_path, monkeypatch):
    """The decide stage of a night asks GX's process as soon as its lines are known: the child has exited (and
    answered: nothing validated here) before the orders' allowances are read, the rules' joins start (line_prices)
    and the allocation runs; the findings are those of the night validating in its own process."""
    import engine.kept_stock
    import flows.decide
    import rules.suite
    from tests.support import make_workspace, run_stages

    seen: list[tuple[str, bool]] = []
    children: list = []

    def spy(name, real):
        def called(*a, **k):
            seen.append((name, all(_gone(c) for c in children) and gx_child._child is None))
            return real(*a, **k)
        return called

    monkeypatch.setattr(flows.decide, "deciding_sacs", spy("sacs", flows.decide.deciding_sacs))
    monkeypatch.setattr(rules.suite, "line_prices", spy("rules", rules.suite.line_prices))
    monkeypatch.setattr(engine.kept_stock, "allocate_keeping", spy("allocate", engine.kept_stock.allocate_keeping))
    here_ws, child_ws = make_workspace(tmp_path / "here"), make_workspace(tmp_path / "child")
    now = datetime(2026, 11, 27, 2, 0)
    run_stages(here_ws, now, use_gx=True)
    assert [n for n, _ in seen] == ["sacs", "rules", "allocate"]
    seen.clear()
    calls = _in_child_only(monkeypatch)
    children.append(gx_child.spawn())
    monkeypatch.setattr(gx_child, "_child", children[0])
    run_stages(child_ws, now, use_gx=True)
    assert seen == [("sacs", True), ("rules", True), ("allocate", True)] and calls == []
    assert _findings(child_ws.root) == _findings(here_ws.root) and _findings(here_ws.root)


def _distinct(frame):
    exps = registry.expectations(RuleSettings())
    view = registry.gx_view(frame, exps)
    return view, suite_config(narrowed(exps, view))


@pytest.mark.parametrize("program", [
    "import sys; sys.exit(3)",  # dies before answering
    "import sys; sys.stdin.buffer.read(); sys.stdout.write('not an answer at all')",  # answers garbage
    "import sys, struct; sys.stdin.buffer.read(); sys.stdout.buffer.write(struct.pack('<Q', 2) + b'{}')",  # no keys
    "import time; time.sleep(60)",  # never answers
], ids=["died", "garbage", "no-keys", "hangs"])
def test_a_failing_child_falls_back_to_this_process(frame, monkeypatch, program):
    rows, suite = _distinct(frame)
    want = judged_rows(rows, suite)
    calls = _in_child_only(monkeypatch)
    reported: list[str] = []
    monkeypatch.setattr("flows.progress.report", lambda stage, message, **_: reported.append(message))
    monkeypatch.setattr(gx_child, "ANSWER_TIMEOUT", 2.0)
    child = subprocess.Popen([sys.executable, "-c", program], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    monkeypatch.setattr(gx_child, "_child", child)
    got = gx_child.judge(rows, suite)
    assert calls == [rows.num_rows] and len(reported) == 1 and "validating here instead" in reported[0]
    assert _gone(child) and gx_child._child is None
    assert got.outcomes == want.outcomes and (got.success, got.evaluated, got.failed) == (
        want.success, want.evaluated, want.failed)
    for key, mask in want.masks.items():
        assert np.array_equal(got.masks[key], mask), key


def test_a_suite_gx_cannot_run_is_the_same_error_through_the_child(frame, monkeypatch):
    """The child says GX's error (here: a range without bounds, which GX refuses to build); this process validates
    again and raises it as it always did."""
    rows, suite = _distinct(frame)
    suite["expectations"].append({"type": "expect_column_values_to_be_between", "kwargs": {"column": "quantity"},
                                  "meta": {"key": "broken", "code": "QUANTITY_INVALID"}})
    with pytest.raises(Exception) as here:  # noqa: PT011 - GX's own error, whatever it is, is the expectation
        judged_rows(rows, suite)
    reported: list[str] = []
    monkeypatch.setattr("flows.progress.report", lambda stage, message, **_: reported.append(message))
    monkeypatch.setattr(gx_child, "_child", gx_child.spawn())
    with pytest.raises(type(here.value)) as there:
        gx_child.judge(rows, suite)
    assert str(there.value) == str(here.value)
    assert len(reported) == 1 and type(here.value).__name__ in reported[0]


def test_without_a_child_it_validates_here_and_close_ends_an_unasked_child(frame, monkeypatch):
    rows, suite = _distinct(frame)
    calls = _in_child_only(monkeypatch)
    monkeypatch.setattr(gx_child, "_child", None)
    gx_child.judge(rows, suite)
    assert calls == [rows.num_rows]
    child = gx_child.spawn()
    monkeypatch.setattr(gx_child, "_child", child)
    assert gx_child.running()
    gx_child.close()
    assert _gone(child) and not gx_child.running()


def test_start_leaves_gx_here_when_turned_off_or_already_imported(monkeypatch):
    monkeypatch.setattr(gx_child, "_child", None)
    monkeypatch.setenv(gx_child.SWITCH, "0")
    assert not gx_child.start() and gx_child._child is None
    monkeypatch.delenv(gx_child.SWITCH)
    monkeypatch.setitem(sys.modules, "great_expectations", sys.modules.get("great_expectations", object()))
    assert not gx_child.start() and gx_child._child is None


# the night: `orderbridge run --no-prefect` in a fresh interpreter, as the command runs it; what it imported and
# whether a child outlived it printed last
_NIGHT = """
import json, os, subprocess, sys
from flows import gx_child
from flows.cli import app
if len(sys.argv) > 2:  # a child that dies at once
    gx_child.spawn = lambda: subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"], stdin=subprocess.PIPE,
                                              stdout=subprocess.PIPE)
try:
    app(["run", "-w", sys.argv[1], "--now", "2026-11-27T02:00:00", "--no-prefect"], standalone_mode=False)
except SystemExit:
    pass
def parent(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[1]
    except OSError:  # ended meanwhile (another test's process)
        return None
children = [p for p in os.listdir("/proc") if p.isdigit() and parent(p) == str(os.getpid())]
print(json.dumps({"gx": "great_expectations" in sys.modules, "pandas": "pandas" in sys.modules,
                  "children": children}))
"""


def _night(ws: Path, *more: str, **env) -> dict:
    done = subprocess.run([sys.executable, "-c", _NIGHT, str(ws), *more], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env}, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _findings(ws: Path) -> list:
    import sqlite3

    db = sqlite3.connect(ws / "state" / "orderbridge.sqlite")
    try:
        return sorted(db.execute("SELECT stage, partner, po_number, code, severity, message, isa13, gs06, st02, "
                                 "segment_id, element, value, line_number, consequence FROM findings").fetchall(),
                      key=repr)
    finally:
        db.close()


@pytest.mark.integration
def test_a_night_validates_in_the_child_with_the_same_findings(tmp_path):
    """The demo's night with GX on: GX and pandas never imported by the night's process (pandas kept out while the
    child validates), no child left after it; the same findings and the same validation.json as the night
    validating in its own process (ORDERBRIDGE_GX_CHILD=0) and as a night whose child died at once (the fallback
    lets pandas in again and validates here)."""
    from tests.support import make_workspace

    a, b, c = tmp_path / "child", tmp_path / "here", tmp_path / "died"
    for ws in (a, b, c):
        make_workspace(ws)
    child = _night(a)
    here = _night(b, ORDERBRIDGE_GX_CHILD="0")
    died = _night(c, "die")
    assert child == {"gx": False, "pandas": False, "children": []}
    assert here["gx"] and here["pandas"] and here["children"] == []
    assert died["gx"] and died["pandas"] and died["children"] == []
    assert _findings(a) == _findings(b) == _findings(c) and _findings(a)
    docs = [sorted(ws.glob("reports/*/gx-docs/validation.json")) for ws in (a, b, c)]
    assert [len(d) for d in docs] == [1, 1, 1]
    assert docs[0][0].read_bytes() == docs[1][0].read_bytes() == docs[2][0].read_bytes()
