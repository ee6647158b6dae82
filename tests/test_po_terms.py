"""An 810 states the terms agreed with the customer (customers.csv); a customer without an agreement gets
the terms its own PO sent (its 850's ITD: ITD01, ITD02, the discount percent with its days, the net days and
the description), where before its 810 had no ITD at all (retailers' 810 guides require one). Checked by our
validator, Bots and pyx12 with our maps."""

from __future__ import annotations

from decimal import Decimal

from engine.invoice import terms_from_customer, terms_from_order
from schemas.fulfilment import InvoiceSettings
from schemas.invoices import Terms
from tests.shipping_support import PROFILES, wrap_for
from tests.test_mark_for import ACME_PO, accepted, maps, shipped  # noqa: F401 (maps: a fixture)
from tests.test_order_refs import invoice_of, with_refs


def test_the_pos_own_itd_as_terms():
    sent = {"terms_type": "08", "terms_basis_date": "15", "terms_discount_percent": Decimal("2"),
            "terms_discount_days": 10, "terms_net_days": 30, "terms_description": "2% 10 NET 30"}
    assert terms_from_order(sent) == Terms("08", "15", Decimal("2"), 10, 30, "2% 10 NET 30")
    # a discount percent without its days (the PO gave a discount due date, ITD04, which we do not keep): no
    # discount written (ITD03 alone breaks L03040513); no ITD02: 3 (invoice date)
    assert terms_from_order({**sent, "terms_discount_days": None, "terms_basis_date": None}) == Terms(
        "08", "3", None, None, 30, "2% 10 NET 30")
    assert terms_from_order({"terms_type": None, "terms_net_days": 30}) is None
    assert terms_from_order({}) is None


def test_an_810_without_an_agreement_states_the_terms_the_po_sent(tmp_path, maps):  # noqa: F811
    agreed = terms_from_customer({"terms_type": "01", "terms_net_days": 45})
    made = shipped(with_refs("REF*DP*042"))  # acme's demo PO: ITD*08*3*2**10**30
    shipments, _confirmed, _orders, _lines = made
    itds = {name: [seg for seg in invoice_of(made, InvoiceSettings(), terms=terms) if seg[0] == "ITD"]
            for name, terms in (("agreed", agreed), ("none", None))}
    assert itds["agreed"] == [["ITD", "01", "3", "", "", "", "", "45"]]
    assert itds["none"] == [["ITD", "08", "3", "2", "", "10", "", "30"]]
    plain = shipped(ACME_PO.replace("ITD*08*3*2**10**30~", "", 1).replace("SE*14*0001", "SE*13*0001"))  # ACME-1000
    assert [seg for seg in invoice_of(plain, InvoiceSettings()) if seg[0] == "ITD"] == []
    for partner in ("acme", "globex"):
        accepted(wrap_for(PROFILES[partner], "IN", "810", [invoice_of(made, InvoiceSettings())]), tmp_path, maps)
