"""A line whose item has no price on file for the partner (PRICE_NOT_ON_FILE, outcome hold_line: "855
IH, line held for approval") holds its order for a person, as docs/error-codes.md and the failure
report say, instead of being answered IR (rejected) in an 855 sent at once: the missing price is our
reference data's gap, not the buyer's. Approved, the next run answers every line as sent; a line
another finding rejects is answered IR without holding the order."""

from __future__ import annotations

import csv
from datetime import datetime

from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850
from tests.test_change_orders import docs

NIGHT, NEXT = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)
LINES = ["PO1*1*10*EA*4.56*PE*VN*VP-1011", "PO1*2*12*EA*5.81*PE*VN*VP-1012", "CTT*2*22"]


def _workspace(tmp_path, body):
    ws = make_workspace(tmp_path / "ws", partners=())
    prices = ws.root / "reference" / "prices.csv"
    rows = list(csv.reader(prices.open()))
    with prices.open("w", newline="") as f:  # ACME has no price for SKU-1012 (VP-1012)
        csv.writer(f).writerows(r for r in rows if r[:2] != ["acme", "SKU-1012"])
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(body))
    return ws


def test_a_line_without_a_price_on_file_holds_the_order_until_a_person_decides(tmp_path):
    ws = _workspace(tmp_path, GOOD_PO[:6] + LINES)
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    order = state.order("acme", "PO-1")
    assert order.state == "held" and "PRICE_NOT_ON_FILE" in order.hold_codes
    assert "PO-1" not in docs(ws, "855")  # nothing promised or refused yet
    res = CliRunner().invoke(app, ["approve", "PO-1", "--partner", "acme", "--by", "Kim", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, NEXT)
    [(_, bak02, acks)] = docs(ws, "855")["PO-1"]
    assert bak02 == "AD" and [a[:3] for a in acks] == [["IA", "10", "EA"], ["IA", "12", "EA"]]


def test_a_line_rejected_for_another_reason_is_not_held_for_its_price(tmp_path):
    unknown = ["PO1*1*10*EA*4.56*PE*VN*VP-1011", "PO1*2*12*EA*5.81*PE*VN*VP-1012*UP*614141100874", "CTT*2*22"]
    ws = _workspace(tmp_path, GOOD_PO[:6] + unknown)  # line 2: a GTIN with a wrong check digit (IR)
    run_stages(ws, NIGHT)
    assert StateStore(ws.state_path).order("acme", "PO-1").state == "acknowledged"
    [(_, bak02, acks)] = docs(ws, "855")["PO-1"]
    assert bak02 == "AC" and [a[0] for a in acks] == ["IA", "IR"]
