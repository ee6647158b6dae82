"""850 structure: segment order, loops, max use, mandatory segments and element syntax."""

from __future__ import annotations

import pytest

from parsers.x12_reader import read_interchanges
from rules.envelope import check_envelopes
from rules.structure import check_structure
from tests.support import GOOD_PO, x12_850


def findings(body, **kw):
    result = read_interchanges(x12_850(body, **kw))
    sets = list(result.transaction_sets())
    return [(f.code, f.location.segment_id, f.location.element, f.location.segment_position)
            for f in check_structure(result, sets)]


def test_clean_po_has_no_findings():
    assert findings(GOOD_PO) == []


@pytest.mark.parametrize("body,expected", [
    (GOOD_PO[1:], ("SEGMENT_MANDATORY_MISSING", "BEG", "", 2)),
    ([GOOD_PO[0], GOOD_PO[0]] + GOOD_PO[1:], ("SEGMENT_OVER_MAX_USE", "BEG", "", 3)),
    (GOOD_PO[:6] + ["CTT*0"], ("SEGMENT_MANDATORY_MISSING", "PO1", "", 8)),
    (GOOD_PO[:7] + ["BEG*00*SA*X**20261126"] + GOOD_PO[7:], ("SEGMENT_OUT_OF_ORDER", "BEG", "", 9)),
    (GOOD_PO + ["ZZZ*1"], ("SEGMENT_NOT_IN_SET", "ZZZ", "", 12)),
    (GOOD_PO + ["po1*1"], ("SEGMENT_UNRECOGNIZED", "po1", "", 12)),
])
def test_segment_errors(body, expected):
    assert expected in findings(body)


@pytest.mark.parametrize("segment,expected", [
    ("BEG*00*SA*PO-1**20261332", ("ELEMENT_INVALID_DATE", "BEG", "BEG05", 2)),
    ("BEG*00*SA***20261126", ("ELEMENT_MANDATORY_MISSING", "BEG", "BEG03", 2)),
    ("BEG*00*SA*" + "X" * 23 + "**20261126", ("ELEMENT_TOO_LONG", "BEG", "BEG03", 2)),
    ("BEG*00*S*PO-1**20261126", ("ELEMENT_TOO_SHORT", "BEG", "BEG02", 2)),
    # the AK4 of "too many elements" points at the first extra element (BEG has 12), not at BEG01
    ("BEG*00*SA*PO-1**20261126*1*2*3*4*5*6*7*8", ("ELEMENT_TOO_MANY", "BEG", "BEG13", 2)),
])
def test_element_errors_in_beg(segment, expected):
    assert expected in findings([segment] + GOOD_PO[1:])


@pytest.mark.parametrize("purpose", ["02", "04", "22"])
def test_beg01_takes_purposes_beyond_the_five_we_act_on(purpose):
    """BEG01 was restricted to 00/01/05/06/07: a stricter check than X12 (what we act on is a business
    rule now, not a 997 error)."""
    assert findings([f"BEG*{purpose}*SA*PO-1**20261126"] + GOOD_PO[1:]) == []


def test_po1_elements_typed_and_paired():
    body = GOOD_PO[:6] + ["PO1*1*1x*EA*2.5*PE*UP", "PO1*2**EA*1"] + ["DTM*010*2400", "CTT*2"]
    got = findings(body)
    assert ("ELEMENT_INVALID_CHARACTER", "PO1", "PO102", 8) in got
    assert ("ELEMENT_CONDITIONAL_MISSING", "PO1", "PO107", 8) in got
    assert ("ELEMENT_CONDITIONAL_MISSING", "PO1", "PO102", 9) in got
    assert ("ELEMENT_INVALID_DATE", "DTM", "DTM02", 10) in got


def test_missing_terminator_shows_as_control_characters():
    body = GOOD_PO[:3] + ["N1*ST*DC 7*92*DC07\r\n  N3*1 Way"] + GOOD_PO[5:]
    assert ("ELEMENT_INVALID_CHARACTER", "N1", "N104", 5) in findings(body)


def test_loops_repeat_and_nest():
    body = GOOD_PO[:6] + ["N1*BT*AP*92*AP1", "N3*2 Way", "N4*Dayton*OH*45402"] + GOOD_PO[6:9] + [
        "SDQ*EA*92*0001*6", "N1*ST*STORE 1*92*S1", "PO1*3*1*EA*1", "CTT*3"]
    # valid structure; the findings are the warnings that the SDQ's store quantity is not applied and that
    # line 3's own N1*ST (STORE 1) is not the heading's ship-to (rules.set_checks: LINE_SHIP_TO_NOT_APPLIED)
    assert sorted(findings(body)) == sorted([("SDQ_NOT_APPLIED", "SDQ", "SDQ03", 14),
                                            ("LINE_SHIP_TO_NOT_APPLIED", "N1", "N104", 15)])


def test_envelope_counts_and_control_numbers():
    result = read_interchanges(x12_850(GOOD_PO, se_count=99, ge02="7", iea02="000000009"))
    codes = {f.code for f in check_envelopes(result)}
    assert {"SE_COUNT_MISMATCH", "GE_CONTROL_MISMATCH", "IEA_CONTROL_MISMATCH"} <= codes


def test_isa_field_syntax():
    data = x12_850(GOOD_PO).replace(b"*261127*1200*", b"*261340*2599*").replace(b"*00401*", b"*0040X*")
    codes = {f.code for f in check_envelopes(read_interchanges(data))}
    assert {"ISA_DATE_INVALID", "ISA_TIME_INVALID", "ISA_VERSION_INVALID"} <= codes


def test_duplicate_st02_in_group():
    data = x12_850(GOOD_PO).decode()
    head, rest = data.split("ST*850", 1)
    body = "ST*850" + rest.split("GE*")[0]
    data = (head + body + body + "GE*2*1~\nIEA*1*000000001~\n").encode()
    codes = [f.code for f in check_envelopes(read_interchanges(data))]
    assert codes.count("ST_CONTROL_NUMBER_DUPLICATE") == 1


@pytest.mark.parametrize("itd03, expected", [("2", "2.0000"), ("99999.9999", "99999.9999"), ("123456", None),
                                             ("20261210", None), ("-123456", None)])
def test_a_discount_percent_too_large_to_hold_is_null_not_a_crash(itd03, expected):
    """ITD03 is R6: 123456 is legal syntax, no percent the canonical column (decimal 9,4) holds; a cut ITD
    can put a date there (found by fuzzing: `inspect` crashed with ArrowInvalid). It reads as null, like
    any number we cannot read, and the rest of the order is kept."""
    from parsers.orders_850 import read_orders

    body = [*GOOD_PO[:2], f"ITD*01*3*{itd03}**10**30", *GOOD_PO[2:]]
    result = read_interchanges(x12_850(body))
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    got = orders.column("terms_discount_percent")[0].as_py()
    assert (None if got is None else str(got)) == expected
    assert orders.column("po_number").to_pylist() == ["PO-1"] and lines.num_rows == 2
