"""Round 101: what else BCH01 may say (X12 code list 353) on an 860. 13 (request: the 860 is the buyer's change
*request*) is applied and answered as a 04; 02 (add) and 03 (delete) are plain changes when every POC adds (AI) or
deletes (DI), applied and answered as a 04, and refused whole with a message naming the clash otherwise; 35 (request
authority) asks our authority, not a change: refused, saying so. They all used to be refused whole (865 RD,
CHANGE_PURPOSE_UNSUPPORTED, "not a change we apply"). Real nights on GLOBEX's profile (865s answer its changes)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.state import StateStore
from tests.support import run_stages
from tests.test_change_orders import NIGHT2, docs, globex_night1
from tests.test_rg100_partner_answers import _860, _line3

ADD = "POC|5|AI|24|24|EA|4.42|PE|VN|VP-1011"
DELETE = "POC|3|DI|30|30|EA|31.37|PE|VN|VP-1005"
RAISE = "POC|3|QC|60|60|EA|31.37|PE|VN|VP-1005"


def _night(tmp_path, purpose: str, poc: str = RAISE):
    ws = globex_night1(tmp_path / "ws")
    _860(ws, purpose, poc=poc)
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    found = [f for f in state.findings(partner="globex", po_number="GLOBEX-2000")
             if f["code"] == "CHANGE_PURPOSE_UNSUPPORTED"]
    return ws, state, found


def _lines(state) -> dict[int, tuple]:
    return {ln.line_number: (ln.ordered, ln.state) for ln in state.order_lines("globex", "GLOBEX-2000")}


def test_a_request_is_applied_and_answered_as_a_change(tmp_path):
    ws, state, found = _night(tmp_path, "13", RAISE)
    assert found == [] and _line3(state) == Decimal(60)
    assert [(d[0], d[1]) for d in docs(ws, "865")["GLOBEX-2000"]] == [("00", "AD")]
    state.close()


def test_an_add_whose_pocs_all_add_is_applied_and_answered(tmp_path):
    ws, state, found = _night(tmp_path, "02", ADD)
    assert found == []
    assert _lines(state)[5][0] == Decimal(24), _lines(state)
    [(_p, bca02, acks)] = docs(ws, "865")["GLOBEX-2000"]
    assert bca02 in ("AD", "AC") and acks, acks
    state.close()


def test_a_delete_whose_pocs_all_delete_is_applied_and_answered(tmp_path):
    ws, state, found = _night(tmp_path, "03", DELETE)
    assert found == []
    assert _lines(state)[3][1] in ("deleted", "cancelled"), _lines(state)
    [(_p, bca02, acks)] = docs(ws, "865")["GLOBEX-2000"]
    assert bca02 != "RD" and acks, (bca02, acks)
    state.close()


@pytest.mark.parametrize("purpose,poc,said", [
    ("02", RAISE, "BCH01 02 (add) of PO GLOBEX-2000: its POCs also QC (POC02), not only AI"),
    ("03", RAISE, "BCH01 03 (delete) of PO GLOBEX-2000: its POCs also QC (POC02), not only DI"),
    ("35", RAISE, "BCH01 35 (request authority: the buyer asks our authority"),
])
def test_an_add_delete_or_authority_request_we_cannot_act_on_is_refused_saying_why(tmp_path, purpose, poc, said):
    ws, state, found = _night(tmp_path, purpose, poc)
    assert _line3(state) == Decimal(30)
    assert [(d[0], d[1]) for d in docs(ws, "865")["GLOBEX-2000"]] == [("00", "RD")]
    [f] = found
    assert f["message"].startswith(said) and "nothing was changed" in f["message"], f["message"]
    state.close()
