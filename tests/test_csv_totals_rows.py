"""A CSV order export's own totals row, in a layout that names no total_labels (parsers.csv_totals): Shopify's and
Excel's exports end with a row naming no PO and no item, its quantity and amount the sums of the rows above; NetSuite's
and QuickBooks' write "Total" in it. It used to be an error on a bad row (CSV_VALUE_MISSING "no 'PO Number'", the
row refused in the CSV acknowledgment), or, labelled in the PO column, an order "TOTAL" of the summed quantity. It is
passed over with a warning (CSV_TOTALS_ROW_SKIPPED) only when it really is one."""

from __future__ import annotations

import pytest

HEAD = "PO Number,SKU,Quantity,Unit Price,Amount,Note\r\n"
ROWS = "P1,VP-1,10,2.50,25.00,\r\nP1,VP-2,5,4.00,20.00,\r\nP2,VP-3,3,1.00,3.00,\r\n"


def _read(text: str, **layout):
    from parsers.csv_orders import read_csv_orders
    from schemas.fulfilment import CsvOrderMapping

    return read_csv_orders(text.encode(), CsvOrderMapping(**layout), partner="p", file="f.csv")


def _found(got) -> list[tuple[str, int | None]]:
    return [(f.code, f.location.row) for f in got.findings]


@pytest.mark.parametrize("total", [
    ",,18,,48.00,",  # Shopify / Excel: the quantity and the amount summed, nothing else
    ",,18,,,",  # the quantity alone
    ",,18,7.50,48.00,",  # the price column summed too
    ",,18,48.00,,",  # the amounts summed in the price column
    "Total,,18,,48.00,",  # QuickBooks: the label in the PO column (it used to be an order "TOTAL" of 18)
    ",,18,,48.00,Grand Total:",  # a label in another text column
    "TOTALS,,,,,",  # a label alone
])
def test_an_exports_totals_row_is_passed_over_with_a_warning(total):
    got = _read(HEAD + ROWS + total + "\r\n")
    assert _found(got) == [("CSV_TOTALS_ROW_SKIPPED", 5)]
    assert got.findings[0].severity == "warning" and "totals row" in got.findings[0].message
    assert got.orders["po_number"].to_pylist() == ["P1", "P2"] and got.lines.num_rows == 3
    assert got.refused == [] and got.rejected == ()


def test_a_subtotal_per_po_and_a_grand_total_are_each_passed_over():
    text = (HEAD + "P1,VP-1,10,2.50,25.00,\r\nP1,VP-2,5,4.00,20.00,\r\n,,15,,45.00,\r\n"
            "P2,VP-3,3,1.00,3.00,\r\n,,3,,3.00,\r\n,,18,,48.00,\r\n")
    got = _read(text)
    assert _found(got) == [("CSV_TOTALS_ROW_SKIPPED", 4), ("CSV_TOTALS_ROW_SKIPPED", 6),
                           ("CSV_TOTALS_ROW_SKIPPED", 7)]
    assert got.lines.num_rows == 3


def test_a_grouped_exports_totals_row_does_not_continue_the_po_above():
    text = "PO Number,SKU,Quantity,Unit Price\r\nP1,VP-1,10,2.50\r\n,VP-2,5,4.00\r\n,,15,\r\n"
    got = _read(text, grouped=True)
    assert _found(got) == [("CSV_TOTALS_ROW_SKIPPED", 4)]
    assert got.lines["po_number"].to_pylist() == ["P1", "P1"]


@pytest.mark.parametrize("row", [
    ",,17,,48.00,",  # a quantity that is not the sum: a row that lost its PO number
    ",,18,,47.00,",  # an amount that is not the sum
    ",,18,,48.00,call before delivery",  # text that is no totals label
    ",VP-4,18,,,",  # an item: a line without its PO
    ",,abc,,,",
])
def test_a_row_without_a_po_that_is_no_totals_row_stays_an_error(row):
    got = _read(HEAD + ROWS + row + "\r\n")
    assert _found(got) == [("CSV_VALUE_MISSING", 5)] or ("CSV_VALUE_MISSING", 5) in _found(got)
    assert "CSV_TOTALS_ROW_SKIPPED" not in {f.code for f in got.findings}
    assert [r.row for r in got.refused] == [5]


def test_a_line_of_a_po_named_total_with_its_item_is_read_as_a_line():
    got = _read(HEAD + "Total,VP-1,10,2.50,25.00,\r\n")
    assert got.findings == [] and got.orders["po_number"].to_pylist() == ["Total"]


def test_the_layouts_own_total_labels_still_pass_the_row_over_without_a_word():
    got = _read(HEAD + ROWS + "Summe,,18,,48.00,\r\n", total_labels=("Summe",))
    assert got.findings == [] and got.lines.num_rows == 3


def _source(partner: str, **change):
    from schemas.profile import load_profile
    from tests.support import REPO

    root = REPO / "tests" / "fixtures" / "csvsweep" / "sources"
    profile = load_profile(root / "partners" / f"{partner}.toml")
    data = next((root / "drops" / partner).iterdir()).read_bytes()
    return data, profile.fulfilment.csv_orders.model_copy(update=change)


def test_shopifys_export_with_a_label_less_totals_row_reads_its_orders_and_passes_the_row_over():
    """The Shopify B2B export of the CSV sources (tests/test_csv_sources.py), a totals row added as a spreadsheet's
    SUM row writes it: the line quantities (50 + 50 + 80) and the shipping and taxes columns summed, nothing else."""
    from parsers.csv_orders import read_csv_orders

    data, layout = _source("shopifyb2b")
    total = ",".join(["", "", "", "", "", "", "", "0.00", "0.00", "", "", "180"] + [""] * 16)
    got = read_csv_orders(data + total.encode() + b"\n", layout, partner="shopifyb2b", file="orders_export_1.csv")
    plain = read_csv_orders(data, layout, partner="shopifyb2b", file="orders_export_1.csv")
    assert [(f.code, f.severity) for f in got.findings] == [("CSV_TOTALS_ROW_SKIPPED", "warning")]
    assert got.orders.equals(plain.orders) and got.lines.equals(plain.lines) and got.refused == []


def test_netsuites_total_row_is_passed_over_without_its_layout_naming_the_label():
    from parsers.csv_orders import read_csv_orders

    data, layout = _source("netsuite", total_labels=())
    got = read_csv_orders(data, layout, partner="netsuite", file="SalesOrderSearchResults.csv")
    named = read_csv_orders(data, _source("netsuite")[1], partner="netsuite", file="SalesOrderSearchResults.csv")
    assert [(f.code, f.location.row) for f in got.findings] == [("CSV_TOTALS_ROW_SKIPPED", named.lines.num_rows + 2)]
    assert got.orders.equals(named.orders) and got.lines.equals(named.lines) and named.findings == []
