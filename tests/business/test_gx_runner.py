import json
from collections import Counter
from decimal import Decimal

import pytest

from rules.business import check_gtin_check_digits, check_items
from rules.gx_runner import load_suite, validate_order_lines
from schemas.rule_settings import RuleSettings

from .tables import line, lines_table


@pytest.mark.slow
def test_gx_runs_once_over_all_files_and_reports_rows_as_findings(ref, tmp_path):
    lines = lines_table(
        line(),  # clean
        line(line_number=2, upc="614141100102", vendor_part="VP-1001"),  # bad check digit, found by VN
        line(line_number=3, upc=None, vendor_part="NOPE"),  # unknown item
        line(
            line_number=1,
            partner="globex",
            source_file="globex_1.x12",
            order_ref="9-9-9",
            upc="614141100590",
            unit="XX",  # not a unit code (BX, a box, is one since issue 8)
            quantity=Decimal(0),
            unit_price=None,
        ),  # discontinued, bad unit, qty 0, no price
    )
    result = validate_order_lines(lines, ref, RuleSettings(), suite=load_suite(), docs_dir=tmp_path / "docs")
    assert not result.success and result.evaluated_expectations == 7
    got = sorted(
        (f.code, f.location.file, f.location.line_number, f.location.element, f.location.value)
        for f in result.findings
    )
    assert got == sorted(
        [
            ("GTIN_CHECK_DIGIT_INVALID", "acme_850_1.x12", 2, "PO107", "614141100102"),
            ("ITEM_UNKNOWN", "acme_850_1.x12", 3, "PO107", "NOPE"),
            ("ITEM_DISCONTINUED", "globex_1.x12", 1, "PO107", "614141100590"),
            ("UNIT_UNKNOWN", "globex_1.x12", 1, "PO103", "XX"),
            ("QTY_NOT_POSITIVE", "globex_1.x12", 1, "PO102", "0"),
            ("PRICE_MISSING", "globex_1.x12", 1, "PO104", None),
        ]
    )
    loc = next(f.location for f in result.findings if f.code == "UNIT_UNKNOWN")
    assert (loc.isa13, loc.gs06, loc.st02, loc.segment_position, loc.file_segment, loc.segment_id) == (
        "000000101",
        "1",
        "0001",
        12,
        14,
        "PO1",
    )
    # same shape as the pure rules for the codes both produce
    pure = {(f.code, f.location) for f in check_gtin_check_digits(lines) + check_items(lines, ref)}
    assert {(f.code, f.location) for f in result.findings if f.code in {c for c, _ in pure}} == pure
    # the results as data for our own summary page (GX's Data Docs need CDNs: blank offline)
    assert result.docs_error is None and result.docs_index == tmp_path / "docs" / "validation.json"
    outcomes = json.loads(result.docs_index.read_text())
    assert len(outcomes) == 7 and all(o["evaluated"] == 4 for o in outcomes)
    failed = {o["code"]: o["unexpected"] for o in outcomes if not o["success"]}
    assert failed == dict(Counter(f.code for f in result.findings))
    assert all(o["examples"] for o in outcomes if not o["success"]) and not any(o["error"] for o in outcomes)
    assert not list((tmp_path / "docs").glob("**/*.html"))
