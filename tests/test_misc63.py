"""Small gaps earlier rounds left (session 63): the 810's IT105 of a line taken in through the weight it was ordered
in echoes the PO105 the buyer sent (rg92b)."""

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
