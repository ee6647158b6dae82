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

from datetime import date, datetime

import pyarrow as pa
import pyarrow.compute as pc


def dates(values: pa.Array) -> pa.Array:
    """DT values (strings) as date32; what is not a date, null."""
    text = values.cast(pa.string())
    # made here, not at import: pa.scalar looks for pandas, which short commands keep out (flows.lean)
    no_text, no_time = pa.scalar(None, pa.string()), pa.scalar(None, pa.timestamp("s"))
    digits = pc.fill_null(pc.match_substring_regex(text, r"^(?:[0-9]{6}|[0-9]{8})$"), False)
    long = pc.fill_null(pc.equal(pc.utf8_length(text), 8), False)
    long, short = pc.and_(digits, long), pc.and_(digits, pc.invert(long))
    stamp = pc.if_else(long, pc.strptime(pc.if_else(long, text, no_text), format="%Y%m%d", unit="s",
                                         error_is_null=True),
                       pc.strptime(pc.if_else(short, text, no_text), format="%y%m%d", unit="s", error_is_null=True))
    back = pc.if_else(long, pc.strftime(stamp, format="%Y%m%d"), pc.strftime(stamp, format="%y%m%d"))
    same = pc.fill_null(pc.equal(back, text), False)
    return pc.cast(pc.if_else(same, stamp, no_time), pa.date32())


def parse(text: str | None) -> date | None:
    """One DT value as a date; what is not a date, None."""
    if not text or not text.isascii() or not text.isdigit() or len(text) not in (6, 8):
        return None
    try:
        return datetime.strptime(text, "%Y%m%d" if len(text) == 8 else "%y%m%d").date()
    except ValueError:
        return None
