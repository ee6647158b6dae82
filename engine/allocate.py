"""Allocation: rank order lines, fill them from warehouse stock, share short SKUs, promise the rest.

Pure and columnar: Arrow tables in, Arrow tables out; no I/O, no clock (`today` is an argument), the
snapshot is passed in (never "the latest"), inputs are never mutated, and every ordering has an
explicit total sort key, so the same inputs always give identical tables.

Input `lines` (schemas.inventory.ALLOCATION_INPUT; extra columns are ignored):
    partner, order_ref, po_number (string, non-null), line_number (int, non-null), sku (string,
    non-null: the resolved item id), quantity (decimal, scale <= 4; null, <= 0 or fractional lines are
    rejected as `invalid_quantity`), po_date (date32), arrival (int64, non-null, lower = earlier),
    optional requested_ship_date (date32), case_pack (int64; null or <= 0 = no case pack) and
    unit_eaches (int64; eaches per ordered unit: the line is served in multiples of it) and ship_from
    (string: the snapshot warehouse its order is routed to ship from, tried first; null or unknown: none).
    (partner, order_ref, line_number) should be unique; duplicates keep their input order.

How a run goes:
  1. Quantities become int64 units (`_units`); case-pack rounding (policy up/down) changes the line
     quantity to whole cases and every allocation of that line is then in whole cases.
  2. Lines are ranked by SKU, then the policies' shared priority_order (null dates last), then arrival,
     partner, order_ref, line_number.
  3. Fill: per SKU, lines are served in rank order; vectorised by "rounds": round r serves the r-th
     line of every SKU at once, so the Python loop runs max(lines per SKU) times, not once per line.
     Before the rounds (outside fair-share quotas), a SKU each of whose lines finds its whole need in
     its first-choice warehouse at its turn (the cumulative need before it there counted) is filled at
     once, as the rounds would fill it; only the other SKUs go round by round.
     A line tries its warehouses in its policy's preference order (a line whose optional ``ship_from`` names
     one of the snapshot's warehouses, the one its PO's N1*SF routes it to, tries that one first, then the
     others in its policy's order); with single_warehouse_first it
     takes the first warehouse that can cover it whole, else it splits across warehouses in that order.
     partial_allowed=False lines take all or nothing.
  4. Fair share (when the policies ask for it): for a SKU whose demand exceeds supply each partner's
     quota is floor(supply * partner_demand / demand); the few units left over go one each to the
     partners in rank order of their best line. Lines fill within their partner's quota; whatever
     quotas leave unused (all-or-nothing lines, case packs) is then filled in plain rank order.
  5. ship_complete: an order of such a partner with a short line is held: its lines take nothing and
     the SKUs they touch are re-filled without them (at most _SHIP_COMPLETE_PASSES times; orders still
     short after that release their stock without a re-fill, so stock is never over-promised). Only a
     shortfall a receipt may bring holds the order (a line whose SKU has a receipt; not a no_backorder
     order's); a held line whose SKU has no receipt keeps its place in the re-fill (waiting brings
     nothing), and what no receipt covers of a held line is then served from the stock left, in rank
     order. Units neither stock nor a receipt covers are rejected (no_receipt): they are out of the
     order, which ships complete without them.
  6. The unfilled rest is rejected (backorder="reject") or promised from expected receipts pooled per
     SKU: backorders in rank order consume receipts in ETA order; promised_date is the ETA at which
     cumulative receipts cover the backorder (never before `today`). What no receipt covers is
     rejected (a partial_allowed=False line is then rejected whole). The receipts passed in are what
     is left to promise: the caller takes off the units earlier runs' open backorders were promised
     (`receipts_left`), so two runs never promise the same receipt's units.
  7. A line whose order must arrive by a date (optional `deliver_by`: the PO's DTM 001 cancel-after or
     063 do-not-deliver-after, the earlier) is not promised a date after it: the buyer would refuse what
     comes later. With the policy's late_backorder="reject" (the default) its backorder is rejected
     (`past_cancel_date`) and the receipts it would have taken go to the lines ranked after it (per SKU,
     the first such line in rank order is taken out, then the promises are made again, at most
     _LATE_PASSES times; then every line still late is taken out at once); "promise" keeps the promise.
     Allocation.late names every such line with the date it could have had (rejected or not).
  8. Allocation.refused names every other line stock refused units of (a valid quantity's rejected rows, and a
     case-pack rounding down that left units out: engine.answer rejects them, IR): what it wanted, its SKU's
     free stock before the run's lines and what of it no line took, the receipts left to promise, the reason,
     and whether its order was rejected whole (ship_complete with backorder="reject") and by its shortfall
     (engine.refusals says why in a finding).

Row reasons (ALLOCATION.reason), with "+case_pack_up" / "+case_pack_down" appended when rounding
changed the line quantity: filled, split, partial (allocated rows); backordered, held_ship_complete
(backordered rows); rejected_by_policy, no_receipt, unknown_sku, invalid_quantity, past_cancel_date,
no_backorder (rejected rows: the order's optional `no_backorder`, its CSH01 N or SP, takes no backorder);
rounded_to_zero (a line whose case-pack rounding left nothing to place).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.allocation import AllocationPolicy
from schemas.errors import ConfigError, SnapshotError
from schemas.grouping import in_key_order
from schemas.inventory import ALLOCATION, AVAILABILITY
from schemas.orders import QTY

_SCALE = 10_000  # QTY is decimal128(18, 4)
_SHIP_COMPLETE_PASSES = 4
_LATE_PASSES = 8
# Lines promised a date after their order's deliver_by (Allocation.late)
LATE = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("order_ref", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("line_number", pa.int32(), nullable=False),
    pa.field("units", pa.int64(), nullable=False),  # the backorder (eaches) that could not come in time
    # the day it could ship: receipts cover it, its requested ship day when later (engine.answer.backorder_day)
    pa.field("promised_date", pa.date32(), nullable=False),
    pa.field("deliver_by", pa.date32(), nullable=False),
    pa.field("rejected", pa.bool_(), nullable=False),  # late_backorder="reject": not promised (IR)
])
# Lines stock refused units of (Allocation.refused): every rejection but the late ones (LATE names those) and
# an invalid quantity (a rule's finding names it), with what the line wanted and what its SKU had
REFUSED = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("order_ref", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("line_number", pa.int32(), nullable=False),
    pa.field("sku", pa.string(), nullable=False),
    pa.field("ordered", pa.int64(), nullable=False),  # the line's units (eaches) as ordered
    # the units placed: as ordered, or rounded to whole cases (rounded down: ordered - wanted are rejected too)
    pa.field("wanted", pa.int64(), nullable=False),
    pa.field("rejected", pa.int64(), nullable=False),  # of them, rejected (0: rounded_to_zero left nothing)
    # of them, backordered: promised from receipts, not placed from stock (wanted - rejected - backordered is)
    pa.field("backordered", pa.int64(), nullable=False),
    pa.field("available", pa.int64(), nullable=False),  # the SKU's free stock before this run's lines took any
    pa.field("left", pa.int64(), nullable=False),  # of it, what no line of the run took (the rest: lines ranked first)
    pa.field("coming", pa.int64(), nullable=False),  # the SKU's receipt units left to promise
    # the base reason (rejected_by_policy, no_backorder, no_receipt, unknown_sku, rounded_to_zero; rounded_down: only
    # the rounding rejected units, ordered - wanted)
    pa.field("reason", pa.string(), nullable=False),
    pa.field("all_or_nothing", pa.bool_(), nullable=False),  # partial_allowed=False: the line took none of it
    # ship_complete with backorder="reject": the whole order was rejected; short: this line's shortfall held it
    pa.field("whole_order", pa.bool_(), nullable=False),
    pa.field("short", pa.bool_(), nullable=False),
])
_BASE_REASONS = (
    "filled",
    "split",
    "partial",
    "backordered",
    "held_ship_complete",
    "rejected_by_policy",
    "no_receipt",
    "unknown_sku",
    "invalid_quantity",
    "rounded_to_zero",
    "past_cancel_date",
    "no_backorder",
)
_SUFFIXES = ("", "+case_pack_up", "+case_pack_down")
_REASONS = pa.array([b + s for b in _BASE_REASONS for s in _SUFFIXES], pa.string())
_R = {name: i for i, name in enumerate(_BASE_REASONS)}
# REFUSED's reasons: the row reasons, and rounded_down (a case-pack rounding down left units out of the line; its
# ALLOCATION rows are the rounded quantity's, "+case_pack_down")
_REFUSED_REASONS = (*_BASE_REASONS, "rounded_down")
_REFUSED_ONLY = {"rounded_down": len(_BASE_REASONS)}
_ROUNDING = {"none": 0, "up": 1, "down": 2}
_REQUIRED = ("partner", "order_ref", "po_number", "line_number", "sku", "quantity", "po_date", "arrival")


@dataclass(frozen=True, slots=True)
class Allocation:
    lines: pa.Table  # schemas.inventory.ALLOCATION
    availability: pa.Table  # schemas.inventory.AVAILABILITY
    late: pa.Table = field(default_factory=LATE.empty_table)  # LATE: backorders that miss the deliver_by
    refused: pa.Table = field(default_factory=REFUSED.empty_table)  # REFUSED: why stock rejected lines' units


def allocate(
    lines: pa.Table,
    snapshot: pa.Table,
    receipts: pa.Table,
    policies: dict[str, AllocationPolicy],
    *,
    reservations: pa.Table | None = None,
    today: date,
) -> Allocation:
    """Allocate order `lines` against one inventory `snapshot` and expected `receipts`."""
    _check_lines(lines)
    snapshot = _check_stock(
        snapshot, "snapshot", {"warehouse": "s", "sku": "s", "on_hand": "i", "reserved": "i"}
    )
    receipts = _check_stock(receipts, "receipts", {"warehouse": "s", "sku": "s", "quantity": "i", "eta": "d"})
    if reservations is not None:
        reservations = _check_stock(
            reservations, "reservations", {"warehouse": "s", "sku": "s", "quantity": "i"}
        )
    n = lines.num_rows

    # -- policies, one row per partner name in sorted order
    names = sorted(policies)
    pol = pc.index_in(lines["partner"], value_set=pa.array(names, pa.string()))
    if pol.null_count:
        missing = sorted(set(pc.filter(lines["partner"], pc.is_null(pol)).to_pylist()))
        raise ConfigError("no allocation policy for partner", partners=missing)
    pol = _ints(pol)
    used = [policies[names[i]] for i in np.unique(pol)]
    for setting in ("priority_order", "fair_share"):
        if len({getattr(p, setting) for p in used}) > 1:
            raise ConfigError(f"partners in one run must agree on {setting}", setting=setting)
    priority = used[0].priority_order if used else ()
    fair = bool(used and used[0].fair_share)

    # -- codes: SKUs over lines + snapshot + receipts; warehouses from the snapshot, by name
    sku_values = pc.unique(
        pa.chunked_array(
            [*lines["sku"].cast(pa.string()).chunks, *snapshot["sku"].chunks, *receipts["sku"].chunks],
            pa.string(),
        )
    )
    warehouses = sorted(pc.unique(snapshot["warehouse"]).to_pylist())
    W, n_sku = len(warehouses), len(sku_values)
    sku = _ints(pc.index_in(lines["sku"].cast(pa.string()), value_set=sku_values))
    wh_values = pa.array(warehouses, pa.string())
    pref_table = np.array(
        [[warehouses.index(w) for w in policies[name].warehouse_preference(warehouses)] for name in names],
        dtype=np.intp,
    ).reshape(len(names), W)

    # -- a line whose order routes it to one of the snapshot's warehouses (optional column ship_from: its N1*SF's
    # warehouse, engine.routing.routed_stock) tries that one first, then its policy's order: one preference row
    # per (partner, routed warehouse) pair after the partners' own
    pref_row = pol
    if "ship_from" in lines.column_names and W and n:
        routed = pc.index_in(lines["ship_from"].cast(pa.string()), value_set=wh_values)
        if routed.null_count < n:
            wh_of = _ints(routed.fill_null(-1))
            pinned = wh_of >= 0
            pairs, pair_of = np.unique(pol[pinned] * W + wh_of[pinned], return_inverse=True)
            extra = [[w, *(x for x in pref_table[p] if x != w)] for p, w in (divmod(int(c), W) for c in pairs)]
            pref_row = pol.copy()
            pref_row[pinned] = len(names) + pair_of
            pref_table = np.vstack([pref_table, np.array(extra, dtype=np.intp).reshape(len(pairs), W)])

    # -- stock matrix [sku, warehouse]
    snap_sku = _ints(pc.index_in(snapshot["sku"], value_set=sku_values))
    snap_wh = _ints(pc.index_in(snapshot["warehouse"], value_set=wh_values))
    cell = snap_sku * W + snap_wh
    if len(np.unique(cell)) != len(cell):
        raise SnapshotError("snapshot has duplicate (warehouse, sku) rows")
    if len(pc.unique(snapshot["as_of"])) > 1:
        raise SnapshotError("snapshot mixes several as_of dates")
    on_hand, reserved = _ints(snapshot["on_hand"]), _ints(snapshot["reserved"]).copy()
    if reservations is not None and reservations.num_rows:
        r_sku = pc.index_in(reservations["sku"], value_set=sku_values)
        r_wh = pc.index_in(reservations["warehouse"], value_set=wh_values)
        ok = _ints(pc.and_(pc.is_valid(r_sku), pc.is_valid(r_wh)).cast(pa.int8())).astype(bool)
        extra = np.zeros(n_sku * W, np.int64)
        np.add.at(
            extra,
            (_ints(r_sku.fill_null(0)) * W + _ints(r_wh.fill_null(0)))[ok],
            _ints(reservations["quantity"])[ok],
        )
        reserved += extra[cell]
    avail0 = np.zeros(n_sku * W, np.int64)
    avail0[cell] = np.maximum(on_hand - reserved, 0)
    avail0 = avail0.reshape(n_sku, W)

    # -- demand in units
    units, valid, scaled = _units(lines["quantity"])
    case_pack = (
        _ints(lines["case_pack"].fill_null(0)) if "case_pack" in lines.column_names else np.zeros(n, np.int64)
    )
    rounding = np.array([_ROUNDING[policies[name].case_pack_rounding] for name in names], np.int8)[pol]
    packed = valid & (case_pack > 0) & (rounding > 0)
    cp = np.where(packed, case_pack, 1)
    demand = np.where(rounding == 1, -(-units // cp) * cp, units // cp * cp)
    demand = np.where(packed, demand, np.where(valid, units, 0))
    suffix = np.where(packed & (demand != units), rounding, 0).astype(np.int64)
    # a line ordered in packs of n eaches is served n at a time (whole cases when rounding too)
    if "unit_eaches" in lines.column_names:
        cp = np.lcm(cp, np.maximum(_ints(lines["unit_eaches"].fill_null(1)), 1))

    # -- ranking: (sku, priority keys..., arrival, partner, order_ref, line_number)
    out_keys = ["partner", "order_ref", "line_number"]
    out_order = (
        np.arange(n)  # a night's lines come in this order already: a stable sort would move none
        if in_key_order(lines, out_keys)
        else _ints(pc.sort_indices(lines, [(c, "ascending") for c in out_keys]))
    )
    out_rank = np.empty(n, np.int64)
    out_rank[out_order] = np.arange(n)
    tiers = np.array([policies[name].tier for name in names], np.int64)[pol]
    keys = {
        "tier": tiers,
        "arrival": _ints(lines["arrival"]),
        "po_date": _days(lines, "po_date"),
        "requested_ship_date": _days(lines, "requested_ship_date"),
    }
    ranked = [keys[k] for k in dict.fromkeys((*priority, "arrival"))]
    perm = _lexsort([sku, *ranked, out_rank])

    # -- fill, then ship-complete holds
    partial = np.array([policies[name].partial_allowed for name in names], bool)[pol]
    single = np.array([policies[name].single_warehouse_first for name in names], bool)[pol]
    filler = _Filler(
        sku=sku,
        pol=pol,
        unit=cp,
        partial=partial,
        single=single,
        pref_table=pref_table,
        pref_row=pref_row,
        fair=fair,
        n_partners=len(names),
    )
    avail = avail0.copy()
    alloc = np.zeros((n, W), np.int64)
    held = np.zeros(n, bool)
    caused = np.zeros(n, bool)  # a ship-complete order's line whose shortfall held it
    if W:
        filler.run(perm, demand, avail, alloc)
    reject_policy = np.array([policies[name].backorder == "reject" for name in names], bool)[pol]
    # an order whose CSH forbids backorders (column no_backorder) is promised nothing: its rest is rejected
    no_backorder = (_ints(lines["no_backorder"].fill_null(False).cast(pa.int8())).astype(bool)
                    if "no_backorder" in lines.column_names else np.zeros(n, bool))
    ship_complete = np.array([policies[name].ship_complete for name in names], bool)[pol]
    if ship_complete.any() and W:
        order_id = _order_ids(lines, out_order)
        # a held order waits for receipts; a line whose SKU has none keeps its stock (waiting brings nothing),
        # and a shortfall nothing can bring (no receipt of the SKU; no backorder taken) does not hold the order:
        # those units are rejected, out of the order, which ships complete without them
        has_receipt = np.zeros(n_sku, bool)
        if receipts.num_rows:
            has_receipt[_ints(pc.index_in(receipts["sku"], value_set=sku_values))[_ints(receipts["quantity"]) > 0]] \
                = True
        waits = has_receipt[sku] & ~no_backorder | reject_policy
        for attempt in range(_SHIP_COMPLETE_PASSES + 1):
            short = ship_complete & ~held & (alloc.sum(1) < demand) & waits
            if not short.any():
                break
            caused |= short
            newly = np.isin(order_id, np.unique(order_id[short])) & ~held
            held |= newly
            touched = np.zeros(n_sku, bool)
            touched[sku[newly]] = True
            redo = touched[sku]
            if attempt == _SHIP_COMPLETE_PASSES:  # give up re-filling: release, never over-promise
                np.add.at(avail, (sku[newly][:, None], np.arange(W)[None, :]), alloc[newly])
                alloc[newly] = 0
                break
            avail[touched] = avail0[touched]
            alloc[redo] = 0
            filler.run(perm[redo[perm]], np.where(held & waits, 0, demand), avail, alloc)
        if held.any():
            # what no receipt covers of a held line is served from the stock left, in rank order: the order
            # ships complete on its day with it, never short of units we have (they used to be rejected)
            unmet = demand - alloc.sum(1)
            wanted = np.where(reject_policy | no_backorder, 0, unmet)
            covered, _ = _promise(perm, sku, wanted, partial, cp, receipts, sku_values, n_sku, today)
            rest = np.where(held & ~reject_policy, unmet - covered, 0)
            if rest.any():
                filler.run(perm, rest, avail, alloc)

    # -- backorders and promises
    allocated = alloc.sum(1)
    unmet = demand - allocated
    wanted = np.where(reject_policy | no_backorder, 0, unmet)
    backordered, promised = _promise(perm, sku, wanted, partial, cp, receipts, sku_values, n_sku, today)
    deadline = _days(lines, "deliver_by") if "deliver_by" in lines.column_names else None
    too_late, late = np.zeros(n, bool), None
    # a backorder ships on its receipt's day or on its line's requested ship day when later (engine.answer's
    # backorder_day, what its IB says): that day is held against the deadline, not the receipt's
    ships_on = keys["requested_ship_date"]
    if deadline is not None and ((backordered > 0) & (_ship_day(promised, ships_on) > deadline)).any():
        refuse = np.array([policies[name].late_backorder == "reject" for name in names], bool)[pol]
        backordered, promised, too_late, would, units = _in_time(
            perm, sku, wanted, partial, cp, receipts, sku_values, n_sku, today, deadline, refuse, ships_on)
        late = _late_rows(lines, would, units, deadline, too_late)
    rejected = unmet - backordered

    known = np.zeros(n_sku, bool)
    known[snap_sku] = True
    if receipts.num_rows:
        known[_ints(pc.index_in(receipts["sku"], value_set=sku_values))] = True
    reject_reason = np.select(
        [~valid, ~known[sku], reject_policy, no_backorder, too_late],
        [_R["invalid_quantity"], _R["unknown_sku"], _R["rejected_by_policy"], _R["no_backorder"],
         _R["past_cancel_date"]],
        _R["no_receipt"],
    )
    table = _rows(
        lines,
        warehouses,
        alloc,
        allocated,
        demand,
        backordered,
        rejected,
        promised,
        held,
        valid,
        scaled,
        reject_reason,
        suffix,
        out_rank,
    )
    # units refused (rejected, or left out by a case-pack rounding down) for a reason the findings explain
    cut = packed & (rounding == 2) & (demand < units)
    refused = valid & (((rejected > 0) & ~too_late) | cut)
    coming = np.zeros(n_sku, np.int64)
    if receipts.num_rows:
        np.add.at(coming, _ints(pc.index_in(receipts["sku"], value_set=sku_values)),
                  np.maximum(_ints(receipts["quantity"]), 0))
    whole = held & reject_policy  # ship_complete and backorder="reject": the short order rejected whole
    return Allocation(
        lines=table,
        availability=_availability(snapshot, snap_sku, snap_wh, on_hand, reserved, avail0 - avail),
        late=late if late is not None else LATE.empty_table(),
        refused=_refused(lines, refused, units, demand, rejected, backordered, avail0.sum(1)[sku], avail.sum(1)[sku],
                         coming[sku],
                         np.where(demand == 0, _R["rounded_to_zero"],
                                  np.where(cut & ~((rejected > 0) & ~too_late), _REFUSED_ONLY["rounded_down"],
                                           reject_reason)), ~partial, whole,
                         caused & whole, out_rank),
    )


def _refused(lines, mask, units, demand, rejected, backordered, available, left, coming, reason, all_or_nothing, whole,
             short, out_rank) -> pa.Table:
    """REFUSED rows of the ``mask`` lines, in (partner, order_ref, line_number) order."""
    li = np.flatnonzero(mask)
    if not len(li):
        return REFUSED.empty_table()
    li = li[np.argsort(out_rank[li], kind="stable")]
    take = pa.array(li)
    columns = {name: lines[name].take(take) for name in ("partner", "order_ref", "po_number", "line_number", "sku")}
    columns["line_number"] = columns["line_number"].cast(pa.int32())
    columns["sku"] = columns["sku"].cast(pa.string())
    for name, values in (("ordered", units), ("wanted", demand), ("rejected", rejected), ("backordered", backordered),
                         ("available", available), ("left", left), ("coming", coming)):
        columns[name] = pa.array(values[li], pa.int64())
    columns["reason"] = pa.array(_REFUSED_REASONS, pa.string()).take(pa.array(reason[li]))
    for name, values in (("all_or_nothing", all_or_nothing), ("whole_order", whole), ("short", short)):
        columns[name] = pa.array(values[li], pa.bool_())
    return pa.Table.from_pydict(columns, schema=REFUSED)


class _Filler:
    """Greedy fill of lines grouped by SKU (best first) from a [sku, warehouse] stock matrix, in place."""

    def __init__(self, *, sku, pol, unit, partial, single, pref_table, pref_row, fair, n_partners) -> None:
        self.sku, self.pol, self.unit, self.partial, self.single = sku, pol, unit, partial, single
        # each line's warehouse order: pref_table's row pref_row (its partner's, or its routed warehouse first)
        self.pref_table, self.pref_row, self.fair, self.n_partners = pref_table, pref_row, fair, n_partners

    def run(self, perm: np.ndarray, need: np.ndarray, avail: np.ndarray, alloc: np.ndarray) -> None:
        order = perm[need[perm] > 0]
        if self.fair:
            pair, quota = self._quotas(order, need, avail)
            self._rounds(order, need, avail, alloc, pair, quota)
            rest = need[order] - alloc[order].sum(1)
            left = avail[self.sku[order]].sum(1) > 0
            order = order[(rest > 0) & left]  # what quotas left unused goes in plain rank order
            self._rounds(order, need - alloc.sum(1), avail, alloc, None, None)
        else:
            self._rounds(order, need, avail, alloc, None, None)

    def _quotas(self, order, need, avail):
        """Per (sku, partner) quota: proportional to demand on short SKUs, remainder by rank."""
        s = self.sku[order]
        pair_key = s * self.n_partners + self.pol[order]
        keys, first, pair_of = np.unique(pair_key, return_index=True, return_inverse=True)
        pair_sku = keys // self.n_partners
        pair_demand = np.zeros(len(keys), np.int64)
        np.add.at(pair_demand, pair_of, need[order])
        sku_demand = np.zeros(avail.shape[0], np.int64)
        np.add.at(sku_demand, pair_sku, pair_demand)
        supply = avail.sum(1)
        S, D = supply[pair_sku], sku_demand[pair_sku]
        short = D > S
        if S.size and int(S.max()) * int(pair_demand.max()) >= 2**62:  # exact, if slow, for huge counts
            share = (S.astype(object) * pair_demand.astype(object) // np.maximum(D, 1).astype(object)).astype(
                np.int64
            )
        else:
            share = S * pair_demand // np.maximum(D, 1)
        quota = np.where(short, share, pair_demand)
        left = np.zeros(avail.shape[0], np.int64)
        np.add.at(left, pair_sku, np.where(short, quota, 0))
        left = supply - left  # remainder units of short SKUs (fewer than their partners)
        by_rank = np.argsort(first, kind="stable")  # pairs in rank order of their best line, grouped by sku
        sku_ranked = pair_sku[by_rank]
        starts = np.r_[True, sku_ranked[1:] != sku_ranked[:-1]]
        pos = np.arange(len(by_rank)) - np.maximum.accumulate(np.where(starts, np.arange(len(by_rank)), 0))
        bonus = np.zeros(len(keys), np.int64)
        bonus[by_rank] = (short[by_rank] & (pos < left[sku_ranked])).astype(np.int64)
        pair = np.zeros(len(self.sku), np.int64)
        pair[order] = pair_of
        return pair, quota + bonus

    def _rounds(self, order, need, avail, alloc, pair, quota) -> None:
        if quota is None:
            order = self._first_choice(order, need, avail, alloc)
        if not len(order):
            return
        s_sorted = self.sku[order]
        idx = np.arange(len(order))
        starts = np.r_[True, s_sorted[1:] != s_sorted[:-1]]
        depth = idx - np.maximum.accumulate(np.where(starts, idx, 0))
        by_round = np.argsort(depth, kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(depth))]
        for r in range(len(bounds) - 1):
            rows = order[by_round[bounds[r] : bounds[r + 1]]]
            s, u, partial = self.sku[rows], self.unit[rows], self.partial[rows]
            d = need[rows]
            if quota is not None:
                q = np.maximum(quota[pair[rows]], 0)
                cut = np.minimum(d, q)
                d = np.where(partial, cut - cut % u, np.where(q >= d, d, 0))
            pref = self.pref_table[self.pref_row[rows]]
            a = avail[s[:, None], pref]
            usable = a - a % u[:, None]
            cum = usable.cumsum(1)
            take = np.minimum(cum, d[:, None]) - np.minimum(cum - usable, d[:, None])
            fits = usable >= d[:, None]
            whole = np.flatnonzero(self.single[rows] & fits.any(1) & (d > 0))
            if len(whole):
                take[whole] = 0
                take[whole, fits[whole].argmax(1)] = d[whole]
            got = take.sum(1)
            short = ~partial & (got < d)
            take[short] = 0
            got[short] = 0
            avail[s[:, None], pref] = a - take
            alloc[rows[:, None], pref] += take
            if quota is not None:
                np.subtract.at(quota, pair[rows], got)


    def _first_choice(self, order, need, avail, alloc) -> np.ndarray:
        """Without quotas, the SKUs each of whose lines, in rank order, finds its whole need usable (in
        its units) in its first-choice warehouse at its turn are filled at once: the rounds would give
        each of those lines exactly that (its first warehouse covers it, so nothing is split, single-
        warehouse picks that one, nothing is short). Checked for every line from the cumulative need
        of the lines before it on the same SKU and warehouse; the lines of every other SKU are left
        to the rounds (returned, in their order)."""
        if not len(order):
            return order
        s, u = self.sku[order], self.unit[order]
        d = np.maximum(need[order], 0)  # a line with nothing to place takes nothing, as in the rounds
        first = self.pref_table[self.pref_row[order], 0]
        key = s * avail.shape[1] + first
        by_key = np.argsort(key, kind="stable")  # rank order kept within each (sku, warehouse)
        k, dk = key[by_key], d[by_key]
        cum = np.cumsum(dk)
        starts = np.r_[True, k[1:] != k[:-1]]
        before = np.empty_like(d)
        before[by_key] = cum - dk - np.maximum.accumulate(np.where(starts, cum - dk, 0))
        left = avail[s, first] - before
        fits = left - left % u >= d
        fast = ~np.isin(s, s[~fits])
        if fast.any():
            alloc[order[fast], first[fast]] += d[fast]  # each line once
            np.subtract.at(avail, (s[fast], first[fast]), d[fast])
        return order[~fast]


def receipts_left(receipts: pa.Table, promised: dict[str, int]) -> pa.Table:
    """``receipts`` (EXPECTED_RECEIPTS) less the units of each SKU already promised to backorders (``promised``:
    SKU -> units; engine.lifecycle.backorders.receipt_promises): taken from the SKU's receipts in ETA order, the
    earliest first (ties in input order), as the promises were made (receipts pooled per SKU, earlier
    backorders first). A receipt taken whole stays with quantity 0 (its SKU stays known: what no receipt
    covers is still no_receipt, not unknown_sku); rows, order and other columns are kept. Pure."""
    wanted = {k: int(v) for k, v in promised.items() if v and int(v) > 0}
    if not wanted or not receipts.num_rows:
        return receipts
    skus = receipts["sku"].to_pylist()
    quantities = [int(q) for q in receipts["quantity"].to_pylist()]
    etas = receipts["eta"].to_pylist()
    left = list(quantities)
    for i in sorted((i for i, k in enumerate(skus) if k in wanted and quantities[i] > 0),
                    key=lambda i: (skus[i], etas[i], i)):
        take = min(left[i], wanted[skus[i]])
        left[i] -= take
        wanted[skus[i]] -= take
    if left == quantities:
        return receipts
    at = receipts.schema.get_field_index("quantity")
    return receipts.set_column(at, receipts.schema.field(at), pa.array(left, receipts.schema.field(at).type))


def _promise(perm, sku, backorder, partial, unit, receipts, sku_values, n_sku, today):
    """Available-to-promise: (backordered units, promised date as days) per line."""
    n = len(sku)
    covered = np.zeros(n, np.int64)
    promised = np.full(n, -1, np.int64)
    if not receipts.num_rows:
        return covered, promised
    r_sku = _ints(pc.index_in(receipts["sku"], value_set=sku_values))
    r_qty = _ints(receipts["quantity"])
    r_eta = _ints(receipts["eta"].cast(pa.int32())).astype(np.int64)
    keep = r_qty > 0
    if not keep.any():
        return covered, promised
    r_sku, r_qty, r_eta = r_sku[keep], r_qty[keep], r_eta[keep]
    o = _lexsort([r_sku, r_eta])
    r_sku, r_qty, r_eta = r_sku[o], r_qty[o], r_eta[o]
    cum_r = np.cumsum(r_qty)
    total = np.zeros(n_sku, np.int64)
    np.add.at(total, r_sku, r_qty)
    base_r = np.zeros(n_sku, np.int64)  # receipts of all SKUs before this one, in cum_r terms
    firsts = np.flatnonzero(np.r_[True, r_sku[1:] != r_sku[:-1]])
    base_r[r_sku[firsts]] = cum_r[firsts] - r_qty[firsts]

    order = perm[backorder[perm] > 0]
    s, b = sku[order], backorder[order]
    cum_b = np.cumsum(b)
    starts = np.r_[True, s[1:] != s[:-1]] if len(s) else np.zeros(0, bool)
    group_base = np.maximum.accumulate(np.where(starts, cum_b - b, 0)) if len(s) else cum_b
    upto = cum_b - group_base
    before = upto - b
    cover = np.minimum(upto, total[s]) - np.minimum(before, total[s])
    cover = np.where(partial[order], cover - cover % unit[order], np.where(cover == b, b, 0))
    hit = np.flatnonzero(cover > 0)
    target = base_r[s[hit]] + before[hit] + cover[hit]
    at = np.searchsorted(cum_r, target, side="left")
    today_days = (today - date(1970, 1, 1)).days
    covered[order] = cover
    promised[order[hit]] = np.maximum(r_eta[at], today_days)
    return covered, promised


def _ship_day(promised: np.ndarray, ships_on: np.ndarray) -> np.ndarray:
    """The day each promised backorder ships (days; -1 where none is promised): its receipt's day, its line's
    requested ship day when later (``ships_on``, 2**31 - 1 where none: _days), as engine.answer.backorder_day."""
    asked = np.where(ships_on == 2**31 - 1, -1, ships_on)
    return np.where(promised >= 0, np.maximum(promised, asked), promised)


def _in_time(perm, sku, wanted, partial, unit, receipts, sku_values, n_sku, today, deadline, refuse, ships_on):
    """Promises that keep each line's deadline (days; null = 2**31 - 1): (backordered, promised, too_late,
    would, units). A ``refuse`` line promised after its deadline is taken out (too_late: its backorder is
    rejected) and the promises made again without it, so the receipts it would have taken serve the lines
    after it; per pass, per SKU, only the first such line in rank order goes (the promises of the lines
    before it do not depend on it; those after it may now be in time). A promise is late by the day it ships
    (_ship_day: its receipt's, its requested ship day when later), not the receipt's alone. ``would``: that
    late day of every line taken out or promised late all the same (-1 for the others), ``units`` its
    backorder."""
    n = len(sku)
    rank = np.empty(n, np.int64)
    rank[perm] = np.arange(n)
    too_late = np.zeros(n, bool)
    would = np.full(n, -1, np.int64)
    units = np.zeros(n, np.int64)
    backordered, promised = _promise(perm, sku, wanted, partial, unit, receipts, sku_values, n_sku, today)
    for attempt in range(_LATE_PASSES + 1):
        late = (backordered > 0) & (_ship_day(promised, ships_on) > deadline)
        out = np.flatnonzero(late & refuse)
        if not len(out):
            break
        if attempt < _LATE_PASSES:  # the first late line of each SKU, in rank order
            out = out[np.argsort(rank[out], kind="stable")]
            _, first = np.unique(sku[out], return_index=True)
            out = out[first]
        too_late[out] = True
        would[out], units[out] = _ship_day(promised, ships_on)[out], backordered[out]
        backordered, promised = _promise(perm, sku, np.where(too_late, 0, wanted), partial, unit, receipts,
                                         sku_values, n_sku, today)
    day = _ship_day(promised, ships_on)
    kept = (backordered > 0) & (day > deadline)  # promised late all the same (late_backorder="promise")
    would[kept], units[kept] = day[kept], backordered[kept]
    return backordered, promised, too_late, would, units


def _late_rows(lines: pa.Table, would: np.ndarray, units: np.ndarray, deadline: np.ndarray,
               too_late: np.ndarray) -> pa.Table:
    """LATE rows for the lines with a late promise, in line order."""
    li = np.flatnonzero(would >= 0)
    take = pa.array(li)
    return pa.table({
        "partner": lines["partner"].take(take), "order_ref": lines["order_ref"].take(take),
        "po_number": lines["po_number"].take(take),
        "line_number": lines["line_number"].take(take).cast(pa.int32()),
        "units": pa.array(units[li], pa.int64()),
        "promised_date": pa.array(would[li].astype(np.int32), pa.int32()).cast(pa.date32()),
        "deliver_by": pa.array(deadline[li].astype(np.int32), pa.int32()).cast(pa.date32()),
        "rejected": pa.array(too_late[li], pa.bool_()),
    }, schema=LATE)


def _rows(
    lines,
    warehouses,
    alloc,
    allocated,
    demand,
    backordered,
    rejected,
    promised,
    held,
    valid,
    scaled,
    reject_reason,
    suffix,
    out_rank,
) -> pa.Table:
    """One output row per piece of a line, in (partner, order_ref, line_number, piece) order."""
    n, W = alloc.shape
    li_a, wh_a = np.nonzero(alloc > 0)
    n_wh = np.count_nonzero(alloc > 0, axis=1)
    alloc_reason = np.where(allocated < demand, _R["partial"], np.where(n_wh > 1, _R["split"], _R["filled"]))
    li_b = np.flatnonzero(backordered > 0)
    rejected_scaled = np.where(valid, rejected * _SCALE, scaled)  # an invalid line rejects what it asked
    li_r = np.flatnonzero(rejected_scaled != 0)
    pieces = np.zeros(n, np.int64)
    np.add.at(pieces, li_a, 1)
    pieces[li_b] += 1
    pieces[li_r] += 1
    li_z = np.flatnonzero(pieces == 0)  # nothing to place: one all-zero row (or an invalid zero quantity)
    li = np.concatenate([li_a, li_b, li_r, li_z])
    slot = np.concatenate([wh_a, np.full(len(li_b), W), np.full(len(li_r) + len(li_z), W + 1)])
    o = np.argsort(out_rank[li] * (W + 2) + slot, kind="stable")
    li, slot = li[o], slot[o]
    kind = np.concatenate(
        [
            np.zeros(len(li_a), np.int8),
            np.ones(len(li_b), np.int8),
            np.full(len(li_r), 2, np.int8),
            np.full(len(li_z), 3, np.int8),
        ]
    )[o]

    is_a, is_b, is_r = kind == 0, kind == 1, kind == 2
    q_alloc = np.where(is_a, alloc[li, np.minimum(slot, max(W - 1, 0))] if W else 0, 0) * _SCALE
    q_back = np.where(is_b, backordered[li], 0) * _SCALE
    q_rej = np.where(is_r, rejected_scaled[li], 0)
    base = np.select(
        [is_a, is_b & held[li], is_b, is_r],
        [alloc_reason[li], _R["held_ship_complete"], _R["backordered"], reject_reason[li]],
        np.where(valid[li], _R["rounded_to_zero"], _R["invalid_quantity"]),
    )
    take = pa.array(li)
    wh_idx = pa.array(np.where(is_a, slot, 0), pa.int64(), mask=~is_a)
    promised_days = pa.array(
        np.where(is_b, promised[li], 0).astype(np.int32), pa.int32(), mask=~(is_b & (promised[li] >= 0))
    ).cast(pa.date32())
    same = len(li) == n and bool(np.array_equal(li, np.arange(n)))  # one row per line, in line order
    columns = {
        name: lines[name] if same else lines[name].take(take)
        for name in ("partner", "order_ref", "po_number", "line_number", "sku")
    }
    columns.update(
        {
            "warehouse": pa.array(warehouses, pa.string()).take(wh_idx),
            "ordered": _decimals(q_alloc + q_back + q_rej),
            "allocated": _decimals(q_alloc),
            "backordered": _decimals(q_back),
            "rejected": _decimals(q_rej),
            "promised_date": promised_days,
            "reason": _REASONS.take(pa.array(base * len(_SUFFIXES) + suffix[li])),
        }
    )
    return pa.table(columns).cast(ALLOCATION)


def _availability(snapshot, snap_sku, snap_wh, on_hand, reserved, used) -> pa.Table:
    allocated_now = used[snap_sku, snap_wh]
    table = pa.table(
        {
            "warehouse": snapshot["warehouse"],
            "sku": snapshot["sku"],
            "on_hand": pa.array(on_hand),
            "reserved": pa.array(reserved),
            "allocated_now": pa.array(allocated_now),
            "available_after": pa.array(np.maximum(on_hand - reserved, 0) - allocated_now),
        }
    ).cast(AVAILABILITY)
    return table.take(pc.sort_indices(table, [("warehouse", "ascending"), ("sku", "ascending")]))


# -- conversions and checks -------------------------------------------------------------------------


def _units(quantity) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decimal quantities -> (whole units, valid mask, value at scale 4). One place for Decimal math.

    Valid = non-null, positive and whole. Reads the decimal128 buffer directly (exact, no floats).
    """
    if not pa.types.is_decimal(quantity.type) or quantity.type.scale > 4:
        raise TypeError(f"lines.quantity must be a decimal of scale <= 4, got {quantity.type}")
    if not len(quantity):
        empty = np.zeros(0, np.int64)
        return empty, empty.astype(bool), empty
    arr = (
        pc.cast(quantity, QTY).combine_chunks()
        if isinstance(quantity, pa.ChunkedArray)
        else pc.cast(quantity, QTY)
    )
    words = np.frombuffer(arr.buffers()[1], np.int64, count=2 * (arr.offset + len(arr)))[2 * arr.offset :]
    low, high = words[0::2], words[1::2]
    present = (
        np.ones(len(arr), bool)
        if arr.null_count == 0
        else _ints(pc.is_valid(arr).cast(pa.int8())).astype(bool)
    )
    fits = high == (low >> 63)
    scaled = np.where(present & fits, low, 0)
    valid = present & fits & (scaled > 0) & (scaled % _SCALE == 0)
    return np.where(valid, scaled // _SCALE, 0), valid, scaled


def _decimals(scaled: np.ndarray) -> pa.Array:
    """int64 values at scale 4 -> decimal128(18, 4), built straight from the 16-byte words."""
    words = np.empty((len(scaled), 2), np.int64)
    words[:, 0] = scaled
    words[:, 1] = scaled >> 63
    return pa.Array.from_buffers(QTY, len(scaled), [None, pa.py_buffer(words)])


def _ints(column) -> np.ndarray:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return column.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def _days(lines: pa.Table, name: str) -> np.ndarray:
    """date32 -> days since epoch; null (or absent) sorts last."""
    if name not in lines.column_names:
        return np.zeros(lines.num_rows, np.int64)
    days = lines[name].cast(pa.int32())
    return _ints(days.fill_null(2**31 - 1))


def _lexsort(keys: list[np.ndarray]) -> np.ndarray:
    """Stable order by keys (first = most significant); packs keys into few int64 words first."""
    words, word, span = [], None, 1
    for key in keys:
        if not len(key):
            return np.zeros(0, np.intp)
        lo, width = int(key.min()), int(key.max()) - int(key.min()) + 1
        if word is not None and span * width < 2**62:
            word, span = word * width + (key - lo), span * width
        else:
            if word is not None:
                words.append(word)
            word, span = key - lo, width
    words.append(word)
    if len(words) == 1:
        return np.argsort(words[0], kind="stable")
    return np.lexsort(words[::-1])


def _order_ids(lines: pa.Table, out_order: np.ndarray) -> np.ndarray:
    """A dense id per (partner, order_ref)."""
    take = pa.array(out_order)
    partner, ref = lines["partner"].take(take), lines["order_ref"].take(take)
    change = pc.or_(pc.not_equal(partner[1:], partner[:-1]), pc.not_equal(ref[1:], ref[:-1]))
    ids_sorted = np.r_[0, np.cumsum(_ints(change.cast(pa.int8())))]
    ids = np.empty(len(out_order), np.int64)
    ids[out_order] = ids_sorted
    return ids


def _check_lines(lines: pa.Table) -> None:
    missing = [name for name in _REQUIRED if name not in lines.column_names]
    if missing:
        raise ValueError(f"lines lack required columns {missing}")
    for name in ("partner", "order_ref", "po_number", "line_number", "sku", "arrival"):
        if lines[name].null_count:
            raise ValueError(f"lines.{name} may not be null")


def _check_stock(table: pa.Table, what: str, columns: dict[str, str]) -> pa.Table:
    """Required columns with string ('s'), integer ('i') or date ('d') types and no nulls."""
    problems = []
    for name, kind in columns.items():
        if name not in table.column_names:
            problems.append(f"{name} missing")
            continue
        t = table.schema.field(name).type
        ok = {
            "s": pa.types.is_string(t) or pa.types.is_large_string(t),
            "i": pa.types.is_integer(t),
            "d": pa.types.is_date32(t),
        }[kind]
        if not ok:
            problems.append(f"{name} is {t}")
        elif table[name].null_count:
            problems.append(f"{name} has nulls")
    if what == "snapshot" and "as_of" not in table.column_names:
        problems.append("as_of missing")
    if problems:
        raise SnapshotError(f"{what} table is not usable", problem="; ".join(problems))
    casts = {
        name: {"s": pa.string(), "i": pa.int64(), "d": pa.date32()}[kind] for name, kind in columns.items()
    }
    return table.select(list(casts) + (["as_of"] if what == "snapshot" else [])).cast(
        pa.schema(
            [(name, t) for name, t in casts.items()]
            + ([("as_of", pa.date32())] if what == "snapshot" else [])
        )
    )
