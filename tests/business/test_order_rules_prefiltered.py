"""The order rules over currency, terms, ship-to, dates and purpose judge only the orders a column-wise screen
flags (the rest cannot raise anything); the screen must never leave out an order the rule would
flag: the findings are those of judging every order, whatever the values."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.business import (
    check_currency,
    check_dates,
    check_purpose,
    check_ship_to,
    check_terms,
    common,
    money,
    places,
    purpose,
)
from schemas.rule_settings import RuleSettings

from .tables import TODAY, order, orders_table, reference

REF = reference()
days = st.one_of(st.none(), st.integers(-40, 120).map(lambda n: TODAY + timedelta(days=n)))
orders_ = st.lists(st.fixed_dictionaries({
    "partner": st.sampled_from(["acme", "globex", "initech", "nobody", "", " ", "acme "]),
    "currency": st.sampled_from([None, "", "USD", "CAD", "EUR"]),
    "terms_type": st.sampled_from([None, "", "01", "08"]),
    "terms_discount_percent": st.sampled_from([None, Decimal("2"), Decimal("2.0000"), Decimal("1.5")]),
    "terms_discount_days": st.sampled_from([None, 10, 15]),
    "terms_net_days": st.sampled_from([None, 30, 45, 60]),
    "ship_to_id": st.sampled_from([None, "", " ", "0001", "0002", "9999", "0001 "]),
    "ship_to_city": st.sampled_from([None, "", "Springfield"]),
    "purpose": st.sampled_from([None, "", "00", "04", "22", "06"]),
    "po_date": days, "requested_delivery_date": days, "requested_ship_date": days, "ship_not_before": days,
    "ship_no_later": days,
}), min_size=1, max_size=6)
SETTINGS = [RuleSettings(), RuleSettings(partners={"acme": {"ship_window_max_days": 3}}),
            RuleSettings(acted_purposes=("00", "22"))]


def every_order(monkeypatch) -> None:
    """The rules' row reader without the screen: every order judged."""
    real = common._rows
    for module in (money, places, purpose):
        monkeypatch.setattr(module, "_rows", lambda table, columns, mask=None: real(table, columns))


def findings(rows: list[dict], s: RuleSettings) -> list:
    orders = orders_table(*[order(po_number=f"PO-{i}", **r) for i, r in enumerate(rows)])
    return [*check_currency(orders, REF.customers), *check_terms(orders, REF.customers),
            *check_ship_to(orders, REF.ship_tos, s), *check_dates(orders, today=TODAY, settings=s),
            *check_purpose(orders, s)]


@settings(max_examples=150, deadline=None)
@given(orders_, st.sampled_from(SETTINGS))
def test_screened_order_rules_find_what_judging_every_order_finds(rows, s):
    screened = findings(rows, s)
    with pytest.MonkeyPatch.context() as m:
        every_order(m)
        assert screened == findings(rows, s)


def test_the_screen_leaves_out_orders_with_nothing_to_say():
    orders = orders_table(order(), order(po_number="PO-2", requested_ship_date=date(2026, 1, 1)))
    assert places._dates_to_check(orders, TODAY, common._PerPartner(RuleSettings())).to_pylist() == [False, True]
