"""A size run ordered as one style line: ``PO1*1*120*EA*11.2**VA*WS-GRY*CL*GRY`` (the style and colour: no item of
ours) with its sizes in SLN sublines, each included (SLN03 I) with its own quantity and UPC
(``SLN*1-1**I*40*EA*11.2***UP*614141553051*SZ*M`` ...), as team dealers, uniform buyers and apparel buyers order a
garment in a run of sizes.

Taken in as one line per size (as_sizes), so that allocation, the 855, the 856 and the 810 need nothing else: each
size line is the style line's copy with the subline's quantity (SLN04), unit (SLN05), price (SLN06, else PO104) and
basis (SLN07, else PO105), its ids the subline's pairs followed by the style's own (VA, CL ...: what the size is of),
its line_id the SLN01 as sent (the subline id the buyer gave it, which the 855 PO101, the 856 LIN01 and the 810
IT101 echo: X12 relates an SLN01 to its baseline line, "1-1" or "1A" to line 1) and ORDER_LINES ``style_line_id``
the style's PO101 (its lineage; segment_position and file_segment stay the PO1's). The PO's lines are numbered
again in the order sent (the sizes where the style stood), its line SACs following their line (a SAC of the style's
loop goes with its first size), ORDERS line_count the lines taken.

Only when every subline can be a line: the PO1's own ids name no item of ours, its SLN I sublines (two or more;
parsers.orders_850 keeps the I ones, an A, D or S beside them is still named: SLN_NOT_APPLIED) each name an item of
ours, in PO103's unit,
with a positive quantity, their quantities add up to PO102 (a size run states each size's total; a prepack's
components state what ONE pack holds and are never taken so), and their SLN01s are distinct and name no other line
of the PO. Anything else is left as sent (ITEM_UNKNOWN says the style is none of ours). A prepack whose pack is an
item of ours keeps its components as they were (the 856 lists them: engine.asn)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.orders import PRODUCT_QUALIFIERS
from schemas.reference import ReferenceData

# the ORDER_LINES columns of a line's own product ids (PRODUCT_QUALIFIERS' columns): a size line takes its subline's
_ID_COLUMNS = tuple(dict.fromkeys(PRODUCT_QUALIFIERS.values()))


def has_sublines(lines: pa.Table) -> bool:
    """Whether any line of ``lines`` (ORDER_LINES) carries SLN I sublines: only then is the item master needed."""
    return lines.num_rows > 0 and "prepack_components" in lines.column_names and \
        lines["prepack_components"].null_count < lines.num_rows


def as_sizes(lines: pa.Table, ref: ReferenceData, sacs: pa.Table | None = None, orders: pa.Table | None = None
             ) -> tuple[pa.Table, pa.Table | None, pa.Table | None]:
    """``lines`` (ORDER_LINES, as parsed) with every size run's style line taken as one line per size (see the
    module), and ``sacs`` (ORDER_SACS) and ``orders`` (ORDERS: line_count) of those POs following; each as given
    when no line is one."""
    if not has_sublines(lines):
        return lines, sacs, orders
    from rules.business.items import resolve_items

    components = lines["prepack_components"].to_pylist()
    candidates = [i for i, c in enumerate(components) if c and len(c) > 1]
    if not candidates:
        return lines, sacs, orders
    skus = resolve_items(lines.take(pa.array(candidates, pa.int64())), ref.items, ref.partner_items)["sku"]
    styles = [i for i, sku in zip(candidates, skus.to_pylist(), strict=True) if sku is None]
    if not styles:
        return lines, sacs, orders
    sizes: dict[int, list[dict]] = {}
    for i in styles:
        rows = _sizes_of(lines.slice(i, 1).to_pylist()[0], components[i])
        if rows:
            sizes[i] = rows
    if not sizes:
        return lines, sacs, orders
    flat = [r for i in sorted(sizes) for r in sizes[i]]
    known = resolve_items(pa.Table.from_pylist(flat, schema=lines.schema), ref.items, ref.partner_items)["sku"]
    known_list, at = known.to_pylist(), 0
    for i in sorted(sizes):  # every size an item of ours, else the style line stays as sent
        n = len(sizes[i])
        if any(s is None for s in known_list[at:at + n]):
            del sizes[i]
        at += n
    sizes = {i: rows for i, rows in sizes.items() if _ids_free(lines, i, rows)}
    if not sizes:
        return lines, sacs, orders
    return _taken(lines, sizes, sacs, orders)


def _sizes_of(style: dict, components: list[dict]) -> list[dict] | None:
    """The size lines of one style line (ORDER_LINES rows, line_number not yet given), or None where its sublines
    are no size run (a quantity missing or not positive, another unit than PO103's, no id, SLN01 missing or twice,
    quantities not adding up to PO102)."""
    quantity, unit = style.get("quantity"), style.get("unit")
    if quantity is None or quantity <= 0 or not unit:
        return None
    subs = [c.get("subline") or "" for c in components]
    if not all(subs) or len(set(subs)) != len(subs):
        return None
    total = Decimal(0)
    own = [p for p in style.get("product_ids") or () if p.get("qualifier") and p.get("id")]
    out: list[dict] = []
    for c in components:
        q, u = c.get("quantity"), (c.get("unit") or "").split(">")[0]
        ids = [{"qualifier": p["qualifier"], "id": p["id"]} for p in c.get("product_ids") or ()
               if p.get("qualifier") and p.get("id")]
        if q is None or q <= 0 or u != unit or not ids:
            return None
        total += q
        theirs = {p["qualifier"] for p in ids}
        row = dict(style)
        row.update({
            "line_id": c["subline"], "style_line_id": style.get("line_id") or str(style["line_number"]),
            "quantity": q, "quantity_sent": None, "unit": unit,
            "unit_price": c["unit_price"] if c.get("unit_price") is not None else style.get("unit_price"),
            "price_basis": c.get("price_basis") or style.get("price_basis"),
            "price_sent": None if c.get("unit_price") is not None else style.get("price_sent"),
            "product_ids": ids + [p for p in own if p["qualifier"] not in theirs],
            "prepack_components": None,
            **{col: None for col in _ID_COLUMNS}})
        for p in ids:  # the subline's own ids fill the id columns (its first of each qualifier)
            col = PRODUCT_QUALIFIERS.get(p["qualifier"])
            if col and row[col] is None:
                row[col] = p["id"]
        out.append(row)
    return out if total == quantity else None


def _ids_free(lines: pa.Table, i: int, rows: list[dict]) -> bool:
    """Whether the SLN01s of style line ``i`` name no other line of its PO (by line_id)."""
    ref = lines["order_ref"][i].as_py()
    same = pc.equal(lines["order_ref"], ref)
    others = set(lines.filter(same)["line_id"].to_pylist()) - {lines["line_id"][i].as_py()}
    return not others & {r["line_id"] for r in rows}


def _taken(lines: pa.Table, sizes: dict[int, list[dict]], sacs: pa.Table | None, orders: pa.Table | None
           ) -> tuple[pa.Table, pa.Table | None, pa.Table | None]:
    refs = lines["order_ref"].to_pylist()
    touched = {refs[i] for i in sizes}
    mine = np.flatnonzero(np.array([r in touched for r in refs], dtype=bool))
    keep = np.flatnonzero(np.array([r not in touched for r in refs], dtype=bool))
    rows = lines.take(pa.array(mine, pa.int64())).to_pylist()
    new: list[dict] = []
    moved: dict[tuple[str, int], tuple[int, str | None]] = {}  # (order_ref, old line number) -> (new, its line_id)
    count: dict[str, int] = {}
    for k in range(len(rows)):  # in the order sent
        row, at = rows[k], int(mine[k])
        for out in sizes.get(at, [row]):
            n = count[row["order_ref"]] = count.get(row["order_ref"], 0) + 1
            moved.setdefault((row["order_ref"], row["line_number"]), (n, out["line_id"]))
            new.append({**out, "line_number": n})
    untouched = lines.take(pa.array(keep, pa.int64()))
    taken = pa.Table.from_pylist(new, schema=lines.schema)
    firsts = {ref: min(int(i) for i in mine if refs[int(i)] == ref) for ref in touched}
    out = _in_file_order(untouched, keep, taken, [firsts[r["order_ref"]] for r in new])
    return out, _sacs_moved(sacs, moved), _counted(orders, count)


def _in_file_order(untouched: pa.Table, keep: np.ndarray, taken: pa.Table, taken_at: list[int]) -> pa.Table:
    """Both tables' rows in the order their orders stood (a PO's rows together, where its first row was)."""
    at = np.r_[keep.astype(np.float64), np.array(taken_at, np.float64) + np.arange(len(taken_at)) / (len(taken_at) + 1)]
    both = pa.concat_tables([untouched, taken])
    return both.take(pa.array(np.argsort(at, kind="stable"), pa.int64()))


def _sacs_moved(sacs: pa.Table | None, moved: dict[tuple[str, int], tuple[int, str | None]]) -> pa.Table | None:
    """ORDER_SACS with the line SACs of the POs taken size by size following their line's new number (a SAC of a
    style line: its first size, and that size's line_id)."""
    if sacs is None or not sacs.num_rows:
        return sacs
    refs, numbers = sacs["order_ref"].to_pylist(), sacs["line_number"].to_pylist()
    if not any((r, n) in moved for r, n in zip(refs, numbers, strict=True)):
        return sacs
    ids = sacs["line_id"].to_pylist()
    for k, (r, n) in enumerate(zip(refs, numbers, strict=True)):
        if (r, n) in moved:
            numbers[k], ids[k] = moved[(r, n)]
    sacs = sacs.set_column(sacs.schema.get_field_index("line_number"), sacs.schema.field("line_number"),
                           pa.array(numbers, pa.int32()))
    return sacs.set_column(sacs.schema.get_field_index("line_id"), sacs.schema.field("line_id"),
                           pa.array(ids, pa.string()))


def _counted(orders: pa.Table | None, count: dict[str, int]) -> pa.Table | None:
    """ORDERS with line_count the lines taken of the POs taken size by size."""
    if orders is None or not orders.num_rows or "line_count" not in orders.column_names:
        return orders
    refs = orders["order_ref"].to_pylist()
    if not any(r in count for r in refs):
        return orders
    values = [count.get(r, n) for r, n in zip(refs, orders["line_count"].to_pylist(), strict=True)]
    at = orders.schema.get_field_index("line_count")
    return orders.set_column(at, orders.schema.field("line_count"), pa.array(values, orders.schema.field(at).type))

