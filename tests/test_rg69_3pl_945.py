"""Third-party warehouses confirming a night's orders, in the shapes their public 945 guides and WMS exports show
(tests/fixtures/rg69/: three buyers' profiles, reference rows, stock held at each 3PL, their 850s, and each 3PL's
confirmations of 2026-12-01 under shipments/<warehouse>/). GXO (004010: one W06 set per order, two in one group;
W0601 N, W0602 its depositor order, W0606 the PO; N1 SF and ST each with N3/N4; N9 BM and CN (the PRO); G62 11 in
Central time; W27 with routing and payment method; an LX per pallet, MAN GM its SSCC with AI 00; W12 CC and CP with
ordered, shipped and difference, a G69 and N9 LI each; W03 units, weight, cube and pallets) ships Tractor Supply's
orders LTL, one short (W12*CP*24*20*4). DHL Supply Chain (005010, ISA11 repetition ^, CRLF after each segment; W0601
F; N1 WH for the site; N9 PO; Eastern time; lots in an N9 LT with their expiry, G62 36, or in W1209; a line it could
not pick confirmed with 0 shipped, W12*CP*12*0*12) ships Ulta Beauty's cosmetics. Ryder (004030, a functional group
per order in one interchange; the ship-to by its id alone, N1*ST**92*AVP1; its own id in N1 SF, ZZ; Pacific time;
LTL and UPS parcels, each parcel's SSCC and tracking number in two MANs of its LX, one line over two cartons each
W12 CP 6 of 12) ships Chewy's from Fontana, California. ShipBob's merchant export (a CSV: its shipment and order
ids, the PO as the order's Reference ID, US dates and a 12-hour clock in Chicago time, the carrier by name and its
service, the package weight in ounces) ships a third Chewy order, Red Stag Fulfillment's (the order's reference as
the PO, date and time in one cell, carrier and method as its lower-case codes, each package's lot and expiry month)
a third Ulta order by UPS. One night takes them all: inspect, 997s and 855s, then every warehouse's confirmation to
856s and 810s that our validator, Bots and pyx12 accept; the findings each confirmation must raise (a short ship, a
line not shipped, an over-shipment, a line the PO does not have) and none other."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from tests.retailer_support import (
    accepted_as_ordered,
    all_sent_accepted,
    findings_and_states,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    of_its_own,
    po_segments,
    segments,
)
from tests.support import REPO, deliver_all, run_stages, ship_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg69"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)  # the 3PLs shipped at 13:35 CT, 14:50 ET, 11:40 PT, 1:50 PM CT and 14:41 ET

POS = {"tractorsupply": {"TS6900101": 2, "TS6900102": 2}, "ulta": {"UL6900201": 2, "UL6900202": 2, "UL6900203": 1},
       "chewy": {"CH6900301": 2, "CH6900302": 1, "CH6900303": 2}}
SHORT = {("tractorsupply", "TS6900102"), ("ulta", "UL6900202")}  # shipped in part: the rest still owed
SHIPMENTS = {"gxo": 2, "dhlsc": 2, "ryder": 2, "shipbob": 1, "redstag": 1}


def night_of(fixtures: Path, root: Path):
    """The 850s of ``fixtures`` taken at NIGHT (our clock in New York), each 3PL's confirmations of its
    shipments/<warehouse>/ folder shipped and invoiced at SHIP_DAY, every document delivered: (ws, the stored findings
    as (code, severity, partner, PO, message), the orders' states, the warehouses' results by id)."""
    ws = of_its_own(fixtures, root)
    ws.config_path.write_text('[clock]\nzone = "America/New_York"\n', encoding="utf-8")
    run_stages(ws, NIGHT)
    for folder in (fixtures / "shipments").iterdir():
        inbox = ws.warehouse_drop_root / folder.name / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        for f in folder.iterdir():
            shutil.copy2(f, inbox / f.name)
    results = ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["partner"], f["po_number"],
                                                        f["message"]))
    return ws, found, states, {r.warehouse: r for r in results[:-1]}


def recounted_945s(data: bytes) -> bytes:
    """A 945 file with each set's SE01 counted again (its segments, ST to SE, each at a line's start)."""
    terminator = b"~"
    out, count = [], 0
    for seg in data.split(terminator):
        name = seg.strip()[:3]
        count = 1 if name == b"ST*" else count + 1
        out.append(re.sub(rb"^(\s*SE\*)\d+", rb"\g<1>%d" % count, seg) if name == b"SE*" else seg)
    return terminator.join(out)


def variant(tmp_path: Path, warehouse: str, swaps=(), *, profile_swaps=()):
    """night_of a copy of the fixtures with ``warehouse``'s confirmation alone, each (old, new) of ``swaps`` made in
    it (every old there; a 945's SE01s counted again), and of ``profile_swaps`` in the warehouse's profile."""
    copy = tmp_path / "rg69"
    shutil.copytree(FIXTURES, copy)
    for folder in (copy / "shipments").iterdir():
        if folder.name != warehouse:
            shutil.rmtree(folder)
    [path] = (copy / "shipments" / warehouse).iterdir()
    for target, changes in ((path, swaps), (copy / "warehouses" / f"{warehouse}.toml", profile_swaps)):
        data = target.read_bytes()
        for old, new in changes:
            assert old.encode() in data, old
            data = data.replace(old.encode(), new.encode())
        target.write_bytes(recounted_945s(data) if target is path and path.suffix != ".csv" else data)
    return night_of(copy, tmp_path / "ws")


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_a_finding(path):
    inspected_clean(path, set(), POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    return night_of(FIXTURES, tmp_path_factory.mktemp("rg69") / "ws")


def test_every_confirmation_is_read_and_every_shipment_goes(night):
    _ws, _found, _states, results = night
    assert {w: (r.files, r.processed, r.quarantined, r.shipments, r.held, r.errors)
            for w, r in results.items()} == {w: (1, 1, 0, n, 0, 0) for w, n in SHIPMENTS.items()}


def test_the_night_tells_only_the_line_dhl_could_not_pick(night):
    """The one finding of the night: DHL's W12*CP*12*0*12 (a line confirmed with nothing shipped) is not recorded as
    shipped, a warning; GXO's short line (24 ordered, 20 shipped) is no finding: the 856 and the order say it. It
    used to tell two more of ShipBob's shipment: its Carrier "FedEx" was taken for a SCAC (SHIPMENT_SCAC_INVALID)
    and for another carrier than the PO's FDEG (CARRIER_NOT_ROUTED: a chargeback expected for a shipment routed as
    asked)."""
    _ws, found, _states, _results = night
    assert found == [("SHIPMENT_945_NOT_SHIPPED", "warning", "ulta", "UL6900202",
                      "The W12 ships 0 of RG69-04 (12 ordered): not recorded as shipped.")]


def test_every_po_is_acknowledged_as_ordered_and_what_shipped_in_full_is_invoiced(night):
    ws, _found, states, _results = night
    accepted_as_ordered(ws, POS)
    assert states == {(p, po): "partially_shipped" if (p, po) in SHORT else "invoiced"
                      for p, pos in POS.items() for po in pos}


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    # an 856 per shipment (8), an 810 per order shipped in full (6: per = "order"), an 855 per PO (8)
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=8, answers=8, invoices=6)


def test_gxo_s_pallets_short_line_weights_and_carrier_are_on_tractor_supply_s_856(night):
    ws, _found, _states, _results = night
    asn = po_segments(segments(ws, "tractorsupply", "856"), "GXO-7730012", "BSN")
    # the W03: 1,290 LB and 64 cubic feet over two pallets (W0306/W0307 2 PL); W27's SCAC and routing, motor
    assert ["TD1", "CTN25", "2", "", "", "", "G", "1290", "LB", "64", "CF"] in asn and ["TD1", "PLT94", "2"] in asn
    assert ["TD5", "B", "2", "ODFL", "M", "ODFL STANDARD LTL"] in asn
    assert ["REF", "BM", "ODFL0102"] in asn and ["REF", "CN", "PRO7302"] in asn
    assert ["DTM", "011", "20261201", "1335", "CT"] in asn  # G62*11*20261201*8*1335*CT as the 3PL gave it
    # each pallet's SSCC as GXO labelled it (MAN*GM*00 + the SSCC-18); the short line ships 20 of its 24
    assert [s for s in asn if s[0] in ("MAN", "SN1")] == [
        ["MAN", "GM", "00008875000000000033"], ["SN1", "", "20", "EA", "", "24", "EA"],
        ["MAN", "GM", "00008875000000000040"], ["SN1", "", "4", "EA", "", "4", "EA"]]
    inv = po_segments(segments(ws, "tractorsupply", "810"), "TS6900101", "BIG")
    assert [s for s in inv if s[0] in ("IT1", "TDS")] == [
        ["IT1", "1", "10", "EA", "54", "", "UP", "614141569014", "VN", "RG69-01"],
        ["IT1", "2", "200", "EA", "4.25", "", "UP", "614141569021", "VN", "RG69-02"], ["TDS", "139000"]]


def test_dhl_s_lots_and_expiries_reach_ulta_s_856_and_the_line_not_picked_stays_owed(night):
    ws, _found, _states, _results = night
    asn = po_segments(segments(ws, "ulta", "856"), "DHL-0012201", "BSN")
    assert [s for s in asn if s[0] in ("LIN", "REF", "DTM") and s[1] in ("1", "2", "LT", "036")] == [
        ["LIN", "1", "UP", "614141569045", "VN", "RG69-04"], ["REF", "LT", "LR2611A"], ["DTM", "036", "20281130"],
        ["LIN", "2", "UP", "614141569052", "VN", "RG69-05"], ["REF", "LT", "SR2610C"], ["DTM", "036", "20280531"]]
    assert ["DTM", "011", "20261201", "1450", "ET"] in asn and ["TD5", "B", "2", "FXFE", "M", "FEDEX FREIGHT ECONOMY"] \
        in asn
    # the other order: line 1 from its W1209 lot, line 2 (0 shipped) on no 856, its 12 still owed
    asn = po_segments(segments(ws, "ulta", "856"), "DHL-0012202", "BSN")
    assert [s for s in asn if s[0] in ("LIN", "SN1", "REF") and s[1] not in ("IA", "BM")] == [
        ["LIN", "1", "UP", "614141569069", "VN", "RG69-06"], ["SN1", "", "72", "EA", "", "72", "EA"],
        ["REF", "LT", "EP2611"]]
    assert not [s for s in segments(ws, "ulta", "810") if s[0] == "BIG" and s[4] == "UL6900202"]


def test_ryder_s_groups_ship_chewy_s_orders_to_the_po_s_address_with_each_parcel_tracked(night):
    ws, _found, _states, _results = night
    freight = po_segments(segments(ws, "chewy", "856"), "RYD-55001", "BSN")
    parcels = po_segments(segments(ws, "chewy", "856"), "RYD-55002", "BSN")
    assert ["TD5", "B", "2", "RDWY", "M", "YRC FREIGHT"] in freight and ["REF", "BM", "RDWY880101"] in freight
    assert ["TD5", "B", "2", "UPSN", "U", "UPS GROUND"] in parcels
    for asn in (freight, parcels):  # the 945 named the ship-to by its id alone: the 856 names it as the PO did
        assert asn[asn.index(["N1", "ST", "CHEWY AVP1", "92", "AVP1"]) + 1:][:2] == [
            ["N3", "1 FULFILLMENT WAY"], ["N4", "WILKES-BARRE", "PA", "18702", "US"]]
        assert ["DTM", "011", "20261201", "1140", "PT"] in asn
    # one line over two cartons, each W12 CP 6 of 12: both cartons with their SSCC and tracking number, 12 shipped
    assert [s for s in parcels if s[0] in ("REF", "MAN", "SN1") and s[1] != "IA"][1:] == [
        ["REF", "CN", "1Z69R0010300000017"], ["MAN", "GM", "00006141410000091034"],
        ["SN1", "", "6", "EA", "", "12", "EA"],
        ["REF", "CN", "1Z69R0010300000026"], ["MAN", "GM", "00006141410000091041"],
        ["SN1", "", "6", "EA", "", "12", "EA"]]
    inv = po_segments(segments(ws, "chewy", "810"), "CH6900302", "BIG")
    assert ["IT1", "1", "12", "EA", "5.5", "", "UP", "614141569090", "VN", "RG69-09"] in inv


def test_shipbob_s_carrier_named_by_its_service_is_the_scac_on_the_856(night):
    """ShipBob's export names the carrier ("FedEx") and its service ("FedEx Ground"); the warehouse profile's
    [csv] carriers map the export's names to SCACs (FedEx Ground FDEG, FedEx 2Day FDEN: one Carrier, two SCACs).
    The 856 used to say TD5*B*2*FEDEX*M (no SCAC; motor for a parcel) and the night warned the PO's FDEG was not
    the carrier. Now: TD5*B*2*FDEG*U, its tracking number, the package's 148 oz as 9.25 LB."""
    ws, _found, _states, _results = night
    asn = po_segments(segments(ws, "chewy", "856"), "318840012", "BSN")
    assert ["TD5", "B", "2", "FDEG", "U", "FedEx Ground"] in asn
    assert ["TD1", "CTN25", "1", "", "", "", "G", "9.25", "LB"] in asn and ["REF", "CN", "794612345678"] in asn
    assert ["DTM", "011", "20261201", "1350", "CT"] in asn  # 01:50 PM on the Cicero clock
    assert [s for s in asn if s[0] == "SN1"] == [["SN1", "", "6", "EA", "", "6", "EA"],
                                                 ["SN1", "", "4", "EA", "", "4", "EA"]]


def test_red_stag_s_packages_go_with_their_lot_expiry_and_tracking_numbers(night):
    """Red Stag's export: two UPS packages of one line (12 each), the carrier and method its own codes ("ups",
    "ups_ground": [csv] carriers gives UPSN), the lot and its expiry month (2028-10: its last day) on each."""
    ws, _found, _states, _results = night
    asn = po_segments(segments(ws, "ulta", "856"), "100004471-1", "BSN")
    assert ["TD5", "B", "2", "UPSN", "U", "ups_ground"] in asn
    assert ["TD1", "CTN25", "2", "", "", "", "G", "14.8", "LB"] in asn
    assert [s[2] for s in asn if s[:2] == ["REF", "CN"]] == ["1Z4RS0690300000011", "1Z4RS0690300000020"]
    assert [s for s in asn if s[0] in ("SN1", "REF", "DTM") and s[1] in ("", "LT", "036")] == [
        ["SN1", "", "12", "EA", "", "24", "EA"], ["REF", "LT", "SS2611B"], ["DTM", "036", "20281031"]] * 2
    inv = po_segments(segments(ws, "ulta", "810"), "UL6900203", "BIG")
    assert [s for s in inv if s[0] in ("IT1", "TDS")] == [
        ["IT1", "1", "24", "EA", "11", "", "UP", "614141569120", "VN", "RG69-12"], ["TDS", "26400"]]

@pytest.mark.parametrize("carrier,service,scac", [("FedEx", "FedEx 2Day", "FDEN"), ("UPS", "Ground", "UPSN"),
                                                  ("usps", "Priority Mail", "USPS"), ("USPS", "", "USPS")])
def test_a_carrier_is_read_by_its_service_s_name_else_its_own(carrier, service, scac):
    from parsers.shipments_csv import read_shipment_csv
    from schemas.warehouses import load_warehouse

    layout = load_warehouse(FIXTURES / "warehouses" / "shipbob.toml").csv
    text = (FIXTURES / "shipments" / "shipbob" / "shipbob_shipments_2026-12-01.csv").read_text(encoding="utf-8")
    table, found = read_shipment_csv(text.replace("FedEx,FedEx Ground", f"{carrier},{service}").encode(), layout)
    assert found == [] and set(table["carrier_scac"].to_pylist()) == {scac}


def test_a_carrier_name_the_profile_does_not_map_is_still_warned(tmp_path):
    """A name neither the service nor the carrier cell maps ("OnTrac", "OnTrac Ground") is the carrier cell, as
    before: no SCAC, warned; the shipment goes."""
    ws, found, states, _results = variant(tmp_path, "shipbob", [("FedEx,FedEx Ground", "OnTrac,OnTrac Ground")])
    assert [f[0] for f in found] == ["SHIPMENT_SCAC_INVALID", "CARRIER_NOT_ROUTED"]
    assert states[("chewy", "CH6900303")] == "invoiced"


def test_a_carrier_named_twice_in_any_case_is_refused_in_the_profile():
    from pydantic import ValidationError

    from schemas.fulfilment import ShipmentCsvMapping

    with pytest.raises(ValidationError, match="twice"):
        ShipmentCsvMapping(carriers={"FedEx": "FDEG", "FEDEX ": "FDEN"})
    with pytest.raises(ValidationError):
        ShipmentCsvMapping(carriers={"FedEx": "FedEx"})  # a SCAC is 2-4 capital letters


def test_an_over_shipped_pallet_holds_its_shipment_and_the_other_of_the_group_goes(tmp_path):
    """GXO confirms 204 T-posts of the 200 ordered (W12*CC*200*204*-4): over the line, held, its 856 not sent; the
    group's other 945 (TS6900102) ships."""
    ws, found, states, results = variant(tmp_path, "gxo", [("W12*CC*200*200*0*EA", "W12*CC*200*204*-4*EA"),
                                                           ("W03*210*", "W03*214*")])
    assert [f[:4] for f in found] == [("SHIPMENT_OVER_RESERVED", "error", "tractorsupply", "TS6900101")]
    assert found[0][4] == "Line 2 of TS6900101: 204 more shipped with only 200 still reserved."
    assert (results["gxo"].shipments, results["gxo"].held) == (1, 1)
    assert [s[2] for s in segments(ws, "tractorsupply", "856") if s[0] == "BSN"] == ["GXO-7730012"]
    assert (states[("tractorsupply", "TS6900101")], states[("tractorsupply", "TS6900102")]) == (
        "acknowledged", "partially_shipped")


def test_a_w12_of_a_line_the_po_does_not_have_holds_its_group_s_shipment_only(tmp_path):
    """Ryder's second group ships cat litter on PO CH6900302 (N9*LI*2: the PO has one line): that shipment is held
    (SHIPMENT_LINE_UNKNOWN at the line); the first group's (CH6900301) ships."""
    ws, found, states, _results = variant(tmp_path, "ryder", [
        ("W12*CP*12*6*6*EA*614141569090*VN*RG69-09**4*G*L~\nN9*LI*1~\nW03*12",
         "W12*CC*0*6*-6*EA*614141569083*VN*RG69-08**4*G*L~\nN9*LI*2~\nW03*12")])
    assert found == [("SHIPMENT_LINE_UNKNOWN", "error", "chewy", "CH6900302", "PO CH6900302 has no line '2'.")]
    assert [s[2] for s in segments(ws, "chewy", "856") if s[0] == "BSN"] == ["RYD-55001"]
    assert (states[("chewy", "CH6900301")], states[("chewy", "CH6900302")]) == ("invoiced", "acknowledged")


def test_a_w12_naming_its_item_by_upc_alone_and_its_line_with_zeros_ships(tmp_path):
    """DHL's W12s without our item number (W1206 the UPC, W1207 empty; or W1207 UP), one with its line as its
    940 wrote it (N9*LI*00001), one with none: each is the PO line of that item, shipped and invoiced."""
    ws, found, states, _results = variant(tmp_path, "dhlsc", [
        ("W12*CC*48*48*0*EA*614141569045*VN*RG69-04**14*G*L~\r\nN9*LI*1~",
         "W12*CC*48*48*0*EA*614141569045****14*G*L~\r\nN9*LI*00001~"),
        ("*VN*RG69-05**11*G*L~\r\nN9*LI*2~", "*UP*614141569052**11*G*L~")])
    assert [f[0] for f in found] == ["SHIPMENT_945_NOT_SHIPPED"]
    assert states[("ulta", "UL6900201")] == "invoiced"
    inv = po_segments(segments(ws, "ulta", "810"), "UL6900201", "BIG")
    assert [s[:4] for s in inv if s[0] == "IT1"] == [["IT1", "1", "48", "EA"], ["IT1", "2", "36", "EA"]]


def test_a_945_confirming_nothing_shipped_ships_nothing_and_keeps_the_order_open(tmp_path):
    """Every W12 of DHL's second 945 ships 0 (W0601 F, the order cut at the site): each a warning, no 856, the order
    still acknowledged and owed; the first 945 of the group ships."""
    ws, found, states, _results = variant(tmp_path, "dhlsc", [
        ("W12*CC*72*72*0*EA*614141569069*VN*RG69-06*EP2611*9*G*L", "W12*CP*72*0*72*EA*614141569069*VN*RG69-06"),
        ("W03*72*9*LB", "W03*0")])
    assert [f[:4] for f in found] == [("SHIPMENT_945_NOT_SHIPPED", "warning", "ulta", "UL6900202")] * 2
    assert [s[2] for s in segments(ws, "ulta", "856") if s[0] == "BSN"] == ["DHL-0012201"]
    assert (states[("ulta", "UL6900201")], states[("ulta", "UL6900202")]) == ("invoiced", "acknowledged")


# GXO consolidates both Tractor Supply orders on one truck: one bill of lading and PRO, and the load's number as each
# order's W0604 (the shipment id, "uniquely identifies the shipment from origin to ultimate destination")
ONE_LOAD = [("GXO-7730012", "GXO-7730011"), ("ODFL0102", "ODFL0101"), ("PRO7302", "PRO7301")]


def test_two_orders_945s_of_one_load_are_one_shipment_with_both_orders(tmp_path):
    """GXO's two W06 sets of one file name the same shipment (W0604), bill of lading, carrier and ship date, each
    its own order: one shipment of two orders, as a CSV's rows of two POs under one shipment id are. It used to be
    held whole (SHIPMENT_ID_DUPLICATE, "also comes in another confirmation"): neither order shipped. Now one 856,
    an O loop per order, the TD1 the two W03s' sums (3,320 LB, 160 CF, 4 pallets)."""
    ws, found, states, results = variant(tmp_path, "gxo", ONE_LOAD)
    assert found == [] and (results["gxo"].shipments, results["gxo"].held) == (1, 0)
    asn = segments(ws, "tractorsupply", "856")
    assert [s[2] for s in asn if s[0] == "BSN"] == ["GXO-7730011"]
    assert [s[1] for s in asn if s[0] == "PRF"] == ["TS6900101", "TS6900102"]
    assert ["TD1", "CTN25", "4", "", "", "", "G", "3320", "LB", "160", "CF"] in asn and ["TD1", "PLT94", "4"] in asn
    assert [s[2:7:3] for s in asn if s[0] == "SN1"] == [["10", "10"], ["200", "200"], ["20", "24"], ["4", "4"]]
    assert (states[("tractorsupply", "TS6900101")], states[("tractorsupply", "TS6900102")]) == (
        "invoiced", "partially_shipped")


@pytest.mark.parametrize("swaps,code", [
    # the same order confirmed twice under one shipment id, the second differing (a correction resent with the first)
    ([*ONE_LOAD, ("W06*N*TS6900102*20261201*GXO-7730011**TS6900102", "W06*N*TS6900101*20261201*GXO-7730011**TS6900101"),
      ("W12*CP*24*20*4*EA*614141569038*VN*RG69-03", "W12*CC*10*10*0*EA*614141569014*VN*RG69-01"),
      ("W12*CC*4*4*0*EA*614141569014*VN*RG69-01", "W12*CC*200*200*0*EA*614141569021*VN*RG69-02")],
     "SHIPMENT_ID_DUPLICATE"),
    # two orders under one shipment id by two bills of lading: two trucks, no one shipment
    (ONE_LOAD[:1] + ONE_LOAD[2:], "SHIPMENT_HEADER_INCONSISTENT"),
])
def test_one_shipment_id_for_one_order_twice_or_two_trucks_is_still_held(tmp_path, swaps, code):
    ws, found, states, _results = variant(tmp_path, "gxo", swaps)
    assert code in {f[0] for f in found} and not list((ws.drop_root / "tractorsupply" / "outbox").glob("*-856-*"))


@pytest.mark.parametrize("g62", ["G62*11*20261201*8*1140~", "G62*11*20261201*8*1140*LT~"])
def test_a_ship_time_in_the_warehouse_s_local_time_is_its_clock_s(tmp_path, g62):
    """Ryder's Fontana site gives its ship time with no time code, or LT (local time): 11:40 there is 14:40 in New
    York, within Chewy's 30-minute window of our 15:00 run (its profile's time_zone, America/Los_Angeles). It used to
    be taken as our clock's 11:40 (no profile could say otherwise): ASN_LATE for two 856s sent on time."""
    swaps = [("G62*11*20261201*8*1140*PT~", g62)]
    _ws, found, states, _results = variant(tmp_path, "ryder", swaps)
    assert found == [] and states[("chewy", "CH6900302")] == "invoiced"
    _ws, found, _states, _results = variant(tmp_path / "ours", "ryder", swaps,
                                            profile_swaps=[('time_zone = "America/Los_Angeles"', 'time_zone = ""')])
    assert [f[0] for f in found] == ["ASN_LATE", "ASN_LATE"]  # no zone of its own: our clock's, as before


def test_a_warehouse_s_clock_is_its_zone_s_time_of_the_day_and_a_zone_that_is_none_is_refused():
    from datetime import date, time, timedelta

    from pydantic import ValidationError

    from engine.lifecycle.shipping import local_offset
    from schemas.warehouses import WarehouseProfile, load_warehouse

    shipbob = load_warehouse(FIXTURES / "warehouses" / "shipbob.toml")
    assert shipbob.time_zone == "America/Chicago"
    assert local_offset(shipbob.time_zone, date(2026, 12, 1), time(13, 50)) == timedelta(hours=-6)
    assert local_offset(shipbob.time_zone, date(2026, 7, 1), time(13, 50)) == timedelta(hours=-5)  # daylight time
    with pytest.raises(ValidationError, match="IANA"):
        WarehouseProfile.model_validate({**shipbob.model_dump(), "time_zone": "Central"})


def test_shipbob_s_chicago_clock_is_read_as_its_own(tmp_path):
    """ShipBob's 01:50 PM is Cicero's (14:50 in New York): within the window. Read as our clock's (no time_zone):
    13:50, ASN_LATE."""
    _ws, found, _states, _results = variant(tmp_path, "shipbob")
    assert found == []
    _ws, found, _states, _results = variant(tmp_path / "ours", "shipbob", profile_swaps=[
        ('time_zone = "America/Chicago"', 'time_zone = ""')])
    assert [f[0] for f in found] == ["ASN_LATE"]


def test_the_backorder_of_the_short_line_shipped_the_next_day_completes_and_bills_the_order(tmp_path):
    """GXO ships the 4 layer pellets it was short the next afternoon (W12*CC*4*4*0 of line 1, its own W0604): a
    second 856 for them, and Tractor Supply's order, now shipped in full, is billed once for all it shipped (24 and
    4)."""
    ws, _found, _states, _results = variant(tmp_path, "gxo")
    later = (FIXTURES / "shipments" / "gxo" / "GXO_945_20261201143512.edi").read_text(encoding="utf-8")
    head, first, second = later.split("ST*945*")
    second = second.split("SE*")[0]
    body = [s for s in second.split("~\n")[1:] if s]
    body = [s.replace("GXO-7730012", "GXO-7730013").replace("20261201", "20261202").replace("ODFL0102", "ODFL0103")
            .replace("PRO7302", "PRO7303") for s in body]
    lx2 = body.index("LX*2")
    body = [*body[:lx2 - 5], *[s.replace("W12*CP*24*20*4", "W12*CC*4*4*0").replace("*1030*G*L", "*210*G*L")
                               .replace("00008875000000000033", "00008875000000000057")  # a pallet of its own
                               for s in body[lx2 - 5:lx2]], "W03*4*210*LB*16*CF*1*PL"]
    head = head.replace("261201*1436", "261202*1410").replace("20261201*1436", "20261202*1410")
    text = (head.replace("000008801", "000008802").replace("*88011*", "*88021*") + "ST*945*1001~\n"
            + "".join(s + "~\n" for s in body) + f"SE*{len(body) + 2}*1001~\nGE*1*88021~\nIEA*1*000008802~\n")
    inbox = ws.warehouse_drop_root / "gxo" / "inbox"
    (inbox / "GXO_945_20261202141000.edi").write_text(text, encoding="utf-8")
    day2 = datetime(2026, 12, 2, 15)
    ship_stages(ws, day2, run_id="day2")
    deliver_all(ws, day2)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["po_number"]))
    assert states[("tractorsupply", "TS6900102")] == "invoiced" and not [f for f in found if f[1] == "error"]
    asn = po_segments(segments(ws, "tractorsupply", "856"), "GXO-7730013", "BSN")
    assert [s for s in asn if s[0] == "SN1"] == [["SN1", "", "4", "EA", "", "24", "EA"]]
    inv = po_segments(segments(ws, "tractorsupply", "810"), "TS6900102", "BIG")
    assert [s[:5] for s in inv if s[0] == "IT1"] == [["IT1", "1", "24", "EA", "18.5"], ["IT1", "2", "4", "EA", "54"]]


def test_each_3pl_gets_a_997_accepting_its_945_groups(night):
    """Each 945 group is answered by a 997 in the 3PL's outbox (where it picks up), from the ids the 945 was sent to
    (ISA07/08, GS03), in the group's release: none used to be sent, so a 3PL whose agreement expects one resent its
    945s or alerted (tests/test_945_acks.py: rejections, numbering, crashes, the validators)."""
    ws, _found, _states, _results = night
    for warehouse, groups in {"gxo": ["88011"], "dhlsc": ["44021"], "ryder": ["31011", "31012"]}.items():
        sent = sorted((ws.warehouse_drop_root / warehouse / "outbox").glob("*997*"))
        acks = [s.split("~")[0] for p in sent for s in p.read_text(encoding="utf-8").replace("\n", "").split("~")]
        assert [a.split("*")[2] for a in acks if a.startswith("AK1*SW*")] == groups


@pytest.mark.parametrize("shipped,zone", [
    ("2026-12-01T19:50:12Z", "UT"), ("2026-12-01T13:50:12-06:00", "CS"), ("2026-12-01 14:50:12 -0500", "ES"),
    ("2026-12-01 13:50 CST", "CS"), ("2026-12-01T13:50:12-06:00[America/Chicago]", "CS"),
    ("2026-12-01T11:50:12[America/Los_Angeles]", "PT"), ("2026-12-01 14:50", None)])
def test_a_ship_time_written_with_its_zone_keeps_it_for_the_856_and_the_asn_window(shipped, zone):
    """An export writing the ship date and time as one timestamp with its zone (ISO 8601 in UTC, "Z"; an offset; a
    US zone's abbreviation; a region in brackets) gives the zone as the 856's time code (DTM04, code list 623: UT,
    ES, CS, PT ...), by which the ASN window converts it. The time used to be read as written and its zone dropped:
    19:50 UTC was 19:50 on our clock and the 856 said DTM*011*20261201*1950 (five hours off, no zone)."""
    from parsers.shipments_csv import read_shipment_csv
    from schemas.warehouses import load_warehouse

    layout = load_warehouse(FIXTURES / "warehouses" / "redstag.toml").csv
    text = (FIXTURES / "shipments" / "redstag" / "redstag-shipments-20261201.csv").read_text(encoding="utf-8")
    table, found = read_shipment_csv(text.replace("2026-12-01 14:41:07", shipped).encode(), layout)
    assert found == [] and set(table["ship_time_zone"].to_pylist()) == {zone}


def test_a_utc_timestamp_is_sent_as_utc_and_is_on_time(tmp_path, maps):  # noqa: F811
    from tests.test_mark_for import accepted

    ws, found, _states, _results = variant(tmp_path, "redstag", [("2026-12-01 14:41:07", "2026-12-01T19:41:07Z")])
    assert found == []  # 14:41 in New York: within the window (it was 19:41 ours, "before" the 856 at 15:00)
    asn = po_segments(segments(ws, "ulta", "856"), "100004471-1", "BSN")
    assert ["DTM", "011", "20261201", "1941", "UT"] in asn
    [sent] = (ws.drop_root / "ulta" / "outbox").glob("ulta-856-*.x12")
    accepted(sent.read_bytes(), tmp_path, maps)  # our validator, Bots and pyx12
