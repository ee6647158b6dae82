"""What our outbound 855, 856 and 810 must carry for big retailers' implementation guides (compliance: a document
missing a segment the guide makes mandatory is a chargeback), the buyers' 850s in their own shapes (facts carried
over from the public guides, the files written here): tests/fixtures/rg85/ holds each one's profile, reference rows,
stock, 850 and the east DC's confirmation of what shipped (the rg2 DC). Walmart (a DC PO in 005010: REF IA, DP 92,
MR, FOB CC, a ship window DTM 037/038, the DC by GLN, cases with PO4; its 856 pick and pack, the shipment level's
TD1, TD5, one REF - the bill of lading -, DTM 011, DTM 067 and the FOB it requires there, TD1 and REF IA/DP/MR in the
order loop and PO4 on each item; its 810 REF IA/DP/MR, the DC and us by GLN, N1 SU, the PO's FOB, CAD, each line's
pack, PO4 after its PID - "the PO4 segment is used to specify the packaging of the item in the case or carton", its
810 guide's notes - and ISS); Target (REF DP/IA, DTM 010 and 001, the DC by number with its address; its 855 REF IA
and DP, DTM 068, N1 ST, each PO1 echoed with an ACK dated 068; its 856 LIN by DPCI first); The Home Depot (its 4010
856: TD5, one REF - the bill of lading - DTM and N1 at the shipment level, no TD1; its 810 on the agreed terms, ITD
08 2 % 30 net 60); Kroger (a $20.00 off-invoice promotional allowance, SAC*A*F800 SAC12 02, taken off the 810, ISS
and the CTT02 hash, our remit-to by DUNS); Dollar General (an 856 by pallet, S-O-T-P-I with the pallet's SSCC-18, TD1
cartons and pallets; its 810 CAD with the SCAC and bill of lading, ISS, N1 RI with our address); Amazon Vendor
Central (a delivery window and no ship date, the fulfilment centre by code, N1*ST**92*RNO1; its retail 855 - BAK AC
or AD, each ACK dated 068 the window's opening less the transit days, no heading DTM -, its 856 one per PO with DTM
017, its 810 N1 RI); Walmart.com (a drop ship vendor PO, the consumer's address, the customer order REF CO; its 856
guide lists DTM in the heading, "must use", and none in the HL loop). One night takes them all: inspect, the 997s and
855s, then the 856s and 810s, checked by our validator, Bots and pyx12.

Defects found: Walmart's 810 carries each line's pack (PO4 in the IT1 loop) and names the supplier as N1*SU; our 810
wrote no PO4 (the 856 had item_po4, the 810 nothing) and our party N1 was SF whatever the guide said
([fulfilment.invoice] item_po4, and a code for the profile's party: [fulfilment.invoice.ship_from] code,
[acks.po_ack.ship_from] code). Walmart.com's 856 has its ship date in the heading; ours could only write it at the S
level ([fulfilment.asn] dates_level "heading"). Walmart's 5010 856 names the delivery date DTM 067 (current schedule
delivery); ours could only write DTM 017 ([fulfilment.asn] estimated_delivery_code)."""

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
    variant_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg85"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"walmart": {"4528850011": 2}, "target": {"8502001553": 2}, "homedepot": {"85030017": 2},
       "kroger": {"KR8500401": 2}, "dollargeneral": {"DG8500501": 2}, "amazon": {"T85Y4VCT": 2},
       "walmartcom": {"2581185070011": 2}}
# Kroger's off-invoice allowance is applied to no price or 855, told with whether the 810 carries it (it does)
NOTED = {"SAC_NOT_APPLIED"}
NIGHT_NOTED = NOTED | {"ASN_LATE"}
OUR_DC = ["N1", "SF", "OrderBridge Supply DC East", "UL", "0614141000104"]


def _variant(partner, po, tmp_path, swaps=(), **kw):
    return variant_night(FIXTURES, partner, po, tmp_path, [(a.encode(), b.encode()) for a, b in swaps],
                         warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY, **kw)


def _doc(ws, partner: str, kind: str, key: str) -> list[list[str]]:
    head = {"855": "BAK", "856": "BSN", "810": "BIG"}[kind]
    return po_segments(segments(ws, partner, kind), key, head)


def _at(doc: list[list[str]], level: str) -> list[list[str]]:
    """The segments of an 856's HL loops of ``level`` (S, O, T, P, I), each loop after its HL, in order."""
    out: list[list[str]] = []
    current = None
    for s in doc:
        if s[0] == "HL":
            current = s[3]
        elif s[0] == "CTT":
            current = None
        elif current == level:
            out.append(s)
    return out


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg85") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=7, answers=7)


def test_walmart_856_is_pick_and_pack_with_its_references_and_each_item_s_pack(night):
    ws, _found, _states = night
    asn = _doc(ws, "walmart", "856", "WM-SHP-01")
    assert asn[0] == ["BSN", "00", "WM-SHP-01", "20261201", "1500", "0001"]  # S-O-P-I
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "P", "I", "P", "I"]
    s = _at(asn, "S")
    assert ["TD1", "CTN25", "2", "", "", "", "G", "180", "LB"] in s and ["TD5", "B", "2", "SWFT", "M"] in s
    assert [r for r in s if r[0] == "REF"] == [["REF", "BM", "BOL-WM-8501"]]  # shipment_refs: the BOL alone
    # shipped, the current schedule delivery (DTM 067, as Walmart's guide names it: 2 days' transit), the PO's FOB
    assert s[3:6] == [["DTM", "011", "20261201", "0630"], ["DTM", "067", "20261203"], ["FOB", "CC"]] and OUR_DC in s
    assert ["N1", "ST", "WAL-MART DC 6094", "UL", "0078742000404"] in s
    assert _at(asn, "O") == [["PRF", "4528850011", "", "", "20261124"],
                             ["TD1", "CTN25", "2", "", "", "", "G", "180", "LB"],  # order_td1: its cartons
                             ["REF", "IA", "448822090"], ["REF", "DP", "00092"], ["REF", "MR", "0020"]]
    assert all(m[:2] == ["MAN", "GM"] and len(m[2]) == 20 and m[2].startswith("00") for m in _at(asn, "P"))
    items = _at(asn, "I")
    assert items[:3] == [["LIN", "1", "UP", "614141850013", "IN", "000850111"], ["SN1", "", "10", "CA", "", "10", "CA"],
                         ["PO4", "12"]]
    assert ["PO4", "6"] in items and asn[-1] == ["CTT", "6", "16"]


def test_walmart_810_carries_each_line_s_pack_and_names_us_as_the_supplier(night):
    """Walmart's 810 guide: REF IA, DP and MR; the DC by GLN and the supplier (N1*SU, by GLN); ITD; DTM 011; the PO's
    FOB; IT1 by Walmart's item number and UPC with the pack of the case (PO4: "the PO4 segment is used to specify the
    packaging of the item in the case or carton"); TDS; CAD; ISS; CTT. Our 810 wrote no PO4 (only the 856 could,
    [fulfilment.asn] item_po4) and named us N1*SF whatever the guide calls us; now [fulfilment.invoice] item_po4 writes
    each line's PO4 as its PO stated it, after its PID, and the profile's party takes the guide's code."""
    ws, _found, _states = night
    inv = _doc(ws, "walmart", "810", "4528850011")
    assert inv[0] == ["BIG", "20261201", "INV0000006", "20261124", "4528850011", "", "", "DI"]
    assert [s for s in inv if s[0] == "REF"][2:] == [["REF", "IA", "448822090"], ["REF", "DP", "00092"],
                                                     ["REF", "MR", "0020"]]
    assert [s for s in inv if s[0] == "N1"] == [["N1", "ST", "WAL-MART DC 6094", "UL", "0078742000404"],
                                                ["N1", "SU", "OrderBridge Supply", "UL", "0614141000005"]]
    assert ["ITD", "08", "3", "2", "", "30", "", "60"] in inv and ["DTM", "011", "20261201"] in inv
    assert ["FOB", "CC"] in inv
    lines = inv[inv.index(next(s for s in inv if s[0] == "IT1")):inv.index(next(s for s in inv if s[0] == "TDS"))]
    assert lines == [["IT1", "1", "10", "CA", "48", "", "IN", "000850111", "UP", "614141850013"],
                     ["PID", "F", "08", "", "", "STORAGE BIN 12QT CLEAR"], ["PO4", "12"],
                     ["IT1", "2", "6", "CA", "30", "", "IN", "000850112", "UP", "614141850020"],
                     ["PID", "F", "08", "", "", "STORAGE TOTE 18GAL BLACK"], ["PO4", "6"]]
    # 10 cases at 48.00 and 6 at 30.00: 660.00, in cents; the carrier and its BOL (5010: CAD01 M); 16 cases
    assert inv[-3:] == [["CAD", "M", "", "", "SWFT", "", "", "BM", "BOL-WM-8501"], ["ISS", "16", "CA"], ["CTT", "2"]]
    assert ["TDS", "66000"] in inv


def test_a_line_s_inner_pack_and_size_go_back_as_its_po_stated_them(tmp_path):
    """A tote case of 2 inner packs of 3 (PO4*2*3*EA, PO414 3): PO401, PO402/PO403 and PO414 back as sent."""
    ws, found, states = _variant("walmart", "4528850011", tmp_path, [("PO4*6~", "PO4*2*3*EA***********3~")])
    assert states == {("walmart", "4528850011"): "invoiced"}, found
    inv = _doc(ws, "walmart", "810", "4528850011")
    assert ["PO4", "2", "3", "EA", "", "", "", "", "", "", "", "", "", "", "3"] in inv and ["PO4", "12"] in inv


def test_without_item_po4_the_810_is_as_before(tmp_path):
    """The default: no PO4 in the 810 (the PO's PO4 or not), our party N1*SF."""
    ws, _found, states = _variant("walmart", "4528850011", tmp_path,
                                  profile_swaps=[("item_po4 = true\n\n[fulfilment.invoice.ship_from]",
                                                  "\n[fulfilment.invoice.ship_from]"), ('code = "SU"\n', "")])
    assert states == {("walmart", "4528850011"): "invoiced"}
    inv = _doc(ws, "walmart", "810", "4528850011")
    assert not [s for s in inv if s[0] == "PO4"]
    assert ["N1", "SF", "OrderBridge Supply", "UL", "0614141000005"] in inv
    assert ["PO4", "12"] in _doc(ws, "walmart", "856", "WM-SHP-01")  # the 856's own setting, untouched


def test_a_party_code_is_one_x12_entity_code():
    from pydantic import ValidationError

    from schemas.fulfilment import InvoiceSettings, PoAckParty

    assert PoAckParty(name="Us").code == ""
    us = {"code": "VN", "name": "Us", "id_qualifier": "92", "id": "V1"}
    assert InvoiceSettings(ship_from=us).ship_from.code == "VN"
    for bad in ("S", "su", "SUPP"):
        with pytest.raises(ValidationError):
            PoAckParty(code=bad, name="Us")


def test_the_855_names_us_by_the_code_the_guide_gives():
    """[acks.po_ack.ship_from] code: the 855's N1 for us under the guide's entity code (N1*VN vendor here), the
    N1*SF without one, as before."""
    from engine.po_ack import heading
    from schemas.fulfilment import PoAckSettings

    us = {"name": "OrderBridge Supply", "id_qualifier": "92", "id": "V0042"}
    assert heading({}, PoAckSettings(ship_from={**us, "code": "VN"})) == [
        ["N1", "VN", "OrderBridge Supply", "92", "V0042"]]
    assert heading({}, PoAckSettings(ship_from=us)) == [["N1", "SF", "OrderBridge Supply", "92", "V0042"]]


def test_walmart_855_states_the_ship_window_opening(night):
    ws, _found, _states = night
    ack = _doc(ws, "walmart", "855", "4528850011")
    assert ack[0] == ["BAK", "00", "AD", "4528850011", "20261124", "", "", "", "", "20261125"]
    assert ack[1:6] == [["REF", "IA", "448822090"], ["REF", "DP", "00092"], ["REF", "MR", "0020"],
                        ["DTM", "068", "20261128"], ["N1", "ST", "WAL-MART DC 6094", "UL", "0078742000404"]]
    assert [s for s in ack if s[0] == "ACK"] == [["ACK", "IA", "10", "CA", "068", "20261128"],
                                                 ["ACK", "IA", "6", "CA", "068", "20261128"]]


def test_target_documents_carry_its_references_dates_and_dc(night):
    ws, _found, _states = night
    ack = _doc(ws, "target", "855", "8502001553")
    assert ack == [["BAK", "00", "AD", "8502001553", "20261124", "", "", "", "", "20261125"],
                   ["REF", "IA", "0079312"], ["REF", "DP", "072"], ["DTM", "068", "20261201"],
                   ["N1", "ST", "TARGET DC 0553", "92", "0553"],
                   ["PO1", "1", "24", "EA", "7.5", "", "IN", "072-04-0031", "UP", "614141850037"],
                   ["ACK", "IA", "24", "EA", "068", "20261201"],
                   ["PO1", "2", "36", "EA", "3.25", "", "IN", "072-04-0044", "UP", "614141850044"],
                   ["ACK", "IA", "36", "EA", "068", "20261201"], ["CTT", "2", "60"]]
    asn = _doc(ws, "target", "856", "TGT-SHP-01")
    s = _at(asn, "S")
    assert [r for r in s if r[0] == "REF"] == [["REF", "BM", "BOL-TGT-8502"], ["REF", "CN", "PRO-TGT-8502"]]
    assert ["N1", "ST", "TARGET DC 0553", "92", "0553"] in s and ["N4", "BROOKLYN PARK", "MN", "55445", "US"] in s
    assert _at(asn, "O") == [["PRF", "8502001553", "", "", "20261124"], ["REF", "IA", "0079312"],
                             ["REF", "DP", "072"]]
    assert [i for i in _at(asn, "I") if i[0] == "LIN"] == [["LIN", "1", "IN", "072-04-0031", "UP", "614141850037"],
                                                          ["LIN", "2", "IN", "072-04-0044", "UP", "614141850044"]]
    inv = _doc(ws, "target", "810", "8502001553")
    assert ["REF", "IA", "0079312"] in inv and ["REF", "DP", "072"] in inv and ["DTM", "011", "20261201"] in inv
    assert ["N1", "ST", "TARGET DC 0553", "92", "0553"] in inv and ["TDS", "29700"] in inv  # 180.00 + 117.00


def test_home_depot_856_has_no_td1_at_the_shipment_and_one_ref(night):
    ws, _found, _states = night
    s = _at(_doc(ws, "homedepot", "856", "THD-SHP-01"), "S")
    assert [r[0] for r in s] == ["TD5", "REF", "DTM", "N1", "N3", "N4", "N1"]
    assert s[:3] == [["TD5", "B", "2", "ODFL", "M"], ["REF", "BM", "BOL-THD-8503"], ["DTM", "011", "20261201", "0630"]]
    inv = _doc(ws, "homedepot", "810", "85030017")
    assert ["ITD", "08", "3", "2", "", "30", "", "60"] in inv and ["REF", "IA", "HD7731"] in inv
    assert ["REF", "DP", "025"] in inv and ["TDS", "70700"] in inv  # 472.00 + 235.00


def test_kroger_810_takes_the_off_invoice_allowance_and_counts_the_cases(night):
    ws, _found, _states = night
    inv = _doc(ws, "kroger", "810", "KR8500401")
    assert ["N1", "RE", "OrderBridge Supply Inc", "1", "061414100"] in inv
    assert ["ITD", "08", "3", "1", "", "10", "", "30"] in inv
    k = inv.index(["IT1", "1", "20", "CA", "10.8", "", "UP", "614141850099", "VN", "RG85-09"])
    assert inv[k + 1] == ["SAC", "A", "F800", "", "", "2000", "", "", "", "", "", "", "02"]
    # 216.00 + 405.00 - 20.00 = 601.00; 35 cases; CTT02 the quantities hashed
    assert inv[-3:] == [["TDS", "60100"], ["ISS", "35", "CA"], ["CTT", "2", "35"]]


def test_dollar_general_856_by_pallet_and_810_with_the_carrier(night):
    ws, _found, _states = night
    asn = _doc(ws, "dollargeneral", "856", "DG-SHP-01")
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "T", "P", "I", "P", "I"]
    s = _at(asn, "S")
    assert s[:4] == [["TD1", "CTN25", "2", "", "", "", "G", "1080", "LB"], ["TD1", "PLT94", "1"],
                     ["TD5", "B", "2", "SAIA", "M"], ["REF", "BM", "BOL-DG-8505"]]
    [pallet] = _at(asn, "T")
    assert pallet[:2] == ["MAN", "GM"] and pallet[2].startswith("001") and len(pallet[2]) == 20  # its own extension
    inv = _doc(ws, "dollargeneral", "810", "DG8500501")
    assert inv[inv.index(["N1", "RI", "OrderBridge Supply Inc", "1", "061414100"]) + 1:][:2] == [
        ["N3", "PO Box 8850"], ["N4", "Newark", "NJ", "07101", "US"]]
    assert inv[-4:] == [["TDS", "114000"], ["CAD", "", "", "", "SAIA", "", "", "BM", "BOL-DG-8505"],
                        ["ISS", "70", "CA"], ["CTT", "2"]]


def test_amazon_855_dates_each_line_from_the_delivery_window(night):
    """No ship date (DTM 010), a delivery window 12-04 to 12-11: each ACK dated 068 its opening less the 3 transit
    days; no heading DTM or N1 (the retail 855 guide's heading is BAK alone); the PO1s as sent, PO105 NT."""
    ws, _found, _states = night
    ack = _doc(ws, "amazon", "855", "T85Y4VCT")
    assert ack == [["BAK", "00", "AD", "T85Y4VCT", "20261124", "", "", "", "", "20261125"],
                   ["PO1", "1", "12", "EA", "7.4", "NT", "UP", "614141850037", "VN", "RG85-03"],
                   ["ACK", "IA", "12", "EA", "068", "20261201"],
                   ["PO1", "2", "4", "EA", "58", "NT", "UP", "614141850051", "VN", "RG85-05"],
                   ["ACK", "IA", "4", "EA", "068", "20261201"], ["CTT", "2", "16"]]


def test_amazon_856_and_810(night):
    ws, _found, _states = night
    s = _at(_doc(ws, "amazon", "856", "AMZ-SHP-01"), "S")
    assert ["DTM", "011", "20261201", "0630"] in s and ["DTM", "017", "20261204"] in s  # 3 days' transit
    assert ["REF", "CN", "1Z8500000000000061"] in s and ["TD5", "B", "2", "UPSN", "U"] in s
    assert ["N1", "ST", "", "92", "RNO1"] in s and OUR_DC in s
    inv = _doc(ws, "amazon", "810", "T85Y4VCT")
    assert [s for s in inv if s[0] == "N1"] == [["N1", "RI", "OrderBridge Supply Inc", "1", "061414100"],
                                                ["N1", "ST", "", "92", "RNO1"]]
    assert ["TDS", "32080"] in inv  # 88.80 + 232.00


def test_walmart_com_856_has_its_ship_date_in_the_heading(night):
    """Walmart.com's drop ship 856 guide: ST, BSN, DTM ("must use") in the heading; the HL loop HL, LIN, SN1, PRF, TD1,
    TD5, MAN, no DTM. Our 856 wrote the ship date at the S level only (VICS' place): the heading's mandatory DTM was
    missing. Now [fulfilment.asn] dates_level = "heading" puts DTM*011 right after BSN and none in the HL loop."""
    ws, _found, _states = night
    asn = _doc(ws, "walmartcom", "856", "WMC-SHP-01")
    assert asn[:3] == [["BSN", "00", "WMC-SHP-01", "20261201", "1500", "0001"], ["DTM", "011", "20261201", "0630"],
                       ["HL", "1", "", "S", "1"]]
    assert [s for s in asn[3:] if s[0] == "DTM"] == []
    assert _at(asn, "S")[:2] == [["TD1", "CTN25", "1", "", "", "", "G", "4", "LB"], ["TD5", "B", "2", "FDEG", "U"]]
    assert ["N1", "ST", "JORDAN ALVAREZ"] in asn and ["N4", "COLUMBUS", "OH", "43215", "US"] in asn
    assert _at(asn, "O") == [["PRF", "2581185070011", "", "", "20261124"], ["REF", "CO", "7710285093317"]]
    inv = _doc(ws, "walmartcom", "810", "2581185070011")
    assert ["REF", "CO", "7710285093317"] in inv and ["TDS", "3450"] in inv  # 28.00 + 6.50
    ack = _doc(ws, "walmartcom", "855", "2581185070011")
    assert [s[0] for s in ack] == ["BAK", "PO1", "ACK", "PO1", "ACK", "CTT"]  # its 855 guide: BAK, PO1, ACK, CTT


def test_the_ship_date_stays_at_the_shipment_level_by_default(tmp_path):
    ws, _found, states = _variant("walmartcom", "2581185070011", tmp_path,
                                  profile_swaps=[('dates_level = "heading"\n', "")])
    assert states == {("walmartcom", "2581185070011"): "invoiced"}
    asn = _doc(ws, "walmartcom", "856", "WMC-SHP-01")
    assert asn[1] == ["HL", "1", "", "S", "1"] and ["DTM", "011", "20261201", "0630"] in _at(asn, "S")
