"""The nightly job's stages as plain functions (no prefect here, so they test fast):

  intake_partner   per partner: archive, parse, check syntax, answer 997/TA1, store canonical orders
  decide_run       once per run: business rules (GX once), decisions, approvals, allocation, 855s
  deliver_partner  per partner: write pending documents to the outbox
  write_reports    the run summary, the ops failure report (HTML + CSV), allocation tables

Each stage is a few calls into connectors/, rules/ and engine/; numbering and storing documents,
and the order-state changes that go with them, happen in one state-store transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.base import FileDrop, is_safe_name
from connectors.local import LocalDrop
from connectors.order_store import OrderStore
from connectors.state import StateStore
from engine.answer import allocation_input, line_statuses, status_from_row
from engine.decide import ACCEPTED, PENDING, REJECTED, OrderDecision, PersonDecision, decide
from engine.envelope import envelope_for, wrap, wrap_ta1
from engine.po_ack import _num, build_855
from engine.process import Known, Outcome, OutDoc, process_file
from engine.report_failures import neutralise_cell, render_failure_report
from flows.workspace import Workspace
from schemas.errors import TransientError
from schemas.findings import Finding, finding
from schemas.orders import ORDER_LINES, ORDERS
from schemas.profile import PartnerProfile
from schemas.reference import ReferenceData
from schemas.rule_settings import RuleSettings

ARRIVAL = ("_orderbridge", "ARRIVAL")  # a counter in the control-number table: order of arrival
REPLACE, CANCEL, CONFIRM = "05", "01", "06"


@dataclass
class PartnerResult:
    partner: str
    files: int = 0
    processed: int = 0
    quarantined: int = 0
    duplicates: int = 0
    orders: int = 0
    documents: Counter = field(default_factory=Counter)
    delivered: int = 0
    errors: int = 0
    warnings: int = 0
    accepted: int = 0
    held: int = 0
    rejected: int = 0
    findings: list[dict] = field(default_factory=list)
    failure: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["documents"] = dict(self.documents)
        return d


DropFactory = Callable[[PartnerProfile], FileDrop]


def local_drops(ws: Workspace) -> DropFactory:
    return lambda profile: LocalDrop(ws.drop_root / profile.id)


def known_state(state: StateStore, partner: str) -> Known:
    return Known(interchanges=frozenset(state.interchanges(partner)))


# --- numbering and storing documents --------------------------------------------------------------
def _store(state: StateStore, profile: PartnerProfile, doc: OutDoc, *, now: datetime, run_id: str,
           source_sha256: str) -> bool:
    """Number, render and store one document (inside the caller's transaction). False if it exists."""
    if state.document_exists(profile.id, doc.doc_key):
        return False
    env = envelope_for(profile)
    [isa13] = state.take_numbers(profile.id, "ISA", 1)
    if doc.doc_type == "TA1":
        content, gs06, st02 = wrap_ta1(env, list(doc.ta1), isa13=isa13, now=now), 0, ""
    else:
        [gs06] = state.take_numbers(profile.id, "GS", 1)
        st02s = state.take_numbers(profile.id, "ST", len(doc.bodies))
        set_id = {"FA": "997", "PR": "855", "CA": "865"}[doc.functional_id]
        content = wrap(env, doc.functional_id, set_id, [list(b) for b in doc.bodies], isa13=isa13, gs06=gs06,
                       st02s=st02s, now=now)
        st02 = ",".join(f"{n:04d}" for n in st02s)
    state.add_document(partner=profile.id, doc_type=doc.doc_type, doc_key=doc.doc_key,
                       file_name=f"{profile.id}-{doc.doc_type}-{isa13:09d}.x12", content=content,
                       at=now.isoformat(), isa13=f"{isa13:09d}", gs06=str(gs06 or ""), st02=st02,
                       source_sha256=source_sha256, po_number=",".join(doc.po_numbers), run_id=run_id)
    return True


def issue_documents(state: StateStore, profile: PartnerProfile, outcome: Outcome, *, now: datetime,
                    run_id: str) -> Counter:
    made: Counter = Counter()
    with state.transaction():
        for doc in outcome.documents:
            if _store(state, profile, doc, now=now, run_id=run_id, source_sha256=outcome.sha256):
                made[doc.doc_type] += 1
    return made


# --- stage 1: intake ---------------------------------------------------------------------------------
def intake_partner(ws: Workspace, profile: PartnerProfile, state: StateStore, drop: FileDrop, *,
                   now: datetime, run_id: str) -> PartnerResult:
    """List the inbox; for each file: archive (verified), check, answer 997/TA1, store orders, move."""
    res = PartnerResult(partner=profile.id)
    local = drop if isinstance(drop, LocalDrop) else LocalDrop(ws.drop_root / profile.id)
    store = OrderStore(ws.orders_dir)
    for bad in getattr(drop, "refused_names", lambda _f: [])("inbox"):
        res.findings.append(_row(finding("FILE_NAME_REFUSED", f"File name {bad!r} was refused; it stays on the "
                                         "server.", value=bad), profile.id))
        res.errors += 1
    for info in drop.list("inbox"):
        if not is_safe_name(info.name):
            continue
        data = drop.read("inbox", info.name)
        sha = hashlib.sha256(data).hexdigest()
        res.files += 1
        archive_name = f"{now:%Y%m%d}-{sha[:12]}-{info.name}"
        if local.stat("archive", archive_name) is None:
            local.write("archive", archive_name, data)
        if hashlib.sha256(local.read("archive", archive_name)).hexdigest() != sha:
            raise TransientError("archived copy does not match the download", partner=profile.id, name=info.name)
        previous = state.file_status(profile.id, sha)
        if previous is not None:
            res.findings.append(_row(finding("FILE_DUPLICATE", f"{info.name} has the same content as a file "
                                             f"already {previous}; nothing was sent again.", file=info.name),
                                     profile.id))
            res.duplicates += 1
            res.warnings += 1
            _dispose(drop, local, info.name, data, "processed")
            continue
        outcome = process_file(data, file=info.name, sha256=sha, profile=profile,
                               known=known_state(state, profile.id), today=now.date())
        findings = list(outcome.findings)
        with state.transaction():
            res.documents.update(issue_documents(state, profile, outcome, now=now, run_id=run_id))
            findings += _receive_orders(state, store, profile, outcome, now)
            if outcome.change_headers.num_rows:
                store.save_changes(profile.id, outcome.sha256, outcome.change_headers, outcome.changes)
                for h in outcome.change_headers.to_pylist():
                    state.add_change(profile.id, h["po_number"], h["change_ref"], outcome.sha256, outcome.file,
                                     now.isoformat())
                    if state.order(profile.id, h["po_number"]):
                        state.upsert_order(profile.id, h["po_number"], state.order(profile.id, h["po_number"])
                                           ["state"], now.isoformat(), note=f"860 change received in {outcome.file}")
            for sender, isa13 in outcome.interchanges_seen:
                state.record_interchange(profile.id, sender, isa13, sha)
            state.record_file(profile.id, sha, info.name, len(data), now.isoformat(),
                              "quarantined" if outcome.disposition == "quarantine" else "processed",
                              archive_path=archive_name, run_id=run_id, error_count=outcome.error_count)
        _dispose(drop, local, info.name, data, outcome.disposition)
        res.processed += outcome.disposition == "processed"
        res.quarantined += outcome.disposition == "quarantine"
        res.orders += outcome.orders.num_rows
        res.errors += sum(1 for f in findings if f.severity == "error")
        res.warnings += sum(1 for f in findings if f.severity == "warning")
        res.findings.extend(_row(f, profile.id) for f in findings)
    return res


def _receive_orders(state: StateStore, store: OrderStore, profile: PartnerProfile, outcome: Outcome,
                    now: datetime) -> list[Finding]:
    """Record each syntactically accepted PO as received (or as a duplicate/replace/cancel)."""
    out: list[Finding] = []
    if outcome.orders.num_rows == 0:
        return out
    store.save(profile.id, outcome.sha256, outcome.orders, outcome.lines)
    at = now.isoformat()
    for order in outcome.orders.to_pylist():
        po, purpose = order["po_number"], order["purpose"] or "00"
        live = state.order(profile.id, po)
        where = dict(file=outcome.file, isa13=order["isa13"], gs06=order["gs06"], st02=order["st02"], seg="BEG",
                     file_segment=order["st_file_segment"] + 1)
        if live and purpose == CANCEL:
            state.replace_reservations(profile.id, po, [], "")
            state.upsert_order(profile.id, po, "cancelled", at, note=f"cancelled by BEG01=01 in {outcome.file}")
            continue
        if live and purpose == CONFIRM:
            state.upsert_order(profile.id, po, live["state"], at, note=f"confirmation copy in {outcome.file}")
            continue
        if live and purpose != REPLACE:
            out.append(finding("ORDER_DUPLICATE", f"PO {po} was already received from {profile.id} (state "
                               f"{live['state']}); this copy is not processed.", element="BEG03", value=po, **where))
            state.upsert_order(profile.id, po, live["state"], at, note=f"duplicate copy in {outcome.file} ignored")
            continue
        if live and live["state"] == "shipped":
            out.append(finding("ORDER_DUPLICATE", f"PO {po} has shipped; the replacement is not applied.",
                               element="BEG01", value=purpose, **where))
            continue
        if live:
            state.replace_reservations(profile.id, po, [], "")
        [arrival] = state.take_numbers(*ARRIVAL, 1)
        state.upsert_order(profile.id, po, "received", at, source_file=outcome.file, source_sha256=outcome.sha256,
                           isa13=order["isa13"], gs06=order["gs06"], st02=order["st02"],
                           detail={"order_ref": order["order_ref"], "lines_key": outcome.sha256,
                                   "source_file": outcome.file, "arrival": arrival, "lines": order["line_count"],
                                   "version": order["version"], "purpose": purpose},
                           note=("replaced by " if live else "received in ") + outcome.file)
    return out


def _row(f: Finding, partner: str) -> dict:
    row = f.to_dict()
    row["partner"] = partner
    return row


def _dispose(drop: FileDrop, local: LocalDrop, name: str, data: bytes, disposition: str) -> None:
    folder = "quarantine" if disposition == "quarantine" else "processed"
    if drop is local:
        drop.move("inbox", name, folder)
    else:
        local.write(folder, name, data)
        drop.move("inbox", name, "processed")


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
    for o in live:
        orders, lines = store.load(o["partner"], o["detail"]["lines_key"])
        ref_ = o["detail"]["order_ref"]
        order_parts.append(orders.filter(pa.compute.equal(orders["order_ref"], ref_)))
        line_parts.append(lines.filter(pa.compute.equal(lines["order_ref"], ref_)))
        arrival[(o["partner"], o["po_number"])] = o["detail"].get("arrival", 0)
        if o["state"] in ("approved", "rejected_by_person"):
            d = o["detail"]
            people[(o["partner"], o["po_number"])] = PersonDecision(
                "approved" if o["state"] == "approved" else "rejected", d.get("decided_by", ""),
                d.get("decision_note", ""))
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
            statuses = line_statuses(d, result.lines, requested_ship=order.get("requested_ship_date"),
                                     today=now.date())
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
            surprise = revision and any(_news(s_, kept.get(s_.line_number)) for s_ in statuses
                                        if s_.line_number in changed[key])
            if "855" in profile.receives and (not revision or profile.change_ack == "855" or surprise):
                body = build_855(order, rows, [s.ack for s in statuses], today=now.date(),
                                 purpose="05" if revision else "00")
                lines_key = next(o["detail"]["lines_key"] for o in live
                                 if (o["partner"], o["po_number"]) == key)
                doc = OutDoc("855", f"855:{d.po_number}:{lines_key}:{d.order_ref}", functional_id="PR",
                             bodies=(tuple(body),), po_numbers=(d.po_number,))
                if _store(state, profile, doc, now=now, run_id=run_id, source_sha256=order["source_sha256"]):
                    out.documents[(d.partner, "855")] += 1
                ack_type = body[0][2]
            final = "rejected" if d.status == REJECTED else "acknowledged"
            state.upsert_order(d.partner, d.po_number, final, at, actor=d.decided_by or "system",
                               detail={"ack_type": ack_type, "codes": list(d.codes), "changed_lines": None,
                                       "value": _value(statuses, rows, d) if final == "acknowledged" else "0"},
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
            mine = result.lines.filter(pa.compute.equal(result.lines["order_ref"], f"{d.partner}|{d.po_number}"))
            keep = [r for r in state.order_reservations(d.partner, d.po_number)
                    if revision and r["line_number"] not in changed[key]]
            state.replace_reservations(d.partner, d.po_number, keep + [
                {"line_number": r["line_number"], "warehouse": r["warehouse"], "sku": r["sku"],
                 "quantity": r["allocated"]} for r in mine.to_pylist() if r["warehouse"] and r["allocated"]], run_id)
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
                if _store(state, profile, doc, now=now, run_id=run_id, source_sha256=ch["store_key"]):
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


def _news(status, before: dict | None) -> bool:
    """Would the partner learn something new about this changed line (beyond 'accepted as asked')?"""
    statuses = status.ack.statuses()
    if before is None:
        return any(st != "IA" for st in statuses)
    same = ("+".join(statuses), status.allocated, status.backordered) == \
        (before["ack"], before["allocated"], before["backordered"])
    return not same and any(st != "IA" for st in statuses)


def _open_orders(state: StateStore) -> dict:
    """Value of acknowledged, not yet invoiced orders per partner (credit exposure)."""
    from decimal import Decimal

    totals: dict[str, Decimal] = {}
    for o in state.orders(state="acknowledged"):
        totals[o["partner"]] = totals.get(o["partner"], Decimal(0)) + Decimal(o["detail"].get("value", "0"))
    return totals


def _value(statuses, rows: list[dict], decision: OrderDecision) -> str:
    from decimal import Decimal

    price = {r["line_number"]: r["unit_price"] for r in rows}
    ours = {ld.line_number: ld.unit_price for ld in decision.lines}
    total = Decimal(0)
    for s in statuses:
        p = ours.get(s.line_number) or price.get(s.line_number) or Decimal(0)
        total += Decimal(s.allocated + s.backordered) * p
    return str(total)


def load_inventory(ws: Workspace, today: date) -> Inventory:
    """The newest snapshot on or before ``today`` and the expected receipts (flows pick; engine never does)."""
    from connectors.snapshots import latest_as_of, load_receipts, load_snapshot
    from schemas.errors import SnapshotError

    root = ws.inventory_dir
    as_of = latest_as_of(root / "snapshots")
    if as_of > today:
        raise SnapshotError("the newest inventory snapshot is dated after the run", as_of=str(as_of),
                            today=str(today), path=str(root))
    return Inventory(load_snapshot(root / "snapshots", as_of), load_receipts(root / "receipts.parquet"), as_of)


# --- stage 3: deliver ------------------------------------------------------------------------------
def deliver_partner(profile: PartnerProfile, state: StateStore, drop: FileDrop, *, now: datetime) -> int:
    """Write every pending document to the partner's outbox; a failed write stays pending."""
    n = 0
    for doc in state.pending_documents(profile.id):
        existing = drop.stat("outbox", doc.file_name)
        if existing is None or existing.size != len(doc.content) or drop.read("outbox", doc.file_name) != doc.content:
            drop.write("outbox", doc.file_name, doc.content)
        state.mark_delivered(doc.id, now.isoformat())
        n += 1
    return n


# --- reports ---------------------------------------------------------------------------------------
def run_id_for(now: datetime, ws: Workspace) -> str:
    base = now.strftime("%Y%m%dT%H%M%S")
    run_id, k = base, 1
    while (ws.reports_dir / run_id).exists():
        k += 1
        run_id = f"{base}-{k}"
    return run_id


def merge_decisions(results: list[PartnerResult], run: RunDecision) -> None:
    by = {r.partner: r for r in results}
    for d in run.decisions:
        r = by.get(d.partner)
        if r is None:
            continue
        r.accepted += d.status == ACCEPTED
        r.held += d.status == PENDING
        r.rejected += d.status == REJECTED
    for (partner, doc_type), n in run.documents.items():
        if partner in by:
            by[partner].documents[doc_type] += n
    for f in run.findings:
        partner = next((d.partner for d in run.decisions if d.source_file == f.location.file), "")
        if partner in by:
            by[partner].findings.append(_row(f, partner))
            by[partner].errors += f.severity == "error"
            by[partner].warnings += f.severity == "warning"


def write_reports(ws: Workspace, run_id: str, results: list[PartnerResult], *, started: datetime,
                  run: RunDecision | None = None, failure: str = "") -> dict:
    folder = ws.reports_dir / run_id
    folder.mkdir(parents=True, exist_ok=True)
    rows = [f for r in results for f in r.findings]
    findings = [_finding_from_row(r) for r in rows]
    file_partners = {r["location"].get("file", ""): r["partner"] for r in rows}
    html, csv_bytes = render_failure_report(findings, run.orders if run else None, file_partners=file_partners,
                                            title=f"OrderBridge validation failures, run {run_id}",
                                            generated_at=started.isoformat())
    (folder / "failures.html").write_text(html, encoding="utf-8")
    (folder / "failures.csv").write_bytes(csv_bytes)
    reports = {"summary": str(folder / "summary.json"), "failures_html": str(folder / "failures.html"),
               "failures_csv": str(folder / "failures.csv")}
    if run and run.allocation is not None:
        pq.write_table(run.allocation, folder / "allocation.parquet")
        pq.write_table(run.availability, folder / "availability.parquet")
        reports["allocation"] = str(folder / "allocation.parquet")
        reports["availability"] = str(folder / "availability.parquet")
    if run and run.gx_docs:
        reports["gx_data_docs"] = run.gx_docs
    summary = {"run_id": run_id, "started": started.isoformat(), "failure": failure,
               "partners": [r.to_dict() | {"findings": len(r.findings)} for r in results], "reports": reports,
               "gx_note": run.gx_note if run else ""}
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n")
    return summary


def _finding_from_row(row: dict) -> Finding:
    from schemas.findings import Location

    return Finding(code=row["code"], severity=row["severity"], message=row["message"],
                   location=Location(**row.get("location", {})))


def findings_csv(rows: list[dict]) -> bytes:
    """Compatibility helper: the failure report's CSV for finding rows (formula cells neutralised)."""
    return render_failure_report([_finding_from_row(r) for r in rows])[1]


__all__ = ["neutralise_cell", "ORDER_LINES"]
