"""Dates in an 850's PO1 loops read as the heading's are (one mapping: parsers.x12_dates.first_dated): a line's
own DTM 002/010/001/063/064, or a twin where the line lacks the standard one (106/996/074 as 002, 118 as 010,
175/177 as 001, 061 as 063), as retailers' 850 guides put per-item ship, delivery and cancel dates in the PO1
loop. A line's requested ship date dates its 855 ACKs and ranks it; its cancel date decides its backorder.

And the cancel-date check of a backorder goes by the day it ships (engine.answer.backorder_day: its receipt's,
its requested ship day when later), what its IB promises, not by the receipt's day.

GLOBEX-2000 (the demo), night 1: heading DTM 010 2026-12-10; line 3 (SKU-1005) waits for a receipt of
2026-12-15, line 4 (SKU-1003) reserves 24 of 36 and backorders 12 on a receipt of 2026-12-04."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.order_store import OrderStore
from connectors.state import StateStore
from engine.lifecycle.backorders import backorder_input
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from schemas.lifecycle import LineRecord, LineState, OrderRecord, OrderState
from tests.support import make_workspace, run_stages, shipping_workspace
from tests.support import x12_850 as support_850
from tests.test_backorder_cancel_date import NIGHT1, globex_with, story
from tests.test_cancel_date_moves import _outbox, globex_line_dates
from tests.test_sch_schedules import HEAD, x12_850


def _acks(ws) -> list[str]:
    (first, *_rest) = _outbox(ws, "855")
    return [s for s in first.replace("\r", "").replace("\n", "").split("~") if s.startswith(("PO1", "ACK"))]


def test_a_line_s_own_ship_and_cancel_dates_and_their_twins_drive_its_answer(tmp_path):
    """Line 1 asks a pick-up (118, read as 010) of 2026-12-08, line 2 its own DTM 010 2026-12-03: their ACKs are
    dated so (they were the order's 2026-12-10). Line 3 says 175 Cancel if Not Shipped by 2026-12-20 (read as
    its 001): its receipt of 2026-12-15 is in time, an IB (by the order's 001 2026-12-10 it was IR). Line 4's
    037 (ship not before) is its own window's opening, kept (ORDER_LINES ship_not_before) and not named; it used to
    be named alone (LINE_DATES_NOT_APPLIED) and dropped."""
    ws = make_workspace(tmp_path / "ws")
    globex_with(ws, "DTM|001|20261210~")
    globex_line_dates(ws, "PID|F||||Copy paper", "DTM|118|20261208~")
    globex_line_dates(ws, "PID|F||||Pens black", "DTM|010|20261203~")
    globex_line_dates(ws, "PID|F||||Gel pen red", "DTM|175|20261220~")
    globex_line_dates(ws, "PID|F||||Pens blue", "DTM|037|20261201~")
    run_stages(ws, NIGHT1)
    record, lines, _events, late, _reserved = story(ws)
    stored = OrderStore(ws.orders_dir).load("globex", record.lines_key)[1]
    own = {r["line_number"]: (r["requested_ship_date"], r["cancel_after"]) for r in stored.to_pylist()
           if r["po_number"] == "GLOBEX-2000"}
    assert own == {1: (date(2026, 12, 8), None), 2: (date(2026, 12, 3), None), 3: (None, date(2026, 12, 20)),
                   4: (None, None)}
    assert {r["line_number"]: r["ship_not_before"] for r in stored.to_pylist() if r["po_number"] == "GLOBEX-2000"
            } == {1: None, 2: None, 3: None, 4: date(2026, 12, 1)}
    acks = _acks(ws)
    assert "ACK|IA|12|EA|068|20261208" in acks and "ACK|IA|48|EA|068|20261203" in acks
    assert "ACK|IB|30|EA|068|20261215" in acks  # line 3: its own cancel date keeps the backorder
    assert (lines[3].backordered, lines[3].rejected) == (30, 0) and not late
    state = StateStore(ws.state_url)
    try:
        named = [f for f in state.findings(partner="globex", po_number="GLOBEX-2000")
                 if f["code"] == "LINE_DATES_NOT_APPLIED"]
    finally:
        state.close()
    assert not named


def test_line_twins_are_read_as_their_standard_dates_and_the_standard_one_wins():
    """Each PO1 loop reads its dates as the heading does: 106/996/074 as 002, 118 as 010, 175/177 as 001, 061
    as 063, where the line does not send that one itself (the standard one wins; a twin with another date is
    named); a date of the line's N1 destination is no date of the line."""
    body = HEAD + ["PO1*1*12*EA*2.50*PE*UP*073000040482", "DTM*106*20261215", "DTM*118*20261210",
                   "DTM*177*20261220", "DTM*061*20261222",
                   "PO1*2*6*EA*10*PE*VN*SKU-2", "DTM*001*20261218", "DTM*175*20261219", "DTM*996*20261216",
                   "N1*ST*DC 8*92*DC08", "DTM*010*20261211", "CTT*2*18"]
    result = read_interchanges(x12_850(body), file="po.x12")
    _orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    got = lines.select(["requested_delivery_date", "requested_ship_date", "cancel_after",
                        "do_not_deliver_after"]).to_pylist()
    assert got == [
        {"requested_delivery_date": date(2026, 12, 15), "requested_ship_date": date(2026, 12, 10),
         "cancel_after": date(2026, 12, 20), "do_not_deliver_after": date(2026, 12, 22)},
        {"requested_delivery_date": date(2026, 12, 16), "requested_ship_date": None,
         "cancel_after": date(2026, 12, 18), "do_not_deliver_after": None}]
    from tests.test_sch_schedules import found
    # line 2's N1*ST (DC 8) is another party than the heading's (DC 7): a true LINE_SHIP_TO_NOT_APPLIED too
    assert [g.code for g in found(body)].count("LINE_SHIP_TO_NOT_APPLIED") == 1
    [f] = [g for g in found(body) if g.code != "LINE_SHIP_TO_NOT_APPLIED"]
    assert f.code == "LINE_DATES_NOT_APPLIED"
    assert "(line 2: DTM 175 20261219; line 2: DTM 010 20261211)" in f.message


def test_a_backorder_is_late_by_the_day_it_ships_not_its_receipt_s(tmp_path):
    """Line 4's 12 backordered eaches are covered by a receipt of 2026-12-04, before the order's cancel date
    2026-12-07, but they ship with the order on its requested ship date 2026-12-10 (its IB says so): after
    the cancel date, so the backorder is refused (855 IR) and BACKORDER_AFTER_CANCEL names 2026-12-10. By the
    receipt's day it was promised (IB 2026-12-10, past the buyer's cancel date) without a word."""
    ws = make_workspace(tmp_path / "ws")
    globex_with(ws, "DTM|001|20261207~")
    run_stages(ws, NIGHT1)
    _record, lines, _events, late, _reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (24, 0, 12)
    assert "ACK|IB|12|EA|068|20261210" not in _acks(ws) and "ACK|IR|12|EA" in _acks(ws)
    (four,) = [f for f in late if f["message"].startswith("Line 4:")]
    assert "could ship 2026-12-10 at the earliest" in four["message"]
    assert "DTM 001 (cancel after) 2026-12-07" in four["message"]


def _acme_po(ws, number: str, ship: str, isa13: int, line_dates: tuple[str, ...] = ()) -> None:
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    body = [f"BEG*00*SA*{number}**20261126", "CUR*BY*USD", f"DTM*010*{ship}", "N1*ST*DC 7*92*DC07", "N3*1 Way",
            "N4*Columbus*OH*43215*US", "PO1*1*10*EA*35.06*PE*UP*614141102136", *line_dates, "CTT*1"]
    (inbox / f"{number}.x12").write_bytes(support_850(body, isa13=isa13, gs06=str(isa13)))


def test_a_line_s_own_requested_ship_date_ranks_it_for_short_stock(tmp_path):
    """SKU-1030 (none on hand) has receipts of 10 on 2026-12-04 and 2026-12-20. PO-A asks shipment 2026-12-05;
    PO-B's heading asks 2026-12-10 but its line asks its own 2026-12-02 (DTM 010 in the PO1 loop): the line
    asked earlier takes the first receipt (promised 2026-12-04), PO-A the second. Ranked by PO-B's heading date
    alone, PO-A took it and PO-B's line, wanted first, waited for 2026-12-20."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    inventory = ws.root / "inventory"
    pq.write_table(pa.table({"warehouse": ["EAST", "EAST"], "sku": ["SKU-1030", "SKU-1030"], "quantity": [10, 10],
                             "eta": [date(2026, 12, 4), date(2026, 12, 20)]},
                            schema=pq.read_schema(inventory / "receipts.parquet")), inventory / "receipts.parquet")
    _acme_po(ws, "PO-A", "20261205", 11)
    _acme_po(ws, "PO-B", "20261210", 12, ("DTM*010*20261202",))
    run_stages(ws, datetime(2026, 11, 27, 2))
    state = StateStore(ws.state_path)
    try:
        promised = {po: [(ln.backordered, ln.promised_date) for ln in state.order_lines("acme", po)]
                    for po in ("PO-A", "PO-B")}
    finally:
        state.close()
    assert promised == {"PO-A": [(10, date(2026, 12, 20))], "PO-B": [(10, date(2026, 12, 4))]}


def test_backorder_input_ranks_a_line_by_its_own_requested_ship_date():
    """A later run offers backorders stock by the line's own requested ship date first, its order's else."""
    records = [OrderRecord("acme", po, OrderState.ACKNOWLEDGED, arrival=i) for i, po in enumerate(("PO-1", "PO-2"))]
    lines = {r.key: (LineRecord("acme", r.po_number, 1, LineState.BACKORDERED, sku="SKU-1", backordered=4,
                                promised_date=date(2026, 12, 20)),) for r in records}
    ships = {("acme", "PO-1"): date(2026, 12, 5), ("acme", "PO-2"): date(2026, 12, 10)}
    table = backorder_input(records, lines, ships, {("acme", "PO-2"): {1: date(2026, 12, 1)}})
    assert table["requested_ship_date"].to_pylist() == [date(2026, 12, 5), date(2026, 12, 1)]


def test_promotion_windows_expiration_and_other_heading_dates_are_named():
    """A heading's 025..028 (promotion ship / requested delivery start and end), 036 (expiration) and 110, 273,
    274 are no date of ours: named in the order's HEADING_DATES_NOT_APPLIED (they were dropped without a word),
    the order taken on its other dates."""
    from tests.test_dtm_twins import _found

    [f] = _found(["DTM*010*20261203", "DTM*025*20261201", "DTM*028*20261220", "DTM*036*20261231",
                  "DTM*110*20261205", "DTM*273*20261206", "DTM*274*20261207"])
    assert f.code == "HEADING_DATES_NOT_APPLIED" and f.location.value == "20261201"
    for words in ("DTM 025 20261201 (promotion ship - start)", "DTM 028 20261220 (promotion requested delivery - end)",
                  "DTM 036 20261231 (expiration)", "DTM 110 20261205 (not a date we keep)", "DTM 273 20261206",
                  "DTM 274 20261207"):
        assert words in f.message
    assert "20261203" not in f.message


def test_an_860_poc_s_line_twin_moves_the_line_s_date_and_is_not_named():
    """Under an 860 POC, a line's DTM 175 (cancel if not shipped by) is read as its 001, as the 850's PO1 loop
    reads it: the change carries the line's new cancel date (engine.changes applies it) and the structure check
    does not name it as a date not applied; a DTM 017 beside it still is (a DTM 002 is the line's requested delivery
    date, kept too)."""
    from parsers.orders_860 import read_changes
    from tests.changes.builders import change_body, sets_860, x12_860
    from tests.changes.test_structure_860 import _codes

    body = change_body(["POC*1*CT*10*10*EA*2.50*PE*VN*SKU-1", "DTM*175*20261220", "DTM*002*20261222",
                        "DTM*017*20261223"])
    result = read_interchanges(x12_860(body), file="change.x12")
    _headers, changes = read_changes(result, sets_860(result), partner="acme")
    assert changes["cancel_after"].to_pylist() == [date(2026, 12, 20)]
    assert changes["requested_delivery_date"].to_pylist() == [date(2026, 12, 22)]
    assert _codes(body) == [("CHANGE_LINE_DATES_NOT_APPLIED", "DTM", 6)]
