"""The order lifecycle's typed records: order and line states, events and clocks, the order and line
records the state store keeps, and the Plan that a lifecycle planner (engine.lifecycle) returns and
the state store (connectors.state) applies in one transaction.

Definitions only. Which transitions are allowed, and every decision, live in engine.lifecycle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import chain, repeat
from operator import attrgetter
from typing import TYPE_CHECKING

from schemas.findings import Finding
from schemas.shipment_records import InvoiceRecord, ShipmentRecord

if TYPE_CHECKING:
    import pyarrow as pa

    from schemas.x12 import Address, Delimiters


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
    # fulfilment and billing (issue 11): shipment confirmations and 810s move orders through these
    PARTIALLY_SHIPPED = "partially_shipped"  # some units shipped; others still reserved or backordered
    SHIPPED = "shipped"  # every unit we owe shipped; not everything invoiced yet
    INVOICED = "invoiced"  # every unit shipped and invoiced; closes once its 810s are delivered
    CLOSED = "closed"  # done: shipped, invoiced and the invoices delivered; nothing more happens to it
    # every unit shipped on memo (a consignment order, BEG02 in the partner's [fulfilment.invoice]
    # memo_order_types): no 810 by agreement, the retailer pays for what it sells (its sales report or its
    # replenishment order bills it); not waiting for an invoice
    ON_MEMO = "shipped_on_memo"


class LineState(StrEnum):
    """Where one line of the order's current revision is (deleted and cancelled lines are kept)."""

    RECEIVED = "received"  # not decided yet (or changed by an 860 and waiting for the rules)
    ACCEPTED = "accepted"  # accepted, nothing to place (no stock movement)
    ALLOCATED = "allocated"  # every unit reserved
    BACKORDERED = "backordered"  # some or all units wait for a receipt (IB), the rest reserved
    REJECTED = "rejected"  # IR: nothing placed
    DELETED = "deleted"  # removed by an 860 (ID) or a replacement
    CANCELLED = "cancelled"  # the whole order was cancelled
    # fulfilment and billing (issue 11)
    PARTIALLY_SHIPPED = "partially_shipped"  # some units shipped, the rest reserved or backordered
    SHIPPED = "shipped"  # every promised unit shipped (allocated + backordered, nothing left)
    INVOICED = "invoiced"  # shipped in full and every shipped unit invoiced
    CLOSED = "closed"  # its order closed


GONE_LINES = (LineState.DELETED, LineState.CANCELLED)  # no longer on the order (kept for its story)
ENDED_LINES = (LineState.REJECTED, *GONE_LINES)  # nothing of them will ship or be billed


def line_ended(state: str) -> bool:
    """A line in ``state`` (a LineState or its value, as stored) is rejected, deleted or cancelled: nothing of
    it will ship or be billed (ENDED_LINES)."""
    return state in ENDED_LINES


HELD_NOT_ON_880 = "INVOICE_HELD_NOT_ON_880"  # schemas.codes_fulfilment: an 880 held for a partial dozen


def invoices_held(doc: dict) -> list[dict]:
    """What an order's status shows of its held invoices, derived for the read-only views (billing holds them:
    engine.lifecycle.billing). ``doc``: the order's story (its findings, documents, shipments and lines). Each 880
    held for units its G17 cannot state (INVOICE_HELD_NOT_ON_880, said once, the night it was first held), while it
    is: its doc key not invoiced, its shipment not billed and its line not invoiced in full. Its doc key, warehouse
    and shipment, line, since which run and why."""
    sent = {d["doc_key"] for d in doc["documents"] if d["doc_key"]}
    billed = {(s["warehouse"], s["shipment_id"]) for s in doc["shipments"] if s["billing"] == "invoiced"}
    owed = {ln["line_number"] for ln in doc["lines"] if Decimal(ln["invoiced"] or 0) < Decimal(ln["shipped"] or 0)}
    out = []
    for f in doc["findings"]:
        if f["code"] != HELD_NOT_ON_880 or not f["value"]:
            continue
        parts = f["value"].split(":")  # 810:warehouse:shipment:PO (per shipment), 810:order:PO:... (several)
        warehouse, shipment = (parts[1], parts[2]) if len(parts) >= 4 and parts[1] != "order" else ("", "")
        if f["value"] in sent or (warehouse, shipment) in billed or f["line_number"] not in owed:
            continue
        out.append({"doc_key": f["value"], "warehouse": warehouse, "shipment_id": shipment,
                    "line_number": f["line_number"], "since_run": f["run_id"], "why": f["message"]})
    return out


def rebuilt_undecided(state: str, run_kind: str | None) -> bool:
    """An order in ``state`` (an OrderState or its value), last moved by a run of ``run_kind``, is one a state
    rebuild took in again and neither an answer in the outbox nor a run report decided: still received, its rules not
    in the files, so the next run decides it again (docs/state-store.md, Recovery; one a report says was held is held
    again: engine.lifecycle.restore_holds)."""
    return state == OrderState.RECEIVED and run_kind == "rebuild"


def rebuilt_held(state: str, run_kind: str | None) -> bool:
    """An order in ``state``, last moved by a run of ``run_kind``, is one a state rebuild held again from the run
    report of the night that held it (engine.lifecycle.restore_holds): a person's decision not yet answered was lost
    with the store."""
    return state == OrderState.HELD and run_kind == "rebuild"
# in a line's codes: an 860 after shipment cut its unshipped promise (its reason names the 860); units a
# warehouse confirms beyond what is still reserved left before the change was known (SHIPPED_AFTER_CHANGE)
CUT_MARK = "CHANGE_BELOW_SHIPPED"
# beside it, the line's promise (allocated + backordered) before the cut is its cut_from (LineRecord, the largest of
# its cuts): units left before the change can be no more than that; a warehouse confirming more, the units beyond it
# are an over-shipment (SHIPMENT_OVER_RESERVED: held) like a line no 860 cut. Before store version 34 (LINE_MARKS)
# it was a mark among the codes, e.g. "CUT_FROM:48", which the migration moves to the column
CUT_FROM = "CUT_FROM:"
# the units of a line's backorder cancelled when its cancel-after / do-not-deliver-after passed (late_backorder
# "reject") are its expired (LineRecord): an 860 that then moves the date to the run's date or later restores them
# (backordered again, offered stock), as the buyer who extended the date expects them. Before store version 34 a
# mark among the codes, e.g. "EXPIRED:12" (the words a finding still names them by: ship_checks.cancelled_told)
EXPIRED = "EXPIRED:"
# the units of a line's balance cancelled after shipment are its balance_cancelled (LineRecord,
# engine.lifecycle.balance); before store version 34 a mark among the codes, e.g. "BALANCE_CANCELLED:3"
BALANCE_CANCELLED = "BALANCE_CANCELLED:"
# the consequence a decide or recheck finding of an order it left waiting for a person is recorded with
# (engine.lifecycle.decisions.decision_consequence): the findings an order held before its hold codes were what held
# it is held for are read by it (connectors.state_migrations, LINE_MARKS)
HELD_FOR_A_PERSON = "order held for a person"


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
    # an 860 applied to an order that shipped (in part or whole), answered at once: units left to ship ...
    CHANGE_REOPENED = "change_reopened"
    CHANGE_COMPLETED = "change_completed"  # ... nothing left to ship, shipped units still to invoice ...
    CHANGE_SETTLED = "change_settled"  # ... nothing left to ship and every shipped unit invoiced
    ALLOCATED = "allocated"  # stock reserved for the accepted lines (before they are answered)
    ACKNOWLEDGED = "acknowledged"  # the rules accepted the order (855 / 865 sent)
    HELD = "held"  # the rules hold the order for a person
    REJECTED = "rejected"  # the rules or a person's rejection reject the order (855 RD)
    APPROVED_BY_PERSON = "approved_by_person"
    REJECTED_BY_PERSON = "rejected_by_person"
    RECHECK_CLEARED = "recheck_cleared"  # a recheck found nothing to hold: the next run answers
    RECHECK_HELD = "recheck_held"  # a recheck still holds the order (reasons refreshed)
    # the buyer cancelled the blanket of a release we answered and nothing of which shipped: the release is held for a
    # person (engine.blankets.hold_released), never shipped against a cancelled agreement unasked; a person's
    # approval lets it ship as answered (RELEASE_RESUMED: no new 855), a rejection answers it 855 RD
    BLANKET_CANCELLED = "blanket_cancelled"
    RELEASE_RESUMED = "release_resumed"
    # an 860 after shipment added an allowance over the approval threshold matching no deal: the order is held, its
    # next 810 waits (engine.lifecycle.allowance_hold); a person's approval or rejection takes it back by what is
    # left to ship (units left: partially_shipped; none: shipped), the allowance taken off its next 810 or not
    ALLOWANCE_HELD = "allowance_held"
    ALLOWANCE_DECIDED = "allowance_decided"
    ALLOWANCE_DECIDED_SHIPPED = "allowance_decided_shipped"
    # an 860 moved a release part of which shipped to a blanket its balance overdraws: held, nothing more billed
    # (engine.lifecycle.moved_hold); a person's approval takes it back by what is left to ship, a rejection cancels
    # the balance (BALANCE_CANCELLED...)
    RELEASE_MOVE_HELD = "release_move_held"
    RELEASE_MOVE_DECIDED = "release_move_decided"
    RELEASE_MOVE_DECIDED_SHIPPED = "release_move_decided_shipped"
    DECISION_FAILED = "decision_failed"  # planning this order failed: held for ops
    BACKORDER_ALLOCATED = "backorder_allocated"  # stock reserved for backordered units in a later run
    # the order's cancel-after (DTM 001) / do-not-deliver-after (063) passed with units still backordered:
    # late_backorder = "reject" cancels them (engine.lifecycle.backorders.plan_expired); what is left decides:
    BACKORDER_EXPIRED = "backorder_expired"  # ... units still reserved to ship (the state stays)
    BACKORDER_EXPIRED_COMPLETED = "backorder_expired_completed"  # ... nothing left to ship, shipped units to invoice
    BACKORDER_EXPIRED_SETTLED = "backorder_expired_settled"  # ... nothing left to ship, every shipped unit invoiced
    BACKORDER_EXPIRED_CANCELLED = "backorder_expired_cancelled"  # ... nothing placed nor shipped: the order ends
    BACKORDER_PAST_CANCEL = "backorder_past_cancel"  # ... late_backorder = "promise": kept, warned once
    # a PO that takes no back order (CSH01 N, SP) shipped short: its balance cancelled, the reservations left
    # released (engine.lifecycle.balance); nothing is left to ship:
    BALANCE_CANCELLED = "balance_cancelled"  # ... shipped units to invoice
    BALANCE_CANCELLED_SETTLED = "balance_cancelled_settled"  # ... every shipped unit invoiced already
    BALANCE_CANCELLED_OPEN = "balance_cancelled_open"  # ... service lines left (the invoice stage delivers them)
    # an order nothing of which shipped, past its last date (late_backorder "reject"): every line cancelled, its
    # reservations released, the order ends (engine.lifecycle.balance, as one shipped short past it)
    BALANCE_CANCELLED_UNSHIPPED = "balance_cancelled_unshipped"
    SHIPPED_IN_PART = "shipped_in_part"  # a shipment confirmation (856 sent); units still owed
    SHIPPED_IN_FULL = "shipped_in_full"  # a shipment confirmation (856 sent); nothing left to ship
    INVOICED_IN_PART = "invoiced_in_part"  # an 810 sent; shipped units (or units to ship) not invoiced yet
    INVOICED_IN_FULL = "invoiced_in_full"  # an 810 sent; every unit shipped and invoiced
    CLOSED = "closed"  # every 810 of the order delivered: the order is done
    ON_MEMO = "on_memo"  # a memo order shipped in full: no 810 by agreement (its sales bill it)


STATE_NAMES = tuple(s.value for s in OrderState)  # its states by name: what a person filters by (CLI, console)
ON_MEMO = (OrderState.ON_MEMO,)  # shipped in full on memo: no 810 by agreement (engine.lifecycle's group; here
# for `orderbridge status` and the console, which load no engine)


def memo_words(order_type: str) -> str:
    """Why no 810 went for an order shipped on memo, in the words status, the console and the reports use."""
    kind = f"BEG02 {order_type}" if order_type else "a memo order type"
    return (f"shipped on memo ({kind}, the partner's [fulfilment.invoice] memo_order_types): no 810 by agreement; "
            "the retailer pays for what it sells (its sales report or replenishment order bills it)")


# the allocation reason of a bill-only order's lines ([fulfilment.invoice] bill_only; engine.bill_only): placed whole
# with no warehouse (nothing reserved); the invoice stage knows the order by it (StateStore.orders_with_line_reason).
# Here so that `orderbridge status` and the console, which load no engine, can say what the order is
BILL_ONLY = "bill_only"
BILL_ONLY_WORDS = ("bill only (the partner's [fulfilment.invoice] bill_only): goods the buyer already used from "
                   "stock it holds (consignment usage); acknowledged, nothing reserved nor shipped (no 856), billed "
                   "from the PO")


AWAITING_PERSON = (OrderState.HELD,)  # approve, reject or recheck (engine.lifecycle's group; here so that
# `orderbridge status` and the run's last line, which load no engine, can say whether an order waits)
PERSON_EVENTS = (EventKind.APPROVED_BY_PERSON, EventKind.REJECTED_BY_PERSON, EventKind.RECHECK_CLEARED,
                 EventKind.RECHECK_HELD, EventKind.RELEASE_RESUMED, EventKind.ALLOWANCE_DECIDED,
                 EventKind.ALLOWANCE_DECIDED_SHIPPED, EventKind.RELEASE_MOVE_DECIDED,
                 EventKind.RELEASE_MOVE_DECIDED_SHIPPED)  # people's acts (status lists them as decisions)
# an 860's status (pending_changes.status) while it waits on its order's hold: refused, or touching no line, while
# the order waited for a person (a partner answered by 855s): no answer until the person decides, then the 855 of
# that decision answers it (engine.lifecycle.changes.answer_awaiting) and it takes its final status (the key)
ON_HOLD = {"refused": "refused_on_hold", "answered": "answered_on_hold"}
WAITING_ON_HOLD = tuple(ON_HOLD.values())


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


# the OrderRecord fields (and orders columns) of the parties an order's 850 named: N1*BY and N1*ST, each its N102,
# N103 and N104 (store version ORDER_PARTIES)
ORDER_PARTY_FIELDS = ("buyer_name", "buyer_id_qualifier", "buyer_id", "ship_to_name", "ship_to_id_qualifier",
                      "ship_to_id")
# the OrderRecord fields (and orders columns, indexed by partner) of the contract and agreement an order's 850 named
# in its heading (REF*CT, REF*AH; the ORDERS columns of those names): a release naming its blanket so (its own BEG03
# another number: engine.blankets.called_off) is found by them, not by reading every release of the partner (store
# version BLANKET_REFS). None: not known (an order stored before, or made elsewhere than an 850's intake): read from
# its stored tables; "": none named
BLANKET_REF_FIELDS = ("contract_number", "agreement_number")
# what a release moved after part of it shipped keeps of the move (OrderRecord.moved_from, moved_shipped)
MOVED_FIELDS = ("moved_from", "moved_shipped")


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
    gs02: str = ""  # GS02 of the 850's group: its documents go to it (engine.envelope.reply_address); "" CSV
    gs03: str = ""  # GS03 of the 850's group: its documents are sent from it (our division's id); "" CSV
    # BEG02 of the 850 (code list 92: SA, CN, DS ...): a memo type of the partner's ([fulfilment.invoice]
    # memo_order_types) ships without an 810; "" for orders stored before ORDER_TYPES
    order_type: str = ""
    # ISA05/ISA06 of the 850's interchange (or of its latest 860's): the partner's id its documents go to while
    # [x12] their_ids lists it (engine.envelope.order_address); ISA07/ISA08: the id of ours it was sent to, from which
    # they are sent while our_ids lists it. "" for a CSV order and orders stored before ISA_IDS (the profile's)
    isa05: str = ""
    isa06: str = ""
    isa07: str = ""
    isa08: str = ""
    # the buyer and the ship-to its 850 named (N1*BY, N1*ST: N102 name, N103 id qualifier, N104 id, as the ORDERS
    # columns of those names hold them): an 850 arriving again under its PO number, its lines the same, naming
    # another is another order (ORDER_DUPLICATE error: engine.lifecycle.intake.party_differences), not a resend.
    # "" for none named, a CSV order's, and orders stored before ORDER_PARTIES (never compared)
    buyer_name: str = ""
    buyer_id_qualifier: str = ""
    buyer_id: str = ""
    ship_to_name: str = ""
    ship_to_id_qualifier: str = ""
    ship_to_id: str = ""
    # the contract (REF*CT) and agreement (REF*AH) its 850 named (BLANKET_REF_FIELDS): None when not known
    contract_number: str | None = None
    agreement_number: str | None = None
    # a release (BEG02 RL) an 860 moved to another contract or agreement after part of it shipped (MOVED_FIELDS,
    # store version MOVED_SHIPPED): the number it named before (the blanket what shipped went out against; "" for
    # none) and what had shipped of each line then ((line number, units in the line's unit)): those units stay
    # counted on the blanket it left, the rest on the one it names now (engine.blankets). () for a release not moved
    # after shipment
    moved_from: str = ""
    moved_shipped: tuple[tuple[int, Decimal], ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.partner, self.po_number)

    def evolve(self, **changes) -> OrderRecord:
        """dataclasses.replace, without its per-call field introspection (planners make one or two of
        these per order per run)."""
        values = _ORDER_VALUES(self)  # every field at once, in C
        if changes:
            values = list(values)
            for name, value in changes.items():
                i = _ORDER_INDEX.get(name)
                if i is None:
                    raise TypeError(f"OrderRecord has no field(s) {sorted(set(changes) - set(_ORDER_INDEX))}")
                values[i] = value
        new = object.__new__(OrderRecord)
        deque(map(object.__setattr__, repeat(new), _ORDER_FIELDS, values), maxlen=0)  # set in C, no frame per field
        return new

    @property
    def is_revision(self) -> bool:
        """Answered before: the next answer revises it (only changed lines are re-decided)."""
        return self.answered_revision > 0


_ORDER_FIELDS = tuple(OrderRecord.__dataclass_fields__)
_ORDER_VALUES = attrgetter(*_ORDER_FIELDS)
_ORDER_INDEX = {name: i for i, name in enumerate(_ORDER_FIELDS)}


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
    allocated: int = 0  # units placed from stock (cumulative: shipped units stay counted; reserved = - shipped)
    backordered: int = 0  # units waiting for stock (a later run's allocation moves them to allocated)
    rejected: int = 0
    promised_date: date | None = None
    warehouses: str = ""
    reason: str = ""
    codes: tuple[str, ...] = ()
    revision: int = 1
    run_id: str = ""
    shipped: Decimal = Decimal(0)  # units shipped (shipment confirmations recorded; 856s sent)
    invoiced: Decimal = Decimal(0)  # units invoiced (810s sent)
    ordered_sku: str = ""  # the item the buyer ordered when ``sku`` is its substitute (rules.business.items.substitute)
    # the part of one unit we rejected beyond the whole ``rejected`` units, on a line ordered in a fraction of its
    # unit (1.344 TM, 0.344 rejected: rejected 0, this 0.344; schemas.units.rejected_exactly, rejected_stored)
    rejected_fraction: Decimal = Decimal(0)
    # how many of its units its price (unit_price, ack_price) is the price of: a price kept per many of them (287.45
    # per thousand feet, TF, on a line in FT: 1000; schemas.units.priced_per), else 1
    priced_per: Decimal = Decimal(1)
    # on a line priced per each (PO105 PE and kin) whose unit is a pack of eaches, how many its unit holds (a CA of
    # 12: 12), so our price per unit goes out without PE (schemas.units.stated_basis); 0 on any other line
    unit_eaches: int = 0
    # on a line in a measure whose backorder is no whole number of units (12.5 LB, 10 placed: 2.5 backordered, stored
    # as the 3 covering it), what of the last of them it does not want (0.5; schemas.units.backordered_exactly,
    # backordered_stored); 0 on any other line
    backordered_over: Decimal = Decimal(0)
    # the units of its balance cancelled after shipment, exactly (engine.lifecycle.balance: a no-back-order line
    # shipped short, a balance past the order's last date or within the partner's tolerance; 0: none); kept as a
    # "BALANCE_CANCELLED:n" mark among its codes before store version 34 (LINE_MARKS)
    balance_cancelled: Decimal = Decimal(0)
    # the units of its backorder cancelled when the order's last date passed (late_backorder "reject"), exactly
    # (engine.lifecycle.backorders; an 860 moving the date restores them: changes.restore_expired); 0: none; an
    # "EXPIRED:n" mark before
    expired: Decimal = Decimal(0)
    # after an 860 cut its unshipped promise below what shipped (CUT_MARK among its codes), the promise before the
    # cut (the largest of its cuts): units confirmed beyond it are an over-shipment; None: not cut, or not known
    # (cut before store version 34 kept it as a "CUT_FROM:n" mark)
    cut_from: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.partner, self.po_number)

    @property
    def promised(self) -> int:
        """Units we acknowledged and will ship: allocated (from stock, cumulative) + backordered."""
        return self.allocated + self.backordered

    @property
    def promised_exact(self) -> Decimal:
        """What we promised, exactly, in the line's unit (schemas.units.promised_exactly): ``promised`` for a line in
        whole units; 12.5 for 12.5 LB of a measure (stored 12 placed, or 10 placed and 3 backordered covering 2.5)."""
        from schemas.units import in_whole_units, promised_exactly

        if in_whole_units(self.ordered, self.rejected_fraction, self.backordered_over):
            return Decimal(self.allocated + self.backordered)  # a line in whole units (no fraction): its whole units
        return promised_exactly(self.ordered, self.allocated, self.backordered, self.rejected, self.rejected_fraction,
                                self.backordered_over)

    @property
    def unshipped(self) -> Decimal:
        """Units promised and not shipped yet (reserved ones and backordered ones), exactly (promised_exact)."""
        return self.promised_exact - self.shipped


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
        pa.field("run_id", pa.string()), pa.field("shipped", pa.string()), pa.field("invoiced", pa.string()),
        pa.field("ordered_sku", pa.string()), pa.field("rejected_fraction", pa.string()),
        pa.field("priced_per", pa.string()), pa.field("unit_eaches", pa.int64()),
        pa.field("backordered_over", pa.string()), pa.field("balance_cancelled", pa.string()),
        pa.field("expired", pa.string()), pa.field("cut_from", pa.int64()),
    ])


_LAZY_SCHEMAS = {"LINE_ROWS": _line_rows}


def __getattr__(name: str):
    if name in _LAZY_SCHEMAS:
        globals()[name] = schema = _LAZY_SCHEMAS[name]()
        return schema
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def line_row(ln: LineRecord) -> dict:
    """A LineRecord as a LINE_ROWS row (decimals and dates as the store keeps them)."""
    return {"partner": ln.partner, "po_number": ln.po_number, "line_number": ln.line_number, "line_id": ln.line_id,
            "sku": ln.sku, "state": ln.state.value, "ack": ln.ack, "ordered": decimal_text(ln.ordered),
            "unit": ln.unit, "unit_price": decimal_text(ln.unit_price), "ack_price": decimal_text(ln.ack_price),
            "allocated": ln.allocated, "backordered": ln.backordered, "rejected": ln.rejected,
            "promised_date": ln.promised_date.isoformat() if ln.promised_date else None,
            "warehouses": ln.warehouses, "reason": ln.reason, "codes": ",".join(str(c) for c in ln.codes),
            "revision": ln.revision, "run_id": ln.run_id, "shipped": decimal_text(ln.shipped),
            "invoiced": decimal_text(ln.invoiced), "ordered_sku": ln.ordered_sku,
            "rejected_fraction": decimal_text(ln.rejected_fraction) if ln.rejected_fraction else None,
            "priced_per": decimal_text(ln.priced_per) if ln.priced_per != 1 else None,
            "unit_eaches": ln.unit_eaches or None,
            "backordered_over": decimal_text(ln.backordered_over) if ln.backordered_over else None,
            "balance_cancelled": decimal_text(ln.balance_cancelled) if ln.balance_cancelled else None,
            "expired": decimal_text(ln.expired) if ln.expired else None, "cut_from": ln.cut_from}


def line_record(row: dict) -> LineRecord:
    """A LINE_ROWS row back as a LineRecord (line_row's inverse)."""
    def dec(text: str | None) -> Decimal | None:
        return Decimal(text) if text not in (None, "") else None

    return LineRecord(
        partner=row["partner"], po_number=row["po_number"], line_number=row["line_number"],
        state=LineState(row["state"]), line_id=row["line_id"] or "", sku=row["sku"] or "", ack=row["ack"] or "",
        ordered=dec(row["ordered"]), unit=row["unit"] or "", unit_price=dec(row["unit_price"]),
        ack_price=dec(row["ack_price"]), allocated=row["allocated"] or 0, backordered=row["backordered"] or 0,
        rejected=row["rejected"] or 0,
        promised_date=date.fromisoformat(row["promised_date"]) if row["promised_date"] else None,
        warehouses=row["warehouses"] or "", reason=row["reason"] or "",
        codes=tuple(c for c in (row["codes"] or "").split(",") if c), revision=row["revision"] or 1,
        run_id=row["run_id"] or "", shipped=dec(row.get("shipped")) or Decimal(0),
        invoiced=dec(row.get("invoiced")) or Decimal(0), ordered_sku=row.get("ordered_sku") or "",
        rejected_fraction=dec(row.get("rejected_fraction")) or Decimal(0),
        priced_per=dec(row.get("priced_per")) or Decimal(1), unit_eaches=row.get("unit_eaches") or 0,
        backordered_over=dec(row.get("backordered_over")) or Decimal(0),
        balance_cancelled=dec(row.get("balance_cancelled")) or Decimal(0),
        expired=dec(row.get("expired")) or Decimal(0), cut_from=row.get("cut_from"))


def decimal_text(value: Decimal | None) -> str | None:
    """A decimal as stored: exact, without trailing zeros (12.0000 -> "12", 4.5800 -> "4.58")."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


# Reservations of many orders at once, columnar (Plan.reservation_tables): RESERVATION_ROWS, and the
# orders they replace, ORDER_KEYS. Built on first use, as LINE_ROWS.
def _reservation_rows() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([
        pa.field("partner", pa.string(), nullable=False), pa.field("po_number", pa.string(), nullable=False),
        pa.field("line_number", pa.int32(), nullable=False), pa.field("warehouse", pa.string(), nullable=False),
        pa.field("sku", pa.string(), nullable=False), pa.field("quantity", pa.int64(), nullable=False),
    ])


def _order_keys() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field("partner", pa.string(), nullable=False),
                      pa.field("po_number", pa.string(), nullable=False)])


# POs received for the first time, many at once (Plan.received_orders): each row is what
# engine.lifecycle.table.create makes of an OrderRecord with these fields (state received, revision 1,
# every other field its default; arrival numbered by the store) and its one PO_RECEIVED event at
# ``updated_at`` (the run clock) with ``note``. Built on first use, as LINE_ROWS.
def _received_orders() -> pa.Schema:
    import pyarrow as pa

    text = [pa.field(name, pa.string(), nullable=False) for name in (
        "partner", "po_number", "order_ref", "lines_key", "source_file", "source_sha256", "isa13", "gs06", "st02",
        "purpose", "x12_version", "gs02", "gs03", "order_type", "isa05", "isa06", "isa07", "isa08",
        *ORDER_PARTY_FIELDS)]
    return pa.schema([*text, pa.field("po_date", pa.date32()), pa.field("currency", pa.string(), nullable=False),
                      pa.field("line_count", pa.int64(), nullable=False),
                      *(pa.field(name, pa.string(), nullable=False)
                        for name in ("received_at", "updated_at", "run_id", "note")),
                      *(pa.field(name, pa.string()) for name in BLANKET_REF_FIELDS)])


# Orders the decide stage (or the 810s of the invoice stage) moved, many at once (Plan.decided):
# DECIDED_ORDERS, one row per order, the order's new state and answer columns (a null column stays
# as stored: every other column of the order is what it was), applied only while the order still has
# ``expect_state`` and ``expect_revision``; DECIDED_EVENTS, their history events in order (the store numbers them after
# ``transitions``' events). Each row is what an OrderTransition of the order, written whole, stores.
# Built on first use, as LINE_ROWS.
def _decided_orders() -> pa.Schema:
    import pyarrow as pa

    def text(name: str, nullable: bool = False) -> pa.Field:
        return pa.field(name, pa.string(), nullable=nullable)

    return pa.schema([
        text("partner"), text("po_number"), text("expect_state"), pa.field("expect_revision", pa.int64(), False),
        text("state"), text("updated_at"), text("run_id"), text("ack_type", True), text("answered_with", True),
        pa.field("answered_revision", pa.int64()), text("value", True),  # decimal_text
        pa.field("codes", pa.list_(pa.string())), pa.field("changed_lines", pa.list_(pa.int64())),
        pa.field("hold_codes", pa.list_(pa.string())), pa.field("hold_reasons", pa.list_(pa.string())),
    ])


def _decided_events() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([
        *(pa.field(name, pa.string(), nullable=False) for name in ("partner", "po_number", "at", "clock", "event")),
        pa.field("from_state", pa.string()), pa.field("to_state", pa.string(), nullable=False),
        pa.field("revision", pa.int64(), nullable=False),
        *(pa.field(name, pa.string(), nullable=False) for name in ("actor", "note", "run_id", "document_key")),
    ])


# Plan.line_updates as columns (Plan.line_update_tables: the 810s' lines, each line once over them):
# LINE_UPDATES, a row per line, its billing columns set in place. Built on first use, as LINE_ROWS.
def _line_updates() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field("partner", pa.string(), nullable=False),
                      pa.field("po_number", pa.string(), nullable=False),
                      pa.field("line_number", pa.int64(), nullable=False),
                      pa.field("state", pa.string(), nullable=False), pa.field("invoiced", pa.string()),
                      pa.field("run_id", pa.string(), nullable=False)])


_LAZY_SCHEMAS.update(RESERVATION_ROWS=_reservation_rows, ORDER_KEYS=_order_keys, RECEIVED_ORDERS=_received_orders,
                     DECIDED_ORDERS=_decided_orders, DECIDED_EVENTS=_decided_events, LINE_UPDATES=_line_updates)


@dataclass(frozen=True, slots=True)
class DecidedOrders:
    """Orders moved by the decide stage or by 810s, columnar: ``orders`` (DECIDED_ORDERS) and ``events``
    (DECIDED_EVENTS)."""

    orders: pa.Table
    events: pa.Table


@dataclass(frozen=True, slots=True)
class ReservationTable:
    """Replace every reservation of the orders ``keys`` (ORDER_KEYS) with ``rows`` (RESERVATION_ROWS)."""

    keys: pa.Table
    rows: pa.Table


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
    body: Body = ()  # segments; or, already rendered with the partner's delimiters, ``text``
    po_number: str = ""
    source_sha256: str = ""  # the inbound file it answers
    answers_isa13: str = ""  # the inbound interchange / group it answers (997, TA1)
    answers_gs06: str = ""
    text: str = ""  # the body (BAK .. CTT) rendered, each segment with its terminator (columnar 855s)
    segments: int = 0  # segments in ``text``


@dataclass(frozen=True, slots=True)
class PlannedDocument:
    """An outbound interchange still without control numbers (table `documents` once numbered)."""

    partner: str
    doc_type: str  # "997", "TA1", "855", "865", "856", "810"; "CSV" (a CSV acknowledgment, not X12)
    functional_id: str  # GS01: FA, PR, CA, SH, IN; "" for a TA1 or a CSV file
    sets: tuple[PlannedSet, ...]
    ta1: tuple[str, ...] = ()  # the TA1 segment (TA1 only)
    content: bytes = b""  # a CSV document's bytes (no envelope, no control numbers)
    delimiters: Delimiters | None = None  # chosen by the planner when its sets come rendered (``text``)
    to: Address | None = None  # the buyer it goes to when not the profile's their_* (engine.envelope.reply_address)


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
    stage: str = ""  # intake | decide | recheck | shipments | invoicing

    @property
    def said(self) -> tuple:
        """What makes it the same finding as one recorded before (finding_said)."""
        loc = self.finding.location
        return finding_said(self.partner, self.po_number, self.finding.code, self.finding.severity,
                            self.finding.message, loc.file, loc.isa13, loc.gs06, loc.st02, loc.segment_id,
                            loc.segment_position, loc.file_segment, loc.element, loc.value, loc.line_number,
                            loc.loop_id, loc.row, loc.column or None, consequence=self.consequence)


# The stages whose findings are the rules' judgement of an order, made again each time it is decided (an 860 applied,
# a person's approval, a recheck): a finding about the same thing is recorded once (engine.lifecycle.said_once)
RULED_STAGES = ("decide", "recheck")
# the findings table's columns finding_said reads, in its order (then consequence)
SAID_COLUMNS = ("partner", "po_number", "code", "severity", "message", "file", "isa13", "gs06", "st02", "segment_id",
                "segment_position", "file_segment", "element", "value", "line_number", "loop_id", "row_number",
                "column_name")


def finding_said(*values: object, consequence: str | None) -> tuple:
    """A finding of an order as the same thing said again compares: its SAID_COLUMNS (the order, code, severity,
    message and place: file, envelope, segment, element, value, line, CSV row and column), each as text ("" and
    None alike: the store reads back what it was given as text), and for an error its consequence too (what the
    decision did with it: an approval's answer is news; a warning's "reported" or "approved by Kim; reported" is
    not)."""
    said = tuple(None if v is None or v == "" else str(v) for v in values)
    return (*said, (consequence or None) if said[3] == "error" else None)


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one planning step decided, applied by connectors.state.StateStore.apply in one
    transaction: documents are numbered and stored, then orders, lines and reservations (tables
    first, then per-order records, in plan order), changes, history and findings are written. Several
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
    shipments: tuple[ShipmentRecord, ...] = ()  # shipment confirmations recorded (their 856 in ``documents``)
    invoices: tuple[InvoiceRecord, ...] = ()  # invoices numbered (their 810 in ``documents``)
    billed: tuple[tuple[str, str], ...] = ()  # (warehouse, shipment id) whose units are now all invoiced
    reservation_tables: tuple[ReservationTable, ...] = ()  # columnar reservations (written before ``reservations``)
    # (partner, po_number, line_number, state, invoiced as decimal_text, run_id): an existing line's billing
    # columns set in place, nothing else of it (the 810s' lines; written after ``lines``)
    line_updates: tuple[tuple[str, str, int, str, str, str], ...] = ()
    # RECEIVED_ORDERS: new orders and their PO_RECEIVED events, columnar (the intake's; written before
    # ``transitions``' orders and before their events)
    received_orders: tuple[pa.Table, ...] = ()
    # DecidedOrders: orders moved and their events, columnar (the decide and invoice stages'; written after
    # ``transitions``' orders and their events after ``transitions``' events)
    decided: tuple[DecidedOrders, ...] = ()
    # LINE_UPDATES: line_updates as columns (the invoice stage's; each line once over these tables, none of
    # them in ``line_updates``; written with them)
    line_update_tables: tuple[pa.Table, ...] = ()

    def __add__(self, other: Plan) -> Plan:
        return Plan(*(getattr(self, f) + getattr(other, f) for f in PLAN_FIELDS))

    @staticmethod
    def combine(plans: Iterable[Plan]) -> Plan:
        """Many plans as one, in order (linear: use this, not ``+``, in a loop over orders)."""
        parts = list(plans)
        return Plan(*(tuple(chain.from_iterable(map(attrgetter(f), parts))) for f in PLAN_FIELDS))

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f) for f in PLAN_FIELDS)


# Plan's fields in declaration order (Plan(*...) builds by position; a test checks they agree)
PLAN_FIELDS = ("transitions", "lines", "line_tables", "reservations", "documents", "new_changes", "change_updates",
               "findings", "shipments", "invoices", "billed", "reservation_tables", "line_updates", "received_orders",
               "decided", "line_update_tables")
