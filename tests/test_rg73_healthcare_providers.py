"""Hospitals and health systems buying medical-surgical products from a manufacturer, through GHX (the hub most US and
Canadian hospitals send 850s through) and direct, in the shapes of GHX's 4010 850 specification, the GS1 Healthcare
US order-to-cash guidance (GLNs and GTINs, consignment and bill-only orders) and the hospitals' and distributors'
public 850 guides (facts carried over, the files written here): tests/fixtures/rg73/ holds each one's profile,
reference rows, stock, 850s and the east DC's confirmation of what shipped (the rg2 DC). Providence through GHX (the
interchange from the hub's phone-number id, ISA05 12, the group from another, GS02 PSJHGHX; a Vizient contract,
REF*CT, quoted back on the 856 and 810; a department ship-to: N1*ST 91 with N2 central sterile in two elements, N3
with its receiving dock, PER RE; gloves by the box of 100, PO4; sutures by their HIBC number, PO1 HI, whose check
character is a '/'; an IV start kit by the case at a price under ours, acknowledged IP at ours, a warning); HCA
(005010 from its DUNS, ISA05 01; BEG02 KN; a weekly par-level replenishment of a nursing unit, N9/MTX; HealthTrust's
contract in REF*CT and on each line, PO1 CT; the hospital and its unit by GLN, N103 UL; prep pads by the box, masks
by the dozen, foam dressings by the pack of 5); Alberta Health Services (CAD; a nursing unit of a Calgary hospital
with its shipping bay, PER IC; GST on the 810; blood pressure cuffs by the case, CA of 20, IV catheters by the
carton, CT of 200); Mayo Clinic (implants it holds on consignment: the replenishment of the consigned stock, BEG02
CN, shipped on memo with each lot and expiry, no 810 until used); Owens & Minor (a distributor's drop ship to a
hospital's clinic, N1 BY the hospital by its HIN, the clinic by address with an attention N2; its item numbers IN
with our part MG). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our
validator, Bots and pyx12. Variants: a price under the contract by more than the approval threshold (held for a
person with the reason, the PO accepted by its 997, not refused); a PO4 whose pack differs from ours (held, both
counts named); a line whose own N1*ST is the hospital's but names another department (N2: another nursing unit); a
bill-only order (implants a surgery used from the consigned stock, each with its lot REF*LT, serial REF*SE and expiry
DTM*036, the case REF*CR), invoiced from the PO without anything reserved or shipped from our DC (its profile's
[fulfilment.invoice] bill_only)."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    findings_and_states,
    inspected,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    recounted,
    segments,
    shipped_night,
    variant_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg73"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"providence": {"PSJ7300101": 3}, "hca": {"HCA7300202": 3}, "ahs": {"AHS7300303": 2},
       "mayo": {"MC7300404": 2}, "owensminor": {"OM7300505": 2}}
# HCA's par-level note and Mayo's consignment note (N9/MTX, N9/MSG) go to a person; Providence's kit priced under
# ours by more than the 1% tolerance is acknowledged at ours (ACK IP) and told
NOTED = {"NOTES_NOT_KEPT"}
NIGHT_NOTED = {"NOTES_NOT_KEPT", "PRICE_OUT_OF_TOLERANCE", "ASN_LATE"}
MEMO = {("mayo", "MC7300404")}


def _variant(partner, po, tmp_path, swaps=(), **kw):
    return variant_night(FIXTURES, partner, po, tmp_path, [(a.encode(), b.encode()) for a, b in swaps],
                         warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY, **kw)


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg73") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced_or_on_memo(night):
    ws, found, _states = night
    # Providence's kit line is acknowledged IP (the price changed to ours), its two other lines IA
    pos = {p: pos for p, pos in POS.items() if p != "providence"}
    night_all_invoiced((ws, [f for f in found if f[2] != "PSJ7300101"], {k: v for k, v in night[2].items()
                                                                        if k[0] != "providence"}),
                       pos, NIGHT_NOTED, memo=MEMO)
    assert night[2][("providence", "PSJ7300101")] == "invoiced"
    ack = po_segments(segments(ws, "providence", "855"), "PSJ7300101", "BAK")
    assert [s[:3] for s in ack if s[0] == "ACK"] == [["ACK", "IA", "20"], ["ACK", "IA", "3"], ["ACK", "IP", "2"]]
    assert [f for f in found if f[2] == "PSJ7300101" and f[0] != "ASN_LATE"] == [
        ("PRICE_OUT_OF_TOLERANCE", "warning", "PSJ7300101")]


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    # five 856s; four 810s (Mayo's consigned stock ships on memo, no 810); five 855s
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5, invoices=4)


def test_ghx_envelopes_are_answered_at_the_ids_they_came_from(night):
    """The 997s and what follows go back to each interchange's own ISA05/ISA06 (GHX's phone-number id 12, HCA's DUNS
    01, AHS's ZZ) and to the group's GS02, which is not the ISA's (GHX routes by it); 005010 answered in 005010."""
    ws, _found, _states = night
    for partner, isa, gs, version in (("providence", ["12", "5035550100     "], "PSJHGHX", "004010"),
                                      ("hca", ["01", "078722541      "], "HCASUPPLY", "005010"),
                                      ("ahs", ["ZZ", "GHXAHS         "], "AHSPROCURE", "004010")):
        for kind in ("997", "855", "856", "810"):
            segs = segments(ws, partner, kind)
            assert all(s[7:9] == isa for s in segs if s[0] == "ISA"), (partner, kind)
            assert all(s[3] == gs and s[8].startswith(version) for s in segs if s[0] == "GS"), (partner, kind)


def test_each_hospital_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # Providence: the department ship-to (both N2 elements kept), its dock, the contract quoted back; the sutures by
    # their HIBC number as sent, '/' check character included; the kit billed at our case price
    asn = po_segments(segments(ws, "providence", "856"), "PSJ-SHP-01", "BSN")
    inv = po_segments(segments(ws, "providence", "810"), "PSJ7300101", "BIG")
    for doc in (asn, inv):
        assert ["N1", "ST", "PROVIDENCE PORTLAND MEDICAL CENTER", "91", "PPMC"] in doc
        assert ["N3", "4805 NE GLISAN ST", "RECEIVING DOCK 2"] in doc and ["REF", "CT", "VZ-MS2026-0412"] in doc
        assert any(s[0] == "N2" and "CENTRAL STERILE SUPPLY" in s[1] and "ATTN 3RD FLOOR" in "".join(s) for s in doc)
    assert ["LIN", "2", "VC", "RG73-02", "HI", "+H614RG730211/", "LT", "SU2609K"] in asn
    assert ["IT1", "2", "3", "BX", "86.4", "", "VC", "RG73-02", "HI", "+H614RG730211/"] in inv
    assert ["IT1", "3", "2", "CS", "152.5", "", "VC", "RG73-03", "IN", "100877"] in inv and ["TDS", "76020"] in inv
    # HCA: the unit's GLN and N2, PO1 CT echoed on every line, masks by the dozen and dressings by the pack of 5
    ack = po_segments(segments(ws, "hca", "855"), "HCA7300202", "BAK")
    inv = po_segments(segments(ws, "hca", "810"), "HCA7300202", "BIG")
    asn = po_segments(segments(ws, "hca", "856"), "HCA-SHP-01", "BSN")
    assert ["ACK", "IA", "50", "DZ", "068", "20261125"] in ack and ["ACK", "IA", "12", "PK", "068", "20261125"] in ack
    for doc in (asn, inv):
        assert ["N1", "ST", "TRISTAR CENTENNIAL MEDICAL CENTER", "UL", "0614141000029"] in doc
        assert ["N2", "4 WEST MED SURG"] in doc and ["REF", "CT", "HPG-MS-88120"] in doc
    assert ["IT1", "2", "50", "DZ", "1.32", "", "VC", "RG73-04", "CT", "HPG-MS-88120"] in inv
    assert ["IT1", "3", "12", "PK", "12", "", "VC", "RG73-09", "CT", "HPG-MS-88120"] in inv and ["TDS", "33600"] in inv
    assert ["SN1", "", "12", "PK", "", "12", "PK"] in asn and ["DTM", "036", "20290831"] in asn
    # Alberta Health Services: in CAD, the unit and its bay, cuffs by the case of 20 and catheters by the carton
    inv = po_segments(segments(ws, "ahs", "810"), "AHS7300303", "BIG")
    assert ["CUR", "SE", "CAD"] in inv and ["N2", "UNIT 4B CARDIOLOGY"] in inv
    assert ["N4", "CALGARY", "AB", "T2N 2T9", "CA"] in inv
    assert ["IT1", "1", "2", "CA", "290", "", "VN", "RG73-07", "UP", "614141730704"] in inv
    assert ["IT1", "2", "3", "CT", "236", "", "VN", "RG73-10", "UP", "614141731008"] in inv
    # GST at 5 % for Alberta (the profile's [[fulfilment.invoice.taxes]]): 1,288.00 + 64.40
    assert ["TDS", "135240"] in inv and ["TXI", "GS", "64.4", "5", "", "", "", "", "", "123456789RT0001"] in inv
    # Mayo: the consigned implants shipped with each lot and expiry, on memo: no 810
    asn = po_segments(segments(ws, "mayo", "856"), "MC-SHP-01", "BSN")
    assert ["LIN", "1", "UP", "614141730506", "VN", "RG73-05", "LT", "BS2607F"] in asn
    assert ["DTM", "036", "20310531"] in asn
    assert not list((ws.drop_root / "mayo" / "outbox").glob("mayo-810-*"))
    # Owens & Minor: the clinic by address with its attention line, the hospital by HIN, boxes as ordered
    inv = po_segments(segments(ws, "owensminor", "810"), "OM7300505", "BIG")
    assert ["N1", "ST", "VCU HEALTH NEUROSCIENCE CLINIC"] in inv and ["N2", "ATTN CLINIC SUPPLY ROOM"] in inv
    assert ["N1", "BY", "VCU HEALTH SYSTEM", "21", "2234567AB"] in inv
    assert ["IT1", "1", "8", "BX", "23", "", "IN", "OM-1147230", "MG", "RG73-09", "UP", "614141730902"] in inv


def test_a_price_under_the_contract_beyond_the_threshold_waits_for_a_person_and_is_not_refused(tmp_path):
    """The kit at 140 a case (ours 152.50, 8.2 % under: the customer's approval threshold is 5 %): the PO is accepted
    by its 997, held with the reason in numbers, no 855 until a person decides, nothing allocated or shipped."""
    ws, found, states = _variant("providence", "PSJ7300101", tmp_path, [("*2*CS*148**", "*2*CS*140**")],
                                 shipped_swaps=[("PSJ7300101", "PSJ7300199")])
    acks = segments(ws, "providence", "997")
    assert [s[1] for s in acks if s[0] == "AK5"] == ["A"]
    assert states == {("providence", "PSJ7300101"): "held"}
    assert [f[3] for f in found if f[0] == "DISCOUNT_OVER_THRESHOLD"] == [
        "PO104 140.00 is 8.2% below our price 152.50; more than the 5% that needs approval."]
    assert not list((ws.drop_root / "providence" / "outbox").glob("providence-855-*"))


def test_a_pack_count_unlike_ours_holds_the_order_naming_both_counts(tmp_path):
    """HCA's PO4 says a pack of foam dressings holds 6; ours holds 5: held, both counts said, the 997 accepting."""
    ws, found, states = _variant("hca", "HCA7300202", tmp_path, [("PO4*5*1*EA", "PO4*6*1*EA")],
                                 shipped_swaps=[("HCA7300202", "HCA7300299")])
    assert [s[1] for s in segments(ws, "hca", "997") if s[0] == "AK5"] == ["A"]
    assert states == {("hca", "HCA7300202"): "held"}
    [told] = [f[3] for f in found if f[0] == "CASE_PACK_MISMATCH"]
    assert "holds 6 eaches" in told and "ours holds 5" in told


LINE_UNIT = ("PID*F****PROCEDURE MASK EAR LOOP~", "PID*F****PROCEDURE MASK EAR LOOP~\n"
             "N1*ST*TRISTAR CENTENNIAL MEDICAL CENTER*UL*0614141000029~\nN2*5 EAST ONCOLOGY~")


def test_a_line_for_another_department_of_the_hospital_is_named(tmp_path):
    """Hospitals order for several nursing units on one PO: the masks' PO1 loop names its own N1*ST, the hospital's
    GLN as the heading's, with another unit (N2 5 EAST ONCOLOGY). Every line is labelled, shipped and invoiced to
    the heading's unit (4 WEST MED SURG), and the line's own unit was dropped without a word (a line's N1*ST naming
    the heading's party said nothing, whatever its N2): the masks reached the wrong ward. Now the set checks name
    the line's department (LINE_SHIP_TO_NOT_APPLIED, a warning: the hospital's dock is right, the order ships)."""
    ws, found, states = _variant("hca", "HCA7300202", tmp_path, [LINE_UNIT])
    assert states == {("hca", "HCA7300202"): "invoiced"}
    [told] = [f for f in found if f[0] == "LINE_SHIP_TO_NOT_APPLIED"]
    assert told[1] == "warning"
    assert "line 2 N1*ST TRISTAR CENTENNIAL MEDICAL CENTER UL 0614141000029 N2 5 EAST ONCOLOGY" in told[3]
    assert "N2 4 WEST MED SURG" in told[3]
    assert not [f for f in found if f[0] == "LINE_SHIP_TO_DIFFERS"]


@pytest.mark.parametrize("n2", ["N2*4 WEST MED SURG~\n", ""], ids=["the-heading-s-unit", "no-unit"])
def test_a_line_at_the_heading_s_department_or_without_one_says_nothing(n2, tmp_path):
    path = FIXTURES / "drops" / "hca" / "HCA850_HCA7300202.x12"
    own = LINE_UNIT[0] + "\nN1*ST*TRISTAR CENTENNIAL MEDICAL CENTER*UL*0614141000029~\n" + n2
    copy = tmp_path / path.name
    copy.write_bytes(recounted(path.read_bytes().replace(LINE_UNIT[0].encode(), own.encode())))
    assert "LINE_SHIP_TO_NOT_APPLIED" not in {f["code"] for f in inspected(copy)["findings"]}


def test_an_860_raising_the_sutures_is_answered_by_a_revised_855_at_the_prices_we_told(tmp_path):
    """Providence's 860 through GHX (BCH 04, the line by its VC and HIBC number) raises the sutures from 3 to 5 boxes
    before shipment; Providence is answered by revised 855s (change_ack = "855"). The kit line the 860 left alone
    was acknowledged IP at our price, 152.50 a case (its PO104 148 was under ours): the revised 855 said IP at 148,
    the PO's price, while the 810 bills 152.50 (engine.answer.status_from_line, restating a line a change left
    alone, dropped its stored ack_price). Now it restates the price we told; 5 boxes ship and are billed."""
    from tests.support import deliver_all, run_stages, ship_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"providence": ["GHX_850_PSJ7300101.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    change = FIXTURES / "changes" / "GHX_860_PSJ7300101.x12"
    shutil.copy2(change, ws.drop_root / "providence" / "inbox" / change.name)
    run_stages(ws, datetime(2026, 11, 26, 2))
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    rows = (FIXTURES / "shipments" / "east-shipments-20261201.csv").read_text(encoding="utf-8").splitlines(True)
    (inbox / "east-shipments-20261201.csv").write_text("".join(
        r.replace(",RG73-02,3,BX,", ",RG73-02,5,BX,") for r in rows if r.startswith("Shipment") or ",PSJ7300101," in r),
        encoding="utf-8")
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    assert ["AK2", "860", "73011"] in segments(ws, "providence", "997")
    answers = segments(ws, "providence", "855")
    revised = answers[next(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"]):]
    lines = [s for s in revised[:next(k for k, s in enumerate(revised) if s[0] == "SE")] if s[0] in ("PO1", "ACK")]
    assert lines == [
        ["PO1", "1", "20", "BX", "9.8", "", "VC", "RG73-01", "IN", "100234", "UK", "00614141730100"],
        ["ACK", "IA", "20", "BX", "068", "20261126"],
        ["PO1", "2", "5", "BX", "86.4", "", "VC", "RG73-02", "HI", "+H614RG730211/"],
        ["ACK", "IA", "5", "BX", "068", "20261126"],
        ["PO1", "3", "2", "CS", "152.5", "", "VC", "RG73-03", "IN", "100877"],
        ["ACK", "IP", "2", "CS", "068", "20261126"]]
    _found, states = findings_and_states(ws)
    assert states == {("providence", "PSJ7300101"): "invoiced"}
    inv = segments(ws, "providence", "810")
    assert ["IT1", "2", "5", "BX", "86.4", "", "VC", "RG73-02", "HI", "+H614RG730211/"] in inv
    assert ["IT1", "3", "2", "CS", "152.5", "", "VC", "RG73-03", "IN", "100877"] in inv and ["TDS", "93300"] in inv


BILL_ONLY = FIXTURES / "billonly" / "GHX_850_MC7300406.x12"


def _bill_only_night(tmp_path):
    copy = tmp_path / "rg73"
    shutil.copytree(FIXTURES, copy)
    for f in (copy / "drops" / "mayo").iterdir():
        f.unlink()
    shutil.copy2(BILL_ONLY, copy / "drops" / "mayo" / BILL_ONLY.name)
    (copy / "shipments" / "east-shipments-20261201.csv").write_text(
        (FIXTURES / "shipments" / "east-shipments-20261201.csv").read_text(encoding="utf-8").splitlines(True)[0],
        encoding="utf-8")
    ws = of_its_own(copy, tmp_path / "ws", {"mayo": [BILL_ONLY.name]}, warehouses=WAREHOUSES)
    return shipped_night(ws, copy, NIGHT, SHIP_DAY, messages=True)


def test_a_bill_only_order_is_read_and_accepted_with_its_lots_and_case_named(tmp_path):
    """Mayo's bill-only PO (BEG02 KN, N9 BILL ONLY): the implants a surgery used from the consigned stock, each with
    its lot (REF*LT), the rod's serial (REF*SE) and expiry (DTM*036), the surgical case in the heading (REF*CR).
    Read without an error and accepted by its 997; the lots, serial and expiry are named for a person (NOTES_NOT_KEPT,
    LINE_DATES_NOT_APPLIED), the case kept among the PO's references."""
    seen = inspected(BILL_ONLY, {"NOTES_NOT_KEPT", "LINE_DATES_NOT_APPLIED"})
    [order] = seen["orders"]
    assert order["order_type"] == "KN"
    assert {"qualifier": "CR", "id": "OR-2611-0442", "description": None} in order["refs_sent"]
    [notes] = [f["message"] for f in seen["findings"] if f["code"] == "NOTES_NOT_KEPT"]
    assert "REF LT BS2607F" in notes and "REF SE SR2605G-0117" in notes and "BILL ONLY" in notes
    ws, _found, _states = _bill_only_night(tmp_path)
    assert [s[1] for s in segments(ws, "mayo", "997") if s[0] == "AK5"] == ["A"]


def test_a_bill_only_order_is_invoiced_with_nothing_reserved_or_shipped(tmp_path):
    """Mayo's profile marks bill-only POs by N9*ZZ*BILL ONLY ([fulfilment.invoice] bill_only): acknowledged, nothing
    reserved, its usage recorded and billed the night it came (its 810 delivered that night), so the next run (the
    ship day's) closes it as any order whose 810s went; the lots and the rod's serial carried back (line_refs)."""
    from connectors.state import StateStore

    ws, _found, states = _bill_only_night(tmp_path)
    assert states == {("mayo", "MC7300406"): "closed"}
    state = StateStore(ws.state_path)
    try:
        events = [e["event"] for e in state.order_history("mayo", "MC7300406")]
        assert not state.reservations()
    finally:
        state.close()
    assert events.index("shipped_in_full") < events.index("invoiced_in_full") < events.index("closed")
    inv = po_segments(segments(ws, "mayo", "810"), "MC7300406", "BIG")
    assert ["IT1", "1", "2", "EA", "412", "", "VN", "RG73-05", "UP", "614141730506"] in inv
    assert not list((ws.drop_root / "mayo" / "outbox").glob("mayo-856-*"))
    assert ["REF", "LT", "BS2607F"] in inv and ["REF", "SE", "SR2605G-0117"] in inv
    assert ["DTM", "011", "20261125"] in inv  # billed the night the PO came
