"""Checked shipment confirmation lines -> typed Shipments (schemas.shipments) for the 856 builder,
and the SSCC-18s their cartons and pallets still need; or the same shipments in columns
(shipment_columns: summaries and the engine.asn_columnar.Flat856 its text path writes, no object per carton).

Pure: the confirmation lines (rules.shipments.resolve output: every row has its partner and order
line), the live orders' canonical tables, our ship-from party and the SSCCs the caller numbered
(from the state store's serial sequence) come in. Order is deterministic: shipments, orders,
pallets, cartons and items in the order they first appear in the lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Set
from dataclasses import dataclass, replace
from datetime import date, time
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.asn import MARK_FOR_COLUMNS, MARK_FOR_NAME2, REF_COLUMNS, mark_fors, order_refs
from engine.asn_columnar import Flat856, ItemColumns
from engine.columnar import decimal_array, objects, scaled
from engine.sscc import build_sscc, serial_capacity
from schemas.grouping import Groups, encode, first_rows, is_first, paired_codes
from schemas.order_keys import x12_po
from schemas.orders import (
    ELEMENTS_SEP,
    LINE_DATES,
    LINE_MARK_FOR,
    LINE_SHIP_TO,
    LINE_SHIP_TO_ADDRESS,
    LINE_WIDE_DATES,
    ORDERS,
    RANGE_START,
)
from schemas.packaging import packaging_code
from schemas.reference import gs1_check_digits, sscc_columns
from schemas.service_levels import service_code, service_speeds
from schemas.shipment_records import RecordedCarton
from schemas.shipments import (
    AIR_METHODS,
    PARCEL_SCACS,
    TRANSPORT_METHODS,
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
from schemas.units import EACH_UNITS, KILOGRAMS_PER, pack_unit, weight_in

CartonKey = tuple[str, str]  # (shipment id, carton id)
PalletKey = tuple[str, str]  # (shipment id, pallet id)
StoreDcs = Mapping[tuple[str, str], Party]  # (partner, store) -> the DC the store is shipped through (store_dcs)

# what assemble_shipments reads of a shipment's first line (its header)
_HEADER = ("ship_date", "ship_time", "carrier_scac", "service_level", "tracking_number", "bill_of_lading",
           "transport_method", "equipment_code", "equipment_initial", "equipment_number", "shipment_weight",
           "shipment_weight_unit", "shipment_volume", "shipment_volume_unit", "ship_time_zone", "shipment_pallets",
           "seal_number")


def header_fields(h: Mapping, method: str = "") -> dict:
    """What a shipment's first line says of the whole shipment beyond its ids (a 945's W27, W03, a CSV's
    Transport Method): the Shipment fields (and ShipmentSummary's) they give; ``method``: the TD504 when the line
    names none (transport_method_for), else motor. Without a carrier, ``method`` is the PO's own (a will-call's H):
    given, so the 856 writes it in a TD5 of its own (engine.asn.s_segments)."""
    return {"transport_method": h.get("transport_method") or method or "M",
            "method_given": bool(h.get("transport_method") or (method and not h.get("carrier_scac"))),
            "equipment": (h.get("equipment_code") or "", h.get("equipment_initial") or "",
                          h.get("equipment_number") or ""),
            "gross_weight": h.get("shipment_weight"),
            "weight_unit": h.get("shipment_weight_unit") or "" if h.get("shipment_weight") is not None else "",
            "volume": h.get("shipment_volume"), "volume_unit": h.get("shipment_volume_unit") or "",
            "time_zone": h.get("ship_time_zone") or "", "pallets_given": h.get("shipment_pallets"),
            "seal_number": h.get("seal_number") or ""}


# element 91's air methods (AIR_METHODS) are not what a shipment went by whose service is ground
# (schemas.service_levels)
GROUND_SPEED = 4  # schemas/data/service_levels.csv: CG, SG, SI


def transport_method_for(carrier_scac: str, td5s: list, service_level: str = "",
                         names: Mapping[str, str] | None = None) -> str:
    """TD504 of a shipment with ``carrier_scac`` whose confirmation names no transport method: the TD504 of the
    first of its POs' TD5s (``td5s``: ORDERS td5_sent, None for none) naming that carrier (TD503) with a code of
    X12 element 91, as the buyer routed it; else U (private parcel service) for a parcel SCAC (PARCEL_SCACS);
    else "" (motor, as always). Without a SCAC: the TD504 of the first of its POs' TD5s naming no carrier (a
    will-call, customer pick-up PO's TD5*O***H: the customer's own truck, no carrier to name), written as the PO
    sent it; else "": no TD504 is written (a PO routed by a carrier the warehouse did not confirm says nothing of
    how this shipment went). An air method of the PO's (A: routed next day air) is not taken for a shipment whose
    ``service_level`` (the warehouse's) is a ground service (GND, CG: service_code, with the warehouse's own
    ``names``): the 856 said TD5*B*2*UPSN*A*GND, a parcel by air and by ground at once."""
    ground = service_speeds().get(service_code(service_level, names)) == GROUND_SPEED
    if not carrier_scac:
        for sent in td5s:
            e = (sent or "").split(ELEMENTS_SEP)
            if len(e) > 3 and not e[2].strip() and e[3].strip().upper() in TRANSPORT_METHODS:
                return e[3].strip().upper()
        return ""
    for sent in td5s:
        e = (sent or "").split(ELEMENTS_SEP)
        if len(e) > 3 and e[2].strip().upper() == carrier_scac and e[3].strip().upper() in TRANSPORT_METHODS and \
                not (ground and e[3].strip().upper() in AIR_METHODS):
            return e[3].strip().upper()
    return "U" if carrier_scac in PARCEL_SCACS else ""


def shipment_method(carrier_scac: str, td5s: list, service_level: str = "",
                    names: Mapping[str, str] | None = None) -> str:
    """The transport method (X12 element 91) the 856 gave a shipment with ``carrier_scac`` whose warehouse named
    none (header_fields: transport_method_for's, else M motor), for a document read after the shipment was stored
    (the 810's CAD01, the 880's G2701: engine.lifecycle.billing): the stored shipment keeps its carrier and
    service level but not the warehouse's own W2701. "" without a carrier (no CAD is written then)."""
    if not carrier_scac:
        return ""
    return header_fields({"carrier_scac": carrier_scac}, transport_method_for(carrier_scac, td5s, service_level,
                                                                              names))["transport_method"]


def service_level_for(carrier_scac: str, service_level: str, td5s: list) -> str:
    """The 856's service level (TD512) of a shipment with ``carrier_scac``: the warehouse's (``service_level``),
    else the TD512 of the first of its POs' TD5s (``td5s``: ORDERS td5_sent, None for none) naming the carrier that
    shipped it (TD503) or no carrier: the partner routed the order at that level (a drop-ship PO's ND, SE, CG;
    Logicbroker's ``TD5*****UPS GROUND*******CG``), and checks its 856 against it; else "" (none written, as
    before). A PO routed by another carrier than the one that shipped says nothing of this shipment's level."""
    return service_level or _routed_level(carrier_scac, td5s)


# element 284's ground levels (Ground, Standard Ground), and the words by which a warehouse names a ground service or
# a faster one (UPS NEXT DAY AIR, FEDEX 2DAY, PRIORITY OVERNIGHT ...): a name of the one kind is no level of the other
GROUND_LEVELS = frozenset({"CG", "SG"})
_GROUND_WORDS = frozenset({"GND", "GRD", "GRND", "GROUND"})
_FASTER_WORDS = frozenset({"AIR", "NDA", "2DA", "3DA", "2DAY", "3DAY", "NEXT", "OVERNIGHT", "EXPRESS", "PRIORITY",
                           "SAVER", "EXPEDITED", "SAME"})


def _contradicts(words: str, level: str) -> bool:
    """Whether the warehouse's name for its service (``words``) is of another kind than the PO's TD512 ``level``:
    a ground service for a PO routed at a faster level (ND, SE, 3D ...), or a faster one for a ground level."""
    said = set(words.upper().replace("-", " ").replace("/", " ").split())
    if said & _GROUND_WORDS:
        return level not in GROUND_LEVELS
    return bool(said & _FASTER_WORDS) and level in GROUND_LEVELS


def routed_level_for(carrier_scac: str, service_level: str, td5s: list, names: Mapping[str, str] | None = None) -> str:
    """The TD512 of a shipment whose warehouse named its service level in words (``service_level`` not a two-
    character code: GND, which the 856 writes as routing text, TD505): the PO's own TD512 for that carrier
    (service_level_for), which the partner routed the order at and checks its 856 against (Target.com DVS's
    TD5*O*2*UPSN*M*UPS GROUND*******SG); else "". Before, the name hid the PO's code and the 856 had no TD512.
    Not a level the name contradicts (GND shipped for a PO routed next day air, ND; NEXT DAY AIR for one routed
    ground, CG): the 856 used to state the PO's ND beside the warehouse's GND, a next-day shipment that went by
    ground (rg41, Zoro's drop ship). A name our list (schemas.service_levels) or the warehouse's own ``names`` give
    a code of another speed than the PO's level (GND: CG, for a PO routed ND) is the service shipped: its code,
    TD512 CG beside TD505 GND; of the same speed (GND for a PO routed SG), the PO's own code, as its guide spells
    it."""
    if not service_level or len(service_level) == 2:
        return ""
    level = _routed_level(carrier_scac, td5s)
    speeds, named = service_speeds(), service_code(service_level, names)
    if level in speeds and named in speeds:
        return level if speeds[level] == speeds[named] else named
    return "" if level and _contradicts(service_level, level) else level


def _routed_level(carrier_scac: str, td5s: list) -> str:
    """The TD512 of the first of the POs' TD5s (``td5s``) naming ``carrier_scac`` (TD503) or no carrier; else ""."""
    for sent in td5s:
        e = (sent or "").split(ELEMENTS_SEP)
        if len(e) > 11 and e[2].strip().upper() in ("", carrier_scac) and len(level := e[11].strip().upper()) == 2:
            return level
    return ""


def _td5s(orders: pa.Table) -> dict[tuple, str]:
    """(partner, PO) -> its heading's first TD5 as sent (td5_sent), of the orders with one."""
    if "td5_sent" not in orders.column_names:
        return {}
    sent = orders.filter(pc.is_valid(orders["td5_sent"])).select(["partner", "po_number", "td5_sent"])
    return {(r["partner"], r["po_number"]): r["td5_sent"] for r in sent.to_pylist()}


def _fobs(orders: pa.Table) -> dict[tuple, tuple[str, ...]]:
    """(partner, PO) -> the elements of its heading's first FOB as sent (fob_sent), of the orders with one."""
    if "fob_sent" not in orders.column_names:
        return {}
    sent = orders.filter(pc.is_valid(orders["fob_sent"])).select(["partner", "po_number", "fob_sent"])
    return {(r["partner"], r["po_number"]): tuple(r["fob_sent"].split(ELEMENTS_SEP)) for r in sent.to_pylist()}


# what assemble_shipments reads of the canonical ORDERS and ORDER_LINES (and the ship stage of a line: its
# UPC), with the columns that pick an order's current rows (engine.lifecycle.current_tables)
CANONICAL_COLUMNS = (["partner", "order_ref", "po_number", "po_date", "release_number",
                      *(f.name for f in ORDERS if f.name.startswith("ship_to_")), *MARK_FOR_COLUMNS,
                      *MARK_FOR_NAME2,  # the N2s their names hold (engine.asn.mark_fors writes N102 alone)
                      "ship_not_before", "ship_no_later", "cancel_after", "do_not_deliver_after",
                      "do_not_deliver_before",
                      # a window from a DTM 010 range is named as sent, a delivery range's end held (engine.deadlines)
                      "requested_ship_date", "requested_ship_end", "requested_delivery_end", RANGE_START,
                      *REF_COLUMNS, "td5_sent",  # TD504 (transport_method_for)
                      "td5_more_sent",  # the carriers it was routed by (engine.routing)
                      "fob_sent",  # the S level's FOB (AsnSettings.fob)
                      "sales_requirement",  # CSH01: SC ships complete (engine.lifecycle.shipping)
                      "ship_from_name", "ship_from_id_qualifier", "ship_from_id",  # N1*SF (engine.routing)
                      "hazmat_sent"],  # its heading's hazmat TD4s as sent: the order loop's (engine.asn)
                     ["partner", "order_ref", "po_number", "line_number", "line_id", "quantity", "unit", "product_ids",
                      "description", "upc", *LINE_DATES.values(), *LINE_WIDE_DATES.values(),  # a line's own dates:
                      "requested_ship_date", "requested_ship_end", "requested_delivery_end", RANGE_START,
                      "store_quantities",
                      "po4_pack", "po4_inner_pack", "po4_size", "po4_size_unit",
                      "prepack_components",  # engine.deadlines; its SDQ store quantities:
                      *(f"ship_to_{f}" for f in (*LINE_SHIP_TO, *LINE_SHIP_TO_ADDRESS)),  # its own N1*ST: own_ship_tos
                      "line_refs",  # its own REFs: the items' (AsnSettings.line_refs)
                      *(f"mark_for_{f}" for f in LINE_MARK_FOR),  # its own N1*Z7: its carton's (line_marks_for)
                      "pids_sent",  # its own PIDs as sent: the items' (AsnSettings.item_pid)
                      "style_line_id",  # a size of a style line: a confirmation naming the style (rules.shipments)
                      "hazmat_sent",  # its own hazmat TD4s as sent: the items' (engine.asn.hazmat_segments)
                      "weight_ordered", "weight_unit"])  # a weight taken in another by definition: _in_weight_ordered
# rules.shipments.store_checks and each carton's store (store-level); PO4: a unit only PO4 counts;
# its prepack components: the SLNs of an 856 that lists them (AsnSettings.prepacks)


@dataclass(frozen=True, slots=True)
class SsccNeeds:
    """Cartons and pallets without an SSCC from the warehouse, in first-seen order."""

    cartons: tuple[CartonKey, ...]
    pallets: tuple[PalletKey, ...]

    def __len__(self) -> int:
        return len(self.cartons) + len(self.pallets)


def sscc_needs(lines: pa.Table) -> SsccNeeds:
    """What the caller must number before assembling: every (shipment, carton) whose rows carry no
    valid SSCC (and whose carton id is not one), and the same for pallets (a carton labelled as its pallet,
    a pallet shipped whole, is numbered once, as the pallet)."""
    carton = lines["carton_id"]
    whole = pc.fill_null(pc.equal(carton, lines["pallet_id"]), False)  # a pallet shipped whole: numbered as a pallet
    if pc.any(whole).as_py():
        carton = pc.if_else(whole, pa.scalar(None, pa.string()), carton)
    return SsccNeeds(_unnumbered(lines["shipment_id"], carton, lines["carton_sscc"]),
                     _unnumbered(lines["shipment_id"], lines["pallet_id"], lines["pallet_sscc"]))


def _unnumbered(shipment_id, label, sscc) -> tuple[tuple[str, str], ...]:
    """(shipment, label) of the rows with a label, in first-seen order, when none of the rows of that
    shipment and label carries an SSCC of its own (in its sscc column or as the label): in columns."""
    if not len(label):
        return ()
    own = _valid(sscc_columns(label)[1]) | _valid(sscc_columns(sscc)[1])
    key, count = encode(shipment_id, label)
    groups = Groups(key, count)
    first = groups.first()
    rows = np.sort(first[~groups.any(own) & _valid(label)[first]])
    taken = pa.array(rows, pa.int64())
    return tuple(zip(shipment_id.take(taken).to_pylist(), label.take(taken).to_pylist(), strict=True))


def _valid(values) -> np.ndarray:
    return pc.is_valid(values).to_numpy(zero_copy_only=False)


def number_ssccs(keys: tuple, company_prefix: str, extension_digit: int, first_serial: int) -> dict:
    """keys[i] -> the SSCC of serial first_serial + i (the caller took len(keys) serials in one go); the
    check digits computed in one go (build_sscc checks the prefix, the digit and the first and last serial)."""
    if first_serial + len(keys) > serial_capacity(company_prefix):
        raise ValueError("the SSCC serial sequence of this company prefix is exhausted")
    if not keys:
        return {}
    build_sscc(company_prefix, extension_digit, first_serial)
    build_sscc(company_prefix, extension_digit, first_serial + len(keys) - 1)
    head = f"{extension_digit}{company_prefix}"
    width = 17 - len(head)
    serials = np.arange(first_serial, first_serial + len(keys), dtype=np.int64)
    body = np.empty((len(keys), 17), np.int64)
    body[:, :len(head)] = np.frombuffer(head.encode("ascii"), np.uint8) - 48
    body[:, len(head):] = serials[:, None] // 10 ** np.arange(width - 1, -1, -1, dtype=np.int64) % 10
    return {key: f"{head}{serial:0{width}d}{check}" for key, serial, check in zip(
        keys, serials.tolist(), gs1_check_digits(body).tolist(), strict=True)}


def assemble_shipments(lines: pa.Table, orders: pa.Table, order_lines: pa.Table, *, ship_from: Party,
                       ssccs: Mapping[tuple, str] | None = None, items: pa.Table | None = None,
                       store_party: Mapping[str, str] | None = None, dcs: StoreDcs | None = None,
                       described: Collection[str] = (), service_names: Mapping[str, str] | None = None
                       ) -> list[Shipment]:
    """One Shipment per shipment id. ``lines``: confirmation lines whose partner and line_id are
    resolved (rules.shipments.resolve) and that passed the checks; ``orders``/``order_lines``: the
    canonical tables (schemas.orders; CANONICAL_COLUMNS at least) of their orders; ``ssccs``:
    (shipment, carton or pallet id) -> SSCC for what sscc_needs named; ``items``
    (schemas.reference.ITEMS, optional): each item's case pack for PO4, and for the partners ``described`` names
    (AsnSettings.item_pid_catalog) its description where the order line sent none. Items of one order line in
    one carton are summed; a carton holding two POs' items becomes a pack under each order (the 856
    self-check refuses the repeated SSCC). An order of a store-level partner is one per store its cartons are
    marked for (mark_for_store), the store its mark-for: N1*BY, or the N101 ``store_party`` gives the partner
    (AsnSettings.store_party); the shipment's N1*ST the DC its stores go through (``dcs``: store_dcs), where that is
    not the PO's own ship-to. The lines are grouped in columns (shipments, their orders,
    cartons, pallets and items, each in the order of its first line, whose values it takes); Python
    only makes the objects."""
    ssccs = ssccs or {}
    if not lines.num_rows:
        return []
    parties = _ship_tos(orders)  # each order row's ship-to, one Party per distinct address
    order_rows = {(r["partner"], r["po_number"]): (r, party, mark, refs) for r, party, mark, refs in zip(orders.select(
        ["partner", "po_number", "po_date", "release_number", *(c for c in _HAZMAT if c in orders.column_names)])
        .to_pylist(), parties, mark_fors(orders), order_refs(orders), strict=True)}
    g = _grouped(lines)
    shipment, order, box = g.shipment, g.order, g.box
    n_orders, n_boxes = g.n_orders, g.n_boxes
    ship_row, order_row, box_row, item_row, partner = g.ship_row, g.order_row, g.box_row, g.item_row, g.partner

    # the items: each distinct item made once (items of equal values share one object)
    made, kind = _item_kinds(lines, order_lines, items, g, described)
    shipped_items = list(map(made.__getitem__, kind.tolist()))
    box_items = _nest(box[item_row], item_row, shipped_items, n_boxes)

    # the cartons (boxes with a carton id), each on its order or on a pallet of its order (as its first row says)
    c = _cartons(lines, g, ssccs)
    carton, loose = c.carton, c.loose
    tracking = lines["tracking_number"].take(pa.array(box_row[carton])).to_pylist()  # each carton's first row's
    marked = _carton_marks(line_marks_for(lines, orders, order_lines), box, carton)
    packaging = _packagings(lines, g, carton, items)
    packs_made = [Pack(sscc=sscc, carton_id=label, items=box_items[b], weight=weight, weight_unit=unit,
                       tracking_number=first_tracking(number), more_tracking=tuple(tracking_numbers(number)[1:]),
                       mark_for=mark, mark_for_conflict=conflict,
                       packaging=kind)
                  for label, sscc, b, weight, unit, number, (mark, conflict), kind in zip(
                      c.label, c.sscc, carton.tolist(), c.weight, c.unit, tracking, marked, packaging, strict=True)]
    on_pallet, carton_order, first = c.on_pallet, c.order, c.first
    loose_packs = [packs_made[i] for i in np.flatnonzero(~on_pallet).tolist()]
    order_packs = _nest(carton_order[~on_pallet], first[~on_pallet], loose_packs, n_orders)
    pallet_packs = [packs_made[i] for i in np.flatnonzero(on_pallet).tolist()]
    tare_packs = _nest(c.tare, first[on_pallet], pallet_packs, c.n_tares)
    # a carton labelled as its pallet is the pallet shipped whole (rules.shipments.whole_pallets, S-O-T-I): its
    # items under the tare itself
    tares = [Tare(sscc=sscc, pallet_id=label, packs=packed) if all(p.carton_id != label for p in packed) else
             _whole(sscc, label, packed)
             for label, sscc, packed in zip(c.tare_label, c.tare_sscc, tare_packs, strict=True)]
    order_tares = _nest(order[c.tare_row], c.tare_row, tares, n_orders)
    loose_items: list[tuple[ShippedItem, ...]] = [()] * n_orders
    for o, b in zip(order[box_row[loose]].tolist(), loose.tolist(), strict=True):
        loose_items[o] = box_items[b]

    # the orders, then the shipments
    of_shipment = shipment[order_row]
    orders_made = []
    heads = []
    stores = _stores(lines, order_row)
    for o, po in enumerate(lines["po_number"].take(pa.array(order_row)).to_pylist()):
        who = partner[of_shipment[o]]
        head, party, mark, refs = order_rows.get((who, po), _NO_ORDER)
        if stores[o] is not None:
            mark = stores[o] if (store_party or {}).get(who, "BY") == "BY" else \
                replace(stores[o], code=store_party[who])  # type: ignore[index]
        heads.append(party)
        orders_made.append(ShippedOrder(po_number=po, po_date=head.get("po_date"),
                                        release_number=head.get("release_number") or "", tares=order_tares[o],
                                        packs=order_packs[o], partner=who, loose_items=loose_items[o], mark_for=mark,
                                        refs=refs, hazmat=heading_hazmat(head)))
    shipped = _nest(of_shipment, order_row, orders_made, len(ship_row))
    order_heads = _nest(of_shipment, order_row, heads, len(ship_row))
    out = []
    by_row = np.argsort(ship_row, kind="stable")
    headers = lines.select(["shipment_id", *_HEADER]).take(pa.array(ship_row[by_row])).to_pylist()
    more = more_tracking(lines, shipment, len(ship_row))
    td5 = _td5s(orders)
    fobs = _fobs(orders)
    to_line = _to_lines(lines, orders, order_lines, shipment, dcs)  # shipment code -> its lines' own ship-to
    for s, h in zip(by_row.tolist(), headers, strict=True):
        ship_to = to_line.get(s) or next((party for party in order_heads[s] if party is not None), None)
        if s not in to_line and any(p is not None and p != ship_to for p in order_heads[s]):  # POs of two places:
            shipped[s] = tuple(replace(o, ship_to=p) for o, p in zip(shipped[s], order_heads[s], strict=True))
        sent = [td5.get((o.partner, o.po_number)) for o in shipped[s]]
        method = transport_method_for(h["carrier_scac"] or "", sent, h["service_level"] or "", service_names)
        out.append(Shipment(
            shipment_id=h["shipment_id"], ship_date=h["ship_date"], ship_time=h["ship_time"], ship_from=ship_from,
            ship_to=ship_to or Party("ST", ""), orders=shipped[s], carrier_scac=h["carrier_scac"] or "",
            service_level=service_level_for(h["carrier_scac"] or "", h["service_level"] or "", sent),
            routed_level=routed_level_for(h["carrier_scac"] or "", h["service_level"] or "", sent, service_names),
            tracking_number=first_tracking(h["tracking_number"]),
            bill_of_lading=h["bill_of_lading"] or "", partner=partner[s],
            extra_refs=tuple(("CN", number) for number in more[s]),
            fob=next((fobs[k] for k in ((o.partner, o.po_number) for o in shipped[s]) if k in fobs), ()),
            **header_fields(h, method)))
    return out


def line_marks_for(lines: pa.Table, orders: pa.Table, order_lines: pa.Table | None) -> list[Party | None] | None:
    """Per confirmation row of ``lines``, the mark-for of its order line where the line names its own (a PO1 loop's
    N1*Z7 with N103 and N104: ORDER_LINES mark_for_*, Home Hardware's dealer of a tag order) and that is another
    party than its order's (engine.asn.mark_fors: the heading's N1*Z7, else its N1*BY), as an N1*Z7 with N102, N103
    and N104 as sent; None: the order's. None when no row has one (every other 856 as it was). The carton holding
    such rows is marked for that party (_carton_marks: the 856's N1*Z7 in its pack loop, after its MAN)."""
    cols = [f"mark_for_{f}" for f in LINE_MARK_FOR]
    if order_lines is None or not order_lines.num_rows or any(c not in order_lines.column_names for c in cols) \
            or order_lines["mark_for_id"].null_count == order_lines.num_rows:
        return None
    own = order_lines.filter(pc.and_(pc.is_valid(order_lines["mark_for_id"]),
                                     pc.is_valid(order_lines["mark_for_id_qualifier"])))
    heads = dict(zip(zip(orders["partner"].to_pylist(), orders["po_number"].to_pylist(), strict=True),
                     mark_fors(orders), strict=True)) if orders.num_rows else {}
    parties: dict[tuple, Party] = {}
    for r in own.select(["partner", "po_number", "line_id", *cols]).to_pylist():
        qualifier, ident = (r["mark_for_id_qualifier"] or "").strip(), (r["mark_for_id"] or "").strip()
        head = heads.get((r["partner"], r["po_number"]))
        if not qualifier or not ident or (head is not None and (head.id_qualifier, head.id) == (qualifier, ident)):
            continue
        parties[(r["partner"], r["po_number"], r["line_id"])] = Party("Z7", r["mark_for_name"] or "", qualifier, ident)
    if not parties:
        return None
    return [parties.get(k) for k in zip(*(lines[c].to_pylist() for c in ("partner", "po_number", "line_id")),
                                        strict=True)]


def _carton_marks(own: list[Party | None] | None, box: np.ndarray, carton: np.ndarray
                  ) -> list[tuple[Party | None, str]]:
    """Per carton (``carton``: its box code), the mark-for its rows name of their own (``own``: line_marks_for of
    each row, ``box`` each row's box code) and "": None for a carton none of whose rows names one. A carton holding
    rows for two parties (or for one and the order's) is marked for neither, the second value naming them
    (Pack.mark_for_conflict: engine.asn refuses its 856, the shipment held for the warehouse to pack one carton per
    party, never an 856 that drops a party's tag without a word)."""
    if own is None:
        return [(None, "")] * len(carton)
    found: dict[int, dict] = {}
    for b, mark in zip(box.tolist(), own, strict=True):
        found.setdefault(b, {})[mark] = None
    out: list[tuple[Party | None, str]] = []
    for b in carton.tolist():
        marks = list(found.get(b, {None: None}))
        if len(marks) > 1:
            out.append((None, ", ".join(f"{m.name} {m.id_qualifier} {m.id}".strip() if m is not None else
                                        "the order's own" for m in marks)))
        else:
            out.append((marks[0], ""))
    return out


def marks_stores(lines: pa.Table) -> bool:
    """Whether a confirmation line of ``lines`` names the store its carton is for (mark_for_store: kept for
    store-level partners only, engine.lifecycle.shipping)."""
    return "mark_for_store" in lines.column_names and lines["mark_for_store"].null_count < lines.num_rows


def store_marks(lines: pa.Table) -> list[str] | repeat:
    """Each line's store (mark_for_store: kept for store-level partners only, engine.lifecycle.shipping's
    _stores_kept), "" for none."""
    if not marks_stores(lines):
        return repeat("", lines.num_rows)
    return [s or "" for s in lines["mark_for_store"].to_pylist()]


def _stores(lines: pa.Table, order_row: np.ndarray) -> list[Party | None]:
    """Per order of the grouping (``order_row``: its first line), the store its cartons are marked for as the
    856's mark-for: N1*BY with no name, the store's id qualifier (the PO's SDQ02; 92, assigned by buyer, when
    none is known) and the store; None for an order without one."""
    if not marks_stores(lines):
        return [None] * len(order_row)
    at = lines.select(["mark_for_store", "mark_for_id_qualifier"]).take(pa.array(order_row))
    return [Party("BY", "", qualifier or "92", store) if store else None
            for store, qualifier in zip(*(at[c].to_pylist() for c in at.column_names), strict=True)]


def _whole(sscc: str, label: str, packed: tuple[Pack, ...]) -> Tare:
    """The pallet ``label`` holding the cartons ``packed``, one of which is labelled as the pallet (rules.shipments
    .whole_pallets: a pallet shipped whole): its items and weight the tare's own."""
    own = [p for p in packed if p.carton_id == label]
    return Tare(sscc=sscc, pallet_id=label, packs=tuple(p for p in packed if p.carton_id != label),
                items=tuple(i for p in own for i in p.items), weight=own[0].weight, weight_unit=own[0].weight_unit)


def tracking_numbers(value: str | None) -> list[str]:
    """The tracking numbers of a confirmation row's cell: several when the cell listed several (the CSV reader
    joins them with parsers.shipments_csv.TRACKING_SEPARATOR, "|"), else the one."""
    return [v for v in (value or "").split("|") if v]


def first_tracking(value: str | None) -> str:
    """The first of a cell's tracking numbers (tracking_numbers): a shipment's header REF CN, a carton's own."""
    return next(iter(tracking_numbers(value)), "")


def more_tracking(lines: pa.Table, shipment: np.ndarray, n: int) -> list[tuple[str, ...]]:
    """Per shipment code (``shipment``: each line's, ``n`` of them): its tracking numbers other than its
    first line's first (the header's REF CN), in the order first seen: a parcel shipment's cartons each have
    one, and the 856 carries every one (more REF CN at the S level), not the first alone; a cell listing several
    (a fulfillment's packages in one "Tracking Numbers" cell) gives each."""
    out: list[tuple[str, ...]] = [()] * n
    number = lines["tracking_number"]
    if number.null_count == len(number):
        return out
    heads = number.take(pa.array(first_rows(shipment, n=n)))
    other = pc.fill_null(pc.not_equal(number, heads.take(pa.array(shipment))), pc.is_valid(number))
    several = pc.fill_null(pc.match_substring(number, "|"), False)
    if not pc.any(other).as_py() and not pc.any(several).as_py():  # the usual file: one tracking number per
        return out  # shipment, on its first row
    pair, _ = encode(shipment, number)
    first = np.flatnonzero(is_first(pair) & _valid(number))
    header = [first_tracking(h) for h in heads.to_pylist()]
    found: dict[int, list[str]] = defaultdict(list)
    for s, value in zip(shipment[first].tolist(), number.take(pa.array(first)).to_pylist(), strict=True):
        for each in tracking_numbers(value):
            if each != header[s] and each not in found[s]:
                found[s].append(each)
    for s, values in found.items():
        out[s] = tuple(values)
    return out


class _Grouping(NamedTuple):
    """Confirmation lines grouped in columns: each row's shipment, order (shipment, PO), box (order,
    carton id: a carton, or the order's loose items) and item (box, line id) codes, the number of each,
    each's first row, and each shipment's partner (its first row's)."""

    shipment: np.ndarray
    order: np.ndarray
    n_orders: int
    box: np.ndarray
    n_boxes: int
    item: np.ndarray
    n_items: int
    ship_row: np.ndarray
    order_row: np.ndarray
    box_row: np.ndarray
    item_row: np.ndarray
    partner: list[str]


def _grouped(lines: pa.Table) -> _Grouping:
    shipment, _ = encode(lines["shipment_id"])
    # an order of a shipment; a store-level partner's order once per store its cartons are marked for (the 856's
    # order loop per PO and store, its N1 BY the store: engine.lifecycle.shipping keeps no store for other partners)
    order, n_orders = encode(shipment, lines["po_number"], lines["mark_for_store"]) if marks_stores(lines) \
        else encode(shipment, lines["po_number"])
    box, n_boxes = encode(order, lines["carton_id"])  # a carton of an order, or its loose items (no carton id)
    # an order line's units in a box; one item per lot when the warehouse names lots (a line of two lots in a carton)
    item, n_items = encode(box, lines["line_id"], *(lines[c] for c in _lot_columns(lines)))
    ship_row, order_row, box_row = first_rows(shipment), first_rows(order, n=n_orders), first_rows(box, n=n_boxes)
    item_row = first_rows(item, n=n_items)
    partner = [p or "" for p in lines["partner"].take(pa.array(ship_row)).to_pylist()]  # a shipment's: its first row's
    return _Grouping(shipment, order, n_orders, box, n_boxes, item, n_items, ship_row, order_row, box_row, item_row,
                     partner)


def _lot_columns(lines: pa.Table) -> list[str]:
    """The lot columns (lot_number, expiration_date) some confirmation line of ``lines`` fills: an item per lot
    (engine.asn writes them for partners whose asn.lots asks); [] when none does (an item per line and box)."""
    return [c for c in ("lot_number", "expiration_date")
            if c in lines.column_names and lines[c].null_count < lines.num_rows]


def _item_kinds(lines: pa.Table, order_lines: pa.Table, items: pa.Table | None, g: _Grouping,
                described: Collection[str] = ()) -> tuple[list[ShippedItem], np.ndarray]:
    """The distinct ShippedItems of the grouped items (_item_columns as objects), and each item's index into them."""
    made, kind = _item_columns(lines, order_lines, items, g, described)
    return made.objects(), kind


def _item_columns(lines: pa.Table, order_lines: pa.Table, items: pa.Table | None, g: _Grouping,
                  described: Collection[str] = ()) -> tuple[ItemColumns, np.ndarray]:
    """The distinct items of the grouped items (each order line's units in one box, summed; what each reads
    of its order line found in columns: _item_lines) as ItemColumns (no object per item: a night's 856s
    carry 100,000 of them), and each item's index into them. The partners ``described`` names have their item's
    description (ITEMS) where the order line sent none (_catalog_descriptions)."""
    item, n_items, item_row = g.item, g.n_items, g.item_row
    qty, present = scaled(lines["quantity"])
    summed = Groups(item, n_items)
    units, present = summed.sum(qty), summed.any(present)
    at = lines.select(["po_number", "line_id", "unit", "item_sku", "sku"]).take(pa.array(item_row))
    who = pa.array(g.partner, pa.string()).take(pa.array(g.shipment[item_row]))
    line = _item_lines(order_lines, who, at["po_number"], at["line_id"])
    unit = pc.coalesce(_blank_null(at["unit"]), _blank_null(line["unit"]), pa.scalar("EA"))
    sku = pc.coalesce(_blank_null(at["item_sku"]), _blank_null(at["sku"]), pa.scalar(""))
    ids, id_kind = line["product_ids"]
    refs, ref_kind = line["line_refs"]  # part of the kind: two POs' same line id with other refs stay apart
    pids, pid_kind = line["pids_sent"]  # (likewise its PIDs as sent)
    hazmat, hazmat_kind = line["hazmat_sent"]  # (and its hazardous-material markings)
    case = _case_packs(sku, items)
    pack = _shipped_packs(unit, case, lines, item_row)
    description = _catalog_descriptions(line["description"], sku, who, items, described)
    ordered = _store_ordered(line, lines, item_row, unit, case, _own_units(sku, items))
    ordered = _in_weight_ordered(line, unit, ordered)
    lot_columns = _lot_columns(lines)
    lot = lines.select(lot_columns).take(pa.array(item_row)) if lot_columns else None
    weights = _net_weights(lines, item, n_items)
    weighed = [] if weights is None else [pa.array([None if w is None else f"{w} {u}" for w, u in weights],
                                                   pa.string())]
    packs = _prepacks(line)
    serials = _serials(lines, item, n_items)
    kind, n_kinds = encode(at["line_id"], pa.array(units), pa.array(present), unit, id_kind, ref_kind, pid_kind,
                           hazmat_kind, sku, ordered,
                           description, pack, *(lot[c] for c in lot_columns), *weighed,
                           *([] if packs is None else [packs[1]]), *([] if serials is None else [serials]))
    first = first_rows(kind, n=n_kinds)
    pick = pa.array(first)
    n = len(first)
    numbers, expiries = [""] * n, [None] * n
    if lot is not None:  # the lot and expiry of each kind's first row (an item's rows are one lot)
        if "lot_number" in lot_columns:
            numbers = [number or "" for number in lot["lot_number"].take(pick).to_pylist()]
        if "expiration_date" in lot_columns:
            expiries = lot["expiration_date"].take(pick).to_pylist()
    net, net_unit = [None] * n, [""] * n
    if weights is not None:  # each kind's net weight (its item's: the weight is part of the kind)
        kept = [weights[k] for k in first.tolist()]
        net = [w for w, _u in kept]
        net_unit = [u if w is not None else "" for w, u in kept]
    components = [()] * n
    if packs is not None:  # each kind's prepack components (its order line's: part of the kind)
        components = [packs[0][k] or () for k in packs[1][first].tolist()]
    made = ItemColumns(at["line_id"].take(pick).to_pylist(), objects(decimal_array(units[first], present[first])),
                       unit.take(pick).to_pylist(), [ids[k] for k in id_kind[first].tolist()],
                       sku.take(pick).to_pylist(), objects(ordered.take(pick)),
                       description.take(pick).to_pylist(), pack.take(pick).to_pylist(), [None] * n, [""] * n,
                       numbers, expiries, net, net_unit, components,
                       [()] * n if serials is None else [tuple(s.split()) for s in serials.take(pick).to_pylist()],
                       [refs[k] for k in ref_kind[first].tolist()], [pids[k] for k in pid_kind[first].tolist()],
                       [hazmat[k] for k in hazmat_kind[first].tolist()])
    return made, kind


def _serials(lines: pa.Table, item: np.ndarray, n_items: int) -> pa.Array | None:
    """Each item's serial numbers (its rows' serial_numbers, in row order, one blank apart; "" for none); None when
    no row names one (most confirmations)."""
    if "serial_numbers" not in lines.column_names or lines["serial_numbers"].null_count == lines.num_rows:
        return None
    joined: list[list[str]] = [[] for _ in range(n_items)]
    for k, text in zip(item.tolist(), lines["serial_numbers"].to_pylist(), strict=True):
        if text:
            joined[k].append(text)
    return pa.array([" ".join(parts) for parts in joined], pa.string())


def _prepacks(line: dict) -> tuple[list[tuple[PrepackComponent, ...]], np.ndarray] | None:
    """Each item's prepack components (its order line's SLN I sublines, schemas.orders.PREPACK_COMPONENT) as
    (the distinct tuples of PrepackComponents, () first; each item's index into them); None when no item's line
    has any (most orders). A component without a quantity per pack, or without an id, leaves its line's tuple
    empty: an 856 then lists the pack alone rather than a part of it."""
    column = line.get("prepack_components")
    if column is None or column.null_count == len(column):
        return None
    made: list[tuple[PrepackComponent, ...]] = [()]
    index: dict[tuple[PrepackComponent, ...], int] = {(): 0}
    kinds = np.zeros(len(column), np.int64)
    for k, parts in enumerate(column.to_pylist()):
        if not parts:
            continue
        comps = tuple(PrepackComponent(c["subline"] or "", c["quantity"], c["unit"] or "EA",
                                       tuple(ProductId(p["qualifier"], p["id"]) for p in c["product_ids"] or ()
                                             if p["qualifier"] and p["id"]))
                      for c in parts)
        if any(c.quantity is None or c.quantity <= 0 or not c.product_ids for c in comps):
            comps = ()
        kinds[k] = index.setdefault(comps, len(made))
        if kinds[k] == len(made):
            made.append(comps)
    return made, kinds


def _net_weights(lines: pa.Table, item: np.ndarray, n_items: int) -> list[tuple[Decimal | None, str]] | None:
    """Each grouped item's net weight (its rows' net weights added) and unit: (None, "") where a row of it has none
    or another unit than the others; None when no row gives one (the confirmations of most goods)."""
    if "net_weight" not in lines.column_names or lines["net_weight"].null_count == lines.num_rows:
        return None
    sums: list[Decimal | None] = [Decimal(0)] * n_items
    units: list[str | None] = [None] * n_items
    unit_of = lines["net_weight_unit"].to_pylist() if "net_weight_unit" in lines.column_names else [None] * len(item)
    for k, weight, unit in zip(item.tolist(), lines["net_weight"].to_pylist(), unit_of, strict=True):
        if sums[k] is None:
            continue
        if weight is None or not unit or units[k] not in (None, unit):
            sums[k] = None
            continue
        units[k] = unit
        sums[k] += weight
    return [(w, u or "") if w is not None else (None, "") for w, u in zip(sums, units, strict=True)]


def _store_ordered(line: dict, lines: pa.Table, item_row: np.ndarray, unit: pa.Array, case: pa.Array,
                   own: pa.Array | None = None) -> pa.Array:
    """Each item's quantity ordered (SN105): its order line's, or, for an item marked for a store (a store-level
    partner's order loop per store: engine.lifecycle.shipping keeps no store for others), that store's SDQ
    quantity of the line when the SDQ gives it in the item's unit (SDQ01 the line's, or none), or in eaches of
    an item in cases (``case``: each item's case pack) that make whole cases (SDQ*EA*92*0101*12 of a line in
    CA of 6: 2 CA; an SDQ in the item's own selling unit, ``own``, counts eaches too: SDQ*PR*92*0101*6 of shoes
    sold by the pair, a line in CA of 6 pairs: 1 CA): what the store ordered, as its order loop reports it (not
    the whole line's quantity)."""
    quantity = line["quantity"]
    if "store_quantities" not in line or not marks_stores(lines):
        return quantity
    column, row = line["store_quantities"]  # (ORDER_LINES' store_quantities, each item's row in it or -1)
    stores = lines["mark_for_store"].take(pa.array(item_row)).to_pylist()
    values = quantity.to_pylist()
    units, cases = unit.to_pylist(), case.to_pylist()
    owns = own.to_pylist() if own is not None else None
    splits: dict[int, dict[str, list[dict]]] = {}  # an order line's SDQ pairs by store, read once per line
    for k, store in enumerate(stores):
        if not store or row[k] < 0:
            continue
        at = int(row[k])
        split = splits.get(at)
        if split is None:
            split = splits[at] = {}
            for q in column[at].as_py() or ():
                split.setdefault(q["store"], []).append(q)
        per = _store_unit_eaches(units[k], cases[k])
        each = owns[k] if owns is not None else None
        parts = [_in_unit(q["quantity"], q["unit"], units[k], per, each) for q in split.get(store, ())]
        if parts and None not in parts:
            values[k] = sum(parts, Decimal(0))
    return pa.array(values, quantity.type)


class _Cartons(NamedTuple):
    """The boxes with a carton id (``carton``: their box codes; ``loose``: the others) with each carton's
    label, SSCC (its own, else the one numbered, else ""), weight and weight unit (its first row giving
    a weight), whether it sits on a
    pallet, its order and first row (as its first row says); the pallets (an order's cartons by pallet
    id): each carton on one its pallet code, each pallet's first row (its cartons' first), label and SSCC."""

    carton: np.ndarray
    loose: np.ndarray
    label: list[str]
    sscc: list[str]
    weight: list[Decimal | None]
    unit: list[str]
    on_pallet: np.ndarray
    order: np.ndarray
    first: np.ndarray
    tare: np.ndarray
    n_tares: int
    tare_row: np.ndarray
    tare_label: list[str]
    tare_sscc: list[str]


def _cartons(lines: pa.Table, g: _Grouping, ssccs: Mapping[tuple, str]) -> _Cartons:
    box_row, order = g.box_row, g.order
    cid = lines["carton_id"].take(pa.array(box_row))
    carton = np.flatnonzero(_valid(cid))
    loose = np.flatnonzero(~_valid(cid))
    at = lines.select(["shipment_id", "carton_id", "pallet_id", "carton_sscc", "carton_weight", "weight_unit"]
                      ).take(pa.array(box_row[carton]))
    own = pc.coalesce(sscc_columns(at["carton_sscc"])[1], sscc_columns(at["carton_id"])[1]).to_pylist()
    sids, labels = at["shipment_id"].to_pylist(), at["carton_id"].to_pylist()
    sscc = [code or ssccs.get((sid, label), "") for sid, label, code in zip(sids, labels, own, strict=True)]
    on_pallet = _valid(at["pallet_id"])
    carton_order, first = order[box_row[carton]], box_row[carton]
    tare, n_tares = encode(carton_order[on_pallet], at["pallet_id"].filter(pa.array(on_pallet)))
    tare_row = Groups(tare, n_tares).min(first[on_pallet], len(order))
    at_t = lines.select(["shipment_id", "pallet_id", "pallet_sscc"]).take(pa.array(tare_row))
    own_t = pc.coalesce(sscc_columns(at_t["pallet_sscc"])[1], sscc_columns(at_t["pallet_id"])[1]).to_pylist()
    t_labels = at_t["pallet_id"].to_pylist()
    t_sscc = [code or ssccs.get((sid, label), "") for sid, label, code in zip(
        at_t["shipment_id"].to_pylist(), t_labels, own_t, strict=True)]
    weight, unit = at["carton_weight"], at["weight_unit"]
    weighed = _valid(lines["carton_weight"])
    if weighed.any() and weight.null_count:  # a carton weighed on a later row than its first (CSV): that row's
        row = first_rows(g.box, weighed, n=g.n_boxes)[carton]
        later = pa.array(row >= 0)
        taken = lines.select(["carton_weight", "weight_unit"]).take(pa.array(np.maximum(row, 0)))
        weight = pc.if_else(later, taken["carton_weight"], weight)
        unit = pc.if_else(later, taken["weight_unit"], unit)
    return _Cartons(carton, loose, labels, sscc, objects(weight),
                    [u or "" for u in unit.to_pylist()], on_pallet, carton_order, first, tare, n_tares,
                    tare_row, t_labels, t_sscc)


def names_packaging(lines: pa.Table, items: pa.Table | None) -> bool:
    """Whether a confirmation row of ``lines`` or an item of ``items`` (ITEMS) names a packaging (_packagings)."""
    return ("packaging" in lines.column_names and lines["packaging"].null_count < lines.num_rows) or bool(
        items is not None and items.num_rows and "packaging" in items.column_names
        and items["packaging"].null_count < items.num_rows)


def _packagings(lines: pa.Table, g: _Grouping, carton: np.ndarray, items: pa.Table | None) -> list[str]:
    """Each carton's packaging (Pack.packaging, TD101): the first of its rows' Packaging (SHIPMENT_LINES packaging),
    else its items' packaging in the item master (ITEMS packaging) when they all have one and the same, else ""
    (the partner's default, AsnSettings.packaging). No Python step per row when neither names any (the usual feed)."""
    rows = lines.num_rows
    if not names_packaging(lines, items):
        return [""] * len(carton)
    given = lines["packaging"] if "packaging" in lines.column_names else pa.nulls(rows, pa.string())
    listed = items is not None and "packaging" in items.column_names and items["packaging"].null_count < items.num_rows
    master = [packaging_code(v) for v in _of_items(lines["sku"], items, "packaging").to_pylist()] if listed \
        else [None] * rows
    first: dict[int, str] = {}
    kinds: dict[int, set[str]] = defaultdict(set)
    for b, own, theirs in zip(g.box.tolist(), given.to_pylist(), master, strict=True):
        if own and b not in first:
            first[b] = own
        kinds[b].add(theirs or "")
    return [first.get(b) or (next(iter(kinds[b])) if len(kinds[b]) == 1 else "") for b in carton.tolist()]


def _nest(parent: np.ndarray, rank: np.ndarray, made: list, n: int) -> list[tuple]:
    """``made`` (one object per entry of ``parent``) as a tuple per parent 0..n-1, each in ``rank`` order."""
    order = np.lexsort((rank, parent)).tolist()
    ordered = [made[i] for i in order]
    ends = np.cumsum(np.bincount(parent, minlength=n)).tolist()
    return [tuple(ordered[a:b]) for a, b in zip([0, *ends][:n], ends, strict=True)]


def _item_lines(order_lines: pa.Table, partner: pa.Array, po_number: pa.Array, line_id: pa.Array) -> dict:
    """What each item (``partner``, ``po_number``, ``line_id`` columns) reads of its canonical ORDER_LINES
    row (SN103 and SN105 by default, PID05, LIN pairs), found with a join on (partner, PO, line id: PO101,
    else the line number), a later row of the same id winning: unit, quantity, description ("" where
    none) as columns, null where no row matches; product_ids as (the distinct tuples of ProductIds, each
    item's index into them: () where none)."""
    n = len(partner)
    key = pc.if_else(pc.fill_null(pc.not_equal(order_lines["line_id"], ""), False), order_lines["line_id"],
                     pc.cast(order_lines["line_number"], pa.string()))
    mine, theirs, k, present = paired_codes([partner, po_number, line_id],
                                            [order_lines["partner"], order_lines["po_number"], key])
    last = np.full(k, -1, np.int64)  # each key's last row (a null key pairs with nothing: ``present``)
    np.maximum.at(last, theirs, np.arange(len(theirs)))
    row = np.where(present, last[mine], -1) if n else np.zeros(0, np.int64)
    hit = pa.array(row >= 0)
    take = pa.array(np.maximum(row, 0)) if order_lines.num_rows else None

    def of(column: str) -> pa.Array:
        if take is None:
            return pa.nulls(n, order_lines.schema.field(column).type)
        return pc.if_else(hit, order_lines[column].take(take), pa.scalar(None, order_lines.schema.field(column).type))

    ids, kind = _product_ids(order_lines["product_ids"]) if order_lines.num_rows else ([], np.zeros(0, np.int64))
    ids.append(())  # where no row matches
    id_kind = np.where(row >= 0, kind[np.maximum(row, 0)] if len(kind) else 0, len(ids) - 1)
    # the line's own REFs, (REF01, REF02, REF03 or None) each with a REF02 (none: every item's)
    refs: list[tuple[tuple[str, str, str | None], ...]] = [()]
    ref_kind = np.zeros(n, np.int64)
    if order_lines.num_rows and "line_refs" in order_lines.column_names and \
            order_lines["line_refs"].null_count < order_lines.num_rows:  # rare: read row by row
        at: dict[tuple, int] = {(): 0}
        kinds = np.array([at.setdefault(tuple((r["qualifier"], r["id"], r.get("description")) for r in got or ()
                                              if r["id"]), len(at))
                          for got in order_lines["line_refs"].to_pylist()], np.int64)
        refs = list(at)
        ref_kind = np.where(row >= 0, kinds[np.maximum(row, 0)], 0)
    pids: list[tuple[tuple[str, str, str], ...]] = [()]  # the line's own PIDs as sent (none: its description alone)
    pid_kind = np.zeros(n, np.int64)
    if order_lines.num_rows and "pids_sent" in order_lines.column_names and \
            order_lines["pids_sent"].null_count < order_lines.num_rows:  # rare: read row by row
        index: dict[tuple, int] = {(): 0}
        kinds = np.array([index.setdefault(tuple((p["characteristic"] or "", p["description"], p.get("language") or "")
                                                 for p in got or ()), len(index))
                          for got in order_lines["pids_sent"].to_pylist()], np.int64)
        pids = list(index)
        pid_kind = np.where(row >= 0, kinds[np.maximum(row, 0)], 0)
    hazmat: list[tuple[tuple[str, str, str, str], ...]] = [()]  # its hazardous-material TD4s as sent (none: none)
    hazmat_kind = np.zeros(n, np.int64)
    if order_lines.num_rows and "hazmat_sent" in order_lines.column_names and \
            order_lines["hazmat_sent"].null_count < order_lines.num_rows:  # rare: read row by row
        known: dict[tuple, int] = {(): 0}
        kinds = np.array([known.setdefault(tuple(tuple(h[k] or "" for k in ("code", "qualifier", "hazard_class",
                                                                             "description")) for h in got or ()),
                                           len(known)) for got in order_lines["hazmat_sent"].to_pylist()], np.int64)
        hazmat = list(known)
        hazmat_kind = np.where(row >= 0, kinds[np.maximum(row, 0)], 0)
    weights = {c: of(c) for c in ("weight_ordered", "weight_unit") if c in order_lines.column_names}
    return {"unit": of("unit"), "quantity": of("quantity"), "description": pc.fill_null(of("description"), ""),
            **weights,
            "product_ids": (ids, id_kind), "line_refs": (refs, ref_kind), "pids_sent": (pids, pid_kind),
            "hazmat_sent": (hazmat, hazmat_kind),
            # the SDQ column as it is and each item's row in it (-1: none), not taken per item: a store-level PO's
            # line of 200 stores is 200 pairs, and its 200 stores' cartons would each have taken all 200
            **({"store_quantities": (order_lines["store_quantities"], row)}
               if "store_quantities" in order_lines.column_names else {}),
            **({"prepack_components": of("prepack_components")} if "prepack_components" in order_lines.column_names
               else {})}




def _store_unit_eaches(unit: str | None, case_pack: int | None) -> int | None:
    """Eaches in one ``unit`` of an item with ``case_pack``: the case pack for a case (CA, CS) of more than one
    each, else None (no conversion known here)."""
    return case_pack if unit in ("CA", "CS") and case_pack and case_pack > 1 else None


def _in_unit(quantity: Decimal | None, sent: str | None, unit: str | None, per: int | None,
             own: str | None = None) -> Decimal | None:
    """An SDQ quantity in the item's ``unit``: as sent in it (or with no SDQ01), whole cases of eaches sent in
    eaches (``per`` eaches a case; the item's own selling unit ``own``, not a case, is its each: a pair of shoes
    sold by the pair), else None (not known in that unit)."""
    if quantity is None or sent in (None, unit):
        return quantity
    if per and (sent in EACH_UNITS or (sent == own and own not in ("CA", "CS"))) and quantity % per == 0:
        return quantity / per
    return None


def _own_units(sku: pa.Array, items: pa.Table | None) -> pa.Array:
    """Each ``sku``'s selling unit (ITEMS unit; null where the item is not listed)."""
    if items is None or not items.num_rows or "unit" not in items.column_names:
        return pa.nulls(len(sku), pa.string())
    return _of_items(sku, items, "unit")


def _in_weight_ordered(line: dict, unit: pa.Array, ordered: pa.Array) -> pa.Array:
    """Each item's quantity ordered (SN105) in the weight its order line was ordered in, where the item states what
    shipped in it (``unit``: stated_in_weight_ordered restated its rows) and the line holds another: 400 OZ, not the
    25 LB we count the line in. Every other item's ``ordered`` as it is."""
    if "weight_unit" not in line or line["weight_unit"].null_count == len(unit):
        return ordered
    restated = pc.fill_null(pc.and_(pc.equal(unit, line["weight_unit"]), pc.not_equal(unit, line["unit"])), False)
    return pc.if_else(restated, pc.cast(line["weight_ordered"], ordered.type), ordered)


def stated_in_weight_ordered(lines: pa.Table, order_lines: pa.Table) -> pa.Table:
    """The confirmation ``lines`` as the 856 states them: a row of an order line taken in another weight than the
    buyer's by definition (rules.business.by_weight: 400 OZ of almonds we count in pounds is a line of 25 LB, its
    weight_ordered 400 and weight_unit OZ) in the weight ordered, converted as billing converts a weight
    (schemas.units.weight_in, each row on its own, 4 places): 25 LB shipped is SN1**400*OZ**400*OZ, as the 855
    answered ACK*IA*400*OZ and the 810 bills it. A line restated from a weight into cases (a catch-weight line, by
    its average weight) ships in its cases as before. ``lines`` itself when no row is such (the usual night); the
    stored shipment, reservations and the line's shipped quantity stay in the line's unit."""
    if not lines.num_rows or "weight_unit" not in order_lines.column_names or \
            order_lines["weight_unit"].null_count == order_lines.num_rows:
        return lines
    line = _item_lines(order_lines, lines["partner"], lines["po_number"], lines["line_id"])
    sent = line["weight_unit"].to_pylist()
    own = pc.coalesce(_blank_null(lines["unit"]), _blank_null(line["unit"])).to_pylist()
    quantity, unit, changed = lines["quantity"].to_pylist(), lines["unit"].to_pylist(), False
    for k, (mine, other) in enumerate(zip(own, sent, strict=True)):
        if other is None or mine == other or mine not in KILOGRAMS_PER or other not in KILOGRAMS_PER or \
                quantity[k] is None:
            continue
        weight = weight_in(quantity[k], mine, other)
        if weight is not None:
            quantity[k], unit[k], changed = weight, other, True
    if not changed:
        return lines
    out = lines.set_column(lines.schema.get_field_index("quantity"), lines.schema.field("quantity"),
                           pa.array(quantity, lines.schema.field("quantity").type))
    return out.set_column(out.schema.get_field_index("unit"), out.schema.field("unit"),
                          pa.array(unit, out.schema.field("unit").type))


def _shipped_packs(unit: pa.Array, case: pa.Array, lines: pa.Table, item_row: np.ndarray) -> pa.Array:
    """Each item's PO401, the pack of the unit it shipped in (SN103): the eaches one holds when it is a pack of more
    than one (schemas.units.pack_unit: BX, DZ, PL, CT ..., its order line's line_eaches: a BX of 100 gloves is PO4*100
    beside SN1**10*BX, never the case of 1,000 a receiver would multiply the 10 boxes by), else the item's case pack
    (``case``: the case of 1,000 eaches an EA line ships in, a roll's or a pound's case as before)."""
    if "line_eaches" not in lines.column_names or not len(item_row):
        return case
    per = pc.take(lines["line_eaches"], pa.array(item_row))
    packs = pa.array([u for u in pc.unique(unit).to_pylist() if pack_unit(u)], pa.string())
    packed = pc.and_(pc.fill_null(pc.greater(per, 1), False), pc.fill_null(pc.is_in(unit, value_set=packs), False))
    return pc.if_else(packed, pc.cast(per, pa.int64()), case)


def _case_packs(sku: pa.Array, items: pa.Table | None) -> pa.Array:
    """Each ``sku``'s case pack (ITEMS; int64, null where the item is not listed), as a dict of the items
    by SKU reads it (a SKU listed twice: its last row's), found in Arrow."""
    if items is None or not items.num_rows:
        return pa.nulls(len(sku), pa.int64())
    return pc.cast(_of_items(sku, items, "case_pack"), pa.int64())


def _of_items(sku: pa.Array, items: pa.Table, column: str) -> pa.Array:
    """Each ``sku``'s ``column`` in ``items`` (ITEMS), null where the SKU is not listed; a SKU listed twice: its last
    row's."""
    last_first = items.take(pa.array(np.arange(items.num_rows - 1, -1, -1, dtype=np.int64)))  # the last row first
    return last_first[column].take(pc.index_in(sku, value_set=last_first["sku"]))


def _catalog_descriptions(sent: pa.Array, sku: pa.Array, partner: pa.Array, items: pa.Table | None,
                          described: Collection[str]) -> pa.Array:
    """Each item's description: the order line's (``sent``: PID05, "" where none), else, for a partner of
    ``described``, its ``sku``'s in ITEMS (a SKU listed twice: its last row's; "" where not listed or blank)."""
    if not described or items is None or not items.num_rows or "description" not in items.column_names:
        return sent
    ours = pc.fill_null(_of_items(sku, items, "description"), "")
    wanted = pc.and_(pc.is_in(partner, value_set=pa.array(sorted(described), pa.string())), pc.equal(sent, ""))
    return pc.if_else(pc.fill_null(wanted, False), ours, sent)


def _blank_null(column: pa.Array) -> pa.Array:
    """``column`` with "" as null (for coalesce: a value or the next, as ``a or b`` reads them)."""
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def _product_ids(column) -> tuple[list[tuple[ProductId, ...]], np.ndarray]:
    """Each row's (qualifier, id) pairs with an id as ProductIds: the rows grouped in columns by their
    sequence of distinct pairs, the ProductIds of each distinct sequence made once: (those tuples, each
    row's index into them)."""
    ids = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    flat = pc.list_flatten(ids)
    value = pc.struct_field(flat, "id")
    kept = pc.fill_null(pc.not_equal(value, ""), False)
    qualifier, value = pc.struct_field(flat, "qualifier").filter(kept), value.filter(kept)
    parent = pc.list_parent_indices(ids).filter(kept).to_numpy(zero_copy_only=False)
    pair, _ = encode(qualifier, value)
    offsets = np.r_[0, np.cumsum(np.bincount(parent, minlength=len(ids)))].astype(np.int32)
    sequence = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), pc.cast(pa.array(pair), pa.string())), ",")
    kind = sequence.dictionary_encode().indices.to_numpy(zero_copy_only=False)
    made = []
    for row in first_rows(kind).tolist():  # a row of each distinct sequence
        a, b = int(offsets[row]), int(offsets[row + 1])
        made.append(tuple(map(ProductId, qualifier[a:b].to_pylist(), value[a:b].to_pylist())))
    return made, kind.astype(np.int64)


def confirmed_quantities(lines: pa.Table, shipment_id: str) -> dict[tuple[str, str], Decimal]:
    """(PO, line id) -> units the confirmation says shipped under ``shipment_id``: what the 856's
    self-check holds its SN1s against (build_856's ``expected``)."""
    out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for sid, po, line, qty in zip(*(lines.column(c).to_pylist() for c in ("shipment_id", "po_number", "line_id",
                                                                           "quantity")), strict=True):
        if sid == shipment_id and qty is not None:
            out[(po, line)] += qty
    return dict(out)


_HAZMAT = ("hazmat_sent",)  # the ORDERS column of a PO heading's hazardous-material markings (heading_hazmat)


def heading_hazmat(head: Mapping) -> tuple[tuple[str, str, str, str], ...]:
    """An ORDERS row's hazardous-material markings (hazmat_sent) as ShippedOrder.hazmat: (TD401, TD402, TD403, TD404)
    each, "" for one not sent; () for none (or a row without the column)."""
    return tuple(tuple(h.get(k) or "" for k in ("code", "qualifier", "hazard_class", "description"))
                 for h in head.get("hazmat_sent") or ())


_NO_ORDER: tuple[dict, None, None, tuple] = ({}, None, None, ())  # an order not among the canonical rows: no PRF date,
# no ship-to, no mark-for, no references
_SHIP_TO = ("ship_to_name", "ship_to_id_qualifier", "ship_to_id", "ship_to_address1", "ship_to_address2",
            "ship_to_city", "ship_to_state", "ship_to_postal_code", "ship_to_country", "ship_to_name2",
            "ship_to_contact_sent")


def _to_lines(lines: pa.Table, orders: pa.Table, order_lines: pa.Table | None, shipment: np.ndarray,
              dcs: StoreDcs | None = None) -> dict[int, Party]:
    """Shipment code -> the own ship-to (own_ship_tos) its lines go to; a shipment of lines for the order's
    ship-to is not named. Lines for several places never share a shipment (engine.lifecycle.shipping splits such a
    load into one shipment per stop, engine.lifecycle.stops, or holds it: SHIPMENT_SHIP_TOS_MIXED); the first row's
    wins here (a stop of a line's own place and another PO's order-level same place: the line's party)."""
    out: dict[int, Party] = {}
    for code, party in zip(shipment.tolist(), own_ship_tos(lines, orders, order_lines, dcs), strict=True):
        if party is not None:
            out.setdefault(code, party)
    return out


def heading_only(order_lines: pa.Table, partners: Set[str]) -> pa.Table:
    """``order_lines`` with the own ship-tos (ship_to_*) of ``partners``' lines left out: partners that agreed to
    heading-only shipping (their profile accepts LINE_SHIP_TO_DIFFERS) get every line at the order's ship-to."""
    cols = [f"ship_to_{f}" for f in LINE_SHIP_TO]
    if not partners or not order_lines.num_rows or any(c not in order_lines.column_names for c in cols):
        return order_lines
    theirs = pc.is_in(order_lines["partner"], value_set=pa.array(sorted(partners), pa.string()))
    if not pc.any(theirs).as_py():
        return order_lines
    for c in cols:
        order_lines = order_lines.set_column(order_lines.schema.get_field_index(c), c, pc.if_else(
            theirs, pa.scalar(None, pa.string()), order_lines[c]))
    return order_lines


def own_ship_tos(lines: pa.Table, orders: pa.Table, order_lines: pa.Table | None,
                 dcs: StoreDcs | None = None) -> list[Party | None]:
    """Per confirmation row of ``lines``, the ship-to of its order line where the line names its own (a PO1
    loop's N1*ST: ORDER_LINES ship_to_*, with the N3/N4 of its loop when sent) and that is another party than its
    order's (rules.business.places same_party), else the DC its carton's store goes through (``dcs``: store_dcs;
    mark_for_store) where that is not its order's ship-to (N104); None: the order's ship-to. A shipment's lines
    going to one such place make its 856's N1*ST (and N3/N4)."""
    own = _line_ship_tos(lines, orders, order_lines)
    via = _store_dc_ship_tos(lines, orders, dcs or {})
    if via is None:
        return own or [None] * lines.num_rows
    if own is None:
        return via
    return [mine if mine is not None else dc for mine, dc in zip(own, via, strict=True)]


def _line_ship_tos(lines: pa.Table, orders: pa.Table, order_lines: pa.Table | None) -> list[Party | None] | None:
    """own_ship_tos of the order lines' own N1*ST alone; None when no row has one."""
    from rules.business.places import same_party

    cols = [f"ship_to_{f}" for f in LINE_SHIP_TO]
    if order_lines is None or not order_lines.num_rows or any(c not in order_lines.column_names for c in cols):
        return None
    own = order_lines.filter(pc.or_(pc.is_valid(order_lines["ship_to_id"]), pc.is_valid(order_lines["ship_to_name"])))
    if not own.num_rows:
        return None
    # the order's address too: a line naming its order's name at another door is another place (same_party)
    places = [*cols, *(f"ship_to_{f}" for f in LINE_SHIP_TO_ADDRESS if f"ship_to_{f}" in orders.column_names)]
    heads = {(r["partner"], r["po_number"]): r for r in orders.select(["partner", "po_number", *places]).to_pylist()}
    parties: dict[tuple, Party] = {}
    address = [f"ship_to_{f}" for f in LINE_SHIP_TO_ADDRESS if f"ship_to_{f}" in own.column_names]
    for r in own.select(["partner", "po_number", "line_id", *cols, *address]).to_pylist():
        head = heads.get((r["partner"], r["po_number"]))
        if head is not None and not same_party(r, head):
            parties[(r["partner"], r["po_number"], r["line_id"])] = Party(
                "ST", r["ship_to_name"] or "", id_qualifier=r["ship_to_id_qualifier"] or "", id=r["ship_to_id"] or "",
                **{c[len("ship_to_"):]: r[c] or "" for c in address})
    if not parties:
        return None
    return [parties.get(k) for k in zip(*(lines[c].to_pylist() for c in ("partner", "po_number", "line_id")),
                                        strict=True)]


def store_dcs(ship_tos: pa.Table, partners: Set[str] | None = None) -> dict[tuple[str, str], Party]:
    """(partner, store) -> the DC that location is shipped through (ship_tos.csv dc), as an N1*ST: the DC's own
    row (its name, its location id under 92 assigned by buyer, its address). ``partners``: theirs only (the
    store-level partners, whose confirmations keep each carton's store); {} when no row names a DC."""
    if "dc" not in ship_tos.column_names or ship_tos["dc"].null_count == ship_tos.num_rows:
        return {}
    rows = ship_tos.to_pylist()
    places = {(r["partner"], r["location_id"]): r for r in rows}
    out: dict[tuple[str, str], Party] = {}
    for r in rows:
        dc = places.get((r["partner"], r["dc"])) if r["dc"] else None
        if dc is not None and (partners is None or r["partner"] in partners):
            out[(r["partner"], r["location_id"])] = Party(
                "ST", dc["name"] or "", id_qualifier="92", id=dc["location_id"], address1=dc["address1"] or "",
                city=dc["city"] or "", state=dc["state"] or "", postal_code=dc["postal_code"] or "",
                country=dc["country"] or "")
    return out


def with_reference_addresses(orders: pa.Table, ship_tos: pa.Table, partners: Set[str]) -> pa.Table:
    """``orders`` with the ship-to of each order of ``partners`` (their profile's
    FulfilmentSettings.ship_to_address_from_reference) that the PO named by its id alone (an N104, none of its
    address columns sent: no N3/N4) given the address of ship_tos.csv's row for that (partner, location id): its
    street, city, state, postal code and country, the 856's and the 810's N3/N4. The name and id stay as sent; an
    order that sent any part of an address keeps its own."""
    fill = ("address1", "city", "state", "postal_code", "country")
    sent = [f"ship_to_{f}" for f in ("address1", "address2", "city", "state", "postal_code", "country")]
    if not partners or not orders.num_rows or not ship_tos.num_rows or any(
            c not in orders.column_names for c in ("partner", "ship_to_id", *sent)):
        return orders
    rows = ship_tos.select(["partner", "location_id", *fill]).to_pylist()
    places = {(r["partner"], r["location_id"]): r for r in rows if r["partner"] in partners}
    if not places:
        return orders
    columns = {c: orders[c].to_pylist() for c in sent}
    found = False
    for i, (partner, ident) in enumerate(zip(orders["partner"].to_pylist(), orders["ship_to_id"].to_pylist(),
                                             strict=True)):
        place = places.get((partner, (ident or "").strip())) if ident else None
        if place is None or any((columns[c][i] or "").strip() for c in sent):
            continue
        found = True
        for f in fill:
            columns[f"ship_to_{f}"][i] = place[f] or None
    if not found:
        return orders
    for c in sent:
        orders = orders.set_column(orders.schema.get_field_index(c), orders.schema.field(c),
                                   pa.array(columns[c], orders.schema.field(c).type))
    return orders


def _store_dc_ship_tos(lines: pa.Table, orders: pa.Table, dcs: StoreDcs) -> list[Party | None] | None:
    """Per confirmation row, the DC its carton's store (mark_for_store) goes through (``dcs``) where that is
    not its order's ship-to (another N104); None when no row has one."""
    if not dcs or not marks_stores(lines):
        return None
    heads = {(r["partner"], r["po_number"]): (r.get("ship_to_id") or "").strip()
             for r in orders.select([c for c in ("partner", "po_number", "ship_to_id")
                                     if c in orders.column_names]).to_pylist()}
    out: list[Party | None] = []
    for partner, po, store in zip(*(lines[c].to_pylist() for c in ("partner", "po_number", "mark_for_store")),
                                  strict=True):
        dc = dcs.get((partner, store)) if store else None
        out.append(dc if dc is not None and dc.id != heads.get((partner, po)) else None)
    return out if any(p is not None for p in out) else None


def _ship_tos(orders: pa.Table) -> list[Party]:
    """Each row's ship-to party (_ship_to), made once per distinct address (the rows sharing one share it)."""
    if not orders.num_rows:
        return []
    n = orders.num_rows
    columns = [orders[c].to_pylist() if c in orders.column_names else [None] * n for c in _SHIP_TO]
    made: dict[tuple, Party | None] = {}  # an order's few fields: a dict of their tuples, no column pass per field
    for row in zip(*columns, strict=True):
        if row not in made:
            made[row] = _ship_to(dict(zip(_SHIP_TO, row, strict=True)))
    return list(map(made.__getitem__, zip(*columns, strict=True)))


def _ship_to(order: dict) -> Party | None:
    if not order:
        return None
    name, name2 = with_name2(order.get("ship_to_name") or "", order.get("ship_to_name2"))
    return Party(code="ST", name=name, name2=name2, id_qualifier=order.get("ship_to_id_qualifier") or "",
                 id=order.get("ship_to_id") or "", address1=order.get("ship_to_address1") or "",
                 address2=order.get("ship_to_address2") or "", city=order.get("ship_to_city") or "",
                 state=order.get("ship_to_state") or "", postal_code=order.get("ship_to_postal_code") or "",
                 country=order.get("ship_to_country") or "",
                 contact=tuple((order.get("ship_to_contact_sent") or "").split(ELEMENTS_SEP))
                 if order.get("ship_to_contact_sent") else ())


# --- the same shipments in columns (the ship run's usual path: no objects per carton or order) ---------

class ShipmentSummary(NamedTuple):
    """A shipment as assemble_shipments would make it, without its objects (shipment_columns): its
    header (its first line's), partner, ship-to, POs in the order first seen, its pallets and cartons as
    the shipment's record lists them (RecordedCartons: each order's pallets, each followed by its cartons,
    then its cartons off any pallet; those without an SSCC left out), and what its TD1s count: cartons,
    pallets, and the cartons' summed weight (None unless each carton has one, all in one unit) with its unit."""

    shipment_id: str
    partner: str
    ship_date: date
    ship_time: time | None
    carrier_scac: str
    service_level: str
    tracking_number: str
    bill_of_lading: str
    ship_to: Party
    po_numbers: tuple[str, ...]
    cartons: tuple[RecordedCarton, ...]
    n_cartons: int
    n_pallets: int
    weight: Decimal | None
    weight_unit: str
    more_tracking: tuple[str, ...] = ()  # its tracking numbers other than the header's (more_tracking)
    given: tuple = ()  # header_fields of its first line, as (name, value) pairs (a 945's W27 and W03)


def shipment_columns(lines: pa.Table, orders: pa.Table, order_lines: pa.Table, *, pallets: bool,
                     ssccs: Mapping[tuple, str] | None = None, items: pa.Table | None = None,
                     serials: Mapping[str, int] | None = None, dcs: StoreDcs | None = None,
                     described: Collection[str] = (), service_names: Mapping[str, str] | None = None
                     ) -> tuple[list[ShipmentSummary], Flat856] | None:
    """assemble_shipments' shipments (same arguments) as ShipmentSummaries and as the Flat856 that
    engine.asn_columnar.write_856_texts writes (``pallets``: S-O-T-P-I, its pallets' HL loops; else S-O-P-I),
    both in the order assemble_shipments lists them, grouped and numbered in columns: each order,
    pallet, carton and item keyed by its shipment, its order's first row, pallets before loose cartons,
    its pallet's and its own first row, sorted once; the HL numbers are the positions in each shipment.
    ``serials``: SSCC -> our serial of it (the recorded cartons'). None when an order has items without a
    carton (those 856s are left to build_856) or no lines."""
    ssccs, serials = ssccs or {}, serials or {}
    if not lines.num_rows or line_marks_for(lines, orders, order_lines) is not None:
        return None  # lines marked for parties of their own: assemble_shipments marks their cartons
    g = _grouped(lines)
    c = _cartons(lines, g, ssccs)
    if len(c.loose):
        return None
    made, kind = _item_columns(lines, order_lines, items, g, described)
    n_s, n_o, n_t, n_c, n_i = len(g.ship_row), g.n_orders, c.n_tares, len(c.carton), g.n_items
    rank = np.empty(n_s, np.int64)  # each shipment code's place (the order of first rows)
    by_row = np.argsort(g.ship_row, kind="stable")
    rank[by_row] = np.arange(n_s)
    o_s = rank[g.shipment[g.order_row]]
    c_tare = np.full(n_c, -1, np.int64)
    c_tare[c.on_pallet] = c.tare
    t_order = g.order[c.tare_row]
    t_row = c.tare_row[np.maximum(c_tare, 0)] if n_t else np.zeros(n_c, np.int64)
    c_trow = np.where(c.on_pallet, t_row, 0)
    c_sec = np.where(c.on_pallet, 1, 2)
    carton_of_box = np.full(g.n_boxes, -1, np.int64)
    carton_of_box[c.carton] = np.arange(n_c)
    i_c = carton_of_box[g.box[g.item_row]]  # each item's carton
    # every entity keyed as written: shipment, its order's first row, section (0 the order, 1 its pallets
    # and their cartons, 2 its cartons off any pallet), the pallet's first row, the carton's (-1: the
    # pallet itself), the item's (-1: the carton itself)
    kind_of = np.concatenate([np.zeros(n_o, np.int8), np.ones(n_t, np.int8), np.full(n_c, 2, np.int8),
                              np.full(n_i, 3, np.int8)])
    index = np.concatenate([np.arange(n_o), np.arange(n_t), np.arange(n_c), np.arange(n_i)]).astype(np.int64)
    k1 = np.concatenate([o_s, o_s[t_order], o_s[c.order], o_s[c.order][i_c]])
    k2 = np.concatenate([g.order_row, g.order_row[t_order], g.order_row[c.order], g.order_row[c.order][i_c]])
    k3 = np.concatenate([np.zeros(n_o, np.int64), np.ones(n_t, np.int64), c_sec, c_sec[i_c]])
    k4 = np.concatenate([np.zeros(n_o, np.int64), c.tare_row, c_trow, c_trow[i_c]])
    k5 = np.concatenate([np.zeros(n_o, np.int64), np.full(n_t, -1, np.int64), c.first, c.first[i_c]])
    k6 = np.concatenate([np.zeros(n_o + n_t, np.int64), np.full(n_c, -1, np.int64), g.item_row])
    written = np.lexsort((k6, k5, k4, k3, k2, k1))
    w_kind, w_index, w_ship = kind_of[written], index[written], k1[written]

    # HL numbers: each entity's place in its shipment (pallets counted in S-O-T-P-I only)
    numbered = written[w_kind != 1] if not pallets else written
    n_ship = k1[numbered]
    counts = np.bincount(n_ship, minlength=n_s)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    hl = np.zeros(len(kind_of), np.int64)
    hl[numbered] = np.arange(len(numbered)) - starts[n_ship] + 2
    o_hl, t_hl = hl[:n_o], hl[n_o:n_o + n_t]
    c_hl = hl[n_o + n_t:n_o + n_t + n_c]
    c_parent = np.where(c.on_pallet, t_hl[np.maximum(c_tare, 0)], o_hl[c.order]) if pallets and n_t \
        else o_hl[c.order]

    # the boxes (pallets in S-O-T-P-I, cartons) and items in the order written
    is_box = (w_kind == 2) | ((w_kind == 1) if pallets else False)
    box_kind, box_index = w_kind[is_box], w_index[is_box]
    tare_at, carton_at = box_kind == 1, box_kind == 2
    b_hl = np.where(carton_at, c_hl[np.where(carton_at, box_index, 0)] if n_c else 0,
                    t_hl[np.where(tare_at, box_index, 0)] if n_t else 0)
    b_parent = np.where(carton_at, c_parent[np.where(carton_at, box_index, 0)] if n_c else 0,
                        o_hl[t_order[np.where(tare_at, box_index, 0)]] if n_t else 0)
    b_order = np.where(carton_at, c.order[np.where(carton_at, box_index, 0)] if n_c else 0,
                       t_order[np.where(tare_at, box_index, 0)] if n_t else 0)
    items_in = np.bincount(i_c, minlength=n_c)
    on_tare = np.bincount(c_tare[c.on_pallet], minlength=n_t)
    b_children = np.where(carton_at, items_in[np.where(carton_at, box_index, 0)] if n_c else 0,
                          on_tare[np.where(tare_at, box_index, 0)] if n_t else 0)
    b_sscc = [c.sscc[k] if level == 2 else c.tare_sscc[k] for level, k in zip(box_kind.tolist(), box_index.tolist(),
                                                                             strict=True)]
    box_of_carton = np.full(n_c, -1, np.int64)
    box_of_carton[box_index[carton_at]] = np.flatnonzero(carton_at)
    item_order = w_index[w_kind == 3]
    po = lines["po_number"].take(pa.array(g.order_row)).to_pylist()
    parties = _ship_tos(orders)
    order_rows = {(r["partner"], r["po_number"]): (r, party, mark, refs) for r, party, mark, refs in zip(orders.select(
        ["partner", "po_number", "po_date", "release_number", *(c for c in _HAZMAT if c in orders.column_names)])
        .to_pylist(), parties, mark_fors(orders), order_refs(orders), strict=True)}
    partner_of = [g.partner[s] for s in by_row.tolist()]  # per shipment (in order)
    heads = [order_rows.get((partner_of[s], p), _NO_ORDER) for s, p in zip(o_s.tolist(), po, strict=True)]
    # an order its PO's heading marked hazardous (TD4 HM): its shipment left to build_856, which writes it
    hazardous = {s for s, (h, *_rest) in zip(o_s.tolist(), heads, strict=True) if h.get("hazmat_sent")}
    flat = Flat856(
        n_hl=(counts + 1).tolist(), bad=hazardous, o_ship=o_s.tolist(), o_hl=o_hl.tolist(),
        o_po=[x12_po(p) for p in po],
        o_release=[h.get("release_number") or "" for h, *_rest in heads],
        o_date=[h.get("po_date") for h, *_rest in heads],
        b_level=["T" if k == 1 else "P" for k in box_kind.tolist()], b_hl=b_hl.tolist(), b_parent=b_parent.tolist(),
        b_ship=w_ship[is_box].tolist(), b_order=b_order.tolist(), b_children=b_children.tolist(), b_sscc=b_sscc,
        i_box=box_of_carton[i_c[item_order]], one=made, every=pa.array(kind[item_order], pa.int64()),
        o_mark_for=[m for _h, _p, m, _r in heads] if any(m is not None for _h, _p, m, _r in heads) else None,
        o_refs=[r for *_rest, r in heads] if any(r for *_rest, r in heads) else None)

    # each shipment's summary: its orders, pallets and cartons in the order written
    headers = lines.select(["shipment_id", *_HEADER]).take(pa.array(g.ship_row[by_row])).to_pylist()
    o_written = w_index[w_kind == 0]
    pos_of: list[list[str]] = [[] for _ in range(n_s)]
    ship_to: list[Party | None] = [None] * n_s
    for o in o_written.tolist():
        s = o_s[o]
        pos_of[s].append(po[o])
        if ship_to[s] is None:
            ship_to[s] = heads[o][1]
    for code, party in _to_lines(lines, orders, order_lines, g.shipment, dcs).items():
        ship_to[rank[code]] = party
    boxed = (w_kind == 1) | (w_kind == 2)  # the record lists pallets whatever the structure
    r_pallet, r_index, r_ship = w_kind[boxed] == 1, w_index[boxed], w_ship[boxed]
    t_of = np.where(r_pallet, r_index, 0)
    c_of = np.where(r_pallet, 0, r_index)
    t_label, t_sscc = c.tare_label, c.tare_sscc
    p_label = [t_label[k] if k >= 0 else "" for k in c_tare.tolist()]  # each carton's pallet
    recorded = [("T", t_label[t], t_sscc[t], serials.get(t_sscc[t]), "", po[o], None, "") if pallet else
                ("P", c.label[k], c.sscc[k], serials.get(c.sscc[k]), p_label[k], po[o], c.weight[k], c.unit[k])
                for pallet, t, k, o in zip(r_pallet.tolist(), t_of.tolist(), c_of.tolist(),
                                           np.where(r_pallet, t_order[t_of] if n_t else 0, c.order[c_of]).tolist(),
                                           strict=True)]
    # a pallet SSCC is one pallet however many POs' cartons it holds (each order has its part of it, a tare):
    # recorded once per shipment, with the first PO on it
    kept = np.array([bool(r[2]) for r in recorded], bool)
    if n_t:
        pallet_sscc, _ = encode(r_ship, pa.array([r[2] if r[0] == "T" else None for r in recorded], pa.string()))
        kept &= ~r_pallet | is_first(pallet_sscc)
    made_cartons = list(map(tuple.__new__, repeat(RecordedCarton),  # made in C, as the record's lines are
                            recorded if kept.all() else [r for r, keep in zip(recorded, kept.tolist(), strict=True)
                                                         if keep]))
    ends = np.cumsum(np.bincount(r_ship[kept], minlength=n_s)).tolist()
    n_cartons = np.bincount(o_s[c.order], minlength=n_s).tolist()
    n_pallets = [0] * n_s  # each pallet once per shipment (a pallet of two POs' cartons is a tare on each)
    if n_t:
        pallet_code, _ = encode(pa.array(o_s[t_order]), pa.array(t_label, pa.string()))
        n_pallets = np.bincount(o_s[t_order][is_first(pallet_code)], minlength=n_s).tolist()
    weighed = [w is not None for w in c.weight]
    if any(weighed):  # the cartons' weights summed per shipment, when each has one and all one unit
        by_shipment: list[list] = [[] for _ in range(n_s)]
        for s, w, u in zip(o_s[c.order].tolist(), c.weight, c.unit, strict=True):
            by_shipment[s].append((w, u))
        weights = [(sum((w for w, _u in packed), Decimal(0)), packed[0][1])
                   if packed and all(w is not None for w, _u in packed) and len({u for _w, u in packed}) == 1
                   else (None, "") for packed in by_shipment]
    else:
        weights = [(None, "")] * n_s
    more = more_tracking(lines, g.shipment, n_s)  # by shipment code; rank[code] is its place
    more = [more[code] for code in by_row.tolist()]
    out = []
    td5 = _td5s(orders)
    # a shipment's TD5 values and given fields (header_fields) depend on its heading less its own numbers (id,
    # tracking, bill of lading) and its POs' TD5s as sent: a file's shipments share a few, each made once
    routed: dict[tuple, tuple[str, str]] = {}
    givens: dict[tuple, tuple] = {}
    none_sent = not td5
    for s, (h, a, b) in enumerate(zip(headers, [0, *ends[:-1]], ends, strict=True)):
        scac, level = h["carrier_scac"] or "", h["service_level"] or ""
        sent = [None] * len(pos_of[s]) if none_sent else [td5.get((partner_of[s], p)) for p in pos_of[s]]
        key = (scac, level, tuple(sent))
        got = routed.get(key)
        if got is None:
            method = transport_method_for(scac, sent, level, service_names)
            got = routed[key] = (method, service_level_for(scac, level, sent),
                                 routed_level_for(scac, level, sent, service_names))
        method, service, routed_level = got
        shared = (method, routed_level, _GIVEN(h), str(h["shipment_weight"]),
                  str(h["shipment_volume"]))  # (a weight of 10.0 given as such, not as an equal 10's)
        given = givens.get(shared)
        if given is None:
            given = givens[shared] = tuple({**header_fields(h, method), "routed_level": routed_level}.items())
        out.append(ShipmentSummary(
            h["shipment_id"], partner_of[s], h["ship_date"], h["ship_time"], scac, service,
            first_tracking(h["tracking_number"]), h["bill_of_lading"] or "",
            ship_to[s] or Party("ST", ""), tuple(pos_of[s]), tuple(made_cartons[a:b]), n_cartons[s], n_pallets[s],
            *weights[s], more[s], given))
    return out, flat


# what header_fields reads of a shipment's heading (its given fields are made once per distinct values of these)
_GIVEN = itemgetter("transport_method", "carrier_scac", "equipment_code", "equipment_initial", "equipment_number",
                    "shipment_weight", "shipment_weight_unit", "shipment_volume", "shipment_volume_unit",
                    "ship_time_zone", "shipment_pallets", "seal_number")
