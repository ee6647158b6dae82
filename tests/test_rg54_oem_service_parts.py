"""Automotive OEM service-parts and heavy-truck / equipment parts buyers by X12 850, in the shapes their public EDI
material describes (tests/fixtures/rg54/ holds each one's profile, reference rows, stock, 850s and the east DC's
confirmation of what shipped; the rg2 DC). Ford Customer Service Division's Supplier Direct Ship orders in X12
002001 (ISA12 00200, every date YYMMDD): service parts shipped to a dealer (BEG02 DS, N1*ST by its P&A code, 92,
Ford Field Accounting as N1*BT B82AA), the supplier's GSDB code in REF IA, Ford part numbers with spaces (BP) and
ours (VP), a line schedule (SCH). Navistar Parts' Service Parts Direct Ship orders in 003040 (ISA 01 DUNS): a
vehicle-off-road emergency told in NTE, next-day air (TD5 A), Navistar's buying location (N1*BY 92) and the dealer
(N1*ST 92, PER IC), Navistar part numbers (BP), a returnable tote (PKG). John Deere Parts' 004010 orders to its
distribution centre: a heading TAX, freight collect, its routing (TD5) inside the ship-to's N1 loop, Deere part
numbers (BP) with their engineering change level (EC), an exempt line TXI, line schedules (SCH). One night takes
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
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg54"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 11, 26, 15)

POS = {"fordsds": {"FD5401120": 2}, "navistar": {"NV5402120": 2}, "deere": {"JD5403120": 2}}
NOTED = {"SCH_NOT_APPLIED", "NOTES_NOT_KEPT"}
NIGHT_NOTED = {"ASN_LATE", *NOTED}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg54") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, found, _states = night
    for partner, po in (("fordsds", "FD5401120"), ("navistar", "NV5402120"), ("deere", "JD5403120")):
        for kind, head in (("855", "BAK"), ("810", "BIG")):
            print(partner, kind, po_segments(segments(ws, partner, kind), po, head))
        print(partner, "856", segments(ws, partner, "856"))
    print(found)
