"""Specialty apparel and furniture, as their public EDI guides and vendor manuals describe them: tests/fixtures/rg34/
holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's confirmation of what
shipped. Von Maur (VICS 004010: BEG, REF, FOB, ITD, DTM, the N1 loop with N2, PO1 with its CTP loop and SDQ; a
pack-by-store order to its Davenport DC, the DC's name continued in N2, 2-digit stores, the ticket's retail in
CTP*RS); Buckle (005010 from a UCC communications id, ISA qualifier 08; CUR, REF DP and its internal vendor number
REF IA, PER, FOB, CSH, ITD 2 % 10 net 60, a cancel date and a requested ship date in the heading and again on each
line, DTM 001/010 in the PO1 loop, one line wanted a week later than the other; PO4 packs); Citi Trends (a bulk
order to its Darlington DC, a line by the dozen, PO103 DZ priced per dozen, beside a line by the each, the ticket
code in PID, notes in N9/MSG); Havertys (furniture to its Braselton distribution center from its DUNS, qualifier 01:
lines by our model number, VN, with Havertys' item, IN, the piece and its colour in PIDs, a requested delivery date,
routing in TD5, freight charged on the PO, SAC*C D240 with SAC12 06); Mattress Firm (mattresses and foundations to a
regional DC; the Sleepy's guide it took over lists 850, 855, 860 and 856 by EDI and no 810: its profile receives
none). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots
and pyx12. Von Maur's 860 (BCH, DTM, a POC with its CTP and SDQ: a line cut and its stores' quantities moved) is
taken on a second night before the DC ships."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    accepted_as_ordered,
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

FIXTURES = REPO / "tests" / "fixtures" / "rg34"
NIGHT = datetime(2026, 12, 3, 2)
SHIP_DAY = datetime(2026, 12, 7, 15)

POS = {"vonmaur": {"4471203": 2}, "buckle": {"B0912204": 2}, "cititrends": {"CT2612044": 2},
       "havertys": {"HV0055120": 2}}
# billed outside EDI: shipped, never invoiced by us
NO_810 = {"mattressfirm": {"MF3308812": 2}}
# without a profile inspect cannot know Von Maur splits its lines per store, nor that Havertys' freight is billed;
# Citi Trends' ticketing note is for people, not for an order of ours
NOTED = {"SDQ_NOT_APPLIED", "SAC_NOT_APPLIED", "NOTES_NOT_KEPT"}
# Havertys' freight billed on our 810 (SAC_NOT_APPLIED says so); Citi Trends' dozens confirmed in eaches; the
# confirmations arrive hours after the trucks left
NIGHT_NOTED = {"SAC_NOT_APPLIED", "NOTES_NOT_KEPT", "SHIPMENT_UNIT_CONVERTED", "ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_specialty_and_furniture_po_without_an_error(path):
    inspected_clean(path, NOTED, POS | NO_810)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg34") / "ws"
    return shipped_night(of_its_own(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, found, {k: v for k, v in states.items() if k[0] not in NO_810}), POS, NIGHT_NOTED)
    accepted_as_ordered(ws, NO_810)
    # Buckle's UCC communications id (08) in 005010 and Havertys' DUNS (01) answered to as sent
    buckle = segments(ws, "buckle", "997")
    assert buckle[0][7:9] == ["08", "6113310072     "] and buckle[0][11:13] == ["^", "00501"]
    assert segments(ws, "havertys", "997")[0][7:9] == ["01", "003291556      "]


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    # Mattress Firm's shipment has its 856 and no 810
    all_sent_accepted(night[0], POS | NO_810, tmp_path, maps, shipments=5, answers=5, invoices=4)


def test_von_maur_cartons_by_store_and_its_dc_named_as_sent(night):
    """Von Maur's pack-by-store order: each store's carton in an order loop marked for the store (N1*BY**92*store,
    2-digit stores with their leading zeros), the DC named as the PO did, its name continued in N2."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "vonmaur", "856"), "VM-SHP-01", "BSN")
    assert [s[4] for s in asn if s[:2] == ["N1", "BY"]] == ["03", "07", "12", "18"]
    assert asn[asn.index(["N1", "ST", "VON MAUR DISTRIBUTION", "92", "90"]) + 1] == ["N2", "CENTER"]
    assert ["CTT", "17", "28"] in asn
    inv = po_segments(segments(ws, "vonmaur", "810"), "4471203", "BIG")
    assert ["N2", "CENTER"] in inv and ["TDS", "61600"] in inv  # 28 x 22.00


def test_buckle_line_dates_terms_and_its_vendor_number(night):
    """Buckle's lines each carry their own requested ship date (DTM 010 in the PO1 loop): each line acknowledged for
    its own day, the heading for the order's; billed on 2 % 10 net 60 with its own vendor number."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "buckle", "855"), "B0912204", "BAK")
    assert ["REF", "IA", "BK30412"] in ack and ["DTM", "068", "20261207"] in ack
    assert [s[1:] for s in ack if s[0] == "ACK"] == [["IA", "60", "EA", "068", "20261207"],
                                                    ["IA", "48", "EA", "068", "20261214"]]
    inv = po_segments(segments(ws, "buckle", "810"), "B0912204", "BIG")
    assert ["ITD", "08", "3", "2", "", "10", "", "60"] in inv and ["TDS", "351000"] in inv  # 108 x 32.50


def test_citi_trends_dozens_answered_shipped_and_billed_by_the_dozen(night):
    """Citi Trends' line by the dozen, confirmed by the DC in eaches (120), answered, shipped and billed in the
    PO's unit at its price per dozen; its line by the each as ordered."""
    ws, found, _states = night
    assert ("SHIPMENT_UNIT_CONVERTED", "warning", "CT2612044") in found
    asn = po_segments(segments(ws, "cititrends", "856"), "CT-SHP-01", "BSN")
    assert [s[1:4] for s in asn if s[0] == "SN1"] == [["", "10", "DZ"], ["", "144", "EA"]]
    inv = po_segments(segments(ws, "cititrends", "810"), "CT2612044", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "10", "DZ", "18"], ["2", "144", "EA", "2.1"]]
    assert ["TDS", "48240"] in inv  # 10 x 18.00 + 144 x 2.10


def test_havertys_furniture_by_model_and_its_freight_billed(night):
    """Havertys' lines by our model number (VN) and its item (IN), as sent, on the 856 and 810; the PO's freight
    (SAC*C D240 50.00, SAC12 06: to be paid by the customer) billed on the 810 after the lines' total."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "havertys", "856"), "HV-SHP-01", "BSN")
    assert {tuple(s[1:]) for s in asn if s[0] == "LIN"} == {("1", "VN", "HV-SOFA-1180-GRY", "IN", "4410872"),
                                                           ("2", "VN", "HV-CHR-2240-GRY", "IN", "4410880")}
    inv = po_segments(segments(ws, "havertys", "810"), "HV0055120", "BIG")
    assert ["TDS", "599000"] in inv  # 6 x 610.00 + 8 x 285.00 + 50.00 freight
    assert ["SAC", "C", "D240", "", "", "5000", "", "", "", "", "", "", "06", "", "", "FREIGHT"] in inv


def test_mattress_firm_shipped_with_its_856_and_no_810(night):
    """Mattress Firm takes no 810 by EDI (its profile receives none): the order is shipped, its 856 sent with the
    model numbers as ordered, and nothing is billed by us (no 810 file; the order stays shipped, for finance to record
    the invoice another system sends: `orderbridge record`)."""
    ws, _found, states = night
    assert states[("mattressfirm", "MF3308812")] == "shipped"
    assert not list((ws.drop_root / "mattressfirm" / "outbox").glob("*-810-*"))
    asn = po_segments(segments(ws, "mattressfirm", "856"), "MF-SHP-01", "BSN")
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "UP", "614141700288", "VN", "MF-PLUSH-Q"],
                                                    ["2", "UP", "614141700295", "VN", "MF-FND-Q"]]


def test_von_maur_860_cuts_a_line_and_moves_its_stores_before_the_dc_ships(tmp_path):
    """Von Maur's 860 (BCH 04, a POC QD with the line's new total in POC03 and its old one in POC04, its CTP and the
    new SDQ split) taken on the second night: the line cut from 16 to 12, three to each store; the DC ships the new
    split and the 856 and 810 say so. Von Maur takes no 865: nothing but the 997 answers the change."""
    import shutil

    from connectors.state import StateStore
    from tests.support import deliver_all, run_stages, ship_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"vonmaur": ["vonmaur-850-4471203.x12"]})
    run_stages(ws, NIGHT)
    shutil.copy2(FIXTURES / "changes" / "vonmaur-860-4471203.x12", ws.drop_root / "vonmaur" / "inbox")
    run_stages(ws, datetime(2026, 12, 4, 2))
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy2(FIXTURES / "changes" / "east-shipments-20261207.csv", inbox)
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    state = StateStore(ws.state_path)
    try:
        found = {(f["code"], f["severity"]) for f in state.findings()}
        states = {o.key: o.state.value for o in state.orders()}
    finally:
        state.close()
    assert found == {("ASN_LATE", "warning")} and states == {("vonmaur", "4471203"): "invoiced"}
    assert sum(s[0] == "AK2" for s in segments(ws, "vonmaur", "997")) == 2  # the 850 and the 860
    assert not list((ws.drop_root / "vonmaur" / "outbox").glob("*-865-*"))
    asn = po_segments(segments(ws, "vonmaur", "856"), "VM-SHP-01", "BSN")
    assert [s[2] for s in asn if s[0] == "SN1"] == ["3"] * 8 and ["CTT", "17", "24"] in asn
    inv = po_segments(segments(ws, "vonmaur", "810"), "4471203", "BIG")
    assert [s[1:3] for s in inv if s[0] == "IT1"] == [["1", "12"], ["2", "12"]] and ["TDS", "52800"] in inv


def test_a_shipment_tendered_to_a_carrier_the_po_did_not_route_is_flagged(tmp_path):
    """Havertys routes its freight in TD5 (here by FedEx Freight, with UPS for parcels in a second TD5); the DC
    tendered the furniture to Old Dominion. Shipped, the 856 naming the carrier that took it, and a warning naming
    the carriers the PO routed it by, for the routing guide's chargeback. It used to go without a word (and only
    the heading's first TD5 was kept)."""
    import shutil

    fixtures = tmp_path / "rg34"
    shutil.copytree(FIXTURES, fixtures)
    po = fixtures / "drops" / "havertys" / "havertys-850-HV0055120.x12"
    po.write_bytes(po.read_bytes().replace(b"FEDEX FREIGHT~", b"FEDEX FREIGHT~\nTD5*O*2*UPSN*U*UPS GROUND~")
                   .replace(b"SE*16*0001", b"SE*17*0001"))
    confirmation = fixtures / "shipments" / "east-shipments-20261207.csv"
    confirmation.write_bytes(confirmation.read_bytes().replace(b"11:00,FXFE,", b"11:00,ODFL,"))
    ws, found, states = shipped_night(of_its_own(fixtures, tmp_path / "ws", {"havertys": [po.name]}), fixtures,
                                      NIGHT, SHIP_DAY, messages=True)
    assert states[("havertys", "HV0055120")] == "invoiced"
    assert ["TD5", "B", "2", "ODFL", "M"] in po_segments(segments(ws, "havertys", "856"), "HV-SHP-01", "BSN")
    [(code, severity, _po, message)] = [f for f in found if f[2] == "HV0055120" and f[0] == "CARRIER_NOT_ROUTED"]
    assert severity == "warning" and "left with carrier ODFL; the PO routed it by FXFE or UPSN (TD5)" in message


def test_a_carrier_the_po_routed_by_or_no_carrier_to_compare_says_nothing():
    """The check reads every heading TD5 naming a SCAC (TD502 2): a shipment by any of them, a PO routed by routing
    text alone (Buckle's TD5*****SEE ROUTING GUIDE) and a confirmation naming no carrier raise nothing."""
    import pyarrow as pa

    from engine.routing import carrier_findings, routed_carriers
    from schemas.orders import ELEMENTS_SEP as E

    assert routed_carriers(E.join(["", "", "", "", "SEE ROUTING GUIDE"]), None) == ()
    orders = pa.table({"partner": ["havertys", "buckle"], "po_number": ["P1", "P2"],
                       "td5_sent": [E.join(["", "2", "FXFE", "M"]), E.join(["", "", "", "", "SEE ROUTING GUIDE"])],
                       "td5_more_sent": [E.join(["O", "2", "UPSN", "U"]), None]})
    shipped = pa.table({"shipment_id": ["S1", "S2", "S3", "S4"], "partner": ["havertys", "havertys", "havertys",
                                                                             "buckle"],
                        "po_number": ["P1", "P1", "P1", "P2"], "carrier_scac": ["FXFE", "upsn", None, "UPGF"]})
    assert carrier_findings(shipped, orders) == ()
    [f] = carrier_findings(pa.table({**{c: shipped[c][:1] for c in ("shipment_id", "partner", "po_number")},
                                     "carrier_scac": ["ODFL"]}), orders)
    assert (f.finding.code, f.po_number) == ("CARRIER_NOT_ROUTED", "P1")
