"""Partners sharded across two Prefect workers equal the one-process run: a Prefect server backed by
PostgreSQL (the tests' private server, a database of its own), a process work pool and two
`orderbridge worker` processes; the demo's first night (four partners, two warehouses) run by
`orderbridge run --pool` (each partner's intake and delivery one flow run on a worker, waiting
between them for the run-wide stages in the parent) and by `orderbridge run --no-prefect` on a copy of
the same workspace, both state stores on PostgreSQL. Outboxes, input folders, reports and the whole
state store (store ids and arrival numbers included; the runs' wall-clock columns and the leases'
records aside) are equal byte for byte, each partner's stages ran under its lease, both workers took
partner stages (each flow run a fork of its worker's fork server, flows.fork_server), and every process
started here is stopped by its PID."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from flows.prefect_api import free_port, stop_group
from tests.crash_harness import NIGHTS, drop_night, new_workspace
from tests.support import REPO
from tests.support_pool import differences, dump_files, dump_leases, dump_state
from tests.support_prefect import start_prefect_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CLI = [sys.executable, "-c", "from flows.cli import main; main()"]
POOL = "orderbridge-test"
# The demo's first night (four partners' POs, 860s, bad files): a flow run costs a process on a worker
# (5-20 s here), so the second night's run-wide shipping is left to tests/test_partner_order.py, which
# runs both nights with the partners finishing in reverse order.
NIGHTS_RUN = (0,)
PARTNERS = ("acme", "globex", "initech", "umbrella")






def _api(url: str, path: str, body: dict) -> list[dict]:
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def prefect_on_postgres(pg_server, tmp_path_factory):
    """A Prefect server on loopback whose database is PostgreSQL: (API URL, the env its clients use)."""
    port = free_port()
    # a database of its own: other modules take this fixture too (tests/test_continued_pool_workers.py), on the
    # same session's PostgreSQL server
    database = f"prefect_{port}"
    pg_server.admin(f"CREATE DATABASE {database}", database="postgres")
    password = pg_server.passfile.read_text().strip().rsplit(":", 1)[1]
    home = tmp_path_factory.mktemp("prefect-home")
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
           "PREFECT_API_DATABASE_CONNECTION_URL":
               f"postgresql+asyncpg://orderbridge:{password}@127.0.0.1:{pg_server.port}/{database}"}
    env.pop("PREFECT_API_URL", None)
    env.pop("PREFECT_LOGGING_LEVEL", None)  # conftest quiets Prefect in-process; workers log at their default (INFO)
    server, url = start_prefect_server(env, port)
    try:
        client_env = {k: v for k, v in env.items() if k != "PREFECT_API_DATABASE_CONNECTION_URL"}
        client_env |= {"PREFECT_API_URL": url, "PYTHONPATH": str(REPO), "PREFECT_WORKER_QUERY_SECONDS": "1",
                       "PREFECT_LOGGING_LEVEL": "INFO"}  # the workers' "submitting flow run" lines
        yield url, client_env, server
    finally:
        stop_group(server)


def _workspace(root: Path, store: str) -> Path:
    ws = new_workspace(root)
    (ws / "workspace.toml").write_text(f'[state]\nurl = "{store}"\n', encoding="utf-8")
    return ws


def _start(ws: Path, night: int, env: dict, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*CLI, "run", "-w", str(ws), "--now", NIGHTS[night][1], "--no-gx", *extra], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> subprocess.CompletedProcess:
    try:
        out, err = proc.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _run(ws: Path, night: int, env: dict, *extra: str) -> subprocess.CompletedProcess:
    return _finish(_start(ws, night, env, *extra))


def test_two_workers_equal_the_one_process_night(prefect_on_postgres, pg_server, tmp_path):
    url, env, server = prefect_on_postgres
    one = _workspace(tmp_path / "one", pg_server.fresh_url())
    pooled = _workspace(tmp_path / "pooled", pg_server.fresh_url())
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [subprocess.Popen([*CLI, "worker", "--pool", POOL, "--limit", "2", "--name", f"worker-{i + 1}"],
                                cwd=tmp_path, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                start_new_session=True) for i, log in enumerate(logs)]
    try:
        for night in NIGHTS_RUN:
            drop_night(one, night)
            drop_night(pooled, night)
            # the one-process night (its own workspace and database) runs while the pooled one mostly waits for
            # its workers' flow runs
            alone_proc = _start(one, night, env, "--no-prefect")
            try:
                shared = _run(pooled, night, env, "--pool", POOL, "--pool-limit", "4")
            finally:
                alone = _finish(alone_proc)
            assert shared.returncode == alone.returncode, shared.stdout + shared.stderr
            assert alone.returncode in (0, 1), alone.stdout + alone.stderr
            assert "on work pool 'orderbridge-test'" in shared.stderr, shared.stderr
            assert all(w.poll() is None for w in workers), "a worker exited: " + " ".join(
                log.read_text(errors="replace")[-2000:] for log in logs)
        texts = [log.read_text(errors="replace") for log in logs]
    finally:
        for w in workers:
            stop_group(w)
    runs = _api(url, "/flow_runs/filter", {"limit": 200})
    partner_runs = [r for r in runs if r["name"].startswith(("intake", "deliver"))]
    # one flow run per partner and night: it takes the partner in, waits for the run-wide stages, delivers
    assert sorted(r["name"] for r in partner_runs) == [f"intake+deliver-{p}" for p in PARTNERS] * len(NIGHTS_RUN), \
        [r["name"] for r in runs]
    assert {r["state_type"] for r in partner_runs} == {"COMPLETED"}, [(r["name"], r["state_name"]) for r in runs]
    assert {r["work_pool_name"] for r in partner_runs} == {POOL}
    # both workers took partner stages (each may run two at once; a phase starts four)
    assert all("submitting flow run" in t.lower() or "submitted flow run" in t.lower() for t in texts), texts
    # through each worker's fork server (flows.fork_server): none of the flow runs started the engine afresh
    assert all(re.search(r"orderbridge fork server \d+ ready on", t) for t in texts), texts
    assert not any("starting the engine in this process" in t for t in texts), texts
    want_state, want_files = dump_state(one), dump_files(one)
    assert want_state["orders"] and want_state["findings"] and any("/outbox/" in f for f in want_files)
    problems = differences(dump_state(pooled), want_state, "table") + differences(dump_files(pooled), want_files,
                                                                                   "file")
    assert not problems, "\n".join(problems)
    assert not list(pooled.glob("state/stage-outcomes/*/*")), "outcome files left behind"
    leases = dump_leases(pooled)  # each partner's stages ran under its lease, released since
    assert {n: v for n, v in leases.items() if n.startswith("partner:")} == {
        f"partner:{p}": ("deliver", True) for p in PARTNERS}, leases
    assert not any(n.startswith("partner:") for n in dump_leases(one))
