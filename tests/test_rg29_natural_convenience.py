"""Natural and specialty grocers and convenience chains, as their public guides and vendor pages describe them:
tests/fixtures/rg29/ holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's
confirmation of what shipped. Whole Foods Market (its own DC orders, not through UNFI: CUR, REF*IA, DTM 002, N1 BT and
ST by its numbers, cases by UPC with PO4 pack and size); Sprouts Farmers Market (DC orders with PO4 inner packs and
sizes, its 856 with pallets, TD1 PLT94); ALDI US (X12 005010 with a repetition separator: REF VN, REF FN, DTM 002
and 118, an N9 delivery reference with MTX, N1 BY and ST, cases by case GTIN-14 and ALDI's item number; its 810 with
CUR and the N1 loops of the buyer and the ship-from); 7-Eleven (its own vendor PO from the legacy ISA id
007347602SLND, qualifier 14, to an SEDC distribution center); Casey's General Stores (FOB collect, ITD 08, N1 BY by
DUNS and ST by DUNS+4); Harris Teeter (a Kroger banner: an off-invoice allowance and Kroger's 810 requirements, N1*RI
by DUNS+4 with its address, N1*ST, DTM 011). One night takes them all: inspect, the 997s and 855s, the 856s, 810s."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg29"
NIGHT = datetime(2026, 9, 14, 2)
SHIP_DAY = datetime(2026, 9, 16, 12)

POS = {"wholefoods": {"4500812345": 2}, "sprouts": {"SP26091401": 2}, "aldi": {"4700128845": 2},
       "seveneleven": {"SE0914001": 2}, "caseys": {"CGS2609140": 2}, "harristeeter": {"HT0091422": 2}}
# ALDI's delivery note (N9/MTX) is passed on by a person; without a profile inspect cannot know Harris Teeter's
# off-invoice allowance is billed
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED"}
NIGHT_NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED", "ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_natural_grocer_and_convenience_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg29") / "ws"
    return shipped_night(of_its_own(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED)


def test_whole_foods_own_dc_order_echoed_and_billed_in_its_currency(night):
    """Whole Foods' own DC order (not UNFI's): the 855 with our vendor number and its DC (N1*ST by its number, 92) as
    sent; the 856 to that DC; the 810 in the PO's currency (its CUR*BY USD: CUR*SE USD), cases at the case price."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "wholefoods", "855"), "4500812345", "BAK")
    assert ["REF", "IA", "WF22871"] in ack and ["N1", "ST", "WFM DC LANDOVER", "92", "10459"] in ack
    asn = po_segments(segments(ws, "wholefoods", "856"), "WF-SHP-01", "BSN")
    assert ["N1", "ST", "WFM DC LANDOVER", "92", "10459"] in asn
    inv = po_segments(segments(ws, "wholefoods", "810"), "4500812345", "BIG")
    assert inv[1] == ["CUR", "SE", "USD"]
    assert ["TDS", "200550"] in inv  # 40 x 37.20 + 25 x 20.70


def test_sprouts_cases_on_pallets(night):
    """Sprouts' DC order shipped on two pallets: the 856's S level counts them (TD1 PLT94, its allowed pallet code) and
    each pallet's tare loop holds its cases; the cases ordered and shipped in CA, as the PO sent them."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "sprouts", "856"), "SP-SHP-01", "BSN")
    assert ["TD1", "PLT94", "2"] in asn
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "T", "P", "I", "T", "P", "I"]
    assert [s[1:] for s in asn if s[0] == "SN1"] == [["", "60", "CA", "", "60", "CA"], ["", "50", "CA", "", "50", "CA"]]
    inv = po_segments(segments(ws, "sprouts", "810"), "SP26091401", "BIG")
    assert ["TDS", "226800"] in inv  # 60 x 13.80 + 50 x 28.80


def test_aldi_5010_answered_in_5010_and_its_810_with_the_currency_and_us_as_ship_from(night):
    """ALDI's 5010 PO (repetition separator ^, REF VN, DTM 002/118, N9/MTX, N1 BY and ST, line numbers 10 and 20 by
    case GTIN-14 and ALDI's item number) answered in 5010 with its separators; its 810 guide makes CUR mandatory and
    its 850 sends none: the 810 states the partner's currency ([fulfilment.invoice] currency); its N1 loops are the
    buyer's and the ship-from's. We used to send the 810 without a CUR, which ALDI's guide refuses, and could not
    name us as the ship-from on an 810."""
    ws, _found, _states = night
    isa = (ws.drop_root / "aldi" / "outbox").glob("aldi-810-*.x12")
    assert all(p.read_text()[:106].split("*")[11:13] == ["^", "00501"] for p in isa)
    ack = po_segments(segments(ws, "aldi", "855"), "4700128845", "BAK")
    assert [s[1] for s in ack if s[0] == "PO1"] == ["10", "20"]
    assert ["N1", "BY", "ALDI INC", "92", "BAT"] in ack
    inv = po_segments(segments(ws, "aldi", "810"), "4700128845", "BIG")
    assert inv[1] == ["CUR", "SE", "USD"]
    assert ["N1", "BY", "ALDI INC", "92", "BAT"] in inv
    # no N1*ST loop: its guide has none ([fulfilment.invoice] ship_to = false)
    assert [s[:2] for s in inv if s[0] == "N1"] == [["N1", "BY"], ["N1", "SF"]]
    # its 810's second N1 loop: us, the ship-from, as its vendor set-up names us ([fulfilment.invoice.ship_from])
    at = inv.index(["N1", "SF", "OrderBridge Supply DC East", "92", "AL88120-01"])
    assert inv[at + 1:at + 4] == [["N3", "1 Dock Road"], ["N4", "Newark", "NJ", "07101", "US"], ["ITD", "01", "3", "",
                                                                                                  "", "", "", "30"]]
    assert ["IT1", "10", "120", "CA", "24.6", "", "UK", "10614141770318", "BP", "772031"] in inv
    assert ["TDS", "460800"] in inv  # 120 x 24.60 + 80 x 20.70


def test_seven_eleven_answered_to_its_duns_with_suffix(night):
    """7-Eleven's legacy ISA id (DUNS 007347602 with suffix SLND, qualifier 14) is answered as sent, its GS id too."""
    ws, _found, _states = night
    for kind in ("997", "855", "856", "810"):
        for path in (ws.drop_root / "seveneleven" / "outbox").glob(f"seveneleven-{kind}-*.x12"):
            isa = path.read_text().split("~")[0].split("*")
            assert isa[7:9] == ["14", "007347602SLND  "], kind
    inv = po_segments(segments(ws, "seveneleven", "810"), "SE0914001", "BIG")
    assert ["TDS", "814000"] in inv  # 100 x 32.80 + 150 x 32.40


def test_caseys_collect_order_on_its_own_terms(night):
    """Casey's backhaul (FOB CC at our dock) and its ITD 08 2% 10 net 30 echoed on the 855, 856 and 810; its buyer by
    DUNS and DC by DUNS+4 as sent."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "caseys", "855"), "CGS2609140", "BAK")
    assert ["FOB", "CC", "OR", "NEWARK NJ"] in ack and ["ITD", "08", "3", "2", "", "10", "", "30"] in ack
    asn = po_segments(segments(ws, "caseys", "856"), "CG-SHP-01", "BSN")
    assert ["FOB", "CC", "OR", "NEWARK NJ"] in asn
    inv = po_segments(segments(ws, "caseys", "810"), "CGS2609140", "BIG")
    assert ["ITD", "08", "3", "2", "", "10", "", "30"] in inv and ["FOB", "CC", "OR", "NEWARK NJ"] in inv
    assert ["N1", "ST", "CASEYS DISTRIBUTION CENTER", "9", "0006979106001"] in inv
    assert ["TDS", "302400"] in inv  # 60 x 32.80 + 200 x 5.28


def test_harris_teeter_810_as_krogers_invoice_requirements_ask(night):
    """Harris Teeter, a Kroger banner: the 810 per PO with the remit-to N1*RI by DUNS+4 and its address, N1*ST and
    DTM*011, and the PO's off-invoice allowance (SAC12 02) taken on its line."""
    ws, _found, _states = night
    inv = po_segments(segments(ws, "harristeeter", "810"), "HT0091422", "BIG")
    assert ["N1", "RI", "OrderBridge Supply Inc", "9", "0614141000001"] in inv and ["N4", "Newark", "NJ", "07101",
                                                                                   "US"] in inv
    assert ["N1", "ST", "HARRIS TEETER DC GREENSBORO", "9", "0008115478012"] in inv
    assert ["DTM", "011", "20260916"] in inv
    assert ["SAC", "A", "F800", "", "", "3600", "", "", "", "", "", "", "02"] in inv
    assert ["TDS", "165600"] in inv  # 30 x 37.20 + 20 x 28.80 - 36.00


def test_every_855_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):  # noqa: F811
    ws, _found, _states = night
    all_sent_accepted(ws, POS, tmp_path, maps, shipments=6, answers=6)
