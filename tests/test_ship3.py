"""What the shipgaps2 round left of shipment confirmations into 856s and 810s (ship3): a carrier cell "UPS" (a
carrier's name of a SCAC's shape, not UPS's SCAC UPSN) sent as TD503; kit components confirmed in a unit other than
the each (a case of lids) counted as eaches; Java's Date.toString time shape and zone abbreviations not ending in T
(MSK, WIB) left unread."""

from __future__ import annotations

import pytest

from tests.retailer_support import po_segments, segments
from tests.test_rg82_wms_confirmations import variant

# 1. Carrier names vs SCACs

@pytest.mark.parametrize("carrier,service,scac", [
    ("UPS", None, "UPSN"), ("ups", "", "UPSN"), ("UPS", "UPS® Ground", "UPSN"), ("UPS", "UPS SurePost", "UPSS"),
    ("UPSN", "UPS SurePost", "UPSN"), ("UPSS", None, "UPSS"), ("USPS", None, "USPS"), ("FDEG", None, "FDEG"),
    ("ODFL", None, "ODFL"), ("FedEx", None, "FEDEX")])
def test_a_carrier_cell_naming_a_carrier_of_a_scac_s_shape_is_its_scac(carrier, service, scac):
    """"UPS" has a SCAC's shape (2-4 letters) but is UPS's name: its SCAC is UPSN (routing guides charge back TD503
    "UPS"). It used to stay "UPS". A service we list still says which of UPS's SCACs (SurePost UPSS); a cell that is
    a SCAC (UPSN, ODFL) stays itself whatever the service; a bare "FedEx" (Ground or Express?) stays as written."""
    from schemas.fulfilment import ShipmentCsvMapping

    assert ShipmentCsvMapping().scac_of(carrier, service) == scac


def test_the_profile_s_carriers_still_come_first():
    from schemas.fulfilment import ShipmentCsvMapping

    assert ShipmentCsvMapping(carriers={"UPS": "UPSS"}).scac_of("UPS", None) == "UPSS"


def test_shipstation_s_carrier_ups_is_sent_as_upsn_without_the_profile_mapping_it(tmp_path):
    """ShipStation's Carrier "UPS" (service "UPS® Ground") with a warehouse profile that maps FedEx and USPS but not
    UPS: the 856 used to say TD5*B*2*UPS (no SCAC; Dick's routed UPSN, warned CARRIER_NOT_ROUTED). Now UPSN, U."""
    ws, found, _states, _results = variant(tmp_path, "shipstation",
                                           profile_swaps=[('"UPS" = "UPSN", ', "")])
    asn = po_segments(segments(ws, "dicks", "856"), "100482236", "BSN")
    assert ["TD5", "B", "2", "UPSN", "U", "UPS(R) Ground"] in asn
    assert not {f[0] for f in found} & {"SHIPMENT_SCAC_INVALID", "CARRIER_NOT_ROUTED"}


# 2. Kit components confirmed in a unit other than the each

LIDS_BY_THE_CASE = [("RG82-10-LID,10,Each", "RG82-10-LID,1,Case")]


def _kit_night(tmp_path, monkeypatch, items: str = ""):
    """shipgaps2's NetSuite kit night (5 cookware sets RG82-10: a pot and 2 lids each, the pots in one package and
    the lids in another) with the lids confirmed as 1 Case, ``items`` added to rg82's items.csv."""
    import shutil

    from tests import test_shipgaps2
    from tests.test_rg82_wms_confirmations import FIXTURES as RG82

    copy = tmp_path / "fixtures"
    shutil.copytree(RG82, copy)
    with (copy / "reference" / "items.csv").open("a", encoding="utf-8") as f:
        f.write(items)
    monkeypatch.setattr(test_shipgaps2, "RG82", copy)
    return test_shipgaps2._kit_night(tmp_path / "night", "ItemFulfillment_kit_in_two_packages.csv",
                                     swaps=LIDS_BY_THE_CASE)


def test_a_kit_s_component_confirmed_by_the_case_is_counted_by_its_pack(tmp_path, monkeypatch):
    """1 Case of lids (a case holds 10: the lid in items.csv, case_pack 10) and 5 pots make 5 sets. It used to be
    counted as 1 lid (the kit partial, SHIPMENT_KIT_INCOMPLETE, the shipment held). Now it ships as the lids
    confirmed in eaches do: 5 sets in the pots' package, the lids' package a pack of the kit shipping 0; the 810
    bills 5 sets."""
    (tmp_path / "night").mkdir()
    ws, found, states, results = _kit_night(tmp_path, monkeypatch,
                                            "RG82-10-LID,,,RG82-10-LID,Cookware set lid,EA,10,1,active,,\n")
    assert (results["netsuite"].shipments, results["netsuite"].held) == (1, 0), found
    assert not [f for f in found if f[1] == "error"]
    asn = po_segments(segments(ws, "kohls", "856"), "IF-00482", "BSN")
    assert [s[2] for s in asn if s[0] == "SN1"] == ["10", "5", "0"]
    inv = po_segments(segments(ws, "kohls", "810"), "KO8200301", "BIG")
    assert [s[1:3] for s in inv if s[0] == "IT1"] == [["1", "10"], ["2", "5"]]
    assert states[("kohls", "KO8200301")] == "invoiced"


def test_a_kit_s_component_in_a_unit_of_no_known_pack_holds_the_shipment_saying_so(tmp_path, monkeypatch):
    """No pack of the lids known (not in items.csv): how many lids is 1 case? Held with
    SHIPMENT_KIT_UNIT_UNKNOWN naming the unit and where to give the pack, not a partial kit of 1 lid."""
    (tmp_path / "night").mkdir()
    ws, found, states, results = _kit_night(tmp_path, monkeypatch)
    assert [(f[0], f[4]) for f in found if f[1] == "error"] == [
        ("SHIPMENT_KIT_UNIT_UNKNOWN", "Shipment IF-00482 ships components of kit RG82-10 (PO KO8200301) in a unit "
         "whose eaches are not known: 1 CA of RG82-10-LID. kits.csv counts components in eaches: give the "
         "component's pack (items.csv case_pack, an item_units.csv row, or kits.csv's unit and pack for a component "
         "not in items.csv) or ask the warehouse to confirm it in eaches.")]
    assert (results["netsuite"].shipments, results["netsuite"].held) == (0, 1)
    assert states[("kohls", "KO8200301")] == "acknowledged"


def test_kit_counts_read_a_component_s_case_and_dozen_as_eaches():
    """kits_shipped alone: 1 CA of lids (12 to a case: item_units) and a dozen pots (DZ 12, a count unit's
    definition) are 12 lids and 12 pots: 12 kits."""
    import dataclasses
    from decimal import Decimal

    import pyarrow as pa

    from engine.lifecycle.kits import kits_shipped
    from schemas.reference import ITEM_UNITS, KITS

    @dataclasses.dataclass
    class Read:  # the fields of engine.lifecycle.shipping.Confirmations kits_shipped reads
        lines: pa.Table
        findings: tuple = ()
        unread: dict = dataclasses.field(default_factory=dict)
        pos: dict = dataclasses.field(default_factory=dict)
        file: str = "f.csv"

    kits = pa.table({"kit_sku": ["K", "K"], "component_sku": ["POT", "LID"], "quantity": [1, 1]}, schema=KITS)
    units = pa.table({"sku": ["LID"], "unit": ["CA"], "eaches": [12]}, schema=ITEM_UNITS)
    state = pa.table({"po_number": ["P"], "sku": ["K"]})
    lines = pa.table({"shipment_id": ["S", "S"], "po_number": ["P", "P"], "sku": ["POT", "LID"],
                      "quantity": pa.array([Decimal(1), Decimal(1)], pa.decimal128(18, 6)), "unit": ["DZ", "CA"],
                      "row_number": [2, 3], "carton_id": ["C1", "C1"], "carton_sscc": [None, None],
                      "pallet_id": [None, None], "box_number": pa.array([None, None], pa.int32()),
                      "box_count": pa.array([None, None], pa.int32())})
    out = kits_shipped(Read(lines), kits, state, None, units)
    assert out.findings == () and out.lines["sku"].to_pylist() == ["K"]
    assert out.lines["quantity"].to_pylist() == [Decimal(12)]


# 3. Time formats still not read: Java's Date.toString, zone abbreviations not ending in T

@pytest.mark.parametrize(("cell", "clock", "read"), [
    ("Fri Dec 04 20:41:26 CET 2026", "", ("01", None, None)),  # Java's Date.toString(): the zone before the year
    ("Sat Jul 04 20:41:26 CEST 2026", "", ("02", None, None)),
    ("Fri Dec 04 19:41:26 GMT 2026", "", ("UT", None, None)),
    ("Fri Dec 04 22:41:26 GMT+03:00 2026", "", ("03", None, None)),  # Java's name of a zone it has no abbreviation for
    ("Fri Dec 04 14:41:26 EST 2026", "", ("ES", None, None)),
    ("Sat Dec 05 01:11:26 IST 2026", "Asia/Kolkata", ("27", None, None)),
    ("Fri Dec 04 21:41:26 IST 2026", "", (None, None, "IST")),  # whose? no clock says: warned, as a cell of ISO's shape
    ("Fri Dec 04 22:41:26 MSK 2026", "", ("03", None, None)),
    ("2026-12-04 22:41:26 MSK", "", ("03", None, None)),  # Moscow (tzdata's MSK)
    ("2026-12-05 02:41:26 WIB", "", ("07", None, None)),  # Western Indonesia (Jakarta)
    ("2026-12-05 03:41:26 WITA", "", ("08", None, None)),  # Central Indonesia (Makassar)
    ("2026-12-05 04:41:26 WIT", "", ("09", None, None)),  # Eastern Indonesia (Jayapura)
    ("04.12.2026 20:41:26 MEZ", "", ("01", None, None)),  # German CET
    ("04.07.2026 20:41:26 MESZ", "", ("02", None, None)),  # German CEST
    ("2026-12-05 03:41:26 HKT", "", ("08", None, None)),  # Hong Kong: read since shipgaps2 (ends in T)
    ("Sat Dec 05 03:41:26 SGT 2026", "", ("08", None, None)),  # Java's SGT (tzdata writes +08): read since shipgaps3
])
def test_a_java_date_and_a_zone_not_ending_in_t_are_read(cell, clock, read):
    from parsers.csv_common import written_zone

    assert written_zone(cell, clock) == read


@pytest.mark.parametrize("cell", ["Fri Dec 04 20:41:26 CET 2026", "Fri Dec 4 20:41:26 MSK 2026",
                                  "Fri Dec 04 20:41:26 GMT+03:00 2026", "Fri Dec 04 20:41:26 SGT 2026"])
def test_a_java_date_s_day_and_time_are_read_whatever_the_layout_s_date_format(cell):
    """Java's Date.toString() names its month: one reading, whatever the layout's date format (ShipStation's
    %m/%d/%Y); it used to be no date at all (the row refused) and no time."""
    from datetime import date, time

    from parsers.csv_common import parse_date, parse_time, time_in
    from schemas.fulfilment import ShipmentCsvMapping

    layout = ShipmentCsvMapping(date_format="%m/%d/%Y")
    assert parse_date(cell, layout) == date(2026, 12, 4)
    assert time_in(cell) == time(20, 41, 26) and parse_time(cell, layout) == time(20, 41, 26)


@pytest.mark.parametrize(("when", "dtm"), [
    ("Fri Dec 04 20:41:26 CET 2026", ["20261204", "2041", "01"]),
    ("Fri Dec 04 22:41:26 MSK 2026", ["20261204", "2241", "03"]),
    ("Fri Dec 04 22:41:26 GMT+03:00 2026", ["20261204", "2241", "03"]),
    ("12/5/2026 2:41:26 AM WIB", ["20261205", "0241", "07"]),
    ("12/4/2026 10:41:26 PM MSK", ["20261204", "2241", "03"]),
])
def test_a_ship_time_written_by_java_or_in_msk_wib_goes_out_with_its_dtm04_and_departs_when_it_did(tmp_path, when,
                                                                                                   dtm):
    """The instant 19:41:26 UTC written by a Java WMS's Date.toString() or with Moscow's or Jakarta's abbreviation:
    the 856 says it with its zone and the record departs at 14:41:26 on our New York clock. Java's shape used to be
    no ship date (the shipment held); MSK and WIB were not read (no DTM04, the time taken as the Reno dock's)."""
    from tests.test_shipgaps import _recorded
    from tests.test_shipgaps2 import _shipstation

    ws, found, _states, results = _shipstation(tmp_path, when)
    assert (results["shipstation"].shipments, results["shipstation"].held) == (1, 0), found
    asn = po_segments(segments(ws, "dicks", "856"), "100482236", "BSN")
    assert ["DTM", "011", *dtm] in asn
    assert _recorded(ws, "shipstation")["100482236"].departed_at == "2026-12-04T14:41:26"
