from datetime import date
from decimal import Decimal

import pytest

from rules.business import check_currency, check_prices, check_terms
from schemas.rule_settings import PartnerRuleOverrides, RuleSettings

from .tables import line, lines_table, order, orders_table


def codes(findings):
    return [f.code for f in findings]


@pytest.mark.parametrize("price", ["19.70", "19.80", "19.51"])
def test_price_within_tolerance_passes(ref, price):
    assert (
        check_prices(orders_table(), lines_table(line(unit_price=Decimal(price))), ref, RuleSettings()) == []
    )


@pytest.mark.parametrize("price", ["20.50", "19.00"])
def test_price_out_of_tolerance(ref, price):
    findings = check_prices(orders_table(), lines_table(line(unit_price=Decimal(price))), ref, RuleSettings())
    assert codes(findings) == ["PRICE_OUT_OF_TOLERANCE"]
    assert (findings[0].location.element, findings[0].location.value) == (
        "PO104",
        price.rstrip("0").rstrip("."),
    )


def test_tolerance_is_per_partner(ref):
    settings = RuleSettings(partners={"acme": PartnerRuleOverrides(price_tolerance_percent=Decimal(5))})
    assert check_prices(orders_table(), lines_table(line(unit_price=Decimal("20.50"))), ref, settings) == []


def test_price_valid_on_po_date_is_used(ref):
    old = orders_table(order(po_date=date(2025, 6, 1)))
    assert check_prices(old, lines_table(line(unit_price=Decimal("18.715"))), ref, RuleSettings()) == []
    assert codes(
        check_prices(orders_table(), lines_table(line(unit_price=Decimal("18.715"))), ref, RuleSettings())
    ) == ["PRICE_OUT_OF_TOLERANCE"]


def test_no_price_on_po_date(ref):
    findings = check_prices(orders_table(order(po_date=date(2024, 6, 1))), lines_table(), ref, RuleSettings())
    assert codes(findings) == ["PRICE_NOT_ON_FILE"]


def test_case_price_compares_with_case_pack_times_each_price(ref):
    lines = lines_table(
        line(upc="614141100248", unit="CA", quantity=Decimal(2), unit_price=Decimal("470.40"))
    )
    assert check_prices(orders_table(), lines, ref, RuleSettings()) == []


def test_missing_price(ref):
    findings = check_prices(orders_table(), lines_table(line(unit_price=None)), ref, RuleSettings())
    assert codes(findings) == ["PRICE_MISSING"] and "19.7" in findings[0].message


def test_discount_over_threshold(ref):
    findings = check_prices(
        orders_table(), lines_table(line(unit_price=Decimal("17.00"))), ref, RuleSettings()
    )
    assert codes(findings) == ["DISCOUNT_OVER_THRESHOLD"]  # not also PRICE_OUT_OF_TOLERANCE


def test_discount_within_threshold_is_only_a_tolerance_matter(ref):
    findings = check_prices(
        orders_table(), lines_table(line(unit_price=Decimal("18.90"))), ref, RuleSettings()
    )
    assert codes(findings) == ["PRICE_OUT_OF_TOLERANCE"]


def test_currency_agreed_passes_and_missing_cur_defaults(ref):
    assert check_currency(orders_table(order(), order(currency=None, order_ref="x")), ref.customers) == []


def test_currency_mismatch(ref):
    findings = check_currency(orders_table(order(currency="EUR")), ref.customers)
    assert codes(findings) == ["CURRENCY_MISMATCH"]
    assert (findings[0].location.segment_id, findings[0].location.element, findings[0].location.value) == (
        "CUR",
        "CUR02",
        "EUR",
    )


def test_customer_unknown(ref):
    assert codes(check_currency(orders_table(order(partner="hooli")), ref.customers)) == ["CUSTOMER_UNKNOWN"]


def test_terms_agreed_or_absent_pass(ref):
    orders = orders_table(
        order(),
        order(terms_type=None, terms_discount_percent=None, terms_discount_days=None, terms_net_days=None),
    )
    assert check_terms(orders, ref.customers) == []


def test_terms_mismatch(ref):
    findings = check_terms(
        orders_table(order(terms_net_days=60, terms_discount_percent=Decimal("3"))), ref.customers
    )
    assert sorted((f.code, f.location.element, f.location.value) for f in findings) == [
        ("TERMS_MISMATCH", "ITD03", "3"),
        ("TERMS_MISMATCH", "ITD07", "60"),
    ]
