"""Reconciliation for finance, once per run after delivery (and on demand): the four sides and the
partners' 997s read from the state store, our documents' verdicts and the four-way match from
engine/, exceptions booked with their states and history, then the finance report and the KPI
dashboard written into the run's report folder and the workspace's cumulative one.

  reconcile_run    the nightly stage: match, book, write reports/<run>/finance/ and reports/finance/
  write_cumulative every exception ever found (or about POs since a date), each run's totals, the
                   history; what `orderbridge report` writes, from the store alone

Nothing here decides: engine.partner_acks, engine.reconcile and engine.exception_states do.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from connectors.document_rows import DocumentRows, kept_rows
from connectors.order_store import OrderStore
from connectors.state import StateStore
from engine import exception_states, finance_inputs
from engine.charge_match import match_charges
from engine.dashboard import render_dashboard
from engine.finance_report import (
    build_finance_report,
    charges_section,
    documents_section,
    history_section,
    invoices_section,
    render_html,
    trend_section,
    write_csv,
)
from engine.kpis import compute_kpis, with_exceptions
from engine.lifecycle.allowance_hold import ALLOWANCE_AFTER_SHIPMENT_HELD, figures, rejected_sacs
from engine.partner_acks import match_acks, with_answered_recorded
from engine.reconcile import reconcile
from engine.remittance import match_remittance, remittance_kpis, remittance_section
from flows import handoff
from flows.gc_pause import gc_paused
from flows.memory import release_freed
from flows.workspace import Workspace
from schemas.changes import CHANGE_SACS
from schemas.errors import StateError
from schemas.finance import FinanceSettings
from schemas.findings import Finding
from schemas.fulfilment import CsvAckSettings
from schemas.functional_acks import DOCUMENT_STATUS
from schemas.orders import ORDER_SACS
from schemas.profile import PartnerProfile
from schemas.reconciliation import (
    AGREED_CHARGES,
    EVIDENCE,
    INVOICE_CHARGES,
    INVOICE_MATCH,
    INVOICE_TOTALS,
    PO_ALLOWANCES,
    PO_CHARGES,
)
from schemas.remittance import REMITTANCE
from schemas.units import PRICE_PER_WEIGHT

FOLDER = "finance"  # reports/<run>/finance/ per run, reports/finance/ cumulative
# tables the per-run and the cumulative report may both hold (the cumulative copies the per-run files)
SHARED = ("document_status", "lines", "invoices", "charges")


@dataclass
class Inputs:
    """The reconciliation's inputs as read from the store (schemas.reconciliation tables)."""

    ordered: pa.Table
    acknowledged: pa.Table
    shipped: pa.Table
    invoiced: pa.Table
    sent: pa.Table  # SENT_SETS
    acks: pa.Table  # FUNCTIONAL_ACKS
    findings: pa.Table  # RECEIVED_FINDINGS
    invoice_totals: pa.Table = field(default_factory=INVOICE_TOTALS.empty_table)  # our 810s' SACs and TDS
    po_allowances: pa.Table = field(default_factory=PO_ALLOWANCES.empty_table)  # 850s' SAC allowances not applied
    catch_weight: pa.Table | None = None  # the catch-weight lines (engine.finance_inputs.catch_weight_lines)
    po_charges: pa.Table = field(default_factory=PO_CHARGES.empty_table)  # 850s' SAC allowances and charges
    invoice_charges: pa.Table = field(default_factory=INVOICE_CHARGES.empty_table)  # our 810s' SACs
    agreed_charges: pa.Table = field(default_factory=AGREED_CHARGES.empty_table)  # the profiles' invoice charges
    # the orders shipped on memo ([fulfilment.invoice] memo_order_types): billed by no 810, by agreement
    memo: pa.Table = field(default_factory=finance_inputs.MEMO_ORDERS.empty_table)
    held_shipments: pa.Table | None = None  # the ship stage's findings that held a confirmed shipment
    # the partners' 820 remittances and 812 adjustments as kept at intake (schemas.remittance, flows.handoff)
    remittance: pa.Table = field(default_factory=REMITTANCE.empty_table)


@dataclass
class FinanceResult:
    summary: dict = field(default_factory=dict)  # the reconciliations row
    reports: dict[str, str] = field(default_factory=dict)


def settings_of(profiles: dict[str, PartnerProfile]) -> dict[str, FinanceSettings]:
    return {pid: p.finance_settings for pid, p in profiles.items()}


def over_ship_of(profiles: dict[str, PartnerProfile]) -> dict:
    """Each partner's agreed over-shipment tolerance ([fulfilment] over_ship_percent), those that have one."""
    return {pid: p.fulfilment.over_ship_percent for pid, p in profiles.items() if p.fulfilment.over_ship_percent}


def load_inputs(ws: Workspace, state: StateStore, profiles: dict[str, PartnerProfile], *,
                keep_lines: bool = False) -> Inputs:
    """Every table the reconciliation needs, each read with one query (the 850s' requested ship dates:
    each stored order table once). SHIPPED and INVOICED: the shipments and invoices of our own flow
    (flows.shipments) and the 856s and 810s other systems of ours sent (`orderbridge record`). ``keep_lines``:
    the order lines read with every column the run's report writes, kept for it (reconcile_run's hand_on)."""
    orders, lines = state.finance_orders(), state.finance_lines(finance_inputs.LINE_COLUMNS, keep=keep_lines)
    sent = state.sent_sets_of((*finance_inputs.PARTNER_ACKED, *finance_inputs.OUR_997))
    events = state.events_of(finance_inputs.CANCEL_EVENTS)
    tables, order_lines = _order_tables(ws, orders)  # and the lines' units and price bases (the catch weights)
    requested = finance_inputs.requested_dates(tables)
    releases = finance_inputs.order_releases(tables)  # a document naming a release: which order it is
    # what other systems of ours sent (`orderbridge record`) and what we shipped and invoiced ourselves
    fulfilled, amounts = state.fulfilment_and_amounts()  # our invoice lines read once for both
    # (an 856 recorded again under new numbers: one document, timed by its first sending, as our own resends)
    others, recorded_resent = finance_inputs.recorded_resends(state.recorded_lines())
    recorded = pa.concat_tables([others, fulfilled])
    keep = list(profiles)
    acks = state.partner_acks()
    echoes = finance_inputs.line_echoes(lines)  # the same for the 855s', 856s' and 810s' lines
    catch = finance_inputs.catch_weight_lines(order_lines)  # valued by their net weight shipped
    weights = [(p, r[1], r[2], r[3], r[4], r[5]) for p, po in sorted(set(zip(
        catch["partner"].to_pylist(), catch["po_number"].to_pylist(), strict=True)))
        for r in state.net_weights([(p, po)])] if catch.num_rows else []
    invoices, invoice_rows = _document_rows(ws, state, finance_inputs.INVOICE_SETS, "invoices",  # each once
                                            g72_codes=g72_maps(profiles))
    totals, billed = finance_inputs.invoice_totals_and_charges(invoices, rows=(invoice_rows["totals"],
                                                                                 invoice_rows["charges"]))
    # what the 850s' SACs promised: as stored with their orders; an order stored before they were kept,
    # read from the words of its SAC_NOT_APPLIED finding (the ten it names)
    stored, covered = stored_sacs(ws, orders)
    # and what the 860s applied to those orders added, changed or took off (engine.finance_inputs.with_changes)
    # (only what we accepted: a change or POC our 865 refused is no agreement); a line since deleted (a DI,
    # with or without a SAC of its own) promises nothing more
    answers, answer_rows = _document_rows(ws, state, finance_inputs.ANSWERS, "answers")  # each read once, ever
    refusals = finance_inputs.change_refusals(state.sent_documents(("865",)), sent)
    # (each promise dated: what was invoiced before an 860 is held to the promise standing then, not re-priced)
    charges = finance_inputs.without_deleted_lines(finance_inputs.with_changes(
        finance_inputs.stored_po_charges(stored, orders), changed_sacs(ws, state, covered, refusals, {
            (p, po) for p, po, st in zip(*(orders[c].to_pylist() for c in ("partner", "po_number", "state")),
                                         strict=True) if st in finance_inputs.REJECTED_ORDERS}, dated=True),
        dated=True), lines)
    asked = finance_inputs.findings_not_of(state.allowance_findings(), covered)
    old_charges = finance_inputs.po_charges(asked)
    po_charges = pa.concat_tables([old_charges, charges], promote_options="default") if old_charges.num_rows \
        else charges
    # (what the PO promises now: a promise an 860 ended is held to the 810s before it by the charge reconciliation)
    stored_allowances = finance_inputs.allowances_of(charges.filter(pc.is_null(charges["until"])) if "until" in
                                                     charges.column_names else charges)
    old_allowances = finance_inputs.allowances_of(old_charges)  # (the words read once, for both)
    allowances = pa.concat_tables([old_allowances, stored_allowances]) if old_allowances.num_rows \
        else stored_allowances
    # the documents sent again under new numbers, ours and those recorded: timed by their first sending
    first_sent = state.first_sendings()
    first_sent = pa.concat_tables([first_sent, recorded_resent.cast(first_sent.schema)])
    return Inputs(
        catch_weight=catch,
        ordered=finance_inputs.only_partners(finance_inputs.ordered(orders, lines, events, sent, requested,
                                                                    state.grocery_revisions()), keep),
        acknowledged=finance_inputs.only_partners(finance_inputs.acknowledged_in_units(  # a line taken by weight
            _with_csv_acks(ws, finance_inputs.acknowledged(answers, lines, echoes, releases,
                                                       answers=answer_rows["answers"], sent=sent),
                           state, lines, profiles, echoes, releases),
            finance_inputs.weighed_lines(order_lines)), keep),
        shipped=finance_inputs.only_partners(finance_inputs.with_weights(  # a catch-weight line's net weight
            finance_inputs.shipped(recorded, lines, echoes, releases, services=_services(ws),
                                   first_sent=first_sent), weights, catch), keep),
        invoiced=finance_inputs.only_partners(finance_inputs.invoiced(  # with the value each line billed
            recorded, lines, echoes, releases, amounts=amounts, first_sent=first_sent), keep),
        sent=finance_inputs.only_partners(with_answered_recorded(  # and the sets recorded ones answered
            finance_inputs.sent_sets(sent, state.fulfilment_refs()), finance_inputs.recorded_sets(others), acks), keep),
        acks=finance_inputs.only_partners(acks, keep),
        findings=finance_inputs.only_partners(finance_inputs.received_findings(state.partner_findings()), keep),
        invoice_totals=finance_inputs.only_partners(totals, keep),
        po_allowances=finance_inputs.only_partners(allowances, keep),
        po_charges=finance_inputs.only_partners(po_charges, keep),
        invoice_charges=finance_inputs.only_partners(billed, keep),
        agreed_charges=agreed_charges(profiles),
        memo=finance_inputs.only_partners(finance_inputs.memo_orders(orders, {
            pid: p.fulfilment.invoice.memo_order_types for pid, p in profiles.items()}), keep),
        held_shipments=finance_inputs.only_partners(state.held_shipment_findings(), keep),
        remittance=finance_inputs.only_partners(handoff.remittances(ws.root), keep),
    )


def _services(ws: Workspace) -> frozenset[str]:
    """The skus of our service items (items.csv kind "service"): delivered with a shipment, on no 856. None of them
    when the reference data does not load (the night's decide stage names that failure)."""
    from connectors.reference import load_reference
    from schemas.errors import ConfigError
    from schemas.reference import service_skus

    try:
        return service_skus(load_reference(ws.reference_dir).items)
    except ConfigError:
        return frozenset()


def _with_csv_acks(ws: Workspace, acknowledged: pa.Table, state: StateStore, lines: pa.Table,
                   profiles: dict[str, PartnerProfile], echoes: pa.Table, releases) -> pa.Table:
    """ACKNOWLEDGED of our 855s and 865s with the rows of the CSV acknowledgments a CSV partner receives in
    place of an 855, read back in its profile's layout (each document once, its rows kept under
    <workspace>/state/derived/: read in the layout it was written in): its orders are acknowledged as an
    855's are."""
    layouts = {pid: p.fulfilment.csv_ack or CsvAckSettings() for pid, p in profiles.items() if "csv_ack" in p.receives}
    if not layouts:
        return acknowledged
    name = "csv_answers"
    cache = DocumentRows(ws.state_path.parent / "derived" / f"csv-answers-v{finance_inputs.ROWS_VERSION}",
                         {name: finance_inputs.CSV_ROWS})
    heads = state.csv_acknowledgments(content=False)
    rows = kept_rows(cache, heads, lambda ids: state.csv_acknowledgments(ids=ids),
                     lambda docs: {name: finance_inputs.csv_answer_rows(docs, layouts)})[name]
    csv = finance_inputs.csv_acknowledged(heads, lines, echoes=echoes, releases=releases, rows=rows)
    if not csv.num_rows:
        return acknowledged
    both = pa.concat_tables([acknowledged, csv])
    return both.take(pc.sort_indices(both, sort_keys=[("partner", "ascending"), ("po_number", "ascending"),
                                                      ("line_number", "ascending"), ("sent_at", "ascending")]))


# what engine.finance_inputs reads out of our delivered documents, kept per document (connectors.document_rows)
DOCUMENT_ROWS = {"answers": {"answers": finance_inputs.ANSWER_ROWS},
                 "invoices": {"totals": finance_inputs.TOTAL_ROWS, "charges": finance_inputs.CHARGE_ROWS}}


def g72_maps(profiles: Mapping[str, PartnerProfile]) -> dict[str, dict[str, str]]:
    """partner -> its profile's [fulfilment.invoice] g72_codes, of the partners that have some: what an 880's G72s
    are read back through (engine.finance_inputs.invoice_rows)."""
    return {pid: dict(p.fulfilment.invoice.g72_codes) for pid, p in sorted(profiles.items())
            if p.fulfilment.invoice.g72_codes}


def _document_rows(ws: Workspace, state: StateStore, doc_types: tuple[str, ...], kind: str, *,
                   g72_codes: Mapping[str, Mapping[str, str]] | None = None
                   ) -> tuple[pa.Table, dict[str, pa.Table]]:
    """(the delivered documents of ``doc_types`` without their content, the rows engine.finance_inputs reads
    out of them: answer_rows for "answers", invoice_rows for "invoices"), each document's rows read out of
    it once and kept under <workspace>/state/derived/ (a document delivered before they were kept: read
    the first time it is reconciled). ``g72_codes`` (g72_maps): the profiles' maps an 880's G72s are read back
    through; rows read with maps are kept apart per maps (a folder named by their digest), so a map changed is
    read again, never taken from rows read with the old one."""
    schemas = DOCUMENT_ROWS[kind]
    folder = f"{kind}-v{finance_inputs.ROWS_VERSION}"
    if g72_codes:
        digest = hashlib.sha256(json.dumps(g72_codes, sort_keys=True).encode()).hexdigest()[:16]
        folder += f"-g72-{digest}"
    cache = DocumentRows(ws.state_path.parent / "derived" / folder, schemas)

    def read(docs: pa.Table) -> dict[str, pa.Table]:
        if kind == "answers":
            return {"answers": finance_inputs.answer_rows(docs)}
        totals, charges = finance_inputs.invoice_rows(docs, g72_codes=g72_codes)
        return {"totals": totals, "charges": charges}

    heads = state.sent_documents(doc_types, content=False)
    return heads, kept_rows(cache, heads, lambda ids: state.sent_documents(doc_types, ids=ids), read)


def agreed_charges(profiles: dict[str, PartnerProfile]) -> pa.Table:
    """AGREED_CHARGES: the SAC allowances and charges each partner's profile puts on its invoices, with their
    flat amount (and its scope: the charge's own, else the partner's invoicing policy) or percent."""
    rows = [{"partner": pid, "kind": c.kind, "code": c.code, "amount": c.amount, "percent": c.percent,
             "per": (c.per or p.fulfilment.invoice.charge_scope) if c.amount is not None else None}
            for pid, p in sorted(profiles.items()) for c in p.fulfilment.invoice.charges]
    return pa.Table.from_pylist(rows, schema=AGREED_CHARGES) if rows else AGREED_CHARGES.empty_table()


def stored_sacs(ws: Workspace, orders: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The stored ORDER_SACS of the files ``orders``' current 850s came in (connectors.order_store: each file's
    once), and (partner, po_number) of the orders whose 850's file kept its SAC table (one stored before SACs
    were kept, or whose table cannot be read, is not among them)."""
    store = OrderStore(ws.orders_dir)
    partners, shas, pos = (orders[c].to_pylist() for c in ("partner", "source_sha256", "po_number"))
    kept = {p: store.sac_keys(p) for p in sorted(set(partners))}
    tables, covered, read = [], [], {}
    for partner, sha, po in zip(partners, shas, pos, strict=True):
        if not sha or sha not in kept[partner]:
            continue
        if (partner, sha) not in read:
            try:
                read[partner, sha] = store.load_sacs(partner, sha)
            except StateError:  # unreadable: its orders' promises read from their findings' words
                read[partner, sha] = None
            if read[partner, sha] is not None and read[partner, sha].num_rows:
                tables.append(read[partner, sha])
        if read[partner, sha] is not None:
            covered.append((partner, po))
    keys = pa.table({"partner": pa.array([p for p, _ in covered], pa.string()),
                     "po_number": pa.array([po for _, po in covered], pa.string())})
    return (pa.concat_tables(tables) if tables else ORDER_SACS.empty_table()), keys


def changed_sacs(ws: Workspace, state: StateStore, covered: pa.Table,
                  refusals: Mapping[tuple[str, str], tuple[bool, frozenset[str]]] | None = None,
                  rejected: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
                  keep: tuple[str, ...] = (), *, dated: bool = False) -> pa.Table:
    """PO_CHARGES rows (with engine.finance_inputs.CHANGED_COLUMNS) of the SACs of the 860s applied to the
    ``covered`` orders (those whose 850's SACs are stored): each 860 applied or answered (not one refused,
    pending or superseded), oldest first, its SACs as stored beside its change tables (connectors.order_store
    load_change_sacs: an 860 file stored before they were kept, or one without SACs, has none); less what
    its 865 refused (``refusals``: engine.finance_inputs.change_refusals): the whole change (BCA02 RD, RJ), a
    POC loop's SACs when the POC was IR; none of an order since rejected whole (``rejected``: the rules', or a
    person's after the change was applied to the held order: its 865 refuses every POC but a deletion).
    ``keep``: CHANGE_SACS columns carried after those (the invoice stage's: engine.invoice_po_sacs). ``dated``: with
    a ``since`` column, each 860's receipt (engine.finance_inputs.with_changes dated=)."""
    keys = [k for k in zip(covered["partner"].to_pylist(), covered["po_number"].to_pylist(), strict=True)
            if k not in rejected]
    changes = state.pending_changes(statuses=("applied", "answered"), keys=keys) if keys else []
    said = {c.id: refusals[c.partner, f"865:{c.store_key}:{c.change_ref}"] for c in changes
            if (c.partner, f"865:{c.store_key}:{c.change_ref}") in (refusals or {})}
    changes = [c for c in changes if not said.get(c.id, (False,))[0]]  # refused whole: none of its SACs
    store = OrderStore(ws.orders_dir)
    kept = {p: store.sac_keys(p, "change-sacs") for p in sorted({c.partner for c in changes})}  # each folder once
    changes = [c for c in changes if c.store_key in kept[c.partner]]  # most 860s send no SAC: nothing to read
    read: dict[tuple[str, str], pa.Table] = {}
    for ch in changes:
        if (ch.partner, ch.store_key) not in read:
            try:
                read[ch.partner, ch.store_key] = store.load_change_sacs(ch.partner, ch.store_key)
            except StateError:  # unreadable: the 850's promise stands
                read[ch.partner, ch.store_key] = CHANGE_SACS.empty_table()
    tables = [t for t in read.values() if t.num_rows]
    sacs = pa.concat_tables(tables) if tables else CHANGE_SACS.empty_table()
    applied = pa.table({
        "partner": pa.array([c.partner for c in changes], pa.string()),
        "po_number": pa.array([c.po_number for c in changes], pa.string()),
        "order_ref": pa.array([c.change_ref for c in changes], pa.string()),
        "source_sha256": pa.array([c.store_key for c in changes], pa.string()),
        "seq": pa.array([c.id for c in changes], pa.int64()),
    })
    if dated:
        applied = applied.append_column("since", pa.array([_received(c.received_at) for c in changes],
                                                          pa.timestamp("us")))
    charges = finance_inputs.accepted_changes(finance_inputs.stored_po_charges(
        sacs, applied, keep=(*finance_inputs.CHANGED_COLUMNS, *keep, *(("since",) if dated else ()))), said)
    # the allowances an 860 added after shipment that a person rejected (engine.lifecycle.allowance_hold): no 810
    # takes them off, none is expected to
    # (only those its hold judged: a deal-matched allowance beside them, or of an earlier 860, stays)
    keys = {(c.partner, c.po_number) for c in changes}
    turned = rejected_sacs(state.orders_for(keys), changes, state.finding_sacs(ALLOWANCE_AFTER_SHIPMENT_HELD, keys)) \
        if changes else {}
    if turned and charges.num_rows:
        keep_rows = [not (r["seq"] in turned and r["kind"] == "A" and figures(r) in turned[r["seq"]])
                     for r in charges.select(["seq", "kind", "code", "agency_code", "line_id", "amount", "percent",
                                              "rate"]).to_pylist()]
        charges = charges.filter(pa.array(keep_rows, pa.bool_()))
    return charges


def _received(at: str | datetime) -> datetime | None:
    """A change's received_at (ISO text, or a timestamp as a store may give it) as a naive timestamp (None: not
    recorded)."""
    try:
        when = at if isinstance(at, datetime) else datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return None
    return when.replace(tzinfo=None)  # on the run's clock, as the 810s' sent_at


def _order_tables(ws: Workspace, orders: pa.Table) -> tuple[list[pa.Table], list[pa.Table]]:
    """The stored ORDERS tables of ``orders`` (their requested ship dates and releases) and the lines' units and
    price bases (engine.finance_inputs.CATCH_COLUMNS) of those tables holding a line priced per weight (the
    others' lines read for their price basis alone: a night's 200,000 lines, five columns each, cost ~0.02 s)."""
    store = OrderStore(ws.orders_dir)
    keys = sorted({(p, k) for p, k in zip(orders["partner"].to_pylist(), orders["lines_key"].to_pylist(),
                                          strict=True) if k})
    heads, line_tables = [], []
    head_columns = [*finance_inputs.REQUESTED_COLUMNS, "release_number"]
    per_weight = pa.array(PRICE_PER_WEIGHT, pa.string())
    for partner, key in keys:
        try:  # the lines' price bases first: only a table with a line priced per weight has catch-weight lines
            head, lines = store.load_columns(partner, key, head_columns, ["price_basis"])
            if pc.any(pc.is_in(lines["price_basis"], value_set=per_weight)).as_py():
                lines = store.load_columns(partner, key, head_columns, finance_inputs.WEIGHED_COLUMNS)[1]
            else:
                lines = None  # no catch-weight line in it (catch_weight_lines would find none)
        except StateError:  # a missing table costs its orders their requested ship date, nothing else
            continue
        heads.append(head)
        if lines is not None:
            line_tables.append(lines)
    return heads, line_tables


def record_documents(state: StateStore, path: Path, *, partner: str, by: str, note: str, at: datetime,
                     sent_at: datetime | None = None) -> tuple[int, int, list[Finding]]:
    """Keep the 810 and 856 lines of ``path`` (documents another system of ours sent ``partner``) for
    the reconciliation; their findings recorded. Returns (lines read, lines added, findings)."""
    import hashlib

    from parsers.sent_documents import read_sent_lines
    from parsers.x12_reader import read_interchanges
    from schemas.lifecycle import FindingRecord

    data = path.read_bytes()
    parsed = read_interchanges(data, file=path.name)
    lines, findings = read_sent_lines(parsed, partner=partner, sha256=hashlib.sha256(data).hexdigest(),
                                      sent_at=sent_at)
    # why a file gave nothing, or less (not X12, a PDF, a broken envelope): the reader's errors, kept with the rest
    findings = [f for f in parsed.findings if f.severity == "error"] + findings
    findings += finance_inputs.unknown_recorded(lines, state.finance_lines())
    with state.transaction():
        added = state.record_sent_lines(lines, by=by, note=note, at=at)
        state.add_findings([FindingRecord(f, partner, "", RECORD_CONSEQUENCE[f.severity], stage="record")
                            for f in findings], run_id="")
    return lines.num_rows, added, findings


def recorded_resent(state: StateStore, path: Path, *, partner: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """The 856s of ``path`` (recorded) that the reconciliation takes with a copy recorded from another file or
    envelope as one document sent again (engine.finance_inputs.copies_taken_as_resends): (BSN02, ISA13, GS06, the
    other copies' files)."""
    import hashlib

    return finance_inputs.copies_taken_as_resends(state.recorded_lines_of(partner),
                                                  hashlib.sha256(path.read_bytes()).hexdigest())


RECORD_CONSEQUENCE = {"error": "set not recorded", "warning": "kept, not reconciled"}


# --- the nightly stage --------------------------------------------------------------------------------
def reconcile_run(ws: Workspace, profiles: dict[str, PartnerProfile], state: StateStore, *, now: datetime,
                  run_id: str, folder: Path | None = None, hand_on: bool = False) -> FinanceResult:
    """Our documents' verdicts and the four-way match as of the run clock, exceptions booked (states
    carried, new ones found, gone ones cleared), then the per-run and cumulative reports. ``folder``:
    where the run's report folder is being written (the night passes its staging folder,
    flows.recovery.report_folder); default reports/<run id>. ``hand_on`` (the night, whose report stage
    follows in this process): the order lines read once for both, handed on to the run's report when
    nothing wrote them since (StateStore.hand_on_lines; flows.reports reads them again otherwise)."""
    with gc_paused():
        return _reconcile_run(ws, profiles, state, now=now, run_id=run_id, folder=folder, hand_on=hand_on)


def _reconcile_run(ws: Workspace, profiles: dict[str, PartnerProfile], state: StateStore, *, now: datetime,
                   run_id: str, folder: Path | None, hand_on: bool = False) -> FinanceResult:
    settings = settings_of(profiles)
    inputs = load_inputs(ws, state, profiles, keep_lines=hand_on)
    # the read's transient (our 855s' and 810s' segments split, the store's rows: ~100 MB at 200,000 lines)
    # handed back before the match allocates: the night's peak memory was the match on top of that heap
    release_freed()
    docs, _ = match_acks(inputs.sent, inputs.acks, settings=settings, as_of=now)  # findings: at intake
    state.record_document_status(docs, as_of=now, run_id=run_id)
    result = reconcile(inputs.ordered, inputs.acknowledged, inputs.shipped, inputs.invoiced, docs, settings=settings,
                       as_of=now, invoice_totals=inputs.invoice_totals,
                       po_allowances=inputs.po_allowances, catch_weight=inputs.catch_weight, memo=inputs.memo,
                       over_ship=over_ship_of(profiles), held_shipments=inputs.held_shipments)
    # each of the run's own tables let go as soon as nothing reads it any more: a run days late finds an
    # exception per unshipped line (120,000 at 200,000 lines), and the cumulative report reads them all
    # again from the store on top of what is still held (the stage's peak memory)
    lines, evidence, invoices = result.lines, result.evidence, result.invoices
    found, superseded, result = result.exceptions, result.superseded, None
    release_freed()  # the match's transient (~150 MB at 120,000 exceptions) handed back before the booking and save
    before = [r for r in state.reconciliations() if r["run_id"] != run_id]
    previous = state.exception_snapshot(before[-1]["run_id"]) if before else None
    exceptions, changes = exception_states.book(found, state.stored_exceptions(), at=now, notes=superseded)
    found = None
    summary = state.save_reconciliation(run_id, now, exceptions, evidence, changes, lines=lines.num_rows,
                                        documents=docs)
    changes = None
    state.shed_cache()  # what the save left in the store's page cache (120,000 exceptions and their evidence: 64 MiB)
    folder = (folder or ws.reports_dir / run_id) / FOLDER
    written: dict = {}  # the cumulative report copies the files of the tables both reports hold
    reports = write_reports(folder, inputs=inputs, lines=lines, exceptions=exceptions, evidence=evidence,
                            docs=docs, previous=previous, settings=settings, as_of=now,
                            title=f"OrderBridge finance report, run {run_id}", written=written,
                            invoices=invoices)
    exceptions = evidence = previous = None
    release_freed()
    reports.update(write_cumulative(ws, state, profiles, as_of=now, inputs=inputs, lines=lines, docs=docs,
                                    written=written, invoices=invoices))
    if hand_on:
        state.hand_on_lines(run_id)
    return FinanceResult(summary=summary, reports=reports)


def write_reports(folder: Path, *, inputs: Inputs, lines: pa.Table, exceptions: pa.Table, evidence: pa.Table,
                  docs: pa.Table, previous: pa.Table | None, settings: dict[str, FinanceSettings], as_of: datetime,
                  title: str, sections: tuple = (), kpi_exceptions: pa.Table | None = None,
                  written: dict | None = None, invoices: pa.Table | None = None) -> dict[str, str]:
    """The finance report (HTML, and its tables as CSV and Parquet under data/) and the KPI dashboard.
    ``written``: what an earlier call of this run wrote from the very same lines and verdicts (filled
    here); those tables' files are copied from it instead of encoded again (the same bytes).
    ``invoices``: INVOICE_MATCH (per 810: lines, charges, allowances, TDS), as data/invoices and a section;
    the charge reconciliation (engine.charge_match: per PO invoiced and SAC02, promised against billed) of
    ``inputs``' PO_CHARGES, INVOICE_CHARGES and AGREED_CHARGES, as data/charges and a section; what the partners'
    820s and 812s paid and adjusted against those invoices (engine.remittance), as data/remittances, a section and
    the KPI counts (data/kpi_remittance, the dashboard) when any was received."""
    invoices = invoices if invoices is not None else INVOICE_MATCH.empty_table()
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    written = {} if written is None else written
    before = written.get("report_values")  # the values by period depend on the lines alone
    report = build_finance_report(lines, exceptions, evidence, previous=previous, as_of=as_of,
                                  values=before[1] if before is not None and before[0] is lines else None,
                                  no_855=[p for p, s in settings.items() if not s.expects_855])
    written["report_values"] = (lines, report.values)
    kpi_exceptions = kpi_exceptions if kpi_exceptions is not None else exceptions
    before = written.get("kpis")  # the run's KPIs, from the very same lines and sides: only the exceptions differ
    if (before is not None and all(a is b for a, b in zip(before[:3], (lines, docs, inputs), strict=True))
            and before[3] == settings and before[4].as_of == as_of):
        kpis = with_exceptions(before[4], lines, docs, kpi_exceptions, settings=settings)
    else:
        kpis = compute_kpis(lines, inputs.ordered, inputs.acknowledged, inputs.shipped, inputs.invoiced, docs,
                            inputs.findings, kpi_exceptions, settings=settings, as_of=as_of)
        written["kpis"] = (lines, docs, inputs, settings, kpis)
    before = written.get("charge_match")  # the very same sides, invoices and lines: the same charge reconciliation
    if before is not None and all(a is b for a, b in zip(before[:3], (inputs, invoices, lines), strict=True)):
        charges = before[3]
    else:
        charges = match_charges(inputs.po_charges, inputs.invoice_charges, invoices, lines, inputs.agreed_charges,
                                inputs.shipped)
        written["charge_match"] = (inputs, invoices, lines, charges)
    paid = None  # per invoice, what the partners' 820s and 812s say (none received: no table, no section)
    if inputs.remittance.num_rows:
        before = written.get("remittances")
        agreed = {p: s.currency for p, s in settings.items()}  # a document only they name: the partner's currency
        paid = before[2] if before is not None and before[0] is inputs and before[1] is invoices and \
            before[3] == agreed else match_remittance(invoices, inputs.remittance, agreed)
        written["remittances"] = (inputs, invoices, paid, agreed)
        kpis = replace(kpis, remittance=remittance_kpis(paid))
    tables = {**report.tables(), "document_status": docs, "lines": lines, "invoices": invoices, "charges": charges,
              **({"remittances": paid} if paid is not None else {}),
              **{f"kpi_{k}": v for k, v in kpis.tables().items()}}
    for name, t in tables.items():
        csv, parquet = data / f"{name}.csv", data / f"{name}.parquet"
        before = written.get(name)
        if before is not None and before[0] is t and name in SHARED:
            shutil.copyfile(before[1], csv)
            shutil.copyfile(before[2], parquet)
            continue
        out = t.drop_columns(["errors"]) if name == "document_status" else t
        with csv.open("wb") as sink:  # encoded into the file (a night's lines: 38 MB never held as bytes)
            write_csv(out, sink)
        pq.write_table(out, parquet)
        if name in SHARED:
            written[name] = (t, csv, parquet)
    stamp = f"{as_of:%Y-%m-%d %H:%M}"
    before = written.get("documents_section")
    section = before[1] if before is not None and before[0] is docs else documents_section(docs)
    written["documents_section"] = (docs, section)
    html = render_html(report, title=title, generated_at=stamp,
                       sections=(section, invoices_section(invoices), charges_section(charges),
                                 *((remittance_section(paid),) if paid is not None else ()), *sections))
    (folder / "finance-report.html").write_text(html, encoding="utf-8")
    (folder / "dashboard.html").write_text(render_dashboard(kpis, generated_at=stamp), encoding="utf-8")
    return {"finance_report": str(folder / "finance-report.html"), "dashboard": str(folder / "dashboard.html"),
            "finance_data": str(data)}


def write_cumulative(ws: Workspace, state: StateStore, profiles: dict[str, PartnerProfile], *, as_of: datetime,
                     since: date | None = None, folder: Path | None = None, inputs: Inputs | None = None,
                     lines: pa.Table | None = None, docs: pa.Table | None = None,
                     written: dict | None = None, invoices: pa.Table | None = None) -> dict[str, str]:
    """Every exception the reconciliations found (open, explained, resolved or cleared) with its state
    as people left it, each run's totals and the history, and the dashboard, from the store alone
    (the lines matched again as of ``as_of``). ``since``: only POs dated (else received) on or after it,
    and the changes since the last reconciliation before it."""
    settings = settings_of(profiles)
    if inputs is None or lines is None or docs is None or invoices is None:
        inputs = load_inputs(ws, state, profiles)
        docs, _ = match_acks(inputs.sent, inputs.acks, settings=settings, as_of=as_of)
        matched = reconcile(inputs.ordered, inputs.acknowledged, inputs.shipped, inputs.invoiced, docs,
                            settings=settings, as_of=as_of, invoice_totals=inputs.invoice_totals,
                            po_allowances=inputs.po_allowances, catch_weight=inputs.catch_weight,
                            memo=inputs.memo, over_ship=over_ship_of(profiles))
        lines, invoices = matched.lines, matched.invoices
    stored = finance_inputs.only_partners(state.stored_exceptions(), profiles)
    runs = state.reconciliations()
    if since is not None:
        inputs, lines, docs, stored, invoices = _since(since, inputs, lines, docs, stored, invoices)
        runs = [r for r in runs if r["as_of"][:10] >= since.isoformat()]
    earlier = [r for r in state.reconciliations() if since is not None and r["as_of"][:10] < since.isoformat()]
    previous = state.exception_snapshot(earlier[-1]["run_id"]) if earlier else None
    if since is not None and previous is None:
        previous = stored.slice(0, 0)  # every exception since then is new
    ids = pc.unique(stored["exception_id"])  # (an Arrow array: no Python string per exception)
    evidence = state.exception_evidence(ids) if len(ids) else EVIDENCE.empty_table()
    history = _only(state.exception_history_table(), ids)  # the changes of the exceptions chosen, in their order
    active = _only(stored, True, "active")
    folder = folder or ws.reports_dir / (FOLDER if since is None else f"{FOLDER}-since-{since.isoformat()}")
    title = "OrderBridge finance report, cumulative" + (f" since {since.isoformat()}" if since else "")
    out = write_reports(folder, inputs=inputs, lines=lines, exceptions=stored.drop_columns(
        ["active", "first_run", "last_run", "first_found_at", "last_found_at", "cleared_at"]), evidence=evidence,
        docs=docs, previous=previous, settings=settings, as_of=as_of, title=title,
        sections=(trend_section(runs), history_section(history)), kpi_exceptions=active, written=written,
        invoices=invoices)
    data = folder / "data"
    history_table = history if history.num_rows else pa.table({"seq": pa.array([], pa.int64())})
    with (data / "exception_history.csv").open("wb") as sink:
        write_csv(history_table, sink)
    runs_table = pa.Table.from_pylist(runs) if runs else pa.table({"run_id": pa.array([], pa.string())})
    with (data / "reconciliations.csv").open("wb") as sink:
        write_csv(runs_table, sink)
    return {f"cumulative_{k}": v for k, v in out.items()}


def _only(table: pa.Table, values, column: str = "exception_id") -> pa.Table:
    """The rows of ``table`` whose ``column`` holds one of ``values`` (an array; or one value): the table
    itself when that is every row (a filter keeping all copies them all)."""
    keep = pc.is_in(table[column], value_set=values) if isinstance(values, pa.Array) else pc.equal(table[column],
                                                                                                    values)
    keep = pc.fill_null(keep, False)
    return table if pc.all(keep).as_py() else table.filter(keep)


def _since(day: date, inputs: Inputs, lines: pa.Table, docs: pa.Table, stored: pa.Table, invoices: pa.Table):
    """The inputs, lines, verdicts, exceptions and invoices about POs dated (else received) on or after ``day``."""
    o = inputs.ordered
    when = pc.coalesce(o["po_date"], pc.cast(o["received_at"], pa.date32()))
    chosen = o.filter(pc.fill_null(pc.greater_equal(when, pa.scalar(day, pa.date32())), False))
    keys = pa.array(sorted(set(_keys(chosen))), pa.string())

    def keep(t: pa.Table) -> pa.Table:
        if not t.num_rows:
            return t
        k = pc.binary_join_element_wise(t["partner"], pc.fill_null(t["po_number"], ""), "\x1f")
        return t.filter(pc.is_in(k, value_set=keys))

    inputs = Inputs(ordered=chosen, acknowledged=keep(inputs.acknowledged), shipped=keep(inputs.shipped),
                    invoiced=keep(inputs.invoiced), sent=keep(inputs.sent), acks=inputs.acks,
                    findings=inputs.findings.filter(pc.or_(pc.is_null(inputs.findings["po_number"]), pc.is_in(
                        pc.binary_join_element_wise(inputs.findings["partner"],
                                                    pc.fill_null(inputs.findings["po_number"], ""), "\x1f"),
                        value_set=keys))),
                    invoice_totals=keep(inputs.invoice_totals), po_allowances=keep(inputs.po_allowances),
                    po_charges=keep(inputs.po_charges), invoice_charges=keep(inputs.invoice_charges),
                    agreed_charges=inputs.agreed_charges, remittance=_naming(inputs.remittance, keep(invoices)))
    return inputs, keep(lines), keep(docs.cast(DOCUMENT_STATUS)), keep(stored), keep(invoices)


def _naming(remittance: pa.Table, invoices: pa.Table) -> pa.Table:
    """The rows of ``remittance`` naming one of ``invoices`` (a report since a day: what paid the invoices of its POs;
    what names an invoice of an earlier PO, or one never ours, is the cumulative report's)."""
    if not remittance.num_rows:
        return remittance
    named = pc.binary_join_element_wise(invoices["partner"], invoices["invoice_number"], "\x1f")
    named = named.combine_chunks() if isinstance(named, pa.ChunkedArray) else named
    return remittance.filter(pc.fill_null(pc.is_in(pc.binary_join_element_wise(
        remittance["partner"], remittance["invoice_number"], "\x1f"), value_set=named), False))


def _keys(t: pa.Table) -> list[str]:
    return pc.binary_join_element_wise(t["partner"], t["po_number"], "\x1f").to_pylist()


def amount_text(value: str | Decimal) -> str:
    return f"{Decimal(value):,.2f}"
