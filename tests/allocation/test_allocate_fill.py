"""Filling lines from stock: full, partial, all-or-nothing, ship-complete, warehouses, case packs."""

from __future__ import annotations

from datetime import date

import pytest
from allocation_support import TODAY, lines, receipts, reservations, rows, snapshot, totals

from engine.allocate import allocate
from schemas.allocation import AllocationPolicy
from schemas.errors import ConfigError

NO_RECEIPTS = receipts()


def run(order_lines, stock, policies=None, rec=NO_RECEIPTS, **kw):
    policies = policies or {"ACME": AllocationPolicy()}
    return allocate(order_lines, stock, rec, policies, today=TODAY, **kw)


def test_full_fill_from_one_warehouse():
    result = run(lines({"sku": "A", "quantity": 5}), snapshot({("W1", "A"): 10}))
    assert rows(result.lines) == [
        {
            "partner": "ACME",
            "order_ref": "O0000",
            "po_number": "PO0000",
            "line_number": 1,
            "sku": "A",
            "warehouse": "W1",
            "ordered": 5,
            "allocated": 5,
            "backordered": 0,
            "rejected": 0,
            "promised_date": None,
            "reason": "filled",
        }
    ]
    assert result.availability.to_pylist() == [
        {
            "warehouse": "W1",
            "sku": "A",
            "on_hand": 10,
            "reserved": 0,
            "allocated_now": 5,
            "available_after": 5,
        }
    ]


def test_partial_fill_backorders_the_rest():
    result = run(
        lines({"sku": "A", "quantity": 5}),
        snapshot({("W1", "A"): 3}),
        rec=receipts(("W1", "A", 10, date(2024, 3, 9))),
    )
    got = [
        (r["warehouse"], r["allocated"], r["backordered"], r["promised_date"], r["reason"])
        for r in rows(result.lines)
    ]
    assert got == [("W1", 3, 0, None, "partial"), (None, 0, 2, date(2024, 3, 9), "backordered")]


def test_partial_not_allowed_takes_all_or_nothing_and_leaves_stock_for_the_next_line():
    result = run(
        lines({"sku": "A", "quantity": 5}, {"sku": "A", "quantity": 2, "partner": "BETA"}),
        snapshot({("W1", "A"): 3}),
        {"ACME": AllocationPolicy(partial_allowed=False), "BETA": AllocationPolicy()},
    )
    t = totals(result.lines)
    assert t[("ACME", "O0000", 1)]["allocated"] == 0
    assert t[("ACME", "O0000", 1)]["rejected"] == 5  # no receipts to promise from
    assert t[("BETA", "O0001", 1)]["allocated"] == 2


def test_ship_complete_order_is_held_when_one_line_is_short():
    order = lines(
        {"sku": "A", "quantity": 2, "order_ref": "X", "line_number": 1},
        {"sku": "B", "quantity": 9, "order_ref": "X", "line_number": 2},
        {"sku": "A", "quantity": 2, "partner": "BETA"},
    )
    result = run(
        order,
        snapshot({("W1", "A"): 3, ("W1", "B"): 1}),
        {"ACME": AllocationPolicy(tier=0, ship_complete=True), "BETA": AllocationPolicy(tier=5)},
        rec=receipts(("W1", "A", 50, date(2024, 3, 5)), ("W1", "B", 50, date(2024, 3, 7))),
    )
    by_line = {(r["order_ref"], r["line_number"]): r for r in rows(result.lines)}
    assert by_line[("X", 1)]["backordered"] == 2 and by_line[("X", 1)]["reason"] == "held_ship_complete"
    assert by_line[("X", 2)]["backordered"] == 9 and by_line[("X", 2)]["promised_date"] == date(2024, 3, 7)
    # the stock the held order gave up went to the lower-tier partner
    assert totals(result.lines)[("BETA", "O0002", 1)]["allocated"] == 2
    assert {r["sku"]: r["allocated_now"] for r in result.availability.to_pylist()} == {"A": 2, "B": 0}


def test_a_held_order_keeps_the_stock_no_receipt_would_replace():
    """X is short of B (a receipt comes) and held: line 1 (A, no receipt of A) keeps its stock ahead of BETA's
    lower-tier line (waiting brings no A), and the 5 of line 3 (C) its receipt does not cover come from stock;
    the 3 C the receipt covers wait for it and go to BETA now. They used to be rejected (no_receipt)."""
    order = lines(
        {"sku": "A", "quantity": 2, "order_ref": "X", "line_number": 1},
        {"sku": "B", "quantity": 9, "order_ref": "X", "line_number": 2},
        {"sku": "C", "quantity": 8, "order_ref": "X", "line_number": 3},
        {"sku": "A", "quantity": 2, "partner": "BETA"},
        {"sku": "C", "quantity": 4, "partner": "BETA"},
    )
    result = run(
        order,
        snapshot({("W1", "A"): 3, ("W1", "B"): 1, ("W1", "C"): 9}),
        {"ACME": AllocationPolicy(tier=0, ship_complete=True), "BETA": AllocationPolicy(tier=5)},
        rec=receipts(("W1", "B", 50, date(2024, 3, 7)), ("W1", "C", 3, date(2024, 3, 5))),
    )
    t = totals(result.lines)
    assert [(t[("ACME", "X", i)]["allocated"], t[("ACME", "X", i)]["backordered"], t[("ACME", "X", i)]["rejected"])
            for i in (1, 2, 3)] == [(2, 0, 0), (0, 9, 0), (5, 3, 0)]
    assert {r["reason"] for r in rows(result.lines) if r["order_ref"] == "X" and r["backordered"]} == {
        "held_ship_complete"}
    assert (t[("BETA", "O0003", 1)]["allocated"], t[("BETA", "O0003", 1)]["rejected"]) == (1, 1)
    assert t[("BETA", "O0004", 1)]["allocated"] == 4


def test_a_shortfall_nothing_can_bring_does_not_hold_a_ship_complete_order():
    order = lines(
        {"sku": "A", "quantity": 2, "order_ref": "X", "line_number": 1},
        {"sku": "B", "quantity": 9, "order_ref": "X", "line_number": 2},
    )
    result = run(order, snapshot({("W1", "A"): 3, ("W1", "B"): 1}), {"ACME": AllocationPolicy(ship_complete=True)})
    assert [(r["line_number"], r["allocated"], r["rejected"], r["reason"]) for r in rows(result.lines)] == [
        (1, 2, 0, "filled"), (2, 1, 0, "partial"), (2, 0, 8, "no_receipt")]


def test_preferred_warehouse_is_tried_first():
    stock = snapshot({("W1", "A"): 10, ("W2", "A"): 10})
    result = run(
        lines({"sku": "A", "quantity": 4}), stock, {"ACME": AllocationPolicy(preferred_warehouse="W2")}
    )
    assert [r["warehouse"] for r in rows(result.lines)] == ["W2"]


def test_single_warehouse_first_skips_a_preferred_warehouse_that_cannot_cover_the_line():
    stock = snapshot({("W1", "A"): 3, ("W2", "A"): 10})
    result = run(
        lines({"sku": "A", "quantity": 4}), stock, {"ACME": AllocationPolicy(preferred_warehouse="W1")}
    )
    assert [(r["warehouse"], r["allocated"], r["reason"]) for r in rows(result.lines)] == [
        ("W2", 4, "filled")
    ]


def test_split_across_warehouses_in_preference_order():
    stock = snapshot({("W1", "A"): 3, ("W2", "A"): 2, ("W3", "A"): 10})
    policy = AllocationPolicy(warehouse_order=("W2", "W1"), single_warehouse_first=False)
    result = run(lines({"sku": "A", "quantity": 7}), stock, {"ACME": policy})
    got = [(r["warehouse"], r["allocated"], r["reason"]) for r in rows(result.lines)]
    assert got == [("W1", 3, "split"), ("W2", 2, "split"), ("W3", 2, "split")]


def test_split_when_no_single_warehouse_can_cover():
    stock = snapshot({("W1", "A"): 3, ("W2", "A"): 4})
    result = run(lines({"sku": "A", "quantity": 6}), stock)
    assert [(r["warehouse"], r["allocated"]) for r in rows(result.lines)] == [("W1", 3), ("W2", 3)]


@pytest.mark.parametrize(
    ("rounding", "ordered", "allocated", "reason"),
    [
        ("none", 10, 10, "filled"),
        ("up", 12, 12, "filled+case_pack_up"),
        ("down", 6, 6, "filled+case_pack_down"),
    ],
)
def test_case_pack_rounding(rounding, ordered, allocated, reason):
    result = run(
        lines({"sku": "A", "quantity": 10, "case_pack": 6}),
        snapshot({("W1", "A"): 100}),
        {"ACME": AllocationPolicy(case_pack_rounding=rounding)},
    )
    [row] = rows(result.lines)
    assert (row["ordered"], row["allocated"], row["reason"]) == (ordered, allocated, reason)


def test_case_pack_allocates_whole_cases_only():
    result = run(
        lines({"sku": "A", "quantity": 12, "case_pack": 6}),
        snapshot({("W1", "A"): 10}),
        {"ACME": AllocationPolicy(case_pack_rounding="up")},
    )
    t = totals(result.lines)[("ACME", "O0000", 1)]
    assert (t["allocated"], t["rejected"]) == (6, 6)


def test_case_pack_rounded_to_zero_still_gets_a_row():
    result = run(
        lines({"sku": "A", "quantity": 4, "case_pack": 6}),
        snapshot({("W1", "A"): 10}),
        {"ACME": AllocationPolicy(case_pack_rounding="down")},
    )
    [row] = rows(result.lines)
    assert (row["ordered"], row["reason"]) == (0, "rounded_to_zero+case_pack_down")


def test_priority_tier_then_requested_ship_date():
    order = lines(
        {"sku": "A", "quantity": 5, "partner": "LOW", "requested_ship_date": date(2024, 3, 2)},
        {"sku": "A", "quantity": 5, "requested_ship_date": date(2024, 3, 9)},
        {"sku": "A", "quantity": 5, "requested_ship_date": date(2024, 3, 3)},
        {"sku": "A", "quantity": 5},
    )  # null date sorts last
    result = run(
        order,
        snapshot({("W1", "A"): 10}),
        {"ACME": AllocationPolicy(tier=1), "LOW": AllocationPolicy(tier=2)},
    )
    t = totals(result.lines)
    assert [t[k]["allocated"] for k in sorted(t)] == [5, 5, 0, 0]  # ACME O0001, O0002, O0003; LOW O0000


def test_reservations_reduce_availability():
    result = run(
        lines({"sku": "A", "quantity": 5}),
        snapshot({("W1", "A"): 10}, reserved={("W1", "A"): 2}),
        reservations=reservations(("W1", "A", 4), ("W9", "A", 100)),
    )
    assert totals(result.lines)[("ACME", "O0000", 1)]["allocated"] == 4
    assert result.availability.to_pylist()[0] == {
        "warehouse": "W1",
        "sku": "A",
        "on_hand": 10,
        "reserved": 6,
        "allocated_now": 4,
        "available_after": 0,
    }


def test_invalid_quantities_are_rejected_with_their_quantity():
    result = run(
        lines({"sku": "A", "quantity": "2.5"}, {"sku": "A", "quantity": None}, {"sku": "A", "quantity": -3}),
        snapshot({("W1", "A"): 10}),
    )
    got = [(r["order_ref"], str(r["ordered"]), r["reason"]) for r in result.lines.to_pylist()]
    assert got == [
        ("O0000", "2.5000", "invalid_quantity"),
        ("O0001", "0.0000", "invalid_quantity"),
        ("O0002", "-3.0000", "invalid_quantity"),
    ]


def test_partner_without_policy_is_a_config_error():
    with pytest.raises(ConfigError, match="no allocation policy"):
        run(lines({"sku": "A", "quantity": 1, "partner": "NOBODY"}), snapshot({("W1", "A"): 1}))


def test_partners_must_agree_on_priority_order():
    policies = {"ACME": AllocationPolicy(), "BETA": AllocationPolicy(priority_order=["arrival"])}
    with pytest.raises(ConfigError, match="priority_order"):
        run(
            lines({"sku": "A", "quantity": 1}, {"sku": "A", "quantity": 1, "partner": "BETA"}),
            snapshot({("W1", "A"): 1}),
            policies,
        )


def test_inputs_are_not_mutated():
    order, stock = lines({"sku": "A", "quantity": 5}), snapshot({("W1", "A"): 3})
    before = (order.to_pylist(), stock.to_pylist())
    run(order, stock)
    assert (order.to_pylist(), stock.to_pylist()) == before


def test_empty_lines():
    result = run(lines(), snapshot({("W1", "A"): 3}))
    assert result.lines.num_rows == 0
    assert result.availability.column("available_after").to_pylist() == [3]
