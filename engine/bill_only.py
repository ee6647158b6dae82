"""Bill-only orders: which POs a partner marks as usage already taken from stock it holds (a hospital's implants a
surgery used from consigned stock; a VMI consumption PO), by the marks its profile names ([fulfilment.invoice]
bill_only: a BEG02 code, an N9 or a heading REF with its text). Pure: the canonical ORDERS table and the marks in,
the orders' keys out; the lifecycle decides what such an order does (no reservation, no 856, billed from the PO).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from schemas.findings import Finding
from schemas.fulfilment import BillOnlyMark, bill_only_text
from schemas.lifecycle import BILL_ONLY

__all__ = ["BILL_ONLY", "bill_only_orders", "marked_bill_only", "mark_words", "partner_marks",
           "without_delivery_dates"]


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
