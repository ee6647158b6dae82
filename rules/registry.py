"""The one registry of line rules: the expectations over the canonical line columns (not null,
ranges, code sets, regexes, a joined column's nulls) that Great Expectations evaluates, and the same
expectations evaluated natively in Arrow when GX is off, so both engines give the same unexpected
rows and every finding is built by one path (rules.business.{items,quantities,money}).

Owns: the rules frame (resolved lines with "" as null and the first product id), the expectation
list, the Arrow evaluator. Must not: import GX (rules.gx_runner does, lazily), build findings,
or join reference data (item resolution and prices are Arrow joins in rules.business).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.rule_settings import RuleSettings
from schemas.units import unit_codes

ID_COLUMNS = ("gtin", "upc", "ean", "vendor_part", "buyer_part")  # precedence when naming a line's product
GS1_COLUMNS = ("upc", "gtin", "ean")
# A UPC/GTIN/EAN's shape: 8, 12, 13, 14 (or 18: SSCC) ASCII digits, blanks around allowed. The check
# digit is arithmetic, not a pattern: rules.business.items checks it for values of this shape.
# "Blanks" are exactly what Python's \s matches in a str (str.isspace: 29 characters), spelled out
# as a class of literal characters: RE2 (pyarrow, and pandas' Arrow strings under GX) then evaluates
# the pattern natively, while \s would send every value through a Python loop.
_BLANK = "[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
GS1_SHAPE = r"\A" + _BLANK + r"*(?:[0-9]{8}|[0-9]{12,14}|[0-9]{18})" + _BLANK + r"*\Z"
_NULL_IF_EMPTY = ("upc", "gtin", "ean", "vendor_part", "buyer_part", "unit")


@dataclass(frozen=True, slots=True)
class Expectation:
    """One GX expectation over the rules frame; its unexpected rows raise ``code`` (the business rule
    that owns the code may narrow them, e.g. a unit is only judged on a line with a quantity)."""

    key: str  # stable name (meta.key in GX; the mask's name here)
    code: str
    type: str  # GX expectation type, snake case
    kwargs: Mapping = field(default_factory=dict)
    notes: str = ""

    def gx_config(self) -> dict:
        return {"type": self.type, "kwargs": dict(self.kwargs),
                "meta": {"key": self.key, "code": self.code, "notes": self.notes}}


def expectations(settings: RuleSettings) -> tuple[Expectation, ...]:
    """The line expectations, in evaluation order (units: the unit of measure codes of data element 355
    and any the run's settings name)."""
    units = sorted({*unit_codes(), *settings.each_units, *settings.case_units})
    return (
        Expectation("product_id_present", "ITEM_ID_MISSING", "expect_column_values_to_not_be_null",
                    {"column": "product_id"}, "PO106-PO125: a qualifier/id pair with a non-blank id was sent"),
        *(Expectation(f"{c}_shape", "GTIN_CHECK_DIGIT_INVALID", "expect_column_values_to_match_regex",
                      {"column": c, "regex": GS1_SHAPE}, "GS1 length and digits (check digit: Arrow)")
          for c in GS1_COLUMNS),
        Expectation("sku_resolved", "ITEM_UNKNOWN", "expect_column_values_to_not_be_null",
                    {"column": "sku", "row_condition": not_null("product_id")},
                    "the item join (Arrow) found our SKU for the identifiers sent"),
        Expectation("item_active", "ITEM_DISCONTINUED", "expect_column_values_to_not_be_in_set",
                    {"column": "item_status", "value_set": ["discontinued"]}),
        Expectation("quantity_present", "QTY_NOT_POSITIVE", "expect_column_values_to_not_be_null",
                    {"column": "quantity"}, "PO102"),
        Expectation("quantity_positive", "QTY_NOT_POSITIVE", "expect_column_values_to_be_between",
                    {"column": "quantity", "min_value": 0, "strict_min": True}, "PO102 > 0"),
        Expectation("unit_present", "UNIT_UNKNOWN", "expect_column_values_to_not_be_null", {"column": "unit"},
                    "PO103"),
        Expectation("unit_known", "UNIT_UNKNOWN", "expect_column_values_to_be_in_set",
                    {"column": "unit", "value_set": units}, "PO103 is a unit of measure code (355)"),
        Expectation("price_present", "PRICE_MISSING", "expect_column_values_to_not_be_null",
                    {"column": "unit_price"}, "PO104 (our price applies when it is missing)"),
    )


def not_null(column: str) -> dict:
    """A row condition "``column`` is not null", in GX's serialised form (a nullity Condition)."""
    return {"type": "nullity", "column": {"name": column}, "is_null": False}


def select(exps: Iterable[Expectation], keys: Iterable[str]) -> tuple[Expectation, ...]:
    wanted = set(keys)
    return tuple(e for e in exps if e.key in wanted)


# --- the frame both engines see --------------------------------------------------------------------
def _null_if_empty(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)


def rules_frame(lines: pa.Table) -> pa.Table:
    """The columns the expectations read: ``lines`` (item-resolved when sku is there) with "" as
    null in the id, unit and PO101 columns and ``product_id``, the first non-blank id sent (any
    qualifier: product_ids, or the id columns of a hand-built table without it)."""
    columns = {}
    for name in ("sku", "item_status", "quantity", "unit_price", *_NULL_IF_EMPTY):
        if name in lines.column_names:
            values = lines.column(name)
            columns[name] = _null_if_empty(values) if name in _NULL_IF_EMPTY else values
        else:
            columns[name] = pa.nulls(lines.num_rows, pa.string())
    columns["product_id"] = first_product_id(lines)
    return pa.table(columns)


def _blank_as_null(values: pa.Array) -> pa.Array:
    blank = pc.or_(pc.fill_null(pc.utf8_is_space(values), False),
                   pc.fill_null(pc.equal(pc.utf8_length(values), 0), False))
    return pc.if_else(blank, pa.scalar(None, values.type), values)


def first_product_id(lines: pa.Table) -> pa.Array:
    """Each line's first non-blank id among its qualifier/id pairs (null: no usable id at all). A line
    whose product_ids is null (hand-built tables) uses its id columns, in precedence order."""
    n = lines.num_rows

    def by_columns() -> pa.Array:
        fallback = [_blank_as_null(lines.column(c).combine_chunks().cast(pa.string()))
                    for c in ID_COLUMNS if c in lines.column_names]
        return pc.coalesce(*fallback) if fallback and n else pa.nulls(n, pa.string())

    if "product_ids" not in lines.column_names or not n:
        return by_columns()
    lists = lines.column("product_ids").combine_chunks()
    ids = _blank_as_null(pc.list_flatten(lists).field("id").cast(pa.string()))
    parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    usable = np.asarray(pc.is_valid(ids).to_numpy(zero_copy_only=False), dtype=bool)
    at = np.flatnonzero(usable)
    owners = parent[at]  # (in order: a line's pairs follow the line's before it)
    first = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(owners) else owners
    slot = np.full(n, -1, dtype=np.int64)  # the first usable pair of each line
    slot[owners[first]] = at[first]
    from_pairs = ids.take(pa.array(np.where(slot >= 0, slot, 0), pa.int64(), mask=slot < 0)) if len(ids) else \
        pa.nulls(n, pa.string())
    if not lists.null_count:  # every line has its pairs (every line read from X12): the id columns not asked
        return from_pairs
    return pc.if_else(lists.is_null(), by_columns(), from_pairs)


def gx_frame(frame: pa.Table, exps: Sequence[Expectation]):
    """The pandas frame GX validates: the columns ``exps`` read, decimals as floats (the checks are
    null / sign checks, which a float keeps), text as categories, positional index."""
    return gx_pandas(gx_view(frame, exps))


def gx_view(frame: pa.Table, exps: Sequence[Expectation]) -> pa.Table:
    """The values GX sees, in Arrow: the columns ``exps`` read, decimals as floats (gx_frame)."""
    table = frame.select(list(dict.fromkeys(c for e in exps for c in _columns(e))))
    for i, name in enumerate(table.column_names):
        if name in ("quantity", "unit_price"):
            table = table.set_column(i, name, pc.cast(table[name], pa.float64()))
    return table


def gx_pandas(view: pa.Table):
    """gx_view's table as the pandas frame GX validates (text as categories, positional index)."""
    import pandas as pd  # noqa: F401  (GX's batch is a pandas frame)

    table = view
    for i, name in enumerate(table.column_names):
        if pa.types.is_string(table[name].type):  # few distinct values per column: categories, not a str each
            table = table.set_column(i, name, pc.dictionary_encode(table[name]))
    return table.to_pandas(use_threads=False)  # no thread pool: on a loaded machine its wake-ups cost more


def condition_column(e: Expectation) -> str | None:
    """The column of ``e``'s row condition (its rows are those where that column is not null), if any."""
    cond = e.kwargs.get("row_condition")
    return _condition_column(cond) if cond else None


def _columns(e: Expectation) -> list[str]:
    cols = [e.kwargs["column"]]
    cond = e.kwargs.get("row_condition")
    if cond:
        cols.append(_condition_column(cond))
    return cols


def _condition_column(condition: Mapping) -> str:
    if condition.get("type") != "nullity" or condition.get("is_null") is not False:
        raise ValueError(f"row_condition {condition!r}: only 'column is not null' runs in both engines")
    return condition["column"]["name"]


# --- the Arrow engine: the same expectations without GX ---------------------------------------------
def evaluate_arrow(frame: pa.Table, exps: Sequence[Expectation]) -> dict[str, np.ndarray]:
    """Each expectation's unexpected rows as a boolean mask, with GX's semantics (column map
    expectations ignore nulls; the regex is searched with Python's re, as GX does on pandas)."""
    return {e.key: _unexpected(frame, e) for e in exps}


def _mask(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _unexpected(frame: pa.Table, e: Expectation) -> np.ndarray:
    kw = e.kwargs
    col = frame.column(kw["column"])
    scope = np.ones(frame.num_rows, dtype=bool)
    if kw.get("row_condition"):
        scope = _mask(pc.is_valid(frame.column(_condition_column(kw["row_condition"]))))
    if e.type == "expect_column_values_to_not_be_null":
        bad = _mask(pc.is_null(col, nan_is_null=True))
    elif e.type == "expect_column_values_to_be_in_set":
        bad = _mask(pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=pa.array(kw["value_set"], col.type)))))
    elif e.type == "expect_column_values_to_not_be_in_set":
        bad = _mask(pc.is_in(col, value_set=pa.array(kw["value_set"], col.type)))
    elif e.type == "expect_column_values_to_be_between":
        bad = np.zeros(frame.num_rows, dtype=bool)
        if kw.get("min_value") is not None:
            op = pc.less_equal if kw.get("strict_min") else pc.less
            bad |= _mask(op(pc.cast(col, pa.float64()), float(kw["min_value"])))
        if kw.get("max_value") is not None:
            op = pc.greater_equal if kw.get("strict_max") else pc.greater
            bad |= _mask(op(pc.cast(col, pa.float64()), float(kw["max_value"])))
    elif e.type == "expect_column_values_to_match_regex":
        pattern = re.compile(kw["regex"])
        uniques = pc.unique(col).drop_null()
        failing = [v for v in uniques.to_pylist() if not pattern.search(str(v))]
        bad = _mask(pc.is_in(col, value_set=pa.array(failing, col.type))) if failing else \
            np.zeros(frame.num_rows, dtype=bool)
    else:
        raise ValueError(f"expectation type {e.type!r} has no Arrow evaluation")
    return bad & scope
