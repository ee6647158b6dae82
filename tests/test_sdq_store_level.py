"""Pre-distributed ("store-ready") orders: a PO1 line's SDQ store quantities are kept with the order (every
location/quantity pair with its SDQ01 unit and SDQ02 id qualifier, in the order sent; null without SDQ, and for
orders stored before the column existed)."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from parsers.orders_850 import read_orders
from parsers.shipments_csv import to_table
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


# --- the warehouse names each carton's store: checked against the line's SDQ -------------------------------

def confirmation(*cartons: tuple[str, str | None, str, int], partner: str = "acme") -> pa.Table:
    """Confirmation rows (carton, store, line id, units) of shipment S1 for PO PO-1, as a CSV reader gives them."""

    return to_table({"source_kind": "csv", "shipment_id": "S1", "po_number": "PO-1", "partner": partner,
                     "line_id": line, "quantity": Decimal(units), "unit": "EA", "carton_id": carton,
                     "mark_for_store": store, "source_file": "w.csv", "isa13": "CSV", "gs06": "", "st02": "",
                     "row_number": k + 2} for k, (carton, store, line, units) in enumerate(cartons))


def sdq_lines() -> pa.Table:
    """PO PO-1's lines: 1 split 6/6 over stores 0101 and 0102 (SDQ02 92), 2 without SDQ."""
    return lines_of(HEAD + [
        "PO1*1*12*EA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*6*0102*6", "PO1*2*5*EA*1*PE*VN*X", "CTT*2*17"])


def checked(rows, partners=("acme",)):
    from rules.shipments import store_checks
    lines, found = store_checks(rows, sdq_lines(), set(partners))
    return lines, [(i, f.code, f.location.row, f.location.column, f.location.value) for i, f in found]


def test_cartons_for_the_line_s_stores_pass_and_are_written_as_the_po_wrote_them():
    lines, found = checked(confirmation(("C1", "0101", "1", 6), ("C2", "102", "1", 6), ("C3", None, "2", 5)))
    assert found == []
    assert lines["mark_for_store"].to_pylist() == ["0101", "0102", None]  # "102": the line's one store 0102
    assert lines["mark_for_id_qualifier"].to_pylist() == ["92", "92", None]


def test_a_carton_for_a_store_the_sdq_does_not_name_is_an_error():
    _, found = checked(confirmation(("C1", "0101", "1", 6), ("C2", "0999", "1", 6)))
    assert found == [(1, "SHIPMENT_STORE_NOT_ORDERED", 3, "mark_for_store", "0999")]


def test_more_units_to_a_store_than_its_sdq_quantity_is_an_error_once():
    _, found = checked(confirmation(("C1", "0101", "1", 6), ("C2", "0101", "1", 6), ("C3", "0101", "1", 1)))
    assert found == [(1, "SHIPMENT_STORE_OVER", 3, "quantity", "6")]


def test_a_carton_without_a_store_on_a_split_line_is_an_error_once_per_carton():
    _, found = checked(confirmation(("C1", None, "1", 3), ("C1", "", "1", 3), ("C2", "0102", "1", 6)))
    assert found == [(0, "SHIPMENT_STORE_MISSING", 2, "mark_for_store", None)]


def test_partners_not_store_level_are_not_checked():
    rows = confirmation(("C1", None, "1", 6), ("C2", "0999", "1", 60))
    lines, found = checked(rows, partners=())
    assert found == [] and lines.equals(rows)
    assert checked(rows, partners=("globex",)) == (rows, [])
