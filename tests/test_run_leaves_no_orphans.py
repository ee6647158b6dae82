"""A SIGKILLed `orderbridge run` leaves no process behind: the temporary Prefect API server (a uvicorn
child) dies with it. The test starts a real run, waits until it is mid-flight (the server is up and
the intake has archived a file), records every descendant, kills the run and polls the process table
until the recorded processes are gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.support import make_workspace

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a live process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), fields[0], int(fields[19])


def _descendants(root: int) -> dict[int, int]:
    """pid -> start time of every live descendant of ``root``."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) is not None:
            parents[int(entry)] = st
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _state, start) in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = start
                frontier.append(pid)
    return found


def _alive(pid: int, start: int) -> bool:
    st = _stat(pid)
    return st is not None and st[2] == start and st[1] != "Z"  # same process, not a zombie


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the process table is read from /proc")
def test_sigkill_of_a_run_leaves_no_process_behind(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120")
    cli = Path(sys.executable).parent / "orderbridge"
    run = subprocess.Popen([str(cli), "run", "-w", str(ws.root), "--now", datetime(2026, 11, 27, 2).isoformat()],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    recorded: dict[int, int] = {}
    try:
        deadline = time.monotonic() + 300
        archive = ws.drop_root / "acme" / "archive"
        while time.monotonic() < deadline and run.poll() is None:
            recorded.update(_descendants(run.pid))
            server_up = any("uvicorn" in _cmdline(pid) for pid in recorded)
            if server_up and archive.is_dir() and any(archive.iterdir()):
                break  # mid-flight: the server runs and the intake has begun
            time.sleep(0.2)
        assert run.poll() is None, "the run ended before it could be killed mid-flight"
        recorded.update(_descendants(run.pid))
        assert any("uvicorn" in _cmdline(pid) for pid in recorded), "no temporary API server was seen"
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(_alive(pid, start) for pid, start in recorded.items()):
            time.sleep(0.2)
        survivors = {pid: _cmdline(pid) for pid, start in recorded.items() if _alive(pid, start)}
        assert survivors == {}
    finally:
        if run.poll() is None:
            os.kill(run.pid, signal.SIGKILL)
            run.wait()
        for pid, start in recorded.items():  # never leave one behind, even when the test fails
            if _alive(pid, start):
                os.kill(pid, signal.SIGKILL)


def test_a_given_api_url_is_left_alone(monkeypatch):
    from flows import prefect_api

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")
    called: list[bool] = []
    assert prefect_api.start_api_server(meanwhile=lambda: called.append(True)) is None
    assert prefect_api.server_pid() is None and called == [True]  # the caller's imports still done
