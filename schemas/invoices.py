"""The typed invoice the 810 builder (engine.invoice) renders: one purchase order's lines at the
agreed prices, the terms of the customer's agreement and the charges of the partner's profile.

Definitions only. Money is Decimal; rounding is the builder's stated rule (half up to cents, per
line), never the model's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from schemas.fulfilment import Charge
from schemas.shipments import Party, ProductId


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    line_id: str  # IT101: the PO101 of the order line
    quantity: Decimal  # IT102: units invoiced (never more than shipped)
    unit: str  # IT103
    unit_price: Decimal  # IT104: the price we acknowledged (855, including IP changes)
    product_ids: tuple[ProductId, ...] = ()  # IT106.. pairs
    price_basis: str = ""  # IT105 (PE price per each, ...)
    description: str = ""  # PID05
    refs: tuple[tuple[str, str], ...] = ()  # the PO line's own REFs (REF01, REF02) as sent (schemas.orders line_refs)
    # the PO line's own CTPs (CTP01..CTP05) as sent (schemas.orders line_prices)
    prices: tuple[tuple[str, ...], ...] = ()


# ITD01 (X12 element 336) codes naming one kind of terms: 01 "Basic" and 08 "Basic Discount Offered" (basic terms,
# the discount offered in ITD03-05 and the net days in ITD07); every other code is a kind of its own (02 end of month,
# 05 discount not applicable, 09 proximo, 14 previously agreed upon ...)
BASIC_TERMS_TYPES = frozenset({"01", "08"})


def same_kind_terms_types(code: str) -> frozenset[str]:
    """The ITD01 codes naming the kind of terms ``code`` names: both basic codes for either, else ``code`` alone."""
    return BASIC_TERMS_TYPES if code in BASIC_TERMS_TYPES else frozenset({code})


@dataclass(frozen=True, slots=True)
class Terms:
    """ITD: the terms of sale agreed with the customer (reference data customers.csv)."""

    type: str = "01"  # ITD01: 01 basic, 08 basic discount offered, 05 discount not applicable, ...
    basis_date: str = "3"  # ITD02: 3 invoice date
    discount_percent: Decimal | None = None  # ITD03
    discount_days: int | None = None  # ITD05
    net_days: int | None = None  # ITD07
    description: str = ""  # ITD12
    # the PO's own dates and day (engine.invoice.terms_from_order; an agreement names days only)
    discount_due_date: date | None = None  # ITD04: pay by then to earn the discount
    net_due_date: date | None = None  # ITD06: the whole amount due by then
    day_of_month: int | None = None  # ITD13: the day of the month payment is due (10: "2% 10th prox")
    # the rest of the PO's own ITD (terms_from_order): a discount as an amount, deferred or installment terms
    discount_amount: Decimal | None = None  # ITD08: the discount's amount (N2)
    deferred_due_date: date | None = None  # ITD09: the date a deferred or installment amount is due
    deferred_amount: Decimal | None = None  # ITD10: the amount then due (N2)
    percent_payable: Decimal | None = None  # ITD11: the percent of the invoice then payable
    payment_method: str = ""  # ITD14: payment method code (C check, E electronic ...)
    percent: Decimal | None = None  # ITD15: a percent (its meaning as ITD01 gives it)
    more: tuple[Terms, ...] = ()  # the PO's further ITDs, each its own ITD after this one (installments)


@dataclass(frozen=True, slots=True)
class Invoice:
    invoice_number: str  # BIG02, from the persisted per-partner sequence
    invoice_date: date  # BIG01
    po_number: str  # BIG04
    lines: tuple[InvoiceLine, ...]
    po_date: date | None = None  # BIG03
    release_number: str = ""  # BIG05
    currency: str = ""  # CUR02
    shipment_id: str = ""  # REF SI: the 856 this invoice bills (per-shipment invoicing)
    bill_of_lading: str = ""  # REF BM
    remit_to: Party | None = None  # N1 RE
    bill_to: Party | None = None  # N1 BT
    ship_to: Party | None = None  # N1 ST
    mark_for: Party | None = None  # N1 Z7 or BY: the mark-for store the PO named (engine.asn.mark_for_party)
    # the PO's REF DP/PD/MR ... (REF01, REF02, and REF03 where sent) as sent (engine.asn.order_refs)
    refs: tuple[tuple[str, ...], ...] = ()
    # the REFs of the PO's heading N1 loops (N101, REF01, REF02) as sent (schemas.orders party_refs_sent): those of
    # its BT and ST loops InvoiceSettings.party_refs lists are written in the 810's
    party_refs: tuple[tuple[str, str, str], ...] = ()
    terms: Terms | None = None
    ship_date: date | None = None  # DTM 011
    charges: tuple[Charge, ...] = ()  # SAC (summary level)
    partner: str = ""
    # CAD: (carrier, bill of lading) of the shipment billed (its last, for an order), and its transport method (CAD01)
    # third where the partner's version needs one (engine.lifecycle.billing._carrier)
    carrier: tuple[str, ...] = ()
    fob: tuple[str, ...] = ()  # the PO's first heading FOB as sent (FOB01..), for InvoiceSettings.fob

