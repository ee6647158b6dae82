"""Outdoor, marine, licensed sports and foodservice buyers, as their public EDI material describes them:
tests/fixtures/rg37/ holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's
confirmation of what shipped (the rg2 DC). Sportsman's Warehouse (005010 from a phone-number id, qualifier 12; CUR,
PER BD, FOB CC, ITD 14 alone: terms previously agreed, the ones on file; DTM 010 / 001, TD5 routing text only, an
N9/MTX note, N1 BT and ST; lines by UPC, our item and its own IN; one line in cases with PO4 pack); West Marine
(004010VICS DC orders with the stores' quantities in SDQ, warned: one line ships whole to the DC; the retail price in
CTP RS RES; 1 % 20 net 60); Fanatics (005010 from its DUNS, its fulfilment centre by GLN, N1*ST*UL; a ship window; PO1
price basis PE, UPC, our style VA and its SKU SK; PO4 case pack; TD5 routing with TD504 ZZ); Edward Don (a foodservice
drop ship, BEG02 DS, to a restaurant named by address only, no N104, an N2 attention line; REF CO; lines in cases, CS,
and dozens, DZ, by Don's item BP and ours VP; 2 % 10 net 30). One night takes them all: inspect, the 997s and 855s,
then the 856s and 810s, checked by our validator, Bots and pyx12."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg37"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"swi": {"4410027": 2}, "westmarine": {"77015520": 2}, "fanatics": {"FN2600884": 2},
       "edwarddon": {"DN5518830": 2}}
# Sportsman's N9/MTX note; West Marine's store quantities (one line ships whole to the DC)
NOTED = {"NOTES_NOT_KEPT", "SDQ_NOT_APPLIED"}
NIGHT_NOTED = NOTED | {"ASN_LATE"}  # the confirmations arrive hours after the trucks left


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg37") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=4, answers=4)
