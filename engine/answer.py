"""Decisions + allocation -> what each line is told (855 ACK parts) and what ops see (status rows).

Pure and columnar: LINE_DECISIONS and ALLOCATION tables in, one LINE_STATUS row per line out (no
Python object per line). Allocation only sees lines of accepted orders that the rules did not
reject, and counts eaches (a line of 2 PK of 6 asks for 12); a line's allocation rows are summed and
told in its PO103 unit: allocated now (IA, or the rule's change code), partly with the whole balance
backordered (BP + IB with the promised date), partly with some of it not placeable (IQ, then IB
and/or IR), only backordered (IB), or not placeable (IR). See ack_parts. LineStatus objects remain
for the few orders answered before (an 860's revision keeps what its untouched lines were told).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.columnar import encode
from engine.decide import ACCEPTED, REJECTED, OrderDecision, line_decisions
from engine.po_ack import PLAIN, AckPart, LineAck, build_855
from rules.business.quantities import as_ordered_lines
from rules.distinct import distinct_rows, per_rows, per_value, truncated
from schemas.inventory import ALLOCATION_INPUT
from schemas.lifecycle import LineRecord, LineState
from schemas.orders import (
    BACKORDER_ALLOWED,
    DELIVER_AFTER,
    LAST_DATE_COLUMNS,
    MONEY,
    NO_BACKORDER,
    PRICE,
    QTY,
    WINDOW_END,
    Transit,
    last_ship_days,
    transit_of,
)
from schemas.reasons_text import join_reasons
from schemas.rule_settings import RuleSettings
from schemas.units import backordered_exactly, rejected_exactly

NO_ALLOCATION_ACTIONS = ("reject_line", "reject_order", "hold_line", "hold_order")
PART = pa.struct([pa.field("status", pa.string()), pa.field("quantity", QTY), pa.field("date", pa.date32())])
# One row per decided line: the ACK parts the 855 sends and what the order's line row keeps.
LINE_STATUS = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("line_number", pa.int32(), nullable=False),
    pa.field("parts", pa.list_(PART)),  # one ACK each (status, ACK02, ACK05 with 068)
    pa.field("ack_quantity", QTY),  # what the CTT adds up (null: the line's PO102)
    pa.field("ack_price", PRICE),  # our price in PO104 when we changed it (IP), to 6 decimals
    pa.field("ordered", QTY),
    pa.field("allocated", pa.int64()),
    pa.field("backordered", pa.int64()),
    pa.field("rejected", pa.int64()),
    pa.field("promised_date", pa.date32()),
    pa.field("warehouses", pa.string()),
    pa.field("reason", pa.string()),
])
_TRUNC = pc.CastOptions(target_type=pa.int64(), allow_decimal_truncate=True)


def first_ship_day(requested: date | None, not_before: date | None, deliver_not_before: date | None,
                   transit_days: Transit | int | None, deliver_on: date | None = None) -> date | None:
    """The first day an order is to ship, as its 855 ACK / DTM 068 (current schedule ship) says (today floors it, at
    the caller): its requested ship date (DTM 010), never before its ship window opens (DTM 037). A PO that asks no
    ship date and gives a delivery window (DTM 064 do not deliver before) ships the window's opening less the days in
    transit to the partner (``transit_days``: its profile's [fulfilment.asn] transit_days), so the goods arrive when
    the dock takes them: shipped the run's day they would come before it and be refused. Without a transit time the
    window dates no ship day (the run's day stays: the earliest we ship, never later than its DTM 063 allows; the
    opening day itself would ship a one-day window late). A PO asking no ship date but a delivery date (``deliver_on``:
    DTM 002, delivery requested) ships that day less the days in transit likewise, never to arrive before its window
    opens (perishables, a dock's appointment: shipped the run's day, flowers asked for a week later arrived a week
    early); without a transit time it dates no ship day either. None when none of them is known."""
    days = [d for d in (requested, not_before) if d is not None]
    arrive = max((d for d in (deliver_not_before, deliver_on) if d is not None), default=None)  # in the window
    transit = transit_of(transit_days)
    if requested is None and arrive is not None and transit is not None:
        days.append(transit.before(arrive))
    return max(days, default=None)


def backorder_day(promised, ship):
    """The day a backordered part is to ship, what its ACK (IB, ACK04 068 Current Schedule Ship, ACK05) says
    and what the line keeps as its promise: the day receipts cover it (the allocation's promise), or the
    order's ship day ``ship`` when later (its requested ship date, DTM 010, today at the earliest: the day its
    shipped and accepted parts carry). Units a receipt brings before the order is to ship wait for the order:
    an IB dated 12-04 beside a BP dated 12-10 told the buyer the backorder ships first, before the day asked.
    No promise stays none; no ship day leaves the promise. Scalars (dates) or aligned date32 columns."""
    if isinstance(promised, (pa.Array, pa.ChunkedArray)):
        later = pc.max_element_wise(promised, ship, skip_nulls=True)
        return pc.if_else(pc.is_null(promised), promised, later)
    if promised is None or ship is None:
        return promised
    return max(promised, ship)


def _key(partner, po) -> pa.ChunkedArray:
    return pc.binary_join_element_wise(partner, po, "|")


def _bools(values) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def allocation_input(decisions: list[OrderDecision], lines: pa.Table, orders: pa.Table,
                     arrival: dict[tuple[str, str], int],
                     only: dict[tuple[str, str], set[int]] | None = None,
                     settings: RuleSettings | None = None, window_end_cancels: Collection[str] = (),
                     transit: Mapping[str, Transit | int | None] | None = None) -> pa.Table:
    """ALLOCATION_INPUT rows for every line that should get stock (quantity after rule changes), in
    decision and line order. ``only``: for orders changed by an 860, the line numbers to (re-)allocate.
    ``settings``: the run's rule settings; a line they acknowledge as ordered (a drop ship's, an SDQ store split:
    rules.business.quantities.as_ordered_lines) gets no case pack, so no policy's case_pack_rounding reserves
    more or less than the 855 acknowledged. ``window_end_cancels``: the partners whose DTM 038 (ship no later) is a
    last date as 001 / 063 are (AllocationPolicy.ship_no_later_is_cancel): their orders' deliver_by takes it too.
    ``transit``: partner -> its days in transit ([fulfilment.asn] transit_days): an order's or line's DTM 063 counts
    as its last ship day (schemas.orders.last_ship_day), the 063 less them."""
    orders, lines = _shipped_by(orders, transit), _shipped_by(lines, transit)
    accepted = [d for d in decisions if d.status == ACCEPTED]
    table = line_decisions(accepted)
    if table.num_rows == 0:
        return ALLOCATION_INPUT.empty_table()
    keep = ~_bools(pc.is_in(table["action"], value_set=pa.array(NO_ALLOCATION_ACTIONS)))
    if only:
        keys = _key(table["partner"], table["po_number"])
        changed = pa.array([f"{p}|{po}" for p, po in only], pa.string())
        allowed = pa.array([f"{p}|{po}|{n}" for (p, po), ns in only.items() for n in ns], pa.string())
        line_keys = pc.binary_join_element_wise(keys, pc.cast(table["line_number"], pa.string()), "|")
        keep &= ~_bools(pc.is_in(keys, value_set=changed)) | _bools(pc.is_in(line_keys, value_set=allowed))
    picked = table.select(["partner", "po_number", "line_number", "quantity", "unit_eaches"]).append_column(
        "_pos", pa.array(np.arange(table.num_rows))).filter(pa.array(keep))
    own = [c for c in LAST_DATE_COLUMNS if c in lines.column_names]  # a line's own cancel / do-not-deliver dates
    # a line's own ship window's end (its PO1 loop's DTM 038): a last date for a partner of ``window_end_cancels``
    own += [WINDOW_END[0]] if window_end_cancels and WINDOW_END[0] in lines.column_names else []
    # a line's own requested ship date (its PO1 loop's DTM 010 or 118): ranks it instead of its order's
    own += ["requested_ship_date"] if "requested_ship_date" in lines.column_names else []
    # a line's own sales requirement (its PO1 loop's CSH01 or IT801): decides its back order instead of its order's
    own += ["sales_requirement"] if "sales_requirement" in lines.column_names else []
    line_cols = lines.select(["partner", "po_number", "line_number", "sku", "case_pack", *own])
    line_cols = line_cols.set_column(2, "line_number", pc.cast(line_cols["line_number"], pa.int32()))
    if settings is not None and lines.num_rows:
        as_ordered = pa.array(as_ordered_lines(lines, orders, settings))
        packs = pc.if_else(as_ordered, pa.scalar(None, line_cols["case_pack"].type), line_cols["case_pack"])
        line_cols = line_cols.set_column(line_cols.schema.get_field_index("case_pack"), "case_pack", packs)
    k = ["partner", "po_number", "line_number"]
    if same_rows([table[c] for c in k], [line_cols[c] for c in k]) and unique_rows(*(table[c] for c in k)):
        # the lines are the decided lines, in their order: each picked row's line row is at its position
        taken = line_cols.select(["sku", "case_pack", *own]).take(picked["_pos"])
        joined = picked
        for c in ("sku", "case_pack", *own):
            joined = joined.append_column(c, taken[c])
    else:
        joined = picked.join(_last(line_cols, k), k, join_type="left outer", use_threads=False).sort_by("_pos")
    joined = joined.filter(pc.fill_null(pc.not_equal(joined["sku"], ""), False))
    # each line's order: its head, key and arrival, found once per order (distinct partner and PO) and
    # spread to its lines
    first, codes = distinct_rows([joined["partner"], joined["po_number"]])
    per_order = joined.select(["partner", "po_number"]).take(pa.array(first)).append_column(
        "_o", pa.array(np.arange(len(first))))
    heads = _with_deliver_by(orders, window_end_cancels)
    order_own = [c for c in LAST_DATE_COLUMNS if c in heads.column_names]
    heads = _last(heads.select(["partner", "po_number", "requested_ship_date", "po_date", "deliver_by",
                                "no_backorder", "window_end", *order_own]).rename_columns(
        ["partner", "po_number", "requested_ship_date", "po_date", "deliver_by", "no_backorder", "window_end",
         *(f"order_{c}" for c in order_own)]), ["partner", "po_number"])
    per_order = per_order.join(heads, ["partner", "po_number"], join_type="left outer", use_threads=False).sort_by("_o")
    order_keys = _key(per_order["partner"], per_order["po_number"])
    known = pa.array([f"{p}|{po}" for p, po in arrival], pa.string())
    arrivals = pc.fill_null(pc.take(pa.array(list(arrival.values()), pa.int64()),
                                    pc.index_in(order_keys, value_set=known)), 0)
    per_line = pa.table({"order_ref": order_keys, "arrival": arrivals, "requested_ship_date":
                         per_order["requested_ship_date"], "po_date": per_order["po_date"],
                         "deliver_by": per_order["deliver_by"],
                         "no_backorder": per_order["no_backorder"], "window_end": per_order["window_end"],
                         **{f"order_{c}": per_order[f"order_{c}"] for c in order_own}}).take(pa.array(codes))
    line_ship = joined["requested_ship_date"] if "requested_ship_date" in own else None
    line_end = joined[WINDOW_END[0]] if WINDOW_END[0] in own else None
    no_backorder = per_line["no_backorder"]
    if "sales_requirement" in own:
        no_backorder = _own_backorder(joined["sales_requirement"], no_backorder)
    own = [c for c in own if c not in ("requested_ship_date", WINDOW_END[0], "sales_requirement")]
    deliver_by = per_line["deliver_by"]
    lines_own = [*(joined[c] for c in own), *([line_end] if line_end is not None else [])]
    if any(pc.any(pc.is_valid(v)).as_py() for v in lines_own):
        # a line's own DTM 001 / 063 (and 038, for a partner whose window's end is a last date: window_end is its
        # order's, null for the others) first, the order's where the line names none: the earliest of the dates
        dates = [pc.coalesce(joined[c], per_line[f"order_{c}"]) if c in order_own else joined[c] for c in own]
        end = per_line["window_end"]
        if line_end is not None:
            theirs = pc.fill_null(pc.is_in(joined["partner"], value_set=pa.array(sorted(window_end_cancels))), False)
            end = pc.if_else(theirs, pc.coalesce(line_end, end), end)
        dates += [per_line[f"order_{c}"] for c in order_own if c not in own] + [end]
        deliver_by = pc.min_element_wise(*dates, skip_nulls=True)
    case_pack = pc.cast(joined["case_pack"], pa.int64())
    case_pack = pc.if_else(pc.fill_null(pc.equal(case_pack, 0), True), pa.scalar(None, pa.int64()), case_pack)
    per_unit = pc.max_element_wise(pc.fill_null(joined["unit_eaches"], 1), 1)  # allocation counts eaches
    quantity = per_rows(_eaches, [joined["quantity"], per_unit])
    return pa.table({
        "partner": joined["partner"], "order_ref": per_line["order_ref"], "po_number": joined["po_number"],
        "line_number": joined["line_number"], "sku": joined["sku"], "quantity": quantity,
        "requested_ship_date": per_line["requested_ship_date"] if line_ship is None else
        pc.coalesce(line_ship, per_line["requested_ship_date"]), "po_date": per_line["po_date"],
        "arrival": per_line["arrival"],
        "case_pack": case_pack, "unit_eaches": per_unit, "deliver_by": deliver_by,
        "no_backorder": no_backorder,
    }).cast(ALLOCATION_INPUT)


def _own_backorder(requirement, order_no_backorder):
    """Per line, whether it takes no back order: its own sales requirement (``requirement``: ORDER_LINES
    sales_requirement, its PO1 loop's CSH01 or IT801) when it speaks of back orders (NO_BACKORDER: none;
    BACKORDER_ALLOWED: one), else its order's (``order_no_backorder``: the heading's CSH01). A line's CSH*N under a
    heading CSH*Y is promised only what is in stock, its rest rejected (IR), as a heading's CSH*N rejects every
    line's; a line's CSH*Y under a heading CSH*N is back ordered."""
    if requirement.null_count == len(requirement):
        return order_no_backorder
    code = pc.utf8_upper(requirement)
    return pc.if_else(pc.fill_null(pc.is_in(code, value_set=pa.array(NO_BACKORDER)), False), True,
                      pc.if_else(pc.fill_null(pc.is_in(code, value_set=pa.array(BACKORDER_ALLOWED)), False), False,
                                 order_no_backorder))


def _shipped_by(table: pa.Table, transit: Mapping[str, Transit | int | None] | None) -> pa.Table:
    """``table`` (ORDERS or ORDER_LINES) with its do_not_deliver_after the last ship day of it (last_ship_days)."""
    if not transit or DELIVER_AFTER not in table.column_names or table.num_rows == 0:
        return table
    return table.set_column(table.schema.get_field_index(DELIVER_AFTER), DELIVER_AFTER,
                            last_ship_days(table[DELIVER_AFTER], table["partner"], transit))


def _with_deliver_by(orders: pa.Table, window_end_cancels: Collection[str] = ()) -> pa.Table:
    """``orders`` with deliver_by: the earlier of its DTM 001 (cancel after) and 063 (do not deliver
    after), and its DTM 038 (ship no later) for a partner of ``window_end_cancels`` (window_end: that date, null for
    the other partners), null when it names none (or the table predates them); and no_backorder: its CSH01 is N or
    SP."""
    dates = [orders[c] for c in LAST_DATE_COLUMNS if c in orders.column_names]
    end = pa.nulls(orders.num_rows, pa.date32())
    if window_end_cancels and "ship_no_later" in orders.column_names:
        theirs = pc.fill_null(pc.is_in(orders["partner"], value_set=pa.array(sorted(window_end_cancels))), False)
        end = pc.if_else(theirs, orders["ship_no_later"], end)
        dates.append(end)
    by = pc.min_element_wise(*dates, skip_nulls=True) if dates else pa.nulls(orders.num_rows, pa.date32())
    orders = orders.append_column("deliver_by", by).append_column("window_end", end)
    # CSH01 N (no back order) or SP (ship partial, balance cancel): the buyer takes no backorder
    if "sales_requirement" in orders.column_names:
        no_backorder = pc.fill_null(pc.is_in(orders["sales_requirement"], value_set=pa.array(NO_BACKORDER)), False)
    else:  # orders stored before the column was read
        no_backorder = pa.array([False] * orders.num_rows, pa.bool_())
    return orders.append_column("no_backorder", no_backorder)


def _eaches(quantity, per_unit):
    """A line's quantity in eaches (checked: a value that does not fit raises), as QTY: the whole eaches that cover it,
    for stock counts whole units. Only a line in a measure of an item counted in one comes in with a fraction of its
    unit (schemas.units.measured: 12.5 LB of almonds sold by the pound reserves 13 LB), every other line being whole
    units at intake (rules.business.quantities)."""
    return pc.ceil(pc.cast(pc.multiply_checked(quantity, pc.cast(per_unit, pa.decimal128(19, 0))), QTY))


def _last(table: pa.Table, keys: list[str]) -> pa.Table:
    """One row per key: the last (a dict built from the rows keeps the last)."""
    if table.num_rows < 2:
        return table
    indexed = table.append_column("_i", pa.array(np.arange(table.num_rows)))
    last = indexed.group_by(keys, use_threads=False).aggregate([("_i", "max")])["_i_max"]
    if len(last) == table.num_rows:
        return table
    return table.take(pc.take(last, pc.sort_indices(last)))  # those rows, in table order


# --- line statuses, columnar ------------------------------------------------------------------------
def status_table(decided: pa.Table, rejected_order: np.ndarray, ship: pa.Array, allocation: pa.Table | None,
                 ship_complete: np.ndarray | None = None) -> pa.Table:
    """LINE_STATUS for ``decided`` (LINE_DECISIONS rows), aligned with it. ``rejected_order``: the
    row's order is rejected; ``ship``: the order's ship date (its DTM 010, or today when that has
    passed). A rejected line is IR; a line with no allocation row is IR (nothing to allocate
    against); otherwise its allocation rows decide its ACK parts. ``ship_complete``: the row's order
    must ship complete (its CSH01 SC); so must an order the allocation held whole for its partner's
    ship_complete policy (a row's reason held_ship_complete): when a line of it waits for a receipt,
    the whole order is promised for the day it can ship complete (see _ship_complete)."""
    n = decided.num_rows
    if n == 0:
        return LINE_STATUS.empty_table()
    sums = _allocation_sums(decided, allocation)
    qty = decided["quantity"]
    ack01 = decided["ack01"]
    ir = rejected_order | _bools(pc.is_in(decided["action"], value_set=pa.array(["reject_line", "reject_order"]))) \
        | _bools(pc.equal(ack01, "IR"))
    no_rows = sums["rows"] == 0
    plain = ~ir & ~no_rows

    # allocation rows count eaches; the 855 speaks in PO103 units
    per_unit = np.maximum(np.asarray(pc.fill_null(decided["unit_eaches"], 1).to_numpy(zero_copy_only=False),
                                     dtype=np.int64), 1) if "unit_eaches" in decided.column_names else 1
    # a line ordered in a fraction of a unit that is a number of the item's measure (1.344 TM, thousand board feet,
    # of lumber sold by the board foot: 1,344 BF, rules.business.quantities) is answered in eaches, each quantity
    # then stated in the line's unit (1344 / 1000 = 1.344 TM), never truncated to whole TM
    qty_int = np.asarray(pc.fill_null(truncated(qty), 0).to_numpy(zero_copy_only=False),
                         dtype=np.int64)
    frac = _bools(pc.fill_null(pc.not_equal(pc.cast(qty, pa.decimal128(38, 4)),
                                            pc.cast(pc.cast(truncated(qty), pa.decimal128(38, 0)),
                                                    pa.decimal128(38, 4))), False))
    unit_of = np.where(frac, 1, per_unit)
    alloc, back, ordered = sums["allocated"] // unit_of, sums["backordered"] // unit_of, sums["ordered"] // unit_of
    rejected_whole = qty_int
    qty_int = np.where(frac, sums["ordered"], qty_int)

    # a line in a measure taken with a fraction of its unit (schemas.units.measured: 12.5 LB of almonds sold by the
    # pound) was allocated the whole eaches that cover it (13): what of the last one it does not want (0.5 LB) comes
    # off the quantity it is answered, and off its last part (rejected, else backordered, else allocated)
    over = _over_by(qty, per_unit, sums["ordered"], frac)

    def _qty(units: np.ndarray, last: np.ndarray | None = None) -> pa.Array:
        return _stated_qty(units, frac, per_unit, None if over is None or last is None else np.where(last, over, 0))

    # the units the partner's case-pack rounding down ([allocation] case_pack_rounding) left out of the line are
    # rejected (IR), as any part of it we do not place: they used to be answered by no ACK (IQ 24 of 30 ordered;
    # a line rounded to nothing ACK IR 0) and counted nowhere in the status
    if sums["reasons"].null_count < n:
        down = plain & _bools(pc.match_substring(sums["reasons"], "+case_pack_down"))
        ordered = np.where(down & (qty_int > ordered), qty_int, ordered)
    rej = ordered - alloc - back
    full = pc.if_else(pc.is_in(ack01, value_set=pa.array(["IA", "IQ", "IP", "DR", "IS"])), ack01, "IA")
    full = pc.if_else(pa.array((ordered != qty_int) & plain), pc.if_else(pc.equal(full, "IA"), "IQ", full), full)
    alone = plain & (alloc != 0) & (back == 0) & (rej == 0)
    nothing = plain & (alloc == 0) & (back == 0) & (rej == 0)
    ordered_dec = _qty(ordered, np.ones(n, dtype=bool))
    # a backorder ships on its receipt's day, the order's ship day when later (never before the order's parts)
    dates = backorder_day(sums["promised"], ship)
    none_date = pa.nulls(n, pa.date32())
    now_date, waited = ship, back
    whole = np.zeros(n, dtype=bool)
    complete = np.zeros(n, dtype=bool) if ship_complete is None else ship_complete.astype(bool)
    if sums["reasons"].null_count < n:  # the partner's ship_complete policy held the order (engine.allocate)
        complete = complete | _bools(pc.match_substring(sums["reasons"], "held_ship_complete"))
    if complete.any():
        whole, complete_on = _ship_complete(decided, complete, plain, alloc, back, ship,
                                            backorder_day(sums["latest"], ship))
        # the order ships complete on one day: what stock covers now is dated that day, and a line
        # partly covered now waits whole (IB: nothing of it ships before the rest of the order)
        now_date = pc.if_else(pa.array(whole), complete_on, ship)
        dates = pc.if_else(pa.array(whole), complete_on, dates)
        waited = np.where(whole & (back != 0), alloc + back, back)
    # up to three ACK parts per line; a slot is (status, quantity, date, present)
    slots = [
        (pc.if_else(pa.array(ir | no_rows), "IR", pc.if_else(pa.array(alone), full,
                                                              pc.if_else(pa.array(nothing), "IR",
                                                                         pc.if_else(pa.array(rej != 0), "IQ",
                                                                                    "BP")))),
         pc.if_else(pa.array(ir | no_rows), qty, pc.if_else(pa.array(nothing), ordered_dec,
                                                           _qty(alloc, (rej == 0) & ((back == 0) | whole)))),
         pc.if_else(pa.array(ir | no_rows | nothing), none_date, now_date),
         ir | no_rows | alone | nothing | (plain & (alloc != 0) & ~(whole & (back != 0)))),
        (pa.repeat(pa.scalar("IB", pa.string()), n), _qty(waited, rej == 0), dates,
         plain & ~alone & (back != 0)),
        (pa.repeat(pa.scalar("IR", pa.string()), n), _qty(rej, rej != 0), none_date,
         plain & ~alone & (rej != 0)),
    ]
    parts = _parts(slots, n)
    rows_reason = sums["reasons"]
    decided_reason = decided["reason"]
    reason = pc.if_else(pa.array(ir), pc.if_else(pc.fill_null(pc.not_equal(decided_reason, ""), False),
                                                decided_reason, "rejected"),
                        pc.if_else(pa.array(no_rows), pc.if_else(pc.fill_null(pc.not_equal(decided_reason, ""),
                                                                                 False), decided_reason,
                                                                   "not allocated"), rows_reason))
    reason = _append_decided_reasons(reason, decided_reason, sums["reason_lists"], plain)
    reason = pc.if_else(pa.array(nothing), pc.if_else(pc.fill_null(pc.not_equal(reason, ""), False), reason,
                                                      "nothing to allocate"), reason)
    if frac.any():  # a line in a fraction of its unit keeps the whole units of its stated parts
        allocated = np.where(frac, _whole(_qty(alloc, (rej == 0) & (back == 0))), alloc)
        backordered = np.where(frac, _backordered(_qty(back, rej == 0), back, per_unit), back)
        rejected = np.where(frac, _whole(_qty(rej, rej != 0)), rej)
    else:  # none (the usual night): the parts' decimals, floored for no row, not made (~35 ms a 200,000-line decide)
        allocated, backordered, rejected = alloc, back, rej
    return pa.table({
        "partner": decided["partner"], "po_number": decided["po_number"], "line_number": decided["line_number"],
        "parts": parts,
        "ack_quantity": pc.if_else(pa.array(plain), ordered_dec, qty),
        "ack_price": pc.if_else(pa.array(plain), decided["unit_price"], pa.scalar(None, PRICE)),
        "ordered": pc.if_else(pa.array(plain), ordered_dec, qty),
        "allocated": pa.array(np.where(plain, allocated, 0)),
        "backordered": pa.array(np.where(plain, backordered, 0)),
        "rejected": pa.array(np.where(plain, rejected, rejected_whole)),
        "promised_date": pc.if_else(pa.array(plain), dates, none_date),
        "warehouses": pc.if_else(pa.array(plain), sums["warehouses"], ""),
        "reason": pc.fill_null(reason, ""),
    }, schema=LINE_STATUS)


def _ship_complete(decided: pa.Table, complete: np.ndarray, plain: np.ndarray, alloc: np.ndarray, back: np.ndarray,
                   ship, latest) -> tuple[np.ndarray, pa.Array]:
    """For the ``plain`` (placed) lines of the orders with a line ``complete`` (its CSH01 is SC, "Ship
    Complete", or its partner's policy held it to ship complete): which of them are promised for their
    order's complete day, and that day. An order none of whose lines
    waits for a receipt ships as usual (nothing changes); otherwise every line of it with units to
    ship is promised the latest day any of them can ship: a line covered now its ship day (DTM 010 or
    today), a backordered one its receipt's latest promise. Units no receipt covers were rejected
    (IR): they are out of the order, which ships complete without them."""
    codes, k = encode(decided["partner"], decided["po_number"])
    whole_order = np.zeros(k, dtype=bool)
    whole_order[codes[complete]] = True
    must = whole_order[codes] & plain
    waits = np.zeros(k, dtype=bool)
    waits[codes[must & (back != 0)]] = True
    whole = must & waits[codes] & ((alloc != 0) | (back != 0))
    low = np.iinfo(np.int64).min
    ship_days = np.asarray(pc.cast(ship, pa.int32()).to_numpy(zero_copy_only=False), dtype=np.int64)
    late_col = pc.cast(latest, pa.int32())
    late_days = np.asarray(pc.fill_null(late_col, -2**31).to_numpy(zero_copy_only=False), dtype=np.int64)
    line_day = np.maximum(np.where(alloc != 0, ship_days, low), np.where(back != 0, late_days, low))
    day = np.full(k, low, dtype=np.int64)
    np.maximum.at(day, codes[whole], line_day[whole])
    per_line = day[codes]
    whole &= per_line != low
    return whole, pc.cast(pa.array(np.where(whole, per_line, 0).astype(np.int32), pa.int32(), mask=~whole),
                          pa.date32())


def _units_qty(units: np.ndarray) -> pa.Array:
    """Whole units as QTY decimals (checked: a value that does not fit raises)."""
    return per_value(lambda v: pc.cast(pc.cast(v, pa.decimal128(38, 4)), QTY), pa.array(units, pa.int64()))


def _whole(quantity: pa.Array) -> np.ndarray:
    """Whole units of each of a line's stated parts (``quantity``, in its unit: 1.344 TM is 1, 12.5 LB is 12), as
    LINE_STATUS counts them: a line is shipped once what shipped reaches them (engine.lifecycle.shipping)."""
    return np.asarray(pc.fill_null(pc.cast(pc.floor(quantity), pa.int64()), 0).to_numpy(zero_copy_only=False),
                      dtype=np.int64)


def _backordered(quantity: pa.Array, back: np.ndarray, per_unit) -> np.ndarray:
    """What the store keeps of each line's backordered part (``quantity``, stated in its unit; ``back``, its eaches
    allocated as backordered): nothing when none; for a measure counted in its own unit (``per_unit`` 1: 12.5 LB of
    an item sold by the pound) the whole units covering it (2.5 LB backordered: 3, what a receipt must bring; the
    decide stage keeps the 0.5 of the last it does not want, the line's backordered_over); else its whole units
    (1.344 TM backordered of lumber counted in board feet: 1, the 0.344 held by none, unheld_fraction). It used to be
    the whole units under it on every line, so 2.5 LB was 2 (the next night's allocation reserved 12 LB of a 12.5 LB
    line: the DC shipping 12.5 was held) and a line all placed, its half pound off the backorder, was -1."""
    own = np.broadcast_to(np.asarray(per_unit, dtype=np.int64), (len(back),)) == 1
    ceiling = np.asarray(pc.fill_null(pc.cast(pc.ceil(quantity), pa.int64()), 0).to_numpy(zero_copy_only=False),
                         dtype=np.int64)
    return np.where(back > 0, np.where(own, ceiling, _whole(quantity)), 0)


def _over_by(qty: pa.Array, per_unit, ordered: np.ndarray, frac: np.ndarray) -> np.ndarray | None:
    """Per line, in eaches, what the whole eaches allocated for it (``ordered``, engine.answer._eaches: 13 LB; 152 FT
    for 50.5 YD of an item counted in feet) exceed its quantity by (``qty``: 12.5 LB, 0.5; 151.5 FT, 0.5) on the
    ``frac`` rows whose quantity is no whole number of eaches (a measure taken as sent, schemas.units.measured), 0
    elsewhere (Decimals); None when no line has any."""
    rows = np.flatnonzero(frac)
    if not len(rows):
        return None
    divisor = np.broadcast_to(np.asarray(per_unit, dtype=np.int64), (len(frac),))
    over = np.zeros(len(frac), dtype=object)
    for i in rows:
        q = qty[int(i)].as_py()
        left = Decimal(0) if q is None else Decimal(int(ordered[i])) - q * int(divisor[i])
        over[i] = left if 0 < left < 1 else Decimal(0)
    return over if any(over) else None


def _stated_qty(units: np.ndarray, frac: np.ndarray, per_unit, less: np.ndarray | None = None) -> pa.Array:
    """``units`` as QTY decimals: whole units, except on the ``frac`` rows (lines in a fraction of their unit),
    whose ``units`` are eaches, stated in the line's unit: divided by its eaches per unit (``per_unit``, a number or
    one per row), exactly (1344 BF of a line in TM is 1.344), less the eaches of ``less`` (the part of a covering
    each a measure's line does not want: 152 FT less 0.5 for 50.5 YD), to 4 places."""
    whole = _units_qty(units)
    rows = np.flatnonzero(frac)
    if not len(rows):
        return whole
    divisor = np.broadcast_to(np.asarray(per_unit, dtype=np.int64), (len(frac),))
    off = np.zeros(len(frac), dtype=object) if less is None else less
    stated = pa.array([((Decimal(int(units[i])) - (off[i] or 0)) / Decimal(int(divisor[i]))).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_EVEN) for i in rows], pa.decimal128(38, 4))
    mask = np.zeros(len(frac), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(whole, pa.array(mask), pc.cast(stated, whole.type))


def _parts(slots: list, n: int) -> pa.ListArray:
    present = np.stack([s[3] for s in slots], axis=1)  # n x 3
    counts = present.sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    row, slot = np.nonzero(present)  # row-major: each line's parts in slot order
    take = pa.array(slot * n + row)
    values = pa.StructArray.from_arrays(
        [pa.concat_arrays([_chunk(s[k], t) for s in slots]).take(take)
         for k, t in ((0, pa.string()), (1, QTY), (2, pa.date32()))],
        fields=list(PART))
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def same_rows(left: Sequence, right: Sequence) -> bool:
    """Row i of the ``left`` key columns equals row i of the ``right`` ones, for every row, with no
    null (a join on them would pair each row with its own position, given unique keys)."""
    if len(left[0]) != len(right[0]):
        return False
    return all(pc.all(pc.fill_null(pc.equal(a, b), False)).as_py() for a, b in zip(left, right, strict=True))


def unique_rows(*columns) -> bool:
    """No two rows of the key ``columns`` are equal."""
    return encode(*columns)[1] == len(columns[0])


def _chunk(values, type_) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values.cast(type_)


def _allocation_sums(decided: pa.Table, allocation: pa.Table | None) -> dict:
    """Per decided line (aligned with ``decided``), from its allocation rows: unit sums (each row
    truncated to whole units, as before), the row count, the earliest promise, the warehouses that
    allocated (sorted, distinct, comma-joined) and the rows' reasons (distinct, first seen first,
    "; "-joined; null when none). Rows are matched to lines once; the rest is integer arithmetic."""
    n = decided.num_rows
    zeros = np.zeros(n, dtype=np.int64)
    out = {"allocated": zeros, "backordered": zeros, "rejected": zeros, "ordered": zeros, "rows": zeros,
           "promised": pa.nulls(n, pa.date32()), "latest": pa.nulls(n, pa.date32()),
           "warehouses": pa.array([""] * n, pa.string()),
           "reasons": pa.nulls(n, pa.string()), "reason_lists": {}}
    if allocation is None or allocation.num_rows == 0 or n == 0:
        return out
    a = allocation
    refs, numbers = _key(decided["partner"], decided["po_number"]), pc.cast(decided["line_number"], pa.int32())
    row_numbers = pc.cast(a["line_number"], pa.int32())
    if same_rows((a["order_ref"], row_numbers), (refs, numbers)) and unique_rows(refs, numbers):
        pos = np.arange(n, dtype=np.int64)  # row i is line i's (the allocation kept the lines' order): no join
    else:
        lines = pa.table({"order_ref": refs, "line_number": numbers, "_pos": pa.array(np.arange(n), pa.int64())})
        rows = pa.table({"order_ref": a["order_ref"], "line_number": row_numbers,
                         "_a": pa.array(np.arange(a.num_rows), pa.int64())})
        matched = rows.join(lines, ["order_ref", "line_number"], join_type="inner", use_threads=False).sort_by("_a")
        pos = np.asarray(matched["_pos"].to_numpy(), dtype=np.int64)
        a = a.take(matched["_a"])

    def units(column: str) -> np.ndarray:
        values = np.asarray(truncated(a[column]).to_numpy(zero_copy_only=False), dtype=np.int64)
        total = np.zeros(n, dtype=np.int64)
        np.add.at(total, pos, values)
        return total

    out.update({c: units(c) for c in ("allocated", "backordered", "rejected", "ordered")})
    out["rows"] = np.bincount(pos, minlength=n).astype(np.int64)
    days = pc.cast(a["promised_date"], pa.int32())
    dated = _bools(pc.is_valid(days))
    if dated.any():
        earliest = np.full(n, np.iinfo(np.int32).max, dtype=np.int64)
        np.minimum.at(earliest, pos[dated], np.asarray(days.to_numpy(zero_copy_only=False), dtype=np.float64)
                      [dated].astype(np.int64))
        has = earliest != np.iinfo(np.int32).max
        out["promised"] = pc.cast(pa.array(np.where(has, earliest, 0), pa.int32(), mask=~has), pa.date32())
        last = np.full(n, np.iinfo(np.int32).min, dtype=np.int64)
        np.maximum.at(last, pos[dated], np.asarray(days.to_numpy(zero_copy_only=False), dtype=np.float64)
                      [dated].astype(np.int64))
        out["latest"] = pc.cast(pa.array(np.where(has, last, 0), pa.int32(), mask=~has), pa.date32())
    took = _bools(pc.and_(pc.fill_null(pc.not_equal(a["warehouse"], ""), False),
                          pc.not_equal(a["allocated"], pa.scalar(Decimal(0), a.schema.field("allocated").type))))
    out["warehouses"] = _joined_per_line(pos[took], pc.filter(a["warehouse"], pa.array(took)), n, ",", sort=True)
    said = _bools(pc.fill_null(pc.not_equal(a["reason"], ""), False))
    reasons = pc.filter(a["reason"], pa.array(said))
    joined = _joined_per_line(pos[said], reasons, n, "; ", sort=False)
    out["reasons"] = pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), joined)
    out["reason_lists"] = (pos[said], reasons)
    return out


def _joined_per_line(pos: np.ndarray, values, n: int, sep: str, *, sort: bool) -> pa.Array:
    """Per line 0..n-1: its ``values`` (rows ``pos``), distinct, in row order or sorted, joined by ``sep``
    ("" for none)."""
    if len(pos) == 0:
        return pa.array([""] * n, pa.string())
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if len(pos) == 1 or bool((pos[1:] > pos[:-1]).all()):  # a value at most per line (one allocation row each):
        if len(pos) == n:  # its own list joined; every line's (200,000 lines: 0.05 -> 0.003 s CPU for both calls)
            return values
        at = np.full(n, -1, dtype=np.int64)
        at[pos] = np.arange(len(pos), dtype=np.int64)
        return pc.fill_null(pc.take(values, pa.array(at, mask=at < 0)), "")
    codes = pc.dictionary_encode(values)
    idx = np.asarray(codes.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    _, first = np.unique(pos * len(codes.dictionary) + idx, return_index=True)  # each value once per line
    if sort:  # by value: rank the dictionary's values
        rank = np.asarray(pc.rank(codes.dictionary, sort_keys="ascending", tiebreaker="first").to_numpy(),
                          dtype=np.int64)
        chosen = first[np.lexsort((rank[idx[first]], pos[first]))]
    else:  # first seen first
        chosen = first[np.lexsort((first, pos[first]))]
    p, c = pos[chosen], idx[chosen]
    counts = np.bincount(p, minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    flat = pc.take(codes.dictionary, pa.array(c))
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), flat), sep)


def _append_decided_reasons(reason, decided_reason, reason_lists, plain: np.ndarray):
    """On an allocated line, the decision's own reason follows the allocation's (once)."""
    has_own = plain & _bools(pc.not_equal(decided_reason, ""))
    if not has_own.any():
        return reason
    rows = np.flatnonzero(has_own)
    pos, reasons = reason_lists if reason_lists else (np.zeros(0, dtype=np.int64), pa.array([], pa.string()))
    texts = reasons.to_pylist() if len(pos) else []
    listed: dict[int, list[str]] = {}
    for k in np.flatnonzero(np.isin(pos, rows)).tolist():
        listed.setdefault(int(pos[k]), []).append(texts[k])
    own = pc.take(decided_reason, pa.array(rows)).to_pylist()
    fixed = [join_reasons([*listed.get(int(r), []), mine]) for r, mine in zip(rows, own, strict=True)]
    patch = np.full(len(reason), None, dtype=object)
    patch[rows] = fixed
    return pc.if_else(pa.array(has_own), pa.array(patch, pa.string()), reason)


# --- per line, for orders answered before ----------------------------------------------------------
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


_ROWS = pa.schema([("order_ref", pa.string()), ("line_number", pa.int32()), ("warehouse", pa.string()),
                   ("ordered", QTY), ("allocated", QTY), ("backordered", QTY), ("rejected", QTY),
                   ("promised_date", pa.date32()), ("reason", pa.string())])


def line_statuses(d: OrderDecision, allocation_rows: Sequence[dict], *, requested_ship: date | None,
                  today: date) -> list[LineStatus]:
    """The ACK parts and status row of every line of one decided order, its ALLOCATION rows given
    (as dicts, e.g. allocate()'s rows for this order): status_table for one order."""
    ship = requested_ship if requested_ship and requested_ship >= today else today
    decided = line_decisions([d])
    key = f"{d.partner}|{d.po_number}"
    rows = [{**{c: r.get(c) for c in _ROWS.names}, "order_ref": key} for r in allocation_rows]
    table = status_table(decided, np.full(decided.num_rows, d.status == REJECTED),
                         pa.array([ship] * decided.num_rows, pa.date32()),
                         pa.Table.from_pylist(rows, schema=_ROWS) if rows else None)
    return statuses_of(table)


def statuses_of(table: pa.Table) -> list[LineStatus]:
    """LINE_STATUS rows as LineStatus objects (for the few orders an 860 revised)."""
    out = []
    for r in table.to_pylist():
        parts = tuple(AckPart(p["status"], p["quantity"], p["date"]) for p in r["parts"] or ())
        first = parts[0] if parts else AckPart("IR", r["ack_quantity"])
        ack = LineAck(first.status, r["ack_quantity"], r["ack_price"], first.ship_date if len(parts) == 1 else None,
                      parts=parts)
        out.append(LineStatus(r["line_number"], ack, r["ordered"], r["allocated"], r["backordered"], r["rejected"],
                              r["promised_date"], r["warehouses"], r["reason"]))
    return out


def status_rows(partner: str, po_number: str, statuses: Sequence[LineStatus]) -> list[dict]:
    """LineStatus objects back as LINE_STATUS rows (parts made explicit as the 855 renders them)."""
    rows = []
    for s in statuses:
        a = s.ack
        parts = a.parts or (AckPart(a.status, a.quantity, a.ship_date),)
        rows.append({"partner": partner, "po_number": po_number, "line_number": s.line_number,
                     "parts": [{"status": p.status, "quantity": p.quantity, "date": p.ship_date} for p in parts],
                     "ack_quantity": a.quantity, "ack_price": a.unit_price, "ordered": s.ordered,
                     "allocated": s.allocated, "backordered": s.backordered, "rejected": s.rejected,
                     "promised_date": s.promised_date, "warehouses": s.warehouses, "reason": s.reason})
    return rows


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
    """A stored line (state store) back as a LineStatus, for lines a change left alone: its ACK parts, and our price
    where we changed it (its stored ack_price: the IP the first answer stated, restated, not the PO's PO104)."""
    statuses = line.ack.split("+") if line.ack else ["IA"]
    if line.backordered == 0 and len(statuses) > 1 and "IB" in statuses:  # a backorder allocated since
        statuses = [st for st in statuses if st != "IB"]
    # each part exactly, in the line's unit: a measure's 10 LB placed and 2.5 backordered (stored 10 and the 3
    # covering it, backordered_over 0.5), 12.5 placed (stored 12), a fraction rejected (its rejected_fraction)
    back = backordered_exactly(line.backordered, line.backordered_over)
    placed = line.promised_exact - back
    amounts = {"BP": placed, "IQ": placed, "IB": back, "IR": rejected_exactly(line.rejected, line.rejected_fraction)}
    promised = backorder_day(line.promised_date, ship)  # as status_table dates it (a promise stored earlier)
    dates = {"IB": promised, "IR": None}
    parts = tuple(AckPart(st, Decimal(amounts.get(st, placed) or 0), dates.get(st, ship))
                  for st in statuses)
    ack = LineAck(statuses[0], ordered, line.ack_price, parts=parts)
    return LineStatus(line.line_number, ack, ordered, line.allocated, line.backordered, line.rejected,
                      promised, line.warehouses, line.reason)


def restated_line(line: LineRecord, asked: Decimal | None, ship: date | None = None) -> LineStatus:
    """A stored line of an order that shipped, as a change after shipment left it, for the revised 855 that answers
    the change (engine.lifecycle.changes): status_from_line over the parts its units make now (its stored ack is
    the first answer's; a change after shipment moves its units, not its ack): the units shipped or to ship from
    stock accepted (IA; IQ when they are not the buyer's quantity ``asked``, a case pack rounded; IP at our price,
    which the PO1 states; IS a substitute; BP when a balance waits; DR when the first answer rescheduled the whole
    line, DATE_IN_PAST, and it still is whole with units to ship: the status it has, dated as restated; once every
    unit left there is no date to reschedule, IA), the backordered ones IB
    (dated by their promise), the refused ones IR. Units the change cancelled are no longer on the line: its
    quantity is what shipped and is still to ship, as a line a change cut before shipment is answered. ``ship``:
    the order's ship day, for units reserved and not shipped (a backorder waits for it, engine.answer.backorder_day,
    as the 865 after shipment dates it); a line with none carries no date on what shipped, its backorder its
    promise."""
    statuses, promised = [], line.allocated + line.backordered
    if line.allocated > 0:
        statuses.append("BP" if line.backordered > 0 else "IP" if line.ack_price is not None else
                        "IS" if line.ack.startswith("IS") else
                        "IQ" if asked is not None and asked != promised + line.rejected else
                        "DR" if line.ack.split("+")[0] == "DR" and line.rejected == 0
                        and line.shipped < line.allocated else "IA")
    statuses += ["IB"] * (line.backordered > 0) + ["IR"] * (line.rejected > 0)
    s = status_from_line(replace(line, ack="+".join(statuses) or "IR"), Decimal(promised + line.rejected),
                         ship if line.shipped < line.allocated else None)
    return replace(s, ack=replace(s.ack, unit_price=line.ack_price))


def refused_line(line: LineRecord, asked: Decimal | None) -> LineStatus:
    """A stored line of an order the buyer cancelled whole, for the revised 855 answering the cancel
    (engine.lifecycle.changes): every unit it asked refused, ACK IR of ``asked`` (its PO102) as the buyer sent it,
    which build_855 writes as every 855 writes a quantity (12.5 LB stays 12.5; the line's units, integers, only
    when the PO102 is missing). Our price (IP) stays on the PO1, as restated_line keeps it."""
    units = line.allocated + line.backordered + line.rejected
    qty = asked if asked is not None else Decimal(units)
    ack = LineAck("IR", qty, line.ack_price, parts=(AckPart("IR", qty),))
    return LineStatus(line.line_number, ack, qty, 0, 0, units, None, line.warehouses, line.reason)


def statuses_855(head: dict, rows: Sequence[dict], statuses: Sequence[LineStatus], *, today: date,
                 settings=PLAIN) -> list:
    """One 855 as segments (engine.po_ack.build_855; BAK01 ``head["purpose"]``) of ``rows`` (canonical line rows)
    and their ``statuses``, aligned: a run's 855 no delimiter set fits (engine.lifecycle.decisions), and the
    revised 855 answering a change after shipment for a partner answered by 855s (engine.lifecycle.changes)."""
    acks = [LineAck(s.ack.status, s.ack.quantity, s.ack.unit_price, s.ack.ship_date, s.ack.parts) for s in statuses]
    return build_855(head, list(rows), acks, today=today, purpose=head["purpose"], settings=settings)


def one_day(statuses: Sequence[LineStatus], ship: date) -> list[LineStatus]:
    """The statuses of an order that ships complete, some of them fresh (an 860 re-decided them) and some
    kept (status_from_line), made one answer as status_table gives it: when a line of the order waits for a
    receipt, every line with units to ship is promised the order's day, the latest of its lines' days (the
    ship day ``ship`` for what stock covers, a backorder's promise); a line partly covered waits whole (one
    IB for its units); IR parts stay as they are. When no line waits, the order ships as usual: what stock
    covers is dated ``ship`` and carries no promise."""
    statuses = [s if s.ack.parts else replace(s, ack=replace(s.ack, parts=(
        AckPart(s.ack.status, s.ack.quantity, s.ack.ship_date),))) for s in statuses]
    waits = [s for s in statuses if s.backordered > 0]
    if not waits:
        return [replace(s, promised_date=None, ack=replace(s.ack, parts=tuple(
            replace(p, ship_date=ship) if p.status != "IR" and p.ship_date is not None else p for p in s.ack.parts)))
            if s.allocated > 0 and s.promised_date is not None else s for s in statuses]
    days = [s.promised_date for s in waits if s.promised_date is not None]
    if any(s.allocated > 0 for s in statuses):
        days.append(ship)
    if not days:
        return statuses
    day = max(days)
    out = []
    for s in statuses:
        if s.allocated <= 0 and s.backordered <= 0:
            out.append(s)
            continue
        rejected = tuple(p for p in s.ack.parts if p.status == "IR")
        if s.backordered > 0:
            kept = (AckPart("IB", Decimal(s.allocated + s.backordered), day),)
        else:
            kept = tuple(replace(p, ship_date=day) for p in s.ack.parts if p.status != "IR")
        parts = kept + rejected
        out.append(replace(s, promised_date=day, ack=replace(s.ack, status=parts[0].status, parts=parts)))
    return out


def tells_something_new(status: LineStatus, before: LineRecord | None, asked: Decimal | None = None) -> bool:
    """Would the partner learn something new about this changed line (beyond 'accepted as asked')?
    ``before`` is the line as stored before the change, None for a line the change added; ``asked`` its
    price as the partner states it now (PO104 after the change). A line we answer at our own price (IP)
    is news when that price moved, or when the partner asked a new price: 39.50 PE asked on a case line we
    answer at our 470.40 per case as before (ACK IP again) was 'accepted as asked' by the 865 alone, and
    billed at 470.40 where the buyer expected 474."""
    statuses = status.ack.statuses()
    if before is None:
        return any(st != "IA" for st in statuses)
    same = ("+".join(statuses), status.allocated, status.backordered) == \
        (before.ack, before.allocated, before.backordered)
    ours = status.ack.unit_price
    repriced = ours is not None and (ours != before.ack_price or (asked is not None and asked != before.unit_price))
    return (not same and any(st != "IA" for st in statuses)) or repriced


# --- what the order keeps --------------------------------------------------------------------------
def _statuses_lists(statuses: pa.Table) -> pa.ChunkedArray:
    chunks = [pa.ListArray.from_arrays(c.offsets, c.values.field("status")) for c in statuses["parts"].chunks]
    return pa.chunked_array(chunks, pa.list_(pa.string()))


def part_statuses(statuses: pa.Table) -> pa.ChunkedArray:
    """Each line's ACK01s, "+"-joined (BP+IB)."""
    return pc.binary_join(_statuses_lists(statuses), "+")


def line_states(statuses: pa.Table) -> pa.ChunkedArray:
    """The line's lifecycle state once decided: backordered (some units wait for a receipt),
    allocated (every unit placed now), rejected (every ACK is IR), or accepted."""
    lists = _statuses_lists(statuses)
    n = statuses.num_rows
    flat = pc.list_flatten(lists)
    parents = np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False), dtype=np.int64)
    irs = np.bincount(parents, weights=_bools(pc.equal(flat, "IR")), minlength=n)
    sizes = np.bincount(parents, minlength=n)
    all_ir = pa.array((sizes > 0) & (irs == sizes))
    return pc.if_else(pc.greater(statuses["backordered"], 0), LineState.BACKORDERED.value,
                      pc.if_else(pc.greater(statuses["allocated"], 0), LineState.ALLOCATED.value,
                                 pc.if_else(all_ir, LineState.REJECTED.value, LineState.ACCEPTED.value)))


def line_state(status: LineStatus) -> LineState:
    """One LineStatus's lifecycle state (as line_states)."""
    if status.backordered:
        return LineState.BACKORDERED
    if status.allocated:
        return LineState.ALLOCATED
    if status.ack.statuses() and all(st == "IR" for st in status.ack.statuses()):
        return LineState.REJECTED
    return LineState.ACCEPTED


def order_values(statuses: pa.Table, their_prices, our_prices, spans: Sequence[tuple[int, int]],
                 lines: pa.Table | None = None) -> list[Decimal]:
    """What each order (rows ``spans`` of ``statuses``) is worth as acknowledged: (allocated +
    backordered) units at our price where we changed it, else theirs (a zero or missing price adds 0); a price
    per so many units kept as sent (``lines``' unit and price_basis: 287.45 TF on a line in FT) per unit."""
    n = statuses.num_rows
    if n == 0:
        return [Decimal(0)] * len(spans)
    # MONEY, or PRICE where a line's price was sent past 4 decimals (schemas.orders.exact_prices: 0.00418)
    kind = PRICE if PRICE in (getattr(their_prices, "type", None), getattr(our_prices, "type", None)) else MONEY
    ours = pc.cast(our_prices, kind)
    theirs = pc.cast(their_prices, kind)
    zero = pa.scalar(Decimal(0), kind)
    price = pc.if_else(pc.fill_null(pc.not_equal(ours, zero), False), ours,
                       pc.if_else(pc.fill_null(pc.not_equal(theirs, zero), False), theirs, zero))
    units = pc.cast(pc.add(statuses["allocated"], statuses["backordered"]), pa.decimal128(19, 0))
    order = np.full(n, -1, dtype=np.int64)
    for i, (start, stop) in enumerate(spans):
        order[start:stop] = i
    amount = pc.multiply(units, price)
    if lines is not None and "price_basis" in lines.column_names and "unit" in lines.column_names:
        amount = _per_unit_amounts(amount, lines["unit"], lines["price_basis"])
    amounts = pa.table({"o": pa.array(order), "amount": amount})
    sums = amounts.filter(pc.greater_equal(amounts["o"], 0)).group_by("o", use_threads=False).aggregate(
        [("amount", "sum")])
    totals = dict(zip(sums["o"].to_pylist(), sums["amount_sum"].to_pylist(), strict=True))
    return [totals[i] if stop > start else Decimal(0) for i, (start, stop) in enumerate(spans)]


def _per_unit_amounts(amount: pa.Array, unit, basis) -> pa.Array:
    """``amount`` (units x price per line) with each line priced per so many units kept as sent (287.45 per thousand
    feet, TF, on a line in feet: schemas.units.priced_per) divided by that many, to the amount's own places."""
    from schemas.units import KEPT_PER_MANY_BASES, priced_per

    of = pc.fill_null(pc.is_in(basis, value_set=pa.array(list(KEPT_PER_MANY_BASES), pa.string())), False)
    if not pc.any(of).as_py():
        return amount
    values, units, bases = amount.to_pylist(), unit.to_pylist(), basis.to_pylist()
    places = Decimal(1).scaleb(-amount.type.scale)
    for i in np.flatnonzero(_bools(of)).tolist():
        many = priced_per(units[i], bases[i])
        if many != 1 and values[i] is not None:
            values[i] = (values[i] / many).quantize(places)
    return pa.array(values, amount.type)
