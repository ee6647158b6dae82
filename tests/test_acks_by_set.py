"""engine.acks.findings_by_set gives each set exactly the findings the per-set scan (_within) gives it,
in the same order, whatever the order, repeats and gaps of the findings' file segments."""

from __future__ import annotations

import random

from engine.acks import _within, findings_by_set, status_of
from schemas.findings import finding
from schemas.x12 import TransactionSet


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
