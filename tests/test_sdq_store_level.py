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


def store_level_profile(profile):
    """``profile`` with fulfilment.asn.store_level on (a partner sending pre-distributed orders)."""
    asn = profile.fulfilment.asn.model_copy(update={"store_level": True})
    fulfilment = profile.fulfilment.model_copy(update={"asn": asn})
    return profile.model_copy(update={"fulfilment": fulfilment})


def test_a_store_level_partner_is_not_told_its_store_quantities_are_not_applied():
    from engine.process import Known, process_file
    from tests.support import TODAY
    from tests.test_acks_and_outputs import PROFILES

    body = x12_850(HEAD + LINE_1 + ["PO1*2*12*EA*10*PE*VN*SKU-2", "SDQ*EA*92*0101*6*0107*6"] + ["CTT*2*48"])
    short = x12_850(HEAD + ["PO1*1*36*EA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*6"] + ["CTT*1*36"])
    off = PROFILES["acme"]
    assert off.fulfilment.asn.store_level is False  # the default: today's behaviour
    on = store_level_profile(off)
    seen = {name: [f.code for f in process_file(data, file="t.x12", sha256="sha", profile=p, known=Known(),
                                                today=TODAY).findings]
            for name, data, p in (("off", body, off), ("on", body, on), ("short", short, on))}
    assert seen == {"off": ["SDQ_NOT_APPLIED"], "on": [], "short": ["SDQ_QUANTITY_MISMATCH"]}
