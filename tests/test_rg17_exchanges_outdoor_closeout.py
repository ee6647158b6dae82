"""The US military exchanges, outdoor specialty and discount / closeout chains, as their guides describe them:
tests/fixtures/rg17/ holds each one's profile, reference rows, 850s written in its shapes and the east DC's
confirmation of what shipped. AAFES (005010: ISA11 ^, DUNS; one REF IA, PER BD, FOB PP DE, CSH N, a heading
allowance off invoice, PKG, TD1/TD5, N9/MTX; a CONUS DC, an exchange by APO AE with ZIP+4 and an N2 attention line,
a line's own cancel date, and the Europe DC in Germersheim: N4 without a state, DE); NEXCOM (ISA 08, ship window,
TD5 routing text only, N1 BT, a line in packs, a ship's store by FPO AE without N404); MCX (DTM 002, a line's own
DTM 001, N1 BT, Okinawa by FPO AP on file); Bass Pro Shops (004010VICS; a DC order with N1 BY and a line in cases by
the case's GTIN-14; a consumer drop ship with REF*CO below the item's minimum); REI (GTIN-14 UK, our style VA, REI's
IT); Five Below (an import PO: FOB CC at origin with Incoterms, letter of credit in ITD12, ocean TD5; a domestic
one); Ollie's (a closeout buy on fixed-date dating, no terms on file: the 810 carries the PO's); Big Lots
(004010VICS, a line's own ship-no-later date). One night takes them all: inspect, the 997s and 855s, then the 856s
and 810s."""

from __future__ import annotations

from datetime import datetime

import pytest

from schemas.order_keys import ref_key, x12_po
from tests.retailer_support import (
    accepted_as_ordered,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    on_demo,
    po_segments,
    segments,
    sent_856s_and_810s,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg17"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 27, 14, 30)

POS = {"aafes": {"0081234567": 2, "0081234571": 2, "0081234590": 2}, "nexcom": {"26041877": 2, "26041903": 2},
       "mcx": {"M6110455": 2, "M6110460": 2}, "basspro": {"BP30018840": 2, "BP30018851": 1},
       "rei": {"4811203": 2, "4811207": 1}, "fivebelow": {"5B2601133": 2, "5B2601140": 2}, "ollies": {"OL77120": 2},
       "biglots": {"0063518820": 2}}
NO_855 = ("aafes", "nexcom", "biglots")  # their programmes take the 856 and 810, no 855
# AAFES' heading allowance (carried on its 810: SAC12 02) and PKG / N9 notes; Big Lots' line DTM 038 (a line's
# ship-no-later is not kept: warned, the heading's window holds)
NOTED = {"SAC_NOT_APPLIED", "NOTES_NOT_KEPT", "LINE_DATES_NOT_APPLIED"}
# the confirmations arrive hours after the trucks left; Five Below's import PO routed by Maersk ocean (TD5**2*MAEU*S)
# left the DC by truck (RLCA): a carrier it did not route by
NIGHT_NOTED = NOTED | {"ASN_LATE", "CARRIER_NOT_ROUTED"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_reads_every_exchange_outdoor_and_closeout_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg17") / "ws"
    return shipped_night(on_demo(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    assert not [f for f in found if f[1] == "error"]
    assert {c for c, _s, _po in found} <= NIGHT_NOTED
    accepted_as_ordered(ws, POS, no_855=NO_855)
    # Bass Pro's drop ship is keyed by BEG03 and its REF*CO (order_key_ref): its order is read by its PO number
    assert {(p, x12_po(k)): v for (p, k), v in states.items()} == {(p, po): "invoiced" for p, pos in POS.items()
                                                                   for po in pos}
    assert ("basspro", ref_key("BP30018851", "C778120045")) in states
    # AAFES' 005010 group: its 997 in 005010 (AK103), the interchange with its repetition separator
    acks = segments(ws, "aafes", "997")
    assert acks[0][11:13] == ["^", "00501"] and ["AK1", "PO", "120", "005010"] in acks


def test_apo_fpo_and_overseas_ship_tos_are_taken_and_written_back_as_sent(night):
    """APO/FPO addresses are US addresses (USPS Publication 28: APO/FPO in the city, AA/AE/AP as the state, a ZIP);
    an address abroad has no state (X12's N4 note: N402 only in the U.S. and Canada). Neither holds the order; the
    856 and 810 name the place as the PO did."""
    ws, _found, _states = night
    apo = po_segments(segments(ws, "aafes", "810"), "0081234571", "BIG")
    at = apo.index(["N1", "ST", "KMCC EXCHANGE RAMSTEIN", "92", "4732"])
    assert apo[at + 1: at + 4] == [["N2", "ATTN RECEIVING BLDG 2118"], ["N3", "UNIT 3240 BOX 420"],
                                   ["N4", "APO", "AE", "09094-0420", "US"]]
    eu = po_segments(segments(ws, "aafes", "856"), "AF-SHP-03", "BSN")
    assert ["N4", "GERMERSHEIM", "", "76726", "DE"] in eu
    ship = po_segments(segments(ws, "nexcom", "856"), "NX-SHP-02", "BSN")
    assert ["N4", "FPO", "AE", "09532-2830"] in ship and ["TD5", "B", "2", "USPS", "U", "PRIORITY"] in ship
    okinawa = po_segments(segments(ws, "mcx", "855"), "M6110460", "BAK")
    assert ["N4", "FPO", "AP", "96373", "US"] in okinawa


def test_the_exchange_856_carries_one_shipment_ref_and_the_po_fob_after_its_dtm(night):
    """AAFES' 856 (5010) lists at the shipment level TD1, TD5, REF (max use 1) and DTM, then FOB, required: the
    PO's FOB*PP*DE after DTM*011. No profile could write an FOB in an 856 before [fulfilment.asn] fob."""
    ws, _found, _states = night
    dc = po_segments(segments(ws, "aafes", "856"), "AF-SHP-01", "BSN")
    at = dc.index(["DTM", "011", "20261127", "0840"])
    assert dc[at - 1: at + 3] == [["REF", "BM", "BOL-AF-1234567"], ["DTM", "011", "20261127", "0840"],
                                  ["FOB", "PP", "DE"], ["N1", "SF", "OrderBridge Supply DC East", "UL",
                                                        "0614141000104"]]
    parcel = po_segments(segments(ws, "aafes", "856"), "AF-SHP-02", "BSN")
    assert [s for s in parcel if s[0] == "REF" and s[1] in ("BM", "CN")] == [["REF", "BM", "9405511899223100000017"]]
    assert ["FOB", "PP", "DE"] in parcel
    # a partner that does not ask for it gets none
    assert not [s for s in segments(ws, "nexcom", "856") if s[0] == "FOB"]


def test_exchange_invoices_carry_the_allowance_vendor_number_bill_to_and_units(night):
    ws, _found, _states = night
    inv = po_segments(segments(ws, "aafes", "810"), "0081234567", "BIG")
    assert ["REF", "IA", "5512340"] in inv and ["ITD", "08", "3", "2", "", "30", "", "60"] in inv
    # 120 x 1.79 + 4 cases x 13.20 = 267.60, less the PO's 25.00 volume allowance taken off the invoice
    assert ["TDS", "24260"] in inv and ["SAC", "A", "C310", "", "", "2500", "", "", "", "", "", "", "02", "", "",
                                        "VOLUME DISCOUNT"] in inv
    nex = po_segments(segments(ws, "nexcom", "810"), "26041877", "BIG")
    assert ["N1", "BT", "NAVY EXCHANGE SERVICE COMMAND", "92", "0001"] in nex and ["REF", "DP", "0412"] in nex
    assert [s[1:5] for s in nex if s[0] == "IT1"] == [["1", "60", "EA", "1.79"], ["2", "12", "PK", "10.74"]]
    assert ["TDS", "23628"] in nex  # 60 x 1.79 + 12 packs x 10.74
    asn = po_segments(segments(ws, "nexcom", "856"), "NX-SHP-01", "BSN")
    assert ["SN1", "", "12", "PK", "", "12", "PK"] in asn
    mcx = po_segments(segments(ws, "mcx", "855"), "M6110455", "BAK")
    assert [s[1:4] for s in mcx if s[0] == "ACK"] == [["IA", "25", "EA"], ["IA", "10", "EA"]]


def test_outdoor_orders_keep_the_case_gtin_the_store_and_the_consumer(night):
    ws, _found, _states = night
    # Bass Pro's DC order: the line in cases by the case's GTIN-14, its buying store on the 856 and 810
    ack = po_segments(segments(ws, "basspro", "855"), "BP30018840", "BAK")
    assert [s for s in ack if s[0] == "REF"] == [["REF", "IA", "60457"]]  # the guide's 855 REF: max use 1
    assert ["ACK", "IA", "6", "CA", "068", "20261130"] in ack
    asn = po_segments(segments(ws, "basspro", "856"), "BP-SHP-01", "BSN")
    assert ["LIN", "2", "UK", "10614141101433", "VN", "VP-1020", "IN", "1038847"] in asn
    assert ["N1", "BY", "BASS PRO SHOPS STORE 20", "92", "0020"] in asn
    inv = po_segments(segments(ws, "basspro", "810"), "BP30018840", "BIG")
    assert ["TDS", "102240"] in inv  # 96 x 3.15 + 6 cases x 120.00
    # the consumer's drop ship: one unit as ordered (no minimum), her order number and parcel tracking on the 856
    ds = po_segments(segments(ws, "basspro", "856"), "BP-SHP-02", "BSN")
    assert ["REF", "CO", "C778120045"] in ds and ["SN1", "", "1", "EA", "", "1", "EA"] in ds
    assert ["REF", "CN", "1Z0OBEAST000051001"] in ds and ["N3", "1420 PINE RIDGE RD", "APT 4"] in ds
    assert ["REF", "CO", "C778120045"] in po_segments(segments(ws, "basspro", "810"), "BP30018851", "BIG")
    # REI: GTIN-14, our style and REI's item number back as sent; the ship date after a ship-not-before in the past
    rei = po_segments(segments(ws, "rei", "855"), "4811203", "BAK")
    assert ["PO1", "1", "40", "EA", "9.9", "", "UK", "00614141101856", "VA", "VP-1026", "IT", "2210445"] in rei
    assert ["DTM", "068", "20261127"] in rei


def test_closeout_chains_get_their_fob_terms_and_dating(night):
    ws, _found, _states = night
    imported = po_segments(segments(ws, "fivebelow", "855"), "5B2601133", "BAK")
    assert ["FOB", "CC", "OR", "YANTIAN CN", "01", "FOB"] in imported
    assert ["ITD", "01", "3", "", "", "", "", "60", "", "", "", "", "LETTER OF CREDIT AT SIGHT"] in imported
    assert ["ACK", "IA", "480", "EA", "068", "20261128"] in imported  # its requested ship date at origin
    inv = po_segments(segments(ws, "fivebelow", "810"), "5B2601133", "BIG")
    assert inv[inv.index(["DTM", "011", "20261127"]) + 1] == ["FOB", "CC", "OR", "YANTIAN CN", "01", "FOB"]
    domestic = po_segments(segments(ws, "fivebelow", "810"), "5B2601140", "BIG")
    assert ["FOB", "PC", "DE"] in domestic
    pallet = po_segments(segments(ws, "fivebelow", "856"), "FB-SHP-01", "BSN")
    assert ["TD1", "PLT94", "1"] in pallet and [s[3] for s in pallet if s[0] == "HL"] == ["S", "O", "T", "P", "I",
                                                                                         "P", "I"]
    # Ollie's dating: the 810 states the PO's fixed net date, not terms of its own
    ol = po_segments(segments(ws, "ollies", "810"), "OL77120", "BIG")
    assert ["ITD", "18", "3", "", "", "", "20270115", "", "", "", "", "", "DATING NET JAN 15"] in ol
    assert ["TDS", "52800"] in ol  # 10 cases x 10.80 + 600 x 0.70
    bl = po_segments(segments(ws, "biglots", "810"), "0063518820", "BIG")
    assert {s[8] for s in segments(ws, "biglots", "810") if s[0] == "GS"} == {"004010VICS"}
    assert ["TDS", "35280"] in bl


def test_a_freight_charge_is_billed_only_on_the_pos_whose_fob_makes_the_customer_pay_it(night):
    """Five Below's import PO is FOB CC at origin (its forwarder, its freight), its domestic one FOB PC (we prepay
    and charge it). The profile's freight charge, limited to FOB PC, is on the domestic PO's 810 only; it used to go
    on every 810 (the import's billed a freight its buyer paid the carrier for: short-paid, charged back)."""
    ws, _found, _states = night
    domestic = po_segments(segments(ws, "fivebelow", "810"), "5B2601140", "BIG")
    assert ["SAC", "C", "D240", "", "", "4500", "", "", "", "", "", "", "", "", "", "FREIGHT"] in domestic
    assert ["TDS", "40176"] in domestic  # 144 x 1.79 + 60 x 1.65 = 356.76, plus 45.00 freight
    imported = po_segments(segments(ws, "fivebelow", "810"), "5B2601133", "BIG")
    assert not [s for s in imported if s[0] == "SAC"] and ["TDS", "70800"] in imported  # 480 x 0.95 + 240 x 1.05


def test_invoice_charges_of_a_po_by_its_fob():
    from engine.invoice import invoice_charges
    from schemas.fulfilment import Charge, InvoiceSettings

    freight = Charge(kind="C", code="D240", amount="45.00", per="shipment", fob=("PC", "PB"))
    handling = Charge(kind="C", code="H000", amount="5.00", per="order")
    settings = InvoiceSettings(charges=(freight, handling))

    def codes(fob: str) -> list[str]:
        return [c.code for c in invoice_charges(settings, billed_before=False, shipments=1, fob=fob)]

    assert codes("PC") == codes("PB") == ["D240", "H000"]
    assert codes("CC") == codes("PP") == codes("") == ["H000"]  # collect, prepaid by us, no FOB: no freight


def test_every_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):  # noqa: F811
    """The 005010 documents with their repetition separator, APO/FPO and foreign addresses, the FOB after DTM 011,
    the PO's dating and SAC (VICS groups read as 004010: Bots has no grammar named 004010VICS)."""
    from tests.test_mark_for import accepted

    ws, _found, _states = night
    sent = sent_856s_and_810s(ws, POS)
    assert len(sent) == 2 * 15  # an 856 and an 810 per shipment (one per PO)
    for path in sent:
        accepted(path.read_bytes().replace(b"*X*004010VICS~", b"*X*004010~"), tmp_path, maps)
