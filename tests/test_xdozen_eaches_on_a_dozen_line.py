"""A DC confirming eaches for a PO line in a count unit (DZ, GS ...) of an item we sell by the each: rg58's Avendra
towels (PO1*1*20*DZ, RG58-01 sold by the EA), the east DC confirming 234 EA of them (19.5 DZ, an exact count: 18
dozen and a half) with the PO's three other lines. The whole shipment used to be held (SHIPMENT_UNIT_MISMATCH: 234
eaches are not whole DZ), so no 856 went for any of its cartons. Now the 234 eaches are recorded as 19.5 DZ
(SHIPMENT_UNIT_CONVERTED): the 856 says SN1 19.5 DZ, the 810 bills 19.5 DZ at the dozen's price, and the line stays
open for the 6 towels not shipped (rules.shipments, count_of_each_item). An order of 2.5 DZ is still rounded to whole
dozens (a case-pack question, rules.business.quantities: rg56), and eaches that are no exact 4-place fraction of the
dozen (235 EA: 19.58333 DZ) still hold their shipment: an 856 must list what physically left."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from tests.retailer_support import po_segments, segments, variant_night
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg58"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
TOWELS = "AV58100231,1,RG58-01,"


def test_eaches_of_an_item_sold_singly_are_an_exact_fraction_of_a_dozen_line():
    from rules.shipments import _of_measure

    # a count unit of an item sold by the each, counted in eaches by the DC: the quotient at most 4 places
    assert _of_measure(234, 12, "DZ", counted=True) and _of_measure(30, 12, "DZ", counted=True)
    assert _of_measure(72, 144, "GS", counted=True) and not _of_measure(3, 144, "GS", counted=True)  # 0.0208333
    assert not _of_measure(235, 12, "DZ", counted=True)  # 19.58333 DZ: not a quantity we hold exactly
    # not counted in eaches of an item sold singly (a DZ item's case, a pack of it): a case-pack question as before
    assert not _of_measure(30, 12, "DZ")


def test_only_a_count_unit_of_an_item_sold_by_the_each_or_the_pair_counts_singly():
    import pyarrow as pa

    from rules.shipment_units import ShipmentUnits
    from schemas.rule_settings import RuleSettings

    items = pa.table({"sku": ["TOWEL", "SOCKS", "GLOVES", "EGGS"], "unit": ["EA", "PR", "BX", "DZ"]})
    units = ShipmentUnits(items, None, RuleSettings())
    assert units.counts_singly("TOWEL", "DZ") and units.counts_singly("TOWEL", "GS")
    assert units.counts_singly("SOCKS", "DZ")  # a dozen pairs
    assert not units.counts_singly("TOWEL", "CA") and not units.counts_singly("TOWEL", "EA")  # no count unit
    assert not units.counts_singly("GLOVES", "DZ")  # sold by the box: an item_units row says what a DZ is
    assert not units.counts_singly("EGGS", "GS")  # sold by the dozen: a gross is 12 of them, not a count of pieces
    # an item_units row saying a DZ of the towel is another number: no count by definition
    other = ShipmentUnits(items, pa.table({"sku": ["TOWEL"], "unit": ["DZ"], "eaches": [10]}), RuleSettings())
    assert not other.counts_singly("TOWEL", "DZ")


@pytest.mark.parametrize("per", ["order", "shipment"])
def test_a_dc_confirming_234_each_for_a_20_dz_line_ships_the_whole_shipment(tmp_path, per):
    ws, found, states = variant_night(
        FIXTURES, "avendra", "AV58100231", tmp_path, warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY,
        shipped_swaps=[(TOWELS + "20,DZ", TOWELS + "234,EA")],
        profile_swaps=[] if per == "order" else [('per = "order"', 'per = "shipment"')])
    codes = {f[0] for f in found}
    assert "SHIPMENT_UNIT_MISMATCH" not in codes, found
    converted = [f for f in found if f[0] == "SHIPMENT_UNIT_CONVERTED"]
    assert len(converted) == 1 and converted[0][1] == "warning" and "recorded as 19.5 DZ" in converted[0][3], converted
    assert not [f for f in found if f[1] == "error"], found
    # the 856 goes with every carton; the towels as 19.5 DZ of the 20 ordered
    asn = po_segments(segments(ws, "avendra", "856"), "AV-SHP-01", "BSN")
    assert ["SN1", "", "19.5", "DZ", "", "20", "DZ"] in asn, [s for s in asn if s[0] == "SN1"]
    assert sum(1 for s in asn if s[0] == "SN1") == 4
    # the line stays open for the 6 towels not shipped
    assert states == {("avendra", "AV58100231"): "partially_shipped"}
    invoices = list((ws.drop_root / "avendra" / "outbox").glob("avendra-810-*.x12"))
    if per == "order":  # billed once the PO shipped complete: not yet
        assert not invoices
        return
    inv = po_segments(segments(ws, "avendra", "810"), "AV58100231", "BIG")
    # 19.5 DZ x 54 + 150 PR x 1.35 + 40 ST x 18.40 + 120 x 3.20 = 1053 + 202.50 + 736 + 384
    assert ["IT1", "1", "19.5", "DZ", "54", "", "UP", "614141580002", "VN", "RG58-01"] in inv and \
        ["TDS", "237550"] in inv, inv


def test_eaches_no_exact_fraction_of_the_dozen_still_hold_the_shipment(tmp_path):
    _ws, found, states = variant_night(
        FIXTURES, "avendra", "AV58100231", tmp_path, warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY,
        shipped_swaps=[(TOWELS + "20,DZ", TOWELS + "235,EA")])
    mismatch = [f for f in found if f[0] == "SHIPMENT_UNIT_MISMATCH"]
    assert len(mismatch) == 1 and "235 eaches: not whole DZ of 12" in mismatch[0][3], mismatch
    assert states == {("avendra", "AV58100231"): "acknowledged"}, states
    assert Decimal(235) / 12 != (Decimal(235) / 12).quantize(Decimal("0.0001"))


def test_the_six_towels_left_ship_the_next_day_and_the_order_is_billed_whole(tmp_path):
    from connectors.state import StateStore
    from tests.support import deliver_all, ship_stages

    ws, _found, states = variant_night(
        FIXTURES, "avendra", "AV58100231", tmp_path, warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY,
        shipped_swaps=[(TOWELS + "20,DZ", TOWELS + "234,EA")])
    assert states == {("avendra", "AV58100231"): "partially_shipped"}
    day2 = datetime(2026, 12, 2, 15)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    (inbox / "east-shipments-20261202.csv").write_text(
        "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID,Mark For Store\n"
        "AV-SHP-02,2026-12-02,06:30,ODFL,,,BOL-AV2,AV58100231,1,RG58-01,6,EA,AV-C5,8,LB,,\n", encoding="utf-8")
    ship_stages(ws, day2, run_id="day2")
    deliver_all(ws, day2)
    state = StateStore(ws.state_path)
    try:
        assert {o.key: o.state.value for o in state.orders()} == {("avendra", "AV58100231"): "invoiced"}
        late = [(f["code"], f["severity"]) for f in state.findings() if f["severity"] == "error"]
    finally:
        state.close()
    assert not late, late
    asn = po_segments(segments(ws, "avendra", "856"), "AV-SHP-02", "BSN")
    assert ["SN1", "", "0.5", "DZ", "", "20", "DZ"] in asn, [s for s in asn if s[0] == "SN1"]
    # billed once, per order: the towels' two shipments as the 20 DZ ordered, at the dozen's price (as rg58's night)
    inv = po_segments(segments(ws, "avendra", "810"), "AV58100231", "BIG")
    assert ["IT1", "1", "20", "DZ", "54", "", "UP", "614141580002", "VN", "RG58-01"] in inv and \
        ["TDS", "240250"] in inv, [s for s in inv if s[0] in ("IT1", "TDS")]


def test_a_no_back_order_po_shipped_19_5_of_20_dz_is_complete_and_billed(tmp_path):
    ws, _found, states = variant_night(
        FIXTURES, "avendra", "AV58100231", tmp_path, [(b"FOB*PP~", b"FOB*PP~\nCSH*N~")], warehouses=WAREHOUSES,
        night=NIGHT, ship_day=SHIP_DAY, shipped_swaps=[(TOWELS + "20,DZ", TOWELS + "234,EA")])
    asn = po_segments(segments(ws, "avendra", "856"), "AV-SHP-01", "BSN")
    assert ["SN1", "", "19.5", "DZ", "", "20", "DZ"] in asn  # the 856 goes with the 19.5 DZ
    assert states == {("avendra", "AV58100231"): "invoiced"}
    inv = po_segments(segments(ws, "avendra", "810"), "AV58100231", "BIG")
    assert ["IT1", "1", "19.5", "DZ", "54", "", "UP", "614141580002", "VN", "RG58-01"] in inv and \
        ["TDS", "237550"] in inv
