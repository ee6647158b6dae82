from decimal import Decimal

from rules.business import check_credit, check_duplicates, check_order_value, order_values
from schemas.rule_settings import RuleSettings

from .tables import line, lines_table, order, orders_table


def codes(findings):
    return [f.code for f in findings]


def test_order_value_sums_lines_and_uses_our_price_when_missing(ref):
    lines = lines_table(line(), line(line_number=2, unit_price=None, quantity=Decimal(2)))
    assert order_values(orders_table(), lines, ref) == {
        ("acme_850_1.x12", "000000101-1-0001"): Decimal("236.4")
    }


def test_order_value_above_minimum_passes(ref):
    assert (
        check_order_value(orders_table(), lines_table(), ref, RuleSettings(min_order_value=Decimal(100)))
        == []
    )


def test_order_value_below_minimum(ref):
    findings = check_order_value(
        orders_table(), lines_table(), ref, RuleSettings(min_order_value=Decimal(500))
    )
    assert codes(findings) == ["ORDER_VALUE_BELOW_MINIMUM"]
    assert (findings[0].location.element, findings[0].location.value) == ("BEG03", "PO-1")


def test_credit_within_limit(ref):
    # acme: limit 50,000, open AR 12,500; order 197
    assert (
        check_credit(orders_table(), lines_table(), ref, RuleSettings(), open_orders={"acme": Decimal(37000)})
        == []
    )


def test_credit_limit_exceeded_counts_open_orders_and_earlier_orders(ref):
    orders = orders_table(
        order(),
        order(order_ref="r2", po_number="PO-2"),
        order(order_ref="r3", po_number="PO-3", purpose="01"),
    )
    lines = lines_table(
        line(), line(order_ref="r2", po_number="PO-2"), line(order_ref="r3", po_number="PO-3")
    )
    findings = check_credit(orders, lines, ref, RuleSettings(), open_orders={"acme": Decimal(37200)})
    assert [(f.code, f.location.value) for f in findings] == [("CREDIT_LIMIT_EXCEEDED", "PO-2")]


def test_new_po_numbers_are_not_duplicates():
    assert (
        check_duplicates(orders_table(order(), order(po_number="PO-2")), {("acme", "PO-9")}, RuleSettings())
        == []
    )


def test_duplicate_against_seen_and_within_run():
    orders = orders_table(
        order(),
        order(po_number="PO-2"),
        order(po_number="PO-2", source_file="b.x12"),
        order(partner="globex", po_number="PO-1"),
    )
    findings = check_duplicates(orders, {("acme", "PO-1")}, RuleSettings())
    assert [(f.code, f.location.value, f.location.file) for f in findings] == [
        ("ORDER_DUPLICATE", "PO-1", "acme_850_1.x12"),
        ("ORDER_DUPLICATE", "PO-2", "b.x12"),
    ]


def test_a_reissue_may_repeat_a_po_number_and_is_acted_on():
    """BEG01 18 (reissue, after a cancel to be reissued) repeats the withdrawn order's number."""
    from rules.business.purpose import check_purpose

    reissue = orders_table(order(purpose="18"))
    assert check_duplicates(reissue, {("acme", "PO-1")}, RuleSettings()) == []
    assert check_purpose(reissue, RuleSettings()) == []


def test_cancel_replace_confirm_may_repeat_a_po_number():
    orders = orders_table(*(order(purpose=p) for p in ("01", "05", "06")))
    assert check_duplicates(orders, {("acme", "PO-1")}, RuleSettings()) == []
    assert codes(check_duplicates(orders_table(order(purpose="07")), {("acme", "PO-1")}, RuleSettings())) == [
        "ORDER_DUPLICATE"
    ]
