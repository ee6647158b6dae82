"""An item sold by the case (items.csv unit CA, or CS that no item_units.csv row sku,CS,1 makes a cassette) with a
case_pack above 1: case_pack counts eaches per case and one of the item's own unit is one each (docs/onboarding.md,
Items), so such a row says a case holds 6 cases, and the product answers 40 CA as 42 (rounded to "cases" of 6: rg72).
Meant so (a master pack) or not is the owner's to say: the rows load and are decided as they say (refusing them
would stop every partner's night, and workspaces that ran before), and each is said as a CASE_PACK_AMBIGUOUS warning
naming the file, the row, the sku and what to write: by the decide stage of a night and by `orderbridge partner
check`."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from connectors.reference import load_reference
from rules.reference_rows import case_items_said

from .tables import REFERENCE_DIR

ROW = "SKU-WINE-6,,,VP-W6,Cabernet 6x750 ML,{unit},{pack},1,active\n"
NIGHT = datetime(2026, 11, 27, 2)


def _reference(tmp_path: Path, unit: str, pack: int, item_units: str = "") -> Path:
    for f in REFERENCE_DIR.glob("*.csv"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    items = tmp_path / "items.csv"
    items.write_text(items.read_text(encoding="utf-8") + ROW.format(unit=unit, pack=pack), encoding="utf-8")
    if item_units:
        (tmp_path / "item_units.csv").write_text("sku,unit,eaches\n" + item_units, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("unit, item_units", [
    ("CA", ""),
    ("CS", ""),
    ("ca", ""),  # read as CA, as X12 writes a unit code
    ("CS", "SKU-1001,CS,1\n"),  # another item's cassette row makes no cassette of this one
    ("CS", "SKU-WINE-6,CS,6\n"),  # a CS row of 6: a case still
])
def test_an_item_sold_by_the_case_with_a_case_pack_above_one_is_said_naming_its_row(tmp_path, unit, item_units):
    row = (REFERENCE_DIR / "items.csv").read_text(encoding="utf-8").count("\n")  # its data row: after the others
    folder = _reference(tmp_path, unit, 6, item_units)
    ref = load_reference(folder)  # it loads: nothing refused
    [item] = [r for r in ref.items.to_pylist() if r["sku"] == "SKU-WINE-6"]
    assert (item["unit"], item["case_pack"]) == (unit.upper(), 6)  # read as the row says
    assert ref.case_items == ((str(folder / "items.csv"), row, "SKU-WINE-6", unit.upper(), 6),)
    [f] = case_items_said(ref.case_items)
    assert (f.code, f.severity) == ("CASE_PACK_AMBIGUOUS", "warning")
    assert f.message.startswith(f"items.csv row {row}: sku 'SKU-WINE-6' is sold by the case (unit {unit.upper()}) "
                                "with case_pack 6: case_pack counts eaches per case")
    assert "a case holds 6 cases" in f.message and "rounded to multiples of 6" in f.message
    assert "Sold by the case: case_pack 1" in f.message and "its unit (EA, BO ...) with case_pack 6" in f.message
    loc = f.location
    assert (loc.file, loc.row, loc.column, loc.value) == (str(folder / "items.csv"), row, "case_pack", "6")


@pytest.mark.parametrize("unit, pack, item_units", [
    ("CA", 1, ""),  # a case item: one CA is one each
    ("CS", 1, ""),
    ("BO", 6, ""),  # sold by the bottle in cases of 6
    ("EA", 6, "SKU-WINE-6,CA,6\n"),
    ("CS", 12, "SKU-WINE-6,CS,1\n"),  # real cassettes (X12 CS), 12 to a case: the row says CS is one each
])
def test_a_case_item_of_one_an_item_in_cases_of_its_own_unit_and_cassettes_are_not_said(tmp_path, unit, pack,
                                                                                       item_units):
    ref = load_reference(_reference(tmp_path, unit, pack, item_units))
    [item] = [r for r in ref.items.to_pylist() if r["sku"] == "SKU-WINE-6"]
    assert (item["unit"], item["case_pack"]) == (unit, pack)
    assert ref.case_items == () and case_items_said(ref.case_items) == []


def test_the_sample_reference_data_has_no_such_row():
    assert load_reference(REFERENCE_DIR).case_items == ()


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """Acme's night with its pens (SKU-1003, items.csv row 3) made a CA item of case_pack 6 and its first PO ordering
    40 CA of them: the night runs, reports (its failures.csv) and answers."""
    from connectors.state import StateStore
    from tests.support import make_workspace, run_night

    ws = make_workspace(tmp_path_factory.mktemp("casewarn") / "ws", partners=("acme",))
    items = ws.reference_dir / "items.csv"
    old = "SKU-1003,00614141100248,614141100248,VP-1003,Ballpoint pen blue,EA,12,12,active"
    assert items.read_text(encoding="utf-8").splitlines()[3] == old
    items.write_text(items.read_text(encoding="utf-8").replace(old, old.replace(",EA,12,12,", ",CA,6,1,")),
                     encoding="utf-8")
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    assert "PO1*2*24*EA*39.20*PE*VN*VP-1003~" in po.read_text()
    po.write_text(po.read_text().replace("PO1*2*24*EA*39.20*PE*VN*VP-1003~", "PO1*2*40*CA*39.20*PE*VN*VP-1003~"))
    run_id = run_night(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        found = state.findings()
        run = state.run(run_id)
    finally:
        state.close()
    sent = {p.name: p.read_text() for p in sorted((ws.drop_root / "acme" / "outbox").glob("*")) if p.is_file()}
    return ws, run_id, run, found, sent


def test_the_night_runs_reports_the_row_and_decides_it_as_it_says(night):
    ws, run_id, run, found, sent = night
    assert run["finished_at"]  # the night ran to its end: nothing refused
    [f] = [f for f in found if f["code"] == "CASE_PACK_AMBIGUOUS"]
    assert (f["severity"], f["partner"], f["stage"]) == ("warning", "", "decide")
    assert f["message"].startswith("items.csv row 3: sku 'SKU-1003' is sold by the case (unit CA) with case_pack 6")
    with open(ws.reports_dir / run_id / "failures.csv", encoding="utf-8-sig", newline="") as fh:
        reported = [r for r in csv.DictReader(fh) if "CASE_PACK_AMBIGUOUS" in r.values()]
    assert len(reported) == 1 and any("items.csv row 3" in v for v in reported[0].values())
    # decided as the row says (nothing else changed): 40 CA rounded to multiples of 6, answered 42
    [ack] = [t for name, t in sent.items() if "-855-" in name and "ACME-1000" in t]
    assert "ACK*IQ*42*CA" in ack
    assert any(f["code"] == "CASE_PACK_ROUNDED" and f["partner"] == "acme" for f in found)


def test_partner_check_shows_the_row_as_a_warning_and_the_partner_ready(night, tmp_path):
    import shutil

    from typer.testing import CliRunner

    from flows.cli import app

    ws = night[0]
    shutil.copytree(ws.root, tmp_path / "ws", symlinks=True)
    res = CliRunner().invoke(app, ["partner", "check", "acme", "-w", str(tmp_path / "ws")], terminal_width=400)
    assert res.exit_code == 0, res.stdout
    [line] = [x for x in res.stdout.splitlines() if "CASE_PACK_AMBIGUOUS" in x]
    assert line.startswith("warning: items.csv row 3: sku 'SKU-1003' is sold by the case (unit CA) with case_pack 6")
    assert "partner acme: ready" in res.stdout
