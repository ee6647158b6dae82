"""Lines ordered by weight of an item sold by the case (catch weight): US Foods' ``PO1*2*480*LB*3.79*PE`` of
random-weight chicken we sell in cases averaging 48 LB (items.csv average_weight / average_weight_unit).

Taken in as the catch-weight line the product already ships and bills (rules.business.money._catch_weight_lines,
engine.lifecycle.billing): whole cases of the item's own unit (480 / 48 = 10 CA) priced per the weight (PO105 PP
per pound, PK per kilogram), so stock, allocation, the 856 (SN1 in cases, MEA with the net weight where the
profile asks) and the 810 (the net weight shipped at the price per pound) need nothing else. What the buyer sent
is kept beside it (ORDER_LINES weight_ordered, weight_unit, weight_per_unit, weight_basis_sent): the 855 answers
in it (as_sent_by_weight). An item without an average weight takes the case weight the line's own PO4 states, where
one of the item's units is a case (Hy-Vee's cheddar, PO1*2*100*LB with PO4*1*10*LB). A line with neither is left as
sent (UNIT_NOT_CONVERTIBLE says what is missing)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.orders import ORDER_LINES, WEIGHT_AS_SENT
from schemas.reference import ReferenceData
from schemas.units import (
    KILOGRAMS_PER,
    MEASURE_MULTIPLES,
    PRICE_PER_EACH,
    PRICE_PER_MEASURE,
    PRICE_PER_WEIGHT,
    VOLUME_UNITS,
    covering,
    defined_multiple,
    weight_in,
    within_one,
)

WEIGHT_COLUMNS = WEIGHT_AS_SENT
WEIGHT_UNITS = tuple(KILOGRAMS_PER)  # LB, KG, GR, OZ, TN: a PO103 that is a weight
# PO103 units that are a number of a weight (CW hundredweight: 100 LB; HK: 100 KG): a line in one of an item sold by
# the piece is taken in through that weight (Ryerson's plate by the hundredweight), priced per one of it (PP, PK:
# code list 639 has no price per hundredweight)
WEIGHT_MULTIPLES = {u: m for u, m in MEASURE_MULTIPLES.items() if m[0] in KILOGRAMS_PER}
BY_WEIGHT_UNITS = (*WEIGHT_UNITS, *WEIGHT_MULTIPLES)


def weight_basis(unit: str) -> str | None:
    """The PO105 of a price per one ``unit`` of weight (LB -> PP, KG -> PK ...), None for no weight."""
    return next((b for b in PRICE_PER_WEIGHT if unit in PRICE_PER_MEASURE[b]), None)


def ordered_by_weight(lines: pa.Table) -> bool:
    """Any line of ``lines`` ordered in a weight (PO103 LB, KG ...): only then is the item master needed."""
    return lines.num_rows > 0 and "unit" in lines.column_names and bool(
        pc.any(pc.fill_null(pc.is_in(lines["unit"], value_set=pa.array(BY_WEIGHT_UNITS)), False)).as_py())


def ordered_by_volume(lines: pa.Table) -> bool:
    """Any line of ``lines`` ordered in a volume (VOLUME_UNITS) whose PO4 states its pack's content in that volume
    (PO1*3*220*GA with PO4*1*55*GA): only then is the item master needed for it."""
    if not lines.num_rows or "unit" not in lines.column_names or "po4_size_unit" not in lines.column_names:
        return False
    volume = pc.fill_null(pc.is_in(lines["unit"], value_set=pa.array(VOLUME_UNITS)), False)
    return bool(pc.any(pc.and_(volume, pc.fill_null(pc.equal(lines["unit"], lines["po4_size_unit"]), False))).as_py())


def whole_units(weight: Decimal, per_unit: Decimal) -> Decimal:
    """How many whole units of ``per_unit`` (the average, in the line's weight) ``weight`` is: the nearest whole
    number, half up, at least one (the buyer's pounds are themselves an estimate of cases that are weighed when
    they ship; the nearest case is the least wrong, and a line is never taken as nothing)."""
    return max(Decimal(1), (weight / per_unit).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def as_cases(lines: pa.Table, ref: ReferenceData, *, weights: bool = True) -> pa.Table:
    """``lines`` (ORDER_LINES, as parsed) with every line ordered in a weight of an item that has an average
    weight (items.csv) restated as a catch-weight line of the item's own unit: quantity the whole units
    (whole_units), unit items.unit, price_basis the price per that weight (PP for LB); its unit_price (per
    pound) unchanged. An item without an average weight whose own unit is its case (case_pack 1) takes the case
    weight the line's PO4 states (Hy-Vee's PO1*2*100*LB with PO4*1*10*LB: 10 CA of 10 LB), as the buyer's own
    word on what one case weighs. A line in a number of a weight (WEIGHT_MULTIPLES: Ryerson's PO1*3*98*CW*49.8 of
    a plate sold by the piece, 3,267 LB each) is first restated in that weight at the price per one of it, exactly
    (9800 LB at 0.498 per LB, PP: code list 639 has no price per hundredweight), price_basis_sent the unit as sent
    (CW: the price rules tell it, PRICE_BASIS_CONVERTED), then taken as the others are (3 EA); not the line of an
    item sold by a weight (rules.business.quantities takes that as MEASURE_MULTIPLES says), nor one whose price per
    one of the weight is not exact at 4 places or whose PO105 is other than per its unit or per that weight. The line
    as sent (in the weight) is kept in WEIGHT_COLUMNS. Other lines are untouched (the columns null).

    A line in a volume (VOLUME_UNITS) whose PO4 states its pack's content in that volume (Univar's PO1*3*220*GA with
    PO4*1*55*GA: a drum of 55 GA) of an item sold by that pack (items.unit, case_pack 1, no item_units row of the
    volume) is taken in the same way (by_volume), of any partner: whole packs (4 DR; the nearest, as whole_units),
    its price per the volume restated per pack where exact at 4 places (7.2363 per GA: 397.9965 per DR), PO105 as
    sent, price_basis_sent the volume (GA: PRICE_BASIS_CONVERTED tells it), the line as sent in WEIGHT_COLUMNS (the
    855 answers in it: as_sent_by_weight). ``weights`` False (a partner that does not deal in catch weight): the lines
    in a weight are left as sent."""
    from rules.business.items import resolve_items
    from rules.business.quantities import average_weights, unit_index

    lines = _with_weight_columns(lines)
    by_weight, by_volume = ordered_by_weight(lines), ordered_by_volume(lines)
    if not by_weight and not by_volume:
        return lines
    taken = BY_WEIGHT_UNITS if by_weight else ()
    weights_of = average_weights(ref)
    rows = np.flatnonzero(np.asarray(pc.fill_null(pc.is_in(lines["unit"], value_set=pa.array(
        [*taken, *(VOLUME_UNITS if by_volume else ())], pa.string())), False).to_numpy(zero_copy_only=False),
        dtype=bool))
    skus = resolve_items(lines.take(pa.array(rows)), ref.items, ref.partner_items)["sku"].to_pylist()
    own = {r["sku"]: (r["unit"], r["case_pack"]) for r in ref.items.select(["sku", "unit", "case_pack"]).to_pylist()}
    columns = {c: lines[c].to_pylist() for c in ("quantity", "unit", "unit_price", "price_basis", "price_basis_sent",
                                                 *WEIGHT_COLUMNS) if c in lines.column_names}
    packs, contents = _po4_weights(lines, rows), _po4_contents(lines, rows)
    index = unit_index(ref) if by_volume else {}
    changed = False
    for i, sku, case, content in zip(rows.tolist(), skus, packs, contents, strict=True):
        unit, weight = columns["unit"][i], columns["quantity"][i]
        item_unit, case_pack = own.get(sku) or (None, None)
        if not item_unit or weight is None or weight <= 0:
            continue
        if unit in VOLUME_UNITS:
            changed |= _by_volume(columns, i, content, item_unit, case_pack, (sku, unit) in index)
            continue
        if defined_weight(item_unit, unit) and defined_multiple(unit, item_unit) is None:  # KG of LB: any partner
            # (KG of an item counted in GR is whole grams: rules.business.quantities takes it, METRIC_MULTIPLES)
            changed |= _by_definition(columns, i, item_unit)
            continue
        if not weights:  # a partner that does not deal in catch weight: its lines in a weight are left as sent
            continue
        restated = _in_its_weight(unit, weight, columns, i, item_unit)
        if unit in WEIGHT_MULTIPLES:
            if restated is None:
                continue
            unit, weight, price = restated
        if sku in weights_of:
            per_unit = weight_in(*weights_of[sku], unit)
        else:  # the PO4's case weight, where one of our units is the case it describes (a catch-weight item)
            per_unit = weight_in(*case, unit) if case is not None and case_pack == 1 else None
        if not per_unit:
            continue
        columns["weight_ordered"][i], columns["weight_unit"][i] = weight, unit
        columns["weight_per_unit"][i], columns["weight_basis_sent"][i] = per_unit, columns["price_basis"][i]
        if restated is not None:  # answered in the weight at the price per one of it (9800 LB at 0.498 PP)
            columns["weight_basis_sent"][i] = weight_basis(unit)
            columns["price_basis_sent"][i], columns["unit_price"][i] = columns["unit"][i], price
        columns["quantity"][i], columns["unit"][i] = whole_units(weight, per_unit), item_unit
        columns["price_basis"][i] = weight_basis(unit)
        changed = True
    if not changed:
        return lines
    for name, values in columns.items():
        at = lines.schema.get_field_index(name)
        lines = lines.set_column(at, lines.schema.field(name), pa.array(values, lines.schema.field(name).type))
    return lines


def _by_definition(columns: dict, i: int, item_unit: str) -> bool:
    """as_cases of one line ``i`` in a weight of an item counted in another weight (a shipyard's PO1*2*600*KG of wire
    we count in pounds), of any partner: the units are one measure by definition (KILOGRAMS_PER: a pound is 0.45359237
    kg), so the line is taken in as the whole number of the item's unit that covers it, rounded up (1,322.7736 LB:
    1,323 LB reserved, shipped in pounds), priced per the weight ordered (PO105 PK for a price per KG, as sent: a
    catch-weight line whose own unit is its weight, billed by the weight shipped converted exactly into the PO's
    unit, schemas.units.weight_in); the line as sent kept in WEIGHT_COLUMNS (the 855 answers it as ordered:
    as_sent_by_weight), weight_per_unit one item unit in the PO's (0.4536 KG a LB, to 4 places: the quantity itself
    is converted exactly). Not a line whose PO105 prices something else (per many, per another measure), nor one
    whose covering units exceed it by one of its own unit or more (500 GR of an item counted in KG: 1 KG is twice
    what was ordered; within_one): left as sent (UNIT_NOT_CONVERTIBLE says so); True when taken."""
    unit, weight, basis = columns["unit"][i], columns["quantity"][i], columns["price_basis"][i] or ""
    per_weight = weight_basis(unit)
    if per_weight is None or basis not in ("", *PRICE_PER_EACH, per_weight) or \
            columns.get("price_basis_sent", [None] * (i + 1))[i] is not None:
        return False
    whole = covering(weight, unit, item_unit)
    if not within_one(whole, item_unit, weight, unit):  # 500 GR of an item counted in KG: a whole KG is twice it
        return False
    columns["weight_ordered"][i], columns["weight_unit"][i] = weight, unit
    columns["weight_per_unit"][i] = weight_in(Decimal(1), item_unit, unit)
    columns["weight_basis_sent"][i] = columns["price_basis"][i]
    columns["quantity"][i] = whole
    columns["unit"][i], columns["price_basis"][i] = item_unit, per_weight
    return True


def defined_weight(unit: str | None, sent: str | None) -> bool:
    """Is a line restated from ``sent`` (its weight_unit) into ``unit`` one taken by definition (_by_definition: both
    weights, a pound of a KG line), not through an item's average weight?"""
    return unit in WEIGHT_UNITS and sent in WEIGHT_UNITS and unit != sent


def _by_volume(columns: dict, i: int, content: Decimal | None, item_unit: str, case_pack: int | None,
               in_item_units: bool) -> bool:
    """as_cases of one line ``i`` in a volume: taken in as whole packs of its PO4's ``content`` (55 GA a drum) when
    the item is sold by that pack (case_pack 1, its unit no volume, no item_units row of the line's unit: that row
    says what one holds), the line's PO105 is none or per its unit (PE and kin) and its price per pack exact at 4
    places; True when it was."""
    unit, quantity = columns["unit"][i], columns["quantity"][i]
    price, basis = columns["unit_price"][i] if "unit_price" in columns else None, columns["price_basis"][i]
    if content is None or case_pack != 1 or item_unit in VOLUME_UNITS or in_item_units or \
            "unit_price" not in columns or (basis or "") not in ("", *PRICE_PER_EACH) or \
            columns.get("price_basis_sent", [None] * (i + 1))[i] is not None:
        return False
    per_pack = None if price is None else price * content
    if per_pack is not None and per_pack != per_pack.quantize(Decimal("0.0001")):
        return False
    columns["weight_ordered"][i], columns["weight_unit"][i] = quantity, unit
    columns["weight_per_unit"][i], columns["weight_basis_sent"][i] = content, basis
    columns["quantity"][i], columns["unit"][i] = whole_units(quantity, content), item_unit
    columns["unit_price"][i] = per_pack
    if per_pack is not None and "price_basis_sent" in columns:  # the price rules tell it (PRICE_BASIS_CONVERTED)
        columns["price_basis_sent"][i] = unit
    return True


def _po4_contents(lines: pa.Table, rows: np.ndarray) -> list[Decimal | None]:
    """Per line of ``rows``, what its PO4 says one pack holds in the line's own unit (PO4*1*55*GA on a GA line: 55;
    PO401 times PO402, no PO401: one), None where its PO4 states it in no such unit (or none, or not positive)."""
    if "po4_size" not in lines.column_names or "po4_size_unit" not in lines.column_names:
        return [None] * len(rows)
    picked = lines.take(pa.array(rows, pa.int64()))
    pack = picked["po4_pack"].to_pylist() if "po4_pack" in lines.column_names else [None] * len(rows)
    out: list[Decimal | None] = []
    for n, size, size_unit, unit in zip(pack, picked["po4_size"].to_pylist(), picked["po4_size_unit"].to_pylist(),
                                        picked["unit"].to_pylist(), strict=True):
        ok = size is not None and size > 0 and size_unit == unit and (n is None or n > 0)
        out.append(Decimal(n or 1) * Decimal(size) if ok else None)
    return out


def _in_its_weight(unit: str, quantity: Decimal, columns: dict, i: int, item_unit: str
                   ) -> tuple[str, Decimal, Decimal | None] | None:
    """A line ``i`` in a number of a weight (WEIGHT_MULTIPLES: 98 CW at 49.80) restated in that weight: (LB, 9800,
    0.498), the price per one of it exact at 4 places (none: None); None for any other line, or one not taken so: of
    an item sold by a weight, a price not exact per one of the weight, a PO105 neither per the line's unit (none, PE
    and kin) nor per that weight (PP)."""
    if unit not in WEIGHT_MULTIPLES or item_unit in KILOGRAMS_PER or item_unit in WEIGHT_MULTIPLES \
            or "unit_price" not in columns or "price_basis_sent" not in columns:
        return None
    measure, holds = WEIGHT_MULTIPLES[unit]
    price, basis = columns["unit_price"][i], columns["price_basis"][i] or ""
    if columns["price_basis_sent"][i] is not None or basis not in ("", *PRICE_PER_EACH, weight_basis(measure)):
        return None
    if price is not None and basis != weight_basis(measure):
        per_one = price / holds
        if per_one != per_one.quantize(Decimal("0.0001")):
            return None
        price = per_one
    return measure, quantity * holds, price


def _po4_weights(lines: pa.Table, rows: np.ndarray) -> list[tuple[Decimal, str] | None]:
    """Per line of ``rows``, the weight of the pack its PO4 describes, as (weight, its unit): PO401 packs of
    PO402 in PO403 each (PO4*1*10*LB a 10 LB case, PO4*12*15*OZ twelve 15 OZ packages: 180 OZ; no PO401: one);
    None where its PO4 states no weight (no PO4, a size of no weight unit, none or not positive)."""
    if "po4_size" not in lines.column_names or "po4_size_unit" not in lines.column_names:
        return [None] * len(rows)
    picked = lines.take(pa.array(rows, pa.int64()))
    pack = picked["po4_pack"].to_pylist() if "po4_pack" in lines.column_names else [None] * len(rows)
    out: list[tuple[Decimal, str] | None] = []
    for n, size, unit in zip(pack, picked["po4_size"].to_pylist(), picked["po4_size_unit"].to_pylist(), strict=True):
        ok = size is not None and size > 0 and unit in WEIGHT_UNITS and (n is None or n > 0)
        out.append((Decimal(n or 1) * Decimal(size), unit) if ok else None)
    return out


def _with_weight_columns(lines: pa.Table) -> pa.Table:
    n = lines.num_rows
    for name in WEIGHT_COLUMNS:
        if name not in lines.column_names:
            lines = lines.append_column(ORDER_LINES.field(name), pa.nulls(n, ORDER_LINES.field(name).type))
    return lines


def as_sent_by_weight(rows: pa.Table, statuses: pa.Table) -> tuple[pa.Table, pa.Table]:
    """An 855's line rows (ORDER_LINES) and their statuses (parts, ack_quantity, ack_price) with every line taken
    in by weight (as_cases) answered in what the buyer sent: PO1 echoes 480 LB at its price and PO105 as sent, each
    ACK's quantity is its whole cases at the item's average weight (10 CA x 48 = 480 LB). A line answered whole
    (one IA part) whose cases do not come to the weight ordered (500 LB: 10 cases, 480 LB) is IQ: the quantity
    changed to what whole cases make (as_cases took the nearest). Rows and statuses as they are otherwise."""
    if "weight_ordered" not in rows.column_names or rows["weight_ordered"].null_count == rows.num_rows:
        return rows, statuses
    weighed = np.flatnonzero(np.asarray(pc.is_valid(rows["weight_ordered"]).to_numpy(zero_copy_only=False),
                                        dtype=bool)).tolist()
    cols = {c: rows[c].to_pylist() for c in ("quantity", "unit", "price_basis")}
    cols["unit_price"] = rows["unit_price"].to_pylist()
    parts, acked = statuses["parts"].to_pylist(), statuses["ack_quantity"].to_pylist()
    priced = statuses["ack_price"].to_pylist() if "ack_price" in statuses.column_names else None
    for i in weighed:
        sent, per = rows["weight_ordered"][i].as_py(), rows["weight_per_unit"][i].as_py()
        if rows["weight_unit"][i].as_py() in VOLUME_UNITS:  # priced per pack (by_volume): answered per the volume
            cols["unit_price"][i] = _per(cols["unit_price"][i], per)
            if priced is not None:
                priced[i] = _per(priced[i], per)
        cols["quantity"][i], cols["unit"][i] = sent, rows["weight_unit"][i].as_py()
        cols["price_basis"][i] = rows["weight_basis_sent"][i].as_py()
        own, sent_unit = rows["unit"][i].as_py(), rows["weight_unit"][i].as_py()
        if defined_weight(own, sent_unit):  # our pounds in the PO's kilograms exactly, as ordered when they cover it
            mine = [dict(p, quantity=None if p["quantity"] is None else weight_in(p["quantity"], own, sent_unit))
                    for p in parts[i] or []]
            if len(mine) == 1 and mine[0]["status"] == "IA" and (mine[0]["quantity"] or 0) >= sent:
                mine[0]["quantity"] = sent
            acked[i] = None if acked[i] is None else min(sent, weight_in(acked[i], own, sent_unit))
        else:
            mine = [dict(p, quantity=None if p["quantity"] is None else p["quantity"] * per) for p in parts[i] or []]
            acked[i] = None if acked[i] is None else acked[i] * per
        if len(mine) == 1 and mine[0]["status"] == "IA" and mine[0]["quantity"] != sent:
            mine[0]["status"] = "IQ"
        parts[i] = mine or parts[i]
    for name, values in cols.items():
        at = rows.schema.get_field_index(name)
        rows = rows.set_column(at, rows.schema.field(name), pa.array(values, rows.schema.field(name).type))
    for name, values in (("parts", parts), ("ack_quantity", acked), *((("ack_price", priced),) if priced else ())):
        at = statuses.schema.get_field_index(name)
        statuses = statuses.set_column(at, statuses.schema.field(name),
                                       pa.array(values, statuses.schema.field(name).type))
    return rows, statuses


def _per(price: Decimal | None, content: Decimal) -> Decimal | None:
    """A price per pack (397.9965 per DR) per one of the ``content`` it holds (55 GA: 7.2363), to 4 places half up."""
    return None if price is None else (price / content).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
