"""pyx12 as an independent check of our envelope counts and control numbers.

For every corpus file pyx12's X12Reader can read, and for synthetic files with known errors, the
envelope errors pyx12 reports (mapped to our codes by PYX12_TO_OURS) must equal the findings of
read_interchanges + check_envelopes, file by file, keyed by code and the control numbers that
locate it. Files pyx12 cannot read are listed as skipped with pyx12's own reason.
"""

from __future__ import annotations

import io
import os
import random
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from pyx12.errors import X12Error
from pyx12.x12file import X12Reader

from bench.synth_850 import interchange, purchase_order
from parsers.x12_reader import read_interchanges
from rules.envelope import check_envelopes
from schemas.codes import CATALOGUE
from schemas.x12 import Delimiters

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
X12_DIR = CORPUS / "x12"
IN_CI = os.environ.get("CI") == "true"

# pyx12 X12Reader error (kind, code) -> our finding code. pyx12 reports them through pop_errors()
# as (kind, code, message, value, line); the codes are TA1 / AK9 / AK5 note codes.
PYX12_TO_OURS: dict[tuple[str, str], str] = {
    ("isa", "001"): "IEA_CONTROL_MISMATCH",  # IEA02 != ISA13
    ("isa", "021"): "IEA_GROUP_COUNT_MISMATCH",  # IEA01 != number of groups
    ("gs", "4"): "GE_CONTROL_MISMATCH",  # GE02 != GS06
    ("gs", "5"): "GE_SET_COUNT_MISMATCH",  # GE01 != number of sets
    ("st", "3"): "SE_CONTROL_MISMATCH",  # SE02 != ST02
    ("st", "4"): "SE_COUNT_MISMATCH",  # SE01 != segments ST..SE
    ("st", "23"): "ST_CONTROL_NUMBER_DUPLICATE",  # ST02 repeats within the group
}
COMPARED = frozenset(PYX12_TO_OURS.values())
# Not compared: pyx12's missing-trailer errors (isa 023, gs 3, st 2) also fire on "unterminated
# loop" conditions we report differently; isa 025 / gs 6 (duplicates within the file) are
# cross-file state checks on our side; seg-level errors (leading space, HL counts) are not envelope.

# Lowest number of corpus files pyx12 must be able to read: guards against the comparison
# silently shrinking to nothing (pyx12 upgrade, corpus change). 31 of 58 are compared on 2026-11-27.
MIN_CORPUS_COMPARED = 25

Key = tuple[str, str, str, str]  # (our code, ISA13, GS06, ST02) - control numbers down to the code's level


class Pyx12CannotRead(Exception):
    """pyx12 read the file but stopped before its end (e.g. at an empty segment)."""


def _key(code: str, isa13: str, gs06: str, st02: str) -> Key:
    level = CATALOGUE[code].level
    return (code, isa13.strip(), gs06.strip() if level in ("group", "set") else "",
            st02.strip() if level == "set" else "")


def _text(data: bytes) -> str:
    """What pyx12 is given: the file without a UTF-8 BOM, as UTF-8 else Latin-1 (never pyx12's ASCII open)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _pyx12_pass(text: str) -> tuple[Counter, str]:
    """One X12Reader pass: (mapped error keys, text pyx12 left unread)."""
    fd = io.StringIO(text)
    reader = X12Reader(fd)
    keys: Counter = Counter()
    isa13 = gs06 = st02 = ""

    def collect() -> None:
        for kind, code, *_rest in reader.pop_errors():
            ours = PYX12_TO_OURS.get((kind, code))
            if ours:
                keys[_key(ours, isa13, gs06, st02)] += 1

    for seg in reader:
        sid = seg.get_seg_id()
        if sid == "ISA":
            isa13, gs06, st02 = seg.get_value("ISA13") or "", "", ""
        elif sid == "GS":
            gs06, st02 = seg.get_value("GS06") or "", ""
        elif sid == "ST":
            st02 = seg.get_value("ST02") or ""
        collect()  # errors of this segment (pyx12 checks a trailer as it yields it)
    reader.cleanup()
    collect()
    return keys, reader.raw.buffer + fd.read()


def pyx12_errors(data: bytes) -> tuple[Counter, str]:
    """pyx12's envelope errors as our keys, and a note on any normalisation applied.

    Raises X12Error when pyx12 refuses the file, Pyx12CannotRead when it stops before the end.
    pyx12 drops a last segment that has no terminator (it waits for one); we read it, so such a file
    is given to pyx12 again with the terminator appended (the id says "+term").
    """
    text = _text(data)
    keys, unread = _pyx12_pass(text)
    note = ""
    if unread.strip():
        term = X12Reader(io.StringIO(text)).seg_term or ""
        if term and term not in unread.lstrip("\r\n"):
            keys, unread = _pyx12_pass(text.rstrip("\r\n") + term)
            note = "+term"
    if unread.strip():
        raise Pyx12CannotRead(f"pyx12 stopped early (an empty segment?): {len(unread.strip())} characters "
                              f"unread, starting {unread.strip()[:30]!r}")
    return keys, note


def our_errors(data: bytes, file: str = "") -> Counter:
    result = read_interchanges(data, file=file)
    return Counter(_key(f.code, f.location.isa13, f.location.gs06, f.location.st02)
                   for f in result.findings + check_envelopes(result) if f.code in COMPARED)


def _describe(keys: Counter) -> list[str]:
    return sorted(f"{code} isa13={i or '-'} gs06={g or '-'} st02={s or '-'} x{n}"
                  for (code, i, g, s), n in keys.items())


def assert_agree(data: bytes, file: str = "") -> Counter:
    """pyx12 and we report the same envelope errors at the same control numbers; returns them."""
    theirs, _note = pyx12_errors(data)
    ours = our_errors(data, file)
    assert ours == theirs, (f"{file or 'synthetic file'}: envelope errors disagree\n"
                            f"  only pyx12: {_describe(theirs - ours)}\n"
                            f"  only ours:  {_describe(ours - theirs)}")
    return ours


# --- the corpus ------------------------------------------------------------------------------------
def _corpus_cases() -> list:
    if not X12_DIR.is_dir():
        reason = f"the shared corpus is not at {X12_DIR} (a clone without shared/ beside it)"
        marks = () if IN_CI else pytest.mark.skip(reason=reason)
        return [pytest.param(None, "", id="corpus-absent", marks=marks)]
    cases = []
    for path in sorted(p for p in X12_DIR.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv"):
        rel = str(path.relative_to(X12_DIR))
        try:
            _keys, note = pyx12_errors(path.read_bytes())
        except (X12Error, Pyx12CannotRead) as exc:
            reason = f"pyx12 X12Reader cannot read {rel}: {' '.join(str(exc).split())[:120]}"
            cases.append(pytest.param(path, "", id=f"pyx12-cannot-read:{rel}",
                                      marks=pytest.mark.skip(reason=reason)))
            continue
        cases.append(pytest.param(path, note, id=f"{rel}{note}", marks=pytest.mark.corpus))
    return cases


CORPUS_CASES = _corpus_cases()


@pytest.mark.parametrize(("path", "note"), CORPUS_CASES)
def test_corpus_file_envelope_errors_agree_with_pyx12(path: Path | None, note: str) -> None:
    if path is None:
        pytest.fail(f"CI=true but the shared corpus is missing at {X12_DIR}")
    assert_agree(path.read_bytes(), str(path.relative_to(X12_DIR)))


def test_pyx12_reads_enough_of_the_corpus() -> None:
    if not X12_DIR.is_dir():
        if IN_CI:
            pytest.fail(f"CI=true but the shared corpus is missing at {X12_DIR}")
        pytest.skip(f"the shared corpus is not at {X12_DIR}")
    compared = [c for c in CORPUS_CASES if not c.id.startswith("pyx12-cannot-read:")]
    assert len(compared) >= MIN_CORPUS_COMPARED, (
        f"only {len(compared)} corpus files could be compared with pyx12 (expected >= {MIN_CORPUS_COMPARED})")


# --- synthetic files with known errors ---------------------------------------------------------------
D = Delimiters()  # * > ~ + LF: a 106-character ISA, ISA12 00401, which pyx12 reads


def _synthetic(isa13: int, pos: int, lines: int = 3) -> str:
    rng = random.Random(isa13)
    bodies = [purchase_order(f"PO-{isa13}-{k}", lines, rng, po_date=date(2026, 11, 20)) for k in range(pos)]
    return interchange(sender=("ZZ", "ACMERETAIL"), receiver=("ZZ", "ORDERBRIDGE"),
                       gs_ids=("ACMERETAIL", "ORDERBRIDGE"), version="004010", isa13=isa13, bodies=bodies,
                       d=D, when=date(2026, 11, 27)).decode()


def _edit(text: str, seg_id: str, nth: int, index: int, value: str) -> str:
    """Set element ``index`` of the ``nth`` (0-based) ``seg_id`` segment."""
    segs = text.split(D.segment + D.suffix)
    hits = [i for i, s in enumerate(segs) if s.split(D.element)[0] == seg_id]
    elems = segs[hits[nth]].split(D.element)
    elems[index] = value
    segs[hits[nth]] = D.element.join(elems)
    return (D.segment + D.suffix).join(segs)


def _clean() -> str:
    return _synthetic(100000001, pos=3)


def _se01_and_iea02_wrong() -> str:
    text = _synthetic(100000002, pos=3)
    text = _edit(text, "SE", 1, 1, "99")  # second set: SE01 99
    return _edit(text, "IEA", 0, 2, "100000999")  # IEA02 != ISA13


def _counts_and_controls_wrong() -> str:
    """Two interchanges: a clean one, then one with GE01, GE02, IEA01 and SE02 wrong."""
    bad = _synthetic(100000004, pos=2)
    bad = _edit(bad, "SE", 0, 2, "9999")  # SE02 != ST02 0001
    bad = _edit(bad, "GE", 0, 1, "3")  # 2 sets
    bad = _edit(bad, "GE", 0, 2, "77")  # GS06 is 100000004
    bad = _edit(bad, "IEA", 0, 1, "2")  # 1 group
    return _synthetic(100000003, pos=1) + bad


def _duplicate_st02() -> str:
    text = _synthetic(100000005, pos=2)
    text = _edit(text, "ST", 1, 2, "0001")
    return _edit(text, "SE", 1, 2, "0001")


SYNTHETIC = {
    "clean": (_clean, set()),
    "se01-and-iea02-wrong": (_se01_and_iea02_wrong, {
        ("SE_COUNT_MISMATCH", "100000002", "100000002", "0002"),
        ("IEA_CONTROL_MISMATCH", "100000002", "", ""),
    }),
    "ge01-ge02-iea01-se02-wrong": (_counts_and_controls_wrong, {
        ("SE_CONTROL_MISMATCH", "100000004", "100000004", "0001"),
        ("GE_SET_COUNT_MISMATCH", "100000004", "100000004", ""),
        ("GE_CONTROL_MISMATCH", "100000004", "100000004", ""),
        ("IEA_GROUP_COUNT_MISMATCH", "100000004", "", ""),
    }),
    "st02-duplicate": (_duplicate_st02, {("ST_CONTROL_NUMBER_DUPLICATE", "100000005", "100000005", "0001")}),
}


@pytest.mark.parametrize("name", list(SYNTHETIC))
def test_synthetic_envelope_errors_agree_with_pyx12(name: str) -> None:
    build, expected = SYNTHETIC[name]
    data = build().encode("latin-1")
    found = assert_agree(data, name)
    assert set(found) == expected  # both found exactly the planted errors, not merely the same ones
    assert all(n == 1 for n in found.values())


def test_mapping_covers_every_compared_code() -> None:
    planted = {key[0] for _build, expected in SYNTHETIC.values() for key in expected}
    assert planted == COMPARED, f"codes never planted in a synthetic file: {sorted(COMPARED - planted)}"
    assert COMPARED <= set(CATALOGUE)
