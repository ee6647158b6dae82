"""Gaps earlier sessions left in 860 change orders (note-s59, "Noticed, left alone"): an 860 whose 850 has not come
yet waits two days by default; a line's own sales requirement decides its balance after a short shipment; a BCH01
05 replace cancels the lines it does not restate; an 860's heading N1 codes sent in small letters; a change priced in
another unit or basis than the line's answered with a price and unit that agree. Built on the rg79 sweep's buyers
(tests/fixtures/rg79: profiles, reference rows, stock, 850s) with this file's own 860s and profiles in
tests/fixtures/gaps860b/."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

from tests.retailer_support import findings_and_states, of_its_own, segments
from tests.support import REPO, run_stages

RG79 = REPO / "tests" / "fixtures" / "rg79"
FIXTURES = REPO / "tests" / "fixtures" / "gaps860b"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT1, NIGHT2, NIGHT3 = datetime(2026, 11, 25, 2), datetime(2026, 11, 26, 2), datetime(2026, 11, 27, 2)


def _answers(ws, partner: str, kind: str, po: str) -> list[list[list[str]]]:
    """Every 855 (BAK) or 865 (BCA) of ``partner`` for ``po`` in the order sent, each ST to SE."""
    segs = segments(ws, partner, kind)
    head = "BAK" if kind == "855" else "BCA"
    starts = [k for k, s in enumerate(segs) if s[0] == head and s[3] == po]
    return [segs[k:next(j for j in range(k, len(segs)) if segs[j][0] == "SE")] for k in starts]


def _acks(doc) -> list[list[str]]:
    return [s[1:4] for s in doc if s[0] == "ACK"]


def _sent(ws, partner: str) -> list[str]:
    return sorted(p.name.split("-")[1] for p in (ws.drop_root / partner / "outbox").glob("*.x12"))


# 1. early_change_days defaults to 2 -----------------------------------------------------------------------------


def test_by_default_a_change_before_its_850_waits_two_days_then_is_refused(tmp_path):
    """McLane's profile does not set early_change_days: its 860 for MC7900501, whose 850 never comes, waits (a
    CHANGE_AWAITING_ORDER warning on 11-25, nothing but the 997 sent on 11-25 and 11-26) and is refused as an unknown
    PO on 11-27 (865 RD). It used to be refused the night it came: a change whose 850 came a night later was lost."""
    ws = of_its_own(RG79, tmp_path / "ws", {}, warehouses=WAREHOUSES)
    assert "early_change_days" not in (ws.partners_dir / "mclane.toml").read_text()
    shutil.copy2(RG79 / "drops" / "mclane" / "mclane-a-860-MC7900501.x12", ws.drop_root / "mclane" / "inbox")
    for night in (NIGHT1, NIGHT2):
        run_stages(ws, night)
        found, states = findings_and_states(ws)
        assert [c for c, _m in found] == ["CHANGE_AWAITING_ORDER"] and states == {}
        assert _sent(ws, "mclane") == ["997"]
    run_stages(ws, NIGHT3)
    found, states = findings_and_states(ws)
    assert [c for c, _m in found] == ["CHANGE_AWAITING_ORDER", "CHANGE_ORDER_UNKNOWN"] and states == {}
    [refused] = _answers(ws, "mclane", "865", "MC7900501")
    assert refused[0][:3] == ["BCA", "00", "RD"] and _acks(refused) == [["IR"]]


def test_by_default_a_change_a_night_before_its_850_is_applied_when_the_850_comes(tmp_path):
    """McLane's 860 (line 1 raised to 30 CA) delivered on 11-25, its 850 on 11-26: applied the night the 850 comes,
    the order's 855 stating 30, the change's 865 after it. It used to be refused on 11-25 (865 RD) and the 850
    acknowledged for 24."""
    ws = of_its_own(RG79, tmp_path / "ws", {}, warehouses=WAREHOUSES)
    shutil.copy2(RG79 / "drops" / "mclane" / "mclane-a-860-MC7900501.x12", ws.drop_root / "mclane" / "inbox")
    run_stages(ws, NIGHT1)
    shutil.copy2(RG79 / "drops" / "mclane" / "mclane-b-850-MC7900501.x12", ws.drop_root / "mclane" / "inbox")
    run_stages(ws, NIGHT2)
    found, states = findings_and_states(ws)
    assert [c for c, _m in found] == ["CHANGE_AWAITING_ORDER"]
    assert states == {("mclane", "MC7900501"): "acknowledged"}
    [ordered] = _answers(ws, "mclane", "855", "MC7900501")
    assert [s[1:4] for s in ordered if s[0] == "PO1"] == [["1", "30", "CA"], ["2", "50", "CA"]]
    [changed] = _answers(ws, "mclane", "865", "MC7900501")
    assert changed[0][:3] == ["BCA", "00", "AD"] and _acks(changed) == [["IQ", "30", "CA"]]


# 2. a line's own sales requirement governs its balance after a short shipment -------------------------------------

RG38 = REPO / "tests" / "fixtures" / "rg38"
PA_NIGHT, PA_SHIP_DAY = datetime(2026, 11, 25, 2), datetime(2026, 12, 1, 15)
PA_LINE1 = "PO1*1*60*EA*7.35**VP*ODR-3811*BP*8374421~\nPID*F****RATCHET STRAP 4PK~\n"
PA_LINE2 = "PO1*2*36*EA*3.9**VP*ODR-3812*BP*8374438~\nPID*F****HITCH PIN SET~\n"
PA_SHORT = (("PA0099412,1,ODR-3811,60,EA", "PA0099412,1,ODR-3811,40,EA"),
            ("PA0099412,2,ODR-3812,36,EA", "PA0099412,2,ODR-3812,20,EA"))


def _princess_short(tmp_path, swaps):
    """Princess Auto's PA0099412 (line 1: 60 ratchet straps, line 2: 36 hitch pin sets, both in stock) with
    ``swaps`` made in its 850, shipped short by the east DC on 12-01 (40 of line 1, 20 of line 2): (ws, the order's
    lines by number, its reservations by line, its history's last event)."""
    from connectors.state import StateStore
    from tests.retailer_support import variant_night

    ws, _found, states = variant_night(RG38, "princessauto", "PA0099412", tmp_path, [
        (a.encode(), b.encode()) for a, b in swaps], warehouses=WAREHOUSES, night=PA_NIGHT, ship_day=PA_SHIP_DAY,
        shipped_swaps=PA_SHORT)
    state = StateStore(ws.state_path)
    try:
        lines = {ln.line_number: ln for ln in state.order_lines("princessauto", "PA0099412")}
        held: dict[int, int] = {}
        for r in state.order_reservations("princessauto", "PA0099412"):
            held[r.line_number] = held.get(r.line_number, 0) + r.quantity
        history = state.order_history("princessauto", "PA0099412")
    finally:
        state.close()
    return states[("princessauto", "PA0099412")], lines, held, history[-1]


def test_a_line_s_own_no_back_order_cancels_that_line_s_balance_while_the_others_back_order(tmp_path):
    """Line 1 says CSH*N in its PO1 loop (the PO's heading none: it takes back orders). Shipped 40 of 60 and 20 of
    36: line 1's 20 are cancelled (its reservation released, the history naming the line's own rule), line 2's 16
    stay reserved to ship; the order stays partially shipped. Line 1's balance used to wait with line 2's, the
    order's CSH01 alone deciding the balance."""
    state, lines, held, last = _princess_short(tmp_path, [(PA_LINE1, PA_LINE1 + "CSH*N~\n")])
    assert state == "partially_shipped"
    one, two = lines[1], lines[2]
    assert (one.allocated, one.rejected, one.shipped, one.codes, one.balance_cancelled) == (40, 20, 40, (), 20)
    assert one.reason.endswith("no_backorder") and one.state.value == "shipped"
    assert (two.promised, two.shipped, two.codes) == (36, 20, ()) and two.state.value == "partially_shipped"
    assert held == {2: 16}
    assert last["event"] == "balance_cancelled_open"
    assert last["note"].startswith('Line 1 takes no back order (its own sales requirement N "No Back Order"'), last
    assert "Cancelled: line 1 (20 EA of 60, 40 shipped); 20 reserved unit(s) released" in last["note"]
    assert "Its other line(s) take back orders: line 2 still to ship" in last["note"]


def test_a_line_s_own_back_order_keeps_its_balance_under_a_no_back_order_po(tmp_path):
    """The PO says CSH*N (no back order) and line 2 CSH*Y (back order if out of stock) in its loop: line 1's 20
    are cancelled, line 2's 16 stay to ship. Both used to be cancelled, the order shipped."""
    state, lines, held, last = _princess_short(tmp_path, [("FOB*PP~\n", "FOB*PP~\nCSH*N~\n"),
                                                          (PA_LINE2, PA_LINE2 + "CSH*Y~\n")])
    assert state == "partially_shipped"
    assert (lines[1].balance_cancelled, lines[2].balance_cancelled, lines[2].codes, held) == (20, 0, (), {2: 16})
    assert last["note"].startswith('The PO takes no back order (CSH01 N "No Back Order"); line 2 takes back orders '
                                   'all the same (its own sales requirement Y "Back Order if Out of Stock")'), last


def test_a_line_s_own_no_back_order_is_named_as_the_line_s_when_its_short_units_are_refused(tmp_path):
    """Line 1 (CSH*N in its PO1 loop; the PO's heading none) wants 60 straps, 50 are in stock: 10 refused (IR), the
    STOCK_SHORT_REJECTED warning naming the line's own rule (it used to say the PO's CSH01), and a CSV
    acknowledgment's reason in words says so too."""
    from engine.csv_ack import reason_text

    fixtures = tmp_path / "rg38"
    shutil.copytree(RG38, fixtures)
    po = fixtures / "drops" / "princessauto" / "pa-850-PA0099412.x12"
    sent = po.read_text(encoding="utf-8")
    po.write_text(sent.replace(PA_LINE1, PA_LINE1 + "CSH*N~\n").replace("SE*18*0001", "SE*19*0001"), encoding="utf-8")
    stock = fixtures / "stock.csv"
    text = stock.read_text(encoding="utf-8")
    assert "EAST,ODR-3811,6000," in text
    stock.write_text(text.replace("EAST,ODR-3811,6000,", "EAST,ODR-3811,50,"), encoding="utf-8")
    ws = of_its_own(fixtures, tmp_path / "ws", {"princessauto": [po.name]}, warehouses=WAREHOUSES)
    run_stages(ws, PA_NIGHT)
    found, _states = findings_and_states(ws)
    [short] = [m for c, m in found if c == "STOCK_SHORT_REJECTED"]
    assert "10 rejected (855 IR): the line takes no backorder (its own sales requirement N: its loop's CSH01 or " \
        "IT801)" in short, short
    assert reason_text("partial; no_backorder", own="N") == (
        "part of the quantity is available now; not accepted: this line takes no backorders (its own sales "
        "requirement N) and it is not in stock now")
    assert reason_text("partial; no_backorder", own="Y") == reason_text("partial; no_backorder") == (
        "part of the quantity is available now; not accepted: the order takes no backorders and it is not in stock "
        "now")


# 3. a BCH01 05 replace cancels the lines it does not restate, whatever their POC02 codes --------------------------


def test_a_replace_whose_lines_are_not_rz_cancels_the_line_it_does_not_name(tmp_path):
    """AWG replaces AW7900401 (BCH01 05: the original PO is replaced with the 860's line items) restating line 1
    unchanged (NC) and line 3 at a new price (PC), not naming line 2 (25 CA). X12 code 05 is "Replace" and the POC
    loop its whole line items: line 2 is no longer ordered. Cancelled (its reservation released), the 865 answering
    it ID, a CHANGE_REPLACE_DROPPED_LINES warning. It used to be kept, shipped and billed, because no line came as
    RZ."""
    from connectors.state import StateStore

    ws = of_its_own(RG79, tmp_path / "ws", {"awg": ["awg-850-AW7900401.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT1)
    shutil.copy2(FIXTURES / "changes" / "awg" / "awg-860-AW7900401-replace.x12", ws.drop_root / "awg" / "inbox")
    run_stages(ws, NIGHT2)
    found, states = findings_and_states(ws)
    assert states == {("awg", "AW7900401"): "acknowledged"}
    assert [m for c, m in found if c == "CHANGE_REPLACE_DROPPED_LINES"] == [
        "The replace (BCH01 05) restates PO AW7900401 whole and does not name line(s) 2: no longer ordered, "
        "cancelled (answered ID, their reserved units released)."]
    state = StateStore(ws.state_path)
    try:
        live = {ln.line_number: ln for ln in state.order_lines("awg", "AW7900401")
                if ln.state.value not in ("deleted", "cancelled", "rejected")}
        held = {r.line_number for r in state.order_reservations("awg", "AW7900401")}
    finally:
        state.close()
    assert sorted(live) == [1, 3] and held == {1, 3}
    [answer] = _answers(ws, "awg", "865", "AW7900401")
    pocs = [s[1:3] for s in answer if s[0] == "POC"]
    assert pocs == [["1", "NC"], ["3", "PC"], ["2", "DI"]]
    assert _acks(answer)[-1] == ["ID", "0", "CA"]


# 4. an 860's heading N1 codes in small letters read as the 850's are ---------------------------------------------


def _heading_860(*heading: str):
    """(header row, changes) of ACME's one-POC 860 of PO-1 (tests/changes/builders) with ``heading`` after BCH."""
    from parsers.orders_860 import read_changes
    from tests.changes.builders import BCH, parse_860, sets_860, x12_860

    body = [BCH.format(purpose="04"), *heading, "POC*1*QI*20**EA", "CTT*1"]
    result = parse_860(x12_860(body))
    headers, changes = read_changes(result, sets_860(result), partner="acme", source_sha256="chg-sha")
    return headers.to_pylist()[0], changes


def test_an_860_s_heading_entity_codes_in_small_letters_are_read_as_its_codes_and_told():
    """`N1*st` (the ship-to moved) and `N1*by` (the buyer restated) in an 860's heading, as an ERP writing its own
    table's case sends them: read as ST and BY, as the 850 reader reads its N1s (tests/test_entity_codes_case.py),
    and told once by CODE_CASE_CONVERTED at the N1. The ship-to used to be dropped without a word (the order kept
    shipping to the old place) and the buyer not compared; `N1*zz` (no party the reader reads) stays as sent."""
    from engine.changes import apply_changes
    from tests.changes.builders import live_order

    header, changes = _heading_860("N1*st*ACME STORE 9*92*0009", "N3*9 NEW RD", "N4*AKRON*OH*44301",
                                   "N1*by*SOMEONE ELSE*92*B77", "N1*zz*NOT A PARTY*92*Z1")
    assert (header["ship_to_name"], header["ship_to_id_qualifier"], header["ship_to_id"],
            header["ship_to_address1"], header["ship_to_city"]) == ("ACME STORE 9", "92", "0009", "9 NEW RD", "AKRON")
    assert [(p["qualifier"], p["name"]) for p in header["parties_sent"]] == [("BY", "SOMEONE ELSE")]
    assert header["codes_case_sent"] == "N101 st; N101 by"
    order, lines = live_order()
    result = apply_changes(order, lines, header, changes, shipped=False)
    assert result.order_changes["ship_to_id"] == "0009"
    [told] = [f for f in result.findings if f.code == "CODE_CASE_CONVERTED"]
    assert (told.location.segment_id, told.location.element) == ("N1", "N101")
    assert "N101 'st'" in told.message and "N101 'by'" in told.message, told.message
    capitals, _changes = _heading_860("N1*ST*ACME STORE 9*92*0009")
    assert capitals["codes_case_sent"] is None and capitals["ship_to_id"] == "0009"


# 5. a change priced in another unit or basis: the 865's price and unit agree with each other and with the buyer ---

EACHES = {"EA": 1, "CA": 12}  # ACME's PO-1 line 1: 12 EA at 2.50; a case holds 12


def _changed_865(*pocs: str):
    """(the 865's POC and ACK segments, line 1 as stored after) for ACME's 860 of PO-1 (tests/changes/builders)."""
    from engine.changes import apply_changes
    from engine.po_change_ack import build_865
    from tests.changes.builders import live_order, read_change

    order, lines = live_order()
    header, changes = read_change(list(pocs))
    result = apply_changes(order, lines, header, changes, shipped=False,
                           unit_eaches=lambda _n, unit, _row: EACHES.get(unit))
    body = build_865(header, result, today=NIGHT2.date())
    line = next(r for r in result.new_lines.to_pylist() if r["line_number"] == 1)
    return [s for s in body if s[0] in ("POC", "ACK")], (line["unit_price"], line["unit"], line["price_basis"])


def test_a_price_alone_changed_per_case_on_a_line_in_eaches_is_answered_in_the_buyer_s_unit():
    """PC 36.00 per CA (POC05 CA, no POC07) on a line of 12 EA at 2.50: stored 3.00 per EA (rg79), the 865 echoing
    the buyer's 36 per CA and acknowledging 1 CA (ACK*IP*1*CA): price, unit and quantity in the buyer's terms. It
    used to acknowledge ACK*IP*12*EA under the price per case; a line not a whole number of cases is answered in
    eaches (nothing else would be exact)."""
    segs, stored = _changed_865("POC*1*PC***CA*36")
    assert segs == [["POC", "1", "PC", "", "", "CA", "36", ""], ["ACK", "IP", "1", "CA"]]
    assert stored[:2] == (Decimal("3"), "EA")
    segs, _stored = _changed_865("POC*1*PC***CA*36*CA")  # POC07 CA: per case, the same
    assert segs[1] == ["ACK", "IP", "1", "CA"]
    segs, stored = _changed_865("POC*1*PC***EA*272*HP")  # per hundred: 2.72 per each, echoed so, not 272 PE
    assert segs == [["POC", "1", "PC", "", "", "EA", "2.72", "PE"], ["ACK", "IP", "12", "EA"]]
    assert stored[:2] == (Decimal("2.72"), "EA")


def test_a_change_priced_per_hundred_in_its_ctp_is_taken_and_echoed_per_each():
    """A POC without POC06 priced by its loop's CTP at 272 per hundred (CTP09 HP, code list 639 as POC07):
    2.72 per each, the 865 echoing 2.72 PE. It used to take 272 per each (CTP09 was not read) and echo 272 with no
    basis: the per-hundred price presented as per each with the same number. The 850 reader likewise (a PO1
    without PO104 priced by its CTP)."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from tests.support import GOOD_PO, x12_850

    segs, stored = _changed_865("POC*1*PC***EA", "CTP**UCP*272******HP")
    assert segs[0][5:8] == ["EA", "2.72", "PE"] and segs[1] == ["ACK", "IP", "12", "EA"]
    assert stored == (Decimal("2.72"), "EA", "PE")
    segs, stored = _changed_865("POC*1*PC***EA", "CTP**UCP*2.72")  # no CTP09: per each as sent
    assert segs[0][5:8] == ["EA", "2.72", ""] and stored[0] == Decimal("2.72")
    body = [s if not s.startswith("PO1*1*") else "PO1*1*12*EA***UP*073000040482*VN*SKU-1" for s in GOOD_PO]
    body.insert(body.index("PID*F****WIDGET") + 1, "CTP**UCP*272******HP")
    result = read_interchanges(x12_850(body), file="acme-po.x12")
    _orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    line = lines.to_pylist()[0]
    assert (line["unit_price"], line["price_basis"]) == (Decimal("2.72"), "PE")
