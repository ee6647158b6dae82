"""The reconciliation's reads of our own documents (StateStore.fulfilment_lines, sent_sets_of) on SQLite
and PostgreSQL equal the one-join queries they replace (kept here as the oracle): shipments and invoices
with their lines put together in Arrow, in the same order, with the same delivery facts, whatever order
the rows were written in; the delivered documents joined once each (a batch document's content is large)."""

from __future__ import annotations

from connectors.finance_store import _table
from connectors.state import StateStore
from schemas.reconciliation import RECORDED_LINES

ECHO = "CASE WHEN COALESCE(l.line_id, '') = '' THEN CAST(l.line_number AS TEXT) ELSE l.line_id END"
ORACLE_SHIPPED = (
    f"SELECT s.partner, '856', s.shipment_id, s.ship_date, s.departed_at, s.shipment_id, l.po_number, {ECHO},"
    " l.quantity, l.unit, NULL, NULL, NULL, d.delivered_at, COALESCE(d.file_name, ''), s.source_sha256, d.isa13,"
    " ds.gs06, ds.st02, l.position FROM shipments s JOIN shipment_lines l ON l.warehouse = s.warehouse AND"
    " l.shipment_id = s.shipment_id LEFT JOIN document_sets ds ON ds.partner = s.partner AND"
    " ds.doc_key = s.asn_doc_key LEFT JOIN documents d ON d.id = ds.document_id AND d.status = 'delivered'"
    " ORDER BY s.partner, s.departed_at, s.warehouse, s.shipment_id, l.position")
ORACLE_INVOICED = (
    f"SELECT v.partner, '810', v.invoice_number, v.invoice_date, NULL, v.shipment_id, v.po_number, {ECHO},"
    " l.quantity, l.unit, l.unit_price, NULL, NULL, d.delivered_at, COALESCE(d.file_name, ''), NULL, d.isa13,"
    " ds.gs06, ds.st02, l.line_number FROM invoices v JOIN invoice_lines l ON l.invoice_number ="
    " v.invoice_number JOIN document_sets ds ON ds.partner = v.partner AND ds.doc_key = v.doc_key"
    " JOIN documents d ON d.id = ds.document_id AND d.status = 'delivered'"
    " ORDER BY v.partner, v.invoice_number, l.line_number")
ORACLE_SENT = (
    "SELECT s.partner, s.doc_key, s.set_id, s.position, d.isa13, s.gs06, s.st02, s.po_number,"
    " s.source_sha256, s.answers_isa13, s.answers_gs06, d.file_name, d.id, d.delivered_at"
    " FROM document_sets s JOIN documents d ON d.id = s.document_id"
    " WHERE d.status='delivered' AND s.set_id IN ('810','855','856') ORDER BY s.partner, d.id, s.position")

# documents: id, partner, doc_type, file, status, delivered_at, content size
DOCUMENTS = [(1, "acme", "855", "acme-855.x12", "delivered", "2026-11-27T02:00:00", 300_000),
             (2, "acme", "856", "acme-856-1.x12", "delivered", "2026-11-27T02:05:00", 900),
             (3, "acme", "856", "acme-856-2.x12", "pending", None, 900),
             (4, "globex", "856", "globex-856.x12", "delivered", "2026-11-27T02:06:00", 900),
             (5, "acme", "810", "acme-810.x12", "delivered", "2026-11-27T02:07:00", 900),
             (6, "acme", "810", "acme-810-2.x12", "pending", None, 900)]
# document sets: partner, doc_key, document, position, set id, st02, po
SETS = [("acme", "855-PO-1", 1, 1, "855", "0001", "PO-1"), ("acme", "855-PO-2", 1, 2, "855", "0002", "PO-2"),
        ("acme", "asn-S1", 2, 1, "856", "0001", "PO-1"), ("acme", "asn-S2", 3, 1, "856", "0001", "PO-2"),
        ("globex", "asn-S1", 4, 1, "856", "0007", "G-1"), ("acme", "inv-1", 5, 1, "810", "0001", "PO-1"),
        ("acme", "inv-2", 6, 1, "810", "0001", "PO-2")]
# shipments: warehouse, shipment id, partner, ship date, departed at, 856 doc key
SHIPMENTS = [("east", "S1", "acme", "2026-11-26", "2026-11-26T18:00:00", "asn-S1"),
             ("ea:st", "S1", "acme", "2026-11-26", "2026-11-26T18:00:00", None),  # no 856 (a CSV partner's)
             ("east", "S2", "acme", "2026-11-26", None, "asn-S2"),  # 856 not delivered yet
             ("north", "S1", "globex", "2026-11-25", "2026-11-25T09:30:00", "asn-S1")]
# shipment lines: warehouse, shipment id, position, po, line number, line id, quantity
SHIPMENT_LINES = [("east", "S1", 2, "PO-1", 2, "", "3"), ("east", "S1", 1, "PO-1", 1, "A1", "5"),
                  ("ea:st", "S1", 1, "PO-1", 3, "A3", "1"), ("north", "S1", 1, "G-1", 1, "1", "2.5"),
                  ("east", "S2", 1, "PO-2", 1, None, "4")]
INVOICES = [("INV-2", "acme", "PO-2", "2026-11-27", "S2", "inv-2"),
            ("INV-1", "acme", "PO-1", "2026-11-27", "S1", "inv-1")]
INVOICE_LINES = [("INV-1", 2, "", "3", "1.50"), ("INV-1", 1, "A1", "5", "2.25"), ("INV-2", 1, "B1", "4", "9")]


def _store(target: str) -> StateStore:
    store = StateStore(target)
    with store.transaction():
        store._many("INSERT INTO documents (id, partner, doc_type, file_name, isa13, gs06, content, status, created_at,"
                    " delivered_at, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    [(i, p, t, f, f"{i:09d}", str(i), b"S" * size, status, "2026-11-27T02:00:00", at, "r1")
                     for i, p, t, f, status, at, size in DOCUMENTS])
        store._many("INSERT INTO document_sets (partner, doc_key, document_id, position, set_id, st02, gs06, po_number)"
                    " VALUES (?,?,?,?,?,?,?,?)", [(p, k, d, n, s, st, str(d), po) for p, k, d, n, s, st, po in SETS])
        store._many("INSERT INTO shipments (warehouse, shipment_id, partner, source_sha256, ship_date, departed_at,"
                    " asn_doc_key, billing) VALUES (?,?,?,?,?,?,?,?)",
                    [(w, s, p, f"sha-{w}-{s}", day, at, key, "due") for w, s, p, day, at, key in SHIPMENTS])
        partner = {(w, s): p for w, s, p, *_ in SHIPMENTS}
        store._many("INSERT INTO shipment_lines (warehouse, shipment_id, position, partner, po_number, line_number,"
                    " line_id, quantity, unit) VALUES (?,?,?,?,?,?,?,?,?)",
                    [(w, s, n, partner[w, s], po, line, lid, q, "EA") for w, s, n, po, line, lid, q in SHIPMENT_LINES])
        store._many("INSERT INTO invoices (invoice_number, partner, po_number, invoice_date, warehouse, shipment_id,"
                    " merchandise, charges, total, doc_key) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [(i, p, po, day, "east", s, "0", "0", "0", key) for i, p, po, day, s, key in INVOICES])
        store._many("INSERT INTO invoice_lines (invoice_number, line_number, line_id, quantity, unit, unit_price,"
                    " amount) VALUES (?,?,?,?,?,?,?)", [(i, n, lid, q, "EA", price, "0")
                                                       for i, n, lid, q, price in INVOICE_LINES])
    return store


def test_our_shipment_and_invoice_lines_are_those_of_the_one_join_query(store_target):
    store = _store(store_target())
    try:
        got = store.fulfilment_lines()
        assert got.schema == RECORDED_LINES
        want = _table(store._q(ORACLE_SHIPPED) + store._q(ORACLE_INVOICED), RECORDED_LINES)
        assert got.to_pylist() == want.to_pylist()
        # what the oracle holds: every shipment line (the undelivered 856's with no delivery time), the
        # delivered invoice's lines only, the line number where a line has no PO101
        assert got.num_rows == len(SHIPMENT_LINES) + 2
        assert [r["document_ref"] for r in got.to_pylist() if r["doc_type"] == "810"] == ["INV-1", "INV-1"]
        assert [r["line_id"] for r in got.to_pylist() if r["document_ref"] == "INV-1"] == ["A1", "2"]
        unsent = [r for r in got.to_pylist() if r["sha256"] in ("sha-ea:st-S1", "sha-east-S2")]
        assert [(r["file"], r["sent_at"]) for r in unsent] == [("", None), ("", None)]
    finally:
        store.close()


def test_the_sets_we_sent_are_those_of_the_one_join_query(store_target):
    store = _store(store_target())
    try:
        got = store.sent_sets_of(("810", "855", "856"))
        want = _table(store._q(ORACLE_SENT), got.schema)
        assert got.to_pylist() == want.to_pylist()
        assert got.num_rows == 5  # the sets of the four delivered documents: not the pending 856 and 810
        assert store.sent_sets_of(("855",), partner="globex").num_rows == 0
        assert store.sent_sets_of(("855",), partner="acme")["doc_key"].to_pylist() == ["855-PO-1", "855-PO-2"]
    finally:
        store.close()


def test_lines_already_in_their_heads_order_are_those_of_the_one_join_query(store_target):
    store = _store(store_target())
    try:
        with store.transaction():  # left: one delivered invoice, its lines read in its order (no reordering)
            store._q("DELETE FROM invoice_lines WHERE invoice_number = 'INV-2'")
            store._q("DELETE FROM invoices WHERE invoice_number = 'INV-2'")
        got = store.fulfilment_lines()
        want = _table(store._q(ORACLE_SHIPPED) + store._q(ORACLE_INVOICED), RECORDED_LINES)
        assert got.to_pylist() == want.to_pylist()
        assert [r["line_id"] for r in got.to_pylist() if r["doc_type"] == "810"] == ["A1", "2"]
    finally:
        store.close()


def test_the_lines_and_amounts_read_together_are_those_read_apart(store_target):
    """The reconciliation reads our invoice lines once for its 810 lines and their amounts
    (fulfilment_and_amounts): the very tables fulfilment_lines and invoice_amounts give, an invoice not
    delivered and a line of no invoice on record included (the amounts' own join leaves that one out)."""
    store = _store(store_target())
    try:
        with store.transaction():
            store._many("INSERT INTO invoice_lines (invoice_number, line_number, line_id, quantity, unit, unit_price,"
                        " amount) VALUES (?,?,?,?,?,?,?)", [("INV-2", 2, None, "2", "EA", "9", "18.5"),
                                                           ("INV-0", 1, "Z1", "1", "EA", "1", "1")])
        lines, amounts = store.fulfilment_and_amounts()
        assert lines.schema == RECORDED_LINES and lines.to_pylist() == store.fulfilment_lines().to_pylist()
        want = store.invoice_amounts()
        assert amounts.schema == want.schema and amounts.to_pylist() == want.to_pylist()
        assert [(r["invoice_number"], r["line_number"]) for r in amounts.to_pylist()] == [
            ("INV-1", 1), ("INV-1", 2), ("INV-2", 1), ("INV-2", 2)]  # INV-0 is no invoice of ours
    finally:
        store.close()
