"""The benches `make bench` runs still run (at a tiny size): a schema change that breaks one is caught
here, not on the night someone measures. Nothing is timed or compared: each must finish and print its
figures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support import REPO


def bench(*args: str, timeout: int = 600) -> str:
    out = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_the_console_bench_builds_its_store_and_prints_every_figure():
    lines = [json.loads(x) for x in bench("bench/bench_console.py", "300").splitlines() if x.startswith("{")]
    figures = {x["figure"] for x in lines}
    assert {"store", "orderbridge status PO (new process, start-up included)"} <= figures
    store = next(x for x in lines if x["figure"] == "store")
    assert store["orders"] == 300 and store["order_lines"] == 300 * 20


@pytest.mark.parametrize("script", ["bench/bench_run.py", "bench/bench_reconcile_stage.py"])
def test_the_night_benches_run_at_a_tiny_size(script):
    out = bench(script, "20")
    assert "20" in out and "Traceback" not in out
