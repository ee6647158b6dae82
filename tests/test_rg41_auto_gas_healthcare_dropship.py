"""Automotive aftermarket, industrial gas, healthcare and e-commerce drop ship buyers, as their public EDI material and
trade practice describe them: tests/fixtures/rg41/ holds each one's profile, reference rows, stock, 850s written in its
shapes and the east DC's confirmation of what shipped (the rg2 DC). Keystone Automotive Operations (LKQ) (its 4010
850 as its guide lists the heading: BEG, REF, ITD, DTM, TD5, the N9 loop, then the N1 loop: a drop ship, BEG02 DS, to
a body shop named by address alone with PER IC; REF*VR our vendor number, REF*CO; FedEx ground; PO1 VP/BP); Airgas
(005010 from its DUNS, qualifier 01; CUR, PER BD, FOB PB, net 45, TD5 LTL; its branch N1*ST 92, N1*BT; PO1 VN with the
manufacturer's name MF and part MG; MIG wire in drums, DR); Kaiser Permanente (BEG02 NE, SAP line numbers 00010 and
00020, contract prices PO105 CT, PO1 VC/IN/MG; its medical centre by our number, N103 91, with a dock N2; an N9/MSG
delivery note); a Premier member hospital through Premier's ERP (the hospital by its Health Industry Number, N103 21,
as buyer and ship-to; REF*DP, 1 % 10 net 30; cases by VC/IN); Zoro Tools (a drop ship to a customer by name, a
company N2, two N3 lines, PER IC with phone and e-mail; REF*CO; DTM 010; UPS ground; PO1 VP and its SKU, SK). One
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

FIXTURES = REPO / "tests" / "fixtures" / "rg41"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"keystone": {"KA55120874": 2}, "airgas": {"4502277190": 2}, "kaiser": {"6100448231": 2},
       "premier": {"PH7720149": 2}, "zoro": {"Z1045589012": 2}}
NOTED = {"NOTES_NOT_KEPT"}  # Keystone's packing-slip note, Kaiser's delivery note (N9/MSG)
NIGHT_NOTED = NOTED | {"ASN_LATE"}  # confirmations hours after the trucks left


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg41") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5)


def _variant(partner: str, swaps: tuple[tuple[bytes, bytes], ...], tmp_path, shipments: str | None = None):
    """The night of ``partner``'s PO alone, its bytes swapped (SE01 counted again), with its rows of the shipments
    file (``shipments``: the file's text instead): (ws, findings with messages, states)."""
    import re
    import shutil

    fixtures = tmp_path / "rg41"
    shutil.copytree(FIXTURES, fixtures)
    po = next((fixtures / "drops" / partner).iterdir())
    data = po.read_bytes()
    for old, new in swaps:
        assert old in data, old
        data = data.replace(old, new)
    count = data.count(b"~", data.index(b"ST*850"), data.index(b"\nSE*")) + 1
    po.write_bytes(re.sub(rb"SE\*\d+\*", b"SE*%d*" % count, data))
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    ours = next(iter(POS[partner]))
    shipped.write_text(shipments if shipments is not None else "".join(
        r for r in rows if r.startswith("Shipment ID") or f",{ours}," in r), encoding="utf-8")
    return shipped_night(of_its_own(fixtures, tmp_path / "ws", {partner: [po.name]}, warehouses=WAREHOUSES),
                         fixtures, NIGHT, SHIP_DAY, messages=True)


def test_net_terms_sent_as_discount_not_applicable_are_the_agreed_net_terms(tmp_path):
    """Airgas states its net 45 as ITD01 05 (Discount Not Applicable: ITD*05*3*****45), a basic agreement of net 45
    without a discount on our side (customers.csv 01, 45, no percent). It was warned every night as TERMS_MISMATCH
    "ITD terms type 05 differs from the agreed 01": the same net terms. Now none; 05 against an agreement that offers
    a discount (the Premier hospital's 1 % 10 net 30) is still told, as is 05 with other net days."""
    _ws, found, states = _variant("airgas", ((b"ITD*01*3*****45", b"ITD*05*3*****45"),), tmp_path / "a")
    assert states == {("airgas", "4502277190"): "invoiced"}
    assert [f for f in found if f[0] == "TERMS_MISMATCH"] == []
    _ws, found, _states = _variant("airgas", ((b"ITD*01*3*****45", b"ITD*05*3*****60"),), tmp_path / "b")
    assert [f[3] for f in found if f[0] == "TERMS_MISMATCH"] == ["ITD net days 60 differs from the agreed 45."]
    _ws, found, _states = _variant("premier", ((b"ITD*01*3*1**10**30", b"ITD*05*3*****30"),), tmp_path / "c")
    assert [f[3] for f in found if f[0] == "TERMS_MISMATCH"] == ["ITD terms type 05 differs from the agreed 01."]


def test_discount_not_applicable_against_basic_terms_by_the_rule_alone():
    from tests.test_terms_same_kind import told

    assert told(b"ITD*05*3*****30~", discount=b",") == []
    assert told(b"ITD*01*3*****30~", agreed_type="05", discount=b",") == []
    assert told(b"ITD*08*3*****30~", agreed_type="05", discount=b",") == []
    # a discount on either side is other terms than "discount not applicable"
    assert told(b"ITD*05*3*****30~") == [("TERMS_MISMATCH", "ITD terms type 05 differs from the agreed 01.")]
    assert told(b"ITD*01*3*2**10**30~", agreed_type="05", discount=b",") == [
        ("TERMS_MISMATCH", "ITD terms type 01 differs from the agreed 05.")]
    # end of month (02) or proximo (09) without a discount are still other terms
    assert told(b"ITD*02*3*****30~", discount=b",") == [
        ("TERMS_MISMATCH", "ITD terms type 02 differs from the agreed 01.")]


@pytest.mark.parametrize(("routed", "td5"), [
    # routed next day air, shipped ground: the 856 used to say TD512 ND beside the warehouse's GND
    (b"TD5*O*2*UPSN*U*UPS NEXT DAY AIR*******ND", ["TD5", "B", "2", "UPSN", "U", "GND"]),
    (b"TD5*O*2*UPSN*U*UPS 2ND DAY AIR*******SE", ["TD5", "B", "2", "UPSN", "U", "GND"]),
    # routed ground (CG): the warehouse's GND is that level, its code kept beside the name
    (b"TD5*O*2*UPSN*U*UPS GROUND*******CG", ["TD5", "B", "2", "UPSN", "U", "GND", "", "", "", "", "", "", "CG"]),
])
def test_a_service_named_in_words_never_takes_a_routed_level_it_contradicts(tmp_path, routed, td5):
    """Zoro routes a drop ship at a service level (TD512: ND next day air, SE second day, CG ground). The DC confirms
    the shipment with its service in words (Service Level GND). The 856 wrote the words as TD505 and the PO's code as
    TD512 whatever they said: a parcel shipped by ground went out declared next day air (TD5*B*2*UPSN*U*GND*******ND),
    the service the consumer paid for and the buyer checks the ASN against. A level the words contradict is no longer
    written; one they agree with still is."""
    ws, _found, states = _variant("zoro", ((b"TD5****U*UPS GROUND", routed),), tmp_path)
    assert states == {("zoro", "Z1045589012"): "invoiced"}
    assert [s for s in segments(ws, "zoro", "856") if s[0] == "TD5"] == [td5]


def test_which_words_contradict_a_routed_level():
    from engine.shipments import routed_level_for
    from schemas.orders import ELEMENTS_SEP

    def level(words: str, code: str) -> str:  # the PO's TD5 as kept (ORDERS td5_sent: TD501 on)
        return routed_level_for("UPSN", words, [f"O*2*UPSN*U*ROUTED*******{code}".replace("*", ELEMENTS_SEP)])

    assert [level(w, "ND") for w in ("GND", "UPS GROUND", "FEDEX HOME DELIVERY", "NEXT DAY AIR", "NDA")] == [
        "", "", "ND", "ND", "ND"]
    assert [level(w, "CG") for w in ("GND", "GROUND", "NEXT DAY AIR", "2DAY", "PRIORITY OVERNIGHT")] == [
        "CG", "CG", "", "", ""]
    assert level("GROUND", "SG") == "SG" and level("2ND DAY AIR", "SE") == "SE" and level("GND", "") == ""
