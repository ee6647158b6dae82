"""A line in cases an 860 raises (or cuts) after part of the order shipped keeps its reservation in eaches, as
reservations count (engine.lifecycle.changes._reserved, reservation_eaches): ACME orders 4 CA of SKU-1003 (12 to the
case, 48 eaches reserved), 2 CA ship and are invoiced (INV0000001), then an 860 raises line 1 to 5 CA. The 2 CA
still reserved (24 eaches) stay so; the change used to cut them to 2 eaches, taking "allocated - shipped" in cases for
eaches, and the next shipment of the 2 CA was held (SHIPMENT_OVER_RESERVED "2 CA (24 eaches) more shipped with only 2
eaches still reserved"): no 810 went. The same with the order held for an allowance added after shipment
(ALLOWANCE_AFTER_SHIPMENT_HELD, tests.test_allowance_after_shipment_held) and approved, and with a line cut after
shipment."""

from __future__ import annotations

from datetime import datetime

from connectors.state import StateStore
from engine import lifecycle
from tests.test_allowance_after_shipment_held import RAISE5, _decide, _further, _held_night
from tests.test_deal_after_shipment import DAY2, _invoices, _ship, changed_after_shipping
from tests.test_promotions_860 import _state

DAY3, NIGHT3 = datetime(2026, 11, 29, 15), datetime(2026, 11, 29, 2)
DAY4 = datetime(2026, 11, 30, 15)
HELD_BACK = ("SHIPMENT_OVER_RESERVED", "SHIPPED_AFTER_CHANGE")


def _line(ws) -> tuple[list[tuple[str, int]], tuple]:
    """PO-1's reservations (warehouse, eaches) and line 1's (ordered, allocated, backordered, shipped)."""
    state = StateStore(ws.state_path)
    try:
        reserved = [(r.warehouse, r.quantity) for r in state.order_reservations("acme", "PO-1")]
        [ln] = state.order_lines("acme", "PO-1")
        return reserved, (int(ln.ordered), ln.allocated, ln.backordered, int(ln.shipped))
    finally:
        state.close()


def _eaches(ws) -> int:
    return sum(q for _, q in _line(ws)[0])


def _held_back(ws) -> list[str]:
    return [m for c, m in _state(ws)[1] if c in HELD_BACK]


def test_a_raise_on_an_order_held_for_an_allowance_then_approved_ships_and_bills_the_2_ca_placed(tmp_path):
    """Held for the 12 % added after shipment, a further 860 raises line 1 to 5 CA: the 2 CA still placed keep their
    24 eaches (the third is backordered, the order held again); approved, the 2 CA ship and their 810 takes the 12 %
    off (INV0000002, 940.80 less 112.90: TDS 827.90). The next night places the third case; it ships and is billed
    (INV0000003, 470.40 less 56.45: TDS 413.95), the order invoiced in full."""
    ws = _held_night(tmp_path)
    assert _eaches(ws) == 24
    _further(ws, [RAISE5])
    assert (_state(ws)[0], _eaches(ws), _line(ws)[1]) == ("held", 24, (5, 4, 1, 2)), _line(ws)
    _decide(ws, lifecycle.VERDICT_APPROVED)
    assert _state(ws)[0] == "partially_shipped"
    _ship(ws, DAY2, "SHP-9002")
    assert _held_back(ws) == []
    invoices = _invoices(ws)
    assert [(n, t) for n, _, t in invoices] == [("INV0000001", "94080"), ("INV0000002", "82790")], invoices
    assert [(s[2], s[5], s[7]) for s in invoices[1][1]] == [("C310", "11290", "12")]
    assert _line(ws)[1][3] == 4
    from tests.support import run_stages

    run_stages(ws, NIGHT3)  # the backordered case is offered stock
    assert (_eaches(ws), _line(ws)[1]) == (12, (5, 5, 0, 4)), _line(ws)
    _ship(ws, DAY3, "SHP-9003", qty=1)
    assert _held_back(ws) == []
    assert [(n, t) for n, _, t in _invoices(ws)][2:] == [("INV0000003", "41395")], _invoices(ws)
    assert (_state(ws)[0], _eaches(ws)) == ("invoiced", 0)


def test_a_raise_in_cases_after_shipment_without_a_hold_ships_and_bills_every_case(tmp_path):
    """No allowance: the 860 raises line 1 to 5 CA after 2 shipped. The 2 CA placed keep their 24 eaches and the new
    case is placed the same night (12 more: 36 for the 3 CA to ship, it used to be 14); the 3 CA ship in one go and are
    billed (INV0000002, 1,411.20), the order invoiced in full."""
    ws = changed_after_shipping(tmp_path, change=(RAISE5,))
    assert (_state(ws)[0], _eaches(ws), _line(ws)[1]) == ("partially_shipped", 36, (5, 5, 0, 2)), _line(ws)
    _ship(ws, DAY2, "SHP-9002", qty=3)
    assert _held_back(ws) == []
    assert [(n, t) for n, _, t in _invoices(ws)] == [("INV0000001", "94080"), ("INV0000002", "141120")], \
        _invoices(ws)
    assert (_state(ws)[0], _eaches(ws)) == ("invoiced", 0)


def test_a_cut_in_cases_after_shipment_keeps_the_eaches_of_the_cases_left(tmp_path):
    """The 860 cuts line 1 from 4 CA to 3 after 2 shipped: the one case left keeps its 12 eaches (it used to keep 1)
    and ships and bills (INV0000002, 470.40) without being held."""
    ws = changed_after_shipping(tmp_path, change=("POC*1*QD*3**CA*470.40*PE*UP*614141100248",))
    assert (_state(ws)[0], _eaches(ws), _line(ws)[1][0]) == ("partially_shipped", 12, 3), _line(ws)
    _ship(ws, DAY2, "SHP-9002", qty=1)
    assert _held_back(ws) == []
    assert [(n, t) for n, _, t in _invoices(ws)] == [("INV0000001", "94080"), ("INV0000002", "47040")], \
        _invoices(ws)
    assert _state(ws)[0] == "invoiced"


def test_a_changed_line_in_cases_shipped_while_held_asks_only_the_eaches_left():
    """engine.kept_stock.allocate_keeping on approval (tests.test_finance2's case, in cases): PO-1's changed line 1
    (3 CA of 12: 36 eaches) shipped 2 CA while its order was held and still holds 12 eaches; PO-2 asks 24 eaches. With
    48 on hand, PO-1 keeps its 12 and asks nothing more (its 2 CA shipped placed as 24 eaches, no warehouse): PO-2 is
    filled. The 2 CA shipped used to be taken off the line's 36 eaches as 2 eaches: it asked 22 more, was placed 34,
    and PO-2 was 10 eaches short."""
    from decimal import Decimal as D

    import pyarrow as pa

    from engine.decide import ACCEPTED, OrderDecision
    from engine.kept_stock import allocate_keeping
    from schemas.allocation import AllocationPolicy
    from schemas.inventory import ALLOCATION_INPUT, EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT
    from schemas.lifecycle import LineRecord, LineState, Reservation

    def line(po: str, eaches: int, per: int | None) -> dict:
        return {"partner": "acme", "order_ref": f"acme|{po}", "po_number": po, "line_number": 1, "sku": "A",
                "quantity": D(eaches), "requested_ship_date": None, "po_date": None, "arrival": 0, "case_pack": None,
                "unit_eaches": per, "deliver_by": None, "no_backorder": False}

    day = datetime(2026, 11, 28).date()
    result = allocate_keeping(
        pa.Table.from_pylist([line("PO-1", 36, 12), line("PO-2", 24, None)], schema=ALLOCATION_INPUT),
        pa.Table.from_pylist([{"as_of": day, "warehouse": "EAST", "sku": "A", "on_hand": 48, "reserved": 0}],
                             schema=INVENTORY_SNAPSHOT),
        EXPECTED_RECEIPTS.empty_table(), {"acme": AllocationPolicy()},
        decisions=[OrderDecision("acme", po, f"acme|{po}", "po.x12", ACCEPTED) for po in ("PO-1", "PO-2")],
        reserved=[{"warehouse": "EAST", "sku": "A", "quantity": 12}],
        held={("acme", "PO-1"): (Reservation("acme", "PO-1", 1, "EAST", "A", 12),)},
        changed={("acme", "PO-1"): {1}}, today=day,
        stored={("acme", "PO-1"): (LineRecord("acme", "PO-1", 1, LineState.PARTIALLY_SHIPPED, sku="A", unit="CA",
                                              ordered=D(3), shipped=D(2)),)})
    assert [(r["po_number"], r["warehouse"], int(r["ordered"]), int(r["allocated"]), int(r["backordered"]),
             r["reason"]) for r in result.lines.to_pylist()] == [
        ("PO-1", None, 24, 24, 0, "2 shipped while held"), ("PO-1", "EAST", 12, 12, 0, "rest: filled"),
        ("PO-2", "EAST", 24, 24, 0, "filled")]
