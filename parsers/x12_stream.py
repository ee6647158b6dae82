"""Streaming X12 splitter: the byte chunks of one file in, pieces of whole interchanges out (each with
its byte offset), one at a time, so a file larger than memory is read an interchange (or a bounded
batch of interchanges) at a time. Owns only where a file is cut; parsing stays parsers.x12_reader's.

Pure: byte chunks in, pieces out (no paths, no I/O). A piece ends just before an ISA that follows an
IEA with nothing but whitespace between them, each interchange's own delimiters (read from its ISA)
honoured; anything it cannot cut safely (garbage between interchanges, a missing IEA, an ISA it cannot
read) stays inside one piece, which the reader then judges as it would the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

ISA_MAX_BYTES = 1024  # as parsers.x12_reader.ISA_MAX_CHARS: the ISA's 16 elements are looked for within this
_SPACE = b" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f\x00"  # \x00: fixed-length records' NUL padding (x12_reader)


@dataclass(frozen=True, slots=True)
class OversizedSet:
    """A transaction set whose body was left out of its piece (over ``max_set_bytes``): ``ordinal`` is
    its ST's position among the ST segments of the piece (0-based); segments and bytes it held."""

    ordinal: int
    set_id: str
    st02: str
    segments: int
    size: int


@dataclass(frozen=True, slots=True)
class Piece:
    offset: int  # byte offset of data[0] in the stream
    data: bytes  # the piece, without the bodies of its oversized sets
    oversized: tuple[OversizedSet, ...] = field(default=())
    end: int = -1  # byte offset in the stream just after the piece (where the next one starts)
    span: bool = False  # one interchange over max_interchange_bytes, not held: only offset and end (data b"")


_SPAN = -2  # interchange_end: the interchange is over max_interchange_bytes


class _Delims:
    __slots__ = ("sep", "term", "iea", "stse")

    def __init__(self, sep: bytes, term: bytes) -> None:
        self.sep, self.term = sep, term
        t, s, ws = re.escape(term), re.escape(sep), rb"[ \t\r\n\x0b\x0c\x1c-\x1f\x00]*"
        self.iea = re.compile(t + ws + rb"IEA" + s)
        self.stse = re.compile(t + ws + rb"S([TE])" + s)


def _delimiters(buf: bytes | bytearray, pos: int, final: bool) -> _Delims | None | bool:
    """The element separator and segment terminator of the ISA at ``pos`` (as bytes); False when more
    bytes are needed, None when they cannot be read (the rest is left to the reader)."""
    if pos + 4 > len(buf):
        return None if final else False
    sep = bytes(buf[pos + 3: pos + 4])
    if sep.isalnum() or (sep.isspace() and sep != b"\t") or sep[0] > 127:  # a TAB may separate (x12_reader)
        return None
    q = pos + 3
    limit = min(len(buf), pos + ISA_MAX_BYTES)
    for _ in range(15):
        q = buf.find(sep, q + 1, limit)
        if q < 0:
            return None if final or limit == pos + ISA_MAX_BYTES else False
    if q + 3 > len(buf):
        return None if final else False
    term = bytes(buf[q + 2: q + 3])
    if term == b" " or term.isalnum() or term in (sep, bytes(buf[q + 1: q + 2])) or term[0] > 127:
        return None  # a blank (line breaks as terminators) or odd terminator: not cut here
    return _Delims(sep, term)


def pieces(chunks: Iterable[bytes], *, max_bytes: int, max_set_bytes: int,
           max_interchange_bytes: int | None = None) -> Iterator[Piece]:
    """Cut the file (given as ``chunks``) into pieces of whole interchanges of at least ``max_bytes``
    each (but the last), one interchange whenever one is that large. A transaction set larger than
    ``max_set_bytes`` is never held: its body is dropped as it is read, its ST and SE kept, and it is
    named in its piece's ``oversized``. An interchange over ``max_interchange_bytes`` is never held
    either: it is a piece of its own with ``span`` set and no data (from its ISA to where the next piece
    starts: the caller reads it again, parsers.x12_batches). Memory: one piece (its large sets' bodies
    left out) plus a chunk."""
    s = _Splitter(iter(chunks), max_bytes, max_set_bytes, max_interchange_bytes)
    yield from s.run()


class _Splitter:
    def __init__(self, chunks: Iterator[bytes], max_bytes: int, max_set_bytes: int,
                 max_interchange_bytes: int | None = None) -> None:
        self.chunks, self.max_bytes, self.max_set_bytes = chunks, max_bytes, max_set_bytes
        self.max_interchange_bytes = max_interchange_bytes
        self.ic_oversized = self.ic_dropped = 0  # len(oversized) and dropped when the interchange began
        self.buf = bytearray()
        self.base = 0  # file offset of buf[0] (the current piece's start)
        self.final = False
        self.oversized: list[OversizedSet] = []
        self.dropped = 0  # bytes of set bodies left out of the current piece
        self.sets_before = 0  # ST segments of the current piece before ``st_scan`` (counted as they are met)

    def more(self) -> bool:
        if self.final:
            return False
        for chunk in self.chunks:
            if chunk:
                self.buf.extend(chunk)
                return True
        self.final = True
        return False

    def next_segment(self, at: int) -> int:
        """Where the segment after a terminator ending before ``at`` starts: spaces and line breaks
        skipped, with three bytes of it read (or the stream ended)."""
        buf = self.buf
        while True:
            while at < len(buf) and buf[at] in _SPACE:
                at += 1
            if at + 3 <= len(buf) or not self.more():
                return at

    def rest(self) -> Iterator[Piece]:
        while self.more():
            pass
        if self.buf:
            yield Piece(self.base, bytes(self.buf), tuple(self.oversized), self.base + len(self.buf) + self.dropped)

    def run(self) -> Iterator[Piece]:
        buf = self.buf
        isa_at, seen = buf.find(b"ISA"), 0
        while isa_at < 0:
            seen = max(0, len(buf) - 2)
            if not self.more():
                break
            isa_at = buf.find(b"ISA", seen)
        if isa_at < 0:
            yield from self.rest()
            return
        first = True  # the file's first interchange: what comes before it stays with it
        while True:  # one interchange starting at isa_at
            d = _delimiters(buf, isa_at, self.final)
            while d is False:
                self.more()
                d = _delimiters(buf, isa_at, self.final)
            if d is None:
                yield from self.rest()
                return
            end = self.interchange_end(d, isa_at)
            if end == _SPAN:
                at = self.base if first else self.base + isa_at + self.ic_dropped
                if isa_at > 0 and not first:
                    yield Piece(self.base, bytes(buf[:isa_at]), tuple(self.oversized[:self.ic_oversized]), at)
                stop, more = self.skip_span(d, isa_at)
                yield Piece(at, b"", (), stop, span=True)
                if not more:
                    return
                isa_at, first = 0, False
                continue
            if end is None:
                yield from self.rest()
                return
            big = self.max_interchange_bytes is not None and end + 1 - isa_at > self.max_interchange_bytes
            nxt = self.next_segment(end + 1)
            if big:  # read whole, but too large to hand on: a span of its own, as if found too large early
                at = self.base if first else self.base + isa_at + self.ic_dropped
                if isa_at > 0 and not first:
                    yield Piece(self.base, bytes(buf[:isa_at]), tuple(self.oversized[:self.ic_oversized]), at)
                if nxt < len(buf) and bytes(buf[nxt: nxt + 3]) == b"ISA":
                    stop = self.base + nxt + self.dropped
                    yield Piece(at, b"", (), stop, span=True)
                    del buf[:nxt]
                    self.base = stop
                    self.oversized, self.dropped, self.sets_before = [], 0, 0
                    isa_at, first = 0, False
                    continue
                while self.more():
                    pass
                yield Piece(at, b"", (), self.base + len(buf) + self.dropped, span=True)
                return
            if nxt >= len(buf):
                yield from self.rest()
                return
            if bytes(buf[nxt: nxt + 3]) != b"ISA":  # garbage or a stray segment: not cut here
                yield from self.rest()
                return
            if nxt + self.dropped >= self.max_bytes:
                end = self.base + nxt + self.dropped
                yield Piece(self.base, bytes(buf[:nxt]), tuple(self.oversized), end)
                del buf[:nxt]
                self.base = end
                self.oversized, self.dropped, self.sets_before = [], 0, 0
                nxt = 0
            isa_at, first = nxt, False

    def interchange_end(self, d: _Delims, isa_at: int) -> int | None:
        """buf position of the terminator of the IEA of the interchange at ``isa_at`` (reading more as
        needed, dropping the bodies of sets over max_set_bytes); None when the file ends first."""
        buf = self.buf
        self.ic_oversized, self.ic_dropped = len(self.oversized), self.dropped
        scan = isa_at  # where to look for the IEA
        st_scan = isa_at  # where to look for ST/SE (the open set)
        open_st = -1  # buf position of the open set's ST match (-1: no set open)
        while True:
            m = d.iea.search(buf, scan)
            iea_at, end = (m.start(), buf.find(d.term, m.end())) if m is not None else (-1, -1)
            del m  # a match holds the buffer: it cannot be resized while one lives
            hi = iea_at if end >= 0 else max(st_scan, len(buf) - 8)  # a match may still grow at the end
            drop = None
            for sm in d.stse.finditer(buf, st_scan, hi):
                is_st, sm_start, sm_end = sm.group(1) == b"T", sm.start(), sm.end()
                del sm
                if is_st:
                    self.sets_before += open_st >= 0
                    open_st = sm_start
                elif open_st >= 0:
                    if sm_start - open_st > self.max_set_bytes:
                        drop = (open_st, sm_start + 1)
                        break
                    self.sets_before += 1
                    open_st = -1
                st_scan = sm_end
            if drop is None and end >= 0 and open_st >= 0 and iea_at - open_st > self.max_set_bytes:
                drop = (open_st, iea_at + 1)  # a set without SE
            if drop is not None:
                at = self.drop_body(d, *drop)
                if at is not None:  # a body left out: look again from its ST
                    scan = st_scan = at
                    continue
                if end < 0:
                    st_scan = drop[1]
            if end >= 0:
                self.sets_before += open_st >= 0
                return end
            st_scan = max(st_scan, hi - 16)
            scan = max(scan, len(buf) - ISA_MAX_BYTES)
            if open_st >= 0 and len(buf) - open_st > self.max_set_bytes:
                at = self.drop_body(d, open_st, st_scan)
                if at is not None:
                    scan, st_scan = min(scan, at), min(st_scan, at)
                    continue
            if self.max_interchange_bytes is not None and len(buf) - isa_at > self.max_interchange_bytes:
                return _SPAN
            if not self.more():
                return None

    def skip_span(self, d: _Delims, isa_at: int) -> tuple[int, bool]:
        """Read on to the end of the interchange at ``isa_at`` (its IEA, the white space after it)
        holding a few bytes only; the buffer then starts at the next ISA. (Where the next piece starts,
        whether there is one.) Anything but an ISA after the IEA, or no IEA: the span runs to the end."""
        buf = self.buf
        at = self.base + len(buf) + self.dropped  # stream offset of the end of buf
        keep = min(len(buf) - isa_at, ISA_MAX_BYTES)
        del buf[: len(buf) - keep]
        at -= keep  # stream offset of buf[0]
        self.oversized, self.dropped, self.sets_before = [], 0, 0
        while True:
            m = d.iea.search(buf)
            iea_at, after = (m.start(), m.end()) if m is not None else (-1, -1)
            del m  # a match holds the buffer: it cannot be resized while one lives
            if iea_at >= 0:
                end = buf.find(d.term, after)
                if end >= 0:
                    break
                at += iea_at  # its terminator not read yet: keep the IEA
                del buf[:iea_at]
            elif len(buf) > ISA_MAX_BYTES:
                at += len(buf) - ISA_MAX_BYTES
                del buf[: len(buf) - ISA_MAX_BYTES]
            if not self.more():
                return at + len(buf), False
        nxt = self.next_segment(end + 1)
        if nxt >= len(buf):
            return at + len(buf), False
        if bytes(buf[nxt: nxt + 3]) != b"ISA":
            while self.more():
                at += len(buf)
                buf.clear()
            return at + len(buf), False
        del buf[:nxt]
        self.base = at + nxt
        return self.base, True

    def drop_body(self, d: _Delims, st_at: int, scanned: int) -> int | None:
        """Leave out the body of the set whose ST match starts at ``st_at`` up to its last complete
        segment before ``scanned`` (looked at: no SE there); note it in ``oversized``. Returns where
        scanning goes on."""
        buf = self.buf
        st_end = buf.find(d.term, st_at + 1)
        if st_end < 0:
            return None
        cut_to = buf.rfind(d.term, st_end + 1, scanned)  # the body's last complete segment ends here
        if cut_to <= st_end:
            return None
        segments = buf.count(d.term, st_end + 1, cut_to + 1)
        size = cut_to - st_end
        st_fields = bytes(buf[st_at + 1: st_end]).strip().split(d.sep)
        set_id = st_fields[1].decode("latin-1").strip() if len(st_fields) > 1 else ""
        st02 = st_fields[2].decode("latin-1").strip() if len(st_fields) > 2 else ""
        ordinal = self.sets_before
        if self.oversized and self.oversized[-1].ordinal == ordinal:  # dropped before: its counts grow
            prev = self.oversized.pop()
            segments, size = segments + prev.segments, size + prev.size
        self.oversized.append(OversizedSet(ordinal, set_id, st02, segments, size))
        del buf[st_end + 1: cut_to + 1]
        self.dropped += cut_to - st_end
        return st_end
