"""An 855 never goes out with a value the partner's version cannot hold (versions sweep, tests/fixtures/versions).

vfour's profile says 004010, and its translator sends one 005010 PO: a REF*DP of 40 characters is valid there (005010
REF02 1/50) and not in 004010 (1/30). Its 855 echoes the PO's REF*DP ([acks.po_ack] order_refs): it used to carry
REF02 40 > 30, an 855 the partner's translator refuses (the order unacknowledged). The REF is left out of the 855
(it is optional; every line is still answered) with a warning naming the value (ACK_VALUE_LEFT_OUT)."""

from __future__ import annotations

from datetime import datetime

from tests.retailer_support import on_demo, po_segments, segments
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "versions"
NIGHT = datetime(2026, 11, 27, 2)
LONG_DP = "DEPT-0120-SEASONAL-OUTDOOR-LIVING-2026XX"  # 40 characters


def _night(tmp_path, po_ack: str = 'order_refs = ["DP"]',
           replace: tuple[tuple[str, str], ...] = (("REF*DP*120~", f"REF*DP*{LONG_DP}~"),)):
    from connectors.state import StateStore
    from tests.support import deliver_all, run_stages

    ws = on_demo(FIXTURES, tmp_path / "ws", {"vfour": ["vfour-850-004010-4010001.x12",
                                                       "vfour-850-005010-5010001.x12"]})
    profile = ws.partners_dir / "vfour.toml"
    profile.write_text(profile.read_text() + f"\n[acks.po_ack]\n{po_ack}\n")
    po = ws.drop_root / "vfour" / "inbox" / "vfour-850-005010-5010001.x12"
    text = po.read_text()
    for old, new in replace:
        assert old in text
        text = text.replace(old, new)
    po.write_text(text)
    run_stages(ws, NIGHT)
    deliver_all(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        found = [(f["code"], f["severity"], f["po_number"], f["message"]) for f in state.findings()]
    finally:
        state.close()
    return ws, found


def test_a_ref_longer_than_the_partner_s_version_holds_is_left_out_of_the_855_with_a_warning(tmp_path):
    from rules.outbound import validate_outbound

    assert len(LONG_DP) == 40
    ws, found = _night(tmp_path)
    segs = segments(ws, "vfour", "855")
    long_po = po_segments(segs, "5010001", "BAK")
    assert [s for s in long_po if s[0] == "REF"] == []  # left out, not cut
    assert sum(1 for s in long_po if s[0] == "ACK") == 3  # every line still answered
    assert ["REF", "DP", "120"] in po_segments(segs, "4010001", "BAK")  # a REF that fits is echoed as before
    files = sorted((ws.drop_root / "vfour" / "outbox").glob("vfour-855-*.x12"))
    assert files
    for path in files:  # the partner's translator (our dictionary of 004010) takes every 855
        assert [f.code for f in validate_outbound(path.read_bytes()) if f.severity == "error"] == [], path.name
    [(code, severity, po, message)] = [f for f in found if f[0] == "ACK_VALUE_LEFT_OUT"]
    assert (severity, po) == ("warning", "5010001")
    assert LONG_DP in message and "REF02 holds 30 in 004010" in message


def test_the_left_out_ref_s_warning_names_the_po_s_file_and_set(tmp_path):
    """The failures report's file, ISA13 and ST02 columns of ACK_VALUE_LEFT_OUT are the PO's (they were empty: ops
    could not tell from the report which file's PO went without its reference)."""
    from connectors.state import StateStore

    ws, _found = _night(tmp_path)
    state = StateStore(ws.state_path)
    try:
        [f] = [f for f in state.findings() if f["code"] == "ACK_VALUE_LEFT_OUT"]
        [intake] = [g for g in state.findings() if g["code"] == "VALUE_TOO_LONG_TO_ECHO"]
    finally:
        state.close()
    assert f["file"] == "vfour-850-005010-5010001.x12" and (f["isa13"], f["gs06"], f["st02"]) == \
        (intake["isa13"], intake["gs06"], intake["st02"]) and f["st02"]


def test_a_line_s_own_ref_longer_than_the_partner_s_version_holds_is_left_out_of_its_855(tmp_path):
    """The same for a line's own REF the 855 echoes after its PO1 ([acks.po_ack] line_refs): left out of that line,
    the line answered, the other lines' REFs as sent."""
    from rules.outbound import validate_outbound

    po1 = "PO1*2*1*BX*21**UP*614141101788*VN*VP-1025~"
    ws, found = _night(tmp_path, 'line_refs = ["LI"]', ((po1, f"{po1}\nREF*LI*{LONG_DP}~"), ("SE*14*", "SE*15*")))
    long_po = po_segments(segments(ws, "vfour", "855"), "5010001", "BAK")
    assert [s for s in long_po if s[0] == "REF"] == []
    assert [s[1] for s in long_po if s[0] == "PO1"] == ["1", "2", "3"]
    for path in sorted((ws.drop_root / "vfour" / "outbox").glob("vfour-855-*.x12")):
        assert [f.code for f in validate_outbound(path.read_bytes()) if f.severity == "error"] == [], path.name
    [(code, severity, po, message)] = [f for f in found if f[0] == "ACK_VALUE_LEFT_OUT"]
    assert (severity, po) == ("warning", "5010001") and "line 2's REF*LI" in message


def _intake(text: str, **acks):
    from engine.process import Known, process_file
    from schemas.profile import load_profile

    profile = load_profile(FIXTURES / "partners" / "vfour.toml")
    if acks:
        profile = profile.model_copy(update={"acks": profile.acks.model_copy(update={
            "po_ack": profile.acks.po_ack.model_copy(update=acks)})})
    return process_file(text.encode(), file="po.x12", sha256="s", profile=profile, known=Known(), today=NIGHT.date())


def test_intake_warns_of_a_po_value_our_answers_in_the_profile_s_version_cannot_carry():
    """Night 1, not ship time: the PO is taken (valid as sent), with a warning naming the value, its element and
    the documents that echo it (the 856 and 810 carry vfour's REF*DP; the 855 too when its order_refs ask)."""
    text = (FIXTURES / "drops" / "vfour" / "vfour-850-005010-5010001.x12").read_text()
    out = _intake(text.replace("REF*DP*120~", f"REF*DP*{LONG_DP}~"), order_refs=("DP",))
    assert out.orders["po_number"].to_pylist() == ["5010001"] and out.disposition == "processed"
    [f] = [f for f in out.findings if f.code == "VALUE_TOO_LONG_TO_ECHO"]
    assert (f.severity, f.location.segment_id, f.location.element, f.location.value) == (
        "warning", "REF", "REF02", LONG_DP)
    assert "855/856/810 in 004010" in f.message and "hold 30" in f.message
    fits = _intake(text)  # REF*DP*120: nothing to say
    assert [f.code for f in fits.findings if f.code == "VALUE_TOO_LONG_TO_ECHO"] == []
