"""Prefect wiring for the nightly job: one task per partner and stage (pull+process, deliver),
retries with backoff on transient errors only, one partner's failure never stops the others.

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
from flows.workspace import open_workspace
from schemas.errors import ConfigError, is_transient
from schemas.profile import PartnerProfile

DEFAULT_CRON = "0 2 * * *"


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


@task(retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=_retry_transient,
      task_run_name="pull-{partner_id}")
def pull_task(workspace: str, partner_id: str, now_iso: str, run_id: str) -> dict:
    ws = open_workspace(workspace)
    profile = ws.partners()[partner_id]
    state = StateStore(ws.state_path)
    drop = open_drop(workspace, profile)
    try:
        return steps.pull_partner(ws, profile, state, drop, now=datetime.fromisoformat(now_iso),
                                  run_id=run_id).to_dict()
    finally:
        drop.close()
        state.close()


@task(retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=_retry_transient,
      task_run_name="deliver-{partner_id}")
def deliver_task(workspace: str, partner_id: str, now_iso: str) -> int:
    ws = open_workspace(workspace)
    profile = ws.partners()[partner_id]
    state = StateStore(ws.state_path)
    drop = open_drop(workspace, profile)
    try:
        return steps.deliver_partner(profile, state, drop, now=datetime.fromisoformat(now_iso))
    finally:
        drop.close()
        state.close()


@flow(name="orderbridge-nightly", log_prints=True)
def nightly(workspace: str = ".", now: str | None = None, partners: list[str] | None = None) -> dict:
    """Pull, check and answer every partner's inbox, deliver pending documents, write the run report."""
    ws = open_workspace(workspace)
    started = datetime.fromisoformat(now) if now else datetime.now().replace(microsecond=0)
    run_id = steps.run_id_for(started, ws)
    profiles = ws.partners()
    results = []
    for pid in sorted(profiles):
        if partners and pid not in partners:
            continue
        pulled = pull_task(str(ws.root), pid, started.isoformat(), run_id, return_state=True)
        if pulled.is_completed():
            res = steps.PartnerResult(**{k: v for k, v in pulled.result().items() if k != "documents"})
            res.documents.update(pulled.result()["documents"])
        else:
            res = steps.PartnerResult(partner=pid, failure=_describe(pulled))
        delivered = deliver_task(str(ws.root), pid, started.isoformat(), return_state=True)
        if delivered.is_completed():
            res.delivered = delivered.result()
        else:
            res.failure = (res.failure + "; " if res.failure else "") + "delivery: " + _describe(delivered)
        results.append(res)
    return steps.write_reports(ws, run_id, results, started=started, finished=started)


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
