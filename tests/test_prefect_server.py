"""The same flow against a real Prefect server (PREFECT_API_URL), started on loopback by the test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from flows.prefect_api import free_port
from tests.support import SAMPLES, seed_demo_data

pytestmark = pytest.mark.integration




@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-server-home")
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    prefect = Path(sys.executable).parent / "prefect"
    proc = subprocess.Popen([str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(1)
        if proc.poll() is not None:
            pytest.fail("prefect server exited during start-up")
    else:
        proc.kill()
        pytest.fail("prefect server did not become healthy within 120 s")
    yield url, home
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_flow_runs_against_a_prefect_server(prefect_server, tmp_path):
    url, home = prefect_server
    ws = tmp_path / "ws"
    seed_demo_data(ws)
    inbox = ws / "drop" / "acme" / "inbox"
    inbox.mkdir(parents=True)
    shutil.copy2(SAMPLES / "acme" / "acme-po-01.x12", inbox)
    env = {**os.environ, "PREFECT_API_URL": url, "PREFECT_HOME": str(home)}
    cli = Path(sys.executable).parent / "orderbridge"
    res = subprocess.run([str(cli), "run", "--workspace", str(ws), "--now", "2026-11-27T02:00:00"], env=env,
                         capture_output=True, text=True, timeout=300)
    # done; acme-po-01.x12 holds error findings (README, "Exit status": 1, not 0 as before)
    assert res.returncode == 1, res.stdout + res.stderr
    # 7: ACME-1001's line of a UPC with a wrong check digit is one finding, not two (rules.suite.told_once)
    assert "run: 20261127T020000 finished: 7 open errors in the input" in res.stderr
    assert len(list((ws / "drop" / "acme" / "outbox").glob("*-855-*.x12"))) == 2  # ACME-1000, ACME-1001
    req = urllib.request.Request(url + "/flow_runs/filter", data=json.dumps({"limit": 10}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        runs = json.loads(r.read())
    assert [fr["state_type"] for fr in runs] == ["COMPLETED"]


def test_serve_registers_the_nightly_deployment_with_its_cron(prefect_server, tmp_path):
    url, home = prefect_server
    env = {**os.environ, "PREFECT_API_URL": url, "PREFECT_HOME": str(home)}
    cli = Path(sys.executable).parent / "orderbridge"
    proc = subprocess.Popen([str(cli), "serve", "--workspace", str(tmp_path), "--cron", "15 3 * * *",
                             "--timezone", "Europe/Berlin"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        found = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and found is None:
            req = urllib.request.Request(url + "/deployments/filter", data=b"{}",
                                         headers={"Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(req, timeout=10) as r:
                found = next((d for d in json.loads(r.read()) if d["name"] == "nightly"), None)
            if found is None:
                assert proc.poll() is None, "orderbridge serve exited early"
                time.sleep(1)
        assert found is not None, "the nightly deployment was not registered"
        schedule = found["schedules"][0]["schedule"]
        assert (schedule["cron"], schedule["timezone"]) == ("15 3 * * *", "Europe/Berlin")
        assert found["parameters"] == {"workspace": str(tmp_path.resolve())}
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
