"""A partner's acknowledgment file at intake is judged against the sets and earlier answers it can bear on, not the
partner's whole history (engine.partner_acks.answered_here): its findings the same, its cost the file's. Found by
bench/bench_aged_night.py: intake's 997 check read and matched every set ever sent and every answer ever received,
twice, each night (docs/design-night-in-arrow.md, "The store as it ages")."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from engine.partner_acks import answered_here, file_findings
from tests.test_partner_acks import AS_OF, SETTINGS, interchange, read, sent, ta1s


def _history() -> tuple[pa.Table, pa.Table]:
    """Sixty nights of 855s, 856s and 810s to ACME (groups 1000..1179), each answered accepted the next morning."""
    rows, acks = [], []
    for night in range(60):
        sets = []
        for gs01, doc, base in (("PR", "855", 1000), ("SH", "856", 1060), ("IN", "810", 1120)):
            gs06 = str(base + night)
            rows += [("acme", doc, gs01, gs06, "0001"), ("acme", doc, gs01, gs06, "0002")]
            sets.append([f"AK1*{gs01}*{gs06}", f"AK2*{doc}*0001", "AK5*A", f"AK2*{doc}*0002", "AK5*A", "AK9*A*2*2*2"])
        acks.append(read(interchange(sets, isa13=5000 + night, gs06=str(5000 + night)), file=f"997-{night}.x12",
                         received_at=datetime(2026, 9, 1, 8) if night < 59 else datetime(2026, 11, 27, 8))[0])
    return sent(rows), pa.concat_tables(acks)


def _tonight(ak5: str = "R*5") -> pa.Table:
    """ACME's file tonight: night 59's 856 group again, its set 2 now rejected (a conflict with its acceptance), and a
    group we never sent."""
    return read(interchange([["AK1*SH*1119", "AK2*856*0002", f"AK5*{ak5}", "AK9*P*2*2*1"],
                             ["AK1*IN*4444", "AK2*810*0001", "AK5*A", "AK9*A*1*1*1"]], isa13=7000, gs06="7000"),
                file="tonight.x12", received_at=datetime(2026, 11, 28, 8))[0]


def test_only_the_sets_of_the_groups_the_file_answers_and_their_earlier_answers_are_kept():
    history, earlier = _history()
    mine, before = answered_here(history, earlier, _tonight())
    assert {(r["gs06"], r["st02"]) for r in mine.to_pylist()} == {("1119", "0001"), ("1119", "0002")}
    assert set(before["acked_gs06"].to_pylist()) == {"1119"} and before.num_rows == 2
    assert set(before["source_file"].to_pylist()) == {"997-59.x12"}


def test_the_findings_are_those_over_the_whole_history():
    """An unmatched group, a rejection and a conflict with the earlier acceptance: told alike whether the file is
    judged against the partner's whole history or the part answered_here keeps (a GS06 written with its zeros
    names the same group)."""
    history, earlier = _history()
    tonight = _tonight()
    told = file_findings(history, earlier, tonight, settings=SETTINGS, as_of=AS_OF)
    assert sorted(f.code for f in told) == ["FA_ACK_CONFLICT", "FA_DOCUMENT_REJECTED", "FA_UNMATCHED"]
    kept = answered_here(history, earlier, tonight)
    assert [(f.code, f.message, f.location) for f in told] == [
        (f.code, f.message, f.location) for f in file_findings(*kept, tonight, settings=SETTINGS, as_of=AS_OF)]
    zeros = read(interchange([["AK1*SH*000001119", "AK2*856*0002", "AK5*R*5", "AK9*P*2*2*1"]], isa13=7001,
                             gs06="7001"), file="zeros.x12", received_at=datetime(2026, 11, 28, 9))[0]
    assert answered_here(history, earlier, zeros)[0].num_rows == 2
    assert [f.code for f in file_findings(history, earlier, zeros, settings=SETTINGS, as_of=AS_OF)] == [
        "FA_DOCUMENT_REJECTED", "FA_ACK_CONFLICT"]


def test_a_ta1_keeps_the_sets_of_the_interchange_it_answers_and_their_groups_answers():
    history, earlier = _history()
    ta1, _ = ta1s([("000001119", "R", "024")], isa13=52)  # our interchange 1119: night 59's 856 group
    mine, before = answered_here(history, earlier, ta1)
    assert {(r["isa13"], r["st02"]) for r in mine.to_pylist()} == {("000001119", "0001"), ("000001119", "0002")}
    assert set(before["acked_gs06"].to_pylist()) == {"1119"}  # the 997 that accepted them: the TA1 conflicts
    told = file_findings(history, earlier, ta1, settings=SETTINGS, as_of=AS_OF)
    assert [f.code for f in told] == ["FA_ACK_CONFLICT", "FA_ACK_CONFLICT"]
    assert [(f.code, f.message) for f in told] == [
        (f.code, f.message) for f in file_findings(mine, before, ta1, settings=SETTINGS, as_of=AS_OF)]


def _stored(tmp_path):
    """A store holding the history's 997s (each file its own sha256) and a TA1."""
    from connectors.state import StateStore

    _, earlier = _history()
    store = StateStore(tmp_path / "state.sqlite")
    for n, name in enumerate(sorted(set(earlier["source_file"].to_pylist()))):
        rows = earlier.filter(pa.compute.equal(earlier["source_file"], name))
        rows = rows.set_column(rows.schema.get_field_index("source_sha256"), "source_sha256",
                               pa.array([f"{n:064d}"] * rows.num_rows, rows.schema.field("source_sha256").type))
        store.record_partner_acks(rows, run_id="r")
    ta1, _ = ta1s([("000001119", "A", "000")], isa13=52)
    ta1 = ta1.set_column(ta1.schema.get_field_index("source_sha256"), "source_sha256",
                         pa.array(["f" * 64] * ta1.num_rows, ta1.schema.field("source_sha256").type))
    store.record_partner_acks(ta1, run_id="r")
    return store


def test_intake_reads_the_answers_to_the_file_s_groups_by_index_not_the_partner_s_history(tmp_path):
    import sqlite3

    store = _stored(tmp_path)
    every = store.partner_acks("acme")
    assert every.num_rows == 60 * 6 + 1
    seen: list[tuple] = []
    arrow_rows = store._arrow_rows

    def spy(sql, args=()):
        seen.append((sql, tuple(args)))
        return arrow_rows(sql, args)

    store._arrow_rows = spy
    # night 59's 856 group and night 3's 810 group, and the TA1 (it names no group)
    some = store.partner_acks("acme", groups=[("SH", "1119"), ("IN", "1123")])
    store._arrow_rows = arrow_rows
    assert set(zip(some["acked_functional_id"].to_pylist(), some["acked_gs06"].to_pylist(), strict=True)) == {
        ("IN", "1123"), ("SH", "1119"), (None, None)}
    # in arrival order, as the whole read is
    keep = [(r["source_file"], r["file_segment"]) for r in every.to_pylist()
            if (r["acked_functional_id"], r["acked_gs06"]) in {("SH", "1119"), ("IN", "1123"), (None, None)}]
    assert [(r["source_file"], r["file_segment"]) for r in some.to_pylist()] == keep
    [(sql, args)] = seen
    db = sqlite3.connect(tmp_path / "state.sqlite")
    plan = " ".join(r[-1] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}", args))
    db.close()
    assert "partner_acks_acked" in plan and "SCAN partner_acks" not in plan, plan
    store.close()


def test_a_gs06_stored_with_its_zeros_is_read_for_the_group_it_names(tmp_path):
    from connectors.state import StateStore

    store = StateStore(tmp_path / "state.sqlite")
    padded = read(interchange([["AK1*SH*000001119", "AK2*856*0001", "AK5*A", "AK9*A*1*1*1"]], isa13=9, gs06="9"),
                  file="padded.x12", received_at=datetime(2026, 11, 1, 8))[0]
    store.record_partner_acks(padded, run_id="r")
    assert store.partner_acks("acme", groups=[("SH", "1119")])["acked_gs06"].to_pylist() == ["000001119"]
    assert store.partner_acks("acme", groups=[("SH", "119")]).num_rows == 0
    store.close()


def test_the_sets_read_for_a_file_are_those_of_its_groups_and_of_documents_sent_again(tmp_path):
    """StateStore.sent_sets_of(partner, gs06s=...): the rows of the whole read whose GS06 is one of those (written
    with any zeros), in the same order; a document sent again under new numbers is read whatever GS06 is asked (its
    resend's is the one answered), with the resend's numbers."""
    import pyarrow.compute as pc

    from connectors.state import StateStore
    from engine import finance_inputs
    from engine.partner_acks import control_key
    from tests.support import shipping_demo

    ws = shipping_demo(tmp_path / "ws")["ws"]
    store = StateStore(ws.state_path)
    try:
        every = store.sent_sets_of(finance_inputs.PARTNER_ACKED, partner="acme")
        groups = sorted(set(control_key(every["gs06"]).to_pylist()))
        assert len(groups) > 1
        asked = [groups[0], groups[0].rjust(9, "0")]
        some = store.sent_sets_of(finance_inputs.PARTNER_ACKED, partner="acme", gs06s=asked)
        assert some.num_rows and some.equals(every.filter(pc.equal(control_key(every["gs06"]), groups[0])))
        assert store.sent_sets_of(finance_inputs.PARTNER_ACKED, partner="acme", gs06s=["999999"]).num_rows == 0
        doc = every.filter(pc.not_equal(control_key(every["gs06"]), groups[0]))["document_id"][0].as_py()
        store._q("INSERT INTO resends (id, partner, document_id, doc_type, renumbered, file_name, folder, isa13, gs06,"
                 " content, status, asked_by, asked_at, note, delivered_at) VALUES (1, 'acme', ?, '855', 1,"
                 " 'again.x12', 'out', '000000777', '777', x'', 'delivered', 'ops', '2026-11-28T01:00:00', 'lost',"
                 " '2026-11-28T02:00:00')", (doc,))
        again = store.sent_sets_of(finance_inputs.PARTNER_ACKED, partner="acme", gs06s=["999999"])
        assert set(again["document_id"].to_pylist()) == {doc} and set(again["gs06"].to_pylist()) == {"777"}
    finally:
        store.close()


def test_the_answers_to_named_groups_are_the_whole_read_s_rows_on_either_back_end(store_target):
    """partner_acks(groups=...) on SQLite and PostgreSQL: the rows of the partner's whole read that answer those groups
    (a GS06 stored with its zeros too) and its TA1 rows, in the whole read's order."""
    from connectors.state import StateStore

    _, earlier = _history()
    store = StateStore(store_target())
    try:
        for n, name in enumerate(sorted(set(earlier["source_file"].to_pylist()))):
            rows = earlier.filter(pa.compute.equal(earlier["source_file"], name))
            rows = rows.set_column(rows.schema.get_field_index("source_sha256"), "source_sha256",
                                   pa.array([f"{n:064d}"] * rows.num_rows, rows.schema.field("source_sha256").type))
            store.record_partner_acks(rows, run_id="r")
        padded = read(interchange([["AK1*SH*000001090", "AK2*856*0001", "AK5*A", "AK9*A*1*1*1"]], isa13=9, gs06="9"),
                      file="padded.x12", received_at=datetime(2026, 11, 28, 8))[0]
        store.record_partner_acks(padded, run_id="r")
        ta1, _ = ta1s([("000001119", "A", "000")], isa13=52)
        ta1 = ta1.set_column(ta1.schema.get_field_index("source_sha256"), "source_sha256",
                             pa.array(["f" * 64] * ta1.num_rows, ta1.schema.field("source_sha256").type))
        store.record_partner_acks(ta1, run_id="r")
        every = store.partner_acks("acme")
        some = store.partner_acks("acme", groups=[("SH", "1090"), ("IN", "1123")])
        named = {("SH", "1090"), ("IN", "1123"), (None, None)}
        keep = [(r["source_file"], r["file_segment"]) for r in every.to_pylist()
                if (r["acked_functional_id"], (r["acked_gs06"] or "").lstrip("0") or None) in named]
        assert len(keep) == 2 + 1 + 2 + 1  # night 30's 856 group, the padded 1090, night 3's 810 group, the TA1
        assert [(r["source_file"], r["file_segment"]) for r in some.to_pylist()] == keep
    finally:
        store.close()
