"""X12 dates (data element type DT), read strictly: CCYYMMDD (8 digits, versions 004010 on) or YYMMDD
(6 digits, the versions before it, 003010-003070). Any other length, a character other than a digit, or
a day the calendar does not have (20260230) is no date: null (None), never a neighbouring day. Arrow's
strptime alone is lenient ('2026112' gives 2026-11-02, '20260230' gives 2026-03-02, and '261127' read as
CCYYMMDD gives 2611-02-07), so a value counts only if writing the date back gives the same text.

YY takes the century POSIX's ``%y`` gives it (69-99: 19xx, 00-68: 20xx). Whether a 6-digit date is
allowed in a given version is the element checks' question (rules.elements), not this module's: here
each value is read as what it can only be.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.orders import DATE_TWINS


def dates(values: pa.Array) -> pa.Array:
    """DT values (strings) as date32; what is not a date, null. The usual column (CCYYMMDD values of
    years 1000-9999, or none at all) is checked by its year, month and day instead of writing every
    date back as text (Arrow's strftime was most of the cost): the same result as `_written_back`.

    003070 made the date of its beginning segments (BEG05, BCH06/BCH10/BCH11, BAK04, BCA06 ...) a composite of
    the YYMMDD date and its century (``261123>20``, as Bots' 003070 grammar holds it): such a value (six digits, a
    component separator, two digits) is read as the century's CCYYMMDD."""
    text = values.cast(pa.string())
    n = len(text)
    if text.null_count == n:
        return pa.nulls(n, pa.date32())
    long, short = _kinds(text)
    if (pc.sum(pc.or_(long, short)).as_py() or 0) < n - text.null_count:  # values of neither kind: a composite?
        composite = _with_century(text)
        if composite is not text:
            text = composite
            long, short = _kinds(text)
    if pc.any(short).as_py() or pc.any(pc.and_(long, pc.starts_with(text, "0"))).as_py():
        return _written_back(text, long, short)
    # made here, not at import: pa.scalar looks for pandas, which short commands keep out (flows.lean)
    no_text, no_time = pa.scalar(None, pa.string()), pa.scalar(None, pa.timestamp("s"))
    kept = pc.if_else(long, text, no_text)
    stamp = pc.strptime(kept, format="%Y%m%d", unit="s", error_is_null=True)
    # a 4-digit year, then month and day: written back as %Y%m%d, the text again iff the same number
    back = pc.add(pc.add(pc.multiply(pc.year(stamp), 10000), pc.multiply(pc.month(stamp), 100)), pc.day(stamp))
    same = pc.fill_null(pc.equal(back, pc.cast(kept, pa.int64())), False)
    return pc.cast(pc.if_else(same, stamp, no_time), pa.date32())


# DTM05 date time period format qualifiers (code list 1250) whose DTM06 starts with a date: D6 (YYMMDD), D8
# (CCYYMMDD), DT (CCYYMMDDHHMM), DTS (CCYYMMDDHHMMSS...); ranges (RD8 CCYYMMDD-CCYYMMDD, RD6, RDT) give two
_PERIOD_DATE = {"D6": 6, "D8": 8, "DT": 8, "DTS": 8}
_PERIOD_RANGE = {"RD6": 6, "RD8": 8, "RDT": 8}


def dtm_date(dtm02: pa.Array, dtm05: pa.Array, dtm06: pa.Array, *, end: bool = False,
             dtm07: pa.Array | None = None) -> pa.Array:
    """The date text of DTM segments (strings, one per segment): DTM02 when sent, else the date in DTM06 as
    DTM05 says it is written (``DTM*002****D8*20261215``: X12 lets a DTM give its date so, R020305). A range
    (``RD8*20261205-20261208``) gives its first date, or its last with ``end`` (a latest acceptable date:
    cancel after, ship no later). Null where neither says a date; reading the text is ``dates``' work.

    Before 004010 the DTM had one more element: DTM05 the century (624, ``DTM*002*261215***20``), DTM06 the
    format qualifier and DTM07 the period (003040-003070: ``DTM*002*****D6*261215``, R020306); 004010 took the
    century out, so a later DTM has no seventh element and its DTM05 is a code, never two digits. A DTM sending
    DTM07 (``dtm07``) is read in the earlier layout, and a two-digit DTM05 before a YYMMDD DTM02 is the
    year's century: ``20`` + ``261215``, CCYYMMDD."""
    dtm02, dtm05, dtm06 = (a.cast(pa.string()) for a in (dtm02, dtm05, dtm06))
    if dtm07 is not None and dtm07.null_count < len(dtm07):
        dtm07 = dtm07.cast(pa.string())
        early = pc.is_valid(dtm07)
        dtm05, dtm06 = pc.if_else(early, dtm06, dtm05), pc.if_else(early, dtm07, dtm06)
    if dtm05.null_count < len(dtm05):
        century = pc.fill_null(pc.and_(pc.match_substring_regex(dtm05, r"^[0-9]{2}$"),
                                       pc.match_substring_regex(dtm02, r"^[0-9]{6}$")), False)
        if pc.any(century).as_py():
            dtm02 = pc.if_else(century, pc.binary_join_element_wise(dtm05, dtm02, ""), dtm02)
            dtm05 = pc.if_else(century, pa.scalar(None, pa.string()), dtm05)
    if dtm06.null_count == len(dtm06):
        return dtm02
    out = pa.nulls(len(dtm02), pa.string())
    for codes, ranged in ((_PERIOD_DATE, False), (_PERIOD_RANGE, True)):
        for code, width in codes.items():
            hit = pc.fill_null(pc.equal(dtm05, code), False)
            if not pc.any(hit).as_py():
                continue
            text = _range_part(dtm06, end) if ranged else dtm06
            out = pc.if_else(hit, pc.utf8_slice_codeunits(text, 0, width), out)
    return pc.if_else(pc.is_valid(dtm02), dtm02, out)


def dtm_window(dtm02: pa.Array, dtm05: pa.Array, dtm06: pa.Array, *,
               dtm07: pa.Array | None = None) -> tuple[pa.Array, pa.Array]:
    """(first, last) date texts of the DTM segments that give their date as a range and no DTM02 (DTM05 RD8, RD6 or
    RDT: ``DTM*010****RD8*20261221-20261230``, as dtm_date reads them, DTM07 layout before 004010 included); null
    for every other DTM. A requested ship date so sent is a ship window: parsers.orders_850 and orders_860 keep its
    dates as the window's opening and end (DTM 037 / 038) where none of those is sent."""
    eff05 = dtm05.cast(pa.string())
    if dtm07 is not None and dtm07.null_count < len(dtm07):
        eff05 = pc.if_else(pc.is_valid(dtm07.cast(pa.string())), dtm06.cast(pa.string()), eff05)
    no_date = pc.or_(pc.is_null(dtm02), pc.equal(pc.fill_null(dtm02.cast(pa.string()), ""), ""))
    ranged = pc.fill_null(pc.and_(no_date, pc.is_in(eff05, value_set=pa.array(list(_PERIOD_RANGE)))), False)
    none = pa.nulls(len(dtm02), pa.string())
    if not pc.any(ranged).as_py():
        return none, none
    return tuple(pc.if_else(ranged, dtm_date(dtm02, dtm05, dtm06, end=end, dtm07=dtm07), none)
                 for end in (False, True))


def _range_part(ranges: pa.Array, end: bool) -> pa.Array:
    """The first (or, with ``end``, the second) of each ``start-end`` text; null where it has no such part."""
    parts = pc.split_pattern(ranges, "-", max_splits=1)
    k = 1 if end else 0
    has = pc.fill_null(pc.greater(pc.list_value_length(parts), k), False)
    safe = pc.if_else(has, parts, pa.scalar(["", ""], parts.type))
    return pc.if_else(has, pc.list_element(safe, k), pa.scalar(None, pa.string()))


# 003070's date composite: YYMMDD, the component separator (never a letter or digit), the century
_COMPOSITE_PATTERN = r"^[0-9]{6}[^0-9A-Za-z][0-9]{2}$"
_COMPOSITE = re.compile(_COMPOSITE_PATTERN[1:-1])


def _with_century(text: pa.Array) -> pa.Array:
    """``text`` with each 003070 date composite (``261123>20``) written as the CCYYMMDD it says (``20261123``)."""
    composite = pc.fill_null(pc.match_substring_regex(text, _COMPOSITE_PATTERN), False)
    if not pc.any(composite).as_py():
        return text
    return pc.if_else(composite, pc.binary_join_element_wise(pc.utf8_slice_codeunits(text, 7, 9),
                                                              pc.utf8_slice_codeunits(text, 0, 6), ""), text)


def _kinds(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(8 digits, 6 digits) of each value, False for null."""
    digits = pc.fill_null(pc.match_substring_regex(text, r"^(?:[0-9]{6}|[0-9]{8})$"), False)
    long = pc.fill_null(pc.equal(pc.utf8_length(text), 8), False)
    return pc.and_(digits, long), pc.and_(digits, pc.invert(long))


def _written_back(text: pa.Array, long: pa.Array, short: pa.Array) -> pa.Array:
    """dates of any strings (``_kinds``: 6- and 8-digit values, any year): each read, written back with
    strftime and kept when it gives the text again."""
    no_text, no_time = pa.scalar(None, pa.string()), pa.scalar(None, pa.timestamp("s"))
    stamp = pc.if_else(long, pc.strptime(pc.if_else(long, text, no_text), format="%Y%m%d", unit="s",
                                         error_is_null=True),
                       pc.strptime(pc.if_else(short, text, no_text), format="%y%m%d", unit="s", error_is_null=True))
    back = pc.if_else(long, pc.strftime(stamp, format="%Y%m%d"), pc.strftime(stamp, format="%y%m%d"))
    same = pc.fill_null(pc.equal(back, text), False)
    return pc.cast(pc.if_else(same, stamp, no_time), pa.date32())


def parse(text: str | None) -> date | None:
    """One DT value as a date; what is not a date, None (003070's date and century composite, ``261123>20``, as
    ``dates`` reads it)."""
    if text and len(text) == 9 and _COMPOSITE.fullmatch(text):
        text = text[7:] + text[:6]
    if not text or not text.isascii() or not text.isdigit() or len(text) not in (6, 8):
        return None
    try:
        return datetime.strptime(text, "%Y%m%d" if len(text) == 8 else "%y%m%d").date()
    except ValueError:
        return None


def first_dated(quals: pa.Array, slots: np.ndarray, qual: str) -> np.ndarray:
    """Which DTM is read as ``qual`` (a DTM01 whose date we keep) in each slot (an 850's heading, a PO1 loop's
    own part): positions into ``quals`` (the DTM01s, in segment order) and ``slots`` (each DTM's slot), ascending,
    one per slot at most: the slot's first DTM of ``qual`` itself, else the first of its first twin the slot
    sends (schemas.orders.DATE_TWINS: 175 Cancel if Not Shipped by as 001 ...). Heading and lines read their
    dates through it: one mapping."""
    out: list[np.ndarray] = []
    have = np.empty(0, dtype=np.int64)
    for q in (qual, *DATE_TWINS.get(qual, ())):
        at = np.flatnonzero(pc.fill_null(pc.equal(quals, q), False).to_numpy(zero_copy_only=False))
        if not len(at):
            continue
        _, first = np.unique(slots[at], return_index=True)  # the first of each slot (``at`` ascends)
        at = at[first]
        at = at[~np.isin(slots[at], have)]
        out.append(at)
        have = np.concatenate([have, slots[at]])
    return np.sort(np.concatenate(out)) if out else np.empty(0, dtype=np.int64)


def taken_dtms(quals: list, kept) -> dict[str, int]:
    """For each of ``kept`` (DTM01 qualifiers whose dates we keep) that a heading's DTMs (their DTM01s
    ``quals``, in order) give, the position of the DTM read as it: its own first, else the first DTM of its
    first twin sent (schemas.orders.DATE_TWINS: 175 Cancel if Not Shipped by as 001 ...)."""
    out: dict[str, int] = {}
    for q in kept:
        for candidate in (q, *DATE_TWINS.get(q, ())):
            if candidate in quals:
                out[q] = quals.index(candidate)
                break
    return out
