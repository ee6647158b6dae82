"""Gaps in CSV order feeds the csvgaps3 round left, each closed at its root (csvgaps4):

1. a cart's order_charges SAC was described by its column's header alone ("Discount Amount", "shipping_total"), though
   the export says what it is (Shopify's "Discount Code", WooCommerce's "shipping_method"): the layout's
   order_charge_descriptions names the column describing each charge, its text the SAC's SAC15.
2. rg80's WooCommerce profile read no order_charges though its export carries shipping_total and cart_discount: its
   810 billed the lines alone (tests/test_rg80_marketplace_csv.py and tests/test_csvgaps2.py pin the new totals).
3. engine.lifecycle.ship_checks.ship_to_mismatches keyed a PO's own places by qualifier, id and name: one store named
   two ways was two places (passed over as a mix ship_tos_mixed never held), and a line's own door without an id
   carried no postal code to compare. It compares them as rules.business.places.same_party does.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from parsers.csv_orders import read_csv_orders
from schemas.fulfilment import CsvOrderMapping
from tests.marketplace_support import RG80, layout_of, read_export
from tests.support import REPO

CSVGAPS3 = REPO / "tests" / "fixtures" / "csvgaps3"
WOO = CSVGAPS3 / "woocommerce_orders.csv"
SHOPIFY = CSVGAPS3 / "shopify_orders.csv"


def _sacs(got) -> list[tuple]:
    return [(r["po_number"], r["kind"], r["code"], r["amount"], r["description"], r["file_segment"])
            for r in got.sacs.to_pylist()]


# --- 1. a charge's description column ------------------------------------------------------------------------------

def _shopify(**descriptions) -> CsvOrderMapping:
    return CsvOrderMapping(
        po_number="Name", po_date="Created at", line_id=None, unit=None, upc=None, buyer_part=None,
        currency="Currency", requested_ship_date=None, quantity="Lineitem quantity", unit_price="Lineitem price",
        vendor_part="Lineitem sku", description="Lineitem name", ship_to_id=None, ship_to_name="Shipping Name",
        ship_to_name2="Shipping Company", ship_to_address1="Shipping Address1", ship_to_address2="Shipping Address2",
        ship_to_city="Shipping City", ship_to_state="Shipping Province", ship_to_postal_code="Shipping Zip",
        ship_to_country="Shipping Country", order_charges={"Shipping": "C:D240", "Discount Amount": "A:C310"},
        order_charge_descriptions=descriptions)


def test_a_shopify_orders_discount_is_described_by_its_discount_code_and_its_shipping_by_its_method():
    """Shopify's first row of #1051 says what its 42.50 off is ("Discount Code" WHOLESALE10) and what its 18.00 of
    shipping is ("Shipping Method" Flat rate): with order_charge_descriptions each SAC is described so (before: by the
    column's header, "Discount Amount", which tells the buyer nothing of the code); not named, the header as before."""
    described = {"Discount Amount": "Discount Code", "Shipping": "Shipping Method"}
    got = read_csv_orders(SHOPIFY.read_bytes(), _shopify(**described), partner="p", file=SHOPIFY.name)
    assert got.findings == [] and got.refused == []
    assert _sacs(got) == [("#1051", "C", "D240", Decimal("18.0000"), "Flat rate", 2),
                          ("#1051", "A", "C310", Decimal("42.5000"), "WHOLESALE10", 2)]
    plain = read_csv_orders(SHOPIFY.read_bytes(), _shopify(), partner="p", file=SHOPIFY.name)
    assert [s[4] for s in _sacs(plain)] == ["Shipping", "Discount Amount"]


def _woo(text: str, **descriptions):
    layout = layout_of("woocommerce", order_charges={"shipping_total": "C:D240", "cart_discount": "A:C310",
                                                     "fee_total": "C:D500"}, order_charge_descriptions=descriptions)
    return read_csv_orders(text.encode(), layout, partner="woocommerce", file=WOO.name)


def test_a_blank_description_is_the_columns_header_and_a_later_row_of_the_same_charge_may_give_it():
    """WooCommerce's shipping_total described by its shipping_method: W5121's rows leave the method blank (its
    shipping_total is described by its header, as before); W5120's first row leaves it blank and its second gives it
    with the same 18.00 (a column of the order, repeated: the order's description); a charge whose description
    column the file lacks is described by its header; a description is one line, its blanks single."""
    rows = WOO.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(",bacs,Flat rate,", ",bacs,,", 1)
    rows[2] = rows[2].replace(",bacs,Flat rate,", ',bacs,"Flat   rate\n(2 boxes)",', 1)
    rows[3:5] = [r.replace(",bacs,Flat rate,", ",bacs,,", 1) for r in rows[3:5]]
    got = _woo("\n".join(rows) + "\n", shipping_total="shipping_method", fee_total="fee_note")
    assert got.findings == [] and got.refused == []
    assert _sacs(got) == [("W5120", "C", "D240", Decimal("18.0000"), "Flat rate (2 boxes)", 2),
                          ("W5120", "A", "C310", Decimal("10.0000"), "cart_discount", 2),
                          ("W5121", "C", "D240", Decimal("12.5000"), "shipping_total", 4),
                          ("W5121", "C", "D500", Decimal("4.5000"), "fee_total", 4)]


def test_an_order_charges_description_names_a_column_of_its_charges():
    assert CsvOrderMapping(order_charges={"Shipping": "C:D240"}, order_charge_descriptions={
        "Shipping": "Shipping Method"}).order_charge_descriptions == (("Shipping", "Shipping Method"),)
    for bad in ({"Discount Amount": "Discount Code"}, {"Shipping": " "}, {"Shipping": 3}):
        with pytest.raises(ValidationError, match="order_charge_descriptions"):
            CsvOrderMapping(order_charges={"Shipping": "C:D240"}, order_charge_descriptions=bad)


def test_the_810s_sac15_is_the_charges_description(tmp_path):
    """rg80's WooCommerce night, its profile describing shipping_total by shipping_method: W5120's 810 bills the
    shipping as SAC*C*D240 ... SAC15 "Flat rate" (before: "shipping_total"), the discount, described by no column,
    SAC15 "cart_discount"; TDS 313.00 either way."""
    from tests.marketplace_support import NIGHT, export_of
    from tests.retailer_support import of_its_own, po_segments, segments, shipped_night

    ws = of_its_own(RG80, tmp_path / "ws", {"woocommerce": []}, warehouses=REPO / "warehouses")
    profile = ws.root / "partners" / "woocommerce.toml"
    text = profile.read_text(encoding="utf-8")
    said = 'order_charges = { shipping_total = "C:D240", cart_discount = "A:C310" }'
    assert said in text
    profile.write_text(text.replace(said, said + '\norder_charge_descriptions = { shipping_total = '
                                    '"shipping_method" }'), encoding="utf-8")
    shutil.copy2(export_of("woocommerce"), ws.drop_root / "woocommerce" / "inbox" / export_of("woocommerce").name)
    _ws, _found, states = shipped_night(ws, RG80, NIGHT, datetime(2026, 12, 1, 15))
    assert states[("woocommerce", "W5120")] == "invoiced"
    invoice = po_segments(segments(ws, "woocommerce", "810"), "W5120", "BIG")
    assert [(s[1:3], s[5], s[12], s[15]) for s in invoice if s[0] == "SAC"] == [
        (["C", "D240"], "1800", "02", "Flat rate"), (["A", "C310"], "1000", "02", "cart_discount")]
    assert [s[1] for s in invoice if s[0] == "TDS"] == ["31300"]


# --- 2. rg80's WooCommerce profile reads the order's shipping and discount ------------------------------------------

def test_rg80s_woocommerce_profile_reads_its_exports_shipping_and_discount_columns():
    """rg80's WooCommerce export repeats shipping_total (18.00) and cart_discount (10.00) on both rows of W5120: its
    profile reads them as W5120's heading SACs once each (before: none, the 810 billing 305.00 of lines alone); the
    cancelled W5117's 18.00 is no SAC."""
    assert layout_of("woocommerce").order_charges == (("shipping_total", "C:D240"), ("cart_discount", "A:C310"))
    got = read_export("woocommerce")
    assert got.findings == [] and got.refused == []
    assert _sacs(got) == [("W5120", "C", "D240", Decimal("18.0000"), "shipping_total", 2),
                          ("W5120", "A", "C310", Decimal("10.0000"), "cart_discount", 2)]


# --- 3. a PO's own places in a shipment confirmation, told apart as same_party does -------------------------------

HEAD = ["BEG*00*SA*PO-7**20261126", "CUR*BY*USD"]


def _order(*body: str):
    """The 850 PO-7 (partner acme) read: its orders and order lines."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from tests.support import x12_850

    result = read_interchanges(x12_850([*HEAD, *body]), file="po.x12")
    return read_orders(result, list(result.transaction_sets()), partner="acme")


def _confirmed(*lines: tuple[str, str | None, str | None, str | None]):
    """A confirmation's rows of shipment SHP-7 for PO-7: (line id, N103, N104, N403) each."""
    import pyarrow as pa

    return pa.table({
        "shipment_id": ["SHP-7"] * len(lines), "partner": ["acme"] * len(lines), "po_number": ["PO-7"] * len(lines),
        "line_id": [n[0] for n in lines], "ship_to_id_qualifier": [n[1] for n in lines],
        "ship_to_id": [n[2] for n in lines], "ship_to_postal_code": [n[3] for n in lines],
        "source_file": ["945.x12"] * len(lines), "isa13": ["1"] * len(lines), "gs06": ["1"] * len(lines),
        "st02": ["0001"] * len(lines)})


def _mismatches(orders, order_lines, confirmed) -> list[str]:
    from engine.lifecycle.ship_checks import ship_to_mismatches, ship_tos_mixed

    assert ship_tos_mixed(confirmed, orders, order_lines) == []  # one place: nothing holds it as mixed
    return [f.message for _i, f in ship_to_mismatches(confirmed, orders, order_lines)]


def test_one_member_store_named_two_ways_confirmed_to_the_rsc_is_a_mismatch():
    """Lines 1 and 2 name one member store (92 15522) as "SMITH ACE HARDWARE" and "SMITH ACE HDWE": one place
    (same_party: one id), so the shipment is no mix; its goods confirmed to the RSC (92 047) are
    SHIPMENT_SHIP_TO_MISMATCH. Keyed by qualifier, id and name, the two spellings were two places, the PO's lines
    passed over as "several places" (and ship_tos_mixed, comparing by same_party, held nothing): the 856 named the
    store, the goods at the RSC."""
    orders, order_lines = _order(
        "N1*ST*ACE RSC WILTON*92*047", "PO1*1*5*EA*24.04*PE*VN*VP-1020", "N1*ST*SMITH ACE HARDWARE*92*15522",
        "PO1*2*1*EA*58.58*PE*VN*VP-1021", "N1*ST*SMITH ACE HDWE*92*15522", "CTT*2*6")
    [message] = _mismatches(orders, order_lines, _confirmed(("1", "92", "047", None), ("2", "92", "047", None)))
    assert "went to 92 047" in message and "lines 1, 2 ships to 92 15522" in message
    assert _mismatches(orders, order_lines, _confirmed(("1", "92", "15522", None), ("2", "92", "15522", None))) == []


def test_a_lines_own_door_of_its_orders_name_is_compared_by_its_postal_code():
    """The order ships to Juniper Lane at 410 Main St (84060); line 1 names Juniper Lane at its Canyons door (84098),
    no location id: confirmed to 84060, its goods went to the other door (SHIPMENT_SHIP_TO_MISMATCH, N403). The
    line's own place was compared by its id alone (none: nothing compared, the 856 naming the Canyons door for goods
    at Main Street); confirmed to 84098-1234 it is right."""
    orders, order_lines = _order(
        "N1*ST*JUNIPER LANE", "N3*410 MAIN ST", "N4*PARK CITY*UT*84060*US", "PO1*1*5*EA*24.04*PE*VN*VP-1020",
        "N1*ST*JUNIPER LANE", "N3*1 CANYONS RESORT DR", "N4*PARK CITY*UT*84098*US", "PO1*2*1*EA*58.58*PE*VN*VP-1021",
        "CTT*2*6")
    from engine.lifecycle.ship_checks import ship_to_mismatches

    [(_i, wrong)] = ship_to_mismatches(_confirmed(("1", None, None, "84060")), orders, order_lines)
    assert (wrong.code, wrong.location.element) == ("SHIPMENT_SHIP_TO_MISMATCH", "N403")
    assert "postal code 84060" in wrong.message and "line 1 ships to postal code 84098" in wrong.message
    assert _mismatches(orders, order_lines, _confirmed(("1", None, None, "84098-1234"))) == []
    assert _mismatches(orders, order_lines, _confirmed(("2", None, None, "84060"))) == []  # line 2: the order's
