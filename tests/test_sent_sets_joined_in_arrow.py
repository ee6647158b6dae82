"""The delivered sets read with their documents' numbers put together in Arrow (finance_store.sent_sets_of)
are the rows of the one SQL join, in its order (partner, document, position): on the demo's nights with
day 1's shipments (855s, 865s, 856s, 810s, 997s of several partners; a document not delivered), for
every partner and one, through the driver's Arrow read and through the store's own connection."""

from __future__ import annotations

from connectors.finance_store import DELIVERED, SENT_ROWS
from connectors.state import StateStore
from engine import finance_inputs
from tests.support import shipping_demo


def _joined(store: StateStore, wanted: list[str], partner: str | None) -> object:
    sql = (f"WITH d AS {DELIVERED} SELECT s.partner, s.doc_key, s.set_id, s.position, d.isa13, s.gs06, s.st02,"
           " s.po_number, s.source_sha256, s.answers_isa13, s.answers_gs06, d.file_name, d.id, d.delivered_at"
           f" FROM document_sets s JOIN d ON d.id = s.document_id WHERE s.set_id IN ({','.join('?' * len(wanted))})")
    args = list(wanted)
    if partner:
        sql, args = sql + " AND s.partner=?", [*args, partner]
    return store._read(sql + " ORDER BY s.partner, d.id, s.position", SENT_ROWS, args)


def test_sent_sets_put_together_in_arrow_are_the_sql_joins_rows(tmp_path, monkeypatch):
    ws = shipping_demo(tmp_path / "ws")["ws"]
    store = StateStore(ws.state_path)
    try:
        kinds = [sorted({*finance_inputs.PARTNER_ACKED, *finance_inputs.OUR_997}), list(finance_inputs.PARTNER_ACKED),
                 ["997"]]
        for own_connection in (False, True):
            if own_connection:
                monkeypatch.setattr(store, "_arrow_rows", lambda sql, args=(): None)
            for wanted in kinds:
                for partner in (None, "acme", "globex"):
                    got = store.sent_sets_of(wanted, partner=partner)
                    assert got.num_rows and got.equals(_joined(store, wanted, partner)), (wanted, partner)
        everything = store.sent_sets_of(kinds[0])
        assert len(set(everything["partner"].to_pylist())) > 2
        store._q("UPDATE documents SET status='written' WHERE id = (SELECT min(document_id) FROM document_sets)")
        assert store.sent_sets_of(kinds[0]).equals(_joined(store, kinds[0], None))  # a document not delivered
        assert store.sent_sets_of(kinds[0]).num_rows < everything.num_rows
    finally:
        store.close()
