"""Reconciliation tables (Arrow schemas): the four sides of the line-level match that the state store
fills (ORDERED, ACKNOWLEDGED, SHIPPED, INVOICED; DOCUMENT_STATUS comes from engine.partner_acks), what
engine.reconcile returns (LINE_MATCH, EXCEPTIONS, EVIDENCE), and the catalogue of exception types.
Definitions only. A line is (partner, po_number, line_number); times are the run clock's, naive.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from schemas.functional_acks import DOCUMENT_STATUS, TIME
from schemas.orders import MONEY, PRICE, QTY

__all__ = ["ACKNOWLEDGED", "AGREED_CHARGES", "CHARGE_MATCH", "DOCUMENT_STATUS", "EVIDENCE", "EXCEPTIONS",
           "EXCEPTION_TYPES", "INVOICED", "INVOICED_FIRST_SENT", "INVOICE_CHARGES", "INVOICE_MATCH", "INVOICE_TOTALS",
           "LINE_KEY",
           "LINE_MATCH", "ORDERED", "PO_ALLOWANCES", "PO_CHARGES",
           "RECEIVED_FINDINGS",
           "RECORDED_LINES", "SHIPPED", "STATES", "ExceptionType"]

LINE_KEY = ["partner", "po_number", "line_number"]

_KEY_FIELDS = [
    pa.field("partner", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("line_number", pa.int32(), nullable=False),  # our line number within the PO (1..n)
]

# The outbound (or inbound) transaction set a row comes from.
_DOCUMENT_FIELDS = [
    pa.field("file", pa.string()),
    pa.field("isa13", pa.string()),
    pa.field("gs06", pa.string()),
    pa.field("st02", pa.string()),
]

# ORDERED: one row per order line in its current revision (850 plus every 860 applied), including
# cancelled and deleted lines. Order-level facts (received_at, fa_sent_at, po_date...) repeat per line.
ORDERED = pa.schema([
    *_KEY_FIELDS,
    pa.field("line_id", pa.string()),  # PO101 as the partner sent it
    pa.field("sku", pa.string()),  # our item
    pa.field("ordered_sku", pa.string()),  # the item ordered, when ``sku`` is its substitute; else null
    pa.field("unit", pa.string()),
    pa.field("quantity", QTY),  # the current ordered quantity (0 or the last one for a cancelled line)
    pa.field("unit_price", PRICE),  # the current ordered price (PO104 / POC06)
    pa.field("line_status", pa.string()),  # the lifecycle's line state (open, changed, cancelled, deleted...)
    pa.field("cancelled_at", TIME),  # when the buyer cancelled or deleted the line (860, BEG01 01); else null
    pa.field("revision", pa.int32()),  # 0 = as in the 850; n = after the n-th 860
    pa.field("po_date", pa.date32()),  # BEG05: the period a PO belongs to in the finance report
    pa.field("requested_ship_date", pa.date32()),  # DTM 010 (the promise when no 855 date is given)
    pa.field("received_at", TIME),  # when the 850 reached us
    pa.field("fa_sent_at", TIME),  # when our 997 for the 850's group went out (null: none sent)
    pa.field("currency", pa.string()),
    *_DOCUMENT_FIELDS,  # the 850 or 860 that set this revision
])

# ACKNOWLEDGED: one row per ACK segment of the 855/865 lines we sent (a line acknowledged in parts,
# e.g. BP + IB, has a row per part). The latest document per line (sent_at, then ISA13/GS06/ST02) counts.
ACKNOWLEDGED = pa.schema([
    *_KEY_FIELDS,
    pa.field("doc_type", pa.string(), nullable=False),  # 855 or 865
    pa.field("ack_code", pa.string(), nullable=False),  # ACK01: IA, IB, BP, IC, IP, IQ, IR, ID, IH, DR...
    pa.field("quantity", QTY),  # ACK02 (null: as ordered)
    pa.field("unit", pa.string()),  # ACK03
    pa.field("unit_price", PRICE),  # the price we acknowledged (PO104 of the 855, IP changes included)
    pa.field("promised_date", pa.date32()),  # ACK05 (068 current schedule ship, or the partner's qualifier)
    pa.field("sent_at", TIME, nullable=False),
    *_DOCUMENT_FIELDS,
])

# SHIPPED: one row per line per shipment (or per carton; rows of one shipment are summed).
SHIPPED = pa.schema([
    *_KEY_FIELDS,
    pa.field("shipment_id", pa.string(), nullable=False),  # BSN02
    pa.field("shipped_at", TIME, nullable=False),  # DTM 011 date and time of departure
    pa.field("quantity", QTY, nullable=False),  # SN102
    pa.field("unit", pa.string()),  # SN103
    pa.field("cartons", pa.int32()),  # cartons of this line in the shipment (null: unknown)
    pa.field("expected_delivery_at", TIME),  # DTM 017 / the partner's delivery appointment (null: unknown)
    # when our 856 first went out (null: not sent yet); one sent again under new numbers (`orderbridge resend
    # --new-control-numbers`) carries the resend's numbers and file, but this stays the first sending's time:
    # the ASN SLA ("ASN before arrival", late_asn) times what we did, not the copy ops sent again
    pa.field("asn_sent_at", TIME),
    *_DOCUMENT_FIELDS,  # the 856
])

# INVOICED: one row per IT1 line of the 810s we sent.
INVOICED = pa.schema([
    *_KEY_FIELDS,
    pa.field("invoice_number", pa.string(), nullable=False),  # BIG02
    pa.field("invoice_date", pa.date32(), nullable=False),  # BIG01
    # the shipment billed (per-shipment invoicing; per store: with the store its 810 bills, "S1 store 004", each
    # store's 810 its own units of the shipment); null: per order
    pa.field("shipment_id", pa.string()),
    pa.field("quantity", QTY, nullable=False),  # IT102
    pa.field("unit", pa.string()),  # IT103
    pa.field("unit_price", PRICE, nullable=False),  # IT104
    pa.field("sent_at", TIME, nullable=False),
    *_DOCUMENT_FIELDS,  # the 810
])
# beside INVOICED's columns where the reader has it (engine.finance_inputs.invoiced given first_sent; tables without
# it read sent_at): when the 810 first went. One sent again under new control numbers (`orderbridge resend
# --new-control-numbers`) carries the resend's numbers, file and sent_at, but the cycle time shipped -> invoiced
# (engine.kpis) times what we did, its first sending, as SHIPPED.asn_sent_at does for the ASN SLA
INVOICED_FIRST_SENT = pa.field("first_sent_at", TIME)

# INVOICE_TOTALS: one row per 810 set we sent, as the partner received it (read back from the delivered
# document): its SAC charges and allowances and its TDS, the sums the line rows (INVOICED) do not hold.
INVOICE_TOTALS = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("po_number", pa.string()),  # BIG04 (INVOICED's order key wins where the set has lines)
    pa.field("invoice_number", pa.string()),  # BIG02
    pa.field("invoice_date", pa.date32()),  # BIG01
    pa.field("charges", MONEY, nullable=False),  # the SAC01 C amounts (SAC05, N2) added up
    pa.field("allowances", MONEY, nullable=False),  # the SAC01 A amounts added up (positive)
    pa.field("taxes", MONEY),  # the summary's TXI02 (after TDS) added up: a tax, never a charge (null: none)
    pa.field("total", MONEY),  # TDS01 (N2); null: the set has no TDS
    pa.field("allowance_codes", pa.string()),  # the SAC02 of its allowances, sorted, space-separated
    pa.field("sent_at", TIME),
    *_DOCUMENT_FIELDS,  # the 810
])

# PO_ALLOWANCES: one row per SAC allowance an 850 asked for that we did not apply (SAC_NOT_APPLIED; the
# latest finding of an order counts): what the retailer will deduct from payment unless settled.
PO_ALLOWANCES = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("line_id", pa.string()),  # the PO1 it sits in (PO101); null: the heading's (the whole PO)
    pa.field("code", pa.string()),  # SAC02; null: none sent
    pa.field("amount", MONEY),  # SAC05 (the allowance's amount); null: not sent
    pa.field("percent", MONEY),  # SAC07; null: not sent
    pa.field("handling", pa.string()),  # SAC12: 02 off invoice (deducted), 01 bill back, 03, 04, 09, 10 (settled
    # apart from the invoice: claimed or credited, not deducted from its payment); null: not sent (off invoice)
    pa.field("reference", pa.string()),  # SAC13: the deal or promotion number (stored SACs only; null in words)
    pa.field("words", pa.string(), nullable=False),  # as the finding named it ("allowance C310 2.5 % (line 1)")
    pa.field("more", pa.int32(), nullable=False),  # allowances and charges the finding counted without naming
    pa.field("file", pa.string()),  # the 850
])

# RECORDED_LINES: lines of 810s and 856s another system of ours sent a partner (an ERP, a warehouse),
# read back by parsers.sent_documents and kept by `orderbridge record`; they join INVOICED and SHIPPED.
RECORDED_LINES = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("doc_type", pa.string(), nullable=False),  # 810 or 856
    pa.field("document_ref", pa.string(), nullable=False),  # BIG02 invoice number / BSN02 shipment id
    pa.field("doc_date", pa.date32()),  # BIG01 / DTM 011 date
    pa.field("shipped_at", TIME),  # 856: DTM 011 date and time
    pa.field("shipment_id", pa.string()),  # 856: BSN02; 810: REF SI
    pa.field("po_number", pa.string(), nullable=False),  # BIG04 / PRF01
    pa.field("line_id", pa.string()),  # IT101 / LIN01: the PO101 of the order line
    pa.field("quantity", QTY),  # IT102 / SN102
    pa.field("unit", pa.string()),
    pa.field("unit_price", PRICE),  # IT104
    # 810: what the line billed when not quantity x price: an IT1 billed by weight (IT103 LB, KG ...) whose QTY 39
    # gives the cases shipped (the quantity): IT102 x IT104 to the cent, as our own 810 bills a catch-weight line
    pa.field("amount", MONEY),
    pa.field("expected_delivery_at", TIME),  # 856: DTM 017
    pa.field("sent_at", TIME),  # when it went to the partner (its GS04/GS05 unless given)
    pa.field("file", pa.string(), nullable=False),
    pa.field("sha256", pa.string()),
    pa.field("isa13", pa.string()),
    pa.field("gs06", pa.string()),
    pa.field("st02", pa.string()),
    pa.field("position", pa.int64(), nullable=False),  # the IT1 / SN1 segment's row in the file
])

# RECEIVED_FINDINGS: the validation findings about what partners sent (for the dashboard's error rate).
RECEIVED_FINDINGS = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("code", pa.string(), nullable=False),  # schemas.codes CATALOGUE code (the rule)
    pa.field("severity", pa.string(), nullable=False),  # error / warning
    pa.field("po_number", pa.string()),  # null for findings above the order (file, envelope)
    pa.field("file", pa.string()),
])

# LINE_MATCH: the four sides side by side, one row per line any side knows.
LINE_MATCH = pa.schema([
    *_KEY_FIELDS,
    pa.field("line_id", pa.string()),
    pa.field("sku", pa.string()),  # the item shipped and billed
    pa.field("ordered_sku", pa.string()),  # the item the buyer ordered, when ``sku`` is its substitute; else null
    pa.field("po_date", pa.date32()),
    pa.field("currency", pa.string()),  # the order's, else the partner's finance currency
    pa.field("cancelled_at", TIME),
    pa.field("ordered_quantity", QTY),
    pa.field("ordered_price", MONEY),
    pa.field("ack_code", pa.string()),  # the current acknowledgment's ACK01 codes, "+"-joined (e.g. BP+IB)
    pa.field("acknowledged_quantity", QTY),  # accepted parts (refusals IR ID IH IF IW count 0)
    pa.field("acknowledged_price", MONEY),
    pa.field("agreed_price", MONEY),  # acknowledged price, else ordered price: what we may bill
    pa.field("shipped_quantity", QTY),
    pa.field("invoiced_quantity", QTY),  # duplicate invoices left out
    pa.field("ordered_value", MONEY),  # ordered quantity x ordered price (0 when cancelled)
    pa.field("acknowledged_value", MONEY),  # acknowledged quantity x acknowledged price
    pa.field("shipped_value", MONEY),  # shipped quantity x agreed price
    pa.field("invoiced_value", MONEY),  # sum of invoiced quantity x invoice price (duplicates left out)
    pa.field("due_date", pa.date32()),  # earliest promised ship date of the current ack, else requested ship date
    pa.field("first_shipped_at", TIME),
    pa.field("last_shipped_at", TIME),
    pa.field("first_invoice_date", pa.date32()),
    pa.field("exceptions", pa.int32()),  # how many exceptions name this line
    # "memo": its order shipped on memo (BEG02 in the partner's [fulfilment.invoice] memo_order_types): not billed
    # by agreement, the retailer pays for what it sells; never shipped-not-invoiced. Null: billed as it ships
    pa.field("billing", pa.string()),
    # the shipments of its PO the warehouse confirmed and we hold (a confirmation shipping another item, more than
    # reserved ...: no 856, nothing consumed until ops release it) while the line has units to ship, each with why:
    # "ACE-SHP-2 held (SHIPMENT_SKU_MISMATCH: Item RG86-01 shipped for line 3, which orders RG86-03.)"; null: none
    pa.field("held_shipments", pa.string()),
])

# INVOICE_MATCH: one row per 810 set (INVOICED's sets, and INVOICE_TOTALS' sets without a line we know):
# what finance ties the invoiced value to - its lines, its charges and allowances, its TDS.
INVOICE_MATCH = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("invoice_number", pa.string(), nullable=False),
    pa.field("invoice_date", pa.date32()),
    pa.field("currency", pa.string()),  # the order's, else the partner's finance currency
    pa.field("invoice_lines", pa.int64(), nullable=False),  # its IT1 rows on lines we hold
    pa.field("lines_value", MONEY, nullable=False),  # sum of quantity x price, each half up to cents (as TDS)
    pa.field("charges", MONEY),  # SAC charges (null: not known - an 810 another system sent, recorded by lines)
    pa.field("allowances", MONEY),  # SAC allowances (positive)
    pa.field("taxes", MONEY),  # the summary's TXI amounts (GST/HST/QST, sales tax): in TDS, apart from charges
    pa.field("expected_total", MONEY),  # lines_value + charges - allowances + taxes
    pa.field("invoiced_total", MONEY),  # TDS01 as sent
    pa.field("difference", MONEY),  # invoiced_total - expected_total (INVOICE_TOTAL_MISMATCH when not 0)
    pa.field("allowance_codes", pa.string()),  # the SAC02 of its allowances, space-separated
    pa.field("sent_at", TIME),
    *_DOCUMENT_FIELDS,
])

# PO_CHARGES: one row per SAC allowance or charge an 850 asked for - what the PO promised: the order's current
# 850's SACs as stored with it (schemas.orders.ORDER_SACS: engine.finance_inputs.stored_po_charges); for an order
# stored before SACs were kept, SAC_NOT_APPLIED's words, its latest finding (engine.finance_inputs.po_charges).
PO_CHARGES = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("line_id", pa.string()),  # the PO1 it sits in (PO101); null: the heading's (the whole PO)
    pa.field("kind", pa.string(), nullable=False),  # SAC01: A allowance, C charge
    pa.field("code", pa.string()),  # SAC02; null: none sent
    pa.field("amount", MONEY),  # SAC05 (N2 read); it takes precedence over a percent or rate
    pa.field("basis", pa.string()),  # SAC06: what the percent is of (1 item list cost, 6 base price amount ...)
    pa.field("percent", MONEY),  # SAC07
    pa.field("rate", MONEY),  # SAC08 (per unit: not priced here)
    pa.field("handling", pa.string()),  # SAC12: 02 off invoice, 01 bill back, 05 paid by vendor, 06 by customer ...
    pa.field("description", pa.string()),  # SAC15 (as sent; read from words: without ; " ( ))
    pa.field("reference", pa.string()),  # SAC13 (ITA05): the deal, promotion or allowance number finance matches
    # a deduction or a bill back by (stored SACs; null when read from words)
    pa.field("agency_code", pa.string()),  # SAC04 with its agency (SAC03) before it, "VI:..." (stored SACs)
    pa.field("words", pa.string(), nullable=False),  # as the finding names it
    pa.field("more", pa.int32(), nullable=False),  # allowances and charges the finding counted without naming
    # (stored SACs: 0, every one is a row)
    pa.field("file", pa.string()),  # the 850
])

# INVOICE_CHARGES: one row per SAC allowance or charge (SAC01 A or C) of an 810 set we sent, read back from
# the delivered document (engine.finance_inputs.invoice_totals_and_charges) - what the invoice billed.
INVOICE_CHARGES = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("po_number", pa.string()),  # BIG04
    pa.field("invoice_number", pa.string()),  # BIG02
    pa.field("line_id", pa.string()),  # the IT1 it sits in (IT101); null: the summary's
    pa.field("kind", pa.string(), nullable=False),  # SAC01
    pa.field("code", pa.string()),  # SAC02
    pa.field("amount", MONEY, nullable=False),  # SAC05 (N2; 0 when not sent)
    pa.field("percent", MONEY),  # SAC07 as sent
    pa.field("description", pa.string()),  # SAC15
    *_DOCUMENT_FIELDS,  # the 810
])

# AGREED_CHARGES: the SAC allowances and charges each partner's agreement puts on its invoices (the
# profile's [[invoice.charges]]: what our 810s bill) - a charge neither the PO nor this names is not allowed,
# one billed other than the agreement says (its amount or percent) is flagged.
AGREED_CHARGES = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("code", pa.string(), nullable=False),
    pa.field("amount", MONEY),  # a flat amount (Charge.amount); null: a percent
    pa.field("percent", MONEY),  # a percent of each 810's lines (Charge.percent)
    pa.field("per", pa.string()),  # a flat amount's scope: "order" (once per PO) or "shipment" (once per shipment)
])

# CHARGE_MATCH: per PO invoiced and SAC (kind, SAC02), what its 850 promised against what its 810s billed
# (engine.charge_match). ``flag`` null: they tie.
CHARGE_MATCH = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("currency", pa.string()),
    pa.field("kind", pa.string(), nullable=False),  # A allowance, C charge
    pa.field("code", pa.string()),  # SAC02
    pa.field("description", pa.string()),  # the PO's SAC15, else the 810's
    pa.field("reference", pa.string()),  # the PO's SAC13s (the deal or promotion numbers), space-separated
    pa.field("line_ids", pa.string()),  # the PO1s the PO put it on (space-separated); null: the heading
    pa.field("handling", pa.string()),  # the PO's SAC12
    pa.field("promised_amount", MONEY),  # SAC05 added up (null: none sent)
    pa.field("promised_percent", MONEY),  # SAC07 (the first sent)
    pa.field("promised_value", MONEY),  # SAC05, else SAC07 x the invoiced value of its line or PO; null: not
    # promised, or promised without an amount or percent (a rate)
    pa.field("expected_on_invoice", MONEY),  # what the 810s should carry: the promise unless settled off the
    # invoice (SAC12 01 bill back, 03, 04, 09, 10), cancelled (12) or paid by the vendor (05)
    pa.field("billed_value", MONEY, nullable=False),  # SAC05 of the PO's 810s of that kind and code, added up
    pa.field("difference", MONEY),  # billed - expected on invoice (allowance short: negative)
    pa.field("agreed", pa.bool_(), nullable=False),  # the partner's agreement (profile) bills it
    pa.field("agreed_value", MONEY),  # what the agreement bills the PO's 810s: its percent of their lines
    # value; a flat amount once per PO ("order"), or at most once per shipment of the PO ("shipment"); null: not
    # agreed, or the PO names it (the PO's promise is what counts)
    pa.field("invoices", pa.string()),  # the 810s (BIG02) that billed it, space-separated
    pa.field("flag", pa.string()),  # allowance_not_taken, allowance_short, allowance_over, allowance_billed_twice,
    # allowance_not_agreed, allowance_not_as_agreed, charge_not_allowed, charge_over, charge_short,
    # charge_not_billed, charge_not_as_agreed; null: ties
    pa.field("note", pa.string(), nullable=False),  # in words
    pa.field("file", pa.string()),  # the 850
])

STATES = ("open", "explained", "resolved")

EXCEPTIONS = pa.schema([
    pa.field("exception_id", pa.string(), nullable=False),  # "EX-" + 16 hex of sha256(type and keys)
    pa.field("type", pa.string(), nullable=False),  # EXCEPTION_TYPES
    pa.field("partner", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("line_number", pa.int32()),  # null for document-level exceptions
    pa.field("line_id", pa.string()),
    pa.field("sku", pa.string()),
    pa.field("document_ref", pa.string()),  # the invoice number, shipment id or document in question
    pa.field("message", pa.string(), nullable=False),  # what is wrong, in words, with the numbers
    # the values on each side
    pa.field("ordered_quantity", QTY),
    pa.field("ordered_price", MONEY),
    pa.field("ack_code", pa.string()),
    pa.field("acknowledged_quantity", QTY),
    pa.field("acknowledged_price", MONEY),
    pa.field("promised_date", pa.date32()),
    pa.field("shipped_quantity", QTY),
    pa.field("invoiced_quantity", QTY),
    pa.field("invoiced_price", MONEY),
    pa.field("cancelled_at", TIME),
    pa.field("document_status", pa.string()),  # DOCUMENT_STATUS.status for document exceptions
    pa.field("partner_reasons", pa.string()),  # the partner's 997/999 notes, in words
    # the money: amount_at_risk = quantity_at_risk x price_at_risk (document exceptions: the document's value)
    pa.field("quantity_at_risk", QTY),
    pa.field("price_at_risk", MONEY),
    pa.field("amount_at_risk", MONEY, nullable=False),
    pa.field("currency", pa.string()),
    pa.field("since", pa.date32(), nullable=False),  # when it became an exception (per type, see engine.reconcile)
    pa.field("age_days", pa.int32(), nullable=False),  # as_of - since, in days
    pa.field("state", pa.string(), nullable=False),  # STATES
    pa.field("state_by", pa.string()),
    pa.field("state_note", pa.string()),
    pa.field("state_at", TIME),
])

# EVIDENCE: the documents (and their values for the line) behind each exception, one row per document line.
EVIDENCE = pa.schema([
    pa.field("exception_id", pa.string(), nullable=False),
    pa.field("role", pa.string(), nullable=False),  # ordered, acknowledged, shipped, invoiced, duplicate, partner_ack;
    # rejected: an 810 row the partner rejected, billed again by a later 810 (it counts for nothing)
    pa.field("doc_type", pa.string()),  # 850/860 (875/876 a grocer's), 855/865, 856, 810, 997/999
    pa.field("document_ref", pa.string()),  # PO, shipment id, invoice number, ack reference
    pa.field("file", pa.string()),
    pa.field("isa13", pa.string()),
    pa.field("gs06", pa.string()),
    pa.field("st02", pa.string()),
    pa.field("at", TIME),  # sent / shipped / received time of that document
    pa.field("code", pa.string()),  # ACK01, AK501...
    pa.field("quantity", QTY),
    pa.field("unit_price", MONEY),
])


@dataclass(frozen=True, slots=True)
class ExceptionType:
    code: str
    title: str
    meaning: str
    amount: str  # the amount-at-risk formula, in words
    since: str  # what date the age counts from


_E = ExceptionType
EXCEPTION_TYPES: dict[str, ExceptionType] = {e.code: e for e in [
    _E("SHIPPED_NOT_INVOICED", "Shipped, not invoiced",
       "The line shipped at least invoice_grace_days ago and no invoice bills it.",
       "billable shipped quantity (shipped at least invoice_grace_days ago, at most the agreed quantity) x "
       "agreed price", "first shipment date"),
    _E("INVOICED_NOT_SHIPPED", "Invoiced, not shipped",
       "An invoice bills the line but nothing of it has shipped.",
       "sum of invoiced quantity x invoice price", "first invoice date"),
    _E("INVOICE_QUANTITY_MISMATCH", "Invoiced quantity differs from shipped",
       "The invoiced quantity is above what shipped, or below what shipped long enough ago to be billed "
       "(up to the agreed quantity).",
       "over-billed: (invoiced - shipped) x average invoice price; under-billed: (billable shipped - invoiced) x "
       "agreed price", "last invoice date"),
    _E("INVOICE_PRICE_MISMATCH", "Invoice price differs from the acknowledged price",
       "An invoice line's price differs from the price we acknowledged (or, without an 855, the ordered price) "
       "beyond the partner's price tolerance.",
       "|invoice price - agreed price| x invoiced quantity of that invoice line", "invoice date"),
    _E("NOT_SHIPPED_BY_PROMISED_DATE", "Acknowledged, not shipped by the promised date",
       "The quantity we promised by a date now past has not all shipped.",
       "(quantity promised by dates before today - shipped quantity) x agreed price", "earliest missed promised date"),
    _E("OVER_SHIPMENT", "Over-shipment",
       "More shipped than agreed (the acknowledged quantity, else the ordered one) beyond the tolerance.",
       "(shipped - agreed quantity) x agreed price", "last shipment date"),
    _E("DUPLICATE_INVOICE", "Duplicate invoice",
       "The same invoice number was sent again in another 810, or a second invoice bills a shipment line "
       "already invoiced.", "duplicate line's quantity x its invoice price", "duplicate's invoice date"),
    _E("INVOICE_TOTAL_MISMATCH", "Invoice total differs from its lines, charges and allowances",
       "An 810's TDS (the total the partner is asked to pay) is not its lines (quantity x price, as the "
       "reconciliation matched them) plus its SAC charges less its SAC allowances: the invoiced value cannot be "
       "tied to the lines (an IT1 naming no line of the order, a total written by another system).",
       "|TDS - (lines + charges - allowances)|", "invoice date"),
    _E("ALLOWANCE_NOT_APPLIED", "PO allowance not applied on our invoices",
       "The PO (850 SAC) asked for allowances our invoices do not carry (SAC_NOT_APPLIED names each and whether "
       "our 810s carry it: those of the profile's po_allowances, by SAC12). One off the invoice (SAC12 02, or "
       "none) the retailer will deduct from payment: settle the deduction with the buyer (a credit memo) or "
       "dispute it. One the PO settles apart from the invoice is owed all the same, not "
       "deducted from the invoice's payment: a bill back (01) the buyer claims by its own bill-back invoice or "
       "debit memo, a vendor check (03) or account credit (04) we issue, one issued by the vendor (09) or the "
       "reseller (10): the message says which.",
       "each allowance's amount (SAC05), else its percent of the invoiced value of its line or PO, half up to "
       "cents (allowances without either: not priced)", "first invoice date of the PO"),
    _E("DOCUMENT_REJECTED", "Document rejected by the partner",
       "The partner's 997/999/824/TA1 rejected one of our documents, or its 824 rejected lines of it (an item-level "
       "OTI IR naming them, the rest accepted: the message says which lines and why); reasons in words.",
       "the document's value for the PO (855/865: acknowledged quantity x price; 856: shipped quantity x "
       "agreed price; 810: invoiced quantity x invoice price)", "date the rejection arrived"),
    _E("DOCUMENT_UNACKNOWLEDGED", "Document not acknowledged by the partner",
       "No 997/999 came for one of our documents within the partner's window.",
       "the document's value for the PO (as for DOCUMENT_REJECTED)", "date the 997 was due"),
    _E("CANCELLED_AFTER_SHIPMENT", "Order cancelled after shipment",
       "The buyer cancelled (or deleted) the line after some of it had shipped.",
       "quantity shipped before the cancellation x agreed price", "cancellation date"),
    _E("SHIPPED_AFTER_CANCEL", "Shipped after cancellation",
       "Goods of a cancelled line shipped after the cancellation.",
       "quantity shipped after the cancellation x agreed price", "first shipment after the cancellation"),
]}
