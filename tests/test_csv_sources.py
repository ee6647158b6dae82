"""CSV order feeds as wholesale marketplaces and order platforms export them (tests/fixtures/csvsweep/sources:
each source's profile, reference rows, its export as the drop, the east DC's confirmation of what shipped): Faire's
brand-portal export (Mon D, YYYY dates, "$1,049.00", an address line with a comma), JOOR's pipe-delimited JOINT
file (the ship window as Start / Complete Ship, a GTIN-14 with its leading zeros), NuORDER's (BOM, ISO date-times
in UTC, an address line of two lines), Ankorstore's as an EU retailer's Excel saves it (Windows-1252, semicolons,
"1.049,00 €", DD/MM/YYYY HH:MM, blank rows), Shopify B2B's (two exports pasted together, the order's values on its
first row only), a NetSuite saved search's (thousands separators, units "Each", the search's Total row) and a
hand-made Excel sheet (a UPC Excel turned into 6.14141E+11, a quantity in words, a 31st of November). One night
takes them all: each feed maps, inspects clean where its data is valid, is acknowledged (a CSV acknowledgment or an
855, as its profile says), shipped and invoiced; each bad row is a finding at its row and column."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.retailer_support import (
    all_sent_accepted,
    maps,  # noqa: F401 (a fixture)
    on_demo,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "csvsweep" / "sources"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

# partner -> PO -> its lines as (quantity, unit price) in file order
POS = {"faire": {"BK4TQ7XW2M": [("10", "19.7"), ("5", "1049")]},
       "joor": {"JR-20417": [("24", "1.85"), ("12", "4.75")]},
       "nuorder": {"NU-558201": [("40", "12.4"), ("6", "19.7")]},
       "ankorstore": {"AK-9081734": [("5", "1049"), ("30", "1.7")]},
       "shopifyb2b": {"#W1041": [("50", "19.7"), ("50", "4.75")], "#W1042": [("80", "1.85")]},
       "netsuite": {"GS-77120": [("120", "25.7"), ("5", "1049")]},
       "excelhand": {"HM-3301": [("40", "12.4"), ("30", "4.75")]}}
ANSWERED_BY_855 = {"joor", "netsuite"}
# the hand-made sheet's bad rows: (code, row, column, PO)
BAD = [("CSV_NUMBER_INVALID", 5, "Qty", "HM-3303"), ("CSV_DATE_INVALID", 6, "Date", "HM-3304")]


def _drop(partner: str):
    return next((FIXTURES / "drops" / partner).iterdir())


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("csvsources") / "ws"
    return shipped_night(on_demo(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def _inspect(ws, partner: str) -> tuple[int, dict]:
    res = CliRunner().invoke(app, ["inspect", "--json", "--partner", partner, "-w", str(ws.root),
                                   str(_drop(partner))])
    return res.exit_code, json.loads(res.stdout)


@pytest.mark.parametrize("partner", sorted(POS))
def test_each_export_inspects_by_its_profile_with_its_orders_read_as_meant(night, partner):
    code, doc = _inspect(night[0], partner)
    found = [(f["code"], f["location"]["row"], f["location"].get("column")) for f in doc["findings"]]
    if partner == "excelhand":
        assert code == 1 and found == [(c, r, col) for c, r, col, _po in BAD]
        assert [o["po_number"] for o in doc["orders"]] == ["HM-3301", "HM-3302", "HM-3305"]
        return
    # Nice's 06000, which the retailer's Excel wrote as 6000: read with its zero, a warning at each row
    zeros = [("CSV_LEADING_ZEROS_RESTORED", row, "Code postal") for row in (2, 3)] if partner == "ankorstore" else []
    assert (code, found) == (0, zeros)
    assert {o["po_number"]: o["line_count"] for o in doc["orders"]} == {po: len(v) for po, v in POS[partner].items()}


def test_every_valid_order_is_acknowledged_shipped_and_invoiced(night):
    from connectors.state import StateStore

    ws, _found, states = night
    state = StateStore(ws.state_path)
    errors = [(f["code"], f["row_number"], f["column_name"], f["po_number"]) for f in state.findings()
              if f["severity"] == "error"]
    state.close()
    # the hand-made sheet's only: its two bad rows at intake, the UPC and the part number Excel rounded (refused
    # at their rows and columns by the items rules, never read as another item)
    assert sorted(errors) == sorted([*BAD, ("GTIN_CHECK_DIGIT_INVALID", 4, "UPC", "HM-3302"),
                                     ("ITEM_UNKNOWN", 7, "Item #", "HM-3305")])
    expected = {(p, po): "invoiced" for p, pos in POS.items() for po in pos}
    assert states == {**expected, ("excelhand", "HM-3302"): "rejected", ("excelhand", "HM-3305"): "rejected"}


def _ack(ws, partner: str) -> list[dict]:
    rows = []
    for path in sorted((ws.drop_root / partner / "outbox").glob("*.csv")):
        rows += list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    return rows


@pytest.mark.parametrize("partner", sorted(POS))
def test_each_source_is_answered_as_its_profile_says_every_line_as_ordered(night, partner):
    ws = night[0]
    pos = POS[partner]
    if partner in ANSWERED_BY_855:
        assert not _ack(ws, partner)
        answers = segments(ws, partner, "855")
        for po, lines in pos.items():
            doc = po_segments(answers, po, "BAK")
            assert [s[1:5] for s in doc if s[0] == "PO1"] == [[str(k), q, "EA", p] for k, (q, p) in
                                                              enumerate(lines, 1)]
            assert [s[1] for s in doc if s[0] == "ACK"] == ["IA"] * len(lines)
        return
    assert not list((ws.drop_root / partner / "outbox").glob("*-855-*"))
    rows = [r for r in _ack(ws, partner) if r["po_number"] in pos]
    assert [(r["po_number"], r["status"], r["quantity_ordered"], r["quantity_accepted"]) for r in rows] == [
        (po, "IA", q, q) for po, lines in pos.items() for q, _p in lines]


def test_the_hand_made_sheets_bad_rows_are_answered_with_row_and_column(night):
    rows = {r["po_number"]: r for r in _ack(night[0], "excelhand")}
    assert rows["HM-3303"]["status"] == "IR" and rows["HM-3303"]["reason"].startswith("row 5, Qty: ")
    assert rows["HM-3304"]["status"] == "IR" and rows["HM-3304"]["reason"].startswith("row 6, Date: ")
    # the UPC Excel wrote as 6.14141E+11: refused saying the digits were lost, never read as another item
    assert rows["HM-3302"]["status"] == "IR" and "scientific notation" in rows["HM-3302"]["reason"]
    # a part number so rounded: refused as no item of ours, saying which digits the spreadsheet lost (it used to
    # say only "No item matches VN 1.23457E+11")
    assert rows["HM-3305"]["status"] == "IR" and "digits 7-12 are lost" in rows["HM-3305"]["reason"]


def test_every_856_810_and_855_is_accepted_by_the_three_checkers(night, tmp_path, maps):  # noqa: F811
    shipments = sum(len(v) for v in POS.values())
    all_sent_accepted(night[0], sorted(POS), tmp_path, maps, shipments=shipments,
                      answers=sum(len(POS[p]) for p in ANSWERED_BY_855))


def _read(text: str, **layout):
    from parsers.csv_orders import read_csv_orders
    from schemas.fulfilment import CsvOrderMapping

    return read_csv_orders(text.encode(), CsvOrderMapping(**layout), partner="p", file="f.csv")


def test_a_unit_word_the_layout_names_reads_as_its_x12_code():
    """NetSuite's searches write the units type's name ("Each", "Case"); read as sent it was EACH, refused
    UNIT_UNKNOWN, and the whole PO rejected. The layout's unit_names says what each word means and wins over the
    common reading ("Case" = "CS" where the partner means CS); a word it does not list is read as shipment files
    read it: the common English unit words as their X12 codes ("Pallet" PL), a word no code names as sent.
    Changed (s68 words69): a layout without unit_names read "Each"/"Case"/"Pallet" as EACH/CASE/PALLET (each line
    UNIT_UNKNOWN) while the same partner's shipment file read them; now EA/CA/PL by default."""
    text = ("PO Number,Quantity,Units,SKU\r\nP1,12,Each,VP-1001\r\nP1,2, case ,VP-1002\r\nP1,3,Pallet,VP-1003\r\n"
            "P1,4,Stück,VP-1004\r\nP1,5,cs,VP-1005\r\n")
    got = _read(text, unit="Units", unit_names={"Each": "EA", "Case": "CS"})
    assert got.findings == [] and got.lines["unit"].to_pylist() == ["EA", "CS", "PL", "STÜCK", "CS"]
    assert _read(text, unit="Units").lines["unit"].to_pylist() == ["EA", "CA", "PL", "STÜCK", "CS"]


@pytest.mark.parametrize(("unit", "code"), [("Each", "EA"), ("EACHES", "EA"), ("Case", "CA"), ("Cases", "CA"),
                                            ("Dozen", "DZ"), ("doz", "DZ"), ("Pallet", "PL"), ("Pallets", "PL"),
                                            ("Box", "BX"), ("Cartons", "CT"), ("lbs", "LB"), ("Pounds", "LB"),
                                            ("ea", "EA"), ("CS", "CS"), ("", "EA")])
def test_an_order_feed_reads_the_common_unit_words_as_shipment_files_do(unit, code):
    """An order feed's "Each", "Dozen", "Pallet" without any unit_names: the X12 code of that name, as the same
    partner's shipment file reads it (parsers.shipments_csv). Before: EACH, DOZEN, PALLET, each line UNIT_UNKNOWN."""
    got = _read(f"PO Number,Quantity,Unit,SKU\r\nP1,12,{unit},VP-1\r\n")
    assert got.findings == [] and got.lines["unit"].to_pylist() == [code]


def test_a_quantity_with_its_unit_after_it_reads_where_the_layout_says_so():
    """A hand-made sheet's "30 ea", "2 cs", "1,000 Each" were CSV_NUMBER_INVALID and the PO left out; a layout
    saying quantity_with_unit reads the number and the unit (through unit_names). A unit there other than the
    row's unit column is refused at the row and column, once; without the setting nothing changes."""
    text = ('PO Number,Quantity,Unit,SKU\r\nP1,30 ea,,VP-1\r\nP1,2 cs,,VP-2\r\nP1,"1,000 Each",,VP-3\r\n'
            "P2,3 CA,EA,VP-1\r\nP3,5,,VP-1\r\nP4,12ea,EA,VP-1\r\n")
    got = _read(text, quantity_with_unit=True, thousands_separator=",", unit_names={"cs": "CA", "Each": "EA"})
    assert [(f.code, f.location.row, f.location.column) for f in got.findings] == [
        ("CSV_NUMBER_INVALID", 5, "Quantity")]
    assert [(r["po_number"], f"{r['quantity']:f}", r["unit"]) for r in got.lines.to_pylist()] == [
        ("P1", "30.0000", "EA"), ("P1", "2.0000", "CA"), ("P1", "1000.0000", "EA"), ("P3", "5.0000", "EA"),
        ("P4", "12.0000", "EA")]
    plain = _read(text, thousands_separator=",")
    assert [f.location.row for f in plain.findings] == [2, 3, 4, 5, 7]


@pytest.mark.parametrize(("text", "fmt"), [
    ("26/11/2026 15:30:15 CET", "%d/%m/%Y"), ("11/26/2026 9:14 AM EST", "%m/%d/%Y"),
    ("Nov 26, 2026 10:30 PM (PST)", "%b %d, %Y"), ("2026-11-26 15:30:15+01", "%Y-%m-%d"),
    ("2026-11-26 15:30:15.5-05", "%Y-%m-%d"), ("2026-11-26T10:30:00-05:00 EST", "%Y-%m-%d")])
def test_a_date_time_with_its_zone_abbreviation_or_an_hours_only_offset_reads_as_its_date(text, fmt):
    """An order platform's "11/26/2026 9:14 AM EST", PostgreSQL's "2026-11-26 15:30:15+01": CSV_DATE_INVALID, the PO
    left out; the date is as written, as with the offsets and "UTC" already read."""
    from datetime import date

    from parsers.csv_common import parse_date
    from schemas.fulfilment import CsvOrderMapping

    assert parse_date(text, CsvOrderMapping(date_format=fmt)) == date(2026, 11, 26)


@pytest.mark.parametrize("text", ["2026-11-26 EST", "2026-11-26 10:30 est", "2026-11-26 noon",
                                  "2026-11-26 10:30 E5T"])
def test_a_zone_without_a_time_or_a_word_that_is_none_stays_refused(text):
    from parsers.csv_common import parse_date
    from schemas.fulfilment import CsvOrderMapping

    assert parse_date(text, CsvOrderMapping()) is None


@pytest.mark.parametrize("names", [{"Each": "each"}, {"Each": "EACH"}, {" ": "EA"}, {"Each": 1}])
def test_a_unit_names_entry_that_is_no_unit_code_is_refused_when_the_profile_loads(names):
    from pydantic import ValidationError

    from schemas.fulfilment import CsvOrderMapping

    with pytest.raises(ValidationError, match="unit_names"):
        CsvOrderMapping(unit_names=names)


def test_a_column_the_layout_names_is_not_also_read_by_another_fields_default():
    """A sheet's "Ship To" holding the store's name (ship_to_name = "Ship To") was also read as the ship-to id
    (ship_to_id's default column is "Ship To"): the order held SHIP_TO_UNKNOWN for an id never sent."""
    from schemas.fulfilment import CsvOrderMapping

    m = CsvOrderMapping(ship_to_name="Ship To", description="sku")
    assert (m.ship_to_id, m.ship_to_name, m.vendor_part, m.description) == (None, "Ship To", None, "sku")
    assert CsvOrderMapping(ship_to_id="Ship To", ship_to_name="Ship To").ship_to_id == "Ship To"  # named: kept
    got = _read("PO Number,Quantity,Ship To\r\nP1,1,Harbor Office Supply\r\n", ship_to_name="Ship To")
    assert got.orders.select(["ship_to_id", "ship_to_name"]).to_pylist() == [
        {"ship_to_id": None, "ship_to_name": "Harbor Office Supply"}]


def test_the_layouts_one_location_takes_an_order_that_names_its_store_but_sends_no_address():
    """default_ship_to is for an order naming no ship-to id and no address; a store's name alone (no street, no
    city) used to keep it off, and the order was held SHIP_TO_UNKNOWN."""
    text = "PO Number,Quantity,Store\r\nP1,1,Harbor Office Supply\r\nP2,1,\r\n"
    got = _read(text, ship_to_name="Store", default_ship_to="HARBOR-1")
    assert got.orders.select(["ship_to_id", "ship_to_name"]).to_pylist() == [
        {"ship_to_id": "HARBOR-1", "ship_to_name": "Harbor Office Supply"}, {"ship_to_id": "HARBOR-1",
                                                                             "ship_to_name": None}]
    addressed = _read("PO Number,Quantity,Store,City\r\nP1,1,Harbor,Salem\r\n", ship_to_name="Store",
                      ship_to_city="City", default_ship_to="HARBOR-1")
    assert addressed.orders["ship_to_id"].to_pylist() == [None]  # an address sent: its own


@pytest.mark.parametrize(("sent", "code"), [("United States", "US"), ("united  states of america", "US"),
                                            ("U.S.A.", "US"), ("Canada", "CA"), ("France", "FR"), ("US", "US"),
                                            ("FRA", "FRA"), ("Narnia", "Narnia")])
def test_a_country_written_as_its_name_reads_as_its_code(sent, code):
    """Faire's export writes the ship-to country as "United States": read as sent it was held ADDRESS_IMPLAUSIBLE
    ("not one we ship to") and would have gone into N404 as a name. A name we do not know stays as sent."""
    got = _read(f"PO Number,Quantity,Country\r\nP1,1,{sent}\r\n")
    assert got.orders["ship_to_country"].to_pylist() == [code]


@pytest.mark.parametrize(("state", "postal", "country", "read"), [
    ("VT", "5401", "US", "05401"), ("VT", "5401", "", "05401"), ("NJ", "7030-1234", "United States", "07030-1234"),
    ("PR", "901", "", "00901"), ("", "6000", "FR", "06000"), ("", "1067", "DEU", "01067"),
    ("CA", "9430", "US", "9430"), ("", "5401", "", "5401"), ("", "1000", "BE", "1000"), ("VT", "05401", "US", "05401"),
])
def test_a_postal_code_whose_zeros_a_spreadsheet_dropped_reads_with_them_where_every_code_has_five_digits(
        state, postal, country, read):
    """Vermont's 05401 as Excel writes it, 5401, was held ADDRESS_IMPLAUSIBLE ("not a valid US postal code"); Nice's
    06000 went into the 856's N403 as 6000. In a country whose codes all have 5 digits (in the U.S. for the states
    whose ZIP codes begin with 0) it reads with its zeros, a warning at its row; anything else is read as sent."""
    got = _read(f"PO Number,Quantity,State,Postal Code,Country\r\nP1,1,{state},{postal},{country}\r\n")
    assert got.orders["ship_to_postal_code"].to_pylist() == [read]
    assert [(f.code, f.location.row, f.location.column) for f in got.findings] == (
        [("CSV_LEADING_ZEROS_RESTORED", 2, "Postal Code")] if read != postal else [])


def test_the_french_ship_to_goes_into_the_856_with_its_postal_code_whole(night):
    n4 = [s for s in segments(night[0], "ankorstore", "856") if s[0] == "N4"]
    assert ["Nice", "", "06000", "FR"] in [s[1:5] for s in n4]
