"""Backorders allocated in later runs: units an acknowledged (or partly shipped) order still waits for
are offered the stock a run finds (a new snapshot, a receipt that arrived); what the allocation places
is reserved and moves from backordered to allocated, what it cannot place stays backordered with the
date the partner was promised (never re-promised silently: that would need a new 855).

An order whose cancel-after (DTM 001) or do-not-deliver-after (063) is past on the run's date
(``past_deadline``) is offered nothing when its partner's ``late_backorder`` is "reject": its backordered
units are cancelled (``plan_expired``) and the stock goes to orders that can still use it; with "promise"
they are allocated as before and ops are warned once per order (``plan_backorders``' ``late``).

Pure: typed records in, ALLOCATION_INPUT rows out (``backorder_input``), then the allocation's rows
in and a Plan out (``plan_backorders``).

A backorder keeps the receipt units it was promised: the allocation of a later run's new orders promises only
what is left of the receipts (``receipt_promises``: the open backorders' units per SKU, from the stored lines as
this run's plan leaves them, ``lines_as_planned``; engine.allocate.receipts_left takes them off the receipts).
Nothing more is stored for it: a line that ships, is cancelled, deleted or rejected, or is allocated from stock,
no longer has those units backordered, and frees them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import pyarrow as pa

from engine.answer import backorder_day
from engine.deadlines import transit_days, window_end_cancels
from engine.lifecycle.changes import _line_state, _state_after, _value, expired_units
from engine.lifecycle.common import isolated
from engine.lifecycle.table import SHIPPABLE, move, moves
from rules.business.common import business_finding
from schemas.inventory import ALLOCATION_INPUT
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
from schemas.orders import SHIP_COMPLETE, Transit, last_date_named, last_dates, last_day
from schemas.profile import PartnerProfile
from schemas.units import (
    backordered_exactly,
    backordered_stored,
    rejected_exactly,
    rejected_stored,
    said_in,
    unheld_fraction,
)

Key = tuple[str, str]
_SHIPPED_IN_FULL = (LineState.SHIPPED, LineState.INVOICED, LineState.CLOSED)  # nothing of the line waits


def waiting(records: Iterable[OrderRecord], lines: Mapping[Key, Sequence[LineRecord]],
            also: Iterable = ()) -> list[OrderRecord]:
    """Orders with backordered units that may now be allocated (by partner and PO); ``also``: other states
    whose orders may be (changed: an order that shipped, whose 860 raised a line and added others)."""
    states = (*SHIPPABLE, *also)
    return sorted((r for r in records if r.state in states
                   and any(ln.backordered > 0 and ln.sku for ln in lines.get(r.key, ()))), key=lambda r: r.key)


def window_opens(records: Iterable[OrderRecord], dates: Mapping[Key, Mapping],
                 line_dates: Mapping[Key, Mapping[int, Mapping]], lines: Mapping[Key, Sequence[LineRecord]], *,
                 today: date) -> dict[Key, dict[int, date]]:
    """Per order of ``records``, its backordered lines whose ship window opens after ``today``, each with the day it
    opens: the line's own ship_not_before (its PO1 or POC loop's DTM 037, ``line_dates``) where it has one, else its
    order's (``dates``: its stored ORDERS row). A later run offers them the stock it finds as any backorder, ranked
    by the same key (their requested ship date), so stock that comes before the window is kept for them, not given
    to orders asked for later; what it places is reserved and not released to ship before the window:
    ``plan_backorders`` keeps the line's promise (the day it ships, no earlier than the opening, as its 855 ACK 068
    said) on the units it reserves (``opens``), as a line placed on its first night before its window ships on its
    ship day, and a shipment before it is SHIPPED_OUTSIDE_WINDOW. Orders with no such line are left out."""
    out: dict[Key, dict[int, date]] = {}
    for r in records:
        order_opens = (dates.get(r.key) or {}).get("ship_not_before")
        own = line_dates.get(r.key) or {}
        for ln in lines.get(r.key, ()):
            if ln.backordered <= 0 or ln.state in ENDED_LINES:
                continue
            opens = (own.get(ln.line_number) or {}).get("ship_not_before") or order_opens
            if opens is not None and opens > today:
                out.setdefault(r.key, {})[ln.line_number] = opens
    return out


def not_open(records: Iterable[OrderRecord], dates: Mapping[Key, Mapping],
             line_dates: Mapping[Key, Mapping[int, Mapping]], lines: Mapping[Key, Sequence[LineRecord]], *,
             today: date) -> dict[Key, set[int]]:
    """``window_opens``' lines without their days: per order, its backordered lines whose ship window opens after
    ``today`` (``backorder_input``'s ``held`` leaves such lines out of an allocation)."""
    return {k: set(v) for k, v in window_opens(records, dates, line_dates, lines, today=today).items()}


def backorder_input(records: Sequence[OrderRecord], lines: Mapping[Key, Sequence[LineRecord]],
                    ship_dates: Mapping[Key, date | None] | None = None,
                    line_ships: Mapping[Key, Mapping[int, date]] | None = None,
                    held: Mapping[Key, Collection[int]] | None = None,
                    eaches: Callable[[str, str], int | None] | None = None) -> pa.Table:
    """ALLOCATION_INPUT for the backordered units of ``records`` (no case-pack rounding: the units
    were rounded when the order was first allocated), ranked as any order's lines are (the policies'
    priority_order: tier, the order's requested ship date, PO date, arrival). ``ship_dates``: each order's
    requested ship date (its stored ORDERS row's DTM 010, None when it has none); an order not in it (its
    table unread) ranks by its line's promise. The promise is not the key: it is the receipt's day or the
    order's ship date when later (engine.answer.backorder_day), so ranking by it put an order asked for
    later, whose receipt came first, ahead of one asked for earlier. ``line_ships``: (partner, PO) -> line number
    -> the line's own requested ship date (its PO1 loop's DTM 010 or 118), which ranks it before its order's.
    ``held``: (partner, PO) -> lines left out, offered nothing (``not_open``: lines whose ship window has not opened;
    the decide stage offers those stock all the same and keeps what it places from shipping early, ``window_opens``).
    ``eaches``: (sku, unit) -> the eaches in one of the line's units (rules.shipment_units.ShipmentUnits.each; None
    or absent: 1): allocation counts eaches, a line's backordered units its own unit, so 5 BX of gloves by the box
    of 100 want 500 eaches, served 100 at a time (it asked 5 eaches: the receipt's night reserved 5 gloves for 5
    boxes and the DC's 10 BX were held, SHIPMENT_OVER_RESERVED)."""
    ship_dates, line_ships, held = ship_dates or {}, line_ships or {}, held or {}
    rows = []
    for r in records:
        known = r.key in ship_dates
        own = line_ships.get(r.key) or {}
        waits = held.get(r.key, ())
        for ln in lines.get(r.key, ()):
            if ln.backordered > 0 and ln.sku and ln.line_number not in waits:
                per = max((eaches(ln.sku, ln.unit) if eaches else None) or 1, 1)
                rows.append({"partner": r.partner, "order_ref": f"{r.partner}|{r.po_number}", "po_number": r.po_number,
                             "line_number": ln.line_number, "sku": ln.sku, "quantity": ln.backordered * per,
                             "requested_ship_date": own.get(ln.line_number) or (
                                 ship_dates[r.key] if known else ln.promised_date),
                             "po_date": r.po_date, "arrival": r.arrival, "case_pack": None,
                             "unit_eaches": per if per > 1 else None})
    return pa.Table.from_pylist(rows, schema=ALLOCATION_INPUT)


def lines_as_planned(lines: Mapping[Key, Sequence[LineRecord]], plan: Plan) -> dict[Key, tuple[LineRecord, ...]]:
    """``lines`` (stored lines by order) with the lines ``plan`` writes laid over them (an order's lines replaced
    whole, the last of the plan's winning, as the state store applies Plan.lines): the lines as they will be
    once the plan so far is applied (the decide stage's planners before its allocation write Plan.lines only)."""
    out = {k: tuple(v) for k, v in lines.items()}
    for ol in plan.lines:
        out[(ol.partner, ol.po_number)] = tuple(ol.lines)
    return out


def receipt_promises(lines: Mapping[Key, Sequence[LineRecord]], *,
                     again: Mapping[Key, Collection[int] | None] | None = None,
                     eaches: Callable[[str, str], int | None] | None = None) -> dict[str, int]:
    """Units of each SKU the open backorders of ``lines`` (orders' lines, as stored or as planned) hold of the
    expected receipts: each line's backordered units still to ship (a line ended, or shipped in full, holds none;
    one that shipped more than was allocated holds only what is still unshipped). A backorder is promised only
    what receipts cover (engine.allocate), so these units were taken from receipts when it was answered and stay
    taken until the line gets stock, ships, is cancelled or decided again. ``again``: orders whose lines this
    run decides and allocates afresh (None: all its lines; else those line numbers): their backorders are not
    counted (the new allocation promises them again)."""
    again = again or {}
    out: dict[str, int] = {}
    for key, rows in lines.items():
        numbers = again.get(key, ())
        if numbers is None:
            continue
        for ln in rows:
            if (ln.backordered <= 0 or not ln.sku or ln.line_number in numbers or ln.state in ENDED_LINES
                    or ln.state in _SHIPPED_IN_FULL):
                continue
            units = min(ln.backordered, int(max(ln.unshipped, 0)))
            if units > 0:  # (in eaches, as receipts count them: ``eaches`` per unit of the line, as backorder_input)
                out[ln.sku] = out.get(ln.sku, 0) + units * max((eaches(ln.sku, ln.unit) if eaches else None) or 1, 1)
    return out


def ships_complete(records: Iterable[OrderRecord], profiles: Mapping[str, PartnerProfile],
                   heads: Mapping[Key, Mapping]) -> set[Key]:
    """The orders of ``records`` that ship complete (``plan_backorders``' ``complete``): their partner's
    allocation policy (ship_complete), or their stored ORDERS row (``heads``: (partner, PO) -> the row with its
    sales_requirement; none known: {}) says CSH01 SC (SHIP_COMPLETE)."""
    return {r.key for r in records if profiles[r.partner].allocation.ship_complete
            or (heads.get(r.key) or {}).get("sales_requirement") in SHIP_COMPLETE}


def plan_backorders(records: Sequence[OrderRecord], *, lines: Mapping[Key, Sequence[LineRecord]],
                    reservations: Mapping[Key, Sequence[Reservation]], allocation: pa.Table, at: str,
                    run_id: str, late: Mapping[Key, Passed] | None = None, complete: Collection[Key] = (),
                    opens: Mapping[Key, Mapping[int, date]] | None = None,
                    eaches: Callable[[str, str], int | None] | None = None) -> Plan:
    """Reserve what the allocation placed (its rows with a warehouse and units allocated); each order
    that got something records ``backorder_allocated``. ``late``: orders past their last date whose
    partner promises late backorders all the same and that were not warned yet (``past_deadline``'s
    naming of the dates): each records ``backorder_past_cancel`` (first) and a BACKORDER_AFTER_CANCEL
    warning, whatever the allocation placed. ``complete``: orders that ship complete (CSH01 SC, or their
    partner's ship_complete policy): their lines keep one date, the order's day, until the whole order is
    allocated (``_complete_day``). ``opens``: (partner, PO) -> line number -> the day its ship window opens, for
    lines whose window opens after the run's day (``window_opens``): the units placed are reserved for them (stock
    that came before the window is not given to others) but not released to ship before it: the line keeps its
    promise, the day it ships (no earlier than the opening), even once nothing of it waits. ``eaches``: as
    backorder_input's (the allocation's rows count eaches; a line's units are its own: 500 gloves are 5 BX)."""
    late, opens = late or {}, opens or {}
    placed: dict[Key, dict[int, list[tuple[str, str, int]]]] = {}
    cols = ("partner", "po_number", "line_number", "sku", "warehouse", "allocated")
    for p, po, n, sku, wh, qty in zip(*(allocation[c].to_pylist() for c in cols), strict=True):
        units = int(qty or 0)
        if wh and units > 0:
            placed.setdefault((p, po), {}).setdefault(n, []).append((wh, sku, units))
    parts = []
    for r in records:
        if r.key not in placed and r.key not in late:
            continue
        parts.append(isolated(r, lambda r=r: _one(r, lines.get(r.key, ()), reservations.get(r.key, ()),
                                                  placed.get(r.key, {}), at=at, run_id=run_id, late=late.get(r.key),
                                                  complete=r.key in complete, opens=opens.get(r.key),
                                                  eaches=eaches),
                              at=at, run_id=run_id, stage="decide"))
    return Plan.combine(parts)


def _one(record: OrderRecord, lines: Sequence[LineRecord], reserved: Sequence[Reservation],
         placed: Mapping[int, list[tuple[str, str, int]]], *, at: str, run_id: str, late: Passed | None = None,
         complete: bool = False, opens: Mapping[int, date] | None = None,
         eaches: Callable[[str, str], int | None] | None = None) -> Plan:
    warned = _late_warning(record, lines, late) if late is not None else ()
    if not placed:
        return Plan(transitions=(move(record, EventKind.BACKORDER_PAST_CANCEL, at=at, run_id=run_id,
                                      note=warned[0].finding.message),), findings=warned)
    rows = {(x.line_number, x.warehouse): x for x in reserved}
    new_lines = []
    total = 0
    opens, early = opens or {}, []  # (line, units, the day it ships): reserved before its window opens
    keeps: dict[int, date] = {}  # line number -> the day it ships, not before: reserved before its window opens
    for ln in lines:
        got = placed.get(ln.line_number)
        if not got:
            new_lines.append(ln)
            continue
        per = max((eaches(ln.sku, ln.unit) if eaches else None) or 1, 1)  # (eaches in one of the line's units)
        units = min(sum(u for _w, _s, u in got) // per, ln.backordered)
        left = units * per
        for wh, sku, u in got:
            take = min(u, left)
            left -= take
            if take:
                before = rows.get((ln.line_number, wh))
                rows[(ln.line_number, wh)] = Reservation(record.partner, record.po_number, ln.line_number, wh, sku,
                                                         take + (before.quantity if before else 0))
        backordered = ln.backordered - units
        state = ln.state
        if not ln.shipped:
            state = LineState.BACKORDERED if backordered else LineState.ALLOCATED
        warehouses = ",".join(sorted({*filter(None, ln.warehouses.split(",")), *(w for w, _s, _u in got)}))
        promised = ln.promised_date if backordered else None
        if units and ln.line_number in opens:  # reserved, not released: it ships on its promise, not before
            promised = max(filter(None, (ln.promised_date, opens[ln.line_number])))
            early.append((ln.line_id or ln.line_number, units, opens[ln.line_number], promised))
            keeps[ln.line_number] = promised
        allocated, over = ln.allocated + units, ln.backordered_over
        if over and not backordered:  # a measure's backorder placed whole: 12.5 LB is 12 and a half held by none
            allocated, over = allocated - 1, backordered_stored(Decimal(0))[1]
        new_lines.append(replace(ln, allocated=allocated, backordered=backordered, state=state,
                                 promised_date=promised, warehouses=warehouses, run_id=run_id, backordered_over=over))
        total += units
    note = f"{total} backordered unit(s) allocated from stock"
    note += "".join(f"; line {n}'s {u} reserved before its ship window opens ({o.isoformat()}): kept for it, to ship "
                    f"{d.isoformat()} as promised, not before" for n, u, o, d in early)
    if complete:
        new_lines, said = _complete_day(lines, new_lines, run_id)
        note += said
        # (a line reserved before its window still ships on its promise, not before, whatever the order's day)
        new_lines = [replace(ln, promised_date=max(filter(None, (ln.promised_date, keeps[ln.line_number]))))
                     if ln.line_number in keeps else ln for ln in new_lines]
    steps = [(EventKind.BACKORDER_ALLOCATED, "system", note, "")]
    if warned:
        steps.insert(0, (EventKind.BACKORDER_PAST_CANCEL, "system", warned[0].finding.message, ""))
    t = moves(record, steps, at=at, run_id=run_id)
    return Plan(transitions=(t,), lines=(OrderLines(*record.key, tuple(new_lines)),),
                reservations=(OrderReservations(*record.key, tuple(rows[k] for k in sorted(rows))),),
                findings=warned)


def promise_raised(records: Sequence[OrderRecord], *, plan: Plan, lines: Mapping[Key, Sequence[LineRecord]],
                   allocation: pa.Table, ship_days: Mapping[Key, date | None], today: date, run_id: str,
                   eaches: Callable[[str, str], int | None] | None = None
                   ) -> tuple[Plan, dict[Key, dict[int, int]], dict[Key, set[int]]]:
    """Orders an 860 raised after shipment (answered at once, no rules), once the run's backorder allocation placed
    what the stock covers (``plan``: plan_backorders' plan, each order's lines as it leaves them, else as ``lines``
    has them; ``allocation``: its rows): a line still backordered is promised as an 850 line's backorder is, the day
    the receipts cover it, or the order's ship day ``ship_days`` (its requested ship date, today at the earliest)
    when later (engine.answer.backorder_day), never earlier than the promise it had. The raised units used to stay
    backordered with no promise (no 068 on the 865 line). Units no receipt covers (the allocation's rejected rows:
    no_receipt, rejected_by_policy, past_cancel_date) are returned for the change step to refuse
    (refuse_unplaced_raises), as an 850 line's are. Returns ``plan`` with the lines re-promised laid in (an order's
    lines replaced whole), the units no stock or receipt covers by order and line, and the line numbers given a
    promise by order."""
    placed = {(o.partner, o.po_number): o.lines for o in plan.lines}
    rows: dict[tuple[str, str, int], tuple[date | None, int]] = {}
    cols = ("partner", "po_number", "line_number", "backordered", "rejected", "promised_date")
    for p, po, n, back, rej, day in zip(*(allocation[c].to_pylist() for c in cols), strict=True):
        latest, refused = rows.get((p, po, n), (None, 0))
        if back and day is not None and (latest is None or day > latest):
            latest = day
        rows[(p, po, n)] = (latest, refused + int(rej or 0))
    out, uncovered, dated = {}, {}, {}
    for r in records:
        ship = max(ship_days.get(r.key) or today, today)
        new, changed = [], False
        for ln in placed.get(r.key, lines.get(r.key, ())):
            latest, refused = rows.get((r.partner, r.po_number, ln.line_number), (None, 0))
            if ln.backordered <= 0 or ln.state in ENDED_LINES:
                new.append(ln)
                continue
            if refused:  # (the allocation's eaches, in the line's units: backorder_input's ``eaches``)
                per = max((eaches(ln.sku, ln.unit) if eaches else None) or 1, 1)
                uncovered.setdefault(r.key, {})[ln.line_number] = min(-(-refused // per), ln.backordered)
            day = backorder_day(latest, ship)
            if day is not None and ln.promised_date is not None:
                day = max(day, ln.promised_date)
            if day is not None and day != ln.promised_date:
                ln, changed = replace(ln, promised_date=day, run_id=run_id), True
            if day is not None:
                dated.setdefault(r.key, set()).add(ln.line_number)
            new.append(ln)
        if changed:
            out[r.key] = tuple(new)
    laid = tuple(OrderLines(o.partner, o.po_number, out.pop((o.partner, o.po_number), o.lines)) for o in plan.lines)
    return replace(plan, lines=laid + tuple(OrderLines(*k, v) for k, v in out.items())), uncovered, dated


def _complete_day(before: Sequence[LineRecord], after: list[LineRecord], run_id: str) -> tuple[list[LineRecord], str]:
    """The lines of an order that ships complete after a later run placed some of its backorder: while a line
    still waits, every line with units to ship keeps the order's day (the latest promise of the lines still
    waiting), a line the run filled whole included (it ships with the rest, not before); once nothing waits,
    the order ships complete now and no line carries a date. With what the history says of it: the day when
    it moved (the filled line was the latest), or that the whole order is allocated."""
    def open_(ln: LineRecord) -> bool:
        return ln.state not in ENDED_LINES and ln.state not in (LineState.SHIPPED, LineState.INVOICED, LineState.CLOSED)

    was = max((ln.promised_date for ln in before if open_(ln) and ln.promised_date), default=None)
    waits = [ln.promised_date for ln in after if open_(ln) and ln.backordered > 0 and ln.sku]
    day = max((d for d in waits if d), default=None)
    if not waits:
        out = [replace(ln, promised_date=None, run_id=run_id) if open_(ln) and ln.promised_date else ln
               for ln in after]
        return out, ("; the whole order is allocated: it ships complete now"
                     + (f" (it was promised for {was.isoformat()})" if was else ""))
    out = [replace(ln, promised_date=day, run_id=run_id) if open_(ln) and ln.promised_date != day
           and (ln.backordered > 0 or ln.allocated > 0) else ln for ln in after]
    if was is not None and day is not None and day != was:
        return out, (f"; the order ships complete: its day moves from {was.isoformat()} to {day.isoformat()} "
                     "(the latest of the lines still waiting; no new 855 is sent)")
    return out, ""


# --- a cancel date that passed ----------------------------------------------------------------------
WARNED = EventKind.BACKORDER_PAST_CANCEL  # in an order's history: its late backorders were warned about


@dataclass(frozen=True, slots=True)
class Passed:
    """An order's last dates that passed (``past_deadline``, ``past_lines``): ``named`` as its findings' words name
    them ("DTM 001 (cancel after) 2026-12-10 and DTM 063 (do not deliver after) 2026-12-12 less 3 days in transit (the
    last ship day 2026-12-09)"), and as data, ``dates``: each (DTM01, the date as the PO stated it), in that order.
    Its BACKORDER_AFTER_CANCEL finding's value is the last of them (``value``) and its qualifier their DTM01s on that
    day (``qualifier``)."""

    named: str
    dates: tuple[tuple[str, date], ...]

    @property
    def value(self) -> date:
        return self.dates[-1][1]

    @property
    def qualifier(self) -> str:
        """The DTM01s of ``dates`` on ``value``'s day, space-separated in their order ("001 063": both on it)."""
        return " ".join(dict.fromkeys(q for q, when in self.dates if when == self.value))


def joined(parts: Iterable[Passed]) -> Passed:
    """The passed dates of several lines of one order as one: each named once, in order."""
    parts = list(dict.fromkeys(parts))
    return Passed(" and ".join(dict.fromkeys(p.named for p in parts)),
                  tuple(dict.fromkeys(d for p in parts for d in p.dates)))


def _passed(named: list[tuple[str, date, str]]) -> Passed:
    """(DTM01, date, its words) per date passed as one Passed."""
    return Passed(" and ".join(t for _q, _d, t in named), tuple((q, d) for q, d, _t in named))


def past_deadline(records: Iterable[OrderRecord], dates: Mapping[Key, Mapping], *, today: date,
                  line_dates: Mapping[Key, Mapping[int, Mapping]] | None = None,
                  lines: Mapping[Key, Sequence[LineRecord]] | None = None,
                  window_end_cancels: Collection[str] = (),
                  transit: Mapping[str, Transit | int | None] | None = None) -> dict[Key, Passed]:
    """Orders of ``records`` whose cancel-after (DTM 001) or do-not-deliver-after (063) is before ``today``
    (``dates``: each order's stored ORDERS row, or the columns of it that give them; an order without a
    row or without those dates is never past), each with its passed dates (``Passed``: named "DTM 001 (cancel
    after) 2026-12-10", and as data). The last day itself is still in time, as for CANCEL_DATE_PASSED. With
    ``line_dates`` (each
    order's stored ORDER_LINES dates by line number) and ``lines``, a backordered line's own date comes first,
    the order's where it has none (``past_lines``). ``window_end_cancels``: the partners whose DTM 038 (ship no
    later, the ``dates``' ship_no_later) is a last date too (AllocationPolicy.ship_no_later_is_cancel). ``transit``:
    partner -> its days in transit: a DTM 063 is passed once its last ship day is (schemas.orders.last_ship_day)."""
    transit = transit or {}
    if line_dates is None or lines is None:
        out: dict[Key, Passed] = {}
        for r in records:
            row, days = dates.get(r.key) or {}, transit.get(r.partner)
            passed = [(q, row[c], last_date_named(c, f"DTM {q} ({name})", row[c], days))
                      for c, q, name in last_dates(r.partner in window_end_cancels)
                      if row.get(c) is not None and last_day(c, row[c], days) < today]
            if passed:
                out[r.key] = _passed(passed)
        return out
    return {k: joined(v.values())
            for k, v in past_lines(records, dates, line_dates, lines, today=today,
                                   window_end_cancels=window_end_cancels, transit=transit).items()}


def past_lines(records: Iterable[OrderRecord], dates: Mapping[Key, Mapping], line_dates: Mapping[Key, Mapping[int,
               Mapping]], lines: Mapping[Key, Sequence[LineRecord]], *, today: date,
               window_end_cancels: Collection[str] = (),
               transit: Mapping[str, Transit | int | None] | None = None,
               select: Callable[[LineRecord], bool] | None = None) -> dict[Key, dict[int, Passed]]:
    """Per order of ``records``, its backordered lines whose last date is before ``today``, each with its passed
    dates named: per date, the line's own (an 850's PO1 DTM 001/063, or an 860's POC DTM that moved it) where it
    has one ("DTM 001 (cancel after, line 4) 2026-12-20"), else the order's ("DTM 001 (cancel after) 2026-12-10").
    An order with no such line is left out. ``window_end_cancels``: as past_deadline's (the line's own DTM 038, its
    PO1 or POC loop's, else the order's); ``transit``: as past_deadline's (a 063's last ship day). ``select``: the
    lines looked at instead of the backordered ones (an ended line never is): engine.lifecycle.balance's past the
    cancel date looks at the lines with units promised and not shipped."""
    out: dict[Key, dict[int, Passed]] = {}
    transit = transit or {}
    for r in records:
        row, days = dates.get(r.key) or {}, transit.get(r.partner)
        last = last_dates(r.partner in window_end_cancels)
        own = line_dates.get(r.key) or {}
        for ln in lines.get(r.key, ()):
            if ln.state in ENDED_LINES or not (ln.backordered > 0 if select is None else select(ln)):
                continue
            mine = own.get(ln.line_number) or {}
            passed = []
            for c, q, name in last:
                when, whose = (mine[c], f", line {ln.line_id or ln.line_number}") if mine.get(c) is not None else \
                    (row.get(c), "")
                if when is not None and last_day(c, when, days) < today:
                    passed.append((q, when, last_date_named(c, f"DTM {q} ({name}{whose})", when, days)))
            if passed:
                out.setdefault(r.key, {})[ln.line_number] = _passed(passed)
    return out


@dataclass(frozen=True, slots=True)
class Deadlines:
    """What ``plan_deadlines`` decided of the orders waiting for stock: ``expired`` the plan cancelling the backorders
    of those past their last date whose partner rejects late backorders; ``promising`` (partner, PO) -> its passed
    dates named, those past it whose partner promises them all the same (warned once: ``to_warn``); ``waiting`` the
    orders still offered stock (the rejected ones left out); ``opens`` (partner, PO) -> line -> the day its ship
    window opens (``window_opens``; not for the orders an 860 raised after shipment)."""

    expired: Plan = field(default_factory=Plan)
    promising: dict[Key, Passed] = field(default_factory=dict)
    waiting: list[OrderRecord] = field(default_factory=list)
    opens: dict[Key, dict[int, date]] = field(default_factory=dict)


def plan_deadlines(waiting: Sequence[OrderRecord], *, dates: Mapping[Key, Mapping],
                   line_dates: Mapping[Key, Mapping[int, Mapping]], lines: Mapping[Key, Sequence[LineRecord]],
                   profiles: Mapping[str, PartnerProfile], today: date, at: str, run_id: str,
                   fresh: Collection[Key] = ()) -> Deadlines:
    """The decide stage's backorder step's deadline check, over ``waiting`` (``waiting()``'s orders, with their stored
    ORDERS rows ``dates`` and their lines' own dates ``line_dates``, flows.shipments.order_dates / line_deadlines): the
    backordered lines past their last date (``past_lines``; a DTM 038 for a partner whose ship_no_later_is_cancel, a
    063 less the partner's transit days) of the orders in a SHIPPABLE state (an order waiting for the decision of
    lines an 860 added is left to the next night's check); of those whose partner's late_backorder is "reject" the
    backorders cancelled (``plan_expired``, those lines alone) and the order offered nothing more; the others kept
    and to be warned once (``promising``). ``fresh``: the orders an 860 raised after shipment in this run (their
    ship window is not held: ``opens`` leaves them out)."""
    window_end = window_end_cancels(profiles)  # DTM 038 too
    shippable = {r.key for r in waiting if r.state in SHIPPABLE}
    by_line = {k: v for k, v in past_lines(waiting, dates, line_dates, lines, today=today,
                                           window_end_cancels=window_end, transit=transit_days(profiles)).items()
               if k in shippable}
    passed = {k: joined(v.values()) for k, v in by_line.items()}
    rejecting = {k: v for k, v in passed.items() if profiles[k[0]].allocation.late_backorder == "reject"}
    expired = plan_expired([r for r in waiting if r.key in rejecting], lines=lines, passed=rejecting, today=today,
                           at=at, run_id=run_id, only=by_line)
    left = [r for r in waiting if r.key not in rejecting]
    opens = window_opens([r for r in left if r.key not in fresh], dates, line_dates, lines, today=today) if left \
        else {}
    return Deadlines(expired=expired, promising={k: v for k, v in passed.items() if k not in rejecting},
                     waiting=left, opens=opens)


def to_warn(promising: Mapping[Key, Passed], warned: Collection[Key]) -> dict[Key, Passed]:
    """``promising``'s orders not warned yet (``warned``: those whose history has a WARNED event): plan_backorders'
    ``late`` (each records backorder_past_cancel and a BACKORDER_AFTER_CANCEL warning, once)."""
    return {k: v for k, v in promising.items() if k not in warned}


def plan_expired(records: Sequence[OrderRecord], *, lines: Mapping[Key, Sequence[LineRecord]],
                 passed: Mapping[Key, Passed], today: date, at: str, run_id: str,
                 only: Mapping[Key, Iterable[int]] | None = None) -> Plan:
    """The backordered units of ``records`` (each past its last date: ``passed``, as ``past_deadline``
    names it) cancelled: backordered -> rejected (nothing reserved for them: their reservations are
    the allocated units', kept), the line's state by what is left, one BACKORDER_AFTER_CANCEL warning
    per order naming the lines and units, and the order moved by what is left (``backorder_expired``,
    ``_completed``, ``_settled`` or ``_cancelled``). No document: the retailer's system cancels
    what is open at its cancel date itself (an 855 or 865 after it would answer a closed PO)."""
    return Plan.combine([isolated(r, lambda r=r: _expire(r, lines.get(r.key, ()), passed[r.key], today=today, at=at,
                                                         run_id=run_id, only=None if only is None else only.get(r.key)),
                                  at=at, run_id=run_id, stage="decide")
                         for r in records if r.key in passed])


def _expire(record: OrderRecord, lines: Sequence[LineRecord], passed: Passed, *, today: date, at: str,
            run_id: str, only: Iterable[int] | None = None) -> Plan:
    new_lines, cut = [], []
    only = None if only is None else set(only)  # the lines whose own (or the order's) date passed; None: all
    for ln in lines:
        if ln.backordered <= 0 or ln.state in ENDED_LINES or (only is not None and ln.line_number not in only):
            new_lines.append(ln)
            continue
        allocated = ln.allocated
        ends = allocated == 0 and not ln.shipped
        # a line in a fraction of its unit that this ends (nothing placed): the fraction its whole backordered units
        # did not hold is cancelled with them (1.344 TM backordered as 1 rejects 1.344); one placed keeps it
        # (a measure's backorder is what it wants of the units covering it: 2.5 LB of the 3 kept, backordered_over)
        units = backordered_exactly(ln.backordered, ln.backordered_over) + (
            unheld_fraction(ln.ordered, ln.promised, ln.rejected, ln.rejected_fraction, ln.backordered_over)
            if ends else 0)
        cut.append((ln.line_number, units, ln.unit))
        state = LineState.REJECTED if ends else _line_state(ln.shipped, ln.invoiced, allocated, 0)
        reason = ln.reason if "past_cancel_date" in ln.reason else "; ".join(filter(None, (ln.reason,
                                                                                             "past_cancel_date")))
        rejected, fraction = rejected_stored(rejected_exactly(ln.rejected, ln.rejected_fraction) + units)
        new_lines.append(replace(ln, backordered=0, rejected=rejected, state=state, promised_date=None, reason=reason,
                                 run_id=run_id, rejected_fraction=fraction, expired=expired_units(ln) + units,
                                 backordered_over=backordered_stored(Decimal(0))[1]))
    if not cut:
        return Plan()
    done = tuple(new_lines)
    units, which = _counted(cut)
    live = [ln for ln in done if ln.state not in ENDED_LINES]
    if record.state == OrderState.ACKNOWLEDGED:
        event = EventKind.BACKORDER_EXPIRED if live else EventKind.BACKORDER_EXPIRED_CANCELLED
        left = "the order keeps its reserved units" if live else "nothing was placed nor shipped: the order ends"
    else:
        to = _state_after(done)
        event = {OrderState.PARTIALLY_SHIPPED: EventKind.BACKORDER_EXPIRED,
                 OrderState.SHIPPED: EventKind.BACKORDER_EXPIRED_COMPLETED,
                 OrderState.INVOICED: EventKind.BACKORDER_EXPIRED_SETTLED}[to]
        left = {OrderState.PARTIALLY_SHIPPED: "the order keeps its reserved units",
                OrderState.SHIPPED: "nothing is left to ship: the shipped units are invoiced",
                OrderState.INVOICED: "nothing is left to ship and every shipped unit is invoiced"}[to]
    message = (f"The order's {passed.named} passed (run date {today.isoformat()}) with {units} still backordered: "
               f"{which}; cancelled (late_backorder = \"reject\"): no stock is reserved for them and they will "
               f"not ship; {left}. No document is sent: the retailer's system cancels what is open at its cancel "
               "date itself.")
    f = business_finding("BACKORDER_AFTER_CANCEL", message, _lineage(record), seg="DTM", element="DTM02",
                         value=passed.value, line=False, qualifier=passed.qualifier)
    t = move(record, event, at=at, run_id=run_id, note=message, value=_value(done))
    return Plan(transitions=(t,), lines=(OrderLines(*record.key, done),),
                findings=(FindingRecord(f, record.partner, record.po_number, "backorder cancelled (no document)",
                                        "decide"),))


def _late_warning(record: OrderRecord, lines: Sequence[LineRecord], passed: Passed) -> tuple[FindingRecord, ...]:
    waiting_lines = [(ln.line_number, ln.backordered, ln.unit) for ln in lines if ln.backordered > 0 and ln.sku]
    units, which = _counted(waiting_lines)
    message = (f"The order's {passed.named} passed with {units} still backordered: "
               f"{which}; kept (late_backorder = \"promise\"): they are allocated and shipped as stock comes; expect "
               "a refusal at the dock or a chargeback (said once for the order).")
    f = business_finding("BACKORDER_AFTER_CANCEL", message, _lineage(record), seg="DTM", element="DTM02",
                         value=passed.value, line=False, qualifier=passed.qualifier)
    return (FindingRecord(f, record.partner, record.po_number, "none (warning)", "decide"),)


def _counted(lines: Sequence[tuple[int, int | Decimal, str]]) -> tuple[str, str]:
    """(the units backordered added up, and per line) of ``lines`` (line number, units, PO103 unit): a line's
    backordered units are counted in its PO103 unit (the 855's), so lines of one unit add up in it ("42 eaches"
    for EA, "30 FT" of wire), "line 3 (30), line 4 (12)"; lines of several are said each in its own ("32 units":
    "line 1 (30 FT), line 2 (2 CA)")."""
    kinds = {said_in(unit) for _n, _u, unit in lines}
    total = sum(u for _n, u, _unit in lines)
    if len(kinds) == 1:
        return f"{total} {kinds.pop()}", ", ".join(f"line {n} ({u})" for n, u, _unit in lines)
    return f"{total} units", ", ".join(f"line {n} ({u} {unit or 'units'})" for n, u, unit in lines)


def _lineage(record: OrderRecord) -> dict:
    return {"partner": record.partner, "po_number": record.po_number, "source_file": record.source_file,
            "isa13": record.isa13, "gs06": record.gs06, "st02": record.st02}


__all__ = ["WARNED", "Deadlines", "Passed", "backorder_input", "joined", "past_deadline", "past_lines",
           "plan_backorders", "plan_deadlines", "plan_expired", "to_warn", "waiting"]
