"""An 865 never goes out with a PO number BCA03 cannot hold, as an 855 never does with BAK03
(tests/test_855_po_number_fits.py). BCA03 is data element 324 too: 22 characters in 004010 and 005010. ACME's
profile says 004010 and its translator sends a PO and its 860 in 004030 groups, whose lengths we do not check
(x12.other_versions "common"), with a BEG03/BCH03 of 29 characters. The 850 got no 855 (ACK_NOT_SENT); its 860 was
answered by an 865 with BCA03 of 29 - an 865 the partner's translator refuses. No 865 is sent for it: an
ACK_NOT_SENT error on BCA03 says why; the change is applied as any."""

from __future__ import annotations

from connectors.state import StateStore
from tests.support import GOOD_PO, run_stages, shipping_workspace, x12_850
from tests.test_change_orders import docs
from tests.test_change_units_860 import NIGHT1, NIGHT2, _answered_by_865s, x12_860

LONG = "ACME-100000000000000000000000"  # 29 characters


def _night(tmp_path, pocs: list[str], purpose: str = "04"):
    ws = shipping_workspace(tmp_path / "ws", partners=())
    _answered_by_865s(ws)
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    po = [s.replace("PO-1", LONG) for s in GOOD_PO[:6]] + ["PO1*1*24*EA*39.20*PE*UP*614141100248", "CTT*1"]
    (inbox / "po.x12").write_bytes(x12_850(po).replace(b"*X*004010~", b"*X*004030~"))
    run_stages(ws, NIGHT1)
    body = [f"BCH*{purpose}*SA*{LONG}***20261126", *pocs]
    body += [f"CTT*{len(pocs)}"] if pocs else []
    (inbox / "change.x12").write_bytes(x12_860(body).replace(b"*X*004010~", b"*X*004030~"))
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    try:
        found = [f for f in state.findings(partner="acme", po_number=LONG)]
        lines = {ln.line_number: ln.ordered for ln in state.order_lines("acme", LONG)}
        lines["state"] = str(state.order("acme", LONG).state)
    finally:
        state.close()
    return ws, found, lines


def test_no_865_carries_a_po_number_bca03_cannot_hold(tmp_path):
    from rules.outbound import validate_outbound

    ws, found, lines = _night(tmp_path, ["POC*1*QD*12**EA"])
    assert LONG not in docs(ws, "865") and LONG not in docs(ws, "855")
    for path in ws.drop_root.glob("acme/outbox/*.x12"):
        assert [f.code for f in validate_outbound(path.read_bytes()) if f.severity == "error"] == [], path.name
    acks = [f for f in found if f["code"] == "ACK_NOT_SENT"]
    assert [(f["segment_id"], f["element"]) for f in acks] == [("BAK", "BAK03"), ("BCA", "BCA03")]
    f = acks[1]
    assert f["severity"] == "error" and f["consequence"] == "no 865 sent"
    assert "cannot be acknowledged by 865" in f["message"] and "BCA03 holds 22 in 004010" in f["message"]
    assert f["file"] == "change.x12"
    assert lines[1] == 12  # the change is applied as any: line 1 of 24 lowered by 12


def test_a_cancel_of_such_a_po_is_applied_and_answered_by_no_865(tmp_path):
    """A whole-PO cancel (BCH01 01) is answered at once by the change step (not at the order's decision):
    the same guard holds there."""
    ws, found, lines = _night(tmp_path, [], purpose="01")
    assert LONG not in docs(ws, "865")
    assert lines["state"] == "cancelled"
    [f] = [f for f in found if f["code"] == "ACK_NOT_SENT" and f["segment_id"] == "BCA"]
    assert (f["element"], f["consequence"], f["file"]) == ("BCA03", "no 865 sent", "change.x12")
