"""items.csv's GTIN is optional (xgtin): a wholesaler's item master keeps none for steel plate cut to size, bulk
chemicals, resin by the railcar, many MRO parts. Such an item loads, is matched by the ids the PO sends (VN/VP, the
partner's cross-reference) and never by an empty GTIN, and is answered, shipped and invoiced without a GS1 id; a
partner whose 810 requires a UPC on every IT1 gets no made-up one: that 810 is held, naming the item. A GTIN that is
given is still checked (length, GS1 check digit) and unique."""

from __future__ import annotations

import shutil
from datetime import datetime

import pyarrow as pa
import pytest

from connectors.reference import load_reference
from rules.business.items import part_id, resolve_items
from schemas.errors import ConfigError
from tests.retailer_support import segments, variant_night
from tests.support import REPO, deliver_all, ship_stages

RG59 = REPO / "tests" / "fixtures" / "rg59"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
# Ryerson's sheets, bars and plate, with the GTINs and UPCs the rg59 sweep had to invent for them
INVENTED = {"RG59-01": "00614141590001,614141590001", "RG59-02": "00614141590018,614141590018",
            "RG59-03": "00614141590025,614141590025"}


def _reference(tmp_path, items_text: str):
    folder = tmp_path / "reference"
    shutil.copytree(RG59 / "reference", folder)
    (folder / "items.csv").write_text(items_text, encoding="utf-8")
    return load_reference(folder)


def _items_text(**rows: str) -> str:
    text = (RG59 / "reference" / "items.csv").read_text(encoding="utf-8")
    for sku, ids in rows.items():
        text = text.replace(f"{sku},{INVENTED[sku]},", f"{sku},{ids},")
    return text


def test_items_without_a_gtin_load_and_two_of_them_do_not_clash(tmp_path):
    ref = _reference(tmp_path, _items_text(**{"RG59-01": ",", "RG59-02": ",", "RG59-03": ",614141590025"}))
    gtins = dict(zip(ref.items["sku"].to_pylist(), ref.items["gtin"].to_pylist(), strict=True))
    assert gtins["RG59-01"] is None and gtins["RG59-02"] is None
    assert gtins["RG59-03"] == "00614141590025"  # a UPC without a GTIN: the UPC's GTIN-14
    assert gtins["RG59-11"] == "00614141590032"  # a GTIN given: as ever
    rows = {r["sku"]: r for r in ref.items.to_pylist()}
    assert [part_id(q, rows["RG59-01"]) for q in ("UK", "UP", "EN", "UI", "UA", "U2")] == [None] * 6
    assert part_id("VP", rows["RG59-01"]) == "RG59-01"


def test_a_file_without_a_gtin_column_loads(tmp_path):
    text = _items_text().splitlines(keepends=True)
    dropped = "".join(",".join(c for i, c in enumerate(line.split(",")) if i != 1) for line in text)
    ref = _reference(tmp_path, dropped)
    assert ref.items.num_rows == len(text) - 1
    # each item's UPC stands for its GTIN
    assert ref.items["gtin"].to_pylist()[0] == "00614141590001"


@pytest.mark.parametrize("ids, says", [("00614141590002,", "is not a valid GTIN"),
                                       ("12345,", "is not a valid GTIN"),
                                       ("00614141590032,", "duplicate gtin"),
                                       (",614141590002", "not a valid 12-digit UPC-A")])
def test_a_gtin_given_is_still_checked(tmp_path, ids, says):
    with pytest.raises(ConfigError, match=says):
        _reference(tmp_path, _items_text(**{"RG59-01": ids}))


def test_a_line_is_matched_by_the_ids_it_sends_never_by_an_empty_gtin(tmp_path):
    ref = _reference(tmp_path, _items_text(**{"RG59-01": ",", "RG59-02": ",", "RG59-03": ","}))
    pair = pa.struct([pa.field("qualifier", pa.string()), pa.field("id", pa.string())])
    ids = [[{"qualifier": "VP", "id": "RG59-02"}], [{"qualifier": "UP", "id": ""}],
           [{"qualifier": "UK", "id": " "}], [{"qualifier": "UK", "id": "00614141590049"}],
           [{"qualifier": "UP", "id": "614141590001"}], [{"qualifier": "EN", "id": None}]]
    lines = pa.table({"partner": ["ryerson"] * len(ids), "line_number": list(range(1, len(ids) + 1)),
                      "product_ids": pa.array(ids, pa.list_(pair))})
    for column in ("upc", "gtin", "ean", "vendor_part", "buyer_part"):
        lines = lines.append_column(column, pa.nulls(len(ids), pa.string()))
    xref = pa.table({"partner": ["ryerson"], "qualifier": ["BP"], "buyer_part": ["x"], "sku": ["RG59-03"]})
    resolved = resolve_items(lines, ref.items, xref)
    # VP names its item; an empty or blank GTIN, and the invented GTIN of an item that now has none, name nothing;
    # another item's real GTIN names it
    assert resolved["sku"].to_pylist() == ["RG59-02", None, None, "RG59-12", None, None]


def _ryerson_night(tmp_path, *, items: dict[str, str], profile_swaps=()):
    source = tmp_path / "source" / "rg59"
    shutil.copytree(RG59, source)
    (source / "reference" / "items.csv").write_text(_items_text(**items), encoding="utf-8")
    return variant_night(source, "ryerson", "RY4500918", tmp_path / "night", [(b"*VN*RG59-0", b"*VP*RG59-0")],
                         warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY, profile_swaps=profile_swaps)


GTINLESS = {"RG59-01": ",", "RG59-02": ",", "RG59-03": ","}


def test_an_850_naming_gtinless_items_by_vp_is_answered_shipped_and_invoiced_as_with_gtins(tmp_path):
    ws, found, states = _ryerson_night(tmp_path / "without", items=GTINLESS)
    assert states == {("ryerson", "RY4500918"): "invoiced"}
    assert not [f for f in found if f[1] == "error"]
    kinds = {k: segments(ws, "ryerson", k) for k in ("855", "856", "810")}
    for kind, segs in kinds.items():
        assert segs, kind
        items = [s for s in segs if s[0] in ("PO1", "LIN", "IT1")]
        assert len(items) == 3, kind
        assert not {"UP", "UK", "EN"} & {e for s in items for e in s}, kind  # no GS1 pair, no made-up id
        assert all("VP" in s for s in items), kind
    # the same night with the invented GTINs kept: every document alike (a PO naming items by VP is answered by VP)
    with_ws, _found, with_states = _ryerson_night(tmp_path / "with", items={})
    assert with_states == states
    for kind, segs in kinds.items():
        assert segments(with_ws, "ryerson", kind) == segs, kind


def test_a_partner_whose_810_requires_a_upc_gets_its_810_held_naming_the_item(tmp_path):
    ws, found, states = _ryerson_night(tmp_path, items={"RG59-02": ","}, profile_swaps=[
        ('[fulfilment.invoice]\nper = "order"', '[fulfilment.invoice]\nitem_ids = ["UP"]\nper = "order"')])
    # 855 and 856 go as ever; the 810 waits, naming the item without a UPC
    assert segments(ws, "ryerson", "855") and segments(ws, "ryerson", "856")
    assert not segments(ws, "ryerson", "810")
    held = [f for f in found if f[0] == "INVOICE_NOT_BUILT"]
    assert held and "RG59-02" in held[0][3] and "item_ids UP" in held[0][3], held
    assert "RG59-01" not in held[0][3]  # the sheets have their UPC: only the bars are named
    assert states == {("ryerson", "RY4500918"): "shipped"}
    # the bars' UPC entered in items.csv: the next run bills the order, each IT1 with our UPC after the PO's VP
    (ws.reference_dir / "items.csv").write_text(_items_text(), encoding="utf-8")
    ship_stages(ws, datetime(2026, 12, 2, 15), run_id="day2")
    deliver_all(ws, datetime(2026, 12, 2, 15))
    it1 = [s for s in segments(ws, "ryerson", "810") if s[0] == "IT1"]
    assert [s[6:10] for s in it1] == [["VP", f"RG59-0{n}", "UP", f"61414159{u}"] for n, u in
                                      ((1, "0001"), (2, "0018"), (3, "0025"))]


def test_a_partner_whose_810_requires_a_upc_is_told_by_partner_check(tmp_path):
    from rules.partner_check import check_reference
    from schemas.profile import load_profile

    source = tmp_path / "rg59"
    shutil.copytree(RG59, source)
    path = source / "partners" / "ryerson.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '[fulfilment.invoice]\nper = "order"', '[fulfilment.invoice]\nitem_ids = ["UP"]\nper = "order"'),
        encoding="utf-8")
    profile = load_profile(path)
    ref = _reference(tmp_path, _items_text(**{"RG59-02": ","}))
    told = [line for line in check_reference(profile, ref) if line.startswith("items.csv")]
    assert len(told) == 1 and "RG59-02" in told[0] and "RG59-01" not in told[0]
    assert not [line for line in check_reference(profile, _reference(tmp_path / "b", _items_text()))
                if line.startswith("items.csv")]
