"""Partners sharded across the workers of a Prefect work pool: each partner's intake and delivery run
as flow runs of one deployment (``orderbridge-partner/partner-stage``, from this checkout's source,
no image) on a process work pool, started by `run_deployment` from the nightly flow run, which keeps
the run-wide stages (decide and allocate, ship and invoice, reconcile, reports: they see every
partner at once) as its own tasks (flows.nightly). Owns the partner flow, its deployment, the pool's
set-up, the fan-out and the way a stage's outcome comes back (a JSON file in the workspace, which
every worker shares). Decides nothing about EDI; the stage bodies are flows.night's.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

from prefect import flow

from flows import night, progress
from flows.night import StageOutcome
from flows.nightly import PrefectStages

PARTNER_FLOW = "orderbridge-partner"
DEPLOYMENT = "partner-stage"
ENTRYPOINT = "flows/pool.py:partner_flow"
POLL = 0.5  # seconds between two looks at the flow runs of a phase
PICKUP_TIMEOUT = 600.0  # seconds a phase waits, nothing moving, for a worker to start its runs before it gives up
WORKER_QUERY_SECONDS = "2"  # how often `orderbridge worker` asks for scheduled runs (Prefect's default: 10)


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
    return run_name(given["stage"], [given["partner_id"], *(given.get("more") or [])])


@flow(name=PARTNER_FLOW, flow_run_name=_flow_run_name, log_prints=True, retries=0)
def partner_flow(stage: str, workspace: str, partner_id: str, now_iso: str, run_id: str,
                 more: list[str] | None = None) -> dict:
    """One partner's intake or delivery on a worker under the partner's lease (flows.partner_stage:
    a partner another worker holds is skipped, with who holds it until when), retried after transient
    errors as in-process stages are; its outcome written for the parent, and returned. ``more``: the
    partners this flow run takes after it, one after the other, each under its own lease and with its
    own outcome (fewer flow runs than partners when the pool runs fewer at once: each costs a process).
    A failure or a skip is the stage's failure in the run summary (the flow run shows Failed, after
    its other partners ran)."""
    from flows import partner_stage as sharded
    from flows.memory import use_system_allocator

    use_system_allocator()
    progress.to_stderr()
    outs = {}
    for pid in [partner_id, *(more or [])]:
        done = night.InProcess()._call(sharded.run_partner, stage, workspace, pid, now_iso, run_id)
        if done.failure:
            out = {"value": None, "failure": done.failure}
        else:
            ran = done.value
            out = {"value": ran.value, "failure": ran.skipped}
        path = outcome_path(workspace, run_id, stage, pid)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(out), encoding="utf-8")
        os.replace(tmp, path)
        outs[pid] = out
    failed = [f"{stage} {pid}: {out['failure']}" for pid, out in outs.items() if out["failure"]]
    if failed:
        raise RuntimeError("; ".join(failed))  # the flow run shows Failed in the UI
    return outs[partner_id] if not more else outs


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
                  ignore_warnings=True)
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
    out = dict(os.environ if env is None else env)
    out.setdefault("PREFECT_WORKER_QUERY_SECONDS", WORKER_QUERY_SECONDS)
    out.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    return out


# --- in the parent ----------------------------------------------------------------------------------
class PoolStages(PrefectStages):
    """Per-partner intake and delivery as flow runs on the work pool, all of a phase at once
    (``intake_many``/``deliver_many``, flows.night._per_partner); the run-wide stages as the parent's
    Prefect tasks (PrefectStages)."""

    def __init__(self, pool: str, *, limit: int | None = None, poll: float = POLL,
                 pickup_timeout: float = PICKUP_TIMEOUT) -> None:
        self.pool, self.limit, self.poll, self.pickup_timeout = pool, limit, poll, pickup_timeout
        self._deployment: str | None = None
        self._slots: int | None = None  # the pool's concurrency limit, read when deploying

    def deployment(self) -> str:
        if self._deployment is None:
            self._deployment, self._slots = deploy(self.pool, limit=self.limit)
        return self._deployment

    def groups(self, partners: list[str]) -> list[list[str]]:
        """The partners of a phase as the flow runs that take them: one run per partner, or, when the
        pool runs fewer flow runs at once (its concurrency limit), that many runs taking the partners
        in turn (a run waiting for a slot only adds a process start)."""
        slots = self._slots or len(partners)
        return [partners[i::slots] for i in range(min(slots, len(partners)))]

    def intake(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome:
        return self._fan_out("intake", workspace, [partner_id], now_iso, run_id)[partner_id]

    def deliver(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome:
        return self._fan_out("deliver", workspace, [partner_id], now_iso, run_id)[partner_id]

    def intake_many(self, workspace: str, partners: list[str], now_iso: str, run_id: str) -> dict[str, StageOutcome]:
        return self._fan_out("intake", workspace, partners, now_iso, run_id)

    def deliver_many(self, workspace: str, partners: list[str], now_iso: str, run_id: str) -> dict[str, StageOutcome]:
        return self._fan_out("deliver", workspace, partners, now_iso, run_id)

    def _fan_out(self, stage: str, workspace: str, partners: list[str], now_iso: str,
                 run_id: str) -> dict[str, StageOutcome]:
        """Start one flow run per partner (or per group of partners: ``groups``), wait for all of them,
        read each partner's outcome (in partner order, whatever order they finished in)."""
        from prefect.deployments import run_deployment

        if not partners:
            return {}
        name = self.deployment()
        for pid in partners:  # an outcome left by an earlier attempt of this run is never read as this one's
            outcome_path(workspace, run_id, stage, pid).unlink(missing_ok=True)
        groups = self.groups(partners)
        named = {g[0]: run_name(stage, g) for g in groups}
        runs = {g[0]: run_deployment(name, parameters={"stage": stage, "workspace": workspace, "partner_id": g[0],
                                                       "now_iso": now_iso, "run_id": run_id, "more": g[1:]},
                                     flow_run_name=named[g[0]], timeout=0, tags=[f"run:{run_id}"]).id
                for g in groups}
        progress.report(stage, f"{len(runs)} flow run(s) on work pool {self.pool!r}"
                        + (f" ({len(partners)} partners, at most {len(runs)} at once)" if len(runs) < len(partners)
                           else ""))
        states = self._wait(runs)
        run_of = {pid: g[0] for g in groups for pid in g}
        return {pid: self._outcome(stage, workspace, run_id, pid, states[run_of[pid]], named[run_of[pid]])
                for pid in partners}

    def _wait(self, runs: dict[str, object]) -> dict[str, object]:
        """Every run's final state (one API call per look for all of them). Runs no worker has started
        while nothing moved for ``pickup_timeout`` seconds are cancelled, and say why."""
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
        from prefect.client.schemas.objects import StateType

        states: dict[str, object] = {}
        by_id = {run: pid for pid, run in runs.items()}
        seen: dict[str, StateType] = {}  # pid -> the last state type seen: any change resets the pick-up clock
        moved = time.monotonic()
        with get_client(sync_client=True) as client:
            while len(states) < len(runs):
                waiting = [run for run, pid in by_id.items() if pid not in states]
                for flow_run in client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=waiting)),
                                                      limit=len(waiting)):
                    pid, state = by_id[flow_run.id], flow_run.state
                    if state is None:
                        continue
                    if seen.get(pid) != state.type:
                        seen[pid], moved = state.type, time.monotonic()
                    if state.is_final():
                        states[pid] = state
                if len(states) == len(runs):
                    break
                if time.monotonic() - moved > self.pickup_timeout and not any(
                        t == StateType.RUNNING for p, t in seen.items() if p not in states):
                    for pid in set(runs) - set(states):
                        states[pid] = self._cancel(client, runs[pid])
                    break
                time.sleep(self.poll)
        return states

    def _cancel(self, client, run) -> object:
        from prefect.states import Cancelled

        state = Cancelled(message=f"no worker of work pool {self.pool!r} started it for {self.pickup_timeout:.0f} s "
                                  f"(is `orderbridge worker --pool {self.pool}` running?)")
        client.set_flow_run_state(run, state, force=True)
        return state

    @staticmethod
    def _outcome(stage: str, workspace: str, run_id: str, pid: str, state, run_name: str = "") -> StageOutcome:
        path = outcome_path(workspace, run_id, stage, pid)
        try:
            out = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return StageOutcome(failure=f"flow run {run_name or f'{stage}-{pid}'} {state.name}: "
                                        f"{state.message or 'no outcome'}")
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # the run's folder, once its last outcome is read
        return StageOutcome(out["value"], out["failure"])
