"""A 3PL's X12 846 inventory advice as stock and expected receipts (the reads `orderbridge inventory load` writes):
bytes and reference tables in, schemas.inventory reads out; pure (no paths, no store)."""

from __future__ import annotations

import pyarrow as pa

from parsers.inventory_846 import qty_name, read_846
from parsers.x12_reader import read_interchanges
from schemas.errors import ConfigError
from schemas.inventory import EXPECTED_RECEIPTS, ExportLayout, ReceiptsRead, StockRead, add_stock, stock_table
from schemas.reference import normalise_gtin

# an 846's LIN qualifiers naming our item number, and a GTIN (U.P.C., EAN, GTIN-14)
_OUR_IDS = ("SK", "VN", "VP", "MG", "IN", "BP", "PI")
_GTINS = ("UP", "UK", "EN", "UA", "UI", "UN")


def read_advice(data: bytes, *, name: str, layout: ExportLayout, items: pa.Table | None,
                eaches: dict[tuple[str, str], int]) -> tuple[StockRead, ReceiptsRead | None]:
    """A 3PL's 846 inventory advice (parsers.inventory_846) as the stock of the warehouse each set names (its N1,
    read through ``layout``'s locations; ``layout.warehouse`` when given), on BIA04's day (``layout.as_of`` when
    given): an item's LIN ids turned into our SKU by items.csv (our number, its vendor part, its GTIN), QTY 17 its
    on hand and QTY 33 what is free of it, in eaches (a case by its case_pack). Held stock (QTY QH on hold, 74
    damaged ...) is not free: without a QTY 33 it is taken from the on hand's free part (with one, 33 already leaves
    it out); without a QTY 17 it is counted on hand, held. What is on order or in transit (QTY 63, IQ) with a day
    is an expected receipt (the second value; None when there is none); without a day it is named, not a receipt.
    An error finding, a set naming no warehouse or day, or a unit nothing counts refuses the file (ConfigError),
    naming the segment."""
    result = read_interchanges(data, file=name)
    rows, findings = read_846(result)
    errors = [f for f in [*result.findings, *findings] if f.severity == "error"]
    if errors:
        raise ConfigError("the 846 has errors: " + "; ".join(_said(f) for f in errors[:5]), file=name)
    if not rows:
        raise ConfigError("the file holds no 846 item with a QTY 17 (on hand) or 33 (available)", file=name)
    sku_of = _skus_by_id(items)
    places = {k.casefold(): v for k, v in layout.locations.items()}
    stock: dict = {}
    summed, negative, cased, held, unread = 0, [], [], [], []
    incoming: dict[str, list] = {"warehouse": [], "sku": [], "quantity": [], "eta": []}
    incoming_at: list[tuple[int, str]] = []

    def eaches_of(count: int, unit: str, sku: str, at: str, pos: int) -> int:
        per = 1
        if unit and unit not in ("EA", "UN", "PC") and (per := eaches.get((sku, unit), 0)) == 0:
            raise ConfigError(f"the 846 ({at}): QTY03 {unit!r} of {sku}: no items.csv case_pack nor item_units.csv "
                              "row says how many eaches it holds", file=name)
        if per != 1 and (pos, sku, unit, per) not in cased:
            cased.append((pos, sku, unit, per))
        return count * per

    for r in rows:
        at = f"ST02 {r.st02}, LIN at segment {r.segment_position}"
        day = layout.as_of or r.as_of
        if day is None:
            raise ConfigError(f"the 846 ({at}) says no day (BIA04): give it (--as-of)", file=name)
        where = layout.warehouse or places.get(r.warehouse.casefold(), r.warehouse)
        if not where:
            raise ConfigError(f"the 846 ({at}) names no warehouse (N1*WH): give it (--warehouse)", file=name)
        sku = next((sku_of[key] for key in _keys(r.ids) if key in sku_of), r.ids[0][1] if r.ids else "")
        pos = r.segment_position
        kept = sum(eaches_of(n, unit or r.unit, sku, at, p) for _q, n, unit, p in r.held)
        held += [(p, where, sku, q, eaches_of(n, unit or r.unit, sku, at, p)) for q, n, unit, p in r.held]
        available = eaches_of(r.available, r.unit, sku, at, pos) if r.available is not None else None
        if r.on_hand is not None:
            on_hand = eaches_of(r.on_hand, r.unit, sku, at, pos)
        else:  # no QTY 17: what is free and what is held are all there is
            on_hand = (available or 0) + kept
        if available is not None:
            reserved = max(on_hand - available, 0)
        else:
            reserved = min(kept, max(on_hand, 0))
        if on_hand < 0:
            negative.append((pos, where, sku, on_hand))
        summed += add_stock(stock, (day, where, sku), on_hand, reserved)
        for q, n, unit, p, eta in r.coming:
            if eta is None:
                unread.append((p, sku, f"QTY {q} ({qty_name(q)}) {n} of {sku} at {where}: no expected day (a DTM or "
                                       "SCH after it), not a receipt"))
                continue
            incoming["warehouse"].append(where)
            incoming["sku"].append(sku)
            incoming["quantity"].append(eaches_of(n, unit or r.unit, sku, at, p))
            incoming["eta"].append(eta)
            incoming_at.append((p, ""))
        for q, text, p in r.unread:
            unread.append((p, sku, f"SDQ {text} of {sku}: per-location quantities not read (an N1*WH loop per "
                                   "location is)" if q == "SDQ" else
                                   f"QTY {q} ({qty_name(q)}) {text} of {sku} at {where}: not counted"))
    where_at = f"ST02 {rows[0].st02} segment" if len({r.st02 for r in rows}) == 1 else "segment"
    receipts = (ReceiptsRead(pa.table(incoming, schema=EXPECTED_RECEIPTS), rows=tuple(incoming_at), at=where_at)
                if incoming_at else None)
    return StockRead(stock_table(stock), len(rows), summed, negative=tuple(negative), cased=tuple(cased),
                     at=where_at, held=tuple(held), unread=tuple(sorted(unread))), receipts


def _said(f) -> str:
    """A finding of an 846 on one line: its code, segment and element, set and position, message."""
    at = f.location
    return (f"{f.code} at {at.segment_id or 'the envelope'}{' ' + at.element if at.element else ''}"
            f"{f' (ST02 {at.st02}, segment {at.segment_position})' if at.st02 else ''}: {f.message}")


def _keys(ids: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """The look-up keys of an 846 item's ids: ("sku", id) for our numbers, ("gtin", 14 digits) for a GTIN."""
    out = []
    for qualifier, value in ids:
        if qualifier in _OUR_IDS:
            out.append(("sku", value))
        elif qualifier in _GTINS and (gtin := normalise_gtin(value)):
            out.append(("gtin", gtin))
    return out


def _skus_by_id(items: pa.Table | None) -> dict[tuple[str, str], str]:
    """items.csv's SKUs by their own number, their vendor part and their GTIN (and U.P.C.)."""
    out: dict[tuple[str, str], str] = {}
    if items is None:
        return out
    for row in items.to_pylist():
        out.setdefault(("sku", row["sku"]), row["sku"])
        if row.get("vendor_part"):
            out.setdefault(("sku", row["vendor_part"]), row["sku"])
        for code in (row.get("gtin"), row.get("upc")):
            if code and (gtin := normalise_gtin(code)):
                out.setdefault(("gtin", gtin), row["sku"])
    return out
