"""Which orders a decide stage (or a recheck) takes, in which order, and their canonical rows.

Pure: typed records and the stored canonical tables in; the records to decide (the order numbers
the 855s), the run's ORDERS/ORDER_LINES tables (one row per PO and per line, even when a file
repeated an interchange) and what the rules and the allocation need to know about each order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from operator import attrgetter

import pyarrow as pa
import pyarrow.compute as pc

from engine.lifecycle.common import first_rows
from engine.lifecycle.table import AWAITING_PERSON, TO_DECIDE
from schemas.lifecycle import LineRecord, OrderRecord, Reservation, StoredChange
from schemas.orders import ORDER_LINES, ORDERS

Key = tuple[str, str]
_BY_KEY = attrgetter("partner", "po_number")  # OrderRecord.key, in C (a sort key per order of a night)


def to_decide(records: Iterable[OrderRecord], partners: Iterable[str]) -> list[OrderRecord]:
    """Orders the decide stage answers, by partner and PO number."""
    wanted = set(partners)
    return sorted((r for r in records if r.state in TO_DECIDE and r.partner in wanted), key=_BY_KEY)


def held(records: Iterable[OrderRecord], partners: Iterable[str] | None = None) -> list[OrderRecord]:
    """Orders waiting for a person, by partner and PO number."""
    wanted = set(partners) if partners is not None else None
    return sorted((r for r in records if r.state in AWAITING_PERSON and (wanted is None or r.partner in wanted)),
                  key=_BY_KEY)


def table_keys(records: Iterable[OrderRecord]) -> list[Key]:
    """(partner, lines_key) of the stored tables these orders need, each once, in first-use order."""
    return list(dict.fromkeys((r.partner, r.lines_key) for r in records))


def change_table_keys(changes: Iterable[StoredChange]) -> list[Key]:
    return list(dict.fromkeys((c.partner, c.store_key) for c in changes))


def base_table_keys(changes: Iterable[StoredChange]) -> list[Key]:
    return list(dict.fromkeys((c.partner, c.base_key) for c in changes if c.base_key))


def current_tables(records: list[OrderRecord],
                   tables: Mapping[Key, tuple[pa.Table, pa.Table]]) -> tuple[pa.Table, pa.Table]:
    """The current revision's ORDERS and ORDER_LINES rows of ``records``: each stored table read once
    (grouped by file in first-use order), one row per PO and per line number; each column in one chunk."""
    order_parts, line_parts = [], []
    groups: dict[Key, list[OrderRecord]] = {}
    for r in records:
        groups.setdefault((r.partner, r.lines_key), []).append(r)
    for key, members in groups.items():
        orders, lines = tables[key]
        refs = [r.order_ref for r in members]
        pos = [r.po_number for r in members]
        order_parts.append(first_rows(selected_rows(orders, refs, pos), ["po_number"]))
        line_parts.append(first_rows(selected_rows(lines, refs, pos), ["po_number", "line_number"]))
    if not order_parts:
        return ORDERS.empty_table(), ORDER_LINES.empty_table()
    # one chunk per column: the parts are one per stored file (one a partner at least: 400 partners, 400 chunks), and
    # the stages take rows of these tables per partner, a take of a chunked column joining its chunks each time
    return pa.concat_tables(order_parts).combine_chunks(), pa.concat_tables(line_parts).combine_chunks()


def selected_rows(table: pa.Table, refs: Iterable[str | None], pos: Iterable[str]) -> pa.Table:
    """The rows of a stored ORDERS or ORDER_LINES ``table`` that current_tables picks its first rows from for
    orders of these order refs and PO numbers (a row's order ref among ``refs`` and its PO among ``pos``), in
    the table's order; the table itself when every row is."""
    refs, pos = pa.array(list(refs), pa.string()), pa.array(list(pos), pa.string())
    return _kept(table, pc.and_(pc.is_in(table["order_ref"], value_set=refs),
                                pc.is_in(table["po_number"], value_set=pos)))


def stored_line_keys(records: Mapping[Key, OrderRecord], changes: Iterable[StoredChange]) -> set[Key]:
    """The orders whose stored line rows the planners need: those an 860 names, and those past their
    first revision or answered before (only they can hold deleted or cancelled lines, or lines a
    partner was told about). A new order's stored lines are its 850's, as received."""
    keys = {(c.partner, c.po_number) for c in changes}
    return keys | {k for k, r in records.items() if r.revision > 1 or r.is_revision}


def arrivals(records: Iterable[OrderRecord]) -> dict[Key, int]:
    return {r.key: r.arrival for r in records}


def changed_lines(records: Iterable[OrderRecord]) -> dict[Key, set[int]]:
    """For orders answered before: the lines to decide and allocate again (the others keep theirs)."""
    return {r.key: set(r.changed_lines) for r in records if r.is_revision}


def reserved_after(totals: Iterable[dict], before: Mapping[Key, Iterable[Reservation]],
                   after: Mapping[Key, Iterable[Reservation]]) -> list[dict]:
    """The store's reservation totals per (warehouse, SKU) as they will be once a plan that replaces
    the reservations of some orders (``before`` -> ``after``, by order) is applied: what the
    allocation of the same run must see (an 860's released units are available again)."""
    sums: dict[tuple[str, str], int] = {(t["warehouse"], t["sku"]): int(t["quantity"]) for t in totals}
    for key, rows in after.items():
        for r in before.get(key, ()):
            sums[(r.warehouse, r.sku)] = sums.get((r.warehouse, r.sku), 0) - r.quantity
        for r in rows:
            sums[(r.warehouse, r.sku)] = sums.get((r.warehouse, r.sku), 0) + r.quantity
    return [{"warehouse": w, "sku": s, "quantity": q} for (w, s), q in sorted(sums.items()) if q]


def _kept(table: pa.Table, mask: pa.ChunkedArray) -> pa.Table:
    """``table`` filtered by ``mask``; the table itself (no copy of a night's lines) when every row stays."""
    return table if pc.all(mask).as_py() is not False else table.filter(mask)


def added_lines_only(findings: list, deciding: Iterable[OrderRecord], lines: Mapping[Key, Iterable[LineRecord]],
                     orders: pa.Table, order_lines: pa.Table) -> list:
    """The rules' findings less those on lines of an order that shipped which this run does not decide
    (an 860 added lines to it: only they are decided, as an 850's lines would be). A finding on a line
    that shipped, or that was answered (IR) before, was told the partner then: it is neither reported again
    nor weighed (a hold for an old line's price would hold the shipped order, and its next shipments, for
    a person). Findings on the order's heading stay."""
    from engine.decide import _where, owners

    shipped = {r.key: set(r.changed_lines) for r in deciding
               if any(ln.shipped > 0 for ln in lines.get(r.key, ()))}
    if not shipped or not findings:
        return findings
    who = owners(orders, order_lines)
    out = []
    for f in findings:
        loc = f.location
        owner = who.get(_where(loc.file, loc.isa13, loc.gs06, loc.st02))
        if owner in shipped and loc.line_number is not None and int(loc.line_number) not in shipped[owner]:
            continue
        out.append(f)
    return out
