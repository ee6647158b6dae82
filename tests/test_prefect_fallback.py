"""When Prefect's temporary API server does not start in time (a busy batch server: it once took longer
than its 90 s here while packages were being installed), `orderbridge run` and `orderbridge ship` still
do their work: the same stages run in this process, as `--no-prefect` does, with a warning saying so.
The outbox then equals that of a `--no-prefect` night (and of the in-process shipments run) on a copy
of the same workspace. The server is made to miss its start-up timeout by a timeout of one second."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO, drop_confirmations, shipping_workspace

pytestmark = [pytest.mark.integration]

CLI = str(Path(sys.executable).parent / "orderbridge")
NIGHT, DAY = "2026-11-27T02:00:00", "2026-11-27T14:30:00"


def _env(tmp_path: Path, timeout: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=timeout)
    return env


def _outbox(root: Path) -> dict[str, bytes]:
    box = root / "drop" / "acme" / "outbox"
    return {p.name: p.read_bytes() for p in sorted(box.iterdir())} if box.is_dir() else {}


def test_run_and_ship_fall_back_to_this_process_when_the_server_does_not_start(tmp_path):
    from flows.night import InProcess, run_shipments

    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    ref = tmp_path / "ref"
    shutil.copytree(ws.root, ref)
    slow = _env(tmp_path, "1")  # Prefect takes whole seconds; its server needs 15 s or more

    run = subprocess.run([CLI, "run", "-w", str(ws.root), "--now", NIGHT], cwd=REPO, env=slow, capture_output=True,
                         text=True, timeout=600)
    said = " ".join(run.stderr.split())
    assert "the temporary Prefect API server did not start within 1 s" in said, run.stderr[-3000:]
    assert "running the stages in this process instead" in said
    plain = subprocess.run([CLI, "run", "-w", str(ref), "--now", NIGHT, "--no-prefect"], cwd=REPO,
                           env=_env(tmp_path, "90"), capture_output=True, text=True, timeout=600)
    assert run.returncode == plain.returncode and run.returncode in (0, 1), run.stderr[-3000:]
    night = _outbox(ws.root)
    assert any(b"ST*855*" in body for body in night.values())  # the night's orders were answered
    assert night == _outbox(ref)

    drop_confirmations(ws, "warehouse-drops")
    drop_confirmations(type(ws)(ref), "warehouse-drops")
    ship = subprocess.run([CLI, "ship", "-w", str(ws.root), "--now", DAY], cwd=REPO, env=slow, capture_output=True,
                          text=True, timeout=600)
    assert ship.returncode in (0, 1), ship.stdout + ship.stderr
    assert "running the stages in this process instead" in " ".join(ship.stderr.split())
    run_shipments(str(ref), stages=InProcess(), now=DAY)
    shipped = _outbox(ws.root)
    assert any(b"ST*856*" in body for body in shipped.values())
    assert any(b"ST*810*" in body for body in shipped.values())
    assert shipped == _outbox(ref)
