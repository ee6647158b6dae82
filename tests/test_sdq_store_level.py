"""Pre-distributed ("store-ready") orders: a PO1 line's SDQ store quantities are kept with the order (every
location/quantity pair with its SDQ01 unit and SDQ02 id qualifier, in the order sent; null without SDQ, and for
orders stored before the column existed)."""

from __future__ import annotations

from decimal import Decimal

from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from schemas.orders import LINES_ADDED_LATER
from tests.support import GOOD_PO, x12_850

HEAD = GOOD_PO[:6]
# two SDQs for one line (ten pairs at most per SDQ), a line without, one by GLN with a rounded and a missing quantity
LINE_1 = ["PO1*1*36*EA*2.50*PE*UP*073000040482", "PO4*6*1*EA",
          "SDQ*EA*92*0101*6*0102*6*0103*6*0104*6", "SDQ*EA*92*0105*12"]
LINE_2 = ["PO1*2*12*EA*10*PE*VN*SKU-2"]
LINE_3 = ["PO1*3*12*EA*10*PE*VN*SKU-3", "SDQ*EA*UL*0614141000012*0.123456*0107*"]


def lines_of(body: list[str]):
    result = read_interchanges(x12_850(body))
    return read_orders(result, list(result.transaction_sets()), partner="acme")[1]


def test_store_quantities_are_kept_per_line_with_unit_and_qualifier():
    got = lines_of(HEAD + LINE_1 + LINE_2 + LINE_3 + ["CTT*3*60"])["store_quantities"].to_pylist()
    assert [(s["unit"], s["id_qualifier"], s["store"], s["quantity"]) for s in got[0]] == [
        ("EA", "92", "0101", Decimal(6)), ("EA", "92", "0102", Decimal(6)), ("EA", "92", "0103", Decimal(6)),
        ("EA", "92", "0104", Decimal(6)), ("EA", "92", "0105", Decimal(12))]
    assert got[1] is None
    assert [(s["id_qualifier"], s["store"], s["quantity"], s["quantity_sent"]) for s in got[2]] == [
        ("UL", "0614141000012", Decimal("0.1235"), "0.123456"), ("UL", "0107", None, None)]


def test_an_order_without_sdq_has_none_and_stored_orders_read_none():
    assert lines_of(GOOD_PO)["store_quantities"].null_count == lines_of(GOOD_PO).num_rows
    assert "store_quantities" in LINES_ADDED_LATER  # connectors.order_store reads it as null from older tables
