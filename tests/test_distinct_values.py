"""rules.distinct: an elementwise column function computed once per distinct value gives, row for
row, what it gives computed on every row (nulls, chunked columns, repeated and rare values alike)."""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from parsers.x12_writer import date_column, decimal_column, x12_text, x12_texts
from rules.distinct import date_texts, decimal_texts, per_value, truncated
from schemas.orders import QTY

_TRUNC = pc.CastOptions(target_type=pa.int64(), allow_decimal_truncate=True)


def _decimals(n: int, seed: int, nulls: bool) -> list:
    rng = np.random.default_rng(seed)
    choices = [Decimal("0"), Decimal("-0.0000"), Decimal("12"), Decimal("12.5000"), Decimal("-3.75"),
               Decimal("0.0001"), Decimal("-0.9999"), Decimal("99999999999999.9999"), Decimal("100.1000")]
    out = [choices[i] for i in rng.integers(0, len(choices), n)]
    out += [Decimal(int(x)) / 10000 for x in rng.integers(-10**9, 10**9, n // 3)]  # rarer values, once each
    if nulls:
        out = [None if i % 7 == 3 else v for i, v in enumerate(out)]
    return out


def _as(values: list, type_, chunked: bool):
    arr = pa.array(values, type_)
    if not chunked:
        return arr
    third = len(arr) // 3
    return pa.chunked_array([arr.slice(0, third), arr.slice(third, 5), arr.slice(third + 5)])


def _same(got, want) -> None:
    assert isinstance(got, pa.ChunkedArray) == isinstance(want, pa.ChunkedArray)
    assert got.type == want.type
    assert got.to_pylist() == want.to_pylist()


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("nulls", [False, True])
@pytest.mark.parametrize("n", [0, 5, 300, 4000])
def test_decimal_texts_and_truncation_are_the_row_by_row_ones(n, nulls, chunked):
    values = _as(_decimals(n, n + 7, nulls), QTY, chunked)
    _same(decimal_texts(values), decimal_column(values))
    _same(truncated(values), pc.cast(values, options=_TRUNC))


@pytest.mark.parametrize("chunked", [False, True])
def test_date_texts_are_the_row_by_row_ones(chunked):
    rng = np.random.default_rng(3)
    days = [None if i % 11 == 0 else date(2026, 1, 1) + timedelta(days=int(d))
            for i, d in enumerate(rng.integers(-400, 400, 3000))]
    values = _as(days, pa.date32(), chunked)
    _same(date_texts(values), date_column(values))


def test_per_value_spreads_any_elementwise_function_and_its_errors():
    units = pa.array(np.random.default_rng(5).integers(-50, 50, 2000), pa.int64())

    def to_qty(v):
        return pc.cast(pc.cast(v, pa.decimal128(38, 4)), QTY)

    _same(per_value(to_qty, units), to_qty(units))
    too_big = pa.array([1] * 999 + [10**15], pa.int64())  # does not fit QTY: the cast's error, as on every row
    with pytest.raises(pa.ArrowInvalid):
        to_qty(too_big)
    with pytest.raises(pa.ArrowInvalid):
        per_value(to_qty, too_big)


@pytest.mark.parametrize("chunked", [False, True])
def test_distinct_rows_code_equal_rows_alike_and_per_rows_spreads_a_row_function(chunked):
    """distinct_rows: two rows get one code exactly when every column holds the same value (null
    included); per_rows gives fn's result on every row, also for a lookup-shaped function whose
    value depends on several columns, and when most rows are distinct (it then runs fn on all)."""
    from rules.business.common import compound_key, lookup, lookup_by, usable_keys
    from rules.distinct import distinct_rows, per_rows

    rng = np.random.default_rng(11)
    n = 3000
    partner = [["acme", "globex", None, ""][i] for i in rng.integers(0, 4, n)]
    unit = [["EA", "CA", " ", None, "PK"][i] for i in rng.integers(0, 5, n)]
    qty = [None if i == 0 else Decimal(int(i)) for i in rng.integers(0, 6, n)]
    columns = [_as(partner, pa.string(), chunked), _as(unit, pa.string(), chunked), _as(qty, QTY, chunked)]
    first, codes = distinct_rows(columns)
    rows = list(zip(partner, unit, qty, strict=True))
    assert len(first) == len(set(rows)) and len(codes) == n
    assert all(rows[first[c]] == r for c, r in zip(codes.tolist(), rows, strict=True))
    ref_keys = pa.array(["acme\x1fEA", "globex\x1fPK", "acme\x1fCA", "acme\x1fEA"], pa.string())
    ref_values = pa.array([1.0, 2.0, 3.0, 4.0])
    got = lookup_by(columns[:2], ref_keys, ref_values)
    want = pc.take(ref_values, pc.index_in(usable_keys(compound_key(*columns[:2])), value_set=usable_keys(ref_keys),
                                           skip_nulls=True))
    _same(got, want)
    assert got.to_pylist().count(1.0) > 0 and got.to_pylist().count(4.0) == 0  # the first reference row wins
    _same(lookup(columns[1], pa.array(["EA", " ", "PK"]), pa.array([7, 8, 9])),
          pc.take(pa.array([7, 8, 9]), pc.index_in(usable_keys(columns[1]), value_set=usable_keys(pa.array(
              ["EA", " ", "PK"])), skip_nulls=True)))
    unique = pa.array([f"k{i}" for i in range(n)])  # every row distinct: fn runs on the rows themselves
    _same(per_rows(lambda v: pc.utf8_upper(v), [unique]), pc.utf8_upper(unique))


def test_description_texts_cut_column_wise_as_one_by_one():
    """x12_texts (the columnar 810 lines) cuts each description as x12_text (the other writers) does:
    at 80 characters (not bytes), blanks at the cut dropped, a value that fits untouched, nulls kept."""
    values = [None, "", "short ", "E" * 80, "E" * 79 + " ", "W" * 79 + " " + "X" * 5, " " * 81, "é" * 85,
              "A" * 78 + "  B"]
    for chunked in (False, True):
        column = pa.chunked_array([values[:4], values[4:]]) if chunked else pa.array(values, pa.string())
        got = x12_texts(column)
        assert got.to_pylist() == [None if v is None else x12_text(v) for v in values]
    assert [x12_text(v) for v in values[1:]] == ["", "short ", "E" * 80, "E" * 79 + " ", "W" * 79, "", "é" * 80,
                                                 "A" * 78]
    fits = pa.array(["a", None], pa.string())
    assert x12_texts(fits) is fits  # nothing long: the column as given


@pytest.mark.parametrize("chunked", [False, True])
def test_distinct_rows_codes_rank_rows_by_their_values_first_seen_places(chunked):
    """distinct_rows' codes are the rank of each row's tuple of (place of its value among the column's
    values in first-seen order, plus one; null 0), columns left to right: what callers that spread or
    order by the codes get whatever way they are computed (in place, densified between columns when
    many columns multiply the range, a column of nulls only skipped)."""
    from rules.distinct import distinct_rows

    rng = np.random.default_rng(5)
    n = 400
    wide = [[None, *[f"v{j}" for j in range(k)]] for k in (3, 40, 7, 90, 2)]  # 3*40*7*90 > 4n: densified
    values = [[choices[i] for i in rng.integers(0, len(choices), n)] for choices in wide]
    values.insert(2, [None] * n)
    columns = [_as(v, pa.string(), chunked) for v in values]

    def places(column: list) -> list[int]:
        seen: dict = {}
        for v in column:
            if v is not None:
                seen.setdefault(v, len(seen) + 1)
        return [0 if v is None else seen[v] for v in column]

    keys = list(zip(*(places(v) for v in values), strict=True))
    rank = {key: i for i, key in enumerate(sorted(set(keys)))}
    first, codes = distinct_rows(columns)
    assert codes.tolist() == [rank[key] for key in keys]
    assert [keys[i] for i in first.tolist()] == sorted(set(keys))
    first, codes = distinct_rows([_as([None] * 5, pa.string(), chunked)])  # nothing tells rows apart
    assert codes.tolist() == [0] * 5 and len(first) == 1
    first, codes = distinct_rows([])
    assert len(first) == 0 and len(codes) == 0
