"""An interchange larger than memory (issue 14 item 4), read a batch of transaction sets at a time:
parsers.x12_batches scans its envelope and cuts it, engine.process_batches checks the envelope then each
batch, and what comes out equals what reading the interchange whole gives: findings and their X12
locations, the TA1 and each group's 997 (built from the set results of every batch), orders, 860s,
partners' 997s, the intake stage's state and folders. Batches are tiny here so that inputs stay small.
Memory is shown by what is handed to the reader (each batch's bytes), never by RSS."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date

import pytest

from engine.process import Known, process_file
from engine.process_batches import process_in_batches
from flows import intake as intake_flow
from parsers import x12_batches
from parsers.x12_batches import scan_interchange
from parsers.x12_stream import pieces
from tests.support import ISA
from tests.test_intake_streaming import ACME, NOW, _dump, _intake, _interchanges, _po, _sample_and_corpus, _with_extra

TODAY = date(2026, 11, 27)
CHANGE = ["BCH*04*SA*{po}***20261126", "POC*1*QI*20*20*EA*19.70*PE*UP*614141100101", "CTT*1"]
ACK = ["AK1*PR*4", "AK2*855*0004", "AK5*A", "AK9*A*1*1*1"]


def _set(set_id: str, st02: str, body: list[str], *, se01: int | None = None, se: bool = True) -> str:
    segs = [f"ST*{set_id}*{st02}", *body] + ([f"SE*{se01 if se01 is not None else len(body) + 2}*{st02}"] if se else [])
    return "".join(s + "~\n" for s in segs)


def _group(gs01: str, gs06: str, sets: list[str], *, ge01: int | None = None, ge02: str | None = None,
           ge: bool = True) -> str:
    text = f"GS*{gs01}*ACMERETAIL*ORDERBRIDGE*20261127*1200*{gs06}*X*004010~\n" + "".join(sets)
    return text + (f"GE*{ge01 if ge01 is not None else len(sets)}*{ge02 or gs06}~\n" if ge else "")


def _ic(groups: list[str], *, isa13: int = 500, iea01: int | None = None, iea02: str | None = None,
        iea: bool = True, ack: str = "0") -> bytes:
    text = ISA.format(isa13=isa13, ack=ack) + "".join(groups)
    if iea:
        text += f"IEA*{iea01 if iea01 is not None else len(groups)}*{iea02 or f'{isa13:09d}'}~\n"
    return text.encode()


def _pos(first: int, n: int, *, bad: tuple[int, ...] = (), lines: int = 2) -> list[str]:
    """``n`` 850s (POs PO-first...); the ones at ``bad`` have a PO1 without its quantity (a set rejection)."""
    out = []
    for k in range(first, first + n):
        body = _po(f"PO-{k}", lines)
        if k in bad:
            body = [s.replace("PO1*1*12*EA", "PO1*1**EA") for s in body]
        out.append(_set("850", f"{k:04d}", body))
    return out


def _changes(first: int, n: int) -> list[str]:
    return [_set("860", f"{k:04d}", [s.format(po=f"PO-{k}") for s in CHANGE]) for k in range(first, first + n)]


# --- whole and in batches ------------------------------------------------------------------------------
def _whole_file(data: bytes, profile=ACME):
    """The file read a piece (interchange) at a time, each piece whole (the reference)."""
    outs, rows, ics = [], 0, set()
    for p in pieces(iter([data]), max_bytes=1, max_set_bytes=10**9):
        o = process_file(p.data, file="f.x12", sha256="s", profile=profile, today=TODAY, received_at=NOW,
                         known=Known(interchanges=frozenset(ics), this_file_interchanges=frozenset(ics)),
                         row_base=rows, oversized=p.oversized, file_size=len(data))
        rows += len(o.parse.segments)
        ics |= set(o.interchanges_seen)
        outs.append(o)
    return outs


def _batched_file(data: bytes, profile=ACME, *, max_bytes: int = 10**9, max_sets: int = 1, chunk: int = 97,
                  max_set_bytes: int = 10**9, handed: list | None = None, reasons: list | None = None):
    """The same file with every interchange read as a span, each cut into batches of at most
    ``max_sets`` sets (or whole when the scan says it cannot be cut)."""
    outs, rows, ics = [], 0, set()
    split = 0
    for p in pieces((data[i:i + chunk] for i in range(0, len(data), chunk)), max_bytes=1,
                    max_set_bytes=max_set_bytes, max_interchange_bytes=0):
        known = Known(interchanges=frozenset(ics), this_file_interchanges=frozenset(ics))
        span = data[p.offset:p.end]
        sk = scan_interchange((span[i:i + chunk] for i in range(0, len(span), chunk)), max_bytes=max_bytes,
                              max_sets=max_sets, max_set_bytes=max_set_bytes) if p.span else None
        if sk is None or sk.reason:
            if reasons is not None and sk is not None:
                reasons.append(sk.reason)
            o = process_file(span, file="f.x12", sha256="s", profile=profile, today=TODAY, received_at=NOW,
                             known=known, row_base=rows, oversized=p.oversized, file_size=len(data))
            rows += len(o.parse.segments)
            got = [o]
        else:
            split += 1

            def read(a: int, b: int, span=span) -> bytes:
                if handed is not None:
                    handed.append(b - a)
                return span[a:b]

            got = [o for _, o in process_in_batches(sk, read, file="f.x12", sha256="s", profile=profile, known=known,
                                                    today=TODAY, received_at=NOW, row_base=rows)]
            rows += sk.rows
        for o in got:
            ics |= set(o.interchanges_seen)
        outs += got
    return outs, split


def _facts(outs) -> tuple:
    by_set: dict[tuple, list] = defaultdict(list)  # each set's findings in their order
    for o in outs:
        for f in o.findings:
            by_set[(f.location.isa13, f.location.gs06, f.location.st02)].append(str(f.to_dict()))
    # (a repeated ST02 puts two sets under one key: their findings' order across the two is not a set's own)
    by_set = {k: v for k, v in by_set.items() if not any("ST_CONTROL_NUMBER_DUPLICATE" in f for f in v)}
    return (sorted(str(f.to_dict()) for o in outs for f in o.findings), by_set,
            [(d.doc_type, d.doc_key, [[list(s) for s in b] for b in d.bodies], d.ta1, d.to)
             for o in outs for d in o.documents],
            [r for o in outs for r in o.orders.to_pylist()], [r for o in outs for r in o.lines.to_pylist()],
            [r for o in outs for r in o.change_headers.to_pylist()], [r for o in outs for r in o.changes.to_pylist()],
            [r for o in outs for r in o.functional_acks.to_pylist()], [k for o in outs for k in o.interchanges_seen],
            [k for o in outs for k in o.groups_seen], sum(o.error_count for o in outs))


def _same(data: bytes, profile=ACME, **kw) -> list:
    whole = _whole_file(data, profile)
    batched, split = _batched_file(data, profile, **kw)
    assert split >= 1
    assert _facts(whole) == _facts(batched)
    return batched


MIXED = _ic([_group("PO", "501", _pos(0, 7, bad=(5,))), _group("PC", "502", _changes(0, 3)),
             _group("FA", "503", [_set("997", "0001", ACK), _set("997", "0002", ACK)]),
             _group("PO", "504", _pos(7, 4))])


@pytest.mark.parametrize("max_sets", [1, 2, 3, 100])
def test_an_interchange_of_several_groups_in_batches_gives_what_the_whole_gives(max_sets):
    handed: list[int] = []
    outs = _same(MIXED, max_sets=max_sets, handed=handed)
    if max_sets == 1:
        assert len(handed) == 16 and max(handed) < 600  # a set (and an envelope segment or two) at a time
    assert sum(o.orders.num_rows for o in outs) == 10 and sum(o.change_headers.num_rows for o in outs) == 3
    assert sum(o.functional_acks.num_rows for o in outs) == 2
    docs = [d for o in outs for d in o.documents]
    assert [d.doc_type for d in docs] == ["997", "997", "997"]  # PO, PC, PO (none for the FA group)
    assert [list(s) for s in docs[0].bodies[0]][-1] == ["AK9", "P", "7", "7", "6"]


def test_a_bad_set_in_a_later_batch_and_a_group_spanning_batches():
    data = _ic([_group("PO", "601", _pos(0, 9, bad=(7,)))], isa13=601)
    outs = _same(data, max_sets=2)
    assert len(outs) == 5
    [bad] = [f for o in outs for f in o.findings if f.severity == "error"]
    assert outs.index(next(o for o in outs if bad in o.findings)) == 3 and bad.location.st02 == "0007"
    [doc] = [d for o in outs for d in o.documents]
    assert doc in outs[-1].documents  # the group's 997 comes with the batch that ends it
    body = [list(s) for s in doc.bodies[0]]
    assert body[0] == ["AK1", "PO", "601"] and body[-1] == ["AK9", "P", "9", "9", "8"]
    assert [s for s in body if s[0] == "AK2"] == [["AK2", "850", f"{k:04d}"] for k in range(9)]


@pytest.mark.parametrize("case", ["ge_count", "ge_control", "iea_count", "iea_control", "no_se_middle", "no_se_end",
                                  "no_ge_middle", "no_ge_end", "no_iea", "se_count", "st02_repeat", "ack_requested",
                                  "foreign_receiver", "empty_group"])
def test_envelope_errors_in_the_middle_or_at_the_end_are_found_as_in_a_whole_read(case):
    a, b, c = _pos(0, 3), _pos(3, 3), _pos(6, 3)
    groups = {
        "ge_count": [_group("PO", "1", a), _group("PO", "2", b, ge01=7), _group("PO", "3", c)],
        "ge_control": [_group("PO", "1", a), _group("PO", "2", b), _group("PO", "3", c, ge02="9")],
        "iea_count": [_group("PO", "1", a), _group("PO", "2", b)],
        "iea_control": [_group("PO", "1", a), _group("PO", "2", b)],
        "no_se_middle": [_group("PO", "1", a[:1] + [a[1].replace("SE*", "XX*")] + a[2:])],
        "no_se_end": [_group("PO", "1", a + [_set("850", "0099", _po("PO-99"), se=False)])],
        "no_ge_middle": [_group("PO", "1", a, ge=False), _group("PO", "2", b)],
        "no_ge_end": [_group("PO", "1", a), _group("PO", "2", b, ge=False)],
        "no_iea": [_group("PO", "1", a), _group("PO", "2", b)],
        "se_count": [_group("PO", "1", a + [_set("850", "0042", _po("PO-42"), se01=3)] + b)],
        "st02_repeat": [_group("PO", "1", a + [_set("850", "0000", _po("PO-77"))])],
        "ack_requested": [_group("PO", "1", a)],
        "foreign_receiver": [_group("PO", "1", a)],
        "empty_group": [_group("PO", "1", a), _group("PO", "2", []), _group("PO", "3", b)],
    }[case]
    data = _ic(groups, isa13=700, iea01=5 if case == "iea_count" else None,
               iea02="000000999" if case == "iea_control" else None, iea=case != "no_iea",
               ack="1" if case == "ack_requested" else "0")
    if case == "foreign_receiver":
        data = data.replace(b"ORDERBRIDGE    *", b"SOMEONEELSE    *", 1)
    if case == "no_se_middle":  # the set without SE swallows the XX segment: a structure error, not stray text
        assert b"XX*" in data
    outs = _same(data, max_sets=1)
    codes = {f.code for o in outs for f in o.findings}
    expected = {"ge_count": "GE_SET_COUNT_MISMATCH", "ge_control": "GE_CONTROL_MISMATCH",
                "iea_count": "IEA_GROUP_COUNT_MISMATCH", "iea_control": "IEA_CONTROL_MISMATCH",
                "no_se_middle": "SE_MISSING", "no_se_end": "SE_MISSING", "no_ge_middle": "GE_MISSING",
                "no_ge_end": "GE_MISSING", "no_iea": "IEA_MISSING", "se_count": "SE_COUNT_MISMATCH",
                "st02_repeat": "ST_CONTROL_NUMBER_DUPLICATE", "ack_requested": None,
                "foreign_receiver": "ISA_RECEIVER_UNKNOWN", "empty_group": None}[case]
    assert expected is None or expected in codes
    if case == "ack_requested":
        assert [d.doc_type for o in outs for d in o.documents][0] == "TA1"


def test_every_sample_and_corpus_interchange_in_batches_gives_what_the_whole_gives():
    split, whole = 0, 0
    for path in _sample_and_corpus():
        data = path.read_bytes()
        reasons: list[str] = []
        w = _whole_file(data)
        b, n = _batched_file(data, max_sets=1, reasons=reasons)
        assert _facts(w) == _facts(b), path
        split += n
        whole += len(reasons)
    assert split >= 20  # most are cut; the rest are read whole as before (and still equal)


def test_a_duplicate_interchange_and_a_repeated_po_across_batches():
    first = _ic([_group("PO", "801", _pos(0, 4))], isa13=801)
    data = first + _ic([_group("PO", "802", _pos(10, 3) + _pos(10, 1))], isa13=802) + first
    outs = _same(data, max_sets=1)
    assert [f.code for o in outs for f in o.findings].count("ISA_DUPLICATE") == 1


def test_too_many_sets_in_one_interchange_is_found_before_any_batch_is_read():
    profile = ACME.model_copy(update={"limits": ACME.limits.model_copy(update={"max_sets_per_file": 5})})
    handed: list[int] = []
    data = _ic([_group("PO", "1", _pos(0, 8))], isa13=901)
    outs = _same(data, profile, max_sets=2, handed=handed)
    assert [f.code for o in outs for f in o.findings] == ["FILE_TOO_MANY_SETS"] and handed == []


def test_what_cannot_be_cut_safely_is_named_and_read_whole():
    good = _ic([_group("PO", "1", _pos(0, 3))], isa13=950)
    cases = {
        b"stray": good.replace(b"GS*PO", b"N9*ZZ*junk~\nGS*PO", 1),
        b"empty": good.replace(b"CUR*BY*USD~", b"CUR*BY*USD~\n~", 1),
        b"latin": good.replace(b"1 Way", b"1 W\xe4y", 1),
        b"trailing": good.replace(b"CUR*BY*USD~", b"CUR*BY*USD>~", 1),
    }
    for name, data in cases.items():
        reasons: list[str] = []
        w = _whole_file(data)
        b, split = _batched_file(data, max_sets=1, reasons=reasons)
        assert split == 0 and len(reasons) == 1 and reasons[0], name
        assert _facts(w) == _facts(b), name
    utf8 = good.replace(b"1 Way", "1 Wäy".encode(), 1)  # UTF-8 inside a segment: cut as any other
    assert _same(utf8, max_sets=1)


# --- a huge transaction set -------------------------------------------------------------------------------
def test_a_huge_set_in_a_batched_interchange_is_never_read_and_gets_set_too_large():
    profile = ACME.model_copy(update={"limits": ACME.limits.model_copy(update={"max_set_bytes": 2_000})})
    big = _set("850", "0500", _po("PO-BIG", lines=400))
    data = _ic([_group("PO", "1", _pos(0, 3) + [big] + _pos(3, 3), )], isa13=960)
    handed: list[int] = []
    outs, split = _batched_file(data, profile, max_sets=2, max_set_bytes=2_000, handed=handed)
    assert split == 1 and len(big) > 10_000 and max(handed) < 1_000  # the body was never read
    [f] = [f for o in outs for f in o.findings if f.severity == "error"]
    assert f.code == "SET_TOO_LARGE" and f.location.st02 == "0500" and "407 segments" in f.message
    whole_rows = sum(len(o.parse.segments) for o in _whole_file(data))
    assert f.location.file_segment == 2 + 3 * 11 + 1  # ISA, GS, three sets of 11 segments: its ST
    after = [r["st_file_segment"] for o in outs for r in o.orders.to_pylist()]
    assert after[3:] == [2 + 3 * 11 + 409 + 1 + 11 * k for k in range(3)]  # later ordinals still the file's
    assert whole_rows == 2 + 6 * 11 + 409 + 2
    [doc] = [d for o in outs for d in o.documents]
    body = [list(s) for s in doc.bodies[0]]
    assert ["AK2", "850", "0500"] in body and body[body.index(["AK2", "850", "0500"]) + 1] == ["AK5", "R", "5"]
    assert body[-1] == ["AK9", "P", "7", "7", "6"]
    assert sum(o.orders.num_rows for o in outs) == 6


# --- the intake stage --------------------------------------------------------------------------------------
@pytest.fixture
def batched(monkeypatch):
    """Every X12 file read a piece at a time, every interchange as a span cut into batches of two sets."""
    monkeypatch.setattr(intake_flow, "STREAM_BYTES", 0)
    monkeypatch.setattr(intake_flow, "PIECE_BYTES", 1)
    monkeypatch.setattr(intake_flow, "SPLIT_BYTES", 0)
    monkeypatch.setattr(intake_flow, "BATCH_SETS", 2)
    calls: list[int] = []
    real = x12_batches.read_interchanges

    def spy(data, **kw):
        calls.append(len(data))
        return real(data, **kw)

    monkeypatch.setattr(x12_batches, "read_interchanges", spy)
    return calls


EXTRA = {"mixed.x12": MIXED, "many.x12": _interchanges(3, bad=1) + _ic([_group("PO", "1", _pos(20, 5, bad=(22,)))],
                                                                         isa13=990),
         "again.x12": _ic([_group("PO", "1", _pos(20, 2))], isa13=990)}


def test_intake_in_batches_leaves_the_state_and_folders_of_a_whole_file_intake(tmp_path, batched):
    a = _with_extra(tmp_path / "a", EXTRA)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(intake_flow, "STREAM_BYTES", 10**12)
        whole = _intake(a)
    n = len(batched)
    b = _with_extra(tmp_path / "b", EXTRA)
    parts = _intake(b)
    assert len(batched) - n > 20  # read a batch at a time
    assert _dump(a) == _dump(b)

    def result(r) -> dict:
        d = r.to_dict()
        d["findings"] = sorted(map(str, d["findings"]))
        return d

    assert [result(r) for r in whole] == [result(r) for r in parts]
    assert (b.drop_root / "acme" / "quarantine" / "many.x12").is_file()


def test_a_crash_mid_interchange_is_taken_up_where_it_stopped(tmp_path, batched, monkeypatch):
    extra = {"mixed.x12": MIXED}
    a = _with_extra(tmp_path / "a", extra)
    _intake(a)
    b = _with_extra(tmp_path / "b", extra)
    real = intake_flow._plan_and_store
    done = []

    def dies_at_the_fourth_batch(*args, **kw):
        if args[3].file == "mixed.x12" and len(done) == 3:
            raise KeyboardInterrupt("killed")
        out = real(*args, **kw)
        if args[3].file == "mixed.x12":
            done.append(1)
        return out

    monkeypatch.setattr(intake_flow, "_plan_and_store", dies_at_the_fourth_batch)
    with pytest.raises(KeyboardInterrupt):
        _intake(b)
    db = sqlite3.connect(b.root / "state" / "orderbridge.sqlite")
    [(status, batches)] = db.execute("SELECT status, resume_batches FROM files WHERE name='mixed.x12'").fetchall()
    assert (status, batches) == ("receiving", 3)  # its resume point: 3 batches stored (version 34: a column)
    db.close()
    monkeypatch.setattr(intake_flow, "_plan_and_store", real)
    _intake(b)  # the rerun reads the interchange's envelope again and commits batches 4 on
    assert _dump(a) == _dump(b)


def test_intake_of_a_batched_interchange_with_a_huge_set_quarantines_it_with_its_finding(tmp_path, batched):
    big = _set("850", "0500", _po("PO-BIG", lines=400))
    ws = _with_extra(tmp_path / "a", {"big.x12": _ic([_group("PO", "1", _pos(0, 3) + [big] + _pos(3, 3))], isa13=970)})
    profile = ws.root / "partners" / "acme.toml"
    profile.write_text(profile.read_text() + "\n[limits]\nmax_set_bytes = 2000\n")
    results = _intake(ws)
    assert max(batched) < 3_000  # the huge set's body never reached the reader
    acme = next(r for r in results if r.partner == "acme")
    [row] = [f for f in acme.findings if f["code"] == "SET_TOO_LARGE"]
    assert row["location"]["st02"] == "0500" and row["location"]["file_segment"] == 2 + 3 * 11 + 1
    assert (ws.drop_root / "acme" / "quarantine" / "big.x12").is_file()
    db = sqlite3.connect(ws.root / "state" / "orderbridge.sqlite")
    assert db.execute("SELECT status, error_count FROM files WHERE name='big.x12'").fetchone() == ("quarantined", 1)
    assert db.execute("SELECT count(*) FROM orders WHERE po_number LIKE 'PO-%'").fetchone()[0] == 6
    assert db.execute("SELECT count(*) FROM orders WHERE po_number='PO-BIG'").fetchone()[0] == 0
    db.close()


@pytest.mark.parametrize("seed", range(16))
def test_random_interchanges_cut_anywhere_give_what_the_whole_gives(seed):
    """Random groups of 850s, 860s and 997s with random damage (a bad PO1, no SE, a wrong SE01, a repeated
    ST02, no GE, a wrong GE01 or GE02, a wrong IEA01), cut into random batches by count and by bytes."""
    import random

    rng = random.Random(seed)
    groups, k = [], 0
    for g in range(rng.randint(1, 4)):
        kind = rng.choice(["PO", "PO", "PC", "FA"])
        sets = []
        for _ in range(rng.randint(0, 6)):
            k += 1
            if kind == "PO":
                [text] = _pos(k, 1, bad=(k,) if rng.random() < 0.2 else ())
            elif kind == "PC":
                [text] = _changes(k, 1)
            else:
                text = _set("997", f"{k:04d}", ACK)
            damage = rng.random()
            if damage < 0.08:
                text = text[: text.rindex("SE*")]  # no SE
            elif damage < 0.16:
                text = text.replace("SE*", "SE*9", 1)
            elif damage < 0.22 and sets:
                text = text.replace(f"*{k:04d}~", f"*{k - 1:04d}~")  # the ST02 (and SE02) of the set before
            sets.append(text)
        roll = rng.random()
        groups.append(_group(kind, str(g + 1), sets, ge=roll > 0.1, ge01=len(sets) + 1 if roll > 0.9 else None,
                             ge02="77" if 0.8 < roll <= 0.9 else None))
    data = _ic(groups, isa13=1000 + seed, iea01=9 if rng.random() < 0.2 else None, iea=rng.random() > 0.1,
               ack=rng.choice("01"))
    for max_sets, max_bytes in [(1, 10**9), (rng.randint(2, 5), 10**9), (10**6, rng.randint(200, 2_000))]:
        _same(data, max_sets=max_sets, max_bytes=max_bytes, chunk=rng.randint(5, 300))


def test_ge01_and_iea01_written_with_a_decimal_point_read_in_batches_as_whole():
    """GE*3.0*2 and IEA*2.*: the counts they state, in a file cut into batches as in one read whole: a warning
    each (IMPLIED_DECIMAL_STATED), no mismatch, every PO taken (they were GE_SET_COUNT_MISMATCH, the group lost,
    and IEA_GROUP_COUNT_MISMATCH)."""
    data = _ic([_group("PO", "1", _pos(0, 3)), _group("PO", "2", _pos(3, 3), ge01="3.0")], isa13=710, iea01="2.")
    outs = _same(data, max_sets=1)
    assert sorted((f.code, f.location.element, f.location.value) for o in outs for f in o.findings) == [
        ("IMPLIED_DECIMAL_STATED", "GE01", "3.0"), ("IMPLIED_DECIMAL_STATED", "IEA01", "2.")]
    assert sum(o.orders.num_rows for o in outs) == 6
