"""Reservations a changed line keeps when its order is decided again (an 860 before shipment).

An 860 that raises (or re-prices, or lowers) lines of an answered order has those lines decided and allocated
again. Allocating each changed line's whole quantity afresh, in line order, let a raised line 1 take the stock
line 2 already held: a buyer who raised quantities was told a line it had been promised was now partly
backordered. Instead a changed line keeps what it holds (its stored reservations of its SKU, up to its new
quantity) and only the rest of its quantity, the new demand, competes for stock:

``kept_demand`` cuts each changed line's ALLOCATION_INPUT quantity by what it keeps (a line its reservations
cover is left out) and says what each keeps; ``with_kept`` adds the kept units to the allocation's rows (into the
line's row of the same warehouse, or a "filled" row of their own), so the line's statuses, its 855/865 and its
reservation rows count both. Pure; the allocation's other lines are untouched.

A changed line of an order decided now that already shipped some or all of its units (its order held for a person on
the change while the warehouse shipped what it had picked) asks only what is left to ship (``shipped_demand``): its
shipped units are placed by a row of their own ("4 shipped while held"), with no warehouse (``shipped_rows``), so its
answer counts the whole line while nothing is reserved nor taken from stock for them again.

``allocate_keeping`` is the whole step for a run's orders to decide: what the changed lines keep, what they do
not keep freed (for the orders decided now; one that waits for a person keeps holding it), the allocation of the
rest, the kept units added back; the stage (flows.decide) only loads its inputs and applies the plan.

A line of a service item (items.csv kind "service": a field technician's hours) takes no stock: it is left out of
the allocation and given a row of its own, its whole quantity placed with no warehouse and reason "service"
(``service_rows``), so it is acknowledged as ordered (IA) and reserves nothing (reservations are made of rows
with a warehouse). It is billed when its order first ships (engine.lifecycle.shipping.with_services).
Every line of a bill-only order (engine.bill_only: goods the buyer already used from stock it holds) is placed so
too, reason "bill_only": nothing is reserved for it; the invoice stage records its usage and bills it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import ROUND_DOWN, Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.allocate import Allocation, allocate, receipts_left
from engine.bill_only import BILL_ONLY
from engine.decide import PENDING, OrderDecision
from engine.lifecycle.backorders import receipt_promises
from schemas.allocation import AllocationPolicy
from schemas.inventory import ALLOCATION, ALLOCATION_INPUT, RESERVATIONS, REST, SHIPPED_WHILE_HELD
from schemas.lifecycle import GONE_LINES, LineRecord, Reservation

Key = tuple[str, str]
# (order_ref, line_number) -> [(warehouse, sku, eaches kept)]
Kept = dict[tuple[str, int], list[tuple[str, str, int]]]


def allocate_keeping(lines: pa.Table, snapshot: pa.Table, receipts: pa.Table, policies: Mapping[str, AllocationPolicy],
                     *, decisions: Iterable[OrderDecision], reserved: Sequence[Mapping],
                     held: Mapping[Key, Sequence[Reservation]], changed: Mapping[Key, set[int]],
                     today: date, owed: Mapping[Key, Sequence[LineRecord]] | None = None,
                     services: Collection[str] = (), bill_only: Collection[Key] = (),
                     stored: Mapping[Key, Sequence[LineRecord]] | None = None,
                     eaches: Callable[[str, str], int | None] | None = None) -> Allocation:
    """The allocation of a run's orders to decide (``lines``: ALLOCATION_INPUT of their accepted lines, those an
    860 changed only for an order it changed) against ``snapshot`` and ``receipts`` less ``reserved`` (the
    reservation totals per warehouse and SKU the run sees as taken, which count what the changed lines hold).
    A changed line (``changed``: line numbers per order) keeps what it holds of its SKU (``held``: the orders'
    reservations) and only the rest of its quantity competes for stock (``kept_demand``); what a changed line
    does not keep is free for this allocation when its order is decided now (its decision is not PENDING: one
    that waits for a person keeps holding it, the plan releases nothing); the kept units are then added to the
    allocation's rows (``with_kept``). ``owed``: the lines of orders answered earlier as the run leaves them before
    this allocation (engine.lifecycle.lines_as_planned): the receipt units their open backorders were promised
    are not promised again (engine.lifecycle.backorders.receipt_promises, engine.allocate.receipts_left), but
    for the lines decided now (a changed line of an order decided now; every line of another order decided now):
    the allocation promises them afresh. ``services``: the skus of service items (schemas.reference.service_skus):
    their lines take no stock, each placed whole by a row of its own (``service_rows``). ``bill_only``: (partner,
    PO) of the bill-only orders (engine.bill_only.bill_only_orders): every line of theirs is placed so too, reason
    "bill_only" (used from the buyer's stock: nothing of ours is reserved nor ever shipped for it). ``stored``: the
    orders' lines as stored (after this run's 860s): a changed line of an order decided now with shipped units asks
    only the rest (``shipped_demand``), those units placed by rows of their own ("4 shipped while held", no
    warehouse; the line's other rows' reasons "rest: ..."). ``eaches``: (sku, unit) -> eaches in one of the unit
    (what the backorders of ``owed`` hold of the receipts is counted in eaches: 5 BX of 100 hold 500). Pure."""
    service = None
    if services and lines.num_rows:
        service = pc.fill_null(pc.is_in(lines["sku"], value_set=pa.array(sorted(services), pa.string())), False)
        if pc.any(service).as_py():
            lines, service = lines.filter(pc.invert(service)), lines.filter(service)
        else:
            service = None
    used = None
    if bill_only and lines.num_rows:
        keys = pc.binary_join_element_wise(lines["partner"], lines["po_number"], "\x1f")
        hit = pc.fill_null(pc.is_in(keys, value_set=pa.array(sorted(f"{p}\x1f{po}" for p, po in bill_only),
                                                             pa.string())), False)
        if pc.any(hit).as_py():
            lines, used = lines.filter(pc.invert(hit)), lines.filter(hit)
    deciding_now = {(d.partner, d.po_number) for d in decisions if d.status != PENDING}
    demand, shipped = shipped_demand(lines, {k: v for k, v in (stored or {}).items() if k in deciding_now}, changed)
    demand, kept = kept_demand(demand, held, changed)
    if owed and receipts.num_rows:
        promised = receipt_promises(owed, again={k: changed.get(k) for k in deciding_now}, eaches=eaches)
        receipts = receipts_left(receipts, promised)
    totals = without_unkept(reserved, held, {k: v for k, v in changed.items() if k in deciding_now}, kept)
    result = allocate(demand, snapshot, receipts, dict(policies),
                      reservations=pa.Table.from_pylist(totals, schema=RESERVATIONS), today=today)
    if kept:
        result = replace(result, lines=with_kept(result.lines, kept, lines))
    if shipped.num_rows:  # a changed line's units that already left: answered with the line, never reserved
        result = replace(result, lines=in_line_order(pa.concat_tables([shipped, the_rest(result.lines, shipped)]),
                                                     lines))
    if service is not None:
        result = replace(result, lines=pa.concat_tables([result.lines, service_rows(service)]))
    if used is not None:
        result = replace(result, lines=pa.concat_tables([result.lines, service_rows(used, reason=BILL_ONLY)]))
    return result


def service_rows(lines: pa.Table, reason: str = "service") -> pa.Table:
    """ALLOCATION rows of service ``lines`` (ALLOCATION_INPUT): each line's whole quantity (in eaches, as
    ALLOCATION_INPUT counts it) placed, no warehouse (nothing reserved), reason ``reason`` ("service"; "bill_only"
    for a bill-only order's lines). The quantity used to be multiplied by the line's unit_eaches again: a bill-only
    line of 2 CA of 10 (20 eaches) was placed 200, acknowledged IQ 20 CA and billed 20 CA."""
    qty = pa.array([q or Decimal(0) for q in lines["quantity"].to_pylist()],
                   ALLOCATION.field("ordered").type)  # a few lines: in Python
    zero = pa.repeat(pa.scalar(Decimal(0), ALLOCATION.field("ordered").type), lines.num_rows)
    return pa.table({
        "partner": lines["partner"], "order_ref": lines["order_ref"], "po_number": lines["po_number"],
        "line_number": pc.cast(lines["line_number"], pa.int32()), "sku": lines["sku"],
        "warehouse": pa.nulls(lines.num_rows, pa.string()), "ordered": qty, "allocated": qty, "backordered": zero,
        "rejected": zero, "promised_date": pa.nulls(lines.num_rows, pa.date32()),
        "reason": pa.repeat(pa.scalar(reason), lines.num_rows)}, schema=ALLOCATION)


def shipped_demand(lines: pa.Table, stored: Mapping[Key, Sequence[LineRecord]],
                   changed: Mapping[Key, set[int]]) -> tuple[pa.Table, pa.Table]:
    """``lines`` (ALLOCATION_INPUT) with each changed line's quantity less what its stored record shipped
    (``stored``: the lines of the orders decided now; ``changed``: their line numbers decided again), a line shipped
    in full left out; and those shipped units as ALLOCATION rows (``shipped_rows``). A changed line of an order held
    for a person on the change may ship meanwhile (the warehouse shipping what it had picked): decided on approval,
    only what is left to ship competes for stock. It used to be allocated whole again, its shipped units taken
    from the run's stock a second time (and, decided from scratch, forgotten). The quantity is in eaches, what
    shipped in the line's unit (ALLOCATION_INPUT unit_eaches each): 2 CA of 12 shipped leave 12 eaches of 3 CA. It
    used to take 2 eaches off, the line asking 34 and taking stock another order was owed."""
    done: dict[tuple[str, int], Decimal] = {}
    for key, records in stored.items():
        numbers = changed.get(key)
        if not numbers:
            continue
        for ln in records:
            if ln.line_number in numbers and ln.shipped > 0 and ln.state not in GONE_LINES:
                done[(f"{key[0]}|{key[1]}", int(ln.line_number))] = ln.shipped
    if not done or lines.num_rows == 0:
        return lines, ALLOCATION.empty_table()
    at = [i for i, k in enumerate(zip(lines["order_ref"].to_pylist(), lines["line_number"].to_pylist(), strict=True))
          if (k[0], int(k[1])) in done]
    if not at:
        return lines, ALLOCATION.empty_table()
    quantities = lines["quantity"].to_pylist()
    per_unit = lines["unit_eaches"].to_pylist() if "unit_eaches" in lines.column_names else [1] * lines.num_rows
    new_q: list[Decimal | None] = list(quantities)
    keep_row = np.ones(lines.num_rows, dtype=bool)
    left = []
    for i in at:
        q = quantities[i] or Decimal(0)  # in eaches (ALLOCATION_INPUT); what shipped, in the line's unit
        per = per_unit[i] or 1
        went = done[(lines["order_ref"][i].as_py(), int(lines["line_number"][i].as_py()))]
        rest = q - went * per
        if rest < 0:  # shipped more than the line now asks: all of it went
            went, rest = (q / per).quantize(Decimal("0.0001"), rounding=ROUND_DOWN), Decimal(0)
        new_q[i], keep_row[i] = rest, rest > 0
        left.append(went)
    out = lines.set_column(lines.schema.get_field_index("quantity"), "quantity",
                           pa.array(new_q, ALLOCATION_INPUT.field("quantity").type))
    went = lines.take(pa.array(at, pa.int64()))
    went = went.set_column(went.schema.get_field_index("quantity"), "quantity",
                           pa.array(left, ALLOCATION_INPUT.field("quantity").type))
    return (out if keep_row.all() else out.filter(pa.array(keep_row))), shipped_rows(went)


def shipped_rows(lines: pa.Table) -> pa.Table:
    """ALLOCATION rows of the units changed ``lines`` (ALLOCATION_INPUT, each quantity what shipped, in the line's
    unit) already shipped: placed in eaches, no warehouse (nothing reserved), their reason saying how many, in the
    line's unit ("4 shipped while held", schemas.inventory.SHIPPED_WHILE_HELD). It used to be "shipped": the line's
    reason read "filled; shipped" for a line 4 of whose 6 had shipped and 2 were allocated."""
    units = lines["quantity"].to_pylist()
    per_unit = lines["unit_eaches"].to_pylist() if "unit_eaches" in lines.column_names else [1] * lines.num_rows
    eaches = pa.array([(q or Decimal(0)) * (u or 1) for q, u in zip(units, per_unit, strict=True)],
                      lines.schema.field("quantity").type)  # what shipped, in the line's unit: placed in eaches
    rows = service_rows(lines.set_column(lines.schema.get_field_index("quantity"), "quantity", eaches))
    said = pa.array([f"{_units(q)} {SHIPPED_WHILE_HELD}" for q in units], pa.string())
    return rows.set_column(rows.schema.get_field_index("reason"), "reason", said).cast(ALLOCATION)


def _units(q: Decimal | None) -> str:
    q = Decimal(q or 0)
    return f"{q.normalize():f}" if q != q.to_integral_value() else str(int(q))


def the_rest(allocation: pa.Table, shipped: pa.Table) -> pa.Table:
    """``allocation``'s rows with, on the lines that shipped some units while held (``shipped``: their rows,
    shipped_rows), each reason saying it is what was placed of the rest ("rest: filled", schemas.inventory.REST)."""
    went = pc.binary_join_element_wise(shipped["order_ref"], pc.cast(shipped["line_number"], pa.string()), "\x1f")
    mine = pc.binary_join_element_wise(allocation["order_ref"], pc.cast(allocation["line_number"], pa.string()),
                                       "\x1f")
    rest = pc.fill_null(pc.is_in(mine, value_set=went), False)
    if not pc.any(rest).as_py():
        return allocation
    reason = pc.if_else(rest, pc.binary_join_element_wise(pa.scalar(REST), allocation["reason"], ""),
                        allocation["reason"])
    return allocation.set_column(allocation.schema.get_field_index("reason"), "reason", reason).cast(
        allocation.schema)


def in_line_order(allocation: pa.Table, lines: pa.Table) -> pa.Table:
    """``allocation``'s rows in the order of their lines in ``lines`` (stable: a line's rows as they were)."""
    place = {k: i for i, k in enumerate(zip(lines["order_ref"].to_pylist(),
                                            [int(n) for n in lines["line_number"].to_pylist()], strict=True))}
    at = pa.array([place.get((r, int(n)), len(place)) for r, n in zip(
        allocation["order_ref"].to_pylist(), allocation["line_number"].to_pylist(), strict=True)], pa.int64())
    return allocation.take(pc.sort_indices(pa.table({"_at": at}), sort_keys=[("_at", "ascending")]))


def kept_demand(lines: pa.Table, held: Mapping[Key, Sequence[Reservation]],
                changed: Mapping[Key, set[int]]) -> tuple[pa.Table, Kept]:
    """``lines`` (ALLOCATION_INPUT) with each changed line's quantity less the reservations it holds (``held``,
    the order's reservations; ``changed``: the line numbers decided again per order), in eaches, of the line's
    SKU, the first reservations first, up to its quantity; a line they cover whole is left out. And what each
    line keeps. Lines of other orders, and reservations of another SKU (a changed product), are not kept."""
    per_line: dict[tuple[str, int], list[Reservation]] = {}
    for key, rows in held.items():
        numbers = changed.get(key)
        if not numbers:
            continue
        for r in rows:
            if r.line_number in numbers and r.quantity > 0:
                per_line.setdefault((f"{key[0]}|{key[1]}", int(r.line_number)), []).append(r)
    if not per_line or lines.num_rows == 0:
        return lines, {}
    refs = lines["order_ref"].to_pylist()
    numbers = lines["line_number"].to_pylist()
    skus = lines["sku"].to_pylist()
    quantities = lines["quantity"].to_pylist()
    kept: Kept = {}
    new_q: list[Decimal | None] = list(quantities)
    keep_row = np.ones(lines.num_rows, dtype=bool)
    for i, (ref, n, sku, q) in enumerate(zip(refs, numbers, skus, quantities, strict=True)):
        rows = per_line.get((ref, int(n)))
        if not rows or q is None or q <= 0:
            continue
        room = int(q)  # whole eaches: a reservation counts whole units
        taken = []
        for r in rows:
            if r.sku != sku or room <= 0:
                continue
            use = min(int(r.quantity), room)
            taken.append((r.warehouse, r.sku, use))
            room -= use
        if not taken:
            continue
        kept[(ref, int(n))] = taken
        rest = q - sum(u for _w, _s, u in taken)
        new_q[i] = rest
        keep_row[i] = rest > 0
    if not kept:
        return lines, {}
    out = lines.set_column(lines.schema.get_field_index("quantity"), "quantity",
                           pa.array(new_q, ALLOCATION_INPUT.field("quantity").type))
    return (out if keep_row.all() else out.filter(pa.array(keep_row))), kept


def with_kept(allocation: pa.Table, kept: Kept, lines: pa.Table) -> pa.Table:
    """``allocation`` (ALLOCATION rows) with the units each line keeps (``kept``, from kept_demand) added: to
    the line's allocated row of the same warehouse (ordered and allocated), else as a row of its own; the line's
    allocated rows say filled, split or partial of the whole line, as engine.allocate words them; the rows in the
    order of ``lines`` (the ALLOCATION_INPUT before kept_demand cut it)."""
    if not kept:
        return allocation
    refs = allocation["order_ref"].to_pylist()
    numbers = allocation["line_number"].to_pylist()
    touched = np.asarray([(r, int(n)) in kept for r, n in zip(refs, numbers, strict=True)], dtype=bool)
    rows = allocation.filter(pa.array(touched)).to_pylist()
    rest = allocation.filter(pa.array(~touched))
    heads = {(r, int(n)): (p, po) for r, n, p, po in zip(
        lines["order_ref"].to_pylist(), lines["line_number"].to_pylist(), lines["partner"].to_pylist(),
        lines["po_number"].to_pylist(), strict=True)}
    # the touched rows by (order, line, warehouse), in their order: each kept part finds its line's row without
    # reading every row (an 860 of 5,000 POCs keeping stock on 5,000 lines read 5,000 rows for each)
    at: dict[tuple, list[dict]] = {}
    for row in rows:
        at.setdefault((row["order_ref"], row["line_number"], row["warehouse"]), []).append(row)
    for (ref, n), parts in kept.items():
        partner, po = heads[(ref, n)]
        for warehouse, sku, units in parts:
            q = Decimal(units)
            same = next((row for row in at.get((ref, n, warehouse), ()) if row["allocated"] > 0), None)
            if same is not None:
                same["ordered"] += q
                same["allocated"] += q
                continue
            row = {"partner": partner, "order_ref": ref, "po_number": po, "line_number": n, "sku": sku,
                   "warehouse": warehouse, "ordered": q, "allocated": q, "backordered": Decimal(0),
                   "rejected": Decimal(0), "promised_date": None, "reason": "filled"}
            rows.append(row)
            at.setdefault((ref, n, warehouse), []).append(row)
    _reasons(rows)
    # a row's place: its line's in ``lines`` (allocated rows first within a line, as the allocation writes them)
    place = {k: i for i, k in enumerate(zip(lines["order_ref"].to_pylist(),
                                            [int(n) for n in lines["line_number"].to_pylist()], strict=True))}
    rows.sort(key=lambda row: (place.get((row["order_ref"], row["line_number"]), len(place)),
                               row["allocated"] == 0))
    both = pa.concat_tables([rest.cast(ALLOCATION), pa.Table.from_pylist(rows, schema=ALLOCATION)])
    at = pa.array([place.get((r, int(n)), len(place)) for r, n in zip(
        both["order_ref"].to_pylist(), both["line_number"].to_pylist(), strict=True)], pa.int64())
    return both.take(pc.sort_indices(pa.table({"_at": at}), sort_keys=[("_at", "ascending")]))


def without_unkept(totals: Sequence[Mapping], held: Mapping[Key, Sequence[Reservation]],
                   changed: Mapping[Key, set[int]], kept: Kept) -> list[dict]:
    """The reservation totals per (warehouse, SKU) the allocation sees as taken (``totals``, which count what
    the changed lines hold) less what the changed lines do not keep (a lowered line's surplus, a line the rules
    refused, another product's): free for the allocation of the same run, as the plan releases them."""
    sums: dict[tuple[str, str], int] = {(t["warehouse"], t["sku"]): int(t["quantity"]) for t in totals}
    for key, rows in held.items():
        numbers = changed.get(key)
        if not numbers:
            continue
        for r in rows:
            if r.line_number in numbers:
                sums[(r.warehouse, r.sku)] = sums.get((r.warehouse, r.sku), 0) - int(r.quantity)
    for parts in kept.values():
        for warehouse, sku, units in parts:
            sums[(warehouse, sku)] = sums.get((warehouse, sku), 0) + units
    return [{"warehouse": w, "sku": s, "quantity": q} for (w, s), q in sorted(sums.items()) if q]


def _reasons(rows: list[dict]) -> None:
    """Each line's allocated rows reasoned for the whole line (kept and newly allocated units together), as
    engine.allocate reasons a line's: partial (less allocated than the line asks), split (more than one
    warehouse), filled; a case-pack suffix (+case_pack_up / +case_pack_down) of the line's rows is kept."""
    by_line: dict[tuple[str, int], list[dict]] = {}
    for row in rows:
        by_line.setdefault((row["order_ref"], row["line_number"]), []).append(row)
    for parts in by_line.values():
        placed = [r for r in parts if r["allocated"] > 0]
        if not placed:
            continue
        asked = sum(r["ordered"] for r in parts)
        allocated = sum(r["allocated"] for r in placed)
        base = "partial" if allocated < asked else "split" if len({r["warehouse"] for r in placed}) > 1 \
            else "filled"
        suffix = next((r["reason"][r["reason"].index("+"):] for r in parts if "+" in (r["reason"] or "")), "")
        for r in placed:
            r["reason"] = base + suffix
