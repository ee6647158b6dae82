"""Canadian hardware, book, discount and automotive chains, as their public EDI material describes them:
tests/fixtures/rg38/ holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's
confirmation of what shipped (the rg2 DC). Indigo Books & Music (POs numbered 45nnnnnnnn in its vendor's currency of
record, here USD, to its Canadian DCs named by SAN, N1*ST*..*15; lines in eaches by the 13-digit case UPC, EN, with
our part; the retail price for the sticker, CTP RS RES; PO4 outer pack in inner packs, PO414; INCO terms in FOB04/05;
a delivery date and a carrier hand-over date, DTM 002 / 118; a drop ship, BEG02 DS, to a customer's address); RONA
(004010 in CAD to its Boucherville DC and a British Columbia store; lines by UPC, mandatory, with our code and
RONA's for reference, French descriptions; 2 % 30 net 60, ITD 08; its 810 with a UPC on every line, GST with QST or
PST by province); Home Hardware (tag orders through its St. Jacobs DC: the dealer named by the heading's N1*Z7, or
each line's own; its 810 with HST); Giant Tiger (005010 from a DUNS, lines in cases by case GTIN-14 and its item
number with PO4, a ship date and a cancel-after date, HST); Princess Auto (005010, BEG02 NE, lines by our part VP and
its part BP, GST and Manitoba's RST; a line bought for resale, TXI*SP*****3, billed without the
RST). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s,
checked by our validator, Bots and pyx12."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg38"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"indigo": {"4500771201": 2, "4500771202": 1, "4500771219": 1}, "rona": {"R7702241": 2, "R7702259": 1},
       "homehardware": {"HH0331876": 2, "HH0331883": 2}, "gianttiger": {"GT26110457": 2},
       "princessauto": {"PA0099412": 2}}
# Home Hardware's second tag order names a dealer on each line: kept, each carton marked for its dealer (no finding)
NOTED: set[str] = set()
NIGHT_NOTED = NOTED | {"ASN_LATE"}  # the confirmations arrive hours after the trucks left


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg38") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)
    # Indigo's PO4 names its outer pack in inner packs (PO401 4 x PO414 3 = our case of 12): no pack finding
    assert not [f for f in found if f[0].startswith("PO4_")]


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=9, answers=9)


def test_each_buyer_answered_to_its_own_envelope_and_version(night):
    ws, _found, _states = night
    # Giant Tiger's DUNS (01) answered as sent, in 005010 (ISA11 ^, AK103)
    gt = segments(ws, "gianttiger", "997")
    assert gt[0][5:7] == ["ZZ", "ORDERBRIDGE    "] and gt[0][7:9] == ["01", "202555101      "]
    assert gt[0][11:13] == ["^", "00501"] and ["AK1", "PO", "110457", "005010"] in gt
    assert {s[8] for s in segments(ws, "princessauto", "810") if s[0] == "GS"} == {"005010"}
    assert {s[8] for s in segments(ws, "rona", "856") if s[0] == "GS"} == {"004010"}


def test_indigo_dcs_by_san_its_case_upcs_and_its_currency(night):
    ws, _found, _states = night
    # the DC named by its SAN (N103 15) as sent, on the 856 and 810; the 13-digit case UPC (EN) returned as ordered
    asn = po_segments(segments(ws, "indigo", "856"), "IN-SHP-01", "BSN")
    assert ["N1", "ST", "INDIGO RETAIL DC 956", "15", "1186213"] in asn
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "EN", "0614141538010", "VN", "ODR-3801"],
                                                    ["2", "EN", "0614141538027", "VN", "ODR-3802"]]
    inv = po_segments(segments(ws, "indigo", "810"), "4500771201", "BIG")
    assert ["CUR", "SE", "USD"] in inv and ["N1", "ST", "INDIGO RETAIL DC 956", "15", "1186213"] in inv
    assert [s[1:8] for s in inv if s[0] == "IT1"] == [["1", "48", "EA", "6.25", "", "EN", "0614141538010"],
                                                     ["2", "36", "EA", "4.1", "", "EN", "0614141538027"]]
    assert ["TDS", "44760"] in inv and not [s for s in inv if s[0] == "TXI"]
    # the carrier hand-over date (DTM 118, read as the requested ship date) is the date promised on the 855
    ack = po_segments(segments(ws, "indigo", "855"), "4500771201", "BAK")
    assert ["DTM", "068", "20261201"] in ack
    # the drop ship to a customer: named by address only, its second street line kept, on the 856 and 810
    for doc, key, head in (("856", "IN-SHP-03", "BSN"), ("810", "4500771219", "BIG")):
        sent = po_segments(segments(ws, "indigo", doc), key, head)
        at = sent.index(["N1", "ST", "JEAN TREMBLAY"])
        assert sent[at + 1:at + 4] == [["N2", "APP 4"], ["N3", "1450 RUE SAINT-DENIS", "APP 4"],
                                       ["N4", "MONTREAL", "QC", "H2X 3J8", "CA"]]


def test_canadian_taxes_by_province_on_each_line_and_in_total(night):
    ws, _found, _states = night
    # RONA's Quebec DC: GST and QST per line and in total, a UPC on every line, its terms 2 % 30 net 60 (ITD 08)
    inv = po_segments(segments(ws, "rona", "810"), "R7702241", "BIG")
    assert [s for s in inv if s[0] == "TXI"] == [
        ["TXI", "GS", "171.6", "5", "", "", "", "", "", "123456789RT0001"],
        ["TXI", "SP", "342.34", "9.975", "", "", "", "", "", "1234567890TQ0001"],
        ["TXI", "GS", "179", "5", "", "", "", "", "", "123456789RT0001"],
        ["TXI", "SP", "357.11", "9.975", "", "", "", "", "", "1234567890TQ0001"],
        ["TXI", "GS", "350.6", "5", "", "", "", "", "", "123456789RT0001"],
        ["TXI", "SP", "699.45", "9.975", "", "", "", "", "", "1234567890TQ0001"]]
    assert ["TDS", "806205"] in inv and ["ITD", "08", "3", "2", "", "30", "", "60"] in inv
    assert all(s[6] == "UP" for s in inv if s[0] == "IT1")
    # its British Columbia store: GST and PST
    inv = po_segments(segments(ws, "rona", "810"), "R7702259", "BIG")
    assert [s[1:4] for s in inv if s[0] == "TXI"] == [["GS", "11.28", "5"], ["SP", "15.79", "7"]] * 2
    # Ontario's HST (Home Hardware, Giant Tiger); Manitoba's GST and RST (Princess Auto)
    inv = po_segments(segments(ws, "homehardware", "810"), "HH0331876", "BIG")
    assert [s[1:4] for s in inv if s[0] == "TXI"][-1] == ["HS", "79.87", "13"] and ["TDS", "69427"] in inv
    inv = po_segments(segments(ws, "gianttiger", "810"), "GT26110457", "BIG")
    assert [s[1:4] for s in inv if s[0] == "TXI"][-1] == ["HS", "308.88", "13"] and ["TDS", "268488"] in inv
    inv = po_segments(segments(ws, "princessauto", "810"), "PA0099412", "BIG")
    assert [s[1:4] for s in inv if s[0] == "TXI"][-2:] == [["GS", "29.07", "5"], ["SP", "40.7", "7"]]
    assert ["TDS", "65117"] in inv


def test_ids_units_and_parties_as_ordered(night):
    ws, _found, _states = night
    # Giant Tiger's cases by case GTIN-14 and its item number, acknowledged and shipped in cases
    ack = po_segments(segments(ws, "gianttiger", "855"), "GT26110457", "BAK")
    assert [s[1:4] for s in ack if s[0] == "ACK"] == [["IA", "30", "CA"], ["IA", "20", "CA"]]
    assert ["DTM", "068", "20261201"] in ack  # its requested ship date (DTM 010)
    assert ["LIN", "1", "UK", "10614141538093", "IN", "208871"] in segments(ws, "gianttiger", "856")
    # Princess Auto's part (BP) beside ours (VP) on the 855, 856 and 810
    assert ["PO1", "1", "60", "EA", "7.35", "", "VP", "ODR-3811", "BP", "8374421"] in segments(
        ws, "princessauto", "855")
    assert ["LIN", "1", "BP", "8374421", "VP", "ODR-3811"] in segments(ws, "princessauto", "856")
    assert ["IT1", "1", "60", "EA", "7.35", "", "VP", "ODR-3811", "BP", "8374421"] in segments(
        ws, "princessauto", "810")
    # RONA's UPC, our code and its own, returned on the 856; the buyer (N1 BY) and department carried
    asn = po_segments(segments(ws, "rona", "856"), "RN-SHP-01", "BSN")
    assert ["LIN", "1", "UP", "614141538041", "VN", "ODR-3804", "IN", "10047720"] in asn
    assert ["N1", "BY", "RONA INC", "92", "0001"] in asn and ["REF", "DP", "030"] in asn
    # Home Hardware's tag order: the dealer named in the heading (N1 Z7) marked on the 856 and the 810
    assert ["N1", "Z7", "SMITHS HOME HARDWARE", "92", "4471"] in po_segments(segments(ws, "homehardware", "856"),
                                                                             "HH-SHP-01", "BSN")
    assert ["N1", "Z7", "SMITHS HOME HARDWARE", "92", "4471"] in po_segments(segments(ws, "homehardware", "810"),
                                                                             "HH0331876", "BIG")


def test_lines_tagged_for_their_own_dealers_raise_nothing_their_856_carries_them(night):
    """Home Hardware's tag order may name each line's dealer in the line's own N1 loop (N1*Z7 after the PO1), the
    heading naming only the DC. The dealers' tags used to be dropped without a word (the 856 marked no carton for
    them), then named by LINE_MARK_FOR_NOT_APPLIED (rg38); each line now keeps its mark-for (ORDER_LINES mark_for_*)
    and its carton is marked for it (test_the_856_marks_each_line_s_dealer): nothing to say. The order is
    acknowledged, shipped and invoiced as ordered."""
    _ws, found, states = night
    assert not [f for f in found if f[0] == "LINE_MARK_FOR_NOT_APPLIED"]
    assert states[("homehardware", "HH0331883")] == "invoiced"


def _tag_order(tmp_path, swaps: tuple[tuple[bytes, bytes], ...] = ()):
    """Home Hardware's tag orders' file with a heading N1*Z7 for dealer 4471 added to the second (HH0331883: lines
    for dealers 4471 and 5102) and ``swaps`` made."""
    data = (FIXTURES / "drops" / "homehardware" / "HH_850_HH0331876.txt").read_bytes()
    head = b"N4*ST JACOBS*ON*N0B2N0*CA~\nPO1*1*6*"
    assert data.count(head) == 1
    sent = data.replace(head, head.replace(b"~\nPO1", b"~\nN1*Z7*SMITHS HOME HARDWARE*92*4471~\nPO1")).replace(
        b"SE*18*0002", b"SE*19*0002")
    for old, new in swaps:
        assert old in sent
        sent = sent.replace(old, new)
    path = tmp_path / "HH_850.txt"
    path.write_bytes(sent)
    return path


def test_a_line_mark_for_the_856_cannot_carry_is_named(tmp_path):
    """A line's N1*Z7 naming the heading's party (dealer 4471) is the order's; one with an id (5102) is kept and its
    cartons marked for it: neither raises anything. One without an id (N103/N104: a name alone) is no location to
    mark a carton for: LINE_MARK_FOR_NOT_APPLIED names it, as it names every line's own for a partner whose 856s mark
    no cartons (no 856, a structure without carton loops, asn.mark_for "none")."""
    from parsers.x12_reader import read_interchanges
    from rules.structure import check_structure
    from tests.retailer_support import inspected

    def told(path):
        return [f for f in inspected(path)["findings"] if f["code"] == "LINE_MARK_FOR_NOT_APPLIED"]

    assert told(_tag_order(tmp_path)) == []
    assert told(_tag_order(tmp_path, ((b"N1*Z7*ELORA HOME HARDWARE*92*5102", b"N1*Z7*SMITHS HOME HARDWARE*92*4471"),
                                      ))) == []
    [f] = told(_tag_order(tmp_path, ((b"N1*Z7*ELORA HOME HARDWARE*92*5102", b"N1*Z7*ELORA HOME HARDWARE"),)))
    assert f["message"] == (
        "PO1 loops name mark-for parties of their own (line 2 N1*Z7 ELORA HOME HARDWARE): without an id (N103, N104) "
        "or a line's second, our 856 marks no carton for them, nor do our 855s and 810s name them; tell the warehouse "
        "which goods are for whom (a label per party) or ask the partner for one PO per party.")
    assert f["location"]["value"] == "ELORA HOME HARDWARE"
    # a partner whose 856s mark no cartons (S-O-I: no carton loops): every line's own named
    result = read_interchanges(_tag_order(tmp_path).read_bytes())
    [f] = [f for f in check_structure(result, list(result.transaction_sets()), marks_carried=False)
           if f.code == "LINE_MARK_FOR_NOT_APPLIED"]
    assert "(line 2 N1*Z7 ELORA HOME HARDWARE 92 5102): this partner's 856s mark no carton for them" in f.message


def test_a_line_s_own_mark_for_is_read_as_sent(tmp_path):
    """Each PO1 loop's first N1*Z7 is its line's mark-for (ORDER_LINES mark_for_name, mark_for_id_qualifier,
    mark_for_id: N102, N103, N104 as sent); a line without one has none (the order's applies); a heading N1*Z7 is
    no line's."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    path = _tag_order(tmp_path, ((b"N1*Z7*ELORA HOME HARDWARE*92*5102~", b"N1*Z7*ELORA HOME HARDWARE~\nN1*Z7*X*92*9~"),
                                 (b"SE*19*0002", b"SE*20*0002")))
    result = read_interchanges(path.read_bytes(), file=path.name)
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="homehardware")[:2]
    assert [tuple(r.values()) for r in lines.select(
        ["po_number", "mark_for_name", "mark_for_id_qualifier", "mark_for_id"]).to_pylist()] == [
        ("HH0331876", None, None, None), ("HH0331876", None, None, None),
        ("HH0331883", "SMITHS HOME HARDWARE", "92", "4471"), ("HH0331883", "ELORA HOME HARDWARE", None, None)]
    assert orders.column("mark_for_id").to_pylist() == ["4471", "4471"]


def test_the_856_marks_each_line_s_dealer(night):
    """Home Hardware's HH-SHP-02 ships the tag order's two lines, one carton each, on one pallet (S-O-T-P-I): each
    carton's loop names its line's dealer (N1*Z7 after its MAN), the order loop none (its heading named none). It
    used to name neither dealer."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "homehardware", "856"), "HH-SHP-02", "BSN")
    assert [s[:2] for s in asn if s[0] in ("HL", "MAN", "N1", "LIN")][3:] == [
        ["HL", "2"], ["HL", "3"], ["MAN", "GM"], ["HL", "4"], ["MAN", "GM"], ["N1", "Z7"], ["HL", "5"], ["LIN", "1"],
        ["HL", "6"], ["MAN", "GM"], ["N1", "Z7"], ["HL", "7"], ["LIN", "2"]]
    assert [s for s in asn if s[0] == "N1" and s[1] == "Z7"] == [["N1", "Z7", "SMITHS HOME HARDWARE", "92", "4471"],
                                                               ["N1", "Z7", "ELORA HOME HARDWARE", "92", "5102"]]
    # the first tag order's dealer (its heading's N1*Z7) in its order loop alone, as ever
    asn = po_segments(segments(ws, "homehardware", "856"), "HH-SHP-01", "BSN")
    assert asn[asn.index(["PRF", "HH0331876", "", "", "20261124"]) + 3] == ["N1", "Z7", "SMITHS HOME HARDWARE", "92",
                                                                          "4471"]
    assert [s for s in asn if s[0] == "N1" and s[1] == "Z7"] == [["N1", "Z7", "SMITHS HOME HARDWARE", "92", "4471"]]


def test_a_carton_of_two_dealers_holds_its_shipment(tmp_path):
    """A carton holding the tag order's lines for two dealers (HH-SHP-02's both lines in carton C1) can be marked for
    neither: its 856 is refused and the shipment held (ASN_NOT_BUILT, naming both), for the warehouse to pack a carton
    per dealer; never an 856 marking the carton for one dealer, or none, without a word."""
    import shutil

    fixtures = tmp_path / "rg38"
    shutil.copytree(FIXTURES, fixtures)
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text("".join(r.replace("HH-SHP-02-C2", "HH-SHP-02-C1") for r in rows
                               if r.startswith(("Shipment ID", "HH-SHP-02"))), encoding="utf-8")
    _ws, found, states = shipped_night(of_its_own(fixtures, tmp_path / "ws", {"homehardware": ["HH_850_HH0331876.txt"]},
                                                  warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY, messages=True)
    assert states[("homehardware", "HH0331883")] == "acknowledged"
    [held] = [f for f in found if f[0] == "ASN_NOT_BUILT"]
    assert held[1:3] == ("error", "HH0331883")
    assert "carton HH-SHP-02-C1 holds lines marked for different parties (SMITHS HOME HARDWARE 92 4471, ELORA HOME " \
           "HARDWARE 92 5102" in held[3]


def _resale_exempt_night(tmp_path):
    """Princess Auto's PO with line 2 bought for resale, exempt from Manitoba's RST (TXI*SP*****3 in its PO1 loop),
    alone through the night."""
    import shutil

    fixtures = tmp_path / "rg38"
    shutil.copytree(FIXTURES, fixtures)
    po = fixtures / "drops" / "princessauto" / "pa-850-PA0099412.x12"
    sent = po.read_text(encoding="utf-8")
    assert sent.count("PID*F****HITCH PIN SET~") == 1 and "SE*18*0001" in sent
    po.write_text(sent.replace("PID*F****HITCH PIN SET~", "PID*F****HITCH PIN SET~\nTXI*SP*****3~").replace(
        "SE*18*0001", "SE*19*0001"), encoding="utf-8")
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text("".join(r for r in rows if r.startswith(("Shipment ID", "PA-SHP-01"))), encoding="utf-8")
    return shipped_night(of_its_own(fixtures, tmp_path / "ws", {"princessauto": [po.name]}, warehouses=WAREHOUSES),
                         fixtures, NIGHT, SHIP_DAY, messages=True)


def test_a_line_the_po_marks_tax_exempt_is_billed_without_that_tax(tmp_path):
    """Princess Auto's line 2 bought for resale (TXI*SP*****3 in its PO1 loop): its 810 states Manitoba's RST at 0
    for that line (rate 0), the GST as ever; the summary and TDS without it (65117 - 9.83). It used to charge the RST
    on the line as if the PO said nothing."""
    ws, found, states = _resale_exempt_night(tmp_path)
    assert not [f for f in found if f[0] != "ASN_LATE"] and states == {("princessauto", "PA0099412"): "invoiced"}
    inv = po_segments(segments(ws, "princessauto", "810"), "PA0099412", "BIG")
    line2 = inv.index(["IT1", "2", "36", "EA", "3.9", "", "VP", "ODR-3812", "BP", "8374438"])
    assert inv[line2 + 1:line2 + 3] == [["TXI", "GS", "7.02", "5", "", "", "", "", "", "123456789RT0001"],
                                        ["TXI", "SP", "0", "0", "", "", "", "", "", "RST-1234-5678"]]
    assert [s[1:4] for s in inv if s[0] == "TXI"][-2:] == [["GS", "29.07", "5"], ["SP", "30.87", "7"]]
    assert ["TDS", "64134"] in inv
    line1 = inv.index(["IT1", "1", "60", "EA", "7.35", "", "VP", "ODR-3811", "BP", "8374421"])
    assert inv[line1 + 2] == ["TXI", "SP", "30.87", "7", "", "", "", "", "", "RST-1234-5678"]


def test_a_line_s_txi_exemption_is_read_as_sent():
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    data = (FIXTURES / "drops" / "princessauto" / "pa-850-PA0099412.x12").read_bytes()
    for txis, kept in (([], [None, None]), (["TXI*SP*****3"], [None, "SP"]), (["TXI*SP*****2"], [None, None]),
                       (["TXI*GS*****1", "TXI*SP*****3"], [None, "GS SP"]), (["TXI*TX**12"], [None, None])):
        sent = data.replace(b"PID*F****HITCH PIN SET~", b"PID*F****HITCH PIN SET~" + b"".join(
            t.encode() + b"~\n" for t in txis)).replace(b"SE*18*", b"SE*%d*" % (18 + len(txis)))
        result = read_interchanges(sent, file="pa.x12")
        assert not [f for f in result.findings if f.severity == "error"], txis
        lines = read_orders(result, list(result.transaction_sets()), partner="princessauto")[1]
        assert lines["tax_exempt_sent"].to_pylist() == kept, txis
