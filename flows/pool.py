"""Partners sharded across the workers of a Prefect work pool: each partner's intake and delivery run
as flow runs of one deployment (``orderbridge-partner/partner-stage``, from this checkout's source,
no image) on a process work pool, started by `run_deployment` from the nightly flow run, which keeps
the run-wide stages (decide and allocate, ship and invoice, reconcile, reports: they see every
partner at once) as its own tasks (flows.nightly). Owns the partner flow, its deployment, the pool's
set-up and the way a stage's outcome comes back (a JSON file in the workspace, which every worker
shares); the fan-out and the waiting are the parent's (flows.pool_stages). This module is the flow
runs' entrypoint: it imports only what a worker's flow run needs (each import is part of every flow
run's start). Decides nothing about EDI; the stage bodies are flows.night's.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow

from flows import night, progress

PARTNER_FLOW = "orderbridge-partner"
DEPLOYMENT = "partner-stage"
ENTRYPOINT = "flows/pool.py:partner_flow"
POLL = 0.5  # seconds between two looks at the flow runs of a phase
PICKUP_TIMEOUT = 600.0  # seconds a phase waits, nothing moving, for a worker to start its runs before it gives up
GO_POLL = 0.25  # seconds between two looks for the parent's word to deliver (go_path)
LEASE_LOOK = 2.0  # seconds between two looks at the night's workspace lease while waiting for it
WORKER_QUERY_SECONDS = "2"  # how often `orderbridge worker` asks for scheduled runs (Prefect's default: 10)
# A flow run's command on a worker: the engine itself. With no command set, Prefect 3.9's process worker
# starts `python -m prefect.runner._workspace_supervisor`, which imports Prefect, runs the deployment's pull
# steps and then execs `python -m prefect.engine`, which imports Prefect again (~1 s CPU a flow run). Given a
# command, the worker starts the engine directly and the engine runs the pull steps itself
# (prefect.flows.load_flow_from_flow_run). "python" is the worker's interpreter: worker_env puts its folder
# first on the PATH the worker hands its flow runs. The command is flows.fork_client: on an `orderbridge
# worker` with its fork server (flows.fork_server) the run is a fork of a process that imported the engine
# and the stages once; without one (or when the server declines the run) the client execs
# `python -m prefect.engine` in its own process, as before.
ENGINE_COMMAND = "python -m flows.fork_client"


def code_root() -> Path:
    """This checkout: the folder holding flows/, the deployment's source on every worker's machine."""
    return Path(__file__).resolve().parent.parent


def outcome_path(workspace: str, run_id: str, stage: str, partner_id: str) -> Path:
    """Where a worker leaves one stage's outcome for the parent (the workspace is shared storage)."""
    return Path(workspace) / "state" / "stage-outcomes" / run_id / f"{stage}-{partner_id}.json"


# --- on a worker ------------------------------------------------------------------------------------
def run_name(stage: str, partners: list[str]) -> str:
    """A partner flow run's name: its stage and its partners ("intake-acme", "deliver-acme+globex")."""
    return f"{stage}-{'+'.join(partners)}"


def _flow_run_name() -> str:
    from prefect.runtime import flow_run

    given = flow_run.parameters
    stage = given["stage"] + (f"+{given['then']}" if given.get("then") else "")
    return run_name(stage, [given["partner_id"], *(given.get("more") or [])])


def go_path(workspace: str, run_id: str, head: str) -> Path:
    """Where the parent tells a flow run kept waiting after its intake (``then="deliver"``, named by its
    first partner) which of its partners to deliver (flows.pool_stages)."""
    return Path(workspace) / "state" / "stage-outcomes" / run_id / f"go-{head}.json"


def write_json(path: Path, value) -> None:
    """``value`` as JSON at ``path``, whole or not at all (another process may be reading it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    os.replace(tmp, path)


def _stage_outcomes(stage: str, workspace: str, partners: list[str], now_iso: str, run_id: str) -> dict:
    """``stage`` for each partner in turn, each under its own lease, each outcome written for the parent."""
    from flows import partner_stage as sharded

    outs = {}
    for pid in partners:
        done = night.InProcess()._call(sharded.run_partner, stage, workspace, pid, now_iso, run_id)
        if done.failure:
            out = {"value": None, "failure": done.failure}
        else:
            ran = done.value
            out = {"value": ran.value, "failure": ran.skipped}
        write_json(outcome_path(workspace, run_id, stage, pid), out)
        outs[pid] = out
    return outs


def wait_for_go(workspace: str, run_id: str, head: str, night_holder: str) -> list[str]:
    """The partners the parent says this flow run delivers (go_path), once it says so; none (at once)
    when the night that started the run no longer holds the workspace lease (``night_holder``, its
    holder id: released, expired, or taken over by another run, e.g. after the parent was killed), so
    that a run never waits for a parent that is gone. Looks at the lease every LEASE_LOOK seconds."""
    from connectors import lease

    path, looked = go_path(workspace, run_id, head), 0.0
    holders = lease.HolderReader(workspace)  # (on PostgreSQL one connection for every look)
    try:
        while True:
            try:
                go = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                go = None
            if go is not None:
                path.unlink(missing_ok=True)
                return list(go["deliver"])
            if time.monotonic() - looked >= LEASE_LOOK:
                looked = time.monotonic()
                holder = holders.read()
                if holder is None or holder.holder_id != night_holder or holder.released or \
                        holder.expired(datetime.now(UTC)):
                    progress.report("deliver", f"run {run_id} no longer holds the workspace: nothing to deliver"
                                    " here", partner=head)
                    return []
            time.sleep(GO_POLL)
    finally:
        holders.close()


@flow(name=PARTNER_FLOW, flow_run_name=_flow_run_name, log_prints=True, retries=0)
def partner_flow(stage: str, workspace: str, partner_id: str, now_iso: str, run_id: str,
                 more: list[str] | None = None, then: str = "", night_holder: str = "") -> dict:
    """One partner's intake or delivery on a worker under the partner's lease (flows.partner_stage:
    a partner another worker holds is skipped, with who holds it until when), retried after transient
    errors as in-process stages are; its outcome written for the parent, and returned. ``more``: the
    partners this flow run takes after it, one after the other, each under its own lease and with its
    own outcome (fewer flow runs than partners when the pool runs fewer at once: each costs a process).
    ``then="deliver"``: after its intake the run waits (wait_for_go) for the parent to say which of its
    partners to deliver once the run-wide stages are done, and delivers them: one process start per
    night instead of two. A failure or a skip is the stage's failure in the run summary (the flow run
    shows Failed, after its other partners ran)."""
    from flows.memory import frozen_at_exit, survivors_frozen, use_system_allocator

    use_system_allocator()
    frozen_at_exit()  # the process ends with the run: its final collections skip the heap (Prefect's imports)
    progress.to_stderr()
    partners = [partner_id, *(more or [])]
    with survivors_frozen():  # each stage's collection (give_back) walks what the stages made, as in a night
        outs = _stage_outcomes(stage, workspace, partners, now_iso, run_id)
        failed = [f"{stage} {pid}: {out['failure']}" for pid, out in outs.items() if out["failure"]]
        if then:
            later = _stage_outcomes(then, workspace, wait_for_go(workspace, run_id, partner_id, night_holder),
                                    now_iso, run_id)
            failed += [f"{then} {pid}: {out['failure']}" for pid, out in later.items() if out["failure"]]
            outs = {stage: outs, then: later}
    if failed:
        raise RuntimeError("; ".join(failed))  # the flow run shows Failed in the UI
    return outs[partner_id] if not more and not then else outs


# --- set-up -----------------------------------------------------------------------------------------
def ensure_pool(pool: str, *, limit: int | None = None) -> int | None:
    """The process work pool (created when missing); ``limit`` its concurrency limit (flow runs at once
    across all its workers), None leaves it as it is. Returns the pool's limit now (None: none)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            found = client.read_work_pool(pool).concurrency_limit
        except ObjectNotFound:
            try:
                client.create_work_pool(WorkPoolCreate(name=pool, type="process", concurrency_limit=limit))
                return limit
            except ObjectAlreadyExists:  # another worker or run created it meanwhile
                found = client.read_work_pool(pool).concurrency_limit
        if limit is not None and limit != found:
            client.update_work_pool(pool, WorkPoolUpdate(concurrency_limit=limit))
            return limit
        return found


def deploy(pool: str, *, limit: int | None = None, source: Path | None = None) -> tuple[str, int | None]:
    """The partner-stage deployment on ``pool`` from this checkout's source (workers need the same
    path, or their own checkout there), created or updated; returns its name for run_deployment and
    the pool's concurrency limit (ensure_pool)."""
    slots = ensure_pool(pool, limit=limit)
    remote = partner_flow.from_source(source=str(source or code_root()), entrypoint=ENTRYPOINT)
    remote.deploy(name=DEPLOYMENT, work_pool_name=pool, print_next_steps=False, build=False, push=False,
                  ignore_warnings=True, job_variables={"command": ENGINE_COMMAND})
    return f"{PARTNER_FLOW}/{DEPLOYMENT}", slots


def worker_command(pool: str, *, limit: int | None = None, name: str | None = None) -> list[str]:
    """`prefect worker start` for ``pool`` (what `orderbridge worker` runs)."""
    import shutil
    import sys

    prefect = shutil.which("prefect", path=str(Path(sys.executable).parent)) or "prefect"
    cmd = [prefect, "worker", "start", "--pool", pool, "--type", "process"]
    if limit:
        cmd += ["--limit", str(limit)]
    if name:
        cmd += ["--name", name]
    return cmd


def worker_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of `orderbridge worker` (and so of its flow runs): this interpreter's folder first
    on PATH, so that the flow runs' ENGINE_COMMAND runs the worker's own Python, as Prefect's default
    command does; the worker's polling and analytics settings unless given."""
    import sys

    out = dict(os.environ if env is None else env)
    here = str(Path(sys.executable).parent)
    path = out.get("PATH", "")
    if path.split(os.pathsep)[0] != here:
        out["PATH"] = os.pathsep.join([here, path]) if path else here
    out.setdefault("PREFECT_WORKER_QUERY_SECONDS", WORKER_QUERY_SECONDS)
    out.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    return out
