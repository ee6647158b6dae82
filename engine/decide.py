"""From business findings to decisions: one outcome per order line and a status per order.

Pure: the run's orders and (item-resolved) lines, the business findings about them, each partner's
outcome policy and the decisions people took (approve / reject) in; OrderDecisions out. A finding
without a line applies to every line of its order; the strongest outcome wins (schemas.outcomes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa

from rules.business import adjusted_quantity, list_price, price_index
from rules.business.quantities import eaches_per_unit, unit_index
from schemas.findings import Finding
from schemas.lifecycle import PersonDecision
from schemas.outcomes import Outcome, Policy, outcome_for, strongest
from schemas.reference import ReferenceData
from schemas.rule_settings import RuleSettings

ACCEPTED, PENDING, REJECTED = "accepted", "held", "rejected"  # an order's decision (the lifecycle moves it)
HELD = PENDING


@dataclass(frozen=True, slots=True)
class LineDecision:
    line_number: int
    ack01: str  # IA, IQ, IP, DR, IR, IH
    action: str
    quantity: Decimal | None  # the quantity we acknowledge (after case-pack rounding / minimums)
    unit_price: Decimal | None  # our price when we change it (IP)
    codes: tuple[str, ...] = ()
    reason: str = ""
    unit_eaches: int = 1  # eaches in one PO103 unit (item master): allocation counts eaches


@dataclass(slots=True)
class OrderDecision:
    partner: str
    po_number: str
    order_ref: str
    source_file: str
    status: str  # accepted | held | rejected
    lines: list[LineDecision] = field(default_factory=list)
    codes: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    decided_by: str = ""  # a person's name when an approval or rejection decided it


def _where(file: str, isa13: str, gs06: str, st02: str) -> tuple[str, str]:
    return file or "", f"{isa13}-{gs06}-{st02}"


def owners(orders: pa.Table, lines: pa.Table) -> dict[tuple[str, str], tuple[str, str]]:
    """(file, ISA13-GS06-ST02) of every order and line row -> (partner, PO): lines added by an 860
    carry the 860's lineage, and their findings still belong to the PO."""
    out = {}
    for table in (orders, lines):
        for r in table.select(["partner", "po_number", "source_file", "isa13", "gs06", "st02"]).to_pylist():
            out[_where(r["source_file"], r["isa13"], r["gs06"], r["st02"])] = (r["partner"], r["po_number"])
    return out


def decide(orders: pa.Table, lines: pa.Table, findings: list[Finding], ref: ReferenceData,
           settings: RuleSettings, *, policies: Mapping[str, Policy] | None = None,
           people: Mapping[tuple[str, str], PersonDecision] | None = None) -> list[OrderDecision]:
    policies, people = policies or {}, people or {}
    who = owners(orders, lines)
    by_order: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        loc = f.location
        owner = who.get(_where(loc.file, loc.isa13, loc.gs06, loc.st02))
        if owner:
            by_order[owner].append(f)
    lines_by_order: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in lines.to_pylist():
        lines_by_order[(row["partner"], row["po_number"])].append(row)
    prices = price_index(ref.prices)
    units = unit_index(ref)
    out: list[OrderDecision] = []
    for order in orders.to_pylist():
        partner, po = order["partner"], order["po_number"]
        key = (partner, po)
        policy = policies.get(partner)
        s = settings.for_partner(partner)
        order_findings = by_order.get(key, [])
        person = people.get((partner, po))
        order_level: list[tuple[Outcome, Finding]] = []
        per_line: dict[int, list[tuple[Outcome, Finding]]] = defaultdict(list)
        for f in order_findings:
            o = outcome_for(f.code, policy)
            if f.location.line_number is None:
                order_level.append((o, f))
            else:
                per_line[int(f.location.line_number)].append((o, f))
        order_outcome = strongest([o for o, _ in order_level if o.scope == "order"]
                                  + [o for fs in per_line.values() for o, _ in fs if o.scope == "order"])
        dec = OrderDecision(partner=partner, po_number=po, order_ref=order["order_ref"],
                            source_file=order["source_file"], status=ACCEPTED,
                            codes=tuple(sorted({f.code for f in order_findings})),
                            reasons=tuple(dict.fromkeys(f.message for f in order_findings)))
        if person and person.verdict == "rejected":
            dec.status, dec.decided_by = REJECTED, person.by
            dec.reasons = (f"rejected by {person.by}: {person.reason}",) + dec.reasons
        elif order_outcome.action == "reject_order":
            dec.status = REJECTED
        elif order_outcome.action == "hold_order" and not (person and person.verdict == "approved"):
            dec.status = PENDING
        elif person and person.verdict == "approved":
            dec.decided_by = person.by
        for row in sorted(lines_by_order.get(key, []), key=lambda r: r["line_number"]):
            dec.lines.append(_line(row, order, per_line.get(row["line_number"], []),
                                   [(o, f) for o, f in order_level if o.scope == "line"], dec.status, person,
                                   prices, s, units))
        if dec.status == ACCEPTED and dec.lines and all(ld.ack01 == "IR" for ld in dec.lines):
            dec.status = REJECTED
        out.append(dec)
    return out


def _line(row: dict, order: dict, mine: list[tuple[Outcome, Finding]], shared: list[tuple[Outcome, Finding]],
          status: str, person: PersonDecision | None, prices, s: RuleSettings,
          units: Mapping[tuple[str, str], int] | None = None) -> LineDecision:
    qty = row["quantity"]
    per_unit = eaches_per_unit(row.get("unit"), row.get("sku"), row.get("case_pack"), units or {}, s)
    if status == REJECTED:
        return LineDecision(row["line_number"], "IR", "reject_order", qty, None, reason="order rejected")
    hits = mine + shared
    if person and person.verdict == "approved":  # a person's approval lifts holds, not line rejections
        hits = [(o, f) for o, f in hits if o.action not in ("hold_line", "hold_order")]
    outcome = strongest([o for o, _ in hits if o.scope == "line"])
    codes = tuple(dict.fromkeys(f.code for _, f in hits))
    reason = "; ".join(dict.fromkeys(f.message for _, f in hits))
    new_qty, new_price = qty, None
    if outcome.action == "change_quantity":
        adjusted = adjusted_quantity(qty or Decimal(0), row["unit"] or "", int(row.get("case_pack") or 1),
                                     int(row.get("min_order_qty") or 0), s, per_unit=per_unit)
        if adjusted is None:
            return LineDecision(row["line_number"], "IR", "reject_line", qty, None, codes, reason)
        new_qty = adjusted
    if outcome.action == "change_price":
        each = list_price(prices, row["partner"], row.get("sku") or "", order.get("po_date"), order.get("currency"))
        if each is None:
            return LineDecision(row["line_number"], "IR", "reject_line", qty, None, codes, reason + "; no price")
        new_price = each * (per_unit or 1)  # PO104 is per PO103 unit
    return LineDecision(row["line_number"], outcome.ack01, outcome.action, new_qty, new_price, codes, reason,
                        unit_eaches=per_unit or 1)

