"""The PO's dates (DTM 001 cancel after, 063/064 do not deliver after/before, 037/038 ship not
before/no later) against what we promise and ship: a finding for each backordered line allocation could
not promise in time (engine.allocate's Allocation.late), naming both dates and what was done (the line
rejected, or promised all the same); and one for each shipment that left outside its order's ship window
(037/038/001, and 063: a delivery date a ship date after it is certain to miss).

Pure: tables in, finding records out (flows.decide adds the first to its plan; engine.lifecycle.shipping's
plan_shipments the second).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import business_finding
from schemas.findings import finding
from schemas.lifecycle import FindingRecord
from schemas.orders import (
    LINE_DATES,
    LINE_WIDE_DATES,
    RANGE_START,
    Transit,
    last_date_named,
    last_dates,
    last_day,
    transit_of,
    window_named,
)
from schemas.profile import PartnerProfile
from schemas.units import said_in

_LINEAGE = ("partner", "po_number", "source_file", "isa13", "gs06", "st02", "cancel_after", "do_not_deliver_after",
            "ship_no_later")


def transit_days(profiles: Mapping[str, PartnerProfile]) -> dict[str, Transit]:
    """partner -> its time in transit (schemas.orders.Transit: its profile's [fulfilment.asn] transit_days, business
    days with transit_business_days), for the partners that give one: a DTM 063 less it is the last ship day
    (schemas.orders.last_ship_day), what the checks here hold a ship day against."""
    return {pid: p.fulfilment.asn.transit for pid, p in profiles.items() if p.fulfilment.asn.transit}


def window_end_cancels(profiles: Mapping[str, PartnerProfile]) -> set[str]:
    """The partners whose DTM 038 (ship no later) is a last date too, as a cancel-after is
    ([allocation] ship_no_later_is_cancel): past it nothing of their orders ships."""
    return {pid for pid, p in profiles.items() if p.allocation.ship_no_later_is_cancel}


def late_backorder_findings(late: pa.Table, orders: pa.Table, *, stage: str = "decide",
                            window_end_cancels: Collection[str] = (),
                            transit: Mapping[str, Transit | int | None] | None = None, lines: pa.Table | None = None,
                            items: pa.Table | None = None) -> tuple[FindingRecord, ...]:
    """BACKORDER_AFTER_CANCEL per LATE row (engine.allocate), at its order's 850. ``window_end_cancels``: the
    partners whose DTM 038 (ship no later) is a last date too (engine.answer.allocation_input's), named with them;
    ``transit``: partner -> days in transit, a DTM 063 named with its last ship day (as allocation_input's).
    ``lines`` (the orders' ORDER_LINES: their SKUs) and ``items`` (the item master): the unit a LATE row's units
    are counted in, its item's (30 FT of wire sold by the foot), "eaches" for an item in eaches or without them."""
    transit = transit or {}
    counted = _counted_in(late, lines, items)
    if late.num_rows == 0:
        return ()
    heads = {(r["partner"], r["po_number"]): r
             for r in orders.select([c for c in _LINEAGE if c in orders.column_names]).to_pylist()}
    own = _line_dates(lines)
    out = []
    for r in late.to_pylist():
        head = heads.get((r["partner"], r["po_number"]), {"partner": r["partner"], "po_number": r["po_number"]})
        days = transit.get(r["partner"])
        ends = last_dates(r["partner"] in window_end_cancels)
        named = [(last_day(c, head[c], days), last_date_named(c, f"DTM {q} ({name})", head[c], days))
                 for c, q, name in ends if head.get(c) is not None]
        which = "the order's " + " / ".join(t for _d, t in named)
        mine = own.get((r["partner"], r["po_number"], r["line_number"]), {})
        dated = head  # whose last dates the line was measured against: the order's, else the line's own
        if r["deliver_by"] is not None and (not named or r["deliver_by"] != min(d for d, _t in named)):
            dated = mine
            # the line's own DTM 001 / 063 (schemas.orders.LINE_DATES), or its own 038 for such a partner, came first
            theirs = "001 / 063 / 038" if r["partner"] in window_end_cancels else "001 / 063"
            which = f"line {r['line_number']}'s own last date (its DTM {theirs}) {r['deliver_by'].isoformat()}"
            which += f" (a 063 less {transit_of(days)} in transit)" if days else ""
        done = ("rejected (855 IR): it would be refused" if r["rejected"] else
                "promised all the same (late_backorder = \"promise\"): expect a refusal or a chargeback")
        counted_as = counted.get((r["partner"], r["po_number"], r["line_number"]), "eaches")
        message = (f"Line {r['line_number']}: the {r['units']} {counted_as} backordered could ship "
                   f"{r['promised_date'].isoformat()} at the earliest, after {which}; {done}.")
        f = business_finding("BACKORDER_AFTER_CANCEL", message, {**head, "line_number": r["line_number"]},
                             seg="DTM", element="DTM02", value=_stated(ends, dated, r["deliver_by"], days), line=False,
                             qualifier=_measured_against(ends, dated, r["deliver_by"], days))
        out.append(FindingRecord(f, r["partner"], r["po_number"],
                                 "line IR" if r["rejected"] else "none (warning)", stage))
    return tuple(out)


def _measured_against(ends: tuple[tuple[str, str, str], ...], dated: Mapping, deliver_by, days) -> str:
    """The DTM01 of each of ``ends`` (column, DTM01, name: last_dates) whose last day in ``dated`` (the order's row,
    or a line's own dates as _line_dates gives them) is ``deliver_by``, the date a backorder was measured against,
    space-separated in that order ("001 063" when both fall on it); "" when none does (a line's own date not among
    the lines given)."""
    if deliver_by is None:
        return ""
    return " ".join(q for c, q, _name in ends if dated.get(c) is not None and last_day(c, dated[c], days) == deliver_by)


def _stated(ends: tuple[tuple[str, str, str], ...], dated: Mapping, deliver_by, days):
    """The date a backorder was measured against as the PO states it (its DTM02, CCYYMMDD in the finding as
    engine.lifecycle.backorders.Passed's value): the last of ``ends`` whose last day in ``dated`` is ``deliver_by``
    (a 063 with a transit time: the 063, not its last ship day); ``deliver_by`` itself when none is (a line's own
    date not among the lines given)."""
    stated = [dated[c] for c, _q, _name in ends
              if dated.get(c) is not None and last_day(c, dated[c], days) == deliver_by]
    return stated[-1] if stated and deliver_by is not None else deliver_by


def _counted_in(late: pa.Table, lines: pa.Table | None, items: pa.Table | None) -> dict[tuple[str, str, int], str]:
    """(partner, PO, line number) -> what the LATE rows' units of that line are said in (schemas.units.said_in of
    its item's items.csv unit), for the lines whose item is not counted in eaches."""
    if lines is None or items is None or not {"sku", "unit"} <= set(items.column_names) or \
            not {"partner", "po_number", "line_number", "sku"} <= set(lines.column_names):
        return {}
    units = {r["sku"]: said_in(r["unit"]) for r in items.select(["sku", "unit"]).to_pylist()}
    if all(u == "eaches" for u in units.values()):
        return {}
    mine = lines.select(["partner", "po_number", "line_number", "sku"]).filter(
        pc.is_in(lines["po_number"], value_set=pc.unique(late["po_number"])))
    return {(r["partner"], r["po_number"], r["line_number"]): units[r["sku"]] for r in mine.to_pylist()
            if units.get(r["sku"], "eaches") != "eaches"}


# the order's dates a ship date is held against: (column, DTM01, what it means, shipped after it / before it).
# 063 (do not deliver after) is a delivery date, but goods cannot arrive before they leave: a ship date after
# it is certain to be late. 064 (do not deliver before) is not held against the ship date: a truck leaving
# before a delivery window opens is normal (a grocery DC's appointment days after), not a breach.
# The end of a requested delivery range (DTM*002****RD8*a-b: requested_delivery_end) is a day to arrive by, held as a
# 063 is (less the days in transit) but never a cancel date: a shipment that cannot arrive by it is warned, nothing is
# cancelled or expired by it (it is not one of schemas.orders.LAST_DATES).
_AFTER = (("ship_no_later", "038", "ship no later"), ("cancel_after", "001", "cancel after"),
          ("do_not_deliver_after", "063", "do not deliver after"),
          ("requested_delivery_end", "002", "requested delivery range end"))
_BEFORE = (("ship_not_before", "037", "ship not before"),)
WINDOW_COLUMNS = [c for c, _q, _t in (*_AFTER, *_BEFORE)]
# what names a window side that came from a DTM 010 range (schemas.orders.window_named)
_RANGE_COLUMNS = ["requested_ship_date", "requested_ship_end", RANGE_START]


def ship_date_findings(shipped: pa.Table, orders: pa.Table, order_lines: pa.Table | None = None, *,
                       stage: str = "shipments", transit: Mapping[str, Transit | int | None] | None = None
                       ) -> tuple[FindingRecord, ...]:
    """SHIPPED_OUTSIDE_WINDOW (warning) once per shipment and PO of ``shipped`` (SHIPMENT_LINES of the
    shipments sent: shipment_id, partner, po_number, ship_date, line_number) that left after its order's 038,
    001 or 063, or before its 037 (``orders``: canonical ORDERS with those columns; 064 do not deliver before
    is a delivery date a ship date before it does not break). A line's own
    DTM 001 / 063 / 037 / 038 (``order_lines``: canonical ORDER_LINES with schemas.orders.LINE_DATES and the
    window's, LINE_WIDE_DATES; an 850's PO1 DTM, an 860's POC DTM) stands for its order's for the shipment's
    rows of that line, and is named with
    the line ("DTM 001 (cancel after, line 2) 2026-12-10"), as engine.lifecycle.backorders.past_lines does.
    The 856 still goes (the goods left); ops learn to expect a refusal at the dock or a chargeback. ``transit``:
    partner -> its days in transit: a shipment leaving after a 063's last ship day (schemas.orders.last_ship_day, the
    063 less them) cannot arrive by it, and is named so."""
    transit = transit or {}
    if shipped.num_rows == 0:
        return ()
    have = [c for c in WINDOW_COLUMNS if c in orders.column_names]
    heads: dict[tuple, dict] = {}
    if have:
        dated = orders.filter(_any_valid(orders, have))
        named = [c for c in _RANGE_COLUMNS if c in orders.column_names]
        heads = {(r["partner"], r["po_number"]): r
                 for r in dated.select(["partner", "po_number", *have, *named]).to_pylist()}
    own = _line_dates(order_lines) if "line_number" in shipped.column_names else {}
    if not heads and not own:
        return ()
    cols = ["shipment_id", "partner", "po_number", "ship_date", *(["line_number"] if own else [])]
    # (shipment, partner, PO) -> (ship date, its line numbers in first-seen order; None for a row without one)
    groups: dict[tuple, tuple] = {}
    for r in shipped.select(cols).to_pylist():
        key = (r["shipment_id"], r["partner"], r["po_number"])
        if key not in groups:
            groups[key] = (r["ship_date"], [])
        if r.get("line_number") not in groups[key][1]:
            groups[key][1].append(r.get("line_number"))
    out = []
    for (sid, partner, po), (day, numbers) in groups.items():
        head = heads.get((partner, po)) or {}
        mine = [own.get((partner, po, n), {}) for n in numbers]  # each line's own dates ({}: none, or not known)
        if day is None or (not head and not any(mine)):
            continue
        days = transit.get(partner)
        after = _passed(_AFTER, head, mine, lambda c, when, day=day, days=days: day > last_day(c, when, days), days)
        before = _passed(_BEFORE, head, mine, lambda _c, when, day=day: day < when)
        if not after and not before:
            continue
        said = "; ".join([*(["after its " + " and ".join(after)] if after else []),
                          *(["before its " + " and ".join(before)] if before else [])])
        message = (f"Shipment {sid} for PO {po} left {day.isoformat()}, {said}: the 856 is "
                   "sent (the goods left); expect a refusal at the dock or a chargeback.")
        f = finding("SHIPPED_OUTSIDE_WINDOW", message, value=sid)
        out.append(FindingRecord(f, partner, po, "856 sent: chargeback risk", stage))
    return tuple(out)


def _line_dates(order_lines: pa.Table | None) -> dict[tuple, dict]:
    """(partner, PO, line number) -> the line's own dates (schemas.orders.LINE_DATES and LINE_WIDE_DATES columns
    it has, and ``line``: how it is named, PO101 or its number) of each line of ``order_lines`` with one."""
    if order_lines is None or order_lines.num_rows == 0:
        return {}
    have = [c for c in (*LINE_DATES.values(), *LINE_WIDE_DATES.values(), "requested_delivery_end")
            if c in order_lines.column_names]
    if not have:
        return {}
    dated = order_lines.filter(_any_valid(order_lines, have))
    ids = ["line_id"] if "line_id" in dated.column_names else []
    named = [c for c in _RANGE_COLUMNS if c in dated.column_names]
    out = {}
    for r in dated.select(["partner", "po_number", "line_number", *ids, *have, *named]).to_pylist():
        out[(r["partner"], r["po_number"], r["line_number"])] = {
            "line": r.get("line_id") or str(r["line_number"]), **{c: r[c] for c in (*have, *named) if r[c] is not None}}
    return out


def _passed(dates: tuple, head: dict, mine: list[dict], beyond, transit_days: Transit | int | None = None) -> list[str]:
    """The dates of ``dates`` (column, DTM01, name) the ship day is ``beyond``, as named in the warning: a
    line's own (``mine``: each shipped line's own dates, as _line_dates gives them) for the lines with one
    ("DTM 001 (cancel after, line 2) 2026-12-10"), the order's (``head``) where a shipped line has none of its
    own for that date, or its own is the order's (a window every line states alike is the order's too:
    parsers.orders_850.common_line_dates). ``beyond(column, date)``; ``transit_days``: a 063 (or a requested delivery
    range's end) is named with its last ship day (schemas.orders.last_date_named). A window side that came from a DTM
    010 range is named as that range (schemas.orders.window_named), never a 037 / 038 the buyer did not send."""
    out = []
    for c, q, name in dates:
        when = head.get(c)
        own = [m for m in mine if m.get(c) is not None and m[c] != when]
        if when is not None and beyond(c, when) and len(own) < len(mine):
            sent, what = window_named(c, q, name, head)
            out.append(last_date_named(c, f"DTM {sent} ({what})", when, transit_days))
        for m in own:
            if beyond(c, m[c]):
                sent, what = window_named(c, q, name, m)
                out.append(last_date_named(c, f"DTM {sent} ({what}, line {m['line']})", m[c], transit_days))
    return out


def _any_valid(table: pa.Table, columns: list[str]):
    """Rows where any of ``columns`` is not null."""
    mask = pc.is_valid(table[columns[0]])
    for c in columns[1:]:
        mask = pc.or_(mask, pc.is_valid(table[c]))
    return mask
