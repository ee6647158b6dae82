"""A CSV order feed's line-level allowances: the layout's line_allowances columns (a "Promo %" or "Line Discount" per
row) and line_allowance_deal (the row's deal number, SAC13) read as that line's SAC, as an 850's SAC in its PO1 loop:
judged on the line (deals.csv, the approval threshold), restated by the CSV acknowledgment's allowances column, and
taken off the line on the 810. CSV orders used to carry heading allowances only (allowance rows, order_charges).

Umbrella's demo order UMB-6001 (lines 1: 20 x 26.25, 2: 10 x 32.34, 3: 12 x 25.70), its rows given a "Promo %" (line
1: 10 %, deal FALL26) and a "Line Discount" (line 3: 7,70) column; Umbrella's threshold is 5 %."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from pydantic import ValidationError

from connectors.state import StateStore
from parsers.csv_orders import read_csv_orders
from parsers.x12_reader import read_interchanges
from schemas.fulfilment import CsvOrderMapping
from tests.support import REPO, deliver_all, drop_confirmations, run_stages, ship_stages
from tests.test_csv_partner import DAY1, NIGHT1, UMBRELLA, workspace
from tests.test_promotions_860 import DEALS

LAYOUT = ('[fulfilment.csv_orders]\nline_allowances = {"Promo %" = "A:C310:percent", "Line Discount" = "A:C310"}\n'
          'line_allowance_deal = "Promo Code"\n')
ACK = '[fulfilment.csv_ack]\ncolumns = ["po_number", "line_id", "status", "quantity_accepted", "allowances"]\n'
FALL = "umbrella,FALL26,C310,,10,,2026-11-01,2026-12-31,Fall promotion\n"


def _order(promo: str = "10") -> bytes:
    """The demo's UMB-6001 with the three allowance columns: line 1 ``promo`` % of FALL26, line 3 7,70 off."""
    text = (REPO / "sample_files" / "drops" / "umbrella" / "umbrella-orders-20261126.csv").read_text("utf-8-sig")
    head, *rows = text.splitlines()
    cells = {"1": f"{promo};;FALL26", "2": ";;", "3": ";7,70;"}
    return ("\n".join([head + ";Promo %;Line Discount;Promo Code",
                       *(f"{r};{cells[r.split(';')[2]]}" for r in rows)]) + "\n").encode()


def _night(tmp_path, *, deals: str | None = FALL, promo: str = "10"):
    text = UMBRELLA.read_text().replace("[fulfilment.csv_orders]\n", LAYOUT).replace("[fulfilment.csv_ack]\n", ACK)
    ws = workspace(tmp_path / "ws", profile_text=text)
    if deals is not None:
        (ws.reference_dir / "deals.csv").write_text(DEALS + deals, encoding="utf-8")
    (ws.drop_root / "umbrella" / "inbox" / "umbrella-orders-20261126.csv").write_bytes(_order(promo))
    run_stages(ws, NIGHT1)
    state = StateStore(ws.state_path)
    try:
        order = state.order("umbrella", "UMB-6001")
        found = [(f["code"], f["message"]) for f in state.findings(partner="umbrella", po_number="UMB-6001")]
    finally:
        state.close()
    rows = []
    for path in sorted((ws.drop_root / "umbrella" / "outbox").glob("*.csv")):
        rows += list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    return ws, order.state.value if order else None, found, rows


def test_a_line_allowance_of_an_agreed_deal_is_answered_stated_and_invoiced_on_its_line(tmp_path):
    """Line 1's 10 % (deal FALL26, on file up to 10 %) is beyond the 5 % threshold and agreed: the order is answered,
    the acknowledgment's allowances column states it on line 1 only (line 3's 2.5 % is within the threshold, no deal:
    not restated). Day 1 the east DC ships lines 1 and 3: the 810 carries each line's SAC in its IT1 loop (10 % of
    525.00 = 52.50, 7.70), TDS01 the lines less both (525.00 + 308.40 - 52.50 - 7.70 = 773.20)."""
    ws, state, found, rows = _night(tmp_path)
    assert state == "acknowledged", found
    assert "DISCOUNT_OVER_THRESHOLD" not in [c for c, _m in found]
    [agreed] = [m for c, m in found if c == "ALLOWANCE_DEAL_AGREED"]
    assert "FALL26" in agreed
    assert [(r[1], r[4]) for r in rows[1:]] == [("1", "C310 10% off the line, deal FALL26"), ("2", ""), ("3", "")]
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, DAY1)
    deliver_all(ws, DAY1)
    [path] = (ws.drop_root / "umbrella" / "outbox").glob("umbrella-810-*.x12")
    segs = read_interchanges(path.read_bytes()).segments.elements.to_pylist()
    body = [s for s in segs if s[0] in ("IT1", "SAC", "TDS")]
    assert [(s[0], s[1]) for s in body] == [("IT1", "1"), ("SAC", "A"), ("IT1", "3"), ("SAC", "A"), ("TDS", "77320")]
    one, three = body[1], body[3]
    assert (one[2], one[5], one[7]) == ("C310", "5250", "10"), one
    assert (three[2], three[5]) == ("C310", "770"), three


def test_a_line_allowance_no_deal_agrees_holds_the_order_naming_the_line(tmp_path):
    """No deals.csv: line 1's 10 % is beyond the threshold and the order waits for a person, the finding naming the
    line's SAC; nothing is stated in the held rows."""
    _ws, state, found, rows = _night(tmp_path, deals=None)
    assert state == "held"
    [held] = [m for c, m in found if c == "DISCOUNT_OVER_THRESHOLD"]
    assert "C310 10 % of the line (line 1, SAC12 02)" in held, held
    assert {r[4] for r in rows[1:]} == {""}


def test_a_bad_line_allowance_cell_refuses_its_po(tmp_path):
    """Line 1's "ten" is no number: the PO is refused at its row and column (no order), as any unreadable value."""
    _ws, state, _found, rows = _night(tmp_path, promo="ten")
    assert state is None
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [("UMB-6001", n, "IR") for n in "123"]


def _read(data: bytes, **layout):
    return read_csv_orders(data, CsvOrderMapping(**layout), partner="p", file="f.csv")


def test_the_reader_gives_each_line_its_own_sacs():
    """An amount, a percent ("3%") and a rate per unit, each on its row's line (its number and line id, one sent
    without an id numbered as its line is), SAC12 02, the deal its SAC13, the column its description; 0 and blank:
    none; an allowance written negative is its size."""
    data = (b"PO Number,Line,Quantity,Unit Price,SKU,Off,Pct,Per Unit,Deal\n"
            b"U-1,1,20,26.25,VP-1010,-5.00,,,FALL26\nU-1,,10,3,VP-1,,3%,,\nU-1,7,1,1,VP-2,0,,0.25,\n")
    got = _read(data, line_allowances={"Off": "A:C310", "Pct": "A:C310:percent", "Per Unit": "C:D240:rate"},
                line_allowance_deal="Deal")
    assert got.findings == []
    assert [(r["line_number"], r["line_id"], r["kind"], r["code"], r["amount"], r["basis"], r["percent"], r["rate"],
             r["handling"], r["reference"], r["description"]) for r in got.sacs.to_pylist()] == [
        (1, "1", "A", "C310", Decimal("5.0000"), None, None, None, "02", "FALL26", "Off"),
        (2, "2", "A", "C310", None, "1", Decimal("3.0000"), None, "02", None, "Pct"),
        (3, "7", "C", "D240", None, None, None, Decimal("0.2500"), "02", None, "Per Unit")]


@pytest.mark.parametrize(("cell", "code"), [("abc", "CSV_NUMBER_INVALID"), ("-3", "CSV_VALUE_INVALID"),
                                            ("120", "CSV_VALUE_INVALID")])
def test_an_unreadable_percent_refuses_the_po(cell, code):
    data = f"PO Number,Line,Quantity,Unit Price,Pct\nU-1,1,20,26.25,{cell}\nU-2,1,1,1,\n".encode()
    got = _read(data, line_allowances={"Pct": "A:C310:percent"})
    assert [f.code for f in got.findings] == [code]
    assert got.lines["po_number"].to_pylist() == ["U-2"]
    assert got.sacs.num_rows == 0


def test_a_charge_written_negative_refuses_the_po():
    got = _read(b"PO Number,Line,Quantity,Unit Price,Fee\nU-1,1,2,1,-4\n", line_allowances={"Fee": "C:D240"})
    assert [f.code for f in got.findings] == ["CSV_VALUE_INVALID"]
    assert got.lines.num_rows == 0


@pytest.mark.parametrize(("layout", "said"), [
    ({"line_allowances": {"Off": "A:C31"}}, "SAC02 code"),
    ({"line_allowances": {"Off": "A:C310:each"}}, "SAC02 code"),
    ({"line_allowances": {"Off": "A:C310"}, "quantity": "Qty {n}", "vendor_part": "SKU {n}"}, "wide export"),
    ({"line_allowance_deal": "Deal"}, "name them too")])
def test_the_layout_checks_its_line_allowances(layout, said):
    with pytest.raises(ValidationError, match=said):
        CsvOrderMapping(**layout)
