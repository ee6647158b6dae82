"""engine.answer's small pure decisions, directly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.answer import LineStatus, order_value, tells_something_new
from engine.decide import LineDecision, OrderDecision
from engine.po_ack import AckPart, LineAck
from schemas.lifecycle import LineRecord, LineState


def status(parts, allocated=0, backordered=0, line=1):
    return LineStatus(line, LineAck(parts[0].status, parts=tuple(parts)), Decimal(allocated + backordered),
                      allocated, backordered, 0, None, "", "")


def test_tells_something_new():
    full = status([AckPart("IA", Decimal(24))], allocated=24)
    partial = status([AckPart("BP", Decimal(24)), AckPart("IB", Decimal(12), date(2026, 12, 4))], 24, 12)
    assert not tells_something_new(full, None)  # an added line, simply accepted
    assert tells_something_new(partial, None)  # an added line that is partly backordered
    same = LineRecord("p", "PO", 1, LineState.BACKORDERED, ack="BP+IB", allocated=24, backordered=12)
    assert not tells_something_new(partial, same)  # the partner already knows this
    before = LineRecord("p", "PO", 1, LineState.ALLOCATED, ack="IA", allocated=36)
    assert tells_something_new(partial, before)


def test_order_value_uses_our_price_where_we_changed_it():
    decision = OrderDecision("acme", "PO-1", "r", "f", "accepted",
                             lines=[LineDecision(1, "IA", "accept", Decimal(10), None),
                                    LineDecision(2, "IP", "change_price", Decimal(5), Decimal("4.72"))])
    rows = [{"line_number": 1, "unit_price": Decimal("2.50")}, {"line_number": 2, "unit_price": Decimal("4.90")}]
    statuses = [status([AckPart("IA", Decimal(10))], 10, line=1),
                status([AckPart("BP", Decimal(3)), AckPart("IB", Decimal(2))], 3, 2, line=2)]
    assert Decimal(order_value(statuses, rows, decision)) == Decimal("25.00") + Decimal("23.60")
