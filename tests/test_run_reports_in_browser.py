"""The night's summary and failures report, as written from the state store after the demo's first
night (with Great Expectations), opened in headless Chromium offline: nothing is fetched, the counts
are on the page where a person looks for them, severity reads in words and colour, every in-page
link lands, the summary's links open the failures report at the partner's section. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.support import make_workspace, run_night
from tests.support_browser import Browser, artifact

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 27, 2, 0)
FACTS = """
const visible = el => !!el && el.getBoundingClientRect().height > 0;
const cells = table => Array.from(table ? table.tBodies[0].rows : []).map(r => Array.from(r.cells).map(
  c => c.innerText.trim()));
const after = id => { const h = document.getElementById(id); let el = h && h.nextElementSibling;
  while (el && !el.querySelector('table') && el.tagName !== 'TABLE') el = el.nextElementSibling;
  return el && (el.tagName === 'TABLE' ? el : el.querySelector('table')); };
return {
  text: document.body.innerText,
  resources: performance.getEntriesByType('resource').map(e => e.name),
  cards: Array.from(document.querySelectorAll('.card')).filter(visible).map(c => c.innerText.replace(/\\s+/g, ' ')),
  byPartner: cells(after('by-partner')), partners: cells(after('partners')), validation: cells(after('validation')),
  links: Array.from(document.querySelectorAll('a[href^="#"]')).map(a => a.getAttribute('href').slice(1))
    .filter(id => !document.getElementById(id)),
  severity: Array.from(document.querySelectorAll('td.sev-error, td.sev-warning')).slice(0, 50).map(
    td => [td.className, td.innerText, getComputedStyle(td).color]),
};
"""


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> Path:
    ws = make_workspace(tmp_path_factory.mktemp("night") / "ws")
    return ws.reports_dir / run_night(ws, NOW, use_gx=True)


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def look(browser: Browser, page: Path, shot: str) -> dict:
    browser.open(page)
    facts = browser.run(FACTS)
    png = browser.screenshot(artifact(shot))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert facts["resources"] == []  # nothing fetched: no CDN, no font, no script
    assert facts["links"] == []  # every in-page link has its target
    return facts


def test_the_failures_report_shows_its_counts(browser, night):
    facts = look(browser, night / "failures.html", "run-failures.png")
    # ACME-1000 again in acme-po-02 with one of its three lines: a copy differing from the order is an error for a
    # person since session 59 (rg78: another order under a reused number, or a change sent as an 850), not a
    # resend's warning
    # (ACME-1001's line of a UPC with a wrong check digit: GTIN_CHECK_DIGIT_INVALID alone since opsreport2)
    assert "32 finding(s): 23 open error(s), 9 warning(s), 0 on held orders" in facts["text"]
    # acme's orders with findings: 5 since the rejected set's findings carry its PO (ACME-1099; they had none)
    assert facts["byPartner"] == [["acme", "13", "4", "0", "3", "5"], ["globex", "4", "2", "0", "3", "3"],
                                  ["initech", "6", "3", "0", "3", "3"]]  # 2 warnings: INITECH-3010's stock
    assert "What happened" in facts["text"] and "order rejected (855 RD)" in facts["text"]
    red, amber = "rgb(207, 34, 46)", "rgb(154, 103, 0)"
    assert {(cls, word, colour) for cls, word, colour in facts["severity"]} == {
        ("sev-error", "error", red), ("sev-warning", "warning", amber)}


def test_the_summary_shows_the_nights_counts_and_gx_results(browser, night):
    facts = look(browser, night / "summary.html", "run-summary.png")
    assert facts["cards"] == ["9 Files read", "3 Quarantined", "13 POs read", "6 Acknowledged", "5 Held for a person",
                              "1 Rejected", "17 Documents created", "17 Sent", "23 Open errors", "9 Warnings"]
    # ... 997, TA1, 855, CSV acks, 865, 856, 810 (none shipped in this night), sent, err, warn
    assert facts["partners"][0] == ["acme", "3", "2", "1", "0", "5", "2", "2", "0", "3", "1", "2", "0", "0", "0", "0",
                                    "6", "13", "4"]  # 13: one bad UPC, one finding (opsreport2)
    assert facts["partners"][-1][0] == "all partners" and facts["partners"][-1][-2:] == ["23", "9"]
    assert "error findings still open (failures report)" in facts["text"]  # every column explained
    from rules.registry import expectations
    from schemas.rule_settings import RuleSettings

    # one row per expectation of the rule registry (issue 9: real expectations on the canonical columns)
    assert len(facts["validation"]) == len(expectations(RuleSettings()))
    assert {row[3] for row in facts["validation"]} <= {"passed", "failed"}
    assert "Documents sent by this run (17)" in facts["text"]


def test_the_summary_links_into_the_failures_report(browser, night):
    browser.open(night / "summary.html")
    browser.run("document.querySelector('a[href=\"failures.html#partner-globex\"]').click()")
    deadline = time.monotonic() + 30
    while not browser.run("return location.href").endswith("failures.html#partner-globex"):
        assert time.monotonic() < deadline, "the link did not open the failures report"
        time.sleep(0.2)
    heading = browser.run("const h = document.getElementById('partner-globex'); "
                          "return [h.innerText, Math.round(h.getBoundingClientRect().top)]")
    assert heading[0] == "Partner globex" and 0 <= heading[1] < 200  # scrolled to the partner's section


def test_no_page_we_write_loads_anything_from_the_network(night):
    pages = sorted(night.parent.parent.rglob("*.html"))
    assert {p.name for p in pages} >= {"summary.html", "failures.html"}
    for page in pages:
        assert not re.search(r"https?://", page.read_text(encoding="utf-8")), page
