"""Item identification: resolve PO1 ids to our SKUs; GS1 check digits, unknown and discontinued items."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rules import registry
from rules.business.common import (
    _GS1_COLUMNS,
    _ID_COLUMNS,
    _LINE_LOCATION,
    _first_id,
    _id_element,
    _map_column,
    _pair_key,
    _rows,
    business_finding,
)
from schemas.findings import Finding
from schemas.reference import ReferenceData, gs1_valid, normalise_gtin

# --- item identification --------------------------------------------------------------------


def _gs1_keys(column: pa.ChunkedArray) -> pa.Array:
    """Each value normalised to GTIN-14, null where empty or not a valid GS1 number."""
    uniques = pc.unique(column).drop_null().to_pylist()
    valid = {u: normalise_gtin(u) for u in uniques}
    keys = [k for k in valid if valid[k] is not None]
    return _map_column(column, pa.array(keys, pa.string()), pa.array([valid[k] for k in keys], pa.string()))


def resolve_items(lines: pa.Table, items: pa.Table, partner_items: pa.Table) -> pa.Table:
    """``lines`` plus sku, matched_by (the column that matched), case_pack, min_order_qty and
    item_status. Identifiers are tried in the order GTIN, UPC, EAN, vendor part, buyer part (through
    the partner's cross-reference); a UPC/GTIN/EAN with a bad check digit never matches."""
    n = lines.num_rows
    sku = pa.nulls(n, pa.string())
    matched_by = pa.nulls(n, pa.string())
    item_gtin = items.column("gtin").combine_chunks()
    item_sku = items.column("sku").combine_chunks()
    for column in _ID_COLUMNS:
        if column in _GS1_COLUMNS:
            found = _map_column(_gs1_keys(lines.column(column)), item_gtin, item_sku)
        elif column == "vendor_part":
            found = _map_column(lines.column(column), items.column("vendor_part").combine_chunks(), item_sku)
        else:
            found = _map_column(
                _pair_key(lines.column("partner"), lines.column(column)),
                _pair_key(partner_items.column("partner"), partner_items.column("buyer_part")),
                partner_items.column("sku").combine_chunks(),
            )
            # a cross-reference to a sku we do not have is no match
            found = pc.if_else(pc.is_in(found, value_set=item_sku), found, pa.scalar(None, pa.string()))
        newly = pc.and_(pc.is_null(sku), pc.is_valid(found))
        matched_by = pc.if_else(newly, pa.scalar(column), matched_by)
        sku = pc.coalesce(sku, found)
    out = lines
    for name, values in (("sku", sku), ("matched_by", matched_by)):
        out = (
            out.set_column(out.schema.get_field_index(name), name, values)
            if name in out.column_names
            else out.append_column(name, values)
        )
    for name, source in (
        ("case_pack", "case_pack"),
        ("min_order_qty", "min_order_qty"),
        ("item_status", "status"),
    ):
        values = _map_column(sku, item_sku, items.column(source).combine_chunks())
        if name in out.column_names:
            out = out.set_column(out.schema.get_field_index(name), name, values)
        else:
            out = out.append_column(name, values)
    return out


def _resolved(lines: pa.Table, ref: ReferenceData) -> pa.Table:
    return lines if "sku" in lines.column_names else resolve_items(lines, ref.items, ref.partner_items)


def _line_masks(lines: pa.Table, keys: tuple[str, ...]) -> dict:
    """The registry's expectations ``keys`` over ``lines``, evaluated in Arrow (rules.suite runs them
    all at once, through GX or Arrow, and passes the masks to the *_findings functions below)."""
    from schemas.rule_settings import RuleSettings

    frame = registry.rules_frame(lines)
    return registry.evaluate_arrow(frame, registry.select(registry.expectations(RuleSettings()), keys))


def check_gtin_check_digits(lines: pa.Table) -> list[Finding]:
    """GTIN_CHECK_DIGIT_INVALID for every UP/UK/EN identifier that is not a valid GS1 number."""
    return gtin_findings(lines, _line_masks(lines, tuple(f"{c}_shape" for c in _GS1_COLUMNS)))


def gtin_findings(lines: pa.Table, masks: dict) -> list[Finding]:
    """GTIN_CHECK_DIGIT_INVALID: a value of the wrong shape (the registry's regex expectation) or
    of the right shape with a wrong check digit (arithmetic, per distinct value). One finding per
    column and line, columns in the order UP, UK, EN."""
    shape = re.compile(registry.GS1_SHAPE)
    out: list[Finding] = []
    for column, qualifiers in _GS1_COLUMNS.items():
        values = lines.column(column)
        wrong_digit = [u for u in pc.unique(values).drop_null().to_pylist()
                       if shape.search(u) and not gs1_valid(u.strip())]
        bad = masks[f"{column}_shape"].copy()
        if wrong_digit:
            bad |= np.asarray(pc.fill_null(pc.is_in(values, value_set=pa.array(wrong_digit, pa.string())), False)
                              .to_numpy(zero_copy_only=False), dtype=bool)
        if not bad.any():
            continue
        for row in _rows(lines, [*_LINE_LOCATION, column, "product_ids"], pa.array(bad)):
            value = row[column]
            out.append(
                business_finding(
                    "GTIN_CHECK_DIGIT_INVALID",
                    f"{qualifiers[0]} {value!r} is not a valid UPC/GTIN/EAN: wrong length or check digit.",
                    row,
                    seg="PO1",
                    element=_id_element(row["product_ids"], qualifiers, value),
                    value=value,
                )
            )
    return out


def check_items(lines: pa.Table, ref: ReferenceData) -> list[Finding]:
    """ITEM_ID_MISSING, ITEM_UNKNOWN (no identifier matched) and ITEM_DISCONTINUED."""
    resolved = _resolved(lines, ref)
    return item_findings(resolved, _line_masks(resolved, ("product_id_present", "sku_resolved", "item_active")))


def item_findings(resolved: pa.Table, masks: dict) -> list[Finding]:
    """ITEM_ID_MISSING, ITEM_UNKNOWN and ITEM_DISCONTINUED for the rows the registry's expectations
    found (no identifier; identifiers the item join did not resolve; a discontinued item)."""
    columns = [*_LINE_LOCATION, "product_ids", *_ID_COLUMNS, "sku", "item_status"]
    out: list[Finding] = []
    for row in _flagged(resolved, columns, masks["product_id_present"]):
        out.append(
            business_finding(
                "ITEM_ID_MISSING",
                "The line has no UP/UK/EN/VN/BP product identifier.",
                row,
                seg="PO1",
                element="PO107",
            )
        )
    for row in _flagged(resolved, columns, masks["sku_resolved"]):
        element, value = _first_id(row)
        sent = ", ".join(f"{p['qualifier']} {p['id']}" for p in row.get("product_ids") or []) or value
        out.append(
            business_finding(
                "ITEM_UNKNOWN", f"No item matches {sent}.", row, seg="PO1", element=element, value=value
            )
        )
    for row in _flagged(resolved, columns, masks["item_active"]):
        element, value = _first_id(row)
        out.append(
            business_finding(
                "ITEM_DISCONTINUED",
                f"Item {row['sku']} ({value}) is discontinued.",
                row,
                seg="PO1",
                element=element,
                value=value,
            )
        )
    return out


def _flagged(table: pa.Table, columns: list[str], mask: np.ndarray) -> list[dict]:
    return _rows(table, columns, pa.array(mask)) if mask.any() else []
