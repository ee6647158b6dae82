"""Kits confirmed by their components: a kit (bundle) item ordered, the warehouse shipping and confirming the items
it is made of (a WMS picks components; NetSuite's item fulfillment lists a kit's member items). Pure: the kit table
(reference data kits.csv: kit SKU -> component SKUs and quantities per kit) and the orders' lines come in.

A confirmation's rows of a shipment and PO whose SKUs are the components of a kit that PO orders (and not lines of
their own on it) are read as the kit: one row of the kit's SKU, its quantity the number of whole kits they make, in
the carton of the first component row; the 856 and 810 then ship the ordered line, as the buyer ordered it. Components
that make no whole number of kits, or fewer of one component than the others, are a partial kit: the shipment is held
with SHIPMENT_KIT_INCOMPLETE naming what each component shipped and what a whole kit needs (they used to be held as
SHIPMENT_SKU_UNKNOWN + SHIPMENT_LINE_UNKNOWN, which said nothing of a kit).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pyarrow as pa

from schemas.findings import finding


def kits_shipped(read, kits: pa.Table | None, state: pa.Table):
    """``read`` (engine.lifecycle.shipping.Confirmations) with each kit confirmed by its components (``kits``:
    schemas.reference KITS; ``state``: LINE_STATE of the file's orders, whose SKUs say which kits a PO orders) as one
    row of the kit; a partial kit's rows left out with SHIPMENT_KIT_INCOMPLETE (an error at its first row, holding
    its shipment). ``read`` itself when no kit is met."""
    if kits is None or kits.num_rows == 0 or read.lines.num_rows == 0:
        return read
    recipe: dict[str, dict[str, Decimal]] = defaultdict(dict)  # kit -> component -> units per kit
    for kit, component, quantity in zip(*(kits[c].to_pylist() for c in ("kit_sku", "component_sku", "quantity")),
                                        strict=True):
        recipe[kit][component] = Decimal(quantity)
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
    cols = {c: lines[c].to_pylist() for c in ("shipment_id", "po_number", "quantity", "row_number")}
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)  # (shipment, PO, kit) -> its component rows
    for i, sku in enumerate(skus):
        po = cols["po_number"][i] or ""
        if sku not in kit_of or sku in ordered.get(po, ()):
            continue  # no kit's component, or a line of the PO's own
        kits_ordered = [k for k in kit_of[sku] if k in ordered.get(po, ())]
        if len(kits_ordered) == 1:  # the one kit of the PO it is part of (two: whose is it? left as it is)
            groups[(cols["shipment_id"][i] or "", po, kits_ordered[0])].append(i)
    if not groups:
        return read
    drop: list[int] = []
    take_sku: dict[int, tuple[str, Decimal]] = {}  # the row that becomes the kit's -> (kit, kits shipped)
    found = []
    unread, pos = dict(read.unread), dict(read.pos)
    for (sid, po, kit), rows in groups.items():
        shipped: dict[str, Decimal] = defaultdict(Decimal)
        for i in rows:
            shipped[skus[i]] += cols["quantity"][i] or Decimal(0)
        counts = {c: shipped.get(c, Decimal(0)) / per for c, per in recipe[kit].items()}
        whole = set(counts.values())
        n = next(iter(whole))
        if len(whole) == 1 and n > 0 and n == n.to_integral_value():
            take_sku[rows[0]] = (kit, n)
            drop += rows[1:]
            continue
        drop += rows
        first = rows[0]
        row = cols["row_number"][first]
        told = ", ".join(f"{_num(shipped.get(c, Decimal(0)))} of {c} (a kit takes {_num(per)})"
                         for c, per in recipe[kit].items())
        at = {"row": row, "column": "sku"} if row is not None else {
            k: lines[k][first].as_py() or "" for k in ("isa13", "gs06", "st02")} | {"seg": "W12"}
        found.append(finding("SHIPMENT_KIT_INCOMPLETE", f"Shipment {sid} ships the components of kit {kit} (PO {po}) "
                             f"that make no whole number of kits: {told}.", file=read.file, value=kit, **at))
        if row is not None:
            unread[row], pos[row] = sid, po
    sku_column = list(skus)
    quantity = list(cols["quantity"])
    for i, (kit, n) in take_sku.items():
        sku_column[i], quantity[i] = kit, n
    keep = np.ones(len(skus), dtype=bool)
    keep[drop] = False
    out = lines.set_column(lines.schema.get_field_index("sku"), lines.schema.field("sku"),
                           pa.array(sku_column, lines.schema.field("sku").type))
    out = out.set_column(out.schema.get_field_index("quantity"), out.schema.field("quantity"),
                         pa.array(quantity, out.schema.field("quantity").type))
    return replace(read, lines=out.filter(pa.array(keep)), findings=(*read.findings, *found), unread=unread, pos=pos)


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")
