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


def test_a_contract_price_other_than_po104_is_named_once_per_set():
    """CTP_PRICE_MISMATCH: a PO1 line stating PO104 and, in a CTP of its own loop, another price the buyer pays
    (CTP02 CON contract, UCP unit cost, NET, ACT, CUP, INV: schemas.orders.BUYER_COST_PRICES) is two prices for one
    line; the line is taken at PO104 and the other named. A retail or suggested price (RES, MSR) is no price the
    buyer pays; a line without PO104 is priced by its CTP (parsers.orders_850) and says nothing here."""
    def told(*loop: str, line: str = "PO1*1*12*EA*2.50*PE*UP*073000040482") -> list[tuple]:
        return counts(GOOD_PO[:6] + [line, *loop, LINES[1], "CTT*2*18"])

    assert told("CTP**CON*2.25") == [("CTP_PRICE_MISMATCH", "CTP03", "2.25", "warning")]
    assert told("CTP**UCP*2.75") == [("CTP_PRICE_MISMATCH", "CTP03", "2.75", "warning")]
    assert told("CTP*WS*CON*2.5") == [] and told("CTP**CON*2.500") == []  # the same price, however written
    assert told("CTP*RS*RES*2.25") == [] and told("CTP**MSR*3.99") == []  # retail, suggested retail: no cost
    assert told("CTP**CON*2.25", line="PO1*1*12*EA***UP*073000040482") == []  # no PO104: the CTP prices it
    assert told("CTP**CON*2.25", line="PO1*1*12*EA*0*NC*UP*073000040482") == []  # no charge: not judged
    assert told("CTP**CON*2.25***DIS*0.9") == []  # a multiplier: its price is not CTP03
    assert told("CTP**CON*30**CA") == []  # a price per case on a line in eaches: not comparable
    assert told("CTP**CON*2.75*1*EA", "CTP**CON*2.50*10*EA") == []  # quantity breaks, one of them PO104
    # a CTP after an SLN prices that subline, not the line
    assert "CTP_PRICE_MISMATCH" not in {c for c, *_ in told("SLN*1**I*6*EA*2.25*PE", "CTP**CON*2.25")}
    # PO104 as a wholesale price (PO105 WE: a pharmaceutical wholesaler's WAC) beside the contract price it charges
    # back (Morris & Dickson's): two prices by design
    assert told("CTP**CON*2.25", line="PO1*1*12*EA*2.50*WE*UP*073000040482") == []
    assert told("CTP**CON*2.25", line="PO1*1*12*EA*2.50*CT*UP*073000040482")[0][0] == "CTP_PRICE_MISMATCH"
    # a price per hundred (PO105 HP): PO104 250 is 2.50 an each, which the CTP states
    assert told("CTP**CON*2.50", line="PO1*1*12*EA*250*HP*UP*073000040482") == []
    result = read_interchanges(x12_850(GOOD_PO[:6] + ["PO1*1*12*EA*2.50*PE*UP*073000040482", "CTP**CON*2.25",
                                                      "CTP*RS*RES*4.99", "PO1*2*6*EA*10*PE*VN*SKU-2", "CTP**NET*9.5",
                                                      "CTT*2*18"]))
    [f] = check_structure(result, list(result.transaction_sets()))
    assert f.message == ("PO1 lines state a price (PO104) other than the price the buyer pays in a CTP of their loop "
                         "(line 1 PO104 2.50, CTP CON 2.25; line 2 PO104 10, CTP NET 9.5): each line is acknowledged "
                         "and invoiced at its PO104; check with the partner which price is meant.")
