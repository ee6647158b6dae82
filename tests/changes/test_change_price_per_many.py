"""An 860 changing the price of a line kept per thousand feet as sent (xprec: 287.45 TF on 2,500 FT, stored
PRICED_PER:1000): the new price per thousand feet (290.10 TF, 0.2901 per foot, exact; 290.15 TF: 0.29015, not exact
at 4 places) is taken as the 850 reader takes a PO104, kept as sent with its basis, so the order's value, the 865 and
the next 810 count it per foot (CED's wire, tests/test_rg46_electrical_distributors.py)."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

import pytest

from tests.retailer_support import findings_and_states, po_segments, recounted, segments, stored_value
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg46"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
CHANGE_NIGHT = datetime(2026, 11, 26, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
PO = "CED0544-118273"
ITEM = ["CB", "THHN12SOLBLK", "VP", "RG46-01", "MG", "12SOLBLK-2500"]

CHANGE = (
    "ISA*00*          *00*          *ZZ*CEDNET         *ZZ*ORDERBRIDGE    *261125*1015*U*00401*000046102*0*P*>~\n"
    "GS*PC*CEDNET*ORDERBRIDGE*20261125*1015*46102*X*004010~\n"
    "ST*860*46102~\n"
    f"BCH*04*SA*{PO}**1*20261124****20261125~\n"
    "POC*1*PC*2500**FT*{price}*TF*CB*THHN12SOLBLK*VP*RG46-01*MG*12SOLBLK-2500~\n"
    "CTT*1~\n"
    "SE*5*46102~\n"
    "GE*1*46102~\n"
    "IEA*1*000046102~\n"
)


def _ced_alone(tmp_path, sent: str, shipped_ft: int = 2500):
    """A copy of the rg46 fixtures with CED's PO alone (line 1 ``sent`` TF on 2,500 FT, CED receiving 865s too), its
    east DC confirmation shipping ``shipped_ft`` FT of line 1 (the PO's other lines whole), and its workspace: (ws,
    the confirmation)."""
    from tests.retailer_support import of_its_own

    copy = tmp_path / "rg46"
    shutil.copytree(FIXTURES, copy)
    profile = copy / "partners" / "ced.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        'receives = ["997", "855", "856", "810"]', 'receives = ["997", "855", "856", "810", "865"]'), encoding="utf-8")
    po = next((copy / "drops" / "ced").iterdir())
    po.write_bytes(recounted(po.read_bytes().replace(b"PO1*1*2500*FT*285.5*TF", f"PO1*1*2500*FT*{sent}*TF".encode())))
    shipped = copy / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text(rows[0] + "".join(r for r in rows if f",{PO}," in r).replace(
        ",1,RG46-01,2500,FT,", f",1,RG46-01,{shipped_ft},FT,"), encoding="utf-8")
    for folder in (copy / "drops").iterdir():
        if folder.name != "ced":
            shutil.rmtree(folder)
    return of_its_own(copy, tmp_path / "ws", {"ced": [po.name]}, warehouses=WAREHOUSES), shipped


def _night_with_change(tmp_path, price: str):
    """CED's PO alone (line 1 at 287.45 TF), taken and answered; the next night an 860 changing line 1's price to
    ``price`` TF; then shipped whole and invoiced: (ws, findings (code, message), states, stored order value)."""
    from tests.support import deliver_all, run_stages, ship_stages

    ws, shipped = _ced_alone(tmp_path, "287.45")
    run_stages(ws, NIGHT)
    inbox = ws.drop_root / "ced" / "inbox"
    (inbox / "ced-860-CED0544-118273.x12").write_text(CHANGE.replace("{price}", price), encoding="utf-8")
    run_stages(ws, CHANGE_NIGHT)
    value = stored_value(ws, "ced")
    whinbox = ws.warehouse_drop_root / "east" / "inbox"
    whinbox.mkdir(parents=True, exist_ok=True)
    shutil.copy2(shipped, whinbox / shipped.name)
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    found, states = findings_and_states(ws)
    return ws, found, states, Decimal(str(value))


def test_an_860_changing_a_price_per_thousand_feet_is_taken_per_foot(tmp_path):
    """290.10 TF (0.2901 per FT, exact, so the reader restates it PE): the line was stored PRICED_PER:1000 at
    287.45; the change's 290.1 PE must not be divided by 1,000 again. Value 725.25 + 1,030 + 78.80 = 1,834.05; 865 ACK
    IP; the 810 bills 2,500 x 0.2901 = 725.25 (TDS 182405)."""
    ws, found, states, value = _night_with_change(tmp_path, "286.1")
    assert states == {("ced", PO): "invoiced"}, (states, found)
    assert not [f for f in found if f[0].startswith("CHANGE_")], found
    ack = segments(ws, "ced", "865")
    pocs = [s for s in ack if s[0] == "POC"]
    acks = [s for s in ack if s[0] == "ACK"]
    assert pocs and acks and acks[0][1] == "IP", (pocs, acks)
    assert value == Decimal("1824.05"), value
    inv = po_segments(segments(ws, "ced", "810"), PO, "BIG")
    it1 = next(s for s in inv if s[0] == "IT1" and s[1] == "1")
    assert it1[2:4] == ["2500", "FT"], it1
    assert ["TDS", "182405"] in inv, inv


def test_an_860_changing_a_price_per_thousand_feet_not_exact_per_foot_is_kept_as_sent(tmp_path):
    """290.15 TF (0.29015 per FT, not exact at 4 places): kept as sent with its basis, as the 850's 287.45 TF was.
    Value 725.375 + 1,030 + 78.80 = 1,834.175; the 865 echoes POC 290.15 TF, ACK IP; the 810's IT1 290.15 TF,
    2,500 x 290.15 / 1,000 = 725.375, 725.38 half up (TDS 182418)."""
    ws, found, states, value = _night_with_change(tmp_path, "286.15")
    assert states == {("ced", PO): "invoiced"}, (states, found)
    assert not [f for f in found if f[0].startswith("CHANGE_")], found
    ack = segments(ws, "ced", "865")
    pocs = [s for s in ack if s[0] == "POC"]
    acks = [s for s in ack if s[0] == "ACK"]
    assert pocs and pocs[0][5:8] == ["FT", "286.15", "TF"], pocs
    assert acks and acks[0][1] == "IP", acks
    assert value == Decimal("1824.175"), value
    inv = po_segments(segments(ws, "ced", "810"), PO, "BIG")
    assert ["IT1", "1", "2500", "FT", "286.15", "TF", *ITEM] in inv, [s for s in inv if s[0] == "IT1"]
    assert ["TDS", "182418"] in inv, inv


def _shipped_short_then_changed(tmp_path, sent: str, price: str, basis: str = "TF"):
    """CED's PO alone, line 1 ``sent`` TF on 2,500 FT; 2,000 FT of it shipped and invoiced on the ship day (500 FT
    backordered); the next day an 860 changing line 1's price to ``price`` ``basis``; the 500 FT left shipped and
    invoiced the day after: (ws, findings, states, the stored value after the change, line 1's stored codes, the
    second 810's segments)."""
    from connectors.state import StateStore
    from tests.support import run_stages

    ws, shipped = _ced_alone(tmp_path, sent, shipped_ft=2000)
    run_stages(ws, NIGHT)
    whinbox = ws.warehouse_drop_root / "east" / "inbox"
    whinbox.mkdir(parents=True, exist_ok=True)
    shutil.copy2(shipped, whinbox / shipped.name)
    run_stages(ws, SHIP_DAY)
    first = set((ws.drop_root / "ced" / "outbox").glob("ced-810-*.x12"))
    inbox = ws.drop_root / "ced" / "inbox"
    (inbox / "ced-860-CED0544-118273.x12").write_text(
        CHANGE.replace("{price}*TF", f"{price}*{basis}").replace("261125*1015", "261202*1015")
        .replace("20261125*1015", "20261202*1015"), encoding="utf-8")
    run_stages(ws, datetime(2026, 12, 2, 2))
    state = StateStore(ws.state_path)
    try:
        [(value,)] = state._q("SELECT value FROM orders WHERE partner = 'ced'")
        [(codes, many)] = state._q("SELECT codes, priced_per FROM order_lines WHERE line_number = 1")
        codes = (codes, many)
    finally:
        state.close()
    head, *ours = shipped.read_text(encoding="utf-8").splitlines(keepends=True)  # line 1 at 2,000 FT
    rest = ours[0].replace(",1,RG46-01,2000,FT,", ",1,RG46-01,500,FT,").replace("CE-SHP-01", "CE-SHP-02") \
        .replace("2026-12-01", "2026-12-03").replace("CE-C1", "CE-C4").replace("BOL-CE", "BOL-CE2") \
        .replace("CE-P1", "CE-P2")
    (whinbox / "east-shipments-20261203.csv").write_text(head + rest, encoding="utf-8")
    run_stages(ws, datetime(2026, 12, 3, 15))
    found, states = findings_and_states(ws)
    second = sorted(set((ws.drop_root / "ced" / "outbox").glob("ced-810-*.x12")) - first)
    segs = []
    for path in second:
        text = path.read_bytes().decode().replace("\r", "").replace("\n", "")
        segs += [s.split(text[3]) for s in text.split("~") if s]
    return ws, found, states, Decimal(str(value)), codes, segs


# (850 PO104 TF, the 860's POC06, POC07): the stored value once changed, line 1's PRICED_PER mark, the 865's POC
# price and basis, the 810's IT1 price and basis for line 1, its TDS
AFTER_SHIPMENT = [
    # kept per thousand feet, changed to a price exact per foot: the reader restates it 0.2861 PE, the mark goes
    ("287.45", "286.1", "TF", "1824.05", "", ["0.2861", "PE"], "182405"),
    # the same price sent per foot (TF -> PE): likewise
    ("287.45", "0.2861", "PE", "1824.05", "", ["0.2861", "PE"], "182405"),
    # restated per foot at intake (285.5 TF: 0.2855 PE), changed to a price not exact per foot: kept as sent, marked
    ("285.5", "286.15", "TF", "1824.175", "PRICED_PER:1000", ["286.15", "TF"], "182418"),
    # kept per thousand feet, changed to another such price: the mark stays
    ("287.45", "286.15", "TF", "1824.175", "PRICED_PER:1000", ["286.15", "TF"], "182418"),
]


@pytest.mark.parametrize(("sent", "price", "basis", "value", "mark", "billed", "tds"), AFTER_SHIPMENT,
                         ids=["TF-to-exact-TF", "TF-to-PE", "PE-to-inexact-TF", "TF-to-TF"])
def test_an_860_after_part_shipped_changing_a_price_per_thousand_feet_keeps_its_mark(
        tmp_path, sent, price, basis, value, mark, billed, tds):
    """An order that shipped in part is not decided again: an 860's new price is written on the stored line
    (engine.lifecycle.changes.changed_after_shipment), whose PRICED_PER mark is what counts its value per foot.
    The mark was left as it was: 286.1 TF taken as 0.2861 PE on a line still marked PRICED_PER:1000 valued the line
    at 0.71525 (order 1,109.52); 286.15 TF on a line restated PE at intake, unmarked, at 715,375 (order 716,483.80).
    Now the mark follows the line's new price and basis: 2,500 FT x 0.2861 = 715.25 (1,824.05), 2,500 x 0.28615 =
    715.375 (1,824.175); the 865 echoes the price as the reader took it, the 810 bills it so."""
    ws, found, states, stored, codes, second = _shipped_short_then_changed(tmp_path, sent, price, basis)
    assert states == {("ced", PO): "invoiced"}, (states, found)
    assert not [f for f in found if f[0].startswith("CHANGE_") or f[0] == "PRICE_BASIS_UNSUPPORTED"], found
    assert stored == Decimal(value)
    codes, many = codes  # line 1's priced_per: a column (dupstate), no PRICED_PER mark among its codes
    assert many == (mark.removeprefix("PRICED_PER:") or None) and "PRICED_PER" not in (codes or "")
    ack = segments(ws, "ced", "865")
    assert [s[5:8] for s in ack if s[0] == "POC"] == [["FT", *billed]]
    assert [s[1] for s in ack if s[0] == "ACK"] == ["IP"]
    assert ["IT1", "1", "2500", "FT", *billed, *ITEM] in second, [s for s in second if s[0] == "IT1"]
    assert ["TDS", tds] in second
