"""Veterinary and animal-health distributors buying by X12 850, in the shapes public material on their programmes
describes (Covetrus's standard distribution terms: EDI with its vendors, a 98% fill rate; the HDA 850 guideline for
healthcare distribution: the dispenser's PO number in a REF after BEG, a sold-to party, the dispenser's state licence,
drop-ship orders; no distributor's own 850 mapping was found in the public corpus): tests/fixtures/rg61/ holds each
one's profile, reference rows, stock, 850s and the east DC's confirmation of what shipped (the rg2 DC). Covetrus (a
DC replenishment PO: boxes and bottles, a minimum-dating note, N9 L1 / MSG, 12 months left at receipt); MWI Animal
Health (an ISA 01 DUNS sender; a drop ship, BEG02 DS, to a clinic named by its DEA registration, N1 ST 11, with its
state licence, REF 0B, and its own PO number, REF CO; the clinic as sold-to, N1 SO 91; a CIII vial by the vial, VI,
next-day air, TD512 ND); Patterson Veterinary (a 5010 drop ship to a clinic by its account, N1 ST 91; an NVA buying
group contract, REF CT; vaccines by the dose, DS, and by the vial, VI, bags, BG; a cold-chain note, TD4 05). One
night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and
pyx12."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg61"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"covetrus": {"CV4410271": 3}, "mwi": {"MW7702150": 2}, "patterson": {"PV5518830": 3}}
# inspect and the night tell Covetrus's dating note and Patterson's cold-chain note (no document of ours carries them);
# the night, Covetrus's 2% discount its agreement (net 60) does not grant
NOTED = {"NOTES_NOT_KEPT"}
NIGHT_NOTED = NOTED | {"ASN_LATE", "TERMS_MISMATCH"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg61") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # Covetrus: boxes and bottles answered and billed as ordered
    inv = po_segments(segments(ws, "covetrus", "810"), "CV4410271", "BIG")
    assert [s[:4] for s in inv if s[0] == "IT1"] == [["IT1", "1", "120", "BX"], ["IT1", "2", "48", "BO"],
                                                     ["IT1", "3", "200", "BX"]]
    assert ["TDS", "703200"] in inv  # 120 x 38.40 + 48 x 21.75 + 200 x 6.90
    # MWI: the drop ship's 856 and 810 go to the clinic by its DEA registration (N1 ST 11), with the clinic's own PO
    # number (REF CO) on both and its state licence back in the 810's ship-to loop; next-day air kept (TD512 ND)
    asn = po_segments(segments(ws, "mwi", "856"), "MW-SHP-01", "BSN")
    assert ["N1", "ST", "RIVERBEND ANIMAL HOSPITAL", "11", "AB1234563"] in asn
    assert ["REF", "CO", "RAH-11873"] in asn
    assert ["TD5", "B", "2", "UPSN", "A", "", "", "", "", "", "", "", "ND"] in asn
    assert [s[1:4] for s in asn if s[0] == "SN1"] == [["", "10", "VI"], ["", "2", "BO"]]
    inv = po_segments(segments(ws, "mwi", "810"), "MW7702150", "BIG")
    assert ["REF", "CO", "RAH-11873"] in inv
    st = inv.index(["N1", "ST", "RIVERBEND ANIMAL HOSPITAL", "11", "AB1234563"])
    assert inv[st + 3] == ["REF", "0B", "VET-ID-4471"]
    # Patterson: the NVA contract back on the 810; doses, vials and bags as ordered
    inv = po_segments(segments(ws, "patterson", "810"), "PV5518830", "BIG")
    assert ["REF", "CT", "NVA-2026-0311"] in inv
    assert ["N1", "ST", "LAKESIDE VETERINARY CLINIC", "91", "V448812"] in inv
    assert [s[3] for s in inv if s[0] == "IT1"] == ["DS", "VI", "BG"]
    assert ["TDS", "64460"] in inv  # 100 x 2.15 + 20 x 18.60 + 24 x 2.40


def test_a_discount_the_agreement_does_not_grant_is_told(night):
    """Covetrus's ITD*01*3*2**30**60 (2% in 30 days, net 60) against an agreement of net 60 with no discount: the
    810 bills the agreed terms (ITD*01*3*****60) and TERMS_MISMATCH tells the 2% the buyer would take. Both ITD01s
    are 01, so the type told nothing, and check_terms skipped ITD03 for want of an agreed percent: taken silently."""
    ws, found, _states = night
    assert [(f[0], f[2], f[3]) for f in found if f[0] == "TERMS_MISMATCH"] == [
        ("TERMS_MISMATCH", "CV4410271",
         "ITD discount percent 2 differs from the agreed terms, which state no discount.")]
    assert ["ITD", "01", "3", "", "", "", "", "60"] in po_segments(segments(ws, "covetrus", "810"), "CV4410271", "BIG")


def test_a_next_day_air_po_shipped_by_ground_is_told(tmp_path):
    """MWI routes the clinic's refrigerated CIII vial by UPS next-day air (TD5*O*2*UPSN*A*NEXT DAY AIR*******ND);
    the DC confirms it left by UPSN at service GND. Nothing was told (engine.routing compared the SCAC alone), and
    the 856 said TD5*B*2*UPSN*A*GND: by air (the PO's TD504) and by ground at once. Now SERVICE_NOT_ROUTED (a
    warning, the order shipped and invoiced as confirmed) names the PO, the service routed and the one it went by,
    and the 856 states the ground service shipped: TD504 U (UPS's parcel service, not the PO's air), TD512 CG."""
    from tests.retailer_support import variant_night

    ws, found, states = variant_night(FIXTURES, "mwi", "MW7702150", tmp_path, warehouses=WAREHOUSES, night=NIGHT,
                                      ship_day=SHIP_DAY, shipped_swaps=[("UPSN,ND", "UPSN,GND")])
    assert states == {("mwi", "MW7702150"): "invoiced"}
    assert {c for c, _s, _po, _m in found} - NIGHT_NOTED == {"SERVICE_NOT_ROUTED"}, found
    [told] = [f for f in found if f[0] == "SERVICE_NOT_ROUTED"]
    assert told[1:3] == ("warning", "MW7702150")
    assert ("Shipment MW-SHP-01 for PO MW7702150 left with carrier UPSN at service GND, Ground (CG); the PO's TD5 "
            "routed it at Next Day Air (ND), a faster service") in told[3]
    asn = po_segments(segments(ws, "mwi", "856"), "MW-SHP-01", "BSN")
    assert [s for s in asn if s[0] == "TD5"] == [["TD5", "B", "2", "UPSN", "U", "GND", "", "", "", "", "", "", "CG"]]


def test_a_next_day_air_po_shipped_as_routed_or_faster_says_nothing(tmp_path):
    """The same PO confirmed at a service as fast as routed (NDA: UPS's next day air by name) or unknown to us (BLUE
    LABEL: no code, nothing to judge it by): no SERVICE_NOT_ROUTED (a faster one: tests/test_routing.py)."""
    from tests.retailer_support import variant_night

    for n, service in enumerate(("NDA", "BLUE LABEL")):
        swap = [("UPSN,ND", f"UPSN,{service}")]
        _ws, found, states = variant_night(FIXTURES, "mwi", "MW7702150", tmp_path / str(n), warehouses=WAREHOUSES,
                                           night=NIGHT, ship_day=SHIP_DAY, shipped_swaps=swap)
        assert states == {("mwi", "MW7702150"): "invoiced"}
        assert {c for c, _s, _po, _m in found} <= NIGHT_NOTED, (service, found)


def test_a_warehouse_s_own_name_for_ground_is_told_and_written_as_ground(tmp_path):
    """The east DC names its ground service BROWN (no name of our list): its profile's service_levels maps it to CG.
    The same next-day-air PO confirmed UPSN,BROWN is told as ground, and its 856 says so (TD504 U, TD512 CG beside
    the DC's name); without the mapping, BROWN is judged by nothing and the 856 keeps the PO's air and ND."""
    import shutil

    from tests.retailer_support import variant_night

    for n, mapped in enumerate((True, False)):
        warehouses = tmp_path / f"warehouses{n}"
        shutil.copytree(WAREHOUSES, warehouses)
        east = warehouses / "east.toml"
        if mapped:
            text = east.read_text(encoding="utf-8")
            east.write_text('service_levels = { "Brown" = "CG" }\n' + text, encoding="utf-8")
        ws, found, states = variant_night(FIXTURES, "mwi", "MW7702150", tmp_path / str(n), warehouses=warehouses,
                                          night=NIGHT, ship_day=SHIP_DAY, shipped_swaps=[("UPSN,ND", "UPSN,BROWN")])
        assert states == {("mwi", "MW7702150"): "invoiced"}
        told = [f[3] for f in found if f[0] == "SERVICE_NOT_ROUTED"]
        td5 = [s for s in po_segments(segments(ws, "mwi", "856"), "MW-SHP-01", "BSN") if s[0] == "TD5"]
        if mapped:
            assert len(told) == 1 and "at service BROWN, Ground (CG); the PO's TD5 routed it at Next Day Air (ND)" \
                in told[0], found
            assert td5 == [["TD5", "B", "2", "UPSN", "U", "BROWN", "", "", "", "", "", "", "CG"]]
        else:
            assert told == [] and td5 == [["TD5", "B", "2", "UPSN", "A", "BROWN", "", "", "", "", "", "", "ND"]]
