"""Metals service centers, chemical and plastics-resin distributors, in the shapes the trades' 850 4010s use (no
buyer's own 850 guide was found in the public corpus: the shapes are the trades' common ones; steel is priced per
hundred pounds, resin per pound): tests/fixtures/rg59/ holds each one's profile, reference rows, stock, 850s and the
east DC's confirmation of what shipped (the rg2 DC). Ryerson (a mill order from its DUNS: hot-rolled sheets ordered
by the pound at a price per hundred pounds, PO103 LB with PO105 HP, of an item sold by the sheet; cold-finished bars
by the piece at a price per pound, PC with PP, billed by the weight shipped; plate by the piece; each line's size in
MEA PD TH / WD / LN / DI and grade in PID; mill test reports asked for in an N9 / MSG); Univar Solutions (caustic
soda and sulfuric acid by the drum, DR, and the tote, TE, PO4 with the gallons; each line hazardous, TD4 HM D 8; a
returnable-container deposit charged per drum and tote, line SAC C at a rate per DR / TE, SAC12 06, billed on the
810; a certificate of analysis asked for per line, MSG; a delivery window DTM 064 / 063); Nexeo Plastics (resin by
the pound at a price per pound of an item sold by the 55 lb bag, PO4 of the bag; a gaylord by the kilogram at a
price per kilogram; a bulk resin sold by the pound itself ordered by the hundredweight, PO103 CW, at a price per
CW, by bulk truck; lot numbers and a COA asked for in an N9 / MSG). One night takes them all: inspect, the 997s
and 855s, then the 856s and 810s, checked by our validator, Bots and pyx12."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

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
    variant_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg59"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"ryerson": {"RY4500918": 3}, "univar": {"UV7120045": 3}, "nexeo": {"NX26112407": 3}}
# inspect and the night tell: the mill-cert, COA and lot notes (no document of ours carries them), Univar's deposits
# (carried on its 810s, po_allowances 06), the price per hundred pounds restated per pound, the lines by weight
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED"}
NIGHT_NOTED = {"ASN_LATE", "NOTES_NOT_KEPT", "SAC_NOT_APPLIED", "PRICE_BASIS_CONVERTED", "CATCH_WEIGHT_LINE",
               "SHIPMENT_UNIT_CONVERTED"}


# the partners' ISA/GS senders, for the 860s the tests below drop
_SENDERS = {"ryerson": ("01", "006123456"), "univar": ("ZZ", "UNIVARUSA")}


def _changed_night(tmp_path, partner: str, po_file: str, poc: str, control: int, swap: tuple[bytes, bytes] = ()):
    """A workspace of ``partner``'s PO ``po_file`` (its line rewritten by ``swap``: old, new) taken on NIGHT, then an
    860 changing it by ``poc`` (control number ``control``) taken the next morning."""
    import shutil

    from tests.retailer_support import recounted
    from tests.support import run_stages

    fixtures = FIXTURES
    if swap:
        fixtures = tmp_path / "rg59"
        shutil.copytree(FIXTURES, fixtures)
        po = fixtures / "drops" / partner / po_file
        po.write_bytes(recounted(po.read_bytes().replace(*swap)))
    ws = of_its_own(fixtures, tmp_path / "ws", {partner: [po_file]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    qualifier, sender = _SENDERS[partner]
    po_number = po_file.rsplit("-", 1)[1].removesuffix(".x12")
    body = ["ST*860*0001", f"BCH*04*SA*{po_number}**1*20261124", poc, "CTT*1", "SE*5*0001"]
    (ws.drop_root / partner / "inbox" / "change.x12").write_text(
        f"ISA*00*          *00*          *{qualifier}*{sender:<15}*ZZ*ORDERBRIDGE    *261126*0800*U*00401*"
        f"{control:09d}*0*P*>~GS*PC*{sender}*ORDERBRIDGE*20261126*0800*{control}*X*004010~"
        + "".join(seg + "~" for seg in body) + f"GE*1*{control}~IEA*1*{control:09d}~")
    run_stages(ws, datetime(2026, 11, 26, 9))
    return ws



@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg59") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)
    # a price per hundred pounds told as what it is: per pound, never per the sheet the line was taken in as
    assert [m for c, _s, _po, m in found if c == "PRICE_BASIS_CONVERTED"] == [
        "PO104 52.75 with PO105 HP is the price of 100 LB: taken as 0.5275 per LB, exactly; our 855 and 810 state "
        "it per LB (PO105/IT105 PP)."]


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # Ryerson: the sheets by the pound answered per pound (PP: 0.5275 is no price per each), billed by the weight
    # shipped as the bars are; the plate by the piece
    ack = po_segments(segments(ws, "ryerson", "855"), "RY4500918", "BAK")
    assert ["PO1", "1", "4900", "LB", "0.5275", "PP", "VN", "RG59-01"] in ack
    assert ["ACK", "IA", "4900", "LB", "068", "20261125"] in ack
    inv = po_segments(segments(ws, "ryerson", "810"), "RY4500918", "BIG")
    assert [s[:6] for s in inv if s[0] == "IT1"] == [["IT1", "1", "4872", "LB", "0.5275", "PP"],
                                                     ["IT1", "2", "2571.6", "LB", "1.18", "PP"],
                                                     ["IT1", "3", "3", "PC", "1626.97", ""]]
    assert ["TDS", "1048538"] in inv  # 4872 x 0.5275 + 2571.6 x 1.18 + 3 x 1626.97
    # Univar: every drum and tote hazardous on the 856, the deposits billed per container on the 810
    asn = po_segments(segments(ws, "univar", "856"), "UV-SHP-01", "BSN")
    assert sum(s == ["TD4", "HM", "D", "8"] for s in asn) == 3
    inv = po_segments(segments(ws, "univar", "810"), "UV7120045", "BIG")
    assert ["SAC", "C", "ZZZZ", "", "", "32000", "", "", "40", "DR", "8", "", "06", "", "", "RETURNABLE DRUM DEPOSIT"] \
        in inv and ["TDS", "945200"] in inv  # 8 x 412.50 + 2 x 1870 + 4 x 398 + 320 + 500 deposits
    # Nexeo: bags by the pound, the gaylords by the kilogram weighed, the bulk resin by the hundredweight as ordered
    inv = po_segments(segments(ws, "nexeo", "810"), "NX26112407", "BIG")
    assert [s[:6] for s in inv if s[0] == "IT1"] == [["IT1", "1", "44000", "LB", "0.92", "PP"],
                                                     ["IT1", "2", "4012", "KG", "2.05", "PK"],
                                                     ["IT1", "3", "420", "CW", "87", ""]]
    assert ["ACK", "IA", "420", "CW", "068", "20261125"] in segments(ws, "nexeo", "855")


def test_an_860_raising_the_sheets_by_the_pound_at_a_price_per_hundred_is_answered_per_pound(tmp_path):
    """Ryerson raises its sheets to 5880 LB at the same 52.75 per hundred pounds (POC QI, PO105 HP): the 865 echoes it
    per pound, 0.5275 PP, as its 855 and 810 state the line (the 860 reader restated it PE, per each)."""
    ws = _changed_night(tmp_path, "ryerson", "ryerson-850-RY4500918.x12", "POC*1*QI*5880**LB*52.75*HP*VN*RG59-01",
                        5902)
    answer = segments(ws, "ryerson", "865")
    assert ["POC", "1", "QI", "5880", "", "LB", "0.5275", "PP", "VN", "RG59-01"] in answer
    assert [s[:4] for s in answer if s[0] == "ACK"] == [["ACK", "IQ", "5880", "LB"]]


def test_a_plate_ordered_by_the_hundredweight_is_taken_as_whole_plates(tmp_path, maps):  # noqa: F811
    """98 CW at 49.80 per CW of a plate sold by the piece (3,267 LB each, items.csv): 9800 LB at 0.498 per LB (code
    list 639 has no price per hundredweight), taken as 3 whole plates billed by the weight shipped, as the sheets by
    the pound are (rules.business.by_weight.as_cases)."""
    ws, found, states = variant_night(
        FIXTURES, "ryerson", "RY4500918", tmp_path, [(b"PO1*3*3*PC*1626.97**", b"PO1*3*98*CW*49.8**")],
        warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY,
        shipped_swaps=[("RG59-03,3,PC,RY-B3,9830,LB,,,", "RG59-03,3,EA,RY-B3,9830,LB,,9814,LB")])
    assert states == {("ryerson", "RY4500918"): "invoiced"}
    assert "UNIT_NOT_CONVERTIBLE" not in {c for c, *_ in found}
    assert [m for c, _s, _po, m in found if c == "PRICE_BASIS_CONVERTED"][1:] == [
        "PO102 98 CW at PO104 49.8 per CW is 9800 LB (100 LB a CW) at 0.498 per LB, exactly (code list 639 has no "
        "price per CW); our 855 and 810 state it per LB (PO105/IT105 PP)."]
    ack = po_segments(segments(ws, "ryerson", "855"), "RY4500918", "BAK")
    # answered per pound; 3 whole plates are 9801 LB, not the 9800 ordered: IQ
    assert ["PO1", "3", "9800", "LB", "0.498", "PP", "VN", "RG59-03"] in ack
    assert ["ACK", "IQ", "9801", "LB", "068", "20261125"] in ack
    asn = po_segments(segments(ws, "ryerson", "856"), "RY-SHP-01", "BSN")
    assert ["SN1", "", "3", "EA", "", "3", "EA"] in asn
    inv = po_segments(segments(ws, "ryerson", "810"), "RY4500918", "BIG")
    assert [s[:6] for s in inv if s[0] == "IT1"][2] == ["IT1", "3", "9814", "LB", "0.498", "PP"]
    assert ["TDS", "1049184"] in inv  # 4872 x 0.5275 + 2571.6 x 1.18 + 9814 x 0.498 (the net weight shipped)
    (tmp_path / "checked").mkdir()
    all_sent_accepted(ws, {"ryerson": {"RY4500918": 3}}, tmp_path / "checked", maps, shipments=1, answers=1)


@pytest.mark.parametrize(("gallons", "status", "told"), [
    ("220", "IA", "4 DR"), ("230", "IQ", "4.18 DR, taken as the nearest whole, 4 DR")])
def test_sulfuric_acid_ordered_in_gallons_of_55_gallon_drums_is_taken_as_drums(
        tmp_path, maps, gallons, status, told):  # noqa: F811
    """220 GA at 7.2363 per GA of an acid sold by the 55-gallon drum, its PO4 stating the drum (PO4*1*55*GA): 4 whole
    drums at 397.9965 per drum (exactly 55 x 7.2363), answered in gallons as sent, shipped and billed by the drum;
    230 GA is 4.18 drums, taken as the nearest whole (4 DR, 220 GA: IQ), as a line by weight is."""
    ws, found, states = variant_night(
        FIXTURES, "univar", "UV7120045", tmp_path, [(b"PO1*3*4*DR*398**", f"PO1*3*{gallons}*GA*7.2363**".encode())],
        warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY)
    assert states == {("univar", "UV7120045"): "invoiced"}
    assert "UNIT_NOT_CONVERTIBLE" not in {c for c, *_ in found}
    assert [m for c, _s, _po, m in found if c == "PRICE_BASIS_CONVERTED"] == [
        f"PO102 {gallons} GA at PO104 7.2363 per GA is {told} of 55 GA (its PO4), at 397.9965 per DR, exactly; our "
        "855 answers it in GA as sent, our 856 and 810 in DR at that price."]
    ack = po_segments(segments(ws, "univar", "855"), "UV7120045", "BAK")
    assert ["PO1", "3", gallons, "GA", "7.2363", "", "VN", "RG59-13", "BP", "100051107"] in ack
    assert [s for s in ack if s[0] == "ACK"][2] == ["ACK", status, "220", "GA", "068", "20261125"]
    asn = po_segments(segments(ws, "univar", "856"), "UV-SHP-01", "BSN")
    assert [s for s in asn if s[0] == "SN1"][2] == ["SN1", "", "4", "DR", "", "4", "DR"]
    inv = po_segments(segments(ws, "univar", "810"), "UV7120045", "BIG")
    assert [s[:6] for s in inv if s[0] == "IT1"][2] == ["IT1", "3", "4", "DR", "397.9965", ""]
    assert ["TDS", "945199"] in inv  # 8 x 412.50 + 2 x 1870 + 4 x 397.9965 + 320 + 500 deposits
    (tmp_path / "checked").mkdir()
    all_sent_accepted(ws, {"univar": {"UV7120045": 3}}, tmp_path / "checked", maps, shipments=1, answers=1)


def test_a_line_in_the_measure_its_po4_states_the_pack_in_is_told_as_packs_of_it() -> None:
    # the message of such a line where it is not taken in (a check of its quantities alone, as an order taken in before
    # as_cases took volumes): PO4*1*55*GA is one drum of 55 GA, not "a GA holds 1 eaches (PO401 1)"
    from decimal import Decimal

    from rules.business import check_quantities
    from schemas.rule_settings import RuleSettings
    from tests.business.tables import line, lines_table, reference

    gallons = line(unit="GA", quantity=Decimal(220), po4_pack=1, po4_size=Decimal(55), po4_size_unit="GA")
    [f] = check_quantities(lines_table(gallons), reference(), RuleSettings())
    assert f.code == "UNIT_NOT_CONVERTIBLE"
    assert f.message.endswith("PO4 says one pack holds 55 GA (PO401 1 x PO402 55 GA): 4 of them; a line in a volume "
                              "is taken in as whole packs of its PO4 only of an item sold by that pack (items.csv "
                              "case_pack 1) at a price per GA that is exact per pack to 4 places, PO105 none or per "
                              "each, in an order taken in since that was so.")


def test_an_860_raising_the_gallons_of_drums_is_answered_in_gallons_and_taken_as_drums(tmp_path):
    """Univar raises its 220 GA of acid in 55-gallon drums (taken as 4 DR at 397.9965) to 275 GA at the same 7.2363 per
    GA (POC QI): the 865 echoes it in gallons, the line is 5 DR at the same price per drum."""
    import pyarrow.parquet as pq

    ws = _changed_night(tmp_path, "univar", "univar-850-UV7120045.x12", "POC*3*QI*275**GA*7.2363**VN*RG59-13", 5903,
                        (b"PO1*3*4*DR*398**", b"PO1*3*220*GA*7.2363**"))
    answer = segments(ws, "univar", "865")
    assert ["POC", "3", "QI", "275", "", "GA", "7.2363", "", "VN", "RG59-13"] in answer
    assert [s[:4] for s in answer if s[0] == "ACK"] == [["ACK", "IQ", "275", "GA"]]
    stored = [r for f in sorted((tmp_path / "ws").rglob("*-5903-*.lines.parquet"))
              for r in pq.read_table(f).to_pylist() if r["line_number"] == 3]
    assert [(r["quantity"], r["unit"], r["unit_price"], r["weight_ordered"], r["weight_unit"]) for r in stored] == [
        (Decimal(5), "DR", Decimal("397.9965"), Decimal(275), "GA")]


def test_an_860_raising_the_plate_by_the_hundredweight_is_taken_per_pound(tmp_path, maps):  # noqa: F811
    """Ryerson raises its plate by the hundredweight (98 CW at 49.80, taken as 3 plates of 3,267 LB, 9,800 LB at 0.498
    PP) to 131 CW (POC*3*QI*131**CW*49.8): 13,100 LB, taken as intake takes the PO1, 4 whole plates (13,068 LB) at the
    same 0.498 per LB; the 865 echoes the POC as sent and answers in its unit, as a change in LB on a line taken by
    weight is answered in LB (130.68 CW: 4 plates; not the 131 CW asked, IQ). The next ship day's 856 ships 4 plates
    and the 810 bills the net weight shipped per pound."""
    import pyarrow.parquet as pq

    from tests.support import deliver_all, ship_stages

    ws = _changed_night(tmp_path, "ryerson", "ryerson-850-RY4500918.x12", "POC*3*QI*131**CW*49.8**VN*RG59-03", 5902,
                        (b"PO1*3*3*PC*1626.97**", b"PO1*3*98*CW*49.8**"))
    copy = tmp_path / "rg59"
    answer = segments(ws, "ryerson", "865")
    assert [s for s in answer if s[0] in ("BCA", "POC", "ACK", "CTT")] == [
        ["BCA", "00", "AD", "RY4500918", "", "1", "20261124", "", "", "", "20261126", "20261124"],
        ["POC", "3", "QI", "131", "", "CW", "49.8", "", "VN", "RG59-03"], ["ACK", "IQ", "130.68", "CW"],
        ["CTT", "1", "131"]]
    stored = [r for f in sorted((tmp_path / "ws").rglob("*-5902-*.lines.parquet"))
              for r in pq.read_table(f).to_pylist() if r["line_number"] == 3]
    assert [(r["quantity"], r["unit"], r["unit_price"], r["price_basis"], r["weight_ordered"], r["weight_unit"],
             r["weight_basis_sent"]) for r in stored] == [
        (Decimal(4), "EA", Decimal("0.498"), "PP", Decimal(13100), "LB", "PP")]
    # the 4 plates shipped, 13,090 LB net
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    rows = (copy / "shipments" / "east-shipments-20261201.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    text = "".join(r for r in rows if r.startswith("Shipment ID") or ",RY4500918," in r)
    assert "RG59-03,3,PC,RY-B3,9830,LB,,," in text
    (inbox / "east-shipments-20261201.csv").write_text(
        text.replace("RG59-03,3,PC,RY-B3,9830,LB,,,", "RG59-03,4,EA,RY-B3,13120,LB,,13090,LB"), encoding="utf-8")
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    asn = po_segments(segments(ws, "ryerson", "856"), "RY-SHP-01", "BSN")
    assert ["SN1", "", "4", "EA", "", "4", "EA"] in asn
    inv = po_segments(segments(ws, "ryerson", "810"), "RY4500918", "BIG")
    assert [s[:6] for s in inv if s[0] == "IT1"][2] == ["IT1", "3", "13090", "LB", "0.498", "PP"]
    assert ["TDS", "1212329"] in inv  # 4872 x 0.5275 + 2571.6 x 1.18 + 13090 x 0.498 (the net weight shipped)
    (tmp_path / "checked").mkdir()
    all_sent_accepted(ws, {"ryerson": {"RY4500918": 3}}, tmp_path / "checked", maps, shipments=1, answers=1)
