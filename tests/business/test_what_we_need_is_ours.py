"""Two layers of strictness: what X12 allows is accepted in the 997; what we need to act on an order
(a quantity, a purpose we act on) is a business finding with our own code, on the line or the order."""

from __future__ import annotations

from engine.decide import PENDING, decide
from engine.process import Known, process_file
from rules.suite import run_suite
from schemas.profile import load_profiles
from schemas.rule_settings import RuleSettings
from tests.business.tables import TODAY, reference
from tests.support import GOOD_PO, REPO, x12_850

PROFILES = load_profiles(REPO / "partners")


def intake(body: list[str]):
    out = process_file(x12_850(body), file="t.x12", sha256="sha", profile=PROFILES["acme"], known=Known(),
                       today=TODAY)
    return out


def decisions(out):
    ref = reference()
    result = run_suite(out.orders, out.lines, ref, RuleSettings(), today=TODAY, use_gx=False)
    return result.findings, decide(out.orders, result.lines, result.findings, ref, RuleSettings())


def test_a_po1_without_quantity_unit_or_price_is_valid_x12_and_a_rejected_line():
    body = GOOD_PO[:6] + ["PO1*1*****UP*614141100101", "PO1*2*6*EA*19.70*PE*UP*614141100101", "CTT*2"]
    out = intake(body)
    assert out.error_count == 0 and out.orders.num_rows == 1  # the 997 accepts it: X12 allows it
    findings, [decision] = decisions(out)
    first = {f.code for f in findings if f.location.line_number == 1}
    assert "QTY_NOT_POSITIVE" in first
    assert [(ld.line_number, ld.ack01) for ld in decision.lines][0] == (1, "IR")
    assert "PO102" in decision.lines[0].reason
    assert "QTY_NOT_POSITIVE" not in {f.code for f in findings if f.location.line_number == 2}


def test_a_quantity_without_its_unit_breaks_x12_c0302():
    body = GOOD_PO[:6] + ["PO1*1*12**19.70*PE*UP*614141100101", "CTT*1"]
    assert intake(body).error_count == 0  # PO102 without PO103 is allowed (C0302 runs the other way)
    body = GOOD_PO[:6] + ["PO1*1**EA*19.70*PE*UP*614141100101", "CTT*1"]
    out = intake(body)
    assert [(f.code, f.location.element) for f in out.findings if f.severity == "error"] == [
        ("ELEMENT_CONDITIONAL_MISSING", "PO102")]  # PO103 present requires PO102: the standard says so


def test_a_purpose_we_do_not_act_on_holds_the_order_with_a_clear_finding():
    out = intake(["BEG*22*SA*PO-1**20261126"] + GOOD_PO[1:])
    assert out.error_count == 0 and out.orders.num_rows == 1  # 997 A: 22 (information copy) is valid X12
    findings, [decision] = decisions(out)
    [purpose] = [f for f in findings if f.code == "ORDER_PURPOSE_UNSUPPORTED"]
    assert purpose.location.element == "BEG01" and purpose.location.value == "22" and "22" in purpose.message
    assert decision.status == PENDING


def test_the_purposes_we_act_on_raise_nothing():
    for purpose in ("00", "05", "06", "07"):
        findings, _ = decisions(intake([f"BEG*{purpose}*SA*PO-1**20261126"] + GOOD_PO[1:]))
        assert "ORDER_PURPOSE_UNSUPPORTED" not in {f.code for f in findings}
