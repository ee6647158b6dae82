"""Backorders that outlive their PO's cancel date: a later night's stock is not reserved for an order whose
cancel-after (DTM 001) or do-not-deliver-after (063) has passed. With the partner's late_backorder "reject"
(the default) the backordered units are cancelled (counted rejected, no document: the retailer's system
cancels at its cancel date itself) and one BACKORDER_AFTER_CANCEL finding names the lines; with
"promise" they are allocated as before and ops are warned once for the order, not every night.

GLOBEX-2000 (the demo) with DTM 001: night 1 reserves 24 of line 4's 36 (SKU-1003) and backorders 12,
promised 2026-12-10 (the order's ship date; its receipt is due 2026-12-04); a snapshot of 2026-12-11 brings
200 more SKU-1003 to each warehouse."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from typer.testing import CliRunner

from connectors.state import StateStore
from engine.lifecycle import TRANSITIONS, backorders
from flows.cli import app
from schemas.lifecycle import EventKind, LineRecord, LineState, OrderRecord, OrderState
from tests.support import make_workspace, run_stages

NIGHT1 = datetime(2026, 11, 27, 2)


def globex_with(ws, dtms: str) -> None:
    """GLOBEX-2000 carrying ``dtms`` (DTM segments, "|"-separated as globex sends them) after its DTM 010."""
    po = ws.drop_root / "globex" / "inbox" / "globex-po-01.x12"
    text = po.read_bytes().decode()
    at = text.index("\n", text.index("DTM|010|20261210")) + 1
    se = text.index("SE|16|0001")
    added = dtms.count("~")
    po.write_bytes((text[:at] + dtms.replace("~", "~\r\n") + text[at:se] + f"SE|{16 + added}|0001" +
                    text[se + len("SE|16|0001"):]).encode())


def dated_night1(root, dtms: str):
    """make_workspace(root) with GLOBEX-2000 carrying ``dtms`` (globex_with), after run_stages(ws, NIGHT1): a copy
    of that night, run once per test session and ``dtms`` (tests.support.from_template: a workspace the stages ran
    is the same workspace copied)."""
    from flows.workspace import open_workspace
    from tests.support import from_template

    def build(folder) -> None:
        ws = make_workspace(folder)
        globex_with(ws, dtms)
        run_stages(ws, NIGHT1)

    from_template(f"globex-night1-{dtms}", root, build)
    return open_workspace(root)


def stock_arrives(ws, as_of: str = "2026-12-11") -> None:
    """A snapshot of ``as_of``: the first one's, with 200 more SKU-1003 in each warehouse."""
    first = pq.read_table(ws.root / "inventory" / "snapshots" / "as_of=2026-11-26" / "part-0.parquet")
    more = pc.if_else(pc.equal(first["sku"], "SKU-1003"), pc.add(first["on_hand"], 200), first["on_hand"])
    folder = ws.root / "inventory" / "snapshots" / f"as_of={as_of}"
    folder.mkdir(parents=True)
    pq.write_table(first.set_column(first.schema.get_field_index("on_hand"), "on_hand",
                                    more.cast(first.schema.field("on_hand").type)), folder / "part-0.parquet")


def promise_late(ws) -> None:
    profile = ws.root / "partners" / "globex.toml"
    text = profile.read_text()
    assert "[allocation]\n" in text
    profile.write_text(text.replace("[allocation]\n", "[allocation]\nlate_backorder = \"promise\"\n", 1))


def story(ws, partner: str = "globex", po: str = "GLOBEX-2000"):
    state = StateStore(ws.state_url)
    try:
        return (state.order(partner, po), {ln.line_number: ln for ln in state.order_lines(partner, po)},
                [h["event"] for h in state.order_history(partner, po)],
                [f for f in state.findings(partner=partner, po_number=po) if f["code"] == "BACKORDER_AFTER_CANCEL"],
                {(r.line_number, r.warehouse): r.quantity for r in state.reservations_for([(partner, po)]).get(
                    (partner, po), ())})
    finally:
        state.close()


def test_after_the_cancel_date_a_backorder_is_cancelled_not_given_stock(tmp_path):
    ws = dated_night1(tmp_path / "ws", "DTM|001|20261210~")
    record, lines, _events, found, reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, str(lines[4].promised_date)) == (24, 12, "2026-12-10")
    assert len(found) == 1  # night 1: line 3 (due 2026-12-15) answered IR, as before
    before = dict(reserved)
    stock_arrives(ws)
    run_stages(ws, datetime(2026, 12, 11, 2))  # the day after the cancel date, with stock for line 4
    record, lines, events, found, reserved = story(ws)
    assert reserved == before  # nothing reserved for the backorder
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected, lines[4].state, lines[4].promised_date) == (
        24, 0, 12, LineState.ALLOCATED, None)
    assert "past_cancel_date" in lines[4].reason
    assert record.state == OrderState.ACKNOWLEDGED and events[-1] == "backorder_expired"
    assert "backorder_allocated" not in events
    late = found[1:]
    assert len(late) == 1 and late[0]["severity"] == "warning"
    assert "DTM 001 (cancel after) 2026-12-10 passed (run date 2026-12-11)" in late[0]["message"]
    assert "line 4 (12)" in late[0]["message"] and "No document is sent" in late[0]["message"]
    assert late[0]["consequence"] == "backorder cancelled (no document)"
    outbox = sorted((ws.drop_root / "globex" / "outbox").glob("*"))
    run_stages(ws, datetime(2026, 12, 12, 2))  # the next night has nothing left to report or send
    _record, _lines, again, found_again, _reserved = story(ws)
    assert len(found_again) == 2 and again == events
    assert sorted((ws.drop_root / "globex" / "outbox").glob("*")) == outbox
    res = CliRunner().invoke(app, ["status", "GLOBEX-2000", "--partner", "globex", "--json", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    shown = json.loads(res.stdout)
    line4 = next(ln for ln in shown["lines"] if ln["line_number"] == 4)
    assert (line4["backordered"], line4["rejected"], line4["state"]) == (0, 12, "allocated")
    assert "backorder_expired" in res.stdout


def test_on_the_cancel_date_itself_the_backorder_still_gets_its_stock(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    globex_with(ws, "DTM|063|20261211~")
    run_stages(ws, NIGHT1)
    stock_arrives(ws)
    run_stages(ws, datetime(2026, 12, 11, 2))
    _record, lines, events, found, reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (36, 0, 0)
    assert sum(q for (n, _w), q in reserved.items() if n == 4) == 36
    assert events[-1] == "backorder_allocated" and not [f for f in found if "passed" in f["message"]]


def test_with_late_backorder_promise_the_backorder_ships_and_ops_are_warned_once(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    promise_late(ws)
    globex_with(ws, "DTM|001|20261210~")
    run_stages(ws, NIGHT1)
    _record, lines, _events, found, _reserved = story(ws)
    assert lines[3].backordered == 30 and len(found) == 1  # promised all the same at night 1 (as before)
    run_stages(ws, datetime(2026, 12, 11, 2))  # no new stock: nothing placed, the warning still comes
    _record, lines, events, found, _reserved = story(ws)
    assert (lines[4].backordered, lines[3].backordered) == (12, 30) and events[-1] == "backorder_past_cancel"
    late = found[1:]
    assert len(late) == 1 and "late_backorder = \"promise\"" in late[0]["message"]
    assert "line 3 (30), line 4 (12)" in late[0]["message"] and late[0]["consequence"] == "none (warning)"
    stock_arrives(ws, "2026-12-12")
    run_stages(ws, datetime(2026, 12, 12, 2))
    _record, lines, events, found, reserved = story(ws)
    # line 4 takes the new stock; line 3 (another SKU) still waits: the order is offered stock again,
    # and not warned again
    assert (lines[4].allocated, lines[4].backordered, lines[3].allocated, lines[3].backordered) == (36, 0, 0, 30)
    assert events.count("backorder_past_cancel") == 1 and events[-1] == "backorder_allocated"
    assert len(found) == 2


def _record(state=OrderState.PARTIALLY_SHIPPED) -> OrderRecord:
    return OrderRecord("acme", "P1", state, source_file="po.x12", isa13="1", gs06="1", st02="0001")


def test_what_is_left_moves_the_order():
    ln = LineRecord("acme", "P1", 1, LineState.PARTIALLY_SHIPPED, sku="S", allocated=10, backordered=5,
                    shipped=Decimal(10))
    passed = {("acme", "P1"): backorders.Passed("DTM 001 (cancel after) 2026-12-10", (("001", date(2026, 12, 10)),))}
    kw = {"passed": passed, "today": date(2026, 12, 11), "at": "2026-12-11T02:00:00", "run_id": "r"}
    plan = backorders.plan_expired([_record()], lines={("acme", "P1"): (ln,)}, **kw)
    (t,) = plan.transitions
    assert t.record.state == OrderState.SHIPPED and t.events[0].event == EventKind.BACKORDER_EXPIRED_COMPLETED
    assert plan.lines[0].lines[0].state == LineState.SHIPPED and plan.lines[0].lines[0].rejected == 5
    billed = replace(ln, invoiced=Decimal(10))
    plan = backorders.plan_expired([_record()], lines={("acme", "P1"): (billed,)}, **kw)
    assert plan.transitions[0].record.state == OrderState.INVOICED
    nothing = LineRecord("acme", "P1", 1, LineState.BACKORDERED, sku="S", backordered=5)
    plan = backorders.plan_expired([_record(OrderState.ACKNOWLEDGED)], lines={("acme", "P1"): (nothing,)}, **kw)
    assert plan.transitions[0].record.state == OrderState.CANCELLED
    assert plan.lines[0].lines[0].state == LineState.REJECTED and not plan.reservations
    assert all((s, e) in TRANSITIONS for s in (OrderState.ACKNOWLEDGED, OrderState.PARTIALLY_SHIPPED)
               for e in (EventKind.BACKORDER_EXPIRED, EventKind.BACKORDER_PAST_CANCEL))
    assert backorders.past_deadline([_record()], {("acme", "P1"): {"cancel_after": date(2026, 12, 10),
                                                                   "do_not_deliver_after": None}},
                                    today=date(2026, 12, 10)) == {}


def test_orders_with_event_reads_only_the_orders_asked(store_target):
    """The history read that keeps the "promise" warning to once, on SQLite and PostgreSQL."""
    from engine.lifecycle.table import create, move
    from schemas.lifecycle import Plan

    state = StateStore(store_target())
    try:
        at = "2026-12-11T02:00:00"
        for po in ("P1", "P2", "P3"):
            rec = OrderRecord("acme", po, OrderState.RECEIVED, source_file="po.x12")
            state.apply(Plan(transitions=(create(rec, at=at, run_id="r"),)), at=at, run_id="r")
        p2 = state.order("acme", "P2")
        state.apply(Plan(transitions=(move(p2, EventKind.ACKNOWLEDGED, at=at, run_id="r"),)), at=at, run_id="r")
        p2 = state.order("acme", "P2")
        state.apply(Plan(transitions=(move(p2, backorders.WARNED, at=at, run_id="r"),)), at=at, run_id="r")
        keys = [("acme", "P1"), ("acme", "P2"), ("acme", "P9"), ("globex", "P2")]
        assert state.orders_with_event(keys, backorders.WARNED) == {("acme", "P2")}
        assert state.orders_with_event(keys, "po_received") == {("acme", "P1"), ("acme", "P2")}
        assert state.orders_with_event([], backorders.WARNED) == set()
    finally:
        state.close()


def test_the_stock_goes_to_an_order_that_can_still_use_it(tmp_path):
    """Night 2 brings 12 SKU-1003 more than is reserved: GLOBEX-2000's backorder (its cancel date passed) is
    not offered them, so a new acme PO for 12 takes them (backorders are offered stock before new orders:
    without the cancel date the backorder would have had them)."""
    from tests.support import GOOD_PO, x12_850

    ws = dated_night1(tmp_path / "ws", "DTM|001|20261210~")
    assert story(ws)[1][4].backordered == 12
    state = StateStore(ws.state_url)
    try:
        ours = {(r["warehouse"], r["sku"]): r["quantity"] for r in state.reservations()}
    finally:
        state.close()
    first = pq.read_table(ws.root / "inventory" / "snapshots" / "as_of=2026-11-26" / "part-0.parquet")
    rows = first.to_pylist()
    for r in rows:
        if r["sku"] == "SKU-1003":
            r["on_hand"] = ours.get((r["warehouse"], "SKU-1003"), 0) + r["reserved"] + (12 if r["warehouse"] == "WEST"
                                                                                         else 0)
    folder = ws.root / "inventory" / "snapshots" / "as_of=2026-12-11"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=first.schema), folder / "part-0.parquet")
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    body = ["BEG*00*SA*PO-NEW**20261210", "CUR*BY*USD", "DTM*010*20261218", *GOOD_PO[3:6],
            "PO1*1*12*EA*39.20*PE*VN*VP-1003", "CTT*1*12"]
    (inbox / "po.x12").write_bytes(x12_850(body))
    run_stages(ws, datetime(2026, 12, 11, 2))
    _record, lines, _events, _found, reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered) == (24, 0), (_events, _found)
    _new, new_lines, _ev, _f, new_reserved = story(ws, "acme", "PO-NEW")
    assert (new_lines[1].allocated, new_lines[1].backordered) == (12, 0) and new_reserved == {(1, "WEST"): 12}


def test_the_units_backordered_are_said_in_the_line_s_unit_not_eaches():
    """A line's backordered units are counted in its PO103 unit (the 855's ACK02): 30 FT of wire, 2 CA, are not "30
    eaches" or "2 eaches"; lines of one unit add up in it, lines of several are said each in its own."""
    kw = {"passed": {("acme", "P1"): backorders.Passed("DTM 001 (cancel after) 2026-12-10",
                                                       (("001", date(2026, 12, 10)),))}, "today": date(2026, 12, 11),
          "at": "2026-12-11T02:00:00", "run_id": "r"}
    wire = LineRecord("acme", "P1", 1, LineState.BACKORDERED, sku="W", unit="FT", backordered=30)
    plan = backorders.plan_expired([_record(OrderState.ACKNOWLEDGED)], lines={("acme", "P1"): (wire,)}, **kw)
    (said,) = [f.finding.message for f in plan.findings]
    assert "with 30 FT still backordered: line 1 (30)" in said and "eaches" not in said
    pens = LineRecord("acme", "P1", 2, LineState.BACKORDERED, sku="P", unit="CA", backordered=2)
    plan = backorders.plan_expired([_record(OrderState.ACKNOWLEDGED)], lines={("acme", "P1"): (wire, pens)}, **kw)
    (said,) = [f.finding.message for f in plan.findings]
    assert "still backordered: line 1 (30 FT), line 2 (2 CA)" in said and "eaches" not in said
    each = LineRecord("acme", "P1", 1, LineState.BACKORDERED, sku="S", unit="EA", backordered=5)
    plan = backorders.plan_expired([_record(OrderState.ACKNOWLEDGED)], lines={("acme", "P1"): (each,)}, **kw)
    assert "with 5 eaches still backordered: line 1 (5)" in plan.findings[0].finding.message


def test_a_late_backorder_of_an_item_counted_in_a_measure_is_said_in_its_unit():
    """engine.allocate counts a line's backorder in its item's stock unit (items.csv unit): 30 of wire sold by the
    foot are "30 FT backordered", not "30 eaches"; an item in eaches, or no item master given, "eaches"."""
    from engine.allocate import LATE
    from engine.deadlines import late_backorder_findings

    late = pa.Table.from_pylist([{"partner": "acme", "order_ref": "r", "po_number": "P1", "line_number": 1,
                                  "units": 30, "promised_date": date(2026, 12, 20), "deliver_by": date(2026, 12, 10),
                                  "rejected": True}], schema=LATE)
    orders = pa.Table.from_pylist([{"partner": "acme", "po_number": "P1", "source_file": "po.x12", "isa13": "1",
                                    "gs06": "1", "st02": "0001", "cancel_after": date(2026, 12, 10),
                                    "do_not_deliver_after": None, "ship_no_later": None}])
    lines = pa.table({"partner": ["acme"], "po_number": ["P1"], "line_number": pa.array([1], pa.int32()),
                      "sku": ["WIRE-12"]})
    items = pa.table({"sku": ["WIRE-12"], "unit": ["FT"]})
    (found,) = late_backorder_findings(late, orders, lines=lines, items=items)
    assert found.finding.message.startswith("Line 1: the 30 FT backordered could ship 2026-12-20")
    (found,) = late_backorder_findings(late, orders)
    assert found.finding.message.startswith("Line 1: the 30 eaches backordered")
    each = pa.table({"sku": ["WIRE-12"], "unit": ["EA"]})
    (found,) = late_backorder_findings(late, orders, lines=lines, items=each)
    assert found.finding.message.startswith("Line 1: the 30 eaches backordered")
