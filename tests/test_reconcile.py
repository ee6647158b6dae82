"""The line-level four-way match (engine.reconcile): one test per exception type with its amount at
risk computed by hand, the tolerances, evidence, determinism and the quiet case of a clean line."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from engine.reconcile import reconcile
from schemas.errors import ConfigError
from schemas.finance import FinanceSettings
from schemas.reconciliation import EVIDENCE, EXCEPTION_TYPES, EXCEPTIONS, LINE_MATCH
from tests.support_finance import AS_OF, Book, D, document_status

SETTINGS = {"acme": FinanceSettings(), "globex": FinanceSettings()}


def run(book: Book, docs: pa.Table | None = None, settings=None, as_of: datetime = AS_OF):
    t = book.tables()
    return reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"],
                     docs if docs is not None else document_status([]), settings=settings or SETTINGS, as_of=as_of)


def only(result, kind: str) -> dict:
    rows = [r for r in result.exceptions.to_pylist() if r["type"] == kind]
    assert len(rows) == 1, (kind, result.exceptions.select(["type", "po_number", "message"]).to_pylist())
    return rows[0]


def types(result) -> list[str]:
    return sorted(result.exceptions["type"].to_pylist())


def complete(book: Book, po: str, line: int, qty, price, *, partner: str = "acme") -> Book:
    """A line ordered, acknowledged, shipped and invoiced exactly."""
    return (book.order(po, line, qty, price, partner=partner)
            .ack(po, line, "IA", qty, price, partner=partner, promised=date(2026, 11, 20))
            .ship(po, line, qty, shipment=f"S-{po}", shipped_at=datetime(2026, 11, 19, 14, 0), partner=partner)
            .invoice(po, line, qty, price, number=f"INV-{po}", invoice_date=date(2026, 11, 20), partner=partner,
                     shipment=f"S-{po}"))


def test_a_clean_line_raises_nothing_and_lines_up_its_four_sides():
    result = run(complete(Book(), "PO-1", 1, 10, "2.50"))
    assert result.exceptions.num_rows == 0 and result.evidence.num_rows == 0
    assert result.exceptions.schema.equals(EXCEPTIONS) and result.evidence.schema.equals(EVIDENCE)
    assert result.lines.schema.equals(LINE_MATCH)
    [line] = result.lines.to_pylist()
    assert line["ack_code"] == "IA" and line["exceptions"] == 0
    assert [line[k] for k in ("ordered_value", "acknowledged_value", "shipped_value", "invoiced_value")] == \
        [Decimal("25.0000")] * 4


def test_shipped_not_invoiced():
    book = (Book().order("PO-1", 1, 10, "2.50").ack("PO-1", 1, "IA", 10, "2.50", promised=date(2026, 12, 1))
            .ship("PO-1", 1, 10, shipment="S-1", shipped_at=datetime(2026, 12, 1, 15, 0))
            # shipped yesterday: still inside the 2-day grace, not an exception yet
            .order("PO-1", 2, 4, 3).ship("PO-1", 2, 4, shipment="S-2", shipped_at=datetime(2026, 12, 9, 8, 0)))
    result = run(book)
    ex = only(result, "SHIPPED_NOT_INVOICED")
    assert types(result) == ["SHIPPED_NOT_INVOICED"]
    assert (ex["line_number"], ex["quantity_at_risk"], ex["price_at_risk"], ex["amount_at_risk"]) == \
        (1, Decimal(10), Decimal("2.5"), Decimal("25.00"))
    assert (ex["since"], ex["age_days"], ex["state"]) == (date(2026, 12, 1), 9, "open")
    assert "nothing invoiced" in ex["message"]
    assert [e["role"] for e in result.evidence.to_pylist()] == ["ordered", "acknowledged", "shipped"]


def test_invoiced_not_shipped():
    result = run(Book().order("PO-2", 1, 5, 4).invoice("PO-2", 1, 5, 4, number="INV-2", invoice_date=date(2026, 12, 5)))
    ex = only(result, "INVOICED_NOT_SHIPPED")
    assert types(result) == ["INVOICED_NOT_SHIPPED"]
    assert (ex["quantity_at_risk"], ex["price_at_risk"], ex["amount_at_risk"], ex["age_days"]) == \
        (Decimal(5), Decimal(4), Decimal(20), 5)
    ev = result.evidence.to_pylist()
    assert [(e["role"], e["doc_type"], e["document_ref"]) for e in ev] == [("ordered", "850", "PO-2"),
                                                                          ("invoiced", "810", "INV-2")]
    assert ev[1]["file"] == "810-acme-INV-2.x12" and ev[1]["st02"] and ev[1]["isa13"]


@pytest.mark.parametrize("shipped,invoiced,amount,words", [
    (8, 10, Decimal("6.00"), "over-billed by 2"),  # (10 - 8) x 3.00
    (10, 7, Decimal("9.00"), "under-billed by 3"),  # (10 - 7) x 3.00
])
def test_invoiced_quantity_differs_from_shipped(shipped, invoiced, amount, words):
    book = (Book().order("PO-3", 1, 10, 3).ack("PO-3", 1, "IA", 10, 3, promised=date(2026, 11, 25))
            .ship("PO-3", 1, shipped, shipment="S-3", shipped_at=datetime(2026, 11, 25, 10, 0))
            .invoice("PO-3", 1, invoiced, 3, number="INV-3", invoice_date=date(2026, 11, 27), shipment="S-3"))
    result = run(book)
    ex = only(result, "INVOICE_QUANTITY_MISMATCH")
    assert ex["amount_at_risk"] == amount and words in ex["message"] and ex["age_days"] == 13
    # the short shipment of the first case is also a promise missed; nothing else
    assert set(types(result)) <= {"INVOICE_QUANTITY_MISMATCH", "NOT_SHIPPED_BY_PROMISED_DATE"}


def test_invoice_price_differs_from_the_acknowledged_price():
    book = (Book().order("PO-4", 1, 4, 10).ack("PO-4", 1, "IP", 4, "9.50", promised=date(2026, 11, 25))
            .ship("PO-4", 1, 4, shipment="S-4", shipped_at=datetime(2026, 11, 24, 10, 0))
            .invoice("PO-4", 1, 4, 10, number="INV-4", invoice_date=date(2026, 11, 26), shipment="S-4"))
    result = run(book)
    ex = only(result, "INVOICE_PRICE_MISMATCH")
    assert types(result) == ["INVOICE_PRICE_MISMATCH"]
    assert (ex["document_ref"], ex["invoiced_price"], ex["acknowledged_price"]) == \
        ("INV-4", Decimal(10), Decimal("9.5"))
    assert (ex["quantity_at_risk"], ex["price_at_risk"], ex["amount_at_risk"]) == (Decimal(4), Decimal("0.5"),
                                                                                  Decimal("2.00"))
    assert [e["role"] for e in result.evidence.to_pylist()] == ["acknowledged", "invoiced"]
    assert result.evidence.to_pylist()[0]["code"] == "IP"


def test_invoice_price_is_held_against_the_order_without_an_acknowledgment():
    book = (Book().order("PO-4", 1, 2, 10).ship("PO-4", 1, 2, shipment="S-4", shipped_at=datetime(2026, 11, 24))
            .invoice("PO-4", 1, 2, "10.75", number="INV-4", invoice_date=date(2026, 11, 26)))
    ex = only(run(book), "INVOICE_PRICE_MISMATCH")
    assert ex["amount_at_risk"] == Decimal("1.50") and "(ordered)" in ex["message"]


def test_acknowledged_but_not_shipped_past_the_promised_date():
    book = (Book().order("PO-5", 1, 10, 5)
            .ack("PO-5", 1, "BP", 6, 5, promised=date(2026, 12, 1))
            .ack("PO-5", 1, "IB", 4, 5, promised=date(2026, 12, 20))
            .ship("PO-5", 1, 2, shipment="S-5", shipped_at=datetime(2026, 11, 30, 9, 0))
            .invoice("PO-5", 1, 2, 5, number="INV-5", invoice_date=date(2026, 12, 2), shipment="S-5"))
    result = run(book)
    ex = only(result, "NOT_SHIPPED_BY_PROMISED_DATE")
    assert types(result) == ["NOT_SHIPPED_BY_PROMISED_DATE"]
    assert (ex["quantity_at_risk"], ex["amount_at_risk"], ex["since"], ex["age_days"]) == \
        (Decimal(4), Decimal(20), date(2026, 12, 1), 9)  # (6 promised by 12-01 - 2 shipped) x 5.00
    assert ex["ack_code"] == "BP+IB" and ex["acknowledged_quantity"] == Decimal(10)


def test_a_promise_without_a_date_falls_back_to_the_requested_ship_date():
    book = Book().order("PO-5", 1, 3, 2, requested=date(2026, 12, 5)).ack("PO-5", 1, "IA")
    ex = only(run(book), "NOT_SHIPPED_BY_PROMISED_DATE")
    assert (ex["amount_at_risk"], ex["since"]) == (Decimal(6), date(2026, 12, 5))
    assert types(run(Book().order("PO-5", 1, 3, 2).ack("PO-5", 1, "IR"))) == []  # a refused line promises nothing


def test_over_shipment_is_measured_against_the_acknowledged_quantity():
    book = (Book().order("PO-6", 1, 10, "1.50").ack("PO-6", 1, "IQ", 12, "1.50", promised=date(2026, 12, 3))
            .ship("PO-6", 1, 15, shipment="S-6", shipped_at=datetime(2026, 12, 3, 16, 0))
            .invoice("PO-6", 1, 15, "1.50", number="INV-6", invoice_date=date(2026, 12, 4), shipment="S-6")
            # a case-pack round-up acknowledged as IQ 12 and shipped as 12 is no over-shipment
            .order("PO-6", 2, 10, 1).ack("PO-6", 2, "IQ", 12, 1, promised=date(2026, 12, 3))
            .ship("PO-6", 2, 12, shipment="S-6", shipped_at=datetime(2026, 12, 3, 16, 0))
            .invoice("PO-6", 2, 12, 1, number="INV-6", invoice_date=date(2026, 12, 4), shipment="S-6"))
    result = run(book)
    ex = only(result, "OVER_SHIPMENT")
    assert types(result) == ["OVER_SHIPMENT"]
    assert (ex["line_number"], ex["quantity_at_risk"], ex["amount_at_risk"], ex["age_days"]) == \
        (1, Decimal(3), Decimal("4.50"), 7)
    assert "against 12 acknowledged" in ex["message"]


def test_duplicate_invoices_are_found_and_left_out_of_the_quantities():
    book = (Book().order("PO-7", 1, 5, 2).ack("PO-7", 1, "IA", 5, 2, promised=date(2026, 11, 28))
            .ship("PO-7", 1, 5, shipment="S-7", shipped_at=datetime(2026, 11, 28, 10, 0))
            .invoice("PO-7", 1, 5, 2, number="INV-7", invoice_date=date(2026, 11, 29), shipment="S-7")
            # the same invoice number again in a second 810
            .invoice("PO-7", 1, 5, 2, number="INV-7", invoice_date=date(2026, 11, 29), shipment="S-7",
                     sent_at=datetime(2026, 12, 2, 2, 0), doc="810-acme-INV-7-again")
            .order("PO-8", 1, 5, 2).ack("PO-8", 1, "IA", 5, 2, promised=date(2026, 11, 28))
            .ship("PO-8", 1, 5, shipment="S-8", shipped_at=datetime(2026, 11, 28, 10, 0))
            .invoice("PO-8", 1, 5, 2, number="INV-8", invoice_date=date(2026, 11, 29), shipment="S-8")
            # a second invoice number for the same shipment line
            .invoice("PO-8", 1, 5, 2, number="INV-9", invoice_date=date(2026, 12, 3), shipment="S-8"))
    result = run(book)
    assert types(result) == ["DUPLICATE_INVOICE", "DUPLICATE_INVOICE"]
    first, second = result.exceptions.to_pylist()
    assert (first["po_number"], first["document_ref"], first["amount_at_risk"], first["age_days"]) == \
        ("PO-7", "INV-7", Decimal(10), 11)
    assert (second["po_number"], second["document_ref"], second["amount_at_risk"], second["age_days"]) == \
        ("PO-8", "INV-9", Decimal(10), 7)
    assert result.lines.to_pylist()[0]["invoiced_quantity"] == Decimal(5)
    roles = [e["role"] for e in result.evidence.to_pylist() if e["exception_id"] == first["exception_id"]]
    assert roles == ["invoiced", "duplicate"]


def test_documents_rejected_or_unacknowledged_by_the_partner():
    book = (Book().order("PO-9", 1, 3, 7).order("PO-9", 2, 1, 2).ack("PO-9", 1, "IA", 3, 7, promised=date(2026, 12, 9))
            .ack("PO-9", 2, "IA", 1, 2, promised=date(2026, 12, 9))
            .ship("PO-9", 1, 3, shipment="S-9", shipped_at=datetime(2026, 12, 9, 8, 0))
            .ship("PO-9", 2, 1, shipment="S-9", shipped_at=datetime(2026, 12, 9, 8, 0))
            .invoice("PO-9", 1, 2, "4.25", number="INV-10", invoice_date=date(2026, 12, 9), shipment="S-9"))
    asn, inv = book.doc("856-acme-S-9"), book.doc("810-acme-INV-10")
    docs = document_status([
        {"partner": "acme", "doc_type": "856", "functional_id": "SH", **asn, "sent_at": datetime(2026, 12, 9, 9, 0),
         "po_number": "PO-9", "document_ref": "S-9", "status": "rejected", "due_at": datetime(2026, 12, 10, 9, 0),
         "ack_type": "997", "set_status": "R", "group_status": "R", "acked_at": datetime(2026, 12, 9, 11, 0),
         "minutes_to_ack": 120, "ack_late": False, "reasons": "set rejected; MAN02 (data element 88): too short",
         "errors": [], "ack_file": "997-in.x12", "ack_isa13": "000000077", "ack_gs06": "77", "ack_st02": "0001"},
        {"partner": "acme", "doc_type": "810", "functional_id": "IN", **inv, "sent_at": datetime(2026, 12, 9, 2, 0),
         "po_number": "PO-9", "document_ref": "INV-10", "status": "overdue", "due_at": datetime(2026, 12, 10, 2, 0)},
    ])
    result = run(book, docs, settings={"acme": FinanceSettings(price_tolerance_amount=Decimal(3))})
    rejected, overdue = only(result, "DOCUMENT_REJECTED"), only(result, "DOCUMENT_UNACKNOWLEDGED")
    assert types(result) == ["DOCUMENT_REJECTED", "DOCUMENT_UNACKNOWLEDGED"]
    assert (rejected["amount_at_risk"], rejected["line_number"], rejected["document_ref"]) == (Decimal(23), None, "S-9")
    assert "MAN02 (data element 88): too short" in rejected["partner_reasons"] and rejected["age_days"] == 1
    assert (overdue["amount_at_risk"], overdue["document_status"], overdue["age_days"]) == \
        (Decimal("8.50"), "overdue", 0)
    ev = [(e["role"], e["file"]) for e in result.evidence.to_pylist() if e["exception_id"] == rejected["exception_id"]]
    assert ev == [("sent", "856-acme-S-9.x12"), ("partner_ack", "997-in.x12")]


def test_cancelled_after_shipment_and_shipped_after_cancel():
    book = (Book().order("PO-10", 1, 10, 2, cancelled_at=datetime(2026, 12, 5, 12, 0))
            .ship("PO-10", 1, 4, shipment="S-10", shipped_at=datetime(2026, 12, 2, 9, 0))
            .order("PO-11", 1, 5, 2, cancelled_at=datetime(2026, 12, 1, 12, 0))
            .ship("PO-11", 1, 3, shipment="S-11", shipped_at=datetime(2026, 12, 4, 9, 0)))
    result = run(book)
    assert types(result) == ["CANCELLED_AFTER_SHIPMENT", "SHIPPED_AFTER_CANCEL"]
    cas, sac = only(result, "CANCELLED_AFTER_SHIPMENT"), only(result, "SHIPPED_AFTER_CANCEL")
    assert (cas["po_number"], cas["amount_at_risk"], cas["since"], cas["age_days"]) == \
        ("PO-10", Decimal(8), date(2026, 12, 5), 5)
    assert (sac["po_number"], sac["amount_at_risk"], sac["since"], sac["age_days"]) == \
        ("PO-11", Decimal(6), date(2026, 12, 4), 6)
    assert result.lines.to_pylist()[0]["ordered_value"] == Decimal(0)  # a cancelled line is worth nothing ordered


def test_every_exception_type_is_catalogued():
    assert set(EXCEPTION_TYPES) == {
        "SHIPPED_NOT_INVOICED", "INVOICED_NOT_SHIPPED", "INVOICE_QUANTITY_MISMATCH", "INVOICE_PRICE_MISMATCH",
        "NOT_SHIPPED_BY_PROMISED_DATE", "OVER_SHIPMENT", "DUPLICATE_INVOICE", "DOCUMENT_REJECTED",
        "DOCUMENT_UNACKNOWLEDGED", "CANCELLED_AFTER_SHIPMENT", "SHIPPED_AFTER_CANCEL", "INVOICE_TOTAL_MISMATCH",
        "ALLOWANCE_NOT_APPLIED"}


# --- tolerances ---------------------------------------------------------------------------------


def over_shipped(extra) -> Book:
    return (Book().order("PO-T", 1, 10, 2).ack("PO-T", 1, "IA", 10, 2, promised=date(2026, 12, 1))
            .ship("PO-T", 1, 10 + extra, shipment="S-T", shipped_at=datetime(2026, 12, 1))
            .invoice("PO-T", 1, 10 + extra, 2, number="INV-T", invoice_date=date(2026, 12, 2), shipment="S-T"))


@pytest.mark.parametrize("settings,extra,flagged", [
    (FinanceSettings(quantity_tolerance_units=Decimal(1)), 1, False),
    (FinanceSettings(quantity_tolerance_units=Decimal(1)), 2, True),
    (FinanceSettings(quantity_tolerance_percent=Decimal(10)), 1, False),  # 1 of 10 is exactly 10 %
    (FinanceSettings(quantity_tolerance_percent=Decimal(10)), "1.5", True),
    (FinanceSettings(), "0.0001", True),
])
def test_quantity_tolerance(settings, extra, flagged):
    result = run(over_shipped(Decimal(str(extra))), settings={"acme": settings})
    assert ("OVER_SHIPMENT" in types(result)) is flagged


def priced(invoice_price) -> Book:
    return (Book().order("PO-P", 1, 3, 10).ack("PO-P", 1, "IA", 3, 10, promised=date(2026, 12, 1))
            .ship("PO-P", 1, 3, shipment="S-P", shipped_at=datetime(2026, 12, 1))
            .invoice("PO-P", 1, 3, invoice_price, number="INV-P", invoice_date=date(2026, 12, 2), shipment="S-P"))


@pytest.mark.parametrize("settings,price,flagged", [
    (FinanceSettings(price_tolerance_percent=Decimal(1)), "10.10", False),  # exactly 1 %
    (FinanceSettings(price_tolerance_percent=Decimal(1)), "10.1001", True),
    (FinanceSettings(price_tolerance_percent=Decimal(1)), "9.90", False),
    (FinanceSettings(price_tolerance_amount=Decimal("0.05")), "10.05", False),
    (FinanceSettings(price_tolerance_amount=Decimal("0.05")), "9.94", True),
])
def test_price_tolerance(settings, price, flagged):
    assert ("INVOICE_PRICE_MISMATCH" in types(run(priced(price), settings={"acme": settings}))) is flagged


def test_tolerances_are_per_partner():
    book = over_shipped(1)
    for row in book.rows["ordered"] + book.rows["acknowledged"] + book.rows["shipped"] + book.rows["invoiced"]:
        row["partner"] = "globex"
    over_shipped_acme = over_shipped(1)
    book.rows["ordered"] += over_shipped_acme.rows["ordered"]
    book.rows["acknowledged"] += over_shipped_acme.rows["acknowledged"]
    book.rows["shipped"] += over_shipped_acme.rows["shipped"]
    book.rows["invoiced"] += over_shipped_acme.rows["invoiced"]
    result = run(book, settings={"acme": FinanceSettings(), "globex": FinanceSettings(quantity_tolerance_units=1)})
    assert [(r["type"], r["partner"]) for r in result.exceptions.to_pylist()] == [("OVER_SHIPMENT", "acme")]


# --- identity, determinism, configuration -------------------------------------------------------


def everything() -> Book:
    book = complete(Book(), "PO-1", 1, 10, "2.50")
    book.order("PO-2", 1, 5, 4).invoice("PO-2", 1, 5, 4, number="INV-2", invoice_date=date(2026, 12, 5))
    book.order("PO-3", 1, 10, 3).ship("PO-3", 1, 10, shipment="S-3", shipped_at=datetime(2026, 11, 25, 10, 0))
    book.order("PO-4", 1, 4, 10).ack("PO-4", 1, "IP", 4, "9.50", promised=date(2026, 12, 25))
    book.ship("PO-4", 1, 6, shipment="S-4", shipped_at=datetime(2026, 11, 24, 10, 0))
    book.invoice("PO-4", 1, 4, 10, number="INV-4", invoice_date=date(2026, 11, 26), shipment="S-4")
    book.order("PO-10", 1, 10, 2, cancelled_at=datetime(2026, 12, 5, 12, 0))
    book.ship("PO-10", 1, 4, shipment="S-10", shipped_at=datetime(2026, 12, 2, 9, 0))
    return book


def test_same_inputs_give_identical_tables_and_ids_in_any_row_order():
    a = run(everything())
    book = everything()
    for rows in book.rows.values():
        rows.reverse()
    b = run(book)
    assert a.exceptions.equals(b.exceptions) and a.evidence.equals(b.evidence) and a.lines.equals(b.lines)
    assert a.exceptions.num_rows >= 5 and len(set(a.exceptions["exception_id"].to_pylist())) == a.exceptions.num_rows
    # a later run clock keeps the ids (the same exceptions are found again), only the ages move
    later = run(everything(), as_of=datetime(2026, 12, 20, 6, 0))
    assert later.exceptions["exception_id"].to_pylist() == a.exceptions["exception_id"].to_pylist()
    assert [x - y for x, y in zip(later.exceptions["age_days"].to_pylist(), a.exceptions["age_days"].to_pylist(),
                                  strict=True)] == [10] * a.exceptions.num_rows


def test_a_partner_without_finance_settings_is_a_config_error():
    with pytest.raises(ConfigError):
        run(complete(Book(), "PO-1", 1, 1, 1, partner="initech"))


def test_over_shipped_units_are_not_also_counted_as_under_billed():
    book = (Book().order("PO-12", 1, 4, 10).ack("PO-12", 1, "IA", 4, 10, promised=date(2026, 12, 1))
            .ship("PO-12", 1, 6, shipment="S-12", shipped_at=datetime(2026, 11, 30))
            .invoice("PO-12", 1, 4, 10, number="INV-12", invoice_date=date(2026, 12, 1), shipment="S-12"))
    result = run(book)
    assert types(result) == ["OVER_SHIPMENT"] and only(result, "OVER_SHIPMENT")["amount_at_risk"] == Decimal(20)
    unbilled = run(Book().order("PO-12", 1, 4, 10)
                   .ship("PO-12", 1, 6, shipment="S-12", shipped_at=datetime(2026, 12, 1)))
    assert types(unbilled) == ["OVER_SHIPMENT", "SHIPPED_NOT_INVOICED"]
    assert only(unbilled, "SHIPPED_NOT_INVOICED")["amount_at_risk"] == Decimal(40)  # the 4 agreed, not all 6


def test_nothing_in_nothing_out():
    empty = run(Book(), settings={})
    assert (empty.lines.num_rows, empty.exceptions.num_rows, empty.evidence.num_rows) == (0, 0, 0)
    assert empty.lines.schema.equals(LINE_MATCH) and empty.exceptions.schema.equals(EXCEPTIONS)


def test_the_reconciliation_doc_lists_every_exception_type_kpi_and_incident():
    from engine.kpis import SLAS
    from schemas.finance import INCIDENTS
    from tests.support import REPO

    doc = (REPO / "docs" / "reconciliation.md").read_text(encoding="utf-8")
    missing = [name for name in (*EXCEPTION_TYPES, *SLAS, *INCIDENTS) if f"`{name}`" not in doc]
    assert not missing, f"docs/reconciliation.md does not name {missing}"


# --- invoices: lines, SAC charges and allowances, TDS -------------------------------------------------


def invoice_totals(book: Book, rows: list[tuple[str, str, str, str | None]]) -> pa.Table:
    """INVOICE_TOTALS of the book's 810 documents: (document name, charges, allowances, TDS01)."""
    from schemas.reconciliation import INVOICE_TOTALS

    out = []
    for name, charges, allowances, total in rows:
        d = book.doc(name)
        out.append({"partner": "acme", "po_number": None, "invoice_number": None, "invoice_date": None,
                    "charges": Decimal(charges), "allowances": Decimal(allowances),
                    "total": None if total is None else Decimal(total), "sent_at": datetime(2026, 11, 21, 2), **d})
    return pa.Table.from_pylist(out, schema=INVOICE_TOTALS)


def test_an_invoice_ties_its_lines_charges_and_allowances_to_its_tds():
    """INV-1 bills 10 x 2.50 + 3 x 1.333 (3.999: 4.00 half up) = 29.00, a 12.50 freight and a 0.58 discount:
    TDS 40.92 ties. INV-2's TDS (15.00) is not its lines (10.00) + 2.00 charges: INVOICE_TOTAL_MISMATCH of
    3.00, with the 810 as evidence. ERP-3, recorded by its lines: nothing known to tie."""
    b = Book()
    shipped = datetime(2026, 11, 19)
    for po, line, qty, price, number in (("PO-1", 1, 10, "2.50", "INV-1"), ("PO-1", 2, 3, "1.333", "INV-1"),
                                         ("PO-2", 1, 4, "2.50", "INV-2"), ("PO-3", 1, 2, 5, "ERP-3")):
        b.order(po, line, qty, price).ship(po, line, qty, shipment=f"S-{po}", shipped_at=shipped)
        b.invoice(po, line, qty, price, number=number, invoice_date=date(2026, 11, 21), shipment=f"S-{po}",
                  doc="erp-810" if number == "ERP-3" else None)
    t = b.tables()
    totals = invoice_totals(b, [("810-acme-INV-1", "12.50", "0.58", "40.92"), ("810-acme-INV-2", "2.00", "0", "15.00")])
    result = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], document_status([]),
                       settings=SETTINGS, as_of=AS_OF, invoice_totals=totals)
    got = {r["invoice_number"]: r for r in result.invoices.to_pylist()}
    assert sorted(got) == ["ERP-3", "INV-1", "INV-2"], got
    one = got["INV-1"]
    assert (one["invoice_lines"], one["lines_value"], one["charges"], one["allowances"], one["expected_total"],
            one["invoiced_total"], one["difference"], one["currency"]) == (
        2, Decimal("29.00"), Decimal("12.50"), Decimal("0.58"), Decimal("40.92"), Decimal("40.92"), Decimal(0), "USD")
    two = got["INV-2"]
    assert (two["lines_value"], two["expected_total"], two["invoiced_total"], two["difference"]) == (
        Decimal(10), Decimal(12), Decimal(15), Decimal(3))
    erp = got["ERP-3"]
    assert (erp["lines_value"], erp["charges"], erp["invoiced_total"], erp["difference"]) == (
        Decimal(10), None, None, None)
    bad = only(result, "INVOICE_TOTAL_MISMATCH")
    assert (bad["po_number"], bad["document_ref"], bad["line_number"], bad["amount_at_risk"], bad["since"]) == (
        "PO-2", "INV-2", None, Decimal(3), date(2026, 11, 21))
    assert "TDS 15.00 is not its lines 10.00 + charges 2.00 - allowances 0.00 = 12.00" in bad["message"]
    (ev,) = [e for e in result.evidence.to_pylist() if e["exception_id"] == bad["exception_id"]]
    assert (ev["role"], ev["doc_type"], ev["document_ref"], ev["file"]) == (
        "invoiced", "810", "INV-2", "810-acme-INV-2.x12")


def test_an_810_whose_lines_name_no_line_of_ours_does_not_tie():
    """An 810 we sent whose IT1s matched no order line (INVOICED has none of its rows): lines 0 against its
    TDS - the invoiced value cannot be tied to what was ordered."""
    b = complete(Book(), "PO-1", 1, 10, "2.50")
    t = b.tables()
    totals = invoice_totals(b, [("810-lost", "0", "0", "99.00")])
    result = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], document_status([]),
                       settings=SETTINGS, as_of=AS_OF, invoice_totals=totals)
    bad = only(result, "INVOICE_TOTAL_MISMATCH")
    assert bad["amount_at_risk"] == Decimal(99) and bad["po_number"] == ""


def test_allowances_a_po_asked_for_and_no_invoice_carries_are_the_deduction_to_settle():
    """PO-1 (invoiced 25.00 on line 1 and 10.00 on line 2) asked for 1.50 flat (F800), 2 % off line 2 (C000),
    a 1 % volume discount (C310, which our profile bills on its 810: applied) and an allowance with a rate
    only (not priced): 1.50 + 0.20 = 1.70. PO-2 asked for one but is not invoiced yet: nothing (the
    deduction comes with payment). A PO that asked for none: nothing."""
    from schemas.reconciliation import INVOICE_TOTALS, PO_ALLOWANCES

    b = Book()
    for po, line, qty, price in (("PO-1", 1, 10, "2.50"), ("PO-1", 2, 4, "2.50"), ("PO-2", 1, 1, 1),
                                 ("PO-3", 1, 1, 1)):
        b.order(po, line, qty, price).ship(po, line, qty, shipment=f"S-{po}", shipped_at=datetime(2026, 11, 19))
        if po != "PO-2":
            b.invoice(po, line, qty, price, number=f"INV-{po}", invoice_date=date(2026, 11, 21), shipment=f"S-{po}")
    t = b.tables()

    def asked(po, code, line=None, amount=None, percent=None, words=""):
        return {"partner": "acme", "po_number": po, "line_id": line, "code": code, "amount": D(amount),
                "percent": D(percent), "words": words or f"allowance {code}", "more": 0, "file": f"850-{po}.x12"}

    allowances = pa.Table.from_pylist([
        asked("PO-1", "F800", amount="1.50", words="allowance F800 1.50"),
        asked("PO-1", "C000", line="2", percent=2, words="allowance C000 2 % (line 2)"),
        asked("PO-1", "C310", percent=1), asked("PO-1", "C320", words="allowance C320 rate 3"),
        asked("PO-2", "F800", amount=5)], schema=PO_ALLOWANCES)
    d = b.doc("810-acme-INV-PO-1")
    totals = pa.Table.from_pylist([{"partner": "acme", "charges": Decimal(0), "allowances": Decimal("0.35"),
                                    "total": Decimal("34.65"), "allowance_codes": "C310", **d}],
                                   schema=INVOICE_TOTALS)
    result = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], document_status([]),
                       settings=SETTINGS, as_of=AS_OF, invoice_totals=totals, po_allowances=allowances)
    x = only(result, "ALLOWANCE_NOT_APPLIED")
    assert (x["po_number"], x["line_number"], x["amount_at_risk"], x["since"]) == (
        "PO-1", None, Decimal("1.70"), date(2026, 11, 21))
    assert x["message"] == (
        "the PO's 850 asked for allowances our invoices do not carry: allowance F800 1.50; allowance C000 2 % "
        "(line 2); allowance C320 rate 3. Invoiced 35.00: expect the retailer to deduct about 1.70 from payment; "
        "1 not priced; settle the deduction with the buyer (a credit memo) or dispute it")
    (ev,) = [e for e in result.evidence.to_pylist() if e["exception_id"] == x["exception_id"]]
    assert (ev["role"], ev["doc_type"], ev["document_ref"], ev["file"]) == ("ordered", "850", "PO-1", "850-PO-1.x12")


def test_the_line_table_is_built_while_the_match_lets_its_arrays_go(monkeypatch):
    """LINE_MATCH is made after the exceptions and their evidence, and its columns while the match's
    per-line arrays are let go as each is consumed: by the last column the match holds nothing and only
    what that column is made of is still alive (the 200,000-line night's reconciliation peak), and the
    lines are those the match gives."""
    import weakref

    import numpy as np

    from engine import line_match

    book = complete(complete(Book(), "PO-1", 1, 10, "2.50"), "PO-2", 1, 4, "1.00").order("PO-3", 1, 5, "3.00")
    watched: dict[str, weakref.ref] = {}
    seen: dict[str, object] = {}
    table = line_match.LineMatch.line_table

    def spied(match, exceptions):
        watched.update({k: weakref.ref(v) for k, v in vars(match).items() if isinstance(v, np.ndarray)})
        seen["match"] = weakref.ref(match)
        return table(match, exceptions)

    def last_column(values, present):  # first_invoice_date: LINE_MATCH's last column built from the match
        seen["alive"] = {k: ref().ctypes.data for k, ref in watched.items() if ref() is not None}
        seen["held"] = sorted(vars(seen["match"]()))
        return line_match_date_array(values, present)

    line_match_date_array = line_match.date_array
    monkeypatch.setattr(line_match.LineMatch, "line_table", spied)
    monkeypatch.setattr(line_match, "date_array", last_column)
    result = run(book)
    assert len(watched) > 30 and seen["held"] == []
    # alive: the arrays LINE_MATCH's columns are (times, zero-copy) and those of the last columns being made
    columns = {b.address for c in result.lines.columns for chunk in c.chunks for b in chunk.buffers() if b}
    assert {k for k, at in seen["alive"].items() if at not in columns} <= {"first_inv_day", "on_memo"}
    [one, two, three] = result.lines.to_pylist()
    assert (one["po_number"], one["shipped_value"], one["invoiced_value"], one["exceptions"]) == \
        ("PO-1", Decimal("25.0000"), Decimal("25.0000"), 0)
    assert (two["ordered_value"], two["first_invoice_date"]) == (Decimal("4.0000"), date(2026, 11, 20))
    assert (three["ordered_value"], three["shipped_value"], three["first_invoice_date"]) == \
        (Decimal("15.0000"), Decimal("0E-4"), None)
