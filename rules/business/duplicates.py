"""Duplicate PO numbers for a partner (unless BEG01 says cancel, replace, reissue or confirm)."""

from __future__ import annotations

from collections.abc import Set

import pyarrow as pa

from rules.business.common import (
    _ORDER_LOCATION,
    _PerPartner,
    _rows,
    business_finding,
)
from schemas.findings import Finding
from schemas.rule_settings import RuleSettings

# --- duplicates -------------------------------------------------------------------------------


def check_duplicates(
    orders: pa.Table, seen_po_numbers: Set[tuple[str, str]], settings: RuleSettings
) -> list[Finding]:
    """ORDER_DUPLICATE when (partner, order key) was seen before (``seen_po_numbers``) or earlier in this
    table, unless BEG01 is a cancel, replace, reissue or confirmation (settings.duplicate_exempt_purposes).
    The order key is BEG03, or BEG03 and BEG04 for a later release of a blanket PO (schemas.order_keys:
    intake keys the 850s before this runs), so another release is not a duplicate."""
    seen, by_partner, out = set(seen_po_numbers), _PerPartner(settings), []
    for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number", "purpose"]):
        key = (order["partner"], order["po_number"])
        if order["purpose"] in by_partner[order["partner"]].duplicate_exempt_purposes:
            seen.add(key)
            continue
        if key in seen:
            out.append(
                business_finding(
                    "ORDER_DUPLICATE",
                    f"PO {order['po_number']} was already received from "
                    f"{order['partner']} (BEG01 {order['purpose'] or 'empty'}).",
                    order,
                    seg="BEG",
                    element="BEG03",
                    value=order["po_number"],
                    line=False,
                )
            )
        seen.add(key)
    return out
