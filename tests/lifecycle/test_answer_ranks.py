"""engine.lifecycle.changes.answer_ranks: the change ids the run's answers to 860s are numbered by
(in_answer_order), less those of the revised 855s answer_awaiting built under a change's own key: those restate the
decision's 855 and are numbered after it. Used to be a comprehension over the awaited plan in flows.decide."""

from __future__ import annotations

from engine.lifecycle import answer_ranks, in_answer_order
from schemas.lifecycle import Plan, PlannedDocument, PlannedSet


def _doc(doc_type: str, key: str) -> PlannedDocument:
    return PlannedDocument("acme", doc_type, "PR" if doc_type == "855" else "CA", (PlannedSet(key, po_number="PO-1"),))


def test_the_answers_answer_awaiting_built_rank_after_the_decision():
    ids = {"865:a:1": 2, "855:b:1": 1, "855:c:1": 3}
    awaited = Plan(documents=(_doc("855", "855:c:1"),))
    assert answer_ranks(ids, awaited) == {"865:a:1": 2, "855:b:1": 1}
    assert answer_ranks(ids, Plan()) == ids and answer_ranks(ids, Plan()) is not ids
    decision = _doc("855", "855:PO-1")
    plan = Plan(documents=(decision, _doc("865", "865:a:1"), _doc("855", "855:b:1"))) + awaited
    ordered = [d.sets[0].doc_key for d in in_answer_order(plan, answer_ranks(ids, awaited)).documents]
    assert ordered == ["855:b:1", "865:a:1", "855:PO-1", "855:c:1"]
