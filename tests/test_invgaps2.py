"""Gaps of `orderbridge inventory load` the invgaps round left (tests/fixtures/invgaps2/):

1. An 846's SDQ (location/quantity pairs) was named and not read, its LM/LQ codes ignored without a word: a
   distributor reporting each DC's stock by SDQ loaded it all under its own N1 (a warehouse no DC ships from). The
   pairs are now each location's stock, its id mapped to our warehouse as an N1's is (the layout's [locations], our
   own codes); an SDQ naming ours beside an unknown location is refused naming it (its stock would be dropped or
   counted at the wrong DC); one naming none of ours is named and its QTY kept where the N1 says, as before. An LQ
   code the layout lists in [advice] held_codes (damaged, on hold) holds the item's stock whole; others are named.
2. A 3PL sending only QTY 34 (noncommitted inventory on shelf) and 26 (total inventory) was refused: what a
   qualifier is read as is now the layout's ([advice.qty]); by default they are still not counted (no public guide
   read gives them one meaning), and the refusal says how to read them.
3. A receipts CSV replaced every receipt loaded before: one DC's export wiped the other's. It now replaces the
   warehouses it names (as an 846's receipts do); an ERP's every-warehouse export says so (replace = "all").
4. Held stock with no QTY 33 was always taken from QTY 17: a 3PL whose 17 leaves it out already was under-promised.
   The layout's [advice] held_in_on_hand = false says so (default unchanged).
5. A broken or missing layout exited 1, as a partner's bad export: it is our configuration, exit 2 (USAGE).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.support import REPO
from tests.test_invgaps import _workspace as invgaps_workspace
from tests.test_rg81_inventory_exports import _load, _receipts, _refused, _stock  # rg81's loaders and readers

FIXTURES = REPO / "tests" / "fixtures" / "invgaps2"
SDQ = FIXTURES / "distributor-846-sdq-20261201.x12"
QTY34 = FIXTURES / "3pl-846-qty34-26-20261201.x12"
NET = FIXTURES / "3pl-846-17-net-of-damaged-20261201.x12"


def _workspace(root, layouts=()):
    return invgaps_workspace(root, layouts, FIXTURES)


def _layout_refused(res) -> str:
    from flows.exit_status import ExitStatus

    said = " ".join(res.stderr.split())
    assert res.exit_code == ExitStatus.USAGE and said.startswith("layout refused, nothing loaded: "), (res.exit_code,
                                                                                                     res.output)
    return said


# -- 1. SDQ and LM/LQ
def test_a_distributor_s_sdq_per_dc_quantities_are_each_dc_s_stock(tmp_path):
    """Northwind's 846 (N1*SF, its own id) gives each item's QTY 17 and 33 split over its DCs by SDQ*EA*54: DC-EAST
    is our EAST, DC-RENO our WEST (the layout's [locations]). SKU-1001: 30 on hand and 28 free at EAST, 20 and 17 at
    WEST; SKU-1026's 5 on hold (QH) are EAST's; SKU-1021 carries LQ*ZZ*DMG, a held code of the layout: its 10 held
    whole. No row at NWD, the distributor's own id (before: all of it there, 50 and 45, a warehouse no DC ships
    from)."""
    ws = _workspace(tmp_path / "ws", ["northwind-846"])
    res = _load(ws, SDQ, "--layout", "northwind-846")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("EAST", "SKU-1001", 30, 2), ("EAST", "SKU-1021", 10, 10), ("EAST", "SKU-1026", 25, 5),
                          ("WEST", "SKU-1001", 20, 3), ("WEST", "SKU-1011", 8, 0), ("WEST", "SKU-1016", 12, 0),
                          ("WEST", "SKU-1026", 15, 0)]
    assert res.output.splitlines() == [
        "inventory: 7 stock row(s) as of 2026-12-01 in 1 file(s); 0 expected receipt(s)",
        "stock: ST02 0001 segment 14: 5 of SKU-1026 at EAST on hold (QTY QH): not available",
        "stock: ST02 0001 segment 21: LQ ZZ DMG of SKU-1021 at EAST (the layout's held_codes): all 10 on hand held, "
        "none available",
        "stock: ST02 0001 segment 26: LQ ZZ NEW on 1 item(s): an item code, not read (the layout's [advice] "
        "held_codes names the codes of stock held: damaged, on hold)"]


def test_sdq_locations_that_are_our_own_codes_need_no_mapping(tmp_path):
    ws = _workspace(tmp_path / "ws")
    ours = tmp_path / "ours.x12"
    ours.write_text(SDQ.read_text(encoding="utf-8").replace("DC-EAST", "east").replace("DC-RENO", "WEST"),
                    encoding="utf-8")
    res = _load(ws, ours)
    assert res.exit_code == 0, res.output
    assert ("EAST", "SKU-1001", 30, 2) in _stock(ws) and ("WEST", "SKU-1011", 8, 0) in _stock(ws)
    assert not any(w == "NWD" for w, *_ in _stock(ws))


def test_an_sdq_location_no_warehouse_of_ours_beside_ours_is_refused_naming_it(tmp_path):
    """DC-EAST is mapped, DC-RENO is not: DC-RENO's 20 would be dropped, or left in the N1's total and counted at
    the wrong warehouse. Refused, naming it and how to map it; the day loaded before stays."""
    ws = _workspace(tmp_path / "ws")
    before = tmp_path / "before.csv"
    before.write_text("as_of,warehouse,sku,on_hand\n2026-12-01,WEST,SKU-1001,7\n", encoding="utf-8")
    assert _load(ws, before).exit_code == 0
    said = _refused(_load(ws, SDQ, "--location", "DC-EAST=EAST"))
    assert ("SDQ at segment 6 of SKU-1001: location(s) DC-RENO (SDQ02 54) are none of our warehouses, beside EAST: "
            "map them (--location DC-RENO=WAREHOUSE, or the layout's [locations])") in said, said
    assert _stock(ws) == [("WEST", "SKU-1001", 7, 0)]


def test_an_sdq_none_of_whose_locations_is_ours_is_named_and_its_qty_kept_at_the_n1(tmp_path):
    """Without a mapping the QTY each SDQ splits stays the N1's (as before SDQs were read), and each SDQ names its
    locations and the option that maps them: nothing counted twice, nothing dropped unsaid."""
    ws = _workspace(tmp_path / "ws")
    res = _load(ws, SDQ, "--new-warehouse", "NWD")  # the 3PL's N1, no profile's code: loaded as its own (misc63)
    assert res.exit_code == 0, res.output
    assert ("NWD", "SKU-1001", 50, 5) in _stock(ws)
    assert ("stock: ST02 0001 segment 6: SDQ location(s) DC-EAST, DC-RENO (SDQ02 54) of SKU-1001: none of our "
            "warehouses (QTY 17's 50 on hand kept at NWD); to read them per warehouse: --location DC-EAST=WAREHOUSE, "
            "or the layout's [locations]") in res.output.splitlines()
    assert "LQ ZZ DMG on 1 item(s): an item code, not read" in res.output


def test_an_sdq_before_its_qty_reads_as_the_layout_s_qualifier(tmp_path):
    """X12 places SDQ (846 position 220) before the QTY loop: a 3PL following it sends SDQ first. With the layout's
    [advice] sdq = "17" its pairs are on hand; the QTY 17 after it is the total they split (not counted again). A
    difference between the pairs and the total is named: the pairs are read."""
    ws = _workspace(tmp_path / "ws", ["northwind-846"])
    layout = ws.inventory_dir / "layouts" / "northwind-846.toml"
    layout.write_text(layout.read_text(encoding="utf-8") + 'sdq = "17"\n', encoding="utf-8")
    first = tmp_path / "first.x12"
    first.write_text(SDQ.read_text(encoding="utf-8").replace("QTY*17*12*EA~\nSDQ*EA*54*DC-RENO*12~",
                                                             "SDQ*EA*54*DC-RENO*11~\nQTY*17*12*EA~"),
                     encoding="utf-8")
    res = _load(ws, first, "--layout", "northwind-846", "--new-warehouse", "NWD")  # its other items' N1 (misc63)
    assert res.exit_code == 0, res.output
    assert ("WEST", "SKU-1016", 11, 0) in _stock(ws)
    assert ("stock: ST02 0001 segment 10: SDQ of SKU-1016: its locations' 11 on hand (QTY 17) are read, not the "
            "QTY's 12") in res.output.splitlines()


def test_one_qty_split_over_two_sdq_segments_is_one_split(tmp_path):
    """Past 10 locations an SDQ goes on in a second segment: SKU-1026's 40 on hand as DC-EAST's 25 in one SDQ and
    DC-RENO's 15 in the next is one split (no difference named); a second segment naming a location none of ours
    beside the first's is refused as one SDQ naming both would be."""
    ws = _workspace(tmp_path / "ws", ["northwind-846"])
    two = tmp_path / "two.x12"
    text = SDQ.read_text(encoding="utf-8")
    two.write_text(text.replace("SDQ*EA*54*DC-EAST*25*DC-RENO*15~", "SDQ*EA*54*DC-EAST*25~\nSDQ*EA*54*DC-RENO*15~"),
                   encoding="utf-8")
    res = _load(ws, two, "--layout", "northwind-846")
    assert res.exit_code == 0, res.output
    assert ("EAST", "SKU-1026", 25, 5) in _stock(ws) and ("WEST", "SKU-1026", 15, 0) in _stock(ws)
    assert "are read, not the QTY's" not in res.output
    stray = tmp_path / "stray.x12"
    stray.write_text(text.replace("SDQ*EA*54*DC-EAST*25*DC-RENO*15~", "SDQ*EA*54*DC-EAST*25~\nSDQ*EA*54*DC-DAL*15~"),
                     encoding="utf-8")
    said = _refused(_load(ws, stray, "--layout", "northwind-846"))
    assert ("SDQ at segment 17 of SKU-1026: location(s) DC-DAL (SDQ02 54) are none of our warehouses, beside "
            "EAST") in said, said


def test_an_sdq_quantity_that_is_not_a_whole_number_is_refused_at_its_element(tmp_path):
    ws = _workspace(tmp_path / "ws", ["northwind-846"])
    bad = tmp_path / "bad.x12"
    bad.write_text(SDQ.read_text(encoding="utf-8").replace("DC-RENO*20", "DC-RENO*20.5"), encoding="utf-8")
    said = _refused(_load(ws, bad, "--layout", "northwind-846"))
    assert "ELEMENT_INVALID_CHARACTER at SDQ SDQ06 (ST02 0001, segment 6)" in said, said


# -- 2. QTY 34 and 26
def test_qty_34_and_26_alone_are_refused_naming_them_and_how_a_layout_reads_them(tmp_path):
    ws = _workspace(tmp_path / "ws")
    said = _refused(_load(ws, QTY34))
    assert ("LIN SKU-1001 has no QTY 17 (on hand) nor 33 (available): QTY 26, 34 (total inventory, noncommitted "
            "inventory on shelf) not stock to count. (What a qualifier is read as is the layout's to say: "
            "[advice.qty], e.g. \"34\" = \"available\".)") in said, said


def test_a_3pl_whose_guide_means_34_as_available_loads_with_its_layout(tmp_path):
    """Keystone's guide: 34 is what is free, 26 the total on hand. SKU-1001: 80 on hand, 60 free (20 held back);
    SKU-1016 only 34: 12 on hand, all free. The load says which qualifiers the layout read so."""
    ws = _workspace(tmp_path / "ws", ["keystone-846"])
    res = _load(ws, QTY34, "--layout", "keystone-846")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("WEST", "SKU-1001", 80, 20), ("WEST", "SKU-1016", 12, 0)]
    assert res.output.splitlines()[1:] == [
        "stock: ST02 0001 segment 4: QTY 26 (total inventory) read as on hand on 1 item(s) (the layout's "
        "[advice.qty])",
        "stock: ST02 0001 segment 4: QTY 34 (noncommitted inventory on shelf) read as available on 2 item(s) (the "
        "layout's [advice.qty])"]


def test_a_layout_that_reads_a_qualifier_as_something_else_is_still_refused_with_nothing_to_count(tmp_path):
    ws = _workspace(tmp_path / "ws", ["keystone-846"])
    layout = ws.inventory_dir / "layouts" / "keystone-846.toml"
    layout.write_text('[advice.qty]\n"34" = "not_counted"\n', encoding="utf-8")
    said = _refused(_load(ws, QTY34, "--layout", "keystone-846"))
    assert "LIN SKU-1016 has no QTY 17 (on hand) nor 33 (available): QTY 34" in said, said


@pytest.mark.parametrize("text,message", [
    ('[advice.qty]\n"34" = "free"\n', "advice.qty.34"),
    ('[advice]\nheld_in_on_hand = "no"\n', "advice.held_in_on_hand"),
    ('[advice]\nheld_codez = ["DMG"]\n', "advice.held_codez: unknown key"),
    ('[receipts]\nreplace = "some"\n', "receipts.replace")])
def test_a_bad_advice_or_receipts_setting_is_refused_naming_it(text, message, tmp_path):
    ws = _workspace(tmp_path / "ws")
    (ws.inventory_dir / "layouts").mkdir(parents=True)
    (ws.inventory_dir / "layouts" / "bad.toml").write_text(text, encoding="utf-8")
    said = _layout_refused(_load(ws, QTY34, "--layout", "bad"))
    assert message in said and "bad.toml" in said, said


# -- 3. receipts of one warehouse keep the others'
def test_each_dc_s_receipts_file_keeps_the_other_dc_s_receipts(tmp_path):
    ws = _workspace(tmp_path / "ws")
    stock = tmp_path / "stock.csv"
    stock.write_text("as_of,warehouse,sku,on_hand\n2026-12-01,EAST,SKU-1001,1\n", encoding="utf-8")
    east, west = tmp_path / "east.csv", tmp_path / "west.csv"
    east.write_text("warehouse,sku,quantity,eta\nEAST,SKU-1026,50,2026-12-09\nEAST,SKU-1001,10,2026-12-10\n",
                    encoding="utf-8")
    west.write_text("sku,quantity,eta\nSKU-1011,70,2026-12-20\n", encoding="utf-8")
    assert _load(ws, stock, "--receipts", str(east)).exit_code == 0
    res = _load(ws, stock, "--receipts", str(west), "--warehouse", "WEST")
    assert res.exit_code == 0, res.output
    assert _receipts(ws) == [("EAST", "SKU-1001", 10, date(2026, 12, 10)), ("EAST", "SKU-1026", 50, date(2026, 12, 9)),
                             ("WEST", "SKU-1011", 70, date(2026, 12, 20))]
    assert ("receipts: EAST's kept as loaded before (not in this file; a file of every warehouse's open orders "
            "replaces them all: --receipts-replace all, or the layout's [receipts] replace = \"all\")") in res.output
    again = tmp_path / "east-again.csv"  # EAST's next export: its own replaced, WEST's kept
    again.write_text("warehouse,sku,quantity,eta\nEAST,SKU-1026,20,2026-12-11\n", encoding="utf-8")
    assert _load(ws, stock, "--receipts", str(again)).exit_code == 0
    assert _receipts(ws) == [("EAST", "SKU-1026", 20, date(2026, 12, 11)), ("WEST", "SKU-1011", 70, date(2026, 12, 20))]


def test_one_dc_s_receipts_file_with_none_left_clears_that_dc_s(tmp_path):
    ws = _workspace(tmp_path / "ws")
    stock = tmp_path / "stock.csv"
    stock.write_text("as_of,warehouse,sku,on_hand\n2026-12-01,EAST,SKU-1001,1\n", encoding="utf-8")
    both, none = tmp_path / "both.csv", tmp_path / "none.csv"
    both.write_text("warehouse,sku,quantity,eta\nEAST,SKU-1026,50,2026-12-09\nWEST,SKU-1011,70,2026-12-20\n",
                    encoding="utf-8")
    none.write_text("sku,quantity,eta\n", encoding="utf-8")
    assert _load(ws, stock, "--receipts", str(both)).exit_code == 0
    assert _load(ws, stock, "--receipts", str(none), "--warehouse", "WEST").exit_code == 0
    assert _receipts(ws) == [("EAST", "SKU-1026", 50, date(2026, 12, 9))]


def test_an_erp_s_every_warehouse_receipts_replace_all_where_its_layout_says_so(tmp_path):
    ws = _workspace(tmp_path / "ws", ["erp-open-pos"])
    stock = tmp_path / "stock.csv"
    stock.write_text("as_of,warehouse,sku,on_hand\n2026-12-01,EAST,SKU-1001,1\n", encoding="utf-8")
    both, east = tmp_path / "both.csv", tmp_path / "east.csv"
    both.write_text("warehouse,sku,quantity,eta\nEAST,SKU-1026,50,2026-12-09\nWEST,SKU-1011,70,2026-12-20\n",
                    encoding="utf-8")
    east.write_text("warehouse,sku,quantity,eta\nEAST,SKU-1026,50,2026-12-09\n", encoding="utf-8")
    assert _load(ws, stock, "--receipts", str(both)).exit_code == 0
    res = _load(ws, stock, "--receipts", str(east), "--layout", "erp-open-pos")
    assert res.exit_code == 0, res.output
    assert "receipts: the receipts loaded before for WEST replaced: none in this file" in res.output
    assert _receipts(ws) == [("EAST", "SKU-1026", 50, date(2026, 12, 9))]


# -- 4. a QTY 17 that leaves held stock out
def test_held_stock_is_taken_from_qty_17_by_default(tmp_path):
    ws = _workspace(tmp_path / "ws")
    assert _load(ws, NET).exit_code == 0
    assert _stock(ws) == [("WEST", "SKU-1016", 60, 5), ("WEST", "SKU-1026", 20, 5)]


def test_a_3pl_whose_qty_17_leaves_held_stock_out_is_not_under_promised(tmp_path):
    """Reno's 17 is what it holds net of the damaged (74) and held (QH): SKU-1016's 60 are all free, the 5 held are
    on hand beside them (65 on hand, 5 held back); with a QTY 33 that governs what is free (SKU-1026: 15)."""
    ws = _workspace(tmp_path / "ws", ["reno-net"])
    res = _load(ws, NET, "--layout", "reno-net")
    assert res.exit_code == 0, res.output
    assert _stock(ws) == [("WEST", "SKU-1016", 65, 5), ("WEST", "SKU-1026", 22, 7)]


# -- 5. a layout error is ours, not the partner's
def test_a_broken_layout_exits_2_and_a_bad_export_with_a_good_layout_still_exits_1(tmp_path):
    from flows.exit_status import ExitStatus

    ws = _workspace(tmp_path / "ws", ["keystone-846"])
    (ws.inventory_dir / "layouts" / "broken.toml").write_text("[advice\n", encoding="utf-8")
    assert "cannot read layout" in _layout_refused(_load(ws, QTY34, "--layout", "broken"))
    assert "no layout 'nowhere'" in _layout_refused(_load(ws, QTY34, "--layout", "nowhere"))
    bad = tmp_path / "bad.x12"
    bad.write_text(QTY34.read_text(encoding="utf-8").replace("QTY*34*12*EA", "QTY*34*1.5*EA"), encoding="utf-8")
    res = _load(ws, bad, "--layout", "keystone-846")
    assert res.exit_code == ExitStatus.INPUT_ERRORS, res.output
    assert _refused(res)
