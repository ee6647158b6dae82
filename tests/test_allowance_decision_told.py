"""A person's decision on an allowance an 860 added after shipment is told the buyer
(engine.lifecycle.allowance_hold.decided_answers): X12's 865 conveys the acceptance or rejection of the buyer's
change. The 860's night answered it without the allowance needing approval; once ops approve, the next night sends an
865 (BCA02 AD) stating the heading allowance as the 860 sent it; rejected, an 865 BCA02 RJ. Once per 860: the nights
after send no other. The buyer used to hear nothing (the next 810 carried the allowance, or went without it).

ACME (004010, receives 865s, answers changes by 865s, [acks.po_ack] allowances = "agreed"; threshold 5 %) orders 4 CA
of SKU-1003 at 470.40; 2 CA ship and are invoiced; an 860 adds a heading 12 % C310 no deal agrees: held."""

from __future__ import annotations

from datetime import datetime

from tests.retailer_support import maps, segments  # noqa: F401 - maps: a fixture
from tests.support import run_stages, shipping_workspace, x12_850
from tests.test_allowance_after_shipment_held import _decide
from tests.test_change_units_860 import NIGHT1  # noqa: F811
from tests.test_deal_acks import FALL, ON, _checked
from tests.test_deal_after_shipment import DAY1, DAY2, FOUR, _invoices, _ship
from tests.test_promotions_860 import DEALS, HEAD, REST, TWELVE, _changed, _state

DAY3, DAY4 = datetime(2026, 11, 29, 15), datetime(2026, 11, 30, 15)


def _held(tmp_path, purpose: str = "04"):
    """PO-1 ordered, 2 CA shipped and invoiced, then the 860 (BCH01 ``purpose``) adding 12 % (no deal): held, the
    other 2 CA open."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    (ws.reference_dir / "deals.csv").write_text(DEALS + FALL, encoding="utf-8")
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text().replace('change_ack = "855"', 'change_ack = "865"') + ON)
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850([*HEAD, *REST, FOUR, "CTT*1"]))
    run_stages(ws, NIGHT1)
    _ship(ws, DAY1, "SHP-9001")
    assert _state(ws)[0] == "partially_shipped"
    _changed(ws, [TWELVE], purpose=purpose)
    assert _state(ws)[0] == "held"
    return ws


def _bodies(ws, set_id: str, head: str) -> list[list[list[str]]]:
    """Each ``set_id`` set in ACME's outbox, ``head`` (BCA, BAK) to the segment before SE."""
    out: list[list[list[str]]] = []
    for s in segments(ws, "acme", set_id):
        if s[0] == head:
            out.append([s])
        elif s[0] in ("SE", "GE", "IEA", "ISA", "GS", "ST"):
            continue
        elif out:
            out[-1].append(s)
    return out


def _bcas(ws) -> list[list[list[str]]]:
    """Each 865 set in ACME's outbox, BCA to the segment before SE."""
    return _bodies(ws, "865", "BCA")


def test_an_approval_is_told_the_buyer_by_an_865_stating_the_allowance_once(tmp_path, maps):  # noqa: F811
    ws = _held(tmp_path)
    night = _bcas(ws)  # the 860's own answer that night states no allowance (none agreed yet)
    assert [s for body in night for s in body if s[0] == "SAC"] == [], night
    _decide(ws, "approved")
    run_stages(ws, DAY3)
    told = _bcas(ws)[len(night):]
    assert told == [[["BCA", "00", "AD", "PO-1", "", "", "20261126", "", "", "", "20261129"],
                     ["SAC", "A", "C310", "", "", "", "1", "12", "", "", "", "", "02"]]], told
    _checked(ws, tmp_path, maps, "865")  # our validator, Bots and pyx12 (004010)
    _ship(ws, DAY2, "SHP-9002")  # the rest ships: its 810 takes the 12 % off, and no other 865 goes
    run_stages(ws, DAY4)
    assert _bcas(ws)[len(night):] == told
    assert _invoices(ws)[-1][2] == "82790"


def test_a_rejection_is_told_the_buyer_by_an_865_rejecting_the_change(tmp_path, maps):  # noqa: F811
    ws = _held(tmp_path)
    night = _bcas(ws)
    _decide(ws, "rejected", "no promotion agreed")
    run_stages(ws, DAY3)
    run_stages(ws, DAY4)
    told = _bcas(ws)[len(night):]
    assert told == [[["BCA", "00", "RJ", "PO-1", "", "", "20261126", "", "", "", "20261129"]]], told
    _checked(ws, tmp_path, maps, "865")
    _ship(ws, datetime(2026, 12, 1, 15), "SHP-9002")
    assert _invoices(ws)[-1][2] == "94080"
    assert len(_bcas(ws)) == len(night) + 1


def test_the_cli_says_the_buyer_is_told(tmp_path):
    """`orderbridge approve` says the 865 follows for a partner receiving 865s."""
    from typer.testing import CliRunner

    from flows.cli import app

    ws = _held(tmp_path)
    res = CliRunner().invoke(app, ["approve", "PO-1", "--partner", "acme", "--by", "finance", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "its next 810 takes the allowance off; the next run tells the buyer by an 865 stating it (BCA02 AD)" \
        in out, out


def _855s(ws) -> list[list[list[str]]]:
    """Each 855 set in ACME's outbox, BAK to the segment before SE."""
    return _bodies(ws, "855", "BAK")


def test_a_partner_answered_by_855s_is_told_by_a_revised_855(tmp_path, maps):  # noqa: F811
    """ACME answered by revised 855s (no 865), its 855 stating allowances: approved, the next night's revised 855
    (BAK01 05) states the 12 % as the 860 sent it; once."""
    from tests.test_allowance_after_shipment_held import _held_night

    ws = _held_night(tmp_path)
    night = _855s(ws)
    assert [b[0][1] for b in night] == ["00", "05"]
    assert [s for b in night for s in b if s[0] == "SAC"] == []
    _decide(ws, "approved")
    run_stages(ws, DAY3)
    run_stages(ws, DAY4)
    told = _855s(ws)[len(night):]
    assert len(told) == 1, told
    assert told[0][0][:3] == ["BAK", "05", "AD"], told
    assert ["SAC", "A", "C310", "", "", "", "1", "12", "", "", "", "", "02"] in told[0], told
    assert [s[:4] for s in told[0] if s[0] in ("PO1", "ACK")] == [["PO1", "1", "4", "CA"], ["ACK", "IA", "4", "CA"]]
    _checked(ws, tmp_path, maps, "855")


def test_a_rejection_to_a_partner_answered_by_855s_is_a_revised_855_ac_without_it(tmp_path):
    from tests.test_allowance_after_shipment_held import _held_night

    ws = _held_night(tmp_path)
    night = _855s(ws)
    _decide(ws, "rejected", "no promotion agreed")
    run_stages(ws, DAY3)
    told = _855s(ws)[len(night):]
    assert len(told) == 1 and told[0][0][:3] == ["BAK", "05", "AC"], told
    assert [s for s in told[0] if s[0] == "SAC"] == []


ADDED = "POC*2*AI*2**CA*470.40*PE*UP*614141100248"  # a line 2 of 2 CA added


def _added_and_allowed(tmp_path):
    """PO-1 not held: 2 CA shipped and invoiced, then one 860 adds a line 2 and a heading 12 % no deal agrees: the
    rules decide the order again (the added line) and hold it for the 12 % (DISCOUNT_OVER_THRESHOLD); the
    allowance's hold finding at the 860 names the 12 % (what a rejection takes off)."""
    from connectors.state import StateStore
    from tests.test_deal_after_shipment import changed_after_shipping

    ws = changed_after_shipping(tmp_path, change=(TWELVE, ADDED))
    state, found = _state(ws)
    assert state == "held", found
    assert sorted(c for c, _m in found if c in ("DISCOUNT_OVER_THRESHOLD", "ALLOWANCE_AFTER_SHIPMENT_HELD")) == [
        "ALLOWANCE_AFTER_SHIPMENT_HELD", "DISCOUNT_OVER_THRESHOLD"], found
    store = StateStore(ws.state_path)
    try:
        [(file, _ref, sacs)] = store.finding_sacs("ALLOWANCE_AFTER_SHIPMENT_HELD", [("acme", "PO-1")])["acme", "PO-1"]
    finally:
        store.close()
    assert file == "change.x12" and "SAC*A*C310 12 % at the heading" in sacs
    return ws


def test_a_rejected_allowance_sent_with_an_added_line_is_not_taken_off_the_next_810(tmp_path):
    """Rejected: line 2 is refused (the revised 855: ACK IR), and the rest of line 1 is invoiced without the 12 %
    (INV0000002 TDS 940.80, no SAC). It used to take the 12 % off (827.90) though a person had rejected it."""
    ws = _added_and_allowed(tmp_path)
    _decide(ws, "rejected", "no promotion agreed")
    run_stages(ws, DAY3)
    [told] = _855s(ws)[-1:]
    assert told[0][:3] == ["BAK", "05", "AC"] and ["ACK", "IR", "2", "CA"] in told, told
    _ship(ws, DAY4, "SHP-9002")
    assert _invoices(ws)[-1] == ("INV0000002", [], "94080")


def test_an_approved_allowance_sent_with_an_added_line_is_taken_off_the_next_810(tmp_path):
    ws = _added_and_allowed(tmp_path)
    _decide(ws, "approved")
    run_stages(ws, DAY3)
    _ship(ws, DAY4, "SHP-9002")
    number, sacs, total = _invoices(ws)[-1]
    assert (number, total) == ("INV0000002", "82790")
    assert [(s[1], s[2], s[5], s[7]) for s in sacs] == [("A", "C310", "11290", "12")]


def test_a_case_raised_while_held_is_placed_by_the_first_night_after_approval_and_told_placed(tmp_path, maps):  # noqa: F811
    """Held for the 12 %, a further 860 raises line 1 to 5 CA: the order stays held and the raised case waits
    (backordered: a held order's decision places nothing). The approval is a person's act, not a run (no stock
    read, no allocation): the first night after it places the case (the backorder step), and the revised 855 telling
    the decision states line 1 from the lines as that night leaves them: 5 CA accepted (ACK IA 5), with the 12 %
    (it said IB 1 CA from the lines before the step). Then the other 3 CA ship and their 810 takes the 12 % off."""
    from connectors.state import StateStore
    from tests.test_allowance_after_shipment_held import RAISE5, _further, _held_night

    ws = _held_night(tmp_path)
    _further(ws, [RAISE5])

    def line():
        store = StateStore(ws.state_path)
        try:
            [ln] = store.order_lines("acme", "PO-1")
            return ln.ordered, ln.allocated, ln.backordered, ln.shipped
        finally:
            store.close()
    assert _state(ws)[0] == "held" and line() == (5, 4, 1, 2)
    night = _855s(ws)
    _decide(ws, "approved")
    run_stages(ws, DAY3)
    assert line() == (5, 5, 0, 2)
    [told] = _855s(ws)[len(night):]
    assert ["SAC", "A", "C310", "", "", "", "1", "12", "", "", "", "", "02"] in told, told
    assert [s[:4] for s in told if s[0] in ("PO1", "ACK")] == [["PO1", "1", "5", "CA"], ["ACK", "IA", "5", "CA"]], told
    _checked(ws, tmp_path, maps, "855")
    _ship(ws, DAY4, "SHP-9002", qty=3)
    number, sacs, total = _invoices(ws)[-1]
    assert (number, total) == ("INV0000002", "124186"), _invoices(ws)  # 3 CA x 470.40 = 1411.20 less 12 % (169.34)
    assert [(s[1], s[2], s[5]) for s in sacs] == [("A", "C310", "16934")]


def test_an_order_time_approval_still_counts_after_an_approval_after_shipment(tmp_path):
    """PO-1's 10 % C310 approved at order time; after shipment a 1 % B720 goes further (held) and a person approves
    it too: the decision's codes are now ALLOWANCE_AFTER_SHIPMENT_HELD. The buyer then takes both off (an 860), and
    the next 860 sends 8 % B720: within the 10 % approved at order time (read from the order's history,
    approved_by_person, with its DISCOUNT_OVER_THRESHOLD finding; not from the last decision's codes): not held, and
    the rest's 810 takes the 8 % off (INV0000002 TDS 865.54). It used to be held: the approval no longer recognised,
    any allowance beyond the 5 % threshold held."""
    from tests.test_allowance_held_again import _approved_night
    from tests.test_change_units_860 import x12_860

    ws = _approved_night(tmp_path / "a", ("SAC*A*B720****1*1*****02",))
    assert _state(ws)[0] == "held"
    _decide(ws, "approved")
    assert _state(ws)[0] == "partially_shipped"
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.joinpath("change3.x12").write_bytes(
        x12_860(["BCH*04*SA*PO-1***20261127", "SAC*N*B720", "SAC*N*C310", "CTT*0"], control=2103))
    run_stages(ws, DAY3)
    assert _state(ws)[0] == "partially_shipped"
    inbox.joinpath("change4.x12").write_bytes(
        x12_860(["BCH*04*SA*PO-1***20261127", "SAC*A*B720****1*8*****02", "CTT*0"], control=2104))
    run_stages(ws, DAY4)
    state, found = _state(ws)
    assert state == "partially_shipped", [m for c, m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"]
    _ship(ws, datetime(2026, 12, 1, 15), "SHP-9002")
    number, sacs, total = _invoices(ws)[-1]
    assert (number, total) == ("INV0000002", "86554"), _invoices(ws)
    assert [(s[1], s[2], s[7]) for s in sacs] == [("A", "B720", "8")]


LINE2 = "PO1*2*2*CA*470.40*PE*UP*614141100248"  # a line 2 of 2 CA, not shipped


def _two_lines_approved(tmp_path, change: tuple[str, ...]):
    """PO-1 (heading 10 % C310, no deal: held at order time, approved) of line 1 (4 CA) and line 2 (2 CA); 2 CA of
    line 1 shipped and invoiced; then the 860 (``change``)."""
    from tests.support import shipping_workspace, x12_850
    from tests.test_allowance_held_again import TEN
    from tests.test_change_after_shipment_855 import answered_by_855s

    ws = shipping_workspace(tmp_path / "ws", partners=())
    (ws.reference_dir / "deals.csv").write_text(DEALS + FALL, encoding="utf-8")
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text() + ON)
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850([*HEAD, TEN, *REST, FOUR, LINE2, "CTT*2"]))
    run_stages(ws, NIGHT1)
    assert _state(ws)[0] == "held"
    _decide(ws, "approved", "10 % agreed with the buyer")
    run_stages(ws, NIGHT1.replace(hour=NIGHT1.hour + 1))
    answered_by_855s(ws, "acme")
    _ship(ws, DAY1, "SHP-9001")
    assert _state(ws)[0] == "partially_shipped"
    _changed(ws, list(change))
    return ws


def test_an_allowance_after_po104_changed_is_compared_with_the_approval_by_net_money(tmp_path):
    """After the order-time approval of 10 % (line 2 at 470.40, net 423.36), an 860 raises line 2's PO104 to 500: the
    rules decide it again (450 net, within the threshold: its decision's codes no longer carry
    DISCOUNT_OVER_THRESHOLD; the approval is read from the order's history). A further 860 adds 2 % B720 on line 2:
    12 % off 500 is 440.00 net, more than the 423.36 approved at order time: not held (compared by share, 12 % >
    10 %, it was held). The same 2 % added where PO104 is still 470.40 (net 413.952) goes further than the
    approval: held, the reason saying both nets."""
    from tests.test_allowance_after_shipment_held import _further

    ws = _two_lines_approved(tmp_path / "up", ("POC*2*PC*2*2*CA*500*PE*UP*614141100248",))
    assert _state(ws)[0] == "partially_shipped"  # 500 less 10 % is 450: 4.34 % below ours, within the 5 %
    _further(ws, ["POC*2*NC*2*2*CA*500*PE*UP*614141100248", "SAC*A*B720****1*2*****02"])
    state, found = _state(ws)
    assert state == "partially_shipped", [(c, m[:300]) for c, m in found if not c.startswith("CHANGE_HEADER")]
    assert not [c for c, _m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"]
    ws = _two_lines_approved(tmp_path / "same", ("POC*2*NC*2*2*CA*470.40*PE*UP*614141100248",
                                                 "SAC*A*B720****1*2*****02"))
    state, found = _state(ws)
    assert state == "held", found
    [why] = [m for c, m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"]
    assert "(PO104 470.40 net 423.36); the allowances now take 12% off (net 413.952)" in why, why
