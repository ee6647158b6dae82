"""A fork server with a probe in place of Prefect's engine, for tests/test_fork_server.py: `serve` runs
flows.fork_server.ForkServer in this process (nothing preloaded; the children run this module as __main__);
run as __main__, the module does what PREFECT_PROBE_ACT says (print what it got, exit with a code, sleep,
wait for SIGTERM). PREFECT_* variables, so that the server's environment check lets them through."""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def probe_settings() -> str:
    """The child's settings check: declines when the run says so."""
    return os.environ.get("PREFECT_PROBE_DECLINE", "")


def serve(path: str, root: str = "", preload: str = "json") -> None:
    """A server at ``path``; ``root`` the checkout whose imported files it watches (default: this one),
    ``preload`` the modules it imports (comma-separated; ``root`` on sys.path)."""
    from pathlib import Path

    from flows import fork_server

    if root:
        sys.path.append(root)
    os.environ[fork_server.SERVER_ENV] = path
    fork_server.ForkServer(fork_server.listen(path), path, preload=tuple(preload.split(",")),
                           engine="tests.support_fork", settings_differ=probe_settings,
                           code_root=Path(root) if root else None).serve()


def _probe() -> None:
    act = os.environ.get("PREFECT_PROBE_ACT", "")
    seen = {"argv": sys.argv[1:], "cwd": os.getcwd(), "pid": os.getpid(), "ppid": os.getppid(),
            "pgid": os.getpgrp(), "mark": os.environ.get("PREFECT_PROBE_MARK"), "path0": sys.path[0],
            "sigint": repr(signal.getsignal(signal.SIGINT)), "sigterm": repr(signal.getsignal(signal.SIGTERM))}
    if act == "handle":  # before it says it started: a test signals it then
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(7))
    if act == "sleep":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print(json.dumps(seen), flush=True)
    print("to stderr", file=sys.stderr, flush=True)
    if act.startswith("exit"):
        sys.exit(int(act[4:]))
    if act == "raise":
        raise RuntimeError("probe failed")
    if act in ("term", "handle", "sleep"):  # ends by SIGTERM's default action, by its handler, or not at all
        time.sleep(60)
    if act == "read":
        print("read:" + sys.stdin.readline().strip(), flush=True)


if __name__ == "__main__":
    _probe()
