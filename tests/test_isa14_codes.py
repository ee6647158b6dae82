"""ISA14 (I13) as X12's later code list has it: 0 no TA1, 1 a TA1, 2 a TA1 only when the interchange is rejected,
3 a TA1 only when it is rejected or accepted with errors noted. A translator sending 2 or 3 asks for less than 1
does: its interchange is taken (the 997 and the order follow), never refused as ISA_ACK_REQUESTED_INVALID, and its
TA1 is sent only when the code asks for it (profile acks.ta1 = "requested", as ACME's)."""

from __future__ import annotations

import pytest

from engine.acks import ta1_asked
from parsers.x12_reader import read_interchanges
from rules.envelope import check_envelopes
from tests.test_acks_x12_semantics import ACME, _acks, _acks_in_batches, _ak9, _interchange, _po, _ta1s


@pytest.mark.parametrize("code", ["0", "1", "2", "3"])
def test_each_code_of_i13_is_taken(code):
    data = _interchange([_po(1)], ack=code)
    assert "ISA_ACK_REQUESTED_INVALID" not in {f.code for f in check_envelopes(read_interchanges(data))}
    assert _ak9(_acks(data))[1:] == ("A", "1", "1", "1")  # the PO's 997 accepts it


def test_a_code_outside_i13_is_still_refused():
    data = _interchange([_po(1)], ack="4")
    found = [f for f in check_envelopes(read_interchanges(data)) if f.code == "ISA_ACK_REQUESTED_INVALID"]
    assert [(f.severity, f.location.element, f.message) for f in found] == [
        ("error", "ISA14", "ISA14 must be 0, 1, 2 or 3.")]
    assert _ta1s(_acks(data)) == [("TA1", "000000001", "261127", "1200", "R", "019")]


@pytest.mark.parametrize("answer", [_acks, _acks_in_batches])
def test_a_clean_interchange_asking_2_or_3_gets_no_ta1_and_one_asking_1_gets_its_a(answer):
    assert ACME.acks.ta1 == "requested"
    assert _ta1s(answer(_interchange([_po(1)], ack="1"))) == [("TA1", "000000001", "261127", "1200", "A", "000")]
    assert _ta1s(answer(_interchange([_po(1)], ack="2"))) == []
    assert _ta1s(answer(_interchange([_po(1)], ack="3"))) == []


def test_a_rejected_interchange_asking_2_or_3_gets_its_ta1_r():
    for code in "23":
        first = _interchange([_po(1)], isa13=5, ack=code)
        again = _interchange([_po(2)], isa13=5, ack=code, iea02="000000009")
        assert _ta1s(_acks(first + again)) == [("TA1", "000000005", "261127", "1200", "R", "025")]


def test_ta1_asked_follows_the_code_and_the_status_the_ta1_would_carry():
    def asked(data: bytes) -> bool:
        result = read_interchanges(data)
        [ic] = result.interchanges
        return ta1_asked(ic, check_envelopes(result))

    clean = {code: _interchange([_po(1)], ack=code) for code in "0123"}
    noted = {code: _interchange([_po(1)], ack=code, iea02="000000009") for code in "0123"}  # TA1 E 001
    assert [asked(clean[c]) for c in "0123"] == [False, True, False, False]
    assert [asked(noted[c]) for c in "0123"] == [False, True, False, True]  # 2: only a rejection; 3: E too
    for code in "0123":
        assert _ta1s(_acks(noted[code]))[0][4:] == ("E", "001")  # the TA1 sent (on error, ACME's policy) notes it
