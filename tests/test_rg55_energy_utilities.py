"""Energy, utility and oil and gas procurement, in the shapes their public supplier material describes:
tests/fixtures/rg55/ holds each buyer's profile, reference rows, stock, 850s and the east DC's confirmation of what
shipped (the rg2 DC). Duke Energy (the Utility Industry Group's 004010 PO from its DUNS: a nine-digit PO number, BEG02
SA; REF*CT its alliance contract; ITD 05 net 60; a storeroom ship-to by code; prices to 3 decimals and, by its
electronic-invoicing rules, invoices with no more than 3 decimals of price and 2 of quantity; a transformer line
delivered in two SCH parts with its inspection note, N9*QC/MSG; the utility's exemption per line, TXI ST with TXI06
1); Chevron (SAP orders through the Ariba Network: ISA ARIBAEDI, GS its network id, BEG02 NE, REF*CT the outline
agreement and REF*AE the authorization for expenditure, AFE; net 90; PO1 10/20/30 without PO105, a pump rebuild kit
as one lot, LO; each line's WBS element, REF*ZZ, and delivery date); Marathon Petroleum (SAP refinery MRO orders in
005010 from its DUNS: PO1 00010/00020/00030 with SAP's trailing zeros, 18-digit material numbers, a plant and storage
location ship-to, each line's cost centre or WBS element, a pipe line's quality requirements, N9*QC/MTX, 1 % 10 net
60). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and
pyx12. Fixed: a PO's AFE (REF*AE) was dropped and no profile could ask for it; a line reference's REF03 (which of
the buyer's accounts a REF*ZZ names: WBS element or cost centre) was not echoed; a service line by the hour (items.csv
kind "service") was rejected as out of stock and never billed: it is acknowledged IA, left off the 856 and billed on
the 810 with the goods (tests/test_service_items.py for the rest)."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg55"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"duke": {"260418837": 3}, "chevron": {"4512077120": 3}, "marathon": {"4502883104": 3}}
# notes no document of ours carries (receiving instructions, inspection and quality requirements); Duke's
# transformers delivered in two parts (SCH): the line is allocated and shipped whole
NOTED = {"NOTES_NOT_KEPT", "SCH_NOT_APPLIED"}
NIGHT_NOTED = NOTED | {"ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg55") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # Duke: its DUNS answered as sent; the alliance contract quoted; prices to no more than 3 decimals and quantities
    # to 2, as its invoicing rules ask; its terms (05, net 60) billed
    assert segments(ws, "duke", "997")[0][7:9] == ["01", "006996222      "]
    ack = po_segments(segments(ws, "duke", "855"), "260418837", "BAK")
    assert ["REF", "CT", "DE-ALLIANCE-0117"] in ack
    assert ["PO1", "1", "6.00", "EA", "1842.375", "PE", "BP", "9100245", "VP", "RG55-01"] in ack
    inv = po_segments(segments(ws, "duke", "810"), "260418837", "BIG")
    assert ["IT1", "3", "40.00", "EA", "28.500", "PE", "BP", "9100412", "VP", "RG55-03"] in inv
    assert ["ITD", "05", "3", "", "", "", "", "60"] in inv and ["TDS", "1500675"] in inv  # 11054.25 + 2812.50 + 1140
    # Chevron through Ariba: its network id as the group's receiver; the SAP item numbers and the lot as sent; net 90
    assert segments(ws, "chevron", "855")[1][3] == "AN01000123456"
    inv = po_segments(segments(ws, "chevron", "810"), "4512077120", "BIG")
    assert ["IT1", "20", "1", "LO", "1250", "", "BP", "10120077", "VP", "RG55-05"] in inv
    assert ["ITD", "01", "3", "", "", "", "", "90"] in inv and ["TDS", "489360"] in inv  # 2073.60 + 1250 + 1570
    # each line's WBS element after its IT1 and PID ([fulfilment.invoice] line_refs ZZ)
    assert inv[inv.index(["IT1", "20", "1", "LO", "1250", "", "BP", "10120077", "VP", "RG55-05"]) + 2][:3] == [
        "REF", "ZZ", "US31-0412.02"]
    # Marathon: 005010 from its DUNS; SAP's item numbers kept, its trailing zeros answered as the numbers they are;
    # the cost centre of each line; 1 % 10 net 60
    assert segments(ws, "marathon", "997")[0][12] == "00501"
    ack = po_segments(segments(ws, "marathon", "855"), "4502883104", "BAK")
    assert ["PO1", "00010", "50", "EA", "12.5", "PE", "BP", "000000000010077412", "VP", "RG55-07"] in ack
    inv = po_segments(segments(ws, "marathon", "810"), "4502883104", "BIG")
    assert ["ITD", "01", "3", "1", "", "10", "", "60"] in inv and ["TDS", "457200"] in inv  # 625 + 1280 + 2667
    assert inv[inv.index(["IT1", "00030", "84", "FT", "31.75", "PE", "BP", "000000000010031190", "VP",
                          "RG55-09"]) + 2][:3] == ["REF", "ZZ", "E-1150-26-0088"]


def test_an_operator_s_afe_is_kept_and_quoted_back(night):
    """Oil and gas operators charge a purchase to an authorization for expenditure (AFE) and code its invoice by it:
    Chevron's SAP orders send it as REF*AE beside the outline agreement (REF*CT). It was dropped (no ORDERS column, no
    order_refs code a profile could name: the profile was refused). Now it is kept (ORDERS afe_number) and a profile
    listing "AE" in order_refs carries it back as sent, on the 855 and the 810."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "chevron", "855"), "4512077120", "BAK")
    assert ack[1:4] == [["REF", "IA", "CVX-204418"], ["REF", "CT", "4600088123"], ["REF", "AE", "AFE-SA-26-0412"]]
    inv = po_segments(segments(ws, "chevron", "810"), "4512077120", "BIG")
    assert ["REF", "AE", "AFE-SA-26-0412"] in inv
    # the 856's order level names the agreement alone, as its profile asks
    asn = po_segments(segments(ws, "chevron", "856"), "CH-SHP-01", "BSN")
    assert ["REF", "CT", "4600088123"] in asn and not [s for s in asn if s[:2] == ["REF", "AE"]]


def test_a_line_reference_is_quoted_back_with_its_description(night):
    """SAP orders name each line's account by a mutually defined REF*ZZ whose REF03 says which it is: Marathon's
    REF*ZZ*11501220*COST CENTER and REF*ZZ*E-1150-26-0088*WBS ELEMENT, Chevron's REF*ZZ*US31-0412.02*WBS ELEMENT. A
    line's own REFs were kept as REF01 and REF02 alone, so the 855, 856 and 810 echoed REF*ZZ*11501220: a number
    the buyer's accounts payable cannot tell a cost centre from a WBS element by (and a REF*ZZ*<name>*<value> lost
    its value). Now REF03 is kept with the line's REF (ORDER_LINES line_refs description) and written back as sent:
    on the 855 (the columnar writer), the 856's item and the 810's IT1 loop."""
    ws, _found, _states = night
    for kind, head in (("855", "BAK"), ("810", "BIG")):
        doc = po_segments(segments(ws, "marathon", kind), "4502883104", head)
        assert [s for s in doc if s[0] == "REF" and s[1] == "ZZ"] == [
            ["REF", "ZZ", "11501220", "COST CENTER"], ["REF", "ZZ", "11501220", "COST CENTER"],
            ["REF", "ZZ", "E-1150-26-0088", "WBS ELEMENT"]], kind
    asn = po_segments(segments(ws, "chevron", "856"), "CH-SHP-01", "BSN")
    assert asn[asn.index(["LIN", "20", "BP", "10120077", "VP", "RG55-05"]) + 3] == [
        "REF", "ZZ", "US31-0412.02", "WBS ELEMENT"]
    inv = po_segments(segments(ws, "chevron", "810"), "4512077120", "BIG")
    assert [s for s in inv if s[:2] == ["REF", "ZZ"]] == [["REF", "ZZ", "US31-0412.01", "WBS ELEMENT"],
                                                          ["REF", "ZZ", "US31-0412.02", "WBS ELEMENT"],
                                                          ["REF", "ZZ", "US31-0412.01", "WBS ELEMENT"]]


def test_a_line_reference_without_a_description_is_written_as_before():
    from engine.asn import line_ref_segments, row_refs

    # a line stored before REF03 was kept (no description key), one without REF03, one with it
    row = {"line_refs": [{"qualifier": "LI", "id": "0001"}, {"qualifier": "ZZ", "id": "7", "description": None},
                         {"qualifier": "ZZ", "id": "8", "description": "COST CENTER"}]}
    assert line_ref_segments(row_refs(row), ["LI", "ZZ"]) == [["REF", "LI", "0001"], ["REF", "ZZ", "7"],
                                                              ["REF", "ZZ", "8", "COST CENTER"]]
    assert line_ref_segments((("CO", "77"),), ["CO"]) == [["REF", "CO", "77"]]  # pairs, as before


def test_a_service_line_by_the_hour_is_accepted_and_billed(tmp_path):
    ws, found, states = variant_night(
        FIXTURES, "chevron", "4512077120", tmp_path,
        ((b"CTT*3*225~", b"PO1*40*16*HR*145**BP*3000412*VP*RG55-10~PID*F****FIELD SERVICE TECHNICIAN~"
                         b"DTM*002*20261204~CTT*4*241~"), (b"AMT*TT*4893.6", b"AMT*TT*7213.6")),
        warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY)
    assert not [f for f in found if f[0] == "STOCK_SHORT_REJECTED"], found
    assert {f[0] for f in found} <= NIGHT_NOTED
    assert states == {("chevron", "4512077120"): "invoiced"}
    # acknowledged as ordered (items.csv kind "service": no stock, nothing reserved)
    ack = po_segments(segments(ws, "chevron", "855"), "4512077120", "BAK")
    at = ack.index(["PO1", "40", "16", "HR", "145", "", "BP", "3000412", "VP", "RG55-10"])
    assert ack[at + 1] == ["ACK", "IA", "16", "HR", "068", "20261125"]
    # not on the 856: the shipment's 856 is the one the PO without the service line gets
    asn = po_segments(segments(ws, "chevron", "856"), "CH-SHP-01", "BSN")
    alone = variant_night(FIXTURES, "chevron", "4512077120", tmp_path / "goods", warehouses=WAREHOUSES, night=NIGHT,
                          ship_day=SHIP_DAY)[0]
    assert asn == po_segments(segments(alone, "chevron", "856"), "CH-SHP-01", "BSN")
    assert not [s for s in asn if s[0] == "LIN" and "RG55-10" in s]
    # billed on the shipment's 810 at its price, with the goods: 4893.60 + 16 x 145 = 7213.60
    inv = po_segments(segments(ws, "chevron", "810"), "4512077120", "BIG")
    assert [s for s in inv if s[0] in ("IT1", "TDS", "CTT")] == [
        ["IT1", "10", "24", "EA", "86.4", "", "BP", "10118842", "VP", "RG55-04"],
        ["IT1", "20", "1", "LO", "1250", "", "BP", "10120077", "VP", "RG55-05"],
        ["IT1", "30", "200", "EA", "7.85", "", "BP", "10104415", "VP", "RG55-06"],
        ["IT1", "40", "16", "HR", "145", "", "BP", "3000412", "VP", "RG55-10"], ["TDS", "721360"], ["CTT", "4"]]
    # finance finds it shipped (delivered with the shipment) and invoiced: no exception names the line
    from connectors.state import StateStore
    from flows import steps

    state = StateStore(ws.state_path)
    try:
        steps.reconcile_run(ws, ws.partners(), state, now=datetime(2026, 12, 20, 3), run_id="rc20")
        exceptions = state.stored_exceptions().to_pylist()
    finally:
        state.close()
    assert not [e for e in exceptions if e["line_number"] == 40 or e["type"] in (
        "SHIPPED_NOT_INVOICED", "INVOICED_NOT_SHIPPED", "NOT_SHIPPED_BY_PROMISED_DATE", "INVOICE_QUANTITY_MISMATCH")
                ], exceptions
    # our 856 is worth the goods it carried (4893.60), the 855 and 810 the hours too (a 997 not yet come for each)
    values = {e["message"].split(" ")[4]: e["message"].rsplit(" ", 1)[1] for e in exceptions
              if e["type"] == "DOCUMENT_UNACKNOWLEDGED"}
    assert values == {"855": "7,213.60", "856": "4,893.60", "810": "7,213.60"}, exceptions  # (thousands: words68)
