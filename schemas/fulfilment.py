"""Fulfilment and billing settings of one trading partner (pydantic v2, frozen, extra=forbid): how its
856 ship notices and 810 invoices look, our SSCC-18 numbering, and the CSV layouts of partners (and
warehouses) that do not speak X12.

Plain validated data; engine.asn, engine.invoice, engine.sscc, parsers.csv_orders,
parsers.shipments_csv and engine.csv_ack interpret it. Added to PartnerProfile as optional tables.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from schemas.orders import Transit
from schemas.time_codes import TimeCodeStyle

HlStructure = Literal["SOPI", "SOTPI", "SOTI", "SOI", "SOIP", "STOI", "STOPI"]

# BSN05 (element 1005) for each structure: 0001 Shipment, Order, Packaging, Item (pick and pack; the
# tare level is packaging too); 0002 Shipment, Order, Item, Packaging (standard carton pack);
# 0004 Shipment, Order, Item. S-O-T-I (pallets shipped whole, their items under them) is pick and pack with the
# tare level as its packaging: 0001, as S-O-T-P-I. 0003 Shipment, Packaging, Order, Item (X12's list from 003040 on):
# the tare above the orders it holds, a consolidated pallet of several POs (S-T-O-I; S-T-O-P-I, its cartons a
# packaging level under each order, is the same code: X12 has none of its own).
BSN05 = {"SOPI": "0001", "SOTPI": "0001", "SOTI": "0001", "SOIP": "0002", "SOI": "0004", "STOI": "0003",
         "STOPI": "0003"}
# the structures whose tare level sits under the S, above the orders it holds (engine.asn.build_856)
TARE_FIRST: frozenset[str] = frozenset({"STOI", "STOPI"})
# the structures listing pallets (a T level): their SSCCs numbered, their pallets checked (engine.lifecycle.shipping)
WITH_TARES: frozenset[str] = frozenset({"SOTPI", "SOTI", "STOI", "STOPI"})
# the structures with a pallet shipped whole, its items under the tare (S-O-T-I) or under each order on it (S-T-O-I)
WHOLE_PALLETS: frozenset[str] = frozenset({"SOTI", "STOI"})


# a PO heading REF01 its 856 and 810 can carry back (schemas.orders.ORDER_REFS): DP department, PD promotion, MR
# merchandise type, CO customer order (a drop ship's end customer's PO: a hospital's, a consumer's), IA the vendor
# number the PO states for us (a hub's retailers each give their own: CommerceHub's Home Depot.com and Lowe's.com
# under one ISA id), written first, where a vendor_number would be (the two together are refused: two REF*IA), CT
# contract number, AH agreement number, TN transaction reference (a government requisition document number), JB job
# number and PJ project number (a trade distributor's contractor job: Graybar, WESCO, Ferguson), EU the end user's
# purchase order number (a reseller's drop ship: CDW), IT internal customer number (a buying group's member number:
# Nation's Best Sports, Sports Inc), AE authorization for expenditure (an oil and gas operator's AFE: Chevron), 0B
# state licence number (a tobacco distributor's licence, which an invoice of cigarettes must name: McLane)
OrderRef = Literal["IA", "DP", "PD", "MR", "CO", "EU", "CT", "AH", "TN", "JB", "PJ", "IT", "AE", "0B"]
# a PO heading REF01 (element 128: 2-3 letters or digits) a profile's order_refs may list besides those: any the
# PO's heading sends (REF*11 a customer account number, REF*12 a billing account, VR, 19, AN, PO ...), carried back
# REF02 as sent (schemas.orders.order_ref_elements)
REF_QUALIFIER = re.compile(r"[A-Z0-9]{2,3}")
# a PO1 loop's REF01 (element 128: 2-3 characters) an 810 or 855 echoes on the line, REF02 as the PO sent it
# (schemas.orders line_refs): CO customer order, LI line item id (CommerceHub's drop ships), a requisition ...
LineRef = Annotated[str, Field(pattern=r"^[A-Z0-9]{2,3}$")]
# a PO1 loop's CTP02 price identifier (element 236: 3 characters, code list 236) an 810 echoes on the line, its CTP
# as the PO sent it (schemas.orders line_prices): RES retail, MSR manufacturer's suggested retail, UCP unit cost ...
PriceQualifier = Annotated[str, Field(pattern=r"^[A-Z0-9]{3}$")]


def one_vendor_number(vendor_number: str, order_refs: tuple[str, ...], table: str, qualifier: str = "IA") -> None:
    """Refuse a document settings table that writes REF ``qualifier`` twice: its ``vendor_number`` (as REF
    ``qualifier``: IA, an 810's VR) and the PO's own (``order_refs`` listing it)."""
    if vendor_number and qualifier in order_refs:
        raise ValueError(f"{table}: vendor_number and order_refs \"{qualifier}\" would both write REF*{qualifier}; "
                         f"keep vendor_number for one number at this partner, \"{qualifier}\" to echo each PO's own")


def echoed_refs(value: tuple[str, ...], key: str) -> tuple[str, ...]:
    """A profile's order_refs (or order_ref_descriptions, required_order_refs) checked once, when it loads: each a
    REF01 qualifier (X12 element 128: 2-3 letters or digits, as X12 writes its codes: "11", "0B", "ACC"), each kept
    once. The order the document writes them in is the list's own, except a list naming only the qualifiers
    OrderRef names (all a profile could list before any other was allowed): in that order, as such lists were always
    written, so no partner's document changes until its profile lists another (schemas.orders.echo_order)."""
    for q in value:
        if not isinstance(q, str) or not REF_QUALIFIER.fullmatch(q):
            raise ValueError(f"{key}: {q!r} is not a reference qualifier (REF01, X12 element 128: 2 or 3 capital "
                             "letters or digits, as the partner's guide lists it: \"11\", \"0B\", \"DP\")")
    return tuple(dict.fromkeys(value))


def required_refs(required: tuple[str, ...], order_refs: tuple[str, ...], table: str) -> None:
    """Refuse a required_order_refs qualifier its table's order_refs does not list (nothing would write it)."""
    if missing := [q for q in required if q not in order_refs]:
        raise ValueError(f"{table}: required_order_refs {', '.join(missing)} not in order_refs (a reference is "
                         "required only of those the document echoes)")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# REF02 as a retailer's guide has us write our vendor number (REF*IA): AN 1/30 (004010; 005010 allows 50),
# printable ASCII, no blank at either end; "" writes no REF*IA
VENDOR_NUMBER = r"^([!-~]([ -~]{0,28}[!-~])?)?$"
# the taxes of X12's element 340 (the 880's G7201): 501 Taxes, 526 Beverage Tax, 537 State or Province Tax; a G72 of
# one of them is a tax (engine.invoice_880 writes a TXI so, engine.finance_inputs reads it back as one)
G72_TAX_CODES = ("501", "526", "537")


class _EchoedRefs(_Model):
    """A document's settings that echo the PO's heading references (AsnSettings, PoAckSettings, InvoiceSettings:
    each declares its own order_refs, the qualifiers it writes back, with its own default)."""

    # the PO's heading references (of order_refs) whose REF03 (description) is written back beside REF02 when the PO
    # sent both (REF*JB*J-24-0917*MERCY CLINIC HVAC RETROFIT): a guide asking for the job's name with its number; ()
    # REF02 alone. A reference the PO stated by REF03 alone (REF*JB**MERCY CLINIC) is always written so
    order_ref_descriptions: tuple[str, ...] = ()
    # of order_refs, those the partner's guide requires: a PO that sends none of one is still answered, the
    # document written without it (a REF is never made up), and flagged for ops when it comes in
    # (ORDER_REF_NOT_SENT, a warning naming the documents that will lack it: rules.business.order_refs)
    required_order_refs: tuple[str, ...] = ()

    @field_validator("order_refs", "order_ref_descriptions", "required_order_refs", check_fields=False)
    @classmethod
    def _ref_qualifiers(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return echoed_refs(value, info.field_name or "order_refs")


class SsccSettings(_Model):
    """Our GS1 company prefix and extension digit for the SSCC-18s on this partner's cartons/pallets."""

    company_prefix: str = Field(pattern=r"^\d{4,12}$")  # ours, from GS1; no default on purpose
    extension_digit: int = Field(default=0, ge=0, le=9)
    pallet_extension_digit: int | None = Field(default=None, ge=0, le=9)  # None: same as cartons
    with_ai: bool = True  # MAN02 = "00" + 18 digits (20); False: the 18 digits alone


SHIPMENT_PARTIES: tuple[Literal["SF", "ST"], ...] = ("SF", "ST")  # AsnSettings.shipment_parties' default: VICS'


class AsnSettings(_EchoedRefs):
    """How this partner wants its 856."""

    structure: HlStructure = "SOPI"  # S-O-P-I pick and pack; S-O-T-P-I with pallets; S-O-T-I pallets shipped whole
    # (the pallet's SSCC at the tare level, its items under it; cartons on a pallet T-P-I, off any pallet P-I, in the
    # same order loop); S-O-I; S-O-I-P standard pack; S-T-O-I consolidated pallets (the pallet's SSCC above the
    # orders it holds, several POs of the one ship-to: each order's items under it, or its cartons, T-O-P-I);
    # S-T-O-P-I the same with every item in a carton
    bsn05: str | None = Field(default=None, pattern=r"^\d{4}$")  # override of the structure's code
    purpose: str = Field(default="00", pattern=r"^\d{2}$")  # BSN01: 00 original
    # the X12 release of the 856 (its GS08 and ISA12) where the partner's 856 guide is in another than [x12] version
    # (Dot Foods: its 850, 855 and 810 guides 004010, its 856 guide 005010); None: the profile's version
    version: Literal["004010", "005010"] | None = None
    estimated_delivery: bool = False  # DTM 017 when the shipment knows it
    # DTM01 of that date: "017" estimated delivery (default); "067" current schedule delivery, where the guide names the
    # delivery date so (Walmart's 5010 856 lists "DTM Current Schedule Delivery" at the shipment level)
    estimated_delivery_code: Literal["017", "067"] = "017"
    transit_days: int | None = Field(default=None, ge=0, le=60)  # with estimated_delivery: DTM 017 at the S level
    # = the ship date + these days (Amazon's 856 asks an estimated delivery from the average transit time to its
    # warehouse); None: no DTM 017 (a night's confirmations give no delivery date). A PO asking no ship date (DTM 010)
    # with a delivery window (DTM 064) ships its opening less these days (engine.answer.first_ship_day: its 855 068)
    # transit_days counted as business days (true: Saturdays, Sundays and transit_holidays do not count), where the
    # partner's guide or its carrier's ground times count them so: a Friday shipment with 2 days arrives Tuesday, and
    # a Monday DTM 063 must ship by Thursday (schemas.orders.Transit); false: calendar days, as ever
    transit_business_days: bool = False
    transit_holidays: tuple[date, ...] = ()  # with transit_business_days: the days carriers do not deliver
    ctt_hash: bool = True  # CTT02 = hash total of SN102
    ordered_quantity: bool = True  # SN105/SN106 (quantity ordered) on every item
    item_po4: bool = False  # PO4 pack on items when known
    item_pid: bool = True  # PID F description on items when known
    # with item_pid, an item whose order line sent no description (no PID in the PO) has our items.csv description
    # in its PID: DSCSA transaction information (the drug's name, strength, dosage form and container size beside
    # its NDC, lot and expiry) that drug wholesalers' HDA 856 carries in PID*F; off: the PO's description alone
    item_pid_catalog: bool = False
    item_net_weight: bool = False  # MEA*WT*N*<net weight>*<unit> on each item the warehouse confirmed a net weight
    # for (a catch-weight line: meat, cheese, produce in cases billed by the pound), after its PID, so the buyer
    # receives the weight its invoice bills (foodservice distributors' guides: Sysco, US Foods, PFG); off: none
    # LIN pairs, in this order (one of another qualifier after them, as the PO sent it): the GS1 ids first - with the
    # UPC/EAN codes sent without their check digit (UA case code 2-5-5, UD, UI) a grocer orders by (Topco, H-E-B) -,
    # then ours and the buyer's; UA, UD and UI used to come after VN, BP and IN (our part number first in LIN02); EO,
    # an EAN-8 (a JAN-8 of Japanese goods), is a GS1 id too: it used to come after VN as a qualifier not listed
    lin_qualifiers: tuple[str, ...] = ("UP", "UK", "EN", "EO", "UA", "UD", "UI", "VN", "BP", "IN")
    # TD505 (routing) of the S level's TD5: the carrier's name by its SCAC (TD503), where the partner's guide asks
    # the name beside the code (Advance Auto Parts' 856, automotive suppliers' guides); a SCAC not listed keeps
    # TD505 for the service name the warehouse gave (a two-character service level is TD512 either way)
    carrier_names: dict[Annotated[str, Field(pattern=r"^[A-Z0-9]{2,4}$")],
                        Annotated[str, Field(max_length=35, pattern=r"^[!-~]([ -~]*[!-~])?$")]] = {}
    vendor_number: str = Field(default="", pattern=VENDOR_NUMBER)  # REF*IA (the vendor number the partner gave
    # us) after each order's PRF, as Walmart's and other retailers' guides require at the order level
    # the 856 is late after departure + this: ASN_LATE, and the finance report's late ASN (a profile's [finance]
    # asn_window_minutes, the older key, is this one: schemas.profile.PartnerProfile._one_asn_window)
    window_minutes: int = Field(default=30, ge=1)
    # DTM04 of the ship date's DTM*011 (code list 623), as the partner's guide lists it: "zone" the warehouse's code
    # (its G6205, the zone after its export's time, else its clock's ET/CT/MT/PT: WarehouseProfile.time_zone);
    # "standard_daylight" ES/ED, CS/CD ... as the day keeps; "utc" UT, the time and date converted
    time_code: TimeCodeStyle = "zone"
    # the order line's own references (its PO1 loop's REFs: schemas.orders line_refs) of these qualifiers, each a
    # REF in the item's I loop (position 150: after PID/MEA, before a lot's REF*LT), in the order the PO sent them
    # (drop-ship hubs: CommerceHub's REF*LI line item id); () never. Such a partner's 856s are built as segments
    line_refs: tuple[LineRef, ...] = ()
    order_refs: tuple[str, ...] = ("DP",)  # the PO's heading references carried back in each order loop after
    # PRF/REF IA, REF02 as the PO sent it, when it sent one: DP department number (department-store 850s send it:
    # JCPenney's requires it), PD promotion/deal number, MR merchandise type code; () never
    mark_for: Literal["order", "pack", "none"] = "order"  # the mark-for store a PO names (N1 Z7, or N1 BY with
    # N103/N104: cross-dock orders) in each order loop after PRF/REF IA, N101-N104 as the PO sent them (where a
    # cross-dock 856 carries it: N1*BY*STORE*92*002 in the public ediengine Crossdock sample); "pack": in each of the
    # order's pallet and carton loops after MAN*GM instead (store-labelled cartons; S-O-I, without cartons: the
    # order's); "none": never
    store_level: bool = False  # the partner sends pre-distributed ("store-ready") orders: each PO1 line's SDQ
    # store quantities are applied (no SDQ_NOT_APPLIED), the warehouse names each carton's store (a CSV column, a
    # 945's N1 BY/Z7), and the 856 has an order loop per PO and store naming the store (N1*BY**SDQ02*store; with
    # mark_for "pack", in each carton's loop after MAN*GM instead); off: each line ships whole to the ship-to
    package_tracking: bool = False  # each carton's tracking number (the confirmation's on the carton's first row;
    # a 945's MAN*CP or N9 2I of the carton) as REF*CN in the carton's P loop, before its MAN*GM (REF 150 precedes
    # MAN 190 in the HL loop); the S level then names only the shipment's first tracking number (drop-ship
    # guides such as Wayfair's list the shipment's REF tracking number with max use 1 and a pack loop per
    # parcel); False: every tracking number of the shipment as REF*CN at the S level, none per carton
    # where each carton's tracking number goes (with package_tracking): "ref" a REF*CN before its MAN*GM; "man" in
    # its MAN*GM as the second mark, MAN04 CP (carrier-assigned package id) and MAN05 the number (Zappos' 856: the
    # lead tracking number in the REF, "the individual carton numbers ... in each corresponding MAN05")
    package_tracking_in: Literal["ref", "man"] = "ref"
    shipment_refs: tuple[Literal["BM", "CN", "IA", "AW"], ...] = ("BM", "CN")  # the S level's REFs: BM bill of
    # lading, CN tracking (pro) number(s), each when the shipment has one; a guide allowing one REF there (Home Depot's
    # 4010 856: REF max use 1) names the one it wants, e.g. ("BM",); IA: vendor_number there too, after BM and CN
    # (GameStop's 856 requires the bill of lading and the vendor number at the shipment level), besides each order
    # loop's; AW: a shipment by air (TD504 A, AC, AE, AF) gives its bill of lading as REF*AW (air waybill), in BM's
    # place, where the guide asks the air waybill of air freight and the bill of lading of a truck
    shipment_td1: bool = True  # TD1 (cartons, pallets, gross weight) at the S level; False for a guide without it
    # (Home Depot's 4010 856 lists TD5, REF, DTM and N1 there)
    # TD1 in each order loop (after PRF): the order's cartons (by their packaging: CTN25) and their gross weight, as
    # Nordstrom's 856 requires at the order level (PRF, TD1, REF, N1 "must use"); off: the order loop has none (the S
    # level's counts all)
    order_td1: bool = False
    # TD1 in each carton loop (after its HL, before its REF*CN and MAN): TD1*CTN25*1****G*<weight>*<unit>, the
    # carton's gross weight as the warehouse weighed it (a carton without a weight: none), so each box of a large
    # item (multi_box) states its own weight, not only the S level's total; off: carton loops carry no TD1
    pack_td1: bool = False
    # what a package is when nothing else says (TD101, X12 element 103: form + material): the carton rows' own
    # Packaging, else the item master's packaging, else this; CTN25 a corrugated carton. A shipment of several kinds
    # has one TD1 per kind at the S level (and in each order loop with order_td1)
    packaging: str = "CTN25"
    # the PO's first heading FOB as it sent it (FOB*PP*DE prepaid to destination, FOB*CC*OR collect from origin) at the
    # S level after its DTMs (4010 position 210, 5010 2100), the first of the shipment's POs that sent one: AAFES'
    # 856 requires it there; off: none (a shipment whose POs sent no FOB has none either way)
    fob: bool = False
    bm_from_tracking: bool = False  # REF*BM on a shipment without a bill of lading (parcel: UPS, FedEx) is its
    # tracking number (REF*CN still written), as Office Depot's guide asks (BM: the BOL of a truck, the tracking
    # number of a small package); off: such a shipment has REF*CN alone
    # each unit's serial number as the warehouse scanned it (CSV Serial Numbers) as a REF*SE in its item loop, after
    # the lot's REF*LT: IT distributors' drop-ship 856s (Ingram Micro, TD SYNNEX, D&H) carry the serial of every
    # serialised unit shipped; off: none (the column is not read into the 856)
    serial_numbers: bool = False
    # a multi-box unit (a sectional in 3 cartons: the confirmation's Box Number / Box Count): every box is a pack
    # loop of its own with its SSCC (and weight, tracking number), the TD1 counting each box. "each": the item's loop
    # under every box, SN1 the unit on box 1 and 0 on boxes 2..m (each carton's contents named, as pick and pack
    # lists every container's items); "first": the item's loop under box 1 only, boxes 2..m pack loops without an
    # item (HL04 0: for a receiver that refuses an SN102 of 0). Either way SN1 and CTT02 count the unit once
    multi_box: Literal["each", "first"] = "each"
    lots: Literal["none", "lin", "ref"] = "none"  # the lot each item's units come from, as the warehouse confirms
    # it (CSV Lot Number / Expiration Date): "lin" as a LIN pair LT after the product ids and the expiry as DTM*036
    # in the item loop (the HDA 856 guideline McKesson, Cardinal Health and AmerisourceBergen follow: DSCSA
    # transaction information), "ref" as REF*LT (and DTM*036) in the item loop; "none": never. A line shipped from
    # two lots in one carton is one item loop per lot
    # a prepack (an order line ordering packs, PO103 AS, whose SLN sublines with SLN03 I list what one pack holds:
    # department stores' size prepacks) as its item: "pack" the pack alone (LIN pack UPC, SN1 packs); "components"
    # the same item followed by an SLN per component (SLN01 as the PO sent it, SLN03 I, SLN04/05 units per pack,
    # SLN09.. its ids: UP, IZ size ...), where the 856's HL loop places SLN (040, after SN1, before PO4/PID), as the
    # VICS guides of Macy's and other department stores ask to receive a prepack by its components. SN1 and CTT02
    # still count packs
    prepacks: Literal["pack", "components"] = "pack"
    # the level of the ship-to's N1 loop (N1*ST with its N2/N3/N4): "shipment" the S level after the ship-from (VICS);
    # "order" each order loop instead, after its PRF/REFs and before the mark-for (Lowe's 856 guide lists N1 ST at the
    # order level); the ship-from stays at the S level either way. "order" names each PO's own ship-to (a shipment
    # of POs for two places ships in one 856; "shipment" splits it into one 856 per ship-to, FulfilmentSettings.
    # multi_stop, or holds it: SHIPMENT_SHIP_TOS_MIXED). Such a partner's 856s are built
    # as segments
    ship_to_level: Literal["shipment", "order"] = "shipment"
    # where the shipment's dates go (DTM 011 shipped, and DTM 017 estimated delivery when written): "shipment" the S
    # level (VICS, position 200 of the HL loop); "heading" the heading's DTM right after BSN (position 040) instead,
    # where the partner's guide lists DTM in the heading and none in the HL loop (Walmart.com's drop ship vendor 856:
    # ST, BSN, DTM "must use"; the HL loop HL, LIN, SN1, PRF, TD1, TD5, MAN). Such a partner's 856s are built as
    # segments
    dates_level: Literal["shipment", "heading"] = "shipment"
    # the N1 loops the S level writes after its DTMs (each with its N3/N4): "SF" the ship-from (our DC), "ST" the
    # ship-to (with ship_to_level "shipment"; "order" puts it in each order loop whatever this says); () none, where
    # the partner's guide lists no N1 in the shipment's HL loop (Walmart.com's drop ship vendor 856: HL, LIN, SN1,
    # PRF, TD1, TD5, MAN: the consumer's address is the PO's). Other than ("SF", "ST"): such a partner's 856s are
    # built as segments
    shipment_parties: tuple[Literal["SF", "ST"], ...] = SHIPMENT_PARTIES
    # the ship-to's contact (the PER the 850 sent in its N1*ST loop: a drop ship's consumer, PER01 IC with a phone
    # TE and email EM) written back as sent in the 856's N1*ST loop after its N4 (the 856's N1 loop places PER at 270),
    # for drop-ship guides that ask the ASN to carry the consumer's phone or email; a PO without one: none. Off: no
    # PER (the 856s as before). Such a partner's 856s are built as segments
    ship_to_contact: bool = False
    store_party: Literal["BY", "Z7"] = "BY"  # N101 of the store's N1 (store_level): BY buying party (Macy's: the order
    # level's N1 BY gives the store number), Z7 mark-for party (as other cross-dock 856s write it)
    # the product at the pack level, as H-E-B's 856 asks (it receives from the pack level's case code and cases): each
    # carton's P loop names, after its MAN*GM, the case code of the one order line it holds (LIN with no LIN01, the
    # pair UA, the 12-digit UPC case code the PO sent; else UK, the GTIN-14; else the line's ids) and its quantity as
    # shipped (SN1**36*CA); its item loop the consumer unit: LIN01 the line, the other ids (UP), SN1 in eaches
    # (cases x the item's case pack: SN1**432*EA, the ordered quantity likewise) and PO4 with the pack. The
    # confirmation's quantities are checked at the pack level, the eaches against them. S-O-P-I or S-O-T-P-I only; a
    # carton holding two order lines is refused (ASN_NOT_BUILT). Such a partner's 856s are built as segments; off:
    # cartons carry MAN only, the items the quantities as shipped
    case_at_pack: bool = False
    per: Literal["shipment", "order"] = "shipment"  # one 856 per shipment, an order loop per PO it carries;
    # "order": one 856 per shipment and PO (Ulta's and other retailers' guides: "one ASN per purchase order", no
    # consolidation), each with its own BSN02 (the shipment id, "-" and the PO; a shipment of one PO keeps its id), the
    # same S level (bill of lading, tracking, carrier) and only that PO's pallets, cartons and items; each recorded
    # as a shipment of its own (engine.lifecycle.shipping.asn_shipment_id)

    @field_validator("packaging")
    @classmethod
    def _packaging_code(cls, value: str) -> str:
        from schemas.packaging import packaging_code, why_not_packaging

        code = packaging_code(value)
        if code is None:
            raise ValueError(why_not_packaging(value))
        return code

    @model_validator(mode="after")
    def _one_ia(self) -> AsnSettings:
        one_vendor_number(self.vendor_number, self.order_refs, "[fulfilment.asn]")
        required_refs(self.required_order_refs, self.order_refs, "[fulfilment.asn]")
        return self

    @model_validator(mode="after")
    def _vendor_number_at_s(self) -> AsnSettings:
        if "IA" in self.shipment_refs and not self.vendor_number:
            raise ValueError('shipment_refs "IA" writes the vendor number at the shipment level: set vendor_number')
        return self

    @model_validator(mode="after")
    def _tracking_of_each_package(self) -> AsnSettings:
        if self.package_tracking_in != "ref" and not self.package_tracking:
            raise ValueError('package_tracking_in places each carton\'s tracking number: set package_tracking = true')
        return self

    @model_validator(mode="after")
    def _packs_above_items(self) -> AsnSettings:
        if self.case_at_pack and self.structure not in ("SOPI", "SOTPI", "STOPI"):
            raise ValueError(f"case_at_pack names the case at a carton (pack) level above each item: structure SOPI, "
                             f"SOTPI or STOPI, not {self.structure}")
        return self

    @model_validator(mode="after")
    def _business_days_counted(self) -> AsnSettings:
        if self.transit_holidays and not self.transit_business_days:
            raise ValueError("transit_holidays are skipped by business days: set transit_business_days = true")
        if self.transit_business_days and self.transit_days is None:
            raise ValueError("transit_business_days counts transit_days: set transit_days")
        return self

    @property
    def transit(self) -> Transit | None:
        """The partner's time in transit (transit_days, as business days with transit_business_days); None: not
        known."""
        if self.transit_days is None:
            return None
        return Transit(self.transit_days, self.transit_business_days, frozenset(self.transit_holidays))

    @model_validator(mode="after")
    def _stores_written(self) -> AsnSettings:
        if self.store_level and self.mark_for == "none":
            raise ValueError('store_level needs the store in the 856: mark_for "order" or "pack", not "none"')
        return self


_TEXT = r"^[^\x00-\x1f\x7f]*$"  # a value we write from the profile: no control character (no X12 character)


class PoAckParty(_Model):
    """Us as a party of the 855 (N1*SF ship-from, with N3/N4 when an address is given), as the partner's
    guide and vendor set-up name us: our name, the id they gave us (N103/N104, e.g. 92 and our vendor or DC
    number, UL GLN, 1 DUNS) and our address. ``code``: N101 where the partner's guide names us by another entity
    code than the table's own (SF for a ship-from, BT for a bill-to): SU supplier/manufacturer (Walmart's 810: N1*SU
    with our GLN), VN vendor, SE selling party, ...; "" (default): the table's own."""

    code: str = Field(default="", pattern=r"^([A-Z0-9]{2,3})?$")  # N101 (element 98, ID 2/3); "": SF, or BT
    name: str = Field(min_length=1, max_length=60, pattern=_TEXT)  # N102
    id_qualifier: str = Field(default="", pattern=r"^([A-Z0-9]{1,2})?$")  # N103 (element 66)
    id: str = Field(default="", max_length=80, pattern=_TEXT)  # N104
    address1: str = Field(default="", max_length=55, pattern=_TEXT)  # N301
    address2: str = Field(default="", max_length=55, pattern=_TEXT)  # N302
    city: str = Field(default="", max_length=30, pattern=_TEXT)  # N401
    state: str = Field(default="", pattern=r"^([A-Z0-9]{2})?$")  # N402 (element 156)
    postal_code: str = Field(default="", pattern=r"^([A-Z0-9 -]{3,15})?$")  # N403 (element 116)
    country: str = Field(default="", pattern=r"^([A-Z]{2,3})?$")  # N404 (element 26)

    @model_validator(mode="after")
    def _paired(self) -> PoAckParty:
        if bool(self.id_qualifier) != bool(self.id):  # N103/N104 are written together (syntax note P0304)
            raise ValueError("ship_from: id_qualifier and id go together (N103/N104)")
        return self


class PoAckContact(_Model):
    """Our contact for the partner's questions about an 855 (PER in the heading): PER01 the contact's
    function (IC information contact, OC order contact, CR customer relations, ...), a name and at least one
    way to reach them (TE phone, EM email, FX fax), in that order."""

    function: str = Field(default="IC", pattern=r"^[A-Z0-9]{2}$")  # PER01 (element 366)
    name: str = Field(default="", max_length=60, pattern=_TEXT)  # PER02
    phone: str = Field(default="", max_length=80, pattern=_TEXT)  # PER03 TE, PER04
    email: str = Field(default="", max_length=80, pattern=_TEXT)  # EM
    fax: str = Field(default="", max_length=80, pattern=_TEXT)  # FX

    @model_validator(mode="after")
    def _reachable(self) -> PoAckContact:
        if not (self.phone or self.email or self.fax):
            raise ValueError("contact: a phone, email or fax is needed (PER03/PER04)")
        return self

    def numbers(self) -> list[str]:
        """PER03..PER08: each (qualifier, number) given, TE, EM, FX in that order."""
        return [x for q, v in (("TE", self.phone), ("EM", self.email), ("FX", self.fax)) if v for x in (q, v)]


class PoAckSettings(_EchoedRefs):
    """What this partner's 855 carries besides BAK, PO1/ACK and CTT ([acks.po_ack]): the heading content
    retailers' 855 guides require (Saks: REF DP and REF IA required, DTM required, an N1 loop; Northern Tool,
    Scheels, Sally Beauty: REF IA required; Hershey's customers: DTM and N1 must use). The defaults add nothing."""

    vendor_number: str = Field(default="", pattern=VENDOR_NUMBER)  # REF*IA after BAK: the vendor number the
    # partner gave us (the 856's and 810's vendor_number are set apart: some partners give one per document)
    currency: bool = False  # CUR*BY with the PO's CUR02 right after BAK (position 040), when the PO sent a CUR:
    # Sherwin-Williams' 855 guide marks CUR mandatory
    order_refs: tuple[str, ...] = ()  # the PO's heading references echoed after BAK (and REF IA), REF02 as
    # the PO sent it, when it sent one: DP department (Saks' 855 requires it), PD promotion, MR merchandise type
    ship_date: bool = False  # DTM*068 (current schedule ship) in the heading: the date the lines are acknowledged
    # for (the PO's requested ship date, or the answer's date when that is past or absent)
    process_date: bool = False  # DTM*009 (process) with the day we answer, after DTM 068: a guide that requires the
    # date its PO was processed (Dot Foods' 855: DTM current schedule ship and DTM process, both required)
    line_dates: bool = True  # each ACK's date (ACK04 068, ACK05: the day that part of the line ships, a backorder's
    # promised day); False: ACK01-ACK03 only, the heading's DTM 068 the one date (Zappos' 855: the start ship date
    # is acknowledged at the header level, not on the item level)
    ship_to: bool = False  # N1*ST with N102-N104 as the PO sent them (when it sent a ship-to name or id)
    addresses: bool = False  # each N1 the 855 echoes from the PO (ST, BY) followed by its N3/N4 as the PO sent them
    buyer: bool = False  # N1*BY (the buying party) with N102-N104 as the PO sent them, after N1*ST
    ship_from: PoAckParty | None = None  # N1*SF (us, as the partner names us) last in the N1 loops; None: none
    contact: PoAckContact | None = None  # PER (our contact) after the heading's REFs; None: none
    fob: bool = False  # the PO's first heading FOB echoed as sent (after PER), when it sent one
    terms: bool = False  # the PO's first heading ITD (terms of sale) echoed as sent (after FOB, before DTM)
    carrier: bool = False  # the PO's first heading TD5 (routing: carrier, service) echoed as sent (after DTM)
    product_qualifiers: tuple[str, ...] | None = None  # PO1's product id pairs restricted to these qualifiers
    # (PO106/PO108..., in the order the PO sent them); None: every pair as sent
    # the PO line's own references (its PO1 loop's REFs: schemas.orders line_refs) of these qualifiers, each a REF
    # after its PO1 (position 100 of the PO1 loop, before the ACK loop), in the order the PO sent them: drop-ship
    # hubs (CommerceHub's REF*CO / REF*LI) and government buyers want their line references back; () never
    line_refs: tuple[LineRef, ...] = ()
    # the PO's allowances a deal agreed with the customer pre-approved (deals.csv), echoed as the PO sent them with
    # the deal number in SAC13: a heading SAC in the heading's SAC loop (after CSH, before ITD), a line's in its PO1
    # loop (after its REFs, before the ACKs), in every version (003040-005010); "none": none (most 855 guides use no
    # SAC: Sally Beauty, iTradeNetwork)
    allowances: Literal["none", "agreed"] = "none"

    @model_validator(mode="after")
    def _one_ia(self) -> PoAckSettings:
        one_vendor_number(self.vendor_number, self.order_refs, "[acks.po_ack]")
        required_refs(self.required_order_refs, self.order_refs, "[acks.po_ack]")
        return self

    @model_validator(mode="after")
    def _addresses_of_a_party(self) -> PoAckSettings:
        if self.addresses and not (self.ship_to or self.buyer):
            raise ValueError("addresses: the N3/N4 follow an N1 the 855 echoes (ship_to or buyer)")
        return self

    @field_validator("product_qualifiers")
    @classmethod
    def _qualifiers(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for q in value or ():
            if not re.fullmatch(r"[A-Z0-9]{2}", q):
                raise ValueError(f"product_qualifiers: {q!r} is not a product id qualifier (element 235: 2 characters)")
        return value


class Charge(_Model):
    """One SAC allowance or charge the partner's agreement puts on every invoice."""

    kind: Literal["A", "C"]  # SAC01: A allowance, C charge
    code: str = Field(pattern=r"^[A-Z0-9]{4}$")  # SAC02, e.g. D240 freight, C310 discount, F050 other
    description: str = ""  # SAC15
    amount: Decimal | None = None  # a flat amount (once per order or per shipment: ``per``), or
    percent: Decimal | None = None  # a percentage of the merchandise total of each 810 (its own lines; SAC06 = 1
    # item list cost)
    # a flat amount's scope: "order" (once per PO: on its first 810 only, never again on a later 810 of the PO,
    # e.g. units that shipped after an 860 cut or a backorder shipped on a later night), "shipment" (once per
    # shipment the 810 bills: a per-order 810 of three shipments bills it three times, a later 810 only for its
    # own new shipments); None: the partner's invoicing policy (InvoiceSettings.per) - "order" for a partner
    # billed per PO, "shipment" for one billed per shipment (the charge on each shipment's 810)
    per: Literal["order", "shipment"] | None = None
    # the POs it is billed on, by their heading FOB01 (shipment method of payment, code list 146) as sent: a freight
    # charge only on the POs whose FOB says the customer pays it (["PC"]: prepaid by us, charged to the customer),
    # never on a collect one (CC: the buyer's carrier, the buyer pays) nor one we prepay (PP); a PO without an FOB
    # has none of it. () (default): every PO
    fob: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _one_basis(self) -> Charge:
        if (self.amount is None) == (self.percent is None):
            raise ValueError("a charge needs exactly one of amount or percent")
        if self.percent is not None and self.per is not None:
            raise ValueError("a percentage is of each 810's own lines: per applies to a flat amount only")
        if (self.amount is not None and self.amount < 0) or (self.percent is not None and self.percent < 0):
            raise ValueError("charge amounts and percentages are positive; kind says allowance or charge")
        return self


# an N1 element as we write it: printable ASCII, no blank at either end (the element separator and the
# segment terminator are refused where the 810 is written, as for every value we send)
_N1_TEXT = r"^([!-~]([ -~]*[!-~])?)?$"


class RemitTo(_Model):
    """Our remit-to party on the 810 as the partner's guide asks for it: N1 (N101 RE, party to receive the
    remittance, or RI, remit to), with an id (N103/N104: 1 DUNS, 9 DUNS+4, UL GLN, 92 the buyer's code
    for us...) and the address (N3/N4) where the guide wants where to send the money."""

    code: Literal["RE", "RI"] = "RE"
    name: str = Field(min_length=1, max_length=60, pattern=_N1_TEXT)
    id_qualifier: str = Field(default="", pattern=r"^([A-Z0-9]{1,2})?$")
    id: str = Field(default="", max_length=80, pattern=_N1_TEXT)
    address1: str = Field(default="", max_length=55, pattern=_N1_TEXT)
    address2: str = Field(default="", max_length=55, pattern=_N1_TEXT)
    city: str = Field(default="", max_length=30, pattern=_N1_TEXT)
    state: str = Field(default="", pattern=r"^([A-Z0-9]{2})?$")
    postal_code: str = Field(default="", max_length=15, pattern=_N1_TEXT)
    country: str = Field(default="", pattern=r"^([A-Z]{2,3})?$")

    @model_validator(mode="after")
    def _paired(self) -> RemitTo:
        if bool(self.id_qualifier) != bool(self.id):  # N103 and N104 go together (syntax note P0304)
            raise ValueError("a remit-to id needs its qualifier (id_qualifier) and the qualifier its id")
        if self.address2 and not self.address1:
            raise ValueError("a remit-to address2 needs an address1")
        return self


# a GST/HST registration number (the CRA business number, RT program, account: 123456789RT0001, 15 characters) and a
# QST one (Revenu Québec: 1234567890TQ0001, 16 characters), as Canadian retailers' 810 rules want them in TXI09
GST_REGISTRATION = r"^[0-9]{9}RT[0-9]{4}$"
QST_REGISTRATION = r"^[0-9]{10}TQ[0-9]{4}$"
HST_PROVINCES = frozenset({"ON", "NB", "NS", "NL", "PE"})  # the participating provinces (HST replaces GST there)


class InvoiceTax(_Model):
    """One tax the partner's 810s carry ([[fulfilment.invoice.taxes]]): TXI after each IT1 and/or in the summary
    (InvoiceSettings.tax_at), in TDS01, for ship-tos in ``regions`` (the ship-to's N402 as the PO sent it, else
    ship_tos.csv's state of its location). engine.invoice_taxes computes it."""

    # what it is: the checks below (Canada), "sales" a US state's sales tax, "excise" a state's excise on the goods
    # billed by their first seller in the state, a percent of the price (Pennsylvania's 40 % on vapor products, a
    # state's tax on other tobacco products): a resale certificate does not exempt it (engine.invoice_taxes.exempt)
    kind: Literal["GST", "HST", "QST", "PST", "sales", "excise"]
    code: str = Field(pattern=r"^[A-Z0-9]{2}$")  # TXI01 (963) as the partner's guide lists it: GS goods and
    # services tax, ST state sales tax, SP state/provincial, ...
    percent: Decimal = Field(gt=0, lt=100)  # the rate: 13 for Ontario's HST, 9.975 for Quebec's QST
    registration: str = Field(default="", max_length=20, pattern=r"^[!-~]*$")  # TXI09 (325, AN 1/20): our
    # registration number with that tax authority; required for GST, HST and QST
    regions: tuple[Annotated[str, Field(pattern=r"^[A-Z]{2}$")], ...] = Field(min_length=1)  # N402 codes
    # the items.csv tax classes (its tax_class column) this tax does not apply to: ["grocery"] for basic groceries,
    # zero-rated under GST/HST and QST, exempt under most US states' sales tax; a line of such an item is not taxed
    # (its line TXI states 0 at rate 0); () every item taxed
    exempt: tuple[Annotated[str, Field(min_length=1, max_length=30)], ...] = ()
    # the SAC charges (freight, handling: the profile's and the PO's heading charges) this tax applies to: "goods"
    # as the goods they deliver, in proportion to the taxable lines' value (GST/HST on freight of taxable goods,
    # none on freight of zero-rated ones; the Streamlined Sales Tax allocation by price), "taxable" in full,
    # "exempt" none (a state not taxing separately stated delivery: California, Florida ...). Allowances always
    # lower the base by the taxable lines' share
    charges: Literal["goods", "taxable", "exempt"] = "goods"

    @model_validator(mode="after")
    def _canadian(self) -> InvoiceTax:
        if len(set(self.regions)) != len(self.regions):
            raise ValueError(f"{self.kind}: a region is listed twice")
        if self.kind in ("GST", "HST") and not re.match(GST_REGISTRATION, self.registration):
            raise ValueError(f"{self.kind} needs our GST/HST registration number, 15 characters as 123456789RT0001 "
                             f"(TXI09), not {self.registration!r}")
        if self.kind == "QST":
            if not re.match(QST_REGISTRATION, self.registration):
                raise ValueError("QST needs our QST registration number, 16 characters as 1234567890TQ0001 (TXI09), "
                                 f"not {self.registration!r}")
            if set(self.regions) != {"QC"}:
                raise ValueError("QST is Quebec's only: regions = [\"QC\"]")
        if self.kind == "HST" and (outside := sorted(set(self.regions) - HST_PROVINCES)):
            raise ValueError(f"HST applies in {', '.join(sorted(HST_PROVINCES))} only, not {', '.join(outside)}")
        return self


class BillOnlyMark(_Model):
    """How a partner's 850 says it is a bill-only order (a usage report turned into a PO: implants a surgery used
    from the consigned stock kept at the hospital, a VMI consumption PO): goods the buyer already holds and used,
    billed from the PO, never shipped. One of: ``beg02`` a BEG02 code (code list 92: "KN", "BE", a code the
    partner's guide names); ``n9`` an N901 qualifier with ``text`` its N902 or N903 ("ZZ", "BILL ONLY"); ``ref`` a
    heading REF01 with ``text`` its REF02 ("ZZ", "BILL ONLY"). ``text`` is compared without regard to case or to
    runs of spaces (schemas.fulfilment.bill_only_text)."""

    beg02: str = Field(default="", pattern=r"^([0-9A-Z]{2})?$")
    n9: str = Field(default="", pattern=r"^([A-Z0-9]{2,3})?$")
    ref: str = Field(default="", pattern=r"^([A-Z0-9]{2,3})?$")
    text: str = Field(default="", max_length=80)

    @model_validator(mode="after")
    def _one_kind(self) -> BillOnlyMark:
        kinds = [k for k in ("beg02", "n9", "ref") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("a bill_only mark names one of beg02, n9 or ref")
        if kinds[0] == "beg02" and self.text:
            raise ValueError("a bill_only mark by beg02 takes no text (the BEG02 code is the mark)")
        if kinds[0] != "beg02" and not bill_only_text(self.text):
            raise ValueError(f"a bill_only mark by {kinds[0]} needs the text its {kinds[0].upper()} carries")
        return self


def bill_only_text(text: str | None) -> str:
    """``text`` as a bill-only mark compares it: upper case, runs of spaces as one, trimmed."""
    return " ".join((text or "").upper().split())


class InvoiceSettings(_EchoedRefs):
    """How and when this partner is invoiced."""

    # "shipment": one 810 per shipment and PO; "order": one per PO once it shipped complete; "store": one per
    # shipment, PO and the store its cartons were marked for (a store cross-dock PO's SDQ stores: Bealls matches its
    # EDI invoices to individual store invoices), each with that store's units and the store as its mark-for N1
    # (asn.store_party, qualifier 92) in the heading; units marked for no store on one 810 of their own, as "shipment"
    # bills them. Needs asn.store_level (the shipment records keep each carton's store only for a store-level 856)
    per: Literal["shipment", "order", "store"] = "shipment"
    charges: tuple[Charge, ...] = ()
    # a flat charge per shipment (freight on one BOL) of a shipment that carries several POs (per "store": several
    # POs' or stores' 810s; a (PO, store) counts as a PO here, in the order the confirmation names them), each billed on
    # its own 810: "first" the whole charge once, on the 810 of the shipment's first PO (in the order the
    # confirmation names them; per-order invoicing: of its POs billed when the shipment is) - the carrier bills
    # one freight per BOL, and ERPs put a delivery's freight on its first invoice; "units" split among those
    # POs' 810s in proportion to the units each has on the shipment, to the cent (largest remainder: the shares
    # add up to the charge exactly). It used to be billed in full on every PO's 810 (the customer billed twice
    # for one freight charge)
    shipment_charges: Literal["first", "units"] = "first"
    iss: bool = False  # ISS summary (units shipped) on the invoice
    ctt_hash: bool = False  # CTT02 = hash total of IT102
    remit_to: str | RemitTo = ""  # our remit-to: a name (N1*RE*name), or a table (RemitTo: N101 RE or RI, id,
    # address); empty: no remit-to loop
    transaction_type: str = Field(default="DI", pattern=r"^[A-Z]{2}$")  # BIG07: DI debit invoice
    number_prefix: str = Field(default="INV", pattern=r"^[A-Z0-9-]{0,8}$")  # BIG02 = prefix + sequence number
    vendor_number: str = Field(default="", pattern=VENDOR_NUMBER)  # REF*IA in the heading (after REF SI/BM): the
    # vendor number the partner gave us, which Walmart's and other retailers' 810 guides require
    vendor_number_qualifier: Literal["IA", "VR"] = "IA"  # REF01 of vendor_number: IA internal vendor number (most
    # guides), VR vendor ID number (Wayfair's 810 lists "REF - Vendor ID Number" as required)
    contact: PoAckContact | None = None  # PER (060) after the heading's REFs, before the N1 loops: our contact for
    # questions about the invoice (Wayfair's 810: PER required); None: none
    # the heading REFs of what the 810 bills, each when it has one: SI the shipment id, BM the bill of lading; a guide
    # listing the 810's REF as not used names none (Hudson's Bay's 4010 810: "REF 050 - not used"): ()
    shipment_refs: tuple[Literal["SI", "BM"], ...] = ("SI", "BM")
    order_refs: tuple[str, ...] = ("DP",)  # the PO's heading references carried back after REF SI/BM/IA, as
    # the PO sent them, when it sent one: DP department number (JCPenney's and Target's 810 require it), PD
    # promotion/deal number (Target's 810: optional; add "PD"), MR merchandise type code; () never
    # the PO line's own references (its PO1 loop's REFs: schemas.orders line_refs) of these qualifiers, each a REF
    # in its IT1 loop after the PID (position 120), in the order the PO sent them: drop-ship hubs (CommerceHub's
    # REF*CO customer order and REF*LI line item id) and government and university buyers require their line
    # references back; () never
    line_refs: tuple[LineRef, ...] = ()
    # the expiration date the PO line states (its PO1 loop's DTM 036: schemas.orders expiry_sent) written back as
    # DTM*036 in its IT1 loop (position 150, after the line's REFs): a hospital's bill-only PO names each implant's
    # lot (REF*LT: line_refs) and expiry, which its 810 carries back; False: never
    line_expiry: bool = False
    # the pack the PO line states (its PO1 loop's PO4 as sent: schemas.orders po4_pack, po4_size/po4_size_unit and
    # po4_inner_pack) written back as PO4 in its IT1 loop (position 100: after its PID, before its REFs): PO401 the
    # pack, PO402/PO403 the size, PO414 the inner pack, where the 810 guide carries the pack of each line (Walmart's
    # 810: "the PO4 segment is used to specify the packaging of the item in the case or carton", PO401 pack, PO414
    # inner pack); a line the PO sent no PO4 for gets none. False: never. Such a partner's 810s are built as segments
    item_po4: bool = False
    # the PO line's own CTPs (pricing information: its PO1 loop's, schemas.orders line_prices) whose CTP02 price
    # identifier is one of these, each a CTP in its IT1 loop (position 050: after TXI, before the PID) as the PO sent
    # it (CTP01..CTP05): Big 5's 5010 810 requires a CTP in every IT1 loop and its 850 sends the retail price
    # (CTP*RS*RES*29.99): ["RES"]; () never
    ctp: tuple[PriceQualifier, ...] = ()
    mark_for: bool = True  # the mark-for store a PO names (N1 Z7, or N1 BY with N103/N104) in the heading after
    # N1 ST, N101-N104 as the PO sent them; False: never (a PO without one never has it)
    # the PO's own SAC allowances and charges the 810 carries, by their SAC12 handling code (code list 559): "02"
    # off invoice (Kroger's, Albertsons' promotional allowances: taken off the invoice by the vendor, deducted by
    # the retailer otherwise), "06" charge to be paid by customer ...; line SACs after their IT1, heading ones in
    # the summary, in TDS01 (engine.invoice_po_sacs: amounts and rounding); () none
    po_allowances: tuple[Annotated[str, Field(pattern=r"^[0-9A-Z]{2}$")], ...] = ("02",)
    # the ITD the 810 states: "agreed" the terms agreed with the partner (customers.csv; a PO's own ITD only where
    # there is no agreement, TERMS_MISMATCH warning when they differ); "po" the PO's own ITD when it sent one (the
    # dated terms of a co-op's promotion or market order: Ace's spring dating, Orgill's "net Jan 15", whose 810 must
    # state them; the agreed terms for a PO without an ITD)
    terms: Literal["agreed", "po"] = "agreed"
    # a PID*F (free-form description) after every IT1: the PO line's own (PID05), else our item's (items.csv
    # description of the line's SKU), where the partner's 810 guide makes PID mandatory in the IT1 loop (Rite Aid's
    # DC 810) and its 850s send none; False: a PID only where the PO line had one
    item_pid: bool = False
    # our ids (items.csv, rules.business.items.part_id) one of which every IT1 must name, in order of preference: a
    # line the PO sent with none of them (ordered by the buyer's own item number alone, IN/BP) gets the first our
    # item has appended after the PO's pairs (at most ten pairs: IT106..IT125). Metro's 810 rules: "a UPC or case
    # code is mandatory, the purchaser's code optional": ["UK", "UP"]. The GS1 numbers of code list 235 our intake
    # reads (rules.business.items.OUR_QUALIFIERS: UK, UP, EN, EO the EAN-8 / JAN-8, and UI, UD, UA, U2 without
    # their check digit) and our vendor part (VN, VP, VC, VA) only; () (default): the PO's pairs alone
    item_ids: tuple[Literal["UK", "UP", "EN", "EO", "UA", "UI", "UD", "U2", "VN", "VP", "VC", "VA"], ...] = ()
    # the taxes the 810 carries (GST/HST/QST for a Canadian retailer, a US state's sales tax), each for the ship-tos
    # of its regions; () none (the 810 as ever: no TXI, TDS01 without tax)
    taxes: tuple[InvoiceTax, ...] = ()
    # where TXI is written and how it is rounded: "summary" one TXI per tax after TDS, its amount the taxable total
    # (lines + SAC charges - allowances) x percent, rounded half up to cents once; "line" a TXI per tax after each
    # IT1 (the line's extension x percent, half up to cents) and the summary TXI their sum (plus the SACs' net x
    # percent, rounded once): Loblaw's "taxes on each item and at summary"
    tax_at: Literal["summary", "line"] = "summary"
    # TXI03 (954): "percent" the rate as a number of percent (13, 9.975: most retail guides), "decimal" as a
    # fraction (0.13, 0.09975: X12's "percentage as decimal" read strictly)
    tax_percent: Literal["percent", "decimal"] = "percent"
    # CUR*SE on the 810 of a PO that sent no CUR (a PO's own CUR02 always wins), for a guide whose 810 requires CUR
    # while its 850's is optional or absent: True the currency agreed with the partner (customers.csv currency;
    # Sally Beauty's 5010 810); a code (ISO 4217, "USD") that code where customers.csv agrees none (ALDI's 5010 810:
    # CUR mandatory, its 850 without one). False (or ""): a CUR only for a PO that sent one
    currency: bool | Annotated[str, Field(pattern=r"^([A-Z]{3})?$")] = False
    # us as the ship-from party (N1*SF, with N3/N4 when an address is given) after the PO's parties (N1 ST, its
    # mark-for), as the partner's guide and vendor set-up name us, where its 810 lists a ship-from loop (ALDI's 5010
    # 810: N1 loops buyer and ship-from); None: none
    ship_from: PoAckParty | None = None
    # the bill-to (N1*BT, with N3/N4 when an address is given) of an 810 whose PO named none (a PO's own N1*BT always
    # wins), as the partner's set-up names it, where its 810 guide requires a bill-to loop and its 850 sends no N1
    # (Dot Foods: its 810 BIG, N1 BT, ITD, DTM, TDS, CAD); None: none
    bill_to: PoAckParty | None = None

    @property
    def currency_code(self) -> str:
        """The code ``currency`` names ("" when it is True, False or ""): the 810's CUR*SE for a PO that sent no CUR
        and whose partner agreed no currency in customers.csv."""
        return self.currency if isinstance(self.currency, str) else ""

    @property
    def charge_scope(self) -> Literal["shipment", "order"]:
        """A flat charge's scope when it names none (Charge.per): "order" for a partner billed per PO, else
        "shipment" (per "store" too: the shipment's charge shared by its stores' 810s, shipment_charges)."""
        return "order" if self.per == "order" else "shipment"

    # the PO's first heading FOB echoed as sent (FOB01.., the 855's [acks.po_ack] fob alike) after DTM 011, the
    # 810's position 150, when the PO sent one: Walmart's and Sam's Club's 810 guides list FOB as required in the
    # heading (FOB*CC collect, PP prepaid); False: no FOB
    fob: bool = False
    # CAD (the summary's carrier details, after TDS and its TXIs, before the SAC loop) of the shipment billed (an
    # order billed whole: its last): CAD04 its carrier's SCAC (CAD05 the carrier as given when it is no 2-4 character
    # code), CAD07 BM and CAD08 its bill of lading (when it has one of 30 characters at most): Family Dollar's 810
    # guide asks for the bill of lading there on every invoice against a PO to its DCs; CAD01 the transport method
    # the shipment's 856 gave, where it is mandatory (a 005010 810, an 880: engine.lifecycle.billing._cad_method);
    # False: no CAD
    carrier: bool = False
    # DTM*011 (the day the goods shipped) after the ITD; False where the 810 guide lists no DTM in its heading
    # (Henry Schein's 4010 810: BIG, NTE, the N1 loop, ITD, then IT1)
    ship_date: bool = True
    # the ship-to's N2 (its name's second line: a drop ship's attention line, the dentist at a dental office) after
    # its N1, as the PO sent it; False where the guide's N1 loop is N1, N3 and N4 only (Henry Schein's 810): no N2
    ship_to_n2: bool = True
    # the ship-to party the PO named (N1*ST, with its N2, N3 and N4) after the bill-to; False where the partner's 810
    # guide lists no ship-to loop (ALDI's 5010 810: N1 loops buyer and ship-from only): none
    ship_to: bool = True
    # the N3 and N4 of the PO's parties (bill-to, ship-to) after their N1; False where the 810 guide's N1 loop is N1
    # alone (Fisher Scientific's supplier 810: BIG, N1, then IT1): the N1 names the party by its id
    party_addresses: bool = True
    # the REF01 qualifiers of the REFs the PO sent inside its N1 BT and N1 ST loops (schemas.orders party_refs_sent)
    # that the 810 writes back in the same loop, after its N1 (and N2, N3, N4), as sent: a beverage distributor's
    # licence, REF*0B (state licence number) of its bill-to, which a distributor's invoice must name; () none
    party_refs: tuple[str, ...] = ()
    # the ITD (terms of sale: the agreed, or the PO's) in the heading; False where the 810 guide lists none (Fisher
    # Scientific's supplier 810: BIG and the N1 loop only): the terms stand as agreed, unstated
    itd: bool = True

    # the PO types (BEG02, code list 92) shipped on memo: consignment goods the retailer pays for only once it sells
    # them (it reports the sale, or orders their replenishment), so no 810 goes for their shipment. Their 856 goes
    # as for any order; the order ends "shipped_on_memo" (not waiting for an 810), the reconciliation does not call
    # its lines shipped-not-invoiced, and status and the reports say why no 810 went. "CN" (Consigned Order) is
    # the code list's consignment code; () (default): every shipped order is invoiced per ``per``
    memo_order_types: tuple[Annotated[str, Field(pattern=r"^[0-9A-Z]{2}$")], ...] = ()
    # how the partner marks a bill-only order (BillOnlyMark: a BEG02 code, an N9 or a heading REF with its text): a
    # hospital's PO for implants a surgery used from the consigned stock it holds, a VMI consumption PO. Such an order
    # is acknowledged (855) as any, reserves no stock and waits for no shipment: the invoice stage records its usage
    # (no 856) and bills it per ``per`` from the PO (engine.lifecycle.shipping.plan_bill_only); a warehouse's
    # confirmation naming it is SHIPMENT_BILL_ONLY, never a second shipment. () (default): no order is bill-only
    bill_only: tuple[BillOnlyMark, ...] = ()
    # the grocery invoice's (880: engine.invoice_880) G7201 (element 340, the grocery allowance/charge list) the
    # partner's guide assigns, by what the 810 says: "A:C310" (SAC01:SAC02, a SAC allowance A or charge C) or
    # "TXI:ST" (TXI01, a tax) -> its 340 code: {"A:C310" = "51"} a guide billing the 2 % discount as a trade
    # discount. It wins over the built-in table (engine.invoice_880.SAC_TO_G7201: the pairs whose 340 code names the
    # same allowance or charge; a tax: 537 state or province tax for ST/SP/PG/PS, 526 beverage tax for AF, else 501
    # taxes).
    # An allowance maps to 1-499, a charge to 500-999 but not a tax's code, a tax to 501, 526 or 537 (the 340 list's
    # taxes: G72_TAX_CODES). A SAC neither lists is refused (INVOICE_NOT_BUILT, naming the key to add); {} the table
    g72_codes: dict[Annotated[str, Field(pattern=r"^([AC]:[0-9A-Z]{4}|TXI:[0-9A-Z]{2})$")],
                    Annotated[str, Field(pattern=r"^[1-9][0-9]{0,2}$")]] = {}

    @model_validator(mode="after")
    def _each_once(self) -> InvoiceSettings:
        for name in ("memo_order_types", "ctp"):
            codes = getattr(self, name)
            twice = sorted({t for t in codes if codes.count(t) > 1})
            if twice:
                raise ValueError(f"{name} names {', '.join(twice)} twice")
        return self

    @model_validator(mode="after")
    def _g72_kinds(self) -> InvoiceSettings:
        for key, code in self.g72_codes.items():
            kind = key.split(":")[0]
            if kind == "TXI" and code not in G72_TAX_CODES:
                raise ValueError(f"g72_codes {key!r}: a tax is a G72 of a tax code ({', '.join(G72_TAX_CODES)}), "
                                 f"not {code}")
            if kind == "A" and int(code) >= 500:
                raise ValueError(f"g72_codes {key!r}: an allowance's 340 code is 1-499 (500 and on are charges), "
                                 f"not {code}")
            if kind == "C" and (int(code) < 500 or code in G72_TAX_CODES):
                raise ValueError(f"g72_codes {key!r}: a charge's 340 code is 500-999 and not a tax's "
                                 f"({', '.join(G72_TAX_CODES)}), not {code}")
        return self

    @model_validator(mode="after")
    def _one_ia(self) -> InvoiceSettings:
        one_vendor_number(self.vendor_number, self.order_refs, "[fulfilment.invoice]", self.vendor_number_qualifier)
        required_refs(self.required_order_refs, self.order_refs, "[fulfilment.invoice]")
        return self

    @model_validator(mode="after")
    def _taxes(self) -> InvoiceSettings:
        seen: dict[tuple[str, str], str] = {}
        for tax in self.taxes:
            for region in tax.regions:
                for other in ({"GST": ("HST", "GST"), "HST": ("GST", "HST")}.get(tax.kind, (tax.kind,))):
                    if (other, region) in seen:
                        raise ValueError(f"{region}: {tax.kind} with {other} - HST replaces GST, and one tax of a "
                                         "kind per region")
                seen[(tax.kind, region)] = tax.code
        codes = [(t.code, r) for t in self.taxes for r in t.regions]
        if len(set(codes)) != len(codes):
            raise ValueError("two taxes of one TXI01 code for one region: the 810's TXIs could not be told apart")
        return self


class CsvLayout(_Model):
    """How a CSV file is written: encoding, separators, number and date formats."""

    encoding: str = "utf-8-sig"  # with or without a BOM; a UTF-16/32 mark is read as what it says (csv_common);
    # a file read as ISO-8859-1 (latin-1) is read as Windows-1252, as Windows writes it (csv_common._windows)
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    quotechar: str = Field(default='"', min_length=1, max_length=1)
    decimal_separator: Literal[".", ","] = "."
    thousands_separator: Literal["", ",", ".", " ", "'"] = ""
    date_format: str = "%Y-%m-%d"  # strptime
    time_format: str = "%H:%M"

    @model_validator(mode="after")
    def _separators(self) -> CsvLayout:
        if self.thousands_separator and self.thousands_separator == self.decimal_separator:
            raise ValueError("the thousands separator cannot be the decimal separator")
        return self

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str) -> str:
        import codecs

        try:
            codecs.lookup(v)
        except LookupError as exc:
            raise ValueError(f"unknown encoding {v!r}") from exc
        return v


class CsvFeedLayout(CsvLayout):
    """A CSV file we read: its layout, and what an exporter writes around its rows."""

    title_rows: int = Field(default=0, ge=0, le=100)  # lines before the header (a report's name, date, blank
    # line), passed over; an Excel "sep=;" line is not counted
    total_labels: tuple[str, ...] = ()  # a row whose first filled cell is one of these ("Total", "Summe";
    # any case) is the export's totals row: passed over; a label ending in "*" names the cells beginning with the
    # rest ("Total *": a report's subtotal rows "Total UMB-1001"); one with a "*" before or inside its text is a
    # pattern over the whole row, its filled cells joined by a blank, each "*" any text
    # ("* record(s) downloaded from *": a marketplace report's footer "2,record(s) downloaded,from ... to ...")
    excel_serial_dates: bool = False  # a date cell holding a whole number (46000, or 46000.5 with a time of
    # day) is Excel's serial date (days since 1899-12-30, Windows' 1900 system: 46000 = 2025-12-09), read
    # beside date_format: a sheet saved as CSV with its date column formatted as a number

    @field_validator("total_labels")
    @classmethod
    def _labels(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if any(not label.replace("*", "").strip() for label in v):
            raise ValueError("a totals label cannot be blank")
        return v


# the fields of CsvOrderMapping naming a column of the feed
_CSV_COLUMNS = ("po_number", "po_date", "line_id", "quantity", "unit", "unit_price", "upc", "gtin", "vendor_part",
                "buyer_part", "description", "currency", "requested_ship_date", "requested_delivery_date",
                "ship_not_before", "ship_no_later", "cancel_after", "do_not_deliver_before", "do_not_deliver_after",
                "release_number", "ship_to_id", "ship_to_name", "ship_to_name2", "ship_to_address1", "ship_to_address2",
                "ship_to_city", "ship_to_state", "ship_to_postal_code", "ship_to_country", "record_type",
                "sales_requirement", "window_type", "allowance_code", "allowance_amount", "allowance_kind",
                "allowance_deal", "updated_at", "order_type", "purpose", "line_allowance_deal")
# the text fields a layout may give as several columns (a list), read joined by one blank, blank cells left out: a
# cart export's recipient in "Shipping First Name" and "Shipping Last Name"
CSV_JOINED = ("ship_to_name", "ship_to_name2")


# the CSH01 codes a CSV order's yes/no column may mean (schemas.orders SHIP_COMPLETE, NO_BACKORDER, BACKORDER_ALLOWED:
# not imported, this module stays free of Arrow)
_SALES_CODES = ("SC", "N", "SP", "Y", "BK", "O")


# the words CSV order exports write for an order's kind, each with the BEG02 code (code list 92) it means
CSV_ORDER_TYPES = (("STANDARD", "SA"), ("STAND-ALONE", "SA"), ("STAND ALONE", "SA"), ("REGULAR", "SA"),
                   ("NEW ORDER", "SA"), ("STOCK", "SA"), ("BLANKET", "BK"), ("BLANKET ORDER", "BK"),
                   ("RELEASE", "RL"), ("BLANKET RELEASE", "RL"), ("CALL-OFF", "RL"), ("CALL OFF", "RL"),
                   ("SAMPLE", "SP"), ("SAMPLES", "SP"), ("DROP SHIP", "DS"), ("DROPSHIP", "DS"), ("DROP-SHIP", "DS"),
                   ("DIRECT SHIP", "DS"), ("RUSH", "RO"), ("RUSH ORDER", "RO"), ("EMERGENCY", "RO"),
                   ("CONSIGNMENT", "CN"), ("INFORMATION", "IN"), ("INFORMATION COPY", "IN"), ("PROMOTION", "PR"),
                   ("PROMOTIONAL", "PR"), ("REPLENISHMENT", "RE"), ("NEW STORE", "NS"), ("NEW STORE OPENING", "NS"),
                   ("BULK", "SA"))
# ... and for its purpose, with the BEG01 code (code list 353)
CSV_PURPOSES = (("ORIGINAL", "00"), ("NEW", "00"), ("CANCEL", "01"), ("CANCELLATION", "01"), ("CANCELLED", "01"),
                ("CHANGE", "04"), ("REPLACE", "05"), ("REPLACEMENT", "05"), ("CONFIRMATION", "06"),
                ("CONFIRMING", "06"), ("DUPLICATE", "07"), ("RESEND", "07"), ("REISSUE", "18"))


class CsvOrderMapping(CsvFeedLayout):
    """Column names (as in the partner's header row) of a CSV order feed; several rows per PO."""

    currency_symbol: str = Field(default="", max_length=3)  # the symbol price cells carry ("€", "$"), read
    # as the number before or after it; any other symbol is CSV_NUMBER_INVALID
    grouped: bool = False  # the PO number stands on the first row of its PO only (a grouped report export):
    # a row whose PO number is blank continues the PO above it
    record_type: str | None = None  # the column naming each row's kind, in a file holding a PO's order row
    # and its line rows under one header (an ERP's "H" and "D" records)
    order_records: tuple[str, ...] = ()  # the record types (any case) of a PO's order row: its order-level values
    # (date, ship-to ...), no line; every other row is a line (a trailer row: name it in total_labels). A PO with
    # an order row and no line row is refused (CSV_VALUE_MISSING)
    order_rows: bool = False  # true: a row naming its PO and none of a line's values (no quantity, line id, unit,
    # price, item id nor description) is the PO's order row (its date, ship-to ...), as an order_records row is: a
    # portal's orders report (each PO's values on a row of their own, its lines below, no column naming the kind).
    # A PO with such a row and no line row is refused (CSV_VALUE_MISSING)
    po_numbers_as_sent: bool = False  # true: PO numbers are never read otherwise than sent; false: a file whose
    # every PO number is a float's ("4500012345.0", a numeric column a spreadsheet saved as decimals) reads each as
    # its digits, with a warning (CSV_FLOAT_ID_RESTORED). True for a buyer whose own PO numbers end in ".0"

    @model_validator(mode="before")
    @classmethod
    def _defaults_yield(cls, data: object) -> object:
        """A column left at its default name that the layout names for another field is not read twice: a
        layout saying ``ship_to_name = "Ship To"`` (a hand-made sheet's "Ship To" holds the store's name) used to
        read that column as the ship-to id too (the default ``ship_to_id = "Ship To"``), and the order was held
        SHIP_TO_UNKNOWN for an id it never sent."""
        if not isinstance(data, dict):
            return data
        named = {" ".join(v.split()).casefold() for k, given in data.items() if k in _CSV_COLUMNS
                 for v in ((given,) if isinstance(given, str) else given if isinstance(given, (list, tuple)) else ())
                 if isinstance(v, str)}
        for name in _CSV_COLUMNS:
            default = cls.model_fields[name].default
            if name not in data and isinstance(default, str) and not cls.model_fields[name].is_required() \
                    and type(None) in getattr(cls.model_fields[name].annotation, "__args__", ()) \
                    and " ".join(default.split()).casefold() in named:
                data = {**data, name: None}
        return data

    @field_validator("unit_names", mode="before")
    @classmethod
    def _unit_names(cls, v: object) -> object:
        """A TOML table {"Each" = "EA"}, kept as (WORD, code) pairs (the layout stays hashable), the words upper case
        with single blanks."""
        if not isinstance(v, dict):
            return v
        out: dict[str, str] = {}
        for word, code in v.items():
            if not isinstance(word, str) or not isinstance(code, str):
                raise ValueError("unit_names: each unit word is a text naming a text code")
            key = " ".join(word.split()).upper()
            if not key:
                raise ValueError("unit_names: a unit word cannot be blank")
            if not (2 <= len(code) <= 2 and code.isascii() and code.isalnum() and code == code.upper()):
                raise ValueError(f"unit_names: {word!r} = {code!r}: the code is an X12 unit of measure (355), two "
                                 "capital letters or digits (\"EA\", \"CA\", \"DZ\")")
            out[key] = code
        return tuple(out.items())

    @model_validator(mode="after")
    def _symbol(self) -> CsvOrderMapping:
        symbol = self.currency_symbol
        if symbol and (symbol != symbol.strip() or any(c.isdigit() or c in "+-.,'" or c.isspace() for c in symbol)):
            raise ValueError(f"currency_symbol {symbol!r} cannot hold digits, signs, separators or blanks")
        return self

    @model_validator(mode="after")
    def _records(self) -> CsvOrderMapping:
        if bool(self.record_type) != bool(self.order_records or self.allowance_records):
            raise ValueError("record_type and order_records go together: the column naming each row's kind, and the "
                             "kinds of a PO's order row (\"H\")")
        if self.order_rows and self.record_type:
            raise ValueError("order_rows (an order row told by its blank line values) or record_type (told by its "
                             "kind column), not both")
        return self

    @field_validator(*CSV_JOINED)
    @classmethod
    def _joined(cls, v: str | tuple[str, ...] | None) -> str | tuple[str, ...] | None:
        """Several columns (a list) for one text: each a header name, none blank nor twice; one alone is that
        column (the single-string form)."""
        if not isinstance(v, tuple):
            return v
        if not v:
            raise ValueError("a list of columns names one column at least")
        if any(not name.strip() for name in v):
            raise ValueError("a column name in a list cannot be blank")
        if len({" ".join(name.split()).casefold() for name in v}) < len(v):
            raise ValueError(f"a list of columns names each once: {list(v)}")
        return v[0] if len(v) == 1 else v

    def columns_of(self, name: str) -> tuple[str, ...]:
        """The header names field ``name`` is read from: one, several (CSV_JOINED's list), or none."""
        v = getattr(self, name)
        return () if v is None else (v,) if isinstance(v, str) else v

    def column_text(self, name: str) -> str:
        """Field ``name``'s column(s) as a finding names them: "Ship To Name", "Shipping First Name + Shipping
        Last Name"; "" when unmapped."""
        return " + ".join(self.columns_of(name))

    @model_validator(mode="after")
    def _numbered(self) -> CsvOrderMapping:
        """A wide export (one row per order, its items side by side): its line columns written with "{n}"."""
        numbered = [f for f in type(self).model_fields if f != "order_records" and "{n}" in str(getattr(self, f) or "")]
        line = ("line_id", "quantity", "unit", "unit_price", "upc", "gtin", "vendor_part", "buyer_part", "description")
        if any(f not in line for f in numbered):
            raise ValueError(f"only an item's columns ({', '.join(line)}) can be numbered with {{n}}, not "
                             f"{', '.join(f for f in numbered if f not in line)}")
        if numbered and "quantity" not in numbered:
            raise ValueError("numbered item columns ({n}) need the quantity numbered too (quantity = \"Qty {n}\")")
        if any(getattr(self, f).count("{n}") > 1 for f in numbered):
            raise ValueError("a column name holds {n} once")
        return self

    po_number: str = "PO Number"
    po_date: str | None = "PO Date"
    line_id: str | None = "Line"  # None: lines are numbered 1..n within the PO, in file order
    quantity: str = "Quantity"
    unit: str | None = "Unit"
    unit_price: str | None = "Unit Price"
    upc: str | None = "UPC"
    gtin: str | None = None
    vendor_part: str | None = "SKU"  # our item id as the partner knows it
    buyer_part: str | None = "Buyer Item"
    description: str | None = "Description"
    currency: str | None = "Currency"
    requested_ship_date: str | None = "Ship Date"  # DTM 010
    requested_delivery_date: str | None = None  # DTM 002
    # the PO's window (X12 DTM 037/038/001/064/063), checked as an 850's: a date past on arrival
    # (CANCEL_DATE_PASSED), a backorder after it, a shipment outside it; order-level: rows of a PO that
    # give different dates (a per-line cancel date) hold the PO to the strictest (the earliest last date,
    # the latest first date), with a warning at the row; a row's cancel / do-not-deliver date other than the
    # PO's is its line's own (as an 850's PO1-loop DTM), which that line is held to
    ship_not_before: str | None = "Ship Not Before"  # DTM 037
    ship_no_later: str | None = "Ship No Later"  # DTM 038
    cancel_after: str | None = "Cancel Date"  # DTM 001
    do_not_deliver_before: str | None = "Do Not Deliver Before"  # DTM 064
    do_not_deliver_after: str | None = "Do Not Deliver After"  # DTM 063
    release_number: str | None = "Release"  # the PO's release number (850 BEG04), echoed as an 850's
    ship_to_id: str | None = "Ship To"
    ship_to_name: str | tuple[str, ...] | None = "Ship To Name"  # or a list of columns, read joined by one blank,
    # blank cells left out (a cart export's ["Shipping First Name", "Shipping Last Name"]): CSV_JOINED
    ship_to_name2: str | tuple[str, ...] | None = None  # the ship-to's additional name (an 850's N2: a company
    # beside a consumer's name, "C/O ..."), a column or a list as ship_to_name; kept as the 850's (ORDERS
    # ship_to_name2, in ship_to_name after ", "), written back as N2 after the 856's and 810's N1*ST
    ship_to_address1: str | None = "Address"  # a quoted cell of several lines: its first line, the rest to address2
    ship_to_address2: str | None = "Address 2"  # N302
    ship_to_city: str | None = "City"
    ship_to_state: str | None = "State"
    ship_to_postal_code: str | None = "Postal Code"
    ship_to_country: str | None = "Country"
    default_unit: str = "EA"  # when the unit column is absent or empty
    quantity_with_unit: bool = False  # true: a quantity cell may give its unit after the number ("24 ea",
    # "2 cs": a hand-made sheet), read as the unit column's (through unit_names); one differing from the row's
    # unit column is CSV_NUMBER_INVALID
    unit_names: tuple[tuple[str, str], ...] = ()  # the unit words the feed writes (any case), each
    # with the X12 unit code (355) it means: a NetSuite search's units type names ({"Each" = "EA", "Case" = "CS"});
    # a word not listed is read as the code it is, else as the code the common English word names ("Each", "Cases",
    # "Dozen", "Pallet": EA, CA, DZ, PL; schemas.units.unit_code_named), else as sent (UNIT_UNKNOWN)
    default_ship_to: str | None = None  # the ship-to id (ship_tos.csv location_id) of an order naming no
    # ship-to id and no address (a partner with one location whose export has no ship-to)
    # a yes/no column saying how the order ships ("Partial Shipments", "Ship complete", "Allow backorders"): its cell
    # (yes/no, true/false, Y/N, 1/0, any case) read as the CSH01 code sales_requirement_codes gives its answer, the
    # order's sales requirement as an 850's CSH sets it (SC: shipped complete; N: no backorder; Y/BK: backorders
    # taken); a row whose answer is not its PO's (its first row's) keeps its own as its line's, as a PO1-loop CSH. A
    # blank cell, or an answer the codes leave out: the partner's policy. Another value refuses the PO
    # (CSV_VALUE_INVALID)
    sales_requirement: str | None = None
    sales_requirement_codes: tuple[tuple[str, str], ...] = ()  # {no = "SC"} for "Partial Shipments: No"
    # a column saying what kind of order the PO is, in the words real exports use ("Blanket", "Sample", "Drop Ship",
    # "Rush" ...): its word (any case, single blanks, through order_types) read as the BEG02 code (code list 92) an
    # 850 sends, so the same rules apply (a blanket held, a drop ship acknowledged as ordered, a sample at no
    # charge ...); a cell that is a code itself (two capital letters or digits: "BK", "DS") is read as that code. A
    # blank cell (or no column): SA, a stand-alone order. Another word refuses the PO (CSV_VALUE_INVALID)
    order_type: str | None = None
    order_types: tuple[tuple[str, str], ...] = CSV_ORDER_TYPES
    # likewise the PO's purpose (BEG01, code list 353: "New", "Cancel", "Replace", "Change", "Confirmation",
    # "Duplicate" ... through purposes; two digits read as the code). Blank: 00, an original
    purpose: str | None = None
    purposes: tuple[tuple[str, str], ...] = CSV_PURPOSES
    # a column saying which kind of window a row's window dates are (Amazon Vendor Central's "Window type": Ship or
    # Delivery): its word (any case, through window_types) moves the dates the row gives in the layout's window
    # columns (ship_not_before / ship_no_later, or do_not_deliver_before / do_not_deliver_after) to that kind's pair,
    # so one file mixing both is read right (a delivery window ships its opening less the partner's transit_days, a
    # ship window ships when it opens). Blank: the dates as the layout maps them; a word not listed refuses the PO
    # (CSV_VALUE_INVALID)
    window_type: str | None = None
    window_types: tuple[tuple[str, str], ...] = (("SHIP", "ship"), ("SHIPPING", "ship"), ("SHIP WINDOW", "ship"),
                                                 ("DELIVERY", "delivery"), ("DELIVERY WINDOW", "delivery"),
                                                 ("ARRIVAL", "delivery"))
    # the column saying when the platform last changed the order ("Updated at", "Last Modified": ISO 8601 date-times,
    # or the layout's date_format and a time of day): of two versions of an order in exports pasted into one file
    # (the header repeated, a later export's rows repeating a line with other values), the newer is taken
    # (CSV_ORDER_SUPERSEDED); unmapped, or not telling, the PO is refused (CSV_ORDER_EDITED), never both read
    updated_at: str | None = None

    # a PO's allowance and charge rows (an 850 flat file's "A" record, an ERP export's "Shipping" or "Discount" item
    # line): read as the order's allowances and charges (ORDER_SACS, as an 850's heading SAC: stored with the order,
    # carried to its 810s, SAC12 02 off invoice), never as lines. allowance_records: the record types (the
    # record_type column, any case) of such a row; allowance_items: the item ids (the vendor_part column, any case)
    # of such a row, each with its SAC02 code ({Shipping = "D240", Discount = "C310"}); allowance_code: the column of
    # a row's SAC02 code (a record's "Allowance Code"; beside allowance_items, a row's own code wins);
    # allowance_amount: the column of its amount (none: the row's price x quantity, or its price); allowance or charge
    # as allowance_kind below says; a row without a readable amount refuses its PO
    allowance_records: tuple[str, ...] = ()
    allowance_items: tuple[tuple[str, str], ...] = ()
    allowance_code: str | None = None
    allowance_amount: str | None = None
    # the column of an allowance row's deal number (the promotion agreed with the buyer: deals.csv `deal`), read as
    # the SAC's SAC13: an allowance of a deal on file is pre-approved as an 850's naming it (a "Promo Code" column)
    allowance_deal: str | None = None
    # whether such a row is an allowance (SAC01 A) or a charge (C), where the export says it: allowance_kind, the
    # column of its word (a "Type", "A/C" or "Line: Type" column), read through allowance_kinds (any case; a word not
    # listed refuses the PO, CSV_VALUE_INVALID); else an allowance_items entry's kind ({Discount = "A:C310"}); else
    # the row's words (Discount, Allowance, Rebate, Promo ... an allowance; Freight, Shipping, Fee, Handling ... a
    # charge; in its record type, item or description); else the amount's sign. An allowance is its amount's size
    # whichever sign the export writes it with (a cart's discount positive, an ERP's discount line negative); a
    # charge written negative refuses its PO (CSV_VALUE_INVALID: charged or allowed is not known)
    allowance_kind: str | None = None
    allowance_kinds: tuple[tuple[str, str], ...] = (
        ("A", "A"), ("ALLOWANCE", "A"), ("DISCOUNT", "A"), ("REBATE", "A"), ("PROMOTION", "A"), ("CREDIT", "A"),
        ("C", "C"), ("CHARGE", "C"), ("FREIGHT", "C"), ("SHIPPING", "C"), ("SHIPPING LINE", "C"), ("FEE", "C"),
        ("HANDLING", "C"), ("SURCHARGE", "C"))

    # an order's shipping and discount given as columns of the order, not rows (WooCommerce's "shipping_total",
    # "cart_discount", "fee_total"; Shopify's "Shipping", "Discount Amount"): each column with its kind and SAC02 code
    # ({shipping_total = "C:D240", cart_discount = "A:C310"}: C a charge, A an allowance), read as the order's heading
    # SAC (ORDER_SACS, SAC12 02 off invoice, as an allowance row is) once per order, whether the export repeats it on
    # every line row of the order (WooCommerce) or gives it on its first row only (Shopify); a row giving another
    # value than the order's is CSV_ORDER_INCONSISTENT, the first kept, as for any order-level value. 0 or blank: none.
    # An allowance is the amount's size whichever sign it is written with; a charge written negative, or a cell that
    # is no number, refuses the PO at its row. The line's price column is the price before the discount (Shopify's
    # "Lineitem price", WooCommerce's "item_price"), else the discount is taken twice
    order_charges: tuple[tuple[str, str], ...] = ()
    # the column describing an order_charges column's charge, per charge ({"Discount Amount" = "Discount Code"},
    # {shipping_total = "shipping_method"}): its text on the row the amount is read from is the SAC's description
    # (the 810's SAC15, "WHOLESALE10", "Flat rate"); blank there, or no column named: the charge's column header
    order_charge_descriptions: tuple[tuple[str, str], ...] = ()
    # a line's own allowances and charges given as columns of its row (a "Line Discount", a "Promo %" per item; not
    # in a wide export, whose row holds many lines): each column with its kind, SAC02 code and what its cell is
    # ({"Line Discount" = "A:C310"} the amount off the line, "A:C310:percent" a percent of the line, "A:C310:rate" an
    # amount per unit ordered), read as that line's SAC (ORDER_SACS at item level, SAC12 02 off invoice) as an 850's
    # SAC in its PO1 loop: judged on the line (deals.csv, the approval threshold), taken off the line on the 810, and
    # restated with the line by the acknowledgment. 0 or blank: none. A cell that is no number, a charge or a percent
    # or rate written negative, or a percent above 100, refuses the PO at its row
    line_allowances: tuple[tuple[str, str], ...] = ()
    # the column of a line's deal number (the promotion agreed with the buyer: deals.csv `deal`), read as the SAC13 of
    # that row's line_allowances (a "Promo Code" per line)
    line_allowance_deal: str | None = None

    @field_validator("line_allowances", mode="before")
    @classmethod
    def _line_allowances(cls, v: object) -> object:
        """A TOML table {"Line Discount" = "A:C310"}: each column with its kind, SAC02 code and (":percent",
        ":rate"; else the amount) what its cell is, kept as (column, said) pairs, the layout hashable."""
        if not isinstance(v, dict):
            return v
        out = {}
        for column, said in v.items():
            if not isinstance(column, str) or not column.strip() or not isinstance(said, str) or not re.fullmatch(
                    r"[AC]:[0-9A-Z]{4}(:(amount|percent|rate))?", said):
                raise ValueError(f"line_allowances: {column!r} = {said!r}: each column names its kind, SAC02 code "
                                 "(code list 1300) and, for other than the amount off the line, what its cell is: "
                                 "\"A:C310\" an amount, \"A:C310:percent\", \"A:C310:rate\" (per unit)")
            out[column] = said
        return tuple(out.items())

    @model_validator(mode="after")
    def _line_allowances_not_wide(self) -> CsvOrderMapping:
        if self.line_allowances and any("{n}" in t for f in _CSV_COLUMNS if isinstance(t := getattr(self, f), str)):
            raise ValueError("line_allowances: a wide export's row holds many lines (its columns written with "
                             "\"{n}\"): a line's allowance columns are read from a row of one line only")
        if self.line_allowance_deal and not self.line_allowances:
            raise ValueError("line_allowance_deal names the deal of the line_allowances columns: name them too")
        return self

    @field_validator("order_charge_descriptions", mode="before")
    @classmethod
    def _order_charge_descriptions(cls, v: object) -> object:
        """A TOML table {"Discount Amount" = "Discount Code"}: each order_charges column with the column of its
        description, kept as (column, column) pairs, the layout hashable."""
        if not isinstance(v, dict):
            return v
        for column, said in v.items():
            if not isinstance(column, str) or not isinstance(said, str) or not said.strip():
                raise ValueError(f"order_charge_descriptions: {column!r} = {said!r}: each order_charges column names "
                                 "the column describing its charge (\"Discount Code\", \"shipping_method\")")
        return tuple(v.items())

    @model_validator(mode="after")
    def _charges_described(self) -> CsvOrderMapping:
        columns = dict(self.order_charges)
        if unknown := [c for c, _said in self.order_charge_descriptions if c not in columns]:
            raise ValueError(f"order_charge_descriptions: {unknown} are no order_charges columns "
                             f"({', '.join(columns) or 'none set'}): each describes a charge order_charges reads")
        return self

    @field_validator("order_charges", mode="before")
    @classmethod
    def _order_charges(cls, v: object) -> object:
        """A TOML table {shipping_total = "C:D240"}: each column (as its header names it) with its kind and SAC02
        code, kept as (column, "kind:code") pairs, the layout hashable."""
        if not isinstance(v, dict):
            return v
        out = {}
        for column, said in v.items():
            if not isinstance(column, str) or not column.strip() or not isinstance(said, str) or not re.fullmatch(
                    r"[AC]:[0-9A-Z]{4}", said):
                raise ValueError(f"order_charges: {column!r} = {said!r}: each column names its kind and SAC02 code "
                                 "(code list 1300): \"C:D240\" a freight charge, \"A:C310\" a discount")
            out[column] = said
        return tuple(out.items())

    @field_validator("allowance_kinds", mode="before")
    @classmethod
    def _allowance_kinds(cls, v: object) -> object:
        """A TOML table {Discount = "A", Freight = "C"}: each word with its kind (A allowance, C charge), kept as
        (WORD, kind) pairs, the words upper case with single blanks."""
        if not isinstance(v, dict):
            return v
        out = {}
        for word, kind in v.items():
            if not isinstance(word, str) or not word.strip() or kind not in ("A", "C"):
                raise ValueError(f"allowance_kinds: {word!r} = {kind!r}: each word names \"A\" (an allowance) or "
                                 "\"C\" (a charge)")
            out[" ".join(word.split()).upper()] = kind
        return tuple(out.items())

    @field_validator("allowance_items", mode="before")
    @classmethod
    def _allowance_items(cls, v: object) -> object:
        """A TOML table {Shipping = "D240"}: each item id with its SAC02 code (code list 1300: four letters or
        digits), kept as (ITEM, code) pairs, the items upper case with single blanks."""
        if not isinstance(v, dict):
            return v
        out = {}
        for item, code in v.items():
            if not isinstance(item, str) or not item.strip() or not isinstance(code, str) or not re.fullmatch(
                    r"(?:[AC]:)?[0-9A-Z]{4}", code):
                raise ValueError(f"allowance_items: {item!r} = {code!r}: each item names its SAC02 code (code list "
                                 "1300: \"D240\" freight, \"C310\" discount), after its kind where the layout says "
                                 "it (\"A:C310\" an allowance, \"C:D240\" a charge)")
            out[" ".join(item.split()).upper()] = code
        return tuple(out.items())

    @model_validator(mode="after")
    def _allowance_rows(self) -> CsvOrderMapping:
        if self.allowance_records and not self.record_type:
            raise ValueError("allowance_records names record types: the layout's record_type names their column")
        if self.allowance_items and not self.vendor_part:
            raise ValueError("allowance_items names item ids: the layout's vendor_part names their column")
        return self

    @field_validator("window_types", mode="before")
    @classmethod
    def _window_types(cls, v: object) -> object:
        """A TOML table {Ship = "ship", Delivery = "delivery"}: each word with its kind, kept as (WORD, kind) pairs,
        the words upper case with single blanks."""
        if not isinstance(v, dict):
            return v
        out = {}
        for word, kind in v.items():
            if not isinstance(word, str) or not word.strip() or kind not in ("ship", "delivery"):
                raise ValueError(f"window_types: {word!r} = {kind!r}: each word names \"ship\" or \"delivery\"")
            out[" ".join(word.split()).upper()] = kind
        return tuple(out.items())

    @field_validator("order_types", "purposes", mode="before")
    @classmethod
    def _code_words(cls, v: object, info: ValidationInfo) -> object:
        """A TOML table {"Blanket PO" = "BK"}: each word with the code it means, kept as (WORD, code) pairs (upper
        case, single blanks), after the defaults (a word given again takes the layout's code)."""
        if not isinstance(v, dict):
            return v
        digits = info.field_name == "purposes"
        out = dict(CSV_PURPOSES if digits else CSV_ORDER_TYPES)
        for word, code in v.items():
            if not isinstance(word, str) or not isinstance(code, str) or not " ".join(word.split()):
                raise ValueError(f"{info.field_name}: each word is a text naming a text code")
            if not (len(code) == 2 and code.isascii() and (code.isdigit() if digits else code.isalnum())
                    and code == code.upper()):
                raise ValueError(f"{info.field_name}: {word!r} = {code!r}: the code is "
                                 + ("a BEG01 purpose (353), two digits (\"00\", \"05\")" if digits else
                                    "a BEG02 order type (92), two capital letters or digits (\"SA\", \"BK\")"))
            out[" ".join(word.split()).upper()] = code
        return tuple(out.items())

    @field_validator("sales_requirement_codes", mode="before")
    @classmethod
    def _sales_codes(cls, v: object) -> object:
        """A TOML table {no = "SC", yes = "BK"}: each answer (yes or no) with the CSH01 code it means, kept as pairs
        (the layout stays hashable)."""
        if not isinstance(v, dict):
            return v
        known = _SALES_CODES
        out = []
        for answer, code in v.items():
            if not isinstance(answer, str) or answer.strip().casefold() not in ("yes", "no"):
                raise ValueError(f"sales_requirement_codes: {answer!r}: the answers are yes and no")
            if code not in known:
                raise ValueError(f"sales_requirement_codes: {answer} = {code!r}: a CSH01 code the order's sales "
                                 f"requirement takes ({', '.join(known)})")
            out.append((answer.strip().casefold(), code))
        return tuple(out)

    @model_validator(mode="after")
    def _sales_column(self) -> CsvOrderMapping:
        if bool(self.sales_requirement) != bool(self.sales_requirement_codes):
            raise ValueError("sales_requirement and sales_requirement_codes go together: the yes/no column and the "
                             "CSH01 code its answer means ({no = \"SC\"} for \"Partial Shipments: No\")")
        return self


# reason: the allocation's code(s) ("partial; no_receipt") or a finding's message, as partners have read it;
# reason_text: the same in words ("part of the quantity is available now; no stock is expected for the rest")
ACK_COLUMNS = ("po_number", "po_date", "line_id", "line_number", "sku", "status", "status_text", "quantity_ordered",
               "quantity_accepted", "quantity_backordered", "unit", "unit_price", "promised_date", "reason",
               "reason_text", "substitute", "allowances")  # substitute: the part shipped in the ordered one's place
# (status IS); allowances: the agreed allowances (deals.csv) on the line, the PO's and its own ("C310 12% off, deal
# SPRING26"), as an 855 states them in SACs ([acks.po_ack] allowances = "agreed")


class CsvAckSettings(CsvLayout):
    """The CSV acknowledgment a CSV partner receives (instead of an 855); columns from ACK_COLUMNS."""

    line_terminator: Literal["\n", "\r\n"] = "\r\n"
    columns: tuple[str, ...] = ("po_number", "line_id", "status", "status_text", "quantity_ordered",
                                "quantity_accepted", "quantity_backordered", "unit", "unit_price",
                                "promised_date", "reason", "reason_text")
    headers: dict[str, str] = {}  # column -> header text (default: the column name)

    @model_validator(mode="after")
    def _known_columns(self) -> CsvAckSettings:
        unknown = [c for c in (*self.columns, *self.headers) if c not in ACK_COLUMNS]
        if unknown:
            raise ValueError(f"unknown acknowledgment columns {unknown}; choose from {list(ACK_COLUMNS)}")
        return self


class ShipmentCsvMapping(CsvFeedLayout):
    """Column names of a warehouse's shipment confirmation CSV (one row per item per carton)."""

    shipment_id: str = "Shipment ID"
    ship_date: str = "Ship Date"
    ship_time: str | None = "Ship Time"
    carrier_scac: str | None = "Carrier"
    service_level: str | None = "Service Level"
    tracking_number: str | None = "Tracking Number"
    bill_of_lading: str | None = "BOL"
    partner: str | None = None  # None: the checks find the partner by PO number
    po_number: str = "PO Number"
    release_number: str | None = None  # the PO's release (850 BEG04); None: the feed names none
    line_id: str | None = "PO Line"
    sku: str | None = "SKU"
    quantity: str = "Quantity"
    unit: str | None = "Unit"
    carton_id: str | None = "Carton ID"
    carton_weight: str | None = "Carton Weight"
    weight_unit: str | None = "Weight Unit"
    pallet_id: str | None = "Pallet ID"
    mark_for_store: str | None = "Mark For Store"  # the store a carton is for (a pre-distributed order's SDQ
    # store, as the PO numbered it); absent from the file: none
    net_weight: str | None = "Net Weight"  # the net weight of the row's units (a catch-weight line is billed by
    # it: meat, cheese, produce in cases priced per pound); "42.5" or "42.5 lb"; absent from the file: none
    lot_number: str | None = "Lot Number"  # the lot (batch) of the row's units; absent from the file: none
    expiration_date: str | None = "Expiration Date"  # the lot's expiry (date_format); absent from the file: none
    serial_numbers: str | None = "Serial Numbers"  # the serial numbers of the row's units, separated by blanks,
    # commas, semicolons or |; absent from the file: none
    net_weight_unit: str | None = "Net Weight Unit"  # its unit (LB, KG; L / K; "Pounds", "lbs."); else the cell's,
    # else default
    transport_method: str | None = "Transport Method"  # the 856's TD504 (X12 element 91: M motor, U private parcel,
    # LT less than trailer load, A air ...), as a 945's W2701; absent from the file or empty: the PO's TD504 for that
    # carrier, else U for a parcel SCAC, else M
    box_number: str | None = "Box Number"  # a multi-box unit's box ("2", or "2 of 3" / "2/3" with its count): the
    # unit's quantity on box 1's row, boxes 2..m shipping 0 of it; absent from the file or empty: an ordinary row
    box_count: str | None = "Box Count"  # how many boxes one unit of the row's item ships in ("3")
    packaging: str | None = "Packaging"  # what the row's carton is, as X12 TD101 codes it (element 103: CYL cylinder,
    # DRM drum, BAG, PLT94 a wooden pallet, CTN25 a corrugated carton ...), the carton's first row's; absent from the
    # file or empty: the item master's packaging, else the partner's default (AsnSettings.packaging)
    # a shipping tool's column saying a row's label was voided (ShipStation's Voided "True"; Shippo's Status
    # "REFUNDED" with voided = "Status"): such a row is left out with a warning (SHIPMENT_LABEL_VOIDED), the
    # shipment's other rows ship; absent from the file: none is
    voided: str | None = "Voided"
    # the values of that column (any case) that say voided; any other (False, SUCCESS, empty) ships
    voided_values: tuple[Annotated[str, Field(min_length=1, max_length=40)], ...] = (
        "true", "yes", "y", "voided", "void", "refunded", "refundpending", "refund pending", "cancelled", "canceled")
    # the export's own names of carriers -> the SCAC (Standard Carrier Alpha Code: the 856's TD503) each is, any case:
    # a shipping platform's or WMS's export names the carrier where the 856 needs its code (ShipBob, ShipStation:
    # Carrier "FedEx", "UPS"), and one name may be two SCACs told apart by the service (FedEx Ground FDEG, FedEx 2Day
    # FDEN): a row's service cell (service_level) is looked up first, then its carrier cell. {} (default), or a row
    # whose cells neither names: the carrier cell is the SCAC, as before (one of no SCAC's shape is warned,
    # SHIPMENT_SCAC_INVALID)
    carriers: dict[Annotated[str, Field(min_length=1, max_length=80)],
                   Annotated[str, Field(pattern=r"^[A-Z]{2,4}$")]] = {}
    default_unit: str = "EA"
    default_weight_unit: str = "LB"

    @field_validator("carriers")
    @classmethod
    def _carrier_names(cls, v: dict[str, str]) -> dict[str, str]:
        names = [name.strip().casefold() for name in v]
        if any(not name for name in names):
            raise ValueError("a carrier name cannot be blank")
        if len(set(names)) < len(names):
            raise ValueError("carriers names a carrier twice (names are compared in any case)")
        return v

    def scac_of(self, carrier: str | None, service: str | None) -> str | None:
        """The SCAC of a row's carrier cell and service cell (``carriers``: the service's name, else the carrier's;
        else the carrier cell in capitals when it has a SCAC's shape and is no carrier's name we list; else the SCAC
        our list of parcel carriers' names gives the service or the carrier cell, schemas.service_levels.carrier_names:
        "FedEx Home Delivery" FDEG, "UPS® Ground" UPSN, a bare "UPS" UPSN; else the carrier cell in capitals, None
        when empty). A carrier named by name used to be its TD503 as written ("FEDEX HOME DELIVERY", TD504 M) and
        the PO's FDEG warned as not routed; a carrier cell "UPS" (ShipStation's, of a SCAC's shape but no SCAC: UPS's
        is UPSN) was TD503 "UPS", which routing guides charge back as a wrong SCAC."""
        named = {name.strip().casefold(): scac for name, scac in self.carriers.items()}
        for cell in (service, carrier):
            scac = named.get((cell or "").strip().casefold())
            if scac:
                return scac
        from schemas.service_levels import carrier_choices, carrier_name_key, carrier_names

        listed = carrier_names()
        given = (carrier or "").strip().upper()
        if re.fullmatch(r"[A-Z]{2,4}", given) and carrier_name_key(given) not in listed and \
                carrier_name_key(given) not in carrier_choices():
            return given
        for cell in (service, carrier):
            scac = listed.get(carrier_name_key(cell or ""))
            if scac:
                return scac
        return (carrier or "").upper() or None

    def carrier_choices(self, carrier: str | None, service: str | None) -> str:
        """What a carrier cell may be when it names several SCACs' carriers (schemas.service_levels.carrier_choices:
        a bare "DHL", "FedEx") and neither the profile's ``carriers`` nor our list of names gives a SCAC for the
        row's service or carrier cell; "" otherwise. Such a row's carrier is refused (no TD503 rather than a guess,
        SHIPMENT_CARRIER_AMBIGUOUS): "DHL" has a SCAC's shape and used to go out as TD503 "DHL"."""
        from schemas.service_levels import carrier_choices, carrier_name_key, carrier_names

        choices = carrier_choices().get(carrier_name_key(carrier or ""), "")
        if not choices:
            return ""
        named = {name.strip().casefold() for name in self.carriers}
        if any((cell or "").strip().casefold() in named for cell in (service, carrier)):
            return ""
        listed = carrier_names()
        return "" if any(carrier_name_key(cell or "") in listed for cell in (service, carrier)) else choices


class FulfilmentSettings(_Model):
    """Everything fulfilment and billing needs from a partner profile ([fulfilment] table)."""

    sscc: SsccSettings | None = None  # required when the partner receives 856s
    asn: AsnSettings = AsnSettings()
    invoice: InvoiceSettings = InvoiceSettings()
    csv_orders: CsvOrderMapping | None = None  # set for partners that send CSV orders
    csv_ack: CsvAckSettings | None = None  # set for partners answered with a CSV acknowledgment
    # the FOB agreed with the partner (FOB01 shipment method of payment, FOB02 location qualifier, FOB03 its
    # description ...), stated at the 856's S level (asn.fob) and in the 810's heading (invoice.fob) for a PO that
    # sent no FOB: Sally Beauty's 856 and 810 guides require FOB while its 850's is optional (its vendor terms:
    # prepaid, FOB destination: ["PP", "DE"]). () (default): a PO's own FOB only
    agreed_fob: tuple[Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[!-~]([ -~]*[!-~])?$")], ...] = \
        Field(default=(), max_length=9)
    # a ship-to the PO names by its id alone (N1*ST with N104, no N3/N4) given ship_tos.csv's address for that id on
    # the 856 and the 810 (N3/N4 after the PO's N1, its name and id as sent): DSCSA transaction information (the HDA
    # 856) and guides asking the ship-to's address. Off (default): the N1 as the PO sent it, alone
    ship_to_address_from_reference: bool = False
    # the numbers the partner assigned our warehouses (an 850's N1*SF with N103 92: a drop-ship programme's own id for
    # the location it routed the PO to) -> our warehouse ids (warehouses/<id>.toml): {"ZR-WH-0417" = "east"}. An
    # N1*SF by GLN (UL), DUNS (1) or DUNS+4 (9) is matched against the warehouses' [ship_from] id without it.
    # {} (default): a 92 id matches no warehouse (SHIP_FROM_NOT_ROUTED names it)
    ship_from_ids: dict[Annotated[str, Field(min_length=1, max_length=80)],
                        Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]] = {}
    # the over/under-shipment tolerance agreed with the partner (its PO terms or trading agreement; X12's 850 carries
    # none), in percent of a line's ordered quantity: a mill or service center ships 5,066 LB of 4,900 ordered.
    # A shipment up to over_ship_percent beyond a line is taken, shipped and billed as shipped (a warning,
    # SHIPMENT_WITHIN_TOLERANCE; beyond it: SHIPMENT_OVER_RESERVED, held); an order whose every open line shipped at
    # least (100 - under_ship_percent)% of it is complete: its balance is cancelled, not back-ordered
    # (engine.lifecycle.balance). 0 (default): none
    over_ship_percent: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] = Decimal(0)
    under_ship_percent: Annotated[Decimal, Field(ge=0, lt=100, decimal_places=2)] = Decimal(0)
    # a multi-stop load: one confirmation shipment (one truck, one bill of lading) whose lines go to several ship-tos
    # (two DCs of the partner, stores shipped through different DCs, a PO1 loop's own N1*ST beside the order's).
    # "split" (default): one shipment per stop, as the retailers' guides ask one 856 per ship-to (Walmart, Target,
    # Home Depot, Kroger): each its own 856 (BSN02 the load's id, "-ST" and the stop's number in the order of its
    # first confirmation row: S9-ST1, S9-ST2; engine.lifecycle.stops), the load's bill of lading and carrier, its own
    # N1*ST and only its cartons, and its own 810 when invoiced per shipment; a carton or pallet holding lines of two
    # stops holds the load (SHIPMENT_SHIP_TOS_MIXED). "hold": a partner that takes no split load: the load is held
    # (SHIPMENT_SHIP_TOS_MIXED), to be confirmed again as one shipment per destination
    multi_stop: Literal["split", "hold"] = "split"

    @model_validator(mode="after")
    def _fob_method(self) -> FulfilmentSettings:
        if self.agreed_fob and not re.fullmatch(r"[A-Z0-9]{2}", self.agreed_fob[0]):
            raise ValueError(f"agreed_fob: its first element is FOB01, a 2-character shipment method of payment code "
                             f"(PP prepaid, CC collect ...), not {self.agreed_fob[0]!r}")
        return self

    @model_validator(mode="after")
    def _one_freight_per_truck(self) -> FulfilmentSettings:
        if self.asn.per == "order" and any(c.amount is not None and (c.per or self.invoice.charge_scope) == "shipment"
                                           for c in self.invoice.charges):
            # each PO's 856 is recorded as a shipment of its own: a flat charge per shipment would be billed once per
            # PO of a truck, not once per bill of lading
            raise ValueError('asn.per "order" with a flat charge per shipment (invoice.charges: an amount billed per '
                             'shipment) is not supported: the charge would be billed on each PO\'s 810 of one truck; '
                             'bill it per order (per = "order") or as a percentage')
        return self

    @model_validator(mode="after")
    def _stores_to_bill(self) -> FulfilmentSettings:
        if self.invoice.per == "store" and not self.asn.store_level:
            raise ValueError('invoice.per "store" bills each store a carton was marked for, which a shipment keeps '
                             'only for a partner whose 856 marks each carton\'s store: set asn.store_level = true, or '
                             'bill per = "shipment"')
        if self.invoice.per == "store" and not self.invoice.mark_for:
            raise ValueError('invoice.per "store" names the store billed in the 810\'s heading (its mark-for N1): '
                             'invoice.mark_for = false would send store invoices no store can be matched to')
        return self
