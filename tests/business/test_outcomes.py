import pytest

from schemas.codes import CATALOGUE
from schemas.codes_business import BUSINESS_CODES
from schemas.outcomes import (
    CHANGE_PRICE,
    DEFAULT_OUTCOMES,
    HOLD_ORDER,
    REJECT_LINE,
    Outcome,
    outcome_for,
    strongest,
)


def test_every_business_code_has_a_default_outcome():
    assert {c.code for c in BUSINESS_CODES} <= set(DEFAULT_OUTCOMES)
    assert set(DEFAULT_OUTCOMES) <= {c.code for c in BUSINESS_CODES}


def test_business_codes_are_business_level_and_agree_with_the_main_catalogue():
    assert all(c.level == "business" and c.ack == "" for c in BUSINESS_CODES)
    assert len({c.code for c in BUSINESS_CODES}) == len(BUSINESS_CODES)
    assert all(CATALOGUE[c.code] == c for c in BUSINESS_CODES if c.code in CATALOGUE)


def test_defaults_named_in_the_design():
    assert outcome_for("ITEM_UNKNOWN").ack01 == "IR"
    assert outcome_for("CASE_PACK_ROUNDED").ack01 == "IQ"
    assert outcome_for("PRICE_OUT_OF_TOLERANCE") == CHANGE_PRICE
    assert (
        outcome_for("CREDIT_LIMIT_EXCEEDED") == HOLD_ORDER and HOLD_ORDER.order_status == "pending_approval"
    )
    assert outcome_for("ORDER_DUPLICATE").scope == "order"


def test_partner_policy_overrides_by_name_or_value():
    policy = {
        "PRICE_OUT_OF_TOLERANCE": "reject_line",
        "QTY_BELOW_MINIMUM": Outcome("line", "IR", "reject_line"),
    }
    assert outcome_for("PRICE_OUT_OF_TOLERANCE", policy) == REJECT_LINE
    assert outcome_for("QTY_BELOW_MINIMUM", policy).ack01 == "IR"
    assert outcome_for("ITEM_UNKNOWN", policy) == REJECT_LINE
    with pytest.raises(ValueError):
        outcome_for("ITEM_UNKNOWN", {"ITEM_UNKNOWN": "shrug"})


def test_strongest_outcome_wins():
    assert strongest([CHANGE_PRICE, REJECT_LINE]) == REJECT_LINE
    assert strongest([]).ack01 == "IA"
