"""`orderbridge inventory load` in a workspace with no warehouse profiles, of an export naming a warehouse otherwise
than the code loaded before (NetSuite's "Seattle DC" beside SEATTLE, docs/onboarding.md section 4): it used to add
a second warehouse without a word, the same stock counted twice. It is refused now, nothing written, naming the new
code, the codes already loaded and the --location mapping that merges them; --new-warehouse loads a warehouse that
is new indeed, and a first load into an empty store is not checked.
"""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

AS_OF = date(2026, 11, 30)
SEATTLE = "as_of,warehouse,sku,on_hand,reserved\n2026-11-30,SEATTLE,SKU-2001,500,0\n2026-11-30,SEATTLE,SKU-2002,120,0\n"
SEARCH = ("Item,Description,Location,On Hand,Committed\nSKU-2001,Coffee mug 12oz,Seattle DC,500,\n"
          "SKU-2002,Tea towel set,Seattle DC,120,\n")
NETSUITE = ["--column", "sku=Item", "--column", "warehouse=Location", "--column", "on_hand=On Hand", "--column",
            "reserved=Committed", "--as-of", "2026-11-30", "--empty-is-zero"]


def _workspace(root):
    from flows.workspace import open_workspace

    ws = open_workspace(root)
    assert not (ws.root / "warehouses").exists()  # no warehouse profiles: no code is known as ours
    return ws


def _load(ws, name, text, *options):
    from flows.cli import app

    path = ws.root / name
    path.write_text(text)
    return CliRunner().invoke(app, ["inventory", "load", str(path), *options, "-w", str(ws.root)])


def _stock(ws):
    from connectors.snapshots import load_snapshot

    table = load_snapshot(ws.inventory_dir / "snapshots", AS_OF)
    return sorted((r["warehouse"], r["sku"], r["on_hand"]) for r in table.to_pylist())


def test_a_location_named_otherwise_than_the_code_loaded_before_is_refused(tmp_path):
    from flows.exit_status import ExitStatus

    ws = _workspace(tmp_path / "ws")
    assert _load(ws, "stock.csv", SEATTLE).exit_code == 0
    res = _load(ws, "search.csv", SEARCH, *NETSUITE)
    said = " ".join(res.stderr.split())
    assert res.exit_code == ExitStatus.INPUT_ERRORS, res.output
    assert said.startswith("refused, nothing loaded: "), said
    assert "'Seattle DC'" in said and "(SEATTLE)" in said, said  # the new code, the codes known
    assert '--location "Seattle DC=SEATTLE"' in said, said  # the mapping that merges them
    assert '--new-warehouse "Seattle DC"' in said, said
    assert _stock(ws) == [("SEATTLE", "SKU-2001", 500), ("SEATTLE", "SKU-2002", 120)]  # nothing counted twice


def test_the_mapping_named_loads_it_as_the_known_warehouse(tmp_path):
    ws = _workspace(tmp_path / "ws")
    assert _load(ws, "stock.csv", SEATTLE).exit_code == 0
    res = _load(ws, "search.csv", SEARCH.replace(",500,", ",450,"), *NETSUITE, "--location", "Seattle DC=SEATTLE")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("SEATTLE", "SKU-2001", 450), ("SEATTLE", "SKU-2002", 120)]


def test_a_new_warehouse_named_so_is_loaded_beside_the_others(tmp_path):
    ws = _workspace(tmp_path / "ws")
    assert _load(ws, "stock.csv", SEATTLE).exit_code == 0
    res = _load(ws, "search.csv", SEARCH, *NETSUITE, "--new-warehouse", "Seattle DC")
    assert res.exit_code == 0, res.output
    assert ("Seattle DC", "SKU-2001", 500) in _stock(ws) and ("SEATTLE", "SKU-2001", 500) in _stock(ws)
    # known from now on: the next night's load of it is not refused
    assert _load(ws, "search.csv", SEARCH, *NETSUITE).exit_code == 0


def test_a_first_load_into_an_empty_store_is_not_checked(tmp_path):
    ws = _workspace(tmp_path / "ws")
    res = _load(ws, "search.csv", SEARCH, *NETSUITE)
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("Seattle DC", "SKU-2001", 500), ("Seattle DC", "SKU-2002", 120)]


def test_a_code_known_only_from_the_receipts_counts_as_known(tmp_path):
    """The receipts loaded before name warehouses too: an export of the same DC named otherwise would promise its
    receipts beside another code's."""
    ws = _workspace(tmp_path / "ws")
    receipts = ws.root / "receipts.csv"
    receipts.write_text("warehouse,sku,quantity,eta\nSEATTLE,SKU-2001,1000,2026-12-15\n")
    assert _load(ws, "stock.csv", SEATTLE.replace("SEATTLE", "TACOMA"), "--receipts", str(receipts)).exit_code == 0
    res = _load(ws, "search.csv", SEARCH, *NETSUITE)
    said = " ".join(res.stderr.split())
    assert res.exit_code != 0 and "(SEATTLE, TACOMA)" in said, said
    assert '--location "Seattle DC=SEATTLE"' in said, said  # the known code its name says, of two


def test_with_warehouse_profiles_the_profiles_say_which_codes_are_ours(tmp_path):
    """A workspace with warehouse profiles (EAST, WEST) refuses a code none ships from and never loaded as this
    refusal does, its codes the profiles' and those loaded (misc63: it used to load it and only warn, the stock
    counted twice); --new-warehouse loads it, still warned as no profile's, and known from then on."""
    import shutil

    from tests.support import REPO

    ws = _workspace(tmp_path / "ws")
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    res = _load(ws, "stock.csv", SEATTLE)
    said = " ".join(res.stderr.split())
    assert res.exit_code != 0 and "(EAST, WEST)" in said and "--new-warehouse SEATTLE" in said, said
    res = _load(ws, "stock.csv", SEATTLE, "--new-warehouse", "SEATTLE")
    assert res.exit_code == 0, res.output
    assert "no warehouse profile ships from SEATTLE" in res.output
    res = _load(ws, "search.csv", SEARCH, *NETSUITE)
    said = " ".join(res.stderr.split())
    assert res.exit_code != 0 and "(EAST, SEATTLE, WEST)" in said, said
    assert '--location "Seattle DC=SEATTLE"' in said, said
    assert _stock(ws) == [("SEATTLE", "SKU-2001", 500), ("SEATTLE", "SKU-2002", 120)]


def test_a_known_code_in_another_case_is_that_warehouse(tmp_path):
    """As a warehouse profile's code is read in any case, the code loaded before is: "seattle" is SEATTLE."""
    ws = _workspace(tmp_path / "ws")
    assert _load(ws, "stock.csv", SEATTLE).exit_code == 0
    res = _load(ws, "lower.csv", SEATTLE.replace("SEATTLE", "seattle").replace(",500,", ",480,"))
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("SEATTLE", "SKU-2001", 480), ("SEATTLE", "SKU-2002", 120)]


def test_a_location_mapped_to_a_code_never_loaded_names_the_mapping_to_fix(tmp_path):
    ws = _workspace(tmp_path / "ws")
    assert _load(ws, "stock.csv", SEATTLE).exit_code == 0
    res = _load(ws, "search.csv", SEARCH, *NETSUITE, "--location", "Seattle DC=SEATLE")
    said = " ".join(res.stderr.split())
    assert res.exit_code != 0 and "'SEATLE' (the layout or --location maps 'Seattle DC' to it)" in said, said
    assert '--location "Seattle DC=SEATTLE"' in said, said
    assert _stock(ws) == [("SEATTLE", "SKU-2001", 500), ("SEATTLE", "SKU-2002", 120)]
