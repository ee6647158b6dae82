"""Apparel and footwear specialty chains, as their public EDI material describes them: tests/fixtures/rg43/ holds
each one's profile, reference rows, stock, 850s written in its shapes and the east DC's confirmation of what shipped
(the rg2 DC)."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg43"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"dsw": {"D4471208": 2}, "shoecarnival": {"SC2611240": 2}, "shoesensation": {"SS0882041": 2},
       "gordmans": {"G5512034": 2}, "charming": {"LB7720114": 2}}
NOTED = {"NOTES_NOT_KEPT", "SDQ_NOT_APPLIED"}  # inspect knows no profile: Gordmans's pre-pack note, Shoe Carnival's stores
NIGHT_NOTED = NOTED | {"ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg43") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    # Charming Shoppes' 004030VICS groups, read by Bots as 004030
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5,
                      as_read=lambda b: b.replace(b"*X*004030VICS~", b"*X*004030~"))
