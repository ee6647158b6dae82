"""Catalogue apparel, outdoor sporting goods, a grocery co-operative and a flooring retailer, as their public EDI
material (and, for flooring, the trade's usual shape) describes them: tests/fixtures/rg40/ holds each one's profile,
reference rows, stock, 850s written in its shapes and the east DC's confirmation of what shipped (the rg2 DC).
Lands' End (its 850 4010 guide: CUR, REF, FOB, ITD, DTM, TD5 and an N1 ST alone in the heading, the DC's address ours
from ship_tos.csv; per PO1 a DTM, TC2 the commodity code, TD5, N9 and the factory's N1 MF; it asks for a 997 and an
order status report, no 855); Sportsman's Warehouse (005010: CUR, REF DP/IA, PER BD, FOB PP, 2 % 30 net 60, DTM
010/001, TD5, an N9/MTX note, N1 ST/BT with addresses; PO1 UP/VN/IN or UK/VN/IN with CTP RS RES, PID, PO4, a line in
cases); Associated Wholesale Grocers (005010 from its DUNS, its division's DC by DUNS+suffix N1 ST 9 which its
invoices must carry back; PER BD, 1 % 10 net 30, DTM 002; lines by case GTIN-14 with PID, PO4 and a line allowance
off invoice; its retail 810 guide: BIG, one REF, the N1 alone, one ITD and one DTM; IT1, PID, PO4; TDS, ISS, CTT);
L.L.Bean (REF DP/IA, net 45, a ship window DTM 037/038, TD5, its Freeport DC with address and N1 BY; PO1 by its item
number IN, our style VA and the UPC, a line's colour BO and size IZ); Floor & Decor (tile by the square foot, PO103
SF with PO4 the square feet a carton covers, beside a line in eaches; N1 ST/BT with addresses, net 60, DTM
010/001). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator,
Bots and pyx12."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg40"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"landsend": {"LE4471208": 2}, "sportsmans": {"SW2026118804": 2}, "awg": {"AW66120417": 2},
       "llbean": {"LB3308817": 2}, "flooranddecor": {"FD77120458": 2}}
NO_855 = ("landsend",)  # its guide asks for the 997 and an 870, no 855
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED"}  # Lands' End's N9 L1 line notes, Sportsman's N9/MTX; AWG's allowance
# the confirmations arrive hours after the trucks left
NIGHT_NOTED = NOTED | {"ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg40") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED, no_855=NO_855)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=4)


def test_each_buyer_answered_to_its_own_envelope(night):
    ws, _found, _states = night
    # AWG's DUNS (ISA qualifier 01) and Sportsman's network id answered in 005010 (ISA11 ^, AK103)
    awg = segments(ws, "awg", "997")
    assert awg[0][7:9] == ["01", "007136742      "] and awg[0][11:13] == ["^", "00501"]
    assert ["AK1", "PO", "661204", "005010"] in awg
    assert ["AK1", "PO", "261188", "005010"] in segments(ws, "sportsmans", "997")
    assert ["AK1", "PO", "447120"] in segments(ws, "landsend", "997")


def test_awgs_810_is_the_heading_its_retail_guide_lists_with_its_dc_by_duns_and_suffix(night):
    """AWG's retail 810 (5010): BIG, one REF, the N1 loop as N1 alone, one ITD, one DTM; IT1 and PID; TDS and CTT.
    Its DCs are named by DUNS plus a ship-to suffix (N1 ST 9), sent on the PO and to be returned on the invoice:
    its payables route the invoice by it. The line allowance (SAC12 02, off invoice) is AWG's to take: its 810
    guide lists no SAC, so none is billed (SAC_NOT_APPLIED told ops at intake)."""
    ws, found, _states = night
    inv = po_segments(segments(ws, "awg", "810"), "AW66120417", "BIG")
    assert [s[0] for s in inv] == ["BIG", "REF", "N1", "ITD", "DTM", "IT1", "PID", "IT1", "PID", "TDS", "CTT"]
    assert inv[1:4] == [["REF", "IA", "AWG40218"], ["N1", "ST", "AWG KANSAS CITY DIVISION", "9", "0071367420017"],
                        ["ITD", "01", "3", "1", "", "10", "", "30"]]
    assert ["TDS", "144150"] in inv  # 40 x 18.60 + 25 x 27.90
    assert ["N1", "ST", "AWG KANSAS CITY DIVISION", "9", "0071367420017"] in segments(ws, "awg", "856")
    assert [f[0] for f in found if f[2] == "AW66120417" and f[0] != "ASN_LATE"] == ["SAC_NOT_APPLIED"]
    # the cases acknowledged and shipped as ordered, by the case GTIN-14 the PO sent first
    ack = po_segments(segments(ws, "awg", "855"), "AW66120417", "BAK")
    assert [s[1:] for s in ack if s[0] == "PO1"][0] == ["1", "40", "CA", "18.6", "", "UK", "10614141509017", "UP",
                                                        "614141509010", "VN", "AW-301"]


def test_lands_end_gets_no_855_and_its_dc_address_from_our_reference(night):
    """Lands' End's 850 names its DC by N1 ST alone (its heading N1 loop lists no N3/N4); the 856 carries the
    address from ship_tos.csv ([fulfilment] ship_to_address_from_reference). Its guide asks for the 997 and an 870,
    no 855: none is sent (the sweep's profile receives neither; its night answered by the 870 is tested below)."""
    ws, _found, _states = night
    assert not list((ws.drop_root / "landsend" / "outbox").glob("landsend-855-*"))
    asn = po_segments(segments(ws, "landsend", "856"), "LE-SHP-01", "BSN")
    at = asn.index(["N1", "ST", "LANDS END DISTRIBUTION CENTER", "92", "DC01"])
    assert asn[at + 1:at + 3] == [["N3", "1 Lands End Ln"], ["N4", "Dodgeville", "WI", "53595", "US"]]
    inv = po_segments(segments(ws, "landsend", "810"), "LE4471208", "BIG")
    assert ["REF", "DP", "214"] in inv and ["ITD", "01", "3", "", "", "", "", "60"] in inv
    assert ["TDS", "375600"] in inv  # 120 x 18.50 + 48 x 32.00


def test_colour_size_terms_and_ship_windows_as_ordered(night):
    ws, _found, _states = night
    # L.L.Bean's line by its item number, our style (VA), its colour (BO) and size (IZ) and the UPC, on each document
    pairs = ["IN", "TA288031", "VA", "LB-402", "BO", "NAVY", "IZ", "M"]
    ack = po_segments(segments(ws, "llbean", "855"), "LB3308817", "BAK")
    assert ["PO1", "2", "60", "EA", "19.5", "", *pairs, "UP", "614141510016"] in ack
    assert ["DTM", "068", "20261201"] in ack  # its ship window opens Dec 1 (DTM 037)
    assert ["LIN", "2", "UP", "614141510016", *pairs] in segments(ws, "llbean", "856")
    inv = po_segments(segments(ws, "llbean", "810"), "LB3308817", "BIG")
    assert ["IT1", "2", "60", "EA", "19.5", "", *pairs, "UP", "614141510016"] in inv
    assert ["ITD", "01", "3", "", "", "", "", "45"] in inv and ["TDS", "192600"] in inv
    # Sportsman's: 2 % 30 net 60 and its cases as ordered; its 855 ships no earlier than its DTM 010
    inv = po_segments(segments(ws, "sportsmans", "810"), "SW2026118804", "BIG")
    assert ["ITD", "01", "3", "2", "", "30", "", "60"] in inv and ["TDS", "333600"] in inv  # 24 x 64 + 10 x 180
    ack = po_segments(segments(ws, "sportsmans", "855"), "SW2026118804", "BAK")
    assert [s[1:] for s in ack if s[0] == "ACK"] == [["IA", "24", "EA", "068", "20261130"],
                                                    ["IA", "10", "CA", "068", "20261130"]]


def test_notes_an_n9_says_in_itself_are_passed_on_not_dropped(tmp_path):
    """Lands' End's 850 puts an N9 in each PO1 loop: packing instructions as an N9 L1 (Letters or Notes) whose
    note is the N9 itself, in N903, its free-form description ("N9*L1*PACKING*FOLDED AND POLYBAGGED", "N9*L1**ON
    HANGERS"), no MSG after it. Only MSG and MTX texts were quoted as notes, so these were dropped without a word
    and the goods shipped flat. Now an N9 L1 with an N903 and no MSG/MTX in its loop is quoted with the notes
    (NOTES_NOT_KEPT), with its line; an N9 L1 with its MSG stays that message's title (Sportsman's N9/MTX), and one
    with N902 alone is a title whose messages were left out, no note."""
    from tests.retailer_support import inspected

    sent = FIXTURES / "drops" / "landsend" / "landsend-850-LE4471208.x12"
    seen = inspected(sent)
    assert [(f["code"], f["severity"], f["message"]) for f in seen["findings"]] == [(
        "NOTES_NOT_KEPT", "warning", "The PO carries notes no order, 855, 856 or warehouse order of ours carries: "
        "(line 1) 'N9 L1 PACKING FOLDED AND POLYBAGGED'; (line 2) 'N9 L1 ON HANGERS'. Pass them on to whoever must "
        "act on them.")]
    seen = inspected(FIXTURES / "drops" / "sportsmans" / "SWH850_SW2026118804.x12")
    assert [f["message"] for f in seen["findings"]] == [
        "The PO carries notes no order, 855, 856 or warehouse order of ours carries: (N9 L1 GENERAL NOTES) 'ALL "
        "CARTONS MUST CARRY GS1-128 LABELS'. Pass them on to whoever must act on them."]
    titles = tmp_path / sent.name
    titles.write_bytes(sent.read_bytes().replace(b"N9*L1*PACKING*FOLDED AND POLYBAGGED~", b"N9*L1*PACKING~")
                       .replace(b"N9*L1**ON HANGERS~", b"N9*L1*PACKING~"))
    assert inspected(titles)["findings"] == []


def test_tile_by_the_square_foot_is_acknowledged_shipped_and_billed_in_square_feet(night):
    """Floor & Decor orders tile by the square foot (PO103 SF; its PO4*1*15.5*SF: a carton covers 15.5). Our item
    master sells the tile by the square foot (items.csv unit SF): 1085 SF (70 cartons) acknowledged, shipped and
    billed in SF at 1.89, beside the kits in eaches."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "flooranddecor", "855"), "FD77120458", "BAK")
    assert [s[1:] for s in ack if s[0] == "ACK"] == [["IA", "1085", "SF", "068", "20261201"],
                                                    ["IA", "40", "EA", "068", "20261201"]]
    asn = po_segments(segments(ws, "flooranddecor", "856"), "FD-SHP-01", "BSN")
    assert [s[1:] for s in asn if s[0] == "SN1"] == [["", "1085", "SF", "", "1085", "SF"],
                                                    ["", "40", "EA", "", "40", "EA"]]
    inv = po_segments(segments(ws, "flooranddecor", "810"), "FD77120458", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "1085", "SF", "1.89"], ["2", "40", "EA", "24.5"]]
    assert ["TDS", "303065"] in inv  # 1085 x 1.89 + 40 x 24.50


def _tile_night(tmp_path, square_feet: int, po4: bytes = b"PO4*1*15.5*SF"):
    """The night of Floor & Decor's PO alone, its tile line ordered in ``square_feet`` with ``po4`` (the east DC
    ships 1085: 70 cartons of 15.5)."""
    import shutil

    fixtures = tmp_path / "rg40"
    shutil.copytree(FIXTURES, fixtures)
    for partner in POS:
        if partner != "flooranddecor":
            shutil.rmtree(fixtures / "drops" / partner)
    po = fixtures / "drops" / "flooranddecor" / "FND850_FD77120458.x12"
    po.write_bytes(po.read_bytes().replace(b"PO1*1*1085*SF", f"PO1*1*{square_feet}*SF".encode())
                   .replace(b"CTT*2*1125", f"CTT*2*{square_feet + 40}".encode()).replace(b"PO4*1*15.5*SF", po4))
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text("".join(r for r in rows if r.startswith(("Shipment ID", "FD-SHP-01"))), encoding="utf-8")
    return shipped_night(of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY,
                         messages=True)


def test_square_feet_that_are_no_whole_carton_are_flagged(tmp_path):
    """Floor & Decor's PO4*1*15.5*SF says a carton covers 15.5 square feet; 1090 SF is 70.32 cartons. Our item
    master counts whole eaches (no case pack of 15.5 SF), so nothing told: the line was acknowledged IA and 1085
    shipped, 5 SF left open for ever without a word. A line in a unit of measure whose PO4 measures its pack in that
    unit is rounded to whole packs of the PO's own size as to whole case packs (CASE_PACK_ROUNDED, by the profile's
    case_pack_policy: round_down here), the message naming the packs; PO4_SIZE_NOT_WHOLE (the warning that used to
    take it as ordered) is then not raised. The night's 1085 SF (70 cartons) raises nothing."""
    ws, found, states = _tile_night(tmp_path, 1090)
    assert [f for f in found if f[0] not in ("ASN_LATE",)] == [(
        "CASE_PACK_ROUNDED", "warning", "FD77120458", "1090 SF of item FD-501 is 70.32 of the PO's packs of 15.5 SF "
        "(PO4 PO401 1 x PO402 15.5 SF): we ship, acknowledge and invoice whole packs (in whole SF); acknowledged as "
        "1085 SF.")]
    # PO401 is optional: a PO4 of the size alone is one such pack
    _ws, found, _states = _tile_night(tmp_path / "size-alone", 1090, b"PO4**15.5*SF")
    assert [f[3] for f in found if f[0] in ("CASE_PACK_ROUNDED", "PO4_SIZE_NOT_WHOLE")] == [
        "1090 SF of item FD-501 is 70.32 of the PO's packs of 15.5 SF (PO4 PO402 15.5 SF): we ship, acknowledge and "
        "invoice whole packs (in whole SF); acknowledged as 1085 SF."]


def test_square_feet_that_are_no_whole_carton_are_rounded_to_whole_cartons(tmp_path):
    """1090 SF of tile in cartons of 15.5 SF (PO4*1*15.5*SF) is rounded to whole cartons by the PO's own PO4 size
    (our item master holds no pack of 15.5 SF): 855 IQ 1085 SF (70 cartons; the profile rounds down), the east DC's
    1085 SF shipped (856) and billed (810), and the order completes (it used to stay partially_shipped, 5 SF open
    for ever)."""
    ws, found, states = _tile_night(tmp_path, 1090)
    assert [f[0] for f in found if f[0] not in ("ASN_LATE",)] == ["CASE_PACK_ROUNDED"]
    ack = po_segments(segments(ws, "flooranddecor", "855"), "FD77120458", "BAK")
    assert [s[1:4] for s in ack if s[0] == "ACK"] == [["IQ", "1085", "SF"], ["IA", "40", "EA"]]
    asn = po_segments(segments(ws, "flooranddecor", "856"), "FD-SHP-01", "BSN")
    assert [s[1:] for s in asn if s[0] == "SN1"] == [["", "1085", "SF", "", "1090", "SF"],  # SN105: as ordered
                                                    ["", "40", "EA", "", "40", "EA"]]
    inv = po_segments(segments(ws, "flooranddecor", "810"), "FD77120458", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "1085", "SF", "1.89"], ["2", "40", "EA", "24.5"]]
    assert ["TDS", "303065"] in inv
    assert states == {("flooranddecor", "FD77120458"): "invoiced"}


def test_lands_end_is_answered_by_an_870_order_status_report(tmp_path, maps):  # noqa: F811
    """Lands' End's 850 guide asks, on each PO, for the 997 and "a detail level acknowledgement (870)" where
    others take an 855. There was no 870 writer: a profile's receives listed no "870" and Lands' End got no
    acknowledgment at all. Now receives = ["997", "870", "856", "810"] answers each PO with an X12 870 Order
    Status Report (engine.order_status) built from the decision an 855 tells: BSR 2 PA with the PO number and
    the day, the order level (HL O) with the PO's PRF, per line an item level (HL I, child of the order) with
    its PO1 as ordered and an ISR: AS (available now, scheduled to ship) on the line's ship day (its DTM 010: Dec 1
    and Dec 3, the ACK 068 an 855 would date) for a line it would acknowledge IA; CTT. No 855 is sent; the night
    goes on to the 856 and 810. The 870 is numbered and enveloped as the 855 (GS RS) and passes our validator,
    Bots and pyx12; the order's status and history say it was answered by the 870."""
    import json
    import shutil

    from typer.testing import CliRunner

    from flows.cli import app
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check
    from tests.test_pyx12_outbound import pyx12_accepts

    fixtures = tmp_path / "rg40"
    shutil.copytree(FIXTURES, fixtures)
    for partner in POS:
        if partner != "landsend":
            shutil.rmtree(fixtures / "drops" / partner)
    toml = fixtures / "partners" / "landsend.toml"
    text = toml.read_text(encoding="utf-8")
    assert 'receives = ["997", "856", "810"]' in text
    toml.write_text(text.replace('receives = ["997", "856", "810"]', 'receives = ["997", "870", "856", "810"]'),
                    encoding="utf-8")
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text("".join(r for r in rows if r.startswith(("Shipment ID", "LE-SHP-01"))), encoding="utf-8")
    ws, found, states = shipped_night(of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES), fixtures,
                                      NIGHT, SHIP_DAY, messages=True)
    assert states == {("landsend", "LE4471208"): "invoiced"}
    assert {f[0] for f in found} <= NIGHT_NOTED
    outbox = ws.drop_root / "landsend" / "outbox"
    assert not list(outbox.glob("landsend-855-*"))
    kinds = sorted(p.name.split("-")[1] for p in outbox.glob("landsend-*.x12"))
    assert kinds == ["810", "856", "870", "997"]
    report = segments(ws, "landsend", "870")
    assert report[1][:2] == ["GS", "RS"] and report[2][:2] == ["ST", "870"]
    at = next(k for k, s in enumerate(report) if s[0] == "BSR")
    body = report[at:next(k for k, s in enumerate(report) if s[0] == "SE")]
    assert body[0][:4] == ["BSR", "2", "PA", "LE4471208"]
    assert body[1:] == [
        ["HL", "1", "", "O"], ["PRF", "LE4471208", "", "", "20261124"],
        ["HL", "2", "1", "I"], ["PO1", "1", "120", "EA", "18.5", "", "IN", "4471001", "VN", "LE-101", "UP",
                                "614141507009"], ["ISR", "AS", "20261201"],
        ["HL", "3", "1", "I"], ["PO1", "2", "48", "EA", "32", "", "IN", "4471002", "VN", "LE-102", "UP",
                                "614141507016"], ["ISR", "AS", "20261203"],
        ["CTT", "2", "168"]]
    content = next(outbox.glob("landsend-870-*.x12")).read_bytes()
    assert [f for f in validate_outbound(content) if f.severity == "error"] == []
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors
    ok, ack = pyx12_accepts(content.decode(), maps)
    assert ok, ack[:800]
    result = CliRunner().invoke(app, ["status", "LE4471208", "-w", str(ws.root), "--json"])
    assert result.exit_code == 0, result.output
    told = json.loads(result.output)
    assert (told["order"]["answered_with"], told["order"]["ack_type"]) == ("870", "AD")
    # numbered with the partner's other documents, one interchange each, in the order sent
    assert [(d["type"], d["isa13"], d["status"]) for d in told["documents"]] == [
        ("997", "000000001", "delivered"), ("870", "000000002", "delivered"), ("856", "000000003", "delivered"),
        ("810", "000000004", "delivered")]
    assert report[0][13] == "000000002"
    acked = [e for e in told["history"] if e["event"] == "acknowledged"]
    assert [(e["note"], e["to_state"]) for e in acked] == [("870 AD", "acknowledged")]
