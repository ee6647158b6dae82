"""What the opsreport rounds left (tests/test_opsreport_at_scale.py, tests/test_opsreport2.py), on a small night: a
partner's section of the failures report listed each of 1,000 alike findings (one per PO of the same unknown item,
the same price mismatch) one by one: alike findings are one row, counted, with every PO a person can open (the
console's run and file pages group them the same way); a line with two bad UPCs kept ITEM_UNKNOWN beside them while
one bad UPC was told once: each bad number is named once and ITEM_UNKNOWN says nothing more; the rules' run_suite
gave both findings where the decide step kept one: told_once is run_suite's, the one path every reader takes."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime

import pyarrow as pa
import pytest

from tests.support import make_workspace, run_night, write_settled
from tests.test_opsreport_at_scale import acme_850s

NOW = datetime(2026, 11, 27, 2, 0)
BAD_UPC, BAD_UPC2 = "614141999997", "614141999980"  # 12 digits each, a wrong check digit each
SAME = [f"SAME-{k:02d}" for k in range(1, 13)]  # twelve POs of the same bad UPC
POS = [*((po, f"UP*{BAD_UPC}") for po in SAME), ("TWO-UPC", f"UP*{BAD_UPC}*UP*{BAD_UPC2}")]


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> dict:
    from connectors.state import StateStore

    ws = make_workspace(tmp_path_factory.mktemp("opsreport3") / "ws", partners=())
    (ws.drop_root / "acme" / "inbox").mkdir(parents=True)
    write_settled(ws.drop_root / "acme" / "inbox" / "acme-alike.x12", acme_850s(70001, POS, 4))
    run_id = run_night(ws, NOW)
    folder = ws.reports_dir / run_id
    state = StateStore(ws.state_url)
    try:
        findings = state.findings(run_id=run_id, partner="acme")
        lines = {po: state.order_lines("acme", po) for po, _ in POS}
        [file] = state.files_of_run(run_id)
    finally:
        state.close()
    return {"ws": ws, "run_id": run_id, "folder": folder, "findings": findings, "lines": lines, "file": file,
            "html": (folder / "failures.html").read_text("utf-8"),
            "rows": list(csv.DictReader(io.StringIO((folder / "failures.csv").read_bytes().decode("utf-8-sig"))))}


def text(part: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)).split())


def test_alike_findings_are_one_row_of_the_partner_s_section_with_every_po(night):
    """Thirteen POs of one bad UPC (twelve, and TWO-UPC's first id) were thirteen PO headings and rows: one row now,
    counted, its first POs in the cell and every one under a <details>; failures.csv keeps every row."""
    page = night["html"]
    section = page[page.index('id="partner-acme"'):page.index('id="codes"')]
    alike = [r for r in night["rows"] if r["code"] == "GTIN_CHECK_DIGIT_INVALID" and r["value"] == BAD_UPC]
    assert sorted(r["po_number"] for r in alike) == sorted([*SAME, "TWO-UPC"])  # the CSV: every row
    rows = re.findall(r"<tr>(.*?)</tr>", section[section.index('<table class=\'alike\''):], re.S)
    row = next(r for r in rows if f"<code>{BAD_UPC}</code>" in r)
    assert "13 finding(s) in 13 PO(s)" in text(row) and "GTIN_CHECK_DIGIT_INVALID" in row
    assert "SAME-01, SAME-02, SAME-03, SAME-04, SAME-05 …" in text(row)
    listed = re.search(r"<details><summary>all 13 POs</summary><p class=\"pos\">(.*?)</p>", row).group(1)
    assert listed.split(", ") == [*SAME, "TWO-UPC"]
    # none of them listed one by one again; TWO-UPC's other bad number is a finding like no other: listed so
    assert "<h4>PO SAME-" not in section and "<h4>PO TWO-UPC" in section
    assert f"<code>{BAD_UPC2}</code>" in section[section.index("<h4>PO TWO-UPC"):]


def test_a_thousand_alike_findings_are_one_row_and_the_page_stays_small():
    """The same price mismatch on 1,000 POs (each its own PO and message naming it): one row, not 1,000 beside
    whatever else the limit lets through; a finding unlike the others is still listed one by one."""
    from engine.report_failures import failure_table, render_failures_html
    from schemas.reports import FINDING_ROWS

    rows = [{"id": k, "run_id": "r", "stage": "decide", "partner": "bigco", "po_number": f"PO-{k:04d}",
             "code": "PRICE_OUT_OF_TOLERANCE", "severity": "warning",
             "message": f"PO PO-{k:04d}: PO104 59.39 differs from our price 12.3948 by 379.15% (tolerance 1%).",
             "file": "big.x12", "isa13": "1", "gs06": "1", "st02": f"{k:04d}", "segment_id": "PO1",
             "segment_position": 7, "file_segment": 7 + 9 * k, "element": "PO104", "value": "59.39",
             "line_number": 1, "loop_id": "", "consequence": "line 1: IP 59.39"} for k in range(1, 1_001)]
    rows.append({**rows[0], "id": 1_001, "po_number": "PO-0001", "value": "61.00", "code": "PRICE_OUT_OF_TOLERANCE",
                 "message": "PO104 61.00 differs from our price 12.3948 by 392.15% (tolerance 1%)."})
    page = render_failures_html(failure_table(pa.Table.from_pylist(rows, schema=FINDING_ROWS)), title="t")
    section = page[page.index('id="partner-bigco"'):page.index('id="codes"')]
    assert "1,000 finding(s) in 1,000 PO(s)" in text(section)
    assert section.count("<h4>PO ") == 1 and "<code>61.00</code>" in section  # the one unlike the rest
    listed = re.search(r"<summary>all 1,000 POs</summary><p class=\"pos\">(.*?)</p>", section).group(1)
    assert listed.split(", ") == [f"PO-{k:04d}" for k in range(1, 1_001)]
    assert "not listed one by one" not in section and len(page) < 60_000


def test_two_bad_upcs_of_a_line_are_each_named_once_and_item_unknown_adds_nothing(night):
    """PO1*...*UP*614141999997*UP*614141999980: the second number was named by ITEM_UNKNOWN alone (GTIN_CHECK_DIGIT_
    INVALID read the line's first UP only), so ITEM_UNKNOWN was kept; one bad UPC was told once. Each bad number is
    now named once, at its own element, and the line is refused as before."""
    found = sorted((f["code"], f["element"], f["value"]) for f in night["findings"] if f["po_number"] == "TWO-UPC"
                   and f["code"].startswith(("GTIN", "ITEM")))
    assert found == [("GTIN_CHECK_DIGIT_INVALID", "PO107", BAD_UPC), ("GTIN_CHECK_DIGIT_INVALID", "PO109", BAD_UPC2)]
    assert {po: [ln.ack for ln in lines] for po, lines in night["lines"].items()} == {po: ["IR"] for po, _ in POS}
    assert not [f for f in night["findings"] if f["code"] == "ITEM_UNKNOWN"]


def test_run_suite_tells_each_cause_once_as_the_decide_step_stores_it():
    """rules.suite.run_suite gave GTIN_CHECK_DIGIT_INVALID and ITEM_UNKNOWN for a line whose only id is a bad UPC,
    where the decide step (engine.decide.told_once, before) kept one: a tool reading run_suite saw two problems.
    told_once is run_suite's now, under the partners' outcomes it is given; the decide step and recheck pass theirs."""
    from rules.suite import run_suite
    from schemas.rule_settings import RuleSettings
    from tests.business.tables import TODAY, line, lines_table, orders_table, reference

    ref, orders = reference(), orders_table()
    lines = lines_table(line(upc=BAD_UPC), line(line_number=2, line_id="2", upc=None, product_ids=[
        {"qualifier": "UP", "id": BAD_UPC}, {"qualifier": "UK", "id": "00" + BAD_UPC2}], gtin="00" + BAD_UPC2))

    def items(**kw) -> list[tuple]:
        found = run_suite(orders, lines, ref, RuleSettings(), today=TODAY, use_gx=False, **kw).findings
        return sorted((f.location.line_number, f.code, f.location.value) for f in found
                      if f.code.startswith(("GTIN", "ITEM")))

    assert items() == [(1, "GTIN_CHECK_DIGIT_INVALID", BAD_UPC), (2, "GTIN_CHECK_DIGIT_INVALID", "00" + BAD_UPC2),
                       (2, "GTIN_CHECK_DIGIT_INVALID", BAD_UPC)]
    # a partner weighing ITEM_UNKNOWN more than a bad check digit keeps it (its outcome refuses the order)
    weighed = items(policies={"acme": {"ITEM_UNKNOWN": "hold_order"}})
    assert [c for _, c, _ in weighed].count("ITEM_UNKNOWN") == 2


def test_the_console_groups_the_night_s_findings_as_the_report_does(night):
    """The console's run page had per-file counts only and its file page every finding one by one: the run page lists
    the problems as failures.html does (partner, file, code, counted, the first example) and each file's rows with
    alike ones grouped; the file page one row per group with every PO a link."""
    from tests.support_console import Client, ConsoleServer, add_users

    add_users(night["ws"].root)
    f = night["file"]
    with ConsoleServer(night["ws"].root) as server:
        client = Client(server.url)
        client.sign_in("dana")
        status, run_page = client.get(f"/runs/{night['run_id']}")
        assert status == 200
        status, file_page = client.get(f"/file?partner=acme&sha256={f['sha256']}")
        assert status == 200
    problems = run_page[run_page.index('id="problems-table"'):]
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", problems, re.S) if "GTIN_CHECK_DIGIT_INVALID" in r)
    assert "acme-alike.x12" in row and "<td class=\"num\">14</td>" in row and "<td class=\"num\">13</td>" in row
    assert "PO SAME-01 · line 1 · PO1@7 PO107" in html.unescape(row)
    files = run_page[run_page.index('id="files"'):]
    assert re.search(r"acme-alike\.x12</a></td>.*?<td class=\"num\">2</td><td>", files, re.S)  # 2 rows, not 14
    # the file's findings counted from every stage, as the run page counts them (its intake left it processed: 0)
    errors = sum(1 for x in night["findings"] if x["file"] == f["name"] and x["severity"] == "error")
    warnings = sum(1 for x in night["findings"] if x["file"] == f["name"] and x["severity"] == "warning")
    assert errors >= 14
    assert f'id="file-counts">{errors} error(s), {warnings} warning(s), every stage' in file_page
    assert "(0 error finding(s) at intake)" in file_page
    table = file_page[file_page.index('id="file-findings"'):]
    rows = re.findall(r"<tr class=\"(?:alike)?\">(.*?)</tr>", table, re.S)
    assert len(rows) == 2
    group = next(r for r in rows if f"<td>{BAD_UPC}</td>" in r)
    assert "<td class=\"num\">13</td>" in group and "13 POs:" in group
    every = re.search(r"<summary>every PO \(13\)</summary><p class=\"pos\">(.*?)</p>", group, re.S).group(1)
    assert re.findall(r'href="/order\?partner=acme&amp;po=([^"]+)"', every) == [*SAME, "TWO-UPC"]
