"""engine.answer's small pure decisions, directly."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pyarrow as pa

from engine.answer import LINE_STATUS, LineStatus, order_values, status_rows, tells_something_new
from engine.po_ack import AckPart, LineAck
from schemas.lifecycle import LineRecord, LineState
from schemas.orders import MONEY


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


def test_a_line_answered_at_our_price_is_news_when_the_partner_asked_another():
    """IP at our 470.40 before and after: news when the partner's price moved (39.20 -> 39.50 PE: the 865
    alone would say 'accepted as asked'), or ours did; not when only the quantity or a date changed."""
    ours = LineStatus(1, LineAck("IP", Decimal(2), Decimal("470.4"), parts=(AckPart("IP", Decimal(2)),)),
                      Decimal(2), 24, 0, 0, None, "", "")
    told = LineRecord("p", "PO", 1, LineState.ALLOCATED, ack="IP", allocated=24, unit_price=Decimal("39.2"),
                      ack_price=Decimal("470.4"))
    assert not tells_something_new(ours, told)
    assert not tells_something_new(ours, told, Decimal("39.2"))
    assert tells_something_new(ours, told, Decimal("39.5"))
    assert tells_something_new(ours, replace(told, ack_price=Decimal("465")), Decimal("39.2"))
    accepted = LineStatus(1, LineAck("IA", Decimal(2), parts=(AckPart("IA", Decimal(2)),)), Decimal(2), 24, 0, 0,
                          None, "", "")
    assert not tells_something_new(accepted, replace(told, ack="IA", ack_price=None), Decimal("39.5"))


def test_order_value_uses_our_price_where_we_changed_it():
    statuses = [status([AckPart("IA", Decimal(10))], 10, line=1),
                status([AckPart("BP", Decimal(3)), AckPart("IB", Decimal(2))], 3, 2, line=2),
                status([AckPart("IA", Decimal(4))], 4, line=3)]
    table = pa.Table.from_pylist(status_rows("acme", "PO-1", statuses), schema=LINE_STATUS)
    theirs = pa.array([Decimal("2.50"), Decimal("4.90"), None], MONEY)
    ours = pa.array([None, Decimal("4.72"), Decimal(0)], MONEY)  # a line 3 with no price at all adds 0
    assert order_values(table, theirs, ours, [(0, 3)]) == [Decimal("25.00") + Decimal("23.60")]
    assert order_values(table, theirs, ours, [(0, 1), (1, 1)]) == [Decimal("25.00"), Decimal(0)]
