"""The finance report and the KPI dashboard of the small fixed workspace opened in headless Chromium,
offline: the SVG charts lay out with bars sized to their numbers, the hand-computed figures are on the
page, nothing is fetched, and a screenshot of each is kept in test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.dashboard import render_dashboard
from engine.finance_report import build_finance_report, render_html
from engine.kpis import compute_kpis
from engine.reconcile import reconcile
from tests.support_browser import PAGE_FACTS, Browser, artifact, dump_dom
from tests.support_finance import AS_OF, SMALL_SETTINGS, small_book, small_document_status

pytestmark = pytest.mark.integration

@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    b = small_book()
    t, docs = b.tables(), small_document_status(b)
    r = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, settings=SMALL_SETTINGS,
                  as_of=AS_OF)
    kpis = compute_kpis(r.lines, t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, t["findings"],
                        r.exceptions, settings=SMALL_SETTINGS, as_of=AS_OF)
    folder = tmp_path_factory.mktemp("pages")
    report = folder / "finance-report.html"
    report.write_text(render_html(build_finance_report(r.lines, r.exceptions, r.evidence, as_of=AS_OF),
                                  generated_at="2026-12-10 06:00"), encoding="utf-8")
    dashboard = folder / "dashboard.html"
    dashboard.write_text(render_dashboard(kpis, generated_at="2026-12-10 06:00"), encoding="utf-8")
    return {"report": report, "dashboard": dashboard}


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def look(browser: Browser, page: Path, shot: str) -> dict:
    browser.open(page)
    facts = browser.run(PAGE_FACTS)
    png = browser.screenshot(artifact(shot))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert facts["resources"] == []  # nothing fetched: no CDN, no font, no image
    return facts


def bar(facts: dict, chart: str, category: str, series: str) -> dict:
    [found] = [b for b in facts["bars"] if b["chart"] == chart and b["category"] == category and b["series"] == series]
    return found


def test_dashboard_renders_its_charts_and_numbers(browser, pages):
    facts = look(browser, pages["dashboard"], "dashboard.png")
    charts = {s["id"] for s in facts["svgs"] if s["width"] > 200 and s["height"] > 50}
    assert charts == {"chart-volume", "chart-fill", "chart-perfect", "chart-cycle", "chart-errors", "chart-sla",
                      "chart-chargebacks"}
    # bars are drawn to scale: acme's 75 % line fill is three quarters of globex's 100 %
    acme, globex = bar(facts, "chart-fill", "acme", "lines"), bar(facts, "chart-fill", "globex", "lines")
    assert globex["width"] > 100 and acme["width"] == pytest.approx(0.75 * globex["width"], rel=0.01)
    assert bar(facts, "chart-perfect", "globex", "perfect")["width"] == 0  # 0 % perfect orders
    risk = bar(facts, "chart-chargebacks", "acme", "amount")["width"] / \
        bar(facts, "chart-chargebacks", "globex", "amount")["width"]
    assert risk == pytest.approx(625 / 240, rel=0.01)
    text = facts["text"]
    for figure in ("75.0%", "86.7%", "33.3%", "66.7%", "17.0", "334.0", "263.7", "625.00", "240.00", "0.0%"):
        assert figure in text, figure
    assert dict(facts["cards"])["card-chargeback"] == "865.00 USD chargeback risk"


def test_finance_report_renders_its_chart_and_numbers(browser, pages):
    facts = look(browser, pages["report"], "finance-report.png")
    assert {s["id"] for s in facts["svgs"] if s["width"] > 200} == {"chart-risk"}
    rejected = bar(facts, "chart-risk", "Document rejected by the partner", "acme")
    unacked = bar(facts, "chart-risk", "Document not acknowledged by the partner", "globex")
    assert rejected["width"] == pytest.approx(unacked["width"] * 30 / 25, rel=0.01)
    text = facts["text"]
    for figure in ("Value per partner and period", "98.00", "-12.00", "-100.00", "30.00", "25.00", "8-30 days",
                   "2 / 33.00", "TD503 (data element 387): invalid code value", "856-acme-S-A2.x12"):
        assert figure in text, figure
    assert dict(facts["cards"])["card-unresolved"] == "63.00 USD unresolved amount at risk"


def test_the_command_line_alone_reads_the_pages_too(pages):
    dom = dump_dom(pages["dashboard"])
    assert dom.count("<svg") == 7 and 'class="bar"' in dom and "86.7%" in dom
