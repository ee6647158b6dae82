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

# The rule suites a partner profile can select (`rule_suites = [...]`; "standard" = all of them).
SUITES: dict[str, frozenset[str]] = {
    "items": frozenset({"ITEM_ID_MISSING", "GTIN_CHECK_DIGIT_INVALID", "ITEM_UNKNOWN", "ITEM_DISCONTINUED"}),
    "quantities": frozenset({"UNIT_UNKNOWN", "UNIT_NOT_CONVERTIBLE", "QTY_NOT_POSITIVE", "CASE_PACK_ROUNDED",
                             "CASE_PACK_NOT_MULTIPLE", "QTY_BELOW_MINIMUM", "ORDER_VALUE_BELOW_MINIMUM"}),
    "prices": frozenset({"PRICE_MISSING", "PRICE_NOT_ON_FILE", "PRICE_OUT_OF_TOLERANCE", "DISCOUNT_OVER_THRESHOLD",
                         "CURRENCY_MISMATCH"}),
    "terms": frozenset({"TERMS_MISMATCH"}),
    "ship_to": frozenset({"SHIP_TO_UNKNOWN", "ADDRESS_INCOMPLETE", "ADDRESS_IMPLAUSIBLE"}),
    "dates": frozenset({"DATE_IN_PAST", "SHIP_WINDOW_INCONSISTENT"}),
    "credit": frozenset({"CREDIT_LIMIT_EXCEEDED", "CUSTOMER_UNKNOWN"}),
}
STANDARD = tuple(SUITES)


def expand_suites(names: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Suite names (with "standard" for all) -> the codes they may emit. Unknown names raise ValueError."""
    codes: set[str] = set()
    for name in names or ("standard",):
        if name == "standard":
            codes |= set().union(*SUITES.values())
        elif name in SUITES:
            codes |= SUITES[name]
        else:
            raise ValueError(f"unknown rule suite {name!r}; choose from standard, {', '.join(SUITES)}")
    return frozenset(codes)


def select(findings: list[Finding], owner_of: Mapping[tuple[str, str], str],
           enabled: Mapping[str, frozenset[str]]) -> list[Finding]:
    """Keep the findings of the suites each finding's partner selected (owner_of: (file, ISA-GS-ST) -> partner)."""
    out = []
    for f in findings:
        loc = f.location
        partner = owner_of.get((loc.file, f"{loc.isa13}-{loc.gs06}-{loc.st02}"))
        if partner is None or partner not in enabled or f.code in enabled[partner]:
            out.append(f)
    return out


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
              docs_dir: Path | None = None, suites: Mapping[str, tuple[str, ...]] | None = None) -> SuiteResult:
    """``suites``: partner -> the rule suites selected in its profile (absent partner: all)."""
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
    if suites:
        owner_of = {}
        for table in (orders, lines):
            for r in table.select(["partner", "source_file", "isa13", "gs06", "st02"]).to_pylist():
                owner_of[(r["source_file"], f"{r['isa13']}-{r['gs06']}-{r['st02']}")] = r["partner"]
        findings = select(findings, owner_of, {p: expand_suites(n) for p, n in suites.items()})
    findings += b.check_purpose(orders, settings)  # in every suite: what we do with the order at all
    return SuiteResult(_dedupe(findings), resolved, docs_index, docs_error, n_expectations)
