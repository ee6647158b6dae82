"""Catalogue of the business finding codes (level "business"): what rules.business and
rules.gx_runner emit about an order's content once its X12 structure is sound.

Definitions only, in the shape of schemas.codes; the default 855 outcome per code is in
schemas.outcomes. None of these is reported in a 997 (ack is "").
"""

from __future__ import annotations

from schemas.codes import CATALOGUE, CodeSpec

_C = CodeSpec
BUSINESS_CODES: list[CodeSpec] = [
    # --- the PO1 line's item ----------------------------------------------------------------
    _C("ITEM_ID_MISSING", "business", "error", "", "The PO1 line carries no product identifier."),
    _C(
        "GTIN_CHECK_DIGIT_INVALID",
        "business",
        "error",
        "",
        "A UPC/GTIN/EAN is not 8, 12, 13 or 14 digits with a valid GS1 check digit.",
    ),
    _C("ITEM_UNKNOWN", "business", "error", "", "No item of ours matches any identifier on the line."),
    _C("ITEM_DISCONTINUED", "business", "error", "", "The item is discontinued."),
    _C(
        "ITEM_SUBSTITUTED",
        "business",
        "warning",
        "",
        "The item is discontinued and superseded by an active item, which a partner that accepts substitutes "
        "is sent in its place (855 ACK*IS).",
    ),
    _C(
        "ITEM_IDS_DISAGREE",
        "business",
        "warning",
        "",
        "A line decided on one of our items carries a UPC/GTIN/EAN that matches none of our items, or an id "
        "naming another item of ours; our 855, 856 and 810 echo the ids as sent.",
    ),
    _C(
        "PRODUCT_ID_QUALIFIER_MISMATCH",
        "business",
        "warning",
        "",
        "A line decided on one of our items sent a valid GS1 number under a product id qualifier of another structure "
        "(X12 code list 235: an EAN-13 as UP, a case's GTIN-14 as UP or EN, a UPC-A as EO); the number is read as "
        "itself and the line answered as any.",
    ),
    _C(
        "CODE_CASE_CONVERTED",
        "business",
        "warning",
        "",
        "A product id qualifier (PO106, PO108 ..., or an 860's POC08 ...) was sent in small letters (bp, vp: X12's "
        "codes are capitals) and its capitals are one we read (BP, VP, UP ...); the line is matched by the code, and "
        "our 855, 865, 856 and 810 state it.",
    ),
    # --- units and quantities ------------------------------------------------------------------
    _C("UNIT_UNKNOWN", "business", "error", "", "PO103 is not a unit of measure code (X12 data element 355)."),
    _C(
        "UNIT_CASE_CONVERTED",
        "business",
        "warning",
        "",
        "PO103 (or an 860's POC05) was a unit code in small letters (ea, cs: X12's codes are capitals); the line is "
        "taken in the code (EA, CS), and our 855, 865, 856 and 810 state it.",
    ),
    _C(
        "UNIT_NOT_CONVERTIBLE",
        "business",
        "error",
        "",
        "PO103 is a unit the item is not sold in: no conversion to eaches in the item master.",
    ),
    _C("QTY_NOT_POSITIVE", "business", "error", "", "PO102 is missing, zero or negative."),
    _C(
        "CASE_PACK_ROUNDED",
        "business",
        "warning",
        "",
        "The quantity is not a multiple of the case pack; it was rounded to whole cases.",
    ),
    _C(
        "CASE_PACK_MISMATCH",
        "business",
        "error",
        "",
        "A line ordered in cases whose PO4 counts other eaches per case (PO401 x PO414) than our case pack.",
    ),
    _C(
        "PO4_PACK_DIFFERS",
        "business",
        "warning",
        "",
        "A line ordered in eaches whose PO4 packs them in cases of another count (more than one) than our case pack.",
    ),
    _C(
        "PO4_SIZE_NOT_WHOLE",
        "business",
        "warning",
        "",
        "A line in a unit of measure whose PO4 measures its pack in that unit (PO4*1*15.5*SF): the quantity is no "
        "whole number of those packs.",
    ),
    _C(
        "DEA_ORDER_FORM_MISSING",
        "business",
        "error",
        "",
        "A line of a Schedule I or II controlled substance (items.csv dea_schedule CI, CII, CIIN) whose PO names no "
        "DEA order form (Form 222 or CSOS order number) under the partner's dea_order_form_refs.",
    ),
    _C(
        "CASE_PACK_NOT_MULTIPLE",
        "business",
        "error",
        "",
        "The quantity is not a multiple of the case pack and the policy is to reject.",
    ),
    _C(
        "QUANTITY_DECIMALS_UNSUPPORTED",
        "business",
        "error",
        "",
        "PO102 has more than 4 decimal places; our orders, 855s, 856s and 810s carry 4, so it would be rounded.",
    ),
    _C(
        "QTY_BELOW_MINIMUM",
        "business",
        "warning",
        "",
        "The quantity is below the item's minimum order quantity.",
    ),
    # --- price and money ----------------------------------------------------------------------
    _C("PRICE_MISSING", "business", "warning", "", "PO104 is empty; our price list applies."),
    _C(
        "PRICE_NOT_ON_FILE",
        "business",
        "error",
        "",
        "No contract or list price for this partner and item is valid on the PO date.",
    ),
    _C(
        "PRICE_BASIS_UNSUPPORTED",
        "business",
        "error",
        "",
        "PO105 says PO104 is not a price per PO103 unit (per hundred, per dozen, per pound of a line in eaches).",
    ),
    _C(
        "PRICE_BASIS_NOT_ON_880",
        "business",
        "error",
        "",
        "A line priced per several of its units (PO105 PD, HP, TP ...) that the partner's 880 cannot state: its "
        "G17 has no basis of price, and the price per unit is not exact in G1703's 9 digits nor the quantity a "
        "whole number of dozens, hundreds or thousands (7 EA at 4.99 PD).",
    ),
    _C(
        "PRICE_BASIS_CONVERTED",
        "business",
        "warning",
        "",
        "PO104 was a price per several units (PO105 HP, TP, PD ...); it is taken, answered and invoiced as the "
        "exact price per unit (PE, or the LE/QE/RE/TE/WE twin).",
    ),
    _C(
        "PRICE_BASIS_PER_EACH",
        "business",
        "warning",
        "",
        "PO104 with PO105 PE (or LE/QE/RE/TE/WE) on a line in a pack of eaches (CA of 12) is our price per each, "
        "not per pack; the line is answered (ACK IP) and invoiced at our price per PO103 unit.",
    ),
    _C(
        "PRICE_DECIMALS_UNSUPPORTED",
        "business",
        "error",
        "",
        "PO104 has more than 4 decimal places; our orders, 855s and 810s carry 4, so it would be rounded.",
    ),
    _C(
        "CATCH_WEIGHT_LINE",
        "business",
        "warning",
        "",
        "A line in cases (or eaches) priced per pound, kilogram ... of a partner that deals in catch weight: "
        "acknowledged as sent, invoiced by the weight shipped.",
    ),
    _C(
        "PRICE_BREAK_UNCLEAR",
        "business",
        "warning",
        "",
        "Several cost CTPs (quantity breaks) priced a line without PO104 and could not be ordered against its "
        "quantity and unit; the first priced it.",
    ),
    _C(
        "PRICE_MULTIPLIER_UNSUPPORTED",
        "business",
        "error",
        "",
        "The CTP that priced a line carries a multiplier (CTP06/CTP07), which we do not apply.",
    ),
    _C(
        "PRICE_OUT_OF_TOLERANCE",
        "business",
        "warning",
        "",
        "PO104 differs from our price by more than the tolerance.",
    ),
    _C(
        "PRICE_NO_CHARGE",
        "business",
        "error",
        "",
        "PO105 NC: the buyer marks the line no charge (free goods, PO104 0 or empty), or a sample order (BEG02 SP) "
        "prices it at PO104 0; we never supply free goods without a person's approval.",
    ),
    _C(
        "DISCOUNT_OVER_THRESHOLD",
        "business",
        "error",
        "",
        "PO104 is below our price by more than the partner's approval threshold, or PO104 less the share of the "
        "line the PO's allowances our 810s take off is.",
    ),
    _C(
        "ALLOWANCE_AFTER_SHIPMENT_HELD",
        "business",
        "error",
        "",
        "An 860 arriving after part of the order shipped adds an off-invoice allowance matching no deal agreed "
        "(deals.csv) that takes a line below our price by more than the partner's approval threshold (its PO104 less "
        "the allowances, as at order time): the order is held, its next 810 waits for a person (approved: the "
        "allowance is taken off it; rejected: it goes without).",
    ),
    _C(
        "ALLOWANCE_AFTER_INVOICED",
        "business",
        "warning",
        "",
        "An 860 arriving after the order was invoiced in full adds an off-invoice allowance: no invoice remains to "
        "carry it, so no 810 takes it off and nothing is held.",
    ),
    _C(
        "ALLOWANCE_DEAL_AGREED",
        "business",
        "warning",
        "",
        "The PO's off-invoice allowances take the line below our price by more than the partner's approval "
        "threshold, but those beyond it match promotions agreed with the customer (deals.csv): pre-approved, the "
        "deals named.",
    ),
    _C("CURRENCY_MISMATCH", "business", "error", "", "CUR02 is not the currency agreed with the partner."),
    _C(
        "TERMS_PERCENT_ROUNDED",
        "business",
        "warning",
        "",
        "ITD03 (terms discount percent) has more than 4 decimal places; our orders hold it at 4.",
    ),
    _C(
        "VENDOR_NUMBER_MISMATCH",
        "business",
        "warning",
        "",
        "REF*IA (else REF*VR, else an N1*VN / N1*SU N104 of N103 92) names us by another vendor number than the "
        "ones the partner's profile writes back.",
    ),
    _C(
        "ORDER_REF_NOT_SENT",
        "business",
        "warning",
        "",
        "The PO's heading sends no REF of a qualifier the partner's profile requires its 855, 856 or 810 to carry "
        "back (required_order_refs); the documents are sent without it.",
    ),
    _C(
        "TERMS_MISMATCH",
        "business",
        "warning",
        "",
        "The ITD terms differ from the terms agreed with the partner.",
    ),
    _C("CUSTOMER_UNKNOWN", "business", "error", "", "No customer record (credit, terms) for this partner."),
    _C(
        "CREDIT_LIMIT_EXCEEDED",
        "business",
        "error",
        "",
        "Order value + open orders + open AR exceed the partner's credit limit.",
    ),
    _C(
        "ORDER_VALUE_BELOW_MINIMUM",
        "business",
        "error",
        "",
        "The order's value is below the minimum order value.",
    ),
    # --- where and when -----------------------------------------------------------------------
    _C(
        "SHIP_TO_UNKNOWN",
        "business",
        "error",
        "",
        "The ship-to location id is unknown and no usable address was sent.",
    ),
    _C(
        "ADDRESS_INCOMPLETE",
        "business",
        "error",
        "",
        "The ship-to address lacks street, city, state or postal code (or the country, if the profile requires it).",
    ),
    _C(
        "ADDRESS_IMPLAUSIBLE",
        "business",
        "error",
        "",
        "The ship-to country, state/province or postal code is not valid or not served.",
    ),
    _C(
        "SHIP_TO_AMBIGUOUS",
        "business",
        "warning",
        "",
        "The PO's heading names more than one ship-to (N1*ST loops naming different parties): the order would ship "
        "to the first, and nothing says which goods the others are for.",
    ),
    _C(
        "LINE_SHIP_TO_DIFFERS",
        "business",
        "warning",
        "",
        "A PO1 loop's own N1*ST names another party than the order's ship-to (a member store's drop ship, an "
        "item-level ship-to): the line would ship to the order's.",
    ),
    _C(
        "DATE_IN_PAST",
        "business",
        "warning",
        "",
        "A requested delivery or ship date is already past, or the last day to ship by the DTM 063 (do not deliver "
        "after: it less the partner's transit_days) is.",
    ),
    _C(
        "CANCEL_DATE_PASSED",
        "business",
        "error",
        "",
        "The PO's cancel-after (DTM 001) or do-not-deliver-after (DTM 063) date, or a line's own (its PO1 loop's), is "
        "already past on its arrival.",
    ),
    _C(
        "BACKORDER_AFTER_CANCEL",
        "business",
        "warning",
        "",
        "A backordered line could ship only after the PO's cancel-after (DTM 001) or do-not-deliver-after (DTM 063) "
        "date (at allocation, or in a later run once the date has passed with units still backordered).",
    ),
    _C(
        "STOCK_NOT_LOADED",
        "business",
        "error",
        "",
        "The order's N1*SF routes it to a DC whose stock export was not loaded for the night's snapshot day, its "
        "last older than [inventory] stock_carry_days allows: held for a person, not answered for stock unseen.",
    ),
    _C(
        "STOCK_SHORT_REJECTED",
        "business",
        "warning",
        "",
        "Allocation rejected a line's units (or a ship-complete order whole) for want of stock, by the partner's "
        "[allocation] policy or the PO's CSH: the SKU, units wanted, in stock and coming, and the policy named.",
    ),
    _C(
        "SHIP_WINDOW_INCONSISTENT",
        "business",
        "error",
        "",
        "The requested dates contradict each other (e.g. DTM 037 after DTM 038 or 001, 064 after 063).",
    ),
    # --- the order as a whole (ORDER_DUPLICATE is defined in schemas.codes) -------------------
    _C(
        "ORDER_PURPOSE_UNSUPPORTED",
        "business",
        "error",
        "",
        "BEG01 is a valid purpose code, but not one we act on (00, 01, 05, 06, 07, 18).",
    ),
    _C(
        "ORDER_AMOUNT_EXCEEDED",
        "business",
        "error",
        "",
        "The order is worth more than the amount its heading CSH03 says it must not exceed.",
    ),
    _C(
        "ORDER_TEST_DATA",
        "business",
        "error",
        "",
        "The order came in test data (ISA15 T) while we trade with the partner in production.",
    ),
    _C(
        "ORDER_CONFIRMATION_UNKNOWN",
        "business",
        "error",
        "",
        "A confirmation (BEG01 06) of an order we never received as an 850 (placed by phone, fax or e-mail).",
    ),
    _C(
        "PO_CANCELLED_BEFORE_RECEIVED",
        "business",
        "error",
        "",
        "The buyer cancelled the PO by an 860 (BCH01 01, or 17) that came before its 850 and was refused as naming a "
        "PO we never received: the 850 arriving after it is held for a person, not filled.",
    ),
    _C(
        "RELEASE_PAST_BLANKET",
        "business",
        "error",
        "",
        "A release (BEG02 RL) calls off more of an item than its blanket order holds, with the releases before it.",
    ),
    _C(
        "RELEASE_UNIT_UNCONVERTED",
        "business",
        "error",
        "",
        "A release line is in another unit than its blanket's line of the item, and no pack of the item converts it.",
    ),
    _C(
        "RELEASE_BLANKET_BY_VALUE",
        "business",
        "error",
        "",
        "A release calls off a blanket order line that states no quantity (a blanket agreed by value): not checked.",
    ),
    _C(
        "RELEASE_ITEM_NOT_ON_BLANKET",
        "business",
        "error",
        "",
        "A release (BEG02 RL) calls off an item its blanket order does not list.",
    ),
    _C(
        "RELEASE_BLANKET_UNKNOWN",
        "business",
        "warning",
        "",
        "A release (BEG02 RL) refers to a blanket PO number (BEG03) under which we hold no blanket order.",
    ),
    _C(
        "RELEASE_MOVED_BLANKET_UNKNOWN",
        "business",
        "error",
        "",
        "An 860 moved a release (BEG02 RL) to a contract or agreement (REF*CT, REF*AH) no blanket order we hold has.",
    ),
    _C(
        "RELEASE_BALANCE_PAST_BLANKET",
        "business",
        "error",
        "",
        "An 860 moved a release part of which shipped to a blanket whose remaining quantity its balance overdraws.",
    ),
    _C(
        "RELEASE_BLANKET_CANCELLED",
        "business",
        "error",
        "",
        "A release (BEG02 RL) calls off a blanket order (BEG03) the buyer cancelled.",
    ),
    _C(
        "RELEASE_HELD_BLANKET_CANCELLED",
        "business",
        "error",
        "",
        "The buyer cancelled a blanket order (850 BEG01 01, 860 BCH01 01) while a release of it we acknowledged had not"
        " shipped: the release is held for a person.",
    ),
    _C(
        "BLANKET_CANCELLED_RELEASES_OPEN",
        "business",
        "warning",
        "",
        "The buyer cancelled a blanket order (850 BEG01 01, 860 BCH01 01) while releases of it are still open.",
    ),
    _C(
        "RELEASE_AFTER_BLANKET_END",
        "business",
        "error",
        "",
        "A release (BEG02 RL) is dated (BEG05) after its blanket order's end (the blanket's DTM 036).",
    ),
    _C(
        "ORDER_TYPE_UNSUPPORTED",
        "business",
        "error",
        "",
        "BEG02 is an order type that asks for no delivery as it stands (a blanket order, an information copy, an "
        "order already shipped ...).",
    ),
    CATALOGUE["ORDER_DUPLICATE"],
]

BUSINESS_CATALOGUE: dict[str, CodeSpec] = {c.code: c for c in BUSINESS_CODES}

for _spec in BUSINESS_CODES:  # one catalogue: the business codes join schemas.codes.CATALOGUE
    CATALOGUE.setdefault(_spec.code, _spec)
