"""Grocery and convenience wholesalers and Mexican chains, as their public vendor material and grocery EDI practice
describe them: tests/fixtures/rg45/ holds each one's profile, reference rows, stock, 850s written in its shapes and
the east DC's confirmation of what shipped (the rg2 DC). SpartanNash (its DUNS, ISA 01; its DC by GLN; a ship window
DTM 037/038 and delivery 002; picked up on its backhaul, TD5 H, with an off-invoice backhaul allowance SAC*A*C310 of
a stated amount; PO4 pack, size, gross weight, cube and dimensions); Eby-Brown (a c-store distributor: its item
numbers IN beside the UPC without check digit, UI; a delivery appointment DTM 002 with time and zone); Associated
Food Stores (random-weight beef in cases priced per pound, billed by the net weight shipped); Organizacion Soriana
and Tiendas Chedraui (pesos, CUR*BY*MXN; the buyer's RFC, REF*TJ; their CEDIS in Mexico, the state by N405 SP /
N406 as ISO 3166-2 writes it; EAN-13 items; CFDI invoices, so no 810; Chedraui in 005010 from its GLN, ISA 14).
One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and
pyx12. Defects found and fixed: a party's state named by N405 SP / N406 (or 005010's N407) rather than N402 was
dropped (the CEDIS's 856 N4 had no state), and a state of three letters had no valid place in our N4s; a line named
by its U.P.C. shipping container code without check digit (U2, 1-2-5-5) was ITEM_UNKNOWN."""

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
    variant_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg45"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"spartannash": {"SN26112401": 2}, "ebybrown": {"EB7741208": 2}, "afs": {"AF0338112": 2},
       "soriana": {"4500778812": 2}, "chedraui": {"CH9001442": 2}}
NOTED = {"SAC_NOT_APPLIED"}  # inspect knows no profile: SpartanNash's off-invoice allowance
# confirmations hours after the trucks left; AFS's beef; SpartanNash's allowance (on our 810, said so)
NIGHT_NOTED = {"ASN_LATE", "CATCH_WEIGHT_LINE", "SAC_NOT_APPLIED"}
NO_810 = ("soriana", "chedraui")  # CFDI invoices: their orders end shipped


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg45") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_shipped(night):
    ws, found, states = night
    assert not [f for f in found if f[1] == "error"] and {f[0] for f in found} <= NIGHT_NOTED
    accepted_as_ordered(ws, POS)
    assert states == {(p, po): "shipped" if p in NO_810 else "invoiced" for p, pos in POS.items() for po in pos}


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    # five 856s; 810s from the three US wholesalers only (the Mexican chains' invoices are CFDI)
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5, invoices=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # SpartanNash's DUNS (01) answered as sent; acknowledged for its ship-not-before day (DTM 037); its backhaul
    # pick-up (TD5 H) echoed on the 855 and named on the 856; the backhaul allowance of 125.00 taken off the 810
    assert segments(ws, "spartannash", "997")[0][7:9] == ["01", "006959555      "]
    ack = po_segments(segments(ws, "spartannash", "855"), "SN26112401", "BAK")
    assert ["DTM", "068", "20261130"] in ack and ["TD5", "O", "2", "SNSH", "H", "SPARTANNASH BACKHAUL"] in ack
    asn = po_segments(segments(ws, "spartannash", "856"), "SN-SHP-01", "BSN")
    assert ["TD5", "B", "2", "SNSH", "H"] in asn
    inv = po_segments(segments(ws, "spartannash", "810"), "SN26112401", "BIG")
    # 120 x 18.72 + 60 x 21.45 - 125.00
    assert inv[-3:-1] == [["TDS", "340840"], ["SAC", "A", "C310", "", "", "12500", "", "", "", "", "", "", "02", "",
                                             "", "BACKHAUL ALLOWANCE"]]
    # Eby-Brown's UPCs without check digit (UI) and item numbers (IN) kept on every document
    inv = po_segments(segments(ws, "ebybrown", "810"), "EB7741208", "BIG")
    assert ["IT1", "1", "40", "CA", "21.6", "", "IN", "114455", "UI", "61414154503", "VN", "RG45-03"] in inv
    assert ["LIN", "1", "UI", "61414154503", "VN", "RG45-03", "IN", "114455"] in segments(ws, "ebybrown", "856")
    # AFS's beef billed by the 377.4 lb shipped at 4.29 (the 10 cases counted), the cheddar by the case
    inv = po_segments(segments(ws, "afs", "810"), "AF0338112", "BIG")
    assert ["IT1", "1", "377.4", "LB", "4.29", "PP", "UK", "10614141545053", "VN", "RG45-05"] in inv
    assert ["QTY", "39", "10", "CA"] in inv and ["TDS", "265905"] in inv
    # Soriana and Chedraui: answered in the pesos they ordered in (855 CUR*BY*MXN), no 810; Chedraui's GLN (14)
    # answered in 005010
    for partner, po in (("soriana", "4500778812"), ("chedraui", "CH9001442")):
        assert po_segments(segments(ws, partner, "855"), po, "BAK")[1] == ["CUR", "BY", "MXN"]
    assert segments(ws, "soriana", "810") == [] and segments(ws, "chedraui", "810") == []
    ched = segments(ws, "chedraui", "997")
    assert ched[0][7:9] == ["14", "7503002680001  "] and ched[0][11:13] == ["^", "00501"]


def test_a_mexican_cedis_keeps_its_state_named_by_n405_sp_on_the_856(night):
    """A Mexican chain names its CEDIS's state by the ISO 3166-2 code (NLE Nuevo Leon, VER Veracruz): three letters
    that N402 (ID 2/2) cannot hold, so it leaves N402 empty and writes N405 SP ("State/Province", code list 309)
    and N406 the code. The N406 was never read: the order's ship-to had no state, and the 856 named the CEDIS
    by city, postal code and country alone (N4*GUADALUPE**67110*MX). Now the state is the party's, and written
    back where N402 cannot hold it, as the PO sent it."""
    ws, _found, _states = night
    for partner, shipment, n4 in (("soriana", "SO-SHP-01", ["N4", "GUADALUPE", "", "67110", "MX", "SP", "NLE"]),
                                  ("chedraui", "CH-SHP-01", ["N4", "VERACRUZ", "", "91697", "MX", "SP", "VER"])):
        asn = po_segments(segments(ws, partner, "856"), shipment, "BSN")
        at = next(k for k, s in enumerate(asn) if s[:2] == ["N1", "ST"])
        assert asn[at + 2] == n4


def test_a_state_of_three_letters_is_read_from_n406_and_written_where_x12_holds_it():
    from engine.asn import party_segments
    from schemas.shipments import Party

    seen = inspected_clean(FIXTURES / "drops" / "soriana" / "soriana-850-4500778812.x12", NOTED, POS)
    [order] = seen["orders"]
    assert (order["ship_to_state"], order["bill_to_state"]) == ("NLE", "NLE")
    # a two-letter state stays in N402; N402 as sent wins over an N406
    assert party_segments(Party(code="ST", name="DC", city="LAREDO", state="TX", postal_code="78045",
                                country="US"))[-1] == ["N4", "LAREDO", "TX", "78045", "US"]
    assert party_segments(Party(code="ST", name="CEDIS", city="ZAPOPAN", state="JAL", postal_code="45130",
                                country="MX"))[-1] == ["N4", "ZAPOPAN", "", "45130", "MX", "SP", "JAL"]


def _variant(partner: str, swaps: tuple[tuple[bytes, bytes], ...], tmp_path, shipped_swaps=(), profile_swaps=()):
    """The night of ``partner``'s PO alone (tests.retailer_support.variant_night)."""
    return variant_night(FIXTURES, partner, next(iter(POS[partner])), tmp_path, swaps, warehouses=WAREHOUSES,
                         night=NIGHT, ship_day=SHIP_DAY, shipped_swaps=shipped_swaps, profile_swaps=profile_swaps)


def test_a_line_named_by_its_upc_shipping_container_code_without_check_digit_is_our_item(tmp_path, maps):  # noqa: F811
    """Code list 235's U2, U.P.C. shipping container code (1-2-5-5): the 13 digits of a GTIN-14 before its check
    digit, the packaging indicator first, as convenience and grocery wholesalers name a case. Eby-Brown's line
    named by it alone (PO1*1*40*CA*21.6**U2*0061414154503) was ITEM_UNKNOWN ("No item matches U2 ..."): the line
    rejected, its shipment refused. Now U2 is matched as UI, UD and UA are, the check digit computed: accepted,
    shipped and billed, the id echoed as sent; every document accepted by our validator, Bots and pyx12."""
    ws, found, states = _variant("ebybrown", ((b"IN*114455*UI*61414154503*VN*RG45-03", b"U2*0061414154503"),),
                                 tmp_path)
    assert states == {("ebybrown", "EB7741208"): "invoiced"}
    assert {f[0] for f in found} <= NIGHT_NOTED
    ack = po_segments(segments(ws, "ebybrown", "855"), "EB7741208", "BAK")
    assert ["PO1", "1", "40", "CA", "21.6", "", "U2", "0061414154503"] in ack
    assert ["LIN", "1", "U2", "0061414154503"] in segments(ws, "ebybrown", "856")
    inv = po_segments(segments(ws, "ebybrown", "810"), "EB7741208", "BIG")
    assert ["IT1", "1", "40", "CA", "21.6", "", "U2", "0061414154503"] in inv and ["TDS", "194400"] in inv
    all_sent_accepted(ws, ["ebybrown"], tmp_path, maps, shipments=1, answers=1)


def test_a_u2_code_is_the_gtin_14_it_names_and_ours_to_give():
    from rules.business.items import part_id
    from schemas.reference import complete_gtin

    assert complete_gtin("0061414154503", 13) == "00614141545032"
    assert complete_gtin("1061414154503", 13) == "10614141545039"  # a case's indicator kept
    assert part_id("U2", {"sku": "RG45-03", "gtin": "00614141545032", "upc": "614141545032"}) == "0061414154503"


def test_a_005010_n4_naming_its_state_by_n407_keeps_it(tmp_path):
    """005010 gave N4 a country subdivision code (N407, ID 1/3): Chedraui may name Veracruz there (N4*VERACRUZ**91697*
    MX***VER) rather than by N405 SP / N406. It is the CEDIS's state as well, on the order and on the 856."""
    ws, found, states = _variant("chedraui", ((b"N4*VERACRUZ**91697*MX*SP*VER", b"N4*VERACRUZ**91697*MX***VER"),),
                                 tmp_path)
    assert states == {("chedraui", "CH9001442"): "shipped"} and {f[0] for f in found} <= NIGHT_NOTED
    asn = po_segments(segments(ws, "chedraui", "856"), "CH-SHP-01", "BSN")
    at = next(k for k, s in enumerate(asn) if s[:2] == ["N1", "ST"])
    assert asn[at + 2] == ["N4", "VERACRUZ", "", "91697", "MX", "SP", "VER"]


def test_a_line_s_own_ship_to_state_named_by_n406_or_n407_is_read():
    """A PO1 loop's own N1*ST (a line for another CEDIS) names its state as the heading's may: N405 SP / N406, or
    005010's N407; N402 as sent wins."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    data = (FIXTURES / "drops" / "soriana" / "soriana-850-4500778812.x12").read_bytes().decode()
    data = data.replace("PID*F****ACEITE VEGETAL 1 L~", "PID*F****ACEITE VEGETAL 1 L~\nN1*ST*CEDIS SORIANA JALISCO*92*"
                        "8044~\nN4*ZAPOPAN**45130*MX*SP*JAL~")
    data = data.replace("PID*F****DETERGENTE EN POLVO 1 KG~", "PID*F****DETERGENTE EN POLVO 1 KG~\nN1*ST*CEDIS "
                        "SORIANA TIJUANA*92*8070~\nN4*TIJUANA*BC*22000*MX*SP*BCN~").replace("SE*20*", "SE*24*")
    result = read_interchanges(data.encode())
    _orders, lines = read_orders(result, list(result.transaction_sets()), partner="soriana")
    assert lines["ship_to_state"].to_pylist() == ["JAL", "BC"]


def test_an_invoice_names_a_three_letter_state_where_x12_holds_it(tmp_path, maps):  # noqa: F811
    """Were Chedraui billed by 810 (its U.S. stores are), the invoice's ship-to names Veracruz as the 856 does
    (N405 SP / N406 VER): the batch's columnar heads leave such an order to the one-by-one writer. The 810 is
    accepted by our validator, Bots and pyx12."""
    ws, _found, states = _variant("chedraui", (), tmp_path, profile_swaps=(
        ('receives = ["997", "855", "856"]', 'receives = ["997", "855", "856", "810"]'),
        ("[drop]", '[fulfilment.invoice]\nper = "order"\nvendor_number = "P55120"\n\n[drop]')))
    assert states == {("chedraui", "CH9001442"): "invoiced"}
    inv = po_segments(segments(ws, "chedraui", "810"), "CH9001442", "BIG")
    at = inv.index(["N1", "ST", "CEDIS CHEDRAUI VERACRUZ", "UL", "7503002680018"])
    assert inv[at + 2] == ["N4", "VERACRUZ", "", "91697", "MX", "SP", "VER"]
    all_sent_accepted(ws, ["chedraui"], tmp_path, maps, shipments=1, answers=1)
