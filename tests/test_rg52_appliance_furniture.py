"""Appliance, home electronics and furniture retailers buying by X12 850, in the shapes their public EDI material
describes (tests/fixtures/rg52/ holds each one's profile, reference rows, stock, 850s and the east DC's confirmation
of what shipped; the rg2 DC). Conn's HomePlus's drop-ship orders (004010, BEG02 DS) for appliances delivered to the
consumer's home: the consumer as N1*ST with no id, N3/N4 and a PER IC phone; a delivery appointment (DTM 002 with a
time, a window of hours DTM 064 / 063); its home-delivery fleet in TD5; installation and haul-away charges as heading
SACs (SAC12 06); lines by our number with the maker's model (MG) and the UPC; its 856 names each unit's serial
number. Nebraska Furniture Mart's stock orders to its warehouse (ISA 01 DUNS, freight collect FOB CC OR, 2 % 10 net
60, ship and cancel dates; a floor-model order told in N9 L1 / MSG; lines by the maker's model first, MG, then ours,
VN, and the UPC, or its own item, IN; PO4 per line). Rooms To Go's orders to its distribution centre (routed carrier,
freight collect; a sofa in 2 cartons, a bed in 3; lines VN / IN). One night takes them all: inspect, the 997s and
855s, then the 856s and 810s, checked by our validator, Bots and pyx12."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    inspected,
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

FIXTURES = REPO / "tests" / "fixtures" / "rg52"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"conns": {"CN5201120": 2}, "nfm": {"NF5202120": 3}, "roomstogo": {"RT5203120": 3}}
NOTED = {"SAC_NOT_APPLIED", "NOTES_NOT_KEPT", "HEADING_DATES_NOT_APPLIED"}
NIGHT_NOTED = {"ASN_LATE", *NOTED}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg52") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, found, _states = night
    # Conn's: the consumer's home as the 856's and 810's ship-to, each appliance's serial number under its item;
    # the installation and haul-away charges billed on the 810 (po_allowances 06), in its total
    asn = po_segments(segments(ws, "conns", "856"), "CN-SHP-01", "BSN")
    assert ["N1", "ST", "MARIA GONZALEZ"] in asn and ["N4", "HOUSTON", "TX", "77004", "US"] in asn
    assert [s[1:] for s in asn if s[0] == "REF" and s[1] == "SE"] == [["SE", "WRF25-SN0042177"],
                                                                       ["SE", "WFW56-SN0099310"]]
    assert ["LIN", "1", "UP", "614141552016", "VN", "RG52-01", "MG", "WRF555SDFZ"] in asn
    inv = po_segments(segments(ws, "conns", "810"), "CN5201120", "BIG")
    assert [s[1:] for s in inv if s[0] == "SAC"] == [
        ["C", "F050", "", "", "7500", "", "", "", "", "", "", "06", "", "", "INSTALLATION"],
        ["C", "F050", "", "", "2500", "", "", "", "", "", "", "06", "", "", "HAUL AWAY"]]
    assert ["TDS", "164800"] in inv  # 899 + 649 + 75 + 25
    # Nebraska Furniture Mart: the maker's model first, as sent, on the 855, 856 and 810; the floor-model order's
    # note told to ops (NOTES_NOT_KEPT)
    for kind, head in (("855", "BAK"), ("810", "BIG")):
        doc = po_segments(segments(ws, "nfm", kind), "NF5202120", head)
        assert [s[6:10] for s in doc if s[0] in ("PO1", "IT1")][:2] == [["MG", "QN65Q80D", "VN", "RG52-03"],
                                                                        ["MG", "KRMF706ESS", "VN", "RG52-04"]]
    [note] = [f[3] for f in found if f[0] == "NOTES_NOT_KEPT" and f[2] == "NF5202120"]
    assert "(N9 L1 FLOOR MODEL) 'DISPLAY UNIT FOR OMAHA SHOWROOM DO NOT SHIP TO CUSTOMER'" in note
    # Rooms To Go: its own item numbers carried back; a PO4 naming the cartons of a unit changes no quantity
    asn = po_segments(segments(ws, "roomstogo", "856"), "RT-SHP-01", "BSN")
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "VN", "RG52-06", "IN", "1451076"],
                                                       ["2", "VN", "RG52-07", "IN", "1451084"],
                                                       ["3", "VN", "RG52-08", "IN", "1451092"]]
    assert [s[1:] for s in asn if s[0] == "SN1"] == [["", "4", "EA", "", "4", "EA"], ["", "6", "EA", "", "6", "EA"],
                                                     ["", "2", "EA", "", "2", "EA"]]


def test_a_delivery_window_s_hours_are_told_to_ops(tmp_path):
    """Conn's books the consumer's delivery for a window of hours: DTM*064*20261203*0800 (do not deliver before)
    and DTM*063*20261203*1200 (do not deliver after). We keep those dates as days, so their hours were dropped
    without a word and a delivery at 16:00 that day met every date we kept. Now each is named with its hour
    (HEADING_DATES_NOT_APPLIED) for ops to pass on. A requested delivery's or ship date's time (DTM*002*...*0800,
    as grocery DCs' appointments come in several sweeps' fixtures) asks for no limit and stays unnamed."""
    path = next((FIXTURES / "drops" / "conns").iterdir())
    seen = inspected(path, NOTED)
    [words] = [f["message"] for f in seen["findings"] if f["code"] == "HEADING_DATES_NOT_APPLIED"]
    assert ("DTM 064 20261203 0800 (do not deliver before: its day kept, not its hour); "
            "DTM 063 20261203 1200 (do not deliver after: its day kept, not its hour)") in words
    bare = tmp_path / path.name  # the window sent as days alone, the requested delivery's time kept
    bare.write_bytes(path.read_bytes().replace(b"DTM*064*20261203*0800~", b"DTM*064*20261203~")
                     .replace(b"DTM*063*20261203*1200~", b"DTM*063*20261203~"))
    assert "HEADING_DATES_NOT_APPLIED" not in {f["code"] for f in inspected(bare, NOTED)["findings"]}


def test_a_sofa_in_two_cartons_lists_both_cartons_on_the_856(tmp_path):
    """Rooms To Go's sofa ships in 2 cartons, each labelled with its own SSCC: 4 sofas are 8 cartons, and its
    856's pack level is to list every carton the DC will scan. The DC's export has no box columns: it confirms
    each sofa's first carton with its unit and the second as a row of 0 units in a carton of its own. Such a row
    of a line that ships units on the same shipment is a further carton of them (box 2 of 2), no cut line: it
    used to be dropped (SHIPMENT_ROW_NOT_SHIPPED), the 856 naming 4 of the 8 sofa cartons and TD1 counting 6
    cartons of 1100 LB for 10 of 1400 LB."""
    row = "RT-SHP-01,2026-12-01,07:00,SAIA,,,BOL-RT,RT5203120,1,RG52-06,4,EA,RT-C1,600,LB,RT-P1,,\n"
    pieces = "".join(f"RT-SHP-01,2026-12-01,07:00,SAIA,,,BOL-RT,RT5203120,1,RG52-06,{q},EA,RT-C1{box}{k},75,LB,"
                     f"RT-P1,,\n" for k in range(1, 5) for box, q in (("A", 1), ("B", 0)))
    ws, found, states = variant_night(FIXTURES, "roomstogo", "RT5203120", tmp_path, shipped_swaps=[(row, pieces)],
                                      warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY)
    assert states == {("roomstogo", "RT5203120"): "invoiced"}
    assert not [f for f in found if f[0] in ("SHIPMENT_ROW_NOT_SHIPPED", "SHIPMENT_QTY_NOT_POSITIVE")
                or f[0].startswith("SHIPMENT_BOXES")]
    asn = po_segments(segments(ws, "roomstogo", "856"), "RT-SHP-01", "BSN")
    ssccs = [s[2] for s in asn if s[0] == "MAN"]
    assert len(ssccs) == len(set(ssccs)) == 10 and all(s[1] == "GM" for s in asn if s[0] == "MAN")
    assert ["TD1", "CTN25", "10", "", "", "", "G", "1400", "LB"] in asn
    # multi_box "each" (its profile's default): the sofa's item loop under each of its cartons, the unit on its
    # first carton and 0 on the second; SN1 counts the 4 sofas once, CTT02 every HL
    units = {}
    line = None
    for s in asn:
        if s[0] == "LIN":
            line = s[1]
        elif s[0] == "SN1":
            units.setdefault(line, []).append(s[2])
    assert units == {"1": ["1", "0"] * 4, "2": ["6"], "3": ["2"]}
    assert asn[-1][:2] == ["CTT", str(sum(s[0] == "HL" for s in asn))]
    # the 810 bills the 4 sofas once
    inv = po_segments(segments(ws, "roomstogo", "810"), "RT5203120", "BIG")
    assert [s[1:3] for s in inv if s[0] == "IT1"] == [["1", "4"], ["2", "6"], ["3", "2"]]


def test_a_variant_s_trailer_is_counted_again_and_nothing_else():
    """variant_night counted an 850's segments again into every "SE*<digits>*" of the file, so Nebraska Furniture
    Mart's ship-to, N1*ST*NFM OMAHA WAREHOUSE*92*0010 ("...HOUSE*92*"), became qualifier 28 in every variant of it,
    and its 810 named another ship-to. Only the trailer is counted now."""
    from tests.retailer_support import recounted

    data = next((FIXTURES / "drops" / "nfm").iterdir()).read_bytes()
    fewer = data.replace(b"PO4*1*1*EA~\n", b"", 1)
    assert recounted(fewer) == fewer.replace(b"SE*27*5202~", b"SE*26*5202~")
    assert b"N1*ST*NFM OMAHA WAREHOUSE*92*0010~" in recounted(fewer)
