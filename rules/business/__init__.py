"""Business rules over the canonical ORDERS / ORDER_LINES tables and the reference tables: item
identification (GS1 check digits), units and case packs, prices, money, ship-to, dates, duplicates
and credit. Pure functions returning findings located to the PO1 line and element; no I/O, no
clock (``today`` is an argument), no outcome decisions (schemas.outcomes owns those).

A package of small modules (items and item_readings, quantities, money, places, duplicates); this module re-exports
the public functions and runs them all (run_business_rules).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from datetime import date
from decimal import Decimal

import pyarrow as pa

from rules.business.common import business_finding
from rules.business.controlled import check_order_forms
from rules.business.duplicates import check_duplicates
from rules.business.items import (
    _resolved,
    check_gtin_check_digits,
    check_item_ids,
    check_items,
    resolve_items,
    substitute,
)
from rules.business.money import (
    _price_index,
    check_credit,
    check_currency,
    check_do_not_exceed,
    check_do_not_exceed_answered,
    check_order_value,
    check_prices,
    check_terms,
    line_prices,
    list_price,
    order_values,
    per_each_prices,
)
from rules.business.order_refs import check_required_refs
from rules.business.places import (
    check_dates,
    check_line_deliveries,
    check_line_places,
    check_line_requested_dates,
    check_line_ship_tos,
    check_line_windows,
    check_ship_to,
    check_ship_tos_repeated,
)
from rules.business.purpose import check_confirmation, check_order_type, check_purpose, check_test_data
from rules.business.quantities import adjusted_quantity, check_quantities, quantity_in_eaches
from rules.business.vendor_number import check_vendor_number
from schemas.findings import Finding
from schemas.reference import ReferenceData
from schemas.rule_settings import RuleSettings

price_index = _price_index

__all__ = ["adjusted_quantity", "business_finding", "check_credit", "check_currency", "check_dates",
           "check_do_not_exceed", "check_do_not_exceed_answered",
           "check_duplicates", "check_gtin_check_digits", "check_item_ids", "check_items", "check_order_type",
           "check_order_value",
           "check_line_deliveries", "check_line_places", "check_line_requested_dates", "check_line_ship_tos",
           "check_line_windows", "check_ship_tos_repeated",
           "check_order_forms",
           "check_prices", "check_purpose", "check_confirmation",
           "check_quantities",
           "check_ship_to", "check_terms",
           "check_test_data", "check_vendor_number", "check_required_refs",
           "list_price", "order_values", "per_each_prices", "price_index", "quantity_in_eaches", "resolve_items",
           "run_business_rules", "substitute"]


# --- everything -------------------------------------------------------------------------------


def run_business_rules(
    orders: pa.Table,
    lines: pa.Table,
    ref: ReferenceData,
    settings: RuleSettings,
    *,
    today: date,
    seen_po_numbers: Set[tuple[str, str]] = frozenset(),
    open_orders: Mapping[str, Decimal] | None = None,
) -> list[Finding]:
    """Every business rule over one run's orders and lines (all files and partners together)."""
    resolved = substitute(_resolved(lines, ref), ref.items, ref.partner_items, settings)
    prices = line_prices(orders, resolved, ref)
    values = order_values(orders, resolved, ref, prices, per_each_prices(resolved, ref, settings, prices))
    return [
        *check_gtin_check_digits(resolved, ref.items),
        *check_items(resolved, ref),
        *check_item_ids(resolved, ref),
        *check_quantities(resolved, ref, settings, orders=orders),
        *check_prices(orders, resolved, ref, settings),
        *check_currency(orders, ref.customers, ref.customer_currencies),
        *check_terms(orders, ref.customers),
        *check_order_value(orders, resolved, ref, settings, values=values),
        *check_credit(orders, resolved, ref, settings, open_orders=open_orders, values=values),
        *check_ship_to(orders, ref.ship_tos, settings),
        *check_line_ship_tos(orders, lines),
        *check_line_places(orders, lines, ref.ship_tos, settings),
        *check_ship_tos_repeated(orders),
        *check_dates(orders, today=today, settings=settings),
        *check_line_windows(orders, lines, today=today, settings=settings),
        *check_line_deliveries(orders, lines, today=today, settings=settings),
        *check_line_requested_dates(orders, lines, today=today),
        *check_duplicates(orders, seen_po_numbers, settings),
        *check_purpose(orders, settings),
        *check_confirmation(orders, settings),
        *check_order_type(orders, settings),
        *check_test_data(orders, settings),
        *check_vendor_number(orders, settings),
        *check_required_refs(orders, settings),
        *check_do_not_exceed(orders, resolved, ref, settings, values=values),
        *check_order_forms(orders, resolved, ref, settings),
    ]
