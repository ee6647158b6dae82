from decimal import Decimal

import pytest

from rules.business import adjusted_quantity, check_quantities
from schemas.rule_settings import PartnerRuleOverrides, RuleSettings

from .tables import line, lines_table

SKU_1003 = "614141100248"  # case pack 12, minimum 12


def codes(findings):
    return [f.code for f in findings]


def test_each_quantity_in_whole_cases_passes(ref):
    lines = lines_table(
        line(upc=SKU_1003, quantity=Decimal(24)),
        line(line_number=2, upc=SKU_1003, unit="CA", quantity=Decimal(2)),
    )
    assert check_quantities(lines, ref, RuleSettings()) == []


def test_unknown_unit(ref):
    findings = check_quantities(lines_table(line(unit="XX")), ref, RuleSettings())
    assert codes(findings) == ["UNIT_UNKNOWN"]
    assert (findings[0].location.element, findings[0].location.value) == ("PO103", "XX")


def test_a_unit_code_the_item_is_not_sold_in(ref):
    # BX is a unit of measure code (it was UNIT_UNKNOWN before issue 8); SKU-1001 has no box
    findings = check_quantities(lines_table(line(unit="BX")), ref, RuleSettings())
    assert codes(findings) == ["UNIT_NOT_CONVERTIBLE"]


def test_case_unit_needs_a_case_pack(ref):
    findings = check_quantities(lines_table(line(unit="CA")), ref, RuleSettings())  # SKU-1001: pack 1
    assert codes(findings) == ["UNIT_NOT_CONVERTIBLE"]


@pytest.mark.parametrize("qty", [Decimal(0), Decimal(-3), None])
def test_quantity_must_be_positive(ref, qty):
    findings = check_quantities(lines_table(line(quantity=qty)), ref, RuleSettings())
    assert codes(findings) == ["QTY_NOT_POSITIVE"] and findings[0].location.element == "PO102"


def test_case_pack_round_up_reports_new_quantity(ref):
    findings = check_quantities(lines_table(line(upc=SKU_1003, quantity=Decimal(30))), ref, RuleSettings())
    assert codes(findings) == ["CASE_PACK_ROUNDED"]
    assert "acknowledged as 36 EA" in findings[0].message
    assert (findings[0].location.element, findings[0].location.value) == ("PO102", "30")


def test_case_pack_reject_policy_for_one_partner(ref):
    settings = RuleSettings(partners={"acme": PartnerRuleOverrides(case_pack_policy="reject")})
    lines = lines_table(
        line(upc=SKU_1003, quantity=Decimal(30)), line(partner="globex", upc=SKU_1003, quantity=Decimal(30))
    )
    assert codes(check_quantities(lines, ref, settings)) == ["CASE_PACK_NOT_MULTIPLE", "CASE_PACK_ROUNDED"]


def test_below_minimum_order_quantity(ref):
    # SKU-1006: case pack 1, minimum 5
    findings = check_quantities(
        lines_table(line(upc="614141100453", quantity=Decimal(2))), ref, RuleSettings()
    )
    assert codes(findings) == ["QTY_BELOW_MINIMUM"] and "raise to 5 EA" in findings[0].message


def test_adjusted_quantity_policies():
    s = RuleSettings()
    assert adjusted_quantity(Decimal(30), "EA", 12, 12, s) == 36
    assert (
        adjusted_quantity(Decimal(30), "EA", 12, 12, s.model_copy(update={"case_pack_policy": "round_down"}))
        == 24
    )
    assert (
        adjusted_quantity(Decimal(5), "EA", 12, 0, s.model_copy(update={"case_pack_policy": "round_down"}))
        is None
    )
    assert (
        adjusted_quantity(Decimal(30), "EA", 12, 0, s.model_copy(update={"case_pack_policy": "reject"}))
        is None
    )
    assert adjusted_quantity(Decimal(1), "CA", 12, 48, s) == 4
    assert adjusted_quantity(Decimal(2), "EA", 1, 5, s) == 5
