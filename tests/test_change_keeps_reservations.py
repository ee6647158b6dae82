"""An 860 before shipment that raises lines of an answered order: each changed line keeps the stock it holds
and only its new units compete for stock (engine.kept_stock). Re-allocating the changed lines whole, in line
order, let a raised line 1 take a case line 2 held: the buyer was told line 2, promised whole, was now partly
backordered.

ACME's SKU-1003 (UPC 614141100248, a case of 12): 3 cases at EAST, 1 at WEST, 4 more due 12-04."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa

from connectors.state import StateStore
from engine.decide import ACCEPTED, PENDING, REJECTED, OrderDecision
from engine.kept_stock import allocate_keeping, kept_demand, with_kept, without_unkept
from schemas.allocation import AllocationPolicy
from schemas.inventory import ALLOCATION, ALLOCATION_INPUT, EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT
from schemas.lifecycle import Reservation
from tests.test_change_orders import docs
from tests.test_change_units_860 import _changed, _ordered

UPC = "614141100248"


def _lines(ws) -> dict[int, tuple]:
    state = StateStore(ws.state_path)
    try:
        return {ln.line_number: (ln.ordered, ln.allocated, ln.backordered) for ln in state.order_lines("acme", "PO-1")}
    finally:
        state.close()


def _held(ws) -> dict[int, int]:
    state = StateStore(ws.state_path)
    try:
        out: dict[int, int] = {}
        for r in state.reservations_for([("acme", "PO-1")]).get(("acme", "PO-1"), ()):
            out[r.line_number] = out.get(r.line_number, 0) + r.quantity
        return out
    finally:
        state.close()


def test_raising_two_lines_keeps_each_lines_reserved_cases(tmp_path):
    """Line 1 (1 case) raised to 3, line 2 (2 cases) raised to 3: the one free case goes to line 1's new units,
    line 2 keeps its 2 cases (it used to keep 1: 3 cases for line 1, line 2 BP 1 + IB 2)."""
    ws = _ordered(tmp_path, [f"PO1*1*1*CA*470.40*PE*UP*{UPC}", f"PO1*2*2*CA*470.40*PE*UP*{UPC}"])
    assert _lines(ws) == {1: (1, 1, 0), 2: (2, 2, 0)}
    _changed(ws, [f"POC*1*QI*3*2*CA*470.40*PE*UP*{UPC}", f"POC*2*QI*3*1*CA*470.40*PE*UP*{UPC}"])
    assert _lines(ws) == {1: (3, 2, 1), 2: (3, 2, 1)}
    assert _held(ws) == {1: 24, 2: 24}
    revised = [acks for purpose, _t, acks in docs(ws, "855")["PO-1"] if purpose == "05"]
    assert [[a[:3] for a in acks] for acks in revised] == [
        [["BP", "2", "CA"], ["IB", "1", "CA"], ["BP", "2", "CA"], ["IB", "1", "CA"]]]


def test_lowering_a_line_keeps_part_of_its_reservation_and_frees_the_rest(tmp_path):
    """Line 2 lowered from 2 cases to 1 and line 1 raised from 1 to 3: line 2 keeps one of its cases, the
    other is free for line 1's raise (3 cases: line 1 keeps 1, takes the freed and the WEST one)."""
    ws = _ordered(tmp_path, [f"PO1*1*1*CA*470.40*PE*UP*{UPC}", f"PO1*2*2*CA*470.40*PE*UP*{UPC}"])
    _changed(ws, [f"POC*1*QI*3*2*CA*470.40*PE*UP*{UPC}", f"POC*2*QD*1*1*CA*470.40*PE*UP*{UPC}"])
    assert _lines(ws) == {1: (3, 3, 0), 2: (1, 1, 0)}
    assert _held(ws) == {1: 36, 2: 12}


def _input(rows):
    base = {"partner": "acme", "order_ref": "acme|PO-1", "po_number": "PO-1", "requested_ship_date": date(2026, 12, 10),
            "po_date": date(2026, 11, 26), "arrival": 0, "case_pack": 12, "unit_eaches": 12, "deliver_by": None,
            "no_backorder": False}
    return pa.Table.from_pylist([base | {"line_number": n, "sku": s, "quantity": Decimal(q)} for n, s, q in rows],
                                schema=ALLOCATION_INPUT)


def test_kept_demand_cuts_changed_lines_by_what_they_hold_of_their_sku():
    lines = _input([(1, "A", 36), (2, "A", 24), (3, "B", 12)])
    held = {("acme", "PO-1"): (Reservation("acme", "PO-1", 1, "EAST", "A", 12),
                               Reservation("acme", "PO-1", 2, "EAST", "A", 24),
                               Reservation("acme", "PO-1", 2, "WEST", "A", 12),  # more than line 2 now asks
                               Reservation("acme", "PO-1", 3, "EAST", "Z", 12))}  # another product: released
    demand, kept = kept_demand(lines, held, {("acme", "PO-1"): {1, 2, 3}})
    numbers, quantities = demand["line_number"].to_pylist(), demand["quantity"].to_pylist()
    assert [(n, int(q)) for n, q in zip(numbers, quantities, strict=True)] == [(1, 24), (3, 12)]
    assert kept == {("acme|PO-1", 1): [("EAST", "A", 12)], ("acme|PO-1", 2): [("EAST", "A", 24)]}
    # a line not changed keeps nothing here (its reservations stay as stored, it is not allocated)
    assert kept_demand(lines, held, {("acme", "PO-1"): {3}})[1] == {}


def test_with_kept_adds_the_kept_units_to_the_lines_rows():
    lines = _input([(1, "A", 36), (2, "A", 24)])
    row = {"partner": "acme", "order_ref": "acme|PO-1", "po_number": "PO-1", "sku": "A", "rejected": Decimal(0)}
    allocation = pa.Table.from_pylist([
        row | {"line_number": 1, "warehouse": "EAST", "ordered": Decimal(12), "allocated": Decimal(12),
               "backordered": Decimal(0), "promised_date": None, "reason": "partial"},
        row | {"line_number": 1, "warehouse": None, "ordered": Decimal(12), "allocated": Decimal(0),
               "backordered": Decimal(12), "promised_date": date(2026, 12, 4), "reason": "backordered"}],
        schema=ALLOCATION)
    kept = {("acme|PO-1", 1): [("EAST", "A", 12)], ("acme|PO-1", 2): [("WEST", "A", 24)]}
    out = with_kept(allocation, kept, lines).to_pylist()
    assert [(r["line_number"], r["warehouse"], int(r["ordered"]), int(r["allocated"]), int(r["backordered"]))
            for r in out] == [(1, "EAST", 24, 24, 0), (1, None, 12, 0, 12), (2, "WEST", 24, 24, 0)]
    # each line's allocated rows reasoned for the whole line, as engine.allocate does
    assert [r["reason"] for r in out] == ["partial", "backordered", "filled"]


def test_what_a_changed_line_does_not_keep_is_free_for_the_allocation():
    held = {("acme", "PO-1"): (Reservation("acme", "PO-1", 1, "EAST", "A", 24),
                               Reservation("acme", "PO-1", 2, "EAST", "A", 12)),
            ("acme", "PO-2"): (Reservation("acme", "PO-2", 1, "EAST", "A", 12),)}  # not changed: stays taken
    totals = [{"warehouse": "EAST", "sku": "A", "quantity": 48}, {"warehouse": "WEST", "sku": "B", "quantity": 5}]
    kept = {("acme|PO-1", 1): [("EAST", "A", 12)]}  # line 1 lowered to one case, line 2 refused by the rules
    assert without_unkept(totals, held, {("acme", "PO-1"): {1, 2}}, kept) == [
        {"warehouse": "EAST", "sku": "A", "quantity": 24}, {"warehouse": "WEST", "sku": "B", "quantity": 5}]


# --- allocate_keeping: the whole step the decide stage calls, without a store ---------------------------------
_EAST = {"as_of": date(2026, 11, 28), "warehouse": "EAST", "sku": "A", "reserved": 0}
_RECEIPT = pa.Table.from_pylist([{"warehouse": "EAST", "sku": "A", "quantity": 24, "eta": date(2026, 12, 4)}],
                                schema=EXPECTED_RECEIPTS)


def _keeping(lines, held, changed, decisions, *, on_hand=48, reserved=36):
    snapshot = pa.Table.from_pylist([_EAST | {"on_hand": on_hand}], schema=INVENTORY_SNAPSHOT)
    return allocate_keeping(lines, snapshot, _RECEIPT, {"acme": AllocationPolicy()}, decisions=decisions,
                            reserved=[{"warehouse": "EAST", "sku": "A", "quantity": reserved}], held=held,
                            changed=changed, today=date(2026, 11, 28))


def _placed(result) -> list[tuple]:
    return [(r["po_number"], r["line_number"], r["warehouse"], int(r["allocated"]), int(r["backordered"]),
             r["promised_date"], r["reason"]) for r in result.lines.to_pylist()]


def _decision(po, status):
    return OrderDecision("acme", po, f"acme|{po}", "po.x12", status)


def test_allocate_keeping_keeps_held_units_and_frees_a_lowered_lines_surplus():
    """PO-1 line 1 raised from 12 to 36 eaches (holds 12), line 2 lowered from 24 to 12 (holds 24), 48 on hand and
    the order's 36 reserved: line 1 keeps its 12, line 2 keeps 12 and frees 12, and line 1's 24 new units take the
    12 free and the 12 line 2 freed, all from stock (none promised from the receipt)."""
    lines = _input([(1, "A", 36), (2, "A", 12)])
    held = {("acme", "PO-1"): (Reservation("acme", "PO-1", 1, "EAST", "A", 12),
                               Reservation("acme", "PO-1", 2, "EAST", "A", 24))}
    result = _keeping(lines, held, {("acme", "PO-1"): {1, 2}}, [_decision("PO-1", ACCEPTED)])
    assert _placed(result) == [("PO-1", 1, "EAST", 36, 0, None, "filled"), ("PO-1", 2, "EAST", 12, 0, None, "filled")]
    # nothing kept (no line changed): the lines compete whole for the 12 free eaches, line 1 takes them and the
    # receipt's 24, and no receipt is left for line 2 (its 12 rejected)
    plain = _keeping(lines, held, {}, [_decision("PO-1", ACCEPTED)])
    assert _placed(plain) == [("PO-1", 1, "EAST", 12, 0, None, "partial"),
                              ("PO-1", 1, None, 0, 24, date(2026, 12, 4), "backordered"),
                              ("PO-1", 2, None, 0, 0, None, "no_receipt")]
    assert int(plain.lines["rejected"].to_pylist()[2]) == 12


def test_allocate_keeping_frees_what_a_changed_order_held_only_when_it_is_decided_now():
    """PO-1 (24 eaches held by its line 2, an 860 changed it) and a new PO-2 of 24: with 48 on hand and 36 reserved,
    PO-2 gets the 12 free and is promised the receipt for the rest while PO-1 waits for a person (it keeps what it
    holds); once PO-1 is decided (its changed line refused: nothing kept), its 24 are free and PO-2 ships whole."""
    lines = pa.Table.from_pylist([row | {"order_ref": "acme|PO-2", "po_number": "PO-2"}
                                  for row in _input([(1, "A", 24)]).to_pylist()], schema=ALLOCATION_INPUT)
    held = {("acme", "PO-1"): (Reservation("acme", "PO-1", 2, "EAST", "A", 24),)}
    changed = {("acme", "PO-1"): {2}}
    waiting = _keeping(lines, held, changed, [_decision("PO-1", PENDING), _decision("PO-2", ACCEPTED)])
    assert _placed(waiting) == [("PO-2", 1, "EAST", 12, 0, None, "partial"),
                                ("PO-2", 1, None, 0, 12, date(2026, 12, 4), "backordered")]
    decided = _keeping(lines, held, changed, [_decision("PO-1", REJECTED), _decision("PO-2", ACCEPTED)])
    assert _placed(decided) == [("PO-2", 1, "EAST", 24, 0, None, "filled")]
