"""Units and quantities: convertible units, positive quantities, case packs, minimums."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pyarrow as pa

from rules.business.common import (
    _LINE_LOCATION,
    _PerPartner,
    _rows,
    _text,
    business_finding,
)
from rules.business.items import _resolved
from schemas.findings import Finding
from schemas.reference import ReferenceData
from schemas.rule_settings import RuleSettings

# --- units and quantities ------------------------------------------------------------------


def quantity_in_eaches(
    quantity: Decimal, unit: str, case_pack: int, settings: RuleSettings
) -> Decimal | None:
    """PO102 in eaches, or None when the unit is unknown or not convertible."""
    if unit in settings.each_units:
        return quantity
    if unit in settings.case_units and case_pack and case_pack > 1:
        return quantity * case_pack
    return None


def adjusted_quantity(
    quantity: Decimal, unit: str, case_pack: int, min_order_qty: int, settings: RuleSettings
) -> Decimal | None:
    """The quantity (in the PO103 unit) we acknowledge after case-pack rounding and raising to the
    minimum, or None when the line must be rejected (unknown unit, reject policy, rounds to zero)."""
    eaches = quantity_in_eaches(quantity, unit, case_pack, settings)
    if eaches is None or eaches <= 0:
        return None
    pack = Decimal(case_pack or 1)
    if eaches % pack:
        if settings.case_pack_policy == "reject":
            return None
        rounding = ROUND_CEILING if settings.case_pack_policy == "round_up" else ROUND_FLOOR
        eaches = (eaches / pack).to_integral_value(rounding) * pack
        if eaches <= 0:
            return None
    if min_order_qty and eaches < min_order_qty:
        eaches = (Decimal(min_order_qty) / pack).to_integral_value(ROUND_CEILING) * pack
    return eaches if unit in settings.each_units else eaches / pack


def check_quantities(lines: pa.Table, ref: ReferenceData, settings: RuleSettings) -> list[Finding]:
    """QTY_NOT_POSITIVE, UNIT_UNKNOWN, UNIT_NOT_CONVERTIBLE, CASE_PACK_ROUNDED/CASE_PACK_NOT_MULTIPLE
    (per the case-pack policy) and QTY_BELOW_MINIMUM, for lines whose item is known."""
    resolved = _resolved(lines, ref)
    by_partner = _PerPartner(settings)
    out: list[Finding] = []
    cols = [*_LINE_LOCATION, "partner", "quantity", "unit", "sku", "case_pack", "min_order_qty"]
    for row in _rows(resolved, cols):
        s = by_partner[row["partner"]]
        qty, unit = row["quantity"], row["unit"] or ""
        if qty is None or qty <= 0:
            out.append(
                business_finding(
                    "QTY_NOT_POSITIVE",
                    f"PO102 must be a positive quantity, got {_text(qty) or 'nothing'}.",
                    row,
                    seg="PO1",
                    element="PO102",
                    value=qty,
                )
            )
            continue
        if unit not in s.each_units and unit not in s.case_units:
            out.append(
                business_finding(
                    "UNIT_UNKNOWN",
                    f"Unit {unit!r} is not one we sell in ({', '.join(s.each_units + s.case_units)}).",
                    row,
                    seg="PO1",
                    element="PO103",
                    value=unit,
                )
            )
            continue
        if row["sku"] is None:
            continue  # ITEM_UNKNOWN covers it
        pack = row["case_pack"] or 1
        eaches = quantity_in_eaches(qty, unit, pack, s)
        if eaches is None:
            out.append(
                business_finding(
                    "UNIT_NOT_CONVERTIBLE",
                    f"Ordered in {unit} but item {row['sku']} has no case pack.",
                    row,
                    seg="PO1",
                    element="PO103",
                    value=unit,
                )
            )
            continue
        if eaches % pack:
            new = adjusted_quantity(qty, unit, pack, 0, s)
            if new is None:
                out.append(
                    business_finding(
                        "CASE_PACK_NOT_MULTIPLE",
                        f"{_text(eaches)} eaches is not a multiple of the "
                        f"case pack {pack} of item {row['sku']}.",
                        row,
                        seg="PO1",
                        element="PO102",
                        value=qty,
                    )
                )
                continue
            out.append(
                business_finding(
                    "CASE_PACK_ROUNDED",
                    f"{_text(eaches)} eaches is not a multiple of the case pack "
                    f"{pack} of item {row['sku']}; acknowledged as {_text(new)} {unit}.",
                    row,
                    seg="PO1",
                    element="PO102",
                    value=qty,
                )
            )
        moq = row["min_order_qty"] or 0
        if moq and eaches < moq:
            new = adjusted_quantity(qty, unit, pack, moq, s)
            out.append(
                business_finding(
                    "QTY_BELOW_MINIMUM",
                    f"{_text(eaches)} eaches is below the minimum order quantity "
                    f"{moq} of item {row['sku']}; raise to {_text(new)} {unit}.",
                    row,
                    seg="PO1",
                    element="PO102",
                    value=qty,
                )
            )
    return out
