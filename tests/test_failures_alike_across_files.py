"""The failures report groups alike findings across a partner's files (session 64, opsgroup; after opsreport3, which
grouped them within one file): a partner dropping twelve one-PO files a night with the same bad UPC gave ops twelve
file headings of one row each; it is one row now, naming each file and where in it (PO, line, segment and element,
ISA13/GS06/ST02) under a <details>, every row still in failures.csv. Findings are alike by their data (code, place,
element, value, outcome), not their words. The page is checked in headless Chromium, offline."""

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
BAD_UPC, OTHER_UPC = "614141999997", "614141999980"  # a wrong check digit each
FILES = [f"acme-po-{k:02d}.x12" for k in range(1, 13)]  # one PO each, the same bad UPC
POS = [f"ONE-{k:02d}" for k in range(1, 13)]


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> dict:
    ws = make_workspace(tmp_path_factory.mktemp("alike-files") / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    for k, (name, po) in enumerate(zip(FILES, POS, strict=True), 1):
        write_settled(inbox / name, acme_850s(71000 + k, [(po, f"UP*{BAD_UPC}")], 4))
    write_settled(inbox / "acme-other.x12", acme_850s(71100, [("OTHER-1", f"UP*{OTHER_UPC}")], 4))
    run_id = run_night(ws, NOW)
    folder = ws.reports_dir / run_id
    return {"ws": ws, "folder": folder, "html": (folder / "failures.html").read_text("utf-8"),
            "rows": list(csv.DictReader(io.StringIO((folder / "failures.csv").read_bytes().decode("utf-8-sig"))))}


def text(part: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)).split())


def test_one_po_files_of_one_problem_are_one_row_naming_each_file_and_where(night):
    """Twelve files, one PO each, the same bad UPC: one row under "Alike in several files" (12 findings in 12 POs),
    the first files named in the cell and every file with its PO and place under the <details>; none of them is a
    file heading of its own any more. The file with another bad UPC is listed as before; failures.csv keeps each
    row with its own file."""
    page = night["html"]
    section = page[page.index('id="partner-acme"'):page.index('id="codes"')]
    assert section.count("<h3>Alike in several files</h3>") == 1
    rows = re.findall(r"<tr>(.*?)</tr>", section[section.index("<h3>Alike in several files</h3>"):], re.S)
    row = next(r for r in rows if f"<code>{BAD_UPC}</code>" in r)
    assert "12 finding(s) in 12 PO(s)" in text(row) and "GTIN_CHECK_DIGIT_INVALID" in row
    assert "in 12 files: acme-po-01.x12, acme-po-02.x12, acme-po-03.x12 …" in text(row)
    places = re.search(r"<summary>every file \(12\) and where</summary><ul class=\"places\">(.*?)</ul>", row).group(1)
    items = [text(li) for li in re.findall(r"<li>(.*?)</li>", places)]
    assert items == [f"{name} : PO {po} · line 1 · PO1@7 PO107 (ISA13 {71000 + k:09d} / GS06 {71000 + k} / ST02 0001)"
                     for k, (name, po) in enumerate(zip(FILES, POS, strict=True), 1)]
    assert not any(f"<h3>File {name}</h3>" in section for name in FILES)
    other = section[section.index("<h3>File acme-other.x12</h3>"):]
    assert "<h4>PO OTHER-1" in other and f"<code>{OTHER_UPC}</code>" in other
    # "Problems to act on": the partner's bad UPCs one problem (13 findings, 13 orders), every file named
    problems = page[page.index('id="problems"'):page.index('id="by-partner"')]
    problem = [r for r in re.findall(r"<tr>(.*?)</tr>", problems, re.S) if "GTIN_CHECK_DIGIT_INVALID" in r]
    assert len(problem) == 1 and re.findall(r"<td class=num>([\d,]+)</td>", problem[0]) == ["13", "13"]
    assert "in 13 files: acme-other.x12, acme-po-01.x12, acme-po-02.x12 …" in text(problem[0])
    alike = [r for r in night["rows"] if r["code"] == "GTIN_CHECK_DIGIT_INVALID" and r["value"] == BAD_UPC]
    assert sorted((r["file"], r["po_number"]) for r in alike) == list(zip(FILES, POS, strict=True))


def _row(k: int, **kw) -> dict:
    return {"id": k, "run_id": "r", "stage": "decide", "partner": "bigco", "po_number": f"PO-{k:03d}",
            "code": "PRICE_OUT_OF_TOLERANCE", "severity": "warning", "file": f"f{k:03d}.x12", "isa13": str(k),
            "gs06": str(k), "st02": "0001", "segment_id": "PO1", "segment_position": 7, "file_segment": 7,
            "element": "PO104", "value": "59.39", "line_number": 1, "loop_id": "", "consequence": "line 1: IP 59.39",
            "message": f"PO104 59.39 differs from our price 12.3948 by 379.15% (tolerance 1%), PO PO-{k:03d}.",
            "row_number": None, "column_name": None, **kw}


def test_findings_are_alike_by_their_data_not_their_words():
    """The same code, place, element, value and outcome are alike whatever their words say (a message worded
    otherwise, naming its own file); another value, element or outcome is another group. Per file (the console's
    file page) they stay apart by file."""
    from engine.report_failures import alike_groups, failure_table
    from schemas.reports import FINDING_ROWS

    rows = [_row(1), _row(2, message="PO104 59.39: not our price (worded otherwise, file f002.x12)."),
            _row(3, value="61.00"), _row(4, element="PO106"), _row(5, consequence="line 1: IR"),
            _row(6, consequence="line 3: IP 59.39", line_number=3, segment_position=19)]
    groups = alike_groups(failure_table(pa.Table.from_pylist(rows, schema=FINDING_ROWS)), across_files=True)
    assert [(g["lines"], list(g["files"])) for g in groups] == [
        (3, ["f001.x12", "f002.x12", "f006.x12"]), (1, ["f003.x12"]), (1, ["f004.x12"]), (1, ["f005.x12"])]
    per_file = alike_groups(failure_table(pa.Table.from_pylist(rows, schema=FINDING_ROWS)))
    assert len(per_file) == 6


def test_a_thousand_one_po_files_are_one_row_and_the_page_stays_small():
    """1,000 files of one PO each with the same price mismatch: one problem to act on naming its files, one row in
    the partner's section whose <details> names every file and where; the page stays small (the row's list, not
    1,000 file headings and 300 problem rows of one finding each)."""
    from engine.report_failures import failure_table, render_failures_html
    from schemas.reports import FINDING_ROWS

    rows = [_row(k) for k in range(1, 1_001)]
    page = render_failures_html(failure_table(pa.Table.from_pylist(rows, schema=FINDING_ROWS)), title="t")
    section = page[page.index('id="partner-bigco"'):page.index('id="codes"')]
    assert "1,000 finding(s) in 1,000 PO(s)" in text(section) and "in 1,000 files:" in text(section)
    assert section.count("<h3>File ") == 0 and section.count("<li><b>f") == 1_000
    problems = page[page.index('id="problems"'):page.index('id="by-partner"')]
    [row] = re.findall(r"<tr>(.*?)</tr>", problems[problems.index("<tbody>"):], re.S)
    assert "in 1,000 files: f001.x12, f002.x12, f003.x12 …" in text(row) and "<li>f1000.x12: 1</li>" in row
    assert "<li><b>f0437.x12</b>" not in section and "<li><b>f437.x12</b>: PO PO-437 · line 1 · PO1@7 PO104" in section
    assert len(page) < 150_000  # (717 KB before: 1,000 file headings and 300 problem rows; 127 KB now)


FACTS = """
const row = Array.from(document.querySelectorAll('table.alike tr')).find(r => r.innerText.includes(arguments[0]));
const details = row && row.querySelector('ul.places').closest('details');
return {
  resources: performance.getEntriesByType('resource').map(e => e.name),
  links: Array.from(document.querySelectorAll('a[href^="#"]')).map(a => a.getAttribute('href').slice(1))
    .filter(id => !document.getElementById(id)),
  row: row ? row.innerText : null, open: details ? details.open : null,
  listed: !!details && row.querySelector('ul.places').checkVisibility(),
};
"""


@pytest.mark.integration
def test_the_row_opens_to_every_file_in_chromium_offline(night):
    """In headless Chromium, offline: nothing fetched, every in-page link lands, the row's list of files is closed
    until a person opens it, then shows every file with its PO."""
    from tests.support_browser import Browser, artifact

    with Browser() as browser:
        browser.open(night["folder"] / "failures.html")
        before = browser.run(FACTS, BAD_UPC)
        assert before["resources"] == [] and before["links"] == []
        assert before["open"] is False and not before["listed"]
        browser.run("Array.from(document.querySelectorAll('table.alike tr')).find(r => r.innerText.includes("
                    "arguments[0])).querySelector('ul.places').closest('details').querySelector('summary').click();",
                    BAD_UPC)
        after = browser.run(FACTS, BAD_UPC)
        browser.screenshot(artifact("failures-alike-across-files.png"))
    assert after["open"] is True and after["listed"]
    assert all(f"{name}: PO {po}" in after["row"] for name, po in zip(FILES, POS, strict=True))
