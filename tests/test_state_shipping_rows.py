"""The rows the state store writes for a plan's shipments and invoices (shipment_lines, invoice_lines),
built a column at a time: the same rows, in the same order, as one tuple per line gives (lines numbered
from 1 in each shipment, decimals as their stored text), a shipment or invoice without lines adding none."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from decimal import Decimal

from connectors.state import (
    CARTON_COLUMNS,
    INVOICE_COLUMNS,
    INVOICE_LINE_COLUMNS,
    SHIPMENT_COLUMNS,
    SHIPPED_LINE_COLUMNS,
    StateStore,
    _carton_rows,
    _dtexts,
    _invoice_line_columns,
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


def _invoice(number: str, *lines: InvoicedLine, po: str = "PO-1") -> InvoiceRecord:
    return InvoiceRecord("acme", number, po, date(2026, 11, 27), lines, Decimal(0), Decimal(0), Decimal(0),
                         f"810:{number}")


def _invoice_rows(invoices: list[InvoiceRecord]) -> list[tuple]:
    """The invoice_lines rows the store must hold for these invoices, built line by line (the oracle)."""
    return [(v.invoice_number, n, line_id, decimal_text(q), unit, decimal_text(price), decimal_text(amount),
             decimal_text(weight), weight_unit or None)
            for v in invoices for n, line_id, q, unit, price, amount, weight, weight_unit in v.lines]


def test_invoice_lines_columns_are_each_lines_row_in_order():
    invoices = [_invoice("INV1", InvoicedLine(1, "L1", Decimal("2.0"), "EA", Decimal("2.50"), Decimal("5.00")),
                         InvoicedLine(3, "L3", Decimal(1), "CS", Decimal("0.10"), Decimal("0.10"))),
                _invoice("INV2"), _invoice("INV3", InvoicedLine(2, "", Decimal(7), "", Decimal(1), Decimal(7)),
                                           # a catch-weight line: 3 CA billed by 42.35 LB at 3.49 per pound
                                           InvoicedLine(4, "4", Decimal(3), "CA", Decimal("3.49"), Decimal("147.80"),
                                                        Decimal("42.3500"), "LB"))]
    expected = _invoice_rows(invoices)
    assert list(zip(*_invoice_line_columns(invoices, _dtexts()), strict=True)) == expected
    assert [r[0] for r in expected] == ["INV1", "INV1", "INV3", "INV3"]
    assert [r[-2:] for r in expected] == [(None, None), (None, None), (None, None), ("42.35", "LB")]
    assert _invoice_line_columns([_invoice("INV2")], _dtexts()) == []


def test_a_runs_invoices_are_stored_as_their_rows(store_target):
    """SQLite writes a run's invoices and their lines as columns (one-value columns - the run, the date, the
    net weight of lines billed by quantity - as literals), PostgreSQL copies the rows: either way each table
    holds exactly the rows built invoice by invoice, with their types; a run billing one line by weight binds
    its weight column, one billing none writes it as null."""
    store = StateStore(store_target())
    plain = [_invoice(f"INV{k:04d}", *(InvoicedLine(i, f"L{i}", Decimal(i) / 4, "EA", Decimal("2.50"),
                                                    Decimal(i) * Decimal("0.625")) for i in range(1, 4)),
                      po=f"PO-{k}") for k in range(400)]  # more rows than one statement takes
    weighed = [_invoice("INV9000", InvoicedLine(1, "1", Decimal(3), "CA", Decimal("3.49"), Decimal("147.80"),
                                                Decimal("42.3500"), "LB"),
                        InvoicedLine(2, "", Decimal(1), "", Decimal(1), Decimal(1)), po="PO-W")]
    store.apply(Plan(invoices=tuple(plain)), at="2026-11-28T02:00:00", run_id="r1")
    store.apply(Plan(invoices=tuple(weighed)), at="2026-11-28T02:00:00", run_id="r1")
    invoices = plain + weighed
    heads = [(v.invoice_number, v.partner, v.po_number, v.invoice_date.isoformat(), v.warehouse,
              v.shipment_id, v.currency, decimal_text(v.merchandise), decimal_text(v.charges),
              decimal_text(v.total), v.doc_key, v.created_at, v.run_id) for v in invoices]
    for table, columns, rows, order in (("invoices", INVOICE_COLUMNS, heads, "invoice_number"),
                                        ("invoice_lines", INVOICE_LINE_COLUMNS, _invoice_rows(invoices),
                                         "invoice_number, line_number")):
        stored = [tuple(r) for r in store._q(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")]
        assert stored == rows, table
        assert [tuple(map(type, r)) for r in stored] == [tuple(map(type, r)) for r in rows], table
    assert stored[-2][-2:] == ("42.35", "LB") and stored[0][-2:] == (None, None)
    store.close()


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


def test_batch_lines_are_written_from_their_columns_as_each_line_would_be():
    """An 810 written with its batch holds its lines as the batch's columns (BatchLines: rows start:end of the
    texts the store writes); mixed with invoices holding InvoicedLines, in plan order, skipping rows of the batch no
    invoice planned (an 810 of it refused), from two batches: the rows the lines themselves give, in order."""
    from schemas.shipment_records import BatchLines

    made = [InvoicedLine(1, "L1", Decimal("2.0"), "EA", Decimal("2.50"), Decimal("5.00")),
            InvoicedLine(2, "", Decimal(3), "CS", Decimal("0.10"), Decimal("0.30")),
            InvoicedLine(1, "A", Decimal("1.5"), "EA", Decimal(4), Decimal("6.00")),
            InvoicedLine(5, "5", Decimal(7), "EA", Decimal("1.25"), Decimal("8.75"))]
    texts = [[ln[c] for ln in made] for c in range(2)] + [
        [decimal_text(ln[c]) if c != 3 else ln[c] for ln in made] for c in range(2, 6)]
    other = [[9], ["L9"], ["1"], ["EA"], ["3"], ["3"]]  # a second batch's columns: one line

    def batch(cols, lines, a, b):
        return BatchLines(cols, lambda a, b: tuple(lines[a:b]), a, b)

    alone = (InvoicedLine(4, "4", Decimal(3), "CA", Decimal("3.49"), Decimal("147.80"), Decimal("42.3500"), "LB"),)
    invoices = [_invoice("INV1", *()), _invoice("INV2", *alone)]
    invoices[0] = replace(invoices[0], lines=batch(texts, made, 0, 2))
    invoices += [replace(_invoice("INV3"), lines=batch(texts, made, 3, 4)),  # (rows 2:3: an 810 refused)
                 replace(_invoice("INV4"), lines=batch(other, [InvoicedLine(9, "L9", Decimal(1), "EA", Decimal(3),
                                                                            Decimal(3))], 0, 1)),
                 _invoice("INV5", *alone), replace(_invoice("INV6"), lines=batch(texts, made, 2, 3))]
    expected = _invoice_rows(invoices)  # (iterating BatchLines makes its InvoicedLines)
    assert [r[:2] for r in expected] == [("INV1", 1), ("INV1", 2), ("INV2", 4), ("INV3", 5), ("INV4", 9),
                                         ("INV5", 4), ("INV6", 1)]
    assert list(zip(*_invoice_line_columns(invoices, _dtexts()), strict=True)) == expected
    third = invoices[2].lines
    assert invoices[0].lines == tuple(made[:2]) and len(third) == 1 and third == (made[3],) == tuple(third)
    assert third != (made[2],) and hash(third) == hash((made[3],))


def test_a_runs_batch_invoices_are_stored_as_their_lines_rows(store_target):
    """A run's 810s written with their batch (BatchLines: their lines as the batch's columns), with one built
    alone between them, stored on either back end (SQLite as columns, PostgreSQL copied): invoice_lines holds the
    rows their lines give one by one, with their types."""
    from schemas.shipment_records import BatchLines

    store = StateStore(store_target())
    made = [InvoicedLine(i % 20 + 1, f"L{i % 20 + 1}", Decimal(i % 7 + 1) / 2, "EA", Decimal("2.50"),
                         (Decimal(i % 7 + 1) / 2 * Decimal("2.50")).quantize(Decimal("0.01"))) for i in range(1200)]
    texts = [[ln[c] for ln in made] for c in range(2)] + [
        [decimal_text(ln[c]) if c != 3 else ln[c] for ln in made] for c in range(2, 6)]
    invoices = [replace(_invoice(f"INV{k:04d}", po=f"PO-{k}"), lines=BatchLines(
        texts, lambda a, b: tuple(made[a:b]), 20 * k, 20 * k + 20)) for k in range(60) if k != 7]  # (7: refused)
    invoices.insert(30, _invoice("INV9000", InvoicedLine(1, "1", Decimal(3), "CA", Decimal("3.49"), Decimal("147.80"),
                                                         Decimal("42.3500"), "LB"), po="PO-W"))
    store.apply(Plan(invoices=tuple(invoices)), at="2026-11-28T02:00:00", run_id="r1")
    rows = _invoice_rows(invoices)
    stored = [tuple(r) for r in store._q(f"SELECT {', '.join(INVOICE_LINE_COLUMNS)} FROM invoice_lines ORDER BY"
                                         " invoice_number, line_number")]
    assert len(rows) == 59 * 20 + 1 and stored == sorted(rows, key=lambda r: (r[0], r[1]))
    assert [tuple(map(type, r)) for r in stored] == [tuple(map(type, r)) for r in sorted(rows, key=lambda r: r[:2])]
    store.close()
