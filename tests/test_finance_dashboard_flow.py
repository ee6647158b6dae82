"""The KPI dashboard of a small fixed workspace run through the flow (tests/support_finance_flow.py),
against figures worked out by hand from its inputs; then the run's finance report and dashboard and the
cumulative report opened in headless Chromium, offline: charts laid out to scale, the hand-computed
numbers on the page, nothing fetched, a screenshot of each kept in test-artifacts/."""

from __future__ import annotations

import math
from decimal import Decimal

import pyarrow.parquet as pq
import pytest

from tests.support_browser import PAGE_FACTS, Browser, artifact
from tests.support_finance_flow import small_workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return small_workspace(tmp_path_factory.mktemp("small") / "ws")


def kpi(ws, name: str) -> list[dict]:
    return pq.read_table(ws.reports_dir / "n3" / "finance" / "data" / f"kpi_{name}.parquet").to_pylist()


def by(rows: list[dict], *keys: str) -> dict:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


def test_volume(ws):
    # acme-po-01.x12 holds ACME-1000 (3 lines) and ACME-1001 (11); initech-po-01.x12 INITECH-3000 (2), 3001 (1);
    # every PO dated 2026-11-26
    assert [(r["partner"], r["period"], r["orders"], r["lines"]) for r in kpi(ws, "volume")] == [
        ("acme", "2026-11", 2, 14), ("initech", "2026-11", 2, 3)]


def test_fill_rate(ws):
    f = by(kpi(ws, "fill_rate"), "partner")
    # due by 2026-12-15: ACME-1000's 3 lines (promised 12-10) and ACME-1001's 4 acknowledged lines (12-10; its
    # IR lines promise nothing); S-1 shipped ACME-1000 in full, ACME-1001 nothing: 3 of 7 lines;
    # units 10 + 24 + 5 of 10 + 24 + 5 + (12 + 48 + 5 + 6) = 39 of 110
    assert (f["acme"]["lines_due"], f["acme"]["lines_filled"], f["acme"]["units_due"], f["acme"]["units_filled"]) == (
        7, 3, 110, 39)
    assert f["acme"]["line_fill_rate"] == pytest.approx(3 / 7, abs=1e-6)
    assert f["acme"]["unit_fill_rate"] == pytest.approx(39 / 110, abs=1e-6)
    # INITECH-3000's 2 lines and the held INITECH-3001's one (no 855: due on its requested 12-10); S-2 shipped
    # 6 of 6 and 20 of 24: 1 of 3 lines; units 6 + 20 of 6 + 24 + 6
    assert (f["initech"]["lines_due"], f["initech"]["lines_filled"], f["initech"]["units_due"],
            f["initech"]["units_filled"]) == (3, 1, 36, 26)
    assert f["initech"]["unit_fill_rate"] == pytest.approx(26 / 36, abs=1e-6)


def test_perfect_orders(ws):
    p = by(kpi(ws, "perfect_orders"), "partner")
    # ACME-1000: in full on 12-08 (due 12-10), billed right, no exception; ACME-1001 shipped nothing;
    # INITECH-3000 short and late (12-12); INITECH-3001 nothing
    assert (p["acme"]["orders_due"], p["acme"]["perfect_orders"], p["acme"]["perfect_order_rate"]) == (2, 1, 0.5)
    assert (p["initech"]["orders_due"], p["initech"]["perfect_orders"], p["initech"]["perfect_order_rate"]) == (
        2, 0, 0.0)


def test_cycle_times(ws):
    c = {k: (v["orders"], v["median_hours"]) for k, v in by(kpi(ws, "cycle_times"), "partner", "stage").items()}
    # both nights answer at their own clock: received 11-27 02:00, 855 sent 02:00 -> 0 h
    assert c[("acme", "received -> acknowledged")] == (2, 0.0)
    # 855 11-27 02:00 -> S-1 left 12-08 09:00: 11 days 7 hours; -> INV-1 sent 12-09 08:00: 23 hours
    assert c[("acme", "acknowledged -> shipped")] == (1, 11 * 24 + 7)
    assert c[("acme", "shipped -> invoiced")] == (1, 23.0)
    # INITECH-3001 is held: no 855; S-2 left 12-12 10:00: 15 days 8 hours after INITECH-3000's 855
    assert c[("initech", "received -> acknowledged")] == (1, 0.0)
    assert c[("initech", "acknowledged -> shipped")] == (1, 15 * 24 + 8)
    orders, median = c[("initech", "shipped -> invoiced")]
    assert orders == 0 and (median is None or math.isnan(median))


def test_validation_error_rate(ws):
    e = by(kpi(ws, "error_rate"), "partner", "code")
    # ACME-1001's lines trip 7 rules; ACME-1000 none: each rule 1 PO of 2. ITEM_UNKNOWN once: the line whose only
    # id is a UPC of a wrong check digit is GTIN_CHECK_DIGIT_INVALID's alone (rules.suite.told_once)
    acme = {code: (r["findings"], r["orders_affected"], r["orders_received"]) for (p, code), r in e.items()
            if p == "acme"}
    assert acme == {"(any rule)": (7, 1, 2), "GTIN_CHECK_DIGIT_INVALID": (1, 1, 2), "ITEM_DISCONTINUED": (1, 1, 2),
                    "ITEM_ID_MISSING": (1, 1, 2), "ITEM_UNKNOWN": (1, 1, 2), "QTY_NOT_POSITIVE": (1, 1, 2),
                    "UNIT_NOT_CONVERTIBLE": (1, 1, 2), "UNIT_UNKNOWN": (1, 1, 2)}
    assert {code for (p, code) in e if p == "initech"} == {"(any rule)", "ADDRESS_IMPLAUSIBLE", "CURRENCY_MISMATCH",
                                                           "PRICE_NOT_ON_FILE"}  # INITECH-3001's holds
    assert {r["rate"] for r in e.values()} == {0.5}


def test_sla_compliance(ws):
    s = {k: (v["met"], v["measured"]) for k, v in by(kpi(ws, "sla"), "partner", "sla").items()}
    assert s[("acme", "997 within window")] == (2, 2)  # our 997 went out at once
    assert s[("acme", "855 within window")] == (2, 2)
    assert s[("acme", "ASN before arrival")] == (1, 1)  # S-1's 856 20 minutes after departure (window 30)
    assert s[("acme", "partner 997 within window")] == (2, 2)  # 24 hours after, on the dot of its window
    assert s[("initech", "855 within window")] == (1, 2)  # INITECH-3001 held past its 72 hours
    assert s[("initech", "partner 997 within window")] == (0, 1)  # INITECH never answered (48 hours)
    assert s[("initech", "ASN before arrival")] == (1, 1)


def test_chargeback_risk(ws):
    c = {k: (v["incidents"], v["amount"]) for k, v in by(kpi(ws, "chargeback_risk"), "partner", "incident").items()}
    assert c[("initech", "late_855")] == (1, Decimal("75"))  # its profile: 75 per late 855
    assert sum(v[1] for k, v in c.items() if k[0] == "acme") == 0
    assert sum(v[1] for v in c.values()) == Decimal("75")


def test_exceptions_of_the_small_workspace(ws):
    rows = pq.read_table(ws.reports_dir / "n3" / "finance" / "data" / "exceptions.parquet").to_pylist()
    got = sorted((r["type"], r["po_number"], r["line_number"], r["amount_at_risk"]) for r in rows)
    assert got == sorted([
        ("NOT_SHIPPED_BY_PROMISED_DATE", "ACME-1001", 4, Decimal("112.68")),  # 12 x 9.39
        ("NOT_SHIPPED_BY_PROMISED_DATE", "ACME-1001", 5, Decimal("226.56")),  # 48 x 4.72 (our IP price)
        ("NOT_SHIPPED_BY_PROMISED_DATE", "ACME-1001", 6, Decimal("111.00")),  # 5 x 22.20
        ("NOT_SHIPPED_BY_PROMISED_DATE", "ACME-1001", 10, Decimal("34.86")),  # 6 x 5.81
        ("NOT_SHIPPED_BY_PROMISED_DATE", "INITECH-3000", 2, Decimal("13.88")),  # (24 - 20) x 3.47
        ("SHIPPED_NOT_INVOICED", "INITECH-3000", 1, Decimal("74.34")),  # 6 x 12.39, 3 days' grace gone
        ("SHIPPED_NOT_INVOICED", "INITECH-3000", 2, Decimal("69.40")),  # 20 x 3.47
        ("DOCUMENT_UNACKNOWLEDGED", "INITECH-3000", None, Decimal("157.62")),  # its 855: 6 x 12.39 + 24 x 3.47
    ])


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def look(browser, page, shot: str) -> dict:
    browser.open(page)
    facts = browser.run(PAGE_FACTS)
    png = browser.screenshot(artifact(shot))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert facts["resources"] == []  # nothing fetched: no CDN, no font, no image
    return facts


def bar(facts: dict, chart: str, category: str, series: str) -> dict:
    [found] = [b for b in facts["bars"] if b["chart"] == chart and b["category"] == category and b["series"] == series]
    return found


@pytest.mark.integration
def test_the_runs_dashboard_in_a_browser(ws, browser):
    facts = look(browser, ws.reports_dir / "n3" / "finance" / "dashboard.html", "flow-dashboard.png")
    charts = {s["id"] for s in facts["svgs"] if s["width"] > 200 and s["height"] > 50}
    assert charts == {"chart-volume", "chart-fill", "chart-perfect", "chart-cycle", "chart-errors", "chart-sla",
                      "chart-chargebacks"}
    acme, initech = bar(facts, "chart-fill", "acme", "units"), bar(facts, "chart-fill", "initech", "units")
    assert initech["width"] > 50 and acme["width"] == pytest.approx(initech["width"] * (39 / 110) / (26 / 36),
                                                                    rel=0.01)
    assert bar(facts, "chart-perfect", "initech", "perfect")["width"] == 0
    for figure in ("42.9%", "35.5%", "33.3%", "72.2%", "50.0%", "271.0", "368.0", "23.0", "75.00 CAD"):
        assert figure in facts["text"], figure
    assert dict(facts["cards"])["card-chargeback"] == "75.00 CAD + 0.00 USD chargeback risk"


@pytest.mark.integration
def test_the_runs_finance_report_in_a_browser(ws, browser):
    facts = look(browser, ws.reports_dir / "n3" / "finance" / "finance-report.html", "flow-finance-report.png")
    assert {s["id"] for s in facts["svgs"] if s["width"] > 200} == {"chart-risk"}
    late = bar(facts, "chart-risk", "Acknowledged, not shipped by the promised date", "acme")
    unbilled = bar(facts, "chart-risk", "Shipped, not invoiced", "initech")
    # 112.68 + 226.56 + 111.00 + 34.86 = 485.10 against 74.34 + 69.40 = 143.74
    assert late["width"] == pytest.approx(unbilled["width"] * 485.10 / 143.74, rel=0.01)
    for figure in ("485.10", "143.74", "157.62", "226.56", "S-2", "s2.x12", "overdue", "315.24 CAD + 485.10 USD"):
        assert figure in facts["text"], figure


@pytest.mark.integration
def test_the_cumulative_report_in_a_browser(ws, browser):
    facts = look(browser, ws.reports_dir / "finance" / "finance-report.html", "flow-finance-cumulative.png")
    assert {"chart-risk", "chart-trend"} <= {s["id"] for s in facts["svgs"] if s["width"] > 200}
    # the runs: nothing found on nights 1 and 2 (no promise due, INITECH still in its 48 hours), all by night 3
    assert bar(facts, "chart-trend", "n1", "USD")["height"] == 0
    assert bar(facts, "chart-trend", "n3", "USD")["height"] > bar(facts, "chart-trend", "n3", "CAD")["height"] > 0
    for figure in ("Reconciliations", "Exception history", "found"):
        assert figure in facts["text"], figure
