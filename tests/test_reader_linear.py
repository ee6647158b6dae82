"""Reading is linear when interchanges switch delimiters: each run of interchanges is handed to a
splitter once, up to the next ISA with other delimiters, never the rest of the file again.

The tests count the characters handed to the splitters (they time nothing) and compare a file with
four times as many interchanges in the same run."""

from __future__ import annotations

import pytest

from parsers import x12_reader
from parsers.x12_reader import read_interchanges
from tests.support import SAMPLES

STAR = (SAMPLES / "acme" / "acme-po-01.x12").read_bytes()
PIPE = STAR.replace(b"*", b"|")


def _count_work(monkeypatch, *, general: bool = False) -> dict:
    """Count the characters the reader hands to its two splitters (the byte tokeniser and the
    general path's str.split); ``general`` makes the byte tokeniser decline every run."""
    seen = {"chars": 0, "calls": 0}
    real_bytes, real_split = x12_reader.tokenise_bytes, getattr(x12_reader, "split_segments", None)

    def counting_bytes(buf, *args):
        seen["chars"] += len(buf)
        seen["calls"] += 1
        return None if general else real_bytes(buf, *args)

    def counting_split(text, pos, end, terminator):
        seen["chars"] += end - pos
        seen["calls"] += 1
        return real_split(text, pos, end, terminator)

    monkeypatch.setattr(x12_reader, "tokenise_bytes", counting_bytes)
    monkeypatch.setattr(x12_reader, "split_segments", counting_split, raising=False)
    return seen


def _work(seen: dict, data: bytes) -> int:
    seen["chars"] = seen["calls"] = 0
    result = read_interchanges(data)
    assert len(result.interchanges) == data.count(b"ISA")
    return seen["chars"]


@pytest.mark.parametrize("general", [False, True], ids=["byte-tokeniser", "general-path"])
def test_alternating_delimiters_cost_grows_linearly(monkeypatch, general):
    seen = _count_work(monkeypatch, general=general)
    small = _work(seen, (STAR + PIPE) * 20)
    large = _work(seen, (STAR + PIPE) * 80)
    # each character is handed to a splitter about once (twice on the general path: tried, declined)
    assert small <= 2 * len((STAR + PIPE) * 20)
    assert 3.5 <= large / small <= 4.5


def test_each_run_is_read_as_if_it_were_alone():
    alone = [read_interchanges(part) for part in (STAR, PIPE, STAR, PIPE)]
    together = read_interchanges(STAR + PIPE + STAR + PIPE)
    assert together.segments.elements.to_pylist() == [row for r in alone for row in r.segments.elements.to_pylist()]
    assert [ic.delimiters.element for ic in together.interchanges] == ["*", "|", "*", "|"]
    assert together.findings == []


def test_an_empty_segment_in_an_earlier_run_is_reported():
    # before, only the last run's empty segments were counted; the others vanished without a word
    data = STAR.replace(b"~", b"~~", 1) + PIPE
    codes = [f.code for f in read_interchanges(data).findings]
    assert codes == ["X12_EMPTY_SEGMENT"]


def test_the_isa_is_looked_for_within_a_bounded_window():
    # an element separator that appears 15 times only far away does not make the ISA 16 elements long
    data = b"ISA*" + b"x" * 5000 + b"*" * 15 + b">~"
    result = read_interchanges(data)
    assert [f.code for f in result.findings] == ["ISA_STRUCTURE_INVALID"]
    assert "within its first" in result.findings[0].message
    assert result.interchanges[0].rejected
