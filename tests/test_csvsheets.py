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


@pytest.mark.parametrize("grouped", [True, False])
def test_a_line_row_with_a_cell_like_a_page_is_no_page_line(grouped):
    """A line row whose quantity is filled is an order row, whatever another cell says: a DVD's rating "PG 13" in a
    grouped layout's later row of a PO (its PO number blank) was passed over as a page line (CSV_PAGE_LINE_SKIPPED,
    a warning) and the PO taken without the line (6 of VP-1011 lost without an error). Review of session 64."""
    text = ("PO Number,PO Date,Line,Quantity,Unit,Unit Price,UPC,SKU,Ship To,Description\n"
            "P-1,2026-11-26,1,12,EA,2.50,,VP-1010,S1,Blu-ray\n"
            + ("," if grouped else "P-1,2026-11-26") + ",2,6,EA,2.50,,VP-1011,,PG 13\n"
            + "P-2,2026-11-26,1,12,EA,2.50,,VP-1010,S1,Page 2\n")
    got = read_csv_orders(text.encode(), CsvOrderMapping(grouped=grouped), partner="p", file="f.csv")
    assert [f.code for f in got.findings] == []
    assert [(ln["po_number"], ln["line_id"], ln["quantity"]) for ln in got.lines.to_pylist()] == [
        ("P-1", "1", Decimal(12)), ("P-1", "2", Decimal(6)), ("P-2", "1", Decimal(12))]


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


# --- what the first round left (session 64, csvsheets2) ------------------------------------------------------------

def test_a_description_named_twice_is_read_from_its_first_column_and_the_orders_kept(tmp_path):
    """Two "Description" columns (a short and a long one): the file used to be refused whole (CSV_COLUMN_AMBIGUOUS,
    every order lost) for a free text. Now the first column is read, with a warning naming both."""
    got, found = _read("two_descriptions.csv", **UMBRELLA_EU)
    assert found == [("CSV_COLUMN_TWICE_FIRST_READ", "warning", 1, "Description")]
    assert "columns 10 and 11" in got.findings[0].message and "column 11 left unread" in got.findings[0].message
    assert [(ln["po_number"], ln["description"]) for ln in got.lines.to_pylist()] == [("D-1", "Blue mug"),
                                                                                     ("D-2", "Red mug")]
    ws, found, rows = run_feed(tmp_path / "ws", (SHEETS / "two_descriptions.csv").read_bytes())
    assert ("intake", "CSV_COLUMN_TWICE_FIRST_READ", 1, "Description", "") in found
    assert not [f for f in found if f[0] == "intake" and f[1] != "CSV_COLUMN_TWICE_FIRST_READ"], found
    assert [(r["po_number"], r["line_id"]) for r in rows] == [("D-1", "1"), ("D-2", "1")]
    assert "IR" not in {r["status"] for r in rows}, rows
    res = CliRunner().invoke(app, ["inspect", "--json", "--partner", "umbrella", "-w", str(ws.root),
                                   str(SHEETS / "two_descriptions.csv")])
    seen = json.loads(res.stdout)
    assert {o["po_number"] for o in seen["orders"]} == {"D-1", "D-2"}, res.output
    assert [f["code"] for f in seen["findings"]] == ["CSV_COLUMN_TWICE_FIRST_READ"]


@pytest.mark.parametrize("twice", ["Quantity", "Unit Price", "SKU", "Ship To"])
def test_a_needed_column_named_twice_is_still_refused(twice):
    text = (SHEETS / "two_descriptions.csv").read_bytes().replace(b";Description;Description",
                                                                  f";Description;{twice}".encode())
    got = read_csv_orders(text, CsvOrderMapping(**UMBRELLA_EU), partner="p", file="f.csv")
    assert [(f.code, f.location.column) for f in got.findings] == [("CSV_COLUMN_AMBIGUOUS", twice)]
    assert got.orders.num_rows == 0


def test_a_trailing_minus_reads_as_the_sign_and_a_currency_code_is_checked_against_the_order(tmp_path):
    """SAP's and German ERPs' negative "3,00- €" used to be refused (CSV_NUMBER_INVALID) without a hint; it is
    -3,00 as "-3,00 €" is. "26,25 EUR" and "26,25 USD" are read with their code, which the night checks against
    Umbrella's currency (USD): the EUR order is held, never priced in dollars unsaid."""
    layout = dict(UMBRELLA_EU, currency_symbol="\u20ac")
    got, found = _read("sap_money.csv", **layout)
    assert found == []
    assert [(ln["po_number"], ln["unit_price"]) for ln in got.lines.to_pylist()] == [
        ("N-1", Decimal("26.25")), ("N-2", Decimal(-3)), ("N-3", Decimal("26.25"))]
    assert _orders(got, "currency") == [("N-1", "EUR"), ("N-2", None), ("N-3", "USD")]
    for cell in ("3,00-", "3,00 \u20ac-", "1.234,50-"):
        text = (SHEETS / "sap_money.csv").read_bytes().replace("3,00- \u20ac".encode(), cell.encode())
        lines = read_csv_orders(text, CsvOrderMapping(**layout), partner="p", file="f.csv").lines.to_pylist()
        assert lines[1]["unit_price"] == (Decimal("-1234.5") if cell.startswith("1.") else Decimal(-3)), cell
    _ws, found, rows = run_feed(tmp_path / "ws", (SHEETS / "sap_money.csv").read_bytes(),
                                layout='currency_symbol = "\u20ac"\n')
    assert not [f for f in found if f[0] == "intake"], found
    assert ("decide", "CURRENCY_MISMATCH", 2, "Currency", "N-1") in found
    status = {r["po_number"]: r["status"] for r in rows}
    assert status["N-3"] == "IA" and status["N-1"] != "IA", rows
    [n2] = [r for r in rows if r["po_number"] == "N-2"]
    assert "-3" in n2["reason"], n2  # read as -3 and judged by the rules as any price


@pytest.mark.parametrize("minus", ["5-", "-"])
def test_a_lone_minus_or_a_quantity_with_it_is_never_a_number_it_is_not(minus):
    got = read_csv_orders(feed_row(quantity=minus), CsvOrderMapping(**UMBRELLA_EU), partner="p", file="f.csv")
    if minus == "-":
        assert [f.code for f in got.findings] == ["CSV_NUMBER_INVALID"]
    else:
        assert [ln["quantity"] for ln in got.lines.to_pylist()] == [Decimal(-5)]


def feed_row(*, quantity: str) -> bytes:
    return (f"PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU\r\nQ-1;26.11.2026;1;{quantity};EA;26,25;VP-1010\r\n"
            ).encode()


def test_money_cells_with_a_code_or_a_sign_before_the_symbol_say_the_setting_that_reads_them():
    """"1,234.50 USD" with no thousands separator set and "-$12.00" with no currency symbol used to be refused with
    no hint; each now names the setting. "3.00-" reads as -3.00 in a US layout too."""
    got, found = _read("coded_money.csv")
    assert found == [("CSV_NUMBER_INVALID", "error", 2, "Unit Price"), ("CSV_NUMBER_INVALID", "error", 3, "Unit Price")]
    assert "It reads as 1234.50 with ',' between thousands: set the layout's thousands_separator = ','" in \
        got.findings[0].message
    assert "It reads as -12.00 after its currency sign '$'" in got.findings[1].message
    assert "currency_symbol = '$'" in got.findings[1].message
    assert [(ln["po_number"], ln["unit_price"]) for ln in got.lines.to_pylist()] == [("C-3", Decimal(-3))]
    got, found = _read("coded_money.csv", thousands_separator=",", currency_symbol="$")
    assert found == [] and [(ln["po_number"], ln["unit_price"]) for ln in got.lines.to_pylist()] == [
        ("C-1", Decimal("1234.5")), ("C-2", Decimal(-12)), ("C-3", Decimal(-3))]
    assert _orders(got, "currency")[0] == ("C-1", "USD")


def test_po_numbers_a_spreadsheet_saved_as_floats_are_read_as_their_digits(tmp_path):
    """"4500012345.0" in every row (a numeric PO column saved by Excel or pandas as decimals) used to be read and
    answered as "4500012345.0", a PO the buyer never sent. Every PO number so written: read as its digits, with a
    warning at the header naming the column; the night answers and inspect shows the buyer's own numbers."""
    got, found = _read("float_po.csv", **UMBRELLA_EU)
    assert found == [("CSV_FLOAT_ID_RESTORED", "warning", 1, "PO Number")]
    assert "'4500012345.0' as '4500012345'" in got.findings[0].message
    assert [o[0] for o in _orders(got)] == ["4500012345", "4500012346"]
    assert [ln[:2] for ln in _lines(got)] == [("4500012345", "1"), ("4500012345", "2"), ("4500012346", "1")]
    ws, found, rows = run_feed(tmp_path / "ws", (SHEETS / "float_po.csv").read_bytes())
    assert [f for f in found if f[0] == "intake"] == [("intake", "CSV_FLOAT_ID_RESTORED", 1, "PO Number", "")]
    assert [(r["po_number"], r["line_id"]) for r in rows] == [("4500012345", "1"), ("4500012345", "2"),
                                                             ("4500012346", "1")]
    assert {r["po_number"]: r["status"] for r in rows}["4500012346"] == "IA", rows
    res = CliRunner().invoke(app, ["inspect", "--json", "--partner", "umbrella", "-w", str(ws.root),
                                   str(SHEETS / "float_po.csv")])
    seen = json.loads(res.stdout)
    assert {o["po_number"]: o["line_count"] for o in seen["orders"]} == {"4500012345": 2, "4500012346": 1}, res.output


@pytest.mark.parametrize("other", ["4500012346", "4500012346.10", "PO-7.0", "4500012345.00", "4500012345"])
def test_a_po_number_that_could_be_real_keeps_every_po_of_the_file_as_sent(other):
    """One PO number not a float's ("4500012346", "4500012346.10", "PO-7.0") or two that would read as one: nothing
    is altered, no warning."""
    text = (SHEETS / "float_po.csv").read_bytes().replace(b"4500012346.0;", other.encode() + b";")
    got = read_csv_orders(text, CsvOrderMapping(**UMBRELLA_EU), partner="p", file="f.csv")
    assert [f.code for f in got.findings] == []
    assert [o["po_number"] for o in got.orders.to_pylist()] == (
        ["4500012345.0", other] if other != "4500012345" else ["4500012345.0", "4500012345"])


def test_a_float_po_with_the_layouts_decimal_comma_and_a_refused_row_are_read_alike():
    text = (SHEETS / "float_po.csv").read_bytes().replace(b"4500012346.0;", b"4500012346,0;").replace(
        b";2;20;EA;", b";2;zwanzig;EA;")
    got = read_csv_orders(text, CsvOrderMapping(**UMBRELLA_EU), partner="p", file="f.csv")
    assert [f.code for f in got.findings] == ["CSV_FLOAT_ID_RESTORED", "CSV_NUMBER_INVALID"]
    assert got.rejected == ("4500012345",) and [o["po_number"] for o in got.orders.to_pylist()] == ["4500012346"]
    assert [(r.row, r.po_number) for r in got.refused] == [(2, "4500012345"), (3, "4500012345")]


def _three(**names):
    layout = dict(UMBRELLA_EU, ship_to_id="Store", ship_to_address1="Street", ship_to_city="City",
                  ship_to_postal_code="Postal Code")
    return _read("three_row_header.csv", **{**layout, **names})


def test_a_header_of_four_rows_reads_every_level_of_names_as_one_header(tmp_path):
    """A group row above the header, the header holding "Ship To" over "Store" and "Address", and "Address" over
    "Street", "City", "Postal Code" two rows below: the names rows used to be refused as order rows (CSV_VALUE_MISSING,
    answered IR under no PO) and the address columns went unread (the order's address lost without a word)."""
    got, found = _three()
    assert found == [("CSV_TITLE_ROWS_SKIPPED", "warning", 2, None), ("CSV_HEADER_TWO_ROWS", "warning", 2, None)]
    assert "header of 4 rows" in got.findings[1].message and "rows 3-4 hold names, no order" in got.findings[1].message
    assert "'Address' over 'Street', 'City', 'Postal Code'" in got.findings[1].message
    assert _orders(got, "ship_to_id", "ship_to_address1", "ship_to_city", "ship_to_postal_code") == [
        ("S-401", "UMB-9", "1 Main St", "Palo Alto", "94301"), ("S-402", "UMB-7", "80 Castro St", "Mountain View",
                                                                "94041")]
    assert [ln[:2] for ln in _lines(got)] == [("S-401", "1"), ("S-401", "2"), ("S-402", "1")] and got.refused == []
    # each column by its groups' names and its own joined, at any level
    got, found = _three(ship_to_id="Ship To Store", ship_to_address1="Ship To Street", ship_to_city="Address City",
                        ship_to_postal_code="Ship To Address Postal Code")
    said = "('Ship To Store', 'Ship To Street', 'Address City', 'Ship To Address Postal Code')"
    assert said in got.findings[1].message
    assert _orders(got, "ship_to_address1", "ship_to_city", "ship_to_postal_code")[1] == (
        "S-402", "80 Castro St", "Mountain View", "94041")
    ws, found, rows = run_feed(tmp_path / "ws", (SHEETS / "three_row_header.csv").read_bytes(),
                               layout='ship_to_id = "Store"\nship_to_address1 = "Street"\n')
    assert [f[1:4] for f in found if f[0] == "intake"] == [("CSV_TITLE_ROWS_SKIPPED", 2, None),
                                                           ("CSV_HEADER_TWO_ROWS", 2, None)]
    assert [(r["po_number"], r["line_id"]) for r in rows] == [("S-401", "1"), ("S-401", "2"), ("S-402", "1")]
    assert "IR" not in {r["status"] for r in rows}, rows
    res = CliRunner().invoke(app, ["inspect", "--json", "--partner", "umbrella", "-w", str(ws.root),
                                   str(SHEETS / "three_row_header.csv")])
    seen = json.loads(res.stdout)
    assert {o["po_number"]: o["line_count"] for o in seen["orders"]} == {"S-401": 2, "S-402": 1}, res.output


def test_a_header_of_three_rows_repeated_at_a_page_break_and_read_in_small_batches():
    data = (SHEETS / "three_row_header.csv").read_bytes()
    head = b"".join(data.splitlines(keepends=True)[1:4])
    paged = data.replace(b"S-402;", head + b"S-402;", 1)
    layout = CsvOrderMapping(**UMBRELLA_EU, ship_to_id="Store", ship_to_address1="Street", ship_to_city="City")
    whole, _found = _three()
    parts = read_csv_orders([paged[:70], paged[70:200], paged[200:]], layout, partner="p", file="f.csv", batch_rows=1)
    assert [f.code for f in parts.findings] == ["CSV_TITLE_ROWS_SKIPPED", "CSV_HEADER_TWO_ROWS"]
    assert [(o["po_number"], o["ship_to_city"]) for o in parts.orders.to_pylist()] == [
        ("S-401", "Palo Alto"), ("S-402", "Mountain View")]
    assert parts.lines.num_rows == whole.lines.num_rows == 3


def test_an_order_row_under_a_two_row_header_is_never_taken_for_a_third_row_of_names():
    """The row below a two-row header names a PO and a quantity, or holds a number: an order row, read as one."""
    data = (SHEETS / "three_row_header.csv").read_bytes().replace(b";;;;;;;;Street;City;Postal Code\r\n", b"")
    got = read_csv_orders(data, CsvOrderMapping(**UMBRELLA_EU, ship_to_id="Store", ship_to_address1="Address"),
                          partner="p", file="f.csv")
    assert [f.code for f in got.findings] == ["CSV_TITLE_ROWS_SKIPPED", "CSV_HEADER_TWO_ROWS"]
    assert [(o["po_number"], o["ship_to_address1"]) for o in got.orders.to_pylist()] == [
        ("S-401", "1 Main St"), ("S-402", "80 Castro St")]


def test_a_layout_saying_po_numbers_as_sent_keeps_a_float_po_as_it_is():
    got, found = _read("float_po.csv", **UMBRELLA_EU, po_numbers_as_sent=True)
    assert found == [] and [o[0] for o in _orders(got)] == ["4500012345.0", "4500012346.0"]
