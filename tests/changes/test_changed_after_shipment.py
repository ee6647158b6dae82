"""engine.lifecycle.changes.changed_after_shipment: one line of an order that shipped, as an 860 changed it."""

from __future__ import annotations

from decimal import Decimal

from engine.lifecycle.changes import changed_after_shipment
from schemas.lifecycle import LineRecord, LineState


def _line(**kw) -> LineRecord:
    base = dict(line_id="4", ordered=Decimal(12), unit="EA", unit_price=Decimal("9.39"), allocated=12, backordered=0,
                shipped=Decimal(10), invoiced=Decimal(0))
    state = kw.pop("state", LineState.PARTIALLY_SHIPPED)
    return LineRecord("acme", "PO-1", 4, state, **{**base, **kw})


def _change(ln: LineRecord, quantity, price="9.39", *, asked=Decimal(10), settled=False) -> LineRecord:
    row = {"quantity": Decimal(quantity), "unit": "EA", "unit_price": Decimal(price)}
    return changed_after_shipment(ln, row, asked=asked, settled=settled, reason="r", revision=2, run_id="n2")


def test_a_price_alone_keeps_the_promise_of_a_line_rounded_up_to_its_case_pack():
    """The buyer ordered 10, we acknowledged 12 (a case pack): a new price changes no quantity."""
    got = _change(_line(), 10, "8.00")
    assert (got.ordered, got.allocated, got.backordered, got.unit_price, got.state) == (
        Decimal(12), 12, 0, Decimal("8.00"), LineState.PARTIALLY_SHIPPED)


def test_a_decrease_cuts_the_backorder_first_then_the_reservation():
    got = _change(_line(allocated=8, backordered=4, shipped=Decimal(5)), 7)
    assert (got.ordered, got.allocated, got.backordered, got.state) == (Decimal(7), 7, 0, LineState.PARTIALLY_SHIPPED)
    got = _change(_line(allocated=8, backordered=4, shipped=Decimal(5)), 10, asked=Decimal(12))
    assert (got.allocated, got.backordered) == (8, 2)


def test_a_line_cut_to_what_shipped_is_shipped_or_invoiced_and_a_raise_is_backordered():
    assert _change(_line(), 10, settled=True).state == LineState.SHIPPED
    assert _change(_line(invoiced=Decimal(10)), 10, settled=True).state == LineState.INVOICED
    raised = _change(_line(allocated=10, ordered=Decimal(10), state=LineState.INVOICED, invoiced=Decimal(10)), 15)
    assert (raised.allocated, raised.backordered, raised.state) == (10, 5, LineState.PARTIALLY_SHIPPED)


def test_our_price_gives_way_to_the_buyers_new_one():
    ours = _line(ack_price=Decimal("9.00"))
    assert _change(ours, 10, "9.50").ack_price is None and _change(ours, 10).ack_price == Decimal("9.00")


def test_a_line_whose_promise_is_cut_is_marked_so_a_late_confirmation_of_its_units_still_ships():
    """CUT_MARK in the line's codes (once) when its promise is cut, with the promise before the cut (its cut_from:
    the largest of its cuts: what can have left before the change); not when it is kept or raised."""
    from schemas.lifecycle import CUT_MARK

    cut = _change(_line(codes=("CASE_PACK_ROUNDED",)), 10, settled=True)
    assert (cut.codes, cut.cut_from) == (("CASE_PACK_ROUNDED", CUT_MARK), 12)
    again = _change(cut, 10, settled=True)
    assert (again.codes, again.cut_from) == (("CASE_PACK_ROUNDED", CUT_MARK), 12)  # told once
    raised = _change(cut, 20)  # raised to 20 after the cut (10 new units backordered), then cut to 14: from 20
    assert (raised.cut_from, _change(raised, 14).cut_from) == (12, 20)
    assert _change(raised, 14).codes == ("CASE_PACK_ROUNDED", CUT_MARK)
    kept = _change(_line(), 10, "8.00")  # a price alone
    assert CUT_MARK not in kept.codes and kept.cut_from is None
    assert CUT_MARK not in _change(_line(allocated=10, ordered=Decimal(10)), 15).codes  # a raise


def test_a_decrease_to_the_buyers_own_quantity_cuts_our_rounded_up_promise():
    """Ordered 10, acknowledged 12 (case pack), 10 shipped: QD 10 (trimmed) cuts the promise to 10."""
    got = changed_after_shipment(_line(), {"quantity": Decimal(10), "unit": "EA", "unit_price": Decimal("9.39")},
                                 asked=Decimal(10), settled=False, trimmed=True, reason="r", revision=2, run_id="n2")
    assert (got.ordered, got.allocated, got.backordered, got.state) == (Decimal(10), 10, 0, LineState.SHIPPED)


def test_redecided_lines_are_the_lines_a_change_moved_none_of_whose_units_shipped_nor_billed():
    """engine.lifecycle.changes.redecided_lines: of an order that shipped in part, the lines an 860 changed (quantity,
    unit, price, product, pack) and keeps, with nothing shipped nor billed, not rejected nor gone, are decided again
    by the rules; a line that shipped (or was billed: a bill-only line's usage) takes the change without them, a line
    deleted is deleted, and a decrease to the buyer's own quantity below a case pack's rounding (trimmed, its quantity
    unchanged) cuts the promise as it did, never rounded up again."""
    import pyarrow as pa

    from engine.changes import ChangeResult
    from engine.lifecycle.changes import redecided_lines
    from schemas.orders import ORDER_LINES

    def line(n: int, state: LineState, shipped: int = 0, invoiced: int = 0) -> LineRecord:
        return LineRecord("acme", "P1", n, state, ordered=Decimal(12), allocated=12, shipped=Decimal(shipped),
                          invoiced=Decimal(invoiced), unit="EA")

    stored = {1: line(1, LineState.PARTIALLY_SHIPPED, shipped=6), 2: line(2, LineState.ALLOCATED),
              3: line(3, LineState.ALLOCATED), 4: line(4, LineState.INVOICED, invoiced=12),
              5: line(5, LineState.REJECTED), 6: line(6, LineState.DELETED), 7: line(7, LineState.BACKORDERED),
              8: line(8, LineState.ALLOCATED)}
    kept = pa.Table.from_pylist([{"line_number": n} for n in (1, 2, 4, 5, 6, 7, 8)], schema=ORDER_LINES)
    result = ChangeResult(new_lines=kept, changed_line_numbers=frozenset({1, 2, 3, 4, 5, 6, 7}),
                          deleted_line_numbers=frozenset({3}), released=None, cancelled=False, rejected=False,
                          findings=[], line_results=[], trimmed_line_numbers=frozenset({8}))
    assert redecided_lines(result, stored) == (2, 7)
