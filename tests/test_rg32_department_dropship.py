"""Department stores' own drop-ship (direct-to-consumer) programmes, not through a hub (rg15 has CommerceHub, SPS,
Logicbroker and QVC), as their guides describe them: tests/fixtures/rg32/ holds each one's profile, reference rows,
850s written in its shapes and the warehouse's confirmation of what shipped. Target.com DVS (4010, one heading REF*CO,
TD5 with a TD512 service level, N9 gift message, a MSG in the line loop, the guest's PER with phone and email, two
lines leaving as two parcels); Bloomingdale's on Macy's Inc. drop-ship 850 (4030, ISA 08 with a ^ repetition
separator, REF CO/DP/IA, PER, FOB, ITD, one TD5, N9*GM with two MSG, the consumer's N2 and two-element N3);
Belk.com (BEG02 SA, REF CO/IL/IA, N1*BT before the consumer's N1*ST/N2/N3/N4/PER, PO1 VN/UP/SK); Nordstrom.com
on the Dsco spec (DTM 010/001/097, TD512 SE, a line with no stock before the cancel date); Kohl's.com on the Dsco
spec (TD512 SC, a ZIP+4, an apostrophe in the consumer's name). ONE night for the whole group: inspect, the 997s
and 855s, then the 856s and 810s."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    accepted_as_ordered,
    all_sent_accepted,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    on_demo,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg32"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 27, 14, 30)

POS = {"targetdvs": {"0041883290": 2}, "bcomdsv": {"7712045531": 1}, "belkcom": {"6608813274": 2},
       "nordstromcom": {"N7744120915": 2}, "kohlsdsco": {"KD20261125118": 2}}
PARTNERS = tuple(POS)
# gift and packing-slip messages no document of ours keeps: ops print them on the packing slip
NOTED = {"NOTES_NOT_KEPT"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_department_store_drop_ship_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg32") / "ws"
    return shipped_night(on_demo(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_taken_and_only_the_nordstrom_line_past_its_cancel_date_refused(night):
    ws, found, states = night
    assert not [f for f in found if f[1] == "error"]
    assert {c for c, _s, _po in found} <= NOTED | {"BACKORDER_AFTER_CANCEL", "ASN_LATE"}
    assert [f[2] for f in found if f[0] == "BACKORDER_AFTER_CANCEL"] == ["N7744120915"]
    accepted_as_ordered(ws, {p: pos for p, pos in POS.items() if p != "nordstromcom"})
    assert set(states.values()) == {"invoiced"} and len(states) == 5
    # acknowledged as the consumer ordered: 1 calculator, not a case of 12; 1 stapler, not the store minimum of 5
    assert not {"CASE_PACK_ROUNDED", "QTY_BELOW_MINIMUM"} & {c for c, _s, _po in found}


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    ws, _found, _states = night
    all_sent_accepted(ws, PARTNERS, tmp_path, maps, shipments=6, answers=5)
