"""Stage 2, once per run: 860s applied, business rules (GX once), decisions, allocation, and the
855/865s that answer them, with order states, lines and reservations, in one transaction.

Every decision about an order is engine.lifecycle's: this stage loads what it needs (state store,
stored tables), runs the rules and the allocation, calls the planners and applies their plan."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from functools import partial

import pyarrow as pa
import pyarrow.compute as pc

from connectors.order_store import OrderStore
from connectors.state import StateStore
from engine import lifecycle
from engine.answer import allocation_input
from engine.changes import sacs_on_lines
from engine.decide import OrderDecision, decide_within_limits
from engine.invoice_po_sacs import orders_rows
from engine.lifecycle import balance
from engine.routing import routed_stock
from flows import gx_child
from flows.documents import holder, renderer
from flows.gc_pause import fewer_collections
from flows.meanwhile import meanwhile
from flows.memory import release_freed
from flows.recovery import report_folder
from flows.releases import blankets_cancelled, releases_by_ref
from flows.shipments import backorder_step, merged_totals
from flows.timing import Lap, timed
from flows.workspace import Workspace
from rules.business.allowance_discounts import changed_allowances
from rules.reference_rows import case_items_said, reference_replaced
from rules.shipment_units import ShipmentUnits
from schemas.changes import CHANGE_SACS
from schemas.errors import ConfigError, StateError
from schemas.findings import Finding
from schemas.lifecycle import ON_HOLD, RULED_STAGES, FindingRecord, Plan
from schemas.orders import ORDER_LINES, ORDER_SACS, ORDERS
from schemas.outcomes import outcome_for
from schemas.profile import PartnerProfile
from schemas.reference import ReferenceData, service_skus
from schemas.rule_settings import RuleSettings


# --- stage 2: decide, allocate, answer -----------------------------------------------------------------
@dataclass
class Inventory:
    snapshot: pa.Table
    receipts: pa.Table
    as_of: date
    # rows of one (warehouse, sku) the snapshot's files wrote more than once, (file, warehouse, sku, on_hand,
    # reserved): summed into one as lots are (connectors.snapshots.load_snapshot_summed), named on the night's
    # stock line; they used to stop the decide stage for every partner without naming them
    summed: tuple[tuple[str, str, str, int, int], ...] = ()
    # a warehouse profile's stock warehouse the day's snapshot has no row of (its export not loaded for the day),
    # and the older day whose rows of it the snapshot carries (load_inventory): (warehouse, day)
    carried: tuple[tuple[str, date], ...] = ()
    # a warehouse profile's stock warehouse missing from the snapshot whose last stock is older than the carry limit
    # but was loaded within [inventory] stock_untracked_days: (warehouse, its last day); its routed orders wait
    late: tuple[tuple[str, date], ...] = ()


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
    # each decided order's outcome (engine.decide's ACCEPTED, PENDING, REJECTED) as the plan leaves it, after
    # allocation (an order every line of which allocation could not fill is rejected although its rules accepted
    # it): what the run's decide line and the partners' tallies count
    outcomes: dict = field(default_factory=dict)
    # the stock snapshot's day, and how many days before the run's it is (flows.night's decide line says both: a
    # snapshot loaded days ago still promises what it counted)
    stock_as_of: date | None = None
    stock_days_old: int = 0
    # expected receipts due before the run's day (quantity, SKU, warehouse, due), earliest first: allocation promises
    # them from the run's day (never a past one), and the decide line names them (the goods are late)
    receipts_past_due: tuple[tuple[int, str, str, date], ...] = ()
    # the stock warehouses a warehouse profile ships from (stock_warehouse) of which the snapshot has no row: their
    # export was not loaded for its day (each DC's file loads apart), so the run allocated nothing there
    stock_missing: tuple[str, ...] = ()
    # the snapshot's rows of one (warehouse, sku) written more than once and summed (Inventory.summed)
    stock_summed: tuple[tuple[str, str, str, int, int], ...] = ()
    # the stock warehouses missing from the day's snapshot allocated from their last stock loaded (Inventory.carried)
    stock_carried: tuple[tuple[str, date], ...] = ()
    # the stock warehouses missing whose export is late (Inventory.late): their routed orders held for a person
    stock_late: tuple[tuple[str, date], ...] = ()


def _missing(snapshot: pa.Table, warehouses: dict) -> tuple[str, ...]:
    """The stock warehouses of the ``warehouses`` profiles the ``snapshot`` has no row of, by name."""
    counted = set(snapshot["warehouse"].to_pylist())
    return tuple(sorted({w.stock_warehouse for w in warehouses.values()} - counted))


def _past_due(receipts: pa.Table, today: date) -> tuple[tuple[int, str, str, date], ...]:
    """(quantity, sku, warehouse, eta) of the receipts with a quantity due before ``today``, earliest first."""
    rows = zip(*(receipts[c].to_pylist() for c in ("quantity", "sku", "warehouse", "eta")), strict=True)
    return tuple(sorted(((q, s, w, eta) for q, s, w, eta in rows if q > 0 and eta < today),
                        key=lambda r: (r[3], r[1], r[2])))


def rule_settings(profiles: dict[str, PartnerProfile]) -> RuleSettings:
    return RuleSettings(partners={pid: p.rules.overrides().model_copy(update={
        "usage": p.x12.usage if p.x12 is not None else "P",  # a CSV-only partner: live
        "store_level": p.fulfilment.asn.store_level,
        "transit_days": p.fulfilment.asn.transit_days,
        "transit_business_days": p.fulfilment.asn.transit_business_days,
        "transit_holidays": p.fulfilment.asn.transit_holidays,
        "heading_only_shipping": outcome_for("LINE_SHIP_TO_DIFFERS", p.rules.outcomes).action == "accept",
        "confirmations_are_orders": outcome_for("ORDER_CONFIRMATION_UNKNOWN", p.rules.outcomes).action == "accept",
        "vendor_numbers": tuple(dict.fromkeys((*p.vendor_numbers(), *(p.rules.vendor_numbers or ())))),
        "required_order_refs": p.required_order_refs()})
        for pid, p in profiles.items()},
        invoice_sets={pid: p.invoice_set for pid, p in profiles.items() if p.invoice_set},
        po_allowances={pid: tuple(p.fulfilment.invoice.po_allowances) for pid, p in profiles.items()},
        own_allowances={pid: tuple(c.code for c in p.fulfilment.invoice.charges if c.kind == "A")
                        for pid, p in profiles.items()})


def decide_run(ws: Workspace, profiles: dict[str, PartnerProfile], state: StateStore, ref: ReferenceData,
               inventory: Inventory, *, now: datetime, run_id: str, use_gx: bool = True) -> RunDecision:
    """Pending 860s applied (engine.lifecycle), business rules over every order to decide (GX once),
    decisions (holds wait for a person), allocation, then the plan with every 855/865 answering the
    final decision, applied in one transaction."""
    with _old_objects_frozen():
        return _decide_run(ws, profiles, state, ref, inventory, now=now, run_id=run_id, use_gx=use_gx)


@contextmanager
def _old_objects_frozen() -> Iterator[None]:
    """The objects alive before the stage (GX, pandas, the modules: most of the heap) are left out of
    the cyclic garbage collector's full passes while the stage runs (gc.freeze), so the collections
    the stage's own objects trigger do not walk them again and again (about 0.4 s CPU of a 4x night);
    unfrozen afterwards, so nothing stays uncollectable. The collector also runs less often meanwhile
    (flows.gc_pause.fewer_collections): the stage keeps most of what it makes (the plan's records,
    events and documents), so the ~670 young collections of a 10,000-PO stage, and the older ones they
    trigger, found little (0.26 -> 0.06-0.08 s CPU of collection, the same peak memory). Inside a
    night that froze its heap already (flows.memory.survivors_frozen), that freeze is left as it is:
    unfreezing everything here made the collection after the stage walk the whole heap again (0.19-0.28 s
    CPU); the night unfreezes all at its end."""
    ours = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        with fewer_collections():
            yield
    finally:
        if ours:
            gc.unfreeze()


def _pending_sacs(pending, store: OrderStore | None, by_change: bool = False) -> dict:
    """(partner, PO) -> the CHANGE_SACS rows of each of ``pending`` (the 860s, oldest first) that sent SACs, a list
    per 860 (``by_change``: change id -> its rows instead)."""
    changed: dict = {}
    if store is None:
        return changed
    kept: dict[str, frozenset[str]] = {}
    for ch in pending:  # (oldest first) most 860s send no SAC: nothing to read
        if ch.partner not in kept:
            kept[ch.partner] = store.sac_keys(ch.partner, "change-sacs")
        if ch.store_key not in kept[ch.partner]:
            continue
        try:
            table = store.load_change_sacs(ch.partner, ch.store_key)
        except StateError:
            continue
        if table.num_rows:
            mine = table.filter(pc.equal(table["order_ref"], ch.change_ref))
            if mine.num_rows:
                if by_change:
                    changed[ch.id] = mine.to_pylist()
                else:
                    changed.setdefault((ch.partner, ch.po_number), []).append(mine.to_pylist())
    return changed


def _allowances_held(plan, pending, records: Mapping, store: OrderStore, profiles: dict[str, PartnerProfile],
                     ref: ReferenceData, state: StateStore, revisions, tables: Mapping) -> dict:
    """(partner, PO) -> what needs a person (engine.lifecycle.allowance_hold.Judged), for the orders that had
    shipped an 860 of ``pending`` applied or answered in ``plan`` adds an allowance to that takes a line beyond the
    customer's discount approval threshold, matching no deal agreed: judged as at order time (the line's PO104 less
    the allowances' share against our price: rules.business.money.added_allowance_findings, on the order's
    allowances before and after the 860s, deciding_sacs); it used to go on the next 810 unapproved."""
    from engine.lifecycle.allowance_hold import judged, sac_key, shipped_changes
    from rules.business.money import added_allowance_findings

    shipped = shipped_changes(plan, pending, records)
    if not shipped:
        return {}
    sent = _pending_sacs(shipped, store, by_change=True)
    if not sent:
        return {}
    thresholds = {c["partner"]: c.get("discount_approval_threshold_percent") for c in ref.customers.to_pylist()
                  if c.get("partner")}
    settings = rule_settings(profiles)
    history = _approved_before(state, records, {(c.partner, c.po_number) for c in shipped if c.id in sent})
    out: dict = {}
    for ch in shipped:
        key, profile, threshold = (ch.partner, ch.po_number), profiles.get(ch.partner), thresholds.get(ch.partner)
        if ch.id not in sent or profile is None or threshold is None or key in out:
            continue
        after_record = revisions.records.get(key, records[key])
        loaded = {**tables, **revisions.tables}
        for k in lifecycle.table_keys([after_record]):
            if k not in loaded:
                loaded[k] = store.load(*k)
        orders, lines = lifecycle.current_tables([after_record], loaded)
        # the order's allowances before this run's 860s (the 850's and those applied since), then with theirs
        before = _order_sacs(store, records[key], state)
        mine = [c for c in shipped if (c.partner, c.po_number) == key]
        after = changed_allowances(before if before is not None else ORDER_SACS.empty_table(),
                                   [pa.Table.from_pylist(sent[c.id], schema=CHANGE_SACS) for c in mine if c.id in sent],
                                   (ch.partner, records[key].order_ref or "", ch.po_number)).cast(ORDER_SACS)
        approved = _approved_sacs(store, records[key], key in history)
        beyond, agreed = added_allowance_findings(orders, lines, ref, settings, before, after, approved,
                                                  _approved_prices(store, records[key]) if approved is not None
                                                  else None)
        if not beyond:
            continue
        ok = frozenset(sac_key(a) for a in agreed)
        what = judged(ch, [r for c in mine for r in sent.get(c.id, ())],
                      beyond, ok, Decimal(str(threshold)), profile.fulfilment.invoice.po_allowances)
        if what is not None:
            out[key] = what
    return out


def _approved_sacs(store: OrderStore, record, approved_before: bool = False) -> pa.Table | None:
    """The allowances a person approved at order time beyond the customer's threshold (``record``: the order before
    the run; engine.lifecycle.allowance_hold.approved_at_order_time; ``approved_before``: its history says so,
    _approved_before): its 850's SACs; None: no such approval."""
    from engine.lifecycle.allowance_hold import approved_sacs

    def sacs() -> pa.Table | None:
        if record.source_sha256 not in store.sac_keys(record.partner):
            return None
        return orders_rows(store.load_sacs(record.partner, record.source_sha256),
                           [(record.po_number, record.order_ref or "")]).cast(ORDER_SACS)
    return approved_sacs(record, sacs, approved_before)


def _approved_prices(store: OrderStore, record) -> dict | None:
    """Line number -> the PO104 its 850 sent (its stored tables: the order's source), the price a person's approval
    at order time was given at (rules.business.money.added_allowance_findings compares by net money); None: not
    stored."""
    from schemas.orders import with_exact_prices

    try:
        _orders, lines = store.load(record.partner, record.source_sha256)
    except (FileNotFoundError, KeyError, OSError):
        return None
    mine = with_exact_prices(lines.filter(pc.equal(lines["order_ref"], record.order_ref or "")))
    return {n: p for n, p in zip(mine["line_number"].to_pylist(), mine["unit_price"].to_pylist(), strict=True)
            if p is not None}


def _approved_before(state: StateStore, records: Mapping, keys: set) -> set:
    """The orders of ``keys`` a person approved at order time by their history, whose last decision no longer says
    so (engine.lifecycle.allowance_hold.history_to_read, approved_in_history: approved_by_person and a
    DISCOUNT_OVER_THRESHOLD finding), read for those only."""
    from engine.lifecycle.allowance_hold import (
        APPROVED_EVENT,
        DISCOUNT_OVER_THRESHOLD,
        approved_in_history,
        history_to_read,
    )

    ask = history_to_read(records, keys)
    if not ask:
        return set()
    events = state.orders_with_event(ask, APPROVED_EVENT)
    found = {k for k in events if DISCOUNT_OVER_THRESHOLD in {f["code"] for f in state.findings(partner=k[0],
                                                                                               po_number=k[1])}}
    return approved_in_history(events, found, ask)


def _order_sacs(store: OrderStore, record, state: StateStore) -> pa.Table | None:
    """One order's allowances as the 860s applied or answered before this run left them (its 850's SACs, each such
    860's applied: _changed_orders_sacs), whatever its lines_key (an 860 sending SACs alone leaves it the 850's,
    which deciding_sacs reads as the 850's SACs alone); None: none."""
    parts = [t for t in _changed_orders_sacs(store, [record], {record.partner: store.sac_keys(record.partner)}, state)
             if t.num_rows]
    return pa.concat_tables(parts) if parts else None


def _not_billed(plan, pending, records: Mapping, store: OrderStore, profiles: dict[str, PartnerProfile],
                lines: Mapping | None = None):
    """``plan`` with a warning for each order invoiced in full that an 860 of ``pending`` adds an allowance to
    (engine.lifecycle.allowance_hold.not_billed): no 810 remains to carry it, so nothing is held; ops are told."""
    from engine.lifecycle.allowance_hold import not_billed, shipped_changes

    shipped = shipped_changes(plan, pending, records)
    sent = _pending_sacs(shipped, store, by_change=True) if shipped else {}
    if not sent:
        return plan
    return not_billed(plan, shipped, sent, records,
                      {pid: p.fulfilment.invoice.po_allowances for pid, p in profiles.items()}, lines)


def _held_further(plan, further_read: tuple, records: Mapping, revisions, lines: Mapping, *, at: str, run_id: str,
                  again: set = frozenset()):
    """(plan, revisions) with the orders held for an allowance an 860 added after shipment that a further 860 of
    ``pending`` changed (applied or answered in ``plan``: engine.lifecycle.allowance_hold.further_changes) kept held
    (their hold code and reason) while the allowance held still stands on their allowances as the 860 left them
    (_order_sacs, changed_allowances), let go when it withdrew it (allowance_hold.let_go, after_further_changes).
    A change raising a line used to take such an order back to shipping, its next 810 taking the allowance off
    unapproved."""
    from engine.lifecycle import allowance_hold

    further, judged, after = further_read  # (_after_further, read once a run)
    if not further:
        return plan, revisions
    keys = {(c.partner, c.po_number) for c in further}
    standing = allowance_hold.standing(further, judged, after, again)
    revisions = allowance_hold.let_go(revisions, standing)
    return allowance_hold.after_further_changes(plan, records, standing, {k: lines.get(k, ()) for k in keys}, at=at,
                                                run_id=run_id), revisions


def _after_further(plan, pending, records: Mapping, store: OrderStore, state: StateStore):
    """The further 860s of ``pending`` changing orders held for an allowance after shipment
    (engine.lifecycle.allowance_hold.further_changes), the allowances each such order's holds judged
    (StateStore.finding_sacs) and each order's allowances as those 860s leave them (_order_sacs, changed_allowances)."""
    from engine.lifecycle import allowance_hold

    further = allowance_hold.further_changes(plan, pending, records)
    if not further:
        return [], {}, {}
    keys = {(c.partner, c.po_number) for c in further}
    judged = state.finding_sacs(allowance_hold.ALLOWANCE_AFTER_SHIPMENT_HELD, keys)
    sent = _pending_sacs(further, store, by_change=True)
    after = {}
    for key in sorted(keys):  # each order's allowances as its further 860s leave them
        before = _order_sacs(store, records[key], state)
        after[key] = changed_allowances(
            before if before is not None else ORDER_SACS.empty_table(),
            [pa.Table.from_pylist(sent[c.id], schema=CHANGE_SACS) for c in further
             if (c.partner, c.po_number) == key and c.id in sent], (key[0], records[key].order_ref or "", key[1]))
    return further, judged, after


def _decided_again(further_read: tuple, records: Mapping, revisions, held: Mapping):
    """``revisions`` with each order held for an allowance after shipment that a further 860 takes back to the rules
    (a line raised) and adds an allowance needing a person to carrying the hold reason naming it, beside the reasons
    whose allowance still stands (engine.lifecycle.allowance_hold.decided_again): the decision holds it again."""
    from engine.lifecycle import allowance_hold

    further, judged, after = further_read  # (_after_further, read once a run)
    if not further:
        return revisions
    return allowance_hold.decided_again(revisions, held, records, judged, after)


def _allowance_decisions_told(state: StateStore, profiles: dict[str, PartnerProfile], store: OrderStore,
                              today: date, planned: Plan) -> Plan:
    """What tells buyers a person's decision on an allowance an 860 added after shipment, for the orders so decided
    still to invoice: an 865 per 860 its holds judged to a partner whose profile receives 865s
    (engine.lifecycle.allowance_hold.decided_answers); to one answered by 855s whose 855 states allowances
    ([acks.po_ack] allowances = "agreed"), a revised 855 (allowance_hold.decision_855: the order's stored tables,
    its line records as the run's plan so far leaves them, ``planned``: a raised case the run's backorder step placed
    is stated placed, and what its last 855 stated). Each once: a doc key stored is not built again."""
    from engine.lifecycle.allowance_hold import (
        ALLOWANCE_AFTER_SHIPMENT_HELD,
        DECIDED_855,
        answers_asked,
        decided_answers,
        decision_855,
    )
    from engine.po_ack import stated_sacs
    from schemas.findings import sacs_of

    decided = state.decided_with_code(ALLOWANCE_AFTER_SHIPMENT_HELD, lifecycle.BILLABLE)
    if not decided:
        return Plan()
    receiving = {p for p, prof in profiles.items() if "865" in prof.receives}
    by855 = {p for p, prof in profiles.items() if p not in receiving and "855" in prof.receives
             and prof.acks.po_ack.allowances == "agreed"}
    decided = {k: r for k, r in decided.items() if k[0] in receiving | by855}
    if not decided:
        return Plan()
    judged = state.finding_sacs(ALLOWANCE_AFTER_SHIPMENT_HELD, decided)
    if not any(judged.values()):
        return Plan()
    changes = state.pending_changes(statuses=None, keys=[k for k in decided if judged.get(k)])
    # (an 860 whose buyer asked for no answer, BCH01 49, gets none for the decision either)
    judged = answers_asked(judged, changes, _load(store, lifecycle.change_table_keys(changes), store.load_changes))
    plan = decided_answers(decided, judged, receiving, today=today)
    mine = {k: r for k, r in decided.items() if k[0] in by855 and judged.get(k)}
    if not mine:
        return plan
    tables = _load(store, lifecycle.table_keys(mine.values()), store.load)
    lines = lifecycle.lines_as_planned(state.lines_for(list(mine)), planned)
    docs = []
    for key, record in sorted(mine.items()):
        sent = state.documents_for_order(*key)
        have = {d["doc_key"] for d in sent}
        todo = [(c, stored) for file, ref, stored in judged[key] for c in changes
                if (c.partner, c.po_number, c.source_file, c.change_ref) == (*key, file, ref)
                and DECIDED_855.format(store_key=c.store_key, ref=c.change_ref) not in have]
        if not todo or (record.partner, record.lines_key) not in tables:
            continue
        acks = [d["id"] for d in sent if d["doc_type"] == "855"]
        content = state.document_content(acks[-1]) if acks else None
        told = stated_sacs(content, key[1]) if content else None
        orders, rows = tables[(record.partner, record.lines_key)]
        order_rows = orders.filter(pc.equal(orders["order_ref"], record.order_ref)).to_pylist()
        if not order_rows:
            continue
        rows = rows.filter(pc.equal(rows["order_ref"], record.order_ref))
        docs += [decision_855(c, record, sacs_of(stored)[0], order_rows[0], rows, lines.get(key, ()),
                              profiles[key[0]], told, today=today) for c, stored in todo]
    return plan + Plan(documents=tuple(docs)) if docs else plan


def _stated_sacs(state: StateStore, pending, profiles: dict[str, PartnerProfile],
                 store: OrderStore | None = None, *, records: Mapping | None = None,
                 deals: pa.Table | None = None) -> dict:
    """The agreed allowances the last 855 sent for each order an 860 names states (engine.po_ack.stated_sacs), for
    the partners whose 855 states them ([acks.po_ack] allowances = "agreed"): a revised 855 answering the change
    states them again (engine.lifecycle.changes.revised_855), less those the order's pending 860s took off or
    changed (``store``: their stored SACs; engine.po_ack.without_changed_sacs): a revised 855 after shipment used to
    restate an allowance the buyer had just taken off, which the next 810 no longer took. An allowance a pending 860
    sends that a deal agrees as sent (``deals``: deals.csv; its SAC13 the deal, on the PO's date of ``records``, a
    percent within the deal's: engine.po_ack.with_deal_sacs) is stated: the rules do not decide a shipped order again,
    and its next 810 takes it off."""
    from engine.po_ack import stated_sacs, with_deal_sacs, without_changed_sacs

    changed = _pending_sacs(pending, store)
    out = {}
    for key in sorted({(c.partner, c.po_number) for c in pending}):
        profile = profiles.get(key[0])
        if profile is None or profile.acks.po_ack.allowances != "agreed":
            continue
        sent = [d["id"] for d in state.documents_for_order(*key) if d["doc_type"] == "855"]
        content = state.document_content(sent[-1]) if sent else None
        told = stated_sacs(content, key[1]) if content else None
        if told is not None:
            record = (records or {}).get(key)
            mine = deals.filter(pc.equal(deals["partner"], key[0])).to_pylist() \
                if deals is not None and deals.num_rows else []
            for sent_sacs in changed.get(key, ()):
                told = without_changed_sacs(told, sent_sacs)
                if mine and record is not None:
                    told = with_deal_sacs(told, sent_sacs, mine, record.po_date,
                                          profile.fulfilment.invoice.po_allowances)
            out[key] = told
    return out


def _sent_answers(state: StateStore, changes: list) -> dict[tuple[str, str, str], list]:
    """(partner, PO, source file) of each of ``changes`` (applied before) -> the answers we sent it (its 865, its
    revised 855: lifecycle.answer_keys), each read from its stored document (engine.resend.set_body)."""
    from engine.resend import set_body

    out: dict[tuple[str, str, str], list] = {}
    sent: dict[tuple[str, str], dict[str, dict]] = {}
    for c in changes:
        key = (c.partner, c.po_number)
        if key not in sent:
            sent[key] = {d["doc_key"]: d for d in state.documents_for_order(*key)}
        for doc_key in lifecycle.answer_keys(c):
            d = sent[key].get(doc_key)
            body = set_body(state.document_content(d["id"]) or b"", d["st02"] or "") if d else None
            if body is not None:
                out.setdefault((c.partner, c.po_number, c.source_file), []).append(lifecycle.ChangeAnswer(
                    doc_key.split(":", 1)[0], body, d["isa13"] or "", d["st02"] or "", d["created_at"] or ""))
    return out


def _decide_run(ws: Workspace, profiles: dict[str, PartnerProfile], state: StateStore, ref: ReferenceData,
                inventory: Inventory, *, now: datetime, run_id: str, use_gx: bool) -> RunDecision:
    store = OrderStore(ws.orders_dir)
    out = RunDecision(stock_as_of=inventory.as_of, stock_days_old=(now.date() - inventory.as_of).days,
                      receipts_past_due=_past_due(inventory.receipts, now.date()),
                      stock_missing=_missing(inventory.snapshot, _warehouses(ws)), stock_summed=inventory.summed,
                      stock_carried=inventory.carried, stock_late=inventory.late)
    at, today = now.isoformat(), now.date()
    since = state.mark()  # the plan is applied only if nothing changed the store while it was made
    # what the planners need, each read once: orders to decide and those the 860s name, their lines,
    # reservations, stored tables, and changes applied earlier that still wait for their answer
    load = Lap("decide.load")
    pending = state.pending_changes()
    waiting = {r.key: r for r in lifecycle.to_decide(state.orders(states=lifecycle.TO_DECIDE), profiles)}
    keys = {(c.partner, c.po_number) for c in pending} | set(waiting)
    records = waiting | state.orders_for(keys - set(waiting))
    earlier = state.pending_changes(statuses=lifecycle.UNANSWERED_CHANGES, keys=keys)
    # changes refused (or touching no line) while their order waited for a person: answered with its decision now
    on_hold = state.pending_changes(statuses=lifecycle.WAITING_ON_HOLD, keys=keys)
    reserved_before = state.reservations_for(keys)
    lines_before = state.lines_for(lifecycle.stored_line_keys(records, [*pending, *earlier]))
    tables = _load(store, lifecycle.table_keys(records.values()) + lifecycle.base_table_keys(earlier), store.load)
    change_tables = _load(store, lifecycle.change_table_keys([*pending, *earlier]), store.load_changes)
    # the item master's units: a POC05 CS on a line in CA is the same case when it counts both alike
    units = ShipmentUnits(ref.items, ref.item_units, rule_settings(profiles), ref.partner_items) \
        if pending or earlier else None
    replayed, failed = lifecycle.replay(earlier, tables=tables, change_tables=change_tables, records=records,
                                        lines=lines_before, units=units, profiles=profiles)
    # a 06 confirmation or 07 duplicate is compared with the changes applied to its order before
    repeats = lifecycle.repeat_keys(pending, change_tables)
    # (one that changed no line while its order waited for a person counts: a repeat of it is not applied again)
    done = [c for c in state.pending_changes(statuses=("applied", "answered", ON_HOLD["answered"]), keys=repeats)
            ] if repeats else []
    change_tables.update(_load(store, [k for k in lifecycle.change_table_keys(done) if k not in change_tables],
                               store.load_changes))
    # a follow-up (BCH01 45) of a change answered before has the answers we sent it sent again: those answers read
    follow = lifecycle.follow_up_keys(pending, change_tables) if done else set()
    sent_answers = _sent_answers(state, [c for c in done if (c.partner, c.po_number) in follow]) if follow else {}
    # the orders an 860 changes that shipped in part: the stock warehouses of their shipments, so a line the change
    # makes take no back order has its balance cancelled as a short shipment's would be (balance_lines)
    short = balance.shipped_in_part(keys, records) if pending else set()
    shipped_from = {k: v for k, v in state.shipped_from(None, balance.WAITING, {k[0] for k in short}).items()
                    if k in short} if short else {}
    revisions = lifecycle.apply_pending_changes(
        pending, records=records, lines=lines_before, reservations=reserved_before, tables=tables,
        change_tables=change_tables, profiles=profiles, today=today, at=at, run_id=run_id, applied=replayed,
        failed=failed, history=lifecycle.fingerprints(done, change_tables), units=units, on_hold=on_hold,
        sequenced=lifecycle.sequence_history(done, change_tables, records), shipped_from=shipped_from,
        stated=_stated_sacs(state, pending, profiles, store, records=records, deals=ref.deals),
        blankets=_blankets_of_changed(state, pending, records), sent_answers=sent_answers)
    for (partner, key), (orders, lines) in revisions.tables.items():
        store.save(partner, key, orders, lines)
    _sacs_on_lines(store, revisions.sac_lines)
    plan = revisions.plan
    # a blanket an 860 cancelled (BCH01 01) while releases of it may still ship: named, answered unshipped ones held
    released = blankets_cancelled(state, store, revisions.plan, {
        c.po_number: {"po_number": c.po_number, "source_file": c.source_file} for c in pending},
        at=at, run_id=run_id, seg="BCH", element="BCH01")
    plan += released
    # stock this run's allocation sees as taken: reservations (after the 860s) and what shipped since the
    # snapshot; backorders of answered orders are offered what is left first (flows.shipments)
    totals = lifecycle.reserved_after(merged_totals(state.reservations(), state.shipped_since(inventory.as_of),
                                                    _shipped_before(state, inventory)),
                                      reserved_before, revisions.reservations)
    # an order this run's 860 changed after shipment and answered at once (a raised line): its new units
    # are offered stock now, not a night later (from the plan's records: the store has not seen them yet)
    # (and one changed after shipment that waits for the decision of lines its 860 added: the raised line's
    # units are allocated before the rules decide the added lines, what the decision then keeps)
    fresh = lifecycle.changed_after_shipment_now(revisions, records, keys)
    promises: dict = {}  # of the units raised: those no stock nor receipt covers, the lines given a promise
    # (a backorder in packs, BX of 100, is allocated in eaches: the item master's units say how many)
    packs = units or ShipmentUnits(ref.items, ref.item_units, rule_settings(profiles), ref.partner_items)
    # (not the releases just held for their blanket's cancellation: they wait for a person, their backorders too)
    held_now = set(lifecycle.planned_outcomes(released))
    backordered, totals = backorder_step(state, profiles, inventory, skip=keys | held_now, totals=totals, today=today,
                                         at=at,
                                         run_id=run_id, store=store, fresh=fresh, promises=promises,
                                         warehouses=_warehouses(ws), eaches=packs.each)
    # the orders this run's 860s changed after shipment start from what the backorder step left them; units raised
    # that it did not place (nor, for a partner that takes backorders, promise from a receipt) are refused, and the
    # 865s / revised 855s answering those changes are built again from the lines as it left them, each in place of
    # the one the change step planned (engine.lifecycle.shipped_answers)
    plan = lifecycle.settle_shipped_changes(plan, revisions, backordered, fresh, today=today, at=at, run_id=run_id,
                                            uncovered=promises.get("units"), promised=promises.get("dated"))
    # an allowance an 860 adds after shipment is judged as at order time: one needing approval holds the order, its
    # next 810 waiting for a person (engine.lifecycle.allowance_hold)
    if pending:
        from engine.lifecycle.allowance_hold import hold_after_shipment

        held = _allowances_held(plan, pending, records, store, profiles, ref, state, revisions, tables)
        plan = _not_billed(plan, pending, records, store, profiles, lines_before)
        if held:
            plan = hold_after_shipment(plan, held, at=at, run_id=run_id, before=records, lines=lines_before)
        further_read = _after_further(plan, pending, records, store, state)  # (both steps below read it)
        if held:
            revisions = _decided_again(further_read, records, revisions, held)
        # an order held so that a further 860 changes keeps its hold (one the rules decide again: held again by the
        # decision, engine.lifecycle.decisions), unless the 860 withdrew the allowance
        plan, revisions = _held_further(plan, further_read, records, revisions, lines_before, at=at, run_id=run_id,
                                        again=set(held))
    # a release part of which shipped that an 860 moved to another blanket: its balance held against what that blanket
    # still holds; overdrawing it, held for a person, nothing more billed (engine.lifecycle.moved_hold)
    if pending:
        from engine.lifecycle.moved_hold import hold_moved, keep_moves, moved_after_shipment

        # (what shipped before the move kept, to stay counted on the blanket it left: engine.blankets.moves_of)
        plan = keep_moves(plan, moved_after_shipment(plan, records, {(c.partner, c.po_number) for c in pending},
                                                     revisions.blankets), records, lines_before)
        past = _moved_balances(ws, state, ref, profiles, plan, records, revisions, tables,
                               {(c.partner, c.po_number): c.source_file for c in pending}, lines_before)
        if past:
            plan = hold_moved(plan, past, at=at, run_id=run_id, before=records, lines=lines_before)
    deciding = lifecycle.to_decide(revisions.records.values(), profiles)
    owed = {}
    if deciding:
        tables.update(revisions.tables)
        tables.update(_load(store, [k for k in lifecycle.table_keys(deciding) if k not in tables], store.load))
        # the lines of orders with backorders, as the plan so far leaves them: receipt units they were promised
        # are not promised again (engine.kept_stock.allocate_keeping)
        if inventory.receipts.num_rows:
            owed = lifecycle.lines_as_planned(state.lines_for(state.orders_with_backorders(lifecycle.OWING)), plan)
    load.stop()
    if deciding and ref.replaced:  # reference cells read with a blank for a control character: ops fix the rows
        plan += Plan(findings=tuple(FindingRecord(f, "", "", "written with a blank", "decide")
                                    for f in reference_replaced(ref.replaced)))
    if deciding and ref.case_items:  # items sold by the case with a case_pack above 1: decided as the rows say
        plan += Plan(findings=tuple(FindingRecord(f, "", "", "none (warning)", "decide")
                                    for f in case_items_said(ref.case_items)))
    if deciding:
        plan += _decide(ws, profiles, state, ref, inventory, out, deciding, tables, revisions, reserved_before,
                        lines_before, now=now, run_id=run_id, use_gx=use_gx, reserved_totals=totals, owed=owed)
    # a change that left an order waiting for the rules as it was (refused, no line touched), of a partner answered
    # by 855s: a revised 855 of the decision under its own key, numbered after the decision's 855
    # (the changes answered now that waited on a hold are named by the set they came as: an 860 or an 876)
    held_tables = _load(store, lifecycle.change_table_keys(on_hold), store.load_changes) if on_hold else {}
    awaited = lifecycle.answer_awaiting(plan, revisions.awaiting, revisions.change_ids, at=now.isoformat(),
                                         run_id=run_id, sets=lifecycle.change_sets(held_tables))
    plan += awaited
    plan = lifecycle.in_answer_order(plan, lifecycle.answer_ranks(revisions.change_ids, awaited))
    if out.decisions:
        moved = lifecycle.planned_outcomes(plan)
        out.outcomes = {k: moved[k] for k in ((d.partner, d.po_number) for d in out.decisions) if k in moved}
    # a person's decision on an allowance held after shipment, told the buyer: an 865 per 860 judged (once)
    plan += _allowance_decisions_told(state, profiles, store, today, plan)
    plan = lifecycle.batch_documents(plan, profiles, state.buyer_gs_ids(lifecycle.asked_buyers(plan, profiles)))
    # an order's first answer goes out (is numbered) before the answers to its changes, packed or not
    plan = lifecycle.in_lifecycle_order(plan, lifecycle.unanswered(records.values()),
                                        lifecycle.change_answer_keys(revisions.change_ids, awaited))
    files = {r.source_sha256: r.source_file for r in records.values()} | {
        c.store_key: c.source_file for c in [*pending, *earlier]}
    # an order decided again (an 860, a person's approval) is judged whole again: what its findings said before is
    # not recorded twice (engine.lifecycle.said_once)
    again = lifecycle.judged_before(records) & {(fr.partner, fr.po_number) for fr in plan.findings if fr.po_number}
    if again:
        plan = lifecycle.said_once(plan, state.said_findings(again, RULED_STAGES))
    with timed("decide.apply"):
        applied = state.apply(plan, render=renderer(profiles, now), hold=holder(profiles, stage="decide", files=files),
                              at=at, run_id=run_id, unchanged_since=since)
    out.findings = [fr.finding for fr in [*plan.findings, *applied.held]]
    out.documents.update(applied.documents)
    return out


def _decide(ws: Workspace, profiles: dict[str, PartnerProfile], state: StateStore, ref: ReferenceData,
            inventory: Inventory, out: RunDecision, deciding: list, tables: dict, revisions: lifecycle.Revisions,
            reserved_before: dict, lines_before: dict, *, now: datetime, run_id: str, use_gx: bool,
            reserved_totals: list[dict] | None = None, owed: dict | None = None) -> Plan:
    """Rules (GX once) and allocation over every order to decide; their plan from engine.lifecycle."""
    from engine.bill_only import bill_only_orders, partner_marks, without_delivery_dates
    from engine.csv_findings import csv_layouts, csv_located
    from engine.deadlines import late_backorder_findings, transit_days, window_end_cancels
    from engine.kept_stock import allocate_keeping
    from engine.refusals import stock_refusal_findings
    from rules.suite import gx_first, owners_of, run_suite

    today = now.date()
    orders, lines = lifecycle.current_tables(deciding, tables)
    tables.clear()  # the stored tables' other rows are not needed any more (the caller is done with them)
    settings = rule_settings(profiles)
    policies = {pid: p.rules.outcomes for pid, p in profiles.items()}  # the rules' told_once and the decisions'
    docs_dir = report_folder(ws, run_id) / "gx-docs"  # the report folder being written (flows.reports)
    with timed("decide.rules"):
        # GX's own process (flows.gx_child) is asked as soon as the lines to decide are known, before anything else
        # of the rules is read or built (the orders' allowances, open order values, the rules' joins, then the
        # allocation): it exits with its memory before this process's tables grow
        asked = None
        if use_gx and gx_child.running():
            release_freed()  # what decide's load freed (the stored tables, the 860s' replay) left resident meanwhile
            asked = gx_first(lines, ref, settings, docs_dir=docs_dir, judge=gx_child.judge)
        gx_child.close()  # asked or not, GX's process is not needed again this night (its memory leaves with it)
        suite = run_suite(orders, lines, ref, settings, today=today, sacs=deciding_sacs(OrderStore(ws.orders_dir),
                                                                                      deciding, state,
                                                                                      revisions.applied),
                          open_orders=state.order_values(lifecycle.OPEN, by_currency=True),
                          use_gx=use_gx, docs_dir=docs_dir if use_gx else None,
                          suites={pid: p.rule_suites for pid, p in profiles.items()},
                          # GX's Python beside the Arrow rules when it runs in this process
                          alongside=meanwhile if use_gx and asked is None else None,
                          policies=policies, judge=gx_child.judge, asked=asked)
    out.orders, out.gx_docs, out.gx_note = orders, str(suite.gx_docs_index or ""), suite.gx_docs_error or ""
    # a release is held against its blanket: what the releases before it drew (in the blanket's unit, by the item's
    # pack), the items it lists, its end (engine.blankets)
    check = release_checker(ws, state, ref, profiles, settings, orders, lines, deciding,
                            moved=lifecycle.blanket_moves(revisions.applied))
    # a blanket an 860 lowered below what its releases called off: said on the 860
    lowered = _lowered(ws, state, ref, settings, orders, lines, deciding, revisions.applied)
    bill_only = bill_only_orders(orders, partner_marks(profiles))

    def weighed(found: list[Finding]) -> list[Finding]:
        # a bill-only order's dates say when the goods were used, not when to ship them (engine.bill_only)
        if bill_only:
            found = without_delivery_dates(found, orders, bill_only)
        # an order that shipped is decided for the lines an 860 added to it only: its other lines' findings
        # were told the partner when it was answered
        found = lifecycle.added_lines_only(found, deciding, revisions.lines, orders, lines)
        return csv_located(found, lines, csv_layouts(profiles), owners_of(orders, lines)) \
            if found else found  # a CSV order's at its row and column

    suite = replace(suite, findings=weighed(suite.findings))
    # an order routed to a DC of which no stock was loaded we may use (its export missing, no older one within
    # [inventory] stock_carry_days): held for a person, never answered IB/IR for a file not loaded
    unloaded = weighed(_not_loaded(orders, ws, profiles, out)) if out.stock_late else []
    # an 850 whose PO the buyer cancelled by an 860 refused before it came (engine.early_cancel): held for a person
    early = weighed(_cancelled_before(ws, state, orders, deciding, profiles))
    with timed("decide.decisions"):
        def decided(told: list[Finding]) -> tuple[list[OrderDecision], list[Finding]]:
            return decide_within_limits(orders, suite.lines, [*suite.findings, *told, *unloaded, *early], ref, settings,
                                        policies=policies,
                                        people=lifecycle.person_decisions(deciding))

        out.decisions, findings = decided_with_releases(decided, check, weighed, len(deciding))
        suite = replace(suite, findings=findings)
    allocating = Lap("decide.allocate")
    changed = lifecycle.changed_lines(deciding)
    window_end = window_end_cancels(profiles)  # the partners whose DTM 038 is a last date
    transit = transit_days(profiles)  # a DTM 063 less the days in transit: the last ship day
    alloc_in = allocation_input(out.decisions, suite.lines, orders, lifecycle.arrivals(deciding), only=changed,
                                settings=settings, window_end_cancels=window_end, transit=transit)
    # an order its N1*SF routes to one of our warehouses takes that warehouse's stock first
    alloc_in = alloc_in.append_column("ship_from", routed_stock(alloc_in, orders, _warehouses(ws), {
        pid: p.fulfilment.ship_from_ids for pid, p in profiles.items()}))
    reserved = reserved_totals if reserved_totals is not None else lifecycle.reserved_after(
        state.reservations(), reserved_before, revisions.reservations)
    # a line an 860 changed keeps what it holds and what it shipped (its order held meanwhile), only the rest
    # competes for stock (engine.kept_stock)
    result = allocate_keeping(alloc_in, inventory.snapshot, inventory.receipts,
                              {pid: p.allocation for pid, p in profiles.items()}, decisions=out.decisions,
                              reserved=reserved, held=revisions.reservations, changed=changed, today=today,
                              owed=owed, services=service_skus(ref.items),
                              bill_only=bill_only, stored=revisions.lines,
                              eaches=ShipmentUnits(ref.items, ref.item_units, settings, ref.partner_items).each
                              if owed else None)
    out.allocation, out.availability = result.lines, result.availability
    del alloc_in
    allocating.stop()
    with timed("decide.plan"):
        plan = lifecycle.plan_decisions(
            {r.key: r for r in deciding}, out.decisions, orders=orders, lines=suite.lines, allocation=result.lines,
            stored_lines=revisions.lines, reservations=revisions.reservations, applied=revisions.applied,
            profiles=profiles, today=today, at=now.isoformat(), run_id=run_id, told_lines=lines_before,
            agreed=suite.agreed)
        found = lifecycle.decision_findings(suite.findings, out.decisions, orders, suite.lines)
        late = late_backorder_findings(result.late, orders, window_end_cancels=window_end, transit=transit,
                                       lines=suite.lines, items=ref.items)
        # why stock rejected lines or a whole order, counted in each item's unit (pairs, bags)
        late += stock_refusal_findings(result.refused, suite.lines, items=ref.items)
        if late:  # a CSV order's at its line's row and its cancel date's (or quantity's) column
            late = tuple(replace(fr, finding=f) for fr, f in zip(late, csv_located(
                [fr.finding for fr in late], lines, csv_layouts(profiles), owners_of(orders, lines)), strict=True))
        return plan + Plan(findings=found + late + lowered)


def decided_with_releases(decided: Callable[[list[Finding]], tuple[list[OrderDecision], list[Finding]]],
                          check: Callable[[Mapping], list[Finding]] | None,
                          weighed: Callable[[list[Finding]], list[Finding]], rounds: int
                          ) -> tuple[list[OrderDecision], list[Finding]]:
    """The decisions (and the findings) of the orders deciding, with their releases held against their blankets
    (``check``: release_checker's, None for no release; ``weighed``: the caller's placing of the check's findings;
    ``decided``: the caller's decisions given the check's findings): at decide and when a person rechecks held
    orders, one path. A release decided now draws on its blanket for the later ones as it was decided (held,
    answered, or rejected: drawing nothing), by the partner's outcomes: checked again with the decisions, and
    decided again while that changes what the check finds (each pass settles at least one more release in order;
    at most ``rounds`` passes, the number of orders deciding)."""
    told = weighed(check({})) if check else []
    decisions, findings = decided(told)
    for _ in range(rounds):
        if check is None:
            break
        again = weighed(check({(d.partner, d.po_number): d.status for d in decisions}))
        if again == told:
            break
        told = again
        decisions, findings = decided(told)
    return decisions, findings


def release_checker(ws: Workspace, state: StateStore, ref: ReferenceData, profiles: dict[str, PartnerProfile],
                    settings: RuleSettings, orders: pa.Table, lines: pa.Table, deciding: list, *,
                    moved: Collection[tuple[str, str]] = ()) -> Callable[[Mapping], list[Finding]] | None:
    """None when none of ``orders`` (the current tables of the records ``deciding``) is a release; else the check of
    its releases against their blankets as the store holds them now (engine.blankets.release_findings), given what
    the run decided for the releases deciding (``decided``, {} before it decided): at decide, and when a person
    rechecks held orders (flows.recheck), so a blanket an 860 raised since is the one a held release is decided
    against. The blankets and earlier releases are loaded once. ``moved``: the releases an 860 of this run moved to
    another contract or agreement (engine.lifecycle.blanket_moves): one whose new number no blanket we hold has is
    held (RELEASE_MOVED_BLANKET_UNKNOWN)."""
    from engine.blankets import cancelled_blankets, has_releases, moves_of, release_findings, release_pos

    if not has_releases(orders):
        return None
    pos = release_pos(orders)
    held_orders, held_lines, states, answered, moves = _blankets(ws, state, pos, {r.key for r in deciding})
    states.update({r.key: str.__str__(r.state) for r in deciding})
    moves.update(moves_of(deciding))
    outside = blankets_outside_edi(profiles, settings)
    units = ShipmentUnits(ref.items, ref.item_units, settings, ref.partner_items)
    cancelled = cancelled_blankets(_held_under(state, pos))  # a release of one calls off a blanket that is over
    elsewhere = _blankets_elsewhere(state, held_orders)  # an earlier release's BEG03 blanket, not its REF's
    return lambda decided: release_findings(orders, lines, held_orders, held_lines, states=states, outside=outside,
                                            units=units, decided=decided, answered=answered, cancelled=cancelled,
                                            moved=moved, elsewhere=elsewhere, moves=moves)


def blanket_drawdown(ws: Workspace, state: StateStore, record) -> list[dict]:
    """What the releases of the blanket ``record`` (an OrderRecord) called off of each of its lines, and what is left
    (engine.blankets.drawdown), the blanket and its releases loaded as decide loads them (_blankets), each release
    line in the blanket line's unit by the items' packs: `orderbridge status` of a blanket."""
    from connectors.reference import load_reference
    from engine.blankets import drawdown
    from schemas.order_keys import x12_po

    held_orders, held_lines, states, answered, moves = _blankets(
        ws, state, {(record.partner, x12_po(record.po_number))}, set())
    if not held_lines.num_rows:
        return []
    ref = load_reference(ws.reference_dir)
    units = ShipmentUnits(ref.items, ref.item_units, rule_settings(ws.partners()), ref.partner_items)
    return drawdown(record.key, held_orders, held_lines, units=units, states=states, answered=answered,
                    elsewhere=_blankets_elsewhere(state, held_orders), moves=moves)


def _blankets_elsewhere(state: StateStore, held_orders: pa.Table) -> set[tuple[str, str]]:
    """(partner, PO number) of the blankets (not cancelled nor rejected) held under the BEG03 of the releases among
    ``held_orders`` (a blanket's releases, some found by their REF*CT / REF*AH): a release whose BEG03 names another
    blanket we hold calls off that one (engine.blankets.called_off), so the blanket it names by REF does not count
    it (engine.blankets.drawdown, lowered_findings ``elsewhere``). It used to be counted in both."""
    from engine.blankets import RELEASE, drawing, held_blankets
    from schemas.order_keys import x12_po

    if not held_orders.num_rows:
        return set()
    rows = held_orders.select(["partner", "po_number", "order_type"]).to_pylist()
    pos = {(r["partner"], x12_po(r["po_number"])) for r in rows if (r.get("order_type") or "") == RELEASE}
    return held_blankets(drawing(_held_under(state, pos), ())) if pos else set()


def _moved_balances(ws: Workspace, state: StateStore, ref: ReferenceData, profiles: dict[str, PartnerProfile], plan,
                    records: Mapping, revisions, tables: Mapping, files: Mapping, lines_before: Mapping
                    ) -> dict[tuple[str, str], list[Finding]]:
    """(partner, PO) -> RELEASE_BALANCE_PAST_BLANKET findings (engine.blankets.balance_findings) of each release part
    of which shipped that an 860 of the run (``files``: its file, by order) moved to another contract or agreement
    (engine.lifecycle.moved_hold.moved_after_shipment: partially_shipped, or held so already): its balance
    (balance_left: its line records' units promised less shipped) held against what the blanket under its new
    number still holds (its lines less what its other releases called off, loaded as decide loads them). A release
    held so already is judged again: its findings, or none (let go). Moved to a number we hold no blanket of: held
    (RELEASE_MOVED_BLANKET_UNKNOWN, engine.blankets.moved_unknown_findings: what shipped and what waits), as a release
    moved so before it shipped is, unless the partner's blankets are agreed outside EDI or its outcomes do not hold
    that code. Reads the store only for such a release."""
    from engine.blankets import balance_findings, moved_unknown_findings
    from engine.lifecycle.moved_hold import MOVED_UNKNOWN, balance_left, moved_after_shipment
    from schemas.orders import BLANKET_TYPES

    moved = moved_after_shipment(plan, records, files, revisions.blankets)
    if not moved:
        return {}
    units = ShipmentUnits(ref.items, ref.item_units, rule_settings(profiles), ref.partner_items)
    every = {**tables, **revisions.tables}
    store = OrderStore(ws.orders_dir)
    out: dict[tuple[str, str], list[Finding]] = {}
    for now, to, again in moved:
        held_orders, held_lines, states, answered, moves = _blankets(ws, state, {(now.partner, n) for n in to},
                                                                     {now.key})
        if (now.partner, now.lines_key) not in every:
            every.update(_load(store, [(now.partner, now.lines_key)], store.load))
        orders, lines = lifecycle.current_tables([now], every)
        left, shipped = balance_left(revisions.lines.get(now.key) or lines_before.get(now.key, ()))
        if not (held_orders.num_rows and set(BLANKET_TYPES) & set(held_orders["order_type"].to_pylist())):
            # (moved to a number we hold no blanket of: held, saying what shipped and what waits, unless the
            # partner's blankets are agreed outside EDI or its outcomes do not hold RELEASE_MOVED_BLANKET_UNKNOWN)
            p = profiles.get(now.partner)
            holds = p is not None and now.partner not in blankets_outside_edi(profiles, rule_settings(profiles)) \
                and outcome_for(MOVED_UNKNOWN, p.rules.outcomes).action == "hold_order"
            found = moved_unknown_findings(orders.to_pylist()[0], lines.to_pylist(), left, shipped,
                                           moved_by=files[now.key]) if holds else []
            if found or again:  # (held already and not held now: let go)
                out[now.key] = found
            continue
        found = balance_findings(orders.to_pylist()[0], lines.to_pylist(), left, shipped, held_orders, held_lines,
                                 units=units, states=states, answered=answered,
                                 elsewhere=_blankets_elsewhere(state, held_orders), moved_by=files[now.key],
                                 moves=moves)
        if found or again:  # (one held already: held again, or let go when its balance fits now)
            out[now.key] = found
    return out


def _blankets_of_changed(state: StateStore, pending, records) -> set[tuple[str, str]]:
    """(partner, PO number) of the blankets (not cancelled nor rejected) held under the BEG03 of the releases the
    ``pending`` changes name: such a release calls off that blanket whatever contract or agreement (REF*CT / REF*AH)
    an 860 gives it (engine.blankets.called_off), so the change moves it off no blanket and CHANGE_HEADER_APPLIED
    says so. Read only on a night an 860 names a release."""
    from engine.blankets import RELEASE, drawing, held_blankets
    from schemas.order_keys import x12_po

    pos = {(r.partner, x12_po(r.po_number)) for c in pending if (r := records.get((c.partner, c.po_number)))
           is not None and (r.order_type or "") == RELEASE}
    return held_blankets(drawing(_held_under(state, pos), ())) if pos else set()


def _held_under(state: StateStore, pos: set[tuple[str, str]]) -> list:
    """The order records held under the PO numbers ``pos`` ((partner, PO number)): keyed by it, and as its later
    releases or its blanket kept apart."""
    from schemas.order_keys import x12_po

    return [*state.orders_for(pos).values(), *(r for partner in sorted({p for p, _ in pos})
                                               for r in state.release_orders(partner)
                                               if (partner, x12_po(r.po_number)) in pos)]


def _blankets(ws: Workspace, state: StateStore, pos: set[tuple[str, str]], deciding: set
              ) -> tuple[pa.Table, pa.Table, dict[tuple[str, str], str], dict, dict]:
    """The current ORDERS and ORDER_LINES rows of the orders held under the PO numbers ``pos`` ((partner, PO number):
    the blankets of the releases deciding, or the blankets an 860 changed: blankets and releases), those deciding
    now, cancelled or rejected left out; each one's state (a held release draws until a person rejects it, and
    is named as held); and what we acknowledged of each line of those we answered (engine.blankets.acknowledged:
    they draw that, not what they asked); and what each release an 860 moved after part of it shipped keeps of the
    move (engine.blankets.moves_of: those moved off one of ``pos`` found by the number they left, for what shipped
    before the move stays counted on it)."""
    from engine.blankets import acknowledged, drawing, moves_of

    under = _held_under(state, pos)
    left = state.releases_moved_from({p: [n for q, n in pos if q == p] for p in {p for p, _ in pos}}) if pos else []
    records = drawing(list({r.key: r for r in [*under, *releases_by_ref(state, OrderStore(ws.orders_dir), under),
                                                *left]}.values()), deciding)
    if not records:
        return ORDERS.empty_table(), ORDER_LINES.empty_table(), {}, {}, {}
    store = OrderStore(ws.orders_dir)
    answered = [r.key for r in records if r.answered_revision > 0]
    return (*lifecycle.current_tables(records, _load(store, lifecycle.table_keys(records), store.load)),
            {r.key: str.__str__(r.state) for r in records},
            acknowledged(state.lines_for(answered)) if answered else {}, moves_of(records))


def blankets_outside_edi(profiles: dict[str, PartnerProfile], settings: RuleSettings) -> set[str]:
    """The partners whose blanket orders are agreed outside EDI ([rules] blankets_outside_edi): a release of theirs
    naming a blanket we do not hold is ordinary (engine.blankets)."""
    return {pid for pid in profiles if settings.for_partner(pid).blankets_outside_edi}


def _lowered(ws: Workspace, state: StateStore, ref: ReferenceData, settings: RuleSettings, orders: pa.Table,
             lines: pa.Table, deciding: list, applied: dict) -> tuple[FindingRecord, ...]:
    """BLANKET_BELOW_RELEASES for the blankets this run's 860s (``applied``: the changes applied, by order) left
    below what their releases called off, at the 860's POC (engine.blankets.lowered_findings): a warning."""
    from engine.blankets import changed_blanket_pos, lowered_findings

    changed = {k: [r for a in v for r in a.result.line_results] for k, v in applied.items()}
    pos = changed_blanket_pos(orders, changed)
    if not pos:
        return ()
    held_orders, held_lines, states, answered, moves = _blankets(ws, state, pos, {r.key for r in deciding})
    states.update({r.key: str.__str__(r.state) for r in deciding})
    found = lowered_findings(changed, orders, lines, held_orders, held_lines, states=states, answered=answered,
                             moves=moves,
                             units=ShipmentUnits(ref.items, ref.item_units, settings, ref.partner_items),
                             elsewhere=_blankets_elsewhere(state, held_orders))
    return tuple(FindingRecord(f, partner, po, "none (warning)", "decide") for (partner, po), f in found)


def deciding_sacs(store: OrderStore, records, state: StateStore | None = None,
                  applied: Mapping | None = None) -> pa.Table | None:
    """The stored ORDER_SACS of ``records``' orders (each stored file read once, its orders' rows picked; a file
    stored before SACs were kept, or unreadable, gives none), by which the rules judge the allowances our 810s take
    off (rules.suite.run_suite sacs=); None when no order sent one. An order an 860 changed (its lines_key the
    change's tables) has its 850's SACs (of its source file) with those of each 860 applied or answered since, oldest
    first, applied to them (``state``: the recorded changes; rules.business.allowance_discounts.changed_allowances):
    an 860 adding, changing or taking off an allowance is judged on the order as changed. It used to be judged on
    none at all (the changed order's lines_key names no stored SAC table). What we refused of an 860 is not
    counted (refused_changes: its POC loops we answered IR, or all of it): ``applied``, the changes applied to the
    orders and not answered yet (engine.lifecycle AppliedChange: this run's and those replayed), and the 865s sent
    for those answered (engine.finance_inputs.change_refusals, as the reconciliation leaves them out). A refused POC's
    allowance used to be judged with the order: a refused line's 12 % held the order for a discount never given."""
    kept: dict[str, frozenset[str]] = {}
    files: dict[tuple[str, str], list[tuple[str, str]]] = {}
    changed = []
    for r in records:
        if not r.lines_key:
            continue
        if r.partner not in kept:
            kept[r.partner] = store.sac_keys(r.partner)
        if r.lines_key in kept[r.partner]:
            files.setdefault((r.partner, r.lines_key), []).append((r.po_number, r.order_ref or ""))
        elif state is not None and r.change_file:
            changed.append(r)
    parts = []
    for (partner, key), pos in files.items():
        try:
            sacs = store.load_sacs(partner, key)
        except StateError:
            continue
        if sacs.num_rows and (mine := orders_rows(sacs, pos)).num_rows:
            parts.append(mine)
    if changed:
        parts.extend(t for t in _changed_orders_sacs(store, changed, kept, state, applied) if t.num_rows)
    return pa.concat_tables(parts) if parts else None


def refused_changes(state: StateStore, applied: Mapping | None
                    ) -> dict[tuple[str, str, str], tuple[bool, frozenset[str]]]:
    """(partner, store key, change ref) of an 860 -> whether we refused it whole, and the POC01s of its POC loops every
    POC of which we refused (IR): from the changes applied and not answered yet (``applied``: their results), else
    from the 865s sent (engine.finance_inputs.change_refusals, the latest 865 of a change saying)."""
    from engine.finance_inputs import applied_refusals, change_refusals

    out = applied_refusals(applied)
    for (partner, key), told in change_refusals(state.sent_documents(("865",)), state.sent_sets_of(("865",))).items():
        _kind, store_key, change_ref = key.split(":", 2)
        out.setdefault((partner, store_key, change_ref), told)
    return out


def _sacs_on_lines(store: OrderStore, named: Mapping[tuple[str, str, str], Mapping[int, tuple[str, int] | None]]
                   ) -> None:
    """The stored SACs of each 876 applied this run (``named``: Revisions.sac_lines) with those of its G68 loops
    given the line the G68's item named (engine.changes.sacs_on_lines): read by the rules, the invoice and the
    reconciliation as an 860's POC loop's SACs are, by their line's PO101. A file stored without SACs: nothing."""
    kept: dict[str, frozenset[str]] = {}
    for (partner, key, change_ref), lines in sorted(named.items()):
        if partner not in kept:
            kept[partner] = store.sac_keys(partner, "change-sacs")
        if key in kept[partner]:
            store.restate_change_sacs(partner, key, partial(sacs_on_lines, change_ref=change_ref, named=lines))


def _changed_orders_sacs(store: OrderStore, records, kept: dict[str, frozenset[str]], state: StateStore,
                         applied: Mapping | None = None) -> list:
    """Per changed order of ``records``: its 850's SACs (source_sha256's table, its PO and order_ref) with each
    applied or answered 860's SACs applied (a change whose file stored none adds nothing; one unreadable, nothing)."""
    changes = state.pending_changes(statuses=("applied", "answered", "pending"),
                                    keys=[(r.partner, r.po_number) for r in records])
    by_order: dict[tuple[str, str], list] = {}
    for ch in changes:
        by_order.setdefault((ch.partner, ch.po_number), []).append(ch)
    for r in records:  # the 860s this run applies are still pending: those up to the one the order's tables are of
        mine = by_order.get((r.partner, r.po_number), [])
        last = next((k for k, ch in enumerate(mine) if f"{ch.store_key}-{ch.change_ref}" == r.lines_key), None)
        by_order[r.partner, r.po_number] = [ch for k, ch in enumerate(mine)
                                            if ch.status != "pending" or (last is not None and k <= last)]
    change_keys = {p: store.sac_keys(p, "change-sacs") for p in sorted({r.partner for r in records})}
    read: dict[tuple[str, str], pa.Table] = {}

    def loaded(partner: str, key: str, loader) -> pa.Table:
        if (partner, key) not in read:
            try:
                read[partner, key] = loader(partner, key)
            except StateError:
                read[partner, key] = pa.table({})
        return read[partner, key]

    out = []
    refusals: dict | None = None  # what we refused of the 860s (refused_changes), read when one sent a SAC
    for r in records:
        sent = []
        for ch in by_order.get((r.partner, r.po_number), []):  # most 860s send no SAC: nothing to read
            if ch.store_key in change_keys[r.partner]:
                table = loaded(r.partner, ch.store_key, store.load_change_sacs)
                if not table.num_rows:
                    continue
                mine = table.filter(pc.equal(table["order_ref"], ch.change_ref))
                if refusals is None:
                    refusals = refused_changes(state, applied)
                whole, lines = refusals.get((ch.partner, ch.store_key, ch.change_ref), (False, frozenset()))
                if whole:  # refused whole: none of its SACs; a POC we refused: its loop's
                    continue
                if lines and mine.num_rows:
                    mine = mine.filter(pc.invert(pc.fill_null(pc.is_in(
                        mine["line_id"], value_set=pa.array(sorted(lines), pa.string())), False)))
                sent.append(mine)
        base = ORDER_SACS.empty_table()
        if r.source_sha256 in kept[r.partner]:
            whole = loaded(r.partner, r.source_sha256, store.load_sacs)
            if whole.num_rows:
                base = orders_rows(whole, [(r.po_number, r.order_ref or "")])
        if not base.num_rows and not any(t.num_rows for t in sent):
            continue
        out.append(changed_allowances(base, sent, (r.partner, r.order_ref or "", r.po_number)).cast(ORDER_SACS))
    return out


def _not_loaded(orders: pa.Table, ws: Workspace, profiles: dict[str, PartnerProfile], out: RunDecision
                ) -> list[Finding]:
    """A STOCK_NOT_LOADED per order whose N1*SF routes it to a stock warehouse whose export is late
    (``out.stock_late``), naming its last day loaded."""
    from schemas.findings import finding_at_row

    routed = routed_stock(orders, orders, _warehouses(ws), {
        pid: p.fulfilment.ship_from_ids for pid, p in profiles.items()}).to_pylist()
    late = dict(out.stock_late)
    return [finding_at_row(
        "STOCK_NOT_LOADED", f"PO {row['po_number']} ships from {where} (its N1*SF), whose stock export was not "
        f"loaded for the snapshot of {out.stock_as_of.isoformat()}: its last, of {late[where].isoformat()}, is older "
        "than [inventory] stock_carry_days allows. Held for a person rather than answered for stock we cannot see: "
        "load the DC's export (orderbridge inventory load), then approve the order (orderbridge approvals).",
        row, seg="N1", position=False)
        for row, where in zip(orders.to_pylist(), routed, strict=True) if where in late]


def _cancelled_before(ws: Workspace, state: StateStore, orders: pa.Table, deciding: list,
                      profiles: Mapping) -> list[Finding]:
    """PO_CANCELLED_BEFORE_RECEIVED for the orders to decide whose PO an 860 cancelled before their 850 came (refused
    as naming a PO we never received): the refused changes of their keys, their stored headers read
    (engine.early_cancel)."""
    from engine.early_cancel import TOLD, cancelled_before, cancels_before, kin_of

    # [continues]: one company under two profiles; a cancel refused as B's holds an 850 that then comes to A
    continues = {pid: (p.continues.partner, p.continues.effective.isoformat()) for pid, p in profiles.items()
                 if p.continues is not None}
    kin = kin_of({pid: a for pid, (a, _day) in continues.items()})
    keys = {(k, r.po_number) for r in deciding for k in (r.partner, *kin.get(r.partner, ()))}
    refused = state.pending_changes(statuses=("refused",), keys=keys) if keys else []
    # (a cancel after an 850 of the PO, or one answered since, was about another 850 of that number)
    named = {c.po_number for c in refused}
    told = state.events_at({k for k in keys if k[1] in named}, TOLD) if refused else {}
    changes = cancels_before(deciding, refused, kin, continues=continues, history=told) if refused else []
    if not changes:
        return []
    store, headers = OrderStore(ws.orders_dir), {}
    for partner, key in {(c.partner, c.store_key) for c in changes}:
        try:
            rows = store.load_changes(partner, key)[0].to_pylist()
        except StateError:
            continue  # (its tables gone: nothing says what it asked)
        headers.update({(partner, key, h["change_ref"]): h for h in rows})
    return cancelled_before(orders, changes, headers, kin)


def _warehouses(ws: Workspace) -> dict:
    """The warehouse profiles, for routing orders to the one their N1*SF names; none when they do not load (the
    ship stage names that failure: the allocation then follows the partners' policies alone)."""
    try:
        return ws.warehouses()
    except ConfigError:
        return {}


def _load(store: OrderStore, keys: list[tuple[str, str]], load) -> dict[tuple[str, str], tuple[pa.Table, pa.Table]]:
    """Each stored table pair read once."""
    return {(partner, key): load(partner, key) for partner, key in keys}


def load_inventory(ws: Workspace, today: date) -> Inventory:
    """The newest snapshot on or before ``today`` and the expected receipts (flows pick; engine never does)."""
    from connectors.snapshots import latest_as_of, load_receipts, load_snapshot_summed

    root = ws.inventory_dir
    as_of = latest_as_of(root / "snapshots", on_or_before=today)
    snapshot, summed = load_snapshot_summed(root / "snapshots", as_of)
    missing = _missing(snapshot, _warehouses(ws))
    snapshot, carried = _carried(root / "snapshots", snapshot, as_of, missing, ws.stock_carry_days)
    late = _late(root / "snapshots", as_of, set(missing) - {w for w, _d in carried}, ws.stock_carry_days,
                 ws.stock_untracked_days)
    return Inventory(snapshot, load_receipts(root / "receipts.parquet"), as_of, summed, carried, late)


def _late(root, as_of: date, missing: set[str], days: int, seen: int) -> tuple[tuple[str, date], ...]:
    """(warehouse, last day) of the ``missing`` warehouses whose stock was last loaded more than ``days`` but at most
    ``seen`` before ``as_of`` (workspace.toml's [inventory] stock_untracked_days): a DC whose export is late, whose
    routed orders wait for a person. One not loaded in ``seen`` days is a DC whose stock we do not track (a 3PL's, a
    warehouse profile for shipping alone): its routed orders are served from the others."""
    from connectors.snapshots import warehouses_on

    out, left = [], set(missing)
    for back in range(days + 1, seen + 1):
        if not left:
            break
        day = date.fromordinal(as_of.toordinal() - back)
        for where in sorted(left & warehouses_on(root, day)):
            out.append((where, day))
            left.discard(where)
    return tuple(sorted(out))


def _carried(root, snapshot: pa.Table, as_of: date, missing: tuple[str, ...], days: int
             ) -> tuple[pa.Table, tuple[tuple[str, date], ...]]:
    """The ``snapshot`` of ``as_of`` with each ``missing`` warehouse's rows of the newest older day that has any, at
    most ``days`` before it (as rows of ``as_of``: allocation reads one day), and (warehouse, day) of each carried. A
    DC whose export was not loaded for the day is allocated from its last stock, not as empty (its routed orders were
    answered IB/IR for stock that may be there); what it shipped since is taken off (_shipped_before)."""
    from connectors.snapshots import load_snapshot_summed, partition_dir

    if not missing or days <= 0:
        return snapshot, ()
    parts, carried, left = [snapshot], [], set(missing)
    for back in range(1, days + 1):
        day = date.fromordinal(as_of.toordinal() - back)
        if not left or not partition_dir(root, day).is_dir():
            continue
        older, _summed = load_snapshot_summed(root, day)
        for where in sorted(left & set(older["warehouse"].to_pylist())):
            rows = older.filter(pc.equal(older["warehouse"], where))
            parts.append(rows.set_column(0, "as_of", pa.array([as_of] * rows.num_rows, pa.date32())))
            carried.append((where, day))
            left.discard(where)
    if not carried:
        return snapshot, ()
    table = pa.concat_tables([t.cast(snapshot.schema) for t in parts])
    return table.take(pc.sort_indices(table, [("warehouse", "ascending"), ("sku", "ascending")])), tuple(carried)


def _shipped_before(state: StateStore, inventory: Inventory) -> list[dict]:
    """What each carried warehouse shipped from its stock's day to the snapshot's (state.shipped_since counts from
    the snapshot's day only): stock its older rows still count as on hand."""
    out = []
    for where, day in inventory.carried:
        since = {(r["sku"]): r["quantity"] for r in state.shipped_since(inventory.as_of) if r["warehouse"] == where}
        out += [{"warehouse": where, "sku": r["sku"], "quantity": r["quantity"] - since.get(r["sku"], 0)}
                for r in state.shipped_since(day) if r["warehouse"] == where]
    return out
