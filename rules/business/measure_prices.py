"""Lines in a package of an item sold by a measure, priced per that measure: Crescent's ``PO1*1*3*RE*285*TF``, three
500-foot reels of SER cable we sell by the foot, priced per thousand feet (285.00 per M is 0.285 per foot, 142.50 per
reel).

The 850 reader restates a price per 100 or 1,000 feet (HF, TF ...: schemas.units.PRICE_PER_MANY_OF) only on a line in
feet or a number of them (FT, LF, HL, TL: in_many_of), a price per foot (PF ...) being per unit only of a line in feet;
how many feet a reel, coil or spool of an item holds is reference data (an item_units row: ``RG46-07,RE,500``) that
the parser never sees. Here, with the reference data, such a line's price is restated per its unit through the item's
units where that is exact at our 4 decimals (0.285 x 500 = 142.50 per RE), its basis PE and the basis sent kept in
``price_basis_sent``, as the parser's restatements are: the price rules tell it (PRICE_BASIS_CONVERTED) and the 855,
856 and 810 state it per reel. A line whose item has no such row, or whose price per unit would need more places, is
left as sent and held by the price rules (PRICE_BASIS_UNSUPPORTED, naming the row to add). Prices per unit of weight
are never restated so (a line in cases priced per pound is a catch-weight line, billed by the weight shipped)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.reference import ReferenceData
from schemas.units import PRICE_PER_MANY_OF, PRICE_PER_MEASURE, PRICE_PER_WEIGHT, in_many_of

_TEN_THOUSANDTH = Decimal("0.0001")
_TOO_LARGE = Decimal(10) ** 14  # a unit price as ORDER_LINES holds it: decimal128(18, 4)
# the bases restated through an item's units: per 100 / 1,000 feet, 1,000 metres, 1,000 square feet, and per foot,
# yard, metre ... (not per unit of weight: catch weight)
CONVERTIBLE: tuple[str, ...] = (*PRICE_PER_MANY_OF, *(b for b, units in PRICE_PER_MEASURE.items()
                                                      if units and b not in PRICE_PER_WEIGHT))


def of_its_unit(basis: str | None, unit: str | None) -> bool:
    """A price per ``basis`` is the price of so many of (or one) ``unit`` by the units' definitions alone."""
    if basis in PRICE_PER_MANY_OF:
        return in_many_of(unit, basis) is not None
    return unit in PRICE_PER_MEASURE.get(basis or "", ())


def _measure_priced(lines: pa.Table) -> np.ndarray:
    """The rows of ``lines`` priced per a measure (CONVERTIBLE) that their unit is not, with a price read exactly:
    only those may need the item's units."""
    if lines.num_rows == 0 or not {"price_basis", "unit", "unit_price"} <= set(lines.column_names):
        return np.zeros(0, dtype=np.int64)
    basis = pc.fill_null(pc.is_in(lines["price_basis"], value_set=pa.array(CONVERTIBLE, pa.string())), False)
    maybe = pc.and_(basis, pc.is_valid(lines["unit_price"]))
    if "price_sent" in lines.column_names:  # sent with more than 4 decimals: held for those (PRICE_DECIMALS_...)
        maybe = pc.and_(maybe, pc.is_null(lines["price_sent"]))
    rows = np.flatnonzero(np.asarray(pc.fill_null(maybe, False).to_numpy(zero_copy_only=False), dtype=bool))
    if not len(rows):
        return rows
    picked = lines.select(["price_basis", "unit"]).take(pa.array(rows, pa.int64())).to_pylist()
    return rows[[not of_its_unit(r["price_basis"], r["unit"]) for r in picked]]


def measure_priced(lines: pa.Table) -> bool:
    """Any line of ``lines`` priced per a measure its unit is not (TF on a line in RE): only then is the item
    master needed."""
    return bool(len(_measure_priced(lines)))


def prices_in(basis: str, own: str | None, holds: int | None) -> Decimal | None:
    """How many of a line's unit one price per ``basis`` is the price of, for an item sold by ``own`` (items.unit)
    whose line unit holds ``holds`` of it (an item_units row): TF on a reel of 500 FT is the price of 2 reels, PF on
    it of 1/500 of one. None when the item is not sold by that measure or the unit's content is unknown."""
    if not own or not holds or holds <= 0:
        return None
    if basis in PRICE_PER_MANY_OF:
        many = in_many_of(own, basis)  # 1,000 FT, 10 HL ... of the item's own unit
    else:
        many = 1 if own in PRICE_PER_MEASURE.get(basis, ()) else None
    return None if many is None else Decimal(many) / Decimal(holds)


def item_unit_content(sku: str | None, unit: str | None, index: Mapping[tuple[str, str], int]
                      ) -> tuple[str | None, int | None]:
    """The item's own unit (items.unit) and how many of it one ``unit`` holds (its item_units row), from
    rules.business.quantities.unit_index's ``index``; (own, None) without a row."""
    own = (getattr(index, "own_units", None) or {}).get(sku or "")
    if not sku or not unit or unit == own:
        return own, None
    return own, index.get((sku, unit))


def by_item_units(lines: pa.Table, ref: ReferenceData) -> pa.Table:
    """``lines`` (ORDER_LINES, as parsed) with every line priced per a measure its unit is not (TF on a line in RE)
    of an item sold by that measure whose unit holds a known number of it (an item_units row) restated per the
    line's unit where that is exact at 4 decimals: unit_price the price per unit, price_basis PE, price_basis_sent
    the basis as sent. Other lines are untouched."""
    from rules.business.items import resolve_items
    from rules.business.quantities import unit_index

    rows = _measure_priced(lines)
    if not len(rows):
        return lines
    skus = resolve_items(lines.take(pa.array(rows, pa.int64())), ref.items, ref.partner_items)["sku"].to_pylist()
    index = unit_index(ref)
    price, basis = lines["unit_price"].to_pylist(), lines["price_basis"].to_pylist()
    sent = lines["price_basis_sent"].to_pylist() if "price_basis_sent" in lines.column_names \
        else [None] * lines.num_rows
    units = lines["unit"].to_pylist()
    changed = False
    for i, sku in zip(rows.tolist(), skus, strict=True):
        many = prices_in(basis[i], *item_unit_content(sku, units[i], index))
        if many is None:
            continue
        each = price[i] / many
        if each != each.quantize(_TEN_THOUSANDTH) or abs(each) >= _TOO_LARGE:
            continue  # more places than we carry (or more digits): held, saying so
        price[i], sent[i], basis[i] = each.quantize(_TEN_THOUSANDTH), basis[i], "PE"
        changed = True
    if not changed:
        return lines
    for name, values in (("unit_price", price), ("price_basis", basis), ("price_basis_sent", sent)):
        field = lines.schema.field(name) if name in lines.column_names else pa.field(name, pa.string())
        column = pa.array(values, field.type)
        lines = lines.set_column(lines.schema.get_field_index(name), field, column) if name in lines.column_names \
            else lines.append_column(field, column)
    return lines
