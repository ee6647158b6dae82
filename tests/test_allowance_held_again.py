"""What deals4 left of allowances after shipment (engine.lifecycle.allowance_hold), each on a real night from
tests.test_allowance_after_shipment_held's: ACME (threshold 5 %) orders 4 CA of SKU-1003 at 470.40; 2 CA ship and
are invoiced (INV0000001); an 860 adds a heading 12 % C310 no deal agrees: held (ALLOWANCE_AFTER_SHIPMENT_HELD)."""

from __future__ import annotations

from connectors.state import StateStore
from engine import lifecycle
from tests.support import run_stages
from tests.test_allowance_after_shipment_held import DAY3, RAISE5, SIX, _decide, _further, _held_night, _record
from tests.test_deal_after_shipment import DAY2, _invoices, _ship
from tests.test_promotions_860 import _state


def _findings(ws, code: str) -> list[dict]:
    state = StateStore(ws.state_path)
    try:
        return [f for f in state.findings(partner="acme", po_number="PO-1") if f["code"] == code]
    finally:
        state.close()


def test_a_raise_with_a_new_allowance_names_it_in_the_hold_and_a_rejection_drops_it(tmp_path):
    """Held for the 12 % (the other 2 CA shipped while held, no 810), a further 860 raises line 1 to 5 CA and adds a
    6 % B720 no deal agrees: the order stays held, its reason naming the B720 (the rules decide the raise and hold
    it again), a hold finding at change2.x12 keeping the B720 as judged. Rejected, the next 810 goes without either
    allowance. It used to keep the old reason alone: the B720 was neither named nor dropped by a rejection."""
    ws = _held_night(tmp_path)
    _ship(ws, DAY2, "SHP-9002")
    assert [i[0] for i in _invoices(ws)] == ["INV0000001"]
    _further(ws, [RAISE5, SIX])
    record = _record(ws)
    assert (record.state.value, record.hold_codes) == ("held", ("ALLOWANCE_AFTER_SHIPMENT_HELD",)), record
    first, new = record.hold_reasons
    assert first.startswith("PO PO-1: the 860 in change.x12 adds after shipment SAC*A*C310 12 % at the heading"), first
    assert new.startswith("PO PO-1: the 860 in change2.x12 adds after shipment SAC*A*B720 6 % on line 1,"), new
    assert "18% below our price 470.4" in new, new
    found = _findings(ws, "ALLOWANCE_AFTER_SHIPMENT_HELD")
    assert [(f["file"], f["message"]) for f in found] == [("change.x12", first), ("change2.x12", new)], found
    _decide(ws, lifecycle.VERDICT_REJECTED, "neither agreed")
    assert _state(ws)[0] == "partially_shipped"  # 1 CA left to ship after the raise
    run_stages(ws, DAY3)
    # the 2 CA shipped while held billed without the 12 % and without the 6 % (with the B720 left: 884.35)
    assert _invoices(ws) == [("INV0000001", [], "94080"), ("INV0000002", [], "94080")], _invoices(ws)


TEN = "SAC*A*C310****1*10*****02"  # 10 % off the PO at order time, no deal: beyond the 5 % threshold


def _approved_night(tmp_path, change: tuple[str, ...]):
    """PO-1 with a heading 10 % C310 no deal agrees: held at order time (DISCOUNT_OVER_THRESHOLD), approved by a
    person, answered, 2 CA shipped and invoiced; then the 860 (``change``)."""
    from tests.support import shipping_workspace, x12_850
    from tests.test_change_after_shipment_855 import answered_by_855s
    from tests.test_change_units_860 import NIGHT1
    from tests.test_deal_acks import FALL, ON
    from tests.test_deal_after_shipment import DAY1, FOUR
    from tests.test_promotions_860 import DEALS, HEAD, REST, _changed

    ws = shipping_workspace(tmp_path / "ws", partners=())
    (ws.reference_dir / "deals.csv").write_text(DEALS + FALL, encoding="utf-8")
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text() + ON)
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850([*HEAD, TEN, *REST, FOUR, "CTT*1"]))
    run_stages(ws, NIGHT1)
    state, found = _state(ws)
    assert state == "held" and "DISCOUNT_OVER_THRESHOLD" in [c for c, _m in found], (state, found)
    _decide(ws, lifecycle.VERDICT_APPROVED, "10 % agreed with the buyer")
    run_stages(ws, NIGHT1.replace(hour=NIGHT1.hour + 1))
    answered_by_855s(ws, "acme")
    _ship(ws, DAY1, "SHP-9001")
    assert _state(ws)[0] == "partially_shipped"
    _changed(ws, list(change))
    return ws


def test_an_approval_at_order_time_covers_what_it_approved_after_shipment(tmp_path):
    """A person approved PO-1's 10 % C310 at order time (10 % below our price, beyond the 5 %). After shipment an
    860 adds a 1 % B720: 11 % off goes further than the approval covered: held, the reason saying what was approved
    (423.36) and what the allowances now come to (418.656). Another order's buyer withdraws the 10 % by one 860 and
    sends an 8 % B720 by the next: within what the person approved, not held, and the rest's 810 takes the 8 % off
    (INV0000002 TDS 865.54). Judged on the 860's allowances alone, any further allowance used to hold it."""
    ws = _approved_night(tmp_path / "further", ("SAC*A*B720****1*1*****02",))
    state, found = _state(ws)
    assert state == "held", found
    [why] = [m for c, m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"]
    assert "SAC*A*B720 1 % at the heading" in why and "A person approved 10% of the line off at order time (PO104 " \
        "470.40 net 423.36); the allowances now take 11% off (net 418.656): further than the approval " \
        "covered." in why, why
    assert _record(ws).hold_reasons == (why,)
    ws = _approved_night(tmp_path / "within", ("SAC*N*C310",))
    assert _state(ws)[0] == "partially_shipped"
    _further(ws, ["SAC*A*B720****1*8*****02"])
    state, found = _state(ws)
    assert state == "partially_shipped", found
    assert not [c for c, _m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"], found
    _ship(ws, DAY2, "SHP-9002")
    second = _invoices(ws)[1]
    assert second[0] == "INV0000002" and second[2] == "86554", second
    assert [(s[1], s[2], s[7]) for s in second[1]] == [("A", "B720", "8")], second
