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
