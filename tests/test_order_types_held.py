"""BEG02 (code list 92) says what kind of order an 850 is. A blanket order (BE estimated, BK quantity firm;
KB, LB agreements) is called off by releases, an information copy (IN) asks for nothing, a shipped order
(SO) is already delivered, a bid or quote (BD, BQ) is no order: allocated and shipped whole, any of them
sent goods nobody called off (BEG02 was read and never looked at). Such an order now waits for a person
(ORDER_TYPE_UNSUPPORTED, hold_order: no 855 until approved or rejected), valid X12 (997 accepted); a
stand-alone, release, dropship ... order is acted on as before, a cancellation of any type too, and a
partner's profile may name its own held types ([rules] held_order_types)."""

from __future__ import annotations

from datetime import datetime

import pytest

from connectors.state import StateStore
from rules.business.purpose import check_order_type
from schemas.rule_settings import PartnerRuleOverrides, RuleSettings
from tests.business.tables import order, orders_table
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850
from tests.test_change_orders import docs

NIGHT = datetime(2026, 11, 27, 2)
LINES = ["PO1*1*10*EA*4.56*PE*VN*VP-1011", "PO1*2*12*EA*5.81*PE*VN*VP-1012", "CTT*2*22"]


def _night(tmp_path, beg: str):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850([beg, *GOOD_PO[1:6], *LINES]))
    run_stages(ws, NIGHT)
    return ws, StateStore(ws.state_path)


def test_a_blanket_order_waits_for_a_person_instead_of_shipping_whole(tmp_path):
    ws, state = _night(tmp_path, "BEG*00*BK*PO-1**20261126")
    found = state.order("acme", "PO-1")
    assert found.state == "held" and found.hold_codes == ("ORDER_TYPE_UNSUPPORTED",)
    assert "PO-1" not in docs(ws, "855")
    assert not [r for r in state.reservations() if r["quantity"]]  # nothing allocated for it
    [ack] = [p for p in (ws.drop_root / "acme" / "outbox").glob("*-997-*.x12")]
    assert b"AK5*A" in ack.read_bytes()  # valid X12: accepted


def test_a_stand_alone_order_is_acted_on_as_before(tmp_path):
    ws, state = _night(tmp_path, "BEG*00*SA*PO-1**20261126")
    assert state.order("acme", "PO-1").state == "acknowledged"
    [(_, bak02, _acks)] = docs(ws, "855")["PO-1"]
    assert bak02 == "AD"


@pytest.mark.parametrize("kind, held", [("BK", True), ("BE", True), ("IN", True), ("SO", True), ("SA", False),
                                        ("RL", False), ("DS", False), ("NE", False), (None, False)])
def test_which_order_types_are_held(kind, held):
    found = check_order_type(orders_table(order(order_type=kind)), RuleSettings())
    assert [(f.code, f.location.element, f.location.value) for f in found] == (
        [("ORDER_TYPE_UNSUPPORTED", "BEG02", kind)] if held else [])


def test_a_cancelled_blanket_is_acted_on_and_a_partner_may_name_its_own_types():
    assert check_order_type(orders_table(order(order_type="BK", purpose="01")), RuleSettings()) == []
    own = RuleSettings(partners={"acme": PartnerRuleOverrides(held_order_types=("CF",))})
    assert check_order_type(orders_table(order(order_type="BK")), own) == []
    assert [f.code for f in check_order_type(orders_table(order(order_type="CF")), own)] == ["ORDER_TYPE_UNSUPPORTED"]
