"""The decide stage's first step: every pending 860 applied to its order (engine.changes.apply_changes),
in arrival order. A change refused as a whole, a cancellation, or one that touched no line is
final at once and answered in this plan (865); a change that touched lines makes a new revision
(state changed) that the rules re-decide, and is answered only then (engine.lifecycle.decisions),
so every document answers the final decision.

Pure: typed records, stored lines and reservations, and the canonical tables in; Revisions out
(a plan, the records after the changes, and the new revision tables the flow stores).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_CEILING, Decimal

import pyarrow as pa
import pyarrow.compute as pc

from engine.ack_head_fit import change_unfit, not_sent
from engine.answer import backorder_day, first_ship_day, refused_line, restated_line, statuses_855
from engine.bill_only import CREDIT_DUE_CONSEQUENCE, INVOICE_DUE_CONSEQUENCE, credit_due, invoice_due
from engine.changes import (
    ACCEPTED,
    CANCEL_PURPOSES,
    CHANGED,
    INFORMATION_COPY,
    LINE_LAST_DATES,
    NO_RESPONSE,
    NO_RESPONSE_NOTE,
    PRICE_CHANGED,
    QUANTITY_CHANGED,
    REJECTED,
    REPEAT_PURPOSES,
    REPEAT_WORDS,
    ChangeResult,
    ItemOf,
    LineProgress,
    On880,
    Progress,
    UnitEaches,
    _n,
    answer_wanted,
    apply_changes,
    change_fingerprint,
    dates_said,
    heading_finding,
    named_lines,
    refs_said,
)
from engine.lifecycle.common import check_plan, contain, first_rows, isolated, transaction_set
from engine.lifecycle.table import ENDED, REOPENABLE, SHIPPABLE, SHIPPING, TO_DECIDE, move
from engine.po_ack import HEAD_KEYS, PLAIN, SAC_LIST, StatedSacs
from engine.po_change_ack import build_865, change_ack_type
from rules.business.money import not_on_880
from rules.business.quantities import po4_unit_eaches
from rules.shipment_units import ShipmentUnits
from schemas.changes import DEADLINE_CHANGES, REF_CHANGES
from schemas.codes_changes import CHANGE_CATALOGUE
from schemas.findings import finding_at_row
from schemas.lifecycle import (
    BILL_ONLY,
    BLANKET_REF_FIELDS,
    CUT_MARK,
    DECIDED_EVENTS,
    DECIDED_ORDERS,
    ENDED_LINES,
    GONE_LINES,
    ON_HOLD,
    ChangeUpdate,
    Clock,
    DecidedOrders,
    EventKind,
    FindingRecord,
    LineRecord,
    LineState,
    OrderLines,
    OrderRecord,
    OrderReservations,
    OrderState,
    Plan,
    PlannedDocument,
    PlannedSet,
    Reservation,
    StoredChange,
)
from schemas.order_keys import SEP, x12_po
from schemas.orders import (
    LAST_DATES,
    LINE_MARK_FOR,
    ORDER_LINES,
    ORDERS,
    Transit,
    last_dates,
    last_day,
    window_named,
    with_exact_prices,
)
from schemas.outcomes import outcome_for
from schemas.profile import PartnerProfile
from schemas.reference import service_skus
from schemas.units import (
    KEPT_PER_MANY_BASES,
    backordered_stored,
    priced_per,
    rejected_exactly,
    rejected_stored,
)
from schemas.x12 import Delimiters

Key = tuple[str, str]
UNANSWERED_CHANGES = ("applied",)  # pending_changes statuses: applied to an order, not answered yet
_FINAL = {waiting: final for final, waiting in ON_HOLD.items()}  # (schemas.lifecycle.ON_HOLD: a change on hold)
Tables = Mapping[Key, tuple[pa.Table, pa.Table]]  # (partner, key) -> (orders, lines) or (headers, changes)


@dataclass(frozen=True, slots=True)
class AppliedChange:
    """A change applied to an order and not answered yet: answered when the order is decided."""

    change: StoredChange
    header: dict
    result: ChangeResult

    @property
    def doc_key(self) -> str:
        return f"865:{self.change.store_key}:{self.change.change_ref}"


@dataclass(frozen=True, slots=True)
class RaisedAnswer:
    """An 860 that raised lines of an order that shipped, answered at once: ``units`` (line number -> units the
    raise backordered) are offered stock in the same run; what it does not place, nor (``reject`` False: a
    partner that takes backorders) promise from an expected receipt, is refused (``refuse_unplaced_raises``)
    and the 865 built again from ``header`` and ``result`` to say so."""

    change: StoredChange
    header: dict
    result: ChangeResult
    units: Mapping[int, int]
    answered: bool = True  # the change was answered with an 865 (the partner receives them)
    # the partner takes no backorder: every unit not placed is refused; else only those no receipt covers
    reject: bool = True

    @property
    def doc_key(self) -> str:
        return f"865:{self.change.store_key}:{self.change.change_ref}"


@dataclass(frozen=True, slots=True)
class ShippedAnswer:
    """An 860 answered at once after shipment (its 865 built before the run's backorder allocation) that left a
    line it answers backordered: dated once that allocation ran (date_shipped_answers), as an 865 answering a
    change before shipment is (ACK04 068, ACK05: the day the whole line is to ship). ``promised``: each line's
    units backordered before the change (what the line's promise covers); ``ship_day``: the order's schedule
    ship day (its requested ship date, today at the earliest) for units reserved and not shipped."""

    change: StoredChange
    header: dict
    result: ChangeResult
    promised: Mapping[int, int]
    ship_day: date

    @property
    def doc_key(self) -> str:
        return f"865:{self.change.store_key}:{self.change.change_ref}"


@dataclass(frozen=True, slots=True)
class RestatedAnswer:
    """An 860 answered at once after shipment by a revised 855 (a partner answered by 855s that receives no 865):
    the order's lines as the change left them (revised_855). Built again once the run's backorder allocation
    ran (restate_shipped_answers): raised units it refused, and the days its backorders are promised."""

    change: StoredChange
    order_row: dict
    rows: pa.Table  # the order's canonical lines after the change
    profile: PartnerProfile
    lines: tuple[LineRecord, ...] = ()  # the order's line records as the change left them (the 855 built then)

    @property
    def doc_key(self) -> str:
        return f"855:{self.change.store_key}:{self.change.change_ref}"


@dataclass(frozen=True, slots=True)
class ChangeAnswer:
    """An answer we sent a change (an 865, or a revised 855), as stored: its set type, its body (the segments
    between ST and SE, as engine.resend.set_body reads them), its ISA13 and ST02 and when it was made."""

    doc_type: str
    body: tuple[tuple, ...]
    isa13: str
    st02: str
    sent_at: str


FOLLOW_UP = "45"  # code list 353: "a second or subsequent transmission ... when an expected response has not yet been
# received": the buyer says it has not had our answer; the answer we sent then goes again (_Step._repeated)
_FUNCTIONAL_IDS = {"865": "CA", "855": "PR"}


@dataclass(slots=True)
class Revisions:
    parts: list[Plan] = field(default_factory=list)  # one per change (or failed order), in order
    # (partner, PO number) of the blankets held under the BEG03 of the releases changed (apply_pending_changes)
    blankets: frozenset[Key] = frozenset()
    records: dict[Key, OrderRecord] = field(default_factory=dict)  # after the changes
    lines: dict[Key, tuple[LineRecord, ...]] = field(default_factory=dict)
    reservations: dict[Key, tuple[Reservation, ...]] = field(default_factory=dict)
    tables: dict[Key, tuple[pa.Table, pa.Table]] = field(default_factory=dict)  # new revisions: flow stores them
    applied: dict[Key, list[AppliedChange]] = field(default_factory=dict)  # to answer when decided
    change_ids: dict[str, int] = field(default_factory=dict)  # 865 doc key -> change id (answer order)
    # per order, the changes applied to it (source file, change_fingerprint): a 06/07 repeat of one is not applied
    seen: dict[Key, list[tuple[str, tuple]]] = field(default_factory=dict)
    # (partner, PO, source file) of a change applied before -> the answers we sent it (ChangeAnswer: 865s, revised
    # 855s), for the orders a pending 45 (follow-up) names: the follow-up of that change has them sent again
    sent_answers: dict[tuple[str, str, str], tuple[ChangeAnswer, ...]] = field(default_factory=dict)
    # per order, (BCH05 as a number, BCH05, source file) of the changes applied to its current 850 (sequence_history):
    # one with a lower number comes out of sequence (_Step._later_in_sequence)
    sequenced: dict[Key, list[tuple[int, str, str]]] = field(default_factory=dict)
    # per order that shipped in part, the stock warehouses of its recorded shipments (StateStore.shipped_from): a line
    # a change makes take no back order has its balance there cancelled at once (_Step._rule_cut)
    shipped_from: dict[Key, frozenset[str]] = field(default_factory=dict)
    # orders whose lines an 860 raised after shipment: each such 860, in
    # the order applied (several in one run each keep their units: a second used to replace the first's)
    raised: dict[Key, list[RaisedAnswer]] = field(default_factory=dict)
    # orders changed after shipment whose 865 answered a line left backordered: dated after the backorder step
    dated: dict[Key, list[ShippedAnswer]] = field(default_factory=dict)
    # 865 doc key -> the change's result once refuse_unplaced_raises cut its raise (date_shipped_answers dates it)
    refused: dict[str, ChangeResult] = field(default_factory=dict)
    # orders whose changes revised 855s answered at once (after shipment, or before it with the lines as they
    # stand), in the order applied: each built again after the backorder step (restate_shipped_answers)
    restated: dict[Key, list[RestatedAnswer]] = field(default_factory=dict)
    # per order waiting for the rules (TO_DECIDE) of a partner answered by 855s, the changes that left it as it was
    # (refused, or touching no line): each answered by a revised 855 of the run's decision (answer_awaiting)
    awaiting: dict[Key, list[StoredChange]] = field(default_factory=dict)
    # per order, the changes that wait for a person's decision on it (WAITING_ON_HOLD), as stored: a cancel supersedes
    # them; an order the run decides has them in ``awaiting`` (answered by the 855 of the decision)
    on_hold: dict[Key, list[StoredChange]] = field(default_factory=dict)
    # the orders' lines as the run's last change left them (apply_pending_changes), before the backorder step: a
    # line an answer stated as it is here was not moved by a later change (restate_shipped_answers)
    changed_lines: dict[Key, tuple[LineRecord, ...]] = field(default_factory=dict)
    # per order of a partner whose 855 states the agreed allowances ([acks.po_ack] allowances = "agreed"), the SACs
    # the last 855 sent for it states (engine.po_ack.stated_sacs): a revised 855 answering a change states them again
    stated: dict[Key, StatedSacs] = field(default_factory=dict)
    # per 876 applied (partner, store key, change ref): the PO101 and number of the line each of its POCs (by
    # file_segment) named, which its G68-loop SACs are resolved by (engine.changes.named_lines; the flow stores
    # them: sacs_on_lines)
    sac_lines: dict[tuple[str, str, str], dict[int, tuple[str, int] | None]] = field(default_factory=dict)

    @property
    def plan(self) -> Plan:
        return Plan.combine(self.parts)


def apply_pending_changes(pending: list[StoredChange], *, records: Mapping[Key, OrderRecord],
                          lines: Mapping[Key, tuple[LineRecord, ...]],
                          reservations: Mapping[Key, tuple[Reservation, ...]], tables: Tables, change_tables: Tables,
                          profiles: Mapping[str, PartnerProfile], today: date, at: str, run_id: str,
                          applied: Mapping[Key, list[AppliedChange]] | None = None,
                          failed: Mapping[Key, BaseException] | None = None,
                          history: Mapping[Key, list[tuple[str, tuple]]] | None = None,
                          units: ShipmentUnits | None = None, on_hold: Sequence[StoredChange] = (),
                          sequenced: Mapping[Key, list[tuple[int, str, str]]] | None = None,
                          shipped_from: Mapping[Key, Collection[str]] | None = None,
                          stated: Mapping[Key, StatedSacs] | None = None,
                          blankets: Collection[Key] = (),
                          sent_answers: Mapping[tuple[str, str, str], Sequence[ChangeAnswer]] | None = None
                          ) -> Revisions:
    """Apply ``pending`` (oldest first). ``records``/``lines``/``reservations``: what we hold for every
    PO they name; ``tables``: the current revision's canonical tables by (partner, lines_key);
    ``change_tables``: the 860 tables by (partner, store_key); ``applied``: changes applied earlier and
    not answered yet (``replay``); ``failed``: orders whose replay failed (held for ops, not changed);
    ``history``: (source file, change_fingerprint) of the changes applied before, for the orders a pending
    06/07 names (``fingerprints``); ``units``: the item master's units (rules.shipment_units), so a POC05 of the
    line's own case in another code (CS for CA) is its unit (same_case_units); ``on_hold``: changes an earlier run
    refused (or found touching no line) while their order waited for a person (WAITING_ON_HOLD): the order a person
    decided since (waiting for the rules now) has them answered by the 855 of this run's decision (answer_awaiting);
    ``sequenced``: the change order sequence numbers applied to each order's current 850 (sequence_history), for the
    orders a pending 860 with a numeric BCH05 names: a change numbered below one of them came out of sequence;
    ``shipped_from``: the stock warehouses of the recorded shipments of the orders named that shipped in part;
    ``stated``: the agreed allowances the last 855 of each order named states (engine.po_ack.stated_sacs), which a
    revised 855 answering a change of it (revised_855) states again. ``blankets``: (partner, PO number) of the
    blankets we hold under the BEG03 of the releases the changes name (engine.blankets.held_blankets): a release whose
    BEG03 names one calls off that one whatever contract or agreement an 860 gives it (engine.blankets.called_off).
    ``sent_answers``: (partner, PO, source file) of a change applied before -> the answers we sent it (ChangeAnswer),
    for the orders a pending follow-up (BCH01 45) names (follow_up_keys): sent again for it."""
    rv = Revisions(blankets=frozenset(blankets), sent_answers={k: tuple(v) for k, v in (sent_answers or {}).items()},
                   stated=dict(stated or {}), records=dict(records), lines=dict(lines), reservations=dict(reservations),
                   shipped_from={k: frozenset(v) for k, v in (shipped_from or {}).items()},
                   applied={k: list(v) for k, v in (applied or {}).items()},
                   seen={k: list(v) for k, v in (history or {}).items()},
                   sequenced={k: list(v) for k, v in (sequenced or {}).items()})
    for ch in on_hold:
        key = (ch.partner, ch.po_number)
        rv.on_hold.setdefault(key, []).append(ch)
        if key in rv.records and rv.records[key].state in TO_DECIDE:
            rv.awaiting.setdefault(key, []).append(ch)
    for key, exc in (failed or {}).items():
        part = contain(rv.records.get(key), exc, at=at, run_id=run_id, stage="decide", partner=key[0],
                       po_number=key[1])
        rv.records.update({t.record.key: t.record for t in part.transitions})
        rv.parts.append(part)
    failed = set(failed or ())
    for ch in in_sequence(pending, change_tables):
        profile = profiles.get(ch.partner)
        key = (ch.partner, ch.po_number)
        if profile is None or key in failed:
            continue  # stays pending (a partner without a profile; an order that failed this run)
        rv.change_ids[f"865:{ch.store_key}:{ch.change_ref}"] = ch.id
        rv.change_ids[f"855:{ch.store_key}:{ch.change_ref}"] = ch.id  # (a revised 855 answering it after shipment)
        record = rv.records.get(key)
        try:
            step = _Step(ch, record, rv, profile, tables, change_tables, today=today, at=at, run_id=run_id,
                         units=units)
            plan = step.run()
            check_plan(plan)
        except Exception as exc:  # noqa: BLE001 - isolated: this order is held, the others go on
            part = contain(record, exc, at=at, run_id=run_id, stage="decide", partner=ch.partner,
                           po_number=ch.po_number)
            rv.records.update({t.record.key: t.record for t in part.transitions})
            rv.parts.append(part)
            failed.add(key)
            continue
        step.commit()
        rv.parts.append(plan)
    rv.changed_lines = {k: rv.lines[k] for k in rv.restated if k in rv.lines}
    return rv


class _Step:
    """One 860 against one order; commit() makes its effects visible to the following changes."""

    def __init__(self, ch: StoredChange, record: OrderRecord | None, rv: Revisions, profile: PartnerProfile,
                 tables: Tables, change_tables: Tables, *, today: date, at: str, run_id: str,
                 units: ShipmentUnits | None = None) -> None:
        self.ch, self.record, self.rv, self.profile = ch, record, rv, profile
        self.units = units
        self.tables, self.change_tables = tables, change_tables
        self.today, self.at, self.run_id = today, at, run_id
        self.key = (ch.partner, ch.po_number)
        self.updates: dict = {}
        self.asked: dict[int, Decimal | None] = {}  # each line's quantity (PO102) before the change (_current)
        self.unsent: FindingRecord | None = None  # an 865 the change would get that BCA cannot carry (_answers)

    @property
    def _sent(self) -> str:
        """The set the change came as, for its notes: "876" for a grocer's (CHANGE_HEADERS set_id), else "860"."""
        return (getattr(self, "header", None) or {}).get("set_id") or "860"

    def run(self) -> Plan:
        plan = self._run()
        if not answer_wanted(self.header) and plan.transitions:  # BCH01 49: the order's story says why no answer
            plan = replace(plan, transitions=tuple(replace(t, events=tuple(
                replace(e, note=f"{e.note}; {NO_RESPONSE_NOTE}") if self.ch.source_file in e.note else e
                for e in t.events)) for t in plan.transitions))
        return plan if self.unsent is None else replace(plan, findings=(*plan.findings, self.unsent))

    def _run(self) -> Plan:
        ch, record = self.ch, self.record
        headers, changes = self.change_tables[(ch.partner, ch.store_key)]
        header = self.header = next(h for h in headers.to_pylist() if h["change_ref"] == ch.change_ref)
        if header.get("purpose") == INFORMATION_COPY:  # for the record, not to act on (whatever the order's state)
            return self._information_copy(header)
        if record is not None and record.state == OrderState.CANCELLED and header.get("purpose") in CANCEL_PURPOSES:
            # a cancel sent again for the order it cancelled: it stands (it used to be refused as an unknown PO)
            return self._repeated(header, "")
        if record is None and (waits := self._awaiting_850(header)) is not None:
            return waits  # (left pending: applied the night its 850 comes)
        if record is None or record.state in ENDED:
            result = apply_changes(None, ORDER_LINES.empty_table(), header, changes, shipped=False,
                                   ended=record.state.value if record is not None else None,
                                   carried=self.profile.continuing(self.today))  # [continues]: nor does A
            return self._refused(header, result)
        fingerprint = change_fingerprint(header, changes)
        if header.get("purpose") in REPEAT_PURPOSES or _numbered_change(header.get("purpose"),
                                                                      header.get("change_order_ref")):
            earlier = next((f for f, fp in self.rv.seen.get(self.key, ()) if fp == fingerprint), None)
            if earlier is not None:
                return self._repeated(header, earlier)
        order_row, lines = self._current(record)
        if (later := self._later_in_sequence(header)) is not None:  # sent before a change applied already
            done = record.state == OrderState.CLOSED or record.state in SHIPPING or self._has_shipped()
            result = apply_changes(order_row, lines, header, changes, shipped=done, later=later)
            return self._refused(header, result, **{"restate" if done else "standing": (order_row, lines)})
        if record.state == OrderState.CLOSED:  # nothing more happens to it: refused whole, a finding says why
            result = apply_changes(order_row, lines, header, changes, shipped=True, closed=True)
            return self._refused(header, result, restate=(order_row, lines))
        if record.state in SHIPPING or self._has_shipped():
            # (an order that shipped and waits for its added lines' decision is still an order that shipped)
            return self._after_shipment(header, changes, order_row, lines, fingerprint)
        known = with_skus(self.rv.lines.get(self.key, ()), lines, self.units)
        result = apply_changes(order_row, lines, header, changes, shipped=False, beg03_blanket=self._beg03_blanket,
                               same_case=same_case_units(known, self.units), unit_eaches=unit_eaches(known, self.units),
                               item_of=items_named(known, self.units, self.profile.id),
                               on_880=on_880_check(known, self.units, self.profile, answered=True),
                               echoed=self._echoed())
        if result.rejected:
            return self._refused(header, result, standing=(order_row, lines))
        self.updates[("seen", self.key)] = (ch.source_file, fingerprint)
        self._lines_named(header, result, lines)
        if result.cancelled or self._nothing_left(result):
            return self._cancelled(header, replace(result, cancelled=True), order_row, lines)
        # (a line an 860 moves to another ship-to, its POC loop's N1*ST, is decided again as an 850's line with its own
        # N1*ST is: the rules check its new place, the 865 or revised 855 answers it from the decided lines)
        touched = set(result.changed_line_numbers) | set(result.deleted_line_numbers) | set(result.moved_line_numbers)
        before = order_row
        order_row = {**order_row, **result.order_changes}
        if not self._deadlines_only(result, before):  # a new ship date or ship-to: every line decided again
            touched |= set(result.new_lines["line_number"].to_pylist()) if result.order_changes else set()
            touched |= set(result.dated_line_numbers)  # an order not answered yet: decided with its new dates
            # (new splits, exemptions, a pack's new contents, mark-fors)
            touched |= set(result.split_line_numbers) | set(result.exempt_line_numbers) | set(
                result.packed_line_numbers) | set(result.marked_line_numbers) | set(result.priced_line_numbers) | set(
                result.referenced_line_numbers)
        elif not touched and (result.order_changes or result.dated_line_numbers or result.split_line_numbers
                              or result.exempt_line_numbers or result.packed_line_numbers
                              or result.marked_line_numbers or result.priced_line_numbers
                              or result.referenced_line_numbers):
            # (or a line's store split, pack contents, tax exemption, mark-for or own CTPs moved, nothing else: the
            # new one stored, the line not decided again)
            # an answered order's cancel / do-not-deliver dates (its own or its lines') moved, nothing else
            return self._dates_moved(header, result, before, lines, order_row)
        if not touched:
            return self._nothing_touched(header, result, order_row, lines)
        return self._revise(header, result, order_row, touched)

    def _awaiting_850(self, header: dict) -> Plan | None:
        """An 860 naming a PO we hold no order of, for a partner whose profile keeps such a change for its 850
        (early_change_days: its 850s and 860s may come out of order, a night apart), received fewer days ago than
        that: it stays pending, applied the run its 850 is taken (the order's 855 stating it, then its own answer,
        as a change read before its 850 the same night is); the first day a CHANGE_AWAITING_ORDER warning tells
        ops. None (refused as unknown) once it has waited that long, for a partner that keeps none (0: its 850s and
        860s always come in order; the default is 2), and for a PO keyed by release or reference (BCH04 or a REF:
        other orders of the PO are held, the change names one that is not)."""
        days = self.profile.early_change_days
        if not days or SEP in self.ch.po_number or not self.ch.received_at:
            return None
        received = date.fromisoformat(self.ch.received_at[:10])
        if (self.today - received).days >= days:
            return None
        if received != self.today:
            return Plan()
        at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
        sent = header.get("set_id") or "860"
        order = "875" if sent == "876" else "850"  # a grocer's 876 waits for its 875
        carried = self.profile.continuing(self.today)  # [continues]: nor does the partner it carries on
        found = finding_at_row(
            "CHANGE_AWAITING_ORDER", f"We hold no order of PO {self.ch.po_number} yet"
            + (f" (nor does {carried}, whose orders this partner carries on)" if carried else "")
            + f": the {sent} waits for its "
            f"{order} (a buyer's {order} and {sent} may come out of order) and is applied the night it comes; after "
            f"{days} day(s) without it, it is refused (CHANGE_ORDER_UNKNOWN).", at, seg="BCH", element="BCH03",
            value=header.get("po_number"), severity="warning")
        return Plan(findings=(FindingRecord(found, self.ch.partner, self.ch.po_number,
                                            f"{sent} kept pending for its {order}; nothing sent yet", "decide"),))

    def _nothing_left(self, result: ChangeResult) -> bool:
        """The change (before shipment) deleted lines and left none to ship: every line zeroed (POC03 0, the grocery
        way to delete an item) or deleted (DI), or the rest rejected before. The buyer cancelled the PO line by line,
        and the order is cancelled as by a BCH01 01 (_cancelled). It used to stay acknowledged with no line, its
        revised 855 BAK*05*AD listing none, never to ship nor close."""
        if not result.deleted_line_numbers:
            return False
        ended = {ln.line_number for ln in self.rv.lines.get(self.key, ()) if ln.state in ENDED_LINES}
        return not set(result.new_lines["line_number"].to_pylist()) - ended

    def _later_in_sequence(self, header: dict) -> tuple[str, str] | None:
        """(BCH05, source file) of the change with the highest change order sequence number applied to the order's
        current 850 before (this run or earlier: rv.sequenced), when it is higher than this 860's: Sysco's change 2
        delivered the night after its change 3 was applied. None for a cancel (it ends the order whatever came
        before), or when either carries no numeric BCH05 (nothing says which came first). A run's own 860s are
        applied in their BCH05 order already when every one of them carries one (in_sequence); the changes applied
        before a replacing 850 (BEG01 05/18) do not count: a reissued PO may number its changes from 1 again."""
        mine = _sequence(header.get("change_order_ref"))
        if mine is None or header.get("purpose") in CANCEL_PURPOSES:
            return None
        later = [entry for entry in self.rv.sequenced.get(self.key, ()) if entry[0] > mine]
        return max(later)[1:] if later else None

    def _deadlines_only(self, result: ChangeResult, before: Mapping) -> bool:
        """The heading moved only the order's last (and first) acceptable dates (DTM 001/063/064) of an order
        that was answered, or added references (REF_CHANGES): what was placed, backordered and acknowledged stands;
        not decided again. Not a release the 860 moves to another blanket (moves_blanket: ``before``, its ORDERS row
        before the change): it is decided again against the blanket its new number names."""
        return self.record.state == OrderState.ACKNOWLEDGED and set(result.order_changes) <= (
            DEADLINE_CHANGES | REF_CHANGES) and (not moves_blanket(before, result) or bool(self._beg03_blanket))

    @property
    def _beg03_blanket(self) -> str:
        """The blanket's PO number we hold under this release's own BEG03 ("" none, or not a release): it calls off
        that blanket whatever contract or agreement (REF*CT, REF*AH) an 860 gives it (engine.blankets.called_off),
        so such a REF moves it off no blanket: kept as a reference, the release not decided again."""
        record = self.record
        if record is None or (record.order_type or "") != "RL":
            return ""
        own = x12_po(record.po_number)
        return own if (record.partner, own) in self.rv.blankets else ""

    def _still_calls_off(self, result: ChangeResult) -> str:
        """For the history: '; it still calls off blanket FAS8900401 (its BEG03)' when the change gave a release whose
        BEG03 is a blanket's we hold a contract or agreement (_beg03_blanket), else ""."""
        if not (self._beg03_blanket and set(result.order_changes) & set(BLANKET_REF_FIELDS)):
            return ""
        return f"; it still calls off blanket {self._beg03_blanket} (its BEG03), not one its new reference names"

    def _lines_named(self, header: Mapping, result: ChangeResult, before: pa.Table) -> None:
        """An 876 applied, or an 860 with a POC sent without POC01 (naming its item by product ids): the line each
        of its POCs named, for the SACs of those POC loops (engine.changes.sacs_on_lines)."""
        if header.get("set_id") == "876" or any(not lr.change.get("line_id") for lr in result.line_results
                                                 if lr.change.get("file_segment") is not None):
            self.updates[("sac_lines", (self.ch.partner, self.ch.store_key, self.ch.change_ref))] = named_lines(
                result, before)

    def _echoed(self) -> frozenset[str]:
        return echoed_refs(self.profile)

    def commit(self) -> None:
        # (the earlier changes' revised 855s of the run are all built again after the backorder step, each from the
        # lines as its change left them where a later change moved them: restate_shipped_answers)
        for (target, key), value in self.updates.items():
            if target == "applied":
                self.rv.applied.setdefault(key, []).append(value)
            elif target == "restated":  # (each change of the run since the lines last moved: lines as they end)
                self.rv.restated.setdefault(key, []).append(value)
            elif target in ("raised", "dated", "awaiting"):
                getattr(self.rv, target).setdefault(key, []).append(value)
            elif target == "seen":
                self.rv.seen.setdefault(key, []).append(value)
                source, fingerprint = value  # (its third part is the change's BCH05: change_fingerprint)
                if (n := _sequence(fingerprint[2])) is not None:
                    self.rv.sequenced.setdefault(key, []).append((n, fingerprint[2], source))
            elif target == "applied_clear":
                self.rv.applied.pop(key, None)
            else:
                getattr(self.rv, target)[key] = value

    # --- the four outcomes ---------------------------------------------------------------------------
    def _refused(self, header: dict, result: ChangeResult, restate: tuple[dict, pa.Table] | None = None,
                 standing: tuple[dict, pa.Table] | None = None) -> Plan:
        """A change refused whole: an 865 (RD) answers it; for a partner answered by 855s, an order that shipped
        (``restate``: its ORDERS row and lines), or one answered and not shipped (``standing``: _standing), is
        answered by a revised 855 of its lines as they stand (the buyer's change not in it: the order stays as we
        answered it; before shipment it used to get nothing)."""
        moves = ()
        docs = self._865(header, result, always=True)
        if not docs and restate is not None:
            docs = self._855(*restate, tuple(self.rv.lines.get(self.key, ())))
        if not docs and standing is not None:
            docs = self._standing(*standing)
        later = not docs and standing is not None and self._awaits()
        held = not docs and standing is not None and self._held()
        if self.record is not None:
            said = f"; 855 {docs[0].sets[0].body[0][2]}" if docs and docs[0].doc_type == "855" else ""
            said += _AWAITING if later else _HELD if held else ""
            moves = (move(self.record, EventKind.CHANGE_REFUSED, at=self.at, run_id=self.run_id,
                          note=f"{self._sent} in {self.ch.source_file} refused: {result.findings[0].message}{said}",
                          document_key=docs[0].sets[0].doc_key if docs else self._awaited() if later else ""),)
            self.updates[("records", self.key)] = moves[0].record
        return Plan(transitions=moves, documents=docs,
                    change_updates=(ChangeUpdate(self.ch.id, ON_HOLD["refused"] if held else "refused"),),
                    findings=self._findings(result, "change refused" + (
                        " (865 RD)" if docs and docs[0].doc_type == "865" else
                        f" (855 {docs[0].sets[0].body[0][2]})" if docs else _HELD_WAITS if held else
                        _AWAITING_WAITS if later else "") + "; order unchanged")
                    + (self._credit(result) + self._invoice_due(result) if restate is not None else ()))

    def _cancelled(self, header: dict, result: ChangeResult, order_row: dict, table: pa.Table) -> Plan:
        """A whole-order cancel (BCH01 01 or 17) of an order that did not ship: its lines cancelled,
        its reservations released, answered by an 865 when the partner receives them. A partner answered by 855s
        (no 865) gets a revised 855 of the order (``order_row``/``table`` its current revision) with every line
        refused (ACK IR of the buyer's quantity; BAK02 RD), as retailers' guides ask an 855 to cancel a PO
        (docs/lifecycle.md): it used to get nothing, and did not know we would not ship. So does the cancel of an
        order never answered (held for a person, or waiting for the rules): it used to get nothing either, and the
        buyer never heard from us about the PO."""
        note = f"cancelled by {self._sent} in {self.ch.source_file}"
        stored = self.rv.lines.get(self.key, ())
        docs = self._865(header, result, always=True)
        said = dict(ack_type=change_ack_type(result), answered_with="865") if docs else {}
        if not docs and (docs := self._855(order_row, table, self._stated(table, stored), refused=True)):
            said = dict(ack_type=docs[0].sets[0].body[0][2], answered_with="855")
        doc_key = docs[0].sets[0].doc_key if docs else ""
        t = move(self.record, EventKind.CHANGE_CANCELLED, at=self.at, run_id=self.run_id,
                 note=note + (f"; {said['answered_with']} {said['ack_type']}" if said else ""),
                 document_key=doc_key, changed_lines=(), **said)
        lines = tuple(ln if ln.state in GONE_LINES else
                      replace(ln, state=LineState.CANCELLED, ack="ID", allocated=0, backordered=0, rejected=0,
                              rejected_fraction=Decimal(0), backordered_over=Decimal(0), promised_date=None,
                              warehouses="", reason=note, run_id=self.run_id)
                      for ln in stored)
        superseded = tuple(ChangeUpdate(a.change.id, "superseded") for a in self.rv.applied.get(self.key, ())) + \
            tuple(ChangeUpdate(c.id, "superseded") for c in self.rv.on_hold.get(self.key, ()))  # the cancel answers
        self.updates.update({("records", self.key): t.record, ("lines", self.key): lines,
                             ("reservations", self.key): ()})
        if self.key in self.rv.applied:
            self.updates[("applied_clear", self.key)] = None
        return Plan(transitions=(t,), lines=(OrderLines(*self.key, lines),),
                    reservations=(OrderReservations(*self.key, ()),), documents=docs,
                    change_updates=(ChangeUpdate(self.ch.id, "answered"), *superseded),
                    findings=self._findings(result, "POC rejected (865 IR)"))

    def _information_copy(self, header: dict) -> Plan:
        """BCH01 22 (information copy, code list 353): a copy of a change sent for the record, not a request to act
        on. Nothing is applied and nothing answered (no 865 or revised 855: it used to be refused whole, 865 RD with
        every POC IR, CHANGE_PURPOSE_UNSUPPORTED, noise to a buyer that asked for nothing; the 997 acknowledges its
        receipt), whether we hold the PO or not (a copy for a PO we do not hold waits for no 850: nothing would be
        done with it then either). A CHANGE_INFORMATION_COPY warning says so; the order's story notes it."""
        at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
        found = finding_at_row(
            "CHANGE_INFORMATION_COPY", f"BCH01 22 (information copy) of PO {self.ch.po_number}, change "
            f"{header.get('change_order_ref') or '(no BCH05)'}: a copy sent for the record, not a change to make; "
            "nothing changed, nothing sent. If the buyer means it as a change, ask them to send it as an 860 with "
            "BCH01 04.", at, seg="BCH", element="BCH01", value=header.get("purpose"), severity="warning")
        moves = ()
        if self.record is not None and self.record.state not in ENDED:
            moves = (move(self.record, EventKind.CHANGE_ANSWERED, at=self.at, run_id=self.run_id,
                          note=f"{self._sent} in {self.ch.source_file} is an information copy (BCH01 22): nothing "
                               "applied, nothing to answer"),)
            self.updates[("records", self.key)] = moves[0].record
        return Plan(transitions=moves, change_updates=(ChangeUpdate(self.ch.id, "answered"),),
                    findings=(FindingRecord(found, self.ch.partner, self.ch.po_number, "none (warning)", "decide"),))

    def _repeated(self, header: dict, earlier: str) -> Plan:
        """A 06 confirmation or 07 duplicate of a change applied before, or a 04 sent again as it was, its BCH05
        (change sequence number) too: nothing changed, nothing sent (the original was answered), a CHANGE_REPEAT
        warning says which 860 it repeats. (A 04 resent used to be applied again: its AI found its line there, its
        QD its quantity already lowered, and the 865 said RD, the change refused, while it stood.) So is a cancel
        (BCH01 01 or 17) of an order cancelled before (``earlier`` empty): it was answered RJ as an unknown PO."""
        what = _REPEATS.get(header.get("purpose") or "", "cancel sent again" if header.get("purpose") in
                            CANCEL_PURPOSES else "sent again with its BCH05")
        at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
        said = (f"the same change came in {earlier} and was applied and answered then" if earlier else
                "the order was cancelled before, as it asks")
        docs: tuple[PlannedDocument, ...] = ()
        done = "nothing changed, nothing sent"
        if earlier and header.get("purpose") == FOLLOW_UP:  # the buyer has not had the answer it expects
            docs, done = self._answered_again(earlier)
        found = finding_at_row("CHANGE_REPEAT", f"BCH01 {header.get('purpose')} ({what}) of PO {self.ch.po_number}, "
                               f"change {header.get('change_order_ref') or '(no BCH05)'}: {said}; {done}.", at,
                               seg="BCH", element="BCH01", value=header.get("purpose"), severity="warning")
        moves = ()
        if self.record.state != OrderState.CANCELLED:  # (a cancelled order moves no more: the finding tells)
            moves = (move(self.record, EventKind.CHANGE_ANSWERED, at=self.at, run_id=self.run_id,
                          note=f"{self._sent} in {self.ch.source_file} is a {what} of the change in {earlier}; "
                               + (f"our answer then sent again ({', '.join(d.doc_type for d in docs)})" if docs
                                  else "nothing to answer")),)
            self.updates[("records", self.key)] = moves[0].record
        return Plan(transitions=moves, documents=docs, change_updates=(ChangeUpdate(self.ch.id, "answered"),),
                    findings=(FindingRecord(found, self.ch.partner, self.ch.po_number, "none (warning)", "decide"),))

    def _answered_again(self, earlier: str) -> tuple[tuple[PlannedDocument, ...], str]:
        """A follow-up (BCH01 45: "a second or subsequent transmission ... when an expected response has not yet been
        received") of a change applied and answered before (in ``earlier``): the buyer says our answer never reached
        it, so the answers we sent that change (an 865, a revised 855: Revisions.sent_answers) go again, each its
        content as sent under new control numbers (ISA13, GS06, ST02: a translator drops a repeated ISA13 as a
        duplicate), under this change's own doc key (once), to a partner whose profile still receives that set. When
        none goes, the words say why (none was sent: the change asked for none, BCH01 49, or none was due; the
        profile no longer receives it). It used to send nothing, a warning asking ops to check."""
        sent = self.rv.sent_answers.get((self.ch.partner, self.ch.po_number, earlier), ())
        if not sent:
            return (), ("nothing changed; no answer of ours to that change is on record to send again (none was due, "
                        "or the buyer asked for none), so nothing was sent: tell the buyer the change stands")
        latest = list({a.doc_type: a for a in sent}.values())  # (the last of each set: one answer per type)
        going = [a for a in latest if a.doc_type in self.profile.receives and a.doc_type in _FUNCTIONAL_IDS]
        left = [f"{a.doc_type} (the profile no longer receives it)" for a in latest if a not in going]
        docs = [transaction_set(a.doc_type, _FUNCTIONAL_IDS[a.doc_type],
                                f"{a.doc_type}:{self.ch.store_key}:{self.ch.change_ref}", list(a.body),
                                partner=self.ch.partner, po_number=self.ch.po_number, source_sha256=self.ch.store_key)
                for a in going]
        said = "; ".join(f"{a.doc_type} ISA13 {a.isa13} ST02 {a.st02} of {a.sent_at[:10]}" for a in going)
        if not docs:
            return (), f"nothing changed; our answer then was not sent again: {', '.join(left)}"
        return tuple(docs), (f"nothing changed; our answer then ({said}) sent again as it was, under new control "
                             "numbers" + (f"; not sent: {', '.join(left)}" if left else ""))

    def _nothing_touched(self, header: dict, result: ChangeResult, order_row: dict, table: pa.Table) -> Plan:
        """An 860 that changed no line (every POC refused, or NC/dates POCs that change nothing we keep): the
        order stands as answered. A refused POC is answered by an 865 (IR) whatever the partner's change_ack,
        as a refused change is (_refused): a revised 855 would restate the order as it stands and say nothing
        of the refusal, and the buyer would wait for a change never made. So is a POC acknowledged without a
        change (a CT, RS or RB moving a line's ship or delivery date, which an order line does not keep:
        CHANGE_DATES_NOT_STORED; an NC): the 865 echoes it IA, as an 865 partner's is, where a revised 855
        would restate the first one's 068 dates word for word. A partner answered by 855s that receives no 865
        gets a revised 855 of the order as it stands (_standing), as after shipment: it used to get nothing."""
        docs = self._865(header, result, always=bool(result.line_results))
        said = f"answered: 865 {change_ack_type(result)}" if docs else "nothing to answer"
        if not docs and result.line_results and self._answers_accepted(result) and \
                (docs := self._standing(order_row, table)):
            said = f"answered: 855 {docs[0].sets[0].body[0][2]}"
        later = not docs and bool(result.line_results) and self._awaits()
        held = not docs and bool(result.line_results) and self._held()
        t = move(self.record, EventKind.CHANGE_ANSWERED, at=self.at, run_id=self.run_id,
                 note=f"{self._sent} in {self.ch.source_file} changed no line; " + (
                     _AWAITING[2:] if later else _HELD[2:] if held else said),
                 document_key=docs[0].sets[0].doc_key if docs else self._awaited() if later else "")
        self.updates[("records", self.key)] = t.record
        return Plan(transitions=(t,), documents=docs,
                    change_updates=(ChangeUpdate(self.ch.id, ON_HOLD["answered"] if held else "answered"),),
                    findings=self._findings(result, "POC rejected" + (
                        " (865 IR)" if docs and docs[0].doc_type == "865" else
                        f" (855 {docs[0].sets[0].body[0][2]})" if docs else _HELD_WAITS if held else
                        _AWAITING_WAITS if later else "")))

    def _dates_moved(self, header: dict, result: ChangeResult, before: dict, lines: pa.Table, order_row: dict
                     ) -> Plan:
        """An answered order whose cancel-after / do-not-deliver dates the 860 moved (and no line): a new
        revision of its ORDERS row with the new dates (the lines and reservations as they are, not decided
        again), answered at once (865 when the partner answers changes with one). The backorder step reads
        the current revision's dates (flows.shipments.order_dates): an extended date keeps a backorder
        offered stock, one pulled in before the run date cancels it (late_backorder "reject").
        Answered by an 865 echoing the new dates whatever the partner's change_ack (as a cancellation is): the
        order is not decided again, and a revised 855 would restate the first one word for word (an 855 carries
        no cancel-after or do-not-deliver date: engine.po_ack writes DTM 068 and ACK 068 ship dates only), so an
        855 partner used to get no answer at all to the change. A partner answered by 855s that receives no 865
        now gets a revised 855 of the order as it stands (_standing), as after shipment: the buyer knows we ship."""
        ch, record = self.ch, self.record
        docs = self._865(header, result, always=True)
        said = f"; 865 {change_ack_type(result)}" if docs else ""
        # (its lines as the change left them: a line's new REFs or mark-for, which the 855 may echo, not the old)
        if not docs and self._answers_accepted() and (docs := self._standing(order_row, result.new_lines)):
            said = f"; 855 {docs[0].sets[0].body[0][2]}"
        revived, restored = self._restore_expired(order_row, result)
        dates = bool(set(result.order_changes) - REF_CHANGES or result.dated_line_numbers)
        t = move(record, EventKind.CHANGE_ANSWERED, at=self.at, run_id=self.run_id,
                 document_key=docs[0].sets[0].doc_key if docs else "",
                 note=f"{_what_moved(dates, result, before)}"
                 f" by {self._sent} in {ch.source_file}: "
                 f"{moved_dates(before, result.order_changes, lines, result)}{restored}{self._still_calls_off(result)}"
                 f"{said}",
                 revision=record.revision + 1, lines_key=f"{ch.store_key}-{ch.change_ref}", change_file=ch.source_file,
                 **blanket_refs(result, order_row))
        self.updates.update({("records", self.key): t.record, ("tables", (ch.partner, t.record.lines_key)): (
            pa.Table.from_pylist([order_row], schema=ORDERS), result.new_lines)})
        if revived:
            self.updates.update({("lines", self.key): revived,
                                 ("reservations", self.key): tuple(self.rv.reservations.get(self.key, ()))})
        return Plan(transitions=(t,), documents=docs, change_updates=(ChangeUpdate(ch.id, "answered"),),
                    lines=(OrderLines(*self.key, revived),) if revived else (),
                    findings=self._findings(result, "POC rejected (865 IR)"))

    def _restore_expired(self, order_row: dict, result: ChangeResult) -> tuple[tuple[LineRecord, ...], str]:
        """The order's lines with the backordered units cancelled at a date that passed restored, when the
        860 moved the dates that now apply to today or later (restore_expired), and what the history says of
        it; no lines when none is restored (or the order no longer ships: cancelled, shipped, invoiced)."""
        if self.record.state not in SHIPPABLE:
            return (), ""
        lines, restored = restore_expired(self.rv.lines.get(self.key, ()), order_row, result.new_lines,
                                          today=self.today, run_id=self.run_id,
                                          last=last_dates(self.profile.allocation.ship_no_later_is_cancel),
                                          transit_days=self.profile.fulfilment.asn.transit)
        if not restored:
            return (), ""
        which = ", ".join(f"line {n} ({u})" for n, u in restored)
        return lines, (f"; the units cancelled when the earlier date passed are backordered again: {which}")

    def _revise(self, header: dict, result: ChangeResult, order_row: dict, touched: set[int]) -> Plan:
        ch, record = self.ch, self.record
        new_key = f"{ch.store_key}-{ch.change_ref}"
        revision = record.revision + 1
        changed = tuple(sorted(set(record.changed_lines) | touched)) if record.is_revision else ()
        t = move(record, EventKind.CHANGE_APPLIED, at=self.at, run_id=self.run_id,
                 note=f"changed by {self._sent} in {ch.source_file}: lines {sorted(touched)}"
                 + (f"; heading: {', '.join(sorted(result.order_changes))}" if result.order_changes else ""),
                 revision=revision,
                 lines_key=new_key, change_file=ch.source_file, changed_lines=changed,
                 line_count=result.new_lines.num_rows, **blanket_refs(result, order_row))
        lines = self._revised_lines(result, touched, revision)
        # a changed line keeps its reservations while it is decided again (engine.kept_stock: only the units
        # they do not cover compete for stock); a deleted line's are released
        live = {ln.line_number for ln in lines if ln.state not in GONE_LINES}
        kept = tuple(r for r in self.rv.reservations.get(self.key, ()) if r.line_number not in touched
                     or r.line_number in live)
        self._keep(t, order_row, result, lines, kept, applied=header)
        return Plan(transitions=(t,), lines=(OrderLines(*self.key, lines),),
                    reservations=(OrderReservations(*self.key, kept),),
                    change_updates=(ChangeUpdate(ch.id, "applied", base_key=record.lines_key, revision=revision),),
                    findings=self._findings(result, "POC rejected (865 IR)"))

    def _after_shipment(self, header: dict, changes: pa.Table, order_row: dict, table: pa.Table,
                        fingerprint: tuple) -> Plan:
        """An 860 for an order that shipped in part or whole: applied to what did not ship (nor bill) and
        answered at once (865), without the rules: the shipped units stay on the order, a line's
        reservation and backorder follow its new quantity (what is still to ship), a raised line's new
        units are backordered (the next run's allocation places them), and the order's state follows
        what is left: units to ship (partially_shipped), none (shipped), none and all billed (invoiced). A line
        it adds, or changes (quantity, price, pack ...) none of whose units shipped nor billed (redecided_lines), is
        decided by the rules (_decide_added)."""
        ch, record = self.ch, self.record
        stored = {ln.line_number: ln for ln in self.rv.lines.get(self.key, ())}
        progress = Progress({n: LineProgress(ln.shipped, ln.invoiced, Decimal(ln.promised)) for n, ln in stored.items()
                             if ln.state not in ENDED_LINES},
                            complete=record.state == OrderState.CLOSED, state=record.state.value,
                            rejected=frozenset(n for n, ln in stored.items() if ln.state == LineState.REJECTED))
        known = with_skus(stored.values(), table, self.units)
        result = apply_changes(order_row, table, header, changes, shipped=True, progress=progress,
                               beg03_blanket=self._beg03_blanket,
                               same_case=same_case_units(known, self.units), unit_eaches=unit_eaches(known, self.units),
                               item_of=items_named(known, self.units, self.profile.id),
                               on_880=on_880_check(known, self.units, self.profile, answered=False),
                               echoed=self._echoed())
        if result.rejected:
            return self._refused(header, result, restate=(order_row, table))
        self.updates[("seen", self.key)] = (ch.source_file, fingerprint)
        self._lines_named(header, result, table)
        findings = list(result.findings)
        # (its added references are kept too: the 856 and 810 still to write carry them)
        others = {c: v for c, v in result.order_changes.items() if c not in DEADLINE_CHANGES | REF_CHANGES}
        if others:  # an order that shipped is not decided again: its ship dates and ship-to are left to a person
            findings = [f for f in findings if f.code != "CHANGE_HEADER_APPLIED"]
            at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
            findings.append(finding_at_row(
                "CHANGE_HEADER_NOT_APPLIED", f"PO {ch.po_number} has shipped ({record.state.value}): the 860's new "
                f"{', '.join(sorted(others))} was not applied; pass it on to the warehouse for what "
                "is still to ship.", at, seg="BCH", element="BCH03", value=ch.po_number, severity="warning"))
        # its cancel / do-not-deliver dates are applied: they decide what of its backorders may still ship
        deadlines = {c: v for c, v in result.order_changes.items() if c in DEADLINE_CHANGES | REF_CHANGES}
        if deadlines and others:
            findings.append(heading_finding(order_row, header, deadlines))
        result = acknowledged_as_stored(replace(result, order_changes=deadlines, findings=findings), stored,
                                        self.asked)
        before, order_row = order_row, {**order_row, **deadlines}
        touched = set(result.changed_line_numbers) | set(result.deleted_line_numbers) | set(
            result.settled_line_numbers) | set(result.trimmed_line_numbers)
        answered = self._answers(always=True)
        docs = self._865(header, result, always=True)
        said = dict(ack_type=change_ack_type(result), answered_with="865") if answered else {}
        doc_key = self._doc_key() if answered else ""

        def restated(lines: tuple[LineRecord, ...]) -> tuple[tuple[PlannedDocument, ...], dict, str]:
            """A partner answered by 855s that receives no 865: a revised 855 of ``lines`` (as the change left
            them) answers the change, as its changes before shipment are."""
            if answered or not self._answers_855():
                return docs, said, doc_key
            mine = self._855(order_row, with_exact_prices(result.new_lines), lines)
            self.updates[("restated", self.key)] = RestatedAnswer(ch, order_row, result.new_lines, self.profile,
                                                                  tuple(lines))
            return mine, dict(ack_type=mine[0].sets[0].body[0][2], answered_with="855"), mine[0].sets[0].doc_key

        def told(said: dict) -> str:
            return f"; {said['answered_with']} {said['ack_type']}" if said else ""

        if not touched and (deadlines or result.dated_line_numbers or result.split_line_numbers
                            or result.exempt_line_numbers or result.packed_line_numbers
                            or result.marked_line_numbers or result.priced_line_numbers
                            or result.referenced_line_numbers):
            # (or only a line's store split, pack contents, tax exemption, mark-for or own CTPs moved: the new one
            # kept for what is still to ship, bill)
            new_key = f"{ch.store_key}-{ch.change_ref}"
            revived, restored = self._restore_expired(order_row, result)
            what = _what_moved(bool(deadlines or result.dated_line_numbers), result, before)
            docs, said, doc_key = restated(revived or tuple(stored.values()))
            t = move(record, EventKind.CHANGE_ANSWERED, at=self.at, run_id=self.run_id, document_key=doc_key,
                     note=f"{what} by {self._sent} in {ch.source_file}: "
                     f"{moved_dates(before, deadlines, table, result)}; no line of the "
                     f"{record.state.value} order changed{restored}" + told(said),
                     revision=record.revision + 1, lines_key=new_key, change_file=ch.source_file,
                     **blanket_refs(result, order_row))
            self._keep(t, order_row, result, revived or None, tuple(self.rv.reservations.get(self.key, ())))
            return Plan(transitions=(t,), documents=docs, change_updates=(ChangeUpdate(ch.id, "answered"),),
                        lines=(OrderLines(*self.key, revived),) if revived else (),
                        findings=self._shipped_findings(result))
        if not touched:
            docs, said, doc_key = restated(tuple(stored.values()))
            t = move(record, EventKind.CHANGE_ANSWERED, at=self.at, run_id=self.run_id, document_key=doc_key,
                     note=f"{self._sent} in {ch.source_file} changed no line of the {record.state.value} order"
                     + told(said))
            self.updates[("records", self.key)] = t.record
            return Plan(transitions=(t,), documents=docs, change_updates=(ChangeUpdate(ch.id, "answered"),),
                        findings=self._shipped_findings(result))
        revision = record.revision + 1
        lines = self._lines_after_shipment(result, stored, touched, revision,
                                           cancel=header.get("purpose") in CANCEL_PURPOSES, before=table)
        kept = _reserved(self.rv.reservations.get(self.key, ()), lines, reservation_eaches(self.key, self.units))
        added = tuple(sorted(set(result.new_lines["line_number"].to_pylist()) - set(stored)))
        redecided = redecided_lines(result, stored)
        if added or redecided or record.state not in SHIPPING:
            return self._decide_added(header, result, order_row, lines, kept, added, touched, revision,
                                      redecided=redecided)
        lines, kept, cut = self._rule_cut(order_row, result, stored, table, lines, kept)
        to = _state_after(lines)
        event = _AFTER_SHIPMENT[to] if record.state in REOPENABLE else EventKind.CHANGE_ANSWERED
        new_key = f"{ch.store_key}-{ch.change_ref}"
        docs, said, doc_key = restated(lines)
        t = move(record, event, at=self.at, run_id=self.run_id, document_key=doc_key,
                 note=f"changed after shipment by {self._sent} in {ch.source_file}: lines {sorted(touched)}{cut}"
                 + told(said),
                 revision=revision, lines_key=new_key, change_file=ch.source_file, changed_lines=(),
                 line_count=result.new_lines.num_rows, value=_value(lines), **said, **blanket_refs(result, order_row))
        self._keep(t, order_row, result, lines, kept)
        # the raised units are placed this night, promised from a receipt, or refused (flows.decide); a partner
        # that takes no backorder has every unit the stock does not cover refused
        units = {ln.line_number: ln.backordered - stored[ln.line_number].backordered for ln in lines
                 if ln.line_number in stored and ln.backordered > stored[ln.line_number].backordered}
        if units:
            self.updates[("raised", self.key)] = RaisedAnswer(ch, header, result, units, answered,
                                                              reject=self.profile.allocation.backorder == "reject")
        if answered and any(ln.backordered > 0 for ln in lines if ln.line_number in touched):
            ship_day = max(order_row.get("requested_ship_date") or self.today, self.today)
            self.updates[("dated", self.key)] = ShippedAnswer(
                ch, header, result, {n: ln.backordered for n, ln in stored.items()}, ship_day)
        return Plan(transitions=(t,), lines=(OrderLines(*self.key, lines),),
                    reservations=(OrderReservations(*self.key, kept),), documents=docs,
                    change_updates=(ChangeUpdate(ch.id, "answered"),), findings=self._shipped_findings(result))

    def _rule_cut(self, order_row: Mapping, result: ChangeResult, stored: Mapping[int, LineRecord], before: pa.Table,
                  lines: tuple[LineRecord, ...], kept: tuple[Reservation, ...]
                  ) -> tuple[tuple[LineRecord, ...], tuple[Reservation, ...], str]:
        """An order that shipped in part: a line the change makes take no back order (its own CSH01 or IT801 now N
        or SP, engine.lifecycle.balance.takes_no_backorder; it took them before), that shipped some of its units and
        was not raised, has its balance cancelled as a short shipment's is (balance.balance_lines: every unit still
        reserved for it is at a warehouse that shipped some of the order, ``Revisions.shipped_from``; else it waits
        for that warehouse's shipment, whose run cancels it): its promise ends at what shipped (the rest rejected,
        BALANCE_CANCELLED:n, reason no_backorder), its reservations released. (lines, reservations kept, a note for
        the history: "" when none was cut.) It used to be stored with the rule and its balance left to ship."""
        from engine.lifecycle import balance  # (balance builds on this module: read at run time, not import)

        shipped_from = self.rv.shipped_from.get(self.key)
        if not shipped_from:
            return lines, kept, ""
        requirement = order_row.get("sales_requirement")
        was = dict(zip(before["line_number"].to_pylist(), before["sales_requirement"].to_pylist(), strict=True)) \
            if "sales_requirement" in before.column_names else {}
        now = dict(zip(result.new_lines["line_number"].to_pylist(),
                       result.new_lines["sales_requirement"].to_pylist(), strict=True)) \
            if "sales_requirement" in result.new_lines.column_names else {}
        after = [ln for ln in lines if ln.line_number in now and ln.line_number in stored]
        candidates = {ln.line_number for ln in after
                      if balance.takes_no_backorder(requirement, now[ln.line_number])
                      and not balance.takes_no_backorder(requirement, was.get(ln.line_number))
                      and ln.shipped > 0 and ln.promised > ln.shipped and ln.state not in GONE_LINES
                      and ln.promised <= stored[ln.line_number].promised}
        if not candidates:
            return lines, kept, ""
        own = {n: now.get(n) for n in candidates}
        state = replace(self.record, state=OrderState.PARTIALLY_SHIPPED)
        cut, _tolerated = balance.balance_lines(state, [ln for ln in lines if ln.line_number in candidates], kept,
                                                shipped_from, None, own=own)
        if not cut:
            return lines, kept, ""
        out, said = [], []
        for ln in lines:
            if ln.line_number not in cut:
                out.append(ln)
                continue
            allocated = min(ln.promised, int(ln.shipped))
            exact = ln.promised_exact  # (as balance._cancel: a measure's fraction and backorder exactly)
            left = exact - ln.shipped
            said.append(f"line {ln.line_id or ln.line_number} ({balance._num(left)} {ln.unit or 'units'} of "
                        f"{balance._num(left + ln.shipped)}, {balance._num(ln.shipped)} shipped)")
            reason = "; ".join(filter(None, (ln.reason, balance.REASON)))
            rejected, fraction = rejected_stored(
                rejected_exactly(ln.rejected, ln.rejected_fraction) + exact - allocated)
            out.append(replace(ln, allocated=allocated, backordered=0, rejected=rejected, rejected_fraction=fraction,
                               backordered_over=backordered_stored(Decimal(0))[1],
                               state=LineState.INVOICED if ln.invoiced >= ln.shipped else LineState.SHIPPED,
                               promised_date=None, reason=reason, run_id=self.run_id,
                               balance_cancelled=ln.balance_cancelled + left))
        released = sum(r.quantity for r in kept if r.line_number in cut)
        note = (f"; its own sales requirement now takes no back order and the warehouse(s) holding its stock "
                f"({', '.join(sorted(shipped_from))}) shipped it short: balance cancelled, {'; '.join(said)}, "
                f"{released} reserved unit(s) released")
        return tuple(out), tuple(r for r in kept if r.line_number not in cut), note

    def _decide_added(self, header: dict, result: ChangeResult, order_row: dict, lines: tuple[LineRecord, ...],
                      kept: tuple[Reservation, ...], added: tuple[int, ...], touched: set[int],
                      revision: int, *, redecided: tuple[int, ...] = ()) -> Plan:
        """Lines added (AI, or RZ naming a new line) to an order that shipped in part or whole, or lines none of
        whose units shipped nor billed that the change moved (``redecided``: redecided_lines: a new quantity,
        price, unit or pack): what the change does to the lines that shipped is done as for any change after
        shipment (the shipped units stay, a raise is backordered, a cut releases); the new and the redecided lines
        are received, and the order moves to ``changed`` with them as its changed lines: the rules decide them
        (case-pack multiples, minimums, the price, a new pack) and the allocation places them in this run as an
        850's lines (a redecided line keeping what it holds: engine.kept_stock), which then answers the
        change (865, from the decided lines) and moves the order back by what is left to ship
        (change_reopened, ...). An order that already waits for such a decision (an earlier 860 of this
        run, or held for a person) stays waiting, with this change's lines added to its changed lines."""
        ch, record = self.ch, self.record
        stored = {ln.line_number for ln in lines}
        rows = {r["line_number"]: r for r in with_exact_prices(result.new_lines).select(
            ["line_number", "line_id", "quantity", "unit", "unit_price"]).to_pylist()}

        def received(n: int, why: str) -> LineRecord:
            return LineRecord(ch.partner, ch.po_number, n, LineState.RECEIVED, line_id=rows[n]["line_id"] or "",
                              ordered=rows[n]["quantity"], unit=rows[n]["unit"] or "", unit_price=rows[n]["unit_price"],
                              reason=f"{why} by {self._sent} in {ch.source_file}", revision=revision,
                              run_id=self.run_id)

        new = tuple(received(n, "added") for n in added if n not in stored)
        # (a redecided line is decided again whole, as a changed line of an order not shipped is: _revised_lines)
        lines = tuple(sorted((*(received(ln.line_number, "changed") if ln.line_number in redecided else ln
                                for ln in lines), *new), key=lambda ln: ln.line_number))
        waiting = set(record.changed_lines) if record.state not in SHIPPING else set()
        deciding = {ln.line_number for ln in lines if ln.state == LineState.RECEIVED}
        changed = tuple(sorted((waiting | set(added) | set(redecided)) & deciding))
        new_key = f"{ch.store_key}-{ch.change_ref}"
        again = f"; line(s) {', '.join(map(str, redecided))} changed, none of them shipped" if redecided else ""
        t = move(record, EventKind.CHANGE_APPLIED, at=self.at, run_id=self.run_id,
                 note=f"changed after shipment by {self._sent} in {ch.source_file}: lines {sorted(touched)}; line(s) "
                 f"{', '.join(map(str, added)) or '(none)'} added{again}, to be decided with the rules",
                 revision=revision, lines_key=new_key, change_file=ch.source_file, changed_lines=changed,
                 line_count=result.new_lines.num_rows, **blanket_refs(result, order_row))
        self._keep(t, order_row, result, lines, kept, applied=header)
        return Plan(transitions=(t,), lines=(OrderLines(*self.key, lines),),
                    reservations=(OrderReservations(*self.key, kept),),
                    change_updates=(ChangeUpdate(ch.id, "applied", base_key=record.lines_key, revision=revision),),
                    findings=self._shipped_findings(result))

    def _keep(self, t, order_row: dict, result: ChangeResult, lines: tuple[LineRecord, ...] | None = None,
              kept: tuple = (), *, applied: dict | None = None) -> None:
        """What later steps of this run see of a new revision (``t`` moved the order to it): its record, its
        canonical tables (ORDERS row, the changed lines) under the revision's lines_key, with ``lines`` its
        line records and reservations ``kept``, and with ``applied`` (the 860's header) the change waiting for
        the decision."""
        self.updates.update({("records", self.key): t.record, ("tables", (self.ch.partner, t.record.lines_key)): (
            pa.Table.from_pylist([order_row], schema=ORDERS), result.new_lines)})
        if lines is not None:
            self.updates.update({("lines", self.key): lines, ("reservations", self.key): kept})
        if applied is not None:
            self.updates[("applied", self.key)] = AppliedChange(self.ch, applied, result)

    def _has_shipped(self) -> bool:
        return any(ln.shipped > 0 for ln in self.rv.lines.get(self.key, ()))

    def _lines_after_shipment(self, result: ChangeResult, stored: Mapping[int, LineRecord], touched: set[int],
                              revision: int, *, cancel: bool, before: pa.Table) -> tuple[LineRecord, ...]:
        """The order's lines once a change after shipment is applied: a line gone (it shipped nothing) is
        deleted or cancelled; a changed line keeps its shipped and invoiced units, its promise (allocated +
        backordered) follows its new quantity (backordered units cut first, then reserved ones; new units
        backordered) and its state follows what is left to ship and bill."""
        rows = {r["line_number"]: r for r in
                with_exact_prices(result.new_lines).select(["line_number", "quantity", "unit", "unit_price",
                                                           "price_basis"]).to_pylist()}
        asked = dict(zip(before["line_number"].to_pylist(), before["quantity"].to_pylist(), strict=True))
        why = f"changed after shipment by {self._sent} in {self.ch.source_file}"
        # a service line's raised hours take no stock: placed at once, never backordered (items.csv kind "service");
        # so do a bill-only line's raised units (used from the buyer's stock: recorded used and billed at the invoice
        # stage, engine.lifecycle.shipping.plan_bill_only), its reason keeping the BILL_ONLY mark that stage reads
        services = service_skus(self.units.items) if self.units is not None and self.units.items is not None \
            else frozenset()
        out = []
        for n, ln in sorted(stored.items()):
            row = rows.get(n)
            if n not in touched or ln.state in GONE_LINES:
                out.append(ln)
                continue
            if row is None:  # it shipped nothing (editor keeps a line with shipped units)
                gone = "cancelled" if cancel else "deleted"
                out.append(replace(ln, state=LineState.CANCELLED if cancel else LineState.DELETED, ack="ID",
                                   allocated=0, backordered=0, rejected=0,
                                   rejected_fraction=Decimal(0), backordered_over=Decimal(0), promised_date=None,
                                   warehouses="",
                                   reason=f"{gone} after shipment by {self._sent} in {self.ch.source_file}",
                                   revision=revision, run_id=self.run_id))
                continue
            used = ln.reason.startswith(BILL_ONLY)
            out.append(changed_after_shipment(ln, row, asked=asked.get(n), settled=n in result.settled_line_numbers,
                                              trimmed=n in result.trimmed_line_numbers,
                                              reason=f"{BILL_ONLY}: {why}" if used else why, revision=revision,
                                              run_id=self.run_id, service=used or ln.sku in services))
        return tuple(out)

    def _shipped_findings(self, result: ChangeResult) -> tuple[FindingRecord, ...]:
        said = {"CHANGE_BELOW_SHIPPED": "shipped units kept, the unshipped rest cancelled (865 IQ, or IR when "
                                        "nothing was left to cancel)",
                "CHANGE_PRICE_INVOICED": "price not changed, nothing invoiced again (865 IR; IC when the POC's "
                                         "quantity was applied)"}
        return tuple(FindingRecord(f, self.ch.partner, self.ch.po_number,
                                   said.get(f.code, "POC rejected (865 IR)") if f.severity == "error"
                                   else "none (warning)", "decide") for f in result.findings) + self._credit(result)

    def _credit(self, result: ChangeResult) -> tuple[FindingRecord, ...]:
        """BILL_ONLY_CREDIT_DUE when the change takes back billed units of a bill-only order (engine.bill_only
        .credit_due: a cancel or decrease after its 810): a finding for finance, the order left as billed."""
        found = credit_due(self.header, result, self.rv.lines.get(self.key, ()))
        return () if found is None else (FindingRecord(found, self.ch.partner, self.ch.po_number,
                                                       CREDIT_DUE_CONSEQUENCE, "decide"),)

    def _invoice_due(self, result: ChangeResult) -> tuple[FindingRecord, ...]:
        """BILL_ONLY_INVOICE_DUE when a change refused on a closed bill-only order reports more used than was billed
        (engine.bill_only.invoice_due: a raise or an added line): a finding for finance, nothing billed."""
        found = invoice_due(self.header, result, self.rv.lines.get(self.key, ()))
        return () if found is None else (FindingRecord(found, self.ch.partner, self.ch.po_number,
                                                       INVOICE_DUE_CONSEQUENCE, "decide"),)

    # --- helpers -------------------------------------------------------------------------------------
    def _current(self, record: OrderRecord) -> tuple[dict, pa.Table]:
        source = self.rv.tables.get((record.partner, record.lines_key)) or self.tables[(record.partner,
                                                                                        record.lines_key)]
        orders, lines = source
        rows = orders.filter(pc.equal(orders["order_ref"], record.order_ref)).to_pylist()
        mine = _first_line_rows(lines.filter(pc.equal(lines["order_ref"], record.order_ref)))
        self.asked = dict(zip(mine["line_number"].to_pylist(), mine["quantity"].to_pylist(), strict=True))
        return rows[0], mine

    def _revised_lines(self, result: ChangeResult, touched: set[int], revision: int) -> tuple[LineRecord, ...]:
        stored = {ln.line_number: ln for ln in self.rv.lines.get(self.key, ())}
        reason = f"changed by {self._sent} in {self.ch.source_file}"
        out: dict[int, LineRecord] = {}
        for row in with_exact_prices(result.new_lines).select(["line_number", "line_id", "quantity", "unit",
                                                              "unit_price"]).to_pylist():
            n = row["line_number"]
            if n in touched or n not in stored:
                out[n] = LineRecord(self.ch.partner, self.ch.po_number, n, LineState.RECEIVED,
                                    line_id=row["line_id"] or "", ordered=row["quantity"], unit=row["unit"] or "",
                                    unit_price=row["unit_price"],
                                    reason=reason if n in stored else f"added by {self._sent} in {self.ch.source_file}",
                                    revision=revision, run_id=self.run_id)
            else:
                out[n] = stored[n]
        for n, ln in stored.items():
            if n in out:
                continue
            if n in touched and ln.state not in GONE_LINES:
                ln = replace(ln, state=LineState.DELETED, ack="ID", allocated=0, backordered=0, rejected=0,
                             rejected_fraction=Decimal(0), backordered_over=Decimal(0), promised_date=None,
                             warehouses="", reason=f"deleted by {self._sent} in {self.ch.source_file}",
                             revision=revision, run_id=self.run_id)
            out[n] = ln
        return tuple(out[n] for n in sorted(out))

    def _answers(self, *, always: bool) -> bool:
        """Whether the change is answered by an 865: never when BCA cannot carry the PO's ids in the partner's
        version (an ACK_NOT_SENT error says so; the change is applied as any)."""
        p = self.profile
        if not ("865" in p.receives and (always or p.change_ack == "865")) or not answer_wanted(self.header):
            return False  # (BCH01 49: the buyer asked for no answer)
        if self.unsent is None and (unfit := change_unfit(self.header, p)):
            self.unsent = not_sent("865", p, self.ch.po_number, unfit, row=self.header,
                                   what="the change is applied as any")
        return self.unsent is None

    def _doc_key(self) -> str:
        return f"865:{self.ch.store_key}:{self.ch.change_ref}"

    def _answers_855(self) -> bool:
        """A partner answered by revised 855s (change_ack "855") that receives no 865: a change to an order that
        shipped is answered by a revised 855 (_855), never by nothing."""
        p = self.profile  # (BCH01 49: the buyer asked for no answer to the change)
        return p.change_ack == "855" and "855" in p.receives and "865" not in p.receives and \
            answer_wanted(getattr(self, "header", None))

    def _answers_accepted(self, result: ChangeResult | None = None) -> bool:
        """Whether a change before shipment that leaves the order as we answered it (dates moved, POCs taken
        without a change of ours: ``result``'s line results, any refused being a change of ours) gets a revised
        855: always, but for a partner that wants one only when we change something (change_answer "on_change":
        Zappos' 855 guide expects none in answer to its 860 then)."""
        if self.profile.change_answer == "always":
            return True
        return result is not None and any(r.status == "IR" for r in result.line_results)

    def _answered(self) -> bool:
        """The order was answered by an 855 (a line of it carries an ACK): a revised 855 may restate it."""
        return any(ln.ack for ln in self.rv.lines.get(self.key, ()))

    def _awaits(self) -> bool:
        """A partner answered by 855s whose order waits for the rules (TO_DECIDE: this run decides it): a change
        that leaves it as it is (refused, touching no line) is answered by a revised 855 of that decision
        (answer_awaiting), which states the order as it is after the change. Registered here."""
        if not (self._answers_855() and self.record is not None and self.record.state in TO_DECIDE):
            return False
        self.updates[("awaiting", self.key)] = self.ch
        return True

    def _held(self) -> bool:
        """A partner answered by 855s whose order waits for a person (held): no decision to state yet."""
        return self._answers_855() and self.record is not None and self.record.state == OrderState.HELD

    def _awaited(self) -> str:
        return f"855:{self.ch.store_key}:{self.ch.change_ref}"

    def _stated(self, table: pa.Table, stored: tuple[LineRecord, ...]) -> tuple[LineRecord, ...]:
        """The order's line records (``stored``), and one for each line of ``table`` (its current revision's lines)
        that has none (an order not decided yet may have no line records): what an 855 refusing the whole order
        states, every line the buyer has on it."""
        have = {ln.line_number for ln in stored}
        missing = tuple(LineRecord(self.ch.partner, self.ch.po_number, r["line_number"], LineState.RECEIVED,
                                   line_id=r["line_id"] or "", ordered=r["quantity"], unit=r["unit"] or "",
                                   unit_price=r["unit_price"], revision=self.record.revision, run_id=self.run_id)
                        for r in with_exact_prices(_first_line_rows(table)).to_pylist() if r["line_number"] not in have)
        return (*stored, *missing)

    def _standing(self, order_row: dict, table: pa.Table) -> tuple[PlannedDocument, ...]:
        """A revised 855 of an answered order that did not ship (acknowledged, nothing waiting for the rules), its
        lines as they stand, for a partner answered by 855s (_855): the answer to a change before shipment that
        leaves the lines as they are (dates only, no line touched, refused)."""
        if self.record is None or self.record.state != OrderState.ACKNOWLEDGED or not self._answered():
            return ()
        stated = tuple(self.rv.lines.get(self.key, ()))
        docs = self._855(order_row, table, stated)
        if docs:  # built again once the run's backorder step ran (a backorder it cancels is IR: as the night ends)
            self.updates[("restated", self.key)] = RestatedAnswer(self.ch, order_row, table, self.profile, stated)
        return docs

    def _855(self, order_row: dict, rows: pa.Table, lines: tuple[LineRecord, ...], *, refused: bool = False
             ) -> tuple[PlannedDocument, ...]:
        if not self._answers_855():
            return ()
        return (revised_855(self.ch, order_row, rows, lines, self.profile, today=self.today, refused=refused,
                            stated=self.rv.stated.get(self.key)),)

    def _865(self, header: dict, result: ChangeResult, *, always: bool) -> tuple[PlannedDocument, ...]:
        if not self._answers(always=always):
            return ()
        result = acknowledged_as_stored(result, {ln.line_number: ln for ln in self.rv.lines.get(self.key, ())},
                                        self.asked)
        body = build_865(header, result, today=self.today)
        return (transaction_set("865", "CA", self._doc_key(), body, partner=self.ch.partner,
                                po_number=self.ch.po_number, source_sha256=self.ch.store_key),)

    def _findings(self, result: ChangeResult, consequence: str) -> tuple[FindingRecord, ...]:
        return tuple(FindingRecord(f, self.ch.partner, self.ch.po_number,
                                   consequence if f.severity == "error" else "none (warning)", "decide")
                     for f in result.findings)


def acknowledged_as_stored(result: ChangeResult, stored: Mapping[int, LineRecord],
                           asked: Mapping[int, Decimal | None]) -> ChangeResult:
    """``result`` with ACK02 of each POC answered IA, IP or IR that left its line's quantity as the buyer had it
    (``asked``: each line's PO102 before the change) set to the quantity we acknowledged for the line (its
    stored record's ``ordered``: after case-pack rounding or a minimum, what our 855 said and what we ship):
    ACK02 is the quantity the status applies to, and an 865 saying IA 10 for a line our 855 acknowledged IQ 12
    (10 shipped, 2 to come) told the buyer the line was 10. A POC that changed the quantity (IQ, IC; IR cut to
    what shipped, CHANGE_BELOW_SHIPPED), an earlier POC of the 860 that did, and an added line keep theirs;
    an order decided again answers with the decision's (engine.lifecycle.decisions final_change_result)."""
    out, moved, changed = [], False, set()
    for r in result.line_results:
        ln = stored.get(r.line_number) if r.line_number is not None else None
        if r.status not in (ACCEPTED, PRICE_CHANGED, REJECTED) or r.code == "CHANGE_BELOW_SHIPPED":
            changed.add(r.line_number)  # (the POCs after it answer the line as it left it)
        elif ln is not None and r.line_number not in changed and r.quantity is not None \
                and r.quantity == asked.get(r.line_number) and ln.ordered is not None and ln.ordered != r.quantity \
                and (not ln.unit or ln.unit == r.unit):
            r, moved = replace(r, quantity=ln.ordered), True
        out.append(r)
    return replace(result, line_results=out) if moved else result


def moved_dates(before: Mapping, changed: Mapping, lines: pa.Table | None = None,
                result: ChangeResult | None = None) -> str:
    """'DTM 001 (cancel after) 2026-12-10 -> 2026-12-20' for each heading date ``changed`` moved, in DTM01 order,
    then 'line 4 DTM 001 (cancel after) (none) -> 2026-12-20' for each line date ``result`` moved (``lines``:
    the stored lines before it), and each line whose SDQ store split ``result`` replaced, with its new split, and
    each whose tax exemption (its POC loop's exempting TXIs) it replaced."""
    said = dates_said(before, changed, names={c: name for c, _q, name in _DATE_NAMES}) + refs_said(before, changed)
    if result is not None and lines is not None and result.dated_line_numbers:
        old = {r["line_number"]: r for r in lines.to_pylist()}
        for r in result.new_lines.to_pylist():
            n = r["line_number"]
            if n in result.dated_line_numbers:
                # a window's end a POC's DTM 010 range moved is named as that range (schemas.orders.window_named)
                said += [f"line {r.get('line_id') or n} DTM {sent} ({what}) {old[n].get(c) or '(none)'} -> "
                         f"{r[c] or '(none)'}" for c, q, name in _DATE_NAMES
                         if c in LINE_LAST_DATES and old[n].get(c) != r.get(c)
                         for sent, what in (window_named(c, q, name, r),)]
    if result is not None and (result.split_line_numbers or result.packed_line_numbers):
        for r in result.new_lines.to_pylist():
            if r["line_number"] in result.split_line_numbers:
                said.append(f"line {r.get('line_id') or r['line_number']} SDQ stores " + ", ".join(
                    f"{s.get('store')} {s['quantity'].normalize():f}" if s.get("quantity") is not None
                    else f"{s.get('store')} (none)" for s in r["store_quantities"] or ()))
            if r["line_number"] in result.packed_line_numbers:
                said.append(f"line {r.get('line_id') or r['line_number']} SLN pack contents " + ", ".join(
                    f"{c.get('subline') or '?'} {c['quantity'].normalize():f} {c.get('unit') or ''}".rstrip()
                    if c.get("quantity") is not None else f"{c.get('subline') or '?'} (none)"
                    for c in r["prepack_components"]))
    if result is not None and lines is not None:  # a line's tax exemption, mark-for or retail price replaced
        moved = ((result.exempt_line_numbers,
                  lambda n, was, r: f"line {r.get('line_id') or n} TXI exempt from "
                                    f"{was.get('tax_exempt_sent') or '(none)'} -> {r.get('tax_exempt_sent')}"),
                 (result.marked_line_numbers,
                  lambda n, was, r: f"line {r.get('line_id') or n} N1*Z7 mark-for {_party(was)} -> {_party(r)}"),
                 (result.priced_line_numbers,
                  lambda n, was, r: f"line {r.get('line_id') or n} CTP {_prices(was)} -> {_prices(r)}"),
                 (result.referenced_line_numbers,
                  lambda n, was, r: f"line {r.get('line_id') or n} REF {_refs(was)} -> {_refs(r)}"))
        if any(numbers for numbers, _ in moved):
            old = {r["line_number"]: r for r in lines.to_pylist()}
            new_lines = result.new_lines.to_pylist()
            for numbers, told in moved:
                said += [told(r["line_number"], old.get(r["line_number"], {}), r) for r in new_lines
                         if r["line_number"] in numbers]
    return "; ".join(said)


def _prices(line: dict) -> str:
    """A line's own CTPs as sent (CTP02 CTP03 each, e.g. RES 24.95), "(none)" without one."""
    return ", ".join(" ".join(str(p.get(k)) for k in ("qualifier", "price") if p.get(k) is not None)
                     for p in line.get("line_prices") or ()) or "(none)"


def _refs(line: dict) -> str:
    """A line's own REFs as sent (REF01 REF02 each, e.g. ZZ NCNR), "(none)" without one."""
    return ", ".join(" ".join(str(r.get(k)) for k in ("qualifier", "id") if r.get(k) is not None)
                     for r in line.get("line_refs") or ()) or "(none)"


def _party(line: dict) -> str:
    """A line's mark-for as sent (N102 N103 N104), "(none)" without one."""
    return " ".join(x for x in (line.get(f"mark_for_{f}") for f in LINE_MARK_FOR) if x) or "(none)"


def blanket_refs(result: ChangeResult, order_row: Mapping) -> dict[str, str]:
    """The order record's contract and agreement (BLANKET_REF_FIELDS) as the new revision's ORDERS row ``order_row``
    holds them ("" for none) when the 860's heading set one (engine.changes: a release moved to another blanket, or a
    reference added), for the record to follow its row: the store's index finds a blanket's releases by them
    (StateStore.releases_naming). Both, so an order whose numbers the store did not know (stored before store version
    BLANKET_REFS, not read yet) is not left with one known and the other null. None set: nothing."""
    if not any(name in result.order_changes for name in BLANKET_REF_FIELDS):
        return {}
    return {name: (order_row.get(name) or "").strip() for name in BLANKET_REF_FIELDS}


def moves_blanket(before: Mapping, result: ChangeResult) -> bool:
    """True when the 860 (``result``) moves the release ``before`` (its ORDERS row before the change: BEG02 RL) to
    another blanket: it sets its contract or agreement (REF*CT, REF*AH; BLANKET_REF_FIELDS) to a number it did not
    name. Such a release is decided again (even acknowledged), as a release of the blanket its new number names
    (engine.blankets.release_findings): its quantities, items and date held against that blanket's, and what it
    calls off counted in that blanket's drawdown, no longer in the one it named before."""
    if (before.get("order_type") or "") != "RL":
        return False
    return any((result.order_changes[name] or "").strip() != (before.get(name) or "").strip()
               for name in BLANKET_REF_FIELDS if name in result.order_changes)


def blanket_moves(applied: Mapping[Key, Sequence[AppliedChange]]) -> set[Key]:
    """The orders whose contract or agreement (REF*CT, REF*AH: BLANKET_REF_FIELDS) a change of ``applied`` (the
    changes applied and not answered yet, by order) set: a release so moved is checked against the blanket its new
    number names, and held when we hold none (engine.blankets.release_findings ``moved``)."""
    return {key for key, changes in applied.items()
            if any(name in a.result.order_changes for a in changes for name in BLANKET_REF_FIELDS)}


def _what_moved(dates: bool, result: ChangeResult, before: Mapping | None = None) -> str:
    """The history's word for a change that moved no line's quantity, price or product: its dates, a line's store
    split, a pack's contents (SLN I), a line's tax exemption, a line's mark-for; its references added, or changed (a
    release's contract or agreement the order had (``before``: its ORDERS row): engine.changes._blanket_refs_moved)."""
    if dates:
        return "dates moved"
    if result.order_changes:  # (heading references added, nothing else: engine.changes._refs_added)
        return "references changed" if any((before or {}).get(c) for c in BLANKET_REF_FIELDS
                                           if c in result.order_changes) else "references added"
    if result.packed_line_numbers and not result.split_line_numbers:
        return "pack contents changed"
    if result.split_line_numbers:
        return "store split changed"
    if result.exempt_line_numbers:
        return "tax exemption changed"
    if result.priced_line_numbers and not result.marked_line_numbers:
        return "line prices changed"
    if result.referenced_line_numbers and not result.marked_line_numbers:
        return "line references changed"
    return "mark-for changed" if result.marked_line_numbers else "store split changed"


_DATE_NAMES = (("requested_delivery_date", "002", "delivery requested"),
               ("requested_ship_date", "010", "requested ship"), ("ship_not_before", "037", "ship not before"),
               ("ship_no_later", "038", "ship no later"), ("cancel_after", "001", "cancel after"),
               ("do_not_deliver_after", "063", "do not deliver after"),
               ("do_not_deliver_before", "064", "do not deliver before"))


# an order that shipped, once changed: the event that moves it to the state what is left calls for
_AFTER_SHIPMENT = {OrderState.PARTIALLY_SHIPPED: EventKind.CHANGE_REOPENED,
                   OrderState.SHIPPED: EventKind.CHANGE_COMPLETED, OrderState.INVOICED: EventKind.CHANGE_SETTLED}
# lines whose units are promised (placed or backordered) and may ship: a change moves their promise
_PROMISING = (LineState.ALLOCATED, LineState.BACKORDERED, LineState.PARTIALLY_SHIPPED, LineState.SHIPPED,
              LineState.INVOICED)


def changed_after_shipment(ln: LineRecord, row: Mapping, *, asked: Decimal | None, settled: bool, reason: str,
                           revision: int, run_id: str, trimmed: bool = False, service: bool = False) -> LineRecord:
    """One line of an order that shipped, as an 860 changed it (``row``: its ORDER_LINES row after the change;
    ``asked``: the buyer's quantity before it). A new price is taken (our own, ack_price, dropped: the 865
    acknowledged the buyer's); a new quantity becomes the promise (allocated + backordered), never below what
    shipped: backordered units are cut first, then reserved ones, new units are backordered; ``settled``: the
    line is cut to what it shipped; ``trimmed``: a decrease to the buyer's own quantity, below our promise
    (a case pack rounded up), cuts the promise to it. A change of price alone keeps the promise as it was
    (a case pack rounded up stays so). A line whose promise is cut carries CUT_MARK in its codes: units a
    warehouse confirms beyond what is still reserved for it left before we knew of the change
    (rules.shipments: SHIPPED_AFTER_CHANGE, shipped and billed), not an over-shipment held
    (SHIPMENT_OVER_RESERVED) - up to the promise before the cut, which it carries too (its cut_from: the
    largest of its cuts); units beyond that are an over-shipment still. ``service``: the line's item is a service
    (items.csv kind): new units are placed (allocated), not backordered, as its first units were (no stock, no
    reservation: engine.kept_stock.service_rows); they go with the order's next shipment, or alone at the invoice
    stage (engine.lifecycle.shipping.plan_service_deliveries). A bill-only order's line is placed so too (nothing
    of ours ships: the invoice stage records the new units used and bills them, plan_bill_only)."""
    price = row["unit_price"]
    moved = settled or trimmed or (row["quantity"] is not None and row["quantity"] != asked)
    ln = replace(ln, ordered=row["quantity"] if moved else ln.ordered, unit=row["unit"] or ln.unit, unit_price=price,
                 ack_price=ln.ack_price if price == ln.unit_price else None, reason=reason, revision=revision,
                 run_id=run_id, priced_per=_priced_per(ln.priced_per, row))
    if not moved or ln.state not in _PROMISING:
        return ln
    want = ln.shipped if settled else max(row["quantity"] - ln.rejected, ln.shipped)
    target = int(Decimal(want).to_integral_value(rounding=ROUND_CEILING))
    allocated, backordered = ln.allocated, ln.backordered
    promised = allocated + backordered
    codes, cut_from = ln.codes, ln.cut_from
    if target < promised:
        cut = promised - target
        fewer = min(backordered, cut)
        backordered, allocated = backordered - fewer, allocated - (cut - fewer)
        if CUT_MARK not in codes:  # its units confirmed shipped later left before the change (SHIPPED_AFTER_CHANGE)
            codes = (*codes, CUT_MARK)
        # up to the promise before the cut (the largest one cut from): what can have left before the change
        cut_from = max(promised, cut_from or 0)
    elif target > promised and service:
        allocated += target - promised
    elif target > promised:
        backordered += target - promised
    return replace(ln, allocated=allocated, backordered=backordered, codes=codes, cut_from=cut_from,
                   state=_line_state(ln.shipped, ln.invoiced, allocated + backordered, backordered))


def redecided_lines(result: ChangeResult, stored: Mapping[int, LineRecord]) -> tuple[int, ...]:
    """The lines of an order that shipped (in part or whole) that a change moved (their quantity, unit, price,
    product or pack: ChangeResult.changed_line_numbers) and that it keeps, none of whose units shipped or billed
    (``stored``: the order's line records before the change): each is decided again by the rules and the allocation
    (case-pack multiples, minimums, the price, a new pack), as a changed line of an order not shipped is. A line with
    shipped or billed units keeps what they went out as (its change applied to what is left: changed_after_shipment;
    its pack: engine.changes, CHANGE_PACK_NOT_APPLIED). A decrease to the buyer's own quantity, below the promise a
    case pack rounded up (trimmed: the quantity unchanged), is no change to decide again, as before shipment: it cuts
    the promise (changed_after_shipment), never rounded up again."""
    kept = set(result.new_lines["line_number"].to_pylist())
    return tuple(sorted(n for n in set(result.changed_line_numbers) & kept if n in stored and stored[n].shipped <= 0
                        and stored[n].invoiced <= 0 and stored[n].state not in GONE_LINES
                        and stored[n].state != LineState.REJECTED))


def expired_units(line: LineRecord) -> Decimal:
    """The units of ``line``'s backorder cancelled when its last date passed (its expired; 0: none), exactly:
    a line in a fraction of its unit whose backorder ended it cancelled the fraction its whole units did not hold
    too (1.344 of 1.344 TM backordered as 1)."""
    return line.expired


def restore_expired(lines: Sequence[LineRecord], order_row: Mapping, line_table: pa.Table, *, today: date,
                    run_id: str, last: tuple = LAST_DATES,
                    transit_days: Transit | None = None) -> tuple[tuple[LineRecord, ...], list[tuple[int, Decimal]]]:
    """``lines`` with the units their backorder lost when its cancel-after / do-not-deliver-after passed
    (expired_units) backordered again when the dates that now apply (a line's own in ``line_table``, the
    canonical lines, else the order's ``order_row``) are today or later: the buyer's 860 moved them, and
    the buyer who extended the date expects the open units (the retailer's system keeps them open; we
    sent no document when they were cancelled). The units restored per line number. ``last``: the partner's last
    dates (schemas.orders.last_dates: its DTM 038 too when its ship window's end is its cancel date);
    ``transit_days``: the partner's, a DTM 063 counting as its last ship day (schemas.orders.last_day), as when it
    expired (engine.lifecycle.backorders.past_lines)."""
    own = {r["line_number"]: r for r in line_table.select(
        ["line_number", *(c for c, _q, _name in last if c in line_table.column_names)]).to_pylist()}
    out, restored = [], []
    for ln in lines:
        n = expired_units(ln)
        if n <= 0 or ln.state in GONE_LINES or rejected_exactly(ln.rejected, ln.rejected_fraction) < n:
            out.append(ln)
            continue
        mine = own.get(ln.line_number) or {}
        dates = [last_day(c, mine.get(c) if mine.get(c) is not None else order_row.get(c), transit_days)
                 for c, _q, _name in last]
        if any(d is not None and d < today for d in dates):
            out.append(ln)  # still past: the units stay cancelled
            continue
        backordered = ln.backordered + int(n)  # (whole units: a fraction expired goes back unheld, as it was)
        reason = "; ".join(p for p in ln.reason.split("; ") if p and p != "past_cancel_date")
        rejected, fraction = rejected_stored(rejected_exactly(ln.rejected, ln.rejected_fraction) - n)
        out.append(replace(ln, backordered=backordered, rejected=rejected, run_id=run_id, reason=reason,
                           expired=Decimal(0), rejected_fraction=fraction,
                           state=_line_state(ln.shipped, ln.invoiced, ln.allocated + backordered, backordered)))
        restored.append((ln.line_number, n))
    return tuple(out), restored


def _line_state(shipped: Decimal, invoiced: Decimal, promised: int, backordered: int) -> LineState:
    if shipped >= promised:
        return LineState.INVOICED if invoiced >= shipped else LineState.SHIPPED
    if shipped > 0:
        return LineState.PARTIALLY_SHIPPED
    return LineState.BACKORDERED if backordered else LineState.ALLOCATED


def _state_after(lines: tuple[LineRecord, ...]) -> OrderState:
    """An order that shipped, once changed: units left to ship, else shipped, else (all billed) invoiced."""
    live = [ln for ln in lines if ln.state not in ENDED_LINES]
    if any(ln.promised > ln.shipped for ln in live):
        return OrderState.PARTIALLY_SHIPPED
    return OrderState.INVOICED if all(ln.invoiced >= ln.shipped for ln in live) else OrderState.SHIPPED


def _value(lines: tuple[LineRecord, ...]) -> Decimal:
    """The order's value as acknowledged once changed: each live line's promised units at its price
    (ours when we changed it, else the buyer's)."""
    total = Decimal(0)
    for ln in lines:
        price = ln.ack_price if ln.ack_price is not None else ln.unit_price
        if ln.state not in ENDED_LINES and price is not None:
            many = ln.priced_per  # a price per thousand feet kept as sent: per foot
            total += ln.promised * price if many == 1 else ln.promised * price / many
    return total


def _priced_per(was: Decimal, row: Mapping) -> Decimal:
    """A stored line's priced_per as ``row`` (its ORDER_LINES row after an 860) prices it: an 860 that changes the
    price or its basis (287.45 TF to 290.15 TF, kept per thousand feet as the 850 reader keeps it; or to 0.2901 PE,
    restated per foot) is counted as intake counts a PO104 (engine.lifecycle.decisions._priced_per_column). A row
    without a basis (none sent, none read) leaves it as it ``was``."""
    basis = row.get("price_basis")
    if not basis:
        return was
    return Decimal(priced_per(row.get("unit"), basis) if basis in KEPT_PER_MANY_BASES else 1)


def _reserved(reservations: tuple[Reservation, ...], lines: tuple[LineRecord, ...],
              eaches: Callable[[LineRecord], int] | None = None) -> tuple[Reservation, ...]:
    """The order's reservations cut to what each line still has to ship from stock (allocated - shipped),
    the last warehouse's first; a line gone keeps none. A line's units are counted in ``eaches`` as reservations
    are (``eaches``: the eaches in one unit of the line, reservation_eaches; 1 without it): 2 CA of 12 still to
    ship keep 24 eaches. They used to keep 2, the order's next shipment of the 2 CA held as SHIPMENT_OVER_RESERVED
    ("only 2 eaches still reserved") after an 860 raised or cut a line in cases of an order that shipped in part."""
    left = {ln.line_number: max(int(Decimal((ln.allocated - ln.shipped) * (eaches(ln) if eaches else 1))
                                    .to_integral_value(rounding=ROUND_CEILING)), 0) for ln in lines}
    out = []
    for r in reversed(reservations):
        room = left.get(r.line_number, 0)
        q = min(r.quantity, room)
        left[r.line_number] = room - q
        if q > 0:
            out.append(r if q == r.quantity else replace(r, quantity=q))
    return tuple(reversed(out))


def changed_after_shipment_now(rv: Revisions, before: Mapping[Key, OrderRecord], keys: set[Key]
                               ) -> dict[Key, tuple[OrderRecord, tuple[LineRecord, ...], tuple[Reservation, ...]]]:
    """The orders of ``keys`` (named by this run's 860s) whose record the changes moved (``before``: as
    they were) and whose backordered units the same run's backorder allocation may place: answered at once
    and shipping (a line raised after shipment), or changed after shipment and waiting for the decision of
    the lines the 860 added (only raised lines have backorders then). Each with its lines and reservations
    as the changes left them."""
    out = {}
    for k, r in rv.records.items():
        if k not in keys or r is before.get(k) or k not in rv.lines:
            continue
        if r.state in SHIPPABLE or (r.state == OrderState.CHANGED and r.changed_lines
                                     and any(ln.shipped > 0 for ln in rv.lines[k])):
            out[k] = (r, rv.lines[k], rv.reservations.get(k, ()))
    return out


def refuse_unplaced_raises(rv: Revisions, *, today: date, at: str, run_id: str,
                           uncovered: Mapping[Key, Mapping[int, int]] | None = None) -> tuple[Plan, frozenset[str]]:
    """Units 860s raised after shipment (``rv.raised``), once the run's backorder allocation offered them stock
    and receipts (``rv.lines``/``rv.records`` as it left them; ``uncovered``: per order and line, the units
    neither covered, engine.lifecycle.backorders.promise_raised): what it placed stays placed, what a receipt
    covers stays backordered with its promise (a partner that takes no backorder has none), the rest is refused
    as an 850 line's short units are (backordered -> rejected, never left waiting: before shipment the
    allocation rejects them, no_receipt or rejected_by_policy),
    one CHANGE_RAISE_NOT_BACKORDERED per line and 860, the order moved by what is left to ship, and each 865 built
    again (ACK IQ with the quantity we ship: shipped + placed; BCA02 AC). The plan and the doc keys of the 865s it
    replaces (the caller drops the ones the change step planned)."""
    parts, replaced = [], set()
    for key, raises in sorted(rv.raised.items()):
        record, stored = rv.records.get(key), rv.lines.get(key)
        if record is None or stored is None:
            continue
        part = isolated(record, lambda k=key, r=tuple(raises), o=record, ls=stored: _refuse_raised(
            k, r, o, ls, today=today, at=at, run_id=run_id, uncovered=(uncovered or {}).get(k, {}), built=rv.refused),
            at=at, run_id=run_id, stage="decide")
        parts.append(part)
        for t in part.transitions:
            rv.records[key] = t.record
        for o in part.lines:
            rv.lines[key] = o.lines
        built = {s.doc_key for d in part.documents for s in d.sets}
        replaced |= {r.doc_key for r in raises if r.answered and r.doc_key in built}
    return Plan.combine(parts), frozenset(replaced)


def _refuse_raised(key: Key, raises: Sequence[RaisedAnswer], record: OrderRecord, stored: tuple[LineRecord, ...], *,
                   today: date, at: str, run_id: str, uncovered: Mapping[int, int] | None = None,
                   built: dict[str, ChangeResult] | None = None) -> Plan:
    """One order of ``refuse_unplaced_raises``: ``raises`` the 860s that raised its lines, in the order applied;
    ``stored`` its lines as the backorder step left them. A line's unplaced units are refused from the last raise
    back (the earlier 860 was taken first): each 860's 865 answers the line with what we ship of it."""
    cuts: list[dict[int, int]] = [{} for _ in raises]
    new_lines = []
    for ln in stored:
        cut = min(ln.backordered, sum(r.units.get(ln.line_number, 0) for r in raises))
        if not all(r.reject for r in raises):  # a partner that takes backorders: only what no receipt covers
            cut = min(cut, (uncovered or {}).get(ln.line_number, 0))
        if cut <= 0 or ln.state in ENDED_LINES:
            new_lines.append(ln)
            continue
        left = cut
        for k in reversed(range(len(raises))):
            take = min(left, raises[k].units.get(ln.line_number, 0))
            if take > 0:
                cuts[k][ln.line_number] = take
                left -= take
        backordered = ln.backordered - cut
        rejected, fraction = rejected_stored(rejected_exactly(ln.rejected, ln.rejected_fraction) + cut)
        new_lines.append(replace(
            ln, backordered=backordered, rejected=rejected, rejected_fraction=fraction, run_id=run_id,
            promised_date=ln.promised_date if backordered else None,
            state=_line_state(ln.shipped, ln.invoiced, ln.allocated + backordered, backordered),
            reason="; ".join(filter(None, (ln.reason, "raised units not placed: no backorder (rejected_by_policy)"
                                           if all(r.reject for r in raises) else
                                           "raised units not placed: no stock nor receipt (no_receipt)")))))
    if not any(cuts):
        return Plan()
    lines = tuple(new_lines)
    to = _state_after(lines)
    transitions, docs, findings = [], [], []
    now = record
    for k, raised in enumerate(raises):
        refused = cuts[k]
        if not refused:
            continue
        # the units refused of this 860's raise and of the earlier ones: what is left of the line it answers
        before = {n: sum(cuts[j].get(n, 0) for j in range(k)) for n in refused}
        result = _refused_raises(raised, refused, record.po_number, before)
        ack_type = change_ack_type(result)
        event = _AFTER_SHIPMENT[to] if now.state in REOPENABLE and to != now.state else EventKind.CHANGE_ANSWERED
        sorted_said = ", ".join(f"line {n} ({u})" for n, u in sorted(refused.items()))
        said = dict(document_key=raised.doc_key, ack_type=ack_type) if raised.answered else {}
        t = move(now, event, at=at, run_id=run_id, value=_value(lines), **said,
                 note=f"units raised by {raised.header.get('set_id') or '860'} in {raised.change.source_file} "
                 "not placed from stock refused ("
                 + ("backorder = \"reject\"" if raised.reject else "no stock nor receipt covers them")
                 + f"): {sorted_said}" + (f"; 865 {ack_type}" if raised.answered else ""))
        transitions.append(t)
        now = t.record
        if raised.answered:
            if built is not None:
                built[raised.doc_key] = result  # (dated by date_shipped_answers when a line still waits)
            docs.append(transaction_set("865", "CA", raised.doc_key, build_865(raised.header, result, today=today),
                                        partner=key[0], po_number=key[1], source_sha256=raised.change.store_key))
        new = [f for f in result.findings if f.code == "CHANGE_RAISE_NOT_BACKORDERED"]
        findings += [FindingRecord(f, key[0], key[1], "raised units refused (865 IQ)" if raised.answered
                                   else "raised units refused", "decide") for f in new]
    return Plan(transitions=tuple(transitions), lines=(OrderLines(*key, lines),), documents=tuple(docs),
                findings=tuple(findings))


def _refused_raises(raised: RaisedAnswer, refused: Mapping[int, int], po_number: str,
                    before: Mapping[int, int] | None = None) -> ChangeResult:
    """The change's result with each refused line's last POC answered IQ with what we ship, and its finding
    (``before``: per line, the units refused of the raises of earlier 860s of the run, not on the line either)."""
    result = raised.result
    last = {r.line_number: k for k, r in enumerate(result.line_results)
            if r.line_number in refused and r.status != REJECTED}
    answers, findings = list(result.line_results), list(result.findings)
    for n, k in sorted(last.items()):
        r, cut = answers[k], refused[n]
        kept = (r.quantity or Decimal(0)) - cut - (before or {}).get(n, 0)
        answers[k] = replace(r, status=CHANGED if r.status == CHANGED else QUANTITY_CHANGED, quantity=kept,
                             code="CHANGE_RAISE_NOT_BACKORDERED")
        poc = r.change
        why = ("the partner's allocation takes no backorder (backorder = \"reject\")" if raised.reject else
               "neither the stock nor an expected receipt covers all of it (no_receipt, as an 850 line's units)")
        took = ("reserved from stock this night" if raised.reject else
                "reserved from stock this night or promised from a receipt")
        findings.append(finding_at_row(
            "CHANGE_RAISE_NOT_BACKORDERED",
            f"POC02 {poc.get('change_type')} raises line {poc.get('line_id') or n} of PO {po_number} to "
            f"{_n(r.quantity)} after it shipped; {why}: {_n(Decimal(raised.units[n] - cut))} unit(s) were {took} "
            f"and the other {cut} refused (865 IQ {_n(kept)}), not backordered. The buyer orders them again when "
            "stock comes.", poc, severity=CHANGE_CATALOGUE["CHANGE_RAISE_NOT_BACKORDERED"].severity, seg="POC",
            element="POC03", value=_n(r.quantity), line_number=n))
    return replace(result, line_results=answers, findings=findings)


def date_shipped_answers(rv: Revisions, *, today: date, skip: Collection[str] = (),
                         promised: Mapping[Key, Collection[int]] | None = None) -> tuple[Plan, frozenset[str]]:
    """The 865s of changes answered at once after shipment (``rv.dated``), once the run's backorder allocation
    ran (``rv.lines`` as it left them): a line the 865 answers that is still backordered on a promise that
    covers it (its backorder no larger than before the change, which the promise was made for, or a line that
    allocation promised a day this run: ``promised``, engine.lifecycle.backorders.promise_raised) carries ACK04
    068 and ACK05, the day the whole line is to ship: the promise, or the order's ship day when later and units
    are reserved and not shipped, as an 865 answering a change before shipment does (engine.lifecycle.decisions
    final_change_result). They used to carry no date, and units a raise backordered got none either.
    ``skip``: doc keys built again already (refuse_unplaced_raises, its result in ``rv.refused``): built once
    more when a line of it is dated. The 865s built again, and their doc keys (the caller drops the ones the
    change step planned)."""
    docs, replaced = [], set()
    for key, answers in sorted(rv.dated.items()):
        now = {ln.line_number: ln for ln in rv.lines.get(key, ())}
        fresh = set((promised or {}).get(key, ()))
        for a in answers:
            base = rv.refused.get(a.doc_key, a.result) if a.doc_key in skip else a.result
            days = {}
            for n, ln in now.items():
                if ln.state in ENDED_LINES or ln.backordered <= 0 or ln.promised_date is None \
                        or (ln.backordered > a.promised.get(n, 0) and n not in fresh):
                    continue
                days[n] = backorder_day(ln.promised_date, a.ship_day) if ln.allocated > ln.shipped \
                    else ln.promised_date
            answered = [replace(r, ship_date=days[r.line_number])
                        if r.line_number in days and r.status != REJECTED else r for r in base.line_results]
            if answered == list(base.line_results):
                continue
            result = replace(base, line_results=answered)
            docs.append(transaction_set("865", "CA", a.doc_key, build_865(a.header, result, today=today),
                                        partner=key[0], po_number=key[1], source_sha256=a.change.store_key))
            replaced.add(a.doc_key)
    return Plan(documents=tuple(docs)), frozenset(replaced)


def revised_855(ch: StoredChange, order_row: Mapping, rows: pa.Table, lines: Sequence[LineRecord],
                profile: PartnerProfile, *, today: date, refused: bool = False,
                stated: StatedSacs | None = None) -> PlannedDocument:
    """The revised 855 (BAK01 05) answering ``ch``, a change to an order that shipped (or, before shipment, a
    change the rules do not decide again: a whole-order cancel, ``refused``: every line IR of its PO102 exactly,
    engine.answer.refused_line; a change refused, one that moves dates or touches no line), for a partner answered
    by 855s: each line on the
    order (``rows``: its canonical lines after the change; ``lines``: their records as the change left them; a
    line deleted or cancelled is no longer stated, as a revised 855 before shipment leaves a deleted line out)
    restated by what its units make now (engine.answer.restated_line: shipped or to ship accepted, backordered IB
    with its promise, refused IR), in the partner's 855 layout (its heading echoes as the run's 855s do; ACK 068
    and DTM 068 the order's ship day: its requested ship date or window opening, today at the earliest). Its own
    doc key (855:<store key>:<change ref>), numbered with the 865s by the 860's arrival
    (engine.lifecycle.in_answer_order). ``stated``: the agreed allowances the order's last 855 stated (its partner's
    855 stating them: [acks.po_ack] allowances = "agreed"), stated again, a deleted line's with it."""
    first = {r["line_number"]: r for r in _first_line_rows(rows).to_pylist()}
    live = [ln for ln in sorted(lines, key=lambda ln: ln.line_number)
            if ln.state not in GONE_LINES and ln.line_number in first]
    ship = max(filter(None, (first_ship_day(order_row.get("requested_ship_date"), order_row.get("ship_not_before"),
                                            order_row.get("do_not_deliver_before"),
                                            profile.fulfilment.asn.transit,
                                            order_row.get("requested_delivery_date")), today)))
    head = {"po_number": ch.po_number, "po_date": order_row.get("po_date"), "purpose": "05",
            "release_number": order_row.get("release_number")}
    settings = profile.acks.po_ack
    if settings != PLAIN:  # the PO's heading values the partner's 855 echoes
        head.update({k: order_row.get(k) for k in HEAD_KEYS if k != "ship_date"}, ship_date=ship)
    rows = [first[ln.line_number] for ln in live]
    if stated is not None and settings.allowances == "agreed":  # the deals matched when the order was decided
        head["agreed_sacs"] = [list(s) for s in stated.heading]
        rows = [{**r, SAC_LIST: stated.of_line(r.get("line_id") or str(r["line_number"]))} for r in rows]
    said = [refused_line(ln, r["quantity"]) if refused else
            restated_line(ln, r["quantity"], _line_day(r, order_row, profile.fulfilment.asn.transit, ship, today))
            for ln, r in zip(live, rows, strict=True)]
    body = statuses_855(head, rows, said, today=today, settings=settings)
    return transaction_set("855", "PR", f"855:{ch.store_key}:{ch.change_ref}", body, partner=ch.partner,
                           po_number=ch.po_number, source_sha256=ch.store_key)


# a line's own dates that date the day it ships (its PO1 or POC loop's DTM 010 / 037, or 064 / 002 less the transit),
# each else its order's, as engine.lifecycle.decisions dates a decided line
_LINE_SHIP_DATES = ("requested_ship_date", "ship_not_before", "do_not_deliver_before", "requested_delivery_date")


def _line_day(row: Mapping, order_row: Mapping, transit_days: Transit | None, ship: date, today: date) -> date:
    """The day line ``row`` (its ORDER_LINES row) is to ship, as its first 855 said it: from its own dates, each else
    its order's (engine.answer.first_ship_day), today at the earliest; ``ship`` (its order's day) when it has none.
    A revised 855 restated every line on its order's day: lines scheduled apart were said to ship with the rest."""
    if not any(row.get(c) for c in _LINE_SHIP_DATES):
        return ship
    day = first_ship_day(*(row.get(c) or order_row.get(c) for c in _LINE_SHIP_DATES[:3]), transit_days,
                         row.get(_LINE_SHIP_DATES[3]) or order_row.get(_LINE_SHIP_DATES[3]))
    return max(day or today, today)


_AWAITING = "; answered by a revised 855 of the order once the rules decide it"
_HELD = "; no 855 yet: the order waits for a person, whose decision's 855 states it"
# a finding's consequence for such a change (the failures report): what answers it, and when
_AWAITING_WAITS = ": answered by a revised 855 once the night's rules decide the order"
_HELD_WAITS = (": no 855 yet, the change waits on the hold: the order waits for a person, and the 855 of their "
               "decision (the next run after they approve or reject it) answers it")


def change_sets(change_tables: Tables) -> dict[tuple[str, str, str], str]:
    """(partner, store key, change ref) -> the set each change of ``change_tables`` came as, where it is not an 860
    (CHANGE_HEADERS set_id: "876" for a grocer's): what the notes that name a change by its set say (sent_as)."""
    out = {}
    for (partner, key), (headers, _changes) in change_tables.items():
        if "set_id" not in headers.column_names:
            continue
        for ref, set_id in zip(headers["change_ref"].to_pylist(), headers["set_id"].to_pylist(), strict=True):
            if set_id and set_id != "860":
                out[(partner, key, ref)] = set_id
    return out


def no_answer_asked(change_tables: Tables) -> set[tuple[str, str, str]]:
    """(partner, store key, change ref) of each change of ``change_tables`` whose buyer asked for no answer (BCH01
    49: answer_wanted): what a person's decision says the next run answers leaves them out."""
    out = set()
    for (partner, key), (headers, _changes) in change_tables.items():
        if "purpose" not in headers.column_names:
            continue
        for row in headers.select(["change_ref", "purpose"]).to_pylist():
            if not answer_wanted(row):
                out.add((partner, key, row["change_ref"]))
    return out


def sent_as(ch: StoredChange, sets: Mapping[tuple[str, str, str], str] | None) -> str:
    """The set ``ch`` came as, for a note a person reads ("860", or "876" for a grocer's: change_sets)."""
    return (sets or {}).get((ch.partner, ch.store_key, ch.change_ref)) or "860"


def answer_awaiting(plan: Plan, awaiting: Mapping[Key, Sequence[StoredChange]], change_ids: Collection[str], *,
                    at: str = "", run_id: str = "", sets: Mapping[tuple[str, str, str], str] | None = None) -> Plan:
    """A revised 855 (BAK01 05) for each change of ``awaiting`` (Revisions.awaiting: changes that left an order
    waiting for the rules as it was) whose order the run's decision answered by an 855 (in ``plan``; its doc key not
    one of ``change_ids``, the run's changes' own keys): that 855's lines and ACKs under the change's own doc key
    (855:<store key>:<change ref>), the order as it is after the change. An order the decision holds for a person
    gets none now (its decision is not taken): its changes wait on the hold (WAITING_ON_HOLD) and the run that
    decides it after the person's verdict answers them so (apply_pending_changes' ``on_hold``), each then taking its
    final status (refused, answered) and a history event linked to its 855 (``at``, ``run_id``: the run's; ``sets``:
    change_sets, naming an 876 in that event as one)."""
    if not awaiting:
        return Plan()
    decided: dict[Key, tuple[PlannedDocument, PlannedSet]] = {}
    for doc in plan.documents:
        if doc.doc_type != "855":
            continue
        for s in doc.sets:
            if (doc.partner, s.po_number) in awaiting and s.doc_key not in change_ids:
                decided[(doc.partner, s.po_number)] = (doc, s)
    docs, settled, told = [], [], []
    for key, changes in sorted(awaiting.items()):
        if key not in decided:
            continue
        doc, s = decided[key]
        for ch in changes:
            if s.text:
                e = (doc.delimiters or Delimiters()).element
                bak, rest = s.text.split(e, 2)[0::2] if s.text.startswith("BAK" + e) else ("", "")
                if not bak:
                    continue
                answer = replace(s, text=f"{bak}{e}05{e}{rest}")
            else:
                answer = replace(s, body=((s.body[0][0], "05", *s.body[0][2:]), *s.body[1:]))
            docs.append(replace(doc, sets=(replace(answer, doc_key=f"855:{ch.store_key}:{ch.change_ref}",
                                                   source_sha256=ch.store_key),)))
            if ch.status in _FINAL:  # it waited on the hold: answered now, with the person's decision
                settled.append(ChangeUpdate(ch.id, _FINAL[ch.status]))
                told.append((ch, docs[-1].sets[0].doc_key))
    return Plan(documents=tuple(docs), change_updates=tuple(settled),
                decided=(_answered_on_hold(told, _decided_states(plan), at=at, run_id=run_id,
                                            sets=sets),) if told else ())


def answer_ranks(change_ids: Mapping[str, int], awaited: Plan) -> dict[str, int]:
    """The doc keys of the run's answers to 860s -> the change each answers (Revisions.change_ids), which
    in_answer_order numbers them by (the 860's arrival), less those of ``awaited`` (answer_awaiting's revised 855s,
    each under its change's own key): they restate the decision's 855 and are numbered after it, in decision
    order."""
    told = {s.doc_key for d in awaited.documents for s in d.sets}
    return {k: v for k, v in change_ids.items() if k not in told} if told else dict(change_ids)


# a change that waited on the hold, answered by the 855 of the person's decision: its history event and what it says
_ON_HOLD_EVENTS = {ON_HOLD["refused"]: (EventKind.CHANGE_REFUSED, "refused"),
                   ON_HOLD["answered"]: (EventKind.CHANGE_ANSWERED, "found touching no line")}


def _decided_states(plan: Plan) -> dict[Key, tuple[str, int]]:
    """Each order ``plan`` moves -> (its state after the plan, its revision), its last move's."""
    out = {t.record.key: (str.__str__(t.record.state), t.record.revision) for t in plan.transitions}
    for d in plan.decided:
        t = d.orders
        out.update(zip(zip(t["partner"].to_pylist(), t["po_number"].to_pylist(), strict=True),
                       zip(t["state"].to_pylist(), t["expect_revision"].to_pylist(), strict=True), strict=True))
    return out


def _answered_on_hold(told: Sequence[tuple[StoredChange, str]], states: Mapping[Key, tuple[str, int]], *, at: str,
                      run_id: str, sets: Mapping[tuple[str, str, str], str] | None = None) -> DecidedOrders:
    """The history events (DECIDED_EVENTS; no order moved) of the changes of ``told`` (each with the doc key of its
    855) that waited on the hold and are answered now: the order in the state its decision left it (``states``)."""
    rows = []
    for ch, doc_key in told:
        state, revision = states.get((ch.partner, ch.po_number), (None, None))
        if state is None:
            continue
        event, what = _ON_HOLD_EVENTS[ch.status]
        rows.append({"partner": ch.partner, "po_number": ch.po_number, "at": at, "clock": str.__str__(Clock.RUN),
                     "event": str.__str__(event), "from_state": state, "to_state": state, "revision": revision,
                     "actor": "system", "note": f"{sent_as(ch, sets)} in {ch.source_file} ({what} while the order "
                     "waited for a person) answered: the 855 of the person's decision states the order as decided "
                     "(BAK01 05)",
                     "run_id": run_id, "document_key": doc_key})
    return DecidedOrders(DECIDED_ORDERS.empty_table(), pa.Table.from_pylist(rows, schema=DECIDED_EVENTS))


def restate_shipped_answers(rv: Revisions, *, today: date) -> tuple[Plan, frozenset[str]]:
    """The revised 855s answering changes (``rv.restated``: each of an order's run) built
    again from the order's lines as the run's backorder allocation left them (``rv.lines``; a line a later change
    of the run moved as the answer's change left it, _as_left): raised units it
    refused (refuse_unplaced_raises) are IR, units it placed accepted, a backorder it promised dated. The 855s
    that changed, and their doc keys (the caller drops the ones the change step planned)."""
    docs = []
    for key, answers in sorted(rv.restated.items()):
        lines = rv.lines.get(key)
        if lines is None:
            continue
        docs += [revised_855(a.change, a.order_row, a.rows, _as_left(a.lines, rv.changed_lines.get(key), lines),
                             a.profile, today=today, stated=rv.stated.get(key)) for a in answers]
    return Plan(documents=tuple(docs)), frozenset(d.sets[0].doc_key for d in docs)


def _as_left(stated: Sequence[LineRecord], changed: Sequence[LineRecord] | None,
             now: Sequence[LineRecord]) -> tuple[LineRecord, ...]:
    """The lines an answer states once the backorder step ran: each line as it is ``now`` where the answer stated it
    (``stated``: as its change left it) as the run's changes left it (``changed``: no later change moved it), else as
    its change left it: a later change of the night moved it, and that change's own answer states it. Lines of
    neither (an answer registered without its lines) are as they are now; a line added later is not stated (the
    answer's rows name its lines)."""
    if not stated or changed is None:
        return tuple(now)
    last = {ln.line_number: ln for ln in changed}
    out = {ln.line_number: ln for ln in now}
    for ln in stated:
        if _said(ln) != _said(last.get(ln.line_number)):
            out[ln.line_number] = ln
    return tuple(out[n] for n in sorted(out))


def _said(ln: LineRecord | None) -> tuple | None:
    """What a revised 855 states of a line (restated_line)."""
    if ln is None:
        return None
    return (ln.state, ln.ordered, ln.allocated, ln.backordered, ln.rejected, ln.shipped, ln.ack, ln.ack_price,
            ln.promised_date, ln.unit)


def in_sequence(pending: list[StoredChange], change_tables: Tables) -> list[StoredChange]:
    """``pending`` (arrival order) with each order's changes in their BCH05 change order sequence when all
    of them carry a numeric one: a buyer's change 2 sent (or read) before its change 1 in the same run is
    applied after it, as the buyer made them. Without that, in the order of their change request dates (BCH11)
    when every one carries one after its PO's date (BCH06): a buyer that numbers no change, its change of 11-26
    read before its change of 11-25 (it used to be applied first, and the older change overwrote it); changes of
    one day keep their arrival order. Other orders' changes keep their places."""
    by_key: dict[Key, list[int]] = {}
    cache: dict = {}
    for k, ch in enumerate(pending):
        by_key.setdefault((ch.partner, ch.po_number), []).append(k)
    out = list(pending)
    for slots in by_key.values():
        if len(slots) < 2:
            continue
        seqs: list = [_sequence(_bch(pending[k], change_tables, cache)[1]) for k in slots]
        if None in seqs:
            seqs = [_requested(pending[k], change_tables) for k in slots]
            if None in seqs:
                continue
        ordered = sorted(range(len(slots)), key=lambda i: seqs[i])  # stable: equal numbers keep arrival order
        for slot, i in zip(slots, ordered, strict=True):
            out[slot] = pending[slots[i]]
    return out


def _requested(ch: StoredChange, change_tables: Tables) -> date | None:
    """A stored change's change request date (BCH11: CHANGE_HEADERS change_date) when it is after its PO's date
    (BCH06); None otherwise (change_date falls back to BCH06 when BCH11 is not sent: nothing says when it was
    asked)."""
    header = next(h for h in change_tables[(ch.partner, ch.store_key)][0].select(
        ["change_ref", "change_date", "po_date"]).to_pylist() if h["change_ref"] == ch.change_ref)
    asked, ordered = header.get("change_date"), header.get("po_date")
    return asked if asked is not None and ordered is not None and asked > ordered else None


def _sequence(bch05: str | None) -> int | None:
    """A change order sequence number (BCH05) as a number, None when it is none (empty, or not all digits)."""
    seq = (bch05 or "").strip()
    return int(seq) if seq and seq.isascii() and seq.isdigit() else None


_REPEATS = REPEAT_WORDS
RESENT_PURPOSES = frozenset({"04", NO_RESPONSE})  # a change with a BCH05 seen before with the same content: sent again


def _numbered_change(purpose: str | None, bch05: str | None) -> bool:
    """A BCH01 04 change with a BCH05: one an earlier 860 with the same number and content repeats (retailers
    resend a change as it was, its BCH05 too, when they saw no 997 or 865 for it)."""
    return purpose in RESENT_PURPOSES and bool((bch05 or "").strip())


def repeat_keys(pending: list[StoredChange], change_tables: Tables) -> set[Key]:
    """The orders a pending 860 with BCH01 06 or 07, or a 04 with a BCH05, names: their earlier changes are
    compared with it; and those a pending 860 with a numeric BCH05 names: one sent before a change applied already
    is out of sequence (_Step._later_in_sequence)."""
    cache: dict = {}
    return {(ch.partner, ch.po_number) for ch in pending
            if (b := _bch(ch, change_tables, cache))[0] in REPEAT_PURPOSES or _numbered_change(*b)
            or _sequence(b[1]) is not None}


def follow_up_keys(pending: list[StoredChange], change_tables: Tables) -> set[Key]:
    """The orders a pending follow-up (BCH01 45) names: the answers sent their earlier changes are read
    (apply_pending_changes ``sent_answers``), one repeating a change answered before sends them again."""
    cache: dict = {}
    return {(ch.partner, ch.po_number) for ch in pending if _bch(ch, change_tables, cache)[0] == FOLLOW_UP}


def answer_keys(ch: StoredChange) -> tuple[str, str]:
    """The doc keys of the answers a change gets: its 865, and its revised 855 (after shipment, or a partner answered
    by 855s)."""
    return f"865:{ch.store_key}:{ch.change_ref}", f"855:{ch.store_key}:{ch.change_ref}"


def _bch(ch: StoredChange, change_tables: Tables, cache: dict) -> tuple[str | None, str | None]:
    """(BCH01, BCH05) of a stored change; ``cache`` holds each change table's values by change_ref."""
    key = (ch.partner, ch.store_key)
    if key not in cache:
        headers = change_tables[key][0].select(["change_ref", "purpose", "change_order_ref"]).to_pylist()
        cache[key] = {h["change_ref"]: (h["purpose"], h["change_order_ref"]) for h in headers}
    return cache[key].get(ch.change_ref, (None, None))


def sequence_history(changes: list[StoredChange], change_tables: Tables, records: Mapping[Key, OrderRecord]
                     ) -> dict[Key, list[tuple[int, str, str]]]:
    """(BCH05 as a number, BCH05, source file) of each of ``changes`` (applied or answered) with a numeric BCH05
    that was applied to its order's current 850, by order, oldest first: those whose revisions go back to the 850's
    own lines (``records``' source_sha256, each change's base_key the lines it was applied to and its new lines
    store_key-change_ref). A change applied before a replacing 850 (BEG01 05/18) is not: a reissued PO may number
    its changes from 1 again. (A change that made no revision of its own, touching no line, is left out: no later
    change is refused for it.)"""
    cache: dict = {}
    out: dict[Key, list[tuple[int, str, str]]] = {}
    chains: dict[Key, set[str]] = {}
    for ch in sorted(changes, key=lambda c: c.id):
        key = (ch.partner, ch.po_number)
        record = records.get(key)
        if record is None:
            continue
        chain = chains.setdefault(key, {record.source_sha256})
        if ch.base_key not in chain:
            continue
        chain.add(f"{ch.store_key}-{ch.change_ref}")
        seq = _bch(ch, change_tables, cache)[1]
        if (n := _sequence(seq)) is not None:
            out.setdefault(key, []).append((n, seq.strip(), ch.source_file))
    return out


def fingerprints(changes: list[StoredChange], change_tables: Tables) -> dict[Key, list[tuple[str, tuple]]]:
    """(source file, change_fingerprint) of each change, by order, oldest first."""
    out: dict[Key, list[tuple[str, tuple]]] = {}
    for ch in sorted(changes, key=lambda c: c.id):
        headers, rows = change_tables[(ch.partner, ch.store_key)]
        header = next(h for h in headers.to_pylist() if h["change_ref"] == ch.change_ref)
        out.setdefault((ch.partner, ch.po_number), []).append((ch.source_file, change_fingerprint(header, rows)))
    return out


def echoed_refs(profile: PartnerProfile | None) -> frozenset[str]:
    """The heading REF qualifiers the partner's 855, 856 and 810 carry back (their order_refs): a new one an 860
    sends is kept with the order (engine.changes._refs_added)."""
    if profile is None:
        return frozenset()
    return frozenset((*profile.acks.po_ack.order_refs, *profile.fulfilment.asn.order_refs,
                      *profile.fulfilment.invoice.order_refs))


def replay(applied: list[StoredChange], *, tables: Tables, change_tables: Tables,
           records: Mapping[Key, OrderRecord], lines: Mapping[Key, tuple[LineRecord, ...]] | None = None,
           units: ShipmentUnits | None = None, profiles: Mapping[str, PartnerProfile] | None = None
           ) -> tuple[dict[Key, list[AppliedChange]], dict[Key, BaseException]]:
    """Changes applied by an earlier run and not answered yet (the order was held): their results
    again, from the revision each was applied to (deterministic: the same tables give the same result).
    ``lines``: the orders' stored lines; an order that shipped (a line added after shipment held it) is
    replayed with its lines' shipped and invoiced units, as the change was applied (what shipped stays).
    ``profiles``: by partner, for the references its documents carry back (echoed_refs), as the change was applied.
    An order whose replay fails is returned with its error (to be held for ops), never raised."""
    out: dict[Key, list[AppliedChange]] = {}
    failed: dict[Key, BaseException] = {}
    for ch in applied:
        key = (ch.partner, ch.po_number)
        record = records.get(key)
        if record is None or key in failed:
            continue
        try:
            headers, changes = change_tables[(ch.partner, ch.store_key)]
            header = next(h for h in headers.to_pylist() if h["change_ref"] == ch.change_ref)
            orders, table = tables[(ch.partner, ch.base_key)]
            row = orders.filter(pc.equal(orders["order_ref"], record.order_ref)).to_pylist()[0]
            mine = _first_line_rows(table.filter(pc.equal(table["order_ref"], record.order_ref)))
            progress = _progress_of(record, (lines or {}).get(key, ()))
            known = with_skus((lines or {}).get(key, ()), mine, units)
            result = apply_changes(row, mine, header, changes, shipped=progress is not None, progress=progress,
                                   same_case=same_case_units(known, units), unit_eaches=unit_eaches(known, units),
                                   item_of=items_named(known, units, ch.partner),
                                   echoed=echoed_refs((profiles or {}).get(ch.partner)))
        except Exception as exc:  # noqa: BLE001 - this order is held, the others go on
            failed[key] = exc
            out.pop(key, None)
            continue
        out.setdefault(key, []).append(AppliedChange(ch, header, result))
    return out, failed


def with_skus(lines: Iterable[LineRecord], table: pa.Table | None, units: ShipmentUnits | None
              ) -> tuple[LineRecord, ...]:
    """``lines`` (an order's stored line records) with the sku of each that has none yet filled from its row of
    ``table`` (the order's canonical lines, the current revision), resolved from its product ids as the rules
    resolve an 850's line (ShipmentUnits.resolve): a line an earlier 860 of the same run added gets its sku only
    when the order is decided, and a later 860 of the night changing it in another unit (EA for the added line's
    CA) found no count of eaches in its item (CHANGE_UNIT_MISMATCH). Unchanged without the item master."""
    lines = tuple(lines)
    if units is None or table is None or all(ln.sku for ln in lines):
        return lines
    missing = sorted(ln.line_number for ln in lines if not ln.sku)
    rows = table.filter(pc.is_in(table["line_number"], pa.array(missing, table.schema.field("line_number").type)))
    skus = dict(zip(rows["line_number"].to_pylist(), units.resolve(rows), strict=True))
    return tuple(replace(ln, sku=skus[ln.line_number]) if not ln.sku and skus.get(ln.line_number) else ln
                 for ln in lines)


def items_named(lines: Iterable[LineRecord], units: ShipmentUnits | None, partner: str) -> ItemOf | None:
    """engine.changes' ItemOf for an order's stored ``lines`` (with_skus): a line's sku, and the sku a POC row's
    product ids resolve to as the rules resolve an 850's line (ShipmentUnits.resolve, the partner's cross-reference
    too). None without the item master."""
    if units is None or units.items is None:
        return None
    skus = {ln.line_number: ln.sku for ln in lines if ln.sku}

    def of(line_number: int, row: Mapping) -> tuple[str | None, str | None]:
        ids = {c: row.get(c) for c in ("upc", "gtin", "ean", "vendor_part", "buyer_part")}
        pairs = pa.array([row.get("product_ids") or []], ORDER_LINES.field("product_ids").type)
        table = pa.table({"partner": pa.array([partner], pa.string()),
                          **{c: pa.array([v], pa.string()) for c, v in ids.items()}, "product_ids": pairs})
        return skus.get(line_number), units.resolve(table)[0]

    return of


def same_case_units(lines: Iterable[LineRecord], units: ShipmentUnits | None) -> dict[int, frozenset[str]]:
    """Per line ordered in a case unit (CA, CS: RuleSettings.case_units), the case units the item master counts
    alike for its item (CA and CS both the case pack, unless an item_units row says otherwise), when more than
    one: what engine.changes takes as the line's own unit in a POC05, as intake and the shipment checks
    (rules.shipments) read CS for CA. Empty without the item master."""
    if units is None:
        return {}
    cases = tuple(units.settings.case_units)
    out: dict[int, frozenset[str]] = {}
    for ln in lines:
        if ln.unit not in cases or not ln.sku:
            continue
        per = units.each(ln.sku, ln.unit)
        alike = frozenset(u for u in cases if per is not None and units.each(ln.sku, u) == per)
        if len(alike) > 1:
            out[ln.line_number] = alike
    return out


def reservation_eaches(key: Key, units: ShipmentUnits | None) -> Callable[[LineRecord], int]:
    """The eaches in one unit of a line of order ``key`` as its reservations count them (the allocation places
    eaches: a CA of 12 is 12; ShipmentUnits.line_each, the item master's units, the case pack, a PO4 intake learned),
    else the line's stored unit_eaches (a line priced per each in a pack), else 1."""
    partner, po = key

    def eaches(ln: LineRecord) -> int:
        found = units.line_each(partner, po, ln.line_number, ln.sku, ln.unit) if units is not None and ln.sku \
            and ln.unit else None
        return int(found) if found and found > 0 and found == int(found) else (ln.unit_eaches or 1)

    return eaches


def unit_eaches(lines: Iterable[LineRecord], units: ShipmentUnits | None) -> UnitEaches | None:
    """engine.changes' UnitEaches for an order's stored ``lines``: eaches in one unit of a line's item as intake
    converts an 850's units (ShipmentUnits.each: the each, the item master's units, the case pack for a case, a
    count unit), else what the row's PO4 says the unit holds when that is a pack of ours (po4_unit_eaches: the
    POC loop's PO4 for the POC's unit, the line's own for the line's). A ``row`` naming a ``sku`` is of that item:
    the one an RZ, RE or RM replaces the line's with (engine.changes._Editor._eaches). None without the item
    master."""
    if units is None:
        return None
    skus = {ln.line_number: ln.sku for ln in lines if ln.sku}

    def eaches(line_number: int, unit: str, row: Mapping) -> int | None:
        sku = row.get("sku") or skus.get(line_number)
        if not sku or not unit:
            return None
        found = units.each(sku, unit)
        if found is None and row.get("po4_pack") is not None:
            found = po4_unit_eaches({**row, "sku": sku, "unit": unit, "case_pack": units.case_pack.get(sku)},
                                    units.index, units.settings)
        return found

    return eaches


def on_880_check(lines: Iterable[LineRecord], units: ShipmentUnits | None, profile: PartnerProfile, *,
                 answered: bool) -> On880 | None:
    """engine.changes' On880 for an order's stored ``lines`` of a partner billed by the 880 (its profile receives
    "880"; None for any other, without the item master, or a partner whose [rules.outcomes] accepts
    PRICE_BASIS_NOT_ON_880): rules.business.money.not_on_880 of a line as a POC would leave it, its item's case
    pack and minimum read from the item master (the item ``row`` names, its ``sku``, when a POC replaces the line's
    item by another: the line is that item then; else the stored line's); ``answered``: of the quantity the 855
    answers (an order not shipped, decided again), else as the POC leaves it (an order that shipped: not decided
    again)."""
    if profile.invoice_set != "880" or units is None or \
            outcome_for("PRICE_BASIS_NOT_ON_880", profile.rules.outcomes).action == "accept":
        return None
    settings = units.settings.for_partner(profile.id)
    skus = {ln.line_number: ln.sku for ln in lines if ln.sku}

    def check(line_number: int, row: Mapping) -> str | None:
        sku = row.get("sku") or skus.get(line_number)  # the item a POC replaces the line's with (RZ ...), or its own
        if not sku:
            return None
        return not_on_880({**row, "sku": sku, "case_pack": units.case_pack.get(sku) or 1,
                           "min_order_qty": units.minimum(sku)}, settings, units.index, answered=answered)

    return check


def _progress_of(record: OrderRecord, lines: tuple[LineRecord, ...]) -> Progress | None:
    """What of an order's lines shipped and was invoiced, when some did (else None)."""
    if not any(ln.shipped > 0 for ln in lines):
        return None
    return Progress({ln.line_number: LineProgress(ln.shipped, ln.invoiced, Decimal(ln.promised)) for ln in lines
                     if ln.state not in ENDED_LINES}, complete=False, state=record.state.value,
                    rejected=frozenset(ln.line_number for ln in lines if ln.state == LineState.REJECTED))


def _first_line_rows(lines: pa.Table) -> pa.Table:
    """One row per line number (a repeated interchange in one file repeats every row)."""
    return first_rows(lines, ["line_number"])
