"""Blanket releases, what tests.test_blankets8 left (docs/lifecycle.md, "Blankets and their releases"), each through
real nights (tests.support.run_stages):
- a release whose BEG03 is a blanket's PO number, to which the buyer's 860 gives another blanket's contract (REF*CT),
  still calls off the blanket of its BEG03 (engine.blankets.called_off): CHANGE_HEADER_APPLIED and the order's
  history say so, and it is not decided again (they used to say it now calls off the blanket its contract names);
- `approve --all-held` of a release held after an 860 moved it to a blanket it overdraws says what the next night
  does: it answers the 860 with an 865, no new 855 (it used to say "the next run sends their 855s")."""

from __future__ import annotations

from connectors.state import StateStore
from tests.retailer_support import findings_and_states, recounted
from tests.support import run_stages
from tests.test_blankets3 import DAY2, DAY3, _cli
from tests.test_blankets8 import MOVED, OTHER, _865s, _drawdown, _moved_night, _other_blanket, _two_blankets
from tests.test_rg89c import BLANKET
from tests.test_rg89e import NIGHT, _blanket_850, _night, _release_0001

RELEASE = ("fastenal", f"{BLANKET}\x1e0001")  # release 0001 of FAS8900401 (BEG03 the blanket's, BEG04 0001)


def _ref_860(ws, contract: str, control: int) -> None:
    """Fastenal's 860 giving release 0001 of FAS8900401 (BCH03 the blanket, BCH04 its release number) the contract
    ``contract`` (REF*CT), nothing else."""
    from tests.test_rg89d import FIXTURES

    first = (FIXTURES / "drops" / "fastenal" / "FAS850_FAS8900401.x12").read_text()
    isa = first.split("~", 1)[0].replace("000089004", f"{control:09d}").replace("*261120*", "*261125*")
    body = [f"GS*PC*FASTENAL*ORDERBRIDGE*20261125*0215*{control}*X*004010", "ST*860*0001",
            f"BCH*04*RL*{BLANKET}*0001*1*20261124", f"REF*CT*{contract}", "SE*4*0001", f"GE*1*{control}",
            f"IEA*1*{control:09d}"]
    (ws.drop_root / "fastenal" / "inbox" / "FAS860_0001.x12").write_text("".join(f"{s}~\n" for s in [isa, *body]))


def _history(ws, key) -> list[dict]:
    state = StateStore(ws.state_url)
    try:
        return state.order_history(*key)
    finally:
        state.close()


def _855s(ws) -> list[str]:
    return sorted(p.name for p in ws.root.rglob("fastenal-855-*.x12"))


def test_a_contract_given_to_a_release_of_a_blanket_by_beg03_says_it_still_calls_that_blanket_off(tmp_path):
    """Release 0001 of FAS8900401 (1,000 screws, acknowledged) is given REF*CT FAS8900402, another blanket we hold, by
    the buyer's 860. It still calls off FAS8900401, the blanket of its BEG03: CHANGE_HEADER_APPLIED says so (naming
    FAS8900401, not that it calls off the blanket its contract names now), the history's change_answered note too;
    it is not decided again (no allocation, its 855 stands), the 865 accepts the change, and the drawdowns stand
    (FAS8900401 counts its 1,000, FAS8900402 nothing). The finding used to say "The release calls off the blanket its
    contract or agreement names now ... decided again as that blanket's release", and it was decided again."""
    ws = _night(tmp_path, "beg03", {"FAS850_FAS8900401_0000.x12": _blanket_850(),
                                    "FAS850_FAS8900402_0000.x12": _other_blanket()})
    profile = ws.root / "partners" / "fastenal.toml"
    profile.write_text(profile.read_text().replace('receives = ["997", "855", "856", "810"]',
                                                   'receives = ["997", "855", "856", "810", "865"]'))
    (ws.drop_root / "fastenal" / "inbox" / "FAS850_FAS8900401_0001.x12").write_bytes(
        recounted(_release_0001().encode()))
    run_stages(ws, NIGHT)
    _found, states = findings_and_states(ws)
    assert states[RELEASE] == "acknowledged", states
    before = _855s(ws)
    _ref_860(ws, OTHER, 89601)
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states[RELEASE] == "acknowledged", (states, found)
    [applied] = [m for c, po, m in found if c == "CHANGE_HEADER_APPLIED" and po == RELEASE[1]]
    assert f"REF CT (none) -> {OTHER}" in applied, applied
    assert f"still calls off blanket {BLANKET}, the one its BEG03 names" in applied, applied
    assert "names now" not in applied and "decided again as that blanket's" not in applied, applied
    events = [(h["event"], h["note"]) for h in _history(ws, RELEASE)]
    after = events[[e for e, _n in events].index("change_received") + 1:]
    assert [e for e, _n in after] == ["change_answered"], after  # not allocated nor acknowledged again
    assert f"still calls off blanket {BLANKET} (its BEG03)" in after[0][1], after
    assert not [c for c, po, _m in found if po == RELEASE[1] and c.startswith("RELEASE_")], found
    assert _drawdown(ws, BLANKET) == {"0001": "1000"} and _drawdown(ws, OTHER) == {}
    [answer] = _865s(ws)
    assert f"BCA*00*AK*{BLANKET}*0001*" in answer, answer
    assert _855s(ws) == before


def test_approving_in_bulk_a_release_an_860_moved_and_held_says_its_865_answers_it(tmp_path):
    """4500312003 is moved by the buyer's 860 to FAS8900402, past its 150 screws: held (tests.test_blankets8), with
    the two blankets waiting for a person too. `approve --all-held` (dry run, then recorded) says, in its row and its
    count, that the next run answers the release's 860 with an 865 and sends it no new 855, and that the two
    blankets get their 855s; the next night does just that. It used to say "the next run sends their 855s" for all
    three."""
    ws = _two_blankets(tmp_path, "bulk", screws=150)
    _found, states = _moved_night(ws)
    assert states[MOVED] == "held", states
    held = sorted(k for k, v in states.items() if v == "held")
    assert held == sorted([("fastenal", "FAS8900401"), ("fastenal", "FAS8900402"), MOVED]), held
    before = _855s(ws)
    code, text = _cli(ws, "approve", "--all-held", "--partner", "fastenal", "--by", "Kim", "--dry-run")
    assert code == 0 and "if recorded, the next run answers its 1 860(s) with an 865 (no new 855)" in text, text
    code, text = _cli(ws, "approve", "--all-held", "--partner", "fastenal", "--by", "Kim", "--note", "agreed")
    assert code == 0, text
    assert "the next run answers its 1 860(s) with an 865 (no new 855)" in text, text
    assert "3 order(s) approved by Kim, 0 skipped; the next run sends the 855s of 2; 1 order(s) have the changes " \
           "applied to them answered by an 865 (no new 855)." in " ".join(text.split()), text
    assert "the next run sends their 855s" not in text, text
    run_stages(ws, DAY3)
    _found, states = findings_and_states(ws)
    assert states[MOVED] == "acknowledged", states
    [answer] = _865s(ws)
    assert f"BCA*00*AK*{MOVED[1]}*" in answer, answer
    new = [n for n in _855s(ws) if n not in before]
    assert len(new) == 2, new  # the two blankets' (each BAK03 its own PO), none for the release
    assert not [n for n in new if MOVED[1] in next(ws.root.rglob(n)).read_text()], new


def test_rejecting_a_moved_release_alone_says_its_865_refuses_the_860_and_its_855_rejects_it(tmp_path):
    """The same held release rejected by its PO number: `reject` says the next run refuses its 860 with an 865 and
    sends the 855 (RD), and the next night sends both (BCA02 RJ; an 855 BAK02 RD naming the release, BAK01 05
    replacing its first). It used to say "the next run sends the 855" alone."""
    ws = _two_blankets(tmp_path, "reject", screws=150)
    _found, states = _moved_night(ws)
    assert states[MOVED] == "held", states
    before = _855s(ws)
    code, text = _cli(ws, "reject", MOVED[1], "--partner", "fastenal", "--by", "Kim", "--reason", "not on it")
    assert code == 0, text
    said = ("the next run refuses its 1 860(s) with an 865, and sends an 855 RD refusing the order "
            "(BAK02 RD, each line ACK IR)")
    assert said in " ".join(text.split()), text
    run_stages(ws, DAY3)
    [answer] = _865s(ws)
    assert f"BCA*00*RJ*{MOVED[1]}*" in answer, answer
    [new] = [n for n in _855s(ws) if n not in before]
    rd = next(ws.root.rglob(new)).read_text()
    assert f"*RD*{MOVED[1]}*" in rd.split("BAK*", 1)[1].split("~")[0], rd  # BAK01 05: it replaces the 855 AD


def test_a_release_moved_after_it_shipped_in_part_is_told_not_decided_again(tmp_path):
    """4500312003 (300 screws) shipped 100 on the first night (partially_shipped), then the buyer's 860 moves it to
    FAS8900402 (150 screws). It is not decided again: CHANGE_HEADER_APPLIED says that, and no longer says it "is
    decided again as that blanket's release"; what is left to ship (200) is held against FAS8900402, which it
    overdraws: held (RELEASE_BALANCE_PAST_BLANKET, tests.test_blankets10; it used to stay partially_shipped with the
    message alone). FAS8900401 counts the 100 shipped against it, FAS8900402 the 200 left (tests.test_blankets11: it
    used to count the 300 whole on FAS8900402, nothing on FAS8900401)."""
    from tests.test_blankets5 import _confirm, _sap_release

    ws = _night(tmp_path, "part", {"FAS850_FAS8900401_0000.x12": _blanket_850(),
                                   "FAS850_FAS8900402_0000.x12": _other_blanket(150)})
    profile = ws.root / "partners" / "fastenal.toml"
    profile.write_text(profile.read_text().replace('receives = ["997", "855", "856", "810"]',
                                                   'receives = ["997", "855", "856", "810", "865"]'))
    _sap_release(ws, "4500312001", 100, "20261124", control=89501)
    _sap_release(ws, "4500312003", 300, "20261124", control=89503)
    _confirm(ws, "east-0.csv", [])  # (the east DC's CSV reading a release column)
    (ws.warehouse_drop_root / "east" / "inbox" / "east-0.csv").write_text(
        "Shipment ID,Ship Date,Carrier,PO Number,Release,PO Line,SKU,Quantity,Unit,Carton ID\n"
        "S-3,2026-11-25,UPSN,4500312003,,1,RG89-06,100,EA,C-S-3-1\n")
    run_stages(ws, NIGHT)
    _found, states = findings_and_states(ws)
    assert states[MOVED] == "partially_shipped", states
    found, states = _moved_night(ws)
    assert states[MOVED] == "held", states
    assert [c for c, po, _m in found if po == MOVED[1] and c.startswith("RELEASE_")] == ["RELEASE_BALANCE_PAST_BLANKET"]
    [applied] = [m for c, po, m in found if c == "CHANGE_HEADER_APPLIED" and po == MOVED[1]]
    assert f"REF CT {BLANKET} -> {OTHER}" in applied, applied
    assert "It has shipped, so it is not decided again" in applied, applied
    assert "decided again as that blanket's release" not in applied, applied
    assert "held against what the new blanket still holds" in applied, applied
    assert _drawdown(ws, BLANKET) == {"4500312001": "100", "4500312003": "100"}
    assert _drawdown(ws, OTHER) == {"4500312003": "200"}
