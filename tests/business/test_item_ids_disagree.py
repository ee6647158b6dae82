"""A line carrying two ids of which one is not our item's: a box-level GTIN-14 (UK, indicator digit 1) we do not
know, sent beside our part number (a hospital's PO1*1*20*BX*9.8**VC*RG73-01*UK*1...), or a GTIN of ours beside
another item's part number. The line was decided on the id that ranks first and the other echoed by our 855, 856
and 810 without a word, though the buyer's receiving matches on the GTIN. ITEM_IDS_DISAGREE (a warning) now names
it; the line is taken as before, never refused. A GTIN-14 that is our item's own GTIN but for its indicator digit
(the case's number, GS1's packaging levels of one item reference) is the item's: distributors order so every night
(rg3, rg5, rg17, rg45), and it says nothing."""

from __future__ import annotations

import dataclasses

import pyarrow as pa

from rules.business import check_item_ids, resolve_items, run_business_rules
from rules.suite import run_suite
from schemas.codes import spec
from schemas.outcomes import DEFAULT_OUTCOMES
from schemas.rule_settings import RuleSettings

from .tables import TODAY, line, lines_table, orders_table

BOX_GTIN = "10012345678902"  # a valid GTIN-14 (indicator 1) of another company prefix: no item of ours
CASE_GTIN = "10614141100108"  # SKU-1001's GTIN at indicator digit 1 (its case), which items.csv does not keep
EACH_GTIN, OTHER_GTIN = "00614141100101", "00614141100170"  # SKU-1001's, SKU-1002's


def ids(*pairs: tuple[str, str], **kw) -> dict:
    return line(upc=None, product_ids=[{"qualifier": q, "id": i} for q, i in pairs], **kw)


def told(ref, *rows):
    return check_item_ids(resolve_items(lines_table(*rows), ref.items, ref.partner_items), ref)


def test_a_box_gtin_we_do_not_keep_beside_our_part_number_is_told_and_the_line_taken(ref):
    rows = lines_table(ids(("UK", BOX_GTIN), ("VN", "VP-1001")))
    assert resolve_items(rows, ref.items, ref.partner_items).column("sku").to_pylist() == ["SKU-1001"]
    [f] = told(ref, ids(("UK", BOX_GTIN), ("VN", "VP-1001")))
    assert (f.code, f.severity, f.location.element, f.location.value, f.location.line_number) == (
        "ITEM_IDS_DISAGREE", "warning", "PO107", BOX_GTIN, 1)
    assert f"decided on item SKU-1001 (matched by vendor_part), but UK {BOX_GTIN} matches none of our items." \
        in f.message
    assert "add the number to items.csv or partner_items.csv if it is ours" in f.message
    assert spec("ITEM_IDS_DISAGREE").severity == "warning" and DEFAULT_OUTCOMES["ITEM_IDS_DISAGREE"].ack01 == "IA"


def test_a_gtin_of_ours_beside_another_item_s_part_number_names_both(ref):
    [f] = told(ref, ids(("VN", "VP-1001"), ("UP", OTHER_GTIN[2:]), line_number=3))
    assert "decided on item SKU-1002 (matched by upc), but VN VP-1001 is item SKU-1001's" in f.message
    assert (f.location.element, f.location.value, f.location.line_number) == ("PO107", "VP-1001", 3)
    # the partner's cross-reference naming the GTIN's item: the number is the buyer's for it, nothing told
    xref = pa.table({"partner": ["acme"], "qualifier": ["UK"], "buyer_part": [BOX_GTIN], "sku": ["SKU-1001"]})
    mapped = dataclasses.replace(ref, partner_items=pa.concat_tables([ref.partner_items, xref.cast(
        ref.partner_items.schema)]))
    assert told(mapped, ids(("UK", BOX_GTIN), ("VN", "VP-1001"))) == []


def test_a_style_number_shared_by_the_style_s_sizes_names_no_other_item(ref):
    """A vendor's style number (VA; ST) is every size's and colour's: our master may keep it as one size's vendor
    part (rg28's Boot Barn, Torrid and Nordstrom Rack lines by UPC and style), which is no other item."""
    assert told(ref, ids(("UP", EACH_GTIN[2:]), ("VA", "VP-1002"))) == []
    assert told(ref, ids(("UP", EACH_GTIN[2:]), ("ST", "VP-1002"))) == []
    [f] = told(ref, ids(("UP", EACH_GTIN[2:]), ("VP", "VP-1002")))
    assert "VP VP-1002 is item SKU-1002's" in f.message


def test_a_packaging_level_of_the_item_s_own_gtin_is_the_item_s(ref):
    assert told(ref, ids(("UK", CASE_GTIN), ("VN", "VP-1001"))) == []
    assert told(ref, ids(("UK", CASE_GTIN), ("UP", EACH_GTIN[2:]))) == []
    # another item's case number beside SKU-1001's part number is no packaging level of SKU-1001
    [f] = told(ref, ids(("UK", "10614141100177"), ("VN", "VP-1001")))
    assert "UK 10614141100177 is a packaging level of item SKU-1002's GTIN" in f.message


def test_ids_that_agree_an_unknown_part_number_or_a_wrong_check_digit_say_nothing_new(ref):
    assert told(ref, ids(("UK", EACH_GTIN), ("VN", "VP-1001"), ("UP", EACH_GTIN[2:]))) == []
    assert told(ref, ids(("UP", EACH_GTIN[2:]), ("VN", "OLD-PART-7"), ("BP", "BUYER-9"))) == []  # stale numbers
    assert told(ref, ids(("UK", "10614141100109"), ("VN", "VP-1001"))) == []  # GTIN_CHECK_DIGIT_INVALID's
    assert told(ref, ids(("UK", BOX_GTIN))) == []  # nothing resolves: ITEM_UNKNOWN's


def test_the_business_rules_and_the_rule_suite_report_it(ref):
    rows = lines_table(ids(("UK", BOX_GTIN), ("VN", "VP-1001")))
    found = run_business_rules(orders_table(), rows, ref, RuleSettings(), today=TODAY)
    assert [f.code for f in found if f.code.startswith("ITEM")] == ["ITEM_IDS_DISAGREE"]
    found = run_suite(orders_table(), rows, ref, RuleSettings(), today=TODAY, use_gx=False).findings
    assert [f.code for f in found if f.code.startswith("ITEM")] == ["ITEM_IDS_DISAGREE"]
