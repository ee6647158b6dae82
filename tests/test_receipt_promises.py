"""A receipt's units are promised once across nights (docs/design.md Allocation): a new order's backorder is
promised only what the expected receipts hold beyond the units earlier nights' open backorders were promised.
Each night's allocation used to pool every receipt afresh, so a buyer answered on night 2 was promised (IB with
an 068 date) the same receipt's units a buyer answered on night 1 already held: two buyers told the same day for
units only one can have.

ACME orders SKU-1030 (UPC 614141102136, none on hand), ship date 12-01; receipts of 10 on 12-04 and 10 on 12-20.
The units an open backorder holds are derived from the stored lines (backordered, not shipped): they are free
again once the line gets stock, is cancelled, or is decided again (an 860 changed it)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.state import StateStore
from engine.allocate import receipts_left
from engine.lifecycle import lines_as_planned
from engine.lifecycle.backorders import receipt_promises
from schemas.inventory import EXPECTED_RECEIPTS
from schemas.lifecycle import LineRecord, LineState, OrderLines, Plan
from tests.support import run_night, shipping_workspace, x12_850
from tests.test_change_orders import docs
from tests.test_change_units_860 import x12_860

UPC = "614141102136"
NIGHTS = [datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2), datetime(2026, 11, 29, 2)]


def _workspace(tmp_path, receipts=((10, date(2026, 12, 4)), (10, date(2026, 12, 20)))):
    ws = shipping_workspace(tmp_path / "ws", partners=())
    inventory = ws.root / "inventory"
    pq.write_table(pa.table({"warehouse": ["EAST"] * len(receipts), "sku": ["SKU-1030"] * len(receipts),
                             "quantity": [q for q, _d in receipts], "eta": [d for _q, d in receipts]},
                            schema=pq.read_schema(inventory / "receipts.parquet")), inventory / "receipts.parquet")
    return ws


def _po(ws, number: str, isa13: int, quantity: int = 10) -> None:
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    body = [f"BEG*00*SA*{number}**20261126", "CUR*BY*USD", "DTM*010*20261201", "N1*ST*DC 7*92*DC07", "N3*1 Way",
            "N4*Columbus*OH*43215*US", f"PO1*1*{quantity}*EA*35.06*PE*UP*{UPC}", "CTT*1"]
    (inbox / f"{number}.x12").write_bytes(x12_850(body, isa13=isa13, gs06=str(isa13)))


def _change(ws, body: list[str], control: int) -> None:
    (ws.drop_root / "acme" / "inbox" / f"change-{control}.x12").write_bytes(x12_860(body, control=control))


def _on_hand(ws, units: int, as_of: str) -> None:
    """A snapshot of ``as_of`` with ``units`` of SKU-1030 at EAST (the demo's other stock as it was)."""
    snapshots = ws.root / "inventory" / "snapshots"
    old = pq.read_table(snapshots / "as_of=2026-11-26" / "part-0.parquet")
    rows = [r | {"as_of": date.fromisoformat(as_of)}
            | ({"on_hand": units} if (r["warehouse"], r["sku"]) == ("EAST", "SKU-1030") else {})
            for r in old.to_pylist()]
    (snapshots / f"as_of={as_of}").mkdir()
    pq.write_table(pa.Table.from_pylist(rows, schema=old.schema), snapshots / f"as_of={as_of}" / "part-0.parquet")


def _acks(ws) -> dict[str, list]:
    """Each PO's 855s: (BAK02, [ACK01, ACK02, ACK05 when dated]) per 855."""
    return {po: [(t, [a[:2] + a[4:5] for a in acks]) for _purpose, t, acks in sent]
            for po, sent in docs(ws, "855").items()}


def _lines(ws, *pos: str) -> dict[str, tuple]:
    state = StateStore(ws.state_path)
    try:
        return {po: next((ln.state.value, ln.allocated, ln.backordered, ln.rejected, ln.promised_date)
                         for ln in state.order_lines("acme", po)) for po in pos}
    finally:
        state.close()


def test_a_receipt_promised_on_one_night_is_not_promised_again_on_the_next(tmp_path):
    """Night 1: PO-A's 10 are promised the 12-04 receipt. Night 2: PO-B is promised the 12-20 one (it was told
    12-04 too, the units PO-A holds). Night 3: no receipt has room for PO-C: its units are not placeable (IR), as
    for any line no receipt covers (it was told 12-04 as well)."""
    ws = _workspace(tmp_path)
    for night, po in zip(NIGHTS, ("PO-A", "PO-B", "PO-C"), strict=True):
        _po(ws, po, 11 + NIGHTS.index(night))
        run_night(ws, night)
    assert _acks(ws) == {"PO-A": [("AC", [["IB", "10", "20261204"]])],
                         "PO-B": [("AC", [["IB", "10", "20261220"]])],
                         "PO-C": [("RD", [["IR", "10"]])]}
    assert _lines(ws, "PO-A", "PO-B", "PO-C") == {
        "PO-A": ("backordered", 0, 10, 0, date(2026, 12, 4)), "PO-B": ("backordered", 0, 10, 0, date(2026, 12, 20)),
        "PO-C": ("rejected", 0, 0, 10, None)}


def test_a_backorder_that_gets_stock_frees_its_receipt_for_the_same_nights_orders(tmp_path):
    """Night 2 finds 10 on hand: PO-A's backorder takes them (the backorder step, before the new orders), so the
    12-04 receipt it was promised is free again and PO-B, new that night, is promised it (not the 12-20 one)."""
    ws = _workspace(tmp_path)
    _po(ws, "PO-A", 11)
    run_night(ws, NIGHTS[0])
    _on_hand(ws, 10, "2026-11-28")
    _po(ws, "PO-B", 12)
    run_night(ws, NIGHTS[1])
    assert _lines(ws, "PO-A", "PO-B") == {"PO-A": ("allocated", 10, 0, 0, None),
                                          "PO-B": ("backordered", 0, 10, 0, date(2026, 12, 4))}
    assert _acks(ws)["PO-B"] == [("AC", [["IB", "10", "20261204"]])]


def test_a_cancelled_order_frees_the_receipt_its_backorder_held(tmp_path):
    """PO-A is cancelled (860 BCH01 01) on the night PO-B comes: PO-B is promised the 12-04 receipt."""
    ws = _workspace(tmp_path)
    _po(ws, "PO-A", 11)
    run_night(ws, NIGHTS[0])
    _change(ws, ["BCH*01*SA*PO-A***20261127", "CTT*0"], 2101)
    _po(ws, "PO-B", 12)
    run_night(ws, NIGHTS[1])
    assert _lines(ws, "PO-A", "PO-B") == {"PO-A": ("cancelled", 0, 0, 0, None),
                                          "PO-B": ("backordered", 0, 10, 0, date(2026, 12, 4))}


def test_a_line_an_860_changes_is_promised_again_without_its_old_promise(tmp_path):
    """Receipts of 20 on 12-04 and 12-20 (SKU-1030 comes in tens). PO-A's line of 20 is lowered to 10 on the night
    PO-B (10) comes: the line is decided again and promised what it asks now, its old 20 not counted besides: both
    fit the 12-04 receipt (counting the old 20 as well put both on the 12-20 one)."""
    ws = _workspace(tmp_path, receipts=((20, date(2026, 12, 4)), (20, date(2026, 12, 20))))
    _po(ws, "PO-A", 11, quantity=20)
    run_night(ws, NIGHTS[0])
    _change(ws, ["BCH*04*SA*PO-A***20261127", f"POC*1*QD*10*10*EA*35.06*PE*UP*{UPC}", "CTT*1"], 2101)
    _po(ws, "PO-B", 12)
    run_night(ws, NIGHTS[1])
    assert _lines(ws, "PO-A", "PO-B") == {"PO-A": ("backordered", 0, 10, 0, date(2026, 12, 4)),
                                          "PO-B": ("backordered", 0, 10, 0, date(2026, 12, 4))}


# --- the pure pieces ----------------------------------------------------------------------------------------
def _line(po, n, state, *, sku="S", allocated=0, backordered=0, shipped=0) -> LineRecord:
    return LineRecord("acme", po, n, state, sku=sku, allocated=allocated, backordered=backordered,
                      shipped=Decimal(shipped))


def test_receipt_promises_count_open_backorders_still_to_ship():
    lines = {("acme", "PO-1"): (_line("PO-1", 1, LineState.BACKORDERED, backordered=4),
                                _line("PO-1", 2, LineState.BACKORDERED, sku="T", allocated=2, backordered=3),
                                _line("PO-1", 3, LineState.ALLOCATED, allocated=5)),
             ("acme", "PO-2"): (_line("PO-2", 1, LineState.PARTIALLY_SHIPPED, allocated=2, backordered=6, shipped=5),
                                _line("PO-2", 2, LineState.SHIPPED, allocated=2, backordered=1, shipped=3),
                                _line("PO-2", 3, LineState.CANCELLED),
                                _line("PO-2", 4, LineState.BACKORDERED, sku="", backordered=7)),  # no item: no receipt
             ("acme", "PO-3"): (_line("PO-3", 1, LineState.BACKORDERED, backordered=9),)}
    # PO-2 line 1 shipped 5 of its 8 (2 allocated + 3 of the backorder): 3 still wait
    assert receipt_promises(lines) == {"S": 4 + 3 + 9, "T": 3}
    # lines decided again this run: PO-3 whole, PO-1's line 1
    assert receipt_promises(lines, again={("acme", "PO-3"): None, ("acme", "PO-1"): {1}}) == {"S": 3, "T": 3}


def test_receipts_left_takes_promised_units_from_the_earliest_receipts_of_their_sku():
    receipts = pa.Table.from_pylist([
        {"warehouse": "W2", "sku": "S", "quantity": 5, "eta": date(2026, 12, 20)},
        {"warehouse": "W1", "sku": "S", "quantity": 3, "eta": date(2026, 12, 4)},
        {"warehouse": "W1", "sku": "T", "quantity": 4, "eta": date(2026, 12, 1)},
        {"warehouse": "W1", "sku": "S", "quantity": 2, "eta": date(2026, 12, 30)}], schema=EXPECTED_RECEIPTS)
    left = receipts_left(receipts, {"S": 6, "X": 3})
    assert left.schema == receipts.schema
    assert left["quantity"].to_pylist() == [2, 0, 4, 2]  # 12-04's 3 first, then 3 of 12-20's 5
    assert receipts_left(receipts, {"S": 100})["quantity"].to_pylist() == [0, 0, 4, 0]
    assert receipts_left(receipts, {}) is receipts


def test_lines_as_planned_are_the_stored_lines_with_the_plans_laid_over():
    stored = {("acme", "PO-1"): (_line("PO-1", 1, LineState.BACKORDERED, backordered=4),),
              ("acme", "PO-2"): (_line("PO-2", 1, LineState.BACKORDERED, backordered=2),)}
    placed = (_line("PO-1", 1, LineState.ALLOCATED, allocated=4),)
    later = (_line("PO-3", 1, LineState.BACKORDERED, backordered=1),)
    plan = Plan(lines=(OrderLines("acme", "PO-1", (_line("PO-1", 1, LineState.BACKORDERED, backordered=1),)),
                       OrderLines("acme", "PO-1", placed), OrderLines("acme", "PO-3", later)))
    assert lines_as_planned(stored, plan) == {("acme", "PO-1"): placed, ("acme", "PO-2"): stored[("acme", "PO-2")],
                                              ("acme", "PO-3"): later}


def test_allocate_keeping_promises_new_lines_only_what_the_owed_backorders_leave_of_the_receipts():
    """A receipt of 24 on 12-04, no stock: PO-1 (answered earlier) holds 12 of it by its open backorder, so PO-2's
    24 are promised 12 and 12 are not placeable; when PO-1 is itself decided now its lines are allocated afresh
    (its old backorder not counted besides); while it waits for a person it keeps holding them."""
    from engine.decide import ACCEPTED, PENDING, OrderDecision
    from engine.kept_stock import allocate_keeping
    from schemas.allocation import AllocationPolicy
    from schemas.inventory import ALLOCATION_INPUT, INVENTORY_SNAPSHOT

    lines = pa.Table.from_pylist([{
        "partner": "acme", "order_ref": "acme|PO-2", "po_number": "PO-2", "line_number": 1, "sku": "A",
        "quantity": Decimal(24), "requested_ship_date": date(2026, 12, 1), "po_date": date(2026, 11, 26),
        "arrival": 0}], schema=ALLOCATION_INPUT)
    snapshot = pa.Table.from_pylist([{"as_of": date(2026, 11, 28), "warehouse": "EAST", "sku": "A", "on_hand": 0,
                                      "reserved": 0}], schema=INVENTORY_SNAPSHOT)
    receipts = pa.Table.from_pylist([{"warehouse": "EAST", "sku": "A", "quantity": 24, "eta": date(2026, 12, 4)}],
                                    schema=EXPECTED_RECEIPTS)
    owed = {("acme", "PO-1"): (_line("PO-1", 1, LineState.BACKORDERED, sku="A", backordered=12),)}

    def placed(po1_status):
        decisions = [OrderDecision("acme", "PO-2", "acme|PO-2", "po.x12", ACCEPTED)]
        if po1_status:
            decisions.append(OrderDecision("acme", "PO-1", "acme|PO-1", "po.x12", po1_status))
        result = allocate_keeping(lines, snapshot, receipts, {"acme": AllocationPolicy()}, decisions=decisions,
                                  reserved=[], held={}, changed={}, today=date(2026, 11, 28), owed=owed)
        return [(int(r["backordered"]), int(r["rejected"]), r["promised_date"], r["reason"])
                for r in result.lines.to_pylist()]

    assert placed(None) == [(12, 0, date(2026, 12, 4), "backordered"), (0, 12, None, "no_receipt")]
    assert placed(PENDING) == placed(None)
    assert placed(ACCEPTED) == [(24, 0, date(2026, 12, 4), "backordered")]
