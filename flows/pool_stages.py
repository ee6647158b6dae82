"""The parent's side of the work pool (flows.pool): a night whose per-partner intake and delivery run as
flow runs of the partner-stage deployment, started with `run_deployment` and waited for, each partner's
outcome read back from the file its flow run left in the workspace; the run-wide stages stay the
parent's Prefect tasks (flows.nightly.PrefectStages). Apart from flows.pool so that a worker's flow run
(which imports flows.pool for its entrypoint) does not import the parent's Prefect task machinery.
"""

from __future__ import annotations

import contextlib
import json
import time

from flows import progress
from flows.night import StageOutcome
from flows.nightly import PrefectStages
from flows.pool import PICKUP_TIMEOUT, POLL, deploy, outcome_path, run_name


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
