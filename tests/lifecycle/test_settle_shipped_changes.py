"""engine.lifecycle.shipped_answers: the decide stage's answers to 860s that changed an order after shipment, settled
once the run's backorder step ran, in one pure call (no state store, no flow). The revisions take the step's
records, lines and reservations of the orders those 860s changed, and no other; raised units it did not place are
refused, and the 865 built again replaces the one the change step planned: one answer per change goes out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from engine.changes import LineProgress, Progress, apply_changes
from engine.lifecycle.changes import RaisedAnswer, Revisions
from engine.lifecycle.shipped_answers import settle_shipped_changes, take_backorders, without_documents
from engine.lifecycle.table import move
from schemas.lifecycle import (
    EventKind,
    LineRecord,
    LineState,
    OrderLines,
    OrderRecord,
    OrderReservations,
    OrderState,
    Plan,
    PlannedDocument,
    PlannedSet,
    Reservation,
    StoredChange,
)
from tests.changes.builders import live_order, read_change

TODAY, AT, RUN = date(2026, 12, 7), "2026-12-07T02:00:00", "r9"
KEY, OTHER = ("acme", "PO-1"), ("acme", "PO-2")


def _doc(doc_key: str, doc_type: str = "865", po: str = "PO-1") -> PlannedDocument:
    return PlannedDocument("acme", doc_type, "CA" if doc_type == "865" else "PR", (PlannedSet(doc_key, po_number=po),))


def _record(po: str = "PO-1", state: OrderState = OrderState.PARTIALLY_SHIPPED) -> OrderRecord:
    return OrderRecord("acme", po, state, revision=2, answered_revision=2, order_ref="000000001-1-0001",
                       lines_key="chg", source_file="po.x12", arrival=3)


def _line(po: str = "PO-1", *, allocated: int, backordered: int = 0) -> LineRecord:
    return LineRecord("acme", po, 1, LineState.PARTIALLY_SHIPPED, line_id="1", sku="SKU1", ack="IA",
                      ordered=Decimal(20), unit="EA", unit_price=Decimal("2.5"), allocated=allocated,
                      backordered=backordered, shipped=Decimal(5), invoiced=Decimal(5))


def _raised() -> RaisedAnswer:
    """An 860 that raised line 1 of PO-1 (12 ordered, 5 shipped and invoiced) to 20, answered at once: 8 units
    backordered, a partner that takes no backorder."""
    order, lines = live_order()
    header, changes = read_change(["POC*1*QI*20**EA"])
    result = apply_changes(order, lines, header, changes, shipped=True, progress=Progress(
        {1: LineProgress(Decimal(5), Decimal(5), Decimal(12)), 2: LineProgress(Decimal(0), Decimal(0), Decimal(6))},
        complete=False, state="partially_shipped"))
    change = StoredChange(7, "acme", "PO-1", "1", "chg-sha", "acme-chg.x12", AT, "answered")
    return RaisedAnswer(change, header, result, units={1: 8}, reject=True)


def _backorder_step() -> Plan:
    """The backorder step placed 3 of PO-1's 8 raised units, and moved PO-2 (not changed by an 860)."""
    placed = (_line(allocated=15, backordered=5),)
    held = (Reservation("acme", "PO-1", 1, "EAST", "SKU1", 10),)
    other = move(_record("PO-2"), EventKind.BACKORDER_ALLOCATED, at=AT, run_id=RUN)
    return Plan(transitions=(other,), lines=(OrderLines("acme", "PO-1", placed), OrderLines("acme", "PO-2", (
        _line("PO-2", allocated=20),))), reservations=(OrderReservations("acme", "PO-1", held), OrderReservations(
            "acme", "PO-2", (Reservation("acme", "PO-2", 1, "EAST", "SKU1", 15),))))


def test_without_documents_drops_the_answers_built_again_and_keeps_the_rest():
    plan = Plan(documents=(_doc("865:a:1"), _doc("855:PO-1", "855"), _doc("865:b:1")))
    assert [d.sets[0].doc_key for d in without_documents(plan, {"865:a:1", "865:zz"}).documents] == [
        "855:PO-1", "865:b:1"]
    assert without_documents(plan, frozenset()) is plan and without_documents(plan, {"865:zz"}) is plan


def test_the_revisions_take_what_the_backorder_step_left_of_the_changed_orders_only():
    rv = Revisions(records={KEY: _record()}, lines={KEY: (_line(allocated=12, backordered=8),)})
    step = _backorder_step()
    take_backorders(rv, step, {KEY})
    assert rv.lines[KEY] == step.lines[0].lines and rv.reservations[KEY] == step.reservations[0].rows
    assert OTHER not in rv.records and OTHER not in rv.lines and OTHER not in rv.reservations
    take_backorders(rv, step, {OTHER})
    assert rv.records[OTHER] == step.transitions[0].record and rv.lines[OTHER] == step.lines[1].lines


def test_raised_units_not_placed_are_refused_and_their_865_replaces_the_one_planned():
    raised = _raised()
    rv = Revisions(records={KEY: _record()}, lines={KEY: (_line(allocated=12, backordered=8),)},
                   raised={KEY: [raised]})
    planned = Plan(documents=(_doc(raised.doc_key), _doc("855:PO-9", "855", "PO-9")))
    step = _backorder_step()
    plan = settle_shipped_changes(planned, rv, step, {KEY}, today=TODAY, at=AT, run_id=RUN)
    # the step's plan is in it whole (PO-2's move too), and the changed order's answer once, built again
    assert set(step.transitions) <= set(plan.transitions) and set(step.lines) <= set(plan.lines)
    keys = [s.doc_key for d in plan.documents for s in d.sets]
    assert sorted(keys) == sorted([raised.doc_key, "855:PO-9"])
    assert planned.documents[0] not in plan.documents  # (the planned 865 said nothing of the refusal)
    told = next(d for d in plan.documents if d.sets[0].doc_key == raised.doc_key)
    assert ("ACK", "IQ", "15", "EA") in told.sets[0].body, told.sets[0].body  # 12 + the 3 placed: what we ship
    # the 5 units the step did not place are refused on the line the decision starts from
    line = rv.lines[KEY][0]
    assert (line.allocated, line.backordered, line.rejected) == (15, 0, 5)
    assert [f.finding.code for f in plan.findings] == ["CHANGE_RAISE_NOT_BACKORDERED"]
    assert rv.records[KEY] == plan.transitions[-1].record and rv.reservations[KEY] == step.reservations[0].rows


def test_nothing_to_settle_is_the_two_plans_added():
    rv = Revisions(records={KEY: _record()}, lines={KEY: (_line(allocated=12, backordered=8),)})
    planned, step = Plan(documents=(_doc("865:a:1"),)), _backorder_step()
    assert settle_shipped_changes(planned, rv, step, {KEY}, today=TODAY, at=AT, run_id=RUN) == planned + step
    assert replace(rv.lines[KEY][0]) == step.lines[0].lines[0]
