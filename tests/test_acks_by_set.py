"""engine.acks.findings_by_set gives each set exactly the findings the per-set scan (_within) gives it,
in the same order, whatever the order, repeats and gaps of the findings' file segments."""

from __future__ import annotations

import random
from unittest.mock import patch

import pytest

from engine.acks import (
    _within,
    ak2_loops,
    build_997,
    findings_by_set,
    set_nameable,
    sets_nameable,
    status_of,
    statuses_of,
)
from schemas.findings import finding
from schemas.x12 import Group, TransactionSet


def _sets() -> list[TransactionSet]:
    # sets of 3..8 segments with gaps (GS/GE) between some, plus one whose end precedes its start
    out, row = [], 2
    for k in range(40):
        n = 3 + k % 6
        out.append(TransactionSet("850", f"{k + 1:04d}", row, row + n - 1))
        row += n + (2 if k % 7 == 0 else 0)
    out.append(TransactionSet("850", "9999", row + 5, row + 3))
    return out


def test_each_set_gets_the_findings_the_scan_gives_it_in_order():
    rnd = random.Random(7)
    sets = _sets()
    last = sets[-2].end + 4
    codes = ["ELEMENT_TOO_LONG", "SEGMENT_NOT_IN_SET", "SE_COUNT_MISMATCH", "GUIDE_CODE_UNEXPECTED"]
    findings = [finding(rnd.choice(codes), f"n{i}", seg="PO1", file_segment=rnd.choice([None, *range(0, last)]))
                for i in range(400)]
    got = findings_by_set(sets, findings)
    assert len(got) == len(sets)
    for ts, mine in zip(sets, got, strict=True):
        assert mine == [f for f in findings if _within(f, ts.start, ts.end)]
    assert sum(map(len, got)) > 100  # the draw put findings inside sets, not only around them
    assert got[-1] == []  # an empty span holds nothing


def test_status_from_the_index_equals_status_from_the_scan():
    sets = _sets()
    findings = [finding("ELEMENT_TOO_LONG", "x", seg="PO1", element="PO102", file_segment=sets[3].start + 2),
                finding("SE_COUNT_MISMATCH", "y", seg="SE", file_segment=sets[5].end + 1)]
    statuses = [status_of(mine)[0] for mine in findings_by_set(sets, findings)]
    assert statuses[3] == "R" and statuses[5] == "R"
    assert statuses.count("A") == len(sets) - 2


# --- ak2_loops: a group of accepted, nameable sets is written from its columns at once; the set-by-set
# path (still taken when a set has findings or cannot be named) gives the same AK2..AK5 loops
def _group(sets: list[TransactionSet]) -> Group:
    return Group(["PO", "SENDER", "RECEIVER", "20261127", "0200", "17", "X", "004010"], start=1,
                 end=sets[-1].end + 1, transactions=sets)


def _set_by_set(g: Group, sets, findings, *, group_is_rejected: bool = False):
    # statuses equal to status_of's but not the shared ACCEPTED, and every set named one by one: the
    # per-set path whatever the sets hold
    statuses = [(st, list(codes), list(segs)) for st, codes, segs in statuses_of(sets, findings)]
    named = [set_nameable(ts) for ts in sets]
    with patch("engine.acks.sets_nameable", return_value=named):
        return ak2_loops(g, sets, findings, group_is_rejected=group_is_rejected, version="004010",
                         statuses=statuses)


def test_columnar_loops_of_an_accepted_group_equal_the_set_by_set_loops():
    sets = _sets()[:-1]
    g = _group(sets)
    fast = ak2_loops(g, sets, [], group_is_rejected=False, version="004010")
    assert fast == _set_by_set(g, sets, [])
    assert fast[1] == len(sets) and len(fast[0]) == 2 * len(sets)
    assert build_997(g, [])[1:-1] == fast[0]
    assert build_997(g, [])[-1] == ["AK9", "A", str(len(sets)), str(len(sets)), str(len(sets))]
    # a rejected group, a set with findings: the set-by-set path, the same loops
    assert ak2_loops(g, sets, [], group_is_rejected=True, version="004010") == \
        _set_by_set(g, sets, [], group_is_rejected=True)
    bad = [finding("ELEMENT_TOO_LONG", "x", seg="PO1", element="PO102", value="12345678901",
                   file_segment=sets[3].start + 2)]
    assert ak2_loops(g, sets, bad, group_is_rejected=False, version="004010") == _set_by_set(g, sets, bad)


@pytest.mark.parametrize("st01,st02", [("850", "0001"), ("850", "123456789"), ("850", "12 4"), ("850", "    "),
                                       ("850", "123"), ("850", "1234567890"), ("850", "00\t1"), ("850", "00é1"),
                                       ("85", "0001"), ("8500", "0001"), ("85a", "0001"), ("850", "0~01")])
def test_sets_nameable_at_once_equals_set_by_set(st01, st02):
    sets = _sets()[:-1]
    sets[4] = TransactionSet(st01, st02, sets[4].start, sets[4].end)
    named = sets_nameable(sets)
    assert (named or [True] * len(sets)) == [set_nameable(ts) for ts in sets]
    g = _group(sets)
    assert ak2_loops(g, sets, [], group_is_rejected=False, version="004010") == _set_by_set(g, sets, [])
    assert sets_nameable([]) is None
