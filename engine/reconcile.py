"""Line-level four-way reconciliation: ordered vs acknowledged vs shipped vs invoiced, plus the
partner's verdict on our documents -> the lines side by side (LINE_MATCH), exceptions with their
evidence and the money at risk (EXCEPTIONS, EVIDENCE). Pure and columnar (pyarrow + numpy, exact
decimal arithmetic in engine.columnar); the run clock and the partners' settings are arguments.
Must not touch the state store: exception states are carried over by engine.exception_states.

Inputs (schemas.reconciliation; extra columns are ignored): ORDERED, ACKNOWLEDGED, SHIPPED, INVOICED
and DOCUMENT_STATUS (engine.partner_acks). A line is (partner, po_number, line_number).

Per line:
  agreed price P   = the acknowledged price (latest 855/865 for the line), else the ordered price.
  acknowledged qty = the latest 855/865's ACK quantities, refusals (IR ID IH IF IW) counting 0; an ACK
                     without ACK02 acknowledges the ordered quantity. An 865's IR that refused a change to
                     a line we did not reject is no acknowledgment (engine.finance_inputs.acknowledged).
  agreed qty       = acknowledged qty when the line was acknowledged, else the ordered qty.
  promised by D    = ACK quantities whose ACK05 (else the PO's requested ship date) is before today.
  shipped          = sum of SHIPPED; "due for invoicing" = shipped at least invoice_grace_days ago;
                     "billable due" = shipped due, at most the agreed qty (the rest is an over-shipment).
  invoiced         = sum of INVOICED, duplicates left out (see DUPLICATE_INVOICE).
  tolerance        = a quantity difference d counts when d > max(quantity_tolerance_units,
                     quantity_tolerance_percent% of the reference quantity); prices likewise with
                     price_tolerance_amount / price_tolerance_percent of P.

Exceptions (amount_at_risk = quantity_at_risk x price_at_risk unless said otherwise; "since" dates the age):
  SHIPPED_NOT_INVOICED   nothing invoiced, billable due > tol      billable due x P; since first shipment
                         (never a memo order's line: ``memo``)
  INVOICED_NOT_SHIPPED   invoiced > tol, nothing shipped           amount = sum invoiced qty x invoice
                                                                   price (price_at_risk: their average);
                                                                   since first invoice date
  INVOICE_QUANTITY_MISMATCH  invoiced - shipped > tol (over), or   over: (invoiced - shipped) x average
                         billable due - invoiced > tol (under)     invoice price; under: (billable due -
                                                                   invoiced) x P; since last invoice date
  INVOICE_PRICE_MISMATCH per invoice number: |invoice price - P|   |invoice price - P| x that invoice's
                         > price tolerance                         quantity for the line; since its date
  NOT_SHIPPED_BY_PROMISED_DATE  promised by today - shipped > tol  (promised - shipped) x P; since the
                                                                   earliest missed promise
  OVER_SHIPMENT          shipped - agreed qty > tol                (shipped - agreed) x P; since last shipment
  DUPLICATE_INVOICE      an invoice number sent again in another   duplicate qty x its invoice price;
                         810 set, or a second invoice number for   since its invoice date (one per line
                         a (line, shipment) already invoiced       and duplicate 810 set)
  DOCUMENT_REJECTED      DOCUMENT_STATUS rejected (or lines of it  the document's value for the PO:
                         an 824 IR rejected, the rest accepted)
  DOCUMENT_UNACKNOWLEDGED DOCUMENT_STATUS overdue                  855/865 sum ACK qty x acknowledged
                                                                   price, 856 shipped qty x P, 810 invoiced
                                                                   qty x invoice price; since the rejection
                                                                   arrived / the 997 was due
  CANCELLED_AFTER_SHIPMENT  cancelled line, shipped at or before   shipped before cancel x P; since cancel
                         the cancellation
  SHIPPED_AFTER_CANCEL   cancelled line shipped after cancelling   shipped after cancel x P; since then
  ALLOWANCE_NOT_APPLIED  a PO invoiced whose 850 asked for SAC     each allowance's SAC05, else its percent
                         allowances none of its 810s carries        of its line's (or PO's) invoiced value;
                         (PO_ALLOWANCES, SAC_NOT_APPLIED)           since the PO's first invoice date
  INVOICE_TOTAL_MISMATCH an 810's TDS is not its lines (INVOICED,   |TDS - (lines + charges - allowances)|;
                         each half up to cents) + SAC charges -     since its invoice date (one per 810
                         allowances (INVOICE_TOTALS)                set; engine.invoice_totals)
A cancelled line raises none of shipped-not-invoiced, under-invoiced, not-shipped-by-promise and
over-shipment (its cancellation exceptions carry that money). Without any price, amounts are 0 and
the message says so. Exception ids are "EX-" + 16 hex of sha256 over the type and its keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.charge_match import SETTLED_APART, settled_apart
from engine.columnar import (
    PRICE_UNIT,
    SCALE,
    TO_PRICE,
    Groups,
    at_4,
    beyond,
    date_array,
    date_text,
    days,
    decimal_array,
    divide,
    encode,
    fmt,
    fmt_price,
    join_text,
    money,
    money_text,
    multiply,
    number_text,
    price_money_text,
    price_units,
    scaled,
    seconds,
    time_array,
    to_scaled,
)
from engine.invoice_totals import match_invoices
from engine.line_match import NO_DAY, ORDERED_EXTRA, SECONDS_PER_DAY, LineMatch, Sides, column, conform
from schemas.finance import FinanceSettings, settings_for
from schemas.functional_acks import PART_REJECTED
from schemas.grouping import first_rows, lookup, paired_codes
from schemas.orders import prices_as
from schemas.reconciliation import (
    ACKNOWLEDGED,
    DOCUMENT_STATUS,
    EVIDENCE,
    EXCEPTIONS,
    INVOICE_MATCH,
    INVOICED,
    LINE_MATCH,
    ORDERED,
    SHIPPED,
)

N = number_text


@dataclass(frozen=True, slots=True)
class Reconciliation:
    lines: pa.Table  # LINE_MATCH
    exceptions: pa.Table  # EXCEPTIONS, every state "open" (engine.exception_states carries people's states)
    evidence: pa.Table  # EVIDENCE
    # INVOICE_MATCH: per 810, its lines value, charges, allowances and TDS
    invoices: pa.Table = field(default_factory=INVOICE_MATCH.empty_table)
    # exception id -> why it is no longer found, for a rejection a later accepted document replaced (the booking
    # clears it with these words: engine.exception_states.book)
    superseded: Mapping[str, str] = field(default_factory=dict)


def reconcile(ordered: pa.Table, acknowledged: pa.Table, shipped: pa.Table, invoiced: pa.Table,
              document_status: pa.Table, *, settings: Mapping[str, FinanceSettings],
              as_of: datetime, invoice_totals: pa.Table | None = None,
              po_allowances: pa.Table | None = None, catch_weight: pa.Table | None = None,
              memo: pa.Table | None = None, over_ship: Mapping[str, Decimal] | None = None,
              held_shipments: pa.Table | None = None) -> Reconciliation:
    """Match every line on its four sides and list the exceptions as of the run clock ``as_of``;
    ``invoice_totals`` (INVOICE_TOTALS): the 810s' SAC charges, allowances and TDS, tied per invoice to
    its lines (engine.invoice_totals); ``po_allowances`` (PO_ALLOWANCES): the 850s' SAC allowances we did
    not apply, an ALLOWANCE_NOT_APPLIED per PO invoiced without them. ``catch_weight`` (partner, po_number,
    line_number, price_basis: engine.finance_inputs.catch_weight_lines): the catch-weight lines (cases priced per
    pound), valued by their net weight shipped (``shipped``'s ``net_weight`` column, when it has one), never by
    their cases x the price per pound. ``memo`` (partner, po_number: engine.finance_inputs.memo_orders): the orders
    shipped on memo, billed by no 810 by agreement: their lines are never shipped-not-invoiced nor under-billed, and
    LINE_MATCH says "memo" in their billing column. ``over_ship``: partner -> the over-shipment tolerance agreed with
    it ([fulfilment] over_ship_percent): a line shipped within it is no OVER_SHIPMENT (the rules took that shipment:
    SHIPMENT_WITHIN_TOLERANCE)."""
    sides = Sides(conform(ordered, ORDERED, ORDERED_EXTRA), conform(acknowledged, ACKNOWLEDGED),
                  conform(shipped, SHIPPED), conform(invoiced, INVOICED))
    docs = conform(document_status, DOCUMENT_STATUS)
    partners = set(pc.unique(sides.partner).to_pylist()) | set(pc.unique(docs["partner"]).to_pylist())
    rejected = docs.filter(pc.and_(pc.equal(docs["status"], "rejected"), pc.equal(docs["doc_type"], "810"))) \
        if docs.num_rows else None
    match = LineMatch(sides, settings_for(settings, partners), as_of, rejected=rejected)
    if over_ship and sides.n:
        percent = pc.fill_null(pc.index_in(sides.partner, value_set=pa.array(sorted(over_ship), pa.string())), -1)
        agreed = np.asarray([to_scaled(over_ship[p]) for p in sorted(over_ship)] + [0], np.int64)
        match.over_percent = agreed[np.asarray(percent.to_numpy(zero_copy_only=False), np.int64)]
    if memo is not None and memo.num_rows and sides.n:
        at = lookup([sides.partner, sides.po_number], [memo["partner"], memo["po_number"]])
        if at is None:  # an order named twice
            memo = memo.group_by(["partner", "po_number"], use_threads=False).aggregate([])
            at = lookup([sides.partner, sides.po_number], [memo["partner"], memo["po_number"]])
        match.on_memo = np.asarray(at) >= 0
    weighed = _CatchWeights(match, catch_weight, shipped["net_weight"] if "net_weight" in shipped.column_names
                            else None)
    if weighed.known.any():  # a catch-weight line's units shipped: its net weight's value
        lines = np.flatnonzero(weighed.known)
        match.s_value = multiply(match.s_qty, match.price6, unit=PRICE_UNIT)
        match.s_value[lines] = multiply(weighed.weight_of(lines, match.s_qty[lines]), match.price6[lines],
                                        unit=PRICE_UNIT)
    billed = invoiced["amount"] if "amount" in invoiced.column_names else None
    if billed is not None and weighed.on.any() and len(billed):  # our 810s billed their weight, not their cases
        amount, known = scaled(billed)
        match.bill(amount, known & weighed.on[match.sides.line_of["invoiced"]])
    out = _Exceptions(match, docs, billed, weighed)
    invoices = match_invoices(sides.invoiced if billed is None else sides.invoiced.append_column("amount", billed),
                              invoice_totals)  # the value our lines billed (a catch-weight line's weight's)
    if invoices.num_rows:
        invoices = invoices.set_column(invoices.schema.get_field_index("currency"), INVOICE_MATCH.field("currency"),
                                       out._currency_of(invoices["partner"], invoices["po_number"]))
        out.invoice_totals(invoices)
    if po_allowances is not None and po_allowances.num_rows:
        out.allowances(po_allowances, invoices)
    exceptions, evidence, counts = out.table(), out.evidence(), out.line_counts()
    superseded = out.superseded
    del out, weighed  # what they hold of the match goes before its table is built (the night's peak memory)
    lines = match.line_table(counts)
    if held_shipments is not None and held_shipments.num_rows and lines.num_rows:
        lines = lines.set_column(lines.schema.get_field_index("held_shipments"), LINE_MATCH.field("held_shipments"),
                                 held_on_lines(lines, held_shipments, sides.shipped))
    return Reconciliation(lines=lines, exceptions=exceptions, evidence=evidence, invoices=invoices,
                          superseded=superseded)


def held_on_lines(lines: pa.Table, held: pa.Table, shipped: pa.Table) -> pa.Array:
    """LINE_MATCH's held_shipments for ``lines``: the shipments the ship stage held (``held``: its error findings
    that held shipment S, their detail's shipment_id, with partner, PO, code and message, one row per order line
    the held shipment carried, its ``line_number``: connectors.finance_store.held_shipment_findings) that were not
    recorded since (``shipped``: no SHIPPED row of the partner names that shipment id: released, or confirmed
    again), on each of those lines with units still to ship (shipped below what was agreed), each "S held (CODE:
    message)", "; "-joined in the findings' order. A row without a line number (a confirmation row naming none, a
    shipment held before the store kept its lines, a table without the column) names it on every such line of its
    PO. Until the shipment is released the line reads "shipped 0"; this says why. A few rows: in Python."""
    recorded = set(zip(shipped["partner"].to_pylist(), shipped["shipment_id"].to_pylist(), strict=True)) \
        if shipped.num_rows else set()
    # (partner, PO) -> said -> the lines it is named on (None: every line of the PO), in the findings' order
    per_po: dict[tuple[str, str], dict[str, set[int] | None]] = {}
    for r in held.to_pylist():
        sid = r["shipment_id"]
        if not sid or (r["partner"], sid) in recorded:
            continue
        said = f"{sid} held ({r['code']}: {r['message']})"
        mine = per_po.setdefault((r["partner"], r["po_number"]), {})
        line = r.get("line_number")
        if line is None:
            mine[said] = None
        elif said not in mine:
            mine[said] = {line}
        elif mine[said] is not None:
            mine[said].add(line)
    if not per_po:
        return pa.nulls(lines.num_rows, pa.string())
    agreed = [a if a is not None else o for a, o in zip(lines["acknowledged_quantity"].to_pylist(),
                                                        lines["ordered_quantity"].to_pylist(), strict=True)]
    some = any(on is not None for named in per_po.values() for on in named.values())  # else no line number is read
    numbers = lines["line_number"].to_pylist() if some else [None] * lines.num_rows
    out: list[str | None] = []
    for p, po, n, s, a, c in zip(lines["partner"].to_pylist(), lines["po_number"].to_pylist(), numbers,
                                 lines["shipped_quantity"].to_pylist(), agreed,
                                 lines["cancelled_at"].to_pylist(), strict=True):
        named = [said for said, on in per_po.get((p, po), {}).items() if on is None or n in on] \
            if (s or 0) < (a or 0) and c is None else []
        out.append("; ".join(named) if named else None)
    return pa.array(out, pa.string())


def _first_and_last(partner: pa.Array, po_number: pa.Array, partners: pa.Array, pos: pa.Array
                    ) -> tuple[np.ndarray, np.ndarray] | None:
    """For each (``partners``, ``pos``) row: the first of the lines (``partner``, ``po_number``: Sides' keys,
    sorted partner, PO, line number) of its PO, and the last line of its partner, -1 where there is none (a
    null key has none): each PO's and each partner's lines stand together, so they are where the keys change,
    found among those few rows (not every line's keys encoded with the rows'). None where a line's key is
    null (the caller then encodes them all)."""
    n = len(partner)
    if not n or partner.null_count or po_number.null_count:
        return None
    new_partner = np.ones(n, bool)
    if n > 1:
        new_partner[1:] = pc.not_equal(partner.slice(1), partner.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    new_po = new_partner.copy()
    if n > 1:
        new_po[1:] |= pc.not_equal(po_number.slice(1), po_number.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    po_starts, partner_starts = np.flatnonzero(new_po), np.flatnonzero(new_partner)
    at = pa.array(po_starts, pa.int64())
    po_row = lookup([partners, pos], [partner.take(at), po_number.take(at)])
    partner_row = lookup([partners], [partner.take(pa.array(partner_starts, pa.int64()))])
    if po_row is None or partner_row is None:  # a key twice: the lines are not in key order
        return None
    ends = np.r_[partner_starts[1:] - 1, n - 1]
    return (np.where(po_row >= 0, po_starts[np.maximum(po_row, 0)], -1),
            np.where(partner_row >= 0, ends[np.maximum(partner_row, 0)], -1))


# the line columns of EXCEPTIONS an exception about no line (a document, an invoice, a PO) leaves null
_NOT_LINE = ("line_number", "line_id", "sku", "ordered_quantity", "ordered_price", "ack_code", "acknowledged_quantity",
             "acknowledged_price", "promised_date", "shipped_quantity", "invoiced_quantity", "invoiced_price",
             "cancelled_at", "quantity_at_risk", "price_at_risk")


def _nulls(n: int, columns: tuple[str, ...]) -> dict[str, pa.Array]:
    """``n`` nulls of each of these EXCEPTIONS ``columns``."""
    return {c: pa.nulls(n, EXCEPTIONS.field(c).type) for c in columns}


class _CatchWeights:
    """The catch-weight lines (cases priced per pound, kilogram ...: schemas.units.catch_weight) and what they
    shipped by weight: per line ``on`` (a catch-weight line), ``weight`` (the net weights shipped, added, in
    10^-4 units) and ``weighed`` (the units of the shipped rows that gave one), ``known`` (some weight is known:
    a quantity of the line is valued at its share of that weight, quantity x weight / weighed, x the price per
    pound) and ``measure`` (LB for a price per pound). A catch-weight line with no net weight known has no value:
    said so, never its cases x its price per pound."""

    def __init__(self, match: LineMatch, lines: pa.Table | None, net: pa.ChunkedArray | pa.Array | None) -> None:
        from schemas.units import PRICE_PER_MEASURE

        n = len(match.price)
        self.on = np.zeros(n, bool)
        self.weight = np.zeros(n, np.int64)
        self.weighed = np.zeros(n, np.int64)
        self.measure = [""] * n
        self.row_weight, self.row_known = np.zeros(0, np.int64), np.zeros(0, bool)  # per shipped row
        if lines is None or not lines.num_rows or not n:
            self.known = np.zeros(n, bool)
            return
        s = match.sides
        at = {k: i for i, k in enumerate(zip(s.partner.to_pylist(), s.po_number.to_pylist(),
                                             s.line_number.to_pylist(), strict=True))}
        for p, po, ln, basis in zip(*(lines[c].to_pylist() for c in ("partner", "po_number", "line_number",
                                                                      "price_basis")), strict=True):
            i = at.get((p, po, ln))
            if i is not None:
                self.on[i] = True
                self.measure[i] = (PRICE_PER_MEASURE.get(basis) or ("",))[0]
        table = s.shipped
        if net is not None and table.num_rows:
            line = s.line_of["shipped"]
            w, ok = scaled(net)
            q, _ = scaled(table["quantity"])
            ok = ok & self.on[line]
            self.row_weight, self.row_known = w, ok
            np.add.at(self.weight, line[ok], w[ok])
            np.add.at(self.weighed, line[ok], q[ok])
        self.known = self.on & (self.weighed > 0)

    def weight_of(self, lines: np.ndarray, qty: np.ndarray) -> np.ndarray:
        """The net weight of ``qty`` units of each of ``lines`` (their share of the weight shipped; 10^-4)."""
        return divide(multiply(qty, self.weight[lines]), self.weighed[lines])


class _Exceptions:
    """Every exception type as rows of one table, with their evidence."""

    def __init__(self, match: LineMatch, docs: pa.Table, billed: pa.ChunkedArray | pa.Array | None,
                 weighed: _CatchWeights) -> None:
        self.m = match
        self.docs = docs
        self.billed = billed  # per invoiced row, the amount our 810 billed (null: quantity x price)
        self.cw = weighed
        self.parts: list[dict] = []  # column -> values (lists) per exception type
        self.superseded: dict[str, str] = {}  # exception id -> why a rejection is no longer found (_documents)
        self.evidence_parts: list[pa.Table] = []
        m = match
        live = ~m.cancelled
        q_tol = (m.q_units, m.q_percent)
        # shipped, not invoiced
        billable = np.minimum(m.s_due, m.agreed_qty)  # what shipped long enough ago, up to what was agreed
        # (not a memo order's: shipped on memo, billed when the retailer sells, never by an 810 for the shipment)
        mask = live & ~m.on_memo & (m.i_qty == 0) & beyond(billable, billable, *q_tol)
        self._lines("SHIPPED_NOT_INVOICED", mask, qty=billable, price=m.price6, weighed=True,
                    since=m.first_due_ship_s // SECONDS_PER_DAY, roles=("ordered", "acknowledged", "shipped"),
                    say=lambda i: join_text("shipped ", N(m.s_qty[i]), ", of which ", N(billable[i]),
                                            " billable and shipped at least ", N(m.grace[i] * SCALE),
                                            " day(s) ago, and nothing invoiced"))
        # invoiced, not shipped
        avg = divide(m.i_value, m.i_qty)
        mask = (m.s_qty == 0) & beyond(m.i_qty, m.i_qty, *q_tol)
        self._lines("INVOICED_NOT_SHIPPED", mask, qty=m.i_qty, price=avg * TO_PRICE, amount=m.i_value, price_ok=mask,
                    since=m.first_inv_day, roles=("ordered", "invoiced"),
                    say=lambda i: join_text("invoiced ", N(m.i_qty[i]), " for ",
                                            money_text(m.i_value[i], self._line_currency(i)),
                                            " and nothing shipped"))
        # invoiced quantity differs from shipped
        over = (m.s_qty > 0) & (m.i_qty > 0) & beyond(m.i_qty - m.s_qty, m.s_qty, *q_tol)
        under = live & ~m.on_memo & (m.s_qty > 0) & (m.i_qty > 0) & ~over & beyond(billable - m.i_qty, billable, *q_tol)
        qty = np.where(over, m.i_qty - m.s_qty, billable - m.i_qty)
        price = np.where(over, avg * TO_PRICE, m.price6)
        self._lines("INVOICE_QUANTITY_MISMATCH", over | under, qty=qty, price=price,
                    price_ok=over | m.has_price, weighed=under, since=m.last_inv_day, roles=("shipped", "invoiced"),
                    say=lambda i: pc.if_else(
                        pa.array(over[i]),
                        join_text("invoiced ", N(m.i_qty[i]), " but shipped ", N(m.s_qty[i]), ": over-billed by ",
                                  N(m.i_qty[i] - m.s_qty[i])),
                        join_text("shipped ", N(billable[i]), " billable and due for invoicing but invoiced ",
                                  N(m.i_qty[i]), ": under-billed by ", N(billable[i] - m.i_qty[i]))))
        # acknowledged, not shipped by the promised date
        mask = live & m.has_ack & beyond(m.promised_due - m.s_qty, m.promised_due, *q_tol)
        self._lines("NOT_SHIPPED_BY_PROMISED_DATE", mask, qty=m.promised_due - m.s_qty, price=m.price6, weighed=True,
                    since=m.first_missed_day, roles=("ordered", "acknowledged", "shipped"),
                    say=lambda i: join_text("promised ", N(m.promised_due[i]), " by ", date_text(m.first_missed_day[i]),
                                            " or earlier, shipped ", N(m.s_qty[i])))
        # over-shipment
        mask = live & beyond(m.s_qty - m.agreed_qty, m.agreed_qty, m.q_units, np.maximum(m.q_percent, m.over_percent))
        self._lines("OVER_SHIPMENT", mask, qty=m.s_qty - m.agreed_qty, price=m.price6, weighed=True,
                    since=m.last_ship_s // SECONDS_PER_DAY, roles=("ordered", "acknowledged", "shipped"),
                    say=lambda i: join_text("shipped ", N(m.s_qty[i]), " against ", N(m.agreed_qty[i]),
                                            pc.if_else(pa.array(m.has_ack[i]), " acknowledged", " ordered")))
        # cancelled after shipment / shipped after the cancellation
        before = m.s_qty - m.s_after_cancel
        cancel_day = m.cancel_s // SECONDS_PER_DAY
        self._lines("CANCELLED_AFTER_SHIPMENT", m.cancelled & (before > 0), qty=before, price=m.price6, weighed=True,
                    since=cancel_day, roles=("ordered", "shipped"),
                    say=lambda i: join_text("cancelled on ", date_text(cancel_day[i]), " after ", N(before[i]),
                                            " had shipped"))
        self._lines("SHIPPED_AFTER_CANCEL", m.cancelled & (m.s_after_cancel > 0), qty=m.s_after_cancel,
                    price=m.price6, weighed=True, since=m.first_after_cancel_s // SECONDS_PER_DAY,
                    roles=("ordered", "shipped"),
                    say=lambda i: join_text(N(m.s_after_cancel[i]), " shipped after the line was cancelled on ",
                                            date_text(cancel_day[i])))
        self._price_mismatches()
        self._duplicates()
        self._documents()

    # --- line-level types --------------------------------------------------------------------------
    def _base(self, kind: str, lines: np.ndarray) -> dict:
        m, s = self.m, self.m.sides
        idx = pa.array(lines, pa.int64())
        return {
            "type": kind,
            "_line": lines,
            "partner": s.partner.take(idx),
            "po_number": s.po_number.take(idx),
            "line_number": s.line_number.take(idx),
            "line_id": m.line_id.take(idx),
            "sku": m.sku.take(idx),
            "ordered_quantity": decimal_array(m.o_qty[lines], (m.has_order & m.o_qty_ok)[lines]),
            "ordered_price": decimal_array(m.o_price[lines], m.o_price_ok[lines]),
            "ack_code": m.ack_code.take(idx),
            "acknowledged_quantity": decimal_array(m.a_qty[lines], m.has_ack[lines]),
            "acknowledged_price": decimal_array(m.ack_price[lines], m.ack_price_ok[lines]),
            "promised_date": date_array(m.promised_day[lines], m.promised_day[lines] != NO_DAY),
            "shipped_quantity": decimal_array(m.s_qty[lines]),
            "invoiced_quantity": decimal_array(m.i_qty[lines]),
            "cancelled_at": time_array(m.cancel_s[lines], m.cancelled[lines]),
            "currency": pc.coalesce(m.o_currency.take(idx), m.currency.take(idx)),
        }

    def _lines(self, kind: str, mask: np.ndarray, *, qty: np.ndarray, price: np.ndarray, since: np.ndarray,
               roles: tuple[str, ...], say, amount: np.ndarray | None = None,
               price_ok: np.ndarray | None = None, weighed: bool | np.ndarray = False) -> None:
        """``price``: per line, in 10^-6 units (LineMatch.price6: exact to 6 decimals, 0.00418). ``weighed`` (all
        rows, or a mask of the lines): the quantity is of units shipped or to ship, valued at the agreed price: a
        catch-weight
        line's is its share of the net weight shipped x its price per pound (price_at_risk: that per unit), or
        no amount where no net weight is known (said so)."""
        m = self.m
        lines = np.flatnonzero(mask)
        ok = (m.has_price if price_ok is None else price_ok)[lines]
        q, p6 = qty[lines], np.where(ok, price[lines], 0)
        p = at_4(p6)  # (price_at_risk, a MONEY column)
        amt = amount[lines] if amount is not None else multiply(q, p6, unit=PRICE_UNIT)
        shown = price_money_text(p6, self._line_currency(lines))  # as people read a price (25.70)
        priced = join_text("; at ", shown, " each")
        cw = self.cw.on[lines] & ok if weighed is True else (  # priced: a value or none
            self.cw.on[lines] & ok & np.asarray(weighed, bool)[lines] if weighed is not False else
            np.zeros(len(lines), bool))
        if cw.any():
            known = self.cw.known[lines]
            weight = self.cw.weight_of(lines, q)
            value = multiply(weight, p6, unit=PRICE_UNIT)
            amt = np.where(cw & known, value, np.where(cw, 0, amt))
            per_unit = np.where(cw & known, divide(value, q), p)
            measure = pa.array([self.cw.measure[i] for i in lines], pa.string())
            priced = pc.if_else(pa.array(cw & known), join_text(
                "; a catch-weight line: at ", shown, " per ", measure, " on ", N(weight), " ", measure,
                " (its share of the ", N(self.cw.weight[lines]), " ", measure, " net weight shipped in ",
                N(self.cw.weighed[lines]),
                "), ", N(per_unit), " each"), pc.if_else(pa.array(cw), join_text(
                    "; a catch-weight line priced ", shown, " per ", measure,
                    " with no net weight shipped on file: its value (units at a price per ", measure,
                    ") is unknown, so no amount"), priced))
            p = per_unit
            ok = ok & ~(cw & ~known)
        part = self._base(kind, lines)
        inv_price, _ = self._avg_invoice_price(lines)
        part.update({
            "document_ref": [None] * len(lines),
            "message": join_text(say(lines), pc.if_else(pa.array(ok | cw), priced,
                                                        "; no agreed price on file, so no amount")),
            "invoiced_price": inv_price,
            "document_status": [None] * len(lines),
            "partner_reasons": [None] * len(lines),
            "quantity_at_risk": decimal_array(q),
            "price_at_risk": decimal_array(p, ok),
            "amount_at_risk": decimal_array(amt),
            "since": np.asarray(since[lines], np.int64),
            "_key": [],
            "_roles": roles,
            "_invoice": None,
        })
        self.parts.append(part)

    def _avg_invoice_price(self, lines: np.ndarray) -> tuple[pa.Array, np.ndarray]:
        m = self.m
        ok = m.i_qty[lines] > 0
        return decimal_array(divide(m.i_value[lines], m.i_qty[lines]), ok), ok

    def _price_mismatches(self) -> None:
        m, t = self.m, self.m.sides.invoiced
        if not t.num_rows:
            return
        line = m.sides.line_of["invoiced"]
        price = m.inv_price6  # exact (10^-6 units): 0.00418 and 0.00419 differ
        q, _ = scaled(t["quantity"])
        agreed = m.price6[line]
        diff = np.abs(price - agreed)
        bad = ~m.inv_dup & ~m.inv_resent & m.has_price[line] & beyond(diff, agreed, m.p_units[line] * TO_PRICE,
                                                                      m.p_percent[line])
        rows = np.flatnonzero(bad)
        if not len(rows):
            return
        inv_code, n_inv = encode(t["partner"], t["invoice_number"])
        key = line[rows] * max(n_inv, 1) + inv_code[rows]
        uniq, group = np.unique(key, return_inverse=True)
        g = Groups(group, len(uniq))
        first = g.first()
        lines = line[rows][first]
        qty = g.sum(q[rows])
        amount = g.sum(multiply(q[rows], diff[rows], unit=PRICE_UNIT))
        unit_diff = diff[rows][first]
        inv_price = price[rows][first]
        inv_day = g.min(days(t["invoice_date"], NO_DAY)[rows], NO_DAY)
        numbers = column(t, "invoice_number").take(pa.array(rows[first], pa.int64())).to_pylist()
        part = self._base("INVOICE_PRICE_MISMATCH", lines)
        part.update({
            "document_ref": numbers,
            "message": [f"invoice {num} bills {fmt(qty[k])} at {fmt_price(inv_price[k])} against the agreed "
                        f"{fmt_price(m.price6[lines[k]])} ({'acknowledged' if m.ack_price_ok[lines[k]] else 'ordered'})"
                        for k, num in enumerate(numbers)],
            "invoiced_price": decimal_array(at_4(inv_price)),
            "document_status": [None] * len(lines),
            "partner_reasons": [None] * len(lines),
            "quantity_at_risk": decimal_array(qty),
            "price_at_risk": decimal_array(at_4(unit_diff)),
            "amount_at_risk": decimal_array(amount),
            "since": inv_day,
            "_key": [pa.array(numbers, pa.string())],
            "_roles": ("acknowledged", "ordered", "invoiced"),
            "_invoice": numbers,
        })
        self.parts.append(part)

    def _duplicates(self) -> None:
        m, t = self.m, self.m.sides.invoiced
        rows = np.flatnonzero(m.inv_dup)
        if not len(rows):
            return
        line = m.sides.line_of["invoiced"]
        key = line[rows] * (int(m.inv_set_rank.max()) + 1) + m.inv_set_rank[rows]
        uniq, group = np.unique(key, return_inverse=True)
        g = Groups(group, len(uniq))
        first = rows[g.first()]
        lines = line[first]
        q, _ = scaled(t["quantity"])
        price, _ = scaled(t["unit_price"])
        qty = g.sum(q[rows])
        amount = g.sum(m.inv_row_value[rows])
        sub = t.select(["invoice_number", "isa13", "gs06", "st02"]).take(pa.array(first, pa.int64())).to_pylist()
        inv_day = g.min(days(t["invoice_date"], NO_DAY)[rows], NO_DAY)
        part = self._base("DUPLICATE_INVOICE", lines)
        part.update({
            "document_ref": [r["invoice_number"] for r in sub],
            "message": [f"invoice {r['invoice_number']} (ISA13 {r['isa13']} GS06 {r['gs06']} ST02 {r['st02']}) bills "
                        f"{fmt(qty[k])} again for {money(amount[k])}" for k, r in enumerate(sub)],
            "invoiced_price": decimal_array(price[first]),
            "document_status": [None] * len(lines),
            "partner_reasons": [None] * len(lines),
            "quantity_at_risk": decimal_array(qty),
            "price_at_risk": decimal_array(price[first]),
            "amount_at_risk": decimal_array(amount),
            "since": inv_day,
            "_key": [pa.array([r[c] for r in sub], pa.string()) for c in ("invoice_number", "isa13", "gs06", "st02")],
            "_roles": ("invoiced",),
            "_invoice": None,
        })
        self.parts.append(part)

    # --- invoice-level: the 810's total against its lines, charges and allowances ------------------------
    def invoice_totals(self, invoices: pa.Table) -> None:
        """INVOICE_TOTAL_MISMATCH per 810 (INVOICE_MATCH row) whose TDS is not its lines + charges -
        allowances + taxes: the amount the partner is asked to pay that finance cannot tie to what it bills."""
        diff = invoices["difference"]
        bad = invoices.filter(pc.fill_null(pc.not_equal(diff, pa.scalar(0, diff.type)), False))
        if not bad.num_rows:
            return
        n = bad.num_rows
        difference, _ = scaled(bad["difference"])
        lines, _ = scaled(bad["lines_value"])
        charges, _ = scaled(bad["charges"])
        allowances, _ = scaled(bad["allowances"])
        taxes, _ = scaled(bad["taxes"])
        cur = bad["currency"]
        taxed = pc.if_else(pa.array(taxes != 0), join_text(" + taxes ", money_text(taxes, cur)), "")  # none: as before
        total, _ = scaled(bad["invoiced_total"])
        message = join_text("invoice ", bad["invoice_number"], " (ISA13 ", _shown(bad["isa13"]), " GS06 ",
                            _shown(bad["gs06"]), " ST02 ", _shown(bad["st02"]), ", file ", _shown(bad["file"]),
                            "): TDS ", money_text(total, cur), " is not its lines ", money_text(lines, cur),
                            " + charges ", money_text(charges, cur), " - allowances ", money_text(allowances, cur),
                            taxed, " = ", money_text(lines + charges - allowances + taxes, cur), " (",
                            pc.cast(bad["invoice_lines"], pa.string()), " line(s) of ours)")
        nulls = _nulls(n, (*_NOT_LINE, "document_status", "partner_reasons"))
        self.parts.append({
            **nulls,
            "type": "INVOICE_TOTAL_MISMATCH",
            "_line": None,
            "partner": bad["partner"],
            "po_number": bad["po_number"],
            "document_ref": bad["invoice_number"],
            "message": message,
            "amount_at_risk": decimal_array(np.abs(difference)),
            "currency": bad["currency"],
            "since": days(bad["invoice_date"], self.m.today),
            "_key": [bad[c] for c in ("invoice_number", "isa13", "gs06", "st02")],
            "_roles": (),
            "_invoice": None,
            "_sent": bad,
        })

    def allowances(self, asked: pa.Table, invoices: pa.Table) -> None:
        """ALLOWANCE_NOT_APPLIED per PO invoiced (a line of it invoiced) whose 850 asked for SAC allowances
        (PO_ALLOWANCES) that none of its invoices carries (INVOICE_MATCH.allowance_codes: an allowance our
        profile bills, of the same SAC02, counts as applied): the deduction the retailer will take, each
        allowance's amount, else its percent of the invoiced value of its line (PO101) or of the PO."""
        m = self.m
        s = m.sides
        if not s.n:
            return
        value = np.asarray(m.i_value, np.int64)
        lines = pa.table({"partner": s.partner, "po_number": s.po_number, "line_id": pc.fill_null(m.line_id, ""),
                          "value": pa.array(value, pa.int64()),
                          "first": pa.array(np.where(m.i_qty > 0, m.first_inv_day, NO_DAY), pa.int64())})
        per_po = lines.group_by(["partner", "po_number"], use_threads=False).aggregate(
            [("value", "sum"), ("first", "min")])
        billed = per_po.filter(pc.greater(per_po["value_sum"], 0))  # invoiced: the deduction comes with payment
        if not billed.num_rows:
            return
        applied: dict[tuple[str, str], set[str]] = {}
        for partner, po, codes in zip(*(invoices[c].to_pylist() for c in ("partner", "po_number", "allowance_codes")),
                                      strict=True):
            if codes:
                applied.setdefault((partner, po), set()).update(codes.split(" "))
        by_line = {(p, po, ln): v for p, po, ln, v in zip(*(lines[c].to_pylist() for c in (
            "partner", "po_number", "line_id", "value")), strict=True)}
        pos = {(p, po): (v, day) for p, po, v, day in zip(*(billed[c].to_pylist() for c in (
            "partner", "po_number", "value_sum", "first_min")), strict=True)}
        found: dict[tuple[str, str], list[dict]] = {}
        for r in asked.to_pylist():
            key = (r["partner"], r["po_number"])
            if key not in pos or (r["code"] and r["code"] in applied.get(key, ())):
                continue
            found.setdefault(key, []).append(r)
        if not found:
            return
        keys = sorted(found)
        amounts, messages, files, since = [], [], [], []
        for key in keys:
            items = found[key]
            po_value, first_day = pos[key]
            value: dict[int, int] = {}  # the priced ones (an item without SAC05 or SAC07 is not priced)
            # off the invoice (SAC12 02, none or another code: ""): deducted from payment; settled apart (01 bill
            # back, 03, 04, 09, 10): owed all the same, claimed or credited apart from the invoice
            groups: dict[str, list[int]] = {}
            for i, r in enumerate(items):
                how = r.get("handling") or ""
                groups.setdefault(how if how in SETTLED_APART else "", []).append(i)
                # SAC05 takes precedence, except a 0 beside a SAC07 (translators fill SAC05 when a percent prices
                # it: the charge reconciliation reads it so, engine.charge_match)
                if r["amount"] is not None and not (Decimal(r["amount"]) == 0 and r["percent"] is not None):
                    value[i] = int(Decimal(r["amount"]).scaleb(4))
                elif r["percent"] is not None:
                    base = po_value if r["line_id"] is None else by_line.get((*key, r["line_id"]), 0)
                    value[i] = int((Decimal(base) * Decimal(r["percent"]) / 10_000).to_integral_value(  # to cents
                        ROUND_HALF_UP)) * 100
            more = max(r["more"] for r in items)
            parts = []
            more_words = f"; and {more} more allowances or charges the PO named" if more else ""
            for how in sorted(groups):
                named = "; ".join(items[i]["words"] + (f", SAC13 {items[i]['reference']}" if items[i].get(
                    "reference") else "") for i in groups[how])
                total = sum(value.get(i, 0) for i in groups[how])
                unpriced = sum(i not in value for i in groups[how])
                if not how:
                    note = "".join([f"; {unpriced} not priced" if unpriced else "", more_words])
                    more_words = ""
                    parts.append(f"the PO's 850 asked for allowances our invoices do not carry: "
                                 f"{named}. Invoiced {money(po_value)}: expect the retailer to deduct about "
                                 f"{money(total)} from payment{note}; settle the deduction with the buyer (a credit "
                                 "memo) or dispute it")
                else:
                    left = f" ({unpriced} not priced)" if unpriced else ""
                    parts.append(f"the PO's 850 settles allowances apart from the invoice, not deducted from its "
                                 f"payment: {named}. About {money(total)}{left}: {settled_apart(how)}")
            messages.append(". ".join(parts) + more_words)
            amounts.append(sum(value.values()))
            files.append(items[0]["file"])
            since.append(first_day if first_day != NO_DAY else self.m.today)
        n = len(keys)
        nulls = _nulls(n, (*_NOT_LINE, "document_status", "partner_reasons", "document_ref"))
        partners = pa.array([k[0] for k in keys], pa.string())
        po_numbers = pa.array([k[1] for k in keys], pa.string())
        self.parts.append({
            **nulls,
            "type": "ALLOWANCE_NOT_APPLIED",
            "_line": None,
            "partner": partners,
            "po_number": po_numbers,
            "message": messages,
            "amount_at_risk": decimal_array(np.asarray(amounts, np.int64)),
            "currency": self._currency_of(partners, po_numbers),
            "since": np.asarray(since, np.int64),
            "_key": [],
            "_roles": (),
            "_invoice": None,
            "_asked": pa.table({"po_number": po_numbers, "file": pa.array(files, pa.string())}),
        })

    # --- document-level types ----------------------------------------------------------------------
    def _answer_kind(self, partner: pa.ChunkedArray | pa.Array) -> pa.Array:
        """The acknowledgment each row's partner answers our documents with (FinanceSettings.answers_with: 997,
        999, 824): a 999 partner's overdue ASN said "no 997", sending ops to look for the wrong answer."""
        kinds = self.m.answers_with
        names = sorted(kinds)
        at = pc.index_in(partner, value_set=pa.array(names, pa.string()))
        return pc.fill_null(pc.take(pa.array([kinds[p] for p in names], pa.string()), at), "997")

    def _documents(self) -> None:
        """One exception per rejected or overdue document and PO it carries (the PO's value on the sides
        of that document; a document naming none: one of its own PO, value 0), in column form. A rejected
        document a later one of its kind the partner accepted replaces (_superseded: the corrected 810 sent again
        and accepted) raises none: its exception's id and why go to ``superseded`` (the booking clears it, saying
        so). It used to stay open until someone resolved it by hand."""
        docs = self.docs.filter(pc.or_(pc.is_in(self.docs["status"], value_set=pa.array(["rejected", "overdue"])),
                                       _part_rejected(self.docs)))
        if not docs.num_rows:
            return
        notes = self._superseded(docs)
        if notes:
            gone = pa.array([i in notes for i in range(docs.num_rows)], pa.bool_())
            old = docs.filter(gone).append_column("_note", pa.array([notes[i] for i in sorted(notes)], pa.string()))
            part = self._document_part(old)
            self.superseded.update(zip(self._ids(part, len(part["since"])), part["_docs"]["_note"].to_pylist(),
                                       strict=True))
            docs = docs.filter(pc.invert(gone))
            if not docs.num_rows:
                return
        self.parts.append(self._document_part(docs))

    def _superseded(self, docs: pa.Table) -> dict[int, str]:
        """The rows of ``docs`` (rejected or overdue sets) that are rejected sets a later set of the same partner,
        kind and PO replaces, the partner having accepted it (DOCUMENT_STATUS accepted, accepted_with_errors): for
        an 810, one billing a shipment the rejected one billed (810s naming no shipment, billed per order: the same
        PO); for another kind, one of the same document (its document_ref: the 856's shipment, the 855's PO). Each
        with why, in words."""
        all_docs = self.docs
        rejected = np.flatnonzero(pc.equal(docs["status"], "rejected").to_numpy(zero_copy_only=False))
        if not len(rejected):
            return {}

        def key(t: pa.Table) -> pa.Array:
            return pc.binary_join_element_wise(t["partner"], t["doc_type"], pc.fill_null(t["po_number"], ""), "\x1f")

        wanted = pa.array(sorted(set(key(docs.take(pa.array(rejected, pa.int64()))).to_pylist())), pa.string())
        ok = pc.and_(pc.is_in(all_docs["status"], value_set=pa.array(["accepted", "accepted_with_errors"])),
                     pc.is_in(key(all_docs), value_set=wanted))
        accepted = all_docs.filter(ok).to_pylist()
        if not accepted:
            return {}
        shipments = self._shipments_billed([docs.take(pa.array(rejected, pa.int64())), all_docs.filter(ok)])
        out: dict[int, str] = {}
        for i, r in zip(rejected.tolist(), docs.take(pa.array(rejected, pa.int64())).to_pylist(), strict=True):
            mine = shipments.get(_set_of(r), set())
            for a in sorted(accepted, key=lambda a: a["sent_at"]):
                if (a["partner"], a["doc_type"], a["po_number"]) != (r["partner"], r["doc_type"], r["po_number"]) \
                        or a["sent_at"] <= r["sent_at"]:
                    continue
                theirs = shipments.get(_set_of(a), set())
                if r["doc_type"] == "810":
                    same = bool(mine & theirs) if mine or theirs else True
                    what = f"shipment {', '.join(sorted(mine & theirs))}" if mine & theirs else f"PO {r['po_number']}"
                else:
                    same = (a["document_ref"] or "") == (r["document_ref"] or "")
                    what = a["document_ref"] or f"PO {r['po_number']}"
                if same:
                    out[i] = (f"superseded: the partner accepted our later {a['doc_type']} "
                              f"{a['document_ref'] or 'ST02 ' + a['st02']} (ISA13 {a['isa13']} GS06 {a['gs06']} ST02 "
                              f"{a['st02']}, sent {a['sent_at']:%Y-%m-%d %H:%M}) for the same {what}")
                    break
        return out

    def _shipments_billed(self, tables: list[pa.Table]) -> dict[tuple, set[str]]:
        """Per sent set (_set_of) of ``tables``' 810s: the shipments (REF SI) its invoiced rows name."""
        inv = self.m.sides.invoiced
        if not inv.num_rows or "shipment_id" not in inv.column_names:
            return {}
        gs06 = sorted({g for t in tables for g in t["gs06"].to_pylist()})
        rows = inv.filter(pc.is_in(pc.cast(inv["gs06"], pa.string()), value_set=pa.array(gs06, pa.string())))
        out: dict[tuple, set[str]] = {}
        for r in rows.select(["partner", "isa13", "gs06", "st02", "shipment_id"]).to_pylist():
            if r["shipment_id"]:
                out.setdefault(_set_of(r), set()).add(r["shipment_id"])
        return out

    def _document_part(self, docs: pa.Table) -> dict:
        """The exceptions of ``docs`` (rejected or overdue sets) as one part's columns (_documents)."""
        sums = self._document_values(docs)
        # each document's rows: its POs' values in PO order (a document without any: one row, value 0)
        doc_code, sum_code, k, _ = paired_codes([docs[c] for c in _DOC_KEY], [sums[c] for c in _DOC_KEY])
        order = pc.sort_indices(pa.table({"code": sum_code, "po": sums["po_number"]}),
                                sort_keys=[("code", "ascending"), ("po", "ascending")]).to_numpy()
        count = np.bincount(sum_code, minlength=k)
        start = np.cumsum(count) - count
        found = count[doc_code]
        width = np.maximum(found, 1)
        doc_row = np.repeat(np.arange(docs.num_rows), width)
        within = np.arange(len(doc_row)) - np.repeat(np.cumsum(width) - width, width)
        has = np.repeat(found > 0, width)
        d = docs.take(pa.array(doc_row, pa.int64()))
        value = np.zeros(len(doc_row), np.int64)
        unknown = np.zeros(len(doc_row), np.int64)  # its catch-weight lines with no net weight known: no value
        po = pc.fill_null(d["po_number"], "")
        if len(order):
            at = order[np.where(has, np.repeat(start[doc_code], width) + within, 0)]
            value = np.where(has, pc.fill_null(sums["value_sum"], 0).to_numpy(zero_copy_only=False)[at], 0)
            unknown = np.where(has, pc.fill_null(sums["unknown_sum"], 0).to_numpy(zero_copy_only=False)[at], 0)
            po = pc.if_else(pa.array(has), sums["po_number"].take(pa.array(at, pa.int64())), po)
        part = _part_rejected(d)  # lines of it rejected by the partner's 824, the rest accepted
        rejected = pc.or_(pc.equal(d["status"], "rejected"), part)
        when = pc.if_else(pc.and_(rejected, pc.is_valid(d["acked_at"])), d["acked_at"], d["due_at"])
        ref = pc.if_else(_blank(d["document_ref"]), join_text(_shown(d["doc_type"]), " ST02 ", _shown(d["st02"])),
                         d["document_ref"])
        # an answer came and decided nothing (engine.partner_acks._undecided: a 997's AK9 P naming none of the sets
        # it rejected): told as what happened, "our 855 ... is not decided: the partner's 997 (file) answered its
        # group AK9 P ...", never "no 997 for our 855" (it used to start so, the reason in parentheses after it)
        undecided = pc.fill_null(pc.starts_with(d["reasons"], "not decided: "), False)
        sent_due = join_text(_shown(d["doc_type"]), " ", ref, " sent ", _minutes(d["sent_at"]), ", due by ",
                             _minutes(d["due_at"]))
        what = pc.if_else(
            part,
            join_text("the partner rejected part of our ", _shown(d["doc_type"]), " ", ref, ": ",
                      pc.utf8_slice_codeunits(pc.fill_null(d["reasons"], ""), len(PART_REJECTED))),
            pc.if_else(
            rejected,
            join_text("the partner rejected our ", _shown(d["doc_type"]), " ", ref, ": ",
                      pc.if_else(_blank(d["reasons"]), pa.scalar("no reason given"), d["reasons"])),
            pc.if_else(undecided, join_text("our ", sent_due, ", is ", d["reasons"]),
                       join_text("no ", self._answer_kind(d["partner"]), " for our ", sent_due,
                                 pc.if_else(_blank(d["reasons"]), pa.scalar(""), join_text(" (", d["reasons"], ")"))))))
        message = join_text(what, " (ISA13 ", _shown(d["isa13"]), " GS06 ", _shown(d["gs06"]), " ST02 ",
                            _shown(d["st02"]), ", file ", _shown(d["file"]), "); document value ",
                            money_text(value, (currency := self._currency_of(d["partner"], po))),
                            pc.if_else(pa.array(unknown > 0), join_text(
                                ", without ", N(unknown * SCALE), " catch-weight line(s) priced per unit of weight",
                                " with no net weight shipped on file (their value unknown)"), ""))
        n = d.num_rows
        nulls = _nulls(n, _NOT_LINE)
        return {
            **nulls,
            "type": pc.if_else(rejected, pa.scalar("DOCUMENT_REJECTED"), pa.scalar("DOCUMENT_UNACKNOWLEDGED")),
            "_line": None,
            "partner": d["partner"],
            "po_number": po,
            "document_ref": ref,
            "message": message,
            "document_status": d["status"],
            "partner_reasons": d["reasons"],
            "amount_at_risk": decimal_array(value),
            "currency": currency,
            "since": np.floor_divide(seconds(when), SECONDS_PER_DAY),
            "_key": [d[c] for c in ("doc_type", "isa13", "gs06", "st02")],
            "_roles": (),
            "_invoice": None,
            "_docs": d,
        }

    def _document_values(self, docs: pa.Table) -> pa.Table:
        """The value per document (partner, ISA13, GS06, ST02) and PO of the sides' rows of ``docs``'s
        groups: 855/865 ACK quantity x acknowledged price, 856 shipped quantity x P, 810 invoiced
        quantity x invoice price; exact integer sums (10^-4 units), as the values added one by one.
        Columns: the keys (text), value_sum."""
        m = self.m
        wanted = pa.array(sorted(set(docs["gs06"].to_pylist())), pa.string())
        keys = [*_DOC_KEY, "po_number"]
        parts = []  # per side: its rows of those groups, their keys and values
        for name, table in (("acknowledged", m.sides.acknowledged), ("shipped", m.sides.shipped),
                            ("invoiced", m.sides.invoiced)):
            if not table.num_rows:
                continue
            line = m.sides.line_of[name]
            q, q_ok = scaled(table["quantity"])
            if name == "acknowledged":  # (prices exact, in 10^-6 units)
                q = np.where(q_ok, q, m.o_qty[line])
                p, p_ok = price_units(table["unit_price"])
                p = np.where(p_ok, p, m.o_price6[line])
            elif name == "shipped":
                p = m.price6[line]
            else:
                p = m.inv_price6
            value = multiply(q, p, unit=PRICE_UNIT)
            unknown = np.zeros(len(value), np.int64)
            if name != "invoiced" and self.cw.on.any():  # a catch-weight line: by its net weight, never per case
                cw, cw_known = self.cw.on[line], self.cw.known[line]
                estimate = multiply(self.cw.weight_of(line, q), p, unit=PRICE_UNIT)
                if name == "shipped" and len(self.cw.row_known):
                    estimate = np.where(self.cw.row_known, multiply(self.cw.row_weight, p, unit=PRICE_UNIT), estimate)
                value = np.where(cw & cw_known, estimate, np.where(cw, 0, value))
                unknown = (cw & ~cw_known).astype(np.int64)
            if name == "invoiced" and self.billed is not None and len(value):  # a catch-weight line: its weight's
                amount, known = scaled(self.billed)
                value = np.where(known, amount, value)
            sel = np.flatnonzero(pc.is_in(table["gs06"], value_set=wanted).to_numpy(zero_copy_only=False))
            sub = table.select(keys).take(pa.array(sel, pa.int64()))
            parts.append(sub.cast(pa.schema([(k, pa.string()) for k in keys])).append_column(
                "value", pa.array(value[sel], pa.int64())).append_column("unknown", pa.array(unknown[sel], pa.int64())))
        if not parts:
            return pa.table({**{k: pa.array([], pa.string()) for k in keys}, "value_sum": pa.array([], pa.int64()),
                             "unknown_sum": pa.array([], pa.int64())})
        return pa.concat_tables(parts).group_by(keys, use_threads=False).aggregate([("value", "sum"),
                                                                                   ("unknown", "sum")])

    def _line_currency(self, lines: np.ndarray) -> pa.Array:
        """The lines' currency (their PO's, else the partner's finance currency), as _base states it."""
        m, idx = self.m, pa.array(np.asarray(lines, np.int64), pa.int64())
        return pc.coalesce(m.o_currency.take(idx), m.currency.take(idx))

    def _currency_of(self, partners: pa.Array, pos: pa.Array) -> pa.Array:
        """The PO's currency (its first line's), else the partner's finance currency (its last line's)."""
        m = self.m
        if not m.sides.n:
            return pa.nulls(len(partners), pa.string())
        line_currency = pc.coalesce(m.o_currency, m.currency)
        found = _first_and_last(m.sides.partner, m.sides.po_number, partners, pos)
        if found is not None:
            line, last = found
        else:
            mine, theirs, k, present = paired_codes([partners, pos], [m.sides.partner, m.sides.po_number])
            line = np.where(present, first_rows(theirs, n=k)[mine], -1)
            mine, theirs, k, present = paired_codes([partners], [m.sides.partner])
            backwards = first_rows(theirs[::-1], n=k)[mine]
            last = np.where(present & (backwards >= 0), len(theirs) - 1 - backwards, -1)
        by_po = line_currency.take(pa.array(np.maximum(line, 0), pa.int64()))
        by_partner = m.currency.take(pa.array(np.maximum(last, 0), pa.int64()))
        return pc.if_else(pa.array(line >= 0), by_po,
                          pc.if_else(pa.array(last >= 0), by_partner, pa.scalar(None, pa.string())))

    # --- assembling --------------------------------------------------------------------------------
    @staticmethod
    def _ids(part: dict, k: int) -> list[str]:
        """"EX-" + 16 hex of sha256 over type, partner, PO, line and the type's own keys (US-separated)."""
        kind = part["type"] if isinstance(part["type"], str) else pa.array(part["type"], pa.string())
        line = pc.cast(pa.array(part["line_number"], pa.int32()) if not isinstance(part["line_number"], pa.Array)
                       else part["line_number"], pa.string())
        text = pc.binary_join_element_wise(kind, pa.array(part["partner"], pa.string()),
                                           pa.array(part["po_number"], pa.string()), line, *part["_key"], "\x1f",
                                           null_handling="replace", null_replacement="")
        return ["EX-" + hashlib.sha256(t.encode("utf-8")).hexdigest()[:16] for t in text.to_pylist()]

    def table(self) -> pa.Table:
        if not hasattr(self, "_table"):
            self._table = self._assemble()
        return self._table

    def _assemble(self) -> pa.Table:
        tables = []
        for part in self.parts:
            k = len(part["since"])
            part["_ids"] = pa.array(self._ids(part, k) if k else [], pa.string())
            if not k:
                continue
            since = np.asarray(part["since"], np.int64)
            since = np.where(since == NO_DAY, self.m.today, since)
            age = np.maximum(self.m.today - since, 0)
            cols = {
                "exception_id": part["_ids"],
                "type": [part["type"]] * k if isinstance(part["type"], str) else part["type"],
                "since": date_array(since, np.ones(k, bool)),
                "age_days": pa.array(age, pa.int32()),
                "state": pa.array(["open"] * k, pa.string()),
                "state_by": pa.nulls(k, pa.string()),
                "state_note": pa.nulls(k, pa.string()),
                "state_at": pa.nulls(k, pa.timestamp("s")),
            }
            for name in EXCEPTIONS.names:
                if name not in cols:
                    cols[name] = part[name]
            tables.append(pa.table({name: cols[name] for name in EXCEPTIONS.names}, schema=EXCEPTIONS))
        if not tables:
            return EXCEPTIONS.empty_table()
        return pa.concat_tables(tables).sort_by([("partner", "ascending"), ("po_number", "ascending"),
                                                 ("line_number", "ascending"), ("type", "ascending"),
                                                 ("exception_id", "ascending")])

    def line_counts(self) -> np.ndarray:
        counts = np.zeros(self.m.sides.n, np.int64)
        for part in self.parts:
            if part["_line"] is not None and len(part["_line"]):
                counts += np.bincount(np.asarray(part["_line"], np.int64), minlength=self.m.sides.n)
        return counts

    def evidence(self) -> pa.Table:
        table = self.table()
        if not table.num_rows:
            return EVIDENCE.empty_table()
        chunks: list[pa.Table] = []
        for part in self.parts:
            k = len(part["since"])
            if not k:
                continue
            ex_ids = part["_ids"]
            if part["_line"] is None:
                if "_asked" in part:  # the 850 that asked for the allowances
                    a = part["_asked"]
                    chunks.append(_evidence_table({
                        "exception_id": ex_ids, "role": pa.repeat(pa.scalar("ordered"), k),
                        "doc_type": pa.repeat(pa.scalar("850"), k), "document_ref": a["po_number"], "file": a["file"],
                        **{c: pa.nulls(k, pa.string()) for c in ("isa13", "gs06", "st02", "code")},
                        "at": pa.nulls(k, pa.timestamp("s"))}, k))
                    continue
                chunks.append(self._document_evidence(part, ex_ids) if "_sent" not in part
                              else self._invoice_evidence(part["_sent"], ex_ids))
                continue
            lines = np.asarray(part["_line"], np.int64)
            if part["type"] == "INVOICE_PRICE_MISMATCH":
                # the price source: the acknowledgment where there is one, else the order; then that invoice
                has_ack = self.m.has_ack[lines]
                chunks.append(self._side("acknowledged", lines[has_ack], ex_ids.filter(pa.array(has_ack))))
                chunks.append(self._side("ordered", lines[~has_ack], ex_ids.filter(pa.array(~has_ack))))
                chunks.append(self._side("invoiced", lines, ex_ids, only_invoice=part["_invoice"]))
                continue
            for role in part["_roles"]:
                chunks.append(self._side(role, lines, ex_ids))
        chunks = [c for c in chunks if c.num_rows]
        if not chunks:
            return EVIDENCE.empty_table()
        ev = pa.concat_tables(chunks)
        rank = pc.index_in(ev["exception_id"], value_set=table["exception_id"])
        ev = ev.append_column("_rank", rank).append_column("_seq", pa.array(np.arange(ev.num_rows), pa.int64()))
        return ev.sort_by([("_rank", "ascending"), ("_seq", "ascending")]).drop_columns(["_rank", "_seq"])

    def _side(self, role: str, lines: np.ndarray, ex_ids: pa.Array, *, only_invoice: list | None = None) -> pa.Table:
        m = self.m
        if not len(lines):
            return EVIDENCE.empty_table()
        if role == "ordered":
            has = m.o_row[lines] >= 0
            pos, rows = np.flatnonzero(has), m.o_row[lines][has]
            t = m.sides.ordered
            sub = t.take(pa.array(rows, pa.int64()))
            rev = pc.fill_null(sub["revision"], 0)
            doc_type = pc.if_else(pc.equal(rev, 0), pa.scalar("850"), pa.scalar("860"))
            if "ordered_as" in sub.column_names:  # a grocer's 875 / 876 named as the set it came as
                doc_type = pc.coalesce(sub["ordered_as"], doc_type)
            return self._evidence(ex_ids, pos, role, doc_type, sub["po_number"], sub, sub["received_at"], None,
                                  sub["quantity"], sub["unit_price"])
        if role == "acknowledged":
            pos, k = m.ack_groups.expand(lines)
            rows = m.ack_rows[k]
            sub = m.sides.acknowledged.take(pa.array(rows, pa.int64()))
            return self._evidence(ex_ids, pos, role, sub["doc_type"], sub["po_number"], sub, sub["sent_at"],
                                  sub["ack_code"], decimal_array(m.ack_part_qty[k]), sub["unit_price"])
        if role == "shipped":
            pos, rows = m.ship_groups.expand(lines)
            sub = m.sides.shipped.take(pa.array(rows, pa.int64()))
            return self._evidence(ex_ids, pos, role, pa.array(["856"] * len(rows)), sub["shipment_id"], sub,
                                  sub["shipped_at"], None, sub["quantity"], None)
        pos, rows = m.inv_groups.expand(lines)
        if only_invoice is not None:
            numbers = column(m.sides.invoiced, "invoice_number").take(pa.array(rows, pa.int64()))
            wanted = pa.array(only_invoice, pa.string()).take(pa.array(pos, pa.int64()))
            keep = pc.equal(numbers, wanted).to_numpy(zero_copy_only=False) & ~m.inv_dup[rows] & ~m.inv_resent[rows]
            pos, rows = pos[keep], rows[keep]
        sub = m.sides.invoiced.take(pa.array(rows, pa.int64()))
        roles = pa.array(np.where(m.inv_dup[rows], "duplicate", np.where(m.inv_resent[rows], "rejected", "invoiced")),
                         pa.string())
        return self._evidence(ex_ids, pos, roles, pa.array(["810"] * len(rows)), sub["invoice_number"], sub,
                              sub["sent_at"], None, sub["quantity"], sub["unit_price"])

    @staticmethod
    def _evidence(ex_ids, pos, role, doc_type, ref, sub, at, code, qty, price) -> pa.Table:
        k = len(pos)
        return pa.table({
            "exception_id": ex_ids.take(pa.array(pos, pa.int64())),
            "role": role if isinstance(role, pa.Array) else pa.array([role] * k, pa.string()),
            "doc_type": doc_type,
            "document_ref": ref,
            "file": sub["file"], "isa13": sub["isa13"], "gs06": sub["gs06"], "st02": sub["st02"],
            "at": at,
            "code": code if code is not None else pa.nulls(k, pa.string()),
            "quantity": qty,
            # (MONEY: a price kept to 6 decimals, 0.00418, rounded half up to 4, as the exceptions' price columns)
            "unit_price": prices_as(price, EVIDENCE.field("unit_price").type) if price is not None
            else pa.nulls(k, EVIDENCE.field("unit_price").type),
        }).cast(EVIDENCE)

    @staticmethod
    def _invoice_evidence(invoices: pa.Table, ex_ids: pa.Array) -> pa.Table:
        """Per invoice total exception: the 810 set as sent."""
        n = invoices.num_rows
        return _evidence_table({"exception_id": ex_ids, "role": pa.repeat(pa.scalar("invoiced"), n),
                                "doc_type": pa.repeat(pa.scalar("810"), n), "document_ref": invoices["invoice_number"],
                                "file": invoices["file"], "isa13": invoices["isa13"], "gs06": invoices["gs06"],
                                "st02": invoices["st02"], "at": invoices["sent_at"], "code": pa.nulls(n, pa.string())},
                               n)

    def _document_evidence(self, part: dict, ex_ids: pa.Array) -> pa.Table:
        """Per document exception: the set we sent, then the partner's acknowledgment that decided it
        (when it has a file)."""
        d = part["_docs"]
        n = d.num_rows
        sent = {"exception_id": ex_ids, "role": pa.repeat(pa.scalar("sent"), n), "doc_type": d["doc_type"],
                "document_ref": d["document_ref"], "file": d["file"], "isa13": d["isa13"], "gs06": d["gs06"],
                "st02": d["st02"], "at": d["sent_at"], "code": pa.nulls(n, pa.string())}
        acked = np.flatnonzero(pc.invert(_blank(d["ack_file"])).to_numpy(zero_copy_only=False))
        rows = pa.array(acked, pa.int64())
        a = d.take(rows)
        answer = {"exception_id": ex_ids.take(rows), "role": pa.repeat(pa.scalar("partner_ack"), len(acked)),
                  "doc_type": a["ack_type"], "document_ref": pa.nulls(len(acked), pa.string()), "file": a["ack_file"],
                  "isa13": a["ack_isa13"], "gs06": a["ack_gs06"], "st02": a["ack_st02"], "at": a["acked_at"],
                  "code": pc.if_else(_blank(a["set_status"]), a["group_status"], a["set_status"])}
        both = pa.concat_tables([_evidence_table(sent, n), _evidence_table(answer, len(acked))])
        order = np.argsort(np.concatenate([np.arange(n) * 2, acked * 2 + 1]), kind="stable")
        return both.take(pa.array(order, pa.int64()))


_DOC_KEY = ["partner", "isa13", "gs06", "st02"]  # a sent set


def _set_of(row: Mapping) -> tuple[str, ...]:
    """A sent set's key (_DOC_KEY) with its control numbers by value (000000004 and 4 name one set)."""
    return (row["partner"], *(str(row[c]).lstrip("0") or "0" if str(row[c]).isdigit() else str(row[c])
                              for c in ("isa13", "gs06", "st02")))


def _part_rejected(docs: pa.Table) -> pa.Array:
    """Where a document the partner accepted has lines its 824 rejected (an item-level OTI IR naming them: status
    accepted_with_errors, reasons starting PART_REJECTED, engine.application_advice): booked DOCUMENT_REJECTED, its
    message saying which lines and why ("the partner rejected part of our 810 ...: line 2 (LI 2) rejected ...; the
    rest of the document accepted"). Such a 824 used to reject the whole document."""
    return pc.and_(pc.equal(docs["status"], "accepted_with_errors"),
                   pc.fill_null(pc.starts_with(docs["reasons"], PART_REJECTED), False))


def _blank(values) -> pa.Array:
    """Where a text is null or empty (what Python's ``or`` passes over)."""
    return pc.fill_null(pc.equal(values, ""), True)


def _shown(values) -> pa.Array:
    """Texts as an f-string shows them (null: "None")."""
    return pc.fill_null(values, "None")


def _minutes(times) -> pa.Array:
    """timestamp[s] as f"{t:%Y-%m-%d %H:%M}" gives them (Arrow's text for years 1000-9999, else Python's)."""
    span = pc.min_max(times)
    low, high = span["min"].as_py(), span["max"].as_py()
    if low is None or (low.year >= 1000 and high.year <= 9999):
        return pc.strftime(times, format="%Y-%m-%d %H:%M")
    return pa.array([None if t is None else f"{t:%Y-%m-%d %H:%M}" for t in times.to_pylist()], pa.string())


def _evidence_table(columns: dict, n: int) -> pa.Table:
    """EVIDENCE rows from these columns (quantity and unit price null)."""
    columns = {**columns, "quantity": pa.nulls(n, EVIDENCE.field("quantity").type),
               "unit_price": pa.nulls(n, EVIDENCE.field("unit_price").type)}
    return pa.Table.from_arrays([pc.cast(columns[f.name], f.type) for f in EVIDENCE], schema=EVIDENCE)


def _pylist(values) -> list:
    return values.to_pylist() if isinstance(values, pa.Array | pa.ChunkedArray) else list(values)
