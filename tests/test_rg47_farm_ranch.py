"""Farm-and-ranch and rural lifestyle chains, in the shapes the SPS-style 850 4010 guides of the trade use (no
chain's own guide was found in the public corpus: the shapes are the common farm-store ones): tests/fixtures/rg47/
holds each one's profile, reference rows, stock, 850s and the east DC's confirmation of what shipped (the rg2 DC).
Murdoch's Ranch & Home (bagged feed in bags, BG, the bag's weight in PO4, and by the pallet of 40 bags, PL; FOB PP
with a no-charge freight SAC paid by the vendor; seasonal dating, ITD 03 with a fixed net due date); Coastal Farm &
Ranch (a DC order for its stores, SDQ by store 92, shipped store by store; a delivery appointment DTM 002 with time
and zone; 1 lb propane cylinders marked hazardous, TD4 HM D 2.1); Orscheln Farm & Home (its DUNS; fertiliser by the
pallet marked hazardous, TD4 HM D 5.1; grass seed ordered by the pound). One night takes them all: inspect, the
997s and 855s, then the 856s and 810s, checked by our validator, Bots and pyx12."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    accepted_as_ordered,
    all_sent_accepted,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg47"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"murdochs": {"MR4471120": 2}, "coastal": {"CF2611240": 2}, "orscheln": {"OR7734410": 2}}
NOTED = {"SDQ_NOT_APPLIED", "NOTES_NOT_KEPT"}
NIGHT_NOTED = {"ASN_LATE", "NOTES_NOT_KEPT"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg47") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    assert not [f for f in found if f[1] == "error"], found
    assert {f[0] for f in found} <= NIGHT_NOTED, found
    accepted_as_ordered(ws, POS)
    assert states == {(p, po): "invoiced" for p, pos in POS.items() for po in pos}


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # Murdoch's feed billed by the bag and by the pallet as ordered (80 x 14.25 + 2 x 520.00)
    inv = po_segments(segments(ws, "murdochs", "810"), "MR4471120", "BIG")
    assert ["IT1", "2", "2", "PL", "520", "", "UP", "614141547029", "VN", "RG47-02"] in inv and ["TDS", "218000"] in inv
    # Coastal's stores each their own order level (N1 BY 92), the propane packs shipped per store
    asn = po_segments(segments(ws, "coastal", "856"), "CF-SHP-01", "BSN")
    assert [s for s in asn if s[:2] == ["N1", "BY"]] == [["N1", "BY", "", "92", s] for s in ("0101", "0104", "0107")]
    # Orscheln's seed billed by the pound as ordered
    inv = po_segments(segments(ws, "orscheln", "810"), "OR7734410", "BIG")
    assert ["IT1", "2", "500", "LB", "1.2", "", "UP", "614141547067", "VN", "RG47-06"] in inv


def test_seasonal_dating_agreed_by_kind_is_billed_with_the_po_s_due_date(night):
    """Murdoch's buys spring goods on seasonal dating: its agreement is fixed-date terms (customers.csv ITD01 03, no
    days: the date changes with each season's PO) and each PO sends the date (ITD*03*3****20270315******SPRING
    DATING). The 810 stated the agreement alone, ITD*03*3: fixed-date terms with no date, which no buyer pays by.
    Now terms agreed by kind alone take the PO's net due date (ITD06) and its words (ITD12), on the columnar batch
    and the one-by-one writer alike."""
    ws, _found, _states = night
    inv = po_segments(segments(ws, "murdochs", "810"), "MR4471120", "BIG")
    assert ["ITD", "03", "3", "", "", "", "20270315", "", "", "", "", "", "SPRING DATING"] in inv


def test_agreed_terms_with_days_keep_them_over_a_po_s_date():
    from datetime import date
    from decimal import Decimal

    from engine.invoice import invoice_terms
    from schemas.invoices import Terms

    order = {"terms_type": "03", "terms_basis_date": "3", "terms_net_due_date": date(2027, 3, 15),
             "terms_description": "SPRING DATING"}
    assert invoice_terms(Terms(type="03"), order).net_due_date == date(2027, 3, 15)
    # an agreement naming its days is the partner's word: a PO's date does not replace it
    assert invoice_terms(Terms(type="03", net_days=60), order).net_due_date is None
    # a PO of another kind leaves the agreement as it is
    agreed = Terms(type="01", discount_percent=Decimal(2), discount_days=10, net_days=30)
    assert invoice_terms(agreed, {**order, "terms_type": "05"}) == agreed


@pytest.mark.parametrize("partner, po, text", [("orscheln", "OR7734410", "(line 1) 'TD4 HM D 5.1'"),
                                               ("coastal", "CF2611240", "(line 2) 'TD4 HM D 2.1'")])
def test_a_line_marked_hazardous_by_code_alone_is_told_to_ops(partner, po, text):
    """Orscheln's fertiliser (TD4*HM*D*5.1: hazardous materials, DOT class 5.1 oxidizer) and Coastal's 1 lb propane
    cylinders (TD4*HM*D*2.1) are marked hazardous by code alone, no TD404 words. The marking was dropped without a
    word (only a TD4 with words was quoted, rg25's Atwoods aerosol); now it is quoted as a note of its line
    (NOTES_NOT_KEPT), as no order, 856 or warehouse order of ours carries it."""
    from tests.retailer_support import inspected

    seen = inspected(next((FIXTURES / "drops" / partner).iterdir()), NOTED)
    notes = [f for f in seen["findings"] if f["code"] == "NOTES_NOT_KEPT"]
    assert len(notes) == 1 and notes[0]["severity"] == "warning" and text in notes[0]["message"]


@pytest.mark.xfail(strict=True, reason="the 856 writes no hazardous-material marking (TD4 HM with its class, or an "
                   "LH1 loop) for an item the PO marked hazardous by TD4: the order keeps no hazmat column, so the "
                   "marking is only quoted to ops (NOTES_NOT_KEPT); carrying it needs an ORDER_LINES field through "
                   "ShipmentUnit to the 856 item level, too big for rg47's deadline")
def test_the_856_names_the_hazardous_item_as_the_po_marked_it(night):
    ws, _found, _states = night
    asn = po_segments(segments(ws, "orscheln", "856"), "OR-SHP-01", "BSN")
    assert ["TD4", "HM", "D", "5.1"] in asn
