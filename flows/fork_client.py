"""A flow run's command on an `orderbridge worker` (flows.pool.ENGINE_COMMAND): asks the worker's fork
server (flows.fork_server) for a child that runs `prefect.engine` with this process's argv, environment,
working directory and fds 0-2, relays SIGTERM/SIGINT to it and exits as it exits. Without a server that
answers (or when it declines the run) it execs `python -m prefect.engine` in this same process: today's
path, same PID. Imports only builtins (os, signal, socket, array, marshal): this is the part every flow
run still starts. Must never import Prefect or any of OrderBridge's packages.
"""

import marshal
import os
import signal
import socket
import sys
from array import array

SERVER_ENV = "ORDERBRIDGE_FORK_SERVER"  # the server's socket path, in the worker's (and so the runs') env
RELAYED = (signal.SIGTERM, signal.SIGINT)
ENGINE = ("-m", "prefect.engine")


def request_bytes(argv: list[bytes], env: dict[bytes, bytes], cwd: bytes) -> bytes:
    """What the client sends (with fds 0-2 alongside): a 4-byte length, then argv, env and cwd (marshal)."""
    body = marshal.dumps((argv, env, cwd))
    return len(body).to_bytes(4, "big") + body


def _fallback(reason: str, pending: list[int]) -> None:
    """Today's path in this same process: `python -m prefect.engine` with this argv's arguments. A signal
    that came before it is delivered to this process first, with its default action, as it would have
    reached the engine starting."""
    if reason:
        os.write(2, f"orderbridge fork server: {reason}; starting the engine in this process\n".encode(
            errors="replace"))
    for sig in RELAYED:
        signal.signal(sig, signal.SIG_DFL)
    for sig in pending:
        os.kill(os.getpid(), sig)
    os.execv(sys.executable, [sys.executable, *ENGINE, *sys.argv[1:]])


def _exit_as(status: int) -> None:
    """Exit as a child with wait status ``status`` did: its exit code, or its deadly signal raised on
    this process (so that Prefect's worker reads "killed by SIGTERM" as it would from the engine)."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)  # a signal whose default is not to end the process (not one a child dies of)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def main() -> None:
    child: list[int] = []  # the child's PID once the server says it (and until it says how it ended)
    pending: list[int] = []  # signals received before that
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)

    def relay(sig: int, _frame) -> None:
        # through the server, which signals the child only while it has not reaped it: never another
        # process that took the PID over
        if child:
            try:
                sock.send(b"K %d\n" % sig)
            except OSError:
                pass
        else:
            pending.append(sig)

    for sig in RELAYED:
        signal.signal(sig, relay)
    path = os.environ.get(SERVER_ENV)
    if not path:
        _fallback("", pending)
    try:
        sock.connect(path)
        sock.sendmsg([request_bytes([os.fsencode(a) for a in sys.argv], dict(os.environb), os.getcwdb())],
                     [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array("i", [0, 1, 2]))])
    except OSError as exc:
        sock.close()
        _fallback(f"no answer at {path} ({exc.strerror or exc})", pending)
    declined, status, buf = "", None, b""
    while True:
        try:
            data = sock.recv(4096)
        except OSError:
            data = b""
        if not data:
            break
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            kind, _, value = line.partition(b" ")
            if kind == b"P":
                child.append(int(value))
                for sig in pending:
                    relay(sig, None)
                pending.clear()
            elif kind == b"F":
                declined = value.decode(errors="replace")
            elif kind == b"S":
                status = int(value)
                child.clear()
    sock.close()
    if declined and (status is None or status == 0):
        _fallback(declined, pending)  # the child ran nothing (or there was none): today's path
    if status is None:  # the server went away (killed with its worker): so did the child (PR_SET_PDEATHSIG)
        _exit_as(signal.SIGKILL)  # wait status "killed by SIGKILL"
    _exit_as(status)


if __name__ == "__main__":
    main()
