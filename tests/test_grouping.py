"""schemas.grouping's first-row and running-count helpers agree with a plain walk over the rows, and its
key lookups pair rows as an Arrow join does."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from schemas.grouping import Groups, encode, first_rows, is_first, joined, lookup, paired_codes


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


@pytest.mark.parametrize("seed", range(8))
def test_joined_pairs_rows_as_a_left_join_sorted_back(seed):
    """joined gives what Table.join (left outer) then a sort by the left rows gives: a null key pairs with
    nothing (a null on both sides included), the right side's key column types cast to; None when the right
    side repeats a key (the join would repeat a left row)."""
    rng = np.random.default_rng(seed)

    def column(n, k, null):
        return pa.array([None if rng.random() < null else f"k{v}" for v in rng.integers(0, k, n)], pa.string())

    n, m = 60, 25
    left = pa.table({"_i": pa.array(np.arange(n)), "a": column(n, 4, 0.1),
                     "b": pa.array(rng.integers(0, 5, n), pa.int32())})
    right = pa.table({"a": column(m, 4, 0.1), "b": pa.array(rng.integers(0, 5, m), pa.int64()),
                      "v": pa.array(rng.integers(0, 100, m)), "w": column(m, 3, 0.2)})
    unique = right.filter(pa.array(is_first(encode(right["a"], right["b"])[0])))
    got = joined(left, unique, ["a", "b"])
    as_left = unique.set_column(1, "b", unique["b"].cast(pa.int32()))  # a join wants one type per key
    want = left.join(as_left, ["a", "b"], join_type="left outer", use_threads=False).sort_by("_i")
    assert got.to_pylist() == want.select(got.column_names).to_pylist()
    assert got.column_names == ["_i", "a", "b", "v", "w"]
    if unique.num_rows < m:  # a key twice on the right: the caller joins
        assert joined(left, right, ["a", "b"]) is None and lookup([left["a"]], [right["a"]]) is None


def test_paired_codes_name_equal_rows_alike_on_both_sides():
    left = [pa.array(["x", "y", None, "x"]), pa.array([1, 2, 3, 1], pa.int32())]
    right = [pa.array(["y", "x", None]), pa.array([2, 1, 3], pa.int64())]
    mine, theirs, k, present = paired_codes(left, right)
    assert mine[0] == mine[3] == theirs[1] and mine[1] == theirs[0] and len({*mine.tolist(), *theirs.tolist()}) == k
    assert present.tolist() == [True, True, False, True]
    assert lookup(left, right).tolist() == [1, 0, -1, 1]  # the null row pairs with nothing, as a join


def test_lookup_by_the_right_sides_values_is_the_lookup_of_both_sides_encoded_together():
    """lookup's path for a right side without null keys (left values found among the right's distinct
    ones, slots or a binary search) gives what encoding both sides together gives: matches, -1 for a
    left null or a value the right lacks, None for a right key twice; other integer widths on the left."""
    from schemas.grouping import _paired_lookup, _places, lookup

    rng = np.random.default_rng(13)
    words = ["a", "b", "a:b", "", ":", None]
    for i in range(300):
        n, m = int(rng.integers(0, 12)), int(rng.integers(0, 8))
        left = [pa.array([words[k] for k in rng.integers(0, len(words), n)], pa.string()),
                pa.array(rng.integers(0, 4, n), pa.int32())]
        right = [pa.array([words[k] for k in rng.integers(0, len(words) - (1 if i % 3 else 0), m)], pa.string()),
                 pa.chunked_array([pa.array(rng.integers(0, 4, m), pa.int64())])]
        got, want = lookup(left, right), _paired_lookup(left, right)
        assert (got is None) == (want is None), i
        if got is not None:
            assert got.tolist() == want.tolist(), i
    for i in range(300):  # slots and binary search agree
        m, n = int(rng.integers(1, 9)), int(rng.integers(0, 12))
        theirs = rng.integers(0, 20, m).astype(np.int64)
        mine = rng.integers(-1, 22, n).astype(np.int64)
        slots, search = _places(mine, theirs, 22), _places(mine, theirs, 2**40)
        if len(set(theirs.tolist())) < m:
            assert slots is None and search is None, i
            continue
        want = [theirs.tolist().index(c) if c in theirs.tolist() else -1 for c in mine.tolist()]
        assert slots.tolist() == want and search.tolist() == want, i


@pytest.mark.parametrize("column", [
    pa.array(["b", "a", "b", ""]), pa.array(["b", None, "a", "b"]), pa.array([], pa.string()),
    pa.array([None, None], pa.string()), pa.chunked_array([pa.array(["x", "y"]), pa.array(["y", None])]),
    pa.array([7, -3, 7, 0], pa.int32()), pa.array([7, None, -3, 7], pa.int64()), pa.array([2**40, -2**40, 5]),
    pa.array([2**40, None, -2**40, 5]), pa.array([0, 18000, 5], pa.int32()).cast(pa.date32()),
    pa.array([1.5, None, 1.5]), pa.array([True, False, None])], ids=lambda c: str(c.type) + str(len(c)))
def test_column_codes_name_each_value_once_and_null_as_zero(column):
    """Each distinct value one code from 1 (in the column's value order for integers and dates, first-seen
    for the others), null 0, the width one past the largest code: with and without nulls alike."""
    from schemas.grouping import _column_codes

    values = column.to_pylist()
    code, width = _column_codes(column)
    assert code.dtype == np.int64 and len(code) == len(values)
    assert [c == 0 for c in code.tolist()] == [v is None for v in values]
    pairs = {(v, c) for v, c in zip(values, code.tolist(), strict=True) if v is not None}
    assert len(pairs) == len({v for v, _c in pairs}) == len({c for _v, c in pairs})  # one code per value
    assert int(code.max(initial=0)) < width
    if pa.types.is_integer(column.type) or pa.types.is_date(column.type):
        ordered = sorted(pairs, key=lambda p: p[0])
        assert [c for _v, c in ordered] == sorted(c for _v, c in ordered)  # codes follow the values' order
