from datetime import date
from decimal import Decimal

from rules.business import run_business_rules
from schemas.codes_business import BUSINESS_CATALOGUE
from schemas.rule_settings import RuleSettings

from .tables import TODAY, line, lines_table, order, orders_table


def test_clean_orders_for_three_partners_have_no_findings(ref):
    orders = orders_table(
        order(),
        order(
            partner="globex",
            order_ref="2",
            po_number="G-1",
            source_file="g.x12",
            terms_type="01",
            terms_discount_percent=None,
            terms_discount_days=None,
            terms_net_days=60,
            ship_to_id="0614141000012",
        ),
        order(
            partner="initech",
            order_ref="3",
            po_number="I-1",
            source_file="i.x12",
            currency="CAD",
            terms_type="01",
            terms_discount_percent=None,
            terms_discount_days=None,
            terms_net_days=45,
            ship_to_id="T1",
        ),
    )
    lines = lines_table(
        line(),
        line(
            partner="globex",
            order_ref="2",
            po_number="G-1",
            source_file="g.x12",
            upc=None,
            buyer_part="GX770000",
            unit_price=Decimal("19.109"),
        ),
        line(
            partner="initech",
            order_ref="3",
            po_number="I-1",
            source_file="i.x12",
            upc=None,
            buyer_part="INI/002",
            unit="CA",
            quantity=Decimal(1),
            unit_price=Decimal("620.928"),
        ),
    )
    assert run_business_rules(orders, lines, ref, RuleSettings(), today=TODAY) == []


def test_all_findings_are_catalogued_business_codes(ref):
    orders = orders_table(order(currency="EUR", ship_no_later=date(2026, 11, 1), ship_to_id="nope"))
    lines = lines_table(line(upc="614141100590", unit_price=Decimal(1)), line(line_number=2, upc="123"))
    findings = run_business_rules(
        orders, lines, ref, RuleSettings(), today=TODAY, seen_po_numbers={("acme", "PO-1")}
    )
    assert {f.code for f in findings} >= {
        "CURRENCY_MISMATCH",
        "DATE_IN_PAST",
        "SHIP_TO_UNKNOWN",
        "ITEM_DISCONTINUED",
        "GTIN_CHECK_DIGIT_INVALID",
        "ITEM_UNKNOWN",
        "ORDER_DUPLICATE",
    }
    assert all(
        f.code in BUSINESS_CATALOGUE and f.severity == BUSINESS_CATALOGUE[f.code].severity for f in findings
    )
