"""Small gaps earlier rounds left (session 63): the 810's IT105 of a line taken in through the weight it was ordered
in echoes the PO105 the buyer sent (rg92b); inventory load refuses a warehouse code none of ours with warehouse profiles
as without (invwarn); a release line in a fraction of its unit draws on its blanket exactly what we acknowledged
(rg89e)."""

from __future__ import annotations

from datetime import datetime

import pytest

from schemas.units import basis_sent
from tests.retailer_support import segments, variant_night
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg92"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)


# --- 1. the 810's IT105 as the buyer sent its PO105 ----------------------------------------------------------------
@pytest.mark.parametrize(("sent", "it105"), [("", ""), ("PO", "PO"), ("PE", "PE")])
def test_a_line_in_ounces_of_an_item_counted_in_pounds_is_billed_with_the_po105_sent(tmp_path, sent, it105):
    """400 OZ of almonds we count in pounds is taken as 25 LB priced per ounce (PO: what bills it by the ounce); the
    810 used to write that PO on a line whose PO sent no PO105 (IT1*1*400*OZ*0.4*PO). It states what the buyer sent,
    as the 855 echoes it, the amount unchanged (400 x 0.40)."""
    ws, found, states = variant_night(
        FIXTURES, "sprouts", "SP9200303", tmp_path, [(b"PO1*1*25*LB*6.4**", f"PO1*1*400*OZ*0.4*{sent}*".encode())],
        warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY)
    assert states == {("sprouts", "SP9200303"): "invoiced"}
    ack = segments(ws, "sprouts", "855")
    assert ["PO1", "1", "400", "OZ", "0.4", sent] in [s[:6] for s in ack]
    it1s = [s for s in segments(ws, "sprouts", "810") if s[0] == "IT1"]
    assert it1s[0][:6] == ["IT1", "1", "400", "OZ", "0.4", it105]
    assert ["TDS", "30076"] in segments(ws, "sprouts", "810")  # 160.00 + 2.5 x 18 + 4 x 23.94
    assert not [f for f in found if f[1] == "error"]


def test_the_it105_of_a_line_restated_at_intake_is_the_one_sent():
    assert basis_sent("PO", 400, None) == ""  # restated per ounce; none sent
    assert basis_sent("PO", 400, "PE") == "PE"
    assert basis_sent("PP", None, None) == "PP"  # cases priced per pound as sent: a catch-weight line's own
    assert basis_sent(None, None, "PE") == ""


# --- 2. inventory load with warehouse profiles: a code none ships from and never loaded is refused ------------------
EAST_DC = "as_of,warehouse,sku,on_hand,reserved\n2026-11-30,East DC,SKU-1001,40,0\n2026-11-30,east,SKU-1002,5,0\n"


def _profiled(root):
    import shutil

    from flows.workspace import open_workspace

    ws = open_workspace(root)
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")  # EAST and WEST ship from their profiles
    return ws


def _load(ws, text, *options):
    from typer.testing import CliRunner

    from flows.cli import app

    path = ws.root / "stock.csv"
    path.write_text(text)
    return CliRunner().invoke(app, ["inventory", "load", str(path), *options, "-w", str(ws.root)])


def _stock(ws):
    from datetime import date

    from connectors.snapshots import load_snapshot

    table = load_snapshot(ws.inventory_dir / "snapshots", date(2026, 11, 30))
    return sorted((r["warehouse"], r["sku"], r["on_hand"]) for r in table.to_pylist())


def test_with_warehouse_profiles_a_dc_named_otherwise_than_its_profile_is_refused_as_without(tmp_path):
    """EAST's stock exported as "East DC" into a workspace whose profiles ship from EAST and WEST: it used to be
    loaded as a warehouse of its own and only warned (a second EAST, its stock promised twice). Refused as a code
    never loaded is without profiles, nothing written, naming the --location that merges it; "east" is EAST (a
    profile's code in any case); the mapping loads it as EAST."""
    from flows.exit_status import ExitStatus

    ws = _profiled(tmp_path / "ws")
    res = _load(ws, EAST_DC)
    said = " ".join(res.stderr.split())
    assert res.exit_code == ExitStatus.INPUT_ERRORS, res.output
    assert said.startswith("refused, nothing loaded: ") and "'East DC'" in said and "(EAST, WEST)" in said, said
    assert '--location "East DC=EAST"' in said and '--new-warehouse "East DC"' in said, said
    assert not (ws.inventory_dir / "snapshots").exists() or _stock(ws) == []
    res = _load(ws, EAST_DC, "--location", "East DC=EAST")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("EAST", "SKU-1001", 40), ("EAST", "SKU-1002", 5)]
    assert "no warehouse profile ships from" not in res.output


# --- 3. a release in a fraction of a unit draws exactly what we acknowledged ------------------------------------------
def _lumber_night(tmp_path, in_stock: int):
    """84 Lumber's 1.344 TM of 2x4-16 (sold by the board foot) with ``in_stock`` board feet of it, no receipt due."""
    import shutil

    from tests.support import run_stages
    from tests.test_rg48_building_materials import FIXTURES as RG48
    from tests.test_rg48_building_materials import NIGHT as RG48_NIGHT
    from tests.test_rg48_building_materials import WAREHOUSES as RG48_WAREHOUSES

    copy = tmp_path / "rg48"
    shutil.copytree(RG48, copy)
    stock = copy / "stock.csv"
    stock.write_text(stock.read_text(encoding="utf-8").replace("RG48-04,60000", f"RG48-04,{in_stock}"),
                     encoding="utf-8")
    from tests.retailer_support import of_its_own

    ws = of_its_own(copy, tmp_path / "ws", {"lumber84": ["lumber84-850-0412118840.x12"]}, warehouses=RG48_WAREHOUSES)
    run_stages(ws, RG48_NIGHT)
    return ws


def _acknowledged_line_1(ws):
    from connectors.state import StateStore
    from engine.blankets import acknowledged

    key = ("lumber84", "0412118840")
    return acknowledged(StateStore(ws.state_path).lines_for([key]))[key][1]


@pytest.mark.parametrize(("in_stock", "acks", "drawn"), [
    (1000, [["IQ", "1", "TM"], ["IR", "0.344", "TM"]], "1"),  # 1 TM placed, 0.344 TM refused: draws 1, not 1.344
    (0, [["IR", "1.344", "TM"]], "0"),  # refused whole: draws nothing, not the 0.344 over the whole TM stored
    (60000, [["IA", "1.344", "TM"]], "1.344")])
def test_a_line_in_thousand_board_feet_draws_what_its_855_acknowledged_exactly(tmp_path, in_stock, acks, drawn):
    """What an answered release draws on its blanket is what we acknowledged of each line (engine.blankets
    .acknowledged: ordered less rejected). The store keeps rejected in whole units, so the 0.344 TM refused of 1.344
    TM was stored 0 and the release drew the 1.344 it asked (and a line refused whole drew 0.344); the answer now
    keeps the fraction (the line's rejected_fraction) and the draw is exact."""
    from decimal import Decimal

    from tests.retailer_support import po_segments

    ws = _lumber_night(tmp_path, in_stock)
    ack = po_segments(segments(ws, "lumber84", "855"), "0412118840", "BAK")
    assert [s[1:4] for s in ack if s[0] == "ACK"][:len(acks)] == acks
    assert _acknowledged_line_1(ws) == (Decimal(drawn), "TM")


def test_the_rejected_fraction_mark_is_read_with_the_whole_units():
    from decimal import Decimal

    from engine.blankets import acknowledged
    from schemas.lifecycle import LineRecord, LineState
    from schemas.units import rejected_exactly

    assert rejected_exactly(0, Decimal("0.344")) == Decimal("0.344")
    assert rejected_exactly(2, None) == rejected_exactly(2, Decimal(0)) == 2
    line = LineRecord("l", "P", 1, LineState.ALLOCATED, ordered=Decimal("2.5"), unit="TM", rejected=1,
                      rejected_fraction=Decimal("0.5"))
    assert acknowledged({("l", "P"): (line,)}) == {("l", "P"): {1: (Decimal(1), "TM")}}
