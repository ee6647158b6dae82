"""Gaps of `orderbridge inventory load` the rg81 sweep noticed and left (tests/fixtures/invgaps/):

1. An empty on-hand cell, how NetSuite's saved searches and QuickBooks' reports print a zero, refused the whole load
   (yesterday's stock stayed). A layout may now say an empty quantity is 0 (--empty-is-zero, or a stored layout's
   empty_is_zero); the rows so read are named; a cell neither empty nor a number is still refused at its line.
   Not the default: the loader cannot tell which system wrote a file, and an empty cell in our own columns or in
   SAP's, Business Central's, Odoo's exports (which print 0) is a value lost, not a zero.
2. Column mappings, --location names, date format, decimal mark had to be typed on every load: a layout is now
   stored (inventory/layouts/NAME.toml) and named (--layout NAME), the command line overriding it; a layout with an
   unknown key or a bad value is refused, saying which.
3. One date format and decimal mark applied to both files of a load: the receipts now have their own
   (--receipt-date-format, --receipt-decimal-comma, --receipt-encoding; a layout's [receipts] table).
4. A receipt due before the stock's day was promised for the night's day without a word: the load names it, and the
   night's decide line says it promised a receipt already past due.
5. The 846 reader took QTY 17 and 33 only (any other qualifier silently dropped): see the 846 tests below.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest
from typer.testing import CliRunner

from tests.support import REPO
from tests.test_rg81_inventory_exports import _load, _receipts, _refused, _stock  # rg81's loaders and readers

FIXTURES = REPO / "tests" / "fixtures" / "invgaps"
RG81 = REPO / "tests" / "fixtures" / "rg81"
NIGHT = datetime(2026, 12, 2, 2)
AS_OF = date(2026, 12, 1)
NETSUITE = ["--as-of", "2026-12-01", "--column", "sku=Item", "--column", "warehouse=Location", "--column",
            "on_hand=On Hand", "--column", "reserved=Committed", "--location", "East Coast DC=EAST", "--location",
            "Reno 3PL=WEST"]


def _workspace(root, layouts=(), fixtures=FIXTURES):
    """A workspace with Acme, the sample reference data and warehouses, and the named stock layouts (from
    ``fixtures``/layouts: test_invgaps2 passes its own)."""
    from flows.workspace import open_workspace

    ws = open_workspace(root)
    ws.partners_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "partners" / "acme.toml", ws.partners_dir / "acme.toml")
    shutil.copytree(REPO / "sample_files" / "reference", ws.reference_dir)
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    for name in layouts:
        (ws.inventory_dir / "layouts").mkdir(parents=True, exist_ok=True)
        shutil.copy2(fixtures / "layouts" / f"{name}.toml", ws.inventory_dir / "layouts" / f"{name}.toml")
    return ws


def _layout_refused(res) -> str:
    """What a load refused for its layout said, on one line: exit status 2 (USAGE: the layout is our configuration,
    not the export; it was 1, as a bad export, before invgaps2), "layout refused, nothing loaded: ..."."""
    from flows.exit_status import ExitStatus

    said = " ".join(res.stderr.split())
    assert res.exit_code == ExitStatus.USAGE and said.startswith("layout refused, nothing loaded: "), (res.exit_code,
                                                                                                     res.output)
    return said


# -- 1. an empty quantity cell
def test_an_empty_on_hand_refused_the_netsuite_export_whole_and_yesterday_s_stock_stayed(tmp_path):
    """Without the layout saying so, an empty On Hand is still refused at its line and column (the rule for our
    own columns and for systems that print 0): nothing loaded, the day loaded before kept."""
    ws = _workspace(tmp_path / "ws")
    before = tmp_path / "before.csv"
    before.write_text("as_of,warehouse,sku,on_hand\n2026-12-01,EAST,SKU-1011,7\n", encoding="utf-8")
    assert _load(ws, before).exit_code == 0
    said = _refused(_load(ws, FIXTURES / "netsuite-inventory-empty-cells-20261201.csv", *NETSUITE))
    assert "column 'On Hand' (on_hand) may not be empty" in said and "line=3" in said
    assert _stock(ws) == [("EAST", "SKU-1011", 7, 0)]


def test_an_empty_on_hand_is_zero_where_the_layout_says_so_and_the_rows_are_named(tmp_path):
    ws = _workspace(tmp_path / "ws")
    res = _load(ws, FIXTURES / "netsuite-inventory-empty-cells-20261201.csv", *NETSUITE, "--empty-is-zero")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("EAST", "SKU-1001", 120, 20), ("EAST", "SKU-1011", 0, 0), ("EAST", "SKU-1016", 1200, 0),
                          ("WEST", "SKU-1026", 0, 0)]
    assert res.output.splitlines()[:2] == [
        "inventory: 4 stock row(s) as of 2026-12-01 in 1 file(s); 0 expected receipt(s)",
        "stock: 2 empty quantity cell(s) read as 0 (the layout's empty_is_zero): line 3 SKU-1011 'On Hand', "
        "line 5 SKU-1026 'On Hand'"]


def test_an_empty_available_is_zero_too_and_holds_the_whole_on_hand(tmp_path):
    """Read through Available (what is free): an empty Available with an On Hand of 40 is 0 free, 40 held."""
    ws = _workspace(tmp_path / "ws")
    sheet = tmp_path / "stock.csv"
    sheet.write_text("Item,Location,On Hand,Available\nSKU-1001,EAST,40,\nSKU-1011,EAST,,\n", encoding="utf-8")
    res = _load(ws, sheet, "--as-of", "2026-12-01", "--column", "sku=Item", "--column", "warehouse=Location",
                "--column", "on_hand=On Hand", "--column", "available=Available", "--empty-is-zero")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("EAST", "SKU-1001", 40, 40), ("EAST", "SKU-1011", 0, 0)]
    assert ("stock: 3 empty quantity cell(s) read as 0 (the layout's empty_is_zero): line 2 SKU-1001 'Available', "
            "line 3 SKU-1011 'On Hand', line 3 SKU-1011 'Available'") in res.output


@pytest.mark.parametrize("cell", ["n/a", "-", "12.5"])
def test_a_cell_not_empty_and_not_a_number_is_still_refused_at_its_row_and_column(cell, tmp_path):
    ws = _workspace(tmp_path / "ws")
    sheet = tmp_path / "stock.csv"
    sheet.write_text(f"Item,Location,On Hand\nSKU-1001,EAST,\nSKU-1011,EAST,{cell}\n", encoding="utf-8")
    said = _refused(_load(ws, sheet, "--as-of", "2026-12-01", "--column", "sku=Item", "--column",
                          "warehouse=Location", "--column", "on_hand=On Hand", "--empty-is-zero"))
    assert f"column 'On Hand' (on_hand): '{cell}' is not a" in said and "line=3" in said
    assert not (ws.inventory_dir / "snapshots").exists()


def test_an_empty_receipt_quantity_is_zero_and_named_and_promises_nothing(tmp_path):
    ws = _workspace(tmp_path / "ws")
    stock, receipts = tmp_path / "stock.csv", tmp_path / "receipts.csv"
    stock.write_text("as_of,warehouse,sku,on_hand\n2026-12-01,EAST,SKU-1001,1\n", encoding="utf-8")
    receipts.write_text("warehouse,sku,quantity,eta\nEAST,SKU-1001,,2026-12-09\nEAST,SKU-1011,5,2026-12-09\n",
                        encoding="utf-8")
    res = _load(ws, stock, "--receipts", str(receipts), "--empty-is-zero")
    assert res.exit_code == 0, res.output
    assert ("receipts: 1 empty quantity cell(s) read as 0 (the layout's empty_is_zero): line 2 SKU-1001 'quantity'"
            in res.output)
    assert _receipts(ws) == [("EAST", "SKU-1001", 0, date(2026, 12, 9)), ("EAST", "SKU-1011", 5, date(2026, 12, 9))]


# -- 2. a stored layout
def test_a_stored_layout_loads_the_netsuite_export_without_its_options(tmp_path):
    """inventory/layouts/netsuite-east.toml: the columns, the locations and empty_is_zero, stored once; the day
    (which changes every load) on the command line."""
    ws = _workspace(tmp_path / "ws", ["netsuite-east"])
    res = _load(ws, FIXTURES / "netsuite-inventory-empty-cells-20261201.csv", "--layout", "netsuite-east", "--as-of",
                "2026-12-01")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("EAST", "SKU-1001", 120, 20), ("EAST", "SKU-1011", 0, 0), ("EAST", "SKU-1016", 1200, 0),
                          ("WEST", "SKU-1026", 0, 0)]
    assert "stock: column(s) not read: Description, Available, On Order" in res.output


def test_a_stored_layout_s_encoding_and_warehouse_read_quickbooks_and_the_command_line_overrides_it(tmp_path):
    ws = _workspace(tmp_path / "ws", ["quickbooks-east"])
    export = FIXTURES / "quickbooks-stock-status-empty-cells.csv"
    res = _load(ws, export, "--layout", "quickbooks-east", "--as-of", "2026-12-01")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("EAST", "SKU-1001", 1120, 20), ("EAST", "SKU-1011", 0, 0)]
    # the command line wins: its warehouse, its mapping of reserved (Available replacing the stored On Sales Order),
    # and --empty-refused over the layout's empty_is_zero
    res = _load(ws, export, "--layout", "quickbooks-east", "--as-of", "2026-12-01", "--warehouse", "WEST",
                "--column", "available=Available", "--empty-refused")
    assert "'On Hand' (on_hand) may not be empty" in _refused(res)
    res = _load(ws, export, "--layout", "quickbooks-east", "--as-of", "2026-12-01", "--warehouse", "WEST",
                "--column", "available=Available")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("EAST", "SKU-1001", 1120, 20), ("EAST", "SKU-1011", 0, 0), ("WEST", "SKU-1001", 1120, 20),
                          ("WEST", "SKU-1011", 0, 0)]


BAD_LAYOUTS = {
    "unknown-key": ('decimal_coma = true\n', "decimal_coma: unknown key"),
    "unknown-table-key": ('[stock]\ndate_formt = "%d.%m.%Y"\n', "stock.date_formt: unknown key"),
    "unknown-field": ('[stock.columns]\nonhand = "On Hand"\n', "'onhand' is no field"),
    "not-a-format": ('date_format = "dd.mm.yyyy"\n', "date_format 'dd.mm.yyyy' is no strptime format of a day"),
    "not-a-bool": ('decimal_comma = "yes"\n', "decimal_comma: Input should be a valid boolean"),
    "no-encoding": ('[receipts]\nencoding = "latin-9x"\n', "encoding 'latin-9x' is no encoding Python knows"),
    "not-toml": ('[stock.columns\nsku = "Item"\n', "cannot read layout"),
}


@pytest.mark.parametrize("case", sorted(BAD_LAYOUTS))
def test_a_layout_with_an_unknown_key_or_a_bad_value_is_refused_saying_which(case, tmp_path):
    text, message = BAD_LAYOUTS[case]
    ws = _workspace(tmp_path / "ws")
    (ws.inventory_dir / "layouts").mkdir(parents=True)
    (ws.inventory_dir / "layouts" / "bad.toml").write_text(text, encoding="utf-8")
    said = _layout_refused(_load(ws, FIXTURES / "netsuite-inventory-empty-cells-20261201.csv", "--layout", "bad",
                                 *NETSUITE))
    assert message in said and "bad.toml" in said, said
    assert not (ws.inventory_dir / "snapshots").exists()


def test_a_layout_not_stored_is_refused_naming_the_layouts_there_are(tmp_path):
    ws = _workspace(tmp_path / "ws", ["netsuite-east"])
    said = _layout_refused(_load(ws, FIXTURES / "netsuite-inventory-empty-cells-20261201.csv", "--layout",
                                 "netsuite"))
    assert "no layout 'netsuite'" in said and "(layouts: netsuite-east)" in said


# -- 3. the stock and the receipts in formats of their own
SHIPBOB = ["--warehouse", "WEST", "--as-of", "2026-12-01", "--date-format", "%m/%d/%Y", "--column", "lot=Lot",
           "--column", "expires=Expiration Date", "--column", "on_hand=On Hand", "--column", "available=Fulfillable"]
SAP_RECEIPTS = ["--receipts", str(RG81 / "exports" / "sap-b1-open-po-lines-20261201.csv"), "--receipt-column",
                "po_number=DocNum", "--receipt-column", "sku=ItemCode", "--receipt-column", "warehouse=WhsCode",
                "--receipt-column", "quantity=OpenQty", "--receipt-column", "eta=ShipDate"]


def test_a_us_stock_export_and_a_european_receipts_export_in_one_load(tmp_path):
    """ShipBob's stock (03/31/2027) with SAP's open PO lines (09.12.2026, 50,000000): one --date-format could read
    only one of them; the receipts now have their own."""
    ws = _workspace(tmp_path / "ws")
    res = _load(ws, RG81 / "exports" / "shipbob-inventory-west-20261201.csv", *SHIPBOB, *SAP_RECEIPTS,
                "--receipt-date-format", "%d.%m.%Y", "--receipt-decimal-comma")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("WEST", "SKU-1016", 40, 0), ("WEST", "SKU-1026", 15, 0)]
    assert _receipts(ws) == [("EAST", "SKU-1026", 50, date(2026, 12, 9))]


def test_a_layout_gives_each_file_its_own_format(tmp_path):
    ws = _workspace(tmp_path / "ws")
    (ws.inventory_dir / "layouts").mkdir(parents=True)
    (ws.inventory_dir / "layouts" / "west.toml").write_text(
        'warehouse = "WEST"\n'
        '[stock]\ndate_format = "%m/%d/%Y"\n'
        '[stock.columns]\nlot = "Lot"\nexpires = "Expiration Date"\non_hand = "On Hand"\navailable = "Fulfillable"\n'
        '[receipts]\ndate_format = "%d.%m.%Y"\ndecimal_comma = true\nwarehouse = "EAST"\n'
        '[receipts.columns]\npo_number = "DocNum"\nsku = "ItemCode"\nquantity = "OpenQty"\neta = "ShipDate"\n',
        encoding="utf-8")
    res = _load(ws, RG81 / "exports" / "shipbob-inventory-west-20261201.csv", "--layout", "west", "--as-of",
                "2026-12-01", "--receipts", str(RG81 / "exports" / "sap-b1-open-po-lines-20261201.csv"))
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("WEST", "SKU-1016", 40, 0), ("WEST", "SKU-1026", 15, 0)]
    assert _receipts(ws) == [("EAST", "SKU-1026", 50, date(2026, 12, 9))]
    assert "receipts: column(s) not read: Dscription, WhsCode" in res.output


def test_one_date_format_still_reads_both_files_when_the_receipts_have_none_of_their_own(tmp_path):
    ws = _workspace(tmp_path / "ws")
    stock, receipts = tmp_path / "stock.csv", tmp_path / "receipts.csv"
    stock.write_text("as_of,warehouse,sku,on_hand\n01.12.2026,EAST,SKU-1001,1\n", encoding="utf-8")
    receipts.write_text("warehouse,sku,quantity,eta\nEAST,SKU-1001,5,09.12.2026\n", encoding="utf-8")
    res = _load(ws, stock, "--receipts", str(receipts), "--date-format", "%d.%m.%Y")
    assert res.exit_code == 0, res.output
    assert _receipts(ws) == [("EAST", "SKU-1001", 5, date(2026, 12, 9))]


# -- 4. a receipt already past due
def _late_load(ws, tmp_path):
    stock, receipts = tmp_path / "stock.csv", tmp_path / "receipts.csv"
    stock.write_text("as_of,warehouse,sku,on_hand\n2026-12-01,EAST,SKU-1001,100\n2026-12-01,EAST,SKU-1011,1000\n"
                     "2026-12-01,EAST,SKU-1016,50\n", encoding="utf-8")
    receipts.write_text("warehouse,sku,quantity,eta,po_number\nEAST,SKU-1026,20,2026-11-28,PO-4410\n"
                        "EAST,SKU-1016,30,2026-12-09,PO-4411\n", encoding="utf-8")
    return _load(ws, stock, "--receipts", str(receipts))


def test_a_receipt_due_before_the_stock_s_day_is_named_by_the_load(tmp_path):
    ws = _workspace(tmp_path / "ws")
    res = _late_load(ws, tmp_path)
    assert res.exit_code == 0, res.output
    warned = [line for line in res.output.splitlines() if line.startswith("warning:")]
    assert warned == ["warning: receipts: line 2 (purchase order PO-4410): 20 of SKU-1026 at EAST due 2026-11-28, "
                      "before the stock's day 2026-12-01: late, promised from the night's day on; if it has arrived "
                      "it is in the stock already (load the receipts without it)"]


def test_the_night_promises_a_late_receipt_from_its_own_day_and_says_it_is_past_due(tmp_path):
    """ACME-8101's 20 notebooks (SKU-1026) have no stock, only PO-4410's receipt due November 28, four days before
    the night: the 855 backorders them on no past day (the line's requested day, December 8, not November 28), and
    the night's decide line names the receipt past due (it said nothing)."""
    from flows.cli import app
    from tests.retailer_support import drop_fixtures, po_segments, segments

    ws = _workspace(tmp_path / "ws")
    assert _late_load(ws, tmp_path).exit_code == 0
    drop_fixtures(ws, RG81, {"acme": ["ACME_850_ACME-8101.x12"]})
    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--no-prefect", "--no-gx", "--now", NIGHT.isoformat()])
    doc = po_segments(segments(ws, "acme", "855"), "ACME-8101", "BAK")
    acks = [s[:6] for s in doc if s[0] == "ACK"]
    assert acks[-1] == ["ACK", "IB", "20", "EA", "068", "20261208"], acks
    assert all(s[5] >= "20261202" for s in acks if len(s) > 5), acks
    line = next(ln for ln in res.stderr.splitlines() if " decide: " in ln)
    assert line.endswith("from the stock as of 2026-12-01; 1 expected receipt past due, promised from 2026-12-02: "
                         "20 of SKU-1026 at EAST due 2026-11-28"), line


# -- 5. the 846's QTY qualifiers
ADVICE = FIXTURES / "3pl-846-qualifiers-west-20261201.x12"


def test_an_846_s_held_damaged_and_coming_quantities_are_read_by_their_qualifiers(tmp_path):
    """A 3PL's 846 as its WMS sends it (X12 element 673): SKU-1016 60 on hand (17), 5 on hold (QH), 3 damaged (74),
    no 33: 8 of the 60 held; SKU-1026 with a 33 (12 free of 20) and 2 damaged: the 33 already leaves them out;
    SKU-1021 10 available (33) and 4 unusable (20), no 17: 14 there, 4 held; SKU-1011 none on hand and 500 on order
    (63) expected December 9 (DTM 017); SKU-1001's 24 in transit (IQ) in two SCH parts. Before, only 17 and 33
    were read: the held and damaged stock was promised, the unusable not counted, the orders coming never known."""
    ws = _workspace(tmp_path / "ws")
    res = _load(ws, ADVICE)
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("WEST", "SKU-1001", 30, 0), ("WEST", "SKU-1003", 48, 0), ("WEST", "SKU-1011", 0, 0),
                          ("WEST", "SKU-1016", 60, 8), ("WEST", "SKU-1021", 14, 4), ("WEST", "SKU-1026", 20, 8)]
    assert _receipts(ws) == [("WEST", "SKU-1001", 12, date(2026, 12, 4)), ("WEST", "SKU-1001", 12, date(2026, 12, 11)),
                             ("WEST", "SKU-1011", 500, date(2026, 12, 9))]


def test_an_846_names_each_quantity_it_did_not_count_and_why(tmp_path):
    """What is held is named; a qualifier that is no stock to promise (37 work in process, 72 a minimum stock level,
    62 days covered, with its decimal) and one the reader does not know (9Z) are named, not counted; a quantity on
    order with no day is named, not a receipt."""
    ws = _workspace(tmp_path / "ws")
    res = _load(ws, ADVICE)
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        "inventory: 6 stock row(s) as of 2026-12-01 in 1 file(s); 3 expected receipt(s)",
        "stock: ST02 0001 segment 6: 5 of SKU-1016 at WEST on hold (QTY QH): not available",
        "stock: ST02 0001 segment 7: 3 of SKU-1016 at WEST damaged goods (QTY 74): not available",
        "stock: ST02 0001 segment 11: 2 of SKU-1026 at WEST damaged goods (QTY 74): not available",
        "stock: ST02 0001 segment 14: 4 of SKU-1021 at WEST unusable (QTY 20): not available",
        "stock: ST02 0001 segment 26: QTY 37 (work in process) 12 of SKU-1003 at WEST: not counted",
        "stock: ST02 0001 segment 27: QTY 72 (minimum stock level) 24 of SKU-1003 at WEST: not counted",
        "stock: ST02 0001 segment 28: QTY 62 (days covered by inventory) 12.5 of SKU-1003 at WEST: not counted",
        "stock: ST02 0001 segment 29: QTY 9Z (a qualifier not read) 5 of SKU-1003 at WEST: not counted",
        "stock: ST02 0001 segment 30: QTY 63 (on order) 120 of SKU-1003 at WEST: no expected day (a DTM or SCH "
        "after it), not a receipt",
        "receipts: 3 on order or in transit (the 846's QTY 63, IQ with a day) replace those loaded before for WEST; "
        "other warehouses' kept"]


def test_an_846_s_receipts_replace_its_warehouse_s_and_keep_the_others(tmp_path):
    ws = _workspace(tmp_path / "ws")
    stock, receipts = tmp_path / "stock.csv", tmp_path / "receipts.csv"
    stock.write_text("as_of,warehouse,sku,on_hand\n2026-12-01,EAST,SKU-1001,1\n", encoding="utf-8")
    receipts.write_text("warehouse,sku,quantity,eta\nEAST,SKU-1026,50,2026-12-09\nWEST,SKU-1011,70,2026-12-20\n",
                        encoding="utf-8")
    assert _load(ws, stock, "--receipts", str(receipts)).exit_code == 0
    assert _load(ws, ADVICE).exit_code == 0
    assert _receipts(ws) == [("EAST", "SKU-1026", 50, date(2026, 12, 9)), ("WEST", "SKU-1001", 12, date(2026, 12, 4)),
                             ("WEST", "SKU-1001", 12, date(2026, 12, 11)), ("WEST", "SKU-1011", 500, date(2026, 12, 9))]


def test_an_846_on_order_due_before_its_day_is_named_late(tmp_path):
    ws = _workspace(tmp_path / "ws")
    late = tmp_path / "late.x12"
    late.write_text(ADVICE.read_text(encoding="utf-8").replace("DTM*017*20261209", "DTM*017*20261125"),
                    encoding="utf-8")
    res = _load(ws, late)
    assert res.exit_code == 0, res.output
    assert ("warning: receipts: ST02 0001 segment 17: 500 of SKU-1011 at WEST due 2026-11-25, before the stock's day "
            "2026-12-01: late, promised from the night's day on; if it has arrived it is in the stock already (load "
            "the receipts without it)") in res.output


@pytest.mark.parametrize("swap,said", [
    (("QTY*17*30*EA~\nQTY*IQ*24*EA", "QTY*02*30*EA~\nQTY*29*24*EA"),
     "LIN SKU-1001 has no QTY 17 (on hand) nor 33 (available): QTY 02, 29 (cumulative quantity, projected available "
     "inventory) not stock to count."),
    (("QTY*QH*5*EA", "QTY*QH*5.5*EA"), "ELEMENT_INVALID_CHARACTER at QTY QTY02 (ST02 0001, segment 6): QTY02 '5.5' (on "
                                       "hold) is not a whole number of units."),
    (("DTM*017*20261209", "DTM*017*20261309"), "ELEMENT_INVALID_DATE at DTM DTM02 (ST02 0001, segment 18)"),
    (("SCH*12*EA***002*20261211", "SCH*12*EA***002*2026121"), "ELEMENT_INVALID_DATE at SCH SCH06")])
def test_an_846_quantity_that_cannot_be_read_is_refused_at_its_segment(swap, said, tmp_path):
    ws = _workspace(tmp_path / "ws")
    bad = tmp_path / "bad.x12"
    text = ADVICE.read_text(encoding="utf-8")
    assert swap[0] in text
    bad.write_text(text.replace(swap[0], swap[1]), encoding="utf-8")
    assert said in _refused(_load(ws, bad))
    assert not (ws.inventory_dir / "snapshots").exists()


def test_an_846_s_sdq_per_location_quantities_are_named_not_read(tmp_path):
    """An SDQ (quantities per store or location, as an 850's) after SKU-1003's on hand: not read as stock (which
    location is which warehouse and which quantity it splits are the partner's guide's), named so a person sees it."""
    ws = _workspace(tmp_path / "ws")
    sdq = tmp_path / "sdq.x12"
    text = ADVICE.read_text(encoding="utf-8")
    sdq.write_text(text.replace("QTY*17*48*EA~\n", "QTY*17*48*EA~\nSDQ*EA*54*RENO-01*40*RENO-02*8~\n")
                   .replace("SE*32*0001", "SE*33*0001"), encoding="utf-8")
    res = _load(ws, sdq)
    assert res.exit_code == 0, res.output
    assert ("stock: ST02 0001 segment 26: SDQ RENO-01 40 RENO-02 8 of SKU-1003: per-location quantities not read (an "
            "N1*WH loop per location is)") in res.output.splitlines()
    assert ("WEST", "SKU-1003", 48, 0) in _stock(ws)
