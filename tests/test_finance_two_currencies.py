"""A partner ordering in two currencies (reference/customer_currencies.csv: DFS Group in HKD and USD): the finance
report's exception summary, ageing, risk chart and partner section hold one row per currency, labelled, and never add
two currencies' amounts into one figure; a partner in one currency reads as it always did (no label)."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from engine.finance_report import build_finance_report, render_html
from tests.support_finance import AS_OF
from tests.test_finance_report import reconciled


def _two_currencies():
    """The small book's exceptions with acme's price mismatch (3) in CAD, its rejected 810 (30) in USD."""
    r = reconciled()
    ex = r.exceptions
    moved = pc.and_(pc.equal(ex["partner"], "acme"), pc.equal(ex["type"], "INVOICE_PRICE_MISMATCH"))
    currency = pc.if_else(moved, pa.scalar("CAD"), ex["currency"])
    ex = ex.set_column(ex.schema.get_field_index("currency"), ex.schema.field("currency"), currency)
    return r, ex


def test_a_partner_s_exceptions_in_two_currencies_are_summed_per_currency():
    r, ex = _two_currencies()
    assert set(ex.filter(pc.equal(ex["partner"], "acme"))["currency"].to_pylist()) == {"USD", "CAD"}
    report = build_finance_report(r.lines, ex, r.evidence, as_of=AS_OF)
    assert [(s["partner"], s["type"], s["currency"], s["amount_at_risk"]) for s in report.summary.to_pylist()
            if s["partner"] == "acme"] == [("acme", "DOCUMENT_REJECTED", "USD", Decimal(30)),
                                          ("acme", "INVOICE_PRICE_MISMATCH", "CAD", Decimal(3))]
    # ageing: acme's 33 (30 USD + 3 CAD) used to be one figure
    assert [(a["partner"], a["currency"], a["bucket"], a["exceptions"], a["amount_at_risk"])
            for a in report.ageing.to_pylist()] == [("acme", "CAD", "8-30 days", 1, Decimal(3)),
                                                    ("acme", "USD", "8-30 days", 1, Decimal(30)),
                                                    ("globex", "USD", "8-30 days", 2, Decimal(30))]
    html = render_html(report)
    assert "acme (CAD)" in html and "acme (USD)" in html and "1 / 3.00" in html and "1 / 30.00" in html
    assert "2 / 33.00" not in html
    assert "30.00 USD" in html and "3.00 CAD" in html
    assert "globex (USD)" not in html  # one currency: as it always read


def test_one_currency_per_partner_reads_as_before():
    r = reconciled()
    report = build_finance_report(r.lines, r.exceptions, r.evidence, as_of=AS_OF)
    assert [(a["partner"], a["bucket"], a["exceptions"], a["amount_at_risk"]) for a in report.ageing.to_pylist()] \
        == [("acme", "8-30 days", 2, Decimal(33)), ("globex", "8-30 days", 2, Decimal(30))]
    html = render_html(report)
    assert "2 / 33.00" in html and " USD</td>" not in html and "(USD)" not in html
