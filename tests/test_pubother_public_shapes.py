"""Shapes found in X12 files other people published (a survey of public 860s, 997s, 945s, 824s, 864s and odd
envelopes: /work/plan/reports/pubother.md), each reproduced with our own parties, items and numbers
(tests/fixtures/pubother/), that the engine got wrong.

A value that ends in a line break: a translator (or a hand) that breaks a long segment across lines, its
terminator on the next line (a buyer's N9*L1 free-form note "...\\n        ~"). The element holds a control
character, which X12 allows in no element: the set is rejected with AK4 code 6, as it should be. But the 997's
AK404, the copy of the bad value, carried the line break itself: our 997 held a control character inside an
element, invalid X12 that a partner's translator may refuse or mis-split. `_COPY_SAFE` was tested with
re.match and a pattern ending in `$`, which also matches just before a final newline."""

from __future__ import annotations

import pytest

from engine.acks import sendable_ak4
from tests.support import REPO
from tests.test_acks_always_valid import _answers, problems

FIXTURES = REPO / "tests" / "fixtures" / "pubother"


@pytest.mark.parametrize("bad", ["PACK TWELVE TO A CARTON\n", "PACK TWELVE TO A CARTON\n        ", "DC07\n"])
def test_ak404_never_copies_a_value_ending_in_a_line_break(bad):
    assert sendable_ak4(3, "369", "6", bad) == ["AK4", "3", "369", "6", ""]


def test_the_997_for_a_note_broken_across_lines_is_valid_x12():
    """Our own 850 whose N903 runs onto the next line before its terminator: rejected (AK5 R, AK4 code 6 at
    N903), and the 997 says so without echoing the line break (AK404 left out, as for any value X12 cannot
    carry)."""
    data = (FIXTURES / "850_n9_text_line_break.x12").read_bytes()
    [ack] = [d for d in _answers(data) if b"AK1*" in d]
    assert b"AK4*3*369*6~" in ack
    assert b"CARTON\n" not in ack and problems(ack) == []


# --- the same "$" in the check of a partner's file names (connectors.base.is_safe_name) ----------------------
# Found beside the AK404 fix, not in a surveyed file: a name "no NUL/control characters" passed when its only
# control character was a final line break.
@pytest.mark.parametrize(("name", "safe"), [("po.x12", True), ("po.x12\n", False), ("po.x12\r\n", False),
                                            (".hidden.x12", True), ("..", False), (".", False)])
def test_a_file_name_ending_in_a_line_break_is_not_safe(name, safe):
    from connectors.base import is_safe_name

    assert is_safe_name(name) is safe


# --- a 005010 824 whose TED loop carries CTX (X12 005010 added CTX, Context, to the 824's TED loop, as to the 999's
# IK3/IK4; the HIPAA X186A1 guide's examples and Bots' 005010 grammar have it). Our 005010 824 table was the
# 004010 one: a partner's valid 824 was refused (SEGMENT_NOT_IN_SET, 997 AK3 code 6, AK5 R) and its verdict on
# our 856 quarantined.
def test_a_005010_824_with_ctx_in_its_ted_loop_is_taken():
    from datetime import date

    from engine.process import Known, process_file
    from schemas.profile import load_profiles

    acme = load_profiles(REPO / "partners")["acme"]
    data = (FIXTURES / "824_005010_ted_ctx.x12").read_bytes()
    out = process_file(data, file="824.x12", sha256="s", profile=acme, known=Known(), today=date(2026, 11, 28))
    assert ([f.code for f in out.findings], out.disposition) == ([], "processed")
    [ack] = [d for d in _answers(data) if b"AK1*" in d]
    assert b"AK5*A~" in ack and b"AK3" not in ack


# --- TED as X12 writes it. Our TED was "647, 3, 721, 719, 447, 722, 725, 724, 961, 449": a loop id at TED05 that no
# release has. X12 (003010-004030, 004010 among them): 05 the element's position (722), 06 the data element
# reference number (725), 07 a copy of the bad value (724, AN 1/99), 08 its new content (961); from 004050 (005010
# among them) 05 is the C030 composite. A partner's standard 824 quoting the bad value in TED07 was refused
# (TED06 "longer than 2", TED07 "longer than 4 / must be a whole number": 997 AK5 R, the file quarantined) and its
# errors mis-read (the bad value taken for the element's reference number). Public 824s with this shape: EdiFabric's
# ApplicationAdvice sample (TED07 a part number), the X186 guide's business scenarios (TED07 a postal code).
@pytest.mark.parametrize(("fixture", "error"), [
    ("824_004010_ted_bad_value.x12", ("IT1", 7, 7, "234", "00614141100521", "UPC NOT ON FILE")),
    ("824_005010_ted_ctx.x12", ("MAN", 12, 2, "88", "00006141410000000019", "SSCC NOT ON FILE")),
])
def test_a_standard_ted_is_taken_and_read_element_by_element(fixture, error):
    from datetime import date

    from engine.process import Known, process_file
    from schemas.profile import load_profiles

    acme = load_profiles(REPO / "partners")["acme"]
    data = (FIXTURES / fixture).read_bytes()
    out = process_file(data, file=fixture, sha256="s", profile=acme, known=Known(), today=date(2026, 11, 28))
    assert ([f.code for f in out.findings], out.disposition) == ([], "processed")
    [oti] = out.advice.to_pylist()
    [ted] = oti["errors"]
    assert (ted["segment_id"], ted["segment_position"], ted["element_position"], ted["element_ref"],
            ted["bad_value"], ted["reason"]) == error
    assert ted["loop_id"] is None
    [ack] = [d for d in _answers(data) if b"AK1*" in d]
    assert b"AK5*A~" in ack and b"AK3" not in ack
