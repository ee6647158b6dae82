"""Bill-only orders: which POs a partner marks as usage already taken from stock it holds (a hospital's implants a
surgery used from consigned stock; a VMI consumption PO), by the marks its profile names ([fulfilment.invoice]
bill_only: a BEG02 code, an N9 or a heading REF with its text). Pure: the canonical ORDERS table and the marks in,
the orders' keys out; the lifecycle decides what such an order does (no reservation, no 856, billed from the PO).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa
import pyarrow.compute as pc

from engine.changes import CANCEL_PURPOSES, ChangeResult
from schemas.findings import Finding, finding, finding_at_row
from schemas.fulfilment import BillOnlyMark, bill_only_text
from schemas.lifecycle import BILL_ONLY, LineRecord
from schemas.shipment_records import InvoiceRecord

__all__ = ["BILL_ONLY", "BILL_ONLY_USAGE", "CREDIT_DUE_CONSEQUENCE", "INVOICED_AGAIN_CONSEQUENCE", "bill_only_orders",
           "credit_due", "invoiced_again", "marked_bill_only", "mark_words", "partner_marks", "without_delivery_dates"]

BILL_ONLY_USAGE = "bill_only"  # the warehouse of a bill-only order's usage record (no warehouse of ours ships it)


def marked_bill_only(order: Mapping, marks: Iterable[BillOnlyMark]) -> BillOnlyMark | None:
    """The first of ``marks`` an ORDERS row (``order``: order_type, n9_sent, refs_sent) carries; None: none."""
    for mark in marks:
        if mark.beg02:
            if (order.get("order_type") or "").strip() == mark.beg02:
                return mark
            continue
        want = bill_only_text(mark.text)
        if mark.n9:
            if any((n.get("qualifier") or "") == mark.n9 and want in (bill_only_text(n.get("id")),
                                                                      bill_only_text(n.get("description")))
                   for n in order.get("n9_sent") or ()):
                return mark
        elif any((r.get("qualifier") or "") == mark.ref and bill_only_text(r.get("id")) == want
                 for r in order.get("refs_sent") or ()):
            return mark
    return None


def mark_words(mark: BillOnlyMark) -> str:
    """How ``mark`` is named to people: "BEG02 KN", "N9 ZZ BILL ONLY", "REF ZZ BILL ONLY"."""
    if mark.beg02:
        return f"BEG02 {mark.beg02}"
    return f"N9 {mark.n9} {mark.text}" if mark.n9 else f"REF {mark.ref} {mark.text}"


def bill_only_orders(orders: pa.Table, marks: Mapping[str, tuple[BillOnlyMark, ...]]) -> frozenset[tuple[str, str]]:
    """(partner, PO) of each order of ``orders`` (ORDERS) that one of its partner's ``marks`` (partner -> its
    [fulfilment.invoice] bill_only) marks bill-only. Only the partners that name marks are read, row by row (few)."""
    if not marks or not orders.num_rows:
        return frozenset()
    wanted = [c for c in ("partner", "po_number", "order_type", "n9_sent", "refs_sent") if c in orders.column_names]
    mine_rows = orders.filter(pc.is_in(orders["partner"], value_set=pa.array(sorted(marks), pa.string())))
    hit = set()
    for row in mine_rows.select(wanted).to_pylist():
        mine = marks.get(row["partner"])
        if mine and marked_bill_only(row, mine) is not None:
            hit.add((row["partner"], row["po_number"]))
    return frozenset(hit)


def partner_marks(profiles: Mapping) -> dict[str, tuple[BillOnlyMark, ...]]:
    """partner -> its [fulfilment.invoice] bill_only marks, for the partners that name some."""
    return {pid: p.fulfilment.invoice.bill_only for pid, p in profiles.items() if p.fulfilment.invoice.bill_only}


# the rules' findings about when goods are to ship or arrive (rules.business.places check_dates, check_line_windows):
# a bill-only PO's dates say when the goods were used (DTM 002: the surgery, the day before the PO), not a delivery
# asked of us: nothing ships, so none of them holds or reschedules it
DELIVERY_DATE_CODES = frozenset({"DATE_IN_PAST", "SHIP_WINDOW_INCONSISTENT", "CANCEL_DATE_PASSED"})


def without_delivery_dates(findings: Sequence[Finding], orders: pa.Table,
                           keys: Collection[tuple[str, str]]) -> list[Finding]:
    """``findings`` less those of DELIVERY_DATE_CODES located in a bill-only order's 850 (``keys``: the orders'
    (partner, PO); ``orders``: ORDERS, whose isa13, gs06, st02 and source file locate each)."""
    if not keys or not findings or not any(f.code in DELIVERY_DATE_CODES for f in findings):
        return list(findings)
    where = set()
    for row in orders.select(["partner", "po_number", "isa13", "gs06", "st02"]).to_pylist():
        if (row["partner"], row["po_number"]) in keys:
            where.add((row["isa13"] or "", row["gs06"] or "", row["st02"] or ""))
    return [f for f in findings if f.code not in DELIVERY_DATE_CODES
            or (f.location.isa13, f.location.gs06, f.location.st02) not in where]


# what follows a BILL_ONLY_CREDIT_DUE finding (the findings table's consequence)
CREDIT_DUE_CONSEQUENCE = "credit memo due: finance issues it (OrderBridge sends none); order stays billed"
# a POC that sets the line's quantity (POC03: the new total, engine.changes); DI takes the line away whole
_SETS_QUANTITY = frozenset({"QD", "QC", "RQ", "CA", "PQ", "MU", "RZ"})


def credit_due(header: Mapping, result: ChangeResult, lines: Iterable[LineRecord]) -> Finding | None:
    """BILL_ONLY_CREDIT_DUE for an 860 (``header``: its CHANGE_HEADERS row; ``result``: apply_changes' outcome,
    one LineResult per POC) that takes back units of a bill-only order already billed (``lines``: its stored
    lines; bill-only: a line's reason starts with BILL_ONLY): a cancel (BCH01 01/17: every billed unit), a POC
    deleting a line (DI) or setting it below what was billed (QD ...). The buyer says the goods were not used; an
    810 went for them and is not taken back (the change is refused on those units, CHANGE_BELOW_SHIPPED or
    CHANGE_AFTER_SHIPMENT), so a credit memo is due, which finance issues: OrderBridge sends no credit memo (an 810
    BIG07 CR). None: not bill-only, or nothing billed is taken back."""
    billed = {ln.line_number: ln for ln in lines if ln.reason.startswith(BILL_ONLY) and ln.invoiced > 0}
    if not billed:
        return None
    asked: dict[int, Decimal] = {}
    if header.get("purpose") in CANCEL_PURPOSES:
        asked = dict.fromkeys(billed, Decimal(0))
    for r in result.line_results:
        poc, n = r.change, r.line_number
        if n not in billed:
            continue
        kind, quantity = poc.get("change_type"), poc.get("quantity_ordered")
        if kind == "DI":
            asked[n] = Decimal(0)
        elif kind in _SETS_QUANTITY and quantity is not None and (poc.get("unit") or billed[n].unit) == billed[n].unit:
            asked[n] = Decimal(quantity)
    back = {n: billed[n].invoiced - q for n, q in sorted(asked.items()) if q < billed[n].invoiced}
    if not back:
        return None
    cents = Decimal("0.01")
    amounts = {n: (units * (billed[n].unit_price or 0)).quantize(cents, ROUND_HALF_UP) for n, units in back.items()}
    said = "; ".join(f"line {billed[n].line_id or n}: {_n(units)} of {_n(billed[n].invoiced)} billed unit(s) at "
                     f"{_n(billed[n].unit_price or 0)} ({amounts[n]})" for n, units in back.items())
    po = header.get("po_number")
    at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
    return finding_at_row(
        "BILL_ONLY_CREDIT_DUE", f"PO {po} is bill-only (used from the buyer's stock) and was billed by our 810; the "
        f"860 takes back what was billed: {said}; {sum(amounts.values())} in all. Nothing is un-invoiced and the "
        "order stays as billed; if the buyer did not use them, a credit memo is finance's to agree with the buyer "
        "and issue: OrderBridge sends no credit memo (no 810 BIG07 CR).", at, seg="BCH", element="BCH03", value=po,
        line_number=next(iter(back)) if len(back) == 1 else None)


# what follows a BILL_ONLY_INVOICE_DUE finding (the findings table's consequence)
INVOICE_DUE_CONSEQUENCE = "supplementary invoice due: finance issues it (OrderBridge sends no 810); order stays closed"


def invoice_due(header: Mapping, result: ChangeResult, lines: Iterable[LineRecord]) -> Finding | None:
    """BILL_ONLY_INVOICE_DUE for an 860 refused whole on a closed bill-only order (``lines``: its stored lines; its
    810s billed it and it takes no change, CHANGE_AFTER_SHIPMENT) that reports more used than was billed: a POC
    raising a billed line (QI, or one setting its quantity above what was billed) or adding one (AI, its quantity
    at its price). Nothing is billed for them (the order is closed: no 810 goes), so the buyer's word that they
    were used from its stock is finance's to act on: a supplementary invoice, agreed with the buyer. None: not
    bill-only, nothing billed, or nothing more reported. (An order still invoiced bills a raise or an added line by
    an 810 of the new units alone: invoiced_again names it.)"""
    billed = {ln.line_number: ln for ln in lines if ln.reason.startswith(BILL_ONLY) and ln.invoiced > 0}
    if not billed or header.get("purpose") in CANCEL_PURPOSES:
        return None
    more: list[tuple[str, Decimal, Decimal]] = []  # (the words naming the line, units, amount)
    cents = Decimal("0.01")
    for r in result.line_results:
        poc = r.change
        kind, quantity, unit = poc.get("change_type"), poc.get("quantity_ordered"), poc.get("unit")
        if quantity is None:
            continue
        line = billed.get(r.line_number) if r.line_number is not None else next(
            (ln for ln in billed.values() if poc.get("line_id") and ln.line_id == poc.get("line_id")), None)
        if kind == "AI" and line is None:
            price = poc.get("unit_price")
            if price is None or Decimal(quantity) <= 0:
                continue
            units = Decimal(quantity)
            more.append((f"line {poc.get('line_id') or '?'} (added): {_n(units)} unit(s) at {_n(price)}", units,
                         (units * Decimal(price)).quantize(cents, ROUND_HALF_UP)))
        elif line is not None and (kind == "QI" or kind in _SETS_QUANTITY) and (unit or line.unit) == line.unit \
                and Decimal(quantity) > line.invoiced:
            units = Decimal(quantity) - line.invoiced
            price = line.unit_price or Decimal(0)
            more.append((f"line {line.line_id or line.line_number}: {_n(units)} unit(s) more than the "
                         f"{_n(line.invoiced)} billed, at {_n(price)}", units,
                         (units * price).quantize(cents, ROUND_HALF_UP)))
    if not more:
        return None
    said = "; ".join(f"{words} ({amount})" for words, _units, amount in more)
    po = header.get("po_number")
    at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
    return finding_at_row(
        "BILL_ONLY_INVOICE_DUE", f"PO {po} is bill-only and closed: our 810s billed it and it takes no change; the 860 "
        f"reports more used than was billed: {said}; {sum(a for _w, _u, a in more)} in all. Nothing is billed for "
        "them and nothing billed before is billed again; if the buyer used them, a supplementary invoice is "
        "finance's to agree with the buyer and issue: OrderBridge sends no 810 for a closed order.", at, seg="BCH",
        element="BCH03", value=po)


# what follows a BILL_ONLY_INVOICED_AGAIN finding (the findings table's consequence)
INVOICED_AGAIN_CONSEQUENCE = "supplementary 810 sent for the units added since; nothing billed twice"


def invoiced_again(invoice: InvoiceRecord, billed: Mapping[int, Decimal], earlier: Sequence[str]) -> Finding:
    """BILL_ONLY_INVOICED_AGAIN for ``invoice``, the 810 of a bill-only order that its earlier 810s (``earlier``:
    their numbers) billed before (``billed``: line number -> its units billed before this 810): an 860 raised a line
    or added one while the order was still invoiced, and the units it added were recorded used and billed by this
    810 alone, automatically (engine.lifecycle.shipping.plan_bill_only). A warning for finance, who sees the
    supplementary invoice in the night's report (it used to show only in ``status``): which 810, each line's units
    it bills at its price (beyond those billed before, or a line new on the order), its total."""
    said = "; ".join(
        f"line {ln.line_id or ln.line_number}: {_n(ln.quantity)} {ln.unit} at {_n(ln.unit_price)} ({ln.amount}), "
        + (f"beyond the {_n(billed[ln.line_number])} billed before" if billed.get(ln.line_number)
           else "a line new on the order")
        for ln in invoice.lines)
    before = ", ".join(earlier) or "(none kept)"
    return finding(
        "BILL_ONLY_INVOICED_AGAIN", f"PO {invoice.po_number} is bill-only and its 810 {before} billed it before; "
        f"810 {invoice.invoice_number} bills the units the buyer's change added since, used from its stock: {said}; "
        f"total {invoice.total} {invoice.currency}".rstrip() + ". The units of the earlier 810s are not billed "
        "again: a supplementary invoice, not a duplicate.", seg="BIG", element="BIG02", value=invoice.invoice_number)


def _n(value) -> str:
    return f"{Decimal(value).normalize():f}"
