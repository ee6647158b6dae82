"""What people do to held orders: approve or reject one, or several at once (each its own plan; the next
run answers them), or recheck held orders against today's reference data (an order the rules no longer
hold is answered by the next run). Times are the wall clock of the person's action, labelled as such in the history.

Pure: typed records (and, for a recheck, the rules' fresh decisions) in; a Plan out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from engine.decide import PENDING, OrderDecision
from engine.early_cancel import CODE as PO_CANCELLED_BEFORE_RECEIVED
from engine.lifecycle.allowance_hold import allowance_held, resumed_event
from engine.lifecycle.common import isolated
from engine.lifecycle.moved_hold import moved_held, plan_decision
from engine.lifecycle.table import AWAITING_PERSON, S, TransitionRefused, move
from schemas.lifecycle import Clock, EventKind, LineRecord, OrderRecord, PersonDecision, Plan, Reservation
from schemas.reasons_text import join_reasons

APPROVED, REJECTED = "approved", "rejected"  # PersonDecision.verdict
VERDICT_APPROVED, VERDICT_REJECTED = APPROVED, REJECTED


def plan_person_decision(record: OrderRecord, verdict: str, *, by: str, note: str, at: str,
                         run_id: str = "", lines: Sequence[LineRecord] | None = None,
                         reservations: Sequence[Reservation] | None = None) -> Plan:
    """A person approves or rejects a held order. Raises TransitionRefused when it is not held. An order held for an
    allowance an 860 added after shipment (allowance_hold.allowance_held) goes back by what is left to ship of its
    ``lines`` (its stored line records; None: units left), its decision kept on it: approved, its next 810 takes the
    allowance off; rejected, it does not (flows.reconcile.changed_sacs). A release held because an 860 moved it, part
    shipped, to a blanket its balance overdraws (moved_hold.moved_held) goes back by what is left to ship, approved;
    rejected, its balance is cancelled (its ``reservations`` released: moved_hold.plan_decision)."""
    if verdict not in (APPROVED, REJECTED):
        raise ValueError(f"verdict must be {APPROVED!r} or {REJECTED!r}, not {verdict!r}")
    event = EventKind.APPROVED_BY_PERSON if verdict == APPROVED else EventKind.REJECTED_BY_PERSON
    person = PersonDecision(verdict, by, note, at)
    if moved_held(record):
        return plan_decision(record, verdict, person, by=by, note=note, at=at, run_id=run_id, lines=lines,
                             reservations=reservations)
    if allowance_held(record):
        done = "allowance approved: the next 810 takes it off" if verdict == APPROVED else \
            "allowance rejected: the next 810 goes without it"
        back = resumed_event(lines) if lines is not None else EventKind.ALLOWANCE_DECIDED
        return Plan(transitions=(move(record, back, at=at, run_id=run_id, clock=Clock.WALL, actor=by,
                                      note=f"{done}{'; ' + note if note else ''}", person=person,
                                      hold_codes=(), hold_reasons=(), codes=(*record.hold_codes,)),))
    if event == EventKind.APPROVED_BY_PERSON and resumes(record):  # it stands: ships as answered, no new 855
        return Plan(transitions=(move(record, EventKind.RELEASE_RESUMED, at=at, run_id=run_id, clock=Clock.WALL,
                                      actor=by, note=note or "the release stands: it ships as answered", person=person,
                                      hold_codes=(), hold_reasons=()),))
    return Plan(transitions=(move(record, event, at=at, run_id=run_id, clock=Clock.WALL, actor=by, note=note,
                                  person=person),))


# held because the buyer cancelled the blanket of a release we answered (engine.blankets.hold_released)
RELEASE_HELD_BLANKET_CANCELLED = "RELEASE_HELD_BLANKET_CANCELLED"


def resumes(record: OrderRecord) -> bool:
    """True for a release held, answered and unchanged since, because the buyer cancelled its blanket: a person's
    approval lets it ship as answered (RELEASE_RESUMED) rather than deciding it again (which would answer it again
    and find its blanket cancelled)."""
    return (record.state == S.HELD and RELEASE_HELD_BLANKET_CANCELLED in record.hold_codes
            and record.answered_revision == record.revision and not record.changed_lines)


def after_decision(record: OrderRecord, verdict: str, receives: Iterable[str] | None = None) -> str:
    """What follows a person's ``verdict`` on the held order ``record``, in words: the next run sends the answer
    the partner's profile receives (``receives``: its PartnerProfile.receives; None: the 855), for a rejection
    the 855 that refuses the order (BAK02 RD, each line ACK IR: engine.po_ack.ack_type) as the decide stage writes
    it; but a release held since the buyer cancelled its blanket, approved, ships as answered (resumes: no new 855)."""
    if verdict == APPROVED and resumes(record):
        return "the release stands and ships as answered (no new 855: the buyer has one)"
    if moved_held(record):
        return ("it ships its balance against the blanket it moved to (no new 855 nor 865: the 860 was answered)"
                if verdict == APPROVED else "its balance is cancelled now, its stock released (what shipped stands; "
                "no document goes: tell the buyer)")
    if allowance_held(record):
        said = "its next 810 takes the allowance off" if verdict == APPROVED else \
            "its next 810 goes without the allowance"
        if receives is not None and "865" in receives:  # (allowance_hold.decided_answers)
            said += ("; the next run tells the buyer by an 865 stating it (BCA02 AD)" if verdict == APPROVED else
                     "; the next run tells the buyer by an 865 rejecting the change (BCA02 RJ)")
        return said
    return "the next run sends " + decision_answer(verdict, ("855",) if receives is None else receives)


def decision_answer(verdict: str, receives: Iterable[str]) -> str:
    """The documents answering a person's decision on a held order, in words, as engine.lifecycle.decisions sends
    them: the profile's order answer (an 870 when it receives one, else an 855 when it receives it) and its CSV
    acknowledgment when it receives one; "no answer" when it receives neither."""
    got = set(receives)
    rejected = verdict != APPROVED
    said = []
    if "870" in got:
        said.append("its 870 with each line canceled (ISR01 IC)" if rejected else "its 870")
    elif "855" in got:
        said.append("an 855 RD refusing the order (BAK02 RD, each line ACK IR)" if rejected else "the 855")
    if "csv_ack" in got:
        said.append("its CSV acknowledgment" + (" (each line rejected)" if rejected else ""))
    return " and ".join(said) or "no answer (the partner's profile receives none for orders)"


def batch_answer(verdict: str, receives: Iterable[str] | None) -> str:
    """The documents answering a person's decision on several held orders of one profile, in words (decision_answer
    said of many: "855s RD refusing the orders (BAK02 RD, each line ACK IR)", "CSV acknowledgments", "870s"); None
    ``receives`` (a profile that does not load): 855s."""
    got = set(("855",) if receives is None else receives)
    rejected = verdict != APPROVED
    said = []
    if "870" in got:
        said.append("870s with each line canceled (ISR01 IC)" if rejected else "870s")
    elif "855" in got:
        said.append("855s RD refusing the orders (BAK02 RD, each line ACK IR)" if rejected else "855s")
    if "csv_ack" in got:
        said.append("CSV acknowledgments" + (" (each line rejected)" if rejected else ""))
    return " and ".join(said) or "no answer (the partner's profile receives none for orders)"


def not_rechecked(record: OrderRecord) -> str:
    """Why a recheck leaves this held order to a person ("" when it rechecks it): a release held since the buyer
    cancelled its blanket (resumes) is no rule's to decide, nor an 850 the buyer cancelled before it came
    (engine.early_cancel: the rules would clear it, and the next night fill a PO the buyer cancelled)."""
    if resumes(record):
        return ("held because the buyer cancelled its blanket after we acknowledged it: no rule decides that; ask "
                "the buyer, then approve or reject it")
    if moved_held(record):
        return ("held because an 860 moved it, part shipped, to a blanket its balance overdraws: no rule decides a "
                "shipped order again; approve or reject its balance")
    if allowance_held(record):
        return ("held for an allowance an 860 added after shipment: no rule decides a shipped order again; approve "
                "or reject the allowance")
    if record.state == S.HELD and PO_CANCELLED_BEFORE_RECEIVED in record.hold_codes:
        return ("held because the buyer cancelled the PO by an 860 before its 850 came (PO_CANCELLED_BEFORE_RECEIVED): "
                "no rule decides whether the buyer still wants it; ask the buyer, then approve or reject it")
    return ""


def to_recheck(records: Sequence[OrderRecord]) -> list[OrderRecord]:
    """The held orders among ``records`` a recheck runs the rules for: not those no rule decides (not_rechecked)."""
    return [r for r in records if not not_rechecked(r)]


@dataclass(frozen=True, slots=True)
class PersonPick:
    """An order a person chose from a list: its key, and the revision the list showed (None: the order as it is)."""

    partner: str
    po_number: str
    revision: int | None = None


@dataclass(frozen=True, slots=True)
class PersonOutcome:
    """What a person's decision on one picked order comes to: its plan, or why it is refused (``refused``)."""

    partner: str
    po_number: str
    plan: Plan | None
    refused: str = ""
    state: str = ""  # the order's state when it was refused ("" when there is no such order)
    # an approved release held since the buyer cancelled its blanket: it resumes as answered, no new 855 (resumes)
    resumed: bool = False
    # held for an allowance an 860 added after shipment (allowance_hold): no 855 follows, the next 810 decides it
    allowance: bool = False
    # a release an 860 moved, part shipped, to a blanket its balance overdraws (moved_hold): no 855 follows either
    moved: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.partner, self.po_number)


def plan_person_decisions(picks: Sequence[PersonPick], records: Mapping[tuple[str, str], OrderRecord], verdict: str,
                          *, by: str, note: str, at: str, run_id: str = "",
                          lines: Mapping[tuple[str, str], Sequence[LineRecord]] | None = None,
                          reservations: Mapping[tuple[str, str], Sequence[Reservation]] | None = None
                          ) -> list[PersonOutcome]:
    """A person approves or rejects several held orders at once, each checked as plan_person_decision checks one: an
    order no longer waiting for a person, or one changed since the list the person picked from (another revision:
    an 860 applied, a replacement 850), is refused with why, the others each get a plan of their own (the caller
    applies each alone, so one refused by the store leaves the others). An order picked twice is decided once. A
    rejection needs a note: ValueError, nothing planned."""
    if verdict == REJECTED and not note.strip():
        raise ValueError("a rejection needs a note saying why")
    out: list[PersonOutcome] = []
    seen: set[tuple[str, str]] = set()
    for pick in picks:
        key = (pick.partner, pick.po_number)
        if key in seen:
            continue
        seen.add(key)
        record = records.get(key)
        if record is None:
            out.append(PersonOutcome(*key, None, "no such order"))
            continue
        try:
            plan = plan_person_decision(record, verdict, by=by, note=note, at=at, run_id=run_id,
                                        lines=(lines or {}).get(key), reservations=(reservations or {}).get(key))
        except TransitionRefused:
            out.append(PersonOutcome(*key, None, f"is {record.state.value} now (revision {record.revision}): only an "
                                     "order waiting for a person can be approved or rejected", record.state.value))
            continue
        if pick.revision is not None and pick.revision != record.revision:
            out.append(PersonOutcome(*key, None, f"changed since it was listed (revision {pick.revision}, now "
                                     f"{record.revision}): look at it again", record.state.value))
            continue
        out.append(PersonOutcome(*key, plan, resumed=verdict == APPROVED and resumes(record),
                                 allowance=allowance_held(record), moved=moved_held(record)))
    return out


def person_decisions(records: Sequence[OrderRecord]) -> dict[tuple[str, str], PersonDecision]:
    """The person decisions the rules must respect, for the orders about to be decided."""
    return {r.key: r.person for r in records
            if r.person is not None and r.state in (S.APPROVED, S.REJECTED_BY_PERSON)}


RECHECK_HELD, RECHECK_CLEARED, RECHECK_SKIPPED = "still held", "cleared", "skipped"


def recheck_outcome(before: OrderRecord | None, after: OrderRecord | None) -> tuple[str, str]:
    """What a recheck came to for an order a person picked (``before``: as it was when picked, None: gone;
    ``after``: as the recheck left it, None: not rechecked): (RECHECK_HELD, "") still waiting for a person,
    (RECHECK_CLEARED, "") the next run answers it, or (RECHECK_SKIPPED, why it was not rechecked)."""
    if after is not None:
        return (RECHECK_HELD if after.state in AWAITING_PERSON else RECHECK_CLEARED), ""
    if before is None:
        return RECHECK_SKIPPED, "no such order"
    if before.state not in AWAITING_PERSON:
        return RECHECK_SKIPPED, f"is {before.state.value}: only an order waiting for a person is rechecked"
    if not_rechecked(before):
        return RECHECK_SKIPPED, not_rechecked(before)
    return RECHECK_SKIPPED, "its partner's profile does not load (orderbridge partner check): it waits"


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
                         note="still held: " + join_reasons(d.reasons)[:500], hold_codes=d.held_for or tuple(d.codes),
                         hold_reasons=tuple(d.reasons))
            else:
                was = join_reasons(record.hold_reasons)[:300] or "no reason recorded"
                t = move(record, EventKind.RECHECK_CLEARED, at=at, run_id=run_id, clock=Clock.WALL, actor=by,
                         note=f"no longer held (was: {was}); the next run answers it", hold_codes=(),
                         hold_reasons=())
            return Plan(transitions=(t,))

        parts.append(isolated(record, one, at=at, run_id=run_id, stage="recheck"))
    return Plan.combine(parts)
