from rules.business import check_gtin_check_digits, check_items, resolve_items

from .tables import line, lines_table


def codes(findings):
    return [f.code for f in findings]


def test_resolve_items_by_every_qualifier(ref):
    lines = lines_table(
        line(line_number=1, upc="614141100101"),
        line(line_number=2, upc=None, gtin="00614141100170"),
        line(line_number=3, upc=None, ean="0614141100248"),
        line(line_number=4, upc=None, vendor_part="VP-1004"),
        line(line_number=5, upc=None, buyer_part="ACME-5002"),
        line(line_number=6, upc="614141100102"),  # bad check digit never matches
        line(line_number=7, upc=None, buyer_part="INI/000"),  # another partner's buyer part
    )
    out = resolve_items(lines, ref.items, ref.partner_items)
    assert out.column("sku").to_pylist() == [
        "SKU-1001",
        "SKU-1002",
        "SKU-1003",
        "SKU-1004",
        "SKU-1003",
        None,
        None,
    ]
    assert out.column("matched_by").to_pylist()[:5] == ["upc", "gtin", "ean", "vendor_part", "buyer_part"]
    assert out.column("case_pack").to_pylist()[:5] == [1, 6, 12, 24, 12]
    assert out.num_rows == lines.num_rows and out.column("line_number").to_pylist() == list(range(1, 8))


def test_valid_identifiers_give_no_check_digit_finding():
    assert check_gtin_check_digits(lines_table(line(gtin="00614141100101", ean="4006381333931"))) == []


def test_bad_check_digit_is_located_to_its_po1_element():
    findings = check_gtin_check_digits(lines_table(line(vendor_part="VP-1001", upc="614141100102")))
    assert codes(findings) == ["GTIN_CHECK_DIGIT_INVALID"]
    loc = findings[0].location
    # product_ids: UP first (PO106/PO107) then VN (PO108/PO109)
    assert (loc.element, loc.value, loc.line_number, loc.segment_position, loc.file_segment) == (
        "PO107",
        "614141100102",
        1,
        12,
        14,
    )
    assert (loc.file, loc.isa13, loc.gs06, loc.st02, loc.segment_id) == (
        "acme_850_1.x12",
        "000000101",
        "1",
        "0001",
        "PO1",
    )


def test_check_digit_element_follows_pair_order():
    row = line(
        upc=None,
        vendor_part="VP-1001",
        gtin="00614141100109",
        product_ids=[{"qualifier": "VN", "id": "VP-1001"}, {"qualifier": "UK", "id": "00614141100109"}],
    )
    assert check_gtin_check_digits(lines_table(row))[0].location.element == "PO109"


def test_known_active_item_passes(ref):
    assert check_items(lines_table(line(), line(line_number=2, upc=None, buyer_part="ACME-5000")), ref) == []


def test_unknown_item(ref):
    findings = check_items(lines_table(line(upc=None, vendor_part="NOPE-1")), ref)
    assert codes(findings) == ["ITEM_UNKNOWN"]
    assert (findings[0].location.element, findings[0].location.value) == ("PO107", "NOPE-1")


def test_discontinued_item(ref):
    findings = check_items(lines_table(line(upc="614141100590")), ref)
    assert codes(findings) == ["ITEM_DISCONTINUED"]
    assert findings[0].location.value == "614141100590"


def test_line_without_any_identifier(ref):
    assert codes(check_items(lines_table(line(upc=None)), ref)) == ["ITEM_ID_MISSING"]
