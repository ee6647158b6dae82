"""Blanket orders and their releases, what session 66 left (docs/lifecycle.md, "Blankets and their releases"):
1. the releases stored before the store kept each order's contract and agreement (store version BLANKET_REFS) have
   them read from their stored tables once, the first night after the store migrated to BLANKET_REFS_READ, so a
   blanket's cancellation finds them by the index;
2. an 860 changing a release's contract or agreement (REF*CT, REF*AH) changes which blanket it calls off.
Each through real nights (tests.support.run_stages, flows.night.run_night)."""

from __future__ import annotations

import pytest

from tests.retailer_support import findings_and_states
from tests.test_blankets6 import _releases_by_ref, _three_releases, as_version_35
from tests.test_rg89c import BLANKET


def _night(ws, clock) -> None:
    """A real night (flows.night.run_night, its stages in this process, as `orderbridge run --no-prefect`)."""
    from flows.night import InProcess, run_night

    run_night(str(ws.root), stages=InProcess(), now=clock.isoformat(), use_gx=False)


def _kept_numbers(ws) -> dict[str, tuple]:
    from connectors.state import StateStore

    state = StateStore(ws.state_url)
    try:
        return {po: (c, a) for po, c, a in state._q(
            "SELECT po_number, contract_number, agreement_number FROM orders WHERE partner='fastenal'")}
    finally:
        state.close()


def test_releases_stored_before_the_contract_columns_are_read_once_and_the_cancellation_finds_them(tmp_path):
    """A store of version 35 whose three release orders (4500312001 and 4500312003 naming the blanket FAS8900401 by
    REF*CT, 4500312002 another contract) were taken before it kept contracts. Opened, it migrates to LATEST with the
    columns null and is marked (meta blanket_refs_unread). The next night (run_night) reads each order's numbers from
    its stored table before any stage, takes the mark away, and the buyer's cancellation of the blanket (850 BEG01 01)
    that night holds both releases naming it, found by the index: no stored table read. The releases stored before
    used to keep null numbers for good, each lookup reading the stored table of every release of the partner."""
    from connectors.state import StateStore
    from connectors.state_migrations import BLANKET_REFS_READ, BLANKET_REFS_UNREAD, LATEST, REFS_BY_KEY
    from tests.test_blankets3 import DAY2, _cancel_blanket
    from tests.test_rg89e import _put

    ws = _three_releases(tmp_path, "old")
    as_version_35(ws)
    state = StateStore(ws.state_url)
    try:
        assert state.schema_version == LATEST == BLANKET_REFS_READ + 2 == REFS_BY_KEY + 3
        assert state.blanket_refs_unread()
        assert [r[0] for r in state._q("SELECT value FROM meta WHERE key=?", (BLANKET_REFS_UNREAD,))] == ["due"]
    finally:
        state.close()
    assert set(_kept_numbers(ws).values()) == {(None, None)}
    _found, calls = _releases_by_ref(ws)
    assert len(calls) == 3, calls  # not known yet: the three releases' tables read by each lookup
    _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    _night(ws, DAY2)
    kept = _kept_numbers(ws)
    assert kept["4500312001"] == kept["4500312003"] == (BLANKET, ""), kept
    assert kept["4500312002"] == ("4600009999", "") and kept[BLANKET] == ("", ""), kept
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"]))
    assert states[("fastenal", "4500312001")] == states[("fastenal", "4500312003")] == "held", states
    assert states[("fastenal", BLANKET)] == "cancelled", states
    assert {po for c, po in found if c == "RELEASE_HELD_BLANKET_CANCELLED"} == {"4500312001", "4500312003"}, found
    found, calls = _releases_by_ref(ws)
    assert found == ["4500312001", "4500312003"] and calls == [], (found, calls)  # by the index now
    state = StateStore(ws.state_url)
    try:
        assert not state.blanket_refs_unread()
    finally:
        state.close()


def test_a_store_at_the_last_version_is_not_marked_and_an_unreadable_table_stays_unknown(tmp_path):
    """A store whose orders all know their numbers is not marked by the step (no night reads anything). A store
    marked whose order's stored table is gone: the fill leaves that order null (read when wanted, as before), fills
    the others and takes the mark away, so later nights do not try again."""
    import shutil

    from connectors.order_store import OrderStore
    from connectors.state import StateStore
    from connectors.state_migrations import MIGRATIONS, REFS_BY_KEY
    from flows.releases import fill_blanket_refs

    ws = _three_releases(tmp_path, "marks")
    state = StateStore(ws.state_url)
    try:
        with state.transaction():
            MIGRATIONS[REFS_BY_KEY](state)  # the step again on a store whose orders all know their numbers
        assert not state.blanket_refs_unread()
        assert fill_blanket_refs(state, OrderStore(ws.orders_dir)) == (0, 0)  # not marked: nothing read
        with state.transaction():
            state._q("UPDATE orders SET contract_number=NULL, agreement_number=NULL")
            MIGRATIONS[REFS_BY_KEY](state)
        assert state.blanket_refs_unread()
        [(gone,)] = state._q("SELECT lines_key FROM orders WHERE po_number='4500312002'")
    finally:
        state.close()
    for path in OrderStore(ws.orders_dir).parts("fastenal", gone, "orders"):
        shutil.move(path, tmp_path / path.name)
    state = StateStore(ws.state_url)
    try:
        assert fill_blanket_refs(state, OrderStore(ws.orders_dir)) == (3, 1)
        assert not state.blanket_refs_unread()
    finally:
        state.close()
    kept = _kept_numbers(ws)
    assert kept["4500312002"] == (None, None) and kept["4500312001"] == (BLANKET, ""), kept


def _contract_860(ws, po: str, contract: str, control: int, *, qualifier: str = "CT") -> None:
    """Fastenal's 860 changing the heading reference ``qualifier`` (REF*CT contract, REF*AH agreement) of the release
    order ``po`` (BCH01 04, BCH02 RL, no POC: nothing else changes) to ``contract``."""
    from tests.test_rg89d import FIXTURES

    first = (FIXTURES / "drops" / "fastenal" / "FAS850_FAS8900401.x12").read_text()
    isa = first.split("~", 1)[0].replace("000089004", f"{control:09d}").replace("*261120*", "*261125*")
    body = [f"GS*PC*FASTENAL*ORDERBRIDGE*20261125*0215*{control}*X*004010", "ST*860*0001",
            f"BCH*04*RL*{po}**1*20261124", f"REF*{qualifier}*{contract}", "SE*4*0001", f"GE*1*{control}",
            f"IEA*1*{control:09d}"]
    (ws.drop_root / "fastenal" / "inbox" / f"FAS860_{po}.x12").write_text("".join(f"{s}~\n" for s in [isa, *body]))


def test_an_860_moving_a_release_to_another_contract_moves_it_between_blankets(tmp_path):
    """Release orders 4500312001 and 4500312003 name the blanket FAS8900401 by REF*CT (acknowledged). The buyer's
    860 moves 4500312003 to contract 4600009999 (REF*CT, nothing else): applied (CHANGE_HEADER_APPLIED naming REF CT
    old -> new), the order's contract and agreement and the index follow (both, though the store had not known them:
    stored before version 36, not read yet), it is decided again as a release of the contract it names now (one we
    hold no blanket of: RELEASE_MOVED_BLANKET_UNKNOWN, held for a person, tests.test_blankets8), its reservations
    stand. The next night the buyer cancels FAS8900401: only 4500312001 is held by it; 4500312003 is no longer its
    release (not held by it, not named). The 860 used to be refused for a person (CHANGE_HEADER_NOT_APPLIED: "an
    860 does not change the order's references"), and the cancellation held a release the buyer had moved to another
    agreement."""
    from connectors.state import StateStore
    from tests.support import run_stages
    from tests.test_blankets3 import DAY2, DAY3, _cancel_blanket
    from tests.test_rg89e import _put

    ws = _three_releases(tmp_path, "moved")
    moved = ("fastenal", "4500312003")
    state = StateStore(ws.state_url)
    try:
        reserved = state.reservations_for([moved])
        with state.transaction():  # as stored before the store kept numbers, not read yet: the 860 gives it both
            state._q("UPDATE orders SET contract_number=NULL, agreement_number=NULL WHERE po_number='4500312003'")
    finally:
        state.close()
    assert reserved, "the release's screws are reserved"
    _contract_860(ws, "4500312003", "4600009999", 89601)
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states[moved] == "held", (states, found)  # moved off the blanket to no blanket we hold: tests.test_blankets8
    assert not [m for c, po, m in found if po == moved[1] and c == "CHANGE_HEADER_NOT_APPLIED"], found
    [applied] = [m for c, po, m in found if po == moved[1] and c == "CHANGE_HEADER_APPLIED"]
    assert "REF CT FAS8900401 -> 4600009999" in applied and "calls off the blanket its contract" in applied, applied
    state = StateStore(ws.state_url)
    try:
        [record] = state.orders_for({moved}).values()
        assert (record.contract_number, record.agreement_number, record.revision) == ("4600009999", "", 2), record
        events = [(e["event"], e["note"]) for e in state.order_history(*moved)]
        assert state.reservations_for([moved]) == reserved  # nothing placed or promised changed
    finally:
        state.close()
    # (decided again as a release of the contract it names now, tests.test_blankets8: one we hold no blanket of, so
    # held for a person, its reservations kept)
    [note] = [n for e, n in events if e == "change_applied"]
    assert note.startswith("changed by 860 in FAS860_4500312003.x12") and "contract_number" in note, events
    assert events[-1][0] == "held", events
    assert [m for c, po, m in found if po == moved[1] and c == "RELEASE_MOVED_BLANKET_UNKNOWN" and "4600009999" in m], \
        found
    found_by_ref, _calls = _releases_by_ref(ws)
    assert found_by_ref == ["4500312001"], found_by_ref
    _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    run_stages(ws, DAY3)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states[("fastenal", "4500312001")] == "held", (states, found)
    assert not [m for c, po, m in found if po == moved[1] and c == "RELEASE_HELD_BLANKET_CANCELLED"], found
    [told] = [m for c, _po, m in found if c == "BLANKET_CANCELLED_RELEASES_OPEN"]
    assert "4500312001" in told and "4500312003" not in told, told


def test_an_860_naming_a_release_by_its_agreement_brings_it_under_the_blanket(tmp_path):
    """The other way: release order 4500312002 names contract 4600009999 (not a blanket we hold). An 860 adds REF*AH
    FAS8900401 (the agreement, for a partner whose profile carries no REF*AH back): kept with the order (its
    agreement), CHANGE_HEADER_APPLIED "REF AH (none) -> FAS8900401", and the blanket's releases found by the index
    include it; the blanket's cancellation then names it. An AH the partner's documents do not carry back used to be
    named CHANGE_HEADER_NOT_APPLIED and dropped, so the release stayed outside its blanket."""
    from connectors.state import StateStore
    from tests.support import run_stages
    from tests.test_blankets3 import DAY2, DAY3, _cancel_blanket
    from tests.test_rg89e import _put

    ws = _three_releases(tmp_path, "agreement")
    named = ("fastenal", "4500312002")
    _contract_860(ws, "4500312002", BLANKET, 89602, qualifier="AH")
    run_stages(ws, DAY2)
    found, _states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert not [m for c, po, m in found if po == named[1] and c == "CHANGE_HEADER_NOT_APPLIED"], found
    assert [m for c, po, m in found if po == named[1] and c == "CHANGE_HEADER_APPLIED"
            and f"REF AH (none) -> {BLANKET}" in m], found
    state = StateStore(ws.state_url)
    try:
        [record] = state.orders_for({named}).values()
    finally:
        state.close()
    assert (record.contract_number, record.agreement_number) == ("4600009999", BLANKET), record
    found_by_ref, calls = _releases_by_ref(ws)
    assert found_by_ref == ["4500312001", "4500312002", "4500312003"] and calls == [], (found_by_ref, calls)
    _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    run_stages(ws, DAY3)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    [told] = [m for c, _po, m in found if c == "BLANKET_CANCELLED_RELEASES_OPEN"]
    assert "4500312002" in told, (told, states)


def _night_findings(ws, run_id: str) -> list[tuple[str, str, str, str]]:
    """(code, severity, PO, message) of each finding the run ``run_id`` recorded."""
    from connectors.state import StateStore

    state = StateStore(ws.state_url)
    try:
        return [tuple(r) for r in state._q("SELECT code, severity, po_number, message FROM findings WHERE run_id=?"
                                           " ORDER BY id", (run_id,))]
    finally:
        state.close()


@pytest.mark.parametrize("by", ["850", "860"])
def test_a_blanket_cancelled_after_its_releases_shipped_and_were_invoiced_says_nothing_of_them(tmp_path, by):
    """Releases 0001 (1,000 screws, 2,000 nuts) and 0002 (500 screws) acknowledged, shipped whole and invoiced the
    first night. The buyer then cancels the blanket (850 BEG01 01, or 860 BCH01 01): the blanket is cancelled and
    that is all: no release named (BLANKET_CANCELLED_RELEASES_OPEN), held or touched (that night each only closes,
    its 810 delivered, as any order does), no other finding about them, no 856 or 810 sent for them."""
    from connectors.state import StateStore
    from schemas.order_keys import release_key
    from tests.retailer_support import segments
    from tests.support import run_stages
    from tests.test_blankets3 import DAY2, _cancel_blanket
    from tests.test_blankets4 import _cancel_860
    from tests.test_blankets5 import _confirm
    from tests.test_rg89c import _drop
    from tests.test_rg89e import NIGHT, RELEASE_FILE, _blanket_850, _night, _put, _release_0001

    ws = _night(tmp_path, f"done{by}", {"FAS850_FAS8900401_0000.x12": _blanket_850(), RELEASE_FILE: _release_0001()})
    _drop(ws, "0002", ["PO1*1*500*EA*0.42**BP*11128906*VP*RG89-06"], "20261124")
    _confirm(ws, "east-all.csv", [("S-1", "0001", 1, 1000), ("S-1", "0001", 2, 2000), ("S-2", "0002", 1, 500)])
    run_stages(ws, NIGHT)
    one, two = ("fastenal", release_key(BLANKET, "0001")), ("fastenal", release_key(BLANKET, "0002"))
    _found, states = findings_and_states(ws)
    assert states[one] == states[two] == "invoiced", states
    sent = {t: len(segments(ws, "fastenal", t)) for t in ("855", "856", "810")}
    if by == "860":
        _cancel_860(ws)
    else:
        _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    run_stages(ws, DAY2)
    _found, states = findings_and_states(ws)
    assert states[("fastenal", BLANKET)] == "cancelled" and states[one] == states[two] == "closed", states
    found = _night_findings(ws, DAY2.strftime("%Y%m%d"))
    assert not [f for f in found if f[2] != BLANKET], found  # nothing about the releases
    assert not [f for f in found if f[0] in ("BLANKET_CANCELLED_RELEASES_OPEN", "RELEASE_HELD_BLANKET_CANCELLED")]
    # (the cancelling 850 is the blanket's again, its N9 note with it: told as any 850's note is, the blanket's own)
    assert [f[0] for f in found if f[1] in ("warning", "error")] == (["NOTES_NOT_KEPT"] if by == "850" else []), found
    state = StateStore(ws.state_url)
    try:  # (their 810s delivered, each closes as any invoiced order does: nothing else)
        events = {k: [e["event"] for e in state.order_history(*k) if e["run_id"] == DAY2.strftime("%Y%m%d")]
                  for k in (one, two)}
    finally:
        state.close()
    assert events == {one: ["closed"], two: ["closed"]}, events
    assert {t: len(segments(ws, "fastenal", t)) for t in ("856", "810")} == {t: sent[t] for t in ("856", "810")}


def test_the_older_orders_numbers_are_kept_by_the_store_on_both_back_ends(store_target):
    """StateStore's side of BLANKET_REFS_READ on SQLite and on PostgreSQL: the step marks a store holding an order
    whose numbers are null, refs_unknown lists those orders by their stored table, fill_blanket_refs writes the
    numbers given where they are still null (not over one an 860 or intake wrote since) and takes the mark away."""
    from connectors.state import StateStore
    from connectors.state_migrations import MIGRATIONS, REFS_BY_KEY
    from engine.lifecycle.table import create
    from schemas.lifecycle import OrderRecord, OrderState, Plan

    def order(po, contract=None, key="F1"):
        return create(OrderRecord("fastenal", po, OrderState.RECEIVED, order_type="RL", order_ref="1", lines_key=key,
                                  contract_number=contract, agreement_number=None if contract is None else ""),
                      at="2026-11-24T02:00:00", run_id="r1", note="")

    store = StateStore(store_target())
    try:
        store.apply(Plan(transitions=(order("R1"), order("R2", key="F2"), order("R3", contract="K9"))), run_id="r1")
        assert not store.blanket_refs_unread()
        with store.transaction():
            MIGRATIONS[REFS_BY_KEY](store)
        assert store.blanket_refs_unread()
        assert store.refs_unknown() == [("fastenal", "R1", "1", "F1"), ("fastenal", "R2", "1", "F2")]
        store.fill_blanket_refs([("fastenal", "R1", "K1", ""), ("fastenal", "R3", "K1", "")])
        assert not store.blanket_refs_unread()
        kept = {r.po_number: (r.contract_number, r.agreement_number) for r in store.orders_for(
            {("fastenal", po) for po in ("R1", "R2", "R3")}).values()}
        assert kept == {"R1": ("K1", ""), "R2": (None, None), "R3": ("K9", "")}, kept
        named, unknown = store.releases_naming({"fastenal": ["K1"]}, ["received"])
        assert [r.po_number for r in named] == ["R1"] and [r.po_number for r in unknown] == ["R2"]
    finally:
        store.close()
