"""A valid GS1 number of one of our items sent under a product id qualifier of another structure (X12 code list 235:
UP "UCC - 12" a U.P.C.-A, EN "EAN/UCC - 13", EO "EAN/UCC - 8", UK "EAN/UCC - 14"): an EAN-13 whose first digit is
not 0 as UP, a case's GTIN-14 (indicator 1) as UP or EN, a UPC-A as EO. Real translators' 'UPC' fields and CSV
partners' upc columns hold EANs, so the number is read as itself and the line answered as any (change6's refusal
was reverted, 032a3ee8); PRODUCT_ID_QUALIFIER_MISMATCH (a warning) names the number, what it is and the qualifier it
goes under, so ops can tell the partner. A number of the qualifier's structure filled with leading zeros
(UP*0041200000209, its EAN-13 form) and a shorter one under a longer qualifier (a UPC-A as EN) say nothing."""

from __future__ import annotations

import csv
import io
import shutil

import pyarrow as pa
import pytest

from tests.test_rg84_item_identifiers import FIXTURES, ITEMS_HEAD, NIGHT, WAREHOUSES

ITEMS_CSV = (ITEMS_HEAD + "A,00041200000209,041200000209,A,gum,EA,1,1,active\n"
             "B,04006381333931,,B,pen,EA,1,1,active\n"
             "C,00614141100248,614141100248,C,granola,EA,12,1,active\n")
CASE_GTIN = "10614141100245"  # C's GTIN at indicator digit 1 (its case of 12), which items.csv does not keep


@pytest.mark.parametrize(("qualifier", "sent", "told"), [
    ("UP", "4006381333931", ("an EAN-13", "4006381333931", "EN")),
    ("UP", "04006381333931", ("an EAN-13", "4006381333931", "EN")),
    ("UP", CASE_GTIN, ("a GTIN-14 of indicator digit 1", CASE_GTIN, "UK")),
    ("EN", CASE_GTIN, ("a GTIN-14 of indicator digit 1", CASE_GTIN, "UK")),
    ("EO", "041200000209", ("a UPC-A", "041200000209", "UP")),
    ("EO", "4006381333931", ("an EAN-13", "4006381333931", "EN")),
    ("UI", "4006381333931", ("an EAN-13", "4006381333931", "EN")),  # UI sent whole: a U.P.C. consumer package code
    ("UD", CASE_GTIN, ("a GTIN-14 of indicator digit 1", CASE_GTIN, "UK")),
    ("UP", "041200000209", None),
    ("UP", "0041200000209", None),  # a UPC-A in its EAN-13 form: what many translators send
    ("UP", "00041200000209", None),
    ("UP", "96385074", None),  # an EAN-8 under UP: a shorter number
    ("EN", "4006381333931", None),
    ("EN", "041200000209", None),  # a UPC-A is an EAN-13 with a leading 0
    ("EO", "0000096385074", None),
    ("UK", CASE_GTIN, None),  # a GTIN-14 takes any GTIN
    ("UA", CASE_GTIN, None),  # a case code: X12 leaves its packaging level open
    ("UD", "4006381333931", None),
    (None, "4006381333931", None),
])
def test_what_a_gs1_number_is_beside_the_qualifier_it_came_under(qualifier, sent, told):
    from schemas.reference import normalise_gtin, qualifier_misfit

    assert qualifier_misfit(normalise_gtin(sent), qualifier) == told


def _ref():
    from schemas.reference import ITEMS, PARTNER_ITEMS, ReferenceData

    rows = [{k: (int(v) if k in ("case_pack", "min_order_qty") else v or None) for k, v in r.items()}
            for r in csv.DictReader(io.StringIO(ITEMS_CSV))]
    items = pa.Table.from_pylist([{f.name: r.get(f.name) for f in ITEMS} for r in rows], schema=ITEMS)
    return ReferenceData(items=items, partner_items=PARTNER_ITEMS.empty_table(), prices=None, customers=None,
                         ship_tos=None)


def _found(sent):
    """The item findings (check_gtin_check_digits, check_items, check_item_ids) and the skus of lines sent as
    ``sent`` ((unit, [(qualifier, id) ...]) each), against ITEMS_CSV."""
    from rules.business.items import check_gtin_check_digits, check_item_ids, check_items, resolve_items
    from schemas.orders import ORDER_LINES
    from tests.business.tables import line

    ref = _ref()
    lines = pa.Table.from_pylist([line(line_number=k, line_id=str(k), unit=unit, product_ids=[
        {"qualifier": q, "id": i} for q, i in pairs], **{"upc": pairs[0][1] if pairs[0][0] == "UP" else None})
        for k, (unit, pairs) in enumerate(sent, 1)], schema=ORDER_LINES)
    resolved = resolve_items(lines, ref.items, ref.partner_items)
    found = [*check_gtin_check_digits(resolved, ref.items), *check_items(resolved, ref),
             *check_item_ids(resolved, ref)]
    return found, resolved["sku"].to_pylist()


def test_a_valid_gs1_number_under_another_structure_s_qualifier_is_its_item_and_told():
    """B's EAN-13 as UP, C's case GTIN-14 as UP and as EN in cases, A's UPC-A as EO, B's EAN-13 as UP in its printed
    form: each line is its item (the case at its packaging level), no GTIN_CHECK_DIGIT_INVALID nor ITEM_UNKNOWN, and
    one warning a line names the number, what it is and its qualifier. A's UPC-A in its EAN-13 form as UP, B's EAN-13
    as EN and the case GTIN-14 as UK say nothing."""
    found, skus = _found([("EA", [("UP", "4006381333931")]), ("CA", [("UP", CASE_GTIN)]),
                          ("CA", [("EN", CASE_GTIN)]), ("EA", [("EO", "041200000209")]),
                          ("EA", [("UP", "4 006381 333931")]), ("EA", [("UP", "0041200000209")]),
                          ("EA", [("EN", "4006381333931")]), ("CA", [("UK", CASE_GTIN)])])
    assert skus == ["B", "C", "C", "A", "B", "A", "B", "C"]
    assert [(f.code, f.severity, f.location.line_number, f.location.element, f.location.value) for f in found] == [
        ("PRODUCT_ID_QUALIFIER_MISMATCH", "warning", 1, "PO107", "4006381333931"),
        ("PRODUCT_ID_QUALIFIER_MISMATCH", "warning", 2, "PO107", CASE_GTIN),
        ("PRODUCT_ID_QUALIFIER_MISMATCH", "warning", 3, "PO107", CASE_GTIN),
        ("PRODUCT_ID_QUALIFIER_MISMATCH", "warning", 4, "PO107", "041200000209"),
        ("PRODUCT_ID_QUALIFIER_MISMATCH", "warning", 5, "PO107", "4 006381 333931")]
    ean, case_up, case_en, upca, printed = (f.message for f in found)
    assert "UP 4006381333931 is an EAN-13 (4006381333931)" in ean and "its qualifier is EN" in ean, ean
    assert "decided on item B" in ean and "answered as any line" in ean, ean
    assert f"UP {CASE_GTIN} is a GTIN-14 of indicator digit 1 ({CASE_GTIN})" in case_up, case_up
    assert "its qualifier is UK" in case_up and "decided on item C" in case_up, case_up
    assert f"EN {CASE_GTIN} is a GTIN-14 of indicator digit 1" in case_en and "its qualifier is UK" in case_en
    assert "EO 041200000209 is a UPC-A (041200000209)" in upca and "its qualifier is UP" in upca, upca
    assert "UP 4 006381 333931 is an EAN-13 (4006381333931)" in printed, printed


def test_a_misfit_number_beside_another_id_is_told_at_its_own_element():
    """A line with A's part number and B's EAN-13 as UP is decided on B (a UP ranks before a VN, as before change6),
    ITEM_IDS_DISAGREE naming A's part number and the qualifier's warning the EAN-13 at its PO109; a line whose EAN-13
    as UP names no item of ours is ITEM_UNKNOWN alone (refused: nothing answered, the warning is for a line taken)."""
    found, skus = _found([("EA", [("VN", "A"), ("UP", "4006381333931")]), ("EA", [("UP", "4012345678901")])])
    assert skus == ["B", None]
    codes = [(f.code, f.location.line_number) for f in found]
    assert ("PRODUCT_ID_QUALIFIER_MISMATCH", 1) in codes and ("ITEM_UNKNOWN", 2) in codes, codes
    assert ("PRODUCT_ID_QUALIFIER_MISMATCH", 2) not in codes and ("GTIN_CHECK_DIGIT_INVALID", 1) not in codes
    [told] = [f for f in found if f.code == "PRODUCT_ID_QUALIFIER_MISMATCH"]
    assert (told.location.element, told.location.value) == ("PO109", "4006381333931")


def test_the_warning_is_catalogued_accepted_and_in_the_items_suite():
    from rules.suite import SUITES
    from schemas.codes import spec
    from schemas.outcomes import DEFAULT_OUTCOMES

    assert spec("PRODUCT_ID_QUALIFIER_MISMATCH").severity == "warning"
    assert DEFAULT_OUTCOMES["PRODUCT_ID_QUALIFIER_MISMATCH"].ack01 == "IA"
    assert "PRODUCT_ID_QUALIFIER_MISMATCH" in SUITES["items"]


def test_a_case_gtin_sent_as_up_orders_its_cases_answered_and_told(tmp_path):
    """McLane's granola case GTIN-14 sent as UP (its translator's 'UPC' field) in CA: read at its packaging level as
    under UK, 3 cases of 12 reserved as 36 eaches, the line acknowledged IA with the id as sent, and the night's
    findings hold the warning naming the GTIN-14 and UK."""
    from connectors.state import StateStore
    from tests.retailer_support import findings_and_states, of_its_own, po_segments, segments
    from tests.support import run_stages

    copy = tmp_path / "rg84"
    shutil.copytree(FIXTURES, copy)
    po = copy / "drops" / "mclane" / "MCL850_MCL8400101.x12"
    po.write_text(po.read_text().replace("PO1*1*3*CA*25.2**UK", "PO1*1*3*CA*25.2**UP"))
    ws = of_its_own(copy, tmp_path / "ws", {"mclane": [po.name]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    found, _states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["message"]))
    assert not [c for c, _s, _m in found if c in ("GTIN_CHECK_DIGIT_INVALID", "ITEM_UNKNOWN")], found
    [(severity, told)] = [(s, m) for c, s, m in found if c == "PRODUCT_ID_QUALIFIER_MISMATCH"]
    assert severity == "warning"
    assert "UP 10614141840011 is a GTIN-14 of indicator digit 1" in told and "its qualifier is UK" in told, told
    ack = po_segments(segments(ws, "mclane", "855"), "MCL8400101", "BAK")
    assert [s for s in ack if s[0] in ("PO1", "ACK")][:2] == [
        ["PO1", "1", "3", "CA", "25.2", "", "UP", "10614141840011"], ["ACK", "IA", "3", "CA", "068", "20261125"]]
    state = StateStore(ws.state_path)
    try:
        reserved = {r.sku: r.quantity for r in state.order_reservations("mclane", "MCL8400101")}
    finally:
        state.close()
    assert reserved["RG84-01"] == 36


def test_a_csv_feed_s_upc_column_holding_an_ean_is_its_item_and_not_told():
    """A CSV partner's `upc` column is read as UP by our layout (parsers.csv_orders), so an EAN-13 in it is no
    qualifier the partner chose: the line is its item, and no PRODUCT_ID_QUALIFIER_MISMATCH asks the partner to send
    it under EN, which a CSV feed cannot do. The same line from an interchange is told (as above)."""
    from rules.business.items import check_item_ids, resolve_items
    from schemas.orders import CSV_ISA13, ORDER_LINES
    from tests.business.tables import line

    ref = _ref()
    for isa13, told in ((CSV_ISA13, []), ("000000001", ["PRODUCT_ID_QUALIFIER_MISMATCH"])):
        lines = pa.Table.from_pylist([line(line_number=1, line_id="1", unit="EA", isa13=isa13, upc="4006381333931",
                                           product_ids=[{"qualifier": "UP", "id": "4006381333931"}])],
                                     schema=ORDER_LINES)
        resolved = resolve_items(lines, ref.items, ref.partner_items)
        assert resolved["sku"].to_pylist() == ["B"]
        assert [f.code for f in check_item_ids(resolved, ref)] == told, isa13
