"""A release part of which shipped that an 860 moves to another blanket (its contract or agreement, REF*CT / REF*AH,
changed) whose remaining quantity its balance overdraws (engine.blankets.balance_findings,
RELEASE_BALANCE_PAST_BLANKET): held after shipment, as an order held for an allowance after shipment is
(engine.lifecycle.allowance_hold). The 860 itself is applied and answered at once as any change after shipment (its
865: the new reference is taken); the release waits, held: a warehouse's confirmation of more is still recorded (the
goods left), nothing more is billed (the invoice stage bills partially_shipped and shipped orders, not held ones).
What shipped before the move stays on the blanket it shipped against: the 856s and 810s sent named that contract,
and the release keeps what shipped at the move (keep_moves: OrderRecord.moved_from, moved_shipped), so each blanket
counts its part (engine.blankets.moves_of). Held the same way: a release moved so to a number we hold no blanket of
(RELEASE_MOVED_BLANKET_UNKNOWN, engine.blankets.moved_unknown_findings) and one moved to a blanket whose line of its
item is agreed by value (RELEASE_BLANKET_BY_VALUE: its balance checked by value by a person).

A person decides (plan_decision):
- approved, the release goes back by what is left to ship (partially_shipped; shipped when confirmations during the
  hold shipped it all) and ships its balance against the new blanket;
- rejected, its balance is cancelled as the buyer's cancellation of a blanket cancels a partly shipped release's
  (engine.lifecycle.balance.cancel_moved_balance): each open line ends at what shipped, its reservations are
  released, what shipped stands and its per-order 810 goes. No document is sent: the 860 was answered already,
  and the buyer is told by the person who decided (the finding says to ask the buyer first).

Pure: records, lines, reservations and the check's findings in; a Plan out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from engine.lifecycle.table import S, move, moves
from schemas.findings import Finding
from schemas.lifecycle import (
    ENDED_LINES,
    Clock,
    EventKind,
    FindingRecord,
    LineRecord,
    OrderRecord,
    PersonDecision,
    Plan,
    Reservation,
)

# the finding and hold code (engine.blankets.BALANCE_PAST_BLANKET, which reads this module's people through its own)
BALANCE_PAST_BLANKET = "RELEASE_BALANCE_PAST_BLANKET"
# ... and a release part of which shipped moved to a number we hold no blanket of (engine.blankets.
# moved_unknown_findings): the code a release moved before it shipped is held for too (decided again: not held here),
# told apart by what the release kept of the move (OrderRecord.moved_shipped)
MOVED_UNKNOWN = "RELEASE_MOVED_BLANKET_UNKNOWN"
# ... and one moved to a blanket whose line of its item is agreed by value (engine.blankets._balance_by_value): its
# balance checked by value by a person
BY_VALUE = "RELEASE_BLANKET_BY_VALUE"
CONSEQUENCE = "release held: its balance is not shipped nor billed until a person decides"


def moved_held(record: OrderRecord) -> bool:
    """True for a release held because an 860 moved it, part shipped, to a blanket its balance overdraws (or to a
    number we hold no blanket of: MOVED_UNKNOWN on a release that kept what shipped before the move)."""
    return record.state == S.HELD and (BALANCE_PAST_BLANKET in record.hold_codes or bool(record.moved_shipped) and (
        MOVED_UNKNOWN in record.hold_codes or BY_VALUE in record.hold_codes))


def hold_moved(plan: Plan, found: Mapping[tuple[str, str], Sequence[Finding]], *, at: str, run_id: str,
               before: Mapping[tuple[str, str], OrderRecord],
               lines: Mapping[tuple[str, str], Sequence[LineRecord]] | None = None) -> Plan:
    """``plan`` with each release of ``found`` ((partner, PO) -> its RELEASE_BALANCE_PAST_BLANKET,
    RELEASE_MOVED_BLANKET_UNKNOWN or RELEASE_BLANKET_BY_VALUE findings) that the plan (or, untouched by it,
    ``before``) leaves partially_shipped moved on to held (RELEASE_MOVE_HELD, hold codes the findings' codes, its
    reasons the findings' words), and the findings recorded. One held so already
    (moved_held) that a further 860 moved again is held again for its new findings (stepped out by what is left to
    ship, ``lines``, and in again), or, with none (its balance fits the blanket it moves to now), let go: back by
    what is left to ship, nothing for a person to decide. One the plan leaves otherwise (shipped in full) is left as
    it is, its findings still said."""
    last: dict[tuple[str, str], OrderRecord] = {}
    for t in plan.transitions:
        last[t.record.key] = t.record
    added, said = [], []
    for key, findings in sorted(found.items()):
        record = last.get(key, before.get(key))
        if record is None:
            continue
        reasons = tuple(f.message for f in findings)
        codes = tuple(dict.fromkeys(f.code for f in findings))
        back = EventKind.RELEASE_MOVE_DECIDED if units_left((lines or {}).get(key, ())) or lines is None \
            else EventKind.RELEASE_MOVE_DECIDED_SHIPPED
        held = record.state == S.PARTIALLY_SHIPPED and bool(findings)
        if held:
            added.append(move(record, EventKind.RELEASE_MOVE_HELD, at=at, run_id=run_id, note=" ".join(reasons),
                              hold_codes=codes, hold_reasons=reasons))
        elif moved_held(record) and findings:
            held = True
            added.append(moves(record, [(back, "system", "judged again: a further 860 moved it to another blanket",
                                         ""), (EventKind.RELEASE_MOVE_HELD, "system", " ".join(reasons), "")],
                               at=at, run_id=run_id, hold_codes=codes, hold_reasons=reasons))
        elif moved_held(record):
            added.append(move(record, back, at=at, run_id=run_id, hold_codes=(), hold_reasons=(),
                              note="a further 860 moved it to a blanket that holds what is left to ship: nothing to "
                                   "decide, it ships on"))
        said += [FindingRecord(f, key[0], key[1], CONSEQUENCE if held else "none: nothing is left to ship", "decide")
                 for f in findings]
    if not added and not said:
        return plan
    return plan + Plan(transitions=tuple(added), findings=tuple(said))


def moved_after_shipment(plan: Plan, records: Mapping[tuple[str, str], OrderRecord], changed: Collection,
                         blankets: Collection[tuple[str, str]]) -> list[tuple[OrderRecord, set[str], bool]]:
    """The releases (BEG02 RL) ``plan`` moved to another contract or agreement (REF*CT / REF*AH: their records' numbers
    not the ones ``records``, before the plan, held) that an 860 of the run named (``changed``: their keys), each with
    the new numbers and whether it was held so already: those partially_shipped before and after (part shipped: not
    decided again, their balance is held against the new blanket), and those held so already (moved_held: judged
    again). Not one whose BEG03 is a blanket's we hold (``blankets``: (partner, PO number); it still calls that
    one off)."""
    from schemas.lifecycle import BLANKET_REF_FIELDS
    from schemas.order_keys import x12_po

    last = {t.record.key: t.record for t in plan.transitions}
    out = []
    for key, now in sorted(last.items()):
        was = records.get(key)
        if was is None or key not in changed or (was.order_type or "") != "RL" \
                or not (was.state == now.state == S.PARTIALLY_SHIPPED or moved_held(was) and moved_held(now)) \
                or (key[0], x12_po(key[1])) in blankets:
            continue
        to = {(getattr(now, f) or "").strip() for f in BLANKET_REF_FIELDS
              if (getattr(now, f) or "").strip() and (getattr(now, f) or "").strip() != (getattr(was, f) or "").strip()}
        if to:
            out.append((now, to, moved_held(was)))
    return out


def keep_moves(plan: Plan, moved: Sequence[tuple[OrderRecord, set[str], bool]],
               records: Mapping[tuple[str, str], OrderRecord],
               lines: Mapping[tuple[str, str], Sequence[LineRecord]]) -> Plan:
    """``plan`` with each release of ``moved`` (moved_after_shipment's) keeping what it called off before the move
    (OrderRecord.moved_from: the contract or agreement it named before, ``records``; moved_shipped: what had shipped
    of each line, ``lines``: its line records before the plan): on its last transition's record, so the store keeps
    it. What shipped went out against the blanket it left (its 856s and 810s named that contract) and stays counted
    there; only the rest counts on the one it moves to (engine.blankets.moves_of). A release moved so before keeps
    its first move's (what shipped before it stays on the first blanket; what shipped since counts on the one it
    names now)."""
    from schemas.lifecycle import BLANKET_REF_FIELDS

    kept: dict[tuple[str, str], tuple[str, tuple[tuple[int, Decimal], ...]]] = {}
    for now, _to, _again in moved:
        was = records[now.key]
        if was.moved_shipped:
            kept[now.key] = (was.moved_from, was.moved_shipped)
            continue
        left = next(((getattr(was, f) or "").strip() for f in BLANKET_REF_FIELDS if (getattr(was, f) or "").strip()
                     and (getattr(was, f) or "").strip() != (getattr(now, f) or "").strip()), "")
        shipped = tuple(sorted((ln.line_number, Decimal(ln.shipped)) for ln in lines.get(now.key, ()) if ln.shipped))
        if shipped:
            kept[now.key] = (left, shipped)
    if not kept:
        return plan
    last = {t.record.key: i for i, t in enumerate(plan.transitions)}
    transitions = list(plan.transitions)
    for key, (left, shipped) in kept.items():
        i = last[key]
        transitions[i] = replace(transitions[i], record=transitions[i].record.evolve(moved_from=left,
                                                                                     moved_shipped=shipped))
    return replace(plan, transitions=tuple(transitions))


def balance_left(lines: Sequence[LineRecord]) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """A release's open lines' units still to ship (promised less shipped), and each line's units shipped, by line
    number (engine.blankets.balance_findings' ``left`` and ``shipped``)."""
    left = {ln.line_number: Decimal(ln.promised) - Decimal(ln.shipped) for ln in lines
            if ln.state not in ENDED_LINES and Decimal(ln.promised) > Decimal(ln.shipped)}
    return left, {ln.line_number: Decimal(ln.shipped) for ln in lines}


def units_left(lines: Sequence[LineRecord]) -> bool:
    """Whether some open line of a release still has units to ship."""
    return any(ln.promised > ln.shipped for ln in lines if ln.state not in ENDED_LINES)


def plan_decision(record: OrderRecord, verdict: str, person: PersonDecision, *, by: str, note: str, at: str,
                  run_id: str, lines: Sequence[LineRecord] | None,
                  reservations: Sequence[Reservation] | None) -> Plan:
    """A person's ``verdict`` ("approved", "rejected") on a release held by moved_held: approved, back by what is
    left to ship; rejected, back and its balance cancelled in the same transition (its lines ended at what shipped,
    its ``reservations`` released). ``lines`` None: units left (approved), nothing cancelled (rejected: the caller
    gave no lines to cancel)."""
    from engine.lifecycle.balance import cancel_moved_balance

    left = units_left(lines) if lines is not None else True
    back = EventKind.RELEASE_MOVE_DECIDED if left else EventKind.RELEASE_MOVE_DECIDED_SHIPPED
    kept = dict(person=person, hold_codes=(), hold_reasons=(), codes=(*record.hold_codes,))
    extra = f"; {note}" if note else ""
    if verdict == "approved":
        done = ("balance approved against the blanket it moved to: it ships what is left" if left else
                "approved: nothing is left to ship")
        return Plan(transitions=(move(record, back, at=at, run_id=run_id, clock=Clock.WALL, actor=by,
                                      note=done + extra, **kept),))
    if not left or lines is None:
        return Plan(transitions=(move(record, back, at=at, run_id=run_id, clock=Clock.WALL, actor=by,
                                      note="rejected: nothing is left to ship" + extra, **kept),))
    said = (f"{by} rejected shipping the balance against the blanket an 860 moved the release to (its balance "
            "overdrew it): what shipped stands and the balance will not follow. No document is sent: the 860 was "
            "answered when it came; tell the buyer.")
    cut = cancel_moved_balance(record.evolve(state=S.PARTIALLY_SHIPPED), lines, reservations or (), said=said, at=at,
                               run_id=run_id)
    [t] = cut.transitions
    [event] = t.events
    both = moves(record, [(back, by, "balance rejected against the blanket it moved to" + extra, ""),
                          (event.event, by, event.note, "")], at=at, run_id=run_id, clock=Clock.WALL,
                 value=t.record.value, **kept)
    return Plan(transitions=(both,), lines=cut.lines, reservations=cut.reservations)
