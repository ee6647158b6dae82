"""An item sold by the case (items.csv unit CA, or CS) with a case_pack above 1: case_pack counts eaches per case and
one of the item's own unit is one each (docs/onboarding.md, Items), so such a row says a case holds 6 cases. The
product read it so and answered 40 CA as 42 (rounded to "cases" of 6: rg72). The reference data is now refused,
naming the row and what to write, as any other contradictory items.csv row is; case_pack keeps its meaning."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.reference import load_reference
from schemas.errors import ConfigError

from .tables import REFERENCE_DIR

ROW = "SKU-WINE-6,,,VP-W6,Cabernet 6x750 ML,{unit},{pack},1,active\n"


def _reference(tmp_path: Path, unit: str, pack: int, item_units: str = "") -> Path:
    for f in REFERENCE_DIR.glob("*.csv"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    items = tmp_path / "items.csv"
    items.write_text(items.read_text(encoding="utf-8") + ROW.format(unit=unit, pack=pack), encoding="utf-8")
    if item_units:
        (tmp_path / "item_units.csv").write_text("sku,unit,eaches\n" + item_units, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("unit", ["CA", "CS", "ca"])
def test_an_item_sold_by_the_case_with_a_case_pack_above_one_is_refused_naming_its_row(tmp_path, unit):
    row = (REFERENCE_DIR / "items.csv").read_text(encoding="utf-8").count("\n")  # its data row: after the others
    with pytest.raises(ConfigError) as err:
        load_reference(_reference(tmp_path, unit, 6))
    text = str(err.value)
    assert "items.csv'" in text and f"row={row})" in text
    assert f"'SKU-WINE-6' is sold by the case (unit {unit.upper()}) with case_pack 6" in text
    assert "case_pack 1" in text and "(EA, BO ...) with case_pack 6" in text


@pytest.mark.parametrize("unit, pack, item_units", [
    ("CA", 1, ""),  # a case item: one CA is one each
    ("BO", 6, ""),  # sold by the bottle in cases of 6
    ("EA", 6, "SKU-WINE-6,CA,6\n"),
    ("CS", 12, "SKU-WINE-6,CS,1\n"),  # real cassettes (X12 CS), 12 to a case: the row says CS is one each
])
def test_a_case_item_of_one_an_item_in_cases_of_its_own_unit_and_cassettes_load(tmp_path, unit, pack, item_units):
    ref = load_reference(_reference(tmp_path, unit, pack, item_units))
    [item] = [r for r in ref.items.to_pylist() if r["sku"] == "SKU-WINE-6"]
    assert (item["unit"], item["case_pack"]) == (unit, pack)
