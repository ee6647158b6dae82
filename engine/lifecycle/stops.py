"""A multi-stop load: one confirmation shipment (one truck, one bill of lading) whose lines go to several ship-tos
(two DCs of the partner, stores shipped through different DCs, a PO1 loop's own N1*ST beside the order's) is split
into one shipment per stop, each its own 856 (and 810, when invoiced per shipment). This module owns where each
row goes (row_places), the stops of a load (number_stops), the boxes that cannot be split (boxes_mixed) and the
stop ids (stop_id, stop_prefix, load_of; engine.stop_ids reads them back); engine.lifecycle.shipping splits the
checked lines with them.

Pure: tables and values in, values out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container, Mapping, Sequence

import pyarrow as pa

from engine.shipments import StoreDcs, own_ship_tos
from engine.stop_ids import STOP_MARK
from schemas.findings import Finding, finding
from schemas.orders import LINE_SHIP_TO_ADDRESS

ASN_ID_MAX = 30  # BSN02 (shipment identification): AN 2-30
STOPS_MAX = 999  # the stop numbers that fit (STOP_MARK and three digits after a base of 24 characters)
_BASE_MAX = ASN_ID_MAX - len(STOP_MARK) - len(str(STOPS_MAX))

Place = Mapping[str, str] | None  # ship_to_name, ship_to_id_qualifier, ship_to_id; None: the order's own


def stop_prefix(shipment_id: str) -> str:
    """What every stop id of load ``shipment_id`` starts with: the id and STOP_MARK; an id longer than 24
    characters is cut to its first 15, "-" and 8 hex digits of a hash of it (the same id, the same prefix on every
    run), so that the stop id fits BSN02's 30 characters."""
    base = shipment_id
    if len(base) > _BASE_MAX:
        digest = hashlib.sha256(shipment_id.encode()).hexdigest()[:8].upper()
        base = f"{shipment_id[:_BASE_MAX - 9]}-{digest}"
    return f"{base}{STOP_MARK}"


def stop_id(shipment_id: str, n: int) -> str:
    """The shipment id (its 856's BSN02, its record's, its 810's REF*SI) of stop ``n`` (1, 2 ...) of the load
    ``shipment_id``: "S9-ST1", "S9-ST2" (stop_prefix and the number)."""
    if not 1 <= n <= STOPS_MAX:
        raise ValueError(f"stop {n} of load {shipment_id}: stops are numbered 1 to {STOPS_MAX}")
    return f"{stop_prefix(shipment_id)}{n}"


def load_of(part_id: str, prefixes: Mapping[str, str]) -> str | None:
    """The load (``prefixes``: stop_prefix -> load id) whose stop ``part_id`` is (a recorded shipment id), else
    None: the prefix and a stop number alone, so "S9-ST1" is S9's and "S9-ST1X" or "S9-STORE" nobody's."""
    at = part_id.rfind(STOP_MARK)
    while at > 0:
        number = part_id[at + len(STOP_MARK):]
        load = prefixes.get(part_id[:at + len(STOP_MARK)])
        if load is not None and re.fullmatch(r"[1-9][0-9]{0,2}", number):
            return load
        at = part_id.rfind(STOP_MARK, 0, at)
    return None


# a place's address, which tells two places of one name apart (rules.business.places.same_party)
_ADDRESS = tuple(f"ship_to_{f}" for f in LINE_SHIP_TO_ADDRESS)


def row_places(lines: pa.Table, orders: pa.Table, order_lines: pa.Table | None, dcs: StoreDcs | None,
               each_order: Container[str]) -> list[Place]:
    """Per checked confirmation row (partner and line id resolved), the place it goes to, as
    rules.business.places.same_party compares them: its line's own ship-to or its store's DC
    (engine.shipments.own_ship_tos), else its order's N1*ST (``orders``: canonical ORDERS); None for the order's
    of a partner in ``each_order`` (its 856 names each order's own ship-to in the order loop, or is one per PO:
    POs of two places ship in one) and of an order naming no ship-to."""
    own = own_ship_tos(lines, orders, order_lines, dcs)
    names = [c for c in ("partner", "po_number", "ship_to_name", "ship_to_id_qualifier", "ship_to_id", *_ADDRESS)
             if c in orders.column_names]
    heads: dict[tuple[str, str], dict] = {}
    if {"ship_to_name", "ship_to_id"} <= set(names):
        for r in orders.select(names).to_pylist():
            if (r["ship_to_id"] or "").strip() or (r["ship_to_name"] or "").strip():
                heads[(r["partner"], r["po_number"])] = {"ship_to_name": r["ship_to_name"] or "",
                                                          "ship_to_id_qualifier": r.get("ship_to_id_qualifier") or "",
                                                          "ship_to_id": r["ship_to_id"] or "",
                                                          **{c: r.get(c) or "" for c in _ADDRESS}}
    out: list[Place] = []
    for party, partner, po in zip(own, lines["partner"].to_pylist(), lines["po_number"].to_pylist(), strict=True):
        if party is not None:  # with its address: one name at two doors is two places (same_party)
            out.append({"ship_to_name": party.name, "ship_to_id_qualifier": party.id_qualifier,
                        "ship_to_id": party.id, **{c: getattr(party, c[len("ship_to_"):]) for c in _ADDRESS}})
        elif partner in each_order:
            out.append(None)
        else:
            out.append(heads.get((partner, po)))
    return out


def _same(a: Place, b: Place) -> bool:
    from rules.business.places import same_party

    if a is None or b is None:
        return a is b
    return same_party(a, b)


def number_stops(shipment_ids: Sequence[str], places: Sequence[Place], loads: Container[str]
                 ) -> tuple[list[int], dict[str, list[Place]]]:
    """Per row, the number of its stop within its load (``shipment_ids``: each row's; ``places``: row_places),
    1, 2 ... in the order of each place's first row in the confirmation (the same confirmation, the same numbers);
    0 for a row of a shipment not in ``loads``. And each load's places, in that order."""
    known: dict[str, list[Place]] = {}
    out: list[int] = []
    for sid, place in zip(shipment_ids, places, strict=True):
        if sid not in loads:
            out.append(0)
            continue
        seen = known.setdefault(sid, [])
        k = next((j for j, p in enumerate(seen) if _same(p, place)), None)
        if k is None:
            seen.append(place)
            k = len(seen) - 1
        out.append(k + 1)
    return out, known


# a pallet first: one shipped whole is its rows' carton too (rules.shipments.whole_pallets), named once, as a pallet
_BOXES = (("pallet", ("pallet_sscc", "pallet_id")), ("carton", ("carton_sscc", "carton_id")))


def boxes_mixed(lines: pa.Table, stops: Sequence[int], places: Mapping[str, list[Place]]
                ) -> list[tuple[int, Finding]]:
    """SHIPMENT_SHIP_TOS_MIXED at the first row of each carton or pallet (by its SSCC, else its label) of a load
    whose rows go to two stops (``stops``: number_stops' numbers, ``places``: its places): the load cannot be split
    (a carton cannot be in two places), it is held, the finding naming the box, its stops and their POs."""
    from rules.business.places import places_words  # two stops of one name: with their addresses

    if not any(n > 1 for n in stops):
        return []
    cols = {c: lines[c].to_pylist() for c in ("shipment_id", "po_number", "line_id", "source_file", "isa13", "gs06",
                                              "st02", *(c for _k, cs in _BOXES for c in cs)) if c in lines.column_names}
    out: list[tuple[int, Finding]] = []
    named: set[tuple[str, str]] = set()
    for kind, (sscc, label) in _BOXES:
        if label not in cols:
            continue
        boxes: dict[tuple[str, str], tuple[int, dict[int, list[str]]]] = {}
        for i, n in enumerate(stops):
            box = (cols[sscc][i] if sscc in cols else None) or cols[label][i]
            if n and box:
                at = boxes.setdefault((cols["shipment_id"][i], box), (i, {}))[1].setdefault(n, [])
                if cols["po_number"][i] not in at:
                    at.append(cols["po_number"][i])
        for (sid, box), (i, by_stop) in boxes.items():
            if len(by_stop) < 2 or (sid, box) in named:
                continue
            named.add((sid, box))
            words = places_words(places[sid])
            said = "; ".join(f"{words[n - 1]}: {', '.join(pos)}" for n, pos in by_stop.items())
            out.append((i, finding(
                "SHIPMENT_SHIP_TOS_MIXED", f"Shipment {sid}: {kind} {box} holds lines for {len(by_stop)} ship-tos "
                f"({said}): a {kind} goes to one place, so the load cannot be split into one 856 per stop. "
                f"Build one {kind} per ship-to.", seg="MAN", element="MAN02", value=box,
                file=cols["source_file"][i] or "", isa13=cols["isa13"][i] or "", gs06=cols["gs06"][i] or "",
                st02=cols["st02"][i] or "")))
    return sorted(out, key=lambda p: p[0])
