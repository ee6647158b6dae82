"""The reconciliation's fast paths give what the plain ones give: the echo table with and without a
repeated PO101, the lookup join and the hash join, a sort skipped when the rows already stand in order,
the verdicts' stored text built column-wise, the
order lines read a chunk at a time, and the cumulative report's copied files (and charge reconciliation,
computed once a night) equal to a fresh encoding of the same tables."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from connectors.finance_store import LINE_ROWS, _chunked, _table, _text, _text_array
from connectors.state import StateStore
from engine import finance_inputs
from flows.reconcile import reconcile_run, write_cumulative
from schemas import grouping
from schemas.grouping import in_key_order
from tests.support import make_workspace, run_stages

NIGHT = datetime(2026, 11, 27, 2)


def _lines(rows: list[tuple]) -> pa.Table:
    names = ["partner", "po_number", "line_number", "line_id", "unit", "unit_price", "ack_price"]
    return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)},
                    schema=pa.schema([(n, pa.int32() if n == "line_number" else pa.string()) for n in names]))


def _by_echo(t: pa.Table) -> list[tuple]:
    return sorted(zip(t["partner"].to_pylist(), t["po_number"].to_pylist(), t["echo"].to_pylist(),
                      t["line_number"].to_pylist(), strict=True))


def test_echoes_keep_every_line_when_no_po101_repeats():
    lines = _lines([("a", "P1", 1, "10", "EA", "1", None), ("a", "P1", 2, None, "EA", "1", None),
                    ("a", "P2", 1, "10", "EA", "1", None), ("b", "P1", 1, "10", "EA", "1", None)])
    assert _by_echo(finance_inputs._echoes(lines)) == [("a", "P1", "10", 1), ("a", "P1", "2", 2), ("a", "P2", "10", 1),
                                                       ("b", "P1", "10", 1)]


def test_echoes_name_the_lowest_line_when_a_po_repeats_a_po101():
    lines = _lines([("a", "P1", 3, "10", "EA", "1", None), ("a", "P1", 1, "10", "EA", "1", None),
                    ("a", "P1", 2, "", "EA", "1", None), ("a", "P1", 4, "2", "EA", "1", None)])
    # line 2 has no PO101: its number ("2") is its echo, and line 4's PO101 "2" repeats it
    assert _by_echo(finance_inputs._echoes(lines)) == [("a", "P1", "10", 1), ("a", "P1", "2", 2)]


def test_echoes_of_lines_numbered_in_order_are_those_the_distinct_count_gives(monkeypatch):
    ordered = [("a", "P1", 1, "1", "EA", "1", None), ("a", "P1", 2, "", "EA", "1", None),
               ("a", "P2", 1, None, "EA", "1", None), ("b", "P1", 3, "3", "EA", "1", None)]
    fast = finance_inputs._echoes(_lines(ordered))
    numbered = finance_inputs._numbered_in_order
    monkeypatch.setattr(finance_inputs, "_numbered_in_order", lambda *a: False)
    assert fast.equals(finance_inputs._echoes(_lines(ordered)))
    monkeypatch.setattr(finance_inputs, "_numbered_in_order", numbered)

    def said(rows: list[tuple]) -> bool:
        t = _lines(rows)
        number = pc.cast(t["line_number"], pa.string())
        echo = pc.if_else(pc.equal(pc.fill_null(t["line_id"], ""), ""), number, t["line_id"])
        return finance_inputs._numbered_in_order(t.append_column("echo", echo), number)

    assert said(ordered)
    assert not said([*ordered[:1], ("a", "P1", 1, "1", "EA", "1", None), *ordered[1:]])  # a line twice
    assert not said([ordered[1], ordered[0], *ordered[2:]])  # out of order: the count decides
    assert not said([ordered[0], ("a", "P1", 2, "7", "EA", "1", None)])  # a PO101 that is not its number


def _join_rows(t: pa.Table) -> list[tuple]:
    return sorted(tuple(r.values()) for r in t.to_pylist())


def test_the_lookup_join_keeps_the_left_order_and_gives_what_the_hash_join_gives():
    left = pa.table({"partner": ["a", "a", "a:1", "a", None, "b"], "po_number": ["1:x", "1", "x", "1", "1", "2"],
                     "echo": ["y", "x:y", "y", "x:y", "x:y", None], "_row": [0, 1, 2, 3, 4, 5]})
    # keys that would collide joined with a plain separator ("a:1:x:y" three ways), one matching nothing
    right = pa.table({"partner": ["a", "a", "a:1", "c"], "po_number": ["1", "1:x", "x", "3"],
                      "echo": ["x:y", "y", "y", "z"], "line_number": [7, 8, 9, 10]})
    got = finance_inputs._inner_lookup(left, right, ["partner", "po_number", "echo"])
    want = left.join(right, ["partner", "po_number", "echo"], join_type="inner")
    assert got.column_names == want.column_names
    assert _join_rows(got) == _join_rows(want)
    assert got["_row"].to_pylist() == [0, 1, 2, 3]  # the left rows in their order; null keys match nothing
    assert got["line_number"].to_pylist() == [8, 7, 9, 7]
    twice = pa.concat_tables([right, right.slice(0, 1).set_column(3, "line_number", pa.array([11]))])
    again = finance_inputs._inner_lookup(left, twice, ["partner", "po_number", "echo"])  # a key twice: the join
    assert _join_rows(again) == _join_rows(left.join(twice, ["partner", "po_number", "echo"], join_type="inner"))
    assert again.num_rows == 6


def test_rows_already_in_order_are_what_the_stable_sort_gives():
    rng = np.random.default_rng(7)
    for i in range(400):
        n = int(rng.integers(0, 9))
        words = ["x", "y", "xy", "", "\u00e9"] + ([None] if i % 4 == 0 else [])
        t = pa.table({"a": pa.array([words[k] for k in rng.integers(0, len(words), n)], pa.string()),
                      "b": pa.array(rng.integers(0, 3, n), pa.int32()), "row": pa.array(np.arange(n), pa.int64())})
        if i % 2:  # half of them sorted to begin with (with ties), so the no-sort path is taken
            t = t.sort_by([("a", "ascending"), ("b", "ascending")])
        for keys in ([("a", "ascending"), ("b", "ascending")], [("a", "descending"), ("b", "ascending")],
                     [("b", "descending")], [("a", "ascending")]):
            want = t.take(pc.sort_indices(t, sort_keys=keys))
            assert finance_inputs._sorted(t, keys).equals(want)
            if in_key_order(t, keys):
                assert want.equals(t)


def test_verdict_text_column_wise_is_the_stored_text_value_by_value():
    t = pa.table({
        "at": pa.array([datetime(2026, 11, 27, 2, 5, 9), None, datetime(1999, 1, 2)], pa.timestamp("s")),
        "day": pa.array([datetime(2026, 1, 3).date(), None, datetime(2024, 2, 29).date()], pa.date32()),
        "text": pa.array(["x", None, ""], pa.string()), "n": pa.array([5, None, -1], pa.int64()),
        "late": pa.array([True, None, False], pa.bool_()),
    })
    for name in ("at", "day", "text", "n"):
        assert _text_array(t[name]).to_pylist() == [_text(v) for v in t[name].to_pylist()], name
    # other types (an exception's amounts) once per distinct value: repeats, zeros, trailing zeros, nulls
    money = pa.chunked_array([pa.array([Decimal("12.5000"), Decimal("-0.0000"), None], pa.decimal128(18, 4)),
                              pa.array([Decimal("12.5000"), Decimal("0"), Decimal("100.0000"), Decimal("-3.0100")],
                                       pa.decimal128(18, 4))])
    assert _text_array(money).to_pylist() == [_text(v) for v in money.to_pylist()] == [
        "12.5", "0", None, "12.5", "0", "100", "-3.01"]
    assert _text_array(pa.array([Decimal(0)] * 0, pa.decimal128(18, 4))).to_pylist() == []
    assert _text_array(t["late"], as_int=True).to_pylist() == [1, None, 0]


def test_order_lines_read_a_chunk_at_a_time_are_the_lines_read_at_once(tmp_path):
    state = StateStore(tmp_path / "s.sqlite")
    try:
        cols = [n for n, _ in LINE_ROWS]
        rows = [("acme", f"P{k // 3}", k % 3 + 1, f"{k}", "SKU-1", "acknowledged", "IA", "4", "EA", "1.5",
                 None if k % 2 else "1.25", k, 0, 0, "2026-12-01" if k % 2 else None, 1,
                 "SKU-0" if k == 3 else None) for k in range(7)]
        state._many(f"INSERT INTO order_lines ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})", rows)
        sql = f"SELECT {', '.join(cols)} FROM order_lines ORDER BY partner, po_number, line_number"
        whole = _table(state._q(sql), LINE_ROWS)
        assert _chunked(state._q_chunks(sql, size=2), LINE_ROWS).equals(whole)
        assert state.finance_lines().equals(whole)
        assert state.finance_lines(["po_number", "partner"]).column_names == ["partner", "po_number"]
    finally:
        state.close()


def test_evidence_of_many_exceptions_read_at_once_is_the_evidence_read_by_ids(tmp_path, monkeypatch):
    from connectors import finance_store
    from connectors.finance_store import EVIDENCE_COLUMNS

    state = StateStore(tmp_path / "s.sqlite")
    try:
        rows = [(f"EX-{k % 5}", k // 5 + 1, "shipped" if k % 2 else "sent", "856", f"S{k}" if k % 3 else None,
                 "f.x12", "000000021", "21", "" if k == 4 else f"{k:04d}", "2026-11-27T02:00:00" if k % 4 else "",
                 None, f"{k}.5" if k % 2 else "", "1.25" if k % 3 else None) for k in range(13)]
        state._many(f"INSERT INTO exception_evidence ({', '.join(EVIDENCE_COLUMNS)}) VALUES"
                    f" ({','.join('?' * len(EVIDENCE_COLUMNS))})", rows)
        for ids in (["EX-3", "EX-0", "EX-9"], [f"EX-{k}" for k in range(5)], []):
            by_ids = state.exception_evidence(ids)
            monkeypatch.setattr(finance_store, "EVIDENCE_READ_ALL", 0)
            assert state.exception_evidence(ids).equals(by_ids), ids
            monkeypatch.undo()
        assert state.exception_evidence(["EX-3", "EX-0"])["exception_id"].to_pylist() == ["EX-0"] * 3 + ["EX-3"] * 2
        assert state.exception_evidence(None).equals(state.exception_evidence([f"EX-{k}" for k in range(5)]))
    finally:
        state.close()


def test_the_cumulative_report_holds_the_same_lines_and_verdict_files_as_a_fresh_encoding(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=NIGHT, run_id="n1")  # the cumulative report copies files
        write_cumulative(ws, state, ws.partners(), as_of=NIGHT, folder=tmp_path / "fresh")  # encodes them itself
    finally:
        state.close()
    run, cumulative, fresh = ws.reports_dir / "n1" / "finance" / "data", ws.reports_dir / "finance" / "data", \
        tmp_path / "fresh" / "data"
    for name in ("lines.csv", "lines.parquet", "document_status.csv", "document_status.parquet"):
        assert (cumulative / name).read_bytes() == (run / name).read_bytes() == (fresh / name).read_bytes(), name
    assert pq.read_table(run / "lines.parquet").num_rows and pq.read_table(run / "document_status.parquet").num_rows
    assert (cumulative.parent / "finance-report.html").read_text() == (tmp_path / "fresh" / "finance-report.html"
                                                                       ).read_text()


def test_the_cumulative_report_reuses_the_runs_charge_reconciliation_and_its_files(tmp_path, monkeypatch):
    from flows import reconcile as flow

    ws = make_workspace(tmp_path / "ws")
    run_stages(ws, NIGHT)
    calls = []
    match = flow.match_charges
    monkeypatch.setattr(flow, "match_charges", lambda *a, **k: calls.append(1) or match(*a, **k))
    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=NIGHT, run_id="n1")  # per-run, then cumulative: one match
        assert len(calls) == 1
        write_cumulative(ws, state, ws.partners(), as_of=NIGHT, folder=tmp_path / "fresh")  # its own match
        assert len(calls) == 2
    finally:
        state.close()
    run, cumulative, fresh = ws.reports_dir / "n1" / "finance" / "data", ws.reports_dir / "finance" / "data", \
        tmp_path / "fresh" / "data"
    for name in ("charges.csv", "charges.parquet"):
        assert (cumulative / name).read_bytes() == (run / name).read_bytes() == (fresh / name).read_bytes(), name


def test_an_element_read_in_place_is_the_element_of_the_taken_segments():
    from parsers.sent_documents import element

    lists = pa.array([["ACK", "IA", " 5 ", "EA", "", "20261201"], None, ["PO1", "A1"], ["ACK"], [],
                      ["POC", "1", "", "", "", "", " 2.50"], ["X", None, "y"]], pa.list_(pa.string()))
    rows = np.array([0, 1, 2, 3, 4, 5, 6, 0, 5, 2], np.int64)
    for source in (lists, lists.slice(0), pa.chunked_array([lists.slice(0, 3), lists.slice(3)])):
        taken = source.take(pa.array(rows, pa.int64()))
        taken = taken.combine_chunks() if isinstance(taken, pa.ChunkedArray) else taken
        for k in range(8):
            want = element(taken, k)
            assert finance_inputs._element_of(source, rows, k).to_pylist() == want.to_pylist(), k
    tail = lists.slice(2, 4)  # a slice: its offsets point into the whole array's elements
    for k in range(3):
        assert finance_inputs._element_of(tail, np.array([0, 3, 1]), k).to_pylist() == \
            element(tail.take(pa.array([0, 3, 1])), k).to_pylist()
    assert finance_inputs._element_of(lists, np.array([], np.int64), 1).to_pylist() == []


def test_verdict_times_and_days_as_text_whatever_their_year():
    for years in ((2026, 1999), (999, 2026), (1000, 9999), (1, 1)):
        at = pa.array([datetime(y, 2, 28, 23, 59, 1) for y in years] + [None], pa.timestamp("s"))
        day = pa.array([datetime(y, 12, 31).date() for y in years] + [None], pa.date32())
        assert _text_array(at).to_pylist() == [_text(v) for v in at.to_pylist()], years
        assert _text_array(day).to_pylist() == [_text(v) for v in day.to_pylist()], years
    empty = pa.nulls(2, pa.timestamp("s"))
    assert _text_array(empty).to_pylist() == [None, None]


def test_ack_rows_of_an_855_and_an_865_read_each_line_price_quantity_and_date():
    """_ack_rows (prices, quantities and dates converted once per distinct value, the POC rows found by
    their segment id) gives, per ACK, what the segments say: PO104 for a PO1, POC06 for a POC; an ACK
    without ACK01 left out."""
    x12 = ("ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*ACMERETAIL     *261127*0200*U*00401*000000021*0*P*>~"
           "GS*PR*ORDERBRIDGE*ACMERETAIL*20261127*0200*21*X*004010~ST*855*0001~BAK*00*AD*PO-1*20261126~"
           "PO1*1*12*EA*5.81*PE*UP*111~ACK*IA*12*EA*068*20261210~PO1*7*3*EA*2*PE*UP*222~ACK*IR*0*EA~"
           "PO1*8*4*EA*5.81*PE*UP*333~ACK**4*EA~ACK*IA*4*EA*068*20261210~CTT*3~SE*10*0001~GE*1*21~"
           "GS*CA*ORDERBRIDGE*ACMERETAIL*20261127*0200*22*X*004010~ST*865*0002~BCA*01*AC*PO-2*20261126~"
           "POC*1*CA*12*0*EA*7.25~ACK*IA*10*EA*068*20261211~SE*5*0002~GE*1*22~IEA*2*000000021~")
    docs = pa.table({"partner": ["acme"], "document_id": pa.array([1], pa.int64()), "doc_type": ["855"],
                     "isa13": ["000000021"], "file": ["f.x12"], "sent_at": pa.array([NIGHT], pa.timestamp("s")),
                     "content": pa.array([x12.encode()], pa.binary())})
    t = finance_inputs._ack_rows("acme", docs)
    assert t["po_number"].to_pylist() == ["PO-1", "PO-1", "PO-1", "PO-2"]
    assert t["set_id"].to_pylist() == ["855", "855", "855", "865"]
    assert t["echo"].to_pylist() == ["1", "7", "8", "1"]
    assert [str(v) for v in t["price"].to_pylist()] == ["5.810000", "2.000000", "5.810000", "7.250000"]
    assert [str(v) for v in t["quantity"].to_pylist()] == ["12.0000", "0.0000", "4.0000", "10.0000"]
    assert t["ack_code"].to_pylist() == ["IA", "IR", "IA", "IA"]
    assert [str(v) if v else None for v in t["promised_date"].to_pylist()] == [
        "2026-12-10", None, "2026-12-10", "2026-12-11"]
    assert t["file"].to_pylist() == ["f.x12"] * 4 and t["partner"].to_pylist() == ["acme"] * 4


def test_the_lookup_join_on_random_keys_is_the_hash_join_in_the_left_order():
    rng = np.random.default_rng(11)
    words = ["a", "b", "a:b", "", ":", None]
    for i in range(200):
        def column(n: int, pool: list) -> pa.Array:
            return pa.array([pool[k] for k in rng.integers(0, len(pool), n)], pa.string())

        n, m = int(rng.integers(0, 12)), int(rng.integers(0, 8))
        left = pa.table({"k1": column(n, words), "k2": column(n, words), "_row": pa.array(np.arange(n), pa.int64())})
        right = pa.table({"k1": column(m, words[:-1] if i % 3 else words), "k2": column(m, words[:-1]),
                          "v": pa.array(np.arange(m), pa.int64())})
        got = finance_inputs._inner_lookup(left, right, ["k1", "k2"])
        want = left.join(right, ["k1", "k2"], join_type="inner")
        assert _join_rows(got) == _join_rows(want.select(got.column_names)), i
        distinct = len({(a, b) for a, b in zip(right["k1"].to_pylist(), right["k2"].to_pylist(), strict=True)})
        if distinct == m and right["k1"].null_count == 0:  # one row per key: the lookup keeps the left order
            assert got["_row"].to_pylist() == sorted(got["_row"].to_pylist()), i


def test_places_by_slot_and_by_binary_search_agree():
    rng = np.random.default_rng(5)
    for i in range(300):
        m, n = int(rng.integers(1, 9)), int(rng.integers(0, 12))
        theirs = rng.integers(0, 20, m).astype(np.int64)
        mine = rng.integers(-1, 22, n).astype(np.int64)
        slots = grouping._places(mine, theirs, 22)  # a slot per code
        search = grouping._places(mine, theirs, 2**40)  # too many codes for slots: a binary search
        if len(set(theirs.tolist())) < m:
            assert slots is None and search is None, i
            continue
        want = [theirs.tolist().index(c) if c in theirs.tolist() else -1 for c in mine.tolist()]
        assert slots.tolist() == want and search.tolist() == want, i


def test_rows_kept_by_a_mask_are_the_filter_whether_they_stand_together_or_not():
    rng = np.random.default_rng(3)
    for i in range(200):
        n = int(rng.integers(0, 10))
        t = pa.Table.from_batches([pa.record_batch({"v": pa.array(np.arange(n), pa.int64())})] * 2)
        keep = rng.integers(0, 3, 2 * n)
        if i % 2 and n:  # one run of rows
            a, b = sorted(rng.integers(0, 2 * n, 2).tolist())
            keep = np.where((np.arange(2 * n) >= a) & (np.arange(2 * n) <= b), 1, 0)
        mask = pa.chunked_array([pa.array([None if k == 2 else bool(k) for k in keep[:n]], pa.bool_()),
                                 pa.array([None if k == 2 else bool(k) for k in keep[n:]], pa.bool_())])
        assert finance_inputs._kept(t, mask).equals(t.filter(mask)), i


def test_document_exceptions_in_columns_read_as_the_per_document_text_did():
    """DOCUMENT_REJECTED / DOCUMENT_UNACKNOWLEDGED built column-wise: one row per document and PO in PO
    order; a document naming no side row: its own PO (else ""), value 0; the texts Python's `or` and
    f-strings gave (an empty reference, reason, ack file or set status passed over); the currency of the
    PO, else the partner's, else none; evidence: the set sent, then the acknowledgment with a file."""
    from engine.reconcile import reconcile
    from schemas.finance import FinanceSettings
    from tests.support_finance import AS_OF, Book, document_status

    book = (Book().order("PO-9", 1, 3, 7).order("PO-8", 1, 2, 5, currency="EUR")
            .ship("PO-9", 1, 3, shipment="S-9", shipped_at=datetime(2026, 12, 9, 8, 0))
            .ship("PO-8", 1, 2, shipment="S-9", shipped_at=datetime(2026, 12, 9, 8, 0)))
    asn = book.doc("856-acme-S-9")
    ack = {"ack_type": "997", "set_status": "", "group_status": "R", "acked_at": datetime(2026, 12, 9, 11, 0),
           "ack_file": "997-in.x12", "ack_isa13": "000000077", "ack_gs06": "77", "ack_st02": "0001"}
    docs = document_status([
        {"partner": "acme", "doc_type": "856", "functional_id": "SH", **asn, "sent_at": datetime(2026, 12, 9, 9, 0),
         "po_number": "PO-9", "document_ref": "S-9", "status": "rejected", "due_at": datetime(2026, 12, 10, 9, 0),
         "reasons": "", **ack},
        {"partner": "acme", "doc_type": "855", "functional_id": "PR", "file": "855-x.x12", "isa13": "000000042",
         "gs06": "42", "st02": "0042", "sent_at": datetime(2026, 12, 1, 2, 0), "po_number": None,
         "document_ref": "", "status": "overdue", "due_at": datetime(2026, 12, 2, 2, 0), "ack_file": ""},
        {"partner": "initech", "doc_type": "810", "functional_id": "IN", "file": "810-y.x12", "isa13": "000000043",
         "gs06": "43", "st02": "0043", "sent_at": datetime(2026, 12, 1, 2, 0), "po_number": "PO-1",
         "document_ref": "INV-1", "status": "rejected", "due_at": datetime(2026, 12, 3, 2, 0),
         "reasons": "R1", "ack_file": "997-b.x12", "set_status": "R", "group_status": "A"},
    ])
    t = book.tables()
    result = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, as_of=AS_OF,
                       settings={p: FinanceSettings() for p in ("acme", "initech")})
    rows = [{k: r[k] for k in ("type", "partner", "po_number", "document_ref", "message", "amount_at_risk",
                               "currency", "since", "document_status", "partner_reasons")}
            for r in result.exceptions.to_pylist()]
    numbers = f"(ISA13 {asn['isa13']} GS06 {asn['gs06']} ST02 {asn['st02']}, file {asn['file']})"
    assert rows == [
        {"type": "DOCUMENT_UNACKNOWLEDGED", "partner": "acme", "po_number": "", "document_ref": "855 ST02 0042",
         "message": "no 997 for our 855 855 ST02 0042 sent 2026-12-01 02:00, due by 2026-12-02 02:00 (ISA13 000000042"
                    " GS06 42 ST02 0042, file 855-x.x12); document value 0.00", "amount_at_risk": Decimal(0),
         "currency": "USD", "since": date(2026, 12, 2), "document_status": "overdue", "partner_reasons": None},
        {"type": "DOCUMENT_REJECTED", "partner": "acme", "po_number": "PO-8", "document_ref": "S-9",
         "message": f"the partner rejected our 856 S-9: no reason given {numbers}; document value 10.00",
         "amount_at_risk": Decimal(10), "currency": "EUR", "since": date(2026, 12, 9), "document_status": "rejected",
         "partner_reasons": ""},
        {"type": "DOCUMENT_REJECTED", "partner": "acme", "po_number": "PO-9", "document_ref": "S-9",
         "message": f"the partner rejected our 856 S-9: no reason given {numbers}; document value 21.00",
         "amount_at_risk": Decimal(21), "currency": "USD", "since": date(2026, 12, 9), "document_status": "rejected",
         "partner_reasons": ""},
        {"type": "DOCUMENT_REJECTED", "partner": "initech", "po_number": "PO-1", "document_ref": "INV-1",
         "message": "the partner rejected our 810 INV-1: R1 (ISA13 000000043 GS06 43 ST02 0043, file 810-y.x12);"
                    " document value 0.00", "amount_at_risk": Decimal(0), "currency": None,
         "since": date(2026, 12, 3), "document_status": "rejected", "partner_reasons": "R1"},
    ]
    by_id = dict(zip(result.exceptions["exception_id"].to_pylist(), result.exceptions["po_number"].to_pylist(),
                     strict=True))
    evidence = [(by_id[e["exception_id"]], e["role"], e["doc_type"], e["document_ref"], e["file"], e["at"], e["code"])
                for e in result.evidence.to_pylist()]
    assert evidence == [
        ("", "sent", "855", "", "855-x.x12", datetime(2026, 12, 1, 2, 0), None),
        ("PO-8", "sent", "856", "S-9", asn["file"], datetime(2026, 12, 9, 9, 0), None),
        ("PO-8", "partner_ack", "997", None, "997-in.x12", datetime(2026, 12, 9, 11, 0), "R"),
        ("PO-9", "sent", "856", "S-9", asn["file"], datetime(2026, 12, 9, 9, 0), None),
        ("PO-9", "partner_ack", "997", None, "997-in.x12", datetime(2026, 12, 9, 11, 0), "R"),
        ("PO-1", "sent", "810", "INV-1", "810-y.x12", datetime(2026, 12, 1, 2, 0), None),
        ("PO-1", "partner_ack", None, None, "997-b.x12", None, "R"),
    ]


def test_exception_history_read_as_a_table_gives_the_rows_csv_and_section_of_the_dicts(tmp_path, monkeypatch):
    """exception_history_table (straight into Arrow, or through the store's connection) holds the rows
    exception_history gives; its CSV has the bytes of the CSV of those dicts (a column of nulls only,
    empty texts, quotes, commas, line breaks, a formula-like note) and its page section is theirs."""
    from connectors.finance_store import HISTORY_COLUMNS
    from engine.finance_report import history_section, to_csv

    state = StateStore(tmp_path / "s.sqlite")
    try:
        rows = [(k + 1, f"EX-{k % 3}", "found" if k % 2 else "clear", None, "open" if k % 2 else "resolved",
                 "orderbridge", [None, "", 'said "no", twice\nthen =SUM(A1)', "=1+1"][k % 4],
                 f"2026-11-27T02:00:0{k}", "run", None if k % 3 else "R1") for k in range(7)]
        state._many(f"INSERT INTO exception_history ({', '.join(HISTORY_COLUMNS)}) VALUES"
                    f" ({','.join('?' * len(HISTORY_COLUMNS))})", rows)
        dicts = state.exception_history()
        table = state.exception_history_table()
        assert table.to_pylist() == dicts
        monkeypatch.setattr(state, "_arrow_rows", lambda *a, **k: None)  # the store's own connection
        assert state.exception_history_table().equals(table)
        assert to_csv(table) == to_csv(pa.Table.from_pylist(dicts))
        chosen = table.filter(pc.is_in(table["exception_id"], value_set=pa.array(["EX-1"])))
        assert to_csv(chosen) == to_csv(pa.Table.from_pylist([d for d in dicts if d["exception_id"] == "EX-1"]))
        for cap in (2, 7, 50):
            assert history_section(table, max_rows=cap) == history_section(dicts, max_rows=cap)
        assert history_section(table.slice(0, 0)) == history_section([])
    finally:
        state.close()


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_history_written_many_rows_per_statement_holds_each_change_as_before(tmp_path, request, store):
    """_history through _insert_rows (constant columns as literals): each change one row, its seq in
    order, an empty from-state and run id stored as NULL, each time as its text; one change alone too."""
    from connectors.finance_store import HISTORY_COLUMNS
    from schemas.exception_change import StateChange

    t1, t2 = datetime(2026, 12, 1, 2, 0, 5), datetime(2026, 12, 2, 9, 30)
    changes = [StateChange(f"EX-{k}", "found" if k % 3 else "reopen", "" if k % 3 else "resolved", "open",
                           "orderbridge" if k % 2 else "ann", ["it's", None, 'a "b", c\nd', ""][k % 4],
                           t1 if k % 2 else t2) for k in range(7)]
    url = request.getfixturevalue("pg_server").fresh_url() if store == "postgresql" else tmp_path / "s.sqlite"
    state = StateStore(url)
    try:
        with state.transaction():
            state._history(changes, clock="run", run_id="R1")
        with state.transaction():
            state._history(changes[:1], clock="wall", run_id="")
        rows = state._q(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM exception_history ORDER BY seq")
        seqs = [r[0] for r in rows]
        assert seqs == sorted(seqs) and len(set(seqs)) == 8
        want = [(c.exception_id, c.action, c.from_state or None, c.to_state, c.by, c.note,
                 c.at.isoformat(), "run", "R1") for c in changes]
        first = changes[0]
        want.append((first.exception_id, first.action, first.from_state or None, "open", first.by, first.note,
                     first.at.isoformat(), "wall", None))
        assert [tuple(r[1:]) for r in rows] == want
    finally:
        state.close()


def test_a_reconciliations_unresolved_amounts_are_summed_per_currency_exactly(tmp_path):
    """save_reconciliation's summary: the exceptions not resolved counted and their amounts summed per
    currency (none: "") in Arrow's decimals, as the Decimals added one by one gave them."""
    from schemas.functional_acks import DOCUMENT_STATUS
    from schemas.reconciliation import EVIDENCE, EXCEPTIONS

    amounts = ["0.1", "0.2", "12.3456", "7", "1000000000000.0001", "0", "2.5"]
    rows = [{"exception_id": f"EX-{k}", "type": "OVER_SHIPMENT", "partner": "acme", "po_number": f"P{k}",
             "message": "m", "amount_at_risk": Decimal(a), "currency": [None, "USD", "EUR", ""][k % 4],
             "since": datetime(2026, 11, 1).date(), "age_days": 1, "state": "resolved" if k == 3 else "open"}
            for k, a in enumerate(amounts)]
    state = StateStore(tmp_path / "s.sqlite")
    try:
        summary = state.save_reconciliation("r1", NIGHT, pa.Table.from_pylist(rows, schema=EXCEPTIONS),
                                            EVIDENCE.empty_table(), [], lines=0,
                                            documents=DOCUMENT_STATUS.empty_table())
        empty = state.save_reconciliation("r2", NIGHT, EXCEPTIONS.empty_table(), EVIDENCE.empty_table(), [],
                                          lines=0, documents=DOCUMENT_STATUS.empty_table())
    finally:
        state.close()
    assert summary["exceptions"] == 7 and summary["unresolved"] == 6
    assert summary["amount_at_risk"] == '{"": "1000000000000.1001", "EUR": "14.8456", "USD": "0.2"}'
    assert (empty["unresolved"], empty["amount_at_risk"]) == (0, "{}")


def test_a_reconciliation_saves_new_exceptions_as_inserts_and_found_ones_as_updates(store_target):
    """save_reconciliation writes an exception found for the first time (its "found" change) as a plain
    insert and one stored before as an update of its row, whatever order the table gives them in; one
    said to be new while stored fails the whole save (nothing of it written), never overwrites."""
    from dataclasses import replace

    from engine.exception_states import book
    from schemas.errors import StateError
    from schemas.functional_acks import DOCUMENT_STATUS
    from schemas.reconciliation import EVIDENCE, EXCEPTIONS

    def table(ids, amount):
        return pa.Table.from_pylist([{"exception_id": i, "type": "OVER_SHIPMENT", "partner": "acme", "po_number": i,
                                      "message": f"m {i}", "amount_at_risk": Decimal(amount), "currency": "USD",
                                      "since": datetime(2026, 11, 1).date(), "age_days": 1, "state": "open"}
                                     for i in ids], schema=EXCEPTIONS)

    def evidence(ids):
        return pa.Table.from_pylist([{"exception_id": i, "role": r, "document_ref": f"{i}-{r}"}
                                     for i in ids for r in ("ordered", "shipped")], schema=EVIDENCE)

    docs = DOCUMENT_STATUS.empty_table()
    state = StateStore(store_target())
    try:
        first = table(["EX-9", "EX-1", "EX-5"], "1")
        booked, changes = book(first, state.stored_exceptions(), at=NIGHT)
        state.save_reconciliation("r1", NIGHT, booked, evidence(["EX-9", "EX-1", "EX-5"]), changes, lines=3,
                                  documents=docs)
        second = table(["EX-7", "EX-5", "EX-2", "EX-9"], "2")  # two found again, two new, EX-1 gone
        booked, changes = book(second, state.stored_exceptions(), at=NIGHT)
        assert sorted(c.exception_id for c in changes if c.action == "found") == ["EX-2", "EX-7"]
        summary = state.save_reconciliation("r2", NIGHT, booked, evidence(["EX-7", "EX-5", "EX-2", "EX-9"]), changes,
                                            lines=4, documents=docs)
        assert (summary["new_exceptions"], summary["cleared_exceptions"]) == (2, 1)
        rows = state._q("SELECT exception_id, amount_at_risk, active, first_run, last_run FROM exceptions"
                        " ORDER BY exception_id")
        assert rows == [("EX-1", "1", 0, "r1", "r1"), ("EX-2", "2", 1, "r2", "r2"), ("EX-5", "2", 1, "r1", "r2"),
                        ("EX-7", "2", 1, "r2", "r2"), ("EX-9", "2", 1, "r1", "r2")]
        assert state.exception_evidence(["EX-9", "EX-2"])["document_ref"].to_pylist() == [
            "EX-2-ordered", "EX-2-shipped", "EX-9-ordered", "EX-9-shipped"]
        lying = [c for c in changes if c.action != "found"] + [
            replace(c, exception_id="EX-5") for c in changes if c.action == "found"][:1]
        with pytest.raises(StateError, match="(?i)unique"):
            state.save_reconciliation("r3", NIGHT, table(["EX-5"], "3"), EVIDENCE.empty_table(), lying, lines=1,
                                      documents=docs)
        assert state._q("SELECT amount_at_risk FROM exceptions WHERE exception_id='EX-5'") == [("2",)]
        assert [r["run_id"] for r in state.reconciliations()] == ["r1", "r2"]
    finally:
        state.close()


def _invoiced_rows(rows: list[tuple]) -> pa.Table:
    """INVOICED-shaped rows (partner, invoice number, line number) with the columns with_amounts reads."""
    return pa.table({"partner": pa.array([r[0] for r in rows], pa.string()),
                     "invoice_number": pa.array([r[1] for r in rows], pa.string()),
                     "line_number": pa.array([r[2] for r in rows], pa.int32())})


def test_amounts_found_by_key_codes_are_those_found_by_text_keys(monkeypatch):
    """with_amounts finds each invoiced line's amount through the keys' codes (schemas.grouping.lookup):
    the amounts the text keys found (a line of a recorded 810 of another system keeps its own amount, a
    line with no amount of ours none; a partner's invoice number and line number is no other's), and the
    text keys' way where two amounts share a key."""
    from schemas.orders import MONEY

    invoiced = _invoiced_rows([("acme", "INV-1", 1), ("acme", "INV-1", 2), ("globex", "INV-1", 1),
                               ("acme", "INV-9", 1), ("acme", "INV-1", 12)])
    recorded = pa.array([None, None, None, Decimal("7.5"), None], MONEY)

    def amounts(rows):
        t = _invoiced_rows([r[:3] for r in rows]).set_column(2, "line_number",
                                                             pa.array([r[2] for r in rows], pa.int64()))
        return t.append_column("amount", pa.array([Decimal(r[3]) for r in rows], MONEY))

    ours = amounts([("acme", "INV-1", 2, "20"), ("acme", "INV-1", 1, "10"), ("globex", "INV-1", 1, "30"),
                    ("acme", "INV-1", 121, "99")])
    twice = amounts([("acme", "INV-1", 1, "10"), ("acme", "INV-1", 1, "11"), ("globex", "INV-1", 1, "30")])
    by_codes = [finance_inputs.with_amounts(invoiced, a, recorded) for a in (ours, twice)]
    monkeypatch.setattr(finance_inputs, "lookup", lambda *_: None)  # the text keys' way, for every table
    by_text = [finance_inputs.with_amounts(invoiced, a, recorded) for a in (ours, twice)]
    assert [t.to_pylist() for t in by_codes] == [t.to_pylist() for t in by_text]
    assert by_codes[0].schema == by_text[0].schema
    assert by_codes[0]["amount"].to_pylist() == [Decimal("10"), Decimal("20"), Decimal("30"), Decimal("7.5"), None]


def test_a_pos_first_line_and_its_partners_last_found_where_the_keys_change_are_those_of_every_key_encoded():
    """The currency of an invoice or document comes from its PO's first line, else its partner's last
    (engine.reconcile _currency_of): found among the rows where Sides' sorted keys change, the very rows
    the keys of every line encoded with the asked ones give; a key not held, or null, has none."""
    from engine.reconcile import _first_and_last
    from schemas.grouping import first_rows, paired_codes

    partner = pa.array(["acme"] * 4 + ["globex"] * 3 + ["zeta"], pa.string())
    po = pa.array(["P1", "P1", "P2", "P3", "G1", "G1", "P1", "Z"], pa.string())
    partners = pa.chunked_array([pa.array(["acme", "globex", "acme", None, "nobody"]),
                                 pa.array(["zeta", "globex", "acme"])])
    pos = pa.array(["P2", "P1", "G1", "P1", "P1", None, "G1", "P3"], pa.string())
    mine, theirs, k, present = paired_codes([partners, pos], [partner, po])
    line = np.where(present, first_rows(theirs, n=k)[mine], -1)
    mine, theirs, k, present = paired_codes([partners], [partner])
    backwards = first_rows(theirs[::-1], n=k)[mine]
    last = np.where(present & (backwards >= 0), len(theirs) - 1 - backwards, -1)
    got = _first_and_last(partner, po, partners, pos)
    assert got is not None
    assert got[0].tolist() == line.tolist() == [2, 6, -1, -1, -1, -1, 4, 3]
    assert got[1].tolist() == last.tolist() == [3, 6, 3, -1, -1, 7, 6, 3]
    assert _first_and_last(pa.array(["acme", None]), pa.array(["P1", "P1"]), partners, pos) is None


def test_text_times_dates_and_decimals_parsed_once_per_distinct_value_are_those_parsed_row_by_row(monkeypatch):
    """A long column read straight into Arrow (connectors.finance_store._from_arrow) has its text times, dates
    and decimals parsed once per distinct text: the very values parsing every row gives, NULL and "" alike
    null, a time's fraction of a second dropped."""
    from connectors import finance_store
    from connectors.finance_store import _from_arrow

    n = finance_store.PER_DISTINCT + 7
    times = ["2026-11-27T02:00:00", "2026-11-27 02:00:05.250", "", None]
    raw = pa.table({"at": [times[i % 4] for i in range(n)],
                    "day": [["2026-11-26", None, ""][i % 3] for i in range(n)],
                    "qty": [["12", "0.5", None, "", "-3.0001", "7"][i % 6] for i in range(n)],
                    "n": list(range(n))})
    target = pa.schema([("at", pa.timestamp("s")), ("day", pa.date32()), ("qty", pa.decimal128(18, 4)),
                        ("n", pa.int64())])
    once = _from_arrow(raw, target)
    monkeypatch.setattr(finance_store, "PER_DISTINCT", 10 * n)  # every row parsed
    each = _from_arrow(raw, target)
    assert once.schema == each.schema == target
    assert once.to_pylist() == each.to_pylist()
    assert once.slice(0, 4).to_pylist() == [
        {"at": datetime(2026, 11, 27, 2), "day": date(2026, 11, 26), "qty": Decimal("12"), "n": 0},
        {"at": datetime(2026, 11, 27, 2, 0, 5), "day": None, "qty": Decimal("0.5"), "n": 1},
        {"at": None, "day": None, "qty": None, "n": 2},
        {"at": None, "day": date(2026, 11, 26), "qty": None, "n": 3}]
