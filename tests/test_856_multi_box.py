"""Multi-box units on the 856: furniture and large goods (RH's sectionals, a dining table, a drop-shipped sofa) ship
one sellable unit in several cartons, "box 2 of 3". The warehouse's confirmation says so in its Box Number / Box Count
columns: the unit's quantity on box 1's row, boxes 2..m shipping 0 of it. Before, those rows were cut lines
(SHIPMENT_ROW_NOT_SHIPPED): RH's 856 stated 3 cartons and 390 LB where 7 cartons and 770 LB left, boxes without an
SSCC, a weight or a tracking number on it (retailers charge back for wrong carton counts and unlabelled cartons). Now
every box is a pack loop of its own with its SSCC, in each HL structure; the item's quantity (SN1, CTT02) and the 810
count the unit once; a unit shipped without all its boxes holds the shipment (SHIPMENT_BOXES_INCOMPLETE). rg18's
fixtures (tests/fixtures/rg18), its confirmation rewritten with the box columns."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from parsers.shipments_csv import read_shipment_csv, to_table
from schemas.fulfilment import ShipmentCsvMapping
from tests.retailer_support import of_its_own, po_segments, segments, shipped_night
from tests.support import REPO

RG18 = REPO / "tests" / "fixtures" / "rg18"
NIGHT, SHIP_DAY = datetime(2026, 11, 25, 2), datetime(2026, 12, 4, 15)
RH = "RH-SHP-01,2026-12-04,10:30,RDWY,,,BOL-RH-71930,RH4471930,"
# two sectionals in 3 boxes each (120 + 95 + 95 LB) and the rug: 7 cartons, 770 LB
RH_ROWS = [RH + "1,HF-1001,1,EA,RH-C1,120,LB,{p},,1,3", RH + "1,HF-1001,0,EA,RH-C2,95,LB,{p},,2,3",
           RH + "1,HF-1001,0,EA,RH-C3,95,LB,{p},,3,3", RH + "1,HF-1001,1,EA,RH-C4,120,LB,{p},,1,3",
           RH + "1,HF-1001,0,EA,RH-C5,95,LB,{p},,2,3", RH + "1,HF-1001,0,EA,RH-C6,95,LB,{p},,3,3",
           RH + "2,HF-1004,4,EA,RH-C7,150,LB,{p},,,"]
BY = "BY-SHP-01,2026-12-04,13:05,UPSN,GND,{t},,OS55021877,1,HF-1001,{q},EA,{c},{w},LB,,,{k},3"
# Beyond's drop-shipped sectional: each parcel its own UPS tracking number
BY_ROWS = [BY.format(t="1Z9B7Y410300000011", q=1, c="BY-C1", w=68, k=1),
           BY.format(t="1Z9B7Y410300000022", q=0, c="BY-C2", w=54, k=2),
           BY.format(t="1Z9B7Y410300000033", q=0, c="BY-C3", w=54, k=3)]


def _fixtures(root, *, drop: str = "", rh: dict[str, str] | None = None, pallet: str = ""):
    """rg18's fixtures under ``root`` with RH's and Beyond's sectionals confirmed box by box (``drop``: a carton
    left out), ``rh``: RH's [fulfilment.asn] keys replaced or added."""
    fx = root / "fx"
    shutil.copytree(RG18, fx)
    csv = fx / "shipments" / "east-shipments-20261204.csv"
    rows = csv.read_text().splitlines()
    kept = [r + ",," for r in rows[1:] if not r.startswith(("RH-", "BY-SHP-01"))]
    mine = [r.format(p=pallet) for r in RH_ROWS] + BY_ROWS
    csv.write_text("\n".join([rows[0] + ",Box Number,Box Count", *kept, *(r for r in mine if f",{drop}," not in r
                                                                        or not drop)]) + "\n")
    if rh:
        toml = fx / "partners" / "rh.toml"
        text = toml.read_text()
        for key, value in rh.items():
            head = "[fulfilment.asn]\n"
            lines = [ln for ln in text.split(head, 1)[1].splitlines() if not ln.startswith(f"{key} =")]
            text = text.split(head, 1)[0] + head + f"{key} = {value}\n" + "\n".join(lines) + "\n"
        toml.write_text(text)
    return fx


def _night(tmp_path, **kw):
    fx = _fixtures(tmp_path, **kw)
    return shipped_night(of_its_own(fx, tmp_path / "ws"), fx, NIGHT, SHIP_DAY, messages=True)


def _loops(asn: list[list[str]]) -> list[tuple[str, list[list[str]]]]:
    """The 856's HL loops in order: (HL03, the loop's segments after its HL)."""
    out: list[tuple[str, list[list[str]]]] = []
    for seg in asn:
        if seg[0] == "HL":
            out.append((seg[3], []))
        elif out and seg[0] != "CTT":
            out[-1][1].append(seg)
    return out


def _sn1_by_line(asn) -> dict[str, Decimal]:
    """SN102 summed per LIN01."""
    out: dict[str, Decimal] = {}
    line = None
    for seg in asn:
        if seg[0] == "LIN":
            line = seg[1]
        elif seg[0] == "SN1":
            out[line] = out.get(line, Decimal(0)) + Decimal(seg[2])
    return out


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    return _night(tmp_path_factory.mktemp("multibox"))


def test_every_box_of_a_multi_box_unit_is_a_carton_with_its_sscc_and_weight_and_the_unit_counts_once(night):
    ws, found, states = night
    assert states[("rh", "RH4471930")] == "invoiced" and states[("beyond", "OS55021877")] == "invoiced"
    assert not [f for f in found if f[0] in ("SHIPMENT_ROW_NOT_SHIPPED", "SHIPMENT_QTY_NOT_POSITIVE")
                or f[0].startswith("SHIPMENT_BOXES")]
    asn = po_segments(segments(ws, "rh", "856"), "RH-SHP-01", "BSN")
    # 7 cartons and 770 LB (before: 3 and 390, the further boxes' rows cut)
    assert ["TD1", "CTN25", "7", "", "", "", "G", "770", "LB"] in asn
    packs = [body for level, body in _loops(asn) if level == "P"]
    ssccs = [s[2] for body in packs for s in body if s[0] == "MAN"]
    assert len(packs) == 7 and len(set(ssccs)) == 7 and all(len(v) == 20 and v.startswith("00") for v in ssccs)
    # "each" (the default): the item under every box, the unit on box 1 and 0 on boxes 2 and 3
    assert [s[2] for s in asn if s[0] == "SN1"] == ["1", "0", "0", "1", "0", "0", "4"]
    assert _sn1_by_line(asn) == {"1": 2, "2": 4}  # what the confirmation shipped per line
    hls = [s for s in asn if s[0] == "HL"]
    assert asn[-1][:2] == ["CTT", str(len(hls))]
    # the 810 bills the two sectionals once: 2 x 1260.00 + 4 x 188.00
    inv = po_segments(segments(ws, "rh", "810"), "RH4471930", "BIG")
    assert [s[1:4] for s in inv if s[0] == "IT1"] == [["1", "2", "EA"], ["2", "4", "EA"]]
    assert ["TDS", "327200"] in inv


def test_each_parcel_of_a_drop_shipped_multi_box_unit_carries_its_own_tracking_number(night):
    ws, _found, _states = night
    by = po_segments(segments(ws, "beyond", "856"), "BY-SHP-01", "BSN")
    packs = [body for level, body in _loops(by) if level == "P"]
    assert [body[0] for body in packs] == [["REF", "CN", "1Z9B7Y410300000011"], ["REF", "CN", "1Z9B7Y410300000022"],
                                           ["REF", "CN", "1Z9B7Y410300000033"]]
    assert [s[2] for s in by if s[0] == "SN1"] == ["1", "0", "0"]
    td1 = next(s for s in by if s[0] == "TD1")
    assert td1[2] == "3" and td1[7] == "176"
    inv = po_segments(segments(ws, "beyond", "810"), "OS55021877", "BIG")
    assert [s[1:3] for s in inv if s[0] == "IT1"] == [["1", "1"]] and ["TDS", "139900"] in inv


def test_a_unit_shipped_without_all_its_boxes_holds_the_shipment(tmp_path):
    ws, found, states = _night(tmp_path, drop="RH-C6")
    (held,) = [f for f in found if f[0] == "SHIPMENT_BOXES_INCOMPLETE"]
    assert held[1:3] == ("error", "RH4471930")
    assert "box 3 of 3 is on 1 row(s) for 2 unit(s) on box 1" in held[3]
    assert states[("rh", "RH4471930")] == "acknowledged"  # nothing shipped nor invoiced: ops fix the confirmation
    assert not list((ws.drop_root / "rh" / "outbox").glob("rh-856-*.x12"))
    assert states[("beyond", "OS55021877")] == "invoiced"  # another shipment goes on


def _standard(ws, partner: str, tmp_path) -> None:
    """Every 856 in ``partner``'s outbox passes our outbound validator and Bots' X12 grammar."""
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check

    files = sorted((ws.drop_root / partner / "outbox").glob(f"{partner}-856-*.x12"))
    assert files
    for path in files:
        content = path.read_bytes()
        assert [f for f in validate_outbound(content) if f.severity == "error"] == []
        ok, errors = bots_check(content, tmp_path)
        assert ok, errors


def test_the_multi_box_856s_are_valid_x12(night, tmp_path):
    for partner in ("rh", "beyond"):
        _standard(night[0], partner, tmp_path)


def test_pack_td1_states_each_boxs_own_weight_in_its_carton_loop(tmp_path):
    ws, _found, states = _night(tmp_path, rh={"pack_td1": "true"})
    assert states[("rh", "RH4471930")] == "invoiced"
    asn = po_segments(segments(ws, "rh", "856"), "RH-SHP-01", "BSN")
    packs = [body for level, body in _loops(asn) if level == "P"]
    assert [body[0] for body in packs] == [["TD1", "CTN25", "1", "", "", "", "G", w, "LB"]
                                           for w in ("120", "95", "95", "120", "95", "95", "150")]
    assert [body[1][0] for body in packs] == ["MAN"] * 7
    assert ["TD1", "CTN25", "7", "", "", "", "G", "770", "LB"] in asn  # the S level's total as before
    _standard(ws, "rh", tmp_path)


def test_first_states_the_item_under_box_1_only_and_the_further_boxes_as_cartons_without_items(tmp_path):
    ws, _found, states = _night(tmp_path, rh={"multi_box": '"first"'})
    assert states[("rh", "RH4471930")] == "invoiced"
    asn = po_segments(segments(ws, "rh", "856"), "RH-SHP-01", "BSN")
    assert ["TD1", "CTN25", "7", "", "", "", "G", "770", "LB"] in asn
    hls = [s for s in asn if s[0] == "HL"]
    packs = [s for s in hls if s[3] == "P"]
    assert [p[4] for p in packs] == ["1", "0", "0", "1", "0", "0", "1"]  # boxes 2 and 3: no item level
    assert [s[2] for s in asn if s[0] == "SN1"] == ["1", "1", "4"] and _sn1_by_line(asn) == {"1": 2, "2": 4}
    assert asn[-1][:2] == ["CTT", str(len(hls))] and len(hls) == 1 + 1 + 7 + 3
    _standard(ws, "rh", tmp_path)


@pytest.mark.parametrize(("structure", "pallet", "levels"), [
    ("SOTPI", "RH-P1", "SOT" + "PI" * 7),  # each box a carton on the pallet, its item under it
    ("SOTI", "RH-P1", "SOT" + "PI" * 7),  # a pallet of labelled cartons: T-P-I, as S-O-T-P-I
    ("SOIP", "", "SOI" + "P" * 6 + "IP"),  # standard carton pack: the line's item, its boxes under it
    ("SOI", "", "SOII"),  # no carton levels: the line's units once (TD1 still counts the boxes)
])
def test_every_structure_states_every_box(tmp_path, structure, pallet, levels):
    ws, found, states = _night(tmp_path, rh={"structure": f'"{structure}"'}, pallet=pallet)
    assert states[("rh", "RH4471930")] == "invoiced", found
    asn = po_segments(segments(ws, "rh", "856"), "RH-SHP-01", "BSN")
    assert "".join(s[3] for s in asn if s[0] == "HL") == levels
    td1 = next(s for s in asn if s[0] == "TD1")
    assert td1[2] == "7" and td1[7] == "770"
    assert _sn1_by_line(asn) == {"1": 2, "2": 4}
    packs = [s[2] for s in asn if s[0] == "MAN"]
    assert len(set(packs)) == len(packs) == {"SOTPI": 8, "SOTI": 8, "SOIP": 7, "SOI": 0}[structure]


def _lines(body: str):
    head = "Shipment ID,Ship Date,PO Number,PO Line,SKU,Quantity,Unit,Carton ID,Box Number,Box Count\n"
    return read_shipment_csv((head + body).encode(), ShipmentCsvMapping(), file="w.csv")


def test_the_csv_reads_box_k_of_m_and_a_further_box_shipping_0_is_no_cut_line():
    lines, found = _lines("S1,2026-12-04,PO-1,1,HF-1001,1,EA,C1,1,3\n"
                          "S1,2026-12-04,PO-1,1,HF-1001,,EA,C2,2 of 3,\n"
                          "S1,2026-12-04,PO-1,1,HF-1001,0,EA,C3,3/3,3\n"
                          "S1,2026-12-04,PO-1,2,HF-1004,4,EA,C4,,\n"
                          "S1,2026-12-04,PO-1,3,HF-1003,2,EA,C5,1,1\n"
                          "S1,2026-12-04,PO-1,4,HF-1005,0,EA,C6,,\n")
    assert lines["box_number"].to_pylist() == [1, 2, 3, None, None]  # box 1 of 1: an ordinary row
    assert lines["box_count"].to_pylist() == [3, 3, 3, None, None]
    assert lines["quantity"].to_pylist() == [1, 0, 0, 4, 2]
    # a further box's empty quantity is 0 of the unit; an ordinary row of 0 is a cut line still, one without a
    # quantity refused
    assert [(f.code, f.location.row) for f in found] == [("SHIPMENT_ROW_NOT_SHIPPED", 7)]
    _rest, refused = _lines("S1,2026-12-04,PO-1,4,HF-1005,,EA,C6,,\n")
    assert [f.code for f in refused] == ["CSV_VALUE_MISSING"]


def test_box_cells_that_name_no_box_of_the_unit_refuse_their_row():
    lines, found = _lines("S1,2026-12-04,PO-1,1,HF-1001,1,EA,C1,4,3\n"
                          "S1,2026-12-04,PO-1,1,HF-1001,0,EA,C2,two,3\n"
                          "S1,2026-12-04,PO-1,1,HF-1001,0,EA,C3,,3\n"
                          "S1,2026-12-04,PO-1,1,HF-1001,0,EA,C4,2,\n"
                          "S1,2026-12-04,PO-1,1,HF-1001,0,EA,C5,2 of 3,4\n"
                          "S1,2026-12-04,PO-1,1,HF-1001,0,EA,C6,2,x\n")
    assert lines.num_rows == 0
    assert [(f.code, f.location.row, f.message.split(": ", 1)[1]) for f in found] == [
        ("CSV_NUMBER_INVALID", 2, "box 4 of 3 is no box of the unit."),
        ("CSV_NUMBER_INVALID", 3, "the box number 'two' is not a box of the unit (2, 2 of 3, 2/3)."),
        ("CSV_NUMBER_INVALID", 4, "a box count without the row's box number."),
        ("CSV_NUMBER_INVALID", 5, "the box number '2' without the unit's box count."),
        ("CSV_NUMBER_INVALID", 6, "the box number says of 3, the box count 4."),
        ("CSV_NUMBER_INVALID", 7, "the box count 'x' is not a whole number.")]


def _boxes(rows: list[tuple]) -> list[str]:
    from rules.shipments import _Rows, box_checks

    names = ("shipment_id", "po_number", "line_id", "sku", "box_number", "box_count", "quantity", "carton_id")
    lines = to_table([{"source_kind": "csv", "source_file": "w.csv", "row_number": k + 2,
                       **dict(zip(names, r, strict=True))} for k, r in enumerate(rows)])
    return [f.message for _i, f in box_checks(lines.append_column("item_sku", lines["sku"]), _Rows(lines))]


def test_box_checks_name_what_does_not_add_up():
    one = ("S1", "PO-1", "1", "HF-1001")
    whole = [(*one, 1, 2, Decimal(1), "C1"), (*one, 2, 2, Decimal(0), "C2")]
    assert _boxes(whole) == []
    # a further box shipping a unit of its own; two box counts for one line; box 2 without its box 1
    assert "box 2 of 2 (carton C2) ships 1" in _boxes([whole[0], (*one, 2, 2, Decimal(1), "C2")])[0]
    assert "its rows say 2 boxes and 3 boxes per unit" in _boxes([*whole, (*one, 3, 3, Decimal(0), "C3")])[0]
    assert "box 2 of 2 is on 1 row(s) for 0 unit(s) on box 1" in _boxes([whole[1]])[0]
    assert "box 2 of 2 is on 0 row(s) for 1 unit(s) on box 1" in _boxes([whole[0]])[0]
    # box 1 holding two units (one unit to a box 1)
    assert "box 1 of 2 is on 1 row(s) holding 2 unit(s)" in _boxes([(*one, 1, 2, Decimal(2), "C1"),
                                                                   *[(*one, 2, 2, Decimal(0), c) for c in "DE"]])[0]


def test_a_serialised_units_further_boxes_need_no_serial_of_their_own():
    """A serial partner's multi-box unit: its serial is the unit's, scanned on box 1; boxes 2..m (0 units) are not
    cartons of the line left unscanned (SHIPMENT_SERIALS_MISSING held such a shipment)."""
    from rules.shipments import serial_checks

    rows = [{"source_kind": "csv", "source_file": "w.csv", "row_number": k + 2, "shipment_id": "S1", "partner": "rh",
             "po_number": "PO-1", "line_id": "1", "sku": "HF-1001", "item_sku": "HF-1001", "quantity": Decimal(q),
             "carton_id": f"C{k}", "box_number": box, "box_count": 3, "serial_numbers": serial}
            for k, (q, box, serial) in enumerate(((1, 1, "SF-0001"), (0, 2, None), (0, 3, None)))]
    lines = to_table(rows)
    lines = lines.append_column("item_sku", lines["sku"]).append_column("line_eaches", pa.array([1, 1, 1]))
    assert serial_checks(lines, {"rh": 30}, {"HF-1001"}) == []
    missing = serial_checks(lines.slice(0, 2).set_column(lines.schema.get_field_index("box_number"), "box_number",
                                                         pa.array([1, None], pa.int32())), {"rh": 30}, {"HF-1001"})
    assert [f.code for _i, f in missing] == ["SHIPMENT_SERIALS_MISSING"]  # an ordinary row of 0 still is one


@pytest.mark.slow
def test_the_gx_suite_takes_a_further_box_shipping_0_as_the_plain_checks_do():
    from rules.shipments import gx_shipment_findings

    lines, _found = _lines("S1,2026-12-04,PO-1,1,HF-1001,1,EA,C1,1,2\n"
                           "S1,2026-12-04,PO-1,1,HF-1001,0,EA,C2,2,2\n")
    assert [f.code for f in gx_shipment_findings(lines)] == []
    lines, _found = _lines("S1,2026-12-04,PO-1,1,HF-1001,-1,EA,C1,,\n")
    assert [f.code for f in gx_shipment_findings(lines)] == ["SHIPMENT_QTY_NOT_POSITIVE"]


def test_a_multi_box_setting_that_is_none_of_its_choices_is_refused_when_the_profile_loads():
    from pydantic import ValidationError

    from schemas.fulfilment import AsnSettings

    assert AsnSettings().multi_box == "each" and AsnSettings().pack_td1 is False  # every existing 856 unchanged
    with pytest.raises(ValidationError, match="'each' or 'first'"):
        AsnSettings(multi_box="every")
