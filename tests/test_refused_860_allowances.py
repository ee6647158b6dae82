"""An allowance sent in a POC loop we refused (its POC answered IR: a unit we know no count of) is not judged with the
order (flows.decide.deciding_sacs, refused_changes): the night the 860 is applied (its results: the refusal is
known before the 865 is built) and on every later night the order is decided again (the 865 we sent says it, as the
reconciliation reads it: engine.finance_inputs.change_refusals). It was counted: a refused line's 12 % held the
order for a discount the buyer was told it does not get.

ACME, answered by 865s (threshold 5 %): PO-1 of 2 CA of SKU-1003 and 12 EA of SKU-1002, night 1; the 860 raising
line 1 and changing line 2 to a unit XX with a 12 % off in its loop, night 2; a second 860 raising line 1, night 3."""

from __future__ import annotations

from datetime import datetime

from tests.support import run_stages
from tests.test_change_orders import docs
from tests.test_change_units_860 import x12_860
from tests.test_promotions_860 import LINE, TWELVE, _changed, _ordered, _said, _state

SECOND = "PO1*2*12*EA*9.39*PE*UP*614141100170"
REFUSED = ["POC*1*QI*3*1*CA*470.40*PE*UP*614141100248", "POC*2*CA*12*0*XX*9.39*PE*UP*614141100170", TWELVE]
NIGHT3 = datetime(2026, 11, 29, 2)


def _night2(tmp_path):
    ws = _ordered(tmp_path, line=(LINE, SECOND), change_ack="865")
    _changed(ws, REFUSED)
    return ws


def test_a_refused_poc_s_allowance_does_not_hold_the_order(tmp_path):
    """Line 2's POC is refused (IR, CHANGE_UNIT_MISMATCH); its 12 % is not judged: the order is not held, the 865
    answers the change (line 1 raised, line 2 refused) that night."""
    ws = _night2(tmp_path)
    state, found = _state(ws)
    assert state == "acknowledged", found
    assert _said(found, "CHANGE_UNIT_MISMATCH")
    assert not _said(found, "DISCOUNT_OVER_THRESHOLD")
    assert docs(ws, "865")["PO-1"] == [("00", "AC", [["IQ", "3", "CA"], ["IR", "12", "EA"]])]


def test_the_865_s_refusal_keeps_it_out_when_the_order_is_decided_again(tmp_path):
    """Night 3's 860 raises line 1 again: the order is decided with its changes so far; night 2's change is answered
    (no result of it in this run), its 865's IR on line 2 keeps the 12 % out: answered, not held."""
    ws = _night2(tmp_path)
    (ws.drop_root / "acme" / "inbox" / "change2.x12").write_bytes(x12_860(
        ["BCH*04*SA*PO-1***20261128", "POC*1*QI*4*1*CA*470.40*PE*UP*614141100248", "CTT*1"], control=2102))
    run_stages(ws, NIGHT3)
    state, found = _state(ws)
    assert state == "acknowledged", found
    assert not _said(found, "DISCOUNT_OVER_THRESHOLD")
    assert docs(ws, "865")["PO-1"][1] == ("00", "AD", [["IQ", "4", "CA"]])


def test_an_accepted_poc_s_allowance_is_still_judged(tmp_path):
    """The same 12 % in line 2's loop of a POC we accept (a price change at our price): judged, the order held."""
    ws = _ordered(tmp_path, line=(LINE, SECOND), change_ack="865")
    _changed(ws, ["POC*2*QI*24*12*EA*9.39*PE*UP*614141100170", TWELVE])
    state, found = _state(ws)
    assert state == "held"
    assert _said(found, "DISCOUNT_OVER_THRESHOLD")


def test_refused_changes_reads_the_results_and_the_865s():
    """Per change: refused whole, or the POC01s every POC of which was IR (a POC01 also accepted once stays)."""
    from types import SimpleNamespace

    from flows.decide import refused_changes

    def lr(line, status):
        return SimpleNamespace(change={"line_id": line}, status=status)

    change = SimpleNamespace(partner="acme", store_key="k", change_ref="1-1-1")
    applied = {("acme", "PO-1"): [SimpleNamespace(change=change, result=SimpleNamespace(
        rejected=False, line_results=[lr("1", "IA"), lr("2", "IR"), lr("3", "IR"), lr("3", "IA")]))]}

    class NoneSent:
        def sent_documents(self, _kinds):
            import pyarrow as pa
            return pa.table({"doc_type": pa.array([], pa.string())})

        def sent_sets_of(self, _kinds):
            import pyarrow as pa
            return pa.table({"set_id": pa.array([], pa.string())})

    assert refused_changes(NoneSent(), applied) == {("acme", "k", "1-1-1"): (False, frozenset({"2"}))}
