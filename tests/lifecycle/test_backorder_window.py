"""A backorder whose ship window has not opened, placed by a later run's stock (engine.lifecycle.backorders): the
units are reserved for it (kept from orders asked for later) and not released to ship before the window: the line
keeps its promise, the day it ships, even once nothing of it waits; a line whose window is open ships as any."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from engine.lifecycle.backorders import plan_backorders
from schemas.lifecycle import LineRecord, LineState, Reservation
from tests.lifecycle.helpers import AT, RUN, record

OPENS = date(2026, 12, 15)


def _placed(*rows: tuple[int, int]) -> pa.Table:
    """Allocation rows placing ``units`` of each (line, units) in EAST."""
    return pa.table({"partner": ["acme"] * len(rows), "po_number": ["PO-1"] * len(rows),
                     "line_number": [n for n, _u in rows], "sku": ["SKU-1"] * len(rows),
                     "warehouse": ["EAST"] * len(rows), "allocated": [u for _n, u in rows]})


def _plan(opens: dict | None, *, complete: bool = False):
    order = record()
    lines = (LineRecord("acme", "PO-1", 1, LineState.BACKORDERED, line_id="1", sku="SKU-1", allocated=24,
                        backordered=12, promised_date=OPENS, warehouses="EAST"),
             LineRecord("acme", "PO-1", 2, LineState.BACKORDERED, line_id="2", sku="SKU-1", backordered=6,
                        promised_date=date(2026, 12, 20)))
    held = (Reservation("acme", "PO-1", 1, "EAST", "SKU-1", 24),)
    plan = plan_backorders([order], lines={order.key: lines}, reservations={order.key: held},
                           allocation=_placed((1, 12), (2, 4)), at=AT, run_id=RUN,
                           opens={order.key: opens} if opens is not None else None,
                           complete={order.key} if complete else ())
    [placed] = plan.lines
    [t] = plan.transitions
    return {ln.line_number: ln for ln in placed.lines}, plan.reservations[0].rows, t.events[-1].note


def test_a_backorder_placed_before_its_window_opens_is_reserved_and_keeps_its_promise():
    lines, reserved, note = _plan({1: OPENS, 2: OPENS})
    assert (lines[1].allocated, lines[1].backordered, lines[1].state, lines[1].promised_date) == (
        36, 0, LineState.ALLOCATED, OPENS)  # reserved whole, to ship on its promise, not before
    assert (lines[2].allocated, lines[2].backordered, lines[2].promised_date) == (4, 2, date(2026, 12, 20))
    assert {(r.line_number, r.quantity) for r in reserved} == {(1, 36), (2, 4)}
    assert "line 1's 12 reserved before its ship window opens (2026-12-15): kept for it, to ship 2026-12-15" in note
    assert "line 2's 4 reserved before its ship window opens (2026-12-15): kept for it, to ship 2026-12-20" in note


def test_a_backorder_whose_window_is_open_is_placed_undated_as_before():
    lines, reserved, note = _plan(None)
    assert (lines[1].allocated, lines[1].backordered, lines[1].promised_date) == (36, 0, None)
    assert {(r.line_number, r.quantity) for r in reserved} == {(1, 36), (2, 4)}
    assert "before its ship window" not in note


def test_an_order_that_ships_complete_keeps_the_window_of_a_line_reserved_before_it():
    """Line 1 of an order that ships complete (CSH01 SC) is reserved whole before its window opens; line 2 still waits:
    every line keeps the order's day, the latest promise, 12-20; once nothing waits (line 2 placed whole), the order
    ships complete now but line 1 still ships on its promise, not before its window."""
    lines, _reserved, _note = _plan({1: OPENS}, complete=True)
    assert (lines[1].promised_date, lines[2].promised_date) == (date(2026, 12, 20), date(2026, 12, 20))
    order = record()
    stored = (LineRecord("acme", "PO-1", 1, LineState.BACKORDERED, line_id="1", sku="SKU-1", allocated=24,
                         backordered=12, promised_date=OPENS),
              LineRecord("acme", "PO-1", 2, LineState.BACKORDERED, line_id="2", sku="SKU-1", backordered=4,
                         promised_date=date(2026, 12, 10)))
    plan = plan_backorders([order], lines={order.key: stored}, reservations={order.key: ()},
                           allocation=_placed((1, 12), (2, 4)), at=AT, run_id=RUN, opens={order.key: {1: OPENS}},
                           complete={order.key})
    placed = {ln.line_number: ln for ln in plan.lines[0].lines}
    assert (placed[1].backordered, placed[1].promised_date) == (0, OPENS)
    assert (placed[2].backordered, placed[2].promised_date) == (0, None)
