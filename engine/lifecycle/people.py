"""What people do to held orders: approve or reject one (the next run answers it), or recheck held
orders against today's reference data (an order the rules no longer hold is answered by the next
run). Times are the wall clock of the person's action, labelled as such in the history.

Pure: typed records (and, for a recheck, the rules' fresh decisions) in; a Plan out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.decide import PENDING, OrderDecision
from engine.lifecycle.common import isolated
from engine.lifecycle.table import S, move
from schemas.lifecycle import Clock, EventKind, OrderRecord, PersonDecision, Plan

APPROVED, REJECTED = "approved", "rejected"  # PersonDecision.verdict
VERDICT_APPROVED, VERDICT_REJECTED = APPROVED, REJECTED


def plan_person_decision(record: OrderRecord, verdict: str, *, by: str, note: str, at: str,
                         run_id: str = "") -> Plan:
    """A person approves or rejects a held order. Raises TransitionRefused when it is not held."""
    if verdict not in (APPROVED, REJECTED):
        raise ValueError(f"verdict must be {APPROVED!r} or {REJECTED!r}, not {verdict!r}")
    event = EventKind.APPROVED_BY_PERSON if verdict == APPROVED else EventKind.REJECTED_BY_PERSON
    person = PersonDecision(verdict, by, note, at)
    return Plan(transitions=(move(record, event, at=at, run_id=run_id, clock=Clock.WALL, actor=by, note=note,
                                  person=person),))


def person_decisions(records: Sequence[OrderRecord]) -> dict[tuple[str, str], PersonDecision]:
    """The person decisions the rules must respect, for the orders about to be decided."""
    return {r.key: r.person for r in records
            if r.person is not None and r.state in (S.APPROVED, S.REJECTED_BY_PERSON)}


def plan_recheck(records: Mapping[tuple[str, str], OrderRecord], decisions: Sequence[OrderDecision], *, at: str,
                 by: str, run_id: str = "") -> Plan:
    """Held orders after their rules ran again: still held (reasons refreshed) or cleared (the next
    run decides and answers them)."""
    parts = []
    for d in decisions:
        record = records[(d.partner, d.po_number)]

        def one(d: OrderDecision = d, record: OrderRecord = record) -> Plan:
            if d.status == PENDING:
                t = move(record, EventKind.RECHECK_HELD, at=at, run_id=run_id, clock=Clock.WALL, actor=by,
                         note="still held: " + "; ".join(d.reasons)[:500], hold_codes=tuple(d.codes),
                         hold_reasons=tuple(d.reasons))
            else:
                was = "; ".join(record.hold_reasons)[:300] or "no reason recorded"
                t = move(record, EventKind.RECHECK_CLEARED, at=at, run_id=run_id, clock=Clock.WALL, actor=by,
                         note=f"no longer held (was: {was}); the next run answers it", hold_codes=(),
                         hold_reasons=())
            return Plan(transitions=(t,))

        parts.append(isolated(record, one, at=at, run_id=run_id, stage="recheck"))
    return Plan.combine(parts)
