"""Small buyers without EDI, whose orders are CSV files made by people in spreadsheets and accounting packages
(tests/fixtures/rg76/: each buyer's profile, reference rows, stock, order file as its program saves it, written by
make_fixtures.py from the programs' documented export formats, and the east DC's confirmation of what shipped):
Café Lumière's order form kept in Excel on Windows and saved as "Unicode Text" (UTF-16 LE with its byte-order
mark, TAB separated; a title block above its header one row taller than the month before, the header ending in the
logo's empty merged cells, "1,200" and "24.0" quantities, its delivery dates a column of Excel serial numbers, a
blank row between its orders, a totals row and rows of tabs); Épicerie Laurentide's sheet in LibreOffice Calc in a
French (Canada) locale, "Text CSV" in Windows-1252 (semicolons, decimal commas, no-break spaces between thousands,
the dollar sign after the amount, ISO dates, guillemets and an en dash); Harbor Gift Shop's sheet in Excel for Mac
saved as "CSV (Macintosh)" (Mac Roman, lines ended by CR alone, "$1,049.00", two-digit years, a UPC in scientific
notation with all its digits); Summit Outfitters' item purchases exported from AccountEdge, MYOB's US edition
(tab-delimited text after its "{}" line, a blank line ending each purchase, dollar amounts, zero-padded purchase
numbers, its own item numbers, one location; answered with 855s); Greenleaf Market's back-office export made for
Excel (="..." text guards, numeric store and line numbers after an apostrophe, "18.50 USD", TRUE/FALSE, trailing
empty columns, a totals row); Maple Street Hardware's sheet opened in Excel and saved again (a UPC and a store's GLN
rounded into scientific notation, "$2.10", "1,200" and "(24)" in a plain layout, a date column turned into serial
numbers). One night takes them all: inspect, the CSV acknowledgments and 855s, then the 856s and 810s, checked by our
validator, Bots and pyx12. Every order the file states unambiguously is taken with the values meant; every damaged
row is refused at its row and column with what to fix, never matched to a wrong item or store.

Defects this sweep found, each fixed at its root: a header below a title block the layout's title_rows does not
count was CSV_COLUMN_MISSING, the whole file refused (parsers.csv_common._header_below: found among the rows below,
CSV_TITLE_ROWS_SKIPPED); a ship-to id (a store's GLN) rounded into scientific notation was taken and echoed in the
856's and 810's N1*ST (now CSV_VALUE_GARBLED, as a PO number so rounded); an id written after the apostrophe that
keeps a spreadsheet from reading its digits as a number ("'0042", "'001") was read with it (the store unknown, the
line id echoed with an apostrophe); a number or date refused in the layout did not say what the cell says of the
sheet's format (a currency sign, thousands, an accounting negative, an Excel serial, a two-digit year, ISO)."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from datetime import date, datetime
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from flows.cli import app
from parsers.csv_orders import read_csv_orders
from schemas.fulfilment import CsvOrderMapping
from tests.retailer_support import (
    all_sent_accepted_as_text,
    findings_and_states,
    maps,  # noqa: F401 (a fixture)
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg76"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
PARTNERS = ("greenleaf", "harbor", "laurentide", "lumiere", "maple", "summit")
# every PO taken, with its lines
POS = {"lumiere": {"LUM-7601": 2, "LUM-7602": 1}, "laurentide": {"LAU-7611": 3}, "harbor": {"HGS-7621": 3},
       "summit": {"00000761": 2, "00000762": 1}, "greenleaf": {"00417702": 2}, "maple": {"MSH-7631": 1}}
# the CSV acknowledgment's head (its default columns) and the answer of a line taken from stock
ACKED = "IA,Accepted,{q},{q},0,EA,{p},{d},filled,accepted in full from stock"


def _file(partner: str):
    return next((FIXTURES / "drops" / partner).iterdir())


def _mapping(partner: str) -> CsvOrderMapping:
    profile = tomllib.loads((FIXTURES / "partners" / f"{partner}.toml").read_text(encoding="utf-8"))
    return CsvOrderMapping(**profile["fulfilment"]["csv_orders"])


def _read(partner: str):
    path = _file(partner)
    return read_csv_orders(path.read_bytes(), _mapping(partner), partner=partner, file=path.name)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg76") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=REPO / "warehouses"), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def _acks(ws, partner: str) -> list[list[str]]:
    """The rows (header left out) of ``partner``'s CSV acknowledgments, in file order, as its layout writes them."""
    mapping = tomllib.loads((FIXTURES / "partners" / f"{partner}.toml").read_text(encoding="utf-8"))
    ack = mapping["fulfilment"].get("csv_ack", {})
    rows = []
    for path in sorted((ws.drop_root / partner / "outbox").glob("*.csv")):
        text = path.read_bytes().decode("utf-8-sig" if "encoding" not in ack else ack["encoding"])
        rows += list(csv.reader(io.StringIO(text), delimiter=ack.get("delimiter", ",")))[1:]
    return rows


# --- the files as inspect reads them: a partner's first test file ------------------------------------------------

INSPECTED = {
    "lumiere": [("CSV_TITLE_ROWS_SKIPPED", "warning", 5, None), ("CSV_TOTALS_ROW_SKIPPED", "warning", 8, None),
                ("CSV_TOTALS_ROW_SKIPPED", "warning", 11, None)],
    "laurentide": [],
    "harbor": [("CSV_SCIENTIFIC_RESTORED", "warning", 3, "UPC")],
    "summit": [],
    "greenleaf": [("CSV_TOTALS_ROW_SKIPPED", "warning", 4, None)],
    "maple": [("CSV_VALUE_GARBLED", "error", 4, "Ship To"), ("CSV_NUMBER_INVALID", "error", 5, "Unit Price"),
              ("CSV_NUMBER_INVALID", "error", 6, "Quantity"), ("CSV_NUMBER_INVALID", "error", 7, "Quantity"),
              ("CSV_DATE_INVALID", "error", 8, "PO Date"), ("CSV_VALUE_GARBLED", "error", 9, "PO Number"),
              ("CSV_VALUE_GARBLED", "error", 10, "PO Number"), ("CSV_VALUE_GARBLED", "error", 11, "Ship To")],
}


@pytest.mark.parametrize("partner", PARTNERS)
def test_inspect_reads_each_buyers_file_by_its_layout(night, partner):
    """`orderbridge inspect --partner X file` (a buyer's first file, before its first night): every PO the file
    states is listed with its lines, each warning or refusal at its row and column."""
    ws = night[0]
    res = CliRunner().invoke(app, ["inspect", "--json", "--partner", partner, "-w", str(ws.root), str(_file(partner))])
    seen = json.loads(res.stdout)
    assert res.exit_code == (1 if partner == "maple" else 0), res.output
    assert [(f["code"], f["severity"], f["location"]["row"], f["location"].get("column") or None)
            for f in seen["findings"]] == INSPECTED[partner]
    wanted = {**POS[partner], **({"MSH-7632": 1} if partner == "maple" else {})}  # its UPC is judged at decide
    assert {o["po_number"]: o["line_count"] for o in seen["orders"]} == wanted


# --- the values read ---------------------------------------------------------------------------------------------

def _lines(partner: str, *names: str) -> list[tuple]:
    got = _read(partner)
    return [tuple(r[n] for n in names) for r in got.lines.to_pylist()]


def _orders(partner: str, *names: str) -> list[tuple]:
    got = _read(partner)
    return [tuple(r[n] for n in names) for r in got.orders.to_pylist()]


def test_excel_unicode_text_with_a_title_block_serial_dates_and_a_totals_row():
    """The header found below the form's title block (row 5), the empty logo columns passed over, each blank row,
    the first order's subtotal (its PO number repeated, its quantity the sum of its rows) and the totals row no
    order; quantities "1,200" and "24.0", serial dates 46360 and 46361 as 4 and 5 December, the lines numbered in
    their PO (the form has no line column), text as typed in UTF-16."""
    assert _orders("lumiere", "po_number", "po_date", "requested_delivery_date", "ship_to_id") == [
        ("LUM-7601", date(2026, 11, 25), date(2026, 12, 4), "LUM-PA"),
        ("LUM-7602", date(2026, 11, 26), date(2026, 12, 5), "LUM-SF")]
    assert _lines("lumiere", "po_number", "line_id", "vendor_part", "quantity", "unit_price", "description") == [
        ("LUM-7601", "1", "VP-1001", Decimal(1200), Decimal("18.50"), "Copy paper A4 80g"),
        ("LUM-7601", "2", "VP-1011", Decimal(24), Decimal("1.25"), "Highlighter “yellow”"),
        ("LUM-7602", "1", "VP-1013", Decimal(12), Decimal("25.70"), "Whiteboard marker – black")]
    title = _read("lumiere").findings[0]
    assert title.message == ("The header is row 5, below where the layout puts it (row 1): rows 1-4 ('ORDER FORM', "
                             "'Café Lumière — Palo Alto & San Francisco', 'Ordered by: Zoë O’Neill (650) 555-0142'): "
                             "a title block, passed over. Where the block's height never changes, say so in the "
                             "layout (title_rows = 4).")


def test_libreoffice_french_canada_text_csv_in_windows_1252():
    """No-break spaces between thousands ("1 200", "1 249,00 $"), decimal commas, the dollar sign after the amount,
    ISO dates, guillemets, an en dash and a curly apostrophe decoded from Windows-1252, quoted text cells."""
    assert _orders("laurentide", "po_number", "po_date", "requested_delivery_date", "ship_to_id") == [
        ("LAU-7611", date(2026, 11, 25), date(2026, 12, 4), "LAU-BTV")]
    assert _lines("laurentide", "vendor_part", "quantity", "unit_price", "description") == [
        ("VP-1001", Decimal(1200), Decimal("4.85"), "Papier « copie » A4 – 80 g"),
        ("VP-1030", Decimal(10), Decimal(1249), "Cartouche d’encre TN-2420"),
        ("VP-1025", Decimal(30), Decimal("3.10"), "Cahier A5 ligné")]
    assert _read("laurentide").findings == []


def test_excel_for_mac_csv_in_mac_roman_with_cr_line_ends():
    """Mac Roman's curly apostrophe and en dash, CR line ends, "$1,049.00", two-digit years (the layout's %y), a UPC
    Excel wrote as 6.14141101993E+11 read back as its 12 digits (every one kept) with a warning."""
    assert _orders("harbor", "po_number", "po_date", "ship_to_id") == [("HGS-7621", date(2026, 11, 25), "HGS-1")]
    assert _lines("harbor", "upc", "quantity", "unit_price", "description") == [
        ("614141101856", Decimal(10), Decimal("4.20"), "Notebook A4 squared"),
        ("614141101993", Decimal(12), Decimal("11.80"), "Captain’s calculator 12-digit"),
        ("614141102136", Decimal(10), Decimal(1049), "Toner cartridge TN-2420 – carton")]


def test_accountedge_purchases_tab_text_with_a_blank_line_after_each_purchase():
    """The "{}" line before the header (title_rows = 1), a blank line ending each purchase, zero-padded purchase
    numbers kept as sent, "$19.80", the buyer's item numbers, the layout's one location for an export naming none."""
    assert _orders("summit", "po_number", "po_date", "requested_delivery_date", "ship_to_id") == [
        ("00000761", date(2026, 11, 25), date(2026, 12, 4), "SUM-BOULDER"),
        ("00000762", date(2026, 11, 26), date(2026, 12, 5), "SUM-BOULDER")]
    assert _lines("summit", "po_number", "line_id", "buyer_part", "quantity", "unit_price") == [
        ("00000761", "1", "SO-PAPER-LTR", Decimal(30), Decimal("19.80")),
        ("00000761", "2", "SO-PEN-BLK", Decimal(48), Decimal("0.95")),
        ("00000762", "1", "SO-TAPE", Decimal(12), Decimal("3.15"))]
    assert _read("summit").findings == []


def test_an_export_for_excel_with_text_guards_and_apostrophes_reads_the_values_guarded():
    """="00417702" and ="614141100101" out of Excel's text guard; the store "'0042" and the lines "'001", "'002" as
    their digits (the apostrophe kept a spreadsheet from dropping their zeros): the store found, the line ids echoed
    as the buyer knows them; "18.50 USD" its price in its currency."""
    assert _orders("greenleaf", "po_number", "ship_to_id", "currency") == [("00417702", "0042", "USD")]
    assert _lines("greenleaf", "line_id", "upc", "quantity", "unit_price") == [
        ("001", "614141100101", Decimal(40), Decimal("18.50")), ("002", "614141101641", Decimal(24), Decimal("3.15"))]


# --- the night ---------------------------------------------------------------------------------------------------

def test_every_po_stated_is_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    assert states == {**{(p, po): "invoiced" for p, pos in POS.items() for po in pos},
                      ("maple", "MSH-7632"): "rejected"}
    # nothing held but Maple's damaged rows: refused at intake, its rounded UPC at decide (GTIN_CHECK_DIGIT_INVALID
    # alone: the UPC its line's only id, no ITEM_UNKNOWN for the same number, rules.suite.told_once)
    assert sorted({(c, po) for c, sev, po, _m in found if sev == "error"}) == [
        ("CSV_DATE_INVALID", "MSH-7637"), ("CSV_NUMBER_INVALID", "MSH-7634"), ("CSV_NUMBER_INVALID", "MSH-7635"),
        ("CSV_NUMBER_INVALID", "MSH-7636"), ("CSV_VALUE_GARBLED", "#REF!"), ("CSV_VALUE_GARBLED", "MSH-7633"),
        ("CSV_VALUE_GARBLED", "MSH-7638"), ("GTIN_CHECK_DIGIT_INVALID", "MSH-7632")]
    # the warnings: Lumière's title block, subtotal and totals row, Greenleaf's totals row, Harbor's restored UPC
    assert sorted(c for c, sev, _po, _m in found if sev != "error") == [
        "CSV_SCIENTIFIC_RESTORED", "CSV_TITLE_ROWS_SKIPPED", *["CSV_TOTALS_ROW_SKIPPED"] * 3]
    assert [",".join(r) for r in _acks(ws, "lumiere")] == [
        "LUM-7601,1," + ACKED.format(q=1200, p="18.5", d="2026-11-27"),
        "LUM-7601,2," + ACKED.format(q=24, p="1.25", d="2026-11-27"),
        "LUM-7602,1," + ACKED.format(q=12, p="25.7", d="2026-11-27")]
    assert [";".join(r) for r in _acks(ws, "laurentide")] == [
        "LAU-7611;1;IA;Accepted;1200;1200;0;EA;4,85;2026-11-27;filled;accepted in full from stock",
        "LAU-7611;2;IA;Accepted;10;10;0;EA;1249;2026-11-27;filled;accepted in full from stock",
        "LAU-7611;3;IA;Accepted;30;30;0;EA;3,1;2026-11-27;filled;accepted in full from stock"]
    assert [",".join(r) for r in _acks(ws, "harbor")] == [
        "HGS-7621,1," + ACKED.format(q=10, p="4.2", d="2026-11-27"),
        "HGS-7621,2," + ACKED.format(q=12, p="11.8", d="2026-11-27"),
        "HGS-7621,3," + ACKED.format(q=10, p="1049", d="2026-11-27")]
    assert [",".join(r) for r in _acks(ws, "greenleaf")] == [
        "00417702,001," + ACKED.format(q=40, p="18.5", d="2026-11-27"),
        "00417702,002," + ACKED.format(q=24, p="3.15", d="2026-11-27")]
    # Summit is answered with 855s: BAK03 its zero-padded purchase number, each line IA as ordered by its item number
    answers = segments(ws, "summit", "855")
    for po, lines in (("00000761", [["1", "30", "EA", "19.8", "PE", "BP", "SO-PAPER-LTR"],
                                    ["2", "48", "EA", "0.95", "PE", "BP", "SO-PEN-BLK"]]),
                      ("00000762", [["1", "12", "EA", "3.15", "PE", "BP", "SO-TAPE"]])):
        doc = po_segments(answers, po, "BAK")
        assert doc[0][:5] == ["BAK", "00", "AD", po, "202611" + ("25" if po.endswith("1") else "26")]
        assert [s[1:] for s in doc if s[0] == "PO1"] == lines
        assert [s[1:3] for s in doc if s[0] == "ACK"] == [["IA", q[1]] for q in lines]


MAPLE_REFUSED = [
    ("MSH-7633", "24", "2.10", "row 4, Ship To: 'Ship To' '6.14141E+11' is a number a spreadsheet rewrote in "
     "scientific notation: its digits are lost, and the PO is refused (it is never answered under an id it was not "
     "sent with); PO MSH-7633 is left out whole"),
    ("MSH-7634", "24", "$2.10", "row 5, Unit Price: '$2.10' is not a number. It reads as 2.10 after its currency sign "
     "'$', which the layout does not name: set the layout's currency_symbol = '$' (or have the column exported as a "
     "plain number); PO MSH-7634 is left out whole"),
    ("MSH-7635", "1,200", "2.10", "row 6, Quantity: '1,200' is not a number. It reads as 1200 with ',' between "
     "thousands: set the layout's thousands_separator = ',' (or have the column exported as a plain number); PO "
     "MSH-7635 is left out whole"),
    ("MSH-7636", "(24)", "2.10", "row 7, Quantity: '(24)' is not a number. It is an accounting format's negative "
     "number, -24: an order's quantity and price are written without parentheses; PO MSH-7636 is left out whole"),
    ("MSH-7637", "24", "2.10", "row 8, PO Date: '46352' does not match '%m/%d/%Y'. It is Excel's serial number of "
     "2026-11-26 (a date column saved as a number): have the column formatted as a date, or set the layout's "
     "excel_serial_dates = true; PO MSH-7637 is left out whole"),
    *[("#REF!", q, "2.10", f"row {row}, PO Number: 'PO Number' '#REF!' is a spreadsheet's error value (the formula "
       "filling the cell failed: a lookup that found nothing, a reference deleted): the value is lost, and the PO is "
       "refused (it is never answered, nor shipped, under a value it was not sent with). Have the sheet's formula "
       "fixed and the file saved again; PO #REF! is left out whole") for row, q in ((9, "24"), (10, "48"))],
    ("MSH-7638", "24", "2.10", "row 11, Ship To: 'Ship To' '#N/A' is a spreadsheet's error value (the formula filling "
     "the cell failed: a lookup that found nothing, a reference deleted): the value is lost, and the PO is refused (it "
     "is never answered, nor shipped, under a value it was not sent with). Have the sheet's formula fixed and the file "
     "saved again; PO MSH-7638 is left out whole"),
]


def test_a_resaved_sheets_damaged_rows_are_refused_at_row_and_column_saying_what_to_fix(night):
    """Maple's sheet after Excel: the PO as meant is taken; each damaged one is answered IR in the CSV acknowledgment
    with its row, column and what to fix; the UPC rounded to 6.14141E+11 is never guessed (decide's reason says which
    digits were lost), and the store's GLN rounded so is never echoed as a ship-to; two POs whose number cells hold
    Excel's #REF! are not one order shipped to the first one's store, a store #N/A not a ship-to."""
    ws = night[0]
    rows = _acks(ws, "maple")
    assert [(r[0], r[2], r[4], r[8], r[10]) for r in rows if r[0] not in ("MSH-7631", "MSH-7632")] == [
        (po, "IR", q, p, why) for po, q, p, why in MAPLE_REFUSED]
    assert [r[:10] for r in rows if r[0] == "MSH-7631"] == [
        ["MSH-7631", "1", "IA", "Accepted", "24", "24", "0", "EA", "2.1", "2026-12-04"]]
    [upc] = [r for r in rows if r[0] == "MSH-7632"]
    assert upc[2] == "IR" and upc[10].startswith("UP '6.14141E+11' is not a valid UPC/GTIN/EAN: a spreadsheet rounded "
                                                 "the number (scientific notation): of its 12 digits only the first 6")


def test_the_856s_and_810s_name_the_ids_as_the_buyers_meant_them(night):
    """What the sheets' guards kept goes back as sent: Greenleaf's PO 00417702, lines 001/002 and store 0042 (no
    apostrophe), Summit's zero-padded purchase numbers; Harbor's item found by its restored UPC."""
    ws = night[0]
    asn = segments(ws, "greenleaf", "856")
    assert ["PRF", "00417702"] == next(s[:2] for s in asn if s[0] == "PRF")
    assert [s for s in asn if s[:2] == ["N1", "ST"]] == [["N1", "ST", "", "92", "0042"]]
    assert [s[1] for s in asn if s[0] == "LIN"] == ["001", "002"]
    invoices = segments(ws, "greenleaf", "810")
    assert next(s[4] for s in invoices if s[0] == "BIG") == "00417702"
    assert [s[1] for s in invoices if s[0] == "IT1"] == ["001", "002"]
    summit = segments(ws, "summit", "810")
    assert sorted(s[4] for s in summit if s[0] == "BIG") == ["00000761", "00000762"]
    harbor = segments(ws, "harbor", "856")
    assert [s[1:4] for s in harbor if s[0] == "SN1"] == [["", "10", "EA"], ["", "12", "EA"], ["", "10", "EA"]]


def test_the_night_s_855s_856s_and_810s_pass_our_validator_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    """8 856s, 8 810s and Summit's 2 855s. The 810s carry the descriptions as the sheets wrote them (UTF-8, what a
    partner never heard from in X12 gets: Harbor's curly apostrophe and en dash, Lumière's quotes); pyx12 takes each
    as an ASCII partner would get it."""
    all_sent_accepted_as_text(night[0], PARTNERS, tmp_path, maps, sent=18, as_read=lambda p: p.read_bytes())


def test_last_weeks_rows_exported_again_with_this_weeks_are_not_ordered_twice(tmp_path):
    """A running order sheet, last week's rows filtered out of view (a hidden row is saved to CSV all the same): its
    PO already taken comes again beside this week's. This week's is taken; last week's is not ordered again, a
    warning at intake (the first file's answers stand)."""
    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"maple": ["maple-orders.csv"]}, warehouses=REPO / "warehouses")
    run_stages(ws, NIGHT)
    (ws.drop_root / "maple" / "inbox" / "maple-orders-week49.csv").write_bytes(
        b"PO Number,PO Date,Line,Quantity,Unit Price,UPC,SKU,Ship Date,Ship To\r\n"
        b"MSH-7631,11/26/2026,1,24,2.10,,VP-1009,12/04/2026,0614141000302\r\n"
        b"MSH-7641,12/03/2026,1,48,2.10,,VP-1009,12/11/2026,0614141000302\r\n")
    run_stages(ws, datetime(2026, 12, 4, 2))
    found, states = findings_and_states(ws, lambda f: (f["stage"], f["code"], f["severity"], f["po_number"]))
    assert ("intake", "ORDER_DUPLICATE", "warning", "MSH-7631") in found
    assert {k: v for k, v in states.items() if k[1] in ("MSH-7631", "MSH-7641")} == {
        ("maple", "MSH-7631"): "acknowledged", ("maple", "MSH-7641"): "acknowledged"}
    week49 = sorted((ws.drop_root / "maple" / "outbox").glob("*.csv"))[-1]
    assert [r[:6] for r in csv.reader(io.StringIO(week49.read_bytes().decode("utf-8-sig")))][1:] == [
        ["MSH-7641", "1", "IA", "Accepted", "48", "48"]]


def test_a_po_exported_again_with_changed_rows_is_refused_naming_the_rows_and_columns_that_differ(tmp_path):
    """The buyer edits last week's PO in the sheet (24 of VP-1009 become 36, a second row added) and saves it again:
    the same PO number with other rows is no resend. It is refused as an X12 850 copy with other lines is (an
    ORDER_DUPLICATE error, the order as taken left alone), and the finding speaks of the sheet: the file's row and
    its "PO Number" column, each row that differs by its "Line" and its "Quantity" / "Unit Price" as sent and as
    taken, no BEG03 or PO101 (an X12 element the buyer never saw)."""
    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"maple": ["maple-orders.csv"]}, warehouses=REPO / "warehouses")
    run_stages(ws, NIGHT)
    (ws.drop_root / "maple" / "inbox" / "maple-orders-edited.csv").write_bytes(
        b"PO Number,PO Date,Line,Quantity,Unit Price,UPC,SKU,Ship Date,Ship To\r\n"
        b"MSH-7631,11/26/2026,1,36,2.10,,VP-1009,12/04/2026,0614141000302\r\n"
        b"MSH-7631,11/26/2026,2,12,2.10,,VP-1009,12/04/2026,0614141000302\r\n")
    run_stages(ws, datetime(2026, 12, 4, 2))
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        dup = [f for f in state.findings() if f["code"] == "ORDER_DUPLICATE" and f["po_number"] == "MSH-7631"]
        record = state.order("maple", "MSH-7631")
        lines = state.order_lines("maple", "MSH-7631")
    finally:
        state.close()
    assert len(dup) == 1 and dup[0]["severity"] == "error", dup
    f = dup[0]
    assert (f["file"], f["row_number"], f["column_name"]) == ("maple-orders-edited.csv", 2, "PO Number"), str(f)
    message = f["message"]
    assert "row 2 (Line 1): Quantity 36 EA at Unit Price 2.1, the order's Line 1: 24 EA at 2.1" in message, message
    assert "row 3 (Line 2) not on the order" in message, message
    assert not any(x12 in message for x12 in ("PO101", "BEG0", "N1*", "850", "860")), message
    assert record.state.value == "acknowledged"
    assert [(ln.line_number, ln.ordered) for ln in lines] == [(1, 24)]


def test_a_po_exported_again_with_changed_rows_replaces_the_order_for_a_buyer_set_to_resent_po_replace(tmp_path):
    """What the refusal above offers for a buyer that always changes its orders by exporting the sheet again:
    resent_po = "replace" in its profile takes such a sheet as the order's replacement (decided whole again, its CSV
    acknowledgment stating the new rows), as it does a retransmitted 850 whose lines changed."""
    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"maple": ["maple-orders.csv"]}, warehouses=REPO / "warehouses")
    profile = ws.root / "partners" / "maple.toml"
    profile.write_text(profile.read_text().replace('rule_suites = ["standard"]\n',
                                                   'rule_suites = ["standard"]\nresent_po = "replace"\n'))
    run_stages(ws, NIGHT)
    (ws.drop_root / "maple" / "inbox" / "maple-orders-edited.csv").write_bytes(
        b"PO Number,PO Date,Line,Quantity,Unit Price,UPC,SKU,Ship Date,Ship To\r\n"
        b"MSH-7631,11/26/2026,1,48,2.10,,VP-1009,12/04/2026,0614141000302\r\n")
    run_stages(ws, datetime(2026, 12, 4, 2))
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"]))
    assert ("ORDER_DUPLICATE", "MSH-7631") not in found, found
    assert states[("maple", "MSH-7631")] == "acknowledged"
    edited = sorted((ws.drop_root / "maple" / "outbox").glob("*.csv"))[-1]
    assert [r[:6] for r in csv.reader(io.StringIO(edited.read_bytes().decode("utf-8-sig")))][1:] == [
        ["MSH-7631", "1", "IA", "Accepted", "48", "48"]]


# --- the defects, each on its own --------------------------------------------------------------------------------

FORM = "PO Number,Quantity,SKU,Ship To\r\nP-1,12,VP-1010,UMB-9\r\n"


@pytest.mark.parametrize("above", [
    "ORDER FORM,,,\r\n", "ORDER FORM,,,\r\nBuyer: Zoë,,,\r\n,,,\r\n", "\r\n\r\n", ",,,\r\n" * 12,
    "Order,for,week,48\r\n"])
def test_a_header_below_a_title_block_of_any_height_is_found(above):
    """A hand-made sheet's title or logo block above its header, its height not the layout's title_rows (none here):
    the whole file used to be refused, CSV_COLUMN_MISSING ("The header row lacks 'PO Number', 'Quantity'"). The
    header is the first row below naming every column the layout needs; the rows above it a title block, said in a
    warning at the header's row; the orders read as from a file without it."""
    got = read_csv_orders((above + FORM).encode(), CsvOrderMapping(), partner="p", file="f.csv")
    header = above.count("\n") + 1
    assert [(f.code, f.severity, f.location.row) for f in got.findings] == [
        ("CSV_TITLE_ROWS_SKIPPED", "warning", header)]
    assert got.lines.select(["po_number", "quantity", "vendor_part", "file_segment"]).to_pylist() == [
        {"po_number": "P-1", "quantity": Decimal(12), "vendor_part": "VP-1010", "file_segment": header + 1}]


def test_a_title_block_counted_by_the_layout_is_passed_over_without_a_word_and_its_repeat_too():
    """title_rows counting the block: no warning (as before); a page break repeating the block and the header further
    down is passed over either way."""
    data = "ORDER FORM,,,\r\n" + FORM + "ORDER FORM,,,\r\n" + FORM.replace("P-1", "P-2")
    counted = read_csv_orders(data.encode(), CsvOrderMapping(title_rows=1), partner="p", file="f.csv")
    found = read_csv_orders(data.encode(), CsvOrderMapping(), partner="p", file="f.csv")
    assert counted.findings == []
    assert [f.code for f in found.findings] == ["CSV_TITLE_ROWS_SKIPPED"]
    for got in (counted, found):
        assert got.lines["po_number"].to_pylist() == ["P-1", "P-2"]


@pytest.mark.parametrize(("data", "missing"), [
    ("PO Number,Qty,SKU\r\nP-1,12,VP-1010\r\n", "'Quantity'"),  # a header lacking a column: never searched past
    ("ORDER FORM,,\r\nPO,Qty,SKU\r\nP-1,12,VP-1010\r\n", "'PO Number', 'Quantity'"),  # no header below either
    ("Title\r\n" * 32 + "PO Number,Quantity\r\nP-1,12\r\n", "'PO Number', 'Quantity'"),  # beyond the rows looked at
])
def test_a_header_not_found_below_stays_the_column_missing_finding(data, missing):
    got = read_csv_orders(data.encode(), CsvOrderMapping(), partner="p", file="f.csv")
    assert [(f.code, f.location.row) for f in got.findings] == [("CSV_COLUMN_MISSING", 1)]
    assert got.findings[0].message.startswith(f"The header row lacks {missing}.")
    assert got.orders.num_rows == 0


def test_a_store_gln_a_spreadsheet_rounded_into_scientific_notation_refuses_its_po():
    """Store GLNs 0614141000302 and 0614141000319 both read 6.14141E+11 once Excel has them as numbers: the order
    used to be taken, shipped to the address beside it and its 856 and 810 naming N1*ST ...*92*6.14141E+11, an id the
    buyer never had. Refused at its row and column, as a PO number so rounded; one with all its digits is read."""
    got = read_csv_orders(b"PO Number,Quantity,SKU,Ship To,Address,City,State,Postal Code\r\n"
                          b"P-1,12,VP-1010,6.14141E+11,77 Maple St,Burlington,VT,05401\r\n"
                          b"P-2,12,VP-1010,0614141000302,77 Maple St,Burlington,VT,05401\r\n",
                          CsvOrderMapping(), partner="p", file="f.csv")
    assert [(f.code, f.location.row, f.location.column, f.location.value) for f in got.findings] == [
        ("CSV_VALUE_GARBLED", 2, "Ship To", "6.14141E+11")]
    assert got.rejected == ("P-1",)
    assert got.orders.select(["po_number", "ship_to_id"]).to_pylist() == [
        {"po_number": "P-2", "ship_to_id": "0614141000302"}]


@pytest.mark.parametrize("failed", ["#REF!", "#N/A", "#VALUE!", "#NAME?", "#ERROR!", "Err:502", "#SPILL!"])
def test_a_spreadsheets_error_value_in_an_id_or_the_ship_to_refuses_its_po(failed):
    """A formula that failed (a lookup finding nothing, a reference deleted) is saved to CSV as its error value. Two
    POs whose number cells both read #REF! used to be one order of both rows (a CSV_LINE_ID_DUPLICATE and
    CSV_ORDER_INCONSISTENT warning the only trace), answered under "#REF!" and shipped to the first row's store; a
    store, line id or ship-to address #N/A was taken as sent. Each is refused at its row and column, its PO left out
    whole; an item id so is said at its row and column and read as no id (its line the rules': rejected unless
    another of its ids names the item; test_a_spreadsheets_error_value_in_an_item_id_is_said_and_never_an_id)."""
    data = (f"PO Number,Line,Quantity,SKU,Ship To,Ship To Name,City\r\n"
            f"{failed},1,12,VP-1009,0042,Store 42,Burlington\r\n"
            f"{failed},1,24,VP-1010,0043,Store 43,Burlington\r\n"
            f"P-3,{failed},24,VP-1010,0043,Store 43,Burlington\r\n"
            f"P-4,1,24,VP-1010,{failed},Store 43,Burlington\r\n"
            f"P-5,1,24,VP-1010,0043,Store 43,{failed}\r\n"
            f"P-6,1,24,{failed},0043,Store 43,Burlington\r\n"
            f"P-7,1,24,VP-1010,0043,#N/A Foods,Burlington\r\n").encode()
    got = read_csv_orders(data, CsvOrderMapping(), partner="p", file="f.csv")
    assert [(f.code, f.location.row, f.location.column, f.location.value) for f in got.findings] == [
        ("CSV_VALUE_GARBLED", 2, "PO Number", failed), ("CSV_VALUE_GARBLED", 3, "PO Number", failed),
        ("CSV_VALUE_GARBLED", 4, "Line", failed), ("CSV_VALUE_GARBLED", 5, "Ship To", failed),
        ("CSV_VALUE_GARBLED", 6, "City", failed), ("CSV_VALUE_GARBLED", 7, "SKU", failed)]
    assert got.rejected == tuple(sorted((failed, "P-3", "P-4", "P-5")))
    assert got.lines.select(["po_number", "vendor_part"]).to_pylist() == [
        {"po_number": "P-6", "vendor_part": None}, {"po_number": "P-7", "vendor_part": "VP-1010"}]


@pytest.mark.parametrize("failed", ["#N/A", "#REF!", "Err:502"])
def test_a_spreadsheets_error_value_in_an_item_id_is_said_and_never_an_id(failed):
    """A lookup formula filling the UPC or SKU column that found nothing (#N/A) is saved as its error value: it used
    to be read as the item id, the line rejected ITEM_UNKNOWN "No item matches VN #N/A" with nothing saying the
    formula failed, and a line another id named echoed "#N/A" in its 856 and 810. It is said at its row and column,
    with what to fix, and read as no id: the line goes to the rules with the ids it has (a UPC beside a failed SKU
    still names the item; none left is ITEM_ID_MISSING), the PO not refused for it."""
    data = (f"PO Number,Line,Quantity,UPC,SKU\r\nP-1,1,12,,{failed}\r\nP-1,2,12,{failed},VP-1010\r\n"
            f"P-1,3,12,614141100668,{failed}\r\n").encode()
    got = read_csv_orders(data, CsvOrderMapping(), partner="p", file="f.csv")
    assert [(f.code, f.severity, f.location.row, f.location.column, f.location.value) for f in got.findings] == [
        ("CSV_VALUE_GARBLED", "warning", 2, "SKU", failed), ("CSV_VALUE_GARBLED", "warning", 3, "UPC", failed),
        ("CSV_VALUE_GARBLED", "warning", 4, "SKU", failed)]
    said = got.findings[0].message
    assert "formula" in said and "no id" in said and "fixed and the file saved again" in said, said
    assert got.rejected == ()
    assert got.lines.select(["line_id", "upc", "vendor_part"]).to_pylist() == [
        {"line_id": "1", "upc": None, "vendor_part": None}, {"line_id": "2", "upc": None, "vendor_part": "VP-1010"},
        {"line_id": "3", "upc": "614141100668", "vendor_part": None}]


@pytest.mark.parametrize("zero", ["$ -", " $ -   ", "$-", "-", " -   ", "- $", "\u00a0$\u00a0-\u00a0"])
def test_excels_accounting_zero_reads_as_zero_in_a_price_and_is_refused_with_the_hint_in_a_quantity(zero):
    """Excel's accounting format shows a zero as a dash after the currency sign ("$ -"), saved so to CSV: a price of
    0 (a free line) used to be refused as no number, with no hint, its PO lost; it reads as 0 (the rules judge it as
    any price). A quantity is never zero: the dash there is refused as before, now saying it is the accounting
    format's zero and what to fix."""
    data = (f'PO Number,Quantity,Unit Price,SKU\r\nP-1,12,"{zero}",VP-1010\r\nP-2,"{zero}",2.10,VP-1010\r\n'
            ).encode()
    got = read_csv_orders(data, CsvOrderMapping(), partner="p", file="f.csv")
    assert [(f.code, f.location.row, f.location.column) for f in got.findings] == [
        ("CSV_NUMBER_INVALID", 3, "Quantity")]
    said = got.findings[0].message
    assert "accounting format" in said and "zero" in said and "quantity" in said, said
    assert got.rejected == ("P-2",)
    assert got.lines.select(["po_number", "quantity", "unit_price"]).to_pylist() == [
        {"po_number": "P-1", "quantity": Decimal(12), "unit_price": Decimal(0)}]


def test_a_dash_with_digits_or_two_dashes_is_no_accounting_zero():
    """Only a lone dash (with blanks and the currency sign) is the format's zero: "--", "-2.10" (a negative price,
    the rules'), "$ - 5" stay as before."""
    data = b'PO Number,Quantity,Unit Price,SKU\r\nP-1,12,--,VP-1010\r\nP-2,12,$ - 5,VP-1010\r\n'
    got = read_csv_orders(data, CsvOrderMapping(), partner="p", file="f.csv")
    assert [(f.code, f.location.row) for f in got.findings] == [("CSV_NUMBER_INVALID", 2), ("CSV_NUMBER_INVALID", 3)]
    assert not any("accounting format" in f.message for f in got.findings)
    assert got.rejected == ("P-1", "P-2")


@pytest.mark.parametrize(("sent", "said"), [("1-Mar", "1 March"), ("3/1/2026", "3/1/2026"), ("01-Mar-26", "1 March"),
                                            ("Mar-26", "March"), ("2026-03-01", "2026-03-01")])
def test_an_item_id_a_spreadsheet_turned_into_a_date_is_named_so_by_the_unknown_item(sent, said):
    """An item 3-1 (or MAR1) typed in a sheet that reads it as a date is saved as "1-Mar" (or "3/1/2026"): the line
    was rejected ITEM_UNKNOWN naming VN 1-Mar with no word of what happened. The ids tried now say it is a date a
    spreadsheet made of an id, and what to fix; the item is never guessed from it. A part number that only has a
    dash ("3-1", "MAR-1X") is named as before."""
    from rules.business.items import ids_tried

    text = ids_tried([{"qualifier": "VN", "id": sent}], "maple")
    assert text.startswith(f"VN {sent} (") and said in text and "spreadsheet" in text and "as text" in text, text
    for plain in ("3-1", "MAR-1X", "13-Mar-X", "1-Marx", "32/1/2026"):
        assert "spreadsheet" not in ids_tried([{"qualifier": "VN", "id": plain}], "maple"), plain


def test_a_night_s_item_ids_a_sheet_damaged_are_said_at_their_rows_with_what_to_fix(tmp_path):
    """Maple's sheet: a SKU column filled by a lookup that failed (#N/A) and an item 3-1 Excel made "1-Mar". Each line
    is rejected (its CSV acknowledgment row IR) as before, the PO's other line taken; the findings now say, at the
    row and the SKU column, that the formula failed (CSV_VALUE_GARBLED, a warning: the line's ITEM_ID_MISSING) and that
    "1-Mar" is a date a spreadsheet made of an id (in ITEM_UNKNOWN), each with what to fix."""
    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {}, warehouses=REPO / "warehouses")
    (ws.drop_root / "maple" / "inbox" / "maple-damaged.csv").write_bytes(
        b"PO Number,PO Date,Line,Quantity,Unit Price,UPC,SKU,Ship Date,Ship To\r\n"
        b"MSH-7651,11/26/2026,1,24,2.10,,VP-1009,12/04/2026,0614141000302\r\n"
        b"MSH-7651,11/26/2026,2,24,2.10,,#N/A,12/04/2026,0614141000302\r\n"
        b"MSH-7651,11/26/2026,3,24,2.10,,1-Mar,12/04/2026,0614141000302\r\n")
    run_stages(ws, NIGHT)
    found, _states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["row_number"], f["column_name"],
                                                        f["message"]))
    garbled = [f for f in found if f[0] == "CSV_VALUE_GARBLED"]
    assert [f[:4] for f in garbled] == [("CSV_VALUE_GARBLED", "warning", 3, "SKU")], found
    assert "formula" in garbled[0][4]
    missing = [f for f in found if f[0] == "ITEM_ID_MISSING"]
    assert [f[2] for f in missing] == [3], found
    unknown = [f for f in found if f[0] == "ITEM_UNKNOWN"]
    assert [f[2:4] for f in unknown] == [(4, "SKU")], found
    assert "1-Mar" in unknown[0][4] and "date" in unknown[0][4] and "as text" in unknown[0][4], unknown
    ack = sorted((ws.drop_root / "maple" / "outbox").glob("*.csv"))[-1]
    rows = [r[:3] for r in csv.reader(io.StringIO(ack.read_bytes().decode("utf-8-sig")))][1:]
    assert rows == [["MSH-7651", "1", "IA"], ["MSH-7651", "2", "IR"], ["MSH-7651", "3", "IR"]], rows


def test_a_subtotal_under_each_order_naming_its_po_is_no_line_of_it():
    """A hand-made sheet's "Subtotal" row under each order, its PO number repeated: it used to be a line of the PO
    (no item: rejected at decide, answered IR beside the order's lines) or, its quantity left blank, a row missing
    its quantity that refused the whole PO (CSV_VALUE_MISSING: the order lost). Passed over with a warning when it is
    one: a totals label, no line id nor item, its numbers blank or the sums of its PO's rows; else it stays a row."""
    got = read_csv_orders(b"PO Number,Quantity,SKU,Description,Amount\r\n"
                          b"P-1,12,VP-1009,Clips,25.20\r\nP-1,6,VP-1010,Notes,157.50\r\nP-1,18,,Subtotal,182.70\r\n"
                          b"P-2,5,VP-1010,Notes,131.25\r\nP-2,,,Subtotal:,\r\n"
                          b"P-3,5,,Total,\r\nP-3,7,VP-1010,Notes,1\r\nP-3,9,,Subtotal,\r\nP-3,12,VP-1,Subtotal,\r\n"
                          b"P-3,12,,Subtotal,Store 9\r\n", CsvOrderMapping(), partner="p", file="f.csv")
    assert [(f.code, f.location.row) for f in got.findings] == [("CSV_TOTALS_ROW_SKIPPED", 4),
                                                                ("CSV_TOTALS_ROW_SKIPPED", 6)]
    assert "labelled 'Subtotal', PO P-1's subtotal" in got.findings[0].message
    # P-3's "Total" on its first row (no row of it above), a subtotal that is not its rows' sum, one naming an item and
    # one holding another text stay its lines (the rules judge them)
    assert got.lines.select(["po_number", "vendor_part", "quantity"]).to_pylist() == [
        {"po_number": "P-1", "vendor_part": "VP-1009", "quantity": Decimal(12)},
        {"po_number": "P-1", "vendor_part": "VP-1010", "quantity": Decimal(6)},
        {"po_number": "P-2", "vendor_part": "VP-1010", "quantity": Decimal(5)},
        {"po_number": "P-3", "vendor_part": None, "quantity": Decimal(5)},
        {"po_number": "P-3", "vendor_part": "VP-1010", "quantity": Decimal(7)},
        {"po_number": "P-3", "vendor_part": None, "quantity": Decimal(9)},
        {"po_number": "P-3", "vendor_part": "VP-1", "quantity": Decimal(12)},
        {"po_number": "P-3", "vendor_part": None, "quantity": Decimal(12)}]


def test_a_header_below_a_title_block_writing_blanks_after_its_separators_reads_its_quoted_cells():
    """A header found below a title block writing ", " between its fields: its rows are read as such a file's whose
    header is where the layout puts it (a quoted cell after the blank is one field), not as the title line was."""
    body = b'PO Number, Quantity, SKU, Description\r\nP-1, 12, VP-1009, "Clips, 28mm"\r\n'
    for data in (body, b"Order form,,,\r\n" + body):
        got = read_csv_orders(data, CsvOrderMapping(), partner="p", file="f.csv")
        assert [f.code for f in got.findings] == (["CSV_TITLE_ROWS_SKIPPED"] if data != body else [])
        assert got.lines.select(["quantity", "vendor_part", "description"]).to_pylist() == [
            {"quantity": Decimal(12), "vendor_part": "VP-1009", "description": "Clips, 28mm"}]


def test_a_po_number_cell_merged_over_its_rows_says_how_to_read_them():
    """A hand-made sheet merges the PO number's cell over its order's rows; saved as CSV the number stands in the first
    row only. In a layout that is not grouped each later row is refused at its row and column (never guessed into the
    PO above: rows of a PO need not be adjacent), its finding saying which PO it may continue and the setting that
    reads it so; with grouped = true the order is read whole."""
    data = b"PO Number,Quantity,SKU\r\nP-1,12,VP-1009\r\n,6,VP-1010\r\n,,\r\nP-2,1,VP-1013\r\n"
    got = read_csv_orders(data, CsvOrderMapping(), partner="p", file="f.csv")
    assert [(f.code, f.location.row, f.location.column, f.message) for f in got.findings] == [
        ("CSV_VALUE_MISSING", 3, "PO Number", "Row 3 has no 'PO Number'. If it continues PO P-1 above (a PO number "
         "cell merged over its order's rows is saved in the first row only), set the layout's grouped = true.")]
    grouped = read_csv_orders(data, CsvOrderMapping(grouped=True), partner="p", file="f.csv")
    assert grouped.findings == []
    assert grouped.lines.select(["po_number", "vendor_part", "quantity"]).to_pylist() == [
        {"po_number": "P-1", "vendor_part": "VP-1009", "quantity": Decimal(12)},
        {"po_number": "P-1", "vendor_part": "VP-1010", "quantity": Decimal(6)},
        {"po_number": "P-2", "vendor_part": "VP-1013", "quantity": Decimal(1)}]
    first = read_csv_orders(b"PO Number,Quantity,SKU\r\n,6,VP-1010\r\n", CsvOrderMapping(), partner="p", file="f.csv")
    assert first.findings[0].message == "Row 2 has no 'PO Number'."  # no PO above: nothing to say of one


def test_numeric_ids_after_the_apostrophe_that_keeps_their_zeros_read_as_their_digits():
    """"'00123": an exporter's guard so a spreadsheet keeps the digits as text; the PO, line, store, release and item
    numbers are the digits (rows of one PO told apart by them). An apostrophe before a text that is no number is the
    id as sent (no exporter guards it)."""
    got = read_csv_orders(b"PO Number,Line,Quantity,SKU,Buyer Item,Ship To,Release\r\n"
                          b"'00123,'001,12,'0614141,'77001,'0042,'07\r\n"
                          b"00123,'002,12,'VP-1010,,0042,07\r\n", CsvOrderMapping(), partner="p", file="f.csv")
    assert got.findings == []
    assert got.orders.select(["po_number", "ship_to_id", "release_number", "line_count"]).to_pylist() == [
        {"po_number": "00123", "ship_to_id": "0042", "release_number": "07", "line_count": 2}]
    assert got.lines.select(["line_id", "vendor_part", "buyer_part"]).to_pylist() == [
        {"line_id": "001", "vendor_part": "0614141", "buyer_part": "77001"},
        {"line_id": "002", "vendor_part": "'VP-1010", "buyer_part": None}]


def _one_row(cell: str, column: str, layout: dict):
    """A one-row order file in ``layout`` whose ``column`` holds ``cell`` (quoted where it holds the separator)."""
    sep = layout.get("delimiter", ",")
    head = sep.join(["PO Number", "PO Date", "Quantity", "Unit Price", "SKU"])
    values = {"PO Number": "P-1", "PO Date": "", "Quantity": "12", "Unit Price": "2.10", "SKU": "VP-1010", column: cell}
    row = sep.join(f'"{v}"' if sep in v else v for v in values.values())
    return read_csv_orders(f"{head}\r\n{row}\r\n".encode(), CsvOrderMapping(**layout), partner="p", file="f.csv")


@pytest.mark.parametrize(("cell", "column", "layout", "hint"), [
    ("$2.10", "Unit Price", {}, "It reads as 2.10 after its currency sign '$', which the layout does not name: set "
     "the layout's currency_symbol = '$'"),
    ("2,10 €", "Unit Price", {"delimiter": ";"}, "It reads as 2.10 after its currency sign '€', which the layout does "
     "not name and with ',' before its decimals: set the layout's currency_symbol = '€', decimal_separator = ','"),
    ("1,5", "Quantity", {}, "It reads as 1.5 with ',' before its decimals: set the layout's decimal_separator = ','"),
    ("1,200", "Quantity", {}, "It reads as 1200 with ',' between thousands: set the layout's thousands_separator = "
     "','"),
    ("1 200", "Quantity", {}, "It reads as 1200 with ' ' between thousands"),
    ("1'200.50", "Unit Price", {}, "It reads as 1200.50 with \"'\" between thousands"),
    ("(24)", "Quantity", {}, "It is an accounting format's negative number, -24"),
    ("($2.10)", "Unit Price", {"currency_symbol": "$"}, "It is an accounting format's negative number, -2.10"),
    ("46352", "PO Date", {"date_format": "%m/%d/%Y"}, "It is Excel's serial number of 2026-11-26 (a date column "
     "saved as a number): have the column formatted as a date, or set the layout's excel_serial_dates = true."),
    ("2026-11-26", "PO Date", {"date_format": "%d.%m.%Y"}, "It is 2026-11-26 written YYYY-MM-DD: set the layout's "
     "date_format = \"%Y-%m-%d\""),
    ("26/11/2026", "PO Date", {"date_format": "%m/%d/%Y"}, "It reads as 2026-11-26 written day first (%d/%m/%Y): "
     "the sheet writes its dates in another order than the layout's, and any of them whose day is 12 or less reads "
     "either way; set the layout's date_format = '%d/%m/%Y'"),
    ("11.26.2026", "PO Date", {"date_format": "%d.%m.%Y"}, "It reads as 2026-11-26 written month first (%m.%d.%Y)"),
    ("#DIV/0!", "Unit Price", {}, "It is a spreadsheet's error value: the formula filling the cell failed"),
    ("#VALUE!", "PO Date", {}, "It is a spreadsheet's error value"),
    ("Err:502", "Quantity", {}, "It is a spreadsheet's error value"),
    ("11/26/26", "PO Date", {"date_format": "%m/%d/%Y"}, "Its year has two digits (2026-11-26): set the layout's "
     "date_format = '%m/%d/%y'"),
])
def test_a_number_or_date_refused_says_what_the_cell_says_of_the_sheets_format(cell, column, layout, hint):
    """The refusal at its row and column (the PO left out: a price or quantity is never guessed) says what to fix:
    the cell's format read another way, and the layout setting that reads it so."""
    got = _one_row(cell, column, layout)
    [f] = got.findings
    assert (f.code, f.location.row, f.location.column, f.location.value) == (
        "CSV_DATE_INVALID" if column == "PO Date" else "CSV_NUMBER_INVALID", 2, column, cell)
    assert hint in f.message and got.rejected == ("P-1",)


@pytest.mark.parametrize(("cell", "column", "layout"), [
    ("12 Stk", "Quantity", {}), ("1.234.5", "Unit Price", {"delimiter": ";", "decimal_separator": ",",
                                                          "thousands_separator": "."}),
    ("$2.10", "Unit Price", {"currency_symbol": "€"}), ("31.02.2026", "PO Date", {"date_format": "%d.%m.%Y"}),
    ("4635", "PO Date", {}), ("1.2E+03", "Quantity", {}),
])
def test_a_cell_that_reads_no_other_way_says_only_that_it_is_none(cell, column, layout):
    """No hint where none is true: a word, a number grouped wrongly, another currency's sign than the layout's (never
    read in it), a date that never was, a number too short to be a serial date."""
    [f] = _one_row(cell, column, layout).findings
    fmt = CsvOrderMapping(**layout).date_format
    assert f.message in (f"{cell!r} is not a number.", f"{cell!r} does not match {fmt!r}.")
    assert f.location.row == 2 and f.location.column == column
