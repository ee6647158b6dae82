"""Metals service centers, chemical and plastics-resin distributors, in the shapes the trades' 850 4010s use (no
buyer's own 850 guide was found in the public corpus: the shapes are the trades' common ones; steel is priced per
hundred pounds, resin per pound): tests/fixtures/rg59/ holds each one's profile, reference rows, stock, 850s and the
east DC's confirmation of what shipped (the rg2 DC). Ryerson (a mill order from its DUNS: hot-rolled sheets ordered
by the pound at a price per hundred pounds, PO103 LB with PO105 HP, of an item sold by the sheet; cold-finished bars
by the piece at a price per pound, PC with PP, billed by the weight shipped; plate by the piece; each line's size in
MEA PD TH / WD / LN / DI and grade in PID; mill test reports asked for in an N9 / MSG); Univar Solutions (caustic
soda and sulfuric acid by the drum, DR, and the tote, TE, PO4 with the gallons; each line hazardous, TD4 HM D 8; a
returnable-container deposit charged per drum and tote, line SAC C at a rate per DR / TE, SAC12 06, billed on the
810; a certificate of analysis asked for per line, MSG; a delivery window DTM 064 / 063); Nexeo Plastics (resin by
the pound at a price per pound of an item sold by the 55 lb bag, PO4 of the bag; a gaylord by the kilogram at a
price per kilogram; a bulk resin sold by the pound itself, by bulk truck; lot numbers and a COA asked for in an
N9 / MSG). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator,
Bots and pyx12."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg59"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"ryerson": {"RY4500918": 3}, "univar": {"UV7120045": 3}, "nexeo": {"NX26112407": 3}}
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED"}
NIGHT_NOTED = {"ASN_LATE", "NOTES_NOT_KEPT"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg59") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)
