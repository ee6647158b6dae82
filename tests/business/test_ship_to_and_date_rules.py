from datetime import date

import pytest

from rules.business import check_dates, check_ship_to
from schemas.rule_settings import RuleSettings

from .tables import TODAY, order, orders_table

ADDRESS = {
    "ship_to_id": None,
    "ship_to_address1": "1 Elm St",
    "ship_to_city": "Albany",
    "ship_to_state": "NY",
    "ship_to_postal_code": "12207",
    "ship_to_country": "US",
}


def found(findings):
    return [(f.code, f.location.element, f.location.value) for f in findings]


def test_known_ship_to_id_passes(ref):
    assert check_ship_to(orders_table(order()), ref.ship_tos, RuleSettings()) == []


@pytest.mark.parametrize(
    "overrides",
    [
        ADDRESS,
        {**ADDRESS, "ship_to_postal_code": "12207-1234"},
        {**ADDRESS, "ship_to_state": "ON", "ship_to_postal_code": "M5H 2S6", "ship_to_country": "CA"},
    ],
)
def test_complete_plausible_address_passes(ref, overrides):
    assert check_ship_to(orders_table(order(**overrides)), ref.ship_tos, RuleSettings()) == []


def test_unknown_id_without_address(ref):
    assert found(check_ship_to(orders_table(order(ship_to_id="9999")), ref.ship_tos, RuleSettings())) == [
        ("SHIP_TO_UNKNOWN", "N104", "9999")
    ]


def test_another_partners_location_is_unknown(ref):
    findings = check_ship_to(orders_table(order(ship_to_id="T1")), ref.ship_tos, RuleSettings())
    assert [f.code for f in findings] == ["SHIP_TO_UNKNOWN"]


def test_incomplete_address(ref):
    findings = check_ship_to(
        orders_table(order(**{**ADDRESS, "ship_to_city": None, "ship_to_postal_code": ""})),
        ref.ship_tos,
        RuleSettings(),
    )
    assert found(findings) == [("ADDRESS_INCOMPLETE", "N401", None), ("ADDRESS_INCOMPLETE", "N403", None)]


@pytest.mark.parametrize(
    "overrides, element",
    [
        ({"ship_to_state": "ZZ"}, "N402"),
        ({"ship_to_postal_code": "1220"}, "N403"),
        ({"ship_to_country": "FR"}, "N404"),
        ({"ship_to_country": "CA", "ship_to_state": "ON", "ship_to_postal_code": "12207"}, "N403"),
    ],
)
def test_implausible_address(ref, overrides, element):
    findings = check_ship_to(orders_table(order(**{**ADDRESS, **overrides})), ref.ship_tos, RuleSettings())
    assert [(f.code, f.location.element) for f in findings] == [("ADDRESS_IMPLAUSIBLE", element)]


def test_future_consistent_dates_pass():
    assert check_dates(orders_table(order()), today=TODAY, settings=RuleSettings()) == []


def test_date_in_past():
    findings = check_dates(
        orders_table(
            order(
                requested_delivery_date=date(2026, 11, 25),
                requested_ship_date=None,
                ship_not_before=date(2026, 11, 1),
            )
        ),
        today=TODAY,
        settings=RuleSettings(),
    )
    assert found(findings) == [("DATE_IN_PAST", "DTM02", "20261125")]
    assert findings[0].location.segment_id == "DTM" and "DTM 002" in findings[0].message


def test_ship_not_before_after_ship_no_later():
    findings = check_dates(
        orders_table(
            order(ship_not_before=date(2026, 12, 9), requested_ship_date=None, requested_delivery_date=None)
        ),
        today=TODAY,
        settings=RuleSettings(),
    )
    assert found(findings) == [("SHIP_WINDOW_INCONSISTENT", "DTM02", "20261208")]


@pytest.mark.parametrize(
    "overrides",
    [
        {"requested_ship_date": date(2026, 12, 9)},  # 010 after 038
        {"requested_delivery_date": date(2026, 12, 4)},  # delivery before the requested ship date
        {"ship_no_later": date(2028, 1, 1), "requested_delivery_date": date(2028, 1, 2)},  # window > 365 days
    ],
)
def test_ship_window_inconsistent(overrides):
    findings = check_dates(orders_table(order(**overrides)), today=TODAY, settings=RuleSettings())
    assert [f.code for f in findings] == ["SHIP_WINDOW_INCONSISTENT"]


def test_requested_date_before_po_date():
    findings = check_dates(
        orders_table(order(po_date=date(2026, 12, 2), ship_not_before=None, requested_ship_date=None)),
        today=TODAY,
        settings=RuleSettings(),
    )
    assert found(findings) == []
    findings = check_dates(
        orders_table(order(po_date=date(2026, 12, 9), ship_not_before=None, requested_ship_date=None)),
        today=TODAY,
        settings=RuleSettings(),
    )
    assert [f.code for f in findings] == ["SHIP_WINDOW_INCONSISTENT"]
