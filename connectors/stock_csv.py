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
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pyarrow as pa

from connectors.reference import csv_rows
from schemas.errors import ConfigError
from schemas.inventory import (  # the reads and the layout live in schemas: engine.inventory_846 makes them too
    EXPECTED_RECEIPTS,
    RECEIPT_FIELDS,
    STOCK_FIELDS,
    ExportLayout,
    ReceiptsRead,
    StockRead,
    add_stock,
    stock_table,
)

# the first filled cell of an export's totals row (QuickBooks' "TOTAL", a saved search's "Total", "Grand Total")
_TOTALS = frozenset({"total", "totals", "grand total", "sum", "summe", "totaal"})
# a number Excel showed in scientific notation and saved so: its digits are lost ("6.14141E+11")
_SCIENTIFIC = re.compile(r"^[+-]?\d(?:[.,]\d+)?[eE][+-]?\d+$")
# a number grouped in thousands with a decimal part that tells the marks apart: "1,200.00" (and "1.200,00")
_GROUPED_POINT = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+\.\d+$")
_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?=,\d+$|$)")


def column_key(name: str) -> str:
    """A column's name as compared: any case, blanks, dots and underscores alike ("On Hand", "on_hand", "ON-HAND";
    "Qty. Available" is "qty_available")."""
    return re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")


# what a row's unit cell may say for an each (any case), and for a case: its items.csv case_pack, or the
# item_units.csv row of its unit
EACH_WORDS = frozenset({"EA", "EACH", "EACHES", "UN", "UNIT", "UNITS", "PC", "PCS", "PIECE", "PIECES"})
CASE_WORDS = frozenset({"CA", "CS", "CASE", "CASES"})


PLAIN = ExportLayout()  # our own columns, ISO dates, UTF-8, a point before decimals


def read_stock_csv(data: bytes, *, name: str, layout: ExportLayout = PLAIN,
                   eaches: Mapping[tuple[str, str], int] | None = None) -> StockRead:
    """A stock export read into INVENTORY_SNAPSHOT (``layout``: how it is written). Rows of one day, warehouse and
    SKU (lots, bins) are summed; a lot whose expiry is before the day is left out. A row whose unit (field ``unit``)
    is not an each is counted in eaches by ``eaches``: (SKU, unit in capitals) -> eaches in one (a case: "CA")."""
    header, records = _open(data, name, layout.encoding)
    at, ignored = _columns(header, layout.columns, STOCK_FIELDS, name,
                           optional=("reserved", "available", "lot", "expires", "unit"))
    if "reserved" in at and "available" in at:
        raise ConfigError("the export names both reserved and available: read one of them", file=name)
    for fieldname, given in (("as_of", layout.as_of), ("warehouse", layout.warehouse)):
        if fieldname not in at and given is None:
            raise ConfigError(f"the export has no {fieldname} column: name it, or give the "
                              f"{'day (--as-of)' if fieldname == 'as_of' else 'warehouse (--warehouse)'}",
                              file=name, columns=header)
    places = {k.strip().casefold(): v for k, v in layout.locations.items()}
    stock: dict[tuple[date, str, str], list[int]] = {}
    rows = summed = 0
    expired, totals, negative, cased, zeroed = [], [], [], [], []
    for line, record in records:
        if _is_totals(record):
            totals.append(line)
            continue
        cell = _Cells(record, header, at, name, line)
        day = _date(cell, "as_of", layout) if "as_of" in at else layout.as_of
        where = _warehouse(cell, layout, places)
        sku = _sku(cell)
        per = _per_unit(cell, sku, eaches)
        on_hand = _whole(cell, "on_hand", layout) * per
        if "available" in at:
            reserved = max(on_hand - _whole(cell, "available", layout) * per, 0)
        elif "reserved" in at and cell("reserved"):  # an empty cell: nothing reserved
            reserved = _whole(cell, "reserved", layout) * per
        else:
            reserved = 0
        if per != 1:
            cased.append((line, sku, cell("unit"), per))
        zeroed += [(line, sku, column) for column in cell.empty]
        expires = _date(cell, "expires", layout) if "expires" in at and cell("expires") else None
        if expires is not None and expires < day:
            expired.append((line, where, sku, cell("lot") if "lot" in at else "", expires))
            continue
        if on_hand < 0:
            negative.append((line, where, sku, on_hand))
        rows += 1
        summed += add_stock(stock, (day, where, sku), on_hand, reserved)
    return StockRead(stock_table(stock), rows, summed, tuple(expired), tuple(totals), tuple(ignored),
                     tuple(negative), tuple(cased), zeroed=tuple(zeroed))


def read_receipts_csv(data: bytes, *, name: str, layout: ExportLayout = PLAIN,
                      eaches: Mapping[tuple[str, str], int] | None = None) -> ReceiptsRead:
    """An expected-receipts export (open purchase orders, transfers) read into EXPECTED_RECEIPTS; ``layout`` and
    ``eaches`` as read_stock_csv's (its as_of not used); a row's po_number is told, not kept."""
    header, records = _open(data, name, layout.encoding)
    at, ignored = _columns(header, layout.columns, RECEIPT_FIELDS, name, optional=("po_number", "unit"))
    if "warehouse" not in at and layout.warehouse is None:
        raise ConfigError("the export has no warehouse column: name it, or give the warehouse (--warehouse)",
                          file=name, columns=header)
    places = {k.strip().casefold(): v for k, v in layout.locations.items()}
    out: dict[str, list] = {"warehouse": [], "sku": [], "quantity": [], "eta": []}
    totals, orders, rows, zeroed = [], [], [], []
    for line, record in records:
        if _is_totals(record):
            totals.append(line)
            continue
        cell = _Cells(record, header, at, name, line)
        out["warehouse"].append(_warehouse(cell, layout, places))
        sku = _sku(cell)
        out["sku"].append(sku)
        out["quantity"].append(_whole(cell, "quantity", layout) * _per_unit(cell, sku, eaches))
        out["eta"].append(_date(cell, "eta", layout))
        order = cell("po_number") if "po_number" in at else ""
        if order and order not in orders:
            orders.append(order)
        rows.append((line, order))
        zeroed += [(line, sku, column) for column in cell.empty]
    table = pa.table(out, schema=EXPECTED_RECEIPTS)
    return ReceiptsRead(table, tuple(totals), tuple(ignored), tuple(orders), tuple(rows), tuple(zeroed))


def _warehouse(cell, layout: ExportLayout, places: dict[str, str]) -> str:
    if "warehouse" not in cell.at:
        return layout.warehouse
    where = cell("warehouse", required=True)
    return places.get(where.casefold(), where)


def _per_unit(cell, sku: str, eaches: Mapping[tuple[str, str], int] | None) -> int:
    """Eaches in one of the row's unit: 1 for an each (or no unit column, or an empty cell)."""
    if "unit" not in cell.at:
        return 1
    unit = cell("unit").upper()
    if not unit or unit in EACH_WORDS:
        return 1
    for code in ((unit, "CA", "CS") if unit in CASE_WORDS else (unit,)):
        if eaches and (sku, code) in eaches:
            return eaches[(sku, code)]
    raise ConfigError(f"column {cell.column('unit')!r} (unit): {cell('unit')!r} of {sku}: no items.csv case_pack "
                      "nor item_units.csv row says how many eaches it holds", file=cell.name, line=cell.line)


def _open(data: bytes, name: str, encoding: str | None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"ISA"):  # a receipts file given an 846 (flows reads them)
        raise ConfigError("an X12 interchange, not a CSV export: only the stock may be an 846", file=name)
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

    __slots__ = ("record", "header", "at", "name", "line", "empty")

    def __init__(self, record: list[str], header: list[str], at: dict[str, int], name: str, line: int) -> None:
        if len(record) != len(header):
            raise ConfigError(f"expected {len(header)} cells, found {len(record)}", file=name, line=line)
        self.record, self.header, self.at, self.name, self.line = record, header, at, name, line
        self.empty: list[str] = []  # the columns of quantities read as 0 from an empty cell (empty_is_zero)

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


def _sku(cell) -> str:
    sku = cell("sku", required=True)
    if _SCIENTIFIC.match(sku):
        raise ConfigError(f"column {cell.column('sku')!r} (sku): {sku!r} is a number a spreadsheet wrote in scientific "
                          "notation, its digits lost: export the column as text", file=cell.name, line=cell.line)
    return sku


def _whole(cell, fieldname: str, layout: ExportLayout) -> int:
    """A count of units: digits, with a decimal part of zeros ("40.00") and a thousands grouping when the decimal mark
    says which is which ("1,200.00"; "1.200,00" with ``decimal_comma``); "1,200" alone is refused (1200, or 1.2 where
    the comma is the decimal mark)."""
    if layout.empty_is_zero and not cell(fieldname):
        cell.empty.append(cell.column(fieldname))
        return 0
    value, decimal_comma, name, line = cell(fieldname, required=True), layout.decimal_comma, cell.name, cell.line
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


def _date(cell, fieldname: str, layout: ExportLayout) -> date:
    value, date_format, name, line = cell(fieldname, required=True), layout.date_format, cell.name, cell.line
    try:
        return datetime.strptime(value, date_format).date()
    except ValueError:
        try:  # an ISO date is read beside the export's own format
            return date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"column {cell.column(fieldname)!r} ({fieldname}): {value!r} is not a date "
                              f"({date_format})", file=name, line=line) from None
