"""The order in which one run's documents of an order go out: its first answer (the 855, 870 or CSV
acknowledgment of an order never answered before) before every answer to a change of it (an 865, a revised
855 under a change's doc key), so a buyer never reads a change acknowledged for an order it has not seen
acknowledged. Applied to the decide stage's plan last, once delivery.batch packed it: the store numbers the
documents, and delivery writes them, in the plan's order. Pure: a plan in, the same documents out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace

from schemas.lifecycle import OrderRecord, Plan, PlannedDocument, PlannedSet

Key = tuple[str, str]
ORDER_ANSWERS = ("855", "870", "CSV")  # the documents that answer an order (engine.lifecycle.decisions)


def in_lifecycle_order(plan: Plan, unanswered: Collection[Key], change_keys: Collection[str]) -> Plan:
    """The plan with each answer to a change of an order of ``unanswered`` (orders never answered before the
    plan: OrderRecord.answered_revision 0) after that order's first answer, when the plan holds one.

    A set answers a change when it is an 865 or its doc key is one of ``change_keys`` (the run's changes' own:
    Revisions.change_ids, and answer_awaiting's revised 855s); a set is an order's first answer when it is an
    855, 870 or CSV acknowledgment of an order of ``unanswered`` under any other key. A document holding an
    answer that would go out before the last document holding its order's first answer is moved to right after
    that one (documents moved after the same one keep their order); inside a document (an interchange
    delivery.batch packed), such a set is moved to after the order's first answer the same way, so ST02s ascend
    in that order too. Every other document keeps its place: a plan already in this order is returned as it
    is (the 865 answering an 860 applied before its order's decision, or replayed once a person decided the
    held order, used to be numbered before that order's 855)."""
    docs = plan.documents
    if not unanswered or not docs:
        return plan
    # (most nights answer no change of an order answered in the same plan: looked for first, the rest only then)
    if not any(_answers_change(d, s, change_keys) and (d.partner, s.po_number) in unanswered
               for d in docs if d.doc_type == "865" or d.doc_type in ORDER_ANSWERS for s in d.sets):
        return plan
    firsts = [_firsts(d, unanswered, change_keys) for d in docs]
    expected = Counter(k for f in firsts for k in f)
    if not expected:
        return plan
    answered = [{k for s in d.sets if _answers_change(d, s, change_keys)
                 and (k := (d.partner, s.po_number)) in expected} for d in docs]
    inside = [_sets_in_order(d, firsts[i], answered[i], change_keys) for i, d in enumerate(docs)]
    order = _after_firsts(firsts, [a - f for a, f in zip(answered, firsts, strict=True)])
    if order == list(range(len(docs))) and all(d is docs[i] for i, d in enumerate(inside)):
        return plan
    return replace(plan, documents=tuple(inside[i] for i in order))


def unanswered(records: Iterable[OrderRecord]) -> set[Key]:
    """The orders of ``records`` never answered (no 855 went for any revision of theirs): in_lifecycle_order's
    ``unanswered``."""
    return {r.key for r in records if not r.is_revision}


def change_answer_keys(change_ids: Collection[str], awaited: Plan) -> set[str]:
    """The doc keys under which the run's documents answer a change: the run's changes' own (Revisions.change_ids)
    and those of answer_awaiting's revised 855s (``awaited``: an 860 that waited on a person's hold among them)."""
    return {*change_ids, *(s.doc_key for d in awaited.documents for s in d.sets)}


def _answers_change(doc: PlannedDocument, s: PlannedSet, change_keys: Collection[str]) -> bool:
    return doc.doc_type == "865" or s.doc_key in change_keys


def _firsts(doc: PlannedDocument, unanswered: Collection[Key], change_keys: Collection[str]) -> set[Key]:
    """The orders whose first answer ``doc`` holds."""
    if doc.doc_type not in ORDER_ANSWERS:
        return set()
    return {k for s in doc.sets if (k := (doc.partner, s.po_number)) in unanswered and s.doc_key not in change_keys}


def _sets_in_order(doc: PlannedDocument, firsts: set[Key], answered: set[Key],
                   change_keys: Collection[str]) -> PlannedDocument:
    """``doc`` with a set answering a change of an order after the set of that order's first answer, when
    ``doc`` holds both (``firsts`` & ``answered``); else ``doc`` itself."""
    both = firsts & answered
    if not both:
        return doc
    keys = [(doc.partner, s.po_number) for s in doc.sets]
    order = _after_firsts(
        [{k} if k in both and not _answers_change(doc, s, change_keys) else set() for k, s in
         zip(keys, doc.sets, strict=True)],
        [{k} if k in both and _answers_change(doc, s, change_keys) else set() for k, s in
         zip(keys, doc.sets, strict=True)])
    if order == list(range(len(doc.sets))):
        return doc
    return replace(doc, sets=tuple(doc.sets[i] for i in order))


def _after_firsts(firsts: Sequence[set[Key]], needs: Sequence[set[Key]]) -> list[int]:
    """Positions 0..n-1 in the order they go: each where it stands, but one that ``needs`` orders whose first
    answers (``firsts``: the orders each position holds the first answer of) are not all placed yet waits, and
    goes right after the position that places the last of them (those that wait on the same one keep their
    order). Positions that wait on each other (none does: no document answers an order whose first answer it
    waits for) go last, in their order."""
    left = Counter(k for f in firsts for k in f)
    out: list[int] = []
    waiting: list[int] = []

    def place(i: int) -> None:
        out.append(i)
        for k in firsts[i]:
            left[k] -= 1

    for i in range(len(firsts)):
        if any(left[k] for k in needs[i]):
            waiting.append(i)
            continue
        place(i)
        while waiting:
            ready = [j for j in waiting if not any(left[k] for k in needs[j])]
            if not ready:
                break
            waiting = [j for j in waiting if j not in ready]
            for j in ready:
                place(j)
    return out + waiting
