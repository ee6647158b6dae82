"""Stock and expected-receipt exports (CSV, as a warehouse system or an ERP writes them) read into the snapshot
tables of schemas.inventory: columns under the export's own names (a mapping), the day and the warehouse given when
the export has no column for them, a SKU's lot, bin or location rows summed into its warehouse's one row (lots
expired before the day left out), whole numbers written with decimals ("40.00"), a report's totals rows passed
over. Bad data is a ConfigError naming the file, the line and the column: nothing is read as zero. No allocation
here; writing is connectors.snapshots'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pyarrow as pa

from connectors.reference import csv_rows
from schemas.errors import ConfigError
from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

# what a stock export's columns may be read as: the snapshot's own columns; `available` (what is free: the row's
# reserved is then on_hand less it, never below 0) in place of `reserved`; a lot's number and expiry
STOCK_FIELDS = ("as_of", "warehouse", "sku", "on_hand", "reserved", "available", "lot", "expires")
RECEIPT_FIELDS = ("warehouse", "sku", "quantity", "eta", "po_number")
# the first filled cell of an export's totals row (QuickBooks' "TOTAL", a saved search's "Total", "Grand Total")
_TOTALS = frozenset({"total", "totals", "grand total", "sum", "summe", "totaal"})
# a number Excel showed in scientific notation and saved so: its digits are lost ("6.14141E+11")
_SCIENTIFIC = re.compile(r"^[+-]?\d(?:[.,]\d+)?[eE][+-]?\d+$")
# a number grouped in thousands with a decimal part that tells the marks apart: "1,200.00" (and "1.200,00")
_GROUPED_POINT = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+\.\d+$")
_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?=,\d+$|$)")


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


@dataclass(frozen=True, slots=True)
class ReceiptsRead:
    table: pa.Table  # schemas.inventory.EXPECTED_RECEIPTS
    totals: tuple[int, ...] = ()
    ignored: tuple[str, ...] = ()
    orders: tuple[str, ...] = field(default=())  # the purchase orders the receipts name (po_number), in file order


def column_key(name: str) -> str:
    """A column's name as compared: any case, blanks, dots and underscores alike ("On Hand", "on_hand", "ON-HAND";
    "Qty. Available" is "qty_available")."""
    return re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")


def read_stock_csv(data: bytes, *, name: str, columns: Mapping[str, str] | None = None, as_of: date | None = None,
                   warehouse: str | None = None, date_format: str = "%Y-%m-%d",
                   encoding: str | None = None, decimal_comma: bool = False) -> StockRead:
    """A stock export read into INVENTORY_SNAPSHOT. ``columns``: field (STOCK_FIELDS) -> the export's column name,
    its other columns then not read; None: the columns are the fields' own names (any case), no other. ``as_of`` /
    ``warehouse``: the day and the warehouse of a file with no column for them. Rows of one day, warehouse and SKU
    (lots, bins) are summed; a lot whose expiry is before the day is left out. ``decimal_comma``: numbers written
    "1.200,00"."""
    header, records = _open(data, name, encoding)
    at, ignored = _columns(header, columns, STOCK_FIELDS, name, optional=("reserved", "available", "lot", "expires"))
    if "reserved" in at and "available" in at:
        raise ConfigError("the export names both reserved and available: read one of them", file=name)
    for fieldname, given in (("as_of", as_of), ("warehouse", warehouse)):
        if fieldname not in at and given is None:
            raise ConfigError(f"the export has no {fieldname} column: name it, or give the "
                              f"{'day (--as-of)' if fieldname == 'as_of' else 'warehouse (--warehouse)'}",
                              file=name, columns=header)
    stock: dict[tuple[date, str, str], list[int]] = {}
    rows = summed = 0
    expired, totals, negative = [], [], []
    for line, record in records:
        if _is_totals(record):
            totals.append(line)
            continue
        cell = _Cells(record, header, at, name, line)
        day = _date(cell, "as_of", date_format, name, line) if "as_of" in at else as_of
        where = cell("warehouse", required=True) if "warehouse" in at else warehouse
        sku = _sku(cell, name, line)
        on_hand = _whole(cell, "on_hand", name, line, decimal_comma)
        if "available" in at:
            reserved = max(on_hand - _whole(cell, "available", name, line, decimal_comma), 0)
        elif "reserved" in at and cell("reserved"):  # an empty cell: nothing reserved
            reserved = _whole(cell, "reserved", name, line, decimal_comma)
        else:
            reserved = 0
        expires = _date(cell, "expires", date_format, name, line) if "expires" in at and cell("expires") else None
        if expires is not None and expires < day:
            expired.append((line, where, sku, cell("lot") if "lot" in at else "", expires))
            continue
        if on_hand < 0:
            negative.append((line, where, sku, on_hand))
        rows += 1
        key = (day, where, sku)
        if key in stock:
            summed += 1
            stock[key][0] += on_hand
            stock[key][1] += reserved
        else:
            stock[key] = [on_hand, reserved]
    keys = list(stock)
    table = pa.table({"as_of": pa.array([k[0] for k in keys], pa.date32()),
                      "warehouse": [k[1] for k in keys], "sku": [k[2] for k in keys],
                      "on_hand": pa.array([v[0] for v in stock.values()], pa.int64()),
                      "reserved": pa.array([v[1] for v in stock.values()], pa.int64())}, schema=INVENTORY_SNAPSHOT)
    return StockRead(table, rows, summed, tuple(expired), tuple(totals), tuple(ignored), tuple(negative))


def read_receipts_csv(data: bytes, *, name: str, columns: Mapping[str, str] | None = None,
                      warehouse: str | None = None, date_format: str = "%Y-%m-%d",
                      encoding: str | None = None, decimal_comma: bool = False) -> ReceiptsRead:
    """An expected-receipts export (open purchase orders, transfers) read into EXPECTED_RECEIPTS; ``columns`` and
    ``warehouse`` as read_stock_csv's; a row's po_number is told, not kept."""
    header, records = _open(data, name, encoding)
    at, ignored = _columns(header, columns, RECEIPT_FIELDS, name, optional=("po_number",))
    if "warehouse" not in at and warehouse is None:
        raise ConfigError("the export has no warehouse column: name it, or give the warehouse (--warehouse)",
                          file=name, columns=header)
    out: dict[str, list] = {"warehouse": [], "sku": [], "quantity": [], "eta": []}
    totals, orders = [], []
    for line, record in records:
        if _is_totals(record):
            totals.append(line)
            continue
        cell = _Cells(record, header, at, name, line)
        out["warehouse"].append(cell("warehouse", required=True) if "warehouse" in at else warehouse)
        out["sku"].append(_sku(cell, name, line))
        out["quantity"].append(_whole(cell, "quantity", name, line, decimal_comma))
        out["eta"].append(_date(cell, "eta", date_format, name, line))
        if "po_number" in at and cell("po_number") and cell("po_number") not in orders:
            orders.append(cell("po_number"))
    table = pa.table(out, schema=EXPECTED_RECEIPTS)
    return ReceiptsRead(table, tuple(totals), tuple(ignored), tuple(orders))


def _open(data: bytes, name: str, encoding: str | None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"ISA"):  # a 3PL's 846 inventory advice
        raise ConfigError("an X12 interchange (a 3PL's 846 inventory advice?), not a CSV export: inventory load reads "
                          "CSV only; ask the warehouse for its stock report as CSV", file=name)
    reader = csv_rows(data, name=name, encoding=encoding, what="export",
                      other=", or load it as Windows-1252 (--encoding cp1252)")
    header = [h.strip() for h in next(reader, [])]
    records = []
    for line, record in enumerate(reader, start=2):
        if any(cell.strip() for cell in record):
            records.append((line, record))
    return header, records


def _columns(header: list[str], columns: Mapping[str, str] | None, fields: tuple[str, ...], name: str, *,
             optional: tuple[str, ...]) -> tuple[dict[str, int], list[str]]:
    """field -> its column's position, and the export's columns not read."""
    keys = [column_key(h) for h in header]
    named = dict(columns or {})
    # a field the mapping does not name is read from a column of its own name ("SKU"), if the file has one
    rival = {"reserved": "available", "available": "reserved"}
    wanted = {f: f for f in fields if f in keys and f not in named and rival.get(f) not in named} | named
    unknown = [f for f in wanted if f not in fields]
    if unknown:
        raise ConfigError(f"no such field {unknown[0]!r} to read a column as (fields: {', '.join(fields)})",
                          file=name)
    at, missing = {}, []
    for fieldname, column in wanted.items():
        if column_key(column) in keys:
            at[fieldname] = keys.index(column_key(column))
        else:
            missing.append(column)
    needed = [f for f in fields if f not in wanted and f not in optional and f not in ("as_of", "warehouse")]
    if columns is None and (extra := [h for h, k in zip(header, keys, strict=True) if k not in fields]):
        # the file's columns are read by their own names: one not among them may be a field misspelt (a "reservd"
        # read as no reservation would promise stock held for others)
        raise ConfigError("the export has columns that are not read (name the columns to read, --column "
                          "FIELD=COLUMN, when it is a system's export)", file=name, unknown=extra, missing=needed)
    if missing or needed:
        raise ConfigError("the export has not the columns named", file=name, missing=[*missing, *needed],
                          columns=header)
    return at, [h for i, h in enumerate(header) if i not in at.values()]


class _Cells:
    """One record's cells by field; its column's name for a finding."""

    __slots__ = ("record", "header", "at", "name", "line")

    def __init__(self, record: list[str], header: list[str], at: dict[str, int], name: str, line: int) -> None:
        if len(record) != len(header):
            raise ConfigError(f"expected {len(header)} cells, found {len(record)}", file=name, line=line)
        self.record, self.header, self.at, self.name, self.line = record, header, at, name, line

    def __call__(self, fieldname: str, *, required: bool = False) -> str:
        value = self.record[self.at[fieldname]].strip()
        if required and not value:
            raise ConfigError(f"column {self.column(fieldname)!r} ({fieldname}) may not be empty", file=self.name,
                              line=self.line)
        return value

    def column(self, fieldname: str) -> str:
        return self.header[self.at[fieldname]]


def _is_totals(record: list[str]) -> bool:
    first = next((c.strip() for c in record if c.strip()), "")
    return " ".join(first.rstrip(":").split()).casefold() in _TOTALS


def _sku(cell, name: str, line: int) -> str:
    sku = cell("sku", required=True)
    if _SCIENTIFIC.match(sku):
        raise ConfigError(f"column {cell.column('sku')!r} (sku): {sku!r} is a number a spreadsheet wrote in scientific "
                          "notation, its digits lost: export the column as text", file=name, line=line)
    return sku


def _whole(cell, fieldname: str, name: str, line: int, decimal_comma: bool = False) -> int:
    """A count of units: digits, with a decimal part of zeros ("40.00") and a thousands grouping when the decimal mark
    says which is which ("1,200.00"; "1.200,00" with ``decimal_comma``); "1,200" alone is refused (1200, or 1.2 where
    the comma is the decimal mark)."""
    value = cell(fieldname, required=True)
    text = value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if decimal_comma:
        text = _GROUPED_COMMA.sub(lambda m: m.group(0).replace(".", ""), text).replace(",", ".")
    elif _GROUPED_POINT.match(text):
        text = text.replace(",", "")
    try:
        number = Decimal(text) if "," not in text else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ConfigError(f"column {cell.column(fieldname)!r} ({fieldname}): {value!r} is not a number (digits and a "
                          f"{',' if decimal_comma else '.'} before decimals"
                          f"{'' if decimal_comma else '; a decimal comma: --decimal-comma'})", file=name, line=line)
    if number != number.to_integral_value():
        raise ConfigError(f"column {cell.column(fieldname)!r} ({fieldname}): {value!r} is not a whole number of "
                          "units (stock is counted in eaches)", file=name, line=line)
    return int(number)


def _date(cell, fieldname: str, date_format: str, name: str, line: int) -> date:
    value = cell(fieldname, required=True)
    try:
        return datetime.strptime(value, date_format).date()
    except ValueError:
        try:  # an ISO date is read beside the export's own format
            return date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"column {cell.column(fieldname)!r} ({fieldname}): {value!r} is not a date "
                              f"({date_format})", file=name, line=line) from None
