"""A PO line in a count unit (DZ: 12 by X12's definition) of an item sold by the each, through a night:
acknowledged IA as sent and reserved in eaches (it was rejected IR: UNIT_NOT_CONVERTIBLE)."""

from __future__ import annotations

from datetime import datetime

from connectors.state import StateStore
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850
from tests.test_change_orders import docs


def test_a_line_in_dozens_of_an_item_sold_by_the_each_is_accepted_and_reserved_in_eaches(tmp_path) -> None:
    # SKU-1001: 19.70 per each for acme, so 236.40 per dozen
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    body = GOOD_PO[:6] + ["PO1*1*2*DZ*236.40*PE*UP*614141100101", "CTT*1*2"]
    (inbox / "po.x12").write_bytes(x12_850(body))
    run_stages(ws, datetime(2026, 11, 27, 2))
    [(_, _, acks)] = docs(ws, "855")["PO-1"]
    assert [a[:3] for a in acks] == [["IA", "2", "DZ"]]
    reserved = sum(r["quantity"] for r in StateStore(ws.state_path).reservations() if r["sku"] == "SKU-1001")
    assert reserved == 24
