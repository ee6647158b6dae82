"""Approving or rejecting several held orders at once (`orderbridge approve|reject PO... | --all-held`, the console's
approvals page with its boxes ticked): which held orders a search names, and each picked order's decision planned
by engine.lifecycle.plan_person_decisions and applied alone, so one refused (changed since it was listed, no longer
held, changed by another writer first) is named with why and the others are recorded. The caller holds the
workspace lease for the whole batch. Never decides an order's state itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from connectors.state import StateConflict, StateStore
from engine import lifecycle
from schemas.lifecycle import OrderRecord

LISTED_AT_MOST = 100_000  # a search for --all-held: every held order it names (a page of the store's search)


@dataclass(frozen=True, slots=True)
class Decided:
    """One picked order after the batch: recorded (``skipped`` empty; ``waiting``: its 860s the next 855 answers
    too, ``sets`` the sets they came as: 860, 876), skipped with why, or, in a dry run, what would be recorded
    (``resumed``: a release held since the buyer cancelled its blanket, approved: it ships as answered, with no
    new 855, engine.lifecycle.resumes)."""

    partner: str
    po_number: str
    skipped: str = ""
    waiting: int = 0
    reasons: tuple[str, ...] = ()  # what it was held for, as listed
    revision: int | None = None
    resumed: bool = False
    sets: tuple[str, ...] = ()
    # held for an allowance an 860 added after shipment (engine.lifecycle.allowance_hold): no 855 follows, its next
    # 810 takes the allowance off (approved) or goes without it (rejected)
    allowance: bool = False
    # the 860s (876s) applied to it and not answered yet that the next run answers with an 865 (a partner answered by
    # 865s: engine.lifecycle.decisions), as ``applied_sets``: approved, no new 855 goes with them (a release an 860
    # moved to a blanket it is held against, tests.test_blankets8); rejected, an 865 refusing them and the 855 RD
    applied: int = 0
    applied_sets: tuple[str, ...] = ()
    rejected: bool = False  # the verdict was a rejection
    # a release an 860 moved, part shipped, to a blanket its balance overdraws (engine.lifecycle.moved_hold): no 855
    # nor 865 follows; approved, it ships its balance; rejected, its balance is cancelled at once
    moved: bool = False
    # what its partner's profile receives (PartnerProfile.receives: answers_received), to say which document answers
    # it; None: not known (no workspace, or a profile that does not load: the 855 is said)
    receives: tuple[str, ...] | None = None

    @property
    def answered_865(self) -> str:
        """What the next run does with the changes applied to it, as a person reads it ("" none answered by an 865):
        "answers its 1 860(s) with an 865 (no new 855)"."""
        if not self.applied:
            return ""
        sets = f"{self.applied} {'/'.join(self.applied_sets) or '860'}(s)"
        return (f"the next run answers its {sets} with an 865 (no new 855)" if not self.rejected else
                f"the next run refuses its {sets} with an 865, and sends an 855 RD refusing the order "
                f"(BAK02 RD, each line ACK IR)")

    @property
    def waited(self) -> str:
        """The changes that waited on it, as a person reads them: "the 1 860(s)", "the 2 876(s)"."""
        return f"the {self.waiting} {'/'.join(self.sets) or '860'}(s)"

    @property
    def key(self) -> tuple[str, str]:
        return (self.partner, self.po_number)


def held_matching(store: StateStore, *, partner: str = "", hold_code: str = "", since: str = "",
                  until: str = "") -> list[OrderRecord]:
    """The orders waiting for a person that the approvals search names (the console's filters: a partner, a code
    they are held for, PO dates from ``since`` to ``until`` inclusive), by partner and PO number."""
    rows = store.search_orders(states=lifecycle.AWAITING_PERSON, partner=partner, hold_code=hold_code, since=since,
                               until=until, limit=LISTED_AT_MOST)
    return sorted(rows, key=lambda o: o.key)


def decide_picked(store: StateStore, picks: Sequence[lifecycle.PersonPick], verdict: str, *, by: str, note: str,
                  at: str, dry_run: bool = False, ws=None) -> list[Decided]:
    """Each picked order approved or rejected by ``by`` with ``note`` at ``at`` (the wall clock), in the order
    picked, each its own transaction: an order refused is skipped with why and the rest go on. ``dry_run``: the
    same checks, nothing written. ValueError (nothing done) for a rejection without a note. With the workspace
    ``ws``, the changes that waited on each are named by the set they came as (860, 876: Decided.sets)."""
    records = {}
    for pick in picks:
        record = store.order(pick.partner, pick.po_number)
        if record is not None:
            records[record.key] = record
    outcomes = lifecycle.plan_person_decisions(picks, records, verdict, by=by, note=note, at=at,
                                               lines=store.lines_for(list(records)),
                                               reservations=store.reservations_for(list(records)))
    done: list[Decided] = []
    for o in outcomes:
        record = records.get(o.key)
        reasons = record.hold_reasons if record is not None else ()
        revision = record.revision if record is not None else None
        resumed = o.resumed  # (engine.lifecycle: a release resumed gets no new 855)
        if o.plan is None:
            done.append(Decided(*o.key, skipped=o.refused, reasons=reasons, revision=revision))
            continue
        if not dry_run:
            try:
                store.apply(o.plan)
            except StateConflict:
                now = store.order(*o.key)
                said = f"{now.state.value}, revision {now.revision}" if now is not None else "gone"
                done.append(Decided(*o.key, skipped=f"changed by another run or person first (now {said}): "
                                    "look at it again", reasons=reasons, revision=revision))
                continue
        done.append(Decided(*o.key, reasons=reasons, revision=revision, resumed=resumed,
                            allowance=o.allowance, moved=o.moved))
    recorded = [d.key for d in done if not d.skipped]
    waiting: dict[tuple[str, str], int] = {}
    sets: dict[tuple[str, str], set[str]] = {}
    if recorded and not dry_run:
        waits = store.pending_changes(statuses=lifecycle.WAITING_ON_HOLD, keys=recorded)
        if ws is not None and waits:
            from flows.status_view import change_sets

            named = change_sets(ws, waits)
        else:
            named = {}
        for c in waits:
            waiting[(c.partner, c.po_number)] = waiting.get((c.partner, c.po_number), 0) + 1
            sets.setdefault((c.partner, c.po_number), set()).add(lifecycle.sent_as(c, named))
    applied, applied_sets = _answered_by_865(store, records, recorded, ws)
    rejected = verdict == lifecycle.VERDICT_REJECTED
    receives = {p: answers_received(ws.partners_dir, p) for p in sorted({d.partner for d in done})} \
        if ws is not None else {}
    return [Decided(d.partner, d.po_number, d.skipped, waiting.get(d.key, 0), d.reasons, d.revision, d.resumed,
                    tuple(sorted(sets.get(d.key, ()))), d.allowance, applied.get(d.key, 0),
                    tuple(sorted(applied_sets.get(d.key, ()))), rejected and not d.skipped, d.moved,
                    receives.get(d.partner)) for d in done]


def _answered_by_865(store: StateStore, records, recorded: Sequence[tuple[str, str]], ws
                     ) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], set[str]]]:
    """Per order of ``recorded``, the changes applied to it and not answered yet (UNANSWERED_CHANGES) that the
    decision's night answers with an 865 (its partner receives 865s and answers changes with them: change_ack "865",
    as engine.lifecycle.decisions does), and the sets they came as; none without the workspace ``ws`` (its
    profiles), or for a partner whose profile does not load (said as before: its 855)."""
    if ws is None or not recorded:
        return {}, {}
    from schemas.profile import load_profile

    applied = store.pending_changes(statuses=lifecycle.UNANSWERED_CHANGES, keys=list(recorded))
    if not applied:
        return {}, {}
    by865: dict[str, bool] = {}
    for partner in sorted({c.partner for c in applied}):
        try:
            p = load_profile(ws.partners_dir / f"{partner}.toml")
        except Exception:  # noqa: BLE001 - a profile that does not load: said as before
            by865[partner] = False
            continue
        by865[partner] = "865" in p.receives and p.change_ack == "865"
    from flows.status_view import change_sets, no_answer_asked

    named = change_sets(ws, applied)
    silent = no_answer_asked(ws, applied)  # BCH01 49: the buyer asked for no answer, no 865 goes
    counts: dict[tuple[str, str], int] = {}
    sets: dict[tuple[str, str], set[str]] = {}
    for c in applied:
        key = (c.partner, c.po_number)
        if by865.get(c.partner) and key in records and (c.partner, c.store_key, c.change_ref) not in silent:
            counts[key] = counts.get(key, 0) + 1
            sets.setdefault(key, set()).add(lifecycle.sent_as(c, named))
    return counts, sets


def _only_silent(store: StateStore, record: OrderRecord, ws) -> bool:
    """The held order's changes applied and not answered yet all asked for no answer (BCH01 49), its partner
    answering changes by 865s (change_ack "865"): approved, the next run sends nothing (the order was answered)."""
    if ws is None:
        return False
    from flows.status_view import no_answer_asked
    from schemas.profile import load_profile

    applied = store.pending_changes(statuses=lifecycle.UNANSWERED_CHANGES, keys=[record.key])
    if not applied or not record.answered_revision:
        return False
    try:
        p = load_profile(ws.partners_dir / f"{record.partner}.toml")
    except Exception:  # noqa: BLE001 - a profile that does not load: said as before
        return False
    silent = no_answer_asked(ws, applied)
    return "865" in p.receives and p.change_ack == "865" and all(
        (c.partner, c.store_key, c.change_ref) in silent for c in applied)


def _judged_silent(store: StateStore, record: OrderRecord, ws) -> bool:
    """Every 860 whose allowance held the order after shipment asked for no answer (BCH01 49): the decide stage tells
    the decision by no 865 (engine.lifecycle.allowance_hold.answers_asked)."""
    from engine.lifecycle.allowance_hold import ALLOWANCE_AFTER_SHIPMENT_HELD
    from flows.status_view import no_answer_asked

    found = store.finding_sacs(ALLOWANCE_AFTER_SHIPMENT_HELD, [record.key]).get(record.key, ())
    judged = {(file, ref) for file, ref, _sacs in found}
    held = [c for c in store.pending_changes(statuses=None, keys=[record.key])
            if (c.source_file, c.change_ref) in judged]
    if not held:
        return False
    silent = no_answer_asked(ws, held)
    return all((c.partner, c.store_key, c.change_ref) in silent for c in held)


def follows_decision(store: StateStore, record: OrderRecord, verdict: str, ws) -> str:
    """What follows a person's ``verdict`` on one held order, in words (engine.lifecycle.after_decision), but for one
    whose applied changes the next run answers by an 865 (_answered_by_865): "the next run answers its 1 860(s) with
    an 865 (no new 855)" approved, "... refuses its 1 860(s) with an 865, and sends the 855 (RD)" rejected."""
    said = lifecycle.after_decision(record, verdict, answers_received(ws.partners_dir, record.partner))
    if "; the next run tells the buyer by an 865" in said and _judged_silent(store, record, ws):
        return said.split("; the next run tells")[0] + ("; no 865 tells the buyer: its 860 asked for no answer "
                                                        "(BCH01 49)")
    if not said.startswith("the next run sends "):  # (a release resumed, an allowance held after shipment: said so)
        return said
    counts, sets = _answered_by_865(store, {record.key: record}, [record.key], ws)
    if not counts.get(record.key):
        if verdict != lifecycle.VERDICT_REJECTED and _only_silent(store, record, ws):
            return "the next run sends nothing: its 860(s) asked for no answer (BCH01 49), and the order's 855 stands"
        return said
    return Decided(*record.key, applied=counts[record.key], applied_sets=tuple(sorted(sets[record.key])),
                   rejected=verdict == lifecycle.VERDICT_REJECTED).answered_865


def answers_received(partners_dir: Path, partner: str) -> tuple[str, ...] | None:
    """What the partner's profile receives (PartnerProfile.receives), for saying which document answers a person's
    decision (engine.lifecycle.after_decision); None when its profile does not load (the 855 is said)."""
    from schemas.errors import ConfigError
    from schemas.profile import load_profile

    path = Path(partners_dir) / f"{partner}.toml"
    try:
        return tuple(load_profile(path).receives) if path.is_file() else None
    except ConfigError:
        return None


def after_batch(done: Sequence[Decided], verdict: str) -> str:
    """What the next run does with a batch's recorded orders, in words ("" none recorded): it sends each the answer
    its partner's profile receives (engine.lifecycle.batch_answer: "their 855s", for a rejection "their 855s RD
    refusing the orders (...)"; partners answered differently named with their counts: "855s for acme (2), CSV
    acknowledgments for initech (1)"); an approved release held since the buyer cancelled its blanket gets none (it
    stands and ships as answered: the buyer has its 855)."""
    recorded = [d for d in done if not d.skipped]
    resumed = sum(d.resumed for d in recorded)
    allowances = sum(d.allowance for d in recorded)
    # approved orders whose applied changes an 865 answers: no new 855 (rejected ones get their 855 RD too)
    moved = sum(d.moved for d in recorded)
    by865 = sum(bool(d.applied) for d in recorded if not d.resumed and not d.allowance and not d.moved)
    approved = verdict == lifecycle.VERDICT_APPROVED
    answered = [d for d in recorded
                if not d.resumed and not d.allowance and not d.moved and not (approved and d.applied)]
    stand = (f"{resumed} release(s) stand and ship as answered (no new 855: the buyer has one)" if resumed else "")
    if by865:  # (a release held after an 860 moved it to another blanket: tests.test_blankets9)
        said = (f"{by865} order(s) have the changes applied to them answered by an 865 (no new 855)"
                if approved else f"the 865s refusing the changes applied to {by865} of them too")
        stand = f"{stand}; {said}" if stand else said
    if allowances:  # (held for an allowance an 860 added after shipment: no 855, the next 810 decides it)
        went = "takes the allowance off" if approved else "goes without the allowance"
        said = f"{allowances} order(s) held for an allowance added after shipment: the next 810 of each {went}"
        stand = f"{stand}; {said}" if stand else said
    if moved:  # (a release an 860 moved, part shipped, past a blanket: no 855 nor 865 goes)
        went = ("ships its balance against the blanket it moved to" if verdict == lifecycle.VERDICT_APPROVED else
                "has its balance cancelled now, its stock released (tell the buyer: no document goes)")
        said = f"{moved} release(s) held after an 860 moved them past a blanket: each {went}"
        stand = f"{stand}; {said}" if stand else said
    if not answered:
        return f"; {stand}" if stand else ""
    per_partner: dict[str, int] = {}
    for d in answered:
        per_partner[d.partner] = per_partner.get(d.partner, 0) + 1
    said_of = {d.partner: lifecycle.batch_answer(verdict, d.receives) for d in answered}
    kinds: dict[str, list[str]] = {}
    for partner in sorted(per_partner):
        kinds.setdefault(said_of[partner], []).append(partner)
    if len(kinds) == 1:
        (answer,) = kinds
        if answer.startswith("no answer"):
            sent = answer if not stand else f"{answer} for {len(answered)} of them"
        elif not stand:
            sent = f"their {answer}"
        else:
            sent = f"the {answer} of {len(answered)}" if " " not in answer else f"{answer} for {len(answered)} of them"
    else:  # partners that answer differently: which sends what, per partner
        sent = ", ".join(f"{answer} for " + " and ".join(f"{p} ({per_partner[p]})" for p in partners)
                         for answer, partners in kinds.items())
    return f"; the next run sends {sent}" + (f"; {stand}" if stand else "")
