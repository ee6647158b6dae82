"""Prefect wiring for the nightly job: per partner intake, one run-wide decision stage (rules with
GX once, approvals, allocation, 855s), per partner delivery, then the reports. Retries with backoff
on transient errors only; one partner's failure never stops the others.

Runs without a server (Prefect's ephemeral API) or against PREFECT_API_URL when it is set.
Task bodies call flows.steps; nothing here decides anything about EDI.
"""

from __future__ import annotations

import os
from datetime import datetime

from prefect import flow, task
from prefect.client.schemas.objects import State, TaskRun
from prefect.tasks import Task

from connectors.base import FileDrop
from connectors.state import StateStore
from flows import steps
from flows.timing import timed
from flows.workspace import open_workspace
from schemas.errors import ConfigError, is_transient
from schemas.profile import PartnerProfile

DEFAULT_CRON = "0 2 * * *"
RETRY_DELAYS = [2, 10, 30]


def _retry_transient(task: Task, task_run: TaskRun, state: State) -> bool:
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - we only classify it
        return is_transient(exc)
    return False


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


@task(retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=_retry_transient,
      task_run_name="intake-{partner_id}")
def intake_task(workspace: str, partner_id: str, now_iso: str, run_id: str) -> dict:
    ws = open_workspace(workspace)
    profile = ws.partners()[partner_id]
    state = StateStore(ws.state_path)
    drop = open_drop(workspace, profile)
    try:
        with timed("intake", partner_id):
            return steps.intake_partner(ws, profile, state, drop, now=datetime.fromisoformat(now_iso),
                                        run_id=run_id).to_dict()
    finally:
        drop.close()
        state.close()


@task(retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=_retry_transient,
      task_run_name="decide")
def decide_task(workspace: str, now_iso: str, run_id: str, use_gx: bool) -> steps.RunDecision:
    from connectors.reference import load_reference

    ws = open_workspace(workspace)
    now = datetime.fromisoformat(now_iso)
    state = StateStore(ws.state_path)
    try:
        with timed("decide"):
            return steps.decide_run(ws, ws.partners(), state, load_reference(ws.reference_dir),
                                    steps.load_inventory(ws, now.date()), now=now, run_id=run_id, use_gx=use_gx)
    finally:
        state.close()


@task(retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=_retry_transient,
      task_run_name="deliver-{partner_id}")
def deliver_task(workspace: str, partner_id: str, now_iso: str) -> int:
    ws = open_workspace(workspace)
    profile = ws.partners()[partner_id]
    state = StateStore(ws.state_path)
    drop = open_drop(workspace, profile)
    try:
        with timed("deliver", partner_id):
            return steps.deliver_partner(profile, state, drop, now=datetime.fromisoformat(now_iso))
    finally:
        drop.close()
        state.close()


@flow(name="orderbridge-nightly", log_prints=True)
def nightly(workspace: str = ".", now: str | None = None, partners: list[str] | None = None,
            use_gx: bool = True) -> dict:
    """Pull, check and answer every partner's inbox, deliver pending documents, write the run report."""
    ws = open_workspace(workspace)
    check_state(ws)
    started = datetime.fromisoformat(now) if now else datetime.now().replace(microsecond=0)
    run_id = steps.run_id_for(started, ws)
    state = StateStore(ws.state_path)
    try:  # the run is on record from its start: a run that dies stays visible as "running"
        state.start_run(run_id, datetime.now().replace(microsecond=0).isoformat(), clock=started.isoformat())
    finally:
        state.close()
    profiles = ws.partners()
    chosen = [pid for pid in sorted(profiles) if not partners or pid in partners]
    results = []
    for pid in chosen:
        pulled = intake_task(str(ws.root), pid, started.isoformat(), run_id, return_state=True)
        if pulled.is_completed():
            data = pulled.result()
            res = steps.PartnerResult(**{k: v for k, v in data.items() if k != "documents"})
            res.documents.update(data["documents"])
        else:
            res = steps.PartnerResult(partner=pid, failure="intake: " + _describe(pulled))
        results.append(res)
    decided = decide_task(str(ws.root), started.isoformat(), run_id, use_gx, return_state=True)
    run, failure = None, ""
    if decided.is_completed():
        run = decided.result()
        steps.merge_decisions(results, run)
    else:
        failure = "decide: " + _describe(decided)
    for res in results:
        delivered = deliver_task(str(ws.root), res.partner, started.isoformat(), return_state=True)
        if delivered.is_completed():
            res.delivered = delivered.result()
        else:
            res.failure = (res.failure + "; " if res.failure else "") + "delivery: " + _describe(delivered)
    with timed("reports"):
        summary = steps.write_reports(ws, run_id, results, started=started, run=run, failure=failure)
    state = StateStore(ws.state_path)
    try:
        failed = failure or any(r.failure for r in results)
        state.finish_run(run_id, datetime.now().replace(microsecond=0).isoformat(), summary,
                         status="failed" if failed else "finished")
    finally:
        state.close()
    return summary


def check_state(ws) -> None:
    """Before any task: a state store that cannot be used (read-only, full disk, damaged) stops the
    run at once with a StateError (terminal: never retried)."""
    state = StateStore(ws.state_path)
    try:
        state.check()
    finally:
        state.close()


def _describe(state: State) -> str:
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - reported in the run summary
        return f"{type(exc).__name__}: {exc}"
    return state.name or "failed"


def deployment(workspace: str, cron: str = DEFAULT_CRON, timezone: str = "UTC"):
    """The nightly deployment (cron schedule); `orderbridge serve` runs it."""
    from prefect.schedules import Cron

    return nightly.to_deployment(name="nightly", schedule=Cron(cron, timezone=timezone),
                                 parameters={"workspace": str(workspace)})
