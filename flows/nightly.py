"""Prefect wiring for the nightly job: each stage of flows.night as a Prefect task (per partner intake,
one run-wide decision stage, per partner delivery, the reconciliation for finance), retried with
backoff on transient errors only; one partner's failure never stops the others.

Runs without a server (Prefect's ephemeral API) or against PREFECT_API_URL when it is set.
The order of the stages, the workspace lease, the run record, the progress lines and the reports are
flows.night's; nothing here decides anything about EDI.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.client.schemas.objects import State, TaskRun
from prefect.tasks import Task

from flows import night
from flows.night import RETRY_DELAYS, StageOutcome, open_drop
from schemas.errors import is_transient

DEFAULT_CRON = "0 2 * * *"

__all__ = ["DEFAULT_CRON", "RETRY_DELAYS", "deployment", "nightly", "open_drop"]


def _retry_transient(task: Task, task_run: TaskRun, state: State) -> bool:
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - we only classify it
        return is_transient(exc)
    return False


_RETRIES = dict(retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=_retry_transient)
intake_task = task(night.intake_stage, task_run_name="intake-{partner_id}", **_RETRIES)
decide_task = task(night.decide_stage, task_run_name="decide", **_RETRIES)
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

    def deliver(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome:
        return _outcome(deliver_task(workspace, partner_id, now_iso, run_id, return_state=True))

    def reconcile(self, workspace: str, now_iso: str, run_id: str) -> StageOutcome:
        return _outcome(reconcile_task(workspace, now_iso, run_id, return_state=True))


@flow(name="orderbridge-nightly", log_prints=True)
def nightly(workspace: str = ".", now: str | None = None, partners: list[str] | None = None,
            use_gx: bool = True, wait: float = 0.0) -> dict:
    """Pull, check and answer every partner's inbox, deliver pending documents, reconcile, write the run
    report. Says what it did after each stage and partner (flows.progress: lines on the standard
    error, which a deployment's worker keeps in its logs)."""
    return night.run_night(workspace, stages=PrefectStages(), now=now, partners=partners, use_gx=use_gx, wait=wait)


def deployment(workspace: str, cron: str = DEFAULT_CRON, timezone: str = "UTC"):
    """The nightly deployment (cron schedule); `orderbridge serve` runs it."""
    from prefect.schedules import Cron

    return nightly.to_deployment(name="nightly", schedule=Cron(cron, timezone=timezone),
                                 parameters={"workspace": str(workspace)})
