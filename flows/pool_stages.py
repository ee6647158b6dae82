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
from collections.abc import Callable

from connectors import lease
from flows import progress
from flows.night import StageOutcome
from flows.nightly import PrefectStages
from flows.pool import PICKUP_TIMEOUT, POLL, deploy, go_path, outcome_path, run_name, write_json
from flows.progress import plural


class PoolStages(PrefectStages):
    """Per-partner intake and delivery as flow runs on the work pool, all of a phase at once
    (``intake_many``/``deliver_many``, flows.night._per_partner); the run-wide stages as the parent's
    Prefect tasks (PrefectStages)."""

    def __init__(self, pool: str, *, limit: int | None = None, poll: float = POLL,
                 pickup_timeout: float = PICKUP_TIMEOUT, meanwhile: Callable[[], None] | None = None) -> None:
        self.pool, self.limit, self.poll, self.pickup_timeout = pool, limit, poll, pickup_timeout
        self.meanwhile = meanwhile  # called once, after the first flow runs are created: their start is seconds
        self._deployment: str | None = None
        self._slots: int | None = None  # the pool's concurrency limit, read when deploying
        self._waiting: dict[tuple[str, str], dict[str, tuple[object, list[str]]]] = {}  # (workspace, run) ->
        # head -> (flow run id, partners): intake runs waiting to deliver (intake_many, deliver_many)

    def deployment(self) -> str:
        if self._deployment is None:
            self._deployment, self._slots = deploy(self.pool, limit=self.limit)
        return self._deployment

    def groups(self, partners: list[str], chains: list[list[str]] | None = None) -> list[list[str]]:
        """The partners of a phase as the flow runs that take them: one run per partner, or, when the
        pool runs fewer flow runs at once (its concurrency limit), that many runs taking the partners
        in turn (a run waiting for a slot only adds a process start). The partners of a chain
        (flows.night.chained: one carries on another's orders) in one run, in the chain's order."""
        units, seen = [], set()
        for pid in partners:
            if pid in seen:
                continue
            unit = next(([p for p in c if p in partners] for c in chains or () if pid in c), [pid])
            seen.update(unit)
            units.append(unit)
        slots = self._slots or len(units)
        return [[pid for unit in units[i::slots] for pid in unit] for i in range(min(slots, len(units)))]

    def intake(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome:
        return self._fan_out("intake", workspace, [partner_id], now_iso, run_id)[partner_id]

    def deliver(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome:
        return self._fan_out("deliver", workspace, [partner_id], now_iso, run_id)[partner_id]

    def intake_many(self, workspace: str, partners: list[str], now_iso: str, run_id: str,
                    chains: list[list[str]] | None = None) -> dict[str, StageOutcome]:
        """The phase's partners taken in by flow runs that then wait to deliver them (``then="deliver"``):
        back as soon as every partner's intake outcome is there; the runs still waiting are kept for
        deliver_many. A chain's partners (``chains``) are taken by one run, one after the other."""
        return self._fan_out("intake", workspace, partners, now_iso, run_id, then="deliver", chains=chains)

    def deliver_many(self, workspace: str, partners: list[str], now_iso: str, run_id: str,
                     chains: list[list[str]] | None = None) -> dict[str, StageOutcome]:
        """Each waiting intake run told which of its partners to deliver (none: it ends); the partners no
        waiting run has get flow runs of their own, as intake's did. A chain's partners (``chains``) are
        delivered by one run, one after the other: by the waiting run only when it holds every partner of
        the chain this phase delivers (an idle intake had no run), else by a new run."""
        waiting = self._waiting.pop((workspace, run_id), {})

        def whole(pid: str, group: list[str]) -> bool:
            chain = next((c for c in chains or () if pid in c), [pid])
            return all(p in group for p in chain if p in partners)

        told = {head: (run, [pid for pid in group if pid in partners and whole(pid, group)],
                       run_name("intake+deliver", group))
                for head, (run, group) in waiting.items()}
        for _, mine, _ in told.values():
            for pid in mine:  # an outcome left by an earlier attempt of this run is never read as this one's
                outcome_path(workspace, run_id, "deliver", pid).unlink(missing_ok=True)
        for head, (_, mine, _) in told.items():
            write_json(go_path(workspace, run_id, head), {"deliver": mine})
        rest = [pid for pid in partners if not any(pid in mine for _, mine, _ in told.values())]
        return self._fan_out("deliver", workspace, rest, now_iso, run_id, told=told, chains=chains)

    def _fan_out(self, stage: str, workspace: str, partners: list[str], now_iso: str, run_id: str, *,
                 then: str = "", told: dict | None = None,
                 chains: list[list[str]] | None = None) -> dict[str, StageOutcome]:
        """Start one flow run per partner (or per group of partners: ``groups``), wait for all of them
        (and for the runs ``told`` to deliver: head -> (flow run id, partners, name)), read each partner's
        outcome (in partner order, whatever order they finished in). With ``then``, a run counts as done
        once its partners' outcomes are written; those still running wait for ``then`` (deliver_many)."""
        from prefect.deployments import run_deployment

        told = told or {}
        if not partners and not told:
            return {}
        for pid in partners:  # an outcome left by an earlier attempt of this run is never read as this one's
            outcome_path(workspace, run_id, stage, pid).unlink(missing_ok=True)
        name = self.deployment() if partners else ""  # first: it reads the pool's limit, which ``groups`` needs
        groups = self.groups(partners, chains) if partners else []
        holder = lease.read_holder(workspace) if then and groups else None  # the night's: a run waits while it holds
        extra = {"then": then, "night_holder": holder.holder_id} if holder is not None else {}
        named = {g[0]: run_name(stage + (f"+{then}" if extra else ""), g) for g in groups}
        runs = {g[0]: run_deployment(name, parameters={
                    "stage": stage, "workspace": workspace, "partner_id": g[0], "now_iso": now_iso, "run_id": run_id,
                    "more": g[1:], **extra}, flow_run_name=named[g[0]], timeout=0, tags=[f"run:{run_id}"]).id
                for g in groups}
        if runs:
            progress.report(stage, f"{len(runs)} flow run(s) on work pool {self.pool!r}"
                            + (f" ({len(partners)} partners, at most {len(runs)} at once)"
                               if len(runs) < len(partners) else ""))
        if runs and self.meanwhile is not None:  # while a worker starts the runs (a process each: seconds)
            meanwhile, self.meanwhile = self.meanwhile, None
            meanwhile()
        if told:
            progress.report(stage, f"{plural(len(told), 'flow run')} of the intake told to deliver "
                            f"{plural(sum(len(m) for _, m, _ in told.values()), 'partner')}")
        members = {g[0]: g for g in groups} | {head: mine for head, (_, mine, _) in told.items()}
        named |= {head: name for head, (_, _, name) in told.items()}
        runs |= {head: run for head, (run, _, _) in told.items()}

        def written(head: str) -> bool:
            return all(outcome_path(workspace, run_id, stage, pid).exists() for pid in members[head])

        released: set[str] = set()

        def release(heads: list[str]) -> None:
            """Runs that wait while others of the phase cannot start (the pool's or a worker's limit) end now,
            delivering nothing: their slots are wanted; their partners get deliver flow runs of their own."""
            for head in heads:
                write_json(go_path(workspace, run_id, head), {"deliver": []})
            released.update(heads)
            progress.report(stage, f"{plural(len(heads), 'flow run')} waiting to deliver let go: other flow runs of "
                            "this phase wait for a slot (the work pool's or a worker's limit)")

        states = self._wait(runs, done=written if extra else None, release=release if extra else None)
        if extra:
            self._waiting[(workspace, run_id)] = {head: (runs[head], members[head]) for head, state in states.items()
                                                  if not state.is_final() and head not in released}
        run_of = {pid: head for head, group in members.items() for pid in group}
        return {pid: self._outcome(stage, workspace, run_id, pid, states[run_of[pid]], named[run_of[pid]])
                for pid in [*partners, *(pid for _, mine, _ in told.values() for pid in mine)]}

    def _wait(self, runs: dict[str, object], done: Callable[[str], bool] | None = None,
              release: Callable[[list[str]], None] | None = None) -> dict[str, object]:
        """Every run's final state (one API call per look for all of them), or, with ``done``, its state
        once ``done(head)`` holds (its outcomes are written) if that comes first. Such a run keeps its
        slot while it waits: ``release`` is given the ones done while another run has not started
        (Scheduled: no slot for it), so that no run waits for a slot a waiting run holds. Runs no worker
        has started while nothing moved for ``pickup_timeout`` seconds are cancelled, and say why."""
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
        from prefect.client.schemas.objects import StateType

        states: dict[str, object] = {}
        by_id = {run: pid for pid, run in runs.items()}
        seen: dict[str, StateType] = {}  # pid -> the last state type seen: any change resets the pick-up clock
        let_go: set[str] = set()
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
                    if state.is_final() or (done is not None and done(pid)):
                        states[pid] = state
                if len(states) == len(runs):
                    break
                if release is not None and any(seen.get(p) == StateType.SCHEDULED for p in runs if p not in states):
                    holding = [p for p, st in states.items() if not st.is_final() and p not in let_go]
                    if holding:
                        release(holding)
                        let_go.update(holding)
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
