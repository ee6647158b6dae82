"""Backorders of one SKU offered stock in a later run are ranked as any order's lines are (docs/design.md
Allocation; the policies' priority_order: tier, the order's requested ship date, PO date, arrival), not by the
line's stored promise. The promise is the receipt's day, or the order's ship date when later
(engine.answer.backorder_day): an order asked for later whose receipt came first used to be served before one
asked for earlier whose receipt comes later.

ACME orders SKU-1030 (UPC 614141102136, none on hand); receipts of 10 on 12-04, 12-20 and 12-28.
Night 1: PO-B (ship 12-10) is promised the 12-04 receipt (12-10). Night 2: PO-C (ship 12-02) is promised the
12-20 receipt, PO-A (ship 12-05) the 12-28 one (the 12-04 one is PO-B's: tests/test_receipt_promises.py). Night 3
finds 20 on hand: PO-C and PO-A (ship 12-02, 12-05) take them; PO-B (ship 12-10) waits for its receipt. By
promise (12-10, 12-20, 12-28) PO-B used to take PO-A's."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.state import StateStore
from engine.lifecycle.backorders import backorder_input
from schemas.lifecycle import LineRecord, LineState, OrderRecord, OrderState
from tests.support import run_stages, shipping_workspace, x12_850


def _po(ws, number: str, ship: str, isa13: int) -> None:
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    body = [f"BEG*00*SA*{number}**20261126", "CUR*BY*USD", f"DTM*010*{ship}", "N1*ST*DC 7*92*DC07", "N3*1 Way",
            "N4*Columbus*OH*43215*US", "PO1*1*10*EA*35.06*PE*UP*614141102136", "CTT*1"]
    (inbox / f"{number}.x12").write_bytes(x12_850(body, isa13=isa13, gs06=str(isa13)))


def _lines(ws) -> dict[str, tuple]:
    state = StateStore(ws.state_path)
    try:
        return {po: next((ln.allocated, ln.backordered, ln.promised_date) for ln in state.order_lines("acme", po))
                for po in ("PO-A", "PO-B", "PO-C")}
    finally:
        state.close()


def test_backorders_found_stock_go_by_the_orders_requested_ship_date(tmp_path):
    ws = shipping_workspace(tmp_path / "ws", partners=())
    inventory = ws.root / "inventory"
    pq.write_table(pa.table({"warehouse": ["EAST"] * 3, "sku": ["SKU-1030"] * 3, "quantity": [10, 10, 10],
                             "eta": [date(2026, 12, 4), date(2026, 12, 20), date(2026, 12, 28)]},
                            schema=pq.read_schema(inventory / "receipts.parquet")), inventory / "receipts.parquet")
    _po(ws, "PO-B", "20261210", 11)
    run_stages(ws, datetime(2026, 11, 27, 2))
    _po(ws, "PO-A", "20261205", 12)
    _po(ws, "PO-C", "20261202", 13)
    run_stages(ws, datetime(2026, 11, 28, 2))
    assert _lines(ws) == {"PO-A": (0, 10, date(2026, 12, 28)), "PO-B": (0, 10, date(2026, 12, 10)),
                          "PO-C": (0, 10, date(2026, 12, 20))}
    snapshots = inventory / "snapshots"
    old = pq.read_table(snapshots / "as_of=2026-11-26" / "part-0.parquet")
    rows = [r | ({"on_hand": 20} if (r["warehouse"], r["sku"]) == ("EAST", "SKU-1030") else {})
            for r in old.to_pylist()]
    (snapshots / "as_of=2026-11-29").mkdir()
    pq.write_table(pa.Table.from_pylist(rows, schema=old.schema), snapshots / "as_of=2026-11-29" / "part-0.parquet")
    run_stages(ws, datetime(2026, 11, 29, 2))
    assert _lines(ws) == {"PO-A": (10, 0, None), "PO-B": (0, 10, date(2026, 12, 10)), "PO-C": (10, 0, None)}


def test_backorder_input_ranks_by_the_orders_ship_date_and_by_the_promise_only_when_it_is_unknown():
    records = [OrderRecord("acme", po, OrderState.ACKNOWLEDGED, arrival=i) for i, po in enumerate(("PO-1", "PO-2"))]
    lines = {r.key: (LineRecord("acme", r.po_number, 1, LineState.BACKORDERED, sku="SKU-1", backordered=4,
                                promised_date=date(2026, 12, 20)),) for r in records}
    table = backorder_input(records, lines, {("acme", "PO-1"): date(2026, 12, 5)})
    assert table["requested_ship_date"].to_pylist() == [date(2026, 12, 5), date(2026, 12, 20)]
    assert backorder_input(records, lines, {("acme", "PO-1"): None})["requested_ship_date"].to_pylist() == \
        [None, date(2026, 12, 20)]
