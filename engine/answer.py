"""Decisions + allocation -> what each line is told (855 ACK parts) and what ops see (status rows).

Pure. Allocation only sees lines of accepted orders that the rules did not reject; a line's
allocation rows are summed: allocated now (IA, or the rule's change code), partly with the whole
balance backordered (BP + IB with the promised date), partly with some of it not placeable (IQ, then
IB and/or IR), only backordered (IB), or not placeable (IR). See ack_parts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pyarrow as pa

from engine.decide import ACCEPTED, REJECTED, LineDecision, OrderDecision
from engine.po_ack import AckPart, LineAck
from schemas.inventory import ALLOCATION_INPUT
from schemas.lifecycle import LineRecord, LineState

NO_ALLOCATION_ACTIONS = {"reject_line", "reject_order", "hold_line", "hold_order"}


def allocation_input(decisions: list[OrderDecision], lines: pa.Table, orders: pa.Table,
                     arrival: dict[tuple[str, str], int],
                     only: dict[tuple[str, str], set[int]] | None = None) -> pa.Table:
    """ALLOCATION_INPUT rows for every line that should get stock (quantity after rule changes).
    ``only``: for orders changed by an 860, the line numbers to (re-)allocate."""
    order_rows = {(o["partner"], o["po_number"]): o for o in orders.to_pylist()}
    line_rows = {(r["partner"], r["po_number"], r["line_number"]): r for r in lines.to_pylist()}
    rows = []
    for d in decisions:
        if d.status != ACCEPTED:
            continue
        order = order_rows[(d.partner, d.po_number)]
        for ld in d.lines:
            if only is not None and (d.partner, d.po_number) in only and ld.line_number not in \
                    only[(d.partner, d.po_number)]:
                continue  # unchanged lines of a changed order keep their allocation
            line = line_rows[(d.partner, d.po_number, ld.line_number)]
            if ld.action in NO_ALLOCATION_ACTIONS or not line.get("sku"):
                continue
            per_unit = max(ld.unit_eaches, 1)  # allocation counts eaches
            rows.append({"partner": d.partner, "order_ref": _ref(d), "po_number": d.po_number,
                         "line_number": ld.line_number, "sku": line["sku"],
                         "quantity": None if ld.quantity is None else ld.quantity * per_unit,
                         "unit_eaches": per_unit,
                         "requested_ship_date": order.get("requested_ship_date"), "po_date": order.get("po_date"),
                         "arrival": arrival.get((d.partner, d.po_number), 0),
                         "case_pack": int(line["case_pack"]) if line.get("case_pack") else None})
    return pa.Table.from_pylist(rows, schema=ALLOCATION_INPUT)


def _ref(d: OrderDecision) -> str:
    """Allocation's order key: partner and PO number (order_ref alone can repeat across files)."""
    return f"{d.partner}|{d.po_number}"


@dataclass(frozen=True, slots=True)
class LineStatus:
    line_number: int
    ack: LineAck
    ordered: Decimal | None
    allocated: int
    backordered: int
    rejected: int
    promised_date: date | None
    warehouses: str
    reason: str


def line_statuses(d: OrderDecision, allocation_rows: list[dict], *, requested_ship: date | None,
                  today: date) -> list[LineStatus]:
    """The ACK parts and status row of every line of one decided order (its ALLOCATION rows given)."""
    ship = requested_ship if requested_ship and requested_ship >= today else today
    mine: dict[int, list[dict]] = defaultdict(list)
    for r in allocation_rows:
        mine[r["line_number"]].append(r)
    out = []
    for ld in d.lines:
        out.append(_status(ld, mine.get(ld.line_number, []), d.status, ship))
    return out


def _status(ld: LineDecision, rows: list[dict], order_status: str, ship: date) -> LineStatus:
    qty = ld.quantity
    if order_status == REJECTED or ld.action in ("reject_line", "reject_order") or ld.ack01 == "IR":
        return LineStatus(ld.line_number, LineAck("IR", qty), qty, 0, 0, int(qty or 0), None, "",
                          ld.reason or "rejected")
    if not rows:  # no item to allocate against (should not happen for accepted lines)
        return LineStatus(ld.line_number, LineAck("IR", qty), qty, 0, 0, int(qty or 0), None, "",
                          ld.reason or "not allocated")
    per_unit = max(ld.unit_eaches, 1)  # allocation rows count eaches; the 855 speaks in PO103 units
    allocated = sum(int(r["allocated"]) for r in rows) // per_unit
    backordered = sum(int(r["backordered"]) for r in rows) // per_unit
    ordered = sum(int(r["ordered"]) for r in rows) // per_unit if rows else 0
    rejected = ordered - allocated - backordered
    promised = min((r["promised_date"] for r in rows if r["promised_date"] is not None), default=None)
    warehouses = ",".join(sorted({r["warehouse"] for r in rows if r["warehouse"] and r["allocated"]}))
    reasons = "; ".join(dict.fromkeys([*(r["reason"] for r in rows if r["reason"]), *([ld.reason] if ld.reason
                                                                                        else [])]))
    full_status = ld.ack01 if ld.ack01 in ("IA", "IQ", "IP", "DR") else "IA"
    if ordered != int(qty or 0) and full_status == "IA":
        full_status = "IQ"  # case-pack rounding by the allocation policy changed the quantity
    parts = ack_parts(allocated, backordered, rejected, full_status=full_status, ship=ship, promised=promised)
    if not parts:  # nothing to place at all (e.g. a zero quantity that no rule suite caught)
        parts.append(AckPart("IR", Decimal(ordered)))
        reasons = reasons or "nothing to allocate"
    ack = LineAck(parts[0].status, Decimal(ordered), ld.unit_price, ship, parts=tuple(parts))
    return LineStatus(ld.line_number, ack, Decimal(ordered), allocated, backordered, rejected, promised,
                      warehouses, reasons)


def ack_parts(allocated: int, backordered: int, rejected: int, *, full_status: str = "IA",
              ship: date | None = None, promised: date | None = None) -> list[AckPart]:
    """One ACK per part of the line, each with the X12 status that says what happened to that quantity:
    all allocated: IA (or the rule's IQ/IP/DR); part allocated, the whole balance backordered: BP + IB;
    part allocated, some of the balance not placed: IQ (accepted, quantity changed) for what ships, then
    IB for what is backordered and IR for what is not; nothing allocated: IB and/or IR."""
    parts: list[AckPart] = []
    if allocated and not backordered and not rejected:
        return [AckPart(full_status, Decimal(allocated), ship)]
    if allocated:
        parts.append(AckPart("IQ" if rejected else "BP", Decimal(allocated), ship))
    if backordered:
        parts.append(AckPart("IB", Decimal(backordered), promised))
    if rejected:
        parts.append(AckPart("IR", Decimal(rejected)))
    return parts


def status_from_line(line: LineRecord, ordered: Decimal | None, ship: date | None = None) -> LineStatus:
    """A stored line (state store) back as a LineStatus, for lines a change left alone."""
    statuses = line.ack.split("+") if line.ack else ["IA"]
    amounts = {"BP": line.allocated, "IQ": line.allocated, "IB": line.backordered, "IR": line.rejected}
    dates = {"IB": line.promised_date, "IR": None}
    parts = tuple(AckPart(st, Decimal(amounts.get(st, line.allocated) or 0), dates.get(st, ship))
                  for st in statuses)
    ack = LineAck(statuses[0], ordered, parts=parts)
    return LineStatus(line.line_number, ack, ordered, line.allocated, line.backordered, line.rejected,
                      line.promised_date, line.warehouses, line.reason)


def tells_something_new(status: LineStatus, before: LineRecord | None) -> bool:
    """Would the partner learn something new about this changed line (beyond 'accepted as asked')?
    ``before`` is the line as stored before the change, None for a line the change added."""
    statuses = status.ack.statuses()
    if before is None:
        return any(st != "IA" for st in statuses)
    same = ("+".join(statuses), status.allocated, status.backordered) == \
        (before.ack, before.allocated, before.backordered)
    return not same and any(st != "IA" for st in statuses)


def line_state(status: LineStatus) -> LineState:
    """The line's lifecycle state once decided: rejected (nothing placed), backordered (some units
    wait for a receipt), allocated (every unit placed now), or accepted."""
    if status.backordered:
        return LineState.BACKORDERED
    if status.allocated:
        return LineState.ALLOCATED
    if status.ack.statuses() and all(st == "IR" for st in status.ack.statuses()):
        return LineState.REJECTED
    return LineState.ACCEPTED


def order_value(statuses: list[LineStatus], rows: list[dict], decision: OrderDecision) -> str:
    """What the order is worth as acknowledged (allocated + backordered units at our or their price)."""
    price = {r["line_number"]: r["unit_price"] for r in rows}
    ours = {ld.line_number: ld.unit_price for ld in decision.lines}
    total = Decimal(0)
    for s in statuses:
        p = ours.get(s.line_number) or price.get(s.line_number) or Decimal(0)
        total += Decimal(s.allocated + s.backordered) * p
    return str(total)
