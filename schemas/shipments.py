"""Shipments: the canonical table of shipment confirmation lines (what the warehouse says left the
dock), the state tables the shipment checks read, and the typed shipment the 856 builder takes.

Definitions only: readers (parsers.shipments_csv, parsers.warehouse_945) fill SHIPMENT_LINES, the
checks live in rules.shipments, the typed model is assembled and rendered in engine.shipments and
engine.asn. Quantities and weights are decimals, never floats.

Lineage of a confirmation line: ``source_file`` and ``row_number`` (the CSV record's number as a
spreadsheet shows it, header = 1) for CSV, with isa13 = "CSV" and gs06/st02 empty; ISA13, GS06,
ST02 and the W12's ``segment_position`` (ST = 1) and ``file_segment`` for a 945.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import NamedTuple

import pyarrow as pa

from schemas.orders import LINEAGE, QTY, name2_text

WEIGHT = pa.decimal128(18, 4)

SHIPMENT_LINES = pa.schema([
    pa.field("source_kind", pa.string(), nullable=False),  # "csv" | "945"
    pa.field("shipment_id", pa.string(), nullable=False),  # the warehouse's shipment id (BSN02 of the 856)
    pa.field("ship_date", pa.date32()),
    pa.field("ship_time", pa.time32("s")),
    pa.field("carrier_scac", pa.string()),  # 2-4 letters (TD503 with TD502 = 2)
    pa.field("service_level", pa.string()),  # TD512 code or the warehouse's text
    pa.field("tracking_number", pa.string()),  # REF CN
    pa.field("bill_of_lading", pa.string()),  # REF BM
    pa.field("partner", pa.string()),  # null when the feed does not say: the checks resolve it by PO
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("line_id", pa.string()),  # PO101 of the order line, as the partner sent it
    pa.field("sku", pa.string()),  # our item id
    pa.field("upc", pa.string()),  # when the feed names the item by UPC/GTIN instead (945 W1206 / UP / UK)
    pa.field("buyer_item", pa.string()),  # the partner's item id (945 W1207 BP / IN): via its cross-reference
    pa.field("quantity", QTY),  # units shipped, in ``unit``
    pa.field("unit", pa.string()),
    pa.field("carton_id", pa.string()),  # the warehouse's carton label (an SSCC when it prints one)
    pa.field("carton_sscc", pa.string()),  # 18 digits when known (945 MAN GM); else assigned by us
    pa.field("carton_weight", WEIGHT),
    pa.field("weight_unit", pa.string()),  # LB | KG (X12 weight unit codes L / K are normalised)
    pa.field("pallet_id", pa.string()),
    pa.field("pallet_sscc", pa.string()),
    *LINEAGE,
    pa.field("row_number", pa.int32()),  # CSV: record number, header = 1
    pa.field("segment_position", pa.int32()),  # 945: W12 position within the set (ST = 1)
    pa.field("file_segment", pa.int32()),  # 945: W12 ordinal within the file
    pa.field("release_number", pa.string()),  # the PO's release (850 BEG04) when the feed names one: CSV, 945 N9 RE
    # the customer order (a drop ship's consumer order, the PO's REF*CO) when the feed names one: 945 N9 CO
    pa.field("customer_order", pa.string()),
    # what a 945 says of the whole shipment (null from a CSV but its transport method): its TD5 / TD3 / TD1 and its
    # departure's zone
    pa.field("transport_method", pa.string()),  # W2701, a CSV's Transport Method (code list 91: M motor, U parcel,
    # LT LTL ...): TD504
    pa.field("equipment_code", pa.string()),  # W2705 (TL trailer ...): TD301
    pa.field("equipment_initial", pa.string()),  # W2706: TD302
    pa.field("equipment_number", pa.string()),  # W2707 (the trailer number): TD303
    pa.field("shipment_weight", WEIGHT),  # W0302: the shipment's gross weight (TD107), pallets included
    pa.field("shipment_weight_unit", pa.string()),  # LB | KG (W0303 as read)
    pa.field("shipment_volume", WEIGHT),  # W0304: TD109
    pa.field("shipment_volume_unit", pa.string()),  # W0305 as sent (code list 355: CF, CR ...): TD110
    pa.field("seal_number", pa.string()),  # W1004 (the trailer's seal, W10 as G03): TD309
    pa.field("shipment_pallets", pa.int32()),  # W1002 pallets shipped, else W0306 with W0307 PL/PF: TD1 PLT94 when the
    # 856 counts no pallet of its own (no pallet ids or labels in the 945)
    pa.field("ship_time_zone", pa.string()),  # G6205 of the ship date's G62 (code list 623: ET, CS, UT, 13 ...)
    pa.field("ship_to_id_qualifier", pa.string()),  # the 945's N1 ST N103 (the address it shipped to)
    pa.field("ship_to_id", pa.string()),  # N104
    pa.field("ship_to_postal_code", pa.string()),  # the N4 of that N1 loop: N403
    # the store a carton is for (a pre-distributed order's SDQ store: schemas.orders.STORE_QUANTITY): the CSV's
    # mark-for column, a 945's heading N1 Z7 (else N1 BY) N104 with its N103
    pa.field("mark_for_store", pa.string()),
    pa.field("mark_for_id_qualifier", pa.string()),
    # the net weight of the line's units shipped (a catch-weight line is billed by it): the CSV's net-weight
    # column, a 945's W12 weight qualified N (W1210 with W1211 N, else W1213 with W1214 N)
    pa.field("net_weight", WEIGHT),
    pa.field("net_weight_unit", pa.string()),  # LB | KG (L / K normalised), null without a net weight
    # the lot (batch) the row's units come from and its expiry, as the warehouse confirms them (the CSV's lot and
    # expiration columns): drugs and medical devices ship by lot (DSCSA; the HDA 856 guideline carries the lot in
    # LIN and the expiry in DTM 036 of each item); a line of two lots in one carton is two rows, not a duplicate
    pa.field("lot_number", pa.string()),
    pa.field("expiration_date", pa.date32()),
    # the serial numbers of the row's units, as the warehouse scanned them (the CSV's serial column), one space
    # between two: IT distributors (Ingram Micro, TD SYNNEX, D&H) want each unit's serial on the 856 (REF*SE)
    pa.field("serial_numbers", pa.string()),
    # a multi-box unit (a sofa in 3 cartons: "box 2 of 3"): which box of the unit the row's carton is and how many
    # boxes one unit ships in (the CSV's Box Number / Box Count). The unit's quantity is on box 1's row; boxes 2..m
    # ship 0 of it (not a cut line) and are each a carton of their own on the 856. Null: an ordinary row
    pa.field("box_number", pa.int32()),
    pa.field("box_count", pa.int32()),
    # what the carton is, as TD101 (X12 element 103, schemas.packaging: CYL a cylinder, DRM a drum, PLT94 a wooden
    # pallet ...): the CSV's Packaging column, its carton's first row's; null: the item master's packaging, else the
    # partner's default (AsnSettings.packaging, CTN25). A 945 names none per carton: a 005010 heading TD1 of one kind is
    # every row's (004010 has no TD1, its W03 counts)
    pa.field("packaging", pa.string()),
])

# --- the state the checks read (built by the caller from the state store; phase 2) ---------------

# One row per live order line: what was ordered, what is reserved for it, and its status.
# status: acknowledged | allocated | backordered | partially_shipped | shipped | invoiced | closed |
# cancelled | rejected (the lifecycle's line states; the checks only single out cancelled/rejected).
LINE_STATE = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("line_number", pa.int32(), nullable=False),
    pa.field("line_id", pa.string()),  # PO101
    pa.field("sku", pa.string()),  # the resolved item
    pa.field("upc", pa.string()),
    pa.field("unit", pa.string()),
    pa.field("ordered", QTY),
    pa.field("reserved", QTY),  # allocated (reserved) and not yet shipped
    pa.field("shipped", QTY),  # already shipped in earlier confirmations
    pa.field("status", pa.string(), nullable=False),
    # the line's reason when an 860 after shipment cut its unshipped promise (schemas.lifecycle.CUT_MARK): it
    # names the 860; units shipped beyond what is reserved then left before the change (SHIPPED_AFTER_CHANGE)
    pa.field("cut_by", pa.string()),
    # the line's promise before that cut (schemas.lifecycle.CUT_FROM; null: not known, a line cut before it was
    # kept): units beyond it cannot have left before the change (SHIPMENT_OVER_RESERVED, held)
    pa.field("cut_from", QTY),
    # the line is of a bill-only order ([fulfilment.invoice] bill_only: used from the buyer's own stock, billed from
    # the PO): nothing of it ships; a confirmation naming it is SHIPMENT_BILL_ONLY (null: not known, as false)
    pa.field("bill_only", pa.bool_()),
])

# One row per carton already recorded on a shipment (earlier runs).
RECORDED_CARTONS = pa.schema([
    pa.field("shipment_id", pa.string(), nullable=False),
    pa.field("carton_id", pa.string()),
    pa.field("carton_sscc", pa.string()),
])

CLOSED_LINE_STATUSES = ("cancelled", "rejected", "deleted")

# --- serial numbers: what one unit's serial (REF*SE on the 856) can be ---------------------------------

SERIAL_SEPARATORS = frozenset(",;|")  # what separates serials in a CSV cell: one serial holding it is a list
REF02_MAX = {"004010": 30, "005010": 50}  # REF02 (element 127, a REF*SE serial): AN 1/30 in 004010, 1/50 in 005010


def serial_problem(serial: str, max_length: int | None = 30) -> str | None:
    """Why ``serial`` cannot be one unit's serial on an 856 (REF*SE REF02), None when it can: empty, a blank or
    control character inside it (two serials read as one, or a scanner's stray tab), a list separator (, ; |:
    several serials in one), a character outside printable ASCII (the X12 character set), longer than REF02
    (``max_length``; None: not compared). The rules (rules.shipments.serial_checks) and the 945 reader ask it."""
    if not serial:
        return "it is empty"
    if any(c.isspace() for c in serial):
        return "it has a blank inside (two serials, or one mis-scanned)"
    if any(c in SERIAL_SEPARATORS for c in serial):
        return "it holds a list separator (, ; |): several serials in one"
    if not all(" " < c <= "~" for c in serial):
        return "it has a character outside printable ASCII (the X12 character set)"
    if max_length is not None and len(serial) > max_length:
        return f"it is {len(serial)} characters; REF02 takes at most {max_length}"
    return None


# --- the typed shipment the 856 builder renders ------------------------------------------------

@dataclass(frozen=True, slots=True)
class Party:
    """An N1 loop: N101 entity code (SF ship from, ST ship to, BT bill to, RE remit to...)."""

    code: str
    name: str
    id_qualifier: str = ""  # N103 (92 assigned by buyer, UL GLN, 1 DUNS...)
    id: str = ""  # N104
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    name2: str = ""  # N2 (additional name) after the N1: a ship-to's "C/O ..." as its 850 sent it (schemas.orders
    # name2_kept: each N2's elements apart, or plain text)
    contact: tuple[str, ...] = ()  # PER01.. of the PER in its 850's N1*ST loop, as sent (ORDERS ship_to_contact_sent)


def with_name2(name: str, name2: str | None) -> tuple[str, str]:
    """(N102, N2) of a party whose ``name`` holds its N2 ``name2`` after ", " (schemas.orders ship_to_name2, as
    kept: name2_kept; the name holds its name2_text): the name without it, and it as kept (Party.name2); else
    (``name``, "") (no N2 sent, or a name an 860 replaced since)."""
    text = name2_text(name2)
    if text and name.endswith(", " + text) and len(name) > len(text) + 2:
        return name[: -len(text) - 2], name2 or ""
    return name, ""


class ProductId(NamedTuple):  # a NamedTuple: hashed in C (engine.asn caches each item's LIN pairs by its ids)
    qualifier: str  # UP, UK, EN, VN, BP, IN, ...
    id: str


class PrepackComponent(NamedTuple):
    """One component of a prepack item (an SLN03 I subline of its order line: schemas.orders.PREPACK_COMPONENT):
    what an 856 lists under the pack's item as SLN (AsnSettings.prepacks "components")."""

    subline: str  # SLN01 as the PO sent it
    quantity: Decimal  # SLN04: units of it in ONE pack
    unit: str  # SLN05
    product_ids: tuple[ProductId, ...]  # SLN09/SLN10 ... pairs as the PO sent them


@dataclass(frozen=True, slots=True)
class ShippedItem:
    """Units of one order line in one carton (or, without cartons, in the shipment)."""

    line_id: str  # PO101 of the order line (LIN01)
    quantity: Decimal  # SN102
    unit: str  # SN103
    product_ids: tuple[ProductId, ...] = ()  # LIN02/LIN03 ... pairs
    sku: str = ""
    ordered_quantity: Decimal | None = None  # SN105
    description: str = ""  # PID05
    pack: int | None = None  # PO401: inner units per outer pack
    pack_size: Decimal | None = None  # PO402
    pack_unit: str = ""  # PO403
    lot_number: str = ""  # the lot these units come from (LIN LT or REF LT, as the partner's asn.lots says)
    expiration_date: date | None = None  # the lot's expiry (DTM 036)
    net_weight: Decimal | None = None  # the net weight of these units as the warehouse scaled it (a catch-weight
    # line's: MEA*WT*N where the partner's asn.item_net_weight asks); None when not every row of them gave one
    net_weight_unit: str = ""  # its unit (LB, KG)
    components: tuple[PrepackComponent, ...] = ()  # a prepack's contents per pack (its order line's SLN I sublines)
    serial_numbers: tuple[str, ...] = ()  # the units' serial numbers as the warehouse scanned them (REF*SE, as
    # the partner's asn.serial_numbers says), in the confirmation's order
    refs: tuple[tuple[str, str], ...] = ()  # its order line's own REFs (REF01, REF02 as the PO sent them:
    # schemas.orders line_refs), those of the partner's asn.line_refs written in the I loop
    pids: tuple[tuple[str, str, str], ...] = ()  # its order line's own PIDs as sent, (PID02, PID05, PID09) each, ""
    # for one not sent (schemas.orders pids_sent): where the 856 writes the description, each is written as sent;
    # none: PID*F****description
    hazmat: tuple[tuple[str, str, str, str], ...] = ()  # its order line's hazardous-material markings as sent,
    # (TD401, TD402, TD403, TD404) each, "" for one not sent (schemas.orders hazmat_sent): a TD4 each in its I loop


@dataclass(frozen=True, slots=True)
class Pack:
    """A carton: one SSCC-18 and what it holds."""

    sscc: str  # 18 digits, no application identifier
    items: tuple[ShippedItem, ...]
    carton_id: str = ""  # the warehouse's label
    weight: Decimal | None = None
    weight_unit: str = ""  # LB | KG
    tracking_number: str = ""  # the carrier's number for this package (its first confirmation row's): REF*CN in
    # its loop when the partner's AsnSettings.package_tracking asks
    more_tracking: tuple[str, ...] = ()  # the package's other numbers its cell listed (a label per box of a carton
    # shipped as two, a return label): each a REF*CN after the first (where MAN carries it, MAN04/05 holds the first
    # alone: engine.lifecycle.shipping says the others are not sent, SHIPMENT_TRACKING_NOT_SENT)
    # the party its lines are marked for of their own (a PO1 loop's N1*Z7: engine.shipments.line_marks_for), written
    # after its MAN (engine.asn); None: the order's mark-for applies. mark_for_conflict: the parties of a carton
    # holding lines marked for two (its 856 is refused: one carton per party)
    mark_for: Party | None = None
    mark_for_conflict: str = ""
    # what the carton is (TD101, X12 element 103: CYL, DRM, PLT94 ...), from its confirmation row, else the item
    # master; "": the partner's default (AsnSettings.packaging)
    packaging: str = ""


@dataclass(frozen=True, slots=True)
class Tare:
    """A pallet: its SSCC-18, the cartons on it and (S-O-T-I: a pallet shipped whole, no carton labels) the
    items on it directly."""

    sscc: str
    packs: tuple[Pack, ...]
    pallet_id: str = ""
    items: tuple[ShippedItem, ...] = ()  # S-O-T-I: the items under the tare level itself
    weight: Decimal | None = None  # a pallet shipped whole: its weight, as its rows gave it (TD1's gross weight)
    weight_unit: str = ""


@dataclass(frozen=True, slots=True)
class ShippedOrder:
    po_number: str  # PRF01
    po_date: date | None = None  # PRF04
    release_number: str = ""  # PRF02
    tares: tuple[Tare, ...] = ()  # pallets (S-O-T-P-I, S-O-T-I)
    packs: tuple[Pack, ...] = ()  # cartons not on a pallet
    loose_items: tuple[ShippedItem, ...] = ()  # shipped without a carton (only S-O-I can say so)
    partner: str = ""
    mark_for: Party | None = None  # the PO's mark-for (N1 Z7, else N1 BY with a location code): the order's N1
    # the PO's REF DP/PD/MR ... (REF01, REF02, and REF03 where sent) as sent: carried back (engine.asn)
    refs: tuple[tuple[str, ...], ...] = ()
    ship_to: Party | None = None  # the PO's own ship-to where the shipment's POs go to several (an 856 naming the
    # ship-to in each order loop: AsnSettings.ship_to_level "order"); None: the shipment's
    hazmat: tuple[tuple[str, str, str, str], ...] = ()  # the PO heading's hazardous-material markings as sent
    # (TD401-TD404 each, "" for one not sent: schemas.orders ORDERS hazmat_sent): a TD4 each in its order loop

    def all_packs(self) -> tuple[Pack, ...]:
        return tuple(p for t in self.tares for p in t.packs) + self.packs

    def all_items(self) -> tuple[ShippedItem, ...]:
        return tuple(i for t in self.tares for i in t.items) + tuple(i for p in self.all_packs() for i in p.items) \
            + self.loose_items


# X12 element 91 (Transportation Method/Type Code: TD504, W2701), the codes of its 3010-5010 lists together: what a
# shipment confirmation's transport method may say (A air, LT less than trailer load, M motor, U private parcel ...)
TRANSPORT_METHODS = frozenset({
    "A", "AC", "AE", "AF", "B", "BP", "BU", "C", "CE", "D", "E", "FL", "G", "GG", "GR", "GS", "H", "I", "J", "K", "L",
    "LT", "M", "MB", "MP", "N", "O", "P", "PA", "PC", "PG", "PL", "PP", "PR", "PT", "Q", "R", "RR", "S", "SE", "SR",
    "SS", "T", "TC", "U", "VA", "VE", "VL", "W", "X", "Y1", "Y2", "ZZ"})
# element 91's air methods (A air, AC air charter, AE air express, AF air freight): a shipment by air travels on an
# air waybill, which X12 128 names AW (REF*AW, CAD07 AW), where a motor shipment's is its bill of lading (BM)
AIR_METHODS = frozenset({"A", "AC", "AE", "AF"})
# SCACs of small-parcel services only: TD504 U (private parcel service) where neither the warehouse nor the PO
# names the method. UPS Ground/Air (UPSN), UPS SurePost (UPSS), FedEx Ground (FDEG), FedEx Express (FDE, FDEN), the
# U.S. Postal Service (USPS). Not FedEx Freight (FXFE, FXNL), UPS Freight (UPGF) nor any LTL carrier: those are
# motor (M) or LTL (LT), and a carrier both ways is not here
PARCEL_SCACS = frozenset({"UPSN", "UPSS", "FDEG", "FDE", "FDEN", "USPS"})


@dataclass(frozen=True, slots=True)
class Shipment:
    """One 856: a shipment of one or more orders from one ship-from to one ship-to."""

    shipment_id: str  # BSN02
    ship_date: date  # DTM 011
    ship_from: Party  # N1 SF
    ship_to: Party  # N1 ST
    orders: tuple[ShippedOrder, ...]
    ship_time: time | None = None
    carrier_scac: str = ""  # TD503
    transport_method: str = "M"  # TD504 with a SCAC: M motor (common carrier), U private parcel, A air ...
    method_given: bool = False  # the warehouse named transport_method (W2701): TD504 even without a SCAC
    service_level: str = ""  # TD512 (2 characters) or routing text (TD505)
    routed_level: str = ""  # TD512 beside a service_level given by name (TD505): the PO's own for this carrier
    tracking_number: str = ""  # REF CN
    bill_of_lading: str = ""  # REF BM
    estimated_delivery: date | None = None  # DTM 017
    gross_weight: Decimal | None = None  # TD107; defaults to the cartons' weights
    weight_unit: str = ""  # TD108: LB | KG
    volume: Decimal | None = None  # TD109
    volume_unit: str = ""  # TD110 (code list 355: CF cubic feet, CR cubic meters ...)
    equipment: tuple[str, str, str] = ("", "", "")  # TD301-TD303: equipment code, initial, number (a trailer)
    seal_number: str = ""  # TD309: the seal closing the trailer (Best Buy's 856: required for truckloads)
    time_zone: str = ""  # G6205 of ship_time (code list 623: ET, CS, UT ...); "" our clock's
    pallets_given: int | None = None  # the warehouse's count of pallets shipped (945 W1002 / W03 lading quantity):
    # TD1 PLT94 when no pallet is listed or counted from the lines
    partner: str = ""
    extra_refs: tuple[tuple[str, str], ...] = field(default=())  # more REF qualifier/value pairs
    fob: tuple[str, ...] = ()  # FOB01.. of the first of its POs that sent an FOB, as sent (AsnSettings.fob)

    def all_packs(self) -> tuple[Pack, ...]:
        return tuple(p for o in self.orders for p in o.all_packs())

