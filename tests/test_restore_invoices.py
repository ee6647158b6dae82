"""engine.lifecycle.restore_invoices (pure): the 810s found in the outboxes recorded as the store's invoices by `state
rebuild`. An 810 the store's lines can bill moves its lines and order as the invoice stage does; one the partner got
but the lines cannot bill (more than shipped, a line the order does not hold, no order) is refused with why, never
raised; an 810 naming no shipment (billed per order) bills the order's shipments of that PO alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.lifecycle.restore_invoices import plan_sent_invoices
from schemas.lifecycle import LineRecord, LineState, OrderRecord, OrderState
from schemas.shipment_records import InvoicedLine, InvoiceRecord, ShipmentRecord, ShippedLine

KEY = ("globex", "PO-1")
RECORD = OrderRecord("globex", "PO-1", OrderState.SHIPPED, revision=2)
LINES = {KEY: (LineRecord("globex", "PO-1", 1, LineState.SHIPPED, line_id="1", ordered=Decimal(48), unit="EA",
                          allocated=48, shipped=Decimal(48)),
               LineRecord("globex", "PO-1", 2, LineState.SHIPPED, line_id="2", ordered=Decimal(10), unit="EA",
                          allocated=10, shipped=Decimal(10)))}


def _shipment(sid: str, *pos: str) -> ShipmentRecord:
    return ShipmentRecord("north", sid, "globex", date(2026, 11, 27), tuple(
        ShippedLine(po, 1, "1", "SKU-1", Decimal(1), "EA") for po in pos), billing="order")


SHIPMENTS = {KEY: (_shipment("S1", "PO-1"), _shipment("S2", "PO-1"), _shipment("S3", "PO-1", "PO-2"))}


def _invoice(number: str, *lines: tuple[int, int], po: str = "PO-1") -> InvoiceRecord:
    billed = tuple(InvoicedLine(n, str(n), Decimal(q), "EA", Decimal(2), Decimal(2 * q)) for n, q in lines)
    total = sum((b.amount for b in billed), Decimal(0))
    return InvoiceRecord("globex", number, po, date(2026, 11, 29), billed, total, Decimal(0), total,
                         f"sent:globex-810-{number}.x12:1", currency="USD")


def test_an_order_invoiced_in_full_moves_its_lines_and_bills_its_own_shipments():
    done = plan_sent_invoices([_invoice("INV1", (1, 48), (2, 10))], records={KEY: RECORD}, lines=LINES,
                              shipments=SHIPMENTS, at="2026-12-07T10:00:00", run_id="rebuild")
    assert not done.refused and [v.invoice_number for v in done.plan.invoices] == ["INV1"]
    # the shipments of this PO alone (S3 carries another PO too: the invoice stage bills it once that one is)
    assert done.plan.billed == (("north", "S1"), ("north", "S2"))
    [updates] = done.plan.line_update_tables
    assert updates.select(["line_number", "state", "invoiced"]).to_pylist() == [
        {"line_number": 1, "state": "invoiced", "invoiced": "48"}, {"line_number": 2, "state": "invoiced",
                                                                     "invoiced": "10"}]
    [moved] = done.plan.decided
    assert "invoiced" in str(moved)


def test_an_810_the_lines_cannot_bill_is_refused_with_why_and_the_others_recorded():
    done = plan_sent_invoices([_invoice("INV1", (1, 40)), _invoice("INV2", (1, 10)), _invoice("INV3", (7, 1)),
                               _invoice("INV4", (1, 1), po="PO-9")], records={KEY: RECORD}, lines=LINES,
                              shipments=SHIPMENTS, at="2026-12-07T10:00:00", run_id="rebuild")
    assert [v.invoice_number for v in done.plan.invoices] == ["INV1"]
    assert [(v.invoice_number, why) for v, why in done.refused] == [
        ("INV2", "line 1 would be invoiced 50 of 48 shipped"), ("INV3", "line 7 is on no line of the order"),
        ("INV4", "no order holds its PO")]
    [updates] = done.plan.line_update_tables
    # line 1 invoiced 40 of 48: still shipped (the order invoiced in part)
    assert updates.select(["line_number", "state", "invoiced"]).to_pylist() == [
        {"line_number": 1, "state": "shipped", "invoiced": "40"}]
