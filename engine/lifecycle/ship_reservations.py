"""What a ship run consumes of the orders' reservations (engine.lifecycle.shipping plans it): the whole
eaches each shipment takes of each order line (units_shipped), taken from the line's reservations, the shipping
warehouse's first (consumed), and the reservations left of the orders changed (final_reservations).

Pure: tables in, tables and arrays out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.columnar import SCALE, scaled
from schemas.grouping import encode, lookup
from schemas.lifecycle import ORDER_KEYS, RESERVATION_ROWS, ReservationTable

Key = tuple[str, str]


def final_reservations(table: pa.Table, keys: Sequence[Key], units: pa.Table | np.ndarray, stock_warehouse: str
                       ) -> ReservationTable:
    """The reservations (RESERVATION_ROWS ``table``) of the orders ``keys`` (those changed, in the order
    first changed; each order's in their stored order) less the ``units`` shipped on each line
    (units_shipped; or each reservation's: units_of_reservations), those left above 0."""
    touched = pa.table({"partner": pa.array([k[0] for k in keys], pa.string()),
                        "po_number": pa.array([k[1] for k in keys], pa.string())}, schema=ORDER_KEYS)
    at = table.schema.get_field_index("quantity")
    left = consumed(table, units, stock_warehouse)
    rows = table.set_column(at, "quantity", pa.array(left, pa.int64()))
    rank = lookup([table["partner"], table["po_number"]], [touched["partner"], touched["po_number"]])
    if rank is None:  # an order named twice: as the join pairs them
        rows = rows.append_column("_i", pa.array(np.arange(rows.num_rows, dtype=np.int64))).join(
            touched.append_column("_rank", pa.array(np.arange(len(keys), dtype=np.int64))), ["partner", "po_number"],
            join_type="inner", use_threads=False)
        rows = rows.filter(pc.greater(rows["quantity"], 0)).sort_by([("_rank", "ascending"), ("_i", "ascending")])
    else:  # each touched order's rows left above 0, the orders in their order, each's rows in stored order
        kept = np.flatnonzero((rank >= 0) & (left > 0))
        rows = rows.take(pa.array(kept[np.argsort(rank[kept], kind="stable")]))
    return ReservationTable(touched, rows.select(RESERVATION_ROWS.names).cast(RESERVATION_ROWS))


def units_shipped(lines: pa.Table, sent: Sequence[str], partners: Mapping[str, str]) -> pa.Table:
    """(partner, po_number, line_number, units): the whole eaches the ``sent`` shipments consume of each
    order line (reservations count eaches): each shipment's quantity of the line (its confirmation
    ``lines``) in eaches, rounded up, summed over the shipments. ``partners``: shipment id -> its
    partner (an order's partner is its shipment's)."""
    ids = pa.array(sent, pa.string())
    lines = lines.filter(pc.is_in(lines["shipment_id"], value_set=ids))
    partner = pa.array([partners[sid] for sid in sent], pa.string()).take(pc.index_in(lines["shipment_id"],
                                                                                      value_set=ids))
    per = pa.table({"shipment_id": lines["shipment_id"], "partner": partner, "po_number": lines["po_number"],
                    "line_number": lines["line_number"],
                    "q": scaled(lines["quantity"])[0] * line_eaches(lines)}).group_by(
        ["shipment_id", "partner", "po_number", "line_number"], use_threads=False).aggregate([("q", "sum")])
    whole = pa.array(-(-per["q_sum"].to_numpy() // SCALE), pa.int64())  # each shipment's, rounded up
    return per.append_column("units", whole).group_by(["partner", "po_number", "line_number"], use_threads=False
                                                      ).aggregate([("units", "sum")]).rename_columns(
        ["partner", "po_number", "line_number", "units"])


def line_eaches(lines: pa.Table) -> np.ndarray:
    """Each checked line's eaches in one unit of its order line (rules.shipments: line_eaches; 1 when
    not given): reservations count eaches, a line's quantities its own unit."""
    if "line_eaches" not in lines.column_names:
        return np.ones(lines.num_rows, np.int64)
    return np.asarray(pc.fill_null(lines["line_eaches"], 1).to_numpy(zero_copy_only=False), np.int64)


def units_of_reservations(reservations: pa.Table, lines: pa.Table, line_units: np.ndarray) -> np.ndarray:
    """Each reservation's line's ``line_units`` (one per row of ``lines``, whose (partner, PO, line number)
    are distinct), 0 for a reservation of a line not among them."""
    keys = ["partner", "po_number", "line_number"]
    m = lines.num_rows
    code, n = encode(*(pa.chunked_array([*lines[k].chunks, *reservations[k].chunks], lines[k].type) for k in keys))
    at = np.full(n, -1, np.int64)
    at[code[:m]] = np.arange(m)
    line = at[code[m:]]
    return np.where(line >= 0, line_units[np.maximum(line, 0)] if m else 0, 0).astype(np.int64)


def consumed(reservations: pa.Table, units: pa.Table | np.ndarray, stock_warehouse: str) -> np.ndarray:
    """Each reservation's quantity (RESERVATION_ROWS) less what the ``units`` shipped of its line
    (partner, po_number, line_number, units; or already each reservation's: units_of_reservations)
    take: a line's reservations are consumed the shipping
    warehouse's first, then the others by warehouse name (stored order among equals), each up to its
    quantity. Quantities and units are >= 0 (as stored; rules.shipments holds a quantity that is not
    positive), so shipments consumed one after the other take what their sum takes at once."""
    n = reservations.num_rows
    if not n:
        return np.zeros(0, np.int64)
    keys = ["partner", "po_number", "line_number"]
    index = pa.array(np.arange(n, dtype=np.int64))
    if isinstance(units, np.ndarray):
        shipped = units
    else:
        joined = reservations.select(keys).append_column("_i", index).join(
            units.select([*keys, "units"]), keys, join_type="left outer", use_threads=False).sort_by("_i")
        shipped = pc.fill_null(joined["units"], 0).to_numpy(zero_copy_only=False).astype(np.int64)
    line, _ = encode(*(reservations[k] for k in keys))
    order = pc.sort_indices(pa.table({"line": line, "other": pc.not_equal(reservations["warehouse"], stock_warehouse),
                                      "warehouse": reservations["warehouse"], "i": index}),
                            sort_keys=[("line", "ascending"), ("other", "ascending"), ("warehouse", "ascending"),
                                       ("i", "ascending")]).to_numpy(zero_copy_only=False)
    quantity = reservations["quantity"].to_numpy(zero_copy_only=False).astype(np.int64)[order]
    g = line[order]
    before = np.cumsum(quantity) - quantity
    starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    before -= np.repeat(before[starts], np.diff(np.r_[starts, n]))  # what the line's earlier reservations hold
    left = np.empty(n, np.int64)
    left[order] = quantity - np.clip(shipped[order] - before, 0, quantity)
    return left
