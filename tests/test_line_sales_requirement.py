"""A line's own sales requirement (its PO1 or POC loop's CSH01, else its IT8's IT801: ORDER_LINES sales_requirement)
decides its back order instead of its order's heading CSH01 (engine.answer): here, an 860's POC loop. A line the 860
adds (POC02 AI) with CSH*N in its loop is promised only what is in stock, its rest answered IR, as an 850's PO1 loop's
CSH*N (tests/test_rg77_whole_850_table.py::test_a_line_s_own_back_order_rule_is_applied_to_that_line) and a heading's
(tests/test_sales_requirements.py) are. The 860 parser used to drop it: the rest was back ordered (IB). Princess Auto's
rg38 fixtures (no heading CSH: the order takes back orders)."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pyarrow as pa
import pytest

from tests.retailer_support import of_its_own, po_segments, segments
from tests.support import REPO, run_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg38"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
CHANGE_NIGHT = datetime(2026, 11, 26, 2)
PO = "pa-850-PA0099412.x12"
LINE2_PO1 = "PO1*2*36*EA*3.9**VP*ODR-3812*BP*8374438~\nPID*F****HITCH PIN SET~\n"


def _860(body: list[str]) -> str:
    """Princess Auto's 860 (005010) changing PA0099412: ``body``, its segments between BCH and CTT."""
    segs = ["ST*860*0001", "BCH*04*NE*PA0099412***20261124****20261125", *body, "CTT*1"]
    segs.append(f"SE*{len(segs) + 1}*0001")
    return "~\n".join(["ISA*00*          *00*          *ZZ*PRINCESSAUTO   *ZZ*ORDERBRIDGE    *261125*1015*^*00501*"
                        "000099413*0*P*>", "GS*PC*PRINCESSAUTO*ORDERBRIDGE*20261125*1015*99413*X*005010", *segs,
                        "GE*1*99413", "IEA*1*000099413"]) + "~\n"


@pytest.mark.parametrize("rule, answer", [("CSH*N", "IR"), ("IT8*N", "IR"), ("", "IB")],
                         ids=["csh-n", "it8-n", "none-the-order-s"])
def test_a_line_the_860_adds_with_its_own_no_back_order_is_answered_ir_for_what_stock_cannot_cover(
        rule, answer, tmp_path):
    """The 850 orders line 1 only; the 860 adds line 2 (36 hitch pin sets) with ``rule`` in its POC loop. Stock holds
    20, 100 more are due: with CSH*N (or IT8*N) the 16 short are answered IR; without, back ordered (IB)."""
    from connectors.snapshots import write_receipts
    from schemas.inventory import EXPECTED_RECEIPTS

    fixtures = tmp_path / "rg38"
    shutil.copytree(FIXTURES, fixtures)
    po = fixtures / "drops" / "princessauto" / PO
    sent = po.read_text(encoding="utf-8")
    assert sent.count(LINE2_PO1) == 1 and "SE*18*0001" in sent and "CTT*2*96~" in sent
    po.write_text(sent.replace(LINE2_PO1, "").replace("CTT*2*96~", "CTT*1*60~").replace("SE*18*0001", "SE*16*0001"),
                  encoding="utf-8")
    stock = fixtures / "stock.csv"
    stock.write_text(stock.read_text(encoding="utf-8").replace("EAST,ODR-3812,6000,", "EAST,ODR-3812,20,"),
                     encoding="utf-8")
    ws = of_its_own(fixtures, tmp_path / "ws", {"princessauto": [po.name]}, warehouses=WAREHOUSES)
    write_receipts(ws.inventory_dir / "receipts.parquet", pa.table(
        {"warehouse": ["EAST"], "sku": ["ODR-3812"], "quantity": [100], "eta": [date(2026, 12, 3)]},
        schema=EXPECTED_RECEIPTS))
    run_stages(ws, NIGHT)
    body = ["POC*2*AI*36*36*EA*3.9**VP*ODR-3812*BP*8374438", "PID*F****HITCH PIN SET", *([rule] if rule else [])]
    (ws.drop_root / "princessauto" / "inbox" / "pa-860-PA0099412.x12").write_text(_860(body), encoding="utf-8")
    run_stages(ws, CHANGE_NIGHT)
    sent = segments(ws, "princessauto", "855")
    acks = po_segments(sent[max(k for k, s in enumerate(sent) if s[0] == "ST"):], "PA0099412", "BAK")  # the 860's
    assert acks[0][1] == "05"  # BAK01 05: the answer to the change (replace)
    at = next(k for k, s in enumerate(acks) if s[:2] == ["PO1", "2"])
    line2 = acks[at + 1:]
    line2 = line2[:next((k for k, s in enumerate(line2) if s[0] != "ACK"), len(line2))]
    assert [s[1:3] for s in line2] == [["IQ" if answer == "IR" else "BP", "20"], [answer, "16"]]


def test_order_lines_stored_before_the_column_read_it_as_null_and_take_their_order_s_rule(tmp_path):
    """ORDER_LINES Parquet written before sales_requirement existed reads it as null (LINES_ADDED_LATER): each line
    takes its order's heading CSH01, as before."""
    from schemas.orders import LINES_ADDED_LATER, ORDER_LINES
    from tests.support import GOOD_PO
    from tests.test_line_refs import stored_without

    body = [*GOOD_PO[:6], "PO1*1*12*EA*2.50*PE*UP*073000040482*VN*SKU-1", "CSH*N"]
    loaded = stored_without(tmp_path, body, "sales_requirement")
    assert loaded.schema == ORDER_LINES and loaded["sales_requirement"].to_pylist() == [None]
    assert "sales_requirement" in LINES_ADDED_LATER


def test_the_line_s_own_rule_decides_and_a_null_one_leaves_the_order_s():
    """engine.answer._own_backorder: N / SP -> no back order, Y / BK / O -> back order (over the order's N), anything
    else or null -> the order's."""
    from engine.answer import _own_backorder

    order = pa.array([False, True, True, False, True, False, True], pa.bool_())
    own = pa.array(["N", "Y", "bk", "SP", None, "SC", "O"], pa.string())
    assert _own_backorder(own, order).to_pylist() == [True, False, False, True, True, False, False]
    assert _own_backorder(pa.nulls(7, pa.string()), order) is order
