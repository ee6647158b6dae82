"""Shipment confirmations as shipping tools, WMSs and 3PLs export them (tests/fixtures/rg82/: three buyers' profiles,
reference rows, stock at each site, their 850s, and each site's confirmations of 2026-12-04 under
shipments/<warehouse>/). ShipStation's Shipments export (a row per item; the carrier by name and its service with
ShipStation's mark, "UPS® Ground"; the weight in ounces) keeps a voided label beside the label made again for the
same goods; Shippo's (a row per label: the transaction its package, its time in UTC with a Z, each label's weight
with its mass unit, lb or oz) lists a refunded label beside the one that replaced it. Extensiv 3PL Warehouse
Manager's shipped-orders export ships an LTL load (the routing screen's Mode "LTL", the SCAC, the PRO as tracking
number, the bill of lading, cartons on pallets both with SSCCs, weights written "412.5 lbs"). A Körber (HighJump)
005010 945 ships one order's line over two trucks and three pallets (W12 CP with what stays open, N9 BM and CN,
the W03 in pounds and in kilograms). A NetSuite item fulfillment saved search (no carton; "Each"; the fulfillment's
two package tracking numbers in one cell; its Total row) and a Logiwa report saved through Excel (the product by its
UPC, packages weighed in kilograms, the ship date an Excel serial with its time of day) ship Kohl's. One night takes
them all: inspect, 997s and 855s, every confirmation to 856s and 810s that our validator, Bots and pyx12 accept;
the findings each confirmation must raise and none other."""

from __future__ import annotations

import shutil
from datetime import datetime, time
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

FIXTURES = REPO / "tests" / "fixtures" / "rg82"
NIGHT = datetime(2026, 12, 2, 2)
SHIP_DAY = datetime(2026, 12, 4, 15)  # the sites shipped at 11:41 PT, 14:44 UTC-5, 13:41 CT, 13:38 CT, 13:44 CT

POS = {"dicks": {"DK8200101": 2, "DK8200102": 2}, "academy": {"AC8200201": 2, "AC8200202": 2},
       "kohls": {"KO8200301": 2, "KO8200302": 2}}
SHIPMENTS = {"shipstation": 1, "shippo": 1, "extensiv": 1, "korber": 2, "netsuite": 1, "logiwa": 1}
VOIDED = [("SHIPMENT_LABEL_VOIDED", "warning", "dicks", "DK8200102",
           "Row 4: its label was voided (Status 'REFUNDED'): 4 of RG82-04 on shipment DK8200102 not recorded as "
           "shipped."),
          ("SHIPMENT_LABEL_VOIDED", "warning", "dicks", "DK8200101",
           "Row 2: its label was voided (Voided 'True'): 12 of RG82-01 on shipment 100482211 not recorded as shipped."),
          ("SHIPMENT_LABEL_VOIDED", "warning", "dicks", "DK8200101",
           "Row 3: its label was voided (Voided 'True'): 6 of RG82-02 on shipment 100482211 not recorded as shipped.")]


def night_of(fixtures: Path, root: Path, only: tuple[str, ...] = ()):
    """The 850s of ``fixtures`` taken at NIGHT (our clock in New York), each site's confirmations of its
    shipments/<warehouse>/ folder (``only`` those sites, when given) shipped and invoiced at SHIP_DAY, every document
    delivered: (ws, the stored findings as (code, severity, partner, PO, message), the orders' states, the
    warehouses' results by id)."""
    ws = of_its_own(fixtures, root)
    ws.config_path.write_text('[clock]\nzone = "America/New_York"\n', encoding="utf-8")
    run_stages(ws, NIGHT)
    for folder in (fixtures / "shipments").iterdir():
        if only and folder.name not in only:
            continue
        inbox = ws.warehouse_drop_root / folder.name / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        for f in folder.iterdir():
            shutil.copy2(f, inbox / f.name)
    results = ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["partner"], f["po_number"],
                                                        f["message"]))
    return ws, found, states, {r.warehouse: r for r in results[:-1]}


def variant(tmp_path: Path, warehouse: str, swaps=(), *, profile_swaps=()):
    """night_of a copy of the fixtures with ``warehouse``'s confirmation alone, each (old, new) of ``swaps`` made in
    it and of ``profile_swaps`` in its profile (every old there)."""
    copy = tmp_path / "rg82"
    shutil.copytree(FIXTURES, copy)
    [path] = (copy / "shipments" / warehouse).iterdir()
    for target, changes in ((path, swaps), (copy / "warehouses" / f"{warehouse}.toml", profile_swaps)):
        text = target.read_text(encoding="utf-8")
        for old, new in changes:
            assert old in text, old
            text = text.replace(old, new)
        target.write_text(text, encoding="utf-8")
    return night_of(copy, tmp_path / "ws", (warehouse,))


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_a_finding(path):
    inspected_clean(path, set(), POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    return night_of(FIXTURES, tmp_path_factory.mktemp("rg82") / "ws")


def test_every_confirmation_is_read_and_every_shipment_goes(night):
    """Each site's file read and processed, none quarantined, every shipment sent, none held. ShipStation's and
    Shippo's used to be quarantined with a shipment held (the voided label shipped in the relabelled one's stead,
    the real label then more than was reserved)."""
    _ws, _found, _states, results = night
    assert {w: (r.files, r.processed, r.quarantined, r.shipments, r.held, r.errors)
            for w, r in results.items()} == {w: (1, 1, 0, n, 0, 0) for w, n in SHIPMENTS.items()}


def test_the_night_tells_only_the_voided_labels(night):
    """The night's findings: each row of a voided label, left out with a warning naming its row, column and value,
    what it held and its shipment. Extensiv's Mode "LTL" used to be a warning on each row
    (SHIPMENT_TRANSPORT_METHOD_UNKNOWN) and the 856's TD504 M."""
    _ws, found, _states, _results = night
    assert found == VOIDED


def test_every_po_is_acknowledged_as_ordered_and_invoiced(night):
    ws, _found, states, _results = night
    accepted_as_ordered(ws, POS)
    assert states == {(p, po): "invoiced" for p, pos in POS.items() for po in pos}


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    # seven 856s (Körber's two trucks each one); 810s: Dick's per shipment (2), Academy's and Kohl's per order (4)
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=7, answers=6, invoices=6)


def test_shipstation_s_voided_label_is_not_shipped_and_its_relabel_is(night):
    """ShipStation keeps shipment 100482211 in its export after its label was voided (Voided True) beside 100482236,
    the same goods labelled again. The voided one used to be the 856 (its dead tracking number, 11:02) and the 810,
    and the real one was held as 18 units over the reservation. Now: one 856 for 100482236, the carrier by name and
    its service (UPS, "UPS® Ground": UPSN by the profile's carriers, ® written (R) for an ASCII partner), 496 oz as
    31 LB, 11:41 in Reno; one 810 for its 18 units."""
    ws, _found, _states, _results = night
    asn = segments(ws, "dicks", "856")
    assert sorted(s[2] for s in asn if s[0] == "BSN") == ["100482236", "DK8200102"]
    asn = po_segments(asn, "100482236", "BSN")
    assert ["TD5", "B", "2", "UPSN", "U", "UPS(R) Ground"] in asn
    assert ["TD1", "CTN25", "1", "", "", "", "G", "31", "LB"] in asn
    assert ["DTM", "011", "20261204", "1141", "PT"] in asn  # the Reno clock (shipgaps: its zone)
    assert [s[2] for s in asn if s[:2] == ["REF", "CN"]] == ["1Z82RG820300000020"] * 2  # the S level's, the carton's
    assert "1Z82RG820300000011" not in str(segments(ws, "dicks", "856") + segments(ws, "dicks", "810"))
    assert [s for s in asn if s[0] == "SN1"] == [["SN1", "", "12", "EA", "", "12", "EA"],
                                                 ["SN1", "", "6", "EA", "", "6", "EA"]]
    inv = po_segments(segments(ws, "dicks", "810"), "DK8200101", "BIG")
    assert ["REF", "SI", "100482236"] in inv
    assert [s for s in inv if s[0] in ("IT1", "TDS")] == [
        ["IT1", "1", "12", "EA", "24", "", "UP", "614141820016", "VN", "RG82-01"],
        ["IT1", "2", "6", "EA", "59.5", "", "UP", "614141820023", "VN", "RG82-02"], ["TDS", "64500"]]


def test_shippo_s_refunded_label_is_left_out_and_each_package_keeps_its_tracking_number(night):
    """Shippo's rows are labels: the gloves in two packages (12 and 8 of 20), the bats' first label refunded (Status
    REFUNDED, the profile's voided column) and made again. Three packs, each with its own REF*CN and SSCC; the
    weights in lb and oz summed in pounds (4.2 + 46 oz + 9.75); the label time in UTC kept with its code."""
    ws, _found, _states, _results = night
    asn = po_segments(segments(ws, "dicks", "856"), "DK8200102", "BSN")
    assert ["TD1", "CTN25", "3", "", "", "", "G", "16.825", "LB"] in asn
    assert ["TD5", "B", "2", "FDEG", "U", "FedEx Ground"] in asn and ["DTM", "011", "20261204", "1938", "UT"] in asn
    assert [s for s in asn if s[0] in ("REF", "SN1") and s[1] != "IA"][1:] == [
        ["REF", "CN", "794682200011"], ["SN1", "", "12", "EA", "", "20", "EA"],
        ["REF", "CN", "794682200022"], ["SN1", "", "8", "EA", "", "20", "EA"],
        ["REF", "CN", "794682200044"], ["SN1", "", "4", "EA", "", "4", "EA"]]
    inv = po_segments(segments(ws, "dicks", "810"), "DK8200102", "BIG")
    assert [s for s in inv if s[0] in ("IT1", "TDS")] == [
        ["IT1", "1", "20", "EA", "8.75", "", "UP", "614141820030", "VN", "RG82-03"],
        ["IT1", "2", "4", "EA", "129", "", "UP", "614141820047", "VN", "RG82-04"], ["TDS", "69100"]]


def test_extensiv_s_ltl_load_goes_on_its_pallets_with_its_pro_and_bill_of_lading(night):
    """Extensiv's routing Mode "LTL" is TD504 LT (less than trailer load); the SCAC column the TD503, the carrier's
    name TD505; the bill of lading REF*BM and the PRO REF*CN; each pallet's SSCC a tare with its cartons' SSCCs
    under it, the chairs' line over two cartons; "412.5 lbs" read as its number in pounds."""
    ws, _found, _states, _results = night
    asn = po_segments(segments(ws, "academy", "856"), "318207", "BSN")
    assert ["TD5", "B", "2", "ODFL", "LT", "Old Dominion Freight Line"] in asn
    assert ["TD1", "CTN25", "4", "", "", "", "G", "2205", "LB"] in asn and ["TD1", "PLT94", "2"] in asn
    assert ["REF", "BM", "BOL318207"] in asn and ["REF", "CN", "07823410552"] in asn
    assert [s[:3] if s[0] == "HL" else s for s in asn if s[0] in ("HL", "MAN", "SN1")][1:] == [
        ["HL", "2", "1"], ["HL", "3", "2"], ["MAN", "GM", "00008123450000002010"],
        ["HL", "4", "3"], ["MAN", "GM", "00008123450000001013"], ["HL", "5", "4"],
        ["SN1", "", "60", "EA", "", "120", "EA"],
        ["HL", "6", "3"], ["MAN", "GM", "00008123450000001020"], ["HL", "7", "6"],
        ["SN1", "", "60", "EA", "", "120", "EA"],
        ["HL", "8", "2"], ["MAN", "GM", "00008123450000002027"],
        ["HL", "9", "8"], ["MAN", "GM", "00008123450000001037"], ["HL", "10", "9"],
        ["SN1", "", "30", "EA", "", "60", "EA"],
        ["HL", "11", "8"], ["MAN", "GM", "00008123450000001044"], ["HL", "12", "11"],
        ["SN1", "", "30", "EA", "", "60", "EA"]]
    inv = po_segments(segments(ws, "academy", "810"), "AC8200201", "BIG")
    assert ["REF", "BM", "BOL318207"] in inv
    assert [s for s in inv if s[0] in ("IT1", "TDS")] == [
        ["IT1", "1", "120", "EA", "18.25", "", "UP", "614141820054", "VN", "RG82-05"],
        ["IT1", "2", "60", "EA", "42", "", "UP", "614141820061", "VN", "RG82-06"], ["TDS", "471000"]]


def test_korber_s_line_over_two_trucks_is_two_856s_and_one_810_for_the_order(night):
    """The propane line (480) ships 144 + 144 on the first truck's two pallets and 192 on the second's; each 856
    its own bill of lading, PRO and weight (1,272 LB; 109 KG as the W03 gave it, 1.4 CR); the order billed once
    when shipped complete: 480 and 24."""
    ws, _found, _states, _results = night
    asn = segments(ws, "academy", "856")
    first, second = po_segments(asn, "KRB-7001", "BSN"), po_segments(asn, "KRB-7002", "BSN")
    assert ["TD1", "CTN25", "2", "", "", "", "G", "1272", "LB", "118", "CF"] in first
    assert ["TD1", "CTN25", "1", "", "", "", "G", "109", "KG", "1.4", "CR"] in second
    for asn, bol, pro in ((first, "SAIA7001", "1047720011"), (second, "SAIA7002", "1047720022")):
        assert ["REF", "BM", bol] in asn and ["REF", "CN", pro] in asn
        assert ["TD5", "B", "2", "SAIA", "M", "SAIA LTL FREIGHT"] in asn and ["DTM", "011", "20261204", "1338", "CT"] \
            in asn
    assert [s for s in first if s[0] in ("MAN", "SN1")] == [
        ["MAN", "GM", "00008123450000003017"], ["SN1", "", "144", "EA", "", "480", "EA"],
        ["MAN", "GM", "00008123450000003024"], ["SN1", "", "144", "EA", "", "480", "EA"],
        ["SN1", "", "24", "EA", "", "24", "EA"]]
    assert [s for s in second if s[0] in ("MAN", "SN1")] == [
        ["MAN", "GM", "00008123450000003031"], ["SN1", "", "192", "EA", "", "480", "EA"]]
    inv = po_segments(segments(ws, "academy", "810"), "AC8200202", "BIG")
    assert [s for s in inv if s[0] in ("IT1", "TDS")] == [
        ["IT1", "1", "480", "EA", "4.4", "", "UP", "614141820078", "VN", "RG82-07"],
        ["IT1", "2", "24", "EA", "88", "", "UP", "614141820085", "VN", "RG82-08"], ["TDS", "422400"]]


def test_netsuite_s_tracking_numbers_in_one_cell_are_each_a_ref_cn(night):
    """NetSuite's item fulfillment lists its packages' tracking numbers in one cell ("794661201123, 794661201134",
    on every row). The 856 used to say REF*CN*794661201123, 794661201134 (one reference no carrier knows); now a
    REF*CN each. Ship Via "FedEx Home Delivery" is FDEG; "Each" EA; the search's Total row passed over."""
    ws, _found, _states, _results = night
    asn = po_segments(segments(ws, "kohls", "856"), "IF-00482", "BSN")
    assert [s for s in asn if s[0] in ("TD5", "REF")] == [
        ["TD5", "B", "2", "FDEG", "U"], ["REF", "CN", "794661201123"], ["REF", "CN", "794661201134"],
        ["REF", "IA", "KL6604"]]
    assert [s for s in asn if s[0] == "SN1"] == [["SN1", "", "10", "EA", "", "10", "EA"],
                                                 ["SN1", "", "5", "EA", "", "5", "EA"]]
    inv = po_segments(segments(ws, "kohls", "810"), "KO8200301", "BIG")
    assert [s for s in inv if s[0] in ("IT1", "TDS")] == [
        ["IT1", "1", "10", "EA", "45", "", "UP", "614141820092", "VN", "RG82-09"],
        ["IT1", "2", "5", "EA", "80", "", "UP", "614141820108", "VN", "RG82-10"], ["TDS", "85000"]]


def test_logiwa_s_upcs_kilograms_and_excel_serial_time_reach_the_856(night):
    """Logiwa's report saved through Excel: the product by its UPC (each the PO's line of that item), the packages in
    kilograms (14.6 + 16.35 + 55.8), the ship date 46360.5722222222: 2026-12-04 at 13:44 in Joliet. The serial's
    time of day used to be dropped (DTM*011*20261204 alone: no departure the ASN window could judge)."""
    ws, _found, _states, _results = night
    asn = po_segments(segments(ws, "kohls", "856"), "SHP-0091744", "BSN")
    assert ["TD1", "CTN25", "3", "", "", "", "G", "86.75", "KG"] in asn
    assert ["DTM", "011", "20261204", "1344", "CT"] in asn
    assert [s[2] for s in asn if s[:2] == ["REF", "CN"]] == ["1Z8RG8820300000051", "1Z8RG8820300000060",
                                                            "1Z8RG8820300000079"]
    assert [s for s in asn if s[0] in ("LIN", "SN1")] == [
        ["LIN", "1", "UP", "614141820115", "VN", "RG82-11"], ["SN1", "", "36", "EA", "", "36", "EA"],
        ["LIN", "2", "UP", "614141820122", "VN", "RG82-12"], ["SN1", "", "6", "EA", "", "6", "EA"]]
    inv = po_segments(segments(ws, "kohls", "810"), "KO8200302", "BIG")
    assert [s for s in inv if s[0] in ("IT1", "TDS")] == [
        ["IT1", "1", "36", "EA", "21.5", "", "UP", "614141820115", "VN", "RG82-11"],
        ["IT1", "2", "6", "EA", "189", "", "UP", "614141820122", "VN", "RG82-12"], ["TDS", "190800"]]


def test_a_carrier_named_by_its_service_without_the_profile_naming_it_is_its_scac(tmp_path):
    """NetSuite's Ship Via "FedEx Home Delivery" with a profile naming no carriers: the 856 used to say
    TD5*B*2*FEDEX HOME DELIVERY*M (a name where the SCAC goes, motor for a parcel) and the night warned the carrier
    was no SCAC and not the PO's FDEG (a chargeback expected for a shipment routed as asked). Our list of parcel
    carriers' names gives FDEG: TD5*B*2*FDEG*U, no finding."""
    ws, found, states, _results = variant(tmp_path, "netsuite", profile_swaps=[(
        'carriers = { "FedEx Home Delivery" = "FDEG", "FedEx Ground" = "FDEG", "UPS Ground" = "UPSN", '
        '"USPS Priority Mail" = "USPS" }\n', "")])
    assert found == [] and states[("kohls", "KO8200301")] == "invoiced"
    assert [s for s in segments(ws, "kohls", "856") if s[0] == "TD5"] == [["TD5", "B", "2", "FDEG", "U"]]


@pytest.mark.parametrize("carrier,service,scac", [
    ("FedEx Home Delivery", None, "FDEG"), ("UPS", "UPS® Ground", "UPSN"), ("UPS Ground", None, "UPSN"),
    ("FedEx", "FedEx 2Day®", "FDEN"), ("USPS Priority Mail", None, "USPS"), ("FedEx", "FedEx Ground (R)", "FDEG"),
    ("ODFL", "Old Dominion Freight Line", "ODFL"), ("FedEx", None, "FEDEX"), ("OnTrac Ground", None, "ONTRAC GROUND")])
def test_a_carrier_cell_of_a_scac_s_shape_stays_a_name_we_list_is_its_scac_and_another_name_is_as_written(
        carrier, service, scac):
    """A carrier cell of a SCAC's shape is the SCAC (ODFL), unless it is a carrier's name we list ("UPS" is no SCAC:
    UPS's is UPSN; it stayed "UPS" until ship3); a parcel carrier's name or service we list
    (any case, its trademark signs dropped) is its SCAC; a bare "FedEx" (Ground or Express?) and a name we do not
    list stay as written, warned as no SCAC by the shipment checks."""
    from schemas.fulfilment import ShipmentCsvMapping

    assert ShipmentCsvMapping().scac_of(carrier, service) == scac


@pytest.mark.parametrize("cell,numbers", [
    ("794661201123, 794661201134", "794661201123|794661201134"), ("1Z1111111111111111;1Z2222222222222222",
                                                                   "1Z1111111111111111|1Z2222222222222222"),
    ("1Z1111111111111111<br>1Z2222222222222222", "1Z1111111111111111|1Z2222222222222222"),
    ("794661201123 794661201134", "794661201123|794661201134"), ("794661201123\n794661201123", "794661201123"),
    ("9400 1000 0000 0000 0000 00", "9400 1000 0000 0000 0000 00"), ("1Z82RG820300000020", "1Z82RG820300000020")])
def test_a_tracking_cell_is_read_as_each_of_its_numbers(cell, numbers):
    """Numbers apart by commas, semicolons, | or line breaks (a saved search's <br>), or blanks between numbers of 10
    characters or more, are each a number (once); a USPS number written in groups of four is one."""
    from parsers.shipments_csv import tracking_cell

    assert tracking_cell(cell) == numbers


@pytest.mark.parametrize("mode,code", [("LTL", "LT"), ("ltl", "LT"), ("Less Than Truckload", "LT"),
                                       ("Truckload", "M"), ("FTL", "M"), ("Air Freight", "AF"), ("Will Call", "H"),
                                       ("lt", "LT"), ("U", "U"), ("Parcel", "PARCEL")])
def test_a_transport_mode_by_its_name_is_its_x12_code(mode, code):
    """A mode's name is its element 91 code; not "Parcel" (U private parcel service or D parcel post?): as written,
    warned (SHIPMENT_TRANSPORT_METHOD_UNKNOWN), the parcel SCAC's U then the 856's."""
    from parsers.shipments_csv import _method

    assert _method(mode) == code


def test_a_transport_mode_we_cannot_name_is_still_warned_and_left_out():
    from parsers.shipments_csv import read_shipment_csv
    from schemas.fulfilment import ShipmentCsvMapping

    text = "Shipment ID,Ship Date,PO Number,SKU,Quantity,Transport Method\nS1,2026-12-04,P1,A,1,Hovercraft\n"
    table, found = read_shipment_csv(text.encode(), ShipmentCsvMapping())
    assert [f.code for f in found] == ["SHIPMENT_TRANSPORT_METHOD_UNKNOWN"] and table["transport_method"].to_pylist() \
        == [None]


@pytest.mark.parametrize("cell,at", [("46360.5722222222", time(13, 44)), ("46360.25", time(6)), ("46360", None),
                                     ("46360.99999999", time(23, 59, 59))])
def test_an_excel_serial_ship_date_keeps_its_time_of_day(cell, at):
    from parsers.shipments_csv import read_shipment_csv
    from schemas.fulfilment import ShipmentCsvMapping

    text = f"Shipment ID,Ship Date,PO Number,SKU,Quantity\nS1,{cell},P1,A,1\n"
    table, found = read_shipment_csv(text.encode(), ShipmentCsvMapping(excel_serial_dates=True))
    assert found == [] and table["ship_date"].to_pylist()[0].isoformat() == "2026-12-04"
    assert table["ship_time"].to_pylist() == [at]


@pytest.mark.parametrize("value,voided", [("True", True), ("TRUE", True), ("Yes", True), ("Voided", True),
                                          ("refunded", True), ("False", False), ("", False), ("SUCCESS", False)])
def test_a_voided_row_is_left_out_whatever_else_it_holds_and_the_rest_ships(value, voided):
    """A voided label's row is left out with a warning even when another of its cells would hold its shipment (a
    quantity that is no number): it ships nothing. Another value ships."""
    from parsers.shipments_csv import read_shipment_csv
    from schemas.fulfilment import ShipmentCsvMapping

    text = (f"Shipment ID,Ship Date,PO Number,SKU,Quantity,Voided\nS1,2026-12-04,P1,A,{'x' if voided else 2},{value}\n"
            "S1,2026-12-04,P1,B,3,\n")
    table, found = read_shipment_csv(text.encode(), ShipmentCsvMapping())
    assert table["sku"].to_pylist() == (["B"] if voided else ["A", "B"])
    assert [f.code for f in found] == (["SHIPMENT_LABEL_VOIDED"] if voided else [])


def test_the_same_export_dropped_again_under_another_name_ships_nothing_twice(tmp_path):
    """ShipStation's export downloaded twice ("... (1).csv", the same bytes): the second is a duplicate file, told
    (FILE_DUPLICATE, a warning) and nothing recorded or sent again; the order stays shipped once, one 856."""
    ws, _found, _states, _results = variant(tmp_path, "shipstation")
    inbox = ws.warehouse_drop_root / "shipstation" / "inbox"
    shutil.copy2(FIXTURES / "shipments" / "shipstation" / "ShipStation_Shipments_2026-12-04.csv",
                 inbox / "ShipStation_Shipments_2026-12-04 (1).csv")
    later = datetime(2026, 12, 4, 16)
    [again] = [r for r in ship_stages(ws, later, run_id="again")[:-1] if r.warehouse == "shipstation"]
    deliver_all(ws, later)
    assert (again.files, again.shipments, again.held) == (1, 0, 0)
    assert [f["code"] for f in again.findings] == ["FILE_DUPLICATE"]
    assert [s[2] for s in segments(ws, "dicks", "856") if s[0] == "BSN"] == ["100482236"]
    assert len([s for s in segments(ws, "dicks", "810") if s[0] == "BIG"]) == 1


def _re_exported(tmp_path, rows_of):
    """Day 1's ShipStation night, then its next day's export (its rows ``rows_of``(day 1's rows)) shipped at 15:00 on
    12-05: (ws, the ShipStation result of day 2, the stored findings as (code, severity, PO, message), states)."""
    ws, _found, _states, _results = variant(tmp_path, "shipstation")
    text = (FIXTURES / "shipments" / "shipstation" / "ShipStation_Shipments_2026-12-04.csv").read_text(encoding="utf-8")
    header, *rows = text.splitlines(keepends=True)
    inbox = ws.warehouse_drop_root / "shipstation" / "inbox"
    (inbox / "ShipStation_Shipments_2026-12-05.csv").write_text(header + "".join(rows_of(rows)), encoding="utf-8")
    later = datetime(2026, 12, 5, 15)
    [result] = [r for r in ship_stages(ws, later, run_id="day2")[:-1] if r.warehouse == "shipstation"]
    deliver_all(ws, later)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["po_number"], f["message"]))
    return ws, result, found, states


NEXT = ("100482236", "100482301"), ("DK8200101", "DK8200102"), ("RG82-01", "RG82-03"), ("1Z82RG820300000020",
                                                                                          "1Z82RG820300000039")


def _next_day(row: str) -> str:
    for old, new in NEXT:
        row = row.replace(old, new)
    return row.replace(",12,496", ",20,496")


def test_a_cumulative_export_repeating_yesterday_s_shipment_passes_it_over_and_ships_the_new_one(tmp_path):
    """ShipStation's export of the last days, taken each day: the 5th's repeats the 4th's shipments (the voided
    label and 100482236, as recorded) before the new one (100482301, Dick's other PO). The repeat used to be held as
    an error (SHIPMENT_ID_DUPLICATE, and its lines SHIPMENT_OVER_RESERVED: "the warehouse must send a corrected
    confirmation"), the file quarantined though nothing was wrong. Now it is passed over with a warning naming the
    file it was recorded from; the new shipment goes; the file is processed."""
    ws, result, found, states = _re_exported(tmp_path, lambda rows: rows + [_next_day(rows[2])])
    assert (result.files, result.processed, result.quarantined, result.shipments, result.held, result.errors) == (
        1, 1, 0, 1, 0, 0)
    assert [f for f in found if f[0] == "SHIPMENT_REPEATED"] == [
        ("SHIPMENT_REPEATED", "warning", "DK8200101", "Shipment 100482236 repeats the one recorded on 2026-12-04 from "
         "ShipStation_Shipments_2026-12-04.csv (the same POs, cartons and quantities): not recorded or sent again.")]
    assert not [f for f in found if f[1] == "error"]
    assert [s[2] for s in segments(ws, "dicks", "856") if s[0] == "BSN"] == ["100482236", "100482301"]
    assert len([s for s in segments(ws, "dicks", "810") if s[0] == "BIG" and s[4] == "DK8200101"]) == 1
    assert states[("dicks", "DK8200101")] in ("invoiced", "closed")


def test_an_export_of_nothing_but_repeats_records_nothing_and_is_processed(tmp_path):
    ws, result, found, _states = _re_exported(tmp_path, lambda rows: rows[2:])
    assert (result.processed, result.quarantined, result.shipments, result.held, result.errors) == (1, 0, 0, 0, 0)
    assert [f[0] for f in found if f[0] == "SHIPMENT_REPEATED"] == ["SHIPMENT_REPEATED"]
    assert [s[2] for s in segments(ws, "dicks", "856") if s[0] == "BSN"] == ["100482236"]


@pytest.mark.parametrize("change", [(",12,496", ",11,496"), ("12/4/2026 11:41:26 AM", "12/5/2026 9:02:00 AM")],
                         ids=["another-quantity", "another-day"])
def test_a_recorded_shipment_confirmed_again_otherwise_is_still_held_for_a_person(tmp_path, change):
    """The same shipment id with another quantity or ship date is a correction or another shipment: held as
    before (SHIPMENT_ID_DUPLICATE), nothing sent again."""
    ws, result, found, _states = _re_exported(tmp_path, lambda rows: [r.replace(*change) for r in rows[2:]])
    assert ("SHIPMENT_ID_DUPLICATE", "error", "DK8200101", "Shipment 100482236 was already recorded.") in found
    assert "SHIPMENT_REPEATED" not in {f[0] for f in found} and (result.shipments, result.held) == (0, 1)
    assert [s[2] for s in segments(ws, "dicks", "856") if s[0] == "BSN"] == ["100482236"]


def test_a_945_sent_again_in_a_new_interchange_the_next_day_is_a_repeat(tmp_path):
    """Körber's translator resends the 4th's 945s in a new interchange (ISA13 7702, group 77021) on the 5th: each
    shipment repeats its record: passed over with a warning each, nothing sent again, the 945 acknowledged."""
    ws, _found, _states, _results = variant(tmp_path, "korber")
    text = (FIXTURES / "shipments" / "korber" / "KORBER_945_20261204134011.x12").read_text(encoding="utf-8")
    again = text.replace("000007701", "000007702").replace("77011", "77021").replace("261204*1340", "261205*0900")
    inbox = ws.warehouse_drop_root / "korber" / "inbox"
    (inbox / "KORBER_945_20261205090011.x12").write_text(again, encoding="utf-8")
    later = datetime(2026, 12, 5, 15)
    [result] = [r for r in ship_stages(ws, later, run_id="day2")[:-1] if r.warehouse == "korber"]
    deliver_all(ws, later)
    assert (result.processed, result.quarantined, result.shipments, result.held, result.errors) == (1, 0, 0, 0, 0)
    assert sorted(f["message"][:23] for f in result.findings) == ["Shipment KRB-7001 repea", "Shipment KRB-7002 repea"]
    assert [s[2] for s in segments(ws, "academy", "856") if s[0] == "BSN"] == ["KRB-7001", "KRB-7002"]


def test_a_kit_confirmed_by_its_components_is_held_naming_the_component_and_the_line(tmp_path):
    """NetSuite ships the cookware set (a kit item on the PO) as its member item's SKU, which no line orders and we
    do not stock: the fulfillment is held, ops told what is unknown and where (SHIPMENT_SKU_UNKNOWN, then
    SHIPMENT_LINE_UNKNOWN), nothing sent, the order still owed."""
    ws, found, states, results = variant(tmp_path, "netsuite", [("KO8200301,RG82-10,5,Each",
                                                                 "KO8200301,RG82-10-POT,5,Each")])
    assert [(f[0], f[1], f[4]) for f in found] == [
        ("SHIPMENT_SKU_UNKNOWN", "error", "No item of ours is 'RG82-10-POT'."),
        ("SHIPMENT_LINE_UNKNOWN", "error", "PO KO8200301 has no line with this item.")]
    assert (results["netsuite"].shipments, results["netsuite"].held) == (0, 1)
    assert states[("kohls", "KO8200301")] == "acknowledged"
    assert not list((ws.drop_root / "kohls" / "outbox").glob("kohls-856-*"))


def test_an_order_shipped_on_two_trucks_is_billed_with_each_bill_of_lading(tmp_path):
    """Körber's two trucks with VICS bills of lading (17 characters each): the order's 810 wrote them as one
    REF*BM*SAIA0001047720011,SAIA0001047720022 (35 characters, over 004010's REF02 of 30), failed its own check and
    was never built (INVOICE_NOT_BUILT): an order shipped in full and not billed. Now a REF*BM each."""
    ws, found, states, _results = variant(tmp_path, "korber", [("N9*BM*SAIA7001", "N9*BM*SAIA0001047720011"),
                                                               ("N9*BM*SAIA7002", "N9*BM*SAIA0001047720022")])
    assert found == [] and states[("academy", "AC8200202")] == "invoiced"
    inv = po_segments(segments(ws, "academy", "810"), "AC8200202", "BIG")
    assert [s for s in inv if s[0] == "REF"] == [["REF", "BM", "SAIA0001047720011"], ["REF", "BM", "SAIA0001047720022"],
                                                ["REF", "IA", "AC3071"]]
    assert ["TDS", "422400"] in inv


def test_the_columnar_810_heads_write_a_ref_bm_per_bill_of_lading_as_the_one_by_one_810():
    """engine.invoice_heads (a batch's heads in columns) and engine.invoice.head_810 (one by one) alike: a REF*BM per
    bill of lading of the order's shipments, the segment count counting each."""
    from datetime import date

    import pyarrow as pa

    from engine.invoice import Invoice, head_810
    from engine.invoice_heads import heads_810
    from schemas.fulfilment import InvoiceSettings
    from schemas.x12 import Delimiters

    settings = InvoiceSettings(vendor_number="AC3071", ship_to=False)
    heads = heads_810(pa.table({"po_date": pa.array([date(2026, 12, 1)] * 2)}), po_numbers=["P1", "P2"],
                      shipment_ids=["", ""], bills_of_lading=["SAIA0001047720011,SAIA0001047720022", "BOL9"],
                      ship_dates=[None, None], invoice_date=date(2026, 12, 4), pending="#", settings=settings,
                      terms=None, d=Delimiters())
    assert heads is not None and heads.segments.tolist() == [4, 3]
    assert "REF*BM*SAIA0001047720011~\nREF*BM*SAIA0001047720022~\n" in heads.after[0].as_py()
    one = head_810(Invoice(invoice_number="#", invoice_date=date(2026, 12, 4), po_number="P1",
                           po_date=date(2026, 12, 1), bill_of_lading="SAIA0001047720011,SAIA0001047720022",
                           lines=()), settings)
    assert [s for s in one if s[0] == "REF"] == [["REF", "BM", "SAIA0001047720011"],
                                                ["REF", "BM", "SAIA0001047720022"], ["REF", "IA", "AC3071"]]


def test_a_substitute_the_po_does_not_order_holds_its_shipment_naming_the_line_it_lacks(tmp_path):
    """Logiwa packs a cookware set (our item, UPC 614141820108, ordered on Kohl's other PO) in the mixer's place in
    package 3 without a substitution agreed: the shipment is held, ops told the PO has no line of that item
    (SHIPMENT_LINE_UNKNOWN at its row), nothing sent, the order still owed."""
    ws, found, states, results = variant(tmp_path, "logiwa", [
        ("614141820122,Stand mixer 5 qt,5,PKG-3", "614141820108,Cookware set 10 pc,5,PKG-3")])
    assert [(f[0], f[1], f[3], f[4]) for f in found] == [
        ("SHIPMENT_LINE_UNKNOWN", "error", "KO8200302", "PO KO8200302 has no line with this item.")]
    assert (results["logiwa"].shipments, results["logiwa"].held) == (0, 1)
    assert states[("kohls", "KO8200302")] == "acknowledged"
    assert not list((ws.drop_root / "kohls" / "outbox").glob("kohls-856-*"))


def test_a_label_voided_after_its_shipment_was_sent_is_told_as_such(tmp_path):
    """The 5th's export shows 100482236, confirmed and sent on the 4th, voided since (Voided True), and the same
    goods labelled again as 100482290. The voided rows used to say only "not recorded as shipped", as of a label
    voided before any confirmation, beside the new label held as more than reserved. Now they say the shipment was
    recorded and its 856 sent for a label voided since, and to tell the buyer; the new label is held for a person
    (its units were consumed by the voided one's record)."""
    def relabelled(rows):
        voided = [r.replace(",False,", ",True,") for r in rows[2:]]
        return voided + [r.replace("100482236", "100482290").replace("1Z82RG820300000020", "1Z82RG820300000048")
                         .replace("12/4/2026 11:41:26 AM", "12/5/2026 10:15:00 AM") for r in rows[2:]]

    ws, result, found, _states = _re_exported(tmp_path, relabelled)
    told = [f[3] for f in found if f[0] == "SHIPMENT_LABEL_VOIDED" and "100482236" in f[3]]
    assert told == [
        f"Row {n}: its label was voided (Voided 'True'): {q} of {sku} on shipment 100482236: recorded on 2026-12-04 "
        "from ShipStation_Shipments_2026-12-04.csv and its 856 sent, for a label voided since: tell the buyer (the "
        "goods' new label is a shipment of its own)." for n, q, sku in ((2, 12, "RG82-01"), (3, 6, "RG82-02"))]
    assert {f[0] for f in found if f[1] == "error" and f[2] == "DK8200101"} == {"SHIPMENT_OVER_RESERVED"}
    assert (result.shipments, result.held) == (0, 1)
    assert [s[2] for s in segments(ws, "dicks", "856") if s[0] == "BSN"] == ["100482236"]
