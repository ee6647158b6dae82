"""Drop-ship hubs and marketplaces that send 850s on behalf of many retailers, as their guides describe them:
tests/fixtures/rg15/ holds each one's profile, reference rows, 850s written in its shapes and the warehouse's
confirmation of what shipped. CommerceHub (Rithum: one ISA id for every retailer, each retailer by its GS02, Home
Depot.com and Lowe's.com in one interchange; BEG02 SA; REF*CO and the retailer's own REF*IA vendor number; DTM 001
cancel after; heading and per-line TD5; N9/MSG packing-slip and gift text; the consumer's N1*ST with N2 and a
two-element N3; per-line REF*CO; PO101 as the retailer numbers its lines, 7 and 9); QVC direct (BEG02 DS, nine-digit
ST02s, a Canadian consumer, a PO box with ZIP+4, a line we cannot fill before the cancel date); Logicbroker for Best
Buy (TD5 with the service level alone, the consumer's N2 of two elements, REF*LI per line); Kohl's.com via SPS
Commerce (TD512 service level, a gift-wrap charge paid by the customer, a gift message). Each night is run as the
partners would see it: inspect, the 997s and 855s, then the 856s and 810s: ONE night for the whole group."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    accepted_as_ordered,
    inspected,
    inspected_clean,
    on_demo,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg15"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 27, 14, 30)

POS = {"commercehub": {"41187702": 2, "1092284417": 2}, "qvc": {"Q2611250044": 2, "Q2611250051": 1},
       "logicbroker": {"LB-3387441": 2}, "spsdrop": {"KC-55018823": 2}}
# packing-slip and gift messages no document keeps; the gift-wrap charge the customer pays (SAC12 06), on no 810
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_hub_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg15") / "ws"
    return shipped_night(on_demo(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def _gs03_of(segs: list[list[str]], head: str, at: int) -> dict[str, str]:
    """Each set's key (``head``'s element ``at``: BAK03, BIG04, BSN02) -> the GS03 of the group it went in."""
    gs03, out = None, {}
    for s in segs:
        if s[0] == "GS":
            gs03 = s[3]
        elif s[0] == head:
            out[s[at]] = gs03
    return out


def test_every_hub_po_is_accepted_and_invoiced_and_the_line_past_its_cancel_date_rejected(night):
    ws, found, states = night
    assert not [f for f in found if f[1] == "error"]
    assert {c for c, _s, _po in found} <= NOTED | {"ASN_LATE", "BACKORDER_AFTER_CANCEL"}
    # the label maker QVC ordered has no stock before the PO's DTM 001: that line alone is rejected
    assert [f[2] for f in found if f[0] == "BACKORDER_AFTER_CANCEL"] == ["Q2611250044"]
    accepted_as_ordered(ws, {p: pos for p, pos in POS.items() if p != "qvc"})
    assert set(states.values()) == {"invoiced"} and len(states) == sum(map(len, POS.values()))
    # drop-ship orders are acknowledged as the consumer ordered them: 1 calculator, not a case of 12
    assert not {"CASE_PACK_ROUNDED", "QTY_BELOW_MINIMUM"} & {c for c, _s, _po in found}


def test_commercehub_answers_each_retailer_at_its_gs02_with_its_own_vendor_number(night):
    """CommerceHub relays Home Depot.com and Lowe's.com under one ISA id, each retailer in its own GS02 and each
    naming its own vendor number for us (REF*IA) in its PO. Each 997, 855, 856 and 810 goes to the retailer's GS02,
    and carries that retailer's vendor number as its PO stated it: a profile's one vendor_number cannot, so
    order_refs "IA" echoes the PO's (before, "IA" was refused and the documents went without it, or with one
    retailer's number on every retailer's documents)."""
    ws, _found, _states = night
    want = {"41187702": "THEHOMEDEPOTINC", "1092284417": "LOWESCOM"}
    assert _gs03_of(segments(ws, "commercehub", "855"), "BAK", 3) == want
    assert _gs03_of(segments(ws, "commercehub", "810"), "BIG", 4) == want
    assert _gs03_of(segments(ws, "commercehub", "856"), "BSN", 2) == {"HD-SHP-01": "THEHOMEDEPOTINC",
                                                                       "HD-SHP-02": "THEHOMEDEPOTINC",
                                                                       "LW-SHP-01": "LOWESCOM"}
    assert [s[3] for s in segments(ws, "commercehub", "997") if s[0] == "GS"] == ["THEHOMEDEPOTINC", "LOWESCOM"]
    vendor = {"41187702": "0098765", "1092284417": "55120"}
    customer = {"41187702": "W451879920", "1092284417": "LW-88213307"}
    for po, number in vendor.items():
        ack = po_segments(segments(ws, "commercehub", "855"), po, "BAK")
        assert ack[1:3] == [["REF", "IA", number], ["REF", "CO", customer[po]]]
        inv = po_segments(segments(ws, "commercehub", "810"), po, "BIG")
        assert [s for s in inv if s[0] == "REF"] == [["REF", "SI", s[2]] for s in inv if s[:2] == ["REF", "SI"]] + \
            [["REF", "IA", number], ["REF", "CO", customer[po]]]
    for shipment, po in (("HD-SHP-01", "41187702"), ("HD-SHP-02", "41187702"), ("LW-SHP-01", "1092284417")):
        asn = po_segments(segments(ws, "commercehub", "856"), shipment, "BSN")
        at = asn.index(["PRF", po, "", "", "20261125"])
        assert asn[at + 1: at + 3] == [["REF", "IA", vendor[po]], ["REF", "CO", customer[po]]]


def test_commercehub_consumer_address_lines_and_retailer_line_numbers_are_echoed(night):
    """The consumer's N2 (care of) and both N3 elements (the apartment) reach the 856 and 810 as sent; Lowe's
    numbers its lines 7 and 9 (PO101), which the 855's PO1, the 856's LIN01 and the 810's IT101 give back; each
    parcel is its own package with its tracking number."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "commercehub", "856"), "HD-SHP-01", "BSN")
    at = asn.index(["N1", "ST", "MARIA L GONZALEZ"])
    assert asn[at + 1: at + 4] == [["N2", "C/O GONZALEZ FAMILY TRUST"], ["N3", "1420 WILLOW BEND RD", "APT 3B"],
                                   ["N4", "PLANO", "TX", "75093", "US"]]
    inv = po_segments(segments(ws, "commercehub", "810"), "41187702", "BIG")
    assert ["N3", "1420 WILLOW BEND RD", "APT 3B"] in inv and ["N2", "C/O GONZALEZ FAMILY TRUST"] in inv
    ack = po_segments(segments(ws, "commercehub", "855"), "1092284417", "BAK")
    assert [s[1] for s in ack if s[0] == "PO1"] == ["7", "9"]
    lowes = po_segments(segments(ws, "commercehub", "856"), "LW-SHP-01", "BSN")
    assert [s[1] for s in lowes if s[0] == "LIN"] == ["7", "9"]
    assert ["N3", "77 HARBOR VIEW TER", "UNIT 1204"] in lowes
    bill = po_segments(segments(ws, "commercehub", "810"), "1092284417", "BIG")
    assert [s[1:5] for s in bill if s[0] == "IT1"] == [["7", "4", "EA", "12.39"], ["9", "1", "EA", "16.75"]]
    assert ["TDS", "6631"] in bill  # 4 x 12.39 + 16.75
    # Home Depot.com's two lines left by two carriers: two shipments, each a package with its own tracking number
    for shipment, tracking in (("HD-SHP-01", "1Z0OBEAST000041001"), ("HD-SHP-02", "612999000204411")):
        one = po_segments(segments(ws, "commercehub", "856"), shipment, "BSN")
        at = next(k for k, s in enumerate(one) if s[0] == "HL" and s[3] == "P")
        assert one[at + 1] == ["REF", "CN", tracking]


def test_qvc_acknowledges_line_by_line_and_ships_to_its_canadian_and_po_box_consumers(night):
    ws, _found, _states = night
    acks = segments(ws, "qvc", "997")
    assert [s[2] for s in acks if s[0] == "AK2"] == ["000300044", "000300051"]
    assert {s[1] for s in acks if s[0] == "AK5"} == {"A"}
    ack = po_segments(segments(ws, "qvc", "855"), "Q2611250044", "BAK")
    assert ack[0][2] == "AC" and ["REF", "IA", "QV7731"] in ack and ["REF", "CO", "7731055412"] in ack
    assert [s[1:4] for s in ack if s[0] == "ACK"] == [["IA", "3", "EA"], ["IR", "2", "EA"]]
    assert po_segments(segments(ws, "qvc", "855"), "Q2611250051", "BAK")[0][2] == "AD"
    asn = po_segments(segments(ws, "qvc", "856"), "QV-SHP-01", "BSN")
    assert ["N3", "250 WELLINGTON ST W", "SUITE 1802"] in asn and ["N4", "TORONTO", "ON", "M5V 3P6", "CA"] in asn
    box = po_segments(segments(ws, "qvc", "856"), "QV-SHP-02", "BSN")
    at = box.index(["N1", "ST", "DEVON A. WASHINGTON-REYES"])
    assert box[at + 1: at + 4] == [["N2", "ATTN RECEPTION DESK"], ["N3", "PO BOX 4418"],
                                   ["N4", "ANCHORAGE", "AK", "99509-4418", "US"]]
    inv = po_segments(segments(ws, "qvc", "810"), "Q2611250044", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "3", "EA", "4.7"]] and ["TDS", "1410"] in inv


def test_logicbroker_and_sps_parcels_each_carry_their_tracking_and_invoices_bill_what_shipped(night):
    ws, _found, _states = night
    asn = po_segments(segments(ws, "logicbroker", "856"), "LB-SHP-01", "BSN")
    packs = [asn[k + 1] for k, s in enumerate(asn) if s[0] == "HL" and s[3] == "P"]
    assert packs == [["REF", "CN", "1Z0OBEAST000041003"], ["REF", "CN", "1Z0OBEAST000041004"]]
    assert ["N1", "ST", "KEISHA BROWN", "92", "BBY-SHIPTO-1"] in asn and ["REF", "CO", "BBY-81152207"] in asn
    assert ["TDS", "3034"] in po_segments(segments(ws, "logicbroker", "810"), "LB-3387441", "BIG")
    inv = po_segments(segments(ws, "spsdrop", "810"), "KC-55018823", "BIG")
    # 2 x 6.25 + 4.28: the gift wrap (SAC12 06, paid by the customer) is not ours to bill
    assert ["TDS", "1678"] in inv and ["REF", "IA", "660021"] in inv and ["REF", "CO", "KOHLS-9917723"] in inv
    sps = po_segments(segments(ws, "spsdrop", "856"), "KC-SHP-01", "BSN")
    assert [s[2:4] for s in sps if s[0] == "SN1"] == [["2", "EA"], ["1", "EA"]]


@pytest.mark.parametrize("table", ["po_ack", "asn", "invoice"])
def test_a_vendor_number_and_the_pos_own_ia_together_are_refused(table):
    """order_refs "IA" echoes the PO's REF*IA; with the profile's vendor_number as well, the document would carry
    two REF*IA (perhaps two different numbers): refused when the profile is loaded, naming both."""
    from pydantic import ValidationError

    from schemas.fulfilment import AsnSettings, InvoiceSettings, PoAckSettings

    model = {"po_ack": PoAckSettings, "asn": AsnSettings, "invoice": InvoiceSettings}[table]
    assert model.model_validate({"order_refs": ["IA", "CO"]}).order_refs == ("IA", "CO")
    with pytest.raises(ValidationError, match="vendor_number"):
        model.model_validate({"order_refs": ["IA"], "vendor_number": "0098765"})
    if table == "invoice":  # a vendor number written as REF*VR beside the PO's REF*IA is two references
        kept = model.model_validate({"order_refs": ["IA"], "vendor_number": "V1", "vendor_number_qualifier": "VR"})
        assert kept.vendor_number == "V1"


def test_a_hub_po_with_another_retailers_po_number_is_not_taken_for_its_order(tmp_path):
    """Retailers behind one hub number their POs each on their own: night 2 Lowe's.com (GS02 LOWESCOM) sends a PO
    41187702, the number of Home Depot.com's order taken on night 1, then cancels it (BEG01 01). Neither is Home
    Depot's: its order stays as it was (not cancelled), and each Lowe's set is an error naming both retailers for
    ops to take by hand. Before, the first was a silent ORDER_DUPLICATE (warning: Lowe's order lost) and the cancel
    cancelled Home Depot's order."""
    import shutil

    from connectors.state import StateStore
    from tests.support import deliver_all, run_stages

    ws = on_demo(FIXTURES, tmp_path / "ws", drops={"commercehub": ["chub-850-hdcom-lowescom-20261126.x12"]})
    run_stages(ws, NIGHT)
    for f in (FIXTURES / "night2" / "commercehub").iterdir():
        shutil.copy2(f, ws.drop_root / "commercehub" / "inbox" / f.name)
    night2 = datetime(2026, 11, 28, 2)
    run_stages(ws, night2)
    deliver_all(ws, night2)
    state = StateStore(ws.state_path)
    try:
        found = [(f["code"], f["severity"], f["po_number"], f["message"]) for f in state.findings()]
        states = {o.key: o.state.value for o in state.orders()}
    finally:
        state.close()
    other = [f for f in found if f[0] == "PO_OF_ANOTHER_BUYER"]
    assert [f[1:3] for f in other] == [("error", "41187702")] * 2
    assert all("LOWESCOM" in f[3] and "THEHOMEDEPOTINC" in f[3] for f in other)
    assert "ORDER_DUPLICATE" not in {f[0] for f in found}
    assert states[("commercehub", "41187702")] == "acknowledged"
    acks = segments(ws, "commercehub", "997")
    assert [s[2] for s in acks if s[0] == "AK1"] == ["881204", "881205", "881377"]
    assert {s[1] for s in acks if s[0] == "AK5"} == {"A"}
    assert sum(s[0] == "BAK" and s[3] == "41187702" for s in segments(ws, "commercehub", "855")) == 1


def _changes_night(tmp_path, *, one_buyer: bool, files: list[str]):
    """Night 1 takes CommerceHub's Home Depot.com and Lowe's.com POs; night 2 the Lowe's.com 860s ``files`` (of
    tests/fixtures/rg15/changes), each for PO 41187702, Home Depot's number. ``one_buyer``: the profile lists no
    their_gs_ids (a partner of one buyer whose GS02 changed). -> (workspace, findings, Home Depot's order's state,
    its lines' (PO101, quantity, state))."""
    import shutil

    from connectors.state import StateStore
    from tests.support import deliver_all, run_stages

    ws = on_demo(FIXTURES, tmp_path / "ws", drops={"commercehub": ["chub-850-hdcom-lowescom-20261126.x12"]})
    if one_buyer:
        profile = ws.partners_dir / "commercehub.toml"
        text = profile.read_text(encoding="utf-8")
        assert 'their_gs_ids = ["LOWESCOM"]\n' in text
        profile.write_text(text.replace('their_gs_ids = ["LOWESCOM"]\n', ""), encoding="utf-8")
    run_stages(ws, NIGHT)
    deliver_all(ws, NIGHT)
    for name in files:
        shutil.copy2(FIXTURES / "changes" / "commercehub" / name, ws.drop_root / "commercehub" / "inbox" / name)
    night2 = datetime(2026, 11, 28, 2)
    run_stages(ws, night2)
    deliver_all(ws, night2)
    state = StateStore(ws.state_path)
    try:
        found = [(f["code"], f["severity"], f["po_number"], f["message"]) for f in state.findings()]
        order = {o.key: o.state.value for o in state.orders()}[("commercehub", "41187702")]
        lines = [(ln.line_id, ln.ordered, ln.state.value) for ln in state.order_lines("commercehub", "41187702")]
    finally:
        state.close()
    return ws, found, order, lines


CHANGE_860, CANCEL_860 = "chub-860-lowescom-change-20261128.x12", "chub-860-lowescom-cancel-20261128.x12"


@pytest.mark.parametrize("name", [CHANGE_860, CANCEL_860])
def test_inspect_reads_each_lowes_860_without_an_error(name):
    seen = inspected(FIXTURES / "changes" / "commercehub" / name)
    assert not [f for f in seen["findings"] if f["severity"] == "error"]


def test_a_hub_860_naming_another_retailers_po_number_leaves_its_order_as_it_was(tmp_path):
    """Night 2 Lowe's.com (GS02 LOWESCOM) sends an 860 changing line 1 of PO 41187702 to 5 and an 860 cancelling
    it (BCH01 01): the number of Home Depot.com's order taken on night 1, which Lowe's cannot change. Home Depot's
    order and lines are as they were, each 860 is an error naming both retailers for ops, its 997 accepts it and
    no 855 (change_ack) or 865 answers it. Before, Lowe's 860s changed and then cancelled Home Depot's order."""
    ws, found, order, lines = _changes_night(tmp_path, one_buyer=False, files=[CHANGE_860, CANCEL_860])
    before = segments(ws, "commercehub", "855")
    other = [f for f in found if f[0] == "PO_OF_ANOTHER_BUYER"]
    assert [f[1:3] for f in other] == [("error", "41187702")] * 2
    assert all("LOWESCOM" in f[3] and "THEHOMEDEPOTINC" in f[3] and "860" in f[3] for f in other)
    assert order == "acknowledged"
    assert [(i, q) for i, q, _s in lines] == [("1", 2), ("2", 1)]
    assert {s for _i, _q, s in lines} == {"allocated"}
    acks = segments(ws, "commercehub", "997")
    assert sorted(s[2] for s in acks if s[0] == "AK1") == ["881204", "881205", "881390", "881391"]
    assert {s[1] for s in acks if s[0] == "AK5"} == {"A"}
    assert sum(s[0] == "BAK" and s[3] == "41187702" for s in before) == 1  # night 1's 855 alone
    assert not list((ws.drop_root / "commercehub" / "outbox").glob("commercehub-865-*"))


def test_a_one_buyer_partner_s_860_from_a_changed_gs02_still_changes_its_order(tmp_path):
    """A partner whose profile lists no their_gs_ids is one buyer: its 860 from another GS02 (a new translator)
    is its own and changes its order as before (line 1 from 2 to 1, answered by an 855 as change_ack says)."""
    ws, found, order, lines = _changes_night(tmp_path, one_buyer=True, files=[CHANGE_860])
    assert "PO_OF_ANOTHER_BUYER" not in {f[0] for f in found} and not [f for f in found if f[1] == "error"]
    assert order == "acknowledged" and [(i, q) for i, q, _s in lines] == [("1", 1), ("2", 1)]
    answers = segments(ws, "commercehub", "855")
    starts = [k for k, s in enumerate(answers) if s[0] == "BAK" and s[3] == "41187702"]
    assert len(starts) == 2  # night 1's 855, then the change's
    assert [s[1:3] for s in answers[starts[1]:] if s[0] == "ACK"][0] == ["DR", "1"]


def test_a_line_s_own_carrier_and_service_is_told_not_dropped():
    """CommerceHub's Home Depot.com PO asks UPS Ground in its heading and FedEx Home Delivery for line 2 (a TD5 in
    its PO1 loop): only the heading's TD5 is kept, so line 2's is quoted in NOTES_NOT_KEPT for ops to pass on to the
    warehouse (it was dropped without a word); line 1's, the heading's again, is not."""
    seen = inspected(FIXTURES / "drops" / "commercehub" / "chub-850-hdcom-lowescom-20261126.x12", NOTED)
    [notes] = [f["message"] for f in seen["findings"] if f["code"] == "NOTES_NOT_KEPT"]
    assert "(line 2) 'TD5 FDEG FEDEX HOME DELIVERY'" in notes and "(line 1) 'TD5" not in notes
