"""Gaps in how item identifiers are matched that rg84 (tests/test_rg84_item_identifiers.py) left: an 860 POC without
POC01 naming its line's item in another form than the 850 did (engine.changes._find_poc through
rules.business.item_readings.item_identities), GS1 numbers in their printed form (schemas.reference.printed_gs1), an
8-digit UP that is both a valid EAN-8 and a valid UPC-E (rules.business.item_readings.gs1_readings)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from engine.changes import ChangeResult, apply_changes
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from tests.changes.builders import read_change
from tests.support import x12_850

# --- 1. an 860 POC without POC01 finds its line through the item's identity ---------------------------------

# a grocer's PO: PO1s without PO101 (so its 860's POCs have no POC01), each item named one way
GROCER_PO = ["BEG*00*SA*PO-1**20261126", "CUR*BY*USD", "DTM*010*20261210", "N1*ST*DC 7*92*DC07",
             "PO1**12*EA*2.50*PE*UP*04102029",  # line 1: a UPC-E (the UPC-A 041200000209)
             "PO1**6*EA*10*PE*UP*614141000036",  # line 2: a UPC-A
             "PO1**4*EA*3*PE*BP*000000000000123458",  # line 3: the buyer's number as its ERP pads it
             "PO1**2*EA*7*PE*BP*AB-1234",  # line 4: the buyer's number in capitals
             "CTT*4*24"]


def _order(body: list[str] = GROCER_PO):
    result = read_interchanges(x12_850(body), file="grocer-po.x12")
    sets = [s for s in result.transaction_sets() if s[2].set_id == "850"]
    orders, lines = read_orders(result, sets, partner="acme", source_sha256="po-sha")
    return orders.to_pylist()[0], lines


def _apply(pocs: list[str], body: list[str] = GROCER_PO) -> ChangeResult:
    order, lines = _order(body)
    header, changes = read_change(pocs)
    return apply_changes(order, lines, header, changes, shipped=False)


def _quantities(result: ChangeResult) -> dict[int, int]:
    return {r["line_number"]: int(r["quantity"]) for r in result.new_lines.to_pylist()}


@pytest.mark.parametrize(("poc", "line"), [
    ("POC**QC*1**EA***UP*041200000209", 1),  # the UPC-A of the UPC-E the 850 sent
    ("POC**QC*1**EA***UK*00041200000209", 1),  # its GTIN-14 (indicator 0)
    ("POC**QC*1**EA***EN*0614141000036", 2),  # the EAN-13 of the UPC (a leading 0)
    ("POC**QC*1**EA***UK*00614141000036", 2),  # the GTIN-14 of the UPC (indicator 0)
    ("POC**QC*1**EA***UP*61414100003", 2),  # the UPC without its check digit (UI's 11 digits sent under UP)
    ("POC**QC*1**EA***BP*123458", 3),  # the buyer's number without its ERP's leading zeros
    ("POC**QC*1**EA***BP*ab-1234", 4),  # the buyer's number in small letters
    ("POC**QC*1**EA***BP*AB 1234", 4),  # with a blank for its hyphen
], ids=lambda v: str(v))
def test_a_poc_without_poc01_finds_its_line_by_the_item_in_another_form(poc, line):
    """The change was lost: the POC named the 850's item in another form than the 850 did, and no line carried that
    exact (qualifier, id) pair: CHANGE_LINE_UNKNOWN, IR. The item's identity is the line's."""
    result = _apply([poc])
    assert [r.status for r in result.line_results] == ["IQ"], result.findings
    assert not result.findings
    assert result.line_results[0].line_number == line
    assert _quantities(result)[line] == 1


def test_a_poc_whose_ids_could_name_two_lines_names_neither_and_says_which():
    """Two lines naming one item in two forms (its UPC-A, its UPC-E): a POC naming it in a third form could be either,
    and is never applied to one on a guess; the finding names both. A POC naming one line's exact pair is that line."""
    body = [*GROCER_PO[:4], "PO1**12*EA*2.50*PE*UP*041200000209", "PO1**6*EA*2.50*PE*UP*04102029", "CTT*2*18"]
    result = _apply(["POC**QC*1**EA***UK*00041200000209"], body)
    assert [r.status for r in result.line_results] == ["IR"]
    [finding] = result.findings
    assert finding.code == "CHANGE_LINE_UNKNOWN"
    assert "lines 1 and 2" in finding.message and "UK 00041200000209" in finding.message, finding.message
    assert _quantities(result) == {1: 12, 2: 6}
    exact = _apply(["POC**QC*1**EA***UP*04102029"], body)
    assert [(r.status, r.line_number) for r in exact.line_results] == [("IQ", 2)]


def test_a_poc_with_ids_naming_two_lines_names_neither():
    """A POC whose UP names line 2 and whose BP names line 3: either is a guess."""
    result = _apply(["POC**QC*1**EA***UP*614141000036*BP*123458"])
    assert [r.status for r in result.line_results] == ["IR"]
    assert "lines 2 and 3" in result.findings[0].message, result.findings[0].message


def test_a_poc_naming_no_line_in_any_form_is_still_unknown():
    result = _apply(["POC**QC*1**EA***UP*036000291452", "POC**DI******BP*123459"])
    assert [r.status for r in result.line_results] == ["IR", "IR"]
    assert all("no one line carries its product ids" in f.message for f in result.findings)
    assert _quantities(result) == {1: 12, 2: 6, 3: 4, 4: 2}


def test_a_delete_finds_the_line_in_another_form():
    deleted = _apply(["POC**DI******UK*00614141000036"])
    assert [(r.status, r.line_number) for r in deleted.line_results] == [("ID", 2)]
    assert sorted(_quantities(deleted)) == [1, 3, 4]


# --- 2. GS1 numbers in their printed form -----------------------------------------------------------------

@pytest.mark.parametrize(("sent", "digits"), [
    ("0-41200-00020-9", "041200000209"),  # a UPC-A as printed under its bar code: 1-5-5-1
    ("0 41200 00020 9", "041200000209"),
    ("4 006381 333931", "4006381333931"),  # an EAN-13: 1-6-6
    ("4-006381-333931", "4006381333931"),
    ("9638 5074", "96385074"),  # an EAN-8: 4-4
    ("0 410202 9", "04102029"),  # a UPC-E: 1-6-1
    ("1 00 12345 67890 2", "10012345678902"),  # a GTIN-14 as an ITF-14 prints it: 1-2-5-5-1
    (" 0-41200-00020-9 ", "041200000209"),
    ("614141-840014", "614141840014"),  # not GS1's groups, but separators at any place are read (change5)
    ("0 0 041200 000209", "00041200000209"),
    ("041200000209", None),  # no separators: no printed form (normalise_gtin reads it as it is)
    ("0-41200-00020-X", None),
    ("0_41200_00020_9", None),  # only blanks and hyphens
    ("0-41200-00020", None),  # 11 digits: no valid length
    ("AB-1234", None),
    ("", None),
    (None, None),
])
def test_a_gs1_number_s_printed_form_is_its_digits(sent, digits):
    """change5 changed the ``614141-840014`` case (it was None: only GS1's printed groups were read): blanks and
    hyphens at any place are read, the digits being of a GS1 number's length; the check digit decides elsewhere."""
    from schemas.reference import printed_gs1

    assert printed_gs1(sent) == digits


def test_a_printed_gs1_number_is_that_number():
    """A GS1 number read off a label (`UP*0-41200-00020-9`, `EN*4 006381 333931`): its digits, its check digit valid,
    name our item; a printed number whose check digit is wrong still names none. The UK ``0 0 041200 000209`` was
    pinned as naming none (not the ITF-14's groups); change5 reads separators at any place, so its digits, a valid
    GTIN-14 of A's UPC-A, name A."""
    from schemas.reference import normalise_gtin
    from tests.test_rg84_item_identifiers import ITEMS_HEAD, _resolved

    assert normalise_gtin("0-41200-00020-9") == "00041200000209"
    assert normalise_gtin("4 006381 333931") == "04006381333931"
    assert normalise_gtin("0-41200-00020-8") is None
    items = (ITEMS_HEAD + "A,00041200000209,041200000209,A,gum,EA,1,1,active\n"
             "B,04006381333931,,B,pen,EA,1,1,active\nC,00000096385074,,C,tape,EA,1,1,active\n")
    assert _resolved([("EA", [("UP", "0-41200-00020-9")]), ("EA", [("EN", "4 006381 333931")]),
                      ("EA", [("UK", "0 0 041200 000209")]), ("EA", [("UP", "0 410202 9")]),
                      ("EA", [("EO", "9638-5074")]), ("EA", [("UP", "0-41200-00020-8")]),
                      ("CA", [("UK", "1 00 41200 00020 6")])], items) == ["A", "B", "A", "A", "C", None, "A"]


def test_a_printed_gs1_number_is_no_bad_check_digit():
    """GTIN_CHECK_DIGIT_INVALID refused a line whose UPC was sent as printed; the printed form of a wrong number is
    still one. ``614141-840014`` (line 4) was pinned as refused (not GS1's groups); change5 reads separators at any
    place, its digits a valid UPC-A, so it is no longer refused."""
    from rules.business.items import check_gtin_check_digits
    from schemas.orders import ORDER_LINES
    from tests.business.tables import line

    sent = ["0-41200-00020-9", "4 006381 333931", "0-41200-00020-8", "614141-840014", "0 410202 9"]
    columns = ["upc", "ean", "upc", "upc", "upc"]
    lines = pa.Table.from_pylist([line(line_number=k, line_id=str(k), **{"upc": None, column: value}, product_ids=[
        {"qualifier": "EN" if column == "ean" else "UP", "id": value}])
        for k, (column, value) in enumerate(zip(columns, sent, strict=True), 1)], schema=ORDER_LINES)
    found = check_gtin_check_digits(lines, pa.Table.from_pylist([], schema=_items_schema()))
    assert [(f.code, f.location.line_number, f.location.value) for f in found] == [
        ("GTIN_CHECK_DIGIT_INVALID", 3, "0-41200-00020-8")]


def _items_schema():
    from schemas.reference import ITEMS

    return ITEMS


def test_a_po_naming_its_items_by_their_printed_numbers_is_taken_shipped_and_billed_echoing_them(tmp_path):
    """Macy's lines by the UPC as printed (1-5-5-1 with hyphens) and the EAN-13 of the other size (1-6-6 with blanks):
    both used to be refused (GTIN_CHECK_DIGIT_INVALID, ITEM_UNKNOWN, ACK IR), an order lost. Now taken without a word
    (the number is the item's: nothing to tell), and its 855, 856 and 810 echo each as sent."""
    from tests.test_rg84_item_identifiers import _variant

    ws, found, states = _variant("macys", "MCY8400601", tmp_path, [("UP*614141840144", "UP*6-14141-84014-4"),
                                                                   ("UP*614141840151", "EN*0 614141 840151")])
    assert not [f for f in found if f[0] in ("GTIN_CHECK_DIGIT_INVALID", "ITEM_UNKNOWN", "ITEM_IDS_DISAGREE")], found
    assert states == {("macys", "MCY8400601"): "invoiced"}
    from tests.retailer_support import po_segments, segments

    for kind, key, head, seg in (("855", "MCY8400601", "BAK", "PO1"), ("856", "MCY-SHP-01", "BSN", "LIN"),
                                 ("810", "MCY8400601", "BIG", "IT1")):
        doc = po_segments(segments(ws, "macys", kind), key, head)
        assert [s[-8:-6] for s in doc if s[0] == seg] == [["UP", "6-14141-84014-4"], ["EN", "0 614141 840151"]], kind


# --- 3. an 8-digit UP that is both a valid EAN-8 and a valid UPC-E ------------------------------------------

# UP 04123460: a valid EAN-8 (GTIN 00000004123460) and a valid UPC-E of the UPC-A 041234000060
EAN8_ITEM = "E,00000004123460,,E-1,ean-8 item,EA,1,1,active\n"
UPCE_ITEM = "U,00041234000060,041234000060,U-1,upc-e item,EA,1,1,active\n"


def test_an_up_value_both_an_ean_8_and_a_upc_e_is_the_one_of_ours_and_neither_when_both_are():
    """Either reading ours alone is the item (as before); both ours, two items: neither is taken (it used to be the
    EAN-8's: the wrong item whenever the buyer meant the U.P.C.); a line's other id still decides it. Under EN or EO
    the value is an EAN-8 only."""
    from tests.test_rg84_item_identifiers import ITEMS_HEAD, _resolved

    up = [("EA", [("UP", "04123460")])]
    assert _resolved(up, ITEMS_HEAD + EAN8_ITEM) == ["E"]
    assert _resolved(up, ITEMS_HEAD + UPCE_ITEM) == ["U"]
    assert _resolved(up, ITEMS_HEAD) == [None]
    both = ITEMS_HEAD + EAN8_ITEM + UPCE_ITEM
    assert _resolved([*up, ("EA", [("UP", "0 412346 0")]), ("EA", [("UP", "04123460"), ("VP", "U-1")]),
                      ("EA", [("UP", "04123460"), ("VP", "E-1")]), ("EA", [("EO", "04123460")]),
                      ("EA", [("UP", "041234000060")])], both) == [None, None, "U", "E", "E", "U"]


def _unknown(items_csv: str, pairs=(("UP", "04123460"),)):
    """The ITEM_UNKNOWN and ITEM_IDS_DISAGREE messages of one line sent with ``pairs``, against ``items_csv``."""
    import csv
    import io

    from rules.business.items import check_item_ids, check_items, resolve_items
    from schemas.orders import ORDER_LINES
    from schemas.reference import ITEMS, PARTNER_ITEMS, ReferenceData
    from tests.business.tables import line

    rows = [{k: (int(v) if k in ("case_pack", "min_order_qty") else v or None) for k, v in r.items()}
            for r in csv.DictReader(io.StringIO(items_csv))]
    items = pa.Table.from_pylist([{f.name: r.get(f.name) for f in ITEMS} for r in rows], schema=ITEMS)
    ref = ReferenceData(items=items, partner_items=PARTNER_ITEMS.empty_table(), prices=None, customers=None,
                        ship_tos=None)
    lines = pa.Table.from_pylist([line(line_number=1, line_id="1", upc=None, product_ids=[
        {"qualifier": q, "id": i} for q, i in pairs])], schema=ORDER_LINES)
    resolved = resolve_items(lines, items, ref.partner_items)
    return [(f.code, f.message) for f in [*check_items(lines, ref), *check_item_ids(resolved, ref)]]


def test_an_up_value_naming_two_of_our_items_so_is_refused_naming_both():
    from tests.test_rg84_item_identifiers import ITEMS_HEAD

    [(code, message)] = _unknown(ITEMS_HEAD + EAN8_ITEM + UPCE_ITEM)
    assert code == "ITEM_UNKNOWN"
    assert "the EAN-8 04123460" in message and "the UPC-A 041234000060 its UPC-E 04123460 stands for" in message
    assert "item E" in message and "item U" in message and "neither is taken" in message, message


def test_an_up_value_both_an_ean_8_and_a_upc_e_naming_none_of_ours_names_both_readings():
    from tests.test_rg84_item_identifiers import ITEMS_HEAD

    [(code, message)] = _unknown(ITEMS_HEAD + "X,00614141000036,614141000036,X-1,other,EA,1,1,active\n")
    assert code == "ITEM_UNKNOWN"
    assert "the EAN-8 04123460" in message and "the UPC-A 041234000060 its UPC-E 04123460 stands for" in message


def test_an_up_value_one_reading_of_which_is_its_line_s_item_is_no_disagreement():
    """Decided on U by its VP, the UP whose UPC-E reading is U's is not told as E's (its EAN-8 reading)."""
    from tests.test_rg84_item_identifiers import ITEMS_HEAD

    assert _unknown(ITEMS_HEAD + EAN8_ITEM + UPCE_ITEM, (("UP", "04123460"), ("VP", "U-1"))) == []


def test_the_upc_a_a_customer_quotes_finds_a_po_that_sent_an_ean_8_that_is_its_upc_e(tmp_path):
    """`orderbridge status 041234000060` found no PO that sent UP 04123460 (a valid EAN-8, so its UPC-E reading was
    not kept); the EAN-8 finds it as before, and so do printed forms of either."""
    import pyarrow.parquet as pq

    from connectors.item_index import ItemIndex
    from schemas.orders import ORDER_LINES

    fields = pa.schema([ORDER_LINES.field(n) for n in ("partner", "po_number", "product_ids")])
    (tmp_path / "orders" / "mclane").mkdir(parents=True)
    pq.write_table(pa.table({"partner": ["mclane"], "po_number": ["MCL-8"], "product_ids": [
        [{"qualifier": "UP", "id": "04123460"}]]}, schema=fields),
        tmp_path / "orders" / "mclane" / "MCL-8.lines.parquet")
    index = ItemIndex(tmp_path / "orders", tmp_path / "derived")
    for quoted in ("041234000060", "04123460", "0-41234-00006-0", "0412 3460"):
        assert index.orders_naming(quoted) == [("mclane", "MCL-8")], quoted
