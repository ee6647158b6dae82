"""A flow for tests/test_fork_server_worker.py, deployed on a process work pool from this checkout with
flows.pool's command: it writes where it runs (PID, parent, group) to ``out``, then sleeps ``sleep``
seconds. Run as a script: deploy it, or start a flow run of it (printing its id)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from prefect import flow


@flow(name="fork-probe", log_prints=True)
def probe(out: str, sleep: float = 0.0) -> int:
    Path(out).write_text(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "pgid": os.getpgrp(),
                                     "server": os.environ.get("ORDERBRIDGE_FORK_SERVER")}), encoding="utf-8")
    time.sleep(sleep)
    return os.getpid()


def _deploy(pool: str, env: str) -> None:
    from flows.pool import ENGINE_COMMAND, ensure_pool

    ensure_pool(pool)
    variables = {"command": ENGINE_COMMAND, **({"env": json.loads(env)} if env else {})}
    probe.from_source(source=str(Path(__file__).resolve().parent.parent), entrypoint="tests/fork_flows.py:probe") \
        .deploy(name="probe", work_pool_name=pool, print_next_steps=False, build=False, push=False,
                ignore_warnings=True, job_variables=variables)


def _run(out: str, sleep: str) -> None:
    from prefect.deployments import run_deployment

    print(run_deployment("fork-probe/probe", parameters={"out": out, "sleep": float(sleep)}, timeout=0).id)


if __name__ == "__main__":
    {"deploy": _deploy, "run": _run}[sys.argv[1]](*sys.argv[2:])
