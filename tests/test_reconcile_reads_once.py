"""The reconcile stage's constant-factor wins against history (docs/design-reconcile-history.md, "Built"):
each delivered 855/865/810 read out once and its rows kept under the state folder (connectors.document_rows),
the partners' 997 errors parsed once per distinct text, and only the verdicts that changed written. Every
kept or skipped read gives the tables a full read gives."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pyarrow as pa
import pytest

from connectors import finance_store
from connectors.state import StateStore
from engine import finance_inputs
from flows import reconcile
from flows.workspace import open_workspace
from tests.support import shipping_demo
from tests.support_finance import document_status, small_book, small_document_status
from tests.test_partner_acks import interchange, read

NIGHT2 = datetime(2026, 11, 28, 2)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's night 1, day 1's shipments and night 2 (855s, 865s, 856s and 810s delivered), its
    documents never reconciled (no rows kept)."""
    return shipping_demo(tmp_path_factory.mktemp("reads-once") / "ws")["ws"].root


@pytest.fixture
def ws(demo, tmp_path):
    shutil.copytree(demo, tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


def _spy(monkeypatch) -> list[tuple]:
    """Each StateStore.sent_documents call as (doc types, with content, ids)."""
    calls: list[tuple] = []
    real = StateStore.sent_documents

    def spy(self, doc_types, *args, **kwargs):
        calls.append((tuple(sorted(doc_types)), kwargs.get("content", True), kwargs.get("ids")))
        return real(self, doc_types, *args, **kwargs)

    monkeypatch.setattr(StateStore, "sent_documents", spy)
    return calls


def _full_read(ws) -> dict[str, pa.Table]:
    """The 855/865 ACKs (with the CSV acknowledgments' rows, the CSV partner's 855s) and the 810s' totals and
    SACs read from every document's content."""
    state = StateStore(ws.state_url)
    try:
        answers = state.sent_documents(finance_inputs.ANSWERS)
        lines = state.finance_lines(finance_inputs.LINE_COLUMNS)
        totals, charges = finance_inputs.invoice_totals_and_charges(state.sent_documents(finance_inputs.INVOICE_SETS))
        layouts = {pid: p.fulfilment.csv_ack for pid, p in ws.partners().items() if "csv_ack" in p.receives}
        both = pa.concat_tables([finance_inputs.acknowledged(answers, lines), finance_inputs.csv_acknowledged(
            state.csv_acknowledgments(), lines, layouts)])
        acknowledged = both.take(pa.compute.sort_indices(both, sort_keys=[
            ("partner", "ascending"), ("po_number", "ascending"), ("line_number", "ascending"),
            ("sent_at", "ascending")]))
        return {"acknowledged": acknowledged, "invoice_totals": totals, "invoice_charges": charges}
    finally:
        state.close()


def _inputs(ws) -> dict[str, pa.Table]:
    state = StateStore(ws.state_url)
    try:
        got = reconcile.load_inputs(ws, state, ws.partners())
    finally:
        state.close()
    return {"acknowledged": got.acknowledged, "invoice_totals": got.invoice_totals,
            "invoice_charges": got.invoice_charges}


def test_a_second_reconciliation_reads_no_855_or_810_again_and_gets_the_same_tables(ws, monkeypatch):
    """The first reconciliation of a workspace whose documents were delivered before the rows were kept
    reads every 855, 865 and 810 once and keeps their rows; the next reads none of their content (the 865s
    alone, for what they refused) and its tables are those a full read of every document gives."""
    full = _full_read(ws)
    assert full["acknowledged"].num_rows and full["invoice_totals"].num_rows and full["invoice_charges"].num_rows
    assert "CSV" in full["acknowledged"]["doc_type"].to_pylist()  # Umbrella's CSV acknowledgment among them
    calls = _spy(monkeypatch)
    first = _inputs(ws)
    assert any(content and ids for _, content, ids in calls)  # read once, by id
    assert sorted(p.name for p in (ws.root / "state" / "derived").iterdir()) == [
        f"answers-v{finance_inputs.ROWS_VERSION}", f"csv-answers-v{finance_inputs.ROWS_VERSION}",
        f"invoices-v{finance_inputs.ROWS_VERSION}"]
    calls.clear()
    again = _inputs(ws)
    read_again = [types for types, content, _ in calls if content and set(types) & {"855", "810"}]
    assert read_again == []
    for name in full:
        assert first[name].equals(full[name]), name
        assert again[name].equals(full[name]), name


def test_rows_lost_or_kept_for_another_document_are_read_again(ws, monkeypatch):
    """Derived data: a save whose documents' file is gone, or that names a document by an id the store now
    gives another file, is no save: those documents are read again (only those), the tables unchanged."""
    full = _full_read(ws)
    _inputs(ws)
    folder = ws.root / "state" / "derived" / f"invoices-v{finance_inputs.ROWS_VERSION}"
    (saved,) = folder.glob("*.docs.arrow")
    docs = pa.ipc.open_file(pa.memory_map(str(saved))).read_all()
    other = docs.set_column(3, "file", pa.array([f"other-{f}" for f in docs["file"].to_pylist()]))
    with pa.OSFile(str(saved), "wb") as sink, pa.ipc.new_file(sink, other.schema) as writer:
        writer.write_table(other)
    for path in (ws.root / "state" / "derived" / f"answers-v{finance_inputs.ROWS_VERSION}").glob("*.docs.arrow"):
        path.unlink()
    state = StateStore(ws.state_url)
    answers = state.sent_documents(finance_inputs.ANSWERS, content=False)["document_id"].to_pylist()
    state.close()
    calls = _spy(monkeypatch)
    again = _inputs(ws)
    by_id = sorted((types, sorted(ids)) for types, content, ids in calls if content and ids)
    assert by_id == [(("810", "880"), sorted(docs["document_id"].to_pylist())), (("855", "865"), sorted(answers))]
    for name in full:
        assert again[name].equals(full[name]), name


def test_answer_and_invoice_rows_are_each_documents_own(ws):
    """What is kept per document is a function of that document alone: the rows of all the documents read
    together are those of each read on its own, and the tables built from them are those of the documents."""
    state = StateStore(ws.state_url)
    try:
        answers = state.sent_documents(finance_inputs.ANSWERS)
        invoices = state.sent_documents(finance_inputs.INVOICE_SETS)
        lines = state.finance_lines(finance_inputs.LINE_COLUMNS)
    finally:
        state.close()
    assert answers.num_rows > 2 and invoices.num_rows > 1
    together = finance_inputs.answer_rows(answers)
    alone = pa.concat_tables([finance_inputs.answer_rows(answers.slice(i, 1)) for i in range(answers.num_rows)])
    assert together.num_rows and together.equals(alone.sort_by([("partner", "ascending"),
                                                                 ("document_id", "ascending")]))
    heads = answers.drop_columns(["content"])
    assert finance_inputs.acknowledged(heads, lines, answers=together).equals(
        finance_inputs.acknowledged(answers, lines))
    totals, charges = finance_inputs.invoice_rows(invoices)
    for i in range(invoices.num_rows):
        t, c = finance_inputs.invoice_rows(invoices.slice(i, 1))
        doc = invoices["document_id"][i].as_py()
        assert t.equals(totals.filter(pa.compute.equal(totals["document_id"], doc)))
        assert c.equals(charges.filter(pa.compute.equal(charges["document_id"], doc)))
    assert finance_inputs.invoice_totals_and_charges(invoices.drop_columns(["content"]), rows=(totals, charges)) \
        == finance_inputs.invoice_totals_and_charges(invoices)


def _heads(*rows: tuple[int, str, str]) -> pa.Table:
    return pa.table({"document_id": pa.array([r[0] for r in rows], pa.int64()), "partner": [r[1] for r in rows],
                     "doc_type": ["855"] * len(rows), "file": [r[2] for r in rows],
                     "isa13": [f"{r[0]:09d}" for r in rows]})


SCHEMA = pa.schema([("document_id", pa.int64()), ("value", pa.string())])


def test_document_rows_keep_per_document_and_first_save_wins(tmp_path):
    from connectors.document_rows import DocumentRows, kept_rows

    cache = DocumentRows(tmp_path / "kept", {"rows": SCHEMA})
    heads = _heads((1, "acme", "a.x12"), (2, "acme", "b.x12"), (3, "globex", "c.x12"))
    assert cache.load(heads) == ({"rows": SCHEMA.empty_table()}, [1, 2, 3])
    reads: list[list[int]] = []

    def read_documents(ids):
        reads.append(ids)
        return heads.filter(pa.compute.is_in(heads["document_id"], value_set=pa.array(ids, pa.int64())))

    def read_rows(docs):
        ids = docs["document_id"].to_pylist()
        return {"rows": pa.table({"document_id": pa.array([i for i in ids for _ in range(i)], pa.int64()),
                                  "value": [f"{i}.{k}" for i in ids for k in range(i)]})}

    first = kept_rows(cache, heads.slice(0, 2), read_documents, read_rows)
    assert reads == [[1, 2]] and first["rows"]["value"].to_pylist() == ["1.0", "2.0", "2.1"]
    both = kept_rows(cache, heads, read_documents, read_rows)  # document 3 delivered since: it alone is read
    assert reads == [[1, 2], [3]]
    assert sorted(both["rows"]["value"].to_pylist()) == ["1.0", "2.0", "2.1", "3.0", "3.1", "3.2"]
    kept, missing = cache.load(heads)
    assert missing == [] and kept["rows"].num_rows == 6
    cache.save(heads.slice(1, 1), {"rows": pa.table({"document_id": pa.array([2], pa.int64()), "value": ["dup"]})})
    assert "dup" not in cache.load(heads)[0]["rows"]["value"].to_pylist()  # the first save holding it says
    renamed = _heads((1, "acme", "a.x12"), (2, "acme", "b2.x12"), (3, "globex", "c.x12"))  # id 2: another file
    kept, missing = cache.load(renamed)
    assert missing == [2] and sorted(kept["rows"]["value"].to_pylist()) == ["1.0", "3.0", "3.1", "3.2"]
    for path in (tmp_path / "kept").glob("*.rows.arrow"):
        path.write_bytes(b"not arrow")
    assert cache.load(heads) == ({"rows": SCHEMA.empty_table()}, [1, 2, 3])


def test_a_store_keeps_its_documents_rows_when_the_folder_cannot_be_written(tmp_path):
    from connectors.document_rows import DocumentRows

    (tmp_path / "file").write_text("")
    cache = DocumentRows(tmp_path / "file" / "kept", {"rows": SCHEMA})  # under a file: no folder
    assert not cache.save(_heads((1, "acme", "a.x12")), {"rows": SCHEMA.empty_table()})


# --- the partners' 997s and our verdicts --------------------------------------------------------------------
def test_partner_acks_parse_each_distinct_errors_text_once(tmp_path, monkeypatch):
    """A history of 997s accepting every set stores "[]" for each AK2's errors: read back once per distinct
    text, not once per row; a set's AK3/AK4 notes read back as they were read."""
    store = StateStore(tmp_path / "s.sqlite")
    accepted = [[f"AK2*810*{k:04d}", "AK5*A"] for k in range(1, 31)]
    acks, _ = read(interchange([["AK1*IN*300", *[s for a in accepted for s in a], "AK9*A*30*30*30"],
                                ["AK1*IN*301", "AK2*810*0001", "AK3*IT1*12**8", "AK4*2**7*XX", "AK5*R*5",
                                 "AK9*R*1*1*0"]]), received_at=datetime(2026, 11, 27, 3))
    store.record_partner_acks(acks, run_id="r1")
    parsed: list[str] = []
    real = json.loads
    monkeypatch.setattr(finance_store.json, "loads", lambda text, *a, **k: parsed.append(text) or real(text, *a, **k))
    kept = store.partner_acks()
    assert kept.num_rows == 31 and len(parsed) == 2
    assert kept["errors"].to_pylist()[:30] == [[]] * 30
    assert kept["errors"].to_pylist()[30] == acks["errors"].to_pylist()[30] != []
    assert kept.equals(acks)


def test_only_the_verdicts_that_changed_are_written(tmp_path):
    """A verdict the same as stored keeps its row (as_of and run id of the run that wrote it); a changed one
    is written again, a new one added, a set no longer among the verdicts removed; read back, every verdict
    is as of the last run."""
    store = StateStore(tmp_path / "s.sqlite")
    status = small_document_status(small_book())
    run1, run2 = datetime(2026, 12, 1, 2), datetime(2026, 12, 2, 2)
    store.record_document_status(status.slice(0, 4), as_of=run1, run_id="r1")
    rows = status.to_pylist()
    rows[1] = {**rows[1], "status": "rejected", "reasons": "set rejected"}
    now = document_status([rows[0], rows[1], rows[3], rows[4]])  # row 2 gone, row 4 new
    store.record_document_status(now, as_of=run2, run_id="r2")
    raw = {(r[0], r[1]): (r[2], r[3]) for r in store._q("SELECT isa13, st02, as_of, run_id FROM document_acks")}
    numbers = [(r["isa13"], r["st02"]) for r in rows]
    assert raw == {numbers[0]: ("2026-12-01T02:00:00", "r1"), numbers[1]: ("2026-12-02T02:00:00", "r2"),
                   numbers[3]: ("2026-12-01T02:00:00", "r1"), numbers[4]: ("2026-12-02T02:00:00", "r2")}
    read_back = store.document_status()
    assert {(d["as_of"], d["run_id"]) for d in read_back} == {("2026-12-02T02:00:00", "r2")}
    assert sorted((d["isa13"], d["st02"], d["status"]) for d in read_back) == sorted(
        (r["isa13"], r["st02"], r["status"]) for r in now.to_pylist())
    (one,) = store.document_status_for("acme", [(rows[0]["isa13"], rows[0]["gs06"], rows[0]["st02"])]).values()
    assert (one["as_of"], one["run_id"], one["status"]) == ("2026-12-02T02:00:00", "r2", "accepted")
    all_changed = document_status([{**r, "status": "overdue", "reasons": None} for r in now.to_pylist()][:3])
    store.record_document_status(all_changed, as_of=datetime(2026, 12, 3, 2), run_id="r3")  # most changed, one gone
    assert sorted(store._q("SELECT isa13, st02, status, as_of, run_id FROM document_acks")) == sorted(
        (r["isa13"], r["st02"], "overdue", "2026-12-03T02:00:00", "r3") for r in all_changed.to_pylist())
