"""X12 writer: segments (lists of element values) -> text with a partner's delimiters.

An element value may be a tuple/list of components. Trailing empty elements are dropped (except in
ISA, which is fixed). A value is never altered: one that contains a delimiter cannot be written with
those delimiters (DelimiterCollision); callers choose delimiters the values do not use
(`collisions`, `first_fitting`); only a number's text may gain zeros a partner's guide asks for
(`fixed_decimals`). The codec's other half is parsers.x12_reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

from parsers.x12_reader import ParseResult, composed
from schemas.charsets import widest
from schemas.x12 import Delimiters

Segment = Sequence[object]


class DelimiterCollision(ValueError):
    """A value contains one of the delimiters it was to be written with (a caller's mistake: choose
    delimiters with `first_fitting`)."""


def _delimiter_chars(d: Delimiters) -> str:
    return "".join(ch for ch in (d.element, d.component, d.segment, d.repetition) if ch)


def _text(value: object, d: Delimiters, chars: str | None = None) -> str:
    text = "" if value is None else str(value)
    chars = _delimiter_chars(d) if chars is None else chars
    for ch in chars:
        if ch in text:
            raise DelimiterCollision(f"value {text!r} contains a delimiter of {chars!r}")
    return text


def _values(segments: Iterable[Segment]) -> Iterator[str]:
    """Every element and component value, as text (ISA11 and ISA16, the delimiters themselves, left out)."""
    for seg in segments:
        values = list(seg[1:11]) + list(seg[12:16]) if seg and seg[0] == "ISA" else seg[1:]
        for v in values:
            for part in (v if isinstance(v, (tuple, list)) else (v,)):
                if part is not None:
                    yield str(part)


def collisions(segments: Iterable[Segment], d: Delimiters) -> set[str]:
    """The delimiter characters of ``d`` that occur inside some value of ``segments``."""
    chars = _delimiter_chars(d)
    return {ch for text in _values(segments) for ch in chars if ch in text}


def first_fitting(segments: Sequence[Segment], candidates: Iterable[Delimiters]) -> Delimiters | None:
    """The first of ``candidates`` whose delimiters occur in no value (None: every one collides)."""
    return first_free(used_chars(segments), candidates)


def used_chars(segments: Iterable[Segment]) -> set[str]:
    """Every character some value of ``segments`` holds."""
    return set("".join(_values(segments)))


def first_free(used: set[str], candidates: Iterable[Delimiters]) -> Delimiters | None:
    """The first of ``candidates`` none of whose delimiters is in ``used`` (None: every one is)."""
    for d in candidates:
        if not used.intersection(_delimiter_chars(d)):
            return d
    return None


def delimiter_chars(candidates: Iterable[Delimiters]) -> str:
    """Every delimiter character of ``candidates``, once."""
    return "".join(dict.fromkeys("".join(_delimiter_chars(d) for d in candidates)))


@lru_cache(maxsize=4096)
def x12_decimal(value: Decimal | int | None) -> str:
    """An R (decimal) element: no exponent, no trailing zeros after the point, "" for None. (Cached:
    equal values give the same text, and a document repeats few distinct quantities.)"""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("", "-0", "-"):
        return "0"
    return text


def fixed_decimals(text: str, d: Delimiters, places: Mapping[str, Mapping[int, tuple[int, int]]]) -> str:
    """``text`` (segments rendered with ``d``, each ending with its terminator and suffix) with the R elements
    ``places`` names (segment id -> element position -> (fewest decimals, the element's maximum length)) padded
    with zeros to that many decimals: "144" -> "144.00", "6.25" -> "6.2500". A value with as many decimals or
    more, an empty one, one that is no plain number, or one the zeros would make longer than its maximum (digits
    counted, as X12 counts an R value's length) is left as it is."""
    if not places:
        return text
    end, e = d.segment + d.suffix, d.element
    out = text.split(end)
    for k, seg in enumerate(out):
        wanted = places.get(seg[:seg.find(e)] if e in seg else seg)
        if not wanted:
            continue
        values = seg.split(e)
        for at, (decimals, longest) in wanted.items():
            if at < len(values) and values[at]:
                values[at] = _padded(values[at], decimals, longest)
        out[k] = e.join(values)
    return end.join(out)


def _padded(value: str, decimals: int, longest: int) -> str:
    whole, point, fraction = value.partition(".")
    digits = whole[1:] if whole[:1] == "-" else whole
    if not (digits or fraction) or not (digits + fraction).isascii() or not (digits + fraction or "0").isdigit() \
            or len(fraction) >= decimals:
        return value
    padded = fraction.ljust(decimals, "0")
    if len(digits) + len(padded) > longest:
        return value
    return f"{whole}.{padded}"


DESCRIPTION_MAX = 80  # PID05 (element 352, AN 1/80 in 004010 and 005010)
NAME_MAX = 60  # N102 (element 93, AN 1/60)
ADDRESS_MAX = 55  # N301/N302 (element 166, AN 1/55)
CITY_MAX = 30  # N401 (element 19, AN 2/30)
ROUTING_MAX = 35  # TD505 (element 387, AN 1/35)


def x12_text(value: str, max_len: int = DESCRIPTION_MAX) -> str:
    """A free-text AN element (a description, a name, an address) cut to its maximum length, blanks at the cut dropped;
    a line break, tab or other control character in it (a CSV order's quoted cell of several lines, a reference
    row's: no X12 character, the document would be refused, and held by flows.documents.holder) and the blanks
    around it become one blank; a value that fits is returned as it is. Only for text a
    receiver reads, never for an identifier."""
    if _CONTROLS.search(value):
        value = _CONTROLS.sub(" ", value).strip(" ")
    return value if len(value) <= max_len else value[:max_len].rstrip(" ")


_CONTROLS = re.compile(r" *[\x00-\x1f\x7f-\x9f]+[\x00-\x1f\x7f-\x9f ]*")  # C0, DEL, C1 (schemas.charsets)


def x12_texts(values: pa.Array, max_len: int = DESCRIPTION_MAX) -> pa.Array:
    """x12_text of each string of ``values`` (column-wise; nulls stay null)."""
    broken = pc.fill_null(pc.match_substring_regex(values, r"[\x00-\x1f\x7f-\x9f]"), False)
    if pc.any(broken).as_py():
        values = pc.if_else(broken, pc.utf8_trim(pc.replace_substring_regex(values, _CONTROLS.pattern, " "), " "),
                            values)
    long = pc.fill_null(pc.greater(pc.utf8_length(values), max_len), False)
    if not pc.any(long).as_py():
        return values
    return pc.if_else(long, pc.utf8_rtrim(pc.utf8_slice_codeunits(values, 0, max_len), characters=" "), values)


def x12_implied(value: Decimal, decimals: int = 2) -> str:
    """An Nn element (implied decimals): 123.45 with n=2 -> "12345". The value must already be
    rounded to ``decimals`` places (rounding is the caller's business rule, never silent here)."""
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {decimals} decimals")
    return str(int(scaled))


def render_segment(seg: Segment, d: Delimiters) -> str:
    """One segment as text; DelimiterCollision if a value contains a delimiter (never altered)."""
    return _render(seg, d, _delimiter_chars(d))


def _render(seg: Segment, d: Delimiters, chars: str) -> str:
    if seg[0] == "ISA":  # fixed layout; ISA11/ISA16 carry delimiters themselves
        if collisions([seg], d):
            raise DelimiterCollision(f"an ISA value contains a delimiter of {chars!r}")
        return d.element.join(str(v) for v in seg)
    parts: list[str] = [str(seg[0])]
    for v in seg[1:]:
        if isinstance(v, (tuple, list)):
            comps = [_text(c, d, chars) for c in v]
            while comps and comps[-1] == "":
                comps.pop()
            parts.append(d.component.join(comps))
        else:
            parts.append(_text(v, d, chars))
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return d.element.join(parts)


def render_segments(segments: Iterable[Segment], d: Delimiters) -> str:
    end = d.segment + d.suffix
    chars = _delimiter_chars(d)
    return "".join(_render(s, d, chars) + end for s in segments)


def render_x12(segments: Iterable[Segment], d: Delimiters) -> bytes:
    return render_segments(segments, d).encode("utf-8")


def render_parsed(result: ParseResult, d: Delimiters | None = None) -> bytes:
    """Re-render a parsed file (its segments as read) with ``d`` or the file's own delimiters.

    Only for files whose interchanges could all be read; ISA elements are written as received.
    """
    d = d or result.delimiters or Delimiters()
    out = []
    for row in result.segments.elements.to_pylist():
        if row[0] == "ISA" and len(row) == 17:
            row = row[:16] + [d.component]
            out.append(d.element.join(row) + d.segment + d.suffix)
        else:
            out.append(d.element.join(row) + d.segment + d.suffix)
    return "".join(out).encode("utf-8")



# --- the character encoding a partner reads ---------------------------------------------------------
OUTBOUND_ENCODINGS = ("utf-8", "latin-1", "cp1252", "ascii")
# The letters Windows-1252 has at 0x80-0x9F, where ISO-8859-1 has control characters ("œ", "’", "–", "€" ...)
_CP1252_LETTERS = frozenset(bytes([b]).decode("cp1252", "ignore") for b in range(0x80, 0xA0)) - {""}
# Characters with no Latin-1 code and no decomposition to one, as a French or Spanish name writes them; those
# Latin-1 has (the guillemets of French quotations, the multiplication sign of "2×4" ...) are spelled so in ASCII.
_SPELLED = {"\u0152": "OE", "\u0153": "oe", "\u2018": "'", "\u2019": "'", "\u201a": ",", "\u201c": '"',
            "\u201d": '"', "\u201e": '"', "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-",
            "\u2212": "-", "\u2026": "...", "\u20ac": "EUR", "\u00a0": " ", "\u00c6": "AE", "\u00e6": "ae",
            "\u00df": "ss", "\u00d8": "O", "\u00f8": "o", "\u00b0": "o", "\u00ab": '"', "\u00bb": '"',
            "\u2039": "'", "\u203a": "'", "\u00d7": "x", "\u00f7": "/", "\u00b1": "+/-", "\u00b5": "u",
            "\u00a9": "(C)", "\u00ae": "(R)", "\u00a1": "!", "\u00bf": "?", "\u00b7": ".", "\u2022": "-"}


def transcode(content: bytes, encoding: str) -> bytes:
    """Our document (UTF-8 bytes, as every document is rendered and stored) in the character encoding the
    partner's translator reads, its accents written apart (NFD: "e" and a combining acute, as macOS writes them,
    in a reference row's name) first the letters they make (NFC: "é", as we read every file: x12_reader.composed;
    an element our outbound check counts 60 characters long is then 60 to a receiver counting code points, not
    68): "utf-8" as it is, so composed; "latin-1" (ISO-8859-1: a translator that reads one byte per
    character, where UTF-8's "é" would arrive as "Ã©") each character in its one byte; "cp1252" (Windows-1252:
    ISO-8859-1 with letters where it has control characters, "œ", "’", "–" as a Windows translator sends them)
    likewise; "ascii" (a translator taking X12's basic and extended character sets only) each letter without its
    accent. A character the encoding has no code for is written as its letters without their
    accents (NFKD: "ŝ" s; a fraction with its slash, "⅜" 3/8), a few by their usual spelling ("œ" oe, "’" ',
    and in ASCII "«" ", "×" x), else "?"; never as one of the interchange's delimiters (then a blank). A
    spelling longer than its character may take an element past the standard's maximum length (a 60-character
    N102 with an "œ": 61): such an element is cut to its maximum, blanks at the cut dropped (as x12_text cuts our
    own texts), by the dictionary of its group's version (GS08). Byte for byte the same for a document that is
    ASCII (every identifier, count and date is)."""
    if content.isascii():
        return content

    decoded = content.decode("utf-8")
    text = composed(decoded)
    if encoding == "utf-8":
        return content if text is decoded else text.encode("utf-8")
    try:  # every character has its code
        return text.encode(encoding)
    except UnicodeEncodeError:
        pass
    envelope = text.startswith("ISA") and len(text) > 105
    delimiters = {text[3], text[104], text[105]} if envelope else set()
    if delimiters and not text[82].isalnum():  # ISA11: the repetition separator (U before 00402)
        delimiters.add(text[82])
    table: dict[int, str] = {}  # each character the encoding has no code for -> as it is spelled
    for ch in set(text):
        if _writable(ch, encoding):
            continue
        letters = _spelling(ch, encoding) or "?"
        table[ord(ch)] = " " if delimiters.intersection(letters) else letters
    longer = {chr(c) for c, letters in table.items() if len(letters) > 1}
    if not longer or not envelope:  # no element lengthened (or no interchange: no elements to keep within)
        spelled = re.compile("[" + re.escape("".join(map(chr, table))) + "]")  # (few: faster than translate)
        return spelled.sub(lambda m: table[ord(m.group())], text).encode(encoding)
    term, sep, comp = text[105], text[3], text[104]
    version = ""
    segments = text.split(term)
    for k, segment in enumerate(segments):
        if segment.isascii():
            if segment.lstrip().startswith("GS" + sep):
                gs = segment.split(sep)
                version = gs[8].strip() if len(gs) > 8 else ""
            continue
        if longer.isdisjoint(segment):
            segments[k] = segment.translate(table)
            continue
        elements = segment.split(sep)
        seg_id = elements[0].strip()
        for at in range(1, len(elements)):
            value = elements[at]
            written = value.translate(table)
            if len(written) > len(value):  # a spelling lengthened it: within the element's maximum
                written = _within_maximum(value, written, table, version, seg_id, at, comp)
            elements[at] = written
        segments[k] = sep.join(elements)
    return term.join(segments).encode(encoding)


def _writable(ch: str, encoding: str) -> bool:
    """Has ``encoding`` (one of OUTBOUND_ENCODINGS but UTF-8) a code for ``ch``? Of 0x80-0x9F and beyond Latin-1,
    Windows-1252 has its letters."""
    if encoding == "cp1252" and not (ord(ch) < 0x80 or 0xA0 <= ord(ch) < 0x100):
        return ch in _CP1252_LETTERS
    return ord(ch) < (0x80 if encoding == "ascii" else 0x100)


def _spelling(ch: str, encoding: str) -> str:
    """How transcode writes ``ch``, a character ``encoding`` has no code for: its letters without their accents
    (NFKD), or its usual spelling (_SPELLED); "" when it has none (a Chinese, Japanese or Korean character: no
    letters of Latin-1 make it), which transcode writes "?"."""
    import unicodedata

    if ch in _SPELLED and (encoding == "ascii" or ord(ch) >= 0x100):
        return _SPELLED[ch]
    return "".join(c for c in unicodedata.normalize("NFKD", ch).replace("\u2044", "/")
                   if _writable(c, encoding) and not unicodedata.combining(c))


def unspelled(content: bytes, encoding: str) -> list[str]:
    """The elements of our document ``content`` (UTF-8, an interchange) that transcode writes in ``encoding`` with
    a "?": a character of theirs has neither a code there nor a spelling (大華超級市場 in ISO-8859-1 or ASCII), each
    as its segment id, position and text as we have it ("N102 '大華超級市場'"), in document order, each once. What a
    partner reads there is no longer what we meant: delivery says so (TEXT_NOT_IN_ENCODING). Empty for UTF-8 and
    for a document every character of which is written or spelled."""
    if encoding == "utf-8" or content.isascii():
        return []
    import unicodedata

    text = unicodedata.normalize("NFC", content.decode("utf-8"))
    if not (text.startswith("ISA") and len(text) > 105):
        return []
    term, sep = text[105], text[3]
    out: list[str] = []
    for segment in text.split(term):
        if segment.isascii():
            continue
        elements = segment.strip().split(sep)
        for at, value in enumerate(elements[1:], 1):
            said = f"{elements[0]}{at:02d} '{value}'"
            if said not in out and any(not _writable(ch, encoding) and not _spelling(ch, encoding)
                                       for ch in set(value)):
                out.append(said)
    return out


def _within_maximum(value: str, written: str, table: Mapping[int, str], version: str, seg_id: str, position: int,
                    comp: str) -> str:
    """``written`` (``value`` spelled: translated by ``table``) cut to the standard's maximum length of element
    ``position`` of ``seg_id`` in ``version`` (a composite's: each component to its own), blanks at the cut
    dropped; as it is when the dictionary has no such element."""
    most = _maximum(version, seg_id, position)
    if isinstance(most, int):
        return _cut(written, most)
    return comp.join(_cut(part.translate(table), most.get(n, 0)) for n, part in enumerate(value.split(comp), 1))


@lru_cache(maxsize=512)
def _maximum(version: str, seg_id: str, position: int) -> int | Mapping[int, int]:
    """The maximum length of element ``position`` of ``seg_id`` in GS08 ``version`` (0: none known), or of each
    component of a composite (position -> maximum)."""
    from schemas.x12dict import release_dictionary

    dictionary = release_dictionary(version) if version else None
    seg = dictionary.segment(seg_id) if dictionary is not None else None
    use = next((u for u in seg.elements if u.position == position), None) if seg is not None else None
    if use is None:
        return 0
    if use.composite is not None:
        return {c.position: c.element.max for c in use.composite.components}
    return use.element.max if use.element is not None else 0


def _cut(value: str, most: int) -> str:
    if not most or len(value) <= most:
        return value
    cut = value[:most]
    return cut.rstrip(" ") or cut


def answer_encoding(configured: str, answered: Iterable[str], earlier: str) -> str:
    """The encoding a document goes to a partner in (transcode). ``configured``: the profile's [x12] encoding,
    taken as it is unless "auto"; then ``answered`` (the character sets, per `parsers.x12_reader.charset`, of the
    partner files the document answers: a 997's file, an 855's, 856's or 810's PO) and ``earlier`` (the widest of
    the partner's latest files before the document, "" if none is known) decide: a file beyond ASCII is answered
    in its own encoding; else the partner's latest such file's; a partner known to send ASCII only gets ASCII
    (X12's basic and extended character sets: what a strict translator takes); one never heard from in X12 (a CSV
    partner, files taken before character sets were kept) gets UTF-8, as before "auto"."""
    if configured != "auto":
        return configured
    answered = list(answered)
    wide = widest(c for c in answered if c != "ascii")
    if wide:
        return wide
    if earlier and earlier != "ascii":
        return earlier
    return "ascii" if answered or earlier == "ascii" else "utf-8"

# --- columnar: one segment per row of Arrow columns (10,000 855s without a Python object per line) ---
# The caller chooses delimiters that no value uses (chars_used), as first_fitting does for segments.
def text_column(values):
    """Element text per row, as it is (a value is never altered), null as ""."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.fill_null(pc.cast(values, pa.string()), "")


def chars_used(values, chars: str) -> dict:
    """For each character of ``chars`` that occurs: the rows whose text contains it (indices). One
    pass over the column finds the rows holding any of them (usually none)."""

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not chars or len(values) == 0 or not _may_hold(values, chars):
        return {}
    pattern = "[" + "".join("\\" + ch if ch in "\\]^-[" else ch for ch in chars) + "]"  # RE2 class
    hit = np.asarray(pc.fill_null(pc.match_substring_regex(values, pattern), False).to_numpy(zero_copy_only=False),
                     dtype=bool)
    rows = np.flatnonzero(hit)
    if not len(rows):
        return {}
    some = pc.take(values, pa.array(rows))
    out = {}
    for ch in chars:
        found = np.asarray(pc.fill_null(pc.match_substring(some, ch), False).to_numpy(zero_copy_only=False), dtype=bool)
        if found.any():
            out[ch] = rows[found]
    return out


def _may_hold(values, chars: str) -> bool:
    """False when no value of the string column ``values`` can contain any of ``chars``: none of them
    is in the bytes its values are stored in (a memchr-speed scan per character, instead of a regex
    match per row; the usual answer). True when one is (it may lie outside the values: chars_used then
    looks row by row) or the column is not plain string."""
    import pyarrow as pa

    wanted = [ch.encode("utf-8") for ch in chars]
    for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return True
        data = chunk.buffers()[2]
        if data is not None and data.size:
            stored = data.to_pybytes()
            if any(ch in stored for ch in wanted):
                return True
    return False


def decimal_column(values):
    """R (decimal) element text per row, as x12_decimal: no trailing zeros after the point, "" for null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.cast(values, pa.string())
    dotted = pc.match_substring(text, ".")
    stripped = pc.utf8_rtrim(pc.utf8_rtrim(text, characters="0"), characters=".")
    text = pc.if_else(pc.fill_null(dotted, False), stripped, text)
    text = pc.if_else(pc.is_in(text, value_set=pa.array(["", "-0", "-"])), "0", text)
    return pc.fill_null(text, "")


def date_column(values):
    """CCYYMMDD per row, "" for null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.fill_null(pc.replace_substring(pc.cast(values, pa.string()), pattern="-", replacement=""), "")


def segment_column(seg_id: str, elements: list, d: Delimiters):
    """One rendered segment per row (without terminator): ``seg_id`` and the elements (string
    columns, or plain strings, none holding a delimiter of ``d``), trailing empty elements dropped."""
    import pyarrow.compute as pc

    joined = pc.binary_join_element_wise(seg_id, *elements, d.element)
    return pc.utf8_rtrim(joined, characters=d.element)
