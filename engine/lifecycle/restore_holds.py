"""`state rebuild`: the orders held for a person held again. A held order sent no answer, so the replayed archive
brings it back `received`, and the approvals queue would come back empty; the run report of the night that held it
says why (its failures rows: every finding of the order, each with the consequence "order held for a person",
recorded by the decide or recheck stage). Each order back `received` is held again as that night held it: its hold
codes what held it (schemas.outcomes.holding_codes, each code by the partner's policy, as engine.decide weighs
them; all its codes where none does, as decide keeps them), its reasons the findings' messages (once each), its
codes every finding's, dated at that run's clock. An order whose newest report row says something else (answered,
approved, rejected there: its answer is in no outbox read), or that no report names (reports/ cleaned up, or never
decided: a run stopped before its decision), stays `received` and is named (the next night decides it again).

Pure: the records back `received`, each one's report rows (plain values) and the partners' policies in; a Plan and
the orders named out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from engine.lifecycle.table import move
from schemas.lifecycle import HELD_FOR_A_PERSON, EventKind, OrderRecord, OrderState, Plan
from schemas.outcomes import Policy, holding_codes, outcome_for
from schemas.reasons_text import join_reasons

Key = tuple[str, str]


@dataclass(frozen=True)
class ReportRow:
    """One failures-report row of an order, as the rebuild reads it: the run's clock, the finding's code, the line
    it names (None: the order), its message and consequence."""

    at: str
    run_id: str
    code: str
    line_number: int | None
    message: str
    consequence: str


@dataclass
class Holds:
    plan: Plan
    held: list[Key] = field(default_factory=list)
    unknown: list[tuple[Key, str]] = field(default_factory=list)  # (order, why it stays received)


def undecided(records: Sequence[OrderRecord]) -> dict[Key, OrderRecord]:
    """The orders of ``records`` a rebuild left `received` (no answer of them found), by key."""
    return {r.key: r for r in records if r.state == OrderState.RECEIVED}


def plan_holds(records: Mapping[Key, OrderRecord], rows: Mapping[Key, Sequence[ReportRow]],
               policies: Mapping[str, Policy | None], *, run_id: str) -> Holds:
    """The orders of ``records`` (each back `received`) held again from their newest run's report ``rows`` (the
    rows of the newest report naming the order, in its order); ``policies``: each partner's outcomes."""
    out = Holds(Plan())
    moves = []
    for key, record in sorted(records.items()):
        mine = rows.get(key, ())
        if not mine:
            out.unknown.append((key, "no run report in reports/ names it"))
            continue
        if any(r.consequence != HELD_FOR_A_PERSON for r in mine):
            said = next(r.consequence for r in mine if r.consequence != HELD_FOR_A_PERSON)
            out.unknown.append((key, f"its last report ({mine[0].run_id}) says \"{said}\" and no answer of it is "
                                     "in the outbox"))
            continue
        policy = policies.get(key[0])
        weighed, own = [], set()
        for r in mine:
            try:
                weighed.append((outcome_for(r.code, policy), r.code, r.line_number))
            except (KeyError, ValueError):
                own.add(r.code)  # a code with no outcome known here: kept
        per_line: dict[int, list] = {}
        for o, c, n in weighed:
            if n is not None:
                per_line.setdefault(int(n), []).append((o, c))
        codes = tuple(sorted({r.code for r in mine}))
        held_for = holding_codes([(o, c) for o, c, n in weighed if n is None], per_line)
        hold_codes = tuple(sorted({*held_for, *own})) if held_for else codes
        reasons = tuple(dict.fromkeys(r.message for r in mine if r.message))
        moves.append(move(record, EventKind.HELD, at=mine[0].at, run_id=run_id,
                          note="held: " + join_reasons(reasons)[:500] + " (state rebuild: from the run report "
                          f"{mine[0].run_id})", hold_codes=hold_codes, hold_reasons=reasons, codes=codes))
        out.held.append(key)
    out.plan = Plan(transitions=tuple(moves))
    return out
