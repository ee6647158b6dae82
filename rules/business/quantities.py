"""Units and quantities: known and convertible units, positive quantities, case packs, minimums.

A unit is known when it is a unit of measure code (schemas.units); it converts to eaches through the
item master (the each, the item's selling unit, item_units rows, the case pack for CA/CS)."""

from __future__ import annotations

from collections.abc import Mapping
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
from schemas.units import is_unit_code

# --- units and quantities ------------------------------------------------------------------


def unit_index(ref: ReferenceData) -> dict[tuple[str, str], int]:
    """(sku, unit) -> eaches per unit, from the item master: each item's own selling unit (items.unit)
    holds one each; item_units rows add inner packs, boxes, dozens ..."""
    index: dict[tuple[str, str], int] = {}
    for r in ref.items.select(["sku", "unit"]).to_pylist():
        if r["sku"] and r["unit"]:
            index[(r["sku"], r["unit"])] = 1
    for r in ref.item_units.to_pylist():
        if r["sku"] and r["unit"]:
            index[(r["sku"], r["unit"])] = int(r["eaches"])
    return index


def eaches_per_unit(unit: str | None, sku: str | None, case_pack: int | None,
                    index: Mapping[tuple[str, str], int], settings: RuleSettings) -> int | None:
    """How many eaches one ``unit`` of item ``sku`` holds: 1 for the each, the item master's count for
    its selling unit and item_units rows, the case pack for a case (CA/CS) of more than one each;
    None when the item cannot be sold in that unit."""
    if not unit:
        return None
    if unit in settings.each_units:
        return 1
    if sku and (sku, unit) in index:
        return index[(sku, unit)]
    if unit in settings.case_units and case_pack and case_pack > 1:
        return int(case_pack)
    return None


def known_unit(unit: str | None, settings: RuleSettings) -> bool:
    """A unit of measure at all: a code of data element 355 (or one the settings name)."""
    return bool(unit) and (is_unit_code(unit) or unit in settings.each_units or unit in settings.case_units)


def quantity_in_eaches(
    quantity: Decimal, unit: str, case_pack: int, settings: RuleSettings, *, per_unit: int | None = None
) -> Decimal | None:
    """PO102 in eaches, or None when the unit is unknown or not convertible. ``per_unit``: eaches per
    PO103 unit from the item master (eaches_per_unit); without it only each and case convert."""
    if per_unit is None:
        per_unit = eaches_per_unit(unit, None, case_pack, {}, settings)
    return None if per_unit is None else quantity * per_unit


def adjusted_quantity(
    quantity: Decimal, unit: str, case_pack: int, min_order_qty: int, settings: RuleSettings, *,
    per_unit: int | None = None
) -> Decimal | None:
    """The quantity (in the PO103 unit) we acknowledge after case-pack rounding and raising to the
    minimum, or None when the line must be rejected (unknown unit, reject policy, rounds to zero)."""
    if per_unit is None:
        per_unit = eaches_per_unit(unit, None, case_pack, {}, settings)
    eaches = quantity_in_eaches(quantity, unit, case_pack, settings, per_unit=per_unit)
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
    return eaches / Decimal(per_unit)


def _sells_in(sku: str, item_unit: str | None, case_pack: int | None, index: Mapping[tuple[str, str], int],
              settings: RuleSettings) -> str:
    """The units an item can be ordered in, for messages: "EA, CA (12), PK (6)"."""
    units = [u for u in settings.each_units]
    if item_unit and item_unit not in units:
        units.append(item_unit)
    if case_pack and case_pack > 1:
        units += [f"{u} ({case_pack})" for u in settings.case_units[:1]]
    units += [f"{u} ({n})" for (s, u), n in sorted(index.items()) if s == sku and n != 1]
    return ", ".join(dict.fromkeys(units))


def check_quantities(lines: pa.Table, ref: ReferenceData, settings: RuleSettings) -> list[Finding]:
    """QTY_NOT_POSITIVE, UNIT_UNKNOWN (not a unit of measure code), UNIT_NOT_CONVERTIBLE (a unit the item
    is not sold in), CASE_PACK_ROUNDED/CASE_PACK_NOT_MULTIPLE (per the case-pack policy) and
    QTY_BELOW_MINIMUM, for lines whose item is known."""
    resolved = _resolved(lines, ref)
    by_partner = _PerPartner(settings)
    index = unit_index(ref)
    item_units = {r["sku"]: r["unit"] for r in ref.items.select(["sku", "unit"]).to_pylist()}
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
        if not known_unit(unit, s):
            out.append(
                business_finding(
                    "UNIT_UNKNOWN",
                    f"PO103 {unit!r} is not a unit of measure code (X12 data element 355).",
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
        per_unit = eaches_per_unit(unit, row["sku"], pack, index, s)
        eaches = quantity_in_eaches(qty, unit, pack, s, per_unit=per_unit)
        if eaches is None:
            out.append(
                business_finding(
                    "UNIT_NOT_CONVERTIBLE",
                    f"Ordered in {unit}, but item {row['sku']} is not sold in {unit}: it is sold in "
                    f"{_sells_in(row['sku'], item_units.get(row['sku']), pack, index, s)} (item_units.csv "
                    f"has no {row['sku']},{unit} row).",
                    row,
                    seg="PO1",
                    element="PO103",
                    value=unit,
                )
            )
            continue
        if eaches % pack:
            new = adjusted_quantity(qty, unit, pack, 0, s, per_unit=per_unit)
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
            new = adjusted_quantity(qty, unit, pack, moq, s, per_unit=per_unit)
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
