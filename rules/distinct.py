"""Row-wise column functions computed once per distinct value (or row of several columns): a night's
200,000 lines hold a few dozen items, quantities, prices and dates, and Arrow's decimal casts, text
building and string hashing cost far more per row than one hash pass per column and one take. Shared
by the rules (lookups, GX) and the engine (the answer's texts and casts). Pure; owns no rule about
what a value means (the functions it spreads do)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.grouping import densify

_TRUNC = pc.CastOptions(target_type=pa.int64(), allow_decimal_truncate=True)
_SMALL = 256  # below this many rows the function runs on the rows themselves


def per_value(fn: Callable, values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``fn(values)`` for a function ``fn`` whose result for a row depends on that row's value alone
    (null included), computed on each distinct value once and spread back by row; a ChunkedArray
    in gives a ChunkedArray (one chunk) out."""
    chunked = isinstance(values, pa.ChunkedArray)
    arr = values.combine_chunks() if chunked else values
    if len(arr) < _SMALL:
        return fn(values)
    encoded = pc.dictionary_encode(arr)  # a null row gets a null index
    dictionary, indices = encoded.dictionary, encoded.indices
    if arr.null_count:  # null is a value too: fn says what it becomes
        indices = pc.fill_null(indices, pa.scalar(len(dictionary), indices.type))
        dictionary = pa.concat_arrays([dictionary, pa.nulls(1, dictionary.type)])
    done = fn(dictionary)
    done = done.combine_chunks() if isinstance(done, pa.ChunkedArray) else done
    out = done.take(indices)
    return pa.chunked_array([out], type=out.type) if chunked else out


def distinct_rows(columns: Sequence[pa.Array | pa.ChunkedArray]) -> tuple[np.ndarray, np.ndarray]:
    """One row of each distinct row of the equal-length ``columns`` (null a value of its own; in no
    particular order) and, per row, the position of its distinct row among them."""
    n = len(columns[0]) if columns else 0
    codes, k = None, 1
    for column in columns:
        if column.null_count == n:  # every row null: nothing to tell rows apart by
            continue
        encoded = pc.dictionary_encode(column)  # a chunked column's chunks share one dictionary
        chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
        width = max(len(c.dictionary) for c in chunks) + 1
        code = _codes(chunks, n)  # each row's value's place in the dictionary + 1 (0: null)
        if codes is None:  # the first column: its codes as they are (0 * width + code)
            codes = code
        else:  # in place: no new row-long array per column (a night's 200,000 rows, dozens of columns)
            codes *= width
            codes += code
        k *= width
        if k > 4 * n:  # keep the codes dense enough for densify's table (and far from overflow)
            codes, k = densify(codes)
    codes, k = densify(np.zeros(n, dtype=np.int64) if codes is None else codes)
    first = np.zeros(k, dtype=np.int64)
    first[codes] = np.arange(n, dtype=np.int64)  # any row of each code: its rows are equal
    return first, codes


def _codes(chunks: list, n: int) -> np.ndarray:
    """The dictionary indices of a dictionary-encoded column's ``chunks`` (``n`` rows in all), each plus
    one and a null 0, as one new int64 array."""
    code = np.empty(n, dtype=np.int64)
    at = 0
    for c in chunks:
        indices = c.indices
        m = len(indices)
        if indices.null_count:
            code[at:at + m] = pc.fill_null(indices, -1).to_numpy(zero_copy_only=False)
        else:  # (its buffer read as it is)
            code[at:at + m] = indices.to_numpy(zero_copy_only=False)
        at += m
    code += 1
    return code


def per_rows(fn: Callable, columns: Sequence[pa.Array | pa.ChunkedArray]):
    """``fn(*columns)`` for a function ``fn`` whose result for a row depends on that row's values alone
    (nulls included), computed on each distinct row of ``columns`` once and spread back by row (an
    Array or a ChunkedArray as ``fn`` returns for such columns)."""
    n = len(columns[0])
    if n < _SMALL:
        return fn(*columns)
    first, codes = distinct_rows(columns)
    if len(first) > n // 4:  # mostly distinct rows: spreading would cost more than it saves
        return fn(*columns)
    done = fn(*(c.take(pa.array(first)) for c in columns))
    return done.take(pa.array(codes))


def decimal_texts(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """parsers.x12_writer.decimal_column (R element text, "" for null), once per distinct value."""
    from parsers.x12_writer import decimal_column

    return per_value(decimal_column, values)


def date_texts(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """parsers.x12_writer.date_column (CCYYMMDD, "" for null), once per distinct value."""
    from parsers.x12_writer import date_column

    return per_value(date_column, values)


def truncated(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Decimals cast to int64, truncated toward zero (Arrow's allow_decimal_truncate), once per distinct value."""
    return per_value(lambda v: pc.cast(v, options=_TRUNC), values)
