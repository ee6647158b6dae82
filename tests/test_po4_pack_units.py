"""A PO line in a pack unit our item master has no row for (CT carton, BX box, PK pack, AS assortment)
whose PO4 says how many eaches the unit holds: when that count is a pack of ours (the case pack, an
item_units row), the unit converts through it at intake, allocation, price, shipment checks and the
856/810 (which echo the PO's unit), as a line in cases does. It used to be rejected (855 IR,
UNIT_NOT_CONVERTIBLE): an order lost."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from connectors.state import StateStore
from parsers.x12_reader import read_interchanges
from tests.support import GOOD_PO, deliver_all, run_stages, ship_stages, shipping_workspace, x12_850
from tests.test_change_orders import docs

NIGHT1, DAY1 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)
HEADER = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
          "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n")


def _night(tmp_path, po1: list[str]):
    ws = shipping_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + po1 + ["CTT*1*2"]))
    run_stages(ws, NIGHT1)
    return ws


def _reserved(ws) -> int:
    state = StateStore(ws.state_path)
    try:
        return sum(r.quantity for r in state.reservations_for([("acme", "PO-1")]).get(("acme", "PO-1"), ()))
    finally:
        state.close()


@pytest.mark.parametrize("unit", ["CT", "BX", "PK", "AS"])
def test_a_pack_unit_whose_po4_is_our_case_is_acknowledged_in_its_unit(tmp_path, unit):
    ws = _night(tmp_path, [f"PO1*1*2*{unit}*470.40*PE*UP*614141100248", "PO4*12"])  # SKU-1003: case of 12
    assert docs(ws, "855")["PO-1"] == [("00", "AD", [["IA", "2", unit, "068", "20261210"]])]
    assert _reserved(ws) == 24  # 2 cartons of 12 eaches


def test_a_pack_count_none_of_ours_is_still_not_convertible(tmp_path):
    ws = _night(tmp_path, ["PO1*1*2*CT*470.40*PE*UP*614141100248", "PO4*10"])
    assert docs(ws, "855")["PO-1"] == [("00", "RD", [["IR", "2", "CT"]])]


@pytest.mark.parametrize("shipped", ["2,CT", "2,CA", "24,EA"])
def test_cartons_ship_and_bill_in_the_pos_unit_consuming_their_eaches(tmp_path, shipped):
    ws = _night(tmp_path, ["PO1*1*2*CT*470.40*PE*UP*614141100248", "PO4*2*6*EA"])  # 2 inners of 6: our 12
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261127.csv").write_text(
        HEADER + f"SHP-9,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-9,PO-1,1,SKU-1003,{shipped},C-9,4,LB,\n")
    [east, *_] = ship_stages(ws, DAY1, run_id="day1")
    deliver_all(ws, DAY1)
    assert [f["code"] for f in east.findings] == ([] if shipped == "2,CT" else ["SHIPMENT_UNIT_CONVERTED"])
    state = StateStore(ws.state_path)
    try:
        (line,) = state.order_lines("acme", "PO-1")
        assert line.shipped == Decimal(2)
    finally:
        state.close()
    assert _reserved(ws) == 0  # the 24 eaches reserved are used up, none left reserved for ever
    out = ws.drop_root / "acme" / "outbox"
    [asn] = [read_interchanges(p.read_bytes()).segments.elements.to_pylist() for p in sorted(out.glob("*-856-*"))]
    assert [r[1:4] for r in asn if r[0] == "SN1"] == [["", "2", "CT"]]
    [inv] = [read_interchanges(p.read_bytes()).segments.elements.to_pylist() for p in sorted(out.glob("*-810-*"))]
    assert [r[1:5] for r in inv if r[0] == "IT1"] == [["1", "2", "CT", "470.4"]]


def test_a_pack_count_none_of_ours_is_named_in_the_finding() -> None:
    from rules.business import check_quantities
    from schemas.rule_settings import RuleSettings
    from tests.business.tables import line, lines_table, reference

    ct = dict(upc="614141100248", unit="CT", quantity=Decimal(2))
    assert [f.code for f in check_quantities(lines_table(line(**ct, po4_pack=12)), reference(), RuleSettings())] == []
    [f] = check_quantities(lines_table(line(**ct, po4_pack=10)), reference(), RuleSettings())
    assert f.code == "UNIT_NOT_CONVERTIBLE"
    assert f.message.endswith("PO4 says a CT holds 10 eaches (PO401 10): no pack of ours.")
