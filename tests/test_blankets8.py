"""A release an 860 moves to another blanket (its REF*CT / REF*AH changed: tests.test_blankets7) is checked against
that blanket (docs/lifecycle.md, "Blankets and their releases"): decided again as a release of the new blanket (its
quantities, with what the new blanket's other releases drew, its items, its end; a blanket the buyer cancelled), its
quantity taken off the old blanket's drawdown and counted in the new one's, and the 865 answering the 860 says the
outcome. Each through real nights (tests.support.run_stages)."""

from __future__ import annotations

from tests.retailer_support import findings_and_states
from tests.test_blankets5 import _sap_release
from tests.test_blankets7 import _contract_860
from tests.test_rg89c import BLANKET
from tests.test_rg89e import NIGHT, _blanket_850, _night

OTHER = "FAS8900402"
MOVED = ("fastenal", "4500312003")


def _other_blanket(screws: int = 1000, *, end: str = "20270531", items: bool = True) -> str:
    """A second blanket of Fastenal's, FAS8900402: ``screws`` screws (and the flange nuts), ending ``end``; with
    ``items`` false it lists the flange nuts alone (not the screws)."""
    text = _blanket_850().replace(f"BEG*00*BK*{BLANKET}*", f"BEG*00*BK*{OTHER}*").replace(
        "PO1*1*5000*EA*", f"PO1*1*{screws}*EA*").replace("DTM*036*20270531", f"DTM*036*{end}").replace(
        "000089004", "000089005").replace("*89004*", "*89005*").replace("GE*1*89004", "GE*1*89005")
    if not items:
        text = text.replace(f"PO1*1*{screws}*EA*0.42**BP*11128906*VP*RG89-06~\nPID*F****HCS 3/8-16X1 Z~\n", "").replace(
            "CTT*2*15000", "CTT*1*10000")
    from tests.retailer_support import recounted

    return recounted(text.encode()).decode()


def _two_blankets(tmp_path, name: str, **other) -> object:
    """The blanket FAS8900401 (5,000 screws) and FAS8900402 (_other_blanket ``other``), and release orders 4500312001
    (100 screws) and 4500312003 (200 screws) naming FAS8900401 by REF*CT, taken (acknowledged) in one night, for a
    Fastenal that receives 865s (its changes answered by them: change_ack's default)."""
    from tests.support import run_stages

    ws = _night(tmp_path, name, {"FAS850_FAS8900401_0000.x12": _blanket_850(),
                                 "FAS850_FAS8900402_0000.x12": _other_blanket(**other)})
    profile = ws.root / "partners" / "fastenal.toml"
    profile.write_text(profile.read_text().replace('receives = ["997", "855", "856", "810"]',
                                                   'receives = ["997", "855", "856", "810", "865"]'))
    _sap_release(ws, "4500312001", 100, "20261124", control=89501)
    _sap_release(ws, "4500312003", 200, "20261124", control=89503)
    run_stages(ws, NIGHT)
    _found, states = findings_and_states(ws)
    assert states[("fastenal", "4500312001")] == states[MOVED] == "acknowledged", states
    return ws


def _moved_night(ws, to: str = OTHER):
    """The 860 moving 4500312003 to contract ``to`` (REF*CT), its night; (findings (code, PO, message), states)."""
    from tests.support import run_stages
    from tests.test_blankets3 import DAY2

    _contract_860(ws, MOVED[1], to, 89601)
    run_stages(ws, DAY2)
    return findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))


def _drawdown(ws, po: str) -> dict[str, str]:
    """Each release's screws (line 1) called off the blanket ``po``, as `status` of the blanket shows them."""
    from connectors.state import StateStore
    from flows.decide import blanket_drawdown

    state = StateStore(ws.state_url)
    try:
        [record] = state.orders_for({("fastenal", po)}).values()
        rows = blanket_drawdown(ws, state, record)
    finally:
        state.close()
    [screws] = [r for r in rows if r["line_number"] == 1]
    return {r["release"]: r["quantity"] for r in screws["releases"]}


def _865s(ws) -> list[str]:
    """The 865s sent to Fastenal, each its text."""
    return [p.read_text() for p in sorted(ws.root.rglob("fastenal-865-*.x12"))]


def test_a_release_moved_to_a_blanket_it_overdraws_is_held_against_that_blanket(tmp_path):
    """4500312003 (200 screws, acknowledged under FAS8900401) is moved by the buyer's 860 to FAS8900402, which holds
    150 screws: decided again as a release of FAS8900402, past it (RELEASE_PAST_BLANKET naming FAS8900402, 200 of 150)
    and held for a person, its reservations kept while it waits. FAS8900401's drawdown no longer counts it (0001's 100
    alone), FAS8900402's does; no 865 yet. It used to stay acknowledged, never checked against the blanket it moved
    to (counted in its drawdown past what it holds). A person rejects it: the next night's 865 refuses the 860 (BCA02
    RJ), the release draws nothing from either blanket."""
    from connectors.state import StateStore
    from tests.support import run_stages
    from tests.test_blankets3 import DAY3, _cli

    ws = _two_blankets(tmp_path, "past", screws=150)
    assert _drawdown(ws, BLANKET) == {"4500312001": "100", "4500312003": "200"}
    state = StateStore(ws.state_url)
    try:
        reserved = state.reservations_for([MOVED])
    finally:
        state.close()
    found, states = _moved_night(ws)
    assert states[MOVED] == "held", (states, found)
    [past] = [m for c, po, m in found if po == MOVED[1] and c == "RELEASE_PAST_BLANKET"]
    assert OTHER in past and "200" in past and "150" in past, past
    assert states[("fastenal", "4500312001")] == "acknowledged", states
    assert _drawdown(ws, BLANKET) == {"4500312001": "100"}
    assert _drawdown(ws, OTHER) == {"4500312003": "200"}
    state = StateStore(ws.state_url)
    try:
        assert state.reservations_for([MOVED]) == reserved  # held: what it holds is kept for the person's call
    finally:
        state.close()
    assert _865s(ws) == []  # the 860 waits on the hold: answered with the person's decision
    code, text = _cli(ws, "reject", MOVED[1], "--partner", "fastenal", "--by", "Kim", "--reason",
                      "not on this agreement")
    assert code == 0, text
    run_stages(ws, DAY3)
    [answer] = _865s(ws)
    assert f"BCA*00*RJ*{MOVED[1]}*" in answer, answer  # the 865 says the outcome: the change refused
    _found, states = findings_and_states(ws)
    assert states[MOVED] == "rejected", states
    assert _drawdown(ws, OTHER) == {} and _drawdown(ws, BLANKET) == {"4500312001": "100"}


def test_a_release_moved_to_a_blanket_that_holds_it_is_acknowledged_and_the_865_says_so(tmp_path):
    """Moved to FAS8900402 (1,000 screws): within it, acknowledged again, answered by the 865 (BCA02 AK: accepted as
    asked), and the drawdown follows: FAS8900401 counts 0001's 100, FAS8900402 counts 0003's 200."""
    ws = _two_blankets(tmp_path, "within")
    found, states = _moved_night(ws)
    assert states[MOVED] == "acknowledged", (states, found)
    assert not [c for c, po, _m in found if po == MOVED[1] and c.startswith("RELEASE_")], found
    assert _drawdown(ws, BLANKET) == {"4500312001": "100"}
    assert _drawdown(ws, OTHER) == {"4500312003": "200"}
    [answer] = _865s(ws)
    assert f"BCA*00*AK*{MOVED[1]}*" in answer, answer  # the change accepted as asked


def test_a_release_moved_to_a_blanket_that_does_not_list_its_item_is_held(tmp_path):
    """FAS8900402 lists the flange nuts alone: the moved release's screws are not on it (RELEASE_ITEM_NOT_ON_BLANKET
    naming FAS8900402), held for a person."""
    ws = _two_blankets(tmp_path, "items", items=False)
    found, states = _moved_night(ws)
    assert states[MOVED] == "held", (states, found)
    [told] = [m for c, po, m in found if po == MOVED[1] and c == "RELEASE_ITEM_NOT_ON_BLANKET"]
    assert OTHER in told, told


def test_a_release_moved_to_a_blanket_that_ended_is_held(tmp_path):
    """FAS8900402 ended on 2026-11-21, before the release's date (BEG05 2026-11-24): RELEASE_AFTER_BLANKET_END, held."""
    ws = _two_blankets(tmp_path, "ended", end="20261121")
    found, states = _moved_night(ws)
    assert states[MOVED] == "held", (states, found)
    [told] = [m for c, po, m in found if po == MOVED[1] and c == "RELEASE_AFTER_BLANKET_END"]
    assert OTHER in told, told


def test_a_release_moved_to_a_blanket_the_buyer_cancelled_is_held(tmp_path):
    """FAS8900402 is cancelled by the buyer (850 BEG01 01) the night before the move: the moved release calls off a
    blanket that is over (RELEASE_BLANKET_CANCELLED naming it), held; FAS8900401 no longer counts it."""
    from tests.support import run_stages
    from tests.test_blankets3 import DAY2, DAY3
    from tests.test_rg89e import _put

    ws = _two_blankets(tmp_path, "cancelled")
    cancel = _other_blanket().replace("BEG*00*BK*", "BEG*01*BK*").replace("000089005", "000089105").replace(
        "*89005*", "*89105*").replace("GE*1*89005", "GE*1*89105")
    _put(ws, {"FAS850_FAS8900402_cancel.x12": cancel})
    run_stages(ws, DAY2)
    _contract_860(ws, MOVED[1], OTHER, 89601)
    run_stages(ws, DAY3)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states[("fastenal", OTHER)] == "cancelled", states
    assert states[MOVED] == "held", (states, found)
    [told] = [m for c, po, m in found if po == MOVED[1] and c == "RELEASE_BLANKET_CANCELLED"]
    assert OTHER in told, told
    assert _drawdown(ws, BLANKET) == {"4500312001": "100"}


def test_a_release_moved_to_a_contract_we_hold_no_blanket_of_is_held_and_approved_ships_as_answered(tmp_path):
    """Moved to contract 4600009999, no blanket we hold: RELEASE_MOVED_BLANKET_UNKNOWN (it names the contract) holds it
    for a person, though a release sent naming it is answered with RELEASE_BLANKET_UNKNOWN's warning alone for
    Fastenal: the buyer moved it off the blanket it was checked against to one we never received. FAS8900401 no
    longer counts it. A person approves it: the next night acknowledges it again (its reservations kept) and the 865
    accepts the change. It used to stay acknowledged, checked against no blanket, without a word beyond the warning."""
    from connectors.state import StateStore
    from tests.support import run_stages
    from tests.test_blankets3 import DAY3, _cli

    ws = _two_blankets(tmp_path, "unknown")
    state = StateStore(ws.state_url)
    try:
        reserved = state.reservations_for([MOVED])
    finally:
        state.close()
    found, states = _moved_night(ws, "4600009999")
    assert states[MOVED] == "held", (states, found)
    [told] = [m for c, po, m in found if po == MOVED[1] and c == "RELEASE_MOVED_BLANKET_UNKNOWN"]
    assert "contract 4600009999 (REF*CT)" in told and "waits for a person" in told, told
    assert not [c for c, po, _m in found if po == MOVED[1] and c == "RELEASE_BLANKET_UNKNOWN"], found
    assert _drawdown(ws, BLANKET) == {"4500312001": "100"}
    assert _865s(ws) == []
    code, text = _cli(ws, "approve", MOVED[1], "--partner", "fastenal", "--by", "Kim", "--note",
                      "buyer says the contract's blanket follows on paper")
    assert code == 0, text
    run_stages(ws, DAY3)
    _found, states = findings_and_states(ws)
    assert states[MOVED] == "acknowledged", states
    [answer] = _865s(ws)
    assert f"BCA*00*AK*{MOVED[1]}*" in answer or f"BCA*00*AC*{MOVED[1]}*" in answer, answer
    state = StateStore(ws.state_url)
    try:
        assert state.reservations_for([MOVED]) == reserved
    finally:
        state.close()


def test_a_release_of_one_blanket_by_beg03_naming_another_by_ref_is_counted_in_its_own_alone(tmp_path):
    """Release 0001 of FAS8900401 (BEG03 the blanket's PO number, 1,000 screws) also sends REF*CT FAS8900402, another
    blanket we hold: it calls off FAS8900401, the one its BEG03 names (engine.blankets.called_off), and only that
    blanket's drawdown (`status`) counts it. It used to be counted in both (session 65's note), FAS8900402 showing
    screws called off that no release of it asked, and a later release of FAS8900402 (by REF*CT) held past it with
    0001's screws counted."""
    from tests.retailer_support import recounted
    from tests.support import run_stages
    from tests.test_rg89e import _release_0001

    ws = _night(tmp_path, "both", {"FAS850_FAS8900401_0000.x12": _blanket_850(),
                                   "FAS850_FAS8900402_0000.x12": _other_blanket()})
    release = _release_0001().replace("REF*IA*FA89012~", f"REF*IA*FA89012~\nREF*CT*{OTHER}~")
    (ws.drop_root / "fastenal" / "inbox" / "FAS850_FAS8900401_0001.x12").write_bytes(recounted(release.encode()))
    run_stages(ws, NIGHT)
    _found, states = findings_and_states(ws)
    assert "acknowledged" in states.values(), states
    assert _drawdown(ws, BLANKET) == {"0001": "1000"}
    assert _drawdown(ws, OTHER) == {}
    # and a release order naming FAS8900402 by REF*CT the next night (BEG04 0002, after 0001), 1,000 screws: all
    # FAS8900402 holds, 0001's 1,000 not counted against it (it used to be: held past the blanket)
    from tests.test_blankets3 import DAY2

    _sap_release(ws, "4500312005", 1000, "20261125", control=89505)
    release = ws.drop_root / "fastenal" / "inbox" / "FAS850_4500312005.x12"
    release.write_bytes(release.read_bytes().replace(f"REF*CT*{BLANKET}~".encode(), f"REF*CT*{OTHER}~".encode())
                        .replace(b"BEG*00*RL*4500312005**", b"BEG*00*RL*4500312005*0002*"))  # after 0001
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states[("fastenal", "4500312005")] == "acknowledged", (states, found)
    assert _drawdown(ws, OTHER) == {"0002": "1000"}
