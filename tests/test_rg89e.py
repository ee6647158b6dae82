"""What the rg89d round (blankets and their releases, engine.blankets) left, closed:

1. a release (BEG02 RL, BEG04) sent before its blanket holds the PO number; the blanket 850 sent after it (BEG02 BK,
   the same BEG03, no BEG04) is keyed apart (schemas.order_keys.blanket_key), not taken as the release's copy or
   change: both live side by side, whichever came first, and the release is checked against the blanket on
   arrival (the same night) or when a person rechecks it (a later night);
2. what an answered release drew is what we acknowledged (its lines as the 855 left them: rounded to the case pack,
   cut for lack of stock, rejected), not what it asked; a release not answered yet draws what it asked; the
   finding says which;
3. several held releases of one blanket rechecked together are decided as the night decides them: checked again
   with the recheck's own decisions (one shared path, flows.decide.decided_with_releases).
"""

from __future__ import annotations

from datetime import datetime

from schemas.order_keys import blanket_key
from tests.retailer_support import findings_and_states, of_its_own
from tests.test_rg89_order_types import FIXTURES, NIGHT, WAREHOUSES
from tests.test_rg89c import BLANKET

DROPS = FIXTURES / "drops" / "fastenal"
RELEASE_FILE, BLANKET_FILE = "FAS850_FAS8900401_0001.x12", "FAS850_FAS8900401.x12"
FIRST = ("fastenal", BLANKET)  # the first order received under the PO number: keyed by it alone
APART = ("fastenal", blanket_key(BLANKET))  # the blanket sent after a release holding the PO number


# --- 1. a release sent before its blanket --------------------------------------------------------------------------


def test_a_blanket_after_its_release_is_keyed_apart():
    """Release 0001 holds PO P: a blanket 850 of P naming no release is keyed P blanket (again for its resend);
    a blanket sent first keeps P, and a release after it its release key; an 860 of the blanket (BCH02 BK, no
    BCH04) names the blanket, wherever it is held. It used to be keyed P: the release's copy (ORDER_DUPLICATE)."""
    import pyarrow as pa

    from engine.lifecycle.releases import Held, key_changes, key_orders, order_key
    from schemas.lifecycle import OrderState
    from schemas.order_keys import is_blanket_key, key_release, release_key, shown, x12_po

    held = Held(by_po={"P": {"P": ("0001", OrderState.ACKNOWLEDGED)}})
    assert order_key("P", "", held, blanket=True) == blanket_key("P")
    assert order_key("P", "", held) == "P"  # an order of another type naming no release: as before
    assert order_key("P", "0001", held, blanket=True) == "P"  # a blanket naming the release: that order
    key = blanket_key("P")
    assert is_blanket_key(key) and x12_po(key) == "P" and key_release(key) == "" and shown(key) == "P blanket"
    orders = pa.table({"po_number": ["P", "P"], "release_number": [None, None], "order_type": ["BK", "BK"]})
    assert key_orders(orders, held) == [key, key]  # its resend in the same file: the same blanket
    assert Held.of([_record(key), _record("P")], {"P": "0001"}).keys("P") == {
        key: ("", OrderState.HELD), "P": ("0001", OrderState.HELD)}
    # the blanket first: the PO number is its own, a release after it keyed apart
    first = Held(by_po={"P": {"P": ("", OrderState.HELD)}})
    assert order_key("P", "", first, blanket=True) == "P"
    assert order_key("P", "0001", first) == release_key("P", "0001")
    # nothing held: the PO number
    assert order_key("P", "", Held(), blanket=True) == "P"
    headers = pa.table({"po_number": ["P"], "release_number": [None], "order_type": ["BK"], "isa13": ["1"],
                        "gs06": ["1"], "st02": ["0001"], "st_file_segment": [3]})
    held.add(key, "")
    assert key_changes(headers, held) == ([key], [])
    assert key_changes(headers, first) == (["P"], [])


def _record(key: str):
    from schemas.lifecycle import OrderRecord, OrderState

    return OrderRecord(partner="fa", po_number=key, state=OrderState.HELD)


def _night(tmp_path, name: str, files: dict[str, str], *, outcomes: str = ""):
    """A workspace of Fastenal with ``files`` (inbox name -> 850 text) in its inbox."""
    ws = of_its_own(FIXTURES, tmp_path / name, {}, warehouses=WAREHOUSES)
    if outcomes:
        profile = ws.root / "partners" / "fastenal.toml"
        profile.write_text(profile.read_text() + outcomes)
    _put(ws, files)
    return ws


def _put(ws, files: dict[str, str]) -> None:
    inbox = ws.drop_root / "fastenal" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (inbox / name).write_text(text)


def _release_0001(quantity: int = 1000) -> str:
    """Release 0001 asking ``quantity`` screws (and 2,000 flange nuts)."""
    text = (DROPS / RELEASE_FILE).read_text()
    return text.replace("PO1*1*1000*", f"PO1*1*{quantity}*").replace("CTT*2*3000", f"CTT*2*{quantity + 2000}")


def _blanket_850() -> str:
    return (DROPS / BLANKET_FILE).read_text()


def _codes(found) -> list[str]:
    return [c for c, _m in found]


def test_a_blanket_sent_the_night_after_its_release_lives_beside_it(tmp_path):
    """Release 0001 arrives alone (acknowledged, RELEASE_BLANKET_UNKNOWN said); its blanket the next night: held
    for a person as a blanket is, beside the release, neither refused as a copy nor taken as its change; release
    0002 (4,500) is then drawn against it counting 0001's 1,000: past the 5,000, held. The blanket used to be
    refused as the release's copy differing from it (ORDER_DUPLICATE), and release 0002 said to have no blanket."""
    from tests.support import run_stages
    from tests.test_rg89c import _drop

    ws = _night(tmp_path, "later", {RELEASE_FILE: _release_0001()})
    run_stages(ws, NIGHT)
    found, states = findings_and_states(ws)
    assert states == {FIRST: "acknowledged"}
    assert "RELEASE_BLANKET_UNKNOWN" in _codes(found)
    _put(ws, {BLANKET_FILE: _blanket_850()})
    run_stages(ws, datetime(2026, 11, 26, 2))
    found, states = findings_and_states(ws)
    assert states == {FIRST: "acknowledged", APART: "held"}, found
    assert "ORDER_DUPLICATE" not in _codes(found)
    assert [m for c, m in found if c == "ORDER_TYPE_UNSUPPORTED"]  # the blanket, held for a person as ever
    _drop(ws, "0002", ["PO1*1*4500*EA*0.42**BP*11128906*VP*RG89-06"], "20261127")
    run_stages(ws, datetime(2026, 11, 27, 2))
    found, states = findings_and_states(ws)
    assert states[("fastenal", f"{BLANKET}\x1e0002")] == "held"
    assert [m.split(" The release")[0] for c, m in found if c == "RELEASE_PAST_BLANKET"] == [
        "Release 0002 of blanket PO FAS8900401 calls off 4500 EA of 11128906 (line 1), with 1000 EA called off by "
        "release 0001 before it: 5500 EA in all, past the blanket's 5000 EA."]
    assert [m for c, m in found if c == "RELEASE_BLANKET_UNKNOWN" and "Release 0002" in m] == []


def test_a_blanket_sent_the_same_night_after_its_release_checks_it_on_arrival(tmp_path):
    """Release 0001 and, later in the same night's inbox, its blanket: both taken, the release checked against the
    blanket as it arrives (nothing said of a missing blanket); a release asking 6,000 screws of the blanket's 5,000
    is held past it. The blanket used to be refused as the release's copy, and the release taken as an order of
    its own."""
    from tests.support import run_stages

    for quantity, release, told in ((1000, "acknowledged", []), (6000, "held", [
            "Release 0001 of blanket PO FAS8900401 calls off 6000 EA of 11128906 (line 1), with nothing called off "
            "before it: 6000 EA in all, past the blanket's 5000 EA."])):
        ws = _night(tmp_path, str(quantity), {RELEASE_FILE: _release_0001(quantity),
                                              "FAS850_FAS8900401_zz_blanket.x12": _blanket_850()})
        run_stages(ws, NIGHT)
        found, states = findings_and_states(ws)
        assert states == {FIRST: release, APART: "held"}, found
        assert not {"ORDER_DUPLICATE", "RELEASE_BLANKET_UNKNOWN"} & set(_codes(found)), found
        assert [m.split(" The release")[0] for c, m in found if c == "RELEASE_PAST_BLANKET"] == told


def test_a_blanket_sent_before_its_release_lives_beside_it(tmp_path):
    """The reverse order, the same night and a night apart: the blanket keyed by the PO number, the release by its
    own key, the release checked against the blanket (6,000 screws: past it, held)."""
    from tests.support import run_stages

    release = ("fastenal", f"{BLANKET}\x1e0001")
    ws = _night(tmp_path, "same", {"FAS850_FAS8900401_0000.x12": _blanket_850(), RELEASE_FILE: _release_0001(6000)})
    run_stages(ws, NIGHT)
    found, states = findings_and_states(ws)
    assert states == {FIRST: "held", release: "held"} and "RELEASE_PAST_BLANKET" in _codes(found), found
    ws = _night(tmp_path, "apart", {BLANKET_FILE: _blanket_850()})
    run_stages(ws, NIGHT)
    _put(ws, {RELEASE_FILE: _release_0001()})
    run_stages(ws, datetime(2026, 11, 26, 2))
    found, states = findings_and_states(ws)
    assert states == {FIRST: "held", release: "acknowledged"}, found
    assert not {"ORDER_DUPLICATE", "RELEASE_BLANKET_UNKNOWN", "RELEASE_PAST_BLANKET"} & set(_codes(found))


def test_a_release_held_for_its_missing_blanket_is_rechecked_against_it_once_it_came(tmp_path):
    """Fastenal holding a release with no blanket ([rules.outcomes] RELEASE_BLANKET_UNKNOWN = "hold_order"): release
    0001 is held; its blanket comes the next night (held apart, the release left held); rechecked, the release
    within the blanket is cleared (and acknowledged by the next run), one asking 6,000 stays held past it. The
    blanket used to be refused as the release's copy, so no recheck could ever find it."""
    from connectors.state import StateStore
    from flows.recheck import recheck_held
    from tests.support import run_stages

    hold = '\n[rules.outcomes]\nRELEASE_BLANKET_UNKNOWN = "hold_order"\n'
    for quantity, after in ((1000, "received"), (6000, "held")):
        ws = _night(tmp_path, f"recheck{quantity}", {RELEASE_FILE: _release_0001(quantity)}, outcomes=hold)
        run_stages(ws, NIGHT)
        _put(ws, {BLANKET_FILE: _blanket_850()})
        run_stages(ws, datetime(2026, 11, 26, 2))
        _found, states = findings_and_states(ws)
        assert states == {FIRST: "held", APART: "held"}
        state = StateStore(ws.state_path)
        try:
            [done] = recheck_held(ws, state, po=BLANKET, partner="fastenal", by="Kim", at=datetime(2026, 11, 26, 9))
        finally:
            state.close()
        assert done.after.key == FIRST and done.after.state.value == after
        if quantity == 6000:
            assert "RELEASE_PAST_BLANKET" in done.after.hold_codes
            assert "RELEASE_BLANKET_UNKNOWN" not in done.after.hold_codes
            continue
        run_stages(ws, datetime(2026, 11, 27, 2))
        _found, states = findings_and_states(ws)
        assert states == {FIRST: "acknowledged", APART: "held"}


# --- 3. held releases of one blanket rechecked together -------------------------------------------------------------


def test_held_releases_rechecked_together_draw_as_the_recheck_decided_them(tmp_path):
    """Release 0002 (100 screws and 24 deck screws the blanket does not list) and 0003 (4,000 screws: 5,100 with
    0001 and 0002) are held the same night. Ops then make Fastenal reject a release of an item off its blanket
    (``reject_order``) and recheck: 0002 is decided rejected, so it draws nothing, and 0003 (5,000) is cleared with
    it; the next run rejects 0002 and acknowledges 0003. Accepting such a release instead, 0002 is cleared and
    0003 stays held, its reason naming 0002 as counted, not as held. The recheck used to check them once, as the
    store held them: 0003 stayed held behind a release it had just decided to reject."""
    from connectors.state import StateStore
    from flows.recheck import recheck_held
    from tests.support import run_stages
    from tests.test_rg89c import _drop, _workspace

    second, third = (("fastenal", f"{BLANKET}\x1e{n}") for n in ("0002", "0003"))
    for outcome, cleared, after in (("reject_order", {second, third}, ("rejected", "acknowledged")),
                                    ("accept", {second}, ("acknowledged", "held"))):
        ws = _workspace(tmp_path / outcome)
        prices = ws.root / "reference" / "prices.csv"
        prices.write_text(prices.read_text() + "fastenal,RG89-01,1.1000,USD,2026-01-01,\n")
        _drop(ws, "0002", ["PO1*1*100*EA*0.42**BP*11128906*VP*RG89-06", "PO1*2*24*EA*1.10**VP*RG89-01"], "20261126")
        _drop(ws, "0003", ["PO1*1*4000*EA*0.42**BP*11128906*VP*RG89-06"], "20261126")
        run_stages(ws, datetime(2026, 11, 26, 2))
        _found, states = findings_and_states(ws)
        assert (states[second], states[third]) == ("held", "held")
        profile = ws.root / "partners" / "fastenal.toml"
        profile.write_text(profile.read_text() + f'\n[rules.outcomes]\nRELEASE_ITEM_NOT_ON_BLANKET = "{outcome}"\n')
        state = StateStore(ws.state_path)
        try:
            done = {d.after.key: d.after for d in recheck_held(ws, state, partner="fastenal", by="Kim",
                                                               at=datetime(2026, 11, 26, 9))}
        finally:
            state.close()
        assert {k for k in (second, third) if done[k].state.value != "held"} == cleared, done
        if third not in cleared:
            [reason] = [r for r in done[third].hold_reasons if "RELEASE_PAST_BLANKET" in r or "0003" in r]
            assert "releases 0001, 0002 before it: 5100 EA in all" in reason
            assert "held, waiting for a person" not in reason
        run_stages(ws, datetime(2026, 11, 27, 2))
        _found, states = findings_and_states(ws)
        assert (states[second], states[third]) == after


# --- 2. an answered release draws what we acknowledged ---------------------------------------------------------------


def test_what_we_acknowledged_of_a_release_s_lines():
    """A line rounded up to the case pack (3,950 asked, 4,000 acknowledged), one cut for lack of stock (3,950
    acknowledged 3,000, 950 rejected), one rejected whole, one deleted by an 860: 4,000, 3,000, 0, 0."""
    from decimal import Decimal

    from engine.blankets import acknowledged
    from schemas.lifecycle import LineRecord, LineState

    def line(n: int, ordered: int, rejected: int = 0, state: LineState = LineState.ALLOCATED) -> LineRecord:
        return LineRecord("fa", "P", n, state, ordered=Decimal(ordered), unit="EA", rejected=rejected)

    got = acknowledged({("fa", "P"): (line(1, 4000), line(2, 3950, 950), line(3, 3950, 3950, LineState.REJECTED),
                                      line(4, 10, 0, LineState.DELETED))})
    assert got == {("fa", "P"): {1: (Decimal(4000), "EA"), 2: (Decimal(3000), "EA"), 3: (Decimal(0), "EA"),
                                 4: (Decimal(0), "EA")}}


def test_an_answered_release_draws_what_we_acknowledged_not_what_it_asked():
    """The blanket holds 5,000. Release 1 asked 3,950:
    - answered 4,000 (rounded to the case pack), release 2's 1,050 is past (5,050), the finding saying release 1 is
      counted as we acknowledged it; as asked it would have been within (5,000);
    - answered 3,000 (cut for lack of stock), release 2's 2,000 is within (5,000), not past (5,950) as asked;
    - its line rejected (IR), it draws nothing;
    - not answered yet (held), it draws what it asked, and the finding says so.
    It used to draw what it asked, whatever we answered."""
    from decimal import Decimal

    from engine.blankets import release_findings
    from tests.test_rg89c import _blanket, _concat, _release

    blanket, blanket_lines = _blanket(5000)
    first, first_lines = _release("1", {"quantity": Decimal(3950)})
    held, held_lines = _concat(blanket, first), _concat(blanket_lines, first_lines)
    one = ("fa", "P\x1e1")

    def past(asks: int, acknowledged: int | None, state: str = "acknowledged") -> list[str]:
        now, now_lines = _release("2", {"quantity": Decimal(asks)})
        answered = {one: {1: (Decimal(acknowledged), "EA")}} if acknowledged is not None else {}
        return [f.message for f in release_findings(now, now_lines, held, held_lines, states={one: state},
                                                    answered=answered) if f.code == "RELEASE_PAST_BLANKET"]

    [rounded] = past(1050, 4000)
    assert rounded.startswith("Release 2 of blanket PO P calls off 1050 EA of B1 (line 1), with 4000 EA called off "
                              "by release 1 before it: 5050 EA in all, past the blanket's 5000 EA.")
    assert rounded.endswith(" What the releases before it called off is counted as we acknowledged it (the 855's "
                            "quantities) for release 1.")
    assert past(1050, None, "held") == []  # as asked: 3,950 + 1,050, within
    assert past(2000, 3000) == []
    assert past(5000, 0) == []
    [asked] = past(2000, None, "held")
    assert "with 3950 EA called off by release 1 before it (of them, release 1 held" in asked
    assert asked.endswith(" What the releases before it called off is counted as asked (not answered yet) for "
                          "release 1.")


def test_a_release_rounded_up_to_the_case_pack_draws_what_we_answered(tmp_path):
    """Fastenal rounding lines up to whole cases of 100 ([allocation] case_pack_rounding = "up"): release 0001 asks
    950 screws and is answered 1,000; release 0002 asks 4,050 the next night: 5,050 of the blanket's 5,000, held,
    the finding counting 0001 as acknowledged; an 860 lowering the blanket to 3,000 names 0001's 1,000 as
    acknowledged and 0002's 4,050 as asked. It used to count the 950 asked, and acknowledge 0002."""
    from tests.support import run_stages
    from tests.test_rg89c import _drop
    from tests.test_rg89d import _raise_blanket

    rounding = '\n[allocation]\ncase_pack_rounding = "up"\n'
    ws = _night(tmp_path, "rounded", {BLANKET_FILE: _blanket_850(), RELEASE_FILE: _release_0001(950)},
                outcomes=rounding)
    run_stages(ws, NIGHT)
    found, states = findings_and_states(ws)
    release = ("fastenal", f"{BLANKET}\x1e0001")
    assert states[release] == "acknowledged" and "CASE_PACK_ROUNDED" in _codes(found), found
    _drop(ws, "0002", ["PO1*1*4050*EA*0.42**BP*11128906*VP*RG89-06"], "20261126")
    run_stages(ws, datetime(2026, 11, 26, 2))
    found, states = findings_and_states(ws)
    assert states[("fastenal", f"{BLANKET}\x1e0002")] == "held"
    [told] = [m for c, m in found if c == "RELEASE_PAST_BLANKET"]
    assert told.startswith("Release 0002 of blanket PO FAS8900401 calls off 4050 EA of 11128906 (line 1), with 1000 "
                           "EA called off by release 0001 before it: 5050 EA in all, past the blanket's 5000 EA.")
    assert told.endswith("counted as we acknowledged it (the 855's quantities) for release 0001.")
    # an 860 lowering the screws to 3,000: what 0001 drew is what we answered, and the finding says which is which
    _raise_blanket(ws, 3000)
    run_stages(ws, datetime(2026, 11, 27, 2))
    found, _states = findings_and_states(ws)
    [below] = [m for c, m in found if c == "BLANKET_BELOW_RELEASES"]
    assert below.startswith("The 860 lowers line 1 (11128906) of blanket PO FAS8900401 to 3000 EA, below the 5050 EA "
                            "its releases called off: release 0001 1000 EA, release 0002 4050 EA (held, waiting for a "
                            "person).")
    assert below.endswith(" What its releases called off is counted as we acknowledged it (the 855's quantities) for "
                          "release 0001; as asked (not answered yet) for release 0002.")
