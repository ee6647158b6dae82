"""Why allocation rejected what it did: a STOCK_SHORT_REJECTED finding for each line stock refused units of
(engine.allocate's Allocation.refused), at the line's PO1, naming its SKU, the units it wanted, the SKU's stock
and receipts, the policy (the partner's [allocation] or the PO's CSH) that rejected them rather than wait, and
what ops can do; one per order for an order rejected whole (ship_complete with backorder = "reject"), at its
first short line, naming every short line. A backorder rejected as too late is BACKORDER_AFTER_CANCEL's
(engine.deadlines), an invalid quantity a rule's. Warnings: stock is not the partner's error (a run whose
orders were only refused for stock exits 0, flows.exit_status).

Pure: tables in, finding records out (flows.decide adds them to its plan).
"""

from __future__ import annotations

from itertools import groupby

import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import business_finding
from schemas.lifecycle import FindingRecord
from schemas.orders import NO_BACKORDER
from schemas.units import EACH_UNITS, MEASURE_UNITS

_LINEAGE = ("partner", "po_number", "line_number", "line_id", "source_file", "isa13", "gs06", "st02",
            "segment_position", "file_segment", "sales_requirement")
_MEASURE = ("quantity", "unit")  # a measure's line (12.5 LB) is said in its own quantity (_as_ordered)
_WHY = {
    "rejected_by_policy": "the partner takes no backorder ([allocation] backorder = \"reject\")",
    "no_backorder": "the PO takes no backorder (its CSH01 N or SP)",
    "no_receipt": "no expected receipt covers them",
    "unknown_sku": "the SKU has no stock row and no receipt at all",
}
_TODO = {
    "rejected_by_policy": "if stock comes, the buyer may order the rest again",
    "no_backorder": "if stock comes, the buyer may order the rest again",
    "no_receipt": "add the receipt that brings them (inventory/receipts) before the buyer orders again",
    "unknown_sku": "check the SKU's stock feed (inventory snapshot, receipts)",
}


def stock_refusal_findings(refused: pa.Table, lines: pa.Table, *, stage: str = "decide",
                           items: pa.Table | None = None) -> tuple[FindingRecord, ...]:
    """STOCK_SHORT_REJECTED per REFUSED row (engine.allocate), one per order rejected whole; ``lines``: the
    orders' canonical ORDER_LINES (each finding is at its line's PO1); ``items``: the item master, whose unit
    (items.csv ``unit``) names the units counted (stock is counted in it: pairs of shoes, bags of feed); an item
    in eaches, or none given, is counted in "eaches"."""
    if refused.num_rows == 0:
        return ()
    units = _units_of(items, refused)
    # only the refused orders' lines are read row by row (a night's lines may be millions)
    mine = lines.select([c for c in (*_LINEAGE, *_MEASURE) if c in lines.column_names]).filter(
        pc.is_in(lines["po_number"], value_set=pc.unique(refused["po_number"])))
    at = {(r["partner"], r["po_number"], r["line_number"]): r for r in mine.to_pylist()}
    out: list[FindingRecord] = []
    rows = refused.to_pylist()
    for (partner, po), group in groupby(rows, key=lambda r: (r["partner"], r["po_number"])):
        group = list(group)
        whole = [r for r in group if r["whole_order"]]
        if whole:
            out.append(_whole_order(partner, po, whole, at, units))
        out += [_line(partner, po, r, at, units) for r in group if not r["whole_order"]]
    return tuple(out)


# the item master's units that are eaches (schemas.units.EACH_UNITS): stock counted in them is said in "eaches"
_EACH_UNITS = frozenset(EACH_UNITS)


def _units_of(items: pa.Table | None, refused: pa.Table) -> dict[str, str]:
    """SKU -> what its stock is counted in, for the refused SKUs whose item master unit is not the each ("PR",
    "BG"): a line of 12 pairs of shoes was said to want "12 eaches", which reads as 6 pairs."""
    if items is None or "unit" not in items.column_names or items.num_rows == 0:
        return {}
    mine = items.select(["sku", "unit"]).filter(pc.is_in(items["sku"], value_set=pc.unique(refused["sku"])))
    return {r["sku"]: r["unit"].strip().upper() for r in mine.to_pylist()
            if r["unit"] and r["unit"].strip().upper() not in _EACH_UNITS}


def _counted(r: dict, units: dict[str, str]) -> str:
    """What the SKU's quantities are counted in: its item master unit (a 355 code, "PR"), else "eaches"."""
    return units.get(r["sku"], "eaches")


def _stock(r: dict, units: dict[str, str]) -> str:
    others = r["available"] - r["left"] - (0 if r["whole_order"] else _placed(r))
    taken = f" ({others} of it placed on other lines of the run first)" if others > 0 else ""
    return (f"{r['wanted']} {_counted(r, units)} wanted, {r['available']} in stock for the run{taken}, "
            f"{r['coming']} coming on receipts")


def _line(partner: str, po: str, r: dict, at: dict, units: dict[str, str]) -> FindingRecord:
    row = at.get((partner, po, r["line_number"]), {"partner": partner, "po_number": po,
                                                    "line_number": r["line_number"]})
    r = _as_ordered(r, row)
    row = {k: v for k, v in row.items() if k not in _MEASURE}
    name = f"Line {row.get('line_id') or r['line_number']} (SKU {r['sku']})"
    cut = r["ordered"] - r["wanted"]  # > 0: the partner's case-pack rounding down left them out (IR)
    if r["reason"] == "rounded_to_zero":
        message = (f"{name}: {r['ordered']} {_counted(r, units)} ordered, fewer than a whole case: the partner's "
                   "case-pack rounding ([allocation] case_pack_rounding = \"down\") left nothing to ship, so the line "
                   "is rejected (855 IR). Ask the buyer to order whole cases.")
    elif cut > 0 and r["reason"] == "rounded_down":
        message = f"{name}: {_rounded(r, cut, units)}. Ask the buyer to order whole cases."
    else:
        taken = r["wanted"] - r["rejected"]
        coming = f"{r['backordered']} backordered (promised from receipts), " if r["backordered"] else ""
        placed = (f"{_placed(r)} placed, " if _placed(r) else "") + coming
        whole = (" The line takes all or nothing ([allocation] partial_allowed = false): none of it was placed."
                 if r["all_or_nothing"] and not taken and r["available"] else "")
        rounded = f"{_rounded(r, cut, units)}; of the rest, " if cut > 0 else ""
        message = (f"{name}: {rounded}{_stock(r, units)}; {placed}{r['rejected']} rejected (855 IR): "
                   f"{_why(r['reason'], row)}.{whole} What to do: {_TODO[r['reason']]}"
                   f"{'; ask the buyer to order whole cases' if cut > 0 else ''}.")
    f = business_finding("STOCK_SHORT_REJECTED", message, row, seg="PO1", element="PO102", value=r["ordered"],
                         line="segment_position" in row)
    return FindingRecord(f, partner, po, f"line {r['line_number']}: IR", "decide")


def _as_ordered(r: dict, row: dict) -> dict:
    """``r`` (a REFUSED row, in whole stock units) of a line in a fraction of a measure counted in its own unit (12.5
    LB of almonds sold by the pound: 13 LB wanted, schemas.units.measured) in the line's quantity: 12.5 wanted, and
    the half pound of the 13th it does not want off its last part (rejected, else backordered), as its 855 says it
    (10 placed, IR 2.5; the finding said 3 rejected beside the 855's 2.5). Any other row as it is."""
    q, unit = row.get("quantity"), (row.get("unit") or "").strip().upper()
    if q is None or unit not in MEASURE_UNITS or q == q.to_integral_value():
        return r
    q = q.normalize()
    over = r["wanted"] - q
    if not 0 < over < 1:
        return r
    last = "rejected" if r["rejected"] else "backordered" if r["backordered"] else None
    ordered = {"ordered": q} if r["ordered"] == r["wanted"] else {}  # (PO102 as sent, the finding's value)
    return {**r, "wanted": q, **ordered, **({last: r[last] - over} if last else {})}


def _placed(r: dict) -> int:
    """The line's units placed from stock: what it wanted less what was rejected and what is backordered (promised
    from receipts, not taken from the run's stock)."""
    placed = r["wanted"] - r["rejected"] - r["backordered"]
    return int(placed) if placed == int(placed) else placed  # (a measure's 12.5 - 2.5: 10, not 10.0)


def _why(reason: str, row: dict) -> str:
    """Why the policy rejected the units: a no-back-order line whose own sales requirement (its PO1 or POC loop's
    CSH01, else IT801: ORDER_LINES sales_requirement) says so is named as the line's rule, not the PO's."""
    own = (row.get("sales_requirement") or "").strip().upper()
    if reason == "no_backorder" and own in NO_BACKORDER:
        return f"the line takes no backorder (its own sales requirement {own}: its loop's CSH01 or IT801)"
    return _WHY[reason]


def _rounded(r: dict, cut: int, units: dict[str, str]) -> str:
    return (f"{r['ordered']} {_counted(r, units)} ordered, not whole cases: the partner's case-pack rounding "
            f"([allocation] case_pack_rounding = \"down\") places {r['wanted']}, so {cut} are rejected (855 IR)")


def _whole_order(partner: str, po: str, rows: list[dict], at: dict, units: dict[str, str]) -> FindingRecord:
    short = [r for r in rows if r["short"]] or rows
    first = short[0]
    row = at.get((partner, po, first["line_number"]), {"partner": partner, "po_number": po,
                                                        "line_number": first["line_number"]})

    def named(r: dict) -> str:
        line = at.get((partner, po, r["line_number"]), {}).get("line_id") or r["line_number"]
        return f"line {line} (SKU {r['sku']})"

    shorts = "; ".join(f"{named(r)}: {_stock(r, units)}" for r in short)
    others = [named(r) for r in rows if r not in short]
    also = f" The other lines were rejected with it though stock was there: {', '.join(others)}." if others else ""
    message = (f"PO {po} rejected whole (855 RD, every line IR): the partner ships complete and takes no backorder "
               f"([allocation] ship_complete = true, backorder = \"reject\"), and stock is short for {shorts}.{also} "
               "What to do: ask the buyer to send the PO again once stock is in, or without the short lines; a "
               "partner that takes part of a PO sets backorder = \"allow\" or ship_complete = false.")
    f = business_finding("STOCK_SHORT_REJECTED", message, row, seg="PO1", element="PO102", value=first["ordered"],
                         line="segment_position" in row)
    return FindingRecord(f, partner, po, "order rejected (855 RD)", "decide")


def why_rejected(lines: list[dict], *, rejected_by: str = "", note: str = "", approved_by: str = "") -> str:
    """Why an order was answered 855 RD, as a person reads it: rejected by a person (``rejected_by``, ``note``), or
    no line accepted (every line IR), each line's why: no stock (the allocation's reason, STOCK_SHORT_REJECTED) or
    the finding codes that refused it; ``approved_by``: a person approved the order first, so the RD is not theirs.
    ``lines``: the order's lines as its story shows them (line_id or line_number, sku, ack, reason, codes)."""
    if rejected_by:
        return f"rejected by {rejected_by}" + (f": {note}" if note else "")
    said = []
    for ln in lines:
        if ln.get("ack") not in ("IR", "", None):
            continue
        codes = [c for c in ln.get("codes") or () if c]
        reason = ln.get("reason") or ""
        if reason in _WHY:  # allocation's: its finding is the order's, at the line
            why = f"no stock, {_WHY[reason]}"
            codes = codes or ["STOCK_SHORT_REJECTED"]
        elif reason:
            why = reason
        else:
            why = "refused by the rules"
        said.append(f"line {ln.get('line_id') or ln.get('line_number')}"
                    + (f" ({ln['sku']})" if ln.get("sku") else "") + f": {why}"
                    + (f" ({', '.join(codes)})" if codes else ""))
    whom = f"; {approved_by} approved the order first, the rejection is not a person's" if approved_by else \
        "; not a person's rejection"
    return "no line accepted (every line IR)" + (": " + "; ".join(said) if said else "") + whom
