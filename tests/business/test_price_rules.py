from datetime import date
from decimal import Decimal

import pytest

from rules.business import check_currency, check_prices, check_terms
from schemas.rule_settings import PartnerRuleOverrides, RuleSettings

from .tables import line, lines_table, order, orders_table, reference


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


def _case(price: str | None, basis: str | None, **overrides) -> dict:
    """2 CA of SKU-1003 (pen, cases of 12, 39.20 per each: 470.40 per CA) priced ``price`` with PO105 ``basis``."""
    return line(upc="614141100248", unit="CA", quantity=Decimal(2),
                unit_price=Decimal(price) if price is not None else None, price_basis=basis, **overrides)


@pytest.mark.parametrize("basis", ["PE", "LE", "QE", "RE", "TE", "WE"])
def test_a_price_per_each_of_a_case_is_read_per_each(ref, basis):
    findings = check_prices(orders_table(), lines_table(_case("39.20", basis)), ref, RuleSettings())
    assert codes(findings) == ["PRICE_BASIS_PER_EACH"]
    assert (findings[0].location.element, findings[0].location.value) == ("PO105", basis)
    assert "470.40 per CA of 12 eaches, against our 39.20 per each (470.40 per CA)" in findings[0].message


@pytest.mark.parametrize("basis", ["PE", "TE", None])
def test_a_case_price_passes_whatever_its_basis_says(ref, basis):
    assert check_prices(orders_table(), lines_table(_case("470.40", basis)), ref, RuleSettings()) == []


@pytest.mark.parametrize("basis", [None, "CT", "NT"])
def test_only_a_price_per_each_basis_is_read_per_each(ref, basis):
    """No PO105, or a basis that does not say per each: PO104 is per PO103 unit, as before."""
    findings = check_prices(orders_table(), lines_table(_case("39.20", basis)), ref, RuleSettings())
    assert codes(findings) == ["DISCOUNT_OVER_THRESHOLD"] and "neither way" not in findings[0].message


def test_a_price_per_each_of_a_dozen_is_read_per_each(ref):
    """DZ holds 12 eaches by definition: 19.70 PE of SKU-1001 (19.70 per each) on a DZ line is ours."""
    findings = check_prices(orders_table(), lines_table(line(unit="DZ", quantity=Decimal(1),
                                                             unit_price=Decimal("19.70"), price_basis="PE")),
                            ref, RuleSettings())
    assert codes(findings) == ["PRICE_BASIS_PER_EACH"] and "236.40 per DZ of 12 eaches" in findings[0].message


def test_a_price_per_each_within_tolerance_per_each_passes_and_outside_names_both(ref):
    assert codes(check_prices(orders_table(), lines_table(_case("39.30", "PE")), ref, RuleSettings())) == [
        "PRICE_BASIS_PER_EACH"]  # 0.26% above our 39.20 per each: within the 2% tolerance
    [f] = check_prices(orders_table(), lines_table(_case("40.50", "PE")), ref, RuleSettings())
    assert f.code == "DISCOUNT_OVER_THRESHOLD" and "neither way it can be read" in f.message
    assert "Per each, as PO105 PE says (486.00 per CA of 12 eaches): 3.32% above our 39.20 per each." in f.message


def test_an_order_value_counts_a_price_per_each_at_our_price_per_case(ref):
    from rules.business import order_values, per_each_prices
    from rules.business.items import _resolved
    from rules.business.money import line_prices

    lines = lines_table(_case("39.20", "PE"), _case("470.40", "PE", line_number=2, line_id="2"))
    resolved = _resolved(lines, ref)
    prices = line_prices(orders_table(), resolved, ref)
    per_each = per_each_prices(resolved, ref, RuleSettings(), prices)
    assert per_each.to_pylist() == [Decimal("470.40"), None]
    assert list(order_values(orders_table(), lines, ref, prices, per_each).values()) == [Decimal("1881.60")]
    assert list(order_values(orders_table(), lines, ref).values()) == [Decimal("1019.20")]  # PO104 as sent


def test_a_no_charge_line_held_says_so(ref):
    [f] = check_prices(orders_table(), lines_table(_case("0", "NC")), ref, RuleSettings())
    assert f.code == "PRICE_NO_CHARGE"
    assert ("PO105 NC: the buyer marks this line no charge (free goods), PO104 0.00 against our price 470.40"
            in f.message)


@pytest.mark.parametrize(("price", "sent"), [("470.40", "470.40"), (None, "(empty)")])
def test_a_no_charge_line_waits_whatever_its_price(ref, price, sent):
    """At our own price, or with no price at all (a reader that left it empty): still free goods, never
    PRICE_MISSING (our price applied) nor no finding (accepted as sent)."""
    [f] = check_prices(orders_table(), lines_table(_case(price, "NC")), ref, RuleSettings())
    assert f.code == "PRICE_NO_CHARGE" and f"PO104 {sent} against our price 470.40" in f.message


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


def test_a_line_an_860_added_is_priced_on_its_order_s_date_and_currency():
    """A line an 860 adds (POC02 AI) keeps the 860's lineage (its source_file is the 860's file) under its order's
    order_ref. The price rules found a line's order by (file, order_ref): such a line found none when the 860 came
    in another file than its 850 (two 860s alike: the second's lines found none either), so it was priced without
    the PO's date (our latest price: 19.70 where the 2025 PO's was 18.715, the buyer's 18.72 flagged) and in the
    customer's currency instead of the PO's CUR, and left out of its order's value. It is now found by partner, PO
    and order_ref when its file holds no head (an 860 in the 850's own file was found already)."""

    from rules.business import resolve_items
    from rules.business.money import line_prices, order_values

    orders = orders_table(order(po_date=date(2025, 6, 1)))
    for change_file in ("acme_860_1.x12", "acme_850_1.x12"):  # its own file, its 850's
        added = line(line_number=2, line_id="2", quantity=Decimal(5), unit_price=Decimal("18.72"),
                     source_file=change_file, isa13="000000202", st02="0001")
        lines = resolve_items(lines_table(line(unit_price=Decimal("18.72")), added), reference().items,
                              reference().partner_items)
        prices = line_prices(orders, lines, reference()).to_pylist()
        assert [(p["po_date"], p["currency"], p["list_price"]) for p in prices] == [
            (date(2025, 6, 1), "USD", Decimal("18.7150"))] * 2
        assert codes(check_prices(orders, lines, reference(), RuleSettings())) == []
        assert order_values(orders, lines, reference()) == {("acme_850_1.x12", "000000101-1-0001"): Decimal("280.80")}
