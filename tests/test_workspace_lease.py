"""One workspace, one writer: the workspace lease (connectors.lease) lets one `orderbridge run` (or a
person's approve/reject/recheck) write a workspace at a time. A second one exits with a clear
message and status 5, or waits when asked; a lease left by a killed process is taken over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from connectors import lease
from connectors.state import StateStore
from schemas.errors import WorkspaceBusy
from tests.crash_harness import CLI, NIGHTS, drop_night, new_workspace
from tests.support import REPO

HOLD = """
import sys, time
from connectors import lease
held = lease.acquire(sys.argv[1], "run", note="test holder")
print("held", flush=True)
time.sleep(600)
"""


def _holder(ws: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(ws)], cwd=REPO, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_holder_is_refused_with_who_holds_it_and_gets_it_once_released(tmp_path):
    proc = _holder(tmp_path)
    try:
        with pytest.raises(WorkspaceBusy) as busy:
            lease.acquire(tmp_path, "approve")
        text = str(busy.value)
        assert "another OrderBridge process holds this workspace" in text
        assert f"process {proc.pid}" in text and "`orderbridge run` (test holder)" in text
    finally:
        proc.terminate()
        proc.wait()
    with lease.acquire(tmp_path, "approve") as held:  # SIGTERM: the holder is gone, its lease is stale
        assert held.took_over is not None and held.took_over.pid == proc.pid
    with lease.acquire(tmp_path, "approve") as again:  # released properly: nothing to take over
        assert again.took_over is None


def test_waiting_for_the_holder(tmp_path):
    proc = _holder(tmp_path)
    try:
        with pytest.raises(WorkspaceBusy):
            lease.acquire(tmp_path, "run", wait=0.5)  # still held after half a second
        proc.send_signal(signal.SIGKILL)
        with lease.acquire(tmp_path, "run", wait=60) as held:  # the kernel drops a killed holder's lock
            assert held.took_over.pid == proc.pid
    finally:
        proc.kill()
        proc.wait()


def test_the_lease_is_renewed_and_reentrant_within_one_process(tmp_path):
    with lease.acquire(tmp_path, "run", ttl=3600) as held:
        first = lease.read_holder(tmp_path)
        assert (first.pid, first.command, first.released) == (os.getpid(), "run", False)
        with lease.acquire(tmp_path, "run") as inner:  # the flow inside the CLI: the same lease
            assert inner is held
        assert not lease.read_holder(tmp_path).released  # the inner release leaves it held
        held.renew(note="run 1")
        assert lease.read_holder(tmp_path).note == "run 1"
        assert lease.read_holder(tmp_path).expires_at >= first.expires_at
    assert lease.read_holder(tmp_path).released


def test_a_lease_of_another_machine_counts_until_it_expires(tmp_path):
    """A holder on another machine (a shared folder) is believed until its lease expires."""
    now = datetime.now().replace(microsecond=0)
    record = lease.Holder("other", "run", 4242, "another-host", now.isoformat(), now.isoformat(),
                          (now + timedelta(minutes=10)).isoformat())
    (tmp_path / lease.LOCK_NAME).write_text(json.dumps(asdict(record)))
    with pytest.raises(WorkspaceBusy, match="another-host"):
        lease.acquire(tmp_path, "run")
    expired = replace(record, expires_at=(now - timedelta(seconds=1)).isoformat())
    (tmp_path / lease.LOCK_NAME).write_text(json.dumps(asdict(expired)))
    with lease.acquire(tmp_path, "run") as held:
        assert held.took_over.host == "another-host"


# --- two real `orderbridge run` processes ----------------------------------------------------------------
def _start_run(ws: Path, *extra: str, env: dict | None = None, now: str = NIGHTS[0][1]) -> subprocess.Popen:
    return subprocess.Popen([*CLI, "run", "-w", str(ws), "--now", now, "--no-prefect", "--no-gx", *extra],
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_lease(ws: Path, pid: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        h = lease.read_holder(ws)
        if h is not None and h.pid == pid and not h.released:
            return
        time.sleep(0.05)
    raise AssertionError("the first run never took the workspace")


def _sent_once(ws: Path) -> None:
    """Every order answered once: one 855 per PO, one decision per order in its history."""
    state = StateStore(ws / "state" / "orderbridge.sqlite")
    try:
        pos = Counter(s for d in state.documents() if d.doc_type == "855" for s in d.po_number.split(","))
        assert pos and max(pos.values()) == 1, pos
        for o in state.orders():
            decided = [h for h in state.order_history(o.partner, o.po_number)
                       if h["event"] in ("acknowledged", "rejected", "held")]
            assert len(decided) <= 1, (o.po_number, decided)
        assert len({(d.partner, d.isa13) for d in state.documents()}) == len(state.documents())  # no number twice
    finally:
        state.close()


@pytest.mark.slow
def test_a_second_run_on_the_same_workspace_exits_5_and_nothing_is_decided_twice(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    drop_night(ws, 0)
    first = _start_run(ws)
    try:
        _wait_for_lease(ws, first.pid)
        first.send_signal(signal.SIGSTOP)  # the first run holds the workspace, paused: the second comes now
        second = _start_run(ws)
        out, err = second.communicate(timeout=300)
        assert second.returncode == 5, out + err
        err = " ".join(err.split())
        assert "another OrderBridge process holds this workspace" in err and f"process {first.pid}" in err
        assert "Nothing was done" in err and "--wait" in err
        approve = subprocess.run([*CLI, "approve", "ACME-1001", "--partner", "acme", "--by", "Dana", "-w", str(ws)],
                                 cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
        assert approve.returncode == 5 and "another OrderBridge process" in " ".join(approve.stderr.split())
    finally:
        first.send_signal(signal.SIGCONT)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 1, out + err  # done (ExitStatus.INPUT_ERRORS: the demo has error findings)
    sent = sorted(p.name for p in ws.glob("drop/*/outbox/*.x12"))
    assert len(sent) == 17
    _sent_once(ws)
    assert [r["status"] for r in StateStore(ws / "state" / "orderbridge.sqlite").runs()] == ["finished"]


@pytest.mark.slow
def test_a_run_asked_to_wait_runs_after_the_first_and_sends_nothing_twice(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    drop_night(ws, 0)
    first = _start_run(ws)
    try:
        _wait_for_lease(ws, first.pid)
        first.send_signal(signal.SIGSTOP)
        second = _start_run(ws, "--wait", "600")
        time.sleep(1)  # not a measurement: give the second run time to find the workspace held
        assert second.poll() is None  # it waits
    finally:
        first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=300) == 1  # done, input errors
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, out + err  # nothing left for it: no input, no error
    assert len(list(ws.glob("drop/*/outbox/*.x12"))) == 17
    _sent_once(ws)
    runs = StateStore(ws / "state" / "orderbridge.sqlite").runs()
    assert [r["status"] for r in runs] == ["finished", "finished"]


@pytest.mark.slow
def test_a_killed_runs_lease_is_taken_over_and_its_run_recorded_as_crashed(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    drop_night(ws, 0)
    killed = _start_run(ws, env={"ORDERBRIDGE_KILL_AT": "after-numbering"})
    killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL
    assert not lease.read_holder(ws).released  # the record stays; the kernel dropped the lock
    rerun = _start_run(ws, now="2026-11-27T06:30:00")  # a person runs it again in the morning
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 1, out + err  # done; the demo's input has error findings
    assert f"took over the workspace from a process that is gone: `orderbridge run` (run 20261127T020000), " \
           f"process {killed.pid}" in " ".join(err.split())
    runs = StateStore(ws / "state" / "orderbridge.sqlite").runs()
    assert [(r["run_id"], r["status"]) for r in runs] == [("20261127T020000", "crashed"),
                                                          ("20261127T063000", "finished")]
    assert runs[0]["summary"]["crashed"] and runs[1]["recovers"] == ["20261127T020000"]
    _sent_once(ws)


def test_the_shipments_run_holds_the_lease_too(tmp_path):
    """`orderbridge ship` (the shipments flow between nights) writes shipments, 856s and 810s: while
    another process holds the workspace it exits 5 and reads no confirmation; flows.night.run_shipments
    (what the served shipments deployment runs) is refused the same way."""
    from flows.night import InProcess, run_shipments

    ws = new_workspace(tmp_path / "ws")
    drop_night(ws, 1)  # night 2's inputs include day 1's warehouse confirmations
    waiting = sorted(p.name for p in ws.glob("warehouse-drop/*/inbox/*"))
    assert waiting
    proc = _holder(ws)
    try:
        ship = subprocess.run([*CLI, "ship", "-w", str(ws), "--now", "2026-11-27T14:30:00"], cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300)
        assert ship.returncode == 5, ship.stdout + ship.stderr
        assert "another OrderBridge process holds this workspace" in " ".join(ship.stderr.split())
        with pytest.raises(WorkspaceBusy):
            run_shipments(str(ws), stages=InProcess(), now="2026-11-27T14:30:00")
    finally:
        proc.terminate()
        proc.wait()
    assert sorted(p.name for p in ws.glob("warehouse-drop/*/inbox/*")) == waiting  # nothing read
    assert not (ws / "state" / "orderbridge.sqlite").exists()
