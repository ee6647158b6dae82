"""A lost state store rebuilt from the workspace's files (flows.rebuild): what the answers found in the
outbox say about the orders replayed from the archive. An order an 855 answered is acknowledged (or
rejected, BAK02 RD/RJ) as that 855 said, its lines as its ACK segments and the newest allocation table
said, its units reserved again; an 860 answered afterwards (an 865, or an 855 BAK01 05) is answered,
a cancellation (865 BCA01 01) cancels the order.

Pure: records, the answers read back (plain values) and allocation rows in; a Plan out. Every move is
an existing transition of the table (engine.lifecycle.table), noted as restored by the rebuild.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from engine.lifecycle.common import isolated
from engine.lifecycle.table import TO_DECIDE, move, next_state
from schemas.lifecycle import (
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

REJECTING = {"RD", "RJ"}  # BAK02: the order rejected
CANCELLATION = "01"  # BCA01 / BAK01: cancellation
REPLACE = "05"  # BAK01 05: a revised acknowledgment (answers an 860)
ACTOR = "state rebuild"


@dataclass(frozen=True, slots=True)
class SentAnswer:
    """An 855 or 865 found in the outbox for one order (in the order they were sent)."""

    doc_type: str  # "855" or "865"
    doc_key: str  # the set's key in the rebuilt store
    file_name: str
    date: str  # CCYYMMDD the interchange was made (GS04)
    purpose: str  # BAK01 / BCA01
    ack_type: str  # BAK02 / BCA02
    lines: tuple[tuple[str, tuple[tuple[str, Decimal | None], ...]], ...] = ()  # (PO101, ((ACK01, ACK02), ...))


def plan_restored(records: Mapping[tuple[str, str], OrderRecord],
                  lines: Mapping[tuple[str, str], tuple[LineRecord, ...]],
                  answers: Mapping[tuple[str, str], Sequence[SentAnswer]],
                  changes: Mapping[tuple[str, str], Sequence[StoredChange]],
                  allocation: Mapping[tuple[str, str], Sequence[dict]], *, at: str, run_id: str) -> Plan:
    """For each order with answers in the outbox, the plan that makes it what they said."""
    parts = []
    for key in sorted(answers):
        record = records.get(key)
        if record is None:
            continue
        parts.append(isolated(record, lambda r=record, k=key: _restore(
            r, lines.get(k, ()), answers[k], changes.get(k, ()), allocation.get(k, ()), at=at, run_id=run_id),
            at=at, run_id=run_id, stage="rebuild"))
    return Plan.combine(parts)


def _restore(record: OrderRecord, lines: tuple[LineRecord, ...], answers: Sequence[SentAnswer],
             changes: Sequence[StoredChange], allocation: Sequence[dict], *, at: str, run_id: str) -> Plan:
    updates = tuple(ChangeUpdate(c.id, "answered") for c in changes
                    if c.status == "pending" and _answered(c, answers))
    transitions, r = [], record
    new_lines, reserved = lines, None
    last_855 = next((a for a in reversed(answers) if a.doc_type == "855"), None)
    if last_855 is not None and r.state in TO_DECIDE:
        rejected = last_855.ack_type in REJECTING
        note = f"restored from {last_855.file_name} (855 {last_855.ack_type}) by the state rebuild"
        t = move(r, EventKind.REJECTED if rejected else EventKind.ACKNOWLEDGED, at=at, run_id=run_id, actor=ACTOR,
                 note=note, document_key=last_855.doc_key, ack_type=last_855.ack_type, answered_with="855",
                 answered_revision=r.revision)
        transitions.append(t)
        r = t.record
        new_lines = _lines(lines, last_855, allocation, rejected, run_id)
        reserved = () if rejected else _reservations(record, new_lines, allocation)
    cancelled = next((a for a in reversed(answers) if a.doc_type == "865" and a.purpose == CANCELLATION), None)
    if cancelled is not None and next_state(r.state, EventKind.CHANGE_CANCELLED) is not None:
        note = f"cancelled as {cancelled.file_name} (865 BCA01 01) answered; restored by the state rebuild"
        t = move(r, EventKind.CHANGE_CANCELLED, at=at, run_id=run_id, actor=ACTOR, note=note,
                 document_key=cancelled.doc_key, ack_type=cancelled.ack_type, answered_with="865")
        transitions.append(t)
        new_lines = tuple(ln if ln.state in (LineState.DELETED, LineState.CANCELLED) else
                          replace(ln, state=LineState.CANCELLED, allocated=0, backordered=0, warehouses="",
                                  promised_date=None, reason=note, run_id=run_id) for ln in new_lines)
        reserved = ()
    if not transitions and not updates:
        return Plan()
    key = (record.partner, record.po_number)
    return Plan(transitions=tuple(transitions), change_updates=updates,
                lines=(OrderLines(*key, new_lines),) if transitions else (),
                reservations=(OrderReservations(*key, reserved),) if reserved is not None else ())


def _answered(change: StoredChange, answers: Sequence[SentAnswer]) -> bool:
    """An 860 is answered by an 865, or a revised 855 (BAK01 05), sent on or after the day it came."""
    day = change.received_at[:10].replace("-", "")
    return any(a.date >= day and (a.doc_type == "865" or a.purpose == REPLACE) for a in answers)


def _lines(lines: tuple[LineRecord, ...], answer: SentAnswer, allocation: Sequence[dict], rejected: bool,
           run_id: str) -> tuple[LineRecord, ...]:
    acks = dict(answer.lines)
    placed: dict[int, list[dict]] = {}
    for row in allocation:
        placed.setdefault(row["line_number"], []).append(row)
    out = []
    for ln in lines:
        said = acks.get(ln.line_id) or acks.get(str(ln.line_number))
        if said is None or ln.state in (LineState.DELETED, LineState.CANCELLED):
            out.append(ln)
            continue
        codes = [code for code, _ in said]
        rows = [] if rejected else placed.get(ln.line_number, [])
        if rows:
            allocated = int(sum(r["allocated"] for r in rows))
            backordered = int(sum(r["backordered"] for r in rows))
            rejected_units = int(sum(r["rejected"] for r in rows))
            warehouses = ",".join(sorted({r["warehouse"] for r in rows if r["warehouse"] and r["allocated"]}))
            promised = next((r["promised_date"] for r in rows if r["promised_date"]), None)
        else:
            allocated, warehouses, promised = 0, "", ln.promised_date
            backordered = int(sum(q or 0 for c, q in said if c == "IB"))
            rejected_units = int(sum(q or 0 for c, q in said if c == "IR"))
        if "ID" in codes:
            state = LineState.DELETED
        elif backordered:
            state = LineState.BACKORDERED
        elif allocated:
            state = LineState.ALLOCATED
        elif codes and all(c == "IR" for c in codes):
            state = LineState.REJECTED
        else:
            state = LineState.ACCEPTED
        out.append(replace(ln, state=state, ack="+".join(codes), allocated=allocated, backordered=backordered,
                           rejected=rejected_units, warehouses=warehouses, promised_date=promised,
                           sku=next((r["sku"] for r in rows if r.get("sku")), ln.sku), run_id=run_id))
    return tuple(out)


def _reservations(record: OrderRecord, lines: tuple[LineRecord, ...],
                  allocation: Sequence[dict]) -> tuple[Reservation, ...]:
    live = {ln.line_number for ln in lines if ln.state in (LineState.ALLOCATED, LineState.BACKORDERED)}
    totals: dict[tuple[int, str], Reservation] = {}
    for r in allocation:
        if r["line_number"] not in live or not (r["warehouse"] and r["allocated"]):
            continue
        k = (r["line_number"], r["warehouse"])
        before = totals.get(k)
        qty = int(r["allocated"]) + (before.quantity if before else 0)
        totals[k] = Reservation(record.partner, record.po_number, r["line_number"], r["warehouse"], r["sku"], qty)
    return tuple(totals[k] for k in sorted(totals))


__all__ = ["SentAnswer", "plan_restored"]
