"""An order acknowledged and nothing of it shipped, past its last date, of a partner whose late_backorder is "reject"
(the default): the decide stage's backorder step cancels its backordered units alone (backorder_expired: "the order
keeps its reserved units"), and its allocated units used to stay reserved for ever. Once its partner's grace after
the date is over ([allocation] unshipped_grace_days, 7 by default: a buyer's 860 may still move the date, a
warehouse's confirmation of a shipment on the last day still come), the invoice stage cancels it whole as an order
shipped short past its date is (engine.lifecycle.balance): every open line rejected (reason past_cancel_date, codes
BALANCE_CANCELLED:n), every reservation released, the order cancelled (balance_cancelled_unshipped), one
BACKORDER_AFTER_CANCEL warning for ops, all shown by `orderbridge status`.

GLOBEX-2000 (the demo) with DTM 001 2026-12-10 (tests.test_backorder_cancel_date's night 1: line 4 reserved 24 of
36, backordered 12)."""

from __future__ import annotations

import json
from datetime import datetime

from typer.testing import CliRunner

from flows.cli import app
from schemas.lifecycle import LineState, OrderState
from tests.support import run_stages
from tests.test_backorder_cancel_date import dated_night1, story


def test_nothing_shipped_past_its_date_and_grace_the_order_ends_and_its_stock_is_released(tmp_path):
    ws = dated_night1(tmp_path / "ws", "DTM|001|20261210~")
    _record, _lines, _events, _found, reserved = story(ws)
    assert sum(reserved.values()) > 0
    run_stages(ws, datetime(2026, 12, 11, 2))  # past the date: the backorder cancelled, the rest kept (grace)
    run_stages(ws, datetime(2026, 12, 17, 2))  # the 7th day after it: still within the grace
    record, lines, events, found, kept = story(ws)
    assert record.state == OrderState.ACKNOWLEDGED and kept == reserved and events[-1] == "backorder_expired"
    run_stages(ws, datetime(2026, 12, 18, 2))  # the grace over, nothing shipped: the order ends
    record, lines, events, found, released = story(ws)
    assert record.state == OrderState.CANCELLED and events[-1] == "balance_cancelled_unshipped"
    assert released == {}
    live = [ln for ln in lines.values() if ln.reason.split("; ")[-1] == "past_cancel_date"]
    assert live and all(ln.state == LineState.REJECTED and not ln.allocated and not ln.backordered for ln in live)
    assert lines[4].balance_cancelled > 0 and not any(c.startswith("BALANCE_CANCELLED") for c in lines[4].codes)
    last = found[-1]
    assert last["stage"] == "shipments" and last["severity"] == "warning"
    assert "nothing of it shipped" in last["message"] and "DTM 001 (cancel after) 2026-12-10" in last["message"]
    assert f"{sum(reserved.values())} reserved unit(s) released" in last["message"], last["message"]
    run_stages(ws, datetime(2026, 12, 19, 2))  # told once: the order ended
    assert story(ws)[3] == found
    res = CliRunner().invoke(app, ["status", "GLOBEX-2000", "--partner", "globex", "--json", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    shown = json.loads(res.stdout)
    assert shown["order"]["state"] == "cancelled" and shown["reservations"] == []
    assert "balance_cancelled_unshipped" in [h["event"] for h in shown["history"]]
    assert any(f["code"] == "BACKORDER_AFTER_CANCEL" and "nothing of it shipped" in f["message"]
               for f in shown["findings"])


def test_a_partner_that_promises_late_backorders_keeps_the_order(tmp_path):
    from tests.test_backorder_cancel_date import promise_late

    ws = dated_night1(tmp_path / "ws", "DTM|001|20261210~")
    promise_late(ws)
    reserved = story(ws)[4]
    run_stages(ws, datetime(2026, 12, 20, 2))
    record, _lines, events, _found, kept = story(ws)
    assert record.state == OrderState.ACKNOWLEDGED and "balance_cancelled_unshipped" not in events
    assert sum(kept.values()) >= sum(reserved.values())
