"""A 3PL's X12 846 inventory advice as stock and expected receipts (the reads `orderbridge inventory load` writes):
bytes and reference tables in, schemas.inventory reads out; pure (no paths, no store)."""

from __future__ import annotations

import pyarrow as pa

from parsers.inventory_846 import qty_name, read_846, role_of
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
    on hand and QTY 33 what is free of it (``layout.qty`` may read other qualifiers so: 34 as available), in eaches
    (a case by its case_pack). Held stock (QTY QH on hold, 74 damaged ...) is not free: without a QTY 33 it is taken
    from the on hand's free part (``layout.held_in_on_hand`` false: QTY 17 leaves it out already, it is added to
    what is on hand, held); with one, 33 already leaves it out; without a QTY 17 it is counted on hand, held. An
    item whose LQ code is one of ``layout.held_codes`` (damaged, on hold; "ZZ:DMG" the LQ01/LQ02 pair) is held
    whole; other LQ codes are named.
    An SDQ's location/quantity pairs are the stock of the warehouse each location is (``layout.locations``, our
    own codes), in place of the QTY they split; an SDQ none of whose locations is ours is named and its QTY kept
    where its N1 says; one naming ours and others refuses the file, naming the others (their stock would otherwise
    be dropped or counted at the wrong warehouse). What is on order or in transit (QTY 63, IQ) with a day is an
    expected receipt (the second value; None when there is none); without a day it is named, not a receipt; an SDQ
    after it splits it by location as on hand is split (_receipts_by_location).
    An error finding, a set naming no warehouse or day, or a unit nothing counts refuses the file (ConfigError),
    naming the segment."""
    result = read_interchanges(data, file=name)
    rows, findings = read_846(result, meanings=layout.qty, sdq=layout.sdq)
    errors = [f for f in [*result.findings, *findings] if f.severity == "error"]
    if errors:
        raise ConfigError("the 846 has errors: " + "; ".join(_said(f) for f in errors[:5]), file=name)
    if not rows:
        raise ConfigError("the file holds no 846 item with a QTY 17 (on hand) or 33 (available)", file=name)
    sku_of = _skus_by_id(items)
    places = {k.casefold(): v for k, v in layout.locations.items()}
    held_codes = _held_codes(layout.held_codes)
    stock: dict = {}
    summed, negative, cased, held, unread = 0, [], [], [], []
    codes: dict[tuple[str, str], list] = {}  # LQ codes not read: (LQ01, LQ02) -> [first position, items]
    meant: dict[tuple[str, str], list] = {}  # QTY01 the layout reads as on hand or available: -> [position, items]
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
        sku = next((sku_of[key] for key in _keys(r.ids) if key in sku_of), r.ids[0][1] if r.ids else "")
        pos = r.segment_position
        base = {"on_hand": None if r.on_hand is None else (r.on_hand_by, eaches_of(r.on_hand, r.unit, sku, at, pos)),
                "available": (None if r.available is None else
                              (r.available_by, eaches_of(r.available, r.unit, sku, at, pos))),
                "held": [(q, eaches_of(n, unit or r.unit, sku, at, p), p) for q, n, unit, p in r.held]}
        located = _by_location(r, base, places, layout, sku, where, unread,
                               lambda n, unit, p, sku=sku, at=at: eaches_of(n, unit, sku, at, p),
                               lambda said, at=at: ConfigError(f"the 846 ({at}): {said}", file=name))
        # the N1's warehouse keeps what no SDQ split (an item of none but what is coming in: a row of none on hand)
        mine = base["on_hand"] or base["available"] or base["held"] or not (located or r.sdq)
        quantities = [(where, base)] if mine else []
        for place, q in [*quantities, *located.items()]:
            if not place:
                raise ConfigError(f"the 846 ({at}) names no warehouse (N1*WH): give it (--warehouse)", file=name)
            on_hand, reserved, kept = _counted(q, layout.held_in_on_hand)
            held += [(p, place, sku, qualifier, n) for qualifier, n, p in q["held"]]
            marks = [(lq01, lq02, p) for lq01, lq02, p in r.codes if _holds(held_codes, lq01, lq02)]
            if marks and on_hand > reserved:
                lq01, lq02, p = marks[0]
                unread.append((p, sku, f"LQ {lq01} {lq02} of {sku} at {place} (the layout's held_codes): all "
                                       f"{on_hand} on hand held, none available"))
                reserved = max(on_hand, 0)
            if on_hand < 0:
                negative.append((pos, place, sku, on_hand))
            summed += add_stock(stock, (day, place, sku), on_hand, reserved)
        for qualifier, role in ((r.on_hand_by, "on hand"), (r.available_by, "available")):
            if qualifier and qualifier in layout.qty:
                meant.setdefault((qualifier, role), [pos, 0])[1] += 1
        for lq01, lq02, p in r.codes:
            if not _holds(held_codes, lq01, lq02):
                codes.setdefault((lq01, lq02), [p, 0])[1] += 1
        split = _receipts_by_location(r, places, sku, where, unread,
                                      lambda n, unit, p, sku=sku, at=at: eaches_of(n, unit, sku, at, p),
                                      lambda said, at=at: ConfigError(f"the 846 ({at}): {said}", file=name))
        for q, n, unit, p, eta in r.coming:
            if p in split and eta is not None:  # an SDQ's locations: each one's part, on the QTY's day
                for place, count, sdq_at in split[p]:
                    incoming["warehouse"].append(place)
                    incoming["sku"].append(sku)
                    incoming["quantity"].append(count)
                    incoming["eta"].append(eta)
                    incoming_at.append((sdq_at, ""))
                continue
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
    for (lq01, lq02), (p, n) in codes.items():
        unread.append((p, "", f"LQ {lq01} {lq02} on {n} item(s): an item code, not read (the layout's [advice] "
                              "held_codes names the codes of stock held: damaged, on hold)"))
    for (qualifier, role), (p, n) in meant.items():
        unread.append((p, "", f"QTY {qualifier} ({qty_name(qualifier)}) read as {role} on {n} item(s) (the layout's "
                              "[advice.qty])"))
    where_at = f"ST02 {rows[0].st02} segment" if len({r.st02 for r in rows}) == 1 else "segment"
    receipts = (ReceiptsRead(pa.table(incoming, schema=EXPECTED_RECEIPTS), rows=tuple(incoming_at), at=where_at)
                if incoming_at else None)
    return StockRead(stock_table(stock), len(rows), summed, negative=tuple(negative), cased=tuple(cased),
                     at=where_at, held=tuple(held), unread=tuple(sorted(unread))), receipts


_ROLE_SAID = {"on_hand": "on hand", "available": "available", "held": "held"}


def _held_codes(codes: tuple[str, ...]) -> set[tuple[str | None, str]]:
    """The layout's held_codes as (LQ01 or None: any list, LQ02), case folded: "DMG" -> (None, "dmg"), "ZZ:DMG" ->
    ("zz", "dmg")."""
    return {(None, c.strip().casefold()) if ":" not in c else
            tuple(part.strip().casefold() for part in c.split(":", 1)) for c in codes}


def _holds(held_codes: set[tuple[str | None, str]], lq01: str, lq02: str) -> bool:
    """An LQ marks the item's stock held: its LQ02 is a held code of any list, or its LQ01/LQ02 pair is one."""
    return (None, lq02.casefold()) in held_codes or (lq01.casefold(), lq02.casefold()) in held_codes


def _by_location(r, base: dict, places: dict[str, str], layout: ExportLayout, sku: str, where: str, unread: list,
                 eaches_of, refused) -> dict[str, dict]:
    """An item's SDQ pairs as each of our warehouses' quantities (our warehouse -> {"on_hand", "available", "held"}),
    the QTY each splits taken out of ``base`` (the N1's). The SDQs of one QTY (over 10 locations take two) are one
    split: none of their locations ours, they are named and the QTY stays the N1's; some ours and some not,
    ``refused`` (the others' stock would be dropped or counted at the wrong warehouse); a sum other than the
    QTY's is named (the pairs are read)."""
    splits: dict[str, list] = {}
    for of, unit, qualifier, parts, p in r.sdq:
        splits.setdefault(of, []).append((unit, qualifier, parts, p))
    located: dict[str, dict] = {}
    for of, sdqs in splits.items():
        role, first = role_of(of, layout.qty), sdqs[0][3]
        pairs = [(loc, n, unit, p) for unit, _q, parts, p in sdqs for loc, n in parts]
        ours = {loc: places.get(loc.casefold()) for loc, *_rest in pairs}
        qualifiers = ", ".join(sorted({q for _u, q, _parts, _p in sdqs if q}))
        said = f" (SDQ02 {qualifiers})" if qualifiers else ""
        if role == "held":
            total = sum(n for q, n, _p in base["held"] if q == of) if any(q == of for q, *_x in base["held"]) else None
        else:
            total = base[role][1] if base[role] and base[role][0] == of else None
        if not any(ours.values()):
            for _unit, _q, parts, p in sdqs:
                text = " ".join(f"{loc} {n}" for loc, n in parts)
                unread.append((p, sku, f"SDQ {text} of {sku}: per-location quantities not read (an N1*WH loop per "
                                       "location is)"))
            unread.append((first, sku, f"SDQ location(s) {', '.join(ours)}{said} of {sku}: none of our warehouses ("
                                       + (f"QTY {of}'s {total} {_ROLE_SAID[role]} kept at {where}"
                                          if total is not None and where else "not counted")
                                       + f"); to read them per warehouse: --location {pairs[0][0]}=WAREHOUSE, or the "
                                         "layout's [locations]"))
            continue
        _some_not_ours(pairs, ours, sku, said, refused, "stock is dropped or counted at another warehouse")
        split = 0
        for loc, n, unit, p in pairs:
            count = eaches_of(n, unit, p)
            split += count
            slot = located.setdefault(ours[loc], {"on_hand": None, "available": None, "held": []})
            if role == "held":
                slot["held"].append((of, count, p))
            else:
                slot[role] = (of, (slot[role][1] if slot[role] else 0) + count)
        if role == "held":
            base["held"] = [h for h in base["held"] if h[0] != of]
        elif total is not None:
            base[role] = None
        if total is not None and total != split:
            unread.append((first, sku, f"SDQ of {sku}: its locations' {split} {_ROLE_SAID[role]} (QTY {of}) are "
                                       f"read, not the QTY's {total}"))
    return located


def _some_not_ours(pairs: list, ours: dict, sku: str, said: str, refused, lost: str) -> None:
    """Raise ``refused`` when an SDQ names one of our warehouses beside locations that are none of ours: the
    unknown ones and the first segment naming one said, so that nothing is ``lost`` (dropped or put at another
    warehouse)."""
    if all(ours.values()):
        return
    unknown = [loc for loc, w in ours.items() if not w]
    at = next(p for loc, _n, _u, p in pairs if not ours[loc])
    raise refused(f"SDQ at segment {at} of {sku}: location(s) {', '.join(unknown)}{said} are none of our "
                  f"warehouses, beside {', '.join(sorted({w for w in ours.values() if w}))}: map them "
                  f"(--location {unknown[0]}=WAREHOUSE, or the layout's [locations]) so that no {lost}")


def _receipts_by_location(r, places: dict[str, str], sku: str, where: str, unread: list, eaches_of,
                          refused) -> dict[int, list[tuple[str, int, int]]]:
    """The SDQs after an item's QTYs of goods coming in (63 on order, IQ in transit) as each of our warehouses'
    part of that QTY: its position -> [(our warehouse, eaches, the SDQ's position)], each part arriving on the
    QTY's day, as _by_location splits what is on hand: none of the locations ours, the SDQ is named and the QTY
    stays the N1's receipt; some ours and some not, ``refused``; a sum other than the QTY's is named (the pairs are
    read). A QTY whose SCHs bring it on several days is not split (which location's part comes when is not said):
    its SDQ is named and its receipts stay the N1's."""
    out: dict[int, list[tuple[str, int, int]]] = {}
    splits: dict[int, list] = {}
    for qty_at, of, unit, qualifier, parts, p in r.coming_sdq:
        splits.setdefault(qty_at, []).append((of, unit, qualifier, parts, p))
    for qty_at, sdqs in splits.items():
        of, first = sdqs[0][0], sdqs[0][4]
        days = {eta for q, _n, _u, p, eta in r.coming if p == qty_at}
        total = sum(n for _q, n, _u, p, _eta in r.coming if p == qty_at)
        unit_of = next((u for _q, _n, u, p, _eta in r.coming if p == qty_at), "")
        pairs = [(loc, n, unit or unit_of, p) for _of, unit, _q, parts, p in sdqs for loc, n in parts]
        ours = {loc: places.get(loc.casefold()) for loc, *_rest in pairs}
        qualifiers = ", ".join(sorted({q for _o, _u, q, _parts, _p in sdqs if q}))
        said = f" (SDQ02 {qualifiers})" if qualifiers else ""
        text = "; ".join(" ".join(f"{loc} {n}" for loc, n in parts) for _o, _u, _q, parts, _p in sdqs)
        if len(days) > 1:
            unread.append((first, sku, f"SDQ {text} of {sku} (QTY {of}, {qty_name(of)}): its SCHs bring the {total} "
                                       "on several days and the SDQ does not say which location's part comes when: "
                                       f"the receipts stay at {where}"))
            continue
        if not any(ours.values()):
            unread.append((first, sku, f"SDQ location(s) {', '.join(ours)}{said} of {sku}: none of our warehouses "
                                       f"(QTY {of}'s {total} {qty_name(of)} kept at {where}); to read them per "
                                       f"warehouse: --location {pairs[0][0]}=WAREHOUSE, or the layout's [locations]"))
            continue
        _some_not_ours(pairs, ours, sku, said, refused, "receipt is dropped or expected at another warehouse")
        parts_at: dict[str, list] = {}
        for loc, n, unit, p in pairs:
            slot = parts_at.setdefault(ours[loc], [ours[loc], 0, p])
            slot[1] += eaches_of(n, unit, p)
        out[qty_at] = [tuple(v) for v in parts_at.values()]
        split, whole = sum(v[1] for v in parts_at.values()), eaches_of(total, unit_of, qty_at)
        if split != whole:
            unread.append((first, sku, f"SDQ of {sku}: its locations' {split} {qty_name(of)} (QTY {of}) are read, not "
                                       f"the QTY's {whole}"))
    return out


def _counted(q: dict, held_in_on_hand: bool) -> tuple[int, int, int]:
    """(on hand, reserved, held) of one warehouse's quantities of an item: {"on_hand": (QTY01, eaches) or None,
    "available": the same, "held": [(QTY01, eaches, position)]}."""
    kept = sum(n for _q, n, _p in q["held"])
    available = q["available"][1] if q["available"] else None
    if q["on_hand"] is not None:
        on_hand = q["on_hand"][1] + (0 if held_in_on_hand else kept)
    else:  # no QTY 17: what is free and what is held are all there is
        on_hand = (available or 0) + kept
    if available is not None:
        reserved = max(on_hand - available, 0)
    else:
        reserved = min(kept, max(on_hand, 0))
    return on_hand, reserved, kept


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
