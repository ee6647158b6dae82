"""A CSV order's price written with its currency code ("$12.50 USD", "USD 12.50", "12.50 USD", "€ 1.049,00 EUR", as
order platforms and ERPs export a money column): it was CSV_NUMBER_INVALID and the PO left out. The number is read
and the code checked against the order's currency: the row's currency column, else its PO's earlier rows; a price in
another currency is a finding (CSV_PRICE_CURRENCY_MISMATCH, the PO refused), never read as the order's unsaid; an
order that names no currency takes its prices' (the rules then hold it to the agreed one: CURRENCY_MISMATCH)."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest


def _read(text: str, **layout):
    from parsers.csv_orders import read_csv_orders
    from schemas.fulfilment import CsvOrderMapping

    return read_csv_orders(text.encode(), CsvOrderMapping(**layout), partner="p", file="f.csv")


@pytest.mark.parametrize(("price", "layout"), [
    ("$12.50 USD", {}), ("$12.50 USD", {"currency_symbol": "$"}), ("USD 12.50", {}), ("12.50 USD", {}),
    ("12.50USD", {}), ("usd 12.50", {}), ("USD $12.50", {}),
    ('"$1,012.50 USD"', {"thousands_separator": ","}),
])
def test_a_price_with_its_currency_code_reads_as_its_number_in_an_order_of_that_currency(price, layout):
    got = _read(f"PO Number,SKU,Quantity,Unit Price,Currency\r\nP1,VP-1,2,{price},USD\r\n", **layout)
    assert got.findings == []
    assert got.lines["unit_price"].to_pylist() == [Decimal("1012.50") if "1,012" in price else Decimal("12.50")]
    assert got.orders["currency"].to_pylist() == ["USD"]


def test_a_european_price_with_its_symbol_and_code_reads_as_its_number():
    text = "PO Number;SKU;Quantity;Unit Price;Currency\r\nP1;VP-1;2;€ 1.049,00 EUR;EUR\r\nP1;VP-2;1;EUR 26,25;\r\n"
    got = _read(text, delimiter=";", decimal_separator=",", thousands_separator=".", currency_symbol="€")
    assert got.findings == [] and got.lines["unit_price"].to_pylist() == [Decimal("1049"), Decimal("26.25")]
    assert got.orders["currency"].to_pylist() == ["EUR"]


def test_an_order_naming_no_currency_takes_its_prices_and_the_rules_hold_it_to_the_agreed_one():
    from rules.business import check_currency
    from schemas.reference import CUSTOMERS

    got = _read("PO Number,SKU,Quantity,Unit Price\r\nP1,VP-1,2,12.50 USD\r\nP2,VP-1,2,12.50 CAD\r\n"
                "P3,VP-1,2,12.50\r\n")
    assert got.findings == [] and got.orders["currency"].to_pylist() == ["USD", "CAD", None]
    customers = pa.Table.from_pylist([{"partner": "p", "credit_limit": Decimal(1000), "open_ar": Decimal(0),
                                       "currency": "USD", "discount_approval_threshold_percent": Decimal(5)}],
                                     schema=CUSTOMERS)
    assert [(f.code, f.location.value) for f in check_currency(got.orders, customers)] == [
        ("CURRENCY_MISMATCH", "CAD")]


def test_a_price_in_another_currency_than_its_rows_currency_column_refuses_the_po():
    text = "PO Number,SKU,Quantity,Unit Price,Currency\r\nP1,VP-1,2,12.50 USD,EUR\r\nP2,VP-1,2,12.50 EUR,EUR\r\n"
    got = _read(text)
    [f] = got.findings
    assert (f.code, f.severity, f.location.row, f.location.column, f.location.value) == (
        "CSV_PRICE_CURRENCY_MISMATCH", "error", 2, "Unit Price", "12.50 USD")
    assert "USD" in f.message and "EUR" in f.message
    assert got.orders["po_number"].to_pylist() == ["P2"] and got.rejected == ("P1",)
    assert [(r.row, r.po_number) for r in got.refused] == [(2, "P1")]


def test_a_later_rows_price_in_another_currency_than_its_pos_refuses_the_po():
    text = "PO Number,SKU,Quantity,Unit Price\r\nP1,VP-1,2,12.50 USD\r\nP1,VP-2,1,3.00 EUR\r\nP2,VP-1,1,4.00 EUR\r\n"
    got = _read(text)
    assert [(f.code, f.location.row) for f in got.findings] == [("CSV_PRICE_CURRENCY_MISMATCH", 3)]
    assert "PO P1 in USD (row 2)" in got.findings[0].message
    assert got.orders["po_number"].to_pylist() == ["P2"] and got.orders["currency"].to_pylist() == ["EUR"]


@pytest.mark.parametrize("price", ["12.50 XUSD", "USD", "12.50 US", "£12.50 USD", "12.50 USD EUR"])
def test_a_price_that_is_no_number_with_a_code_stays_refused(price):
    got = _read(f"PO Number,SKU,Quantity,Unit Price\r\nP1,VP-1,2,{price}\r\n")
    assert [(f.code, f.location.row) for f in got.findings] == [("CSV_NUMBER_INVALID", 2)]
