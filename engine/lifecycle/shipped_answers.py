"""The decide stage's answers to 860s that changed an order after shipment, settled once the run's backorder step
ran: its plan taken into the revisions for the orders those 860s changed (what their decision starts from), raised
units it did not place refused, and the 865s / revised 855s built again from the lines as it left it, each in place
of the one the change step planned. Pure: the flow passes the plans in and applies the one returned; it never
edits a plan (tests/test_flows_decide_nothing.py)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from engine.lifecycle.changes import (
    Revisions,
    date_shipped_answers,
    refuse_unplaced_raises,
    restate_shipped_answers,
)
from schemas.lifecycle import Plan

Key = tuple[str, str]


def without_documents(plan: Plan, doc_keys: Collection[str]) -> Plan:
    """``plan`` less its documents any set of which is one of ``doc_keys`` (an answer built again: the new one
    replaces it); ``plan`` itself when none is."""
    if not doc_keys:
        return plan
    kept = tuple(d for d in plan.documents if not any(s.doc_key in doc_keys for s in d.sets))
    return plan if len(kept) == len(plan.documents) else replace(plan, documents=kept)


def take_backorders(rv: Revisions, backordered: Plan, fresh: Collection[Key]) -> None:
    """``rv`` (the run's revisions) as ``backordered`` (the backorder step's plan) leaves the orders of ``fresh``
    (changed after shipment by this run's 860s: engine.lifecycle.changes.changed_after_shipment_now): their record
    (its last transition), lines and reservations. Their answers (refuse_unplaced_raises, date_shipped_answers,
    restate_shipped_answers) and their decision start from there; the other orders the step moved are not this
    run's revisions."""
    for t in backordered.transitions:
        if t.record.key in fresh:
            rv.records[t.record.key] = t.record
    rv.lines.update({(o.partner, o.po_number): o.lines for o in backordered.lines if (o.partner, o.po_number) in fresh})
    rv.reservations.update({(o.partner, o.po_number): o.rows for o in backordered.reservations
                            if (o.partner, o.po_number) in fresh})


def settle_shipped_changes(plan: Plan, rv: Revisions, backordered: Plan, fresh: Collection[Key], *, today, at: str,
                           run_id: str, uncovered: Mapping[Key, Mapping[int, int]] | None = None,
                           promised: Mapping[Key, Collection[int]] | None = None) -> Plan:
    """The run's plan so far (``plan``: the changes', ``rv.plan``) with the backorder step's (``backordered``)
    added and the answers to changes after shipment settled: ``rv`` takes the step's records, lines and
    reservations of ``fresh`` (take_backorders); units raised after shipment that the step did not place nor
    promise (``uncovered``: per order and line, engine.lifecycle.backorders.promise_raised) are refused and their
    865s built again (refuse_unplaced_raises); 865s answering a line still backordered are dated (``promised``:
    the lines that allocation promised a day; date_shipped_answers); revised 855s are built again from the lines
    as the step left them (restate_shipped_answers). Each answer built again replaces the one the change step
    planned under its doc key (without_documents), so one answer per change goes out. ``rv`` is updated as
    those steps leave it (records, lines): the decision that follows starts from it."""
    take_backorders(rv, backordered, fresh)
    plan = plan + backordered
    refused, replaced = refuse_unplaced_raises(rv, today=today, at=at, run_id=run_id, uncovered=uncovered)
    plan = without_documents(plan, replaced) + refused
    dated, redated = date_shipped_answers(rv, today=today, skip=replaced, promised=promised)
    plan = without_documents(plan, redated) + dated
    restated, again = restate_shipped_answers(rv, today=today)
    return without_documents(plan, again) + restated
