"""Stage 2, once per run: apply 860s, business rules (GX once), decisions, allocation, 855/865s,
order states, line statuses and reservations."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

import pyarrow as pa

from connectors.order_store import OrderStore
from connectors.state import StateStore
from engine.answer import allocation_input, line_statuses, order_value, status_from_row, tells_something_new
from engine.decide import PENDING, REJECTED, OrderDecision, PersonDecision, decide
from engine.po_ack import _num, build_855
from engine.process import OutDoc
from flows.documents import _store
from flows.workspace import Workspace
from schemas.findings import Finding
from schemas.orders import ORDER_LINES, ORDERS
from schemas.profile import PartnerProfile
from schemas.reference import ReferenceData
from schemas.rule_settings import RuleSettings


# --- stage 2: decide, allocate, answer -----------------------------------------------------------------
@dataclass
class Inventory:
    snapshot: pa.Table
    receipts: pa.Table
    as_of: date


@dataclass
class RunDecision:
    decisions: list[OrderDecision] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    orders: pa.Table = field(default_factory=ORDERS.empty_table)
    allocation: pa.Table | None = None
    availability: pa.Table | None = None
    documents: Counter = field(default_factory=Counter)
    gx_docs: str = ""
    gx_note: str = ""


UNDECIDED = ("received", "approved", "rejected_by_person")


def rule_settings(profiles: dict[str, PartnerProfile]) -> RuleSettings:
    return RuleSettings(partners={pid: p.rules.overrides() for pid, p in profiles.items()})


def decide_run(ws: Workspace, profiles: dict[str, PartnerProfile], state: StateStore, ref: ReferenceData,
               inventory: Inventory, *, now: datetime, run_id: str, use_gx: bool = True) -> RunDecision:
    """Business rules over every undecided order, decisions (holds wait for a person), allocation of
    what was accepted, one 855 per decided order; order states, line statuses and reservations stored
    in the same transaction as the 855s."""
    from engine.allocate import allocate
    from rules.suite import run_suite
    from schemas.inventory import RESERVATIONS

    store = OrderStore(ws.orders_dir)
    out = RunDecision()
    apply_pending_changes(state, store, profiles, out, now=now, run_id=run_id)
    live = [o for o in state.orders() if o["state"] in UNDECIDED and o["partner"] in profiles]
    if not live:
        return out
    order_parts, line_parts, arrival, people = [], [], {}, {}
    by_file: dict[tuple[str, str], list[str]] = {}  # (partner, stored tables key) -> order refs
    for o in live:
        by_file.setdefault((o["partner"], o["detail"]["lines_key"]), []).append(o["detail"]["order_ref"])
        arrival[(o["partner"], o["po_number"])] = o["detail"].get("arrival", 0)
        if o["state"] in ("approved", "rejected_by_person"):
            d = o["detail"]
            people[(o["partner"], o["po_number"])] = PersonDecision(
                "approved" if o["state"] == "approved" else "rejected", d.get("decided_by", ""),
                d.get("decision_note", ""))
    for (partner, key), refs in by_file.items():  # each stored file is read once, whatever its size
        orders, lines = store.load(partner, key)
        wanted = pa.array(refs, pa.string())
        order_parts.append(orders.filter(pa.compute.is_in(orders["order_ref"], value_set=wanted)))
        line_parts.append(lines.filter(pa.compute.is_in(lines["order_ref"], value_set=wanted)))
    orders = pa.concat_tables(order_parts)
    lines = pa.concat_tables(line_parts)
    settings = rule_settings(profiles)
    docs_dir = ws.reports_dir / run_id / "gx-docs"
    suite = run_suite(orders, lines, ref, settings, today=now.date(), open_orders=_open_orders(state),
                      use_gx=use_gx, docs_dir=docs_dir if use_gx else None,
                      suites={pid: p.rule_suites for pid, p in profiles.items()})
    out.findings, out.orders = suite.findings, orders
    out.gx_docs = str(suite.gx_docs_index or "")
    out.gx_note = suite.gx_docs_error or ""
    policies = {pid: p.rules.outcomes for pid, p in profiles.items()}
    decisions = decide(orders, suite.lines, suite.findings, ref, settings, policies=policies, people=people)
    out.decisions = decisions
    changed = {(o["partner"], o["po_number"]): set(o["detail"]["changed_lines"]) for o in live
               if o["detail"].get("changed_lines") is not None}
    alloc_in = allocation_input(decisions, suite.lines, orders, arrival, only=changed)
    reserved = pa.Table.from_pylist(state.reservations(), schema=RESERVATIONS)
    result = allocate(alloc_in, inventory.snapshot, inventory.receipts,
                      {pid: p.allocation for pid, p in profiles.items()}, reservations=reserved, today=now.date())
    out.allocation, out.availability = result.lines, result.availability
    order_rows = {(r["partner"], r["po_number"]): r for r in orders.to_pylist()}
    line_rows: dict[tuple[str, str], list[dict]] = {}
    for r in suite.lines.to_pylist():
        line_rows.setdefault((r["partner"], r["po_number"]), []).append(r)
    allocated: dict[str, list[dict]] = {}
    for r in result.lines.to_pylist():  # grouped once: per-order filtering would be quadratic
        allocated.setdefault(r["order_ref"], []).append(r)
    lines_key_of = {(o["partner"], o["po_number"]): o["detail"]["lines_key"] for o in live}
    at = now.isoformat()
    with state.transaction():
        for d in decisions:
            profile = profiles[d.partner]
            key = (d.partner, d.po_number)
            if d.status == PENDING:
                state.upsert_order(d.partner, d.po_number, PENDING, at,
                                   detail={"hold_codes": list(d.codes), "hold_reasons": list(d.reasons)},
                                   note="held: " + "; ".join(d.reasons)[:500])
                continue
            order, rows = order_rows[key], sorted(line_rows.get(key, []), key=lambda r: r["line_number"])
            mine = allocated.get(f"{d.partner}|{d.po_number}", [])
            statuses = line_statuses(d, mine, requested_ship=order.get("requested_ship_date"), today=now.date())
            revision = key in changed
            kept = {}
            if revision:  # unchanged lines of a changed order keep their status and reservations
                kept = {r["line_number"]: r for r in state.line_status(d.partner, d.po_number)}
                ship = max(order.get("requested_ship_date") or now.date(), now.date())
                statuses = [s_ if s_.line_number in changed[key] or s_.line_number not in kept
                            else status_from_row(kept[s_.line_number], s_.ordered, ship) for s_ in statuses]
            ack_type = ""
            # an 865 answered the change itself; a revised 855 follows only when the re-decided
            # changed lines are not simply accepted as asked (our price, backorder, rejection ...)
            surprise = revision and any(tells_something_new(s_, kept.get(s_.line_number)) for s_ in statuses
                                        if s_.line_number in changed[key])
            if "855" in profile.receives and (not revision or profile.change_ack == "855" or surprise):
                body = build_855(order, rows, [s.ack for s in statuses], today=now.date(),
                                 purpose="05" if revision else "00")
                doc = OutDoc("855", f"855:{d.po_number}:{lines_key_of[key]}:{d.order_ref}", functional_id="PR",
                             bodies=(tuple(body),), po_numbers=(d.po_number,))
                if _store(state, profile, doc, now=now, run_id=run_id, source_sha256=order["source_sha256"],
                          held=out.findings, source_file=order["source_file"]):
                    out.documents[(d.partner, "855")] += 1
                ack_type = body[0][2]
            final = "rejected" if d.status == REJECTED else "acknowledged"
            state.upsert_order(d.partner, d.po_number, final, at, actor=d.decided_by or "system",
                               detail={"ack_type": ack_type, "codes": list(d.codes), "changed_lines": None,
                                       "value": order_value(statuses, rows, d) if final == "acknowledged" else "0"},
                               note=f"855 {ack_type}" + (f"; {d.reasons[0]}" if d.reasons else ""))
            by_line = {r["line_number"]: r for r in rows}
            state.replace_line_status(d.partner, d.po_number, [
                {"line_number": s.line_number, "line_id": by_line[s.line_number]["line_id"],
                 "ack": "+".join(s.ack.statuses()), "ordered": _num(s.ordered) if s.ordered is not None else None,
                 "allocated": s.allocated, "backordered": s.backordered, "rejected": s.rejected,
                 "promised_date": s.promised_date.isoformat() if s.promised_date else None,
                 "warehouses": s.warehouses, "reason": s.reason,
                 "codes": ",".join(next((ld.codes for ld in d.lines if ld.line_number == s.line_number), ()))}
                for s in statuses], run_id)
            keep = [r for r in state.order_reservations(d.partner, d.po_number)
                    if revision and r["line_number"] not in changed[key]]
            state.replace_reservations(d.partner, d.po_number, keep + [
                {"line_number": r["line_number"], "warehouse": r["warehouse"], "sku": r["sku"],
                 "quantity": r["allocated"]} for r in mine if r["warehouse"] and r["allocated"]], run_id)
    return out


def apply_pending_changes(state: StateStore, store: OrderStore, profiles: dict[str, PartnerProfile],
                          out: RunDecision, *, now: datetime, run_id: str) -> None:
    """Apply every pending 860 to its live order: answer it (865), store the changed order as a new
    version to be re-decided, release the reservations of changed, deleted or cancelled lines."""
    from engine.changes import apply_changes
    from engine.po_change_ack import build_865

    at = now.isoformat()
    for ch in state.pending_changes():
        profile = profiles.get(ch["partner"])
        if profile is None:
            continue
        headers, changes = store.load_changes(ch["partner"], ch["store_key"])
        header = next(h for h in headers.to_pylist() if h["change_ref"] == ch["change_ref"])
        live = state.order(ch["partner"], ch["po_number"])
        order_row, lines = None, ORDER_LINES.empty_table()
        if live and live["state"] not in ("cancelled", "rejected"):
            orders, all_lines = store.load(ch["partner"], live["detail"]["lines_key"])
            ref_ = live["detail"]["order_ref"]
            order_row = orders.filter(pa.compute.equal(orders["order_ref"], ref_)).to_pylist()[0]
            lines = all_lines.filter(pa.compute.equal(all_lines["order_ref"], ref_))
        result = apply_changes(order_row, lines, header, changes, shipped=bool(live and live["state"] == "shipped"))
        out.findings.extend(result.findings)
        with state.transaction():
            if "865" in profile.receives and (profile.change_ack == "865" or result.rejected or result.cancelled):
                body = build_865(header, result, today=now.date())
                doc = OutDoc("865", f"865:{ch['store_key']}:{ch['change_ref']}", functional_id="CA",
                             bodies=(tuple(body),), po_numbers=(ch["po_number"],))
                if _store(state, profile, doc, now=now, run_id=run_id, source_sha256=ch["store_key"],
                          held=out.findings, source_file=ch["source_file"] or ""):
                    out.documents[(ch["partner"], "865")] += 1
            status = "rejected" if result.rejected else "applied"
            if live and not result.rejected:
                touched = set(result.changed_line_numbers) | set(result.deleted_line_numbers)
                if result.cancelled:
                    state.replace_reservations(ch["partner"], ch["po_number"], [], run_id)
                    state.replace_line_status(ch["partner"], ch["po_number"], [
                        {**r, "ack": "ID", "allocated": 0, "backordered": 0, "rejected": 0, "promised_date": None,
                         "warehouses": "", "reason": f"cancelled by 860 in {ch['source_file']}"}
                        for r in state.line_status(ch["partner"], ch["po_number"])], run_id)
                    state.upsert_order(ch["partner"], ch["po_number"], "cancelled", at,
                                       note=f"cancelled by 860 in {ch['source_file']}")
                elif touched:
                    key = f"{ch['store_key']}-{ch['change_ref']}"
                    order_table = pa.Table.from_pylist([order_row], schema=ORDERS)
                    store.save(ch["partner"], key, order_table, result.new_lines)
                    keep = [r for r in state.order_reservations(ch["partner"], ch["po_number"])
                            if r["line_number"] not in touched]
                    state.replace_reservations(ch["partner"], ch["po_number"], keep, run_id)
                    answered = live["state"] == "acknowledged"  # else: not answered yet, decide it whole
                    state.upsert_order(ch["partner"], ch["po_number"], "received" if answered else live["state"], at,
                                       detail={"lines_key": key, "change_file": ch["source_file"],
                                               "changed_lines": sorted(touched) if answered else None},
                                       note=f"changed by 860 in {ch['source_file']}: lines {sorted(touched)}")
            state.finish_change(ch["id"], status)


def _open_orders(state: StateStore) -> dict:
    """Value of acknowledged, not yet invoiced orders per partner (credit exposure)."""
    from decimal import Decimal

    totals: dict[str, Decimal] = {}
    for o in state.orders(state="acknowledged"):
        totals[o["partner"]] = totals.get(o["partner"], Decimal(0)) + Decimal(o["detail"].get("value", "0"))
    return totals


def load_inventory(ws: Workspace, today: date) -> Inventory:
    """The newest snapshot on or before ``today`` and the expected receipts (flows pick; engine never does)."""
    from connectors.snapshots import latest_as_of, load_receipts, load_snapshot

    root = ws.inventory_dir
    as_of = latest_as_of(root / "snapshots", on_or_before=today)
    return Inventory(load_snapshot(root / "snapshots", as_of), load_receipts(root / "receipts.parquet"), as_of)
