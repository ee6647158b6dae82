"""A PO's ITD amounts are amounts of the PO; an 810 that states the PO's terms bills one shipment of it (per-shipment
invoicing) or what shipped of it (a short shipment billed per order), and its ITDs are that invoice's terms. They
used to echo the PO's amounts (xitd, from rg57's observation): installments of 500.00 and 500.00 (ITD10) on 810s of
667.40 and 493.20, so each 810 told its buyer's payables 1,000.00 due on an invoice of less. Now (engine.invoice
itd_segments):
- ITD10 with its share (ITD11, percent of the invoice payable) is that share of this 810's total (TDS01), half up
  to the cent; when the shares of such ITDs make 100 %, the last takes what is left, so they add up to TDS01;
- ITD08 with its percent (ITD03) is that percent of TDS01 (X12: ITD08 the total amount of terms discount);
- ITD10 without a share, ITD08 without a percent: no part of this invoice can be told from them: left out (and
  ITD09 with it when no ITD11 or ITD14 is left to go with it: L09101114);
dates, days, percents and words are kept as sent. An 855 acknowledges the whole PO: it echoes the ITDs as sent."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal

import pytest

from engine.invoice import build_810, invoices_for_shipment, itd_segments
from schemas.fulfilment import InvoiceSettings
from schemas.invoices import Terms
from tests.shipping_support import PROFILES, wrap_for
from tests.support import REPO
from tests.test_mark_for import ACME_PO, accepted, maps, shipped  # noqa: F401 (maps: a fixture)

# acme's demo PO ACME-1000 (1,160.60: 10 x 19.70, 24 x 39.20, 5 x 4.56) paid in two installments, each stated as
# an amount (ITD10, N2) and a share (ITD11); the demo's confirmations ship it in two shipments: SHP-1001 (lines 1
# and half of 2: 667.40) and SHP-1002 (line 3: 22.80)
FIRST = "ITD*04*3*****30**20270115*58030*50*INSTALLMENT 1 OF 2~"
SECOND = "ITD*04*3*******20270215*58030*50*INSTALLMENT 2 OF 2~"
PO = ACME_PO.replace("ITD*08*3*2**10**30~", FIRST + SECOND, 1).replace("SE*14*0001", "SE*15*0001")


def per_shipment(made):
    """The 810 of each shipment of ACME-1000 (per-shipment invoicing), in the order shipped."""
    shipments, _confirmed, orders, lines = made
    order_rows = {o["po_number"]: o for o in orders.to_pylist()}
    line_rows = {(ln["po_number"], ln["line_id"]): ln for ln in lines.to_pylist()}
    prices = {k: v["unit_price"] for k, v in line_rows.items()}
    out = []
    for n, shipment in enumerate(shipments):
        if not any(o.po_number == "ACME-1000" for o in shipment.orders):
            continue
        (inv,) = [i for i in invoices_for_shipment(shipment, order_rows, line_rows, prices,
                                                   numbers={o.po_number: f"INV-{n}" for o in shipment.orders},
                                                   invoice_date=date(2026, 11, 28), settings=InvoiceSettings())
                  if i.po_number == "ACME-1000"]
        out.append(build_810(inv, InvoiceSettings(), shipped={ln.line_id: ln.quantity for ln in inv.lines}))
    return out


def total(body) -> Decimal:
    (tds,) = [s for s in body if s[0] == "TDS"]
    return Decimal(tds[1]) / 100


def test_each_shipment_s_810_states_installments_of_its_own_total(tmp_path, maps):  # noqa: F811
    bodies = per_shipment(shipped(PO))
    assert [total(b) for b in bodies] == [Decimal("667.40"), Decimal("22.80")]
    itds = [[s for s in b if s[0] == "ITD"] for b in bodies]
    assert itds == [
        [["ITD", "04", "3", "", "", "", "", "30", "", "20270115", "33370", "50", "INSTALLMENT 1 OF 2"],
         ["ITD", "04", "3", "", "", "", "", "", "", "20270215", "33370", "50", "INSTALLMENT 2 OF 2"]],
        [["ITD", "04", "3", "", "", "", "", "30", "", "20270115", "1140", "50", "INSTALLMENT 1 OF 2"],
         ["ITD", "04", "3", "", "", "", "", "", "", "20270215", "1140", "50", "INSTALLMENT 2 OF 2"]]]
    for body in bodies:  # the installments add up to the invoice, never past it
        assert sum(Decimal(s[10]) / 100 for s in body if s[0] == "ITD") == total(body)
    for body in bodies:
        for partner in ("acme", "globex"):
            accepted(wrap_for(PROFILES[partner], "IN", "810", [body]), tmp_path, maps)


def test_the_last_installment_takes_the_cents_left():
    thirds = Terms("04", deferred_due_date=date(2027, 4, 10), deferred_amount=Decimal("100.00"),
                   percent_payable=Decimal("33.33"), description="1 OF 3", more=(
                       Terms("04", deferred_due_date=date(2027, 5, 10), deferred_amount=Decimal("100.00"),
                             percent_payable=Decimal("33.33"), description="2 OF 3"),
                       Terms("04", deferred_due_date=date(2027, 6, 10), deferred_amount=Decimal("100.00"),
                             percent_payable=Decimal("33.34"), description="3 OF 3")))
    assert [s[10] for s in itd_segments(thirds, Decimal("100.01"))] == ["3333", "3333", "3335"]
    assert [s[10] for s in itd_segments(thirds, Decimal("300.00"))] == ["9999", "9999", "10002"]
    # shares that do not make 100 %: each its own share, half up
    half = Terms("04", deferred_due_date=date(2027, 1, 15), deferred_amount=Decimal("500.00"),
                 percent_payable=Decimal("50"), net_days=30)
    assert itd_segments(half, Decimal("667.41")) == [
        ["ITD", "04", "3", "", "", "", "", "30", "", "20270115", "33371", "50"]]
    # no total given (not an 810's): as sent
    assert [s[10] for s in itd_segments(thirds)] == ["10000", "10000", "10000"]


def test_amounts_with_no_share_are_left_out_and_a_discount_amount_is_its_percent_of_the_invoice():
    # ITD10 alone: no part of this invoice is told; ITD09 goes with it (L09101114), the words stay
    alone = Terms("04", deferred_due_date=date(2027, 1, 15), deferred_amount=Decimal("500.00"), description="HALF")
    assert itd_segments(alone, Decimal("667.40")) == [["ITD", "04", "3", "", "", "", "", "", "", "", "", "",
                                                       "HALF"]]
    # ITD10 alone with a payment method: ITD09 stays (ITD14 goes with it)
    paid = Terms("04", deferred_due_date=date(2027, 1, 15), deferred_amount=Decimal("500.00"), payment_method="C")
    assert itd_segments(paid, Decimal("667.40")) == [["ITD", "04", "3", "", "", "", "", "", "", "20270115", "", "",
                                                      "", "", "C"]]
    # ITD08 with its percent: 2 % of 667.40 is 13.348, 13.35; without a percent: left out with its dates
    spring = Terms("08", discount_percent=Decimal(2), discount_due_date=date(2027, 1, 10),
                   net_due_date=date(2027, 3, 10), discount_amount=Decimal("12.50"))
    assert itd_segments(spring, Decimal("667.40")) == [["ITD", "08", "3", "2", "20270110", "", "20270310", "",
                                                        "1335"]]
    flat = Terms("08", discount_due_date=date(2027, 1, 10), net_due_date=date(2027, 3, 10),
                 discount_amount=Decimal("12.50"))
    assert itd_segments(flat, Decimal("667.40")) == [["ITD", "08", "3", "", "", "", "20270310"]]


def test_the_855_echoes_the_po_s_amounts_as_sent():
    """The 855 acknowledges the whole PO: its amounts are the PO's (unchanged)."""
    from engine.po_ack import heading
    from schemas.fulfilment import PoAckSettings

    order = shipped(PO)[2].to_pylist()[0]
    assert [s for s in heading(order, PoAckSettings(terms=True)) if s[0] == "ITD"] == [
        ["ITD", "04", "3", "", "", "", "", "30", "", "20270115", "58030", "50", "INSTALLMENT 1 OF 2"],
        ["ITD", "04", "3", "", "", "", "", "", "", "20270215", "58030", "50", "INSTALLMENT 2 OF 2"]]


# rg57's Pool Corporation early buy (PO PC5701120: 17,036.40) with each installment also stated as an amount (ITD10:
# 5,678.23, 5,678.23 and 5,679.94, a third each of the PO), billed per shipment ([fulfilment.invoice] per), the east DC
# shipping the chemicals (12,140.40) and the pump (4,896.00) as two shipments
RG57 = REPO / "tests" / "fixtures" / "rg57"
THIRDS = [("20270410", "567823", "33.33", 1), ("20270510", "567823", "33.33", 2), ("20270610", "567994", "33.34", 3)]


@pytest.fixture(scope="module")
def pool_night(tmp_path_factory):
    from tests.retailer_support import of_its_own, shipped_night

    fixtures = tmp_path_factory.mktemp("xitd-fixtures")
    for folder in ("partners", "reference", "warehouses"):
        shutil.copytree(RG57 / folder, fixtures / folder)
    shutil.copy2(RG57 / "stock.csv", fixtures / "stock.csv")
    profile = fixtures / "partners" / "poolcorp.toml"
    profile.write_text(profile.read_text().replace('[fulfilment.invoice]\nper = "order"',
                                                   '[fulfilment.invoice]\nper = "shipment"', 1))
    (fixtures / "drops" / "poolcorp").mkdir(parents=True)
    po = (RG57 / "drops" / "poolcorp" / "poolcorp-850-PC5701120.x12").read_text()
    for d, amount, share, _n in THIRDS:
        old = f"ITD*04*3*******{d}**{share}*"
        assert old in po
        po = po.replace(old, f"ITD*04*3*******{d}*{amount}*{share}*", 1)
    (fixtures / "drops" / "poolcorp" / "poolcorp-850-PC5701120.x12").write_text(po)
    (fixtures / "shipments").mkdir()
    rows = (RG57 / "shipments" / "east-shipments-20261201.csv").read_text().splitlines()
    pool = [r for r in rows[1:] if r.startswith("PC-SHP-01,")]
    pool[2] = pool[2].replace("PC-SHP-01,", "PC-SHP-02,", 1).replace(",BOL-PC,", ",BOL-PC2,", 1)
    (fixtures / "shipments" / "east-shipments-20261201.csv").write_text("\n".join([rows[0], *pool]) + "\n")
    ws = of_its_own(fixtures, tmp_path_factory.mktemp("xitd") / "ws", warehouses=fixtures / "warehouses")
    return shipped_night(ws, fixtures, datetime(2026, 11, 25, 2), datetime(2026, 12, 1, 15))


def test_per_shipment_810s_of_an_early_buy_state_installments_of_their_own_totals(pool_night, tmp_path,
                                                                                  maps):  # noqa: F811
    from tests.retailer_support import all_sent_accepted, segments

    ws, _found, states = pool_night
    assert states[("poolcorp", "PC5701120")] == "invoiced", states
    got = segments(ws, "poolcorp", "810")
    bodies, body = [], None
    for s in got:
        if s[0] == "ST":
            body = []
        if body is not None:
            body.append(s)
        if s[0] == "SE":
            bodies.append(body)
            body = None
    assert sorted(total(b) for b in bodies) == [Decimal("4896.00"), Decimal("12140.40")]
    expected = {Decimal("12140.40"): ["404640", "404640", "404760"], Decimal("4896.00"): ["163184", "163184", "163232"]}
    for b in bodies:
        itds = [s for s in b if s[0] == "ITD"]
        assert [s[10] for s in itds] == expected[total(b)]
        assert [(s[9], s[11], s[12]) for s in itds] == [(d, share, f"EARLY BUY {n} OF 3") for d, _a, share, n in THIRDS]
        assert sum(Decimal(s[10]) for s in itds) / 100 == total(b)
    # the 855 acknowledges the PO: the PO's amounts as sent
    ack = segments(ws, "poolcorp", "855")
    assert [s[9:13] for s in ack if s[0] == "ITD"] == [[d, a, share, f"EARLY BUY {n} OF 3"]
                                                       for d, a, share, n in THIRDS]
    all_sent_accepted(ws, {"poolcorp": {"PC5701120": 3}}, tmp_path, maps, shipments=2, answers=1)


def test_an_installment_of_an_amount_alone_is_billed_by_its_words(tmp_path, maps):  # noqa: F811
    """``ITD*04*3*******20270115*50000**HALF JAN 15`` (500.00 due 2027-01-15, no share) on an 810 of 667.40 and one of
    22.80: no share of either can be told, so neither states the 500.00 nor its date (ITD09 needs ITD10, 11 or 14:
    L09101114); the words stay. X12's note on ITD01 04 (ITD10 or ITD11) is a semantic note: our validator, Bots and
    pyx12 accept the 810s."""
    po = ACME_PO.replace("ITD*08*3*2**10**30~", "ITD*04*3*******20270115*50000**HALF JAN 15~", 1)
    bodies = per_shipment(shipped(po))
    assert [[s for s in b if s[0] == "ITD"] for b in bodies] == [
        [["ITD", "04", "3", "", "", "", "", "", "", "", "", "", "HALF JAN 15"]]] * 2
    for body in bodies:
        for partner in ("acme", "globex"):
            accepted(wrap_for(PROFILES[partner], "IN", "810", [body]), tmp_path, maps)
