"""`state rebuild`: the 810s found in the outboxes made again as the store's invoices, as the invoice stage recorded
them (engine.lifecycle.billing.plan_invoices): each invoice's record and lines, its order lines' invoiced quantities
and states, its order's move (invoiced in part or in full) and the shipments it billed. Pure: the invoices are read
from the sent 810s by the caller (flows.rebuild_shipments), the orders' records and lines come from the store.

What the partner got is the truth: an 810 is recorded as sent, even where the store's lines would not have billed it
(more invoiced than shipped, a line the order does not hold): those are returned as ``refused`` (not recorded: the
caller names them), never raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from engine.lifecycle.billing import _line_updates
from engine.lifecycle.common import moved_orders
from engine.lifecycle.table import next_state
from schemas.lifecycle import (
    ENDED_LINES,
    EventKind,
    LineRecord,
    LineState,
    OrderRecord,
    OrderState,
    Plan,
    decimal_text,
)
from schemas.money_text import money_text
from schemas.shipment_records import InvoiceRecord, ShipmentRecord

Key = tuple[str, str]


@dataclass
class Restored:
    plan: Plan
    recorded: list[InvoiceRecord] = field(default_factory=list)
    refused: list[tuple[InvoiceRecord, str]] = field(default_factory=list)  # (the 810, why it is not recorded)


def plan_sent_invoices(invoices: Sequence[InvoiceRecord], *, records: Mapping[Key, OrderRecord],
                       lines: Mapping[Key, Sequence[LineRecord]], shipments: Mapping[Key, Sequence[ShipmentRecord]],
                       at: str, run_id: str) -> Restored:
    """The plan recording ``invoices`` (in the order they were sent) on the orders ``records`` with their ``lines``;
    ``shipments``: each order's recorded shipments (an 810 naming none bills the order's: billed per order)."""
    out = Restored(Plan())
    billing: dict[Key, dict[int, tuple[Decimal, LineState]]] = {}
    moved: dict[Key, OrderState] = {}
    events: list[tuple] = []
    billed: list[tuple[str, str]] = []
    for v in invoices:
        key = (v.partner, v.po_number)
        record = records.get(key)
        if record is None:
            out.refused.append((v, "no order holds its PO"))
            continue
        now = billing.setdefault(key, {})
        by_number = {ln.line_number: ln for ln in lines.get(key, ())}
        after: dict[int, tuple[Decimal, LineState]] = {}
        why = ""
        for il in v.lines:
            ln = by_number.get(il.line_number)
            if ln is None:
                why = f"line {il.line_id or il.line_number} is on no line of the order"
                break
            was = after.get(il.line_number) or now.get(il.line_number)
            total = (ln.invoiced if was is None else was[0]) + il.quantity
            if total > ln.shipped:
                why = f"line {il.line_id or il.line_number} would be invoiced {total} of {ln.shipped} shipped"
                break
            state = LineState.INVOICED if ln.promised_exact <= ln.shipped <= total else (
                ln.state if was is None else was[1])
            after[il.line_number] = (total, state)
        if why:
            out.refused.append((v, why))
            continue
        now.update(after)
        done = all((now.get(n) or (ln.invoiced, ln.state))[1] in (LineState.INVOICED, *ENDED_LINES)
                   for n, ln in by_number.items())
        event = EventKind.INVOICED_IN_FULL if done else EventKind.INVOICED_IN_PART
        before = moved.get(key, record.state)
        to = next_state(before, event)
        if to is None:
            out.refused.append((v, f"the order ({before}) cannot move as invoiced"))
            continue
        moved[key] = to
        note = f"810 {v.invoice_number}: {money_text(v.total, v.currency)} {v.currency}".rstrip() + \
            f" for {len(v.lines)} line(s)" + (f" of shipment {v.shipment_id}" if v.shipment_id else "")
        events.append((v.partner, v.po_number, event, before, to, record.revision, note[:1000], v.doc_key))
        out.recorded.append(v)
        billed += [(v.warehouse, v.shipment_id)] if v.shipment_id else [
            (s.warehouse, s.shipment_id) for s in shipments.get(key, ()) if s.po_numbers == (v.po_number,)]
    updates = [(partner, po, n, str.__str__(state), decimal_text(invoiced))
               for (partner, po), rows in sorted(billing.items()) for n, (invoiced, state) in sorted(rows.items())]
    out.plan = Plan(invoices=tuple(out.recorded), billed=tuple(dict.fromkeys(billed)),
                    decided=(moved_orders(records, moved, events, at=at, run_id=run_id),) if events else (),
                    line_update_tables=_line_updates((), updates, run_id))
    return out
