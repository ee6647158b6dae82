"""BEG01 purposes we act on: an 850 whose purpose is valid X12 but not one we act on (e.g. 22
information copy, 04 change) is held for a person with a clear finding, never rejected in the 997."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import _ORDER_LOCATION, _PerPartner, _rows, business_finding, pair_key
from schemas.findings import Finding
from schemas.rule_settings import RuleSettings


def check_purpose(orders: pa.Table, settings: RuleSettings) -> list[Finding]:
    """ORDER_PURPOSE_UNSUPPORTED for each order whose BEG01 is not in settings.acted_purposes."""
    by_partner, out = _PerPartner(settings), []
    acted = [(p, purpose) for p in orders["partner"].unique().to_pylist() if p is not None
             for purpose in by_partner[p].acted_purposes]  # the orders with one of these raise nothing
    other = pc.invert(pc.is_in(pair_key(orders["partner"], pc.fill_null(orders["purpose"], "")),
                               value_set=pair_key(pa.array([p for p, _ in acted], pa.string()),
                                                  pa.array([a for _, a in acted], pa.string()))))
    for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number", "purpose"], other):
        purpose = order["purpose"] or ""
        acted = by_partner[order["partner"]].acted_purposes
        if purpose not in acted:
            out.append(business_finding(
                "ORDER_PURPOSE_UNSUPPORTED",
                f"BEG01 {purpose or '(empty)'} is a valid purpose, but not one we act on ({', '.join(acted)}); "
                f"PO {order['po_number']} waits for a person.", order, seg="BEG", element="BEG01", value=purpose,
                line=False))
    return out
