"""The 850's own counts (set level, warnings, never in the 997): CTT01 against the PO1 lines, CTT02
against the hash total of PO102, repeated PO101 line ids."""

from __future__ import annotations

import pytest

from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from tests.support import GOOD_PO, x12_850
from tests.test_acks_and_outputs import render, run, segments

LINES = ["PO1*1*12*EA*2.50*PE*UP*073000040482", "PO1*2*6*EA*10*PE*VN*SKU-2"]


def counts(body: list[str]) -> list[tuple[str, str, str | None, str]]:
    result = read_interchanges(x12_850(body))
    return [(f.code, f.location.element, f.location.value, f.severity)
            for f in check_structure(result, list(result.transaction_sets()))]


def test_matching_counts_raise_nothing():
    assert counts(GOOD_PO[:6] + LINES + ["CTT*2*18"]) == []
    assert counts(GOOD_PO[:6] + LINES + ["CTT*2"]) == []  # CTT02 is optional


@pytest.mark.parametrize("ctt, expected", [
    ("CTT*3*18", ("CTT_LINE_COUNT_MISMATCH", "CTT01", "3", "warning")),
    ("CTT*2*17", ("CTT_QUANTITY_MISMATCH", "CTT02", "17", "warning")),
])
def test_ctt_totals_are_checked(ctt, expected):
    assert counts(GOOD_PO[:6] + LINES + [ctt]) == [expected]


def test_the_hash_total_sums_decimal_quantities_exactly_and_may_drop_leading_digits():
    lines = ["PO1*1*0.1*EA*2.50*PE*UP*073000040482", "PO1*2*0.2*EA*10*PE*VN*SKU-2"]
    assert counts(GOOD_PO[:6] + lines + ["CTT*2*0.3"]) == []  # 0.1 + 0.2 in decimal, not in floats
    big = ["PO1*1*9999999999*EA*1*PE*VN*A", "PO1*2*2*EA*1*PE*VN*B"]  # 10000000001: 11 digits
    assert counts(GOOD_PO[:6] + big + ["CTT*2*1"]) == []  # CTT02 is R 1/10: the leading 1 is dropped
    assert counts(GOOD_PO[:6] + big + ["CTT*2*2"])[0][0] == "CTT_QUANTITY_MISMATCH"


def test_lines_without_quantity_do_not_count_in_the_hash_total():
    lines = ["PO1*1*12*EA*2.50*PE*UP*073000040482", "PO1*2*****VN*SKU-2"]
    assert counts(GOOD_PO[:6] + lines + ["CTT*2*12"]) == []


def test_a_repeated_po101_is_reported_at_the_repeat():
    lines = LINES + ["PO1*1*3*EA*1*PE*VN*SKU-3"]
    got = counts(GOOD_PO[:6] + lines + ["CTT*3*21"])
    assert got == [("PO1_LINE_ID_DUPLICATE", "PO101", "1", "warning")]
    result = read_interchanges(x12_850(GOOD_PO[:6] + lines + ["CTT*3*21"]))
    [f] = check_structure(result, list(result.transaction_sets()))
    assert f.location.segment_position == 10 and "first at segment 8" in f.message


def test_count_warnings_do_not_reject_the_po():
    out = run(x12_850(GOOD_PO[:6] + LINES + ["PO1*1*3*EA*1*PE*VN*SKU-3", "CTT*9*99"]))
    assert {f.code for f in out.findings} == {"CTT_LINE_COUNT_MISMATCH", "CTT_QUANTITY_MISMATCH",
                                              "PO1_LINE_ID_DUPLICATE"}
    assert out.error_count == 0 and out.orders.num_rows == 1
    segs = segments(render(out)["997"])
    assert ["AK5", "A"] in segs and not [s for s in segs if s[0] in ("AK3", "AK4")]


def test_counts_are_per_set():
    data = x12_850(GOOD_PO[:6] + LINES + ["CTT*2*18"]).decode()
    head, rest = data.split("ST*850", 1)
    set_text = "ST*850" + rest.split("GE*")[0]
    second = set_text.replace("0001", "0002").replace("CTT*2*18", "CTT*1*18")
    result = read_interchanges((head + set_text + second + "GE*2*1~\nIEA*1*000000001~\n").encode())
    got = [(f.code, f.location.st02) for f in check_structure(result, list(result.transaction_sets()))]
    assert got == [("CTT_LINE_COUNT_MISMATCH", "0002")]


def test_a_stated_total_is_judged_in_its_own_set_only():
    """PO_TOTAL_MISMATCH (AMT*TT after the lines): only the sets that state a total have their lines valued (the
    others' lines are not read for it); a set whose total is its lines' sum, or that states none, says nothing."""
    from tests.support import ISA

    def st(n: str, po: str, tail: list[str]) -> str:
        body = [f"BEG*00*SA*{po}**20261126", *LINES, "CTT*2*18", *tail]
        return f"ST*850*{n}~\n" + "".join(s + "~\n" for s in body) + f"SE*{len(body) + 2}*{n}~\n"

    text = (ISA.format(isa13=1, ack="0") + "GS*PO*ACMERETAIL*ORDERBRIDGE*20261127*1200*1*X*004010~\n"
            + st("0001", "PO-1", []) + st("0002", "PO-2", ["AMT*TT*95"]) + st("0003", "PO-3", ["AMT*TT*90"])
            + "GE*3*1~\nIEA*1*000000001~\n")
    result = read_interchanges(text.encode())
    found = [(f.code, f.location.value, f.severity) for f in check_structure(result, list(result.transaction_sets()))]
    assert found == [("PO_TOTAL_MISMATCH", "95", "warning")]  # PO-2 (12 x 2.50 + 6 x 10 = 90); PO-3 states 90
