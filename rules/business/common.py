"""Shared helpers of the business rules: finding factory, row access, per-partner settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from rules.distinct import per_rows
from schemas.codes_business import BUSINESS_CATALOGUE
from schemas.findings import NO_DETAIL, Detail, Finding, finding_at_row
from schemas.orders import BUYER_ITEM_QUALIFIERS
from schemas.rule_settings import RuleSettings

_LINE_LOCATION = ["source_file", "isa13", "gs06", "st02", "segment_position", "file_segment", "line_number"]
_ORDER_LOCATION = ["source_file", "isa13", "gs06", "st02"]
_GS1_COLUMNS = {"upc": ("UP",), "gtin": ("UK",), "ean": ("EN",)}
_ID_COLUMNS = {
    "gtin": ("UK",),
    "upc": ("UP",),
    "ean": ("EN",),
    "vendor_part": ("VN",),
    "buyer_part": BUYER_ITEM_QUALIFIERS,
}  # also the order of precedence when resolving
_HUNDRED = Decimal(100)


# --- small helpers ----------------------------------------------------------------------------


def _text(value: object) -> str:
    """A value as it would appear in the X12 element: decimals without trailing zeros, CCYYMMDD dates."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0E-4") else text
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value)


def business_finding(
    code: str, message: str, row: Mapping, *, seg: str, element: str, value: object = None, line: bool = True,
    qualifier: str = ""
) -> Finding:
    """A business finding at the row's lineage; line rows also carry the PO1 position and line number. ``qualifier``:
    the code qualifying ``element`` (a DTM02's DTM01), its detail."""
    return finding_at_row(code, message, row, severity=BUSINESS_CATALOGUE[code].severity, seg=seg,
                          element=element, value=None if value is None else _text(value), position=line,
                          line_number=row.get("line_number") if line else None,
                          detail=Detail(qualifier=qualifier) if qualifier else NO_DETAIL)


def _rows(table: pa.Table, columns: Iterable[str], mask: pa.Array | None = None) -> list[dict]:
    wanted = list(dict.fromkeys(c for c in columns if c in table.column_names))
    table = table.select(wanted)
    if mask is not None:
        table = table.filter(pc.fill_null(mask, False))
    return table.to_pylist()


def per_partner(partners: pa.Array | pa.ChunkedArray, values: Mapping, type_: pa.DataType) -> pa.Array:
    """Each row's ``values[partner]`` (a dict lookup's exact match), null where its partner has none."""
    keys = list(values)
    index = pc.index_in(partners, value_set=pa.array(keys, pa.string()))
    return pc.take(pa.array([values[k] for k in keys], type_), index)


def pair_key(left: pa.Array | pa.ChunkedArray, right: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """One text per row that equals another row's exactly when both values do (length-prefixed, so no
    text can make two pairs one); null when either is null."""
    return pc.binary_join_element_wise(pc.cast(pc.utf8_length(left), pa.string()), left, right, ":")


def _id_element(
    product_ids: list[dict] | None, qualifiers: tuple[str, ...], value: str | None, default: str = "PO107"
) -> str:
    """PO1 element holding ``value``: pairs start at PO106/PO107, then PO108/PO109, ..."""
    for i, pair in enumerate(product_ids or []):
        if pair.get("qualifier") in qualifiers and (value is None or pair.get("id") == value):
            return f"PO1{7 + 2 * i:02d}"
    return default


def _first_id(row: Mapping) -> tuple[str, str | None]:
    pairs = row.get("product_ids") or []
    if pairs:
        return "PO107", pairs[0].get("id")
    for column, qualifiers in _ID_COLUMNS.items():
        if row.get(column):
            return _id_element(None, qualifiers, None), row[column]
    return "PO107", None


def _order_key(row: Mapping) -> tuple[str, str]:
    return row["source_file"], row["order_ref"]


class _PerPartner(dict):
    """partner -> settings.for_partner(partner), computed once per partner."""

    def __init__(self, settings: RuleSettings) -> None:
        super().__init__()
        self.settings = settings

    def __missing__(self, partner: str) -> RuleSettings:
        self[partner] = value = self.settings.for_partner(partner)
        return value


def usable_keys(keys: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``keys`` with every null, empty or all-blank value made null: such a key names nothing."""
    keys = keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys
    blank = pc.fill_null(pc.utf8_is_space(keys), False)
    empty = pc.fill_null(pc.equal(pc.utf8_length(keys), 0), False)
    return pc.if_else(pc.or_(blank, empty), pa.scalar(None, keys.type), keys)


def lookup(keys: pa.Array, ref_keys: pa.Array, ref_values: pa.Array) -> pa.Array:
    """For each key, the value of the first reference row with that key; null when absent. A null,
    empty or blank key never matches, on either side (every join of the rules goes through here).
    Each distinct key is looked up once (rules.distinct)."""
    return lookup_by([keys], ref_keys, ref_values, key=lambda k: k)


def lookup_by(parts: list, ref_keys: pa.Array, ref_values: pa.Array, *, key=None) -> pa.Array:
    """lookup(key(*parts), ref_keys, ref_values), ``key`` (default compound_key) built and looked up
    once per distinct row of ``parts`` and spread back by row."""
    usable_ref = usable_keys(ref_keys)
    build = compound_key if key is None else key

    def index_of(*values):
        return pc.index_in(usable_keys(build(*values)), value_set=usable_ref, skip_nulls=True)

    index = per_rows(index_of, parts)
    values = ref_values.combine_chunks() if isinstance(ref_values, pa.ChunkedArray) else ref_values
    return pc.take(values, index)


def compound_key(*parts: pa.Array) -> pa.Array:
    """One key of several columns (partner + id ...): null when any part is null, empty or blank."""
    return pc.binary_join_element_wise(*[usable_keys(p) for p in parts], "\x1f")


def is_blank(value: object) -> bool:
    """A key value that names nothing: None, empty or only blanks."""
    return value is None or (isinstance(value, str) and not value.strip())


def code_case_text(told: str) -> str:
    """CODE_CASE_CONVERTED's message for the codes a line or POC sent in small letters and that were read as their
    capitals (``told``: ORDER_LINES/ORDER_CHANGES codes_case_sent, "PO105 hp; PO106 bp": parsers.orders_850.
    capital_codes; an 850's PO1 line, rules.business.items, or an 860's POC, engine.changes): one message a line."""
    read = [each.split(" ", 1) for each in told.split("; ")]
    return "No code as sent (X12's codes are capitals), read as the one its capitals are: " + "; ".join(
        f"{element} {sent!r} as {sent.upper()}, the "
        f"{_CODE_KINDS.get(element, 'product id qualifier')}" for element, sent in read) + "."


# what each element whose code code_case_text names holds (any other: a product id qualifier, PO106, POC08 ...)
_CODE_KINDS = {"PO105": "price basis", "POC07": "price basis", "SLN07": "price basis", "N101": "entity identifier code",
               "CTP02": "price identifier"}
