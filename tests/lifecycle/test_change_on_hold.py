"""An 860 refused (or touching no line) while its order waits for a person, for a partner answered by 855s, waits on
the hold (schemas.lifecycle.ON_HOLD): the run that decides the order after the person's verdict answers it with a
revised 855 of that decision under the change's own key, and the change takes its final status; while the order is
still held, nothing is answered and the change keeps waiting."""

from __future__ import annotations

from datetime import date

from engine.lifecycle.changes import answer_awaiting, apply_pending_changes
from schemas.lifecycle import ON_HOLD, OrderState, Plan, PlannedDocument, PlannedSet, StoredChange
from tests.lifecycle.helpers import AT, RUN, record

REFUSED = StoredChange(7, "acme", "PO-1", "000000002-2-0001", "sha-860", "change.x12", AT, ON_HOLD["refused"])
TOUCHED_NONE = StoredChange(8, "acme", "PO-1", "000000003-3-0001", "sha-860b", "change-b.x12", AT,
                            ON_HOLD["answered"])


def _waiting(state: OrderState):
    return apply_pending_changes([], records={("acme", "PO-1"): record(state)}, lines={}, reservations={}, tables={},
                                 change_tables={}, profiles={}, today=date(2026, 11, 29), at=AT, run_id=RUN,
                                 on_hold=[REFUSED, TOUCHED_NONE])


def _decision() -> Plan:
    bak = ("BAK", "00", "AD", "PO-1", "20261126")
    return Plan(documents=(PlannedDocument("acme", "855", "PR", (PlannedSet("855:sha-850:1", (bak,), "PO-1"),)),))


def test_a_change_waiting_on_the_hold_is_answered_with_the_person_s_decision():
    rv = _waiting(OrderState.APPROVED)
    assert rv.awaiting == {("acme", "PO-1"): [REFUSED, TOUCHED_NONE]}
    answered = answer_awaiting(_decision(), rv.awaiting, rv.change_ids)
    assert [(d.sets[0].doc_key, d.sets[0].body[0][:3]) for d in answered.documents] == [
        ("855:sha-860:000000002-2-0001", ("BAK", "05", "AD")), ("855:sha-860b:000000003-3-0001", ("BAK", "05", "AD"))]
    assert [(u.change_id, u.status) for u in answered.change_updates] == [(7, "refused"), (8, "answered")]


def test_a_change_waits_on_while_its_order_is_held():
    rv = _waiting(OrderState.HELD)
    assert rv.awaiting == {} and rv.on_hold == {("acme", "PO-1"): [REFUSED, TOUCHED_NONE]}
    assert answer_awaiting(_decision(), rv.awaiting, rv.change_ids) == Plan()
