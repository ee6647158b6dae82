"""`orderbridge recheck`: the rules again, for orders held for a person, against today's reference
data (after a missing customer, ship-to or price row was added), and releases against their blankets as they are
now (a blanket an 860 raised). What happens to each order is
engine.lifecycle.plan_recheck's: still held (reasons refreshed) or cleared, and the next run
answers a cleared order. Recorded as a run of kind "recheck"; its times are the wall clock. The orders: every held
one, one PO, or those a person picked (``keys``: `recheck PO...`, `recheck --all-held --held-for CODE`); a dry run
runs the rules and records nothing."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime

from connectors.order_store import OrderStore
from connectors.state import StateStore
from engine import lifecycle
from engine.decide import decide_within_limits
from flows.decide import decided_with_releases, deciding_sacs, release_checker, rule_settings
from flows.workspace import Workspace
from schemas.findings import Finding
from schemas.lifecycle import RULED_STAGES, OrderRecord, Plan


@dataclass(frozen=True, slots=True)
class Rechecked:
    before: OrderRecord
    after: OrderRecord


def recheck_held(ws: Workspace, state: StateStore, *, po: str | None = None, partner: str | None = None,
                 keys: Collection[tuple[str, str]] | None = None, by: str, at: datetime,
                 today: datetime | None = None, dry_run: bool = False) -> list[Rechecked]:
    """Re-run the rules (plain rules, no GX Data Docs) for held orders (all, one PO, or those of ``keys``:
    (partner, PO number) pairs; one not held, or of a partner whose profile does not load, is left out); ``at`` is
    the wall clock of the action, ``today`` the rules' date (default: ``at``). ``dry_run``: what each would come to
    (``after``), nothing recorded."""
    from connectors.reference import load_reference
    from engine.csv_findings import csv_layouts, csv_located
    from rules.suite import owners_of, run_suite

    # the profiles as of the rules' date ([[changes]]); a partner whose profile does not load: its held orders wait
    profiles = ws.on(today or at).runnable_partners()
    # (not a release held since the buyer cancelled its blanket: a person's call alone)
    chosen = [r for r in lifecycle.to_recheck(lifecycle.held(state.orders(states=lifecycle.AWAITING_PERSON), profiles))
              if (po is None or r.po_number == po) and (partner is None or r.partner == partner)
              and (keys is None or r.key in keys)]
    if not chosen:
        return []
    run_id = f"recheck-{at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"  # a person may recheck twice a second
    if not dry_run:
        state.start_run(run_id, at.isoformat(), kind="recheck", clock=(today or at).isoformat())
    store = OrderStore(ws.orders_dir)
    tables = {(p, k): store.load(p, k) for p, k in lifecycle.table_keys(chosen)}
    orders, lines = lifecycle.current_tables(chosen, tables)
    ref, settings, day = load_reference(ws.reference_dir), rule_settings(profiles), (today or at).date()
    policies = {pid: p.rules.outcomes for pid, p in profiles.items()}
    suite = run_suite(orders, lines, ref, settings, today=day, sacs=deciding_sacs(store, chosen, state),
                      open_orders=state.order_values(lifecycle.OPEN, by_currency=True), use_gx=False,
                      suites={pid: p.rule_suites for pid, p in profiles.items()}, policies=policies)
    layouts, owners = csv_layouts(profiles), owners_of(orders, lines)

    def weighed(found: list[Finding]) -> list[Finding]:  # a CSV order's at its row and column, in its layout's names
        return csv_located(found, lines, layouts, owners) if found else found

    suite = replace(suite, findings=weighed(suite.findings))
    # a release against its blanket as the store holds it now (an 860 may have raised it since it was held), and
    # the releases rechecked together drawing as this recheck decides them, as decide does (one path)
    check = release_checker(ws, state, ref, profiles, settings, orders, lines, chosen)
    decisions, findings = decided_with_releases(
        lambda told: decide_within_limits(orders, suite.lines, [*suite.findings, *told], ref, settings,
                                          policies=policies), check, weighed, len(chosen))
    suite = replace(suite, findings=findings)
    records = {r.key: r for r in chosen}
    plan = lifecycle.plan_recheck(records, decisions, at=at.isoformat(), by=by, run_id=run_id)
    plan += Plan(findings=lifecycle.decision_findings(suite.findings, decisions, orders, suite.lines,
                                                      stage="recheck"))
    # what the order's findings said when it was held (and rechecked before) is not recorded again
    plan = lifecycle.said_once(plan, state.said_findings(records, RULED_STAGES))
    if not dry_run:
        state.apply(plan, at=at.isoformat(), run_id=run_id)
        state.finish_run(run_id, at.isoformat(), {"rechecked": len(chosen)})
    after = {t.record.key: t.record for t in plan.transitions}
    return [Rechecked(r, after.get(r.key, r)) for r in chosen]
