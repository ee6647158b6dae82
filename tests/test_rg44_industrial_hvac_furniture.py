"""Industrial, HVAC/plumbing and home-furnishing buyers, as their public EDI material and trade practice describe
them: tests/fixtures/rg44/ holds each one's profile, reference rows, stock, 850s written in its shapes and the east
DC's confirmation of what shipped (the rg2 DC). HD Supply Facilities Maintenance (DUNS, ISA 01; a project REF*PJ
with its name in REF03, PER BD by telephone and e-mail, 2 % 10 net 30, DTM 002 and 010, its DC by number and its
bill-to; PO1 VP/BP with MG or MF, in boxes BX, cartons CT, rolls RL, square feet SF and pairs PR); Johnstone Supply
(a store's drop ship to a contractor's job site, BEG02 DS: REF*JB with the job's name, REF*CO, N9/MSG job-site notes,
N1*BY the store, N1*ST the contractor with two N2s, two N3s and PER DC; copper line set by the foot FT, a condensing
unit by MG/MF, tape by the roll, a line MSG); Winsupply (005010 release BEG02 RL with the release number BEG04, REF*PJ
and CO, a freight charge SAC*C D240 paid by the customer, 1 % 10 net 30, the job site with N2, N3 and PER; pipe by
the foot, elbows by the box); Homemakers Furniture (a ready date DTM 010, N9/MSG comments, a special order's REF*CO,
PO4 the pieces an item ships in); Ashley HomeStores (ISA 08, CUR, a bed in three boxes named by SLN I sublines).
One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and
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

FIXTURES = REPO / "tests" / "fixtures" / "rg44"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"hdsupply": {"HDS4471190": 5}, "johnstone": {"JS0123-88412": 3}, "winsupply": {"WS-BLK-2026-14": 3},
       "homemakers": {"HM301144": 2}, "ashley": {"AF7723310": 2}}
# Johnstone's job-site notes and Homemakers' comments (N9/MSG): no document of ours carries them; Winsupply's freight
# charge (inspect knows no profile)
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED"}
NIGHT_NOTED = NOTED | {"ASN_LATE"}  # confirmations hours after the trucks left


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg44") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5)
