"""A VAN mailbox download cut into its interchanges: each ISA..IEA kept byte for byte as sent (with the line
break after its IEA's terminator), its ISA05..ISA08 and ISA13 read for routing, and what stands between them (a
mailbox's `$$ADD` header, a mailbag's IMC, padding) kept apart as gaps. An ``ISA`` inside a segment or a text line
is no header (parsers.x12_gaps.next_isa), nor is an unreadable one inside a line of other text while a real one
follows (as the interchange reader takes them). Pure: bytes in, pieces out; no routing, no paths."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from parsers.x12_gaps import PADDING, next_isa

ISA_LENGTH = 106  # characters of an ISA segment, its terminator included (X12: fixed-width elements)


@dataclass(frozen=True, slots=True)
class Piece:
    """One interchange of a mailbox file: ``place`` (1 for the file's first), its byte span [start, end) and
    the envelope ids it is routed by (empty when its ISA cannot be read)."""

    place: int
    start: int
    end: int
    sender_qualifier: str
    sender: str
    receiver_qualifier: str
    receiver: str
    control: str
    has_trailer: bool
    readable: bool = True  # its ISA has its 16 elements (else a header only for want of a next ISA)


@dataclass(frozen=True, slots=True)
class Gap:
    """Bytes [start, end) outside every interchange that hold more than padding, and their text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Split:
    pieces: tuple[Piece, ...]
    gaps: tuple[Gap, ...]


def split_interchanges(data: bytes, *, start: int = 0) -> Split:
    """``data`` cut at each interchange header: a piece runs from its ISA to its IEA segment's terminator (and the
    CR/LF right after it), or, with no IEA before the next ISA (a truncated interchange), to that next ISA or the end
    of the file. Latin-1 maps each byte to one character, so offsets are byte offsets and a piece's bytes are
    ``data[start:end]`` exactly. ``start``: where to begin, ``data[:start]`` only the text before (what tells
    whether an ISA right there is a header: stream_interchanges)."""
    text = data.decode("latin-1")
    pieces: list[Piece] = []
    gaps: list[Gap] = []
    done = start
    pos = next_isa(text, start)
    while pos >= 0:
        elements, term = _isa_elements(text, pos)
        nxt = next_isa(text, pos + 3)
        if not term and nxt >= 0 and pos > 0 and text[pos - 1] not in PADDING:
            pos = nxt  # an ISA inside a line of other text (`$$ADD ... BID='ISA*850 FROM SPS'`), no header: gap text
            continue
        _gap(text, done, pos, gaps)
        limit = nxt if nxt >= 0 else len(text)
        end, trailer = limit, False
        if term:
            iea = _iea_end(text, pos + ISA_LENGTH - 1, limit, elements_sep=text[pos + 3], term=term)
            if iea >= 0:
                end, trailer = iea, True
                while end < limit and text[end] in "\r\n":
                    end += 1
        el = (elements + [""] * 16)[:16]
        pieces.append(Piece(len(pieces) + 1, pos, end, el[4].strip(), el[5].strip(), el[6].strip(), el[7].strip(),
                            el[12].strip(), trailer, bool(term)))
        done = end
        pos = nxt
    _gap(text, done, len(text), gaps)
    return Split(tuple(pieces), tuple(gaps))


CONTEXT = 8  # bytes kept before a window's first byte: the character before an ISA decides whether it is a header


def stream_interchanges(chunks: Iterable[bytes]) -> Iterator[tuple[Piece, bytes] | Gap]:
    """split_interchanges of a file given as ``chunks``, an interchange at a time: each piece (its place and offsets
    in the whole file) with its bytes, and each gap, in the file's order; the same pieces and gaps as
    split_interchanges of the whole file. A piece is given once the next header (or the file's end) is read: what
    is held is the interchange being read and the text before it (a window re-cut as it grows, each time it has
    doubled, so a large interchange costs a few cuts, not one per chunk), never the file."""
    buf = bytearray()
    base = skip = place = 0  # file offset of buf[0]; bytes of buf already given (context only)
    cut_at = 0  # cut again once the window holds this many bytes
    it = iter(chunks)
    while True:
        chunk = next(it, None)
        final = chunk is None
        if chunk:
            buf += chunk
        if not final and len(buf) < cut_at:
            continue
        split = split_interchanges(bytes(buf), start=skip)
        # what is settled: all, at the file's end; else what comes before the last readable header (the interchange
        # there may not be whole yet, and an unreadable ISA after it may turn out to be text once a header follows)
        last = next((p for p in reversed(split.pieces) if p.readable), None)
        upto = len(buf) if final else (last.start if last is not None else skip)
        out: list = [x for x in (*split.gaps, *split.pieces) if x.end <= upto and (final or x.start < upto)]
        for x in sorted(out, key=lambda x: x.start):
            if isinstance(x, Gap):
                yield replace(x, start=x.start + base, end=x.end + base)
            else:
                place += 1
                yield replace(x, place=place, start=x.start + base, end=x.end + base), bytes(buf[x.start: x.end])
        if final:
            return
        drop = max(0, upto - CONTEXT)
        del buf[:drop]
        base, skip = base + drop, upto - drop
        cut_at = 2 * len(buf)


def _isa_elements(text: str, pos: int) -> tuple[list[str], str]:
    """The ISA at ``pos``: its elements ISA01..ISA16 and its segment terminator ('' when it cannot be read: too
    short, or not 16 elements in its fixed width)."""
    seg = text[pos: pos + ISA_LENGTH]
    if len(seg) < ISA_LENGTH:
        return [], ""
    parts = seg[4: ISA_LENGTH - 1].split(seg[3])
    if len(parts) != 16:
        return [], ""
    return parts, seg[ISA_LENGTH - 1]


def _iea_end(text: str, after: int, limit: int, *, elements_sep: str, term: str) -> int:
    """The offset just past the terminator of the first IEA segment after ``after`` (a terminator, then line
    breaks or blanks, then ``IEA`` and the element separator) and before ``limit``; -1 when none."""
    head = "IEA" + elements_sep
    i = after
    while True:
        i = text.find(head, i, limit)
        if i < 0:
            return -1
        j = i - 1
        while j > after and text[j] != term and text[j] in " \t\r\n":
            j -= 1
        if text[j] == term:
            end = text.find(term, i, limit)
            return -1 if end < 0 else end + 1
        i += 1


def _gap(text: str, start: int, end: int, gaps: list[Gap]) -> None:
    words = text[start:end].strip(PADDING)
    if words:
        gaps.append(Gap(start, end, words))
