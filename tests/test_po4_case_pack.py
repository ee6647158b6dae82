"""PO4 (item physical details) of a PO1 loop is read with the line (PO401 pack, PO414 inner pack; a PO4
of an SLN subline is not the line's) and compared with our case for a line ordered in cases: the buyer
counting other eaches per case (PO401 x PO414) than our case pack holds the line for a person
(CASE_PACK_MISMATCH, hold_line): accepted, every case would ship short or over without a word. Lines
stored before the columns read them as null."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pyarrow.parquet as pq

from connectors.order_store import OrderStore
from connectors.state import StateStore
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from rules.business import check_quantities
from schemas.orders import LINES_ADDED_LATER, ORDER_LINES
from schemas.rule_settings import RuleSettings
from tests.business.tables import line, lines_table, reference
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850
from tests.test_change_orders import docs

HEAD = ["BEG*00*SA*PO-4**20261126", "CUR*BY*USD", "DTM*002*20261215", "N1*ST*Acme Store 2*92*0002"]
SKU_1003 = "614141100248"  # case pack 12


def _lines(body: list[str]):
    result = read_interchanges(x12_850(HEAD + body))
    _orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    return lines


def test_po4_is_read_with_its_line() -> None:
    lines = _lines([
        "PO1*1*2*CA*470.4**UP*614141100248", "PID*F****PENS", "PO4*12",
        "PO1*2*1*CA*470.4**UP*614141100248", "PO4*2*12*OZ**G*3*LB*******6",  # 2 inners of 6
        "PO1*3*5*EA*39.2**UP*614141100248",  # no PO4
        "PO1*4*1*CA***UP*614141100248", "SLN*1**I*6*EA", "PO4*6",  # a subline's PO4 is not the line's
        "PO1*5*1*CA***UP*614141100248", "PO4*X", "PO4*24",  # not a number: null; only the first counts
        "CTT*5",
    ])
    assert lines.schema == ORDER_LINES
    assert lines["po4_pack"].to_pylist() == [12, 2, None, None, None]
    assert lines["po4_inner_pack"].to_pylist() == [None, 6, None, None, None]


def test_without_po4_the_columns_are_null() -> None:
    lines = _lines(["PO1*1*2*EA*3.25**VN*X", "CTT*1"])
    assert lines["po4_pack"].to_pylist() == [None] and lines["po4_inner_pack"].to_pylist() == [None]


def _codes(*rows, settings=RuleSettings()):
    return [(f.code, f.location.element) for f in check_quantities(lines_table(*rows), reference(), settings)]


def test_a_case_the_buyer_counts_otherwise_is_a_finding() -> None:
    ca = dict(upc=SKU_1003, unit="CA", quantity=Decimal(2))
    assert _codes(line(**ca, po4_pack=12)) == []
    assert _codes(line(**ca, po4_pack=2, po4_inner_pack=6)) == []  # 2 inner packs of 6
    assert _codes(line(**ca, po4_pack=6)) == [("CASE_PACK_MISMATCH", "PO401")]
    assert _codes(line(**ca, po4_pack=2, po4_inner_pack=3)) == [("CASE_PACK_MISMATCH", "PO401")]
    assert _codes(line(**{**ca, "unit": "CS"}, po4_pack=24)) == [("CASE_PACK_MISMATCH", "PO401")]
    [f] = check_quantities(lines_table(line(**ca, po4_pack=24)), reference(), RuleSettings())
    assert "holds 24 eaches (PO401 24); ours holds 12: 2 CA is 48 eaches to the buyer, 24 to us" in f.message
    # a line in eaches is not held: its PO4 says how the buyer packs the eaches (test below); one without PO4 is not
    # about cases
    assert _codes(line(upc=SKU_1003, unit="EA", quantity=Decimal(24), po4_pack=12)) == []
    assert _codes(line(**ca)) == []


def test_an_each_line_packed_otherwise_is_a_warning_and_taken_as_ordered() -> None:
    """A line in eaches whose PO4 packs them otherwise than our case (Fanatics: the PO4 pack must be the physical
    pack): PO4_PACK_DIFFERS, a warning (the eaches are as ordered); our case or a pack of one each says nothing, nor
    an item we do not pack in cases (SKU-1001, case pack 1)."""
    ea = dict(upc=SKU_1003, unit="EA", quantity=Decimal(24))
    assert _codes(line(**ea, po4_pack=6)) == [("PO4_PACK_DIFFERS", "PO401")]
    assert _codes(line(**{**ea, "unit": "UN"}, po4_pack=24)) == [("PO4_PACK_DIFFERS", "PO401")]
    assert _codes(line(**ea, po4_pack=12)) == [] and _codes(line(**ea, po4_pack=2, po4_inner_pack=6)) == []
    assert _codes(line(**ea, po4_pack=1)) == []
    assert _codes(line(upc="614141100101", unit="EA", quantity=Decimal(24), po4_pack=6)) == []  # case pack 1
    [f] = check_quantities(lines_table(line(**ea, po4_pack=6)), reference(), RuleSettings())
    assert f.severity == "warning"
    assert "PO4 packs item SKU-1003 6 to a case (PO401 6); ours are packed 12 to a case" in f.message


def test_a_night_holds_the_line_for_a_person(tmp_path) -> None:
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    body = GOOD_PO[:6] + ["PO1*1*2*CA*470.40*PE*UP*614141100248", "PO4*24", "CTT*1*2"]
    (inbox / "po.x12").write_bytes(x12_850(body))
    run_stages(ws, datetime(2026, 11, 27, 2))
    order = StateStore(ws.state_path).order("acme", "PO-1")
    assert order.state == "held" and "CASE_PACK_MISMATCH" in order.hold_codes
    assert "PO-1" not in docs(ws, "855")


def test_lines_stored_before_the_po4_columns_read_them_as_null(tmp_path) -> None:
    result = read_interchanges(x12_850(HEAD + ["PO1*1*2*CA*470.4**UP*614141100248", "PO4*12", "CTT*1"]))
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.lines.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["po4_pack", "po4_inner_pack"]), path)
    _, loaded = store.load("acme", "old")
    assert loaded.schema == ORDER_LINES and loaded["po4_pack"].to_pylist() == [None]
    assert {"po4_pack", "po4_inner_pack"} <= LINES_ADDED_LATER  # and price_sent: tests/test_price_decimals.py



def test_po402_and_po403_are_read_with_the_pack() -> None:
    lines = _lines([
        "PO1*1*2*CA*470.4**UP*614141100248", "PO4*2*6*EA",  # 2 inner packs of 6 eaches
        "PO1*2*2*CA*470.4**UP*614141100248", "PO4*24*12*OZ",  # 24 packages of 12 ounces (X12's example)
        "PO1*3*2*CA*470.4**UP*614141100248", "PO4*12",
        "CTT*3",
    ])
    assert lines["po4_size"].to_pylist() == [Decimal(6), Decimal(12), None]
    assert lines["po4_size_unit"].to_pylist() == ["EA", "OZ", None]


def test_a_pack_size_that_counts_eaches_is_the_case_the_buyer_counts() -> None:
    """PO401 x PO402 when PO403 counts eaches (EA, a count unit such as DZ, a unit of the item): a case of 2
    inner packs of 6 eaches is our case of 12; PO401 x PO414 as before; a size in a measure (OZ) says what
    each holds, not how many, so PO401 alone counts."""
    ca = dict(upc=SKU_1003, unit="CA", quantity=Decimal(2))
    for pack, size, unit in ((2, 6, "EA"), (1, 12, "EA"), (12, 1, "EA"), (1, 1, "DZ"), (12, 16, "OZ")):
        assert _codes(line(**ca, po4_pack=pack, po4_size=Decimal(size), po4_size_unit=unit)) == [], (pack, size)
    for pack, size, unit in ((2, 3, "EA"), (2, 1, "DZ"), (24, 16, "OZ")):
        assert _codes(line(**ca, po4_pack=pack, po4_size=Decimal(size), po4_size_unit=unit)) == [
            ("CASE_PACK_MISMATCH", "PO401")], (pack, size, unit)
    [f] = check_quantities(lines_table(line(**ca, po4_pack=2, po4_size=Decimal(3), po4_size_unit="EA")), reference(),
                           RuleSettings())
    assert "holds 6 eaches (PO401 2 x PO402 3 EA); ours holds 12: 2 CA is 12 eaches to the buyer, 24 to us" \
        in f.message


def _night(tmp_path, po4: str):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    body = GOOD_PO[:6] + ["PO1*1*2*CA*470.40*PE*UP*614141100248", po4, "CTT*1*2"]
    (inbox / "po.x12").write_bytes(x12_850(body))
    run_stages(ws, datetime(2026, 11, 27, 2))
    return ws, StateStore(ws.state_path).order("acme", "PO-1")


def test_a_case_of_inner_packs_said_in_po402_is_acknowledged(tmp_path) -> None:
    """PO4*2*6*EA (2 inners of 6 eaches) and PO4*1*1*DZ (a dozen) on a line of our case of 12 were held
    (CASE_PACK_MISMATCH read PO401 alone: a case of 2 eaches, of 1)."""
    for i, po4 in enumerate(("PO4*2*6*EA", "PO4*1*1*DZ")):
        ws, order = _night(tmp_path / str(i), po4)
        assert order.state == "acknowledged" and not order.hold_codes, po4
        assert docs(ws, "855")["PO-1"] == [("00", "AD", [["IA", "2", "CA", "068", "20261210"]])]
    _ws, order = _night(tmp_path / "short", "PO4*2*3*EA")  # 2 inners of 3: a case of 6, ours 12
    assert order.state == "held" and "CASE_PACK_MISMATCH" in order.hold_codes


def test_po401_alone_counts_inner_packs_of_an_item_that_has_them() -> None:
    """PO401 is "the number of inner containers, or of eaches if there are none": PO4*2 on a case of an
    item whose item_units name an inner pack of 6 is 2 inner packs, our case of 12."""
    import dataclasses

    import pyarrow as pa

    from schemas.reference import ITEM_UNITS

    ref = dataclasses.replace(reference(), item_units=pa.Table.from_pylist(
        [{"sku": "SKU-1003", "unit": "PK", "eaches": 6}], schema=ITEM_UNITS))
    ca = dict(upc=SKU_1003, unit="CA", quantity=Decimal(2))

    def codes(**po4):
        return [f.code for f in check_quantities(lines_table(line(**ca, **po4)), ref, RuleSettings())]

    assert codes(po4_pack=2) == [] and codes(po4_pack=12) == []
    assert codes(po4_pack=3) == ["CASE_PACK_MISMATCH"]  # 3 eaches, or 3 packs of 6: neither is our 12
    assert codes(po4_pack=2, po4_inner_pack=4) == ["CASE_PACK_MISMATCH"]  # PO414 says the inner holds 4
    [f] = check_quantities(lines_table(line(**ca, po4_pack=3)), ref, RuleSettings())
    assert "holds 3 or 18 eaches (PO401 3 or PO401 3 x our PK of 6); ours holds 12" in f.message


def test_a_case_of_two_inner_packs_of_ours_is_acknowledged(tmp_path) -> None:
    ws = make_workspace(tmp_path / "ws", partners=())
    (ws.root / "reference" / "item_units.csv").write_text("sku,unit,eaches\nSKU-1003,PK,6\n")
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + ["PO1*1*2*CA*470.40*PE*UP*614141100248", "PO4*2", "CTT*1*2"]))
    run_stages(ws, datetime(2026, 11, 27, 2))
    order = StateStore(ws.state_path).order("acme", "PO-1")
    assert order.state == "acknowledged" and not order.hold_codes
    assert docs(ws, "855")["PO-1"] == [("00", "AD", [["IA", "2", "CA", "068", "20261210"]])]
