"""Laboratory, dental and school supply distributors, as their public EDI material describes them: tests/fixtures/rg39/
holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's confirmation of what
shipped (the rg2 DC). Fisher Scientific (its supplier 850, 004010, as its guide lists it: BEG, PER, FOB, an N9/MSG
note, the N1 loop with its REF and PER, no heading DTM or ITD; PO1 by its vendor catalogue number VC and its own BP,
PID, PWK, DTM 002 and an AMT per line; CTT and AMT TT); VWR (CUR, REF DP/IA, PER BD, FOB CC, 1 % 15 net 45, DTM
002/010, TD5 routing, N1 ST/BT/VN, PO1 VP/BP with CTP CON); Patterson Dental (005010 from a DUNS+4, ISA qualifier 14;
a heading SAC allowance taken off invoice, 2 % 10 net 30, lines in boxes by UP/VN/BP); Benco Dental (a drop ship,
BEG02 DS, to a dental office by Benco's own number, N103 91, the dentist's N2, two N3 lines and PER IC in the ST loop;
REF CO; TD5 UPS ground); School Specialty (a ship window DTM 037/038, 1 % 30 net 60, PO1 UP/VN/IN with PID and PO4, a
line in cases). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our
validator, Bots and pyx12."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg39"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"fisher": {"4500872231": 2}, "vwr": {"VW81204455": 2}, "patterson": {"PD20118834": 2},
       "benco": {"BN7730412": 2}, "schoolspecialty": {"SS6102877": 2}}
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED"}  # Fisher's N9/MSG note; Patterson's allowance (inspect knows no profile)
NIGHT_NOTED = NOTED | {"ASN_LATE", "SHIPMENT_UNIT_CONVERTED"}  # confirmations hours after the trucks left


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg39") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5)


def test_each_buyer_answered_to_its_own_envelope_ids_and_terms(night):
    ws, _found, _states = night
    # Patterson's DUNS+4 (ISA qualifier 14) answered as sent, in 005010 (AK103, ISA11 ^)
    pat = segments(ws, "patterson", "997")
    assert pat[0][7:9] == ["14", "0065010180001  "] and pat[0][11:13] == ["^", "00501"]
    assert ["AK1", "PO", "201188", "005010"] in pat
    # Fisher's lines by its vendor catalogue number (VC, ours) and its own BP, echoed on the 855, 856 and 810
    ack = po_segments(segments(ws, "fisher", "855"), "4500872231", "BAK")
    assert [s[1:] for s in ack if s[0] == "PO1"] == [["1", "20", "CS", "42.5", "", "VC", "LAB-501", "BP", "11390021"],
                                                    ["2", "12", "CS", "96", "", "VC", "LAB-502", "BP", "21377144"]]
    assert [s[1:] for s in segments(ws, "fisher", "856") if s[0] == "LIN"] == [["1", "BP", "11390021", "VC", "LAB-501"],
                                                                             ["2", "BP", "21377144", "VC", "LAB-502"]]
    inv = po_segments(segments(ws, "fisher", "810"), "4500872231", "BIG")
    assert ["TDS", "200200"] in inv  # its AMT TT 2002.00: 20 x 42.50 + 12 x 96.00
    # Patterson's heading allowance taken off invoice (SAC12 02): 40 x 22.50 + 25 x 31.00 - 50.00, 2 % 10 net 30
    inv = po_segments(segments(ws, "patterson", "810"), "PD20118834", "BIG")
    assert inv[-3:] == [["TDS", "162500"], ["SAC", "A", "C310", "", "", "5000", "", "", "", "", "", "", "02", "", "",
                                             "PROMO ALLOWANCE"], ["CTT", "2"]]
    assert ["ITD", "01", "3", "2", "", "10", "", "30"] in inv
    # VWR's 1 % 15 net 45 and CUR; its requested ship date (DTM 010) is the 855's ship date
    inv = po_segments(segments(ws, "vwr", "810"), "VW81204455", "BIG")
    assert ["ITD", "01", "3", "1", "", "15", "", "45"] in inv and ["TDS", "107450"] in inv
    assert ["DTM", "068", "20261201"] in po_segments(segments(ws, "vwr", "855"), "VW81204455", "BAK")
    # School Specialty's ship window opens Nov 30: the 855 ships no earlier; cases as ordered
    ack = po_segments(segments(ws, "schoolspecialty", "855"), "SS6102877", "BAK")
    assert [s[1:] for s in ack if s[0] == "ACK"] == [["IA", "60", "EA", "068", "20261130"],
                                                    ["IA", "10", "CA", "068", "20261130"]]
    # Benco's dental office by Benco's number (91) with the dentist and both address lines; REF CO, on the 856 and 810
    for kind, key, head in (("856", "BN-SHP-01", "BSN"), ("810", "BN7730412", "BIG")):
        doc = po_segments(segments(ws, "benco", kind), key, head)
        at = doc.index(["N1", "ST", "LAKESIDE FAMILY DENTISTRY", "91", "OF-229104"])
        assert doc[at + 1: at + 4] == [["N2", "DR A KOWALSKI"], ["N3", "44 LAKE ST", "SUITE 3"],
                                       ["N4", "WILKES BARRE", "PA", "18702", "US"]], kind
        assert ["REF", "CO", "BDC-558012"] in doc


def test_fishers_810_is_the_heading_its_supplier_guide_lists(night, tmp_path):
    """Fisher Scientific's supplier 810 (4010) lists a heading of BIG and the N1 loop, N1 alone, then IT1 and PID; TDS,
    SAC, CTT: no REF, no N2/N3/N4, no ITD, no DTM. Its profile names no REF (shipment_refs, order_refs, no
    vendor_number), ship_date and ship_to_n2 false, but every 810 still wrote the parties' N3/N4 and an ITD (the
    agreed terms), segments its guide does not have: [fulfilment.invoice] party_addresses = false and itd = false
    leave them out, built one by one (the night's: a ship-to with an N2) or per column (none) alike; other partners
    keep both."""
    ws, _found, _states = night
    inv = po_segments(segments(ws, "fisher", "810"), "4500872231", "BIG")
    assert inv[1:3] == [["N1", "BT", "FISHER SCIENTIFIC COMPANY LLC", "92", "FS01"],
                        ["N1", "ST", "FISHER SCIENTIFIC PITTSBURGH DC", "92", "0410"]]
    assert [s[0] for s in inv] == ["BIG", "N1", "N1", "IT1", "PID", "IT1", "PID", "TDS", "CTT"]
    assert ["ITD", "01", "3", "1", "", "15", "", "45"] in po_segments(segments(ws, "vwr", "810"), "VW81204455", "BIG")
    assert ["N4", "RADNOR", "PA", "19087", "US"] in po_segments(segments(ws, "vwr", "810"), "VW81204455", "BIG")
    # its ship-to's N2 (RECEIVING DOCK 7) had the night's 810 built one by one; without it, per column alike
    import shutil

    fixtures = tmp_path / "rg39"
    shutil.copytree(FIXTURES, fixtures)
    po = fixtures / "drops" / "fisher" / "FSC850_4500872231.x12"
    po.write_bytes(po.read_bytes().replace(b"N2*RECEIVING DOCK 7~\n", b"").replace(b"SE*28*", b"SE*27*"))
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text("".join(r for r in rows if r.startswith(("Shipment ID", "FS-SHP-01"))), encoding="utf-8")
    ws, _found, states = shipped_night(of_its_own(fixtures, tmp_path / "ws", {"fisher": [po.name]},
                                                  warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY)
    assert states == {("fisher", "4500872231"): "invoiced"}
    inv = po_segments(segments(ws, "fisher", "810"), "4500872231", "BIG")
    assert [s[0] for s in inv] == ["BIG", "N1", "N1", "IT1", "PID", "IT1", "PID", "TDS", "CTT"]


def _fisher_po(swaps: tuple[tuple[bytes, bytes], ...], tmp_path):
    path = FIXTURES / "drops" / "fisher" / "FSC850_4500872231.x12"
    data = path.read_bytes()
    for old, new in swaps:
        assert old in data
        data = data.replace(old, new)
    out = tmp_path / path.name
    out.write_bytes(data)
    return out


def test_paperwork_a_pwk_asks_for_is_passed_on_not_dropped(tmp_path):
    """Fisher Scientific's supplier 850 asks in each PO1 loop for a certificate of analysis (PWK*CT*BM: certification,
    by mail). No 855, 856 or warehouse order of ours carries or answers a PWK: the request used to be dropped without
    a word, the lot shipped without its certificates. It is now quoted with the PO's notes (NOTES_NOT_KEPT) for a
    person to pass on, with its line; a heading PWK too. The order is taken as sent."""
    from tests.retailer_support import inspected

    n9 = (b"N9*L1*SPECIAL INSTRUCTIONS~\nMSG*LOT CERTIFICATES REQUIRED WITH SHIPMENT~\n", b"")
    seen = inspected(_fisher_po((n9, (b"SE*28*", b"SE*26*")), tmp_path))
    assert [(f["code"], f["severity"], f["message"]) for f in seen["findings"]] == [(
        "NOTES_NOT_KEPT", "warning", "The PO carries notes no order, 855, 856 or warehouse order of ours carries: "
        "(line 1) 'PWK CT BM CERTIFICATE OF ANALYSIS'; (line 2) 'PWK CT BM CERTIFICATE OF ANALYSIS'. Pass them on to "
        "whoever must act on them.")]
    assert [o["line_count"] for o in seen["orders"]] == [2]
    # a heading PWK (a packing list sent electronically), no line's
    seen = inspected(_fisher_po((n9, (b"FOB*PP~\n", b"FOB*PP~\nPWK*PL*EL~\n"),
                                 (b"PWK*CT*BM*****CERTIFICATE OF ANALYSIS~\n", b""), (b"SE*28*", b"SE*25*")), tmp_path))
    assert [f["message"] for f in seen["findings"]] == [
        "The PO carries notes no order, 855, 856 or warehouse order of ours carries: 'PWK PL EL'. Pass them on to "
        "whoever must act on them."]
    # none: nothing
    seen = inspected(_fisher_po((n9, (b"PWK*CT*BM*****CERTIFICATE OF ANALYSIS~\n", b""), (b"SE*28*", b"SE*24*")),
                                tmp_path))
    assert seen["findings"] == []


def test_a_po_whose_stated_total_differs_from_its_lines_is_flagged(tmp_path):
    """Fisher's supplier 850 closes with AMT*TT, the total as the buyer calculated it. AMT was read by no parser or
    rule: a PO stating 2400.00 whose lines add up to 2002.00 was taken, acknowledged and invoiced at 2002.00 without a
    word. Now PO_TOTAL_MISMATCH (a warning) names both; the order is still taken as sent. A total that is the lines'
    sum, or that sum with the PO's SAC allowances and charges, says nothing."""
    from tests.retailer_support import inspected

    seen = inspected(_fisher_po(((b"AMT*TT*2002", b"AMT*TT*2400"),), tmp_path))
    told = [(f["code"], f["severity"], f["message"]) for f in seen["findings"] if f["code"] != "NOTES_NOT_KEPT"]
    assert told == [("PO_TOTAL_MISMATCH", "warning", "AMT*TT states the PO's total as 2400; its lines add up to "
                     "2002.00 (PO102 x PO104). The order is taken, acknowledged and invoiced at its lines' prices: "
                     "check with the partner which is meant.")]
    assert [o["line_count"] for o in seen["orders"]] == [2]
    # the lines' sum written with cents, or that sum less the PO's allowance of 50.00 (SAC05 N2): nothing
    assert not [f for f in inspected(_fisher_po(((b"AMT*TT*2002", b"AMT*TT*2002.00"),), tmp_path))["findings"]
                if f["code"] == "PO_TOTAL_MISMATCH"]
    seen = inspected(_fisher_po(((b"FOB*PP~\n", b"FOB*PP~\nSAC*A*C310***5000~\n"), (b"AMT*TT*2002", b"AMT*TT*1952"),
                                 (b"SE*28*", b"SE*29*")), tmp_path))
    assert not [f for f in seen["findings"] if f["code"] == "PO_TOTAL_MISMATCH"]
    # a price per hundred (PO105 HP: 4250 per 100 cases is 42.50 a case) is counted so: the total is the lines' sum
    seen = inspected(_fisher_po(((b"PO1*1*20*CS*42.5**", b"PO1*1*20*CS*4250*HP*"),), tmp_path))
    assert not [f for f in seen["findings"] if f["code"] == "PO_TOTAL_MISMATCH"]
    # a price per each on a case (per each of the case, or per case: translators write both) is not judged
    seen = inspected(_fisher_po(((b"PO1*1*20*CS*42.5**", b"PO1*1*20*CS*4.25*PE*"),), tmp_path))
    assert not [f for f in seen["findings"] if f["code"] == "PO_TOTAL_MISMATCH"]
    # a line's own AMT (AMT*1, its amount) is not the PO's total: not compared
    seen = inspected(_fisher_po(((b"AMT*1*850", b"AMT*1*900"),), tmp_path))
    assert not [f for f in seen["findings"] if f["code"] == "PO_TOTAL_MISMATCH"]


def test_a_po_naming_us_by_another_number_in_its_vendor_n1_loop_is_flagged(tmp_path):
    """VWR names its supplier in an N1*VN loop by the number it assigned (N103 92). A PO with no REF*IA or REF*VR under
    another of our numbers there (VWR9999) than the VWR3318 our 855, 856 and 810 write back went unflagged (only the
    REFs were compared); now VENDOR_NUMBER_MISMATCH (a warning) names it. The sweep's night (N1*VN 92 VWR3318 beside
    REF*IA VWR3318) raises nothing; a REF*IA still wins over the N1 loop."""
    import shutil

    fixtures = tmp_path / "rg39"
    shutil.copytree(FIXTURES, fixtures)
    po = fixtures / "drops" / "vwr" / "VWR_850_VW81204455.edi"
    po.write_bytes(po.read_bytes().replace(b"REF*IA*VWR3318~\n", b"").replace(b"92*VWR3318", b"92*VWR9999")
                   .replace(b"SE*26*", b"SE*25*"))
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text("".join(r for r in rows if r.startswith(("Shipment ID", "VW-SHP-01"))), encoding="utf-8")
    ws, found, states = shipped_night(of_its_own(fixtures, tmp_path / "ws", {"vwr": [po.name]},
                                                 warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY, messages=True)
    assert states == {("vwr", "VW81204455"): "invoiced"}  # answered and shipped as ordered
    assert [f[1:] for f in found if f[0] == "VENDOR_NUMBER_MISMATCH"] == [(
        "warning", "VW81204455", "N1*VN 92 VWR9999 names us by another vendor number than the VWR3318 our 855, 856 "
        "and 810 carry for this partner.")]
    assert ["REF", "IA", "VWR3318"] in po_segments(segments(ws, "vwr", "810"), "VW81204455", "BIG")


def test_the_vendor_n1_loop_is_read_only_when_no_ref_names_us():
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from rules.business.vendor_number import check_vendor_number
    from schemas.rule_settings import RuleSettings

    path = FIXTURES / "drops" / "vwr" / "VWR_850_VW81204455.edi"
    data = path.read_bytes().replace(b"92*VWR3318", b"92*VWR9999")

    def told(sent: bytes) -> list[str]:
        result = read_interchanges(sent, file=path.name)
        orders = read_orders(result, list(result.transaction_sets()), partner="vwr")[0]
        settings = RuleSettings(vendor_numbers=("VWR3318",))
        return [f.message.split(" names")[0] for f in check_vendor_number(orders, settings)]

    assert told(data) == []  # REF*IA VWR3318 is the number the PO names us by
    assert told(data.replace(b"REF*IA*VWR3318~\n", b"")) == ["N1*VN 92 VWR9999"]
    assert told(data.replace(b"REF*IA*VWR3318~\n", b"REF*VR*VWR7777~\n")) == ["REF*VR VWR7777"]
    # an N1*VN by another qualifier (a DUNS, 1) is not the buyer's number for us; N1*SU 92 is
    assert told(data.replace(b"REF*IA*VWR3318~\n", b"").replace(b"*92*VWR9999", b"*1*123456789")) == []
    assert told(data.replace(b"REF*IA*VWR3318~\n", b"").replace(b"N1*VN*", b"N1*SU*")) == ["N1*SU 92 VWR9999"]


def test_a_contract_price_other_than_po104_is_flagged(tmp_path):
    """VWR's line at PO104 18.75 with CTP**CON*17.5: the contract price was kept and compared with nothing (pinned
    here as a strict xfail by rg39). Now PRICE_CTP_MISMATCH (rg41: tests/test_rg41_auto_gas_healthcare_dropship.py)
    names both; the line is still answered and invoiced at PO104."""
    import shutil

    fixtures = tmp_path / "rg39"
    shutil.copytree(FIXTURES, fixtures)
    po = fixtures / "drops" / "vwr" / "VWR_850_VW81204455.edi"
    po.write_bytes(po.read_bytes().replace(b"CTP**CON*18.75", b"CTP**CON*17.5"))
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text("".join(r for r in rows if r.startswith(("Shipment ID", "VW-SHP-01"))), encoding="utf-8")
    _ws, found, _states = shipped_night(of_its_own(fixtures, tmp_path / "ws", {"vwr": [po.name]},
                                                   warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY, messages=True)
    assert any("17.5" in f[3] for f in found if f[2] == "VW81204455")
