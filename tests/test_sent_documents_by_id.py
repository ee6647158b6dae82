"""Delivered documents read by id (the reconciliation's documents not yet read out, flows.reconcile
_document_rows): the same rows, in id order, on SQLite and PostgreSQL; on PostgreSQL in one query
for all the ids, not one per few hundred: each such query scans the delivered documents (its plan goes
by their status, whose statistics predate the night's delivery), so a night's 10,000 855s cost 20
scans of every delivered document (s57: 0.67 s of the server's time, growing with the store)."""

from __future__ import annotations

from connectors.finance_store import CHUNK


def _store(target: str, n: int):
    from connectors.state import StateStore

    state = StateStore(target)
    for i in range(n):  # two partners, 855s and 810s, every third one still pending
        partner, doc_type = ("acme", "globex")[i % 2], ("855", "810")[i % 3 == 1]
        doc_id = state.record_sent(partner, doc_type, f"{doc_type}-{i}.x12", f"{i:09d}", str(i), f"ST*{i}~".encode(),
                                   [], at="2026-11-27T02:00:00", run_id="r1")
        if i % 3 == 2:
            state._q("UPDATE documents SET status='pending' WHERE id=?", (doc_id,))
    return state


def test_documents_read_by_id_are_the_whole_read_less_the_others(store_target, backend):
    n = 3 * CHUNK + 300
    state = _store(store_target(), n)
    try:
        every = state.sent_documents(("855", "810"))
        ids = sorted(every["document_id"].to_pylist())
        assert every.num_rows == n - n // 3 and len(ids) > 2 * CHUNK
        wanted = ids[1::2] + [10**9]  # every other one, and an id no document has
        said: list[str] = []
        if backend == "postgresql":  # each statement the store sends through its connection
            real = state._db.execute
            state._db.execute = lambda sql, args=None: said.append(sql) or real(sql, args)
        some = state.sent_documents(("855", "810"), ids=reversed(wanted))
        if backend == "postgresql":
            del state._db.execute
        alone = state.sent_documents(("855",), ids=wanted, content=False)
    finally:
        state.close()
    kept = set(wanted)
    assert some.to_pylist() == [r for r in every.to_pylist() if r["document_id"] in kept]
    got = [(r["partner"], r["document_id"]) for r in some.to_pylist()]
    assert got == sorted(got) and len(got) == len(kept & set(ids)) and got[0][0] != got[-1][0]
    assert [r["document_id"] for r in alone.to_pylist()] == [r["document_id"] for r in some.to_pylist()
                                                             if r["doc_type"] == "855"]
    assert all(r["content"] == b"" for r in alone.to_pylist())
    if backend == "postgresql":
        assert len([s for s in said if "FROM documents" in s]) == 1, said
