"""One interchange too large to hold, read in two passes (issue 14 item 4): `scan_interchange` walks its
envelope only (ISA/GS/ST/SE/GE/IEA found by a regex after each segment terminator, segments counted by
terminator, never tokenised), cutting it into batches of whole transaction sets; `read_head` and
`read_batch` then parse the envelope and each batch with parsers.x12_reader, rows numbered as the whole
interchange's. Owns where an interchange is cut; checking stays engine.process_batches'.

Pure: byte chunks in, a Skeleton out. Whatever would make a batch read differ from the whole read (empty
segments, a segment ending in the component separator, text outside the sets, a second ISA, TA1, bytes
that are not UTF-8, Unicode at a segment start, a blank or non-ASCII delimiter, a GS01 that is no
functional identifier code: its 997 is named by its sets' ST01; an ISX elsewhere than right after the ISA or
naming no release character the reader takes) is named in ``Skeleton.reason``: the caller then reads the
interchange whole, as before.

An ISX right after the ISA (X12 007040+) is an envelope segment: kept in ``Skeleton.isx`` and put before every
later batch with the ISA, so each batch is read with its release character (parsers.x12_reader.released_rows). A
terminator after an odd run of that character is data, not a segment's end: it is neither counted nor cut at.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from parsers.x12_reader import ParseResult, read_interchanges
from parsers.x12_stream import OversizedSet
from schemas.x12 import SegmentTable
from schemas.x12dict import functional_id_unknown

# what the tokeniser strips at a segment start (ASCII), and the NUL padding of fixed-length records after a
# terminator, which parsers.x12_reader.between_segments_blanked blanks before it
_WS = rb"[ \t\r\n\x0b\x0c\x1c-\x1f\x00]*"
# what may follow the last terminator: white space, and Ctrl-Z / NUL padding (x12_reader._is_padding: no segment)
_TAIL = b" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f\x1a\x00"
MAX_SEGMENT_BYTES = 64 << 20  # a "segment" longer than this (no terminator): not cut, read whole


@dataclass(frozen=True, slots=True)
class Batch:
    """Bytes [start, end) of the interchange (0: its ISA): whole sets of one or more groups; ``row`` the
    interchange row of its first segment, ``rows`` its segments; ``group`` the group open at ``start``
    (its GS is put before the batch when it is read; -1 for the first batch, which starts at the ISA).
    ``huge``: a set over max_set_bytes alone, read as its ST (start..st_end) and SE (se_start..end) only."""

    start: int
    end: int
    row: int
    rows: int
    group: int
    sets: int = 0
    huge: OversizedSet | None = None
    st_end: int = -1
    se_start: int = -1


@dataclass(slots=True)
class Skeleton:
    size: int = 0
    reason: str = ""  # why it cannot be read in batches ("": it can)
    rows: int = 0  # segments of the interchange
    isa: bytes = b""  # the ISA segment as received (with its terminator)
    isx: bytes = b""  # the ISX right after it (X12 007040+), with its leading white space and terminator; b"": none
    head: list[tuple[int, bytes]] = field(default_factory=list)  # (row, segment) of ISA, GS, GE, IEA
    groups: list[bytes] = field(default_factory=list)  # each GS segment (with its leading white space)
    set_counts: list[int] = field(default_factory=list)
    set_ids: list[set[str]] = field(default_factory=list)  # each group's ST01s (rules.envelope: a group kept)
    batches: list[Batch] = field(default_factory=list)


def scan_interchange(chunks: Iterable[bytes], *, max_bytes: int, max_sets: int, max_set_bytes: int) -> Skeleton:
    """The envelope of one interchange (``chunks``: its bytes, from its ISA to the end of its piece)
    and its batches: at most ``max_sets`` sets and about ``max_bytes`` bytes each (a set is never cut;
    a set over ``max_set_bytes`` is a batch of its own whose body is never read). Memory: a chunk."""
    return _Scan(max_bytes, max_sets, max_set_bytes).run(iter(chunks))


class _Scan:
    def __init__(self, max_bytes: int, max_sets: int, max_set_bytes: int) -> None:
        self.max_bytes, self.max_sets, self.max_set_bytes = max_bytes, max(1, max_sets), max_set_bytes
        self.sk = Skeleton()
        self.group = -1  # index of the open group (-1: none)
        self.in_group = False
        self.after_iea = False
        self.prev_row = 0  # row of the last envelope segment
        self.set_open: tuple[int, int, bytes, int] | None = None  # (start, row, ST segment, ST end offset)
        self.batch = (0, 0, -1, 0)  # open batch: (start, row, group, sets)
        self.virtual = False  # a terminator put after a last segment that has none
        self.release = b""  # the release character the ISX names (b"": none)
        self.isx_end = 0  # interchange offset of the ISX's terminator (never released: the release starts after it)
        self.base = 0  # interchange offset of the walk's buffer's first byte

    # --- the walk ----------------------------------------------------------------------------------
    def run(self, chunks) -> Skeleton:
        sk = self.sk
        buf = bytearray()
        final = False
        decoder = codecs.getincrementaldecoder("utf-8")()

        def more() -> bool:
            nonlocal final
            for chunk in chunks:
                if chunk:
                    if not chunk.isascii() or decoder.getstate()[0]:
                        try:
                            decoder.decode(chunk)
                        except UnicodeDecodeError:
                            self.stop("bytes that are not UTF-8")
                    buf.extend(chunk)
                    sk.size += len(chunk)
                    return True
            final = True
            if not self.virtual and hasattr(self, "term"):
                last = buf.rfind(self.term)
                if bytes(buf[last + 1:]).strip(_TAIL):
                    buf.extend(self.term)  # the last segment has no terminator: the reader ends it there too
                    self.virtual = True
                    return True
            return False

        while len(buf) < 1024 and more():
            pass
        lead = 3 if buf.startswith(b"\xef\xbb\xbf") else 0  # a BOM, white space: the reader skips them
        while lead < len(buf) and buf[lead] in b" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f":
            lead += 1
        if buf[lead: lead + 3] != b"ISA" or len(buf) < lead + 4:
            return self.stop("no ISA at the start")
        del buf[:lead]
        sep = bytes(buf[3:4])
        q = 3
        for _ in range(15):
            nxt = buf.find(sep, q + 1)
            while nxt < 0 and not final and len(buf) < 4096:
                more()
                nxt = buf.find(sep, q + 1)
            if nxt < 0:
                return self.stop("an ISA it cannot read")
            q = nxt
        while len(buf) < q + 3 and more():
            pass
        if len(buf) < q + 3:
            return self.stop("an ISA it cannot read")
        comp, term = bytes(buf[q + 1: q + 2]), bytes(buf[q + 2: q + 3])
        if term in (b" ", b"\t") or term.isalnum() or term in (sep, comp) or comp.isalnum() or comp.isspace() \
                or term[0] > 127 or comp[0] > 127 or sep.isalnum() or (sep.isspace() and sep != b"\t") or sep[0] > 127:
            return self.stop("delimiters it does not cut at")
        if buf.find(term, 0, q + 2) >= 0:
            return self.stop("a terminator inside the ISA")
        self.term = term
        t, s = re.escape(term), re.escape(sep)
        envelope = re.compile(t + b"(" + _WS + rb")(ISA|ISX|IEA|GS|GE|ST|SE|TA1)(?=" + s + rb"|[\r\n]*" + t + b")")
        odd = re.compile(t + _WS + t + b"|" + t + _WS + rb"[\x80-\xff]|" + re.escape(comp) + rb"[\r\n]*(?=" + t + b")")
        sk.isa = bytes(buf[: q + 3])
        sk.head.append((0, sk.isa))
        base = self.base = lead  # interchange offset of buf[0]
        self.first_isx(buf, q + 2, more)  # its release character known before any terminator is counted
        row = 0  # terminators before ``counted``
        counted = lead  # interchange offset up to which terminators are counted
        first_odd = True  # the ISA ends with its component separator (ISA16): that one is expected
        while not sk.reason:
            last = buf.rfind(term)
            while last > 0 and self.released(buf, last):
                last = buf.rfind(term, 0, last)
            if last >= 0:
                lo = counted - base
                for m in odd.finditer(buf, lo, last + 1):
                    if first_odd and m.start() == q + 1:
                        continue
                    self.stop("empty segments, a segment ending in the component separator or Unicode at a "
                              "segment start")
                    break
                first_odd = False
                for m in envelope.finditer(buf, lo, last + 1):
                    p = m.start()
                    if self.release and self.released(buf, p):
                        continue  # a released terminator: data, no segment starts after it
                    row += self.count(buf, counted - base, p + 1)
                    counted = base + p + 1
                    seg_end = self.next_end(buf, m.end())
                    self.segment(m.group(2), base + p + 1, row, bytes(buf[p + 1: seg_end + 1]), base + seg_end)
                    if sk.reason:
                        return sk
                row += self.count(buf, counted - base, last)
                counted = base + last
                del buf[:last]
                base += last
                self.base = base
            elif len(buf) > MAX_SEGMENT_BYTES:
                return self.stop(f"a segment over {MAX_SEGMENT_BYTES:,} bytes")
            if not more():
                break
        if sk.reason:
            return sk
        tail = bytes(buf[1:]) if buf.startswith(term) else bytes(buf)
        if tail.strip(_TAIL):
            return self.stop("a segment without a terminator at the end")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return self.stop("bytes that are not UTF-8")
        sk.rows = row + self.count(buf, 0, len(buf))  # every terminator ends a (non-empty) segment
        if not self.after_iea and self.prev_row != sk.rows - 1 and self.set_open is None:
            return self.stop("segments outside any transaction set")
        if self.after_iea and self.prev_row != sk.rows - 1:
            return self.stop("segments after the IEA")
        # Ctrl-Z / NUL padding after the last terminator is no batch's: its reader would count it a segment
        end = sk.size - len(tail) if b"\x1a" in tail or b"\x00" in tail else sk.size
        self.close_set(end, sk.rows)
        start, brow, group, sets = self.batch
        if start < end:
            sk.batches.append(Batch(start, end, brow, sk.rows - brow, group, sets))
        return sk

    def released(self, buf: bytearray, at: int) -> bool:
        """The terminator at ``at`` follows an odd run of the release character: data, not a segment's end (buf
        starts at a real terminator or the ISA, so the run is within it)."""
        rel = self.release
        if not rel or self.base + at <= self.isx_end:
            return False
        k = at
        while k > 0 and buf[k - 1] == rel[0]:
            k -= 1
        return (at - k) % 2 == 1

    def count(self, buf: bytearray, lo: int, hi: int) -> int:
        """The segment terminators in buf[lo:hi], released ones (data) not counted."""
        n = buf.count(self.term, lo, hi)
        if self.release and n and buf.find(self.release + self.term, lo, hi) >= 0:
            at = buf.find(self.term, lo, hi)
            while at >= 0:
                if self.released(buf, at):
                    n -= 1
                at = buf.find(self.term, at + 1, hi)
        return n

    def next_end(self, buf: bytearray, at: int) -> int:
        """The first segment terminator from ``at`` that is no released one."""
        end = buf.find(self.term, at)
        while end >= 0 and self.release and self.released(buf, end):
            end = buf.find(self.term, end + 1)
        return end

    def stop(self, reason: str) -> Skeleton:
        if not self.sk.reason:
            self.sk.reason = reason
        return self.sk

    def segment(self, sid: bytes, start: int, row: int, raw: bytes, end: int) -> None:
        """An envelope segment ``raw`` (from just after the previous terminator to its own) at ``start``."""
        sk = self.sk
        if row > self.prev_row + 1 and self.set_open is None:
            self.stop("segments outside any transaction set")
            return
        self.prev_row = row
        if self.after_iea or sid in (b"ISA", b"TA1"):
            self.stop("a second ISA, a TA1 or segments after the IEA")
            return
        if sid == b"ISX":
            self.isx(raw, row, end)
            return
        if sid == b"ST":
            if not self.in_group:
                self.stop("an ST outside a group")
                return
            self.close_set(start, row)
            bstart, brow, group, sets = self.batch
            if sets and (start - bstart >= self.max_bytes or sets >= self.max_sets):
                self.cut(start, row)
            bstart, brow, group, sets = self.batch
            self.batch = (bstart, brow, group, sets + 1)
            sk.set_counts[self.group] += 1
            st = raw.lstrip(b" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f").split(sk.isa[3:4])
            sk.set_ids[self.group].add(st[1].decode("ascii", "replace").strip() if len(st) > 1 else "")
            self.set_open = (start, row, raw, end)
        elif sid == b"SE":
            if self.set_open is None:
                self.stop("an SE without its ST")
                return
            self.close_set(end + 1, row + 1, se=(start, row))
        elif sid == b"GS":
            fields = raw.lstrip(b" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f").split(sk.isa[3:4])
            if functional_id_unknown(fields[1].decode("ascii", "replace").strip() if len(fields) > 1 else "",
                                     fields[8].decode("ascii", "replace") if len(fields) > 8 else ""):
                # its 997 is named by its sets' ST01 (engine.acks.ak101), known only once they are read
                self.stop("a GS01 that is no functional identifier code")
                return
            self.close_set(start, row)
            self.group += 1
            self.in_group = True
            sk.groups.append(raw)
            sk.set_counts.append(0)
            sk.set_ids.append(set())
            sk.head.append((row, raw))
        elif sid == b"GE":
            if not self.in_group:
                self.stop("a GE without its GS")
                return
            self.close_set(start, row)
            self.in_group = False
            sk.head.append((row, raw))
        elif sid == b"IEA":
            self.close_set(start, row)
            self.in_group = False
            self.after_iea = True
            sk.head.append((row, raw))

    def first_isx(self, buf: bytearray, isa_end: int, more: Callable[[], bool]) -> None:
        """The release character an ISX right after the ISA (its terminator at ``isa_end``) names, set before the walk
        counts a terminator (the segment itself is taken by ``isx`` when the walk reaches it)."""
        end = buf.find(self.term, isa_end + 1)
        while end < 0 and len(buf) < isa_end + 4096 and more():
            end = buf.find(self.term, isa_end + 1)
        raw = bytes(buf[isa_end + 1: end + 1]) if end >= 0 else b""
        fields = raw.lstrip(b" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f")[:-1].split(self.sk.isa[3:4])
        if fields[0] == b"ISX":
            value = self.release_named(raw)
            if value:
                self.release, self.isx_end = value, self.base + end

    def release_named(self, raw: bytes) -> bytes | None:
        """The release character ISX segment ``raw`` names (b"": none); None when its ISX01 is none the reader
        takes (parsers.x12_reader.release_of: one ASCII character, no letter, digit, blank or delimiter)."""
        from parsers.x12_reader import release_of
        from schemas.x12 import Delimiters

        sk = self.sk
        sep, term, comp = sk.isa[3:4], self.term, sk.isa[-2:-1]
        isa11 = sk.isa.split(sep)[11:12]
        rep = isa11[0].decode("latin-1") if isa11 and len(isa11[0]) == 1 and not isa11[0].isalnum() else ""
        fields = raw.lstrip(b" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f")[:-1].split(sep)
        value = fields[1] if len(fields) > 1 else b""
        if value and (not value.isascii() or not release_of(["ISX", value.decode("ascii")], Delimiters(
                element=sep.decode(), component=comp.decode(), repetition=rep, segment=term.decode()))):
            return None
        return value

    def isx(self, raw: bytes, row: int, end: int) -> None:
        """The ISX (X12 007040+): right after the ISA, naming a release character the reader takes (ASCII), or none;
        anything else is read whole (the reader says what is wrong with it)."""
        sk = self.sk
        if row != 1 or sk.isx:
            self.stop("an ISX elsewhere than right after the ISA")
            return
        value = self.release_named(raw)
        if value is None:
            self.stop("an ISX naming no release character it can read")
            return
        self.release, self.isx_end = value, end
        sk.isx = raw
        sk.head.append((row, raw))

    def cut(self, at: int, row: int) -> None:
        start, brow, group, sets = self.batch
        if at > start:
            self.sk.batches.append(Batch(start, at, brow, row - brow, group, sets))
        self.batch = (at, row, self.group, 0)

    def close_set(self, end: int, end_row: int, se: tuple[int, int] | None = None) -> None:
        """The open set ends before ``end`` (its next segment is row ``end_row``); ``se``: its SE's
        (start, row) when it has one. A set over max_set_bytes becomes a batch of its own."""
        if self.set_open is None:
            return
        start, row, st, st_end = self.set_open
        self.set_open = None
        if end - start <= self.max_set_bytes:
            return
        fields = st.strip(b" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f")[:-1].split(self.sk.isa[3:4])
        set_id = fields[1].decode("utf-8", "replace").strip() if len(fields) > 1 else ""
        st02 = fields[2].decode("utf-8", "replace").strip() if len(fields) > 2 else ""
        body_end = se[0] if se is not None else end
        body_rows = (se[1] if se is not None else end_row) - row - 1
        bstart, brow, group, sets = self.batch
        self.batch = (bstart, brow, group, sets - 1)
        self.cut(start, row)
        huge = OversizedSet(0, set_id, st02, body_rows, body_end - st_end - 1)
        self.sk.batches.append(Batch(start, end, row, end_row - row, self.group, 1, huge, st_end + 1,
                                     se[0] if se is not None else end))
        self.batch = (end, end_row, self.group, 0)


# --- reading what the scan found ---------------------------------------------------------------------------
def read_head(sk: Skeleton, *, file: str) -> ParseResult:
    """The interchange's envelope (ISA, its groups without their sets, IEA) read by the reader from its
    envelope segments alone, rows and segment ordinals made the interchange's (as a whole read numbers
    them): what engine.process_batches checks before any set."""
    result = read_interchanges(b"".join(raw for _, raw in sk.head), file=file)
    at = [r for r, _ in sk.head] + [sk.rows]

    def start(r: int) -> int:
        return at[r]

    def end(r: int, trailer: bool) -> int:  # closed by its trailer, else by the next envelope segment
        return at[r] if trailer else at[r + 1] - 1

    for ic in result.interchanges:
        ic.start, ic.end = start(ic.start), end(ic.end, ic.has_trailer)
        for g in ic.groups:
            g.start, g.end = start(g.start), end(g.end, g.has_trailer)
    result.findings = [f if f.location.file_segment is None else
                       replace(f, location=replace(f.location, file_segment=at[f.location.file_segment - 1] + 1))
                       for f in result.findings]
    result.segments = SegmentTable(elements=result.segments.elements.slice(0, 0), component=[])
    return result


def batch_bytes(sk: Skeleton, b: Batch, read: Callable[[int, int], bytes]) -> bytes:
    """What the reader is given for batch ``b`` (``read(start, end)``: the interchange's bytes there):
    the ISA and the open group's GS before it (a later batch); of a huge set, its ST and SE only."""
    data = read(b.start, b.end) if b.huge is None else read(b.start, b.st_end) + read(b.se_start, b.end)
    return data if b.group < 0 else sk.isa + sk.isx + sk.groups[b.group] + data


def read_batch(sk: Skeleton, b: Batch, read: Callable[[int, int], bytes], *, file: str) -> tuple[ParseResult, int]:
    """Batch ``b`` read: the result (its own rows: the ISA and GS put before it are rows 0 and 1) and
    ``delta``, what makes its rows the interchange's."""
    result = read_interchanges(batch_bytes(sk, b, read), file=file)
    prefix = 0 if b.group < 0 else 3 if sk.isx else 2
    if b.huge is None and len(result.segments) - prefix != b.rows:
        raise ValueError(f"batch at byte {b.start} read as {len(result.segments) - prefix} segments; the scan "
                         f"counted {b.rows}")
    return result, b.row - prefix
