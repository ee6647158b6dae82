"""A line whose PO routes it to one of our warehouses (its N1*SF: a drop-ship programme's choice among the
vendor's locations, engine.routing.routed_stock) takes that warehouse's stock first, then its policy's order;
a line routed nowhere, or to a warehouse the snapshot does not hold, follows its policy as before. It used to
be allocated by the policy alone: the stock was reserved at the preferred DC, the order shipped from there, and
the buyer charged the drop ship back as not from the location it chose (SHIP_FROM_NOT_ROUTED at shipment)."""

from __future__ import annotations

from unittest import mock

import pyarrow as pa
from allocation_support import TODAY, lines, receipts, snapshot

from engine import allocate as allocation
from engine.allocate import allocate
from schemas.allocation import AllocationPolicy


def _with_ship_from(table: pa.Table, *values: str | None) -> pa.Table:
    return table.append_column("ship_from", pa.array(values, pa.string()))


def _taken(result) -> dict[tuple[str, str], int]:
    out: dict = {}
    for r in result.lines.to_pylist():
        if r["warehouse"] and r["allocated"]:
            out[(r["order_ref"], r["warehouse"])] = out.get((r["order_ref"], r["warehouse"]), 0) + int(r["allocated"])
    return out


def test_a_routed_line_takes_its_warehouse_first_and_the_others_follow_the_policy():
    policies = {"ACME": AllocationPolicy(preferred_warehouse="EAST", partial_allowed=True,
                                         single_warehouse_first=False)}  # (a line may be split)
    stock = snapshot({("EAST", "A"): 100, ("WEST", "A"): 100, ("EAST", "B"): 10, ("WEST", "B"): 4})
    order = _with_ship_from(lines(
        {"sku": "A", "quantity": 10},  # routed to WEST
        {"sku": "A", "quantity": 10},  # routed nowhere: the policy's EAST
        {"sku": "B", "quantity": 6},  # routed to WEST, which holds 4: the rest from EAST, in the policy's order
        {"sku": "A", "quantity": 5},  # routed to a warehouse the snapshot does not hold: the policy's EAST
    ), "WEST", None, "WEST", "NORTH")
    got = _taken(allocate(order, stock, receipts(), policies, today=TODAY))
    assert got == {("O0000", "WEST"): 10, ("O0001", "EAST"): 10, ("O0002", "WEST"): 4, ("O0002", "EAST"): 2,
                   ("O0003", "EAST"): 5}
    # without the column, every line follows the policy (the tables a caller without routing passes)
    plain = _taken(allocate(order.drop(["ship_from"]), stock, receipts(), policies, today=TODAY))
    assert plain == {("O0000", "EAST"): 10, ("O0001", "EAST"): 10, ("O0002", "EAST"): 6, ("O0003", "EAST"): 5}
    # single_warehouse_first (the default): the routed warehouse when it covers the line whole, else the first
    # of the policy's order that does
    whole = {"ACME": AllocationPolicy(preferred_warehouse="EAST", partial_allowed=True)}
    assert _taken(allocate(order, stock, receipts(), whole, today=TODAY))[("O0002", "EAST")] == 6


def test_single_warehouse_first_takes_the_routed_warehouse_when_it_covers_the_line_whole():
    policies = {"ACME": AllocationPolicy(warehouse_order=("EAST", "WEST", "SOUTH"), single_warehouse_first=True,
                                         partial_allowed=True)}
    stock = snapshot({("EAST", "A"): 50, ("WEST", "A"): 3, ("SOUTH", "A"): 50})
    order = _with_ship_from(lines({"sku": "A", "quantity": 8}, {"sku": "A", "quantity": 2}), "SOUTH", "WEST")
    got = _taken(allocate(order, stock, receipts(), policies, today=TODAY))
    # routed to SOUTH: SOUTH covers it whole; routed to WEST: WEST covers 2 of its 3
    assert got == {("O0000", "SOUTH"): 8, ("O0001", "WEST"): 2}
    # routed to WEST and more than WEST holds: whole from the first of the policy's order that covers it
    order = _with_ship_from(lines({"sku": "A", "quantity": 8}), "WEST")
    assert _taken(allocate(order, stock, receipts(), policies, today=TODAY)) == {("O0000", "EAST"): 8}


def test_two_partners_routed_to_the_same_warehouse_keep_their_own_orders_after_it():
    policies = {"P1": AllocationPolicy(warehouse_order=("W1", "W2", "W3"), partial_allowed=True),
                "P2": AllocationPolicy(warehouse_order=("W2", "W1", "W3"), partial_allowed=True)}
    stock = snapshot({("W1", "A"): 1, ("W2", "A"): 1, ("W3", "A"): 2})
    order = _with_ship_from(lines({"partner": "P1", "sku": "A", "quantity": 3},
                                  {"partner": "P2", "sku": "A", "quantity": 2}), "W3", "W3")
    got = _taken(allocate(order, stock, receipts(), policies, today=TODAY))
    # P1 first (arrival): W3's 2, then W1 (its order after W3); P2: W3 is empty, then W2 (its own order)
    assert got == {("O0000", "W3"): 2, ("O0000", "W1"): 1, ("O0001", "W2"): 1}


def test_the_first_choice_pass_gives_what_the_rounds_give_with_routed_lines():
    policies = {"ACME": AllocationPolicy(preferred_warehouse="EAST", partial_allowed=True)}
    stock = snapshot({("EAST", "A"): 40, ("WEST", "A"): 40, ("EAST", "B"): 5, ("WEST", "B"): 50})
    rows = [{"sku": "AB"[i % 2], "quantity": 2 + i % 4, "order_ref": f"O{i:03d}"} for i in range(24)]
    order = _with_ship_from(lines(*rows), *[("WEST", None, "EAST")[i % 3] for i in range(24)])
    fast = allocate(order, stock, receipts(), policies, today=TODAY)
    with mock.patch.object(allocation._Filler, "_first_choice", lambda self, order, *rest: order):
        rounds = allocate(order, stock, receipts(), policies, today=TODAY)
    assert fast.lines.equals(rounds.lines) and fast.availability.equals(rounds.availability)
    assert {w for (_o, w) in _taken(fast)} == {"EAST", "WEST"}


def test_the_same_routed_lines_in_another_order_give_the_same_tables():
    policies = {"ACME": AllocationPolicy(preferred_warehouse="EAST", partial_allowed=True)}
    stock = snapshot({("EAST", "A"): 7, ("WEST", "A"): 7})
    rows = [{"sku": "A", "quantity": 3, "order_ref": f"O{i}", "arrival": i} for i in range(5)]
    order = _with_ship_from(lines(*rows), "WEST", None, "WEST", "EAST", None)
    again = order.take(pa.array([4, 2, 0, 3, 1]))
    assert allocate(order, stock, receipts(), policies, today=TODAY).lines.equals(
        allocate(again, stock, receipts(), policies, today=TODAY).lines)
