"""The order lifecycle's typed records: order and line states, events and clocks, the order and line
records the state store keeps, and the Plan that a lifecycle planner (engine.lifecycle) returns and
the state store (connectors.state) applies in one transaction.

Definitions only. Which transitions are allowed, and every decision, live in engine.lifecycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from schemas.findings import Finding

if TYPE_CHECKING:
    import pyarrow as pa


class OrderState(StrEnum):
    """Where an order is. The value is what the state store keeps and `status` shows."""

    RECEIVED = "received"  # waiting for the rules: a new 850, a replacement, or cleared by a recheck
    CHANGED = "changed"  # a new revision made by an 860, waiting for the rules
    HELD = "held"  # the rules want a person (before the lifecycle: "pending_approval")
    APPROVED = "approved"  # a person approved; the next run answers
    REJECTED_BY_PERSON = "rejected_by_person"  # a person rejected; the next run answers (855 RD)
    ACKNOWLEDGED = "acknowledged"  # answered: 855 (or 865 / revised 855 for a change)
    REJECTED = "rejected"  # answered: 855 RD
    CANCELLED = "cancelled"  # by the buyer (850 BEG01 01 or 860 BCH01 01); reservations released
    # room for fulfilment and billing (issue 11): no transition reaches these yet
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    CLOSED = "closed"


class LineState(StrEnum):
    """Where one line of the order's current revision is (deleted and cancelled lines are kept)."""

    RECEIVED = "received"  # not decided yet (or changed by an 860 and waiting for the rules)
    ACCEPTED = "accepted"  # accepted, nothing to place (no stock movement)
    ALLOCATED = "allocated"  # every unit reserved
    BACKORDERED = "backordered"  # some or all units wait for a receipt (IB), the rest reserved
    REJECTED = "rejected"  # IR: nothing placed
    DELETED = "deleted"  # removed by an 860 (ID) or a replacement
    CANCELLED = "cancelled"  # the whole order was cancelled
    # room for fulfilment and billing (issue 11)
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    CLOSED = "closed"


class EventKind(StrEnum):
    """What happened to an order; engine.lifecycle.TRANSITIONS says from which state to which."""

    PO_RECEIVED = "po_received"  # an 850 for a PO we do not hold
    PO_REPLACED = "po_replaced"  # 850 BEG01 05
    PO_CANCELLED = "po_cancelled"  # 850 BEG01 01
    PO_CONFIRMED = "po_confirmed"  # 850 BEG01 06: a confirmation copy, nothing to do
    PO_DUPLICATE = "po_duplicate"  # the same PO again (BEG01 00): not processed
    CHANGE_RECEIVED = "change_received"  # an 860 recorded, applied by the next decide stage
    CHANGE_APPLIED = "change_applied"  # an 860 applied: a new revision
    CHANGE_CANCELLED = "change_cancelled"  # 860 BCH01 01
    CHANGE_REFUSED = "change_refused"  # the 860 as a whole was refused (865 RD); order untouched
    CHANGE_ANSWERED = "change_answered"  # an 860 that touched no line: answered at once, nothing to decide
    ALLOCATED = "allocated"  # stock reserved for the accepted lines (before they are answered)
    ACKNOWLEDGED = "acknowledged"  # the rules accepted the order (855 / 865 sent)
    HELD = "held"  # the rules hold the order for a person
    REJECTED = "rejected"  # the rules or a person's rejection reject the order (855 RD)
    APPROVED_BY_PERSON = "approved_by_person"
    REJECTED_BY_PERSON = "rejected_by_person"
    RECHECK_CLEARED = "recheck_cleared"  # a recheck found nothing to hold: the next run answers
    RECHECK_HELD = "recheck_held"  # a recheck still holds the order (reasons refreshed)
    DECISION_FAILED = "decision_failed"  # planning this order failed: held for ops


PERSON_EVENTS = (EventKind.APPROVED_BY_PERSON, EventKind.REJECTED_BY_PERSON, EventKind.RECHECK_CLEARED,
                 EventKind.RECHECK_HELD)  # the events that are people's acts (status lists them as decisions)


class Clock(StrEnum):
    """Which clock an event's time comes from."""

    RUN = "run"  # the run's clock (fixed with --now): intake, decide, deliver
    WALL = "wall"  # the wall clock of a person's action (approve, reject, recheck)


@dataclass(frozen=True, slots=True)
class PersonDecision:
    """A person's approval or rejection of a held order."""

    verdict: str  # "approved" | "rejected"
    by: str
    reason: str = ""  # the note given with it
    at: str = ""  # ISO time (wall clock)


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """One order as the state store keeps it (table `orders`)."""

    partner: str
    po_number: str
    state: OrderState
    revision: int = 1  # 1 for the 850; +1 for each replacement or applied 860
    answered_revision: int = 0  # the revision the last 855 answered (0: never answered)
    order_ref: str = ""  # ISA13-GS06-ST02 of the 850 in its file (with lines_key: the stored tables)
    lines_key: str = ""  # key of the current revision's canonical tables (connectors.order_store)
    source_file: str = ""
    source_sha256: str = ""
    isa13: str = ""
    gs06: str = ""
    st02: str = ""
    arrival: int = 0  # order of arrival across partners (allocation's tie-break)
    purpose: str = "00"  # BEG01 as received
    x12_version: str = ""  # GS08 of the 850
    po_date: date | None = None
    currency: str = ""
    value: Decimal = Decimal(0)  # as acknowledged: (allocated + backordered) x price
    ack_type: str = ""  # BAK02 / BCA02 of the last answer
    answered_with: str = ""  # "855" | "865" | "855+865": the documents of the last answer
    hold_codes: tuple[str, ...] = ()
    hold_reasons: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # business finding codes of the last decision
    person: PersonDecision | None = None
    changed_lines: tuple[int, ...] = ()  # lines an 860 touched since the last answer
    change_file: str = ""  # the last 860 applied
    line_count: int = 0
    received_at: str = ""
    updated_at: str = ""
    run_id: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.partner, self.po_number)

    @property
    def is_revision(self) -> bool:
        """Answered before: the next answer revises it (only changed lines are re-decided)."""
        return self.answered_revision > 0


@dataclass(frozen=True, slots=True)
class LineRecord:
    """One line of an order's current revision (table `order_lines`), deleted and cancelled included."""

    partner: str
    po_number: str
    line_number: int
    state: LineState
    line_id: str = ""  # PO101
    sku: str = ""  # our item, once the rules resolved it
    ack: str = ""  # ACK01 codes, "+"-joined (BP+IB)
    ordered: Decimal | None = None  # what we acknowledge ordering (after rounding), else PO102
    unit: str = ""
    unit_price: Decimal | None = None  # PO104 as sent
    ack_price: Decimal | None = None  # our price when we changed it (IP)
    allocated: int = 0
    backordered: int = 0
    rejected: int = 0
    promised_date: date | None = None
    warehouses: str = ""
    reason: str = ""
    codes: tuple[str, ...] = ()
    revision: int = 1
    run_id: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.partner, self.po_number)


@dataclass(frozen=True, slots=True)
class Reservation:
    partner: str
    po_number: str
    line_number: int
    warehouse: str
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One row of an order's history (table `order_events`); the store gives it a global sequence."""

    partner: str
    po_number: str
    event: EventKind
    from_state: OrderState | None
    to_state: OrderState
    at: str  # ISO time
    clock: Clock
    actor: str = "system"
    note: str = ""
    revision: int = 1
    run_id: str = ""
    document_key: str = ""  # the document sent with this event (the store links its id)


@dataclass(frozen=True, slots=True)
class OrderTransition:
    """The order's new record and the events that led there. The store applies it only if the order
    still has ``expect_state`` and ``expect_revision`` (None: the order must not exist yet)."""

    record: OrderRecord
    expect_state: OrderState | None
    expect_revision: int | None
    events: tuple[HistoryEvent, ...] = ()
    new_arrival: bool = False  # the store numbers record.arrival from its arrival sequence


@dataclass(frozen=True, slots=True)
class OrderLines:
    """Replace every line row of one order with ``lines``."""

    partner: str
    po_number: str
    lines: tuple[LineRecord, ...]


# Line rows of many orders at once, columnar (Plan.line_tables): the intake's received lines. Column
# names are order_lines' columns; decimals and dates are text as the store keeps them. Built on first
# use (module __getattr__): reading the store (`orderbridge status`, the console) never loads pyarrow.
def _line_rows() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([
        pa.field("partner", pa.string(), nullable=False), pa.field("po_number", pa.string(), nullable=False),
        pa.field("line_number", pa.int32(), nullable=False), pa.field("line_id", pa.string()),
        pa.field("sku", pa.string()), pa.field("state", pa.string(), nullable=False), pa.field("ack", pa.string()),
        pa.field("ordered", pa.string()), pa.field("unit", pa.string()), pa.field("unit_price", pa.string()),
        pa.field("ack_price", pa.string()), pa.field("allocated", pa.int64()), pa.field("backordered", pa.int64()),
        pa.field("rejected", pa.int64()), pa.field("promised_date", pa.string()), pa.field("warehouses", pa.string()),
        pa.field("reason", pa.string()), pa.field("codes", pa.string()), pa.field("revision", pa.int32()),
        pa.field("run_id", pa.string()),
    ])


def __getattr__(name: str):
    if name == "LINE_ROWS":
        globals()["LINE_ROWS"] = schema = _line_rows()
        return schema
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class OrderReservations:
    """Replace every reservation of one order with ``rows``."""

    partner: str
    po_number: str
    rows: tuple[Reservation, ...]


Body = tuple[tuple[str, ...], ...]  # the segments of one transaction set, without ST/SE


@dataclass(frozen=True, slots=True)
class PlannedSet:
    """One transaction set of a planned document; ``doc_key`` is unique per partner forever."""

    doc_key: str
    body: Body = ()
    po_number: str = ""
    source_sha256: str = ""  # the inbound file it answers
    answers_isa13: str = ""  # the inbound interchange / group it answers (997, TA1)
    answers_gs06: str = ""


@dataclass(frozen=True, slots=True)
class PlannedDocument:
    """An outbound interchange still without control numbers (table `documents` once numbered)."""

    partner: str
    doc_type: str  # "997", "TA1", "855", "865" (later "856", "810")
    functional_id: str  # GS01: FA, PR, CA; "" for a TA1
    sets: tuple[PlannedSet, ...]
    ta1: tuple[str, ...] = ()  # the TA1 segment (TA1 only)


@dataclass(frozen=True, slots=True)
class NewChange:
    """An 860 recorded at intake, applied by the next decide stage (table `pending_changes`)."""

    partner: str
    po_number: str
    change_ref: str
    store_key: str
    source_file: str
    received_at: str


@dataclass(frozen=True, slots=True)
class ChangeUpdate:
    """A pending change moves on: applied (base_key: the lines it was applied to), answered,
    refused, or superseded (its order was cancelled or replaced before the answer)."""

    change_id: int
    status: str  # applied | answered | refused | superseded
    base_key: str = ""
    revision: int = 0


@dataclass(frozen=True, slots=True)
class StoredChange:
    id: int
    partner: str
    po_number: str
    change_ref: str
    store_key: str
    source_file: str
    received_at: str
    status: str
    base_key: str = ""
    revision: int = 0


@dataclass(frozen=True, slots=True)
class FindingRecord:
    """A finding with whom it concerns and what happened because of it (table `findings`)."""

    finding: Finding
    partner: str
    po_number: str = ""
    consequence: str = ""  # e.g. "line IR", "order held", "file quarantined", "none (warning)"
    stage: str = ""  # intake | decide | recheck


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one planning step decided, applied by connectors.state.StateStore.apply in one
    transaction: documents are numbered and stored, then orders, lines (line tables first, then
    per-order line records), reservations, changes, history and findings are written. Several
    transitions of one order chain (each expects what the previous one left); plans add up with
    ``+`` or ``Plan.combine``."""

    transitions: tuple[OrderTransition, ...] = ()
    lines: tuple[OrderLines, ...] = ()
    line_tables: tuple[pa.Table, ...] = ()  # LINE_ROWS: all lines of the orders named (written before ``lines``)
    reservations: tuple[OrderReservations, ...] = ()
    documents: tuple[PlannedDocument, ...] = ()
    new_changes: tuple[NewChange, ...] = ()
    change_updates: tuple[ChangeUpdate, ...] = ()
    findings: tuple[FindingRecord, ...] = ()

    def __add__(self, other: Plan) -> Plan:
        return Plan(*(getattr(self, f) + getattr(other, f) for f in PLAN_FIELDS))

    @staticmethod
    def combine(plans: Iterable[Plan]) -> Plan:
        """Many plans as one, in order (linear: use this, not ``+``, in a loop over orders)."""
        parts = list(plans)
        return Plan(*(tuple(x for p in parts for x in getattr(p, f)) for f in PLAN_FIELDS))

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f) for f in PLAN_FIELDS)


PLAN_FIELDS = ("transitions", "lines", "line_tables", "reservations", "documents", "new_changes", "change_updates",
               "findings")
