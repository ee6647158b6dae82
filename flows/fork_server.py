"""The fork server of `orderbridge worker`: a process forked before the worker execs Prefect's, that imports
what a flow run imports (Prefect's engine, flows.pool, the partner stages, pandas) once, freezes that heap,
and forks a child per flow run (its client: flows.fork_client) that runs `prefect.engine` as __main__ with
the client's argv, environment, directory and fds 0-2. Declines (the client then execs the engine itself)
a run whose environment or Prefect settings differ from its own, or when this checkout's imported modules
changed on disk. Dies with its worker (PR_SET_PDEATHSIG); its children die with it or with their client.
Owns no flow-run logic; imports nothing at module level but the standard library.
"""

from __future__ import annotations

import ctypes
import gc
import marshal
import os
import selectors
import signal
import socket
import struct
import sys
import tempfile
import time
from array import array
from collections.abc import Callable
from pathlib import Path

from flows.fork_client import SERVER_ENV

# What a partner flow run imports before and while its stages run: Prefect's engine and flow engine, the
# deployment's pull step and runner, the partner flow's module, the intake and delivery stages (with pyarrow
# and pandas, which parsers.x12_reader's pyarrow calls look for) and the state store on PostgreSQL. ~1.4 s CPU
# in a fresh process (the modules a flow run of tests/test_pool_night.py still imported after an earlier list,
# 0.07 s, added); each child gets them for a fork.
PRELOAD = ("prefect.engine", "prefect.flow_engine", "prefect.flows", "prefect.runtime.flow_run",
           "prefect.deployments.steps.pull", "prefect.runner", "anyio._backends._asyncio", "flows.pool",
           "flows.partner_stage", "flows.steps", "flows.intake", "connectors.lease",
           "connectors.state_pg", "engine.process_batches", "engine.application_advice", "parsers.x12_batches",
           "parsers.csv_orders", "parsers.csv_totals", "rules.business.size_runs", "pandas", "encodings.idna",
           "rich._emoji_codes")
ENGINE_MODULE = "prefect.engine"
REQUEST_TIMEOUT = 10.0  # seconds a connected client has to send its request
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """SIGKILL to this process when the thread that forked it ends (prctl); if the parent already ended
    before the call took effect, end now."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
        os._exit(1)
    if os.getppid() != parent:
        os._exit(1)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass


def prefect_settings_differ() -> str:
    """"" when Prefect's settings read now (this process's environment and directory, as a fresh
    `python -m prefect.engine` would read them) equal those it read when it was imported; else the
    settings that differ (names only: values may be secrets)."""
    from prefect.settings import Settings, get_current_settings

    now, then = Settings(), get_current_settings()
    if now == then:
        return ""
    fresh, old = now.model_dump(), then.model_dump()
    return "Prefect settings differ: " + ", ".join(sorted(k for k in fresh.keys() | old.keys()
                                                          if fresh.get(k) != old.get(k)))


def environment_differs(theirs: dict[bytes, bytes], ours: dict[bytes, bytes]) -> str:
    """"" when a run's environment equals this server's but for PREFECT_* variables (Prefect's settings,
    compared as settings in the child: prefect_settings_differ) and PREFECT__* ones (a run's own: its id,
    its control channel, read at run time); else the names of the variables that differ."""
    names = sorted(k.decode(errors="replace") for k in theirs.keys() | ours.keys()
                   if not k.startswith(b"PREFECT_") and theirs.get(k) != ours.get(k))
    return f"environment differs from the fork server's: {', '.join(names)}" if names else ""


def _code_files(root: Path) -> dict[str, tuple[int, int]]:
    """The imported modules' files under ``root`` (this checkout) and their (mtime_ns, size)."""
    out = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and path.startswith(str(root) + os.sep):
            try:
                st = os.stat(path)
            except OSError:
                continue
            out[path] = (st.st_mtime_ns, st.st_size)
    return out


def _changed(files: dict[str, tuple[int, int]]) -> str:
    for path, seen in files.items():
        try:
            st = os.stat(path)
        except OSError:
            return f"{path} changed since the fork server started"
        if (st.st_mtime_ns, st.st_size) != seen:
            return f"{path} changed since the fork server started"
    return ""


def read_request(conn: socket.socket) -> tuple[list[bytes], dict[bytes, bytes], bytes, list[int]]:
    """A client's request: argv, environment, directory and the fds it passed (0-2)."""
    fds = array("i")
    data, anc, _flags, _addr = conn.recvmsg(65536, socket.CMSG_SPACE(3 * fds.itemsize))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
    try:
        if not data:
            raise EOFError("closed before its request")
        if len(data) < 4:
            raise ValueError("short request")
        size = int.from_bytes(data[:4], "big")
        body = data[4:]
        while len(body) < size:
            more = conn.recv(min(1 << 20, size - len(body)))
            if not more:
                raise ValueError("request cut short")
            body += more
        argv, env, cwd = marshal.loads(body)
        if len(fds) != 3:
            raise ValueError(f"{len(fds)} fds passed, 3 expected")
        return list(argv), dict(env), cwd, list(fds)
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


class ForkServer:
    """The server loop: accept, check, fork; report each child's wait status to its client; SIGKILL a child
    whose client's connection closed; relay the signals clients pass on (``K <sig>``, only to a child not
    yet reaped)."""

    def __init__(self, listener: socket.socket, path: str, *, preload: tuple[str, ...] = PRELOAD,
                 engine: str = ENGINE_MODULE, settings_differ: Callable[[], str] = prefect_settings_differ,
                 code_root: Path | None = None) -> None:
        self.listener, self.path, self.preload, self.engine = listener, path, preload, engine
        self.settings_differ = settings_differ
        self.code_root = code_root or Path(__file__).resolve().parent.parent
        self.children: dict[int, socket.socket] = {}  # child PID -> its client's connection
        self.by_conn: dict[int, int] = {}  # connection fd -> child PID
        self.stopping = False
        self.server_pid = os.getpid()
        self.files: dict[str, tuple[int, int]] = {}
        self.sel = selectors.DefaultSelector()
        self.wake_r, self.wake_w = socket.socketpair()

    # --- the server ---------------------------------------------------------------------------------
    def serve(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the worker's: it cancels its flow runs
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        for end in (self.wake_r, self.wake_w):
            end.setblocking(False)
        signal.set_wakeup_fd(self.wake_w.fileno())
        started = time.process_time()
        for name in self.preload:  # the listener is already bound: early clients wait in its backlog
            try:
                __import__(name)
            except Exception as exc:  # noqa: BLE001 - the child imports it again and reports what is wrong
                print(f"orderbridge fork server: importing {name} failed: {exc!r}", file=sys.stderr)
        gc.collect()
        gc.freeze()  # the children's collections leave the shared imports alone (their pages stay shared)
        self.files = _code_files(self.code_root)
        print(f"orderbridge fork server {os.getpid()} ready on {self.path} "
              f"({time.process_time() - started:.2f} s CPU of imports)", file=sys.stderr, flush=True)
        self.sel.register(self.listener, selectors.EVENT_READ)
        self.sel.register(self.wake_r, selectors.EVENT_READ)
        try:
            while not (self.stopping and not self.children):
                for key, _ in self.sel.select(timeout=1.0):
                    if key.fileobj is self.listener:
                        self._accept()
                    elif key.fileobj is self.wake_r:
                        self._drain()
                    else:
                        self._from_client(key.fileobj)
                self._reap()
                if self.stopping and self.listener.fileno() >= 0:
                    self._close_listener()
        finally:
            self._close_listener()

    def _stop(self, *_: object) -> None:
        """SIGTERM: take no more runs; end once the running ones ended (their clients relay the signal)."""
        self.stopping = True

    def _close_listener(self) -> None:
        if self.listener.fileno() >= 0:
            self.sel.unregister(self.listener)
            self.listener.close()
        for gone in (lambda: os.unlink(self.path), lambda: os.rmdir(os.path.dirname(self.path))):
            try:
                gone()
            except OSError:
                pass

    def _drain(self) -> None:
        try:
            while self.wake_r.recv(4096):
                pass
        except OSError:
            pass

    def _accept(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        try:
            uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]
            if uid != os.getuid():
                raise PermissionError(f"client of uid {uid}")
            conn.settimeout(REQUEST_TIMEOUT)
            argv, env, cwd, fds = read_request(conn)
        except EOFError:  # a look whether the server is alive (sweep)
            conn.close()
            return
        except (OSError, ValueError, TypeError) as exc:
            print(f"orderbridge fork server: a request refused: {exc!r}", file=sys.stderr, flush=True)
            conn.close()
            return
        reason = environment_differs(env, dict(os.environb)) or _changed(self.files)
        if reason:
            self._decline(conn, fds, reason)
            return
        _flush()
        try:
            pid = os.fork()
        except OSError as exc:
            self._decline(conn, fds, f"fork failed: {exc}")
            return
        if pid == 0:
            code = 1
            try:
                code = self._child(conn, argv, env, cwd, fds)
            finally:
                os._exit(code)
        for fd in fds:
            os.close(fd)
        self.children[pid] = conn
        self.by_conn[conn.fileno()] = pid
        conn.setblocking(False)
        self._send(conn, b"P %d\n" % pid)
        self.sel.register(conn, selectors.EVENT_READ)

    def _decline(self, conn: socket.socket, fds: list[int], reason: str) -> None:
        for fd in fds:
            os.close(fd)
        self._send(conn, b"F " + reason.encode(errors="replace").replace(b"\n", b" ") + b"\n")
        conn.close()

    @staticmethod
    def _send(conn: socket.socket, data: bytes) -> None:
        try:
            conn.setblocking(True)
            conn.settimeout(REQUEST_TIMEOUT)
            conn.sendall(data)
        except OSError:
            pass
        finally:
            try:
                conn.setblocking(False)
            except OSError:
                pass

    def _from_client(self, conn: socket.socket) -> None:
        pid = self.by_conn.get(conn.fileno())
        try:
            data = conn.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # the client is gone (killed with its worker, or by Prefect): so goes its flow run
            self.sel.unregister(conn)
            if pid is not None:
                self._signal(pid, signal.SIGKILL)
            return
        for line in data.split(b"\n"):
            kind, _, value = line.partition(b" ")
            if kind == b"K" and pid is not None and value.isdigit() and \
                    int(value) in (signal.SIGTERM, signal.SIGINT):
                self._signal(pid, int(value))

    def _signal(self, pid: int, sig: int) -> None:
        if pid in self.children:  # not reaped yet: the PID is still this child's
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is None:
                continue
            self.by_conn.pop(conn.fileno(), None)
            self._send(conn, b"S %d\n" % status)
            try:
                self.sel.unregister(conn)
            except (KeyError, ValueError):
                pass
            conn.close()

    # --- a child ------------------------------------------------------------------------------------
    def _child(self, conn: socket.socket, argv: list[bytes], env: dict[bytes, bytes], cwd: bytes,
               fds: list[int]) -> int:
        """Become the flow run's process: the server's state let go, default signals, the client's fds,
        environment, directory and argv; then the engine as __main__; then exit as the interpreter
        would (threads joined, atexit handlers, streams flushed). Returns its exit code."""
        _die_with_parent(self.server_pid)
        os.setpgid(0, 0)  # signals reach it once, relayed by its client; not again through the worker's group
        signal.set_wakeup_fd(-1)
        for sig, handler in ((signal.SIGINT, signal.default_int_handler), (signal.SIGTERM, signal.SIG_DFL),
                             (signal.SIGCHLD, signal.SIG_DFL)):
            signal.signal(sig, handler)
        self.sel.close()
        for sock in (self.listener, self.wake_r, self.wake_w, *self.children.values()):
            sock.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in set(fds) - {0, 1, 2}:
            os.close(fd)
        os.environb.clear()
        os.environb.update(env)
        time.tzset()
        os.chdir(cwd)
        sys.path[0] = os.getcwd()  # as `python -m` sets it
        reason = self.settings_differ()
        if reason:
            self._send(conn, b"F " + reason.encode(errors="replace") + b"\n")
            return 0
        conn.close()
        sys.argv = [os.fsdecode(a) for a in argv]
        return run_as_main(self.engine)


def run_as_main(module: str) -> int:
    """``module`` run as __main__ (`python -m module`), then the interpreter's exit: the exit code of its
    SystemExit (or 1 after an uncaught exception's traceback; SIGINT re-raised after KeyboardInterrupt)."""
    import atexit
    import runpy
    import threading

    sys.modules.pop(module, None)  # as in a fresh `python -m`: not imported under its own name (runpy warns)
    interrupted, code = False, 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except KeyboardInterrupt:
        sys.excepthook(*sys.exc_info())
        interrupted, code = True, 130
    except BaseException:  # noqa: BLE001 - as the interpreter: its traceback, status 1
        sys.excepthook(*sys.exc_info())
        code = 1
    try:
        threading._shutdown()  # noqa: SLF001 - what the interpreter does at exit, before atexit
    except Exception:  # noqa: BLE001
        pass
    atexit._run_exitfuncs()  # noqa: SLF001
    _flush()
    if interrupted:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return code


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def listen(path: str) -> socket.socket:
    """A Unix socket bound at ``path`` (in a 0700 folder: only this user reaches it) and listening."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    return listener


def sweep(folder: str | None = None) -> list[str]:
    """Remove the folders of servers that ended without removing them (killed with their worker):
    this user's orderbridge-fork-* folders whose socket no process listens on. Returns them."""
    gone = []
    for old in Path(folder or tempfile.gettempdir()).glob("orderbridge-fork-*"):
        sock = old / "engine.sock"
        try:
            if old.stat().st_uid != os.getuid():
                continue
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(str(sock))
                continue  # a live server
            except (ConnectionRefusedError, FileNotFoundError):
                pass
            finally:
                probe.close()
            sock.unlink(missing_ok=True)
            old.rmdir()
            gone.append(str(old))
        except OSError:
            continue
    return gone


def start(**options) -> str:
    """Fork the server (from `orderbridge worker`, before it execs Prefect's worker): its socket bound in
    a new 0700 folder before the fork, its imports after. Returns the socket's path, for the worker's
    environment (SERVER_ENV)."""
    sweep()
    folder = tempfile.mkdtemp(prefix="orderbridge-fork-")
    path = os.path.join(folder, "engine.sock")
    listener = listen(path)
    parent = os.getpid()
    _flush()
    pid = os.fork()
    if pid:
        listener.close()
        return path
    code = 0
    try:
        _die_with_parent(parent)
        os.environ[SERVER_ENV] = path
        ForkServer(listener, path, **options).serve()
    except BaseException:  # noqa: BLE001 - whatever ends the server, its trace in the worker's log
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        _flush()
        os._exit(code)
