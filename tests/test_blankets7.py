"""Blanket orders and their releases, what session 66 left (docs/lifecycle.md, "Blankets and their releases"):
1. the releases stored before the store kept each order's contract and agreement (store version BLANKET_REFS) have
   them read from their stored tables once, the first night after the store migrated to BLANKET_REFS_READ, so a
   blanket's cancellation finds them by the index;
Each through real nights (tests.support.run_stages, flows.night.run_night)."""

from __future__ import annotations

from tests.retailer_support import findings_and_states
from tests.test_blankets6 import _releases_by_ref, _three_releases
from tests.test_rg89c import BLANKET


def _as_version_35(ws) -> None:
    """``ws``'s store made what a store of version 35 (AGED_READS) is, with the orders it took: no contract or
    agreement columns, nor their indexes (as tests.test_blankets6 builds one)."""
    from connectors.state import COLUMNS_ADDED_IN, StateStore
    from connectors.state_migrations import AGED_READS, BLANKET_REFS

    state = StateStore(ws.state_url)
    with state.transaction():
        for index in ("orders_contract", "orders_agreement"):
            state._q(f"DROP INDEX {index}")
        for table, column, _ in COLUMNS_ADDED_IN[BLANKET_REFS]:
            state._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        state._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(AGED_READS),))
    state.close()


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
    _as_version_35(ws)
    state = StateStore(ws.state_url)
    try:
        assert state.schema_version == LATEST == BLANKET_REFS_READ == REFS_BY_KEY + 1
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
