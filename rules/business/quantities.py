"""Units and quantities: known and convertible units, positive quantities, case packs, minimums.

A unit is known when it is a unit of measure code (schemas.units); it converts to eaches through the
item master (the each, the item's selling unit, item_units rows, the case pack for CA/CS), or by its
definition when it is a count (schemas.units.COUNT_UNITS: DZ 12, GS 144 ...)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rules import registry
from rules.business.common import (
    _LINE_LOCATION,
    _PerPartner,
    _text,
    business_finding,
    lookup_by,
    pair_key,
)
from rules.business.items import _resolved
from rules.business.purpose import drop_ship_orders
from schemas.findings import Finding
from schemas.reference import ReferenceData
from schemas.rule_settings import RuleSettings
from schemas.units import (
    COUNT_UNITS,
    KILOGRAMS_PER,
    MEASURE_MULTIPLES,
    METRIC_MULTIPLES,
    PRICE_PER_MEASURE,
    PRICE_PER_WEIGHT,
    SAME_MEASURE,
    VOLUME_UNITS,
    covering,
    fraction_of_item,
    is_unit_code,
    measured,
    said_in,
    same_measure,
    weight_in,
    within_one,
)

# --- units and quantities ------------------------------------------------------------------

# the units of a measure (weights, lengths, volumes: LB, KG, FT, LT ...), none of them a pack of eaches
_MEASURES = frozenset(u for units in PRICE_PER_MEASURE.values() for u in units)


class UnitIndex(dict):
    """unit_index's (sku, unit) -> eaches, with each item's packs of more than one each found once (by_sku)
    and each item's own selling unit (own_units: sku -> items.unit)."""

    own_units: dict[str, str] | None = None

    def by_sku(self) -> dict[str, tuple[tuple[str, int], ...]]:
        if getattr(self, "_by_sku", None) is None:
            found: dict[str, list[tuple[str, int]]] = {}
            for (sku, unit), n in sorted(self.items()):
                if n > 1:
                    found.setdefault(sku, []).append((unit, n))
            self._by_sku = {k: tuple(v) for k, v in found.items()}
        return self._by_sku


def item_packs(index: Mapping[tuple[str, str], int], sku: str | None) -> tuple[tuple[str, int], ...]:
    """The item master's units of ``sku`` holding more than one each, as (unit, eaches), by unit."""
    if not sku:
        return ()
    if isinstance(index, UnitIndex):
        return index.by_sku().get(sku, ())
    return tuple(sorted((u, n) for (k, u), n in index.items() if k == sku and n > 1))


def unit_index(ref: ReferenceData) -> UnitIndex:
    """(sku, unit) -> eaches per unit, from the item master: each item's own selling unit (items.unit)
    holds one each; item_units rows add inner packs, boxes, dozens ..."""
    index = UnitIndex()
    index.own_units = {}
    for r in ref.items.select(["sku", "unit"]).to_pylist():
        if r["sku"] and r["unit"]:
            index[(r["sku"], r["unit"])] = 1
            index.own_units[r["sku"]] = r["unit"]
    for r in ref.item_units.to_pylist():
        if r["sku"] and r["unit"]:
            index[(r["sku"], r["unit"])] = int(r["eaches"])
    return index


def eaches_per_unit(unit: str | None, sku: str | None, case_pack: int | None,
                    index: Mapping[tuple[str, str], int], settings: RuleSettings) -> int | None:
    """How many eaches one ``unit`` of item ``sku`` holds: 1 for the each, the item master's count for
    its selling unit and item_units rows, the case pack for a case (CA/CS) of more than one each, else the
    item_units row of more than one each of the other case code (RuleSettings.case_units: CS of an item whose case
    is its CA row; a CS row of one, a cassette, is no case), a count unit's definition (DZ 12, GS 144 ...); None
    when the item cannot be sold in that unit."""
    if not unit:
        return None
    if unit in settings.each_units:
        return 1
    if sku and (sku, unit) in index:
        return index[(sku, unit)]
    if sku and (sku, SAME_MEASURE.get(unit, "")) in index:  # LF of an item sold by the foot (FT) ...
        return index[(sku, SAME_MEASURE[unit])]
    if sku and unit in MEASURE_MULTIPLES:  # HL (100 feet) of an item sold by the foot (FT, or LF) ...
        base, times = MEASURE_MULTIPLES[unit]
        for measure in (base, SAME_MEASURE.get(base, "")):
            if (sku, measure) in index:
                return times * index[(sku, measure)]
    for base, times in METRIC_MULTIPLES.get(unit, ()) if sku else ():  # KG of an item counted in grams (GR) ...
        for measure in (base, SAME_MEASURE.get(base, "")):
            if (sku, measure) in index:
                return times * index[(sku, measure)]
    own = own_case(sku, index, settings)
    if unit in settings.case_units and own is not None:
        return own
    if unit in settings.case_units and case_pack and case_pack > 1:
        return int(case_pack)
    for other in settings.case_units if sku and unit in settings.case_units else ():
        if index.get((sku, other), 0) > 1:  # CS of an item with no case pack whose case is its CA row (CA of a CS row)
            return index[(sku, other)]
    return counted_in(unit, (getattr(index, "own_units", None) or {}).get(sku or ""), settings)


# units an item sold by one of them is counted by, piece by piece, as a count unit counts: the each's (EA, UN, PC,
# the settings' each_units) and the pair (PR: work gloves, socks by the dozen pairs)
_PIECES = ("PR",)


def sold_singly(own: str | None, settings: RuleSettings) -> bool:
    """Is ``own`` (an item's selling unit, items.unit) one piece of it: the each (RuleSettings.each_units) or the
    pair, so that a count unit (COUNT_UNITS: DZ 12 ...) is its definition of them (counted_in)?"""
    return bool(own) and (own in settings.each_units or own in _PIECES)


def counted_in(unit: str | None, own: str | None, settings: RuleSettings) -> int | None:
    """How many of an item's own selling unit ``own`` one count ``unit`` (COUNT_UNITS: DZ 12, TH 1000 ...) is: its
    definition for an item sold by the piece (the each, the pair; ``own`` unknown: as before), the ratio for an item
    sold by a count unit (GS of an item sold by the DZ: 12; none when not whole), None for an item sold in a pack or
    a measure (BX, CA, RM, LB ...): 2 TH of gloves sold by the box of 100 is 2,000 gloves, never 2,000 boxes, and only
    an item_units row can say how many boxes (it used to be 2,000 boxes, priced and allocated so)."""
    count = COUNT_UNITS.get(unit or "")
    if count is None or not own or own in settings.each_units or own in _PIECES:
        return count
    if own in COUNT_UNITS:
        return count // COUNT_UNITS[own] if count % COUNT_UNITS[own] == 0 else None
    return None


def own_case(sku: str | None, index: Mapping[tuple[str, str], int], settings: RuleSettings) -> int | None:
    """The eaches of item ``sku``'s own selling unit when that unit is a case (items.unit CA, or CS: a
    foodservice item sold by the case), which any case code then is: Sysco's PO1*1*12*CS of an item we sell
    in CA is 12 of our cases (CS and CA both name the case: RuleSettings.case_units). None otherwise."""
    own = (getattr(index, "own_units", None) or {}).get(sku or "")
    if own is None or own not in settings.case_units:
        return None
    return index.get((sku or "", own))


PO4_COLUMNS = ("po4_pack", "po4_inner_pack", "po4_size", "po4_size_unit")


def po4_unit_eaches(row: Mapping, index: Mapping[tuple[str, str], int], settings: RuleSettings) -> int | None:
    """Eaches in one PO103 unit the item master does not convert (a carton CT, box BX, pack PK, assortment
    AS of an item with no item_units row of it) when the line's PO4 says how many eaches it holds
    (po4_eaches) and that count is a pack the item master knows for the item: its case pack, or an
    item_units row of more than one each (``PO1*1*2*CT`` with ``PO4*12``: a carton is our case of 12;
    ``PO1*1*4*PK`` with ``PO4*6``: our inner pack of 6). None otherwise (no PO4, a count none of our packs
    is, a PO4 of one each: a constant ``PO4*1`` says nothing of a carton)."""
    unit, sku, pack = row.get("unit"), row.get("sku"), row.get("po4_pack")
    if not unit or not sku or pack is None:
        return None
    case_pack = row.get("case_pack")
    readings, _said = po4_eaches(pack, row.get("po4_inner_pack"), row.get("po4_size"), row.get("po4_size_unit"),
                                 sku, case_pack, index, settings)
    ours = {n for _u, n in item_packs(index, sku)}
    if case_pack and case_pack > 1:
        ours.add(int(case_pack))
    hits = [n for n in dict.fromkeys(readings) if n > 1 and n in ours]
    return hits[0] if len(hits) == 1 else None


def line_eaches_per_unit(row: Mapping, index: Mapping[tuple[str, str], int], settings: RuleSettings) -> int | None:
    """eaches_per_unit of an order line (``row``: its unit, sku, case_pack and PO4 columns), else what its
    PO4 says the unit holds when that is a pack of ours (po4_unit_eaches)."""
    per_unit = eaches_per_unit(row.get("unit"), row.get("sku"), row.get("case_pack"), index, settings)
    return per_unit if per_unit is not None else po4_unit_eaches(row, index, settings)


def po4_size_pack(row: Mapping, settings: RuleSettings) -> Decimal | None:
    """How much of the line's own unit one of the PO's packs holds when its PO4 measures the pack in that unit
    (PO403 = PO103, a unit of measure that is neither an each nor a case unit: ``PO1*1*1090*SF`` with
    ``PO4*1*15.5*SF``, a carton of tile covering 15.5 square feet): PO401 x PO402 (PO401 left out: one pack), else
    None. The buyer's own statement of the pack it orders in: a line in that unit is rounded to whole such packs
    (adjusted_quantity's ``po4_pack``) as to whole case packs, our item master holding no fractional pack (items.csv
    case_pack and item_units.csv eaches count whole eaches)."""
    unit, size, count = row.get("unit"), row.get("po4_size"), row.get("po4_pack")
    if not unit or unit != row.get("po4_size_unit") or unit in settings.each_units or unit in settings.case_units:
        return None
    if size is None or size <= 0 or (count is not None and count <= 0):
        return None
    return Decimal(count or 1) * Decimal(size)


def known_unit(unit: str | None, settings: RuleSettings) -> bool:
    """A unit of measure at all: a code of data element 355 (or one the settings name)."""
    return bool(unit) and (is_unit_code(unit) or unit in settings.each_units or unit in settings.case_units)


def quantity_in_eaches(
    quantity: Decimal, unit: str, case_pack: int, settings: RuleSettings, *, per_unit: int | None = None
) -> Decimal | None:
    """PO102 in eaches, or None when the unit is unknown or not convertible. ``per_unit``: eaches per
    PO103 unit from the item master (eaches_per_unit); without it only each and case convert."""
    if per_unit is None:
        per_unit = eaches_per_unit(unit, None, case_pack, {}, settings)
    return None if per_unit is None else quantity * per_unit


def adjusted_quantity(
    quantity: Decimal, unit: str, case_pack: int, min_order_qty: int, settings: RuleSettings, *,
    per_unit: int | None = None, po4_pack: Decimal | None = None
) -> Decimal | None:
    """The quantity (in the PO103 unit) we acknowledge after case-pack rounding and raising to the
    minimum, or None when the line must be rejected (unknown unit, reject policy, rounds to zero).
    ``po4_pack``: the PO's own pack in the PO103 unit (po4_size_pack: 15.5 SF), the quantity then also
    whole packs of it."""
    if per_unit is None:
        per_unit = eaches_per_unit(unit, None, case_pack, {}, settings)
    eaches = quantity_in_eaches(quantity, unit, case_pack, settings, per_unit=per_unit)
    if eaches is None or eaches <= 0:
        return None
    pack = Decimal(case_pack or 1)
    # eaches are rounded to multiples of ``step``: whole case packs that are also whole PO103 units (our
    # allocation, 855s, shipments and invoices count whole units of the line's unit: 2.5 DZ of an item sold by
    # the each, 30 eaches, was allocated 24 and answered "IA 2 DZ"; 8.3333 DZ, 99.9996 eaches, rounded to
    # 100, was 8.33333... DZ, which our tables cannot hold: the run failed)
    step = math.lcm(int(pack), per_unit)
    if po4_pack is not None and po4_pack > 0:
        # whole packs of the PO's PO4 that are also whole eaches: lcm(n, p/q) = lcm(n, p) for p/q in lowest terms
        # (cartons of 15.5 SF of tile sold by the SF: 31 SF, two cartons, the least whole number of them)
        step = math.lcm(step, Fraction(po4_pack * per_unit).numerator)
    step = Decimal(step)
    if eaches % step:
        if settings.case_pack_policy == "reject":
            return None
        rounding = ROUND_CEILING if settings.case_pack_policy == "round_up" else ROUND_FLOOR
        eaches = (eaches / step).to_integral_value(rounding) * step
        if eaches <= 0:
            return None
    if min_order_qty and eaches < min_order_qty:
        eaches = (Decimal(min_order_qty) / step).to_integral_value(ROUND_CEILING) * step
    return eaches / Decimal(per_unit)


def answered_quantity(row: Mapping, settings: RuleSettings, index: Mapping[tuple[str, str], int] | None = None, *,
                      per_unit: int | None = None) -> Decimal | None:
    """The quantity the 855 answers for an order line (``row``: its quantity, unit, sku, case_pack, min_order_qty and
    PO4 columns) whose quantity we change (CASE_PACK_ROUNDED, QTY_BELOW_MINIMUM: change_quantity): adjusted_quantity
    in whole case packs, whole packs of the PO's own PO4 (po4_size_pack) and the minimum, the line's eaches per unit
    read through the item master and its PO4 (``per_unit``, else line_eaches_per_unit of ``index``); None when the
    line would be rejected. One rule, read by the decision (engine.decide) and by the checks that judge the answered
    quantity (rules.business.money's 880 check, at intake and on a change)."""
    if per_unit is None:
        per_unit = line_eaches_per_unit(row, index or {}, settings)
    return adjusted_quantity(row.get("quantity") or Decimal(0), row.get("unit") or "", int(row.get("case_pack") or 1),
                             int(row.get("min_order_qty") or 0), settings, per_unit=per_unit,
                             po4_pack=po4_size_pack(row, settings))


def _sells_in(sku: str, item_unit: str | None, case_pack: int | None, index: Mapping[tuple[str, str], int],
              settings: RuleSettings) -> str:
    """The units an item can be ordered in, for messages: "EA, CA (12), PK (6)"."""
    units = list(settings.each_units[:1])  # the each as the message names it (EA), not each synonym (UN)
    if item_unit and item_unit not in units:
        units.append(item_unit)
    if case_pack and case_pack > 1:
        units += [f"{u} ({case_pack})" for u in settings.case_units[:1]]
    units += [f"{u} ({n})" for (s, u), n in sorted(index.items()) if s == sku and n != 1]
    return ", ".join(dict.fromkeys(units))


def check_quantities(lines: pa.Table, ref: ReferenceData, settings: RuleSettings, *,
                     orders: pa.Table | None = None) -> list[Finding]:
    """QTY_NOT_POSITIVE, UNIT_UNKNOWN (not a unit of measure code), UNIT_NOT_CONVERTIBLE (a unit the item
    is not sold in), CASE_PACK_ROUNDED/CASE_PACK_NOT_MULTIPLE (per the case-pack policy) and
    QTY_BELOW_MINIMUM, for lines whose item is known (``orders``: the lines' orders, naming the drop ships)."""
    resolved = _resolved(lines, ref)
    frame = registry.rules_frame(resolved)
    keys = ("quantity_present", "quantity_positive", "unit_present", "unit_known")
    return quantity_findings(resolved, registry.evaluate_arrow(frame, registry.select(
        registry.expectations(settings), keys)), settings, ref, orders=orders)


def quantity_findings(resolved: pa.Table, masks: dict, settings: RuleSettings, ref: ReferenceData, *,
                      orders: pa.Table | None = None) -> list[Finding]:
    """The quantity findings of every line, line by line: a missing or non-positive PO102 and an
    unknown PO103 come from the registry's expectations; case packs and minimums are arithmetic on
    the item join, screened in Arrow (a line that can raise nothing is skipped) and decided exactly
    (decimals) for the others. A line of a drop-ship order among ``orders`` (purpose.drop_ship_orders) is
    neither rounded to case packs nor raised to a minimum."""
    qty_bad = masks["quantity_present"] | masks["quantity_positive"]
    unit_bad = ~qty_bad & (masks["unit_present"] | masks["unit_known"])
    index = unit_index(ref)
    unit_bad = _unless_sold_in(resolved, unit_bad, index)
    maybe = ~qty_bad & ~unit_bad & _may_raise(resolved, settings, index)
    rows = np.flatnonzero(qty_bad | unit_bad | maybe)
    packs = [*_unit_case_findings(resolved), *_quantity_decimals_findings(resolved),
             *pack_findings(resolved, settings, index, ~qty_bad & ~unit_bad)]
    if not len(rows):
        return packs
    by_partner = _PerPartner(settings)
    cols = [*_LINE_LOCATION, "partner", "quantity", "unit", "sku", "case_pack", "min_order_qty", *PO4_COLUMNS,
            *(["store_quantities"] if settings.store_level or any(o.store_level for o in settings.partners.values())
              else [])]
    picked = resolved.select(list(dict.fromkeys(c for c in cols if c in resolved.column_names))).take(rows)
    item_units = {r["sku"]: r["unit"] for r in ref.items.select(["sku", "unit"]).to_pylist()}
    weights = average_weights(ref)
    drop_ship = _drop_ship_lines(resolved.take(rows), orders, settings)
    out: list[Finding] = []
    for i, row, direct in zip(rows.tolist(), picked.to_pylist(), drop_ship, strict=True):
        out.extend(_line_quantities({**row, "drop_ship": direct}, by_partner[row["partner"]], bool(qty_bad[i]),
                                    bool(unit_bad[i]), index, item_units, weights))
    # a line rounded to whole packs of its PO4 (CASE_PACK_ROUNDED, or CASE_PACK_NOT_MULTIPLE under the reject policy)
    # is told so there: PO4_SIZE_NOT_WHOLE stays for a line taken as ordered (a drop ship's, a store-ready one's)
    rounded = {_line_key(f) for f in out if f.code in ("CASE_PACK_ROUNDED", "CASE_PACK_NOT_MULTIPLE")}
    if rounded:
        packs = [f for f in packs if f.code != "PO4_SIZE_NOT_WHOLE" or _line_key(f) not in rounded]
    return out + packs


def _line_key(f: Finding) -> tuple:
    """A finding's line: its file, envelope and line number (not the segment or element it points at)."""
    loc = f.location
    return loc.file, loc.isa13, loc.gs06, loc.st02, loc.line_number, loc.row


def average_weights(ref: ReferenceData) -> dict[str, tuple[Decimal, str]]:
    """sku -> (average weight of one of its own units, that weight's unit): items.csv's optional
    average_weight and average_weight_unit, for the items that give both."""
    if "average_weight" not in ref.items.column_names or "average_weight_unit" not in ref.items.column_names:
        return {}
    rows = ref.items.select(["sku", "average_weight", "average_weight_unit"]).to_pylist()
    return {r["sku"]: (r["average_weight"], r["average_weight_unit"]) for r in rows
            if r["average_weight"] is not None and r["average_weight_unit"]}


def _by_weight(qty: Decimal, unit: str, sku: str, item_unit: str | None,
               weights: Mapping[str, tuple[Decimal, str]]) -> str:
    """What UNIT_NOT_CONVERTIBLE says of a line ordered by weight (480 LB of an item sold by the case): what
    is missing to take it as our units (items.csv's average_weight of the item), or, where it is given (the
    partner's profile does not deal in catch weight, or the order was taken in before: intake converts such
    lines, rules.business.by_weight), how many of our units it comes to and what to ask the buyer for (those
    units priced per pound: PO105 PP, billed by the weight shipped)."""
    own = item_unit or "EA"
    basis = next((b for b in PRICE_PER_WEIGHT if unit in PRICE_PER_MEASURE[b]), None)
    if unit not in KILOGRAMS_PER or basis is None:
        return (f" {unit} is a measure, not a pack: how many of our units {_text(qty)} {unit} is depends on "
                "what each weighs or measures (a catch-weight item is ordered in cases priced per pound, "
                "PO105 PP).")
    known = weights.get(sku)
    if known is None:
        return (f" {unit} is a measure, not a pack: items.csv gives item {sku} no average_weight (what one {own} "
                f"of it weighs on average, with its average_weight_unit), so how many {own} {_text(qty)} {unit} "
                f"is cannot be told. Add it to items.csv, or ask the buyer to order {own} priced per "
                f"{unit} (PO103 {own}, PO105 {basis}: billed by the weight shipped).")
    average, average_unit = known
    in_unit = weight_in(average, average_unit, unit)
    count = (qty / in_unit) if in_unit else None
    said = (f"{_text(count.quantize(Decimal('0.01')))} {own}" if count is not None else "unknown")
    return (f" {unit} is a measure, not a pack: at item {sku}'s average {_text(average)} {average_unit} a {own} "
            f"(items.csv average_weight) {_text(qty)} {unit} is {said}, but such a line is taken in as {own} "
            "only for a partner whose profile deals in catch weight ([rules] catch_weight = true), in an order "
            f"taken in after the average was given: ask the buyer to send it again, or to order whole {own} "
            f"priced per {unit} (PO103 {own}, PO105 {basis}: billed by the weight shipped).")


def _in_same_measure(qty: Decimal, unit: str, sku: str, own: str) -> str:
    """What UNIT_NOT_CONVERTIBLE says of a line in a unit of the same measure as the item's own by definition
    (schemas.units.same_measure: 600 KG of wire counted in LB, 30 FT of tubing counted in MR, 5 GA of a fluid counted
    in LT): the exact quantity in the item's unit, no average weight being wanted; a weight is taken in as the whole
    units that cover it where its PO105 allows (rules.business.by_weight.as_cases), a length or a volume only by
    whole multiples."""
    measure, ratio = same_measure(unit, own)  # type: ignore[misc]
    places = Decimal("0.000000000001")  # the definitions' own (an ounce is 0.028349523125 kg)
    one = (f"one {unit} is {_text(ratio)} {own}" if ratio == ratio.quantize(places)
           else f"one {own} is {_text((1 / ratio).quantize(places))} {unit}")
    exact = (qty * ratio).quantize(Decimal("0.0001"))
    said = f" {unit} and {own} are both units of {measure}: {one} by definition, so {_text(qty)} {unit} is " \
           f"{_text(exact)} {own}."
    if measure == "weight":
        whole = covering(qty, unit, own)
        if not within_one(whole, own, qty, unit):
            over = weight_in(whole, own, unit) - qty
            return (f"{said} The whole {own} that would cover it, {_text(whole)} {own}, would be {_text(over)} "
                    f"{unit} more than ordered (one {unit} or more): we stock, ship and invoice item {sku} in whole "
                    f"{own}, never fractions; ask the buyer to order in {own}.")
        return (f"{said} Such a line is taken in as the whole {own} that cover it ({_text(whole)} {own}), of any "
                f"partner, when it comes in priced per {unit} (PO105 none, a price per each, or per the weight of "
                f"{unit}); this one was not (its PO105 prices it otherwise, or its order was taken in before that was "
                f"so): ask the buyer to send it again priced per {unit}, or to order in {own}.")
    example = "a metre is 100 CM" if measure == "length" else "a litre is 1000 ML"
    return (f"{said} A line in a {measure} of an item counted in another is taken only when it is a whole number "
            f"of the item's unit by the units' definitions ({example}): we stock, ship and invoice item {sku} in "
            f"whole {own}; ask the buyer to order in {own}.")


def as_ordered_lines(lines: pa.Table, orders: pa.Table, settings: RuleSettings) -> np.ndarray:
    """Per line of ``lines``: is it acknowledged as ordered, neither rounded to case packs nor raised to a
    minimum (_line_quantities' ``split``): a line of a drop ship among ``orders`` (purpose.drop_ship_orders), or
    one a store-level partner (settings.store_level) splits over stores by SDQ (store_quantities). Allocation
    reserves such a line as the 855 acknowledged it (engine.answer.allocation_input)."""
    out = np.asarray(_drop_ship_lines(lines, orders, settings), dtype=bool)
    if "store_quantities" not in lines.column_names or not lines.num_rows:
        return out
    by_partner = _PerPartner(settings)
    stores = [p for p in lines.column("partner").unique().to_pylist() if p is not None and by_partner[p].store_level]
    if stores:
        split = pc.and_(pc.fill_null(pc.is_in(lines.column("partner"), value_set=pa.array(stores, pa.string())),
                                     False),
                        pc.fill_null(pc.greater(pc.list_value_length(lines.column("store_quantities")), 0), False))
        out |= np.asarray(split.to_numpy(zero_copy_only=False), dtype=bool)
    return out


def _drop_ship_lines(lines: pa.Table, orders: pa.Table | None, settings: RuleSettings) -> list[bool]:
    """Per line: is it a line of a drop-ship order (purpose.drop_ship_orders) among ``orders``, by the order's
    partner and PO number (a line an 860 added comes from the 860's file, its order from the 850's)."""
    if orders is None or not orders.num_rows or not lines.num_rows:
        return [False] * lines.num_rows
    keys = drop_ship_orders(orders, settings)
    if not len(keys):
        return [False] * lines.num_rows
    hit = pc.is_in(pair_key(lines["partner"], lines["po_number"]), value_set=keys.combine_chunks())
    return pc.fill_null(hit, False).to_pylist()


def _unit_case_findings(lines: pa.Table) -> list[Finding]:
    """UNIT_CASE_CONVERTED for each line whose PO103 was a unit code in small letters (the parser's ``unit_sent``:
    "ea" read as EA, schemas.units.capital_units): X12's unit codes are capitals, and the line used to be rejected
    (UNIT_UNKNOWN, ACK IR) after its 997 had accepted it; it is taken in the code, told, and answered with it."""
    if "unit_sent" not in lines.column_names or lines.column("unit_sent").null_count == lines.num_rows:
        return []
    cols = [*_LINE_LOCATION, "partner", "unit", "unit_sent"]
    picked = lines.select(list(dict.fromkeys(c for c in cols if c in lines.column_names)))
    return [business_finding(
        "UNIT_CASE_CONVERTED",
        f"PO103 {row['unit_sent']!r} is no unit code as sent (X12's unit codes, element 355, are capitals): read as "
        f"{row['unit']}; our 855, 856 and 810 state {row['unit']}.", row, seg="PO1", element="PO103",
        value=row["unit_sent"]) for row in picked.filter(pc.is_valid(lines.column("unit_sent"))).to_pylist()]


def _quantity_decimals_findings(lines: pa.Table) -> list[Finding]:
    """QUANTITY_DECIMALS_UNSUPPORTED for each line whose quantity was sent with more than 4 decimals that
    are not all zeros (the parser's ``quantity_sent``: 12.34567 LB of a bulk or catch-weight item): our
    tables, allocations, 855s, 856s and 810s carry 4, and a quantity rounded without a word is another
    order; the line waits for a person (approved, it is answered at the 4-decimal quantity the finding
    names)."""
    if "quantity_sent" not in lines.column_names or lines.column("quantity_sent").null_count == lines.num_rows:
        return []
    cols = [*_LINE_LOCATION, "partner", "unit", "quantity", "quantity_sent"]
    picked = lines.select(list(dict.fromkeys(c for c in cols if c in lines.column_names)))
    out = []
    for row in picked.filter(pc.is_valid(lines.column("quantity_sent"))).to_pylist():
        sent, kept, unit = row["quantity_sent"], row["quantity"], row["unit"] or "units"
        out.append(business_finding(
            "QUANTITY_DECIMALS_UNSUPPORTED",
            f"The quantity {sent} {unit} has more than 4 decimal places; our orders, 855s, 856s and 810s carry "
            f"4, so it would be {_text(kept)} {unit} (off by {_text(abs(Decimal(sent) - kept))}): the line waits "
            "for a person (ask the partner for a quantity with at most 4 decimals, or in a smaller unit; "
            f"approved, it is answered at {_text(kept)} {unit}).", row, seg="PO1", element="PO102", value=sent))
    return out


def po4_eaches(pack: int | None, inner: int | None, size: Decimal | None, size_unit: str | None, sku: str | None,
               case_pack: int | None, index: Mapping[tuple[str, str], int], settings: RuleSettings
               ) -> tuple[list[int], str]:
    """The eaches a PO4 says one outer pack holds, each way it can be read, and how it said so: PO401 inner
    containers times PO414 eaches each (``PO4*2*************6``); PO401 times PO402 in a PO403 that counts
    eaches (``PO4*2*6*EA``: 2 inner packs of 6 eaches; ``PO4*1*12*EA``, ``PO4*1*1*DZ``; the each, a count unit,
    the item's own units), as X12's example reads PO401/PO402/PO403 (a carton of 24 12-ounce packages:
    ``PO4*24*12*OZ``); PO401 alone, eaches per outer pack, when neither says more (a PO403 that is a measure,
    OZ or LB of an item not sold by it, says what each holds, not how many), and then PO401 inner packs of
    the item master's (an item_units row of more than one each). Empty: no usable PO401."""
    if not pack or pack < 0 or (inner is not None and inner <= 0):
        return [], ""
    readings: list[int] = []
    said: list[str] = []
    if inner:
        readings.append(pack * inner)
        said.append(f"PO401 {pack} x PO414 {inner}")
    per = eaches_per_unit(size_unit, sku, case_pack, index, settings) if size is not None and size > 0 else None
    if per is not None and size is not None and (size * per) == (size * per).to_integral_value():
        readings.append(int(pack * size * per))
        said.append(f"PO401 {pack} x PO402 {_text(size)} {size_unit}")
        own = (getattr(index, "own_units", None) or {}).get(sku or "")
        if size_unit in settings.each_units and own and own not in settings.each_units and pack not in readings:
            # an item sold in a pack unit of its own (a box BX of 100 gloves) is the inner container PO401 counts;
            # PO402/PO403 (100 EA) say what each holds, not how many of it the case holds (PO4*10*100*EA: a case
            # of 10 boxes of 100, as the standard defines PO401 "inner containers per outer container")
            readings.append(pack)
            said.append(f"PO401 {pack} {own} of PO402 {_text(size)} {size_unit} each")
    if not readings:
        readings.append(pack)
        said.append(f"PO401 {pack}")
        # PO401 counts inner containers when the item has them: PO4*2 of an item whose item_units name an inner
        # pack of 6 is 2 of them, a case of 12 (as the standard defines PO401)
        for u, n in item_packs(index, sku):
            if pack * n not in readings:
                readings.append(pack * n)
                said.append(f"PO401 {pack} x our {u} of {n}")
    return readings, " or ".join(said)


def pack_findings(resolved: pa.Table, settings: RuleSettings, index: Mapping[tuple[str, str], int],
                  usable: np.ndarray) -> list[Finding]:
    """CASE_PACK_MISMATCH for each ``usable`` line ordered in cases (or in another pack of ours, _pack_of_ours: a
    tray TY of 18) whose PO4 counts other eaches per case than ours (po4_eaches: PO401 times PO414, or times
    PO402 in a counting PO403, else PO401 alone), against eaches_per_unit of the line's case (the case pack, or
    an item_units row); PO4_PACK_DIFFERS (a warning) for a line ordered in eaches whose PO4 packs them in cases of
    more than one each, none of its readings our case pack of more than one (Fanatics: 18 EA with PO4*12, our
    case of 6: the eaches are as ordered, the cases they arrive in are not the buyer's). A line in another unit,
    or without PO4, raises nothing; nor an each line of an item we do not pack in cases, or whose PO4 says a pack
    of one."""
    if "po4_pack" not in resolved.column_names:
        return []
    sent = np.asarray(pc.is_valid(resolved.column("po4_pack")).to_numpy(zero_copy_only=False), dtype=bool)
    if "po4_size" in resolved.column_names:  # a PO4 of a size alone (PO4**15.5*SF: PO401 is optional) is a pack of one
        sent |= np.asarray(pc.is_valid(resolved.column("po4_size")).to_numpy(zero_copy_only=False), dtype=bool)
    if not sent.any():
        return []
    rows = np.flatnonzero(sent & usable)
    if not len(rows):
        return []
    by_partner = _PerPartner(settings)
    cols = [*_LINE_LOCATION, "partner", "quantity", "unit", "sku", "case_pack", *PO4_COLUMNS]
    picked = resolved.select(list(dict.fromkeys(c for c in cols if c in resolved.column_names))).take(rows)
    out: list[Finding] = []
    for row in picked.to_pylist():
        s, unit, pack = by_partner[row["partner"]], row["unit"], row["po4_pack"]
        if unit and unit == row.get("po4_size_unit") and unit not in s.each_units and unit not in s.case_units:
            whole = _po4_size_finding(row)
            if whole is not None:
                out.append(whole)
            continue
        if row["sku"] and unit in s.each_units and own_case(row["sku"], index, s) is None:
            each = _each_pack_finding(row, s, index)
            if each is not None:
                out.append(each)
            continue
        if not row["sku"] or not (unit in s.case_units or _pack_of_ours(row["sku"], unit, index, s)) \
                or own_case(row["sku"], index, s) is not None:
            # an item we sell by the case is counted in cases: the PO4 says what is inside one (PO4*6*5*LB, six
            # bags of 5 pounds), never how many of our units the line is (5 CA are 5 of our cases either way)
            continue
        readings, said = po4_eaches(pack, row["po4_inner_pack"], row.get("po4_size"), row.get("po4_size_unit"),
                                    row["sku"], row["case_pack"], index, s)
        ours = eaches_per_unit(unit, row["sku"], row["case_pack"], index, s)
        if not readings or ours is None or ours in readings:
            continue
        theirs = readings[0]
        qty = row["quantity"]
        ordered = (f": {_text(qty)} {unit} is {_text(qty * theirs)} eaches to the buyer, {_text(qty * ours)} "
                   "to us") if qty is not None and len(readings) == 1 else ""
        holds = " or ".join(str(r) for r in readings)
        out.append(business_finding(
            "CASE_PACK_MISMATCH",
            f"PO4 says a {unit} of item {row['sku']} holds {holds} eaches ({said}); ours holds {ours}{ordered}. "
            "The line waits for a person: correct our case pack (items.csv, item_units.csv) if the buyer is "
            "right, else ask the buyer to correct the PO (or the quantity) before we ship.",
            row, seg="PO4", element="PO401", value=str(pack)))
    return out


def _pack_of_ours(sku: str, unit: str | None, index: Mapping[tuple[str, str], int], s: RuleSettings) -> bool:
    """Is ``unit`` a pack of item ``sku`` that our item master counts, other than a case (an item_units row of more
    than one each: a nursery's tray TY of 18 pots, a pallet PL of 40 bags), and not the item's own selling unit
    (items.unit: the PO4 then says what is inside one, as for an item sold by the case)? A line in it is compared
    with its PO4 as a case line is: Armstrong's ``PO1*1*20*TY*0.85*PE`` with ``PO4*15`` buys trays of 15 pots, ours
    hold 18."""
    own = (getattr(index, "own_units", None) or {}).get(sku)
    return bool(unit) and unit not in s.each_units and unit != own and index.get((sku, unit), 0) > 1


def _po4_size_finding(row: Mapping) -> Finding | None:
    """pack_findings' PO4_SIZE_NOT_WHOLE of one line in a unit of measure (neither an each nor a case unit) whose PO4
    measures its pack in that unit (PO403 = PO103: ``PO1*1*1090*SF`` with ``PO4*1*15.5*SF``, a carton of tile
    covering 15.5 square feet), or None: the quantity is no whole number of those packs (PO401 x PO402). Our item
    master counts whole eaches (items.csv case_pack), so nothing else can tell: the line is taken as ordered and
    the warehouse ships whole cartons, short or over."""
    size, qty, count = row.get("po4_size"), row["quantity"], row["po4_pack"]
    if size is None or size <= 0 or qty is None or qty <= 0 or (count is not None and count <= 0):
        return None
    pack = (count or 1) * size
    packs = qty / pack
    if packs == packs.to_integral_value():
        return None
    below = packs.to_integral_value(rounding=ROUND_FLOOR)
    unit = row["unit"]
    return business_finding(
        "PO4_SIZE_NOT_WHOLE",
        f"{_text(qty)} {unit} of item {row['sku'] or '(unknown)'} is {_text(packs.quantize(Decimal('0.01')))} of the "
        f"PO's packs of {_text(pack)} {unit} (PO4 {f'PO401 {count} x ' if count else ''}PO402 {_text(size)} {unit}); "
        f"whole packs are {_text(below * pack)} or {_text((below + 1) * pack)} {unit}. The line is taken as ordered "
        "and ships in whole packs: agree the quantity with the buyer (an 860), or the balance stays open.",
        row, seg="PO4", element="PO402", value=_text(size))


def _each_pack_finding(row: Mapping, s: RuleSettings, index: Mapping[tuple[str, str], int]) -> Finding | None:
    """pack_findings' PO4_PACK_DIFFERS of one line ordered in eaches (``row``), or None: its PO4's readings
    (po4_eaches) of more than one each, none our case pack of more than one (eaches_per_unit of our case)."""
    case = s.case_units[0] if s.case_units else "CA"
    ours = eaches_per_unit(case, row["sku"], row["case_pack"], index, s)
    readings, said = po4_eaches(row["po4_pack"], row["po4_inner_pack"], row.get("po4_size"), row.get("po4_size_unit"),
                                row["sku"], row["case_pack"], index, s)
    theirs = [r for r in readings if r > 1]
    if ours is None or ours <= 1 or not theirs or ours in readings:
        return None
    holds = " or ".join(str(r) for r in theirs)
    return business_finding(
        "PO4_PACK_DIFFERS",
        f"PO4 packs item {row['sku']} {holds} to a case ({said}); ours are packed {ours} to a case. The line is "
        f"taken as ordered ({_text(row['quantity'])} {row['unit']}) and ships in our cases of {ours}: the buyer's "
        "receiving may count by its pack (a chargeback under some routing guides). Repack, or ask the buyer to "
        "correct the PO4 or our case pack (items.csv) if it is stale.",
        row, seg="PO4", element="PO401", value=str(row["po4_pack"]))


def per_unit_column(resolved: pa.Table, settings: RuleSettings, index: Mapping[tuple[str, str], int]) -> np.ndarray:
    """eaches_per_unit for every line at once, as floats (NaN: the item is not sold in that unit): 1 for
    the each, the item master's (sku, unit) count, the case pack for a case of more than one each (else the other
    case code's item_units row of more than one), a
    count unit's definition; else what the line's PO4 says its unit holds when that is a pack of ours
    (po4_unit_eaches)."""
    n = resolved.num_rows

    def column(name: str):
        return resolved.column(name) if name in resolved.column_names else pa.nulls(n, pa.string())

    unit = column("unit")
    each = _member(unit, settings.each_units)
    case = _member(unit, settings.case_units)
    pack = _floats(column("case_pack"), 0.0)
    per_unit = np.full(n, np.nan)
    if index and n:
        keys = list(index)
        found = lookup_by([column("sku"), unit], pa.array([f"{k}\x1f{u}" for k, u in keys], pa.string()),
                          pa.array([float(index[k]) for k in keys], pa.float64()))
        per_unit = _floats(found, np.nan)
    own_cases = {sku: n for sku in (getattr(index, "own_units", None) or {})
                 if (n := own_case(sku, index, settings)) is not None}
    if own_cases and case.any():  # a case code of an item sold by the case is its case (own_case)
        own = _floats(lookup_by([column("sku")], pa.array(list(own_cases), pa.string()),
                                pa.array([float(n) for n in own_cases.values()], pa.float64())), np.nan)
        per_unit = np.where(case & np.isnan(per_unit), own, per_unit)
    per_unit = np.where(case & np.isnan(per_unit) & (pack > 1), pack, per_unit)
    for other in settings.case_units if index else ():  # CS of an item whose case is its CA row (eaches_per_unit)
        if (case & np.isnan(per_unit)).any():
            rows = {sku: float(v) for (sku, u), v in index.items() if u == other and v > 1}
            if rows:
                found = _floats(lookup_by([column("sku")], pa.array(list(rows), pa.string()),
                                          pa.array(list(rows.values()), pa.float64())), np.nan)
                per_unit = np.where(case & np.isnan(per_unit), found, per_unit)
    counted = np.isnan(per_unit) & _member(unit, tuple(COUNT_UNITS))
    if counted.any():
        at = pc.index_in(unit, value_set=pa.array(list(COUNT_UNITS), pa.string()))
        by_definition = pc.take(pa.array([float(v) for v in COUNT_UNITS.values()], pa.float64()), at)
        per_unit = np.where(counted, _floats(by_definition, np.nan), per_unit)
        # an item sold in a pack or a measure (BX, CA, LB ...) or by a count unit: counted_in decides, line by line
        own_units = getattr(index, "own_units", None) or {}
        packed = tuple(sku for sku, own in own_units.items() if own not in settings.each_units and own not in _PIECES)
        odd = counted & _member(column("sku"), packed) if packed else np.zeros(len(counted), dtype=bool)
        for i in np.flatnonzero(odd).tolist():
            found = counted_in(unit[i].as_py(), own_units.get(column("sku")[i].as_py()), settings)
            per_unit[i] = np.nan if found is None else float(found)
    per_unit = np.where(each, 1.0, per_unit)
    measured = np.isnan(per_unit) & _member(unit, (*SAME_MEASURE, *MEASURE_MULTIPLES, *METRIC_MULTIPLES))
    if index and measured.any():  # LF of an item sold by the FT, HL (100 feet) of one ...: eaches_per_unit's
        rows = pa.array(np.flatnonzero(measured))
        for i, sku, u in zip(rows.to_pylist(), column("sku").take(rows).to_pylist(), unit.take(rows).to_pylist(),
                             strict=True):
            found = eaches_per_unit(u, sku, None, index, settings)
            if found is not None:
                per_unit[i] = float(found)
    if "po4_pack" in resolved.column_names and np.isnan(per_unit).any():  # a unit only the line's PO4 counts
        rows = np.flatnonzero(np.isnan(per_unit) & np.asarray(
            pc.is_valid(resolved.column("po4_pack")).to_numpy(zero_copy_only=False), dtype=bool))
        if len(rows):
            cols = [c for c in ("unit", "sku", "case_pack", *PO4_COLUMNS) if c in resolved.column_names]
            for i, row in zip(rows.tolist(), resolved.select(cols).take(pa.array(rows)).to_pylist(), strict=True):
                found = po4_unit_eaches(row, index, settings)
                if found is not None:
                    per_unit[i] = float(found)
    return per_unit


def partners_with_own_units(resolved: pa.Table, settings: RuleSettings) -> np.ndarray:
    """Lines of partners whose settings name other each/case units than the run's (the vectorised
    screens use the run's units, so these lines are always decided exactly)."""
    units = (settings.each_units, settings.case_units)
    other = [p for p in settings.partners
             if (settings.for_partner(p).each_units, settings.for_partner(p).case_units) != units]
    return _member(resolved.column("partner"), tuple(other)) if other else np.zeros(resolved.num_rows, dtype=bool)


def _member(values, units: tuple[str, ...]) -> np.ndarray:
    hit = pc.is_in(values, value_set=pa.array(list(units), pa.string()))
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)


def _floats(values, default: float) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.cast(values, pa.float64()), default).to_numpy(zero_copy_only=False),
                      dtype=float)


def _may_raise(resolved: pa.Table, settings: RuleSettings, index: Mapping[tuple[str, str], int]) -> np.ndarray:
    """Lines with an item that could raise UNIT_NOT_CONVERTIBLE, a case-pack or a minimum finding
    (a superset, in floats: a unit the item master cannot convert, a fractional quantity, a remainder,
    a minimum not met, huge values; whole numbers below 2**50 are exact in a float, the rest is decided
    in decimals)."""
    n = resolved.num_rows
    if n == 0:
        return np.zeros(0, dtype=bool)
    has_sku = np.asarray(pc.is_valid(resolved.column("sku")).to_numpy(zero_copy_only=False), dtype=bool)
    q = _floats(resolved.column("quantity"), 0.0)
    pack, moq = _floats(resolved.column("case_pack"), 1.0), _floats(resolved.column("min_order_qty"), 0.0)
    pack = np.where(pack == 0, 1.0, pack)  # "case_pack or 1"
    per_unit = per_unit_column(resolved, settings, index)
    convertible = ~np.isnan(per_unit)
    eaches = q * np.where(convertible, per_unit, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        remainder = np.fmod(eaches, pack)
    suspect = (~convertible | (q != np.floor(q)) | (remainder != 0) | (eaches < moq)
               | (np.abs(eaches) >= 2.0 ** 50) | (pack < 1) | partners_with_own_units(resolved, settings))
    if "po4_size_unit" in resolved.column_names:  # a line in the unit its PO4 measures the pack in (po4_size_pack)
        suspect |= np.asarray(pc.fill_null(pc.equal(resolved.column("unit"), resolved.column("po4_size_unit")),
                                           False).to_numpy(zero_copy_only=False), dtype=bool)
    return has_sku & suspect


def _unless_sold_in(resolved: pa.Table, unit_bad: np.ndarray, index: Mapping[tuple[str, str], int]) -> np.ndarray:
    """``unit_bad`` without the lines whose item the item master sells in that unit (items.unit or an
    item_units row): our list of 355 codes is not the whole standard's, and a unit the item master
    names is one the partner and we agreed on."""
    flagged = np.flatnonzero(unit_bad)
    if not len(flagged) or "sku" not in resolved.column_names:
        return unit_bad
    take = pa.array(flagged)
    pairs = zip(resolved["sku"].take(take).to_pylist(), resolved["unit"].take(take).to_pylist(), strict=True)
    sold = np.fromiter(((sku, unit) in index for sku, unit in pairs), dtype=bool, count=len(flagged))
    out = np.array(unit_bad, dtype=bool, copy=True)
    out[flagged[sold]] = False
    return out


def _in_pack_content(qty: Decimal, unit: str, pack: int | None, size: Decimal | None) -> str:
    """Why a line in the measure its PO4 states a pack's content in (Univar's 220 GA of a drum item with
    ``PO4*1*55*GA``: one drum holds 55 GA) is not taken: PO401 counts packs, not eaches per GA, and a line is taken in
    through its PO4's pack size by weight, or by a volume only as rules.business.by_weight.as_cases takes it."""
    content = Decimal(pack or 1) * (size or Decimal(0))
    packs = f": {_text(qty / content)} of them" if content > 0 else ""
    said = f" PO4 says one pack holds {_text(content)} {unit} (PO401 {pack or 1} x PO402 {_text(size)} {unit}){packs};"
    if unit in VOLUME_UNITS:  # rules.business.by_weight.as_cases takes such a line, where it can, when it comes in
        return (f"{said} a line in a volume is taken in as whole packs of its PO4 only of an item sold by that pack "
                f"(items.csv case_pack 1) at a price per {unit} that is exact per pack to 4 places, PO105 none or "
                "per each, in an order taken in since that was so.")
    return f"{said} a line is taken in through its PO4's pack by weight alone, never by a count like {unit}."


def _not_whole(qty: Decimal, unit: str, eaches: Decimal, pack: int, sku: str, item_unit: str | None) -> str:
    """Why a quantity that is a fraction of the item's unit (2.5 EA; 2.5 LB of an item sold by the pound)
    cannot be answered as sent: our stock, shipments and invoices count whole units of the item."""
    base = item_unit or "EA"
    said = f"PO102 {_text(qty)} {unit} is" + (f" {_text(eaches)} {base}," if unit != base else "")
    cases = f" (in cases of {pack})" if pack > 1 else ""
    return (f"{said} not a whole number of {base}: we stock, ship and invoice item {sku} in whole {base}{cases}, "
            "never fractions")


def _po4_not_whole(row: Mapping, qty: Decimal, unit: str, po4: Decimal) -> str:
    """Why a line in the unit its PO4 measures the pack in is no whole number of those packs (1090 SF of tile in
    cartons of 15.5 SF: 70.32 cartons): we ship whole packs of the PO's own size."""
    count = row.get("po4_pack")
    said = f"PO4 {f'PO401 {count} x ' if count else ''}PO402 {_text(row.get('po4_size'))} {unit}"
    return (f"{_text(qty)} {unit} of item {row['sku']} is {_text((qty / po4).quantize(Decimal('0.01')))} of the "
            f"PO's packs of {_text(po4)} {unit} ({said}): we ship, acknowledge and invoice whole packs "
            f"(in whole {unit})")


def _line_quantities(row: dict, s: RuleSettings, qty_bad: bool, unit_bad: bool,
                     index: Mapping[tuple[str, str], int], item_units: Mapping[str, str],
                     weights: Mapping[str, tuple[Decimal, str]] | None = None) -> list[Finding]:
    """One line's quantity findings, decided exactly (``qty_bad``/``unit_bad``: the expectations'
    verdicts on PO102 and PO103; ``index``: the item master's eaches per (sku, unit))."""
    qty, unit = row["quantity"], row["unit"] or ""
    if qty_bad:
        return [business_finding("QTY_NOT_POSITIVE",
                                 f"PO102 must be a positive quantity, got {_text(qty) or 'nothing'}.", row,
                                 seg="PO1", element="PO102", value=qty)]
    if unit_bad or not (known_unit(unit, s) or (row["sku"], unit) in index):
        return [business_finding("UNIT_UNKNOWN",
                                 f"PO103 {unit!r} is not a unit of measure code (X12 data element 355).",
                                 row, seg="PO1", element="PO103", value=unit)]
    if row["sku"] is None:
        return []  # ITEM_UNKNOWN covers it
    # a store-ready line (its stores' eaches) or a drop ship's (what the consumer bought): as ordered
    split = (s.store_level and bool(row.get("store_quantities"))) or bool(row.get("drop_ship"))
    out: list[Finding] = []
    pack = row["case_pack"] or 1
    per_unit = line_eaches_per_unit({**row, "case_pack": pack}, index, s)
    # None: the item is not sold in that unit (never a count unit's definition again: counted_in said no)
    eaches = None if per_unit is None else quantity_in_eaches(qty, unit, pack, s, per_unit=per_unit)
    if eaches is None:
        readings, said = po4_eaches(row.get("po4_pack"), row.get("po4_inner_pack"), row.get("po4_size"),
                                    row.get("po4_size_unit"), row["sku"], pack, index, s)
        po4 = (f" PO4 says a {unit} holds {' or '.join(str(r) for r in readings)} eaches ({said}): no pack of ours."
               if readings else "")
        if same_measure(unit, item_units.get(row["sku"])):  # 600 KG of an item counted in LB: no average weight
            po4 = _in_same_measure(qty, unit, row["sku"], item_units[row["sku"]])
        elif unit in _MEASURES:  # 480 LB: no pack holds a number of pounds; its PO4 describes the item's case
            po4 = _by_weight(qty, unit, row["sku"], item_units.get(row["sku"]), weights or {})
        elif readings and unit == row.get("po4_size_unit"):  # 220 GA with PO4*1*55*GA: the pack's content, no count
            po4 = _in_pack_content(qty, unit, row.get("po4_pack"), row.get("po4_size"))
        return [business_finding(
            "UNIT_NOT_CONVERTIBLE",
            f"Ordered in {unit}, but item {row['sku']} is not sold in {unit}: it is sold in "
            f"{_sells_in(row['sku'], item_units.get(row['sku']), pack, index, s)} (item_units.csv "
            f"has no {row['sku']},{unit} row).{po4}", row, seg="PO1", element="PO103", value=unit)]
    # a fraction of a unit that is a number of the item's own measure (1.344 TM, thousand board feet, of lumber sold
    # by the board foot: 1,344 BF; 25.5 HL of wire sold by the foot; 2.5 TH, 2,500 sheets of paper sold by the sheet)
    # is an exact quantity of the item: as sent
    of_measure = fraction_of_item(unit) and not eaches % 1
    # a fraction of a measure of an item counted in a measure, not in cases (12.5 LB of almonds sold by the pound; 50.5
    # YD, 151.5 FT, of rope sold by the foot: catch weights, cut lengths) is what the buyer wants: as sent
    cut = measured(unit, item_units.get(row["sku"]), pack)
    # the PO's own pack in the line's unit (PO4*1*15.5*SF of tile ordered in SF): whole packs of it, as case packs
    po4 = None if split else po4_size_pack(row, s)
    if (eaches % pack and not split and not cut) or (qty % 1 and not of_measure and not cut) or \
            (po4 is not None and qty % po4):
        new = adjusted_quantity(qty, unit, pack, 0, s, per_unit=per_unit, po4_pack=po4)
        if eaches % 1:
            why = _not_whole(qty, unit, eaches, pack, row["sku"], item_units.get(row["sku"]))
        elif eaches % pack:
            why = (f"{_text(eaches)} {said_in(item_units.get(row['sku']))} is not a multiple of the case pack "
                   f"{pack} of item {row['sku']}")
        elif qty % 1:  # 2.5 DZ: 30 eaches, whole, but not a whole number of the line's unit
            why = (f"PO102 {_text(qty)} {unit} is {_text(eaches)} {said_in(item_units.get(row['sku']))}, not a "
                   f"whole number of {unit}: we acknowledge, ship and invoice this line in whole {unit}")
        else:  # 1090 SF with PO4*1*15.5*SF: 70.32 cartons
            why = _po4_not_whole(row, qty, unit, po4)
        if new is None:
            return [business_finding("CASE_PACK_NOT_MULTIPLE", f"{why}.", row, seg="PO1", element="PO102",
                                     value=qty)]
        out.append(business_finding("CASE_PACK_ROUNDED", f"{why}; acknowledged as {_text(new)} {unit}.", row,
                                    seg="PO1", element="PO102", value=qty))
    moq = row["min_order_qty"] or 0
    if moq and eaches < moq and not split:
        new = adjusted_quantity(qty, unit, pack, moq, s, per_unit=per_unit, po4_pack=po4)
        out.append(business_finding("QTY_BELOW_MINIMUM",
                                    f"{_text(eaches)} {said_in(item_units.get(row['sku']))} is below the "
                                    f"minimum order quantity {moq} of item "
                                    f"{row['sku']}; raise to {_text(new)} {unit}.", row, seg="PO1", element="PO102",
                                    value=qty))
    return out
