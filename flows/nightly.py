"""Prefect wiring for the nightly job: per partner intake, one run-wide decision stage (rules with
GX once, approvals, allocation, 855s), per warehouse shipment confirmations (856s) and one invoicing
task (810s), per partner delivery, the reconciliation for finance, then the reports. Retries with
backoff on transient errors only; one partner's (or warehouse's) failure never stops the others.

The shipments flow (``shipments``, its own deployment on a short interval, or triggered when a
confirmation is dropped) runs the same shipment, invoicing and delivery tasks between nights:
retailers want the 856 before the goods arrive.

Runs without a server (Prefect's ephemeral API) or against PREFECT_API_URL when it is set.
Task bodies call flows.steps; nothing here decides anything about EDI.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime

from prefect import flow, task
from prefect.client.schemas.objects import State, TaskRun
from prefect.tasks import Task

from connectors.base import FileDrop
from connectors.state import StateStore
from engine.decide import ACCEPTED, PENDING, REJECTED
from flows import progress, steps
from flows import shipments as shipping
from flows.progress import plural
from flows.timing import timed
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
    state = StateStore(ws.state_url)
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
    state = StateStore(ws.state_url)
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
    state = StateStore(ws.state_url)
    drop = open_drop(workspace, profile)
    try:
        with timed("deliver", partner_id):
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
    if settings is None:
        raise ConfigError("sftp drop without settings", warehouse=warehouse.id)
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
    state = StateStore(ws.state_url)
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
    state = StateStore(ws.state_url)
    try:
        return shipping.invoice_run(ws, ws.partners(), state, load_reference(ws.reference_dir),
                                    now=datetime.fromisoformat(now_iso), run_id=run_id).to_dict()
    finally:
        state.close()


@task(retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=_retry_transient,
      task_run_name="reconcile")
def reconcile_task(workspace: str, now_iso: str, run_id: str) -> dict:
    """Partners' verdicts on our documents, the four-way match, exceptions, finance report and dashboard."""
    ws = open_workspace(workspace)
    state = StateStore(ws.state_url)
    try:
        with timed("reconcile"):
            done = steps.reconcile_run(ws, ws.partners(), state, now=datetime.fromisoformat(now_iso), run_id=run_id)
        return {"summary": done.summary, "reports": done.reports}
    finally:
        state.close()


def _ship_and_invoice(ws: Workspace, started: datetime, run_id: str) -> tuple[list[dict], dict, str]:
    """The fulfilment stage inside a flow: a task per warehouse, then the invoicing task. A failed
    warehouse is reported in its result; the others and invoicing go on."""
    warehouses = []
    for wid in sorted(ws.warehouses()):
        shipped = ship_task(str(ws.root), wid, started.isoformat(), run_id, return_state=True)
        if shipped.is_completed():
            warehouses.append(shipped.result())
            progress.report("ship", _ship_line(warehouses[-1]), partner=wid)
        else:
            warehouses.append(shipping.WarehouseResult(warehouse=wid, failure="shipments: " + _describe(shipped))
                              .to_dict())
            progress.report("ship", f"FAILED: {warehouses[-1]['failure']}", partner=wid)
    invoiced = invoice_task(str(ws.root), started.isoformat(), run_id, return_state=True)
    if invoiced.is_completed():
        billing = invoiced.result()
        progress.report("invoice", f"{plural(billing['invoices'], 'invoice')} (810), "
                        f"{plural(billing['closed'], 'order')} closed, {plural(billing['errors'], 'error')}")
        return warehouses, billing, ""
    failure = "invoicing: " + _describe(invoiced)
    progress.report("invoice", f"FAILED: {failure}")
    return warehouses, shipping.InvoiceResult().to_dict(), failure


def _ship_line(w: dict) -> str:
    return (f"{plural(w['files'], 'confirmation file')} ({w['quarantined']:,} quarantined, "
            f"{plural(w['duplicates'], 'duplicate')}), {plural(w['shipments'], 'shipment')} recorded with their "
            f"856, {w['held']:,} held, {w['late']:,} 856 late, {plural(w['errors'], 'error')}")


@flow(name="orderbridge-nightly", log_prints=True)
def nightly(workspace: str = ".", now: str | None = None, partners: list[str] | None = None,
            use_gx: bool = True) -> dict:
    """Pull, check and answer every partner's inbox, deliver pending documents, write the run report.
    Says what it did after each stage and partner (flows.progress: lines on the standard error, which
    a deployment's worker keeps in its logs)."""
    progress.to_stderr()
    ws = open_workspace(workspace)
    ws.require_ready()  # no silent fall back to demo data: say what the workspace lacks
    check_state(ws)
    started = datetime.fromisoformat(now) if now else datetime.now().replace(microsecond=0)
    state = StateStore(ws.state_url)
    try:  # the run is on record from its start: a run that dies stays visible as "running"
        run_id = steps.run_id_for(started, ws, state)
        state.start_run(run_id, datetime.now().replace(microsecond=0).isoformat(), clock=started.isoformat())
    finally:
        state.close()
    profiles = ws.partners()
    chosen = [pid for pid in sorted(profiles) if not partners or pid in partners]
    progress.report("run", f"{run_id} started, run clock {started.isoformat()}, {plural(len(chosen), 'partner')}")
    results = []
    for pid in chosen:
        pulled = intake_task(str(ws.root), pid, started.isoformat(), run_id, return_state=True)
        if pulled.is_completed():
            data = pulled.result()
            res = steps.PartnerResult(**{k: v for k, v in data.items() if k != "documents"})
            res.documents.update(data["documents"])
            progress.report("intake", _intake_line(res), partner=pid)
        else:
            res = steps.PartnerResult(partner=pid, failure="intake: " + _describe(pulled))
            progress.report("intake", f"FAILED: {res.failure}", partner=pid)
        results.append(res)
    decided = decide_task(str(ws.root), started.isoformat(), run_id, use_gx, return_state=True)
    run, failure = None, ""
    if decided.is_completed():
        run = decided.result()
        steps.merge_decisions(results, run)
        progress.report("decide", _decide_line(run))
    else:
        failure = "decide: " + _describe(decided)
        progress.report("decide", f"FAILED: {failure}")
    warehouses, invoicing, billing_failure = _ship_and_invoice(ws, started, run_id)
    failure = "; ".join(x for x in (failure, billing_failure) if x)
    shipping.merge_documents(results, warehouses, invoicing)
    for res in results:
        delivered = deliver_task(str(ws.root), res.partner, started.isoformat(), return_state=True)
        if delivered.is_completed():
            res.delivered = delivered.result()
            progress.report("deliver", f"{plural(res.delivered, 'document')} sent", partner=res.partner)
        else:
            res.failure = (res.failure + "; " if res.failure else "") + "delivery: " + _describe(delivered)
            progress.report("deliver", f"FAILED: {res.failure}", partner=res.partner)
    reconciled = reconcile_task(str(ws.root), started.isoformat(), run_id, return_state=True)
    finance = reconciled.result() if reconciled.is_completed() else {}
    if not reconciled.is_completed():
        failure = "; ".join(x for x in (failure, "reconcile: " + _describe(reconciled)) if x)
        progress.report("reconcile", f"FAILED: {failure}")
    failures = {"failure": failure, "partners": {r.partner: r.failure for r in results}}
    try:
        with timed("reports"):
            summary = steps.write_reports(ws, run_id, failures=failures, partners=chosen,
                                          availability=run.availability if run else None, finance=finance,
                                          shipping={"warehouses": warehouses, "invoicing": invoicing})
        progress.report("reports", summary["reports"]["summary_html"])
    except Exception as exc:  # noqa: BLE001 - the night's work is done and recorded; its report can be rewritten
        failure = (failure + "; " if failure else "") + f"reports: {type(exc).__name__}: {exc}"
        summary = {"run_id": run_id, "failure": failure, "reports": {},
                   "partners": [r.to_dict() | {"findings": len(r.findings)} for r in results]}
        progress.report("reports", f"FAILED: {failure} (orderbridge report --run {run_id} writes them again)")
    state = StateStore(ws.state_url)
    try:
        failed = failure or any(r.failure for r in results) or any(w["failure"] for w in warehouses)
        state.finish_run(run_id, datetime.now().replace(microsecond=0).isoformat(), summary,
                         status="failed" if failed else "finished")
    finally:
        state.close()
    errors = sum(p.get("errors", 0) for p in summary["partners"])
    progress.report("run", f"{run_id} {'failed' if failed else 'finished'}: {plural(errors, 'open error')} in the "
                    "input")
    return summary


def check_state(ws) -> None:
    """Before any task: a state store that cannot be used (read-only, full disk, damaged) stops the
    run at once with a StateError (terminal: never retried)."""
    state = StateStore(ws.state_url)
    try:
        state.check()
    finally:
        state.close()


def _intake_line(res: steps.PartnerResult) -> str:
    docs = sum(res.documents.values())
    return (f"{plural(res.files, 'file')} ({res.processed:,} processed, {res.quarantined:,} quarantined, "
            f"{plural(res.duplicates, 'duplicate')}), {plural(res.orders, 'PO')} read, "
            f"{plural(docs, 'acknowledgment')} created, {plural(res.errors, 'error')}")


def _decide_line(run: steps.RunDecision) -> str:
    statuses = Counter(d.status for d in run.decisions)
    docs = sum(run.documents.values())
    return (f"{plural(len(run.decisions), 'order')} decided ({statuses[ACCEPTED]:,} acknowledged, "
            f"{statuses[PENDING]:,} held, {statuses[REJECTED]:,} rejected), {plural(docs, 'document')} created")


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
    once, and the run's reports. Quick when nothing waits (no run is recorded then). Says what it did
    after each stage (flows.progress)."""
    progress.to_stderr()
    ws = open_workspace(workspace)
    started = datetime.fromisoformat(now) if now else datetime.now().replace(microsecond=0)
    profiles = ws.partners()
    state = StateStore(ws.state_url)
    try:
        waiting = shipping.work_waiting(ws, state, profiles)
        if not waiting:
            return {"run_id": "", "started": started.isoformat(), "skipped": "no confirmation or invoice waiting"}
        run_id = steps.run_id_for(started, ws, state)
        state.start_run(run_id, datetime.now().replace(microsecond=0).isoformat(), kind="shipments",
                        clock=started.isoformat())
    finally:
        state.close()
    progress.report("run", f"{run_id} (shipments) started, run clock {started.isoformat()}")
    warehouses, invoicing, failure = _ship_and_invoice(ws, started, run_id)
    results = [steps.PartnerResult(partner=pid) for pid in sorted(profiles)]
    shipping.merge_documents(results, warehouses, invoicing)
    state = StateStore(ws.state_url)
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
            progress.report("deliver", f"{plural(res.delivered, 'document')} sent", partner=res.partner)
        else:
            res.failure = "delivery: " + _describe(delivered)
            progress.report("deliver", f"FAILED: {res.failure}", partner=res.partner)
    failures = {"failure": failure, "partners": {r.partner: r.failure for r in results}}
    try:
        summary = steps.write_reports(ws, run_id, failures=failures, partners=sorted(profiles),
                                      shipping={"warehouses": warehouses, "invoicing": invoicing})
        progress.report("reports", summary["reports"]["summary_html"])
    except Exception as exc:  # noqa: BLE001 - the work is done and recorded; its report can be rewritten
        failure = (failure + "; " if failure else "") + f"reports: {type(exc).__name__}: {exc}"
        summary = {"run_id": run_id, "failure": failure, "reports": {}, "warehouses": warehouses,
                   "invoicing": invoicing, "partners": [r.to_dict() | {"findings": len(r.findings)} for r in results]}
        progress.report("reports", f"FAILED: {failure} (orderbridge report --run {run_id} writes them again)")
    state = StateStore(ws.state_url)
    try:
        failed = failure or any(r.failure for r in results) or any(w["failure"] for w in warehouses)
        state.finish_run(run_id, datetime.now().replace(microsecond=0).isoformat(), summary,
                         status="failed" if failed else "finished")
    finally:
        state.close()
    progress.report("run", f"{run_id} (shipments) {'failed' if failed else 'finished'}")
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
