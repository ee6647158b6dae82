"""`orderbridge inventory load`: a stock export and an expected-receipts export into the workspace's inventory/
(connectors.stock_csv reads a CSV export, engine.inventory_846 a 3PL's 846; connectors.snapshots writes them), and
what a person should know of the load: what it summed, left out, replaced and kept, and what looks like a mistake
(SKUs no item knows, warehouses no DC ships from). Wiring only: no parsing here, nothing decided about orders.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow as pa

from connectors.reference import read_reference_csv
from connectors.snapshots import known_warehouses, merge_receipts, merge_snapshot, write_receipts
from connectors.stock_csv import (
    CASE_WORDS,
    ExportLayout,
    ReceiptsRead,
    StockRead,
    read_receipts_csv,
    read_stock_csv,
)
from engine.inventory_846 import read_advice
from flows.workspace import Workspace
from schemas.errors import ConfigError
from schemas.inventory import EXPECTED_RECEIPTS
from schemas.inventory_layout import InventoryLayout, load_inventory_layout
from schemas.reference import SCHEMAS

# what a layout (stored, or the command line) may say of a file's values beside its columns
_FORMATS = ("date_format", "decimal_comma", "encoding", "empty_is_zero", "warehouse")
_RIVALS = {"reserved": "available", "available": "reserved"}


def export_layouts(ws: Workspace, name: str | None, *, shared: dict, stock: dict, receipts: dict,
                   locations: dict[str, str] | None = None) -> tuple[ExportLayout, ExportLayout]:
    """The stock's and the receipts' layouts, each value from the first that gives it: the command line's option
    for that file (``stock``, ``receipts``: columns, as_of, the receipts' own formats), its option for both
    (``shared``), the stored layout ``name``'s table for that file ([stock], [receipts]), the stored layout's shared
    value, the default. Columns are merged field by field (the command line's mapping of a field wins; its
    ``available`` replaces a stored ``reserved`` and the other way round); locations name by name. ConfigError
    when the layout is missing or invalid."""
    stored = load_inventory_layout(ws.inventory_dir / "layouts", name) if name else InventoryLayout()
    places = {**stored.locations, **(locations or {})}
    out = []
    for own, given in ((stored.stock, stock), (stored.receipts, receipts)):
        values = {k: v for k, v in ((k, getattr(stored, k)) for k in _FORMATS) if v is not None}
        values |= {k: v for k, v in ((k, getattr(own, k)) for k in _FORMATS) if v is not None}
        values |= {k: v for k, v in shared.items() if v is not None}
        values |= {k: v for k, v in given.items() if v is not None and k not in ("columns", "replace")}
        columns = dict(own.columns)
        for field_name, column in (given.get("columns") or {}).items():
            columns.pop(_RIVALS.get(field_name, ""), None)
            columns[field_name] = column
        out.append(ExportLayout(columns=columns or None, locations=places, **values))
    advice = stored.advice
    scope = receipts.get("replace") or stored.receipts.replace or "warehouses"
    return (replace(out[0], qty=dict(advice.qty), sdq=advice.sdq, held_codes=tuple(advice.held_codes),
                    held_in_on_hand=advice.held_in_on_hand),
            replace(out[1], replace=scope))


@dataclass(frozen=True, slots=True)
class LoadSaid:
    lines: list[str]  # the load's summary line, then what it did beside reading rows
    warnings: list[str]  # what is likely a mistake in what it loaded


def load_exports(ws: Workspace, stock: Path, receipts: Path | None, layout: ExportLayout,
                 receipt_layout: ExportLayout, *, new_warehouses: Iterable[str] = ()) -> LoadSaid:
    """Read both exports (nothing written when either is refused: ConfigError at its line and column), then write
    the stock day by day and warehouse by warehouse, and the receipts whole (when given, or none were loaded yet).
    A warehouse code neither a warehouse profile ships from nor the store has held is refused, when there are such
    codes, unless ``new_warehouses`` names it (_unknown_warehouses): one rule with warehouse profiles or without."""
    items = _items(ws)
    eaches = _unit_eaches(ws, items)
    ours = _our_warehouses(ws)
    # the codes loaded before and the profiles' are ours, in any case ("east" is the EAST loaded before); a profile's
    # spelling wins over the store's, the layout's or --location's mapping over both
    held = known_warehouses(ws.inventory_dir / "snapshots", ws.inventory_dir / "receipts.parquet")
    known = held | set(ours.values())
    places = {k.casefold(): k for k in sorted(held, reverse=True)} | ours | {k.casefold(): v for k, v in
                                                                            layout.locations.items()}
    given = dict(layout.locations)  # as the layout and the command line write them, for the refusal to name
    layout, receipt_layout = replace(layout, locations=places), replace(receipt_layout, locations=places)
    data = stock.read_bytes()
    advised = None  # an 846's quantities on order or in transit, dated
    if _is_x12(data):
        read, advised = read_advice(data, name=str(stock), layout=layout, items=items, eaches=eaches)
    else:
        read = read_stock_csv(data, name=str(stock), layout=layout, eaches=eaches)
    incoming = (read_receipts_csv(receipts.read_bytes(), name=str(receipts), layout=receipt_layout, eaches=eaches)
                if receipts else None)
    _unknown_warehouses(known, [r.table for r in (read, incoming, advised) if r is not None], given,
                        new_warehouses)
    written, kept, replaced_rows = merge_snapshot(ws.inventory_dir / "snapshots", read.table)
    receipts_path = ws.inventory_dir / "receipts.parquet"
    dropped: list[str] = []
    kept_receipts: list[str] = []
    if incoming is not None or advised is not None:
        # the file's receipts replace those of the warehouses it names (an 846's: its stock's too), the others' kept;
        # a receipts export laid out as every warehouse's (replace = "all") replaces them all: say whose
        new = pa.concat_tables([r.table for r in (incoming, advised) if r is not None])
        mine = set(new["warehouse"].to_pylist()) | (set(read.table["warehouse"].to_pylist()) if advised else set())
        if incoming is not None and receipt_layout.warehouse:  # one DC's own export: its receipts, even none left
            mine.add(receipt_layout.warehouse)
        dropped, kept_receipts = merge_receipts(receipts_path, new, mine, replace_all=incoming is not None
                                                and receipt_layout.replace == "all")
    elif not receipts_path.exists():
        write_receipts(receipts_path, EXPECTED_RECEIPTS.empty_table())
    table = read.table
    dates = sorted({d.isoformat() for d in table.column("as_of").to_pylist()})
    loaded = [r for r in (incoming, advised) if r is not None]
    head = (f"inventory: {table.num_rows} stock row(s) as of {', '.join(dates)} in {len(written)} file(s); "
            f"{sum(r.table.num_rows for r in loaded)} expected receipt(s)")
    notes = _notes(read, incoming, kept, replaced_rows, dropped)
    if advised is not None and incoming is None:
        notes.append(f"receipts: {advised.table.num_rows} on order or in transit (the 846's QTY 63, IQ with a day) "
                     f"replace those loaded before for {', '.join(sorted(set(advised.table['warehouse'].to_pylist())))}"
                     "; other warehouses' kept")
    elif incoming is not None and kept_receipts:
        notes.append(f"receipts: {', '.join(kept_receipts)}'s kept as loaded before (not in this file; a file of every "
                     "warehouse's open orders replaces them all: --receipts-replace all, or the layout's [receipts] "
                     "replace = \"all\")")
    return LoadSaid([head, *notes],
                    _warnings(ws, table, pa.concat_tables([r.table for r in loaded]) if loaded else None, items)
                    + [w for r in loaded for w in _late(r, max(table.column("as_of").to_pylist(), default=None))])


def _unknown_warehouses(known: set[str], tables: list[pa.Table], places: dict[str, str],
                        confirmed: Iterable[str]) -> None:
    """ConfigError naming each warehouse code of the file that is not ours (``known``: every day's snapshot's and
    the receipts' codes, and the warehouse profiles' stock_warehouse), when some are: an export naming a DC otherwise
    than the code loaded before or its profile's ("Seattle DC" beside SEATTLE) would add a second warehouse, its stock
    counted twice. A code the person names as new (``confirmed``: --new-warehouse) is loaded (and known from then
    on); a first load into an empty store with no warehouse profiles is not checked. One rule with profiles or
    without (misc63: with them such a code used to be loaded and only warned, the stock counted twice); a code
    loaded so that no profile ships from is still warned on each load (_warnings)."""
    if not known:
        return
    codes = {w for t in tables for w in t["warehouse"].to_pylist()}
    new = sorted(codes - known - set(confirmed))
    if not new:
        return
    said = []
    for code in new:
        target = _closest(code, known)
        name = next((k for k, v in places.items() if v == code), code)  # the export's name mapped to it, if any
        said.append(f"{code!r}{f' (the layout or --location maps {name!r} to it)' if name != code else ''}: "
                    f"--location \"{name}={target or 'CODE'}\" reads it as {target or 'one of those'}")
    raise ConfigError(
        f"warehouse(s) {', '.join(new)} not in the inventory loaded before nor a warehouse profile's stock_warehouse "
        f"({', '.join(sorted(known))}): loaded "
        "as new warehouses their stock would be counted beside those codes' (twice, if it is the same DC). "
        f"{'; '.join(said)} (or the layout's [locations]); a warehouse of its own: --new-warehouse "
        + " --new-warehouse ".join(f'\"{c}\"' if " " in c else c for c in new))


def _closest(code: str, known: set[str]) -> str | None:
    """The known code that the new one names (a word of it: "Seattle DC" is SEATTLE), the only known code, or
    None."""
    words = {w for w in re.split(r"[^0-9a-z]+", code.casefold()) if w}
    named = sorted(k for k in known if k.casefold() in words or code.casefold().startswith(k.casefold()))
    if len(named) == 1:
        return named[0]
    return next(iter(known)) if len(known) == 1 else None


def _late(incoming: ReceiptsRead | None, day) -> list[str]:
    """Receipts due before the day the stock was counted, each named (its line, purchase order, SKU, warehouse,
    date): the night promises them from its own day, never a past one (engine.allocate), but the goods are late,
    or were received and are in the count already (then they are promised twice)."""
    if incoming is None or day is None:
        return []
    out = []
    t = incoming.table
    for i, (where, sku, quantity, eta) in enumerate(zip(*(t[c].to_pylist() for c in ("warehouse", "sku", "quantity",
                                                                                        "eta")), strict=True)):
        if eta < day and quantity > 0:
            line, order = incoming.rows[i] if i < len(incoming.rows) else (0, "")
            out.append(f"receipts: {incoming.at} {line}{f' (purchase order {order})' if order else ''}: {quantity} "
                       f"of {sku} "
                       f"at {where} due {eta.isoformat()}, before the stock's day {day.isoformat()}: late, promised "
                       "from the night's day on; if it has arrived it is in the stock already (load the receipts "
                       "without it)")
    return out


def _notes(read: StockRead, incoming: ReceiptsRead | None, kept, replaced_rows, dropped) -> list[str]:
    """What the load did beside reading rows: summed lots, expired lots, rows counted from cases, totals rows,
    columns not read, warehouses whose rows of the day it replaced, kept from an earlier load of the day, or whose
    receipts it replaced."""
    out = []
    if read.summed:
        out.append(f"stock: {read.rows} row(s) read as {read.table.num_rows}: {read.summed} row(s) of a SKU's lots, "
                   "bins or locations added to its warehouse's row")
    for line, where, sku, lot, expires in read.expired:
        out.append(f"stock: {read.at} {line}: {sku} at {where}{f' lot {lot}' if lot else ''} expired {expires}: "
                   "not counted")
    for line, sku, unit, per in read.cased:
        out.append(f"stock: {read.at} {line}: {sku} counted in {unit} of {per} eaches")
    for line, where, sku, on_hand in read.negative:
        out.append(f"stock: {read.at} {line}: {sku} at {where} has {on_hand} on hand: nothing of it can be "
                   "allocated")
    if read.held:
        from parsers.inventory_846 import qty_name
    for pos, where, sku, qualifier, count in read.held:
        out.append(f"stock: {read.at} {pos}: {count} of {sku} at {where} {qty_name(qualifier)} (QTY {qualifier}): "
                   "not available")
    for pos, _sku, said in read.unread:
        out.append(f"stock: {read.at} {pos}: {said}")
    for what, r in (("stock", read), ("receipts", incoming)):
        if r is not None and r.zeroed:
            cells = [f"line {line} {sku} {column!r}" for line, sku, column in r.zeroed]
            out.append(f"{what}: {len(cells)} empty quantity cell(s) read as 0 (the layout's empty_is_zero): "
                       f"{', '.join(cells[:10])}{' ...' if len(cells) > 10 else ''}")
        if r is not None and r.totals:
            out.append(f"{what}: totals row(s) at line(s) {', '.join(map(str, r.totals))} passed over")
        if r is not None and r.ignored:
            out.append(f"{what}: column(s) not read: {', '.join(r.ignored)}")
    if incoming is not None and incoming.orders:
        out.append(f"receipts: of purchase order(s) {', '.join(incoming.orders[:10])}"
                   f"{' ...' if len(incoming.orders) > 10 else ''}")
    counts = Counter(zip(read.table["as_of"].to_pylist(), read.table["warehouse"].to_pylist(), strict=True))
    for (day, where), before in sorted(replaced_rows.items()):
        out.append(f"stock: {where}'s {before} row(s) of {day.isoformat()} loaded before replaced by this file's "
                   f"{counts.get((day, where), 0)}")
    for day, whs in sorted(kept.items()):
        out.append(f"stock: {', '.join(whs)} kept as loaded before for {day.isoformat()} (not in this file)")
    if dropped:
        out.append(f"receipts: the receipts loaded before for {', '.join(dropped)} replaced: none in this file")
    return out


def _warnings(ws: Workspace, table: pa.Table, receipts: pa.Table | None, items: pa.Table | None) -> list[str]:
    """SKUs of no items.csv row (a spreadsheet's number format takes a SKU's leading zeros), warehouses no warehouse
    profile ships from (their stock is promised, never shipped)."""
    out = []
    skus = set(table["sku"].to_pylist()) | set(receipts["sku"].to_pylist() if receipts is not None else [])
    if items is not None:
        known = set(items["sku"].to_pylist())
        unknown = sorted(skus - known)
        if unknown:
            stripped = {s.lstrip("0") for s in known}
            hints = [s for s in unknown if s.isdigit() and s.lstrip("0") in stripped]
            out.append(f"{len(unknown)} SKU(s) in no items.csv row, their stock allocated to no line: "
                       f"{', '.join(unknown[:10])}{' ...' if len(unknown) > 10 else ''}"
                       + (f" ({', '.join(hints[:5])}: an item's SKU, its leading zeros lost?)" if hints else ""))
    shipping = set(_our_warehouses(ws).values())
    if shipping and (stray := sorted(set(table["warehouse"].to_pylist()) - shipping)):
        out.append(f"no warehouse profile ships from {', '.join(stray)} (warehouses/*.toml stock_warehouse): "
                   "stock there may be promised and never confirmed shipped")
    return out


def _items(ws: Workspace) -> pa.Table | None:
    """items.csv as far as the load needs it (sku, unit, case_pack); None when there is none or it does not load
    (the run says why)."""
    return _reference(ws, "items")


def _reference(ws: Workspace, name: str) -> pa.Table | None:
    path = ws.reference_dir / f"{name}.csv"
    if not path.is_file():
        return None
    try:
        return read_reference_csv(path.read_bytes(), name=str(path), schema=SCHEMAS[name],
                                  optional=frozenset(SCHEMAS[name].names))
    except ConfigError:
        return None


def _unit_eaches(ws: Workspace, items: pa.Table | None) -> dict[tuple[str, str], int]:
    """(SKU, unit in capitals) -> eaches in one: a case (CA) is its items.csv case_pack above 1, the item's own unit
    is one, and item_units.csv's rows say the rest."""
    out: dict[tuple[str, str], int] = {}
    if items is not None:
        for row in items.select([c for c in ("sku", "unit", "case_pack") if c in items.column_names]).to_pylist():
            if row.get("unit"):
                out[(row["sku"], row["unit"].strip().upper())] = 1
            if (row.get("case_pack") or 0) > 1:
                out.update({(row["sku"], word): row["case_pack"] for word in ("CA", "CS")})
    units = _reference(ws, "item_units")
    if units is not None:
        for row in units.to_pylist():
            unit = row["unit"].strip().upper()
            out[(row["sku"], unit)] = row["eaches"]
            if unit in CASE_WORDS:
                out.setdefault((row["sku"], "CA"), row["eaches"])
    return out


def _our_warehouses(ws: Workspace) -> dict[str, str]:
    """Each warehouse profile's stock_warehouse by its name in any case ("east" is EAST)."""
    try:
        profiles = ws.warehouses()
    except ConfigError:
        return {}
    return {p.stock_warehouse.casefold(): p.stock_warehouse for p in profiles.values()}


def _is_x12(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"ISA")
