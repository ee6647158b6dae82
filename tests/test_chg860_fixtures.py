"""Retailers' 860 shapes (tests/fixtures/chg860/<partner>/*.x12) run as a partner sends them: night 1 the demo's
850s, night 2 one 860, and what the 865 / revised 855 and the stored order say after it.

- globex-860-ce.x12: POC02 CE (changes to item level allowance/charges, code list 670) with its SAC under it, as
  department stores send an allowance change for one item, beside a QD with POC04 (the balance before the change).
- globex-860-left-to-receive.x12: a QI whose POC04 is the line's open balance, a CT with its loop's DTM 010 (a new
  ship date for one line), a PC below our price by more than the tolerance (answered at our price).
- globex-860-numbered.x12: a change with its BCH05 (3), an AI and a QD, sent twice.
- initech-860-cancel-again.x12: a whole-PO cancel (BCH01 01) sent again after the first was applied."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

from connectors.state import StateStore
from tests.support import REPO, make_workspace, run_stages
from tests.test_change_orders import NIGHT1, NIGHT2, NIGHT3, _all_findings, docs

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


def test_a_change_sent_again_with_its_bch05_is_not_applied_or_refused_again(tmp_path):
    """globex-860-numbered.x12 (BCH05 3: adds line 5, lowers line 2 to 24) on night 2, and the same 860 in a new
    interchange on night 3, as a retailer resends a change it saw no 865 for: the second changes and sends
    nothing (CHANGE_REPEAT). It used to be applied again and answered RD (every POC IR: CHANGE_LINE_EXISTS,
    CHANGE_QUANTITY_INVALID) while the change stood; a change 4 with other content is still applied."""
    name = "globex-860-numbered.x12"
    ws, _found, _lines = _night2(tmp_path, "globex", name)
    assert docs(ws, "865")["GLOBEX-2000"] == [("00", "AD", [["IA", "24", "EA"], ["IQ", "24", "EA"]])]
    state = StateStore(ws.state_path)
    lines, revision = state.order_lines("globex", "GLOBEX-2000"), state.order("globex", "GLOBEX-2000").revision
    data = (FIXTURES / "globex" / name).read_bytes()
    (ws.drop_root / "globex" / "inbox" / "again.x12").write_bytes(data.replace(b"8603", b"8604"))
    results, run = run_stages(ws, NIGHT3)
    found = _all_findings(results, run)
    assert found.get("CHANGE_REPEAT") == "04"
    assert not {"CHANGE_LINE_EXISTS", "CHANGE_QUANTITY_INVALID"} & set(found)
    assert len(docs(ws, "865")["GLOBEX-2000"]) == 1  # answered once, the first time
    assert state.order_lines("globex", "GLOBEX-2000") == lines
    assert state.order("globex", "GLOBEX-2000").revision == revision
    # change 4, another content: applied (line 2's price from 4.58 to 4.60)
    four = data.replace(b"8603", b"8605").replace(b"||3|", b"||4|").replace(b"POC|5|AI|", b"POC|5|NC|")
    four = four.replace(b"POC|2|QD|24|48|EA|4.58|", b"POC|2|PC|24|24|EA|4.60|")
    (ws.drop_root / "globex" / "inbox" / "four.x12").write_bytes(four)
    run_stages(ws, datetime(2026, 11, 30, 2))
    assert docs(ws, "865")["GLOBEX-2000"][-1][1:] == ("AD", [["IA", "24", "EA"], ["IP", "24", "EA"]])
    assert {ln.line_number: ln.unit_price for ln in state.order_lines("globex", "GLOBEX-2000")}[2] == Decimal("4.6")


def test_a_cancel_sent_again_for_the_order_it_cancelled_is_no_unknown_po(tmp_path):
    """initech-860-cancel-again.x12: the demo's cancel of INITECH-3000 (BCH01 01, night 2, 865 AK) sent again on
    night 3 in a new interchange. The order is cancelled as it asks: nothing sent, a CHANGE_REPEAT warning. It
    used to be answered 865 RJ with CHANGE_ORDER_UNKNOWN (an error naming a PO we have), a refusal of a cancel
    that stands."""
    ws = make_workspace(tmp_path / "ws", partners=("initech",))
    run_stages(ws, NIGHT1)
    shutil.copy2(REPO / "sample_files" / "drops-day2" / "initech" / "initech-change-01.x12",
                 ws.drop_root / "initech" / "inbox")
    run_stages(ws, NIGHT2)
    assert docs(ws, "865")["INITECH-3000"] == [("00", "AK", [])]
    shutil.copy2(FIXTURES / "initech" / "initech-860-cancel-again.x12", ws.drop_root / "initech" / "inbox")
    results, run = run_stages(ws, NIGHT3)
    found = _all_findings(results, run)
    assert "CHANGE_ORDER_UNKNOWN" not in found and found.get("CHANGE_REPEAT") == "01"
    assert docs(ws, "865")["INITECH-3000"] == [("00", "AK", [])]  # answered once
    assert StateStore(ws.state_path).order("initech", "INITECH-3000").state == "cancelled"


def test_a_replacement_item_re_replaces_the_lines_item_and_decides_it_again(tmp_path):
    """POC*2*RE naming VP-1003 (our SKU-1003) at its contract price for the pens the line ordered as GX770033
    (SKU-1004): the line's item is replaced and decided again - allocated from SKU-1003's stock (12 placed, 36
    backordered: the revised 855's BP and IB), the 865 IC 48; it used to be refused (IR, CHANGE_TYPE_UNSUPPORTED).
    (With the old price, 4.58, the rules hold the order for the discount against SKU-1003's 38.02.)"""
    ws, found, lines = _night2(tmp_path, "globex", "globex-860-re.x12")
    assert "CHANGE_TYPE_UNSUPPORTED" not in found and "CHANGE_PRODUCT_MISSING" not in found
    assert docs(ws, "865")["GLOBEX-2000"] == [("00", "AD", [["IC", "48", "EA", "068", "20261210"]])]
    assert (lines[2].sku, lines[2].ordered, lines[2].unit_price) == ("SKU-1003", Decimal(48), Decimal("38.02"))
    revised = [d for d in docs(ws, "855")["GLOBEX-2000"] if d[0] == "05"]
    assert [a[:2] for a in revised[0][2]][1:3] == [["BP", "12"], ["IB", "36"]]
    state = StateStore(ws.state_path)  # the old item's 48 reserved released, the new one's 12 reserved
    assert [(r.sku, r.quantity) for r in state.order_reservations("globex", "GLOBEX-2000") if r.line_number == 2] \
        == [("SKU-1003", 12)]
    state.close()
