"""Measures and catch weight through whole nights (session 64, catchweight; what rg92b and w3b left): a line in a
measure (12.5 LB of almonds sold by the pound, schemas.units.measured) backordered in a fraction keeps the exact
backorder (the whole units covering it, 3, and backordered_over 0.5), so the night its receipt comes reserves the 13 LB
the DC ships the 12.5 of (it used to keep 2 and reserve 12: the DC's 12.5 LB was held, SHIPMENT_OVER_RESERVED); a DC
shipping 12.0 of 12.5 LB leaves the line open for the 0.5 LB, still reserved, unless the partner's under-shipment
tolerance closes it (it used to complete the line at 12, the half pound neither shipped nor open, and a line all
placed was stored backordered -1)."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.state import StateStore
from schemas.lifecycle import LineRecord, LineState
from schemas.units import (
    backordered_exactly,
    backordered_stored,
    promised_exactly,
    rejected_exactly,
    unheld_fraction,
)
from tests.retailer_support import (
    _swapped,
    of_its_own,
    po_segments,
    recounted,
    segments,
    shipped_day,
)
from tests.support import run_stages
from tests.test_rg92b import FIXTURES, NIGHT, SHIP_DAY, WAREHOUSES, _variant

PO = "SP9200303"
HALF = [("PO1*1*25*LB", "PO1*1*12.5*LB")]  # 12.5 LB of almonds sold by the pound, 6.40 a pound
RECEIPT_DAY = datetime(2026, 11, 26, 2)


def _line(ws, number=1) -> tuple[LineRecord, list[tuple[int, int]]]:
    state = StateStore(ws.state_path)
    try:
        line = next(ln for ln in state.order_lines("sprouts", PO) if ln.line_number == number)
        return line, [(r.line_number, r.quantity) for r in state.order_reservations("sprouts", PO)
                      if r.line_number == number]
    finally:
        state.close()


def _history(ws) -> list[dict]:
    state = StateStore(ws.state_path)
    try:
        return state.order_history("sprouts", PO)
    finally:
        state.close()


def _acks(ws):
    return [s[:4] for s in po_segments(segments(ws, "sprouts", "855"), PO, "BAK") if s[0] == "ACK" and s[3] == "LB"]


def _it1(ws):
    return [s[:5] for s in segments(ws, "sprouts", "810") if s[0] == "IT1" and s[3] == "LB"]


def _shipments(copy, rows: list[str]) -> None:
    """The east DC's confirmation file of ``copy`` holding only ``rows`` (after its heading)."""
    shipped = copy / "shipments" / "east-shipments-20261201.csv"
    head = shipped.read_text(encoding="utf-8").splitlines(keepends=True)[0]
    shipped.write_text(head + "".join(rows), encoding="utf-8")


def _row(sid: str, day: str, qty: str, line: int = 1, sku: str = "RG92-21", unit: str = "LB") -> str:
    return f"{sid},{day},06:30,FDEG,,7946920000{sid[-1]}1,,{PO},{line},{sku},{qty},{unit},{sid}-C1,13,LB,\n"


def _backordered_night(tmp_path):
    """Sprouts' PO of 12.5 LB with 10 LB in stock and a receipt of 100 LB due 2026-11-26 (night 1: 10 placed, 2.5
    backordered), then night 2 with the receipt in stock: (ws, the fixtures' copy)."""
    from connectors.reference import read_reference_csv
    from connectors.snapshots import write_receipts, write_snapshot
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

    copy = tmp_path / "fx"
    shutil.copytree(FIXTURES, copy)
    stock = copy / "stock.csv"
    stock.write_text(stock.read_text(encoding="utf-8").replace("EAST,RG92-21,60000,0", "EAST,RG92-21,10,0"),
                     encoding="utf-8")
    po = next((copy / "drops" / "sprouts").iterdir())
    po.write_bytes(recounted(_swapped(po.read_bytes(), [(a.encode(), b.encode()) for a, b in HALF])))
    ws = of_its_own(copy, tmp_path / "ws", {"sprouts": [po.name]}, warehouses=WAREHOUSES)
    write_receipts(ws.inventory_dir / "receipts.parquet", pa.table(
        {"warehouse": ["EAST"], "sku": ["RG92-21"], "quantity": [100], "eta": [date(2026, 11, 26)]},
        schema=EXPECTED_RECEIPTS))
    run_stages(ws, NIGHT)
    return ws, copy, lambda: write_snapshot(ws.inventory_dir / "snapshots", read_reference_csv(
        (FIXTURES / "stock.csv").read_text(encoding="utf-8").replace("2026-11-23", "2026-11-26").encode(),
        name="stock.csv", schema=INVENTORY_SNAPSHOT))


# --- the stored values --------------------------------------------------------------------------------------------
def test_a_measure_s_backorder_is_kept_as_the_units_covering_it_and_what_of_the_last_it_does_not_want():
    assert backordered_stored(Decimal("2.5")) == (3, Decimal("0.5"))
    assert backordered_stored(Decimal(3)) == (3, 0)
    assert backordered_stored(Decimal(0)) == (0, 0)
    for exact in (Decimal("2.5"), Decimal("0.25"), Decimal(4), Decimal(0), Decimal("0.0001")):
        whole, over = backordered_stored(exact)
        assert backordered_exactly(whole, over) == exact
    # 10 placed, 2.5 backordered (stored 10 and 3, backordered_over 0.5): 12.5 promised, nothing unheld
    over = Decimal("0.5")
    assert promised_exactly(Decimal("12.5"), 10, 3, 0, None, over) == Decimal("12.5")
    assert unheld_fraction(Decimal("12.5"), 13, 0, None, over) == 0
    # 12.5 all placed (stored 12, the half held by none); a line in whole units is its whole units
    assert promised_exactly(Decimal("12.5"), 12, 0, 0, None, None) == Decimal("12.5")
    assert promised_exactly(Decimal(10), 7, 3, 0, None, None) == 10
    line = LineRecord("sprouts", PO, 1, LineState.PARTIALLY_SHIPPED, ordered=Decimal("12.5"), unit="LB",
                      allocated=12, shipped=Decimal(12))
    assert (line.promised_exact, line.unshipped) == (Decimal("12.5"), Decimal("0.5"))


def test_a_measure_all_placed_is_stored_with_nothing_backordered(tmp_path):
    """12.5 LB all in stock: ACK IA 12.5, stored allocated 12 and backordered 0 (it was -1: the half pound the line
    does not want of its 13th came off a backorder of none), 13 LB reserved."""
    ws, _found, _states = _variant("sprouts", PO, tmp_path, HALF, [(",RG92-21,25,LB", ",RG92-21,12.5,LB")])
    line, reserved = _line(ws)
    assert (line.allocated, line.backordered, line.rejected) == (12, 0, 0)
    assert line.promised_exact == Decimal("12.5")


# --- 1. a backorder in a fraction of a measure -------------------------------------------------------------------
def test_a_measure_backordered_in_a_fraction_is_reserved_whole_on_its_receipt_and_ships_as_ordered(tmp_path):
    """10 LB in stock for 12.5: BP 10 and IB 2.5 (as before), the backorder stored as the 3 LB covering it with
    backordered_over 0.5; the receipt's night reserves those 3 (13 LB for the line) and the DC's 12.5 LB ships and is
    billed 12.5 at 6.40. The backorder used to be stored 2: 12 LB reserved, the 12.5 shipped held."""
    ws, copy, receipt_arrives = _backordered_night(tmp_path)
    assert _acks(ws) == [["ACK", "BP", "10", "LB"], ["ACK", "IB", "2.5", "LB"]]
    line, reserved = _line(ws)
    assert (line.allocated, line.backordered, line.state) == (10, 3, LineState.BACKORDERED)
    assert line.backordered_over == Decimal("0.5") and not [c for c in line.codes if "BACKORDERED_OVER" in c]
    assert backordered_exactly(line.backordered, line.backordered_over) == Decimal("2.5")
    assert line.promised_exact == Decimal("12.5") and reserved == [(1, 10)]

    receipt_arrives()
    run_stages(ws, RECEIPT_DAY)
    line, reserved = _line(ws)
    assert (line.allocated, line.backordered, line.state) == (12, 0, LineState.ALLOCATED)
    assert line.backordered_over == 0
    assert line.promised_exact == Decimal("12.5") and reserved == [(1, 13)]

    _shipments(copy, [_row("SP-SHP-01", "2026-12-01", "12.5"), _row("SP-SHP-01", "2026-12-01", "2.5", 2, "RG92-22",
                                                                     "KG"),
                      _row("SP-SHP-01", "2026-12-01", "4", 3, "RG92-23", "CA")])
    ws, found, states = shipped_day(ws, copy, SHIP_DAY)
    assert not [f for f in found if f[1] == "error"], found
    assert states == {("sprouts", PO): "invoiced"}
    assert _it1(ws) == [["IT1", "1", "12.5", "LB", "6.4"]]
    line, reserved = _line(ws)
    assert (line.shipped, line.invoiced, reserved) == (Decimal("12.5"), Decimal("12.5"), [])


def test_a_measure_backorder_past_its_date_rejects_exactly_what_it_waited_for():
    """The line above (10 placed, 2.5 backordered: stored 3 and backordered_over 0.5) past its cancel-after: it rejects
    2.5 (stored 2 and rejected_fraction 0.5), not the 3 covering it, and its backordered_over goes with its backorder:
    10 still promised."""
    from engine.lifecycle import backorders

    line = LineRecord("sprouts", PO, 1, LineState.BACKORDERED, sku="RG92-21", ordered=Decimal("12.5"), unit="LB",
                      allocated=10, backordered=3, backordered_over=Decimal("0.5"))
    passed = backorders.Passed("DTM 001 (cancel after) 2026-12-10", (("001", date(2026, 12, 10)),))
    from schemas.lifecycle import OrderRecord, OrderState

    record = OrderRecord("sprouts", PO, OrderState.ACKNOWLEDGED, source_file="po.x12", isa13="1", gs06="1", st02="0001")
    plan = backorders.plan_expired([record], lines={record.key: (line,)}, passed={record.key: passed},
                                   today=date(2026, 12, 11), at="2026-12-11T02:00:00", run_id="r")
    after = plan.lines[0].lines[0]
    assert (after.allocated, after.backordered) == (10, 0)
    assert rejected_exactly(after.rejected, after.rejected_fraction) == Decimal("2.5")
    assert (after.rejected, after.rejected_fraction, after.backordered_over) == (2, Decimal("0.5"), 0)
    assert after.promised_exact == 10


# --- 2. a measure shipped short ----------------------------------------------------------------------------------
def test_a_measure_shipped_short_stays_open_for_the_rest_then_ships_it(tmp_path):
    """12.0 LB shipped of 12.5 (13 reserved) by a partner with no under-shipment tolerance: the line and the order are
    partly shipped, 1 LB still reserved for the 0.5 to follow, nothing billed yet (Sprouts bills per order); the
    DC's 0.5 LB the next day completes it and the 810 bills the 12.5 shipped. It used to complete the line at 12
    (billed 12, the reconciliation flagging the 0.5 the buyer was never told would not come)."""
    ws, found, states = _variant("sprouts", PO, tmp_path, HALF, [(",RG92-21,25,LB", ",RG92-21,12,LB")])
    assert states == {("sprouts", PO): "partially_shipped"}
    line, reserved = _line(ws)
    assert (line.state, line.shipped, line.unshipped) == (LineState.PARTIALLY_SHIPPED, Decimal(12), Decimal("0.5"))
    assert reserved == [(1, 1)]
    assert _it1(ws) == []
    # the order's history says what is to follow
    assert [e["note"] for e in _history(ws) if e["event"] == "shipped_in_part"] == [
        "shipment SP-SHP-01 from east: 18.5 unit(s) on 3 line(s); 856 SP-SHP-01; line 1: 12 of 12.5 shipped, 0.5 to "
        "follow"]

    copy = tmp_path / FIXTURES.name
    _shipments(copy, [_row("SP-SHP-02", "2026-12-02", "0.5")])
    ws, found, states = shipped_day(ws, copy, datetime(2026, 12, 2, 15))
    assert not [f for f in found if f[1] == "error"], found
    assert states == {("sprouts", PO): "invoiced"}
    assert _it1(ws) == [["IT1", "1", "12.5", "LB", "6.4"]]
    line, reserved = _line(ws)
    assert (line.shipped, line.invoiced, reserved) == (Decimal("12.5"), Decimal("12.5"), [])


def test_a_measure_shipped_short_to_a_partner_billed_per_shipment_is_billed_as_each_part_ships(tmp_path):
    """The same 12.0 of 12.5 LB for a partner billed per shipment ([fulfilment.invoice] per = "shipment"): the 810 of
    the first shipment bills the 12 shipped at once, the line stays open (0.5 LB to follow, 1 LB reserved), and the
    0.5 LB shipped the next day is billed on its own 810: 12.5 billed in all, never more, the order invoiced."""
    per_shipment = [('[fulfilment.invoice]\nper = "order"', '[fulfilment.invoice]\nper = "shipment"')]
    ws, found, states = _variant("sprouts", PO, tmp_path, HALF, [(",RG92-21,25,LB", ",RG92-21,12,LB")],
                                 profile_swaps=per_shipment)
    assert states == {("sprouts", PO): "partially_shipped"}
    assert _it1(ws) == [["IT1", "1", "12", "LB", "6.4"]]
    line, reserved = _line(ws)
    assert (line.invoiced, line.unshipped, reserved) == (Decimal(12), Decimal("0.5"), [(1, 1)])

    copy = tmp_path / FIXTURES.name
    _shipments(copy, [_row("SP-SHP-02", "2026-12-02", "0.5")])
    ws, found, states = shipped_day(ws, copy, datetime(2026, 12, 2, 15))
    assert not [f for f in found if f[1] == "error"], found
    assert states == {("sprouts", PO): "invoiced"}
    assert _it1(ws) == [["IT1", "1", "12", "LB", "6.4"], ["IT1", "1", "0.5", "LB", "6.4"]]
    line, reserved = _line(ws)
    assert (line.shipped, line.invoiced, reserved) == (Decimal("12.5"), Decimal("12.5"), [])


@pytest.mark.parametrize(("tolerance", "closed"), [("5", True), ("3", False)])
def test_a_measure_shipped_short_within_the_partner_s_tolerance_closes_and_bills_what_shipped(tmp_path, tolerance,
                                                                                              closed):
    """12.0 of 12.5 LB is 4 % short: a partner tolerating 5 % under ([fulfilment] under_ship_percent) has the 0.5 LB
    balance cancelled (BALANCE_CANCELLED:0.5, reason under_tolerance, the 1 LB left released) and the 810 bills the 12
    shipped; the reconciliation notes nothing, the balance cancelled as agreed. A partner tolerating 3 % waits."""
    from flows.reconcile import reconcile_run

    swaps = [("[fulfilment.sscc]", f"[fulfilment]\nunder_ship_percent = {tolerance}\n\n[fulfilment.sscc]")]
    ws, found, states = _variant("sprouts", PO, tmp_path, HALF, [(",RG92-21,25,LB", ",RG92-21,12,LB")],
                                 profile_swaps=swaps)
    line, reserved = _line(ws)
    if not closed:
        assert states == {("sprouts", PO): "partially_shipped"} and reserved == [(1, 1)]
        assert line.unshipped == Decimal("0.5")
        return
    assert states == {("sprouts", PO): "invoiced"}
    assert _it1(ws) == [["IT1", "1", "12", "LB", "6.4"]]
    assert line.balance_cancelled == Decimal("0.5") and "under_tolerance" in line.reason
    assert rejected_exactly(line.rejected, line.rejected_fraction) == Decimal("0.5") and reserved == []
    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 12, 20, 2), run_id="rec")
        flagged = [e["type"] for e in state.exceptions_of_order("sprouts", PO) if e["active"] and e["line_number"] == 1]
        history = " ".join(str(e.get("note") or "") for e in state.order_history("sprouts", PO))
    finally:
        state.close()
    assert flagged == []
    assert "0.5" in history, history


def test_a_measure_refused_in_part_is_told_in_the_line_s_quantity(tmp_path):
    """12.5 LB with 10 in stock and no receipt: the 855 says IQ 10 and IR 2.5, and so does STOCK_SHORT_REJECTED (it
    said "13 LB wanted ... 3 rejected", the pounds covering the line, beside the 855's 2.5); its value is the PO102."""
    ws, found, _states = _variant("sprouts", PO, tmp_path, HALF, stock_swaps=[("EAST,RG92-21,60000,0",
                                                                               "EAST,RG92-21,10,0")])
    assert _acks(ws) == [["ACK", "IQ", "10", "LB"], ["ACK", "IR", "2.5", "LB"]]
    (said,) = [f[3] for f in found if f[0] == "STOCK_SHORT_REJECTED"]
    assert said.startswith("Line 1 (SKU RG92-21): 12.5 LB wanted, 10 in stock for the run, 0 coming on receipts; "
                           "10 placed, 2.5 rejected (855 IR)"), said
    state = StateStore(ws.state_path)
    try:
        (value,) = [f["value"] for f in state.findings() if f["code"] == "STOCK_SHORT_REJECTED"]
    finally:
        state.close()
    assert value == "12.5"


# --- 3. catch weight: billed and reconciled by the weight shipped --------------------------------------------------
def test_catch_weight_lines_reconcile_by_the_weight_shipped_not_their_cases(tmp_path_factory):
    """The foodservice night (tests/test_foodservice_distributors.py): Sysco's 12 CS of chicken priced per pound
    shipped at 478.6 LB and US Foods' 480 LB taken as 10 CA shipped at 483.2 LB are billed by the weight (IT1 in LB,
    QTY*39 the cases) and the reconciliation (the four-way match a month on) flags none of their lines: the invoice
    is matched by the shipped weight, not the cases or the 480 LB ordered. Only the partners' silence on our
    documents is noted (DOCUMENT_UNACKNOWLEDGED, no line)."""
    from flows.reconcile import reconcile_run
    from tests.retailer_support import shipped_night
    from tests.test_foodservice_distributors import FIXTURES as FOODSERVICE
    from tests.test_foodservice_distributors import NIGHT as FS_NIGHT
    from tests.test_foodservice_distributors import SHIP_DAY as FS_SHIP_DAY
    from tests.test_foodservice_distributors import workspace

    ws, _found, states = shipped_night(workspace(tmp_path_factory.mktemp("cw") / "ws"), FOODSERVICE, FS_NIGHT,
                                       FS_SHIP_DAY)
    assert ["IT1", "2", "483.2", "LB", "3.79"] in [s[:5] for s in segments(ws, "usfoods", "810")]
    assert ["IT1", "2", "478.6", "LB", "3.89"] in [s[:5] for s in segments(ws, "sysco", "810")]
    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 12, 20, 2), run_id="rec")
        flagged = {(p, po): [(e["line_number"], e["type"]) for e in state.exceptions_of_order(p, po) if e["active"]]
                   for (p, po) in states if p in ("sysco", "usfoods")}
    finally:
        state.close()
    assert set(flagged) == {("sysco", "0564471201"), ("sysco", "0564471202"), ("usfoods", "4800012345")}
    for key, rows in flagged.items():
        assert rows and {t for _n, t in rows} == {"DOCUMENT_UNACKNOWLEDGED"}, (key, rows)
        assert {n for n, _t in rows} == {None}, (key, rows)


def test_status_states_a_measure_s_parts_exactly(tmp_path):
    """`orderbridge status` (flows.status) of the backordered line: 10 placed, 2.5 backordered, as its 855 said (the
    store's 10 and 3, backordered_over 0.5); after the receipt 12.5 placed (stored 12). A line in whole units keeps
    its whole units (line 3: 4 cases)."""
    from flows.status import story

    ws, _copy, receipt_arrives = _backordered_night(tmp_path)

    def parts():
        state = StateStore(ws.state_path)
        try:
            doc = story(state, state.order("sprouts", PO))
        finally:
            state.close()
        return [(ln["allocated"], ln["backordered"], ln["rejected"]) for ln in doc["lines"]]

    assert parts()[0] == ("10", "2.5", "0") and parts()[2] == (4, 0, 0)
    receipt_arrives()
    run_stages(ws, RECEIPT_DAY)
    assert parts()[0] == ("12.5", "0", "0")


# --- whole units stay whole: a backorder in packs -----------------------------------------------------------------
def test_a_backorder_in_boxes_is_allocated_and_reserved_in_the_eaches_the_boxes_hold(tmp_path):
    """Grainger's 10 BX of gloves by the box of 100 (item_units BX 100), 500 gloves in stock and a receipt of 5,000:
    night 1 BP 5 and IB 5 BX (500 reserved); the receipt's night places the 5 BX as 500 gloves (1,000 reserved)
    and the DC's 10 BX ship. The backorder used to ask the allocation for 5 eaches: 505 reserved for 10 boxes, and
    the DC's 10 BX were held (SHIPMENT_OVER_RESERVED: 1000 eaches shipped, 505 reserved)."""
    from connectors.reference import read_reference_csv
    from connectors.snapshots import write_receipts, write_snapshot
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

    gloves = "4600920101"
    copy = tmp_path / "fx"
    shutil.copytree(FIXTURES, copy)
    stock = copy / "stock.csv"
    stock.write_text(stock.read_text(encoding="utf-8").replace("EAST,RG92-01,60000,0", "EAST,RG92-01,500,0"),
                     encoding="utf-8")
    po = next((copy / "drops" / "grainger").iterdir())
    ws = of_its_own(copy, tmp_path / "ws", {"grainger": [po.name]}, warehouses=WAREHOUSES)
    write_receipts(ws.inventory_dir / "receipts.parquet", pa.table(
        {"warehouse": ["EAST"], "sku": ["RG92-01"], "quantity": [5000], "eta": [date(2026, 11, 26)]},
        schema=EXPECTED_RECEIPTS))
    run_stages(ws, NIGHT)

    def line_one():
        state = StateStore(ws.state_path)
        try:
            line = next(ln for ln in state.order_lines("grainger", gloves) if ln.line_number == 1)
            held = [r.quantity for r in state.order_reservations("grainger", gloves) if r.line_number == 1]
            return (line.allocated, line.backordered, held)
        finally:
            state.close()

    acks = [s[:4] for s in po_segments(segments(ws, "grainger", "855"), gloves, "BAK") if s[0] == "ACK"]
    assert acks[:2] == [["ACK", "BP", "5", "BX"], ["ACK", "IB", "5", "BX"]]
    assert line_one() == (5, 5, [500])
    write_snapshot(ws.inventory_dir / "snapshots", read_reference_csv(
        (FIXTURES / "stock.csv").read_text(encoding="utf-8").replace("2026-11-23", "2026-11-26").encode(),
        name="stock.csv", schema=INVENTORY_SNAPSHOT))
    run_stages(ws, RECEIPT_DAY)
    assert line_one() == (10, 0, [1000])

    shipped = copy / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text("".join(r for r in rows if r.startswith("Shipment ID") or f",{gloves}," in r), encoding="utf-8")
    ws, found, states = shipped_day(ws, copy, SHIP_DAY)
    assert not [f for f in found if f[1] == "error"], found
    assert states == {("grainger", gloves): "invoiced"}
