"""What the units sweep (tests/test_rg92_units.py) left: a fraction of a measure of an item counted in a measure
(12.5 LB of almonds sold by the pound, 50.5 YD of rope sold by the foot) taken as sent, its stock reserved in the
whole units that cover it; the 856's item PO4 describing the pack of the unit shipped; the 856 stating a line in the
unit the buyer ordered it in, as the 855 did."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

import pytest

from schemas.units import MEASURE_UNITS, measured
from tests.retailer_support import po_segments, segments, variant_night
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg92"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)


def _variant(partner, po, tmp_path, swaps=(), shipped_swaps=(), stock_swaps=(), profile_swaps=()):
    fixtures = FIXTURES
    if stock_swaps:  # a copy of the sweep's fixtures with its stock changed
        fixtures = tmp_path / "src" / FIXTURES.name
        shutil.copytree(FIXTURES, fixtures)
        stock = fixtures / "stock.csv"
        text = stock.read_text(encoding="utf-8")
        for a, b in stock_swaps:
            assert a in text
            text = text.replace(a, b)
        stock.write_text(text, encoding="utf-8")
    return variant_night(fixtures, partner, po, tmp_path, [(a.encode(), b.encode()) for a, b in swaps],
                         warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY, shipped_swaps=shipped_swaps,
                         profile_swaps=profile_swaps)


def _acks(ws, partner, po):
    return [s[:4] for s in po_segments(segments(ws, partner, "855"), po, "BAK") if s[0] == "ACK"]


# --- 1. a fraction of a measure -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("unit", "item_unit", "case_pack", "taken"), [
    ("LB", "LB", 1, True), ("YD", "FT", 1, True), ("KG", "GR", 1, True), ("GA", "GA", 1, True),
    ("SF", "SF", 1, True), ("MR", "CM", 1, True),
    ("LB", "LB", 25, False),  # almonds in cases of 25 LB: whole cases
    ("EA", "EA", 1, False), ("DZ", "EA", 1, False), ("CA", "LB", 1, False), ("LB", "EA", 1, False),
    ("LB", None, 1, False)])
def test_a_measure_of_an_item_counted_in_a_measure_is_kept_as_sent(unit, item_unit, case_pack, taken):
    assert measured(unit, item_unit, case_pack) is taken


def test_the_measures_are_weights_lengths_volumes_and_areas_never_counts():
    assert {"LB", "KG", "OZ", "GR", "TN", "FT", "YD", "IN", "MR", "CM", "GA", "LT", "QT", "SF", "SY", "CW"} <= \
        MEASURE_UNITS
    assert not MEASURE_UNITS & {"EA", "CA", "CS", "DZ", "GS", "BX", "PK", "PR", "RL", "CT", "PL", "UN", "PC", "TH"}


def test_a_fraction_of_a_pound_partly_in_stock_is_answered_in_its_parts(tmp_path):
    """10 LB in stock for 12.5 LB ordered: 13 LB would cover it; 10 are placed and the 2.5 LB left answered in the
    line's unit (never 3 LB, one more half pound than ordered), the line's parts adding up to the 12.5 ordered."""
    ws, found, _states = _variant("sprouts", "SP9200303", tmp_path, [("PO1*1*25*LB", "PO1*1*12.5*LB")],
                                  stock_swaps=[("EAST,RG92-21,60000,0", "EAST,RG92-21,10,0")])
    first = [a for a in _acks(ws, "sprouts", "SP9200303") if a[3] == "LB"]
    assert [a[2] for a in first] == ["10", "2.5"], first
    assert sum(Decimal(a[2]) for a in first) == Decimal("12.5")
    assert not [f for f in found if f[0] == "CASE_PACK_ROUNDED"]


def test_a_fraction_of_a_yard_of_rope_sold_by_the_foot_is_taken_shipped_and_billed_as_ordered(tmp_path):
    """50.5 YD of rope counted in whole feet (151.5 FT): reserved as the 152 FT that cover it, acknowledged, shipped and
    billed as 50.5 YD; it used to be rounded to 51 YD (CASE_PACK_ROUNDED, ACK IQ 51)."""
    ws, found, states = _variant("lowes", "LW9200404", tmp_path, [("PO1*3*50*YD", "PO1*3*50.5*YD")],
                                 [(",RG92-33,50,YD", ",RG92-33,50.5,YD")])
    assert ["ACK", "IA", "50.5", "YD"] in _acks(ws, "lowes", "LW9200404")
    assert not [f for f in found if f[0] == "CASE_PACK_ROUNDED"]
    assert states == {("lowes", "LW9200404"): "invoiced"}
    assert ["SN1", "", "50.5", "YD", "", "50.5", "YD"] in segments(ws, "lowes", "856")
    assert ["IT1", "3", "50.5", "YD", "1.2"] in [s[:5] for s in segments(ws, "lowes", "810")]


UNDER_2 = [("[fulfilment.sscc]", "[fulfilment]\nunder_ship_percent = 2\n\n[fulfilment.sscc]")]


@pytest.mark.parametrize(("weighed", "noted"), [
    ("12.3", None),
    ("12.5", None),
    ("12.7", "OVER_SHIPMENT: shipped 12.7 against 12.5 acknowledged; at 6.40 each")])
def test_a_fraction_of_a_pound_weighed_out_within_the_pound_covering_it_is_billed_as_shipped(tmp_path, weighed, noted):
    """12.5 LB ordered (13 LB reserved), 12.3, 12.5 or 12.7 LB weighed out and shipped by a partner whose profile
    tolerates 2 % under (fulfilment.under_ship_percent): the line is shipped (nothing more will come of it: 12.3 is
    within 2 %, its 0.2 LB balance cancelled as the partner agreed, so the reconciliation notes nothing of it) and
    billed by what shipped at 6.40 a pound, never the 12.5 ordered; 12.7 LB is noted for a person, as an over-shipment
    of any line. (Session 64: 12.3 LB used to complete the line with no tolerance at all, the reconciliation then
    noting NOT_SHIPPED_BY_PROMISED_DATE; without one it now stays open for the 0.2 LB,
    tests/test_catchweight_nights.py.)"""
    from connectors.state import StateStore
    from flows.reconcile import reconcile_run

    ws, found, states = _variant("sprouts", "SP9200303", tmp_path, [("PO1*1*25*LB", "PO1*1*12.5*LB")],
                                 [(",RG92-21,25,LB", f",RG92-21,{weighed},LB")], profile_swaps=UNDER_2)
    assert states == {("sprouts", "SP9200303"): "invoiced"}
    assert ["IT1", "1", weighed, "LB", "6.4"] in [s[:5] for s in segments(ws, "sprouts", "810")]
    assert not [f for f in found if f[1] == "error"]
    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 12, 20, 2), run_id="rec")
        line = [f"{e['type']}: {e['message']}" for e in state.exceptions_of_order("sprouts", "SP9200303")
                if e["active"] and e["line_number"] == 1]
    finally:
        state.close()
    assert line == ([noted] if noted else [])


def test_more_than_the_pounds_covering_a_fraction_is_an_over_shipment(tmp_path):
    """14 LB shipped for 12.5 ordered is beyond the 13 reserved: held as any over-shipment, nothing billed."""
    ws, found, states = _variant("sprouts", "SP9200303", tmp_path, [("PO1*1*25*LB", "PO1*1*12.5*LB")],
                                 [(",RG92-21,25,LB", ",RG92-21,14,LB")])
    assert [f[3] for f in found if f[0] == "SHIPMENT_OVER_RESERVED"] == [
        "Line 1 of SP9200303: 14 more shipped with only 13 still reserved."]
    assert states == {("sprouts", "SP9200303"): "acknowledged"}


# --- 2. the 856's item PO4: the pack of the unit shipped ------------------------------------------------------------
ITEM_PO4 = [('structure = "SOPI"\n', 'structure = "SOPI"\nitem_po4 = true\n')]


def _asn_packs(ws, partner):
    return [s for s in segments(ws, partner, "856") if s[0] in ("SN1", "PO4")]


def test_the_856_item_po4_describes_the_box_shipped_not_the_case(tmp_path):
    """Grainger's gloves shipped by the box of 100 (item_units BX 100; the item's case holds 1,000): PO4*100 beside
    SN1**10*BX, so 10 boxes are 1,000 gloves to a receiver multiplying SN102 by PO401 (it used to be PO4*1000:
    10,000). The dozen of glasses holds 12; the pairs and the rolls, the item's own units, keep the case they ship in
    (12 pairs, 24 rolls) as before."""
    ws, _found, _states = _variant("grainger", "4600920101", tmp_path, profile_swaps=ITEM_PO4)
    assert _asn_packs(ws, "grainger") == [
        ["SN1", "", "10", "BX", "", "10", "BX"], ["PO4", "100"], ["SN1", "", "3", "DZ", "", "3", "DZ"], ["PO4", "12"],
        ["SN1", "", "24", "PR", "", "24", "PR"], ["PO4", "12"], ["SN1", "", "48", "RL", "", "48", "RL"], ["PO4", "24"]]


def test_the_856_item_po4_of_a_pallet_is_the_pallet_s_count(tmp_path):
    """Lowe's pavers by the pallet of 96 (item_units PL 96; the item is sold by the each, case pack 1): PO4*96 beside
    SN1**2*PL (it used to be PO4*1, one paver a pallet). The square feet, yards and gallons, measures, keep the item's
    case (24 SF a carton, 1, 4 gallons a case)."""
    ws, _found, _states = _variant("lowes", "LW9200404", tmp_path, profile_swaps=ITEM_PO4)
    assert _asn_packs(ws, "lowes") == [
        ["SN1", "", "240", "SF", "", "240", "SF"], ["PO4", "24"], ["SN1", "", "50", "YD", "", "50", "YD"], ["PO4", "1"],
        ["SN1", "", "8", "GA", "", "8", "GA"], ["PO4", "4"], ["SN1", "", "2", "PL", "", "2", "PL"], ["PO4", "96"]]


# --- 3. the 856 in the unit the buyer ordered ---------------------------------------------------------------------
def test_a_line_in_ounces_of_an_item_counted_in_pounds_ships_in_ounces_as_acknowledged(tmp_path):
    """400 OZ of almonds we count in pounds (taken as the 25 LB that cover it, by definition): the 855 answers
    ACK*IA*400*OZ and the 810 bills 400 OZ, so the 856 says SN1**400*OZ**400*OZ, its quantity ordered (SN105) the
    buyer's (it used to say SN1**25*LB**25*LB); CTT02 adds the ounces. The DC's 25 LB stays the line's shipped
    quantity: the order is invoiced."""
    ws, found, states = _variant("sprouts", "SP9200303", tmp_path, [("PO1*1*25*LB*6.4**", "PO1*1*400*OZ*0.4**")])
    assert ["ACK", "IA", "400", "OZ"] in _acks(ws, "sprouts", "SP9200303")
    asn = segments(ws, "sprouts", "856")
    assert [s for s in asn if s[0] == "SN1"] == [["SN1", "", "400", "OZ", "", "400", "OZ"],
                                                 ["SN1", "", "2.5", "KG", "", "2.5", "KG"],
                                                 ["SN1", "", "4", "CA", "", "4", "CA"]]
    assert [s for s in asn if s[0] == "CTT"] == [["CTT", "7", "406.5"]]
    assert states == {("sprouts", "SP9200303"): "invoiced"}
    assert ["IT1", "1", "400", "OZ", "0.4"] in [s[:5] for s in segments(ws, "sprouts", "810")]
    assert not [f for f in found if f[1] == "error"]
