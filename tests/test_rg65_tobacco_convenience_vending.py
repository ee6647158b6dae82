"""Convenience and tobacco distributors, a vending operator and a convenience chain buying direct, in the shapes of
their trade (McLane's public vendor notes - its product numbers six digits with leading zeros, FREIGHT / TAX charge
codes on invoices, branch DCs on their own ERPs -; no Core-Mark, Eby-Brown, Canteen or Sheetz guide was found in the
public corpus: the shapes are the trade's common ones, cigarettes by the carton of 10 packs and the case of 50
cartons, candy in display boxes, a distributor's state licence and resale exemption): tests/fixtures/rg65/ holds each
one's profile, reference rows, stock, 850s and the east DC's confirmation of what shipped (the rg2 DC). McLane
(004010 to a branch DC by its number; cigarettes by the case, PO1 CA with PO4 50 10 PK; candy by the case of 12
display boxes of 36, PO4 12 1.55 OZ with PO414 36; its item numbers, PO1 IN, with leading zeros; a promotion per
carton on the line of cases, SAC A F800 at a rate per CT for its 500 CT; its distributor licence REF 0B, quoted back
on our 810, and resale exemption TAX12 3; a delivery appointment, DTM 002 with a time); Core-Mark (005010;
cigarettes by the carton, PO1 CT with PO4 10 20 EA, with a promotional allowance per carton off invoice, SAC A F800
at a rate per CT; moist snuff by the roll of 5 cans, RL); Eby-Brown (004010; cigarillos by the box of 15 pouches of
an item counted in pouches, BX with PO4 15 2 EA; candy by the display box, PO4 1 with PO414 18; 2 % off the whole
order, a heading SAC A F800 percent, off invoice; a delivery window DTM 064/063); Canteen (004010, a vending and
micro-market operator: candy bars by the display box of 36, chips by the case of 104 bags); Sheetz (005010, a
convenience chain buying for its DC in Pennsylvania: PA-stamped cigarettes by the carton, the stamp's excise stated
on the line, TXI SE with its jurisdiction SP PA; vapor pods, billed with Pennsylvania's 40 % tax on vapor products
on our 810, TXI SE; its resale exemption, TAX12 3, of the 6 % sales tax). One night takes them all: inspect, the
997s and 855s, then the 856s (cartons on pallets) and 810s, checked by our validator, Bots and pyx12."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg65"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"mclane": {"MC6500118": 2}, "coremark": {"CM65002201": 2}, "ebybrown": {"EB6503307": 2},
       "canteen": {"CN6504410": 3}, "sheetz": {"SZ6505512": 3}}
# McLane's, Core-Mark's and Eby-Brown's off-invoice promotions (SAC A F800, SAC12 02) are billed on our 810s: told,
# as for every partner (without a profile inspect cannot know they are)
NOTED = {"SAC_NOT_APPLIED"}
NIGHT_NOTED = {"SAC_NOT_APPLIED", "ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg65") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # McLane: its item numbers with their leading zeros echoed; the cases of cigarettes and of candy counted as
    # ordered on its pallet (S-O-T-P-I: a tare, then a pack per case)
    ack = po_segments(segments(ws, "mclane", "855"), "MC6500118", "BAK")
    assert ["PO1", "1", "10", "CA", "3075", "", "IN", "004217", "UP", "614141565016", "VN", "RG65-01"] in ack
    asn = po_segments(segments(ws, "mclane", "856"), "MC-SHP-01", "BSN")
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "T", *["P", "I"] * 16]
    assert ["TD1", "PLT94", "1"] in asn and asn.count(["SN1", "", "1", "CA", "", "10", "CA"]) == 10
    assert ["LIN", "2", "UP", "614141565047", "VN", "RG65-04", "IN", "018834"] in asn
    # its 810: the promotion per carton on the line of cases, for the 500 cartons of its 10 cases (SAC10), 750.00
    inv = po_segments(segments(ws, "mclane", "810"), "MC6500118", "BIG")
    assert [s for s in inv if s[0] in ("IT1", "SAC", "TDS", "TXI")] == [
        ["IT1", "1", "10", "CA", "3075", "", "IN", "004217", "UP", "614141565016", "VN", "RG65-01"],
        ["SAC", "A", "F800", "", "", "75000", "", "", "1.5", "CT", "500", "", "02", "", "", "CARTON PROMOTION"],
        ["IT1", "2", "6", "CA", "410.4", "", "IN", "018834", "UP", "614141565047", "VN", "RG65-04"],
        ["TDS", "3246240"]]  # no tax: the distributor stamps the cartons and pays the state's excise itself
    # Core-Mark: cartons and rolls as ordered, the promotion per carton off the 810 at its rate (250 CT x 1.50)
    inv = po_segments(segments(ws, "coremark", "810"), "CM65002201", "BIG")
    assert [s for s in inv if s[0] in ("IT1", "SAC", "TDS")] == [
        ["IT1", "1", "250", "CT", "63", "", "UP", "614141565023", "VN", "RG65-02", "IN", "3301457"],
        ["SAC", "A", "F800", "", "", "37500", "", "", "1.5", "CT", "250", "", "02", "", "", "CARTON PROMOTION"],
        ["IT1", "2", "40", "RL", "21", "", "UP", "614141565030", "VN", "RG65-03", "IN", "3302288"],
        ["TDS", "1621500"]]
    # Eby-Brown: cigarillos by the box of 15 pouches, 2 % off the whole order (of 1,335.00: 26.70)
    inv = po_segments(segments(ws, "ebybrown", "810"), "EB6503307", "BIG")
    assert ["IT1", "1", "40", "BX", "16.5", "", "UP", "614141565078", "VN", "RG65-07", "IN", "442170"] in inv
    assert ["TDS", "130830"] in inv
    assert ["SAC", "A", "F800", "", "", "2670", "1", "2", "", "", "", "", "02", "", "", "SPRING PROMO 2 PCT"] in inv
    # Canteen: display boxes and cases as ordered, to its branch
    inv = po_segments(segments(ws, "canteen", "810"), "CN6504410", "BIG")
    assert [s[1:4] for s in inv if s[0] == "IT1"] == [["1", "24", "BX"], ["2", "10", "CA"], ["3", "12", "BX"]]
    assert ["N1", "ST", "CANTEEN DENVER", "92", "0512"] in inv and ["TDS", "152760"] in inv


def test_an_excise_is_billed_to_a_buyer_exempt_from_the_sales_tax_for_resale(night):
    """Sheetz buys for resale (TAX*76543210*SP*PA*********3) and its profile bills Pennsylvania's 6 % sales tax and
    its 40 % tax on vapor products (an excise, kind "excise", code SE, on items of no cigarette or candy class). The
    resale certificate exempts it from the sales tax, not from the excise the wholesaler owes on its sale to the
    retailer: the 810 carries TXI SE 360.00 (40 % of the 900.00 of vapor pods) and no ST, TDS 10,420.40. A profile
    could not say so (kind was GST, HST, QST, PST or sales: "excise" refused, and as a second "sales" tax of PA
    refused too), and a tax of kind "sales" standing for it would have been dropped by the resale exemption."""
    ws, _found, _states = night
    inv = po_segments(segments(ws, "sheetz", "810"), "SZ6505512", "BIG")
    assert [s for s in inv if s[0] in ("TXI", "TDS")] == [["TDS", "1042040"], ["TXI", "SE", "360", "40"]]
    asn = po_segments(segments(ws, "sheetz", "856"), "SZ-SHP-01", "BSN")
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "T", *["P", "I"] * 4]


def test_which_exemptions_exempt_an_excise():
    from engine.invoice_taxes import exempt
    from schemas.fulfilment import InvoiceTax
    from schemas.orders import ELEMENTS_SEP

    excise = InvoiceTax(kind="excise", code="SE", percent=40, regions=("PA",))
    sales = InvoiceTax(kind="sales", code="ST", percent=6, regions=("PA",))

    def order(code, *place):
        return {"tax_sent": ELEMENTS_SEP.join(["76543210", *place, *[""] * (10 - len(place)), code])}

    for code in "357A":  # sales and use tax exemptions: for resale, not for resale, direct pay, material exempt
        assert exempt(sales, order(code), "PA") and not exempt(excise, order(code), "PA"), code
    for code in "0189C":  # export, tax exempt, the US government, per state law, not taxable: every tax
        assert exempt(sales, order(code), "PA") and exempt(excise, order(code), "PA"), code
    assert exempt(excise, order("0", "SP", "PA"), "PA") and not exempt(excise, order("0", "SP", "NJ"), "PA")
    assert not exempt(excise, order("2"), "PA")


def test_a_distributor_s_state_licence_is_quoted_back_on_the_810(night):
    """McLane states its state distributor licence in the heading (REF*0B*FL-DT-0046211), which an invoice of
    cigarettes must name (a state's cigarette tax law asks every invoice for the purchaser's permit or licence
    number), and its profile asks the 810 to quote it ([fulfilment.invoice] order_refs = ["0B"]). The heading's REF
    0B was kept by no column and order_refs knew no 0B: the profile was refused, and a licence stated in the heading
    (not in the bill-to's N1 loop, party_refs) could reach no 810. Now ORDERS state_licence, order_refs 0B: the 810
    carries REF*0B as sent after REF*IA; the 855 and 856, whose profiles do not list it, do not."""
    ws, _found, _states = night
    inv = po_segments(segments(ws, "mclane", "810"), "MC6500118", "BIG")
    assert [s for s in inv if s[0] == "REF"] == [["REF", "BM", "BOL-MC6501"], ["REF", "IA", "MC4410"],
                                                  ["REF", "0B", "FL-DT-0046211"]]
    for kind, head, key in (("855", "BAK", "MC6500118"), ("856", "BSN", "MC-SHP-01")):
        assert ["REF", "0B", "FL-DT-0046211"] not in po_segments(segments(ws, "mclane", kind), key, head)
