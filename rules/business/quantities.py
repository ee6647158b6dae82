"""Units and quantities: convertible units, positive quantities, case packs, minimums."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rules import registry
from rules.business.common import (
    _LINE_LOCATION,
    _PerPartner,
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
    frame = registry.rules_frame(resolved)
    keys = ("quantity_present", "quantity_positive", "unit_present", "unit_known")
    return quantity_findings(resolved, registry.evaluate_arrow(frame, registry.select(
        registry.expectations(settings), keys)), settings)


def quantity_findings(resolved: pa.Table, masks: dict, settings: RuleSettings) -> list[Finding]:
    """The quantity findings of every line, line by line: a missing or non-positive PO102 and an
    unknown PO103 come from the registry's expectations; case packs and minimums are arithmetic on
    the item join, screened in Arrow (a line that can raise nothing is skipped) and decided exactly
    (decimals) for the others."""
    qty_bad = masks["quantity_present"] | masks["quantity_positive"]
    unit_bad = ~qty_bad & (masks["unit_present"] | masks["unit_known"])
    maybe = ~qty_bad & ~unit_bad & _may_raise(resolved, settings)
    rows = np.flatnonzero(qty_bad | unit_bad | maybe)
    if not len(rows):
        return []
    by_partner = _PerPartner(settings)
    cols = [*_LINE_LOCATION, "partner", "quantity", "unit", "sku", "case_pack", "min_order_qty"]
    picked = resolved.select(list(dict.fromkeys(c for c in cols if c in resolved.column_names))).take(rows)
    out: list[Finding] = []
    for i, row in zip(rows.tolist(), picked.to_pylist(), strict=True):
        out.extend(_line_quantities(row, by_partner[row["partner"]], bool(qty_bad[i]), bool(unit_bad[i])))
    return out


def _may_raise(resolved: pa.Table, settings: RuleSettings) -> np.ndarray:
    """Lines with an item that could raise UNIT_NOT_CONVERTIBLE, a case-pack or a minimum finding
    (a superset, in floats: a fractional quantity, a remainder, a minimum not met, huge values; whole
    numbers below 2**50 are exact in a float, the rest is decided in decimals)."""
    n = resolved.num_rows
    if n == 0:
        return np.zeros(0, dtype=bool)

    def num(column: str, default: float) -> np.ndarray:
        values = pc.fill_null(pc.cast(resolved.column(column), pa.float64()), default)
        return np.asarray(values.to_numpy(zero_copy_only=False), dtype=float)

    def member(units: tuple[str, ...]) -> np.ndarray:
        hit = pc.is_in(resolved.column("unit"), value_set=pa.array(list(units), pa.string()))
        return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)

    has_sku = np.asarray(pc.is_valid(resolved.column("sku")).to_numpy(zero_copy_only=False), dtype=bool)
    q, pack, moq = num("quantity", 0.0), num("case_pack", 1.0), num("min_order_qty", 0.0)
    pack = np.where(pack == 0, 1.0, pack)  # "case_pack or 1"
    each, case = member(settings.each_units), member(settings.case_units)
    eaches = np.where(each, q, q * pack)
    with np.errstate(invalid="ignore", divide="ignore"):
        remainder = np.fmod(eaches, np.where(pack == 0, 1.0, pack))
    suspect = ((case & ~each & ~(pack > 1)) | (q != np.floor(q)) | (remainder != 0) | (eaches < moq)
               | (np.abs(eaches) >= 2.0 ** 50) | (pack < 1))
    return has_sku & suspect


def _line_quantities(row: dict, s: RuleSettings, qty_bad: bool, unit_bad: bool) -> list[Finding]:
    """One line's quantity findings, decided exactly (``qty_bad``/``unit_bad``: the expectations'
    verdicts on PO102 and PO103)."""
    qty, unit = row["quantity"], row["unit"] or ""
    if qty_bad:
        return [business_finding("QTY_NOT_POSITIVE",
                                 f"PO102 must be a positive quantity, got {_text(qty) or 'nothing'}.", row,
                                 seg="PO1", element="PO102", value=qty)]
    if unit_bad:
        return [business_finding("UNIT_UNKNOWN",
                                 f"Unit {unit!r} is not one we sell in ({', '.join(s.each_units + s.case_units)}).",
                                 row, seg="PO1", element="PO103", value=unit)]
    if row["sku"] is None:
        return []  # ITEM_UNKNOWN covers it
    out: list[Finding] = []
    pack = row["case_pack"] or 1
    eaches = quantity_in_eaches(qty, unit, pack, s)
    if eaches is None:
        return [business_finding("UNIT_NOT_CONVERTIBLE", f"Ordered in {unit} but item {row['sku']} has no case pack.",
                                 row, seg="PO1", element="PO103", value=unit)]
    if eaches % pack:
        new = adjusted_quantity(qty, unit, pack, 0, s)
        if new is None:
            return [business_finding("CASE_PACK_NOT_MULTIPLE",
                                     f"{_text(eaches)} eaches is not a multiple of the case pack {pack} of item "
                                     f"{row['sku']}.", row, seg="PO1", element="PO102", value=qty)]
        out.append(business_finding("CASE_PACK_ROUNDED",
                                    f"{_text(eaches)} eaches is not a multiple of the case pack {pack} of item "
                                    f"{row['sku']}; acknowledged as {_text(new)} {unit}.", row, seg="PO1",
                                    element="PO102", value=qty))
    moq = row["min_order_qty"] or 0
    if moq and eaches < moq:
        new = adjusted_quantity(qty, unit, pack, moq, s)
        out.append(business_finding("QTY_BELOW_MINIMUM",
                                    f"{_text(eaches)} eaches is below the minimum order quantity {moq} of item "
                                    f"{row['sku']}; raise to {_text(new)} {unit}.", row, seg="PO1", element="PO102",
                                    value=qty))
    return out
