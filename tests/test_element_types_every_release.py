"""The data types of an order's elements are checked in every release we read (s69 qtycheck, left by x12real2).

A group in a release we hold no dictionary for (002xxx, 003010-003070, 004020-004060, 005020-008030) was judged by
what every held dictionary reports alike, and that left the elements' types out: a non-numeric PO102 (quantity) or
PO104 (price), or a BEG05 that is no date, passed with no finding, the line taken with an empty quantity and the 997
saying AK5 A, while the same set in 004010 is refused with AK4 6/8. X12's element types for what an order is made of
(PO1, BEG, DTM, CTT ...: N0, R, ID, AN, DT, TM) are the same kind from version 2 to 008030, so they are now judged in
every release (rules.structure.COMMON_CODES); a date by its own width's rule (YYMMDD before 004010, CCYYMMDD after:
a valid date of either form passes in a release we hold no dictionary for).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from engine.process import Known, process_file
from schemas.profile import load_profile
from tests.support import REPO
from tests.test_version2_and_envelope_edges import acme_po, rendered_997, taken

FIXTURES = REPO / "tests" / "fixtures" / "versions"
TODAY = date(2026, 11, 27)
POS = sorted(FIXTURES.glob("drops/*/*-850-*.x12"))


def _qty(t: str) -> str:
    return re.sub(r"(PO1\*[^*]*\*)[^*]*", r"\1X", t, count=1)


def _price(t: str) -> str:
    return re.sub(r"(PO1\*[^*]*\*[^*]*\*[^*]*\*)[^*]*", r"\g<1>1.2.3", t, count=1)


def _date(t: str) -> str:  # BEG05's month made 13 (YYMMDD or CCYYMMDD alike)
    return re.sub(r"(BEG\*[^*]*\*[^*]*\*[^*]*\*[^*]*\*)(\d+)(\d\d)(\d\d)",
                  lambda m: m.group(1) + m.group(2) + "13" + m.group(4), t, count=1)


MANGLES = {"qty": (_qty, "ELEMENT_INVALID_CHARACTER", "PO1", "PO102", "X", "6"),
           "price": (_price, "ELEMENT_INVALID_CHARACTER", "PO1", "PO104", "1.2.3", "6"),
           "date": (_date, "ELEMENT_INVALID_DATE", "BEG", "BEG05", None, "8")}


def _run(path: Path, text: str):
    profile = load_profile(FIXTURES / "partners" / f"{path.parent.name}.toml")
    return process_file(text.encode(), file=path.name, sha256="s", profile=profile, known=Known(), today=TODAY)


def test_the_sweep_covers_every_release_from_003010_to_008030():
    releases = {p.stem.split("-")[2] for p in POS}
    assert {"003010", "003040", "003070", "004010", "004030", "005010", "006020", "008030"} <= releases
    assert len(releases) == 28


@pytest.mark.parametrize("path", POS, ids=lambda p: p.stem)
def test_a_valid_po_of_every_release_has_no_type_finding(path):
    """No check stricter than the release: its YYMMDD (003xxx) or CCYYMMDD dates, its numbers, pass."""
    out = _run(path, path.read_text())
    assert [f.code for f in out.findings if f.severity == "error"] == []
    assert out.orders.num_rows == 1 and out.lines.num_rows == 3


@pytest.mark.parametrize("what", sorted(MANGLES))
@pytest.mark.parametrize("path", POS, ids=lambda p: p.stem)
def test_a_bad_quantity_price_or_date_is_refused_in_every_release(path, what):
    mangle, code, seg, element, value, ak403 = MANGLES[what]
    text = mangle(path.read_text())
    assert text != path.read_text()
    out = _run(path, text)
    errors = [f for f in out.findings if f.severity == "error"]
    assert [(f.code, f.location.segment_id, f.location.element) for f in errors] == [(code, seg, element)]
    loc = errors[0].location
    assert loc.st02 == "0001" and loc.gs06 and loc.segment_position is not None
    if value is not None:
        assert loc.value == value
    # the set is refused: its 997 names the segment and element, no order (and no line without quantity) is taken
    [doc] = [d for d in out.documents if d.doc_type == "997"]
    body = doc.bodies[0]
    ak3 = [s for s in body if s[0] == "AK3"]
    ak4 = [s for s in body if s[0] == "AK4"]
    assert [s[1] for s in ak3] == [seg] and str(ak3[0][2]) == str(loc.segment_position)
    assert len(ak4) == 1 and ak4[0][3] == ak403
    assert [s[1] for s in body if s[0] == "AK5"] == ["R"]
    assert out.orders.num_rows == 0 and out.lines.num_rows == 0 and out.accepted_orders == []


def test_before_the_change_a_003040_po_with_a_bad_quantity_was_accepted(monkeypatch):
    """The undo test: with COMMON_CODES as it was, the 003040 PO's PO102 'X' passes and its line has no quantity."""
    import rules.structure as structure

    monkeypatch.setattr(structure, "COMMON_CODES", structure.COMMON_CODES - {
        "ELEMENT_INVALID_CHARACTER", "ELEMENT_INVALID_DATE", "ELEMENT_INVALID_TIME"})
    path = FIXTURES / "drops" / "vold" / "vold-850-003040-3040001.x12"
    out = _run(path, _qty(path.read_text()))
    assert [f for f in out.findings if f.severity == "error"] == []
    assert out.lines.column("quantity").to_pylist()[0] is None


@pytest.mark.parametrize("gs08,isa12", [("002001", "00200"), ("002002FORD", "00200"), ("002040", "00204")])
def test_a_version_2_po_with_a_bad_quantity_is_refused_in_its_own_release(gs08, isa12):
    """x12real2's case: PO1*1*X*EA in a 002002FORD PO. Its 997, in 002002FORD, says AK4 2 (one number before 003050)
    6, AK5 R; no order is taken."""
    from parsers.x12_reader import read_interchanges
    from tests.support import GOOD_PO

    body = [s.replace("PO1*1*12*", "PO1*1*X*") for s in GOOD_PO]
    out = taken(acme_po(body, gs08=gs08, isa12=isa12))
    assert [(f.code, f.location.element, f.location.value) for f in out.findings] == [
        ("ELEMENT_INVALID_CHARACTER", "PO102", "X")]
    assert out.orders.num_rows == 0 and out.lines.num_rows == 0
    segs = read_interchanges(rendered_997(out), file="997").segments.elements.to_pylist()
    assert segs[1][8] == gs08
    assert [s for s in segs if s[0] in ("AK3", "AK4", "AK5")] == [
        ["AK3", "PO1", "8", "", "8"], ["AK4", "2", "", "6", "X"], ["AK5", "R", "5"]]


@pytest.mark.parametrize("beg05", ["261126", "20261126"])
def test_a_version_2_po_dated_either_way_is_taken(beg05):
    """A date valid as YYMMDD or CCYYMMDD passes in a release we hold no dictionary for (its width we do not know);
    one valid as neither is refused."""
    from tests.support import GOOD_PO

    out = taken(acme_po([f"BEG*00*SA*PO-1**{beg05}", *GOOD_PO[1:]]))
    assert out.findings == [] and out.orders.num_rows == 1
    bad = taken(acme_po(["BEG*00*SA*PO-1**261326", *GOOD_PO[1:]]))
    assert [(f.code, f.location.element) for f in bad.findings] == [("ELEMENT_INVALID_DATE", "BEG05")]


# --- a real night ----------------------------------------------------------------------------------------------

def test_a_night_refuses_the_003040_and_006020_pos_with_a_bad_quantity_or_price_and_takes_their_neighbours(
        tmp_path):
    """Through the night's stages: vold's 003040 PO with PO102 'X' and vfive's 006020 PO with PO104 '1.2.3' are
    refused by 997s in their release naming PO1 and its element (AK4 6, AK5 R), no order or 855 is made of them and
    the findings are stored with their X12 location; the same partners' valid 003050 and 006030 POs are taken and
    acknowledged. Before, both were accepted (AK5 A) and their lines held an empty quantity or price."""
    from datetime import datetime

    from tests.retailer_support import findings_and_states, on_demo, segments
    from tests.support import run_stages

    bad = {"vold": ("vold-850-003040-3040001.x12", _qty, "PO102", "X"),
           "vfive": ("vfive-850-006020-6020001.x12", _price, "PO104", "1.2.3")}
    good = {"vold": "vold-850-003050-3050001.x12", "vfive": "vfive-850-006030-6030001.x12"}
    ws = on_demo(FIXTURES, tmp_path / "ws", {p: [bad[p][0], good[p]] for p in bad})
    for partner, (name, mangle, _element, _value) in bad.items():
        path = ws.drop_root / partner / "inbox" / name
        path.write_text(mangle(path.read_text()))
    run_stages(ws, datetime(2026, 11, 27, 2))
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["segment_id"], f["element"],
                                                        f["value"]))
    for partner, (name, _mangle, element, value) in bad.items():
        po = name.split("-")[3].removesuffix(".x12")
        good_po = good[partner].split("-")[3].removesuffix(".x12")
        assert (partner, po) not in states and states[(partner, good_po)] == "acknowledged", partner
        assert ("ELEMENT_INVALID_CHARACTER", "error", "PO1", element, value) in found
        acks = segments(ws, partner, "997")
        gs08 = {s[2]: g[8] for g in acks if g[0] == "GS" for s in acks if s[0] == "AK1"}
        ak = [s for s in acks if s[0] in ("AK2", "AK3", "AK4", "AK5")]
        assert ["AK5", "R", "5"] in ak and ["AK5", "A"] in [s[:2] for s in ak]
        [ak4] = [s for s in ak if s[0] == "AK4"]
        assert ak4[3] == "6" and ak4[-1] == value
        assert any(s[:2] == ["AK3", "PO1"] for s in ak) and len(gs08) == 2
        sent_855 = [s[3] for s in segments(ws, partner, "855") if s[0] == "BAK"]
        assert sent_855 == [good_po], partner
