"""One nightly run, in order: the workspace lease, the state-store checks, crashed runs closed, the run
recorded, per partner intake, the run-wide decide stage, per partner delivery, the reports, the run
closed. How a stage is executed is the caller's: `flows.nightly` runs each as a Prefect task
(retries, UI), `orderbridge run --no-prefect` calls them here in this process (same retries).

Stage bodies are the plain functions below (each opens its own state store, so a Prefect worker
could run it); they call flows.steps. Kill points for the crash harness (flows.faults) mark the
boundaries. Nothing here decides anything about EDI or an order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from connectors import lease
from connectors.base import FileDrop
from connectors.state import StateStore
from flows import faults, recovery, steps
from flows.workspace import Workspace, open_workspace
from schemas.errors import ConfigError, is_transient
from schemas.profile import PartnerProfile

RETRY_DELAYS = [2, 10, 30]  # seconds before each retry of a stage that failed with a transient error


def open_drop(ws_root: str, profile: PartnerProfile) -> FileDrop:
    """The partner's drop: a local folder, or its SFTP server (secret from env or a Prefect Secret block)."""
    ws = open_workspace(ws_root)
    if profile.drop.kind == "local":
        return steps.local_drops(ws)(profile)
    from connectors.sftp import SftpDrop, resolve_secret  # paramiko only when a partner uses SFTP

    settings = profile.drop.sftp
    if settings is None:
        raise ConfigError("sftp drop without settings", partner=profile.id)
    secret = resolve_secret(settings, os.environ)
    if secret is None and settings.secret_block:
        from prefect.blocks.system import Secret

        secret = Secret.load(settings.secret_block).get()
    return SftpDrop(settings, secret)


# --- the stage bodies ------------------------------------------------------------------------------
def intake_stage(workspace: str, partner_id: str, now_iso: str, run_id: str) -> dict:
    ws = open_workspace(workspace)
    profile = ws.partners()[partner_id]
    state = StateStore(ws.state_path)
    try:
        drop = open_drop(workspace, profile)
        try:
            return steps.intake_partner(ws, profile, state, drop, now=datetime.fromisoformat(now_iso),
                                        run_id=run_id).to_dict()
        finally:
            drop.close()
    finally:
        state.close()


def decide_stage(workspace: str, now_iso: str, run_id: str, use_gx: bool) -> steps.RunDecision:
    from connectors.reference import load_reference

    ws = open_workspace(workspace)
    now = datetime.fromisoformat(now_iso)
    state = StateStore(ws.state_path)
    try:
        return steps.decide_run(ws, ws.partners(), state, load_reference(ws.reference_dir),
                                steps.load_inventory(ws, now.date()), now=now, run_id=run_id, use_gx=use_gx)
    finally:
        state.close()


def deliver_stage(workspace: str, partner_id: str, now_iso: str, run_id: str) -> int:
    ws = open_workspace(workspace)
    profile = ws.partners()[partner_id]
    state = StateStore(ws.state_path)
    try:
        drop = open_drop(workspace, profile)
        try:
            return steps.deliver_partner(profile, state, drop, now=datetime.fromisoformat(now_iso), run_id=run_id)
        finally:
            drop.close()
    finally:
        state.close()


# --- how stages are executed -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StageOutcome:
    """A stage's value, or why it failed (``failure``, as reported in the run summary)."""

    value: Any = None
    failure: str = ""


class Stages(Protocol):
    def intake(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome: ...

    def decide(self, workspace: str, now_iso: str, run_id: str, use_gx: bool) -> StageOutcome: ...

    def deliver(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome: ...


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class InProcess:
    """Stages called in this process, each retried after a transient error (RETRY_DELAYS), as the
    Prefect tasks are; any other error is the stage's failure, reported, and the run goes on."""

    def __init__(self, delays: list[float] | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.delays, self.sleep = RETRY_DELAYS if delays is None else delays, sleep

    def _call(self, body: Callable[..., Any], *args: Any) -> StageOutcome:
        for attempt in range(len(self.delays) + 1):
            try:
                return StageOutcome(body(*args))
            except Exception as exc:  # noqa: BLE001 - one stage's failure is reported, never the run's end
                if not is_transient(exc) or attempt == len(self.delays):
                    return StageOutcome(failure=describe(exc))
                self.sleep(self.delays[attempt])
        raise AssertionError("unreachable")

    def intake(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome:
        return self._call(intake_stage, workspace, partner_id, now_iso, run_id)

    def decide(self, workspace: str, now_iso: str, run_id: str, use_gx: bool) -> StageOutcome:
        return self._call(decide_stage, workspace, now_iso, run_id, use_gx)

    def deliver(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome:
        return self._call(deliver_stage, workspace, partner_id, now_iso, run_id)


# --- the run ------------------------------------------------------------------------------------------
def check_state(ws: Workspace) -> None:
    """Before any stage: a state store that cannot be used (read-only, full disk, damaged) stops the
    run at once with a StateError (terminal: never retried)."""
    state = StateStore(ws.state_path)
    try:
        state.check()
    finally:
        state.close()


def _wall() -> str:
    return datetime.now().replace(microsecond=0).isoformat()


def run_night(workspace: str, *, stages: Stages, now: str | None = None, partners: list[str] | None = None,
              use_gx: bool = True, wait: float = 0.0) -> dict:
    """Pull, check and answer every partner's inbox, deliver pending documents, write the run report.
    Holds the workspace lease throughout (WorkspaceBusy when another process holds it after ``wait``
    seconds); refuses a workspace with history and no state store (StateMissing)."""
    ws = open_workspace(workspace)
    with lease.acquire(ws.root, "run", wait=wait) as held:
        recovery.require_state(ws)
        check_state(ws)
        started = datetime.fromisoformat(now) if now else datetime.now().replace(microsecond=0)
        state = StateStore(ws.state_path)
        try:  # the run is on record from its start; runs a killed process left "running" are closed
            crashed = recovery.close_crashed_runs(ws, state, at=_wall())
            run_id = steps.run_id_for(started, ws, taken={r["run_id"] for r in state.runs()})
            state.start_run(run_id, _wall(), clock=started.isoformat(), recovers=crashed)
        finally:
            state.close()
        held.renew(note=f"run {run_id}")
        faults.reached("run-started")
        return _stages(ws, run_id, started, stages, partners, use_gx, crashed, held)


def _stages(ws: Workspace, run_id: str, started: datetime, stages: Stages, partners: list[str] | None,
            use_gx: bool, crashed: list[str], held: lease.Lease) -> dict:
    root, clock = str(ws.root), started.isoformat()
    chosen = [pid for pid in sorted(ws.partners()) if not partners or pid in partners]
    results = []
    for pid in chosen:
        pulled = stages.intake(root, pid, clock, run_id)
        if pulled.failure:
            res = steps.PartnerResult(partner=pid, failure="intake: " + pulled.failure)
        else:
            res = steps.PartnerResult(**{k: v for k, v in pulled.value.items() if k != "documents"})
            res.documents.update(pulled.value["documents"])
        results.append(res)
    faults.reached("after-intake")
    held.renew()
    decided = stages.decide(root, clock, run_id, use_gx)
    run, failure = None, ""
    if decided.failure:
        failure = "decide: " + decided.failure
    else:
        run = decided.value
        steps.merge_decisions(results, run)
    faults.reached("after-numbering")
    held.renew()
    for res in results:
        delivered = stages.deliver(root, res.partner, clock, run_id)
        if delivered.failure:
            res.failure = (res.failure + "; " if res.failure else "") + "delivery: " + delivered.failure
        else:
            res.delivered = delivered.value
    faults.reached("after-delivery")
    held.renew()
    state = StateStore(ws.state_path)
    try:
        summary = steps.write_reports(ws, run_id, results, started=started, run=run, failure=failure, state=state,
                                      recovers=crashed)
        faults.reached("before-finish")
        failed = failure or any(r.failure for r in results)
        state.finish_run(run_id, _wall(), summary, status="failed" if failed else "finished")
    finally:
        state.close()
    return summary
