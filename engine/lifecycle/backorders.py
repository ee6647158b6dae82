"""Backorders allocated in later runs: units an acknowledged (or partly shipped) order still waits for
are offered the stock a run finds (a new snapshot, a receipt that arrived); what the allocation places
is reserved and moves from backordered to allocated, what it cannot place stays backordered with the
date the partner was promised (never re-promised silently: that would need a new 855).

Pure: typed records in, ALLOCATION_INPUT rows out (``backorder_input``), then the allocation's rows
in and a Plan out (``plan_backorders``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import pyarrow as pa

from engine.lifecycle.common import isolated
from engine.lifecycle.table import SHIPPABLE, move
from schemas.inventory import ALLOCATION_INPUT
from schemas.lifecycle import (
    EventKind,
    LineRecord,
    LineState,
    OrderLines,
    OrderRecord,
    OrderReservations,
    Plan,
    Reservation,
)

Key = tuple[str, str]


def waiting(records: Iterable[OrderRecord], lines: Mapping[Key, Sequence[LineRecord]]) -> list[OrderRecord]:
    """Orders with backordered units that may now be allocated (by partner and PO)."""
    return sorted((r for r in records if r.state in SHIPPABLE
                   and any(ln.backordered > 0 and ln.sku for ln in lines.get(r.key, ()))), key=lambda r: r.key)


def backorder_input(records: Sequence[OrderRecord], lines: Mapping[Key, Sequence[LineRecord]]) -> pa.Table:
    """ALLOCATION_INPUT for the backordered units of ``records`` (no case-pack rounding: the units
    were rounded when the order was first allocated), ranked by the orders' PO date and arrival."""
    rows = []
    for r in records:
        for ln in lines.get(r.key, ()):
            if ln.backordered > 0 and ln.sku:
                rows.append({"partner": r.partner, "order_ref": f"{r.partner}|{r.po_number}", "po_number": r.po_number,
                             "line_number": ln.line_number, "sku": ln.sku, "quantity": ln.backordered,
                             "requested_ship_date": ln.promised_date, "po_date": r.po_date, "arrival": r.arrival,
                             "case_pack": None})
    return pa.Table.from_pylist(rows, schema=ALLOCATION_INPUT)


def plan_backorders(records: Sequence[OrderRecord], *, lines: Mapping[Key, Sequence[LineRecord]],
                    reservations: Mapping[Key, Sequence[Reservation]], allocation: pa.Table, at: str,
                    run_id: str) -> Plan:
    """Reserve what the allocation placed (its rows with a warehouse and units allocated); each order
    that got something records ``backorder_allocated``."""
    placed: dict[Key, dict[int, list[tuple[str, str, int]]]] = {}
    cols = ("partner", "po_number", "line_number", "sku", "warehouse", "allocated")
    for p, po, n, sku, wh, qty in zip(*(allocation[c].to_pylist() for c in cols), strict=True):
        units = int(qty or 0)
        if wh and units > 0:
            placed.setdefault((p, po), {}).setdefault(n, []).append((wh, sku, units))
    parts = []
    for r in records:
        if r.key not in placed:
            continue
        parts.append(isolated(r, lambda r=r: _one(r, lines.get(r.key, ()), reservations.get(r.key, ()),
                                                  placed[r.key], at=at, run_id=run_id),
                              at=at, run_id=run_id, stage="decide"))
    return Plan.combine(parts)


def _one(record: OrderRecord, lines: Sequence[LineRecord], reserved: Sequence[Reservation],
         placed: Mapping[int, list[tuple[str, str, int]]], *, at: str, run_id: str) -> Plan:
    rows = {(x.line_number, x.warehouse): x for x in reserved}
    new_lines = []
    total = 0
    for ln in lines:
        got = placed.get(ln.line_number)
        if not got:
            new_lines.append(ln)
            continue
        units = min(sum(u for _w, _s, u in got), ln.backordered)
        left = units
        for wh, sku, u in got:
            take = min(u, left)
            left -= take
            if take:
                before = rows.get((ln.line_number, wh))
                rows[(ln.line_number, wh)] = Reservation(record.partner, record.po_number, ln.line_number, wh, sku,
                                                         take + (before.quantity if before else 0))
        backordered = ln.backordered - units
        state = ln.state
        if not ln.shipped:
            state = LineState.BACKORDERED if backordered else LineState.ALLOCATED
        warehouses = ",".join(sorted({*filter(None, ln.warehouses.split(",")), *(w for w, _s, _u in got)}))
        new_lines.append(replace(ln, allocated=ln.allocated + units, backordered=backordered, state=state,
                                 promised_date=ln.promised_date if backordered else None, warehouses=warehouses,
                                 run_id=run_id))
        total += units
    t = move(record, EventKind.BACKORDER_ALLOCATED, at=at, run_id=run_id,
             note=f"{total} backordered unit(s) allocated from stock")
    return Plan(transitions=(t,), lines=(OrderLines(*record.key, tuple(new_lines)),),
                reservations=(OrderReservations(*record.key, tuple(rows[k] for k in sorted(rows))),))


__all__ = ["backorder_input", "plan_backorders", "waiting"]
