"""Order spreadsheets as people export them from Excel or an ERP (tests/fixtures/csvsheets/, one file per shape): a
title block and blank rows above the header, a two-row header (a merged group cell "Ship To" saved as "Ship To,,"
over "Name,Address,City", in the header row or above it), totals rows and a printed report's page lines ("Page 1
of 3") between its pages, the header repeated at each page break, a column named twice, a notes cell of several
lines, trailing empty columns, Excel serial dates, "$1,234.50", "1.234,50 €" and "(12.00)", TRUE/FALSE, leading
apostrophes guarding zeros, a UPC in scientific notation. Each is read as meant or refused at its row and column
with what to fix: never a crash, never a guess.

Defects found, fixed at their root (parsers.csv_common): a two-row header's names row was refused as an order row
(CSV_VALUE_MISSING, answered IR in the CSV acknowledgment), its grouped columns went unread (a ship-to's name and
address lost), and its group cell "Ship To" was read as the ship-to id column (a store's name taken for its id); now
read as one header (CSV_HEADER_TWO_ROWS). A report's page line was read as an order named "Page 1 of 3" (refused and
answered under a PO never sent); now passed over (CSV_PAGE_LINE_SKIPPED)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from flows.cli import app
from parsers.csv_orders import read_csv_orders
from schemas.fulfilment import CsvOrderMapping
from tests.csv_feed_support import HEAD, feed, run_feed
from tests.support import REPO

SHEETS = REPO / "tests" / "fixtures" / "csvsheets"
UMBRELLA_EU = dict(delimiter=";", decimal_separator=",", thousands_separator=".", date_format="%d.%m.%Y")


def _read(name: str, **layout):
    got = read_csv_orders((SHEETS / name).read_bytes(), CsvOrderMapping(**layout), partner="p", file=name)
    return got, [(f.code, f.severity, f.location.row, f.location.column or None) for f in got.findings]


def _orders(got, *columns: str) -> list[tuple]:
    return [tuple(o[c] for c in ("po_number", *columns)) for o in got.orders.to_pylist()]


def _lines(got) -> list[tuple]:
    return [(ln["po_number"], ln["line_id"], ln["quantity"], ln["unit_price"], ln["upc"], ln["vendor_part"])
            for ln in got.lines.to_pylist()]


# --- a two-row header ----------------------------------------------------------------------------------------------

def test_a_group_cell_in_the_header_row_over_a_row_of_names_reads_as_one_header():
    """"Ship To,,,," over "Name,Address,City,State,Postal Code": every order taken with its ship-to's name and
    address, the names row no order row (it used to be refused as one, the grouped columns unread)."""
    got, found = _read("merged_header_below.csv", **UMBRELLA_EU, ship_to_id="Store")
    assert found == [("CSV_HEADER_TWO_ROWS", "warning", 1, None)]
    assert "'Ship To' over 'Name', 'Address', 'City', 'State', 'Postal Code'" in got.findings[0].message
    assert "row 2 holds names, no order" in got.findings[0].message
    assert _orders(got, "ship_to_id", "ship_to_name", "ship_to_address1", "ship_to_city", "ship_to_postal_code") == [
        ("S-101", "UMB-9", "Store 9", "1 Main St", "Palo Alto", "94301"),
        ("S-102", "UMB-7", "Store 7", "80 Castro St", "Mountain View", "94041")]
    assert [ln[:3] for ln in _lines(got)] == [("S-101", "1", Decimal(20)), ("S-101", "2", Decimal(10)),
                                             ("S-102", "1", Decimal(20))]
    assert got.refused == [] and got.rejected == ()


def test_a_group_cell_is_no_column_a_store_name_is_never_read_as_its_ship_to_id():
    """The layout's default ship-to id column is "Ship To": the group cell of that text used to be taken for it,
    each order's store name ("Store 9") read as its id. A group heads columns and names none."""
    text = (SHEETS / "merged_header_below.csv").read_bytes().replace(b";Store;", b";Buyer Ref;")
    got = read_csv_orders(text, CsvOrderMapping(**UMBRELLA_EU), partner="p", file="f.csv")
    assert _orders(got, "ship_to_id", "ship_to_name") == [("S-101", None, "Store 9"), ("S-102", None, "Store 7")]


def test_a_group_row_above_the_header_names_its_columns_by_group_and_own_name():
    """"Order,,,Item,...,Ship To,,," above the header: the layout's "Ship To Name" is the "Name" column under "Ship
    To" (it used to go unread, the order taken without its ship-to's name); columns keep their own names too."""
    got, found = _read("merged_header_above.csv", **UMBRELLA_EU, ship_to_id="Ship To ID")
    assert found == [("CSV_TITLE_ROWS_SKIPPED", "warning", 2, None), ("CSV_HEADER_TWO_ROWS", "warning", 2, None)]
    assert "('Ship To ID', 'Ship To Name')" in got.findings[1].message
    assert _orders(got, "ship_to_id", "ship_to_name", "ship_to_address1", "ship_to_city") == [
        ("S-201", "UMB-9", "Store 9", "1 Main St", "Palo Alto"), ("S-202", "UMB-7", "Store 7", "80 Castro St",
                                                                  "Mountain View")]


def test_a_group_row_that_matters_to_no_column_read_says_nothing_more():
    got, found = _read("merged_header_above.csv", **UMBRELLA_EU, ship_to_id="ID", ship_to_name="Name")
    assert found == [("CSV_TITLE_ROWS_SKIPPED", "warning", 2, None)]
    assert _orders(got, "ship_to_id", "ship_to_name")[0] == ("S-201", "UMB-9", "Store 9")


def test_the_same_name_under_two_groups_is_refused_until_the_layout_names_the_group():
    """"Bill To" and "Ship To" each over "Name, City": a layout's "Name" or "City" could be either (never guessed),
    the finding saying how to name one; "Ship To Name" and "Ship To City" read the ship-to's."""
    got, found = _read("billto_shipto_names.csv")
    assert found == [("CSV_COLUMN_AMBIGUOUS", "error", 1, "City")] and got.orders.num_rows == 0
    assert got.findings[0].message.endswith("Name it by its group in the layout ('Bill To City' or 'Ship To City').")
    got, found = _read("billto_shipto_names.csv", ship_to_name="Ship To Name", ship_to_city="Ship To City")
    assert found == [("CSV_HEADER_TWO_ROWS", "warning", 1, None)]
    assert _orders(got, "ship_to_name", "ship_to_city") == [("B-1", "Store 9", "Palo Alto")]


@pytest.mark.parametrize("second", [
    "P-2;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;;;;;",  # an order row
    ";;2;20;EA;26,25;VP-1010;04.12.2026;;;;;;",  # a grouped layout's next row of the PO above
    ";;;;;;;;;Store 9;1 Main St;;;",  # names under the group, but a number under Quantity below
])
def test_a_row_below_the_header_naming_a_quantity_or_a_po_is_an_order_row(second):
    """Only a row of names under group cells is taken for the header's second row: one holding a PO number, a
    quantity or a number is an order row, read (or refused) as before."""
    head = "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Store;Ship To;;;;"
    rows = [second] if not second.startswith(";;;;") else [second.replace(";;;;;;;;;", ";;;5;;;;;;")]
    got = read_csv_orders(feed(*rows, "P-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;;;;;", head=head),
                          CsvOrderMapping(**UMBRELLA_EU, grouped=True), partner="p", file="f.csv")
    assert "CSV_HEADER_TWO_ROWS" not in [f.code for f in got.findings]
    # read as a line, or refused at its row (a PO's next row with no PO above it): never passed over as names
    assert got.lines.num_rows == 2 or [r.row for r in got.refused] == [2]


# --- a printed report's page lines, repeated headers, totals ---------------------------------------------------------

def test_page_lines_are_passed_over_and_a_po_named_page_is_not():
    got, found = _read("page_lines.csv")
    assert found == [("CSV_PAGE_LINE_SKIPPED", "warning", 3, None), ("CSV_PAGE_LINE_SKIPPED", "warning", 5, None),
                     ("CSV_PAGE_LINE_SKIPPED", "warning", 7, None), ("CSV_PAGE_LINE_SKIPPED", "warning", 9, None)]
    assert "('Page 1 of 3')" in got.findings[0].message and "('Seite 2 von 3')" in got.findings[1].message
    assert [o[0] for o in _orders(got)] == ["P-1", "P-2", "P-3", "PAGE-4"]


def test_an_erp_report_with_everything_around_its_rows_runs_a_clean_night(tmp_path):
    """A title block and blank row, a two-row header repeated after each page break with the title, a notes cell of
    two lines, trailing empty columns, page footers, a totals row: every order taken and answered, nothing refused.
    It used to answer four IR rows (the names row twice, "Page 1 of 2", "Page 2 of 2") under no PO or a page's."""
    ws, found, rows = run_feed(tmp_path / "ws", (SHEETS / "erp_report.csv").read_bytes(),
                               layout='ship_to_id = "Store"\n')
    assert [f[1:4] for f in found] == [("CSV_TITLE_ROWS_SKIPPED", 4, None), ("CSV_HEADER_TWO_ROWS", 4, None),
                                       ("CSV_PAGE_LINE_SKIPPED", 9, None), ("CSV_TOTALS_ROW_SKIPPED", 14, None),
                                       ("CSV_PAGE_LINE_SKIPPED", 15, None)]
    assert [(r["po_number"], r["line_id"], r["status"]) for r in rows] == [
        ("S-301", "1", "IA"), ("S-301", "2", "IB"), ("S-302", "1", "IA")]
    res = CliRunner().invoke(app, ["inspect", "--json", "--partner", "umbrella", "-w", str(ws.root),
                                   str(SHEETS / "erp_report.csv")])
    seen = json.loads(res.stdout)
    assert {o["po_number"]: o["line_count"] for o in seen["orders"]} == {"S-301": 2, "S-302": 1}, res.output
    assert [f["code"] for f in seen["findings"]] == ["CSV_TITLE_ROWS_SKIPPED", "CSV_HEADER_TWO_ROWS",
                                                     "CSV_PAGE_LINE_SKIPPED", "CSV_TOTALS_ROW_SKIPPED",
                                                     "CSV_PAGE_LINE_SKIPPED"]


def test_a_two_row_header_runs_a_night_its_stores_known(tmp_path):
    _ws, found, rows = run_feed(tmp_path / "ws", (SHEETS / "merged_header_below.csv").read_bytes(),
                                layout='ship_to_id = "Store"\n')
    assert found == [("intake", "CSV_HEADER_TWO_ROWS", 1, None, "")]
    assert [(r["po_number"], r["line_id"], r["status"]) for r in rows] == [
        ("S-101", "1", "IA"), ("S-101", "2", "IB"), ("S-102", "1", "IA")]


# --- cells as spreadsheets write them: read as meant, or refused saying what to fix --------------------------------

def test_excel_serial_dates_are_refused_naming_the_date_or_read_when_the_layout_says_so():
    got, found = _read("serial_dates.csv")
    assert found == [("CSV_DATE_INVALID", "error", 2, "PO Date")] and got.rejected == ("D-1",)
    assert "Excel's serial number of 2026-11-26" in got.findings[0].message
    got, found = _read("serial_dates.csv", excel_serial_dates=True)
    assert found == [] and [str(o[1]) for o in _orders(got, "po_date")] == ["2026-11-26", "2026-11-26"]


def test_us_money_cells_say_the_setting_that_reads_them_and_an_accounting_negative_is_never_read():
    got, found = _read("us_money.csv")
    assert found == [("CSV_NUMBER_INVALID", "error", 2, "Unit Price"), ("CSV_NUMBER_INVALID", "error", 3, "Unit Price"),
                     ("CSV_NUMBER_INVALID", "error", 4, "Quantity")]
    assert "currency_symbol = '$', thousands_separator = ','" in got.findings[0].message
    assert "accounting format's negative number, -12.00" in got.findings[1].message
    got, found = _read("us_money.csv", thousands_separator=",", currency_symbol="$")
    assert found == [("CSV_NUMBER_INVALID", "error", 3, "Unit Price")] and got.rejected == ("M-2",)
    assert [ln[:4] for ln in _lines(got)] == [("M-1", "1", Decimal(12), Decimal("1234.5")),
                                             ("M-3", "1", Decimal(1200), Decimal("2.5")),
                                             ("M-4", "1", Decimal(12), Decimal("2.5"))]


def test_european_money_with_the_euro_after_it_reads_in_its_layout():
    got, found = _read("eu_money.csv", **UMBRELLA_EU, currency_symbol="\u20ac")
    assert found == []
    assert [ln[:4] for ln in _lines(got)] == [("E-1", "1", Decimal(12), Decimal("1234.5")),
                                             ("E-2", "1", Decimal(1200), Decimal(3))]
    got, found = _read("eu_money.csv", **{**UMBRELLA_EU, "thousands_separator": ""}, currency_symbol="\u20ac")
    assert found == [("CSV_NUMBER_INVALID", "error", 2, "Unit Price"), ("CSV_NUMBER_INVALID", "error", 3, "Quantity")]


def test_true_and_false_answer_a_yes_no_column():
    got, found = _read("true_false.csv", sales_requirement="Partial Shipments", sales_requirement_codes={"no": "SC"})
    assert found == [] and _orders(got, "sales_requirement") == [("T-1", None), ("T-2", "SC"), ("T-3", None)]


def test_leading_apostrophes_guarding_zeros_are_not_read_into_the_ids_nor_the_numbers():
    """"'00123": the apostrophe an exporter writes so a spreadsheet keeps a cell as text. A quantity or price so
    written ("'12", "'2.50") used to be refused (CSV_NUMBER_INVALID, its PO left out)."""
    got, found = _read("apostrophes.csv")
    assert found == [] and _orders(got, "ship_to_id") == [("00123", "0042"), ("00124", "S1")]
    assert _lines(got) == [("00123", "001", Decimal(12), Decimal("2.5"), "012345678905", "00456"),
                           ("00124", "002", Decimal(12), Decimal("2.5"), None, "VP-1010")]


def test_a_upc_in_scientific_notation_is_never_guessed(tmp_path):
    """7.12345E+11 lost its last digits: kept as sent, so no item is matched by it, and the night rejects its line
    saying a spreadsheet rounded it; one written with all 12 digits is read back with a warning."""
    got, found = _read("upc_scientific.csv")
    assert found == [("CSV_SCIENTIFIC_RESTORED", "warning", 3, "UPC"), ("CSV_SCIENTIFIC_RESTORED", "warning", 5, "UPC"),
                     ("CSV_LEADING_ZEROS_RESTORED", "warning", 5, "UPC")]
    # a float's ".0" after every digit (pandas' export of an id column) is read back too, its dropped zero put back
    assert [ln[4] for ln in _lines(got)] == ["7.12345E+11", "712345678905", None, "012345678905"]
    _ws, found, rows = run_feed(tmp_path / "ws", feed(
        "U-1;26.11.2026;1;20;EA;26,25;;04.12.2026;UMB-9;Store 9;1 Main St;Palo Alto;CA;94301;7.12345E+11",
        "U-2;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;Store 9;1 Main St;Palo Alto;CA;94301;",
        head=HEAD + ";UPC"))
    [upc] = [r for r in rows if r["po_number"] == "U-1"]
    assert upc["status"] == "IR" and "spreadsheet" in upc["reason"], upc
    assert [r["status"] for r in rows if r["po_number"] == "U-2"] == ["IA"]


def test_a_column_named_twice_is_refused_never_one_of_them_picked():
    got, found = _read("same_name_twice.csv")
    assert found == [("CSV_COLUMN_AMBIGUOUS", "error", 1, "Quantity")] and got.orders.num_rows == 0


def test_notes_of_several_lines_and_trailing_empty_columns_leave_the_rows_whole():
    got, found = _read("trailing_columns_notes.csv")
    assert found == []
    assert [ln[:3] for ln in _lines(got)] == [("N-1", "1", Decimal(12)), ("N-1", "2", Decimal(12)),
                                             ("N-2", "1", Decimal(12))]


def test_a_totals_label_in_the_cell_left_of_its_sum_is_a_totals_row():
    """A sheet's SUM row labelled in the cell beside the sum ("Total:" in the Line column): passed over with a
    warning, as a label in the PO or description column is. It used to be refused as a row naming no PO (an IR row
    in the CSV acknowledgment under no PO)."""
    got, found = _read("totals_beside_sums.csv")
    assert found == [("CSV_TOTALS_ROW_SKIPPED", "warning", 4, None), ("CSV_TOTALS_ROW_SKIPPED", "warning", 6, None),
                     ("CSV_TOTALS_ROW_SKIPPED", "warning", 7, None)]
    assert got.refused == [] and [ln[:3] for ln in _lines(got)] == [
        ("T-1", "1", Decimal(12)), ("T-1", "2", Decimal(12)), ("T-2", "1", Decimal(5))]


def test_a_group_row_the_layout_counts_as_a_title_row_still_names_the_columns():
    got, found = _read("merged_header_above.csv", **UMBRELLA_EU, ship_to_id="Ship To ID", title_rows=1)
    assert found == [("CSV_HEADER_TWO_ROWS", "warning", 2, None)]
    assert _orders(got, "ship_to_id", "ship_to_name") == [("S-201", "UMB-9", "Store 9"), ("S-202", "UMB-7", "Store 7")]


def test_a_two_row_header_reads_alike_from_chunks_and_in_small_batches():
    data = (SHEETS / "merged_header_below.csv").read_bytes()
    whole, _found = _read("merged_header_below.csv", **UMBRELLA_EU, ship_to_id="Store")
    parts = read_csv_orders([data[:50], data[50:120], data[120:]], CsvOrderMapping(**UMBRELLA_EU, ship_to_id="Store"),
                            partner="p", file="merged_header_below.csv", batch_rows=1)
    assert parts.orders.to_pylist() == whole.orders.to_pylist() and parts.lines.equals(whole.lines)
    assert [f.code for f in parts.findings] == ["CSV_HEADER_TWO_ROWS"]
