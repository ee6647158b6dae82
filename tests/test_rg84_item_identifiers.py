"""Item identifiers as buyers really send them, and how we match them to our items (rules.business.items,
schemas.reference): tests/fixtures/rg84/ holds each buyer's profile, reference rows, stock, 850s (and an 860) in the
buyer's shapes (facts carried over from code list 235, GS1's U.P.C. and GTIN-14 rules, BISG's ISBN-13 rules, the
HDA's EDI 850 guideline and the FDA's NDC layouts, the DLMS data dictionary's FS National Stock Number; the files
written here) and the east DC's confirmation (the rg2 DC). One night takes them all through inspect, the 997s and
855s, the 856s and 810s, checked by our validator, Bots and pyx12.

- McLane (a convenience distributor): a granola case by its GTIN-14 (UK, indicator 1) where our master keeps the
  each's, in cases; a candy bar by its UPC-E (UP, 8 digits: the zero-suppressed U.P.C. of small packs) in boxes of
  24; gum by its UPC-A without the leading zero (11 digits); trail mix by the UPC-A's 11 digits without the check
  digit. Each was refused (GTIN_CHECK_DIGIT_INVALID, ITEM_UNKNOWN: an order lost) though each names one item of
  ours without a guess; now each is matched, the case GTIN-14's quantity in cases (36 eaches reserved for 3 CA).
- Cardinal Health (a drug wholesaler, HDA 850): each drug by its National Drug Code alone (N4 11 digits, ND
  hyphenated 11 digits; the 10-digit NDC of a 5-3-2 and a 4-4-2 drug padded), with no cross-reference row of ours:
  refused ITEM_UNKNOWN, though a drug's U.P.C. is 3 and its 10-digit NDC (our items' GTINs name it). Now matched
  where the NDC's readings name one item of ours alone; its 860 adds a line by a 10-digit N3 NDC.
- Barnes & Noble (Pubnet): a title by its ISBN-10 (IB), one by its ISBN-10 with an X check character and its
  ISBN-13 (EN) beside, cookbooks by the carton's GTIN-14 (indicator 1 of the ISBN-13) in cartons of 24 (a carton
  GTIN-14 alone was refused).
- DLA: a National Stock Number (FS) bare where our cross-reference keeps it in its 4-2-3-4 groups, and the other way
  round (refused ITEM_UNKNOWN), with our part as the maker's number (MG), one in small letters.
- Grainger: its item numbers (BP) in small letters and with hyphens, where our cross-reference keeps them in capitals
  without (refused), our part (VP) in small letters.
- Macy's: each size by its UPC with the vendor's style (VA), the buyer's colour (BO) and size (IZ) echoed as sent.

The 855, 856 and 810 echo the buyer's own ids as sent. Variants: ids on one line that disagree (which wins, and it
is said); a case GTIN-14 ordered in eaches (how many eaches a grouping holds is not said: refused, named, never
shipped as eaches); an 11-digit UP whose two readings name two items of ours (refused, both named); a CSV feed's
UPC without its check digit."""

from __future__ import annotations

import shutil
from datetime import datetime

import pyarrow as pa
import pytest

from tests.retailer_support import (
    findings_and_states,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    segments,
    shipped_night,
    variant_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg84"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"mclane": {"MCL8400101": 4}, "cardinal": {"CAH8400201": 3}, "bn": {"BN8400301": 3},
       "dla": {"SPE8400401": 2}, "grainger": {"GWW8400501": 2}, "macys": {"MCY8400601": 2}}
NIGHT_NOTED = {"ASN_LATE"}  # the DC confirms at 06:30, the ship day's run is at 15:00


def _variant(partner, po, tmp_path, swaps=(), **kw):
    return variant_night(FIXTURES, partner, po, tmp_path, [(a.encode(), b.encode()) for a, b in swaps],
                         warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY, **kw)


# --- the readings, as GS1, BISG and the FDA write them --------------------------------------------------------


@pytest.mark.parametrize(("upce", "upca"), [
    ("04102029", "041200000209"),  # 0-2: the manufacturer's third digit, its product 00 + three digits
    ("01245600", None),  # the same shape with a check digit that is not the UPC-A's
    ("01245608", "012000004568"),  # 124560: 12000 00456 (GS1's zero-suppression table)
    ("02758314", "027100005834"),  # 275831: 27100 00583
    ("08765438", "087600000548"),  # 876543: 87600 00054 (3: the manufacturer's fourth digit)
    ("07537743", "075370000073"),  # 753774: 75370 00007 (4: its fifth)
    ("02137568", "021375000068"),  # 213756: 21375 00006 (5-9: the product's last digit)
    ("12137565", "121375000065"),  # number system 1
    ("22137567", None),  # number system 2 (a random-weight number) has no UPC-E
    ("0410202", None),  # 7 digits: no UPC-E as sent (upc_readings puts its 0 back)
])
def test_a_upc_e_reads_as_the_upc_a_it_stands_for(upce, upca):
    from schemas.reference import gs1_valid, upce_upca

    assert upce_upca(upce) == upca
    assert upca is None or gs1_valid(upca)


def test_what_an_odd_up_value_can_stand_for():
    from schemas.reference import upc_readings

    assert [g for g, _ in upc_readings("04102029")] == ["00041200000209"]
    assert [g for g, _ in upc_readings("4102029")] == ["00041200000209"]  # the UPC-E's leading 0 dropped
    # 11 digits: the leading zero put back (when that is a valid UPC-A) and the check digit added
    assert [g for g, _ in upc_readings("41200000308")] == ["00041200000308", "00412000003088"]
    assert [g for g, _ in upc_readings("61414184011")] == ["00614141840113"]  # 061414184011 is no UPC-A
    assert upc_readings("614141840113") == () and upc_readings("6141418401") == () and upc_readings("0410202x") == ()


@pytest.mark.parametrize(("sent", "qualifier", "ndcs"), [
    ("61414084001", "N4", ("6141484001", "6141408401")),  # the product's zero (5-3-2) or the package's (5-4-1)
    ("01414840201", "N4", ("1414840201", "0141484021")),  # a zero leads the labeler and the package: two readings
    ("01414-8402-01", "ND", ("1414840201", "0141484021")),  # hyphenated, the same
    ("61414-8403-01", "N4", ("6141484031",)),  # the package's zero alone: 5-4-1
    ("1414-8402-01", "N1", ("1414840201",)),  # 4-4-2 as the FDA prints it
    ("61414-840-01", "ND", ("6141484001",)),  # 5-3-2
    ("61414-8403-1", "ND", ("6141484031",)),  # 5-4-1
    ("6141484042", "N3", ("6141484042",)),  # 10 bare digits: the NDC whatever its layout
    ("61414-84-001", "ND", ()),  # no FDA layout
    ("6141484042X", "N4", ()),
])
def test_an_ndc_in_each_of_its_forms_names_its_10_digit_ndcs(sent, qualifier, ndcs):
    from schemas.reference import ndc_10s

    assert ndc_10s(sent, qualifier) == ndcs


# --- the item join: matched without a guess, or not at all --------------------------------------------------


def _resolved(rows, items_csv: str, partner_items_csv: str = "partner,qualifier,buyer_part,sku\n"):
    """The skus resolve_items decides ``rows`` ((unit, [(qualifier, id) ...]) each, partner acme) on, against the items
    and cross-reference rows given as CSV text (the columns they name; the rest empty)."""
    import csv
    import io

    from rules.business.items import resolve_items
    from schemas.orders import ORDER_LINES
    from schemas.reference import ITEMS, PARTNER_ITEMS
    from tests.business.tables import line

    def table(text, schema):
        rows = [{k: (int(v) if k in ("case_pack", "min_order_qty") else v or None) for k, v in r.items()}
                for r in csv.DictReader(io.StringIO(text))]
        return pa.Table.from_pylist([{f.name: r.get(f.name) for f in schema} for r in rows], schema=schema)

    lines = pa.Table.from_pylist([line(line_number=k, line_id=str(k), upc=None, unit=unit or None, product_ids=[
        {"qualifier": q, "id": i} for q, i in pairs]) for k, (unit, pairs) in enumerate(rows, 1)], schema=ORDER_LINES)
    return resolve_items(lines, table(items_csv, ITEMS), table(partner_items_csv, PARTNER_ITEMS))["sku"].to_pylist()


ITEMS_HEAD = "sku,gtin,upc,vendor_part,description,unit,case_pack,min_order_qty,status\n"


def test_a_reading_that_names_two_of_our_items_names_none():
    """An 11-digit UP whose leading-zero reading is one item's UPC and whose check-digit reading another's; an
    11-digit NDC whose two 10-digit readings are two drugs' U.P.C.s: neither line is matched (never the wrong item)."""
    from schemas.reference import ndc_gtin

    items = (ITEMS_HEAD + "A,00041200000308,041200000308,A,gum,EA,1,1,active\n"
             "B,00412000003088,412000003088,B,other,EA,1,1,active\n"
             f"C,{ndc_gtin('1414840201')},,C,drug c,EA,1,1,active\n"
             f"D,{ndc_gtin('0141484021')},,D,drug d,EA,1,1,active\n")
    assert _resolved([("EA", [("UP", "41200000308")]), ("EA", [("N4", "01414840201")]),
                      ("EA", [("ND", "1414-8402-01")])], items) == [None, None, "C"]
    alone = ITEMS_HEAD + "A,00041200000308,041200000308,A,gum,EA,1,1,active\n" + \
        f"C,{ndc_gtin('1414840201')},,C,drug c,EA,1,1,active\n"
    assert _resolved([("EA", [("UP", "41200000308")]), ("EA", [("N4", "01414840201")])], alone) == ["A", "C"]


def test_a_grouping_s_gtin_names_our_item_only_in_a_unit_that_counts_it():
    """A GTIN-14 of indicator 1-8 built on our item's GTIN (GS1: the grouping of its units) ordered in CA, BX or CT
    names the item, its quantity in that unit; in EA it does not say how many eaches (the indicator digit names no
    count): not matched. The base unit's GTIN (indicator 0) of an item whose master keeps the case's names it in
    any unit; indicator 9 (a variable measure) never."""
    items = ITEMS_HEAD + "G,00614141840014,614141840014,G,granola,EA,12,1,active\n" \
                         "T,10614141840073,,T,towel 6 pack,EA,6,1,active\n"
    assert _resolved([("CA", [("UK", "10614141840011")]), ("BX", [("UK", "20614141840018")]),
                      ("EA", [("UK", "10614141840011")]), ("", [("UK", "10614141840011")]),
                      ("EA", [("UP", "614141840076")]), ("EA", [("UK", "90614141840012")])], items) == [
        "G", "G", None, None, "T", None]


def test_a_partner_s_number_written_another_way_is_its_number_when_one_item_alone_is_so():
    """The last case, ``UP 614141-840014``, was pinned as no UPC (None: a UPC has its own form). change5 changed it:
    a GS1 number sent with blanks or hyphens at any place is read when its digits are a valid GS1 number, the check
    digit deciding (schemas.reference.printed_gs1); its digits are G's UPC-A, so the line is G's."""
    xref = ("partner,qualifier,buyer_part,sku\nacme,IN,AB-1234,G\nacme,FS,5305012345678,G\nacme,BP,0004471,G\n"
            "acme,IN,CD-1,G\nacme,IN,CD1,T\nacme,VP,X 1,T\n")
    items = ITEMS_HEAD + "G,00614141840014,614141840014,G,granola,EA,1,1,active\nT,,,T-1,towel,EA,1,1,active\n"
    assert _resolved([("EA", [("IN", "ab-1234")]), ("EA", [("IN", "AB 1234")]), ("EA", [("FS", "5305-01-234-5678")]),
                      ("EA", [("BP", "4471")]), ("EA", [("BP", "00-4471")]), ("EA", [("IN", "cd-1")]),
                      ("EA", [("VP", "x-1")]), ("EA", [("UP", "614141-840014")])], items, xref) == [
        "G", "G", "G", "G", "G", None, "T", "G"]  # CD-1 and CD1 are two items: neither; the UPC's digits are G's


def test_our_part_number_written_another_way_is_ours_when_one_item_alone_is_so():
    """Our part number in another case or with other blanks and hyphens (VN, VP, MG: a buyer's system keeping makers'
    numbers without their hyphens, or in small letters) is ours where one item alone is so; two of ours that differ
    only so (AB-1, AB1) are neither."""
    items = (ITEMS_HEAD + "S,,,HX-1/4-20X1,screw,EA,1,1,active\nR,,,RC0603FR-0710KL,resistor,EA,1,1,active\n"
             "A,,,AB-1,a,EA,1,1,active\nB,,,AB1,b,EA,1,1,active\n")
    assert _resolved([("EA", [("VN", "hx 1/4-20x1")]), ("EA", [("VP", "RC0603FR0710KL")]),
                      ("EA", [("MG", "rc0603fr-0710kl")]), ("EA", [("VP", "ab 1")]), ("EA", [("VP", "AB1")])],
                     items) == ["S", "R", "R", None, "B"]


# --- the night ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, (), POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg84") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    """No line refused for how it names its item: every PO accepted by its 997, every line IA as ordered, shipped
    and invoiced; nothing said but the late 856s."""
    night_all_invoiced(night, POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    from tests.retailer_support import all_sent_accepted

    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=6, answers=6)


def test_a_case_gtin_orders_cases_and_its_eaches_are_reserved(tmp_path):
    """McLane's granola case by its GTIN-14 in CA: 3 cases of 12 are 36 eaches of RG84-01 reserved; the UPC-E's 2
    boxes of 24 are 48 candy bars, the gum's 4 boxes of 20 are 80, the trail mix's 2 cases 24."""
    from connectors.state import StateStore
    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"mclane": ["MCL850_MCL8400101.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        reserved = {r.sku: r.quantity for r in state.order_reservations("mclane", "MCL8400101")}
    finally:
        state.close()
    assert reserved == {"RG84-01": 36, "RG84-02": 48, "RG84-09": 80, "RG84-11": 24}


def test_each_buyer_s_ids_are_echoed_as_sent(night):
    ws, _found, _states = night
    # McLane: the case GTIN-14, the UPC-E, the UPC-A without its zero and without its check digit, as sent
    ack = po_segments(segments(ws, "mclane", "855"), "MCL8400101", "BAK")
    asn = po_segments(segments(ws, "mclane", "856"), "MCL-SHP-01", "BSN")
    inv = po_segments(segments(ws, "mclane", "810"), "MCL8400101", "BIG")
    assert [s for s in ack if s[0] in ("PO1", "ACK")] == [
        ["PO1", "1", "3", "CA", "25.2", "", "UK", "10614141840011"], ["ACK", "IA", "3", "CA", "068", "20261125"],
        ["PO1", "2", "2", "BX", "13.2", "", "UP", "04102029"], ["ACK", "IA", "2", "BX", "068", "20261125"],
        ["PO1", "3", "4", "BX", "9", "", "UP", "41200000308"], ["ACK", "IA", "4", "BX", "068", "20261125"],
        ["PO1", "4", "2", "CA", "39", "", "UP", "61414184011"], ["ACK", "IA", "2", "CA", "068", "20261125"]]
    assert [s for s in asn if s[0] in ("LIN", "SN1")] == [
        ["LIN", "1", "UK", "10614141840011"], ["SN1", "", "3", "CA", "", "3", "CA"],
        ["LIN", "2", "UP", "04102029"], ["SN1", "", "2", "BX", "", "2", "BX"],
        ["LIN", "3", "UP", "41200000308"], ["SN1", "", "4", "BX", "", "4", "BX"],
        ["LIN", "4", "UP", "61414184011"], ["SN1", "", "2", "CA", "", "2", "CA"]]
    assert ["IT1", "2", "2", "BX", "13.2", "", "UP", "04102029"] in inv and ["TDS", "21600"] in inv
    # Cardinal: each NDC in the form it came, the UPC beside
    inv = po_segments(segments(ws, "cardinal", "810"), "CAH8400201", "BIG")
    assert [s for s in inv if s[0] == "IT1"] == [
        ["IT1", "1", "24", "EA", "8.4", "", "N4", "61414084001"],
        ["IT1", "2", "12", "EA", "3.15", "", "ND", "01414-8402-01"],
        ["IT1", "3", "6", "EA", "6.75", "", "N4", "61414840301", "UP", "361414840317"]]
    assert ["TDS", "27990"] in inv
    asn = po_segments(segments(ws, "cardinal", "856"), "CAH-SHP-01", "BSN")
    assert ["LIN", "1", "N4", "61414084001"] in asn and ["LIN", "2", "ND", "01414-8402-01"] in asn
    # Barnes & Noble: the ISBN-10 (its X kept), the ISBN-13, the carton's GTIN-14 by the carton
    inv = po_segments(segments(ws, "bn", "810"), "BN8400301", "BIG")
    assert [s for s in inv if s[0] == "IT1"] == [
        ["IT1", "1", "5", "EA", "14.95", "", "IB", "1614148406"],
        ["IT1", "2", "8", "EA", "11", "", "IB", "161414852X", "EN", "9781614148524"],
        ["IT1", "3", "2", "CT", "396", "", "UK", "19781614148606"]]
    assert ["TDS", "95475"] in inv
    asn = po_segments(segments(ws, "bn", "856"), "BN-SHP-01", "BSN")
    assert ["LIN", "1", "IB", "1614148406"] in asn and ["SN1", "", "2", "CT", "", "2", "CT"] in asn
    # DLA: the NSN in the form it came, the maker's number in its own case
    inv = po_segments(segments(ws, "dla", "810"), "SPE8400401", "BIG")
    assert [s for s in inv if s[0] == "IT1"] == [
        ["IT1", "1", "200", "EA", "0.18", "", "FS", "5305012345678", "MG", "HX-1/4-20X1"],
        ["IT1", "2", "500", "EA", "0.09", "", "FS", "5310-01-456-7890", "MG", "fw-1/4-ss"]]
    # Grainger: its own numbers in small letters and with hyphens, as sent
    ack = po_segments(segments(ws, "grainger", "855"), "GWW8400501", "BAK")
    assert ["PO1", "1", "100", "EA", "0.21", "", "BP", "1xgr5", "VP", "hx-1/4-20x1"] in ack
    assert ["PO1", "2", "250", "EA", "0.11", "", "BP", "2-abc-9"] in ack
    asn = po_segments(segments(ws, "grainger", "856"), "GWW-SHP-01", "BSN")
    assert ["LIN", "2", "BP", "2-abc-9"] in asn and ["SN1", "", "250", "EA", "", "250", "EA"] in asn
    # Macy's: style, colour and size beside the UPC on every document
    for kind, key, head, seg in (("855", "MCY8400601", "BAK", "PO1"), ("856", "MCY-SHP-01", "BSN", "LIN"),
                                 ("810", "MCY8400601", "BIG", "IT1")):
        doc = po_segments(segments(ws, "macys", kind), key, head)
        ids = [s[s.index("UP"):] for s in doc if s[0] == seg]
        assert ids == [["UP", "614141840144", "VA", "TS-100", "BO", "BLK", "IZ", "M"],
                       ["UP", "614141840151", "VA", "TS-100", "BO", "BLK", "IZ", "L"]], kind


def test_the_items_shipped_are_the_items_the_ids_name(night):
    """Each line decided on the item its id names (the stored lines' skus), the DC's confirmation of that sku
    taken (nothing held for a sku the PO did not name)."""
    from connectors.state import StateStore

    ws, _found, _states = night
    state = StateStore(ws.state_path)
    try:
        skus = {(o.partner, o.po_number): [line.sku for line in state.order_lines(o.partner, o.po_number)]
                for o in state.orders()}
    finally:
        state.close()
    assert skus == {("mclane", "MCL8400101"): ["RG84-01", "RG84-02", "RG84-09", "RG84-11"],
                    ("cardinal", "CAH8400201"): ["RG84-04", "RG84-05", "RG84-08"],
                    ("bn", "BN8400301"): ["RG84-03", "RG84-12", "RG84-13"],
                    ("dla", "SPE8400401"): ["RG84-06", "RG84-10"],
                    ("grainger", "GWW8400501"): ["RG84-06", "RG84-10"],
                    ("macys", "MCY8400601"): ["RG84-14", "RG84-15"]}


def test_an_860_adds_a_drug_by_its_10_digit_ndc_and_raises_one_by_its_11(tmp_path):
    """Cardinal's 860 (BCH 04) raises line 1 (N4 11 digits) from 24 to 36 and adds line 4 by a 5-4-1 drug's 10-digit
    NDC (N3): answered by a revised 855 with every line's ids as sent, the added line IA at 18."""
    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"cardinal": ["CAH850_CAH8400201.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    change = FIXTURES / "changes" / "cardinal" / "CAH860_CAH8400201.x12"
    shutil.copy2(change, ws.drop_root / "cardinal" / "inbox" / change.name)
    run_stages(ws, datetime(2026, 11, 26, 2))
    assert ["AK2", "860", "84012"] in segments(ws, "cardinal", "997")
    assert [s[1] for s in segments(ws, "cardinal", "997") if s[0] == "AK5"] == ["A", "A"]
    answers = segments(ws, "cardinal", "855")
    revised = answers[next(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"]):]
    assert [s for s in revised[:next(k for k, s in enumerate(revised) if s[0] == "SE")] if s[0] in ("PO1", "ACK")] == [
        ["PO1", "1", "36", "EA", "8.4", "", "N4", "61414084001"], ["ACK", "IA", "36", "EA", "068", "20261126"],
        ["PO1", "2", "12", "EA", "3.15", "", "ND", "01414-8402-01"], ["ACK", "IA", "12", "EA", "068", "20261126"],
        ["PO1", "3", "6", "EA", "6.75", "", "N4", "61414840301", "UP", "361414840317"],
        ["ACK", "IA", "6", "EA", "068", "20261126"],
        ["PO1", "4", "18", "EA", "4.2", "", "N3", "6141484042"], ["ACK", "IA", "18", "EA", "068", "20261126"]]
    found, states = findings_and_states(ws)
    assert states == {("cardinal", "CAH8400201"): "acknowledged"}
    assert not [f for f in found if f[0] in ("ITEM_UNKNOWN", "GTIN_CHECK_DIGIT_INVALID")]


# --- variants ---------------------------------------------------------------------------------------------


def test_ids_that_disagree_decide_on_our_own_part_number_and_say_so(tmp_path):
    """Grainger's line names our washer by its own number (BP 2ABC9, our cross-reference) and our screw by our part
    number (VP HX-1/4-20X1): the line is decided on our own part number (the vendor's, ranked before a buyer's number
    the cross-reference maps), taken, and ITEM_IDS_DISAGREE names the number that is another item's; the 855 and
    810 echo both ids as sent."""
    ws, found, states = _variant("grainger", "GWW8400501", tmp_path, [("250*EA*0.11**BP*2-abc-9",
                                                                     "250*EA*0.21**BP*2ABC9*VP*HX-1/4-20X1")],
                                 shipped_swaps=[(",RG84-10,250,", ",RG84-06,250,")])
    assert states == {("grainger", "GWW8400501"): "invoiced"}
    [told] = [f for f in found if f[0] == "ITEM_IDS_DISAGREE"]
    assert told[1] == "warning"
    assert "decided on item RG84-06 (matched by VP)" in told[3] and "BP 2ABC9 is item RG84-10's" in told[3]
    inv = po_segments(segments(ws, "grainger", "810"), "GWW8400501", "BIG")
    assert ["IT1", "2", "250", "EA", "0.21", "", "BP", "2ABC9", "VP", "HX-1/4-20X1"] in inv


def test_ids_that_disagree_at_the_other_item_s_price_hold_the_order_for_a_person(tmp_path):
    """The same line at 0.11, the washer's price (the buyer's number's item): decided on the screw, 48 % under its
    price: held for a person with both said (the 997 accepting), nothing acknowledged or shipped under a guess."""
    ws, found, states = _variant("grainger", "GWW8400501", tmp_path, [("BP*2-abc-9", "BP*2ABC9*VP*HX-1/4-20X1")])
    assert states == {("grainger", "GWW8400501"): "held"}
    assert [s[1] for s in segments(ws, "grainger", "997") if s[0] == "AK5"] == ["A"]
    assert {f[0] for f in found} >= {"ITEM_IDS_DISAGREE", "DISCOUNT_OVER_THRESHOLD"}
    assert not list((ws.drop_root / "grainger" / "outbox").glob("grainger-855-*"))


def test_a_maker_s_number_naming_another_item_of_ours_in_another_form_is_said(tmp_path):
    """DLA's line names our screw by its NSN (our cross-reference) and, as the maker's number (MG), our washer's part
    written in small letters with blanks (fw 1/4 ss for FW-1/4-SS): decided on the screw as before, and now said
    (ITEM_IDS_DISAGREE): an MG, or a part number or buyer's number in another case or form, naming another item was
    not looked at, so a line naming two of our items went without a word."""
    ws, found, states = _variant("dla", "SPE8400401", tmp_path, [("MG*HX-1/4-20X1", "MG*fw 1/4 ss")])
    assert states == {("dla", "SPE8400401"): "invoiced"}
    [told] = [f[3] for f in found if f[0] == "ITEM_IDS_DISAGREE"]
    assert "decided on item RG84-06 (matched by FS)" in told and "MG fw 1/4 ss is item RG84-10's" in told
    inv = po_segments(segments(ws, "dla", "810"), "SPE8400401", "BIG")
    assert ["IT1", "1", "200", "EA", "0.18", "", "FS", "5305012345678", "MG", "fw 1/4 ss"] in inv


def test_a_case_gtin_ordered_in_eaches_is_refused_naming_why_and_nothing_ships_as_eaches(tmp_path):
    """McLane's granola case GTIN-14 ordered as 3 EA: 3 eaches or 3 cases? The indicator digit names a grouping of
    the item's units but no count: the line is refused (ACK IR) with the reason, the PO's other lines taken; no
    granola reserved nor shipped."""
    from connectors.state import StateStore
    from tests.support import run_stages

    copy = tmp_path / "rg84"
    shutil.copytree(FIXTURES, copy)
    po = copy / "drops" / "mclane" / "MCL850_MCL8400101.x12"
    po.write_text(po.read_text().replace("PO1*1*3*CA*25.2**UK", "PO1*1*3*EA*25.2**UK"))
    ws = of_its_own(copy, tmp_path / "ws", {"mclane": [po.name]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    found, _states = findings_and_states(ws)
    [unknown] = [m for c, m in found if c == "ITEM_UNKNOWN"]
    assert "UK 10614141840011" in unknown and "indicator digit 1" in unknown and "never in EA" in unknown
    ack = po_segments(segments(ws, "mclane", "855"), "MCL8400101", "BAK")
    assert [s[:4] for s in ack if s[0] == "ACK"] == [["ACK", "IR", "3", "EA"], ["ACK", "IA", "2", "BX"],
                                                      ["ACK", "IA", "4", "BX"], ["ACK", "IA", "2", "CA"]]
    state = StateStore(ws.state_path)
    try:
        assert {r.sku for r in state.order_reservations("mclane", "MCL8400101")} == {"RG84-02", "RG84-09", "RG84-11"}
    finally:
        state.close()


def test_an_up_value_two_of_our_items_can_be_is_refused_naming_both_readings(tmp_path):
    """Our master holds a second item whose UPC-A is 41200000308 with its check digit added: McLane's UP
    41200000308 is the gum with its zero put back or that item: neither is guessed; the line is refused, the
    readings named."""
    copy = tmp_path / "rg84"
    shutil.copytree(FIXTURES, copy)
    items = copy / "reference" / "items.csv"
    items.write_text(items.read_text() + "RG84-17,00412000003088,412000003088,GM-OTHER,Other gum,EA,20,1,active,,\n")
    ws, found, _states = variant_night(copy, "mclane", "MCL8400101", tmp_path / "v", warehouses=WAREHOUSES,
                                       night=NIGHT, ship_day=SHIP_DAY)
    [unknown] = [f for f in found if f[0] == "ITEM_UNKNOWN"]
    assert "UP 41200000308" in unknown[3]
    assert "the UPC-A 041200000308 with its leading zero" in unknown[3]
    assert "the UPC-A 412000003088 with its check digit" in unknown[3]
    ack = po_segments(segments(ws, "mclane", "855"), "MCL8400101", "BAK")
    assert [s[:2] for s in ack if s[0] == "ACK"] == [["ACK", "IA"], ["ACK", "IA"], ["ACK", "IR"], ["ACK", "IA"]]


def test_an_upc_e_beside_another_item_s_number_is_no_bad_check_digit(tmp_path):
    """A valid UPC-E is a U.P.C.: beside a Grainger number of our screw it names the candy bar; the line is decided on
    the screw (the cross-reference) and the UPC-E told as another item's, never GTIN_CHECK_DIGIT_INVALID (which
    refused the line)."""
    ws, found, states = _variant("grainger", "GWW8400501", tmp_path,
                                 [("BP*1xgr5*VP*hx-1/4-20x1", "BP*1XGR5*UP*04102029")])
    assert not [f for f in found if f[0] == "GTIN_CHECK_DIGIT_INVALID"]
    [told] = [f[3] for f in found if f[0] == "ITEM_IDS_DISAGREE"]
    assert "UP 04102029 is item RG84-02's" in told
    assert states == {("grainger", "GWW8400501"): "invoiced"}


def test_a_csv_feed_s_upc_without_its_check_digit_is_its_item(tmp_path):
    """A spreadsheet feed's UPC column holding the UPC-A's first 11 digits (its check digit left off): the item,
    taken and answered IA; a number naming none of our items is still refused."""
    from tests.test_csv_order_shapes_run import feed, run_feed

    head = "PO Number;PO Date;Line;Quantity;Unit;Unit Price;UPC;Ship Date;Ship To"
    _ws, found, ack = run_feed(tmp_path / "ws", feed(head, "UMB-8401;26.11.2026;1;10;EA;26,25;61414110073;04.12.2026;"
                                                           "UMB-9", "UMB-8401;;2;10;EA;26,25;61414199999;;"))
    assert ack[0].startswith("UMB-8401;1;IA;Accepted;10;10;"), ack
    assert ack[1].startswith("UMB-8401;2;IR;Rejected;10;0;"), ack
    assert found == [("decide", "GTIN_CHECK_DIGIT_INVALID", 3, "UPC", "UMB-8401"),
                     ("decide", "ITEM_UNKNOWN", 3, "UPC", "UMB-8401")]  # row 3: line 2, none of ours
    assert "read as the UPC-A 614141999996 with its check digit" in ack[1]


def test_the_number_a_customer_quotes_finds_the_order_whichever_form_its_po_sent(tmp_path):
    """`orderbridge status <item>` (connectors.item_index): the UPC-A a customer reads off the candy bar finds the PO
    that sent its UPC-E, the UPC-A finds the PO that sent its 11 digits, the NDC in any layout or the drug's UPC finds
    the PO that sent the 11-digit N4, an NSN quoted in its groups finds the PO that sent it bare, Grainger's number
    in capitals the PO that sent it in small letters with hyphens. An index kept with the keys of before is read
    again whole."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from connectors.item_index import ItemIndex
    from schemas.orders import ORDER_LINES

    fields = pa.schema([ORDER_LINES.field(n) for n in ("partner", "po_number", "product_ids")])
    for partner, po, pairs in (("mclane", "MCL-1", [("UP", "04102029")]), ("mclane", "MCL-2", [("UP", "61414184011")]),
                               ("cardinal", "CAH-1", [("N4", "61414084001")]),
                               ("dla", "SPE-1", [("FS", "5305012345678")]), ("grainger", "GWW-1", [("BP", "2-abc-9")])):
        (tmp_path / "orders" / partner).mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"partner": [partner], "po_number": [po], "product_ids": [
            [{"qualifier": q, "id": i} for q, i in pairs]]}, schema=fields),
            tmp_path / "orders" / partner / f"{po}.lines.parquet")
    index = ItemIndex(tmp_path / "orders", tmp_path / "derived")
    assert index.orders_naming("041200000209") == index.orders_naming("04102029") == [("mclane", "MCL-1")]
    assert index.orders_naming("614141840113") == [("mclane", "MCL-2")]
    for quoted in ("61414-840-01", "61414-0840-01", "61414084001", "6141484001", "361414840010", "00361414840010"):
        assert index.orders_naming(quoted) == [("cardinal", "CAH-1")], quoted
    assert index.orders_naming("5305-01-234-5678") == [("dla", "SPE-1")]
    assert index.orders_naming("2ABC9") == index.orders_naming("2 abc 9") == [("grainger", "GWW-1")]
    # an index of the keys of before (no "keys" in its metadata): read again, the UPC-A found
    kept = pa.ipc.open_file(tmp_path / "derived" / "item-ids-v1.arrow").read_all()
    meta = {k: v for k, v in kept.schema.metadata.items() if k != b"keys"}
    old = kept.filter(pc.equal(kept["item"], "4102029")).replace_schema_metadata(meta)
    with pa.ipc.new_file(tmp_path / "derived" / "item-ids-v1.arrow", old.schema) as out:
        out.write_table(old)
    assert ItemIndex(tmp_path / "orders", tmp_path / "derived").orders_naming("041200000209") == [("mclane", "MCL-1")]
