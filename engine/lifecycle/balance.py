"""The balance of an order that takes no back order, cancelled once it shipped: a PO whose heading CSH01 is
N ("No Back Order") or SP ("Ship Partial, Balance Cancel") (schemas.orders.NO_BACKORDER) takes what ships
and nothing later. When the warehouses that hold its stock have confirmed a shipment of it and units are
left (a warehouse shipped 7 of 10 cases, or left a line out), those units will not follow: the buyer ruled
them out. ``plan_balance_cancelled`` ends each line at what shipped (its unshipped units counted rejected,
the line's balance_cancelled ``n`` and reason ``no_backorder``), releases every reservation left and
moves the order by what is left: ``balance_cancelled`` to shipped (an order billed per order gets its 810
then), ``balance_cancelled_settled`` to invoiced when every shipped unit was billed already (per shipment),
``balance_cancelled_open`` (partially shipped still) when service lines are left, which the invoice stage then
delivers (no warehouse ships a service).

It runs once a run, after all of the run's confirmations are applied (the invoice stage, before the 810s
are due: flows.shipments), so a second warehouse's or a later file's confirmation of the same night counts.
An order whose units are still reserved at a warehouse that has shipped none of it waits (that warehouse
has not confirmed yet: its part may still ship); once it ships, the balance is cancelled. CSH01 SC ("Ship
Complete") is not a cancellation: such an order waits whole (engine.lifecycle.ship_checks). No document
is sent: the 856s said what shipped and the 810 bills it; the buyer's own PO told its system the rest does
not follow.

A line's own sales requirement (its PO1 or POC loop's CSH01, else IT801: ORDER_LINES sales_requirement, kept by
the 850 and 860 readers) governs that line as it did at its acknowledgement (engine.answer): a line "N" of a PO that
takes back orders has its balance cancelled while the other lines stay back ordered (the order stays partially
shipped, ``balance_cancelled_open``, only that line's reservations released); a line "Y", "BK" or "O" of a CSH*N PO
keeps its balance coming while the PO's other lines end. The history names whose rule it was (the line's or the
PO's). The order's own CSH01 used to decide every line.

The same mechanism completes an order shipped short within the under-shipment tolerance agreed with its partner
([fulfilment] under_ship_percent: a mill's 4,508 LB of 4,900 ordered, within 10 %): when every open line shipped at
least (100 - that) % of its promise, the small remainder is not back-ordered: it is cancelled as above (reason
``under_tolerance``), the reservations released, the order shipped (or invoiced) and a per-order 810 goes, with a
SHIPMENT_WITHIN_TOLERANCE warning for ops. An order a line of which shipped less waits (back order) as before.

And an order past its last date: once a PO's cancel-after (DTM 001), do-not-deliver-after (063) or, for a partner
whose profile says so, ship-no-later (038) passed and its partner's late_backorder is "reject" (the default: nothing
ships after that date), an order the warehouses holding its stock shipped short (2 of 4 allocated confirmed) is
complete at what shipped as above (reason ``past_cancel_date``, balance_cancelled ``n``), with one
BACKORDER_AFTER_CANCEL warning naming the lines. Its backordered units are engine.lifecycle.backorders' (cancelled
by the decide stage); the allocated units shipped short used to stay reserved for ever, the order partially shipped
and never billed. An order nothing of which shipped by then (acknowledged, every open line past its date, a goods line
among them) ends the same way: every open line cancelled (rejected, reason ``past_cancel_date``, codes
balance_cancelled ``n``), every reservation released, the order cancelled (``balance_cancelled_unshipped``), one
BACKORDER_AFTER_CANCEL warning; the decide stage's backorder step cancels only the backordered units of such an order
(engine.lifecycle.backorders.plan_expired: "the order keeps its reserved units"), so its allocated units used to stay
reserved for ever. It waits for its partner's grace first (allocation.unshipped_grace_days, 7 by default: a buyer's
860 may still move the date and bring its expired units back, a confirmation of a shipment on the last day may still
come; an order shipped short has its warehouse's last word and waits for none). Its orders are found by their dates
alone first (``unshipped_past``: read for every acknowledged order of a "reject" partner), then their lines.

``plan_balances`` is the run's one call: given the orders loaded (those this run's shipments carried, and those of a
"reject" partner shipped short by any run: ``BalanceTerms.rejecting``), their stored dates (``dates_wanted`` says
whose to read), it selects the orders past their last date, names their dates (backorders.past_lines) and returns
the one plan of both kinds; flows.shipments loads and applies it.

Pure: typed records in, a Plan out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from engine.deadlines import transit_days, window_end_cancels
from engine.lifecycle.backorders import Passed, joined, past_lines
from engine.lifecycle.changes import _state_after, _value
from engine.lifecycle.common import isolated
from engine.lifecycle.table import move
from rules.business.common import business_finding
from schemas.findings import finding
from schemas.lifecycle import (
    ENDED_LINES,
    EventKind,
    FindingRecord,
    LineRecord,
    LineState,
    OrderLines,
    OrderRecord,
    OrderReservations,
    OrderState,
    Plan,
    Reservation,
)
from schemas.orders import BACKORDER_ALLOWED, NO_BACKORDER, Transit, last_dates, last_day
from schemas.profile import PartnerProfile
from schemas.units import backordered_stored, rejected_exactly, rejected_stored

Key = tuple[str, str]
REASON = "no_backorder"  # the line's reason (as a short line's IR at acknowledgement)
PAST = "past_cancel_date"  # the reason of a line whose balance was cancelled once its last date passed
TOLERATED = "under_tolerance"  # the reason of a line completed within the partner's under-shipment tolerance
# the reason of a line of a release partly shipped whose balance was cancelled when the buyer cancelled its blanket
BLANKET_ENDED = "blanket_cancelled"
WAITING = (OrderState.PARTIALLY_SHIPPED,)  # the orders whose balance may be due (flows.shipments reads them)
UNSHIPPED = (OrderState.ACKNOWLEDGED,)  # the orders nothing of which shipped: they may end past their last date
_WORDS = {"N": "No Back Order", "SP": "Ship Partial, Balance Cancel", "Y": "Back Order if Out of Stock",
          "BK": "Ship Partial, Balance Back Order", "O": "Back Order if Out of Stock or Not Yet Published"}
Rules = Mapping[int, str | None]  # line number -> the line's own sales requirement (ORDER_LINES; absent: none)


def shipped_in_part(keys: Iterable[Key], records: Mapping[Key, OrderRecord]) -> set[Key]:
    """The orders among ``keys`` whose balance may be due (shipped in part: WAITING): those an 860 changes need the
    stock warehouses of their shipments, so that a line the change makes take no back order has its balance
    cancelled as a short shipment's would be (balance_lines)."""
    return {k for k in keys if k in records and records[k].state in WAITING}


def own_rule(code: str | None) -> str | None:
    """A line's own sales requirement (``code``) when it speaks of back orders (NO_BACKORDER or BACKORDER_ALLOWED,
    any case), in capitals; else None (the line follows its order's CSH01), as engine.answer._own_backorder reads
    it at acknowledgement."""
    code = (code or "").strip().upper()
    return code if code in NO_BACKORDER or code in BACKORDER_ALLOWED else None


def takes_no_backorder(requirement: str | None, own: str | None) -> bool:
    """Whether a line takes no back order: its own rule (``own``: its sales requirement) when it has one, else its
    order's CSH01 (``requirement``)."""
    code = own_rule(own)
    return code in NO_BACKORDER if code is not None else requirement in NO_BACKORDER


def cancelled_units(line: LineRecord) -> Decimal:
    """The units of ``line``'s balance cancelled after shipment (its balance_cancelled; 0: none)."""
    return line.balance_cancelled


def balance_due(record: OrderRecord, lines: Sequence[LineRecord], reservations: Sequence[Reservation],
                shipped_from: Collection[str], requirement: str | None, services: Collection[str] = (),
                under_percent: Decimal = Decimal(0), own: Rules | None = None) -> bool:
    """Whether the balance of ``record`` (of some of its lines) is to be cancelled now: balance_lines names any."""
    return bool(balance_lines(record, lines, reservations, shipped_from, requirement, services, under_percent,
                              own)[0])


def balance_lines(record: OrderRecord, lines: Sequence[LineRecord], reservations: Sequence[Reservation],
                  shipped_from: Collection[str], requirement: str | None, services: Collection[str] = (),
                  under_percent: Decimal = Decimal(0), own: Rules | None = None) -> tuple[frozenset[int], bool]:
    """(the line numbers whose balance is to be cancelled now, whether by the partner's tolerance). Due when the
    order shipped in part (partially_shipped) and its open lines that take no back order (``requirement``, its
    CSH01, in NO_BACKORDER, unless a line's own rule, ``own``, says otherwise: takes_no_backorder) have every unit
    still reserved for them at a warehouse that shipped some of the order (``shipped_from``: the stock warehouses of
    its recorded shipments); units at a warehouse that has not shipped yet keep it waiting (an order all of whose
    open lines are cut: any unit reserved for it). A line of ``services`` (items.csv kind service: no warehouse ships
    it, the invoice stage delivers it) is no balance. ``under_percent``: the partner's under-shipment tolerance; an
    order no line of which refuses back orders is due too, every open line, when each shipped within it
    (_tolerated)."""
    none: tuple[frozenset[int], bool] = (frozenset(), False)
    if record.state != OrderState.PARTIALLY_SHIPPED or not shipped_from:
        return none
    short = [ln.line_number for ln in lines if _open(ln, services)]
    own = own or {}
    cut = frozenset(n for n in short if takes_no_backorder(requirement, own.get(n)))
    tolerated = not cut and _tolerated(lines, services, under_percent)
    if tolerated:
        cut = frozenset(short)
    whole = cut == frozenset(short)
    if not cut or any(r.quantity > 0 and r.warehouse not in shipped_from for r in reservations
                      if whole or r.line_number in cut):
        return none
    return cut, tolerated


def past_due(record: OrderRecord, lines: Sequence[LineRecord], reservations: Sequence[Reservation],
             shipped_from: Collection[str], passed: Collection[int], services: Collection[str] = ()) -> bool:
    """Whether the balance of ``record``, past its last date, is to be cancelled now: it shipped in part
    (partially_shipped), every unit still reserved for it is at a warehouse that shipped some of it (``shipped_from``,
    as balance_due's) and every open line is among ``passed`` (the line numbers whose own date, else the order's,
    passed: engine.lifecycle.backorders.past_lines). Its partner's late_backorder is the caller's ("reject")."""
    if record.state != OrderState.PARTIALLY_SHIPPED or not shipped_from:
        return False
    if any(r.quantity > 0 and r.warehouse not in shipped_from for r in reservations):
        return False
    short = [ln for ln in lines if _open(ln, services)]
    return bool(short) and all(ln.line_number in passed for ln in short)


def unshipped_due(record: OrderRecord, lines: Sequence[LineRecord], passed: Collection[int],
                  services: Collection[str] = ()) -> bool:
    """Whether ``record``, nothing of which shipped, ends now past its last date: acknowledged (UNSHIPPED), no line
    shipped any unit, a goods line open (not of ``services``: an order of services alone is delivered by the invoice
    stage) and every open line (a service line too) among ``passed`` (past_lines' line numbers). Its partner's
    late_backorder is the caller's ("reject")."""
    if record.state not in UNSHIPPED or any(ln.shipped for ln in lines):
        return False
    live = [ln for ln in lines if _open(ln, ())]
    return any(ln.sku not in services for ln in live) and all(ln.line_number in passed for ln in live)


def _tolerated(lines: Sequence[LineRecord], services: Collection[str], under_percent: Decimal) -> bool:
    """Whether every open line of ``lines`` shipped at least (100 - ``under_percent``) % of its promise (0: none)."""
    if not under_percent:
        return False
    short = [ln for ln in lines if _open(ln, services)]
    return bool(short) and all(ln.shipped > 0 and (ln.promised_exact - ln.shipped) * 100
                               <= ln.promised_exact * under_percent for ln in short)


def _open(line: LineRecord, services: Collection[str]) -> bool:
    return line.state not in ENDED_LINES and line.promised_exact > line.shipped and line.sku not in services


def plan_balance_cancelled(records: Mapping[Key, OrderRecord], *, lines: Mapping[Key, Sequence[LineRecord]],
                           reservations: Mapping[Key, Sequence[Reservation]],
                           shipped_from: Mapping[Key, Collection[str]], requirements: Mapping[Key, str | None],
                           at: str, run_id: str, services: Collection[str] = (),
                           under_percent: Mapping[str, Decimal] | None = None,
                           past: Mapping[Key, tuple[Passed, Collection[int]]] | None = None,
                           own: Mapping[Key, Rules] | None = None) -> Plan:
    """The balance of each order of ``records`` that ``balance_due`` says is due cancelled (one plan per order,
    isolated: a failure holds that order alone). ``requirements``: each order's CSH01 as stored (ORDERS
    sales_requirement; None: none). ``services``: the SKUs of service items (schemas.reference.service_skus): their
    lines are left to the invoice stage's delivery (the order then stays partially shipped: balance_cancelled_open).
    ``under_percent``: partner -> its under-shipment tolerance ([fulfilment] under_ship_percent; absent: none).
    ``past``: the orders past their last date whose partner's late_backorder is "reject", each with its passed dates
    named and the line numbers past (engine.lifecycle.backorders.past_lines): one ``past_due`` says is due is
    cancelled too (reason past_cancel_date, a BACKORDER_AFTER_CANCEL warning). ``own``: (partner, PO) -> line
    number -> the line's own sales requirement (ORDER_LINES; absent: the order's CSH01 decides every line)."""
    plans = []
    for key in sorted(records):
        r = records[key]
        mine, held = tuple(lines.get(key, ())), tuple(reservations.get(key, ()))
        under = (under_percent or {}).get(key[0]) or Decimal(0)
        rules = (own or {}).get(key) or {}
        cut, tolerated = balance_lines(r, mine, held, shipped_from.get(key, ()), requirements.get(key), services,
                                       under, rules)
        if not cut:
            named, numbers = (past or {}).get(key, (None, ()))
            if named and past_due(r, mine, held, shipped_from.get(key, ()), numbers, services):
                plans.append(isolated(r, lambda r=r, mine=mine, held=held, key=key, named=named: _cancel(
                    r, mine, held, sorted(shipped_from.get(key, ())), requirements.get(key) or "", at=at,
                    run_id=run_id, services=services, passed=named), at=at, run_id=run_id, stage="shipments"))
            continue
        tolerance = under if tolerated else None
        plans.append(isolated(r, lambda r=r, mine=mine, held=held, key=key, tolerance=tolerance, cut=cut,
                              rules=rules: _cancel(
            r, mine, held, sorted(shipped_from.get(key, ())), requirements.get(key) or "", at=at, run_id=run_id,
            services=services, tolerance=tolerance, only=cut, own=rules),
            at=at, run_id=run_id, stage="shipments"))
    return Plan.combine(plans)


@dataclass(frozen=True, slots=True)
class BalanceTerms:
    """What the partners' profiles say of a balance: ``under_percent`` partner -> its under-shipment tolerance
    ([fulfilment] under_ship_percent, the partners giving one); ``rejecting``: the partners whose
    allocation.late_backorder is "reject" (nothing ships after the last date: their orders shipped short past it are
    looked at whatever run shipped them); ``window_end_cancels``: those whose DTM 038 is a last date too
    (allocation.ship_no_later_is_cancel); ``transit``: partner -> its days in transit (a DTM 063's last ship day);
    ``grace``: partner -> the days an order nothing of which shipped keeps its reserved units past its last date
    (allocation.unshipped_grace_days)."""

    under_percent: Mapping[str, Decimal]
    rejecting: frozenset[str]
    window_end_cancels: frozenset[str] = frozenset()
    transit: Mapping[str, Transit | int | None] | None = None
    grace: Mapping[str, int] | None = None  # partner -> its unshipped_grace_days (absent: 0)


def balance_terms(profiles: Mapping[str, PartnerProfile]) -> BalanceTerms:
    """The BalanceTerms of ``profiles``."""
    return BalanceTerms(
        under_percent={pid: p.fulfilment.under_ship_percent for pid, p in profiles.items()
                       if p.fulfilment.under_ship_percent},
        rejecting=frozenset(pid for pid, p in profiles.items() if p.allocation.late_backorder == "reject"),
        window_end_cancels=frozenset(window_end_cancels(profiles)),
        transit=transit_days(profiles),
        grace={pid: p.allocation.unshipped_grace_days for pid, p in profiles.items()
               if p.allocation.late_backorder == "reject" and p.allocation.unshipped_grace_days})


def _late(records: Mapping[Key, OrderRecord], lines: Mapping[Key, Sequence[LineRecord]],
          reservations: Mapping[Key, Sequence[Reservation]], late_from: Mapping[Key, Collection[str]],
          rejecting: Collection[str], services: Collection[str]) -> list[OrderRecord]:
    """The orders of ``records`` that may be past their last date with a balance to cancel: of a "reject" partner,
    shipped short (some shipment carried them: ``late_from``) and every unit reserved at a warehouse that shipped
    them (``past_due`` with every line counted past: whose dates are passed is read next). Most waiting orders are
    not: only these orders' dates are read."""
    return [r for k, r in sorted(records.items()) if k in late_from and k[0] in rejecting and past_due(
        r, lines.get(k, ()), reservations.get(k, ()), late_from[k], {ln.line_number for ln in lines.get(k, ())},
        services)]


def dates_wanted(records: Mapping[Key, OrderRecord], *, lines: Mapping[Key, Sequence[LineRecord]],
                 reservations: Mapping[Key, Sequence[Reservation]], shipped_from: Mapping[Key, Collection[str]],
                 late_from: Mapping[Key, Collection[str]], terms: BalanceTerms,
                 services: Collection[str] = ()) -> tuple[list[OrderRecord], list[OrderRecord]]:
    """The orders whose stored dates ``plan_balances`` reads, as it takes them: (those whose ORDERS row, its CSH01
    and last dates: the orders this run's shipments carried, ``shipped_from``, and those that may be past their last
    date; those whose lines' own dates: the latter), each sorted by key."""
    late = _late(records, lines, reservations, late_from, terms.rejecting, services)
    seen = {r.key for r in late}
    return [r for k, r in sorted(records.items()) if k in shipped_from or k in seen], late


def unshipped_past(records: Iterable[OrderRecord], heads: Mapping[Key, Mapping],
                   line_dates: Mapping[Key, Mapping[int, Mapping]], *, terms: BalanceTerms,
                   today: date) -> list[OrderRecord]:
    """Of ``records`` (the UNSHIPPED orders loaded), those of a ``terms.rejecting`` partner received, and a last date
    of which passed, more than its grace (``terms.grace``) before ``today`` (its ORDERS row's, ``heads``, or a line's
    own, ``line_dates``; a DTM 038 for a partner of ``terms.window_end_cancels``, a 063 less its transit days): the
    orders whose lines and reservations are read for ``plan_balances`` (which decides by each open line's own date),
    by key. (An order accepted after its last date, its 855 rescheduling it: DATE_IN_PAST, has its grace to ship.)"""
    out, known = [], {}
    for r in sorted(records, key=lambda r: r.key):
        if r.state not in UNSHIPPED or r.partner not in terms.rejecting:
            continue
        if r.partner not in known:
            known[r.partner] = ((terms.transit or {}).get(r.partner),
                                last_dates(r.partner in terms.window_end_cancels), _graced(today, terms, r.partner))
        days, last, before = known[r.partner]
        if not r.received_at or r.received_at >= before.isoformat():  # its grace after its arrival too
            continue
        rows = (heads.get(r.key) or {}, *(line_dates.get(r.key) or {}).values())
        if any(row.get(c) is not None and last_day(c, row[c], days) < before for row in rows for c, _q, _n in last):
            out.append(r)
    return out


def received_before(terms: BalanceTerms, today: date) -> str:
    """The time before which an order nothing of which shipped must have arrived to be looked at past its last date
    (``unshipped_past``: the grace runs after its arrival too, an order accepted late has it to ship): ``today`` less
    the smallest grace of ``terms.rejecting``'s partners, an ISO date (the state store's received_at compares)."""
    grace = min(((terms.grace or {}).get(p, 0) for p in terms.rejecting), default=0)
    return (today - timedelta(days=grace)).isoformat()


def _graced(today: date, terms: BalanceTerms, partner: str) -> date:
    """The day whose last dates before it are past for an order of ``partner`` nothing of which shipped: ``today``
    less the partner's grace (its last date passed that many days ago and more)."""
    return today - timedelta(days=(terms.grace or {}).get(partner, 0))


def plan_balances(records: Mapping[Key, OrderRecord], *, lines: Mapping[Key, Sequence[LineRecord]],
                  reservations: Mapping[Key, Sequence[Reservation]], shipped_from: Mapping[Key, Collection[str]],
                  late_from: Mapping[Key, Collection[str]], heads: Mapping[Key, Mapping],
                  line_dates: Mapping[Key, Mapping[int, Mapping]], terms: BalanceTerms, today: date, at: str,
                  run_id: str, services: Collection[str] = (), own: Mapping[Key, Rules] | None = None) -> Plan:
    """The run's balances cancelled, one plan: ``records`` the orders loaded (state WAITING), ``shipped_from``
    (partner, PO) -> the stock warehouses of every shipment of the orders a shipment of this run carried,
    ``late_from`` the same for every order of a ``terms.rejecting`` partner whatever run shipped it; ``heads``
    (partner, PO) -> its stored ORDERS row (sales_requirement: its CSH01, and its last dates), ``line_dates``
    (partner, PO) -> line number -> its own dates (the orders ``dates_wanted`` names; others may be absent).
    The orders this run's shipments carried are looked at for their CSH01 (N, SP), the partner's tolerance and their
    last date; the others of ``late_from`` for their last date alone (on ``today``: the last day itself is in time):
    ``plan_balance_cancelled`` for each. ``own``: (partner, PO) -> line number -> the line's own sales requirement
    (its stored ORDER_LINES, the orders this run's shipments carried: a line's own rule governs that line)."""
    late = _late(records, lines, reservations, late_from, terms.rejecting, services)
    past: dict[Key, tuple[Passed, set[int]]] = {}
    if late:
        by_line = past_lines(late, heads, line_dates, lines, today=today, window_end_cancels=terms.window_end_cancels,
                             transit=terms.transit, select=lambda ln: ln.promised_exact > ln.shipped)
        past = {k: (joined(v.values()), set(v)) for k, v in by_line.items()}
    now = {k: r for k, r in records.items() if k in shipped_from}
    asked = {k: (heads.get(k) or {}).get("sales_requirement") for k in now}
    plan = plan_balance_cancelled(now, lines=lines, reservations=reservations, shipped_from=shipped_from,
                                  requirements=asked, at=at, run_id=run_id, services=services,
                                  under_percent=terms.under_percent, past=past, own=own)
    before = {k: r for k, r in records.items() if k in past and k not in now}
    if before:
        plan = plan + plan_balance_cancelled(before, lines=lines, reservations=reservations, shipped_from=late_from,
                                             requirements={}, at=at, run_id=run_id, services=services, past=past)
    idle = [r for k, r in sorted(records.items()) if r.state in UNSHIPPED and r.partner in terms.rejecting
            and k not in now and k not in late_from]
    if idle:
        plan = plan + _plan_unshipped(idle, lines=lines, reservations=reservations, heads=heads, line_dates=line_dates,
                                      terms=terms, today=today, at=at, run_id=run_id, services=services)
    return plan


def _plan_unshipped(records: Sequence[OrderRecord], *, lines: Mapping[Key, Sequence[LineRecord]],
                    reservations: Mapping[Key, Sequence[Reservation]], heads: Mapping[Key, Mapping],
                    line_dates: Mapping[Key, Mapping[int, Mapping]], terms: BalanceTerms, today: date, at: str,
                    run_id: str, services: Collection[str]) -> Plan:
    """The orders of ``records`` nothing of which shipped that ``unshipped_due`` says end now, each cancelled whole
    (isolated: a failure holds that order alone)."""
    plans = []
    for r in records:
        if not r.received_at or r.received_at >= _graced(today, terms, r.partner).isoformat():
            continue  # received within its grace (accepted after its last date: it has the grace to ship)
        mine, held = tuple(lines.get(r.key, ())), tuple(reservations.get(r.key, ()))
        passed = past_lines([r], heads, line_dates, lines, today=_graced(today, terms, r.partner),
                            window_end_cancels=terms.window_end_cancels, transit=terms.transit,
                            select=lambda ln: ln.promised_exact > ln.shipped).get(r.key, {})
        if not unshipped_due(r, mine, passed, services):
            continue
        named = joined(passed.values())
        plans.append(isolated(r, lambda r=r, mine=mine, held=held, named=named: _cancel(
            r, mine, held, sorted({x.warehouse for x in held if x.quantity > 0}), "", at=at, run_id=run_id,
            passed=named, waited=(terms.grace or {}).get(r.partner, 0)), at=at, run_id=run_id, stage="shipments"))
    return Plan.combine(plans)


def cancel_released_balance(record: OrderRecord, lines: Sequence[LineRecord], reservations: Sequence[Reservation], *,
                            blanket: str, at: str, run_id: str) -> Plan:
    """The balance of the release ``record`` (partially_shipped: part of it shipped) cancelled because the buyer
    cancelled the blanket it was drawn against (``blanket``: how the cancellation is named, "blanket PO FAS8900401
    (BCH01 01)"): each open line ends at what shipped (reason ``blanket_cancelled``, balance_cancelled the units
    left), every reservation left is released, and the order moves as any balance cancelled does (shipped: its
    per-order 810 goes; invoiced when every shipped unit is billed). What shipped stands. The buyer ended the
    agreement the release calls off: a balance shipped after it is one its receiving may refuse at the door (and
    charge the freight back), and held open it would keep stock reserved and a per-order 810 unsent for a dead
    agreement. A warehouse confirming units of it then is held (ship_checks.cancelled_lines: SHIPMENT_LINE_CLOSED /
    SHIPMENT_OVER_RESERVED, saying the blanket's cancellation ended them). No document is sent: the buyer's
    cancellation told its system; should it still want the balance, its 860 reopens the release (change_reopened) or
    it sends a new one."""
    return _cancel(record, lines, reservations, sorted({r.warehouse for r in reservations if r.quantity > 0}), "",
                   at=at, run_id=run_id, blanket=blanket)


def cancel_moved_balance(record: OrderRecord, lines: Sequence[LineRecord], reservations: Sequence[Reservation], *,
                         said: str, at: str, run_id: str) -> Plan:
    """The balance of the release ``record`` (partially_shipped) cancelled because a person rejected shipping it
    against the blanket an 860 moved it to (engine.lifecycle.moved_hold; ``said``: why, the history's words): as
    cancel_released_balance, each open line ends at what shipped, every reservation left is released, what shipped
    stands and its per-order 810 goes."""
    return _cancel(record, lines, reservations, sorted({r.warehouse for r in reservations if r.quantity > 0}), "",
                   at=at, run_id=run_id, said=said)


def _cancel(record: OrderRecord, lines: Sequence[LineRecord], reservations: Sequence[Reservation],
            warehouses: Sequence[str], requirement: str, *, at: str, run_id: str, services: Collection[str] = (),
            tolerance: Decimal | None = None, passed: Passed | None = None, waited: int = 0,
            only: Collection[int] | None = None, own: Rules | None = None, blanket: str = "", said: str = "") -> Plan:
    """``tolerance``: the partner's under-shipment tolerance the order shipped within (None: the PO's CSH01).
    ``passed``: the order's last date(s) passed, named (its partner's late_backorder "reject": nothing ships later).
    ``waited``: for an order nothing of which shipped (UNSHIPPED: it ends), its partner's grace after that date.
    ``only``: the line numbers whose balance is cancelled (None: every open line), their reservations alone released;
    ``own``: the lines' own sales requirements (the history names a line's own rule). ``blanket``: the cancellation
    of the blanket a release partly shipped was drawn against (cancel_released_balance)."""
    new_lines, cut = [], []
    why = BLANKET_ENDED if blanket else PAST if passed else REASON if tolerance is None else TOLERATED
    for ln in lines:
        if not _open(ln, services) or (only is not None and ln.line_number not in only):
            new_lines.append(ln)
            continue
        # the whole units shipped stay placed (a part of one shipped counts as shipped: nothing is left of it)
        allocated = min(ln.promised, int(ln.shipped))
        # (a line in a fraction of its unit: the fraction its whole units do not hold is cancelled with them, and
        # a measure's backorder is what it wants of the units covering it: schemas.units.promised_exactly)
        exact = ln.promised_exact
        left = exact - ln.shipped
        cut.append((ln, left))
        state = (LineState.REJECTED if not ln.shipped
                 else LineState.INVOICED if ln.invoiced >= ln.shipped else LineState.SHIPPED)
        reason = ln.reason if why in ln.reason.split("; ") else "; ".join(filter(None, (ln.reason, why)))
        rejected, fraction = rejected_stored(rejected_exactly(ln.rejected, ln.rejected_fraction) + exact - allocated)
        new_lines.append(replace(ln, allocated=allocated, backordered=0, rejected=rejected, state=state,
                                 promised_date=None, reason=reason, run_id=run_id,
                                 balance_cancelled=ln.balance_cancelled + left,
                                 rejected_fraction=fraction, backordered_over=backordered_stored(Decimal(0))[1]))
    done = tuple(new_lines)
    to = OrderState.CANCELLED if record.state in UNSHIPPED else _state_after(done)  # nothing shipped: it ends
    event = {OrderState.SHIPPED: EventKind.BALANCE_CANCELLED, OrderState.INVOICED: EventKind.BALANCE_CANCELLED_SETTLED,
             OrderState.PARTIALLY_SHIPPED: EventKind.BALANCE_CANCELLED_OPEN,
             OrderState.CANCELLED: EventKind.BALANCE_CANCELLED_UNSHIPPED}[to]
    gone = {ln.line_number for ln, _left in cut}
    kept = tuple(r for r in reservations if r.line_number not in gone)
    released = sum(r.quantity for r in reservations if r.line_number in gone)
    left_open = [ln for ln in done if _open(ln, services)]
    which = ", ".join(f"line {ln.line_id or ln.line_number} ({_num(left)} {ln.unit or 'units'} of "
                      f"{_num(left + ln.shipped)}, {_num(ln.shipped)} shipped)" for ln, left in cut)
    then = {OrderState.INVOICED: "Nothing is left to ship: every shipped unit is invoiced already",
            OrderState.SHIPPED: "Nothing is left to ship: the shipped units are invoiced",
            OrderState.PARTIALLY_SHIPPED: (
                f"Its other line(s) take back orders: {_named(left_open)} still to ship" if left_open else
                "Only its service lines are left: the invoice stage delivers them"),
            OrderState.CANCELLED: "Nothing of it shipped: the order ends, nothing is invoiced"}[to]
    if said:
        note = f"{said} Cancelled: {which}; {released} reserved unit(s) released. {then}."
    elif blanket:
        note = (f"The buyer cancelled {blanket}, against which this release was drawn, after part of it shipped: what "
                f"shipped stands and the balance will not follow (goods shipped against a cancelled agreement are the "
                f"buyer's to refuse). Cancelled: {which}; {released} reserved unit(s) released. {then}. No document is "
                "sent: the buyer's cancellation told its system; should it still want the balance, its 860 reopens "
                "the release or it sends a new one.")
    elif passed and to == OrderState.CANCELLED:
        grace = f" more than {waited} day(s) ago (unshipped_grace_days)" if waited else ""
        note = (f"The order's {passed.named} passed{grace} and nothing of it shipped (its stock reserved at "
                f"{', '.join(warehouses) or 'no warehouse'}): nothing ships after that date (late_backorder = "
                f"\"reject\"), the order will not be filled. Cancelled: {which}; {released} reserved unit(s) released. "
                f"{then}. No document is sent: the retailer's system cancels what is open at its cancel date itself.")
    elif passed:
        note = (f"The order's {passed.named} passed and the warehouse(s) holding its stock ({', '.join(warehouses)}) "
                f"shipped it short: nothing ships after that date (late_backorder = \"reject\"), the balance will not "
                f"follow. Cancelled: {which}; {released} reserved unit(s) released. {then}. No document is sent: the "
                "856s said what shipped and the retailer's system cancels what is open at its cancel date itself.")
    elif tolerance is None:
        note = (f"{_whose_rule(requirement, [ln for ln, _left in cut], done, own or {})} and the "
                f"warehouse(s) holding its stock ({', '.join(warehouses)}) shipped it short: the balance will not "
                f"follow. Cancelled: {which}; {released} reserved unit(s) released. {then}. "
                "No document is sent: the 856s said what shipped and the buyer's PO rules out the rest.")
    else:
        note = (f"The warehouse(s) holding its stock ({', '.join(warehouses)}) shipped every open line within the "
                f"{_num(tolerance)}% under-shipment tolerance agreed with the partner: the order is complete at what "
                f"shipped, no back order. Cancelled: {which}; {released} reserved unit(s) released. {then}. "
                "No document is sent: the 856s said what shipped and the agreement rules out the rest.")
    t = move(record, event, at=at, run_id=run_id, note=note, value=_value(done))
    told = _past_warning(record, passed, note) if passed else () if tolerance is None else (FindingRecord(
        partner=record.partner, po_number=record.po_number, stage="shipments",
        consequence="order complete at what shipped: balance cancelled, no back order",
        finding=finding("SHIPMENT_WITHIN_TOLERANCE", f"PO {record.po_number}: shipped short within the "
                        f"{_num(tolerance)}% under-shipment tolerance agreed with the partner; complete at what "
                        f"shipped: {which}.")),)
    return Plan(transitions=(t,), lines=(OrderLines(*record.key, done),),
                reservations=(OrderReservations(*record.key, kept),), findings=told)


def _named(lines: Sequence[LineRecord]) -> str:
    return ", ".join(f"line {ln.line_id or ln.line_number}" for ln in lines)


def _rule(code: str) -> str:
    return f"{code} \"{_WORDS.get(code, code)}\""


def _whose_rule(requirement: str, cut: Sequence[LineRecord], lines: Sequence[LineRecord], own: Rules) -> str:
    """Who ruled out the balance of the ``cut`` lines: the PO's CSH01 (``requirement``), a line's own sales
    requirement (``own``: its PO1 or POC loop's CSH01 or IT801), or both; a line of ``lines`` whose own rule takes
    back orders under the PO's no-back-order CSH01 is named as kept."""
    theirs = [ln for ln in cut if own_rule(own.get(ln.line_number)) is not None]
    said = [f"line {ln.line_id or ln.line_number} takes no back order (its own sales requirement "
            f"{_rule(own_rule(own.get(ln.line_number)) or '')}, its loop's CSH01 or IT801)" for ln in theirs]
    if len(theirs) < len(cut):
        said.append(f"{'the PO' if not theirs else 'the PO' + chr(39) + 's other lines'} take"
                    f"{'s' if not theirs else ''} no back order (CSH01 {_rule(requirement)})")
    gone = {ln.line_number for ln in cut}
    said += [f"line {ln.line_id or ln.line_number} takes back orders all the same (its own sales requirement "
             f"{_rule(own_rule(own.get(ln.line_number)) or '')}): its balance still ships" for ln in lines
             if ln.line_number not in gone and own_rule(own.get(ln.line_number)) in BACKORDER_ALLOWED
             and requirement in NO_BACKORDER]
    text = "; ".join(said)
    return text[0].upper() + text[1:]


def _past_warning(record: OrderRecord, passed: Passed, note: str) -> tuple[FindingRecord, ...]:
    """The BACKORDER_AFTER_CANCEL warning of a balance cancelled past the order's last date (as a backorder's)."""
    lineage = {"partner": record.partner, "po_number": record.po_number, "source_file": record.source_file,
               "isa13": record.isa13, "gs06": record.gs06, "st02": record.st02}
    f = business_finding("BACKORDER_AFTER_CANCEL", note, lineage, seg="DTM", element="DTM02",
                         value=passed.value, line=False, qualifier=passed.qualifier)
    return (FindingRecord(f, record.partner, record.po_number, "balance cancelled past the cancel date (no document)",
                          "shipments"),)


def _num(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


__all__ = ["PAST", "UNSHIPPED", "WAITING", "BalanceTerms", "balance_due", "balance_lines",
           "balance_terms", "cancelled_units", "dates_wanted", "own_rule", "past_due", "plan_balance_cancelled",
           "plan_balances", "received_before", "takes_no_backorder", "unshipped_due", "unshipped_past"]
