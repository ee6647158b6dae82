"""No reference lookup matches a null or empty key: an item with an empty vendor part number is not
every line's item, an empty cross-reference id matches no line, and so on for prices, ship-tos and
customers. A property test holds it for random tables full of nulls and empties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.business import check_currency, check_ship_to, list_price, price_index, resolve_items
from rules.business.common import lookup
from schemas.orders import ORDER_LINES
from schemas.reference import normalise_gtin
from schemas.rule_settings import RuleSettings

from .tables import line, lines_table, order, orders_table

ITEMS = pa.schema([("sku", pa.string()), ("gtin", pa.string()), ("upc", pa.string()), ("vendor_part", pa.string()),
                   ("description", pa.string()), ("unit", pa.string()), ("case_pack", pa.int32()),
                   ("min_order_qty", pa.int32()), ("status", pa.string())])
XREF = pa.schema([("partner", pa.string()), ("qualifier", pa.string()), ("buyer_part", pa.string()),
                  ("sku", pa.string())])
BLANKS = [None, "", " ", "  "]


def items(*rows: dict) -> pa.Table:
    base = {"sku": None, "gtin": None, "upc": None, "vendor_part": None, "description": "", "unit": "EA",
            "case_pack": 1, "min_order_qty": 0, "status": "active"}
    return pa.Table.from_pylist([{**base, **r} for r in rows], schema=ITEMS)


def xref(*rows: dict) -> pa.Table:
    return pa.Table.from_pylist([{"partner": "acme", "qualifier": None, **r} for r in rows], schema=XREF)


def test_an_item_with_an_empty_vendor_part_is_not_every_lines_item():
    catalogue = items({"sku": "EMPTY-VN", "gtin": "00614141100101", "vendor_part": ""},
                      {"sku": "NULL-VN", "gtin": "00614141100170", "vendor_part": None},
                      {"sku": "REAL", "gtin": "00614141100248", "vendor_part": "VP-9"})
    lines = lines_table(line(line_number=1, upc=None, buyer_part="NOT-MAPPED"),  # no VN id at all
                        line(line_number=2, upc=None, vendor_part=""),  # an empty VN id
                        line(line_number=3, upc=None, vendor_part="VP-9"))
    out = resolve_items(lines, catalogue, xref())
    assert out.column("sku").to_pylist() == [None, None, "REAL"]


def test_an_empty_cross_reference_matches_no_line():
    lines = lines_table(line(line_number=1, upc=None, buyer_part=""),
                        line(line_number=2, upc=None, product_ids=[{"qualifier": "BP", "id": None}]))
    out = resolve_items(lines, items({"sku": "X", "gtin": "00614141100101"}),
                        xref({"buyer_part": "", "sku": "X"}, {"buyer_part": None, "sku": "X"}))
    assert out.column("sku").to_pylist() == [None, None]


def test_prices_ship_tos_and_customers_ignore_blank_keys():
    prices = pa.table({"partner": ["acme", ""], "sku": ["", "SKU-1"], "unit_price": [Decimal(1), Decimal(2)],
                       "currency": ["USD", "USD"], "valid_from": [date(2020, 1, 1)] * 2, "valid_to": [None, None]})
    index = price_index(prices)
    assert list_price(index, "acme", "", date(2026, 1, 1), "USD") is None
    assert list_price(index, "", "SKU-1", date(2026, 1, 1), "USD") is None
    ship_tos = pa.table({"partner": ["acme"], "location_id": [""]})
    blank_ship_to = order(ship_to_id="", ship_to_address1=None)
    found = check_ship_to(orders_table(blank_ship_to), ship_tos, RuleSettings())
    assert [f.code for f in found] == ["SHIP_TO_UNKNOWN"]
    customers = pa.table({"partner": [""], "currency": ["USD"]})
    assert [f.code for f in check_currency(orders_table(order(partner="")), customers)] == ["CUSTOMER_UNKNOWN"]


def test_lookup_directly():
    keys = pa.array(["a", None, "", " ", "b"])
    ref = pa.array([None, "", " ", "a", "b"])
    values = pa.array(["null", "empty", "space", "A", "B"])
    assert lookup(keys, ref, values).to_pylist() == ["A", None, None, None, "B"]


# --- property: random tables with nulls and empties --------------------------------------------------

key = st.one_of(st.sampled_from(BLANKS), st.sampled_from(["K1", "K2", "00614141100101", "614141100101"]))


@settings(max_examples=150, deadline=None)
@given(ref_keys=st.lists(key, max_size=8), keys=st.lists(key, max_size=8))
def test_lookup_never_matches_a_blank_key(ref_keys, keys):
    values = pa.array([f"v{i}" for i in range(len(ref_keys))], pa.string())
    out = lookup(pa.array(keys, pa.string()), pa.array(ref_keys, pa.string()), values).to_pylist()
    for k, v in zip(keys, out, strict=True):
        if k is None or not k.strip():
            assert v is None
        else:
            assert v is not None if k in ref_keys else v is None
            if v is not None:
                assert ref_keys[int(v[1:])] == k


qualifier = st.sampled_from(["UP", "UK", "EN", "VN", "BP", "IN", "VP", "SK", None, ""])


@settings(max_examples=150, deadline=None)
@given(item_rows=st.lists(st.fixed_dictionaries({"gtin": key, "vendor_part": key}), max_size=5),
       xref_rows=st.lists(st.fixed_dictionaries({"qualifier": qualifier, "buyer_part": key}), max_size=5),
       line_ids=st.lists(st.lists(st.fixed_dictionaries({"qualifier": qualifier, "id": key}), max_size=3),
                         min_size=1, max_size=5))
def test_items_never_resolve_through_a_blank_key(item_rows, xref_rows, line_ids):
    catalogue = items(*[{"sku": f"S{i}", **r} for i, r in enumerate(item_rows)])
    skus = [f"S{i}" for i in range(len(item_rows))]
    xrefs = xref(*[{"sku": skus[i % len(skus)] if skus else "S0", **r} for i, r in enumerate(xref_rows)])
    lines = pa.Table.from_pylist([line(line_number=n + 1, upc=None, product_ids=ids)
                                  for n, ids in enumerate(line_ids)], schema=ORDER_LINES)
    out = resolve_items(lines, catalogue, xrefs).column("sku").to_pylist()
    for ids, sku in zip(line_ids, out, strict=True):
        usable = [p for p in ids if p["id"] is not None and p["id"].strip()]
        if not usable:
            assert sku is None  # only blank ids: nothing can match
        elif sku is not None:
            assert any(_matches(p, sku, item_rows[int(sku[1:])], xref_rows, skus) for p in usable), (ids, sku)


def _matches(pair: dict, sku: str, item: dict, xref_rows: list[dict], skus: list[str]) -> bool:
    """Does the non-blank pair name this item directly (GTIN, VN, VP) or through a cross-reference row?"""
    q, value = pair["qualifier"], pair["id"]
    if q in ("UP", "UK", "EN") and normalise_gtin(value) and normalise_gtin(value) == normalise_gtin(item["gtin"]):
        return True
    if q in ("VN", "VP") and value == item["vendor_part"]:  # the vendor's item or part number: ours
        return True
    for i, x in enumerate(xref_rows):
        family = {x["qualifier"]} if x["qualifier"] and x["qualifier"].strip() else {"BP", "IN"}
        if skus[i % len(skus)] == sku and (x["buyer_part"] == value or _unpadded(q, value, x)) and q in family:
            return True
    return False


def _unpadded(q: str | None, value: str, row: dict) -> bool:
    """A buyer's number of digits alone naming a cross-reference row of its qualifier with or without leading
    zeros (rules.business.item_readings.unpadded_cross_reference: 614141100101 for 00614141100101, under BP ...)."""
    kept = row["buyer_part"] or ""
    return (q in ("BP", "IN", "PI", "CB") and row["qualifier"] == q and value.isdigit() and kept.isdigit()
            and value.lstrip("0") != "" and value.lstrip("0") == kept.lstrip("0"))


@settings(max_examples=150, deadline=None)
@given(line_ids=st.lists(st.one_of(st.none(), st.lists(st.fixed_dictionaries({"qualifier": qualifier, "id": key}),
                                                        max_size=3)), min_size=1, max_size=6),
       columns=st.lists(st.fixed_dictionaries({"upc": key, "vendor_part": key, "buyer_part": key}), min_size=6,
                        max_size=6))
def test_the_rule_registry_sees_an_id_exactly_where_the_item_rules_do(line_ids, columns):
    """The registry's product_id (what GX and the Arrow engine judge ITEM_ID_MISSING on) is present
    exactly for the lines items.has_product_id says carry a non-blank id, pairs or (without pairs) id
    columns alike, and it is one of the line's own non-blank ids."""
    from rules import registry
    from rules.business.items import has_product_id, line_pairs

    rows = []
    for n, ids in enumerate(line_ids):
        row = line(line_number=n + 1, **columns[n])
        row["product_ids"] = ids  # None: a hand-built table without pairs (the id columns count)
        rows.append(row)
    lines = pa.Table.from_pylist(rows, schema=ORDER_LINES)
    first = registry.first_product_id(lines).to_pylist()
    assert [v is not None for v in first] == has_product_id(lines).to_pylist()
    pairs = line_pairs(lines).to_pylist()
    for n, value in enumerate(first):
        if value is not None:
            assert value.strip() and value in [p["id"] for p in pairs if p["row"] == n]
