"""A release part of which shipped that the buyer's 860 moves to another blanket (its REF*CT changed:
tests.test_blankets7) is checked and held (docs/lifecycle.md, "Blankets and their releases"): what is left to ship
(promised less shipped) is held against what the new blanket still holds (its line less its other releases);
overdrawing it, the release is held (RELEASE_BALANCE_PAST_BLANKET, engine.lifecycle.moved_hold): what shipped stands,
a confirmation of more is still recorded, nothing more is billed; approved, it ships and bills its balance; rejected,
its balance is cancelled. It used to stay partially_shipped with a message alone (tests.test_blankets9). And a
release moved between two numbers neither of which we hold a blanket of is held saying what to do. Each through real
nights (tests.support.run_stages).
"""

from __future__ import annotations

from connectors.state import StateStore
from tests.retailer_support import findings_and_states
from tests.support import run_stages
from tests.test_blankets3 import DAY3, DAY4, _cli
from tests.test_blankets8 import MOVED, OTHER, _865s, _moved_night, _other_blanket
from tests.test_rg89c import BLANKET
from tests.test_rg89e import NIGHT, _blanket_850, _night

_HEADER = "Shipment ID,Ship Date,Carrier,PO Number,Release,PO Line,SKU,Quantity,Unit,Carton ID\n"


def _ship(ws, name: str, sid: str, quantity: int, day: str = "2026-11-25") -> None:
    """The east DC's CSV confirming ``quantity`` screws of release order 4500312003 (line 1)."""
    from tests.test_blankets5 import _confirm

    _confirm(ws, "east-0.csv", [])  # (the east DC's CSV reading a release column)
    (ws.warehouse_drop_root / "east" / "inbox" / "east-0.csv").unlink()
    (ws.warehouse_drop_root / "east" / "inbox" / name).write_text(
        f"{_HEADER}{sid},{day},UPSN,4500312003,,1,RG89-06,{quantity},EA,C-{sid}-1\n")


def _shipped_then_moved(tmp_path, name: str, screws: int, *, to: str = OTHER, by_value: bool = False):
    """Blankets FAS8900401 (5,000 screws) and FAS8900402 (``screws`` screws); release orders 4500312001 (100) and
    4500312003 (300) naming FAS8900401 by REF*CT, for a Fastenal that receives 865s; 100 of 4500312003 shipped the
    first night (partially_shipped; Fastenal is billed per order: no 810 until nothing is left to ship); the next
    night the buyer's 860 moves it to contract ``to`` (FAS8900402). With ``by_value`` FAS8900402's screws line states
    no quantity (`PO1*1***0.42**`: agreed by value; tests/test_blankets11.py).
    (ws, findings (code, PO, message), states) after the move."""
    from tests.retailer_support import recounted
    from tests.test_blankets5 import _sap_release

    other = _other_blanket(screws)
    if by_value:
        other = recounted(other.replace(f"PO1*1*{screws}*EA*0.42**", "PO1*1***0.42**").encode()).decode()
    ws = _night(tmp_path, name, {"FAS850_FAS8900401_0000.x12": _blanket_850(),
                                 "FAS850_FAS8900402_0000.x12": other})
    profile = ws.root / "partners" / "fastenal.toml"
    profile.write_text(profile.read_text().replace('receives = ["997", "855", "856", "810"]',
                                                   'receives = ["997", "855", "856", "810", "865"]'))
    _sap_release(ws, "4500312001", 100, "20261124", control=89501)
    _sap_release(ws, "4500312003", 300, "20261124", control=89503)
    _ship(ws, "east-1.csv", "S-3", 100)
    run_stages(ws, NIGHT)
    _found, states = findings_and_states(ws)
    assert states[MOVED] == "partially_shipped", states
    assert _810s(ws) == []
    found, states = _moved_night(ws, to)
    return ws, found, states


def _810s(ws) -> list[str]:
    """The units (IT102) each 810 sent to Fastenal for 4500312003 billed, in order."""
    out = []
    for p in sorted(ws.root.rglob("fastenal-810-*.x12")):
        text = p.read_text()
        if "4500312003" in text:
            out += [s.split("*")[2] for s in text.replace("\n", "").split("~") if s.startswith("IT1*")]
    return out


def _state(ws):
    return StateStore(ws.state_url)


def _valid(ws, tmp_path) -> None:
    """Every 865 and 810 sent to Fastenal passes our outbound validator and Bots' grammars."""
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check

    sent = [*ws.root.rglob("fastenal-865-*.x12"), *ws.root.rglob("fastenal-810-*.x12")]
    assert sent
    for p in sent:
        content = p.read_bytes()
        assert [f for f in validate_outbound(content) if f.severity == "error"] == [], p.name
        ok, errors = bots_check(content, tmp_path)
        assert ok, (p.name, errors)


def test_a_partly_shipped_release_moved_past_a_blanket_is_held_then_approved_bills_what_shipped(tmp_path):
    """4500312003 (300 screws, 100 shipped) is moved to FAS8900402 (150 screws): its 200 left to ship overdraw it by
    50. Held (RELEASE_BALANCE_PAST_BLANKET naming FAS8900402, the 200 left, the 150 it holds and the 50 over, and what
    to do), its reservations kept; the 860 answered at once (865 AK: the reference is taken). While held, the east
    DC's confirmation of the 200 left is recorded (shipped 300: the goods left) but no 810 bills them (Fastenal's 810
    goes per order once nothing is left to ship: it would have gone that night). Approved: shipped, and the next
    night's 810 bills the 300; no second 865."""
    ws, found, states = _shipped_then_moved(tmp_path, "approve", 150)
    assert states[MOVED] == "held", (states, found)
    [past] = [m for c, po, m in found if c == "RELEASE_BALANCE_PAST_BLANKET" and po == MOVED[1]]
    assert OTHER in past and "200 EA left to ship" in past and "holds 150 EA" in past, past
    assert "overdraw it by 50 EA" in past and "100 EA of" in past and "approve" in past and "reject" in past, past
    [answer] = _865s(ws)
    assert f"BCA*00*AK*{MOVED[1]}*" in answer, answer
    state = _state(ws)
    try:
        assert [h["event"] for h in state.order_history(*MOVED)][-2:] == ["change_answered", "release_move_held"]
        [record] = state.orders_for({MOVED}).values()
        assert record.hold_codes == ("RELEASE_BALANCE_PAST_BLANKET",)
        assert sum(r.quantity for r in state.reservations_for([MOVED])[MOVED]) == 200
    finally:
        state.close()
    _ship(ws, "east-2.csv", "S-4", 200, "2026-11-27")
    run_stages(ws, DAY3)
    _found, states = findings_and_states(ws)
    assert states[MOVED] == "held", states
    state = _state(ws)
    try:
        [line] = state.order_lines(*MOVED)
        assert line.shipped == 300, line
    finally:
        state.close()
    assert _810s(ws) == []  # nothing billed while held
    code, text = _cli(ws, "approve", MOVED[1], "--partner", "fastenal", "--by", "Kim", "--note",
                      "buyer raises FAS8900402")
    assert code == 0, text
    _found, states = findings_and_states(ws)
    assert states[MOVED] == "shipped", states
    run_stages(ws, DAY4)
    assert _810s(ws) == ["300"]
    assert len(_865s(ws)) == 1  # no second answer to the 860
    _valid(ws, tmp_path)


def test_approving_a_moved_balance_with_units_left_says_it_ships_them(tmp_path):
    """Held with 200 left: approve says it ships its balance against the blanket it moved to, and the release is
    partially_shipped again (its reservations kept)."""
    ws, found, states = _shipped_then_moved(tmp_path, "approve-left", 150)
    assert states[MOVED] == "held", (states, found)
    code, text = _cli(ws, "approve", MOVED[1], "--partner", "fastenal", "--by", "Kim")
    assert code == 0, text
    assert "ships its balance against the blanket it moved to" in text, text
    _found, states = findings_and_states(ws)
    assert states[MOVED] == "partially_shipped", states
    state = _state(ws)
    try:
        assert sum(r.quantity for r in state.reservations_for([MOVED])[MOVED]) == 200
        [record] = state.orders_for({MOVED}).values()
        assert record.hold_codes == () and record.person.verdict == "approved"
    finally:
        state.close()


def test_a_partly_shipped_release_moved_within_a_blanket_ships_on(tmp_path):
    """Moved to FAS8900402 holding 1,000 screws: its 200 left fit, nothing held, the 865 accepts the change."""
    ws, found, states = _shipped_then_moved(tmp_path, "within", 1000)
    assert states[MOVED] == "partially_shipped", (states, found)
    assert not [c for c, po, _m in found if po == MOVED[1] and c.startswith("RELEASE_")], found
    [answer] = _865s(ws)
    assert f"BCA*00*AK*{MOVED[1]}*" in answer, answer


def test_the_other_releases_of_the_new_blanket_count_against_the_balance(tmp_path):
    """FAS8900402 holds 250 screws: the 200 left fit it alone, but release order 4500312005 (100 screws) of
    FAS8900402 called off 100 before: 200 of the 150 remaining, held, the finding naming 4500312005."""
    from tests.test_blankets5 import _sap_release

    ws = _night(tmp_path, "others", {"FAS850_FAS8900401_0000.x12": _blanket_850(),
                                     "FAS850_FAS8900402_0000.x12": _other_blanket(250)})
    profile = ws.root / "partners" / "fastenal.toml"
    profile.write_text(profile.read_text().replace('receives = ["997", "855", "856", "810"]',
                                                   'receives = ["997", "855", "856", "810", "865"]'))
    _sap_release(ws, "4500312003", 300, "20261124", control=89503)
    _ship(ws, "east-1.csv", "S-3", 100)
    run_stages(ws, NIGHT)
    # (a release of FAS8900402 by its contract)
    _sap_release(ws, "4500312005", 100, "20261124", control=89505)
    inbox = ws.drop_root / "fastenal" / "inbox" / "FAS850_4500312005.x12"
    inbox.write_text(inbox.read_text().replace(f"REF*CT*{BLANKET}~", f"REF*CT*{OTHER}~"))
    found, states = _moved_night(ws)
    assert states[("fastenal", "4500312005")] == "acknowledged", states
    assert states[MOVED] == "held", (states, found)
    [past] = [m for c, po, m in found if c == "RELEASE_BALANCE_PAST_BLANKET" and po == MOVED[1]]
    assert "4500312005 called off 100 EA" in past and "150 EA remain" in past and "by 50 EA" in past, past


def test_rejecting_a_moved_balance_cancels_it_and_what_shipped_stands(tmp_path):
    """Held as above; a person rejects it: its balance (200) is cancelled at once, its reservations released, the
    100 shipped stand: shipped, nothing more to ship, and the next night's 810 bills the 100; no other document
    answers the 860 (it had its 865)."""
    ws, found, states = _shipped_then_moved(tmp_path, "reject", 150)
    assert states[MOVED] == "held", (states, found)
    code, text = _cli(ws, "reject", MOVED[1], "--partner", "fastenal", "--by", "Kim", "--reason",
                      "the buyer wants no more under FAS8900402")
    assert code == 0, text
    assert "balance is cancelled" in text, text
    state = _state(ws)
    try:
        [record] = state.orders_for({MOVED}).values()
        assert record.state.value == "shipped", record
        assert record.person is not None and record.person.verdict == "rejected"
        assert not state.reservations_for([MOVED]).get(MOVED), state.reservations_for([MOVED])
        [line] = state.order_lines(*MOVED)
        assert line.shipped == 100 and line.balance_cancelled == 200, line
        events = [h["event"] for h in state.order_history(*MOVED)]
        assert events[-2:] == ["release_move_decided", "balance_cancelled"], events
    finally:
        state.close()
    run_stages(ws, DAY3)
    assert _810s(ws) == ["100"] and len(_865s(ws)) == 1
    _valid(ws, tmp_path)


def test_a_release_moved_between_two_numbers_we_hold_no_blanket_of_is_held_saying_what_to_do(tmp_path):
    """Release order 4500312003 names contract 4600001111 (no blanket we hold: RELEASE_BLANKET_UNKNOWN's warning,
    acknowledged); the buyer's 860 moves it to 4600009999, no blanket either: held (RELEASE_MOVED_BLANKET_UNKNOWN),
    the message naming the new contract and saying what to do (ask for the blanket's 850 and recheck, or whether the
    number is right; approve to ship it as acknowledged, reject to refuse the change and the release) and not that it
    was checked against a blanket before."""
    from tests.test_blankets5 import _sap_release

    ws = _night(tmp_path, "unknowns", {"FAS850_FAS8900401_0000.x12": _blanket_850()})
    profile = ws.root / "partners" / "fastenal.toml"
    profile.write_text(profile.read_text().replace('receives = ["997", "855", "856", "810"]',
                                                   'receives = ["997", "855", "856", "810", "865"]'))
    _sap_release(ws, "4500312003", 200, "20261124", control=89503)
    inbox = ws.drop_root / "fastenal" / "inbox" / "FAS850_4500312003.x12"
    inbox.write_text(inbox.read_text().replace(f"REF*CT*{BLANKET}~", "REF*CT*4600001111~"))
    run_stages(ws, NIGHT)
    _found, states = findings_and_states(ws)
    assert states[MOVED] == "acknowledged", states
    found, states = _moved_night(ws, "4600009999")
    assert states[MOVED] == "held", (states, found)
    [told] = [m for c, po, m in found if c == "RELEASE_MOVED_BLANKET_UNKNOWN" and po == MOVED[1]]
    assert "contract 4600009999 (REF*CT)" in told, told
    assert "any more" not in told, told
    assert "850" in told and "recheck" in told and "approve" in told and "reject" in told, told


def test_approving_in_bulk_says_the_moved_release_ships_its_balance(tmp_path):
    """`approve --all-held` of the held release and the two blankets waiting for a person: the count says the next run
    sends the blankets' 855s, and that the release ships its balance (no 855 nor 865 for it); the release is
    partially_shipped again, its reservations kept."""
    ws, found, states = _shipped_then_moved(tmp_path, "bulk", 150)
    assert states[MOVED] == "held", (states, found)
    code, text = _cli(ws, "approve", "--all-held", "--partner", "fastenal", "--by", "Kim", "--note", "agreed")
    assert code == 0, text
    said = " ".join(text.split())
    assert "3 order(s) approved by Kim, 0 skipped; the next run sends the 855s of 2; 1 release(s) held after an 860 " \
           "moved them past a blanket: each ships its balance against the blanket it moved to" in said, text
    _found, states = findings_and_states(ws)
    assert states[MOVED] == "partially_shipped", states
    state = _state(ws)
    try:
        assert sum(r.quantity for r in state.reservations_for([MOVED])[MOVED]) == 200
    finally:
        state.close()


def test_a_held_moved_release_moved_back_to_a_blanket_that_holds_its_balance_is_let_go(tmp_path):
    """Held after the move to FAS8900402; the buyer's next 860 moves it back to FAS8900401 (5,000 screws, 100 called
    off by 4500312001): its 200 left fit, so it is let go (release_move_decided by the system, no hold code), back to
    partially_shipped; each 860 has its 865 AK. It used to stay held for the reason the first move gave."""
    from tests.test_blankets7 import _contract_860

    ws, found, states = _shipped_then_moved(tmp_path, "back", 150)
    assert states[MOVED] == "held", (states, found)
    _contract_860(ws, MOVED[1], BLANKET, 89602)
    sent = ws.drop_root / "fastenal" / "inbox" / f"FAS860_{MOVED[1]}.x12"
    (sent.with_name("FAS860_back.x12")).write_text(
        sent.read_text().replace(f"BCH*04*RL*{MOVED[1]}**1*", f"BCH*04*RL*{MOVED[1]}**2*"))  # (its BCH05: no repeat)
    sent.unlink()
    run_stages(ws, DAY3)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states[MOVED] == "partially_shipped", (states, found)
    state = _state(ws)
    try:
        [record] = state.orders_for({MOVED}).values()
        assert record.hold_codes == () and record.contract_number == BLANKET, record
        history = state.order_history(*MOVED)
        assert history[-1]["event"] == "release_move_decided" and history[-1]["actor"] == "system", history[-1]
    finally:
        state.close()
    assert [a[a.index("BCA"):].split("*")[2] for a in _865s(ws)] == ["AK", "AK"]
