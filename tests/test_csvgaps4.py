"""Gaps in CSV order feeds the csvgaps3 round left, each closed at its root (csvgaps4):

1. a cart's order_charges SAC was described by its column's header alone ("Discount Amount", "shipping_total"), though
   the export says what it is (Shopify's "Discount Code", WooCommerce's "shipping_method"): the layout's
   order_charge_descriptions names the column describing each charge, its text the SAC's SAC15.
2. rg80's WooCommerce profile read no order_charges though its export carries shipping_total and cart_discount: its
   810 billed the lines alone (tests/test_rg80_marketplace_csv.py and tests/test_csvgaps2.py pin the new totals).
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
