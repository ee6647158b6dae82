"""A PO line's own references are kept and can be echoed. Drop-ship hubs (CommerceHub: REF*CO the consumer's order
and REF*LI the line item id in each PO1 loop), universities (a per-line requisition or accounting string) and
government buyers (DLA's line references) send REFs inside the PO1 loop and require them back on the 855 and 810.
They used to be dropped at intake, so no document could carry them. Now each PO1 loop's REFs before its N9 / N1 /
SLN / SCH are kept on the line (ORDER_LINES line_refs, in the order sent); a partner lists the qualifiers its 810
([fulfilment.invoice] line_refs) and 855 ([acks.po_ack] line_refs) echo, REF02 as sent. The default echoes
none: every document stays as it was."""

from __future__ import annotations

import pyarrow.parquet as pq

from connectors.order_store import OrderStore
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from schemas.orders import LINES_ADDED_LATER, ORDER_LINES
from tests.support import GOOD_PO, x12_850

HEAD = GOOD_PO[:6]
# line 1: the hub's customer order and line item id; line 2: none of its own (the heading's REF is the order's);
# line 3: a REF*LI then an N1 loop whose REF names the party, and an N9 with its own REF: only the first is the line's
REF_LINES = ["PO1*1*12*EA*2.50*PE*UP*073000040482*VN*SKU-1", "PID*F****WIDGET", "REF*CO*CUST-ORDER-77",
             "REF*LI*0001", "DTM*010*20261212",
             "PO1*2*6*EA*10*PE*VN*SKU-2",
             "PO1*3*6*EA*10*PE*VN*SKU-2", "REF*LI*0003", "REF*ZZ**NO REF02 HERE", "N1*ST*STORE 9*92*009",
             "REF*DP*042", "N9*L1*NOTE", "REF*AE*ACCT-9", "CTT*3*24"]


def _lines(body: list[str]):
    result = read_interchanges(x12_850(body), file="po.x12")
    return read_orders(result, list(result.transaction_sets()), partner="acme")


def test_each_po1_loop_keeps_its_own_refs_in_the_order_sent():
    orders, lines = _lines(HEAD[:1] + ["REF*DP*777"] + HEAD[1:] + REF_LINES)
    assert lines.schema == ORDER_LINES
    assert lines["line_refs"].to_pylist() == [
        [{"qualifier": "CO", "id": "CUST-ORDER-77"}, {"qualifier": "LI", "id": "0001"}],
        None,  # no REF of its own: the heading's REF*DP stays the order's
        [{"qualifier": "LI", "id": "0003"}]]  # a REF without REF02 is not kept; N1's and N9's REFs are not the line's
    assert orders["department"].to_pylist() == ["777"]  # the heading's REF read as before
    assert lines["requested_ship_date"].to_pylist()[0].isoformat() == "2026-12-12"  # a DTM after the REFs still


def test_a_po_without_line_refs_reads_as_before():
    _, lines = _lines(GOOD_PO)
    assert lines["line_refs"].to_pylist() == [None, None]


def test_order_lines_stored_before_line_refs_were_kept_read_them_as_none(tmp_path):
    orders, lines = _lines(HEAD + REF_LINES)
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.lines.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["line_refs"]), path)
    _, loaded = store.load("acme", "old")
    assert loaded.schema == ORDER_LINES and loaded["line_refs"].to_pylist() == [None, None, None]
    assert "line_refs" in LINES_ADDED_LATER
