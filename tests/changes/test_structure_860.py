"""The 860 through rules.structure: the segment table walk, element syntax and counts, located like the 850's."""

from __future__ import annotations

import pytest

from rules.structure import check_structure
from tests.support import corpus_dir

from .builders import change_body, parse_860, sets_860, x12_860


def _codes(body: list[str]) -> list[tuple[str, str, int | None]]:
    result = parse_860(x12_860(body))
    found = check_structure(result, sets_860(result))
    return [(f.code, f.location.element or f.location.segment_id, f.location.segment_position) for f in found]


def test_a_well_formed_change_has_no_findings() -> None:
    body = change_body(
        [
            "POC*1*QI*20**EA*2.5*PE*UP*073000040482",
            "PID*F****WIDGET",
            "DTM*017*20261210",
            "POC*3*AI*5*5*EA*4*PE*VN*SKU-9",
        ]
    )
    body[1:1] = [
        "REF*IA*VEND1",
        "DTM*002*20261210",
        "N1*ST*DC 7*92*DC07",
        "N3*1 Way",
        "N4*Columbus*OH*43215*US",
    ]
    # no structure finding; the heading's new date (DTM 002) and ship-to (N1 ST, N3, N4) are applied to the
    # order (engine.changes), so no heading warning; the QI line's estimated delivery date (its DTM 017 under the
    # POC, a date a line does not keep) is not
    assert _codes(body) == [("CHANGE_LINE_DATES_NOT_APPLIED", "DTM", 10)]
    # a moved cancel date (DTM 001) is applied too (engine.changes): no heading warning for it
    assert _codes([*body[:2], "DTM*001*20261231", *body[3:]]) == [("CHANGE_LINE_DATES_NOT_APPLIED", "DTM", 10)]
    # a heading date we keep nowhere (DTM 017 estimated delivery) and another party (N1 BT) are named
    body[2:4] = ["DTM*017*20261231", "N1*BT*HQ*92*0001"]
    assert _codes(body) == [("CHANGE_HEADER_NOT_APPLIED", "DTM", 4), ("CHANGE_LINE_DATES_NOT_APPLIED", "DTM", 10)]
    # REF, PER: nothing to apply in the heading (the QI line's date is still named)
    assert _codes([body[0], "REF*IA*VEND1", "PER*BD*JOE", *body[6:]]) == [("CHANGE_LINE_DATES_NOT_APPLIED", "DTM", 7)]


def test_a_header_change_is_one_warning_naming_its_segments() -> None:
    body = change_body(["POC*1*DI"])
    result = parse_860(x12_860([body[0], "DTM*002*20261210", "DTM*010*20261208", "TD4*HM", "N1*ST*DC*92*0007",
                                "N3*1 WAY", "N1*BY*HQ", "N3*2 WAY", *body[1:]]))
    [f] = check_structure(result, sets_860(result))
    # DTM 002/010 and the N1 ST loop are applied (engine.changes): only TD4 is named; the buyer's N1 loop is
    # compared with the order's buyer by engine.changes, which names it only when it differs (test_change_parties),
    # as it does the first TD5 and FOB (tests/test_rg74_retailer_860s.py)
    assert (f.code, f.severity, f.location.value, f.location.segment_id, f.location.segment_position) == (
        "CHANGE_HEADER_NOT_APPLIED", "warning", "TD4", "TD4", 5)
    assert "check them by hand" in f.message


def test_a_cancel_without_lines_is_valid() -> None:
    assert _codes(change_body([], purpose="01")) == []


def test_corpus_860_pins_its_element_errors() -> None:
    path = corpus_dir() / "x12" / "860" / "oopfactory__Example1.txt"
    result = parse_860(path.read_bytes(), file=path.name)
    found = check_structure(result, sets_860(result))
    assert {(f.code, f.location.element) for f in found} == {
        ("ELEMENT_TOO_SHORT", "BCH06"),  # "PO DATE": too short and not a date
        ("ELEMENT_INVALID_DATE", "BCH06"),
        ("ELEMENT_INVALID_CHARACTER", "N104"),  # the N1 runs into the N3: its terminator is missing
        ("ELEMENT_TOO_LONG", "N105"),
        ("ELEMENT_TOO_LONG", "N106"),
        # its N1 BY (buyer) loop is not named here: engine.changes compares it with the order's buyer
    }
    assert all(f.location.file == path.name and f.location.st02 == "56488" for f in found)


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            ["POC*1*DI", "BCH*04*SA*PO-1**1*20261126", "CTT*1"],
            [("SEGMENT_MANDATORY_MISSING", "BCH", 2), ("SEGMENT_OUT_OF_ORDER", "BCH", 3)],
        ),
        (["BCH*04*SA*PO-1**1*20261126", "ZZZ*1", "POC*1*DI"], [("SEGMENT_NOT_IN_SET", "ZZZ", 3)]),
        (
            ["BCH*04*SA*PO-1**1*20261126", "POC*1*DI", "CTT*1", "POC*2*DI"],
            [("SEGMENT_OUT_OF_ORDER", "POC", 5)],
        ),
        (["BCH*04*SA*PO-1**1*20261126", "BCH*04*SA*PO-1**1*20261126"], [("SEGMENT_OVER_MAX_USE", "BCH", 3)]),
    ],
)
def test_segment_order_findings(body: list[str], expected: list) -> None:
    assert _codes(body) == expected


@pytest.mark.parametrize(
    "poc, expected",
    [
        ("POC*1", [("ELEMENT_MANDATORY_MISSING", "POC02", 3)]),
        ("POC*1*QI*X1**EA", [("ELEMENT_INVALID_CHARACTER", "POC03", 3)]),
        ("POC*1*QI*20**EA*2.5*PE*UP", [("ELEMENT_CONDITIONAL_MISSING", "POC09", 3)]),
        ("POC*1*QI*20**EACH", [("ELEMENT_TOO_LONG", "POC05-01", 3)]),  # POC05 is the C001 composite
    ],
)
def test_poc_element_findings(poc: str, expected: list) -> None:
    assert _codes(change_body([poc])) == expected


def test_counts_duplicate_poc01_and_ctt() -> None:
    body = ["BCH*04*SA*PO-1**1*20261126", "POC*1*DI", "POC*1*QI*5**EA", "CTT*3"]
    assert _codes(body) == [("POC_LINE_ID_DUPLICATE", "POC01", 4), ("CTT_LINE_COUNT_MISMATCH", "CTT01", 5)]
    result = parse_860(x12_860(body))
    severities = {f.code: f.severity for f in check_structure(result, sets_860(result))}
    assert severities == {"POC_LINE_ID_DUPLICATE": "warning", "CTT_LINE_COUNT_MISMATCH": "warning"}


def test_dates_under_a_change_applied_without_them_are_one_warning_naming_each() -> None:
    """A QD with its new SCH schedule, an added line with its estimated delivery date, a restated (NC) line's
    destination date: applied without their dates (none is kept per line), which one warning names; a
    dates change (RS) of a line's delivery date (DTM 002) is kept (engine.changes), a reference date (N9 loop) or a
    deletion names none."""
    body = change_body(["POC*1*QD*8*8*EA", "SCH*4*EA***002*20261220", "SCH*4*EA***002*20261227",
                        "POC*3*AI*4*4*EA*1*PE*VN*SKU-3", "DTM*017*20261215", "N9*L1*NOTE", "DTM*007*20261201",
                        "POC*2*RS*6*6*EA", "DTM*002*20261230", "POC*4*DI", "DTM*002*20261231",
                        "POC*5*NC*1*1*EA", "N1*ST*DC 8*92*DC08", "DTM*002*20261218"])
    result = parse_860(x12_860(body))
    found = check_structure(result, sets_860(result))
    # line 5's own N1*ST (DC 8) is its new ship-to (engine.changes applies it): not named
    [f] = found
    assert (f.code, f.severity, f.location.segment_id, f.location.value, f.location.segment_position) == (
        "CHANGE_LINE_DATES_NOT_APPLIED", "warning", "SCH", "20261220", 4)
    assert ("line 1 (QD): SCH 4 EA 002 20261220; line 1 (QD): SCH 4 EA 002 20261227; line 3 (AI): DTM 017 "
            "20261215; line 5 (NC): DTM 002 20261218)") in f.message
    assert "20261201" not in f.message and "20261230" not in f.message and "20261231" not in f.message
    assert _codes(change_body(["POC*1*QD*8*8*EA", "POC*2*RS*6*6*EA", "DTM*002*20261230"])) == []


def test_a_poc_s_own_cancel_date_is_applied_not_named() -> None:
    """A POC loop's own DTM 001/063/064 moves the line's date (engine.changes): not named; its other dates are,
    under a dates type too once it moved a kept date (a CT that moved none says so itself)."""
    assert _codes(change_body(["POC*1*CT", "DTM*001*20261220"])) == []
    assert _codes(change_body(["POC*1*QD*4*4*EA", "DTM*063*20261220"])) == []
    assert _codes(change_body(["POC*1*CT", "DTM*001*20261220", "DTM*017*20261215"])) == [
        ("CHANGE_LINE_DATES_NOT_APPLIED", "DTM", 5)]
    assert _codes(change_body(["POC*1*CT", "DTM*017*20261215"])) == []  # CHANGE_DATES_NOT_STORED (engine)
    # its requested delivery date (DTM 002) is kept, as its ship date (010) is, beside a cancel date too
    assert _codes(change_body(["POC*1*CT", "DTM*001*20261220", "DTM*002*20261215"])) == []
    # the line's N1*ST (DC DC01) is its new ship-to (applied); a DTM in that N1 loop is not the line's
    assert _codes(change_body(["POC*1*QD*4*4*EA", "N1*ST*DC*92*DC01", "DTM*001*20261220"])) == [
        ("CHANGE_LINE_DATES_NOT_APPLIED", "DTM", 5)]


def test_a_heading_cur_is_left_to_the_change_s_application_and_is_read() -> None:
    """The heading's first CUR is not named by the structure check (engine.changes names it only when it is
    not the order's currency: Home Depot restates CUR*BY*USD on every 860); it is read into CHANGE_HEADERS. The
    other heading changes are still named."""
    from parsers.orders_860 import read_changes

    body = change_body(["POC*1*DI"])
    assert _codes([body[0], "CUR*BY*usd", *body[1:]]) == []
    result = parse_860(x12_860([body[0], "CUR*BY*USD", "TD4*HM", *body[1:]]))
    [f] = check_structure(result, sets_860(result))
    assert (f.code, f.location.value, f.location.segment_id) == ("CHANGE_HEADER_NOT_APPLIED", "TD4", "TD4")
    result = parse_860(x12_860([body[0], "CUR*BY*usd", *body[1:]]))
    headers = read_changes(result, sets_860(result), partner="p")[0]
    assert headers["currency_sent"].to_pylist() == ["USD"]
