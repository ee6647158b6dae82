"""The fill's first-choice pass (engine.allocate._Filler._first_choice: SKUs whose every line, in rank
order, is covered by its first-choice warehouse are filled at once) gives exactly what the rounds give
on their own: the same allocation rows and availability, on generated scenarios (stock scaled from
short to plenty) and on hand-made ones where some SKUs take the pass and others do not."""

from __future__ import annotations

from unittest import mock

import pyarrow as pa
import pyarrow.compute as pc
from allocation_support import TODAY, lines, receipts, snapshot
from hypothesis import given
from hypothesis import strategies as st
from test_allocate_properties import PROPERTY, scenarios

from engine import allocate as allocation
from schemas.allocation import AllocationPolicy


def _both(order, stock, rec, policies, res=None):
    fast = allocation.allocate(order, stock, rec, policies, reservations=res, today=TODAY)
    with mock.patch.object(allocation._Filler, "_first_choice", lambda self, order, *rest: order):
        rounds = allocation.allocate(order, stock, rec, policies, reservations=res, today=TODAY)
    return fast, rounds


def _same(fast, rounds) -> None:
    assert fast.lines.equals(rounds.lines), (fast.lines.to_pylist(), rounds.lines.to_pylist())
    assert fast.availability.equals(rounds.availability)


@PROPERTY
@given(scenarios(), st.sampled_from([1, 3, 20, 200]))
def test_first_choice_fill_is_what_the_rounds_give(case, scale):
    order, stock, rec, policies, res = case
    at = stock.schema.get_field_index("on_hand")
    stock = stock.set_column(at, "on_hand", pc.multiply(stock["on_hand"], pa.scalar(scale, stock["on_hand"].type)))
    _same(*_both(order, stock, rec, policies, res))


def test_some_skus_take_the_first_choice_pass_and_the_others_the_rounds():
    policies = {"P1": AllocationPolicy(preferred_warehouse="W1", partial_allowed=True),
                "P2": AllocationPolicy(warehouse_order=("W2", "W1"), single_warehouse_first=True,
                                       partial_allowed=False)}
    rows = []
    for i in range(30):  # A: plenty in each first choice; B: W1 runs out part way; C: packs of 4 (units)
        rows.append({"partner": "P1" if i % 3 else "P2", "sku": "ABC"[i % 3], "quantity": 3 + i % 5,
                     "order_ref": f"O{i:03d}", "case_pack": 4 if i % 3 == 2 else None})
    stock = snapshot({("W1", "A"): 500, ("W2", "A"): 500, ("W1", "B"): 20, ("W2", "B"): 6, ("W1", "C"): 200,
                      ("W2", "C"): 7})
    order = lines(*rows)
    seen = []
    real = allocation._Filler._first_choice

    def spy(self, order, *rest):
        left = real(self, order, *rest)
        seen.append((len(order), len(left)))
        return left

    with mock.patch.object(allocation._Filler, "_first_choice", spy):
        fast, rounds = _both(order, stock, receipts(), policies)
    _same(fast, rounds)
    assert seen[0][0] > seen[0][1] > 0  # the pass filled some SKUs and left others to the rounds
    got = {(r["sku"], r["warehouse"]): 0 for r in fast.lines.to_pylist()}
    for r in fast.lines.to_pylist():
        got[(r["sku"], r["warehouse"])] += r["allocated"] or 0
    assert got[("B", "W1")] <= 20 and got[("B", "W2")] <= 6
