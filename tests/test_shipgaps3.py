"""What the shipgaps2/ship3/finance2 rounds left of shipment confirmations into 856s and 810s (shipgaps3): carrier
names beyond UPS's (LTL carriers by name; a bare "DHL" of a SCAC's shape sent as TD503 "DHL"); kit components not in
items.csv confirmed by the case; German Java dates and zone names ship3 did not read; the reconciliation naming a
held shipment on every line of its PO."""

from __future__ import annotations

import pytest

from tests.retailer_support import po_segments, segments
from tests.test_rg82_wms_confirmations import variant

# 1. Carrier names beyond UPS

SHIPSTATION_HEAD = "Shipment #,Order #,Ship Date,Carrier,Service,Tracking #,Item SKU,Item Qty\n"


@pytest.mark.parametrize("carrier,service,scac", [
    ("Estes", None, "EXLA"), ("Estes Express Lines", "", "EXLA"), ("ESTES EXPRESS", "LTL Standard", "EXLA"),
    ("Old Dominion", None, "ODFL"), ("Old Dominion Freight Line", None, "ODFL"), ("XPO", None, "CNWY"),
    ("XPO Logistics", "LTL", "CNWY"), ("XPO LTL", None, "CNWY"), ("FedEx Freight Priority", None, "FXFE"),
    ("FedEx", "FedEx Freight Priority", "FXFE"), ("FedEx Ground", None, "FDEG"), ("FedEx Home Delivery", None, "FDEG"),
    ("USPS Priority Mail", None, "USPS"), ("CNWY", None, "CNWY"), ("EXLA", None, "EXLA")])
def test_an_ltl_carrier_s_name_is_its_registered_scac(carrier, service, scac):
    """Estes Express Lines EXLA, Old Dominion Freight Line ODFL, XPO's LTL CNWY (Con-way's code, kept by XPO),
    FedEx Freight Priority FXFE: by name, as ShipStation, ShipBob and NetSuite export them. "XPO" has a SCAC's shape
    and used to go out as TD503 "XPO"; "Estes" was TD503 "ESTES" (warned SHIPMENT_SCAC_INVALID)."""
    from schemas.fulfilment import ShipmentCsvMapping

    assert ShipmentCsvMapping().scac_of(carrier, service) == scac


@pytest.mark.parametrize("carrier,service", [("DHL", None), ("dhl", ""), ("DHL", "Priority"), ("FedEx", None),
                                             ("FEDEX", "Standard")])
def test_a_carrier_name_of_several_scacs_is_refused_naming_the_choices(carrier, service):
    from schemas.fulfilment import ShipmentCsvMapping

    choices = ShipmentCsvMapping().carrier_choices(carrier, service)
    assert ("DHL Express" in choices and "DHL eCommerce" in choices) if carrier.upper() == "DHL" else (
        "FDEG" in choices and "FDEN" in choices and "FXFE" in choices)


@pytest.mark.parametrize("carrier,service,carriers,scac", [
    ("DHL", None, {"DHL": "DHLC"}, "DHLC"), ("DHL", "DHL Express Worldwide", {"DHL Express Worldwide": "DHLC"}, "DHLC"),
    ("FedEx", "FedEx Ground", {}, "FDEG"), ("FedEx", None, {"fedex": "FDEG"}, "FDEG")])
def test_the_profile_s_mapping_or_a_listed_service_settles_a_name_of_several_scacs(carrier, service, carriers, scac):
    from schemas.fulfilment import ShipmentCsvMapping

    mapping = ShipmentCsvMapping(carriers=carriers)
    assert (mapping.carrier_choices(carrier, service), mapping.scac_of(carrier, service)) == ("", scac)


def _read(body: str, **layout):
    from parsers.shipments_csv import read_shipment_csv
    from schemas.fulfilment import ShipmentCsvMapping

    mapping = ShipmentCsvMapping(shipment_id="Shipment #", po_number="Order #", ship_date="Ship Date",
                                 carrier_scac="Carrier", service_level="Service", tracking_number="Tracking #",
                                 sku="Item SKU", quantity="Item Qty", date_format="%m/%d/%Y", **layout)
    return read_shipment_csv((SHIPSTATION_HEAD + body).encode(), mapping, file="ss.csv")


def test_a_bare_dhl_is_no_scac_and_is_told_once_per_file():
    """"DHL" has a SCAC's shape: it used to go out as TD503 "DHL" without a word (DHL Express? eCommerce? Supply
    Chain?). Now no SCAC, a warning at the first row naming the choices and the profile's [csv] carriers."""
    table, found = _read("S1,PO1,12/4/2026,DHL,,T1,SKU-1,1\nS1,PO1,12/4/2026,DHL,,T1,SKU-2,1\n"
                         "S2,PO2,12/4/2026,dhl,,T2,SKU-1,1\nS3,PO3,12/4/2026,ODFL,,T3,SKU-1,1\n")
    assert table["carrier_scac"].to_pylist() == [None, None, None, "ODFL"]
    assert [(f.code, f.severity) for f in found] == [("SHIPMENT_CARRIER_AMBIGUOUS", "warning")]
    assert "Row 2" in found[0].message and "DHL eCommerce" in found[0].message and "[csv]" in found[0].message


def test_a_file_of_carrier_names_of_a_scac_s_shape_is_read_without_a_profile_mapping():
    """A file whose carrier cells all have a SCAC's shape ("UPS", "XPO") and a layout naming no carriers was taken
    as SCACs whole (the fast path ship3's UPSN did not reach): TD503 "UPS", "XPO"."""
    table, found = _read("S1,PO1,12/4/2026,UPS,,T1,SKU-1,1\nS2,PO2,12/4/2026,XPO,,T2,SKU-1,1\n"
                         "S3,PO3,12/4/2026,SAIA,,T3,SKU-1,1\n")
    assert (table["carrier_scac"].to_pylist(), found) == (["UPSN", "CNWY", "SAIA"], [])


def test_shipstation_s_dhl_goes_without_a_guessed_scac_and_ops_is_told(tmp_path):
    """ShipStation's Carrier "DHL" with no service: the 856 goes (the goods left), its TD5 without TD503 "DHL"; the
    night tells which carriers DHL may be and where to say it."""
    ws, found, states, _results = variant(tmp_path, "shipstation", [(",UPS,UPS® Ground,", ",DHL,,")])
    told = [f for f in found if f[0] == "SHIPMENT_CARRIER_AMBIGUOUS"]
    assert len(told) == 1 and told[0][1] == "warning" and "DHL Express" in told[0][4]
    asn = po_segments(segments(ws, "dicks", "856"), "100482236", "BSN")
    assert not [s for s in asn if s[0] == "TD5" and "DHL" in s[1:4]]
    assert states[("dicks", "DK8200101")] == "invoiced"


# 2. Kit components not in items.csv

def _kit_night(tmp_path, monkeypatch, kits: str):
    """ship3's night: shipgaps2's NetSuite kit night (5 cookware sets RG82-10: a pot and 2 lids each) with the lids
    (not in items.csv: not sold on their own) confirmed as 1 Case, kits.csv as ``kits``."""
    from tests import test_ship3, test_shipgaps2

    (tmp_path / "night").mkdir()
    path = tmp_path / "kits.csv"
    path.write_text(kits, encoding="utf-8")
    original = test_shipgaps2._kit_night
    monkeypatch.setattr(test_shipgaps2, "_kit_night", lambda *a, **k: original(*a, **k, kits=path))
    return test_ship3._kit_night(tmp_path, monkeypatch)


KITS_CSV = "kit_sku,component_sku,quantity,unit,pack\nRG82-10,RG82-10-POT,1,,\nRG82-10,RG82-10-LID,2,{unit},{pack}\n"


@pytest.mark.parametrize("unit", ["CA", "ca"])
def test_a_kit_component_not_in_items_csv_is_counted_by_the_pack_kits_csv_gives(tmp_path, monkeypatch, unit):
    """1 Case of lids (the lid is in no items.csv row: no case_pack, and item_units.csv refuses its SKU) with
    kits.csv's unit CA and pack 10: 10 lids, 5 sets. It was held (SHIPMENT_KIT_UNIT_UNKNOWN: no pack could be
    given). Now it ships as ship3's lid in items.csv does: 5 sets, the lids' package a pack of the kit shipping 0;
    the 810 bills 5 sets."""
    ws, found, states, results = _kit_night(tmp_path, monkeypatch, KITS_CSV.format(unit=unit, pack=10))
    assert (results["netsuite"].shipments, results["netsuite"].held) == (1, 0), found
    assert not [f for f in found if f[1] == "error"]
    asn = po_segments(segments(ws, "kohls", "856"), "IF-00482", "BSN")
    assert [s[2] for s in asn if s[0] == "SN1"] == ["10", "5", "0"]
    inv = po_segments(segments(ws, "kohls", "810"), "KO8200301", "BIG")
    assert [s[1:3] for s in inv if s[0] == "IT1"] == [["1", "10"], ["2", "5"]]
    assert states[("kohls", "KO8200301")] == "invoiced"


def test_a_kits_csv_pack_of_another_unit_still_holds_the_shipment_saying_where_to_give_it(tmp_path, monkeypatch):
    """kits.csv gives the lids' pack in BX, the warehouse confirms a CA: still unknown, held, and the message names
    kits.csv's unit and pack as a place to give it."""
    ws, found, states, results = _kit_night(tmp_path, monkeypatch, KITS_CSV.format(unit="BX", pack=10))
    errors = [f for f in found if f[1] == "error"]
    assert [f[0] for f in errors] == ["SHIPMENT_KIT_UNIT_UNKNOWN"] and "kits.csv's unit and pack" in errors[0][4]
    assert (results["netsuite"].shipments, results["netsuite"].held) == (0, 1)


@pytest.mark.parametrize("row", ["RG82-10,RG82-10-LID,2,CA,\n", "RG82-10,RG82-10-LID,2,,10\n",
                                 "RG82-10,RG82-10-LID,2,CA,0\n"])
def test_a_kits_csv_unit_without_its_pack_is_refused(tmp_path, row):
    import shutil

    from connectors.reference import load_reference
    from schemas.errors import ConfigError
    from tests.test_rg82_wms_confirmations import FIXTURES as RG82

    folder = tmp_path / "reference"
    shutil.copytree(RG82 / "reference", folder)
    (folder / "kits.csv").write_text("kit_sku,component_sku,quantity,unit,pack\n" + row, encoding="utf-8")
    with pytest.raises(ConfigError, match="go together"):
        load_reference(folder)


def test_a_kits_csv_of_three_columns_still_loads(tmp_path):
    import shutil

    from connectors.reference import load_reference
    from tests.test_rg82_wms_confirmations import FIXTURES as RG82

    folder = tmp_path / "reference"
    shutil.copytree(RG82 / "reference", folder)
    (folder / "kits.csv").write_text("kit_sku,component_sku,quantity\nRG82-10,RG82-10-LID,2\n", encoding="utf-8")
    kits = load_reference(folder).kits
    assert kits.to_pylist() == [{"kit_sku": "RG82-10", "component_sku": "RG82-10-LID", "quantity": 2, "unit": None,
                                 "pack": None}]


# 3. Java/locale dates and zone names left

@pytest.mark.parametrize("cell", ["Fr Dez 04 20:41:26 MEZ 2026", "Fr. Dez. 04 20:41:26 MEZ 2026",
                                  "Fr Dez 4 20:41:26 MEZ 2026", "Fri Dec 04 20:41:26 CET 2026"])
def test_a_german_java_date_is_read_whatever_the_layout_s_date_format(cell):
    """SimpleDateFormat's Date.toString pattern in a German locale (a German site's Java WMS: "Fr Dez 04 20:41:26 MEZ
    2026"; CLDR's "Fr. Dez."): the month is named, one reading. It used to be no date (the row refused) and no
    time; ship3 read the English names only."""
    from datetime import date, time

    from parsers.csv_common import parse_date, parse_time, time_in, written_zone
    from schemas.fulfilment import ShipmentCsvMapping

    layout = ShipmentCsvMapping(date_format="%m/%d/%Y")
    assert parse_date(cell, layout) == date(2026, 12, 4)
    assert time_in(cell) == time(20, 41, 26) and parse_time(cell, layout) == time(20, 41, 26)
    assert written_zone(cell) == ("01", None, None)


@pytest.mark.parametrize("cell,day", [("Di März 03 10:00:00 MEZ 2026", (2026, 3, 3)),
                                      ("Di Mrz 03 10:00:00 MEZ 2026", (2026, 3, 3)),
                                      ("Mi Mai 06 10:00:00 MESZ 2026", (2026, 5, 6)),
                                      ("Do. Juni 04 10:00:00 MESZ 2026", (2026, 6, 4)),
                                      ("Do Okt. 01 10:00:00 MESZ 2026", (2026, 10, 1)),
                                      ("So Sept. 06 10:00:00 MESZ 2026", (2026, 9, 6))])
def test_german_month_names_as_java_writes_them(cell, day):
    from datetime import date

    from parsers.csv_common import parse_date
    from schemas.fulfilment import ShipmentCsvMapping

    assert parse_date(cell, ShipmentCsvMapping(date_format="%m/%d/%Y")) == date(*day)


@pytest.mark.parametrize("cell,clock,read", [
    ("Sat Dec 05 03:41:26 SGT 2026", "", ("08", None, None)),  # Java's Singapore (tzdata: +08)
    ("2026-12-05 03:41:26 MYT", "", ("08", None, None)),  # Malaysia
    ("2026-12-05 02:41:26 ICT", "", ("07", None, None)),  # Indochina (Bangkok, Ho Chi Minh)
    ("2026-12-05 03:41:26 PHT", "", ("08", None, None)),  # the Philippines, Java's name
    ("2026-12-04 16:41:26 BRT", "", ("22", None, None)),  # Brasilia -03:00
    ("2026-12-04 16:41:26 ART", "", ("22", None, None)),  # Argentina
    ("2026-12-04 14:41:26 COT", "", ("20", None, None)),  # Colombia -05:00 (by number: not US Eastern's ES)
    ("2026-12-04 22:41:26 TRT", "", ("03", None, None)),  # Turkey
    ("2026-12-05 01:26:26 NPT", "", (None, 345, None)),  # Nepal +05:45: no 623 code, converted to UTC
    ("2026-12-04 23:11:26 IRST", "", (None, 210, None)),  # Iran +03:30
    ("04.12.2026 19:41:26 WEZ", "", ("UT", None, None)),  # German WET
    ("04.07.2026 22:41:26 OESZ", "", ("03", None, None)),  # German EEST
    ("2026-12-05 03:41:26 PST", "Asia/Manila", ("08", None, None)),  # tzdata's Manila writes PST
    ("2026-12-04 11:41:26 PST", "", ("PS", None, None)),  # US Pacific, as always, with no clock
    ("2026-12-04 11:41:26 PST", "America/Los_Angeles", ("PS", None, None)),
    ("2026-12-05 00:41:26 GST", "Asia/Dubai", ("04", None, None)),  # Java's Gulf Standard Time
    ("2026-12-05 00:41:26 GST", "", (None, None, "GST")),  # Gulf or South Georgia: told
    ("2026-12-04 09:41:26 SST", "Pacific/Pago_Pago", ("14", None, None)),  # tzdata's Samoa
    ("2026-12-04 09:41:26 XYZT", "", (None, None, "XYZT")),  # no zone we read: told, not guessed
])
def test_zone_names_ship3_did_not_read_are_read_or_told(cell, clock, read):
    """Java's names where tzdata writes digits (SGT, MYT, ICT, BRT ...) are each one offset: read. Names of
    several (PST: US Pacific or Manila; GST: Gulf or South Georgia) are read by the warehouse's clock, else told. A
    name we do not read at all used to be taken as the clock's time without a word: now told (the third part)."""
    from parsers.csv_common import written_zone

    assert written_zone(cell, clock) == read


def _tzdata_names() -> dict[str, set[int]]:
    """Every letters-only abbreviation tzdata writes between 2024 and 2027, with the UTC offsets (minutes) it names."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo, available_timezones

    seen: dict[str, set[int]] = {}
    for name in available_timezones():
        zone = ZoneInfo(name)
        at = datetime(2024, 1, 1, tzinfo=UTC)
        while at.year < 2028:
            local = at.astimezone(zone)
            written = local.tzname() or ""
            if written.isalpha() and written.isupper():
                seen.setdefault(written, set()).add(int(local.utcoffset().total_seconds() // 60))
            at += timedelta(days=14)
    return seen


def test_every_tzdata_abbreviation_is_read_as_its_offsets_and_ours_mean_what_tzdata_means():
    """schemas.time_codes against tzdata: each abbreviation tzdata writes is one we read as that offset (ABROAD, a US
    zone's name), or one AMBIGUOUS lists with each of its offsets (tzdata's PST is Manila's too); each of ABROAD's
    names that tzdata writes means there what we read it as."""
    from parsers.csv_common import _OFFSET_CODES, _ZONE_NAMES
    from schemas.time_codes import ABROAD, AMBIGUOUS, FIXED

    tzdata = _tzdata_names()
    assert {"CET", "JST", "PST", "IST"} <= tzdata.keys()
    for name, offsets in tzdata.items():
        if name in AMBIGUOUS:
            assert offsets <= {m for _place, m in AMBIGUOUS[name]}, name
        elif name in ABROAD:
            assert offsets == {ABROAD[name]}, name
        else:
            code = _ZONE_NAMES[name]
            assert offsets == {round(FIXED[code] * 60)}, name
            assert code in _OFFSET_CODES.values() or code in ("MD", "PD", "CD", "AD", "HD"), name


def test_a_file_of_german_java_dates_and_an_unknown_zone_is_read_and_told():
    """A German Java date is the day, time and zone it says (CET's 01). A zone abbreviation we do not read is told
    once a file at its first row (SHIPMENT_TIME_ZONE_UNKNOWN), its time the clock's as before; the first row's date
    used to be no date (the row refused), the unknown zone taken as the clock's without a word."""
    from datetime import date, time

    table, found = _read("S1,PO1,Fr Dez 04 20:41:26 MEZ 2026,ODFL,,T1,SKU-1,1\n"
                         "S2,PO2,12/4/2026 8:41:26 PM XYZT,ODFL,,T2,SKU-1,1\n"
                         "S3,PO3,12/4/2026 8:41:26 PM XYZT,ODFL,,T3,SKU-1,1\n")
    assert [(r["ship_date"], r["ship_time"], r["ship_time_zone"]) for r in table.to_pylist()] == [
        (date(2026, 12, 4), time(20, 41, 26), "01"), (date(2026, 12, 4), time(20, 41, 26), None),
        (date(2026, 12, 4), time(20, 41, 26), None)]
    assert [(f.code, f.severity) for f in found] == [("SHIPMENT_TIME_ZONE_UNKNOWN", "warning")]
    assert "XYZT" in found[0].message and "UTC offset" in found[0].message


# 4. held_shipments per shipment, not per PO

def test_a_held_shipment_is_named_only_on_the_lines_it_carries(tmp_path):
    """finance2's night with the held confirmation ACE-SHP-2 carrying line 3 alone (the wrong item): line 2, which
    still owes 3 but is on no held shipment, is not said to wait for ACE-SHP-2; line 3 is."""
    import shutil
    from datetime import datetime

    from tests.retailer_support import of_its_own
    from tests.support import run_stages
    from tests.test_finance2 import ACE, FIXTURES, D, _reconciled
    from tests.test_rg86_finance_nights import WAREHOUSES, _ship

    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    shipments = copy / "shipments"
    good = (shipments / "east-shipments-20261203.csv").read_text()
    line_2 = next(r for r in good.splitlines() if r.startswith("ACE-SHP-2") and ",ACE8600101,2," in r)
    (shipments / "east-shipments-20261203-wrong.csv").write_text(
        good.replace(line_2 + "\n", "").replace("ACE8600101,3,RG86-03,6,EA", "ACE8600101,3,RG86-01,6,EA"))
    ws = of_its_own(copy, tmp_path / "ws", warehouses=WAREHOUSES)
    run_stages(ws, datetime(2026, 12, 1, 2))
    _ship(ws, "east-shipments-20261201.csv", datetime(2026, 12, 1, 15), "d1201", copy)
    _ship(ws, "east-shipments-20261203-wrong.csv", datetime(2026, 12, 3, 15), "d1203", copy)
    r4 = _reconciled(ws, datetime(2026, 12, 4, 2), "r4")
    said = "ACE-SHP-2 held (SHIPMENT_SKU_MISMATCH: Item RG86-01 shipped for line 3, which orders RG86-03.)"
    assert {k[2]: (r["shipped_quantity"], r["held_shipments"]) for k, r in r4["lines"].items() if k[:2] == ACE} == {
        1: (D(24), None), 2: (D(6), None), 3: (D(0), said)}
