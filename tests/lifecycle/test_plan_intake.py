"""What a file does to orders (engine.lifecycle.plan_intake), without a state store: BEG01 cancel,
replace, confirmation and duplicates; the same PO twice in one file; 860s recorded."""

from __future__ import annotations

from decimal import Decimal

from engine import lifecycle
from schemas.lifecycle import EventKind, LineState, OrderState
from tests.lifecycle.helpers import AT, RUN, lines, outcome_of, po, record, transitions


def plan(outcome, live=None, live_lines=None):
    return lifecycle.plan_intake(outcome, partner="acme", live=live or {}, lines=live_lines or {}, at=AT, run_id=RUN)


def test_a_new_po_is_received_with_its_lines_and_its_997():
    p = plan(outcome_of(po()))
    [t] = transitions(p)
    assert (t.expect_state, t.record.state, t.record.revision, t.new_arrival) == (None, OrderState.RECEIVED, 1, True)
    assert t.record.po_date is not None and t.record.currency == "USD" and t.record.line_count == 2
    assert p.lines == ()  # new orders' lines travel as one columnar table
    [table] = p.line_tables
    assert table.select(["po_number", "line_number", "state", "ordered", "unit", "unit_price"]).to_pylist() == [
        {"po_number": "PO-1", "line_number": 1, "state": "received", "ordered": "12", "unit": "EA",
         "unit_price": "2.5"},
        {"po_number": "PO-1", "line_number": 2, "state": "received", "ordered": "6", "unit": "EA",
         "unit_price": "10"}]
    assert [d.doc_type for d in p.documents] == ["997"]
    assert p.documents[0].sets[0].answers_isa13 == "000000001"


def test_beg01_01_cancels_a_live_order_and_releases_everything():
    p = plan(outcome_of(po("01")), {"PO-1": record()}, {"PO-1": lines()})
    [t] = p.transitions
    assert t.record.state == OrderState.CANCELLED and t.events[0].event == EventKind.PO_CANCELLED
    assert {ln.state for ln in p.lines[0].lines} == {LineState.CANCELLED}
    assert {ln.allocated for ln in p.lines[0].lines} == {0}
    assert p.reservations[0].rows == ()


def test_beg01_06_is_a_confirmation_and_changes_nothing():
    p = plan(outcome_of(po("06")), {"PO-1": record()})
    [t] = p.transitions
    assert t.record.state == OrderState.ACKNOWLEDGED and t.events[0].event == EventKind.PO_CONFIRMED
    assert p.lines == () and p.reservations == ()


def test_the_same_po_again_is_a_duplicate_finding():
    p = plan(outcome_of(po("00")), {"PO-1": record()})
    assert [fr.finding.code for fr in p.findings if fr.po_number] == ["ORDER_DUPLICATE"]
    assert p.transitions[0].events[0].event == EventKind.PO_DUPLICATE and p.lines == ()


def test_a_release_of_a_blanket_po_sent_again_is_a_duplicate_naming_the_release():
    """BEG02 RL with BEG04: a release is an order of its own (flows.releases keys the 850s before the
    plan: another release gets its own key, tests/test_release_orders.py); an 850 planned against a live
    order of its key is that release sent again: a duplicate, the finding naming PO and release."""
    release_2 = [po("00")[0].replace("BEG*00*SA*PO-1*", "BEG*00*RL*PO-1*2"), *po("00")[1:]]
    p = plan(outcome_of(release_2), {"PO-1": record()})
    [f] = [fr.finding for fr in p.findings if fr.po_number]
    assert f.code == "ORDER_DUPLICATE" and "PO PO-1 release 2 (BEG04) was already received" in f.message
    plain = [fr.finding for fr in plan(outcome_of(po("00")), {"PO-1": record()}).findings if fr.po_number]
    assert "release" not in plain[0].message


def test_beg01_05_replaces_the_order_as_a_new_revision_decided_whole():
    old = record(answered_revision=1, ack_type="AC", value=Decimal(5))
    three = (*lines(), lines()[0].__class__("acme", "PO-1", 3, LineState.ALLOCATED, line_id="3", ack="IA"))
    p = plan(outcome_of(po("05")), {"PO-1": old}, {"PO-1": three})
    [t] = p.transitions
    assert (t.record.state, t.record.revision, t.record.answered_revision, t.new_arrival) == (
        OrderState.RECEIVED, 2, 0, True)
    assert [(ln.line_number, ln.state) for ln in p.lines[0].lines] == [
        (1, LineState.RECEIVED), (2, LineState.RECEIVED), (3, LineState.DELETED)]
    assert p.reservations[0].rows == ()


def test_beg01_18_reissues_a_cancelled_order_as_a_replacement_does():
    """An 850 BEG01 18 (reissue: the order sent again after an 860 BCH01 17 "cancel, to be reissued" or
    an 850 BEG01 01 withdrew it) replaces the order, a cancelled one too: decided whole again; it used to
    be a duplicate copy, not processed, and the reissued order was never answered."""
    for state, old_lines in ((OrderState.CANCELLED, lines(LineState.CANCELLED)), (OrderState.ACKNOWLEDGED, lines())):
        p = plan(outcome_of(po("18")), {"PO-1": record(state)}, {"PO-1": old_lines})
        assert [fr.finding.code for fr in p.findings if fr.po_number] == []
        [t] = p.transitions
        assert (t.events[0].event, t.record.state, t.record.revision, t.new_arrival) == (
            EventKind.PO_REPLACED, OrderState.RECEIVED, 2, True)
        assert [(ln.line_number, ln.state) for ln in p.lines[0].lines] == [(1, LineState.RECEIVED),
                                                                          (2, LineState.RECEIVED)]


def test_a_replacement_of_a_shipped_order_is_refused_with_a_finding():
    p = plan(outcome_of(po("05")), {"PO-1": record(OrderState.SHIPPED)})
    assert p.transitions == () and [fr.finding.code for fr in p.findings if fr.po_number] == ["ORDER_DUPLICATE"]


def test_one_interchange_twice_in_one_file_is_one_order():
    out = outcome_of(po(), twice=True)
    assert [f.code for f in out.findings if f.severity == "error"] == ["ISA_DUPLICATE"]  # the repeat is refused
    p = plan(out)
    assert [t.events[0].event for t in transitions(p)] == [EventKind.PO_RECEIVED]
    assert [t.num_rows for t in p.line_tables] == [2]  # one row per line, not two
    lifecycle.check_plan(p)


def test_two_pos_of_one_file():
    p = plan(outcome_of(po(number="PO-1"), po(number="PO-2")))
    assert [t.record.po_number for t in transitions(p)] == ["PO-1", "PO-2"]
    assert p.line_tables[0]["po_number"].to_pylist() == ["PO-1", "PO-1", "PO-2", "PO-2"]
