"""Canonical tables (Arrow schemas) of what partners pay and adjust: REMITTANCE, one row per document an 820 names
(its RMR) or per 812 adjustment, as read (parsers.remittance); REMITTANCE_MATCH, per invoice, what they say against
the 810s we sent (engine.remittance); REMITTANCE_KPIS, the counts per partner, currency and status. Definitions only.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.functional_acks import TIME
from schemas.orders import LINEAGE, MONEY

# one row per RMR of an 820 (a document it pays or deducts), or per 812 (a debit or credit against an invoice)
REMITTANCE = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("set_id", pa.string(), nullable=False),  # 820 or 812
    pa.field("reference_qualifier", pa.string()),  # RMR01 (IV invoice, CM credit memo, PO ...); "IV" for an 812
    pa.field("invoice_number", pa.string()),  # RMR02 (RMR01 IV); BCD07 of an 812
    pa.field("reference", pa.string()),  # RMR02 whatever RMR01 says; BCD02 (the adjustment's number) of an 812
    pa.field("po_number", pa.string()),  # the REF*PO in the RMR loop; BCD10 (else N9*PO) of an 812
    pa.field("paid", MONEY),  # RMR04 (null for an 812)
    pa.field("invoice_amount", MONEY),  # RMR05: the invoice amount as the partner holds it
    pa.field("discount", MONEY),  # RMR06: discount taken
    pa.field("adjustment", MONEY),  # sum of the ADX01 in the RMR loop; an 812's BCD04, minus for a debit (BCD05 D)
    pa.field("reasons", pa.string()),  # ADX02 of the RMR loop; CDD01 of an 812: space-separated, as given
    pa.field("payment_total", MONEY),  # BPR02 (an 820); BCD04 (an 812)
    pa.field("payment_method", pa.string()),  # BPR04 (ACH, CHK ...)
    pa.field("payment_date", pa.date32()),  # BPR16 (an 820); BCD01 (an 812)
    pa.field("trace", pa.string()),  # TRN02 (an 820); BCD02 (an 812)
    pa.field("currency", pa.string()),  # CUR02
    pa.field("received_at", TIME),
    *LINEAGE,
    pa.field("segment_position", pa.int32(), nullable=False),  # the RMR's (an 812's BCD's) position in its set
])

# what a remittance row or invoice comes to
STATUSES = ("paid", "short_paid", "over_paid", "not_paid", "not_invoiced", "adjusted")

# one row per invoice of ours a partner who sends 820s or 812s was sent, and per document they name we never invoiced
REMITTANCE_MATCH = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("invoice_number", pa.string(), nullable=False),  # ours (BIG02), or the reference they name
    pa.field("po_number", pa.string()),  # our 810's BIG04, else the one they name
    pa.field("status", pa.string(), nullable=False),  # STATUSES
    pa.field("invoiced_total", MONEY),  # our 810's TDS01 (the latest sending); null: never invoiced by us
    pa.field("paid", MONEY),  # sum of RMR04 naming it (every 820); null: none
    pa.field("difference", MONEY),  # invoiced_total - paid (short: positive; over: negative); null without both
    pa.field("invoice_amount", MONEY),  # RMR05 as the partner holds the invoice (the last 820's)
    pa.field("discount", MONEY),  # sum of RMR06
    pa.field("adjustment", MONEY),  # sum of ADX01 and of the 812s' signed amounts
    pa.field("reasons", pa.string()),  # ADX02 and CDD01 codes, space-separated, each once
    pa.field("remittances", pa.string()),  # "820 trace T (ISA13/GS06/ST02, file)"; "812 debit D-1 46.20 ..." ; "; "
    pa.field("paid_on", pa.date32()),  # the latest BPR16 that paid it
    # the amounts' currency: the 820's CUR02, else our 810's (the order's, else the partner's finance currency), else
    # the partner's finance currency (a document only they name); null: none known
    pa.field("currency", pa.string()),
])

REMITTANCE_KPIS = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    # the currency of the invoices counted (REMITTANCE_MATCH currency; null: none known): sums never add two
    pa.field("currency", pa.string()),
    pa.field("status", pa.string(), nullable=False),
    pa.field("invoices", pa.int64(), nullable=False),
    pa.field("invoiced_total", MONEY),
    pa.field("paid", MONEY),
    pa.field("difference", MONEY),
])
