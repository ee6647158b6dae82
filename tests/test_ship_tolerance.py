"""The over/under-shipment tolerance agreed with a partner ([fulfilment] over_ship_percent / under_ship_percent):
a metals service center's mill order shipped within +/- 10 % of what was ordered (the rg59 Ryerson fixture: sheets
ordered as 4,900 LB, 25 sheets of 196 LB). Within the over tolerance the shipment is taken, shipped and billed as
shipped (SHIPMENT_WITHIN_TOLERANCE); beyond it, held as before (SHIPMENT_OVER_RESERVED); within the under tolerance
the order is complete at what shipped (its balance cancelled: engine.lifecycle.balance); a partner without a
tolerance is as before. X12's 850 carries no such tolerance (no 850 guide of a paper or steel buyer in the public
corpus states one): the profile says it."""

from __future__ import annotations

from datetime import timedelta

from tests.retailer_support import po_segments, segments, variant_night
from tests.test_rg59_metals_chemicals_resin import FIXTURES, NIGHT, SHIP_DAY, WAREHOUSES

SHEETS = "RG59-01,25,EA,RY-B1,4930,LB,,4872,LB"
TOLERANT = [("[fulfilment.sscc]", "[fulfilment]\nover_ship_percent = 10\nunder_ship_percent = 10\n\n"
             "[fulfilment.sscc]")]


def _night(tmp_path, sheets: int, *, weight: int = 5066, profile_swaps=TOLERANT):
    """The Ryerson PO's night with ``sheets`` sheets of line 1 shipped, ``weight`` LB net (a catch-weight line: billed
    by the net weight shipped)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    return variant_night(FIXTURES, "ryerson", "RY4500918", tmp_path, warehouses=WAREHOUSES, night=NIGHT,
                         ship_day=SHIP_DAY, profile_swaps=profile_swaps,
                         shipped_swaps=[(SHEETS, f"RG59-01,{sheets},EA,RY-B1,{weight + 58},LB,,{weight},LB")])


def _exceptions(ws) -> set[tuple[int, str]]:
    """The reconciliation's exceptions of the PO's lines, a week after the ship day (every document delivered)."""
    from connectors.state import StateStore
    from flows.reconcile import reconcile_run

    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=SHIP_DAY + timedelta(days=7), run_id="recon")
        return {(x["line_number"], x["type"]) for x in state.stored_exceptions(active=True).to_pylist()
                if x["po_number"] == "RY4500918" and x["type"] != "DOCUMENT_UNACKNOWLEDGED"}
    finally:
        state.close()


def _codes(found) -> set[str]:
    return {c for c, _s, _po, _m in found}


def test_one_sheet_over_within_ten_percent_is_shipped_and_billed_as_shipped(tmp_path):
    ws, found, states = _night(tmp_path, 26)  # 26 sheets of 25 (+4 %), 5,066 LB of 4,900 (+3.4 %)
    assert states == {("ryerson", "RY4500918"): "invoiced"}, found
    assert "SHIPMENT_OVER_RESERVED" not in _codes(found)
    (told,) = [m for c, s, _po, m in found if c == "SHIPMENT_WITHIN_TOLERANCE"]
    assert "10% over-shipment tolerance" in told, told
    inv = po_segments(segments(ws, "ryerson", "810"), "RY4500918", "BIG")
    it1 = [s for s in inv if s[0] == "IT1" and s[1] == "1"]
    assert it1 and it1[0][2:6] == ["5066", "LB", "0.5275", "PP"], it1
    assert _exceptions(ws) == set()  # within the tolerance: no OVER_SHIPMENT


def test_fifteen_percent_over_is_held_as_before(tmp_path):
    _ws, found, states = _night(tmp_path, 29, weight=5684)  # 5,684 LB of 4,900: +16 %
    assert states == {("ryerson", "RY4500918"): "acknowledged"}, found
    assert "SHIPMENT_OVER_RESERVED" in _codes(found) and "SHIPMENT_WITHIN_TOLERANCE" not in _codes(found)


def test_under_within_the_tolerance_is_complete_and_billed_as_shipped(tmp_path):
    ws, found, states = _night(tmp_path, 23, weight=4508)  # 4,508 LB of 4,900: -8 %
    assert states == {("ryerson", "RY4500918"): "invoiced"}, found
    (told,) = [m for c, s, _po, m in found if c == "SHIPMENT_WITHIN_TOLERANCE"]
    assert "10% under-shipment tolerance" in told, told
    inv = po_segments(segments(ws, "ryerson", "810"), "RY4500918", "BIG")
    it1 = [s for s in inv if s[0] == "IT1" and s[1] == "1"]
    assert it1 and it1[0][2:6] == ["4508", "LB", "0.5275", "PP"], it1
    assert _exceptions(ws) == set()  # complete within the tolerance: nothing promised and not shipped


def test_under_beyond_the_tolerance_waits_for_the_back_order(tmp_path):
    _ws, found, states = _night(tmp_path, 20, weight=3920)  # 3,920 LB of 4,900: -20 %
    assert states == {("ryerson", "RY4500918"): "partially_shipped"}, found
    assert "SHIPMENT_WITHIN_TOLERANCE" not in _codes(found)


def test_a_partner_without_a_tolerance_is_held_over_and_waits_under_as_before(tmp_path):
    _ws, found, states = _night(tmp_path / "over", 26, profile_swaps=())
    assert states == {("ryerson", "RY4500918"): "acknowledged"}, found
    assert "SHIPMENT_OVER_RESERVED" in _codes(found) and "SHIPMENT_WITHIN_TOLERANCE" not in _codes(found)
    _ws, found, states = _night(tmp_path / "under", 23, weight=4508, profile_swaps=())
    assert states == {("ryerson", "RY4500918"): "partially_shipped"}, found
