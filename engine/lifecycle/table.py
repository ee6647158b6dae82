"""The order lifecycle's transition table and the one way an order moves: ``move`` checks the table
and returns an OrderTransition (the new record + its history event), or raises TransitionRefused;
``moves`` does the same for several events in a row (one record, one history event each).

Pure. docs/lifecycle.md holds the same table; tests/test_lifecycle_table.py compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemas.lifecycle import AWAITING_PERSON as SCHEMA_AWAITING_PERSON
from schemas.lifecycle import ON_MEMO as SCHEMA_ON_MEMO
from schemas.lifecycle import PERSON_EVENTS as PERSON_EVENTS  # people's acts (defined beside EventKind)
from schemas.lifecycle import Clock, EventKind, HistoryEvent, OrderRecord, OrderState, OrderTransition

S, E = OrderState, EventKind

# Groups of states the planners and the read side name (flows use these, never a state's name).
SHIPPING_ORDER = (S.PARTIALLY_SHIPPED, S.SHIPPED, S.INVOICED, S.CLOSED, S.ON_MEMO)
SHIPPING = frozenset(SHIPPING_ORDER)  # units shipped: an 860 changes only what did not ship (nor bill)
TO_DECIDE = (S.RECEIVED, S.CHANGED, S.APPROVED, S.REJECTED_BY_PERSON)  # the next decide stage takes them
AWAITING_PERSON = SCHEMA_AWAITING_PERSON  # approve, reject or recheck (defined beside OrderState)
OPEN = (S.ACKNOWLEDGED, S.PARTIALLY_SHIPPED, S.SHIPPED)  # answered, not yet invoiced: credit exposure
SHIPPABLE = (S.ACKNOWLEDGED, S.PARTIALLY_SHIPPED)  # units still to ship: backorders allocated, shipments taken
BILLABLE = (S.PARTIALLY_SHIPPED, S.SHIPPED)  # shipped units that may still need an 810
TO_CLOSE = (S.INVOICED,)  # closed once every 810 of the order is delivered
# shipped, not closed: an 860 may still add or raise (a memo order too: what it adds ships on memo again)
REOPENABLE = (S.PARTIALLY_SHIPPED, S.SHIPPED, S.INVOICED, S.ON_MEMO)
ON_MEMO = SCHEMA_ON_MEMO  # shipped in full on memo: no 810 by agreement (nothing waits for an invoice)
TO_MEMO = (S.SHIPPED,)  # a memo order shipped in full moves on to shipped_on_memo (the invoice stage)
ENDED = frozenset({S.REJECTED, S.CANCELLED})  # an 860 for these is answered "unknown PO"
# not ended, not shipped in full: a backorder promised to such an order still holds its receipt's units
OWING = (*TO_DECIDE, *AWAITING_PERSON, *SHIPPABLE)
EVERY = tuple(S)
NOT_SHIPPED = tuple(s for s in S if s not in SHIPPING)


def _rows() -> dict[tuple[OrderState | None, EventKind], OrderState]:
    t: dict[tuple[OrderState | None, EventKind], OrderState] = {(None, E.PO_RECEIVED): S.RECEIVED}
    for s in EVERY:  # events that record something and leave the state alone
        for e in (E.PO_CONFIRMED, E.PO_DUPLICATE, E.CHANGE_RECEIVED, E.CHANGE_REFUSED):
            t[(s, e)] = s
    for s in NOT_SHIPPED:
        t[(s, E.PO_REPLACED)] = S.RECEIVED
        t[(s, E.PO_CANCELLED)] = S.CANCELLED
    for s in (S.RECEIVED, S.CHANGED, S.HELD, S.ACKNOWLEDGED):
        t[(s, E.CHANGE_APPLIED)] = S.CHANGED
    for s in (S.APPROVED, S.REJECTED_BY_PERSON):  # a person's decision stands for the new revision
        t[(s, E.CHANGE_APPLIED)] = s
    for s in (S.RECEIVED, S.CHANGED, S.HELD, S.APPROVED, S.REJECTED_BY_PERSON, S.ACKNOWLEDGED):
        t[(s, E.CHANGE_CANCELLED)] = S.CANCELLED
        t[(s, E.DECISION_FAILED)] = S.HELD
    for s in (S.RECEIVED, S.CHANGED, S.HELD, S.APPROVED, S.REJECTED_BY_PERSON, S.ACKNOWLEDGED, S.REJECTED,
              *SHIPPING_ORDER):
        t[(s, E.CHANGE_ANSWERED)] = s
    # an 860 applied after shipment (engine.lifecycle.changes): what is left decides; from changed, approved
    # or rejected_by_person, the decision of the lines it added to an order that shipped (lifecycle.decisions)
    for s in (*REOPENABLE, S.CHANGED, S.APPROVED, S.REJECTED_BY_PERSON):
        t[(s, E.CHANGE_REOPENED)] = S.PARTIALLY_SHIPPED
        t[(s, E.CHANGE_COMPLETED)] = S.SHIPPED
        t[(s, E.CHANGE_SETTLED)] = S.INVOICED
    for s in REOPENABLE:  # an 860 adding lines to an order that shipped: the rules decide them
        t[(s, E.CHANGE_APPLIED)] = S.CHANGED
    for s in (S.RECEIVED, S.CHANGED, S.APPROVED):
        t[(s, E.ALLOCATED)] = s
        t[(s, E.ACKNOWLEDGED)] = S.ACKNOWLEDGED
    for s in (S.RECEIVED, S.CHANGED):
        t[(s, E.HELD)] = S.HELD
    for s in (S.RECEIVED, S.CHANGED, S.APPROVED, S.REJECTED_BY_PERSON):
        t[(s, E.REJECTED)] = S.REJECTED
    t[(S.HELD, E.APPROVED_BY_PERSON)] = S.APPROVED
    t[(S.HELD, E.REJECTED_BY_PERSON)] = S.REJECTED_BY_PERSON
    t[(S.HELD, E.RECHECK_CLEARED)] = S.RECEIVED
    t[(S.HELD, E.RECHECK_HELD)] = S.HELD
    # a release answered, nothing shipped, whose blanket the buyer cancelled: held for a person; approved, it ships as
    # answered (no new 855); rejected, the next run answers 855 RD (engine.blankets.hold_released)
    t[(S.ACKNOWLEDGED, E.BLANKET_CANCELLED)] = S.HELD
    t[(S.HELD, E.RELEASE_RESUMED)] = S.ACKNOWLEDGED
    # an 860 after shipment adding an allowance that needs approval: held, its next 810 waits for a person, who takes
    # it back by what is left to ship (engine.lifecycle.allowance_hold)
    for s in BILLABLE:
        t[(s, E.ALLOWANCE_HELD)] = S.HELD
    t[(S.HELD, E.ALLOWANCE_DECIDED)] = S.PARTIALLY_SHIPPED
    t[(S.HELD, E.ALLOWANCE_DECIDED_SHIPPED)] = S.SHIPPED
    # an 860 moving a release part of which shipped to a blanket its balance overdraws: held the same way; a person
    # takes it back by what is left to ship (a rejection then cancels the balance: engine.lifecycle.moved_hold)
    t[(S.PARTIALLY_SHIPPED, E.RELEASE_MOVE_HELD)] = S.HELD
    t[(S.HELD, E.RELEASE_MOVE_DECIDED)] = S.PARTIALLY_SHIPPED
    t[(S.HELD, E.RELEASE_MOVE_DECIDED_SHIPPED)] = S.SHIPPED
    # a line raised after shipment by an 860 that also added lines: its new units are allocated before the
    # added lines are decided, in the same run (flows.decide)
    t[(S.CHANGED, E.BACKORDER_ALLOCATED)] = S.CHANGED
    for s in SHIPPABLE:  # fulfilment (issue 11): shipment confirmations with their 856s
        t[(s, E.BACKORDER_ALLOCATED)] = s
        t[(s, E.BACKORDER_EXPIRED)] = s  # a cancel date passed: backorders cancelled (engine.lifecycle.backorders)
        t[(s, E.BACKORDER_PAST_CANCEL)] = s
        t[(s, E.SHIPPED_IN_PART)] = S.PARTIALLY_SHIPPED
        t[(s, E.SHIPPED_IN_FULL)] = S.SHIPPED
    # an order that shipped, waiting for a person's decision on lines an 860 added (held, or decided by a
    # person and not answered yet): a shipment of its other lines is recorded (the goods left; the buyer
    # needs the 856) and the order stays where it waits; the decision then moves it by what is left
    for s in (S.HELD, S.APPROVED, S.REJECTED_BY_PERSON):
        t[(s, E.SHIPPED_IN_PART)] = s
        t[(s, E.SHIPPED_IN_FULL)] = s
    t[(S.ACKNOWLEDGED, E.BACKORDER_EXPIRED_CANCELLED)] = S.CANCELLED
    t[(S.PARTIALLY_SHIPPED, E.BACKORDER_EXPIRED_COMPLETED)] = S.SHIPPED
    t[(S.PARTIALLY_SHIPPED, E.BACKORDER_EXPIRED_SETTLED)] = S.INVOICED
    # a no-back-order PO (CSH01 N, SP) shipped short: its balance cancelled (engine.lifecycle.balance)
    t[(S.PARTIALLY_SHIPPED, E.BALANCE_CANCELLED)] = S.SHIPPED
    t[(S.PARTIALLY_SHIPPED, E.BALANCE_CANCELLED_SETTLED)] = S.INVOICED
    t[(S.PARTIALLY_SHIPPED, E.BALANCE_CANCELLED_OPEN)] = S.PARTIALLY_SHIPPED  # services left to deliver
    t[(S.ACKNOWLEDGED, E.BALANCE_CANCELLED_UNSHIPPED)] = S.CANCELLED  # nothing shipped by its last date
    for s in (S.SHIPPED, S.INVOICED, S.CLOSED, S.ON_MEMO):  # units an 860 cut after shipment that had left before it
        t[(s, E.SHIPPED_IN_FULL)] = S.SHIPPED  # (rules.shipments SHIPPED_AFTER_CHANGE): billed again
    for s in BILLABLE:  # billing: 810s
        t[(s, E.INVOICED_IN_PART)] = s
    t[(S.SHIPPED, E.INVOICED_IN_FULL)] = S.INVOICED
    t[(S.INVOICED, E.CLOSED)] = S.CLOSED
    # a memo order (the partner's [fulfilment.invoice] memo_order_types) shipped in full: no 810 goes; the
    # invoice stage moves it (engine.lifecycle.billing.plan_memo)
    t[(S.SHIPPED, E.ON_MEMO)] = S.ON_MEMO
    return t


TRANSITIONS: dict[tuple[OrderState | None, EventKind], OrderState] = _rows()


class TransitionRefused(Exception):
    """An event that the table does not allow for the order's state. Planners turn it into an
    ORDER_TRANSITION_REFUSED finding and leave the order untouched; it never leaves engine/."""

    def __init__(self, record: OrderRecord | None, event: EventKind) -> None:
        self.record, self.event = record, event
        state = record.state.value if record else "(no order)"
        super().__init__(f"{event.value} is not allowed for an order in state {state}")


def next_state(state: OrderState | None, event: EventKind) -> OrderState | None:
    """The state ``event`` leads to from ``state``; None when the table does not allow it."""
    return TRANSITIONS.get((state, event))


def move(record: OrderRecord, event: EventKind, *, at: str, run_id: str, clock: Clock = Clock.RUN,
         actor: str = "system", note: str = "", document_key: str = "", **changes) -> OrderTransition:
    """Move an existing order by ``event``: its new record (``changes`` applied) and one history event.
    The store applies it only while the order still has ``record``'s state and revision."""
    to = next_state(record.state, event)
    if to is None:
        raise TransitionRefused(record, event)
    new = record.evolve(state=to, updated_at=at, run_id=run_id, **changes)
    return OrderTransition(new, record.state, record.revision,
                           (HistoryEvent(new.partner, new.po_number, event, record.state, to, at, clock, actor,
                                         note[:1000], new.revision, run_id, document_key),))


Step = tuple[EventKind, str, str, str]  # event, actor, note, document key


def moves(record: OrderRecord, steps: Sequence[Step], *, at: str, run_id: str, clock: Clock = Clock.RUN,
          **changes) -> OrderTransition:
    """Move an existing order by several events in a row, each checked from the state the one before
    left: one transition, its new record (``changes`` applied with the last event) and a history event
    per step - what ``move`` after ``move`` stores, with one record built instead of one per event."""
    states = [record.state]  # before each step, then after the last
    for step in steps:
        to = TRANSITIONS.get((states[-1], step[0]))
        if to is None:
            raise TransitionRefused(record if len(states) == 1 else record.evolve(state=states[-1]), step[0])
        states.append(to)
    new = record.evolve(state=states[-1], updated_at=at, run_id=run_id, **changes)
    revisions = [record.revision] * (len(steps) - 1) + [new.revision]  # the changes come with the last event
    return OrderTransition(new, record.state, record.revision, tuple(
        HistoryEvent(new.partner, new.po_number, event, before, after, at, clock, actor, note[:1000], revision,
                     run_id, document_key)
        for (event, actor, note, document_key), before, after, revision in zip(steps, states, states[1:], revisions,
                                                                                 strict=False)))


def create(record: OrderRecord, *, at: str, run_id: str, note: str = "", actor: str = "system",
           new_arrival: bool = True) -> OrderTransition:
    """A PO we do not hold yet: ``record`` enters as received (the store numbers its arrival)."""
    to = next_state(None, E.PO_RECEIVED)
    new = record.evolve(state=to, received_at=record.received_at or at, updated_at=at, run_id=run_id)
    return OrderTransition(new, None, None,
                           (HistoryEvent(new.partner, new.po_number, E.PO_RECEIVED, None, to, at, Clock.RUN, actor,
                                         note[:1000], new.revision, run_id),), new_arrival=new_arrival)
