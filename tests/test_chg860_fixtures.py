"""Retailers' 860 shapes (tests/fixtures/chg860/<partner>/*.x12) run as a partner sends them: night 1 the demo's
850s, night 2 one 860, and what the 865 / revised 855 and the stored order say after it.

- globex-860-ce.x12: POC02 CE (changes to item level allowance/charges, code list 670) with its SAC under it, as
  department stores send an allowance change for one item, beside a QD with POC04 (the balance before the change).
- globex-860-left-to-receive.x12: a QI whose POC04 is the line's open balance, a CT with its loop's DTM 010 (a new
  ship date for one line), a PC below our price by more than the tolerance (answered at our price)."""

from __future__ import annotations

import shutil
from decimal import Decimal

from connectors.state import StateStore
from tests.support import REPO, make_workspace, run_stages
from tests.test_change_orders import NIGHT1, NIGHT2, _all_findings, docs

FIXTURES = REPO / "tests" / "fixtures" / "chg860"


def _night2(tmp_path, partner: str, name: str):
    ws = make_workspace(tmp_path / "ws", partners=(partner,))
    run_stages(ws, NIGHT1)
    shutil.copy2(FIXTURES / partner / name, ws.drop_root / partner / "inbox" / name)
    results, run = run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    return ws, _all_findings(results, run), {ln.line_number: ln for ln in state.order_lines(partner, "GLOBEX-2000")}


def test_an_item_allowance_change_ce_is_accepted_and_leaves_the_line_as_it_is(tmp_path):
    """POC*2*CE with a SAC: the line keeps its 48 at 4.58 and the 865 accepts it (IA 48); it used to be refused
    (IR, CHANGE_TYPE_UNSUPPORTED, the 865 AC), and the allowance with it. The QD beside it is applied (IQ 24)."""
    ws, found, lines = _night2(tmp_path, "globex", "globex-860-ce.x12")
    assert "CHANGE_TYPE_UNSUPPORTED" not in found
    assert docs(ws, "865")["GLOBEX-2000"] == [("00", "AD", [["IA", "48", "EA"], ["IQ", "24", "EA"]])]
    assert (lines[2].ordered, lines[2].unit_price, lines[2].state) == (Decimal(48), Decimal("4.58"), "allocated")
    assert lines[4].ordered == Decimal(24)
    assert [d[0] for d in docs(ws, "855")["GLOBEX-2000"]] == ["00"]  # accepted as asked: no revised 855
    assert StateStore(ws.state_path).order("globex", "GLOBEX-2000").state == "acknowledged"


def test_a_target_style_change_with_poc04_a_line_date_and_a_price_out_of_tolerance(tmp_path):
    ws, found, lines = _night2(tmp_path, "globex", "globex-860-left-to-receive.x12")
    assert not {"CHANGE_QUANTITY_INVALID", "CHANGE_TYPE_UNSUPPORTED", "CHANGE_DATES_NOT_STORED"} & set(found)
    assert "PRICE_OUT_OF_TOLERANCE" in found
    [(_p, bca02, acks)] = docs(ws, "865")["GLOBEX-2000"]
    # line 3 (out of stock) raised 30 -> 40 by POC03 (POC04 30 is its balance before the change): backordered
    # to 12-15; line 1 moved to ship 12-15; line 2's price answered
    assert acks == [["IQ", "40", "EA", "068", "20261215"], ["IA", "12", "EA", "068", "20261215"], ["IP", "48", "EA"]]
    assert bca02 == "AD"
    revised = [d for d in docs(ws, "855")["GLOBEX-2000"] if d[0] == "05"]
    assert len(revised) == 1 and [a[0] for a in revised[0][2]] == ["IA", "IP", "IB", "IA"]
    assert (lines[3].ordered, lines[3].state) == (Decimal(40), "backordered")
    assert lines[1].ordered == Decimal(12) and lines[4].ordered == Decimal(36)
