"""Line statuses and the answer's line rows match allocation rows and line rows to the decided lines
without a join when they are already the decided lines' rows, in order (a night answering every
order); the join stays for any other shape. Both ways must give the same tables, whatever the rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import answer
from engine.decide import ACCEPTED, LINE_DECISIONS, LineDecision, OrderDecision
from engine.lifecycle import decisions
from schemas.inventory import ALLOCATION
from schemas.orders import ORDER_LINES, ORDERS

TODAY = date(2026, 11, 27)
lines_ = st.lists(st.tuples(st.sampled_from(["PO-1", "PO-2", "P|O"]), st.integers(1, 4)), min_size=1, max_size=8,
                  unique=True)
amount = st.integers(0, 30)
row = st.fixed_dictionaries({"allocated": amount, "backordered": amount, "rejected": amount,
                             "warehouse": st.sampled_from(["EAST", "WEST", "", None]),
                             "promised_date": st.one_of(st.none(), st.dates(date(2026, 12, 1), date(2026, 12, 31))),
                             "reason": st.sampled_from(["", "filled", "no_receipt"])})


def decided_table(keys: list[tuple[str, int]]) -> pa.Table:
    return pa.Table.from_pylist([{"partner": "acme", "po_number": po, "line_number": n, "ack01": "IA",
                                  "action": "accept", "quantity": Decimal(12), "unit_price": Decimal("1.5"),
                                  "codes": [], "reason": "", "unit_eaches": None} for po, n in keys],
                                schema=LINE_DECISIONS)


def allocation_table(keys: list[tuple[str, int]], rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist([{"partner": "acme", "order_ref": f"acme|{po}", "po_number": po, "line_number": n,
                                  "sku": "SKU-1", "ordered": Decimal(r["allocated"] + r["backordered"] + r["rejected"]),
                                  **{k: Decimal(v) if isinstance(v, int) else v for k, v in r.items()}}
                                 for (po, n), r in zip(keys, rows, strict=True)], schema=ALLOCATION)


def statuses(decided: pa.Table, allocation: pa.Table) -> pa.Table:
    n = decided.num_rows
    return answer.status_table(decided, np.zeros(n, dtype=bool), pa.array([TODAY] * n, pa.date32()), allocation)


def joined(monkeypatch, build):
    """``build()`` with the join taken whatever the rows."""
    with monkeypatch.context() as m:
        m.setattr(answer, "same_rows", lambda left, right: False)
        m.setattr(decisions, "same_rows", lambda left, right: False)
        return build()


@settings(max_examples=60, deadline=None)
@given(lines_, st.data())
def test_statuses_from_rows_in_line_order_equal_the_joined_ones(keys, data):
    decided = decided_table(keys)
    rows = data.draw(st.lists(row, min_size=len(keys), max_size=len(keys)))
    allocation = allocation_table(keys, rows)
    assert answer.same_rows((allocation["order_ref"], allocation["line_number"]),
                            (answer._key(decided["partner"], decided["po_number"]), decided["line_number"]))
    with pytest.MonkeyPatch.context() as m:
        assert statuses(decided, allocation).equals(joined(m, lambda: statuses(decided, allocation)))


@settings(max_examples=60, deadline=None)
@given(lines_, st.data())
def test_statuses_from_rows_in_any_other_shape_are_joined(keys, data):
    """Rows shuffled, a line with two rows or none, a row of no decided line, a line decided twice."""
    decided = decided_table(keys + data.draw(st.lists(st.sampled_from(keys), max_size=2)))
    row_keys = data.draw(st.lists(st.sampled_from(keys + [("PO-9", 1)]), min_size=1, max_size=10))
    allocation = allocation_table(row_keys, data.draw(st.lists(row, min_size=len(row_keys), max_size=len(row_keys))))
    with pytest.MonkeyPatch.context() as m:
        assert statuses(decided, allocation).equals(joined(m, lambda: statuses(decided, allocation)))


def test_a_line_decided_twice_is_not_taken_as_its_own_row():
    keys = [("PO-1", 1), ("PO-1", 1)]
    decided, allocation = decided_table(keys), allocation_table(keys, [
        {"allocated": 5, "backordered": 0, "rejected": 0, "warehouse": "EAST", "promised_date": None,
         "reason": ""}] * 2)
    assert not answer.unique_rows(decided["partner"], decided["po_number"], decided["line_number"])
    assert statuses(decided, allocation)["allocated"].to_pylist() == [10, 10]  # each line gets both rows


@settings(max_examples=40, deadline=None)
@given(lines_, st.data())
def test_answer_line_rows_in_order_or_not_are_the_decided_lines(keys, data):
    order = data.draw(st.permutations(keys))
    lines = pa.Table.from_pylist([{"partner": "acme", "order_ref": "1-1-1", "po_number": po, "line_number": n,
                                   "line_id": f"{po}/{n}", "quantity": Decimal(n), "source_file": "f", "isa13": "1",
                                   "gs06": "1", "st02": "1"} for po, n in order], schema=ORDER_LINES)
    orders = pa.Table.from_pylist([{"partner": "acme", "order_ref": "1-1-1", "po_number": po, "source_file": "f",
                                    "isa13": "1", "gs06": "1", "st02": "1"} for po in sorted({p for p, _ in keys})],
                                  schema=ORDERS)

    def rows() -> pa.Table:
        ctx = decisions._Context({}, orders, lines, None, {}, {}, {}, {}, today=TODAY, at="", run_id="r", told={})
        return decisions._Batch(ctx, [])._lines(decided_table(keys))

    got = rows()
    with pytest.MonkeyPatch.context() as m:
        assert got.equals(joined(m, rows))
    assert got["line_id"].to_pylist() == [f"{po}/{n}" for po, n in keys]


@settings(max_examples=60, deadline=None)
@given(lines_, st.data())
def test_allocation_input_from_lines_in_order_or_not_equals_the_joined_one(keys, data):
    """Lines in the decided order, shuffled, missing one, or given twice (the last row counts)."""
    decide = [LineDecision(n, "IA", data.draw(st.sampled_from(["accept", "accept", "reject_line"])), Decimal(n),
                           None, unit_eaches=data.draw(st.sampled_from([1, 6]))) for _, n in keys]
    pos = sorted({p for p, _ in keys})
    made = [OrderDecision("acme", p, f"r-{p}", "f", ACCEPTED, [ld for (q, _), ld in zip(keys, decide, strict=True)
                                                              if q == p]) for p in pos]
    shape = data.draw(st.sampled_from(["as decided", "shuffled", "one missing", "one twice"]))
    line_keys = [(d.po_number, ld.line_number) for d in made for ld in d.lines]
    if shape == "shuffled":
        line_keys = data.draw(st.permutations(line_keys))
    elif shape == "one missing":
        line_keys = line_keys[1:]
    elif shape == "one twice":
        line_keys = line_keys + [line_keys[0]]
    lines = pa.Table.from_pylist([{"partner": "acme", "order_ref": "1-1-1", "po_number": po, "line_number": n,
                                   "source_file": "f", "isa13": "1", "gs06": "1", "st02": "1",
                                   "sku": data.draw(st.sampled_from(["SKU-1", "SKU-2", ""])),
                                   "case_pack": data.draw(st.sampled_from([None, 0, 6]))} for po, n in line_keys],
                                 schema=ORDER_LINES.append(pa.field("sku", pa.string())).append(
                                     pa.field("case_pack", pa.int32())))
    orders = pa.Table.from_pylist([{"partner": "acme", "order_ref": "1-1-1", "po_number": p, "source_file": "f",
                                    "isa13": "1", "gs06": "1", "st02": "1", "po_date": TODAY} for p in pos],
                                  schema=ORDERS)
    arrival = {("acme", p): i + 1 for i, p in enumerate(pos)}
    got = answer.allocation_input(made, lines, orders, arrival)
    with pytest.MonkeyPatch.context() as m:
        assert got.equals(joined(m, lambda: answer.allocation_input(made, lines, orders, arrival)))


def test_allocation_input_for_a_line_given_twice_is_joined():
    d = OrderDecision("acme", "PO-1", "r", "f", ACCEPTED, [LineDecision(1, "IA", "accept", Decimal(2), None)] * 2)
    lines = pa.Table.from_pylist([{"partner": "acme", "order_ref": "1-1-1", "po_number": "PO-1", "line_number": 1,
                                   "source_file": "f", "isa13": "1", "gs06": "1", "st02": "1", "sku": sku}
                                  for sku in ("SKU-1", "SKU-2")],
                                 schema=ORDER_LINES.append(pa.field("sku", pa.string())).append(
                                     pa.field("case_pack", pa.int32())))
    orders = pa.Table.from_pylist([{"partner": "acme", "order_ref": "1-1-1", "po_number": "PO-1", "source_file": "f",
                                    "isa13": "1", "gs06": "1", "st02": "1"}], schema=ORDERS)
    got = answer.allocation_input([d], lines, orders, {("acme", "PO-1"): 1})
    with pytest.MonkeyPatch.context() as m:
        assert got.equals(joined(m, lambda: answer.allocation_input([d], lines, orders, {("acme", "PO-1"): 1})))
    assert set(got["sku"].to_pylist()) == {"SKU-2"}  # one line row for both, the last, not each its own


def test_the_last_row_of_each_key_is_kept_in_table_order():
    t = pa.table({"k": ["A", "A", "B", "C", "B"], "v": [1, 2, 3, 4, 5]})
    assert answer._last(t, ["k"]).to_pylist() == [{"k": "A", "v": 2}, {"k": "C", "v": 4}, {"k": "B", "v": 5}]
    t = pa.table({"k": ["A", "B", "A"], "v": [1, 2, 3]})
    assert answer._last(t, ["k"]).to_pylist() == [{"k": "B", "v": 2}, {"k": "A", "v": 3}]
