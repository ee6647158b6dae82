"""What a night reads again as the store ages, read by key (schema version AGED_READS, docs/design-night-in-arrow.md
"Session 65"): the invoice stage's dates of the orders it looks at every night (a short-shipped order of a "reject"
partner: is its balance past its last date?) are read from the order's stored tables once and kept (order_dates,
flows.shipments.KeptDates), and the same balances are cancelled on the same night; intake's sent sets of the groups a
997 answers are found through document_sets_gs06, not by walking every set sent to the partner. Both back ends."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from tests.support import REPO

KEY = ("hallmark", "681204")


# --- the store: the table, the index, the step ------------------------------------------------------------------

def test_a_version_34_store_gets_order_dates_and_the_gs06_index_on_both_back_ends(store_target):
    from connectors.state import StateStore
    from connectors.state_migrations import AGED_READS, LATEST, LINE_MARKS
    from tests.support_pg import index_names

    target = store_target()
    store = StateStore(target)
    assert "order_dates" in store._table_names() and "document_sets_gs06" in index_names(store)  # a new store
    with store.transaction():  # what a version 34 store looks like
        store._q("DROP INDEX document_sets_gs06")
        store._q("DROP TABLE order_dates")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(LINE_MARKS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == AGED_READS + 5 == LINE_MARKS + 6
        assert "order_dates" in store._table_names() and "document_sets_gs06" in index_names(store)
        assert store.kept_order_dates([("acme", "PO-1", "k1")]) == {}  # empty: each order read once more, then kept
    finally:
        store.close()


def test_order_dates_are_kept_by_key_as_given_and_let_go_when_no_longer_asked_for(store_target):
    from connectors.state import StateStore

    store = StateStore(store_target())
    try:
        head = {"kind": "order", "order_ref": "r1", "cancel_after": date(2026, 12, 5), "sales_requirement": "Y",
                "ship_from_id": "0042"}
        line = {"kind": "line", "order_ref": "r1", "line_number": 3, "ship_no_later": date(2026, 12, 9)}
        store.keep_order_dates({("acme", "PO-1", "k1"): [head, line], ("acme", "PO-2", "k2"): [dict(head)]},
                               keep=[])
        got = store.kept_order_dates([("acme", "PO-1", "k1"), ("acme", "PO-2", "k2"), ("acme", "PO-1", "old")])
        assert set(got) == {("acme", "PO-1", "k1"), ("acme", "PO-2", "k2")}  # (another lines_key: not kept)
        one, three = got[("acme", "PO-1", "k1")]
        assert (one["kind"], one["order_ref"], one["cancel_after"], one["sales_requirement"], one["ship_from_id"],
                one["line_number"], one["ship_no_later"]) == ("order", "r1", date(2026, 12, 5), "Y", "0042", None, None)
        assert (three["kind"], three["line_number"], three["ship_no_later"], three["cancel_after"]) == \
            ("line", 3, date(2026, 12, 9), None)
        # the next reader asks for PO-1 alone: PO-2's rows go; PO-1's are kept as they were
        store.keep_order_dates({}, keep=[("acme", "PO-1", "k1")])
        assert set(store.kept_order_dates([("acme", "PO-1", "k1"), ("acme", "PO-2", "k2")])) == {("acme", "PO-1", "k1")}
        # its new revision's table read: kept under the new key, the old key's rows let go
        store.keep_order_dates({("acme", "PO-1", "k9"): [head]}, keep=[("acme", "PO-1", "k9")])
        assert list(store.kept_order_dates([("acme", "PO-1", "k1"), ("acme", "PO-1", "k9")])) == \
            [("acme", "PO-1", "k9")]
    finally:
        store.close()


def test_the_sets_a_997_answers_are_found_through_the_gs06_index(tmp_path):
    """SQLite's plan for sent_sets_of(partner, gs06s=...)'s read: document_sets_gs06 (partner, gs06), not the
    partner's every set (document_sets_po's partner prefix, before)."""
    from connectors.state import StateStore

    store = StateStore(tmp_path / "s.sqlite")
    try:
        plan = " ".join(str(r) for r in store._q(
            "EXPLAIN QUERY PLAN SELECT partner, doc_key FROM document_sets WHERE partner=? AND set_id IN (?, ?)"
            " AND gs06 IN (?, ?)", ("acme", "855", "856", "12", "000000012")))
        assert "document_sets_gs06" in plan, plan
    finally:
        store.close()


# --- whole nights: the rg62 sweep's Hallmark PO shipped short (tests/test_balance_past_cancel.py's) ---------------
FIXTURES = REPO / "tests" / "fixtures" / "rg62"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT, SHIP_DAY = datetime(2026, 11, 25, 2), datetime(2026, 12, 1, 15)
SHORT = [("681204,3,RG62-03,4,EA", "681204,3,RG62-03,2,EA")]  # line 3: 2 of the 4 ornaments


@pytest.fixture
def date_reads(monkeypatch):
    """The (partner, stored table key) of every read of an order's stored dates (the columns order_dates and
    line_deadlines read) while the invoice stage looks at the balances (flows.shipments._balances_cancelled)."""
    from connectors.order_store import OrderStore
    from flows import shipments

    reads: list[tuple[str, str]] = []
    looking = []
    load_orders, load_columns, balances = OrderStore.load_orders, OrderStore.load_columns, shipments._balances_cancelled

    def counted_orders(self, partner, key, columns=None):
        if looking and columns and "cancel_after" in columns:
            reads.append((partner, key))
        return load_orders(self, partner, key, columns)

    def counted_columns(self, partner, key, order_columns, line_columns):
        if looking and "cancel_after" in line_columns:
            reads.append((partner, key))
        return load_columns(self, partner, key, order_columns, line_columns)

    def looked(*args, **kwargs):
        looking.append(1)
        try:
            return balances(*args, **kwargs)
        finally:
            looking.pop()

    monkeypatch.setattr(OrderStore, "load_orders", counted_orders)
    monkeypatch.setattr(OrderStore, "load_columns", counted_columns)
    monkeypatch.setattr(shipments, "_balances_cancelled", looked)
    return reads


def test_a_short_shipped_order_s_dates_are_read_once_and_its_balance_cancelled_when_they_pass(tmp_path, date_reads):
    """Night after night the order waits (its DTM 038, its cancel date, is 12-05): the invoice stage reads its dates
    from its stored tables the first night it looks at it, from order_dates after; the night after 12-05 its balance
    is cancelled and it is billed, as tests/test_balance_past_cancel.py's one night does."""
    from connectors.state import StateStore
    from tests.retailer_support import po_segments, segments, variant_night
    from tests.support import deliver_all, run_stages

    ws, _found, states = variant_night(FIXTURES, "hallmark", "681204", tmp_path, warehouses=WAREHOUSES, night=NIGHT,
                                       ship_day=SHIP_DAY, shipped_swaps=SHORT)
    assert states == {KEY: "partially_shipped"}
    state = StateStore(ws.state_path)
    lines_key = state.order(*KEY).lines_key
    state.close()
    # the night its confirmation came: shipped short, its dates read from its stored tables (ORDERS, ORDER_LINES)
    assert date_reads.count(("hallmark", lines_key)) == 2, date_reads
    seen = []
    for night in (datetime(2026, 12, 3, 2), datetime(2026, 12, 4, 2), datetime(2026, 12, 5, 2),
                  datetime(2026, 12, 6, 2), datetime(2026, 12, 7, 2)):
        date_reads.clear()
        run_stages(ws, night)
        deliver_all(ws, night)
        state = StateStore(ws.state_path)
        try:
            seen.append((state.order(*KEY).state.value, date_reads.count(("hallmark", lines_key)),
                         sorted(state.kept_order_dates([(*KEY, lines_key)]))))
        finally:
            state.close()
    kept = [(*KEY, lines_key)]
    # the next nights read none of them: kept while it waits
    assert seen[:3] == [("partially_shipped", 0, kept)] * 3
    assert seen[3] == ("invoiced", 0, kept)  # past 12-05: cancelled from the kept dates, and billed
    assert seen[4][1:] == (0, [])  # the night after, no longer looked at: its rows let go
    state = StateStore(ws.state_path)
    try:
        three = {ln.line_number: ln for ln in state.order_lines(*KEY)}[3]
        assert (three.shipped, three.rejected, three.codes, three.balance_cancelled) == (Decimal(2), 2, (), 2)
        [f] = [f for f in state.findings(partner=KEY[0], po_number=KEY[1]) if f["code"] == "BACKORDER_AFTER_CANCEL"]
        assert "DTM 038" in f["message"] and "2026-12-05" in f["message"], f
    finally:
        state.close()
    assert ["TDS", "10860"] in po_segments(segments(ws, "hallmark", "810"), "681204", "BIG")


def test_the_late_orders_shipments_are_read_from_the_open_orders_on_both_back_ends(store_target):
    """shipped_from(None, states, partners): the stock warehouses of every shipment of the partners' orders in those
    states, found from those orders (orders_state) and their lines (shipment_lines_po), not by walking every line
    ever shipped to the partners; the same rows as before on both back ends."""
    from connectors.state import StateStore

    store = StateStore(store_target())
    try:
        with store.transaction():
            for po, state in (("PO-1", "partially_shipped"), ("PO-2", "closed"), ("PO-3", "partially_shipped")):
                store._q("INSERT INTO orders (partner, po_number, state, revision, answered_revision) VALUES"
                         " ('acme', ?, ?, 1, 1)", (po, state))
            store._q("INSERT INTO orders (partner, po_number, state, revision, answered_revision) VALUES"
                     " ('globex', 'PO-1', 'partially_shipped', 1, 1)")
            for n, (partner, po, warehouse, stock) in enumerate((
                    ("acme", "PO-1", "east", "EAST"), ("acme", "PO-1", "west", None), ("acme", "PO-2", "east", "EAST"),
                    ("globex", "PO-1", "east", "EAST"), ("acme", "PO-1", "east", "EAST"))):
                store._q("INSERT INTO shipments (warehouse, shipment_id, partner, stock_warehouse, ship_date, billing)"
                         " VALUES (?, ?, ?, ?, '2026-12-01', 'shipment')", (warehouse, f"S{n}", partner, stock))
                store._q("INSERT INTO shipment_lines (warehouse, shipment_id, position, partner, po_number,"
                         " line_number, quantity) VALUES (?, ?, 1, ?, ?, 1, '1')", (warehouse, f"S{n}", partner, po))
        assert store.shipped_from(None, ["partially_shipped"], ["acme"]) == {("acme", "PO-1"): {"EAST", "west"}}
        assert store.shipped_from(None, ["partially_shipped", "closed"], ["acme", "globex"]) == {
            ("acme", "PO-1"): {"EAST", "west"}, ("acme", "PO-2"): {"EAST"}, ("globex", "PO-1"): {"EAST"}}
        if store.dialect.name == "sqlite":  # its plan: the orders by their state first, then their lines by PO
            asked, query = [], store._q
            store._q = lambda sql, args=(): asked.append((sql, args)) or query(sql, args)
            store.shipped_from(None, ["partially_shipped"], ["acme"])
            [(sql, args)] = asked
            plan = " ".join(str(r) for r in query("EXPLAIN QUERY PLAN " + sql, args))
            assert "orders_state" in plan and "shipment_lines_po (partner=? AND po_number=?)" in plan, plan
    finally:
        store.close()
