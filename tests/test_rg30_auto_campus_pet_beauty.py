"""Automotive service and tires, campus books, pet, beauty, home decor and fragrance, as their guides and vendor
pages describe them: tests/fixtures/rg30/ holds each one's profile, reference rows, stock, 850s written in its shapes
and the east DC's confirmation of what shipped. Pep Boys (004010, one REF, DTM, TD5 routing, N1 loops for the bill-to
and the ship-to DC, lines by the vendor's part, UPC and Pep Boys' part, oil by the case); Discount Tire (tires by
the maker's article MG and UPC, FOB*PP, net 45); Follett campus stores (textbooks by ISBN-13 alone, 978 and 979, the
store by its SAN, net price with the list price in CTP, the term in N9/MSG); Pet Supplies Plus (a flat promotional
allowance off invoice, 2 % 10 net 30); Sally Beauty (005010 from ZZ SALLYBEAUTY, CUR, REF*IA, FOB, CSH, allowances at
the header and on a line which its 810 wants back, ITD, DTM 002/063/064, TD5); Kirkland's (its SKU IN with the
vendor style and UPC, inner packs, ship window, the ticket's retail); Perfumania (fragrance by UPC and the brand's
item, net 90, a cancel date). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg30"
NIGHT = datetime(2026, 9, 14, 2)
SHIP_DAY = datetime(2026, 9, 17, 15)

POS = {"pepboys": {"4471203": 2}, "discounttire": {"DT88120456": 2}, "follett": {"F26091301": 2},
       "petsupplies": {"0091244": 2}, "sallybeauty": {"7700412": 2, "7700413": 1}, "kirklands": {"K5520918": 2},
       "perfumania": {"PF3302177": 3}}
# Follett's N9/MSG course note is for a person; Pet Supplies Plus' and Sally Beauty's allowances are billed on our
# 810s (SAC_NOT_APPLIED says so)
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED"}
NIGHT_NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED", "ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg30") / "ws"
    return shipped_night(of_its_own(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_pep_boys_bill_to_and_dc_echoed_parts_by_all_three_ids(night):
    """Pep Boys' 850 (its guide: one REF, DTM, TD5 and the N1 loops bill-to and ship-to) with two TD5s; its 810
    names both parties as the PO did, each line by the vendor's part, UPC and Pep Boys' part; oil by the case."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "pepboys", "855"), "4471203", "BAK")
    assert ["ACK", "IA", "60", "CA", "068", "20260917"] in ack  # DTM 010: the ship day asked for
    asn = po_segments(segments(ws, "pepboys", "856"), "PB-SHP-01", "BSN")
    assert ["N1", "ST", "PEP BOYS DC MCDONOUGH", "92", "0070"] in asn
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "UP", "614141710010", "VN", "WB-22-BEAM", "BP", "7731022"],
                                                    ["2", "UP", "614141710027", "VN", "OIL-5W30-5Q", "BP", "5530118"]]
    inv = po_segments(segments(ws, "pepboys", "810"), "4471203", "BIG")
    assert [s[:5] for s in inv if s[0] == "N1"] == [["N1", "BT", "THE PEP BOYS MANNY MOE AND JACK", "92", "0001"],
                                                    ["N1", "ST", "PEP BOYS DC MCDONOUGH", "92", "0070"]]
    assert ["TDS", "304800"] in inv  # 240 x 6.85 + 60 CA x 23.40


def test_discount_tire_by_makers_article_and_perfumania_gift_with_purchase(night):
    ws, _found, _states = night
    inv = po_segments(segments(ws, "discounttire", "810"), "DT88120456", "BIG")
    assert ["IT1", "1", "80", "EA", "142.5", "PE", "MG", "AT-2656517-XL", "UP", "614141710034"] in inv
    assert ["ITD", "01", "3", "", "", "", "", "45"] in inv and ["TDS", "1706400"] in inv
    # the gift with purchase (PO104 0, PO105 NC) acknowledged, shipped and billed at no charge
    ack = po_segments(segments(ws, "perfumania", "855"), "PF3302177", "BAK")
    assert ["ACK", "IA", "36", "EA", "068", "20260917"] in ack
    inv = po_segments(segments(ws, "perfumania", "810"), "PF3302177", "BIG")
    assert ["IT1", "3", "36", "EA", "0", "NC", "UP", "614141710133", "VN", "GWP-POUCH"] in inv
    assert ["TDS", "201000"] in inv  # 36 x 31.50 + 48 x 18.25 + 36 x 0


def test_follett_textbooks_by_isbn_13_alone_to_the_store_by_its_san(night):
    ws, _found, _states = night
    asn = po_segments(segments(ws, "follett", "856"), "FL-SHP-01", "BSN")
    assert ["N1", "ST", "UNIV CAMPUS STORE 0412", "15", "1234567"] in asn
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "EN", "9780306406157"], ["2", "EN", "9791032300824"]]
    assert ["REF", "CN", "1Z999AA10123456784"] in asn  # a parcel shipment: its tracking number, no bill of lading
    inv = po_segments(segments(ws, "follett", "810"), "F26091301", "BIG")
    assert [s[1:6] for s in inv if s[0] == "IT1"] == [["1", "35", "EA", "84.75", "NT"],
                                                     ["2", "20", "EA", "41.25", "NT"]]
    assert ["TDS", "379125"] in inv


def test_pet_supplies_plus_allowance_off_invoice_on_its_terms(night):
    ws, _found, _states = night
    inv = po_segments(segments(ws, "petsupplies", "810"), "0091244", "BIG")
    assert ["ITD", "08", "3", "2", "", "10", "", "30"] in inv  # the PO's 2 % 10 net 30
    assert ["SAC", "A", "C310", "", "", "3400", "", "", "", "", "", "", "02", "", "", "PROMO ALLOWANCE"] in inv
    assert ["TDS", "251000"] in inv  # 40 CA x 54.00 + 120 x 3.20 - 34.00
    assert ["REF", "DP", "22"] in inv


def test_sally_beauty_allowances_back_on_the_810_with_cur_and_fob(night):
    """Sally Beauty's 810 guide: CUR, ITD, DTM and FOB required; the allowances its 850 sent (at the header or on an
    item) returned on the 810: the header's flat 15.00, line 1's flat 28.80, line 2's 0.50 a unit (72 units)."""
    ws, _found, _states = night
    assert segments(ws, "sallybeauty", "997")[0][7:9] == ["ZZ", "SALLYBEAUTY    "]
    ack = po_segments(segments(ws, "sallybeauty", "855"), "7700412", "BAK")
    assert ["REF", "IA", "SB30477"] in ack
    asn = po_segments(segments(ws, "sallybeauty", "856"), "SB-SHP-01", "BSN")
    assert ["FOB", "PP", "DE", "DESTINATION"] in asn
    inv = po_segments(segments(ws, "sallybeauty", "810"), "7700412", "BIG")
    assert inv[1] == ["CUR", "SE", "USD"] and ["FOB", "PP", "DE", "DESTINATION"] in inv
    sacs = [s for s in inv if s[0] == "SAC"]
    assert [(s[2], s[5]) for s in sacs] == [("C000", "2880"), ("C310", "3600"), ("C310", "1500")]
    assert ["TDS", "143940"] in inv  # 144 x 4.60 + 72 x 11.90 - 28.80 - 36.00 - 15.00


def test_sally_beauty_810_states_its_currency_when_the_po_sent_none(night):
    """CUR is optional on Sally Beauty's 850 and required on its 810: a PO without CUR is billed in the currency
    agreed with the partner (customers.csv) when its profile asks for CUR on every 810 ([fulfilment.invoice]
    currency = true). We used to send no CUR at all for such a PO, an 810 its guide refuses."""
    ws, _found, _states = night
    inv = po_segments(segments(ws, "sallybeauty", "810"), "7700413", "BIG")
    assert inv[1] == ["CUR", "SE", "USD"]
    assert ["TDS", "22080"] in inv  # 48 x 4.60


def test_kirklands_sku_style_and_upc_back(night):
    ws, _found, _states = night
    ack = po_segments(segments(ws, "kirklands", "855"), "K5520918", "BAK")
    assert ["ACK", "IA", "96", "EA", "068", "20260915"] in ack  # the window's opening (DTM 037)
    asn = po_segments(segments(ws, "kirklands", "856"), "KL-SHP-01", "BSN")
    assert ["LIN", "1", "UP", "614141710096", "IN", "208114", "VA", "CDL-JAR-AMB"] in asn
    inv = po_segments(segments(ws, "kirklands", "810"), "K5520918", "BIG")
    assert ["IT1", "2", "24", "EA", "38", "PE", "IN", "208771", "VA", "MIR-RND-30", "UP", "614141710102"] in inv
    assert ["TDS", "184800"] in inv


def test_every_855_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):  # noqa: F811
    ws, _found, _states = night
    all_sent_accepted(ws, POS, tmp_path, maps, shipments=8, answers=8)


def test_the_agreed_currency_fills_only_the_pos_without_one_of_partners_that_ask():
    """billing.with_agreed_currency: a PO without CUR of a partner whose 810s state their currency takes the
    partner's (customers.csv); a PO that sent one keeps it; a partner that does not ask keeps none."""
    import pyarrow as pa

    from engine.lifecycle.billing import with_agreed_currency
    from schemas.profile import load_profile

    profiles = {p: load_profile(FIXTURES / "partners" / f"{p}.toml") for p in ("sallybeauty", "perfumania")}
    customers = {"sallybeauty": {"currency": "USD"}, "perfumania": {"currency": "USD"}}
    orders = pa.table({"partner": ["sallybeauty", "sallybeauty", "sallybeauty", "perfumania"],
                       "po_number": ["1", "2", "3", "4"], "currency": [None, "CAD", "", None]})
    assert with_agreed_currency(orders, customers, profiles)["currency"].to_pylist() == ["USD", "CAD", "USD", None]


def test_sally_beauty_856_and_810_state_the_agreed_fob_when_the_po_sent_none(night):
    """Sally Beauty's 856 (shipment level) and 810 guides require FOB while its 850's FOB is optional: a PO without
    one is shipped and billed on the FOB agreed with the partner ([fulfilment] agreed_fob: its vendor terms, prepaid,
    FOB destination). We used to state none (asn.fob and invoice.fob only echoed a PO's own), which its guides
    refuse."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "sallybeauty", "856"), "SB-SHP-02", "BSN")
    inv = po_segments(segments(ws, "sallybeauty", "810"), "7700413", "BIG")
    assert [s[:3] for s in asn if s[0] == "FOB"] == [["FOB", "PP", "DE"]]
    assert [s[:3] for s in inv if s[0] == "FOB"] == [["FOB", "PP", "DE"]]


def test_an_agreed_fob_starts_with_a_payment_method_code():
    """[fulfilment] agreed_fob: FOB01 first (PP, CC ...), refused when loading a profile otherwise."""
    from pydantic import ValidationError

    from schemas.fulfilment import FulfilmentSettings

    assert FulfilmentSettings(agreed_fob=("PP", "DE")).agreed_fob == ("PP", "DE")
    with pytest.raises(ValidationError, match="FOB01"):
        FulfilmentSettings(agreed_fob=("PREPAID", "DE"))
