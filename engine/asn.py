"""856 ship notice: a typed Shipment (schemas.shipments) -> the transaction set body, in the HL
structure the partner's profile names, checked by itself before it is returned.

Pure: the shipment, the partner's AsnSettings and the document time come in; segments go out (wrap
them with engine.envelope). Structures (HL03 levels, parent first):
  SOPI   pick and pack:        S > O > P (carton, MAN*GM SSCC) > I (the carton's items)
  SOTPI  pick and pack + tare: S > O > T (pallet, MAN*GM) > P > I; cartons off any pallet sit under O
  SOTI   pallets shipped whole: S > O > T (pallet, MAN*GM) > I, no carton level; in the same order loop a pallet
         of labelled cartons is T > P > I and a carton off any pallet P > I (Best Buy's guide lists the three
         trees: labels at the pallet and carton, at the pallet only, at the carton only)
  SOI    no cartons:           S > O > I (one item per order line, quantities summed over cartons)
  SOIP   standard carton pack: S > O > I (per order line) > P (each carton holding that line's item)
  STOI   consolidated pallets: S > T (pallet, MAN*GM) > O (each PO on it) > I, the tare above the orders it holds
         (BSN05 0003 Shipment, Packaging, Order, Item); a pallet of cartons T > O > P > I; an order's cartons off
         any pallet in an O loop of their own under the S (O > P > I). One 856 names one ship-to (N1*ST), so a
         pallet's orders are the one ship-to's (engine.lifecycle.shipping holds a pallet of several)
  STOPI  S-T-O-I with every item in a carton: S > T > O > P > I (a pallet shipped whole is refused)
Segments: BSN; S: TD1 (cartons, pallets, gross weight), TD5 (SCAC, method, service), REF BM/CN,
DTM 011 (017), N1 SF/ST with N3/N4 (ST in each O loop instead: AsnSettings.ship_to_level); O: PRF, TD1 (its
cartons: AsnSettings.order_td1), REF IA (our vendor number, when the profile sets one), REF DP/PD/MR
(the PO's department, promotion and merchandise type, as it sent them; AsnSettings.order_refs), N1 BY/Z7
(the mark-for store the PO named, as it named it; AsnSettings.mark_for "pack": after each T/P's MAN instead);
T/P: MAN*GM; I: LIN, SN1, SLN (a prepack's components: AsnSettings.prepacks), PO4, PID; CTT (CTT01 = number of
HL segments, CTT02 = hash of SN102).
A failed self-check raises DocumentError: never a wrong ASN.
Many shipments at once, column-wise, as text: engine.asn_columnar (it writes its segments with the helpers here).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Container, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from engine.sscc import checked_sscc, man02
from parsers.x12_writer import ADDRESS_MAX, CITY_MAX, NAME_MAX, ROUTING_MAX, Segment, x12_decimal, x12_text
from schemas.errors import DocumentError
from schemas.fulfilment import BSN05, TARE_FIRST, AsnSettings, HlStructure
from schemas.order_keys import x12_po
from schemas.orders import ORDER_REFS, carried_ref, name2_sent, name2_text, order_ref_elements, ordered_refs
from schemas.packaging import DEFAULT_PACKAGING
from schemas.shipments import (
    AIR_METHODS,
    Pack,
    Party,
    PrepackComponent,
    ProductId,
    Shipment,
    ShippedItem,
    ShippedOrder,
    Tare,
    with_name2,
)
from schemas.time_codes import written_time
from schemas.x12dict import release_dictionary

# the level(s) each HL level may hang under, per structure
PARENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "SOPI": {"O": ("S",), "P": ("O",), "I": ("P",)},
    "SOTPI": {"O": ("S",), "T": ("O",), "P": ("T", "O"), "I": ("P",)},
    "SOTI": {"O": ("S",), "T": ("O",), "P": ("T", "O"), "I": ("T", "P")},
    "SOI": {"O": ("S",), "I": ("O",)},
    "SOIP": {"O": ("S",), "I": ("O",), "P": ("I",)},
    "STOI": {"T": ("S",), "O": ("T", "S"), "P": ("O",), "I": ("O", "P")},
    "STOPI": {"T": ("S",), "O": ("T", "S"), "P": ("O",), "I": ("P",)},
}


def build_856(shipment: Shipment, asn: AsnSettings, *, created: datetime, sscc_with_ai: bool = True,
              expected: Mapping[tuple[str, str], Decimal] | None = None) -> list[Segment]:
    """Body (BSN..CTT) of the 856 for ``shipment``. ``created`` gives BSN03/BSN04 (the document's
    date and time, from the caller's clock). ``expected`` maps (PO, line id) to the quantity the
    confirmation says shipped; by default it is the shipment's own items. Raises DocumentError when
    the shipment cannot be written in the partner's structure or the result fails its self-check.
    Written a loop at a time: HL01 is a running count; a parent's HL04 turns 1 with its first child."""
    structure = asn.structure
    bsn05 = asn.bsn05 or BSN05[structure]
    s: list[object] = ["HL", "1", "", "S", "0"]
    body: list[list[object]] = [["BSN", asn.purpose, shipment.shipment_id, ccyymmdd(created),
                                 hhmm(created), bsn05], s]
    head = shipment_segments(shipment, asn)
    if asn.dates_level == "heading":  # the dates in the heading (DTM 040, after BSN), none at the S level
        body[1:1] = [seg for seg in head if seg[0] == "DTM"]
        head = [seg for seg in head if seg[0] != "DTM"]
    body += head
    add = body.append
    item = _item_writer(asn)
    written: set[str] = set()  # MAN02 values, each from an SSCC validated as it was written
    n = 1  # HL segments written
    total = Decimal(0)  # CTT02: SN102 summed
    if structure in TARE_FIRST:  # the pallets under the S, the orders under them
        n, total = _tares_first(body, s, shipment, asn, item, written, sscc_with_ai)
    for order in () if structure in TARE_FIRST else shipment.orders:
        n += 1
        s[4] = "1"
        o: list[object] = ["HL", str(n), "1", "O", "0"]
        add(o)
        boxed = _order_head(body, order, shipment, asn, in_order=structure == "SOI")  # S-O-I has no cartons
        if structure in ("SOI", "SOIP"):
            for line, packs in _items_by_line(order, with_packs=structure == "SOIP"):
                n += 1
                o[4] = "1"
                i: list[object] = ["HL", str(n), o[1], "I", "1" if packs else "0"]
                add(i)
                body += item(line)
                total += line.quantity
                for pack in packs:
                    n += 1
                    add(["HL", str(n), i[1], "P", "0"])
                    if asn.pack_td1 and pack.weight is not None:
                        add(_td1(pack.packaging or asn.packaging, "1", pack.weight, pack.weight_unit, None, ""))
                    if asn.package_tracking and pack.tracking_number and asn.package_tracking_in == "ref":
                        for number in (pack.tracking_number, *pack.more_tracking):  # each its REF
                            add(["REF", "CN", number])
                    add(_man(pack, sscc_with_ai, written, asn))
                    body += _pack_marks(pack, boxed, asn)
            continue
        if order.loose_items:
            raise DocumentError("items shipped without a carton cannot be listed in this 856 structure",
                                structure=structure, shipment=shipment.shipment_id, po=order.po_number)
        if structure in ("SOTPI", "SOTI"):
            for tare in order.tares:
                if tare.items and structure != "SOTI":
                    raise DocumentError("a pallet shipped whole (items under the tare level) is S-O-T-I",
                                        structure=structure, shipment=shipment.shipment_id, po=order.po_number)
                n += 1
                o[4] = "1"
                t: list[object] = ["HL", str(n), o[1], "T", "0"]
                add(t)
                add(["MAN", "GM", _man02(tare.sscc, sscc_with_ai, written)])
                body += boxed
                n, total = _packs(body, n, t, tare.packs, item, written, sscc_with_ai, total, boxed, asn)
                for line in tare.items:  # S-O-T-I: the pallet's items under it, no carton level
                    n += 1
                    t[4] = "1"
                    add(["HL", str(n), t[1], "I", "0"])
                    body += item(line)
                    total += line.quantity
            n, total = _packs(body, n, o, order.packs, item, written, sscc_with_ai, total, boxed, asn)
        else:
            n, total = _packs(body, n, o, order.all_packs(), item, written, sscc_with_ai, total, boxed, asn)
    ctt: list[object] = ["CTT", str(n)]
    if asn.ctt_hash:
        ctt.append(x12_decimal(total))
    add(ctt)
    check_856(body, structure, expected if expected is not None else shipped_quantities(shipment),
              bsn05=bsn05, ctt_hash=asn.ctt_hash, ssccs_checked=written, case_at_pack=asn.case_at_pack)
    return body


def _order_head(body: list, order: ShippedOrder, shipment: Shipment, asn: AsnSettings, *,
                in_order: bool) -> list[list[object]]:
    """An order loop's segments after its HL (PRF, TD1, REF IA/DP/PD/MR, the ship-to when the profile puts it
    there, the mark-for's N1 when it is written in the order loop or ``in_order``), added to ``body``; returned,
    the segments each of its carton and pallet loops carries after its MAN (the mark-for, asn.mark_for "pack")."""
    add = body.append
    add(["PRF", x12_po(order.po_number), order.release_number, "",
         ccyymmdd(order.po_date) if order.po_date else ""])
    if asn.order_td1:
        body += order_td1_segments(order, asn.packaging)
    if order.hazmat:  # TD4 (140), after TD1, before REF: the PO heading's hazardous-material markings (any partner)
        body += hazmat_segments(order.hazmat)
    if asn.vendor_number:
        add(["REF", "IA", asn.vendor_number])
    body += ref_segments(order.refs, asn.order_refs, asn.order_ref_descriptions)
    if asn.ship_to_level == "order":  # the ship-to in each order loop (Lowe's), not the S level's
        body += party_segments(order.ship_to or shipment.ship_to, contact=asn.ship_to_contact)
    mark = order.mark_for if asn.mark_for != "none" else None
    if mark is not None and (asn.mark_for == "order" or in_order):
        add(mark_for_segment(mark))
    elif mark is not None:
        return [mark_for_segment(mark)]
    return []


def _tares_first(body: list, s: list[object], shipment: Shipment, asn: AsnSettings, item: ItemWriter,
                 written: set[str], with_ai: bool) -> tuple[int, Decimal]:
    """The HL loops of an S-T-O-I / S-T-O-P-I 856 after its S (``s``): each pallet once (its SSCC; in the order the
    shipment's orders first name it: an order's Tare is its part of the pallet) under the S, an O loop under it for
    each order it holds, with the order's cartons on it (P > I) and, S-T-O-I, its items on the pallet itself; then
    each order's cartons off any pallet in an O loop under the S. The last HL number and SN102 summed."""
    structure = asn.structure
    pallets: dict[str, list[tuple[ShippedOrder, Tare]]] = {}
    for order in shipment.orders:
        if order.loose_items:
            raise DocumentError("items shipped without a carton cannot be listed in this 856 structure",
                                structure=structure, shipment=shipment.shipment_id, po=order.po_number)
        for tare in order.tares:
            if tare.items and structure != "STOI":
                raise DocumentError("a pallet shipped whole (items under each order on the pallet) is S-T-O-I",
                                    structure=structure, shipment=shipment.shipment_id, po=order.po_number)
            pallets.setdefault(tare.sscc, []).append((order, tare))
    add = body.append
    n, total = 1, Decimal(0)
    for sscc, held in pallets.items():
        n += 1
        s[4] = "1"
        t: list[object] = ["HL", str(n), "1", "T", "0"]
        add(t)
        add(["MAN", "GM", _man02(sscc, with_ai, written)])
        for order, tare in held:
            n += 1
            t[4] = "1"
            o: list[object] = ["HL", str(n), t[1], "O", "0"]
            add(o)
            part = replace(order, tares=(tare,), packs=())  # the order as far as it is on this pallet (its TD1)
            boxed = _order_head(body, part, shipment, asn, in_order=not tare.packs)  # no carton: its N1 here
            n, total = _packs(body, n, o, tare.packs, item, written, with_ai, total, boxed, asn)
            for line in tare.items:  # the order's items on the pallet itself, no carton level
                n += 1
                o[4] = "1"
                add(["HL", str(n), o[1], "I", "0"])
                body += item(line)
                total += line.quantity
    for order in shipment.orders:
        if order.packs:  # its cartons off any pallet: an order loop under the S
            n += 1
            s[4] = "1"
            o = ["HL", str(n), "1", "O", "0"]
            add(o)
            boxed = _order_head(body, replace(order, tares=()), shipment, asn, in_order=False)
            n, total = _packs(body, n, o, order.packs, item, written, with_ai, total, boxed, asn)
    return n, total


def shipped_quantities(shipment: Shipment) -> dict[tuple[str, str], Decimal]:
    """(PO, line id) -> units shipped, summed over the shipment's cartons and loose items."""
    out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for order in shipment.orders:
        for item in order.all_items():
            out[(order.po_number, item.line_id)] += item.quantity
    return dict(out)


def _packs(body: list, n: int, parent: list[object], packs: tuple[Pack, ...], item: ItemWriter, written: set[str],
           with_ai: bool, total: Decimal, boxed: list[list[object]], asn: AsnSettings) -> tuple[int, Decimal]:
    """The cartons' P loops under ``parent`` (each with its REF*CN tracking number first when
    ``asn.package_tracking`` asks, the ``boxed`` segments after its MAN) and their items' I loops, numbered
    on from HL ``n``: the last HL number and ``total`` plus the units each carton holds (SN102 summed; with
    ``asn.case_at_pack`` its pack level's SN1 and its items' SN1 in eaches alike); its weight as a TD1 when
    ``asn.pack_td1`` asks. With ``asn.multi_box`` "first", a multi-box unit's box 2..m (its item shipping 0: the
    unit is on box 1) is a P loop without its item."""
    add = body.append
    for pack in packs:
        n += 1
        parent[4] = "1"
        items = pack.items if asn.multi_box == "each" else tuple(i for i in pack.items if i.quantity)
        p: list[object] = ["HL", str(n), parent[1], "P", "1" if items else "0"]
        add(p)
        if asn.case_at_pack and pack.items:  # LIN (020) and SN1 (030) open the HL loop, before its TD1, REF and MAN
            body += _case_pack(pack)
        if asn.pack_td1 and pack.weight is not None:
            add(_td1(pack.packaging or asn.packaging, "1", pack.weight, pack.weight_unit, None, ""))
        if asn.package_tracking and pack.tracking_number and asn.package_tracking_in == "ref":
            for number in (pack.tracking_number, *pack.more_tracking):  # each its REF
                add(["REF", "CN", number])
        add(_man(pack, with_ai, written, asn))
        body += _pack_marks(pack, boxed, asn)
        units = Decimal(0)
        for line in items:
            n += 1
            add(["HL", str(n), p[1], "I", "0"])
            body += item(line)
            units += line.quantity
        total += units
        if asn.case_at_pack:  # the SN1s in eaches: the item writer's (_item_writer) SN102s count toward CTT02 too
            total += sum((_eaches(line)[0] for line in pack.items), Decimal(0))
    return n, total


def _pack_marks(pack: Pack, boxed: list[list[object]], asn: AsnSettings) -> list[list[object]]:
    """What a carton's loop carries after its MAN: the N1*Z7 of the party its lines are marked for of their own
    (Pack.mark_for: a PO1 loop's N1*Z7, Home Hardware's dealer of a tag order) unless the partner's 856 names no
    mark-for (asn.mark_for "none"), else ``boxed`` (the order's mark-for, asn.mark_for "pack"). A carton holding
    lines marked for two parties cannot be marked for either: DocumentError (the shipment is held)."""
    if pack.mark_for_conflict and asn.mark_for != "none":
        raise DocumentError(f"carton {pack.carton_id or pack.sscc} holds lines marked for different parties "
                            f"({pack.mark_for_conflict}: each PO1 loop's N1*Z7); a carton is marked for one party: "
                            "pack one carton per party", carton=pack.carton_id)
    if pack.mark_for is not None and asn.mark_for != "none":
        return [mark_for_segment(pack.mark_for)]
    return boxed


CASE_UNITS = frozenset({"CA", "CS"})  # a unit of cases: its eaches are the item's case pack each (asn.case_at_pack)
CASE_CODES = ("UA", "UK")  # the ids a pack level names a case by: the UPC case code (2-5-5), else the GTIN-14


def _case_pack(pack: Pack) -> list[list[object]]:
    """A carton's pack level product (asn.case_at_pack): LIN (no LIN01) with the case code of the one order line it
    holds, and SN1 its quantity as shipped (the sum of its items: one line's lots), as H-E-B's 856 names what it
    receives. A carton of two order lines, or of one in two units, has no one case code: DocumentError."""
    first = pack.items[0]
    if any(i.line_id != first.line_id or i.unit != first.unit for i in pack.items[1:]):
        raise DocumentError("the pack level names one case code: a carton holds two order lines",
                            carton=pack.carton_id or pack.sscc, lines=sorted({i.line_id for i in pack.items}))
    quantity = sum((i.quantity for i in pack.items), Decimal(0))
    return [["LIN", "", *_case_pair(first)], ["SN1", "", cached_decimal(quantity), first.unit]]


def _case_pair(item: ShippedItem) -> tuple[str, ...]:
    """The pack level's LIN pair of ``item``: its UA, else its UK; else every id the item level names."""
    for qualifier in CASE_CODES:
        for pid in item.product_ids:
            if pid.qualifier == qualifier and pid.id:
                return (qualifier, pid.id)
    return lin_pairs(item.product_ids, item.sku, ())


def _eaches(item: ShippedItem) -> tuple[Decimal, str, int | None]:
    """``item``'s quantity at the item level below a pack level naming its case (asn.case_at_pack): cases x its case
    pack in EA (and the pack: the multiplier), or its quantity and unit as shipped (and None) when it is no case
    unit or its pack is unknown."""
    if item.unit in CASE_UNITS and item.pack:
        return item.quantity * item.pack, "EA", item.pack
    return item.quantity, item.unit, None


def _man02(sscc: str, with_ai: bool, written: set[str]) -> str:
    """MAN02 for ``sscc`` (added to ``written``, the values the self-check need not validate again)."""
    try:
        value = man02(sscc, with_ai=with_ai)
    except ValueError as exc:
        raise DocumentError("a carton or pallet has no valid SSCC-18", sscc=sscc) from exc
    written.add(value)
    return value


def _man(pack: Pack, with_ai: bool, written: set[str], asn: AsnSettings) -> list[object]:
    """A carton's MAN*GM (its SSCC), with its tracking number as the second mark (MAN04 CP, MAN05) where the
    partner's guide puts it there (``asn.package_tracking_in`` "man")."""
    man: list[object] = ["MAN", "GM", _man02(pack.sscc, with_ai, written)]
    if asn.package_tracking and asn.package_tracking_in == "man" and pack.tracking_number:
        man += ["", "CP", pack.tracking_number]
    return man




def shipment_segments(shipment: Shipment, asn: AsnSettings, *, parties: bool = True) -> list[list[object]]:
    """The S level's segments (TD1..DTM, then the ship-from's and ship-to's N1 loops the profile lists there,
    AsnSettings.shipment_parties, unless ``parties`` is False)."""
    packs = shipment.all_packs()
    weight = shipment.gross_weight
    unit = shipment.weight_unit
    pallets: dict[str, list[Tare]] = {}  # SSCC -> the pallet's part on each order it holds (S-T-O-I: several)
    for order in shipment.orders:
        for tare in order.tares:
            pallets.setdefault(tare.sscc, []).append(tare)
    whole = [next((t for t in parts if t.weight is not None), parts[0]) for parts in pallets.values()
             if any(t.items for t in parts)]  # a pallet shipped whole weighed once (the first part weighed)
    boxes: tuple[Pack | Tare, ...] = packs + tuple(whole)  # (S-O-T-I, S-T-O-I)
    if weight is None and boxes and all(p.weight is not None for p in boxes):
        units = {p.weight_unit for p in boxes}
        if len(units) == 1:
            weight, unit = sum((p.weight for p in boxes), Decimal(0)), units.pop()
    # each pallet once: its parts on several orders are one pallet (S-T-O-I; a pallet of two POs' cartons listed
    # under no order, S-O-P-I), by its SSCC, else its label (engine.shipments.shipment_columns counts alike)
    count = len({t.sscc or t.pallet_id for o in shipment.orders for t in o.tares})
    segs = s_segments(asn, cartons=len(packs), pallets=count or shipment.pallets_given or 0, weight=weight,
                      kinds=package_kinds(packs, asn.packaging),
                      weight_unit=unit, carrier_scac=shipment.carrier_scac, service_level=shipment.service_level,
                      routed_level=shipment.routed_level,
                      transport_method=shipment.transport_method, bill_of_lading=shipment.bill_of_lading,
                      tracking_number=shipment.tracking_number,
                      extra_refs=tuple(r for r in shipment.extra_refs if r[0] != "CN") if asn.package_tracking
                      else shipment.extra_refs,  # each carton's own tracking number in its loop instead
                      ship_date=shipment.ship_date, ship_time=shipment.ship_time,
                      estimated_delivery=shipment.estimated_delivery, volume=shipment.volume,
                      volume_unit=shipment.volume_unit, equipment=shipment.equipment, seal_number=shipment.seal_number,
                      method_given=shipment.method_given, time_zone=shipment.time_zone, fob=shipment.fob)
    if parties:  # those the partner's guide lists there (AsnSettings.shipment_parties)
        if "SF" in asn.shipment_parties:
            segs.extend(party_segments(shipment.ship_from))
        if asn.ship_to_level == "shipment" and "ST" in asn.shipment_parties:  # else in each order loop (build_856)
            segs.extend(party_segments(shipment.ship_to, contact=asn.ship_to_contact))
    return segs


def s_segments(asn: AsnSettings, *, cartons: int, pallets: int, weight: Decimal | None, weight_unit: str,
               carrier_scac: str, service_level: str, transport_method: str, bill_of_lading: str, tracking_number: str,
               extra_refs: Sequence[tuple[str, str]], ship_date: date, ship_time: time | None,
               estimated_delivery: date | None, volume: Decimal | None = None, volume_unit: str = "",
               equipment: tuple[str, str, str] = ("", "", ""), seal_number: str = "", method_given: bool = False,
               time_zone: str = "", fob: Sequence[str] = (), routed_level: str = "",
               kinds: Sequence[PackageKind] = ()) -> list[list[object]]:
    """The S level's segments from TD1 to DTM of a shipment of ``cartons`` cartons and ``pallets`` pallets
    (``weight``: its gross weight, None when unknown; ``volume`` with its unit: TD109/TD110); the cartons' TD101
    the packaging of the one kind ``kinds`` (package_kinds) names, else the partner's (AsnSettings.packaging), and a
    TD1 per kind when ``kinds`` names several (package_td1s). TD5 names
    the carrier (TD503) with ``transport_method`` (motor unless the warehouse said: ``method_given``, then
    written even without a SCAC); TD3 the trailer (``equipment``: code, initial, number) when known, and
    its seal (TD309) when the warehouse gave one; after the DTMs the PO's ``fob`` as sent (AsnSettings.fob).
    TD512 is ``service_level`` when a two-character code, else ``routed_level`` (the PO's, beside the
    warehouse's name for its service in TD505: engine.shipments.routed_level_for)."""
    segs: list[list[object]] = []
    volume = volume if volume is not None and volume_unit else None
    # the gross weight and volume go on the cartons' TD1, or on the pallets' when no carton is listed (S-O-T-I of
    # pallets shipped whole: a TD1 CTN25 without its count breaks C0102)
    on_pallets = not cartons and bool(pallets)
    td1 = asn.shipment_td1  # False: the partner's guide lists no TD1 at the S level (Home Depot's 4010 856)
    if td1 and not on_pallets and len(kinds) > 1:
        segs += package_td1s(kinds, weight, weight_unit, volume, volume_unit)
    elif td1 and not on_pallets and (cartons or weight is not None or volume is not None):
        # no carton counted (a weight or volume alone): no TD101 either, as C0102 asks (TD101 needs TD102)
        code = (kinds[0].code if kinds else asn.packaging) if cartons else ""
        segs.append(_td1(code, str(cartons) if cartons else "", weight, weight_unit, volume, volume_unit))
    if td1 and pallets:
        segs.append(_td1("PLT94", str(pallets), weight, weight_unit, volume, volume_unit) if on_pallets else
                    ["TD1", "PLT94", str(pallets)])
    method = transport_method if carrier_scac or method_given else ""
    if carrier_scac or service_level or method:
        level = service_level
        routing = x12_text(level, ROUTING_MAX) if level and len(level) != 2 else ""  # a service name: TD505
        routing = x12_text(asn.carrier_names.get(carrier_scac, ""), ROUTING_MAX) or routing  # or the carrier's name
        td5: list[object] = ["TD5", "B", "2" if carrier_scac else "", carrier_scac, method, routing]
        code = level if level and len(level) == 2 else routed_level  # a named level: the PO's own code beside it
        if code:
            td5 += [""] * 6 + [code]
        segs.append(td5)
    code, initial, number = equipment
    seal = seal_number if 2 <= len(seal_number) <= 15 else ""  # TD309 is AN 2/15 (as W1004)
    if number or seal:  # TD302 needs TD303 (C0203); TD301 the kind (a trailer unless the warehouse said)
        td3: list[object] = ["TD3", code or "TL", initial if number else "", number]
        segs.append(td3 + [""] * 5 + [seal] if seal else td3)
    wanted = asn.shipment_refs  # the S level's REFs the partner's guide lists (BM, CN, IA, AW), in our order
    if bill_of_lading and "AW" in wanted and method in AIR_METHODS:
        segs.append(["REF", "AW", bill_of_lading])  # a shipment by air (TD504): its waybill is an air waybill
    else:
        bill_of_lading = bill_of_lading or (tracking_number if asn.bm_from_tracking else "")
        if bill_of_lading and "BM" in wanted:
            segs.append(["REF", "BM", bill_of_lading])
    if tracking_number and "CN" in wanted:
        segs.append(["REF", "CN", tracking_number])
    for qualifier, value in extra_refs:
        if qualifier in wanted:
            segs.append(["REF", qualifier, value])
    if "IA" in wanted and asn.vendor_number:  # the vendor number at the S level (GameStop's 856 requires it there)
        segs.append(["REF", "IA", asn.vendor_number])
    dtm: list[object] = ["DTM", "011", ccyymmdd(ship_date)]
    if ship_time is not None:
        # DTM04: the zone the warehouse gave the time in (its G6205, its clock's), as the partner's guide writes it
        day, at, code = written_time(ship_date, ship_time, time_zone, asn.time_code)
        dtm = ["DTM", "011", ccyymmdd(day), hhmm(at)] + ([code] if code else [])
    segs.append(dtm)
    if estimated_delivery is None and asn.transit is not None and ship_date is not None:
        estimated_delivery = asn.transit.after(ship_date)  # no date confirmed: the usual transit (business days too)
    if asn.estimated_delivery and estimated_delivery is not None:
        segs.append(["DTM", asn.estimated_delivery_code, ccyymmdd(estimated_delivery)])
    if asn.fob and fob:  # FOB (210; 5010: 2100), after DTM (200), before the N1 loop (220)
        segs.append(["FOB", *fob])
    return segs


def _td1(code: str, count: str, weight: Decimal | None, weight_unit: str, volume: Decimal | None,
         volume_unit: str) -> list[object]:
    """TD1 of ``count`` units of packaging ``code``, with the gross weight (TD106-TD108) and volume (TD109/TD110)
    when known."""
    td1: list[object] = ["TD1", code, count]
    if weight is not None:
        td1 += ["", "", "", "G", x12_decimal(weight), weight_unit or "LB"]
    if volume is not None:
        td1 += [""] * (9 - len(td1)) + [x12_decimal(volume), volume_unit]
    return td1


def order_td1_segments(order: ShippedOrder, packaging: str = DEFAULT_PACKAGING) -> list[list[object]]:
    """An order loop's TD1 (AsnSettings.order_td1): its cartons (on pallets or not) as their packaging (Pack.packaging,
    else ``packaging``: the partner's), with their gross weight when every carton was weighed in one unit; one TD1
    per kind for an order of several (package_td1s); none for an order without cartons (S-O-I, pallets whole)."""
    packs = order.all_packs()
    if not packs:
        return []
    kinds = package_kinds(packs, packaging)
    if len(kinds) > 1:
        return package_td1s(kinds, None, "", None, "")
    units = {p.weight_unit for p in packs}
    weighed = all(p.weight is not None for p in packs) and len(units) == 1
    weight = sum((p.weight for p in packs), Decimal(0)) if weighed else None  # type: ignore[misc]
    return [_td1(kinds[0].code, str(len(packs)), weight, units.pop() if weighed else "", None, "")]


class PackageKind(NamedTuple):
    """The packages of one packaging in a shipment or order: TD101, how many (TD102), their gross weight when
    each was weighed in one unit (else None)."""

    code: str
    count: int
    weight: Decimal | None
    weight_unit: str


def package_kinds(packs: Sequence[Pack], packaging: str) -> list[PackageKind]:
    """``packs`` by packaging (Pack.packaging, else ``packaging``: the partner's), each kind in the order of its
    first package."""
    by: dict[str, list[Pack]] = {}
    for pack in packs:
        by.setdefault(pack.packaging or packaging, []).append(pack)
    out = []
    for code, mine in by.items():
        units = {p.weight_unit for p in mine}
        weighed = all(p.weight is not None for p in mine) and len(units) == 1
        out.append(PackageKind(code, len(mine), sum((p.weight for p in mine), Decimal(0))  # type: ignore[misc]
                               if weighed else None, units.pop() if weighed else ""))
    return out


def package_td1s(kinds: Sequence[PackageKind], weight: Decimal | None, weight_unit: str, volume: Decimal | None,
                 volume_unit: str) -> list[list[object]]:
    """One TD1 per packaging kind (TD101 its code, TD102 its count: 2 cylinders, a drum, 3 cartons), as X12 lets a
    loop repeat TD1. Each with its kind's gross weight when every kind was weighed in one unit and the kinds' weights
    add up to the shipment's ``weight`` (or it is unknown) and no ``volume`` is given; else the counts alone, then
    the shipment's gross weight and volume in a TD1 of their own (TD106-TD110: no packaging of their own)."""
    units = {k.weight_unit for k in kinds}
    total = sum((k.weight for k in kinds if k.weight is not None), Decimal(0))
    each = all(k.weight is not None for k in kinds) and len(units) == 1 and volume is None \
        and (weight is None or (total == weight and weight_unit in units))
    if each:
        return [_td1(k.code, str(k.count), k.weight, k.weight_unit, None, "") for k in kinds]
    segs = [_td1(k.code, str(k.count), None, "", None, "") for k in kinds]
    if weight is not None or volume is not None:
        segs.append(_td1("", "", weight, weight_unit, volume, volume_unit))
    return segs


def ccyymmdd(day: date) -> str:
    return _date_text(day.year, day.month, day.day)


def hhmm(at: time | datetime) -> str:
    return _time_text(at.hour, at.minute)


@lru_cache(maxsize=4096)  # strftime is slow, and a night's 856s share a few dates and times
def _date_text(year: int, month: int, day: int) -> str:
    return date(year, month, day).strftime("%Y%m%d")


@lru_cache(maxsize=1440)
def _time_text(hour: int, minute: int) -> str:
    return time(hour, minute).strftime("%H%M")


def n2_elements(name2: str) -> list[list[str]]:
    """The N2s of a party's additional name (schemas.orders ship_to_name2, as kept: name2_kept). Where an N2 of the
    850 had two elements (N201 and N202), each N2 as sent (name2_sent), each element cut to its 60 characters, at
    most two N2s (the N1 loop's max use): it used to come back as one N201 joined with ", ". Else (each N2 of one
    element) their text, ", " between: one N201 when it fits its 60 characters (AN 1/60), else its parts packed into
    N201/N202 of up to two N2s, so a building, room and recipient are not cut off. A part longer than 60 characters
    (a name with no ", " to split at) goes on in the next element, cut at 60; what does not fit in four elements is
    cut."""
    if not name2:
        return []
    sent = name2_sent(name2)
    if sent is not None:
        return [[x12_text(v, NAME_MAX) for v in seg] for seg in sent[:2]]
    name2 = name2_text(name2)
    if len(x12_text(name2, len(name2))) <= NAME_MAX:
        return [[x12_text(name2, NAME_MAX)]]
    elements: list[str] = []
    for part in (chunk for p in name2.split(", ") if p for chunk in _name_chunks(x12_text(p, len(p)))):
        if elements and len(elements[-1]) + 2 + len(part) <= NAME_MAX:
            elements[-1] += ", " + part
        else:
            elements.append(part)
    return [elements[k:k + 2] for k in range(0, min(len(elements), 4), 2)]


def n3_elements(address1: str, address2: str) -> list[list[str]]:
    """The N3s of a party's street (schemas.orders ``<party>_address1``, N301, and ``_address2``: N302, with a second
    N3's N301/N302 joined to it by ", "): one N3 of the two when each fits its 55 characters (AN 1/55), else the
    address2's parts packed into N302 and a second N3 (the N1 loop allows two N3s in the 856 and the 810), so a
    consumer's unit, building and delivery note are not cut off (Zoro's drop ship sent two N3s: the second's text
    used to be cut at N302's 55th character). A part longer than 55 characters goes on in the next element, cut at
    55; what does not fit in four elements is cut."""
    first, second = x12_text(address1, len(address1)), x12_text(address2, len(address2))
    if len(first) <= ADDRESS_MAX and len(second) <= ADDRESS_MAX:
        kept = [t for t in (first, second) if t]
        return [kept] if kept else []
    elements = _street_chunks(first) if first else []
    for part in (chunk for p in second.split(", ") if p for chunk in _street_chunks(p)):
        if len(elements) > 1 and len(elements[-1]) + 2 + len(part) <= ADDRESS_MAX:
            elements[-1] += ", " + part
        else:
            elements.append(part)
    return [elements[k:k + 2] for k in range(0, min(len(elements), 4), 2)]


def _street_chunks(text: str) -> list[str]:
    """A street part cut into pieces of at most 55 characters (N301/N302), spaces at a cut dropped."""
    chunks = []
    while len(text) > ADDRESS_MAX:
        chunks.append(text[:ADDRESS_MAX].rstrip(" "))
        text = text[ADDRESS_MAX:].lstrip(" ")
    return [*chunks, text] if text else chunks


def sent_pid_segments(pids: Sequence[tuple[str, str, str]]) -> list[list[object]]:
    """A PO line's free-form PIDs as sent ((PID02, PID05, PID09) each: ORDER_LINES pids_sent), each a PID*F segment:
    what the 856 item loop and the 810 IT1 loop write where the line's description is; its language (PID09) where the
    PO said it (PID*F*08***LIDDED STORAGE BOX 38 CM****EN beside the Japanese one's ****JA)."""
    return [["PID", "F", code, "", "", x12_text(text), *(("", "", "", language) if language else ())]
            for code, text, language in pids]


def hazmat_segments(markings: Sequence[tuple[str, str, str, str]]) -> list[list[object]]:
    """A PO line's hazardous-material markings as sent ((TD401, TD402, TD403, TD404) each: ORDER_LINES hazmat_sent),
    each a TD4 as the PO sent it (TD4*HM*D*5.1): what the 856 writes in the item's HL loop, where the X12 856 (004010
    and 005010: TD4 at 140 of the HL loop, 5 at most) places the item's hazardous-material information. TD404 at most
    80 characters (x12_text)."""
    return [["TD4", code, qualifier, hazard_class, x12_text(text) if text else ""]
            for code, qualifier, hazard_class, text in markings[:TD4_MAX]]


TD4_MAX = 5  # TD4s an HL loop may carry (the 856's max use)


def party_segments(party: Party, *, contact: bool = False) -> list[list[object]]:
    """N1 (with N103/N104 when the party has an id), N3 (two when its street does not fit one: n3_elements) and N4
    when there is an address; with ``contact``, the party's PER as its 850 sent it (Party.contact) after them. A
    name or city longer than its element (N102 60, N401 30) is cut to fit (x12_text)."""
    identified = bool(party.id and party.id_qualifier)  # N103/N104 are paired (syntax note P0304)
    city = x12_text(party.city, CITY_MAX)
    segs: list[list[object]] = [["N1", party.code, x12_text(party.name, NAME_MAX),
                                 party.id_qualifier if identified else "", party.id if identified else ""]]
    segs += [["N2", *names] for names in n2_elements(party.name2)]
    segs += [["N3", *(streets if len(streets) == 2 else [*streets, ""])]
             for streets in n3_elements(party.address1 or "", party.address2 or "")]
    if city or party.state or party.postal_code or party.country:
        n4: list[object] = ["N4", city, party.state, party.postal_code, party.country]
        if party.state and len(party.state) != 2:  # N402 holds two characters: a state of three (Mexico's
            n4[2:] = ["", party.postal_code, party.country, "SP", party.state]  # NLE) by N405 SP / N406
        segs.append(n4)
    if contact and party.contact:  # PER (270 in the 856's N1 loop) after N4 (250); the loop's REF (260) we write none
        segs.append(["PER", *party.contact])
    return segs


class ContactFit(NamedTuple):
    """The lengths a PER of the 856's version holds (schemas.x12dict: elements 93, 364 and 443) and how many
    communication numbers it has."""

    name: int = NAME_MAX  # PER02 (93: 1/60 in 004010 and 005010; 1/35 in 003040-003060)
    number: int = 80  # PER04, PER06, PER08 (364: 1/80 in 004010, 1/256 in 005010)
    reference: int = 20  # PER09 (443: 1/20; 0: the version's PER has none, 003040's)
    pairs: int = 3  # PER03/04, PER05/06, PER07/08 (003040's PER has the first two)


CONTACT_004010 = ContactFit()


def contact_fit(version: str | None) -> ContactFit:
    """The PER of an X12 ``version`` (the 856's: the profile's [x12] gs_versions "856", else its version): its
    dictionary's (an early release's we write the 856 in too: release_dictionary), else 004010's."""
    d = release_dictionary(version) if version else None
    per = d.segment("PER") if d is not None else None
    if d is None or per is None:
        return CONTACT_004010
    name, number = (d.elements[ref].max if ref in d.elements else default
                    for ref, default in (("93", NAME_MAX), ("364", 80)))
    refs = [u.ref for u in per.elements]
    reference = d.elements["443"].max if "443" in refs and "443" in d.elements else 0
    return ContactFit(name, number, reference, refs.count("364"))


def fitted_contact(contact: Sequence[str], fit: ContactFit = CONTACT_004010) -> tuple[str, ...]:
    """A ship-to's PER as sent (PER01.., Party.contact) as our 856 can carry it in its version (``fit``): the name
    (PER02) cut to its element as every name we write (x12_text); a communication number (PER04, PER06, PER08: a
    phone, an e-mail) that does not fit left out with its qualifier (a number cut is a wrong number; X12's P0304,
    P0506, P0708 pair them), the pairs that fit moved up in their order, as many as the version's PER holds (two in
    003040: the first kept); PER09 left out when it does not fit (or the PER has none). () when
    nothing is left but the function code (PER01): no PER is written. A contact that fits is returned as sent."""
    els = [str(v or "") for v in contact]
    if not els:
        return ()
    fits = (len(els) < 2 or len(els[1]) <= fit.name) and all(len(v) <= fit.number for v in els[3:8:2]) and (
        len(els) < 9 or len(els[8]) <= fit.reference) and not any(els[2 + 2 * fit.pairs:8])
    if fits:
        return tuple(contact)
    els += [""] * (9 - len(els))
    name = x12_text(els[1], fit.name)
    pairs = [(els[k], els[k + 1]) for k in (2, 4, 6)
             if (els[k] or els[k + 1]) and len(els[k + 1]) <= fit.number][:fit.pairs]
    reference = els[8] if len(els[8]) <= fit.reference else ""
    if not name and not any(number for _q, number in pairs):
        return ()
    out = [els[0], name, *(v for pair in pairs for v in pair)]
    if reference:
        out += [""] * (8 - len(out)) + [reference]
    while len(out) > 1 and out[-1] == "":
        out.pop()
    return tuple(out)


def contacts_fitted(shipment: Shipment, version: str | None) -> Shipment:
    """``shipment`` with each ship-to's PER (its own, its orders') as our 856 in ``version`` can carry it
    (fitted_contact): the 856 writes what the PO sent (AsnSettings.ship_to_contact) and never a PER longer than its
    version's elements, which the partner's translator refuses (the ship-to's PER accepted with errors noted at
    intake: rules.lenient, ELEMENT_TOO_LONG_ACCEPTED)."""
    fit = contact_fit(version)

    def party(p: Party | None) -> Party | None:
        if p is None or not p.contact:
            return p
        fitted = fitted_contact(p.contact, fit)
        return p if fitted == tuple(p.contact) else replace(p, contact=fitted)

    orders = tuple(o if o.ship_to is None or party(o.ship_to) is o.ship_to else replace(o, ship_to=party(o.ship_to))
                   for o in shipment.orders)
    ship_to = party(shipment.ship_to)
    if ship_to is shipment.ship_to and all(a is b for a, b in zip(orders, shipment.orders, strict=True)):
        return shipment
    return replace(shipment, ship_to=ship_to, orders=orders)


def _name_chunks(text: str) -> list[str]:
    """A name part cut into pieces of at most 60 characters (N201/N202 are AN 1/60), at the 60th character (spaces at
    a cut dropped): a long name with no ", " goes on in N202 rather than losing its end."""
    chunks = []
    while len(text) > NAME_MAX:
        chunks.append(text[:NAME_MAX].rstrip(" "))
        text = text[NAME_MAX:].lstrip(" ")
    return [*chunks, text] if text else chunks


# the ORDERS columns the mark-for is read from: the N1 Z7 (mark-for party), else the N1 BY (buying party)
MARK_FOR_COLUMNS = ("mark_for_name", "mark_for_id_qualifier", "mark_for_id", "buyer_name", "buyer_id_qualifier",
                    "buyer_id")


@lru_cache(maxsize=4096)  # a night's orders name a few hundred stores
def mark_for_party(z7_name: str | None, z7_qualifier: str | None, z7_id: str | None, by_name: str | None,
                   by_qualifier: str | None, by_id: str | None) -> Party | None:
    """The mark-for party the PO named (MARK_FOR_COLUMNS' values): its N1 Z7 when that gives a location
    (N103 and N104), else its N1 BY when that does (the store number a cross-dock PO's buying party
    carries), with N101, N102, N103 and N104 as the PO sent them; None when neither does (a buyer named
    without a code is no location to mark cartons for)."""
    for code, name, qualifier, ident in (("Z7", z7_name, z7_qualifier, z7_id), ("BY", by_name, by_qualifier, by_id)):
        if qualifier and ident:
            return Party(code, name or "", qualifier, ident)
    return None


# the ORDERS columns of the N2s the mark-for columns' names hold (schemas.orders mark_for_name2, buyer_name2): the
# mark-for N1 is written with its N102 as sent, without them
MARK_FOR_NAME2 = ("mark_for_name2", "buyer_name2")


def mark_fors(orders: pa.Table) -> list[Party | None]:
    """Each canonical ORDERS row's mark_for_party (a table without those columns: None each), made once per
    distinct party; each name its N102 alone (mark_for_of)."""
    n = orders.num_rows
    if not n or not any(c in orders.column_names for c in MARK_FOR_COLUMNS):
        return [None] * n
    columns = [orders[c].to_pylist() if c in orders.column_names else [None] * n for c in MARK_FOR_COLUMNS]
    if not any(c in orders.column_names and orders[c].null_count < n for c in MARK_FOR_NAME2):
        return [mark_for_party(*row) for row in zip(*columns, strict=True)]  # no N2 in any name (most nights)
    columns += [orders[c].to_pylist() if c in orders.column_names else [None] * n for c in MARK_FOR_NAME2]
    return [mark_for_of(dict(zip((*MARK_FOR_COLUMNS, *MARK_FOR_NAME2), row, strict=True)))
            for row in zip(*columns, strict=True)]


def mark_for_of(order: Mapping) -> Party | None:
    """mark_for_party of a canonical ORDERS row (a mapping of its columns), the N1 Z7's or N1 BY's name without the
    N2s the 850's loop carried (they are in its name after ", ": schemas.orders mark_for_name2, buyer_name2): the
    N102 as sent. It used to be written with them run into N102 ("NORDMART BUYING OFFICE, ATTN J TREMBLAY")."""
    z7, by = (with_name2(order.get(f"{p}_name") or "", order.get(f"{p}_name2"))[0] or None
              for p in ("mark_for", "buyer"))
    return mark_for_party(z7, order.get("mark_for_id_qualifier"), order.get("mark_for_id"), by,
                          order.get("buyer_id_qualifier"), order.get("buyer_id"))


# the ORDERS columns of the references a PO's 856 and 810 carry back (REF*DP department, ...), in ORDER_REFS' order,
# and their REF03s, and every heading REF as sent (refs_sent: any other qualifier a profile's order_refs lists)
REF_COLUMNS = (*ORDER_REFS.values(), "ref_descriptions", "refs_sent")


def order_refs(orders: pa.Table) -> list[tuple[tuple[str, ...], ...]]:
    """Each canonical ORDERS row's references the PO sent, every one (schemas.orders.order_ref_elements: REF01
    and REF02 of its REF IA, DP, PD, MR, CO ..., in that order, then of its other heading REFs, REF*11, REF*12 ...,
    in the order sent, with REF03 where the PO sent one; a table without those columns, or a PO without them: ()
    each). Rows are read one by one only where a REF03 was sent or a qualifier sent twice; the others are picked
    over columns."""
    n = orders.num_rows
    present = [(q, orders[c].to_pylist()) for q, c in ORDER_REFS.items() if c in orders.column_names
               and orders[c].null_count < n]
    if ("ref_descriptions" in orders.column_names and orders["ref_descriptions"].null_count < n) or (
            "refs_sent" in orders.column_names and _refs_one_by_one(orders["refs_sent"])):
        rows = orders.select([c for c in (*ORDER_REFS.values(), "refs_sent", "ref_descriptions")
                              if c in orders.column_names]).to_pylist()
        return [order_ref_elements(row) for row in rows]
    out = [tuple((q, v[k]) for q, v in present if v[k]) for k in range(n)] if present else [()] * n
    if "refs_sent" in orders.column_names and orders["refs_sent"].null_count < n:
        sent = orders["refs_sent"].combine_chunks()
        flat, parent = pc.list_flatten(sent), pc.list_parent_indices(sent)
        qualifier, value = flat.field("qualifier"), flat.field("id")
        other = pc.and_(pc.invert(pc.is_in(qualifier, value_set=pa.array(list(ORDER_REFS), pa.string()))),
                        pc.greater(pc.utf8_length(value), 0))
        other = pc.fill_null(pc.and_(other, pc.is_valid(qualifier)), False)
        if pc.any(other).as_py():  # the heading's other qualifiers (REF*11 ...): each once, in the order sent
            more: dict[int, dict[str, str]] = {}
            for row, q, v in zip(parent.filter(other).to_pylist(), qualifier.filter(other).to_pylist(),
                                 value.filter(other).to_pylist(), strict=True):
                more.setdefault(row, {}).setdefault(q, v)
            for row, refs in more.items():
                out[row] = (*out[row], *refs.items())
    return out


def _refs_one_by_one(refs: pa.ChunkedArray) -> bool:
    """True when a row of ORDERS refs_sent (``refs``) sent a REF03 or two REFs of one qualifier (each written back:
    schemas.orders.order_ref_elements reads them)."""
    flat = pc.list_flatten(refs.combine_chunks())
    if flat.type.get_field_index("description") >= 0 and flat.field("description").null_count < len(flat):
        return True
    return refs_repeated(refs)


def refs_repeated(refs: pa.ChunkedArray, among: Collection[str] | None = None) -> bool:
    """True when a row of ORDERS refs_sent (``refs``) holds two REFs (REF02 sent) of one qualifier (of ``among``'s,
    when given): JD Edwards' REF*ZZ order type and REF*ZZ company, each carried back (order_ref_elements)."""
    sent = refs.combine_chunks()
    flat = pc.list_flatten(sent)
    kept = pc.fill_null(pc.and_(pc.is_valid(flat.field("qualifier")), pc.greater(pc.utf8_length(flat.field("id")), 0)),
                        False)
    if among is not None:
        kept = pc.and_(kept, pc.is_in(flat.field("qualifier"), value_set=pa.array(sorted(among), pa.string())))
    pairs = pa.table({"row": pc.list_parent_indices(sent), "qualifier": flat.field("qualifier")}).filter(kept)
    return pairs.num_rows > 1 and pairs.group_by(["row", "qualifier"]).aggregate([]).num_rows < pairs.num_rows


def ref_segments(refs: tuple[tuple[str, ...], ...], wanted: Sequence[str],
                 described: Sequence[str] = ()) -> list[list[object]]:
    """The REF segments of a PO's references (order_refs: REF01, REF02 and, where sent, REF03; REF02 "" for one
    stated by its REF03 alone, REF*JB**MERCY CLINIC) the partner wants carried back (``wanted``: its order_refs,
    in their order: schemas.orders.ordered_refs); REF03 beside a REF02 for the qualifiers in ``described`` alone
    (schemas.orders.carried_ref)."""
    return [["REF", *carried_ref(elements, described)] for elements in ordered_refs(refs, wanted)]


def line_ref_segments(refs: Sequence[Sequence[str | None]] | None, wanted: Sequence[str]) -> list[list[object]]:
    """The REF segments of a PO line's own references (REF01, REF02 and, when it sent one, REF03: schemas.orders
    line_refs; (REF01, REF02) pairs or (REF01, REF02, REF03) triples) whose qualifier the partner lists, in the order
    the PO sent them (an 810's IT1 loop, an 855's PO1 loop, an 856's item)."""
    return [["REF", ref[0], ref[1], *([ref[2]] if len(ref) > 2 and ref[2] else [])] for ref in refs or ()
            if ref[0] in wanted and ref[1]]


def row_refs(row: Mapping) -> tuple[tuple[str, str, str | None], ...]:
    """An ORDER_LINES row's line_refs as (REF01, REF02, REF03 or None) triples (none: a line without, or stored
    before they were kept; REF03 None in a table stored before it was)."""
    return tuple((r["qualifier"], r["id"], r.get("description")) for r in row.get("line_refs") or ()
                 if r.get("qualifier") and r.get("id"))


def line_price_segments(prices: Sequence[Sequence[str]] | None, wanted: Sequence[str]) -> list[list[object]]:
    """The CTP segments of a PO line's own prices (CTP01..CTP05 as sent: schemas.orders line_prices) whose CTP02 the
    partner lists, in the order the PO sent them (an 810's IT1 loop). CTP04 and CTP05 go together or not at all
    (X12's P0405: a quantity without its unit, or a unit alone, is left out). CTP03 and CTP04 are R values: one
    written with an exponent or a sign (``1.5E1``, ``+9.99``: 005010 allows them, 004010 does not) goes as its plain
    number (15, 9.99); a CTP whose price is no number is left out."""
    out: list[list[object]] = []
    for ctp in prices or ():
        if len(ctp) > 2 and ctp[1] in wanted and ctp[2]:
            price = _plain_r(ctp[2])
            if not price:
                continue
            seg = ["CTP", ctp[0] or "", ctp[1], price]
            quantity = _plain_r(ctp[3]) if len(ctp) > 4 and ctp[3] and ctp[4] else ""
            if quantity:
                seg += [quantity, ctp[4]]
            out.append(seg)
    return out


_PLAIN_R = re.compile(r"-?(\d+\.?\d*|\.\d+)")


def _plain_r(text: str) -> str:
    """An R value as sent when it is a plain number (digits, one point, a leading minus), else its number as
    x12_decimal writes it; "" when it is no number."""
    text = text.strip()
    if _PLAIN_R.fullmatch(text):
        return text
    try:
        value = Decimal(text)
    except InvalidOperation:
        return ""
    return x12_decimal(value) if value.is_finite() else ""


def row_prices(row: Mapping) -> tuple[tuple[str, ...], ...]:
    """An ORDER_LINES row's line_prices as (CTP01, CTP02, CTP03, CTP04, CTP05) ("" for one not sent; none: a line
    without, or stored before they were kept)."""
    return tuple(tuple(p.get(k) or "" for k in ("class_of_trade", "qualifier", "price", "quantity", "unit"))
                 for p in row.get("line_prices") or () if p.get("qualifier") and p.get("price"))


def mark_for_segment(party: Party) -> list[object]:
    """The mark-for's N1 (party_segments of a party without an address: N1 alone)."""
    return ["N1", party.code, x12_text(party.name, NAME_MAX), party.id_qualifier, party.id]


cached_decimal = lru_cache(maxsize=4096)(x12_decimal)  # an 856 repeats few distinct quantities


ItemWriter = Callable[[ShippedItem], list[list[object]]]


def _item_writer(asn: AsnSettings) -> ItemWriter:
    """The partner's I loop segments of one item (LIN, SN1, PO4, PID; with asn.lots its lot as a LIN pair LT or a
    REF*LT, and its expiry as DTM*036, where the 856's HL loop places REF (150) and DTM (200)), as a function of the
    item."""
    rank, ordered, po4, pid, lots = asn.lin_qualifiers, asn.ordered_quantity, asn.item_po4, asn.item_pid, asn.lots
    weighed, prepacks, serials = asn.item_net_weight, asn.prepacks == "components", asn.serial_numbers
    line_refs, cased = asn.line_refs, asn.case_at_pack

    def item_segments(item: ShippedItem) -> list[list[object]]:
        quantity, unit, times = _eaches(item) if cased else (item.quantity, item.unit, None)
        if ordered and item.ordered_quantity is not None:
            wanted = item.ordered_quantity * times if times else item.ordered_quantity
            sn1 = ["SN1", "", cached_decimal(quantity), unit, "", cached_decimal(wanted), unit]
        else:
            sn1 = ["SN1", "", cached_decimal(quantity), unit]
        pairs = lin_pairs(item.product_ids, item.sku, rank)
        if cased:  # the case code is the pack level's (_case_pack): the consumer unit's ids here, when it has any
            case = _case_pair(item)
            rest = tuple(x for k in range(0, len(pairs), 2) if (pairs[k], pairs[k + 1]) != case
                         for x in pairs[k:k + 2])
            pairs = rest or pairs
        if lots == "lin" and item.lot_number:  # LIN carries 15 pairs at most: the lot in the last one left
            pairs = (*pairs[:28], "LT", item.lot_number)
        segs: list[list[object]] = [["LIN", item.line_id, *pairs], sn1]
        if prepacks and item.components:  # SLN (040) after SN1 (030), before PO4 (060)
            segs += sln_segments(item.components, rank)
        if (po4 or cased) and item.pack is not None:
            seg: list[object] = ["PO4", str(item.pack)]
            if item.pack_size is not None:
                seg += [x12_decimal(item.pack_size), item.pack_unit]
            segs.append(seg)
        description = x12_text(item.description) if pid else ""
        if description and item.pids:  # its order line's PIDs as sent (a PID02, a colour beside it): each
            segs += sent_pid_segments(item.pids)
        elif description:
            segs.append(["PID", "F", "", "", "", description])
        if weighed and item.net_weight is not None:  # MEA (080) after PID (070), before REF (150)
            segs.append(["MEA", "WT", "N", x12_decimal(item.net_weight), item.net_weight_unit])
        if item.hazmat:  # TD4 (140), after MEA, before REF: the hazardous-material markings its PO sent (any partner)
            segs += hazmat_segments(item.hazmat)
        if line_refs:  # REF (150): the order line's own references, as the PO sent them
            segs += line_ref_segments(item.refs, line_refs)
        if lots == "ref" and item.lot_number:
            segs.append(["REF", "LT", item.lot_number])
        if serials:  # REF (150), one per unit's serial, as the warehouse scanned them
            segs += [["REF", "SE", serial] for serial in item.serial_numbers]
        if lots != "none" and item.expiration_date is not None:
            segs.append(["DTM", "036", ccyymmdd(item.expiration_date)])
        return segs

    return item_segments


SLN_PAIRS_MAX = 10  # SLN09/SLN10 .. SLN27/SLN28


def sln_segments(components: tuple[PrepackComponent, ...], qualifiers: tuple[str, ...]) -> list[list[object]]:
    """A prepack item's SLN per component, as the VICS 856 lists what one pack holds: SLN01 the PO's subline number
    (else its position), SLN03 I (included), SLN04/SLN05 the units of it in one pack, SLN09.. its ids (the partner's
    LIN qualifiers first, as LIN's; 10 pairs at most)."""
    return [["SLN", c.subline or str(k), "", "I", x12_decimal(c.quantity), c.unit, "", "", "",
             *lin_pairs(c.product_ids, "", qualifiers)[:2 * SLN_PAIRS_MAX]]
            for k, c in enumerate(components, 1)]


@lru_cache(maxsize=4096)  # an item's ids repeat on every line that orders it
def lin_pairs(ids: tuple[ProductId, ...], sku: str, qualifiers: tuple[str, ...]) -> tuple[str, ...]:
    """LIN02.. qualifier/id pairs: the partner's qualifiers first, in its order; duplicates once; our
    SKU as VN when the line has no id at all (LIN02/LIN03 are mandatory)."""
    if len(ids) > 1:
        rank = _rank(qualifiers)
        last = len(qualifiers)
        ids = sorted(ids, key=lambda p: rank.get(p.qualifier, last))
    pairs: list[str] = []
    for pid in ids:
        if pid.id and not _has_pair(pairs, pid.qualifier, pid.id):
            pairs += (pid.qualifier, pid.id)
    if not pairs and sku:
        pairs = ["VN", sku]
    if not pairs:
        raise DocumentError("an item has no product id for LIN02/LIN03")
    return tuple(pairs[:30])


@lru_cache(maxsize=64)
def _rank(qualifiers: tuple[str, ...]) -> dict[str, int]:
    return {q: i for i, q in enumerate(qualifiers)}


def _has_pair(pairs: list[str], qualifier: str, value: str) -> bool:
    return any(pairs[k] == qualifier and pairs[k + 1] == value for k in range(0, len(pairs), 2))


def _items_by_line(order: ShippedOrder, *, with_packs: bool) -> list[tuple[ShippedItem, list[Pack]]]:
    """One item per order line (quantities summed over cartons, first-seen order), with the cartons
    that hold it (standard carton pack). Loose items count toward their line; they have no carton."""
    totals: dict[tuple, Decimal] = {}
    first: dict[tuple, ShippedItem] = {}
    weights: dict[tuple, tuple[Decimal, str] | None] = {}  # the net weight summed, None once a part has none
    serials: dict[tuple, list[str]] = defaultdict(list)  # the serial numbers of its parts, in their order
    packs: dict[tuple, list[Pack]] = defaultdict(list)
    for pack in order.all_packs():
        for item in pack.items:
            _add(totals, first, item)
            _weigh(weights, item)
            key = _line_lot(item)
            serials[key] += item.serial_numbers
            if with_packs and (not packs[key] or packs[key][-1] is not pack):
                packs[key].append(pack)
    for item in order.loose_items:
        _add(totals, first, item)
        _weigh(weights, item)
        serials[_line_lot(item)] += item.serial_numbers
    if with_packs:
        loose = [i.line_id for i in order.loose_items]
        if loose:
            raise DocumentError("standard carton pack lists cartons under each item; some items have none",
                                po=order.po_number, lines=loose)
    out = []
    for key, item in first.items():
        merged = ShippedItem(line_id=item.line_id, quantity=totals[key], unit=item.unit, product_ids=item.product_ids,
                             sku=item.sku, ordered_quantity=item.ordered_quantity, description=item.description,
                             pack=item.pack, pack_size=item.pack_size, pack_unit=item.pack_unit,
                             lot_number=item.lot_number, expiration_date=item.expiration_date,
                             serial_numbers=tuple(serials.get(key, ())), refs=item.refs, pids=item.pids,
                             hazmat=item.hazmat,
                             **_weight_fields(weights.get(key)))
        out.append((merged, packs.get(key, [])))
    return out


def _weigh(weights: dict[tuple, tuple[Decimal, str] | None], item: ShippedItem) -> None:
    """Add ``item``'s net weight to its line's (and lot's): None once a part has none or another unit."""
    key = _line_lot(item)
    have = weights.get(key, (Decimal(0), item.net_weight_unit))
    if have is None or item.net_weight is None or have[1] != item.net_weight_unit:
        weights[key] = None
    else:
        weights[key] = (have[0] + item.net_weight, have[1])


def _weight_fields(weight: tuple[Decimal, str] | None) -> dict:
    return {} if weight is None else {"net_weight": weight[0], "net_weight_unit": weight[1]}


def _line_lot(item: ShippedItem) -> tuple:
    """What S-O-I and S-O-I-P sum an item under: its order line, and its lot when the warehouse named one."""
    return (item.line_id, item.lot_number, item.expiration_date)


def _add(totals: dict[tuple, Decimal], first: dict[tuple, ShippedItem], item: ShippedItem) -> None:
    key = _line_lot(item)
    if key in first and first[key].unit != item.unit:
        raise DocumentError("one order line shipped in two units", line_id=item.line_id)
    first.setdefault(key, item)
    totals[key] = totals.get(key, Decimal(0)) + item.quantity


# --- the self-check ----------------------------------------------------------------------------

def check_856(body: list[Segment], structure: HlStructure, expected: Mapping[tuple[str, str], Decimal], *,
              bsn05: str | None = None, ctt_hash: bool = True, ssccs_checked: Container[str] = (),
              case_at_pack: bool = False) -> None:
    """Raise DocumentError listing every problem of an 856 body: HL01 sequential from 1; HL02 names
    an earlier HL of an allowed parent level (none for the one S); HL04 = 1 exactly when children
    follow; every T/P carries one MAN*GM with a valid SSCC, never repeated; every I a LIN and an SN1; every SLN
    (a prepack's component) sits in an item loop after its SN1, SLN03 I with a positive SLN04;
    CTT01 = number of HLs, CTT02 = sum of SN102; SN102 summed per (PRF01, LIN01) equals ``expected``.
    ``ssccs_checked``: MAN02 values the caller wrote from SSCCs it validated (build_856); any other
    MAN02 is validated here. One walk reads the body into flat lists (the HL segments; each T/P loop's
    MAN count; each I loop's LIN01 and SN1 count; each SN1's PO, line and quantity); the checks then
    run over those. ``case_at_pack`` (asn.case_at_pack): each P loop holding items names their case with one SN1,
    which is what counts toward ``expected`` (its PO and its items' LIN01); its items' SN1 in eaches must come to its
    cases times their PO401 (CTT02 sums both levels' SN102)."""
    problems: list[str] = []
    note = problems.append
    parents = PARENTS[structure]
    if not body or body[0][0] != "BSN":
        note("the body does not start with BSN")
    elif bsn05 is not None and (len(body[0]) < 6 or body[0][5] != bsn05):
        note(f"BSN05 is not {bsn05}")
    hl_segs: list[Segment] = []
    level_of: dict[str, str] = {}
    po_of: dict[str, str] = {}  # HL01 -> the PO its loop sits in (PRF01 of its O)
    children: set[str] = set()  # HL01s a later HL hangs under
    mans: list[list] = []  # per T/P loop: [HL01, MAN count]
    items: list[list] = []  # per I loop: [HL01, LIN01 (None until its LIN), SN1 count, HL02]
    sn1s: list[tuple[str, str, object]] = []  # per SN1: (PO, LIN01, SN102)
    cased: dict[str, list] = {}  # case_at_pack: per P loop, its SN1s' (SN102, SN103)
    under: list[tuple] = []  # case_at_pack: per item SN1 (parent HL, LIN01, SN102,
    # SN103, its loop's PO401 filled in at the next HL)
    ssccs: set[str] = set()
    ctt: Segment | None = None
    cur_id = cur_level = cur_po = ""
    loop: list = []  # the current T/P/I loop's entry of ``mans`` or ``items``
    n = 0  # HL segments read
    for seg in body:
        sid = seg[0]
        if sid == "HL":
            hl_id, parent, level = seg[1], seg[2], seg[3]
            hl_segs.append(seg)
            n += 1
            if hl_id != str(n):
                note(f"HL01 {hl_id} is not {n}")
            if n == 1:
                if level != "S" or parent:
                    note("the first HL is not the shipment (HL03 S without a parent)")
            elif level == "S":
                note(f"HL {hl_id}: a second shipment level")
            elif level not in parents:
                note(f"HL {hl_id}: level {level} is not in structure {structure}")
            elif parent not in level_of:
                note(f"HL {hl_id}: parent {parent!r} is not an earlier HL")
            elif level_of[parent] not in parents[level]:
                note(f"HL {hl_id}: a {level} under a {level_of[parent]} ({structure} allows "
                     f"{'/'.join(parents[level])})")
            else:
                children.add(parent)
            level_of[hl_id] = level
            cur_po = po_of[hl_id] = po_of.get(parent, "") if parent else ""
            cur_id, cur_level = hl_id, level
            if level == "I":
                loop = [hl_id, None, 0, parent]
                items.append(loop)
            elif level == "P" or level == "T":
                loop = [hl_id, 0]
                mans.append(loop)
        elif sid == "SN1":
            if cur_level == "I":
                loop[2] += 1
                sn1s.append((cur_po, loop[1] or "", seg[2]))
                if case_at_pack:
                    under.append((loop[3], loop[1] or "", seg[2], seg[3] if len(seg) > 3 else "", ""))
            elif cur_level == "P" and case_at_pack:
                cased.setdefault(cur_id, []).append((seg[2], seg[3] if len(seg) > 3 else ""))
        elif sid == "PO4" and case_at_pack and cur_level == "I" and under and under[-1][0] == loop[3]:
            under[-1] = (*under[-1][:4], seg[1] if len(seg) > 1 else "")
        elif sid == "LIN":
            if cur_level == "I":
                loop[1] = seg[1]
        elif sid == "SLN":  # a prepack's component: in an item loop, after its SN1, a positive quantity per pack
            if cur_level != "I" or not loop[2]:
                note(f"HL {cur_id}: an SLN outside an item loop after its SN1")
            elif len(seg) < 6 or seg[3] != "I" or not _positive(seg[4]):
                note(f"HL {cur_id}: SLN {seg[1] if len(seg) > 1 else ''} is no included component with a quantity")
        elif sid == "CTT":
            ctt, cur_id, cur_level = seg, "", ""
        elif sid == "MAN" and (cur_level == "P" or cur_level == "T"):
            loop[1] += 1
            if len(seg) > 2 and seg[1] == "GM":
                value = seg[2]
                code = value[-18:] if value in ssccs_checked else checked_sscc(value)
            else:
                code = None
            if code is None:
                note(f"HL {cur_id}: MAN02 {seg[2] if len(seg) > 2 else ''!r} is not a valid SSCC-18")
            elif code in ssccs:
                note(f"HL {cur_id}: SSCC {code} is listed twice")
            else:
                ssccs.add(code)
        elif sid == "PRF" and cur_level == "O":
            po_of[cur_id] = seg[1]
    for seg in hl_segs:
        has = "1" if str(seg[1]) in children else "0"
        if str(seg[4]) != has:
            note(f"HL {seg[1]}: HL04 is {seg[4]}, children say {has}")
    problems += [f"HL {hl_id}: {n} MAN segments (one SSCC per carton or pallet)" for hl_id, n in mans if n != 1]
    problems += [f"HL {hl_id}: an item needs one LIN and one SN1" for hl_id, line, n, _parent in items
                 if line is None or n != 1]
    got: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    sn1_total = Decimal(0)
    for po, line, text in sn1s:
        qty = Decimal(text)
        sn1_total += qty
        got[(po, line)] += qty
    if case_at_pack:
        got, pack_total = _case_quantities(cased, under, po_of, note)
        sn1_total += pack_total
    if ctt is None:
        problems.append("no CTT")
    else:
        if str(ctt[1]) != str(len(hl_segs)):
            problems.append(f"CTT01 {ctt[1]} is not the number of HL segments ({len(hl_segs)})")
        if ctt_hash and (len(ctt) < 3 or Decimal(str(ctt[2])) != sn1_total):
            problems.append(f"CTT02 is not the sum of SN102 ({sn1_total})")
    want: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for (po, line), v in expected.items():  # an order key read as the PRF01 it writes (schemas.order_keys)
        want[(x12_po(po), line)] += v
    want = {k: v for k, v in want.items() if v}
    have = {k: v for k, v in got.items() if v}
    if want != have:
        diff = sorted(set(want) | set(have))
        detail = [f"{po}/{line}: 856 {have.get((po, line), 0)} vs confirmed {want.get((po, line), 0)}"
                  for po, line in diff if have.get((po, line)) != want.get((po, line))]
        problems.append("quantities differ from the confirmation: " + "; ".join(detail[:10]))
    if problems:
        raise DocumentError("the 856 failed its self-check: " + "; ".join(problems[:20]),
                            problems=len(problems))


def _case_quantities(cased: Mapping[str, list], under: Sequence[tuple],
                     po_of: Mapping[str, str], note: Callable[[str], None]
                     ) -> tuple[dict[tuple[str, str], Decimal], Decimal]:
    """check_856's quantities of a body whose pack level names the case (``cased``: each P loop's SN1s; ``under``:
    each item SN1's parent, LIN01, SN102, SN103 and PO401): per (PO, line) the pack levels' SN102, and their sum;
    noted, a carton of items without one SN1 and items whose eaches are not its cases times their PO401."""
    got: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    total = Decimal(0)
    inner: dict[str, list] = defaultdict(list)
    for parent, line, text, unit, po401 in under:
        inner[parent].append((line, Decimal(str(text)), unit, po401))
    for hl_id, held in inner.items():
        sn1 = cased.get(hl_id, [])
        if len(sn1) != 1:
            note(f"HL {hl_id}: a pack level naming its case needs one SN1 ({len(sn1)})")
            continue
        cases, case_unit = Decimal(str(sn1[0][0])), sn1[0][1]
        total += cases
        got[(po_of.get(hl_id, ""), held[0][0])] += cases
        counted = sum((q / Decimal(p) if u == "EA" and case_unit in CASE_UNITS and _positive(p) else q
                       for _line, q, u, p in held), Decimal(0))
        if counted != cases:
            note(f"HL {hl_id}: its items' SN1 ({'+'.join(str(q) for _l, q, _u, _p in held)}) is not its "
                 f"{cases} {case_unit}")
    return got, total


def _positive(text: object) -> bool:
    try:
        return Decimal(str(text)) > 0
    except ArithmeticError:
        return False
