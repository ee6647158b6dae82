"""`state rebuild`: what a release moved to another blanket after part of it shipped keeps of the move
(OrderRecord.moved_from, moved_shipped: store version MOVED_SHIPPED), made again from what the files say. The night
keeps it when its decide applies the 860 (engine.lifecycle.moved_hold.keep_moves); a rebuild replays the archive's
850s and 860s before any shipment is made again, so nothing is partly shipped when the 860 is applied, and the
record came back without it: the rebuilt store counted the moved release whole on the blanket it moved to.

Here, once the shipments are made again: the release's revisions in the order they were taken in (its 850's REF*CT /
REF*AH, then each 860's), the first whose contract or agreement differs from the one before is the move; what
shipped before it is what the shipments whose 856 was sent before that 860 was taken in carried (a night applies its
860s before it ships: an 856 of the same night is after the move), in the line's unit (each line's units shipped in
all, ``shipped``, shared out by the shipments' quantities). Kept as the night keeps it: only when something had
shipped and something was left to ship of an open line, not for a release whose BEG03 is a blanket we hold (it still
calls that one off), the first move's (a release moved again keeps it). The record's contract and agreement follow
its newest revision's, as the night's record does (engine.lifecycle.changes.blanket_refs).

Pure: the records, their revisions' references, the shipments' lines and the line records in; a Plan (each record
updated, no event: the history of the move is in no file) and the releases named out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from schemas.lifecycle import BLANKET_REF_FIELDS, ENDED_LINES, LineRecord, OrderRecord, OrderTransition, Plan
from schemas.order_keys import x12_po

Key = tuple[str, str]


@dataclass(frozen=True)
class Revision:
    """One revision of a release as taken in: when (its 850's or 860's run clock) and its ORDERS row's contract and
    agreement (BLANKET_REF_FIELDS -> number, "" none)."""

    at: str
    refs: Mapping[str, str]


@dataclass(frozen=True)
class Sent:
    """Units of a release's line on one shipment, and when its 856 was sent (the shipment's asn_at; its ship date
    when no 856 of it was read)."""

    at: str
    line_number: int
    quantity: Decimal


@dataclass
class Moves:
    plan: Plan
    kept: list[Key] = field(default_factory=list)  # releases keeping what shipped before their move
    refs: list[Key] = field(default_factory=list)  # releases whose record's contract or agreement was set


def sent_units(po_number: str, shipments: Sequence) -> list[Sent]:
    """The lines of ``po_number`` the recorded ``shipments`` (schemas.shipment_records.ShipmentRecord) carried, each
    dated when its 856 was sent (asn_at; the ship date when no 856 of it was read)."""
    return [Sent(s.asn_at or s.ship_date.isoformat(), ln.line_number, ln.quantity)
            for s in shipments for ln in s.lines if ln.po_number == po_number]


def _minute(at: str) -> str:
    return (at or "")[:16]


def plan_moves(records: Mapping[Key, OrderRecord], revisions: Mapping[Key, Sequence[Revision]],
               sent: Mapping[Key, Sequence[Sent]], lines: Mapping[Key, Sequence[LineRecord]],
               blankets: Collection[Key]) -> Moves:
    """The releases of ``records`` (BEG02 RL) with their ``revisions`` (oldest first: the 850's, then each 860's),
    ``sent`` (their shipments' lines) and ``lines`` (their line records, shipped in the line's unit) given back what
    the night kept of a move; ``blankets``: (partner, PO number) of the blankets we hold."""
    out = Moves(Plan())
    moves = []
    for key, record in sorted(records.items()):
        revs = revisions.get(key, ())
        if not revs:
            continue
        newest = {f: (revs[-1].refs.get(f) or "").strip() for f in BLANKET_REF_FIELDS}
        changes: dict = {}
        if any(newest[f] and newest[f] != (getattr(record, f) or "").strip() for f in BLANKET_REF_FIELDS):
            changes.update(newest)
        if not record.moved_shipped and (key[0], x12_po(key[1])) not in blankets:
            kept = _kept(revs, sent.get(key, ()), lines.get(key, ()))
            if kept is not None:
                changes.update(moved_from=kept[0], moved_shipped=kept[1])
                out.kept.append(key)
        if not changes:
            continue
        if any(f in changes for f in BLANKET_REF_FIELDS):
            out.refs.append(key)
        moves.append(OrderTransition(record.evolve(**changes), record.state, record.revision))
    out.plan = Plan(transitions=tuple(moves))
    return out


def _kept(revs: Sequence[Revision], sent: Sequence[Sent], lines: Sequence[LineRecord]
          ) -> tuple[str, tuple[tuple[int, Decimal], ...]] | None:
    """(the number the release left, what had shipped of each line then) of its first move after part of it shipped
    (as engine.lifecycle.moved_hold.keep_moves keeps it), else None."""
    for was, now in zip(revs, revs[1:], strict=False):
        old = {f: (was.refs.get(f) or "").strip() for f in BLANKET_REF_FIELDS}
        new = {f: (now.refs.get(f) or "").strip() for f in BLANKET_REF_FIELDS}
        if not any(new[f] and new[f] != old[f] for f in BLANKET_REF_FIELDS):
            continue
        before: dict[int, Decimal] = {}
        every: dict[int, Decimal] = {}
        for s in sent:
            every[s.line_number] = every.get(s.line_number, Decimal(0)) + s.quantity
            if _minute(s.at) < _minute(now.at):
                before[s.line_number] = before.get(s.line_number, Decimal(0)) + s.quantity
        shipped = {}
        for ln in lines:  # in the line's unit: its units shipped in all, shared out by the shipments' quantities
            part, whole = before.get(ln.line_number), every.get(ln.line_number)
            if part and whole:
                units = Decimal(ln.shipped) * part / whole
                shipped[ln.line_number] = units.normalize() if units == units.to_integral_value() else units
        open_left = any(ln.state not in ENDED_LINES and Decimal(ln.promised) > shipped.get(ln.line_number, Decimal(0))
                        for ln in lines)
        if not shipped or not open_left:
            return None  # (moved before anything shipped, or once all had: the night keeps nothing either)
        left = next((old[f] for f in BLANKET_REF_FIELDS if old[f] and old[f] != new[f]), "")
        return left, tuple(sorted((n, Decimal(int(u)) if u == u.to_integral_value() else u)
                                  for n, u in shipped.items()))
    return None
