"""schemas.grouping's first-row and running-count helpers agree with a plain walk over the rows."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from schemas.grouping import Groups, encode, first_rows, is_first


@pytest.mark.parametrize("seed", range(5))
def test_first_and_running_follow_row_order(seed):
    rng = np.random.default_rng(seed)
    n = 300
    key = rng.integers(0, 40, n)
    where = rng.random(n) < 0.4
    first: dict[int, int] = {}
    first_where: dict[int, int] = {}
    running, seen = [], {}
    for i, (k, w) in enumerate(zip(key.tolist(), where.tolist(), strict=True)):
        first.setdefault(k, i)
        if w:
            first_where.setdefault(k, i)
        seen[k] = seen.get(k, 0) + int(w)
        running.append(seen[k])
    expected = np.full(int(key.max()) + 1, -1)
    for k, i in first_where.items():
        expected[k] = i
    assert first_rows(key, where).tolist() == expected.tolist()
    assert np.flatnonzero(is_first(key)).tolist() == sorted(first.values())
    assert np.flatnonzero(is_first(key, where)).tolist() == sorted(first_where.values())
    assert Groups(key, int(key.max()) + 1).running(where).tolist() == running


def test_encode_mixes_arrow_columns_and_codes():
    names = pa.array(["a", None, "b", "a", None, "b"])
    codes = np.array([0, 0, 1, 0, 0, 2])
    key, k = encode(names, codes)
    pairs = list(zip(names.to_pylist(), codes.tolist(), strict=True))
    assert k == len(set(pairs))
    assert all((key[i] == key[j]) == (pairs[i] == pairs[j]) for i in range(6) for j in range(6))
