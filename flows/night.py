"""One nightly run, in order: the workspace lease, the state-store checks, crashed runs closed, the run
recorded, per partner intake, the run-wide decide stage, per warehouse shipment confirmations (856s)
and the invoicing (810s), per partner delivery, the reconciliation for finance, the reports, the run
closed; a progress line after each stage, partner and warehouse (flows.progress), stage timings for
`make bench` (flows.timing). The shipments run between nights (`run_shipments`: ship, invoice,
deliver, reports) holds the same lease. How a stage is executed is the caller's: `flows.nightly`
runs each as a Prefect task (retries, UI), `orderbridge run --no-prefect` calls them here in this
process (same retries).

Stage bodies are the plain functions below (each opens its own state store, so a Prefect worker
could run it); they call flows.steps. Kill points for the crash harness (flows.faults) mark the
boundaries. Nothing here decides anything about EDI or an order. The shipping and decide modules are
imported by the functions that use them, so that a work pool's flow run (flows.pool: one partner's
intake or delivery) does not import them: every import is part of each flow run's start.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from connectors import lease, store_versions
from connectors.base import FileDrop
from connectors.local import LocalDrop
from connectors.state import StateStore
from flows import faults, progress, recovery, steps
from flows.memory import gives_back, survivors_frozen
from flows.progress import plural
from flows.timing import timed
from flows.workspace import BrokenProfile, Workspace, continuations_held, delivering, open_workspace
from schemas.errors import ConfigError, OrderBridgeError, is_transient
from schemas.lifecycle import AWAITING_PERSON
from schemas.profile import PartnerProfile

RETRY_DELAYS = [2, 10, 30]  # seconds before each retry of a stage that failed with a transient error


def open_drop(ws_root: str, profile: PartnerProfile) -> FileDrop:
    """The partner's drop: a local folder, or its SFTP server (secret from env or a Prefect Secret block)."""
    if profile.drop.kind == "local":
        return steps.local_drops(open_workspace(ws_root))(profile)
    return _sftp_drop(profile.drop.sftp, partner=profile.id)


def open_delivery_drop(ws_root: str, profile: PartnerProfile) -> FileDrop:
    """Where ``profile``'s documents are written: the VAN mailbox's outbound folder when its [delivery] says via =
    "mailbox" (open_mailbox_outbound), else its own drop (open_drop)."""
    if profile.delivery.via == "mailbox":
        return open_mailbox_outbound(open_workspace(ws_root))
    return open_drop(ws_root, profile)


def open_mailbox_outbound(ws: Workspace) -> FileDrop:
    """The VAN mailbox's drop for what a partner of [delivery] via = "mailbox" is sent: its "outbox" is mailbox/outbox/
    (workspace.toml's [mailbox] kind = "local": the VAN's or translator's job sends what it finds there), or the
    [mailbox.sftp] server's remote_outbox (kind = "sftp"). ConfigError when [mailbox] does not validate."""
    from flows.mailbox import mailbox_root

    where = ws.mailbox_drop
    if where.kind == "sftp":
        return _sftp_drop(where.sftp, mailbox="outbound")
    return LocalDrop(mailbox_root(ws))


def open_warehouse_drop(ws_root: str, warehouse) -> FileDrop:
    """A warehouse's drop: a local folder, or its SFTP server (like a partner's)."""
    from flows import shipments as shipping

    if warehouse.drop.kind == "local":
        return shipping.warehouse_drops(open_workspace(ws_root))(warehouse)
    return _sftp_drop(warehouse.drop.sftp, warehouse=warehouse.id)


def _sftp_drop(settings, **who: str) -> FileDrop:
    """An SFTP drop; its secret from the environment, else the Prefect Secret block the settings name."""
    from connectors.sftp import SftpDrop, resolve_secret  # paramiko only when someone uses SFTP

    if settings is None:
        raise ConfigError("sftp drop without settings", **who)
    secret = resolve_secret(settings, os.environ)
    if secret is None and settings.secret_block:
        from prefect.blocks.system import Secret

        secret = Secret.load(settings.secret_block).get()
    return SftpDrop(settings, secret)


# --- the stage bodies ------------------------------------------------------------------------------
@gives_back
def intake_stage(workspace: str, partner_id: str, now_iso: str, run_id: str, *,
                 keep: Callable[[], None] | None = None) -> dict:
    """One partner's inbox taken in (steps.intake_partner; ``keep``: its lease renewal before each file
    and each stored piece, when partners are sharded)."""
    ws = open_workspace(workspace).on(datetime.fromisoformat(now_iso))
    profile = ws.runnable_partner(partner_id)
    state = StateStore(ws.state_url)
    try:
        drop = open_drop(workspace, profile)
        try:
            with timed("intake", partner_id):
                return steps.intake_partner(ws, profile, state, drop, now=datetime.fromisoformat(now_iso),
                                            run_id=run_id, keep=keep).to_dict()
        finally:
            drop.close()
    finally:
        state.close()


@gives_back
def decide_stage(workspace: str, now_iso: str, run_id: str, use_gx: bool) -> steps.RunDecision:
    from connectors.reference import load_reference

    ws = open_workspace(workspace).on(datetime.fromisoformat(now_iso))
    now = datetime.fromisoformat(now_iso)
    state = StateStore(ws.state_url)
    try:
        with timed("decide"):
            return steps.decide_run(ws, ws.runnable_partners(), state, load_reference(ws.reference_dir),
                                    steps.load_inventory(ws, now.date()), now=now, run_id=run_id, use_gx=use_gx)
    finally:
        state.close()


@gives_back
def deliver_stage(workspace: str, partner_id: str, now_iso: str, run_id: str, *,
                  keep: Callable[[], None] | None = None) -> int:
    """One partner's pending documents to its outbox (steps.deliver_partner; ``keep``: its lease renewal
    before each chunk, when partners are sharded; a partner delivered through the VAN mailbox: a copy of each file
    kept in mailbox/sent/<partner>/, flows.mailbox.sent_copies)."""
    from flows.mailbox import sent_copies

    ws = open_workspace(workspace).on(datetime.fromisoformat(now_iso))
    profile = ws.runnable_partner(partner_id)
    state = StateStore(ws.state_url)
    try:
        to = delivering(ws, profile)
        mailbox = to.delivery.via == "mailbox"
        drop = open_delivery_drop(workspace, to)
        try:
            with timed("deliver", partner_id):
                return steps.deliver_partner(profile, state, drop, now=datetime.fromisoformat(now_iso),
                                             run_id=run_id, keep=keep, mailbox=mailbox,
                                             copies=sent_copies(ws, to.id) if mailbox else None)
        finally:
            drop.close()
    finally:
        state.close()


@gives_back
def ship_stage(workspace: str, warehouse_id: str, now_iso: str, run_id: str) -> dict:
    """One warehouse's shipment confirmations -> 856s (flows.shipments.ship_warehouse)."""
    from connectors.reference import load_reference
    from flows import shipments as shipping

    ws = open_workspace(workspace).on(datetime.fromisoformat(now_iso))
    warehouse = ws.warehouses()[warehouse_id]
    profiles, broken = ws.partners_apart()
    state = StateStore(ws.state_url)
    try:
        drop = open_warehouse_drop(workspace, warehouse)
        try:
            with timed("ship", warehouse_id):
                return shipping.ship_warehouse(ws, warehouse, profiles, state, drop,
                                               load_reference(ws.reference_dir), now=datetime.fromisoformat(now_iso),
                                               run_id=run_id, absent=set(broken)).to_dict()
        finally:
            drop.close()
    finally:
        state.close()


@gives_back
def invoice_stage(workspace: str, now_iso: str, run_id: str) -> dict:
    """The 810s due (flows.shipments.invoice_run) and invoiced orders closed."""
    from connectors.reference import load_reference
    from flows import shipments as shipping

    ws = open_workspace(workspace).on(datetime.fromisoformat(now_iso))
    state = StateStore(ws.state_url)
    try:
        with timed("invoice"):
            return shipping.invoice_run(ws, ws.runnable_partners(), state, load_reference(ws.reference_dir),
                                        now=datetime.fromisoformat(now_iso), run_id=run_id).to_dict()
    finally:
        state.close()


@gives_back
def reconcile_stage(workspace: str, now_iso: str, run_id: str) -> dict:
    """Partners' verdicts on our documents, the four-way match, exceptions, finance report and dashboard."""
    ws = open_workspace(workspace).on(datetime.fromisoformat(now_iso))
    state = StateStore(ws.state_url)
    try:
        with timed("reconcile"):  # folder: the report folder being written
            done = steps.reconcile_run(ws, ws.runnable_partners(), state, now=datetime.fromisoformat(now_iso),
                                       run_id=run_id, folder=recovery.report_folder(ws, run_id),
                                       hand_on=True)  # its lines to the run's report, which follows here
        return {"summary": done.summary, "reports": done.reports}
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

    def ship(self, workspace: str, warehouse_id: str, now_iso: str, run_id: str) -> StageOutcome: ...

    def invoice(self, workspace: str, now_iso: str, run_id: str) -> StageOutcome: ...

    def deliver(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome: ...

    def reconcile(self, workspace: str, now_iso: str, run_id: str) -> StageOutcome: ...


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

    def ship(self, workspace: str, warehouse_id: str, now_iso: str, run_id: str) -> StageOutcome:
        return self._call(ship_stage, workspace, warehouse_id, now_iso, run_id)

    def invoice(self, workspace: str, now_iso: str, run_id: str) -> StageOutcome:
        return self._call(invoice_stage, workspace, now_iso, run_id)

    def deliver(self, workspace: str, partner_id: str, now_iso: str, run_id: str) -> StageOutcome:
        return self._call(deliver_stage, workspace, partner_id, now_iso, run_id)

    def reconcile(self, workspace: str, now_iso: str, run_id: str) -> StageOutcome:
        return self._call(reconcile_stage, workspace, now_iso, run_id)


# --- the run ------------------------------------------------------------------------------------------
def check_state(ws: Workspace) -> None:
    """Before any stage: a state store that cannot be used (read-only, full disk, damaged) stops the
    run at once with a StateError (terminal: never retried)."""
    state = StateStore(ws.state_url)
    try:
        state.check()
    finally:
        state.close()


def _wall() -> str:
    return datetime.now().replace(microsecond=0).isoformat()


def run_night(workspace: str, *, stages: Stages, now: str | None = None, partners: list[str] | None = None,
              use_gx: bool = True, wait: float = 0.0) -> dict:
    """Pull, check and answer every partner's inbox, deliver pending documents, reconcile, write the run
    report. Holds the workspace lease throughout (WorkspaceBusy when another process holds it after
    ``wait`` seconds); refuses a workspace with history and no state store (StateMissing) and one not
    set up to run (flows.workspace: no silent fall back to demo data). Runs a killed process left
    "running" are closed as crashed; a run with the clock of one that did not finish resumes it under
    its id (flows.reports.run_id_for), and its report covers the work of those it completes."""
    progress.to_stderr()
    ws = open_workspace(workspace)
    with lease.acquire(ws.root, "run", wait=wait) as held:
        recovery.require_state(ws)
        ws.require_ready()
        check_state(ws)
        started = datetime.fromisoformat(now) if now else datetime.now().replace(microsecond=0)
        ws = ws.on(started)  # its profiles as of the run's clock ([[changes]] take effect on their day)
        state = StateStore(ws.state_url)
        try:  # the run is on record from its start; runs a killed process left "running" are closed
            recovery.close_crashed_runs(ws, state, at=_wall())
            run_id = steps.run_id_for(started, ws, state)
            state.start_run(run_id, _wall(), clock=started.isoformat())  # recovers: the unfinished runs before it
            _blanket_refs_read(ws, state)
        finally:
            state.close()
        held.renew(note=f"run {run_id}", run_id=run_id)
        faults.reached("run-started")
        with survivors_frozen():  # each stage's collection walks what the stages made, not the whole heap
            return _stages(ws, run_id, started, stages, partners, use_gx, held)


def _blanket_refs_read(ws: Workspace, state: StateStore) -> None:
    """Once, the first night after a store migrated to version BLANKET_REFS_READ (its mark, before any stage): the
    contract and agreement of the orders stored before BLANKET_REFS read from their stored tables
    (flows.releases.fill_blanket_refs), so a blanket finds its older releases by the index; said when any was."""
    if not state.blanket_refs_unread():
        return
    from connectors.order_store import OrderStore
    from flows.releases import fill_blanket_refs

    filled, unread = fill_blanket_refs(state, OrderStore(ws.orders_dir))
    progress.report("store", f"the contract and agreement (REF*CT, REF*AH) of {plural(filled, 'order')} stored "
                    "before the store kept them read from their stored tables"
                    + (f"; {plural(unread, 'order')} whose table could not be read stay as they were" if unread
                       else ""))


def _stages(ws: Workspace, run_id: str, started: datetime, stages: Stages, partners: list[str] | None,
            use_gx: bool, held: lease.Lease) -> dict:
    # decide's stored lines and reservations kept for the ship stage's read of its orders', the ship stage's lines
    # for the invoice stage's (connectors.store_versions: each taken while the store's write version is the one
    # they were written at); let go after the invoice stage, but the lines, which the reconciliation takes
    # [continues] read once for the night's per-partner stages, delivery's too (outside ``keeping``, which
    # _stages_kept closes after the reconciliation: delivery scanned the partners folder again, once a partner)
    with continuations_held(ws), ExitStack() as keeping:
        return _stages_kept(ws, run_id, started, stages, partners, use_gx, held, keeping)


def _stages_kept(ws: Workspace, run_id: str, started: datetime, stages: Stages, partners: list[str] | None,
                 use_gx: bool, held: lease.Lease, keeping: ExitStack) -> dict:
    from connectors.order_store import handed_on
    from flows import shipments as shipping

    root, clock = str(ws.root), started.isoformat()
    profiles, broken = ws.partners_apart()
    chosen = [pid for pid in sorted(profiles) if not partners or pid in partners]
    unloaded = {pid: b for pid, b in broken.items() if not partners or pid in partners}
    progress.report("run", f"{run_id} started, run clock {clock}, {plural(len(chosen), 'partner')}"
                    + (f" ({plural(len(unloaded), 'other')} whose profile does not load: {', '.join(unloaded)})"
                       if unloaded else ""))
    for pid in chosen:  # a dated profile change ([[changes]]) taking effect tonight, or within a week: said
        for line in profile_changes_said(profiles[pid], started.date()):
            progress.report("run", line, partner=pid)
    results = unloaded_results(ws, unloaded, run_id, "intake")  # their failure, not the night's
    mailbox_failure = _split_mailbox(ws, profiles, run_id, started, stages, broken)
    # the tables intake stores kept in memory for decide's read of them, when both run in this process
    # (connectors.order_store.handed_on: each taken only while its file is the one written; let go after decide)
    with handed_on():
        pulled_all = _per_partner(ws, stages, "intake", chosen, clock, run_id)
        for pid in chosen:
            pulled = pulled_all[pid]
            if pulled.failure:
                res = steps.PartnerResult(partner=pid, failure="intake: " + pulled.failure)
                progress.report("intake", f"FAILED: {res.failure}", partner=pid)
            else:
                res = steps.PartnerResult(**{k: v for k, v in pulled.value.items() if k != "documents"})
                res.documents.update(pulled.value["documents"])
                progress.report("intake", _intake_line(res), partner=pid)
            results.append(res)
        results.sort(key=lambda r: r.partner)
        faults.reached("after-intake")
        held.renew()
        keeping.enter_context(store_versions.keeping())
        decided = stages.decide(root, clock, run_id, use_gx)
    availability, failure = None, ""
    if decided.failure:
        failure = "decide: " + decided.failure
        progress.report("decide", f"FAILED: {failure}")
    else:
        steps.merge_decisions(results, decided.value)
        progress.report("decide", _decide_line(decided.value))
        if missing := _stock_missing_line(decided.value):
            progress.report("stock", missing)
        if summed := _stock_summed_line(decided.value):
            progress.report("stock", summed)
        if carried := _stock_carried_line(decided.value):
            progress.report("stock", carried)
        availability = decided.value.availability  # the reports' stock table: all the night keeps of the decisions
    del decided  # their orders, allocation table and decisions (~55 MB at 200,000 lines) not held to the end
    faults.reached("after-numbering")
    held.renew()
    warehouses, invoicing, billing_failure = _ship_and_invoice(ws, stages, clock, run_id)
    # what decide and the ship stage kept let go, but the order lines (decide's, the ship and the invoice stages'):
    # the reconciliation takes them whole when they are every stored line still (StateStore.finance_lines)
    store_versions.let_go(keep=("order_lines",))
    failure = "; ".join(x for x in (mailbox_failure, failure, billing_failure) if x)
    shipping.merge_documents(results, warehouses, invoicing)
    faults.reached("after-shipping")
    held.renew()
    delivered_all = _per_partner(ws, stages, "deliver", chosen, clock, run_id)
    for res in results:
        if res.partner in unloaded:
            continue
        delivered = delivered_all[res.partner]
        if delivered.failure:
            res.failure = (res.failure + "; " if res.failure else "") + "delivery: " + delivered.failure
            progress.report("deliver", f"FAILED: {res.failure}", partner=res.partner)
        else:
            res.delivered = delivered.value
            progress.report("deliver", f"{plural(res.delivered, 'document')} sent", partner=res.partner)
    faults.reached("after-delivery")
    held.renew()
    reconciled = stages.reconcile(root, clock, run_id)
    keeping.close()  # (the lines, if the reconciliation did not take them)
    finance = {} if reconciled.failure else reconciled.value
    if reconciled.failure:
        failure = "; ".join(x for x in (failure, "reconcile: " + reconciled.failure) if x)
        progress.report("reconcile", f"FAILED: {failure}")
    faults.reached("after-reconcile")
    held.renew()
    failures = {"failure": failure, "partners": {r.partner: r.failure for r in results}}
    state = StateStore(ws.state_url)
    try:
        try:
            with timed("reports"):
                summary = steps.write_reports(ws, run_id, state=state, failures=failures,
                                              partners=sorted([*chosen, *unloaded]),
                                              availability=availability, finance=finance,
                                              handed_lines=not reconciled.failure,  # the lines it read
                                              shipping={"warehouses": warehouses, "invoicing": invoicing})
            progress.report("reports", summary["reports"]["summary_html"])
        except Exception as exc:  # noqa: BLE001 - the night's work is done and recorded; its report can be rewritten
            failure = (failure + "; " if failure else "") + f"reports: {type(exc).__name__}: {exc}"
            summary = {"run_id": run_id, "failure": failure, "reports": {},
                       "partners": [r.to_dict() | {"findings": len(r.findings)} for r in results]}
            progress.report("reports", f"FAILED: {failure} (orderbridge report --run {run_id} writes them again)")
        faults.reached("before-finish")
        failed = failure or any(r.failure for r in results) or any(w["failure"] for w in warehouses)
        state.finish_run(run_id, _wall(), summary, status="failed" if failed else "finished")
        waiting = len(state.orders(states=AWAITING_PERSON))  # held by this run or an earlier one
    finally:
        state.close()
    _prune_finance_snapshots(ws, clock)
    errors = sum(p.get("errors", 0) for p in summary["partners"])
    still = f"; {plural(waiting, 'order')} {'waits' if waiting == 1 else 'wait'} for a person (orderbridge approvals)" \
        if waiting else ""
    progress.report("run", f"{run_id} {'failed' if failed else 'finished'}: {plural(errors, 'open error')} in the "
                    f"input{still}")
    return summary


def _split_mailbox(ws: Workspace, profiles: dict[str, PartnerProfile], run_id: str, started: datetime,
                   stages: Stages | None = None, broken: dict[str, BrokenProfile] | None = None) -> str:
    """The workspace's VAN mailbox files cut into the partners' inboxes before their intake (flows.mailbox), pulled
    first from the VAN's server when workspace.toml's [mailbox] says so (a transient error retried as a stage is);
    a progress line when there were any. Its failure (the server down, a disk full, a folder we may not write) is
    the night's, said and returned, but every partner's intake still runs (what was split before it is taken; the
    rest waits)."""
    from flows import mailbox

    try:
        remote = ws.mailbox_drop.kind == "sftp"
    except ConfigError as exc:
        failure = f"mailbox: {exc} (nothing of the mailbox was taken)"
        progress.report("mailbox", f"FAILED: {failure}")
        return failure
    if not remote and not (mailbox.mailbox_root(ws) / "inbox").is_dir():
        return ""  # no mailbox in this workspace: nothing opened, nothing timed
    failures = []
    state = StateStore(ws.state_url)
    try:
        if remote:
            failures.append(_pull_mailbox(ws, state, run_id, stages))
        try:
            with timed("mailbox"):
                done = mailbox.split_mailbox(ws, profiles, state, run_id=run_id, now=started, broken=broken)
        except (OSError, OrderBridgeError) as exc:
            failure = f"mailbox: {type(exc).__name__}: {exc} (the next run splits what is left; nothing twice)"
            progress.report("mailbox", f"FAILED: {failure}")
            return "; ".join(x for x in (*failures, failure) if x)
    finally:
        state.close()
    if done.files or done.retaken or done.still_held:
        routed = ", ".join(f"{n} to {pid}" for pid, n in sorted(done.routed.items())) or "none routed"
        progress.report("mailbox", f"{plural(done.files, 'file')} split: {routed}"
                        + (f" ({plural(done.retaken, 'interchange')} held before: its partner's profile loads now)"
                           if done.retaken else "")
                        + (f"; {plural(done.unrouted, 'interchange')} no partner takes, kept in mailbox/quarantine"
                           if done.unrouted else "")
                        + (f"; {plural(done.held, 'interchange')} held for a partner whose profile does not load, in "
                           "mailbox/quarantine/held" if done.held else "")
                        + (f"; {plural(done.still_held, 'interchange')} held before still waiting for its partner's "
                           f"profile" + (f" (since {done.held_since})" if done.held_since else "")
                           if done.still_held else ""))
    return "; ".join(x for x in failures if x)


def _pull_mailbox(ws: Workspace, state: StateStore, run_id: str, stages: Stages | None) -> str:
    """The VAN's SFTP mailbox pulled into mailbox/inbox/ (flows.mailbox.pull_mailbox), retried after a transient
    error as a stage is (the pull is safe to repeat: a file taken before is not taken again); its failure said and
    returned ("" when it worked)."""
    from flows import mailbox

    delays = getattr(stages, "delays", RETRY_DELAYS)
    sleep = getattr(stages, "sleep", time.sleep)
    for attempt in range(len(delays) + 1):
        try:
            with timed("mailbox pull"):
                remote = _sftp_drop(ws.mailbox_drop.sftp, mailbox="mailbox")
                try:
                    pulled = mailbox.pull_mailbox(ws, remote, state, run_id=run_id)
                finally:
                    remote.close()
        except (OSError, OrderBridgeError) as exc:
            if is_transient(exc) and attempt < len(delays):
                sleep(delays[attempt])
                continue
            failure = (f"mailbox pull: {type(exc).__name__}: {exc} (what is on the VAN's server stays there for the "
                       "next run; nothing twice)")
            progress.report("mailbox", f"FAILED: {failure}")
            return failure
        if pulled.names or pulled.again:
            progress.report("mailbox", f"{plural(len(pulled.names), 'file')} pulled from the VAN's server"
                            + (f"; {plural(len(pulled.again), 'file')} taken before, not taken again"
                               if pulled.again else ""))
        return ""
    raise AssertionError("unreachable")


def _prune_finance_snapshots(ws: Workspace, clock: str) -> None:
    """The finance reports of runs older than workspace.toml's [reports] finance_snapshot_days removed
    (flows.reports.prune_finance_snapshots), after the run is recorded: housekeeping, which never fails
    the night (a failure is one progress line; the next night tries again)."""
    from flows.reports import prune_finance_snapshots

    try:
        days = ws.finance_snapshot_days
        pruned = prune_finance_snapshots(ws, datetime.fromisoformat(clock), days)
    except (OSError, ConfigError) as exc:
        progress.report("reports", f"old runs' finance reports not pruned: {exc}")
        return
    if pruned:
        progress.report("reports", f"the finance reports of {plural(len(pruned), 'run')} older than {days} days "
                        f"removed ({pruned[0]} .. {pruned[-1]}); the cumulative report reports/finance/ has every line")


def _per_partner(ws: Workspace, stages: Stages, stage: str, partners: list[str], clock: str,
                 run_id: str) -> dict[str, StageOutcome]:
    """One per-partner stage for every partner: one after the other here, or all at once where the
    executor can (``<stage>_many``, e.g. flows.pool: flow runs on a work pool's workers). After a
    concurrent phase the store-internal numbers its partners took (arrival, history, documents,
    findings, 860s) are put back in partner order (connectors.state_order): the state is the one a
    single process leaves, whichever partner finished first. Partners one of which carries on
    another's orders ([continues]: B's 860 applied to A's order, A's documents numbered in B's
    sequence and written to B's outbox) are handed to the executor as a chain (``chains=``, chained)
    that it runs one after the other in partner order, as this process does: run side by side, B's
    860 could be read before A's 850 of the same night was stored (then waiting, or left B's) and
    A's and B's documents numbered in another order."""
    root = str(ws.root)
    many = getattr(stages, f"{stage}_many", None)
    if many is None:
        return {pid: getattr(stages, stage)(root, pid, clock, run_id) for pid in partners}
    from connectors import state_order

    profiles = ws.runnable_partners()
    state = StateStore(ws.state_url)
    try:
        busy = [pid for pid in partners if _has_work(ws, state, stage, profiles[pid])]
        if len(busy) < len(partners):
            progress.report(stage, f"{plural(len(partners) - len(busy), 'partner')} with nothing to "
                            f"{stage} ({', '.join(p for p in partners if p not in busy)}): done here")
        phase = f"{run_id}:{stage}"
        before = state_order.mark(state, phase)  # kept in the store: a resumed run orders what a killed one took
        chains = [c for c in chained(busy, ws.continuations()) if len(c) > 1]
        if chains:
            progress.report(stage, "one after the other, as one carries on the other's orders ([continues]): "
                            + "; ".join(" then ".join(c) for c in chains))
        outcomes = (many(root, busy, clock, run_id, **({"chains": chains} if chains else {})) if busy else {})
        moved = state_order.put_in_partner_order(state, before, partners, phase)
    finally:
        state.close()
    if any(moved.values()):
        progress.report(stage, "numbers put back in partner order: " + ", ".join(
            f"{n:,} {seq}" for seq, n in sorted(moved.items()) if n))
    return {pid: outcomes[pid] if pid in outcomes else _idle(stage, pid) for pid in partners}


def chained(partners: list[str], continuations: dict[str, tuple[str, date]]) -> list[list[str]]:
    """``partners`` as the chains a concurrent phase must run each one after the other: the partners linked by
    [continues] (``continuations``: B -> (A, effective), Workspace.continuations; whatever the date: a
    continuation that takes effect during the phase is one as well) in one chain, in ``partners``' order; every
    other partner a chain of its own. Chains in the order of their first partner."""
    index = {pid: i for i, pid in enumerate(partners)}
    root = {pid: pid for pid in partners}

    def find(pid: str) -> str:
        while root[pid] != pid:
            root[pid] = root[root[pid]]
            pid = root[pid]
        return pid

    for b, (a, _effective) in continuations.items():
        if b in root and a in root:
            ra, rb = find(a), find(b)
            if ra != rb:
                root[max(ra, rb, key=index.__getitem__)] = min(ra, rb, key=index.__getitem__)
    out: dict[str, list[str]] = {}
    for pid in partners:
        out.setdefault(find(pid), []).append(pid)
    return list(out.values())


def _idle(stage: str, pid: str) -> StageOutcome:
    """What the stage body returns for a partner with nothing to do (``_has_work``)."""
    return StageOutcome(steps.PartnerResult(partner=pid).to_dict() if stage == "intake" else 0)


def _has_work(ws: Workspace, state: StateStore, stage: str, profile: PartnerProfile) -> bool:
    """Whether the partner's ``stage`` ("intake" or "deliver") could do or record anything, decided
    cheaply in the run's process, so that an executor starting a process per partner (flows.pool) is
    given only those that could. False only when the stage body is known to return its empty value
    (intake: no file, no finding; deliver: 0) and leave nothing but the local drop's folders (made
    here by its LocalDrop): no temporary file of ours to remove (archive, processed, quarantine;
    outbox) and, for intake, nothing at all in the inbox (a file still settling, a name refused: work),
    for delivery no document pending or held. An SFTP drop always has work: its stage connects (and
    reports a server that is down) whatever waits."""
    if profile.drop.kind != "local":
        return True
    if stage == "deliver" and state.has_pending(profile.id, held=True):
        return True
    try:
        drop = steps.local_drops(ws)(profile)  # makes the drop's folders, as the stage's drop would
        if stage == "deliver":
            return bool(drop.temporaries("outbox"))
        return any(drop.temporaries(folder) for folder in ("archive", "processed", "quarantine")) or \
            not drop.is_empty("inbox")
    except OSError:  # the stage reports what is wrong with the drop
        return True


def _ship_and_invoice(ws: Workspace, stages: Stages, clock: str, run_id: str) -> tuple[list[dict], dict, str]:
    """The fulfilment stage: each warehouse's confirmations, then the invoicing. A failed warehouse is
    reported in its result; the others and invoicing go on. (warehouses, invoicing, failure)."""
    from flows import shipments as shipping

    # the stored order rows the ship stage reads kept for the invoice stage's read of the same orders, when both run
    # in this process (flows.shipments.kept_for_invoicing: each taken only while its files are the ones read)
    with shipping.kept_for_invoicing(), store_versions.keeping():  # (and the lines the ship stage writes, by version)
        return _ship_then_invoice(ws, stages, clock, run_id)


def _ship_then_invoice(ws: Workspace, stages: Stages, clock: str, run_id: str) -> tuple[list[dict], dict, str]:
    from flows import shipments as shipping

    root, warehouses = str(ws.root), []
    for wid in sorted(ws.warehouses()):
        shipped = stages.ship(root, wid, clock, run_id)
        if shipped.failure:
            warehouses.append(shipping.WarehouseResult(warehouse=wid, failure="shipments: " + shipped.failure)
                              .to_dict())
            progress.report("ship", f"FAILED: {warehouses[-1]['failure']}", partner=wid)
        else:
            warehouses.append(shipped.value)
            progress.report("ship", _ship_line(shipped.value), partner=wid)
    for wid, waiting in ws.warehouse_drops_without_profile().items():  # read by no warehouse: said, never skipped
        warehouses.append(shipping.WarehouseResult(warehouse=wid, failure=(
            f"shipments: {ws.warehouses_dir / f'{wid}.toml'} does not exist, and {waiting} file(s) wait in "
            f"{ws.warehouse_drop_root / wid / 'inbox'}: nothing of them read (add the warehouse's profile, "
            "docs/onboarding.md, or move them to the inbox of the warehouse that sent them)")).to_dict())
        progress.report("ship", f"FAILED: {warehouses[-1]['failure']}", partner=wid)
    warehouses.sort(key=lambda w: w["warehouse"])
    invoiced = stages.invoice(root, clock, run_id)
    if invoiced.failure:
        failure = "invoicing: " + invoiced.failure
        progress.report("invoice", f"FAILED: {failure}")
        return warehouses, shipping.InvoiceResult().to_dict(), failure
    billing = invoiced.value
    memo = (f"{plural(billing['on_memo'], 'order')} shipped on memo (no 810 by agreement), "
            if billing.get("on_memo") else "")
    progress.report("invoice", f"{plural(billing['invoices'], 'invoice')} (810), "
                    f"{plural(billing['closed'], 'order')} closed, {memo}{plural(billing['errors'], 'error')}")
    return warehouses, billing, ""


def run_shipments(workspace: str, *, stages: Stages, now: str | None = None, wait: float = 0.0) -> dict:
    """Between nights: the warehouses' shipment confirmations -> 856s, then the 810s due, delivered at
    once, and the run's reports, under the workspace lease (WorkspaceBusy when a night or another
    shipments run holds it after ``wait`` seconds). Quick when nothing waits (no run is recorded then).
    Says what it did after each stage (flows.progress)."""
    from flows import shipments as shipping

    progress.to_stderr()
    ws = open_workspace(workspace)
    with lease.acquire(ws.root, "shipments", wait=wait) as held, survivors_frozen(), \
            continuations_held(ws):  # as run_night's stages
        recovery.require_state(ws)
        check_state(ws)
        started = datetime.fromisoformat(now) if now else datetime.now().replace(microsecond=0)
        ws = ws.on(started)  # its profiles as of the run's clock
        clock = started.isoformat()
        profiles, broken = ws.partners_apart()
        state = StateStore(ws.state_url)
        try:
            if not shipping.work_waiting(ws, state, profiles,
                                         open_drop=lambda w: open_warehouse_drop(str(ws.root), w)):
                unread = "".join(f"; {n} file(s) wait in {ws.warehouse_drop_root / wid / 'inbox'}, which no warehouse "
                                 f"profile names ({ws.warehouses_dir / f'{wid}.toml'} does not exist): none is read"
                                 for wid, n in ws.warehouse_drops_without_profile().items())
                return {"run_id": "", "started": clock, "skipped": "no confirmation or invoice waiting" + unread}
            recovery.close_crashed_runs(ws, state, at=_wall())
            run_id = steps.run_id_for(started, ws, state, kind="shipments")
            state.start_run(run_id, _wall(), kind="shipments", clock=clock)
        finally:
            state.close()
        held.renew(note=f"shipments {run_id}", run_id=run_id)
        progress.report("run", f"{run_id} (shipments) started, run clock {clock}")
        warehouses, invoicing, failure = _ship_and_invoice(ws, stages, clock, run_id)
        # a partner whose profile does not load: its failure (nothing of it delivered, its confirmations wait)
        results = sorted([*(steps.PartnerResult(partner=pid) for pid in profiles),
                          *unloaded_results(ws, broken, run_id, "shipments", shown_as="deliver")],
                         key=lambda r: r.partner)
        shipping.merge_documents(results, warehouses, invoicing)
        held.renew()
        state = StateStore(ws.state_url)
        try:
            pending = {pid for pid in profiles if state.has_pending(pid)}
        finally:
            state.close()
        delivered_all = _per_partner(ws, stages, "deliver", [r.partner for r in results if r.partner in pending],
                                     clock, run_id)
        for res in results:
            if res.partner not in pending:
                continue
            delivered = delivered_all[res.partner]
            if delivered.failure:
                res.failure = "delivery: " + delivered.failure
                progress.report("deliver", f"FAILED: {res.failure}", partner=res.partner)
            else:
                res.delivered = delivered.value
                progress.report("deliver", f"{plural(res.delivered, 'document')} sent", partner=res.partner)
        held.renew()
        failures = {"failure": failure, "partners": {r.partner: r.failure for r in results}}
        state = StateStore(ws.state_url)
        try:
            try:
                summary = steps.write_reports(ws, run_id, state=state, failures=failures,
                                              partners=sorted([*profiles, *broken]),
                                              shipping={"warehouses": warehouses, "invoicing": invoicing})
                progress.report("reports", summary["reports"]["summary_html"])
            except Exception as exc:  # noqa: BLE001 - the work is done and recorded; its report can be rewritten
                failure = (failure + "; " if failure else "") + f"reports: {type(exc).__name__}: {exc}"
                summary = {"run_id": run_id, "failure": failure, "reports": {}, "warehouses": warehouses,
                           "invoicing": invoicing,
                           "partners": [r.to_dict() | {"findings": len(r.findings)} for r in results]}
                progress.report("reports", f"FAILED: {failure} (orderbridge report --run {run_id} writes them again)")
            failed = failure or any(r.failure for r in results) or any(w["failure"] for w in warehouses)
            state.finish_run(run_id, _wall(), summary, status="failed" if failed else "finished")
        finally:
            state.close()
        progress.report("run", f"{run_id} (shipments) {'failed' if failed else 'finished'}")
        return summary


UNLOADED = "nothing of the partner taken, answered or sent: its files wait in its drop until its profile loads"


CHANGE_NOTICE_DAYS = 7  # a dated profile change is said in each night's progress from this many days before it


def profile_changes_said(profile: PartnerProfile, day) -> list[str]:
    """What a night on ``day`` says of the partner's dated profile changes ([[changes]]): the one that takes effect
    that night (its keys: the run answers by them from now on), the next one within CHANGE_NOTICE_DAYS."""
    out = []
    if profile.effective == day:
        change = next(c for c in profile.changes if c.effective == day)
        out.append(f"profile change effective {day.isoformat()} in effect from this night: {', '.join(change.keys())}"
                   + (f" ({change.note})" if change.note else ""))
    coming = profile.next_change(day)
    if coming is not None and (coming.effective - day).days <= CHANGE_NOTICE_DAYS:
        out.append(f"profile change effective {coming.effective.isoformat()} in "
                   f"{plural((coming.effective - day).days, 'day')}: {', '.join(coming.keys())}")
    return out


def unloaded_results(ws: Workspace, broken: dict[str, BrokenProfile], run_id: str, stage: str, *,
                     shown_as: str = "") -> list[steps.PartnerResult]:
    """Each partner whose profile does not load as a failed partner of the run: its summary row (its
    failure), its PROFILE_NOT_LOADED finding (record_unloaded) and its progress line (under ``shown_as``,
    default ``stage``). Its files wait in its drop."""
    record_unloaded(ws, broken, run_id, stage)
    for pid, b in broken.items():
        progress.report(shown_as or stage, f"FAILED: {b.failure}", partner=pid)
    return [steps.PartnerResult(partner=pid, failure=b.failure) for pid, b in broken.items()]


def record_unloaded(ws: Workspace, broken: dict[str, BrokenProfile], run_id: str, stage: str) -> None:
    """The run's PROFILE_NOT_LOADED finding for each partner whose profile does not load (its row in the
    failures report, beside its failure in the summary), recorded again by every run while it does not."""
    if not broken:
        return
    from schemas.lifecycle import FindingRecord, Plan

    state = StateStore(ws.state_url)
    try:
        state.apply(Plan(findings=tuple(FindingRecord(b.finding(), pid, "", UNLOADED, stage)
                                        for pid, b in sorted(broken.items()))), run_id=run_id)
    finally:
        state.close()


def _ship_line(w: dict) -> str:
    return (f"{plural(w['files'], 'confirmation file')} ({w['quarantined']:,} quarantined, "
            f"{plural(w['duplicates'], 'duplicate')}), {plural(w['shipments'], 'shipment')} recorded with "
            f"{'its' if w['shipments'] == 1 else 'their'} 856, {w['held']:,} held, {w['late']:,} 856 late, "
            + (f"{w['acknowledgments']:,} 997/TA1 sent, " if w.get("acknowledgments") else "")
            + plural(w['errors'], 'error'))


def _intake_line(res: steps.PartnerResult) -> str:
    docs = sum(res.documents.values())
    return (f"{plural(res.files, 'file')} ({res.processed:,} processed, {res.quarantined:,} quarantined, "
            f"{plural(res.duplicates, 'duplicate')}), {plural(res.orders, 'PO')} read, "
            f"{plural(docs, 'acknowledgment')} created, {plural(res.errors, 'file/envelope/syntax error')}; "
            "business rules run at decide")  # intake's own count: a file of 10,000 unknown items is 0 here


def _decide_line(run: steps.RunDecision) -> str:
    from engine.decide import ACCEPTED, PENDING, REJECTED

    # as the plan left each order (after allocation), not the rules' verdict
    outcomes = Counter(run.outcomes.get((d.partner, d.po_number), d.status) for d in run.decisions)
    docs = sum(run.documents.values())
    return (f"{plural(len(run.decisions), 'order')} decided ({outcomes[ACCEPTED]:,} acknowledged, "
            f"{outcomes[PENDING]:,} held, {outcomes[REJECTED]:,} rejected), {plural(docs, 'document')} created"
            + (_stock_said(run) if run.decisions and run.stock_as_of else ""))


def _stock_missing_line(run: steps.RunDecision) -> str:
    """The stock warehouses a warehouse profile ships from of which the run's snapshot held no row (a DC's export not
    loaded for the day: each DC's file loads apart), said after the decide line; "" when none (nothing said)."""
    if not (missing := run.stock_missing) or not run.decisions:
        return ""
    return (f"no stock of {', '.join(missing)} in the snapshot of {run.stock_as_of.isoformat()} (a warehouse profile "
            f"ships from {'it' if len(missing) == 1 else 'them'}: its export was not loaded for the day, so nothing "
            "there was allocated; orderbridge inventory load)")


def _stock_carried_line(run: steps.RunDecision) -> str:
    """The stock warehouses missing from the run's snapshot (their export not loaded for the day) allocated from
    their last stock loaded, each with its day (flows.decide.load_inventory); "" when none."""
    if not (carried := run.stock_carried) or not run.decisions:
        return ""
    said = ", ".join(f"{where}'s of {day.isoformat()}" for where, day in carried)
    return (f"no stock of {', '.join(w for w, _d in carried)} in the snapshot of {run.stock_as_of.isoformat()} (its "
            f"export was not loaded for the day): allocated from its last stock loaded, {said}, less what shipped "
            "since; load the day's export (orderbridge inventory load)")


def _stock_summed_line(run: steps.RunDecision) -> str:
    """The snapshot's rows of one (warehouse, sku) written more than once (a partition written by hand, a file left
    beside the loader's), summed as lots: each named with its file and quantities; "" when none."""
    if not (rows := run.stock_summed):
        return ""
    cells: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
    for file, where, sku, on_hand, reserved in rows:
        cells.setdefault((where, sku), []).append((file, on_hand, reserved))
    said = "; ".join(f"{where} {sku}: " + " + ".join(f"{file} {on} on hand {res} reserved" for file, on, res in cell)
                     for (where, sku), cell in cells.items())
    return (f"{plural(len(cells), 'warehouse item')} written in more than one row in the snapshot of "
            f"{run.stock_as_of.isoformat()}, summed as lots ({said}): a row written twice counts its stock twice, "
            "fix the file and load the day again (orderbridge inventory load)")


def _stock_said(run: steps.RunDecision) -> str:
    """The stock the orders were allocated from: its snapshot's day; one older than the day before the run's says
    so (nothing else did: a snapshot loaded a week ago still promised what it counted then)."""
    said = f", from the stock as of {run.stock_as_of.isoformat()}"
    if run.stock_days_old > 1:
        said += (f" ({run.stock_days_old} days before the run: no newer snapshot was loaded, "
                 "orderbridge inventory load)")
    if late := run.receipts_past_due:  # promised from the run's day: the 855 claims no past day, ops see the delay
        named = ", ".join(f"{q} of {sku} at {where} due {eta.isoformat()}" for q, sku, where, eta in late[:5])
        said += (f"; {plural(len(late), 'expected receipt')} past due, promised from "
                 f"{(run.stock_as_of + timedelta(days=run.stock_days_old)).isoformat()}: {named}"
                 f"{' ...' if len(late) > 5 else ''}")
    return said
