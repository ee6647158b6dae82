"""What a VAN mailbox or a service provider's download puts between two interchanges of one file: a header or
trailer line of its own (`$$ADD ID=... BID='...'`, `**START**`, `MSG 2 OF 2`), NUL padding of its fixed-size
records, a form feed, none of them ended by the segment terminator, so the next ISA would be read as the tail of a
segment no one sent; or the X12.56 interconnect mailbag's own segments (IMC before each interchange, IA), which
name the interchange's `ISA` in an element. Found here and blanked out; the reader says what it ignored. Pure:
text in, text out."""

from __future__ import annotations

import re
from collections.abc import Callable

# what fills a mailbox's fixed-size records or ends a page: no data, blanked without a word
PADDING = "\x1a\x00 \t\r\n\x0b\x0c"
_ISA = re.compile(r"ISA[^A-Za-z0-9 \r\n\x0b\x0c]")  # a TAB may be the element separator (x12_reader)
# an IEA, its terminator and the blanks after it (IEA01 and IEA02 digits, maybe padded): what follows is the next ISA,
# the end, or a gap; one C-speed scan tells a file of none (most files) from one to walk
_AFTER_IEA = re.compile(r"IEA([^A-Za-z0-9 \r\n])[ 0-9]*\1[ 0-9]*[^ 0-9][ \t\r\n]*")
# X12.56's interconnect mailbag control segments: a VAN's envelope around interchanges, no interchange's content
MAILBAG_IDS = ("IH", "IMC", "IA", "IT")


def isa_inside_segment(text: str, i: int) -> bool:
    """Whether the ``ISA`` at ``i`` (followed by a separator) is a value inside a segment rather than a header:
    right after that separator (`IMC*1*ISA*ZZ*...`, a mailbag's IMC02 naming the interchange's header) or after a
    letter or digit (`REF*ZZ*VISA*...`). An ISA follows a terminator, a line break, padding or the file's start."""
    return i > 0 and (text[i - 1] == text[i + 3] or (text[i - 1].isascii() and text[i - 1].isalnum()))


def next_isa(text: str, start: int) -> int:
    """The first ``ISA`` from ``start`` that is no value inside a segment (isa_inside_segment), -1 when none."""
    while (m := _ISA.search(text, start)) is not None:
        if not isa_inside_segment(text, m.start()):
            return m.start()
        start = m.start() + 1
    return -1


def gaps_blanked(text: str, first_isa: int, delimiters_at: Callable[[str, int], tuple[str, str] | None]) \
        -> tuple[str, list[str]]:
    """``text`` with what stands between an interchange's IEA (its terminator) and the next ISA written as blanks
    (line breaks kept), where none of it looks like a segment (a segment id and the interchange's element
    separator after a terminator) but a mailbag's: a stray segment stays for the envelope walk to judge.
    ``delimiters_at(text, pos)`` gives the ISA at ``pos``'s element separator and segment terminator (None: no ISA to
    read, the walk stops). Returns the text (the same object when nothing was blanked: no copy) and each gap's
    words, stripped, one per gap that held more than padding."""
    if all(m.end() == len(text) or text.startswith("ISA", m.end()) for m in _AFTER_IEA.finditer(text, first_isa)):
        return text, []
    pieces: list[str] = []
    said: list[str] = []
    done = 0
    pos = first_isa
    while pos >= 0:
        found = delimiters_at(text, pos)
        if found is None:
            break
        sep, term = found
        iea = _segment_at(text, "IEA" + sep, pos + 3, term)
        if iea < 0:
            break
        end = text.find(term, iea)
        if end < 0:
            break
        nxt = next_isa(text, end + 1)
        if nxt < 0:
            break
        gap = text[end + 1: nxt]
        if gap.strip(" \t\r\n") and not _holds_segment(gap, sep, term):
            pieces += [text[done: end + 1], "".join(c if c in "\r\n" else " " for c in gap)]
            done = nxt
            if gap.strip(PADDING):
                said.append(gap.strip(PADDING))
        pos = nxt
    if not pieces:
        return text, said
    return "".join(pieces) + text[done:], said


def _segment_at(text: str, head: str, start: int, term: str) -> int:
    """Where the first segment beginning ``head`` (an id and its element separator) after ``start`` is: after a
    terminator and blanks; -1 when none."""
    at = start
    while (i := text.find(head, at)) >= 0:
        j = i
        while j > 0 and text[j - 1] != term and text[j - 1].isspace():
            j -= 1
        if j > 0 and text[j - 1] == term:
            return i
        at = i + 1
    return -1


def _holds_segment(gap: str, sep: str, term: str) -> bool:
    """Whether a piece of ``gap`` (cut at the terminator) begins as an X12 segment does, 2-3 capitals or digits and
    the element separator, other than a mailbag's control segment."""
    head = re.compile("([A-Z0-9]{2,3})" + re.escape(sep))
    return any((m := head.match(part.lstrip(PADDING))) and m.group(1) not in MAILBAG_IDS for part in gap.split(term))
