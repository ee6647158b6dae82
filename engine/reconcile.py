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
                     without ACK02 acknowledges the ordered quantity.
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
  DOCUMENT_REJECTED      DOCUMENT_STATUS rejected                  the document's value for the PO:
  DOCUMENT_UNACKNOWLEDGED DOCUMENT_STATUS overdue                  855/865 sum ACK qty x acknowledged
                                                                   price, 856 shipped qty x P, 810 invoiced
                                                                   qty x invoice price; since the rejection
                                                                   arrived / the 997 was due
  CANCELLED_AFTER_SHIPMENT  cancelled line, shipped at or before   shipped before cancel x P; since cancel
                         the cancellation
  SHIPPED_AFTER_CANCEL   cancelled line shipped after cancelling   shipped after cancel x P; since then
A cancelled line raises none of shipped-not-invoiced, under-invoiced, not-shipped-by-promise and
over-shipment (its cancellation exceptions carry that money). Without any price, amounts are 0 and
the message says so. Exception ids are "EX-" + 16 hex of sha256 over the type and its keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.columnar import (
    NO_TIME,
    SCALE,
    Groups,
    beyond,
    date_array,
    date_text,
    day_number,
    days,
    decimal_array,
    divide,
    encode,
    fmt,
    join_text,
    money,
    money_text,
    multiply,
    number_text,
    scaled,
    seconds,
    time_array,
    to_scaled,
)
from schemas.finance import FinanceSettings, settings_for
from schemas.reconciliation import (
    ACKNOWLEDGED,
    DOCUMENT_STATUS,
    EVIDENCE,
    EXCEPTIONS,
    INVOICED,
    LINE_MATCH,
    ORDERED,
    SHIPPED,
)

REFUSALS = ("IR", "ID", "IH", "IF", "IW")  # ACK01 codes that promise nothing
_NO_DAY = np.iinfo(np.int64).max
_SECONDS_PER_DAY = 86_400
N = number_text


@dataclass(frozen=True, slots=True)
class Reconciliation:
    lines: pa.Table  # LINE_MATCH
    exceptions: pa.Table  # EXCEPTIONS, every state "open" (engine.exception_states carries people's states)
    evidence: pa.Table  # EVIDENCE


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    return table.select(schema.names).cast(schema)


def _col(table: pa.Table, name: str) -> pa.Array:
    return table[name].combine_chunks()


def reconcile(ordered: pa.Table, acknowledged: pa.Table, shipped: pa.Table, invoiced: pa.Table,
              document_status: pa.Table, *, settings: Mapping[str, FinanceSettings],
              as_of: datetime) -> Reconciliation:
    """Match every line on its four sides and list the exceptions as of the run clock ``as_of``."""
    sides = _Sides(_conform(ordered, ORDERED), _conform(acknowledged, ACKNOWLEDGED), _conform(shipped, SHIPPED),
                   _conform(invoiced, INVOICED))
    docs = _conform(document_status, DOCUMENT_STATUS)
    partners = set(sides.partner.to_pylist()) | set(docs["partner"].to_pylist())
    match = _Match(sides, settings_for(settings, partners), as_of)
    out = _Exceptions(match, docs)
    return Reconciliation(lines=match.line_table(out.line_counts()), exceptions=out.table(),
                          evidence=out.evidence())


class _Sides:
    """The four input tables with a dense line index per row (lines sorted partner, PO, line number)."""

    def __init__(self, ordered: pa.Table, acknowledged: pa.Table, shipped: pa.Table, invoiced: pa.Table) -> None:
        self.ordered, self.acknowledged, self.shipped, self.invoiced = ordered, acknowledged, shipped, invoiced
        tables = (ordered, acknowledged, shipped, invoiced)
        cols = {k: pa.chunked_array([t[k].combine_chunks() for t in tables]).combine_chunks()
                for k in ("partner", "po_number", "line_number")}
        code, n = encode(cols["partner"], cols["po_number"], cols["line_number"])
        first = np.full(n, len(code), np.int64)
        np.minimum.at(first, code, np.arange(len(code)))
        keys = pa.table({k: v.take(pa.array(first)) for k, v in cols.items()})
        order = pc.sort_indices(keys, [("partner", "ascending"), ("po_number", "ascending"),
                                       ("line_number", "ascending")]).to_numpy()
        rank = np.empty(n, np.int64)
        rank[order] = np.arange(n)
        self.n = n
        self.partner = keys["partner"].combine_chunks().take(pa.array(order))
        self.po_number = keys["po_number"].combine_chunks().take(pa.array(order))
        self.line_number = keys["line_number"].combine_chunks().take(pa.array(order))
        line = rank[code]
        bounds = np.cumsum([0] + [t.num_rows for t in tables])
        self.line_of = {name: line[bounds[i]:bounds[i + 1]]
                        for i, name in enumerate(("ordered", "acknowledged", "shipped", "invoiced"))}


class _Match:
    """Per-line values of the four sides (numpy arrays of length n, amounts in 10^-4 units)."""

    def __init__(self, sides: _Sides, settings: dict[str, FinanceSettings], as_of: datetime) -> None:
        self.sides = s = sides
        self.as_of = as_of
        self.today = day_number(as_of.date())
        n = s.n
        partners = sorted(settings)
        pidx = pc.index_in(s.partner, value_set=pa.array(partners, pa.string())).to_numpy(zero_copy_only=False)
        pidx = np.asarray(pidx, np.int64) if n else np.zeros(0, np.int64)

        def per_line(values: list) -> np.ndarray:
            return np.asarray(values, np.int64)[pidx] if n else np.zeros(0, np.int64)

        self.q_units = per_line([to_scaled(settings[p].quantity_tolerance_units) for p in partners])
        self.q_percent = per_line([to_scaled(settings[p].quantity_tolerance_percent) for p in partners])
        self.p_units = per_line([to_scaled(settings[p].price_tolerance_amount) for p in partners])
        self.p_percent = per_line([to_scaled(settings[p].price_tolerance_percent) for p in partners])
        self.grace = per_line([settings[p].invoice_grace_days for p in partners])
        self.currency = pa.array([settings[p].currency for p in partners], pa.string()).take(pa.array(pidx)) \
            if n else pa.array([], pa.string())
        self._ordered()
        self._acknowledged()
        self._shipped()
        self._invoiced()
        self.price, self.has_price = np.where(self.ack_price_ok, self.ack_price, self.o_price), \
            self.ack_price_ok | self.o_price_ok
        self.agreed_qty = np.where(self.has_ack, self.a_qty, self.o_qty)

    # --- ordered ---------------------------------------------------------------------------------
    def _ordered(self) -> None:
        s, n = self.sides, self.sides.n
        t, line = s.ordered, s.line_of["ordered"]
        revision = pc.fill_null(t["revision"], 0).to_numpy(zero_copy_only=False).astype(np.int64)
        # the highest revision per line counts (then the later row)
        rank = np.lexsort((np.arange(t.num_rows), revision, line))
        last = np.full(n, -1, np.int64)
        last[line[rank]] = rank  # later rows of the sort overwrite earlier ones
        self.o_row = last
        self.has_order = last >= 0
        take = pa.array(np.where(self.has_order, last, 0)) if t.num_rows else None
        identity = t.num_rows == n and bool(np.array_equal(last, np.arange(n)))  # one row per line, in line order

        def pick(name: str, typ: pa.DataType) -> pa.Array:
            if take is None:
                return pa.nulls(n, typ)
            if identity:
                return _col(t, name)
            return pc.if_else(pa.array(self.has_order), _col(t, name).take(take), pa.scalar(None, typ))

        self.line_id, self.sku = pick("line_id", pa.string()), pick("sku", pa.string())
        self.po_date = pick("po_date", pa.date32())
        q, q_ok = scaled(pick("quantity", ORDERED.field("quantity").type))
        self.o_qty, self.o_qty_ok = q, q_ok
        self.o_price, self.o_price_ok = scaled(pick("unit_price", ORDERED.field("unit_price").type))
        self.cancel_s = seconds(pick("cancelled_at", pa.timestamp("s")))
        self.cancelled = self.cancel_s != NO_TIME
        self.requested_day = days(pick("requested_ship_date", pa.date32()), _NO_DAY)
        self.o_currency = pick("currency", pa.string())

    # --- acknowledged ------------------------------------------------------------------------------
    def _acknowledged(self) -> None:
        s, n = self.sides, self.sides.n
        t, line = s.acknowledged, s.line_of["acknowledged"]
        # the latest document per line: rank documents by (sent_at, isa13, gs06, st02)
        doc_code, n_docs = encode(t["sent_at"], t["isa13"], t["gs06"], t["st02"])
        doc_rank = _rank_codes(doc_code, n_docs, t, ["sent_at", "isa13", "gs06", "st02"])
        latest = Groups(line, n).max(doc_rank, -1) if t.num_rows else np.full(n, -1, np.int64)
        current = doc_rank == latest[line] if t.num_rows else np.zeros(0, bool)
        self.ack_rows = np.flatnonzero(current)
        rows, rline = self.ack_rows, line[current]
        g = Groups(rline, n)
        self.ack_groups, self.ack_line_of_row = g, rline
        codes = _col(t, "ack_code").take(pa.array(rows, pa.int64())) if len(rows) else pa.array([], pa.string())
        refusing = pc.is_in(codes, value_set=pa.array(REFUSALS)).to_numpy(zero_copy_only=False) if len(rows) \
            else np.zeros(0, bool)
        q, q_ok = scaled(_col(t, "quantity").take(pa.array(rows, pa.int64()))) if len(rows) else \
            (np.zeros(0, np.int64), np.zeros(0, bool))
        q = np.where(q_ok, q, self.o_qty[rline])  # ACK02 absent: as ordered
        self.ack_part_qty = q
        promising = ~refusing
        self.has_ack = g.count > 0
        self.a_qty = g.sum(np.where(promising, q, 0))
        self.refused = g.all(refusing)
        price, price_ok = scaled(_col(t, "unit_price").take(pa.array(rows, pa.int64()))) if len(rows) else \
            (np.zeros(0, np.int64), np.zeros(0, bool))
        self.ack_price_ok = g.any(price_ok)
        self.ack_price = g.max(np.where(price_ok, price, np.iinfo(np.int64).min), 0)
        self.ack_price = np.where(self.ack_price_ok, self.ack_price, 0)
        promised = days(_col(t, "promised_date").take(pa.array(rows, pa.int64())), _NO_DAY) if len(rows) else \
            np.zeros(0, np.int64)
        promised = np.where(promised == _NO_DAY, self.requested_day[rline], promised)
        due = promising & (promised < self.today)
        self.promised_due = g.sum(np.where(due, q, 0))
        self.first_missed_day = g.min(np.where(due, promised, _NO_DAY), _NO_DAY)
        self.promised_day = g.min(np.where(promising, promised, _NO_DAY), _NO_DAY)
        self.ack_code = _joined(codes, g, n)

    # --- shipped -----------------------------------------------------------------------------------
    def _shipped(self) -> None:
        s, n = self.sides, self.sides.n
        t, line = s.shipped, s.line_of["shipped"]
        g = Groups(line, n)
        self.ship_groups = g
        q, _ = scaled(t["quantity"])
        at = seconds(t["shipped_at"])
        ship_day = at // _SECONDS_PER_DAY
        due = ship_day <= (self.today - self.grace[line])
        after_cancel = at > self.cancel_s[line]
        self.s_qty = g.sum(q)
        self.s_due = g.sum(np.where(due, q, 0))
        self.s_after_cancel = g.sum(np.where(after_cancel, q, 0))
        self.first_ship_s = g.min(at, NO_TIME)
        self.last_ship_s = g.max(at, -1)
        self.first_due_ship_s = g.min(np.where(due, at, NO_TIME), NO_TIME)
        self.first_after_cancel_s = g.min(np.where(after_cancel, at, NO_TIME), NO_TIME)

    # --- invoiced ----------------------------------------------------------------------------------
    def _invoiced(self) -> None:
        s, n = self.sides, self.sides.n
        t, line = s.invoiced, s.line_of["invoiced"]
        m = t.num_rows
        doc_code, n_docs = encode(t["sent_at"], t["isa13"], t["gs06"], t["st02"])
        set_rank = _rank_codes(doc_code, n_docs, t, ["sent_at", "isa13", "gs06", "st02"])
        # (a) the same invoice number in a later 810 set
        inv_code, n_inv = encode(t["partner"], t["invoice_number"])
        first_set = Groups(inv_code, n_inv).min(set_rank, np.iinfo(np.int64).max) if m else np.zeros(0, np.int64)
        dup = set_rank > first_set[inv_code] if m else np.zeros(0, bool)
        # (b) a second invoice number for a (line, shipment) already invoiced
        has_ship = pc.is_valid(t["shipment_id"]).to_numpy(zero_copy_only=False) if m else np.zeros(0, bool)
        if has_ship.any():
            ship_code, n_ship = encode(pa.array(line), t["shipment_id"])
            cand = has_ship & ~dup
            order = np.lexsort((np.arange(m), set_rank, ship_code))
            order = order[cand[order]]
            first_row = np.full(n_ship, -1, np.int64)
            keys = ship_code[order]
            if len(order):
                starts = np.r_[0, np.flatnonzero(np.diff(keys)) + 1]
                first_row[keys[starts]] = order[starts]
            first_invoice = inv_code[np.where(first_row[ship_code] >= 0, first_row[ship_code], 0)]
            dup |= cand & (inv_code != first_invoice)
        self.inv_dup = dup
        self.inv_set_rank = set_rank
        q, _ = scaled(t["quantity"])
        price, _ = scaled(t["unit_price"])
        value = multiply(q, price)
        self.inv_row_value = value
        eff = ~dup
        g = Groups(line, n)
        self.inv_groups = g
        self.i_qty = g.sum(np.where(eff, q, 0))
        self.i_value = g.sum(np.where(eff, value, 0))
        inv_day = days(t["invoice_date"], _NO_DAY)
        self.first_inv_day = g.min(np.where(eff, inv_day, _NO_DAY), _NO_DAY)
        self.last_inv_day = g.max(np.where(eff, inv_day, -1), -1)
        self.first_inv_day_any = g.min(inv_day, _NO_DAY)

    # --- the LINE_MATCH table ------------------------------------------------------------------------
    def line_table(self, exceptions: np.ndarray) -> pa.Table:
        s = self.sides
        has_ship = self.first_ship_s != NO_TIME
        has_inv = self.first_inv_day != _NO_DAY
        ordered_value = np.where(self.cancelled, 0, multiply(self.o_qty, self.o_price))
        ack_price = np.where(self.ack_price_ok, self.ack_price, self.o_price)
        due = np.where(self.has_ack, self.promised_day, self.requested_day)
        table = pa.table({
            "partner": s.partner, "po_number": s.po_number, "line_number": s.line_number,
            "line_id": self.line_id, "sku": self.sku, "po_date": self.po_date,
            "currency": pc.coalesce(self.o_currency, self.currency),
            "cancelled_at": time_array(self.cancel_s, self.cancelled),
            "ordered_quantity": decimal_array(self.o_qty, self.has_order & self.o_qty_ok),
            "ordered_price": decimal_array(self.o_price, self.o_price_ok),
            "ack_code": self.ack_code,
            "acknowledged_quantity": decimal_array(self.a_qty, self.has_ack),
            "acknowledged_price": decimal_array(self.ack_price, self.ack_price_ok),
            "agreed_price": decimal_array(self.price, self.has_price),
            "shipped_quantity": decimal_array(self.s_qty),
            "invoiced_quantity": decimal_array(self.i_qty),
            "ordered_value": decimal_array(ordered_value, self.has_order),
            "acknowledged_value": decimal_array(multiply(self.a_qty, ack_price), self.has_ack),
            "shipped_value": decimal_array(multiply(self.s_qty, self.price)),
            "invoiced_value": decimal_array(self.i_value),
            "due_date": date_array(due, due != _NO_DAY),
            "first_shipped_at": time_array(self.first_ship_s, has_ship),
            "last_shipped_at": time_array(self.last_ship_s, has_ship),
            "first_invoice_date": date_array(self.first_inv_day, has_inv),
            "exceptions": pa.array(exceptions, pa.int32()),
        })
        return table.cast(LINE_MATCH)


def _rank_codes(code: np.ndarray, n_codes: int, table: pa.Table, columns: list[str]) -> np.ndarray:
    """Each row's rank among the distinct documents, ordered by ``columns`` (ascending)."""
    if not len(code):
        return np.zeros(0, np.int64)
    first = np.full(n_codes, len(code), np.int64)
    np.minimum.at(first, code, np.arange(len(code)))
    docs = table.select(columns).take(pa.array(first))
    order = pc.sort_indices(docs, [(c, "ascending") for c in columns]).to_numpy()
    rank = np.empty(n_codes, np.int64)
    rank[order] = np.arange(n_codes)
    return rank[code]


def _joined(codes: pa.Array, g: Groups, n: int) -> pa.Array:
    """Per group, its rows' codes in input order joined with '+' (null for empty groups)."""
    if not len(codes):
        return pa.nulls(n, pa.string())
    offsets = np.r_[0, np.cumsum(g.count)].astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), codes.take(pa.array(g.order)))
    joined = pc.binary_join(lists, "+")
    return pc.if_else(pa.array(g.count > 0), joined, pa.scalar(None, pa.string()))


class _Exceptions:
    """Every exception type as rows of one table, with their evidence."""

    def __init__(self, match: _Match, docs: pa.Table) -> None:
        self.m = match
        self.docs = docs
        self.parts: list[dict] = []  # column -> values (lists) per exception type
        self.evidence_parts: list[pa.Table] = []
        m = match
        live = ~m.cancelled
        q_tol = (m.q_units, m.q_percent)
        # shipped, not invoiced
        billable = np.minimum(m.s_due, m.agreed_qty)  # what shipped long enough ago, up to what was agreed
        mask = live & (m.i_qty == 0) & beyond(billable, billable, *q_tol)
        self._lines("SHIPPED_NOT_INVOICED", mask, qty=billable, price=m.price,
                    since=m.first_due_ship_s // _SECONDS_PER_DAY, roles=("ordered", "acknowledged", "shipped"),
                    say=lambda i: join_text("shipped ", N(m.s_qty[i]), ", of which ", N(billable[i]),
                                            " billable and shipped at least ", N(m.grace[i] * SCALE),
                                            " day(s) ago, and nothing invoiced"))
        # invoiced, not shipped
        avg = divide(m.i_value, m.i_qty)
        mask = (m.s_qty == 0) & beyond(m.i_qty, m.i_qty, *q_tol)
        self._lines("INVOICED_NOT_SHIPPED", mask, qty=m.i_qty, price=avg, amount=m.i_value, price_ok=mask,
                    since=m.first_inv_day, roles=("ordered", "invoiced"),
                    say=lambda i: join_text("invoiced ", N(m.i_qty[i]), " for ", money_text(m.i_value[i]),
                                            " and nothing shipped"))
        # invoiced quantity differs from shipped
        over = (m.s_qty > 0) & (m.i_qty > 0) & beyond(m.i_qty - m.s_qty, m.s_qty, *q_tol)
        under = live & (m.s_qty > 0) & (m.i_qty > 0) & ~over & beyond(billable - m.i_qty, billable, *q_tol)
        qty = np.where(over, m.i_qty - m.s_qty, billable - m.i_qty)
        price = np.where(over, avg, m.price)
        self._lines("INVOICE_QUANTITY_MISMATCH", over | under, qty=qty, price=price,
                    price_ok=over | m.has_price, since=m.last_inv_day, roles=("shipped", "invoiced"),
                    say=lambda i: pc.if_else(
                        pa.array(over[i]),
                        join_text("invoiced ", N(m.i_qty[i]), " but shipped ", N(m.s_qty[i]), ": over-billed by ",
                                  N(m.i_qty[i] - m.s_qty[i])),
                        join_text("shipped ", N(billable[i]), " billable and due for invoicing but invoiced ",
                                  N(m.i_qty[i]), ": under-billed by ", N(billable[i] - m.i_qty[i]))))
        # acknowledged, not shipped by the promised date
        mask = live & m.has_ack & beyond(m.promised_due - m.s_qty, m.promised_due, *q_tol)
        self._lines("NOT_SHIPPED_BY_PROMISED_DATE", mask, qty=m.promised_due - m.s_qty, price=m.price,
                    since=m.first_missed_day, roles=("ordered", "acknowledged", "shipped"),
                    say=lambda i: join_text("promised ", N(m.promised_due[i]), " by ", date_text(m.first_missed_day[i]),
                                            " or earlier, shipped ", N(m.s_qty[i])))
        # over-shipment
        mask = live & beyond(m.s_qty - m.agreed_qty, m.agreed_qty, *q_tol)
        self._lines("OVER_SHIPMENT", mask, qty=m.s_qty - m.agreed_qty, price=m.price,
                    since=m.last_ship_s // _SECONDS_PER_DAY, roles=("ordered", "acknowledged", "shipped"),
                    say=lambda i: join_text("shipped ", N(m.s_qty[i]), " against ", N(m.agreed_qty[i]),
                                            pc.if_else(pa.array(m.has_ack[i]), " acknowledged", " ordered")))
        # cancelled after shipment / shipped after the cancellation
        before = m.s_qty - m.s_after_cancel
        cancel_day = m.cancel_s // _SECONDS_PER_DAY
        self._lines("CANCELLED_AFTER_SHIPMENT", m.cancelled & (before > 0), qty=before, price=m.price,
                    since=cancel_day, roles=("ordered", "shipped"),
                    say=lambda i: join_text("cancelled on ", date_text(cancel_day[i]), " after ", N(before[i]),
                                            " had shipped"))
        self._lines("SHIPPED_AFTER_CANCEL", m.cancelled & (m.s_after_cancel > 0), qty=m.s_after_cancel,
                    price=m.price, since=m.first_after_cancel_s // _SECONDS_PER_DAY, roles=("ordered", "shipped"),
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
            "promised_date": date_array(m.promised_day[lines], m.promised_day[lines] != _NO_DAY),
            "shipped_quantity": decimal_array(m.s_qty[lines]),
            "invoiced_quantity": decimal_array(m.i_qty[lines]),
            "cancelled_at": time_array(m.cancel_s[lines], m.cancelled[lines]),
            "currency": pc.coalesce(m.o_currency.take(idx), m.currency.take(idx)),
        }

    def _lines(self, kind: str, mask: np.ndarray, *, qty: np.ndarray, price: np.ndarray, since: np.ndarray,
               roles: tuple[str, ...], say, amount: np.ndarray | None = None,
               price_ok: np.ndarray | None = None) -> None:
        m = self.m
        lines = np.flatnonzero(mask)
        ok = (m.has_price if price_ok is None else price_ok)[lines]
        q, p = qty[lines], np.where(ok, price[lines], 0)
        amt = amount[lines] if amount is not None else multiply(q, p)
        part = self._base(kind, lines)
        inv_price, _ = self._avg_invoice_price(lines)
        part.update({
            "document_ref": [None] * len(lines),
            "message": join_text(say(lines), pc.if_else(pa.array(ok), join_text("; at ", N(p), " each"),
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
        price, _ = scaled(t["unit_price"])
        q, _ = scaled(t["quantity"])
        agreed = m.price[line]
        diff = np.abs(price - agreed)
        bad = ~m.inv_dup & m.has_price[line] & beyond(diff, agreed, m.p_units[line], m.p_percent[line])
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
        amount = g.sum(multiply(q[rows], diff[rows]))
        unit_diff = diff[rows][first]
        inv_price = price[rows][first]
        inv_day = g.min(days(t["invoice_date"], _NO_DAY)[rows], _NO_DAY)
        numbers = _col(t, "invoice_number").take(pa.array(rows[first], pa.int64())).to_pylist()
        part = self._base("INVOICE_PRICE_MISMATCH", lines)
        part.update({
            "document_ref": numbers,
            "message": [f"invoice {num} bills {fmt(qty[k])} at {fmt(inv_price[k])} against the agreed "
                        f"{fmt(m.price[lines[k]])} ({'acknowledged' if m.ack_price_ok[lines[k]] else 'ordered'})"
                        for k, num in enumerate(numbers)],
            "invoiced_price": decimal_array(inv_price),
            "document_status": [None] * len(lines),
            "partner_reasons": [None] * len(lines),
            "quantity_at_risk": decimal_array(qty),
            "price_at_risk": decimal_array(unit_diff),
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
        inv_day = g.min(days(t["invoice_date"], _NO_DAY)[rows], _NO_DAY)
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

    # --- document-level types ----------------------------------------------------------------------
    def _documents(self) -> None:
        docs = self.docs.filter(pc.is_in(self.docs["status"], value_set=pa.array(["rejected", "overdue"])))
        if not docs.num_rows:
            return
        m = self.m
        values: dict[tuple, dict[str, int]] = {}  # (partner, isa13, gs06, st02) -> {po: value}
        wanted = set(docs["gs06"].to_pylist())
        for name, table in (("acknowledged", m.sides.acknowledged), ("shipped", m.sides.shipped),
                            ("invoiced", m.sides.invoiced)):
            if not table.num_rows:
                continue
            line = m.sides.line_of[name]
            q, q_ok = scaled(table["quantity"])
            if name == "acknowledged":
                q = np.where(q_ok, q, m.o_qty[line])
                p, p_ok = scaled(table["unit_price"])
                p = np.where(p_ok, p, m.o_price[line])
            elif name == "shipped":
                p = m.price[line]
            else:
                p, _ = scaled(table["unit_price"])
            value = multiply(q, p)
            sel = np.flatnonzero(pc.is_in(table["gs06"], value_set=pa.array(sorted(wanted))).to_numpy(
                zero_copy_only=False))
            sub = table.select(["partner", "isa13", "gs06", "st02", "po_number"]).take(pa.array(sel, pa.int64()))
            for r, v in zip(sub.to_pylist(), value[sel].tolist(), strict=True):
                per_po = values.setdefault((r["partner"], r["isa13"], r["gs06"], r["st02"]), {})
                per_po[r["po_number"]] = per_po.get(r["po_number"], 0) + v
        cols: dict[str, list] = {c: [] for c in ("type", "partner", "po_number", "document_ref", "message",
                                                  "document_status", "partner_reasons", "amount", "since",
                                                  "_key", "_doc")}
        for d in docs.to_pylist():
            kind = "DOCUMENT_REJECTED" if d["status"] == "rejected" else "DOCUMENT_UNACKNOWLEDGED"
            per_po = values.get((d["partner"], d["isa13"], d["gs06"], d["st02"])) or {d["po_number"] or "": 0}
            when = d["acked_at"] if kind == "DOCUMENT_REJECTED" and d["acked_at"] else d["due_at"]
            ref = d["document_ref"] or f"{d['doc_type']} ST02 {d['st02']}"
            for po, value in sorted(per_po.items()):
                what = (f"the partner rejected our {d['doc_type']} {ref}: {d['reasons'] or 'no reason given'}"
                        if kind == "DOCUMENT_REJECTED" else
                        f"no 997 for our {d['doc_type']} {ref} sent {d['sent_at']:%Y-%m-%d %H:%M}, due by "
                        f"{d['due_at']:%Y-%m-%d %H:%M}")
                cols["type"].append(kind)
                cols["partner"].append(d["partner"])
                cols["po_number"].append(po)
                cols["document_ref"].append(ref)
                cols["message"].append(f"{what} (ISA13 {d['isa13']} GS06 {d['gs06']} ST02 {d['st02']}, "
                                       f"file {d['file']}); document value {money(value)}")
                cols["document_status"].append(d["status"])
                cols["partner_reasons"].append(d["reasons"])
                cols["amount"].append(value)
                cols["since"].append(day_number(when.date()))
                cols["_key"].append((d["doc_type"], d["isa13"], d["gs06"], d["st02"]))
                cols["_doc"].append(d)
        k = len(cols["type"])
        nulls = {c: pa.nulls(k, EXCEPTIONS.field(c).type) for c in (
            "line_number", "line_id", "sku", "ordered_quantity", "ordered_price", "ack_code", "acknowledged_quantity",
            "acknowledged_price", "promised_date", "shipped_quantity", "invoiced_quantity", "invoiced_price",
            "cancelled_at", "quantity_at_risk", "price_at_risk")}
        self.parts.append({
            **nulls,
            "type": cols["type"],
            "_line": None,
            "partner": cols["partner"],
            "po_number": cols["po_number"],
            "document_ref": cols["document_ref"],
            "message": cols["message"],
            "document_status": cols["document_status"],
            "partner_reasons": cols["partner_reasons"],
            "amount_at_risk": decimal_array(np.asarray(cols["amount"], np.int64)),
            "currency": self._currency_of(cols["partner"]),
            "since": np.asarray(cols["since"], np.int64),
            "_key": [pa.array([k[j] for k in cols["_key"]], pa.string()) for j in range(4)],
            "_roles": (),
            "_invoice": None,
            "_docs": cols["_doc"],
        })

    def _currency_of(self, partners: list[str]) -> pa.Array:
        m = self.m
        known = dict(zip(m.sides.partner.to_pylist(), m.currency.to_pylist(), strict=True)) if m.sides.n else {}
        return pa.array([known.get(p) for p in partners], pa.string())

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
            since = np.where(since == _NO_DAY, self.m.today, since)
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
                chunks.append(self._document_evidence(part, ex_ids))
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
            numbers = _col(m.sides.invoiced, "invoice_number").take(pa.array(rows, pa.int64()))
            wanted = pa.array(only_invoice, pa.string()).take(pa.array(pos, pa.int64()))
            keep = pc.equal(numbers, wanted).to_numpy(zero_copy_only=False) & ~m.inv_dup[rows]
            pos, rows = pos[keep], rows[keep]
        sub = m.sides.invoiced.take(pa.array(rows, pa.int64()))
        roles = pa.array(np.where(m.inv_dup[rows], "duplicate", "invoiced"), pa.string())
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
            "unit_price": price if price is not None else pa.nulls(k, EVIDENCE.field("unit_price").type),
        }).cast(EVIDENCE)

    def _document_evidence(self, part: dict, ex_ids: pa.Array) -> pa.Table:
        out = []
        for d, ex_id in zip(part["_docs"], ex_ids.to_pylist(), strict=True):
            out.append({"exception_id": ex_id, "role": "sent", "doc_type": d["doc_type"],
                        "document_ref": d["document_ref"], "file": d["file"], "isa13": d["isa13"], "gs06": d["gs06"],
                        "st02": d["st02"], "at": d["sent_at"], "code": None, "quantity": None, "unit_price": None})
            if d["ack_file"]:
                out.append({"exception_id": ex_id, "role": "partner_ack", "doc_type": d["ack_type"],
                            "document_ref": None, "file": d["ack_file"], "isa13": d["ack_isa13"],
                            "gs06": d["ack_gs06"], "st02": d["ack_st02"], "at": d["acked_at"],
                            "code": d["set_status"] or d["group_status"], "quantity": None, "unit_price": None})
        return pa.Table.from_pylist(out, schema=EVIDENCE)


def _pylist(values) -> list:
    return values.to_pylist() if isinstance(values, pa.Array | pa.ChunkedArray) else list(values)
