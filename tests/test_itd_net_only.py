"""An 810's ITD for net-only terms carries no discount (engine.invoice.itd_segment): an agreement written "0 % 0 days
net 30" in customers.csv (terms_discount_percent 0, terms_discount_days 0), or a PO's own ITD*01*3*0**0**30, used to
be billed as ITD*01*3*0**0**30 - a discount of 0 % due in 0 days, which a buyer's AP reads as terms other than the
agreed net 30. ITD03, ITD04, ITD05 and ITD08 are left out when there is no discount; a real discount is written as
before. (The 855 echoes the PO's own ITD as the buyer sent it, zeros included: its words, not terms of ours.)"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.invoice import build_810, itd_segment, terms_from_customer, terms_from_order
from schemas.fulfilment import InvoiceSettings
from schemas.invoices import Invoice, InvoiceLine, Terms
from schemas.orders import ELEMENTS_SEP
from schemas.shipments import ProductId

D = Decimal


@pytest.mark.parametrize("customer", [
    {"terms_type": "01", "terms_net_days": 30, "terms_discount_percent": D("0.00"), "terms_discount_days": 0},
    {"terms_type": "01", "terms_net_days": 30, "terms_discount_percent": D("0"), "terms_discount_days": None},
    {"terms_type": "01", "terms_net_days": 30, "terms_discount_percent": None, "terms_discount_days": 0},
])
def test_agreed_net_only_terms_write_no_zero_discount(customer):
    assert itd_segment(terms_from_customer(customer)) == ["ITD", "01", "3", "", "", "", "", "30"]


def test_a_pos_own_net_only_itd_with_zero_discount_is_billed_without_it():
    order = {"terms_type": "01", "terms_basis_date": "3", "terms_discount_percent": D(0), "terms_discount_days": 0,
             "terms_net_days": 30, "itd_sent": ELEMENTS_SEP.join(["01", "3", "0", "", "0", "", "30"])}
    assert itd_segment(terms_from_order(order)) == ["ITD", "01", "3", "", "", "", "", "30"]


def test_a_zero_discount_amount_and_its_date_are_left_out_too():
    terms = Terms("05", "3", D(0), 0, 45, discount_due_date=date(2026, 12, 10), discount_amount=D(0))
    assert itd_segment(terms) == ["ITD", "05", "3", "", "", "", "", "45"]


@pytest.mark.parametrize(("terms", "segment"), [
    (Terms("08", "3", D("2"), 10, 30, "2% 10 NET 30"),
     ["ITD", "08", "3", "2", "", "10", "", "30", "", "", "", "", "2% 10 NET 30"]),
    (Terms("08", "3", None, 10, 30, discount_amount=D("12.5")), ["ITD", "08", "3", "", "", "10", "", "30", "1250"]),
    (Terms("01", "3", None, None, 60), ["ITD", "01", "3", "", "", "", "", "60"]),
])
def test_a_real_discount_is_written_as_before(terms, segment):
    assert itd_segment(terms) == segment


def test_the_810_of_net_only_terms_passes_our_outbound_check():
    from rules.outbound import validate_outbound
    from tests.shipping_support import PROFILES, wrap_for

    terms = terms_from_customer({"terms_type": "01", "terms_net_days": 30, "terms_discount_percent": D(0),
                                 "terms_discount_days": 0})
    line = InvoiceLine("1", D(12), "EA", D("2.50"), (ProductId("VN", "SKU-1"),), "PE", "WIDGET")
    inv = Invoice(invoice_number="INV-1", invoice_date=date(2026, 11, 28), po_number="PO-1", lines=(line,),
                  po_date=date(2026, 11, 20), terms=terms)
    body = build_810(inv, InvoiceSettings(remit_to="OrderBridge Supply"), shipped={"1": D(12)})
    assert [s for s in body if s[0] == "ITD"] == [["ITD", "01", "3", "", "", "", "", "30"]]
    found = validate_outbound(wrap_for(PROFILES["acme"], "IN", "810", [body]))
    assert [f.code for f in found if f.severity == "error"] == []
