"""The ops validation-failure report of a run: every finding with what happened because of it (its
consequence), counted per partner (a warehouse's confirmations that concern no partner's order: under
"warehouse <id>") and per code at the top with links to the sections, each problem once ("Problems to
act on": per partner, file and code, counted, with its first example and what to do), then grouped
partner -> file -> order -> line; severity in words as well as colour; findings on held orders that a
person has since approved or rejected are shown apart, never as open errors. Beyond ``limit`` rows
the page summarises (counts per file and code) and links the full CSV and Parquet.

Pure and columnar: an Arrow table of findings (schemas.reports.FINDING_ROWS) in; the failures table
(FAILURE_COLUMNS), its CSV bytes (formula cells neutralised) and the HTML page (every partner-supplied
text escaped) out. The caller reads the store and writes the files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from engine.html_page import anchor, e, page, table
from engine.report_messages import STYLE as MESSAGE_STYLE
from engine.report_messages import render_messages_section
from schemas.codes import CATALOGUE
from schemas.codes_business import BUSINESS_CATALOGUE
from schemas.findings import Finding
from schemas.order_keys import shown_column
from schemas.reports import (
    FAILURE_COLUMNS,
    FAILURE_HINT_COLUMNS,
    FINDING_ROWS,
    WAREHOUSE_PARTY,
    party_label,
)

LIMIT = 2_000  # finding rows listed one by one in the HTML page; the rest are counted (CSV/Parquet: all)
PO_SHOWN = 5  # PO numbers of a group of alike findings in its cell; the rest under <details>
PO_LISTED = 20_000  # PO numbers of one group listed on the page at most (the rest: failures.csv)
# the contents link each partner's section up to this many partners; beyond, a line names the MOST_SHOWN with the most
# open errors (a night of hundreds of partners: bench/bench_partners.py), as a code's row in By code does its partners
NAV_PARTNERS = 20
MOST_SHOWN = 10
FILES_SHOWN = 3  # file names of a group alike across files in its cell; every one (and where) under <details>
PLACES_LISTED = 5_000  # findings of one such group named with their file and place on the page (the rest: the CSV)
PROBLEM_LIMIT = 300  # rows of "Problems to act on" (one per partner, file and code); the rest are counted

HINTS: dict[str, str] = {
    # what to do about the codes the demo's nights report that had only their description here (newuser3: the
    # "What to do / tell the partner" column said what the code is, not what to do; docs/error-codes.md's)
    "X12_NOT_EDI": (
        "Check what landed in the drop (a wrong file, a report, an empty upload, a compressed file: never unpacked) "
        "and tell the partner; the file stays quarantined and nothing was answered."
    ),
    "ISA_USAGE_MISMATCH": (
        "Confirm test (ISA15 T) or production (P) with the partner before anything ships; if ours is wrong, fix the "
        "profile's [x12] usage."
    ),
    "ELEMENT_INVALID_DATE": (
        "The set is rejected in our 997 (its AK4 names the element), so nothing else answered it: ask the partner to "
        "correct the date (CCYYMMDD, or YYMMDD where the element is one) and send the set again."
    ),
    "ELEMENT_CONDITIONAL_MISSING": (
        "The set is rejected in our 997 (its AK4 names the element the condition needs), so nothing else answered "
        "it: ask the partner to send that element (or leave out the one that calls for it) and send the set again."
    ),
    "CHANGE_ORDER_UNKNOWN": (
        "Our 865 refused the change (RD); nothing changed. Find the PO: a typo in BCH03, another partner's or "
        "another vendor's PO, or an 850 that never reached us (ask the buyer to send it again, then the change). A "
        "PO we rejected or that was cancelled: the buyer sends a new PO."
    ),
    "ASN_LATE": (
        "The 856 went out after the partner's ASN window from departure: a chargeback risk. Find why the "
        "confirmation came late (the warehouse's export, a held shipment, the shipments deployment's interval)."
    ),
    "SHIPMENT_LINE_CLOSED": (
        "No 856 went for this shipment. Goods left for a line that is cancelled or rejected: call the buyer (keep, "
        "return or re-order); a line confirmed by mistake: have the warehouse send a corrected confirmation."
    ),
    "SHIPMENT_OVER_RESERVED": (
        "No 856 went for this shipment: more units left than the line has reserved. Find why (a picking error, a "
        "manual order) and have the warehouse send a corrected confirmation, or recall the goods."
    ),
    # outbound
    "OUTBOUND_CONTROL_CHARACTER": (
        "The document is held until someone releases it: `orderbridge release-held PARTNER --by NAME` (a 3PL's 997 "
        "or TA1: `orderbridge release-held --warehouse W --by NAME`) sends it with a blank for each control character "
        "(the next run). Report the value the finding names as a defect: it came in by a path that does not clean it."
    ),
    # fulfilment
    "SHIPPED_AFTER_CHANGE": (
        "The units left before the buyer's 860 was known: the 856 went and they are billed. Call the buyer: "
        "they may refuse or return them (credit on return) or keep them at the price; tell the DC to stop "
        "picking against lines a change cut."
    ),
    # business
    "SHIPMENT_SERIAL_SHIPPED_BEFORE": (
        "A double scan, or a shipment confirmed again under a new id: have the warehouse rescan. A unit that came "
        "back on a return and ships again: once the partner has its return, mark it returned with `orderbridge "
        "serial-return SERIAL --sku SKU --by NAME --reason RMA`, then take this confirmation again: `orderbridge "
        "retake FILE --warehouse W --by NAME --note WHY` when nothing shipped from it, else a new export of it."
    ),
    "SHIPMENT_BOXES_INCOMPLETE": (
        "A furniture unit ships in several boxes: its export must list every box (Box Number / Box Count), the "
        "unit's quantity on box 1 and 0 on the others. Ask the DC whether the missing box left on the truck (a row "
        "left out) or stayed behind; then `orderbridge retake FILE --warehouse W --by NAME --note WHY` with the "
        "corrected export (or a new export of the held shipment)."
    ),
    "SHIPMENT_PO_UNKNOWN": (
        "No live order has this PO number: often the confirmation came before the night that takes the PO in. Once "
        "it is in, take the file again with `orderbridge retake FILE --warehouse W --by NAME --note WHY` (refused if "
        "anything shipped from it: then ask the DC for a new export of the held shipments)."
    ),
    "ITEM_ID_MISSING": (
        "Ask the partner to send a product id on every PO1 (a UPC (UP), GTIN (UK) or any id their "
        "cross-reference in partner_items.csv maps, e.g. BP, VP, SK)."
    ),
    "GTIN_CHECK_DIGIT_INVALID": (
        "The number is mistyped or truncated; ask the partner to correct it in their item master and "
        "resend. Leading zeros are often dropped."
    ),
    "ITEM_UNKNOWN": (
        "The finding lists every id tried. Add the partner's id to partner_items.csv (partner, qualifier "
        "as sent e.g. VP, id, sku) or items.csv (GTIN/UPC) if it is one of our items; otherwise tell the "
        "partner we do not sell it."
    ),
    "ITEM_DISCONTINUED": (
        "Offer the replacement item to the partner or ask them to remove it from their catalogue."
    ),
    "ITEM_IDS_DISAGREE": (
        "The line is taken on the item its other ids name. If the number is ours (a case's GTIN-14, a new UPC), "
        "add it to items.csv or partner_items.csv (partner, qualifier, id, sku); else ask the partner to correct "
        "its item record before the goods arrive under a number its receiving does not find."
    ),
    "PRODUCT_ID_QUALIFIER_MISMATCH": (
        "No action on the order: the number is read as itself and the line answered as any. Tell the partner's EDI "
        "team the qualifier the number goes under (an EAN-13 is EN, a case's GTIN-14 is UK, a UPC-A is UP)."
    ),
    "ITEM_SUBSTITUTED": (
        "No action needed: the partner accepts substitutes and its 855 (ACK*IS) names the new part, which is "
        "allocated, shipped and invoiced. Check the new item's price in prices.csv if the line is held for one."
    ),
    "UNIT_UNKNOWN": (
        "PO103 is not a unit of measure code at all: ask the partner to send a standard unit (EA, CA, PK...)."
    ),
    "CODE_CASE_CONVERTED": (
        "No action: the line is matched by the product id qualifier it named in small letters (bp: BP) and answered "
        "in it. Ask the partner's EDI team to send its qualifiers in capitals; map this code to hold_line in its "
        "[rules.outcomes] if it must be checked by hand."
    ),
    "UNIT_CASE_CONVERTED": (
        "No action: the line is taken in the unit code its PO103 named in small letters (ea: EA) and answered in it. "
        "Ask the partner's EDI team to send unit codes in capitals; map this code to hold_line in its "
        "[rules.outcomes] if it must be checked by hand."
    ),
    "UNIT_NOT_CONVERTIBLE": (
        "If we sell the item in that unit, add sku,unit,eaches to item_units.csv (or the case_pack in items.csv "
        "for CA/CS); otherwise ask the partner to order in a unit we sell."
    ),
    "QTY_NOT_POSITIVE": "PO102 must be a positive number; ask the partner to resend the line.",
    "CASE_PACK_ROUNDED": (
        "No action needed unless the partner disputes it; tell them the case pack. A drop-ship order's lines are "
        "never rounded ([rules] drop_ship_order_types, drop_ship_marks: is this order one?)."
    ),
    "CASE_PACK_MISMATCH": (
        "Compare the buyer's PO4 with items.csv case_pack: fix ours if it is stale and `orderbridge recheck` the "
        "order, else ask the buyer to correct the PO; approved as it is, every case ships with our count."
    ),
    "PO4_PACK_DIFFERS": (
        "The eaches ship as ordered in our cases: repack to the buyer's PO4 count if its routing guide charges "
        "back, or fix items.csv case_pack if ours is stale, or ask the buyer to correct its PO4."
    ),
    "PO4_SIZE_NOT_WHOLE": (
        "Agree the quantity with the buyer (whole cartons: the message names the two nearest) and have it send an "
        "860; the warehouse ships whole packs, so an odd balance stays open until it does."
    ),
    "DEA_ORDER_FORM_MISSING": (
        "The line was refused (IR): tell the buyer to order it again with its DEA Form 222 or CSOS order number. If "
        "the partner's 850 names it under a REF we do not read, add its qualifier to [rules] dea_order_form_refs in "
        "its profile; if its forms come apart from the PO, set [rules.outcomes] DEA_ORDER_FORM_MISSING = \"hold_line\" "
        "(the PO then waits for the desk to match the form and approve)."
    ),
    "CASE_PACK_NOT_MULTIPLE": (
        "Ask the partner to order whole cases, or change this partner's case-pack policy."
    ),
    "QTY_BELOW_MINIMUM": (
        "Tell the partner the minimum order quantity; change min_order_qty in items.csv if wrong. A drop-ship "
        "order's lines are never raised ([rules] drop_ship_order_types, drop_ship_marks: is this order one?)."
    ),
    "QUANTITY_DECIMALS_UNSUPPORTED": (
        "Ask the partner for a quantity with at most 4 decimals (or in a smaller unit; the order can then be "
        "rejected and resent), or approve the line to answer it at the 4-decimal quantity the finding names."
    ),
    "PRICE_MISSING": "No action: our price list applies. Ask the partner to send PO104 if they need it.",
    "PRICE_NOT_ON_FILE": (
        "Add a price for this partner and item valid on the PO date to prices.csv, then `orderbridge recheck` "
        "the order (the next run answers it); or approve it (answered at PO104) or reject it."
    ),
    "PRICE_BASIS_UNSUPPORTED": (
        "Reject the order and ask the partner for prices per unit (PO105 PE), or enter it by hand; approved, "
        "it is answered and invoiced as if PO104 were per unit."
    ),
    "PRICE_BASIS_NOT_ON_880": (
        "Agree with the partner a quantity its 880 can bill (whole dozens, hundreds or thousands) or a price per "
        "each (PO105 PE), and have the PO changed (860) or resent; approved as it is, the line ships and its 880 is "
        "held (INVOICE_HELD_NOT_ON_880, said once) until it is invoiced by hand."
    ),
    "INVOICE_HELD_NOT_ON_880": (
        "No action if the rest of the line is still to ship: the shipment completing the dozen bills these units "
        "with its own on one 880 (said once: later nights do not repeat it; `status PO` lists it under invoices "
        "held). If nothing more of the line will ship, invoice these units by hand as agreed with the partner and "
        "explain the reconciliation's SHIPPED_NOT_INVOICED with the invoice's number."
    ),
    "PRICE_BASIS_CONVERTED": (
        "No action: the same price per unit. If the partner's system needs its own price basis echoed, map this "
        "code to hold_order in its [rules.outcomes]."
    ),
    "PRICE_BASIS_PER_EACH": (
        "No action: the partner's price per each is our price; the 855 restates it per PO103 unit (ACK IP, PO105 "
        "left out: the number is per case, not per each) and the 810 bills it so (IT105 left out). Never map "
        "this code to accept: the line would be answered and invoiced at the price of one each per case. "
        "A partner that wants such lines checked maps it to hold_order."
    ),
    "PRICE_DECIMALS_UNSUPPORTED": (
        "Agree a price with at most 4 decimals with the partner (the order can then be rejected and resent), or "
        "approve the line to answer and invoice it at the 4-decimal price the finding names."
    ),
    "CATCH_WEIGHT_LINE": (
        "No action at intake. Its 810 bills the net weight the warehouse confirms for the line (CSV Net Weight "
        "column, 945 W12 weight qualified N); shipped without one it waits (INVOICE_NOT_BUILT): have the "
        "warehouse confirm it, or invoice that line by hand by its weight."
    ),
    "PRICE_BREAK_UNCLEAR": (
        "Check the price with the partner's price list: the first CTP priced the line. If another break was "
        "meant, ask the partner for PO104 (or breaks with CTP04 quantities in the line's unit) in an 860."
    ),
    "PRICE_MULTIPLIER_UNSUPPORTED": (
        "Work out the net price (CTP03 times CTP07, if that is what the partner means) and agree it; approve "
        "the line to answer and invoice it at CTP03, or reject it and ask for the net price in PO104."
    ),
    "PRICE_OUT_OF_TOLERANCE": (
        "Check the contract price; update prices.csv if ours is stale, else the 855 carries our price."
    ),
    "PRICE_NO_CHARGE": (
        "Check whether we agreed to supply this line free (a sample, a replacement, a promotion): then approve "
        "the order (the line is answered and invoiced at no charge, PO104/IT104 0 with NC); otherwise reject it "
        "and ask the buyer for a priced PO."
    ),
    "DISCOUNT_OVER_THRESHOLD": (
        "Sales must approve the discount (or correct the price) before the order is released. An allowance the "
        "message says matched no deal: if it is a promotion agreed with the buyer, add it to deals.csv (or correct "
        "its dates, percent or rate) and `orderbridge recheck` the order."
    ),
    "ALLOWANCE_DEAL_AGREED": (
        "No action: the allowance is a promotion agreed in deals.csv (named). If it is not, take the deal out of "
        "deals.csv before the order is invoiced."
    ),
    "CURRENCY_MISMATCH": "Confirm the currency with the partner; the agreed one is in customers.csv.",
    "TERMS_PERCENT_ROUNDED": (
        "No action for the order. Where the partner's discount percent matters to finance, record it as sent "
        "(the finding names it); ask the partner for 4 decimals if their terms are to be compared with ours."
    ),
    "ORDER_REF_NOT_SENT": (
        "Ask the buyer to send the reference its guide requires on our documents (they went without it), or take "
        "the qualifier out of the profile's required_order_refs if the guide does not require it."
    ),
    "VENDOR_NUMBER_MISMATCH": (
        "Ask the buyer which vendor number is ours for this DC or division: set it in the profile's vendor_number "
        "(855, 856, 810), or order_refs \"IA\" to echo each PO's own instead."
    ),
    "TERMS_MISMATCH": (
        "Our agreed terms apply (the PO's own where the profile's [fulfilment.invoice] terms is \"po\": dated "
        "orders); check customers.csv and tell the partner if theirs are outdated."
    ),
    "CUSTOMER_UNKNOWN": "Add the partner to customers.csv (credit limit, terms, currency).",
    "CREDIT_LIMIT_EXCEEDED": "Credit control must release the order or the partner must pay open invoices.",
    "ORDER_VALUE_BELOW_MINIMUM": "Tell the partner the minimum order value; combine with another order.",
    "SHIP_TO_UNKNOWN": (
        "Add the location to ship_tos.csv, then `orderbridge recheck` the order (the next run answers it); or ask "
        "the partner for the full N3/N4 address."
    ),
    "ADDRESS_INCOMPLETE": (
        "Ask the partner for the missing N3/N4 elements, or add the location id to ship_tos.csv and "
        "`orderbridge recheck` the order."
    ),
    "SHIP_TO_AMBIGUOUS": (
        "Ask the partner where the goods go: a corrected PO (one per destination, or SDQ / a ship-to per line) and "
        "reject this one, or approve it to ship everything to the first ship-to. A partner whose heading repeats "
        "N1*ST for another purpose maps the code to accept in its profile."
    ),
    "LINE_SHIP_TO_DIFFERS": (
        "Ask the partner for one PO per destination and reject this one, or approve it and have the warehouse "
        "confirm one shipment per destination (each 856 then names its lines' own ship-to). A partner that agreed "
        "to heading-only shipping maps the code to accept in its profile."
    ),
    "ADDRESS_IMPLAUSIBLE": "Check the state/province code and postal code format with the partner.",
    "DATE_IN_PAST": "Reschedule: the 855 offers the first date we can meet; confirm with the partner.",
    "CANCEL_DATE_PASSED": (
        "The PO's (or a line's own) cancel-after / do-not-deliver-after date has passed: ask the buyer for a new "
        "date (860) and approve, or reject the order (or cancel the line)."
    ),
    "BACKORDER_AFTER_CANCEL": (
        "The backorder cannot ship before the PO's cancel date: ask the buyer for a later date (860) or let the"
        " line go (a cancel date already passed: the units were cancelled, or are kept with late_backorder"
        " \"promise\")."
    ),
    "STOCK_NOT_LOADED": (
        "Our side, not the partner's PO: load the DC's stock export for the day (orderbridge inventory load), then"
        " approve the order (orderbridge approvals); it is allocated from that DC's stock then."
    ),
    "STOCK_SHORT_REJECTED": (
        "Stock, not the partner's PO: the message names the short SKUs, units wanted, in stock and coming, and the"
        " policy that rejected rather than wait. Tell the buyer (they may order again once stock is in; a"
        " ship-complete PO rejected whole, also without its short lines); add the expected receipt if stock is"
        " coming; a partner that takes backorders or part of a PO: [allocation] backorder = \"allow\" or"
        " ship_complete = false."
    ),
    "SHIP_WINDOW_INCONSISTENT": (
        "Ask the partner to correct the DTM dates (037 <= 010 <= 038, 037 <= 001, 064 <= 063, delivery after ship)."
    ),
    "ORDER_PURPOSE_UNSUPPORTED": (
        "Ask the partner what the order is for (BEG01): approve it to process it as an original, or reject it."
    ),
    "VALUE_TOO_LONG_TO_ECHO": (
        "Check the profile's [x12] version against the version the partner sends (GS08): until it is right the"
        " 855 leaves such a reference out and an 856 or 810 echoing it is held at ship time."
    ),
    "ACK_NOT_SENT": (
        "The partner got no 855 (or 865 to its 860) for this PO: its PO number (or release) does not fit BAK03 (BAK05),"
        " or BCA03 (BCA04), in the profile's version. Check the profile's [x12] version against the version the"
        " partner sends (GS08), or ask the partner for a PO number that fits; acknowledge the order by other means"
        " meanwhile."
    ),
    "ACK_VALUE_LEFT_OUT": (
        "The 855 went without the reference the partner's version cannot hold: check the profile's [x12] version"
        " against the version the partner sends (its 856 and 810 echo the same reference and are held until then)."
    ),
    "SHIPPED_NOT_COMPLETE": (
        "The PO asked for one shipment (CSH01 SC, or the partner's ship_complete policy): expect a chargeback and tell"
        " the account manager; ask the warehouse to hold such orders until every line can go together."
    ),
    "ORDER_AMOUNT_EXCEEDED": (
        "The PO is worth more than its CSH03 allows: ask the buyer for a corrected PO (an 860 lowering quantities, or"
        " a higher amount); reject it when CSH02 is 1 (cancel the entire order); approve only what the buyer agrees to."
    ),
    "ORDER_TEST_DATA": (
        "Ask the partner whether it is a real order (ISA15 T marks test data): reject a test order; approve a real"
        " one, and ask them to send production data with ISA15 P."
    ),
    "ORDER_CONFIRMATION_UNKNOWN": (
        "Find the order the buyer placed by phone, fax or e-mail: if someone entered it by hand, reject this"
        " confirmation (never ship it twice); if nobody did, approve it to ship it."
    ),
    "PO_CANCELLED_BEFORE_RECEIVED": (
        "The buyer's 860 cancelled this PO before its 850 came (the message names the 860, its control number and"
        " day). Ask the buyer: reject the order (orderbridge reject: 855 RD) if it stays cancelled; approve it"
        " (orderbridge approve) only if the buyer confirms it wants the goods."
    ),
    "RELEASE_PAST_BLANKET": (
        "Ask the buyer whether the blanket was raised: approve the release if it was (or for what they agree),"
        " else reject it and ask for a release within the blanket."
    ),
    "RELEASE_UNIT_UNCONVERTED": (
        "Add the item's pack (items.csv unit and case_pack, or an item_units.csv row for the release's unit) and"
        " approve the release after checking it against the blanket, or ask the buyer for the blanket's unit."
    ),
    "RELEASE_ITEM_NOT_ON_BLANKET": (
        "Ask the buyer whether the blanket was amended to add the item: approve the release if it was, else reject"
        " it and ask for a separate order for that item."
    ),
    "BLANKET_BELOW_RELEASES": (
        "Ask the buyer whether the 860 meant to take back what the releases called off: reject a held release the"
        " blanket no more covers; the answered ones stand."
    ),
    "BLANKET_CANCELLED_RELEASES_OPEN": (
        "Ask the buyer whether the releases named still stand: approve the held ones that do (they ship as"
        " answered), reject those that do not; a partly shipped one's balance is cancelled (what shipped is billed)."
    ),
    "RELEASE_BLANKET_BY_VALUE": (
        "Add up what the blanket's releases called off against the amount the buyer agreed (the blanket's AMT, its"
        " contract): approve the release if it is within it, else reject it and ask the buyer. For the balance of a"
        " release moved there after part of it shipped, the finding gives its value: reject cancels only the balance."
    ),
    "ALLOWANCE_AFTER_SHIPMENT_HELD": (
        "Check the allowance the buyer's 860 added after shipping began against what sales agreed: approve it to take"
        " it off the next 810, else reject it (the 810 goes without it); add the deal to deals.csv if it stands."
    ),
    "ALLOWANCE_AFTER_INVOICED": (
        "The order was invoiced in full before the buyer's 860 added the allowance: no 810 will take it off. Ask"
        " sales whether it was agreed; if so settle it with the buyer apart (a credit memo for the amount the finding"
        " says it would have come to on the 810s sent), else tell the buyer it"
        " does not apply and expect no deduction."
    ),
    "RELEASE_HELD_BLANKET_CANCELLED": (
        "Ask the buyer whether the release still stands now its blanket is cancelled: approve it to ship it as"
        " answered, else reject it (855 RD, its stock released). It does not ship meanwhile."
    ),
    "SHIPMENT_RELEASE_HELD": (
        "The warehouse shipped a release held since the buyer cancelled its blanket: decide the release first"
        " (approve if the buyer says it stands, then confirm the shipment again; reject it and get the goods back)."
    ),
    "RELEASE_BLANKET_UNKNOWN": (
        "Find the blanket PO the release names: if the buyer agreed it outside EDI, nothing to do (the release is"
        " answered as sent); if its 850 should have come, ask the buyer to send it, and hold such releases"
        " ([rules.outcomes] RELEASE_BLANKET_UNKNOWN = \"hold_order\")."
    ),
    "RELEASE_MOVED_BLANKET_UNKNOWN": (
        "Ask the buyer for the 850 of the blanket the release's new contract or agreement names (or whether the"
        " number is right): once it is taken, recheck the release; approve it to ship it as answered, or reject it"
        " (the 865 and 855 refuse the change). It does not ship meanwhile. One part of which shipped before the move:"
        " approve to ship its balance anyway, reject to cancel the balance (what shipped stands)."
    ),
    "RELEASE_BALANCE_PAST_BLANKET": (
        "Ask the buyer whether the blanket the release moved to is raised (its 860) or the balance belongs"
        " elsewhere: approve the release to ship its balance against that blanket, or reject it to cancel the"
        " balance (what shipped stands, its stock released). Nothing more of it is billed meanwhile."
    ),
    "RELEASE_BLANKET_CANCELLED": (
        "Ask the buyer whether the blanket was reissued or the release still stands: approve the release if they"
        " want it shipped, else reject it (a release of a cancelled blanket is never shipped unasked)."
    ),
    "RELEASE_AFTER_BLANKET_END": (
        "Ask the buyer whether the blanket was extended: approve the release if it was, else reject it and ask for a"
        " new blanket."
    ),
    "ORDER_TYPE_UNSUPPORTED": (
        "Ask the partner what is to ship (BEG02: a blanket order's releases, an information copy ...): reject it,"
        " or approve it to ship it whole."
    ),
    "ORDER_DUPLICATE": (
        "Nothing was acknowledged again. If it is a real change, the partner must send BEG01 05 (replace)"
        " or an 860; if the copy's lines, or its N1*BY or N1*ST, differ because another company of the buyer's"
        " reused the number (the message names its parties), enter that order by hand. A CSV buyer (its rows and"
        " columns named) sends no 860: enter its edit by hand, or set resent_po = \"replace\" for a buyer that"
        " re-exports its sheet to change an order."
    ),
    "PO_OF_ANOTHER_BUYER": (
        "Enter the PO (or the 860's change) by hand for the buyer the message names (its 997 went, no 855 or"
        " 865): another buyer behind the same hub or network holds an order of that number, which was left as it"
        " was."
    ),
    # structure (the most common ones)
    "SE_COUNT_MISMATCH": "The partner's translator miscounted segments; ask them to regenerate the file.",
    "ELEMENT_MANDATORY_MISSING": "Ask the partner to fill the element; the 997 tells them which one.",
    "IMPLIED_DECIMAL_STATED": (
        "None for the order: it was accepted and the value read as stated (25.00, not 0.25; GE*1.0 one set); the"
        " 997 told the partner (AK5 E; for an IEA01 the TA1, E 021). If it repeats, ask them to send N elements"
        " without the decimal point (2500)."
    ),
    "ELEMENT_TOO_LONG_ACCEPTED": (
        "None for the order: it was accepted with errors noted (997 AK5 E, AK4 code 5 at the element) and decided;"
        " the value is kept as received (a party's name is written cut to its element in our documents, a"
        " contact's (PER) in the 856 with a number too long left out). If it"
        " repeats, ask the partner to keep to the element's length; a profile's [x12] element_errors = \"reject\""
        " refuses such sets instead."
    ),
    "ELEMENT_CHARACTER_ACCEPTED": (
        "None for the order: it was accepted with errors noted (997 AK5 E, AK4 code 6 at the element) and decided;"
        " the text is kept as received, separator and all. If it repeats, ask the partner's translator for a"
        " component separator (ISA16) its texts never hold (> or ^)."
    ),
    "ELEMENT_REPEATS_ACCEPTED": (
        "None for the order: it was accepted with errors noted (997 AK5 E, AK4 code 12 at the element) and decided;"
        " the text is kept as received, separator and all. If it repeats, ask the partner's translator for a"
        " repetition separator (ISA11) its texts never hold."
    ),
    "ISA_DUPLICATE": (
        "A resend of an interchange we already have: usually safe to ignore; confirm with the partner."
    ),
    "ISA_REUSED": (
        "Taken as new: the partner's ISA13 was last used longer ago than its duplicate window (the message"
        " names when and in which file); ask them only if a restart of their numbers was not expected."
    ),
    "PROFILE_NOT_LOADED": (
        "Fix partners/ID.toml where the message says (the field, or the TOML line), check it with `orderbridge "
        "partner check ID`, and run again: the partner's files wait in its drop and are taken then."
    ),
    "PARTNER_SENDER_MISMATCH": (
        "The file came in the wrong partner's drop, or the partner changed their ISA id or sends from another one "
        "too (add it to [x12] their_ids). Once the profile is right, `orderbridge retake FILE --partner P --by NAME "
        "--note WHY` takes it again (nothing was answered). One VAN mailbox holding several partners' interchanges: "
        "download it into the workspace's mailbox/inbox/ instead, which sends each interchange to its partner's drop."
    ),
    "PARTNER_SWITCH_EARLY": (
        "The partner sends from the ids of its announced switch before its date. If the switch came forward, move "
        "the change's effective date ([[changes]], `orderbridge partner check P --on DATE`). A held file is taken by "
        "the night of the switch date; before it, after early_ids = \"take\" (or a date moved), by `orderbridge "
        "retake FILE --partner P --by NAME --note WHY`."
    ),
    # files taken once by their content (FILE_DUPLICATE), again when ops ask (orderbridge retake)
    "FILE_DUPLICATE": (
        "Nothing to do for a resend. If the first copy was quarantined and sent nothing (the message says so), and "
        "its cause is fixed on our side, `orderbridge retake FILE --partner P (or --warehouse W) --by NAME --note "
        "WHY` takes it again; a correction from the partner needs a new file."
    ),
    "FILE_RETAKEN": (
        "None: ops asked for this take (who, when and why are in the message); its earlier take sent nothing."
    ),
    "CONTROL_NUMBERS_SKIPPED": (
        "Nothing to fix: tell the partner's new provider that the continuing profile's control numbers jump once (the "
        "message names the numbers skipped), so that their gap check does not read it as lost interchanges."
    ),
    "MAILBOX_INTERCHANGE_UNROUTED": (
        "Add the sender's partner profile (or its ISA05/ISA06 to the right profile's [x12] their_ids), then copy the "
        "kept interchange from mailbox/quarantine/ into that partner's drop inbox: the next run takes and answers it. "
        "Nothing of it was answered."
    ),
    "MAILBOX_INTERCHANGE_HELD": (
        "Fix the partner's profile the message names (`orderbridge partner check <partner>` says what is wrong): the "
        "first run after it loads routes the kept interchange from mailbox/quarantine/held/ into that partner's drop "
        "inbox and answers it. Nothing of it was answered."
    ),
    "MAILBOX_INTERCHANGE_STILL_HELD": (
        "Fix the partner's profile the message names (`orderbridge partner check <partner>`): the interchange has "
        "waited unanswered the days the message says (its 997 and 855 are late by as much), and is said every run "
        "until the profile loads; the first run after that routes and answers it."
    ),
    "MAILBOX_TEXT_SKIPPED": (
        "None usually: a VAN mailbox's own header or mailbag segment between interchanges. The mailbox file is kept "
        "whole in mailbox/archive/ if someone needs to read it."
    ),
    "FILE_OUTSIDE_INBOX": (
        "Move the file into the folder's inbox/ (the message names the folder): the next run reads it there. It was "
        "not read, moved or answered; it is reported each run while it stays."
    ),
    "FILE_TOO_LARGE": (
        "Ask the partner to split the file, or raise [limits] max_file_bytes in its profile, then `orderbridge "
        "retake FILE --partner P --by NAME --note WHY` takes the quarantined file (nothing was answered)."
    ),
    "FILE_TOO_MANY_SETS": (
        "Ask the partner to split the file, or raise [limits] max_sets_per_file in its profile, then `orderbridge "
        "retake FILE --partner P --by NAME --note WHY` takes the quarantined file (nothing was answered)."
    ),
    # partners' 997s, 999s and TA1s for our documents (what to do, beside what the catalogue says happened)
    "FA_INTERCHANGE_REJECTED": (
        "None of that interchange's documents reached the partner's system: read TA105's reason, mend our "
        "envelope (or the partner's profile ids), and send the documents again in a new interchange."
    ),
    "FA_DOCUMENT_REJECTED": (
        "The partner did not take that document: read its reasons (AK3/AK4 name the segment and element). No command "
        "corrects a document we sent, and `orderbridge resend` refuses a rejected one (the same sets, even under new "
        "control numbers, would be rejected again). If the fault is ours (the profile's version or ids, a value the "
        "partner's guide does not take), mend the profile so later documents go right. For this one, agree with the "
        "partner: an 855 or 865 is stated again only by our answer to its next 860 (a revised 855 or an 865); a "
        "corrected 810 or 856 another system of ours sends is recorded with `orderbridge record FILE --partner P --by "
        "NAME --note WHY`. Then close the reconciliation's DOCUMENT_REJECTED with `orderbridge exception resolve ID "
        "--by NAME --note WHY` (or `exception explain` when the partner took it another way)."
    ),
    "FA_INTERCHANGE_NOTED": (
        "Nothing to resend: the partner took the interchange; mend what TA105 names before the next one."
    ),
    "FA_UNMATCHED": (
        "Ask the partner which document it means: its 997 may name another trading partner's group, or a "
        "GS06/ST02 it rewrote; if it is a document another system of ours sent, record it (orderbridge record)."
    ),
    "FA_ACK_CONFLICT": (
        "Ask the partner which answer stands; the latest counts until then (a TA1 rejection always counts)."
    ),
    "FA_STATUS_UNKNOWN": (
        "That answer is not counted and the document may turn overdue: ask the partner to fix its translator's "
        "status codes (AK501/IK501 A E M R W X, AK901 A E M P R W X, TA104 A E R) and resend the 997."
    ),
    "FA_GROUP_PARTIAL_UNNAMED": (
        "The sets that 997 does not list stay unacknowledged (pending, then overdue): ask the partner which of them "
        "it rejected, or for a 997 with an AK2/AK5 R for each; resend those it names."
    ),
    "APPLICATION_ADVICE_HELD": (
        "Nothing to resend yet: read the partner's texts for what it waits for (a receipt, a setup); its next 824 "
        "decides the document."
    ),
    "APPLICATION_ADVICE_CODE_UNKNOWN": (
        "The document's status was not changed: ask the partner what its OTI01 code means (X12 element 110: TA TC TE "
        "TP TR and their G, I and B levels, TH GH) and act on its texts."
    ),
    "FA_SET_RESPONSE_MISSING": (
        "The document stays unacknowledged: ask the partner to resend the 997 with an AK5 (IK5) for that set."
    ),
    "FA_GROUP_RESPONSE_MISSING": (
        "The set answers are used; ask the partner's EDI team to add the AK9 their translator left out."
    ),
    "FA_ACKNOWLEDGES_NOTHING": (
        "Nothing was decided by it: ask the partner to resend a 997 naming the group (AK1) it answers."
    ),
}

COLUMNS = list(FAILURE_COLUMNS)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARS = pa.array(list(_FORMULA_START), pa.string())
_TEXT = ("partner", "file", "isa13", "gs06", "st02", "po_number", "segment_id", "element", "value", "code", "severity",
         "message", "consequence", "stage", "run_id")
STYLE = """
.sev-error{color:var(--bad);font-weight:600}.sev-warning{color:var(--warn);font-weight:600}
.sev-decided{color:var(--muted);font-style:italic}table.findings{width:100%}
h4{margin:.9rem 0 .3rem}nav.toc a{margin-right:1rem}
table.alike p.pos,table ul.places{max-height:12rem;overflow:auto;margin:.3rem 0}
"""


def hint_for(code: str) -> str:
    if code in HINTS:
        return HINTS[code]
    spec = BUSINESS_CATALOGUE.get(code) or CATALOGUE.get(code)
    return f"{spec.text} See docs/error-codes.md." if spec else "See docs/error-codes.md."


def describe_code(code: str) -> str:
    spec = BUSINESS_CATALOGUE.get(code) or CATALOGUE.get(code)
    return spec.text if spec else ""


def neutralise_cell(value: object) -> str:
    """A cell a spreadsheet will not evaluate: text starting with = + - @ TAB or CR gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


# --- the failures table ------------------------------------------------------------------------------
def failure_table(findings: pa.Table, *, decided: Mapping[tuple[str, str], str] | None = None) -> pa.Table:
    """Stored findings (FINDING_ROWS) as the report's rows (FAILURE_COLUMNS), sorted partner, file,
    ISA13, GS06, ST02, PO, line (findings above the line level first), then as recorded.
    ``decided``: (partner, PO) -> the person's verdict on the held order ("approved by Dana"); its
    findings carry it in ``decided_by`` and are not open errors."""
    t = findings.select(FINDING_ROWS.names)
    n = t.num_rows
    text = {c: pc.fill_null(t[c], "") for c in _TEXT}
    position = t["segment_position"]
    segment = pc.if_else(pc.is_null(position), text["segment_id"],
                         pc.binary_join_element_wise(text["segment_id"], pc.cast(position, pa.string()), "@"))
    # a CSV file's finding: its row and the partner's column where X12 has segment and element
    row = t["row_number"]
    segment = pc.if_else(pc.is_null(row), segment, pc.binary_join_element_wise(
        pa.scalar("row"), pc.cast(row, pa.string()), " "))
    column = pc.fill_null(t["column_name"], "")
    element = pc.if_else(pc.equal(column, ""), text["element"], column)
    decided_by = pa.array([""] * n, pa.string())
    if decided and n:
        keys = pc.binary_join_element_wise(text["partner"], text["po_number"], "\x1f")
        who = list(decided.items())
        index = pc.index_in(keys, value_set=pa.array([f"{p}\x1f{po}" for (p, po), _ in who], pa.string()))
        decided_by = pc.fill_null(pc.take(pa.array([name for _, name in who], pa.string()), index), "")
    codes = pc.unique(text["code"]) if n else pa.array([], pa.string())
    hint = pc.take(pa.array([hint_for(c) for c in codes.to_pylist()], pa.string()),
                   pc.index_in(text["code"], value_set=codes))
    columns = {"partner": text["partner"], "file": text["file"], "isa13": text["isa13"], "gs06": text["gs06"],
               "st02": text["st02"], "po_number": text["po_number"], "line_number": t["line_number"],
               "segment": segment, "element": element, "value": t["value"], "code": text["code"],
               "severity": text["severity"], "message": text["message"], "consequence": text["consequence"],
               "decided_by": decided_by, "hint": hint, "stage": text["stage"], "run_id": text["run_id"],
               "_line": pc.fill_null(t["line_number"], -1), "_id": t["id"]}
    out = pa.table(columns)
    order = pc.sort_indices(out, sort_keys=[(c, "ascending") for c in (
        "partner", "file", "isa13", "gs06", "st02", "po_number", "_line", "_id")])
    return out.take(order).select(list(FAILURE_COLUMNS))


def failures_csv(rows: pa.Table) -> bytes:
    """The failures table as CSV for a spreadsheet (write_failures_csv), as bytes."""
    out = pa.BufferOutputStream()
    write_failures_csv(rows, out)
    return out.getvalue().to_pybytes()


def write_failures_csv(rows: pa.Table, sink, columns: Sequence[str] = FAILURE_COLUMNS) -> None:
    """The failures table's ``columns`` as CSV for a spreadsheet into ``sink`` (a writable file or Arrow stream):
    UTF-8 with a BOM (Excel), CRLF, every text cell that starts like a formula (= + - @ TAB CR)
    neutralised with a leading quote. Column-wise; only columns holding such a cell are rewritten. The run folder's
    failures.csv leaves the hint out (FAILURE_CSV_COLUMNS): failure_hints_csv has it once per code."""
    names, columns = list(columns), []
    for name in names:
        col = rows[name]
        if name == "po_number":
            col = shown_column(col)  # a later release as "PO release N" (schemas.order_keys)
        if pa.types.is_string(col.type):
            col = pc.fill_null(col, "")
            risky = pc.is_in(pc.utf8_slice_codeunits(col, 0, 1), value_set=_FORMULA_CHARS)
            if pc.any(risky).as_py():
                col = pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col)
        columns.append(col)
    sink.write(b"\xef\xbb\xbf")  # the BOM makes Excel read UTF-8
    pacsv.write_csv(pa.table(columns, names=names), sink,
                    pacsv.WriteOptions(eol="\r\n", quoting_header="none", batch_size=65_536))


def failure_hints_csv(rows: pa.Table) -> bytes:
    """failures-hints.csv: one row per code of the failures table (FAILURE_HINT_COLUMNS: the code, how many of its
    rows have it, the hint: what to do), in code order; as write_failures_csv writes (BOM, CRLF, neutralised)."""
    counts = rows.select(["code", "hint"]).group_by(["code", "hint"], use_threads=False).aggregate(
        [([], "count_all")]).sort_by("code")
    table = pa.table({"code": counts["code"], "findings": counts["count_all"], "hint": counts["hint"]})
    out = pa.BufferOutputStream()
    write_failures_csv(table, out, FAILURE_HINT_COLUMNS)
    return out.getvalue().to_pybytes()


# --- the page ----------------------------------------------------------------------------------------
def render_failures_html(rows: pa.Table, *, title: str, generated_at: str = "", limit: int = LIMIT,
                         downloads: Sequence[tuple[str, str]] = (), notes: Sequence[str] = (),
                         messages: pa.Table | None = None, names: Mapping[str, str] | None = None) -> str:
    """The page for the failures table ``rows`` (from failure_table). ``downloads``: (href, label)
    links to the full data (the CSV, the Parquet); ``notes``: sentences about the run (trusted text,
    escaped anyway); ``messages``: the partners' 864 text messages of the run (schemas.text_messages),
    shown first under "Messages from partners" (engine.report_messages); ``names``: partner id -> its
    name (the profile's), who to call, shown beside the id. Then "Problems to act on": one row per
    partner and code with its count, its files, its first example and what to do (so 10,000 alike findings, in one
    file or in 10,000, read as one problem). Each partner's section lists alike findings as one row (alike_groups
    across its files: how many, every PO, and every file with where in it, under a <details>) and the others one by
    one; at most ``limit`` such rows (shared fairly among partners); every
    count is complete."""
    n = rows.num_rows
    flags = _flags(rows)
    totals = {k: int(pc.sum(v).as_py() or 0) for k, v in flags.items()}
    body = [f'<p id="totals"><b>{n:,}</b> finding(s): <b>{totals["open"]:,}</b> open error(s), '
            f'<b>{totals["warnings"]:,}</b> warning(s), <b>{totals["decided"]:,}</b> on held orders a person '
            "has approved or rejected (not open).</p>",
            '<p class="legend">Severity: <span class="sev-error">error</span>: the input broke a rule; '
            '<i>What happened</i> says what we did about it. · <span class="sev-warning">warning</span>: '
            'reported only, nothing was held back. · <span class="sev-decided">decided</span>: an error on a held '
            "order that a person has since approved or rejected.</p>"]
    body += [f"<p>{e(note)}</p>" for note in notes]
    if downloads:
        body.append("<p>All rows: " + " · ".join(f'<a href="{e(href)}">{e(label)}</a>' for href, label in downloads)
                    + "</p>")
    body += render_messages_section(messages) if messages is not None else []
    style = STYLE + MESSAGE_STYLE if messages is not None and messages.num_rows else STYLE
    if not n:
        body.append("<p>No validation failures.</p>")
        return page(title, body, generated_at=generated_at, style=style)
    work = pa.table({"partner": rows["partner"], "code": rows["code"], "severity": rows["severity"],
                     "file": rows["file"], "po": pc.if_else(pc.equal(rows["po_number"], ""), None,
                                                            shown_column(rows["po_number"])),
                     "what": _what(rows["consequence"]), **flags})
    partners = _partner_counts(work)
    codes = _code_counts(work)
    names = dict(names or {})
    listed = partners if len(partners) <= NAV_PARTNERS else []  # hundreds of partners: no wall of links
    body.append('<nav class="toc">' + ('<a href="#messages">Messages from partners</a>' if style != STYLE else "")
                + '<a href="#problems">Problems to act on</a><a href="#by-partner">By partner</a>'
                + '<a href="#by-code">By code</a>'
                + "".join(f'<a href="#{anchor("partner", p["partner"])}">{e(party_label(p["partner"]))}</a>'
                          for p in listed) + '<a href="#codes">Codes explained</a></nav>')
    if not listed:
        body.append(_most(partners))
    body += _problems(rows, names)
    body.append('<h2 id="by-partner">By partner</h2>')
    body.append(table(["Partner", "Open errors", "Warnings", "Decided by people", "Files", "Orders"],
                      [[_link("partner", p["partner"], party_label(p["partner"])), p["open"], p["warnings"],
                        p["decided"], p["files"], p["orders"]] for p in partners], numeric=(1, 2, 3, 4, 5), raw=(0,)))
    body.append('<h2 id="by-code">By code</h2>')
    body.append(table(["Code", "Severity", "Open errors", "Warnings", "Decided by people", "Partners",
                       "What happened (most often)"],
                      [[_link("code", c["code"], c["code"]), _severity_words(c["severities"]), c["open"],
                        c["warnings"], c["decided"],
                        _partner_links(c["partners"]),
                        e("; ".join(f"{what} ({k:,})" for what, k in c["what"]))] for c in codes],
                      numeric=(2, 3, 4), raw=(0, 1, 5, 6)))
    parts, offset = {}, 0
    for p in partners:  # each partner's rows, open and decided, as units: a group of alike findings or one finding
        parts[p["partner"]] = _units(rows.slice(offset, p["rows"]))
        offset += p["rows"]
    budgets = _share(limit, {p: len(u[2]) + len(u[3]) for p, u in parts.items()})
    for p in partners:
        body += _partner_section(p["partner"], parts[p["partner"]], budgets[p["partner"]], names.get(p["partner"], ""))
    body.append('<h2 id="codes">Codes explained</h2>')
    for c in codes:
        body.append(f'<h3 id="{anchor("code", c["code"])}">{e(c["code"])}</h3>')
        body.append(f"<p>{e(describe_code(c['code']))}</p><p><b>How to fix:</b> {e(hint_for(c['code']))}</p>")
    return page(title, body, generated_at=generated_at, style=style)


def _flags(rows: pa.Table) -> dict[str, pa.ChunkedArray]:
    decided = pc.not_equal(pc.fill_null(rows["decided_by"], ""), "")
    error = pc.equal(rows["severity"], "error")
    as_int = lambda mask: pc.cast(mask, pa.int64())  # noqa: E731
    return {"open": as_int(pc.and_(error, pc.invert(decided))), "warnings": as_int(pc.and_(pc.invert(error),
            pc.invert(decided))), "decided": as_int(decided)}


def _what(consequence: pa.ChunkedArray) -> pa.ChunkedArray:
    """A consequence without its line number and quantity, to count alike ones ("line 2: IQ 12" -> "line IQ")."""
    return pc.replace_substring_regex(pc.fill_null(consequence, ""), r"line \d+: (\w+)[^;]*", r"line \1")


def _partner_counts(work: pa.Table) -> list[dict]:
    g = work.group_by("partner").aggregate([("open", "sum"), ("warnings", "sum"), ("decided", "sum"),
                                             ("file", "count_distinct"), ("po", "count_distinct"),
                                             ("partner", "count")]).to_pylist()
    return sorted(({"partner": r["partner"], "open": r["open_sum"], "warnings": r["warnings_sum"],
                    "decided": r["decided_sum"], "files": r["file_count_distinct"], "orders": r["po_count_distinct"],
                    "rows": r["partner_count"]} for r in g), key=lambda r: r["partner"].encode())


def _code_counts(work: pa.Table) -> list[dict]:
    g = work.group_by("code").aggregate([("open", "sum"), ("warnings", "sum"), ("decided", "sum"),
                                          ("partner", "distinct"), ("severity", "distinct")]).to_pylist()
    what: dict[str, list[tuple[str, int]]] = {}
    for r in work.group_by(["code", "what"]).aggregate([("code", "count")]).to_pylist():
        what.setdefault(r["code"], []).append((r["what"] or "reported", r["code_count"]))
    out = [{"code": r["code"], "open": r["open_sum"], "warnings": r["warnings_sum"], "decided": r["decided_sum"],
            "partners": sorted(r["partner_distinct"]), "severities": sorted(r["severity_distinct"]),
            "what": sorted(what.get(r["code"], []), key=lambda x: (-x[1], x[0]))[:3]} for r in g]
    return sorted(out, key=lambda c: (-(c["open"] + c["warnings"] + c["decided"]), c["code"]))


def _share(limit: int, counts: Mapping[str, int]) -> dict[str, int]:
    """``limit`` listed rows shared among partners: small ones get all of theirs, the rest split evenly."""
    out, left, todo = {}, limit, sorted(counts, key=lambda p: counts[p])
    for i, p in enumerate(todo):
        out[p] = min(counts[p], left // (len(todo) - i))
        left -= out[p]
    return out


def _most(partners: list[dict], shown: int = MOST_SHOWN) -> str:
    """The line that stands for the contents' partner links when there are too many of them to read (NAV_PARTNERS):
    how many partners have findings and the ``shown`` with the most open errors (then warnings, then by id), each
    with its counts and a link to its section; every partner's counts are under By partner."""
    top = sorted(partners, key=lambda p: (-p["open"], -p["warnings"], p["partner"].encode()))[:shown]
    return (f'<p id="most"><b>{len(partners):,}</b> partners have findings; the {len(top):,} with the most open '
            "errors: " + " · ".join(f'{_link("partner", p["partner"], party_label(p["partner"]))} ({p["open"]:,} open'
                                    + (f', {p["warnings"]:,} warning(s)' if p["warnings"] else "") + ")" for p in top)
            + '. Every partner\'s counts: <a href="#by-partner">By partner</a>.</p>')


def _partner_links(partners: list[str], shown: int = MOST_SHOWN) -> str:
    """A code's partners as links to their sections: the first ``shown``, then how many more (By partner lists
    them all)."""
    links = ", ".join(_link("partner", p, party_label(p)) for p in partners[:shown])
    return links + (f" and {len(partners) - shown:,} more" if len(partners) > shown else "")


def _link(kind: str, key: str, text: str) -> str:
    return f'<a href="#{anchor(kind, key)}">{e(text)}</a>'


def _severity_words(severities: Iterable[str]) -> str:
    return ", ".join(f'<span class="sev-{e(s)}">{e(s)}</span>' for s in severities)


def _who(partner: str, names: Mapping[str, str]) -> str:
    """The party as the page names it: its id and, for a partner whose profile names it, its name."""
    name = names.get(partner, "")
    return f"{party_label(partner)} ({name})" if name and name != partner else party_label(partner)


def problem_groups(rows: pa.Table, *, across_files: bool = False) -> list[dict]:
    """The failures table ``rows`` (failure_table's, sorted) grouped per partner, file and code, or with
    ``across_files`` per partner and code whatever the file: one dict per problem in the order of the rows (where
    it first occurs): partner, file (its first file), files ((file, findings) of each file it is in, in order), code,
    findings, orders (distinct POs), open, warnings, decided (as the page counts them) and row, the index in
    ``rows`` of its first finding (the example to quote)."""
    if not rows.num_rows:
        return []
    po = pc.if_else(pc.equal(rows["po_number"], ""), None, rows["po_number"])
    keyed = pa.table({"partner": rows["partner"], "file": rows["file"], "code": rows["code"], "po": po,
                      **_flags(rows), "_row": pa.array(range(rows.num_rows), pa.int64())})
    sums = [("_row", "min"), ("_row", "count"), ("po", "count_distinct"), ("open", "sum"), ("warnings", "sum"),
            ("decided", "sum")]
    per_file = sorted(keyed.group_by(["partner", "file", "code"], use_threads=False).aggregate(sums).to_pylist(),
                      key=lambda g: g["_row_min"])
    files: dict[tuple, list[tuple[str, int]]] = {}
    for g in per_file:
        files.setdefault((g["partner"], g["code"]) if across_files else (g["partner"], g["file"], g["code"]),
                         []).append((g["file"], g["_row_count"]))
    groups = keyed.group_by(["partner", "code"], use_threads=False).aggregate(sums).to_pylist() if across_files \
        else per_file
    return sorted(({"partner": g["partner"], "file": rows["file"][g["_row_min"]].as_py(), "code": g["code"],
                    "files": files[(g["partner"], g["code"]) if across_files else (g["partner"], g["file"], g["code"])],
                    "findings": g["_row_count"], "orders": g["po_count_distinct"], "open": g["open_sum"],
                    "warnings": g["warnings_sum"], "decided": g["decided_sum"], "row": g["_row_min"]}
                   for g in groups), key=lambda g: g["row"])


def problem_files(files: Sequence[tuple[str, int]], *, first: int = FILES_SHOWN) -> str:
    """A problem's files (problem_groups' ``files``) as its File cell: the file's name, or, in several, how many,
    the first ``first`` named and every one with its count of findings under a <details>."""
    if len(files) == 1:
        return e(files[0][0] or "(none)")
    shown = ", ".join(e(name or "(none)") for name, _ in files[:first]) + (" …" if len(files) > first else "")
    listed = "".join(f"<li>{e(name or '(none)')}: {k:,}</li>" for name, k in files)
    return (f"in {len(files):,} files: {shown}<details><summary>every file ({len(files):,}), findings in each"
            f'</summary><ul class="places">{listed}</ul></details>')


def of_which(group: Mapping) -> str:
    """A problem's findings by kind (problem_groups' open, warnings, decided), as its "Of which" cell says them:
    "2 open error(s), 1 decided by people"; the run's printout and the console's run page say the same."""
    kinds = [f"{group['open']:,} open error(s)" if group["open"] else "",
             f"{group['warnings']:,} warning(s)" if group["warnings"] else "",
             f"{group['decided']:,} decided by people" if group["decided"] else ""]
    return ", ".join(k for k in kinds if k)


def settled(group: Mapping) -> bool:
    """A problem whose every finding is on a held order a person has since approved or rejected: nothing is left
    to do about it (its findings are no open errors)."""
    return bool(group["decided"]) and not group["open"] and not group["warnings"]


def example(row: Mapping) -> str:
    """A finding as the example of its problem: its PO, line and X12 location (or row and column), value."""
    where = " ".join(x for x in (row["segment"], row["element"]) if x)
    po = shown_column(pa.array([row["po_number"]], pa.string()))[0].as_py() if row["po_number"] else ""
    return " · ".join(x for x in (f"PO {po}" if po else "", f"line {row['line_number']}"
                                  if row["line_number"] is not None else "", where, row["value"] or "") if x)


def _problems(rows: pa.Table, names: Mapping[str, str], limit: int = PROBLEM_LIMIT) -> list[str]:
    """"Problems to act on": problem_groups, each once with its count, the orders it touches, its first finding
    as the example to quote to the partner, and what to do; at most ``limit`` listed (the rest counted, every
    one is in the sections below and the CSV)."""
    groups = problem_groups(rows, across_files=True)
    shown = groups[:limit]
    first = rows.take(pa.array([g["row"] for g in shown], pa.int64())).to_pylist()
    out = ['<h2 id="problems">Problems to act on</h2>',
           "<p>Each problem once: the findings of one code in a partner's files (each file named), counted, with "
           "the first of them as the "
           "example to quote when you call the partner (its PO, X12 location and value) and what to do, in the "
           "order of the sections below. Every finding is listed or counted in the partner's section and is in "
           "the CSV.</p>"]
    cells = []
    for g, r in zip(shown, first, strict=True):
        where = example({**r, "value": ""})
        value = f" <code>{e(r['value'])}</code>" if r["value"] else ""
        cells.append([_link("partner", g["partner"], _who(g["partner"], names)), problem_files(g["files"]),
                      _link("code", g["code"], g["code"]), g["findings"], g["orders"],
                      e(of_which(g)), f"{e(where)}{value}<br>{e(r['message'])}",
                      e(r["consequence"] or "reported"), e(hint_for(g["code"]))])
    out.append(table(["Partner", "File", "Code", "Findings", "Orders", "Of which", "First example", "What happened",
                      "What to do / tell the partner"], cells, numeric=(3, 4), raw=(0, 1, 2, 5, 6, 7, 8),
                     cls="problems"))
    if len(groups) > limit:
        left = groups[limit:]
        out.append(f"<p>{len(left):,} more problem(s) ({sum(g['findings'] for g in left):,} finding(s)) not "
                   "listed here: see the partners' sections below and the CSV.</p>")
    return out


def _where(r: Mapping) -> str:
    """A finding's segment without its position (PO1@7 -> PO1), a CSV file's "row" (its row number put aside)."""
    segment = r["segment"] or ""
    return "row" if segment.startswith("row ") else segment.split("@", 1)[0]


def _cause(r: Mapping) -> tuple:
    """What makes findings alike (alike_groups), from the finding's data, never its message: partner, code, severity,
    where (_where), the element, the value (the finding's own PO number as its value put aside: a credit limit's
    BEG03), what happened (its consequence without the line number: the outcome, "line IR") and who decided. The file
    is alike_groups' to add or leave out."""
    value = r["value"] or ""
    if r["po_number"] and value == r["po_number"]:
        value = "\x00"
    return (r["partner"], r["code"], r["severity"], _where(r), r["element"] or "", value,
            _WHAT.sub(r"line \1", r["consequence"] or ""), r["decided_by"] or "")


_WHAT = re.compile(r"line \d+: (\w+)[^;]*")


def alike_groups(rows: pa.Table | Sequence[Mapping], *, across_files: bool = False) -> list[dict]:
    """The failures table's ``rows`` (failure_table's, or their dicts) grouped by cause (_cause: the same code, place,
    value and outcome: the findings' data, not their words) in one file of one partner, or with ``across_files`` in
    any of the partner's files, in the order each first occurs: one dict per group with ``first`` (its first row, the
    example), ``rows`` (the indexes of its rows in ``rows``), ``pos`` (its PO numbers, distinct, in order: every one of
    them), ``files`` (each file it is in, in order, with its rows there) and ``lines`` (its findings).
    1,000 POs of one unknown item are one group, in one file or in 1,000 one-PO files; a finding like no other is a
    group of one. The page and the console list a group of more than one as one row (alike_row, across_row)."""
    records = rows.to_pylist() if isinstance(rows, pa.Table) else list(rows)
    by: dict[tuple, dict] = {}
    out: list[dict] = []
    for i, r in enumerate(records):
        key = _cause(r) if across_files else (r["file"], *_cause(r))
        g = by.get(key)
        if g is None:
            g = by[key] = {"first": r, "rows": [], "pos": {}, "files": {}}
            out.append(g)
        g["rows"].append(i)
        g["files"].setdefault(r["file"], []).append(r)
        if r["po_number"]:
            g["pos"][r["po_number"]] = None
    for g in out:
        g["pos"], g["lines"] = list(g["pos"]), len(g["rows"])
    return out


def po_list(pos: Sequence[str], *, first: int = PO_SHOWN, limit: int = PO_LISTED) -> str:
    """A group's PO numbers as HTML: the first ``first`` in the cell, then every one (up to ``limit``, the rest
    counted and left to the CSV) under a <details> a person opens."""
    shown = shown_column(pa.array(list(pos), pa.string())).to_pylist() if pos else []
    if len(shown) <= first:
        return e(", ".join(shown))
    listed = shown[:limit]
    rest = f" and {len(shown) - limit:,} more: failures.csv has each (filter its file, code and value)" \
        if len(shown) > limit else ""
    return (f"{e(', '.join(shown[:first]))} …<details><summary>all {len(shown):,} POs</summary>"
            f'<p class="pos">{e(", ".join(listed))}{e(rest)}</p></details>')


def alike_row(g: Mapping) -> list[str]:
    """A group of alike findings as one row of the page's "Alike findings" tables (HTML cells): code, severity,
    where, value, how many findings in how many POs, the POs, the first one's message, what happened."""
    r = g["first"]
    where = " ".join(x for x in (_where(r), r["element"]) if x)
    value = "(each its own PO number)" if r["po_number"] and r["value"] == r["po_number"] else r["value"] or ""
    severity = (f'<span class="sev-decided">{e(r["severity"])}, decided: {e(r["decided_by"])}</span>'
                if r["decided_by"] else f'<span class="sev-{e(r["severity"])}">{e(r["severity"])}</span>')
    return [_link("code", r["code"], r["code"]), severity, e(where), f"<code>{e(value)}</code>",
            f"{g['lines']:,} finding(s) in {len(g['pos']):,} PO(s)", po_list(g["pos"]),
            f"{e(r['message'])}" + (" <small>(the first; the others alike)</small>" if g["lines"] > 1 else ""),
            e(r["consequence"] or "reported")]


ALIKE_HEADERS = ["Code", "Severity", "X12 location", "Value", "How many", "POs", "Message", "What happened"]
ACROSS_HEADERS = ["Code", "Severity", "X12 location", "Value", "How many", "POs", "Files, and where in each",
                  "Message", "What happened"]


def file_places(files: Mapping[str, Sequence[Mapping]], *, first: int = FILES_SHOWN,
                limit: int = PLACES_LISTED) -> str:
    """A group's files (alike_groups' ``files``) as HTML: how many, the first ``first`` named in the cell, then under a
    <details> each file with each of its findings' places (PO, line, segment and element, ISA13/GS06/ST02: what
    failed where), at most ``limit`` findings named (the rest counted and left to the CSV)."""
    names = list(files)
    items, named = [], 0
    for name in names:
        places = []
        for r in files[name][:max(limit - named, 0)]:
            envelope = " / ".join(f"{k} {r[c]}" for k, c in (("ISA13", "isa13"), ("GS06", "gs06"), ("ST02", "st02"))
                                  if r[c])
            places.append(e(example({**r, "value": ""}) + (f" ({envelope})" if envelope else "")))
        named += len(places)
        left = len(files[name]) - len(places)
        more = f"; {left:,} more: failures.csv has each" if left else ""
        items.append(f"<li><b>{e(name or '(none)')}</b>: {'; '.join(places)}{e(more)}</li>")
    shown = ", ".join(e(n or "(none)") for n in names[:first]) + (" …" if len(names) > first else "")
    return (f"in {len(names):,} files: {shown}<details><summary>every file ({len(names):,}) and where</summary>"
            f'<ul class="places">{"".join(items)}</ul></details>')


def across_row(g: Mapping) -> list[str]:
    """A group of findings alike across several of a partner's files (alike_groups with across_files) as one row of
    the partner's "Alike in several files" table: alike_row's cells with every file, and each finding's place in it,
    before the message."""
    cells = alike_row(g)
    return [*cells[:6], file_places(g["files"]), *cells[6:]]


def _units(part: pa.Table) -> tuple[pa.Table, pa.Table, list[dict], list[dict]]:
    """A partner's rows: its open and its decided rows, and each one's alike_groups (what the page lists)."""
    decided = pc.not_equal(part["decided_by"], "")
    open_rows, decided_rows = part.filter(pc.invert(decided)), part.filter(decided)
    return open_rows, decided_rows, alike_groups(open_rows, across_files=True), alike_groups(decided_rows,
                                                                                              across_files=True)


def _partner_section(partner: str, units: tuple, budget: int, name: str = "") -> list[str]:
    open_rows, decided_rows, open_units, decided_units = units
    shown_open = open_units[:budget]
    shown_decided = decided_units[:max(budget - len(shown_open), 0)]
    if partner.startswith(WAREHOUSE_PARTY):  # a warehouse's confirmations that concern no order we hold
        out = [f'<section><h2 id="{anchor("partner", partner)}">{e(party_label(partner).capitalize())}</h2>',
               "<p>Shipment confirmations of this warehouse that concern no partner's order we hold (a PO we do "
               "not know, a file or row that could not be read, a file sent again, an inbox entry refused): "
               "ask the warehouse to correct and resend.</p>"]
    else:
        out = [f'<section><h2 id="{anchor("partner", partner)}">Partner {e(party_label(partner))}</h2>']
        if name and name != partner:  # who to call (the profile's name); what to tell them: "Problems to act on"
            out.append(f'<p class="who">{e(name)}: its problems, each with an example and what to do, are under '
                       '<a href="#problems">Problems to act on</a>.</p>')
    if any(g["lines"] > 1 for g in open_units + decided_units):
        out.append("<p>Findings alike (the same code, place, value and outcome) are one row: how many, in which POs "
                   "(open the list for every one), the first one's message; alike in several of the partner's files, "
                   "one row under <i>Alike in several files</i> naming each file and where in it each one is.</p>")
    out += _detail(shown_open)
    if decided_rows.num_rows:
        out.append("<h3>Held orders a person has approved or rejected</h3><p>These findings held the order for "
                   "a person, who has decided; they are not open errors.</p>")
        out += _detail(shown_decided)
    hidden = open_units[len(shown_open):] + decided_units[len(shown_decided):]
    if hidden:
        rest = pa.concat_tables([
            open_rows.take(pa.array([i for g in open_units[len(shown_open):] for i in g["rows"]], pa.int64())),
            decided_rows.take(pa.array([i for g in decided_units[len(shown_decided):] for i in g["rows"]],
                                       pa.int64()))])
        out.append(f"<h3>{rest.num_rows:,} more finding(s) not listed one by one</h3><p>They are counted above and "
                   "below, per file, and every row is in the CSV and Parquet files.</p>")
        out.append(_file_summary(rest))
    out.append("</section>")
    return out


def _detail(units: list[dict]) -> list[str]:
    """The groups of alike findings in several files (one row each, every file named), then each file's groups of
    alike findings (one row each) and its other findings one by one, per PO."""
    out = []
    across = [g for g in units if len(g["files"]) > 1]
    if across:
        out.append("<h3>Alike in several files</h3>")
        out.append(table(ACROSS_HEADERS, [across_row(g) for g in across], raw=range(9), cls="alike"))
    for file, f_units in groupby([g for g in units if len(g["files"]) == 1], key=lambda g: g["first"]["file"]):
        f_units = list(f_units)
        out.append(f"<h3>File {e(file or '(none)')}</h3>")
        alike = [g for g in f_units if g["lines"] > 1]
        if alike:
            out.append(table(ALIKE_HEADERS, [alike_row(g) for g in alike], raw=range(8), cls="alike"))
        rows = [g["first"] for g in f_units if g["lines"] == 1]
        for (isa13, gs06, st02, po), o_rows in groupby(rows, key=lambda r: (r["isa13"], r["gs06"], r["st02"],
                                                                           r["po_number"])):
            label = f"PO {po}" if po else ("Transaction set" if st02 else "File / envelope")
            out.append(f"<h4>{e(label)} <small>ISA13 {e(isa13 or '-')} / GS06 {e(gs06 or '-')} / "
                       f"ST02 {e(st02 or '-')}</small></h4>")
            out.append('<table class="findings"><thead><tr><th>Line</th><th>X12 location</th><th>Value</th>'
                       "<th>Code</th><th>Severity</th><th>Message</th><th>What happened</th></tr></thead><tbody>")
            for r in o_rows:
                where = " ".join(x for x in (r["segment"], r["element"]) if x)
                if r["decided_by"]:
                    severity = f'<td class="sev-decided">{e(r["severity"])}, decided: {e(r["decided_by"])}</td>'
                else:
                    severity = f'<td class="sev-{e(r["severity"])}">{e(r["severity"])}</td>'
                out.append(f"<tr><td>{e(r['line_number'])}</td><td>{e(where)}</td><td><code>{e(r['value'])}</code>"
                           f"</td><td>{_link('code', r['code'], r['code'])}</td>{severity}<td>{e(r['message'])}</td>"
                           f"<td>{e(r['consequence'] or 'reported')}</td></tr>")
            out.append("</tbody></table>")
    return out


def _file_summary(rest: pa.Table) -> str:
    flags = _flags(rest)
    work = pa.table({"file": rest["file"], "code": rest["code"], **flags})
    files = work.group_by("file").aggregate([("open", "sum"), ("warnings", "sum"), ("decided", "sum")]).to_pylist()
    top: dict[str, list[tuple[str, int]]] = {}
    for r in work.group_by(["file", "code"]).aggregate([("code", "count")]).to_pylist():
        top.setdefault(r["file"], []).append((r["code"], r["code_count"]))
    return table(["File", "Open errors", "Warnings", "Decided by people", "Codes (most often)"],
                 [[e(f["file"] or "(none)"), f["open_sum"], f["warnings_sum"], f["decided_sum"],
                   ", ".join(f"{_link('code', c, c)} ({k:,})" for c, k in
                             sorted(top.get(f["file"], []), key=lambda x: (-x[1], x[0]))[:5])]
                  for f in sorted(files, key=lambda f: f["file"].encode())], numeric=(1, 2, 3), raw=(0, 4))


# --- findings as objects (inspect, tests, CSV feeds) -------------------------------------------------
def failure_rows(
    findings: Iterable[Finding],
    orders: pa.Table | None = None,
    *,
    file_partners: Mapping[str, str] | None = None,
) -> list[dict]:
    """One dict per finding, with partner and PO number from ``orders`` (matched on file, ISA13, GS06,
    ST02) or ``file_partners`` (file -> partner) for findings above the order level; a CSV feed's
    finding shows its row and column where X12 has segment and element. Sorted partner, file, order, line."""
    rows = []
    for f, partner, po in _owned(findings, orders, file_partners):
        loc = f.location
        segment = loc.segment_id + (f"@{loc.segment_position}" if loc.segment_position is not None else "")
        if loc.row is not None:
            segment = f"row {loc.row}"
        rows.append({"partner": partner, "file": loc.file, "isa13": loc.isa13, "gs06": loc.gs06, "st02": loc.st02,
                     "po_number": po, "line_number": loc.line_number, "segment": segment,
                     "element": loc.element or loc.column, "value": loc.value, "code": f.code,
                     "severity": f.severity, "message": f.message, "consequence": "", "decided_by": "",
                     "hint": hint_for(f.code), "stage": "", "run_id": ""})
    rows.sort(key=lambda r: (r["partner"], r["file"], r["isa13"], r["gs06"], r["st02"],
                             -1 if r["line_number"] is None else r["line_number"]))
    return rows


def findings_as_table(findings: Iterable[Finding], orders: pa.Table | None = None, *,
                   file_partners: Mapping[str, str] | None = None, consequence: str = "") -> pa.Table:
    """Findings as objects -> FINDING_ROWS (partner and PO resolved as in failure_rows)."""
    cols: dict[str, list] = {name: [] for name in FINDING_ROWS.names}
    for i, (f, partner, po) in enumerate(_owned(findings, orders, file_partners)):
        loc = f.location
        for name, value in (("id", i), ("run_id", ""), ("stage", ""), ("partner", partner), ("po_number", po),
                            ("code", f.code), ("severity", f.severity), ("message", f.message), ("file", loc.file),
                            ("isa13", loc.isa13), ("gs06", loc.gs06), ("st02", loc.st02),
                            ("segment_id", loc.segment_id), ("segment_position", loc.segment_position),
                            ("file_segment", loc.file_segment), ("element", loc.element or loc.column),
                            ("value", loc.value), ("line_number", loc.line_number), ("loop_id", loc.loop_id),
                            ("consequence", consequence), ("row_number", loc.row),
                            ("column_name", loc.column or None)):
            cols[name].append(value)
    return pa.table(cols, schema=FINDING_ROWS)


def _owned(findings: Iterable[Finding], orders: pa.Table | None,
           file_partners: Mapping[str, str] | None) -> Iterable[tuple[Finding, str, str]]:
    by_set: dict[tuple, dict] = {}
    partner_of_file = dict(file_partners or {})
    if orders is not None:
        for o in orders.select(["partner", "po_number", "source_file", "isa13", "gs06", "st02"]).to_pylist():
            by_set[o["source_file"], o["isa13"], o["gs06"], o["st02"]] = o
            partner_of_file.setdefault(o["source_file"], o["partner"])
    for f in findings:
        loc = f.location
        order = by_set.get((loc.file, loc.isa13, loc.gs06, loc.st02), {})
        yield f, order.get("partner") or partner_of_file.get(loc.file, ""), order.get("po_number", "")


def render_failure_report(
    findings: Iterable[Finding],
    orders: pa.Table | None = None,
    *,
    file_partners: Mapping[str, str] | None = None,
    title: str = "OrderBridge validation failures",
    generated_at: str = "",
) -> tuple[str, bytes]:
    """(html, csv bytes) for findings given as objects (no consequence known: "reported")."""
    rows = failure_table(findings_as_table(findings, orders, file_partners=file_partners))
    return render_failures_html(rows, title=title, generated_at=generated_at), failures_csv(rows)
