"""Canonical order tables (Arrow schemas): one row per purchase order, one per order line.

Every row carries its lineage (source file, ISA13, GS06, ST02, segment position) so any order
can be traced from the file it came in on. Money and quantities are decimals, never floats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import pyarrow as pa
import pyarrow.compute as pc

from schemas.order_keys import BLANKET_TYPES  # noqa: F401 (named here, as before)
from schemas.ship_windows import (  # noqa: F401 (re-exported)
    RANGE_ENDS,
    RANGE_START,
    SHIP_RANGE_SIDES,
    range_start,
    start_kept,
    window_named,
)

# the isa13 of a CSV feed's orders and lines (parsers.csv_orders: they came in no interchange)
CSV_ISA13 = "CSV"
MONEY = pa.decimal128(18, 4)
QTY = pa.decimal128(18, 4)
PERCENT = pa.decimal128(9, 4)
# A unit price sent with more than MONEY's 4 decimals (a passive at 0.00418 per each, a screw at 0.012345: X12's R
# type allows any): ORDER_LINES and ORDER_CHANGES hold it rounded in unit_price and exactly as sent in price_sent;
# up to PRICE_PLACES decimals it is the line's price (answered, stored as text, invoiced, valued: exact_prices),
# beyond, a person decides (PRICE_DECIMALS_UNSUPPORTED). 6: distributors quote passives to 5 places (0.00418) and
# fastener buyers price to 6 (0.012345); more would not fit PRICE, whose 18 digits (as MONEY's) keep a quantity times
# a price within Arrow's 38 and leave 12 whole ones (a unit price under a trillion).
PRICE = pa.decimal128(18, 6)
PRICE_PLACES = PRICE.scale
WIDE_PRICE = pa.decimal128(38, 12)  # a price as any document of ours may state it (an 865's POC06 echoed as sent)


def sent_price(text: str | None) -> Decimal | None:
    """A price_sent text as the exact price it is where it has at most PRICE_PLACES decimals (trailing zeros not
    counted: 0.004180 is 0.00418); None otherwise (beyond, unreadable, absent)."""
    if not text:
        return None
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or -value.normalize().as_tuple().exponent > PRICE_PLACES:
        return None
    return value


def exact_prices(prices: pa.Array | pa.ChunkedArray, sent: pa.Array | pa.ChunkedArray | None
                 ) -> pa.Array | pa.ChunkedArray:
    """A line's price as the partner stated it: ``prices`` (unit_price, MONEY) where ``sent`` (price_sent) is null,
    the price sent where it has at most PRICE_PLACES decimals (sent_price). ``prices`` itself (same type) where no
    line has such a price; PRICE otherwise."""
    if sent is None or sent.null_count == len(sent):
        return prices
    texts = sent.to_pylist()
    exact = [sent_price(t) for t in texts]
    if all(v is None for v in exact):
        return prices
    values = pc.cast(prices, PRICE).to_pylist()
    return pa.array([e if e is not None else v for e, v in zip(exact, values, strict=True)], PRICE)


def with_exact_prices(lines: pa.Table) -> pa.Table:
    """``lines`` with unit_price the price each line was sent at (schemas.orders.exact_prices: a price_sent of at
    most PRICE_PLACES decimals, 0.00418, in place of its 4-decimal reading); ``lines`` itself where none is."""
    if "price_sent" not in lines.column_names or "unit_price" not in lines.column_names:
        return lines
    exact = exact_prices(lines.column("unit_price"), lines.column("price_sent"))
    if exact is lines.column("unit_price"):
        return lines
    return lines.set_column(lines.schema.get_field_index("unit_price"), "unit_price", exact)


def prices_as(values: pa.Array | pa.ChunkedArray, kind: pa.DataType) -> pa.Array | pa.ChunkedArray:
    """Prices (stored texts, or decimals) as the decimal ``kind``: exactly where each has at most its decimals,
    else each rounded half up to them (PRICE: a price of 7 decimals an 865 echoed is read to 6; MONEY: 0.00418 is
    0.0042)."""
    try:
        return pc.cast(values, kind)
    except pa.ArrowInvalid:
        return pc.cast(pc.round(pc.cast(values, WIDE_PRICE), kind.scale, round_mode="half_up"), kind)


def prices_as_money(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """prices_as MONEY: a price kept to PRICE_PLACES (0.00418) rounded half up to 4 (0.0042)."""
    return prices_as(values, MONEY)


def exact_price(price: Decimal | None, sent: str | None) -> Decimal | None:
    """exact_prices for one line: the price sent (price_sent) where it has at most PRICE_PLACES decimals, else
    ``price`` (unit_price)."""
    exact = sent_price(sent)
    return price if exact is None else exact

LINEAGE = [
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("source_sha256", pa.string()),
    pa.field("isa13", pa.string(), nullable=False),
    pa.field("gs06", pa.string(), nullable=False),
    pa.field("st02", pa.string(), nullable=False),
]


def _party(prefix: str) -> list[pa.Field]:
    return [pa.field(f"{prefix}_{name}", pa.string()) for name in (
        "name", "id_qualifier", "id", "address1", "address2", "city", "state", "postal_code", "country")]


# The last (and first) acceptable dates a PO names (X12 element 374): goods shipped after the cancel
# date, or delivered outside the do-not-deliver window, are refused at the dock or charged back.
DEADLINES = [
    pa.field("cancel_after", pa.date32()),  # DTM 001
    pa.field("do_not_deliver_after", pa.date32()),  # DTM 063
    pa.field("do_not_deliver_before", pa.date32()),  # DTM 064
]

# One reference of a PO1 loop (REF01, REF02 as sent): a line's own customer order (REF*CO: a drop-ship hub's end
# customer's order), line item id (REF*LI), requisition or accounting string, which an 855, 856 or 810 may echo
LINE_REF = pa.struct([pa.field("qualifier", pa.string()), pa.field("id", pa.string())])
# a PO line's own REF as sent (ORDER_LINES line_refs): REF01, REF02 and REF03, its description, which says what a
# mutually defined REF*ZZ names (an SAP order's WBS ELEMENT or COST CENTER per line: Marathon Petroleum, Chevron);
# null where the REF sent none, and in a table stored before it was kept
LINE_OWN_REF = pa.struct([pa.field("qualifier", pa.string()), pa.field("id", pa.string()),
                          pa.field("description", pa.string())])
# A heading REF as sent (ORDERS.refs_sent): REF01, REF02 and REF03, its description (JD Edwards' two REF*ZZ, the
# order type and the company, told apart by REF03 alone); null where the REF sent none, and in a table stored before
# REF03 was kept per REF (connectors.order_store fills the field: such a row's descriptions are ref_descriptions')
HEADING_REF = pa.struct([pa.field("qualifier", pa.string()), pa.field("id", pa.string()),
                         pa.field("description", pa.string())])
# The REF03 of a heading reference (REF01 -> its description as sent: ORDERS.ref_descriptions)
REF_DESCRIPTION = pa.struct([pa.field("qualifier", pa.string()), pa.field("description", pa.string())])
# A REF inside a heading N1 loop (N101 of the loop, REF01, REF02 as sent: ORDERS.party_refs_sent)
PARTY_REF = pa.struct([pa.field("party", pa.string()), pa.field("qualifier", pa.string()),
                       pa.field("id", pa.string())])
# A free-form PID of a line's own loop as sent (PID01 F): PID02, its product/process characteristic (08 product, 73
# vendor colour, 74 vendor size ...; null: none sent), PID05, its text, and PID09, the text's language (code list 819:
# EN, JA, KO, ZH ...; null: none sent; a table stored before this field was kept reads it as null:
# connectors.order_store)
PID_SENT = pa.struct([pa.field("characteristic", pa.string()), pa.field("description", pa.string()),
                      pa.field("language", pa.string())])
# A hazardous-material marking of a line's own loop as sent (a TD4 with TD401 HM, Hazardous Materials, or a TD402/TD403
# class: hazmat_marking): TD401 the special handling code, TD402 the hazardous material code qualifier (element 208:
# D DOT's hazardous materials id, I IMDG, 9 49 CFR ...), TD403 the hazardous material class code (element 209: a DOT
# class, 2.1 flammable gas, 5.1 oxidizer) and TD404 its description; null where not sent
HAZMAT_SENT = pa.struct([pa.field("code", pa.string()), pa.field("qualifier", pa.string()),
                         pa.field("hazard_class", pa.string()), pa.field("description", pa.string())])
# TD401 (element 152, Special Handling Code) of a hazardous load or item: HM, Hazardous Materials
HAZMAT_CODE = "HM"


def hazmat_marking(code: str | None, qualifier: str | None, hazard_class: str | None) -> bool:
    """Whether a TD4 (its TD401, TD402, TD403 as sent) marks its line hazardous: TD401 HM, or a hazardous material
    qualifier or class (TD402/TD403). A TD4 of special handling alone (TD404 words: KEEP FROZEN) is no marking."""
    return (code or "").strip() == HAZMAT_CODE or bool((qualifier or "").strip() or (hazard_class or "").strip())

ORDERS = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("order_ref", pa.string(), nullable=False),  # ISA13-GS06-ST02: unique within a file
    pa.field("po_number", pa.string(), nullable=False),  # BEG03
    pa.field("purpose", pa.string()),  # BEG01: 00 original, 01 cancel, 05 replace, 06 confirmation, 07 duplicate
    pa.field("order_type", pa.string()),  # BEG02: SA, DS, RL, ...
    pa.field("release_number", pa.string()),  # BEG04
    pa.field("po_date", pa.date32()),  # BEG05
    pa.field("version", pa.string()),  # GS08
    pa.field("interchange_usage", pa.string()),  # ISA15: P production, T test data
    # GS02 of the 850's group: the buyer a network (SAP Ariba's ANID, Coupa, GHX) sends it for, under one
    # ISA06 for all its buyers; its 855/865/856/810 go to it (GS03). Null for a CSV order (the profile's)
    pa.field("gs02", pa.string()),
    # GS03 of the 850's group: which of our application ids (a division's: [x12] our_gs_id, our_gs_ids) it was sent
    # to; its 855/865/856/810 are sent from it (GS02). Null for a CSV order (the profile's our_gs_id)
    pa.field("gs03", pa.string()),
    # ISA05/ISA06 of the 850's interchange: the partner's id it came from (one of several: [x12] their_ids), to which
    # its 855/865/856/810 go; ISA07/ISA08: the id of ours it was sent to ([x12] our_ids), from which they are sent.
    # Null for a CSV order (the profile's)
    pa.field("isa05", pa.string()),
    pa.field("isa06", pa.string()),
    pa.field("isa07", pa.string()),
    pa.field("isa08", pa.string()),
    pa.field("currency", pa.string()),  # CUR02
    pa.field("terms_type", pa.string()),  # ITD01
    pa.field("terms_basis_date", pa.string()),  # ITD02 (terms basis date code: 3 invoice date, 15 receipt, ...)
    pa.field("terms_discount_percent", PERCENT),  # ITD03
    # ITD03 as sent where terms_discount_percent holds it rounded (more than 4 decimals: 1.12345)
    pa.field("terms_discount_percent_sent", pa.string()),
    pa.field("terms_discount_due_date", pa.date32()),  # ITD04: the date the discount must be paid by
    pa.field("terms_discount_days", pa.int32()),  # ITD05
    pa.field("terms_net_due_date", pa.date32()),  # ITD06: the date the whole amount is due
    pa.field("terms_net_days", pa.int32()),  # ITD07
    pa.field("terms_description", pa.string()),  # ITD12
    pa.field("terms_day_of_month", pa.int32()),  # ITD13: the day of the month payment is due (10: "10th prox")
    # CSH01 (code list 563), the heading's first CSH: N "No Back Order", SP "Ship Partial, Balance Cancel"
    # forbid backorders (Amazon's 850 sends CSH*N or CSH*Y per PO); SC "Ship Complete": one shipment
    pa.field("sales_requirement", pa.string()),
    # CSH03 (N2: implied two decimals), "the maximum monetary amount value which the order must not exceed", and
    # CSH02 the action the buyer asks for when it would (X12 3070 and before: element 564, 0 "Cancel Balance of
    # Order/Item that Exceeds Value", 1 "Cancel Entire Order/Item", Z mutually defined; later element 306)
    pa.field("do_not_exceed_action", pa.string()),
    pa.field("do_not_exceed_amount", MONEY),
    pa.field("requested_delivery_date", pa.date32()),  # DTM 002
    pa.field("requested_ship_date", pa.date32()),  # DTM 010
    pa.field("ship_not_before", pa.date32()),  # DTM 037
    pa.field("ship_no_later", pa.date32()),  # DTM 038
    # the last days of a DTM 010 / 002 sent as a range (RANGE_ENDS: ``DTM*010****RD8*20261221-20261230``): its first
    # day is requested_ship_date / requested_delivery_date. A requested ship range is the ship window where no 037 /
    # 038 is sent (parsers.orders_850), and findings name the window's side it gave as the DTM 010 range sent
    # (engine.deadlines, engine.changes); a requested delivery range's end is a day to arrive by, never a cancel date
    # (not one of LAST_DATES): a shipment that cannot arrive by it is a warning (SHIPPED_OUTSIDE_WINDOW)
    *(pa.field(name, pa.date32()) for name in ("requested_ship_end", "requested_delivery_end")),
    # the first day of that DTM 010 range where it is not requested_ship_date (RANGE_START: where the window's opening
    # came from, when a single DTM 010 moved requested_ship_date, or the heading's own single DTM 010 is beside the
    # lines' range; null: requested_ship_date)
    pa.field(RANGE_START, pa.date32()),
    # DTM 036 (expiration): the last day of a blanket order (BEG02 BK, BE, KB ...); a release (BEG02 RL) dated after
    # it calls off a blanket that is over (engine.blankets: RELEASE_AFTER_BLANKET_END). Nothing else reads it: on any
    # other order HEADING_DATES_NOT_APPLIED still names it (schemas.orders.DATES_NOT_KEPT)
    pa.field("expires_on", pa.date32()),
    *DEADLINES,  # DTM 001, 063, 064
    *_party("ship_to"), *_party("bill_to"), *_party("buyer"),  # N1 ST, BT, BY
    # the N2 (additional name: "C/O BRIGHTSIDE APARTMENTS") of the heading's N1 ST loop, N201 and N202 of each, ", "
    # between: ship_to_name holds it too, after ", " (one name for matching and display); our 856 and 810 write it
    # back as N2 after their N1 ST (schemas.shipments.Party.name2)
    pa.field("ship_to_name2", pa.string()),
    # the PER in the heading's N1 ST loop (a drop ship's consumer: name, phone, email), its elements from PER01 as
    # sent, joined by ELEMENTS_SEP: the 856 of a partner whose guide asks for the ship-to's contact writes it back
    # after the ship-to's N4 (AsnSettings.ship_to_contact)
    pa.field("ship_to_contact_sent", pa.string()),
    # the N2s of the heading's N1 BT and N1 BY loops, as ship_to_name2 (their names hold them too, after ", "): the
    # 810 writes the bill-to's back as N2, the 855 the buying party's; the 856's and 810's mark-for N1 (a Z7's or
    # BY's) its N102 alone (engine.asn.mark_fors)
    pa.field("bill_to_name2", pa.string()),
    pa.field("buyer_name2", pa.string()),
    *_party("mark_for"),  # N1 Z7 (mark-for party: the store a cross-dock order's cartons are labelled for)
    pa.field("mark_for_name2", pa.string()),  # the N1 Z7 loop's N2s (likewise)
    pa.field("department", pa.string()),  # REF*DP (the buyer's department number), first in the heading
    pa.field("promotion", pa.string()),  # REF*PD (promotion/deal number)
    pa.field("merchandise_type", pa.string()),  # REF*MR (merchandise type code)
    pa.field("customer_order", pa.string()),  # REF*CO (customer order number: on a drop ship, the end customer's own
    # PO, the hospital's or the consumer's; the HDA 850 guideline has the dispenser's PO there, after BEG)
    # REF*IA (internal vendor number: ours at the buyer, as its PO states it). A hub relaying many retailers
    # (CommerceHub: Home Depot.com, Lowe's.com ... under one ISA id) sends each retailer's own number for us, which
    # that retailer's 855/856/810 must carry back (order_refs "IA"): no one profile value fits every retailer
    pa.field("vendor_number_sent", pa.string()),
    # the heading's first N1*VN (vendor) or N1*SU (supplier) whose N103 is 92 (assigned by the buyer): N101 and N104,
    # "VN VWR3318", the number the buyer knows us by where it sends no REF*IA or REF*VR (VWR's N1*VN loop)
    pa.field("vendor_party_sent", pa.string()),
    # the heading's and lines' N1 entity codes (N101) sent in small letters and read as the code their capitals are
    # (parsers.orders_850.ENTITIES_READ: "N101 st", "N101 st; N101 bt"), in the order sent; null: none, every usual
    # set (or stored before this column existed). CODE_CASE_CONVERTED tells them (rules.business.places)
    pa.field("codes_case_sent", pa.string()),
    # the heading's first N1*SF (ship from): the location of ours a drop-ship programme routed the PO to (Zoro's,
    # Home Depot.com's: the vendor's warehouse, by its GLN under N103 UL, a DUNS+4 under 9, or the number the buyer
    # assigned it, 92), N102, N103 and N104 as sent; null: none. Compared with the warehouse that ships it
    # (engine.routing.ship_from_findings: SHIP_FROM_NOT_ROUTED)
    pa.field("ship_from_name", pa.string()),
    pa.field("ship_from_id_qualifier", pa.string()),
    pa.field("ship_from_id", pa.string()),
    # government and institutional buyers' references their shipping documents and invoices must cite (FAR 32.905: a
    # proper invoice names the contract and order; DLA's and GSA's 850s send them in the heading): REF*CT the contract
    # number (a DLA IDIQ's PIID, a GSA schedule contract, a university's strategic contract), REF*AH the agreement
    # number (a blanket purchase agreement), REF*TN the transaction reference number (a MILSTRIP requisition document
    # number, DoDAAC + Julian date + serial)
    pa.field("contract_number", pa.string()),
    pa.field("agreement_number", pa.string()),
    pa.field("transaction_reference", pa.string()),
    # a trade distributor's job the goods are for (electrical, plumbing, HVAC: Graybar, WESCO, Ferguson, Hajoca): REF*JB
    # the job number and REF*PJ the project number, which their 855s, 856s and 810s must quote back for the branch to
    # bill the contractor's job
    pa.field("job_number", pa.string()),
    pa.field("project_number", pa.string()),
    # REF*EU the end user's purchase order number (a reseller's PO for its customer: CDW's drop ship to a hospital),
    # which the reseller's 856 and 810 quote back beside its own customer order (REF*CO)
    pa.field("end_user_order", pa.string()),
    # REF*IT the buyer's internal customer number: a buying group's number for the member store it buys for (Nation's
    # Best Sports, Sports Inc), which the group's 856 and 810 quote back for it to bill the member
    pa.field("internal_customer_number", pa.string()),
    # REF*AE the authorization for expenditure (AFE) an oil and gas operator charges the purchase to (Chevron's SAP
    # orders through Ariba), which its 855 and 810 must quote for the invoice to be coded to the AFE
    pa.field("afe_number", pa.string()),
    # REF*0B the buyer's state licence number stated in the heading (a tobacco distributor's cigarette licence, which
    # the seller's invoice must name: a state's cigarette tax law asks every invoice for the purchaser's permit
    # number), which its 855, 856 and 810 quote back. One stated in the bill-to's N1 loop is party_refs_sent's
    pa.field("state_licence", pa.string()),
    # every heading REF as sent (REF01, REF02, and REF03 where sent; those with REF01 and REF02), in the order sent,
    # two of one qualifier each kept (JD Edwards' REF*ZZ order type and REF*ZZ company); null: none. What the rules
    # read beyond the named columns above: a controlled-substance PO's DEA order form number (Form 222 or CSOS), under
    # the qualifier its partner's guide uses (RuleSettings.dea_order_form_refs; rules.business.controlled); and what
    # the 855, 856 and 810 carry back beyond the first of each qualifier (order_ref_elements)
    pa.field("refs_sent", pa.list_(HEADING_REF)),
    # the REF03 (description) of each heading reference ORDER_REFS names, as sent: of the REF its column above holds
    # (REF*JB*J-24-0917*MERCY CLINIC), else of the qualifier's first REF stating it by REF03 alone (REF*JB**MERCY
    # CLINIC HVAC RETROFIT: REF02 empty, valid by REF's R0203), in ORDER_REFS' order; null: none. The 855, 856 and
    # 810 carry it back beside REF02 (order_ref_elements)
    pa.field("ref_descriptions", pa.list_(REF_DESCRIPTION)),
    # the REFs (REF01, REF02: both sent) inside the heading's N1 loops, each with its loop's N101, in the order sent:
    # of the first loop of each N101 (the party the columns above hold: N1*BT then REF*0B*BEV1600123, the bill-to's
    # state licence); null: none. They are among refs_sent too. An 810 writes those of the qualifiers its profile
    # lists in its N1 BT / ST loop ([fulfilment.invoice] party_refs)
    pa.field("party_refs_sent", pa.list_(PARTY_REF)),
    # the heading's N1*ST loops after the first (the order's ship-to, the ship_to_* columns), and its N1*BS (bill and
    # ship to) loops, that name another party (by N103/N104 where both have one, else N102): each N1's elements from
    # N101 joined by ELEMENTS_SEP, ITDS_SEP between them; null: none. Which goods go to which is not said
    # (rules.business.places: SHIP_TO_AMBIGUOUS holds the order for a person; X12 sends one PO's goods for several
    # places as SDQ or a ship-to in each PO1 loop)
    pa.field("ship_to_others_sent", pa.string()),
    # the heading's first FOB, TD5 and ITD as sent: their elements from 01 on, joined by ELEMENTS_SEP (an 855 the
    # partner's guide asks to echo them in writes them back: engine.po_ack; the terms columns keep ITD01-07/12/13);
    pa.field("fob_sent", pa.string()),
    pa.field("td5_sent", pa.string()),
    pa.field("itd_sent", pa.string()),
    # the heading's ITDs after the first (a PO paying in installments sends one per installment), each as itd_sent,
    # separated by ITDS_SEP; null: one ITD or none (an 810 stating the PO's own terms writes them all after the
    # first: engine.invoice.terms_from_order; an 855 echoes the first alone)
    pa.field("itd_more_sent", pa.string()),
    # the set's TD5s after the heading's first: the heading's others (a routing guide's carriers by mode or weight:
    # a parcel carrier and an LTL one), then the PO1 loops' own (a drop ship's line routed by another carrier),
    # each as td5_sent, separated by ITDS_SEP; null: one TD5 or none (engine.routing: the carriers the PO routed its
    # goods by, against the one that shipped)
    pa.field("td5_more_sent", pa.string()),
    # the heading's TAX segments as sent (each as itd_sent, separated by ITDS_SEP; null: none): a buyer's sales-tax
    # exemption, TAX12 (441: 3 exempt for resale, 1 tax exempt ...) for the states its TAX02-TAX11 name (none: every
    # one), with TAX01 its exemption certificate or tax id; an 810 carries no tax the PO is exempt from
    # (engine.invoice_taxes.exempt)
    pa.field("tax_sent", pa.string()),
    # the MSG texts (MSG01) of the heading's N9 loops, in the order sent, one a line (NOTES_SEP): what the buyer wrote
    # for people (delivery instructions, "call before"); null: none. Shown by `orderbridge status PO --dates`
    pa.field("notes", pa.string()),
    # the heading's N9s as sent (N901, N902, N903: qualifier, id, description; null where not sent), in the order
    # sent; null: none (or stored before this column existed). What marks a bill-only order for a partner whose
    # guide says so by N9 ([fulfilment.invoice] bill_only: N9*ZZ*BILL ONLY)
    pa.field("n9_sent", pa.list_(LINE_OWN_REF)),
    # the heading's own hazardous-material markings (its TD4s before its N9 and N1 loops that hazmat_marking says mark
    # the load: TD4*HM*D*2.1), as ORDER_LINES hazmat_sent a line's; null: none (or stored before this column
    # existed). The 856 writes each back as a TD4 in the order's HL loop (engine.asn)
    pa.field("hazmat_sent", pa.list_(HAZMAT_SENT)),
    pa.field("line_count", pa.int32(), nullable=False),
    pa.field("ctt_line_count", pa.int32()),  # CTT01 as sent
    *LINEAGE,
    pa.field("st_file_segment", pa.int32()),  # ordinal of ST in the file
])

# ORDERS columns added after tables were first stored: a stored table without them reads them as null
# (connectors.order_store)
ADDED_LATER = frozenset([*(f.name for f in [*_party("mark_for"), *DEADLINES]), "department", "promotion",
                          "merchandise_type", "customer_order", "contract_number", "agreement_number",
                          "transaction_reference", "job_number", "project_number", "end_user_order",
                          "internal_customer_number", "afe_number",
                          "state_licence", "terms_basis_date",
                          "sales_requirement", "interchange_usage", "terms_discount_percent_sent",
                          "terms_discount_due_date", "terms_net_due_date", "terms_day_of_month", "do_not_exceed_action",
                          "do_not_exceed_amount", "fob_sent", "td5_sent", "itd_sent", "ship_to_name2",
                          "ship_to_contact_sent", "bill_to_name2", "buyer_name2", "mark_for_name2",
                          "itd_more_sent", "td5_more_sent", "gs02", "vendor_number_sent", "gs03", "tax_sent", "notes",
                          "refs_sent", "ref_descriptions", "party_refs_sent", "ship_to_others_sent",
                          "vendor_party_sent", "ship_from_name",
                          "ship_from_id_qualifier", "ship_from_id", "hazmat_sent", "isa05", "isa06", "isa07",
                          "isa08", "n9_sent", "codes_case_sent", "requested_ship_end", "requested_delivery_end",
                          "expires_on", RANGE_START])

# between the texts of notes (ORDERS, ORDER_LINES): a line feed
NOTES_SEP = "\n"
# between the elements of fob_sent, td5_sent, itd_sent: the ASCII unit separator, a control character never
# inside an X12 value we take in
ELEMENTS_SEP = "\x1f"
# between the ITDs of itd_more_sent, the TD5s of td5_more_sent, the TAXes of tax_sent: the ASCII record separator
ITDS_SEP = "\x1e"


def name2_kept(segments: Sequence[Sequence[str | None]]) -> str | None:
    """A party's N2s as ORDERS ``<party>_name2`` keeps them: each N2's N201 and N202 joined by ELEMENTS_SEP, the N2s
    (the N1 loop allows two) by ITDS_SEP, so the 855, 856 and 810 write them back as sent (name2_sent); None for
    none. Blank elements are left out, as the party's name (which holds them after ", ": name2_text) leaves them."""
    kept = [ELEMENTS_SEP.join(v for v in seg if v) for seg in segments]
    return ITDS_SEP.join(k for k in kept if k) or None


def name2_text(name2: str | None) -> str:
    """A kept ``<party>_name2`` (name2_kept) as the party's name holds it after ", ": every element, ", " between
    ("C/O MAPLE HALL, ROOM 214"). A value kept before the N2s' elements were told apart is ", "-joined already."""
    return (name2 or "").replace(ELEMENTS_SEP, ", ").replace(ITDS_SEP, ", ")


def name2_sent(name2: str | None) -> list[list[str]] | None:
    """The N2s of a kept ``<party>_name2`` (name2_kept), each its elements as sent ([N201, N202]), when one of them
    had two elements (a "C/O" in N201 and a room in N202: a guide matching on the shape wants it back so); None when
    each had one (or a value kept before elements were told apart), which is written as it always was
    (engine.asn.n2_elements: the ", "-joined text in N201, split into N202 only past its 60 characters)."""
    if not name2 or ELEMENTS_SEP not in name2:
        return None
    return [seg.split(ELEMENTS_SEP) for seg in name2.split(ITDS_SEP)]

# CSH01 codes under which the buyer takes no backorder: what cannot ship now is cancelled, not promised
NO_BACKORDER = ("N", "SP")
# CSH01 (or IT801) codes that say the buyer takes a backorder: Y "Back Order if Out of Stock", BK "Ship Partial -
# Balance Back Order", O "Back Order If Items Are Out of Stock or Not Yet Published". A line's own (ORDER_LINES
# sales_requirement) in it or in NO_BACKORDER decides its back order instead of its order's CSH01
BACKORDER_ALLOWED = ("Y", "BK", "O")
# CSH01 codes under which the order ships complete, in one shipment: SC "Ship Complete" (the 855 promises the
# whole order for the day it can ship complete; a confirmation that leaves part of it open is warned about)
SHIP_COMPLETE = ("SC",)

# the heading references a PO's 856 and 810 carry back (REF01 -> ORDERS column), in the order they are written
# the ORDERS columns of a PO's heading N1*SF (N102, N103, N104: the ship-from it routes the order to; engine.routing)
SHIP_FROM_COLUMNS = ("ship_from_name", "ship_from_id_qualifier", "ship_from_id")

ORDER_REFS = {"IA": "vendor_number_sent", "DP": "department", "PD": "promotion", "MR": "merchandise_type",
              "CO": "customer_order", "EU": "end_user_order", "CT": "contract_number", "AH": "agreement_number",
              "TN": "transaction_reference",
              "JB": "job_number", "PJ": "project_number",
              "IT": "internal_customer_number", "AE": "afe_number",
              "0B": "state_licence"}



def order_ref_elements(order: Mapping) -> tuple[tuple[str, ...], ...]:
    """An ORDERS row's heading references, every one the PO sent, as the REF elements its 855, 856 and 810 carry
    back: (REF01, REF02) for one sent without REF03, (REF01, REF02, REF03) for one with (REF02 "" where the PO stated
    the reference by its REF03 alone: REF*JB**MERCY CLINIC HVAC RETROFIT). First those ORDER_REFS names, in its order:
    the first of each from its column (an 860 may have set it), then its later REFs as sent (refs_sent beyond its
    first); then every other qualifier of the heading (refs_sent: each REF with a REF02, two of one qualifier both,
    JD Edwards' REF*ZZ*OP*ORDER TYPE and REF*ZZ*00200*COMPANY; else one stated by REF03 alone), in the order sent:
    a profile's order_refs may list any (REF*11, REF*12 ...). The REF03 of the first of a qualifier is
    ref_descriptions'; of a later one, its own (refs_sent's description: none in a table stored before it was kept,
    whose later REFs go back without their REF03). A row without refs_sent and ref_descriptions (none sent, or
    stored before they were kept) gives exactly the pairs it gave before: its named columns'. Which of them a
    document writes, and in which order, is its profile's order_refs (ordered_refs)."""
    texts: dict[str, str] = {}
    for r in order.get("ref_descriptions") or ():
        if r.get("qualifier") and r.get("description"):
            texts.setdefault(r["qualifier"], r["description"])
    sent: dict[str, list[tuple[str, ...]]] = {}  # REF01 -> its REFs with a REF02, as sent (the first's REF03 apart)
    for r in order.get("refs_sent") or ():
        qualifier, value = r.get("qualifier"), r.get("id")
        if qualifier and value:
            text = r.get("description") if qualifier in sent else texts.get(qualifier)
            sent.setdefault(qualifier, []).append((qualifier, value, text) if text else (qualifier, value))
    out: list[tuple[str, ...]] = []
    for qualifier, column in ORDER_REFS.items():
        value, text = order.get(column) or "", texts.get(qualifier)
        if text:
            out.append((qualifier, value, text))
        elif value:
            out.append((qualifier, value))
        out += sent.get(qualifier, ())[1:]
    seen = set(ORDER_REFS)
    for qualifier, refs in sent.items():
        if qualifier not in seen:
            seen.add(qualifier)
            out += refs
    for qualifier, text in texts.items():  # stated by REF03 alone (REF*11**ACCOUNT TEXT: no REF02 in refs_sent)
        if qualifier not in seen:
            seen.add(qualifier)
            out.append((qualifier, "", text))
    return tuple(out)


def echo_order(wanted: Sequence[str]) -> tuple[str, ...]:
    """The order a profile's order_refs (``wanted``) are written in: as listed, each once; a list naming ORDER_REFS'
    qualifiers alone (all a profile could list before any other was allowed) in ORDER_REFS' order, as such lists
    were always written, so no partner's documents change until its profile lists another (REF*11 ...)."""
    once = tuple(dict.fromkeys(wanted))
    if all(q in ORDER_REFS for q in once):
        return tuple(q for q in ORDER_REFS if q in once)
    return once


def ordered_refs(refs: tuple[tuple[str, ...], ...], wanted: Sequence[str]) -> list[tuple[str, ...]]:
    """Of a PO's references (order_ref_elements), those a profile's order_refs lists (``wanted``), in the order
    echo_order gives, every REF of a qualifier in the order sent; a qualifier the PO did not send is left out."""
    by_qualifier: dict[str, list[tuple[str, ...]]] = {}
    for elements in refs:
        by_qualifier.setdefault(elements[0], []).append(elements)
    return [elements for q in echo_order(wanted) for elements in by_qualifier.get(q, ())]


def carried_ref(elements: tuple[str, ...], described: tuple[str, ...] | frozenset[str] = ()) -> tuple[str, ...]:
    """The REF elements a document carries back for one of order_ref_elements: REF01 and REF02 as sent; REF03 too
    where the PO stated the reference by its REF03 alone (REF*JB**MERCY CLINIC: the reference itself), or where
    REF01 is among ``described`` (a partner's order_ref_descriptions: its guide asks for REF03 back beside REF02);
    else not, as before REF03 was kept."""
    if len(elements) > 2 and elements[1] and elements[0] not in described:
        return elements[:2]
    return elements


PRODUCT_ID = pa.struct([pa.field("qualifier", pa.string()), pa.field("id", pa.string())])

# One CTP (pricing information) of a PO1 loop, as sent: CTP01 class of trade (code list 687: RS resale, WS
# wholesale ...), CTP02 price identifier (code list 236: RES retail, MSR manufacturer's suggested retail, UCP unit
# cost ...), CTP03 the price, CTP04 a quantity and CTP05 its unit (the first component). Retailers send their
# shelf price this way (CTP*RS*RES*29.99), and some 810 guides want it back in every IT1 loop (Big 5's 5010 810)
LINE_PRICE = pa.struct([pa.field("class_of_trade", pa.string()), pa.field("qualifier", pa.string()),
                        pa.field("price", pa.string()), pa.field("quantity", pa.string()),
                        pa.field("unit", pa.string())])

# CTP02 price identifiers (code list 236) that state what the buyer pays per unit: UCP unit cost price, CON contract
# price, NET net item price, ACT actual (the final negotiated contract price), CUP confirmed unit price, INV invoice
# billing price. A line's PO104 other than such a CTP03 of its loop is two prices for one line (CTP_PRICE_MISMATCH);
# RES resale, MSR manufacturer's suggested retail, SLP suggested list, CAT catalogue, contract tiers (C01 ..: which
# applies is not said) and the like are no price the buyer pays us
BUYER_COST_PRICES = frozenset({"UCP", "CON", "NET", "ACT", "CUP", "INV"})
# PO105 bases (code list 639) that state PO104 is a list price rather than what the buyer's contract says it pays:
# wholesale (WE, WH, WC, WD, WM: a pharmaceutical wholesaler orders at WAC and charges the contract price, CTP CON,
# back), average wholesale AW, catalogue (CA, LE, LC, LD, LM), retail (RT, RE, RC, RD, RM), resale RS, suggested
# retail SR. A CTP beside such a PO104 is a second price by design, never CTP_PRICE_MISMATCH
LIST_PRICE_BASES = frozenset({"WE", "WH", "WC", "WD", "WM", "AW", "CA", "LE", "LC", "LD", "LM", "RT", "RE", "RC",
                              "RD", "RM", "RS", "SR"})

# SDQ03/04 .. SDQ21/22: the location (67) / quantity (380) pairs of an SDQ, ten at most (the positions of the
# locations; each quantity follows its location)
SDQ_PAIRS = tuple(range(3, 23, 2))

# One store's share of a pre-distributed ("store-ready") PO1 line: an SDQ location/quantity pair with its
# SDQ01 unit and SDQ02 id qualifier (code list 66: 92 assigned by buyer, UL GLN, 9 DUNS+4 ...), as sent
STORE_QUANTITY = pa.struct([pa.field("unit", pa.string()), pa.field("id_qualifier", pa.string()),
                            pa.field("store", pa.string()), pa.field("quantity", QTY),
                            pa.field("quantity_sent", pa.string())])

# One component of a prepack line: an SLN subline of the PO1 loop with SLN03 I ("included": the sizes or colours
# inside one pack, as department stores order size prepacks). Its SLN01 as sent, SLN04/SLN05 the units of it in ONE
# pack (SLN05's first component from 005010), SLN06/SLN07 its price and basis as sent, SLN09/SLN10 .. its
# qualifier/id pairs (UP, IZ size, BO colour ...): an 856 lists them under the pack's item (engine.asn, SLN)
PREPACK_COMPONENT = pa.struct([pa.field("subline", pa.string()), pa.field("quantity", QTY),
                               pa.field("unit", pa.string()), pa.field("unit_price", MONEY),
                               pa.field("price_basis", pa.string()),
                               pa.field("product_ids", pa.list_(PRODUCT_ID))])

# How a line names its product (PO1 / POC qualifier-id pairs), shared by order lines and 860 changes.
PRODUCT_FIELDS = [
    pa.field("upc", pa.string()),  # UP
    pa.field("gtin", pa.string()),  # UK
    pa.field("ean", pa.string()),  # EN
    pa.field("vendor_part", pa.string()),  # VN
    pa.field("buyer_part", pa.string()),  # BP / IN / PI / CB (BUYER_ITEM_QUALIFIERS)
    pa.field("product_ids", pa.list_(PRODUCT_ID)),  # every qualifier/id pair as sent (a qualifier "bp": BP)
    # the qualifiers sent in small letters and read as a PRODUCT_QUALIFIERS code ("bp": BP), each with its element:
    # "PO106 bp; PO108 vp" (parsers.orders_850.capital_qualifiers; CODE_CASE_CONVERTED tells it);
    # null elsewhere
    pa.field("codes_case_sent", pa.string()),
    pa.field("description", pa.string()),  # PID05 (first description, not a colour/size PID)
]

# the segments that end a PO1 (or POC) loop's own segments: those after them name another thing (an N9's note, an
# N1's party, an SCH's schedule, an SLN's subline ...): parsers.orders_850 reads a line's own PIDs, REFs, TD4s ...
# before them, and rules.set_checks does not quote a TD4 kept so (ORDER_LINES hazmat_sent)
LINE_LOOP_ENDS = ("N9", "N1", "SCH", "SLN", "AMT", "LM", "LS", "CTT", "SE")
# what a line keeps of its own N1*ST (ORDER_LINES ship_to_name, ship_to_id_qualifier, ship_to_id)
LINE_SHIP_TO = ("name", "id_qualifier", "id")
# a line's own mark-for: the first N1*Z7 of its PO1 loop (ORDER_LINES mark_for_*: N102, N103, N104 as sent)
LINE_MARK_FOR = ("name", "id_qualifier", "id")
# the address of a line's own ship-to: the N3 (N301, N302) and N4 (N401..N404) of that N1 loop
LINE_SHIP_TO_ADDRESS = ("address1", "address2", "city", "state", "postal_code", "country")

ORDER_LINES = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("order_ref", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("line_number", pa.int32(), nullable=False),  # 1..n within the PO
    pa.field("line_id", pa.string()),  # PO101 as sent
    pa.field("quantity", QTY),  # PO102
    pa.field("quantity_sent", pa.string()),  # PO102 as sent where quantity holds it rounded (past 4 decimals)
    pa.field("unit", pa.string()),  # PO103 (a unit code sent in small letters, "ea": its code in capitals, EA)
    # PO103 as sent where it was a unit code in small letters ("ea", "cs": X12's codes are capitals), read as the
    # code (schemas.units.capital_units; UNIT_CASE_CONVERTED tells it); null elsewhere
    pa.field("unit_sent", pa.string()),
    pa.field("unit_price", MONEY),  # PO104
    pa.field("price_basis", pa.string()),  # PO105
    pa.field("price_sent", pa.string()),  # PO104 (or CTP03 read for it) as sent where unit_price holds it rounded
    # PO105 as sent where PO104 was a price per several units (HP, TP, PD ...) converted exactly to unit_price
    # per unit (price_basis then PE)
    pa.field("price_basis_sent", pa.string()),
    # several cost CTPs of the PO1 loop (no PO104) whose quantity breaks could not be ordered against PO102/PO103:
    # the CTPs as sent ("CON 10.00; UCP 9.50"); the first priced the line (PRICE_BREAK_UNCLEAR)
    pa.field("price_breaks_unclear", pa.string()),
    # CTP07 and CTP06 as sent ("0.90 DIS") of the cost CTP that priced the line: a multiplier we do not apply
    # (PRICE_MULTIPLIER_UNSUPPORTED)
    pa.field("price_multiplier_sent", pa.string()),
    # the unit unit_price is per where it is not the line's: the CTP05 of the cost CTP that priced the line (X12 pairs
    # CTP04/CTP05 and gives CTP03 no unit of its own: ``CTP**UCP*36*1*CA`` is 36 per CA) while it is not restated per
    # PO103 (rules.business.ctp_units: the item's eaches unknown, or not exact to 4 places; PRICE_BASIS_UNSUPPORTED)
    pa.field("price_unit", pa.string()),
    # that CTP05 as sent once unit_price was restated per the line's unit through the item's pack (36 per CA on a line
    # in EA of a case of 12: 3.00; PRICE_BASIS_CONVERTED)
    pa.field("price_unit_sent", pa.string()),
    *PRODUCT_FIELDS,
    # PO4 of the PO1 loop (not of an SLN subline): the buyer's idea of the outer pack, compared with our case
    pa.field("po4_pack", pa.int32()),  # PO401: inner containers (or eaches, without them) per outer container
    pa.field("po4_inner_pack", pa.int32()),  # PO414: eaches per inner container
    pa.field("po4_size", QTY),  # PO402: the size of each inner container (or each), in PO403's unit
    pa.field("po4_size_unit", pa.string()),  # PO403: EA (PO4*2*6*EA: 2 inners of 6 eaches), DZ, or a measure (OZ)
    # the line's own last (and first) acceptable dates: a DTM 001/063/064 of the PO1 loop (before its N9, N1,
    # SCH or SLN); null: the order's (ORDERS) apply. An 860 POC's DTM moves them (engine.changes)
    *(pa.field(f.name, f.type) for f in DEADLINES),
    # the line's own requested delivery and ship dates: a DTM 002 / 010 of the PO1 loop (or a twin read as one:
    # DATE_TWINS, as the heading's); null: the order's (ORDERS) apply. The ship date ranks the line's stock and
    # promise and dates its 855 ACKs (engine.answer, engine.lifecycle.decisions)
    *(pa.field(name, pa.date32()) for name in ("requested_delivery_date", "requested_ship_date")),
    # the line's own ship window: a DTM 037 (ship not before) / 038 (ship no later) of the PO1 loop (or an 860 POC
    # loop's, which moves it); null: the order's (ORDERS) apply. Its opening floors the line's ship day (its 855
    # ACK 068), its end is the line's last date for a partner whose window's end is its cancel date
    # (AllocationPolicy.ship_no_later_is_cancel) and what its shipment is held against (SHIPPED_OUTSIDE_WINDOW)
    *(pa.field(name, pa.date32()) for name in ("ship_not_before", "ship_no_later")),
    # the last days of the PO1 loop's own DTM 010 / 002 sent as a range (RANGE_ENDS), as ORDERS'
    *(pa.field(name, pa.date32()) for name in ("requested_ship_end", "requested_delivery_end")),
    pa.field(RANGE_START, pa.date32()),  # its range's first day if not its DTM 010's, as ORDERS' (ship_windows)
    *LINEAGE,
    pa.field("segment_position", pa.int32(), nullable=False),  # PO1 position within the set (ST = 1)
    pa.field("file_segment", pa.int32(), nullable=False),  # PO1 ordinal within the file
    # the line's SDQ store quantities (every location/quantity pair of its SDQs, in the order sent; null: the
    # line has no SDQ, or was stored before this column existed); engine/rules use them for store-level partners
    pa.field("store_quantities", pa.list_(STORE_QUANTITY)),
    # the line's prepack components (its SLN sublines with SLN03 I, in the order sent; null: none, or stored before
    # this column existed): an 856 of a partner with [fulfilment.asn] prepacks = "components" lists them
    pa.field("prepack_components", pa.list_(PREPACK_COMPONENT)),
    # a line ordered by weight (PO1*2*480*LB*3.79*PE) of an item sold by the case with an average weight
    # (items.csv average_weight): taken as whole cases priced per pound (rules.business.by_weight.as_cases), the
    # line as sent kept here for the 855, which answers in it. So is a line in a volume taken as whole drums of its
    # PO4's content (PO1*3*220*GA with PO4*1*55*GA: 4 DR; weight_per_unit 55, in GA). Null on every other line
    pa.field("weight_ordered", QTY),  # PO102 as sent (480)
    pa.field("weight_unit", pa.string()),  # PO103 as sent (LB)
    pa.field("weight_per_unit", QTY),  # the item's average weight of one case, in weight_unit (48)
    pa.field("weight_basis_sent", pa.string()),  # PO105 as sent (PE)
    # the line's own ship-to: the first N1*ST of its PO1 loop (N102, N103, N104 as sent; X12 allows N1 in the PO1
    # loop: a co-op's consolidated member drop ship, an e-procurement item-level ShipTo); null: none, the order's
    # (ORDERS ship_to_*) applies. One naming another party than the order's holds the order for a person
    # (rules.business.places: LINE_SHIP_TO_DIFFERS)
    *(pa.field(f"ship_to_{f}", pa.string()) for f in LINE_SHIP_TO),
    # and its address as sent (null: none sent, or stored before these columns: the line's party by its N1 alone)
    *(pa.field(f"ship_to_{f}", pa.string()) for f in LINE_SHIP_TO_ADDRESS),
    # the line's own references: every REF of its PO1 loop before its N9, N1, SCH or SLN (those name another
    # thing) with a REF01 and a REF02, in the order sent; null: none (or stored before this column existed). An
    # 810 or 855 echoes those of the qualifiers the partner lists ([fulfilment.invoice] / [acks.po_ack] line_refs)
    pa.field("line_refs", pa.list_(LINE_OWN_REF)),
    # the MSG texts of the N9 loops of its PO1 loop, as the heading's (ORDERS notes); null: none
    pa.field("notes", pa.string()),
    # the line's own prices: every CTP of its PO1 loop before its N9, N1, SCH or SLN with a CTP02 and a CTP03
    # (LINE_PRICE, as sent, in the order sent; the cost CTP that priced a line without PO104 is among them); null:
    # none (or stored before this column existed). An 810 echoes those of the CTP02 qualifiers the partner lists
    # ([fulfilment.invoice] ctp)
    pa.field("line_prices", pa.list_(LINE_PRICE)),
    # the taxes the line's PO1 loop exempts it from: TXI01 of each TXI there whose TXI06 exempts (TXI_EXEMPTING:
    # Princess Auto's line bought for resale, TXI*SP*****3), in the order sent, joined by a space; null: none (or
    # stored before this column existed). An 810 carrying such a tax (its code, or TX: all taxes) states 0 for the
    # line at rate 0 (engine.invoice_taxes.taxed)
    pa.field("tax_exempt_sent", pa.string()),
    # the line's own mark-for: the first N1*Z7 of its PO1 loop (N102, N103, N104 as sent: Home Hardware's tag orders,
    # each line for the dealer it is bought for); null: none (or stored before these columns existed), the order's
    # (ORDERS mark_for_*) applies. One with N103 and N104 naming another party than the order's has its cartons
    # marked for that party in the 856, an N1*Z7 in each pack loop (engine.shipments.line_marks_for)
    *(pa.field(f"mark_for_{f}", pa.string()) for f in LINE_MARK_FOR),
    # the free-form PIDs of the line's own loop (PID01 F with a PID05, before its SLN, N9, N1 ...: PID_SENT), in the
    # order sent, where they say more than its description alone (a PID02, as PID*F*08***X, or a colour or size PID
    # beside it); null: the line's description PID only, or none (or stored before this column existed). The 856 and 810
    # that echo the description echo each as sent (engine.asn, engine.invoice)
    pa.field("pids_sent", pa.list_(PID_SENT)),
    # a size run ordered as one style line (PO1*1*120*EA*11.2**VA*WS-GRY*CL*GRY, no item of ours), its sizes in SLN
    # sublines with SLN03 I, each naming an item of ours and its own quantity (SLN*1-1**I*40*EA*11.2***UP*...*SZ*M):
    # each size is a line of its own (rules.business.size_runs), its line_id the SLN01 as sent and this column the
    # PO101 of the style line it was ordered on (its lineage: segment_position / file_segment stay the PO1's); null
    # on every other line (or stored before this column existed)
    pa.field("style_line_id", pa.string()),
    # the hazardous-material markings of the line's own loop: each TD4 of its PO1 loop (before its N9, N1, SCH or SLN:
    # those mark another thing) that hazmat_marking says marks it (TD4*HM*D*5.1: fertiliser, DOT class 5.1), as sent
    # (HAZMAT_SENT), in the order sent; null: none (or stored before this column existed). The 856 writes each back as
    # a TD4 in the item's HL loop (engine.asn), where the X12 856 places the item's hazardous-material information
    pa.field("hazmat_sent", pa.list_(HAZMAT_SENT)),
    # the expiration date the line's own loop states (its PO1 loop's DTM 036: a bill-only PO's implant, used from the
    # consigned stock, with its lot and expiry); null: none (or stored before this column existed). Not applied to
    # the allocation (LINE_DATES_NOT_APPLIED names it); an 810 whose profile says so writes it back as DTM*036 in the
    # line's IT1 loop ([fulfilment.invoice] line_expiry)
    pa.field("expiry_sent", pa.date32()),
    # the line's own sales requirement: CSH01 of the first CSH of its PO1 loop that has one, else its IT8's IT801
    # (the same code list, 563), as sent; null: none (or stored before this column existed), the order's
    # (ORDERS sales_requirement) holds. One in NO_BACKORDER or BACKORDER_ALLOWED decides the line's back order
    # instead of its order's (engine.answer: a line CSH*N under a heading CSH*Y is promised only what is in stock)
    pa.field("sales_requirement", pa.string()),
])

# TXI06 / TAX12 (code list 441) codes that exempt from a tax: 0 export, 1 yes, 3 for resale, 5 not for resale, 7 direct
# pay, 8 U.S. government, 9 per state law, A / C, and F / G; 2, 4 and 6 say the line is not exempt
TXI_EXEMPTING = frozenset("0135789ACFG")

# ORDER_LINES' columns of a line ordered by weight, as sent (rules.business.by_weight)
WEIGHT_AS_SENT = ("weight_ordered", "weight_unit", "weight_per_unit", "weight_basis_sent")
# ORDER_LINES columns added after tables were first stored (as ADDED_LATER)
LINES_ADDED_LATER = frozenset({"po4_pack", "po4_inner_pack", "po4_size", "po4_size_unit", "price_sent", "unit_sent",
                               "codes_case_sent",
                               "price_basis_sent", "quantity_sent", "store_quantities", "price_breaks_unclear",
                               "price_multiplier_sent", "price_unit", "price_unit_sent", "prepack_components",
                               *(f"ship_to_{f}" for f in LINE_SHIP_TO_ADDRESS), "notes",
                               *(f.name for f in DEADLINES), "requested_delivery_date", "requested_ship_date",
                               "ship_not_before", "ship_no_later", *WEIGHT_AS_SENT,
                               *(f"ship_to_{f}" for f in LINE_SHIP_TO), "line_refs",
                               "line_prices", "tax_exempt_sent", *(f"mark_for_{f}" for f in LINE_MARK_FOR),
                               "pids_sent", "style_line_id", "hazmat_sent", "expiry_sent",
                               "sales_requirement", "requested_ship_end", "requested_delivery_end",
                               RANGE_START})
# DTM01 of a line's expiration date as sent (ORDER_LINES expiry_sent: DTM 036 "Expiration")
LINE_EXPIRY = {"036": "expiry_sent"}
# DTM01 of the dates a line keeps of its own (ORDER_LINES columns: the DEADLINES)
LINE_DATES = {"001": "cancel_after", "063": "do_not_deliver_after", "064": "do_not_deliver_before"}
# DTM01 of a ship window (ORDERS and ORDER_LINES columns): a PO1 loop keeps its own (Williams-Sonoma's 5010 850
# sends its DTMs in the PO1 loops only, a DTM required in each, and lines of one PO may ship in different windows);
# one every PO1 loop of an 850 states alike, with the same date, is the order's too when its heading sends none
# (parsers.orders_850.common_line_dates). Lines with different windows used to lose theirs (LINE_DATES_NOT_APPLIED)
# and were allocated, acknowledged and shipped on the order's dates
LINE_WIDE_DATES = {"037": "ship_not_before", "038": "ship_no_later"}
# DTM01 of the dates an 850's PO1 loop keeps of its own (ORDER_LINES columns): its requested delivery and ship
# dates and its ship window besides LINE_DATES. Each is read as the heading's is, a twin for a standard one it
# lacks (DATE_TWINS: 175 as 001, 118 as 010 ...: parsers.x12_dates.first_dated)
# RANGE_ENDS, SHIP_RANGE_SIDES, window_named: schemas.ship_windows (no pyarrow: `status` reads them)
LINE_DTM_DATES = {"002": "requested_delivery_date", "010": "requested_ship_date", **LINE_WIDE_DATES, **LINE_DATES}
# the last dates of an order or line (column, DTM01, what it is): nothing may be delivered after the earlier of
# them (engine.answer's deliver_by); past either, a backorder's units are cancelled
# (engine.lifecycle.backorders), moved to today or later they come back (engine.lifecycle.changes.restore_expired)
LAST_DATES = (("cancel_after", "001", "cancel after"), ("do_not_deliver_after", "063", "do not deliver after"))
LAST_DATE_COLUMNS = tuple(c for c, _q, _name in LAST_DATES)
# the ship window's end, a last date too for a partner whose policy says so (AllocationPolicy.ship_no_later_is_cancel)
WINDOW_END = ("ship_no_later", "038", "ship no later")


def last_dates(window_end: bool = False) -> tuple[tuple[str, str, str], ...]:
    """LAST_DATES of a partner, with its DTM 038 (ship no later) when ``window_end``: its
    AllocationPolicy.ship_no_later_is_cancel."""
    return (*LAST_DATES, WINDOW_END) if window_end else LAST_DATES


# A delivery date a ship day is held against: the goods must leave the partner's transit time before it
DELIVER_AFTER = "do_not_deliver_after"
# the last day of a requested delivery range (RANGE_ENDS["002"]): a delivery date, as 063 is, not a cancel date
DELIVERY_END = "requested_delivery_end"
# the delivery dates a ship day is held against less the time in transit (last_day, last_date_named)
_ARRIVE_BY = (DELIVER_AFTER, DELIVERY_END)


@dataclass(frozen=True)
class Transit:
    """A partner's time in transit: ``days`` (its profile's [fulfilment.asn] transit_days) counted as calendar days,
    or as business days (``business_days``: its transit_business_days, as carriers' ground times and many guides count
    them) skipping Saturdays, Sundays and the ``holidays`` (its transit_holidays). Every date moved by the transit time
    goes through ``before`` / ``after``: the last ship day of a DTM 063, the ship day of a DTM 064 or 002, the 856's
    estimated delivery (DTM 017)."""

    days: int
    business_days: bool = False
    holidays: frozenset[date] = frozenset()

    def __bool__(self) -> bool:
        return self.days > 0

    def __str__(self) -> str:
        return f"{self.days} {'business ' if self.business_days else ''}day{'' if self.days == 1 else 's'}"

    def _open(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def _moved(self, day: date, step: int) -> date:
        if not self.business_days:
            return day + timedelta(days=step * self.days)
        left, one = self.days, timedelta(days=step)
        while left:
            day += one
            left -= self._open(day)
        return day

    def before(self, arrive: date) -> date:
        """The day goods leave to arrive on ``arrive``."""
        return self._moved(arrive, -1)

    def after(self, leave: date) -> date:
        """The day goods leaving on ``leave`` arrive."""
        return self._moved(leave, 1)


def transit_of(transit: Transit | int | None) -> Transit | None:
    """``transit`` as a Transit: a number of days is calendar days; None stays none (no transit time known)."""
    return transit if transit is None or isinstance(transit, Transit) else Transit(transit)


def last_ship_day(deliver_after: date | None, transit_days: Transit | int | None) -> date | None:
    """The last day goods can leave and arrive by DTM 063 (do not deliver after) ``deliver_after``: that day less
    the partner's time in transit (its profile's [fulfilment.asn] transit_days: a Transit, or calendar days); the
    063 itself without a transit time (the day we know of). Every check holding a ship day against a 063 uses it
    (the allocation's deliver_by, a backorder's expiry, SHIPPED_OUTSIDE_WINDOW, DATE_IN_PAST on arrival;
    last_ship_days for a column)."""
    transit = transit_of(transit_days)
    if deliver_after is None or not transit:
        return deliver_after
    return transit.before(deliver_after)


def last_ship_days(deliver_after, partners, transit: Mapping[str, Transit | int | None]):
    """last_ship_day of each row: a date32 column ``deliver_after`` less each row's partner's ``transit`` (partner
    -> its Transit or calendar days; a partner not in it: none)."""
    moved = {p: t for p, t in ((p, transit_of(d)) for p, d in transit.items()) if t}
    if not moved:
        return deliver_after
    if any(t.business_days for t in moved.values()):  # counted day by day, once per partner and date
        seen: dict[tuple, date | None] = {}
        out = []
        for when, p in zip(deliver_after.to_pylist(), partners.to_pylist(), strict=True):
            if (p, when) not in seen:
                seen[p, when] = last_ship_day(when, moved.get(p))
            out.append(seen[p, when])
        return pa.array(out, pa.date32())
    keys = pa.array(sorted(moved), pa.string())
    days = pc.fill_null(pc.take(pa.array([moved[p].days for p in keys.to_pylist()], pa.int32()),
                                pc.index_in(partners, value_set=keys)), 0)
    return pc.cast(pc.subtract(pc.cast(deliver_after, pa.int32()), days), pa.date32())


def last_date_named(column: str, label: str, when: date, transit_days: Transit | int | None) -> str:
    """A last date as a finding names it: ``label`` ("DTM 063 (do not deliver after)") and ``when``, and for a 063
    with a transit time its last ship day ("... 2026-12-08 less 3 days in transit (the last ship day 2026-12-05)";
    "less 2 business days" for a partner counting them)."""
    text = f"{label} {when.isoformat()}"
    transit = transit_of(transit_days)
    if column in _ARRIVE_BY and transit:
        text += f" less {transit} in transit (the last ship day {last_ship_day(when, transit)})"
    return text


def last_day(column: str, when: date | None, transit_days: Transit | int | None) -> date | None:
    """The day a ship day is held against for the last date ``when`` of ``column``: a 063's (or a requested delivery
    range end's) last_ship_day."""
    return last_ship_day(when, transit_days) if column in _ARRIVE_BY else when

# An 850 heading's DTM01 qualifiers (code list 374) that say what a date we keep says, read as that date (its
# standard twin, the key) when the set carries no DTM of the twin itself: the twin wins, then the first listed
# here; one not taken (its twin, or an earlier one, came too with another date) is named by
# HEADING_DATES_NOT_APPLIED. Retailers' guides send them for their delivery, ship and cancel dates:
# - 106 Required By, 996 Required Delivery, 074 Requested for Delivery (Prior to and Including): the day the
#   goods are wanted by, a requested delivery date like 002 (a ship date after it is inconsistent, one past is
#   DATE_IN_PAST), not 063: none says a delivery after it is refused or the order cancelled, which would hold
#   and cancel what 002 only schedules;
# - 118 Requested Pick-up: the day the buyer's carrier is asked to collect the goods from us, the day they
#   ship: 010 Requested Ship (the 855 promises it);
# - 175 Cancel if Not Shipped by, 177 Cancellation (a "cancel date"): the order is cancelled when not shipped
#   by it, as 001 Cancel After (a shipment on the day itself is in time, as 001's is: read as the later of the
#   two possible days, not to refuse an order the buyer still takes);
# - 061 Cancel if Not Delivered by: nothing delivered after it is taken, as 063 Do Not Deliver After.
# (062 is Blueprint, not a date of the order.)
DATE_TWINS = {"002": ("106", "996", "074"), "010": ("118",), "001": ("175", "177"), "063": ("061",)}
# Heading DTM01 qualifiers of a delivery, ship or cancel date with no date of ours that means the same (code
# list 374's words): an 850 carrying one is allocated, acknowledged and shipped without it, so
# HEADING_DATES_NOT_APPLIED names it for a person (they used to be dropped without a word)
DATES_NOT_KEPT = {
    "017": "estimated delivery", "039": "ship week of",
    "065": "1st schedule delivery", "066": "1st schedule ship", "067": "current schedule delivery",
    "068": "current schedule ship", "069": "promised for delivery",
    "070": "scheduled for delivery (after and including)", "071": "requested for delivery (after and including)",
    "072": "promised for delivery (after and including)", "073": "scheduled for delivery (prior to and including)",
    "075": "promised for delivery (prior to and including)", "076": "scheduled for delivery (week of)",
    "077": "requested for delivery (week of)", "078": "promised for delivery (week of)",
    "079": "promised for shipment", "080": "scheduled for shipment (after and including)",
    "081": "requested for shipment (after and including)", "082": "promised for shipment (after and including)",
    "083": "scheduled for shipment (prior to and including)",
    "084": "requested for shipment (prior to and including)",
    "085": "promised for shipment (prior to and including)", "086": "scheduled for shipment (week of)",
    "087": "requested for shipment (week of)", "088": "promised for shipment (week of)",
    # promotion windows and the PO's expiry: dates of the deal, not of the delivery (no date of ours is one)
    "025": "promotion ship - start", "026": "promotion ship - end",
    "027": "promotion requested delivery - start", "028": "promotion requested delivery - end",
    "036": "expiration",
    # sent by partners' 850s with no meaning we can apply (code list 374): named, never taken for a date of ours
    "110": "not a date we keep", "273": "not a date we keep", "274": "not a date we keep",
}
# BEG02 blanket orders (code list 92: BE blanket with estimated quantities, BK blanket, KB blanket purchase agreement,
# LB lease), called off by releases (BEG02 RL): their DTM 036 (expiration) is their end, kept (ORDERS expires_on,
# engine.blankets), not named by HEADING_DATES_NOT_APPLIED as it is on any other order
# (defined in schemas.order_keys, which loads no pyarrow: `orderbridge status` tells a blanket apart without it)
EXPIRATION = "036"
# what the twins are, for the words of HEADING_DATES_NOT_APPLIED
DATE_TWIN_NAMES = {"106": "required by", "996": "required delivery",
                   "074": "requested for delivery (prior to and including)", "118": "requested pick-up",
                   "175": "cancel if not shipped by", "177": "cancellation", "061": "cancel if not delivered by"}

# The buyer's own number for the item, under the qualifiers of code list 235 that name it so: BP "Buyer's Part
# Number", IN "Buyer's Item Number", PI "Purchaser's Item Code" (ACE Hardware's 850 sends its item as PI) and CB
# "Buyer's Catalog Number". Not IT "Buyer's Style Number" (a style spans sizes and colours: no one item), nor PN
# "Company Part Number" (no party named: the sender's, or anyone's). What a cross-reference row without a
# qualifier answers to (schemas.reference), the ORDER_LINES buyer_part column, a shipment's buyer item
BUYER_ITEM_QUALIFIERS = ("BP", "IN", "PI", "CB")

# PO1 qualifier -> canonical column (the first of a column's qualifiers, in this order, with a value fills it)
PRODUCT_QUALIFIERS = {"UP": "upc", "UK": "gtin", "EN": "ean", "VN": "vendor_part",
                      **dict.fromkeys(BUYER_ITEM_QUALIFIERS, "buyer_part")}
# Every product id qualifier (code list 235) a line is read or matched by: PRODUCT_QUALIFIERS' columns and the item
# join's (rules.business.items: GS1 EO, UI, UD, UA, U2; ISBN IB; vendor VP, VC, VA; maker MG; NDC ND, N1..N4 as
# schemas.reference.NDC_QUALIFIERS; revision EC, DR; style ST). One sent in small letters whose capitals are one of
# these ("bp", "vp": an ERP writing its own table's case) is read as it (parsers.orders_850.capital_qualifiers;
# CODE_CASE_CONVERTED tells it); tests/test_rg78_erp_buyers.py holds the item join's sets within it
QUALIFIERS_READ = frozenset({*PRODUCT_QUALIFIERS, "EO", "UI", "UD", "UA", "U2", "IB", "VP", "VC", "VA", "MG", "ND",
                             "N1", "N2", "N3", "N4", "EC", "DR", "ST"})

# ORDER_SACS: one row per SAC allowance or charge (SAC01 A or C) of an 850 set, in the order sent: what the PO
# promised (kept with its order in connectors.order_store as "sacs"; the reconciliation's PO_CHARGES and
# PO_ALLOWANCES read it). A SAC belongs to the PO1 loop it sits in (the set's last PO1 before it, whatever
# loop of it: SLN, N1 ...); before the first PO1, to the heading (line_number and line_id null). An order
# stored before this table was kept has none (connectors.order_store.OrderStore.has_sacs says so).
ORDER_SACS = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("order_ref", pa.string(), nullable=False),  # ISA13-GS06-ST02, as ORDERS
    pa.field("po_number", pa.string(), nullable=False),  # the order key (BEG03, or its release key)
    pa.field("line_number", pa.int32()),  # the PO1 loop's line (ORDER_LINES.line_number); null: the heading's
    pa.field("line_id", pa.string()),  # its PO101 as sent; null: the heading's (or a PO1 without PO101)
    pa.field("kind", pa.string(), nullable=False),  # SAC01: A allowance, C charge
    pa.field("code", pa.string()),  # SAC02 (code list 1300: C310 discount, D240 freight ...); null: none sent
    pa.field("amount", MONEY),  # SAC05, N2: two implied decimals ("2500" is 25.00); null: not sent
    pa.field("basis", pa.string()),  # SAC06: what the percent is of (1 item list cost, 6 base price amount ...)
    pa.field("percent", MONEY),  # SAC07
    pa.field("rate", MONEY),  # SAC08 (per unit)
    pa.field("handling", pa.string()),  # SAC12: 02 off invoice, 01 bill back, 05 paid by vendor, 12 cancel ...
    pa.field("description", pa.string()),  # SAC15 as sent
    *LINEAGE,
    pa.field("segment_position", pa.int32(), nullable=False),  # SAC position within the set (ST = 1)
    pa.field("file_segment", pa.int32(), nullable=False),  # SAC ordinal within the file
    # kept since (SACS_ADDED_LATER: a table stored before reads them as null)
    pa.field("agency", pa.string()),  # SAC03 agency qualifier (VI voluntary inter-industry commerce standards ...)
    pa.field("agency_code", pa.string()),  # SAC04: the agency's promotion, allowance or charge code
    pa.field("unit", pa.string()),  # SAC09: the unit of SAC10 (CA, EA ...)
    pa.field("quantity", QTY),  # SAC10: the quantity the allowance or charge is for
    pa.field("reference", pa.string()),  # SAC13 (ITA05): the deal, promotion or allowance number
])
# ORDER_SACS columns added after SAC tables were first stored (as ADDED_LATER)
SACS_ADDED_LATER = frozenset({"agency", "agency_code", "unit", "quantity", "reference"})
