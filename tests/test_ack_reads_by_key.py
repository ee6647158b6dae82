"""Intake's check of a partner's 997 reads what the 997 names, by key (schema version REFS_BY_KEY, docs/state-store.md
"35 -> 36"): the shipment ids and invoice numbers of the sets it answers (StateStore.fulfilment_refs(keys), through
shipments_asn and invoices_doc_key), not every shipment and invoice the store kept; and those sets' documents' numbers
by id, not every delivered document's (each row's status and delivery time sit behind its content). Found by
bench/bench_aged_night.py: both reads grew with the store's history, ~19 + ~30 ms a 997 file after 12 nights."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from engine import finance_inputs
from engine.partner_acks import control_key
from tests.support import run_stages, shipping_demo
from tests.test_finance_flow import partner_997

NIGHT3 = datetime(2026, 11, 29, 2)


def _fill(store) -> None:
    """Shipments and invoices of two partners, one shipment with no ASN sent (no key), one 856 naming its BOL by
    tracking number alone."""
    with store.transaction():
        for n, (partner, key, bol, tracking) in enumerate((
                ("acme", "856:S1", "BOL-1", None), ("acme", "856:S2", "", "1Z2"), ("acme", "", None, None),
                ("globex", "856:S1", None, None), ("acme", "856:S4", None, None))):
            store._q("INSERT INTO shipments (warehouse, shipment_id, partner, ship_date, billing, asn_doc_key,"
                     " bill_of_lading, tracking_number) VALUES ('east', ?, ?, '2026-12-01', 'shipment', ?, ?, ?)",
                     (f"S{n}", partner, key, bol, tracking))
        for n, (partner, key) in enumerate((("acme", "810:I1"), ("acme", "810:I2"), ("globex", "810:I1"))):
            store._q("INSERT INTO invoices (invoice_number, partner, po_number, invoice_date, merchandise, charges,"
                     " total, doc_key) VALUES (?, ?, 'PO-1', '2026-12-01', '1', '0', '1', ?)",
                     (f"INV{n}", partner, key))


def test_a_version_35_store_gets_the_refs_indexes_on_both_back_ends(store_target):
    from connectors.state import StateStore
    from connectors.state_migrations import AGED_READS, BLANKET_REFS, LATEST, REFS_BY_KEY
    from tests.support_pg import index_names

    target = store_target()
    store = StateStore(target)
    assert {"shipments_asn", "invoices_doc_key"} <= index_names(store)  # a new store
    _fill(store)
    with store.transaction():  # what a version 35 store looks like
        store._q("DROP INDEX shipments_asn")
        store._q("DROP INDEX invoices_doc_key")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(AGED_READS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == REFS_BY_KEY + 3 == BLANKET_REFS + 4 == AGED_READS + 5
        assert {"shipments_asn", "invoices_doc_key"} <= index_names(store)
        assert store.fulfilment_refs().num_rows == 4 + 3  # kept as they were
    finally:
        store.close()


def test_the_refs_of_named_sets_are_the_whole_read_s_rows_on_both_back_ends(store_target):
    """fulfilment_refs(keys): the rows of the whole read with those (partner, doc_key), in its order; a key another
    partner's set also has is that partner's alone; a key with nothing kept (an 855's) names nothing."""
    from connectors.state import StateStore

    store = StateStore(store_target())
    try:
        _fill(store)
        every = store.fulfilment_refs()
        assert every.num_rows == 7
        asked = [("acme", "856:S2"), ("acme", "810:I2"), ("acme", "856:S1"), ("acme", "855:PO-1"), ("globex", "810:I1"),
                 ("acme", "856:S2")]
        some = store.fulfilment_refs(asked)
        want = {k for k in asked}
        assert some.to_pylist() == [r for r in every.to_pylist() if (r["partner"], r["doc_key"]) in want]
        assert [(r["doc_key"], r["document_ref"], r["bill_of_lading"]) for r in some.to_pylist()] == [
            ("810:I2", "INV1", None), ("856:S1", "S0", "BOL-1"), ("856:S2", "S1", "1Z2"), ("810:I1", "INV2", None)]
        assert store.fulfilment_refs([]).num_rows == 0
        # a partner's whole (a reader of every set sent to it: intake's TA1 and 824 checks)
        assert store.fulfilment_refs(partner="acme").to_pylist() == [r for r in every.to_pylist()
                                                                     if r["partner"] == "acme"]
        assert store.fulfilment_refs(partner="acme").num_rows == 5
        assert store.fulfilment_refs([]).schema == every.schema
    finally:
        store.close()


def test_the_refs_are_looked_up_through_their_indexes(tmp_path):
    """SQLite's plan for fulfilment_refs(keys)'s reads: shipments_asn and invoices_doc_key, no scan of either."""
    from connectors.state import StateStore

    store = StateStore(tmp_path / "s.sqlite")
    try:
        _fill(store)
        asked, query = [], store._q
        store._q = lambda sql, args=(): asked.append((sql, args)) or query(sql, args)
        store.fulfilment_refs([("acme", "856:S1"), ("acme", "810:I1")])
        store._q = query
        plans = [" ".join(str(r) for r in query("EXPLAIN QUERY PLAN " + sql, args)) for sql, args in asked]
        assert len(plans) == 2 and "shipments_asn" in plans[0] and "invoices_doc_key" in plans[1], plans
        assert not any("SCAN" in p for p in plans), plans
    finally:
        store.close()


def test_the_sets_of_a_997_s_groups_read_their_own_documents_alone(tmp_path):
    """sent_sets_of(partner, gs06s=...) reads the numbers of the documents its sets are in, by id: the same rows as
    the whole read's, and no read of every delivered document."""
    from connectors.state import StateStore

    ws = shipping_demo(tmp_path / "ws")["ws"]
    store = StateStore(ws.state_path)
    try:
        every = store.sent_sets_of(finance_inputs.PARTNER_ACKED, partner="acme")
        group = control_key(every["gs06"])[0].as_py()
        reads, arrow_rows = [], store._arrow_rows
        store._arrow_rows = lambda sql, args=(): reads.append(sql) or arrow_rows(sql, args)
        some = store.sent_sets_of(finance_inputs.PARTNER_ACKED, partner="acme", gs06s=[group])
        store._arrow_rows = arrow_rows
        assert some.num_rows and some.equals(every.filter(pc.equal(control_key(every["gs06"]), group)))
        documents = [sql for sql in reads if "FROM documents" in sql]
        assert documents and all(" id IN (" in sql for sql in documents), documents
    finally:
        store.close()


def test_a_night_s_997_rejecting_our_856_and_810_names_them_from_their_own_refs(tmp_path, monkeypatch):
    """ACME's 997 the night after the shipping demo rejects the 856 and 810 of one group each: the errors name the
    shipment id and invoice number as before, and intake looked up the refs of those groups' sets alone."""
    from connectors.state import StateStore

    ws = shipping_demo(tmp_path / "ws")["ws"]
    store = StateStore(ws.state_path)
    try:
        sent = store.sent_sets_of(["856", "810"], partner="acme")
        every = store.fulfilment_refs()
    finally:
        store.close()
    assert sent.num_rows >= 2 and set(sent["set_id"].to_pylist()) == {"856", "810"}
    assert every.num_rows > 2  # other partners' shipments and invoices too
    picked = {}
    for r in sent.to_pylist():
        picked.setdefault(r["set_id"], r)
    bodies = [[["AK1", "SH" if doc == "856" else "IN", r["gs06"]], ["AK2", doc, r["st02"]], ["AK5", "R", "5"],
               ["AK9", "R", "1", "1", "0"]] for doc, r in sorted(picked.items())]
    partner_997(ws, "acme", bodies, name="acme-997-rejects.x12")
    groups = {control_key(pa.array([r["gs06"]]))[0].as_py() for r in picked.values()}
    named = sent.filter(pc.is_in(control_key(sent["gs06"]), value_set=pa.array(sorted(groups))))
    want = set(zip(named["partner"].to_pylist(), named["doc_key"].to_pylist(), strict=True))

    asked: list = []
    refs = StateStore.fulfilment_refs

    def spy(self, keys=None, **whole):
        keys = None if keys is None else list(keys)
        asked.append(keys)
        return refs(self, keys, **whole)

    monkeypatch.setattr(StateStore, "fulfilment_refs", spy)
    run_stages(ws, NIGHT3)
    monkeypatch.undo()
    assert asked and all(k is not None for k in asked), asked  # intake read no shipment or invoice it was not named
    assert set().union(*map(set, asked)) == want
    store = StateStore(ws.state_path)
    try:
        found = [f for f in store.findings() if f["file"] == "acme-997-rejects.x12" and f["code"] ==
                 "FA_DOCUMENT_REJECTED"]
    finally:
        store.close()
    ref_of = {(r["partner"], r["doc_key"]): r["document_ref"] for r in every.to_pylist()}
    names = sorted(ref_of[("acme", r["doc_key"])] for r in picked.values())
    assert len(found) == 2 and all(n for n in names)
    assert sorted(n for n in names for f in found if n in f["message"]) == names, [f["message"] for f in found]


def test_the_sets_of_named_groups_are_the_whole_read_s_rows_on_both_back_ends(store_target):
    """sent_sets_of(partner, gs06s=...) on SQLite and PostgreSQL: its documents' numbers read by id give the rows of
    the whole read in those groups (a GS06 written with its zeros too); a set of a document not delivered is not
    sent; another partner's set of the same group is not the partner's."""
    from connectors.state import StateStore

    store = StateStore(store_target())
    try:
        with store.transaction():
            for n, (partner, status, isa13) in enumerate((("acme", "delivered", "000000101"),
                                                          ("acme", "pending", "000000102"),
                                                          ("acme", "delivered", "000000103"),
                                                          ("globex", "delivered", "000000104")), start=1):
                store._q("INSERT INTO documents (id, partner, doc_type, file_name, isa13, content, status, created_at,"
                         " delivered_at) VALUES (?, ?, '856', ?, ?, ?, ?, '2026-12-01T02:00:00', ?)",
                         (n, partner, f"f{n}.x12", isa13, b"ISA" * 1000, status,
                          f"2026-12-01T02:0{n}:00" if status == "delivered" else None))
            sets = ((1, "acme", "856:S1", "7", "0001"), (1, "acme", "856:S2", "7", "0002"),
                    (2, "acme", "856:S3", "7", "0001"), (3, "acme", "810:I1", "000000008", "0001"),
                    (3, "acme", "856:S4", "9", "0002"), (4, "globex", "856:S1", "7", "0001"))
            for doc, partner, key, gs06, st02 in sets:
                store._q("INSERT INTO document_sets (partner, doc_key, document_id, position, set_id, st02, gs06)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", (partner, key, doc, int(st02), key[:3], st02, gs06))
        every = store.sent_sets_of(["810", "856"], partner="acme")
        assert sorted(every["doc_key"].to_pylist()) == ["810:I1", "856:S1", "856:S2", "856:S4"]  # S3: not delivered
        some = store.sent_sets_of(["810", "856"], partner="acme", gs06s=["7", "8"])
        assert some.equals(every.filter(pc.is_in(every["doc_key"], value_set=pa.array(["856:S1", "856:S2", "810:I1"]))))
        assert some["isa13"].to_pylist() == ["000000101", "000000101", "000000103"]
        assert store.sent_sets_of(["810", "856"], partner="acme", gs06s=["5"]).num_rows == 0
    finally:
        store.close()
