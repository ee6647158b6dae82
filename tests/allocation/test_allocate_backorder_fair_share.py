"""Backorders promised from expected receipts, the reject policy, and fair share of short SKUs."""

from __future__ import annotations

from datetime import date

from allocation_support import TODAY, lines, receipts, rows, snapshot, totals

from engine.allocate import allocate
from schemas.allocation import AllocationPolicy


def test_backorder_promised_at_the_eta_that_covers_it_after_earlier_backorders():
    order = lines({"sku": "A", "quantity": 4}, {"sku": "A", "quantity": 4}, {"sku": "A", "quantity": 4})
    rec = receipts(
        ("W2", "A", 5, date(2024, 3, 20)),
        ("W1", "A", 3, date(2024, 3, 10)),
        ("W1", "A", 2, date(2024, 3, 30)),
    )
    result = allocate(order, snapshot({("W1", "A"): 0}), rec, {"ACME": AllocationPolicy()}, today=TODAY)
    got = [
        (r["order_ref"], r["backordered"], r["rejected"], r["promised_date"], r["reason"])
        for r in rows(result.lines)
    ]
    assert got == [
        ("O0000", 4, 0, date(2024, 3, 20), "backordered"),  # 3 + 5 >= 4
        ("O0001", 4, 0, date(2024, 3, 20), "backordered"),  # 8 >= 8
        ("O0002", 2, 0, date(2024, 3, 30), "backordered"),  # only 2 left
        ("O0002", 0, 2, None, "no_receipt"),
    ]


def test_promise_is_never_before_today():
    rec = receipts(("W1", "A", 5, date(2024, 2, 1)))
    result = allocate(
        lines({"sku": "A", "quantity": 1}), snapshot({}), rec, {"ACME": AllocationPolicy()}, today=TODAY
    )
    assert rows(result.lines)[0]["promised_date"] == TODAY


def test_reject_policy_rejects_the_unfilled_part():
    rec = receipts(("W1", "A", 50, date(2024, 3, 5)))
    result = allocate(
        lines({"sku": "A", "quantity": 5}),
        snapshot({("W1", "A"): 2}),
        rec,
        {"ACME": AllocationPolicy(backorder="reject")},
        today=TODAY,
    )
    got = [(r["allocated"], r["backordered"], r["rejected"], r["reason"]) for r in rows(result.lines)]
    assert got == [(2, 0, 0, "partial"), (0, 0, 3, "rejected_by_policy")]


def test_unknown_sku_is_rejected_as_such():
    result = allocate(
        lines({"sku": "NOPE", "quantity": 5}),
        snapshot({("W1", "A"): 2}),
        receipts(),
        {"ACME": AllocationPolicy()},
        today=TODAY,
    )
    assert [r["reason"] for r in rows(result.lines)] == ["unknown_sku"]


def test_fair_share_is_proportional_to_demand_with_remainder_by_priority():
    fair = {
        "ACME": AllocationPolicy(tier=1, fair_share=True),
        "BETA": AllocationPolicy(tier=2, fair_share=True),
        "CHI": AllocationPolicy(tier=3, fair_share=True),
    }
    order = lines(
        {"sku": "A", "quantity": 10, "partner": "ACME"},
        {"sku": "A", "quantity": 20, "partner": "BETA"},
        {"sku": "A", "quantity": 10, "partner": "CHI"},
    )
    result = allocate(order, snapshot({("W1", "A"): 11}), receipts(), fair, today=TODAY)
    t = totals(result.lines)
    # 11 * 10/40 = 2.75, 11 * 20/40 = 5.5, 2.75 -> floors 2, 5, 2 = 9; 2 left go to ACME, then BETA
    assert [t[k]["allocated"] for k in sorted(t)] == [3, 6, 2]


def test_without_fair_share_priority_takes_everything():
    order = lines(
        {"sku": "A", "quantity": 10, "partner": "ACME"}, {"sku": "A", "quantity": 20, "partner": "BETA"}
    )
    result = allocate(
        order,
        snapshot({("W1", "A"): 11}),
        receipts(),
        {"ACME": AllocationPolicy(tier=1), "BETA": AllocationPolicy(tier=2)},
        today=TODAY,
    )
    t = totals(result.lines)
    assert [t[k]["allocated"] for k in sorted(t)] == [10, 1]


def test_fair_share_quota_left_unused_goes_by_priority():
    fair = {
        "ACME": AllocationPolicy(tier=1, fair_share=True, partial_allowed=False),
        "BETA": AllocationPolicy(tier=2, fair_share=True),
    }
    order = lines(
        {"sku": "A", "quantity": 10, "partner": "ACME"}, {"sku": "A", "quantity": 10, "partner": "BETA"}
    )
    result = allocate(order, snapshot({("W1", "A"): 12}), receipts(), fair, today=TODAY)
    t = totals(result.lines)
    # quotas 6 / 6: ACME cannot take a part, so its 6 go to BETA in the second pass... up to BETA's 10
    assert [t[k]["allocated"] for k in sorted(t)] == [0, 10]


def test_fair_share_does_nothing_when_supply_covers_demand():
    fair = {"ACME": AllocationPolicy(fair_share=True), "BETA": AllocationPolicy(fair_share=True)}
    order = lines(
        {"sku": "A", "quantity": 3, "partner": "ACME"}, {"sku": "A", "quantity": 4, "partner": "BETA"}
    )
    result = allocate(order, snapshot({("W1", "A"): 7}), receipts(), fair, today=TODAY)
    assert [r["reason"] for r in rows(result.lines)] == ["filled", "filled"]
