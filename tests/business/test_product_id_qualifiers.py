"""Every PO1 qualifier/id pair is read: a line identified only by VP, VA, MG, SK, CB (or any other
qualifier) resolves through the partner's cross-reference (partner_items with a qualifier column;
rows without one are buyer part numbers, BP or IN), and an unknown line says which ids were tried."""

from __future__ import annotations

import dataclasses

import pyarrow as pa
import pytest

from connectors.reference import read_reference_csv
from rules import registry
from rules.business import check_items, resolve_items
from rules.business.items import item_findings
from schemas.reference import PARTNER_ITEMS
from schemas.rule_settings import RuleSettings

from .tables import line, lines_table


def xref_csv(text: str) -> pa.Table:
    return read_reference_csv(text.encode(), name="partner_items.csv", schema=PARTNER_ITEMS,
                              optional=frozenset({"qualifier"}))


def with_xref(ref, text: str):
    return dataclasses.replace(ref, partner_items=xref_csv(text))


def only(qualifier: str, value: str, **kw) -> dict:
    return line(upc=None, product_ids=[{"qualifier": qualifier, "id": value}], **kw)


@pytest.mark.parametrize("qualifier", ["VP", "VA", "MG", "SK", "CB", "PI", "BP", "IN"])
def test_any_qualifier_resolves_through_the_cross_reference(ref, qualifier):
    ref = with_xref(ref, f"partner,qualifier,buyer_part,sku\nacme,{qualifier},X-77,SKU-1005\n")
    out = resolve_items(lines_table(only(qualifier, "X-77")), ref.items, ref.partner_items)
    assert out.column("sku").to_pylist() == ["SKU-1005"]
    assert check_items(lines_table(only(qualifier, "X-77")), ref) == []


def test_the_qualifier_must_match_too(ref):
    ref = with_xref(ref, "partner,qualifier,buyer_part,sku\nacme,VP,X-77,SKU-1005\n")
    out = resolve_items(lines_table(only("MG", "X-77")), ref.items, ref.partner_items)
    assert out.column("sku").to_pylist() == [None]


def test_rows_without_a_qualifier_are_buyer_part_numbers(ref):
    old = xref_csv("partner,buyer_part,sku\nacme,B-1,SKU-1007\n")  # a file from before the column
    assert old.column("qualifier").to_pylist() == [None]
    ref = dataclasses.replace(ref, partner_items=old)
    out = resolve_items(lines_table(only("BP", "B-1"), only("IN", "B-1", line_number=2),
                                    only("VP", "B-1", line_number=3)), ref.items, ref.partner_items)
    assert out.column("sku").to_pylist() == ["SKU-1007", "SKU-1007", None]


def test_a_line_with_only_an_unmapped_qualifier_is_unknown_not_missing(ref):
    findings = check_items(lines_table(only("MG", "NOPE-9")), ref)  # VP is ours since it names our part numbers
    assert [f.code for f in findings] == ["ITEM_UNKNOWN"]
    # (MG, the maker's number, is tried among our vendor part numbers too: ours when we make the part, rg71)
    assert "MG NOPE-9 (our vendor part numbers, acme's cross-reference)" in findings[0].message
    assert (findings[0].location.element, findings[0].location.value) == ("PO107", "NOPE-9")


def test_the_message_names_every_id_tried(ref):
    row = line(upc=None, product_ids=[{"qualifier": "UP", "id": "614141199990"}, {"qualifier": "SK", "id": "S1"},
                                      {"qualifier": "VN", "id": "NOT-OURS"}])
    [f] = check_items(lines_table(row), ref)
    assert f.message == ("No item matches UP 614141199990 (our GTINs, acme's cross-reference), SK S1 (acme's "
                         "cross-reference), VN NOT-OURS (our vendor part numbers, acme's cross-reference).")


def test_our_own_ids_come_before_the_cross_reference(ref):
    ref = with_xref(ref, "partner,qualifier,buyer_part,sku\nacme,VP,X-1,SKU-1009\n")
    row = line(upc=None, product_ids=[{"qualifier": "VP", "id": "X-1"}, {"qualifier": "UP", "id": "614141100101"}])
    out = resolve_items(lines_table(row), ref.items, ref.partner_items)
    assert out.column("sku").to_pylist() == ["SKU-1001"] and out.column("matched_by").to_pylist() == ["upc"]


def test_a_bad_gtin_still_lets_another_pair_resolve(ref):
    ref = with_xref(ref, "partner,qualifier,buyer_part,sku\nacme,MG,M-5,SKU-1011\n")
    row = line(upc=None, product_ids=[{"qualifier": "UP", "id": "614141100102"}, {"qualifier": "MG", "id": "M-5"}])
    out = resolve_items(lines_table(row), ref.items, ref.partner_items)
    assert out.column("sku").to_pylist() == ["SKU-1011"] and out.column("matched_by").to_pylist() == ["MG"]


def test_another_partners_cross_reference_does_not_apply(ref):
    ref = with_xref(ref, "partner,qualifier,buyer_part,sku\nglobex,VP,X-1,SKU-1009\n")
    out = resolve_items(lines_table(only("VP", "X-1")), ref.items, ref.partner_items)
    assert out.column("sku").to_pylist() == [None]


def test_the_gx_frame_sees_the_same_ids(ref):
    # the registry's frame (what GX and the Arrow engine validate) sees every pair, whatever its qualifier
    ref = with_xref(ref, "partner,qualifier,buyer_part,sku\nacme,CB,C-3,SKU-1013\n")
    resolved = resolve_items(lines_table(only("CB", "C-3"), only("VA", "V-0", line_number=2)), ref.items,
                             ref.partner_items)
    frame = registry.rules_frame(resolved)
    assert frame.column("product_id").to_pylist() == ["C-3", "V-0"]
    masks = registry.evaluate_arrow(frame, registry.expectations(RuleSettings()))
    assert masks["product_id_present"].tolist() == [False, False]
    assert masks["sku_resolved"].tolist() == [False, True]
    [unknown] = item_findings(resolved, masks)
    assert unknown.code == "ITEM_UNKNOWN"
    assert unknown.message == "No item matches VA V-0 (our vendor part numbers, acme's cross-reference)."


def test_our_vendor_part_number_sent_as_vp_resolves_without_a_cross_reference(ref):
    """VP (code list 235 "Vendor's (Seller's) Part Number") is the seller's own id as VN is: a line sent with
    only VP*VP-1011 used to be ITEM_UNKNOWN (its line rejected, 855 IR) unless someone had mapped our own
    part number in the partner's cross-reference; a VP that is not ours still tries the cross-reference."""
    out = resolve_items(lines_table(only("VP", "VP-1011"), only("VP", "X-77", line_number=2)), ref.items,
                        ref.partner_items)
    assert out.column("sku").to_pylist() == ["SKU-1011", None]
    assert check_items(lines_table(only("VP", "VP-1011")), ref) == []
    xref = with_xref(ref, "partner,qualifier,buyer_part,sku\nacme,VP,X-77,SKU-1005\n")
    out = resolve_items(lines_table(only("VP", "X-77")), xref.items, xref.partner_items)
    assert out.column("sku").to_pylist() == ["SKU-1005"]


def test_our_catalog_number_sent_as_vc_resolves_without_a_cross_reference(ref):
    """VC (code list 235 "Vendor's (Seller's) Catalog Number") is the seller's own id as VN and VP are; a VC
    that is not ours still tries the cross-reference."""
    out = resolve_items(lines_table(only("VC", "VP-1011"), only("VC", "X-77", line_number=2)), ref.items,
                        ref.partner_items)
    assert out.column("sku").to_pylist() == ["SKU-1011", None]
    assert out.column("matched_by").to_pylist() == ["VC", None]
    xref = with_xref(ref, "partner,qualifier,buyer_part,sku\nacme,VC,X-77,SKU-1005\n")
    out = resolve_items(lines_table(only("VC", "X-77")), xref.items, xref.partner_items)
    assert out.column("sku").to_pylist() == ["SKU-1005"]


def test_upc_codes_sent_without_their_check_digit_resolve_to_the_gtin_they_name(ref):
    """Code list 235 defines UI (U.P.C. consumer package code, 1-5-5: 11 digits), UD (U.P.C./EAN consumer
    package code, 2-5-5) and UA (U.P.C./EAN case code, 2-5-5: 12 digits) without a check digit; grocery and
    drug wholesalers send them so. Each is the GTIN-14 its digits and their computed check digit make: UPC-A
    614141100101 is UI 61414110010 and UD 061414110010. They were ITEM_UNKNOWN (line rejected, 855 IR)."""
    rows = [only("UI", "61414110010"), only("UD", "061414110010", line_number=2),
            only("UA", "061414110017", line_number=3),  # SKU-1002's 614141100170 as a 2-5-5 code
            only("UI", "614141100101", line_number=4),  # a whole UPC-A sent under UI: read as it is
            only("UI", "61414110011", line_number=5),  # the digits of no item of ours
            only("UD", "61414110010", line_number=6)]  # 11 digits are no 2-5-5 code, nor a GTIN
    out = resolve_items(lines_table(*rows), ref.items, ref.partner_items)
    assert out.column("sku").to_pylist() == ["SKU-1001", "SKU-1001", "SKU-1002", "SKU-1001", None, None]
    assert out.column("matched_by").to_pylist()[:4] == ["UI", "UD", "UA", "UI"]
    assert check_items(lines_table(*rows[:4]), ref) == []
    [unknown] = check_items(lines_table(rows[4]), ref)
    assert unknown.message == "No item matches UI 61414110011 (our GTINs, acme's cross-reference)."
    [unknown] = check_items(lines_table(rows[5]), ref)
    assert unknown.message == "No item matches UD 61414110010 (not a UPC/EAN code, acme's cross-reference)."
