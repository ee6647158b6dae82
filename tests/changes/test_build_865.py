"""engine.po_change_ack.build_865: BCA, each POC echoed with its ACK, CTT; enveloped, it reads back
through read_interchanges with SE01 right and no envelope findings."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.changes import apply_changes
from engine.envelope import Envelope, wrap
from engine.po_change_ack import build_865, change_ack_type
from parsers.x12_reader import read_interchanges
from parsers.x12_writer import render_segments
from rules.envelope import Acceptance, check_envelopes
from schemas.x12 import Delimiters
from tests.support import corpus_dir

from .builders import live_order, read_change

TODAY = date(2026, 11, 28)
ENV = Envelope(
    sender_qualifier="ZZ",
    sender_id="ORDERBRIDGE",
    receiver_qualifier="ZZ",
    receiver_id="ACMERETAIL",
    gs_sender="ORDERBRIDGE",
    gs_receiver="ACMERETAIL",
    version="004010",
    usage="P",
    delimiters=Delimiters(),
)


def _865(pocs: list[str], *, purpose: str = "04", shipped: bool = False) -> list[list[str]]:
    order, lines = live_order()
    header, changes = read_change(pocs, purpose=purpose)
    return build_865(header, apply_changes(order, lines, header, changes, shipped=shipped), today=TODAY)


def test_865_reads_back_with_the_right_segment_count() -> None:
    body = _865(["POC*1*QI*20**EA", "POC*9*DI", "POC*3*AI*5**EA*4*PE*VN*SKU-9"])
    data = wrap(ENV, "CA", "865", [body], isa13=7, gs06=7, st02s=[1], now=datetime(2026, 11, 28, 9, 30))
    result = read_interchanges(data, file="out.x12")
    ((_ic, g, ts),) = list(result.transaction_sets())
    assert (g.functional_id, ts.set_id, ts.has_trailer) == ("CA", "865", True)
    assert ts.trailer_count == str(ts.segment_count) == str(len(body) + 2)
    accept = Acceptance(sets={"CA": frozenset({"865"})})
    assert [f.code for f in result.findings + check_envelopes(result, accept)] == []
    rows = result.segments.rows(ts.start + 1, ts.end - 1)
    assert rows[0] == ["BCA", "00", "AC", "PO-1", "", "3", "20261126", "", "", "", "20261128", "20261128"]
    assert [r for r in rows if r[0] == "ACK"] == [
        ["ACK", "IQ", "20", "EA"],
        ["ACK", "IR"],
        ["ACK", "IA", "5", "EA"],
    ]
    assert rows[1] == ["POC", "1", "QI", "20", "", "EA"]
    assert rows[5] == ["POC", "3", "AI", "5", "", "EA", "4", "PE", "VN", "SKU-9"]
    assert rows[-1] == ["CTT", "3", "25"]


@pytest.mark.parametrize(
    "pocs, purpose, shipped, expected",
    [
        (["POC*1*QI*20**EA", "POC*2*DI"], "04", False, "AD"),  # every change applied as asked
        (["POC*1*QI*20**EA", "POC*9*DI"], "04", False, "AC"),  # some POCs rejected
        (["POC*1*QI*20**EA"], "04", True, "RD"),  # shipped: every POC rejected
        ([], "01", True, "RJ"),  # a cancel of a shipped order, no lines
        ([], "01", False, "AK"),  # a whole-PO cancel, no lines
    ],
)
def test_bca02_follows_the_outcome(pocs: list[str], purpose: str, shipped: bool, expected: str) -> None:
    order, lines = live_order()
    header, changes = read_change(pocs, purpose=purpose)
    result = apply_changes(order, lines, header, changes, shipped=shipped)
    assert change_ack_type(result) == expected
    assert build_865(header, result, today=TODAY)[0][2] == expected


def test_deleted_lines_ack_zero_and_no_ctt_without_lines() -> None:
    rendered = render_segments(_865(["POC*2*DI"])[1:], Delimiters(suffix=""))
    assert rendered == "POC*2*DI~ACK*ID*0*EA~CTT*1~"  # trailing empty elements are not written
    assert [s[0] for s in _865([], purpose="01")] == ["BCA"]


def test_corpus_865_samples_read_as_865s() -> None:
    for path in sorted((corpus_dir() / "x12" / "865").glob("*.txt")):
        result = read_interchanges(path.read_bytes(), file=path.name)
        ((_ic, g, ts),) = list(result.transaction_sets())
        assert (g.functional_id, ts.set_id) == ("CA", "865")
        assert result.segments.row(ts.start + 1)[0] == "BCA"


def test_a_reschedule_is_echoed_and_accepted_as_the_line_stands() -> None:
    """POC02 RS/CT change dates only: the 865 echoes the POC and accepts the line with its unchanged
    quantity (ACK IA 12 EA); an RQ's quantity part is answered IQ with the new quantity."""
    body = _865(["POC*1*RS*12**EA", "DTM*002*20261220", "POC*2*RQ*4**EA"])
    assert body[0][2] == "AD"  # every POC taken
    assert [r for r in body if r[0] in ("POC", "ACK")] == [
        ["POC", "1", "RS", "12", "", "EA", "", ""], ["ACK", "IA", "12", "EA"],
        ["POC", "2", "RQ", "4", "", "EA", "", ""], ["ACK", "IQ", "4", "EA"],
    ]
