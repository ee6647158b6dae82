"""What each blanket counts after an 860 moves a release part of which shipped (tests.test_blankets10): the units
shipped before the move stay on the blanket they shipped against (its 856s and 810s named it), kept by the store
(orders.moved_from, moved_shipped: version MOVED_SHIPPED); only the balance counts on the blanket the release moved
to, in `status`'s drawdown and in the checks of later releases of either blanket. A release moved so to a number we
hold no blanket of is held, its finding saying what shipped and what waits. Each through real nights
(tests.support.run_stages)."""

from __future__ import annotations

from connectors.state import StateStore
from tests.retailer_support import findings_and_states
from tests.support import run_stages
from tests.test_blankets3 import DAY3, _cli
from tests.test_blankets5 import _sap_release
from tests.test_blankets8 import MOVED, OTHER, _drawdown
from tests.test_blankets10 import _shipped_then_moved
from tests.test_rg89c import BLANKET


def _kept(ws):
    state = StateStore(ws.state_url)
    try:
        [record] = state.orders_for({MOVED}).values()
        return record.moved_from, record.moved_shipped
    finally:
        state.close()


def test_the_shipped_part_stays_on_the_old_blanket_and_the_balance_counts_on_the_new(tmp_path):
    """4500312003 (300 screws, 100 shipped against FAS8900401) moved to FAS8900402 (1,000 screws): the store keeps
    what it left and what had shipped (FAS8900401, line 1: 100); `status` of FAS8900401 counts the 100 shipped (and
    4500312001's 100), of FAS8900402 the 200 left. It used to count the 300 whole on FAS8900402 and nothing on
    FAS8900401."""
    ws, found, states = _shipped_then_moved(tmp_path, "split", 1000)
    assert states[MOVED] == "partially_shipped", (states, found)
    assert _kept(ws) == (BLANKET, ((1, 100),))
    assert _drawdown(ws, OTHER) == {MOVED[1]: "200"}
    assert _drawdown(ws, BLANKET) == {"4500312001": "100", MOVED[1]: "100"}


def _later_release(ws, po: str, screws: int, blanket: str, control: int) -> None:
    """Release order ``po`` (``screws`` screws) of ``blanket`` by its contract (REF*CT), in Fastenal's inbox."""
    _sap_release(ws, po, screws, "20261126", control=control)
    inbox = ws.drop_root / "fastenal" / "inbox" / f"FAS850_{po}.x12"
    inbox.write_text(inbox.read_text().replace(f"REF*CT*{BLANKET}~", f"REF*CT*{blanket}~"))


def test_later_releases_of_either_blanket_count_the_moved_release_by_part(tmp_path):
    """After the move (FAS8900402 holding 400 screws), the next night two releases: 4500312007 of FAS8900402 asks
    150, with the moved release's 200 left: 350 of 400, acknowledged (counted whole, 300 + 150 went past it and held
    it); 4500312008 of FAS8900401 (5,000) asks 4,850, with 4500312001's 100 and the 100 the moved release shipped
    against it: 5,050, past it by 50, held (counted without them, it fit)."""
    ws, found, states = _shipped_then_moved(tmp_path, "later", 400)
    assert states[MOVED] == "partially_shipped", (states, found)
    _later_release(ws, "4500312007", 200, OTHER, 89507)
    _later_release(ws, "4500312008", 4850, BLANKET, 89508)
    run_stages(ws, DAY3)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states[("fastenal", "4500312007")] == "acknowledged", (states, found)
    assert not [c for c, po, _m in found if po == "4500312007" and c.startswith("RELEASE_")], found
    assert states[("fastenal", "4500312008")] == "held", (states, found)
    [past] = [m for c, po, m in found if c == "RELEASE_PAST_BLANKET" and po == "4500312008"]
    assert "200 EA called off" in past and MOVED[1] in past and "4500312001" in past, past
    assert _drawdown(ws, OTHER) == {MOVED[1]: "200", "4500312007": "200"}


def test_the_store_keeps_what_a_moved_release_left_on_both_back_ends(store_target):
    """StateStore's side on SQLite and on PostgreSQL: a release's moved_from and moved_shipped are written and read
    back (line 2's 12.5 exactly), releases_moved_from finds it by the number it left (not by another), and a store of
    the version before (no such columns, no index) migrates to MOVED_SHIPPED with them null: read as not moved."""
    from decimal import Decimal

    from connectors.state_migrations import BLANKET_REFS_READ, LATEST, MOVED_SHIPPED
    from engine.lifecycle.table import create
    from schemas.lifecycle import OrderRecord, OrderState, Plan
    from tests.support_pg import index_names

    def order(po, **kept):
        return create(OrderRecord("fastenal", po, OrderState.RECEIVED, order_type="RL", order_ref="1",
                                  lines_key=po, contract_number=OTHER, agreement_number="", **kept),
                      at="2026-11-24T02:00:00", run_id="r1", note="")

    target = store_target()
    store = StateStore(target)
    try:
        assert "orders_moved_from" in index_names(store)
        store.apply(Plan(transitions=(order("R1", moved_from=BLANKET, moved_shipped=((1, Decimal(100)),
                                                                                    (2, Decimal("12.5")))),
                                      order("R2"))), run_id="r1")
        kept = {r.po_number: (r.moved_from, r.moved_shipped) for r in store.orders_for(
            {("fastenal", "R1"), ("fastenal", "R2")}).values()}
        assert kept == {"R1": (BLANKET, ((1, Decimal(100)), (2, Decimal("12.5")))), "R2": ("", ())}, kept
        assert [r.po_number for r in store.releases_moved_from({"fastenal": [BLANKET]})] == ["R1"]
        assert store.releases_moved_from({"fastenal": [OTHER]}) == []
        with store.transaction():  # what a store of the version before looks like
            store._q("DROP INDEX orders_moved_from")
            for column in ("moved_from", "moved_shipped"):
                store._q(f"ALTER TABLE orders DROP COLUMN {column}")
            store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(BLANKET_REFS_READ),))
    finally:
        store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == MOVED_SHIPPED + 1 == BLANKET_REFS_READ + 2
        assert "orders_moved_from" in index_names(store)
        kept = {r.po_number: (r.moved_from, r.moved_shipped) for r in store.orders_for(
            {("fastenal", "R1"), ("fastenal", "R2")}).values()}
        assert kept == {"R1": ("", ()), "R2": ("", ())}, kept
    finally:
        store.close()


def test_a_partly_shipped_release_moved_to_a_number_we_hold_no_blanket_of_is_held_saying_what_shipped(tmp_path):
    """4500312003 (300 screws, 100 shipped against FAS8900401) moved to contract 4600009999 (no blanket we hold): held
    (RELEASE_MOVED_BLANKET_UNKNOWN), its finding saying the 100 shipped stand and the 200 left wait, not that it "is
    not allocated or shipped"; the 860 answered 865 AK at once. Rejected: its balance is cancelled, what shipped
    stands. It used to stay partially_shipped, its balance shipped and billed against no blanket."""
    from tests.test_blankets8 import _865s

    ws, found, states = _shipped_then_moved(tmp_path, "unknown", 1000, to="4600009999")
    assert states[MOVED] == "held", (states, found)
    [told] = [m for c, po, m in found if c == "RELEASE_MOVED_BLANKET_UNKNOWN" and po == MOVED[1]]
    assert "contract 4600009999 (REF*CT)" in told and "100 EA of" in told and "200 EA of" in told, told
    assert "left to ship" in told and "not allocated or shipped" not in told, told
    assert "approve" in told and "reject" in told, told
    [answer] = _865s(ws)
    assert f"BCA*00*AK*{MOVED[1]}*" in answer, answer
    state = StateStore(ws.state_url)
    try:
        [record] = state.orders_for({MOVED}).values()
        assert record.hold_codes == ("RELEASE_MOVED_BLANKET_UNKNOWN",), record
        assert record.moved_from == BLANKET and record.moved_shipped == ((1, 100),), record
    finally:
        state.close()
    code, text = _cli(ws, "reject", MOVED[1], "--partner", "fastenal", "--by", "Kim", "--reason", "no such contract")
    assert code == 0, text
    state = StateStore(ws.state_url)
    try:
        [record] = state.orders_for({MOVED}).values()
        assert record.state.value == "shipped", record
        [line] = state.order_lines(*MOVED)
        assert line.shipped == 100 and line.balance_cancelled == 200, line
    finally:
        state.close()


def test_a_moved_balance_against_a_blanket_line_agreed_by_value_is_checked_by_value(tmp_path):
    """FAS8900402's screws line states no quantity (agreed by value): 4500312003's 200 screws left to ship, moved
    there after 100 shipped, are held (RELEASE_BLANKET_BY_VALUE) with their value (200 x 0.42 = 84) for a person to
    check against the blanket's amount, as a release sent calling that line off is. Approved, it ships on
    (partially_shipped, its reservations kept). It used to pass unchecked."""
    from tests.test_blankets3 import _cli

    ws, found, states = _shipped_then_moved(tmp_path, "value", 1000, by_value=True)
    assert states[MOVED] == "held", (states, found)
    [told] = [m for c, po, m in found if c == "RELEASE_BLANKET_BY_VALUE" and po == MOVED[1]]
    assert "200 EA left to ship come to 84 at its price 0.42 (PO104)" in told, told
    assert "no other release called it off" in told and "100 EA of" in told and "approve" in told, told
    state = StateStore(ws.state_url)
    try:
        [record] = state.orders_for({MOVED}).values()
        assert record.hold_codes == ("RELEASE_BLANKET_BY_VALUE",), record
    finally:
        state.close()
    code, text = _cli(ws, "approve", MOVED[1], "--partner", "fastenal", "--by", "Kim")
    assert code == 0, text
    _found, states = findings_and_states(ws)
    assert states[MOVED] == "partially_shipped", states
    assert _drawdown(ws, BLANKET) == {"4500312001": "100", MOVED[1]: "100"}


def test_a_release_moved_back_to_the_blanket_it_left_counts_whole_there_again(tmp_path):
    """Moved to FAS8900402 (1,000 screws: its 200 left fit), then the buyer's next 860 moves it back to FAS8900401:
    it keeps its first move's record, and FAS8900401 counts it whole again (300: the 100 shipped and the 200 left),
    FAS8900402 nothing of it."""
    from tests.test_blankets7 import _contract_860

    ws, found, states = _shipped_then_moved(tmp_path, "back", 1000)
    assert states[MOVED] == "partially_shipped", (states, found)
    _contract_860(ws, MOVED[1], BLANKET, 89602)
    sent = ws.drop_root / "fastenal" / "inbox" / f"FAS860_{MOVED[1]}.x12"
    (sent.with_name("FAS860_back.x12")).write_text(
        sent.read_text().replace(f"BCH*04*RL*{MOVED[1]}**1*", f"BCH*04*RL*{MOVED[1]}**2*"))  # (its BCH05: no repeat)
    sent.unlink()
    run_stages(ws, DAY3)
    _found, states = findings_and_states(ws)
    assert states[MOVED] == "partially_shipped", states
    assert _kept(ws) == (BLANKET, ((1, 100),))
    assert _drawdown(ws, BLANKET) == {"4500312001": "100", MOVED[1]: "300"}
    assert MOVED[1] not in _drawdown(ws, OTHER)
