"""One run's business validation, one path: the registry's line expectations (rules.registry)
evaluated once over every line of every file and partner, by Great Expectations or, with
use_gx=False, natively in Arrow (same expectations, same unexpected rows); then the line findings
built from those rows with the item, quantity and price rules (joins and arithmetic in Arrow,
decided exactly for the lines they flag), and the order rules (credit, order value, terms,
ship-to, dates). Findings in rule order, one per code and line (GTIN_CHECK_DIGIT_INVALID: one per bad id of a
line), each cause told once under the partners' outcomes (told_once): what the decide step and recheck weigh and
store, whoever calls.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from rules import business as b
from rules import registry
from rules.business.ctp_units import ctp_unit_priced, per_line_unit
from rules.business.items import carried_ids, check_item_ids, gtin_findings, item_findings, substitute, unreadable
from rules.business.money import line_prices, order_values, price_findings
from rules.business.quantities import quantity_findings
from schemas.findings import Finding
from schemas.outcomes import Policy, outcome_for, strongest
from schemas.reference import ReferenceData
from schemas.rule_settings import RuleSettings

# The rule suites a partner profile can select (`rule_suites = [...]`; "standard" = all of them).
SUITES: dict[str, frozenset[str]] = {
    "items": frozenset({"ITEM_ID_MISSING", "GTIN_CHECK_DIGIT_INVALID", "ITEM_UNKNOWN", "ITEM_DISCONTINUED",
                         "ITEM_SUBSTITUTED", "ITEM_IDS_DISAGREE", "CODE_CASE_CONVERTED",
                         "PRODUCT_ID_QUALIFIER_MISMATCH"}),
    "quantities": frozenset({"UNIT_UNKNOWN", "UNIT_NOT_CONVERTIBLE", "QTY_NOT_POSITIVE", "CASE_PACK_ROUNDED",
                             "CASE_PACK_NOT_MULTIPLE", "CASE_PACK_MISMATCH", "PO4_PACK_DIFFERS", "PO4_SIZE_NOT_WHOLE",
                             "QTY_BELOW_MINIMUM",
                             "QUANTITY_DECIMALS_UNSUPPORTED", "UNIT_CASE_CONVERTED",
                             "ORDER_VALUE_BELOW_MINIMUM"}),
    "prices": frozenset({"PRICE_MISSING", "PRICE_NOT_ON_FILE", "PRICE_BASIS_UNSUPPORTED", "PRICE_BASIS_NOT_ON_880",
                         "PRICE_BASIS_CONVERTED", "PRICE_BASIS_PER_EACH", "PRICE_DECIMALS_UNSUPPORTED",
                         "PRICE_OUT_OF_TOLERANCE",
                         "PRICE_BREAK_UNCLEAR", "PRICE_MULTIPLIER_UNSUPPORTED", "CATCH_WEIGHT_LINE",
                         "PRICE_NO_CHARGE", "DISCOUNT_OVER_THRESHOLD", "ALLOWANCE_DEAL_AGREED",
                         "CURRENCY_MISMATCH"}),
    "terms": frozenset({"TERMS_MISMATCH", "TERMS_PERCENT_ROUNDED"}),
    "ship_to": frozenset({"SHIP_TO_UNKNOWN", "ADDRESS_INCOMPLETE", "ADDRESS_IMPLAUSIBLE", "LINE_SHIP_TO_DIFFERS",
                          "SHIP_TO_AMBIGUOUS"}),
    "dates": frozenset({"DATE_IN_PAST", "CANCEL_DATE_PASSED", "SHIP_WINDOW_INCONSISTENT"}),
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
    # (partner, PO) -> its allowances a deal agreed with the customer pre-approved (deals.csv): what the 855 echoes
    # when the partner's profile asks ([acks.po_ack] allowances = "agreed")
    agreed: dict = field(default_factory=dict)


# codes a line may carry more than once, one per value: each bad number a line carried is named (a second UP)
EACH_VALUE = frozenset({"GTIN_CHECK_DIGIT_INVALID"})


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        loc = f.location
        key = (f.code, loc.file, loc.isa13, loc.gs06, loc.st02, loc.line_number,
               loc.value if f.code in EACH_VALUE else None)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def told_once(findings: list[Finding], orders: pa.Table, lines: pa.Table,
              policies: Mapping[str, Policy] | None) -> list[Finding]:
    """One cause, one finding: a line's ITEM_UNKNOWN is left out where GTIN_CHECK_DIGIT_INVALID already names every
    id the line carried (each UPC of a wrong check digit: no item can be looked up by a number that cannot be read;
    one bad UPC or two, each is named once) and refuses the line at least as strongly under its partner's outcomes
    (``policies``: partner -> its [rules.outcomes]; absent: the defaults), so its 855 status is the one both gave.
    Kept: a line with another id that matched nothing, or a UP value read as another form of U.P.C. (ITEM_UNKNOWN
    names each id tried, each reading), and a partner whose outcomes weigh ITEM_UNKNOWN more than a bad check digit.
    10,000 lines of one bad UPC were 20,000 errors for one thing the partner must correct. run_suite applies it, so
    every reader of its findings (the decide step, recheck, a tool) sees the one path's findings."""
    bad: dict[tuple, set[str]] = defaultdict(set)  # line -> the values GTIN_CHECK_DIGIT_INVALID named
    for f in findings:
        if f.code == "GTIN_CHECK_DIGIT_INVALID" and f.location.line_number is not None:
            loc = f.location
            bad[(loc.file, loc.isa13, loc.gs06, loc.st02, loc.line_number)].add(loc.value or "")
    both = {(loc.file, loc.isa13, loc.gs06, loc.st02, loc.line_number) for f in findings
            if f.code == "ITEM_UNKNOWN" and (loc := f.location).line_number is not None} & bad.keys()
    if not both:
        return findings
    who, policies = owners_of(orders, lines), policies or {}
    told: set[tuple] = set()
    for key, ids in carried_ids(lines, both).items():
        policy = policies.get(who.get((key[0], f"{key[1]}-{key[2]}-{key[3]}"), ""))
        refusing = outcome_for("GTIN_CHECK_DIGIT_INVALID", policy)
        if ids and all(value in bad[key] and unreadable(q, value) for q, value in ids) and strongest(
                [refusing, outcome_for("ITEM_UNKNOWN", policy)]) == refusing:
            told.add(key)
    return [f for f in findings if not (f.code == "ITEM_UNKNOWN" and (
        (loc := f.location).file, loc.isa13, loc.gs06, loc.st02, loc.line_number) in told)]


@dataclass(frozen=True, slots=True)
class GxAsked:
    """GX's answer about a night's lines, asked before the rules (gx_first), for run_suite(asked=): the lines as the
    rules read them (restated per unit), item-resolved, and GX's run over their rules frame."""

    lines: pa.Table
    resolved: pa.Table
    run: object  # rules.gx_runner.GxRunResult (None: no line, GX not asked)


def rules_lines(lines: pa.Table, ref: ReferenceData, settings: RuleSettings) -> tuple[pa.Table, pa.Table]:
    """(``lines`` as the rules read them, the same item-resolved): what run_suite judges, GX's frame made of the
    second."""
    # a line still priced per a CTP05 (its unit's eaches unknown at intake, an item_units row added since): restated
    # per its unit now, as intake would have (flows.intake.by_ctp_units), for the decide stage and recheck alike. It
    # stayed per the CTP05 and was held again, PRICE_BASIS_UNSUPPORTED giving no reason, whatever the item master said
    if ctp_unit_priced(lines):
        lines = per_line_unit(lines, ref)
    # a partner that accepts substitutes: a superseded item's lines decided on its replacement (ITEM_SUBSTITUTED)
    return lines, substitute(b.resolve_items(lines, ref.items, ref.partner_items), ref.items, ref.partner_items,
                             settings)


def gx_first(lines: pa.Table, ref: ReferenceData, settings: RuleSettings, *, docs_dir: Path | None = None,
             judge: Callable | None = None) -> GxAsked:
    """GX asked about ``lines`` first, before anything else of the rules is built (rules.gx_runner.validate, by
    ``judge``): the decide stage asks GX's own process (flows.gx_child) as soon as the lines to decide are known,
    so that it exits before the rules' and the allocation's tables grow. run_suite(asked=) then judges the same
    lines with this answer, the findings those of run_suite asking GX itself."""
    from rules.gx_runner import validate

    lines, resolved = rules_lines(lines, ref, settings)
    return GxAsked(lines, resolved, validate(registry.rules_frame(resolved), registry.expectations(settings),
                                             docs_dir=docs_dir, judge=judge) if resolved.num_rows else None)


def run_suite(orders: pa.Table, lines: pa.Table, ref: ReferenceData, settings: RuleSettings, *, today: date,
              open_orders: Mapping[str, Decimal] | None = None, use_gx: bool = True,
              docs_dir: Path | None = None, suites: Mapping[str, tuple[str, ...]] | None = None,
              alongside: Callable[[Callable[[], None]], AbstractContextManager] | None = None,
              policies: Mapping[str, Policy] | None = None, sacs: pa.Table | None = None,
              judge: Callable | None = None, asked: GxAsked | None = None) -> SuiteResult:
    """``suites``: partner -> the rule suites selected in its profile (absent partner: all). ``policies``: partner ->
    its profile's [rules.outcomes] (absent partner: the defaults), by which told_once leaves out a finding another
    already says. ``sacs``: the orders' ORDER_SACS (None: not told): the allowances our 810s take off are judged with
    each line's price (price_findings). ``alongside``: how GX's
    validation runs beside the rules that do not read its masks (the caller's: flows.meanwhile runs it in a thread,
    GX's Python beside their Arrow work); by default before them. The findings are the same either way. ``judge``:
    who runs GX on the frame's distinct rows (rules.gx_runner.validate's; flows.gx_child runs it in a process of its
    own, the same answer). ``asked``: GX's answer about these ``lines`` asked before (gx_first; its lines and item
    resolution are used, GX is not asked again)."""
    lines, resolved = (asked.lines, asked.resolved) if asked is not None else rules_lines(lines, ref, settings)
    exps = registry.expectations(settings)
    docs_index = docs_error = None
    n_expectations = 0
    gx: dict = {}
    if asked is not None and asked.run is not None and use_gx:
        gx["run"] = asked.run

        def judged() -> None:
            pass
    elif resolved.num_rows and use_gx:
        from rules.gx_runner import validate

        frame = registry.rules_frame(resolved)

        def judged() -> None:
            gx["run"] = validate(frame, exps, docs_dir=docs_dir, judge=judge)
    else:
        def judged() -> None:
            gx["masks"] = registry.evaluate_arrow(registry.rules_frame(resolved), exps)
    with (alongside or _first)(judged):  # the rules that do not read the masks meanwhile
        prices = line_prices(orders, resolved, ref)
        values = order_values(orders, resolved, ref, prices, b.per_each_prices(resolved, ref, settings, prices))
        by_ids = check_item_ids(resolved, ref)
        rest = [
            *b.check_currency(orders, ref.customers, ref.customer_currencies),
            *b.check_terms(orders, ref.customers),
            *b.check_order_value(orders, resolved, ref, settings, values=values),
            *b.check_credit(orders, resolved, ref, settings, open_orders=open_orders, values=values),
            *b.check_ship_to(orders, ref.ship_tos, settings),
            *b.check_line_ship_tos(orders, lines),
            *b.check_line_places(orders, lines, ref.ship_tos, settings),
            *b.check_ship_tos_repeated(orders),
            *b.check_dates(orders, today=today, settings=settings),
            *b.check_line_windows(orders, lines, today=today, settings=settings),
            *b.check_line_deliveries(orders, lines, today=today, settings=settings),
            *b.check_line_requested_dates(orders, lines, today=today),
        ]
    if "run" in gx:
        masks = gx["run"].masks
        docs_index, docs_error, n_expectations = (gx["run"].docs_index, gx["run"].docs_error,
                                                  gx["run"].evaluated_expectations)
    else:
        masks = gx["masks"]
    agreed: dict = {}
    findings = [
        *gtin_findings(resolved, masks, ref.items),
        *item_findings(resolved, masks, ref.items),
        *by_ids,
        *quantity_findings(resolved, masks, settings, ref, orders=orders),
        *price_findings(orders, resolved, ref, settings, masks, prices, sacs, agreed),
        *rest,
    ]
    if suites and findings:  # owners_of groups every line: only when there is a finding to keep or drop
        findings = select(findings, owners_of(orders, lines), {p: expand_suites(n) for p, n in suites.items()})
    # in every suite: what we do with the order at all, the most it may be worth (its CSH03), the DEA order form a
    # controlled line may not be filled without (the law's, not a partner's choice), and whom it names (REF*IA)
    findings += b.check_purpose(orders, settings) + b.check_confirmation(orders, settings) + b.check_order_type(
        orders, settings) + b.check_test_data(
        orders, settings) + b.check_do_not_exceed(orders, resolved, ref, settings, values=values) + \
        b.check_order_forms(orders, resolved, ref, settings)
    findings += b.check_vendor_number(orders, settings) + b.check_required_refs(orders, settings)
    findings = told_once(_dedupe(findings), orders, resolved, policies)
    return SuiteResult(findings, resolved, docs_index, docs_error, n_expectations, agreed)


@contextmanager
def _first(work: Callable[[], None]) -> Iterator[None]:
    """run_suite's default ``alongside``: the work, then the body."""
    work()
    yield


def owners_of(*tables: pa.Table) -> dict[tuple[str, str], str]:
    """(file, ISA13-GS06-ST02) -> partner of every transaction set the tables' rows came from."""
    out: dict[tuple[str, str], str] = {}
    for table in tables:
        keys = ["source_file", "isa13", "gs06", "st02", "partner"]
        distinct = table.select(keys).group_by(keys, use_threads=False).aggregate([])
        for f, i, g, st, p in zip(*(distinct[k].to_pylist() for k in keys), strict=True):
            out[(f, f"{i}-{g}-{st}")] = p
    return out
