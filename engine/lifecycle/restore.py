"""A lost state store rebuilt from the workspace's files (flows.rebuild): what the answers found in the
outbox say about the orders replayed from the archive.

An order an 855 (or a CSV acknowledgment) answered is acknowledged (or rejected, BAK02 RD/RJ) as its
latest 855 said: its lines are those of its newest revision (the stored tables an applied 860 left), with
the 855's quantities and ACK codes, a line a revised 855 (BAK01 05) no longer lists deleted, units reserved again as the
newest allocation table holding each line placed them (with no report left, as the answers placed them: a
line's units the answer did not back-order or refuse reserved in a warehouse whose stock held its item). Its
860s answered afterwards (an 865, or an 855 BAK01 05) are answered (refused when the 865 says RD/RJ, or when
the PO is unknown), each one that made a revision counts in the order's revision, and a cancellation (BCH01 01)
answered cancels it.

Pure: records, the answers read back (plain values), stored table rows and allocation rows in; a Plan
out. Every move is an existing transition (engine.lifecycle.table), its actor the state rebuild.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from engine.lifecycle.common import isolated
from engine.lifecycle.table import TO_DECIDE, move, next_state
from schemas.lifecycle import (
    ENDED_LINES,
    GONE_LINES,
    ChangeUpdate,
    EventKind,
    LineRecord,
    LineState,
    OrderLines,
    OrderRecord,
    OrderReservations,
    Plan,
    Reservation,
    StoredChange,
)
from schemas.units import rejected_stored

REJECTING = {"RD", "RJ"}  # BAK02 / BCA02: rejected
ANSWERS = ("855", "870", "CSV")  # what answers an order: an 855 (or an 870), or a CSV partner's CSV acknowledgment
REVISED = "05"  # BAK01 05: a revised acknowledgment (it answers an 860)
ACTOR = "state rebuild"
GONE = GONE_LINES


@dataclass(frozen=True, slots=True)
class SentAnswer:
    """An 855 or 865 (or a CSV acknowledgment, read as the 855 it stands for) found in the outbox for one order."""

    doc_type: str  # "855", "865" or "CSV"
    doc_key: str  # the set's key in the rebuilt store
    file_name: str
    date: str  # CCYYMMDD the interchange was made (GS04)
    purpose: str  # BAK01 / BCA01
    ack_type: str  # BAK02 / BCA02
    lines: tuple = ()  # ((PO101, PO102 or None, ((ACK01, ACK02), ...)), ...)
    prices: tuple = ()  # ((PO101, PO104 or None), ...): the unit price each line was answered at
    units: tuple = ()  # ((PO101, PO103), ...): the unit each line's quantities were answered in (none: a CSV's)
    items: tuple = ()  # per line of ``lines``, its product ids ((qualifier, id), ...), as the answer sent them
    promised: tuple = ()  # ((PO101, CCYYMMDD), ...): the date a line's IB ACK promised its back order (ACK05)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the workspace's files say about one order (partner, PO), gathered by flows.rebuild."""

    answers: tuple[SentAnswer, ...] = ()  # in the order they were sent
    changes: tuple[StoredChange, ...] = ()  # its 860s, as the replay recorded them (oldest first)
    cancelling: frozenset[int] = frozenset()  # ids of those that cancel the order (BCH01 01)
    revision_keys: frozenset[str] = frozenset()  # stored tables an applied 860 left ("<store key>-<change ref>")
    revision_rows: tuple[dict, ...] = ()  # the newest revision's line rows (line_number, line_id, quantity...)
    allocation: tuple[dict, ...] = field(default_factory=tuple)  # per line, the newest allocation rows
    sets: Mapping[int, str] = field(default_factory=dict)  # change id -> the set it came as, not an 860 ("876")
    stock: Mapping[int, LineStock] = field(default_factory=dict)  # line number -> its stock, where no report held it


@dataclass(frozen=True, slots=True)
class LineStock:
    """What the files still say of an order line's stock when no run report holds its allocation (reports/ cleaned
    up, or never kept), gathered by flows.rebuild: its SKU as the rules resolve its item (rules.business.items), the
    stock's units in one of the line's (a case of 12: 12), and the warehouses whose stock snapshot of the answer's day
    held free units of it (on hand less reserved), in the partner's order of preference, each with those units."""

    sku: str
    eaches: int | None  # None: the line's unit converts to no stock unit (what to reserve is not known)
    held: tuple[tuple[str, int], ...] = ()  # (warehouse, free units), preferred first; none: no stock known
    stocked: bool = True  # False: a service item (items.csv kind), which no stock holds nor any night reserved


def plan_restored(records: Mapping[tuple[str, str], OrderRecord],
                  lines: Mapping[tuple[str, str], tuple[LineRecord, ...]],
                  evidence: Mapping[tuple[str, str], Evidence], *, at: str, run_id: str,
                  ) -> Plan:
    """For each order (partner, PO) with answers in the outbox, the plan that makes it what they said; the lines no
    report holds (Evidence.stock) take the stock their snapshots held in the orders' arrival order, as the nights'
    allocation took it: what an order placed is not free for the orders after it."""
    parts = []
    taken: dict[tuple[str, str], int] = {}  # (warehouse, sku) -> the units placed so far
    arrival = {k: (records[k].arrival if k in records else 0, k) for k in evidence}
    for key in sorted(evidence, key=arrival.__getitem__):
        ev, record = evidence[key], records.get(key)
        if record is None:  # an 860 for a PO we never held: its 865 refused it
            parts.append(Plan(change_updates=tuple(ChangeUpdate(c.id, "refused") for c in ev.changes
                                                   if c.status == "pending" and _answer_of(c, ev.answers))))
            continue
        parts.append(isolated(record, lambda r=record, k=key, e=ev: _restore(r, lines.get(k, ()), e, taken, at=at,
                                                                             run_id=run_id),
                              at=at, run_id=run_id, stage="rebuild"))
    return Plan.combine(parts)


def named_by_item(answer: SentAnswer, rows: Sequence[dict]) -> SentAnswer:
    """The answer with each line it sent without a line id (an 865's POC echoing an 876's G68, or an 860's POC
    without POC01: named by its item alone) named as the stored line its product ids name (its line id, else its
    line number), as the night that applied the change matched the item; a line whose ids name no stored line, or
    more than one, stays unnamed. Its prices and units follow."""
    if not answer.items or all(line_id for line_id, _q, _a in answer.lines):
        return answer
    owners: dict[str, set[str]] = {}
    for row in rows:
        ids = {p["id"] for p in row.get("product_ids") or () if p.get("id")}
        ids |= {row[c] for c in ("upc", "gtin", "ean", "vendor_part", "buyer_part") if row.get(c)}
        for i in ids:
            owners.setdefault(i, set()).add(row["line_id"] or str(row["line_number"]))
    names = []
    for (line_id, _q, _a), items in zip(answer.lines, answer.items, strict=False):
        found = set().union(*(owners.get(i, set()) for _qual, i in items)) if items else set()
        names.append(line_id or (next(iter(found)) if len(found) == 1 else ""))
    names += [line_id for line_id, _q, _a in answer.lines[len(names):]]
    if names == [line_id for line_id, _q, _a in answer.lines]:
        return answer
    return replace(answer, lines=tuple((n, q, a) for n, (_id, q, a) in zip(names, answer.lines, strict=True)),
                   prices=tuple((n, p) for n, (_id, p) in zip(names, answer.prices, strict=False)),
                   units=tuple((n, u) for n, (_id, u) in zip(names, answer.units, strict=False)))


def _answer_of(change: StoredChange, answers: Sequence[SentAnswer], record: OrderRecord | None = None
               ) -> SentAnswer | None:
    """The first 865, or revised 855 (BAK01 05), sent on or after the day the 860 came. Without one, an 860 taken in no
    later than its order (``record``: before its 850, waiting for it, or the same night) was applied by the decide
    that first answered the order: the order's first answer (its 855 of any purpose, or an 865) sent on or after the
    day the order came answers it."""
    day = change.received_at[:10].replace("-", "")
    answer = next((a for a in answers if a.date >= day and (a.doc_type == "865" or a.purpose == REVISED)), None)
    if answer is None and record is not None and record.received_at and change.received_at <= record.received_at:
        day = record.received_at[:10].replace("-", "")
        return next((a for a in answers if a.date >= day and a.doc_type in ("855", "865")), None)
    return answer


def _restore(record: OrderRecord, lines: tuple[LineRecord, ...], ev: Evidence, taken: dict[tuple[str, str], int],
             *, at: str, run_id: str) -> Plan:
    if ev.revision_rows:
        ev = replace(ev, answers=tuple(named_by_item(a, ev.revision_rows) for a in ev.answers))
    updates, revised, cancel = [], [], None
    for c in ev.changes:
        answer = _answer_of(c, ev.answers, record) if c.status == "pending" else None
        if answer is None:
            continue
        refused = answer.doc_type == "865" and answer.ack_type in REJECTING
        updates.append(ChangeUpdate(c.id, "refused" if refused else "answered"))
        if refused:
            continue
        if c.id in ev.cancelling:
            cancel = (c, answer)
        elif f"{c.store_key}-{c.change_ref}" in ev.revision_keys:
            revised.append(c)
    transitions, r = [], record
    new_lines, reserved = lines, None
    last = max((i for i, a in enumerate(ev.answers) if a.doc_type in ANSWERS), default=None)
    if last is not None and r.state in TO_DECIDE:
        told = ev.answers[last:]  # the latest 855, and the 865s sent after it
        rejected = told[0].ack_type in REJECTING
        revision = r.revision + len(revised)
        changes = {}
        if revised:
            changes = dict(lines_key=f"{revised[-1].store_key}-{revised[-1].change_ref}",
                           change_file=revised[-1].source_file)
            if ev.revision_rows:  # the newest revision's lines, as the night that applied its 860 counted them
                changes["line_count"] = len({r["line_number"] for r in ev.revision_rows})
        note = f"restored from {', '.join(a.file_name for a in told)} ({told[-1].doc_type} {told[-1].ack_type}) " \
               "by the state rebuild"
        base = lines
        if revised and ev.revision_rows:
            base = _revision_lines(record, lines, ev.revision_rows, revision, run_id)
        allocation = ev.allocation
        if ev.stock:  # no report holds these lines: placed as the answers said
            allocation = (*allocation, *placed_by_answers(base, told, allocation, ev.stock, taken,
                                                                  rejected=rejected))
        new_lines = _deleted_skus(_lines(base, told, allocation, rejected, revision, run_id), allocation)
        reserved = () if rejected else _reservations(record, new_lines, allocation)
        # its value as acknowledged (a rejection is worth nothing; a cancellation keeps it, as a night does): it
        # read 0 for every rebuilt order
        kept = [a for a in told if cancel is None or a is not cancel[1]]
        value = Decimal(0) if rejected else _acknowledged_value(
            new_lines if cancel is None else _lines(base, kept, allocation, rejected, revision, run_id), kept)
        t = move(r, EventKind.REJECTED if rejected else EventKind.ACKNOWLEDGED, at=at, run_id=run_id, actor=ACTOR,
                 note=note, document_key=told[0].doc_key, ack_type=told[-1].ack_type, answered_with=told[-1].doc_type,
                 revision=revision, answered_revision=revision, value=value,
                 **changes)
        transitions.append(t)
        r = t.record
    if cancel is not None and next_state(r.state, EventKind.CHANGE_CANCELLED) is not None:
        change, answer = cancel
        note = f"cancelled by the {ev.sets.get(change.id, '860')} in {change.source_file}, answered in " \
               f"{answer.file_name}; restored by the state rebuild"
        t = move(r, EventKind.CHANGE_CANCELLED, at=at, run_id=run_id, actor=ACTOR, note=note,
                 document_key=answer.doc_key, ack_type=answer.ack_type, answered_with=answer.doc_type)
        transitions.append(t)
        new_lines = tuple(ln if ln.state in GONE else
                          replace(ln, state=LineState.CANCELLED, ack="ID", allocated=0, backordered=0, warehouses="",
                                  promised_date=None, reason=note, run_id=run_id) for ln in new_lines)
        reserved = ()
    if not transitions and not updates:
        return Plan()
    key = (record.partner, record.po_number)
    return Plan(transitions=tuple(transitions), change_updates=tuple(updates),
                lines=(OrderLines(*key, new_lines),) if transitions else (),
                reservations=(OrderReservations(*key, reserved),) if reserved is not None else ())


def _revision_lines(record: OrderRecord, stored: tuple[LineRecord, ...], rows: Sequence[dict], revision: int,
                    run_id: str) -> tuple[LineRecord, ...]:
    """The newest revision's lines as the 860 that made it stored them (one per line number); a line
    of the order that it no longer holds was deleted."""
    out: dict[int, LineRecord] = {}
    for row in rows:
        out.setdefault(row["line_number"], LineRecord(
            record.partner, record.po_number, row["line_number"], LineState.RECEIVED, line_id=row["line_id"] or "",
            ordered=row["quantity"], unit=row["unit"] or "", unit_price=row["unit_price"], revision=revision,
            run_id=run_id))
    for ln in stored:
        if ln.line_number not in out:
            out[ln.line_number] = ln if ln.state in GONE else replace(
                ln, state=LineState.DELETED, ack="ID", allocated=0, backordered=0, rejected=0, promised_date=None,
                rejected_fraction=Decimal(0), warehouses="", revision=revision, run_id=run_id)
    return tuple(out[n] for n in sorted(out))


def _deleted_skus(lines: tuple[LineRecord, ...], allocation: Sequence[dict]) -> tuple[LineRecord, ...]:
    """A deleted line with no SKU (the replay never decided it; an 860's revision rows carry none) keeps the one
    the night decided for it: its newest allocation rows (a deleted line is not decided again after)."""
    skus = {r["line_number"]: r["sku"] for r in allocation if r.get("sku")}
    return tuple(replace(ln, sku=skus[ln.line_number]) if ln.state == LineState.DELETED and not ln.sku
                 and ln.line_number in skus else ln for ln in lines)


def _lines(lines: tuple[LineRecord, ...], told: Sequence[SentAnswer], allocation: Sequence[dict], rejected: bool,
           revision: int, run_id: str) -> tuple[LineRecord, ...]:
    """The lines as the answers told them, in order: the latest 855, then each 865 after it."""
    said: dict[int, tuple] = {}  # line number -> (PO102/POC03, ((ACK01, ACK02), ...)) of the last answer naming it
    priced: dict[int, Decimal] = {}  # line number -> the price the last answer naming it sent (PO104/POC06)
    unit_of: dict[int, str] = {}  # line number -> the unit the last answer naming it spoke its quantities in
    deleted: set[int] = set()
    for answer in told:
        listed = {line_id: (qty, acks) for line_id, qty, acks in answer.lines}
        prices = dict(answer.prices)
        for ln in lines:
            name = _name_in(ln, listed)
            got = listed.get(name) if name is not None else None
            if got is not None:
                said[ln.line_number] = got
                units = dict(answer.units)
                unit_of[ln.line_number] = units.get(name, "")
                price = prices.get(name)
                if price is not None:
                    priced[ln.line_number] = price
                deleted.discard(ln.line_number)
            elif answer.doc_type == "855" and answer.purpose == REVISED and ln.state not in GONE:
                deleted.add(ln.line_number)  # a revised 855 lists every live line: this one was deleted
    placed: dict[int, list[dict]] = {}
    for row in allocation:
        placed.setdefault(row["line_number"], []).append(row)
    out = []
    for ln in lines:
        if ln.state in GONE or ln.line_number not in said and ln.line_number not in deleted:
            out.append(ln)
            continue
        quantity, acks = said.get(ln.line_number, (None, (("ID", None),)))
        codes = [code for code, _ in acks]
        if "ID" in codes:
            out.append(replace(ln, state=LineState.DELETED, ack="ID", allocated=0, backordered=0, rejected=0,
                               rejected_fraction=Decimal(0),
                               promised_date=None, warehouses="", revision=revision, run_id=run_id))
            continue
        rows = [] if rejected else placed.get(ln.line_number, [])
        if rows:
            allocated = int(sum(r["allocated"] for r in rows))
            backordered = int(sum(r["backordered"] for r in rows))
            rejected_units = int(sum(r["rejected"] for r in rows))
            warehouses = ",".join(sorted({r["warehouse"] for r in rows if r["warehouse"] and r["allocated"]}))
            promised = next((r["promised_date"] for r in rows if r["promised_date"]), None)
        else:
            allocated, warehouses, promised = 0, "", ln.promised_date
            backordered = int(sum(q or 0 for c, q in acks if c == "IB"))
            rejected_units = int(sum(q or 0 for c, q in acks if c == "IR"))
        # what it rejected exactly: the IRs the answer told (the whole units kept, the rest of one as the line's
        # rejected_fraction, as the night that sent it stored it: engine.lifecycle.decisions._fractions)
        told_ir = sum((q or Decimal(0) for c, q in acks if c == "IR"), Decimal(0))
        rejected_units, fraction = rejected_stored(
            told_ir if 0 <= told_ir - rejected_units < 1 else Decimal(rejected_units))
        if backordered:
            state = LineState.BACKORDERED
        elif allocated:
            state = LineState.ALLOCATED
        elif codes and all(c == "IR" for c in codes):
            state = LineState.REJECTED
        else:
            state = LineState.ACCEPTED
        price = priced.get(ln.line_number)  # ours where it is not the buyer's (an IP), as the night kept it
        out.append(replace(ln, state=state, ack="+".join(codes), allocated=allocated, backordered=backordered,
                           ack_price=price if price is not None and price != ln.unit_price else ln.ack_price,
                           rejected=rejected_units, rejected_fraction=fraction, warehouses=warehouses,
                           promised_date=promised,
                           # a quantity told in another unit than the line's (a catch-weight line the 855 echoes
                           # in the buyer's pounds, taken in as bags) is not the line's: it keeps its own
                           ordered=_ordered(quantity, acks, ln.ordered)
                           if unit_of.get(ln.line_number, "") in ("", ln.unit or "") else ln.ordered,
                           sku=next((r["sku"] for r in placed.get(ln.line_number, ()) if r.get("sku")), ln.sku),
                           revision=revision,
                           run_id=run_id))
    return tuple(out)


def _name_in(line: LineRecord, listed: Mapping[str, object]) -> str | None:
    """The name ``line`` goes by among an answer's ``listed`` lines: a line with no line id is named by its number
    first (named_by_item names an 865's POC so), then as ""."""
    tried = (line.line_id, str(line.line_number)) if line.line_id else (str(line.line_number), "")
    return next((n for n in tried if n in listed), None)


# ACK01 codes whose ACK02 units the night placed from stock (allocated, reserved): engine.answer writes IA, IQ, IP, DR,
# IS for a line filled whole (IQ, BP for the part of one filled in part, IB and IR for the rest); IC, IE, IF accept
PLACED = frozenset({"IA", "IC", "IE", "IF", "IP", "IQ", "IS", "BP", "DR"})


def placed_by_answers(lines: tuple[LineRecord, ...], told: Sequence[SentAnswer], allocation: Sequence[dict],
                      stock: Mapping[int, LineStock], taken: dict[tuple[str, str], int], *, rejected: bool = False
                      ) -> tuple[dict, ...]:
    """Allocation rows (as a report's, flows.rebuild._allocation_rows) for the ``lines`` no ``allocation`` row holds,
    as the answers ``told`` last said them: the units of its placing ACKs (PLACED) allocated in its unit and reserved
    in the stock's (LineStock.eaches) in the first warehouse of ``stock`` whose free units, less those ``taken``
    before (added to as they are placed), hold them all (else split in its order, _places); its IB units back-ordered
    (promised the IB's date), its IR units rejected, its SKU the one resolved. A line answered in a part unit (an
    ACK02 not whole), or whose unit converts to no stock unit, or whose item no snapshot held, or of an order
    ``rejected``, is given no reservation (its SKU and back order all the same); a line a change deleted, its SKU."""
    have = {r["line_number"] for r in allocation}
    said: dict[int, tuple] = {}
    promised: dict[int, date | None] = {}
    for answer in told:
        listed = {line_id: acks for line_id, _qty, acks in answer.lines}
        dated = dict(answer.promised)
        for ln in lines:
            name = _name_in(ln, listed)
            if name is not None:
                said[ln.line_number] = listed[name]
                promised[ln.line_number] = _day(dated.get(name, ""))
    out: list[dict] = []
    for ln in lines:
        info, acks = stock.get(ln.line_number), said.get(ln.line_number)
        if info is None or ln.line_number in have or not info.sku:
            continue
        if ln.state in GONE or acks is None:  # (a line a change deleted: its SKU, as _deleted_skus gives it)
            out.append({"partner": ln.partner, "po_number": ln.po_number, "line_number": ln.line_number,
                        "sku": info.sku, "promised_date": None, "warehouse": "", "allocated": 0, "backordered": 0,
                        "rejected": 0})
            continue
        if any(code == "ID" for code, _q in acks):
            continue
        placed = sum((q or Decimal(0) for code, q in acks if code in PLACED), Decimal(0))
        back = sum((q or Decimal(0) for code, q in acks if code == "IB"), Decimal(0))
        refused = sum((q or Decimal(0) for code, q in acks if code == "IR"), Decimal(0))
        base = {"partner": ln.partner, "po_number": ln.po_number, "line_number": ln.line_number, "sku": info.sku,
                "promised_date": promised.get(ln.line_number) if back else None}
        whole = placed == placed.to_integral_value()
        units = int(placed) * info.eaches if whole and info.eaches and info.stocked and not rejected else 0
        places = _places(units, [(w, max(free - taken.get((w, info.sku), 0), 0)) for w, free in info.held])
        for w, q in places:
            taken[(w, info.sku)] = taken.get((w, info.sku), 0) + q
        out += [base | {"warehouse": w, "allocated": a, "reserved": q, "backordered": 0, "rejected": 0}
                for (w, q), a in zip(places, _shares(int(placed), [q for _w, q in places]), strict=True)]
        out.append(base | {"warehouse": "", "allocated": 0, "backordered": int(back), "rejected": int(refused)})
    return tuple(out)


def lines_unreported(stored: Sequence[LineRecord], ev: Evidence) -> frozenset[int]:
    """The line numbers of an answered order that no allocation row of ``ev`` holds (its run report gone), when a live
    line is among them (its newest revision's lines, else its stored lines not deleted or cancelled): the lines
    flows.rebuild gathers a LineStock for (a line deleted since: for its SKU). None when every live line has its
    report, or no 855 (870, CSV acknowledgment) answered the order."""
    if not any(a.doc_type in ANSWERS for a in ev.answers):
        return frozenset()
    have = {r["line_number"] for r in ev.allocation}
    live = {r["line_number"] for r in ev.revision_rows} if ev.revision_rows else {
        ln.line_number for ln in stored if ln.state not in GONE}
    return frozenset((live | {ln.line_number for ln in stored}) - have) if live - have else frozenset()


def stock_unsure(plan: Plan, stock: Mapping[tuple[str, str], Mapping[int, LineStock]]
                 ) -> list[tuple[tuple[str, str], tuple[int, ...], tuple[int, ...]]]:
    """For each order of ``stock`` (placed by placed_by_answers) that ``plan`` restored, in its order: (its key, the
    lines reserved in a warehouse chosen among several that held the item (the night may have chosen another), the
    live lines whose placing ACKs accepted units it reserved nothing of (a service item's excepted)), when either is
    not empty: what the rebuild's notes name."""
    reserved = {(r.partner, r.po_number): {x.line_number for x in r.rows} for r in plan.reservations}
    out = []
    for ol in plan.lines:
        key = (ol.partner, ol.po_number)
        mine = stock.get(key)
        if mine is None:
            continue
        kept = reserved.get(key, set())
        chosen = tuple(ln.line_number for ln in ol.lines
                       if ln.line_number in kept and ln.line_number in mine and len(mine[ln.line_number].held) > 1)
        missed = tuple(ln.line_number for ln in ol.lines
                       if ln.line_number not in kept and ln.state not in (*GONE, LineState.REJECTED)
                       and (ln.line_number not in mine or mine[ln.line_number].stocked)
                       and any(code in PLACED for code in (ln.ack or "").split("+")))
        if chosen or missed:
            out.append((key, chosen, missed))
    return out


def _places(units: int, held: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Where ``units`` are reserved, as the allocation fills a line (engine.allocate, single_warehouse_first): the
    first warehouse of ``held`` that holds them all, else each in turn up to what it holds, the rest in the first."""
    if not units or not held:
        return []
    whole = next((w for w, free in held if free >= units), None)
    if whole is not None:
        return [(whole, units)]
    out, left = {}, units
    for w, free in held:
        take = min(free, left)
        if take:
            out[w], left = take, left - take
    out[held[0][0]] = out.get(held[0][0], 0) + left
    return sorted(out.items(), key=lambda p: [w for w, _f in held].index(p[0]))


def _shares(allocated: int, reserved: list[int]) -> list[int]:
    """A line's ``allocated`` units (its own unit) split over its reservations (the stock's), in proportion, the
    remainder to the last (flows.rebuild._in_order_units)."""
    total = sum(reserved)
    shares = [q * allocated // total for q in reserved] if total else [0] * len(reserved)
    if shares:
        shares[-1] += allocated - sum(shares)
    return shares


def _day(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 else None
    except ValueError:
        return None


PROMISING = {"IA", "IB", "IC", "IE", "IP", "IQ", "IS"}  # ACK01 codes whose ACK02 units we promised to ship


def _acknowledged_value(lines: tuple[LineRecord, ...], told: Sequence[SentAnswer]) -> Decimal:
    """The order's value as acknowledged, as a night sets it (engine.answer.order_values): each live line's
    promised units at our price where we changed it, else the buyer's. A line whose allocation table is gone
    (allocated 0) counts the units its last answer promised (ACK02 of IA, IB, IQ...)."""
    acked: dict[str, Decimal] = {}
    for answer in told:
        for line_id, _qty, acks in answer.lines:
            acked[line_id] = sum((q or Decimal(0) for code, q in acks if code in PROMISING), Decimal(0))
    total = Decimal(0)
    for ln in lines:
        price = ln.ack_price or ln.unit_price
        if ln.state in ENDED_LINES or not price:
            continue
        tried = (ln.line_id, str(ln.line_number)) if ln.line_id else (str(ln.line_number), "")
        units = ln.promised or next((acked[n] for n in tried if n in acked), Decimal(0))
        many = ln.priced_per  # a price per thousand feet kept as sent: per foot
        total += units * price if many == 1 else units * price / many
    return total


def _ordered(quantity: Decimal | None, acks: Sequence, before: Decimal | None) -> Decimal | None:
    """What we acknowledge ordering: an IQ's quantity (rounded to a case, raised to a minimum), else PO102."""
    changed = [q for code, q in acks if code == "IQ" and q is not None]
    return changed[0] if changed else quantity if quantity is not None else before


def _reservations(record: OrderRecord, lines: tuple[LineRecord, ...],
                  allocation: Sequence[dict]) -> tuple[Reservation, ...]:
    live = {ln.line_number for ln in lines if ln.state in (LineState.ALLOCATED, LineState.BACKORDERED)}
    totals: dict[tuple[int, str], Reservation] = {}
    for r in allocation:
        if r["line_number"] not in live or not (r["warehouse"] and r["allocated"]):
            continue
        k = (r["line_number"], r["warehouse"])
        before = totals.get(k)
        qty = int(r.get("reserved", r["allocated"])) + (before.quantity if before else 0)  # in the stock's units
        totals[k] = Reservation(record.partner, record.po_number, r["line_number"], r["warehouse"], r["sku"], qty)
    return tuple(totals[k] for k in sorted(totals))
