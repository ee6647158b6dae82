"""One run's business validation: the tabular line checks through Great Expectations (one
validation of one table for every file and partner), the stateful and aggregate rules (credit,
order value, prices, terms, ship-to, dates) as plain functions; findings de-duplicated.

With use_gx=False the same line checks run as plain functions (fast tests, or where GX is absent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from rules import business as b
from schemas.findings import Finding
from schemas.reference import ReferenceData
from schemas.rule_settings import RuleSettings


@dataclass(frozen=True, slots=True)
class SuiteResult:
    findings: list[Finding]
    lines: pa.Table  # order lines with sku, case_pack, min_order_qty resolved
    gx_docs_index: Path | None = None
    gx_docs_error: str | None = None
    gx_expectations: int = 0


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        loc = f.location
        key = (f.code, loc.file, loc.isa13, loc.gs06, loc.st02, loc.line_number)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def run_suite(orders: pa.Table, lines: pa.Table, ref: ReferenceData, settings: RuleSettings, *, today: date,
              open_orders: Mapping[str, Decimal] | None = None, use_gx: bool = True,
              docs_dir: Path | None = None) -> SuiteResult:
    resolved = b.resolve_items(lines, ref.items, ref.partner_items)
    findings: list[Finding] = []
    docs_index = docs_error = None
    n_expectations = 0
    if lines.num_rows and use_gx:
        from rules.gx_runner import validate_order_lines

        gx = validate_order_lines(lines, ref, settings, docs_dir=docs_dir)
        findings += gx.findings
        docs_index, docs_error, n_expectations = gx.docs_index, gx.docs_error, gx.evaluated_expectations
    elif lines.num_rows:
        findings += b.check_gtin_check_digits(resolved) + b.check_items(resolved, ref)
    findings += [
        *b.check_quantities(resolved, ref, settings),
        *b.check_prices(orders, resolved, ref, settings),
        *b.check_currency(orders, ref.customers),
        *b.check_terms(orders, ref.customers),
        *b.check_order_value(orders, resolved, ref, settings),
        *b.check_credit(orders, resolved, ref, settings, open_orders=open_orders),
        *b.check_ship_to(orders, ref.ship_tos, settings),
        *b.check_dates(orders, today=today, settings=settings),
    ]
    return SuiteResult(_dedupe(findings), resolved, docs_index, docs_error, n_expectations)
