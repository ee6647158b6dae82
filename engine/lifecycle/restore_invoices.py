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
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

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
from schemas.profile import PartnerProfile
from schemas.shipment_records import InvoicedLine, InvoiceRecord, ShipmentRecord
from schemas.units import KILOGRAMS_PER, PRICE_PER_WEIGHT

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


def sent_currency(h: dict, order, profile: PartnerProfile | None) -> str:
    """The currency the invoice stage recorded the 810 ``h`` in (engine.invoice: the PO's currency, else the
    partner's [fulfilment.invoice] currency code; CUR*SE written whenever there is one): its CUR02; without one, the
    ``order``'s currency, else the ``profile``'s code, else "" (what the stage records when it writes no CUR)."""
    if h.get("CUR"):
        return h["CUR"]
    if order is not None and order.currency:
        return order.currency
    return profile.fulfilment.invoice.currency_code if profile is not None else ""


def _weighed(it1: dict | None) -> tuple[Decimal, str, Decimal | None, str] | None:
    """(units shipped, their unit, net weight, its unit) of an IT1 billed by weight (IT103 a weight, IT105 a price
    per weight: engine.invoice bills a catch-weight line by its net weight, QTY 39 its units shipped), as the invoice
    stage records it (its quantity and unit the units shipped, net_weight IT102 in IT103); None for another IT1."""
    if not it1 or it1.get("IT105") not in PRICE_PER_WEIGHT or it1.get("IT103") not in KILOGRAMS_PER \
            or not it1.get("QTY39"):
        return None
    try:
        quantity, weight = Decimal(it1["QTY39"][0]), Decimal(it1["IT102"])
    except ArithmeticError:
        return None
    return quantity, it1["QTY39"][1], weight, it1["IT103"]


def sent_invoice(partner: str, h: dict, doc_key: str, when: str, rows: list[dict], lines, shipped, run_id: str, *,
             currency: str = "") -> InvoiceRecord | None:
    """One sent 810 as the InvoiceRecord the invoice stage kept of it (its lines by the order's line ids, a line
    billed by weight with its net weight: _weighed), in ``currency`` (sent_currency)."""
    by_id = {ln.line_id: ln.line_number for ln in lines if ln.line_id}
    billed = []
    it1s = h.get("IT1s", [])
    rows = sorted(rows, key=lambda r: r["position"])
    for i, r in enumerate(rows):
        ident = r["line_id"] or ""
        number = by_id.get(ident) or (int(ident) if ident.isdigit() else 0)
        quantity, price = Decimal(str(r["quantity"] or 0)), Decimal(str(r["unit_price"] or 0))
        weighed = _weighed(it1s[i]) if len(it1s) == len(rows) else None
        unit = r["unit"] or ""
        if weighed is not None:
            quantity, unit = weighed[0], weighed[1]
            amount = (weighed[2] * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            billed.append(InvoicedLine(number, ident, quantity, unit, price, amount, weighed[2], weighed[3]))
            continue
        amount = Decimal(str(r["amount"])) if r.get("amount") is not None else \
            (quantity * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        billed.append(InvoicedLine(number, ident, quantity, unit, price, amount))
    try:
        day = datetime.strptime(h["BIG01"], "%Y%m%d").date()
        total = Decimal(h.get("TDS") or "0") / 100
        tax = sum((Decimal(t) for t in h["TXI"]), Decimal(0))
    except (ValueError, ArithmeticError):
        return None
    merchandise = sum((ln.amount for ln in billed), Decimal(0))
    sid = h.get("SI", "")
    warehouse = next((s.warehouse for s in shipped if s.shipment_id == sid), "") if sid else ""
    return InvoiceRecord(partner=partner, invoice_number=h["BIG02"], po_number=h["BIG04"], invoice_date=day,
                         lines=tuple(billed), merchandise=merchandise, charges=total - merchandise - tax, total=total,
                         doc_key=doc_key, warehouse=warehouse, shipment_id=sid if warehouse else "",
                         currency=currency, created_at=when, run_id=run_id, tax=tax)
