"""A backorder is not promised a date after its order's last acceptable date (deliver_by: the PO's DTM
001 cancel after or 063 do not deliver after, the earlier): the buyer would refuse it. By default the
late backorder is rejected (past_cancel_date) and the receipts it would have taken serve the lines
after it; late_backorder="promise" keeps the promise. Allocation.late names each such line either way."""

from __future__ import annotations

from datetime import date

from allocation_support import TODAY, lines, receipts, rows, snapshot

from engine.allocate import allocate
from schemas.allocation import AllocationPolicy

RECEIPTS = receipts(("W1", "A", 5, date(2024, 3, 10)), ("W1", "A", 5, date(2024, 3, 20)))


def got(result) -> list[tuple]:
    return [(r["order_ref"], r["backordered"], r["rejected"], r["promised_date"], r["reason"])
            for r in rows(result.lines)]


def late(result) -> list[tuple]:
    return [(r["order_ref"], r["line_number"], r["units"], r["promised_date"], r["deliver_by"], r["rejected"])
            for r in result.late.to_pylist()]


def test_a_backorder_that_cannot_come_in_time_is_rejected_and_its_receipts_serve_the_next():
    order = lines({"sku": "A", "quantity": 6, "deliver_by": date(2024, 3, 15)},  # needs the 3/20 receipt
                  {"sku": "A", "quantity": 4},  # no deadline
                  {"sku": "A", "quantity": 5, "deliver_by": date(2024, 3, 25)})
    result = allocate(order, snapshot({("W1", "A"): 0}), RECEIPTS, {"ACME": AllocationPolicy()}, today=TODAY)
    assert got(result) == [
        ("O0000", 0, 6, None, "past_cancel_date"),
        ("O0001", 4, 0, date(2024, 3, 10), "backordered"),  # was 3/20 behind O0000's 6
        ("O0002", 5, 0, date(2024, 3, 20), "backordered"),
    ]
    assert late(result) == [("O0000", 1, 6, date(2024, 3, 20), date(2024, 3, 15), True)]


def test_taking_out_the_first_late_line_can_bring_the_next_in_time():
    order = lines({"sku": "A", "quantity": 5, "deliver_by": date(2024, 3, 5)},  # the first receipt is too late
                  {"sku": "A", "quantity": 5, "deliver_by": date(2024, 3, 12)})  # late only behind it
    result = allocate(order, snapshot({("W1", "A"): 0}), RECEIPTS, {"ACME": AllocationPolicy()}, today=TODAY)
    assert got(result) == [("O0000", 0, 5, None, "past_cancel_date"),
                           ("O0001", 5, 0, date(2024, 3, 10), "backordered")]
    assert late(result) == [("O0000", 1, 5, date(2024, 3, 10), date(2024, 3, 5), True)]


def test_a_partner_may_promise_late_all_the_same():
    order = lines({"sku": "A", "quantity": 6, "deliver_by": date(2024, 3, 15)}, {"sku": "A", "quantity": 4})
    result = allocate(order, snapshot({("W1", "A"): 0}), RECEIPTS,
                      {"ACME": AllocationPolicy(late_backorder="promise")}, today=TODAY)
    assert got(result) == [("O0000", 6, 0, date(2024, 3, 20), "backordered"),
                           ("O0001", 4, 0, date(2024, 3, 20), "backordered")]
    assert late(result) == [("O0000", 1, 6, date(2024, 3, 20), date(2024, 3, 15), False)]


def test_lines_without_a_deadline_or_in_time_are_untouched():
    order = lines({"sku": "A", "quantity": 6, "deliver_by": date(2024, 3, 20)}, {"sku": "A", "quantity": 4})
    plain = lines({"sku": "A", "quantity": 6}, {"sku": "A", "quantity": 4})
    policies = {"ACME": AllocationPolicy()}
    a = allocate(order, snapshot({("W1", "A"): 0}), RECEIPTS, policies, today=TODAY)
    b = allocate(plain, snapshot({("W1", "A"): 0}), RECEIPTS, policies, today=TODAY)
    assert a.lines.equals(b.lines) and a.late.num_rows == 0 and b.late.num_rows == 0
    # a table without the column (stored before it existed) allocates as before
    assert allocate(plain.drop_columns(["deliver_by"]), snapshot({("W1", "A"): 0}), RECEIPTS, policies,
                    today=TODAY).lines.equals(b.lines)
