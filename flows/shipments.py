"""Fulfilment and billing stages as plain functions (no prefect here): the nightly run and the
shipments deployment both call them.

  ship_warehouse  per warehouse: archive each confirmation (verified), read it (CSV or 945), check it,
                  take SSCC serials, build the 856s and record the shipments in one transaction, move it
  invoice_run     once: the 810s due by each partner's policy (invoice numbers taken in the same
                  transaction as the 810s), and invoiced orders closed once their 810s are delivered

What happens to an order is planned by engine.lifecycle (shipping, billing); this module loads what
the planners need, takes numbers inside the transaction and applies the plan.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

import pyarrow as pa
import pyarrow.compute as pc

from connectors.base import FileDrop, is_safe_name
from connectors.base import archive_name as archive_name_of
from connectors.local import LocalDrop
from connectors.order_store import OrderStore, per_stored_table
from connectors.order_store import stamp as order_store_stamp
from connectors.state import StateStore
from engine import finance_inputs, invoice_taxes, lifecycle, stop_ids, warehouse_acks
from engine.bill_only import BILL_ONLY, partner_marks
from engine.envelope import wrap, wrap_ta1
from engine.invoice_po_sacs import (
    CARRIED_COLUMNS,
    StoredSacs,
    current_po_sacs,
    orders_rows,
    stored_po_sacs,
    without_orders,
)
from engine.lifecycle import backorders, balance, billing, repeats, ship_checks, shipping, stops
from engine.lifecycle.common import with_agreed_fob
from engine.outbound_controls import blanked, blanked_envelope, controls, envelope_controls
from engine.shipments import CANONICAL_COLUMNS, heading_only, store_dcs, with_reference_addresses
from engine.sscc import serial_capacity
from engine.warehouse_acks import WarehouseAnswer
from flows import faults, progress, retake, taking
from flows.documents import deliver_pending, holder, renderer
from flows.gc_pause import fewer_collections, gc_paused
from flows.intake import known_for
from flows.reconcile import changed_sacs, stored_sacs  # the reconciliation's reading of an order's promise
from flows.releases import key_confirmations, order_names
from flows.taking import dispose as _dispose
from flows.workspace import Workspace
from parsers.shipments_csv import cells_of_rows, read_shipment_csv, shipment_ids_of_rows
from parsers.warehouse_945 import pos_of_sets, read_945
from parsers.x12_reader import ParseResult, read_interchanges
from rules.business.items import any_substituted, as_shipped
from rules.outbound import controls_held
from schemas.errors import ConfigError, OrderBridgeError, StateError, TransientError
from schemas.findings import Finding, finding
from schemas.lifecycle import FindingRecord, Plan, PlannedDocument
from schemas.orders import SHIP_FROM_COLUMNS
from schemas.outcomes import outcome_for
from schemas.profile import DeliverySettings, PartnerProfile
from schemas.reference import ReferenceData, service_skus, sscc_columns
from schemas.reports import WAREHOUSE_PARTY, warehouse_party
from schemas.shipment_records import ShipmentRecord
from schemas.transport import NamePattern
from schemas.warehouses import WarehouseProfile


@dataclass
class WarehouseResult:
    warehouse: str
    files: int = 0
    processed: int = 0
    quarantined: int = 0
    duplicates: int = 0
    shipments: int = 0
    held: int = 0
    late: int = 0
    documents: Counter = field(default_factory=Counter)  # (partner, doc type) -> count, "partner:856"
    errors: int = 0
    warnings: int = 0
    findings: list[dict] = field(default_factory=list)
    failure: str = ""
    acknowledgments: int = 0  # 997s/TA1s answering its 945s written to its outbox

    def to_dict(self) -> dict:
        d = asdict(self)
        d["documents"] = dict(self.documents)
        return d


@dataclass
class InvoiceResult:
    invoices: int = 0
    closed: int = 0
    on_memo: int = 0  # memo orders shipped in full: no 810 by agreement (shipped_on_memo)
    held: int = 0  # grocers' 880s held for a partial dozen (INVOICE_HELD_NOT_ON_880: said once, counted every run)
    documents: Counter = field(default_factory=Counter)
    errors: int = 0
    findings: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["documents"] = dict(self.documents)
        return d


Check = Callable[[bytes], list[Finding]]  # the bytes of a document we built -> findings (errors refuse it)


class OutboundRefused(Exception):
    """Documents the outbound check refused once rendered: the transaction is rolled back (no number
    used) and the stage plans again without them (doc key -> the errors found)."""

    def __init__(self, refused: dict[str, list[Finding]]) -> None:
        super().__init__("; ".join(f"{k}: {f[0].code} {f[0].message}" for k, f in list(refused.items())[:3]))
        self.refused = refused


def outbound_check(data: bytes) -> list[Finding]:
    """rules.outbound.validate_outbound: our reader, envelope rules and the version's dictionary on the
    very bytes that will be sent."""
    from rules.outbound import validate_outbound

    return validate_outbound(data)


class CheckedRender:
    """The store's renderer, keeping each 856 and 810 interchange it renders; ``verify`` (inside the
    same transaction, before the commit) checks them - a partner's interchanges at once - and raises
    OutboundRefused for the transaction sets with an error. An error is the set's whose (ISA13, ST02)
    it names (an interchange of one set: its ISA13 is enough); else the sets of the interchange it
    names (of every interchange, when it names none) are checked one by one, each rendered alone with
    its numbers; an interchange none of whose sets fails alone is refused whole."""

    def __init__(self, render, check: Check) -> None:
        self.render, self.check = render, check
        self.sequence_of = getattr(render, "sequence_of", None)  # whose numbers each partner's documents take
        self.made: list[tuple[PlannedDocument, int, int, list[int], bytes]] = []  # (doc, ISA13, GS06, ST02s, bytes)

    def __call__(self, doc: PlannedDocument, isa13: int, gs06: int, st02s: list[int]) -> tuple[str, bytes]:
        name, content = self.render(doc, isa13, gs06, st02s)
        if doc.doc_type in ("856", "810", "880"):  # 880: a grocer's invoice, checked as an 810
            self.made.append((doc, isa13, gs06, st02s, content))
        return name, content

    def verify(self) -> None:
        refused: dict[str, list[Finding]] = {}
        for partner in dict.fromkeys(m[0].partner for m in self.made):
            mine = [m for m in self.made if m[0].partner == partner]
            errors = self._errors(b"".join(m[4] for m in mine))
            if not errors:
                continue
            by_isa = {f"{m[1]:09d}": m for m in mine}
            by_set = {(f"{m[1]:09d}", f"{st02:04d}"): s.doc_key for m in mine
                      for s, st02 in zip(m[0].sets, m[3], strict=True)}
            unplaced: dict[str | None, None] = {}  # ISA13s (None: unknown) whose errors name no set
            for f in errors:
                named = f.location.isa13
                key = by_set.get((named, f.location.st02))
                if key is None and named in by_isa and len(by_isa[named][0].sets) == 1:
                    key = by_isa[named][0].sets[0].doc_key
                if key is not None:
                    refused.setdefault(key, []).append(f)
                else:
                    unplaced[named if named in by_isa else None] = None
            suspects = mine if None in unplaced else [by_isa[i] for i in unplaced if i is not None]
            for doc, isa13, gs06, st02s, content in suspects:
                if len(doc.sets) == 1:
                    found = self._errors(content)
                    if found:
                        refused[doc.sets[0].doc_key] = found
                    continue
                alone = {s.doc_key: self._errors(self.render(replace(doc, sets=(s,)), isa13, gs06, [st02])[1])
                         for s, st02 in zip(doc.sets, st02s, strict=True)}
                refused.update((k, found) for k, found in alone.items() if found)
                if not any(alone.values()) and None not in unplaced:  # the interchange itself: every set of it
                    whole = [f for f in errors if f.location.isa13 == f"{isa13:09d}"]
                    refused.update((s.doc_key, whole) for s in doc.sets)
        if refused:
            raise OutboundRefused(refused)

    def _errors(self, content: bytes) -> list[Finding]:
        return [f for f in self.check(content) if f.severity == "error"]


def warehouse_drops(ws: Workspace) -> Callable[[WarehouseProfile], FileDrop]:
    """A warehouse's local drop, with its profile's ``[drop.local]`` ready-to-read rule (settle_seconds,
    temp_suffixes, min_age_seconds), as a partner's local drop (flows.intake.local_drops)."""
    return lambda warehouse: LocalDrop(ws.warehouse_drop_root / warehouse.id,
                                       settle_seconds=warehouse.drop.local.settle_seconds,
                                       temp_suffixes=warehouse.drop.local.temp_suffixes,
                                       min_age_seconds=warehouse.drop.local.min_age_seconds)


DUPLICATE_CONSEQUENCE = "nothing recorded or sent again"  # a FILE_DUPLICATE's (file_move: where it waits)
WAREHOUSE_FILES = WAREHOUSE_PARTY  # the `files` table's partner column of confirmations starts so


def files_key(warehouse: WarehouseProfile) -> str:
    """The `files` table's partner column for a warehouse's confirmations, and the partner column of its
    findings that concern no partner's order we hold (schemas.reports.warehouse_party: "warehouse:east",
    shown as "warehouse east")."""
    return warehouse_party(warehouse.id)


def attributed(plan: Plan, pos: Mapping[object, str], holders: Mapping[str, set[str]]) -> Plan:
    """The plan with each finding no partner owns given to the partner whose order it concerns, where
    that is known: the PO the finding names (else the PO its CSV row or 945 set names, ``pos``) is held
    by one partner only (``holders``: PO -> the partners holding it); the finding gets that PO too."""
    out, changed = [], False
    for fr in plan.findings:
        if not fr.partner:
            loc = fr.finding.location
            po = fr.po_number or pos.get(loc.row if loc.row is not None else (loc.isa13, loc.gs06, loc.st02), "")
            who = holders.get(po, set())
            if len(who) == 1:
                fr, changed = replace(fr, partner=next(iter(who)), po_number=po), True
        out.append(fr)
    return replace(plan, findings=tuple(out)) if changed else plan


def _releases_held(state: StateStore, store: OrderStore, records: Mapping) -> dict[tuple[str, str], str]:
    """The orders of ``records`` (by key) held for a person because the buyer cancelled their blanket
    (engine.blankets.hold_released; rejected by a person and not yet answered too), by key -> how people read them:
    their shipments are held (engine.lifecycle.ship_checks.releases_held)."""
    held = ship_checks.releases_on_hold(list(records.values()))
    return order_names(state, store, held) if held else {}


def _holders(state: StateStore, records: Iterable, more: set[str]) -> dict[str, set[str]]:
    """PO -> the partners holding an order of that PO: of ``records`` (read already), and of the POs
    ``more`` (looked up)."""
    out: dict[str, set[str]] = {}
    for r in [*records, *(state.orders_with_po(more) if more else ())]:
        out.setdefault(r.po_number, set()).add(r.partner)
    return out


def owned(plan: Plan, party: str) -> Plan:
    """The plan with each finding no partner owns (a PO we do not hold, a row or 945 not read) given to
    the warehouse's ``party``, so that ops find it under the warehouse, never under a blank partner."""
    if all(fr.partner for fr in plan.findings):
        return plan
    return replace(plan, findings=tuple(fr if fr.partner else replace(fr, partner=party) for fr in plan.findings))


# --- per warehouse: confirmations -> 856s --------------------------------------------------------
def ship_warehouse(ws: Workspace, warehouse: WarehouseProfile, profiles: Mapping[str, PartnerProfile],
                   state: StateStore, drop: FileDrop, ref: ReferenceData, *, now: datetime, run_id: str,
                   check: Check | None = None, absent: Collection[str] = ()) -> WarehouseResult:
    """Every confirmation waiting in the warehouse's inbox, one file per transaction. Each 856 is
    checked as rendered, before it is stored (``check``, default outbound_check: rules.outbound).
    ``absent``: partners whose profile does not load this run (flows.workspace.partners_apart): a
    confirmation naming one of their POs, or a PO no order holds (it may be in such a partner's inbox,
    not taken), is left in the inbox, untouched, until they load (engine.lifecycle.shipping.waiting_for)."""
    with fewer_collections():
        return _ship_warehouse(ws, warehouse, profiles, state, drop, ref, now=now, run_id=run_id, check=check,
                               absent=absent)


def _ship_warehouse(ws: Workspace, warehouse: WarehouseProfile, profiles: Mapping[str, PartnerProfile],
                    state: StateStore, drop: FileDrop, ref: ReferenceData, *, now: datetime, run_id: str,
                    check: Check | None, absent: Collection[str] = ()) -> WarehouseResult:
    res = WarehouseResult(warehouse=warehouse.id)
    check = check or outbound_check
    local = drop if isinstance(drop, LocalDrop) else LocalDrop(ws.warehouse_drop_root / warehouse.id)
    at = now.isoformat()
    render = renderer(profiles, now)
    key = files_key(warehouse)
    # the warehouse profiles (the ship-froms a PO's N1*SF may name), read once a stage at its first file, not per file
    warehouses = functools.cache(ws.warehouses)
    for folder in ("archive", "processed", "quarantine"):  # half-written copies of a killed run (under the lease)
        local.remove_temporaries(folder)
    for refused, left in ((taking.refusals(drop), "file left in the inbox"),
                          (taking.outside_inbox(local), "file left outside the inbox")):
        if refused:  # names and entries never read: reported each run while they stay
            state.apply(lifecycle.plan_file_findings(refused, partner=key, consequence=left, stage="shipments"),
                        run_id=run_id)
            res.findings.extend(_row(f, key, left) for f in refused)
            res.errors += len(refused)
    inbox = drop
    # a move a local inbox refuses leaves the file taken, its move owed, and the rest go on
    moved = taking.Mover(local, done="recorded", does="records", move=_dispose)
    # the confirmations ops asked to take again (`orderbridge retake`), from their kept copies, then the inbox
    for drop, info in retake.with_kept(inbox, retake.kept_copies(state, local, key)):
        if not is_safe_name(info.name):
            continue
        data = taking.read_listed(drop, info, who=f"warehouse {warehouse.id}")
        if data is None:  # still being written, or gone: the next run lists it again
            continue
        sha = hashlib.sha256(data).hexdigest()
        if taking.left_on_server(drop, state, key, sha, info.name, partner=(key, ""), stage="shipments"):
            continue  # taken before, in an inbox we may not change: the 3PL removes it
        res.files += 1
        recorded = state.file_record(key, sha)
        owed = moved.owed(drop, state, key, "shipments", info.name, recorded)
        archive_name = archive_name_of(now.date(), sha, info.name)
        if not owed:  # one whose move is owed was archived by the run that took it (not once more each run)
            if local.stat("archive", archive_name) is None:
                local.write("archive", archive_name, data)
            if hashlib.sha256(local.read("archive", archive_name)).hexdigest() != sha:
                raise TransientError("archived copy does not match the download", warehouse=warehouse.id,
                                     name=info.name)
        if recorded is not None and recorded["disposed_at"] is None and recorded["name"] == info.name:
            # recorded by a run that died before moving it: finish that run's move, nothing else
            disposition = "quarantine" if recorded["status"] == "quarantined" else "processed"
            if not moved(drop, info.name, data, disposition):
                continue
            state.mark_disposed(key, sha, at)
            res.processed += disposition == "processed"
            res.quarantined += disposition == "quarantine"
            continue
        if owed:  # a duplicate reported before, left in an inbox that refused its move: only moved, not reported
            moved.duplicate(drop, state, key, "shipments", info.name, data, reported=None)
            continue
        previous = recorded["status"] if recorded is not None else None
        if previous is not None:
            dup = finding("FILE_DUPLICATE", f"{info.name} has the same content as a confirmation already {previous}"
                          f" ({recorded['name']}); nothing was recorded or sent again." + retake.duplicate_hint(
                              state, key, sha, f"orderbridge retake {recorded['name']} --warehouse {warehouse.id}"),
                          file=info.name)
            state.apply(Plan(findings=(FindingRecord(dup, key, "", DUPLICATE_CONSEQUENCE, "shipments"),)),
                        run_id=run_id)
            res.findings.append(_row(dup, key, DUPLICATE_CONSEQUENCE))
            res.duplicates += 1
            res.warnings += 1
            moved.duplicate(drop, state, key, "shipments", info.name, data, reported=run_id)
            continue
        read, answers, unwritten, seen = _read(data, warehouse, file=info.name, sha256=sha, today=now.date(),
                                               state=state)
        waits = shipping.waiting_for(read, state.orders_with_po(shipping.named_pos(read)), absent) if absent else []
        if waits:  # neither taken nor refused: it ships once the partner's profile loads
            res.files -= 1
            why = (f"confirmation {info.name} left in the inbox: it names {'; '.join(waits)}, whose profile does "
                   "not load (it is taken once the profile is fixed)")
            res.failure = f"{res.failure}; {why}" if res.failure else why
            progress.report("ship", why, partner=warehouse.id)
            continue
        plan, errors, held = _ship_file(ws, warehouse, profiles, state, ref, read, now=now, at=at, run_id=run_id,
                                        render=render, check=check, archive_name=archive_name, size=len(data),
                                        warehouses=warehouses, answers=answers, unwritten=unwritten, seen=seen)
        disposition = "quarantine" if errors else "processed"
        faults.reached("after-confirmation-commit")
        if moved(drop, info.name, data, disposition):
            state.mark_disposed(key, sha, at)
        res.processed += disposition == "processed"
        res.quarantined += disposition == "quarantine"
        res.shipments += len(plan.shipments)
        res.held += held
        res.late += sum(1 for fr in plan.findings if fr.finding.code == "ASN_LATE")
        res.documents.update(sets_sent(plan))
        for fr in plan.findings:
            res.findings.append(_row(fr.finding, fr.partner, fr.consequence))
            res.errors += fr.finding.severity == "error"
            res.warnings += fr.finding.severity == "warning"
    if (owed := moved.error()) is not None:  # said after the 997s below are delivered: the warehouse failed
        why = f"{type(owed).__name__}: {owed}"
        res.failure = f"{res.failure}; {why}" if res.failure else why
        progress.report("ship", why, partner=warehouse.id)
    # the 997s/TA1s answering its 945s (and any a killed run left pending), to where the warehouse picks up
    try:
        res.acknowledgments = deliver_pending(key, state, inbox, now=now, run_id=run_id, delivery=warehouse.delivery)
    except OrderBridgeError as exc:  # its shipments are recorded: the 997s stay pending, sent by a later run
        why = f"997 delivery: {type(exc).__name__}: {exc}"
        res.failure = f"{res.failure}; {why}" if res.failure else why
        progress.report("ship", why, partner=warehouse.id)
    return res


def read_confirmations(data: bytes, warehouse: WarehouseProfile, *, file: str, sha256: str) -> shipping.Confirmations:
    """One confirmation file as SHIPMENT_LINES with the reader's findings (CSV or 945 by the profile)."""
    return _read(data, warehouse, file=file, sha256=sha256)[0]


def _read(data: bytes, warehouse: WarehouseProfile, *, file: str, sha256: str, today: date | None = None,
          state: StateStore | None = None
          ) -> tuple[shipping.Confirmations, list[WarehouseAnswer], list[Finding], tuple[tuple[str, str], ...]]:
    """read_confirmations, with the 997s and TA1s that answer a 945 file (engine.warehouse_acks: from the findings
    of its reading and envelope checks; none for a CSV, an interchange from another sender, or with ``today``
    None), the findings of groups no 997 could be written for (every delimiter set used by its values) and the
    (sender, ISA13) of the interchanges taken in (recorded with the file). With ``state``, an interchange the
    warehouse sent before (the store's interchanges_in, asked for this file's alone) is a duplicate, as a
    partner's (ISA_DUPLICATE within its duplicate_window_days, ISA_REUSED after)."""
    if warehouse.format == "csv":
        lines, findings = read_shipment_csv(data, warehouse.csv, file=file, source_sha256=sha256,
                                           clock=warehouse.time_zone)
        rows = {f.location.row for f in findings if f.location.row is not None}
        unread = shipment_ids_of_rows(data, warehouse.csv, rows) if rows else {}
        pos = cells_of_rows(data, warehouse.csv, rows, warehouse.csv.po_number) if rows else {}
        return shipping.Confirmations(lines, tuple(findings), file, sha256, unread, pos), [], [], ()
    result = read_interchanges(data, file=file)
    # the pairs the 3PL may send from: its [sender] and their_ids (a VAN move, a second site)
    sender = ((warehouse.sender.qualifier, warehouse.sender.id), *warehouse.sender.their_ids) \
        if warehouse.sender else None
    known = known_for(state, files_key(warehouse), result) if state is not None else None
    judged = warehouse_acks.judge_945s(result, sender=sender, warehouse=warehouse.name, known=known, today=today,
                                       window_days=warehouse.duplicate_window_days)
    answers, unwritten = _answers(result, judged, warehouse, sha256=sha256, today=today)
    lines, more = read_945(result, judged.sets, source_sha256=sha256, ship_from=warehouse.ship_from.party())
    return shipping.Confirmations(lines, tuple(judged.findings + more), file, sha256, pos=pos_of_sets(result)), \
        answers, unwritten, judged.seen


def _answers(result, judged: warehouse_acks.Judged, warehouse: WarehouseProfile, *, sha256: str,
             today: date | None) -> tuple[list[WarehouseAnswer], list[Finding]]:
    """The 997s/TA1s answering the 945 interchanges of ``result`` that the warehouse sent (its profile's [sender],
    when it names one; a stranger's interchange is not answered), as the reader, envelope and structure checks
    judged them (``judged``: a group's structure, not the shipment checks of its content, which are no 997 matter)."""
    if today is None:
        return [], []
    answers, unwritten = warehouse_acks.answers_945(result, judged.findings, party=files_key(warehouse),
                                                    sha256=sha256, today=today, answered=judged.mine,
                                                    send_997=warehouse.send_997)
    return answers, [finding("OUTBOUND_DELIMITERS_EXHAUSTED", f"The 997 answering group {key.split(':')[3]} of "
                             f"interchange {key.split(':')[2]} is not sent: its values use every delimiter set we "
                             f"could write it with ({warehouse.name}'s and ours).", value=key.split(":")[3])
                     for key in unwritten]


def _ship_file(ws: Workspace, warehouse: WarehouseProfile, profiles: Mapping[str, PartnerProfile], state: StateStore,
               ref: ReferenceData, read: shipping.Confirmations, *, now: datetime, at: str, run_id: str, render,
               check: Check, archive_name: str, size: int, warehouses: Callable[[], Mapping[str, WarehouseProfile]],
               answers: Sequence[WarehouseAnswer] = (), unwritten: Sequence[Finding] = (),
               seen: Sequence[tuple[str, str]] = ()) -> tuple[Plan, int, int]:
    """Check, number, build and record one file's shipments in one transaction: (the plan, its
    errors, the shipments held). An 856 the outbound check refuses rolls the transaction back; the
    file is planned again with that shipment held (serials taken again: none is skipped). ``seen``: the (sender,
    ISA13) of a 945 file's interchanges taken in, recorded with it (a copy sent again is ISA_DUPLICATE)."""
    prep = prepare_file(ws, warehouse, profiles, state, ref, read)
    read, batch = prep.read, prep.batch
    # a confirmation taken again as ops asked: who, when, why, and its earlier take (file_takes)
    again = Plan(findings=tuple(FindingRecord(f, files_key(warehouse), "", retake.TAKEN_AGAIN, "shipments")
                                for f in retake.retaken(state, files_key(warehouse), read.sha256, read.file)))
    refused: dict[str, list[Finding]] = {}
    ship_froms = warehouses()  # the ship-froms a PO's N1*SF may name (SHIP_FROM_NOT_ROUTED)
    while True:
        try:
            with state.transaction():
                serials = {prefix: state.take_serials(prefix, n, capacity=serial_capacity(prefix))
                           for prefix, n in sorted(batch.serials_needed.items())}
                plan = plan_file(ws, prep.replace(batch=batch), warehouse, profiles, ref, serials=serials,
                                 now=now, at=at, run_id=run_id, refused=refused, warehouses=ship_froms)
                asked = lifecycle.asked_buyers(plan, profiles)  # (only the buyers of this file's orders read)
                plan = lifecycle.batch_documents(  # the partners' delivery.batch, each to its order's buyer
                    plan, profiles, state.buyer_gs_ids(asked, lifecycle.asked_pos(plan, asked)))
                rendered = CheckedRender(render, check)
                applied = state.apply(plan, render=rendered, hold=holder(
                    profiles, stage="shipments", files={read.sha256: read.file}), at=at, run_id=run_id)
                rendered.verify()
                # an 856 no delimiter set fits: held, unsent
                plan = plan + owned(Plan(findings=tuple(applied.held)), files_key(warehouse))
                # the order lines each held shipment carries: the reconciliation names it on those alone
                state.add_held_lines(shipping.held_lines(batch, plan.findings), run_id=run_id)
                if again.findings:
                    state.apply(again, at=at, run_id=run_id)
                    plan = plan + again
                # its 997s/TA1s, numbered in the warehouse's own sequences with the file's record: a crash before
                # the commit takes no number, after it leaves them pending for the delivery below (never twice)
                answered = _answer_plan(answers, unwritten, files_key(warehouse))
                if answered.documents or answered.findings:
                    # (the outbound check every partner-bound document gets: one holding a control character is
                    # held, not numbered: `orderbridge release-held --warehouse W`)
                    named = named_by(warehouse_renderer(answers, now), warehouse.delivery, now)
                    done = state.apply(answered, render=named, hold=warehouse_holder(answers, warehouse, read.file),
                                       at=at, run_id=run_id)
                    plan = plan + Plan(findings=answered.findings + tuple(done.held))
                errors = sum(1 for fr in plan.findings if fr.finding.severity == "error")
                for sender, isa13 in seen:
                    state.record_interchange(files_key(warehouse), sender, isa13, read.sha256)
                state.record_file(files_key(warehouse), read.sha256, read.file, size, at,
                                  "quarantined" if errors else "processed", archive_path=archive_name, run_id=run_id,
                                  error_count=errors)
            break
        except OutboundRefused as exc:
            found = {key.split(":", 2)[2]: errors for key, errors in exc.refused.items()}
            if set(found) & set(refused):  # planned without it and refused again: not ours to loop on
                raise
            refused.update(found)
            batch = shipping.holding(batch, set(found), profiles)
    held = len(batch.held) + len({fr.finding.location.value for fr in plan.findings
                                  if fr.finding.code == "ASN_NOT_BUILT"} - batch.held)
    return plan, errors, held


@dataclass(frozen=True)
class PreparedFile:
    """One confirmation file checked against the store (prepare_file), what plan_file plans its shipments of."""

    read: shipping.Confirmations  # the file's confirmations (repeats passed over, releases keyed)
    batch: shipping.ShipmentBatch
    records: Mapping
    lines: pa.Table
    reserved: pa.Table
    orders: pa.Table
    shipped_lines: pa.Table
    source: Mapping[str, str]
    holders: Mapping[str, set[str]]
    dcs: object

    def replace(self, **kw) -> PreparedFile:
        return replace(self, **kw)


def prepare_file(ws: Workspace, warehouse: WarehouseProfile, profiles: Mapping[str, PartnerProfile],
                 state: StateStore, ref: ReferenceData, read: shipping.Confirmations,
                 reserved_as: Callable[[pa.Table, pa.Table], pa.Table] | None = None) -> PreparedFile:
    """One file's confirmations checked against the orders, lines and reservations the store holds (a repeat of
    a shipment recorded before read as that shipment, a release keyed), as _ship_file plans them; also what
    `state rebuild` replays an archived confirmation with (flows.rebuild_shipments: ``reserved_as(reservations,
    lines)``, the reservations the file is checked and planned against)."""
    parts: dict[str, str] = {}  # a shipment recorded per PO or per stop: each part's id -> the warehouse's id
    recorded = _recorded(state, warehouse, read.lines, profiles, parts)
    again = {r[0] for r in recorded} & set(read.lines["shipment_id"].to_pylist())
    if again:  # a shipment of an earlier file repeated as recorded (a WMS exporting the last days each day): passed
        # over, its parts' records (an 856 per PO, per stop) read as the one shipment the warehouse confirmed
        named = sorted({*again, *(part for part, sid in parts.items() if sid in again)})
        read = repeats.without_repeats(read, state.shipments([(warehouse.id, s) for s in named]), parts,
                                         kits=ref.kits, items=ref.items, item_units=ref.item_units)
    voided = {read.unread.get(f.location.row) for f in read.findings if f.code == "SHIPMENT_LABEL_VOIDED"} - {None}
    if voided and (sent := {r[0] for r in state.recorded_cartons_for(warehouse.id, sorted(voided), [])}):
        read = repeats.voided_after_recorded(read, state.shipments([(warehouse.id, s) for s in sorted(sent)]))
    orders_with_po = _OrdersWithPo(state)  # one read of the file's orders for releases' keying and here
    read = key_confirmations(state, OrderStore(ws.orders_dir), read, {  # a release named, or the only one open
        pid: p.order_key_column for pid, p in profiles.items() if p.order_key_column},
        orders_with_po=orders_with_po)
    pos = set(read.lines["po_number"].to_pylist())
    records = {r.key: r for r in orders_with_po(pos)}
    lines = state.line_table_for(records)
    reserved = state.reservation_table_for(records)
    if reserved_as is not None:
        reserved = reserved_as(reserved, lines)
    orders, order_lines = _canonical(ws, records.values(), CANONICAL_COLUMNS)
    orders = _reference_addresses(orders, ref, profiles)  # a ship-to named by id alone: ship_tos.csv's address
    # (and a line's own, its PO1 loop's or an 860's POC loop's N1*ST**92*17777: the 856's N3/N4 for its shipment)
    order_lines = _reference_addresses(order_lines, ref, profiles)
    # a partner that agreed to heading-only shipping (LINE_SHIP_TO_DIFFERS accepted) gets every line there
    order_lines = heading_only(order_lines, _heading_only(profiles))
    upcs = order_lines.select(["partner", "po_number", "line_number", "upc"])
    dcs = _store_dcs(ref, profiles)  # the DC each store is shipped through (ship_tos.csv dc): its 856's N1*ST
    batch = shipping.prepare_shipments(
        read, warehouse=warehouse, state=shipping.line_state_table(lines, reserved, upcs), items=ref.items,
        recorded=shipping.recorded_table(recorded), profiles=profiles,
        item_units=ref.item_units, kits=ref.kits, partner_items=ref.partner_items, orders=orders,
        order_lines=order_lines,
        store_shipped=state.shipped_to_stores(  # what earlier files gave a store-level partner's stores
            k for k in records if k[0] in profiles and profiles[k[0]].fulfilment.asn.store_level),
        serials_shipped=state.shipped_serials(_serials_of(read.lines)) if any(
            p.fulfilment.asn.serial_numbers for p in profiles.values()) else None,  # serials shipped before
        addresses=ship_checks.order_addresses(records, profiles), dcs=dcs,  # orders of another buyer / division of ours
        stored_lines=lines,  # (units we cancelled after acknowledging them: a confirmation of them told so)
        releases_held=_releases_held(state, OrderStore(ws.orders_dir), records))  # (its blanket cancelled: held)
    # a substitute's LIN names the part shipped (the buyer's own ids as sent)
    shipped_lines = as_shipped(order_lines, lines, ref.items)
    source = {"source_kind": warehouse.format, "source_file": read.file, "source_sha256": read.sha256}
    return PreparedFile(read, batch, records, lines, reserved, orders, shipped_lines, source,
                        _holders(state, records.values(), set(read.pos.values()) - pos), dcs)


def plan_file(ws: Workspace, prep: PreparedFile, warehouse: WarehouseProfile, profiles: Mapping[str, PartnerProfile],
              ref: ReferenceData, *, serials: Mapping[str, Sequence[int]], now: datetime,
              at: str, run_id: str, refused: Mapping[str, Sequence[Finding]] | None = None,
              warehouses: Mapping[str, WarehouseProfile] | None = None) -> Plan:
    """The plan of a prepared file's shipments (engine.lifecycle.shipping.plan_shipments), numbered with
    ``serials`` (prefix -> the SSCC serials taken), each finding its holder's (attributed, owned)."""
    plan = shipping.plan_shipments(prep.batch, serials=serials, records=prep.records, lines=prep.lines,
                                   reservations=prep.reserved, orders=prep.orders, order_lines=prep.shipped_lines,
                                   items=ref.items, profiles=profiles, created=now, at=at, run_id=run_id,
                                   source=prep.source, refused=refused or {}, clock_zone=ws.clock_zone, dcs=prep.dcs,
                                   warehouses=warehouses)
    # a finding whose row or 945 names a PO one partner holds: that partner's; else the warehouse's
    return owned(attributed(plan, prep.read.pos, prep.holders), files_key(warehouse))


def _answer_plan(answers: Sequence[WarehouseAnswer], unwritten: Sequence[Finding], party: str) -> Plan:
    return Plan(documents=tuple(a.document for a in answers), findings=tuple(
        FindingRecord(f, party, "", "997 not sent", "shipments") for f in unwritten))


def warehouse_renderer(answers: Sequence[WarehouseAnswer], now: datetime):
    """render(document, isa13, gs06, st02s) for StateStore.apply of a warehouse's 997s/TA1s: each in the envelope
    engine.warehouse_acks addressed it with (a warehouse has no partner profile), named as a partner's are
    (named_by: the warehouse's [delivery] patterns)."""
    envelopes = {a.document.sets[0].doc_key: a.envelope for a in answers}

    def render(doc: PlannedDocument, isa13: int, gs06: int, st02s: list[int]) -> tuple[str, bytes]:
        env = envelopes[doc.sets[0].doc_key]
        name = f"{doc.partner.split(':', 1)[-1]}-{doc.doc_type}-{isa13:09d}.x12"
        if doc.doc_type == "TA1":
            return name, wrap_ta1(env, list(doc.ta1), isa13=isa13, now=now)
        return name, wrap(env, doc.functional_id, "997", [(s.text, s.segments) for s in doc.sets], isa13=isa13,
                          gs06=gs06, st02s=st02s, now=now, delimiters=doc.delimiters)

    return render


def named_by(render, delivery: DeliverySettings, now: datetime):
    """``render`` (warehouse_renderer's) with each 997/TA1 named by the warehouse's [delivery] pattern for its type
    ({partner} the warehouse's id, {po} NONE: schemas.transport, checked when the profile loaded); as it is when the
    profile sets none (the default name)."""
    if delivery.file_name is None and not delivery.file_names:
        return render

    def named(doc: PlannedDocument, isa13: int, gs06: int, st02s: list[int]) -> tuple[str, bytes]:
        name, content = render(doc, isa13, gs06, st02s)
        pattern = delivery.pattern(doc.doc_type)
        if pattern:
            name = NamePattern.of(pattern).name(partner=doc.partner.split(":", 1)[-1], doc_type=doc.doc_type,
                                                number=isa13, gs06=gs06 or 0, po="", now=now)
        return name, content

    return named


def warehouse_holder(answers: Sequence[WarehouseAnswer], warehouse: WarehouseProfile, file: str):
    """hold(document) for StateStore.apply of a warehouse's 997s/TA1s: the outbound check every partner-bound
    document gets (flows.documents.holder): one whose values, or the ids its envelope echoes from the 945, hold a
    control character (engine.outbound_controls) is stored held, unnumbered, with OUTBOUND_CONTROL_CHARACTER (the
    warehouse's finding); `orderbridge release-held --warehouse W --by NAME` sends it with a blank for each
    (release_warehouse_held). Its delimiters were chosen when it was built (engine.warehouse_acks: first_fit)."""
    envelopes = {a.document.sets[0].doc_key: a.envelope for a in answers}

    def hold(doc: PlannedDocument) -> FindingRecord | None:
        env = envelopes.get(doc.sets[0].doc_key) if doc.sets else None
        stray = controls(doc) + (envelope_controls(env) if env is not None else [])
        if not stray:
            return None
        held = controls_held(_answer_words(doc, warehouse), stray, file, party=f"--warehouse {warehouse.id}",
                             reader="3PL")
        return FindingRecord(held, files_key(warehouse), "", consequence="document held, not sent", stage="shipments")

    return hold


def _answer_words(doc: PlannedDocument, warehouse: WarehouseProfile) -> str:
    """A warehouse's 997 or TA1 in words: "997 to North 3PL answering group 452 of interchange 000000452"."""
    s = doc.sets[0] if doc.sets else None
    group = f"group {s.answers_gs06} of " if s is not None and s.answers_gs06 else ""
    return f"{doc.doc_type} to {warehouse.name} answering {group}interchange {s.answers_isa13 if s else '?'}"


def release_warehouse_held(ws: Workspace, warehouse: WarehouseProfile, state: StateStore, *, now: datetime, by: str,
                           note: str = "", run_id: str = "") -> list[tuple[PlannedDocument, list[str]]]:
    """flows.documents.release_blanked for a warehouse's 997s and TA1s held for a control character
    (warehouse_holder): each is numbered and made pending with each run of them one blank, in the envelope it was
    addressed with (engine.warehouse_acks.answer_envelope: found again in the 945 file's kept copy, as the store
    keeps a held document's plan alone), in one transaction each, and a CONTROL_CHARACTER_REPLACED warning names
    the values as held and who asked; the next shipments run delivers it to the warehouse's outbox. One whose 945
    file's kept copy is gone stays held. Returns (the document as held, its values named) for each one released."""
    key = files_key(warehouse)
    archive = LocalDrop(ws.warehouse_drop_root / warehouse.id)
    read: dict[str, ParseResult | None] = {}
    out: list[tuple[PlannedDocument, list[str]]] = []
    records: list[FindingRecord] = []
    for h in state.held_documents(key):
        doc = h.document
        sha = doc.sets[0].source_sha256 if doc.sets else ""
        if sha not in read:
            record = state.file_record(key, sha) if sha else None
            kept = (record or {}).get("archive_path") or ""
            read[sha] = read_interchanges(archive.read("archive", kept), file=record["name"]) \
                if kept and archive.stat("archive", kept) is not None else None
        env = warehouse_acks.answer_envelope(read[sha], doc.sets[0].doc_key) if read[sha] is not None else None
        said = controls(doc) + (envelope_controls(env) if env is not None else [])
        if env is None or not said:
            continue
        doc, env = blanked(doc), blanked_envelope(env)
        if controls(doc) or not state.release_document(replace(h, document=doc), named_by(warehouse_renderer(
                [WarehouseAnswer(doc, env)], now), warehouse.delivery, now)):
            continue
        out.append((h.document, said))
        records.append(FindingRecord(finding(
            "CONTROL_CHARACTER_REPLACED", f"The {_answer_words(doc, warehouse)}, held for a control character "
            f"({'; '.join(said)}), is released by {by} with a blank for each run of them" + (f" ({note})" if note else
                                                                                             "")
            + "; the next shipments run sends it."), key, "", consequence="document released", stage="release-held"))
    state.add_findings(records, run_id=run_id or f"release-held:{now.isoformat()}")
    return out


class _OrdersWithPo:
    """state.orders_with_po, the last answer kept for the same PO numbers: a confirmation's orders are read
    once before its transaction, not by each step that needs them (releases keying, then _ship_file: the
    same 500 orders of the bench's files twice, ~0.03 s CPU each). Used before anything is written only."""

    def __init__(self, state: StateStore) -> None:
        self.state, self.pos, self.records = state, None, []

    def __call__(self, pos: Iterable[str]) -> list:
        pos = frozenset(pos)
        if pos != self.pos:
            self.pos, self.records = pos, self.state.orders_with_po(pos)
        return list(self.records)


def _serials_of(lines: pa.Table) -> list[str]:
    """Every serial number the confirmation ``lines`` give (SHIPMENT_LINES.serial_numbers, one blank apart)."""
    if "serial_numbers" not in lines.column_names:
        return []
    return [s for text in lines["serial_numbers"].unique().to_pylist() if text for s in text.split()]


def _recorded(state: StateStore, warehouse: WarehouseProfile, lines: pa.Table,
              profiles: Mapping[str, PartnerProfile] | None = None, parts: dict[str, str] | None = None
              ) -> list[tuple]:
    """The recorded cartons the checks can meet for these lines (their shipment ids, carton and pallet labels and
    SSCCs): what recorded_cartons would give for them, without reading every carton ever recorded. When a
    partner takes one 856 per PO (fulfilment.asn.per "order"), a shipment recorded per PO under
    shipping.asn_shipment_id is named by the shipment id the warehouse gave: sent again, it is a duplicate. So is a
    multi-stop load recorded as one shipment per stop (engine.lifecycle.stops: "S9-ST1", "S9-ST2", or a PO's part's
    stops for a partner taking an 856 per PO): its stops are found by their prefix and named by the load's id (each
    such part's id -> the id it is named by, into ``parts`` when given)."""
    labels = [v for c in ("carton_id", "carton_sscc", "pallet_id", "pallet_sscc") if c in lines.column_names
              for v in lines[c].unique().to_pylist() if v]  # a pallet's SSCC is recorded once too
    keys = set(labels) | set(pc.drop_null(sscc_columns(pa.array(labels, pa.string()))[1]).to_pylist())
    sids = [s for s in lines["shipment_id"].unique().to_pylist() if s]
    split: dict[str, str] = {}  # the id a shipment's PO would be recorded under -> the shipment id
    if any(p.fulfilment.asn.per == "order" for p in (profiles or {}).values()):
        pairs = lines.select(["shipment_id", "po_number"]).group_by(["shipment_id", "po_number"]).aggregate([])
        for sid, po in zip(*(pairs[c].to_pylist() for c in ("shipment_id", "po_number")), strict=True):
            if sid and po:
                split.setdefault(shipping.asn_shipment_id(sid, po), sid)
    loads = {stops.stop_prefix(s): split.get(s, s) for s in (*sids, *split)}  # a stop's prefix -> the load's id
    for part in state.shipment_ids_starting(warehouse.id, loads):
        load = stops.load_of(part, loads)
        if load is not None:
            split[part] = load
    rows = state.recorded_cartons_for(warehouse.id, [*sids, *split], keys)
    if parts is not None:
        parts.update((r[0], split[r[0]]) for r in rows if r[0] in split)
    return [(split.get(r[0], r[0]), *r[1:]) for r in rows] if split else rows


def _later_stops(state: StateStore, pending: Sequence[ShipmentRecord]) -> set[tuple[str, str]]:
    """Of the shipments to bill, the later stops of multi-stop loads (engine.lifecycle.stops.later_stops): the stops
    before each one shaped as a stop's id are read from the store (billed or not: the first may have been billed on
    an earlier run) with their confirmation, which tells a load's stops from look-alike ids. Nothing is read when
    no shipment to bill is a second stop or later (the usual night)."""
    keys = {(s.warehouse, sid) for s in pending for sid in stop_ids.earlier_stop_ids(s.shipment_id)}
    if not keys:
        return set()
    keys |= {(s.warehouse, s.shipment_id) for s in pending if stop_ids.earlier_stop_ids(s.shipment_id)}
    return stop_ids.later_stops((r.warehouse, r.shipment_id, r.source_sha256) for r in state.shipments(sorted(keys)))


def _heading_only(profiles: Mapping[str, PartnerProfile]) -> set[str]:
    """The partners that agreed to heading-only shipping (their profile accepts LINE_SHIP_TO_DIFFERS): every line
    ships and is invoiced to the order's ship-to, whatever ship-to its PO1 loop names."""
    return {pid for pid, p in profiles.items()
            if outcome_for("LINE_SHIP_TO_DIFFERS", p.rules.outcomes).action == "accept"}


def _canonical(ws: Workspace, records: Iterable, columns: tuple[list[str], list[str]] | None = None
               ) -> tuple[pa.Table, pa.Table]:
    """The current revision's canonical ORDERS / ORDER_LINES of ``records`` (each stored table read once;
    only ``columns``, the orders' and the lines', when given). While the night keeps them (``kept_for_invoicing``),
    the ship stage's reads (``columns`` CANONICAL_COLUMNS) read the invoice stage's columns too and keep its orders'
    rows, and the invoice stage's (billing.CANONICAL_COLUMNS) take them (_KeptCanonical)."""
    records = [r for r in records if r.lines_key]
    store = OrderStore(ws.orders_dir)
    kept = _KEPT_CANONICAL[-1] if _KEPT_CANONICAL and columns is not None else None
    if kept is not None and columns == CANONICAL_COLUMNS:
        return kept.ship(store, records)
    groups: dict[tuple[str, str], list] = {}
    for r in records if kept is not None else ():
        groups.setdefault((r.partner, r.lines_key), []).append(r)
    tables = {k: (kept.take(store, k, groups[k], columns) if kept is not None else None)
              or (store.load(*k) if columns is None else store.load_columns(*k, *columns))
              for k in lifecycle.table_keys(records)}
    return lifecycle.current_tables(records, tables)


# The ship stage's canonical rows handed to the invoice stage of the same night (docs/design-night-in-arrow.md,
# session 56): every 810 of the night bills an order one of its confirmations shipped, and both stages read that
# order's stored tables (each Parquet file whole: a 500-PO file's 10,000 lines, for the half of them shipped), the
# ship stage 60 + 37 columns, the invoice stage 49 + 22 of them.
_KEPT_CANONICAL: list[_KeptCanonical] = []
_INVOICE_COLUMNS = billing.CANONICAL_COLUMNS


@contextlib.contextmanager
def kept_for_invoicing() -> Iterator[None]:
    """Inside (the night's ship and invoice stages, one process): the rows of the stored canonical tables the ship
    stage reads kept for the invoice stage's read of the same orders (_KeptCanonical); all let go at the end."""
    _KEPT_CANONICAL.append(_KeptCanonical())
    try:
        yield
    finally:
        _KEPT_CANONICAL.pop()


class _KeptCanonical:
    """Per stored table (partner, lines_key): the rows the ship stage's orders select of it (lifecycle.current_tables'
    selection: the rows of their order refs and PO numbers, before its first-row pick), with the ship's and the
    invoice stage's columns, and the stamp (inode, size, modification and change times) of each of its files, taken
    before they were read. The invoice stage takes a table's rows when its files still have those stamps and its
    orders' order refs and PO numbers are among those kept (so every row current_tables selects for them is a kept
    one, in the stored order: the same rows, values and order as reading the files gives); else it reads the files."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], list[tuple[list, frozenset, frozenset, pa.Table, pa.Table]]] = {}
        self.columns = tuple(list(dict.fromkeys([*a, *b])) for a, b in zip(CANONICAL_COLUMNS, _INVOICE_COLUMNS,
                                                                             strict=True))

    @staticmethod
    def _stamps(store: OrderStore, key: tuple[str, str]) -> list:
        return [(p, order_store_stamp(p)) for kind in ("orders", "lines") for p in store.parts(*key, kind)]

    def ship(self, store: OrderStore, records: list) -> tuple[pa.Table, pa.Table]:
        """_canonical(store, records, CANONICAL_COLUMNS), each table's selected rows kept with both stages' columns."""
        groups: dict[tuple[str, str], list] = {}
        for r in records:
            groups.setdefault((r.partner, r.lines_key), []).append(r)
        tables = {}
        for key, members in groups.items():
            try:
                stamps = self._stamps(store, key)
                orders, lines = store.load_columns(*key, *self.columns)
            except (OSError, StateError):  # (a file stored before a column the 810s read: its own columns, unkept)
                stamps = None
                orders, lines = store.load_columns(*key, *CANONICAL_COLUMNS)
            refs = frozenset(r.order_ref for r in members)
            pos = frozenset(r.po_number for r in members)
            orders, lines = (lifecycle.selected_rows(t, refs, pos) for t in (orders, lines))
            if stamps is not None:
                self.kept.setdefault(key, []).append((stamps, refs, pos, orders, lines))
            tables[key] = (orders.select(CANONICAL_COLUMNS[0]), lines.select(CANONICAL_COLUMNS[1]))
        return lifecycle.current_tables(records, tables)

    def take(self, store: OrderStore, key: tuple[str, str], records: list, columns: tuple[list[str], list[str]]
             ) -> tuple[pa.Table, pa.Table] | None:
        """The kept rows of stored table ``key`` for its ``records`` with ``columns``, when its files are unchanged
        and the rows kept hold every row of theirs; else None."""
        entries = self.kept.get(key)
        if not entries or not all(c in self.columns[i] for i in (0, 1) for c in columns[i]):
            return None
        refs, pos = {r.order_ref for r in records}, {r.po_number for r in records}
        for stamps, kept_refs, kept_pos, orders, lines in entries:
            if refs <= kept_refs and pos <= kept_pos:
                try:
                    if self._stamps(store, key) != stamps:
                        return None
                except OSError:
                    return None
                return orders.select(columns[0]), lines.select(columns[1])
        return None


# --- the decide stage's part: backorders offered the stock this run finds ---------------------------
def backorder_step(state: StateStore, profiles: Mapping[str, PartnerProfile], inventory, *,
                   skip: set[tuple[str, str]], totals: list[dict], today, at: str, run_id: str,
                   store: OrderStore | None = None, fresh: Mapping | None = None,
                   promises: dict | None = None, warehouses: Mapping | None = None,
                   eaches: Callable[[str, str], int | None] | None = None) -> tuple[Plan, list[dict]]:
    """Backordered units of answered orders (not those this run decides again: ``skip``) allocated
    against the snapshot less ``totals`` (what is reserved, and shipped since the snapshot); the plan
    and the reservation totals once it is applied (what the run's new orders then see). With ``store``
    (the canonical tables) an order past its cancel-after / do-not-deliver-after is offered nothing when
    its partner's late_backorder is "reject" (its backorders are cancelled), and is warned about once
    with "promise" (engine.lifecycle.backorders). ``fresh``: (partner, PO) -> (record, lines, reservations)
    of orders this run's 860s changed after shipment (a line raised; the order answered at once, or changed
    and waiting for the decision of lines the 860 added): their new units are offered stock in the same run,
    from what the plan holds for them (the store has not seen it yet). ``promises``: filled, for those orders, with
    "units" ((partner, PO) -> line -> raised units no stock nor receipt covers) and "dated" ((partner, PO) -> the
    lines the allocation promised a day: engine.lifecycle.backorders.promise_raised). ``warehouses``: the warehouse
    profiles; an order its N1*SF routes to one of them takes that one's stock first (engine.routing.routed_stock).
    ``eaches``: (sku, unit) -> eaches in one of the unit (rules.shipment_units.ShipmentUnits.each): a backorder in
    packs (BX of 100) is allocated and reserved in eaches (engine.lifecycle.backorders.backorder_input)."""
    fresh = {k: v for k, v in (fresh or {}).items() if k[0] in profiles}
    keys = [k for k in state.orders_with_backorders(lifecycle.SHIPPABLE)
            if k not in skip and k not in fresh and k[0] in profiles]
    if not keys and not fresh:
        return Plan(), totals
    records = state.orders_for(keys) if keys else {}
    lines = state.lines_for(keys) if keys else {}
    records.update({k: v[0] for k, v in fresh.items()})
    lines.update({k: tuple(v[1]) for k, v in fresh.items()})
    waiting = backorders.waiting(records.values(), lines, also={v[0].state for v in fresh.values()})
    if not waiting:
        return Plan(), totals
    expired, late, dates, line_ships, opens = Plan(), {}, {}, {}, {}
    if store is not None:
        # a line's own cancel / do-not-deliver date first (an 850's PO1 DTM, an 860's POC DTM), else the order's;
        # past it, engine.lifecycle.backorders decides: cancelled (late_backorder "reject"), or kept and warned once
        dates = order_dates(store, waiting)
        own = line_deadlines(store, waiting)
        line_ships = {k: {n: x["requested_ship_date"] for n, x in v.items() if x.get("requested_ship_date")}
                      for k, v in own.items()}
        past = backorders.plan_deadlines(waiting, dates=dates, line_dates=own, lines=lines, profiles=profiles,
                                         today=today, at=at, run_id=run_id, fresh=fresh)
        told = state.orders_with_event(list(past.promising), backorders.WARNED) if past.promising else set()
        expired, late, waiting, opens = past.expired, backorders.to_warn(past.promising, told), past.waiting, past.opens
        if not waiting:
            return expired, totals
    # orders that ship complete keep one date on their lines while any waits: their partner's policy, their CSH01
    complete = backorders.ships_complete(waiting, profiles, dates)
    from engine.allocate import allocate
    from schemas.inventory import RESERVATIONS

    # ranked by each line's requested ship date, else its order's (the documented key), not the line's promise
    ships = {k: row.get("requested_ship_date") for k, row in dates.items()}
    wanted = backorders.backorder_input(waiting, lines, ships, line_ships, eaches=eaches)
    if warehouses and dates:  # the warehouse each order's N1*SF routes it to, tried first
        from engine.routing import routed_stock

        heads = pa.Table.from_pylist([{"partner": k[0], "po_number": k[1], **{c: row.get(c) for c in SHIP_FROM_COLUMNS}}
                                      for k, row in dates.items()])
        wanted = wanted.append_column("ship_from", routed_stock(wanted, heads, warehouses, {
            pid: p.fulfilment.ship_from_ids for pid, p in profiles.items()}))
    result = allocate(wanted, inventory.snapshot,
                      inventory.receipts, {pid: p.allocation for pid, p in profiles.items()},
                      reservations=pa.Table.from_pylist(totals, schema=RESERVATIONS), today=today)
    before = state.reservations_for([r.key for r in waiting if r.key not in fresh])
    before.update({r.key: tuple(fresh[r.key][2]) for r in waiting if r.key in fresh})
    plan = backorders.plan_backorders(waiting, lines=lines, reservations=before, allocation=result.lines, at=at,
                                      run_id=run_id, late=late, complete=complete, opens=opens, eaches=eaches)
    if promises is not None and fresh:
        # units an 860 raised after shipment that the stock did not cover: promised from the receipts as an 850
        # line's backorder is, or (none covers them) handed to the change step to refuse (promises' units)
        plan, uncovered, promised = backorders.promise_raised(
            [r for r in waiting if r.key in fresh], plan=plan, lines=lines, allocation=result.lines,
            ship_days={k: (dates.get(k) or {}).get("requested_ship_date") for k in fresh}, today=today,
            run_id=run_id, eaches=eaches)
        promises.update(units=uncovered, dated=promised)
    after = {(o.partner, o.po_number): o.rows for o in plan.reservations}
    return expired + plan, lifecycle.reserved_after(totals, before, after)


_DATE_COLUMNS = ["order_ref", "po_number", "cancel_after", "do_not_deliver_after", "ship_no_later",
                 "sales_requirement", "requested_ship_date", "ship_not_before",
                 *SHIP_FROM_COLUMNS]  # (N1*SF: the warehouse to take from)


def order_dates(store: OrderStore, records: Iterable) -> dict[tuple[str, str], dict]:
    """(partner, PO) -> the cancel_after, do_not_deliver_after, ship_no_later (a last date for some partners:
    AllocationPolicy.ship_no_later_is_cancel), sales_requirement (CSH01) and requested_ship_date
    (DTM 010: the backorders' rank) and ship_not_before (DTM 037: a backorder placed before it is not released
    to ship early) of each order's stored ORDERS row (its current revision's table, only those columns read, once
    per stored table however many of its orders wait, its rows indexed once: the row of the order's order_ref, else
    the last of its PO, as connectors.order_store.order_row picks). An order whose table cannot be read is left
    out (no date known: allocated as before)."""
    def indexed(partner: str, lines_key: str) -> dict:
        index: dict = {}
        for row in store.load_orders(partner, lines_key, _DATE_COLUMNS).to_pylist():
            index[(row["po_number"], None)] = row  # later rows win: the last row of a PO, the last of an order_ref
            if row["order_ref"] is not None:
                index[(row["po_number"], row["order_ref"])] = row
        return index

    out: dict[tuple[str, str], dict] = {}
    for r, index in per_stored_table(records, indexed):
        row = None if index is None else index.get((r.po_number, r.order_ref or None)) or index.get((r.po_number, None))
        if row is not None:
            out[r.key] = row
    return out


_LINE_DATE_COLUMNS = ["order_ref", "po_number", "line_number", "cancel_after", "do_not_deliver_after",
                      "requested_ship_date", "ship_no_later", "ship_not_before"]
_OWN_DATES = _LINE_DATE_COLUMNS[3:]


def line_deadlines(store: OrderStore, records: Iterable) -> dict[tuple[str, str], dict[int, dict]]:
    """(partner, PO) -> line number -> the line's own cancel_after, do_not_deliver_after, requested_ship_date,
    ship_no_later (its window's end: a last date for a partner whose ship_no_later_is_cancel) and ship_not_before
    (its window's opening: its backorder placed before it keeps its promise, backorders.window_opens; its
    current revision's stored ORDER_LINES; lines without any left out), each stored table read once, only those
    columns (a table stored before they existed reads them as null). Unreadable tables are left out."""
    def dated(partner: str, lines_key: str) -> list[dict]:
        _o, lines = store.load_columns(partner, lines_key, ["order_ref"], _LINE_DATE_COLUMNS)
        have = pc.is_valid(lines[_OWN_DATES[0]])
        for c in _OWN_DATES[1:]:
            have = pc.or_(have, pc.is_valid(lines[c]))
        return lines.filter(have).to_pylist()

    out: dict[tuple[str, str], dict[int, dict]] = {}
    for r, rows in per_stored_table(records, dated):
        if mine := _rows_of(r, rows or ()):
            out[r.key] = {x["line_number"]: x for x in mine}
    return out


def _rows_of(r, rows: list[dict]) -> list[dict]:
    """The stored line rows (``rows``, of its stored table) of the order ``r``: its PO's, its order_ref's where it
    has one among them, else the last interchange's (as order_dates picks the last row of a PO)."""
    mine = [x for x in rows if x["po_number"] == r.po_number]
    refs = {x["order_ref"] for x in mine}
    if r.order_ref in refs:
        return [x for x in mine if x["order_ref"] == r.order_ref]
    if len(refs) > 1:
        return [x for x in mine if x["order_ref"] == mine[-1]["order_ref"]]
    return mine


class KeptDates:
    """The invoice stage's dates of the orders it looks at again every night (a short-shipped order of a "reject"
    partner waiting on its balance, one nothing of which shipped: is its last date past?), kept in the state store
    (StateStore.kept_order_dates) so that each is read from its stored tables once, not every night again
    (docs/design-night-in-arrow.md, "Session 65"): the same rows order_dates and line_deadlines read, picked alike.
    ``close`` keeps the rows read here and lets go of those of orders no longer asked for."""

    def __init__(self, store: OrderStore, state: StateStore, partners: Collection[str]) -> None:
        self.store, self.state, self.partners = store, state, partners
        self.rows: dict[tuple[str, str, str], list[dict]] = {}
        self.read: dict[tuple[str, str, str], list[dict]] = {}  # read from the stored tables here: to keep
        self.asked: set[tuple[str, str, str]] = set()

    def dates(self, records: Iterable) -> tuple[dict[tuple[str, str], dict], dict[tuple[str, str], dict[int, dict]]]:
        """(order_dates(records), line_deadlines(records)) from the rows kept, each order's read from its stored
        tables when none are (each table once, both its ORDERS and ORDER_LINES, only the columns those read)."""
        records = [r for r in records if r.lines_key]
        keys = {(r.partner, r.po_number, r.lines_key) for r in records}
        self.asked |= keys
        self.rows.update(self.state.kept_order_dates(keys - self.rows.keys()))
        missing = [r for r in records if (r.partner, r.po_number, r.lines_key) not in self.rows]
        for r, got in per_stored_table(missing, self._stored):
            key = (r.partner, r.po_number, r.lines_key)
            if got is not None and key not in self.rows and (rows := got.get(r.po_number)):
                self.rows[key] = self.read[key] = rows
        heads, own = {}, {}
        for r in records:
            rows = self.rows.get((r.partner, r.po_number, r.lines_key))
            if not rows:
                continue
            orders = [{c: r.po_number if c == "po_number" else x[c] for c in _DATE_COLUMNS} for x in rows
                      if x["kind"] == "order"]
            if orders:
                same = [x for x in orders if r.order_ref and x["order_ref"] == r.order_ref]
                heads[r.key] = (same or orders)[-1]
            if mine := _rows_of(r, [{c: r.po_number if c == "po_number" else x[c] for c in _LINE_DATE_COLUMNS}
                                    for x in rows if x["kind"] == "line"]):
                own[r.key] = {x["line_number"]: x for x in mine}
        return heads, own

    def _stored(self, partner: str, lines_key: str) -> dict[str, list[dict]]:
        """PO -> its rows of stored table (partner, lines_key): its ORDERS rows, then its ORDER_LINES rows that
        carry a date of their own, in their stored order, as kept_order_dates gives them back."""
        out: dict[str, list[dict]] = {}
        for row in self.store.load_orders(partner, lines_key, _DATE_COLUMNS).to_pylist():
            out.setdefault(row["po_number"], []).append({"kind": "order", **row})
        _o, lines = self.store.load_columns(partner, lines_key, ["order_ref"], _LINE_DATE_COLUMNS)
        have = pc.is_valid(lines[_OWN_DATES[0]])
        for c in _OWN_DATES[1:]:
            have = pc.or_(have, pc.is_valid(lines[c]))
        for row in lines.filter(have).to_pylist():
            out.setdefault(row["po_number"], []).append({"kind": "line", **row})
        return out

    def close(self) -> None:
        """Keep the rows read from stored tables here; let go of the rows of every order of ``partners`` (the run's)
        not asked for."""
        self.state.keep_order_dates(self.read, keep=self.asked, partners=self.partners)
        self.read = {}


def line_requirements(store: OrderStore, records: Iterable) -> dict[tuple[str, str], dict[int, str]]:
    """(partner, PO) -> line number -> the line's own sales requirement (its PO1 or POC loop's CSH01, else IT801: its
    current revision's stored ORDER_LINES sales_requirement; lines without one left out, a table stored before the
    column existed reads none), each stored table read once, only those columns: a line's own back-order rule
    governs its balance after a short shipment (engine.lifecycle.balance). Unreadable tables are left out."""
    def ruled(partner: str, lines_key: str) -> list[dict]:
        _o, lines = store.load_columns(partner, lines_key, ["order_ref"],
                                       ["order_ref", "po_number", "line_number", "sales_requirement"])
        return lines.filter(pc.is_valid(lines["sales_requirement"])).to_pylist()

    out: dict[tuple[str, str], dict[int, str]] = {}
    for r, rows in per_stored_table(records, ruled):
        if mine := _rows_of(r, rows or ()):
            out[r.key] = {x["line_number"]: x["sales_requirement"] for x in mine}
    return out


def merged_totals(*parts: Iterable[dict]) -> list[dict]:
    """Reservation totals (warehouse, sku, quantity) of several lists, summed per warehouse and SKU."""
    sums: dict[tuple[str, str], int] = {}
    for rows in parts:
        for r in rows:
            sums[(r["warehouse"], r["sku"])] = sums.get((r["warehouse"], r["sku"]), 0) + int(r["quantity"])
    return [{"warehouse": w, "sku": k, "quantity": q} for (w, k), q in sorted(sums.items()) if q]


# --- once per run: 810s and closing -----------------------------------------------------------------
def invoice_run(ws: Workspace, profiles: Mapping[str, PartnerProfile], state: StateStore, ref: ReferenceData, *,
                now: datetime, run_id: str, check: Check | None = None) -> InvoiceResult:
    """Close invoiced orders whose 810s were delivered by an earlier run (at an earlier run clock: so a
    rerun after a crash, with the crashed run's clock, closes what the uninterrupted run would have),
    then build every 810 due (each checked as rendered by ``check``, default outbound_check; numbers
    taken in the transaction that stores them: an 810 refused rolls it back and the invoices are
    numbered again without it, so no gap)."""
    with gc_paused():  # each full collection walks the night's earlier objects too
        return _invoice_run(ws, profiles, state, ref, now=now, run_id=run_id, check=check or outbound_check)


def _invoice_run(ws: Workspace, profiles: Mapping[str, PartnerProfile], state: StateStore, ref: ReferenceData, *,
                 now: datetime, run_id: str, check: Check) -> InvoiceResult:
    res = InvoiceResult()
    at = now.isoformat()
    delivered = billing.delivered_orders(state.closing_invoices(lifecycle.TO_CLOSE), before=at)
    if delivered:
        closing = sorted(state.orders_for(k for k, ok in delivered.items() if ok).values(), key=lambda r: r.key)
        plan = billing.plan_close(closing, lines=billing.billed_lines(state.billing_lines(r.key for r in closing)),
                                  delivered=delivered, at=at, run_id=run_id)
        state.apply(plan, at=at, run_id=run_id)
        res.closed = len(plan.transitions)
    services = service_skus(ref.items)
    _balances_cancelled(ws, profiles, state, services, at=at, run_id=run_id)
    memo = memo_types(profiles)
    if memo:  # memo orders shipped in full: no 810 goes, they end shipped_on_memo
        plan = billing.plan_memo(state.memo_orders(memo, lifecycle.TO_MEMO), profiles, at=at, run_id=run_id)
        if plan.transitions:
            state.apply(plan, at=at, run_id=run_id)
        res.on_memo = len(plan.transitions)
    if services:  # an order of services alone (or with nothing else left to ship): delivered now, billed below
        owed = {r.key: r for r in state.orders_with_skus(services, lifecycle.SHIPPABLE)}
        if owed:
            plan = shipping.plan_service_deliveries(owed, state.line_table_for(owed), services, profiles,
                                                    today=now.date(), at=at, run_id=run_id)
            if plan.transitions:
                state.apply(plan, at=at, run_id=run_id)
    if partner_marks(profiles):  # bill-only orders acknowledged: their usage recorded now (no 856), billed below
        owed = {r.key: r for r in state.orders_with_line_reason(BILL_ONLY, lifecycle.SHIPPABLE)}
        if owed:
            plan = shipping.plan_bill_only(owed, state.line_table_for(owed), profiles, today=now.date(), at=at,
                                           run_id=run_id)
            if plan.transitions:
                state.apply(plan, at=at, run_id=run_id)
    billable = [pid for pid, p in profiles.items() if p.invoiced]
    heads, shipped = state.billing_shipments(billable)
    units = billing.shipment_units(shipped)  # per shipment and PO, the units shipped (None: from the lines)
    # the DC each store-level partner's store is shipped through (ship_tos.csv dc): the 810's N1*ST, as the 856's
    dcs = _store_dcs(ref, profiles)
    # a partner billed per store, or whose stores go through DCs, reads each line's store (its ShippedUnits)
    pending = billing.shipments_to_bill(heads, shipped, with_lines=units is None or _per_store(profiles) or bool(dcs))
    if not pending:
        return res
    order_shipments = billing.order_shipments(pending, units)
    keys = set(order_shipments)
    records = billing.billed_orders(state.billing_orders(keys))  # an order's state, revision and stored tables
    line_table = state.billing_lines(keys)
    lines = billing.Lazy(billing.billed_lines, line_table)  # as BilledLines: what an 810 built alone reads
    invoiced = state.invoiced_shipment_pos((s.warehouse, s.shipment_id) for s in pending)
    keys_sent = state.invoiced_shipment_keys((s.warehouse, s.shipment_id) for s in pending) \
        if _per_store(profiles) else None  # per store: which stores' 810s went
    due, billed = billing.invoices_due(shipments=pending, invoiced_pos=invoiced, records=records, lines=lines,
                                       order_shipments=order_shipments, profiles=profiles, units=units,
                                       invoiced_keys=keys_sent, carried=_later_stops(state, pending))
    if not due and not billed:
        return res
    orders, order_lines = _canonical(ws, (records[(d.partner, d.po_number)] for d in due), billing.CANONICAL_COLUMNS)
    customers = {c["partner"]: c for c in ref.customers.to_pylist()}
    # the partner's currency (CUR) and FOB where the PO sent none and its 810s state them
    orders = with_agreed_fob(billing.with_agreed_currency(orders, customers, profiles), profiles)
    orders = _reference_addresses(orders, ref, profiles)  # a ship-to named by id alone: ship_tos.csv's address
    order_lines = _reference_addresses(order_lines, ref, profiles)  # (and a line's own: an 810 per shipment's N1*ST)
    if any_substituted(line_table):
        # a substitute's IT1 names the part shipped (the buyer's own ids as sent), as its 856 did
        order_lines = as_shipped(order_lines, state.line_table_for({(d.partner, d.po_number) for d in due}),
                                 ref.items)
    described = {pid for pid, p in profiles.items() if p.fulfilment.invoice.item_pid}  # a PID on every IT1
    if described:
        skus = {(r.partner, r.po_number, r.line_number): r.sku for rows in state.lines_for(
            {(d.partner, d.po_number) for d in due if d.partner in described}).values() for r in rows}
        order_lines = billing.with_item_descriptions(order_lines, skus, ref.items, described)
    identified = {pid: p.fulfilment.invoice.item_ids for pid, p in profiles.items() if p.fulfilment.invoice.item_ids}
    if identified:  # every IT1 names the item by one of the ids the partner's 810 requires (a UPC or case code)
        skus = {(r.partner, r.po_number, r.line_number): r.sku for rows in state.lines_for(
            {(d.partner, d.po_number) for d in due if d.partner in identified}).values() for r in rows}
        order_lines = billing.with_item_ids(order_lines, skus, ref.items, identified)
        unnamed = billing.without_item_ids(order_lines, skus, ref.items, identified)
    else:
        unnamed = {}
    exempting = {pid for pid, p in profiles.items() if any(t.exempt for t in p.fulfilment.invoice.taxes)}
    classes = billing.tax_classes({(r.partner, r.po_number, r.line_number): r.sku for rows in state.lines_for(
        {(d.partner, d.po_number) for d in due if d.partner in exempting}).values() for r in rows if r.sku},
        ref.items) if exempting else None  # the items a tax exempts (items.csv tax_class)
    order_rows = billing.Lazy(billing.order_rows, orders)  # what an 810 built alone reads of its order
    line_rows = billing.Lazy(billing.line_texts, order_lines)  # what an 810 built alone reads of a line
    # the 880s held for a partial dozen before (INVOICE_HELD_NOT_ON_880): held again without a word
    grocers = {(d.partner, d.po_number) for d in due if profiles[d.partner].invoice_set == "880"}
    held = state.finding_values(billing.HELD_NOT_ON_880, grocers) if grocers else set()
    # a bill-only order billed before, whose 810 here bills what an 860 added since: its earlier 810s, to name it
    earlier = {k: tuple(v.invoice_number for v in state.invoices_for_order(*k))
               for k in sorted(billing.billed_again(due, lines))} if partner_marks(profiles) else {}
    refused: dict[str, list[Finding]] = {}
    while True:
        prepared, problems = billing.prepare_invoices(due, lines=lines, orders=order_rows, order_lines=line_rows,
                                                      customers=customers, profiles=profiles,
                                                      invoice_date=now.date(), refused=refused,
                                                      tables=billing.BillingTables(line_table, order_lines, orders),
                                                      weights=lambda: billing.net_weights(state.net_weights(
                                                          {(d.partner, d.po_number) for d in due})),
                                                      sacs=_po_sacs(ws, state, due, records, profiles),
                                                      ship_tos=billing.line_ship_tos(orders, heading_only(
                                                          order_lines, _heading_only(profiles))),
                                                      places=invoice_taxes.ship_to_places(ref.ship_tos, [
                                                          p for p, prof in profiles.items()
                                                          if prof.fulfilment.invoice.taxes]), classes=classes,
                                                      dcs=dcs, unnamed=unnamed, service_names=_service_names(ws),
                                                      held=held)
        try:
            with state.transaction():
                numbers = state.take_invoice_numbers(len(prepared))
                plan = billing.plan_invoices(prepared, numbers=numbers, records=records, lines=lines,
                                             profiles=profiles, billed=billed, at=at, run_id=run_id,
                                             earlier=earlier) + Plan(findings=problems)
                plan = lifecycle.batch_documents(  # the partners' delivery.batch, each to its order's buyer
                    plan, profiles, state.buyer_gs_ids(lifecycle.asked_buyers(plan, profiles)))
                rendered = CheckedRender(renderer(profiles, now), check)
                applied = state.apply(plan, render=rendered, hold=holder(profiles, stage="invoicing"), at=at,
                                      run_id=run_id)
                rendered.verify()
            break
        except OutboundRefused as exc:
            if set(exc.refused) & set(refused):
                raise
            refused.update(exc.refused)
    plan = plan + Plan(findings=tuple(applied.held))
    res.invoices = len(plan.invoices)
    res.held = sum(1 for d in due if profiles[d.partner].invoice_set == "880" and billing.unstated(
        d.quantities, lines.get((d.partner, d.po_number), ())))
    res.documents.update(sets_sent(plan))
    for fr in plan.findings:
        res.findings.append(_row(fr.finding, fr.partner, fr.consequence))
        res.errors += fr.finding.severity == "error"
    return res


def _service_names(ws: Workspace) -> dict[str, Mapping[str, str]]:
    """Each warehouse's own names for its services (WarehouseProfile.service_levels, by warehouse id), as the 856
    read them: an invoice's CAD whose transport method is worked out again reads the shipment's service so too
    (billing.prepare_invoices). A warehouse profile that does not load names none here (the shipments stage
    reports it)."""
    try:
        warehouses = ws.warehouses()
    except ConfigError:
        return {}
    return {wid: w.service_levels for wid, w in warehouses.items() if w.service_levels}


def _balances_cancelled(ws: Workspace, profiles: Mapping[str, PartnerProfile], state: StateStore,
                        services: Collection[str], *, at: str, run_id: str) -> int:
    """The balances cancelled in this run (engine.lifecycle.balance.plan_balances decides which and how): the orders
    the run's shipments carried that take no back order (CSH01 N, SP) or shipped within the partner's tolerance, the
    orders of a "reject" partner shipped short past their last date, whatever run shipped them, and those nothing of
    which shipped by then (acknowledged: their dates read first, balance.unshipped_past; then their lines). Run after
    all of the run's confirmations are applied (a second warehouse's shipment of the same night counts), before the
    810s are due (a per-order 810 goes in the same run) and the services are delivered. Loads, plans, applies: the
    orders moved."""
    terms = balance.balance_terms(profiles)
    today = datetime.fromisoformat(at).date()
    shipped_from = {k: v for k, v in state.shipped_from(run_id, balance.WAITING).items() if k[0] in profiles}
    late_from = {k: v for k, v in state.shipped_from(None, balance.WAITING, terms.rejecting).items()
                 if k[0] in profiles}
    store = OrderStore(ws.orders_dir)
    kept = KeptDates(store, state, profiles)  # the dates of orders looked at again every night, kept in the store
    # the orders nothing of which shipped (of a "reject" partner): their dates first, their lines if one passed
    idle = [r for r in state.orders(states=balance.UNSHIPPED, received_before=balance.received_before(terms, today))
            if r.partner in terms.rejecting] if terms.rejecting else []
    heads, own = kept.dates(idle) if idle else ({}, {})
    idle = balance.unshipped_past(idle, heads, own, terms=terms, today=today) if idle else []
    if not shipped_from and not late_from and not idle:
        kept.close()
        return 0
    records = state.orders_for({**late_from, **shipped_from}) | {r.key: r for r in idle}
    lines, held = state.lines_for(records), state.reservations_for(records)
    headed, late = balance.dates_wanted(records, lines=lines, reservations=held, shipped_from=shipped_from,
                                        late_from=late_from, terms=terms, services=services)
    # the late orders' dates as kept (each read from its stored tables once); the run's shipped orders' from theirs
    late_heads, late_own = kept.dates(late) if late else ({}, {})
    kept.close()
    seen = {r.key for r in late}
    carried = [r for r in headed if r.key in shipped_from]  # (a line's own CSH01 / IT801 governs its balance)
    plan = balance.plan_balances(records, lines=lines, reservations=held, shipped_from=shipped_from,
                                 late_from=late_from,
                                 heads=order_dates(store, [r for r in headed if r.key not in seen]) | late_heads
                                 | heads, line_dates=late_own | own, terms=terms,
                                 today=today, at=at, run_id=run_id, services=services,
                                 own=line_requirements(store, carried) if carried else {})
    if plan.transitions or plan.findings:
        state.apply(plan, at=at, run_id=run_id)
    return len(plan.transitions)


def _store_dcs(ref: ReferenceData, profiles: Mapping[str, PartnerProfile]) -> dict:
    """engine.shipments.store_dcs of the store-level partners (fulfilment.asn.store_level: their confirmations keep
    each carton's store): (partner, store) -> the DC it is shipped through."""
    return store_dcs(ref.ship_tos, {pid for pid, p in profiles.items() if p.fulfilment.asn.store_level})


def _reference_addresses(orders: pa.Table, ref: ReferenceData, profiles: Mapping[str, PartnerProfile]) -> pa.Table:
    """engine.shipments.with_reference_addresses for the partners whose profile asks it
    (fulfilment.ship_to_address_from_reference): a ship-to the PO named by id alone has ship_tos.csv's address
    (``orders``: ORDERS rows, or ORDER_LINES rows, whose own ship-to columns have the same names)."""
    return with_reference_addresses(orders, ref.ship_tos, {
        pid for pid, p in profiles.items() if p.fulfilment.ship_to_address_from_reference})


def _per_store(profiles: Mapping[str, PartnerProfile]) -> bool:
    """Whether a partner is billed per store ([fulfilment.invoice] per "store": an 810 per shipment, PO and store)."""
    return any(p.fulfilment.invoice.per == "store" for p in profiles.values())


def memo_types(profiles: Mapping[str, PartnerProfile]) -> dict[str, tuple[str, ...]]:
    """partner -> its [fulfilment.invoice] memo_order_types, for the partners receiving 810s that name some."""
    return {pid: p.fulfilment.invoice.memo_order_types for pid, p in profiles.items()
            if p.invoiced and p.fulfilment.invoice.memo_order_types}


def _po_sacs(ws: Workspace, state: StateStore, due: Sequence, records: Mapping,
             profiles: Mapping[str, PartnerProfile]) -> dict:
    """Per order billed: the PO's own SACs its 810s carry (engine.invoice_po_sacs decides). An order no 860
    changed: its 850's, from the SAC table stored beside its current canonical tables (stored_po_sacs: read once
    per stored file; one stored before SACs were kept has none there: nothing carried), with its lines' units
    ordered. An order an applied 860 changed: its current SACs (_changed_po_sacs)."""
    wanted = {(d.partner, d.po_number) for d in due if profiles[d.partner].fulfilment.invoice.po_allowances}
    if not wanted:
        return {}
    store = OrderStore(ws.orders_dir)
    changes = state.pending_changes(statuses=("applied", "answered"), keys=sorted(wanted))
    changed = {(c.partner, c.po_number) for c in changes}
    kept: dict[str, frozenset[str]] = {}
    files: dict[tuple[str, str], list[tuple[str, str]]] = {}  # per stored file: its orders' (PO, order ref)
    for key in sorted(wanted - changed):
        r = records.get(key)
        if r is None or not r.lines_key:
            continue
        if key[0] not in kept:
            kept[key[0]] = store.sac_keys(key[0])
        if r.lines_key in kept[key[0]]:
            files.setdefault((key[0], r.lines_key), []).append((key[1], r.order_ref or ""))
    stored = []
    for (partner, file_key), pos in files.items():  # each file read once, its orders picked per column
        try:
            sacs = store.load_sacs(partner, file_key)
            if not sacs.num_rows:
                continue
            lines = store.load_columns(partner, file_key, ["po_number"],  # (prices: the PO's value, po_value)
                                       ["order_ref", "po_number", "line_number", "quantity", "unit", "unit_price",
                                        "price_basis"])[1]
        except StateError:
            continue
        stored.append(StoredSacs(partner, sacs, lines, tuple(pos)))
    out = stored_po_sacs(stored, {p: profiles[p].fulfilment.invoice for p, _k in files})
    if changed:
        out = without_orders(out, changed)
        out.update(_changed_po_sacs(ws, state, store, sorted(changed), changes, profiles))
    return out


def _changed_po_sacs(ws: Workspace, state: StateStore, store: OrderStore, keys: Sequence[tuple[str, str]],
                     changes: Sequence, profiles: Mapping[str, PartnerProfile]) -> dict:
    """The current SACs the 810s of ``keys`` (orders an applied or answered 860 of ``changes`` changed) carry
    (engine.invoice_po_sacs.current_po_sacs): read as the reconciliation reads the order's promise (flows.reconcile:
    its 850's stored SACs, then each 860's we accepted, less what our 865 refused: the 865s are read only when one
    of these 860s sent SACs), with the units and prices of its current lines (a heading SAC05 beside a percent judged
    by the order as changed: po_value)."""
    found = state.orders_for(keys)
    records = [found[k] for k in keys if k in found]
    orders = pa.table({"partner": pa.array([r.partner for r in records], pa.string()),
                       "po_number": pa.array([r.po_number for r in records], pa.string()),
                       "order_ref": pa.array([r.order_ref or None for r in records], pa.string()),
                       "source_sha256": pa.array([r.source_sha256 or None for r in records], pa.string())})
    sacs, covered = stored_sacs(ws, orders)
    if not covered.num_rows:
        return {}
    sent_sacs = {p: store.sac_keys(p, "change-sacs") for p in sorted({c.partner for c in changes})}
    refusals = finance_inputs.change_refusals(state.sent_documents(("865",)), state.sent_sets_of(("865",))) \
        if any(c.store_key in sent_sacs[c.partner] for c in changes) else {}
    charges = finance_inputs.with_changes(
        finance_inputs.stored_po_charges(sacs, orders, keep=CARRIED_COLUMNS),
        changed_sacs(ws, state, covered, refusals, keep=CARRIED_COLUMNS))
    columns = ["order_ref", "po_number", "line_number", "line_id", "quantity", "unit", "unit_price", "price_basis"]
    lines = []
    for r in records:
        if not r.lines_key:
            continue
        try:
            mine = orders_rows(store.load_columns(r.partner, r.lines_key, ["po_number"], columns)[1],
                               [(r.po_number, r.order_ref or "")])
        except StateError:
            continue
        lines.append(mine.append_column("partner", pa.array([r.partner] * mine.num_rows, pa.string())))
    current = pa.concat_tables(lines) if lines else pa.table(
        {c: pa.array([], pa.string()) for c in ("partner", "po_number", "line_id")} | {
            "line_number": pa.array([], pa.int64()), "quantity": pa.array([], pa.decimal128(18, 4))})
    return current_po_sacs(charges, current, {p: profiles[p].fulfilment.invoice for p, _po in keys})


# --- what the flows need around these stages ---------------------------------------------------------
def work_waiting(ws: Workspace, state: StateStore, profiles: Mapping[str, PartnerProfile], *,
                 open_drop: Callable[[WarehouseProfile], FileDrop] | None = None) -> bool:
    """Is there anything for the shipments flow: a confirmation in a warehouse inbox not taken before, a
    shipment not billed, an invoiced order to close or a document not delivered? (Cheap: no file is read,
    but one an inbox we may not change (``leave_in_inbox``) still lists under the name and size of a
    confirmation taken before: read to compare its hash, so that one changed under its old name is
    work, the one taken is not.) A remote warehouse drop is listed through ``open_drop`` (none given: it
    counts as work); one that cannot be listed counts as work, so that the run connects again and
    reports what is wrong."""
    if confirmations_waiting(ws, state, open_drop=open_drop, first=True):
        return True
    if _billing_waiting(state, profiles):
        return True
    return bool(state.orders(states=lifecycle.TO_CLOSE)) or any(state.pending_documents(pid) for pid in profiles)


def _billing_waiting(state: StateStore, profiles: Mapping[str, PartnerProfile]) -> bool:
    """A shipment to bill now: one billed per shipment, or one billed per order whose order invoice_run
    would bill (billing.invoices_due, as it plans: read only). An order shipped in part, billed once
    complete, is no work for each interval until the rest ships (it recorded an empty run each time); nor is
    a grocer's 880 held for a partial dozen (INVOICE_HELD_NOT_ON_880) until a shipment completes it."""
    billable = [pid for pid, p in profiles.items() if p.invoiced]
    per_shipment = bool(state.shipments(billing="shipment", partners=billable))
    if per_shipment and not any(profiles[pid].invoice_set == "880" for pid in billable):
        return True  # (a grocer's shipment may wait for its dozen: planned below, as invoice_run would)
    memo = memo_types(profiles)
    if memo and state.memo_orders(memo, lifecycle.TO_MEMO):
        return True  # a memo order shipped in full moves to shipped_on_memo
    if not per_shipment and not state.shipments(billing="order", partners=billable):
        return False
    heads, shipped = state.billing_shipments(billable)
    units = billing.shipment_units(shipped)
    pending = billing.shipments_to_bill(heads, shipped, with_lines=units is None or _per_store(profiles))
    order_shipments = billing.order_shipments(pending, units)
    keys = set(order_shipments)
    records = billing.billed_orders(state.billing_orders(keys))
    lines = billing.Lazy(billing.billed_lines, state.billing_lines(keys))
    invoiced = state.invoiced_shipment_pos((s.warehouse, s.shipment_id) for s in pending)
    keys_sent = state.invoiced_shipment_keys((s.warehouse, s.shipment_id) for s in pending) \
        if _per_store(profiles) else None  # per store: which stores' 810s went
    due, billed = billing.invoices_due(shipments=pending, invoiced_pos=invoiced, records=records, lines=lines,
                                       order_shipments=order_shipments, profiles=profiles, units=units,
                                       invoiced_keys=keys_sent)
    # an 880 held for a partial dozen before (INVOICE_HELD_NOT_ON_880), still held: no work until a shipment frees it
    grocers = {(d.partner, d.po_number) for d in due if profiles[d.partner].invoice_set == "880"}
    held = state.finding_values(billing.HELD_NOT_ON_880, grocers) if grocers else set()
    waiting = {d.doc_key for d in due if d.doc_key in held and billing.unstated(
        d.quantities, lines.get((d.partner, d.po_number), ()))}
    return any(d.doc_key not in waiting for d in due) or any(not set(w) & waiting for w in billed.values())


def confirmations_waiting(ws: Workspace, state: StateStore, *,
                          open_drop: Callable[[WarehouseProfile], FileDrop] | None = None,
                          first: bool = False) -> list[str]:
    """The warehouses (ids, sorted) whose inbox holds a confirmation for the shipments flow (as
    work_waiting sees it; ``first``: stop at the first one)."""
    out = []
    for wid, warehouse in sorted(ws.warehouses().items()):
        if _inbox_waiting(ws, warehouse, state, open_drop):
            out.append(wid)
            if first:
                break
    return out


def _inbox_waiting(ws: Workspace, warehouse: WarehouseProfile, state: StateStore,
                   open_drop: Callable[[WarehouseProfile], FileDrop] | None) -> bool:
    if state.takes_due(files_key(warehouse)):  # a confirmation ops asked to take again (`orderbridge retake`)
        return True
    if warehouse.drop.kind == "local":
        return any(warehouse_drops(ws)(warehouse).list("inbox"))
    if open_drop is None:
        return True
    try:
        drop = open_drop(warehouse)
        try:
            return any(not _taken_before(drop, state, warehouse, info) for info in drop.list("inbox"))
        finally:
            drop.close()
    except Exception:  # noqa: BLE001 - a server down or refusing us: the run says so in its report
        return True


def _taken_before(drop: FileDrop, state: StateStore, warehouse: WarehouseProfile, info) -> bool:
    """A listed confirmation that ship_warehouse would pass over quietly (taking.left_on_server: taken
    before, in an inbox we may not change): only a file listed under a name and size taken before, or
    under a name whose FILE_DUPLICATE was recorded, is read to compare its hash."""
    if not getattr(drop, "leaves_taken_files", False) or not is_safe_name(info.name):
        return False
    key = files_key(warehouse)
    if info.size not in state.taken_sizes(key, info.name) and not any(
            state.file_finding_recorded(p, "shipments", "FILE_DUPLICATE", info.name) for p in (key, "")):
        return False
    data = taking.read_listed(drop, info, who=f"warehouse {warehouse.id}")
    if data is None:  # changing or gone: the run after it settles takes it
        return True
    sha = hashlib.sha256(data).hexdigest()
    return taking.left_on_server(drop, state, key, sha, info.name, partner=(key, ""), stage="shipments")


def sets_sent(plan: Plan) -> Counter:
    """The plan's transaction sets counted "partner:type" (an interchange may hold several)."""
    out: Counter = Counter()
    for d in plan.documents:
        out[f"{d.partner}:{d.doc_type}"] += len(d.sets)
    return out


def merge_documents(results: list, warehouses: list[dict], invoicing: dict) -> None:
    """Add the 856s and 810s built (counted "partner:type") to each partner's result."""
    by = {r.partner: r for r in results}
    for counts in [w["documents"] for w in warehouses] + [invoicing.get("documents", {})]:
        for key, n in counts.items():
            partner, doc_type = key.split(":", 1)
            if partner in by:
                by[partner].documents[doc_type] += n


def _row(f: Finding, partner: str, consequence: str = "") -> dict:
    row = f.to_dict()
    row["partner"] = partner
    if consequence:
        row["consequence"] = consequence
    return row
