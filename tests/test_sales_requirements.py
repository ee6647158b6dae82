"""An 850's CSH sales requirement (code list 563) that forbids backorders: CSH01 N "No Back Order" (Amazon
Vendor Central's 850 sends CSH*N or CSH*Y on every PO, the vendor's backorder policy) or SP "Ship Partial,
Balance Cancel". What stock cannot cover now is answered IR (reason `no_backorder`), never promised: an IB
line on such a PO is cancelled by the buyer, and the receipt it would have taken goes to another order.
CSH*Y (backorder if out of stock), another code or no CSH keeps the partner's backorder policy."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa
import pytest

from connectors.state import StateStore
from engine.allocate import allocate
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from schemas.allocation import AllocationPolicy
from tests.support import make_workspace, run_stages, x12_850

NIGHT = datetime(2026, 11, 27, 2)


def amazon_po(csh: str | None) -> list[str]:
    """An Amazon-style 850: BEG02 NE, FOB CC, CSH, the window DTM 064/063, the ship-to by code, PO105 NT
    (net price), EN/UP/VN ids, a CTP SLP list price. SKU-1003 has 48 on hand (48 more due 2026-12-04),
    SKU-1005 none (100 due 2026-12-15) in the demo inventory."""
    return ["BEG*00*NE*2K7BXMPZ**20261126", "REF*CR*AMZ-1", "FOB*CC", *([csh] if csh else []),
            "DTM*064*20261203", "DTM*063*20261231", "N1*ST**92*DC01",
            "PO1*1*96*EA*39.20*NT*EN*0614141100248", "CTP**SLP*49.99", "PO1*2*20*EA*32.34*NT*UP*614141100385",
            "PO1*3*12*EA*19.70*NT*VN*VP-1001", "CTT*3*128"]


def _orders(body):
    parsed = read_interchanges(x12_850(body))
    return read_orders(parsed, list(parsed.transaction_sets()), partner="acme")[0]


def test_the_heading_csh01_is_read_with_the_order():
    assert _orders(amazon_po("CSH*N"))["sales_requirement"].to_pylist() == ["N"]
    assert _orders(amazon_po(None))["sales_requirement"].to_pylist() == [None]


def _line(no_backorder):
    return pa.table({"partner": ["p"], "order_ref": ["o"], "po_number": ["PO"],
                     "line_number": pa.array([1], pa.int32()),
                     "sku": ["S"], "quantity": pa.array([10], pa.decimal128(18, 4)),
                     "po_date": pa.array([date(2026, 11, 26)], pa.date32()), "arrival": [1],
                     "no_backorder": pa.array([no_backorder], pa.bool_())})


@pytest.mark.parametrize(("no_backorder", "expected"), [(True, (4, 0, 6, "no_backorder")),
                                                        (False, (4, 6, 0, "backordered")),
                                                        (None, (4, 6, 0, "backordered"))])
def test_an_order_without_backorders_is_promised_nothing(no_backorder, expected):
    snapshot = pa.table({"warehouse": ["W"], "sku": ["S"], "on_hand": [4], "reserved": [0],
                         "as_of": pa.array([date(2026, 11, 26)], pa.date32())})
    receipts = pa.table({"warehouse": ["W"], "sku": ["S"], "quantity": [50],
                         "eta": pa.array([date(2026, 12, 4)], pa.date32())})
    out = allocate(_line(no_backorder), snapshot, receipts, {"p": AllocationPolicy()},
                   today=date(2026, 11, 27)).lines.to_pylist()
    got = (sum(r["allocated"] for r in out), sum(r["backordered"] for r in out), sum(r["rejected"] for r in out))
    assert got == expected[:3] and expected[3] in {r["reason"] for r in out}


@pytest.mark.parametrize(("csh", "acks"), [
    ("CSH*N", [[["IQ", "48"], ["IR", "48"]], [["IR", "20"]], [["IA", "12"]]]),
    ("CSH*SP", [[["IQ", "48"], ["IR", "48"]], [["IR", "20"]], [["IA", "12"]]]),
    ("CSH*Y", [[["BP", "48"], ["IB", "48"]], [["IB", "20"]], [["IA", "12"]]]),
    (None, [[["BP", "48"], ["IB", "48"]], [["IB", "20"]], [["IA", "12"]]]),
])
def test_a_po_that_takes_no_backorder_is_answered_ir_for_what_stock_cannot_cover(tmp_path, csh, acks):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(amazon_po(csh)))
    run_stages(ws, NIGHT)
    [path] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    rows = read_interchanges(path.read_bytes()).segments.elements.to_pylist()
    assert next(r for r in rows if r[0] == "BAK")[2] == "AC"
    per_line: list[list[list[str]]] = []  # the ACKs under each PO1, in order
    for r in rows:
        if r[0] == "PO1":
            per_line.append([])
        elif r[0] == "ACK":
            per_line[-1].append(r[1:3])
    assert per_line == acks
    lines = StateStore(ws.state_path).order_lines("acme", "2K7BXMPZ")
    backordered = [int(line.backordered) for line in lines]
    assert backordered == ([0, 0, 0] if csh in ("CSH*N", "CSH*SP") else [48, 20, 0])
