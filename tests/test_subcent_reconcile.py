"""The reconciliation at a line's exact price (engine.line_match, engine.reconcile, engine.invoice_totals): a price
kept to 6 decimals (schemas.orders PRICE: Digi-Key's resistor at 0.00418 each) values its line exactly, 10,000 of
them 41.80 (read at 4 decimals, 0.0042, they were 42.00), and two prices that differ only past the 4th decimal
(our 855 at 0.00418, our 810 at 0.00419) are a price mismatch. The MONEY columns of the report show such a price
rounded half up to 4 decimals; the messages state it exactly."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from engine.columnar import at_4, fmt_price, price_text, price_units
from engine.reconcile import reconcile
from schemas.finance import FinanceSettings
from schemas.orders import PRICE
from tests.support_finance import AS_OF, Book, document_status

SETTINGS = {"acme": FinanceSettings()}


def run(book: Book):
    t = book.tables()
    return reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], document_status([]),
                     settings=SETTINGS, as_of=AS_OF)


def reel(book: Book, *, invoiced_at: str | None = "0.00418") -> Book:
    book = (book.order("DK-1", 2, 10000, "0.00418")
            .ack("DK-1", 2, "IA", 10000, "0.00418", promised=date(2026, 11, 20))
            .ship("DK-1", 2, 10000, shipment="S-1", shipped_at=datetime(2026, 11, 20, 9)))
    if invoiced_at is not None:
        book = book.invoice("DK-1", 2, 10000, invoiced_at, number="INV-1", invoice_date=date(2026, 11, 21),
                            shipment="S-1")
    return book


def test_a_line_at_0_00418_is_valued_at_it_on_every_side():
    result = run(reel(Book()))
    assert result.exceptions.num_rows == 0, result.exceptions.select(["type", "message"]).to_pylist()
    [line] = result.lines.to_pylist()
    assert [line[c] for c in ("ordered_value", "acknowledged_value", "shipped_value", "invoiced_value")] == \
        [Decimal("41.80")] * 4  # not 42.00
    # the price columns (MONEY) show it rounded half up
    assert (line["ordered_price"], line["acknowledged_price"], line["agreed_price"]) == (Decimal("0.0042"),) * 3
    [invoice] = result.invoices.to_pylist()
    assert invoice["lines_value"] == Decimal("41.80")


def test_prices_differing_past_the_4th_decimal_are_a_price_mismatch():
    result = run(reel(Book(), invoiced_at="0.00419"))
    [ex] = result.exceptions.to_pylist()
    assert ex["type"] == "INVOICE_PRICE_MISMATCH"
    assert ex["amount_at_risk"] == Decimal("0.10")  # 10,000 x 0.00001
    assert "bills 10000 at 0.00419 against the agreed 0.00418 (acknowledged)" in ex["message"]
    [line] = result.lines.to_pylist()
    assert line["invoiced_value"] == Decimal("41.90") and line["acknowledged_value"] == Decimal("41.80")


def test_an_unbilled_line_at_0_00418_is_at_risk_for_41_80():
    result = run(reel(Book(), invoiced_at=None))
    [ex] = result.exceptions.to_pylist()
    assert ex["type"] == "SHIPPED_NOT_INVOICED"
    assert ex["amount_at_risk"] == Decimal("41.80")
    assert ex["message"].endswith("; at 0.00418 each"), ex["message"]
    assert ex["price_at_risk"] == Decimal("0.0042")


def test_4_decimal_prices_read_and_print_as_before():
    import pyarrow as pa

    units, ok = price_units(pa.array([Decimal("0.412"), Decimal("0.00418"), None], PRICE))
    assert units.tolist() == [412000, 4180, 0] and ok.tolist() == [True, True, False]
    assert at_4(units).tolist() == [4120, 42, 0]
    assert price_text(units[:1]).to_pylist() == ["0.412"] and price_text(units).to_pylist()[1] == "0.00418"
    assert fmt_price(-4180) == "-0.00418" and fmt_price(12_000_000) == "12"
