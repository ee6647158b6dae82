"""Round 97 of real files: what other companies' translators send that our night had not met.

1. Fixed-length records padded with NULs. A COBOL program on a buyer's mainframe or midrange (or a C program) writes
   each segment as a record of 80 bytes (128, 256 ...), initialised to LOW-VALUES: the segment, its terminator, then
   binary zeros to the record's end; moved to us as text, the zeros stay. A record per segment padded with blanks
   was read since rg67, NUL padding after the last IEA and between interchanges since rg96; NULs after each segment
   made every segment after the ISA "text outside any transaction set": the file refused whole (TA1 R 023, an
   ISA_STRUCTURE_INVALID error per segment), no 997, no order. X12 leaves what stands between segments to the
   receiver (RFI 28), as it does the line breaks we take; the padding is now read as the blanks after a terminator
   are (parsers.x12_reader.between_segments_blanked), whole or in pieces. A NUL inside a value is still refused.
2. A doubled CR. A partner whose segment terminator is CR (a line break, CR LF, after each segment) whose file
   goes once more through FTP's text mode (a VAN or gateway converting line ends again): CR CR LF. The file was read,
   but the second CR of each segment was an empty segment skipped: "14 empty segment(s) were skipped"
   (X12_EMPTY_SEGMENT) on every file of that partner, where nothing was empty. Now it is the line break it is.
3. TAB as the element separator. X12.6 lets a control character be a delimiter (RFI 28: delimiters "need not have
   common graphical representations"; the information separators 0x1C-0x1F and BEL were read since rg67/rg96), and
   Bots reads such a file; ours was refused whole (TA1 R 026, ISA_ELEMENT_SEPARATOR_INVALID "a letter, digit or
   blank"). TAB is no character of X12's data sets, so it cannot be data: now it separates elements, read whole, in
   pieces and in batches. A space, CR, LF, VT or FF after "ISA" is still refused.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest

from engine.process import Known, process_file
from parsers.x12_reader import read_interchanges
from schemas.profile import load_profiles
from tests.retailer_support import (
    all_sent_accepted,
    maps,  # noqa: F401 (a fixture)
    on_demo,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import GOOD_PO, REPO, x12_850

RG96 = REPO / "tests" / "fixtures" / "rg96"
MAINFRAME = RG96 / "drops" / "mainframe" / "mainframe-850-MF9600601.x12"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 30, 15)
ACME = load_profiles(REPO / "partners")["acme"]


def _segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def low_values(text: str, *, record: int = 80, line_end: bytes = b"") -> bytes:
    """Each segment of ``text`` (terminated by '~') a fixed-length record: the segment and its terminator, NULs to
    ``record`` bytes, then ``line_end``. An ISA (106 bytes) longer than the record is one record of its own length."""
    return b"".join((s + "~").encode().ljust(record, b"\x00") + line_end for s in _segments(text))


def mainframe_po() -> str:
    """The mainframe buyer's PO of rg96 as text (that file is its EBCDIC)."""
    return MAINFRAME.read_bytes().decode("cp037").replace("\n", "")


def test_the_records_are_what_they_say():
    data = low_values(mainframe_po())
    assert data.startswith(b"ISA*") and data.count(b"~") == len(_segments(mainframe_po()))
    beg = data.index(b"BEG*")
    assert (beg - 106) % 80 == 0 and data[beg:beg + 80].rstrip(b"\x00").endswith(b"~") and data[beg + 79] == 0


@pytest.mark.parametrize("line_end", [b"", b"\n", b"\r\n"], ids=["records", "lf", "crlf"])
def test_nul_padded_records_read_as_the_interchange_itself(line_end):
    """The same interchanges, segments and values as the file without its padding, and no finding."""
    plain = mainframe_po().encode()
    padded = read_interchanges(low_values(mainframe_po(), line_end=line_end), file="f")
    same = read_interchanges(plain, file="f")
    assert padded.segments.elements.to_pylist() == same.segments.elements.to_pylist()
    assert [(ic.control_number, [(g.control_number, [t.control_number for t in g.transactions]) for g in ic.groups])
            for ic in padded.interchanges] == [("000009661", [("9661", ["0001"])])]
    assert padded.findings == []


def test_the_mainframe_s_own_ebcdic_records_padded_with_low_values_are_read_too():
    """The records as the mainframe keeps them, moved in binary: EBCDIC (code page 037, rg96) with LOW-VALUES (x'00'
    in EBCDIC too) after each segment. Read as rg96's EBCDIC file is: the PO taken, one X12_EBCDIC warning."""
    data = b"".join((s + "~").encode("cp037").ljust(80, b"\x00") for s in _segments(mainframe_po()))
    assert data.startswith(b"\xc9\xe2\xc1") and data.count(b"\x00") > 800
    mainframe = load_profiles(RG96 / "partners")["mainframe"]
    out = process_file(data, file="f.x12", sha256="s", profile=mainframe, known=Known(), today=date(2026, 11, 27))
    assert [f.code for f in out.findings] == ["X12_EBCDIC"]
    assert out.orders.column("po_number").to_pylist() == ["MF9600601"] and out.lines.num_rows == 3


def test_a_big_file_of_padded_records_is_still_read_a_piece_and_a_batch_at_a_time():
    """A file too large to hold (flows.intake: over STREAM_BYTES, an interchange over SPLIT_BYTES) is cut between its
    interchanges and read in batches of sets across the padding, as a file without it is: the splitter and the batch
    scanner used to find no segment after a NUL-padded terminator, the file held whole (one piece; "segments outside
    any transaction set": the interchange read whole)."""
    from parsers.x12_batches import scan_interchange
    from parsers.x12_stream import pieces

    one = low_values(mainframe_po(), line_end=b"\r\n")
    two = one + one.replace(b"000009661", b"000009662")
    assert [(p.offset, p.end) for p in pieces(iter([two]), max_bytes=1, max_set_bytes=10**9)] == [
        (0, len(one)), (len(one), len(two))]
    sk = scan_interchange(iter([one]), max_bytes=1, max_sets=1, max_set_bytes=10**9)
    assert sk.reason == "" and len(sk.batches) == 1 and sk.rows == len(_segments(mainframe_po()))


def test_two_interchanges_of_two_delimiter_sets_in_records_of_256():
    first = x12_850(GOOD_PO, isa13=1, gs06="1").decode()
    second = x12_850([GOOD_PO[0].replace("PO-1", "PO-2"), *GOOD_PO[1:]], isa13=2, gs06="2").decode() \
        .replace("*", "|").replace("~", "!")
    data = low_values(first, record=256) + b"".join(
        (s + "!").encode().ljust(256, b"\x00") for s in second.replace("\n", "").split("!") if s)
    out = process_file(data, file="f.x12", sha256="s", profile=ACME, known=Known(), today=date(2026, 11, 27))
    assert out.orders.column("po_number").to_pylist() == ["PO-1", "PO-2"]
    assert [f.code for f in out.findings if f.severity == "error"] == []


def test_a_nul_inside_a_value_is_still_refused():
    """Padding is what follows a terminator; a NUL in a value (a lost byte, a record cut inside a segment) is still
    no character X12 has."""
    data = x12_850([*GOOD_PO[:7], "PID*F****WID\x00GET", *GOOD_PO[8:]])
    out = process_file(data, file="f.x12", sha256="s", profile=ACME, known=Known(), today=date(2026, 11, 27))
    assert ("ELEMENT_INVALID_CHARACTER", "PID") in [(f.code, f.location.segment_id) for f in out.findings]
    assert out.orders.num_rows == 0


def test_before_the_fix_the_file_was_refused_whole():
    """What the padding did (the text the reader blanks, kept as the segments' heads): the proof the test above is no
    test of nothing. Read with the blanking undone, every segment after the ISA is outside any set."""
    from unittest import mock

    import parsers.x12_reader as reader

    with mock.patch.object(reader, "between_segments_blanked", lambda text, _pos: text):
        result = read_interchanges(low_values(mainframe_po()), file="f")
    assert "ISA_STRUCTURE_INVALID" in {f.code for f in result.findings}


JITTERBIT = RG96 / "drops" / "jitterbit" / "jitterbit-850-JB9600401.x12"  # CR terminators, LF after; one ~~


def test_a_doubled_cr_after_cr_terminators_is_a_line_break_not_an_empty_segment():
    """rg96's provider file (CR as the terminator, LF after each, and one empty segment it really holds) with its line
    ends converted once more (CR CR LF): the same segments and findings as the file as sent (the one empty segment
    said, no more); before, every segment added one."""
    sent = JITTERBIT.read_bytes()
    assert b"\r\n" in sent and b"\r\r\n" not in sent
    doubled = sent.replace(b"\r\n", b"\r\r\n")
    once, twice = read_interchanges(sent, file="f"), read_interchanges(doubled, file="f")
    assert twice.segments.elements.to_pylist() == once.segments.elements.to_pylist()
    assert [(f.code, f.message) for f in twice.findings] == [(f.code, f.message) for f in once.findings] == [
        ("X12_EMPTY_SEGMENT", "1 empty segment(s) were skipped.")]


def test_a_doubled_cr_of_a_po_whose_terminator_is_cr_gets_no_finding_and_its_997():
    text = x12_850(GOOD_PO).decode().replace("~\n", "\r\r\n").replace("*>\r", "*>\r", 1)
    assert text.count("\r\r\n") == len(GOOD_PO) + 6
    out = process_file(text.encode(), file="f.x12", sha256="s", profile=ACME, known=Known(), today=date(2026, 11, 27))
    assert out.findings == [] and out.orders.column("po_number").to_pylist() == ["PO-1"]
    [ack] = [d for d in out.documents if d.doc_type == "997"]
    assert [list(s) for body in ack.bodies for s in body if s[0] in ("AK5", "AK9")] == [
        ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]


def test_a_cr_in_a_file_whose_terminator_is_no_cr_is_left_as_it_is():
    """'~' terminators, CR CR LF after each: read as before (the CRs are blanks after the terminator)."""
    text = x12_850(GOOD_PO).decode().replace("~\n", "~\r\r\n")
    out = process_file(text.encode(), file="f.x12", sha256="s", profile=ACME, known=Known(), today=date(2026, 11, 27))
    assert out.findings == [] and out.orders.num_rows == 1


def _tabbed(data: bytes) -> bytes:
    return data.replace(b"*", b"\t")


def test_a_po_whose_element_separator_is_tab_is_taken_and_acknowledged():
    data = _tabbed(x12_850(GOOD_PO))
    assert data.startswith(b"ISA\t00\t") and b"*" not in data
    out = process_file(data, file="f.x12", sha256="s", profile=ACME, known=Known(), today=date(2026, 11, 27))
    assert out.findings == [] and out.orders.column("po_number").to_pylist() == ["PO-1"]
    assert out.lines.column("unit_price").to_pylist() == [2.5, 10]
    [ack] = [d for d in out.documents if d.doc_type == "997"]
    assert [list(s) for body in ack.bodies for s in body if s[0] in ("AK1", "AK5", "AK9")] == [
        ["AK1", "PO", "1"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]


def test_tab_and_star_interchanges_in_one_file_and_a_big_tab_file_in_pieces_and_batches():
    from parsers.x12_batches import scan_interchange
    from parsers.x12_stream import pieces

    first = _tabbed(x12_850(GOOD_PO, isa13=1, gs06="1"))
    second = x12_850([GOOD_PO[0].replace("PO-1", "PO-2"), *GOOD_PO[1:]], isa13=2, gs06="2")
    out = process_file(first + second, file="f.x12", sha256="s", profile=ACME, known=Known(),
                       today=date(2026, 11, 27))
    assert out.orders.column("po_number").to_pylist() == ["PO-1", "PO-2"] and out.findings == []
    assert [(p.offset, p.end) for p in pieces(iter([first + second]), max_bytes=1, max_set_bytes=10**9)] == [
        (0, len(first)), (len(first), len(first) + len(second))]
    sk = scan_interchange(iter([first]), max_bytes=1, max_sets=1, max_set_bytes=10**9)
    assert sk.reason == "" and len(sk.batches) == 1


@pytest.mark.parametrize("blank", [" ", "\r", "\n", "\x0b", "\x0c"])
def test_another_blank_after_isa_is_still_no_element_separator(blank):
    result = read_interchanges(x12_850(GOOD_PO).replace(b"*", blank.encode()), file="f")
    assert "ISA_ELEMENT_SEPARATOR_INVALID" in {f.code for f in result.findings}
    assert all(ic.rejected for ic in result.interchanges)


def mainframe_fixtures(tmp_path, data: bytes, name: str, folder: str = "rg97"):
    """rg96's fixtures (copied to ``tmp_path``/``folder``) with the mainframe buyer's one file (``data``, named
    ``name``) in its drop and the east DC's rows of its PO."""
    copy = tmp_path / folder
    shutil.copytree(RG96, copy, ignore=shutil.ignore_patterns("drops", "shipments"))
    (copy / "drops" / "mainframe").mkdir(parents=True)
    (copy / "drops" / "mainframe" / name).write_bytes(data)
    (copy / "shipments").mkdir()
    rows = (RG96 / "shipments" / "east-shipments-20261201.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (copy / "shipments" / "east-shipments-20261201.csv").write_text(
        "".join([rows[0], *(r for r in rows if ",MF9600601," in r)]), encoding="utf-8")
    return copy


@pytest.fixture(scope="module", params=["whole", "pieces", "batches", "tab-pieces"])
def records_night(request, tmp_path_factory):
    """The mainframe buyer's PO in NUL-padded records of 80 bytes, each ended by CR LF, taken whole, in pieces
    (a file over STREAM_BYTES) or its interchange in batches of sets (over SPLIT_BYTES); or (tab-pieces) the PO with
    TAB as its element separator, in pieces; shipped by the east DC and invoiced."""
    from flows import intake as intake_flow

    tmp = tmp_path_factory.mktemp(f"rg97-records-{request.param}")
    data = _tabbed(mainframe_po().encode()) if request.param.startswith("tab") else low_values(
        mainframe_po(), line_end=b"\r\n")
    fixtures = mainframe_fixtures(tmp, data, "MF.PO.D261127.DAT")
    with pytest.MonkeyPatch.context() as mp:
        if request.param != "whole":
            mp.setattr(intake_flow, "STREAM_BYTES", 0)
        if request.param == "batches":
            mp.setattr(intake_flow, "SPLIT_BYTES", 0)
        return shipped_night(on_demo(fixtures, tmp / "ws"), fixtures, NIGHT, SHIP_DAY)


def answered_shipped_and_invoiced(ws, found, states) -> None:
    """The mainframe's MF9600601 (the rg96 fixtures' PO) invoiced: 997 AK5 A, each line of its 855 IA, its 810's IT1s;
    no finding but a late ASN. (tests/test_rg98_inbound_variations.py takes its 007040 copy through this too.)"""
    assert states == {("mainframe", "MF9600601"): "invoiced"}
    assert {c for c, _s, _po in found} <= {"ASN_LATE"}, found
    ack = segments(ws, "mainframe", "997")
    assert [s for s in ack if s[0] in ("AK1", "AK2", "AK5", "AK9")] == [
        ["AK1", "PO", "9661"], ["AK2", "850", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
    bak = po_segments(segments(ws, "mainframe", "855"), "MF9600601", "BAK")
    assert [s[:4] for s in bak if s[0] == "ACK"] == [["ACK", "IA", "20", "EA"], ["ACK", "IA", "1", "BX"],
                                                     ["ACK", "IA", "6", "EA"]]
    inv = po_segments(segments(ws, "mainframe", "810"), "MF9600601", "BIG")
    assert [s[1:4] for s in inv if s[0] == "IT1"] == [["1", "20", "EA"], ["2", "1", "BX"], ["3", "6", "EA"]]


def test_the_padded_po_is_acknowledged_shipped_and_invoiced(records_night):
    answered_shipped_and_invoiced(*records_night)


def test_what_was_sent_back_passes_our_validator_bots_and_pyx12(records_night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(records_night[0], ["mainframe"], tmp_path, maps, shipments=1, answers=1)
