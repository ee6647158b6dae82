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
