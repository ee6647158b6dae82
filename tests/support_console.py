"""The console under test: a real uvicorn server on 127.0.0.1 in a thread over a workspace, a small
cookie-keeping HTTP client (urllib), and a night without Prefect that records its run and writes its
reports the way `orderbridge run` does (flows.steps), so the runs page has something to show."""

from __future__ import annotations

import http.cookiejar
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

from console.auth import add_user

PASSWORDS = {"dana": "dana-approves", "vic": "vic-only-looks", "ada": "ada-runs-things"}
ROLES = {"dana": "approver", "vic": "viewer", "ada": "admin"}


def add_users(root: Path) -> None:
    for name, role in ROLES.items():
        add_user(root, name, role, PASSWORDS[name])


def night(ws, now: datetime) -> dict:
    """One night's stages (intake, decide, deliver, reconcile) with the run recorded and its reports written."""
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import steps

    run_id = steps.run_id_for(now, ws)
    state = StateStore(ws.state_path)
    state.start_run(run_id, now.isoformat(), clock=now.isoformat())
    profiles = ws.partners()
    results = [steps.intake_partner(ws, p, state, LocalDrop(ws.drop_root / pid), now=now, run_id=run_id)
               for pid, p in sorted(profiles.items())]
    run = steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir),
                           steps.load_inventory(ws, now.date()), now=now, run_id=run_id, use_gx=False)
    steps.merge_decisions(results, run)
    for res in results:
        res.delivered = steps.deliver_partner(profiles[res.partner], state, LocalDrop(ws.drop_root / res.partner),
                                              now=now)
    done = steps.reconcile_run(ws, profiles, state, now=now, run_id=run_id)
    summary = steps.write_reports(ws, run_id, state=state, availability=run.availability,
                                  failures={"failure": "", "partners": {r.partner: r.failure for r in results}},
                                  finance={"summary": done.summary, "reports": done.reports})
    state.finish_run(run_id, now.isoformat(), summary)
    state.close()
    return summary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ConsoleServer:
    """`with ConsoleServer(root) as server:` the console on http://127.0.0.1:<port>/ until the block ends."""

    def __init__(self, root: Path, *, wall_clock=None) -> None:
        self.root, self.wall_clock = root, wall_clock
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ConsoleServer:
        import uvicorn

        from console.app import create_app

        config = uvicorn.Config(create_app(self.root, wall_clock=self.wall_clock), host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the console did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


class Client:
    """A browser-like client: keeps cookies, follows redirects, returns (status, body) even for errors."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str, headers: dict | None = None) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path, headers=headers or {}))

    def post(self, path: str, form: dict, headers: dict | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode()
        return self._open(urllib.request.Request(self.base + path, data=data, headers={
            "Content-Type": "application/x-www-form-urlencoded", **(headers or {})}))

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as r:  # noqa: S310 - loopback only
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def csrf(self, path: str = "/login") -> str:
        status, body = self.get(path)
        return re.search(r'name="csrf" value="([^"]+)"', body).group(1)

    def sign_in(self, name: str) -> tuple[int, str]:
        return self.post("/login", {"csrf": self.csrf(), "name": name, "password": PASSWORDS[name], "next": "/orders"})
