"""The temporary Prefect API server of one `orderbridge` process, started by us so it dies with us.

Without PREFECT_API_URL, Prefect 3 starts its own temporary server (prefect.server.api.server.
SubprocessASGIServer: `python -m uvicorn ... prefect.server.api.server:create_app`) and stops it at
exit, but only at a normal exit: after a SIGKILL of the parent that uvicorn child lived on for minutes.
Here, on Linux, the same server is started before prefect is imported, asks the kernel to send it
SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG, set in the child before it execs uvicorn), and
PREFECT_API_URL points the whole process at it, from the moment it is spawned: the process imports
prefect while the server starts. Elsewhere, or when PREFECT_API_URL is set, nothing
changes. Owns no flow logic.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# Runs in the child: ask for SIGTERM when the parent dies, make sure it has not died already, then
# become uvicorn (the death signal survives execve).
_CHILD = """
import ctypes, os, signal, sys
if ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0) != 0:  # PR_SET_PDEATHSIG
    sys.exit("prctl(PR_SET_PDEATHSIG) failed")
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)
os.execv(sys.executable, [sys.executable, "-m", "uvicorn", *sys.argv[2:]])
"""

_server: subprocess.Popen | None = None


class ServerNotStarted(RuntimeError):
    """The temporary API server did not answer within its start-up timeout (a busy or slow machine), or
    exited; nothing of it is left running and PREFECT_API_URL is unset again."""


def start_api_server(timeout: float | None = None, *, meanwhile: Callable[[], object] | None = None) -> str | None:
    """Start the temporary API server (once per process) and point PREFECT_API_URL at it; returns its
    URL, or None where Prefect keeps managing its own server (PREFECT_API_URL already set, not Linux).
    Call before prefect is imported. ``meanwhile`` (always called once) runs while the server starts,
    with PREFECT_API_URL already pointing at it: it may import prefect (the server's start and the
    caller's imports then share the machine's cores instead of following each other). If the port was
    taken before the server bound it, a second server starts on another port and Prefect's settings
    are refreshed to point at it."""
    global _server
    if os.environ.get("PREFECT_API_URL") or not sys.platform.startswith("linux") or "prefect" in sys.modules:
        _call(meanwhile)
        return None  # a server is given, or Prefect already read its settings: it keeps managing its own
    if _server is not None and _server.poll() is None:
        _call(meanwhile)
        return os.environ["PREFECT_API_URL"]
    timeout = timeout or float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90"))
    deadline = time.monotonic() + timeout
    proc, url = _spawn_at_free_port()
    try:
        _call(meanwhile)
        while not _healthy(proc, url, deadline):
            # killed at once: a server that never answered has served nothing, and one still in its start-up
            # (its database migrations) ignores SIGTERM until done, which stop's 10 s grace only waited out
            stop(proc, grace=0.0)
            if proc.returncode != 3 or time.monotonic() > deadline:  # uvicorn exits 3 when the port was taken
                raise ServerNotStarted(f"the temporary Prefect API server did not start within {timeout:g} s "
                                       f"(exit status {proc.returncode})")
            proc, url = _spawn_at_free_port()
    except BaseException:
        stop(proc)
        _point_prefect_at(None)
        raise
    _server = proc
    atexit.register(stop_api_server)
    return url


def _call(meanwhile: Callable[[], object] | None) -> None:
    if meanwhile is not None:
        meanwhile()


def _spawn_at_free_port() -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    proc = _spawn(port)
    _point_prefect_at(url)
    return proc, url


def _point_prefect_at(url: str | None) -> None:
    """PREFECT_API_URL set to ``url`` (None: removed), and Prefect's settings refreshed when it has read
    them already (prefect.context reads the environment when imported)."""
    if url is None:
        os.environ.pop("PREFECT_API_URL", None)
    else:
        os.environ["PREFECT_API_URL"] = url
    if "prefect.context" in sys.modules:
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()


def stop_api_server() -> None:
    global _server
    if _server is not None:
        stop(_server)
        _server = None
        os.environ.pop("PREFECT_API_URL", None)


def server_pid() -> int | None:
    return _server.pid if _server is not None else None


@contextmanager
def flow_runs_settings() -> Iterator[None]:
    """Prefect's settings for the flow runs of a process whose temporary API server we started: no
    flow-run heartbeats. They let a lasting server tell a crashed flow run from a live one; this
    server ends with the process. And a flow run's end waits for its heartbeat thread, which looks
    at its stop flag once a second: up to 1 s of every run's end (0.9 s measured) spent waiting.
    With a server given (PREFECT_API_URL) or Prefect's own, nothing changes."""
    if _server is None or _server.poll() is not None:
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def _spawn(port: int) -> subprocess.Popen:
    prefect_dir = Path(importlib.util.find_spec("prefect").submodule_search_locations[0])
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    args = ["--app-dir", str(prefect_dir.parent), "--factory", "prefect.server.api.server:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"]
    return subprocess.Popen([sys.executable, "-c", _CHILD, str(os.getpid()), *args], env=env,
                            stdin=subprocess.DEVNULL)


def _healthy(proc: subprocess.Popen, url: str, deadline: float) -> bool:
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds (0: SIGKILL at once)."""
    if proc.poll() is None:
        if grace <= 0:
            proc.kill()
            proc.wait()
            return
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(proc: subprocess.Popen, grace: float = 30.0) -> None:
    """SIGTERM to the process group started for `proc` (start_new_session: its PID), SIGKILL after
    `grace` seconds, then SIGKILL to anything still left in the group (a worker's flow-run processes)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
