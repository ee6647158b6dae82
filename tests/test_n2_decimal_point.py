"""N2 elements (two implied decimals: SAC05 "2500" is 25.00) that a partner's translator writes with an explicit
decimal point ("25.00"), as real translators do in SAC05, ITA07 and other N2 fields. X12's N type carries no
point, so the dictionary-driven element check reports it where a dictionary judges the set, as a warning
(IMPLIED_DECIMAL_STATED, AK4 code 6 in a 997 AK5 E: tests/test_implied_decimal_stated.py); its meaning is
unambiguous: "25.00" is 25.00, never 0.25. Every N2 reader reads it so: the SAC_NOT_APPLIED words, the stored
ORDER_SACS, CSH03, our 810s read back for the reconciliation, and so the reconciliation's allowance."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from engine.charge_match import match_charges
from engine.finance_inputs import (
    invoice_totals_and_charges,
    po_allowances,
    po_charges,
    stored_po_charges,
)
from engine.reconcile import reconcile
from parsers.orders_850 import read_orders_with_sacs
from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from tests.support import GOOD_PO, x12_850
from tests.support_finance import AS_OF, Book, document_status
from tests.test_charge_reconcile import AGREED, SETTINGS, documents, findings, our_810
from tests.test_x12_standard_layer import interchange, run

HEAD, LINES = GOOD_PO[:6], GOOD_PO[6:9]


def _read(sacs: list[str]):
    result = read_interchanges(x12_850(HEAD[:2] + sacs + HEAD[2:] + LINES + ["CTT*2*18"]))
    sets = list(result.transaction_sets())
    found = check_structure(result, sets)
    orders, _lines, stored = read_orders_with_sacs(result, sets, partner="acme", source_sha256="sha")
    return found, orders, stored


@pytest.mark.parametrize("amount", ["2500", "25.00", "25", "25."])
def test_sac05_with_or_without_its_decimal_point_is_25_in_the_words_and_the_stored_sacs(amount):
    sent = "25" if amount == "25" else amount  # "25" without a point is 0.25: the implied decimals
    found, _orders, stored = _read([f"SAC*A*C310***{sent}", "SAC*C*D240***1125.555"])
    [words] = [f.message for f in found if f.code == "SAC_NOT_APPLIED"]
    expected = Decimal("0.25") if amount == "25" else Decimal("25.00")
    assert f"allowance C310 {expected:.2f}; " in words  # never 0.25 for 25.00
    assert "charge D240 1125.555" in words  # every digit stated (a point: never shifted to 11.25555)
    assert [(r["code"], r["amount"]) for r in stored.to_pylist()] == [
        ("C310", expected), ("D240", Decimal("1125.555"))]
    pointed = "." in amount
    # the element check says so where the set's dictionary judges it (a 004010 850), a warning: not said twice
    assert [(f.code, f.location.element) for f in found if f.location.element == "SAC05"] == (
        [("IMPLIED_DECIMAL_STATED", "SAC05")] * 2 if pointed else [("IMPLIED_DECIMAL_STATED", "SAC05")])
    assert "decimal point" not in words


def test_a_003010_ita07_with_a_decimal_point_is_read_as_stated_and_said_so():
    """003010 (no dictionary we hold: only what every version agrees on is checked, no element finding): the
    PO is taken, ITA07 "25.00" is 25.00 in the words and the stored SACs, and the words say it was sent with a
    point (it used to be 0.25 without a word)."""
    body = ["BEG*00*SA*PO-ITA**261126", "ITA*A*VI*D240*06***25.00", "ITA*C**H850****1500",
            "DTM*002*261215", "N1*ST*Acme Store 2*92*0002", "PO1*1*12*EA*19.70**UP*614141100101", "CTT*1*12"]
    data = interchange(body, version="003010", isa12="00301", gs04="261127")
    out = run(data)
    assert out.error_count == 0 and out.orders.num_rows == 1
    [f] = [f for f in out.findings if f.code == "SAC_NOT_APPLIED"]
    assert "allowance D240 25.00, handling 06" in f.message and "charge H850 15.00" in f.message
    assert "ITA07 25.00 was sent with a decimal point" in f.message
    result = read_interchanges(data, file="ita.x12")
    _o, _l, sacs = read_orders_with_sacs(result, list(result.transaction_sets()), partner="acme",
                                         source_sha256="x")
    assert [(r["code"], r["amount"]) for r in sacs.to_pylist()] == [("D240", Decimal("25.00")),
                                                                    ("H850", Decimal("15.00"))]
    # the words read back (an order stored before SACs were kept) give the same amounts
    assert [(r["code"], r["amount"]) for r in po_charges(findings({"PO-ITA": f.message})).to_pylist()] == [
        ("D240", Decimal("25.00")), ("H850", Decimal("15.00"))]


@pytest.mark.parametrize("limit", ["150000", "1500.00"])
def test_csh03_with_or_without_its_decimal_point_is_1500(limit):
    _found, orders, _ = _read([f"CSH*P1*0*{limit}"])
    assert orders["do_not_exceed_amount"].to_pylist() == [Decimal("1500.00")]


def _billed(sacs_810: list[str], tds: str = "100000"):
    book = Book()
    book.order("PO-1", 1, 100, "10.00").ship("PO-1", 1, 100, shipment="S-1", shipped_at=datetime(2026, 11, 19))
    book.invoice("PO-1", 1, 100, "10.00", number="INV-1", invoice_date=date(2026, 11, 21), shipment="S-1")
    isa13, content = our_810(book, "810-acme-INV-1", ["BIG*20261121*INV-1**PO-1", "IT1*1*100*EA*10**VN*SKU-1",
                                                        f"TDS*{tds}", *sacs_810, "CTT*1"])
    return book, invoice_totals_and_charges(documents([(isa13, "810-PO-1.x12", content)]))


@pytest.mark.parametrize("sent", ["2500", "25.00"])
def test_an_810_sac05_and_tds01_with_a_decimal_point_are_read_as_stated(sent):
    _book, (totals, billed) = _billed([f"SAC*A*C310***{sent}"], "975.00" if "." in sent else "97500")
    assert [(r["allowances"], r["total"]) for r in totals.to_pylist()] == [(Decimal("25.00"), Decimal("975.00"))]
    assert [r["amount"] for r in billed.to_pylist()] == [Decimal("25.00")]


@pytest.mark.parametrize("promised", ["2500", "25.00"])
@pytest.mark.parametrize("source", ["stored", "words"])
def test_the_reconciliation_s_allowance_is_25_whichever_way_sac05_was_written(promised, source):
    """A 25.00 allowance off the invoice (SAC12 02), promised as "2500" or "25.00", billed 25.00 by our 810:
    it ties (a "25.00" promise used to be 0.25, and the 810's 25.00 flagged as an allowance over it)."""
    found, orders, stored = _read([f"SAC*A*C310***{promised}*******02"])
    [words] = [f.message for f in found if f.code == "SAC_NOT_APPLIED"]
    book, (totals, billed) = _billed(["SAC*A*C310***2500"], "97500")
    asked = findings({"PO-1": words})
    charges = po_charges(asked) if source == "words" else stored_po_charges(
        stored, _orders_row(orders["order_ref"][0].as_py()))
    t = book.tables()
    result = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], document_status([]),
                       settings=SETTINGS, as_of=AS_OF, invoice_totals=totals, po_allowances=po_allowances(asked))
    [row] = match_charges(charges, billed, result.invoices, result.lines, AGREED).to_pylist()
    assert (row["code"], row["promised_amount"], row["promised_value"], row["expected_on_invoice"],
            row["billed_value"], row["difference"], row["flag"]) == (
        "C310", Decimal("25.00"), Decimal("25.00"), Decimal("25.00"), Decimal("25.00"), Decimal("0"), None)


def _orders_row(order_ref: str):
    import pyarrow as pa

    return pa.table({"partner": ["acme"], "po_number": ["PO-1"], "order_ref": [order_ref], "source_sha256": ["sha"]})
