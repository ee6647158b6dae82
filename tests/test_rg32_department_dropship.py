"""Department stores' own drop-ship (direct-to-consumer) programmes, not through a hub (rg15 has CommerceHub, SPS,
Logicbroker and QVC), as their guides describe them: tests/fixtures/rg32/ holds each one's profile, reference rows,
850s written in its shapes and the warehouse's confirmation of what shipped. Target.com DVS (4010, one heading REF*CO,
TD5 with a TD512 service level, N9 gift message, a MSG in the line loop, the guest's PER with phone and email, two
lines leaving as two parcels); Bloomingdale's on Macy's Inc. drop-ship 850 (4030, ISA 08 with a ^ repetition
separator, REF CO/DP/IA, PER, FOB, ITD, one TD5, N9*GM with two MSG, the consumer's N2 and two-element N3);
Belk.com (BEG02 SA, REF CO/IL/IA, N1*BT before the consumer's N1*ST/N2/N3/N4/PER, PO1 VN/UP/SK); Nordstrom.com
on the Dsco spec (DTM 010/001/097, TD512 SE, a line with no stock before the cancel date); Kohl's.com on the Dsco
spec (TD512 SC, a ZIP+4, an apostrophe in the consumer's name). ONE night for the whole group: inspect, the 997s
and 855s, then the 856s and 810s."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    accepted_as_ordered,
    all_sent_accepted,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    on_demo,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg32"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 27, 14, 30)

POS = {"targetdvs": {"0041883290": 2}, "bcomdsv": {"7712045531": 1}, "belkcom": {"6608813274": 2},
       "nordstromcom": {"N7744120915": 2}, "kohlsdsco": {"KD20261125118": 2}}
PARTNERS = tuple(POS)
# gift and packing-slip messages no document of ours keeps: ops print them on the packing slip
NOTED = {"NOTES_NOT_KEPT"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_department_store_drop_ship_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg32") / "ws"
    return shipped_night(on_demo(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_taken_and_only_the_nordstrom_line_past_its_cancel_date_refused(night):
    ws, found, states = night
    assert not [f for f in found if f[1] == "error"]
    assert {c for c, _s, _po in found} <= NOTED | {"BACKORDER_AFTER_CANCEL", "ASN_LATE"}
    assert [f[2] for f in found if f[0] == "BACKORDER_AFTER_CANCEL"] == ["N7744120915"]
    accepted_as_ordered(ws, {p: pos for p, pos in POS.items() if p != "nordstromcom"})
    assert set(states.values()) == {"invoiced"} and len(states) == 5
    # acknowledged as the consumer ordered: 1 calculator, not a case of 12; 1 stapler, not the store minimum of 5
    assert not {"CASE_PACK_ROUNDED", "QTY_BELOW_MINIMUM"} & {c for c, _s, _po in found}


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    ws, _found, _states = night
    all_sent_accepted(ws, PARTNERS, tmp_path, maps, shipments=6, answers=5)


def test_target_dvs_each_parcel_is_its_own_856_and_810_with_its_tracking_and_the_guests_order(night):
    """Target.com's two lines left as two parcels: two 856s (S-O-P-I, the parcel's tracking number at the P level)
    and two 810s, each with the guest's order number (REF*CO) and the DPCI (IN) beside the UPC as the PO sent them."""
    ws, _found, _states = night
    for shipment, tracking, line in (("TG-SHP-01", "1Z0OBEAST000052001", ["LIN", "1", "UP", "614141100453", "IN",
                                                                          "042030456"]),
                                     ("TG-SHP-02", "1Z0OBEAST000052002", ["LIN", "2", "UP", "614141100804", "IN",
                                                                          "042030457"])):
        asn = po_segments(segments(ws, "targetdvs", "856"), shipment, "BSN")
        assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "P", "I"]
        at = next(k for k, s in enumerate(asn) if s[0] == "HL" and s[3] == "P")
        assert asn[at + 1] == ["REF", "CN", tracking] and line in asn and ["REF", "CO", "102004417731"] in asn
    bills = [s for s in segments(ws, "targetdvs", "810") if s[0] in ("BIG", "TDS")]
    assert [s[1] for s in bills if s[0] == "TDS"] == ["1960", "358"]
    assert {s[4] for s in bills if s[0] == "BIG"} == {"0041883290"}


def test_target_dvs_856_keeps_the_pos_td512_when_the_warehouse_names_its_service(night):
    """Target.com routed the order UPS at TD512 SG; the warehouse confirms UPSN with its service named GND: the
    856's TD5 has GND as routing text (TD505) and the PO's SG (TD512) the guide checks. Before, the name hid the
    PO's code and the 856 had no TD512 at all."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "targetdvs", "856"), "TG-SHP-01", "BSN")
    td5 = next(s for s in asn if s[0] == "TD5")
    assert td5 == ["TD5", "B", "2", "UPSN", "M", "GND", "", "", "", "", "", "", "SG"]


def test_bloomingdales_4030_po_is_answered_in_its_own_envelope_and_the_consumer_address_kept(night):
    """The 997 answers the 4030 group as it came (ISA 00403 with the ^ repetition separator, GS08 004030); the
    calculator is acknowledged 1 EA (a consumer's unit, not the case of 12); the consumer's N2 and both N3 elements
    reach the 856 and 810; the 810 bills the PO's N1*BT and REF*IA/CO."""
    ws, _found, _states = night
    ack = segments(ws, "bcomdsv", "997")
    assert ack[0][11:13] == ["^", "00403"] and ack[1][8] == "004030"
    po_ack = po_segments(segments(ws, "bcomdsv", "855"), "7712045531", "BAK")
    assert [s[1:4] for s in po_ack if s[0] == "ACK"] == [["IA", "1", "EA"]]
    asn = po_segments(segments(ws, "bcomdsv", "856"), "BC-SHP-01", "BSN")
    at = asn.index(["N1", "ST", "SAMIRA PATEL"])
    assert asn[at + 1: at + 4] == [["N2", "C/O BUILDING CONCIERGE"], ["N3", "200 E 72ND ST", "APT 14F"],
                                   ["N4", "NEW YORK", "NY", "10021", "US"]]
    inv = po_segments(segments(ws, "bcomdsv", "810"), "7712045531", "BIG")
    assert ["N1", "BT", "BLOOMINGDALES.COM", "92", "BCOMDS"] in inv and ["TDS", "1675"] in inv
    assert [s for s in inv if s[0] == "REF"][1:] == [["REF", "IA", "8812345"], ["REF", "CO", "B44871902"]]


def test_belk_sku_and_references_come_back_on_every_document(night):
    """Belk.com's own SKU (PO1 SK) is echoed on the 855's PO1, the 856's LIN and the 810's IT1; its vendor number
    and customer order (REF*IA, REF*CO) on each; the consumer's attention line and suite on the 856."""
    ws, _found, _states = night
    po_ack = po_segments(segments(ws, "belkcom", "855"), "6608813274", "BAK")
    assert po_ack[1:3] == [["REF", "IA", "004417"], ["REF", "CO", "BLK90022871"]]
    assert [s[-1] for s in po_ack if s[0] == "PO1"] == ["1189921304", "1189921311"]
    asn = po_segments(segments(ws, "belkcom", "856"), "BK-SHP-01", "BSN")
    assert [s[-2:] for s in asn if s[0] == "LIN"] == [["SK", "1189921304"], ["SK", "1189921311"]]
    assert ["N2", "ATTN FRONT OFFICE"] in asn and ["N3", "4122 PROVIDENCE RD", "STE 210"] in asn
    inv = po_segments(segments(ws, "belkcom", "810"), "6608813274", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "2", "EA", "12.39"], ["2", "1", "EA", "9.9"]]
    assert ["TDS", "3468"] in inv and ["REF", "CO", "BLK90022871"] in inv


def test_nordstrom_line_we_cannot_ship_before_its_cancel_date_is_answered_ir_and_not_billed(night):
    """The gel pens have no stock before the PO's DTM 001: the 855 (BAK02 AC) answers line 2 IR (rejected) with
    the other line accepted; the 856 and 810 carry the paper alone; the FedEx 2-day level (SE) rides in TD512."""
    ws, _found, _states = night
    po_ack = po_segments(segments(ws, "nordstromcom", "855"), "N7744120915", "BAK")
    assert po_ack[0][2] == "AC" and [s[1:4] for s in po_ack if s[0] == "ACK"] == [["IA", "1", "EA"], ["IR", "2", "EA"]]
    asn = po_segments(segments(ws, "nordstromcom", "856"), "NS-SHP-01", "BSN")
    assert [s[1] for s in asn if s[0] == "LIN"] == ["1"]
    assert next(s for s in asn if s[0] == "TD5")[-1] == "SE"
    inv = po_segments(segments(ws, "nordstromcom", "810"), "N7744120915", "BIG")
    assert [s[1] for s in inv if s[0] == "IT1"] == ["1"] and ["TDS", "1970"] in inv


def test_kohls_dsco_consumer_name_and_zip_plus_four_are_kept(night):
    ws, _found, _states = night
    asn = po_segments(segments(ws, "kohlsdsco", "856"), "KD-SHP-01", "BSN")
    at = asn.index(["N1", "ST", "MARCUS O'BRIEN"])
    assert asn[at + 1: at + 4] == [["N2", "BLDG 4"], ["N3", "1500 N MAYFAIR RD"],
                                   ["N4", "WAUWATOSA", "WI", "53226-3255", "US"]]
    inv = po_segments(segments(ws, "kohlsdsco", "810"), "KD20261125118", "BIG")
    assert ["TDS", "2497"] in inv and ["REF", "IA", "660021"] in inv and ["N1", "ST", "MARCUS O'BRIEN"] in inv


def test_target_line_msg_at_4010_position_289_is_read_and_reported_with_the_gift_message():
    """Target.com's MSG directly in the PO1 loop (no N9 before it) is read as the line's note, reported beside the
    heading's N9 gift message for ops to print on the packing slip (NOTES_NOT_KEPT), not refused as out of place."""
    seen = inspected_clean(FIXTURES / "drops" / "targetdvs" / "tgt-dvs-850-0041883290.x12", NOTED, POS)
    [note] = [f["message"] for f in seen["findings"] if f["code"] == "NOTES_NOT_KEPT"]
    assert "(N9 L1 GIFT) 'HAPPY BIRTHDAY MAYA - LOVE AUNT JO'" in note and "(line 1) 'GIFT RECEIPT INCLUDED'" in note
