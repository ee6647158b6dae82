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
