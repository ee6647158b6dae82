"""The fork server under Prefect 3.9's real process worker (`orderbridge worker` against a Prefect server on
loopback, SQLite): a flow run goes through the server; without a server, or when its Prefect settings
differ from the server's, it runs as before (`python -m prefect.engine` in the process the worker
started); cancelling a running flow run ends its child and Prefect reports Cancelled; SIGKILL of the
worker leaves no client, server or child (checked by process group, by the socket's peers and by PID).
The probe flow: tests/fork_flows.py. Every process started here is stopped by its PID (its group)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from flows import fork_server
from flows.prefect_api import free_port, stop_group
from tests.support import REPO
from tests.support_prefect import start_prefect_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CLI = [sys.executable, "-c", "from flows.cli import main; main()"]
FLOWS = [sys.executable, str(REPO / "tests" / "fork_flows.py")]


def _api(url: str, path: str, body: dict | None = None, method: str = "POST"):
    req = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(),
                                 method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def prefect(tmp_path_factory):
    """A Prefect server on loopback (SQLite): (API URL, the env its clients and workers use)."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false"}
    for name in ("PREFECT_API_URL", "PREFECT_LOGGING_LEVEL", "ORDERBRIDGE_FORK_SERVER"):
        env.pop(name, None)
    server, url = start_prefect_server(env, port)
    try:
        yield url, {**env, "PREFECT_API_URL": url, "PYTHONPATH": str(REPO), "PREFECT_WORKER_QUERY_SECONDS": "1"}
    finally:
        stop_group(server)


def _deploy(env: dict, pool: str, job_env: dict | None = None) -> None:
    subprocess.run([*FLOWS, "deploy", pool, json.dumps(job_env) if job_env else ""], env=env, cwd=REPO,
                   check=True, capture_output=True, timeout=120)


def _start_run(env: dict, out: Path, sleep: float = 0.0) -> str:
    done = subprocess.run([*FLOWS, "run", str(out), str(sleep)], env=env, cwd=REPO, check=True,
                          capture_output=True, text=True, timeout=120)
    return done.stdout.strip().splitlines()[-1]


def _worker(env: dict, pool: str, log: Path, *flags: str) -> subprocess.Popen:
    return subprocess.Popen([*CLI, "worker", "--pool", pool, "--limit", "2", *flags], cwd=log.parent, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)


def _state(url: str, run_id: str) -> str:
    return _api(url, f"/flow_runs/{run_id}", method="GET")["state_type"]


def _wait_state(url: str, run_id: str, want: set[str], log: Path, within: float = 120.0) -> str:
    deadline = time.monotonic() + within
    while (got := _state(url, run_id)) not in want:
        assert time.monotonic() < deadline, f"flow run {got}, not {want}: " + log.read_text(errors="replace")[-3000:]
        time.sleep(0.5)
    return got


def _wait_file(path: Path, log: Path, within: float = 120.0) -> dict:
    deadline = time.monotonic() + within
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline, "the flow run did not start: " + log.read_text(errors="replace")[-3000:]
        time.sleep(0.2)
    return json.loads(path.read_text())


def _server_pid(log: Path, within: float = 60.0) -> int:
    deadline = time.monotonic() + within
    while not (found := re.search(r"orderbridge fork server (\d+) ready on", log.read_text(errors="replace"))):
        assert time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.2)
    return int(found.group(1))


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone (ESRCH: it went between the open and the read)
        return False


def _group(pgid: int) -> set[int]:
    """The live processes of process group ``pgid``."""
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                out.add(int(entry.name))
    return out


def _group_left(pgid: int, within: float = 10.0) -> set[int]:
    """The processes of group ``pgid`` still there after up to ``within`` seconds (a killed process takes a
    moment to end)."""
    deadline = time.monotonic() + within
    while (left := _group(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _socket_peers(path: str) -> set[int]:
    """The PIDs holding the server's socket at ``path`` or a connection to it (`ss -xap`)."""
    rows = []
    for line in subprocess.run(["ss", "-xapn"], capture_output=True, text=True, check=True).stdout.splitlines():
        m = re.match(r"u_str\s+\S+\s+\d+\s+\d+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s*(.*)$", line)
        if m:
            rows.append((m.group(1), m.group(2), m.group(4), {int(p) for p in re.findall(r"pid=(\d+)", m.group(5))}))
    mine = [r for r in rows if r[0] == path]
    peers = {r[2] for r in mine}
    return set().union(*(r[3] for r in mine), *(r[3] for r in rows if r[1] in peers))


def _wait_gone(pids: set[int], within: float = 20.0) -> set[int]:
    deadline = time.monotonic() + within
    while (left := {p for p in pids if _alive(p)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_a_flow_run_goes_through_the_server(prefect, tmp_path):
    url, env = prefect
    _deploy(env, "fork-through")
    log = tmp_path / "worker.log"
    worker = _worker(env, "fork-through", log)
    try:
        server = _server_pid(log)
        run_id = _start_run(env, tmp_path / "probe.json")
        assert _wait_state(url, run_id, {"COMPLETED", "FAILED", "CRASHED"}, log) == "COMPLETED"
        seen = json.loads((tmp_path / "probe.json").read_text())
        assert seen["ppid"] == server and seen["pgid"] == seen["pid"]  # a fork of the server, in its own group
        assert "starting the engine in this process" not in log.read_text()
    finally:
        stop_group(worker)
    assert not _group_left(worker.pid)


def test_without_a_server_the_flow_run_runs_as_before(prefect, tmp_path):
    url, env = prefect
    _deploy(env, "fork-none")
    log = tmp_path / "worker.log"
    worker = _worker(env, "fork-none", log, "--no-fork-server")
    try:
        run_id = _start_run(env, tmp_path / "probe.json")
        assert _wait_state(url, run_id, {"COMPLETED", "FAILED", "CRASHED"}, log) == "COMPLETED"
        seen = json.loads((tmp_path / "probe.json").read_text())
        # the engine exec'd by the client in the process the worker started, in the worker's group
        assert seen["ppid"] == worker.pid and seen["pgid"] == worker.pid and seen["server"] is None
        assert "fork server" not in log.read_text()
    finally:
        stop_group(worker)
    assert not _group_left(worker.pid)


def test_a_flow_run_whose_prefect_settings_differ_runs_as_before(prefect, tmp_path):
    """The deployment's env sets a Prefect setting the worker (and so its server) does not have: the
    server's child declines, the client execs the engine itself, the run completes."""
    url, env = prefect
    _deploy(env, "fork-differ", {"PREFECT_LOGGING_LEVEL": "DEBUG"})
    log = tmp_path / "worker.log"
    worker = _worker(env, "fork-differ", log)
    try:
        _server_pid(log)
        run_id = _start_run(env, tmp_path / "probe.json")
        assert _wait_state(url, run_id, {"COMPLETED", "FAILED", "CRASHED"}, log) == "COMPLETED"
        seen = json.loads((tmp_path / "probe.json").read_text())
        assert seen["ppid"] == worker.pid and seen["pgid"] == worker.pid
        assert "Prefect settings differ: logging; starting the engine in this process" in log.read_text()
    finally:
        stop_group(worker)
    assert not _group_left(worker.pid)


def test_a_differing_prefect_api_url_runs_the_flow_run_in_the_clients_process(prefect, tmp_path):
    """Prefect's worker gives its flow runs its own PREFECT_API_URL (its settings override a deployment's
    env), so here the client is started as the worker would start it, with the same server reached by
    another URL: the child declines (Prefect read its API URL when the server imported it), the client
    execs `python -m prefect.engine`, which runs the flow run, in the client's PID."""
    url, env = prefect
    _deploy(env, "fork-url")  # no worker on this pool: the flow run is the client's alone
    run_id = _start_run(env, tmp_path / "probe.json")
    holder = subprocess.Popen([sys.executable, "-c", "import time; from flows import fork_server; "
                               "print(fork_server.start(), flush=True); time.sleep(600)"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        path = holder.stdout.readline().strip()
        assert "ready on" in holder.stderr.readline()
        client = subprocess.run([sys.executable, "-m", "flows.fork_client"], cwd=tmp_path, capture_output=True,
                                text=True, timeout=300, env={**env, "ORDERBRIDGE_FORK_SERVER": path,
                                                             "PREFECT_API_URL": url + "/",
                                                             "PREFECT__FLOW_RUN_ID": run_id})
        assert client.returncode == 0, client.stderr[-3000:]
        assert "Prefect settings differ: api" in client.stderr
        assert _state(url, run_id) == "COMPLETED"
        seen = json.loads((tmp_path / "probe.json").read_text())
        assert seen["ppid"] == os.getpid() and seen["pgid"] == os.getpgrp()  # the client's own process
    finally:
        stop_group(holder, grace=5)
    assert not _group_left(holder.pid)


def test_cancelling_a_running_flow_run_ends_its_child_and_prefect_reports_cancelled(prefect, tmp_path):
    url, env = prefect
    _deploy(env, "fork-cancel")
    log = tmp_path / "worker.log"
    worker = _worker(env, "fork-cancel", log)
    try:
        server = _server_pid(log)
        run_id = _start_run(env, tmp_path / "probe.json", sleep=300)
        child = _wait_file(tmp_path / "probe.json", log)
        assert child["ppid"] == server
        clients = _group(worker.pid) - {worker.pid, server}
        assert clients, "no client in the worker's group"
        subprocess.run([str(Path(sys.executable).parent / "prefect"), "flow-run", "cancel", run_id], env=env,
                       check=True, capture_output=True, timeout=120)
        assert _wait_state(url, run_id, {"CANCELLED", "COMPLETED", "FAILED", "CRASHED"}, log) == "CANCELLED"
        assert not _wait_gone({child["pid"], *clients}), log.read_text(errors="replace")[-3000:]
        assert _group(worker.pid) == {worker.pid, server}  # the worker and its server serve on
    finally:
        stop_group(worker)
    assert not _group_left(worker.pid)


def test_sigkill_of_the_worker_leaves_no_client_server_or_child(prefect, tmp_path):
    url, env = prefect
    _deploy(env, "fork-kill")
    log = tmp_path / "worker.log"
    worker = _worker(env, "fork-kill", log)
    try:
        server = _server_pid(log)
        path = re.search(r"ready on (\S+) ", log.read_text()).group(1)
        _start_run(env, tmp_path / "probe.json", sleep=300)
        child = _wait_file(tmp_path / "probe.json", log)
        group, peers = _group(worker.pid), _socket_peers(path)
        assert server in group and server in peers and len(group) >= 3  # the worker, its server, a client
        assert (group - {worker.pid, server}) <= peers  # the clients, connected to the server
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
        assert not _wait_gone(group | peers | {child["pid"]}), log.read_text(errors="replace")[-3000:]
        assert not _group_left(worker.pid) and not _socket_peers(path)
    finally:
        stop_group(worker, grace=5)
    fork_server.sweep()  # the killed server's folder
    assert not Path(path).parent.exists()
