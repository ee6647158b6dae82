"""rules.structure over any Dictionary: a small hand-made one (set 900, version 009990) exercises every
element check once: types, lengths, dates (CCYYMMDD and YYMMDD), times, complete code lists,
composites, repeats and the five kinds of syntax note, each with the AK4 code X12 gives it."""

from __future__ import annotations

import pytest

from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from schemas.codes import ack_code
from schemas.x12dict import (
    NOTE_AK4,
    ComponentUse,
    CompositeDef,
    Dictionary,
    ElementDef,
    ElementUse,
    SegmentDef,
    SetTable,
    SyntaxNote,
)

E = {ref: ElementDef(ref, typ, lo, hi) for ref, typ, lo, hi in [
    ("100", "ID", 2, 3), ("200", "N2", 1, 6), ("300", "R", 1, 8), ("400", "DT", 8, 8), ("401", "DT", 6, 6),
    ("500", "TM", 4, 8), ("600", "AN", 1, 10), ("700", "AN", 1, 5), ("355", "ID", 2, 2), ("380", "R", 1, 15)]}
C900 = CompositeDef("C900", "Test Unit", (ComponentUse(1, E["355"], "M"), ComponentUse(2, E["380"], "X"),
                                          ComponentUse(3, E["380"], "X")), (SyntaxNote("C", (2, 3)),))


def _simple(pos: int, ref: str, req: str = "O", repeat: int = 1) -> ElementUse:
    return ElementUse(pos, ref, req, element=E[ref], repeat=repeat)


def _noted(seg_id: str, kind: str, n: int) -> SegmentDef:
    return SegmentDef(seg_id, seg_id, tuple(_simple(p, "700", "X") for p in range(1, n + 1)),
                      (SyntaxNote(kind, tuple(range(1, n + 1))),))


SEGMENTS = {
    "ZZ1": SegmentDef("ZZ1", "Everything", (
        _simple(1, "100", "M"), _simple(2, "200"), _simple(3, "300"), _simple(4, "400"), _simple(5, "401"),
        _simple(6, "500"), ElementUse(7, "C900", "O", composite=C900), _simple(8, "600", repeat=3))),
    "NP": _noted("NP", "P", 2), "NR": _noted("NR", "R", 2), "NE": _noted("NE", "E", 3),
    "NC": _noted("NC", "C", 3), "NL": _noted("NL", "L", 3),
}
TABLE = SetTable("900", "009990", "ZZ", "Test", (
    ("ST", "M", 1), ("ZZ1", "M", 1), ("NP", "O", 1), ("NR", "O", 1), ("NE", "O", 1), ("NC", "O", 1),
    ("NL", "O", 1), ("SE", "M", 1)))
FIXTURE = Dictionary("009990", elements=E, composites={"C900": C900}, segments=SEGMENTS, sets={"900": TABLE},
                     code_lists={"100": frozenset({"AA", "BB", "CCC"})})


def _judge(gs08: str) -> Dictionary | None:
    return FIXTURE if gs08 == "009990" else None


def interchange(groups: list[tuple[str, list[str]]], *, repetition: str = "^") -> bytes:
    """One interchange (ISA12 00501, ISA11 ``repetition``, component ">") with one 900 set per group."""
    text = (f"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261127*1200*{repetition}*00501*"
            "000000001*0*P*>~\n")
    for n, (gs08, body) in enumerate(groups, start=1):
        text += (f"GS*ZZ*SENDER*RECEIVER*20261127*1200*{n}*X*{gs08}~\nST*900*0001~\n"
                 + "".join(s + "~\n" for s in body) + f"SE*{len(body) + 2}*0001~\nGE*1*{n}~\n")
    return (text + f"IEA*{len(groups)}*000000001~\n").encode()


def found(body: list[str], **kw) -> list[tuple[str, str, str | None]]:
    result = read_interchanges(interchange([("009990", body)], **kw))
    return [(f.code, f.location.element, f.location.value)
            for f in check_structure(result, list(result.transaction_sets()), dictionaries=_judge)]


GOOD = "ZZ1*AA*-1234*-12.5*20261127*261127*235959*KG>1.5>2*A^B^C"


def test_a_valid_segment_passes():
    assert found([GOOD, "NP*A*B", "NR*A", "NE*A", "NC*A*B*C", "NL*A**C"]) == []


@pytest.mark.parametrize("segment, expected", [
    ("ZZ1", ("ELEMENT_MANDATORY_MISSING", "ZZ101", None)),
    ("ZZ1*DD", ("ELEMENT_INVALID_CODE", "ZZ101", "DD")),  # 100 has a complete code list
    ("ZZ1*AAAA", ("ELEMENT_TOO_LONG", "ZZ101", "AAAA")),
    ("ZZ1*AA*1234567", ("ELEMENT_TOO_LONG", "ZZ102", "1234567")),  # N2: the sign does not count, digits do
    # N2 has implied decimals, no point: one stated is read as stated, a warning (IMPLIED_DECIMAL_STATED, AK4 6);
    # its length is that of its implied form (12345.67 is 1234567: too long for N2 1/6)
    ("ZZ1*AA*12.5", ("IMPLIED_DECIMAL_STATED", "ZZ102", "12.5")),
    ("ZZ1*AA*-12.", ("IMPLIED_DECIMAL_STATED", "ZZ102", "-12.")),
    ("ZZ1*AA*12345.67", ("ELEMENT_TOO_LONG", "ZZ102", "12345.67")),
    ("ZZ1*AA*1.2.5", ("ELEMENT_INVALID_CHARACTER", "ZZ102", "1.2.5")),  # what is no number stays invalid
    ("ZZ1*AA*12,50", ("ELEMENT_INVALID_CHARACTER", "ZZ102", "12,50")),
    ("ZZ1*AA*12.5A", ("ELEMENT_INVALID_CHARACTER", "ZZ102", "12.5A")),
    ("ZZ1*AA*.", ("ELEMENT_INVALID_CHARACTER", "ZZ102", ".")),
    ("ZZ1*AA*1.5E2", ("ELEMENT_INVALID_CHARACTER", "ZZ102", "1.5E2")),
    ("ZZ1*AA**1..2", ("ELEMENT_INVALID_CHARACTER", "ZZ103", "1..2")),
    ("ZZ1*AA***20260230", ("ELEMENT_INVALID_DATE", "ZZ104", "20260230")),  # 30 February
    ("ZZ1*AA***20251301", ("ELEMENT_INVALID_DATE", "ZZ104", "20251301")),
    ("ZZ1*AA****261340", ("ELEMENT_INVALID_DATE", "ZZ105", "261340")),  # a YYMMDD element (max 6)
    ("ZZ1*AA*****2460", ("ELEMENT_INVALID_TIME", "ZZ106", "2460")),
    ("ZZ1*AA*****12", ("ELEMENT_TOO_SHORT", "ZZ106", "12")),
    ("ZZ1*AA*AA*1*20261127*261127*1200*KG*A*EXTRA", ("ELEMENT_TOO_MANY", "ZZ109", "EXTRA")),
])
def test_element_checks(segment, expected):
    assert expected in found([segment])


def test_a_yymmdd_element_takes_six_digits_and_a_ccyymmdd_element_eight():
    assert found(["ZZ1*AA***20261127*261127"]) == []
    got = found(["ZZ1*AA***261127*20261127"])
    assert ("ELEMENT_TOO_SHORT", "ZZ104", "261127") in got and ("ELEMENT_TOO_LONG", "ZZ105", "20261127") in got


@pytest.mark.parametrize("composite, expected", [
    (">1.5>2", ("ELEMENT_MANDATORY_MISSING", "ZZ107-01", None)),
    ("KGS", ("ELEMENT_TOO_LONG", "ZZ107-01", "KGS")),
    ("KG>x>2", ("ELEMENT_INVALID_CHARACTER", "ZZ107-02", "x")),
    ("KG>1>2>3", ("ELEMENT_TOO_MANY_COMPONENTS", "ZZ107", "KG>1>2>3")),
    ("KG>1", ("ELEMENT_CONDITIONAL_MISSING", "ZZ107-03", None)),  # the composite's C0203
])
def test_composites_split_on_the_interchange_component_separator(composite, expected):
    assert found([f"ZZ1*AA******{composite}"]) == [expected]


def test_repeats_are_counted_and_each_repeat_is_checked():
    assert found(["ZZ1*AA*******A^B^C"]) == []
    assert found(["ZZ1*AA*******A^B^C^D"]) == [("ELEMENT_TOO_MANY_REPEATS", "ZZ108", "A^B^C^D")]
    assert found(["ZZ1*AA*******A^ELEVENCHARS"]) == [("ELEMENT_TOO_LONG", "ZZ108", "ELEVENCHARS")]
    # a non-repeating element holding the repetition separator repeats too often
    assert found(["ZZ1*AA^BB"]) == [("ELEMENT_TOO_MANY_REPEATS", "ZZ101", "AA^BB")]
    # without a repetition separator (ISA11 U) the character is data
    assert found(["ZZ1*AA*******A^B^C^D"], repetition="U") == []


@pytest.mark.parametrize("segment, element", [
    ("NP*A", "NP02"),  # paired: one without the other
    ("NP**B", "NP01"),
    ("NR", "NR01"),  # required: at least one
    ("NE*A**C", "NE03"),  # exclusion: not more than one (reported at the second present)
    ("NC*A*B", "NC03"),  # conditional: 01 present -> 02 and 03 required
    ("NL*A", "NL02"),  # list conditional: 01 present -> at least one of 02, 03
])
def test_syntax_notes_carry_the_x12_ak4_code(segment, element):
    got = [f for f in found(["ZZ1*AA", segment]) if f[0] != "SEGMENT_MANDATORY_MISSING"]
    assert [(code, el) for code, el, _ in got] == [
        ("ELEMENT_EXCLUSION_VIOLATED" if segment.startswith("NE") else "ELEMENT_CONDITIONAL_MISSING", element)]
    kind = segment[1]
    assert ack_code(got[0][0]) == ("AK4", NOTE_AK4[kind])


def test_notes_hold_when_their_condition_is_not_met():
    assert found(["ZZ1*AA", "NE", "NC**B", "NL"]) == []


def test_a_group_is_judged_by_its_own_version_only():
    bad = ["ZZ1*DD"]
    result = read_interchanges(interchange([("009990", bad), ("003050", bad)]))
    found_in = {f.location.gs06 for f in check_structure(result, list(result.transaction_sets()),
                                                         dictionaries=_judge)}
    assert found_in == {"1"}  # the 003050 group has no dictionary here: not judged by another version's


def test_a_simple_element_holding_the_component_separator_is_an_invalid_character():
    assert found(["ZZ1*AA*****1200*KG>1>2*A>B"]) == [("ELEMENT_INVALID_CHARACTER", "ZZ108", "A>B")]


def test_the_component_separator_in_data_is_found_among_many_interchanges():
    # FlatElements.holds passes over the separators each ISA16 carries (one per interchange) and still
    # sees one in a value of any interchange, first, middle or last
    good = interchange([("009990", [GOOD])])
    for k in range(4):
        body = [interchange([("009990", ["ZZ1*AA*****1200*KG>1>2*A>B" if j == k else GOOD])]) for j in range(4)]
        result = read_interchanges(good + b"".join(body) + good)
        found_here = [(f.code, f.location.element, f.location.value)
                      for f in check_structure(result, list(result.transaction_sets()), dictionaries=_judge)]
        assert found_here == [("ELEMENT_INVALID_CHARACTER", "ZZ108", "A>B")]
    result = read_interchanges(good * 6)
    assert check_structure(result, list(result.transaction_sets()), dictionaries=_judge) == []
