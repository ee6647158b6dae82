"""Byte-level X12 tokeniser: one run of UTF-8 text (single-character ASCII delimiters) to the
list<string> segment table, with numpy over the bytes and no Python object per segment.

Owns only the fast path of parsers.x12_reader._tokenise_run and must give exactly its output; it
answers None for anything it does not handle (the reader then takes the general path).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

# What pyarrow's utf8_ltrim_whitespace strips among ASCII (same as str.isspace).
_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_MAX_OFFSET = 2**31 - 1


def tokenise_bytes(buf, element: str, segment: str, component: str, term_is_space: bool):
    """Split ``buf`` (UTF-8, starting at an ISA) into element rows.

    Returns (rows, segment_strings_of_later_isas, empty_inside, trailing_component_count) or None
    when the input needs the general path (multi-byte delimiters, Unicode whitespace at a segment
    start, a buffer too large for 32-bit offsets).
    """
    if any(len(c) != 1 or ord(c) > 127 for c in (element, segment, component)):
        return None
    b = np.frombuffer(buf, dtype=np.uint8)
    n = len(b)
    if n >= _MAX_OFFSET:
        return None
    sep, term = ord(element), ord(segment)
    # one pass for every element separator and segment terminator, in byte order
    is_term = b == term
    boundary = b == sep
    boundary |= is_term
    positions = np.flatnonzero(boundary).astype(np.int32)  # buffers are < 2 GiB here
    keep = np.logical_not(boundary, out=boundary)  # the bytes kept: not a delimiter, not stripped (below)
    del is_term
    at_term = b[positions] == term
    term_at = np.flatnonzero(at_term)  # index in ``positions`` of each terminator
    terms = positions[term_at]
    del at_term
    # element separators per raw segment (the text between two terminators)
    per_raw = np.empty(len(terms) + 1, dtype=np.int64)
    per_raw[:-1] = term_at
    per_raw[-1] = len(positions)
    per_raw[1:] -= term_at + 1
    starts = np.empty(len(terms) + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = terms + 1
    ends = np.empty(len(terms) + 1, dtype=np.int64)
    ends[:-1] = terms
    ends[-1] = n
    del terms
    raw_starts, raw_ends = starts.copy(), ends.copy()
    # strip leading whitespace, then trailing CR/LF (and blanks when line breaks terminate)
    active = np.flatnonzero(starts < ends)
    while len(active):
        active = active[_ASCII_SPACE[b[starts[active]]]]
        starts[active] += 1
        active = active[starts[active] < ends[active]]
    tail = np.zeros(256, dtype=bool)
    tail[[10, 13] + ([32] if term_is_space else [])] = True
    active = np.flatnonzero(starts < ends)
    while len(active):
        active = active[tail[b[ends[active] - 1]]]
        ends[active] -= 1
        active = active[starts[active] < ends[active]]
    nonempty = starts < ends
    first = b[starts[nonempty]]
    if (first > 127).any():
        return None  # a segment might open with Unicode whitespace: leave it to pyarrow
    empty_inside = int(len(nonempty) - np.count_nonzero(nonempty)) - (0 if nonempty[-1] else 1)
    kept = np.flatnonzero(nonempty)
    del nonempty, first
    # ISAs after the first: the caller checks their delimiters
    long3 = kept[ends[kept] - starts[kept] >= 3]
    s3 = starts[long3]
    isa_rows = long3[(b[s3] == 73) & (b[s3 + 1] == 83) & (b[s3 + 2] == 65)]
    later_isas = [bytes(b[starts[k]: ends[k]]).decode("utf-8") for k in isa_rows[1:].tolist()]
    del long3, s3
    trailing = 0
    if len(kept) and component not in "\r\n":
        hit = kept[b[ends[kept] - 1] == ord(component)]
        trailing = len(hit)
        if trailing >= max(2, len(kept) // 2):
            ends[hit] -= 1
        else:
            trailing = 0
    # the stripped bytes (whole raw segments when empty) are not kept: ranges [raw_start, start) and [end, raw_end)
    empty = starts >= ends
    starts[empty] = raw_ends[empty]
    if not _drop_ranges(keep, b, sep, raw_starts, starts) or not _drop_ranges(keep, b, sep, ends, raw_ends):
        return None
    del raw_starts, raw_ends, empty
    if len(kept) == len(starts) or (len(kept) == len(starts) - 1 and len(kept) and kept[-1] == len(kept) - 1):
        # every raw segment is kept, but perhaps the last (the usual line break after the last terminator)
        rows = _rows_dense(b, keep, positions, term_at, starts, ends, per_raw, len(kept))
    else:
        is_sep = np.ones(len(positions), dtype=bool)
        is_sep[term_at] = False
        rows = _rows(b, keep, starts[kept], ends[kept], positions[is_sep], per_raw[kept])
    if rows is None:
        return None
    return rows, later_isas, empty_inside, trailing


def _drop_ranges(keep: np.ndarray, b: np.ndarray, sep: int, lo: np.ndarray, hi: np.ndarray) -> bool:
    """Clear ``keep`` over every [lo, hi); False when one of those bytes is an element separator
    (a separator outside every segment: not expected, the general path decides)."""
    lengths = hi - lo
    some = np.flatnonzero(lengths > 0)
    if not len(some):
        return True
    lo, lengths = lo[some], lengths[some]
    if int(lengths.max()) == 1:
        idx = lo  # one byte per range (the usual line break after each terminator)
    else:
        total = int(lengths.sum())
        first = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(lengths[:-1], out=first[1:])
        idx = np.arange(total, dtype=np.int64)
        idx += np.repeat(lo - first, lengths)
    if (b[idx] == sep).any():
        return False
    keep[idx] = False
    return True


def _rows_dense(b: np.ndarray, keep: np.ndarray, positions: np.ndarray, term_at: np.ndarray, starts: np.ndarray,
                ends: np.ndarray, per_raw: np.ndarray, n_kept: int) -> pa.ListArray | None:
    """_rows when the kept segments are the first ``n_kept`` raw segments: the elements are then the runs
    between consecutive delimiters (``positions``), with each segment's first start and last end
    moved to its stripped bounds, and none of _rows' per-element masks."""
    per_segment = per_raw[:n_kept]
    if per_raw[n_kept:].any():
        return None  # a separator outside every segment: not expected, let the general path decide
    list_offsets = np.zeros(n_kept + 1, dtype=np.int64)
    np.cumsum(per_segment + 1, out=list_offsets[1:])
    m = int(list_offsets[-1])
    # raw element k runs from just after delimiter k-1 to delimiter k (the first from 0, the last to the end)
    el_start = np.empty(len(positions) + 1, dtype=np.int32)
    el_start[0] = 0
    np.add(positions, 1, out=el_start[1:])
    el_end = np.empty(len(positions) + 1, dtype=np.int32)
    el_end[:-1] = positions
    el_end[-1] = len(b)
    # a raw segment's first element starts after the terminator (+ stripped bytes), its last ends before
    # the next terminator (- stripped bytes)
    first_el = np.empty(len(starts), dtype=np.int64)
    first_el[0] = 0
    first_el[1:] = term_at + 1
    last_el = np.empty(len(starts), dtype=np.int64)
    last_el[:-1] = term_at
    last_el[-1] = len(positions)
    el_start[first_el[:n_kept]] = starts[:n_kept]
    el_end[last_el[:n_kept]] = ends[:n_kept]
    return _list_array(b, keep, el_start[:m], el_end[:m], list_offsets)


def _compress(b: np.ndarray, keep: np.ndarray):
    """The bytes of ``b`` where ``keep`` (Arrow's filter: faster than numpy's boolean indexing here)."""
    data = pa.Array.from_buffers(pa.uint8(), len(b), [None, pa.py_buffer(b)])
    mask = pa.Array.from_buffers(pa.bool_(), len(keep), [None, pa.py_buffer(np.packbits(keep, bitorder="little"))])
    kept = data.filter(mask)
    if not len(kept):
        return np.zeros(0, dtype=np.uint8)
    return np.frombuffer(kept.buffers()[1], dtype=np.uint8)[kept.offset: kept.offset + len(kept)]


def _rows(b: np.ndarray, keep: np.ndarray, starts: np.ndarray, ends: np.ndarray, seps: np.ndarray,
          per_segment: np.ndarray) -> pa.ListArray | None:
    """Segments [starts, ends) of ``b`` split at ``seps`` as a list<string> array (one copy of the bytes)."""
    if int(per_segment.sum()) != len(seps):
        return None  # a separator outside every segment: not expected, let the general path decide
    list_offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(per_segment + 1, out=list_offsets[1:])
    m = int(list_offsets[-1])
    is_first = np.zeros(m, dtype=bool)
    is_first[list_offsets[:-1]] = True
    is_last = np.zeros(m, dtype=bool)
    is_last[list_offsets[1:] - 1] = True
    el_start = np.empty(m, dtype=np.int32)
    el_start[is_first] = starts
    el_start[~is_first] = seps + 1
    el_end = np.empty(m, dtype=np.int32)
    el_end[is_last] = ends
    el_end[~is_last] = seps
    del is_first, is_last, seps
    return _list_array(b, keep, el_start, el_end, list_offsets)


def _list_array(b: np.ndarray, keep: np.ndarray, el_start: np.ndarray, el_end: np.ndarray,
                list_offsets: np.ndarray) -> pa.ListArray | None:
    """The kept bytes of ``b`` as list<string>: elements [el_start, el_end) in kept-byte coordinates,
    grouped by ``list_offsets``; None when the lengths do not add up (the caller takes the general path)."""
    m = len(el_start)
    values = _compress(b, keep)
    offsets = np.zeros(m + 1, dtype=np.int32)
    np.cumsum(el_end - el_start, out=offsets[1:])
    if int(offsets[-1]) != len(values):
        return None
    strings = pa.StringArray.from_buffers(m, pa.py_buffer(offsets), pa.py_buffer(values))
    return pa.ListArray.from_arrays(int32_array(list_offsets), strings)


def int32_array(values: np.ndarray) -> pa.Array:
    """A numpy integer array as an Arrow int32 array (without pa.array, which imports pandas)."""
    values = np.ascontiguousarray(values, dtype=np.int32)
    return pa.Array.from_buffers(pa.int32(), len(values), [None, pa.py_buffer(values)])
