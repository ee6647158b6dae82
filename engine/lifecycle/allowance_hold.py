"""An allowance an 860 brings after part of the order shipped, judged as at order time: an off-invoice allowance
(SAC01 A, SAC12 among the profile's po_allowances; a percent, an amount or a rate, at the heading or on a line)
matching no deal agreed with the customer (deals.csv: rules.business.allowance_discounts.match_deal) that takes a
line's PO104, less the order's allowances matching no deal, below our price by more than the customer's discount
approval threshold (rules.business.money.added_allowance_findings, as _allowance_price at order time) holds the order
for a person (ALLOWANCE_AFTER_SHIPMENT_HELD) before its next 810 takes it off what is still to invoice. The change
itself is applied and answered as any change after shipment; the order waits (held: its shipments are still
recorded, no 810 goes). Approved, the order goes back by what is left to ship and its next 810 takes the allowance
off; rejected, the same, without the allowances the hold judged (its finding's detail names them: rejected_sacs;
flows.reconcile.changed_sacs leaves them out, and nothing else). A further 860 keeps the hold unless it withdraws the
allowance (standing, after_further_changes); one raising a line and adding another allowance needing a person holds
it again with a reason naming that one too (decided_again). An order a person approved at order time beyond the
threshold is held only by an allowance taking a line further than the approval covered (approved_sacs). Within the
threshold, or matching a deal, nothing changes: the next 810 takes it off. An 860 adding one after the order was
invoiced in full holds nothing (no 810 follows): not_billed says so and what it would have come to on the 810s sent
(ALLOWANCE_AFTER_INVOICED).

Pure: the 860s' stored SAC rows, the judgement's findings and the records in; findings and transitions out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa

from engine.lifecycle.table import BILLABLE, SHIPPING, S, move, moves
from schemas.findings import Detail, Finding, Location, SacNamed
from schemas.lifecycle import ENDED_LINES, EventKind, FindingRecord, LineRecord, OrderRecord, Plan
from schemas.money_text import money_text
from schemas.reasons_text import join_reasons

ALLOWANCE_AFTER_SHIPMENT_HELD = "ALLOWANCE_AFTER_SHIPMENT_HELD"
ALLOWANCE_AFTER_INVOICED = "ALLOWANCE_AFTER_INVOICED"
DISCOUNT_OVER_THRESHOLD = "DISCOUNT_OVER_THRESHOLD"  # the rules' hold of a line beyond the approval threshold
# its consequence, as the failures report shows it
NOT_BILLED = "none: no invoice remains to carry the allowance (no 810 takes it off; nothing held)"
_HUNDRED = Decimal(100)


def _text(d: Decimal) -> str:
    return format(d.normalize(), "f")


def candidates(sent: Sequence[Mapping], carried: Sequence[str]) -> list[Mapping]:
    """The allowances of an 860 (``sent``: its CHANGE_SACS rows of the order) our 810s would take off: SAC01 A,
    SAC12 among the profile's ``carried`` (po_allowances), priced (a percent, an amount or a rate), neither a removal
    (SAC01 N) nor a deleted line's SAC (POC02 DI, CF)."""
    return [r for r in sent if r.get("kind") == "A" and (r.get("handling") or "") in carried
            and r.get("change_type") not in ("DI", "CF")
            and any(r.get(c) is not None for c in ("percent", "amount", "rate"))]


def sac_key(r: Mapping) -> tuple:
    """One SAC's identity within its 860 (its POC01, its position, kind and code): what the hold keeps of it."""
    return (r.get("line_id"), r.get("segment_position"), r.get("kind"), r.get("code"), r.get("agency_code"))


def sac_words(r: Mapping) -> str:
    """One allowance as a hold names it: "SAC*A*C310 12 % at the heading", "SAC*A*C310 25.00 on line 1"."""
    if r.get("amount") is not None and (r["amount"] != 0 or (r.get("percent") is None and r.get("rate") is None)):
        what = money_text(r["amount"], None)
    elif r.get("percent") is not None:
        what = f"{_text(Decimal(r['percent']))} %"
    else:
        what = f"{_text(Decimal(r['rate']))} per {r.get('unit') or 'unit'}"
    where = "at the heading" if r.get("line_id") is None else f"on line {r['line_id']}"
    code = r.get("code") or r.get("agency_code") or ""
    return f"SAC*A*{code} {what} {where}"


@dataclass(frozen=True, slots=True)
class Judged:
    """An order an 860 after shipment added an allowance to that needs a person: ``why`` (the hold's words),
    ``sacs`` the 860's allowances judged (its CHANGE_SACS rows: what a rejection takes off, nothing else), the
    860's file."""

    why: str
    sacs: tuple[Mapping, ...]
    source_file: str = ""
    change_ref: str = ""  # the 860's ISA13-GS06-ST02


def judged(change, sent: Sequence[Mapping], beyond: Sequence[tuple[Mapping, Finding]], agreed: frozenset,
           threshold: Decimal, carried: Sequence[str]) -> Judged | None:
    """What of ``change`` (a stored 860 applied after shipment; ``sent``: its CHANGE_SACS rows of the order) needs a
    person: ``beyond``, the order's lines its allowances now take beyond the customer's ``threshold`` judged as at
    order time (rules.business.money.added_allowance_findings: the line's PO104 less the share matching no deal,
    against our price); ``agreed``, the sac_key of each allowance a deal agrees (not judged). The 860's carried
    allowances matching no deal, at the heading or on such a line, are the ones judged. None: none needs one."""
    if not beyond:
        return None
    lines = {row.get("line_id") for row, _f in beyond} | {str(row.get("line_number")) for row, _f in beyond}
    mine = tuple(r for r in candidates(sent, carried) if sac_key(r) not in agreed
                 and (r.get("line_id") is None or r["line_id"] in lines))
    if not mine:
        return None  # the lines are beyond it by what was there before (judged at order time), not by this 860
    said = "; ".join(f"line {row.get('line_id') or row.get('line_number')}: {f.message}" for row, f in beyond)
    return Judged(hold_message(change.po_number, change.source_file, [sac_words(r) for r in mine], said, threshold),
                  mine, change.source_file, change.change_ref)


def hold_message(po_number: str, source_file: str, sacs: Sequence[str], said: str, threshold: Decimal) -> str:
    """What ops reads of the hold (the finding's message and the order's hold reason)."""
    return (f"PO {po_number}: the 860 in {source_file} adds after shipment {'; '.join(sacs)}, matching no deal "
            f"agreed, which takes a line over the {_text(threshold)}% that needs approval, judged as at order time "
            f"({said}) The next 810 (what is still to invoice) waits: approve to take the allowance off it, reject "
            "to invoice without it.")


def hold_after_shipment(plan: Plan, held: Mapping[tuple[str, str], Judged], *, at: str, run_id: str,
                        before: Mapping[tuple[str, str], OrderRecord] | None = None,
                        lines: Mapping[tuple[str, str], Sequence[LineRecord]] | None = None) -> Plan:
    """``plan`` with each order of ``held`` ((partner, PO) -> what needs a person) that its last transition leaves
    shipping with units to invoice (partially_shipped, shipped) moved on to held (ALLOWANCE_HELD, hold code
    ALLOWANCE_AFTER_SHIPMENT_HELD), and the finding saying why, its detail naming the allowances judged (at the 860's
    file: what a rejection takes off, rejected_sacs). One held so already (``before``: the records before the run, for
    an order the plan does not move) is held again for what a further 860 adds, its reason the new one (stepped out
    by what is left to ship, ``lines``, and in again). Orders left otherwise are untouched."""
    last: dict[tuple[str, str], OrderRecord] = {}
    for t in plan.transitions:
        last[t.record.key] = t.record
    added, found = [], []
    for key, what in sorted(held.items()):
        record = last.get(key, (before or {}).get(key))
        if record is None:
            continue
        isa13, gs06, st02 = (what.change_ref.split("-", 2) + ["", "", ""])[:3]
        if allowance_held(record):  # held already: judged again, held for what this 860 adds (steps out and in)
            added.append(moves(record, [
                (resumed_event((lines or {}).get(key, ())), "system",
                 f"judged again: the 860 in {what.source_file} changes the allowance held", ""),
                (EventKind.ALLOWANCE_HELD, "system", what.why, "")], at=at, run_id=run_id,
                hold_codes=(ALLOWANCE_AFTER_SHIPMENT_HELD,), hold_reasons=(what.why,)))
        elif record.state in BILLABLE:
            added.append(move(record, EventKind.ALLOWANCE_HELD, at=at, run_id=run_id, note=what.why,
                              hold_codes=(ALLOWANCE_AFTER_SHIPMENT_HELD,), hold_reasons=(what.why,)))
        elif not (record.state == S.CHANGED and (was := (before or {}).get(key)) is not None
                  and (allowance_held(was) or was.state in BILLABLE)):
            continue
        # (one held so that the 860 takes back to the rules, a line raised: the decision holds it again, its reason
        # naming what this 860 adds too: decided_again; one shipping that the 860 takes back to the rules, a line
        # added: the rules hold it for the allowance, DISCOUNT_OVER_THRESHOLD, and this finding names what a
        # person's rejection takes off the next 810: rejected_changes)
        f = Finding(code=ALLOWANCE_AFTER_SHIPMENT_HELD, severity="error", message=what.why,
                    location=Location(file=what.source_file, isa13=isa13, gs06=gs06, st02=st02, segment_id="SAC",
                                      element="SAC07"),
                    detail=Detail(sacs=tuple(named(r) for r in what.sacs)))
        found.append(FindingRecord(f, key[0], key[1], "order held: its next 810 waits", "decide"))
    if not added and not found:
        return plan
    return plan + Plan(transitions=tuple(added), findings=tuple(found))


def decided_again(rv, held: Mapping[tuple[str, str], Judged], before: Mapping[tuple[str, str], OrderRecord],
                  judged: Mapping[tuple[str, str], Sequence[tuple[str, str, str]]],
                  after: Mapping[tuple[str, str], pa.Table]):
    """``rv`` (engine.lifecycle.changes.Revisions) with each order held for an allowance after shipment (``before``:
    its record before the run) that a further 860 takes back to the rules (changed: a line raised) and adds an
    allowance needing a person to (``held``: hold_after_shipment records its finding) carrying a hold reason naming
    it: the reasons it was held for while an allowance its holds judged still stands (``judged``:
    StateStore.finding_sacs; ``after``: its allowances as the 860s leave them; still_standing), then the new one.
    engine.lifecycle.decisions holds it again with these reasons (it used to keep the old reason alone, the new
    allowance neither named nor in a hold finding, so a rejection left it on the next 810)."""
    from dataclasses import replace

    from schemas.findings import sacs_of

    new = {}
    for key, what in held.items():
        r, was = rv.records.get(key), before.get(key)
        if r is None or was is None or r.state != S.CHANGED or not allowance_held(was):
            continue
        kept = not judged.get(key) or any(still_standing(sacs_of(stored)[0], after.get(key))
                                          for _file, _ref, stored in judged[key])
        reasons = (*(was.hold_reasons if kept else ()), what.why)
        new[key] = r.evolve(hold_codes=(ALLOWANCE_AFTER_SHIPMENT_HELD,), hold_reasons=reasons)
    if not new:
        return rv
    return replace(rv, records={**rv.records, **new})


def named(r: Mapping) -> SacNamed:
    """One judged allowance as the hold finding's detail keeps it (its figures as text)."""
    def text(v) -> str | None:
        return None if v is None else format(Decimal(v), "f")
    return SacNamed(kind=r.get("kind") or "A", code=r.get("code"), agency_code=r.get("agency_code"),
                    line_id=r.get("line_id"), amount=text(r.get("amount")), basis=r.get("basis"),
                    percent=text(r.get("percent")), rate=text(r.get("rate")), handling=r.get("handling"),
                    description=r.get("description"), words=sac_words(r))


def still_standing(held: Sequence[SacNamed], after: pa.Table | None) -> bool:
    """Whether an allowance a hold judged (``held``: its finding's SACs) still stands on the order's allowances as
    the further 860s left them (``after``: ORDER_SACS, changed_allowances): the same figures at the same place. An
    860 taking it off (SAC01 N), restating the heading without it (BCH01 05), sending another figure for its code
    or deleting its line withdraws it."""
    if after is None or not after.num_rows:
        return False
    now = {figures(r) for r in after.to_pylist() if r.get("kind") == "A"}
    return any(figures(s) in now for s in held)


def further_changes(plan: Plan, pending: Sequence, records: Mapping[tuple[str, str], OrderRecord]) -> list:
    """The 860s of ``pending`` that ``plan`` applied or answered on an order held for an allowance after shipment
    (``records``: the orders before the plan; allowance_held): whether the hold stands after them (standing)."""
    taken = {u.change_id for u in plan.change_updates if u.status in ("applied", "answered")}
    return [c for c in pending if c.id in taken and (r := records.get((c.partner, c.po_number))) is not None
            and allowance_held(r)]


def standing(further: Sequence, judged: Mapping[tuple[str, str], Sequence[tuple[str, str, str]]],
             after: Mapping[tuple[str, str], pa.Table], again: Collection[tuple[str, str]] = ()
             ) -> dict[tuple[str, str], tuple[bool, str]]:
    """(partner, PO) -> whether the allowance its hold judged (``judged``: StateStore.finding_sacs, its latest hold
    finding's) still stands on its allowances as the ``further`` 860s left them (``after``: still_standing), and
    the last such 860's file; ``again``: the orders held again this run for what the 860s add (hold_after_shipment):
    standing. An order whose hold named no allowance (recorded before its finding kept them): left to the person
    (absent)."""
    from schemas.findings import sacs_of

    files = {(c.partner, c.po_number): c.source_file for c in further}
    return {key: (key in again or still_standing(sacs_of(judged[key][-1][2])[0], after.get(key)), file)
            for key, file in sorted(files.items()) if judged.get(key) or key in again}


def let_go(rv, standing: Mapping[tuple[str, str], tuple[bool, str]]):
    """``rv`` (engine.lifecycle.changes.Revisions) with each order whose further 860 withdrew the allowance held
    (``standing``) and that the rules decide again (changed: a line raised) recorded without the hold code and
    reason: decided without it (engine.lifecycle.decisions holds again only an order that still carries it)."""
    from dataclasses import replace

    gone = {key for key, (stands, _file) in standing.items() if not stands
            and (r := rv.records.get(key)) is not None and r.state == S.CHANGED}
    if not gone:
        return rv
    return replace(rv, records={k: r.evolve(hold_codes=(), hold_reasons=()) if k in gone else r
                                for k, r in rv.records.items()})


def after_further_changes(plan: Plan, before: Mapping[tuple[str, str], OrderRecord],
                          standing: Mapping[tuple[str, str], tuple[bool, str]],
                          lines: Mapping[tuple[str, str], Sequence[LineRecord]], *, at: str, run_id: str) -> Plan:
    """``plan`` with each order held for an allowance after shipment (``before``: its record before the run) that a
    further 860 of the run changed (``standing``: (partner, PO) -> whether the allowance held still stands, and the
    860's file) kept held or let go. Standing, an order the change took back to shipping (a line raised: partially
    shipped) is held again with its hold code and reason (it used to lose them, its next 810 taking the allowance
    off unapproved); one still held stays so. Withdrawn, a held order goes back by what is left to ship
    (``lines``: its line records; resumed_event), its hold code and reason gone: nobody has anything to decide, and
    its next 810 goes without the allowance."""
    last: dict[tuple[str, str], OrderRecord] = {}
    for t in plan.transitions:
        last[t.record.key] = t.record
    added = []
    for key, (stands, file) in sorted(standing.items()):
        was = before[key]
        now = last.get(key, was)
        if stands and now.state in BILLABLE:
            added.append(move(now, EventKind.ALLOWANCE_HELD, at=at, run_id=run_id,
                              note=f"still held after the 860 in {file}: {join_reasons(was.hold_reasons)}",
                              hold_codes=was.hold_codes, hold_reasons=was.hold_reasons))
        elif not stands and now.state == S.HELD and ALLOWANCE_AFTER_SHIPMENT_HELD in now.hold_codes:
            added.append(move(now, resumed_event(lines.get(key, ())), at=at, run_id=run_id,
                              note=f"the 860 in {file} withdrew the allowance held after shipment: nothing to decide; "
                                   "the next 810 goes without it", hold_codes=(), hold_reasons=()))
    return plan + Plan(transitions=tuple(added)) if added else plan


def invoiced_value(ln: LineRecord) -> Decimal:
    """What the 810s sent billed for one line's merchandise: its units invoiced at its price (ours when we changed it,
    else PO104), per priced_per units."""
    price = ln.ack_price if ln.ack_price is not None else ln.unit_price
    if price is None or not ln.invoiced:
        return Decimal(0)
    return Decimal(ln.invoiced) * Decimal(price) / (ln.priced_per or Decimal(1))


def would_have_come_to(r: Mapping, lines: Sequence[LineRecord]) -> Decimal | None:
    """What one allowance (a CHANGE_SACS row) would have taken off the 810s sent for the order (``lines``: its line
    records, their units invoiced): an amount (SAC05) as sent; a percent (SAC08) of the merchandise invoiced, the
    heading's of every line, a line's of its own; a rate (SAC08 per unit) times the line's units invoiced (at the
    heading, every line's). Rounded to the cent. None: nothing to reckon it on (no line invoiced, or its line not
    found)."""
    line_id = r.get("line_id")
    mine = [ln for ln in lines if line_id is None or line_id in (ln.line_id, str(ln.line_number))]
    if not mine:
        return None
    if r.get("amount") is not None and (r["amount"] != 0 or (r.get("percent") is None and r.get("rate") is None)):
        got = Decimal(r["amount"])
    elif r.get("percent") is not None:
        got = Decimal(r["percent"]) * sum((invoiced_value(ln) for ln in mine), Decimal(0)) / _HUNDRED
    elif r.get("rate") is not None:
        got = Decimal(r["rate"]) * sum((Decimal(ln.invoiced) for ln in mine), Decimal(0))
    else:
        return None
    return got.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def not_billed(plan: Plan, shipped: Sequence, sent: Mapping[int, Sequence[Mapping]],
               records: Mapping[tuple[str, str], OrderRecord], carried: Mapping[str, Sequence[str]],
               lines: Mapping[tuple[str, str], Sequence[LineRecord]] | None = None) -> Plan:
    """ALLOWANCE_AFTER_INVOICED (a warning) for each order of ``shipped`` (860s applied or answered after shipment:
    shipped_changes) invoiced in full (invoiced, closed: no 810 follows) that its 860 adds an allowance our 810s would
    take off to (candidates; ``carried``: each partner's po_allowances; ``sent``: each change's CHANGE_SACS rows):
    nothing is held, for no invoice remains to carry it. It used to pass in silence. Each allowance is said with what
    it would have come to on the 810s sent (would_have_come_to on ``lines``, the order's line records; in the order's
    currency), and the detail's our_810s keeps it, so finance can issue a credit memo by hand if it is agreed."""
    last: dict[tuple[str, str], OrderRecord] = dict(records)
    for t in plan.transitions:
        last[t.record.key] = t.record
    found = []
    for ch in shipped:
        key = (ch.partner, ch.po_number)
        record = last.get(key)
        if record is None or record.state not in (S.INVOICED, S.CLOSED):
            continue
        mine = candidates(sent.get(ch.id, ()), carried.get(ch.partner, ()))
        if not mine:
            continue
        said = "; ".join(sac_words(r) for r in mine)
        currency = record.currency or "in the order's currency"
        sums = [would_have_come_to(r, (lines or {}).get(key, ())) for r in mine]
        cur = record.currency
        comes = [f"{sac_words(r)}: " + ("not reckoned (no line invoiced to reckon it on)" if v is None
                                         else f"{money_text(v, cur)} {currency}")
                 for r, v in zip(mine, sums, strict=True)]
        total = sum((v for v in sums if v is not None), Decimal(0))
        isa13, gs06, st02 = (ch.change_ref.split("-", 2) + ["", "", ""])[:3]
        f = Finding(code=ALLOWANCE_AFTER_INVOICED, severity="warning", message=(
            f"PO {ch.po_number}: the 860 in {ch.source_file} adds {said} after the order was invoiced in full "
            f"({str.__str__(record.state)}): no invoice remains to carry it, so no 810 takes it off and nothing is "
            f"held. On the 810s sent it would have come to {money_text(total, cur)} {currency} "
            f"({'; '.join(comes)}). If it "
            "stands, settle it with the buyer apart (a credit memo for that amount only if agreed); the buyer may "
            "deduct it."),
            location=Location(file=ch.source_file, isa13=isa13, gs06=gs06, st02=st02, segment_id="SAC",
                              element="SAC01"),
            detail=Detail(sacs=tuple(named(r) for r in mine), our_810s=tuple(comes)))
        found.append(FindingRecord(f, ch.partner, ch.po_number, NOT_BILLED, "decide"))
    return plan + Plan(findings=tuple(found)) if found else plan


def approved_at_order_time(record: OrderRecord, approved_before: bool = False) -> bool:
    """True for an order a person approved when its decision found a line beyond the customer's discount approval
    threshold (DISCOUNT_OVER_THRESHOLD): what its allowances then took off is approved (an allowance after shipment
    is held only when it takes a line further: rules.business.money.added_allowance_findings). Its last decision
    says so (approved, the code among its codes), or ``approved_before``: its history does (a person's approval,
    approved_by_person, of an order with a DISCOUNT_OVER_THRESHOLD finding: approved_in_history), for one decided
    since by a person for an allowance after shipment, whose codes no longer carry it (it used to be forgotten)."""
    return approved_before or (record.person is not None and record.person.verdict == "approved"
                               and DISCOUNT_OVER_THRESHOLD in record.codes)


def approved_in_history(events: Collection[tuple[str, str]], found: Collection[tuple[str, str]],
                        keys: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
    """The orders of ``keys`` approved at order time by their history: a person approved them when the rules held
    them (``events``: the orders whose history holds approved_by_person) and the rules found a line beyond the
    threshold (``found``: those with a DISCOUNT_OVER_THRESHOLD finding)."""
    return {k for k in keys if k in events and k in found}


APPROVED_EVENT = EventKind.APPROVED_BY_PERSON.value  # a person's approval of an order the rules held


def history_to_read(records: Mapping[tuple[str, str], OrderRecord], keys: Collection[tuple[str, str]]
                    ) -> set[tuple[str, str]]:
    """The orders of ``keys`` whose history says whether a person approved them at order time (approved_in_history):
    those a person decided whose last decision does not say so (approved_at_order_time)."""
    return {k for k in keys if (r := records.get(k)) is not None and r.person is not None
            and not approved_at_order_time(r)}


def approved_sacs(record: OrderRecord, sacs, approved_before: bool = False):
    """The allowances a person approved at order time (approved_at_order_time) of ``record``: its 850's SACs as
    ``sacs()`` reads them; None for an order without such an approval (``sacs`` not called)."""
    return sacs() if approved_at_order_time(record, approved_before) else None


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
    rejected: of an order held for them (its decision's codes ALLOWANCE_AFTER_SHIPMENT_HELD, or DISCOUNT_OVER_THRESHOLD
    for one an 860 adding a line took back to the rules after shipment: hold_after_shipment; the verdict rejected),
    received before that decision (rejected_sacs keeps only what the 860's hold findings judged)."""
    out = set()
    for c in changes:
        r = records.get((c.partner, c.po_number))
        if r is None or r.person is None or r.person.verdict != "rejected" \
                or not {ALLOWANCE_AFTER_SHIPMENT_HELD, DISCOUNT_OVER_THRESHOLD} & set(r.codes):
            continue
        if str(c.received_at or "") <= str(r.person.at or ""):
            out.add(c.id)
    return frozenset(out)


def figures(r: Mapping) -> tuple:
    """An allowance as a rejection matches it: kind, code, agency code, line (POC01) and its figures (amount, percent,
    rate as numbers): a PO_CHARGES row or a hold's SacNamed alike."""
    def number(v) -> Decimal | None:
        return None if v is None or v == "" else Decimal(str(v)).normalize()
    get = r.get if isinstance(r, Mapping) else (lambda k: getattr(r, k))
    return (get("kind"), get("code") or None, get("agency_code") or None, get("line_id") or None,
            number(get("amount")), number(get("percent")), number(get("rate")))


def rejected_sacs(records: Mapping[tuple[str, str], OrderRecord], changes: Sequence,
                  judged: Mapping[tuple[str, str], Sequence[tuple[str, str]]]) -> dict[int, frozenset[tuple]]:
    """Change id -> the figures of its allowances a person rejected: those the order's hold judged (``judged``: (file,
    ISA13-GS06-ST02, sacs) of its ALLOWANCE_AFTER_SHIPMENT_HELD findings, StateStore.finding_sacs) in that 860, of
    the changes rejected_changes names. Nothing else of an 860 is: a deal-matched allowance sent beside the one held, or
    one an earlier 860 brought, stays (a rejection used to drop every SAC01 A of every 860 received before it)."""
    from schemas.findings import sacs_of

    turned = rejected_changes(records, changes)
    out: dict[int, frozenset[tuple]] = {}
    for c in changes:
        if c.id not in turned:
            continue
        mine = [figures(s) for file, ref, stored in judged.get((c.partner, c.po_number), ())
                if (file, ref) == (c.source_file, c.change_ref) for s in sacs_of(stored)[0]]
        if mine:
            out[c.id] = frozenset(mine)
    return out


def shipped_changes(plan: Plan, pending: Sequence, records: Mapping[tuple[str, str], OrderRecord]) -> list:
    """The 860s of ``pending`` that ``plan`` applied or answered on an order that had shipped (``records``: the
    orders before the plan; one held already for an allowance after shipment too: what a further 860 adds is judged
    again): those whose added allowances are judged here."""
    taken = {u.change_id for u in plan.change_updates if u.status in ("applied", "answered")}
    return [c for c in pending if c.id in taken and (r := records.get((c.partner, c.po_number))) is not None
            and (r.state in SHIPPING or allowance_held(r))]


# the 865 answering a person's decision on an allowance held after shipment: its doc_key (once per 860: the store
# keeps the first set of a key, so the nights after the decision plan it again in vain)
DECIDED_865 = "{po}:865:allowance:{ref}"


def decided_after_shipment(record: OrderRecord) -> bool:
    """True for an order a person approved or rejected while it was held for an allowance an 860 added after shipment
    (its decision's codes ALLOWANCE_AFTER_SHIPMENT_HELD), still shipping or shipped (no 810 since: the invoice stage
    runs after the decide stage that answers it)."""
    return record.person is not None and ALLOWANCE_AFTER_SHIPMENT_HELD in record.codes and \
        record.state in BILLABLE


def decided_sac(s: SacNamed) -> list[str]:
    """One allowance a hold judged (its finding's SacNamed) as the 865 states it: as the 860 sent it (engine.po_ack.
    ack_sac: SAC01, SAC02, SAC03/04, SAC05, SAC06/07, SAC08, SAC12, SAC15), no deal (SAC13: a person approved it)."""
    from engine.po_ack import ack_sac

    agency, _, code = (s.agency_code or "").partition(":")

    def number(v: str | None) -> Decimal | None:
        return None if v is None or v == "" else Decimal(v)
    return ack_sac({"kind": s.kind, "code": s.code, "agency": agency, "agency_code": code, "amount": number(s.amount),
                    "basis": s.basis, "percent": number(s.percent), "rate": number(s.rate),
                    "handling": s.handling, "description": s.description}, "")


def decision_865(record: OrderRecord, held: Sequence[SacNamed], *, today) -> list[list[str]]:
    """The body of the 865 telling the buyer a person's decision on the allowances an 860 added after shipment
    (``held``: the ones its hold judged; ``record``: the order as decided). X12's 865 conveys the acceptance or
    rejection of a buyer's change; the 860's other changes were answered on its night (the revised 855 or 865 stated
    no allowance needing approval), so this one speaks of the allowance: approved, BCA02 AD (acknowledged with detail,
    no change) stating the heading's allowances in the heading SAC loop as sent (a line's is in no POC loop: the
    line's change was answered that night; the 810 carries it); rejected, BCA02 RJ (rejected, no detail). BCA01 00,
    BCA03 the PO, BCA04 its release, BCA06 its date, BCA10 today."""
    from engine.po_change_ack import SAC_LOOPS
    from schemas.order_keys import key_release, x12_po

    approved = record.person is not None and record.person.verdict == "approved"
    po_date = record.po_date.strftime("%Y%m%d") if record.po_date is not None else today.strftime("%Y%m%d")
    body: list[list[str]] = [["BCA", "00", "AD" if approved else "RJ", x12_po(record.po_number),
                              key_release(record.po_number), "", po_date, "", "", "", today.strftime("%Y%m%d")]]
    while body[0][-1] == "":
        body[0].pop()
    if approved:
        body += [decided_sac(s) for s in held if s.line_id is None][:SAC_LOOPS]
    return body


def decided_answers(records: Mapping[tuple[str, str], OrderRecord],
                    judged: Mapping[tuple[str, str], Sequence[tuple[str, str, str]]],
                    receives_865: Collection[str], *, today) -> Plan:
    """The 865s telling the buyer a person's decision on allowances held after shipment (it used to hear nothing: the
    next 810 carried the allowance or went without it): for each order of ``records`` so decided
    (decided_after_shipment) of a partner whose profile receives 865s (``receives_865``), one per 860 its holds
    judged (``judged``: StateStore.finding_sacs, (file, ISA13-GS06-ST02, sacs)), decision_865, under the doc_key
    DECIDED_865 (once per 860: a key stored is not sent again)."""
    from engine.lifecycle.common import transaction_set
    from schemas.findings import sacs_of

    docs = []
    for key, record in sorted(records.items()):
        if record.partner not in receives_865 or not decided_after_shipment(record):
            continue
        for _file, ref, stored in judged.get(key, ()):
            held = sacs_of(stored)[0]
            docs.append(transaction_set("865", "CA", DECIDED_865.format(po=record.po_number, ref=ref),
                                        decision_865(record, held, today=today), partner=record.partner,
                                        po_number=record.po_number))
    return Plan(documents=tuple(docs)) if docs else Plan()


def answers_asked(judged: Mapping[tuple[str, str], Sequence[tuple[str, str, str]]], changes: Sequence,
                  change_tables: Mapping) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
    """``judged`` (StateStore.finding_sacs rows, (file, ref, sacs) by order) without the 860s whose buyer asked for
    no answer (BCH01 49, original - no response necessary: engine.changes.answer_wanted), so no 865 nor revised 855
    tells the decision on their allowances, as none answered them on their night (``changes``: the orders' stored
    changes; ``change_tables``: their 860 tables by (partner, store key)). It used to go for a 49 too."""
    from engine.lifecycle.changes import no_answer_asked

    silent = no_answer_asked({k: v for k, v in change_tables.items()
                              if k in {(c.partner, c.store_key) for c in changes}})
    quiet = {(c.partner, c.po_number, c.source_file, c.change_ref) for c in changes
             if (c.partner, c.store_key, c.change_ref) in silent}
    return {key: [r for r in rows if (*key, r[0], r[1]) not in quiet] for key, rows in judged.items()}


# the revised 855 telling the buyer the decision, for a partner answered by 855s: its own doc key after the one that
# answered the 860 that night (855:<store key>:<change ref>)
DECIDED_855 = "855:{store_key}:{ref}:allowance"


def decision_855(ch, record: OrderRecord, held: Sequence[SacNamed], order_row: Mapping, rows: pa.Table,
                 lines: Sequence[LineRecord], profile, told, *, today):
    """The revised 855 (BAK01 05) telling the buyer a person's decision on the allowances ``ch`` (a stored 860 added
    after shipment; ``held``: the ones its hold judged) for a partner answered by 855s whose 855 states allowances
    ([acks.po_ack] allowances = "agreed"): the order restated as engine.lifecycle.changes.revised_855 writes it
    after shipment (``order_row``, ``rows``: its stored tables; ``lines``: its line records), stating what the
    order's last 855 stated (``told``: engine.po_ack.StatedSacs; None: nothing) and, approved, the judged allowances
    as the 860 sent them (the heading's in its SAC loop, a line's in its PO1 loop); rejected, without them and BAK02
    AC (acknowledged with detail and change: the change taken but its allowance). Under DECIDED_855 (once)."""
    from dataclasses import replace

    from engine.lifecycle.changes import revised_855
    from engine.po_ack import StatedSacs

    approved = record.person is not None and record.person.verdict == "approved"
    heading = [list(s) for s in (told.heading if told is not None else ())]
    by_line = {k: [list(s) for s in v] for k, v in ((told.lines or {}) if told is not None else {}).items()}
    if approved:
        for s in held:
            if s.line_id is None:
                heading.append(decided_sac(s))
            else:
                by_line.setdefault(s.line_id, []).append(decided_sac(s))
    stated = StatedSacs(tuple(tuple(s) for s in heading), {k: tuple(tuple(s) for s in v) for k, v in by_line.items()})
    doc = revised_855(ch, order_row, rows, lines, profile, today=today, stated=stated)
    [one] = doc.sets
    body = one.body
    if not approved:
        body = tuple(tuple(seg[:2]) + ("AC",) + tuple(seg[3:]) if seg and seg[0] == "BAK" else seg for seg in body)
    key = DECIDED_855.format(store_key=ch.store_key, ref=ch.change_ref)
    return replace(doc, sets=(replace(one, doc_key=key, body=body),))
