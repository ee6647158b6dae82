"""A backordered part is never promised before the order ships (ACK04 068 "Current Schedule Ship", ACK05).

The 855 dates what stock covers on the order's ship day (its DTM 010, today at the earliest) and a
backorder on the day its expected receipt covers it. A receipt due before the ship day made the IB part
earlier than the rest of the order: GLOBEX-2000 line 4 (demo) answered ``ACK*BP*24*EA*068*20261210`` and
``ACK*IB*12*EA*068*20261204``, telling the buyer the backordered 12 ship first, before the day it asked for.
A backorder now ships on its receipt's day, or the order's ship day when later (engine.answer
backorder_day), in the first 855, in a revised 855 (a kept line's stored promise) and in what the line
keeps as its promise (status, reports, finance's due date all read that one date); a receipt due after
the ship day keeps its date."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa

from connectors.state import StateStore
from engine.answer import backorder_day, line_statuses, status_from_line
from engine.decide import ACCEPTED, LineDecision, OrderDecision
from schemas.lifecycle import LineRecord, LineState
from tests.support import make_workspace, run_stages, x12_850
from tests.test_ship_complete import _acks_of

TODAY = date(2026, 11, 27)
SHIP = date(2026, 12, 10)
NIGHT1 = datetime(2026, 11, 27, 2)


def _ib_day(receipt: date, *, requested: date | None = SHIP, today: date = TODAY) -> list[tuple]:
    d = OrderDecision("acme", "PO-1", "r", "f", ACCEPTED, lines=[LineDecision(1, "IA", "accept", Decimal(36), None)])
    rows = [{"line_number": 1, "ordered": 36, "allocated": 24, "backordered": 0, "rejected": 0, "promised_date": None,
             "warehouse": "EAST", "reason": "partial"},
            {"line_number": 1, "ordered": 0, "allocated": 0, "backordered": 12, "rejected": 0,
             "promised_date": receipt, "warehouse": "", "reason": "backordered"}]
    [s] = line_statuses(d, rows, requested_ship=requested, today=today)
    return [(p.status, int(p.quantity), p.ship_date) for p in s.ack.parts] + [("promised", s.promised_date)]


def test_a_receipt_due_before_the_ship_day_is_promised_the_ship_day():
    assert _ib_day(date(2026, 12, 4)) == [("BP", 24, SHIP), ("IB", 12, SHIP), ("promised", SHIP)]


def test_a_receipt_due_after_the_ship_day_keeps_its_date():
    later = date(2026, 12, 15)
    assert _ib_day(later) == [("BP", 24, SHIP), ("IB", 12, later), ("promised", later)]


def test_without_a_requested_ship_date_the_receipt_day_stands():
    # the ship day is today (nothing asked): a receipt is never promised before today
    assert _ib_day(date(2026, 12, 4), requested=None) == [("BP", 24, TODAY), ("IB", 12, date(2026, 12, 4)),
                                                          ("promised", date(2026, 12, 4))]


def test_a_revised_855_dates_a_kept_line_as_the_first_855_does():
    """A line an 860 left alone is told again from the store: a promise stored before this rule (the
    receipt's 12-04) is dated the order's ship day, as a fresh decision would date it."""
    stored = LineRecord("acme", "PO-1", 4, LineState.BACKORDERED, ack="BP+IB", allocated=24, backordered=12,
                        promised_date=date(2026, 12, 4))
    again = status_from_line(stored, Decimal(36), SHIP)
    assert [(p.status, int(p.quantity), p.ship_date) for p in again.ack.parts] == [("BP", 24, SHIP), ("IB", 12, SHIP)]
    assert again.promised_date == SHIP
    later = status_from_line(LineRecord("acme", "PO-1", 3, LineState.BACKORDERED, ack="IB", backordered=30,
                                        promised_date=date(2026, 12, 15)), Decimal(30), SHIP)
    assert [(p.status, p.ship_date) for p in later.ack.parts] == [("IB", date(2026, 12, 15))]


def test_backorder_day_scalars_and_columns_agree():
    days = [date(2026, 12, 4), date(2026, 12, 15), None, date(2026, 12, 1)]
    ships = [SHIP, SHIP, SHIP, None]
    out = backorder_day(pa.array(days, pa.date32()), pa.array(ships, pa.date32())).to_pylist()
    assert out == [backorder_day(d, s) for d, s in zip(days, ships, strict=True)] == [
        SHIP, date(2026, 12, 15), None, date(2026, 12, 1)]


def test_the_demo_order_promises_its_backorder_for_the_ship_day(tmp_path):
    """GLOBEX-2000 (DTM 010 2026-12-10): line 4 has 24 of 36 SKU-1003 in stock, 12 due 2026-12-04; line 3's
    SKU-1005 is due 2026-12-15. Line 4's IB used to say 12-04."""
    ws = make_workspace(tmp_path / "ws")
    run_stages(ws, NIGHT1)
    [first, *_] = sorted(ws.drop_root.glob("globex/outbox/*-855-*.x12"))
    acks = _acks_of(first)
    assert acks[2] == [["IB", "30", "20261215"]]  # after the ship day: the receipt's date
    assert acks[3] == [["BP", "24", "20261210"], ["IB", "12", "20261210"]]
    state = StateStore(ws.state_url)
    try:
        lines = {ln.line_number: ln for ln in state.order_lines("globex", "GLOBEX-2000")}
    finally:
        state.close()
    # the line keeps what the 855 said (status, the console and reports read it)
    assert (lines[3].promised_date, lines[4].promised_date) == (date(2026, 12, 15), SHIP)


def _acme_po() -> bytes:
    """An 850 asking for shipment on 2026-12-10: SKU-1003 (48 on hand, 48 due 2026-12-04), SKU-1005 (none, 100
    due 2026-12-15), SKU-1001 in stock."""
    return x12_850(["BEG*00*NE*ACME-SHIP**20261126", "DTM*010*20261210", "N1*ST**92*DC01",
                    "PO1*1*96*EA*39.20*NT*EN*0614141100248", "PO1*2*20*EA*32.34*NT*UP*614141100385",
                    "PO1*3*12*EA*19.70*NT*VN*VP-1001", "CTT*3*128"])


def test_a_revised_855_keeps_the_backorder_on_the_ship_day(tmp_path):
    """acme answers changes with revised 855s: night 2's 860 raises line 3; line 1's backorder, kept, is
    told again for the ship day, as the first 855 told it."""
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(_acme_po())
    run_stages(ws, NIGHT1)
    [first] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    assert _acks_of(first) == [[["BP", "48", "20261210"], ["IB", "48", "20261210"]], [["IB", "20", "20261215"]],
                               [["IA", "12", "20261210"]]]
    (inbox / "chg.x12").write_text(
        "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*0200*U*00401*000001101*0*P*>~\n"
        "GS*PC*ACMERETAIL*ORDERBRIDGE*20261127*0200*1101*X*004010~\nST*860*0001~\nBCH*04*NE*ACME-SHIP***20261126~\n"
        "POC*3*QI*24*12*EA*19.70*NT*VN*VP-1001~\nCTT*1~\nSE*5*0001~\nGE*1*1101~\nIEA*1*000001101~\n")
    run_stages(ws, datetime(2026, 11, 28, 2))
    _first, revised = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    acks = _acks_of(revised)
    assert acks[0] == [["BP", "48", "20261210"], ["IB", "48", "20261210"]]
    assert acks[1] == [["IB", "20", "20261215"]]
