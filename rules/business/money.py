"""Prices, currency, terms, order value and credit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import (
    _HUNDRED,
    _LINE_LOCATION,
    _ORDER_LOCATION,
    _order_key,
    _PerPartner,
    _rows,
    _text,
    business_finding,
    is_blank,
)
from rules.business.items import _resolved
from rules.business.quantities import eaches_per_unit, unit_index
from schemas.findings import Finding
from schemas.reference import ReferenceData
from schemas.rule_settings import RuleSettings

# --- prices, currency, terms ------------------------------------------------------------------


def _orders_by_key(orders: pa.Table) -> dict[tuple[str, str], dict]:
    return {_order_key(o): o for o in orders.to_pylist()}


def _customers(customers: pa.Table) -> dict[str, dict]:
    """partner -> customer row; a row without a partner id belongs to no one."""
    return {c["partner"]: c for c in customers.to_pylist() if not is_blank(c["partner"])}


def _price_index(prices: pa.Table) -> dict[tuple[str, str], list[dict]]:
    """(partner, sku) -> price rows, latest valid_from first; rows with a blank partner or sku are no one's."""
    index: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for p in prices.to_pylist():
        if is_blank(p["partner"]) or is_blank(p["sku"]):
            continue
        index[p["partner"], p["sku"]].append(p)
    for rows in index.values():
        rows.sort(key=lambda p: p["valid_from"], reverse=True)
    return index


def _order_currency(order: Mapping, customer: Mapping | None) -> str | None:
    return order.get("currency") or (customer or {}).get("currency")


def list_price(
    price_index: Mapping[tuple[str, str], list[dict]],
    partner: str,
    sku: str,
    on: date | None,
    currency: str | None,
) -> Decimal | None:
    """Our per-each price for ``partner``/``sku`` valid on ``on`` in ``currency`` (latest valid_from wins);
    None for a blank partner or sku."""
    if is_blank(partner) or is_blank(sku):
        return None
    for p in price_index.get((partner, sku), ()):
        if currency and p["currency"] != currency:
            continue
        if on is None or (p["valid_from"] <= on and (p["valid_to"] is None or on <= p["valid_to"])):
            return p["unit_price"]
    return None


def check_prices(
    orders: pa.Table, lines: pa.Table, ref: ReferenceData, settings: RuleSettings
) -> list[Finding]:
    """PRICE_MISSING, PRICE_NOT_ON_FILE, DISCOUNT_OVER_THRESHOLD (below our price by more than the
    partner's approval threshold) or else PRICE_OUT_OF_TOLERANCE. PO104 is per PO103 unit (per case, per
    pack ...): our per-each price is converted through the item master."""
    resolved = _resolved(lines, ref)
    units = unit_index(ref)
    by_order, customers, index = _orders_by_key(orders), _customers(ref.customers), _price_index(ref.prices)
    by_partner = _PerPartner(settings)
    out: list[Finding] = []
    cols = [*_LINE_LOCATION, "partner", "order_ref", "unit", "unit_price", "sku", "case_pack"]
    for row in _rows(resolved, cols, pc.is_valid(resolved.column("sku"))):
        s, order = by_partner[row["partner"]], by_order.get(_order_key(row), {})
        customer = customers.get(row["partner"])
        po_date, currency = order.get("po_date"), _order_currency(order, customer)
        ours = list_price(index, row["partner"], row["sku"], po_date, currency)
        if ours is None:
            out.append(
                business_finding(
                    "PRICE_NOT_ON_FILE",
                    f"No price for item {row['sku']} valid on {_text(po_date) or '?'} in {currency or '?'}.",
                    row,
                    seg="PO1",
                    element="PO104",
                    value=row["unit_price"],
                )
            )
            continue
        per_unit = eaches_per_unit(row["unit"], row["sku"], row["case_pack"], units, s)
        if per_unit:  # PO104 is per PO103 unit; ours is per each
            ours = ours * per_unit
        theirs = row["unit_price"]
        if theirs is None:
            out.append(
                business_finding(
                    "PRICE_MISSING",
                    f"No PO104 price; our price {_text(ours)} applies.",
                    row,
                    seg="PO1",
                    element="PO104",
                )
            )
            continue
        if ours == 0:
            continue
        deviation = (theirs - ours) / ours * _HUNDRED
        threshold = (customer or {}).get("discount_approval_threshold_percent")
        if threshold is not None and -deviation > threshold:
            out.append(
                business_finding(
                    "DISCOUNT_OVER_THRESHOLD",
                    f"PO104 {_text(theirs)} is {_text(round(-deviation, 2))}% "
                    f"below our price {_text(ours)}; more than the {_text(threshold)}% that needs "
                    "approval.",
                    row,
                    seg="PO1",
                    element="PO104",
                    value=theirs,
                )
            )
        elif abs(deviation) > s.price_tolerance_percent:
            out.append(
                business_finding(
                    "PRICE_OUT_OF_TOLERANCE",
                    f"PO104 {_text(theirs)} differs from our price {_text(ours)} "
                    f"by {_text(round(deviation, 2))}% (tolerance {_text(s.price_tolerance_percent)}%).",
                    row,
                    seg="PO1",
                    element="PO104",
                    value=theirs,
                )
            )
    return out


def check_currency(orders: pa.Table, customers: pa.Table) -> list[Finding]:
    """CUSTOMER_UNKNOWN (no customer record) and CURRENCY_MISMATCH (CUR02 vs the agreed currency)."""
    by_partner, out = _customers(customers), []
    for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number", "currency"]):
        customer = None if is_blank(order["partner"]) else by_partner.get(order["partner"])
        if customer is None:
            out.append(
                business_finding(
                    "CUSTOMER_UNKNOWN",
                    f"No customer record for partner {order['partner']!r}.",
                    order,
                    seg="BEG",
                    element="BEG03",
                    value=order["po_number"],
                    line=False,
                )
            )
        elif order["currency"] and order["currency"] != customer["currency"]:
            out.append(
                business_finding(
                    "CURRENCY_MISMATCH",
                    f"PO {order['po_number']} is in {order['currency']}, the agreed "
                    f"currency is {customer['currency']}.",
                    order,
                    seg="CUR",
                    element="CUR02",
                    value=order["currency"],
                    line=False,
                )
            )
    return out


_TERMS_FIELDS = (
    ("terms_type", "ITD01", "terms type"),
    ("terms_discount_percent", "ITD03", "discount percent"),
    ("terms_discount_days", "ITD05", "discount days"),
    ("terms_net_days", "ITD07", "net days"),
)


def check_terms(orders: pa.Table, customers: pa.Table) -> list[Finding]:
    """TERMS_MISMATCH for each ITD element sent that differs from the customer's agreed terms."""
    by_partner, out = _customers(customers), []
    for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number", *(f for f, _, _ in _TERMS_FIELDS)]):
        customer = by_partner.get(order["partner"])
        if customer is None:
            continue
        for field, element, label in _TERMS_FIELDS:
            sent, agreed = order[field], customer[field]
            if sent is None or agreed is None or sent == "" or sent == agreed:
                continue
            out.append(
                business_finding(
                    "TERMS_MISMATCH",
                    f"ITD {label} {_text(sent)} differs from the agreed {_text(agreed)}.",
                    order,
                    seg="ITD",
                    element=element,
                    value=sent,
                    line=False,
                )
            )
    return out


# --- order value and credit ------------------------------------------------------------------


def order_values(orders: pa.Table, lines: pa.Table, ref: ReferenceData) -> dict[tuple[str, str], Decimal]:
    """(source_file, order_ref) -> sum of PO102 x PO104 (our price where PO104 is empty)."""
    resolved = _resolved(lines, ref)
    by_order, customers, index = _orders_by_key(orders), _customers(ref.customers), _price_index(ref.prices)
    values: dict[tuple[str, str], Decimal] = {key: Decimal(0) for key in by_order}
    for row in _rows(resolved, ["source_file", "order_ref", "partner", "quantity", "unit_price", "sku"]):
        key = _order_key(row)
        price = row["unit_price"]
        if price is None and row["sku"] is not None:
            order = by_order.get(key, {})
            price = list_price(
                index,
                row["partner"],
                row["sku"],
                order.get("po_date"),
                _order_currency(order, customers.get(row["partner"])),
            )
        if row["quantity"] is not None and price is not None:
            values[key] = values.get(key, Decimal(0)) + row["quantity"] * price
    return values


def check_order_value(
    orders: pa.Table, lines: pa.Table, ref: ReferenceData, settings: RuleSettings
) -> list[Finding]:
    """ORDER_VALUE_BELOW_MINIMUM for orders (not cancellations) worth less than min_order_value."""
    values, by_partner, out = order_values(orders, lines, ref), _PerPartner(settings), []
    for order in _rows(orders, [*_ORDER_LOCATION, "order_ref", "partner", "po_number", "purpose"]):
        s = by_partner[order["partner"]]
        value = values.get(_order_key(order), Decimal(0))
        if order["purpose"] not in s.credit_exempt_purposes and value < s.min_order_value:
            out.append(
                business_finding(
                    "ORDER_VALUE_BELOW_MINIMUM",
                    f"PO {order['po_number']} is worth {_text(value)}, below "
                    f"the minimum order value {_text(s.min_order_value)}.",
                    order,
                    seg="BEG",
                    element="BEG03",
                    value=order["po_number"],
                    line=False,
                )
            )
    return out


def check_credit(
    orders: pa.Table,
    lines: pa.Table,
    ref: ReferenceData,
    settings: RuleSettings,
    *,
    open_orders: Mapping[str, Decimal] | None = None,
) -> list[Finding]:
    """CREDIT_LIMIT_EXCEEDED for each order that would take open AR + open orders (``open_orders``:
    partner -> value not yet invoiced) + the run's earlier accepted orders past the credit limit.
    Orders are taken in table order; a held order does not consume credit."""
    values, customers, by_partner = (
        order_values(orders, lines, ref),
        _customers(ref.customers),
        _PerPartner(settings),
    )
    exposure = {p: c["open_ar"] + (open_orders or {}).get(p, Decimal(0)) for p, c in customers.items()}
    out: list[Finding] = []
    for order in _rows(orders, [*_ORDER_LOCATION, "order_ref", "partner", "po_number", "purpose"]):
        partner = order["partner"]
        if partner not in customers or order["purpose"] in by_partner[partner].credit_exempt_purposes:
            continue
        value, limit = values.get(_order_key(order), Decimal(0)), customers[partner]["credit_limit"]
        if exposure[partner] + value > limit:
            out.append(
                business_finding(
                    "CREDIT_LIMIT_EXCEEDED",
                    f"PO {order['po_number']} ({_text(value)}) would bring the "
                    f"exposure to {_text(exposure[partner] + value)}, over the credit limit {_text(limit)}.",
                    order,
                    seg="BEG",
                    element="BEG03",
                    value=order["po_number"],
                    line=False,
                )
            )
        else:
            exposure[partner] += value
    return out
