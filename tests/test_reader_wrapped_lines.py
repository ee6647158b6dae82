"""Files cut into fixed-length lines inside their segments (a VAN's or mainframe's 80-byte records) are
read as if the line breaks were not there, with an X12_LINES_WRAPPED warning; a file whose line breaks
follow its terminators, or one segment missing its terminator before a line break, is read as before."""

from __future__ import annotations

from datetime import date

import pytest

from engine.process import Known, process_file
from parsers.x12_reader import read_interchanges, record_width
from schemas.profile import load_profiles
from tests.support import GOOD_PO, REPO, x12_850

GOOD = x12_850(GOOD_PO)  # one segment a line: "~\n" after each
FLAT = GOOD.replace(b"\n", b"")


def _fixed_records(data: bytes, width: int, eol: bytes) -> bytes:
    """``data`` cut every ``width`` bytes, whatever it cuts (an 80-column VAN mailbox file)."""
    return b"".join(data[i:i + width] + eol for i in range(0, len(data), width))


def _each_segment_cut(data: bytes, width: int) -> bytes:
    """Every segment on its own line, a longer one cut every ``width`` bytes (X12 RFI 28's shape)."""
    out = b""
    for seg in data.split(b"~")[:-1]:
        seg += b"~"
        while len(seg) > width:
            out, seg = out + seg[:width] + b"\r\n", seg[width:]
        out += seg + b"\r\n"
    return out


def _codes(result) -> list[str]:
    return [f.code for f in result.findings]


@pytest.mark.parametrize("eol", [b"\n", b"\r\n"])
def test_a_file_cut_every_80_bytes_reads_like_the_whole_file(eol: bytes) -> None:
    wrapped = _fixed_records(FLAT, 80, eol)
    assert b"ISA*00*" in wrapped and wrapped.count(eol) > 5  # the ISA itself is cut
    result = read_interchanges(wrapped, file="po.x12")
    assert result.segments.elements.equals(read_interchanges(GOOD).segments.elements)
    assert _codes(result) == ["X12_LINES_WRAPPED"]
    warning = result.findings[0]
    assert (warning.severity, warning.location.value, warning.location.file) == ("warning", "80", "po.x12")


def test_segments_cut_at_their_80th_byte_read_like_the_whole_file() -> None:
    long_pid = GOOD.replace(b"PID*F****WIDGET", b"PID*F****" + b"EXTRA WIDE WIDGET " * 4)
    wrapped = _each_segment_cut(long_pid.replace(b"\n", b""), 60)
    assert record_width(wrapped) == 60
    result = read_interchanges(wrapped)
    assert result.segments.elements.equals(read_interchanges(long_pid).segments.elements)
    assert _codes(result) == ["X12_LINES_WRAPPED"]


def test_line_breaks_after_terminators_are_no_records() -> None:
    for data in (GOOD, GOOD.replace(b"~\n", b"~\r\n"), GOOD.replace(b"~\n", b"~\n\n"), FLAT):
        assert record_width(data) is None and "X12_LINES_WRAPPED" not in _codes(read_interchanges(data))


def test_a_missing_terminator_before_a_line_break_is_still_reported() -> None:
    broken = GOOD.replace(b"N3*1 Way~\n", b"N3*1 Way\n")
    assert record_width(broken) is None
    codes = [f.code for f in read_interchanges(broken).findings]
    assert "X12_LINES_WRAPPED" not in codes


def test_short_lines_or_a_line_break_terminator_are_never_unwrapped() -> None:
    assert record_width(_fixed_records(FLAT, 30, b"\n")) is None  # narrower than any record format
    lf_terminated = GOOD.replace(b"*P*>~\n", b"*P*>\n").replace(b"~\n", b"\n")
    assert record_width(lf_terminated) is None


def test_a_wrapped_po_is_taken_and_accepted_in_the_997() -> None:
    acme = load_profiles(REPO / "partners")["acme"]
    out = process_file(_fixed_records(FLAT, 80, b"\r\n"), file="f.x12", sha256="s", profile=acme, known=Known(),
                       today=date(2026, 11, 27))
    assert {(f.code, f.severity) for f in out.findings} == {("X12_LINES_WRAPPED", "warning")}
    assert out.orders.num_rows == 1 and out.disposition == "processed"
    assert [d.doc_type for d in out.documents] == ["997"]
