"""A partner's implementation guide ([x12.guide]): optional profile data beyond the standard, with its
own finding codes and severity. Without a guide, valid X12 is never flagged for these."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.process import Known, process_file
from schemas.profile import PartnerGuide
from tests.support import GOOD_PO, x12_850
from tests.test_acks_and_outputs import PROFILES, render, segments


def with_guide(**guide):
    acme = PROFILES["acme"]
    return acme.model_copy(update={"x12": acme.x12.model_copy(update={"guide": PartnerGuide(**guide)})})


def run(body, profile):
    return process_file(x12_850(body), file="t.x12", sha256="sha", profile=profile, known=Known(), today=None)


PO = GOOD_PO[:8] + ["SDQ*EA*92*S001*12"] + GOOD_PO[8:]  # an SDQ under the first PO1 line (its 12 EA)
# the SDQ's store quantity is not applied: said whether or not a guide is set (tests/test_sdq_destinations.py)
SDQ_NOTE = ("SDQ_NOT_APPLIED", "warning", "SDQ")


def test_without_a_guide_valid_x12_is_accepted():
    out = run(PO, PROFILES["acme"])
    assert [(f.code, f.severity, f.location.segment_id) for f in out.findings] == [SDQ_NOTE]
    assert out.orders.num_rows == 1


def test_a_segment_the_guide_never_sends_is_a_warning_by_default():
    out = run(PO, with_guide(never_sends=("SDQ",)))
    assert [(f.code, f.severity, f.location.segment_id) for f in out.findings] == [
        SDQ_NOTE, ("GUIDE_SEGMENT_UNEXPECTED", "warning", "SDQ")]
    assert out.orders.num_rows == 1 and ["AK5", "A"] in segments(render(out)["997"])


def test_a_code_outside_the_guide_is_reported_with_the_guide_severity():
    out = run(PO, with_guide(codes={"PO103": ("CA",), "BEG02": ("SA", "NE")}, severity="error"))
    got = [(f.code, f.severity, f.location.element, f.location.value) for f in out.findings]
    assert got == [("SDQ_NOT_APPLIED", "warning", "SDQ03", "S001")] + [("GUIDE_CODE_UNEXPECTED", "error", "PO103",
                                                                         "EA")] * 2
    segs = segments(render(out)["997"])
    assert ["AK4", "3", "355", "7", "EA"] in segs and ["AK5", "R", "5"] in segs and out.orders.num_rows == 0


def test_guide_codes_of_a_component():
    body = GOOD_PO[:2] + ["REF*DP*042**VN>V-1"] + GOOD_PO[2:]
    out = run(body, with_guide(codes={"REF04-01": ("ZZ",)}))
    assert [(f.code, f.location.element, f.location.value) for f in out.findings] == [
        ("GUIDE_CODE_UNEXPECTED", "REF04-01", "VN")]


@pytest.mark.parametrize("bad", [{"never_sends": ("sdq",)}, {"codes": {"PO1": ("EA",)}}])
def test_guide_keys_are_checked_when_the_profile_loads(bad):
    with pytest.raises(ValidationError):
        PartnerGuide(**bad)
