"""Element syntax of transaction-set segments against a Dictionary, column by column: presence,
type, length, dates and times, complete code lists, composites, repeats and syntax notes (P/R/E/C/L).

One (segment id, position) is checked over all rows of that segment at once (numpy/pyarrow); no
per-segment Python objects. Segment order and loops are rules.structure's; envelopes are rules.envelope's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.x12dict import codes_of_any_version
from schemas.x12dict.model import NOTE_AK4, CompositeDef, Dictionary, ElementDef, ElementUse, SegmentDef, SyntaxNote

_NUMERIC_N = r"^-?\d+$"
# an N value written with its decimal point, as translators fed by spreadsheets write SAC05 "25.00": one point
# and at least one digit (an optional minus); for N0 (no decimal positions) only a whole number ("30.", "30.00")
_STATED_N = r"^-?(\d+\.\d*|\.\d+)$"
_STATED_N0 = r"^-?(\d+\.0*|\.0+)$"
_NUMERIC_R = r"^-?(\d+\.?\d*|\.\d+)([Ee]-?\d+)?$"
_TIME = r"^([01]\d|2[0-3])[0-5]\d([0-5]\d(\d{1,2})?)?$"
_CONTROL = r"[\x00-\x1f\x7f]"
_NOTE_CODE = {"2": "ELEMENT_CONDITIONAL_MISSING", "10": "ELEMENT_EXCLUSION_VIOLATED"}

# report(code, rows, element, values, message): ``rows`` are indexes into the checked rows (ascending,
# one finding each), ``values`` an aligned (string array, index array) pair for the offending values or
# None, ``element`` a reference such as "PO102" or "PO105-01".
Report = Callable[[str, np.ndarray, str, "tuple[pa.Array, np.ndarray] | None", str], None]


class FlatElements:
    """A segment table's elements flattened once: values, each row's first value, element counts, lengths.
    ``delimiter_rows``: rows whose values carry delimiters as data (ISA11, ISA16), ignored by holds()."""

    def __init__(self, elements: pa.ListArray, delimiter_rows: np.ndarray | None = None) -> None:
        self.flat = elements.flatten()
        offsets = elements.offsets.to_numpy()
        self.offsets = offsets[:-1] - offsets[0]
        self.row_len = np.diff(offsets)
        self.lengths = char_lengths(self.flat)
        self.has_control = _has_control_bytes(self.flat)
        self._delimiter_rows = delimiter_rows if delimiter_rows is not None else np.zeros(0, dtype=np.int64)
        self._holds: dict[str, bool] = {}
        self._filled: np.ndarray | None = None  # non-empty values before each flat index (filled_between)

    def filled_between(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Whether some value at flat indexes [lo, hi) is not empty, for each pair (e.g. the elements after
        a segment's last defined one: "DTM*002*20261210***" sends empty ones, which X12 ignores)."""
        if self._filled is None:
            self._filled = np.concatenate(([0], np.cumsum(self.lengths > 0)))
        return self._filled[hi] > self._filled[lo]

    def holds(self, ch: str) -> bool:
        """Whether a value outside the delimiter rows contains ``ch`` (a delimiter: then values must be
        split on it or checked for it); one pass over the bytes, remembered per character."""
        if ch not in self._holds:
            if len(ch.encode()) == 1:
                data = _value_bytes(self.flat)
                hits = np.flatnonzero(data == ord(ch))
                if len(hits) and len(self._delimiter_rows):
                    starts = _value_offsets(self.flat)
                    first = self.offsets[self._delimiter_rows]
                    lo = starts[first] - starts[0]
                    hi = starts[first + self.row_len[self._delimiter_rows]] - starts[0]
                    hits = hits[~_within(hits, lo, hi)]
                self._holds[ch] = bool(len(hits))
            else:
                self._holds[ch] = True  # a multi-byte delimiter: always look
        return self._holds[ch]


@dataclass(slots=True)
class _Items:
    """Values to check: item j is ``flat[at[j]]`` (``length[j]`` characters) of checked row ``row[j]``."""

    flat: pa.Array
    at: np.ndarray
    row: np.ndarray
    length: np.ndarray

    def take(self, mask_or_idx: np.ndarray) -> _Items:
        return _Items(self.flat, self.at[mask_or_idx], self.row[mask_or_idx], self.length[mask_or_idx])

    def values(self) -> pa.Array:
        return self.flat.take(_indices(self.at))


@dataclass(frozen=True, slots=True)
class Context:
    dictionary: Dictionary
    component: str  # the interchange's component separator
    repetition: str  # its repetition separator ("" before 00402, when ISA11 is U, or when no value holds it)
    has_control: bool
    report: Report
    stray_component: bool = False  # some value holds the component separator: look for it in simple elements


def check_segment_elements(fe: FlatElements, seg: SegmentDef, rows: np.ndarray, ctx: Context) -> None:
    """Every element check of segment ``seg`` over ``rows`` (all rows of one segment id that one
    dictionary and one set of delimiters apply to)."""
    seg_id, report = seg.id, ctx.report
    lens = fe.row_len[rows]
    starts = fe.offsets[rows]
    n_def = len(seg.elements)
    last = len(fe.flat) - 1
    every = np.arange(len(rows))
    extra = np.flatnonzero(lens - 1 > n_def)
    if len(extra):  # empty elements after the last defined one are trailing separators, not elements
        extra = extra[fe.filled_between(starts[extra] + n_def + 1, starts[extra] + lens[extra])]
    if len(extra):
        report("ELEMENT_TOO_MANY", extra, f"{seg_id}{n_def + 1:02d}", (fe.flat, starts[extra] + n_def + 1),
               f"{seg_id} has more than {n_def} elements.")
    widest = int(lens.max()) - 1 if len(lens) else 0
    present: dict[int, np.ndarray] = {}
    for use in seg.elements:
        position = use.position
        ref = f"{seg_id}{position:02d}"
        if position > widest:  # no row has this element
            present[position] = np.zeros(len(rows), dtype=bool)
            if use.req == "M":
                report("ELEMENT_MANDATORY_MISSING", every, ref, None, f"{ref} is mandatory.")
            continue
        at = np.minimum(starts + position, last)
        el_len = fe.lengths[at]
        has = (lens > position) & (el_len > 0)
        present[position] = has
        if use.req == "M" and not has.all():
            report("ELEMENT_MANDATORY_MISSING", np.flatnonzero(~has), ref, None, f"{ref} is mandatory.")
        items = _Items(fe.flat, at, every, el_len.astype(np.int32, copy=False))
        if not has.all():
            items = items.take(np.flatnonzero(has))
        if len(items.at):
            _check_use(use, ref, items, ctx)
    for note in seg.notes:
        if _note_may_hit(note, present):
            _check_note(note, seg_id, "", present, len(rows), report)


def _check_use(use: ElementUse, ref: str, items: _Items, ctx: Context) -> None:
    """One position's present values: repeats (when the interchange has a repetition separator),
    then each value as a composite or a simple element."""
    if ctx.repetition:
        values = items.values()
        reps = pc.count_substring(values, ctx.repetition).to_numpy(zero_copy_only=False)
        if reps.any():
            many = np.flatnonzero(reps + 1 > use.repeat)
            if len(many):
                ctx.report("ELEMENT_TOO_MANY_REPEATS", items.row[many], ref, (items.flat, items.at[many]),
                           f"{ref} repeats more than {use.repeat} time(s).")
            pieces = pc.split_pattern(values, ctx.repetition)
            flat = pieces.values
            owner = np.repeat(items.row, np.diff(pieces.offsets.to_numpy()))
            length = char_lengths(flat)
            keep = np.flatnonzero(length > 0)
            items = _Items(flat, keep, owner[keep], length[keep].astype(np.int32, copy=False))
            if not len(keep):
                return
    if use.composite is not None:
        _check_composite(use.composite, ref, items, ctx)
    elif use.element is not None:
        if ctx.stray_component:
            _check_no_component(ref, items, ctx)
        _check_simple(use.element, ref, items, ctx)


def _check_no_component(ref: str, items: _Items, ctx: Context) -> None:
    """A simple element holding the component separator (X12: a delimiter never occurs in data)."""
    hit = np.flatnonzero(pc.match_substring(items.values(), ctx.component).to_numpy(zero_copy_only=False))
    if len(hit):
        ctx.report("ELEMENT_INVALID_CHARACTER", items.row[hit], ref, (items.flat, items.at[hit]),
                   f"{ref} holds the component separator {ctx.component!r}, but it is not a composite.")


def _check_simple(el: ElementDef, ref: str, items: _Items, ctx: Context) -> None:
    """Type, length and code verdicts of present values of one simple element."""
    held = ctx.dictionary.codes(el.ref)
    codes = None if held is None else _accepted_codes(held, el.ref)
    short, long, bad_type, bad_code, stated = _verdicts(items, el, codes, ctx.has_control)
    type_code, type_msg = _type_problem(el, ref)
    for code, mask, msg in (("ELEMENT_TOO_SHORT", short, f"{ref} is shorter than {el.min}."),
                            ("ELEMENT_TOO_LONG", long, f"{ref} is longer than {el.max}."),
                            (type_code, bad_type, type_msg),
                            ("IMPLIED_DECIMAL_STATED", stated, _stated_message(el, ref)),
                            ("ELEMENT_INVALID_CODE", bad_code, f"{ref} is not a code of data element {el.ref}.")):
        if mask is not None and mask.any():
            hit = np.flatnonzero(mask)
            ctx.report(code, items.row[hit], ref, (items.flat, items.at[hit]), msg)


@functools.cache
def _accepted_codes(held: frozenset[str], ref: str) -> frozenset[str]:
    """The codes a complete list ``held`` of element ``ref`` lets through: its own and those any other X12
    version defines (schemas.x12dict.codes_of_any_version), one object per list (_code_array keys on it)."""
    return held | codes_of_any_version(ref)


def _type_problem(el: ElementDef, ref: str) -> tuple[str, str]:
    typ = el.type
    if typ == "N0":
        return "ELEMENT_INVALID_CHARACTER", f"{ref} must be a whole number."
    if typ.startswith("N"):
        return "ELEMENT_INVALID_CHARACTER", f"{ref} must be a number with {typ[1:]} implied decimal(s)."
    if typ == "R":
        return "ELEMENT_INVALID_CHARACTER", f"{ref} must be a decimal number."
    if typ == "DT":
        return "ELEMENT_INVALID_DATE", f"{ref} is not a valid {'YYMMDD' if el.max <= 6 else 'CCYYMMDD'} date."
    if typ == "TM":
        return "ELEMENT_INVALID_TIME", f"{ref} is not a valid time."
    return "ELEMENT_INVALID_CHARACTER", f"{ref} contains control characters (a missing segment terminator?)."


def _stated_message(el: ElementDef, ref: str) -> str:
    if el.type == "N0":
        return (f"{ref} is N0 (a whole number, no decimal point) but was sent with a decimal point: read as the "
                "whole number stated.")
    return (f"{ref} is {el.type} ({el.type[1:]} implied decimal(s), no decimal point) but was sent with a decimal "
            "point: read as the number stated, not shifted.")


def _verdicts(items: _Items, el: ElementDef, codes: frozenset[str] | None, has_control: bool):
    """(too short, too long, bad type, bad code, stated) over the items (None: nothing flagged). Lengths of
    numbers do not count a sign or a decimal point. ``stated``: N values written with one decimal point
    ("25.00" in an N2; a whole "30.00" in an N0), which X12's N type does not carry (its decimals are
    implied) but whose number is unambiguous: IMPLIED_DECIMAL_STATED, a warning, not a bad type."""
    typ = el.type
    if typ == "B":
        return None, None, None, None, None
    digits = items.length
    bad_type = None
    stated = None
    sub = None
    if typ.startswith("N") or typ == "R":
        sub = items.values()
        data = _value_bytes(sub)
        plain = (data >= 48) & (data <= 57)
        if plain.all():
            pass  # digits only (and never empty here): valid, no sign to discount
        elif (plain | (data == 46)).all():
            # digits and points: N is valid without a point; R with at most one, and not "." alone
            dots = pc.count_substring(sub, ".").to_numpy(zero_copy_only=False).astype(np.int32)
            digits = digits - dots
            bad_type = (dots > 1) | ((dots == 1) & (digits == 0))
            if typ != "R":
                stated = (dots == 1) & (digits > 0)
                if typ == "N0" and stated.any():
                    stated &= _matches(sub, _STATED_N0)
                bad_type = (dots > 0) & ~stated
        else:
            signs = pc.add(pc.count_substring(sub, "-"), pc.count_substring(sub, "."))
            digits = digits - signs.to_numpy(zero_copy_only=False).astype(np.int32)
            bad_type = ~_matches(sub, _NUMERIC_R if typ == "R" else _NUMERIC_N)
            if typ != "R" and bad_type.any():
                stated = bad_type & _matches(sub, _STATED_N0 if typ == "N0" else _STATED_N)
                bad_type &= ~stated
    elif typ == "TM":
        sub = items.values()
        bad_type = ~pc.match_substring_regex(sub, _TIME).to_numpy(zero_copy_only=False)
    elif typ == "DT":
        sub = items.values()
        bad_type = ~valid_dates(sub, short=el.max <= 6)
    elif has_control:
        sub = items.values()
        bad_type = pc.match_substring_regex(sub, _CONTROL).to_numpy(zero_copy_only=False)
    if stated is not None and stated.any():
        digits = digits.copy()
        hit = np.flatnonzero(stated)
        digits[hit] = [_implied_length(v, int(typ[1:])) for v in sub.take(_indices(hit)).to_pylist()]
    bad_code = None
    if codes is not None:
        if sub is None:
            sub = items.values()
        bad_code = ~pc.is_in(sub, value_set=_code_array(codes)).to_numpy(zero_copy_only=False)
    return digits < el.min, digits > el.max, bad_type, bad_code, stated


def _implied_length(value: str, places: int) -> int:
    """The length of an N value written with its point as X12 would write it: its digits with the implied
    decimals ("25.00" or "25." in an N2: 2500, 4; "30.00" in an N0: 30, 2; every digit of "25.555": 5)."""
    number = abs(Decimal(value).scaleb(places))
    text = str(int(number)) if number == number.to_integral_value() else f"{number.normalize():f}"
    return len(text.replace(".", "").lstrip("0")) or 1


def _matches(values: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(values, pattern).to_numpy(zero_copy_only=False)


_CODE_ARRAYS: dict[int, tuple[frozenset[str], pa.Array]] = {}


def _code_array(codes: frozenset[str]) -> pa.Array:
    """A code list as the Arrow value set is_in looks values up in, built once per list (a dictionary's
    code lists live as long as the dictionary, which is cached)."""
    hit = _CODE_ARRAYS.get(id(codes))
    if hit is None or hit[0] is not codes:
        hit = _CODE_ARRAYS[id(codes)] = (codes, pa.array(sorted(codes), pa.string()))
    return hit[1]


_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def valid_dates(values: pa.Array, *, short: bool) -> np.ndarray:
    """CCYYMMDD (or YYMMDD with ``short``) dates that exist, column-wise: all digits, month 1-12, the
    day within the month (29 February in leap years only). YY is read as Python's %y does (00-68 ->
    20xx, 69-99 -> 19xx), which for leap years means YY divisible by 4."""
    width = 6 if short else 8
    data = _value_bytes(values)
    if not values.null_count and len(data) == width * len(values) and ((data >= 48) & (data <= 57)).all():
        # the common case: every value is ``width`` digits; read them from the bytes at once
        digits = (data.reshape(-1, width) - 48).astype(np.int32)
        shaped = np.ones(len(values), dtype=bool)
    else:
        shaped = pc.match_substring_regex(values, r"^\d{6}$" if short else r"^\d{8}$").to_numpy(
            zero_copy_only=False)
        if not shaped.any():
            return shaped
        safe = pc.if_else(pa.array(shaped), values, pa.scalar("0" * width, pa.string()))
        digits = (_value_bytes(safe).reshape(-1, width) - 48).astype(np.int32)
    place = 10 ** np.arange(width - 5, -1, -1, dtype=np.int32)
    y = digits[:, : width - 4] @ place
    m = digits[:, width - 4] * 10 + digits[:, width - 3]
    d = digits[:, width - 2] * 10 + digits[:, width - 1]
    leap = (y % 4 == 0) if short else ((y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0)))
    month_ok = (m >= 1) & (m <= 12)
    days = _DAYS[np.where(month_ok, m, 0)] - ((m == 2) & ~leap)
    return shaped & month_ok & (d >= 1) & (d <= days)


def _check_composite(comp: CompositeDef, ref: str, items: _Items, ctx: Context) -> None:
    """A composite's present values: component count, each component's presence, type, length and
    codes, and the composite's syntax notes."""
    values = items.values()
    parts = pc.split_pattern(values, ctx.component) if ctx.component else pa.array(
        [[v] for v in values.to_pylist()], pa.list_(pa.string()))
    offsets = parts.offsets.to_numpy()
    n_parts = np.diff(offsets)
    cflat = parts.values
    clengths = char_lengths(cflat)
    n_def = len(comp.components)
    many = np.flatnonzero(n_parts > n_def)
    if len(many):  # empty trailing components ("UP>123>>") are trailing separators, not components
        filled = np.concatenate(([0], np.cumsum(clengths > 0)))
        many = many[filled[offsets[many + 1]] > filled[offsets[many] + n_def]]
    if len(many):
        ctx.report("ELEMENT_TOO_MANY_COMPONENTS", items.row[many], ref, (items.flat, items.at[many]),
                   f"{ref} ({comp.ref}) has more than {n_def} components.")
    last = max(len(cflat) - 1, 0)
    present: dict[int, np.ndarray] = {}
    for cu in comp.components:
        k = cu.position
        cref = f"{ref}-{k:02d}"
        at = np.minimum(offsets[:-1] + k - 1, last)
        has = (n_parts >= k) & (clengths[at] > 0) if len(cflat) else np.zeros(len(values), dtype=bool)
        present[k] = has
        if cu.req == "M" and not has.all():
            ctx.report("ELEMENT_MANDATORY_MISSING", items.row[~has], cref, None,
                       f"{cref} ({comp.ref}) is mandatory.")
        idx = np.flatnonzero(has)
        if len(idx) and cu.element is not None:
            _check_simple(cu.element, cref, _Items(cflat, at[idx], items.row[idx],
                                                   clengths[at[idx]].astype(np.int32, copy=False)), ctx)
    for note in comp.notes:
        _check_note(note, ref, "-", present, len(values),
                    lambda code, hit, el, v, msg: ctx.report(code, items.row[hit], el, v, msg))


def _note_may_hit(note: SyntaxNote, present: dict[int, np.ndarray]) -> bool:
    """False when _check_note cannot report anything: a P or E note none of whose elements any row has,
    a C or L note whose first element no row has (R always speaks when none is there)."""
    if note.kind not in ("P", "E", "C", "L"):
        return True
    none = np.zeros(0, dtype=bool)
    positions = note.positions[:1] if note.kind in ("C", "L") else note.positions
    return any(present.get(p, none).any() for p in positions)


def _check_note(note: SyntaxNote, prefix: str, sep: str, present: dict[int, np.ndarray], n: int,
                report: Report) -> None:
    """A syntax note over presence masks (position -> bool per row); the AK4 code is X12's for the kind."""
    code = _NOTE_CODE[NOTE_AK4[note.kind]]
    none = np.zeros(n, dtype=bool)
    cols = [present.get(p, none) for p in note.positions]
    names = [f"{prefix}{sep}{p:02d}" for p in note.positions]
    listed = ", ".join(names)

    def hit(mask: np.ndarray, name: str, msg: str) -> None:
        if mask.any():
            report(code, np.flatnonzero(mask), name, None, msg)

    kind = note.kind
    if kind == "P":
        some = np.logical_or.reduce(cols)
        for name, col in zip(names, cols, strict=True):
            hit(some & ~col, name, f"{name} is required when any of {listed} is present ({note.text}).")
    elif kind == "R":
        hit(~np.logical_or.reduce(cols), names[0], f"At least one of {listed} is required ({note.text}).")
    elif kind == "E":
        seen = np.zeros(n, dtype=bool)
        done = np.zeros(n, dtype=bool)
        for name, col in zip(names, cols, strict=True):
            both = col & seen & ~done
            hit(both, name, f"Only one of {listed} may be present ({note.text}).")
            done |= both
            seen |= col
    elif kind == "C":
        for name, col in zip(names[1:], cols[1:], strict=True):
            hit(cols[0] & ~col, name, f"{name} is required when {names[0]} is present ({note.text}).")
    elif kind == "L":
        others = np.logical_or.reduce(cols[1:]) if len(cols) > 1 else none
        hit(cols[0] & ~others, names[1] if len(names) > 1 else names[0],
            f"One of {', '.join(names[1:])} is required when {names[0]} is present ({note.text}).")


def _indices(idx: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.int64(), len(idx), [None, pa.py_buffer(np.ascontiguousarray(idx, np.int64))])


def _within(points: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Whether each point lies in some [lo, hi) (any intervals: overlapping or empty ones too): the
    intervals sorted by start, a point is inside when the furthest end among those starting at or
    before it lies after it. O((points + intervals) log intervals), not points x intervals."""
    order = np.argsort(lo, kind="stable")
    reach = np.maximum.accumulate(hi[order])
    k = np.searchsorted(lo[order], points, side="right") - 1
    return (k >= 0) & (points < reach[np.maximum(k, 0)])


def _value_bytes(strings: pa.Array) -> np.ndarray:
    """The UTF-8 bytes of all values of a string array, concatenated (a view)."""
    if not len(strings) or strings.buffers()[2] is None:
        return np.zeros(0, dtype=np.uint8)
    width = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    offsets = np.frombuffer(strings.buffers()[1], dtype=width)[strings.offset: strings.offset + len(strings) + 1]
    return np.frombuffer(strings.buffers()[2], dtype=np.uint8)[offsets[0]: offsets[-1]]


def _value_offsets(strings: pa.Array) -> np.ndarray:
    width = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    return np.frombuffer(strings.buffers()[1], dtype=width)[strings.offset: strings.offset + len(strings) + 1]


def char_lengths(flat: pa.Array) -> np.ndarray:
    """Characters per value (utf8_length); from the value offsets when the data is ASCII."""
    if not len(flat):
        return np.zeros(0, dtype=np.int32)
    data = flat.buffers()[2] if not flat.null_count else None
    if data is not None and not pa.types.is_large_string(flat.type):
        b = np.frombuffer(data, dtype=np.uint8)
        if not len(b) or int(b.max()) < 0x80:
            value_offsets = np.frombuffer(flat.buffers()[1], dtype=np.int32)[flat.offset: flat.offset + len(flat) + 1]
            return np.diff(value_offsets)
    return pc.fill_null(pc.utf8_length(flat), 0).to_numpy(zero_copy_only=False)


def _has_control_bytes(flat: pa.Array) -> bool:
    """Whether any value holds a byte below 0x20 or 0x7f (UTF-8 continuation bytes are >= 0x80)."""
    data = flat.buffers()[2] if len(flat) else None
    if data is None:
        return False
    b = np.frombuffer(data, dtype=np.uint8)
    return bool(((b < 0x20) | (b == 0x7F)).any())
