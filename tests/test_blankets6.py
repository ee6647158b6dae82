"""Blanket orders and their releases, what session 65 left (docs/lifecycle.md, "Blankets and their releases"):
1. the releases naming a blanket by its contract or agreement (REF*CT, REF*AH; their own BEG03 another number) found
   by the numbers the store keeps of each order's 850 (orders.contract_number, agreement_number, store version
   BLANKET_REFS), not by reading the stored tables of every release of the partner;
2. decide's backorder step leaving alone a release an 860 cancellation of its blanket holds in the same run.
Each through real nights (tests.support.run_stages)."""

from __future__ import annotations

import pytest

from tests.retailer_support import findings_and_states
from tests.test_blankets5 import _sap_release
from tests.test_rg89c import BLANKET
from tests.test_rg89e import NIGHT, _blanket_850, _night


def _counting(store):
    """``store`` (an OrderStore) whose load calls are counted in the list it returns."""
    calls: list = []
    load = store.load

    def counted(*args, **kwargs):
        calls.append(args)
        return load(*args, **kwargs)

    store.load = counted
    return calls


def _releases_by_ref(ws):
    """(the releases naming the blanket FAS8900401 by REF, the stored tables read finding them)."""
    from connectors.order_store import OrderStore
    from connectors.state import StateStore
    from flows.releases import releases_by_ref

    state, store = StateStore(ws.state_url), OrderStore(ws.orders_dir)
    try:
        under = list(state.orders_for({("fastenal", BLANKET)}).values())
        calls = _counting(store)
        found = releases_by_ref(state, store, under)
        return [r.po_number for r in found], calls
    finally:
        state.close()


def _three_releases(tmp_path, name: str):
    """The blanket FAS8900401 and three release orders taken in one night: 4500312001 and 4500312003 naming it in
    REF*CT, 4500312002 naming another contract (held: a blanket we do not hold)."""
    from tests.support import run_stages

    ws = _night(tmp_path, name, {"FAS850_FAS8900401_0000.x12": _blanket_850()})
    _sap_release(ws, "4500312001", 100, "20261124", control=89501)
    _sap_release(ws, "4500312003", 200, "20261124", control=89503)
    other = ws.drop_root / "fastenal" / "inbox" / "FAS850_4500312002.x12"
    _sap_release(ws, "4500312002", 300, "20261124", control=89502)
    other.write_bytes(other.read_bytes().replace(f"REF*CT*{BLANKET}~".encode(), b"REF*CT*4600009999~"))
    run_stages(ws, NIGHT)
    return ws


def test_the_releases_naming_a_blanket_by_its_contract_are_found_by_the_store_not_their_tables(tmp_path):
    """Intake keeps each 850's REF*CT (orders.contract_number, "" for none): the blanket's releases naming it are
    found through the index, no stored table read; the one naming another contract is not among them. They used to be
    found by reading the stored ORDERS of every release of the partner that may draw, each time."""
    from connectors.state import StateStore

    ws = _three_releases(tmp_path, "index")
    _found, states = findings_and_states(ws)
    assert states[("fastenal", "4500312001")] == states[("fastenal", "4500312003")] == "acknowledged", states
    state = StateStore(ws.state_url)
    try:
        kept = dict(state._q("SELECT po_number, contract_number FROM orders WHERE partner='fastenal'"))
        plan = " ".join(str(r) for r in state._q(
            "EXPLAIN QUERY PLAN SELECT partner, po_number FROM orders WHERE partner=? AND order_type=?"
            " AND contract_number IN (?) AND state IN (?, ?)", ("fastenal", "RL", BLANKET, "held", "acknowledged")))
    finally:
        state.close()
    assert kept["4500312001"] == kept["4500312003"] == BLANKET and kept["4500312002"] == "4600009999", kept
    assert kept[BLANKET] == "", kept  # the blanket names no contract: known, none
    assert "orders_contract" in plan, plan
    found, calls = _releases_by_ref(ws)
    assert found == ["4500312001", "4500312003"] and calls == [], (found, calls)


def as_version_35(ws) -> None:
    """``ws``'s store made what a store of version 35 (AGED_READS) is, with the orders it took: no contract or
    agreement columns, nor their indexes (tests.test_blankets7 and bench/bench_blanket_refs_fill.py too)."""
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


def test_a_release_taken_before_the_store_kept_contracts_is_still_found_from_its_stored_table(tmp_path):
    """A store of version 35 (no contract columns) migrates to BLANKET_REFS with them null: not known. Its releases
    naming the blanket by REF*CT are still found, read from their stored tables (only those of the partner's releases
    whose numbers are not known), and a release taken after the step is found by its number."""
    from connectors.state import StateStore
    from connectors.state_migrations import AGED_READS, BLANKET_REFS, LATEST
    from tests.support import run_stages
    from tests.test_blankets3 import DAY2

    ws = _three_releases(tmp_path, "before")
    as_version_35(ws)
    state = StateStore(ws.state_url)
    try:
        assert state.schema_version == LATEST == BLANKET_REFS + 4 == AGED_READS + 5
        assert {"orders_contract", "orders_agreement"} <= {r[0] for r in state._q(
            "SELECT name FROM sqlite_master WHERE type='index'")}
        assert {r[0] for r in state._q("SELECT contract_number FROM orders")} == {None}
    finally:
        state.close()
    found, calls = _releases_by_ref(ws)
    assert found == ["4500312001", "4500312003"], found
    assert len(calls) == 3, calls  # the three releases' tables (one file each), not known: read as before
    _sap_release(ws, "4500312004", 50, "20261125", control=89504)
    run_stages(ws, DAY2)
    _found, states = findings_and_states(ws)
    assert states[("fastenal", "4500312004")] == "acknowledged", states
    found, calls = _releases_by_ref(ws)
    assert found == ["4500312001", "4500312003", "4500312004"] and len(calls) == 3, (found, calls)


def _stock(ws, day: str, screws: int) -> None:
    """A stock snapshot of ``day`` (ISO) with ``screws`` of RG89-06 (the blanket's screws) at the east DC, the rest
    as the sweep's stock."""
    from connectors.reference import read_reference_csv
    from connectors.snapshots import write_snapshot
    from schemas.inventory import INVENTORY_SNAPSHOT
    from tests.test_rg89e import FIXTURES

    rows = (FIXTURES / "stock.csv").read_text().splitlines()
    text = "\n".join([rows[0], *(r.replace("2026-11-23", day).replace(",RG89-06,50000,", f",RG89-06,{screws},")
                                 for r in rows[1:])]) + "\n"
    write_snapshot(ws.inventory_dir / "snapshots", read_reference_csv(text.encode(), name="stock.csv",
                                                                      schema=INVENTORY_SNAPSHOT))


@pytest.mark.parametrize("by", ["860", "850"])
def test_a_backordered_release_held_by_its_blankets_cancellation_is_not_offered_the_new_stock(tmp_path, by):
    """The blanket and release 0001 (1,000 screws) taken with 400 screws in stock and 50,000 coming on the 26th:
    acknowledged, 600 backordered (IB). The next night the buyer cancels the blanket (an 860 BCH01 01, decided in the
    same run as the backorders; or an 850 BEG01 01, at intake) and the snapshot holds the screws: the release is held
    for a person (RELEASE_HELD_BLANKET_CANCELLED) and its backorder is left alone (no backorder_allocated, its 600
    still backordered, nothing more reserved). Offered the stock, the 860's night planned two moves of it in one
    plan (held, and its backorder allocated) and failed ("a plan's transitions of one order do not chain"). Approved
    (the buyer says it stands), it is acknowledged again and the next night's backorder step allocates its 600."""
    from datetime import date

    import pyarrow as pa

    from connectors.snapshots import write_receipts
    from connectors.state import StateStore
    from schemas.inventory import EXPECTED_RECEIPTS
    from schemas.order_keys import release_key
    from tests.support import run_stages
    from tests.test_blankets3 import DAY2, DAY3, _cancel_blanket, _cli
    from tests.test_blankets4 import _cancel_860
    from tests.test_rg89e import RELEASE_FILE, _put, _release_0001

    ws = _night(tmp_path, "backorder", {"FAS850_FAS8900401_0000.x12": _blanket_850(), RELEASE_FILE: _release_0001()})
    _stock(ws, "2026-11-23", 400)
    write_receipts(ws.inventory_dir / "receipts.parquet", pa.table(  # the screws coming on the 26th
        {"warehouse": ["EAST"], "sku": ["RG89-06"], "quantity": [50000], "eta": [date(2026, 11, 26)]},
        schema=EXPECTED_RECEIPTS))
    run_stages(ws, NIGHT)
    one = ("fastenal", release_key(BLANKET, "0001"))

    def screws():
        state = StateStore(ws.state_url)
        try:
            [line] = [ln for ln in state.order_lines(*one) if ln.line_number == 1]
            return (line.allocated, line.backordered), state.reservations_for([one]), [
                e["event"] for e in state.order_history(*one)]
        finally:
            state.close()

    placed, reserved, _events = screws()
    _found, states = findings_and_states(ws)
    assert states[one] == "acknowledged" and placed == (400, 600), (states, placed)
    if by == "860":
        _cancel_860(ws)
    else:
        _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    _stock(ws, "2026-11-26", 50400)  # the receipt came in
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws)
    assert states[one] == "held", (states, found)
    assert [c for c, _m in found].count("RELEASE_HELD_BLANKET_CANCELLED") == 1, found
    placed, still, events = screws()
    assert placed == (400, 600) and still == reserved, (placed, still, reserved)
    assert "backorder_allocated" not in events and events[-1] == "blanket_cancelled", events
    code, text = _cli(ws, "approve", BLANKET, "--partner", "fastenal", "--by", "Kim", "--release", "0001",
                      "--note", "buyer says release 0001 stands")
    assert code == 0, text
    run_stages(ws, DAY3)
    _found, states = findings_and_states(ws)
    placed, _reserved, events = screws()
    assert states[one] == "acknowledged" and placed == (1000, 0), (states, placed)
    assert events[-2:] == ["release_resumed", "backorder_allocated"], events


@pytest.mark.parametrize("by", ["860", "850"])
def test_a_partly_shipped_releases_balance_ends_with_its_blanket_and_a_confirmation_of_it_is_held(tmp_path, by):
    """Release 0002 (500 screws) shipped 200 on the first night (856), release 0001 nothing. The buyer cancels the
    blanket (860 BCH01 01, or 850 BEG01 01): release 0001 is held for a person as before; release 0002 keeps what
    left and its balance ends: 300 screws cancelled (balance_cancelled, reason blanket_cancelled), its reservations
    released, the order complete and its 200 billed (810). The east DC then confirms the 300 shipped: the shipment
    is held, no 856, the finding saying those units were cancelled as the balance of a release whose blanket the
    buyer cancelled. The balance used to ship as answered against the cancelled agreement, and its 810 waited on it."""
    from connectors.state import StateStore
    from schemas.order_keys import release_key
    from tests.retailer_support import segments
    from tests.support import run_stages
    from tests.test_blankets3 import DAY2, DAY3, _cancel_blanket
    from tests.test_blankets4 import _cancel_860
    from tests.test_blankets5 import _confirm, _two_releases
    from tests.test_rg89e import _put

    ws = _two_releases(tmp_path, f"part{by}", ship_two=200)
    one, two = ("fastenal", release_key(BLANKET, "0001")), ("fastenal", release_key(BLANKET, "0002"))
    _found, states = findings_and_states(ws)
    assert states[two] == "partially_shipped", states
    assert [s[2] for s in segments(ws, "fastenal", "856") if s[0] == "BSN"] == ["S-2"]
    if by == "860":
        _cancel_860(ws)
    else:
        _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states[one] == "held" and states[two] == "invoiced", (states, found)
    element = "BCH01" if by == "860" else "BEG01"
    state = StateStore(ws.state_url)
    try:
        [line] = state.order_lines(*two)
        assert (line.allocated, line.rejected, line.balance_cancelled, line.shipped) == (200, 300, 300, 200), line
        assert "blanket_cancelled" in line.reason.split("; "), line.reason
        assert not state.reservations_for([two])
        [note] = [e["note"] for e in state.order_history(*two) if e["event"] == "balance_cancelled"]
    finally:
        state.close()
    assert note.startswith(f"The buyer cancelled blanket PO {BLANKET} ({element} 01), against which this release was "
                           "drawn, after part of it shipped: what shipped stands and the balance will not follow"), note
    assert "Cancelled: line 1 (300 EA of 500, 200 shipped); 300 reserved unit(s) released." in note, note
    [bill] = [s for s in segments(ws, "fastenal", "810") if s[0] == "IT1"]
    assert bill[2] == "200", bill  # what shipped, billed now
    _confirm(ws, "east-2b.csv", [("S-2B", "0002", 1, 300)])
    run_stages(ws, DAY3)
    found, _states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    [held] = [m for c, po, m in found if po == two[1] and c in ("SHIPMENT_LINE_CLOSED", "SHIPMENT_OVER_RESERVED")]
    assert ("We cancelled units of it after acknowledging them: 300 unshipped as the balance of a release whose "
            "blanket the buyer cancelled (BALANCE_CANCELLED:300); shipment S-2B shipped 300 EA of it") in held, held
    assert [s[2] for s in segments(ws, "fastenal", "856") if s[0] == "BSN"] == ["S-2"]  # no 856 for the balance


def test_releases_naming_reads_by_the_numbers_on_both_back_ends(store_target):
    """StateStore.releases_naming: the releases (BEG02 RL) in the states asked whose contract or agreement is one of a
    partner's numbers, and apart those whose numbers are not known (null); not another partner's, not another type,
    not another state, not one naming another number. On SQLite and on PostgreSQL."""
    from connectors.state import StateStore
    from engine.lifecycle.table import create
    from schemas.lifecycle import OrderRecord, OrderState, Plan

    def order(partner, po, kind="RL", contract=None, agreement=None):
        return create(OrderRecord(partner, po, OrderState.RECEIVED, order_type=kind, contract_number=contract,
                                  agreement_number=agreement), at="2026-11-24T02:00:00", run_id="r1", note="")

    store = StateStore(store_target())
    try:
        store.apply(Plan(transitions=(
            order("fastenal", "R1", contract="K1"), order("fastenal", "R2", contract="", agreement="K1"),
            order("fastenal", "R3", contract="K2", agreement=""), order("fastenal", "R4", contract="", agreement=""),
            order("fastenal", "R5"), order("fastenal", "B1", kind="BK", contract="K1"),
            order("grainger", "R1", contract="K1"))), run_id="r1")
        named, unknown = store.releases_naming({"fastenal": ["K1", " "]}, ["received"])
        assert [r.key for r in named] == [("fastenal", "R1"), ("fastenal", "R2")], named
        assert [r.key for r in unknown] == [("fastenal", "R5")], unknown
        assert named[0].contract_number == "K1" and named[1].agreement_number == "K1" and unknown[0].contract_number \
            is None
        assert store.releases_naming({"fastenal": ["K1"]}, ["shipped"]) == ([], [])
        assert [r.key for r in store.releases_naming({"fastenal": ["K2"], "grainger": ["K1"]}, ["received"])[0]] == [
            ("fastenal", "R3"), ("grainger", "R1")]
    finally:
        store.close()
