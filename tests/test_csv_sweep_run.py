"""CSV order feeds as customers without EDI really export them (tests/fixtures/csvsweep/: a Shopify orders
export, Excel's "Unicode text", a European Excel CSV in Windows-1252, a QuickBooks-like report, a web portal's
export saved on a Mac, a hand-edited sheet with bad rows), each run for a night under the profile layout that
describes it: every valid order taken with the values meant, every bad row a finding at its row and column."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from parsers.csv_common import parse_date
from parsers.csv_orders import read_csv_orders
from schemas.fulfilment import CsvOrderMapping
from tests.support import REPO, make_workspace, run_stages
from tests.test_csv_order_shapes_run import NIGHT1, ack_rows

FIXTURES = Path(__file__).parent / "fixtures" / "csvsweep"
UMBRELLA = REPO / "partners" / "umbrella.toml"

SHOPIFY = """delimiter = ","
date_format = "%Y-%m-%d"
po_number = "Name"
po_date = "Created at"
quantity = "Lineitem quantity"
unit_price = "Lineitem price"
vendor_part = "Lineitem sku"
description = "Lineitem name"
ship_to_name = "Shipping Name"
ship_to_address1 = "Shipping Address1"
ship_to_address2 = "Shipping Address2"
ship_to_city = "Shipping City"
ship_to_state = "Shipping Province"
ship_to_postal_code = "Shipping Zip"
ship_to_country = "Shipping Country"
line_id = "Line"
"""
UNICODE_TEXT = """encoding = "utf-16"
delimiter = "\\t"
excel_serial_dates = true
gtin = "GTIN"
"""
EUROPEAN = """encoding = "cp1252"
delimiter = ";"
decimal_separator = ","
thousands_separator = "."
date_format = "%d.%m.%Y"
currency_symbol = "€"
total_labels = ["Summe"]
"""
QUICKBOOKS = """delimiter = ","
thousands_separator = ","
date_format = "%m/%d/%Y"
currency_symbol = "$"
title_rows = 3
total_labels = ["Total"]
"""
PORTAL = """delimiter = ","
"""
SEMICOLON = """delimiter = ";"
decimal_separator = ","
thousands_separator = "."
date_format = "%d.%m.%Y"
"""


def run_fixture(root: Path, name: str, layout: str):
    """Umbrella's workspace with fixture ``name`` as its only drop and ``layout`` as its CSV order layout, run
    for a night: (the intake findings as (code, row, column, PO), the acknowledgment's rows as written)."""
    ws = make_workspace(root, partners=("umbrella",))
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    text = UMBRELLA.read_text()
    text = re.sub(r"\[fulfilment\.csv_orders\]\n(.*?\n)\n", lambda _m: f"[fulfilment.csv_orders]\n{layout}\n", text,
                  count=1, flags=re.S)
    (ws.partners_dir / "umbrella.toml").write_text(text)
    inbox = ws.drop_root / "umbrella" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    shutil.copy(FIXTURES / name, inbox / name)
    run_stages(ws, NIGHT1)
    state = StateStore(ws.state_path)
    found = [(f["code"], f["row_number"], f["column_name"], f["po_number"]) for f in state.findings()
             if f["stage"] == "intake"]
    state.close()
    lines = []
    for a in sorted((ws.drop_root / "umbrella" / "outbox").glob("*.csv")):
        lines += ack_rows(a.read_bytes().decode("utf-8-sig"))[0][1:]
    return ws, found, lines

EXPECTED = {
    "shopify_orders_export.csv": (SHOPIFY, [], [
        "#1001;1;IA;Accepted;20;20;0;EA;26,25;27.11.2026;filled",
        "#1001;2;IB;Backordered;10;0;10;EA;32,34;15.12.2026;backordered",
        "#1002;1;IA;Accepted;12;12;0;EA;25,7;27.11.2026;filled"]),
    "excel_unicode_text.txt": (UNICODE_TEXT, [], [
        "UMB-7101;1;IA;Accepted;20;20;0;EA;26,25;04.12.2026;filled",
        "UMB-7101;2;IB;Backordered;10;0;10;EA;32,34;15.12.2026;backordered"]),
    "european_excel_1252.csv": (EUROPEAN, [], [
        'UMB-7201;1;IQ;Quantity changed;1000;900;0;EA;26,25;04.12.2026;"partial; no_receipt"',
        "UMB-7201;2;IB;Backordered;10;0;10;EA;32,34;15.12.2026;backordered"]),
    "quickbooks_report.csv": (QUICKBOOKS, [], [
        'UMB-7301;1;IQ;Quantity changed;1000;900;0;EA;26,25;04.12.2026;"partial; no_receipt"',
        "UMB-7301;2;IA;Accepted;12;12;0;EA;25,7;04.12.2026;filled"]),
    "portal_mac_cr.csv": (PORTAL, [], [
        "UMB-7401;1;IA;Accepted;20;20;0;EA;26,25;27.11.2026;filled",
        "UMB-7401;2;IB;Backordered;10;0;10;EA;32,34;15.12.2026;backordered",
        "UMB-7402;1;IA;Accepted;12;12;0;EA;25,7;27.11.2026;filled"]),
    "bad_rows_semicolon.csv": (SEMICOLON, [
        ("CSV_NUMBER_INVALID", 3, "Quantity", "UMB-7502"), ("CSV_DATE_INVALID", 4, "PO Date", "UMB-7503"),
        ("CSV_NUMBER_INVALID", 5, "Unit Price", "UMB-7504"), ("CSV_ROW_MALFORMED", 6, None, "UMB-7505"),
        ("CSV_VALUE_MISSING", 7, "PO Number", "")], [
        "UMB-7502;1;IR;Rejected;12 Stk;0;0;EA;25,70;;\"row 3, Quantity: '12 Stk' is not a number; PO UMB-7502 is "
        'left out whole"',
        "UMB-7503;1;IR;Rejected;12;0;0;EA;25,70;;\"row 4, PO Date: '31.02.2026' does not match '%d.%m.%Y'; PO "
        'UMB-7503 is left out whole"',
        "UMB-7504;1;IR;Rejected;12;0;0;EA;1.234.5;;\"row 5, Unit Price: '1.234.5' is not a number; PO UMB-7504 is "
        'left out whole"',
        'UMB-7505;1;IR;Rejected;12;0;0;EA;25,70;;"row 6, Row 6 has 11 fields; the header has 10; PO UMB-7505 is '
        'left out whole"',
        ";1;IR;Rejected;12;0;0;EA;25,70;;row 7, PO Number: Row 7 has no 'PO Number'. If it continues PO UMB-7504 "
        "above (a PO number cell merged over its order's rows is saved in the first row only), set the layout's "
        "grouped = true.",
        # the UPC Excel wrote as 6,14141E+11: refused by the items rule at its row and column, never guessed, its
        # message saying which digits the spreadsheet lost
        "UMB-7501;1;IR;Rejected;20;0;0;EA;26,25;;UP '6,14141E+11' is not a valid UPC/GTIN/EAN: a spreadsheet "
        "rounded the number (scientific notation): of its 12 digits only the first 6, 614141, are kept, digits "
        "7-12 are lost, and the item is never guessed from the rest (have the column exported as text).",
        "UMB-7506;1;IB;Backordered;10;0;10;EA;32,34;15.12.2026;backordered"]),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_export_runs_a_night_with_its_orders_taken_and_its_bad_rows_refused_at_row_and_column(tmp_path, name):
    layout, intake, ack = EXPECTED[name]
    ws, found, lines = run_fixture(tmp_path / "ws", name, layout)
    assert found == intake
    assert lines == ack
    state = StateStore(ws.state_path)
    held = [(f["stage"], f["code"], f["row_number"], f["column_name"]) for f in state.findings()
            if f["stage"] != "intake" and f["severity"] == "error"]
    state.close()
    # nothing else held: the only error past intake is the garbled UPC's, at its row and column
    assert held == ([("decide", "GTIN_CHECK_DIGIT_INVALID", 2, "UPC")] if name.startswith("bad") else [])


def _read(name: str, layout: str):
    mapping = CsvOrderMapping(**tomllib.loads(layout))
    return read_csv_orders((FIXTURES / name).read_bytes(), mapping, partner="umbrella", file=name)


def test_the_values_read_are_the_values_meant():
    """Names, addresses and descriptions as written (Windows-1252's curly quotes and accents, a quoted cell of
    two lines with doubled quotes, Shopify's zip written after an apostrophe), dates as meant whatever their
    form (Excel serials, MM/DD/YYYY, a date-time with its UTC offset)."""
    eu = _read("european_excel_1252.csv", EUROPEAN)
    assert eu.orders.select(["po_number", "po_date", "requested_ship_date", "ship_to_name"]).to_pylist() == [
        {"po_number": "UMB-7201", "po_date": date(2026, 11, 26), "requested_ship_date": date(2026, 12, 4),
         "ship_to_name": "Café Müller"}]
    assert eu.lines["description"].to_pylist() == ["“Premium” Haftnotizen 76×76", "Gel-Stift rot"]
    assert eu.lines["quantity"].to_pylist() == [Decimal(1000), Decimal(10)]
    assert eu.lines["unit_price"].to_pylist() == [Decimal("26.25"), Decimal("32.34")]
    ut = _read("excel_unicode_text.txt", UNICODE_TEXT)
    assert ut.orders.select(["po_date", "requested_ship_date"]).to_pylist() == [
        {"po_date": date(2026, 11, 26), "requested_ship_date": date(2026, 12, 4)}]
    assert ut.lines.select(["quantity", "unit", "upc", "gtin"]).to_pylist() == [
        {"quantity": Decimal(20), "unit": "EA", "upc": "614141100736", "gtin": None},
        {"quantity": Decimal(10), "unit": "EA", "upc": None, "gtin": "614141100385"}]
    qb = _read("quickbooks_report.csv", QUICKBOOKS)
    assert qb.orders.select(["po_number", "po_date"]).to_pylist() == [{"po_number": "UMB-7301",
                                                                       "po_date": date(2026, 11, 26)}]
    assert qb.lines["quantity"].to_pylist() == [Decimal(1000), Decimal(12)]
    portal = _read("portal_mac_cr.csv", PORTAL)
    assert portal.lines.select(["po_number", "line_id", "vendor_part", "description"]).to_pylist() == [
        {"po_number": "UMB-7401", "line_id": "1", "vendor_part": "VP-1010",
         "description": 'Sticky notes\n76x76 "yellow"'},
        {"po_number": "UMB-7401", "line_id": "2", "vendor_part": "VP-1005", "description": "Gel pen red"},
        {"po_number": "UMB-7402", "line_id": "1", "vendor_part": "VP-1013", "description": "Whiteboard marker"}]
    shop = _read("shopify_orders_export.csv", SHOPIFY)
    assert shop.findings == []
    assert shop.orders.select(["po_number", "po_date", "ship_to_name", "ship_to_address1", "ship_to_city",
                               "ship_to_state", "ship_to_postal_code", "ship_to_country"]).to_pylist()[0] == {
        "po_number": "#1001", "po_date": date(2026, 11, 26), "ship_to_name": "Umbrella Store 9",
        "ship_to_address1": "1 Main St", "ship_to_city": "Palo Alto", "ship_to_state": "CA",
        "ship_to_postal_code": "94301", "ship_to_country": "US"}


@pytest.mark.parametrize(("text", "meant"), [("46352", date(2026, 11, 26)), ("46352.75", date(2026, 11, 26)),
                                             ("26.11.2026", date(2026, 11, 26)), ("61", date(1900, 3, 1))])
def test_an_excel_serial_date_reads_as_its_date_where_the_layout_says_so(text, meant):
    assert parse_date(text, CsvOrderMapping(date_format="%d.%m.%Y", excel_serial_dates=True)) == meant


@pytest.mark.parametrize("text", ["46352", "60", "7", "46352.", "-46352", "123456", "4.6352E+4"])
def test_a_number_is_no_date_unless_the_layout_says_its_dates_are_excel_serials(text):
    on = CsvOrderMapping(date_format="%d.%m.%Y", excel_serial_dates=True)
    assert parse_date(text, CsvOrderMapping(date_format="%d.%m.%Y")) is None
    assert text == "46352" or parse_date(text, on) is None


def test_a_zip_code_or_upc_after_the_apostrophe_that_keeps_its_zeros_reads_as_the_value():
    """Shopify writes a zip code as '02134 (the apostrophe keeps a spreadsheet from dropping the zero); read as
    written it was "'02134", an address no carrier knows (ADDRESS_IMPLAUSIBLE: the order held)."""
    got = read_csv_orders(b"PO Number,Quantity,UPC,Postal Code,SKU\r\nP1,2,'012345678905,'02134,S1\r\n"
                          b"P2,1,,'x,S2\r\n", CsvOrderMapping(), partner="p", file="f.csv")
    assert got.findings == []
    assert got.orders["ship_to_postal_code"].to_pylist() == ["02134", "x"]
    assert got.lines["upc"].to_pylist() == ["012345678905", None]


def test_inspect_with_a_csv_partner_reads_a_csv_order_file_by_its_layout(tmp_path):
    """`orderbridge inspect --partner umbrella feed.csv` (the first test file of a CSV customer) used to read it
    as X12: X12_NOT_EDI, "No ISA segment found", whatever the file held. It reads it as the night does: each bad
    row a finding at its row and column, the orders taken listed."""
    ws = make_workspace(tmp_path / "ws", partners=("umbrella",))
    feed = tmp_path / "bad_rows_semicolon.csv"
    shutil.copy(FIXTURES / feed.name, feed)
    res = CliRunner().invoke(app, ["inspect", "--json", "--partner", "umbrella", "-w", str(ws.root), str(feed)])
    doc = json.loads(res.stdout)
    assert res.exit_code == 1
    assert [(f["code"], f["location"]["row"], f["location"].get("column")) for f in doc["findings"]] == [
        ("CSV_NUMBER_INVALID", 3, "Quantity"), ("CSV_DATE_INVALID", 4, "PO Date"),
        ("CSV_NUMBER_INVALID", 5, "Unit Price"), ("CSV_ROW_MALFORMED", 6, None), ("CSV_VALUE_MISSING", 7, "PO Number")]
    assert [o["po_number"] for o in doc["orders"]] == ["UMB-7501", "UMB-7506"]
    assert doc["interchanges"] == [] and doc["changes"] == []
    plain = CliRunner().invoke(app, ["inspect", "--partner", "umbrella", "-w", str(ws.root), str(feed)])
    assert "X12_NOT_EDI" not in plain.stdout and "PO UMB-7506: 1 line(s), dated 2026-11-26" in plain.stdout
