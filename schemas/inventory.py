"""Inventory and allocation tables (Arrow schemas): snapshot, expected receipts, allocation result.

Stock is counted in whole selling units as int64 (one unit = one `each` of the resolved SKU), so
the engine's arithmetic is exact integer arithmetic. Order quantities stay decimal128(18,4)
(schemas.orders.QTY); the allocation result reports them in the same decimal type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

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

# The reason of the ALLOCATION row placing the units a changed line shipped while its order was held for a person
# ("4 shipped while held", engine.kept_stock.shipped_rows: nothing reserved); the line's other rows, what the run
# placed of the rest, say so ("rest: filled"): the line's reason reads what happened to each part
SHIPPED_WHILE_HELD = "shipped while held"
REST = "rest: "

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


# --- a stock export or an 846 read (connectors.stock_csv, engine.inventory_846) ----------------------------------
@dataclass(frozen=True, slots=True)
class StockRead:
    """An export read: the snapshot (one row per day, warehouse and SKU) and what the reading did to its rows."""

    table: pa.Table  # schemas.inventory.INVENTORY_SNAPSHOT
    rows: int  # the export's rows of stock read (totals rows and expired lots not counted)
    summed: int = 0  # rows added into another row of their warehouse and SKU (lots, bins, locations)
    expired: tuple[tuple[int, str, str, str, date], ...] = ()  # (line, warehouse, sku, lot, expiry) left out
    totals: tuple[int, ...] = ()  # the lines of totals rows passed over
    ignored: tuple[str, ...] = ()  # the export's columns not read
    negative: tuple[tuple[int, str, str, int], ...] = ()  # (line, warehouse, sku, on hand) rows below zero
    cased: tuple[tuple[int, str, str, int], ...] = ()  # (line, sku, unit, eaches in one) rows not in eaches
    at: str = "line"  # what the positions count: the file's lines, an 846's segments
    zeroed: tuple[tuple[int, str, str], ...] = ()  # (line, sku, column) empty quantity cells read as 0
    held: tuple[tuple[int, str, str, str, int], ...] = ()  # an 846's (segment, warehouse, sku, QTY01, eaches)
    # held back from what is free (on hold, damaged ...)
    unread: tuple[tuple[int, str, str], ...] = ()  # an 846's (segment, sku, what was not counted and why)


@dataclass(frozen=True, slots=True)
class ReceiptsRead:
    table: pa.Table  # schemas.inventory.EXPECTED_RECEIPTS
    totals: tuple[int, ...] = ()
    ignored: tuple[str, ...] = ()
    orders: tuple[str, ...] = field(default=())  # the purchase orders the receipts name (po_number), in file order
    rows: tuple[tuple[int, str], ...] = ()  # each table row's (line, po_number or ""), in the table's order
    zeroed: tuple[tuple[int, str, str], ...] = ()  # (line, sku, column) empty quantity cells read as 0
    at: str = "line"  # what the rows' positions count: the file's lines, an 846's segments


@dataclass(frozen=True, slots=True)
class ExportLayout:
    """How one system's export is written. ``columns``: field -> the export's column name (its other columns then
    not read); None: the columns are the fields' own names (any case), no other. ``as_of`` / ``warehouse``: the day
    and the warehouse of a file with no column for them. ``locations``: the export's names of our warehouses (a
    NetSuite location "East Coast DC", a 3PL's fulfillment center) -> the snapshot's warehouse code, any case."""

    columns: Mapping[str, str] | None = None
    as_of: date | None = None
    warehouse: str | None = None
    date_format: str = "%Y-%m-%d"
    encoding: str | None = None
    decimal_comma: bool = False  # numbers written "1.200,00"
    locations: Mapping[str, str] = field(default_factory=dict)
    # an empty quantity cell (on_hand, available, reserved, quantity) is 0: NetSuite's saved searches and
    # QuickBooks' reports print a zero that way. Off: an empty cell is refused at its line and column (a cell cleared
    # by hand, a column shifted, a formula that failed would otherwise read as no stock)
    empty_is_zero: bool = False
    # an 846's (engine.inventory_846): QTY01 -> what it is read as (parsers.inventory_846.ROLES: "34" =
    # "available" for a 3PL whose guide says so); the QTY01 an SDQ's quantities are of (None: the QTY before it);
    # LQ codes (LQ02, any case) that hold an item's stock whole (damaged, on hold); whether QTY 17 counts the held
    # stock (QTY QH, 74 ...: then taken from what is free) or leaves it out (then added to it, held)
    qty: Mapping[str, str] = field(default_factory=dict)
    sdq: str | None = None
    held_codes: tuple[str, ...] = ()
    held_in_on_hand: bool = True
    # a receipts export replaces the receipts loaded before of the warehouses it names ("warehouses"), or all of them
    # ("all": an ERP's every open purchase order, where a warehouse with none left has none coming)
    replace: str = "warehouses"


def add_stock(stock: dict[tuple[date, str, str], list[int]], key: tuple[date, str, str], on_hand: int,
              reserved: int) -> int:
    """``on_hand`` and ``reserved`` added to ``stock[key]`` (a second row of one warehouse's SKU: another lot or bin);
    1 when the key was there already (a row summed), else 0."""
    if key in stock:
        stock[key][0] += on_hand
        stock[key][1] += reserved
        return 1
    stock[key] = [on_hand, reserved]
    return 0


def stock_table(stock: Mapping[tuple[date, str, str], list[int]]) -> pa.Table:
    """INVENTORY_SNAPSHOT of (day, warehouse, SKU) -> [on hand, reserved], in that order."""
    keys = list(stock)
    return pa.table({"as_of": pa.array([k[0] for k in keys], pa.date32()),
                     "warehouse": [k[1] for k in keys], "sku": [k[2] for k in keys],
                     "on_hand": pa.array([v[0] for v in stock.values()], pa.int64()),
                     "reserved": pa.array([v[1] for v in stock.values()], pa.int64())}, schema=INVENTORY_SNAPSHOT)
