"""A real `prefect server start` for the tests that run Prefect's own workers against it (tests/test_pool_night.py,
tests/test_fork_server_worker.py) and for bench/bench_pool.py."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from flows.prefect_api import stop_group


def start_prefect_server(env: dict, port: int, timeout: float = 180, *,
                         log: Path | None = None) -> tuple[subprocess.Popen, str]:
    """`prefect server start` on 127.0.0.1:``port`` with ``env``, in a session of its own (stop it with
    flows.prefect_api.stop_group), its output to ``log`` (else dropped), returned with its API URL once /health
    answers; AssertionError (the server stopped first) when it exits during start-up or is not healthy within
    ``timeout`` seconds."""
    server = subprocess.Popen([str(Path(sys.executable).parent / "prefect"), "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=log.open("wb") if log else subprocess.DEVNULL,
                              stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as r:
                    if r.status == 200:
                        return server, url
            except OSError:
                pass
            assert server.poll() is None, "prefect server exited during start-up"
            assert time.monotonic() < deadline, f"prefect server did not become healthy within {timeout:.0f} s"
            time.sleep(0.5)
    except BaseException:
        stop_group(server)
        raise
