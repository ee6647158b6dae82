"""engine.lifecycle.common.first_rows keeps the first row of each key group in the table's order; a
table already in strictly ascending key order (a night's stored files) is given back as it is,
without grouping, exactly when no row repeats an earlier row's keys."""

import numpy as np
import pyarrow as pa
import pytest

from engine.lifecycle.common import first_rows
from schemas.grouping import in_key_order

KEYS = ["po_number", "line_number"]


def _reference(table: pa.Table, keys: list[str]) -> pa.Table:
    """The first row of each group, by Python (null a value of its own)."""
    seen, keep = set(), []
    for i, key in enumerate(zip(*(table[c].to_pylist() for c in keys), strict=True)):
        if key not in seen:
            seen.add(key)
            keep.append(i)
    return table.take(pa.array(keep, pa.int64()))


def _table(rng, n: int, nulls: bool) -> pa.Table:
    po = [["P-1", "P-10", "P-2", "P-1 ", "p-1", "Pé"][i] for i in rng.integers(0, 6, n)]
    if nulls and n:
        po[int(rng.integers(0, n))] = None
    return pa.table({"po_number": pa.array(po, pa.string()),
                     "line_number": pa.array(rng.integers(-2, 4, n), pa.int32()),
                     "row": pa.array(np.arange(n))})


@pytest.mark.parametrize("seed", range(40))
def test_first_rows_is_the_first_row_of_each_group(seed):
    rng = np.random.default_rng(seed)
    table = _table(rng, int(rng.integers(0, 14)), nulls=seed % 5 == 4)
    ordered = table.sort_by([(c, "ascending") for c in KEYS])
    for candidate in (table, ordered, _reference(ordered, KEYS)):
        assert first_rows(candidate, KEYS).equals(_reference(candidate, KEYS))


@pytest.mark.parametrize("seed", range(40))
def test_strict_key_order_means_sorted_with_no_key_twice(seed):
    rng = np.random.default_rng(seed)
    table = _table(rng, int(rng.integers(2, 14)), nulls=seed % 5 == 4)
    for candidate in (table, _reference(table.sort_by([(c, "ascending") for c in KEYS]), KEYS)):
        moves_nothing = candidate.sort_by([(c, "ascending") for c in KEYS]).equals(candidate)
        unique = _reference(candidate, KEYS).num_rows == candidate.num_rows
        has_null = any(candidate[c].null_count for c in KEYS)
        assert in_key_order(candidate, KEYS, strict=True) == (moves_nothing and unique and not has_null)


def test_lines_in_order_come_back_as_they_are_and_a_repeat_is_dropped():
    lines = pa.table({"po_number": ["A", "A", "B", "B"], "line_number": pa.array([1, 2, 1, 2], pa.int32()),
                      "v": [1, 2, 3, 4]})
    assert first_rows(lines, KEYS) is lines
    repeated = pa.concat_tables([lines.slice(0, 2), lines.slice(1, 1), lines.slice(2)])  # A/2 twice, adjacent
    assert not in_key_order(repeated, KEYS, strict=True)
    assert first_rows(repeated, KEYS)["v"].to_pylist() == [1, 2, 3, 4]
    chunked = pa.concat_tables([lines.slice(0, 1), lines.slice(1, 2), lines.slice(3)])  # several chunks
    assert in_key_order(chunked, KEYS, strict=True) and first_rows(chunked, KEYS) is chunked
