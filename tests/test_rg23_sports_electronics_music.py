"""Sporting goods, electronics and music retailers, as their guides and programmes describe them:
tests/fixtures/rg23/ holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's
confirmation of what shipped. Hibbett (an auto-replenishment PO, BEG02 SA, to its DC, store 14; one 810 per shipment
per PO naming the ship-to store); Scheels (004030 850s: GS08 004030, REF*IA, PER, FOB, ITD, required DTMs, one
TD5); Big 5 (005010, its 810 with our remit-to, N1*RI, freight and a co-op advertising allowance); GameStop (one
REF, ship complete, a street date: DTM*037 do not ship before; consoles shipped with each unit's serial, REF*SE;
its 856 wants the bill of lading and vendor number at the shipment level); Newegg as a retailer (a drop ship to its
customer: BEG02 DS, N1*ST a person, a TD512 service level, its customer order number REF*CO quoted back; each
unit's serial); Guitar Center (a vendor-managed replenishment release, BEG02 RL with BEG04, guitars by serial,
strings in cases of 12). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg23"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"hibbett": {"0112345": 2}, "scheels": {"SC440021": 2}, "big5": {"B5771203": 2},
       "gamestop": {"4510098765": 2}, "newegg": {"NE26112401": 2}, "guitarcenter": {"GC7781203": 2}}
NOTED: set[str] = set()
# the confirmations arrive hours after the trucks left
NIGHT_NOTED = NOTED | {"ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_sports_electronics_and_music_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg23") / "ws"
    return shipped_night(of_its_own(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_855_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):  # noqa: F811
    ws, _found, _states = night
    # Scheels' 004030 documents are built by 004010's dictionary: the checkers read them relabelled 004010
    all_sent_accepted(ws, POS, tmp_path, maps, shipments=6, answers=6, as_read=lambda b: b.replace(
        b"*^*00403*", b"*U*00401*").replace(b"*X*004030~", b"*X*004010~"))


def test_gamestop_856_names_the_bill_of_lading_and_vendor_number_at_the_shipment_level(night):
    """GameStop's 856 guide requires two REFs in the shipment's HL loop: the bill of lading and our vendor number.
    shipment_refs could name BM and CN only: the vendor number went in the order loop alone, and GameStop's
    required shipment-level REF was missing. Now shipment_refs "IA" writes it there (after REF*BM, before DTM*011);
    the order loop keeps its own. The consoles carry each unit's serial (REF*SE) as the DC scanned it."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "gamestop", "856"), "GS-SHP-01", "BSN")
    o = asn.index(["HL", "2", "1", "O", "1"])
    assert [s for s in asn[:o] if s[0] == "REF"] == [["REF", "BM", "BOL-GS-098765"], ["REF", "IA", "GSV8812"]]
    at = asn.index(["REF", "IA", "GSV8812"])
    assert asn[at + 1][:2] == ["DTM", "011"]
    assert asn[o + 1: o + 4] == [["PRF", "4510098765", "", "", "20261124"], ["REF", "IA", "GSV8812"],
                                 ["REF", "DP", "070"]]
    assert [s[2] for s in asn if s[:2] == ["REF", "SE"]] == [f"GSN1A000{k}" for k in range(1, 7)]


def test_a_vendor_number_at_the_shipment_level_needs_one():
    import tomllib

    from pydantic import ValidationError

    from schemas.profile import PartnerProfile

    data = tomllib.loads((FIXTURES / "partners" / "gamestop.toml").read_text(encoding="utf-8"))
    assert PartnerProfile.model_validate(data).fulfilment.asn.shipment_refs == ("BM", "IA")
    del data["fulfilment"]["asn"]["vendor_number"]
    with pytest.raises(ValidationError, match="shipment_refs"):
        PartnerProfile.model_validate(data)
    data["fulfilment"]["asn"]["shipment_refs"] = ["BM", "VR"]
    with pytest.raises(ValidationError):
        PartnerProfile.model_validate(data)
