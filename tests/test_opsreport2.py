"""What the opsreport round (tests/test_opsreport_at_scale.py) left, on a small night: one bad UPC is one finding
per line, not two (GTIN_CHECK_DIGIT_INVALID, and ITEM_UNKNOWN only where it says something more), the line still
answered IR; intake's progress line says what its count is (a file of 10,000 unknown items is 0 at intake: the
business rules run at decide); failures.csv names each code's hint once, not on each of 30,000 rows."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from tests.support import make_workspace, run_night, write_settled
from tests.test_opsreport_at_scale import acme_850s

NOW = datetime(2026, 11, 27, 2, 0)
BAD_UPC = "614141999997"  # 12 digits whose check digit is wrong: no item has it
POS = (  # (PO, its PO1's ids)
    ("BAD-1", f"UP*{BAD_UPC}"),  # the bad UPC its only id: one cause
    ("BAD-2", f"UP*{BAD_UPC}"),
    ("BAD-AND-VN", f"UP*{BAD_UPC}*VN*NO-SUCH-PART"),  # and a part number that matches nothing: two things to fix
)


def acme_file() -> bytes:
    return acme_850s(60001, POS, 4)


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> dict:
    from connectors.state import StateStore

    ws = make_workspace(tmp_path_factory.mktemp("opsreport2") / "ws", partners=())
    (ws.drop_root / "acme" / "inbox").mkdir(parents=True)
    write_settled(ws.drop_root / "acme" / "inbox" / "acme-bad-upc.x12", acme_file())
    run_id = run_night(ws, NOW)
    folder = ws.reports_dir / run_id
    state = StateStore(ws.state_url)
    try:
        findings = state.findings(run_id=run_id, partner="acme")
        lines = {po: state.order_lines("acme", po) for po, _ in POS}
    finally:
        state.close()
    return {"ws": ws, "run_id": run_id, "folder": folder, "findings": findings, "lines": lines,
            "csv": (folder / "failures.csv").read_bytes().decode("utf-8-sig")}


def test_a_bad_upc_is_one_finding_per_line_and_the_line_is_still_refused(night):
    codes = {po: sorted(f["code"] for f in night["findings"] if f["po_number"] == po and f["code"].startswith(
        ("GTIN", "ITEM"))) for po, _ in POS}
    assert codes["BAD-1"] == codes["BAD-2"] == ["GTIN_CHECK_DIGIT_INVALID"]
    # a line with a part number that matched nothing as well: ITEM_UNKNOWN names it (a second thing to correct)
    assert codes["BAD-AND-VN"] == ["GTIN_CHECK_DIGIT_INVALID", "ITEM_UNKNOWN"]
    unknown = next(f for f in night["findings"] if f["code"] == "ITEM_UNKNOWN")
    assert "NO-SUCH-PART" in unknown["message"] and "not a valid UPC/GTIN/EAN" in unknown["message"]
    # the 855 status as before: each line refused (IR)
    assert {po: [ln.ack for ln in lines] for po, lines in night["lines"].items()} == {po: ["IR"] for po, _ in POS}
    rows = list(csv.DictReader(io.StringIO(night["csv"])))
    assert sorted(r["code"] for r in rows if r["code"].startswith(("GTIN", "ITEM"))) == [
        "GTIN_CHECK_DIGIT_INVALID"] * 3 + ["ITEM_UNKNOWN"]


def test_item_unknown_is_kept_where_the_partner_weighs_it_more_than_a_bad_check_digit():
    """told_once leaves ITEM_UNKNOWN out only where GTIN_CHECK_DIGIT_INVALID refuses the line as strongly under the
    partner's outcomes: a partner holding bad check digits (hold_line) still has the unknown item reject it."""
    import pyarrow as pa

    from rules.suite import told_once
    from schemas.findings import Finding, Location

    where = {"file": "f.x12", "isa13": "1", "gs06": "1", "st02": "0001", "line_number": 1}
    findings = [Finding("GTIN_CHECK_DIGIT_INVALID", "error", "bad", Location(**where, value=BAD_UPC)),
                Finding("ITEM_UNKNOWN", "error", "none", Location(**where, value=BAD_UPC))]
    head = {"partner": ["acme"], "po_number": ["P1"], "source_file": ["f.x12"], "isa13": ["1"], "gs06": ["1"],
            "st02": ["0001"]}
    orders = pa.table(head)
    lines = pa.table({**head, "line_number": pa.array([1], pa.int32()),
                      "product_ids": pa.array([[{"qualifier": "UP", "id": BAD_UPC}]],
                                              pa.list_(pa.struct([("qualifier", pa.string()), ("id", pa.string())])))})
    assert [f.code for f in told_once(findings, orders, lines, {})] == ["GTIN_CHECK_DIGIT_INVALID"]
    assert [f.code for f in told_once(findings, orders, lines, {"acme": {"GTIN_CHECK_DIGIT_INVALID": "hold_line"}})
            ] == ["GTIN_CHECK_DIGIT_INVALID", "ITEM_UNKNOWN"]
    assert [f.code for f in told_once(findings, orders, lines, {"acme": {"ITEM_UNKNOWN": "hold_order"}})
            ] == ["GTIN_CHECK_DIGIT_INVALID", "ITEM_UNKNOWN"]


def test_the_intake_line_says_its_errors_are_the_files_and_envelopes_not_the_business_rules():
    from flows import steps
    from flows.night import _intake_line

    said = _intake_line(steps.PartnerResult(partner="acme", files=1, processed=1, orders=10_000))
    assert said.endswith("0 file/envelope/syntax errors; business rules run at decide"), said


def test_failures_csv_names_each_code_s_hint_once_and_loses_nothing_a_tool_reads(night):
    """failures.csv repeated its code's hint on every row (12 MB for 30,000 rows, half of it hints): the hint is
    in failures-hints.csv once per code (code, findings, hint), joined on code it is failures.parquet's hint."""
    import pyarrow.parquet as pq

    from schemas.reports import FAILURE_COLUMNS

    rows = list(csv.DictReader(io.StringIO(night["csv"])))
    assert rows and "hint" not in rows[0] and list(rows[0]) == [c for c in FAILURE_COLUMNS if c != "hint"]
    text = (night["folder"] / "failures-hints.csv").read_bytes().decode("utf-8-sig")
    hints = list(csv.DictReader(io.StringIO(text)))
    assert list(hints[0]) == ["code", "findings", "hint"]
    assert [h["code"] for h in hints] == sorted({r["code"] for r in rows})  # once per code, in code order
    assert {h["code"]: int(h["findings"]) for h in hints} == {
        c: sum(r["code"] == c for r in rows) for c in {r["code"] for r in rows}}
    # every row's hint, as the Parquet (every column) has it, is its code's in failures-hints.csv
    table = pq.read_table(night["folder"] / "failures.parquet", columns=["code", "hint"]).to_pylist()
    by_code = {h["code"]: h["hint"] for h in hints}
    assert len(table) == len(rows) and all(by_code[t["code"]] == t["hint"] for t in table)
    assert by_code["GTIN_CHECK_DIGIT_INVALID"].startswith("The number is mistyped or truncated")
    # the summary lists it with the other reports; the failures page links it
    import json

    summary = json.loads((night["folder"] / "summary.json").read_text())
    assert summary["reports"]["failures_hints"] == "failures-hints.csv"
    assert 'href="failures-hints.csv"' in (night["folder"] / "failures.html").read_text("utf-8")
