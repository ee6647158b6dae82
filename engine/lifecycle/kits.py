"""Kits confirmed by their components: a kit (bundle) item ordered, the warehouse shipping and confirming the items
it is made of (a WMS picks components; NetSuite's item fulfillment lists a kit's member items). Pure: the kit table
(reference data kits.csv: kit SKU -> component SKUs and quantities per kit) and the orders' lines come in.

A confirmation's rows of a shipment and PO whose SKUs are the components of a kit that PO orders (and not lines of
their own on it) are read as the kit: rows of the kit's SKU, their quantities the numbers of whole kits they make; the
856 and 810 then ship the ordered line, as the buyer ordered it (retailers' guides: the I level is the item ordered).
Each package holding whole kits is a row of its kits; kits whose components went in different packages are counted in
the first, each other package a row of the kit shipping 0 (a further box: box_count 0, rules.shipments.box_checks
leaves it to us), so every package stays a pack of the 856 (it used to keep the first package alone). Two kits of a PO
sharing a component are counted by what each has alone, the shared units once (kit_counts). Components that make no
whole number of kits are a partial kit: the shipment is held with SHIPMENT_KIT_INCOMPLETE naming what each component
shipped and what a whole kit needs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

import pyarrow as pa

from rules.shipment_units import ShipmentUnits
from schemas.findings import finding
from schemas.rule_settings import RuleSettings


def _own_packs(kits: pa.Table) -> dict[tuple[str, str], Decimal]:
    """(component, unit) -> its eaches in one unit, as kits.csv's own unit and pack columns give them: the pack of a
    component not sold on its own (no items.csv row, so no case_pack nor item_units row may give it)."""
    if "pack" not in kits.column_names:
        return {}
    return {(sku, unit.strip().upper()): Decimal(pack) for sku, unit, pack in zip(
        *(kits[c].to_pylist() for c in ("component_sku", "unit", "pack")), strict=True) if unit and pack}


def kits_shipped(read, kits: pa.Table | None, state: pa.Table, items: pa.Table | None = None,
                 item_units: pa.Table | None = None):
    """``read`` (engine.lifecycle.shipping.Confirmations) with each kit confirmed by its components (``kits``:
    schemas.reference KITS; ``state``: LINE_STATE of the file's orders, whose SKUs say which kits a PO orders) as rows
    of the kit, one per package it went in (kit_rows); a partial kit's rows left out with SHIPMENT_KIT_INCOMPLETE (an
    error at its first row, holding its shipment). ``read`` itself when no kit is met.

    Two kits of a PO sharing a component (a gift box in both sets) are counted by the components each has alone; the
    shared one's units must be what those kits take together (counted once, for both: kit_counts).

    kits.csv counts a component in eaches: a component row confirmed in another unit (a case of lids) is its eaches by
    the component's pack (``items``' case_pack, ``item_units`` rows, a count unit's definition: rules.shipment_units),
    else kits.csv's own ``unit`` and ``pack`` for the component (one not sold on its own has no items.csv row to give
    a pack: it was held), and one whose pack is not known holds its shipment with SHIPMENT_KIT_UNIT_UNKNOWN (it used
    to be counted as that many eaches: 1 case of 10 lids was 1 lid, the kit partial)."""
    if kits is None or kits.num_rows == 0 or read.lines.num_rows == 0:
        return read
    recipe: dict[str, dict[str, Decimal]] = defaultdict(dict)  # kit -> component -> units per kit
    for kit, component, quantity in zip(*(kits[c].to_pylist() for c in ("kit_sku", "component_sku", "quantity")),
                                        strict=True):
        recipe[kit][component] = Decimal(quantity)
    own_packs = _own_packs(kits)
    kit_of: dict[str, list[str]] = defaultdict(list)
    for kit, parts in recipe.items():
        for component in parts:
            kit_of[component].append(kit)
    lines = read.lines
    skus = lines["sku"].to_pylist()
    if not any(s in kit_of for s in skus):
        return read
    ordered: dict[str, set[str]] = defaultdict(set)  # PO -> the SKUs its lines order
    for po, sku in zip(state["po_number"].to_pylist(), state["sku"].to_pylist(), strict=True):
        if po and sku:
            ordered[po].add(sku)
    cols = {c: lines[c].to_pylist() for c in ("shipment_id", "po_number", "quantity", "row_number", "carton_id",
                                              "carton_sscc", "pallet_id", "unit")}
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)  # (shipment, PO) -> its rows of kits' components
    for i, sku in enumerate(skus):
        po = cols["po_number"][i] or ""
        if sku in kit_of and sku not in ordered.get(po, ()) and any(k in ordered.get(po, ()) for k in kit_of[sku]):
            groups[(cols["shipment_id"][i] or "", po)].append(i)  # a component of a kit the PO orders, not a line
    if not groups:
        return read
    source: list[int] = []  # each row of the result: the row it is made from
    made: dict[int, tuple[str, Decimal, int | None]] = {}  # result row -> (kit, kits in it, further box number)
    gone: set[int] = set()
    found = []
    unread, pos = dict(read.unread), dict(read.pos)
    packs = None
    for (sid, po), rows in groups.items():
        unknown = []  # rows of a unit whose eaches are not known
        for i in rows:
            unit = cols["unit"][i]
            if unit and cols["quantity"][i] is not None:
                if packs is None:
                    packs = ShipmentUnits(items, item_units, RuleSettings())
                eaches = packs.each(skus[i], unit)
                if eaches is None:
                    eaches = own_packs.get((skus[i], unit.strip().upper()))
                if eaches is None:
                    unknown.append(i)
                else:
                    cols["quantity"][i] *= eaches
        if unknown:
            gone.update(rows)
            first = unknown[0]
            row = cols["row_number"][first]
            at = {"row": row, "column": "unit"} if row is not None else {
                k: lines[k][first].as_py() or "" for k in ("isa13", "gs06", "st02")} | {"seg": "W12"}
            kits_of = sorted({k for i in unknown for k in kit_of[skus[i]] if k in ordered[po]})
            told = ", ".join(f"{_num(cols['quantity'][i])} {cols['unit'][i]} of {skus[i]}" for i in unknown)
            found.append(finding(
                "SHIPMENT_KIT_UNIT_UNKNOWN",
                f"Shipment {sid} ships components of kit {', '.join(kits_of)} (PO {po}) in a unit whose eaches are "
                f"not known: {told}. kits.csv counts components in eaches: give the component's pack (items.csv "
                f"case_pack, an item_units.csv row, or kits.csv's unit and pack for a component not in items.csv) "
                f"or ask the warehouse to confirm it in eaches.",
                file=read.file, value=cols["unit"][first], **at))
            if row is not None:
                unread[row], pos[row] = sid, po
            continue
        made_kits = sorted({k for i in rows for k in kit_of[skus[i]] if k in ordered[po]},
                           key=lambda k: min(i for i in rows if k in kit_of[skus[i]]))
        shipped: dict[str, Decimal] = defaultdict(Decimal)
        for i in rows:
            shipped[skus[i]] += cols["quantity"][i] or Decimal(0)
        counts = kit_counts(made_kits, recipe, shipped)
        gone.update(rows)
        if counts is None:
            first = rows[0]
            row = cols["row_number"][first]
            at = {"row": row, "column": "sku"} if row is not None else {
                k: lines[k][first].as_py() or "" for k in ("isa13", "gs06", "st02")} | {"seg": "W12"}
            found.append(finding("SHIPMENT_KIT_INCOMPLETE", _incomplete(sid, po, made_kits, recipe, shipped),
                                 file=read.file, value=made_kits[0], **at))
            if row is not None:
                unread[row], pos[row] = sid, po
            continue
        for i, (kit, n, box) in kit_rows(rows, made_kits, counts, recipe, skus, cols):
            made[len(source)] = (kit, n, box)
            source.append(i)
    taken = [i for i in range(len(skus)) if i not in gone]
    order = sorted(range(len(source)), key=lambda k: source[k])  # the kits' rows where their packages' rows were
    rows_out = sorted([(i, None) for i in taken] + [(source[k], k) for k in order], key=lambda t: (t[0], t[1] is None))
    out = lines.take(pa.array([i for i, _k in rows_out], pa.int64()))
    sku_column, quantity = out["sku"].to_pylist(), out["quantity"].to_pylist()
    box_number, box_count = out["box_number"].to_pylist(), out["box_count"].to_pylist()
    unit = out["unit"].to_pylist()
    for j, (_i, k) in enumerate(rows_out):
        if k is not None:  # whole kits: the line's units (a set ordered in ST, KT), not the components' eaches
            kit, n, box = made[k]
            sku_column[j], quantity[j], unit[j] = kit, n, None
            if box is not None:  # a package of the kit's counted on its first: a further box, of no unit's count
                box_number[j], box_count[j] = box, 0
    for name, values in (("sku", sku_column), ("quantity", quantity), ("unit", unit), ("box_number", box_number),
                         ("box_count", box_count)):
        at = out.schema.get_field_index(name)
        out = out.set_column(at, out.schema.field(at), pa.array(values, out.schema.field(at).type))
    return replace(read, lines=out, findings=(*read.findings, *found), unread=unread, pos=pos)


def kit_counts(made_kits: list[str], recipe: dict[str, dict[str, Decimal]],
               shipped: dict[str, Decimal]) -> dict[str, Decimal] | None:
    """The whole kits of each of ``made_kits`` (the kits a PO orders whose components a shipment ``shipped``), else
    None (a partial kit). A kit is counted by the components it alone of them has (each must give the same whole
    number); a component of several (a shared gift box) must then be what they take together, counted once. One kit
    made of shared components alone is counted by what the others leave; two such: None (whose units are whose?)."""
    shared = {c for k in made_kits for c in recipe[k] if sum(c in recipe[o] for o in made_kits) > 1}
    counts: dict[str, Decimal] = {}
    open_ = []
    for kit in made_kits:
        own = {shipped.get(c, Decimal(0)) / per for c, per in recipe[kit].items() if c not in shared}
        if not own:
            open_.append(kit)
            continue
        if len(own) != 1:
            return None
        counts[kit] = next(iter(own))
    if len(open_) > 1:
        return None
    for kit in open_:
        left = {(shipped.get(c, Decimal(0)) - sum(counts[o] * recipe[o].get(c, Decimal(0)) for o in counts)) / per
                for c, per in recipe[kit].items()}
        if len(left) != 1:
            return None
        counts[kit] = next(iter(left))
    for c in shared:
        if shipped.get(c, Decimal(0)) != sum(n * recipe[k].get(c, Decimal(0)) for k, n in counts.items()):
            return None
    if any(n < 0 or n != n.to_integral_value() for n in counts.values()) or not any(counts.values()):
        return None
    return counts


def kit_rows(rows: list[int], made_kits: list[str], counts: dict[str, Decimal], recipe: dict[str, dict[str, Decimal]],
             skus: list, cols: dict[str, list]) -> list[tuple[int, tuple[str, Decimal, int | None]]]:
    """The kits' rows of one shipment and PO: (the component row each is made from, (kit, kits, further box)). Each
    package (carton, else pallet) holding whole kits gets a row of them, of its first component row; kits whose
    components went in different packages are counted in the first package holding what is left of them, and each
    other such package is a row of the kit shipping 0, box 2, 3 ... (the 856 states it as a pack of the kit, as a
    multi-box unit's further box: no package the buyer's dock receives goes unnamed)."""
    package: dict[object, list[int]] = {}
    for i in rows:
        key = cols["carton_sscc"][i] or cols["carton_id"][i] or cols["pallet_id"][i]
        package.setdefault(key, []).append(i)
    left: dict[object, dict[str, Decimal]] = {}
    for key, its in package.items():
        left[key] = defaultdict(Decimal)
        for i in its:
            left[key][skus[i]] += cols["quantity"][i] or Decimal(0)
    placed: dict[tuple[object, str], Decimal] = defaultdict(Decimal)  # (package, kit) -> whole kits in it
    further: list[tuple[object, str, int]] = []  # (package, kit, box) of kits spread over packages
    for kit in made_kits:
        need, parts = counts[kit], recipe[kit]
        for key in package:
            whole = min(min(left[key].get(c, Decimal(0)) // per for c, per in parts.items()), need)
            if whole > 0:
                for c, per in parts.items():
                    left[key][c] -= whole * per
                need -= whole
                placed[(key, kit)] += whole
        if need <= 0:
            continue
        holding = [key for key in package if any(left[key].get(c, Decimal(0)) > 0 for c in parts)]
        box = 1
        for key in holding:
            if key == holding[0]:
                placed[(key, kit)] += need
            elif (key, kit) not in placed:  # a package already stating kits of its own is a pack of the kit
                box += 1
                further.append((key, kit, box))
            for c, per in parts.items():
                left[key][c] -= min(left[key].get(c, Decimal(0)), need * per)

    def first(key: object, kit: str) -> int:
        return next(i for i in package[key] if skus[i] in recipe[kit])

    return [(first(key, kit), (kit, n, None)) for (key, kit), n in placed.items()] + [
        (first(key, kit), (kit, Decimal(0), box)) for key, kit, box in further]


def _incomplete(sid: str, po: str, made_kits: list[str], recipe: dict[str, dict[str, Decimal]],
                shipped: dict[str, Decimal]) -> str:
    if len(made_kits) == 1:
        kit = made_kits[0]
        told = ", ".join(f"{_num(shipped.get(c, Decimal(0)))} of {c} (a kit takes {_num(per)})"
                         for c, per in recipe[kit].items())
        return f"Shipment {sid} ships the components of kit {kit} (PO {po}) that make no whole number of kits: {told}."
    components = list(dict.fromkeys(c for k in made_kits for c in recipe[k]))
    told = ", ".join(f"{_num(shipped.get(c, Decimal(0)))} of {c} (" + ", ".join(
        f"{k} takes {_num(recipe[k][c])}" for k in made_kits if c in recipe[k]) + ")" for c in components)
    return (f"Shipment {sid} ships the components of kits {', '.join(made_kits)} (PO {po}) that make no whole number "
            f"of each: {told}.")


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")
