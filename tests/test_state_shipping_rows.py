"""The rows the state store writes for a plan's shipments and invoices (shipment_lines, invoice_lines),
built a column at a time: the same rows, in the same order, as one tuple per line gives (lines numbered
from 1 in each shipment, decimals as their stored text), a shipment or invoice without lines adding none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from connectors.state import _dtexts, _invoice_line_rows, _shipped_line_rows
from schemas.lifecycle import decimal_text
from schemas.shipment_records import InvoicedLine, InvoiceRecord, ShipmentRecord, ShippedLine


def test_shipment_lines_rows_are_each_lines_row_in_order():
    def ship(sid: str, partner: str, *lines: ShippedLine) -> ShipmentRecord:
        return ShipmentRecord("east" if sid != "S3" else "west", sid, partner, date(2026, 11, 27), lines)

    shipments = [
        ship("S1", "acme", ShippedLine("PO-1", 2, "L2", "SKU-2", Decimal("1.50"), "EA", "C1", "P1", 3, None),
             ShippedLine("PO-2", 1, "L1", "SKU-1", Decimal(4), "CS", row_number=4, mark_for_store="0101")),
        ship("S2", "acme"),
        ship("S3", "globex", ShippedLine("PO-9", 7, "", "", Decimal("12.000"), "", file_segment=5,
                                         net_weight=Decimal("42.50"), net_weight_unit="LB"))]
    expected = [(r.warehouse, r.shipment_id, i, r.partner, ln.po_number, ln.line_number, ln.line_id, ln.sku,
                 decimal_text(ln.quantity), ln.unit, ln.carton, ln.pallet, ln.row_number, ln.file_segment,
                 ln.mark_for_store or None,  # a line without a store: NULL
                 None if ln.net_weight is None else decimal_text(ln.net_weight), ln.net_weight_unit or None)
                for r in shipments for i, ln in enumerate(r.lines, start=1)]
    assert _shipped_line_rows(shipments, _dtexts()) == expected
    assert expected[0][:3] == ("east", "S1", 1) and expected[2][:3] == ("west", "S3", 1)
    assert [r[-3] for r in expected] == [None, "0101", None]
    assert [r[-2:] for r in expected] == [(None, None), (None, None), (decimal_text(Decimal("42.50")), "LB")]
    assert _shipped_line_rows([ship("S2", "acme")], _dtexts()) == []


def test_invoice_lines_rows_are_each_lines_row_in_order():
    def invoice(number: str, *lines: InvoicedLine) -> InvoiceRecord:
        return InvoiceRecord("acme", number, "PO-1", date(2026, 11, 27), lines, Decimal(0), Decimal(0), Decimal(0),
                             f"810:{number}")

    invoices = [invoice("INV1", InvoicedLine(1, "L1", Decimal("2.0"), "EA", Decimal("2.50"), Decimal("5.00")),
                        InvoicedLine(3, "L3", Decimal(1), "CS", Decimal("0.10"), Decimal("0.10"))),
                invoice("INV2"), invoice("INV3", InvoicedLine(2, "", Decimal(7), "", Decimal(1), Decimal(7)))]
    expected = [(v.invoice_number, n, line_id, decimal_text(q), unit, decimal_text(price), decimal_text(amount))
                for v in invoices for n, line_id, q, unit, price, amount in v.lines]
    assert _invoice_line_rows(invoices, _dtexts()) == expected
    assert [r[0] for r in expected] == ["INV1", "INV1", "INV3"]
    assert _invoice_line_rows([invoice("INV2")], _dtexts()) == []
