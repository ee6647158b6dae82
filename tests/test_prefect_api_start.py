"""flows.prefect_api.start_api_server: the caller's imports run while the temporary server starts, with
PREFECT_API_URL already pointing at it; a server that could not bind its port is replaced and Prefect's
settings follow it; its flow runs send no heartbeats (it ends with the process). Each case in a fresh
interpreter (Prefect not imported yet), with a stand-in server (a small HTTP server, or an exit with
uvicorn's "port taken" status 3) instead of Prefect's."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support import REPO

_CHILD = r'''
import json, os, subprocess, sys
os.environ.pop("PREFECT_API_URL", None)
from flows import prefect_api

SERVER = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"true")
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""
taken = sys.argv[1] == "taken"
spawned = []

def spawn(port):
    spawned.append(port)
    if taken and len(spawned) == 1:
        return subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"])
    return subprocess.Popen([sys.executable, "-c", SERVER, str(port)])

prefect_api._spawn = spawn
seen = {}

def meanwhile():
    seen["env"] = os.environ["PREFECT_API_URL"]
    seen["server_up"] = prefect_api._server is not None
    from prefect.settings import get_current_settings  # Prefect reads its settings now
    seen["prefect"] = get_current_settings().api.url

url = prefect_api.start_api_server(timeout=60, meanwhile=meanwhile)
from prefect.settings import get_current_settings
with prefect_api.flow_runs_settings():
    inside = get_current_settings().flows.heartbeat_frequency
print(json.dumps({"url": url, "seen": seen, "prefect_now": get_current_settings().api.url,
                  "spawned": len(spawned), "server": prefect_api.server_pid() is not None,
                  "heartbeats": [inside, get_current_settings().flows.heartbeat_frequency]}))
'''


def _start(case: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    out = subprocess.run([sys.executable, "-c", _CHILD, case], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_prefect_is_imported_while_the_server_starts_and_points_at_it():
    got = _start("free")
    assert got["spawned"] == 1 and got["server"]
    assert got["seen"] == {"env": got["url"], "server_up": False, "prefect": got["url"]}
    assert got["prefect_now"] == got["url"]
    assert got["heartbeats"][0] is None and got["heartbeats"][1]  # none while its flows run, only then


def test_a_server_whose_port_was_taken_is_replaced_and_prefect_follows_it():
    got = _start("taken")
    assert got["spawned"] == 2 and got["server"]
    assert got["seen"]["prefect"] == got["seen"]["env"] != got["url"]  # imported while the first one started
    assert got["prefect_now"] == got["url"]


def test_flow_runs_keep_their_heartbeats_on_a_server_we_did_not_start(monkeypatch):
    from prefect.settings import get_current_settings

    from flows import prefect_api

    monkeypatch.setattr(prefect_api, "_server", None)  # this process started none (PREFECT_API_URL given)
    before = get_current_settings().flows.heartbeat_frequency
    with prefect_api.flow_runs_settings():
        assert get_current_settings().flows.heartbeat_frequency == before is not None
