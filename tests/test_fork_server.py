"""The fork server's protocol (flows.fork_server, flows.fork_client) with a probe in place of Prefect's
engine (tests/support_fork.py): what a child gets from its client (argv, environment, directory, fds 0-2,
default signals, a process group of its own), how its end comes back (exit code, deadly signal), signals
relayed, a child killed with its client or its server, the runs declined (environment, settings, code
changed) and the fallback in the client's own process; every process started here is stopped by its PID
and checked gone."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows import fork_client, fork_server
from tests.support import REPO

# the client with its fallback pointed at the probe (so that a fallback shows which process ran it)
CLIENT = [sys.executable, "-c", "import sys, flows.fork_client as c; c.ENGINE = ('-m', 'tests.support_fork'); "
          "sys.argv[0] = 'client'; c.main()"]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone (ESRCH: it went between the open and the read)
        return False


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def env(tmp_path):
    """The environment the server and its clients share (a worker's), the socket path in it."""
    folder = tmp_path / "sock"
    folder.mkdir(mode=0o700)
    return {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "HOME": str(tmp_path),
            fork_client.SERVER_ENV: str(folder / "engine.sock")}


@pytest.fixture
def started():
    procs: list[subprocess.Popen] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()


def _serve(env: dict, started: list, *args: str) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-c", "import sys; from tests.support_fork import serve; "
                               "serve(*sys.argv[1:])", env[fork_client.SERVER_ENV], *args],
                              cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    started.append(server)
    line = server.stderr.readline()
    assert "ready on" in line, line + (server.stderr.read() if server.poll() is not None else "")
    return server


def _client(env: dict, started: list, cwd: Path, *args: str, **more: str) -> subprocess.Popen:
    proc = subprocess.Popen([*CLIENT, *args], cwd=cwd, env={**env, **more}, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started.append(proc)
    return proc


def _seen(proc: subprocess.Popen) -> dict:
    """The probe's first line: what it got."""
    return json.loads(proc.stdout.readline())


def test_a_child_gets_its_clients_argv_environment_directory_fds_and_default_signals(env, started, tmp_path):
    server = _serve(env, started)
    client = _client(env, started, tmp_path, "a", "", "b c", PREFECT_PROBE_MARK="m1", PREFECT_PROBE_ACT="read")
    out, err = client.communicate("from stdin\n", timeout=30)
    seen = json.loads(out.splitlines()[0])
    assert seen["argv"] == ["a", "", "b c"] and seen["cwd"] == str(tmp_path) and seen["mark"] == "m1"
    assert seen["path0"] == str(tmp_path)  # as `python -m` sets sys.path[0]
    assert seen["ppid"] == server.pid and seen["pid"] != client.pid  # a fork of the server, not the fallback
    assert seen["pgid"] == seen["pid"]  # its own group: a signal to the worker's reaches it once, relayed
    assert seen["sigint"] == repr(signal.default_int_handler) and seen["sigterm"] == repr(signal.SIG_DFL)
    assert out.splitlines()[1] == "read:from stdin" and err == "to stderr\n"
    assert client.returncode == 0
    assert _gone(seen["pid"])


@pytest.mark.parametrize(("act", "status", "in_err"), [("exit3", 3, ""), ("raise", 1, "RuntimeError: probe failed"),
                                                       ("exit0", 0, "")])
def test_the_client_exits_with_its_childs_status(env, started, tmp_path, act, status, in_err):
    _serve(env, started)
    client = _client(env, started, tmp_path, PREFECT_PROBE_ACT=act)
    _out, err = client.communicate(timeout=30)
    assert client.returncode == status and in_err in err, err


@pytest.mark.parametrize(("act", "sig", "status"), [("term", signal.SIGTERM, -signal.SIGTERM),
                                                    ("handle", signal.SIGTERM, 7),
                                                    ("term", signal.SIGINT, -signal.SIGINT)])
def test_signals_to_the_client_reach_the_child_and_its_death_comes_back(env, started, tmp_path, act, sig, status):
    """SIGTERM/SIGINT relayed (once: the child has its own group); a child killed by a signal makes its
    client die of the same signal (Prefect reads "killed by SIGTERM"); KeyboardInterrupt ends by SIGINT."""
    _serve(env, started)
    client = _client(env, started, tmp_path, PREFECT_PROBE_ACT=act)
    child = _seen(client)["pid"]
    client.send_signal(sig)
    assert client.wait(30) == status
    assert _gone(child)


def test_a_child_dies_with_its_client(env, started, tmp_path):
    """SIGKILL of the client (Prefect's last resort, or the worker's group killed): the server sees its
    connection close and kills the child."""
    server = _serve(env, started)
    client = _client(env, started, tmp_path, PREFECT_PROBE_ACT="sleep")  # the probe ignores SIGTERM
    child = _seen(client)["pid"]
    client.kill()
    client.wait(10)
    assert _gone(child)
    assert server.poll() is None  # and the server serves on
    again = _client(env, started, tmp_path, PREFECT_PROBE_ACT="exit0")
    assert again.wait(30) == 0


def test_children_and_clients_die_with_their_server(env, started, tmp_path):
    """SIGKILL of the server (as when its worker is killed: PR_SET_PDEATHSIG): the child is killed
    (its own PR_SET_PDEATHSIG) and the client ends as killed; nothing is left."""
    server = _serve(env, started)
    clients = [_client(env, started, tmp_path, PREFECT_PROBE_ACT="sleep") for _ in range(2)]
    children = [_seen(c)["pid"] for c in clients]
    server.kill()
    assert [c.wait(10) for c in clients] == [-signal.SIGKILL] * 2
    assert all(_gone(pid) for pid in children)


def test_a_server_told_to_stop_ends_its_runs_first(env, started, tmp_path):
    """SIGTERM to the server (its worker's group stopped): it takes no more runs (their clients start the
    engine themselves) and ends once its running children ended."""
    server = _serve(env, started)
    client = _client(env, started, tmp_path, PREFECT_PROBE_ACT="handle")
    child = _seen(client)["pid"]
    server.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    while Path(env[fork_client.SERVER_ENV]).exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    late = _client(env, started, tmp_path, PREFECT_PROBE_ACT="exit0")
    assert _seen(late)["pid"] == late.pid and late.wait(30) == 0  # the fallback, in its own process
    assert server.poll() is None and _alive(child)
    client.send_signal(signal.SIGTERM)
    assert client.wait(30) == 7
    assert server.wait(10) == 0
    assert not Path(env[fork_client.SERVER_ENV]).parent.exists()  # its folder removed


@pytest.mark.parametrize("case", ["no server set", "nobody listens", "environment differs", "settings differ"])
def test_without_a_server_that_takes_the_run_the_client_runs_the_engine_itself(env, started, tmp_path, case):
    """The fallback: the engine exec'd in the client's own process (same PID: Prefect's worker sees no
    difference), with the client's argv; the reason on stderr (none when no server is set)."""
    more = {"PREFECT_PROBE_MARK": "m2"}
    if case == "no server set":
        env.pop(fork_client.SERVER_ENV)
    elif case != "nobody listens":
        _serve(env, started)
    if case == "environment differs":
        more["OTHER_SETTING"] = "1"
    if case == "settings differ":
        more["PREFECT_PROBE_DECLINE"] = "Prefect settings differ: api"
    client = _client(env, started, tmp_path, "x", **more)
    out, err = client.communicate(timeout=30)
    seen = json.loads(out.splitlines()[0])
    assert seen["pid"] == client.pid and seen["argv"] == ["x"] and seen["mark"] == "m2"
    assert client.returncode == 0
    reason = {"no server set": "", "nobody listens": "no answer at",
              "environment differs": "environment differs from the fork server's: OTHER_SETTING",
              "settings differ": "Prefect settings differ: api"}[case]
    if reason:
        assert reason in err and "starting the engine in this process" in err, err
    else:
        assert "fork server" not in err, err


def test_the_server_declines_once_its_checkouts_code_changed(env, started, tmp_path):
    """A module of the checkout imported by the server changed on disk (a deploy under a running
    worker): the runs start the engine afresh, with the new code."""
    root = tmp_path / "checkout"
    root.mkdir()
    (root / "stage_mod.py").write_text("X = 1\n")
    _serve(env, started, str(root), "stage_mod")
    first = _client(env, started, tmp_path, PREFECT_PROBE_ACT="exit0")
    assert _seen(first)["pid"] != first.pid and first.wait(30) == 0
    (root / "stage_mod.py").write_text("X = 22\n")
    second = _client(env, started, tmp_path, PREFECT_PROBE_ACT="exit0")
    _out, err = second.communicate(timeout=30)
    assert "stage_mod.py changed since the fork server started" in err and second.returncode == 0


def test_a_request_cut_short_is_refused_and_the_server_serves_on(env, started, tmp_path):
    server = _serve(env, started)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(env[fork_client.SERVER_ENV])
        s.sendall(fork_client.request_bytes([b"x"], {}, b"/")[:10])  # no fds, body cut
    client = _client(env, started, tmp_path, PREFECT_PROBE_ACT="exit0")
    assert _seen(client)["pid"] != client.pid and client.wait(30) == 0
    assert server.poll() is None


def test_environment_differs_names_what_differs_but_prefects_variables():
    ours = {b"PATH": b"/bin", b"PREFECT_API_URL": b"a", b"LANG": b"C"}
    assert fork_server.environment_differs({**ours, b"PREFECT_API_URL": b"b", b"PREFECT__FLOW_RUN_ID": b"1"},
                                           ours) == ""
    assert fork_server.environment_differs({b"PATH": b"/usr/bin", b"TZ": b"UTC"}, ours) == \
        "environment differs from the fork server's: LANG, PATH, TZ"


def test_prefect_settings_differ_compares_the_settings_read_now_with_those_read_at_import(monkeypatch):
    assert fork_server.prefect_settings_differ() == ""
    from prefect.settings import get_current_settings

    monkeypatch.setenv("PREFECT_API_URL", str(get_current_settings().api.url) + "/other")
    assert fork_server.prefect_settings_differ().startswith("Prefect settings differ: api")  # and what follows it


def test_sweep_removes_the_folders_of_servers_gone(tmp_path):
    dead, live = tmp_path / "orderbridge-fork-dead", tmp_path / "orderbridge-fork-live"
    for folder in (dead, live):
        folder.mkdir(mode=0o700)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as gone:
        gone.bind(str(dead / "engine.sock"))  # bound, then closed: refused
    with fork_server.listen(str(live / "engine.sock")):
        assert fork_server.sweep(str(tmp_path)) == [str(dead)]
    assert not dead.exists() and live.exists()
