"""X12 reader: bytes in, envelope tree + columnar segment table + findings out.

Survives anything: BOMs, CR/LF and indentation, lines cut at a fixed width inside segments, odd or
multi-byte delimiters, ISAs that are not 106 characters, several interchanges per file, missing
trailers, garbage. Envelope *syntax* (ISA/GS/ST field checks, counts, control numbers) is checked here
as it is walked; transaction set content is checked in rules/. No paths, no I/O, no logging.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers.file_kinds import compressed_kind, refused_kind, with_article
from parsers.x12_gaps import gaps_blanked, isa_inside_segment, next_isa
from parsers.x12_tokens import tokenise_bytes
from schemas.findings import Finding, finding
from schemas.wide_text import HEAD_BYTES
from schemas.x12 import ENVELOPE_IDS, Delimiters, Group, Interchange, SegmentTable, TransactionSet

# Blanks never delimit (ASCII whitespace). The information separators 0x1C-0x1F that some translators
# use as delimiters are not blanks here, though Python's str.isspace and regex \s count them.
_BLANKS = " \t\r\n\x0b\x0c"
# TAB (HT) is no data character (X12.6's basic and extended sets have none but the space): like the information
# separators it may be a delimiter, the element separator after "ISA" (RFI 28: delimiters "need not have common
# graphical representations"; Bots reads such a file). The other blanks may not.
_SEPARATOR_BLANKS = " \r\n\x0b\x0c"
_ISA_START = re.compile(r"ISA[^A-Za-z0-9 \r\n\x0b\x0c]")
_SEGMENT_ID = re.compile(r"^[A-Z0-9]{2,3}$")
# the segments a run's walk looks at: the envelope, TA1s (skipped by the walk) and the ISX (X12 007040+)
RUN_ENVELOPE = (*ENVELOPE_IDS, "TA1", "ISX")
_MAX_REPEATED_FINDINGS = 20
# The ISA is fixed-width (106 characters); real files pad, shorten or break it over lines, never by
# this much. Its 16 elements are looked for within this many characters, so finding the delimiters
# of every interchange costs a bounded amount however the rest of the file looks.
ISA_MAX_CHARS = 1024


@dataclass(slots=True)
class ParseResult:
    file: str
    interchanges: list[Interchange]
    segments: SegmentTable
    findings: list[Finding] = field(default_factory=list)
    encoding: str = "utf-8"
    # the whole text read was ASCII (read_interchanges knows it from its tokenising): then so is every value,
    # and charset() need not look at them; False when not known
    ascii_text: bool = False

    @property
    def delimiters(self) -> Delimiters | None:
        return self.interchanges[0].delimiters if self.interchanges else None

    def transaction_sets(self):
        """(interchange, group, set) for every set, in file order."""
        for ic in self.interchanges:
            for g in ic.groups:
                for ts in g.transactions:
                    yield ic, g, ts


# "ISA" in EBCDIC (code pages 037 and 500 alike), and the blanks and line ends that may come before it
_EBCDIC_ISA = b"\xc9\xe2\xc1"
_EBCDIC_BLANKS = b"\x40\x15\x25\x0d"


def decode(data: bytes) -> tuple[str, str, list[Finding]]:
    """Bytes to text: UTF-8 (BOM stripped), else Windows-1252 with a warning: the "Latin-1" a Windows translator
    writes, whose curly apostrophe, dashes, euro sign and "œ" (0x80-0x9F) ISO-8859-1 reads as control characters
    ("L\x92Île" for "L’Île", taken on into our 855s and 810s); the five bytes Windows-1252 leaves undefined read as
    ISO-8859-1 reads them. An interchange in EBCDIC (a mainframe's file moved in binary: its first bytes "ISA" in
    code page 037) is read in code page 037, X12's EBCDIC table (X12.6 lists each character's EBCDIC and ASCII
    codes), its NL (0x15) a line break. One character per byte every way (positions in the text are byte
    offsets)."""
    findings: list[Finding] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.lstrip(_EBCDIC_BLANKS).startswith(_EBCDIC_ISA):  # a mainframe's interchange sent as its bytes
        findings.append(_finding("X12_EBCDIC", "The file is EBCDIC (a mainframe's code page 037), sent in binary "
                                 "rather than as text: read as such. Our documents go back in ASCII."))
        return data.decode("cp037").replace("\x85", "\n"), "cp037", findings
    try:
        return data.decode("utf-8"), "utf-8", findings
    except UnicodeDecodeError as exc:
        findings.append(_finding("X12_NOT_UTF8", f"Not valid UTF-8 at byte {exc.start}; read as Windows-1252 "
                                 "(Latin-1)."))
        return data.decode("latin-1").translate(_WINDOWS_1252), "cp1252", findings


def composed(text: str) -> str:
    """Why a UTF-8 file's text is read composed (NFC), every value stored and echoed so: accents written apart (NFD:
    "e" and U+0301, as macOS and some Java and web exports write them) are the letters they make, "é". X12 counts an
    element's length in characters; "Québec" is six whichever way its bytes spell the "é", and a 60-character N102
    written decomposed is not 68 long (it was ELEMENT_TOO_LONG, an error: AK5 R, the whole PO refused). The two
    forms are canonically equivalent (Unicode's conformance C6: the same text to any process); composed, a name
    counts what a reader sees in our rules, our outbound validator and any receiver counting code points (pyx12:
    each value's len()), compares equal to the same name sent composed, and is echoed within its maximum (our
    documents are sent composed too: x12_writer.transcode). A Windows-1252 or Latin-1 file has no combining accents
    to compose. Returns ``text`` itself when it is already NFC (a quick check; every ASCII text is)."""
    return text if text.isascii() or unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def charset(result: ParseResult) -> str:
    """The character set a partner's file shows it writes in, as its bytes tell: "cp1252" (not UTF-8, and some
    value holds a letter Windows-1252 alone has, a byte of 0x80-0x9F: "œ", "’", "–"), "latin-1" (not UTF-8: read
    as Windows-1252, ISO-8859-1's superset), "utf-8" (valid UTF-8, some value beyond ASCII), else "ascii" (every
    value in X12's basic and extended character sets or other ASCII: nothing said beyond that)."""
    not_utf8 = result.encoding != "utf-8" or any(f.code == "X12_NOT_UTF8" for f in result.findings)
    if result.ascii_text:  # every value is a piece of that text (a 10,000-PO intake's 20 files: ~9 ms of CPU)
        return "latin-1" if not_utf8 else "ascii"
    values = pc.list_flatten(result.segments.elements)
    if not_utf8:
        windows = pc.match_substring_regex(values, _WINDOWS_ONLY) if len(values) else pa.array([], pa.bool_())
        return "cp1252" if pc.any(windows).as_py() else "latin-1"
    return "ascii" if not len(values) or pc.all(pc.string_is_ascii(values)).as_py() is not False else "utf-8"


# ISO-8859-1's C1 controls (0x80-0x9F) -> the characters Windows-1252 has there (0x81, 0x8D, 0x8F, 0x90, 0x9D: none)
_WINDOWS_1252 = {b: ch for b in range(0x80, 0xA0) if (ch := bytes([b]).decode("cp1252", "ignore"))}
_WINDOWS_ONLY = "[" + re.escape("".join(_WINDOWS_1252.values())) + "]"  # a value holding one: charset "cp1252"


def read_interchanges(data: bytes, *, file: str = "") -> ParseResult:
    """Parse every interchange in ``data``. Never raises for bad input: problems are findings."""
    # No process-wide switches here (e.g. pausing the garbage collector): a parser must not change
    # state other code shares. Callers that parse big drops in a loop may tune the collector themselves.
    width = record_width(data)
    if width is None:
        return _read_interchanges(data, file)
    result = _read_interchanges(data.replace(b"\r", b"").replace(b"\n", b""), file)
    wrapped = _finding("X12_LINES_WRAPPED", f"The file is cut into lines of {width} characters inside its "
                       "segments (fixed-length records); the line breaks were ignored.", value=str(width))
    result.findings.insert(0, wrapped.with_file(file) if file else wrapped)
    return result


# Fixed-length records: a line cut inside a segment is at least this long (80 is the usual width).
_MIN_RECORD_WIDTH = 40
_HEAD_BYTES = 1 << 16


def record_width(data: bytes) -> int | None:
    """The record width when ``data`` is X12 cut into fixed-length lines inside its segments (a VAN or
    mainframe "wrapped" file: a CR/LF every 80 bytes, or after every segment and every 80 bytes of a
    longer one), else None. Such line breaks are outside the X12 character set and carry no data
    (X12 RFI 28); they are ignored only when the segment terminator is a printable character and
    every line cut inside a segment has one same width of at least 40 (two such lines at least), so
    a single missing terminator before a line break is still reported as such."""
    head = data[:_HEAD_BYTES]
    if b"\n" not in head:
        return None
    flat = head.replace(b"\r", b"").replace(b"\n", b"").decode("latin-1")
    pos = _find_isa(flat, 0)
    detected = _detect_delimiters(flat, pos) if pos >= 0 else None
    if not isinstance(detected, tuple) or detected[2]:
        return None
    term = detected[0].segment
    if len(term) != 1 or not ("!" <= term <= "~"):
        return None
    if _cut_widths(head.decode("latin-1"), term) is None:
        return None  # the usual file: every line ends with the terminator
    widths = _cut_widths(data.decode("latin-1"), term)
    if widths is None:
        return None
    cut, longest, n_cut = widths
    if len(cut) != 1 or n_cut < 2:
        return None
    width = cut.pop()
    return width if width >= _MIN_RECORD_WIDTH and longest <= width else None


def _cut_widths(text: str, term: str) -> tuple[set[int], int, int] | None:
    """(widths of the lines that end inside a segment, the longest line, how many such lines) over the
    lines of ``text`` from its ISA on (the last line left out: it may be short, or cut by the head
    read); None when no line ends inside a segment."""
    start = _find_isa(text, 0)
    if start < 0:
        return None
    if len(term) == 1 and term not in "\r\n":
        # the usual file, every line ending with the terminator (a CR before the LF aside): said by counting,
        # not by a Python string per line (a 50-PO file's head is every line of it)
        breaks = text.count("\n", start)
        if text.count(term + "\n", start) + text.count(term + "\r\n", start) == breaks:
            return None
    lines = [line.rstrip("\r") for line in text[start:].split("\n")][:-1]
    cut = [len(line) for line in lines if line and not line.rstrip(" ").endswith(term)]
    if not cut:
        return None
    return set(cut), max(len(line) for line in lines), len(cut)


def _refused_words(kind: str) -> str:
    """X12_NOT_EDI's message for a file that is no 8-bit text (parsers.file_kinds.refused_kind)."""
    if kind.endswith("-compressed file"):
        return (f"{with_article(kind)}, not an X12 interchange: compressed files are not unpacked. Ask the partner "
                "to send it uncompressed (or unpack the archived copy and drop its files again).")
    if kind.endswith(" text"):
        return (f"{kind}, not an X12 interchange as sent: X12 is written one byte a character (ASCII or UTF-8). Ask "
                "the partner to send it so (an editor's \"Unicode\" save writes UTF-16).")
    return f"{with_article(kind)}, not an X12 interchange: ask the partner to send the order as EDI."


def _csv_words(text: str) -> str:
    """What X12_NOT_EDI adds for a file whose first two lines are rows of one separator (a CSV or TAB export
    dropped where X12 is read), else nothing."""
    rows = text[:4096].splitlines()[:2]
    if len(rows) < 2:
        return ""
    for sep, name in ((",", "comma"), (";", "semicolon"), ("\t", "TAB"), ("|", "bar")):
        if rows[0].count(sep) >= 2 and rows[1].count(sep) >= 2:
            return (f" It reads as {name}-separated text (a CSV export?), dropped where X12 is read (a partner sending "
                    "CSV orders needs accepts = [\"csv\"] and its layout, docs/onboarding.md).")
    return ""


_MARKED_ISA = b"\xef\xbb\xbfISA"


def _read_interchanges(data: bytes, file: str) -> ParseResult:
    if _MARKED_ISA in data[3:]:  # files concatenated (`copy /b`, `cat`), each with its UTF-8 byte-order mark: the
        data = data[:3] + data[3:].replace(_MARKED_ISA, b"ISA")  # marks inside dropped, as the first one is
    text, encoding, findings = decode(data)
    kind = refused_kind(data[:HEAD_BYTES])
    raw = memoryview(data)[3:] if encoding == "utf-8" and data.startswith(b"\xef\xbb\xbf") else data
    if not kind and encoding == "utf-8" and (nfc := composed(text)) is not text:  # accents written apart
        text, raw = nfc, nfc.encode("utf-8")
    chunks: list[pa.Array] = []
    id_chunks: list[pa.Array] = []
    env_chunks: list[np.ndarray] = []
    components: list[str] = []
    interchanges: list[Interchange] = []
    row_base = 0
    pos = -1 if kind else _find_isa(text, 0)  # a stored zip shows its members' text: never read as the file's
    stripped = text.lstrip()
    if kind:  # its bytes are no 8-bit text: no X12_NOT_UTF8, no binary value shown
        findings = [_finding("X12_NOT_EDI", _refused_words(kind), value=compressed_kind(data[:HEAD_BYTES]) or kind)]
    elif pos < 0:
        findings.append(_finding("X12_NOT_EDI", "No ISA segment found: this is not an X12 interchange."
                                 + (_csv_words(stripped) if stripped else " The file is empty." if not data else
                                    " The file holds only blanks."), value=stripped[:40]))
    elif text[:pos].strip():
        findings.append(_finding("X12_LEADING_GARBAGE", f"{len(text[:pos].strip())} characters before the ISA "
                                 "were ignored.", value=text[:pos].strip()[:40]))
    if pos >= 0:
        read, gaps = gaps_blanked(text, pos, _separators_at)
        if read is not text:  # the bytes tokenised are the text's
            text, raw = read, read.encode("utf-8") if encoding == "utf-8" else raw
        findings += [_finding("X12_BETWEEN_INTERCHANGES", f"{len(g)} characters between two interchanges were "
                              "ignored (a mailbox's or provider's own lines, not X12).", value=g[:40]) for g in gaps]
    if pos >= 0 and ("\x00" in text or "\r\r\n" in text):  # NUL record padding, a doubled CR: blanked
        read = between_segments_blanked(text, pos)
        if read is not text:
            text, raw = read, read.encode("utf-8") if encoding == "utf-8" else raw
    ascii_text = text.isascii()
    byte_pos = pos if ascii_text or pos < 0 else len(text[:pos].encode("utf-8"))
    while 0 <= pos < len(text):
        detected = _detect_delimiters(text, pos)
        if isinstance(detected, Finding):
            # cannot tokenise: record a rejected interchange stub so inspect/TA1 can say so, and place the
            # finding at its ISA (ordinal and ISA13), so that its TA1 says why (engine.acks.interchange_findings)
            head = text[pos: pos + 120].split("\n")[0]
            elems = re.split(r"[^A-Za-z0-9 ]", head[4:])[:16] if len(head) > 4 else []
            stub = Interchange(elements=elems, delimiters=Delimiters(), start=row_base, end=row_base - 1,
                               rejected=True, raw_length=len(head))
            findings.append(replace(detected, location=replace(detected.location, file_segment=row_base + 1,
                                                               isa13=stub.control_number)))
            interchanges.append(stub)
            break
        delims, isa_len, term_is_space = detected
        if term_is_space:
            findings.append(_finding("X12_TERMINATOR_IS_SPACE",
                                     "ISA16 is followed by a space and a line break; line breaks were "
                                     "taken as the segment terminator."))
        next_pos = run_end(text, pos, delims, term_is_space)
        end = len(text) if next_pos < 0 else next_pos
        byte_end = end if ascii_text else byte_pos + len(text[pos:end].encode("utf-8"))
        run_raw = memoryview(raw)[byte_pos:byte_end] if encoding == "utf-8" else None
        rows, run_findings = _tokenise_run(text, pos, end, delims, term_is_space, run_raw)
        findings.extend(run_findings)
        chunks.append(rows)
        components.extend([delims.component] * len(rows))
        run_ids = _first_elements(rows) if len(rows) else pa.array([], pa.string())
        id_chunks.append(run_ids)
        # envelope segments, TA1s and ISXs (the walk skips the TA1s; _stray_segments counts them as envelope)
        env_mask = pc.is_in(run_ids, value_set=pa.array(RUN_ENVELOPE)).to_numpy(zero_copy_only=False)
        env_chunks.append(env_mask)
        new_ics, walk_findings = _walk_envelopes(rows, run_ids, np.flatnonzero(env_mask), delims, row_base,
                                                 isa_len)
        interchanges.extend(new_ics)
        findings.extend(walk_findings)
        row_base += len(rows)
        if next_pos < 0:
            break
        pos, byte_pos = next_pos, byte_end
    if len(chunks) == 1:
        elements = chunks[0]
    else:
        elements = pa.concat_arrays(chunks) if chunks else pa.array([], pa.list_(pa.string()))
    c1_findings: list[Finding] = []
    if not ascii_text and _C1.search(text):
        elements, c1_findings = _c1_replaced(elements, components, interchanges)
    table = SegmentTable(elements=elements, component=components)
    if id_chunks:
        # SegmentTable.ids, already computed
        table.__dict__["ids"] = id_chunks[0] if len(id_chunks) == 1 else pa.concat_arrays(id_chunks)
    findings.extend(_stray_segments(table, interchanges, env_chunks))
    findings.extend(c1_findings)
    result = ParseResult(file=file, interchanges=interchanges, segments=table, findings=[], encoding=encoding,
                         ascii_text=ascii_text)
    result.findings = [f.with_file(file) if file else f for f in findings]
    return result


_C1 = re.compile("[\x80-\x9f]")
_C1_RUN = " *[\x80-\x9f]+ *"  # each run of C1 characters, with the blanks around it: one blank


def _c1_replaced(elements: pa.ListArray, components: list[str], interchanges: list[Interchange]) \
        -> tuple[pa.ListArray, list[Finding]]:
    """``elements`` with each run of C1 control characters (U+0080-U+009F) in a value written as one blank (none
    left at either end), and a CONTROL_CHARACTER_REPLACED warning per such value, at its set and element. They
    reach a value two ways: a single-byte file's 0x81, 0x8D, 0x8F, 0x90 or 0x9D, the five bytes Windows-1252 leaves
    undefined (decode() reads the other 27 of 0x80-0x9F as its letters: "’", "–", "€", "™"), and a UTF-8 file
    spelling U+0080-U+009F (Windows-1252 text converted to UTF-8 as if it were ISO-8859-1: "L\u0092Île"). No
    partner means a control character in an id or a name; taken on as sent, the 855/856/810 echoing it would be held
    for good (OUTBOUND_CONTROL_CHARACTER), the order never answered. C0 controls and DEL are left as they are: the
    element checks refuse them (ELEMENT_INVALID_CHARACTER). The ISA is left alone (fixed width; its ISA11 and
    ISA16 may be delimiters of any value). Called only when the file's text holds a C1 character at all."""
    flat = elements.flatten()
    hit = pc.fill_null(pc.match_substring_regex(flat, _C1.pattern), False)
    offsets = elements.offsets.to_numpy()
    offsets = offsets - offsets[0]
    rows = np.searchsorted(offsets, np.arange(len(flat)), side="right") - 1
    ids = pc.list_element(elements, 0).to_numpy(zero_copy_only=False)
    mask = hit.to_numpy(zero_copy_only=False) & (ids[rows] != "ISA")
    at = np.flatnonzero(mask)
    if not len(at):
        return elements, []
    cleaned = pc.utf8_trim(pc.replace_substring_regex(flat, _C1_RUN, " "), " ")
    flat = pc.if_else(pa.array(mask), cleaned, flat)
    sets = [(ic, g, ts) for ic in interchanges for g in ic.groups for ts in g.transactions]
    starts = np.array([ts.start for _ic, _g, ts in sets], dtype=np.int64)
    sent, read = pc.take(elements.flatten(), pa.array(at)).to_pylist(), pc.take(flat, pa.array(at)).to_pylist()
    out = []
    for k, i in enumerate(at.tolist()):
        row = int(rows[i])
        seg, position = str(ids[row]), i - int(offsets[row])
        parts = sent[k].split(components[row]) if components[row] else [sent[k]]
        bad = [n for n, part in enumerate(parts, start=1) if _C1.search(part)]
        ref = f"{seg}{position:02d}" + (f"-{bad[0]:02d}" if len(parts) > 1 and bad else "")
        s = int(np.searchsorted(starts, row, side="right")) - 1
        ic, g, ts = sets[s] if s >= 0 and row <= sets[s][2].end else (None, None, None)
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(_C1.findall(sent[k])))
        out.append(finding(
            "CONTROL_CHARACTER_REPLACED", f"{ref} {sent[k]!r} holds a control character ({shown}: a byte "
            "Windows-1252 leaves undefined, or Windows text converted to UTF-8 as ISO-8859-1); read as "
            f"{read[k]!r}. What we send back that echoes it (855, 856, 810) has the blank, not what was sent; "
            "if the value matters, ask the partner to resend it without that byte.", seg=seg, element=ref,
            value=read[k], isa13=ic.control_number if ic else "", gs06=g.control_number if g else "",
            st02=ts.control_number if ts else "",
            segment_position=row - ts.start + 1 if ts else None, file_segment=row + 1))
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), flat), out


def between_segments_blanked(text: str, first_isa: int) -> str:
    """``text`` with what a transfer or a record format put between segments written as blanks (line breaks kept),
    as X12 RFI 28 leaves what stands between segments to the receiver (the standard once said to ignore extraneous
    bytes wherever they appear), the same length (every offset stays); the tokeniser strips blanks after a
    terminator. Two shapes, each right after a segment terminator of one of the file's interchanges:

    - the NUL padding of fixed-length records, a segment in each: a COBOL program's records initialised to
      LOW-VALUES (or a C program's), the segment, its terminator, then binary zeros to 80 (128, 256 ...) bytes
      (`BEG*00*SA*PO-1**20261126~` and 54 NULs); a run of NULs, with blanks, line breaks and Ctrl-Z among them, up to
      the next segment or the end. A NUL inside a value is left for the element checks (ELEMENT_INVALID_CHARACTER);
      the padding after the last IEA and between interchanges is x12_gaps' and _stray_segments';
    - the doubled CR of a file whose segment terminator is CR, CR LF after each segment, sent again through FTP's
      text mode (its line ends converted once more: CR CR LF). The second CR was read as an empty segment after each
      one (X12_EMPTY_SEGMENT, "14 empty segment(s) were skipped", on every file of such a partner).

    Returns ``text`` itself when nothing is blanked."""
    terminators = set()
    at = first_isa
    while at >= 0:  # each interchange's terminator (a file may join interchanges of several delimiter sets)
        found = _separators_at(text, at)
        if found is not None:
            terminators.add(found[1])
        at = next_isa(text, at + 3)
    terminators.discard("\x00")
    if not terminators:
        return text
    read = text
    if "\x00" in read:
        pad = re.compile("(?<=[" + re.escape("".join(sorted(terminators))) + "])[ \t\r\n\x1a]*\x00[\x00\x1a \t\r\n]*")
        read = pad.sub(lambda m: m.group().replace("\x00", " ").replace("\x1a", " "), read)
    if "\r" in terminators and "\r\r\n" in read:  # CR is never data: the first is the terminator
        read = read.replace("\r\r\n", "\r \n")
    return text if read == text else read


def _find_isa(text: str, start: int) -> int:
    """The first interchange header from ``start``. An `ISA` that is a value (isa_inside_segment: a mailbag's
    `IMC*1*ISA*ZZ*...`), or one within a line of other text whose delimiters cannot be read (a mailbox's
    `$$ADD ID=X BID='ISA*850'`), is passed over for the next header when one follows; an unreadable ISA at the
    start of the file or of a line is the header, its fault said."""
    m = _ISA_START.search(text, start)
    if m is not None and (later := next_isa(text, m.start() + 1)) >= 0 and (
            isa_inside_segment(text, m.start())
            or (text[:m.start()].rstrip(" \t") and text[:m.start()].rstrip(" \t")[-1] not in "\r\n\ufeff"
                and isinstance(_detect_delimiters(text, m.start()), Finding)
                and not isinstance(_detect_delimiters(text, later), Finding))):
        return later
    if m is None:
        # an ISA with an invalid (alphanumeric or blank) separator at the very start still counts
        s = text.lstrip("\ufeff \t\r\n")
        return len(text) - len(s) if s.startswith("ISA") and start == 0 else -1
    return m.start()


def _separators_at(text: str, pos: int) -> tuple[str, str] | None:
    """The element separator and segment terminator of the ISA at ``pos`` (None: none can be read)."""
    detected = _detect_delimiters(text, pos)
    return None if isinstance(detected, Finding) else (detected[0].element, detected[0].segment)


def _detect_delimiters(text: str, pos: int) -> tuple[Delimiters, int, bool] | Finding:
    """Delimiters from the ISA at ``pos``, found by element count, not byte offsets."""
    if pos + 3 >= len(text):
        return _finding("ISA_STRUCTURE_INVALID", "The file ends inside the ISA segment.")
    sep = text[pos + 3]
    if (sep.isascii() and sep.isalnum()) or sep in _SEPARATOR_BLANKS:
        return _finding("ISA_ELEMENT_SEPARATOR_INVALID", f"Element separator {sep!r} after 'ISA' is a letter, "
                        "digit or blank.", seg="ISA", value=sep)
    q, limit = pos + 3, pos + ISA_MAX_CHARS
    for _ in range(15):
        q = text.find(sep, q + 1, limit)
        if q < 0:
            return _finding("ISA_STRUCTURE_INVALID", "The ISA segment has fewer than 16 elements" + (
                f" within its first {ISA_MAX_CHARS} characters." if limit < len(text) else "."), seg="ISA")
    if q + 2 >= len(text):
        return _finding("ISA_TERMINATOR_INVALID", "The file ends before the ISA segment terminator.", seg="ISA")
    comp, term = text[q + 1], text[q + 2]
    if comp in (sep,) or (comp.isascii() and comp.isalnum()) or comp in _BLANKS:
        # a blank ISA16 (a translator set to use no component separator) stays refused, unlike a blank ISA11: X12.6
        # wants a delimiter that never occurs in data and names and addresses hold blanks, so a composite's
        # components could not be told from its words (Bots refuses a blank separator too, "[A65]")
        return _finding("ISA_COMPONENT_SEPARATOR_INVALID", f"Component separator {comp!r} (ISA16) is invalid" + (
            ": a blank cannot separate components, as values hold blanks (names, addresses) and a composite's "
            "components could not be told from its words; the interchange is refused (TA1 027). Ask the partner "
            "to set ISA16 to a character their data never holds ('>', ':' or '^')" if comp in _BLANKS else "") + ".",
                        seg="ISA", element="ISA16", value=comp)
    term_is_space = False
    if term == " " and "\n" in text[q + 3: q + 6]:
        term, term_is_space = "\n", True
    elif (term.isascii() and term.isalnum()) or term in (sep, comp) or term in " \t":
        return _finding("ISA_TERMINATOR_INVALID", f"Segment terminator {term!r} after ISA16 is invalid "
                        "(no terminator between ISA and the next segment?).", seg="ISA", value=term)
    isa_elems = text[pos + 4: q].split(sep)
    version = isa_elems[11].strip() if len(isa_elems) > 11 else ""
    rep = isa_elems[10] if len(isa_elems) > 10 else "U"
    # a blank ISA11 (a translator set to use no repetition separator) is none, as a letter is: a blank is data
    repetition = rep if (version >= "00402" and len(rep) == 1 and not rep.isalnum() and not rep.isspace()
                         and rep not in (sep, comp, term)) else ""
    suffix_end = q + 3
    while suffix_end < len(text) and text[suffix_end] in "\r\n" and suffix_end < q + 5:
        suffix_end += 1
    suffix = "" if term_is_space else text[q + 3: suffix_end].replace("\r", "").replace("\n", "\n") or ""
    delims = Delimiters(element=sep, component=comp, repetition=repetition, segment=term,
                        suffix="\n" if term not in "\r\n" and suffix else "")
    return delims, q + 3 - pos, term_is_space


def run_end(text: str, pos: int, d: Delimiters, term_is_space: bool) -> int:
    """Where the run of interchanges that starts at ``pos`` (an ISA read with delimiters ``d``) ends:
    the start of the next ISA segment whose delimiters differ, or -1 when the run reaches the end.

    Looks at each character a bounded number of times (candidates are found with str.find; an ISA
    with the same delimiters is skipped whole), so reading is linear however often delimiters change.
    A segment starts after a terminator and leading whitespace (str.isspace, which is what pyarrow's
    utf8_ltrim_whitespace strips), exactly as _tokenise_run splits it.
    """
    term = d.segment
    at = pos + 1
    while True:
        i = text.find("ISA", at)
        if i < 0:
            return -1
        j = i
        while text[j - 1] != term and text[j - 1].isspace():  # text[pos] is "I": j never passes pos
            j -= 1
        if text[j - 1] != term:  # "ISA" inside a segment, not at its start
            at = i + 1
            continue
        seg_end = text.find(term, i)
        seg = text[i:] if seg_end < 0 else text[i:seg_end]
        seg = seg.rstrip(" \r\n" if term_is_space else "\r\n")
        if len(seg) < 4 or seg[3] != d.element or not _same_tail(seg, d):
            return i
        if seg_end < 0:
            return -1
        at = seg_end + 1


def _tokenise_run(text: str, pos: int, end: int, d: Delimiters, term_is_space: bool, raw=None):
    """Split ``text[pos:end]`` (one run: interchanges sharing delimiters ``d``) into segments.

    ``raw``: the UTF-8 bytes of exactly that slice, if the text was decoded from UTF-8. Returns
    (list<string> element rows, findings). Only this slice is handed to a splitter.
    """
    rows, findings = _tokenise_split(text, pos, end, d, term_is_space, raw)
    if len(rows) and text.find("ISX" + d.element, pos, end) >= 0:  # maybe an ISX naming a release character
        released = released_rows(rows, d)
        if released is not None:
            rows = released
    return rows, findings


def _names_a_release(rows: pa.ListArray, d: Delimiters) -> bool:
    """True when some ISX right after an ISA in ``rows`` names a release character (read column-wise: a run whose
    values merely hold "ISX*" is not turned into Python lists)."""
    at = np.flatnonzero(pc.equal(_first_elements(rows), "ISX").to_numpy(zero_copy_only=False))
    at = at[at > 0]
    if not len(at):
        return False
    heads = _first_elements(rows.take(pa.array(at - 1, pa.int64()))).to_pylist()
    return any(head == "ISA" and release_of(rows[int(i)].as_py(), d) for i, head in zip(at, heads, strict=True))


def _tokenise_split(text: str, pos: int, end: int, d: Delimiters, term_is_space: bool, raw):
    """_tokenise_run's split at every delimiter, released or not."""
    fast = _tokenise_fast(text, pos, end, d, term_is_space, raw)
    if fast is not None:
        return fast
    findings: list[Finding] = []
    parts = split_segments(text, pos, end, d.segment)
    arr = pc.utf8_ltrim_whitespace(pa.array(parts, pa.string()))
    arr = pc.utf8_rtrim(arr, characters=" \r\n" if term_is_space else "\r\n")
    nonempty = pc.greater(pc.utf8_length(arr), 0)
    n_empty_inside = int(pc.sum(pc.invert(nonempty)).as_py() or 0) - (0 if nonempty[-1].as_py() else 1)
    if n_empty_inside > 0:
        findings.append(_finding("X12_EMPTY_SEGMENT", f"{n_empty_inside} empty segment(s) were skipped."))
    arr = arr.filter(nonempty)
    comp = d.component
    if len(arr) and comp not in "\r\n":
        ends = pc.ends_with(arr, comp)
        n_ends = int(pc.sum(ends).as_py() or 0)
        if n_ends >= max(2, len(arr) // 2):
            findings.append(_finding("X12_TRAILING_COMPONENT_SEPARATOR", f"{n_ends} segments end with the "
                                     f"component separator {comp!r}; the empty trailing component was dropped."))
            arr = pc.if_else(ends, pc.utf8_slice_codeunits(arr, 0, -1), arr)
    rows = pc.split_pattern(arr, d.element)
    return rows, findings


def release_of(isx: list[str], d: Delimiters) -> str:
    """The release character an ISX segment (its elements, ISX first) names: its ISX01 when that is one character
    and neither a letter, a digit, a blank nor one of the interchange's delimiters; "" otherwise."""
    value = isx[1] if len(isx) > 1 else ""
    if len(value) != 1 or value.isalnum() or value.isspace() or value in (d.element, d.component, d.segment,
                                                                         d.repetition):
        return ""
    return value


def released_rows(rows: pa.ListArray, d: Delimiters) -> pa.ListArray | None:
    """``rows`` (a run cut at every delimiter) read again where an interchange names a release character (X12
    007040+: ISX01, in the ISX right after the ISA): the character after it is data, never a delimiter, and the
    release character itself is dropped (two of them are one as data). A released segment terminator joins the two
    rows it was cut into, a released element separator the two values. A released component or repetition separator
    is left in its value as that character. None when no interchange of the run names one (the rows stand)."""
    if not _names_a_release(rows, d):
        return None
    segs = rows.to_pylist()
    out: list[list[str]] = []
    release, previous, changed = "", "", False
    sep, term = d.element, d.segment
    i = 0
    while i < len(segs):
        elements = segs[i]
        sid = elements[0]
        if sid == "ISA":
            release = ""
        elif sid == "ISX" and previous == "ISA":
            release = release_of(elements, d)
        elif release:
            segment = sep.join(elements)
            while _released_end(segment, release) and i + 1 < len(segs):
                i += 1
                segment += term + sep.join(segs[i])
            elements = _split_released(segment, sep, release)
            changed = True
        out.append(elements)
        previous = sid
        i += 1
    return pa.array(out, pa.list_(pa.string())) if changed else None


def _released_end(segment: str, release: str) -> bool:
    """True when ``segment`` ends with a release character that is not itself released (an odd number of them):
    the terminator cut after it was data."""
    return (len(segment) - len(segment.rstrip(release))) % 2 == 1


def _split_released(segment: str, sep: str, release: str) -> list[str]:
    """``segment``'s values, cut at each element separator no release character stands before, each release
    character dropped and the character after it kept as data."""
    values: list[str] = []
    value: list[str] = []
    i, n = 0, len(segment)
    while i < n:
        ch = segment[i]
        if ch == release and i + 1 < n:
            value.append(segment[i + 1])
            i += 2
            continue
        if ch == sep:
            values.append("".join(value))
            value = []
        else:
            value.append(ch)
        i += 1
    values.append("".join(value))
    return values


def split_segments(text: str, pos: int, end: int, terminator: str) -> list[str]:
    """The general path's splitter: ``text[pos:end]`` cut at each segment terminator."""
    return text[pos:end].split(terminator)


def _tokenise_fast(text: str, pos: int, end: int, d: Delimiters, term_is_space: bool, raw):
    """The byte-level path of _tokenise_run (None where it does not apply: the general path decides)."""
    buf = text[pos:end].encode("utf-8") if raw is None else raw
    got = tokenise_bytes(buf, d.element, d.segment, d.component, term_is_space)
    if got is None:
        return None
    rows, later_isas, empty_inside, trailing = got
    if any(len(seg) < 4 or seg[3] != d.element or not _same_tail(seg, d) for seg in later_isas):
        return None  # not expected (run_end cut the run before such an ISA): the general path decides
    findings: list[Finding] = []
    if empty_inside > 0:
        findings.append(_finding("X12_EMPTY_SEGMENT", f"{empty_inside} empty segment(s) were skipped."))
    if trailing:
        findings.append(_finding("X12_TRAILING_COMPONENT_SEPARATOR", f"{trailing} segments end with the "
                                 f"component separator {d.component!r}; the empty trailing component was dropped."))
    return rows, findings


def _same_tail(isa: str, d: Delimiters) -> bool:
    """True when an ISA segment (terminator stripped) ends with this run's component separator."""
    return isa.rstrip().endswith(d.component) and isa.count(d.element) == 16


def _first_elements(rows: pa.ListArray) -> pa.StringArray:
    """Element 0 of every row (rows are never empty lists): list_element(rows, 0), by one take."""
    first = np.ascontiguousarray(rows.offsets.to_numpy()[:-1], dtype=np.int64)
    return rows.values.take(pa.Array.from_buffers(pa.int64(), len(first), [None, pa.py_buffer(first)]))


def _walk_envelopes(rows: pa.ListArray, ids: pa.StringArray, env_rows: np.ndarray, d: Delimiters, row_base: int,
                    isa_len: int):
    """Build the interchange tree from the envelope segments of one run (rows ``env_rows``: other ids
    among them, TA1, are passed over); check their syntax."""
    findings: list[Finding] = []
    env_sids, env_cols, env_full = _envelope_columns(rows, ids, env_rows)
    interchanges: list[Interchange] = []
    ic: Interchange | None = None
    grp: Group | None = None
    ts: TransactionSet | None = None
    n_rows = len(rows)

    def loc(**kw) -> dict:
        return dict(isa13=ic.control_number if ic else "", gs06=grp.control_number if grp else "",
                    st02=ts.control_number if ts else "", **kw)

    def close_set(end: int, trailer: tuple[str, str] | None) -> None:
        nonlocal ts
        if ts is None:
            return
        ts.end = end
        if trailer is None:
            findings.append(_finding("SE_MISSING", f"Transaction set {ts.set_id} {ts.control_number} has no SE.",
                                     **loc(seg="ST", file_segment=ts.start + 1)))
        else:
            ts.has_trailer = True
            ts.trailer_count, ts.trailer_control = trailer
        ts = None

    def close_group(end: int, trailer: tuple[str, str] | None) -> None:
        nonlocal grp
        if grp is None:
            return
        if ts is not None:
            close_set(end, None)
        grp.end = end
        if trailer is None:
            findings.append(_finding("GE_MISSING", f"Group {grp.functional_id} {grp.control_number} has no GE.",
                                     **loc(seg="GS", file_segment=grp.start + 1)))
        else:
            grp.has_trailer = True
            grp.trailer_count, grp.trailer_control = trailer
        grp = None

    def close_interchange(end: int, trailer: tuple[str, str] | None) -> None:
        nonlocal ic
        if ic is None:
            return
        if grp is not None:
            close_group(end, None)
        ic.end = end
        if trailer is None:
            findings.append(_finding("IEA_MISSING", f"Interchange {ic.control_number} has no IEA trailer.",
                                     **loc(seg="ISA", file_segment=ic.start + 1)))
        else:
            ic.has_trailer = True
            ic.trailer_count, ic.trailer_control = trailer
        ic = None

    e1, e2, e3 = env_cols
    for r, sid, a, b, c in zip(env_rows.tolist(), env_sids, e1, e2, e3, strict=True):
        row = row_base + r
        # ST and SE first (the frequent ones); an SE that closes an open set is handled inline
        if sid == "SE":
            if ts is None:
                findings.append(_finding("ISA_STRUCTURE_INVALID", "SE without ST.", **loc(seg="SE",
                                         file_segment=row + 1)))
                continue
            ts.end = row
            ts.has_trailer = True
            ts.trailer_count = a.strip() if a is not None else ""
            ts.trailer_control = b.strip() if b is not None else ""
            ts = None
        elif sid == "ST":
            if grp is None:
                findings.append(_finding("ISA_STRUCTURE_INVALID", "ST outside a functional group.",
                                         **loc(seg="ST", file_segment=row + 1)))
                continue
            close_set(row - 1, None) if ts is not None else None
            ts = TransactionSet(set_id=a.strip() if a is not None else "",
                                control_number=b.strip() if b is not None else "", start=row, end=row,
                                implementation=c.strip() if c is not None else "")
            grp.transactions.append(ts)
        elif sid == "ISA":
            close_interchange(row - 1, None) if ic is not None else None
            elems = env_full[r][1:]
            ic = Interchange(elements=elems, delimiters=d, start=row, raw_length=isa_len if not interchanges else 0)
            interchanges.append(ic)
        elif sid == "ISX":  # X12 007040+: the Interchange Syntax Extension, right after the ISA and nowhere else
            if ts is not None:  # inside a set it is one of the set's segments, judged by the set's rules
                continue
            if ic is None or ic.groups or row != ic.start + 1:
                findings.append(_finding("ISA_STRUCTURE_INVALID", "ISX is not right after the ISA.", **loc(
                                         seg="ISX", file_segment=row + 1)))
                continue
            ic.syntax = env_full[r][1:]
            if ic.syntax and ic.syntax[0] and release_of(env_full[r], d) == "":
                findings.append(_finding("ISA_STRUCTURE_INVALID", f"ISX01 {ic.syntax[0]!r} cannot be the release "
                                         "character (one character, no letter, digit, blank or delimiter): the "
                                         "interchange's values cannot be read as sent.", **loc(
                                             seg="ISX", file_segment=row + 1, element="ISX01",
                                             value=ic.syntax[0][:40])))
        elif sid == "IEA":
            if ic is None:
                findings.append(_finding("ISA_STRUCTURE_INVALID", "IEA without ISA.", seg="IEA", file_segment=row + 1))
                continue
            close_interchange(row, (_strip(a), _strip(b)))
        elif sid == "GS":
            if ic is None:
                findings.append(_finding("ISA_STRUCTURE_INVALID", "GS outside an interchange.", seg="GS",
                                         file_segment=row + 1))
                continue
            close_group(row - 1, None) if grp is not None else None
            grp = Group(elements=env_full[r][1:], start=row)
            ic.groups.append(grp)
        elif sid == "GE":
            if grp is None:
                findings.append(_finding("ISA_STRUCTURE_INVALID", "GE without GS.", **loc(seg="GE",
                                         file_segment=row + 1)))
                continue
            close_set(row - 1, None) if ts is not None else None
            close_group(row, (_strip(a), _strip(b)))
    last = row_base + n_rows - 1
    if ts is not None:
        close_set(last, None)
    if grp is not None:
        close_group(last, None)
    if ic is not None:
        close_interchange(last, None)
    return interchanges, findings


def _envelope_columns(rows: pa.ListArray, ids: pa.StringArray, env_rows: np.ndarray):
    """The envelope rows' segment ids, their elements 1..3 (None where a row is shorter) as three
    lists, and the whole rows of the ISA, ISX and GS segments ({row: elements}), read column-wise."""
    if not len(env_rows):
        return [], ([], [], []), {}
    at = pa.array(env_rows, pa.int64())
    sids = ids.take(at).to_pylist()
    offsets = rows.offsets.to_numpy()
    starts = offsets[env_rows].astype(np.int64)
    lens = offsets[env_rows + 1] - starts
    values = rows.values
    cols = []
    for k in (1, 2, 3):
        missing = lens <= k
        idx = pa.array(np.where(missing, 0, starts + k), pa.int64(), mask=missing)
        cols.append(values.take(idx).to_pylist())
    heads = [r for r, sid in zip(env_rows.tolist(), sids, strict=True) if sid == "ISA" or sid == "GS" or sid == "ISX"]
    full = dict(zip(heads, rows.take(pa.array(heads, pa.int64())).to_pylist(), strict=True)) if heads else {}
    return sids, tuple(cols), full


def _strip(value: str | None) -> str:
    return value.strip() if value is not None else ""


def covered_rows(n: int, sets: list[TransactionSet]) -> np.ndarray:
    """Whether each of ``n`` rows lies within some set's rows ST..SE (as marking each set's slice
    does: a set ending before it starts marks nothing; one reaching past the table stops at its end)."""
    starts = np.fromiter((ts.start for ts in sets), np.int64, len(sets))
    ends = np.fromiter((ts.end for ts in sets), np.int64, len(sets)) + 1
    if (starts < 0).any() or (ends < 0).any():  # not a reader's set: slices counted from the end
        covered = np.zeros(n, dtype=bool)
        for ts in sets:
            covered[ts.start: ts.end + 1] = True
        return covered
    ends = np.minimum(ends, n)
    some = starts < ends
    depth = np.bincount(starts[some], minlength=n + 1) - np.bincount(ends[some], minlength=n + 1)
    return np.cumsum(depth[:n]) > 0


def _stray_segments(table: SegmentTable, interchanges: list[Interchange], env_chunks: list[np.ndarray]) \
        -> list[Finding]:
    """Segments that are neither envelope segments nor inside a transaction set."""
    n = len(table)
    if n == 0:
        return []
    covered = covered_rows(n, [ts for ic in interchanges for g in ic.groups for ts in g.transactions])
    # TA1 acknowledgments sit directly inside an interchange, outside any group
    env = env_chunks[0] if len(env_chunks) == 1 else np.concatenate(env_chunks)
    stray = np.flatnonzero(~covered & ~env)
    findings = []
    last_end = max((ic.end for ic in interchanges if ic.end >= 0), default=-1)
    if len(stray) and last_end >= 0 and last_end < int(stray[-1]) == n - 1 and _is_padding(table.ids[n - 1].as_py()):
        stray = stray[:-1]  # Ctrl-Z / NUL padding after the last IEA (DOS EOF mark, a VAN mailbox's records)
    for r in stray[:_MAX_REPEATED_FINDINGS].tolist():
        sid = table.ids[r].as_py()
        after_all = all(r > ic.end for ic in interchanges if ic.end >= 0)
        code = "X12_TRAILING_GARBAGE" if after_all else "ISA_STRUCTURE_INVALID"
        if _SEGMENT_ID.match(sid):
            findings.append(_finding(code, f"Segment {sid!r} is outside any transaction set.", seg=sid,
                                     file_segment=r + 1))
            continue
        # no segment: a line of text (a VAN's `**END**`), its words as sent (its first element alone may be empty)
        words = _stray_text(table.elements[r].as_py(), interchanges)
        findings.append(_finding(code, f"Text {words[:40]!r} is outside any transaction set (no X12 segment).",
                                 file_segment=r + 1, value=words[:40]))
    if len(stray) > _MAX_REPEATED_FINDINGS:
        findings.append(_finding("ISA_STRUCTURE_INVALID", f"{len(stray) - _MAX_REPEATED_FINDINGS} more segments "
                                 "outside any transaction set."))
    return findings


def _stray_text(elements: list[str], interchanges: list[Interchange]) -> str:
    """A stray row that is no segment as it was written: its elements joined by the separator they were cut at (the
    last interchange's before it; '*' when none was read)."""
    sep = next((ic.delimiters.element for ic in reversed(interchanges) if ic.delimiters.element), "*")
    return sep.join(elements).strip()


def _is_padding(text: str) -> bool:
    """Whether ``text`` (what follows the last IEA's terminator, read as one segment) is only padding: Ctrl-Z
    (0x1A, a DOS end-of-file mark), NUL (a VAN mailbox's fixed-size records) and blanks or line breaks. It is
    no segment and carries nothing: accepted without a finding."""
    return bool(text) and not text.strip(_PADDING)


_PADDING = "\x1a\x00 \t\r\n\x0b\x0c"


def _el(seg: list[str], i: int) -> str:
    return seg[i].strip() if len(seg) > i else ""


_finding = finding
