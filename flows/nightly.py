"""Prefect wiring for the nightly job: per partner intake, one run-wide decision stage (rules with
GX once, approvals, allocation, 855s), per warehouse shipment confirmations (856s) and one invoicing
task (810s), per partner delivery, then the reports. Retries with backoff on transient errors only;
one partner's (or warehouse's) failure never stops the others.

The shipments flow (``shipments``, its own deployment on a short interval, or triggered when a
confirmation is dropped) runs the same shipment, invoicing and delivery tasks between nights:
retailers want the 856 before the goods arrive.

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
from flows import shipments as shipping
from flows import steps
from flows.workspace import Workspace, open_workspace
from schemas.errors import ConfigError, is_transient
from schemas.profile import PartnerProfile

DEFAULT_CRON = "0 2 * * *"
DEFAULT_SHIPMENTS_EVERY = 5  # minutes between runs of the shipments deployment
DROPPED_EVENT = "orderbridge.confirmation.dropped"  # emitted by `orderbridge dropped`: runs the shipments flow
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
        return steps.deliver_partner(profile, state, drop, now=datetime.fromisoformat(now_iso))
    finally:
        drop.close()
        state.close()


def open_warehouse_drop(ws_root: str, warehouse) -> FileDrop:
    """A warehouse's drop: a local folder, or its SFTP server (like a partner's)."""
    ws = open_workspace(ws_root)
    if warehouse.drop.kind == "local":
        return shipping.warehouse_drops(ws)(warehouse)
    from connectors.sftp import SftpDrop, resolve_secret

    settings = warehouse.drop.sftp
    secret = resolve_secret(settings, os.environ)
    if secret is None and settings.secret_block:
        from prefect.blocks.system import Secret

        secret = Secret.load(settings.secret_block).get()
    return SftpDrop(settings, secret)


@task(retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=_retry_transient,
      task_run_name="ship-{warehouse_id}")
def ship_task(workspace: str, warehouse_id: str, now_iso: str, run_id: str) -> dict:
    """One warehouse's shipment confirmations -> 856s (flows.shipments.ship_warehouse)."""
    from connectors.reference import load_reference

    ws = open_workspace(workspace)
    warehouse = ws.warehouses()[warehouse_id]
    state = StateStore(ws.state_path)
    drop = open_warehouse_drop(workspace, warehouse)
    try:
        return shipping.ship_warehouse(ws, warehouse, ws.partners(), state, drop, load_reference(ws.reference_dir),
                                       now=datetime.fromisoformat(now_iso), run_id=run_id).to_dict()
    finally:
        drop.close()
        state.close()


@task(retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=_retry_transient,
      task_run_name="invoice")
def invoice_task(workspace: str, now_iso: str, run_id: str) -> dict:
    """The 810s due (flows.shipments.invoice_run) and invoiced orders closed."""
    from connectors.reference import load_reference

    ws = open_workspace(workspace)
    state = StateStore(ws.state_path)
    try:
        return shipping.invoice_run(ws, ws.partners(), state, load_reference(ws.reference_dir),
                                    now=datetime.fromisoformat(now_iso), run_id=run_id).to_dict()
    finally:
        state.close()


def _ship_and_invoice(ws: Workspace, started: datetime, run_id: str) -> tuple[list[dict], dict, str]:
    """The fulfilment stage inside a flow: a task per warehouse, then the invoicing task. A failed
    warehouse is reported in its result; the others and invoicing go on."""
    warehouses = []
    for wid in sorted(ws.warehouses()):
        shipped = ship_task(str(ws.root), wid, started.isoformat(), run_id, return_state=True)
        warehouses.append(shipped.result() if shipped.is_completed() else
                          shipping.WarehouseResult(warehouse=wid, failure="shipments: " + _describe(shipped)).to_dict())
    invoiced = invoice_task(str(ws.root), started.isoformat(), run_id, return_state=True)
    if invoiced.is_completed():
        return warehouses, invoiced.result(), ""
    return warehouses, shipping.InvoiceResult().to_dict(), "invoicing: " + _describe(invoiced)


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
    warehouses, invoicing, billing_failure = _ship_and_invoice(ws, started, run_id)
    failure = "; ".join(x for x in (failure, billing_failure) if x)
    shipping.merge_documents(results, warehouses, invoicing)
    for res in results:
        delivered = deliver_task(str(ws.root), res.partner, started.isoformat(), return_state=True)
        if delivered.is_completed():
            res.delivered = delivered.result()
        else:
            res.failure = (res.failure + "; " if res.failure else "") + "delivery: " + _describe(delivered)
    summary = steps.write_reports(ws, run_id, results, started=started, run=run, failure=failure,
                                  shipping=(warehouses, invoicing))
    state = StateStore(ws.state_path)
    try:
        failed = failure or any(r.failure for r in results) or any(w["failure"] for w in warehouses)
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


@flow(name="orderbridge-shipments", log_prints=True)
def shipments(workspace: str = ".", now: str | None = None) -> dict:
    """Between nights: the warehouses' shipment confirmations -> 856s, then the 810s due, delivered at
    once. Quick when nothing waits (no run is recorded then)."""
    ws = open_workspace(workspace)
    started = datetime.fromisoformat(now) if now else datetime.now().replace(microsecond=0)
    profiles = ws.partners()
    state = StateStore(ws.state_path)
    try:
        waiting = shipping.work_waiting(ws, state, profiles)
        if not waiting:
            return {"run_id": "", "started": started.isoformat(), "skipped": "no confirmation or invoice waiting"}
        run_id = steps.run_id_for(started, ws)
        state.start_run(run_id, datetime.now().replace(microsecond=0).isoformat(), kind="shipments",
                        clock=started.isoformat())
    finally:
        state.close()
    warehouses, invoicing, failure = _ship_and_invoice(ws, started, run_id)
    results = [steps.PartnerResult(partner=pid) for pid in sorted(profiles)]
    shipping.merge_documents(results, warehouses, invoicing)
    state = StateStore(ws.state_path)
    try:
        pending = {pid for pid in profiles if state.pending_documents(pid)}
    finally:
        state.close()
    for res in results:
        if res.partner not in pending:
            continue
        delivered = deliver_task(str(ws.root), res.partner, started.isoformat(), return_state=True)
        if delivered.is_completed():
            res.delivered = delivered.result()
        else:
            res.failure = "delivery: " + _describe(delivered)
    summary = steps.write_reports(ws, run_id, results, started=started, failure=failure,
                                  shipping=(warehouses, invoicing))
    state = StateStore(ws.state_path)
    try:
        failed = failure or any(r.failure for r in results) or any(w["failure"] for w in warehouses)
        state.finish_run(run_id, datetime.now().replace(microsecond=0).isoformat(), summary,
                         status="failed" if failed else "finished")
    finally:
        state.close()
    return summary


def shipments_deployment(workspace: str, every_minutes: int = DEFAULT_SHIPMENTS_EVERY):
    """The shipments deployment: every ``every_minutes`` minutes, and whenever a confirmation is
    reported dropped (event DROPPED_EVENT, `orderbridge dropped`); one run at a time."""
    from datetime import timedelta

    from prefect.events import DeploymentEventTrigger

    trigger = DeploymentEventTrigger(expect={DROPPED_EVENT}, match={"prefect.resource.id": "orderbridge.warehouse.*"},
                                     parameters={"workspace": str(workspace)})
    return shipments.to_deployment(name="shipments", interval=timedelta(minutes=every_minutes),
                                   parameters={"workspace": str(workspace)}, triggers=[trigger],
                                   concurrency_limit=1)
