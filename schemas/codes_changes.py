"""Catalogue of the purchase-order change codes: what rules.set_checks (level "set") and
engine.changes (level "business") emit about an 860 and its effect on a live order.

Definitions only, in the shape of schemas.codes_business; registered into schemas.codes.CATALOGUE
on import. None of these is reported in a 997 (ack is ""); the 865 carries their outcome instead.
"""

from __future__ import annotations

from schemas.codes import CATALOGUE, CodeSpec

_C = CodeSpec
CHANGE_CODES: list[CodeSpec] = [
    # --- the 860 itself (rules.set_checks) ----------------------------------------------------
    _C("POC_LINE_ID_DUPLICATE", "set", "warning", "", "POC01 repeats within the purchase order change."),
    _C(
        "CHANGE_HEADER_NOT_APPLIED",
        "set",
        "warning",
        "",
        "The 860's heading carries changes we do not apply (TD5, FOB, ITD, SAC, a DTM other than "
        "002/010/037/038/001/063/064, "
        "an N1 other than ST ...); its POC lines, dates and ship-to are applied.",
    ),
    _C(
        "CHANGE_LINE_DATES_NOT_APPLIED",
        "set",
        "warning",
        "",
        "POC loops carry dates (DTM, SCH) we do not keep (of a line's dates only its own DTM 001/063/064/010/037/038/"
        "002 are kept, or a twin read as one: 175/177 as 001, 061 as 063, 118 as 010, 106/996/074 as 002) under an "
        "applied change (AI, QI, QD, PC, CT ...).",
    ),
    _C(
        "CHANGE_LINE_SHIP_TO_NOT_APPLIED",
        "set",
        "warning",
        "",
        "A ship-to an 860 names for a line that is not applied: a second N1*ST in a POC loop (the first is the line's "
        "new ship-to, applied), or a POC loop's N1*ST for an order that has shipped (not decided again): the line "
        "still ships where it did.",
    ),
    # --- the change against the live order (engine.changes) -----------------------------------
    _C(
        "CHANGE_REPEAT",
        "business",
        "warning",
        "",
        "BCH01 06 (confirmation), 07 (duplicate), 15 (re-submission) or 45 (follow-up): either an 860 with the "
        "same BCH03/BCH04/BCH05 and content was "
        "applied before (nothing changed, nothing sent; for a 45 the answer we sent that change goes again under "
        "new control numbers, or the message says why none does) or none was (applied as a change, 04); or a 04 "
        "with a "
        "BCH05 sent again as an earlier 860, or a cancel of an order cancelled before (nothing changed, nothing "
        "sent).",
    ),
    _C(
        "CHANGE_INFORMATION_COPY",
        "business",
        "warning",
        "",
        "BCH01 22 (information copy): a copy of a change sent for the record, not a request to act on; nothing was "
        "applied and nothing answered (no 865 or revised 855; the 997 acknowledges its receipt).",
    ),
    _C(
        "CHANGE_HEADER_APPLIED",
        "business",
        "warning",
        "",
        "The 860's heading changed the order's dates (DTM 002, 010, 037, 038, 001, 063, 064) or ship-to (N1 ST); "
        "the order was decided again with them (a moved cancel / do-not-deliver date alone: its backorders follow it).",
    ),
    _C(
        "CHANGE_ORDER_UNKNOWN",
        "business",
        "error",
        "",
        "The change names a PO number we hold no live order for; nothing was changed.",
    ),
    _C(
        "CHANGE_AWAITING_ORDER",
        "business",
        "warning",
        "",
        "The change names a PO we hold no order of yet: it waits for its 850 the partner's early_change_days (2 by "
        "default; applied the night the 850 comes) and is refused as CHANGE_ORDER_UNKNOWN once it has waited that "
        "long.",
    ),
    _C(
        "CHANGE_OUT_OF_SEQUENCE",
        "business",
        "error",
        "",
        "The change's BCH05 (change order sequence number) is below that of a change applied to the order before: "
        "the buyer sent it first and it came late; it was refused whole, not applied over the later change.",
    ),
    _C(
        "CHANGE_RELEASE_AMBIGUOUS",
        "business",
        "error",
        "",
        "The change names a PO number (BCH03) held as several open releases and no release (BCH04); nothing "
        "was changed.",
    ),
    _C(
        "CHANGE_PURPOSE_UNSUPPORTED",
        "business",
        "error",
        "",
        "BCH01 is not 00 (original), 01 (cancel), 04 (change), 05 (replace), 06 (confirmation), 07 (duplicate), 17 "
        "(cancel, to be reissued) or 18 (reissue); nothing was changed.",
    ),
    _C(
        "CHANGE_AFTER_SHIPMENT",
        "business",
        "error",
        "",
        "The order has shipped and cannot take what the POC asks: another product for a line that shipped, a "
        "line rejected when the order was answered, or any change once the order is closed (shipped, invoiced, "
        "its 810s delivered: the whole 860 is refused). Lines added to an order still open are decided by the "
        "rules, not refused.",
    ),
    _C(
        "CHANGE_BELOW_SHIPPED",
        "business",
        "error",
        "",
        "A decrease, deletion or cancellation asks for less than a line already shipped: the shipped units "
        "stay on the order (invoiced as shipped), only the unshipped rest was cancelled.",
    ),
    _C(
        "BLANKET_BELOW_RELEASES",
        "business",
        "warning",
        "",
        "An 860 lowers a blanket order's line (BEG02 BK, BE, KB, LB) below what its releases already called off: "
        "the change is applied and the releases are not changed.",
    ),
    _C(
        "BILL_ONLY_CREDIT_DUE",
        "business",
        "warning",
        "",
        "An 860 cancels, deletes or lowers lines of a bill-only order (goods the buyer used from stock it holds) that "
        "our 810 already billed: the billed units stay on the order and the change is refused for them; a credit "
        "memo, if the buyer did not use them, is finance's to issue (OrderBridge sends none).",
    ),
    _C(
        "BILL_ONLY_INVOICE_DUE",
        "business",
        "warning",
        "",
        "An 860 raises or adds lines of a closed bill-only order (goods the buyer used from stock it holds, billed by "
        "our 810s): the order takes no change and nothing is billed for the units it reports used; a supplementary "
        "invoice, if the buyer used them, is finance's to issue (OrderBridge sends no 810 for a closed order).",
    ),
    _C(
        "BILL_ONLY_INVOICED_AGAIN",
        "business",
        "warning",
        "",
        "An 810 of a bill-only order that earlier 810s billed: an 860 raised or added lines while it was still "
        "invoiced, and this 810 bills the units it added, alone (a supplementary invoice, not a duplicate); the "
        "message names the 810, each line's units at their price, and the total.",
    ),
    _C(
        "CHANGE_RAISE_NOT_BACKORDERED",
        "business",
        "error",
        "",
        "A line raised after shipment whose new units neither the stock that night nor an expected receipt covers "
        "(or, for a partner whose allocation takes no backorder, backorder = \"reject\", that the stock does not "
        "cover): what stock covered was reserved, what a receipt covers stays backordered with its promise, the "
        "rest was refused (865 IQ with the quantity we ship), as an 850 line's short units are.",
    ),
    _C(
        "CHANGE_PRICE_INVOICED",
        "business",
        "error",
        "",
        "A price change for a line with units already invoiced: the price was not changed and no 810 is sent "
        "again.",
    ),
    _C("CHANGE_LINE_UNKNOWN", "business", "error", "", "POC01 does not name a line of the order."),
    _C(
        "CHANGE_LINE_EXISTS",
        "business",
        "error",
        "",
        "POC02 AI adds a line whose POC01 the order already has.",
    ),
    _C("CHANGE_TYPE_UNSUPPORTED", "business", "error", "", "POC02 is a change type we do not apply."),
    _C("CHANGE_PRODUCT_MISSING", "business", "error", "",
       "POC02 RE or RM replaces the line's item but the POC names no item (POC08/POC09)."),
    _C(
        "CHANGE_QUANTITY_INVALID",
        "business",
        "error",
        "",
        "POC03 is missing, negative, has more than 4 decimal places (it would be rounded), or contradicts the "
        "change type (QI not above, QD not below today's).",
    ),
    _C(
        "CHANGE_PRICE_INVALID",
        "business",
        "error",
        "",
        "POC06 is missing or negative on a price change, or has more than 4 decimal places (it would be rounded), "
        "or, sent per another unit than the line's (POC05), is not exact to 4 places per the line's unit.",
    ),
    _C(
        "CHANGE_UNIT_MISMATCH",
        "business",
        "error",
        "",
        "POC05 differs from the line's unit of measure and is no whole number of it; the quantity cannot be applied.",
    ),
    _C(
        "CHANGE_DATES_NOT_STORED",
        "business",
        "warning",
        "",
        "POC02 CT/RS/RB (or RQ/PR/MU) changes a line's dates and sends none we keep (DTM 001/063/064/010/002), or "
        "moves the ship or delivery date (DTM 010, 002) of a line of an order that shipped: acknowledged, not "
        "recorded.",
    ),
    _C(
        "CHANGE_PACK_NOT_APPLIED",
        "business",
        "warning",
        "",
        "A POC loop's PO4 packs a line otherwise than the line's pack, but units of the line shipped already: the "
        "new pack was not applied (before any of the line shipped it is: the line decided again with it).",
    ),
    _C(
        "CHANGE_SDQ_MISMATCH",
        "business",
        "warning",
        "",
        "A changed or added line's SDQ store quantities (the POC loop's new split, or the line's earlier split when "
        "a new quantity came without one) do not add up to its quantity.",
    ),
    _C(
        "CHANGE_REPLACE_DROPPED_LINES",
        "business",
        "warning",
        "",
        "A replacing 860 (BCH01 05: the PO replaced with its line items, whatever their POC02 codes) cancelled order "
        "lines it did not restate.",
    ),
]

CHANGE_CATALOGUE: dict[str, CodeSpec] = {c.code: c for c in CHANGE_CODES}

for _spec in CHANGE_CODES:  # one catalogue: the change codes join schemas.codes.CATALOGUE
    CATALOGUE.setdefault(_spec.code, _spec)
