"""Elementwise column functions computed once per distinct value: a night's 200,000 lines hold a few
dozen quantities, prices and dates, and Arrow's decimal casts and text building cost far more per row
than one hash pass and one take. Pure; owns no rule about what a value means (the functions it
spreads do: parsers.x12_writer's element texts, the truncating casts of the answer)."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

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
