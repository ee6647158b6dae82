"""An 810 states the terms agreed with the customer (customers.csv); a customer without an agreement gets
the terms its own PO sent (its 850's ITD: ITD01, ITD02, the discount percent with its days, the net days and
the description), where before its 810 had no ITD at all (retailers' 810 guides require one). Checked by our
validator, Bots and pyx12 with our maps."""

from __future__ import annotations

from datetime import date
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


# acme's demo PO with terms as grocers' and wholesalers' 850s date them: ITD04 the discount due date, ITD06
# the net due date, ITD13 the day of the month ("2% 10th prox": the 10th of the month after the invoice)
DATED = "ITD*08*3*2*20261215**20270110*30*****2% 15 DEC NET 10 JAN*10~"


def test_the_itd_dates_and_day_of_month_are_kept_and_echoed(tmp_path, maps):  # noqa: F811
    made = shipped(ACME_PO.replace("ITD*08*3*2**10**30~", DATED, 1))
    order = made[2].to_pylist()[0]
    assert (order["terms_discount_due_date"], order["terms_net_due_date"], order["terms_day_of_month"]) == (
        date(2026, 12, 15), date(2027, 1, 10), 10)
    assert order["terms_discount_days"] is None and order["terms_discount_percent_sent"] is None
    # no agreement: the 810 states the PO's terms, the percent dated by ITD04 and ITD13 (it used to drop both,
    # and the percent with them: ITD03 alone breaks L03040513)
    itds = [seg for seg in invoice_of(made, InvoiceSettings()) if seg[0] == "ITD"]
    assert itds == [["ITD", "08", "3", "2", "20261215", "", "20270110", "30", "", "", "", "",
                     "2% 15 DEC NET 10 JAN", "10"]]
    # an agreement states its own terms, not the PO's dates
    agreed = terms_from_customer({"terms_type": "01", "terms_net_days": 45})
    assert [seg for seg in invoice_of(made, InvoiceSettings(), terms=agreed) if seg[0] == "ITD"] == [
        ["ITD", "01", "3", "", "", "", "", "45"]]
    # a percent dated only by the day of the month
    assert terms_from_order({"terms_type": "08", "terms_discount_percent": Decimal(2), "terms_day_of_month": 10}) \
        == Terms("08", "3", Decimal(2), None, None, "", day_of_month=10)
    for partner in ("acme", "globex"):
        accepted(wrap_for(PROFILES[partner], "IN", "810", [invoice_of(made, InvoiceSettings())]), tmp_path, maps)


# Ace's spring dating with the discount also stated as an amount (ITD08 12.50), paid by check (ITD14 C); an
# installment PO (ITD01 04: half of the invoice, 500.00, due 2027-01-15, the rest net 30)
SPRING = "ITD*08*3*2*20270110**20270310**1250****SPRING DATING 2% JAN 10 NET MAR 10**C~"
INSTALMENT = "ITD*04*3*****30**20270115*50000*50*INSTALLMENT 50% JAN 15 BAL NET 30~"


def test_the_810_states_all_the_po_s_itd_can_carry(tmp_path, maps):  # noqa: F811
    """The PO's own terms on its 810 (no agreement, or ``terms = "po"``): ITD01-ITD15 as the PO sent them where an
    810 ITD carries them: the discount amount (ITD08), deferred or installment terms (ITD09 due date, ITD10
    amount, ITD11 percent of the invoice payable), the payment method (ITD14). They used to be dropped: the
    co-op's payables matched an ITD without its discount amount, an installment ITD01 04 without its due date,
    amount or percent. An ITD08 without what dates it, an ITD09 with none of ITD10/11/14 (L08040513,
    L09101114), or a value that is no number or date is left out."""
    # the 810 bills SHP-1001 (667.40), part of the PO: its amounts are this invoice's (xitd, engine.invoice
    # itd_segments): the discount amount 2 % of 667.40 (13.35, not the PO's 12.50), the installment its 50 % (333.70,
    # not the PO's 500.00)
    spring = shipped(ACME_PO.replace("ITD*08*3*2**10**30~", SPRING, 1))
    assert [seg for seg in invoice_of(spring, InvoiceSettings()) if seg[0] == "ITD"] == [
        ["ITD", "08", "3", "2", "20270110", "", "20270310", "", "1335", "", "", "",
         "SPRING DATING 2% JAN 10 NET MAR 10", "", "C"]]
    split = shipped(ACME_PO.replace("ITD*08*3*2**10**30~", INSTALMENT, 1))
    assert [seg for seg in invoice_of(split, InvoiceSettings()) if seg[0] == "ITD"] == [
        ["ITD", "04", "3", "", "", "", "", "30", "", "20270115", "33370", "50", "INSTALLMENT 50% JAN 15 BAL NET 30"]]
    for made in (spring, split):
        for partner in ("acme", "globex"):
            accepted(wrap_for(PROFILES[partner], "IN", "810", [invoice_of(made, InvoiceSettings())]), tmp_path, maps)
    sep = "\x1f"
    base = {"terms_type": "04", "terms_net_days": 30}
    assert terms_from_order({**base, "itd_sent": sep.join(["04", "3", "", "", "", "", "30", "2500", "20270115"])}) \
        == Terms("04", "3", None, None, 30)  # ITD08 undated, ITD09 alone: neither
    assert terms_from_order({**base, "itd_sent": sep.join(["04", "3", "", "", "", "", "30", "", "2027-01-15", "x",
                                                            "50", "", "", "", "0.5"])}) == Terms(
        "04", "3", None, None, 30, percent_payable=Decimal(50), percent=Decimal("0.5"))


def test_installments_in_several_itds_are_all_stated(tmp_path, maps):  # noqa: F811
    """A PO paying in installments sends one ITD per installment (ITD01 04: half due 2027-01-15, half 2027-02-15):
    the 810 stating the PO's terms writes each, in the order sent (it stated the first alone, half the invoice's
    terms); the orders table keeps the first in itd_sent, as before, and the others in itd_more_sent; an 855
    echoing the terms echoes each (it echoed the first alone: rg57, Pool Corporation's early-buy installments),
    up to the 855 heading's five."""
    from engine.po_ack import heading
    from schemas.fulfilment import PoAckSettings
    from schemas.orders import ITDS_SEP

    second = "ITD*04*3*******20270215*50000*50*INSTALLMENT 2 OF 2~"
    made = shipped(ACME_PO.replace("ITD*08*3*2**10**30~", INSTALMENT + second, 1).replace("SE*14*0001", "SE*15*0001"))
    order = made[2].to_pylist()[0]
    assert ITDS_SEP not in order["itd_sent"] and order["itd_more_sent"].split(ITDS_SEP) == [
        "04\x1f3\x1f\x1f\x1f\x1f\x1f\x1f\x1f20270215\x1f50000\x1f50\x1fINSTALLMENT 2 OF 2"]
    # the 810 of SHP-1001 (667.40): each installment its half of it (xitd: the PO's 500.00 each was more than the
    # invoice); the 855 acknowledges the PO: its amounts as sent
    assert [seg for seg in invoice_of(made, InvoiceSettings()) if seg[0] == "ITD"] == [
        ["ITD", "04", "3", "", "", "", "", "30", "", "20270115", "33370", "50", "INSTALLMENT 50% JAN 15 BAL NET 30"],
        ["ITD", "04", "3", "", "", "", "", "", "", "20270215", "33370", "50", "INSTALLMENT 2 OF 2"]]
    assert [seg for seg in heading(order, PoAckSettings(terms=True)) if seg[0] == "ITD"] == [
        ["ITD", "04", "3", "", "", "", "", "30", "", "20270115", "50000", "50", "INSTALLMENT 50% JAN 15 BAL NET 30"],
        ["ITD", "04", "3", "", "", "", "", "", "", "20270215", "50000", "50", "INSTALLMENT 2 OF 2"]]
    many = {**order, "itd_more_sent": ITDS_SEP.join([order["itd_more_sent"]] * 6)}
    assert sum(seg[0] == "ITD" for seg in heading(many, PoAckSettings(terms=True))) == 5
    for partner in ("acme", "globex"):
        accepted(wrap_for(PROFILES[partner], "IN", "810", [invoice_of(made, InvoiceSettings())]), tmp_path, maps)


def test_an_itd03_past_4_decimals_is_told_and_echoed_as_sent(tmp_path):
    from datetime import datetime

    from tests.support import make_workspace, run_stages

    text = ACME_PO.replace("ITD*08*3*2**10**30~", "ITD*08*3*1.12345**10**30~", 1)
    made = shipped(text)
    order = made[2].to_pylist()[0]
    assert (order["terms_discount_percent"], order["terms_discount_percent_sent"]) == (Decimal("1.1234"),
                                                                                        "1.12345")
    assert [seg for seg in invoice_of(made, InvoiceSettings()) if seg[0] == "ITD"] == [
        ["ITD", "08", "3", "1.12345", "", "10", "", "30"]]
    # trailing zeros are the same percent
    assert shipped(ACME_PO.replace("ITD*08*3*2**10**30~", "ITD*08*3*2.000000**10**30~", 1))[2].to_pylist()[0][
        "terms_discount_percent_sent"] is None
    # through a night: a warning naming both, the order acknowledged
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    inbox = ws.drop_root / "acme" / "inbox"
    for p in inbox.iterdir():
        p.unlink()
    (inbox / "po.x12").write_text(text)
    _results, run = run_stages(ws, datetime(2026, 11, 27, 2, 0))
    [f] = [f for f in run.findings if f.code == "TERMS_PERCENT_ROUNDED" and f.location.st02 == "0001"]
    assert f.severity == "warning"
    assert f.message.startswith("ITD03 1.12345% has more than 4 decimal places; our orders hold 1.1234% "
                                "(off by 0.00005 points)")
    assert list((ws.drop_root / "acme" / "outbox").glob("*855*"))
