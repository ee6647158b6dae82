"""Round 98 of real files: what other companies' translators send that our night had not met.

1. The ISX segment (X12 007040 and later: Interchange Syntax Extension). An optional control segment right after the
   ISA, sent by agreement: ISX01 the release character, ISX02 the character encoding, ISX03/ISX04 an overriding
   version and industry id. A 007040 interchange with one was refused whole: "Segment 'ISX' is outside any
   transaction set" (ISA_STRUCTURE_INVALID), no 997, no order. It is now read as the interchange's (Interchange.syntax);
   anywhere else than right after the ISA it is still refused.
2. The release character it names. X12 007040+: the character after ISX01 is data, never a delimiter, so a name may
   hold the element separator ("PROVIDER DC*HUDSON" sent as PROVIDER DC?*HUDSON) or the terminator. Such a value
   was cut in two (a name read as two elements, a segment id "HUDSON"); now each value is read as the sender
   meant (parsers.x12_reader.released_rows), the release character dropped ("??" is one "?"). Only an ISX that names
   one makes a character a release character: "?" in any other interchange is data as before.
3. A blank ISA11 from 00402 on. ISA11 is the repetition separator there; a translator set to use none writes a
   blank (IBM's Gentran takes it with a warning and processes the data). We took the blank as the repetition
   separator: every value holding a space ("1 WAY", a name) "repeated", an N3 refused the set (ELEMENT_TOO_MANY_REPEATS,
   997 AK5 R) and a name was accepted with errors (AK5 E). A blank, like a letter ('U' in a 005010 ISA), is no
   repetition separator now.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.process import Known, process_file
from parsers.x12_reader import read_interchanges
from schemas.profile import load_profiles
from tests.retailer_support import (
    all_sent_accepted,
    maps,  # noqa: F401 (a fixture)
    on_demo,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import GOOD_PO, REPO
from tests.test_rg97_inbound_variations import answered_shipped_and_invoiced, mainframe_fixtures

RG96 = REPO / "tests" / "fixtures" / "rg96"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 30, 15)
ACME = load_profiles(REPO / "partners")["acme"]
TODAY = date(2026, 11, 27)


def po_7040(body: list[str], *, isx: str | None = "ISX*?", isa12: str = "00704", gs08: str = "007040") -> bytes:
    """ACME's one-PO interchange around ``body`` in X12 007040 (ISA11 '^'), with ``isx`` (None: no ISX) after its
    ISA."""
    text = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*1200*^*"
            f"{isa12}*000000001*0*P*>~\n" + (isx + "~\n" if isx is not None else "")
            + f"GS*PO*ACMERETAIL*ORDERBRIDGE*20261127*1200*1*X*{gs08}~\nST*850*0001~\n"
            + "".join(s + "~\n" for s in body) + f"SE*{len(body) + 2}*0001~\nGE*1*1~\nIEA*1*000000001~\n")
    return text.encode()


def _taken(data: bytes):
    return process_file(data, file="f.x12", sha256="s", profile=ACME, known=Known(), today=TODAY)


def _ack(out) -> list[list[str]]:
    (doc,) = [d for d in out.documents if d.doc_type == "997"]
    return [list(s) for body in doc.bodies for s in body]


@pytest.mark.parametrize("isx", ["ISX*?", "ISX*?*U8", "ISX**U8", "ISX", "ISX*?*U8*007040*VICS"])
def test_a_7040_po_with_its_isx_is_taken_with_a_997_accepting_it(isx):
    out = _taken(po_7040(GOOD_PO, isx=isx))
    assert out.findings == [] and out.disposition == "processed"
    assert out.orders.column("po_number").to_pylist() == ["PO-1"] and out.lines.num_rows == 2
    assert _ack(out) == [["AK1", "PO", "1"], ["AK2", "850", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
    (ic,) = out.parse.interchanges
    assert ic.syntax == isx.split("*")[1:]


def test_before_the_fix_the_isx_refused_the_interchange():
    """What an ISX did (the reader as before: ISX not one of its envelope ids): the proof the test above is no test of
    nothing."""
    from unittest import mock

    import parsers.x12_reader as reader
    with mock.patch.object(reader, "RUN_ENVELOPE", (*reader.ENVELOPE_IDS, "TA1")):
        result = read_interchanges(po_7040(GOOD_PO), file="f")
    assert ("ISA_STRUCTURE_INVALID", "Segment 'ISX' is outside any transaction set.") in [
        (f.code, f.message) for f in result.findings]


@pytest.mark.parametrize("where", ["after GS", "second", "bad release"])
def test_an_isx_anywhere_else_or_naming_no_release_character_is_still_refused(where):
    """Right after the ISA and once: elsewhere outside a set it is a stray envelope segment, and an ISX01 that cannot
    be a release character (a letter, a delimiter) leaves no way to read the values as sent (TA1 R)."""
    data = po_7040(GOOD_PO, isx={"after GS": None, "second": "ISX*?", "bad release": "ISX*>"}[where])
    if where == "after GS":
        data = data.replace(b"*007040~\n", b"*007040~\nISX*?~\n")
    if where == "second":
        data = data.replace(b"ISX*?~\n", b"ISX*?~\nISX*!~\n")
    out = _taken(data)
    assert [f.code for f in out.findings] == ["ISA_STRUCTURE_INVALID"]
    assert out.findings[0].location.segment_id == "ISX" and out.orders.num_rows == 0
    assert [d.ta1 for d in out.documents] == [("TA1", "000000001", "261127", "1200", "R", "022")]


def test_an_isx_inside_a_set_is_judged_by_the_sets_rules_as_before():
    body = [*GOOD_PO[:2], "ISX*?", *GOOD_PO[2:]]
    out = _taken(po_7040(body, isx=None, isa12="00401", gs08="004010"))
    assert [(f.code, f.message) for f in out.findings] == [
        ("SEGMENT_NOT_IN_SET", "ISX is not defined in the 004010 850.")]


def test_released_delimiters_are_data():
    """A name holding the element separator, an address holding the terminator, a release character doubled: each
    value as the sender meant, and the set's segments counted as its SE01 counts them."""
    body = [*GOOD_PO[:3], "N1*ST*DC?*7 STAR?~ALLIANCE*92*DC07", "N3*1 WAY??", *GOOD_PO[5:]]
    out = _taken(po_7040(body))
    assert out.findings == [] and out.orders.num_rows == 1
    assert out.orders.column("ship_to_name").to_pylist() == ["DC*7 STAR~ALLIANCE"]
    assert out.orders.column("ship_to_address1").to_pylist() == ["1 WAY?"]
    rows = out.parse.segments.elements.to_pylist()
    assert ["N1", "ST", "DC*7 STAR~ALLIANCE", "92", "DC07"] in rows and ["ISX", "?"] in rows
    assert _ack(out)[2] == ["AK5", "A"]


def test_before_the_fix_a_released_separator_cut_the_value():
    """The rows as they were cut before the release character was read: the name in two, a segment 'ALLIANCE'."""
    from unittest import mock

    import parsers.x12_reader as reader
    body = [*GOOD_PO[:3], "N1*ST*DC?*7 STAR?~ALLIANCE*92*DC07", *GOOD_PO[4:]]
    with mock.patch.object(reader, "released_rows", lambda rows, d: None):
        result = read_interchanges(po_7040(body), file="f")
    rows = result.segments.elements.to_pylist()
    assert ["N1", "ST", "DC?", "7 STAR?"] in rows and ["ALLIANCE", "92", "DC07"] in rows


def test_without_an_isx_naming_it_a_question_mark_is_data():
    body = [*GOOD_PO[:3], "N1*ST*DC 7?*92*DC07", *GOOD_PO[4:]]
    for data in (po_7040(body, isx=None), po_7040(body, isx="ISX**U8"), po_7040(body, isx="ISX*!")):
        out = _taken(data)
        assert out.findings == [] and out.orders.column("ship_to_name").to_pylist() == ["DC 7?"]


def test_each_interchange_has_its_own_release_character():
    """Two interchanges in one file: the first names '?', the second '!'; a '?' in the second is data."""
    first = po_7040([*GOOD_PO[:3], "N1*ST*A?*B*92*DC07", *GOOD_PO[4:]]).decode()
    second = po_7040([GOOD_PO[0].replace("PO-1", "PO-2"), *GOOD_PO[1:3], "N1*ST*C?!*D*92*DC07", *GOOD_PO[4:]],
                     isx="ISX*!").decode().replace("000000001", "000000002")
    out = _taken((first + second).encode())
    assert out.findings == []
    assert out.orders.column("ship_to_name").to_pylist() == ["A*B", "C?*D"]


def mainframe_po_7040() -> str:
    """rg96's mainframe buyer PO (that file is EBCDIC) as its buyer's newer translator sends it: X12 007040, an ISX
    naming '?' the release character, the ship-to's name holding the element separator, its address the terminator
    and a '?' of its own."""
    text = (RG96 / "drops" / "mainframe" / "mainframe-850-MF9600601.x12").read_bytes().decode("cp037")
    text = text.replace("\n", "").replace("*U*00401*", "*^*00704*").replace("*X*004010~", "*X*007040~")
    text = text.replace("*P*>~", "*P*>~ISX*?~", 1)
    text = text.replace("N1*ST*PROVIDER DC*", "N1*ST*PROVIDER DC?*HUDSON*").replace(
        "N3*5555 DARROW RD~", "N3*5555 DARROW RD?~DOCK 4??~")
    return text.replace("~", "~\n")




@pytest.fixture(scope="module", params=["whole", "pieces", "batches"])
def isx_night(request, tmp_path_factory):
    """The 007040 PO with its ISX and released delimiters taken whole, in pieces (a file over STREAM_BYTES) or its
    interchange in batches of sets (over SPLIT_BYTES); shipped by the east DC and invoiced."""
    from flows import intake as intake_flow

    tmp = tmp_path_factory.mktemp(f"rg98-isx-{request.param}")
    fixtures = mainframe_fixtures(tmp, mainframe_po_7040().encode(), "MF.PO.D261127.DAT", "rg98")
    with pytest.MonkeyPatch.context() as mp:
        if request.param != "whole":
            mp.setattr(intake_flow, "STREAM_BYTES", 0)
        if request.param == "batches":
            mp.setattr(intake_flow, "SPLIT_BYTES", 0)
        return shipped_night(on_demo(fixtures, tmp / "ws"), fixtures, NIGHT, SHIP_DAY)


def test_the_7040_po_is_acknowledged_shipped_and_invoiced(isx_night):
    ws = isx_night[0]
    answered_shipped_and_invoiced(*isx_night)
    inv = po_segments(segments(ws, "mainframe", "810"), "MF9600601", "BIG")
    # the ship-to as the buyer wrote it, its released '*' and '~' data, echoed by the 856 and the 810
    asn = po_segments(segments(ws, "mainframe", "856"), "RG96-SHP-11", "BSN")
    for doc in (asn, inv):
        assert ["N1", "ST", "PROVIDER DC*HUDSON", "92", "0960"] in doc and ["N3", "5555 DARROW RD~DOCK 4?"] in doc


def test_what_was_sent_back_passes_our_validator_bots_and_pyx12(isx_night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(isx_night[0], ["mainframe"], tmp_path, maps, shipments=1, answers=1)


def po_blank_isa11(body: list[str], isa12: str = "00501", gs08: str = "005010") -> bytes:
    return po_7040(body, isx=None, isa12=isa12, gs08=gs08).replace(f"*^*{isa12}*".encode(), f"* *{isa12}*".encode())


SPACED = [*GOOD_PO[:3], "N1*ST*ULINE USA DC 7*92*DC07", "N3*1 WAY", *GOOD_PO[5:7], "PID*F****BLUE WIDGET", *GOOD_PO[8:]]


@pytest.mark.parametrize("isa12,gs08", [("00402", "004020"), ("00501", "005010"), ("00601", "006010"),
                                        ("00704", "007040")])
def test_a_blank_isa11_is_no_repetition_separator(isa12, gs08):
    data = po_blank_isa11(SPACED, isa12, gs08)
    assert data[82:83] == b" " and data[84:89] == isa12.encode()
    out = _taken(data)
    assert out.findings == [] and out.orders.column("ship_to_name").to_pylist() == ["ULINE USA DC 7"]
    assert out.orders.column("ship_to_address1").to_pylist() == ["1 WAY"]
    assert _ack(out)[2] == ["AK5", "A"]
    assert out.parse.interchanges[0].delimiters.repetition == ""


def test_a_repetition_separator_still_separates():
    """'^' in ISA11 (005010) is the repetition separator: a name holding it repeats (accepted with errors, as
    before); before the fix a blank did the same to every value holding a space."""
    body = [*GOOD_PO[:3], "N1*ST*ULINE^DC 7*92*DC07", *GOOD_PO[4:]]
    out = _taken(po_7040(body, isx=None, isa12="00501", gs08="005010"))
    assert [f.code for f in out.findings] == ["ELEMENT_REPEATS_ACCEPTED"]
    assert out.parse.interchanges[0].delimiters.repetition == "^"


def mainframe_po_blank_isa11() -> str:
    """rg96's mainframe buyer PO as a 005010 translator set to use no repetition separator writes it (ISA11 blank)."""
    text = (RG96 / "drops" / "mainframe" / "mainframe-850-MF9600601.x12").read_bytes().decode("cp037")
    return text.replace("*U*00401*", "* *00501*").replace("*X*004010~", "*X*005010~")


@pytest.fixture(scope="module")
def blank_isa11_night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rg98-blank-isa11")
    fixtures = mainframe_fixtures(tmp, mainframe_po_blank_isa11().encode(), "MF.PO.D261127.DAT", "rg98")
    return shipped_night(on_demo(fixtures, tmp / "ws"), fixtures, NIGHT, SHIP_DAY)


def test_the_blank_isa11_po_is_acknowledged_shipped_and_invoiced(blank_isa11_night, tmp_path, maps):  # noqa: F811
    ws, found, states = blank_isa11_night
    assert states == {("mainframe", "MF9600601"): "invoiced"}
    assert {c for c, _s, _po in found} <= {"ASN_LATE"}, found
    assert [s for s in segments(ws, "mainframe", "997") if s[0] in ("AK2", "AK5")] == [
        ["AK2", "850", "0001"], ["AK5", "A"]]
    inv = po_segments(segments(ws, "mainframe", "810"), "MF9600601", "BIG")
    assert ["N1", "ST", "PROVIDER DC", "92", "0960"] in inv and ["N3", "5555 DARROW RD"] in inv
    all_sent_accepted(ws, ["mainframe"], tmp_path, maps, shipments=1, answers=1)


def test_inspect_json_names_the_release_character(tmp_path):
    from tests.retailer_support import inspected

    path = tmp_path / "po.x12"
    path.write_bytes(po_7040([*GOOD_PO[:3], "N1*ST*DC?*7*92*DC07", *GOOD_PO[4:]]))
    seen = inspected(path, ())
    assert seen["interchanges"][0]["delimiters"] == {"element": "*", "component": ">", "repetition": "^",
                                                     "segment": "~", "release": "?"}
    assert seen["orders"][0]["ship_to_name"] == "DC*7"


def test_a_partners_997_with_an_isx_is_read_as_without():
    """A 007040 partner's 997 for our 856 with an ISX: the same acknowledgment (only its segments' ordinals move)."""
    isa = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*1200*^*00704*000000007*0*P*"
           ">~\n")
    body = ("GS*FA*ACMERETAIL*ORDERBRIDGE*20261127*1200*7*X*007040~\nST*997*0001~\nAK1*SH*12*007040~\nAK2*856*0012~\n"
            "AK5*A~\nAK9*A*1*1*1~\nSE*6*0001~\nGE*1*7~\nIEA*1*000000007~\n")
    read = [process_file((isa + isx + body).encode(), file="f.x12", sha256="s", profile=ACME, known=Known(),
                         today=TODAY) for isx in ("", "ISX*?~\n")]
    assert [out.findings for out in read] == [[], []]
    rows = [out.functional_acks.drop_columns(["file_segment"]).to_pylist() for out in read]
    assert rows[0] == rows[1] and rows[0][0]["acked_st02"] == "0012" and rows[0][0]["set_status"] == "A"


def test_rows_are_read_again_only_where_an_isx_names_a_release_character():
    """A run whose text merely holds "ISX*" (a description), or whose ISX names none, keeps the rows as cut (no
    Python lists made of a big file's rows); one naming '?' is read again."""
    from parsers.x12_reader import released_rows

    for data in (po_7040([*GOOD_PO[:7], "PID*F****WIDGET ISX*2", *GOOD_PO[8:]], isx=None),
                 po_7040(GOOD_PO, isx="ISX**U8")):
        result = read_interchanges(data, file="f")
        assert released_rows(result.segments.elements, result.interchanges[0].delimiters) is None
    result = read_interchanges(po_7040([*GOOD_PO[:3], "N1*ST*A?*B*92*DC07", *GOOD_PO[4:]]), file="f")
    assert ["N1", "ST", "A*B", "92", "DC07"] in result.segments.elements.to_pylist()
