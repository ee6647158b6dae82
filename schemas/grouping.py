"""Rows grouped by key, in columns: key columns as dense integer codes (encode), rows grouped by such a
code and reduced with numpy (Groups), and the first or running-count row of each group. Shared by the
rules and the engine (both sit above schemas); nothing here knows about orders, documents or money.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def sort_order(key: np.ndarray) -> np.ndarray:
    """A stable order sorting ``key`` (int64); no sort at all when it is sorted already."""
    if len(key) < 2 or bool(np.all(key[1:] >= key[:-1])):
        return np.arange(len(key))
    return np.argsort(key, kind="stable")


def in_key_order(table: pa.Table, keys: Sequence[str | tuple[str, str]], *, strict: bool = False) -> bool:
    """Whether ``table``'s rows stand already where a stable sort on ``keys`` would put them (each key a
    column name, ascending, or (name, "ascending" | "descending"); byte order for text): each row compared
    with the next a column at a time, a few column operations where a sort would order whole rows.
    ``strict``: each row's keys also differ from the next row's (no two rows share them). False where a
    key column holds a null or a NaN (the sort decides where those go); a table of fewer than two rows
    always is in order."""
    n = table.num_rows
    if n < 2:
        return True
    ordered = None  # row i stands before row i + 1 (or, not strict, ties with it) on the keys from this one on
    for key in reversed(list(keys)):
        name, direction = (key, "ascending") if isinstance(key, str) else key
        column = table[name]
        if column.null_count:
            return False
        before, after = column.slice(0, n - 1), column.slice(1)
        precedes = pc.less(before, after) if direction == "ascending" else pc.greater(before, after)
        if ordered is None:
            ordered = precedes if strict else pc.or_(precedes, pc.equal(before, after))
        else:
            ordered = pc.or_(precedes, pc.and_(pc.equal(before, after), ordered))
    return pc.all(ordered).as_py() is True


def densify(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Non-negative int64 values as dense codes 0..k-1 in value order, and k (no sort for small ranges)."""
    if not len(values):
        return np.zeros(0, np.int64), 0
    top = int(values.max()) + 1
    if top <= 4 * len(values) + 1024:
        seen = np.zeros(top, bool)
        seen[values] = True
        remap = np.cumsum(seen) - 1
        return remap[values].astype(np.int64), int(seen.sum())
    uniq, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.int64).reshape(-1), len(uniq)


class Groups:
    """Rows grouped by an integer key 0..n-1 (e.g. a line index), reduced with numpy reduceat."""

    def __init__(self, key: np.ndarray, n: int) -> None:
        key = np.asarray(key, np.int64)
        self.n = n
        self.order = sort_order(key)
        sorted_key = key[self.order]
        m = len(sorted_key)
        self.starts = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1] if m else np.zeros(0, np.int64)
        self.keys = sorted_key[self.starts]
        counts = np.diff(np.r_[self.starts, m])
        self.count = np.zeros(n, np.int64)
        self.count[self.keys] = counts
        self.start = np.full(n, -1, np.int64)
        self.start[self.keys] = self.starts

    def _reduce(self, ufunc, values: np.ndarray, fill) -> np.ndarray:
        values = np.asarray(values)
        out = np.full(self.n, fill, dtype=np.result_type(values.dtype, np.asarray(fill).dtype))
        if len(self.keys):
            out[self.keys] = ufunc.reduceat(values[self.order], self.starts)
        return out

    def sum(self, values: np.ndarray) -> np.ndarray:
        return self._reduce(np.add, np.asarray(values, np.int64), 0)

    def min(self, values: np.ndarray, fill) -> np.ndarray:
        return self._reduce(np.minimum, values, fill)

    def max(self, values: np.ndarray, fill) -> np.ndarray:
        return self._reduce(np.maximum, values, fill)

    def any(self, mask: np.ndarray) -> np.ndarray:
        return self._reduce(np.logical_or, np.asarray(mask, bool), False)

    def all(self, mask: np.ndarray) -> np.ndarray:
        """True for groups with rows that all hold (False for empty groups)."""
        return self._reduce(np.logical_and, np.asarray(mask, bool), True) & (self.count > 0)

    def first(self) -> np.ndarray:
        """The first row (in input order) of each group, -1 where the group is empty."""
        out = np.full(self.n, -1, np.int64)
        out[self.keys] = self.order[self.starts]
        return out

    def running(self, flags: np.ndarray) -> np.ndarray:
        """For each row, how many rows of its group up to it (itself included, in input order) are flagged."""
        flagged = np.asarray(flags, np.int64)[self.order]
        counts = np.cumsum(flagged)
        before = (counts - flagged)[self.starts]
        out = np.empty(len(flagged), np.int64)
        out[self.order] = counts - np.repeat(before, np.diff(np.r_[self.starts, len(flagged)]))
        return out

    def expand(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each entry of ``groups`` (with repeats), every row of that group: (entry position, row)."""
        groups = np.asarray(groups, np.int64)
        counts = self.count[groups]
        total = int(counts.sum())
        position = np.repeat(np.arange(len(groups)), counts)
        begin = np.repeat(self.start[groups], counts)
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        return position, self.order[begin + within]


def first_rows(key: np.ndarray, where: np.ndarray | None = None, n: int | None = None) -> np.ndarray:
    """For each key 0..n-1 (n: one past the largest key by default), its first row where ``where``
    holds (every row by default), -1 for none."""
    key = np.asarray(key, np.int64)
    n = int(key.max(initial=-1)) + 1 if n is None else n
    rows = np.arange(len(key)) if where is None else np.flatnonzero(where)
    first = Groups(key[rows], n).first()
    out = np.full(n, -1, np.int64)
    hit = first >= 0
    out[hit] = rows[first[hit]]
    return out


def is_first(key: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    """A row mask: the rows that are the first of their key (the first where ``where`` holds)."""
    first = first_rows(key, where)
    out = np.zeros(len(key), bool)
    out[first[first >= 0]] = True
    return out


def encode(*columns: pa.Array | pa.ChunkedArray | np.ndarray) -> tuple[np.ndarray, int]:
    """Rows of equal-length key columns (Arrow columns, or numpy arrays of codes >= 0) as dense int64
    codes 0..k-1, and k. Equal rows get equal codes (null is a value of its own); codes follow the
    sorted order of the per-column codes (stable for the same input, not meaningful)."""
    if not len(columns) or not len(columns[0]):
        return np.zeros(0, np.int64), 0
    combined: np.ndarray | None = None
    for column in columns:
        code, width = _column_codes(column)
        if combined is None:
            combined = code
            continue
        if (int(combined.max(initial=0)) + 1) * width >= 2**62:
            combined, _ = densify(combined)
        combined = combined * width + code
    assert combined is not None
    return densify(combined)


def _column_codes(column: pa.Array | pa.ChunkedArray | np.ndarray) -> tuple[np.ndarray, int]:
    """One key column as int64 codes 0..width-1 (null is its own code)."""
    if isinstance(column, np.ndarray):
        code = column.astype(np.int64, copy=False)
        return code, int(code.max(initial=0)) + 1
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    typ = arr.type
    if pa.types.is_integer(typ) or pa.types.is_timestamp(typ) or pa.types.is_date(typ):
        values = pc.cast(pc.cast(arr, pa.int32()) if pa.types.is_date(typ) else arr, pa.int64())
        present = pc.is_valid(values).to_numpy(zero_copy_only=False) if values.null_count else None
        v = (pc.fill_null(values, 0) if present is not None else values).to_numpy(zero_copy_only=False)
        lo = int(v.min(initial=0))
        span = int(v.max(initial=0)) - lo + 2
        if span < 2**31:
            code = v - (lo - 1)
        else:
            uniq, inverse = np.unique(v, return_inverse=True)
            code, span = inverse.reshape(-1).astype(np.int64) + 1, len(uniq) + 1
        return (code if present is None else np.where(present, code, 0)), span  # (no null: no mask pass)
    encoded = pc.cast(arr, pa.string()).dictionary_encode()
    indices = encoded.indices
    if not indices.null_count:
        code = indices.to_numpy().astype(np.int64)
        code += 1
        return code, len(encoded.dictionary) + 1
    present = pc.is_valid(indices).to_numpy(zero_copy_only=False)
    code = pc.fill_null(indices, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.where(present, code + 1, 0), len(encoded.dictionary) + 1


def paired_codes(left: Sequence[pa.Array | pa.ChunkedArray], right: Sequence[pa.Array | pa.ChunkedArray]
                 ) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """The rows of two tables' key columns (``left`` and ``right``, column by column of one type once cast
    to the right's) encoded together: (the left rows' codes, the right rows' codes, the number of codes,
    which left rows have every key present). Equal rows get equal codes on either side."""
    n = len(left[0]) if left else 0
    columns = []
    for a, b in zip(left, right, strict=True):
        a = a.cast(b.type) if a.type != b.type else a
        chunks = [*(a.chunks if isinstance(a, pa.ChunkedArray) else [a]),
                  *(b.chunks if isinstance(b, pa.ChunkedArray) else [b])]
        columns.append(pa.chunked_array(chunks, b.type))
    code, k = encode(*columns)
    present = np.ones(n, bool)
    for a in left:
        if a.null_count:
            present &= pc.is_valid(a).to_numpy(zero_copy_only=False)
    return code[:n], code[n:], k, present


def lookup(left: Sequence[pa.Array | pa.ChunkedArray], right: Sequence[pa.Array | pa.ChunkedArray]
           ) -> np.ndarray | None:
    """For each row of the ``left`` key columns, the row of the ``right`` key columns with equal keys as a
    join pairs them (a null key pairs with nothing), -1 where none; None when two rows of ``right`` have
    equal keys (a join would repeat the left row: the caller joins). Where ``right`` holds no null key,
    each left value is found among ``right``'s distinct ones (``right`` hashed, not both sides together)."""
    codes = _right_codes(left, right)
    return _places(*codes) if codes is not None else _paired_lookup(left, right)


def _paired_lookup(left: Sequence[pa.Array | pa.ChunkedArray], right: Sequence[pa.Array | pa.ChunkedArray]
                   ) -> np.ndarray | None:
    """lookup through both sides' keys encoded together (paired_codes): any keys, nulls on the right too."""
    mine, theirs, k, present = paired_codes(left, right)
    at = np.full(k, -1, np.int64)
    at[theirs] = np.arange(len(theirs))
    if len(theirs) and int(np.bincount(theirs, minlength=k).max()) > 1:
        return None
    return np.where(present, at[mine], -1)


def _right_codes(left: Sequence[pa.Array | pa.ChunkedArray], right: Sequence[pa.Array | pa.ChunkedArray]
                 ) -> tuple[np.ndarray, np.ndarray, int] | None:
    """One int64 code per ``left`` row and per ``right`` row, equal exactly when every key is: each
    column's values numbered by their place among ``right``'s distinct ones; -1 for a left row holding a
    null or a value ``right`` lacks; with the number of codes there can be. None when ``right`` holds a
    null key, or more combinations than an int64."""
    n = len(left[0]) if left else 0
    mine = np.zeros(n, np.int64)
    theirs = np.zeros(len(right[0]) if right else 0, np.int64)
    missing = np.zeros(n, bool)
    span = 1
    for a, b in zip(left, right, strict=True):
        b = b.combine_chunks() if isinstance(b, pa.ChunkedArray) else b
        a = a.cast(b.type) if a.type != b.type else a
        encoded = pc.dictionary_encode(b)
        size = len(encoded.dictionary)
        span *= size
        if encoded.indices.null_count or span >= 2**62:
            return None
        theirs = theirs * size + encoded.indices.to_numpy(zero_copy_only=False)
        at = pc.index_in(a, value_set=encoded.dictionary)
        missing |= pc.is_null(at).to_numpy(zero_copy_only=False)
        mine = mine * size + pc.fill_null(at, 0).to_numpy(zero_copy_only=False)
    return np.where(missing, -1, mine), theirs, span


def _places(mine: np.ndarray, theirs: np.ndarray, span: int) -> np.ndarray | None:
    """For each code of ``mine``, where the same code stands in ``theirs`` (-1: nowhere, as for the code
    -1); None when ``theirs`` holds a code twice. Codes below ``span``: a slot per code when that is not
    much more than the rows, else a binary search of the sorted codes."""
    if not len(theirs):
        return np.full(len(mine), -1, np.int64)
    if span <= 8 * (len(mine) + len(theirs)) + 1024:
        slot = np.full(span + 1, -1, np.int64)  # the last slot stays -1: the code -1's
        slot[theirs] = np.arange(len(theirs))
        return slot[mine] if np.count_nonzero(slot >= 0) == len(theirs) else None
    order = np.argsort(theirs, kind="stable")
    ranked = theirs[order]
    if (ranked[1:] == ranked[:-1]).any():
        return None
    at = np.minimum(np.searchsorted(ranked, mine), len(ranked) - 1)
    return np.where(ranked[at] == mine, order[at], -1)


def joined(table: pa.Table, right: pa.Table, keys: Sequence[str]) -> pa.Table | None:
    """``table`` left outer joined with ``right`` on ``keys`` as Table.join then a sort back to
    ``table``'s row order gives it (``table``'s columns, then ``right``'s others; null where no row
    pairs), found with lookup; None when two rows of ``right`` share their keys."""
    row = lookup([table[k] for k in keys], [right[k] for k in keys])
    if row is None:
        return None
    hit = row >= 0
    take = pa.array(np.maximum(row, 0)) if right.num_rows else None
    missing = None if hit.all() else pa.array(~hit)
    out = {c: table[c] for c in table.column_names}
    for c in right.column_names:
        if c in keys:
            continue
        typ = right.schema.field(c).type
        if take is None:
            out[c] = pa.nulls(table.num_rows, typ)
            continue
        column = right[c].take(take)
        out[c] = column if missing is None else pc.if_else(missing, pa.scalar(None, typ), column)
    return pa.table(out)


def per_distinct(values: pa.Array | pa.ChunkedArray, convert) -> pa.Array:
    """``convert(values)`` for an element-wise ``convert`` (a cast, a date parse), computed once per distinct
    value and spread over the rows (a night's quantities, prices, dates and times repeat few values)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)
    return convert(encoded.dictionary).take(encoded.indices)
