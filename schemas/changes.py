"""Canonical purchase-order change tables (Arrow schemas): one row per 860 (CHANGE_HEADERS), one per
POC line (ORDER_CHANGES), and the quantities a change releases back to stock (RELEASES).

Definitions only. Rows carry the same lineage as schemas.orders so a change can be traced to the
file it came in on; quantities and prices are decimals in the ORDER_LINES types.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.orders import (
    DEADLINES,
    LINE_DATES,
    LINE_MARK_FOR,
    LINE_OWN_REF,
    LINE_PRICE,
    LINE_REF,
    LINE_SHIP_TO,
    LINE_SHIP_TO_ADDRESS,
    LINE_WIDE_DATES,
    LINEAGE,
    MONEY,
    ORDER_REFS,
    ORDER_SACS,
    PID_SENT,
    PREPACK_COMPONENT,
    PRODUCT_FIELDS,
    QTY,
    RANGE_ENDS,
    REF_DESCRIPTION,
    STORE_QUANTITY,
    _party,
)

# POC02 (code list 670) by what engine.changes does with it
QUANTITY_TYPES = frozenset({"QI", "QD", "QC", "RQ"})  # POC03, required, is the new total ordered quantity
PRICE_TYPES = frozenset({"PC", "PR"})  # POC06, required, is the new unit price
# RE replacement item, RM replacement item with modifications: the line's item replaced by the one POC08.. name
# (required), POC03 and/or POC06 applied where sent - RZ's product restatement, the line's other values kept
REPLACEMENT_TYPES = frozenset({"RE", "RM"})
EITHER_TYPES = frozenset({"CA", "PQ", "MU", "RZ"}) | REPLACEMENT_TYPES  # POC03 and/or POC06, whichever is sent
DATE_TYPES = frozenset({"CT", "RS", "RB", "RQ", "PR", "MU"})  # change dates too (or only: CT, RS, RB)
# CE (changes to item level allowance/charges): the SACs of its POC loop change, the line's quantity and price
# stay (as NC's); engine.finance_inputs.with_changes takes its SACs. CG (changes to total level allowance/
# charges) alike, its loop's SACs the heading's (parsers.orders_860 reads them so)
CHARGE_TYPES = frozenset({"CE", "CG"})
TOTAL_CHARGE_TYPES = frozenset({"CG"})
# DI delete item(s); CF cancel previously transmitted purchase order, sent on a line: that line cancelled (the
# whole PO is cancelled by BCH01 01, or by a CF on each of its lines)
DELETE_TYPES = frozenset({"DI", "CF"})
SUPPORTED_TYPES = (frozenset({"AI", "NC"}) | DELETE_TYPES | CHARGE_TYPES | QUANTITY_TYPES | PRICE_TYPES
                   | EITHER_TYPES | DATE_TYPES)
# the rest of code list 670 (004010 and 005010), refused with what each asks and why we do not apply it
REFUSED_TYPES = {
    "CB": "change of date terms: the dating of the payment terms, which an 860 does not change here (the terms "
          "agreed with the partner, or the PO's own ITD, stand): agree it with finance",
    "CC": "changes to terms: the payment terms, which an 860 does not change here (the terms agreed with the "
          "partner, or the PO's own ITD, stand): agree it with finance",
    "RA": "replace mode of shipment: the routing (TD5), which an 860 does not change here: pass it on to the "
          "warehouse and confirm it with the buyer",
    "TI": "transfer item: the line moved to another order or location, which is no change we apply to this "
          "PO: the buyer deletes it here (DI) and orders it where it goes",
    "RC": "reject item change: a response to a change, not a change to apply",
    "OC": "original confirmation of original announcement: a promotion announcement's answer, not a change to "
          "an order line",
    "OA": "original confirmation of revised announcement: a promotion announcement's answer, not a change to "
          "an order line",
    "CH": "change to original confirmation of original announcement: a promotion announcement's answer, not a "
          "change to an order line",
    "CI": "change to confirmation of revised announcement: a promotion announcement's answer, not a change to an "
          "order line",
}

# ORDERS dates an 860's heading DTM may change, by DTM01 (the 850's parsers.orders_850.DATES)
HEADER_DATES = {"002": "requested_delivery_date", "010": "requested_ship_date", "037": "ship_not_before",
                "038": "ship_no_later", "001": "cancel_after", "063": "do_not_deliver_after",
                "064": "do_not_deliver_before"}
# Of those, the last (and first) acceptable dates (schemas.orders.DEADLINES): moving them changes what may still
# ship and when, not what is placed: an answered order keeps its lines (engine.lifecycle.changes), its
# backorders follow the new dates (engine.lifecycle.backorders)
DEADLINE_CHANGES = frozenset({"cancel_after", "do_not_deliver_after", "do_not_deliver_before"})
# The ORDERS columns of the heading references an 860 adds (a REF of a qualifier its 850 lacked, one the partner's
# 855, 856 or 810 carries back: engine.changes._refs_added): kept with the order, which is not decided again for them
# (what is placed and promised stands), before or after shipment (the 856 and 810 still to write carry them)
REF_CHANGES = frozenset({*ORDER_REFS.values(), "refs_sent", "ref_descriptions"})
SHIP_TO_FIELDS = tuple(f.name for f in _party("ship_to"))
# and what an 860's N1 ST loop sends with them, as the 850's ORDERS keep it: its N2s on their own (ship_to_name2, the
# name holding them after ", ") and its PER (ship_to_contact_sent): the party's, replaced with it (null: not sent)
SHIP_TO_SENT = (*SHIP_TO_FIELDS, "ship_to_name2", "ship_to_contact_sent")
# The heading's other N1 parties an order keeps (ORDERS bill_to, buyer, mark_for, as the 850 reads them), by N101:
# an 860 does not change them, but repeating them (Hudson's Bay's N1*BY on every 860) changes nothing either;
# engine.changes names one only when it is not the order's own (CHANGE_HEADER_NOT_APPLIED)
KEPT_PARTIES = {"BT": "bill_to", "BY": "buyer", "Z7": "mark_for"}
PARTY_FIELDS = ("name", "id_qualifier", "id", "address1", "address2", "city", "state", "postal_code", "country")
PARTY_SENT = pa.struct([
    pa.field("qualifier", pa.string()),  # N101
    *(pa.field(name, pa.string()) for name in PARTY_FIELDS),  # N102 (with its N2s), N103, N104, N3, N4 as the 850's
    pa.field("segment_position", pa.int32()),  # of its N1 in the set (ST is 1)
])
# DTM01 of the dates a POC loop moves on its line (ORDER_CHANGES / ORDER_LINES columns): its own cancel /
# do-not-deliver dates (schemas.orders.LINE_DATES) and ship window's end (038), and its requested ship date (010),
# ship window's opening (037) and requested delivery date (002), the line decided again with them (its ship day
# moves)
LINE_SHIP_DATE = "requested_ship_date"  # the ORDER_LINES column an 850's PO1 loop DTM 010 sets too
LINE_WINDOW_OPENS = LINE_WIDE_DATES["037"]  # ship_not_before: like LINE_SHIP_DATE, it moves the line's ship day
LINE_WINDOW_ENDS = LINE_WIDE_DATES["038"]  # ship_no_later: like LINE_DATES, a last date (for some partners)
# the line dates that are its ship day (the line decided again with them, not taken once the order shipped)
LINE_SHIP_DAYS = (LINE_SHIP_DATE, LINE_WINDOW_OPENS)
# the line's requested delivery date, the ORDER_LINES column an 850's PO1 loop DTM 002 sets too: the day it ships is
# that day less its partner's days in transit, when known (engine.lifecycle.decisions), so it is decided again with
# it as with LINE_SHIP_DAYS. The electronics trade reschedules a line by it alone (POC02 CT with DTM 002: push-outs
# and pull-ins); it used to be left to a person (CHANGE_DATES_NOT_STORED), the line promised for its old date
LINE_DELIVERY_DATE = "requested_delivery_date"
LINE_DECIDING_DATES = (*LINE_SHIP_DAYS, LINE_DELIVERY_DATE)
CHANGE_LINE_DATES = {**LINE_DATES, "010": LINE_SHIP_DATE, "002": LINE_DELIVERY_DATE, **LINE_WIDE_DATES}
# a line's own ship-to as a POC loop's first N1*ST sends it (its N102/N103/N104 and the N3/N4 of that N1 loop), as the
# 850's PO1 loop's (ORDER_LINES ship_to_*): the whole party replaced on the line it names (engine.changes); the line is
# decided again with it, its new place checked as an 850 line's (rules.business.places), the 856 sent there
LINE_SHIP_TO_COLUMNS = tuple(f"ship_to_{f}" for f in (*LINE_SHIP_TO, *LINE_SHIP_TO_ADDRESS))
# CHANGE_HEADERS columns added after tables were first stored: a stored table without them reads them as null
CHANGE_ADDED_LATER = frozenset((*HEADER_DATES.values(), *RANGE_ENDS.values(), *SHIP_TO_SENT, "currency_sent",
                                "itd_sent", "td5_sent", "fob_sent", "parties_sent", "gs02", "gs03", "refs_sent",
                                "isa05", "isa06", "isa07", "isa08",
                                "ref_descriptions", "codes_case_sent", "sales_requirement", "set_id"))
# ORDER_CHANGES columns added after tables were first stored (likewise)
CHANGES_ADDED_LATER = frozenset({"unit_sent", "codes_case_sent", "quantity_sent", "quantity_left_sent",
                                 "price_sent", "price_unit",
                                 "price_multiplier_sent", "po4_pack", "po4_inner_pack", "po4_size", "po4_size_unit",
                                 "store_quantities",
                                 "line_prices", "tax_exempt_sent", "pids_sent", "prepack_components", LINE_SHIP_DATE,
                                 "sales_requirement",
                                 LINE_DELIVERY_DATE, *LINE_SHIP_TO_COLUMNS, "line_refs",
                                 *(f"mark_for_{f}" for f in LINE_MARK_FOR),
                                 *(f.name for f in DEADLINES), *LINE_WIDE_DATES.values(), *RANGE_ENDS.values()})

CHANGE_HEADERS = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("change_ref", pa.string(), nullable=False),  # ISA13-GS06-ST02 of the 860: unique within a file
    pa.field("po_number", pa.string(), nullable=False),  # BCH03
    pa.field("purpose", pa.string()),  # BCH01: 01 cancel, 04 change, 05 replace, 06 confirmation
    pa.field("order_type", pa.string()),  # BCH02
    pa.field("release_number", pa.string()),  # BCH04
    pa.field("change_order_ref", pa.string()),  # BCH05 change order sequence number
    pa.field("po_date", pa.date32()),  # BCH06
    pa.field("change_date", pa.date32()),  # BCH11 (change request date), else BCH06
    pa.field("line_count", pa.int32(), nullable=False),  # POC segments in the set
    pa.field("ctt_line_count", pa.int32()),  # CTT01 as sent
    *LINEAGE,
    pa.field("st_file_segment", pa.int32()),  # ordinal of ST in the file
    # the heading's new order-level values (null: not sent, the order keeps its own): engine.changes applies them
    # DTM 002, 010, 037, 038, 001, 063, 064 before the first POC
    *(pa.field(name, pa.date32()) for name in HEADER_DATES.values()),
    # the last days of its DTM 010 / 002 sent as a range (schemas.orders.RANGE_ENDS; null: not a range): the order's
    # new ones when it sends that DTM (engine.changes.heading_changes)
    *(pa.field(name, pa.date32()) for name in RANGE_ENDS.values()),
    *_party("ship_to"),  # N1 ST (with its N2, N3, N4) before the first POC: the whole party replaced
    pa.field("ship_to_name2", pa.string()),  # its N2s (ORDERS ship_to_name2), also in ship_to_name after ", "
    pa.field("ship_to_contact_sent", pa.string()),  # its PER as sent (ORDERS ship_to_contact_sent)
    # CUR02 of the heading's first CUR: not applied; engine.changes names it when it is not the order's own
    # (Home Depot restates CUR*BY*USD on every 860: nothing changed)
    # (not "currency": the order store reads a column added later as null by its name, and ORDERS' currency is not)
    pa.field("currency_sent", pa.string()),
    # the heading's first ITD as sent, in ORDERS itd_sent's form: not applied; engine.changes names it when it is not
    # the order's own (Advance Auto Parts' 860 guide requires ITD on every change: restating the PO's changes nothing)
    pa.field("itd_sent", pa.string()),
    # the heading's first TD5 and FOB as sent, likewise (ORDERS td5_sent, fob_sent): not applied; named when not the
    # order's own (a replace, BCH01 05, restates the PO's routing and FOB: Nordstrom's; restated, nothing changed)
    pa.field("td5_sent", pa.string()),
    pa.field("fob_sent", pa.string()),
    # the heading's N1 BT / BY / Z7 loops before the first POC (KEPT_PARTIES), in order: not applied; engine.changes
    # names one that is not the order's own party (null: none sent)
    pa.field("parties_sent", pa.list_(PARTY_SENT)),
    # GS02 of the 860's group (null: empty): of a partner sending for several buyers (X12Settings.buyer_gs_ids), the
    # buyer whose PO number BCH03 is; engine.lifecycle.intake applies no 860 of one buyer to another's order
    pa.field("gs02", pa.string()),
    # GS03 of the 860's group (null: empty): the application id of ours it was sent to; with gs02, the order's later
    # documents (its revised 855 or 865, its 856 and 810) go to the GS02 that sent the change, from the GS03 it was
    # sent to (a partner that moved to another GS02 between its 850 and its 860: engine.lifecycle.intake)
    pa.field("gs03", pa.string()),
    # ISA05-ISA08 of the 860's interchange (null: empty): the partner's id it came from and the id of ours it was
    # sent to ([x12] their_ids / our_ids); engine.lifecycle.intake answers the change (and the order's later
    # documents) to the id that sent it, from the id it was sent to
    pa.field("isa05", pa.string()),
    pa.field("isa06", pa.string()),
    pa.field("isa07", pa.string()),
    pa.field("isa08", pa.string()),
    # the heading's REFs before the first POC with a REF01 and a REF02, in the order sent (null: none): the one
    # that tells a partner's orders under one PO number apart ([x12] order_key_ref, REF*CO) names the order changed
    pa.field("refs_sent", pa.list_(LINE_REF)),
    # their REF03s (descriptions), as the 850's ORDERS ref_descriptions (REF*DP*084*HOUSEWARES; REF*JB**SPRING RESET,
    # a reference stated by REF03 alone): a new reference keeps its REF03 with the order (null: none sent)
    pa.field("ref_descriptions", pa.list_(REF_DESCRIPTION)),
    # the heading's codes sent in small letters and read as their capitals (N1*st: ST; parsers.orders_850._Cells),
    # each with its element, in the order sent: "N101 st; N101 by" (as ORDERS codes_case_sent; null: none)
    pa.field("codes_case_sent", pa.string()),
    # CSH01 of the heading's first CSH that sends one (the order's new sales requirement: ORDERS sales_requirement, as
    # the 850's heading CSH01; null: none sent, the order keeps its own): applied by engine.changes.heading_changes,
    # the order decided again with it (a PO now CSH*N takes no back order, CSH*SC ships complete)
    pa.field("sales_requirement", pa.string()),
    # the set as sent: "876" for a grocer's change (parsers.orders_876, read as the 860 it says: its G68 lines restate
    # the items that change, one naming no line of the order is an added one: engine.changes.restated_items); null
    # for an 860
    pa.field("set_id", pa.string()),
])

ORDER_CHANGES = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("change_ref", pa.string(), nullable=False),  # joins CHANGE_HEADERS
    pa.field("po_number", pa.string(), nullable=False),  # BCH03
    pa.field("purpose", pa.string()),  # BCH01
    pa.field("change_date", pa.date32()),  # BCH11, else BCH06
    pa.field("poc_number", pa.int32(), nullable=False),  # 1..n POC within the 860
    pa.field("line_id", pa.string()),  # POC01: the PO101 of the line to change
    pa.field("change_type", pa.string()),  # POC02: AI, DI, QI, QD, PC, CA, CT, PQ, NC, RZ...
    pa.field("quantity_ordered", QTY),  # POC03: the new total ordered quantity
    pa.field("quantity_left_to_receive", QTY),  # POC04 (first component in 005010+)
    pa.field("unit", pa.string()),  # POC05 (first component; a unit code in small letters, "ea": EA)
    # POC05 as sent where it was a unit code in small letters, read as the code (schemas.units.capital_units; as
    # ORDER_LINES unit_sent: engine.changes tells it, UNIT_CASE_CONVERTED); null elsewhere
    pa.field("unit_sent", pa.string()),
    pa.field("unit_price", MONEY),  # POC06
    pa.field("price_basis", pa.string()),  # POC07
    # POC03, POC04 and POC06 (or the CTP03 read for it) as sent where the column beside holds it rounded (past
    # 4 decimals that are not all zeros); null elsewhere. engine.changes rejects such a POC (CHANGE_*_INVALID)
    pa.field("quantity_sent", pa.string()),
    pa.field("quantity_left_sent", pa.string()),
    pa.field("price_sent", pa.string()),
    # CTP07 and CTP06 as sent ("0.90 DIS") of the cost CTP read for POC06: a multiplier we do not apply, so
    # engine.changes rejects a price change so priced (CHANGE_PRICE_INVALID)
    pa.field("price_multiplier_sent", pa.string()),
    # CTP05 (its unit code) of the cost CTP read for POC06 where it is another unit than POC05 (or POC05 is empty):
    # the unit that price is per (X12 gives CTP03 no unit of its own; CTP05 counts CTP04's quantity), which
    # engine.changes restates per the line's unit; null elsewhere (the price per POC05, else the line's unit)
    pa.field("price_unit", pa.string()),
    *PRODUCT_FIELDS,  # POC08..POC27 pairs; description = PID05 of the first PID under the POC
    # the POC loop's free-form PIDs as sent, read as the 850's PO1 loop's (schemas.orders.ORDER_LINES pids_sent): a
    # line the 860 adds keeps them, a line whose description it replaces takes them (null: its description alone)
    pa.field("pids_sent", pa.list_(PID_SENT)),
    # the line's new cancel / do-not-deliver dates: the POC loop's own first DTM 001/063/064 (null: not sent)
    *(pa.field(f.name, f.type) for f in DEADLINES),
    # the line's new requested ship date: the POC loop's own first DTM 010 (null: not sent)
    pa.field(LINE_SHIP_DATE, pa.date32()),
    # the line's new requested delivery date: the POC loop's own first DTM 002 (null: not sent)
    pa.field(LINE_DELIVERY_DATE, pa.date32()),
    # the last days of the POC loop's own DTM 010 / 002 sent as a range (schemas.orders.RANGE_ENDS; null: not sent, or
    # one day), as the 850's PO1 loop's (ORDER_LINES requested_ship_end / requested_delivery_end): the line's new ones
    # with the DTM sent (engine.changes._take_dates), so a window a POC's range moved is named as that range
    *(pa.field(name, pa.date32()) for name in RANGE_ENDS.values()),
    # the POC loop's own first DTM 037 / 038 (ship not before / no later; null: not sent): the line's new window
    # (ORDER_LINES ship_not_before / ship_no_later); one every POC of an 860 that names every line of the order
    # states alike is the order's too (engine.changes.poc_window), as an 850's PO1 loops' is
    # (parsers.orders_850.common_line_dates)
    *(pa.field(name, pa.date32()) for name in LINE_WIDE_DATES.values()),
    # the first PO4 of the POC loop (not of an SLN subline), as the 850's PO1 loop's (schemas.orders.ORDER_LINES):
    # a line the 860 adds in a pack unit only its PO4 counts (CT with PO4*12) converts as the 850's does
    pa.field("po4_pack", pa.int32()),  # PO401
    pa.field("po4_inner_pack", pa.int32()),  # PO414
    pa.field("po4_size", QTY),  # PO402
    pa.field("po4_size_unit", pa.string()),  # PO403
    # the POC loop's SDQ store quantities, read as the 850's (schemas.orders.ORDER_LINES store_quantities): the
    # line's new split over stores (null: none sent, the line keeps its split); engine.changes applies it
    pa.field("store_quantities", pa.list_(STORE_QUANTITY)),
    # the POC loop's prepack components (SLN03 I sublines), read as the 850's (schemas.orders.ORDER_LINES
    # prepack_components): the pack's new contents (null: none sent, the line keeps its own); engine.changes applies
    # them to a line the 860 changes or adds, or whose contents alone it restates (an 856 listing components lists
    # these)
    pa.field("prepack_components", pa.list_(PREPACK_COMPONENT)),
    # the POC loop's CTPs, read as the 850's PO1 loop's (schemas.orders.ORDER_LINES line_prices): the line's new
    # prices as sent (null: none sent, the line keeps its own); engine.changes applies them
    pa.field("line_prices", pa.list_(LINE_PRICE)),
    # the POC loop's exempting TXIs, read as the 850's PO1 loop's (schemas.orders.ORDER_LINES tax_exempt_sent: TXI01
    # of each whose TXI06 exempts, joined by a space): a line the 860 adds keeps them; a line it changes takes them
    # (null: none sent, the line keeps its own); an 810 bills the line without those taxes
    pa.field("tax_exempt_sent", pa.string()),
    # the POC loop's sales requirement, read as the 850's PO1 loop's (schemas.orders.ORDER_LINES sales_requirement:
    # its first CSH01, else IT801): a line the 860 adds keeps it, a line it changes takes it (null: none sent, the
    # line keeps its own); a line's CSH*N takes no back order
    pa.field("sales_requirement", pa.string()),
    # the POC loop's first N1*Z7, read as the 850's PO1 loop's (schemas.orders.ORDER_LINES mark_for_*: N102, N103,
    # N104): the party the line's goods are marked for (a dealer's tag, Home Hardware); a line the 860 adds keeps it,
    # a line it changes takes it (null: none sent, the line keeps its own); the 856 marks its carton for it
    *(pa.field(f"mark_for_{f}", pa.string()) for f in LINE_MARK_FOR),
    # the POC loop's first N1*ST with its N3/N4, read as the 850's PO1 loop's (schemas.orders.ORDER_LINES ship_to_*:
    # N102, N103, N104, N301/N302, N401..N404): the place the line's goods go to now (a co-op's member line moved to
    # another store, an item-level ShipTo changed); a line the 860 adds keeps it, a line it changes takes it, the whole
    # party replaced (null: none sent, the line keeps its own). engine.changes applies it (LINE_SHIP_TO_COLUMNS)
    *(pa.field(c, pa.string()) for c in LINE_SHIP_TO_COLUMNS),
    # the POC loop's own REFs, read as the 850's PO1 loop's (schemas.orders.ORDER_LINES line_refs: REF01, REF02, REF03
    # as sent, before its N9, N1, SCH or SLN): a line the 860 adds keeps them, a line it changes takes them (null: none
    # sent, the line keeps its own); an 855, 856 or 810 echoes those the partner lists
    pa.field("line_refs", pa.list_(LINE_OWN_REF)),
    *LINEAGE,
    pa.field("segment_position", pa.int32(), nullable=False),  # POC position within the set (ST = 1)
    pa.field("file_segment", pa.int32(), nullable=False),  # POC ordinal within the file
])

# What a change gives back to stock: a decrease, a deleted line, a cancelled order.
RELEASES = pa.schema([
    pa.field("line_number", pa.int32(), nullable=False),
    pa.field("line_id", pa.string()),
    pa.field("quantity", QTY, nullable=False),
])


# CHANGE_SACS: one row per SAC allowance or charge of an 860 set (SAC01 A, C, or N: "no allowance or charge", which
# takes the code off), as ORDER_SACS reads an 850's (order_ref: the change's ISA13-GS06-ST02, its change_ref; the
# line: its POC loop, line_id POC01), with the set's BCH01 and the loop's POC02. Kept beside the 860's change
# tables in connectors.order_store ("change-sacs"); engine.finance_inputs.with_changes applies them to what the
# PO promised (the charge reconciliation compares against the changed agreement).
CHANGE_SACS = pa.schema([
    *ORDER_SACS,
    pa.field("purpose", pa.string()),  # BCH01: 04 change, 05 replace (the heading's SACs restated) ...
    pa.field("change_type", pa.string()),  # POC02 of its loop (CA, AI, DI, RZ ...); null: the heading's
])
