"""Retailers' 850 guides send their delivery, ship and cancel dates under other DTM01 qualifiers of code list
374 than the ones we keep (002, 010, 037, 038, 001, 063, 064): 106 Required By, 996 Required Delivery, 074
Requested for Delivery (Prior to and Including), 118 Requested Pick-up, 175 Cancel if Not Shipped by, 177
Cancellation, 061 Cancel if Not Delivered by. Those that say what a kept date says are read as it
(schemas.orders.DATE_TWINS) when the PO does not send the standard one itself (the standard one wins); a
delivery, ship or cancel date with no equivalent (077 Requested for Delivery (Week of), 068 Current Schedule
Ship ...), or a twin beside its standard one with another date, is named in one warning per PO
(HEADING_DATES_NOT_APPLIED). They used to be dropped without a word: a past "cancel if not shipped by" went
unseen (the order acknowledged and shipped), the 855 promised today instead of the requested pick-up day."""

from __future__ import annotations

from datetime import date, datetime

from connectors.state import StateStore
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from tests.support import make_workspace, run_stages, x12_850

NIGHT = datetime(2026, 11, 27, 2)
HEAD = ["BEG*00*SA*PO-1**20261126", "CUR*BY*USD"]
TAIL = ["N1*ST*ACME STORE 1*92*0001", "PO1*1*12*EA*19.70**VN*VP-1001", "CTT*1*12"]


def _orders(dtms: list[str]) -> dict:
    parsed = read_interchanges(x12_850(HEAD + dtms + TAIL))
    orders, _ = read_orders(parsed, list(parsed.transaction_sets()), partner="acme")
    return orders.select(["requested_delivery_date", "requested_ship_date", "cancel_after",
                          "do_not_deliver_after"]).to_pylist()[0]


def _found(dtms: list[str]) -> list:
    result = read_interchanges(x12_850(HEAD + dtms + TAIL))
    return check_structure(result, list(result.transaction_sets()))


def _run(tmp_path, dtms: list[str]):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(HEAD + dtms + TAIL))
    results, run = run_stages(ws, NIGHT)
    return ws, StateStore(ws.state_path), results


def _acks(ws) -> list:
    [path] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    return [r for r in read_interchanges(path.read_bytes()).segments.elements.to_pylist() if r[0] == "ACK"]


def test_the_twins_are_read_as_the_dates_they_mean():
    assert _orders(["DTM*106*20261215", "DTM*118*20261205", "DTM*175*20261220", "DTM*061*20261222"]) == {
        "requested_delivery_date": date(2026, 12, 15), "requested_ship_date": date(2026, 12, 5),
        "cancel_after": date(2026, 12, 20), "do_not_deliver_after": date(2026, 12, 22)}
    assert _orders(["DTM*996*20261214", "DTM*177****RD8*20261201-20261219"])[
        "requested_delivery_date"] == date(2026, 12, 14)
    # a range of a cancel date gives its end, as 001's does
    assert _orders(["DTM*177****RD8*20261201-20261219"])["cancel_after"] == date(2026, 12, 19)
    assert _orders(["DTM*074*20261216"])["requested_delivery_date"] == date(2026, 12, 16)
    # none of them: nothing
    assert set(_orders(["DTM*004*20261126"]).values()) == {None}


def test_the_standard_qualifier_wins_over_its_twin_wherever_it_comes():
    got = _orders(["DTM*175*20261210", "DTM*001*20261215", "DTM*106*20261212", "DTM*996*20261214",
                   "DTM*002*20261218"])
    assert (got["cancel_after"], got["requested_delivery_date"]) == (date(2026, 12, 15), date(2026, 12, 18))
    # without the standard one, the first twin listed (106 before 996), wherever it comes
    assert _orders(["DTM*996*20261214", "DTM*106*20261212"])["requested_delivery_date"] == date(2026, 12, 12)


def test_a_requested_pick_up_day_is_the_day_the_855_promises(tmp_path):
    ws, state, _ = _run(tmp_path, ["DTM*118*20261205"])
    assert _acks(ws) == [["ACK", "IA", "12", "EA", "068", "20261205"]]
    assert state.order("acme", "PO-1").state == "acknowledged"


def test_a_cancellation_date_past_on_arrival_holds_the_order(tmp_path):
    for q in ("177", "175"):
        ws, state, _ = _run(tmp_path / q, [f"DTM*{q}*20261120"])
        order = state.order("acme", "PO-1")
        assert order.state == "held" and "CANCEL_DATE_PASSED" in order.hold_codes, q
        assert not list(ws.drop_root.glob("acme/outbox/*-855-*.x12"))


def test_a_cancel_if_not_delivered_by_date_past_holds_the_order(tmp_path):
    _ws, state, _ = _run(tmp_path, ["DTM*061*20261125"])
    order = state.order("acme", "PO-1")
    assert order.state == "held" and "CANCEL_DATE_PASSED" in order.hold_codes


def test_a_ship_date_after_the_required_by_date_is_inconsistent(tmp_path):
    """DTM 106 Required By is the order's requested delivery date: a requested ship date after it cannot
    be met (SHIP_WINDOW_INCONSISTENT holds the order, as after a DTM 002)."""
    _ws, state, _ = _run(tmp_path, ["DTM*010*20261210", "DTM*106*20261205"])
    order = state.order("acme", "PO-1")
    assert order.state == "held" and "SHIP_WINDOW_INCONSISTENT" in order.hold_codes
    # within it: acknowledged for the ship date
    ws, state, _ = _run(tmp_path / "ok", ["DTM*010*20261203", "DTM*106*20261205"])
    assert state.order("acme", "PO-1").state == "acknowledged"
    assert _acks(ws) == [["ACK", "IA", "12", "EA", "068", "20261203"]]


def test_dates_with_no_equivalent_are_one_warning_naming_each(tmp_path):
    [f] = _found(["DTM*010*20261203", "DTM*077*20261207", "DTM*068****D8*20261204", "DTM*004*20261126"])
    assert (f.code, f.severity, f.location.segment_id, f.location.value) == (
        "HEADING_DATES_NOT_APPLIED", "warning", "DTM", "20261207")
    assert "(DTM 077 20261207 (requested for delivery (week of)); DTM 068 D8 20261204 (current schedule ship))" \
        in f.message
    assert "20261203" not in f.message and "20261126" not in f.message
    # through the run: the order is taken as sent, the warning kept with it
    _ws, state, results = _run(tmp_path, ["DTM*010*20261203", "DTM*077*20261207"])
    assert state.order("acme", "PO-1").state == "acknowledged"
    assert [f["code"] for r in results for f in r.findings if f["code"] == "HEADING_DATES_NOT_APPLIED"] == [
        "HEADING_DATES_NOT_APPLIED"]


def test_a_twin_beside_its_standard_one_with_another_date_is_named():
    [f] = _found(["DTM*001*20261215", "DTM*175*20261210", "DTM*106*20261212"])
    assert "DTM 175 20261210 (cancel if not shipped by; DTM 001 (cancel after) 20261215 taken)" in f.message
    assert "DTM 106" not in f.message  # taken: the PO sends no DTM 002
    # the same date, or a twin taken, says nothing
    assert _found(["DTM*001*20261215", "DTM*175*20261215"]) == []
    assert _found(["DTM*175*20261215", "DTM*118*20261205", "DTM*061*20261222"]) == []
    # the second twin of the same date beside the first taken with another date
    [g] = _found(["DTM*106*20261212", "DTM*996*20261214"])
    assert "DTM 996 20261214 (required delivery; DTM 002 (delivery requested) 20261212 taken)" in g.message
    # a reference's date (N9 loop) is no date of the order
    body = HEAD + ["N9*L1*NOTE", "DTM*077*20261207", "MSG*HELLO"] + TAIL
    result = read_interchanges(x12_850(body))
    assert [x.code for x in check_structure(result, list(result.transaction_sets()))
            if x.code == "HEADING_DATES_NOT_APPLIED"] == []


def test_an_860_moving_a_cancel_if_not_shipped_by_date_moves_the_cancel_date(tmp_path):
    """A partner whose 850 sends its cancel date as DTM 175 moves it with an 860's DTM 175: applied as the
    order's cancel-after (it used to be CHANGE_HEADER_NOT_APPLIED, the old date kept)."""
    from tests.test_backorder_cancel_date import NIGHT1, globex_with, story
    from tests.test_cancel_date_moves import _outbox, _status, change_860

    ws = make_workspace(tmp_path / "ws")
    globex_with(ws, "DTM|175|20261210~")
    run_stages(ws, NIGHT1)
    assert _status(ws)["order"]["dates"]["cancel_after"] == "2026-12-10"
    change_860(ws, ["DTM*175*20261220"])
    run_stages(ws, datetime(2026, 12, 9, 2))
    _record, _lines, events, found, _reserved = story(ws)
    assert _status(ws)["order"]["dates"]["cancel_after"] == "2026-12-20"
    assert "CHANGE_HEADER_NOT_APPLIED" not in {f["code"] for f in found}
    assert events[-1] == "change_answered"
    (ack,) = _outbox(ws, "865")
    assert "DTM*001*20261220" in ack.replace("|", "*")  # echoed under the standard qualifier we keep it as


def test_an_860_s_twin_beside_its_standard_one_is_not_applied():
    from parsers.orders_860 import read_changes
    from tests.changes.builders import parse_860, sets_860, x12_860

    body = ["BCH*04*SA*PO-1**20261126", "DTM*001*20261215", "DTM*175*20261210", "DTM*106*20261212",
            "POC*1*NC*12*0*EA*19.70**VN*VP-1001", "CTT*1"]
    result = parse_860(x12_860(body))
    headers, _ = read_changes(result, sets_860(result), partner="acme")
    assert headers.select(["cancel_after", "requested_delivery_date"]).to_pylist() == [
        {"cancel_after": date(2026, 12, 15), "requested_delivery_date": date(2026, 12, 12)}]
    codes = [(f.code, f.location.segment_position) for f in check_structure(result, sets_860(result))
             if f.code.startswith("CHANGE_")]
    assert codes == [("CHANGE_HEADER_NOT_APPLIED", 4)]  # the DTM 175 (the 106 is taken as 002)
