"""Prefect wiring for the nightly job and the shipments job: each stage of flows.night as a Prefect task
(per partner intake, one run-wide decision stage, per warehouse shipment confirmations (856s) and one
invoicing task (810s), per partner delivery, the reconciliation for finance), retried with backoff on
transient errors only; one partner's (or warehouse's) failure never stops the others.

The shipments flow (``shipments``, its own deployment on a short interval, or triggered when a
confirmation is dropped) runs the same shipment, invoicing and delivery tasks between nights:
retailers want the 856 before the goods arrive.

Runs without a server (Prefect's ephemeral API) or against PREFECT_API_URL when it is set.
The order of the stages, the workspace lease, the run record, the progress lines and the reports are
flows.night's; nothing here decides anything about EDI.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.client.schemas.objects import State, TaskRun
from prefect.tasks import Task

from flows import night
from flows.night import RETRY_DELAYS, StageOutcome, open_drop, open_warehouse_drop
from schemas.errors import is_transient

DEFAULT_CRON = "0 2 * * *"
DEFAULT_SHIPMENTS_EVERY = 5  # minutes between runs of the shipments deployment
DROPPED_EVENT = "orderbridge.confirmation.dropped"  # emitted by `orderbridge dropped`: runs the shipments flow

__all__ = ["DEFAULT_CRON", "DEFAULT_SHIPMENTS_EVERY", "DROPPED_EVENT", "RETRY_DELAYS", "deployment", "nightly",
           "open_drop", "open_warehouse_drop", "shipments", "shipments_deployment"]


def _retry_transient(task: Task, task_run: TaskRun, state: State) -> bool:
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - we only classify it
        return is_transient(exc)
    return False


_RETRIES = dict(retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=_retry_transient)
intake_task = task(night.intake_stage, task_run_name="intake-{partner_id}", **_RETRIES)
decide_task = task(night.decide_stage, task_run_name="decide", **_RETRIES)
ship_task = task(night.ship_stage, task_run_name="ship-{warehouse_id}", **_RETRIES)
invoice_task = task(night.invoice_stage, task_run_name="invoice", **_RETRIES)
deliver_task = task(night.deliver_stage, task_run_name="deliver-{partner_id}", **_RETRIES)
reconcile_task = task(night.reconcile_stage, task_run_name="reconcile", **_RETRIES)


def _outcome(state: State) -> StageOutcome:
    if state.is_completed():
        return StageOutcome(state.result())
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - reported in the run summary
        return StageOutcome(failure=night.describe(exc))
    return StageOutcome(failure=state.name or "failed")


class PrefectStages:
    """Each stage as a Prefect task run (retries, the UI's task list)."""

    def intake(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome:
        return _outcome(intake_task(workspace, partner_id, now_iso, run_id, return_state=True))

    def decide(self, workspace: str, now_iso: str, run_id: str, use_gx: bool) -> StageOutcome:
        return _outcome(decide_task(workspace, now_iso, run_id, use_gx, return_state=True))

    def ship(self, workspace: str, warehouse_id: str, now_iso: str, run_id: str) -> StageOutcome:
        return _outcome(ship_task(workspace, warehouse_id, now_iso, run_id, return_state=True))

    def invoice(self, workspace: str, now_iso: str, run_id: str) -> StageOutcome:
        return _outcome(invoice_task(workspace, now_iso, run_id, return_state=True))

    def deliver(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome:
        return _outcome(deliver_task(workspace, partner_id, now_iso, run_id, return_state=True))

    def reconcile(self, workspace: str, now_iso: str, run_id: str) -> StageOutcome:
        return _outcome(reconcile_task(workspace, now_iso, run_id, return_state=True))


@flow(name="orderbridge-nightly", log_prints=True)
def nightly(workspace: str = ".", now: str | None = None, partners: list[str] | None = None,
            use_gx: bool = True, wait: float = 0.0, pool: str | None = None, pool_limit: int | None = None) -> dict:
    """Pull, check and answer every partner's inbox, ship and invoice, deliver pending documents,
    reconcile, write the run report. Says what it did after each stage and partner (flows.progress:
    lines on the standard error, which a deployment's worker keeps in its logs). With ``pool``, each
    partner's intake and delivery run as flow runs on that work pool's workers (flows.pool), at most
    ``pool_limit`` at once when given."""
    stages = PrefectStages()
    if pool:
        from functools import partial

        from flows import warm
        from flows.pool_stages import PoolStages

        # the run-wide stages imported while the workers start the intake flow runs (this process waits then)
        stages = PoolStages(pool, limit=pool_limit, meanwhile=partial(warm.import_run_wide, use_gx))
    return night.run_night(workspace, stages=stages, now=now, partners=partners, use_gx=use_gx, wait=wait)


def deployment(workspace: str, cron: str = DEFAULT_CRON, timezone: str = "UTC", pool: str = ""):
    """The nightly deployment (cron schedule); `orderbridge serve` runs it. ``pool``: the work pool whose
    workers take each partner's intake and delivery (workspace.toml's [prefect] pool); "" runs them in
    the nightly flow's process."""
    from prefect.schedules import Cron

    parameters = {"workspace": str(workspace), **({"pool": pool} if pool else {})}
    return nightly.to_deployment(name="nightly", schedule=Cron(cron, timezone=timezone), parameters=parameters)


@flow(name="orderbridge-shipments", log_prints=True)
def shipments(workspace: str = ".", now: str | None = None, wait: float = 0.0) -> dict:
    """Between nights: the warehouses' shipment confirmations -> 856s, then the 810s due, delivered at
    once, and the run's reports, under the workspace lease (flows.night.run_shipments). Quick when
    nothing waits (no run is recorded then)."""
    return night.run_shipments(workspace, stages=PrefectStages(), now=now, wait=wait)


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
