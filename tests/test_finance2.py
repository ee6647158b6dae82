"""What rg86's finance week left (tests/test_rg86_finance_nights.py, tests/fixtures/rg86/): after a person approves
an order whose changed line shipped while it was held, the history's allocation note and the stock the run used say
what was reserved, and `orderbridge status` shows the line's ACK; a corrected 810 the partner accepts clears the
rejection of the first one, saying so in the exception's history."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from decimal import Decimal

from tests.test_rg86_finance_nights import ACE, FIXTURES, _reconciled, _week, record_corrected_810, week  # noqa: F401 (week: a fixture)

D = Decimal


def _history(ws, run_id: str) -> list[dict]:
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        return [e for e in state.order_history(*ACE) if e["run_id"] == run_id]
    finally:
        state.close()


def _status(ws) -> dict:
    from typer.testing import CliRunner

    from flows.cli import app

    shown = CliRunner().invoke(app, ["status", "ACE8600101", "--partner", "acehw", "--json", "-w", str(ws.root)])
    assert shown.exit_code == 0, shown.output
    return json.loads(shown.output)


def test_a_line_shipped_in_full_while_held_is_not_allocated_again_on_approval(week):  # noqa: F811
    """Line 3 (6 units) shipped whole while the order waited for a person: on approval nothing is reserved for it,
    so the night's history notes no units allocated (the stock the allocation uses: the next test). It used to note
    "6 units allocated" (and take them from the run's availability for other orders), though no reservation was
    written."""
    ws, _nights = week
    events = _history(ws, "20261205")
    assert [e for e in events if e["event"] == "allocated"] == [], events
    # what the night reserved for the order: nothing (line 3 shipped whole, the rest of the order billed)
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        assert state.reservations_for([ACE]) == {}
    finally:
        state.close()


def test_a_line_shipped_in_full_while_held_shows_the_865s_ack_in_status(week):  # noqa: F811
    """`orderbridge status` after the approval: line 3 kept what it shipped and billed, and its ACK is the one
    the 865 answered it with (IP at 18.00), its SKU shown. It used to show a blank ACK (and SKU): the stored row
    was kept whole while the 865 said IP."""
    ws, _nights = week
    line3 = {ln["line_number"]: ln for ln in _status(ws)["lines"]}[3]
    assert (line3["ack"], line3["sku"], line3["state"], line3["shipped"], line3["invoiced"], line3["unit_price"]) == (
        "IP", "RG86-03", "invoiced", "6", "6", "18")


def test_the_units_a_changed_line_shipped_while_held_are_not_taken_from_stock_again():
    """engine.kept_stock.allocate_keeping, on approval: PO-1's changed line 1 (36) shipped 24 while its order was
    held and still holds 12; PO-2 asks 24. With 48 on hand and PO-1's 12 reserved, PO-1 keeps its 12 and asks
    nothing more (its 24 shipped placed by a row of their own, no warehouse, reason "shipped"): PO-2 is filled from
    the 36 free. The line used to be allocated its 24 shipped units again (24 taken from stock, PO-2 short 12)."""
    import pyarrow as pa

    from engine.decide import ACCEPTED, OrderDecision
    from engine.kept_stock import allocate_keeping
    from schemas.allocation import AllocationPolicy
    from schemas.inventory import ALLOCATION_INPUT, EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT
    from schemas.lifecycle import LineRecord, LineState, Reservation

    def line(po: str, qty: int) -> dict:
        return {"partner": "acme", "order_ref": f"acme|{po}", "po_number": po, "line_number": 1, "sku": "A",
                "quantity": D(qty), "requested_ship_date": None, "po_date": None, "arrival": 0, "case_pack": None,
                "unit_eaches": None, "deliver_by": None, "no_backorder": False}

    lines = pa.Table.from_pylist([line("PO-1", 36), line("PO-2", 24)], schema=ALLOCATION_INPUT)
    snapshot = pa.Table.from_pylist([{"as_of": datetime(2026, 11, 28).date(), "warehouse": "EAST", "sku": "A",
                                      "on_hand": 48, "reserved": 0}], schema=INVENTORY_SNAPSHOT)
    held = {("acme", "PO-1"): (Reservation("acme", "PO-1", 1, "EAST", "A", 12),)}
    stored = {("acme", "PO-1"): (LineRecord("acme", "PO-1", 1, LineState.SHIPPED, sku="A", ordered=D(36),
                                            shipped=D(24)),)}
    decisions = [OrderDecision("acme", po, f"acme|{po}", "po.x12", ACCEPTED) for po in ("PO-1", "PO-2")]

    def placed(**more) -> list[tuple]:
        result = allocate_keeping(lines, snapshot, EXPECTED_RECEIPTS.empty_table(), {"acme": AllocationPolicy()},
                                  decisions=decisions, reserved=[{"warehouse": "EAST", "sku": "A", "quantity": 12}],
                                  held=held, changed={("acme", "PO-1"): {1}}, today=datetime(2026, 11, 28).date(),
                                  **more)
        return [(r["po_number"], r["warehouse"], int(r["ordered"]), int(r["allocated"]), int(r["backordered"]),
                 r["reason"]) for r in result.lines.to_pylist()]

    # (finance3: the shipped units' row first, its reason saying how many; the line's other row "rest: filled")
    assert placed(stored=stored) == [("PO-1", None, 24, 24, 0, "24 shipped while held"),
                                     ("PO-1", "EAST", 12, 12, 0, "rest: filled"), ("PO-2", "EAST", 24, 24, 0, "filled")]
    # without the stored record (what it shipped unknown) the line asks its whole quantity again, as it used to
    assert ("PO-2", "EAST", 24, 24, 0, "filled") not in placed()


def _rejection_book(later_shipment: str):
    """P1 line 1 shipped in S1 and billed by INV1, which the partner's 997 rejects; a later 810 (INV1C) bills
    ``later_shipment`` and the partner accepts it."""
    from datetime import date, timedelta

    from tests.support_finance import Book, document_status

    book = (Book().order("P1", 1, 10, 5).ack("P1", 1, "IA", 10, 5, promised=date(2026, 11, 20))
            .ship("P1", 1, 10, shipment="S1", shipped_at=datetime(2026, 11, 19, 15))
            .invoice("P1", 1, 10, 5, number="INV1", invoice_date=date(2026, 11, 20), shipment="S1",
                     sent_at=datetime(2026, 11, 20, 2))
            .invoice("P1", 1, 10, 5, number="INV1C", invoice_date=date(2026, 11, 22), shipment=later_shipment,
                     sent_at=datetime(2026, 11, 22, 2)))

    def row(doc: str, ref: str, sent_at: datetime, status: str, acked_at: datetime) -> dict:
        return {"partner": "acme", "doc_type": "810", "functional_id": "IN", **book.doc(doc), "sent_at": sent_at,
                "po_number": "P1", "document_ref": ref, "status": status, "due_at": sent_at + timedelta(hours=24),
                "acked_at": acked_at, "ack_type": "997", "set_status": "R" if status == "rejected" else "A",
                "reasons": "IT104 (data element 212): invalid code value" if status == "rejected" else None}

    rejected = row("810-acme-INV1", "INV1", datetime(2026, 11, 20, 2), "rejected", datetime(2026, 11, 20, 9))
    accepted = row("810-acme-INV1C", "INV1C", datetime(2026, 11, 22, 2), "accepted", datetime(2026, 11, 22, 9))
    return book.tables(), document_status([rejected]), document_status([rejected, accepted])


def _reconcile(t, docs, as_of: datetime):
    from engine.reconcile import reconcile
    from schemas.finance import FinanceSettings

    return reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs,
                     settings={"acme": FinanceSettings()}, as_of=as_of)


def test_a_rejected_810_a_later_accepted_one_replaces_is_cleared_saying_so():
    """engine.reconcile and engine.exception_states.book: INV1 rejected (DOCUMENT_REJECTED, booked), then the
    corrected INV1C for the same shipment S1 sent and accepted: the next run finds no rejection, and the booking
    clears the one stored with the words why (not "no longer found"). It used to stay open until someone resolved
    it by hand."""
    from engine.exception_states import CLEARED_NOTE, book

    t, before, after = _rejection_book("S1")
    first = _reconcile(t, before, datetime(2026, 11, 21, 3))
    [found] = [e for e in first.exceptions.to_pylist() if e["type"] == "DOCUMENT_REJECTED"]
    assert found["document_ref"] == "INV1"
    stored, _ = book(first.exceptions, None, at=datetime(2026, 11, 21, 3))
    second = _reconcile(t, after, datetime(2026, 11, 23, 3))
    assert not [e for e in second.exceptions.to_pylist() if e["type"] == "DOCUMENT_REJECTED"]
    assert set(second.superseded) == {found["exception_id"]}
    _, changes = book(second.exceptions, stored, at=datetime(2026, 11, 23, 3), notes=second.superseded)
    [cleared] = [c for c in changes if c.exception_id == found["exception_id"]]
    assert (cleared.action, cleared.to_state, cleared.by) == ("clear", "resolved", "orderbridge")
    assert cleared.note != CLEARED_NOTE
    assert cleared.note.startswith("superseded: the partner accepted our later 810 INV1C (ISA13 "), cleared.note
    assert cleared.note.endswith("sent 2026-11-22 02:00) for the same shipment S1"), cleared.note


def test_an_accepted_810_for_another_shipment_leaves_the_rejection_open():
    """The later 810 the partner accepts bills another shipment (S2): the rejected INV1 still holds S1's bill, so
    DOCUMENT_REJECTED stays."""
    t, _before, after = _rejection_book("S2")
    result = _reconcile(t, after, datetime(2026, 11, 23, 3))
    assert [e["document_ref"] for e in result.exceptions.to_pylist() if e["type"] == "DOCUMENT_REJECTED"] == ["INV1"]
    assert result.superseded == {}


def test_a_corrected_810_the_partner_accepts_clears_the_rejection_of_the_first(week, tmp_path):  # noqa: F811
    """Ace's 997 rejected INV0000001 (DOCUMENT_REJECTED from r5). Accounts receivable sends the corrected 810 for
    the same shipment (ACE-SHP-1) under a new number, and Ace's next 997 accepts it: the next reconciliation no
    longer finds the rejection and clears it, its history saying the partner accepted the corrected 810. It used to
    stay open until someone resolved it by hand."""
    from typer.testing import CliRunner

    from flows.cli import app
    from flows.workspace import open_workspace
    from tests.support import run_stages

    shutil.copytree(week[0].root, tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    assert record_corrected_810(ws, tmp_path)[:2] == (2, 2)
    # the corrected 810 sent, not answered yet: the rejection of the first stays open
    r6 = _reconciled(ws, datetime(2026, 12, 5, 12), "r6")
    assert [e["document_ref"] for e in r6["exceptions"] if e["type"] == "DOCUMENT_REJECTED"] == ["INV0000001"]
    (ws.drop_root / "acehw" / "inbox" / "ACE997_20261206.x12").write_text(
        "ISA*00*          *00*          *01*006928311      *ZZ*ORDERBRIDGE    *261206*1000*U*00401*000086061*0*P*>~"
        "GS*FA*ACEHW*ORDERBRIDGE*20261206*1000*86061*X*004010~ST*997*0001~AK1*IN*900001~AK2*810*0001~AK5*A~"
        "AK9*A*1*1*1~SE*6*0001~GE*1*86061~IEA*1*000086061~")
    run_stages(ws, datetime(2026, 12, 6, 2))
    r7 = _reconciled(ws, datetime(2026, 12, 6, 3), "r7")
    assert not [e for e in r7["exceptions"] if e["type"] == "DOCUMENT_REJECTED"], r7["exceptions"]
    shown = CliRunner().invoke(app, ["exceptions", "--po", "ACE8600101", "--all", "--json", "-w", str(ws.root)])
    assert shown.exit_code == 0, shown.output
    [rejected] = [e for e in json.loads(shown.output) if e["type"] == "DOCUMENT_REJECTED"]
    assert (rejected["document_ref"], rejected["active"], rejected["state"], rejected["last_run"]) == (
        "INV0000001", False, "resolved", "r6")
    assert rejected["state_note"].startswith("superseded: the partner accepted our later 810 INV0000001C"), rejected
    assert "for the same shipment ACE-SHP-1" in rejected["state_note"], rejected


def test_a_held_confirmation_is_named_on_the_lines_of_its_po_until_it_ships(tmp_path):
    """Day 3 the east DC confirms ACE-SHP-2 (line 2's last 3 and line 3's 6) with the wrong item on line 3: the
    whole shipment is held (SHIPMENT_SKU_MISMATCH: no 856, nothing consumed). The night's reconciliation says so on
    the lines of its PO still to ship - ACE-SHP-2, held, and why - where it only read "shipped 0" (and lateness);
    once the DC's corrected confirmation ships it, nothing is said any more."""
    from tests.retailer_support import of_its_own
    from tests.support import run_stages
    from tests.test_rg86_finance_nights import WAREHOUSES, _ship

    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    shipments = copy / "shipments"
    good = (shipments / "east-shipments-20261203.csv").read_text()
    (shipments / "east-shipments-20261203-wrong.csv").write_text(
        good.replace("ACE8600101,3,RG86-03,6,EA", "ACE8600101,3,RG86-01,6,EA"))
    ws = of_its_own(copy, tmp_path / "ws", warehouses=WAREHOUSES)
    run_stages(ws, datetime(2026, 12, 1, 2))
    _ship(ws, "east-shipments-20261201.csv", datetime(2026, 12, 1, 15), "d1201", copy)
    _ship(ws, "east-shipments-20261203-wrong.csv", datetime(2026, 12, 3, 15), "d1203", copy)
    r4 = _reconciled(ws, datetime(2026, 12, 4, 2), "r4")
    said = "ACE-SHP-2 held (SHIPMENT_SKU_MISMATCH: Item RG86-01 shipped for line 3, which orders RG86-03.)"
    assert {k[2]: (r["shipped_quantity"], r["held_shipments"]) for k, r in r4["lines"].items() if k[:2] == ACE} == {
        1: (D(24), None), 2: (D(6), said), 3: (D(0), said)}
    assert [r["held_shipments"] for k, r in r4["lines"].items() if k[0] == "tsc"] == [None, None]
    _ship(ws, "east-shipments-20261203.csv", datetime(2026, 12, 4, 15), "d1204", copy)
    r5 = _reconciled(ws, datetime(2026, 12, 5, 2), "r5")
    assert {k[2]: (r["shipped_quantity"], r["held_shipments"]) for k, r in r5["lines"].items() if k[:2] == ACE} == {
        1: (D(24), None), 2: (D(9), None), 3: (D(6), None)}
