"""The four sides of the reconciliation side by side: every line's ordered, acknowledged, shipped and
invoiced values as numpy arrays in one dense line order (partner, PO, line number), with the latest
acknowledgment per line and duplicate invoices marked. Pure and columnar; engine.reconcile decides
the exceptions from it and owns their definitions (its docstring is the specification).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.columnar import (
    NO_TIME,
    PRICE_UNIT,
    Groups,
    at_4,
    date_array,
    day_number,
    days,
    decimal_array,
    encode,
    multiply,
    price_units,
    scaled,
    seconds,
    time_array,
    to_scaled,
)
from schemas.finance import FinanceSettings
from schemas.grouping import lookup
from schemas.reconciliation import LINE_MATCH, ORDERED

REFUSALS = ("IR", "ID", "IH", "IF", "IW")  # ACK01 codes that promise nothing
NO_DAY = np.iinfo(np.int64).max
SECONDS_PER_DAY = 86_400


# ORDERED's extra column, kept when given (engine.finance_inputs.ordered): when the balance of the line's order was
# cancelled after shipment, the PO taking no back order (null: never); what the line did not ship by then is not owed
# and the set that made the line's revision when it was a grocer's ("875", "876": the evidence names the ordered side
# by it; null: an 850 or 860, by the revision)
ORDERED_EXTRA = (pa.field("balance_cancelled_at", pa.timestamp("s")), pa.field("ordered_as", pa.string()))


def conform(table: pa.Table, schema: pa.Schema, extra: tuple[pa.Field, ...] = ()) -> pa.Table:
    """``table``'s columns of ``schema``, in its order and types, then those of ``extra`` it has (other columns
    dropped)."""
    out = table.select(schema.names).cast(schema)
    for f in extra:
        if f.name in table.column_names:
            out = out.append_column(f, pc.cast(table[f.name], f.type))
    return out


def column(table: pa.Table, name: str) -> pa.Array:
    return table[name].combine_chunks()


class Sides:
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


class LineMatch:
    """Per-line values of the four sides (numpy arrays of length n, amounts in 10^-4 units). Prices: ``o_price``,
    ``ack_price``, ``price`` in 10^-4 units, rounded half up where a price has more decimals (what the MONEY
    columns show); ``o_price6``, ``ack_price6``, ``price6`` the same prices exact in 10^-6 units (PRICE: 0.00418),
    which value the lines (multiply(quantity, price6, unit=PRICE_UNIT)) and are compared."""

    def __init__(self, sides: Sides, settings: dict[str, FinanceSettings], as_of: datetime,
                 rejected: pa.Table | None = None) -> None:
        """``rejected``: the 810 sets the partner rejected (partner, isa13, gs06, st02: DOCUMENT_STATUS rows, control
        numbers compared by value): a later 810 billing what one of them billed is its sending again, not a
        duplicate (``_invoiced``)."""
        self.sides = s = sides
        self._rejected = rejected
        self.as_of = as_of
        self.today = day_number(as_of.date())
        n = s.n
        self.on_memo = np.zeros(n, bool)  # per line: its order ships on memo, billed by no 810 (engine.reconcile)
        self.over_percent = np.zeros(n, np.int64)  # per line: its partner's over-shipment tolerance (engine.reconcile)
        self.answers_with = {p: settings[p].answers_with for p in settings}  # per partner: 997, 999 or 824
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
        # a line whose order took no back order and had its balance cancelled after shipment: what it did not ship
        # is not owed (engine.lifecycle.balance), whatever the 855 promised
        self.promised_due = np.where(self.closed_short, np.minimum(self.promised_due, self.s_qty), self.promised_due)
        # a line the buyer's 860 cut below what our 855 acknowledged, the change not answered by an 865 yet (the order
        # held for a person on another of its changes): the buyer orders what its change says, not what we
        # acknowledged before it - the units it cut are neither owed by the promised date nor billable. It used to
        # be held to the older 855: "promised 12 ... shipped 6", 60.00 at risk on a line the buyer cut to 9. An
        # 865's quantity answers the change (a case-pack round-up above it stands, as an 855's does on an 850)
        self.cut = self.changed & ~self.cancelled & self.o_qty_ok & self.has_ack & ~self.ack_answers_change & \
            (self.a_qty > self.o_qty)
        self.promised_due = np.where(self.cut, np.minimum(self.promised_due, self.o_qty), self.promised_due)
        self._invoiced()
        self.price6, self.has_price = np.where(self.ack_price_ok, self.ack_price6, self.o_price6), \
            self.ack_price_ok | self.o_price_ok
        self.price = at_4(self.price6)
        self.agreed_qty = np.where(self.has_ack & ~self.cut, self.a_qty, self.o_qty)

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
                return column(t, name)
            return pc.if_else(pa.array(self.has_order), column(t, name).take(take), pa.scalar(None, typ))

        self.line_id, self.sku = pick("line_id", pa.string()), pick("sku", pa.string())
        self.ordered_sku = pick("ordered_sku", pa.string())
        self.po_date = pick("po_date", pa.date32())
        q, q_ok = scaled(pick("quantity", ORDERED.field("quantity").type))
        self.o_qty, self.o_qty_ok = q, q_ok
        self.o_price6, self.o_price_ok = price_units(pick("unit_price", ORDERED.field("unit_price").type))
        self.o_price = at_4(self.o_price6)
        self.cancel_s = seconds(pick("cancelled_at", pa.timestamp("s")))
        self.cancelled = self.cancel_s != NO_TIME
        self.changed = pc.fill_null(pick("revision", pa.int32()), 0).to_numpy(zero_copy_only=False) > 0
        self.closed_short = seconds(pick("balance_cancelled_at", pa.timestamp("s"))) != NO_TIME \
            if "balance_cancelled_at" in t.column_names else np.zeros(n, bool)
        self.requested_day = days(pick("requested_ship_date", pa.date32()), NO_DAY)
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
        codes = column(t, "ack_code").take(pa.array(rows, pa.int64())) if len(rows) else pa.array([], pa.string())
        refusing = pc.is_in(codes, value_set=pa.array(REFUSALS)).to_numpy(zero_copy_only=False) if len(rows) \
            else np.zeros(0, bool)
        q, q_ok = scaled(column(t, "quantity").take(pa.array(rows, pa.int64()))) if len(rows) else \
            (np.zeros(0, np.int64), np.zeros(0, bool))
        q = np.where(q_ok, q, self.o_qty[rline])  # ACK02 absent: as ordered
        self.ack_part_qty = q
        promising = ~refusing
        self.has_ack = g.count > 0
        self.a_qty = g.sum(np.where(promising, q, 0))
        self.refused = g.all(refusing)
        price, price_ok = price_units(column(t, "unit_price").take(pa.array(rows, pa.int64()))) if len(rows) else \
            (np.zeros(0, np.int64), np.zeros(0, bool))
        self.ack_price_ok = g.any(price_ok)
        self.ack_price6 = g.max(np.where(price_ok, price, np.iinfo(np.int64).min), 0)
        self.ack_price6 = np.where(self.ack_price_ok, self.ack_price6, 0)
        self.ack_price = at_4(self.ack_price6)
        promised = days(column(t, "promised_date").take(pa.array(rows, pa.int64())), NO_DAY) if len(rows) else \
            np.zeros(0, np.int64)
        promised = np.where(promised == NO_DAY, self.requested_day[rline], promised)
        due = promising & (promised < self.today)
        self.promised_due = g.sum(np.where(due, q, 0))
        self.first_missed_day = g.min(np.where(due, promised, NO_DAY), NO_DAY)
        self.promised_day = g.min(np.where(promising, promised, NO_DAY), NO_DAY)
        self.ack_code = _joined(codes, g, n)
        kinds = column(t, "doc_type").take(pa.array(rows, pa.int64())) if len(rows) else pa.array([], pa.string())
        self.ack_answers_change = g.any(pc.fill_null(pc.equal(kinds, "865"), False).to_numpy(zero_copy_only=False)) \
            if len(rows) else np.zeros(n, bool)  # the line's acknowledgment is an 865's: it answered the change

    # --- shipped -----------------------------------------------------------------------------------
    def _shipped(self) -> None:
        s, n = self.sides, self.sides.n
        t, line = s.shipped, s.line_of["shipped"]
        g = Groups(line, n)
        self.ship_groups = g
        q, _ = scaled(t["quantity"])
        at = seconds(t["shipped_at"])
        ship_day = at // SECONDS_PER_DAY
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
        inv_code, n_inv = encode(t["partner"], t["invoice_number"])
        has_ship = pc.is_valid(t["shipment_id"]).to_numpy(zero_copy_only=False) if m else np.zeros(0, bool)
        ship_code, n_ship = encode(pa.array(line), t["shipment_id"]) if has_ship.any() else (None, 0)
        # an 810 the partner rejected and a later 810 bills again (the corrected invoice sent again, under its number
        # or a new one, for the same line of the same shipment): the later one is the bill, the rejected one counts
        # for nothing - neither billed nor the first of a duplicate. It used to make the corrected invoice a
        # DUPLICATE_INVOICE "bills 24 again for 120.00" while the partner held no bill for those units at all
        resent = self._resent(t, set_rank, inv_code, n_inv, has_ship, ship_code, n_ship)
        # (a) the same invoice number in a later 810 set
        first_set = Groups(inv_code, n_inv).min(np.where(resent, np.iinfo(np.int64).max, set_rank),
                                                np.iinfo(np.int64).max) if m else np.zeros(0, np.int64)
        dup = ~resent & (set_rank > first_set[inv_code]) if m else np.zeros(0, bool)
        # (b) a second invoice number for a (line, shipment) already invoiced
        if has_ship.any():
            cand = has_ship & ~dup & ~resent
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
        self.inv_resent = resent  # per invoiced row: its 810 was rejected and billed again by a later one
        self.inv_set_rank = set_rank
        q, _ = scaled(t["quantity"])
        price, _ = price_units(t["unit_price"])
        self.inv_price6 = price  # per invoiced row, its IT104 (10^-6 units)
        value = multiply(q, price, unit=PRICE_UNIT)
        self.inv_row_value = value
        eff = ~dup & ~resent
        g = Groups(line, n)
        self.inv_groups = g
        self.i_qty = g.sum(np.where(eff, q, 0))
        self.i_value = g.sum(np.where(eff, value, 0))
        inv_day = days(t["invoice_date"], NO_DAY)
        self.first_inv_day = g.min(np.where(eff, inv_day, NO_DAY), NO_DAY)
        self.last_inv_day = g.max(np.where(eff, inv_day, -1), -1)
        self.first_inv_day_any = g.min(inv_day, NO_DAY)

    def _resent(self, t: pa.Table, set_rank: np.ndarray, inv_code: np.ndarray, n_inv: int, has_ship: np.ndarray,
                ship_code: np.ndarray | None, n_ship: int) -> np.ndarray:
        """Per invoiced row: its 810 set is one the partner rejected (``rejected``) and a later set not rejected
        bills its invoice number, or its line of the same shipment, again."""
        m = t.num_rows
        rejected = self._rejected
        if not m or rejected is None or not rejected.num_rows:
            return np.zeros(m, bool)

        def by_value(col: pa.Array | pa.ChunkedArray) -> pa.Array:  # 000000004 and 4 name one set
            text = pc.cast(col, pa.string())
            trimmed = pc.utf8_ltrim(text, characters="0")
            return pc.if_else(pc.match_substring_regex(text, r"^\d+$"), trimmed, text)

        keys = ("isa13", "gs06", "st02")
        at = lookup([t["partner"], *(by_value(t[c]) for c in keys)],
                    [rejected["partner"], *(by_value(rejected[c]) for c in keys)])
        if at is None:  # a set listed twice
            rejected = rejected.group_by(["partner", *keys], use_threads=False).aggregate([])
            at = lookup([t["partner"], *(by_value(t[c]) for c in keys)],
                        [rejected["partner"], *(by_value(rejected[c]) for c in keys)])
        bad = np.asarray(at) >= 0
        if not bad.any():
            return bad
        later = np.where(bad, -1, set_rank)  # the latest set not rejected, per invoice number and per line shipped
        resent = bad & (set_rank < Groups(inv_code, n_inv).max(later, -1)[inv_code])
        if ship_code is not None:
            last = Groups(ship_code, n_ship).max(np.where(has_ship, later, -1), -1)
            resent |= bad & has_ship & (set_rank < last[ship_code])
        return resent

    # --- the LINE_MATCH table ------------------------------------------------------------------------
    s_value: np.ndarray | None = None  # per line, the value shipped where not s_qty x price (a catch-weight line's)

    def bill(self, amount: np.ndarray, use: np.ndarray) -> None:
        """The invoiced rows ``use`` (a catch-weight line of our 810s: engine.reconcile) are worth ``amount``
        (10^-4 units, per invoiced row: what the 810 billed, the net weight x the price per pound), not their
        cases x that price: the invoiced value, its average price per unit and the duplicates' values."""
        self.inv_row_value = np.where(use, amount, self.inv_row_value)
        self.i_value = self.inv_groups.sum(np.where(~self.inv_dup & ~self.inv_resent, self.inv_row_value, 0))

    def line_table(self, exceptions: np.ndarray) -> pa.Table:
        """LINE_MATCH, with ``exceptions`` (per line, how many). Spends the match: its arrays are let go as
        the columns are built (what the rest of the match holds is freed first, each array once its last
        column is made), so the 200,000-line night never holds the match and its table whole at once (the
        night's peak memory). Make the exceptions and their evidence first; the match is empty afterwards."""
        s, held = self.sides, self.__dict__
        keep = ("line_id", "sku", "ordered_sku", "po_date", "o_currency", "currency", "cancel_s", "cancelled",
                "o_qty", "o_qty_ok", "has_order", "o_price", "o_price_ok", "ack_code", "a_qty", "has_ack",
                "ack_price", "ack_price_ok", "price", "has_price", "o_price6", "ack_price6", "price6",
                "s_qty", "i_qty", "i_value", "promised_day",
                "requested_day", "first_ship_s", "last_ship_s", "first_inv_day", "s_value", "on_memo")
        v = {k: held.get(k, getattr(self, k)) for k in keep}
        held.clear()  # the rest of the match (groups, tolerances, per-row arrays ...) goes now
        pop = v.pop
        columns = {"partner": s.partner, "po_number": s.po_number, "line_number": s.line_number,
                   "line_id": pop("line_id"), "sku": pop("sku"), "ordered_sku": pop("ordered_sku"),
                   "po_date": pop("po_date"), "currency": pc.coalesce(pop("o_currency"), pop("currency"))}
        cancelled = pop("cancelled")
        columns["cancelled_at"] = time_array(pop("cancel_s"), cancelled)
        o_qty, has_order, o_price, o_price_ok = pop("o_qty"), pop("has_order"), pop("o_price"), pop("o_price_ok")
        columns["ordered_quantity"] = decimal_array(o_qty, has_order & pop("o_qty_ok"))
        columns["ordered_price"] = decimal_array(o_price, o_price_ok)
        columns["ack_code"] = pop("ack_code")
        a_qty, has_ack, ack_price, ack_price_ok = pop("a_qty"), pop("has_ack"), pop("ack_price"), pop("ack_price_ok")
        columns["acknowledged_quantity"] = decimal_array(a_qty, has_ack)
        columns["acknowledged_price"] = decimal_array(ack_price, ack_price_ok)
        price = pop("price")
        columns["agreed_price"] = decimal_array(price, pop("has_price"))
        s_qty, i_qty = pop("s_qty"), pop("i_qty")
        columns["shipped_quantity"] = decimal_array(s_qty)
        columns["invoiced_quantity"] = decimal_array(i_qty)
        del i_qty
        del o_price, ack_price, price  # (the values are of the exact prices)
        o_price, ack_price, price = pop("o_price6"), pop("ack_price6"), pop("price6")
        columns["ordered_value"] = decimal_array(np.where(cancelled, 0, multiply(o_qty, o_price, unit=PRICE_UNIT)),
                                                 has_order)
        del o_qty, has_order
        # a cancelled or deleted line is owed nothing, whatever an earlier 855 acknowledged of it
        ack_price = np.where(ack_price_ok, ack_price, o_price)
        del o_price, o_price_ok, ack_price_ok
        columns["acknowledged_value"] = decimal_array(np.where(cancelled, 0, multiply(a_qty, ack_price,
                                                                                      unit=PRICE_UNIT)), has_ack)
        del a_qty, ack_price, cancelled
        s_value = pop("s_value")
        columns["shipped_value"] = decimal_array(multiply(s_qty, price, unit=PRICE_UNIT) if s_value is None
                                                 else s_value)
        del s_qty, price, s_value
        columns["invoiced_value"] = decimal_array(pop("i_value"))
        due = np.where(has_ack, pop("promised_day"), pop("requested_day"))
        del has_ack
        columns["due_date"] = date_array(due, due != NO_DAY)
        del due
        first_ship_s = pop("first_ship_s")
        has_ship = first_ship_s != NO_TIME
        columns["first_shipped_at"] = time_array(first_ship_s, has_ship)
        columns["last_shipped_at"] = time_array(pop("last_ship_s"), has_ship)
        del first_ship_s, has_ship
        first_inv_day = pop("first_inv_day")
        columns["first_invoice_date"] = date_array(first_inv_day, first_inv_day != NO_DAY)
        del first_inv_day
        columns["exceptions"] = pa.array(exceptions, pa.int32())
        on_memo = pop("on_memo")
        columns["billing"] = pa.array(np.where(on_memo, "memo", None), pa.string()) if on_memo.any() \
            else pa.nulls(len(exceptions), pa.string())
        columns["held_shipments"] = pa.nulls(len(exceptions), pa.string())  # engine.reconcile.held_on_lines
        return pa.table(columns).cast(LINE_MATCH)


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


