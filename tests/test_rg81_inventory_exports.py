"""Inventory snapshots and expected receipts as the systems that keep them export them, loaded with `orderbridge
inventory load` and then allocated from by a night: tests/fixtures/rg81/exports/ holds exports written in the
shapes of each system's public documentation (facts carried over, the files written here): a NetSuite inventory
saved search (Item, Location, On Hand, Committed, Available, On Order; a UTF-8 mark, CRLF, "1,200.00", a Total row),
SAP Business One's item-warehouse table OITW (ItemCode, WhsCode, OnHand, IsCommited, OnOrder) and its open purchase
order lines (DocNum, ItemCode, WhsCode, OpenQty, ShipDate) as a European install writes them (semicolons, decimal
commas, dd.mm.yyyy), a ShipBob 3PL's inventory by lot (lot number, expiration date, on hand, committed, fulfillable:
a lot expired before the day), QuickBooks Enterprise's Inventory Stock Status by Item (Windows-1252, On Sales Order,
Available, a TOTAL row), Microsoft Dynamics 365 Business Central's items by location (No., Location Code, Inventory,
Qty. on Sales Order), Odoo's stock.quant (Product/Internal Reference, Location, Lot/Serial Number, Quantity, Reserved
Quantity: a SKU on two shelves), Extensiv (3PL Central)'s stock summary (On Hand, Allocated, On Hold, Available),
Fishbowl's inventory quantities (Part Number, Location Group, Qty On Hand, Qty Allocated; a part in two rows), Cin7
Core's product availability (Location, Bin, Batch/Serial, ExpiryDate, OnHand, Allocated, Available ...; a SKU in two
bins, locations by name), a Blue Yonder WMS inventory detail (Whse, Loc, Lot, Qty, UOM: rows in cases); and a 3PL's
X12 846 inventory advices (tests/fixtures/rg81/3pl-846-*.x12: LIN by our number or U.P.C., QTY 17 and 33, cases, a
location per N1*WH).

Before: `inventory load` read only its own five columns (as_of,warehouse,sku,on_hand,reserved), so none of these
loaded; a file of lots (several rows of one warehouse and SKU) loaded and then stopped the whole night's decide
stage (SnapshotError: duplicate (warehouse, sku) rows); a second file of the same day (one DC's export after the
other's) replaced the day whole, silently dropping the first file's warehouse; a refused file exited 4 ("the
workspace cannot be used"); and the night never said which day's stock it allocated from. The night (December 2,
02:00) takes ACME's two POs against the loads (WEST from ShipBob's CSV, or from the 846; EAST from SAP): the 855s
answer from what they exported (a negative on-hand, an expired lot, stock held for others, a receipt's date from
SAP's dd.mm.yyyy, an item no export holds), the east DC ships what it holds, and the 856 and 810 pass our validator,
Bots and pyx12.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest
from typer.testing import CliRunner

from tests.retailer_support import (
    all_sent_accepted,
    drop_fixtures,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg81"
EXPORTS = FIXTURES / "exports"
NIGHT = datetime(2026, 12, 2, 2)
SHIP_DAY = datetime(2026, 12, 2, 15, 20)
AS_OF = date(2026, 12, 1)
POS = {"acme": {"ACME-8101": 4, "ACME-8102": 1}}

SHIPBOB = ["--warehouse", "WEST", "--as-of", "2026-12-01", "--date-format", "%m/%d/%Y", "--column", "lot=Lot",
           "--column", "expires=Expiration Date", "--column", "on_hand=On Hand", "--column", "available=Fulfillable"]
SAP = ["--as-of", "2026-12-01", "--decimal-comma", "--date-format", "%d.%m.%Y", "--column", "sku=ItemCode",
       "--column", "warehouse=WhsCode", "--column", "on_hand=OnHand", "--column", "reserved=IsCommited",
       "--receipts", str(EXPORTS / "sap-b1-open-po-lines-20261201.csv"), "--receipt-column", "po_number=DocNum",
       "--receipt-column", "sku=ItemCode", "--receipt-column", "warehouse=WhsCode", "--receipt-column",
       "quantity=OpenQty", "--receipt-column", "eta=ShipDate"]


def _workspace(root):
    """ACME's profile, the demo's reference data and warehouses (east ships EAST's stock by CSV, north WEST's by
    945), no inventory."""
    from flows.workspace import open_workspace

    ws = open_workspace(root)
    ws.partners_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "partners" / "acme.toml", ws.partners_dir / "acme.toml")
    shutil.copytree(REPO / "sample_files" / "reference", ws.reference_dir)
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    return ws


def _load(ws, export, *options):
    from flows.cli import app

    return CliRunner().invoke(app, ["inventory", "load", str(export), *options, "-w", str(ws.root)])


def _refused(res) -> str:
    """What a load refused said, on one line: exit status 1 (the export is the input to fix; it used to be 4, "the
    workspace cannot be used", from the ConfigError left to flows.cli.main), "refused, nothing loaded: ..."."""
    from flows.exit_status import ExitStatus

    said = " ".join(res.stderr.split())
    assert res.exit_code == ExitStatus.INPUT_ERRORS and said.startswith("refused, nothing loaded: "), (res.exit_code,
                                                                                                     res.output)
    return said


def _stock(ws, day=AS_OF):
    from connectors.snapshots import load_snapshot

    table = load_snapshot(ws.inventory_dir / "snapshots", day)
    return sorted((r["warehouse"], r["sku"], r["on_hand"], r["reserved"]) for r in table.to_pylist())


def _receipts(ws):
    from connectors.snapshots import load_receipts

    return sorted((r["warehouse"], r["sku"], r["quantity"], r["eta"]) for r in
                  load_receipts(ws.inventory_dir / "receipts.parquet").to_pylist())


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, set(), POS)


@pytest.fixture(scope="module", params=["shipbob", "846"])
def night(request, tmp_path_factory):
    """WEST's stock loaded from the ShipBob export (or the same counts from the 3PL's 846), then SAP's of EAST with
    its open PO lines; the night of December 2 and the east DC's confirmation shipped at 15:20: (ws, the two loads'
    outputs, findings with messages, states)."""
    ws = _workspace(tmp_path_factory.mktemp("rg81") / "ws")
    west = (_load(ws, EXPORTS / "shipbob-inventory-west-20261201.csv", *SHIPBOB) if request.param == "shipbob"
            else _load(ws, FIXTURES / "3pl-846-west-20261201.x12"))
    loads = [west, _load(ws, EXPORTS / "sap-b1-oitw-20261201.csv", *SAP)]
    for res in loads:
        assert res.exit_code == 0, res.output
    drop_fixtures(ws, FIXTURES)
    ws, found, states = shipped_night(ws, FIXTURES, NIGHT, SHIP_DAY, messages=True)
    return ws, [r.output for r in loads], found, states


def test_each_load_says_what_it_read_summed_left_out_and_kept(night, request):
    _ws, (west, sap), _found, _states = night
    shipbob = request.node.callspec.params["night"] == "shipbob"
    assert west.splitlines() == ([
        "inventory: 2 stock row(s) as of 2026-12-01 in 1 file(s); 0 expected receipt(s)",
        "stock: 3 row(s) read as 2: 1 row(s) of a SKU's lots, bins or locations added to its warehouse's row",
        "stock: line 3: SKU-1016 at WEST lot LT-2605C expired 2026-11-15: not counted",
        "stock: column(s) not read: Inventory ID, Name, Committed"] if shipbob else [
        "inventory: 2 stock row(s) as of 2026-12-01 in 1 file(s); 0 expected receipt(s)"])
    assert sap.splitlines() == [
        "inventory: 4 stock row(s) as of 2026-12-01 in 1 file(s); 1 expected receipt(s)",
        "stock: line 4: SKU-1016 at EAST has -6 on hand: nothing of it can be allocated",
        "stock: column(s) not read: OnOrder",
        "receipts: column(s) not read: Dscription",
        "receipts: of purchase order(s) 77812",
        "stock: WEST kept as loaded before for 2026-12-01 (not in this file)"]


def test_the_snapshot_holds_both_warehouses_as_exported(night):
    """SAP's EAST load kept ShipBob's WEST (it used to replace the day whole); ShipBob's lots summed, its expired
    lot out, its Fulfillable read as what is free; SAP's 1.200,000000 is 1200, its dd.mm.yyyy receipt December 9."""
    ws = night[0]
    assert _stock(ws) == [("EAST", "SKU-1001", 120, 20), ("EAST", "SKU-1011", 1200, 0), ("EAST", "SKU-1016", -6, 0),
                          ("EAST", "SKU-1026", 30, 30), ("WEST", "SKU-1016", 40, 0), ("WEST", "SKU-1026", 15, 0)]
    assert _receipts(ws) == [("EAST", "SKU-1026", 50, date(2026, 12, 9))]


def test_the_855s_answer_from_the_exported_stock(night):
    """ACME-8101: paper and highlighters from EAST whole; 50 envelopes find EAST's -6 on hand and WEST's one lot in
    date (40): 40 placed, 10 rejected, no receipt brings them; 20 notebooks find EAST's 30 all committed and WEST's
    two lots (15): 15 placed, 5 backordered to SAP's open PO line due December 9. ACME-8102: a tape dispenser no
    export holds: rejected whole, said so."""
    ws, _loads, found, states = night
    answers = segments(ws, "acme", "855")
    first = po_segments(answers, "ACME-8101", "BAK")
    assert first[0][:3] == ["BAK", "00", "AC"]
    assert [s[:6] for s in first if s[0] == "ACK"] == [
        ["ACK", "IA", "100", "EA", "068", "20261208"], ["ACK", "IA", "1000", "EA", "068", "20261208"],
        ["ACK", "IQ", "40", "EA", "068", "20261208"], ["ACK", "IR", "10", "EA"],
        ["ACK", "BP", "15", "EA", "068", "20261208"], ["ACK", "IB", "5", "EA", "068", "20261209"]]
    second = po_segments(answers, "ACME-8102", "BAK")
    assert second[0][:3] == ["BAK", "00", "RD"] and [s for s in second if s[0] == "ACK"] == [["ACK", "IR", "10", "EA"]]
    assert [(c, s, po) for c, s, po, _m in found] == [("STOCK_SHORT_REJECTED", "warning", "ACME-8101"),
                                                     ("STOCK_SHORT_REJECTED", "warning", "ACME-8102")]
    said = {po: m for _c, _s, po, m in found}
    assert ("50 eaches wanted, 40 in stock for the run, 0 coming on receipts; 40 placed, 10 rejected"
            in said["ACME-8101"])
    assert "the SKU has no stock row and no receipt at all" in said["ACME-8102"]
    assert states == {("acme", "ACME-8101"): "partially_shipped", ("acme", "ACME-8102"): "rejected"}


def test_the_east_dc_ships_and_bills_what_it_held(night):
    ws = night[0]
    asn = po_segments(segments(ws, "acme", "856"), "SHP-8101", "BSN")
    assert [s[:4] for s in asn if s[0] in ("LIN", "SN1")] == [
        ["LIN", "1", "VN", "VP-1001"], ["SN1", "", "100", "EA"],
        ["LIN", "2", "VN", "VP-1011"], ["SN1", "", "1000", "EA"]]
    assert ["N1", "SF", "OrderBridge Supply DC East", "UL", "0614141000104"] in asn
    bill = po_segments(segments(ws, "acme", "810"), "ACME-8101", "BIG")
    assert [s[:5] for s in bill if s[0] == "IT1"] == [["IT1", "1", "100", "EA", "19.7"],
                                                      ["IT1", "2", "1000", "EA", "4.56"]]
    assert ["TDS", "653000"] in bill


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=1, answers=2, invoices=1)


# -- each system's export, loaded alone: (export, options, stock rows, what the load says)
SYSTEMS = {
    "netsuite": ("netsuite-inventory-east-20261201.csv",
                 ["--column", "sku=Item", "--column", "warehouse=Location", "--column", "on_hand=On Hand",
                  "--column", "reserved=Committed", "--as-of", "2026-12-01"],
                 [("EAST", "SKU-1001", 120, 20), ("EAST", "SKU-1011", 1200, 0), ("EAST", "SKU-1016", -6, 0),
                  ("EAST", "SKU-1026", 30, 30)],
                 ["stock: totals row(s) at line(s) 6 passed over",
                  "stock: column(s) not read: Description, Available, On Order"]),
    "quickbooks": ("quickbooks-enterprise-stock-status-by-item.csv",
                   ["--encoding", "cp1252", "--warehouse", "EAST", "--as-of", "2026-12-01", "--column", "sku=Item",
                    "--column", "on_hand=On Hand", "--column", "reserved=On Sales Order"],
                   [("EAST", "SKU-1001", 1120, 20), ("EAST", "SKU-1011", 310, 0)],
                   ["stock: totals row(s) at line(s) 4 passed over"]),
    "blue-yonder": ("blue-yonder-wms-inventory-detail.csv",
                    ["--as-of", "2026-12-01", "--column", "sku=Item", "--column", "warehouse=Whse", "--column",
                     "on_hand=Qty", "--column", "unit=UOM", "--column", "lot=Lot", "--column", "expires=Expire Date",
                     "--location", "DC-NJ01=EAST", "--location", "DC-Reno=WEST"],
                    [("EAST", "SKU-1002", 249, 0), ("EAST", "SKU-1003", 36, 0), ("WEST", "SKU-1003", 12, 0)],
                    ["stock: line 2: SKU-1002 counted in CS of 6 eaches",
                     "stock: line 4: SKU-1003 counted in CASE of 12 eaches",
                     "stock: 4 row(s) read as 3: 1 row(s) of a SKU's lots, bins or locations added to its warehouse's "
                     "row", "stock: column(s) not read: Item Description, Loc, Inventory Status"]),
    "cin7-core": ("cin7-core-product-availability.csv",
                  ["--as-of", "2026-12-01", "--column", "warehouse=Location", "--column", "lot=Batch/Serial",
                   "--column", "expires=ExpiryDate", "--column", "on_hand=OnHand", "--column", "reserved=Allocated",
                   "--location", "Main Warehouse=EAST", "--location", "Reno 3PL=WEST"],
                  [("EAST", "SKU-1001", 100, 10), ("WEST", "SKU-1011", 50, 5)],
                  ["stock: 3 row(s) read as 2: 1 row(s) of a SKU's lots, bins or locations added to its warehouse's "
                   "row", "stock: column(s) not read: Name, Barcode, Bin, Available, OnOrder, InTransit, "
                   "StockOnHandValue, NextDeliveryDate"]),
    "business-central": ("dynamics-365-bc-items-by-location.csv",
                         ["--as-of", "2026-12-01", "--column", "sku=No.", "--column", "warehouse=Location Code",
                          "--column", "on_hand=Inventory", "--column", "reserved=Qty. on Sales Order"],
                         [("EAST", "SKU-1001", 75, 5), ("EAST", "SKU-1016", 12, 12), ("WEST", "SKU-1001", 40, 0)],
                         ["stock: column(s) not read: Description, Qty. on Purch. Order"]),
    "odoo": ("odoo-stock-quant.csv",
             ["--warehouse", "EAST", "--as-of", "2026-12-01", "--column", "sku=Product/Internal Reference",
              "--column", "lot=Lot/Serial Number", "--column", "on_hand=Quantity",
              "--column", "reserved=Reserved Quantity"],
             [("EAST", "SKU-1011", 60, 0), ("EAST", "SKU-1026", 12, 2)],
             ["stock: 3 row(s) read as 2: 1 row(s) of a SKU's lots, bins or locations added to its warehouse's row",
              "stock: column(s) not read: Product, Location"]),
    "fishbowl": ("fishbowl-inventory-quantities.csv",
                 ["--warehouse", "EAST", "--as-of", "2026-12-01", "--column", "sku=Part Number",
                  "--column", "on_hand=Qty On Hand", "--column", "reserved=Qty Allocated"],
                 [("EAST", "SKU-1021", 30, 4)],
                 ["stock: 2 row(s) read as 1: 1 row(s) of a SKU's lots, bins or locations added to its warehouse's "
                  "row"]),
}


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_each_system_s_export_loads_as_the_stock_it_says(system, tmp_path):
    export, options, rows, said = SYSTEMS[system]
    ws = _workspace(tmp_path / "ws")
    res = _load(ws, EXPORTS / export, *options)
    assert res.exit_code == 0, res.output
    assert _stock(ws) == rows
    lines = res.output.splitlines()
    assert lines[0] == f"inventory: {len(rows)} stock row(s) as of 2026-12-01 in 1 file(s); 0 expected receipt(s)"
    assert all(line in lines for line in said), lines
    assert not [line for line in lines if line.startswith("warning:")], lines


def test_a_windows_1252_export_says_how_to_load_it(tmp_path):
    """QuickBooks writes its CSV in Windows-1252 (its ® and en dash): refused at the byte's line, saying the option
    that reads it; nothing written."""
    ws = _workspace(tmp_path / "ws")
    export, options, _rows, _said = SYSTEMS["quickbooks"]
    res = _load(ws, EXPORTS / export, *[o for o in options if o not in ("--encoding", "cp1252")])
    said = _refused(res)
    assert "export is not UTF-8" in said and "--encoding cp1252" in said and "line=2" in said
    assert not (ws.inventory_dir / "snapshots").exists()


def test_our_own_columns_in_any_case_lots_summed_and_reserved_optional(tmp_path):
    """A hand-made sheet with the product's columns as a person heads them ("As Of", "On Hand"), a lot column and a
    SKU in two lots, no reserved column: the lots summed (they used to stop the night: duplicate rows), nothing
    reserved."""
    ws = _workspace(tmp_path / "ws")
    sheet = tmp_path / "stock.csv"
    sheet.write_text("As Of,Warehouse,SKU,Lot,On Hand\n2026-12-01,EAST,SKU-1001,A1,10\n2026-12-01,EAST,SKU-1001,A2,15\n"
                     "2026-12-01,EAST,SKU-1011,,40.00\n", encoding="utf-8")
    res = _load(ws, sheet)
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("EAST", "SKU-1001", 25, 0), ("EAST", "SKU-1011", 40, 0)]


def test_each_dc_s_own_file_of_a_day_in_our_columns_keeps_the_other_s_and_lots_no_longer_stop_the_night(tmp_path):
    """Our own five columns, one file per DC as each warehouse system exports it, EAST's with a SKU in two lots: the
    second load used to replace the day whole (EAST's stock gone, silently), and the lots, once loaded, stopped the
    night's decide stage for every partner (SnapshotError: duplicate (warehouse, sku) rows). Now both DCs' stock is
    there, the lots summed, and the night answers ACME from them."""
    from tests.support import run_stages

    ws = _workspace(tmp_path / "ws")
    east, west = tmp_path / "east.csv", tmp_path / "west.csv"
    east.write_text("as_of,warehouse,sku,on_hand,reserved\n2026-12-01,EAST,SKU-1001,60,0\n2026-12-01,EAST,SKU-1001,40,0\n"
                    "2026-12-01,EAST,SKU-1011,1000,0\n2026-12-01,EAST,SKU-1026,20,0\n", encoding="utf-8")
    west.write_text("as_of,warehouse,sku,on_hand,reserved\n2026-12-01,WEST,SKU-1016,50,0\n2026-12-01,WEST,SKU-1021,10,0\n",
                    encoding="utf-8")
    for f in (east, west):
        res = _load(ws, f)
        assert res.exit_code == 0, res.output
    assert _stock(ws) == [("EAST", "SKU-1001", 100, 0), ("EAST", "SKU-1011", 1000, 0), ("EAST", "SKU-1026", 20, 0),
                          ("WEST", "SKU-1016", 50, 0), ("WEST", "SKU-1021", 10, 0)]
    drop_fixtures(ws, FIXTURES)
    run_stages(ws, NIGHT)
    answers = segments(ws, "acme", "855")
    for po, acks in (("ACME-8101", [["ACK", "IA", "100"], ["ACK", "IA", "1000"], ["ACK", "IA", "50"],
                                    ["ACK", "IA", "20"]]), ("ACME-8102", [["ACK", "IA", "10"]])):
        doc = po_segments(answers, po, "BAK")
        assert doc[0][2] == "AD" and [s[:3] for s in doc if s[0] == "ACK"] == acks, doc


def test_a_sku_in_two_lots_in_our_columns_no_longer_stops_the_night(tmp_path):
    """One DC's file in our five columns, a SKU in two lots (two rows): it loaded, and then the night's decide stage
    stopped for every partner (SnapshotError: duplicate (warehouse, sku) rows), no order answered. The lots are
    summed at load: ACME's 100 reams are placed from the two lots' 60 and 40."""
    from tests.support import run_stages

    ws = _workspace(tmp_path / "ws")
    east = tmp_path / "east.csv"
    east.write_text("as_of,warehouse,sku,on_hand,reserved\n2026-12-01,EAST,SKU-1001,60,0\n2026-12-01,EAST,SKU-1001,40,0\n",
                    encoding="utf-8")
    res = _load(ws, east)
    assert res.exit_code == 0, res.output
    drop_fixtures(ws, FIXTURES, {"acme": ["ACME_850_ACME-8101.x12"]})
    run_stages(ws, NIGHT)
    doc = po_segments(segments(ws, "acme", "855"), "ACME-8101", "BAK")
    assert [s[:3] for s in doc if s[0] == "ACK"][0] == ["ACK", "IA", "100"]


def test_a_column_of_our_own_misspelt_is_refused_not_read_as_nothing_reserved(tmp_path):
    ws = _workspace(tmp_path / "ws")
    sheet = tmp_path / "stock.csv"
    sheet.write_text("as_of,warehouse,sku,on_hand,reservd\n2026-12-01,EAST,SKU-1001,10,8\n", encoding="utf-8")
    res = _load(ws, sheet)
    said = _refused(res)
    assert "'reservd'" in said and "not read" in said
    assert not (ws.inventory_dir / "snapshots").exists()


# -- a bad row: the file refused at its line and column, nothing written (the day loaded before stays as it was)
BAD = {
    "scientific-sku": ("6.14141E+11", "10", "line=3", "'Item' (sku): '6.14141E+11' is a number a spreadsheet wrote "
                       "in scientific notation"),
    "half-a-unit": ("SKU-1011", "12.5", "line=3", "'On Hand' (on_hand): '12.5' is not a whole number of units"),
    "empty-on-hand": ("SKU-1011", "", "line=3", "'On Hand' (on_hand) may not be empty"),
    "grouping-unclear": ("SKU-1011", '"1,200"', "line=3", "'On Hand' (on_hand): '1,200' is not a number"),
    "words": ("SKU-1011", "n/a", "line=3", "'On Hand' (on_hand): 'n/a' is not a number"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_row_is_refused_at_its_line_and_column_and_the_day_loaded_before_stays(case, tmp_path):
    sku, on_hand, line, message = BAD[case]
    ws = _workspace(tmp_path / "ws")
    options = ["--as-of", "2026-12-01", "--column", "sku=Item", "--column", "warehouse=Location",
               "--column", "on_hand=On Hand"]
    good = tmp_path / "good.csv"
    good.write_text("Item,Location,On Hand\nSKU-1001,EAST,10\nSKU-1011,EAST,30\n", encoding="utf-8")
    assert _load(ws, good, *options).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(f"Item,Location,On Hand\nSKU-1001,EAST,11\n{sku},EAST,{on_hand}\n", encoding="utf-8")
    res = _load(ws, bad, *options)
    said = _refused(res)
    assert message in said and line in said, said
    assert _stock(ws) == [("EAST", "SKU-1001", 10, 0), ("EAST", "SKU-1011", 30, 0)]


def test_a_unit_no_reference_row_counts_is_refused_and_a_warehouse_in_small_letters_is_ours(tmp_path):
    """A WMS row in pallets (PL) of an item whose pallet no items.csv case_pack nor item_units.csv row counts: refused
    at its line and its UOM column, not read as eaches (40 pallets as 40 reams). A warehouse written "east" is the
    east DC's EAST (warehouses/east.toml), not a warehouse of its own no DC ships from."""
    ws = _workspace(tmp_path / "ws")
    export = tmp_path / "wms.csv"
    export.write_text("Item,Whse,Qty,UOM\nSKU-1002,east,9,EA\nSKU-1002,east,2,PL\n", encoding="utf-8")
    options = ["--as-of", "2026-12-01", "--column", "sku=Item", "--column", "warehouse=Whse", "--column",
               "on_hand=Qty", "--column", "unit=UOM"]
    said = _refused(_load(ws, export, *options))
    assert "column 'UOM' (unit): 'PL' of SKU-1002: no items.csv case_pack nor item_units.csv row" in said
    assert "line=3" in said
    with open(ws.reference_dir / "item_units.csv", "w", encoding="utf-8") as units:
        units.write("sku,unit,eaches\nSKU-1002,PL,240\n")
    res = _load(ws, export, *options)
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("EAST", "SKU-1002", 489, 0)]
    assert not [line for line in res.output.splitlines() if line.startswith("warning:")], res.output


def test_an_export_without_a_day_or_a_warehouse_says_which_option_gives_it(tmp_path):
    ws = _workspace(tmp_path / "ws")
    export = EXPORTS / "extensiv-3pl-stock-summary.csv"
    res = _load(ws, export, "--as-of", "2026-12-01", "--column", "available=Available")
    assert "no warehouse column" in _refused(res) and "--warehouse" in _refused(res)
    res = _load(ws, export, "--warehouse", "WEST", "--column", "available=Available")
    assert "no as_of column" in _refused(res) and "--as-of" in _refused(res)


def test_skus_no_item_knows_and_warehouses_no_dc_ships_from_are_warned(tmp_path):
    """Extensiv's summary opened in Excel and saved: 0071234500 became 71234500 (no items.csv row but the one with its
    zeros); Fishbowl's Location Group "Main" is no warehouse profile's stock_warehouse: refused unless named as a
    warehouse of its own (misc63: it was loaded without being asked, only warned), then loaded and warned."""
    ws = _workspace(tmp_path / "ws")
    with open(ws.reference_dir / "items.csv", "a", encoding="utf-8") as items:
        items.write("0071234500,,,VP-NOTES,Sticky notes 76mm,EA,1,1,active\n")
    res = _load(ws, EXPORTS / "extensiv-3pl-stock-summary.csv", "--warehouse", "WEST", "--as-of", "2026-12-01",
                "--column", "available=Available")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("WEST", "71234500", 480, 40), ("WEST", "SKU-1016", 190, 0)]
    warned = [line for line in res.output.splitlines() if line.startswith("warning:")]
    assert warned == ["warning: 1 SKU(s) in no items.csv row, their stock allocated to no line: 71234500 (71234500: "
                      "an item's SKU, its leading zeros lost?)"]
    fishbowl = [EXPORTS / "fishbowl-inventory-quantities.csv", "--as-of", "2026-12-01", "--column",
                "sku=Part Number", "--column", "warehouse=Location Group", "--column", "on_hand=Qty On Hand",
                "--column", "reserved=Qty Allocated"]
    res = _load(ws, *fishbowl)
    assert res.exit_code != 0 and "--new-warehouse Main" in " ".join(res.output.split()), res.output
    res = _load(ws, *fishbowl, "--new-warehouse", "Main")
    assert res.exit_code == 0, res.output
    assert "warning: no warehouse profile ships from Main (warehouses/*.toml stock_warehouse): stock there may be " \
           "promised and never confirmed shipped" in res.output
    assert "stock: WEST kept as loaded before for 2026-12-01 (not in this file)" in res.output


def test_a_warehouse_loaded_again_is_replaced_whole_and_says_so(tmp_path):
    ws = _workspace(tmp_path / "ws")
    export, options, _rows, _said = SYSTEMS["business-central"]
    assert _load(ws, EXPORTS / export, *options).exit_code == 0
    again = tmp_path / "east.csv"
    again.write_text("No.,Location Code,Inventory\nSKU-1001,EAST,70\n", encoding="utf-8")
    res = _load(ws, again, "--as-of", "2026-12-01", "--column", "sku=No.", "--column", "warehouse=Location Code",
                "--column", "on_hand=Inventory")
    assert res.exit_code == 0, res.output
    assert "stock: EAST's 2 row(s) of 2026-12-01 loaded before replaced by this file's 1" in res.output
    assert _stock(ws) == [("EAST", "SKU-1001", 70, 0), ("WEST", "SKU-1001", 40, 0)]


def test_receipts_loaded_again_say_whose_they_replaced(tmp_path):
    ws = _workspace(tmp_path / "ws")
    first = tmp_path / "first.csv"
    first.write_text("warehouse,sku,quantity,eta\nEAST,SKU-1001,10,2026-12-09\nWEST,SKU-1016,5,2026-12-11\n",
                     encoding="utf-8")
    stock = tmp_path / "stock.csv"
    stock.write_text("as_of,warehouse,sku,on_hand\n2026-12-01,EAST,SKU-1001,1\n", encoding="utf-8")
    assert _load(ws, stock, "--receipts", str(first)).exit_code == 0
    # SAP's open PO lines are every warehouse's: all replaced (invgaps2: a receipts file replaces only the
    # warehouses it names unless its layout says it is every warehouse's)
    res = _load(ws, stock, *SAP[SAP.index("--receipts"):], "--decimal-comma", "--date-format", "%d.%m.%Y",
                "--receipts-replace", "all")
    assert res.exit_code == 0, res.output
    assert "receipts: the receipts loaded before for WEST replaced: none in this file" in res.output
    assert _receipts(ws) == [("EAST", "SKU-1026", 50, date(2026, 12, 9))]


@pytest.mark.parametrize("as_of,said", [
    ("2026-12-01", "from the stock as of 2026-12-01"),
    ("2026-11-25", "from the stock as of 2026-11-25 (7 days before the run: no newer snapshot was loaded, "
                   "orderbridge inventory load)")])
def test_the_night_says_which_day_s_stock_it_allocated_and_when_it_is_old(as_of, said, tmp_path):
    """A night took the newest snapshot on or before its day and said nothing of it: a week-old export (the job
    that loads it stopped) kept promising what it counted then. The decide line names its day, and its age when it
    is older than the day before."""
    from flows.cli import app

    ws = _workspace(tmp_path / "ws")
    stock = tmp_path / "stock.csv"
    stock.write_text(f"as_of,warehouse,sku,on_hand\n{as_of},EAST,SKU-1001,500\n", encoding="utf-8")
    assert _load(ws, stock).exit_code == 0
    drop_fixtures(ws, FIXTURES)
    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--no-prefect", "--no-gx", "--now", NIGHT.isoformat()])
    line = next(ln for ln in res.stderr.splitlines() if " decide: " in ln)
    assert line.endswith(f"2 orders decided (1 acknowledged, 0 held, 1 rejected), 2 documents created, {said}"), line


def test_a_3pl_846_inventory_advice_loads_as_its_warehouse_s_stock(tmp_path):
    """A 3PL's 846 (LIN SK our number; QTY 33 available, 17 on hand; its N1*WH our WEST) loads as the stock of the
    warehouse it names on BIA04's day: it used to be refused as a CSV of the wrong columns (its ISA named as one)."""
    ws = _workspace(tmp_path / "ws")
    res = _load(ws, FIXTURES / "3pl-846-west-20261201.x12")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("WEST", "SKU-1016", 40, 0), ("WEST", "SKU-1026", 15, 0)]


def test_an_846_by_upc_in_cases_at_two_locations_is_counted_in_our_skus_and_eaches(tmp_path):
    """A 005010 846 naming items by U.P.C. (our items.csv's), a case item's quantities in cases (QTY03 CA: 6 eaches)
    at two of the 3PL's locations (an N1*WH in the item's loop before each QTY), both ours at WEST (--location), and
    a U.P.C. no item has: the on-hand in eaches, what QTY 33 leaves out held, the locations summed; the unknown one
    loaded under its U.P.C. and warned."""
    ws = _workspace(tmp_path / "ws")
    res = _load(ws, FIXTURES / "3pl-846-by-upc-5010.x12", "--location", "RENO-01=WEST", "--location", "RENO-02=WEST")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("WEST", "614141199990", 7, 0), ("WEST", "SKU-1002", 90, 12), ("WEST", "SKU-1016", 52, 12)]
    assert res.output.splitlines() == [
        "inventory: 3 stock row(s) as of 2026-12-01 in 1 file(s); 0 expected receipt(s)",
        "stock: 4 row(s) read as 3: 1 row(s) of a SKU's lots, bins or locations added to its warehouse's row",
        "stock: ST02 0001 segment 9: SKU-1002 counted in CA of 6 eaches",
        "warning: 1 SKU(s) in no items.csv row, their stock allocated to no line: 614141199990"]


@pytest.mark.parametrize("swap,said", [
    (("QTY*33*40*EA", "QTY*33*40.5*EA"), "ELEMENT_INVALID_CHARACTER at QTY QTY02 (ST02 0001, segment 6): QTY02 "
                                         "'40.5' (available) is not a whole number of units."),
    (("BIA*00*SI*WEST-20261201*20261201", "BIA*00*SI*WEST-20261201*20261301"),
     "ELEMENT_INVALID_DATE at BIA BIA04 (ST02 0001, segment 2)"),
    (("N1*WH*West 3PL Fulfillment*92*WEST~", "N1*VN*West 3PL Fulfillment*92*WEST~"),
     "names no warehouse (N1*WH): give it (--warehouse)")])
def test_a_bad_846_is_refused_at_its_segment_and_the_day_loaded_before_stays(swap, said, tmp_path):
    ws = _workspace(tmp_path / "ws")
    assert _load(ws, FIXTURES / "3pl-846-west-20261201.x12").exit_code == 0
    bad = tmp_path / "bad.x12"
    text = (FIXTURES / "3pl-846-west-20261201.x12").read_text(encoding="utf-8")
    assert swap[0] in text
    bad.write_text(text.replace(swap[0], swap[1]), encoding="utf-8")
    assert said in _refused(_load(ws, bad))
    assert _stock(ws) == [("WEST", "SKU-1016", 40, 0), ("WEST", "SKU-1026", 15, 0)]
