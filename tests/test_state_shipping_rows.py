"""The rows the state store writes for a plan's shipments and invoices (shipment_lines, invoice_lines),
built a column at a time: the same rows, in the same order, as one tuple per line gives (lines numbered
from 1 in each shipment, decimals as their stored text), a shipment or invoice without lines adding none."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from connectors.state import (
    CARTON_COLUMNS,
    SHIPMENT_COLUMNS,
    SHIPPED_LINE_COLUMNS,
    StateStore,
    _carton_rows,
    _dtexts,
    _invoice_line_rows,
    _same_values,
    _shipment_row,
    _shipped_line_columns,
    _shipped_line_rows,
)
from schemas.lifecycle import Plan, decimal_text
from schemas.shipment_records import InvoicedLine, InvoiceRecord, RecordedCarton, ShipmentRecord, ShippedLine


def _line_rows(shipments: list[ShipmentRecord]) -> list[tuple]:
    """The shipment_lines rows the store must hold for these shipments, built line by line (the oracle)."""
    return [(r.warehouse, r.shipment_id, i, r.partner, ln.po_number, ln.line_number, ln.line_id, ln.sku,
             decimal_text(ln.quantity), ln.unit, ln.carton, ln.pallet, ln.row_number, ln.file_segment,
             ln.mark_for_store or None,  # a line without a store: NULL
             None if ln.net_weight is None else decimal_text(ln.net_weight), ln.net_weight_unit or None)
            for r in shipments for i, ln in enumerate(r.lines, start=1)]


def test_shipment_lines_rows_are_each_lines_row_in_order():
    def ship(sid: str, partner: str, *lines: ShippedLine) -> ShipmentRecord:
        return ShipmentRecord("east" if sid != "S3" else "west", sid, partner, date(2026, 11, 27), lines)

    shipments = [
        ship("S1", "acme", ShippedLine("PO-1", 2, "L2", "SKU-2", Decimal("1.50"), "EA", "C1", "P1", 3, None),
             ShippedLine("PO-2", 1, "L1", "SKU-1", Decimal(4), "CS", row_number=4, mark_for_store="0101")),
        ship("S2", "acme"),
        ship("S3", "globex", ShippedLine("PO-9", 7, "", "", Decimal("12.000"), "", file_segment=5,
                                         net_weight=Decimal("42.50"), net_weight_unit="LB"))]
    expected = _line_rows(shipments)
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
                invoice("INV2"), invoice("INV3", InvoicedLine(2, "", Decimal(7), "", Decimal(1), Decimal(7)),
                                         # a catch-weight line: 3 CA billed by 42.35 LB at 3.49 per pound
                                         InvoicedLine(4, "4", Decimal(3), "CA", Decimal("3.49"), Decimal("147.80"),
                                                      Decimal("42.3500"), "LB"))]
    expected = [(v.invoice_number, n, line_id, decimal_text(q), unit, decimal_text(price), decimal_text(amount),
                 decimal_text(weight), weight_unit or None)
                for v in invoices for n, line_id, q, unit, price, amount, weight, weight_unit in v.lines]
    assert _invoice_line_rows(invoices, _dtexts()) == expected
    assert [r[0] for r in expected] == ["INV1", "INV1", "INV3", "INV3"]
    assert [r[-2:] for r in expected] == [(None, None), (None, None), (None, None), ("42.35", "LB")]
    assert _invoice_line_rows([invoice("INV2")], _dtexts()) == []


def _file_of_shipments(n: int) -> list[ShipmentRecord]:
    """A confirmation file's shipments as the ship stage records them: most columns one value in every row
    (the warehouse, partner, lineage, unit, date), some varying, one constant text a literal cannot write
    (a quote), one only nulls, a number column constant (serials' level) and one varying."""
    out = []
    for k in range(n):
        lines = tuple(ShippedLine(f"PO-{k}", i, str(i), f"SKU-{i % 3}", Decimal(i) / 4, "EA", f"C{k}-{i // 2}", "",
                                  i + 2, None, "", None, "") for i in range(1, 5))
        cartons = tuple(RecordedCarton("P", f"C{k}-{j}", f"00614141{k:05d}{j:05d}"[:18], 100 * k + j, "", f"PO-{k}")
                        for j in range(3))
        out.append(ShipmentRecord("east", f"S{k}", "acme", date(2026, 11, 27), lines, cartons, stock_warehouse="EAST",
                                  source_kind="csv", source_file="ship-0001.csv", source_sha256="ab" * 32, isa13="",
                                  ship_time=time(14, 5), carrier_scac="UPSN", service_level="O'Night",
                                  tracking_number=f"1Z{k:016d}", departed_at="2026-11-27T14:05:00",
                                  asn_due_at="2026-11-27T15:05:00", asn_doc_key=f"856:east:S{k}",
                                  asn_at="2026-11-28T02:00:00", late=True, run_id="r1"))
    return out


def test_shipment_lines_columns_are_the_rows_transposed():
    shipments = _file_of_shipments(3) + [ShipmentRecord("west", "S9", "globex", date(2026, 11, 28), (
        ShippedLine("PO-9", 7, "", "", Decimal("12.000"), "", file_segment=5, mark_for_store="0101",
                    net_weight=Decimal("42.50"), net_weight_unit="LB"),))]
    rows = _line_rows(shipments)  # built line by line, not from the columns under test
    assert [list(c) for c in _shipped_line_columns(shipments, _dtexts())] == [list(c) for c in zip(*rows, strict=True)]
    assert _shipped_line_columns(shipments[:0], _dtexts()) == []


def test_a_column_is_a_literal_only_when_every_value_is_one_value_of_one_type():
    assert _same_values(["east", "east", "east"]) == "'east'"
    assert _same_values([None, None]) == "NULL"
    assert _same_values([7, 7]) == "7"
    assert _same_values(["", ""]) == "''"
    assert _same_values(["east"]) is None  # one row: bound
    assert _same_values(["a", "b", "a"]) is None and _same_values(["a", "b", "b"]) is None
    assert _same_values([1, True, 1]) is None  # equal values of two types: each bound as it is
    assert _same_values([Decimal(1), 1]) is None
    assert _same_values(["O'Night", "O'Night"]) is None  # text a literal cannot write safely: bound
    assert _same_values([None, "x", None]) is None


def test_a_files_shipments_are_stored_as_their_rows(store_target):
    """SQLite writes a file's shipments as columns (one-value columns as literals), PostgreSQL copies the
    rows: either way each table holds exactly the rows _shipment_row, _carton_rows and _shipped_line_rows
    give, with their types."""
    store = StateStore(store_target())
    shipments = _file_of_shipments(600)  # more rows than one statement takes
    store.apply(Plan(shipments=tuple(shipments)), at="2026-11-28T02:00:00", run_id="r1")
    text = _dtexts()
    for table, columns, rows, order in (
            ("shipments", SHIPMENT_COLUMNS, [_shipment_row(r) for r in shipments], "warehouse, shipment_id"),
            ("cartons", CARTON_COLUMNS, _carton_rows(shipments, text), "warehouse, shipment_id, label"),
            ("shipment_lines", SHIPPED_LINE_COLUMNS, _shipped_line_rows(shipments, text),
             "warehouse, shipment_id, position")):
        stored = store._q(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
        want = sorted(rows, key=lambda r: tuple(r[columns.index(c.strip())] for c in order.split(",")))
        assert [tuple(r) for r in stored] == want, table
        assert [tuple(map(type, r)) for r in stored] == [tuple(map(type, r)) for r in want], table
    store.close()
