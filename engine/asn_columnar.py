"""856 ship notices of many shipments at once, column-wise, as text: build_856_texts writes S-O-P-I, S-O-T-P-I,
S-O-T-I, S-T-O-I and S-T-O-P-I bodies, checked on their columns; what it cannot write it leaves to engine.asn.build_856
(one Shipment at a time). Its second half, write_856_texts, writes a Flat856 (the shipments' orders, pallets, cartons
and items in the order written), which engine.shipments.shipment_columns also makes straight from confirmation lines,
without the objects. Pure; segment-level helpers (parties, REFs, LIN pairs, S-level segments) are engine.asn's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import accumulate, repeat
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.asn import (
    cached_decimal,
    ccyymmdd,
    hhmm,
    lin_pairs,
    mark_for_segment,
    party_segments,
    ref_segments,
    s_segments,
    shipment_segments,
    sln_segments,
)
from engine.columnar import scaled
from engine.envelope import joined_body
from parsers.x12_writer import x12_decimal, x12_text
from schemas.errors import DocumentError
from schemas.fulfilment import BSN05, SHIPMENT_PARTIES, TARE_FIRST, AsnSettings
from schemas.grouping import encode, first_rows
from schemas.order_keys import x12_po, x12_po_column
from schemas.reference import sscc_columns
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
)
from schemas.x12 import Delimiters

# the structures build_856_texts writes
COLUMNAR: frozenset[str] = frozenset({"SOPI", "SOTPI", "SOTI", "STOI", "STOPI"})
# the structures engine.shipments.shipment_columns writes straight from confirmation lines (S-O-T-I's pallets
# shipped whole go through the objects: assemble_shipments, then build_856_texts)
FROM_LINES: frozenset[str] = frozenset({"SOPI", "SOTPI"})


def build_856_texts(shipments: Sequence[Shipment], asn: AsnSettings, d: Delimiters, chars: str, *,
                    created: datetime, expected: Sequence[Mapping[tuple[str, str], Decimal]] | pa.Table,
                    sscc_with_ai: bool = True) -> list[tuple[str, int] | None]:
    """build_856 of each shipment (``expected[k]``: shipments[k]'s confirmed quantities, or ``expected``
    a CONFIRMED table of every shipment's confirmation lines), rendered with
    ``d`` (single-character delimiters ``chars``) as engine.envelope.joined_body renders a body: (text,
    number of segments), or None for a shipment this path does not write (a structure not in COLUMNAR,
    a value holding one of ``chars``, anything build_856 would refuse: the caller builds those one at a
    time, which raises the refusal). Written column-wise: the orders, pallets, cartons and items of
    every shipment are flattened once, numbered in the order written (an item after its carton: from
    counts), each item's text joined from columns, and each shipment's text is a slice of them
    (between its BSN..N4 head and its CTT). The self-check runs on
    the columns: HL01 from 1 to CTT01 once each, every HL after its parent, every SSCC valid and not
    repeated in its shipment, SN102 summed per (PO, line) equal to ``expected``; HL04 and CTT02 are
    written from the same counts and sums."""
    if asn.structure not in COLUMNAR or asn.package_tracking or asn.order_td1 or asn.line_refs \
            or asn.ship_to_level != "shipment" or asn.case_at_pack or asn.ship_to_contact \
            or asn.dates_level != "shipment" or asn.shipment_parties != SHIPMENT_PARTIES or not shipments:
        return [None] * len(shipments)  # build_856's (the lines' own REFs: _item_writer; the ship-to per order loop;
        # the case at the pack level: _case_pack; the ship-to's PER: party_segments; the dates in the heading; the
        # S level without its ship-from or ship-to: shipment_segments)
    marked = [k for k, shipment in enumerate(shipments) if _marks_packs(shipment)
              or any(o.hazmat for o in shipment.orders)]
    if marked:  # cartons marked for their lines' own parties (_pack_marks), or an order its PO's heading marked
        # hazardous (its order loop's TD4: _order_head): build_856's; the others here
        others = [k for k in range(len(shipments)) if k not in set(marked)]
        out: list[tuple[str, int] | None] = [None] * len(shipments)
        texts = build_856_texts([shipments[k] for k in others], asn, d, chars, created=created,
                                expected=expected if isinstance(expected, pa.Table) else [expected[k] for k in others],
                                sscc_with_ai=sscc_with_ai) if others else []
        for k, text in zip(others, texts, strict=True):
            out[k] = text
        return out
    flat = _flatten(shipments, pallets=asn.structure in ("SOTPI", "SOTI"), whole=asn.structure in ("SOTI", "STOI"),
                    above=asn.structure in TARE_FIRST)

    def head(s: int) -> ShipmentHead:
        shipment = shipments[s]
        return ShipmentHead(shipment.shipment_id, bool(shipment.orders),
                            shipment_segments(shipment, asn, parties=False), shipment.ship_from, shipment.ship_to)

    return write_856_texts(flat, head, asn, d, chars, created=created, expected=expected, sscc_with_ai=sscc_with_ai)


def _marks_packs(shipment: Shipment) -> bool:
    """Whether a carton of ``shipment`` is marked for its lines' own party (Pack.mark_for, mark_for_conflict)."""
    return any(p.mark_for is not None or p.mark_for_conflict for o in shipment.orders
               for p in (*o.packs, *(q for t in o.tares for q in t.packs)))


class ShipmentHead(NamedTuple):
    """What write_856_texts writes of a shipment above its orders: BSN02, whether it has orders (the S's
    HL04), its S-level segments from TD1 to DTM (shipment_segments without its parties) and its parties."""

    shipment_id: str
    has_orders: bool
    segments: list[list[object]]
    ship_from: Party
    ship_to: Party


class ItemColumns(NamedTuple):
    """Distinct items as columns, one entry per item in each (ShippedItem's fields, in its order): what
    write_856_texts reads of them, without an object per item (engine.shipments.shipment_columns makes
    them so; ``of`` turns ShippedItems into them)."""

    line_id: list[str]
    quantity: list[Decimal]
    unit: list[str]
    product_ids: list[tuple[ProductId, ...]]
    sku: list[str]
    ordered_quantity: list[Decimal | None]
    description: list[str]
    pack: list[int | None]
    pack_size: list[Decimal | None]
    pack_unit: list[str]
    lot_number: list[str]
    expiration_date: list[date | None]
    net_weight: list[Decimal | None]
    net_weight_unit: list[str]
    components: list[tuple[PrepackComponent, ...]]
    serial_numbers: list[tuple[str, ...]]
    refs: list[tuple[tuple[str, str], ...]]
    pids: list[tuple[tuple[str, str, str], ...]]
    hazmat: list[tuple[tuple[str, str, str, str], ...]]

    @classmethod
    def of(cls, items: Sequence[ShippedItem]) -> ItemColumns:
        return cls(*([getattr(i, name) for i in items] for name in cls._fields))

    def objects(self) -> list[ShippedItem]:
        """The items as ShippedItems."""
        return list(map(ShippedItem, *self))


@dataclass(slots=True)
class Flat856:
    """Many shipments' orders, pallets, cartons and items, flattened in the order an 856 writes them
    (by shipment, then HL number), with their HL numbers and parents: what write_856_texts writes.
    Orders: their shipment, HL01, PRF01/02/04, mark-for (S-T-O-I: an order loop per PO and pallet, and ``o_parent``
    its pallet's HL01). Boxes (pallets T, cartons P): level, HL01, HL02, shipment, order (a pallet above its orders:
    its first one's), children (cartons, items or, S-T-O-I, order loops) and SSCC. Items: their box, and ``every``
    item's index into the distinct items ``one``; ``i_order``, S-T-O-I: the order loop an item hangs under itself
    (-1: under its box). ``bad``: shipments already left to build_856 (an order with loose items)."""

    n_hl: list[int]
    bad: set[int]
    o_ship: list[int]
    o_hl: list[int]
    o_po: list[str]
    o_release: list[str]
    o_date: list[date | None]
    b_level: list[str]
    b_hl: list[int]
    b_parent: list[int]
    b_ship: list[int]
    b_order: list[int]
    b_children: list[int]
    b_sscc: list[str]
    i_box: np.ndarray
    one: list[ShippedItem] | ItemColumns
    every: pa.Array
    o_mark_for: list[Party | None] | None = None  # per order: its mark-for (None: no order has one)
    o_refs: list[tuple[tuple[str, str], ...]] | None = None  # per order: its PO's references (None: no order has one)
    o_parent: list[int] | None = None  # per order: its HL02 (None: every order under the S)
    i_order: np.ndarray | None = None  # per item: the order loop it hangs under itself, -1 under its box (None: none)


def _flatten(shipments: Sequence[Shipment], *, pallets: bool, whole: bool = False, above: bool = False) -> Flat856:
    """The shipments' objects walked into a Flat856 (an order's cartons numbered at once: each after the
    one before and its items). ``whole`` (S-O-T-I): a pallet shipped whole is a T box with its items after it
    (a pallet holding both cartons and items of its own is left to build_856). ``above`` (S-T-O-I, S-T-O-P-I):
    each pallet a T box under the S, an order loop under it per order on it (_above)."""
    if above:
        return _above(shipments, whole=whole)
    bad: set[int] = set()  # shipments left to build_856
    o_ship: list[int] = []  # per order: its shipment
    orders: list[ShippedOrder] = []
    o_hl: list[int] = []  # per order: its HL01
    boxes: list[Pack | Tare] = []  # the pallets (S-O-T-P-I) and cartons, in the order written
    b_level: list[str] = []  # per box: T or P
    b_hl: list[int] = []
    b_parent: list[int] = []  # per box: HL01 of its order or pallet
    b_ship: list[int] = []
    b_order: list[int] = []  # per box: its order
    b_children: list[int] = []  # per box: its cartons (T) or items (P)
    i_box: list[int] = []  # per item: its carton
    items: list[ShippedItem] = []
    n_hl: list[int] = []  # per shipment: its HL segments (CTT01)

    def box(b: Pack | Tare, parent: int, o: int, s: int, n: int) -> int:
        """``b`` (of order ``o``, shipment ``s``) numbered HL ``n`` under HL ``parent``, a carton's items
        after it: the last HL number used."""
        boxes.append(b)
        b_hl.append(n)
        b_parent.append(parent)
        b_order.append(o)
        b_ship.append(s)
        if isinstance(b, Tare) and not b.items:
            b_level.append("T")
            b_children.append(len(b.packs))
            return n
        b_level.append("T" if isinstance(b, Tare) else "P")
        b_children.append(len(b.items))
        i_box.extend([len(boxes) - 1] * len(b.items))
        items.extend(b.items)
        return n + len(b.items)

    for s, shipment in enumerate(shipments):
        n = 1  # the S
        for order in shipment.orders:
            if order.loose_items or any(t.items and (t.packs or not whole) for t in order.tares):
                bad.add(s)  # (items under a tare: S-O-T-I's own, beside no carton on it)
            n += 1
            o_ship.append(s)
            orders.append(order)
            o_hl.append(n)
            o, o_at = len(orders) - 1, n
            if pallets:
                for tare in order.tares:
                    n = tare_at = box(tare, o_at, o, s, n + 1)
                    for pack in tare.packs:
                        n = box(pack, tare_at, o, s, n + 1)
            packs = order.packs if pallets else order.all_packs()
            if not packs:
                continue
            # the order's cartons at once: each numbered after the one before and its items
            counts = [len(p.items) for p in packs]
            k, first = len(packs), len(boxes)
            boxes.extend(packs)
            b_level.extend(repeat("P", k))
            b_parent.extend(repeat(o_at, k))
            b_order.extend(repeat(o, k))
            b_ship.extend(repeat(s, k))
            b_children.extend(counts)
            numbers = list(accumulate(counts, lambda at, c: at + c + 1, initial=n + 1))
            b_hl.extend(numbers[:k])
            n = numbers[k] - 1
            for j, (pack, c) in enumerate(zip(packs, counts, strict=True)):
                i_box.extend(repeat(first + j, c))
                items.extend(pack.items)
        n_hl.append(n)
    return _flat(n_hl, bad, o_ship, orders, o_hl, boxes, b_level, b_hl, b_parent, b_ship, b_order, b_children,
                 i_box, items)


def _flat(n_hl: list[int], bad: set[int], o_ship: list[int], orders: list[ShippedOrder], o_hl: list[int],
          boxes: list[Pack | Tare], b_level: list[str], b_hl: list[int], b_parent: list[int], b_ship: list[int],
          b_order: list[int], b_children: list[int], i_box: list[int], items: list[ShippedItem], *,
          o_parent: list[int] | None = None, i_order: list[int] | None = None) -> Flat856:
    """The Flat856 of what _flatten (or _above) walked."""
    one, every = _distinct(items)
    marks = [o.mark_for for o in orders]
    refs = [o.refs for o in orders]
    return Flat856(n_hl, bad, o_ship, o_hl, [x12_po(o.po_number) for o in orders], [o.release_number for o in orders],
                   [o.po_date for o in orders], b_level, b_hl, b_parent, b_ship, b_order, b_children,
                   [b.sscc for b in boxes], np.asarray(i_box, np.int64), one, every,
                   marks if any(m is not None for m in marks) else None, refs if any(refs) else None, o_parent,
                   None if i_order is None else np.asarray(i_order, np.int64))


def _above(shipments: Sequence[Shipment], *, whole: bool) -> Flat856:
    """_flatten of S-T-O-I (``whole``: a pallet's items under each order on it) and S-T-O-P-I shipments, as
    build_856 (_tares_first) writes them: each pallet once, a T box under the S (in the order the shipment's orders
    first name it), an order loop under it per order on it, that order's cartons on it (P boxes, their items after
    each) or its items on the pallet itself; then each order's cartons off any pallet under an order loop of their
    own under the S. An order's part of a pallet holding both cartons and items of its own is left to build_856
    (as is a pallet shipped whole of S-T-O-P-I, which it refuses)."""
    bad: set[int] = set()
    o_ship: list[int] = []
    orders: list[ShippedOrder] = []
    o_hl: list[int] = []
    o_parent: list[int] = []
    boxes: list[Pack | Tare] = []
    b_level: list[str] = []
    b_hl: list[int] = []
    b_parent: list[int] = []
    b_ship: list[int] = []
    b_order: list[int] = []
    b_children: list[int] = []
    i_box: list[int] = []
    i_order: list[int] = []
    items: list[ShippedItem] = []
    n_hl: list[int] = []

    def loop(order: ShippedOrder, parent: int, s: int, n: int, packs: tuple[Pack, ...]) -> int:
        """An order loop HL ``n`` under HL ``parent`` with ``packs`` (each a P box, its items after it) after it:
        the last HL number used."""
        orders.append(order)
        o_ship.append(s)
        o_hl.append(n)
        o_parent.append(parent)
        o, at = len(orders) - 1, n
        for pack in packs:
            n += 1
            boxes.append(pack)
            b_level.append("P")
            b_hl.append(n)
            b_parent.append(at)
            b_ship.append(s)
            b_order.append(o)
            b_children.append(len(pack.items))
            i_box.extend(repeat(len(boxes) - 1, len(pack.items)))
            i_order.extend(repeat(-1, len(pack.items)))
            items.extend(pack.items)
            n += len(pack.items)
        return n

    for s, shipment in enumerate(shipments):
        n = 1  # the S
        parts: dict[str, list[tuple[ShippedOrder, Tare]]] = {}
        for order in shipment.orders:
            if order.loose_items:
                bad.add(s)
            for tare in order.tares:
                if tare.items and (tare.packs or not whole):
                    bad.add(s)
                parts.setdefault(tare.sscc, []).append((order, tare))
        for held in parts.values():
            n += 1
            boxes.append(held[0][1])
            b_level.append("T")
            b_hl.append(n)
            b_parent.append(1)
            b_ship.append(s)
            b_order.append(len(orders))  # its first order loop's (the next; no item of its own, no HL04 of it)
            b_children.append(len(held))
            at = n
            for order, tare in held:
                n = loop(order, at, s, n + 1, tare.packs)
                if tare.items and not tare.packs:  # the order's items on the pallet itself, under its order loop
                    # (beside cartons: the shipment is build_856's, their numbers here would not follow them)
                    i_box.extend(repeat(-1, len(tare.items)))
                    i_order.extend(repeat(len(orders) - 1, len(tare.items)))
                    items.extend(tare.items)
                    n += len(tare.items)
        for order in shipment.orders:
            if order.packs:  # its cartons off any pallet: an order loop under the S
                n = loop(order, 1, s, n + 1, order.packs)
        n_hl.append(n)
    return _flat(n_hl, bad, o_ship, orders, o_hl, boxes, b_level, b_hl, b_parent, b_ship, b_order, b_children,
                 i_box, items, o_parent=o_parent, i_order=i_order)


class HeadTexts:
    """The text of a shipment's BSN, its S loop's HL and its S-level segments (s_segments: TD1 .. DTM, FOB), as
    write_856_texts joins them (joined_body), without a list per segment nor a join of the whole per shipment: the
    segments before the shipment's own REFs (TD1, TD5, TD3) and after them (REF IA, DTM, FOB) depend on few values
    (counts, carrier, dates: a night's 5,000 shipments share a handful), joined once per distinct ``key``; the BSN
    is a template around the shipment id, and its REF BM / CN (its own numbers) are joined here. ``text`` is None
    where joined_body would give None (a value holding one of ``chars``, a value that is not text) or where this
    does not know (the caller then joins the segments as before)."""

    _HOLE = "\x00"  # the shipment id's place in the BSN template (no delimiter is a control character)

    def __init__(self, asn: AsnSettings, d: Delimiters, chars: str, created: datetime) -> None:
        self.asn, self.d, self.chars, self.special = asn, d, chars, frozenset(chars)
        self.e, self.end = d.element, d.segment + d.suffix
        bsn = joined_body([["BSN", asn.purpose, self._HOLE, ccyymmdd(created), hhmm(created),
                            asn.bsn05 or BSN05[asn.structure]]], d, chars) if self._HOLE not in chars else None
        self.bsn = tuple(bsn.split(self._HOLE)) if bsn is not None and bsn.count(self._HOLE) == 1 else None
        self.hl = {has: joined_body([["HL", "1", "", "S", "1" if has else "0"]], d, chars) for has in (True, False)}
        self.wanted, self.vendor = asn.shipment_refs, asn.vendor_number
        self.parts: dict[tuple, tuple[str, int, str, int] | None] = {}

    def text(self, shipment_id: str, has_orders: bool, key: tuple, bill_of_lading: str, tracking_number: str,
             extra_refs: Sequence[tuple[str, str]]) -> tuple[str, int] | None:
        """(text, number of segments) of the shipment's head; ``key``: s_segments' other arguments, in its order
        from ``cartons`` to ``time_zone`` (extra_refs, bill_of_lading and tracking_number left out); the FOB and
        estimated delivery are not given (what write_856_texts' callers write from columns)."""
        if self.bsn is None or not isinstance(shipment_id, str) or not self.special.isdisjoint(shipment_id):
            return None
        try:
            parts = self.parts.get(key, ())
        except TypeError:  # a value that is no key (not hashable): joined by the caller
            return None
        if parts == ():
            parts = self.parts[key] = self._parts(key)
        hl = self.hl[has_orders]
        if parts is None or hl is None:
            return None
        before, n_before, after, n_after = parts
        e, end, wanted = self.e, self.end, self.wanted
        refs, n = "", 0
        carrier_scac, method, method_given = key[4], key[7], key[14]  # s_segments': AW for a shipment by air
        if bill_of_lading and "AW" in wanted and (carrier_scac or method_given) and method in AIR_METHODS:
            waybill = "AW"
        else:
            waybill = "BM"
            bill_of_lading = bill_of_lading or (tracking_number if self.asn.bm_from_tracking else "")
        for qualifier, value, on in ((waybill, bill_of_lading, bool(bill_of_lading)),
                                     ("CN", tracking_number, bool(tracking_number))):
            if on and qualifier in wanted:
                if not isinstance(value, str) or not self.special.isdisjoint(value):
                    return None
                refs += f"REF{e}{qualifier}{e}{value}{end}"
                n += 1
        for qualifier, value in extra_refs:
            if qualifier in wanted:
                text = joined_body([["REF", qualifier, value]], self.d, self.chars)
                if text is None:
                    return None
                refs += text
                n += 1
        return self.bsn[0] + shipment_id + self.bsn[1] + hl + before + refs + after, 2 + n_before + n + n_after

    def _parts(self, key: tuple) -> tuple[str, int, str, int] | None:
        (cartons, pallets, weight, weight_unit, carrier_scac, service_level, routed_level, transport_method, ship_date,
         ship_time, volume, volume_unit, equipment, seal_number, method_given, time_zone) = key
        segs = s_segments(self.asn, cartons=cartons, pallets=pallets, weight=weight, weight_unit=weight_unit,
                          carrier_scac=carrier_scac, service_level=service_level, routed_level=routed_level,
                          transport_method=transport_method, bill_of_lading="", tracking_number="", extra_refs=(),
                          ship_date=ship_date, ship_time=ship_time, estimated_delivery=None, volume=volume,
                          volume_unit=volume_unit, equipment=equipment, seal_number=seal_number,
                          method_given=method_given, time_zone=time_zone)
        cut = next((k for k, seg in enumerate(segs) if seg[0] in ("REF", "DTM")), len(segs))
        before = joined_body(segs[:cut], self.d, self.chars) if cut else ""
        after = joined_body(segs[cut:], self.d, self.chars) if cut < len(segs) else ""
        if before is None or after is None:
            return None
        return before, cut, after, len(segs) - cut


def write_856_texts(flat: Flat856, head: Callable[[int], ShipmentHead], asn: AsnSettings, d: Delimiters, chars: str,
                    *, created: datetime, expected: Sequence[Mapping[tuple[str, str], Decimal]] | pa.Table,
                    sscc_with_ai: bool = True,
                    quick: Callable[[int], tuple[str, int, Party, Party] | None] | None = None
                    ) -> list[tuple[str, int] | None]:
    """build_856_texts' texts of the shipments ``flat`` holds (``head(s)``: shipment s's head, asked only
    for the shipments written): the tree and the self-check on the columns, then the text. A partner whose pack
    level names the case (asn.case_at_pack) is left to build_856: every text None. ``quick(s)``, when given: the
    text of shipment s's head from BSN to its S-level segments' end (HeadTexts), their number, its ship-from and
    ship-to; None to take ``head(s)`` (joined here)."""
    n_s = len(flat.n_hl)
    out: list[tuple[str, int] | None] = [None] * n_s
    if asn.case_at_pack:
        return out
    e, t = d.element, d.segment + d.suffix
    bad = set(flat.bad)
    n_hl, o_ship, o_hl, b_hl, b_parent, b_ship, b_order = (flat.n_hl, flat.o_ship, flat.o_hl, flat.b_hl,
                                                           flat.b_parent, flat.b_ship, flat.b_order)
    b_level, b_children, every = flat.b_level, flat.b_children, flat.every
    one = flat.one if isinstance(flat.one, ItemColumns) else ItemColumns.of(flat.one)
    n_o, n_i = len(o_ship), len(flat.i_box)
    o_of = np.asarray(o_ship, np.int64)
    b_of = np.asarray(b_ship, np.int64)
    i_of = flat.i_box
    hl_of_box = np.asarray(b_hl, np.int64)
    hl_of_order = np.asarray(o_hl, np.int64)
    o_up = np.ones(n_o, np.int64) if flat.o_parent is None else np.asarray(flat.o_parent, np.int64)  # each O's HL02
    # per item: its shipment, its parent's HL01, its order and its run (an item is numbered after its parent and the
    # items before it): its box's, or (S-T-O-I) the order loop's it hangs under itself
    boxed = np.maximum(i_of, 0) if len(hl_of_box) else np.zeros(n_i, np.int64)
    empty = np.zeros(n_i, np.int64)
    i_ship, i_parent, i_order = (b_of[boxed], hl_of_box[boxed], np.asarray(b_order, np.int64)[boxed]) \
        if len(hl_of_box) else (empty, empty.copy(), empty.copy())
    run = i_of.copy()
    if flat.i_order is not None and n_i and (flat.i_order >= 0).any():
        under = flat.i_order >= 0
        o = flat.i_order[under]
        i_ship, i_parent, i_order = i_ship.copy(), i_parent.copy(), i_order.copy()
        i_ship[under], i_parent[under], i_order[under], run[under] = o_of[o], hl_of_order[o], o, len(b_hl) + o
    i_hl = i_parent + 1 + _within(np.ones(n_i, np.int64), run) if n_i else np.zeros(0, np.int64)
    # the tree, checked on its numbers: in each shipment every HL01 from 2 to CTT01 once, each after its
    # parent (an O under the S, a T under an O, a P under an O or a T, an I under a P or, S-O-T-I, a T; S-T-O-I: a T
    # under the S, an O under a T or the S, an I under an O or a P); else the run is left to build_856
    hls = np.asarray(n_hl, np.int64)
    ship = np.concatenate([o_of, b_of, i_ship]).astype(np.int64)
    hl = np.concatenate([hl_of_order, hl_of_box, i_hl]).astype(np.int64)
    parent = np.concatenate([o_up, np.asarray(b_parent, np.int64), i_parent]).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(hls - 1)]).astype(np.int64)
    where = start[ship] + hl - 2
    if len(where) != start[-1] or np.any((hl < 2) | (hl > hls[ship]) | (parent >= hl)) or np.any(
            np.bincount(where, minlength=len(where)) != 1):
        return out

    # the self-check, on the columns: SSCCs valid and once per shipment, quantities as confirmed
    digits = sscc_columns(pa.array(flat.b_sscc, pa.string()))[1]  # null: not a valid SSCC
    if len(digits):  # a shipment with a box whose SSCC is not valid, or with one SSCC on two of its boxes
        pair, n_pairs = encode(b_of, digits)
        twice = np.bincount(pair, minlength=n_pairs)[pair] > 1
        bad.update(np.unique(b_of[pc.is_null(digits).to_numpy(zero_copy_only=False) | twice]).tolist())
    # the items are few distinct ones (engine.shipments makes each distinct item once): what an item writes
    # and weighs is found once per distinct item (``one``, as columns), then taken for every item (``every``)
    shipped = _units(one.quantity)  # per distinct item, in 10^-4 units (None: one does not fit)
    po_of = pa.array(flat.o_po, pa.string()).take(pa.array(i_order)) if n_i else pa.array([], pa.string())
    line_ids = pa.array(one.line_id, pa.string()).take(every)
    if isinstance(expected, pa.Table):  # CONFIRMED
        want_ship = expected["shipment"].to_numpy().astype(np.int64)
        want_po, want_line = (expected[c].combine_chunks().cast(pa.string()) for c in ("po_number", "line_id"))
        want_po = x12_po_column(want_po)  # an order key read as the PRF01 it writes (schemas.order_keys)
        wanted = _units(expected["quantity"].combine_chunks())
    else:
        want = defaultdict(Decimal)  # an order key read as the PRF01 it writes (schemas.order_keys)
        for s, quantities in enumerate(expected):
            for (po, line), q in quantities.items():
                if q:
                    want[(s, x12_po(po), line)] += q
        want = {k: q for k, q in want.items() if q}
        want_ship = np.array([k[0] for k in want], np.int64)
        want_po, want_line = (pa.array([k[j] for k in want], pa.string()) for j in (1, 2))
        wanted = _units(list(want.values()))
    if shipped is not None and wanted is not None:
        bad.update(_unequal(np.concatenate([i_ship, want_ship]), pa.concat_arrays([po_of, want_po]),
                            pa.concat_arrays([line_ids, want_line]), np.concatenate([shipped[every.to_numpy()],
                                                                                     -wanted])))
        total = np.zeros(n_s, np.int64)
        np.add.at(total, i_ship, shipped[every.to_numpy()])
        totals = [Decimal(int(v)).scaleb(-4) for v in total.tolist()]
    else:  # a quantity with more than 4 decimals: summed as decimals
        have: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
        totals = [Decimal(0)] * n_s
        for s, po, k in zip(i_ship.tolist(), po_of.to_pylist(), every.to_pylist(), strict=True):
            have[(s, po, one.line_id[k])] += one.quantity[k]
            totals[s] += one.quantity[k]
        have = {k: q for k, q in have.items() if q}
        if isinstance(expected, pa.Table):
            want = defaultdict(Decimal)
            for s, po, line, q in zip(want_ship.tolist(), want_po.to_pylist(), want_line.to_pylist(),
                                      expected["quantity"].to_pylist(), strict=True):
                want[(s, po, line)] += q
            want = {k: q for k, q in want.items() if q}
        if want != have:
            bad.update(k[0] for k in set(want) ^ set(have))
            bad.update(k[0] for k in set(want) & set(have) if want[k] != have[k])

    # the items' text (HL..PID), joined a column at a time in Arrow; a value holding a delimiter leaves its
    # shipment out (so dropping the trailing separators of a segment drops its trailing empty elements)
    rank, special = asn.lin_qualifiers, frozenset(chars)
    lins: dict[tuple, str | None] = {}
    for key in dict.fromkeys(zip(one.product_ids, one.sku, strict=True)):
        try:
            pairs: tuple[str, ...] | None = lin_pairs(*key, rank)
        except DocumentError:
            pairs = None
        lins[key] = e.join(pairs) if pairs is not None and special.isdisjoint("".join(pairs)) else None
    lin = pa.array([lins[key] for key in zip(one.product_ids, one.sku, strict=True)], pa.string())
    refused = pc.is_null(lin).to_numpy(zero_copy_only=False)  # per distinct item: its shipments left out
    lin = lin.take(every)
    unit = pa.array(one.unit, pa.string()).take(every)
    sn1 = _elements("SN1", "", pa.array([cached_decimal(q) for q in one.quantity], pa.string()).take(every), unit, e=e)
    if asn.ordered_quantity:
        ordered = pa.array([None if q is None else cached_decimal(q) for q in one.ordered_quantity],
                           pa.string()).take(every)
        sn1 = pc.if_else(pc.is_valid(ordered), _elements(sn1, "", ordered, unit, e=e), sn1)
    hl = _elements("HL", pa.array(i_hl).cast(pa.string()), pa.array(i_parent, pa.int64()).cast(pa.string()), "I", "0",
                   e=e)
    lin_segment = _elements("LIN", line_ids, lin, e=e)
    texts = pc.binary_join_element_wise(hl, lin_segment, pc.utf8_rtrim(sn1, characters=e), "", t)
    segments = np.full(n_i, 3, np.int64)  # HL, LIN, SN1
    if asn.prepacks == "components" and any(one.components):  # a prepack's SLNs after its SN1
        slns: dict[tuple[PrepackComponent, ...], str | None] = {(): ""}
        for components in one.components:
            if components not in slns:
                try:
                    slns[components] = joined_body(sln_segments(components, rank), d, chars)
                except DocumentError:  # a component without an id: left to build_856, which refuses it
                    slns[components] = None
        sln_text = pa.array([slns[components] for components in one.components], pa.string())
        refused |= pc.is_null(sln_text).to_numpy(zero_copy_only=False)  # a value holding a delimiter
        texts = pc.binary_join_element_wise(texts, pc.fill_null(sln_text, "").take(every), "")
        segments += np.array([len(components) for components in one.components], np.int64)[every.to_numpy()]
    columns = [one.line_id, one.unit]
    if asn.item_po4:
        size = one.pack_size
        po4 = _elements("PO4", pa.array([None if p is None else str(p) for p in one.pack], pa.string()), e=e)
        po4 = pc.if_else(pc.is_valid(pa.array(size)), _elements(po4, pa.array(
            [x12_decimal(v) if v is not None else None for v in size], pa.string()),
            pa.array(one.pack_unit, pa.string()), e=e), po4)
        texts = _optional(texts, pc.utf8_rtrim(po4.take(every), characters=e), t, segments)
        columns.append([u for p, v, u in zip(one.pack, size, one.pack_unit, strict=True)
                        if p is not None and v is not None])
    if asn.item_pid:
        descriptions = [x12_text(text) for text in one.description]
        described = pa.array([text or None for text in descriptions], pa.string()).take(every)
        pid = _elements("PID", "F", "", "", "", described, e=e)
        if any(one.pids):  # a line's PIDs as sent (PID02, several): each where the description is written
            sent = pa.array([t.join(f"PID{e}F{e}{c}{e}{e}{e}{x12_text(text)}{e * 4 + lang if lang else ''}"
                                    for c, text, lang in pids) if pids and text
                             else None for pids, text in zip(one.pids, descriptions, strict=True)], pa.string())
            pid = pc.coalesce(sent.take(every), pid)
            segments += np.array([max(len(p), 1) - 1 if text else 0 for p, text in zip(one.pids, descriptions,
                                                                                       strict=True)],
                                 np.int64)[every.to_numpy()]
            columns.append([c + x12_text(text) + lang for pids in one.pids for c, text, lang in pids])
        texts = _optional(texts, pid, t, segments)
        columns.append(descriptions)
    if asn.item_net_weight:  # MEA*WT*N after PID, where the warehouse confirmed the item's net weight
        weight = pa.array([None if w is None else x12_decimal(w) for w in one.net_weight], pa.string())
        mea = _elements("MEA", "WT", "N", weight, pa.array(one.net_weight_unit, pa.string()), e=e)
        texts = _optional(texts, mea.take(every), t, segments)
        columns.append([u for w, u in zip(one.net_weight, one.net_weight_unit, strict=True) if w is not None])
    if any(not special.isdisjoint("".join(column)) for column in columns):
        refused |= np.array([not special.isdisjoint("".join((line_id, unit_, pack_unit, x12_text(text), *(
            c + x12_text(x) + lang for c, x, lang in pids)))) for line_id, unit_, pack_unit, text, pids in zip(
                one.line_id, one.unit, one.pack_unit, one.description, one.pids, strict=True)], bool)
    if any(one.hazmat):  # an item its PO marked hazardous (TD4 HM ...): its shipment left to build_856, which writes it
        refused |= np.array([bool(h) for h in one.hazmat], bool)
    if refused.any():
        bad.update(np.unique(i_ship[refused[every.to_numpy()]]).tolist())

    # the orders' and cartons' text
    prf = [f"PRF{e}{po}{e}{release}{e}{e}{ccyymmdd(day) if day else ''}".rstrip(e)
           for po, release, day in zip(flat.o_po, flat.o_release, flat.o_date, strict=True)]
    if not special.isdisjoint("".join(flat.o_po) + "".join(flat.o_release)):
        bad.update(o_ship[k] for k, (po, release) in enumerate(zip(flat.o_po, flat.o_release, strict=True))
                   if not special.isdisjoint(po + release))
    vendor = asn.vendor_number
    if not special.isdisjoint(vendor):  # every order's REF IA holds a delimiter: each shipment left to build_856
        bad.update(o_ship)
    ref = f"REF{e}IA{e}{vendor}{t}" if vendor else ""
    # an order's HL04: a box under it or under its pallet (not a pallet above orders, S-T-O-I), or an item under it
    b_under = np.asarray(b_order, np.int64)[np.asarray(b_parent, np.int64) != 1]
    o_has = np.bincount(b_under, minlength=n_o) > 0
    if flat.i_order is not None and (flat.i_order >= 0).any():
        o_has |= np.bincount(flat.i_order[flat.i_order >= 0], minlength=n_o) > 0
    o_text = [f"HL{e}{n}{e}{up}{e}O{e}{int(has)}{t}{p}{t}{ref}" for n, up, has, p in zip(
        o_hl, o_up.tolist(), o_has.tolist(), prf, strict=True)]
    marked = np.zeros(n_o, np.int64)  # per order: its REFs carried back from the PO, and 1 with its mark-for's N1
    if flat.o_refs is not None and asn.order_refs:
        ref_texts: dict[tuple[tuple[str, str], ...], tuple[str | None, int]] = {}
        for k, refs in enumerate(flat.o_refs):
            if refs not in ref_texts:
                segs = ref_segments(refs, asn.order_refs, asn.order_ref_descriptions)
                ref_texts[refs] = (joined_body(segs, d, chars) if segs else "", len(segs))
            text, segments_added = ref_texts[refs]
            if text is None:  # a value holding a delimiter: the shipment left to build_856
                bad.add(o_ship[k])
                continue
            o_text[k] += text
            marked[k] += segments_added
    if flat.o_mark_for is not None and asn.mark_for == "pack":  # in each carton's loop: left to build_856
        bad.update(o_ship[k] for k, party in enumerate(flat.o_mark_for) if party is not None)
    elif flat.o_mark_for is not None and asn.mark_for == "order":
        texts_of: dict[Party, str | None] = {}
        for k, party in enumerate(flat.o_mark_for):
            if party is None:
                continue
            if party not in texts_of:
                texts_of[party] = joined_body([mark_for_segment(party)], d, chars)
            text = texts_of[party]
            if text is None:  # a value holding a delimiter: the shipment left to build_856
                bad.add(o_ship[k])
                continue
            o_text[k] += text
            marked[k] += 1
    ai = "00" if sscc_with_ai else ""
    b_text = pc.binary_join_element_wise(  # HL*n*parent*level*children~MAN*GM*(00)SSCC~ a box at a time, in Arrow
        "HL", e, pa.array(b_hl, pa.int64()).cast(pa.string()), e, pa.array(b_parent, pa.int64()).cast(pa.string()), e,
        pa.array(b_level, pa.string()), e, pa.array(np.asarray(b_children, np.int64) > 0).cast(pa.int8()).cast(
            pa.string()), f"{t}MAN{e}GM{e}{ai}", pc.fill_null(digits, "None"), t, "")

    # every entity's text in the order written: by shipment, then HL number
    written = np.empty(len(where), np.int64)
    written[where] = np.arange(len(where))
    every = pa.concat_arrays([pa.array(o_text, pa.string()), b_text, texts]).take(pa.array(written))
    bodies = pc.binary_join(pa.ListArray.from_arrays(pa.array(start, pa.int32()), every), "").to_pylist()
    count = (2 + bool(ref)) * np.bincount(o_of, minlength=n_s) + 2 * np.bincount(b_of, minlength=n_s) + np.bincount(
        i_ship, weights=segments, minlength=n_s).astype(np.int64)
    if marked.any():
        count += np.bincount(o_of, weights=marked, minlength=n_s).astype(np.int64)
    bsn05 = asn.bsn05 or BSN05[asn.structure]
    date_text, time_text = ccyymmdd(created), hhmm(created)
    # a party's N1 loop joined once (shipments share their ship-from and a few ship-tos): joined_body of a
    # body is its segments' texts joined, and None when any of them holds a delimiter
    parties: dict[Party, tuple[str | None, int]] = {}
    known: dict[int, tuple[Party, tuple[str | None, int]]] = {}  # by the object (kept: its id stays its own)

    def party(p: Party) -> tuple[str | None, int]:
        seen = known.get(id(p))
        if seen is not None and seen[0] is p:  # the same object again (the ship-from, a ship-to's shipments)
            return seen[1]
        hit = parties.get(p)
        if hit is None:
            segs = party_segments(p)
            hit = parties[p] = (joined_body(segs, d, chars), len(segs))
        known[id(p)] = (p, hit)
        return hit

    for s in range(n_s):
        if s in bad:
            continue
        got = quick(s) if quick is not None else None
        if got is not None:
            text, n_head, ship_from, ship_to = got
        else:
            h = head(s)
            head_segments = [["BSN", asn.purpose, h.shipment_id, date_text, time_text, bsn05],
                             ["HL", "1", "", "S", "1" if h.has_orders else "0"], *h.segments]
            text, n_head, ship_from, ship_to = joined_body(head_segments, d, chars), len(head_segments), \
                h.ship_from, h.ship_to
        (from_text, n_from), (to_text, n_to) = party(ship_from), party(ship_to)
        if text is None or from_text is None or to_text is None:
            continue
        ctt = f"CTT{e}{n_hl[s]}{e}{x12_decimal(totals[s])}{t}" if asn.ctt_hash else f"CTT{e}{n_hl[s]}{t}"
        out[s] = (text + from_text + to_text + bodies[s] + ctt, n_head + n_from + n_to + int(count[s]) + 1)
    return out


def _distinct(items: Sequence[ShippedItem]) -> tuple[list[ShippedItem], pa.Array]:
    """``items`` as their distinct objects (by identity) and each item's index into them."""
    if not items:
        return [], pa.array([], pa.int64())
    first, index = np.unique(np.fromiter(map(id, items), np.uint64, len(items)), return_index=True,
                             return_inverse=True)[1:]
    return [items[k] for k in first.tolist()], pa.array(index.astype(np.int64).reshape(-1))


def _units(quantities: Sequence[Decimal] | pa.Array) -> np.ndarray | None:
    """Decimal quantities as int64 in 10^-4 units; None when one has more than 4 decimals or does not fit."""
    try:
        if isinstance(quantities, pa.Array):
            return scaled(quantities.cast(pa.decimal128(18, 4)))[0]
        return scaled(pa.array(quantities, pa.decimal128(18, 4)))[0]
    except (pa.ArrowInvalid, OverflowError):
        return None


# what build_856_texts may be given as the confirmed quantities instead of a mapping per shipment: one
# row per confirmation line, ``shipment`` its shipment's index in the shipments given (summed per
# shipment, PO and line id)
CONFIRMED = pa.schema([pa.field("shipment", pa.int64()), pa.field("po_number", pa.string()),
                       pa.field("line_id", pa.string()), pa.field("quantity", pa.decimal128(18, 4))])


def _unequal(ship: np.ndarray, po: pa.Array, line: pa.Array, units: np.ndarray) -> list[int]:
    """The shipments (``ship``) some (PO, line) of which sums ``units`` to other than 0 (what the 856
    lists, plus, less what was confirmed: a line listed and not confirmed, confirmed and not listed, or
    listed with another quantity)."""
    if not len(ship):
        return []
    key, n = encode(ship, po, line)
    sums = np.zeros(n, np.int64)
    np.add.at(sums, key, units)
    off = np.flatnonzero(sums != 0)
    return np.unique(ship[first_rows(key, n=n)[off]]).tolist()


def _elements(*values, e: str) -> pa.Array:
    """Each row's values (columns or text repeated on every row) joined with the element separator ``e``:
    null where a column is null."""
    return pc.binary_join_element_wise(*values, e)


def _optional(texts: pa.Array, segment: pa.Array, t: str, segments: np.ndarray) -> pa.Array:
    """``texts`` with ``segment`` and the terminator ``t`` added where it is not null (``segments`` counted)."""
    segments += pc.is_valid(segment).to_numpy(zero_copy_only=False)
    return pc.binary_join_element_wise(texts, pc.fill_null(pc.binary_join_element_wise(segment, "", t), ""), "")


def _within(size: np.ndarray, group: np.ndarray) -> np.ndarray:
    """For entries in contiguous runs of ``group``: the sum of ``size`` of the entries before each in its run."""
    if not len(size):
        return np.zeros(0, np.int64)
    before = np.cumsum(size) - size
    first = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    run = np.cumsum(np.r_[0, np.diff(group) != 0])
    return before - before[first][run]
