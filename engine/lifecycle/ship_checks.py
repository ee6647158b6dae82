"""The shipment checks against the orders that hold a shipment or warn about it, from tables to findings
(engine.lifecycle.shipping runs them): a confirmation's ship-to that is not where its lines go
(ship_to_mismatches), a shipment's lines for several ship-tos (ship_tos_mixed) or of several buyers
(order_addresses, buyers_mixed), and an order that must ship complete and did not (ship_complete_findings); and
a confirmation of units we cancelled after acknowledging them (cancelled_lines, cancelled_shipped): told as such;
a confirmation of a release held since the buyer cancelled its blanket (releases_held): held.

Pure: tables and records in, findings out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from engine.envelope import order_address
from engine.lifecycle.balance import BLANKET_ENDED, PAST, REASON, TOLERATED
from engine.lifecycle.people import RELEASE_HELD_BLANKET_CANCELLED
from engine.shipments import StoreDcs, own_ship_tos, store_marks
from schemas.findings import Finding, finding
from schemas.lifecycle import (
    BALANCE_CANCELLED,
    ENDED_LINES,
    EXPIRED,
    FindingRecord,
    LineState,
    OrderRecord,
    OrderState,
    decimal_text,
)
from schemas.order_keys import x12_po
from schemas.orders import LINE_SHIP_TO_ADDRESS, SHIP_COMPLETE
from schemas.profile import PartnerProfile
from schemas.x12 import Address

STAGE = "shipments"  # the stage of the shipment findings (engine.lifecycle.shipping's too)
Key = tuple[str, str]
# a line's reason beside its balance_cancelled (engine.lifecycle.balance): why its balance was cancelled
_WHY_BALANCE = {PAST: "past the order's last date", REASON: "as the balance of a short shipment of a no-back-order PO",
                TOLERATED: "as the balance of a short shipment within the under-shipment tolerance",
                BLANKET_ENDED: "as the balance of a release whose blanket the buyer cancelled"}
# the findings a confirmation of such units raises (the line closed, or no unit left reserved for it)
CANCELLED_SHIPPED = ("SHIPMENT_LINE_CLOSED", "SHIPMENT_OVER_RESERVED")


def cancelled_lines(lines: pa.Table) -> dict[tuple[str, str, int], str]:
    """(partner, PO, line number) -> what we cancelled of it after acknowledging it, in words, for each of ``lines``
    (LINE_ROWS, as stored) that counts units cancelled so (its expired: its backorder past the order's last date,
    engine.lifecycle.backorders; its balance_cancelled: its balance, past that date or after a short shipment,
    engine.lifecycle.balance), each named as the mark it was kept as before store version 34 ("EXPIRED:12",
    "BALANCE_CANCELLED:24"). A warehouse that then confirms units of it shipped them after we told the buyer they
    would not come, or before we knew (a shipment on the last day confirmed after the grace): cancelled_shipped says
    so."""
    columns = ("expired", "balance_cancelled")
    if not lines.num_rows or any(c not in lines.column_names for c in columns):
        return {}
    marked = pc.or_(*(pc.not_equal(pc.fill_null(lines[c], ""), "") for c in columns))
    if not pc.any(marked).as_py():
        return {}
    out = {}
    for r in lines.filter(marked).select(["partner", "po_number", "line_number", "reason", *columns]).to_pylist():
        reasons = (r["reason"] or "").split("; ")
        balance = next((_WHY_BALANCE[x] for x in reversed(reasons) if x in _WHY_BALANCE), "as its balance")
        told = []
        if r["expired"]:
            told.append(f"{r['expired']} backordered past the order's last date ({EXPIRED}{r['expired']})")
        if r["balance_cancelled"]:
            told.append(f"{r['balance_cancelled']} unshipped {balance} ({BALANCE_CANCELLED}{r['balance_cancelled']})")
        out[(r["partner"], r["po_number"], r["line_number"])] = ", ".join(told)
    return out


def cancelled_shipped(f: Finding, sid: str, row: Mapping, cancelled: str) -> tuple[Finding, str]:
    """A CANCELLED_SHIPPED finding ``f`` of held shipment ``sid`` about a confirmation ``row`` (its ship date,
    quantity and unit) of a line we cancelled units of after acknowledging them (``cancelled``: what,
    cancelled_lines), restated to say so, and its consequence: the shipment is held (no 856 claims the units are
    on order, no 810 bills them, no reservation is consumed nor the line reopened), and the goods left: the buyer
    decides (keep them on a new PO, or send them back). It used to read as a warehouse's error ("the warehouse
    must send a corrected confirmation"): the confirmation is right, our order ended."""
    shipped = f"{decimal_text(row['quantity'])} {row['unit'] or ''}".strip() if row.get("quantity") is not None \
        else "units"
    when = f" on {row['ship_date']}" if row.get("ship_date") else ""
    told = replace(f, message=f"{f.message} We cancelled units of it after acknowledging them: {cancelled}; "
                   f"shipment {sid} shipped {shipped} of it{when}: the goods left for units no longer on order.")
    return told, (f"shipment {sid} held: no 856 nor 810, no reservation consumed nor made, the units stay cancelled; "
                  "the goods left for units we cancelled: ask the buyer whether it keeps them (on a new PO) or sends "
                  "them back, and tell the warehouse")


def ship_to_mismatches(lines: pa.Table, orders: pa.Table, order_lines: pa.Table | None = None,
                       dcs: StoreDcs | None = None, stops: Sequence[int] | None = None) -> list[tuple[int, Finding]]:
    """SHIPMENT_SHIP_TO_MISMATCH at the first line of each shipment and PO whose confirmation names a
    ship-to (a 945's N1 ST) that is not where its lines go: a location id (N104) under that place's qualifier
    (N103) that differs, else (no id to compare) a postal code that differs (US ZIPs by their first five
    digits). Where the lines go is each line's own ship-to when its PO1 loop names one (``order_lines``,
    engine.shipments.own_ship_tos: a co-op member's store, with its N3/N4 where sent), else the DC its store goes
    through (``dcs``), else its order's; a PO's own places are told apart as rules.business.places.same_party does
    (one id however named is one place; one name without an id at two addresses, two). Nothing to compare (no
    ship-to given, or the place has neither), no finding: the 856 names that place, and must not when the goods
    went elsewhere. The shipment's lines of a PO going to several places: SHIPMENT_SHIP_TOS_MIXED holds it
    (ship_tos_mixed), nothing here. ``stops``: each row's stop within a multi-stop load (0 outside one), each stop
    compared as a shipment of its own and named "S (stop n)"."""
    if "ship_to_id" not in lines.column_names or not lines.num_rows or (
            lines["ship_to_id"].null_count == lines.num_rows and lines["ship_to_postal_code"].null_count
            == lines.num_rows):
        return []
    want = {}
    for row in orders.select([c for c in ("partner", "po_number", "ship_to_id_qualifier", "ship_to_id",
                                          "ship_to_postal_code", "ship_to_name") if c in orders.column_names]
                             ).to_pylist():
        want[(row["partner"], row["po_number"])] = row

    own = own_ship_tos(lines, orders, order_lines, dcs)
    names = ("shipment_id", "partner", "po_number", "line_id", "ship_to_id_qualifier", "ship_to_id",
             "ship_to_postal_code", "source_file", "isa13", "gs06", "st02")
    # shipment and PO -> its first row and its places (None: the order's; a line's own as same_party compares it,
    # its address too: one id under two names is one place, one name at two doors without an id two), each with its
    # lines; each distinct party compared once a shipment and PO (``at``)
    shipped: dict[tuple, tuple[int, dict, list[tuple[dict | None, list[str]]]]] = {}
    at: dict[tuple, int] = {}
    stop_of = stops if stops is not None else [0] * lines.num_rows
    for i, (r, party, stop) in enumerate(zip(lines.select(list(names)).to_pylist(), own, stop_of, strict=True)):
        key = (r["shipment_id"], stop, r["partner"], r["po_number"])
        if (r["partner"], r["po_number"]) not in want:
            continue
        known = shipped.setdefault(key, (i, r, []))[2]
        lines_to = known[place_index(known, at, key, party)][1]
        if r["line_id"] not in lines_to:
            lines_to.append(r["line_id"])
    out: list[tuple[int, Finding]] = []
    for (_sid, stop, partner, po), (i, r, places) in shipped.items():
        if len(places) > 1:
            continue  # lines for several places in one shipment: ship_tos_mixed holds it
        [(place, line_ids)] = places
        order = want[(partner, po)]
        if place is None:
            goes = order
            whose = f"order {po}"
        else:  # the line's own place: its id, else its postal code (a PO1 loop's N4, a CSV row's own address)
            goes = place
            whose = f"order {po} line{'s' if len(line_ids) > 1 else ''} {', '.join(map(str, line_ids))}"
        given_id, given_zip = (r["ship_to_id"] or "").strip(), _postal(r["ship_to_postal_code"])
        place_id, place_zip = (goes.get("ship_to_id") or "").strip(), _postal(goes.get("ship_to_postal_code"))
        same_qualifier = (r["ship_to_id_qualifier"] or "").strip() == (goes.get("ship_to_id_qualifier") or "").strip()
        if given_id and place_id and same_qualifier:
            differs, what = given_id != place_id, _id_words(r["ship_to_id_qualifier"], given_id)
            theirs = _id_words(goes.get("ship_to_id_qualifier"), place_id)
        elif given_zip and place_zip:
            differs, what, theirs = given_zip != place_zip, f"postal code {r['ship_to_postal_code']}", \
                f"postal code {goes.get('ship_to_postal_code')}"
        else:
            continue
        if differs:
            named = f"{r['shipment_id']} (stop {stop})" if stop else r["shipment_id"]
            out.append((i, finding("SHIPMENT_SHIP_TO_MISMATCH", f"Shipment {named} went to {what} (N1 ST); "
                                   f"{whose} ships to {theirs} "
                                   f"({goes.get('ship_to_name') or 'no name'}): its 856 would name an address the "
                                   "goods did not go to.", seg="N1",
                                   element="N104" if given_id and place_id and same_qualifier else "N403",
                                   value=given_id or r["ship_to_postal_code"], file=r["source_file"] or "",
                                   isa13=r["isa13"] or "", gs06=r["gs06"] or "", st02=r["st02"] or "")))
    return out


def _id_words(qualifier: str | None, place_id: str) -> str:
    """A location id as a SHIPMENT_SHIP_TO_MISMATCH message names it: under its qualifier (N103) "92 047", without
    one (a blank N103: the 945's and the order's alike, so the ids are compared) "location id 047"."""
    return f"{qualifier.strip()} {place_id}" if qualifier and qualifier.strip() else f"location id {place_id}"


# a line's own place as rules.business.places.same_party compares it (Party's fields)
_PLACE = ("name", "id_qualifier", "id", *LINE_SHIP_TO_ADDRESS)


def place_of(party) -> dict | None:
    """``party`` (engine.shipments.own_ship_tos: a line's own place; None, its order's ship-to) as a place a
    message and same_party read: its _PLACE fields as ship_to_* columns, a blank one None (same_party,
    places_words and ship_to_mismatches' words read a blank field and a missing one alike)."""
    return None if party is None else {f"ship_to_{f}": getattr(party, f) or None for f in _PLACE}


def place_index(known: list[tuple[dict | None, list]], at: dict, key: object, party) -> int:
    """Where ``party``'s place stands in ``known`` (one shipment's places so far, or one shipment and PO's: each
    (place_of, its lines)), added at the end when new: one place as rules.business.places.same_party tells them
    (one id however named, one place; one name without an id at two addresses, two; the order's ship-to, None,
    its own). Each distinct party is compared once a ``key`` (``at``: (key, party) -> its index)."""
    from rules.business.places import same_party

    k = at.get((key, party))
    if k is None:
        place = place_of(party)
        k = next((j for j, (p, _l) in enumerate(known) if (p is None and place is None) or (
            p is not None and place is not None and same_party(place, p))), len(known))
        if k == len(known):
            known.append((place, []))
        at[(key, party)] = k
    return k


def ship_tos_mixed(lines: pa.Table, orders: pa.Table, order_lines: pa.Table | None,
                   dcs: StoreDcs | None = None) -> list[tuple[int, Finding]]:
    """SHIPMENT_SHIP_TOS_MIXED at the first line of each shipment whose lines go to more than one place: a line
    whose PO1 loop names its own ship-to (engine.shipments.own_ship_tos: a co-op member's store, an item-level
    ship-to), or whose carton's store goes through a DC (``dcs``: a store-level partner's SDQ store), beside a
    line for another (its own, another DC, or its order's). One 856 names one ship-to (its N1*ST), and a truck to
    one DC does not deliver to another (one name at two addresses, no id: two places, same_party): the shipment is
    split into one shipment per stop (engine.lifecycle.shipping, engine.lifecycle.stops; fulfilment.multi_stop
    "split") or, for a partner taking no split load, held, to be confirmed again as one shipment per destination."""
    from rules.business.places import places_words

    if not lines.num_rows:
        return []
    own = own_ship_tos(lines, orders, order_lines, dcs)
    if own.count(None) == len(own):  # (counted in C: a night's 100,000 rows go to their orders' places)
        return []
    stores = store_marks(lines)
    names = ("shipment_id", "po_number", "line_id", "source_file", "isa13", "gs06", "st02")
    # shipment -> its places (None: the order ship-to), each with its lines, in order; one place by same_party (a
    # name at two addresses, no id, two places), each distinct party compared once a shipment (``at``)
    places: dict[str, list[tuple[Mapping | None, list[str]]]] = {}
    at: dict[tuple[str, object], int] = {}
    first: dict[str, tuple[int, dict]] = {}
    for i, (r, party, store) in enumerate(zip(lines.select(list(names)).to_pylist(), own, stores,
                                                                 strict=False)):  # stores: repeat() for none
        sid = r["shipment_id"]
        first.setdefault(sid, (i, r))
        known = places.setdefault(sid, [])
        lines_of = known[place_index(known, at, sid, party)][1]
        label = f"{r['po_number']} line {r['line_id']}" + (f" store {store}" if store else "")
        if label not in lines_of:
            lines_of.append(label)
    out: list[tuple[int, Finding]] = []
    for sid, by_place in places.items():
        if len(by_place) < 2:
            continue
        i, r = first[sid]
        said = "; ".join(f"{words}: {', '.join(labels)}" for words, (_p, labels) in zip(
            places_words([p for p, _l in by_place], with_names=True), by_place, strict=True))
        out.append((i, finding("SHIPMENT_SHIP_TOS_MIXED", f"Shipment {sid} holds lines for {len(by_place)} ship-tos "
                               f"({said}): one 856 names one ship-to (N1*ST). Confirm one shipment per destination.",
                               seg="N1", element="N104", file=r["source_file"] or "", isa13=r["isa13"] or "",
                               gs06=r["gs06"] or "", st02=r["st02"] or "")))
    return out


def order_addresses(records: Mapping[tuple[str, str], OrderRecord], profiles: Mapping[str, PartnerProfile]
                    ) -> dict[tuple[str, str], tuple[str, ...]]:
    """(partner, PO) -> (GS02, GS03) of the order ``records`` (by key) sent from or to other GS ids than
    their profile's, with (ISA05, ISA06, ISA07, ISA08) after them for a partner sending from several interchange
    ids or to several of ours ([x12] their_ids / our_ids) whose order came from or to another than the profile's:
    the ``addresses`` buyers_mixed reads; empty for a partner that is one buyer writing to one id of ours."""
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for key, r in records.items():
        x = profiles[key[0]].x12 if key[0] in profiles else None
        if x is None:
            continue
        isa = (x.their_ids or x.our_ids) and ((r.isa06 and (r.isa05, r.isa06) != (x.their_qualifier, x.their_id))
                                              or (r.isa08 and (r.isa07, r.isa08) != (x.our_qualifier, x.our_id)))
        if isa:
            out[key] = (r.gs02, r.gs03, r.isa05, r.isa06, r.isa07, r.isa08)
        elif (r.gs02 and r.gs02 != x.their_gs_id) or (r.gs03 and r.gs03 != x.our_gs_id):
            out[key] = (r.gs02, r.gs03)
    return out


def buyers_mixed(lines: pa.Table, addresses: Mapping[tuple[str, str], tuple[str, ...]],
                 profiles: Mapping[str, PartnerProfile]) -> list[tuple[int, Finding]]:
    """SHIPMENT_BUYERS_MIXED at the first line of each shipment whose POs were sent from different GS02s or to
    different GS03s (``addresses``: (partner, PO) -> (GS02, GS03) of the orders not at the profile's ids; an order
    not in it is at the profile's). One 856 goes to one GS03 from one GS02: sent to the first PO's, a network would
    deliver the other buyer's ASN to the wrong company. The shipment is held, to be confirmed again as one shipment
    per buyer; a partner taking one 856 per PO (fulfilment.asn.per "order") never gets this."""
    if not addresses or not lines.num_rows:
        return []
    names = ("shipment_id", "partner", "po_number", "source_file", "isa13", "gs06", "st02")
    cols = {c: lines[c].to_pylist() for c in names[:3]}
    seen: dict[str, dict] = {}  # shipment -> address -> its POs, in order
    first: dict[str, int] = {}
    for i, (sid, partner, po) in enumerate(zip(cols["shipment_id"], cols["partner"], cols["po_number"],
                                               strict=True)):
        profile = profiles.get(partner or "")
        if profile is None or profile.fulfilment.asn.per == "order":
            continue
        first.setdefault(sid, i)
        gs = addresses.get((partner, po))
        pos = seen.setdefault(sid, {}).setdefault(order_address(profile, gs) if gs else None, [])
        if po not in pos:
            pos.append(po)
    out: list[tuple[int, Finding]] = []
    for sid, by_address in seen.items():
        if len(by_address) < 2:
            continue
        i = first[sid]
        r = {c: lines[c][i].as_py() for c in names[3:]}
        said = "; ".join(f"{', '.join(pos)}: " + (_said(to) if to else "the profile's GS ids")
                         for to, pos in by_address.items())
        out.append((i, finding("SHIPMENT_BUYERS_MIXED", f"Shipment {sid} holds POs of {len(by_address)} addresses "
                               f"({said}): one 856 goes to one GS03 from one GS02. Confirm one shipment per buyer.",
                               file=r["source_file"] or "", isa13=r["isa13"] or "", gs06=r["gs06"] or "",
                               st02=r["st02"] or "")))
    return out


def _said(to: Address) -> str:
    """Where a shipment's POs of one address go, for SHIPMENT_BUYERS_MIXED: the GS ids, and the interchange ids
    where they are not the profile's."""
    out = f"to {to.gs_id or 'their_gs_id'} from {to.gs_sender or 'our_gs_id'}"
    if to.isa_id:
        out += f", interchange to {to.isa_qualifier}/{to.isa_id}"
    if to.isa_sender_id:
        out += f", interchange from {to.isa_sender_qualifier}/{to.isa_sender_id}"
    return out


def ship_complete_findings(shipped: pa.Table, orders: pa.Table, lines: pa.Table,
                           complete_partners: frozenset[str] = frozenset()) -> tuple[FindingRecord, ...]:
    """SHIPPED_NOT_COMPLETE (warning) per shipment and PO of ``shipped`` (SHIPMENT_LINES of the shipments
    sent, in order) whose order must ship complete (``orders``: its CSH01 is SC, SHIP_COMPLETE; or its
    partner is one of ``complete_partners``, whose allocation policy ships complete) and did
    not go in one shipment: a shipment followed by another of the same file for the PO (the order went
    split), and the PO's last shipment when units are still open once the file's shipments are counted
    (``lines``: LINE_ROWS of the shipped orders after them: a line not ended with allocated + backordered
    beyond what shipped). The goods left, so the 856 goes; the warning names the PO and what is left
    (expect a chargeback). Lines rejected (IR) are out of the order: nothing of them is open."""
    if not shipped.num_rows or ("sales_requirement" not in orders.column_names and not complete_partners):
        return ()
    by_csh = pc.fill_null(pc.is_in(orders["sales_requirement"], value_set=pa.array(SHIP_COMPLETE)), False) \
        if "sales_requirement" in orders.column_names else pa.array([False] * orders.num_rows)
    by_policy = pc.is_in(orders["partner"], value_set=pa.array(sorted(complete_partners), pa.string()))
    csh = {(p, po) for p, po, c in zip(orders["partner"].to_pylist(), orders["po_number"].to_pylist(),
                                       by_csh.to_pylist(), strict=True) if c} if complete_partners else None
    complete = orders.filter(pc.or_(by_csh, pc.fill_null(by_policy, False)))
    if not complete.num_rows:
        return ()
    sc_keys = pc.binary_join_element_wise(complete["partner"], complete["po_number"], "|")
    ours = pc.fill_null(pc.is_in(pc.binary_join_element_wise(shipped["partner"], shipped["po_number"], "|"),
                                 value_set=sc_keys), False)
    if not pc.any(ours).as_py():
        return ()
    mine = pc.fill_null(pc.is_in(pc.binary_join_element_wise(lines["partner"], lines["po_number"], "|"),
                                 value_set=sc_keys), False)
    live = pc.invert(pc.is_in(lines["state"], value_set=pa.array([s.value for s in (*ENDED_LINES,
                                                                                  LineState.CLOSED)])))
    left: dict[Key, list[str]] = {}
    for r in lines.filter(pc.and_(mine, live)).select(["partner", "po_number", "line_number", "line_id", "unit",
                                                       "allocated", "backordered", "shipped"]).to_pylist():
        units = Decimal(r["allocated"] or 0) + Decimal(r["backordered"] or 0) - Decimal(r["shipped"] or "0")
        if units > 0:
            left.setdefault((r["partner"], r["po_number"]), []).append(
                f"line {r['line_id'] or r['line_number']}: {decimal_text(units)} {r['unit'] or ''}".rstrip())
    carried: dict[Key, list[str]] = {}  # each SC order's shipments in this file, in order
    for r in shipped.filter(ours).select(["shipment_id", "partner", "po_number"]).to_pylist():
        sids = carried.setdefault((r["partner"], r["po_number"]), [])
        if r["shipment_id"] not in sids:
            sids.append(r["shipment_id"])
    out = []
    for (partner, po), sids in carried.items():
        for k, sid in enumerate(sids):
            if k + 1 < len(sids):
                what = f"carries part of the order; shipment(s) {', '.join(sids[k + 1:])} of the same file carry more"
            elif (partner, po) in left:
                what = f"leaves part of the order open ({'; '.join(left[(partner, po)])})"
            else:
                continue
            asks = "the PO's CSH01 SC asks" if csh is None or (partner, po) in csh else \
                f"partner {partner}'s allocation policy (ship_complete) wants"
            message = (f"Shipment {sid} for PO {po} {what}, but {asks} it to ship complete: the 856 "
                       "is sent (the goods left); expect a chargeback for a split shipment.")
            out.append(FindingRecord(finding("SHIPPED_NOT_COMPLETE", message, value=sid), partner, po,
                                     "856 sent: chargeback risk", STAGE))
    return tuple(out)


def _postal(code: str | None) -> str:
    """A postal code as compared: upper case without blanks or hyphens; a US ZIP+4 as its five digits."""
    text = "".join((code or "").upper().split()).replace("-", "")
    return text[:5] if len(text) >= 5 and text[:5].isdigit() else text


def releases_held(lines: pa.Table, held: Mapping[tuple[str, str], str]) -> list[tuple[int, Finding]]:
    """SHIPMENT_RELEASE_HELD at the first row of each shipment and order of ``held`` (order key -> how people read
    it: the releases held for a person because the buyer cancelled their blanket, engine.blankets.hold_released):
    an error, so the shipment is held (no 856) until the person decides: approved, the release ships as answered
    (confirm it again); rejected, the goods are not the buyer's to receive."""
    if not held or not lines.num_rows:
        return []
    names = ("shipment_id", "partner", "po_number")
    cols = {c: lines[c].to_pylist() for c in names}
    seen: set[tuple[str, str, str]] = set()
    out: list[tuple[int, Finding]] = []
    for i, (sid, partner, po) in enumerate(zip(*(cols[c] for c in names), strict=True)):
        name = held.get((partner or "", po or ""))
        if name is None or (sid, partner, po) in seen:
            continue
        seen.add((sid, partner, po))
        r = {c: lines[c][i].as_py() for c in ("source_kind", "source_file", "row_number", "isa13", "gs06", "st02",
                                              "segment_position", "file_segment") if c in lines.column_names}
        message = (f"Shipment {sid} ships {name}, a release held for a person since the buyer cancelled its blanket "
                   "(RELEASE_HELD_BLANKET_CANCELLED): it is not shipped against a cancelled agreement unasked. The "
                   "shipment is held, no 856: once a person approves the release (the buyer says it stands), confirm "
                   "the shipment again; if the release is rejected, the goods are not the buyer's to receive.")
        where = x12_po(po or "")
        if r.get("source_kind") == "csv":
            f = finding("SHIPMENT_RELEASE_HELD", message, file=r.get("source_file") or "", row=r.get("row_number"),
                        column="po_number", value=where)
        else:
            f = finding("SHIPMENT_RELEASE_HELD", message, file=r.get("source_file") or "", isa13=r.get("isa13") or "",
                        gs06=r.get("gs06") or "", st02=r.get("st02") or "", value=where)
        out.append((i, f))
    return out


def releases_on_hold(records: Sequence[OrderRecord]) -> list[OrderRecord]:
    """The orders among ``records`` held for a person because the buyer cancelled their blanket
    (engine.blankets.hold_released), and those a person rejected since, not yet answered: their shipments are held
    (releases_held)."""
    return [r for r in records if RELEASE_HELD_BLANKET_CANCELLED in r.hold_codes
            and r.state in (OrderState.HELD, OrderState.REJECTED_BY_PERSON)]
