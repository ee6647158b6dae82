"""Grocery co-ops, a VMI grocer and Canadian grocery and drug chains, as their public vendor material and grocery EDI
practice describe them: tests/fixtures/rg35/ holds each one's profile, reference rows, stock, 850s written in its
shapes and the east DC's confirmation of what shipped (the rg2 DC). Topco Associates (its PO number in its zero-padded
form, 00000nnnnnnn000, beside the member's PO, REF*CO and N9*CO, both to come back on the invoice; lines by UPC case
code 2-5-5, UA, or by GTIN-14 with Topco's item number, PI); The Save Mart Companies (vendor-managed inventory: our
855 proposes the order and Save Mart echoes it approved as an 850 with BEG01 06, confirmation; its guide forbids
resending an 855, so none is sent; zero-padded line numbers, DTM 002 with a time); Tops Markets (a UCC communications
id, ISA qualifier 08; a 2 % off-invoice allowance on the whole PO, SAC06/07, and a case allowance on a line, SAC08
rate per CA; a delivery window DTM 064/063; Tops item numbers, IN); Metro Inc. (005010, CUR*BY CAD, its department
REF*DP that its 810 must carry, bill-to and DC by GLN, N103 UL, a line by Metro's item number alone; its 810 with a UPC
or case code on every line, GST and QST per taxable line and in total); London Drugs (CAD, lines in eaches
pre-distributed to two stores by SDQ through its Richmond DC; its 810 with GST and BC PST). One night takes them all:
inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and pyx12."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg35"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"topco": {"000001761234000": 2}, "savemart": {"SM2611240021": 2}, "tops": {"T7110144": 2},
       "metro": {"MR45001234": 2}, "londondrugs": {"LD0900101": 2}}
# Topco's member PO note and Tops' receiving note (N9/MSG) are passed on by a person; without a profile inspect
# cannot know Tops' allowances are billed nor London Drugs' SDQ split applied
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED", "SDQ_NOT_APPLIED"}
# the confirmations arrive hours after the trucks left
NIGHT_NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED", "ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg35") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    # Save Mart's approved VMI order is answered by its 997 alone: its guide forbids another 855
    night_all_invoiced(night, POS, NIGHT_NOTED, no_855={"savemart"})


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=4)


def test_topco_both_po_numbers_come_back_as_sent(night):
    """Topco's PO number zero-padded as it sent it (BIG04, PRF01, BAK03) and the member's PO (REF*CO) on the 855,
    856 and 810, as Topco asks both back on the invoice; its UPC case code (UA, first on the 856's LIN) and its item
    number (PI) echoed."""
    ws, _found, _states = night
    po = "000001761234000"
    ack = po_segments(segments(ws, "topco", "855"), po, "BAK")
    assert ["REF", "CO", "456789"] in ack
    asn = po_segments(segments(ws, "topco", "856"), "TC-SHP-01", "BSN")
    assert ["PRF", po, "", "", "20261124"] in asn and ["REF", "CO", "456789"] in asn
    # the UPC case code the PO ordered by leads the LIN, before our part number (it used to follow it: UA was missing
    # from the default [fulfilment.asn] lin_qualifiers, GS1 ids first)
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "UA", "061414153551", "VN", "GRC-351"],
                                                    ["2", "UK", "10614141535528", "PI", "TP88120"]]
    inv = po_segments(segments(ws, "topco", "810"), po, "BIG")
    assert inv[0][4] == po and ["REF", "CO", "456789"] in inv
    assert [s[1:10] for s in inv if s[0] == "IT1"] == [
        ["1", "40", "CA", "11.4", "", "UA", "061414153551", "VN", "GRC-351"],
        ["2", "25", "CA", "31.2", "", "UK", "10614141535528", "PI", "TP88120"]]
    assert ["TDS", "123600"] in inv  # 40 x 11.40 + 25 x 31.20


def test_save_mart_approved_vmi_order_shipped_and_billed_without_an_855(night):
    """Save Mart's 850 echoing our VMI proposal (BEG01 06) is taken as an order, its zero-padded line numbers kept on
    the 856 (LIN01) and 810 (IT101); no 855 goes back."""
    ws, _found, _states = night
    assert not list((ws.drop_root / "savemart" / "outbox").glob("savemart-855-*"))
    asn = po_segments(segments(ws, "savemart", "856"), "SM-SHP-01", "BSN")
    assert [s[1] for s in asn if s[0] == "LIN"] == ["001", "002"]
    inv = po_segments(segments(ws, "savemart", "810"), "SM2611240021", "BIG")
    assert [s[1] for s in inv if s[0] == "IT1"] == ["001", "002"]
    assert ["TDS", "250800"] in inv  # 60 x 22.00 + 45 x 26.40


def test_tops_allowances_taken_off_the_invoice_and_its_envelope_answered(night):
    """Tops' case allowance (0.50 per CA on line 1, SAC08/09/10) on its line and its 2 % of the PO (SAC06 3, SAC07 2)
    in the summary, both off invoice (SAC12 02); answered to its UCC communications id (ISA qualifier 08)."""
    ws, _found, _states = night
    assert segments(ws, "tops", "997")[0][7:9] == ["08", "9250012340     "]
    # its delivery window opens 12-01 (DTM 064): promised to ship the day before, a day in transit (transit_days 1)
    ack = po_segments(segments(ws, "tops", "855"), "T7110144", "BAK")
    assert ["DTM", "068", "20261130"] in ack
    inv = po_segments(segments(ws, "tops", "810"), "T7110144", "BIG")
    assert ["SAC", "A", "C000", "", "", "2500", "", "", "0.5", "CA", "50", "", "02"] in inv
    assert ["SAC", "A", "C310", "", "", "4136", "3", "2", "", "", "", "", "02"] in inv
    assert ["TDS", "200164"] in inv  # 50 x 24.80 + 30 x 27.60 - 25.00 - 2 % of 2068.00


def test_metro_5010_answered_in_5010_billed_in_cad_with_gst_and_qst(night):
    """Metro's 005010 PO (ISA qualifier 14, repetition separator ^) answered in 005010; its 810 in CAD (CUR*SE), with
    its department (REF*DP), bill-to and DC by GLN (N103 UL) as sent, a UPC or case code on every line, GST and QST
    on each line and in total."""
    ws, _found, _states = night
    ack = segments(ws, "metro", "997")
    assert ack[0][7:9] == ["14", "0661234500001  "] and ack[0][11:13] == ["^", "00501"]
    inv = po_segments(segments(ws, "metro", "810"), "MR45001234", "BIG")
    assert inv[1] == ["CUR", "SE", "CAD"] and ["REF", "DP", "210"] in inv
    assert ["N1", "BT", "METRO INC COMPTES PAYABLES", "UL", "0661234500003"] in inv
    assert ["N1", "ST", "METRO CENTRE DE DISTRIBUTION LAVAL", "UL", "0661234500010"] in inv
    # line 1 ordered by Metro's item code alone: its case GTIN-14 added, as Metro's 810 rules require a UPC or case
    # code on every line ([fulfilment.invoice] item_ids; the IT1 used to carry IN alone)
    assert [s[6:] for s in inv if s[0] == "IT1"] == [["IN", "MT0455120", "UK", "10614141535573"],
                                                    ["UK", "10614141535580", "UP", "614141535583"]]
    assert [s[1:4] for s in inv if s[0] == "TXI"] == [["GS", "116.1", "5"], ["SP", "231.62", "9.975"],
                                                     ["GS", "51.6", "5"], ["SP", "102.94", "9.975"],
                                                     ["GS", "167.7", "5"], ["SP", "334.56", "9.975"]]
    assert ["TDS", "385626"] in inv  # 30 x 77.40 + 40 x 25.80 + GST 167.70 + QST 334.56


def test_london_drugs_store_loops_through_its_dc_and_bc_taxes(night):
    """London Drugs' SDQ split applied (store_level): the 856 to its DC with an order loop per store (N1*BY**92) and
    each store's cartons under it; the 810 with GST 5 % and BC PST 7 %."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "londondrugs", "856"), "LD-SHP-01", "BSN")
    assert ["N1", "ST", "LONDON DRUGS DC RICHMOND", "92", "9001"] in asn
    assert [s for s in asn if s[0] == "N1" and s[1] == "BY"] == [["N1", "BY", "", "92", "0002"],
                                                                 ["N1", "BY", "", "92", "0015"]]
    assert [s[1:] for s in asn if s[0] == "SN1"] == [["", "48", "EA", "", "48", "EA"], ["", "24", "EA", "", "24", "EA"],
                                                    ["", "24", "EA", "", "24", "EA"], ["", "24", "EA", "", "24", "EA"]]
    inv = po_segments(segments(ws, "londondrugs", "810"), "LD0900101", "BIG")
    assert [s[1:4] for s in inv if s[0] == "TXI"][-2:] == [["GS", "31.44", "5"], ["SP", "44.02", "7"]]
    assert ["TDS", "70426"] in inv  # 72 x 2.40 + 48 x 9.50 + GST 31.44 + PST 44.02


def test_item_ids_adds_the_first_id_our_item_has_to_a_line_naming_none():
    """engine.lifecycle.billing.with_item_ids: a line of a partner asking item_ids that names none of them gets the
    first our item has (an item without a GTIN-14 its UPC); a line naming one, a line of another partner, a line of an
    unknown SKU and a line of ten pairs keep theirs."""
    import pyarrow as pa

    from engine.lifecycle.billing import with_item_ids

    pair = pa.struct([pa.field("qualifier", pa.string()), pa.field("id", pa.string())])
    ten = [{"qualifier": "BP", "id": str(k)} for k in range(10)]
    lines = pa.table({"partner": ["metro", "metro", "metro", "other", "metro", "metro"],
                      "po_number": ["P"] * 6, "line_number": [1, 2, 3, 1, 4, 5],
                      "product_ids": pa.array([[{"qualifier": "IN", "id": "A"}], [{"qualifier": "UP", "id": "X"}],
                                               [{"qualifier": "IN", "id": "B"}], [{"qualifier": "IN", "id": "C"}],
                                               ten, [{"qualifier": "IN", "id": "D"}]], pa.list_(pair))})
    items = pa.table({"sku": ["S1", "S2"], "gtin": ["10614141535573", ""], "upc": ["614141535576", "614141535583"],
                      "vendor_part": ["S1", "S2"]})
    skus = {("metro", "P", 1): "S1", ("metro", "P", 2): "S1", ("metro", "P", 3): "S2", ("other", "P", 1): "S1",
            ("metro", "P", 4): "S1", ("metro", "P", 5): "NOPE"}
    out = with_item_ids(lines, skus, items, {"metro": ("UK", "UP")})["product_ids"].to_pylist()
    assert out == [[{"qualifier": "IN", "id": "A"}, {"qualifier": "UK", "id": "10614141535573"}],
                   [{"qualifier": "UP", "id": "X"}],
                   [{"qualifier": "IN", "id": "B"}, {"qualifier": "UP", "id": "614141535583"}],
                   [{"qualifier": "IN", "id": "C"}], ten, [{"qualifier": "IN", "id": "D"}]]


@pytest.mark.parametrize("changed", [False, True], ids=["as-ordered", "another-quantity"])
def test_a_confirmation_that_differs_from_the_order_held_is_flagged_never_dropped(tmp_path, changed):
    """A grocer's confirming PO (BEG01 06) after the original (a buyer's order confirmed again, the way Save Mart's
    850 confirms an order agreed first): a copy that repeats the order raises nothing; one naming another quantity
    (line 1: 60 cases where the order we hold has 50) is not applied - the order, its lines and its 855 stay as they
    were - and ops is told (ORDER_CONFIRMATION_DIFFERS). It used to be passed over without a word."""
    from connectors.state import StateStore
    from tests.support import deliver_all, run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"tops": ["tops-850-T7110144.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    deliver_all(ws, NIGHT)
    po = (FIXTURES / "drops" / "tops" / "tops-850-T7110144.x12").read_text()
    copy = po.replace("BEG*00*SA", "BEG*06*SA").replace("000071101", "000071102").replace("*71101*", "*71102*")
    copy = copy.replace("GE*1*71101", "GE*1*71102")
    if changed:
        copy = copy.replace("PO1*1*50*CA", "PO1*1*60*CA").replace("CTT*2*80", "CTT*2*90")
    (ws.drop_root / "tops" / "inbox" / "tops-850-T7110144-confirmed.x12").write_text(copy)
    later = datetime(2026, 11, 26, 2)
    run_stages(ws, later)
    deliver_all(ws, later)
    state = StateStore(ws.state_path)
    try:
        codes = [(f["code"], f["severity"]) for f in state.findings()
                 if f["code"] not in ("NOTES_NOT_KEPT", "SAC_NOT_APPLIED")]
        (order,) = state.orders()
        lines = state.lines_for({("tops", "T7110144")})[("tops", "T7110144")]
    finally:
        state.close()
    assert codes == ([("ORDER_CONFIRMATION_DIFFERS", "warning")] if changed else [])
    assert order.state.value == "acknowledged" and [ln.ordered for ln in lines] == [50, 30]
    # both copies accepted in their 997s, one 855 (the original's)
    assert sum(s[0] == "AK5" and s[1] == "A" for s in segments(ws, "tops", "997")) == 2
    assert len(list((ws.drop_root / "tops" / "outbox").glob("tops-855-*"))) == 1


def test_a_confirmation_naming_topco_s_po_without_its_zeros_ships_that_order(tmp_path):
    """The DC's export names Topco's PO 000001761234000 as 1761234000 (its WMS, or a spreadsheet, keeps the PO number
    as a number): the one live order whose PO number is that number with leading zeros is shipped and invoiced, its
    856 PRF and 810 BIG04 as Topco sent it. It used to be held: SHIPMENT_PO_UNKNOWN, no 856."""
    import shutil

    fixtures = tmp_path / "rg35"
    shutil.copytree(FIXTURES, fixtures)
    csv = next((fixtures / "shipments").iterdir())
    csv.write_text(csv.read_text().replace(",000001761234000,", ",1761234000,"))
    ws, found, states = shipped_night(of_its_own(fixtures, tmp_path / "ws", {"topco": [
        "topco-850-000001761234000.x12"]}, warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY)
    assert states[("topco", "000001761234000")] == "invoiced"
    assert not [f for f in found if f[0] == "SHIPMENT_PO_UNKNOWN" and f[2] == "1761234000"]
    assert ["PRF", "000001761234000", "", "", "20261124"] in segments(ws, "topco", "856")
    assert po_segments(segments(ws, "topco", "810"), "000001761234000", "BIG")[0][4] == "000001761234000"


def test_a_po_number_without_zeros_names_the_one_padded_order_only():
    """engine.lifecycle.releases.unpadded_po_lines: a plain number no order has reads as the one order's with leading
    zeros (of the line's partner when the feed names one); two such orders, a number some order has, one sent with a
    zero of its own or not all digits, stay as they were."""
    import pyarrow as pa

    from engine.lifecycle.releases import unpadded_po_lines
    from schemas.lifecycle import OrderRecord, OrderState

    def order(partner, po):
        return OrderRecord(partner, po, OrderState.ACKNOWLEDGED)

    lines = pa.table({"partner": [None, None, "b", None, None, None],
                      "po_number": ["1761234000", "123", "123", "555", "0777", "A12"]})
    padded = [order("topco", "000001761234000"), order("a", "0123"), order("b", "00123"), order("c", "0555"),
              order("d", "00777")]
    out = unpadded_po_lines(lines, {"555"}, padded)["po_number"].to_pylist()
    assert out == ["000001761234000", "123", "00123", "555", "0777", "A12"]
