"""Catalogue of the fulfilment finding codes: what the CSV readers (orders and shipment
confirmations), the 945 reader and the shipment checks (rules.shipments) report.

Definitions only, in the shape of schemas.codes_changes; registered into schemas.codes.CATALOGUE on
import. None of these is reported in a 997 (ack is ""): they are for ops (and, for CSV orders, in
the CSV acknowledgment's reason column).
"""

from __future__ import annotations

from schemas.codes import CATALOGUE, CodeSpec

_C = CodeSpec
FULFILMENT_CODES: list[CodeSpec] = [
    # --- CSV files (parsers.csv_orders, parsers.shipments_csv) ---------------------------------
    _C("CSV_NOT_DECODABLE", "file", "error", "", "The CSV file cannot be decoded with the configured encoding."),
    _C("CSV_NOT_UTF8", "file", "warning", "", "A UTF-8 layout's CSV file is not UTF-8; it was read as Windows-1252."),
    _C("CSV_NO_HEADER", "file", "error", "", "The CSV file is empty or has no header row."),
    _C("CSV_COLUMN_MISSING", "file", "error", "", "A column the mapping needs is not in the header row."),
    _C("CSV_COLUMN_AMBIGUOUS", "file", "error", "", "The header row names a column the mapping needs twice."),
    _C("CSV_ROW_MALFORMED", "business", "error", "",
       "A CSV row has a different number of fields than the header (or an unterminated quote)."),
    _C("CSV_VALUE_MISSING", "business", "error", "", "A required value is empty in this row."),
    _C("CSV_NUMBER_INVALID", "business", "error", "", "A quantity, price or weight is not a number."),
    _C("CSV_DATE_INVALID", "business", "error", "", "A date or time does not match the configured format."),
    _C("CSV_ORDER_INCONSISTENT", "business", "warning", "",
       "Rows of one PO disagree on an order-level value (date, currency, ship-to); the first row's was kept."),
    _C("CSV_ORDER_REPEATED", "business", "warning", "",
       "A PO's rows stand again, the same, after the header repeated (exports pasted into one file, each holding the "
       "order): read once, not as more lines."),
    _C("CSV_ORDER_EDITED", "business", "error", "",
       "A PO's rows after the header repeated (another export pasted into the file) repeat a line already read with "
       "other values (an edited copy of the order), and no updated-at column says which version is newer: the PO is "
       "refused, never both versions read as its lines."),
    _C("CSV_ORDER_SUPERSEDED", "business", "warning", "",
       "Two versions of a PO in exports pasted into one file (a later export's rows repeating a line with other "
       "values): the one the layout's updated_at column says is newer is taken, the other's rows are no lines."),
    _C("CSV_LINE_ID_DUPLICATE", "business", "warning", "",
       "Two rows of one PO carry the same line id; both are lines of the order."),
    _C("CSV_ID_TOO_LONG", "business", "error", "",
       "A PO number, line id or product id is longer than the X12 element our 855/856/810/865 write it to "
       "(BEG03/PRF01/BIG04 22, PO101/LIN01/IT101 20, product ids 48): the PO is refused, never cut."),
    _C("CSV_LEADING_ZEROS_RESTORED", "business", "warning", "",
       "A UPC or GTIN whose leading zeros a spreadsheet dropped (12345678905 for 012345678905): read with them, "
       "its check digit right; or a postal code so cut (5401 for Vermont's 05401, 6000 for Nice's 06000) where "
       "every code has 5 digits: read with them."),
    _C("CSV_SCIENTIFIC_RESTORED", "business", "warning", "",
       "A UPC or GTIN a spreadsheet wrote in scientific notation with every digit in its mantissa "
       "(7.12345678901E+11), or as a decimal (712345678901.0): read back as its digits."),
    _C("CSV_TOTALS_ROW_SKIPPED", "business", "warning", "",
       "A row naming no line and no item is the export's totals row (a \"Total\" label, or no PO and its quantity and "
       "amount the sums of the rows above): passed over, no order row."),
    _C("CSV_TITLE_ROWS_SKIPPED", "business", "warning", "",
       "A CSV order file's header stands below a title block (a hand-made sheet's name, buyer, date, logo rows) the "
       "layout's title_rows does not count: found among the rows below, the rows above it passed over."),
    _C("CSV_HEADER_TWO_ROWS", "business", "warning", "",
       "A CSV order file's header is two rows, as a spreadsheet saves a merged group cell (\"Ship To\" over \"Name\", "
       "\"Address\", \"City\"): its columns read by their own names or the group's and theirs joined (\"Ship To "
       "Name\"); a row of names below the header is passed over, never read as an order row; a header of three or "
       "four rows is read level by level (\"Ship To Street\")."),
    _C("CSV_COLUMN_TWICE_FIRST_READ", "business", "warning", "",
       "A CSV header names a free-text column the layout maps (a description, a note) twice: read from its first "
       "column, the others left unread; the file's orders are kept (a quantity, price or id named twice is refused)."),
    _C("CSV_FLOAT_ID_RESTORED", "business", "warning", "",
       "Every PO number of a CSV order file ends in \".0\" (\"12345.0\": a numeric column a spreadsheet or pandas "
       "saved as decimals): each read as its digits (\"12345\"); a mixed column or \"12345.10\" is kept as sent."),
    _C("CSV_PAGE_LINE_SKIPPED", "business", "warning", "",
       "A row of a CSV order file whose cells say only a report's page (\"Page 1 of 3\", \"Seite 2 von 5\"): a page "
       "footer or header an ERP's printed report leaves between its rows: passed over, no order row."),
    _C("CSV_PRICE_CURRENCY_MISMATCH", "business", "error", "",
       "A price cell names a currency (\"12.50 USD\", \"EUR 1.049,00\") other than its order's (the row's currency "
       "column, or the PO's earlier rows): the PO is refused, never priced in another currency unsaid."),
    _C("CSV_VALUE_GARBLED", "business", "error", "",
       "An id is a number a spreadsheet rewrote in scientific notation (7.71235E+11): its digits are lost; or a CSV "
       "order's id or ship-to is a spreadsheet's error value (#N/A, #REF!: a formula that failed): its value is lost."),
    _C("CSV_VALUE_INVALID", "business", "error", "",
       "A CSV order's cell holds a value its column cannot mean (the layout's yes/no sales requirement column "
       "reading \"maybe\", a window type the layout's window_types do not list, an allowance kind its allowance_kinds "
       "do not list, a row called a charge with a negative amount): the PO is refused, never read one way unsaid."),
    # --- shipment confirmations as read (parsers.shipments_csv, parsers.warehouse_945) ----------
    _C("SHIPMENT_REFERENCE_GARBLED", "business", "warning", "",
       "A tracking number or bill of lading a spreadsheet rewrote in scientific notation: left out of the 856."),
    _C("SHIPMENT_TRANSPORT_METHOD_UNKNOWN", "business", "warning", "",
       "A shipment confirmation's transport method is no X12 code (element 91): left out of the 856's TD504."),
    _C("SHIPMENT_ID_MISSING", "business", "error", "", "The confirmation names no shipment id."),
    _C("SHIPMENT_PO_MISSING", "business", "error", "", "A shipped item names no purchase order."),
    _C("SHIPMENT_DATE_MISSING", "business", "error", "", "The confirmation gives no (valid) ship date."),
    _C("SHIPMENT_945_QUANTITY_MISSING", "business", "error", "",
       "A W12 has no units shipped (W1203), or more than 4 decimal places in them (they would be rounded)."),
    _C("SHIPMENT_945_NOT_SHIPPED", "business", "warning", "",
       "A W12 ships 0 units (a cut line): the item is not recorded as shipped."),
    _C("SHIPMENT_REPEATED", "business", "warning", "",
       "A confirmation repeats a shipment recorded from an earlier file as recorded: not recorded or sent again."),
    _C("SHIPMENT_TRACKING_NOT_SENT", "business", "warning", "",
       "A carton's cell lists several tracking numbers and the partner's 856 carries a carton's in its one MAN: the "
       "first is sent, the others are not."),
    _C("SHIPMENT_LABEL_VOIDED", "business", "warning", "",
       "A CSV confirmation row's label was voided (the layout's voided column): the row is not recorded as shipped."),
    _C("SHIPMENT_ROW_NOT_SHIPPED", "business", "warning", "",
       "A CSV confirmation row ships 0 units (a cut line): the item is not recorded as shipped."),
    _C("SHIPMENT_945_REPEATED", "business", "warning", "",
       "A 945 repeats an earlier one of the same file word for word (a resend): read once."),
    _C("SHIPMENT_945_EXCEPTIONS_ONLY", "business", "error", "",
       "A 945 reports exceptions only (W0601 X): what shipped as ordered is not in it; nothing is recorded."),
    _C("SHIPMENT_945_NO_ITEMS", "business", "error", "", "A 945 has no W12: nothing it shipped can be recorded."),
    _C("SHIPMENT_945_EXPIRY_INVALID", "business", "error", "",
       "A lot's expiry in a W12 loop (G62 36 or DTM 036) is not a date: the shipment is held."),
    _C("SHIPMENT_945_TOTALS_MISMATCH", "business", "warning", "",
       "W0301 (total units shipped) differs from the sum of the W12s."),
    _C("SHIPMENT_WEIGHT_ROUNDED", "business", "warning", "",
       "A shipment confirmation's weight or volume (a CSV carton or net weight; a 945's W1210, W1213, W0302, W0304) "
       "has more than 4 decimal places: read rounded to 4 (half to even)."),
    _C("SHIPMENT_945_WEIGHT_MISMATCH", "business", "warning", "",
       "The W03 weight (W0302) differs from the W12s' weights, or its unit (W0303) is none we know."),
    _C("SHIPMENT_945_PALLET_UNCLEAR", "business", "error", "",
       "A W12 is on several pallets (N9 LV) whose counts (N903) do not add up to its units, or an LX carries "
       "SSCCs the other LXs do not tell apart (cartons, or a carton and its pallet): the 945 is not read."),
    _C("SHIPMENT_SHIP_TO_MISMATCH", "business", "error", "",
       "The 945's ship-to (N1 ST) is not where its lines go (a line's own N1*ST, else the order's): the goods went "
       "elsewhere than the 856 would say."),
    _C("SHIPMENT_SHIP_TOS_MIXED", "business", "error", "",
       "A multi-stop load that cannot be split (a carton or pallet of two ship-tos), or, for a partner taking no "
       "split load, a shipment holding lines for several ship-tos (a PO1 loop's own N1*ST beside another place, "
       "or stores shipped through different DCs): one 856 names one ship-to."),
    _C("SHIPMENT_BUYERS_MIXED", "business", "error", "",
       "A shipment holds POs sent from different GS02s or to different GS03s (a network's buyers, our divisions): "
       "one 856 goes to one GS03 from one GS02."),
    _C("SHIPMENT_STORE_NOT_ORDERED", "business", "error", "",
       "A carton is marked for a store the order line's SDQ store quantities do not name (a store-level partner)."),
    _C("SHIPMENT_STORE_OVER", "business", "error", "",
       "A store gets more units of an order line than its SDQ store quantity (a store-level partner)."),
    _C("SHIPMENT_STORE_MISSING", "business", "error", "",
       "A carton of a line split over stores (SDQ) names no store, for a partner whose 856 marks each carton's "
       "store."),
    _C("SHIPMENT_CARTON_TWO_STORES", "business", "error", "",
       "A carton holds items for two stores (or for a store and none), for a partner whose 856 marks each carton's "
       "store: a pre-distributed carton is packed for one store."),
    _C("SHIPMENT_SHIP_FROM_MISMATCH", "business", "warning", "",
       "The 945's ship-from (N1 SF) is not the warehouse profile's, which the 856 names."),
    _C("SHIPMENT_TIME_ZONE_UNRESOLVED", "business", "warning", "",
       "The ship time's zone (G6205) cannot be compared with our clock's: the time is taken as ours."),
    _C("SHIPMENT_TIME_ZONE_AMBIGUOUS", "business", "warning", "",
       "A CSV ship time's zone abbreviation names several places' time (IST: India, Ireland, Israel) and the "
       "warehouse's clock (time_zone) keeps none of them: the time is taken as the clock's."),
    _C("SHIPMENT_TIME_ZONE_UNKNOWN", "business", "warning", "",
       "A CSV ship time's zone abbreviation is none we read (not tzdata's nor Java's of one offset): the time is "
       "taken as the warehouse clock's."),
    _C("SHIPMENT_CARRIER_AMBIGUOUS", "business", "warning", "",
       "A CSV carrier cell names several carriers of their own SCACs (a bare DHL, FedEx) and nothing says which: the "
       "856 goes without a carrier SCAC."),
    # --- shipment checks (rules.shipments) ---------------------------------------------------------
    _C("SHIPMENT_PO_UNKNOWN", "business", "error", "", "No live order has this PO number."),
    _C("SHIPMENT_PO_AMBIGUOUS", "business", "error", "",
       "Several partners have a live order with this PO number and the confirmation does not say whose."),
    _C("SHIPMENT_RELEASE_AMBIGUOUS", "business", "error", "",
       "The PO number is held as several open releases and the confirmation does not say which."),
    _C("SHIPMENT_LINE_UNKNOWN", "business", "error", "",
       "The PO has no line with this line id, or several (or, without one, no single line with this item, nor a "
       "single one of them still open and reserved)."),
    _C("SHIPMENT_LINE_CLOSED", "business", "error", "", "The line is cancelled or rejected; it cannot ship."),
    _C("SHIPMENT_BILL_ONLY", "business", "error", "",
       "The line is of a bill-only order (the buyer used the goods from stock it holds: [fulfilment.invoice] "
       "bill_only); nothing of it ships, it is billed from the PO. The shipment is held, no 856."),
    _C("SHIPMENT_RELEASE_HELD", "business", "error", "",
       "The order shipped is a release held for a person because the buyer cancelled its blanket "
       "(RELEASE_HELD_BLANKET_CANCELLED): it does not ship until a person decides. The shipment is held, no 856."),
    _C("SHIPMENT_OVER_RESERVED", "business", "error", "",
       "More units shipped than are allocated (reserved) for the line."),
    _C("SHIPPED_AFTER_CHANGE", "business", "warning", "",
       "Units confirmed shipped beyond what is reserved for a line whose unshipped units an 860 cut after part "
       "of the order shipped: they left before the change was known; recorded, the 856 sent and billed."),
    _C("SHIPMENT_WITHIN_TOLERANCE", "business", "warning", "",
       "More units shipped than are reserved for a line, or fewer, within the over/under-shipment tolerance agreed "
       "with the partner ([fulfilment] over_ship_percent / under_ship_percent): over, the shipment is taken, the 856 "
       "sent and the units shipped billed; under, the line is complete at what shipped (its balance cancelled)."),
    _C("SHIPMENT_QTY_NOT_POSITIVE", "business", "error", "", "The quantity shipped is missing, zero or negative."),
    _C("SHIPMENT_UNIT_MISMATCH", "business", "error", "",
       "The unit shipped is not the order line's unit and does not convert to whole units of it."),
    _C("SHIPMENT_UNIT_CONVERTED", "business", "warning", "",
       "The unit shipped is not the order line's; converted through the item master to whole units of it."),
    _C("SHIPMENT_KIT_INCOMPLETE", "business", "error", "",
       "A confirmation ships the components of a kit its PO orders that make no whole number of kits."),
    _C("SHIPMENT_KIT_UNIT_UNKNOWN", "business", "error", "",
       "A confirmation ships a kit's component in a unit whose eaches are not known (no pack for it)."),
    _C("SHIPMENT_SKU_UNKNOWN", "business", "error", "", "The shipped item is not one of our items."),
    _C("SHIPMENT_SKU_MISMATCH", "business", "error", "", "The shipped item is not the order line's item."),
    _C("SHIPMENT_ID_DUPLICATE", "business", "error", "",
       "The shipment id was already recorded, or two confirmations in this feed use it."),
    _C("SHIPMENT_HEADER_INCONSISTENT", "business", "error", "",
       "Rows of one shipment disagree on its partner, ship date, carrier, service or bill of lading."),
    _C("SHIPMENT_LINE_DUPLICATE", "business", "error", "",
       "The same order line appears twice in the same carton of the same shipment."),
    _C("SHIPMENT_CARTON_REUSED", "business", "error", "", "A carton (id or SSCC) is on two shipments."),
    # serial numbers (rules.shipments.serial_checks), for a partner whose 856 lists each unit's serial (REF*SE)
    _C("SHIPMENT_SERIALS_MISSING", "business", "error", "",
       "A confirmation line of an item marked serialised (items.csv), or a carton of a line whose other cartons give "
       "them, gives no serial numbers, for a partner whose 856 lists each unit's serial."),
    _C("SHIPMENT_SERIAL_COUNT_MISMATCH", "business", "error", "",
       "A confirmation line gives a number of serial numbers other than its units shipped (in eaches), for a partner "
       "whose 856 lists each unit's serial."),
    _C("SHIPMENT_SERIAL_DUPLICATE", "business", "error", "",
       "The same serial number of the same item twice in one confirmation file."),
    _C("SHIPMENT_SERIAL_SHIPPED_BEFORE", "business", "error", "",
       "A serial number of the item already shipped on a recorded shipment."),
    _C("SHIPMENT_SERIAL_INVALID", "business", "error", "",
       "A serial number that cannot be one unit's: empty, a blank, control or non-ASCII character or a list "
       "separator (, ; |) inside it, or longer than REF02 (30 characters in 004010, 50 in 005010)."),
    _C("SHIPMENT_CARTON_MISSING", "business", "error", "",
       "No carton id, but the partner's 856 structure lists cartons (S-O-P-I, S-O-T-P-I, S-O-I-P), or "
       "(S-O-T-I) neither a carton nor a pallet id."),
    _C("SHIPMENT_BOXES_INCOMPLETE", "business", "error", "",
       "A multi-box unit's boxes (Box Number / Box Count: box k of m) do not come whole on the shipment: a unit "
       "with fewer than its m boxes, a further box without its box 1, a further box shipping units of its own, or "
       "two box counts for one line."),
    _C("SHIPMENT_CARTON_MIXED", "business", "error", "",
       "A carton holds several items, but the partner's 856 is standard carton pack (one item per carton)."),
    _C("SHIPMENT_CARTON_MULTI_PO", "business", "error", "",
       "A carton holds items of several purchase orders; an 856 lists each carton under one order."),
    _C("SHIPMENT_SSCC_INVALID", "business", "error", "",
       "A carton or pallet SSCC from the warehouse is not 18 digits with a valid GS1 check digit."),
    _C("SHIPMENT_SCAC_INVALID", "business", "warning", "", "The carrier SCAC is not 2-4 letters."),
    _C("SHIPMENT_WEIGHT_INVALID", "business", "warning", "",
       "A carton weight is negative, a net weight negative or zero, a CSV net weight's cell names another unit "
       "than its unit column (42.35 KG, LB), or a CSV carton weight's unit column names no weight unit we read "
       "(stone): the weight is left out."),
    _C("SHIPMENT_PACKAGING_INVALID", "business", "warning", "",
       "A CSV carton row's Packaging is no X12 packaging code (element 103: a 3-character form, optionally its "
       "2-digit material): left out; or one whose form or material is on no list we hold: written as given."),
    _C("SHIPMENT_945_SENDER_UNKNOWN", "file", "error", "",
       "The 945's ISA sender is not the 3PL whose drop it came from (its [sender], nor a pair of its their_ids)."),
    # --- documents we build from them (engine.lifecycle.shipping / billing) --------------------------
    _C("ASN_NOT_BUILT", "business", "error", "",
       "The shipment's 856 could not be built (or failed its self-check or validation); the shipment is held."),
    _C("ACK_VALUE_LEFT_OUT", "business", "warning", "",
       "A value of the PO our 855 echoes (a REF02 the partner's 855 carries) is longer than its element in the "
       "partner's version (004010 REF02 30; a 005010 PO's may have 50): left out of the 855, which still answers "
       "every line."),
    _C("ACK_NOT_SENT", "business", "error", "",
       "The PO cannot be acknowledged by 855 (865): its PO number is longer than BAK03 (BCA03) holds in the partner's "
       "version (22 in 004010 and 005010; an 850 or 860 of a version whose lengths are not checked may send one), or "
       "its release than BAK05 (BCA04: 30). No 855 (865) is sent (never cut, never invalid); the order is decided "
       "and allocated, the change applied, as any."),
    _C("VALUE_TOO_LONG_TO_ECHO", "business", "warning", "",
       "A PO's value our X12 answers echo (its PO number, a reference the 855/856/810 carry back) is longer than its "
       "element in the partner's profile version (a 005010 PO's REF*DP of 40 for a 004010 profile: REF02 1/30); "
       "the PO is taken."),
    _C("SHIPPED_OUTSIDE_WINDOW", "business", "warning", "",
       "A shipment left after its order's ship-no-later (DTM 038), cancel-after (001) or do-not-deliver-after (063) "
       "date, or before its ship-not-before (037) date (a line's own 001/063 where it has one); the 856 is sent."),
    _C("CARRIER_NOT_ROUTED", "business", "warning", "",
       "A shipment left with a carrier (SCAC) none of its order's TD5s named (TD502 2, TD503, the heading's and the "
       "PO1 loops': the carriers the buyer's routing guide routed the PO by); the 856 is sent."),
    _C("SERVICE_NOT_ROUTED", "business", "warning", "",
       "A shipment left with the carrier its order routed it by at a slower service level than the order's TD5 "
       "routed (TD512, X12 element 284: next day air, ND, shipped ground); the 856 is sent."),
    _C("SHIP_FROM_NOT_ROUTED", "business", "warning", "",
       "A shipment left from a warehouse other than the ship-from its order's 850 named (N1*SF: the location of ours "
       "a drop-ship programme routed the PO to, by GLN, DUNS or a number the buyer assigned), or the PO named a "
       "ship-from none of our warehouses is; the 856 is sent, naming the warehouse the goods left from."),
    _C("SHIPPED_NOT_COMPLETE", "business", "warning", "",
       "A shipment left part of an order open whose 850 asks it to ship complete (CSH01 SC, or the partner's "
       "ship_complete allocation policy); the 856 is sent."),
    _C("ASN_LATE", "business", "warning", "",
       "The 856 was built after the partner's ASN window from departure (ship date and time)."),
    _C("INVOICE_NOT_BUILT", "business", "error", "",
       "An 810 due could not be built (no acknowledged price, would bill more than shipped); retried next run."),
    _C("INVOICE_HELD_NOT_ON_880", "business", "error", "",
       "An 880 due bills units of a line priced per dozen (hundred, thousand) that its G17 cannot state (7 EA shipped "
       "at 4.99 PD): held, said once; billed with the shipment that completes the dozen."),
]

FULFILMENT_CATALOGUE: dict[str, CodeSpec] = {c.code: c for c in FULFILMENT_CODES}

for _spec in FULFILMENT_CODES:  # one catalogue: the fulfilment codes join schemas.codes.CATALOGUE
    CATALOGUE.setdefault(_spec.code, _spec)
