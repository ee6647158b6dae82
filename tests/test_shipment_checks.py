"""Shipment confirmation checks: every finding of rules.shipments on a small fixed state, the lines
resolved to their partner and order line, held shipments; and the GX suite agreeing with the
plain checks on the same feed (the one test here that imports GX)."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.reference import load_reference
from parsers.shipments_csv import read_shipment_csv
from parsers.warehouse_945 import read_945
from parsers.x12_reader import read_interchanges
from rules.shipments import SHAPE_CODES, check_shipments, gx_shipment_findings
from schemas.fulfilment import ShipmentCsvMapping
from schemas.shipments import LINE_STATE, RECORDED_CARTONS
from tests.support import REPO

REF = load_reference(REPO / "sample_files" / "reference")
SAMPLES = REPO / "sample_files" / "shipments"
D = Decimal
HEADER = "Shipment ID,Ship Date,Carrier,PO Number,PO Line,SKU,Quantity,Unit,Carton ID,Carton Weight\n"


def state(*rows) -> pa.Table:
    """LINE_STATE rows; cut_by, cut_from and bill_only (the last columns) None unless given."""
    keys = [f.name for f in LINE_STATE]
    return pa.Table.from_pylist([dict(zip(keys, (*r, None, None, None)[:len(keys)], strict=True)) for r in rows],
                                schema=LINE_STATE)


STATE = state(
    ("acme", "ACME-1000", 1, "1", "SKU-1001", None, "EA", D(10), D(10), D(0), "allocated"),
    ("acme", "ACME-1000", 2, "2", "SKU-1003", None, "EA", D(24), D(12), D(0), "partially_shipped"),
    ("acme", "ACME-1000", 3, "3", "SKU-1011", None, "EA", D(5), D(5), D(0), "allocated"),
    ("acme", "ACME-1001", 4, "4", "SKU-1002", None, "EA", D(10), D(10), D(0), "allocated"),
    ("acme", "ACME-1001", 5, "5", "SKU-1004", None, "EA", D(48), D(48), D(0), "allocated"),
    ("acme", "ACME-1001", 10, "10", "SKU-1012", None, "EA", D(6), D(6), D(0), "allocated"),
    ("acme", "ACME-1001", 3, "3", "SKU-1008", None, "EA", D(12), D(0), D(0), "rejected"),
    ("acme", "ACME-2000", 1, "1", "SKU-1001", None, "EA", D(5), D(5), D(0), "cancelled"),
    ("acme", "ACME-2001", 1, "1", "SKU-1001", None, "EA", D(5), D(5), D(0), "allocated"),
    ("acme", "ACME-2001", 2, "2", "SKU-1001", None, "EA", D(5), D(5), D(0), "allocated"),
    ("globex", "SHARED-1", 1, "1", "SKU-1001", None, "EA", D(5), D(5), D(0), "allocated"),
    ("initech", "SHARED-1", 1, "1", "SKU-1001", None, "EA", D(5), D(5), D(0), "allocated"),
)
NOTHING_RECORDED = RECORDED_CARTONS.empty_table()


def csv_lines(body: str):
    table, findings = read_shipment_csv((HEADER + body).encode(), ShipmentCsvMapping(), file="c.csv")
    assert findings == []
    return table


def codes(check) -> list[tuple[str, int | None]]:
    return [(f.code, f.location.row) for f in check.findings]


def test_clean_samples_resolve_to_their_order_lines():
    table, _ = read_shipment_csv((SAMPLES / "warehouse-confirmations.csv").read_bytes(), ShipmentCsvMapping(),
                                 file="w.csv")
    result = read_interchanges((SAMPLES / "3pl-945.x12").read_bytes(), file="n.945")
    x945, _ = read_945(result, list(result.transaction_sets()))
    lines = pa.concat_tables([table, x945])
    check = check_shipments(lines, STATE, REF.items, NOTHING_RECORDED)
    assert check.findings == [] and check.held == frozenset()
    got = check.lines.select(["partner", "po_number", "line_id", "line_number", "item_sku", "held"]).to_pylist()
    assert [(r["partner"], r["po_number"], r["line_id"], r["line_number"], r["item_sku"]) for r in got] == [
        ("acme", "ACME-1000", "1", 1, "SKU-1001"), ("acme", "ACME-1000", "2", 2, "SKU-1003"),
        ("acme", "ACME-1000", "1", 1, "SKU-1001"), ("acme", "ACME-1000", "3", 3, "SKU-1011"),
        ("acme", "ACME-1001", "4", 4, "SKU-1002"), ("acme", "ACME-1001", "5", 5, "SKU-1004"),
        # the 945's third W12 has no N9 LI: the one line of ACME-1001 with VP-1012 (SKU-1012) is line 10
        ("acme", "ACME-1001", "10", 10, "SKU-1012")]
    assert not any(r["held"] for r in got)


@pytest.mark.parametrize("body,expected", [
    ("S1,2026-11-28,UPSN,NOPE-1,1,SKU-1001,1,EA,C1,1\n", [("SHIPMENT_PO_UNKNOWN", 2)]),
    ("S1,2026-11-28,UPSN,SHARED-1,1,SKU-1001,1,EA,C1,1\n", [("SHIPMENT_PO_AMBIGUOUS", 2)]),
    ("S1,2026-11-28,UPSN,ACME-1000,9,SKU-1001,1,EA,C1,1\n", [("SHIPMENT_LINE_UNKNOWN", 2)]),
    ("S1,2026-11-28,UPSN,ACME-2001,,SKU-1001,1,EA,C1,1\n", [("SHIPMENT_LINE_UNKNOWN", 2)]),  # two lines: which?
    ("S1,2026-11-28,UPSN,ACME-2000,1,SKU-1001,1,EA,C1,1\n", [("SHIPMENT_LINE_CLOSED", 2)]),
    ("S1,2026-11-28,UPSN,ACME-1001,3,SKU-1008,1,EA,C1,1\n",
     [("SHIPMENT_LINE_CLOSED", 2), ("SHIPMENT_OVER_RESERVED", 2)]),
    ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,C1,1\nS1,2026-11-28,UPSN,ACME-1001,4,SKU-1002,1,EA,C1,1\n",
     [("SHIPMENT_CARTON_MULTI_PO", 3)]),
    ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,6,EA,C1,1\nS1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,5,EA,C2,1\n",
     [("SHIPMENT_OVER_RESERVED", 3)]),
    ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,-1,EA,C1,1\n", [("SHIPMENT_QTY_NOT_POSITIVE", 2)]),  # 0: a cut line
    ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,CA,C1,1\n", [("SHIPMENT_UNIT_MISMATCH", 2)]),
    ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-9999,1,EA,C1,1\n", [("SHIPMENT_SKU_UNKNOWN", 2)]),
    ("S1,2026-11-28,UPSN,ACME-1000,1,VP-1002,1,EA,C1,1\n", [("SHIPMENT_SKU_MISMATCH", 2)]),
    ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,C1,1\nS1,2026-11-29,UPSN,ACME-1000,2,SKU-1003,1,EA,C1,1\n",
     [("SHIPMENT_HEADER_INCONSISTENT", 3)]),
    ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,C1,1\nS1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,C1,1\n",
     [("SHIPMENT_LINE_DUPLICATE", 3)]),
    ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,C1,1\nS2,2026-11-28,UPSN,ACME-1000,2,SKU-1003,1,EA,C1,1\n",
     [("SHIPMENT_CARTON_REUSED", 3)]),
    ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,,1\n", [("SHIPMENT_CARTON_MISSING", 2)]),
    ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,106141410000000018,1\n", [("SHIPMENT_SSCC_INVALID", 2)]),
    ("S1,2026-11-28,UPS1,ACME-1000,1,SKU-1001,1,EA,C1,1\n", [("SHIPMENT_SCAC_INVALID", 2)]),
    ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,C1,-1\n", [("SHIPMENT_WEIGHT_INVALID", 2)]),
])
def test_each_finding(body, expected):
    check = check_shipments(csv_lines(body), STATE, REF.items, NOTHING_RECORDED)
    assert codes(check) == expected
    errors = {f.code for f in check.findings if f.severity == "error"}
    assert check.held == (frozenset({"S1", "S2"} & set(check.lines["shipment_id"].to_pylist())) if errors
                          else frozenset())
    assert all(f.location.file == "c.csv" and f.location.column for f in check.findings)


def test_duplicate_shipment_ids_against_records_and_within_the_feed():
    recorded = pa.Table.from_pylist([{"shipment_id": "S1", "carton_id": "OLD-1", "carton_sscc": None},
                                     {"shipment_id": "S0", "carton_id": "C7", "carton_sscc": None}],
                                    schema=RECORDED_CARTONS)
    check = check_shipments(csv_lines("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,C1,1\n"
                                      "S3,2026-11-28,UPSN,ACME-1000,2,SKU-1003,1,EA,C7,1\n"),
                            STATE, REF.items, recorded)
    assert codes(check) == [("SHIPMENT_ID_DUPLICATE", 2), ("SHIPMENT_CARTON_REUSED", 3)]
    # the same shipment id in a CSV file and in a 945 of the same feed
    one = csv_lines("SHP-2001,2026-11-28,ODFL,ACME-1001,4,VP-1002,1,EA,C9,1\n")
    result = read_interchanges((SAMPLES / "3pl-945.x12").read_bytes(), file="n.945")
    other, _ = read_945(result, list(result.transaction_sets()))
    check = check_shipments(pa.concat_tables([one, other]), STATE, REF.items, NOTHING_RECORDED)
    dup = [f for f in check.findings if f.code == "SHIPMENT_ID_DUPLICATE"]
    assert len(dup) == 1 and dup[0].location.st02 == "0001" and dup[0].location.segment_id == "W06"
    assert check.held == frozenset({"SHP-2001"})


def test_945_findings_point_at_the_segment():
    result = read_interchanges((SAMPLES / "3pl-945.x12").read_bytes().replace(b"N9*LI*5", b"N9*LI*55"), file="n.945")
    lines, _ = read_945(result, list(result.transaction_sets()))
    check = check_shipments(lines, STATE, REF.items, NOTHING_RECORDED)
    (f,) = check.findings
    assert (f.code, f.location.isa13, f.location.st02, f.location.segment_id, f.location.segment_position) == \
        ("SHIPMENT_LINE_UNKNOWN", "000000451", "0001", "N9", 12)


def test_standard_carton_pack_partner_needs_one_item_per_carton_and_soi_needs_no_carton():
    body = ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,C1,1\nS1,2026-11-28,UPSN,ACME-1000,2,SKU-1003,1,EA,C1,1\n"
            "S1,2026-11-28,UPSN,ACME-1000,3,SKU-1011,1,EA,,\n")
    check = check_shipments(csv_lines(body), STATE, REF.items, NOTHING_RECORDED, structures={"acme": "SOIP"})
    assert codes(check) == [("SHIPMENT_CARTON_MIXED", 3), ("SHIPMENT_CARTON_MISSING", 4)]
    check = check_shipments(csv_lines(body), STATE, REF.items, NOTHING_RECORDED, structures={"acme": "SOI"})
    assert codes(check) == []


def test_findings_of_one_feed_in_row_order_and_within_a_row_in_check_order():
    """The checks run as column masks; a row's findings still come in the order the checks are listed,
    the rows in file order, each with its text (pinned against the per-row checks they replaced, but
    for SHIPMENT_CARTON_MIXED: once per carton, where its second item comes, not again on each later
    row while it holds two)."""
    body = ("S1,2026-11-28,ups1,ACME-1001,3,SKU-1008,-1,CA,C1,-1\n"
            "S1,2026-11-29,UPSN,ACME-1000,1,SKU-1001,6,EA,C1,1\n"
            "S2,2026-11-28,UPSN,ACME-1000,1,SKU-1001,5,EA,C1,1\n"
            "S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,C1,1\n"
            "S1,2026-11-28,UPSN,ACME-1000,2,SKU-1003,1,EA,C1,1\n"
            "S1,2026-11-28,UPSN,ACME-1000,3,SKU-1011,1,EA,,\n")
    check = check_shipments(csv_lines(body), STATE, REF.items, NOTHING_RECORDED, structures={"acme": "SOIP"})
    assert [(f.code, f.location.row, f.location.column, f.message) for f in check.findings] == [
        ("SHIPMENT_QTY_NOT_POSITIVE", 2, "quantity", "Quantity -1.0000 is not positive."),
        ("SHIPMENT_LINE_CLOSED", 2, "line_id", "Line 3 of ACME-1001 is rejected."),
        ("SHIPMENT_UNIT_MISMATCH", 2, "unit", "Shipped in CA; the line is in EA."),
        ("SHIPMENT_SCAC_INVALID", 2, "carrier_scac", "Carrier 'UPS1' is not a 2-4 letter SCAC."),
        ("SHIPMENT_WEIGHT_INVALID", 2, "carton_weight", "Carton weight -1.0000 is negative."),
        ("SHIPMENT_HEADER_INCONSISTENT", 3, "ship_date",
         "Shipment S1: ship_date datetime.date(2026, 11, 29) here, datetime.date(2026, 11, 28) before."),
        ("SHIPMENT_HEADER_INCONSISTENT", 3, "carrier_scac", "Shipment S1: carrier_scac 'UPSN' here, 'UPS1' before."),
        ("SHIPMENT_CARTON_MULTI_PO", 3, "carton_id", "Carton C1 of S1 holds items of ACME-1001 and ACME-1000."),
        ("SHIPMENT_CARTON_MIXED", 3, "carton_id", "Carton C1 holds several items; acme takes standard carton pack."),
        ("SHIPMENT_OVER_RESERVED", 4, "quantity", "Line 1 of ACME-1000: 5 more shipped with only 4 still reserved."),
        ("SHIPMENT_CARTON_REUSED", 4, "carton_id", "Carton C1 is on shipment S1 and on S2."),
        ("SHIPMENT_LINE_DUPLICATE", 5, "line_id", "Line 1 of ACME-1000 twice in carton C1 of S1."),
        ("SHIPMENT_CARTON_MISSING", 7, "carton_id", "No carton id; acme's 856 lists cartons (SOIP).")]
    assert check.held == frozenset({"S1", "S2"})
    assert check.finding_rows == (0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 5)


@pytest.mark.slow
def test_gx_suite_agrees_with_the_plain_shape_checks():
    body = ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,-1,EA,C1,1\n"
            "S1,2026-11-28,UPSN,ACME-1000,2,SKU-1003,1,EA,C1,-2\n"
            "S2,2026-11-28,UP5,ACME-1000,3,SKU-1011,1,EA,C2,1\n"
            "S2,2026-11-28,UP5,ACME-1000,3,SKU-1011,1,EA,C2,1\n"
            "S3,2026-11-28,UPSN,ACME-1001,4,VP-1002,2,EA,C3,1\n")
    lines = csv_lines(body)
    plain = check_shipments(lines, STATE, REF.items, NOTHING_RECORDED)
    gx = gx_shipment_findings(lines)
    shape = {(f.code, f.location.row) for f in plain.findings if f.code in SHAPE_CODES}
    # GX names every row of a duplicate group and every row with the bad SCAC; the plain check the
    # second row and the first row of each shipment: the same codes for the same shipments
    assert {(f.code, f.location.row) for f in gx} >= shape
    assert {f.code for f in gx} == {c for c, _r in shape} == {"SHIPMENT_QTY_NOT_POSITIVE", "SHIPMENT_WEIGHT_INVALID",
                                                             "SHIPMENT_SCAC_INVALID", "SHIPMENT_LINE_DUPLICATE"}
    # with GX's findings passed in, each shape finding is reported as GX saw it, and still holds its shipment
    merged = check_shipments(lines, STATE, REF.items, NOTHING_RECORDED, shape_checks=False, extra_findings=gx)
    assert {(f.code, f.location.row) for f in merged.findings if f.code in SHAPE_CODES} == \
        {(f.code, f.location.row) for f in gx}
    assert merged.held == plain.held == frozenset({"S1", "S2"})


def test_a_mixed_carton_is_reported_once_where_its_second_item_comes():
    """Standard carton pack (SOIP): a carton of three items, the first item again in between, is one
    SHIPMENT_CARTON_MIXED at the row bringing its second item; another carton of one item none."""
    body = ("S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,C1,1\n"
            "S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,C2,1\n"
            "S1,2026-11-28,UPSN,ACME-1000,2,SKU-1003,1,EA,C1,1\n"
            "S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,1,EA,C1,1\n"
            "S1,2026-11-28,UPSN,ACME-1000,3,SKU-1011,1,EA,C1,1\n")
    check = check_shipments(csv_lines(body), STATE, REF.items, NOTHING_RECORDED, structures={"acme": "SOIP"})
    mixed = [(f.location.row, f.message) for f in check.findings if f.code == "SHIPMENT_CARTON_MIXED"]
    assert mixed == [(4, "Carton C1 holds several items; acme takes standard carton pack.")]


def test_a_line_id_two_lines_of_the_po_share_holds_the_shipment_instead_of_failing_the_feed():
    """A PO whose lines repeat a line id (an 850's PO101 twice is only a warning; a CSV feed's Line column
    likewise): a confirmation naming that id cannot say which line shipped. SHIPMENT_LINE_UNKNOWN says
    so and holds the shipment; the feed's other shipments go on. Before: the checks of the whole feed
    failed (ArrowInvalid: the line look-up returned two rows for one)."""
    st = state(("acme", "DUP-1", 1, "1", "SKU-1001", None, "EA", D(10), D(10), D(0), "allocated"),
               ("acme", "DUP-1", 2, "1", "SKU-1003", None, "EA", D(12), D(12), D(0), "allocated"),
               ("acme", "DUP-1", 3, "2", "SKU-1011", None, "EA", D(5), D(5), D(0), "allocated"),
               ("acme", "OK-1", 1, "1", "SKU-1001", None, "EA", D(10), D(10), D(0), "allocated"))
    lines = csv_lines("S1,2026-11-28,UPSN,DUP-1,1,SKU-1001,10,EA,C1,1\nS1,2026-11-28,UPSN,DUP-1,2,SKU-1011,5,EA,C1,1\n"
                      "S2,2026-11-28,UPSN,OK-1,1,SKU-1001,10,EA,C2,1\n")
    check = check_shipments(lines, st, REF.items, NOTHING_RECORDED)
    assert codes(check) == [("SHIPMENT_LINE_UNKNOWN", 2)]
    assert "2 lines with line id '1'" in check.findings[0].message
    assert check.held == {"S1"}
    assert check.lines.select(["po_number", "line_number"]).to_pylist() == [
        {"po_number": "DUP-1", "line_number": None}, {"po_number": "DUP-1", "line_number": 3},
        {"po_number": "OK-1", "line_number": 1}]


@pytest.mark.parametrize(("other", "expected"), [
    (("acme", "PO-7", 1, "1", "SKU-1001", None, "EA", D(5), D(0), D(0), "cancelled"), "3"),  # an 860 replaced it
    (("acme", "PO-7", 1, "1", "SKU-1001", None, "EA", D(5), D(0), D(5), "shipped"), "3"),  # shipped before
    (("acme", "PO-7", 1, "1", "SKU-1001", None, "EA", D(5), D(5), D(0), "allocated"), None),  # both open: which?
])
def test_a_confirmation_without_line_id_ships_the_one_open_line_of_its_item(other, expected):
    """The same item on two lines of one PO (a line an 860 cancelled and added again, or one that already
    shipped): a confirmation row without a line id ships the one line of that item still open and
    reserved; with two such lines it still cannot say which. Before: any second line with the item, even
    cancelled or shipped, held the shipment (SHIPMENT_LINE_UNKNOWN)."""
    st = state(other, ("acme", "PO-7", 3, "3", "SKU-1001", None, "EA", D(5), D(5), D(0), "allocated"))
    check = check_shipments(csv_lines("S1,2026-11-28,UPSN,PO-7,,SKU-1001,5,EA,C1,1\n"), st, REF.items,
                            NOTHING_RECORDED)
    assert check.lines["line_id"].to_pylist() == [expected]
    assert codes(check) == ([] if expected else [("SHIPMENT_LINE_UNKNOWN", 2)])
    if not expected:
        assert "none or several of them still reserved" in check.findings[0].message


@pytest.mark.parametrize(("qualifier", "part", "expected"), [
    ("BP", "ACME-5000", ("1", "SKU-1001", [])),  # acme's part number for SKU-1001 (partner_items.csv)
    ("IN", "ACME-5000", ("1", "SKU-1001", [])),  # a legacy cross-reference row answers to BP and IN
    ("BP", "ACME-9999", (None, None, [("SHIPMENT_LINE_UNKNOWN", None)])),  # not in the cross-reference
])
def test_a_945_naming_the_item_by_the_partner_s_part_number_finds_it_in_the_cross_reference(qualifier, part,
                                                                                            expected):
    """A 3PL echoing the buyer's part number (W1207 BP/IN, as the 850 sent it) in its 945: the item is found
    through the partner's cross-reference, as intake finds a PO1 BP, and so its order line. Before: the id
    was dropped, no item, no line (SHIPMENT_LINE_UNKNOWN: the shipment held)."""
    from tests.test_shipment_readers import _945, read_x12

    table, findings = read_x12(_945("W06*N*DO-1*20261128*SHP-1**ACME-1000", "LX*1", "MAN*GM*00106141410000000026",
                                    f"W12*CC*2*2**EA**{qualifier}*{part}"))
    assert findings == [] and table.column("buyer_item").to_pylist() == [part]
    check = check_shipments(table, STATE, REF.items, NOTHING_RECORDED, partner_items=REF.partner_items)
    got = check.lines.select(["line_id", "item_sku"]).to_pylist()[0]
    assert (got["line_id"], got["item_sku"], [(f.code, f.location.row) for f in check.findings]) == expected


def test_a_945_resent_word_for_word_in_the_same_file_ships_once():
    """A 3PL resending a 945 (no 997 came back) in the same file, under new control numbers: read once with a
    warning, and the shipment goes on. Before: two confirmations of one shipment id, SHIPMENT_ID_DUPLICATE,
    the shipment held. A second 945 of the same shipment id that differs is still held."""
    from tests.test_shipment_readers import _945, read_x12

    body = ("W06*N*DO-1*20261128*SHP-1**ACME-1000", "LX*1", "MAN*GM*00106141410000000026", "W12*CC*2*2**EA**VN*VP-1001",
            "N9*LI*1")
    first, again = _945(*body), _945(*body).replace(b"000000701", b"000000702").replace(b"*0001~", b"*0002~")
    table, findings = read_x12(first + again)
    assert table.num_rows == 1
    assert [(f.code, f.severity, f.location.isa13, f.location.st02) for f in findings] == [
        ("SHIPMENT_945_REPEATED", "warning", "000000702", "0002")]
    check = check_shipments(table, STATE, REF.items, NOTHING_RECORDED)
    assert check.findings == [] and check.held == frozenset()
    changed = again.replace(b"W12*CC*2*2", b"W12*CC*3*3")
    table, findings = read_x12(first + changed)
    assert table.num_rows == 2 and findings == []
    check = check_shipments(table, STATE, REF.items, NOTHING_RECORDED)
    assert ("SHIPMENT_ID_DUPLICATE", None) in codes(check) and check.held == {"SHP-1"}


@pytest.mark.parametrize(("written", "expected"), [
    ("10", ("0010", [])), ("0010", ("0010", [])), ("010", ("0010", [])),
    ("30", ("30", [("SHIPMENT_LINE_UNKNOWN", 2)]))])
def test_a_line_id_without_its_leading_zeros_names_the_padded_line(written, expected):
    """PO101 "0010" confirmed as "10" (a spreadsheet or a WMS keeping the line number as a number): the one
    line of the PO that is that number with leading zeros. Before: SHIPMENT_LINE_UNKNOWN, the shipment held."""
    st = state(("acme", "PO-7", 1, "0010", "SKU-1001", None, "EA", D(5), D(5), D(0), "allocated"),
               ("acme", "PO-7", 2, "0020", "SKU-1003", None, "EA", D(5), D(5), D(0), "allocated"))
    check = check_shipments(csv_lines(f"S1,2026-11-28,UPSN,PO-7,{written},SKU-1001,5,EA,C1,1\n"), st, REF.items,
                            NOTHING_RECORDED)
    assert (check.lines["line_id"].to_pylist()[0], codes(check)) == expected


def test_a_number_two_padded_line_ids_share_still_names_no_line():
    st = state(("acme", "PO-7", 1, "010", "SKU-1001", None, "EA", D(5), D(5), D(0), "allocated"),
               ("acme", "PO-7", 2, "0010", "SKU-1001", None, "EA", D(5), D(5), D(0), "allocated"))
    check = check_shipments(csv_lines("S1,2026-11-28,UPSN,PO-7,10,SKU-1001,5,EA,C1,1\n"), st, REF.items,
                            NOTHING_RECORDED)
    assert codes(check) == [("SHIPMENT_LINE_UNKNOWN", 2)]


def test_more_than_reserved_on_a_line_an_860_cut_is_shipped_after_change_not_held():
    """Line 4 of ACME-1001: 10 shipped, its 2 unshipped units cut by an 860 (nothing reserved, cut_by its
    reason): 2 confirmed now left before the change, a warning naming the 860 and the units, not held.
    The same 2 on line 5, which no 860 cut (nothing reserved either), hold their shipment."""
    cut = state(("acme", "ACME-1001", 4, "4", "SKU-1002", None, "EA", D(10), D(0), D(10), "invoiced",
                 "changed after shipment by 860 in change-2201.x12"),
                ("acme", "ACME-1001", 5, "5", "SKU-1004", None, "EA", D(48), D(0), D(48), "invoiced"))
    check = check_shipments(csv_lines("S1,2026-11-28,UPSN,ACME-1001,4,SKU-1002,1,EA,C1,1\n"
                                      "S1,2026-11-28,UPSN,ACME-1001,4,SKU-1002,1,EA,C2,1\n"
                                      "S2,2026-11-28,UPSN,ACME-1001,5,SKU-1004,2,EA,C3,1\n"), cut, REF.items,
                            NOTHING_RECORDED)
    assert codes(check) == [("SHIPPED_AFTER_CHANGE", 2), ("SHIPMENT_OVER_RESERVED", 4)]
    late = check.findings[0]
    assert late.severity == "warning" and "change-2201.x12" in late.message and "2 unit(s) shipped beyond" \
        in late.message, late.message
    assert check.held == frozenset({"S2"})


def test_a_cut_line_takes_late_units_up_to_what_it_had_before_the_cut():
    """Line 4 of ACME-1001: 12 promised, 10 shipped, the 2 unshipped cut by an 860 (its promise before the cut:
    12). 2 confirmed now can have left before the change (SHIPPED_AFTER_CHANGE, not held); 3 cannot (more than
    the 12 the line ever had: SHIPMENT_OVER_RESERVED, held, naming the units beyond). A line cut before its
    promise was kept (cut_from null) takes them as ever."""
    def cut(cut_from):
        return state(("acme", "ACME-1001", 4, "4", "SKU-1002", None, "EA", D(10), D(0), D(10), "invoiced",
                      "changed after shipment by 860 in change-2201.x12", cut_from))

    def confirmed(*quantities):
        return csv_lines("".join(f"S{k},2026-11-28,UPSN,ACME-1001,4,SKU-1002,{q},EA,C{k},1\n"
                                 for k, q in enumerate(quantities, start=1)))

    within = check_shipments(confirmed(2), cut(D(12)), REF.items, NOTHING_RECORDED)
    assert codes(within) == [("SHIPPED_AFTER_CHANGE", 2)] and within.held == frozenset()
    beyond = check_shipments(confirmed(3), cut(D(12)), REF.items, NOTHING_RECORDED)
    assert codes(beyond) == [("SHIPMENT_OVER_RESERVED", 2)] and beyond.held == frozenset({"S1"})
    assert "1 beyond anything that can have left before the change" in beyond.findings[0].message
    assert "change-2201.x12" in beyond.findings[0].message
    # two shipments: the first within the 2, the second beyond them (held alone)
    split = check_shipments(confirmed(1, 1, 1), cut(D(12)), REF.items, NOTHING_RECORDED)
    assert codes(split) == [("SHIPPED_AFTER_CHANGE", 2), ("SHIPMENT_OVER_RESERVED", 4)]
    assert split.held == frozenset({"S3"})
    unknown = check_shipments(confirmed(3), cut(None), REF.items, NOTHING_RECORDED)
    assert codes(unknown) == [("SHIPPED_AFTER_CHANGE", 2)] and unknown.held == frozenset()


def test_a_gtin_or_upc_a_spreadsheet_wrote_without_its_leading_zeros_names_its_item():
    """A warehouse export saved through a spreadsheet drops a UPC's leading zero (012345678905 as 12345678905):
    the number in the SKU column still names its item (GS1 numbers are right-aligned, zero-filled); a
    number whose check digit is wrong either way still names none."""
    from schemas.reference import gs1_check_digit

    body = "01234567890"
    upc = body + str(gs1_check_digit(body))
    items = REF.items
    rows = items.to_pylist()
    for r in rows:
        if r["sku"] == "SKU-1001":
            r["gtin"], r["upc"] = "00" + upc, upc
    items = pa.Table.from_pylist(rows, schema=items.schema)
    check = check_shipments(csv_lines(f"S1,2026-11-28,UPSN,ACME-1000,1,{upc[1:]},1,EA,C1,1\n"), STATE, items,
                            NOTHING_RECORDED)
    assert codes(check) == [] and check.lines["item_sku"].to_pylist() == ["SKU-1001"]
    wrong = upc[1:-1] + str((int(upc[-1]) + 1) % 10)
    check = check_shipments(csv_lines(f"S1,2026-11-28,UPSN,ACME-1000,1,{wrong},1,EA,C1,1\n"), STATE, items,
                            NOTHING_RECORDED)
    assert codes(check) == [("SHIPMENT_SKU_UNKNOWN", 2)]


def test_over_within_the_partners_tolerance_is_a_warning():
    """Line 1 of ACME-1000: 10 ordered, 10 reserved. With acme's over_ship_percent 10, 11 shipped is within it
    (SHIPMENT_WITHIN_TOLERANCE, a warning: not held); 12 is beyond it (SHIPMENT_OVER_RESERVED, held, as without a
    tolerance); another partner's tolerance is not acme's."""
    def shipped(q):
        return csv_lines(f"S1,2026-11-28,UPSN,ACME-1000,1,SKU-1001,{q},EA,C1,1\n")

    within = check_shipments(shipped(11), STATE, REF.items, NOTHING_RECORDED, over_ship={"acme": D(10)})
    assert codes(within) == [("SHIPMENT_WITHIN_TOLERANCE", 2)] and within.held == frozenset()
    assert within.findings[0].severity == "warning"
    assert "1 beyond the line, within the 10% over-shipment tolerance" in within.findings[0].message
    beyond = check_shipments(shipped(12), STATE, REF.items, NOTHING_RECORDED, over_ship={"acme": D(10)})
    assert codes(beyond) == [("SHIPMENT_OVER_RESERVED", 2)] and beyond.held == frozenset({"S1"})
    for other in ({}, {"globex": D(10)}):
        plain = check_shipments(shipped(11), STATE, REF.items, NOTHING_RECORDED, over_ship=other)
        assert codes(plain) == [("SHIPMENT_OVER_RESERVED", 2)] and plain.held == frozenset({"S1"})


def test_units_beyond_a_backordered_lines_reservation_are_no_over_shipment():
    """Line 2 of ACME-1000: 24 ordered, 12 reserved (the rest backordered). 13 shipped is within 10 % of 24 as a
    count, but the unit beyond the reservation is a backordered one, not one beyond the line: held as before."""
    check = check_shipments(csv_lines("S1,2026-11-28,UPSN,ACME-1000,2,SKU-1003,13,EA,C1,1\n"), STATE, REF.items,
                            NOTHING_RECORDED, over_ship={"acme": D(10)})
    assert codes(check) == [("SHIPMENT_OVER_RESERVED", 2)] and check.held == frozenset({"S1"})


def test_a_unit_converted_for_an_item_counted_in_a_measure_is_said_in_it():
    """Wire sold by the foot, ordered in reels of 500 FT (item_units RE), shipped in feet: 1000 FT is recorded as 2 RE,
    the message counting feet ("1000 FT"), not "1000 eaches"; 700 FT is no whole reel ("700 FT: not whole RE")."""
    import dataclasses

    import pyarrow.compute as pc

    items = REF.items
    wire = pc.equal(items["sku"], "SKU-1011")
    items = items.set_column(items.column_names.index("unit"), "unit",
                             pc.if_else(wire, pa.scalar("FT", items["unit"].type), items["unit"]))
    item_units = pa.table({"sku": ["SKU-1011"], "unit": ["RE"], "eaches": pa.array([500], pa.int64())})
    ref = dataclasses.replace(REF, items=items)
    on_reels = state(("acme", "ACME-1000", 3, "3", "SKU-1011", None, "RE", D(4), D(2000), D(0), "allocated"))
    check = check_shipments(csv_lines("S1,2026-11-28,UPSN,ACME-1000,3,SKU-1011,1000,FT,C1,1\n"), on_reels, ref.items,
                            NOTHING_RECORDED, item_units=item_units)
    (f,) = check.findings
    assert (f.code, f.message) == ("SHIPMENT_UNIT_CONVERTED", "Shipped 1000 FT of SKU-1011; line 3 is in RE: 1000 FT, "
                                   "recorded as 2 RE.")
    # with 500 FT reserved (its reservation counts the item's feet), 2 RE are more than the line has left
    short = state(("acme", "ACME-1000", 3, "3", "SKU-1011", None, "RE", D(4), D(500), D(0), "allocated"))
    check = check_shipments(csv_lines("S1,2026-11-28,UPSN,ACME-1000,3,SKU-1011,1000,FT,C1,1\n"), short, ref.items,
                            NOTHING_RECORDED, item_units=item_units)
    assert [(f.code, f.message) for f in check.findings][1:] == [
        ("SHIPMENT_OVER_RESERVED", "Line 3 of ACME-1000: 2 RE (1000 FT) more shipped with only 500 FT still reserved.")]
    check = check_shipments(csv_lines("S1,2026-11-28,UPSN,ACME-1000,3,SKU-1011,700,FT,C1,1\n"), on_reels, ref.items,
                            NOTHING_RECORDED, item_units=item_units)
    assert [(f.code, f.message) for f in check.findings] == [
        ("SHIPMENT_UNIT_MISMATCH", "Shipped in FT; the line is in RE (700 FT: not whole RE of 500).")]
