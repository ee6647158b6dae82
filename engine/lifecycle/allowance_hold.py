"""An allowance an 860 brings after part of the order shipped, judged as at order time: an off-invoice allowance
(SAC01 A, SAC12 among the profile's po_allowances) matching no deal agreed with the customer (deals.csv:
rules.business.allowance_discounts.match_deal) that takes more than the customer's discount approval threshold off
holds the order for a person (ALLOWANCE_AFTER_SHIPMENT_HELD) before its next 810 takes it off what is still to
invoice. The change itself is applied and answered as any change after shipment; the order waits (held: its
shipments are still recorded, no 810 goes). Approved, the order goes back by what is left to ship and its next 810
takes the allowance off; rejected, the same, without the allowance (flows.reconcile.changed_sacs leaves out the
SACs a person rejected). Within the threshold, or matching a deal, nothing changes: the next 810 takes it off.

It used to be taken off the next 810 with nobody approving it: the rules do not decide a shipped order again.

Pure: the 860s' stored SAC rows, the deals and the threshold in; findings and transitions out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from engine.lifecycle.table import BILLABLE, SHIPPING, S, move
from schemas.findings import Finding, Location
from schemas.lifecycle import ENDED_LINES, EventKind, FindingRecord, LineRecord, OrderRecord, Plan
from schemas.profile import PartnerProfile

ALLOWANCE_AFTER_SHIPMENT_HELD = "ALLOWANCE_AFTER_SHIPMENT_HELD"
_HUNDRED = Decimal(100)


def _text(d: Decimal) -> str:
    return format(d.normalize(), "f")


def unapproved(sent: Sequence[Mapping], deals: Sequence[Mapping], po_date: date | None,
               threshold: Decimal | None, carried: Sequence[str], value: Decimal | None = None) -> list[str]:
    """Why each allowance of an 860 (``sent``: its CHANGE_SACS rows of the order) needs a person: an off-invoice
    allowance (SAC01 A, SAC12 in ``carried``) taking more than ``threshold`` percent off that no deal of ``deals``
    agrees (match_deal: its SAC13 the deal, its code, the PO's date, at most the deal's percent). What it takes off:
    its percent (SAC07), else a heading amount (SAC05) as a share of the order's ``value``, as the rules spread a
    heading amount by value at order time; a line's amount or a rate alone is not judged here. [] when none needs
    one (no threshold on file: none is judged, as at order time). A removal (SAC01 N) or a deleted line's SAC is
    none."""
    from rules.business.allowance_discounts import match_deal

    if threshold is None:
        return []
    out = []
    for r in sent:
        if r.get("kind") != "A" or (r.get("handling") or "") not in carried:
            continue
        if r.get("change_type") in ("DI", "CF"):
            continue
        if r.get("percent") is not None:
            percent = Decimal(r["percent"])
        elif r.get("amount") and r.get("line_id") is None and value:
            percent = round(Decimal(r["amount"]) / Decimal(value) * _HUNDRED, 2)
        else:
            continue
        if percent <= threshold:
            continue
        match = match_deal(r, r.get("reference"), None, po_date, deals, percent / _HUNDRED, None)
        if match.deal is not None and (r.get("line_id") is None or match.deal.get("sku") is None):
            continue
        where = "at the heading" if r.get("line_id") is None else f"on line {r['line_id']}"
        why = f" ({match.why})" if getattr(match, "why", "") else " (no deal on file)"
        what = f"{_text(percent)} %" if r.get("percent") is not None else \
            f"{_text(Decimal(r['amount']))} ({_text(percent)} % of the order's {_text(Decimal(value))})"
        out.append(f"SAC*A*{r.get('code') or ''} {what} {where}{why}")
    return out


def needing_a_person(shipped: Sequence, sent: Mapping[int, Sequence[Mapping]],
                     records: Mapping[tuple[str, str], OrderRecord], customers: pa.Table, deals: pa.Table | None,
                     profiles: Mapping[str, PartnerProfile]) -> dict[tuple[str, str], str]:
    """(partner, PO) -> why, for each order a change of ``shipped`` (860s applied or answered after part of it
    shipped: shipped_changes) adds an allowance to that needs a person (unapproved: over the customer's discount
    approval threshold in ``customers``, matching no deal of ``deals`` (deals.csv)); ``sent``: each change's
    CHANGE_SACS rows by its id. A change of a partner without a profile or a threshold on file: none."""
    thresholds = {c["partner"]: c.get("discount_approval_threshold_percent") for c in customers.to_pylist()
                  if c.get("partner")}
    out: dict[tuple[str, str], str] = {}
    for ch in shipped:
        key, profile = (ch.partner, ch.po_number), profiles.get(ch.partner)
        threshold = thresholds.get(ch.partner)
        if ch.id not in sent or profile is None or threshold is None:
            continue
        threshold = Decimal(str(threshold))
        mine = deals.filter(pc.equal(deals["partner"], ch.partner)).to_pylist() \
            if deals is not None and deals.num_rows else []
        why = unapproved(sent[ch.id], mine, records[key].po_date, threshold, profile.fulfilment.invoice.po_allowances,
                         records[key].value)
        if why:
            out[key] = hold_message(ch.po_number, ch.source_file, why, threshold)
    return out


def hold_message(po_number: str, source_file: str, why: Sequence[str], threshold: Decimal) -> str:
    """What ops reads of the hold (the finding's message and the order's hold reason)."""
    return (f"PO {po_number}: the 860 in {source_file} adds after shipment an allowance over the "
            f"{_text(threshold)}% that needs approval, matching no deal agreed: {'; '.join(why)}. The next 810 "
            "(what is still to invoice) waits: approve to take the allowance off it, reject to invoice without it.")


def hold_after_shipment(plan: Plan, held: Mapping[tuple[str, str], str], *, at: str, run_id: str) -> Plan:
    """``plan`` with each order of ``held`` ((partner, PO) -> why) that its last transition leaves shipping with
    units to invoice (partially_shipped, shipped) moved on to held (ALLOWANCE_HELD, hold code
    ALLOWANCE_AFTER_SHIPMENT_HELD), and the finding saying why. Orders left otherwise are untouched."""
    last: dict[tuple[str, str], OrderRecord] = {}
    for t in plan.transitions:
        last[t.record.key] = t.record
    added, found = [], []
    for key, why in sorted(held.items()):
        record = last.get(key)
        if record is None or record.state not in BILLABLE:
            continue
        added.append(move(record, EventKind.ALLOWANCE_HELD, at=at, run_id=run_id, note=why,
                          hold_codes=(ALLOWANCE_AFTER_SHIPMENT_HELD,), hold_reasons=(why,)))
        f = Finding(code=ALLOWANCE_AFTER_SHIPMENT_HELD, severity="error", message=why,
                    location=Location(segment_id="SAC", element="SAC07"))
        found.append(FindingRecord(f, key[0], key[1], "order held: its next 810 waits", "decide"))
    if not added:
        return plan
    return plan + Plan(transitions=tuple(added), findings=tuple(found))


def allowance_held(record: OrderRecord) -> bool:
    """True for an order held because an 860 after shipment added an allowance that needs approval."""
    return record.state == S.HELD and ALLOWANCE_AFTER_SHIPMENT_HELD in record.hold_codes


def resumed_event(lines: Sequence[LineRecord]) -> EventKind:
    """The event taking such an order back once a person decided: units left to ship (partially_shipped) or not
    (shipped; the invoice stage bills what is left)."""
    left = any(ln.promised > ln.shipped for ln in lines if ln.state not in ENDED_LINES)
    return EventKind.ALLOWANCE_DECIDED if left else EventKind.ALLOWANCE_DECIDED_SHIPPED


def rejected_changes(records: Mapping[tuple[str, str], OrderRecord], changes: Sequence) -> frozenset[int]:
    """The ids of ``changes`` (stored 860s: id, partner, po_number, received_at) whose added allowances a person
    rejected: of an order held for them (its decision's codes ALLOWANCE_AFTER_SHIPMENT_HELD, the verdict rejected),
    received before that decision. Their allowances (SAC01 A) are taken off no 810, nor expected of one."""
    out = set()
    for c in changes:
        r = records.get((c.partner, c.po_number))
        if r is None or r.person is None or r.person.verdict != "rejected" \
                or ALLOWANCE_AFTER_SHIPMENT_HELD not in r.codes:
            continue
        if str(c.received_at or "") <= str(r.person.at or ""):
            out.add(c.id)
    return frozenset(out)


def shipped_changes(plan: Plan, pending: Sequence, records: Mapping[tuple[str, str], OrderRecord]) -> list:
    """The 860s of ``pending`` that ``plan`` applied or answered on an order that had shipped (``records``: the
    orders before the plan): those whose added allowances are judged here."""
    taken = {u.change_id for u in plan.change_updates if u.status in ("applied", "answered")}
    return [c for c in pending if c.id in taken and (r := records.get((c.partner, c.po_number))) is not None
            and r.state in SHIPPING]
