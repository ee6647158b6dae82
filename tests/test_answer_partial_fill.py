"""The ACK01 codes of a line say what happened to each part of its quantity (X12 element 668):
BP (partial shipment, balance backordered) only when the whole balance is backordered; a partial fill
whose balance cannot be placed is IQ (accepted, quantity changed) + IR, never BP + IR."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.answer import ack_parts, line_statuses, status_from_line
from engine.decide import ACCEPTED, LineDecision, OrderDecision
from engine.po_ack import build_855
from schemas.lifecycle import LineRecord, LineState

TODAY = date(2026, 11, 27)
SHIP = date(2026, 12, 10)
RECEIPT = date(2026, 12, 4)


def rows(allocated: int, backordered: int, rejected: int) -> list[dict]:
    ordered = allocated + backordered + rejected
    return [{"line_number": 1, "ordered": ordered, "allocated": allocated, "backordered": backordered,
             "rejected": rejected, "promised_date": RECEIPT if backordered else None,
             "warehouse": "EAST" if allocated else "", "reason": "no_receipt" if rejected else ""}]


def statuses(allocated: int, backordered: int, rejected: int) -> list[tuple[str, Decimal]]:
    qty = Decimal(allocated + backordered + rejected)
    d = OrderDecision("acme", "PO-1", "r", "f", ACCEPTED, lines=[LineDecision(1, "IA", "accept", qty, None)])
    [s] = line_statuses(d, rows(allocated, backordered, rejected), requested_ship=SHIP, today=TODAY)
    return [(p.status, p.quantity) for p in s.ack.parts]


def test_partial_fill_without_expected_receipt_is_quantity_changed_plus_rejected():
    parts = statuses(allocated=24, backordered=0, rejected=12)
    assert parts == [("IQ", Decimal(24)), ("IR", Decimal(12))]
    assert "BP" not in dict(parts)  # "balance backordered" would be false: nothing is backordered


def test_partial_fill_with_whole_balance_backordered_is_bp_plus_ib():
    assert statuses(allocated=24, backordered=12, rejected=0) == [("BP", Decimal(24)), ("IB", Decimal(12))]


def test_partial_fill_with_some_balance_backordered_and_some_not():
    assert statuses(allocated=10, backordered=6, rejected=4) == [("IQ", Decimal(10)), ("IB", Decimal(6)),
                                                                 ("IR", Decimal(4))]


@pytest.mark.parametrize("allocated, backordered, rejected, expected", [
    (36, 0, 0, ["IA"]),
    (0, 36, 0, ["IB"]),
    (0, 0, 36, ["IR"]),
    (0, 20, 16, ["IB", "IR"]),
])
def test_the_other_shapes(allocated, backordered, rejected, expected):
    assert [st for st, _ in statuses(allocated, backordered, rejected)] == expected


def test_quantities_of_the_parts_add_up_to_the_line():
    for a, b, r in [(1, 0, 5), (5, 1, 0), (2, 2, 2), (0, 3, 3)]:
        assert sum(q for _, q in statuses(a, b, r)) == a + b + r


def test_the_855_and_the_stored_status_agree():
    qty = Decimal(36)
    d = OrderDecision("acme", "PO-1", "r", "f", ACCEPTED, lines=[LineDecision(1, "IA", "accept", qty, None)])
    [s] = line_statuses(d, rows(24, 0, 12), requested_ship=SHIP, today=TODAY)
    order = {"po_number": "PO-1", "po_date": TODAY}
    line = {"line_number": 1, "line_id": "1", "quantity": qty, "unit": "EA", "unit_price": Decimal(1),
            "product_ids": []}
    body = build_855(order, [line], [s.ack], today=TODAY)
    assert [seg[:3] for seg in body if seg[0] == "ACK"] == [["ACK", "IQ", "24"], ["ACK", "IR", "12"]]
    stored = LineRecord("acme", "PO-1", 1, LineState.ALLOCATED, ack="+".join(s.ack.statuses()), allocated=24,
                        rejected=12)
    again = status_from_line(stored, qty, SHIP)
    assert [(p.status, p.quantity) for p in again.ack.parts] == [("IQ", Decimal(24)), ("IR", Decimal(12))]


def test_ack_parts_directly():
    assert [p.status for p in ack_parts(5, 0, 0, full_status="IP")] == ["IP"]
