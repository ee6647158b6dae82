"""CSV order feeds as real exporters write them: thousands separators only between groups of three
digits (a "12.5" in a feed with "." thousands is refused, never read as 125), the no-break spaces and
typographic apostrophes locales group with, a date with a time of day after it, trailing separators,
header names with doubled blanks, and a row of the wrong width leaving its whole PO out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parsers.csv_common import parse_date, parse_decimal, read_columns
from parsers.csv_orders import read_csv_orders
from schemas.fulfilment import CsvLayout, CsvOrderMapping

EU = dict(delimiter=";", decimal_separator=",", thousands_separator=".", date_format="%d.%m.%Y")
HEADER = "PO Number,PO Date,Line,Quantity,Unit,Unit Price,SKU,Description\r\n"


def _read(text: str, **mapping):
    got = read_csv_orders(text.encode("utf-8"), CsvOrderMapping(**mapping), partner="p", file="f.csv")
    return got, [(f.code, f.location.row, f.location.column, f.location.value) for f in got.findings]


@pytest.mark.parametrize(("text", "layout", "value"), [
    ("1.200", EU, Decimal(1200)), ("1.234.567,5", EU, Decimal("1234567.5")), ("-1.200,25", EU, Decimal("-1200.25")),
    ("12,5", EU, Decimal("12.5")), ("1200", EU, Decimal(1200)),
    ("12.5", EU, None), ("1.2.3", EU, None), ("1.20", EU, None), ("1200.000,5", EU, None), (".5", EU, None),
    ("1,200", dict(thousands_separator=","), Decimal(1200)), ("1,5", dict(thousands_separator=","), None),
    ("1,234.5", dict(thousands_separator=","), Decimal("1234.5")), ("12,34.5", dict(thousands_separator=","), None),
    ("1\u00a0200,5", dict(decimal_separator=",", thousands_separator=" "), Decimal("1200.5")),
    ("1\u202f234\u202f567", dict(decimal_separator=",", thousands_separator=" "), Decimal(1234567)),
    ("1’200.50", dict(thousands_separator="'"), Decimal("1200.5")),
    ("1'200.50", dict(thousands_separator="'"), Decimal("1200.5")),
])
def test_thousands_separators_stand_only_between_groups_of_three_digits(text, layout, value):
    assert parse_decimal(text, CsvLayout(**layout)) == value


def test_a_dot_decimal_in_a_feed_with_dot_thousands_is_refused_at_its_row_and_column():
    got, findings = _read("PO Number;Quantity;Unit Price\r\nA1;12.5;3,50\r\nA2;1.200;1.234,50\r\n", **EU)
    assert findings == [("CSV_NUMBER_INVALID", 2, "Quantity", "12.5")]
    assert got.rejected == ("A1",)
    assert [(ln["po_number"], ln["quantity"], ln["unit_price"]) for ln in got.lines.to_pylist()] == [
        ("A2", Decimal(1200), Decimal("1234.5"))]


@pytest.mark.parametrize(("text", "fmt"), [
    ("2026-11-27T00:00:00", "%Y-%m-%d"), ("2026-11-27 00:00:00", "%Y-%m-%d"), ("2026-11-27T00:00:00Z", "%Y-%m-%d"),
    ("2026-11-27T10:15:00.000+01:00", "%Y-%m-%d"), ("11/27/2026 0:00", "%m/%d/%Y"),
    ("11/27/2026 12:00:00 AM", "%m/%d/%Y"), ("27.11.2026 00:00", "%d.%m.%Y"), ("27 Nov 2026 00:00", "%d %b %Y"),
])
def test_a_date_with_a_time_of_day_after_it_reads_as_its_date(text, fmt):
    assert parse_date(text, CsvLayout(date_format=fmt)) == date(2026, 11, 27)


@pytest.mark.parametrize("text", ["2026-11-27T", "2026-11-27 noon", "00:00", "2026-11-27 25", "11/27/2026 0:00"])
def test_a_date_that_is_not_one_stays_refused(text):
    assert parse_date(text, CsvLayout()) is None


def test_a_date_time_in_a_feed_reads_and_a_bad_one_is_a_finding():
    got, findings = _read(HEADER + "A1,2026-11-27T00:00:00,1,12,EA,1.50,S1,Pen\r\n"
                          "A2,2026-11-31 00:00,1,1,EA,1,S1,x\r\n")
    assert got.orders.to_pylist()[0]["po_date"] == date(2026, 11, 27)
    assert findings == [("CSV_DATE_INVALID", 3, "PO Date", "2026-11-31 00:00")]


def test_trailing_separators_on_rows_are_read_as_the_header_s_width():
    got, findings = _read(HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Pen,\r\nA1,2026-11-27,2,3,EA,2,S2,Ink\r\n"
                          "A1,2026-11-27,3,4,EA,2,S3,Cap,, ,\r\n,,,,,,,,,\r\n")
    assert findings == [] and got.rejected == ()
    assert [(ln["line_id"], ln["quantity"], ln["description"]) for ln in got.lines.to_pylist()] == [
        ("1", Decimal(12), "Pen"), ("2", Decimal(3), "Ink"), ("3", Decimal(4), "Cap")]


def test_a_row_of_the_wrong_width_leaves_its_whole_po_out():
    got, findings = _read(HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Pen\r\nA1,2026-11-27,2,3,EA,2,S2\r\n"
                          "A2,2026-11-27,1,1,EA,1,S1,x\r\nA3,2026-11-27,1,1,EA,1,S1,x,y\r\nonly,three,fields\r\n")
    assert findings == [("CSV_ROW_MALFORMED", 3, "", None), ("CSV_ROW_MALFORMED", 5, "", None),
                        ("CSV_ROW_MALFORMED", 6, "", None)]
    assert got.rejected == ("A1",)  # "only" names no PO read: nothing of it to leave out
    assert got.orders["po_number"].to_pylist() == ["A2"]
    assert got.lines["po_number"].to_pylist() == ["A2"]


def test_header_names_match_whatever_their_inner_blanks():
    got, findings = _read("PO\u00a0Number,quantity,Unit  Price\r\nA1,12,1.50\r\n")
    assert findings == [] and got.lines.to_pylist()[0]["unit_price"] == Decimal("1.5")


def test_the_columnar_read_drops_trailing_separators_too():
    layout = CsvLayout()
    mapping = {"po": "PO", "qty": "Qty"}
    read = read_columns(b"PO,Qty\nA1,1,\nA2,2\n", layout, mapping, required=("po",))
    assert read.rows.findings == [] and read.numbers == [2, 3]
    assert [c.to_pylist() for c in read.cells] == [["A1", "A2"], ["1", "2"]]


def test_a_quoting_error_that_leaves_the_rest_unread_leaves_every_po_out():
    got, findings = _read(HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Pen\r\nA2,2026-11-27,1,1,EA,1,S1,\"x\r\n"
                          "A1,2026-11-27,2,3,EA,2,S2,Ink\r\n")
    assert [(code, row) for code, row, _c, _v in findings] == [("CSV_ROW_MALFORMED", 3)]
    assert got.rejected == ("A1",) and got.orders.num_rows == 0 and got.lines.num_rows == 0


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8", "utf-8-sig"])
def test_a_utf8_byte_order_mark_says_utf8_whatever_the_layout_says(encoding):
    data = ("\ufeff" + HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Café ’x’\r\n").encode("utf-8")
    got = read_csv_orders(data, CsvOrderMapping(encoding=encoding), partner="p", file="f.csv")
    assert got.findings == [] and got.lines.to_pylist()[0]["description"] == "Café ’x’"


@pytest.mark.parametrize(("encoding", "mark"), [("utf-16-le", "\ufeff"), ("utf-16-le", ""), ("utf_16_be", "\ufeff"),
                                                ("cp1252", "\ufeff")])
def test_a_utf16_feed_reads_with_or_without_its_mark(encoding, mark):
    codec = "utf-16-be" if "be" in encoding else "utf-16-le"
    data = (mark + HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Café\r\n").encode(codec)
    got = read_csv_orders(data, CsvOrderMapping(encoding=encoding), partner="p", file="f.csv")
    assert got.findings == [] and got.lines.to_pylist()[0]["description"] == "Café"


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_wide_feed_whose_byte_order_cannot_be_told_is_refused_not_raised(encoding, chunked):
    """A layout in UTF-16 (or 32) naming no byte order, and a file whose mark comes after a stray line end (its NULs
    not beside every ASCII character from its first byte): the codec refuses it, which used to escape as an
    exception (fuzzed from the sweep's Excel "Unicode text" export); now one CSV_NOT_DECODABLE saying what to set."""
    data = b"\x00\n" + ("\ufeff" + HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Caf\u00e9\r\n").encode(f"{encoding}-le")
    chunks = [data[i:i + 7] for i in range(0, len(data), 7)] if chunked else data
    got = read_csv_orders(chunks, CsvOrderMapping(encoding=encoding), partner="p", file="f.csv")
    assert [(f.code, f.severity) for f in got.findings] == [("CSV_NOT_DECODABLE", "error")]
    assert got.lines.num_rows == 0
    if encoding == "utf-16":  # (UTF-32's codec reads the stray bytes as a code point it refuses: "at byte 0")
        assert '"utf-16-le"' in got.findings[0].message


@pytest.mark.parametrize("hint", ["sep=,", "SEP=,", '"sep=,"'])
def test_excel_s_separator_hint_line_is_passed_over(hint):
    got, findings = _read(hint + "\r\n" + HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Pen\r\n")
    assert findings == [] and got.orders.to_pylist()[0]["st02"] == "0003"
    read = read_columns(f"{hint}\nPO,Qty\nA1,1\n".encode(), CsvLayout(), {"po": "PO", "qty": "Qty"}, required=("po",))
    assert read.rows.findings == [] and read.numbers == [3] and [c.to_pylist() for c in read.cells] == [["A1"], ["1"]]


def test_a_header_ending_in_a_separator_takes_rows_without_it():
    header = HEADER.replace("\r\n", ",,\r\n")
    got, findings = _read(header + "A1,2026-11-27,1,12,EA,1.50,S1,Pen\r\nA1,2026-11-27,2,3,EA,2,S2,Ink,\r\n"
                          "A1,2026-11-27,3,4,EA,2,S3,Cap,,\r\nA2,2026-11-27,1,1,EA,1,S1\r\n")
    assert findings == [("CSV_ROW_MALFORMED", 5, "", None)]  # a named column missing: A2's row is not read
    assert got.orders["po_number"].to_pylist() == ["A1"]
    assert [(ln["line_id"], ln["description"]) for ln in got.lines.to_pylist()] == [("1", "Pen"), ("2", "Ink"),
                                                                                    ("3", "Cap")]
    mapping = {"po": "PO", "qty": "Qty"}
    for data in (b"PO,Qty,\nA1,1\nA2,2,\n", b'PO,Qty,\nA1,1\n"A2",2,\n', b"PO,Qty,\nA1,1,\nA2,2,\n"):
        read = read_columns(data, CsvLayout(), mapping, required=("po",))
        assert read.rows.findings == [] and read.numbers == [2, 3]
        assert [c.to_pylist() for c in read.cells][:2] == [["A1", "A2"], ["1", "2"]]


@pytest.mark.parametrize("end", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64, 1 << 20])
def test_a_windows_1252_file_read_as_utf8_is_read_so_naming_its_line_and_one_of_two_encodings_refused(end, chunk):
    """(csvreal) A UTF-8 layout's file that is all Windows-1252 is read so, its warning naming the line and byte of
    its first byte that is not UTF-8 (it was refused, CSV_NOT_DECODABLE naming them); one holding UTF-8 text before
    that byte is refused, naming them as before."""
    text = HEADER.replace("\r\n", end) + f'A1,2026-11-27,1,12,EA,1.50,S1,"Pen{end}blue"{end}' \
        f"A1,2026-11-27,2,3,EA,2,S2,Café{end}"
    data = text.encode("cp1252")
    at = data.index("é".encode("cp1252"))
    got = read_csv_orders((data[i:i + chunk] for i in range(0, len(data), chunk)), CsvOrderMapping(), partner="p",
                          file="f.csv", batch_rows=1)
    assert [(f.code, f.severity, f.message) for f in got.findings] == [
        ("CSV_NOT_UTF8", "warning", f"Not valid UTF-8 on line 4, at byte {at}: read as Windows-1252 (Excel's \"CSV "
         '(Comma delimited)" on Windows), every byte of the file being so. Set the layout\'s encoding = "cp1252" if '
         'the partner always sends it so, or have the file saved as "CSV UTF-8".')]
    assert [(ln["line_id"], ln["description"]) for ln in got.lines.to_pylist()][1:] == [("2", "Café")]
    mixed = text.replace("blue", "blü").encode("cp1252").replace("blü".encode("cp1252"), "blü".encode())
    at = mixed.index("é".encode("cp1252"))
    got = read_csv_orders((mixed[i:i + chunk] for i in range(0, len(mixed), chunk)), CsvOrderMapping(), partner="p",
                          file="f.csv", batch_rows=1)
    assert [(f.code, f.message) for f in got.findings] == [
        ("CSV_NOT_DECODABLE", f"Not valid utf-8-sig on line 4, at byte {at}. The file holds UTF-8 text before it, and "
         "from there bytes in another encoding (Windows-1252?): a file of two encodings (rows pasted in from another "
         'file?). Have it saved again in one encoding ("CSV UTF-8").')]
    assert got.orders.num_rows == 0
    utf16 = ("\ufeff" + text[:-len(end)]).encode("utf-16-le") + b"\x00\xdc"  # a lone low surrogate ends line 4
    got = read_csv_orders((utf16[i:i + chunk] for i in range(0, len(utf16), chunk)), CsvOrderMapping(), partner="p",
                          file="f.csv")
    assert [f.code for f in got.findings] == ["CSV_NOT_DECODABLE"] and "on line 4, at byte" in got.findings[0].message


@pytest.mark.parametrize("text", ["2026-11-27 10:30:15 -0500", "2026-11-27 10:30:15 +01:00", "2026-11-27 10:30 UTC",
                                  "2026-11-27T10:30:15 GMT"])
def test_a_date_time_with_a_blank_before_its_utc_offset_reads_as_its_date(text):
    """Shopify's order export writes "Created at" as "2026-11-27 10:30:15 -0500": the offset after a blank
    (it used to be CSV_DATE_INVALID and every order of the file left out)."""
    assert parse_date(text, CsvLayout()) == date(2026, 11, 27)


@pytest.mark.parametrize("text", ["2026-11-27 10:30:15 -05", "2026-11-27 10:30:15 EST5", "2026-11-27 -0500"])
def test_a_date_time_with_something_else_after_it_stays_refused(text):
    assert parse_date(text, CsvLayout()) is None


def test_a_price_with_the_feed_s_currency_symbol_reads_and_another_symbol_is_refused():
    """``currency_symbol``: the symbol a feed writes in its price cells ("26,25 €", "$1,234.50", "-$5.00"),
    read as the number; any other symbol stays CSV_NUMBER_INVALID at its row and column, never guessed.
    Before: the layout could not say so and every PO with a symbol was left out."""
    eu = dict(EU, currency_symbol="€")
    got, findings = _read("PO Number;Quantity;Unit Price\r\nA1;12;26,25 €\r\nA1;1;€1.234,50\r\nA2;1;3,00 $\r\n"
                          "A3;2;1.200\r\n", **eu)
    assert findings == [("CSV_NUMBER_INVALID", 4, "Unit Price", "3,00 $")]
    assert [(ln["po_number"], ln["unit_price"]) for ln in got.lines.to_pylist()] == [
        ("A1", Decimal("26.25")), ("A1", Decimal("1234.5")), ("A3", Decimal(1200))]
    us = dict(thousands_separator=",", currency_symbol="$")
    got, findings = _read("PO Number,Quantity,Unit Price\r\nB1,\"1,200\",\"$1,234.50\"\r\nB1,1,-$5.00\r\n"
                          "B1,1,$ -5\r\nB2,$3,1\r\nB3,1,$\r\n", **us)
    assert [(ln["quantity"], ln["unit_price"]) for ln in got.lines.to_pylist()] == [
        (Decimal(1200), Decimal("1234.5")), (Decimal(1), Decimal(-5)), (Decimal(1), Decimal(-5))]
    assert findings == [("CSV_NUMBER_INVALID", 5, "Quantity", "$3"), ("CSV_NUMBER_INVALID", 6, "Unit Price", "$")]
    _, findings = _read("PO Number,Quantity,Unit Price\r\nB1,1,$5.00\r\n")  # no symbol in the layout: refused
    assert findings == [("CSV_NUMBER_INVALID", 2, "Unit Price", "$5.00")]


def test_title_rows_before_the_header_are_passed_over():
    """``title_rows``: a report export's lines before its header (report name, date, a blank line) are
    passed over; rows keep the numbers a spreadsheet shows. Before: CSV_COLUMN_MISSING, nothing read."""
    text = "Umbrella Stores\r\nOpen Sales Orders; as of 27.11.2026\r\n\r\n" + HEADER + \
        "A1,2026-11-27,1,12,EA,1.50,S1,Pen\r\nA1,2026-11-27,2,x,EA,2,S2,Ink\r\nA2,2026-11-27,1,1,EA,1,S1,Cap\r\n"
    got, findings = _read(text, title_rows=3)
    assert findings == [("CSV_NUMBER_INVALID", 6, "Quantity", "x")]
    assert got.orders.to_pylist()[0]["st02"] == "0007" and got.rejected == ("A1",)
    got, findings = _read(text)  # not counted: the header found below them, said (it was CSV_COLUMN_MISSING)
    assert [(code, row) for code, row, *_ in findings] == [("CSV_TITLE_ROWS_SKIPPED", 4), ("CSV_NUMBER_INVALID", 6)]
    assert got.orders.to_pylist()[0]["st02"] == "0007" and got.rejected == ("A1",)
    _, findings = _read(text.replace("Quantity", "Qty"), title_rows=3)  # a header finding names the header's row
    assert [(code, row) for code, row, *_ in findings] == [("CSV_COLUMN_MISSING", 4)]
    _, findings = _read("sep=,\r\n" + HEADER.replace("Quantity", "Qty"))
    assert [(code, row) for code, row, *_ in findings] == [("CSV_COLUMN_MISSING", 2)]
    got, findings = _read("sep=,\r\nReport\r\n" + HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Pen\r\n", title_rows=1)
    assert findings == [] and got.orders.to_pylist()[0]["st02"] == "0004"
    read = read_columns(b"Report\nPO,Qty\nA1,1\n", CsvLayout(), {"po": "PO", "qty": "Qty"}, required=("po",))
    assert [f.code for f in read.rows.findings] == ["CSV_COLUMN_MISSING"]


def test_a_totals_row_named_in_the_layout_is_no_order():
    """``total_labels``: a row whose first filled cell is one of them ("Total", "Summe"; any case) is the
    export's totals row, passed over. Before: read as an order "Total" of one line."""
    text = HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Pen\r\nA1,2026-11-27,2,3,EA,2,S2,Ink\r\nTOTAL,,,15,,,,\r\n" \
        ",Summe,,15,,,,\r\n"
    got, findings = _read(text, total_labels=["Total", "summe"])
    assert findings == [] and got.orders["po_number"].to_pylist() == ["A1"] and got.lines.num_rows == 2
    got, findings = _read(text)
    # without the labels: "TOTAL" with no item is still taken for the totals row (parsers.csv_totals; it used to be an
    # order "TOTAL" of 15), with a warning; "Summe" is no label csv_totals knows, and its row is no order row
    assert got.orders["po_number"].to_pylist() == ["A1"]
    assert [(code, row) for code, row, *_ in findings] == [("CSV_TOTALS_ROW_SKIPPED", 4), ("CSV_VALUE_MISSING", 5),
                                                           ("CSV_DATE_INVALID", 5)]
    with pytest.raises(ValueError, match="blank"):
        CsvOrderMapping(total_labels=[" "])


def test_a_line_id_repeated_within_a_po_is_a_warning_at_its_row():
    """Two rows of one PO with the same Line (an export listing a line twice, split deliveries): both kept
    as lines, as an 850 repeating a PO101 is, with a warning at the later row (the acknowledgment and a
    confirmation naming that line id cannot tell them apart). Before: nothing said."""
    got, findings = _read(HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Pen\r\nA1,2026-11-27,2,3,EA,2,S2,Ink\r\n"
                          "A2,2026-11-27,1,1,EA,1,S1,x\r\nA1,2026-11-27,1,4,EA,1.50,S1,Pen\r\n")
    assert findings == [("CSV_LINE_ID_DUPLICATE", 5, "Line", "1")]
    assert [(ln["po_number"], ln["line_id"], ln["quantity"]) for ln in got.lines.to_pylist()] == [
        ("A1", "1", Decimal(12)), ("A1", "2", Decimal(3)), ("A1", "1", Decimal(4)), ("A2", "1", Decimal(1))]
    assert "row 2" in got.findings[0].message


def test_a_mapped_column_named_twice_in_the_header_is_refused_not_guessed():
    """A header naming a mapped column twice ("Quantity" ordered and "Quantity" confirmed, as list exports
    write them) cannot say which is meant: CSV_COLUMN_AMBIGUOUS names both positions and nothing is read
    (as for a missing column). Before: the first was taken without a word. Unmapped repeats do not count."""
    text = "PO Number,Quantity,Unit Price,Quantity,Note,Note\r\nA1,12,1.50,10,x,y\r\n"
    got, findings = _read(text)
    assert findings == [("CSV_COLUMN_AMBIGUOUS", 1, "Quantity", None)]
    assert "columns 2 and 4" in got.findings[0].message and got.orders.num_rows == 0
    read = read_columns(text.encode(), CsvLayout(), {"po": "PO Number", "qty": " quantity "}, required=("po",))
    assert [f.code for f in read.rows.findings] == ["CSV_COLUMN_AMBIGUOUS"] and read.numbers == []
    read = read_columns(text.encode(), CsvLayout(), {"po": "PO Number", "note": None}, required=("po",))
    assert read.rows.findings == [] and read.numbers == [2]


def test_the_onboarding_guide_s_csv_layout_reads_the_export_it_describes():
    """docs/onboarding.md's [fulfilment.csv_orders] example is a valid layout and reads such an export."""
    import tomllib
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[1] / "docs" / "onboarding.md").read_text(encoding="utf-8")
    block = guide.split("```toml\n[fulfilment.csv_orders]", 1)[1].split("```", 1)[0]
    mapping = CsvOrderMapping(**tomllib.loads("[m]" + block)["m"])
    assert mapping.default_ship_to == "NW-DC1"
    text = "Open orders, 11/27/2026\r\nOrder,Date,Item,SKU,Qty,Price,Ship First Name,Ship Last Name,Ship Company\r\n" \
        "W-1,11/27/2026 10:30:15 -0500,\"Pen, \"\"blue\"\"\",S1,\"1,200\",\"$1,234.50\",Ann,Lee,\r\n" \
        "Total,,,,\"1,200\",,,,\r\n"
    got = read_csv_orders(text.encode(), mapping, partner="p", file="f.csv")
    assert got.findings == []
    assert got.orders.select(["ship_to_name", "ship_to_name2", "ship_to_id"]).to_pylist() == [
        {"ship_to_name": "Ann Lee", "ship_to_name2": None, "ship_to_id": "NW-DC1"}]
    assert [(ln["po_number"], ln["description"], ln["quantity"], ln["unit_price"]) for ln in got.lines.to_pylist()] \
        == [("W-1", 'Pen, "blue"', Decimal(1200), Decimal("1234.5"))]


def test_a_grouped_export_with_the_po_number_on_its_first_row_only():
    """``grouped``: a report export writes the PO number (and the order's values) on the first row of each
    PO only; a row whose PO number is blank continues the PO above it. Before: each such row was
    CSV_VALUE_MISSING and the PO went on with its first line alone (a partial order)."""
    text = HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Pen\r\n,,2,3,EA,2,S2,Ink\r\n\r\n,,3,4,EA,2,S3,Cap\r\n" \
        "A2,2026-11-28,1,1,EA,1,S1,Pen\r\n,,2,x,EA,1,S2,Ink\r\n"
    got, findings = _read(text, grouped=True)
    assert findings == [("CSV_NUMBER_INVALID", 7, "Quantity", "x")] and got.rejected == ("A2",)
    assert [(o["po_number"], o["po_date"], o["line_count"]) for o in got.orders.to_pylist()] == [
        ("A1", date(2026, 11, 27), 3)]
    assert [(ln["line_id"], ln["file_segment"]) for ln in got.lines.to_pylist()] == [("1", 2), ("2", 3), ("3", 5)]
    _, findings = _read(",,1,1,EA,1,S1,x\r\n".join([HEADER, ""]), grouped=True)  # nothing above to continue
    assert [(code, row) for code, row, *_ in findings] == [("CSV_VALUE_MISSING", 2)]


def test_excel_s_text_guard_around_a_value_is_read_as_the_value():
    """="0614141100736" (a spreadsheet export keeping leading zeros: Excel shows 0614141100736): the value
    inside, in an order feed and a shipment CSV alike. Before: read with its =" and ", an unknown item,
    a PO number no one sent."""
    from parsers.shipments_csv import read_shipment_csv
    from schemas.fulfilment import ShipmentCsvMapping

    got, findings = _read('PO Number,Quantity,UPC,Unit Price\r\n="00123",="12",="0614141100736",1\r\n'
                          '"=""00123""",1,="",2\r\n')
    assert findings == []
    assert [(ln["po_number"], ln["quantity"], ln["upc"]) for ln in got.lines.to_pylist()] == [
        ("00123", Decimal(12), "0614141100736"), ("00123", Decimal(1), None)]
    table, findings = read_shipment_csv(b'Shipment ID,Ship Date,PO Number,Quantity,Carton ID\n'
                                        b'="S1",2026-11-28,="00123",2,="00106141410000000026"\n',
                                        ShipmentCsvMapping(), file="c.csv")
    assert findings == []
    assert table.select(["shipment_id", "po_number", "carton_id", "carton_sscc"]).to_pylist() == [
        {"shipment_id": "S1", "po_number": "00123", "carton_id": "00106141410000000026",
         "carton_sscc": "106141410000000026"}]


def test_a_grouped_continuation_row_of_the_wrong_width_leaves_the_po_above_out():
    """In a grouped layout a row of the wrong width with a blank PO number belongs to the PO above it: that
    PO is left out whole (no partial order), wherever the batch boundaries fall."""
    text = HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Pen\r\n,,2,3,EA,2,S2\r\nA2,2026-11-28,1,1,EA,1,S1,Pen\r\n" \
        ",,2,1,EA,1,S2,Ink\r\n"
    for batch_rows in (1, 2, 10_000):
        got = read_csv_orders(text.encode(), CsvOrderMapping(grouped=True), partner="p", file="f.csv",
                              batch_rows=batch_rows)
        assert [(f.code, f.location.row) for f in got.findings] == [("CSV_ROW_MALFORMED", 3)]
        assert got.rejected == ("A1",) and got.orders["po_number"].to_pylist() == ["A2"]


def test_a_layout_s_default_ship_to_stands_for_orders_that_name_none():
    """``default_ship_to``: the location (ship_tos.csv location_id) of a partner whose export has no ship-to
    (one store, a sales order list): orders without a ship-to id or address ship there; one naming its
    own id or address keeps it. Before: every such order was held SHIP_TO_UNKNOWN, the layout had no way
    to say where they go."""
    text = "PO Number,Quantity,Ship To,Ship To Name,Address\r\nA1,1,,,\r\nA2,1,ST-2,,\r\nA3,1,,Depot,1 Quay\r\n"
    got, findings = _read(text, default_ship_to="ST-1")
    assert findings == []
    assert [(o["po_number"], o["ship_to_id"], o["ship_to_id_qualifier"], o["ship_to_name"])
            for o in got.orders.to_pylist()] == [("A1", "ST-1", "92", None), ("A2", "ST-2", "92", None),
                                                  ("A3", None, None, "Depot")]
    got, _ = _read(text)
    assert got.orders["ship_to_id"].to_pylist() == [None, "ST-2", None]


def test_a_po_number_a_spreadsheet_rewrote_in_scientific_notation_is_refused_never_merged():
    """Excel shows a 12-digit PO number as 1.23457E+11 and saves it so: two POs (123456789012 and 123457000001)
    become one number; they used to be read as one order of both POs' lines, answered under a PO number the
    partner never sent. Each such row is CSV_VALUE_GARBLED at its column and its PO is left out; a part number
    like "2E10" (no exponent sign: Excel always writes one) stays an id."""
    got, findings = _read(HEADER + "1.23457E+11,2026-11-27,1,12,EA,1.50,S1,Pen\r\n"
                          "1.23457E+11,2026-11-27,1,3,EA,2,S2,Ink\r\n"
                          "A2,2026-11-27,1E+3,4,EA,2,2E10,Cap\r\n"
                          "A3,2026-11-27,1,4,EA,2,2E10,Cap\r\n")
    assert findings == [("CSV_VALUE_GARBLED", 2, "PO Number", "1.23457E+11"),
                        ("CSV_VALUE_GARBLED", 3, "PO Number", "1.23457E+11"),
                        ("CSV_VALUE_GARBLED", 4, "Line", "1E+3")]
    assert got.rejected == ("1.23457E+11", "A2")
    assert [(ln["po_number"], ln["vendor_part"]) for ln in got.lines.to_pylist()] == [("A3", "2E10")]
    assert "scientific notation" in got.refused[0].reason and [r.row for r in got.refused] == [2, 3, 4]


@pytest.mark.parametrize("chunk", [None, 1, 7])
def test_exports_concatenated_each_with_its_byte_order_mark_read_as_one_feed(chunk):
    """Two Excel "CSV UTF-8" exports joined into one file (``copy /b a.csv+b.csv``, ``cat``): the second
    one's byte-order mark stands inside the file, before its "sep=" line or header. Its header used to be
    read as a PO named "\\ufeffPO Number" (three findings, the PO refused) and the "sep=" line as a row."""
    one = "\ufeff" + HEADER + "A1,2026-11-27,1,12,EA,1.50,S1,Pen\r\n"
    two = "\ufeffsep=,\r\n" + HEADER + "A2,2026-11-27,1,3,EA,2,S2,Ink\r\n"
    data = (one + two + "\ufeff" + HEADER + "A3,2026-11-27,1,4,EA,2,S3,Cap\r\n").encode("utf-8")
    chunks = data if chunk is None else [data[i:i + chunk] for i in range(0, len(data), chunk)]
    got = read_csv_orders(chunks, CsvOrderMapping(), partner="p", file="f.csv")
    assert got.findings == [] and got.rejected == ()
    assert [(ln["po_number"], ln["file_segment"]) for ln in got.lines.to_pylist()] == [("A1", 2), ("A2", 5),
                                                                                        ("A3", 7)]


def test_a_quoted_field_after_a_blank_that_follows_the_separator_is_one_field():
    """Exporters that write ", " between fields (their header shows it) still quote a field holding the
    separator (`A1, "Pen, blue"`): one field. It used to be read as a literal quote and split at its comma: a
    row of the wrong width, its PO left out. A quote after a field's text is still no quoted field (a finding,
    never a guess)."""
    got, findings = _read('PO Number, PO Date, Line, Quantity, Unit, Unit Price, SKU, Description\r\n'
                          'A1, 2026-11-27, 1, 12, EA, 1.50, S1, "Pen, blue ""fine"""\r\n'
                          'A2, 2026-11-27, 1, 3, EA, 2, S2, Ink 27" wide\r\n')
    assert findings == [] and got.rejected == ()
    assert [(ln["po_number"], ln["quantity"], ln["description"]) for ln in got.lines.to_pylist()] == [
        ("A1", Decimal(12), 'Pen, blue "fine"'), ("A2", Decimal(3), 'Ink 27" wide')]
    _, findings = _read(HEADER + 'A1,2026-11-27,1,12,EA,1.50,S1,"Pen" blue\r\n')
    assert [(code, row) for code, row, *_ in findings] == [("CSV_ROW_MALFORMED", 2)]
    # a file whose header has no blanks after its separators is read as RFC 4180 says: a quote after a blank is
    # text (the value as before), after Excel's "sep=" line and title rows too
    got, findings = _read("sep=,\r\nOrders\r\n" + HEADER + 'A1,2026-11-27,1,12,EA,1.50,S1, "Best" pen\r\n',
                          title_rows=1)
    assert findings == [] and got.lines["description"].to_pylist() == ['"Best" pen']
    got, findings = _read('sep=,\r\nOrders, December\r\nPO Number, Quantity, Description\r\nA1, 2, "Pen, blue"\r\n',
                          title_rows=1)
    assert findings == [] and got.lines["description"].to_pylist() == ["Pen, blue"]


@pytest.mark.parametrize("encoding", ["latin-1", "ISO-8859-1", "l1"])
def test_a_feed_labelled_latin_1_is_read_as_the_windows_1252_windows_writes(encoding):
    """Excel's "CSV (Comma delimited)" is Windows-1252 ("ANSI"), which partners call Latin-1: its euro sign,
    curly apostrophe and dashes (0x80-0x9F) used to be read as ISO-8859-1's control characters: a price
    "12,50 €" refused, a name "O\\x92Brien" and a description "5\\x80" taken on into our documents. The bytes
    Windows-1252 leaves undefined still read (as Latin-1 does): a Latin-1 file never fails to decode."""
    text = "PO Number;Quantity;Unit Price;Description;Ship To Name\r\nA1;5;12,50 €;Men’s pen – 5€ off;O’Brien Café\r\n"
    data = text.encode("cp1252") + b"A2;1;1,00;x\x81y;M\xfcller\r\n"
    got = read_csv_orders(data, CsvOrderMapping(delimiter=";", decimal_separator=",", currency_symbol="€",
                                                encoding=encoding), partner="p", file="f.csv")
    assert got.findings == []
    assert [(ln["unit_price"], ln["description"]) for ln in got.lines.to_pylist()] == [
        (Decimal("12.5"), "Men’s pen – 5€ off"), (Decimal(1), "x\x81y")]
    assert got.orders["ship_to_name"].to_pylist() == ["O’Brien Café", "Müller"]


def test_a_header_read_as_one_column_says_which_separator_the_file_has():
    """Excel's "Unicode text" is TAB separated, whatever the partner's layout was written for: with a comma
    layout the whole header is one column and CSV_COLUMN_MISSING named every column as missing, the header
    holding them all. The finding now says the file is separated by TAB; a header that merely lacks a column
    gets no such word."""
    data = "PO Number\tQuantity\tSKU\r\nA1\t5\tS1\r\n".encode("utf-16")
    got = read_csv_orders(data, CsvOrderMapping(), partner="p", file="f.txt")
    assert [f.code for f in got.findings] == ["CSV_COLUMN_MISSING"]
    assert "the layout's separator is commas, the header is separated by TAB" in got.findings[0].message
    got = read_csv_orders(b"PO;Quantity\r\nA1;5\r\n", CsvOrderMapping(delimiter=";"), partner="p", file="f.csv")
    assert got.findings[0].message == "The header row lacks 'PO Number'."


def test_real_world_order_feed_shapes_that_read_as_sent():
    """Shapes other companies' exports write that read as they are (guards, no change): old Mac line ends
    (a lone CR), US dates without leading zeros, columns in another order with headers in other case and
    blanks, a UPC keeping its leading zeros (never a number), "$1,234.50" with the layout's symbol and
    thousands comma, a quoted description with the separator, a doubled quote and a line break, trailing
    empty columns and blank lines."""
    text = ("  sku ,QUANTITY,Unit Price,upc,Description,po number,PO DATE\r"
            'S1,"1,000","$1,234.50",00012345678905,"Pen, 12"" ""fine""\rblue",A1,1/5/2026,,,,\r'
            "S2,3,$0.50,012345678905,Ink,A1,1/5/2026\r,,,,\r\r")
    got, findings = _read(text, thousands_separator=",", currency_symbol="$", date_format="%m/%d/%Y")
    assert findings == [] and got.orders["po_date"].to_pylist() == [date(2026, 1, 5)]
    assert [(ln["vendor_part"], ln["quantity"], ln["unit_price"], ln["upc"], ln["description"], ln["file_segment"])
            for ln in got.lines.to_pylist()] == [
        ("S1", Decimal(1000), Decimal("1234.5"), "00012345678905", 'Pen, 12" "fine"\rblue', 2),
        ("S2", Decimal(3), Decimal("0.5"), "012345678905", "Ink", 3)]
