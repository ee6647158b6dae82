"""A grocery item master keeps two GS1 numbers per item: the case's GTIN-14 (indicator digit 1-8, what a
case is scanned and ordered by) as the item's gtin, and the consumer unit's UPC-A in items.csv's upc column.
Grocery retailers' 850s order such an item by either: Kroger's lines carry the UK case code and the UP
consumer UPC, some lines only the UPC. A line naming the item by its listed UPC alone was ITEM_UNKNOWN and
rejected (855 IR): the UPC column was read and checked, but never matched against."""

from __future__ import annotations

import dataclasses

import pyarrow as pa

from rules.business import check_items, resolve_items

from .tables import line, lines_table

CASE_GTIN, EACH_UPC = "10614141100108", "614141100101"  # SKU-1001 sold by the case: the case GTIN is its gtin


def case_master(ref):
    """The demo's items with SKU-1001's gtin set to its case GTIN-14 (its upc column keeps the each's UPC)."""
    items = ref.items
    gtin = [CASE_GTIN if s == "SKU-1001" else g
            for s, g in zip(items.column("sku").to_pylist(), items.column("gtin").to_pylist(), strict=True)]
    at = items.schema.get_field_index("gtin")
    return dataclasses.replace(ref, items=items.set_column(at, items.schema.field("gtin"), pa.array(gtin, pa.string())))


def only(qualifier: str, value: str, **kw) -> dict:
    return line(upc=None, product_ids=[{"qualifier": qualifier, "id": value}], **kw)


def test_a_line_naming_the_items_upc_resolves_when_its_gtin_is_the_case_code(ref):
    ref = case_master(ref)
    rows = lines_table(only("UP", EACH_UPC), only("UK", CASE_GTIN, line_number=2),
                       only("EN", "0" + EACH_UPC, line_number=3))
    out = resolve_items(rows, ref.items, ref.partner_items)
    assert out.column("sku").to_pylist() == ["SKU-1001", "SKU-1001", "SKU-1001"]
    assert check_items(rows, ref) == []


def test_the_upc_sent_without_its_check_digit_resolves_too(ref):
    ref = case_master(ref)
    out = resolve_items(lines_table(only("UI", EACH_UPC[:11])), ref.items, ref.partner_items)
    assert out.column("sku").to_pylist() == ["SKU-1001"]


def test_a_gtin_still_wins_over_another_items_upc(ref):
    """An item's gtin is matched before any item's upc: the UPC column only adds numbers, it never moves one."""
    ref = case_master(ref)
    out = resolve_items(lines_table(only("UK", "00614141100170")), ref.items, ref.partner_items)
    assert out.column("sku").to_pylist() == ["SKU-1002"]
