"""Inventory and allocation tables (Arrow schemas): snapshot, expected receipts, allocation result.

Stock is counted in whole selling units as int64 (one unit = one `each` of the resolved SKU), so
the engine's arithmetic is exact integer arithmetic. Order quantities stay decimal128(18,4)
(schemas.orders.QTY); the allocation result reports them in the same decimal type.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.orders import QTY

UNITS = pa.int64()  # whole selling units

# One row per (warehouse, sku) on one day. on_hand counts what is physically there; reserved is
# stock already promised elsewhere (open picks, holds). Both int64 units, never null.
INVENTORY_SNAPSHOT = pa.schema(
    [
        pa.field("as_of", pa.date32(), nullable=False),
        pa.field("warehouse", pa.string(), nullable=False),
        pa.field("sku", pa.string(), nullable=False),
        pa.field("on_hand", UNITS, nullable=False),
        pa.field("reserved", UNITS, nullable=False),
    ]
)

# One row per expected inbound (purchase order to a supplier, transfer). Several rows may share a
# (warehouse, sku, eta).
EXPECTED_RECEIPTS = pa.schema(
    [
        pa.field("warehouse", pa.string(), nullable=False),
        pa.field("sku", pa.string(), nullable=False),
        pa.field("quantity", UNITS, nullable=False),
        pa.field("eta", pa.date32(), nullable=False),
    ]
)

# Stock held for work outside this run (e.g. orders allocated in an earlier run, not yet picked).
RESERVATIONS = pa.schema(
    [
        pa.field("warehouse", pa.string(), nullable=False),
        pa.field("sku", pa.string(), nullable=False),
        pa.field("quantity", UNITS, nullable=False),
    ]
)

# What allocate() needs from an order line. `sku` is the resolved item id, `quantity` in eaches,
# `arrival` the order of arrival (lower = earlier), `case_pack` the eaches per case (null = sold by the
# each), `unit_eaches` the eaches per unit the line was ordered in (a line of 2 PK of 6 is 12 eaches,
# allocated 6 at a time).
ALLOCATION_INPUT = pa.schema(
    [
        pa.field("partner", pa.string(), nullable=False),
        pa.field("order_ref", pa.string(), nullable=False),
        pa.field("po_number", pa.string(), nullable=False),
        pa.field("line_number", pa.int32(), nullable=False),
        pa.field("sku", pa.string(), nullable=False),
        pa.field("quantity", QTY),
        pa.field("requested_ship_date", pa.date32()),
        pa.field("po_date", pa.date32()),
        pa.field("arrival", pa.int64(), nullable=False),
        pa.field("case_pack", pa.int64()),
        pa.field("unit_eaches", pa.int64()),  # eaches per ordered unit (PO103); null = 1
        pa.field("deliver_by", pa.date32()),  # the order's DTM 001 / 063, the earlier: no promise after it
        pa.field("no_backorder", pa.bool_()),  # the order's CSH01 forbids backorders (N, SP): nothing promised
    ]
)

# One row per *piece* of an order line: one per warehouse it is allocated from, one for the part
# backordered, one for the part rejected (a line with nothing to place gets a single row).
# On every row ordered == allocated + backordered + rejected, so summing the rows of a line gives
# the line's totals. `ordered` is the line quantity after case-pack rounding (the reason says so).
ALLOCATION = pa.schema(
    [
        pa.field("partner", pa.string(), nullable=False),
        pa.field("order_ref", pa.string(), nullable=False),
        pa.field("po_number", pa.string(), nullable=False),
        pa.field("line_number", pa.int32(), nullable=False),
        pa.field("sku", pa.string(), nullable=False),
        pa.field("warehouse", pa.string()),  # null on backordered / rejected rows
        pa.field("ordered", QTY, nullable=False),
        pa.field("allocated", QTY, nullable=False),
        pa.field("backordered", QTY, nullable=False),
        pa.field("rejected", QTY, nullable=False),
        pa.field("promised_date", pa.date32()),  # set on backordered rows only
        pa.field("reason", pa.string(), nullable=False),
    ]
)

# One row per snapshot (warehouse, sku). reserved = snapshot reserved + run reservations;
# available_after = max(on_hand - reserved, 0) - allocated_now.
AVAILABILITY = pa.schema(
    [
        pa.field("warehouse", pa.string(), nullable=False),
        pa.field("sku", pa.string(), nullable=False),
        pa.field("on_hand", UNITS, nullable=False),
        pa.field("reserved", UNITS, nullable=False),
        pa.field("allocated_now", UNITS, nullable=False),
        pa.field("available_after", UNITS, nullable=False),
    ]
)

# what a stock export's columns may be read as (connectors.stock_csv, a stored layout's [stock.columns]): the
# snapshot's own columns; `available` (what is free: the row's reserved is then on_hand less it, never below 0) in
# place of `reserved`; a lot's number and expiry; the unit the row counts in
STOCK_FIELDS = ("as_of", "warehouse", "sku", "on_hand", "reserved", "available", "lot", "expires", "unit")
RECEIPT_FIELDS = ("warehouse", "sku", "quantity", "eta", "po_number", "unit")
