"""Further currencies agreed with a customer (reference/customer_currencies.csv): a partner of customers.csv may also
order in each one listed, with that currency's own credit limit and open AR. customers.csv alone means what it always
did (one currency per customer); exposure is counted per currency, never two currencies added together."""

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from connectors.reference import load_reference
from rules.business import check_credit, check_currency
from schemas.errors import ConfigError
from schemas.reference import CUSTOMER_CURRENCIES
from schemas.rule_settings import RuleSettings

from .tables import REFERENCE_DIR, line, lines_table, order, orders_table

HEADER = "partner,currency,credit_limit,open_ar\n"


def _with(ref, *rows):
    """``ref`` with customer_currencies rows (partner, currency, credit limit, open AR)."""
    table = pa.Table.from_pylist([dict(zip(CUSTOMER_CURRENCIES.names, (p, c, Decimal(lim), Decimal(ar)), strict=True))
                                  for p, c, lim, ar in rows], schema=CUSTOMER_CURRENCIES)
    return replace(ref, customer_currencies=table)


def _folder(tmp_path: Path, text: str | None) -> Path:
    for f in REFERENCE_DIR.glob("*.csv"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    if text is not None:
        (tmp_path / "customer_currencies.csv").write_text(HEADER + text, encoding="utf-8")
    return tmp_path


def test_a_reference_folder_without_the_file_loads_as_before(tmp_path):
    ref = load_reference(_folder(tmp_path, None))
    assert ref.customer_currencies.num_rows == 0 and ref.customer_currencies.schema == CUSTOMER_CURRENCIES
    assert ref.customers == load_reference(REFERENCE_DIR).customers


def test_further_currencies_load_with_their_own_limit_and_open_ar(tmp_path):
    ref = load_reference(_folder(tmp_path, "acme,CAD,1000.00,900.00\nacme,EUR,0,0\ninitech,USD,5000,10.5\n"))
    assert ref.customer_currencies.to_pylist()[0] == {"partner": "acme", "currency": "CAD",
                                                      "credit_limit": Decimal("1000.0000"),
                                                      "open_ar": Decimal("900.0000")}
    assert ref.customer_currencies.num_rows == 3


@pytest.mark.parametrize("text, needle", [
    ("nobody,CAD,1000,0\n", "has no row in customers.csv"),
    ("acme,USD,1000,0\n", "own in customers.csv"),  # its home currency: customers.csv's row says it
    ("acme,C$D,1000,0\n", "ISO 4217"),
    ("acme,CAD,-1,0\n", "credit_limit"),
    ("acme,CAD,1000,0\nacme,CAD,2000,0\n", "duplicate"),
    ("acme,CAD,abc,0\n", "credit_limit"),
])
def test_a_bad_row_stops_the_load_naming_the_file(tmp_path, text, needle):
    with pytest.raises(ConfigError) as e:
        load_reference(_folder(tmp_path, text))
    assert needle in str(e.value) and "customer_currencies.csv" in str(e.value)


def test_a_po_in_a_further_currency_is_no_mismatch_one_in_another_still_is(ref):
    orders = orders_table(order(currency="CAD"), order(po_number="PO-2", currency="EUR"),
                          order(po_number="PO-3", currency="USD"), order(po_number="PO-4", currency=None))
    assert [(f.code, f.location.value) for f in check_currency(orders, ref.customers)] == [
        ("CURRENCY_MISMATCH", "CAD"), ("CURRENCY_MISMATCH", "EUR")]
    agreed = _with(ref, ("acme", "CAD", "1000", "0"))
    assert [(f.code, f.location.value) for f in check_currency(orders, agreed.customers,
                                                               agreed.customer_currencies)] == [
        ("CURRENCY_MISMATCH", "EUR")]
    # another partner's further currency is not acme's
    other = _with(ref, ("initech", "EUR", "1000", "0"))
    assert ("CURRENCY_MISMATCH", "EUR") in [(f.code, f.location.value) for f in check_currency(
        orders, other.customers, other.customer_currencies)]


def _credit(ref, orders, open_orders=None):
    lines = lines_table(*(line(order_ref=o["order_ref"], po_number=o["po_number"]) for o in orders))
    found = check_credit(orders_table(*orders), lines, ref, RuleSettings(), open_orders=open_orders)
    return [(f.code, f.location.value, f.message) for f in found]


def test_an_order_in_a_further_currency_is_held_by_that_currency_s_limit(ref):
    """acme: USD 50,000 limit, 12,500 open AR (customers.csv); CAD 1,000 limit, 900 open AR. A CAD order of 197
    would take the CAD exposure to 1,097: over, though acme's USD exposure is far below its USD limit."""
    agreed = _with(ref, ("acme", "CAD", "1000", "900"))
    found = _credit(agreed, [order(currency="CAD")])
    assert [f[:2] for f in found] == [("CREDIT_LIMIT_EXCEEDED", "PO-1")]
    assert "1,097.00 CAD" in found[0][2] and "the credit limit 1,000.00 CAD." in found[0][2]
    # within the CAD limit: none; and the USD order beside it is counted in USD alone
    roomy = _with(ref, ("acme", "CAD", "1000", "0"))
    assert _credit(roomy, [order(currency="CAD"), order(order_ref="r2", po_number="PO-2")]) == []


def test_open_orders_count_in_their_own_currency_only(ref):
    agreed = _with(ref, ("acme", "CAD", "1000", "0"))
    usd = [order()]  # 197 USD against 50,000 - 12,500
    # a million CAD open: nothing to do with the USD limit
    assert _credit(agreed, usd, {("acme", "CAD"): Decimal(1_000_000)}) == []
    # USD open orders, as the store gives them by currency ("" a PO that named none: the customer's own)
    assert _credit(agreed, usd, {("acme", ""): Decimal(37000)}) == []
    assert [f[:2] for f in _credit(agreed, usd, {("acme", ""): Decimal(20000), ("acme", "USD"): Decimal(17400)})] \
        == [("CREDIT_LIMIT_EXCEEDED", "PO-1")]
    # the USD exposure's message is worded as it always was (no currency named: the customer's own)
    found = _credit(agreed, usd, {"acme": Decimal(37400)})
    assert [f[:2] for f in found] == [("CREDIT_LIMIT_EXCEEDED", "PO-1")] and "USD" not in found[0][2]
    # CAD: a million USD open does not touch the CAD limit; CAD open orders do
    cad = [order(currency="CAD")]
    assert _credit(agreed, cad, {"acme": Decimal(1_000_000)}) == []
    assert [f[:2] for f in _credit(agreed, cad, {("acme", "CAD"): Decimal(900)})] == [
        ("CREDIT_LIMIT_EXCEEDED", "PO-1")]


def test_an_order_in_a_currency_not_agreed_is_not_counted_against_another_s_limit(ref):
    """EUR is agreed with nobody: CURRENCY_MISMATCH holds the order; its value is never added to the USD exposure
    (it used to be: 197 EUR counted as 197 USD)."""
    assert _credit(ref, [order(currency="EUR")], {"acme": Decimal(37400)}) == []
    assert [f[:2] for f in _credit(ref, [order()], {"acme": Decimal(37400)})] == [("CREDIT_LIMIT_EXCEEDED", "PO-1")]
