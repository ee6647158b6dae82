"""Greeting-card and gift, sporting-goods fitness and bicycle buyers, in the shapes their vendor manuals describe
(Hallmark Retail's corporate store group, Olympia Sports' vendor standards; Performance Bicycle in the common
SPS-style drop-ship shapes, no guide of its own being public): tests/fixtures/rg62/ holds each one's profile,
reference rows, stock, 850s and the east DC's confirmation of what shipped (the rg2 DC). Hallmark (a store-level PO:
six-digit PO number, the store as N1*ST 92, its DUNS in the ISA, FOB destination, a ship window DTM 037/038, retail
prices for pre-ticketing CTP*RS*RES, inner packs PO4); Olympia (a DC order for its stores, SDQ by store, LTL motor
freight, dumbbells by the pair and a treadmill with its weight and size, shipped store by store); Performance (a
drop ship to a consumer, BEG02 DS, REF*CO, the person as N1*ST with PER, a bicycle shipped with its frame serial
number). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator,
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
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg62"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"hallmark": {"681204": 3}, "olympia": {"OS2611401": 2}, "performance": {"PB5520713": 2}}
NOTED = {"SDQ_NOT_APPLIED"}  # inspect knows no profile: Olympia's SDQs (its profile is store level)
NIGHT_NOTED = {"ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg62") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # Hallmark: the store's number on the 856 and the 810 (its manual: PO and store number on every document), the
    # cards by the box as ordered, the 855's ship date the window's first day (DTM 037)
    asn = po_segments(segments(ws, "hallmark", "856"), "HM-SHP-01", "BSN")
    assert ["N1", "ST", "HALLMARK CREATIONS #681", "92", "0681"] in asn
    assert ["SN1", "", "12", "BX", "", "12", "BX"] in asn
    inv = po_segments(segments(ws, "hallmark", "810"), "681204", "BIG")
    assert ["N1", "ST", "HALLMARK CREATIONS #681", "92", "0681"] in inv and ["TDS", "12360"] in inv
    assert ["DTM", "068", "20261130"] in po_segments(segments(ws, "hallmark", "855"), "681204", "BAK")
    # Olympia: each store its own order level (N1 BY 92), LTL motor freight as routed, its terms billed
    asn = po_segments(segments(ws, "olympia", "856"), "OS-SHP-01", "BSN")
    assert [s for s in asn if s[:2] == ["N1", "BY"]] == [["N1", "BY", "", "92", s] for s in ("0011", "0023", "0037")]
    assert ["TD5", "B", "2", "RDWY", "M"] in asn
    inv = po_segments(segments(ws, "olympia", "810"), "OS2611401", "BIG")
    assert ["ITD", "08", "3", "2", "", "30", "", "60"] in inv and ["TDS", "171600"] in inv
    # Performance: the consumer as ship-to as sent, the web order number, the bicycle's frame serial in its item loop
    asn = po_segments(segments(ws, "performance", "856"), "PB-SHP-01", "BSN")
    assert ["N1", "ST", "DANA WHITFIELD"] in asn and ["REF", "CO", "W88120456"] in asn
    assert [s for s in asn if s[:2] == ["REF", "SE"]] == [["REF", "SE", "GRX56A0012345"]]


def test_a_short_shipment_s_balance_past_the_cancel_date_is_cancelled_and_billed(tmp_path):
    from connectors.state import StateStore
    from tests.retailer_support import variant_night
    from tests.support import deliver_all, run_stages

    ws, _found, states = variant_night(
        FIXTURES, "hallmark", "681204", tmp_path, [(b"DTM*038*20261205~", b"DTM*038*20261205~DTM*001*20261205~")],
        warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY,
        shipped_swaps=[("681204,3,RG62-03,4,EA", "681204,3,RG62-03,2,EA")])
    assert states == {("hallmark", "681204"): "partially_shipped"}
    later = datetime(2026, 12, 7, 2)  # the cancel date (12-05) passed
    run_stages(ws, later)
    deliver_all(ws, later)
    state = StateStore(ws.state_path)
    try:
        assert {o.key: o.state.value for o in state.orders()} == {("hallmark", "681204"): "invoiced"}
    finally:
        state.close()
    inv = po_segments(segments(ws, "hallmark", "810"), "681204", "BIG")
    assert ["IT1", "3", "2", "EA", "7.5", "", "UP", "614141620036", "VN", "RG62-03"] in inv
    assert ["TDS", "10860"] in inv  # 123.60 less the 2 ornaments cancelled (15.00)
