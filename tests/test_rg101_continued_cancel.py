"""Round 101: a PO cancelled before its 850 came, under [continues] (one company under two profiles: meijer, A, and
meijer2, B, carrying on A's orders from 2026-11-26; tests/test_continued_profile.py). B's 860 cancelling MJ9000102
(BCH01 01) comes on 11-26, before any 850 of it: it waits as B's (CHANGE_AWAITING_ORDER) and is refused on 11-28
(CHANGE_ORDER_UNKNOWN). A's 850 of MJ9000102 comes on 11-29 through A's VAN. engine/early_cancel matched only the
same partner, so the 850 was taken (855 AD, stock reserved) though the buyer had cancelled it; it is held for a person
now (PO_CANCELLED_BEFORE_RECEIVED), the finding naming the 860 and the profile it came under."""

from __future__ import annotations

import shutil
from datetime import datetime

from tests.retailer_support import findings_and_states
from tests.test_continued_profile import A_850, B_860, BEFORE, SWITCH, _night, _workspace

CODE = "PO_CANCELLED_BEFORE_RECEIVED"
PO = "MJ9000102"


def _cancel_860(po: str = PO) -> str:
    text = B_860.read_text().replace("MJ9000101", po).replace("BCH|04|", "BCH|01|", 1)
    assert f"BCH|01|SA|{po}|" in text
    return text


def _late_850(tmp_path, *, partner_of_cancel: str = "meijer2"):
    ws = _workspace(tmp_path / "ws")
    assert not _night(ws, BEFORE)["failure"]
    (ws.drop_root / partner_of_cancel / "inbox").mkdir(parents=True, exist_ok=True)
    (ws.drop_root / partner_of_cancel / "inbox" / f"MEIJER_860_{PO}.x12").write_text(_cancel_860())
    for night in (SWITCH, datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)):
        assert not _night(ws, night)["failure"]
    found, states = findings_and_states(ws, lambda f: (f["partner"], f["code"], f["po_number"]))
    assert (partner_of_cancel, "CHANGE_ORDER_UNKNOWN", PO) in found, found
    assert ("meijer", PO) not in states
    shutil.copy2(A_850, ws.drop_root / "meijer" / "inbox")
    assert not _night(ws, datetime(2026, 11, 29, 2))["failure"]
    return ws


def test_a_cancel_refused_under_the_continuing_profile_holds_the_first_ones_late_850(tmp_path):
    ws = _late_850(tmp_path)
    found, states = findings_and_states(ws, lambda f: (f["partner"], f["code"], f["po_number"], f["message"]))
    assert states[("meijer", PO)] == "held", states
    [(partner, _c, _po, said)] = [f for f in found if f[1] == CODE]
    assert partner == "meijer" and f"The buyer cancelled PO {PO} before this 850 arrived" in said, said
    assert "(BCH01 01)" in said and "received 2026-11-26" in said and f"MEIJER_860_{PO}.x12" in said, said
    assert "as partner meijer2's, the same company: [continues]" in said, said
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        assert not state.order_reservations("meijer", PO)
    finally:
        state.close()


def test_kin_is_the_whole_continues_chain_either_way():
    from engine.early_cancel import kin_of

    assert kin_of({"b": "a", "c": "b", "y": "x"}) == {"a": {"b", "c"}, "b": {"a", "c"}, "c": {"a", "b"},
                                                      "x": {"y"}, "y": {"x"}}
    assert kin_of({}) == {}


def test_a_cancel_of_another_company_or_none_named_holds_nothing():
    """Pure: a refused cancel under a partner outside the order's chain matches nothing; with the chain it does."""
    from engine.early_cancel import cancels_before
    from schemas.lifecycle import OrderRecord, OrderState, StoredChange

    record = OrderRecord("meijer", PO, OrderState.RECEIVED, received_at="2026-11-29T02:00:00")
    change = StoredChange(7, "meijer2", PO, "000005001-5001-0001", "sha", "c.x12", "2026-11-26T02:00:00", "refused")
    assert cancels_before([record], [change]) == []
    assert cancels_before([record], [change], {"meijer": {"other"}}) == []
    assert cancels_before([record], [change], {"meijer": {"meijer2"}, "meijer2": {"meijer"}}) == [change]
