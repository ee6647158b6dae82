"""Duplicate PO numbers for a partner (unless BEG01 says cancel, replace or confirm)."""

from __future__ import annotations

from collections.abc import Set

import pyarrow as pa

from rules.business.common import (
    _ORDER_LOCATION,
    _PerPartner,
    _rows,
    business_finding,
)
from schemas.findings import Finding, finding_at_row
from schemas.rule_settings import RuleSettings

# --- duplicates -------------------------------------------------------------------------------


def check_duplicates(
    orders: pa.Table, seen_po_numbers: Set[tuple[str, str]], settings: RuleSettings
) -> list[Finding]:
    """ORDER_DUPLICATE when (partner, BEG03) was seen before (``seen_po_numbers``) or earlier in this
    table, unless BEG01 is a cancel, replace or confirmation (settings.duplicate_exempt_purposes)."""
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


def line_id_findings(lines: pa.Table, masks: dict) -> list[Finding]:
    """PO1_LINE_ID_DUPLICATE (a warning) for every line whose PO101 another line of the same purchase
    order also carries (the registry's compound-uniqueness expectation); both lines are answered."""
    flagged = masks.get("line_id_unique")
    if flagged is None or not flagged.any():
        return []
    cols = ["source_file", "isa13", "gs06", "st02", "segment_position", "file_segment", "line_number", "po_number",
            "line_id"]
    out = []
    for row in _rows(lines, cols, pa.array(flagged)):
        out.append(finding_at_row("PO1_LINE_ID_DUPLICATE",
                                  f"PO101 {row['line_id']!r} is on more than one line of PO {row['po_number']}; "
                                  "each line is answered as sent.", row, seg="PO1", element="PO101",
                                  value=row["line_id"], line_number=row["line_number"]))
    return out
