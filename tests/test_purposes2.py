"""860 purposes left by round 101 (X12 code list 353 on BCH01): 19 (seller initiated change: the 860's second use in
X12, the buyer confirming a change the seller made) is applied and answered as a 04; 26 (replace - specified buyer's
parts only) restates the lines it names, as a 05 does, and leaves the others standing (a 05 cancels them); the rest
(08 status, 16 proposed, 28 query ...) are refused whole with a message saying what the code is. 19 and 26 used to be
refused whole (865 RD, "not a change we apply"). Real nights on GLOBEX's profile (865s answer its changes); GLOBEX-2000
holds lines 1-4 (12, 48, 30, 36 EA)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.state import StateStore
from tests.support import run_stages
from tests.test_change_orders import NIGHT2, docs, globex_night1
from tests.test_rg100_partner_answers import _860, _line3

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


def test_a_seller_initiated_change_is_applied_and_answered_as_a_change(tmp_path):
    """BCH01 19: the buyer confirms a change the seller initiated; its POC states it (line 3 to 60): applied, 865 AD."""
    ws, state, found = _night(tmp_path, "19")
    assert found == [] and _line3(state) == Decimal(60)
    assert [(d[0], d[1]) for d in docs(ws, "865")["GLOBEX-2000"]] == [("00", "AD")]
    state.close()


def test_a_replace_of_the_parts_named_leaves_the_other_lines_standing(tmp_path):
    """BCH01 26 restates line 3 (to 60) and names no other line: lines 1, 2 and 4 stand as they were."""
    ws, state, found = _night(tmp_path, "26")
    assert found == []
    lines = _lines(state)
    assert lines[3][0] == Decimal(60), lines
    assert {n: lines[n][0] for n in (1, 2, 4)} == {1: Decimal(12), 2: Decimal(48), 4: Decimal(36)}, lines
    assert all(lines[n][1] not in ("cancelled", "deleted") for n in (1, 2, 4)), lines
    [(_p, bca02, acks)] = docs(ws, "865")["GLOBEX-2000"]
    assert bca02 != "RD" and [a[0] for a in acks] == ["IQ"], (bca02, acks)
    state.close()


def test_a_replace_of_the_whole_po_still_cancels_the_lines_it_leaves_out(tmp_path):
    """The control: BCH01 05 with the same POC replaces the PO, so lines 1, 2 and 4 go."""
    ws, state, found = _night(tmp_path, "05")
    lines = _lines(state)
    assert found == [] and lines[3][0] == Decimal(60)
    assert all(lines[n][1] in ("cancelled", "deleted") for n in (1, 2, 4)), lines
    state.close()


@pytest.mark.parametrize("purpose,said", [
    ("28", "BCH01 28 (query: the buyer asks a question, not a change to the order)"),
    ("16", "BCH01 16 (proposed: a change the buyer proposes"),
    ("08", "BCH01 08 (status: the buyer reports where its PO stands"),
    ("25", "BCH01 25 (incremental: whether its POC quantities add to the line"),
])
def test_a_purpose_naming_no_change_is_refused_saying_what_it_is(tmp_path, purpose, said):
    ws, state, found = _night(tmp_path, purpose)
    assert _line3(state) == Decimal(30)
    assert [(d[0], d[1]) for d in docs(ws, "865")["GLOBEX-2000"]] == [("00", "RD")]
    [f] = found
    assert f["message"].startswith(said), f["message"]
    assert "nothing was changed" in f["message"] and "BCH01 04" in f["message"], f["message"]
    state.close()
