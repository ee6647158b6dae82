"""CSV order feeds and shipment confirmations in the shapes export tools write them (tests/fixtures/csv2/): a
portal's one-row-per-order export with its items side by side, an ERP report with page breaks and subtotal rows,
an ERP flat file of order (H) and line (D) records, an Excel "CSV" in Windows-1252 read under a UTF-8 layout, a
3PL's confirmation with a title line, a page break, ISO date-times and a totals row. Each runs for a night under
the layout that describes it: every valid order taken with the values meant, every item of it a line, what cannot
be read a finding at its row and column, never an item or an order dropped unseen."""

from __future__ import annotations

import shutil
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from parsers.csv_orders import read_csv_orders
from parsers.shipments_csv import read_shipment_csv
from parsers.x12_reader import read_interchanges
from schemas.fulfilment import CsvOrderMapping, ShipmentCsvMapping
from tests.support import REPO, deliver_all, make_workspace, run_stages, ship_stages
from tests.test_csv_order_shapes_run import DAY1, NIGHT1, ack_rows
from tests.test_csv_sweep_run import UMBRELLA

FIXTURES = Path(__file__).parent / "fixtures" / "csv2"

WIDE = """delimiter = ","
date_format = "%d-%b-%Y"
currency_symbol = "$"
po_number = "Order #"
po_date = "Order Date"
requested_ship_date = "Ship By"
ship_to_id = "Store"
vendor_part = "Item {n} SKU"
description = "Item {n} Description"
quantity = "Qty {n}"
unit_price = "Price {n}"
"""
REPORT = """delimiter = ","
date_format = "%B %d, %Y"
thousands_separator = ","
title_rows = 3
total_labels = ["Total *", "Grand Total"]
default_ship_to = "UMB-9"
"""
RECORDS = """delimiter = "|"
date_format = "%Y-%m-%d"
record_type = "Rec"
order_records = ["H"]
"""
ANSI = """delimiter = ","
date_format = "%Y-%m-%d"
default_ship_to = "UMB-9"
"""


def run_fixture(root: Path, name: str, layout: str, data: bytes | None = None):
    """Umbrella's workspace with fixture ``name`` (or ``data`` so named) as its only drop and ``layout`` as its
    CSV order layout, run for a night: (workspace, the intake findings as (code, row, column, PO), the
    acknowledgment's rows)."""
    ws = make_workspace(root, partners=("umbrella",))
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    text = UMBRELLA.read_text()
    head = "[fulfilment.csv_orders]\n"
    start = text.index(head) + len(head)
    (ws.partners_dir / "umbrella.toml").write_text(text[:start] + layout + text[text.index("\n\n", start):])
    inbox = ws.drop_root / "umbrella" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    (inbox / name).write_bytes((FIXTURES / name).read_bytes() if data is None else data)
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
    # before: with quantity = "Qty 1" the second item of UMB-8101 was never read (no finding), and "Qty {n}" was
    # no column at all
    "wide_items_portal.csv": (WIDE, [], [
        "UMB-8101;1;IA;Accepted;20;20;0;EA;26,25;04.12.2026;filled",
        "UMB-8101;2;IB;Backordered;10;0;10;EA;32,34;15.12.2026;backordered",
        "UMB-8102;1;IA;Accepted;12;12;0;EA;25,7;04.12.2026;filled"]),
    # before: each page's title lines were malformed rows answered as refused POs ("Umbrella Stores - Open
    # Purchase Orders"), and each subtotal row an order of its own ("Total UMB-8201", no item)
    "erp_report_pages.csv": (REPORT, [], [
        'UMB-8201;1;IQ;Quantity changed;1000;900;0;EA;26,25;04.12.2026;"partial; no_receipt"',
        "UMB-8201;2;IB;Backordered;10;0;10;EA;32,34;15.12.2026;backordered",
        "UMB-8202;1;IA;Accepted;12;12;0;EA;25,7;04.12.2026;filled"]),
    # before: the H row was a line without a quantity, and the whole PO was refused
    "erp_record_types.txt": (RECORDS, [], [
        "UMB-8301;1;IA;Accepted;20;20;0;EA;26,25;27.11.2026;filled",
        "UMB-8301;2;IB;Backordered;10;0;10;EA;32,34;15.12.2026;backordered"]),
    # a Windows-1252 file under a UTF-8 layout: read as Windows-1252, a warning saying so (csvreal; before: refused
    # whole, CSV_NOT_DECODABLE saying what to set)
    "excel_ansi_as_utf8.csv": (ANSI, [("CSV_NOT_UTF8", None, None, "")], [
        "UMB-8401;1;IA;Accepted;20;20;0;EA;26,25;04.12.2026;filled"]),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_export_runs_a_night_with_every_item_taken_or_refused_at_its_row_and_column(tmp_path, name):
    layout, intake, ack = EXPECTED[name]
    ws, found, lines = run_fixture(tmp_path / "ws", name, layout)
    assert found == intake
    assert lines == ack
    state = StateStore(ws.state_path)
    held = [(f["stage"], f["code"]) for f in state.findings() if f["stage"] != "intake" and f["severity"] == "error"]
    hint = [f["message"] for f in state.findings() if f["code"] == "CSV_NOT_DECODABLE"]
    state.close()
    assert held == []
    assert all('encoding = "cp1252"' in m for m in hint)


def _read(data: bytes, **layout):
    return read_csv_orders(data, CsvOrderMapping(**layout), partner="p", file="f.csv")


def test_a_wide_export_reads_each_item_of_a_row_as_a_line_of_its_order():
    got = _read((FIXTURES / "wide_items_portal.csv").read_bytes(), **tomllib.loads(WIDE))
    assert got.findings == []
    assert got.orders.select(["po_number", "po_date", "requested_ship_date", "ship_to_id"]).to_pylist() == [
        {"po_number": "UMB-8101", "po_date": date(2026, 11, 26), "requested_ship_date": date(2026, 12, 4),
         "ship_to_id": "UMB-9"},
        {"po_number": "UMB-8102", "po_date": date(2026, 11, 26), "requested_ship_date": date(2026, 12, 4),
         "ship_to_id": "UMB-9"}]
    assert got.lines.select(["po_number", "line_id", "vendor_part", "description", "quantity", "unit_price",
                             "file_segment"]).to_pylist() == [
        {"po_number": "UMB-8101", "line_id": "1", "vendor_part": "VP-1010", "description": "Sticky notes",
         "quantity": Decimal(20), "unit_price": Decimal("26.25"), "file_segment": 2},
        {"po_number": "UMB-8101", "line_id": "2", "vendor_part": "VP-1005", "description": "Gel pen red",
         "quantity": Decimal(10), "unit_price": Decimal("32.34"), "file_segment": 2},
        {"po_number": "UMB-8102", "line_id": "1", "vendor_part": "VP-1013", "description": "Whiteboard marker",
         "quantity": Decimal(12), "unit_price": Decimal("25.70"), "file_segment": 3}]


def test_inspect_reads_a_wide_export_by_its_layout_every_item_a_line(tmp_path):
    """`orderbridge inspect --partner` on a customer's first wide export: both items of UMB-8101 listed."""
    ws = make_workspace(tmp_path / "ws", partners=("umbrella",))
    text = UMBRELLA.read_text()
    head = "[fulfilment.csv_orders]\n"
    start = text.index(head) + len(head)
    (ws.partners_dir / "umbrella.toml").write_text(text[:start] + WIDE + text[text.index("\n\n", start):])
    res = CliRunner().invoke(app, ["inspect", "--partner", "umbrella", "-w", str(ws.root),
                                   str(FIXTURES / "wide_items_portal.csv")])
    assert res.exit_code == 0
    assert "PO UMB-8101: 2 line(s), dated 2026-11-26" in res.stdout
    assert "PO UMB-8102: 1 line(s), dated 2026-11-26" in res.stdout


def test_a_rule_s_finding_on_a_wide_row_names_the_column_of_its_own_item(tmp_path):
    """Two items on one row, the first sent by UPC (a wrong check digit), the second by SKU: the finding on the
    first names the UPC column (the row's ids were taken as the last item's: the SKU column was named). One finding:
    the UPC the line's only id, ITEM_UNKNOWN would say the same number again (rules.suite.told_once)."""
    data = (b"Order #,Order Date,Store,UPC 1,Item 1 SKU,Qty 1,Price 1,UPC 2,Item 2 SKU,Qty 2,Price 2\r\n"
            b"UMB-8601,26-Nov-2026,UMB-9,614141100730,,5,$26.25,,VP-1005,2,$32.34\r\n")
    ws, found, lines = run_fixture(tmp_path / "ws", "wide.csv", WIDE + 'upc = "UPC {n}"\n', data)
    state = StateStore(ws.state_path)
    held = [(f["code"], f["row_number"], f["column_name"]) for f in state.findings() if f["severity"] == "error"]
    state.close()
    assert found == [] and held == [("GTIN_CHECK_DIGIT_INVALID", 2, "UPC {n}")]
    assert lines[0].startswith("UMB-8601;1;IR;Rejected;5;0;0;EA;26,25;;") and len(lines) == 2


def test_a_layout_reading_one_item_of_a_wide_export_is_refused_at_the_header_not_read_in_part():
    """quantity = "Qty 1" on a file that also has "Qty 2": the second item would be lost without a word."""
    got = _read(b"PO Number,SKU 1,Qty 1,SKU 2,Qty 2\r\nP1,S1,2,S2,3\r\n", vendor_part="SKU 1", quantity="Qty 1")
    assert [(f.code, f.location.row, f.location.column) for f in got.findings] == [
        ("CSV_COLUMN_AMBIGUOUS", 1, "Qty 2")]
    assert "quantity = 'Qty {n}'" in got.findings[0].message
    assert got.orders.num_rows == 0 and got.lines.num_rows == 0


def test_a_wide_item_that_cannot_be_read_is_a_finding_at_its_own_column_and_refuses_its_order():
    got = _read(b"PO Number,SKU_1,Qty_1,SKU_2,Qty_2,Line_1,Line_2\r\nP1,S1,2,S2,3 pcs,10,20\r\nP2,S3,1,,,,\r\n"
                b"P3,,,,,,\r\n", vendor_part="SKU_{n}", quantity="Qty_{n}", line_id="Line_{n}")
    assert [(f.code, f.location.row, f.location.column) for f in got.findings] == [
        ("CSV_NUMBER_INVALID", 2, "Qty_2"), ("CSV_VALUE_MISSING", 4, "Qty_1")]
    assert got.orders["po_number"].to_pylist() == ["P2"]
    assert [(r.row, r.po_number, r.sku, r.quantity) for r in got.refused] == [
        (2, "P1", "S2", "3 pcs"), (2, "P1", "S1", Decimal(2)), (4, "P3", "", "")]


def test_a_numbered_item_without_its_quantity_column_is_refused_at_the_header():
    got = _read(b"PO Number,SKU 1,Qty 1,SKU 2\r\nP1,S1,2,S2\r\n", vendor_part="SKU {n}", quantity="Qty {n}")
    assert [(f.code, f.location.column) for f in got.findings] == [("CSV_COLUMN_MISSING", "Qty 2")]
    assert got.orders.num_rows == 0


@pytest.mark.parametrize(("layout", "says"), [
    ({"po_number": "PO {n}"}, "only an item's columns"), ({"vendor_part": "SKU {n}"}, "quantity numbered"),
    ({"record_type": "Rec"}, "go together"), ({"total_labels": ["*"]}, "blank")])
def test_a_layout_that_cannot_be_meant_is_refused(layout, says):
    with pytest.raises(ValidationError, match=says):
        CsvOrderMapping(**layout)


def test_a_report_s_page_breaks_and_subtotal_rows_are_passed_over():
    got = _read((FIXTURES / "erp_report_pages.csv").read_bytes(), **tomllib.loads(REPORT))
    assert got.findings == [] and got.refused == []
    assert got.orders["po_number"].to_pylist() == ["UMB-8201", "UMB-8202"]
    assert got.lines["quantity"].to_pylist() == [Decimal(1000), Decimal(10), Decimal(12)]


def test_order_and_line_records_under_one_header_read_as_one_order_and_an_order_record_alone_is_refused():
    got = _read(b"Rec|PO Number|PO Date|Ship To|SKU|Quantity\nH|P1|2026-11-26|S9||\nd|P1|||A|2\nD|P1|||B|3\n"
                b"H|P2|2026-11-26|S9||\nH|P3|2026-11-26|S9||\nD|P3|||C|1\n", delimiter="|", record_type="Rec",
                order_records=["h"])
    assert [(f.code, f.location.row, f.location.column, f.message) for f in got.findings] == [
        ("CSV_VALUE_MISSING", 5, "Rec", "PO P2 has an order row ('H') and no line row.")]
    assert got.orders.select(["po_number", "po_date", "ship_to_id", "line_count"]).to_pylist() == [
        {"po_number": "P1", "po_date": date(2026, 11, 26), "ship_to_id": "S9", "line_count": 2},
        {"po_number": "P3", "po_date": date(2026, 11, 26), "ship_to_id": "S9", "line_count": 1}]
    assert got.lines.select(["po_number", "line_id", "vendor_part"]).to_pylist() == [
        {"po_number": "P1", "line_id": "1", "vendor_part": "A"},
        {"po_number": "P1", "line_id": "2", "vendor_part": "B"},
        {"po_number": "P3", "line_id": "1", "vendor_part": "C"}]
    assert [(r.row, r.po_number) for r in got.refused] == [(5, "P2")]


def test_line_records_without_a_po_number_belong_to_the_order_record_above_in_a_grouped_layout():
    """An H row naming the PO, its D rows not (grouped), a trailer row T passed over as a totals label."""
    got = _read(b"Rec|PO Number|PO Date|SKU|Quantity\nH|P1|2026-11-26||\nD|||A|2\nD|||B|3\nH|P2|2026-11-27||\n"
                b"D|||C|1\nT||||6\n", delimiter="|", record_type="Rec", order_records=["H"], grouped=True,
                total_labels=["T"])
    assert got.findings == []
    assert got.orders.select(["po_number", "po_date", "line_count"]).to_pylist() == [
        {"po_number": "P1", "po_date": date(2026, 11, 26), "line_count": 2},
        {"po_number": "P2", "po_date": date(2026, 11, 27), "line_count": 1}]
    assert got.lines["vendor_part"].to_pylist() == ["A", "B", "C"]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_utf8_text_under_a_code_page_layout_is_read_as_utf8_not_mangled(encoding):
    """Google Sheets (or Excel's "CSV UTF-8" without its mark) to a partner whose layout says cp1252: read as
    cp1252 the name was "CafÃ© MÃ¼ller", on the 856 and the 810."""
    text = "PO Number,Quantity,SKU,Ship To Name\nP1,2,S,Café Müller – “Nord”\n"
    got = _read(text.encode(), encoding=encoding)
    assert got.orders["ship_to_name"].to_pylist() == ["Café Müller – “Nord”"]
    assert _read(text.encode("cp1252"), encoding=encoding).orders["ship_to_name"].to_pylist() == [
        "Café Müller – “Nord”"]


def test_a_windows_1252_file_under_a_utf8_layout_says_which_encoding_to_set():
    """(csvreal) Read as Windows-1252, its curly quotes and dash as sent; the warning names the first byte that is
    not UTF-8 and what to set (it was refused whole, CSV_NOT_DECODABLE saying so)."""
    got = _read((FIXTURES / "excel_ansi_as_utf8.csv").read_bytes())
    (f,) = got.findings
    assert f.code == "CSV_NOT_UTF8" and f.severity == "warning"
    assert f.message.startswith("Not valid UTF-8 on line 2, at byte 109: read as Windows-1252")
    assert 'encoding = "cp1252"' in f.message
    assert got.lines["description"].to_pylist() == ["\u201cPremium\u201d sticky notes \u2013 yellow"]


SHIP = {"title_rows": 1, "total_labels": ["Total"]}


def test_a_3pl_confirmation_with_a_title_a_page_break_and_a_totals_row_reads_its_cartons():
    lines, findings = read_shipment_csv((FIXTURES / "wms_ship_confirm.csv").read_bytes(), ShipmentCsvMapping(**SHIP),
                                        file="w.csv")
    assert findings == []
    assert lines.select(["shipment_id", "ship_date", "ship_time", "po_number", "line_id", "quantity", "row_number"]
                        ).to_pylist() == [
        {"shipment_id": "SHP-8501", "ship_date": date(2026, 12, 4), "ship_time": lines["ship_time"][0].as_py(),
         "po_number": "UMB-6001", "line_id": "1", "quantity": Decimal(20), "row_number": 3},
        {"shipment_id": "SHP-8501", "ship_date": date(2026, 12, 4), "ship_time": lines["ship_time"][0].as_py(),
         "po_number": "UMB-6001", "line_id": "3", "quantity": Decimal(12), "row_number": 6}]
    assert str(lines["ship_time"][0].as_py()) == "16:05:00"


def test_the_3pl_confirmation_ships_its_order_for_a_night(tmp_path):
    """Umbrella's sample PO (UMB-6001) taken for a night, then the 3PL-style confirmation (in East's drop, under
    the layout that describes it) ships lines 1 and 3: an 856 with both items, no finding."""
    ws = make_workspace(tmp_path / "ws", partners=("umbrella",))
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    east = ws.root / "warehouses" / "east.toml"
    east.write_text(east.read_text().replace("[csv]\n", "[csv]\ntitle_rows = 1\ntotal_labels = [\"Total\"]\n", 1))
    run_stages(ws, NIGHT1)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "wms_ship_confirm.csv", inbox / "wms_ship_confirm.csv")
    ship_stages(ws, DAY1)
    deliver_all(ws, DAY1)
    state = StateStore(ws.state_path)
    errors = [(f["code"], f["row_number"]) for f in state.findings() if f["severity"] == "error"]
    assert state.order("umbrella", "UMB-6001").state.value == "partially_shipped"
    state.close()
    assert errors == []
    (asn,) = (ws.drop_root / "umbrella" / "outbox").glob("*-856-*.x12")
    segs = read_interchanges(asn.read_bytes()).segments.elements.to_pylist()
    assert [s[2] for s in segs if s[0] == "SN1"] == ["20", "12"]
