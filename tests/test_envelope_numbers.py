"""Trailer numbers are N0 values: SE01, GE01 and IEA01 sent with leading zeros ("012", as fixed-width
writers do) count as the number they are, and GE02 matches GS06 whether one of them is zero-padded;
a count or control number that differs is still an error, and IEA02 must still be ISA13's nine digits."""

from __future__ import annotations

from datetime import date

import pytest

from engine.process import Known, process_file
from rules.envelope import same_number
from schemas.profile import load_profiles
from tests.support import GOOD_PO, REPO, x12_850

ACME = load_profiles(REPO / "partners")["acme"]
SE = f"SE*{len(GOOD_PO) + 2}*0001~"


def _run(data: bytes):
    out = process_file(data, file="f.x12", sha256="s", profile=ACME, known=Known(), today=date(2026, 11, 27))
    return out, sorted((f.code, f.location.value) for f in out.findings)


@pytest.mark.parametrize(
    "data",
    [
        x12_850(GOOD_PO).replace(SE.encode(), f"SE*0{len(GOOD_PO) + 2}*0001~".encode()),
        x12_850(GOOD_PO).replace(b"GE*1*1~", b"GE*000001*1~"),
        x12_850(GOOD_PO).replace(b"IEA*1*", b"IEA*00001*"),
        x12_850(GOOD_PO, gs06="000000001", ge02="1"),
        x12_850(GOOD_PO, gs06="7", ge02="000000007"),
    ],
    ids=["SE01 012", "GE01 000001", "IEA01 00001", "GS06 padded", "GE02 padded"],
)
def test_zero_padded_trailer_numbers_are_the_same_number(data: bytes) -> None:
    out, codes = _run(data)
    assert codes == [] and out.orders.num_rows == 1 and out.disposition == "processed"


@pytest.mark.parametrize(
    "data, code",
    [
        (x12_850(GOOD_PO).replace(SE.encode(), f"SE*0{len(GOOD_PO) + 3}*0001~".encode()), "SE_COUNT_MISMATCH"),
        (x12_850(GOOD_PO).replace(b"GE*1*1~", b"GE*02*1~"), "GE_SET_COUNT_MISMATCH"),
        (x12_850(GOOD_PO, gs06="000000001", ge02="10"), "GE_CONTROL_MISMATCH"),
        (x12_850(GOOD_PO, iea02="1"), "IEA_CONTROL_MISMATCH"),
    ],
)
def test_numbers_that_differ_are_still_errors(data: bytes, code: str) -> None:
    _out, codes = _run(data)
    assert code in [c for c, _v in codes]


def test_same_number_takes_ascii_digits_only() -> None:
    assert same_number("012", 12) and same_number("000000001", "1") and same_number("ABC", "ABC")
    assert not same_number("١٢", 12) and not same_number("", 0) and not same_number("12a", 12)
    assert not same_number("+12", 12) and not same_number("1.0", 1)


@pytest.mark.parametrize("se01", [f"{len(GOOD_PO) + 2}.0", f"{len(GOOD_PO) + 2}.", f"0{len(GOOD_PO) + 2}.00"])
def test_an_se01_written_with_a_decimal_point_counts_as_the_number_it_states(se01: str) -> None:
    """A translator writing N0 numbers with a decimal point (SE*12.0*0001): the element check warns of it
    (IMPLIED_DECIMAL_STATED, noted in our 997's AK4) and the count is the number stated, so the set is
    processed. It used to be a count mismatch too (SE_COUNT_MISMATCH, an error rejecting the set)."""
    out, codes = _run(x12_850(GOOD_PO).replace(SE.encode(), f"SE*{se01}*0001~".encode()))
    assert codes == [("IMPLIED_DECIMAL_STATED", se01)] and out.orders.num_rows == 1
    assert out.disposition == "processed"
    from tests.test_acks_and_outputs import render, segments

    ack = [s for s in segments(render(out)["997"]) if s[0] in ("AK3", "AK4", "AK5")]
    assert ack == [["AK3", "SE", str(len(GOOD_PO) + 2), "", "8"], ["AK4", "1", "96", "6", se01], ["AK5", "E", "5"]]
    wrong = f"{len(GOOD_PO) + 3}.0"  # a count that differs is still a mismatch, point or not
    _out, codes = _run(x12_850(GOOD_PO).replace(SE.encode(), f"SE*{wrong}*0001~".encode()))
    assert ("SE_COUNT_MISMATCH", wrong) in codes
