"""An allowance's or charge's description too long is accepted with errors noted (rules.lenient: the 850/860's SAC15,
AN 1/80; the grocer's 875/876 G7301, AN 1/45): it is kept with its SAC and shown, never acted on, and every
document of ours that carries it back writes it cut to its element (the 855's, 865's and 810's SAC15 at 80:
engine.po_ack.ack_sac, engine.invoice_po_sacs.sac_segment; an 880's G73 at 45: engine.invoice_880). It used to
refuse the whole order (997 AK5 R). The SAC's code, amount, handling and deal number, and the G72 they come from,
still refuse.

Real nights: Kroger's 850 (rg85) with its off-invoice F800 allowance described in 95 characters, shipped and invoiced
(the 810's SAC15 cut to 80, passing our validator, Bots and pyx12); Stater Bros.' 876 (rg33's grocery allowances)
whose A260 advertising allowance is described by a G73 of 60, invoiced with it whole in SAC15."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from engine.process import Known, process_file
from tests.retailer_support import maps, po_segments, segments, shipped_day  # noqa: F401 (maps: a fixture)
from tests.test_element_errors_accepted_grocery import PO_875, _notes, _outcome, _swapped
from tests.test_rg85_outbound_compliance import _variant

DESCRIBED_95 = "KROGER HOLIDAY FEATURE " + "ENDCAP DISPLAY AND CIRCULAR AD " * 2 + "WEEK 48 " + "X" * 2  # SAC15 1/80
DESCRIBED_56 = "FALL AD FEATURE IN-STORE CIRCULAR AND ENDCAP WEEK 48 XYZ"  # G7301 1/45
assert len(DESCRIBED_95) == 95 and len(DESCRIBED_56) == 56
KROGER_SAC = "SAC*A*F800***2000*******02~"


def _kroger_850(*swaps: tuple[str, str]) -> bytes:
    from tests.test_rg85_outbound_compliance import FIXTURES

    text = (FIXTURES / "drops" / "kroger" / "KR850_KR8500401.x12").read_text()
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


def _kroger(data: bytes):
    from schemas.profile import load_profile
    from tests.test_rg85_outbound_compliance import FIXTURES

    profile = load_profile(FIXTURES / "partners" / "kroger.toml")
    return process_file(data, file="f.x12", sha256="s", profile=profile, known=Known(), today=date(2026, 11, 24))


def test_an_850_s_allowance_description_too_long_is_noted_and_kept():
    out = _kroger(_kroger_850((KROGER_SAC, f"SAC*A*F800***2000*******02***{DESCRIBED_95}~")))
    assert _notes(out) == [("AK3", "SAC", "7", "", "8"), ("AK4", "15", "352", "5", DESCRIBED_95), ("AK5", "E", "5"),
                           ("AK9", "E", "1", "1", "1")]
    assert [r["description"] for r in out.sacs.to_pylist()] == [DESCRIBED_95]  # kept as received
    [noted] = [f for f in out.findings if f.code == "ELEMENT_TOO_LONG_ACCEPTED"]
    assert noted.severity == "warning" and noted.location.element == "SAC15"
    assert "an allowance's or charge's description" in noted.message and "SAC15 cut to its 80" in noted.message


@pytest.mark.parametrize(("sac", "element"), [
    (f"SAC*A*F800***2000*******02***{DESCRIBED_95[:40]}\x07~", "SAC15"),  # a control character: a lost terminator?
    ("SAC*A*F800***200000000000000000*******02~", "SAC05"),  # the amount the 810 takes off
    ("SAC*A*F800X***2000*******02~", "SAC02"),  # the allowance's code
    ("SAC*A*F800***2000*******02*" + "D" * 31 + "~", "SAC13"),  # the deal number (127, 1/30)
])
def test_what_the_allowance_is_still_refuses(sac, element):
    out = _kroger(_kroger_850((KROGER_SAC, sac)))
    assert ("AK5", "R", "5") in _notes(out), _notes(out)
    assert element in {f.location.element for f in out.findings if f.severity == "error"}


def test_an_875_s_allowance_description_too_long_is_noted_and_kept():
    data = _swapped(PO_875, ("G68*40*", f"G72*100*02*AD-88*****1000~\nG73*{DESCRIBED_56}~\nG68*40*"), added=2)
    out = _outcome(data)
    # AK402 369: G7301 is X12 element 369 (Free-form Description, AN 1/45)
    assert _notes(out) == [("AK3", "G73", "7", "", "8"), ("AK4", "1", "369", "5", DESCRIBED_56), ("AK5", "E", "5"),
                           ("AK9", "E", "1", "1", "1")]
    assert [r["description"] for r in out.sacs.to_pylist()] == [DESCRIBED_56]
    [noted] = [f for f in out.findings if f.code == "ELEMENT_TOO_LONG_ACCEPTED"]
    assert "Kept as received (56 characters, not cut)" in noted.message
    assert "an 880 in its G73 cut to its 45" in noted.message


def test_a_g73_past_its_sac15_says_it_is_kept_to_80():
    long = "D" * 90
    out = _outcome(_swapped(PO_875, ("G68*40*", f"G72*100*02*AD-88*****1000~\nG73*{long}~\nG68*40*"), added=2))
    assert ("AK5", "E", "5") in _notes(out)
    assert [r["description"] for r in out.sacs.to_pylist()] == ["D" * 80]
    [noted] = [f for f in out.findings if f.code == "ELEMENT_TOO_LONG_ACCEPTED"]
    assert "Kept as its SAC15 holds it: its first 80 of 90 characters" in noted.message


def test_a_g72_still_refuses():
    """G7203 (the deal number, 1/16) is what the 855 states and a deal is matched by."""
    out = _outcome(_swapped(PO_875, ("G68*40*", f"G72*100*02*{'A' * 17}*****1000~\nG68*40*"), added=1))
    assert ("AK5", "R", "5") in _notes(out)


def test_an_880_writes_a_long_description_cut_to_its_g73():
    from engine.invoice_880 import _g72

    sac = ["SAC", "A", "A260", "", "", "1000", "", "", "", "", "", "", "02", "AD-88", "", DESCRIBED_95[:80]]
    assert _g72(sac, {})[1] == ["G73", DESCRIBED_95[:45]]


# --- real nights ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def kroger(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lenient3-kroger")
    return _variant("kroger", "KR8500401", tmp, [(KROGER_SAC, f"SAC*A*F800***2000*******02***{DESCRIBED_95}~")])


def test_the_night_s_997_notes_the_description_and_the_po_is_invoiced(kroger):
    ws, found, states = kroger
    assert states == {("kroger", "KR8500401"): "invoiced"}, found
    acks = [tuple(s) for s in segments(ws, "kroger", "997")]
    assert ("AK4", "15", "352", "5", DESCRIBED_95) in acks and ("AK5", "E", "5") in acks
    assert sorted({c for c, s, _po, _m in found if s == "error"}) == []
    [noted] = [m for c, _s, _po, m in found if c == "ELEMENT_TOO_LONG_ACCEPTED"]
    assert "SAC15" in noted


def test_the_810_takes_the_allowance_off_with_its_description_cut_to_80(kroger, tmp_path, maps):  # noqa: F811
    from rules.outbound import validate_outbound
    from tests.test_mark_for import accepted

    ws, _found, _states = kroger
    inv = po_segments(segments(ws, "kroger", "810"), "KR8500401", "BIG")
    [sac] = [s for s in inv if s[0] == "SAC"]
    assert sac == ["SAC", "A", "F800", "", "", "2000", "", "", "", "", "", "", "02", "", "", DESCRIBED_95[:80]]
    assert ["TDS", "60100"] in inv  # 216.00 + 405.00 - 20.00, as without the description
    [path] = sorted((ws.drop_root / "kroger" / "outbox").glob("kroger-810-*.x12"))
    assert [f for f in validate_outbound(path.read_bytes()) if f.severity == "error"] == []
    accepted(path.read_bytes(), tmp_path, maps)  # our reader, Bots and pyx12


@pytest.fixture(scope="module")
def stater(tmp_path_factory):
    from tests.test_grocery_876 import SHIP_DAY, _two_nights
    from tests.test_grocery_876_allowances import ALLOWANCES

    tmp = tmp_path_factory.mktemp("lenient3-g73")
    change = tmp / ALLOWANCES.name
    text = ALLOWANCES.read_text()
    assert "G73*FALL AD FEATURE~" in text
    change.write_text(text.replace("G73*FALL AD FEATURE~", f"G73*{DESCRIBED_56}~"))
    ws, fixtures = _two_nights(tmp / "n", change)
    yield shipped_day(ws, fixtures, SHIP_DAY, messages=True)
    shutil.rmtree(tmp, ignore_errors=True)


def test_the_876_is_noted_applied_and_its_description_invoiced_whole(stater, tmp_path, maps):  # noqa: F811
    from tests.test_grocery_876_allowances import HEADING_SAC, LINE_SAC
    from tests.test_mark_for import accepted

    ws, found, _states = stater
    acks = [tuple(s) for s in segments(ws, "staterbros", "997")]
    assert ("AK2", "876", "0001") in acks and ("AK4", "1", "369", "5", DESCRIBED_56) in acks
    assert ("AK5", "E", "5") in acks
    assert [c for c, _s, po, _m in found if c == "ELEMENT_TOO_LONG_ACCEPTED"] == ["ELEMENT_TOO_LONG_ACCEPTED"]
    inv = po_segments(segments(ws, "staterbros", "810"), "SB4410027", "BIG")
    assert [s for s in inv if s[0] == "SAC"] == [LINE_SAC, [*HEADING_SAC[:15], DESCRIBED_56]]
    [path] = sorted((ws.drop_root / "staterbros" / "outbox").glob("staterbros-810-*.x12"))
    accepted(path.read_bytes(), tmp_path, maps)
