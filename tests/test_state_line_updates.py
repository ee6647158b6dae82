"""Plan.line_updates (the invoice stage's lines): a line's state, invoiced units and run set in place,
nothing else of it nor of the order's other lines; a line that is not stored rolls the whole plan
back (StateConflict). On SQLite and on PostgreSQL (the store_target fixture)."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.state import StateConflict, StateStore
from engine.lifecycle.table import create
from schemas.lifecycle import (
    LINE_UPDATES,
    LineRecord,
    LineState,
    OrderLines,
    OrderRecord,
    OrderState,
    Plan,
    decimal_text,
)

AT = "2026-11-27T02:00:00"


def stored_order(store: StateStore) -> None:
    record = OrderRecord("acme", "PO-1", OrderState.RECEIVED, order_ref="1-1-1", lines_key="k")
    lines = tuple(LineRecord("acme", "PO-1", n, LineState.SHIPPED, line_id=str(n), sku=f"SKU-{n}", ordered=Decimal(4),
                             unit="EA", unit_price=Decimal("2.5"), allocated=4, shipped=Decimal(4), run_id="r1")
                  for n in (1, 2))
    store.apply(Plan(transitions=(create(record, at=AT, run_id="r1", note="received"),),
                     lines=(OrderLines("acme", "PO-1", lines),)), run_id="r1")


def test_line_updates_set_the_billing_columns_in_place(store_target):
    store = StateStore(store_target())
    stored_order(store)
    before = store.order_lines("acme", "PO-1")
    store.apply(Plan(line_updates=(("acme", "PO-1", 2, LineState.INVOICED.value, "4", "r2"),)), run_id="r2")
    one, two = store.order_lines("acme", "PO-1")
    assert one == before[0]
    assert two == LineRecord(**{**{f: getattr(before[1], f) for f in before[1].__slots__},
                                "state": LineState.INVOICED, "invoiced": Decimal(4), "run_id": "r2"})


def test_a_line_update_of_a_line_not_stored_writes_nothing(store_target):
    store = StateStore(store_target())
    stored_order(store)
    before = store.order_lines("acme", "PO-1")
    with pytest.raises(StateConflict):
        store.apply(Plan(line_updates=(("acme", "PO-1", 1, LineState.INVOICED.value, "4", "r2"),
                                       ("acme", "PO-1", 3, LineState.INVOICED.value, "1", "r2"))), run_id="r2")
    assert store.order_lines("acme", "PO-1") == before


def test_many_line_updates_of_lines_of_this_run_and_earlier_runs(store_target):
    """Hundreds of lines, a hundred per statement on SQLite: whether a line's run_id already is the
    update's (kept untouched) or not (set), in batches of only the one, only the other or both, every
    line ends with the update's state, invoiced units and run; a line not stored among lines that keep
    their run still rolls everything back."""
    store = StateStore(store_target())
    runs = ["r2"] * 150 + ["r1"] * 150 + [("r1", "r2")[n % 2] for n in range(100)] + ["r2"] * 100 + ["r1"] * 30
    record = OrderRecord("acme", "PO-9", OrderState.RECEIVED, order_ref="1-1-9", lines_key="k")
    lines = tuple(LineRecord("acme", "PO-9", n, LineState.SHIPPED, line_id=str(n), sku=f"SKU-{n}", ordered=Decimal(4),
                             unit="EA", unit_price=Decimal("2.5"), allocated=4, shipped=Decimal(4), run_id=run)
                  for n, run in enumerate(runs, start=1))
    store.apply(Plan(transitions=(create(record, at=AT, run_id="r1", note="received"),),
                     lines=(OrderLines("acme", "PO-9", lines),)), run_id="r1")
    before = store.order_lines("acme", "PO-9")
    updates = tuple(("acme", "PO-9", n, LineState.INVOICED.value, str(n % 4 + 1), "r2")
                    for n in range(1, len(runs) + 1))
    with pytest.raises(StateConflict):
        store.apply(Plan(line_updates=(*updates[:120], ("acme", "PO-9", 999, "invoiced", "1", "r2"), *updates[120:])),
                    run_id="r2")
    assert store.order_lines("acme", "PO-9") == before
    store.apply(Plan(line_updates=updates), run_id="r2")
    after = store.order_lines("acme", "PO-9")
    assert after == [LineRecord(**{**{f: getattr(was, f) for f in was.__slots__}, "state": LineState.INVOICED,
                                   "invoiced": Decimal(was.line_number % 4 + 1), "run_id": "r2"}) for was in before]


def test_line_updates_whose_values_differ_line_by_line(store_target):
    """States, invoiced units and runs that differ from line to line (none the same in every update: each
    bound per line, as a value the same in every update is written once) set each line's own."""
    store = StateStore(store_target())
    record = OrderRecord("acme", "PO-7", OrderState.RECEIVED, order_ref="1-1-7", lines_key="k")
    lines = tuple(LineRecord("acme", "PO-7", n, LineState.SHIPPED, line_id=str(n), ordered=Decimal(4), unit="EA",
                             unit_price=Decimal("2.5"), allocated=4, shipped=Decimal(4), run_id=("r1", "r2")[n % 2])
                  for n in range(1, 251))
    store.apply(Plan(transitions=(create(record, at=AT, run_id="r1", note="received"),),
                     lines=(OrderLines("acme", "PO-7", lines),)), run_id="r1")
    before = store.order_lines("acme", "PO-7")
    states = (LineState.INVOICED, LineState.CLOSED)
    updates = tuple(("acme", "PO-7", n, states[n % 3 == 0].value, "4", ("r2", "r3")[n % 5 == 0])
                    for n in range(1, 251))
    store.apply(Plan(line_updates=updates), run_id="r2")
    assert store.order_lines("acme", "PO-7") == [
        LineRecord(**{**{f: getattr(was, f) for f in was.__slots__}, "state": states[was.line_number % 3 == 0],
                      "invoiced": Decimal(4), "run_id": ("r2", "r3")[was.line_number % 5 == 0]}) for was in before]


def _as_table(updates) -> pa.Table:
    return pa.Table.from_pylist([dict(zip(LINE_UPDATES.names, u, strict=True)) for u in updates], schema=LINE_UPDATES)


@pytest.mark.parametrize("shape", ["one table", "tables and rows", "one row"])
@pytest.mark.parametrize("values", ["the same", "line by line"])
def test_line_update_tables_set_what_line_updates_set(store_target, shape, values):
    """Plan.line_update_tables (the 810s' lines as columns) leave the lines as the same updates given
    as Plan.line_updates do: one table (its bound values read from its columns, a column of one value
    written once), several tables with rows, a single line; states, invoiced units (none too) and runs
    the same in every update or differing; a line not stored among them rolls everything back."""
    n_lines = 1 if shape == "one row" else 260
    runs = [("r1", "r2")[n % 3 == 0] for n in range(1, n_lines + 1)]
    states = (LineState.INVOICED.value, LineState.CLOSED.value)
    if values == "the same":
        updates = [("acme", "PO-5", n, states[0], "4", "r2") for n in range(1, n_lines + 1)]
    else:
        updates = [("acme", "PO-5", n, states[n % 4 == 0], None if n % 7 == 0 else str(n % 5 + 1),
                    ("r2", "r3")[n % 6 == 0]) for n in range(1, n_lines + 1)]
    outcome = {}
    for how in ("rows", "columns"):
        store = StateStore(store_target(how))
        record = OrderRecord("acme", "PO-5", OrderState.RECEIVED, order_ref="1-1-5", lines_key="k")
        lines = tuple(LineRecord("acme", "PO-5", n, LineState.SHIPPED, line_id=str(n), ordered=Decimal(4), unit="EA",
                                 unit_price=Decimal("2.5"), allocated=4, shipped=Decimal(4), run_id=run)
                      for n, run in enumerate(runs, start=1))
        store.apply(Plan(transitions=(create(record, at=AT, run_id="r1", note="received"),),
                         lines=(OrderLines("acme", "PO-5", lines),)), run_id="r1")
        if how == "rows":
            plan = Plan(line_updates=tuple(updates))
        elif shape == "tables and rows":
            plan = Plan(line_updates=tuple(updates[:10]), line_update_tables=(_as_table(updates[10:150]),
                                                                              _as_table(updates[150:])))
        else:
            before = store.order_lines("acme", "PO-5")
            with pytest.raises(StateConflict):
                store.apply(Plan(line_update_tables=(_as_table([*updates, ("acme", "PO-5", 999, "invoiced", "1",
                                                                           "r2")]),)), run_id="r2")
            assert store.order_lines("acme", "PO-5") == before
            plan = Plan(line_update_tables=(_as_table(updates),))
        store.apply(plan, run_id="r2")
        outcome[how] = store.order_lines("acme", "PO-5")
        store.close()
    assert outcome["columns"] == outcome["rows"]
    assert [(ln.state.value, decimal_text(ln.invoiced), ln.run_id) for ln in outcome["rows"]] == [
        (u[3], u[4] or "0", u[5]) for u in updates]  # (no invoiced units read as 0)
