"""A CSV partner's business findings told in its own file's terms, through the real run: each stored with
the row of its file and the column as the partner's header names it ("Qty", not PO102), its message naming
that column; the failures report (CSV and HTML) shows row and column; intake findings store the PO their
row names; the CSV acknowledgment gives each line's reason in words beside the code. Ops reviewing a CSV
partner's failures used to see "PO1@3 PO102" and "PO102 must be a positive quantity" for a file that has
no PO1 segment, and intake findings without the PO."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import datetime

from connectors.state import StateStore
from tests.support import REPO, make_workspace, run_night

NIGHT1 = datetime(2026, 11, 27, 2)
LAYOUT = '''
[fulfilment.csv_orders]
delimiter = ";"
decimal_separator = ","
thousands_separator = "."
date_format = "%d.%m.%Y"
po_number = "Order"
quantity = "Qty"
unit_price = "Price"
vendor_part = "Item #"
cancel_after = "Cancel By"
'''
FEED = "\r\n".join([
    "Order;Line;Qty;Unit;Price;Item #;Ship Date;Cancel By;Ship To",
    "O-1;1;0;EA;26,25;VP-1010;04.12.2026;;UMB-9",  # row 2: a zero quantity
    "O-2;1;5;EA;99,00;VP-1010;04.12.2026;;UMB-9",  # row 3: a price far above ours
    "O-3;1;5;EA;26,25;VP-1010;04.12.2026;20.11.2026;UMB-9",  # row 4: a cancel date already past
    "O-3;2;5;EA;32,34;VP-1005;04.12.2026;;UMB-9",
    "O-4;1;5;EA;26,25;VP-9999;04.12.2026;;UMB-9",  # row 6: an item we do not know
    "O-5;1;zwei;EA;26,25;VP-1010;04.12.2026;;UMB-9",  # row 7: refused at intake
    "O-6;1;1000;EA;26,25;VP-1010;04.12.2026;;UMB-9",  # row 8: more than stock (a code in the reason)
]) + "\r\n"


def _run(root):
    ws = make_workspace(root, partners=("umbrella", "acme"))
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    text = (REPO / "partners" / "umbrella.toml").read_text()
    start = text.index("[fulfilment.csv_orders]")
    end = text.index("[fulfilment.csv_ack]")
    (ws.partners_dir / "umbrella.toml").write_text(text[:start] + LAYOUT.lstrip() + "\n" + text[end:])
    inbox = ws.drop_root / "umbrella" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    (inbox / "orders.csv").write_bytes(FEED.encode())
    run_id = run_night(ws, NIGHT1)
    return ws, run_id


def test_a_csv_partners_findings_name_its_rows_and_columns_in_store_report_and_acknowledgment(tmp_path):
    ws, run_id = _run(tmp_path / "ws")
    state = StateStore(ws.state_path)
    stored = [f for f in state.findings() if f["partner"] == "umbrella"]
    state.close()
    by_code = {(f["code"], f["po_number"]): f for f in stored}

    qty = by_code["QTY_NOT_POSITIVE", "O-1"]
    assert (qty["row_number"], qty["column_name"]) == (2, "Qty")
    assert qty["message"] == "column 'Qty' must be a positive quantity, got 0."  # was "PO102 must be ..."
    price = by_code["PRICE_OUT_OF_TOLERANCE", "O-2"]
    assert (price["row_number"], price["column_name"]) == (3, "Price")
    assert "column 'Price' 99" in price["message"] and "PO104" not in price["message"]
    cancel = by_code["CANCEL_DATE_PASSED", "O-3"]
    assert (cancel["row_number"], cancel["column_name"]) == (4, "Cancel By")  # the PO's first row
    assert "column 'Cancel By'" in cancel["message"]
    item = by_code["ITEM_UNKNOWN", "O-4"]
    assert (item["row_number"], item["column_name"]) == (6, "Item #")
    # intake: the PO the row names is stored (it used to be "")
    refused = by_code["CSV_NUMBER_INVALID", "O-5"]
    assert (refused["row_number"], refused["column_name"], refused["stage"]) == (7, "Qty", "intake")
    assert all(f["po_number"] for f in stored if f["row_number"] is not None)

    # the failures report: "row N" and the partner's column where X12 has segment and element
    folder = ws.root / "reports" / run_id
    rows = list(csv.DictReader(io.StringIO((folder / "failures.csv").read_text(encoding="utf-8-sig"))))
    mine = {(r["code"], r["po_number"]): r for r in rows if r["partner"] == "umbrella"}
    assert (mine["QTY_NOT_POSITIVE", "O-1"]["segment"], mine["QTY_NOT_POSITIVE", "O-1"]["element"]) == ("row 2", "Qty")
    assert (mine["PRICE_OUT_OF_TOLERANCE", "O-2"]["segment"], mine["PRICE_OUT_OF_TOLERANCE", "O-2"]["element"]) == (
        "row 3", "Price")
    assert (mine["CSV_NUMBER_INVALID", "O-5"]["segment"], mine["CSV_NUMBER_INVALID", "O-5"]["element"]) == (
        "row 7", "Qty")
    assert (mine["ITEM_UNKNOWN", "O-4"]["segment"], mine["ITEM_UNKNOWN", "O-4"]["element"]) == ("row 6", "Item #")
    x12 = [r for r in rows if r["partner"] == "acme" and r["segment"]]
    assert x12 and not any(r["segment"].startswith("row ") for r in x12)  # X12 findings as they were
    html = (folder / "failures.html").read_text(encoding="utf-8")
    assert "<td>row 2 Qty</td>" in html and "<td>row 7 Qty</td>" in html
    assert "column &#x27;Qty&#x27; must be a positive quantity" in html

    # the acknowledgment: the reason's code kept, its words beside it
    acks = sorted((ws.drop_root / "umbrella" / "outbox").glob("*.csv"))
    table = [r for a in acks for r in csv.DictReader(io.StringIO(a.read_bytes().decode("utf-8-sig")), delimiter=";")]
    o6 = next(r for r in table if r["po_number"] == "O-6")
    assert (o6["quantity_accepted"], o6["reason"]) == ("890", "partial; no_receipt")  # as partners have read it
    assert o6["reason_text"] == ("part of the quantity is available now; no stock is expected in time for the rest: "
                                 "not accepted")
    o1 = next(r for r in table if r["po_number"] == "O-1")
    assert o1["reason"] == o1["reason_text"] == "column 'Qty' must be a positive quantity, got 0."
    o5 = next(r for r in table if r["po_number"] == "O-5")  # refused at intake: already words
    assert o5["reason_text"] == o5["reason"] and "row 7, Qty:" in o5["reason"]

    # a person's recheck of the held O-3 runs the rules again: its findings name the row and column too, so the
    # recheck's CANCEL_DATE_PASSED is the one the night recorded (the same row and column, message and consequence)
    # and is not recorded twice (engine.lifecycle.said_once); one naming no row would be another finding, stored
    from flows.recheck import recheck_held

    state = StateStore(ws.state_path)
    (done,) = recheck_held(ws, state, po="O-3", partner="umbrella", by="dana", at=datetime(2026, 11, 27, 9))
    again = [f for f in state.findings() if f["stage"] in ("decide", "recheck") and f["code"] == "CANCEL_DATE_PASSED"]
    state.close()
    assert [(f["po_number"], f["row_number"], f["column_name"], f["stage"]) for f in again] == [
        ("O-3", 4, "Cancel By", "decide")]


def test_csv_located_leaves_x12_findings_alone_and_finds_a_second_ids_column():
    import pyarrow as pa

    from engine.csv_ack import reason_text
    from engine.csv_findings import csv_located
    from schemas.findings import finding
    from schemas.fulfilment import CsvOrderMapping

    layout = CsvOrderMapping(upc="EAN", vendor_part="Art.-Nr.", quantity="Menge")
    x12 = finding("QTY_NOT_POSITIVE", "PO102 must be a positive quantity, got 0.", seg="PO1", element="PO102",
                  file="a.x12", isa13="000000001", gs06="1", st02="0001", file_segment=9, line_number=1)
    on_csv = finding("ITEM_UNKNOWN", "No item matches VN X-1 (PO108/PO109).", seg="PO1", element="PO109",
                     file="b.csv", isa13="CSV", gs06="1", st02="0002", segment_position=3, file_segment=3,
                     line_number=2, value="X-1")
    lines = pa.table({"source_file": ["b.csv"], "isa13": ["CSV"], "st02": ["0002"], "line_number": [2],
                      "file_segment": [3], "upc": ["4006381333931"], "gtin": [None], "vendor_part": ["X-1"],
                      "buyer_part": [None]})
    owner = {("a.x12", "000000001-1-0001"): "acme", ("b.csv", "CSV-1-0002"): "umbrella"}
    same, located = csv_located([x12, on_csv], lines, {"umbrella": layout}, owner)
    assert same == x12  # an 850's finding: as it was, message and location
    assert (located.location.row, located.location.column) == (3, "Art.-Nr.")  # the line's second id: PO108/PO109
    assert "column 'Art.-Nr.'" in located.message and "PO109" not in located.message
    assert reason_text("filled+case_pack_up") == "accepted in full from stock (quantity rounded up to full cases)"
    assert reason_text("order rejected: column 'Menge' must be positive") == (
        "the order is not accepted: column 'Menge' must be positive")


def _ack_rows(ws, po: str) -> list[list[dict]]:
    """Each CSV acknowledgment in Umbrella's outbox holding rows of ``po``: those rows, file by file in order."""
    out = []
    for a in sorted((ws.drop_root / "umbrella" / "outbox").glob("*.csv")):
        rows = [r for r in csv.DictReader(io.StringIO(a.read_bytes().decode("utf-8-sig")), delimiter=";")
                if r["po_number"] == po]
        if rows:
            out.append(rows)
    return out


def test_a_held_csv_order_is_told_held_that_night_and_answered_once_a_person_decides(tmp_path):
    """Umbrella's O-3 (a cancel date past) is held for a person on night 1. A partner without EDI gets no 997: the
    night's CSV acknowledgment now has a row per line of it saying so, in the status its layout already has for a
    hold (IH, "On hold"; nothing accepted, nothing backordered, "held for review"), not why (the reasons are ours to
    weigh). Approved, the next night's acknowledgment answers it as any order (its final rows, "order rejected" or
    accepted). It used to get no row at all until a person decided: the partner could not tell it had arrived."""
    from typer.testing import CliRunner

    from flows.cli import app

    ws, _run_id = _run(tmp_path / "ws")
    state = StateStore(ws.state_path)
    assert state.order("umbrella", "O-3").state.value == "held"
    state.close()
    [held] = _ack_rows(ws, "O-3")
    assert [(r["line_id"], r["status"], r["status_text"], r["quantity_ordered"], r["quantity_accepted"],
             r["quantity_backordered"], r["promised_date"], r["reason"]) for r in held] == [
        ("1", "IH", "On hold", "5", "0", "0", "", "held for review"),
        ("2", "IH", "On hold", "5", "0", "0", "", "held for review")]
    assert held[0]["reason_text"] == "received, held for review by our staff: the final answer follows"
    assert "Cancel" not in held[0]["reason"]  # the hold's reasons are not the partner's
    res = CliRunner().invoke(app, ["approve", "O-3", "--partner", "umbrella", "--by", "Kim", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_night(ws, datetime(2026, 11, 28, 2))
    first, final = _ack_rows(ws, "O-3")
    assert first == held and {r["status"] for r in final} <= {"IA", "IR", "IB", "BP", "IQ", "IP"}
    assert [r["line_id"] for r in final] == ["1", "2"]
    state = StateStore(ws.state_path)
    try:
        assert state.order("umbrella", "O-3").state.value in ("acknowledged", "rejected")
        notes = [h.get("note") or "" for h in state.order_history("umbrella", "O-3")]
    finally:
        state.close()
    assert any("CSV IH" in n for n in notes), notes
