"""X12.6: a variable-length value's trailing spaces are not significant (the sender suppresses them).
Translators fed from fixed-width records still send them ('VP-1011   ', 'DC07  '): such a PO names the
same items and ship-to as without them, and is acknowledged as any valid PO, not rejected line by line
(ITEM_UNKNOWN) or held (SHIP_TO_UNKNOWN). Leading spaces stay significant; a value of spaces is empty."""

from __future__ import annotations

from datetime import datetime

from connectors.state import StateStore
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850
from tests.test_change_orders import docs

NIGHT = datetime(2026, 11, 27, 2)
PADDED = ["BEG*00*SA*PO-1**20261126", "CUR*BY*USD", "DTM*010*20261210", "N1*ST*DC 7   *92*DC07   ",
          "N3*1 Way", "N4*Columbus*OH*43215*US", "PO1*1*10*EA*4.56*PE*VN*VP-1011   ",
          "PO1*2*12*EA*5.81*PE*VN*VP-1012*BP*   ", "CTT*2*22"]


def _orders(body):
    parsed = read_interchanges(x12_850(body))
    return read_orders(parsed, list(parsed.transaction_sets()), partner="acme")


def test_trailing_spaces_are_not_part_of_a_value():
    orders, lines = _orders(PADDED)
    assert orders["ship_to_id"].to_pylist() == ["DC07"] and orders["ship_to_name"].to_pylist() == ["DC 7"]
    ids = [[(p["qualifier"], p["id"]) for p in ps] for ps in lines["product_ids"].to_pylist()]
    assert ids == [[("VN", "VP-1011")], [("VN", "VP-1012"), ("BP", None)]]  # BP of spaces: empty, as 'BP*' is
    assert [int(q) for q in lines["quantity"].to_pylist()] == [10, 12]


def test_leading_spaces_stay_significant():
    _, lines = _orders(GOOD_PO[:6] + ["PO1*1*10*EA*4.56*PE*VN*  VP-1011", "CTT*1*10"])
    assert [p["id"] for p in lines["product_ids"].to_pylist()[0]] == ["  VP-1011"]


def test_a_po_with_padded_ids_is_acknowledged_as_sent(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(PADDED))
    run_stages(ws, NIGHT)
    order = StateStore(ws.state_path).order("acme", "PO-1")
    assert order.state == "acknowledged", order
    [(_, bak02, acks)] = docs(ws, "855")["PO-1"]
    assert bak02 == "AD" and [a[:3] for a in acks] == [["IA", "10", "EA"], ["IA", "12", "EA"]]


def test_an_860_names_its_po_and_items_without_trailing_spaces():
    from parsers.orders_860 import read_changes
    from tests.changes.builders import parse_860, sets_860, x12_860

    result = parse_860(x12_860(["BCH*04*SA*PO-1  **20261126", "POC*1*DI*12*0*EA*4.56**VN*VP-1011   ", "CTT*1"]))
    headers, changes = read_changes(result, sets_860(result), partner="acme")
    assert headers["po_number"].to_pylist() == ["PO-1"]
    assert changes["product_ids"].to_pylist() == [[{"qualifier": "VN", "id": "VP-1011"}]]
