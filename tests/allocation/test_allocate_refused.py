"""Every rejection allocation makes says why (Allocation.refused, engine.refusals): before, a line or a whole
order refused for want of stock by the partner's [allocation] policy or the PO's CSH was answered IR (a
ship-complete, no-backorder order RD) with no finding, so ops saw an order rejected without a reason. Each
path now gives a STOCK_SHORT_REJECTED warning naming the SKU, units wanted / in stock / coming and the policy."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from allocation_support import TODAY, lines, receipts, snapshot

from engine.allocate import allocate
from engine.refusals import stock_refusal_findings
from schemas.allocation import AllocationPolicy

_NONE = pa.table({"partner": pa.array([], pa.string()), "po_number": pa.array([], pa.string()),
                  "line_number": pa.array([], pa.int32())})


def _refused(order, stock, rec, policy, **kw):
    result = allocate(order, stock, rec, {"ACME": policy}, today=TODAY, **kw)
    found = stock_refusal_findings(result.refused, _NONE)
    assert {fr.finding.code for fr in found} <= {"STOCK_SHORT_REJECTED"}
    assert all(fr.finding.severity == "warning" for fr in found)  # stock is not the partner's error
    return result.refused.to_pylist(), [(fr.po_number, fr.consequence, fr.finding.message) for fr in found]


def test_backorder_reject_names_the_sku_the_units_and_the_policy():
    rows, found = _refused(lines({"sku": "A", "quantity": 5}), snapshot({("W1", "A"): 2}),
                           receipts(("W1", "A", 50, date(2024, 3, 5))), AllocationPolicy(backorder="reject"))
    assert [(r["wanted"], r["rejected"], r["available"], r["coming"], r["reason"]) for r in rows] == [
        (5, 3, 2, 50, "rejected_by_policy")]
    [(po, what, message)] = found
    assert (po, what) == ("PO0000", "line 1: IR")
    assert message.startswith("Line 1 (SKU A): 5 eaches wanted, 2 in stock for the run, 50 coming on receipts; "
                              "2 placed, 3 rejected (855 IR)")
    assert 'backorder = "reject"' in message and "What to do" in message


def test_stock_lines_ranked_first_took_is_named():
    order = lines({"sku": "A", "quantity": 4}, {"sku": "A", "quantity": 3})  # the first arrived first
    rows, found = _refused(order, snapshot({("W1", "A"): 5}), receipts(), AllocationPolicy(backorder="reject"))
    assert [(r["order_ref"], r["rejected"], r["available"], r["left"]) for r in rows] == [("O0001", 2, 5, 0)]
    assert found[0][2].startswith("Line 1 (SKU A): 3 eaches wanted, 5 in stock for the run (4 of it placed on "
                                  "other lines of the run first), 0 coming on receipts; 1 placed, 2 rejected")


def test_ship_complete_with_backorder_reject_says_why_the_whole_order_went():
    order = lines({"sku": "A", "quantity": 5, "order_ref": "O1", "po_number": "PO1", "line_number": 1},
                  {"sku": "B", "quantity": 4, "order_ref": "O1", "po_number": "PO1", "line_number": 2})
    rows, found = _refused(order, snapshot({("W1", "A"): 10, ("W1", "B"): 3}), receipts(),
                           AllocationPolicy(ship_complete=True, backorder="reject"))
    assert [(r["line_number"], r["rejected"], r["whole_order"], r["short"]) for r in rows] == [
        (1, 5, True, False), (2, 4, True, True)]
    [(po, what, message)] = found  # one per order, at the short line
    assert (po, what) == ("PO1", "order rejected (855 RD)")
    assert "line 2 (SKU B): 4 eaches wanted, 3 in stock for the run, 0 coming on receipts" in message
    assert "ship_complete = true" in message and "line 1 (SKU A)" in message


def test_a_csh_no_backorder_order_names_its_csh():
    rows, found = _refused(lines({"sku": "A", "quantity": 5, "no_backorder": True}), snapshot({("W1", "A"): 1}),
                           receipts(("W1", "A", 50, date(2024, 3, 5))), AllocationPolicy())
    assert [r["reason"] for r in rows] == ["no_backorder"]
    assert "4 rejected (855 IR): the PO takes no backorder (its CSH01 N or SP)" in found[0][2]


def test_an_all_or_nothing_line_no_receipt_covers_says_it_took_none():
    rows, found = _refused(lines({"sku": "A", "quantity": 5}), snapshot({("W1", "A"): 3}), receipts(),
                           AllocationPolicy(partial_allowed=False))
    assert [(r["rejected"], r["reason"], r["all_or_nothing"]) for r in rows] == [(5, "no_receipt", True)]
    assert "5 rejected (855 IR): no expected receipt covers them" in found[0][2]
    assert "partial_allowed = false" in found[0][2]


def test_case_pack_rounding_down_to_nothing_says_so():
    rows, found = _refused(lines({"sku": "A", "quantity": 5, "case_pack": 12}), snapshot({("W1", "A"): 100}),
                           receipts(), AllocationPolicy(case_pack_rounding="down"))
    assert [(r["ordered"], r["wanted"], r["reason"]) for r in rows] == [(5, 0, "rounded_to_zero")]
    assert 'case_pack_rounding = "down"' in found[0][2] and "5 eaches ordered" in found[0][2]


def test_an_unknown_sku_says_it_has_no_stock_row():
    rows, found = _refused(lines({"sku": "NOPE", "quantity": 5}), snapshot({("W1", "A"): 2}), receipts(),
                           AllocationPolicy())
    assert [r["reason"] for r in rows] == ["unknown_sku"] and "no stock row" in found[0][2]


def test_a_late_backorder_is_left_to_its_own_finding_and_a_filled_line_says_nothing():
    order = lines({"sku": "A", "quantity": 5, "deliver_by": date(2024, 3, 3)}, {"sku": "A", "quantity": 1})
    rows, found = _refused(order, snapshot({("W1", "A"): 1}), receipts(("W1", "A", 50, date(2024, 3, 20))),
                           AllocationPolicy())
    assert rows == [] and found == []  # BACKORDER_AFTER_CANCEL (engine.deadlines) names the late one
