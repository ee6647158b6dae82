"""Hospitality, optical and travel-retail (duty-free) buyers, in the shapes the trade's 850 4010s use (no buyer's
own 850 guide was found in the public corpus: the shapes are the trades' common ones, the duty-free terms from
public conditions of sale, Incoterms by FOB04 01 / FOB05): tests/fixtures/rg58/ holds each one's profile, reference
rows, stock, 850s and the east DC's confirmation of what shipped (the rg2 DC). Avendra (hotel supplies for a
Marriott property: billed centrally, N1*BT Avendra, the hotel as N1*BY and N1*ST by its property code, 92, with a
receiving dock N2; the group purchasing contract REF*CT carried back on the 855, 856 and 810; 1 % 10 net 45; bath
towels by the dozen of an item sold by the each, spa slippers by the pair, amenity sets by the set, ST); Luxottica
Retail (LensCrafters store replenishment from its DUNS: frames with colour and size ids, PO1 CL and SZ; lens blanks
by the pair, 2 lenses, for a lab job, the line's REF*JB carried back and its MSG quoted to ops; REF DP); DFS Group
(an export order to its bonded warehouse in Hong Kong: CUR*BY*HKD with prices in Hong Kong dollars, FOB CC with
Incoterms FCA echoed on the 855, 856 and 810, N1*BT the group, N4s with no state or postal code). One night takes
them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and pyx12."""

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
    variant_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg58"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"avendra": {"AV58100231": 4}, "luxottica": {"LX7781204": 3}, "dfs": {"DF26112401": 3}}
NOTED = {"NOTES_NOT_KEPT"}
NIGHT_NOTED = {"ASN_LATE", "NOTES_NOT_KEPT"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg58") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # Avendra: the contract carried back everywhere, billed to Avendra for the hotel, towels by the dozen as ordered
    for kind, key, head in (("855", "AV58100231", "BAK"), ("856", "AV-SHP-01", "BSN"), ("810", "AV58100231", "BIG")):
        assert ["REF", "CT", "AVN-GPO-2291"] in po_segments(segments(ws, "avendra", kind), key, head), kind
    inv = po_segments(segments(ws, "avendra", "810"), "AV58100231", "BIG")
    assert ["N1", "BT", "AVENDRA LLC", "92", "AVENDRA"] in inv and ["N1", "BY", "BOSTON MARRIOTT COPLEY PLACE", "92",
                                                                   "BOSCO"] in inv
    # 20 DZ x 54 + 150 PR x 1.35 + 40 ST x 18.40 + 120 x 3.20
    assert ["IT1", "1", "20", "DZ", "54", "", "UP", "614141580002", "VN", "RG58-01"] in inv and ["TDS", "240250"] in inv
    # Luxottica: the frame's colour and size ids kept, the lab job's number on the lenses' line
    asn = po_segments(segments(ws, "luxottica", "856"), "LX-SHP-01", "BSN")
    assert ["LIN", "1", "UP", "614141580040", "VN", "RG58-11", "BP", "8056597412", "CL", "601", "SZ", "54"] in asn
    inv = po_segments(segments(ws, "luxottica", "810"), "LX7781204", "BIG")
    lenses = inv.index(["IT1", "2", "2", "PR", "24.8", "", "VN", "RG58-12", "BP", "LNS-167-SV"])
    assert ["REF", "JB", "J4471208"] in inv[lenses:lenses + 4]
    # DFS: in Hong Kong dollars, FCA as agreed, the bonded warehouse with no postal code
    inv = po_segments(segments(ws, "dfs", "810"), "DF26112401", "BIG")
    assert ["CUR", "SE", "HKD"] in inv and ["TDS", "3682000"] in inv
    assert ["FOB", "CC", "OR", "EAST DC ALLENTOWN PA", "01", "FCA"] in inv
    assert ["N4", "KWAI CHUNG", "", "", "HK"] in po_segments(segments(ws, "dfs", "856"), "DF-SHP-01", "BSN")


USD_SWAPS = [(b"CUR*BY*HKD", b"CUR*BY*USD"), (b"*EA*585**", b"*EA*75**"), (b"*EA*940**", b"*EA*120**"),
             (b"*EA*1150**", b"*EA*147**")]


def test_a_po_in_the_buyer_s_other_currency_with_prices_on_file_is_billed_in_it(tmp_path):
    """DFS Group's Americas business orders in USD under the profile its Hong Kong business orders in HKD under:
    customers.csv agrees HKD, customer_currencies.csv USD too (its own credit limit and open AR). The USD PO is priced
    by the USD rows of prices.csv, acknowledged (CUR*BY*USD where the 855 writes CUR), shipped and billed in USD."""
    ws, found, states = variant_night(FIXTURES, "dfs", "DF26112401", tmp_path, USD_SWAPS, warehouses=WAREHOUSES,
                                      night=NIGHT, ship_day=SHIP_DAY,
                                      profile_swaps=[("ship_date = true", "ship_date = true\ncurrency = true")])
    assert states == {("dfs", "DF26112401"): "invoiced"}
    codes = {f[0] for f in found}
    assert not codes & {"CURRENCY_MISMATCH", "PRICE_NOT_ON_FILE", "PRICE_OUT_OF_TOLERANCE", "CREDIT_LIMIT_EXCEEDED"}
    ack = po_segments(segments(ws, "dfs", "855"), "DF26112401", "BAK")
    assert ["CUR", "BY", "USD"] in ack
    assert [s[:4] for s in ack if s[0] == "ACK"] == [["ACK", "IA", "24", "EA"], ["ACK", "IA", "12", "EA"],
                                                     ["ACK", "IA", "10", "EA"]]
    inv = po_segments(segments(ws, "dfs", "810"), "DF26112401", "BIG")
    assert ["CUR", "SE", "USD"] in inv and ["TDS", "471000"] in inv  # 24 x 75 + 12 x 120 + 10 x 147
    assert not any(s[0] == "CUR" and s[2] == "HKD" for s in inv)


def test_a_po_in_a_currency_neither_agreed_nor_priced_is_still_held(tmp_path):
    """EUR is neither DFS's currency (customers.csv HKD) nor a further one (customer_currencies.csv USD): held."""
    swaps = [(b"CUR*BY*HKD", b"CUR*BY*EUR"), *USD_SWAPS[1:]]
    ws, found, states = variant_night(FIXTURES, "dfs", "DF26112401", tmp_path, swaps, warehouses=WAREHOUSES,
                                      night=NIGHT, ship_day=SHIP_DAY)
    assert states == {("dfs", "DF26112401"): "held"}
    assert ("CURRENCY_MISMATCH", "error", "DF26112401") in {f[:3] for f in found}
    assert not segments(ws, "dfs", "810")
