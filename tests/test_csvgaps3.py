"""Gaps in CSV order feeds the csvgaps2 round left, each closed at its root (csvgaps3):

1. two POs for doors of one name (no location id, other addresses) in one shipment confirmation were one place where
   a shipment's POs are compared (rules.shipments.order_ship_tos_mixed, the consolidated pallet's
   engine.lifecycle.shipping._ship_to_places; and a shipment's lines of their own ship-tos,
   engine.lifecycle.ship_checks.ship_tos_mixed): one 856 named the first door for both POs' goods. They compare
   the address as rules.business.places.same_party does: one stop, one 856 per door.
2. messages naming the places of a load (its stops, a box of two stops, a pallet of two places) said each by its id or
   name alone, so two doors of one name read alike: rules.business.places.places_words adds the address where the
   names collide.
3. a cart's shipping, fee and discount given as columns of the order (WooCommerce's shipping_total / cart_discount /
   fee_total repeated on every line row; Shopify's Shipping / Discount Amount on its first row only) were read by no
   setting: the layout's order_charges reads each as the order's heading SAC, once per order.
4. rg80's helpers the csvgaps tests import live in tests/marketplace_support.py.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import pytest
from pydantic import ValidationError

from connectors.local import LocalDrop
from connectors.reference import load_reference
from connectors.state import StateStore
from flows import shipments
from flows.workspace import open_workspace
from parsers.csv_orders import read_csv_orders
from schemas.fulfilment import CsvOrderMapping
from tests.marketplace_support import RG80, layout_of
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "csvgaps3"
TOWN = "410 Main St, Park City, UT, 84060"
CANYONS = "1 Canyons Resort Dr, Park City, UT, 84098"


# --- 1. two POs for doors of one name in one shipment ---------------------------------------------------------------

def _doors_feed() -> bytes:
    """Umbrella's U-3 for "Juniper Lane" at its Main Street door, U-4 for "Juniper Lane" at its Canyons door: no
    location id, one name, two addresses (csvgaps2's same-name doors, each its own PO)."""
    from tests.csv_feed_support import feed

    return feed(f"U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;;Juniper Lane;{TOWN.replace(', ', ';')}",
                f"U-4;26.11.2026;1;10;EA;26,25;VP-1010;04.12.2026;;Juniper Lane;{CANYONS.replace(', ', ';')}")


@pytest.fixture(scope="module")
def doors(tmp_path_factory):
    """The night taking U-3 and U-4 (both answered IA: each order has one ship-to, nothing to hold)."""
    from tests.csv_feed_support import run_feed

    ws, found, rows = run_feed(tmp_path_factory.mktemp("doors") / "ws", _doors_feed())
    assert found == [] and [(r["po_number"], r["status"]) for r in rows] == [("U-3", "IA"), ("U-4", "IA")]
    return ws.root


CONFIRMED = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
             "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n")


def _ship(doors, tmp_path, *, pallet: str = "", profile: tuple[str, str] | None = None, u4_door: str | None = None):
    """The east DC's confirmation of one shipment S9 (one truck, one bill of lading) carrying U-3 in carton C-1 and
    U-4 in carton C-2 (both on ``pallet`` when given), shipped at 14:20: (state, result)."""
    root = tmp_path / "ws"
    shutil.copytree(doors, root)
    ws = open_workspace(root)
    if profile is not None:
        path = ws.partners_dir / "umbrella.toml"
        path.write_text(path.read_text().replace(*profile))
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "e.csv").write_text(CONFIRMED + "".join(
        f"S9,2026-11-27,14:10,UPSN,G2,1Z1,BOL-1,{po},1,SKU-1010,{q},EA,{carton},1,LB,{pallet}\n"
        for po, q, carton in (("U-3", 20, "C-1"), ("U-4", 10, "C-2"))))
    state = StateStore(ws.state_path)
    res = shipments.ship_warehouse(ws, ws.warehouses()["east"], ws.partners(), state,
                                   LocalDrop(ws.warehouse_drop_root / "east"), load_reference(ws.reference_dir),
                                   now=datetime(2026, 11, 27, 14, 20), run_id="t")
    return state, res


def _asns(state) -> dict[str, tuple[list, list, list]]:
    from tests.test_945_shapes import segments

    out = {}
    for d in state.documents():
        if d.doc_type == "856":
            text = d.content.decode()
            out[segments(text, "BSN")[0][2]] = ([s[:3] for s in segments(text, "N1") if s[1] == "ST"],
                                                [s[1] for s in segments(text, "N3")][1:],  # (the first: ship-from)
                                                [s[1] for s in segments(text, "PRF")])
    return out


def test_two_pos_for_doors_of_one_name_in_one_shipment_are_a_load_of_two_stops(doors, tmp_path):
    """S9 carries U-3 for Juniper Lane on Main Street and U-4 for Juniper Lane at the Canyons: order_ship_tos_mixed
    compared the POs' ship-tos by id, else name, so they were one place, one 856 naming Main Street for both POs'
    goods (U-4's announced to the wrong door). Compared with their addresses they are a load of two stops: S9-ST1
    to Main Street with U-3, S9-ST2 to the Canyons with U-4, each its own 856."""
    state, res = _ship(doors, tmp_path)
    assert res.shipments == 2 and state.findings(run_id="t") == []
    assert _asns(state) == {"S9-ST1": ([["N1", "ST", "Juniper Lane"]], ["410 Main St"], ["U-3"]),
                            "S9-ST2": ([["N1", "ST", "Juniper Lane"]], ["1 Canyons Resort Dr"], ["U-4"])}


def test_two_pos_for_doors_of_one_name_held_for_a_partner_taking_no_split_load_name_each_door(doors, tmp_path):
    """fulfilment.multi_stop "hold": the load is held, its finding naming each PO's place; by name alone both read
    "Juniper Lane", so each names its address."""
    state, res = _ship(doors, tmp_path, profile=("[fulfilment.sscc]\n",
                                                 '[fulfilment]\nmulti_stop = "hold"\n\n[fulfilment.sscc]\n'))
    assert res.shipments == 0 and [(f["code"], f["po_number"], f["message"]) for f in state.findings(run_id="t")] == [
        ("SHIPMENT_SHIP_TOS_MIXED", "U-4", f"Shipment S9 holds POs for 2 ship-tos (U-3: Juniper Lane at {TOWN}; U-4: "
         f"Juniper Lane at {CANYONS}): umbrella's 856 names one ship-to for the shipment (N1*ST at the S level). "
         "Confirm one shipment per destination.")]


def test_a_pallet_of_two_pos_for_doors_of_one_name_holds_the_load_naming_each_door(doors, tmp_path):
    """Both cartons on pallet PAL-1: the load cannot be split (a pallet goes to one place), held, the finding naming
    the pallet's two stops by their addresses (by name alone: "Juniper Lane: U-3; Juniper Lane: U-4")."""
    state, res = _ship(doors, tmp_path, pallet="PAL-1")
    found = [(f["code"], f["message"]) for f in state.findings(run_id="t")]
    assert res.shipments == 0 and found == [(
        "SHIPMENT_SHIP_TOS_MIXED", f"Shipment S9: pallet PAL-1 holds lines for 2 ship-tos (Juniper Lane at {TOWN}: "
        f"U-3; Juniper Lane at {CANYONS}: U-4): a pallet goes to one place, so the load cannot be split into one 856 "
        "per stop. Build one pallet per ship-to.")]


def test_two_pos_for_one_door_written_otherwise_ship_as_one(tmp_path):
    """U-4's door written in capitals with a ZIP+4 is U-3's door: one place, one shipment, one 856 (not split)."""
    from tests.csv_feed_support import feed, run_feed

    ws, found, _rows = run_feed(tmp_path / "night", feed(
        f"U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;;Juniper Lane;{TOWN.replace(', ', ';')}",
        "U-4;26.11.2026;1;10;EA;26,25;VP-1010;04.12.2026;;Juniper Lane;410 MAIN ST.;Park City;UT;84060-1234"))
    state, res = _ship(ws.root, tmp_path)
    assert res.shipments == 1 and state.findings(run_id="t") == []
    assert _asns(state) == {"S9": ([["N1", "ST", "Juniper Lane"]], ["410 Main St"], ["U-3", "U-4"])}


def test_a_consolidated_pallets_pos_at_doors_of_one_name_are_two_places():
    """engine.lifecycle.shipping._ship_to_places (the POs of a consolidated pallet, an S-T-O-I 856's one N1*ST):
    their id with its qualifier, else their name, was the place, so U-3's and U-4's doors were one and the pallet
    was built as one place's. Their addresses make them two, each named by its door."""
    from engine.lifecycle.shipping import _one_place, _places_named, _ship_to_places
    from tests.csv_feed_support import MAPPING

    orders = read_csv_orders(_doors_feed(), MAPPING.model_copy(update={"ship_to_id": None}), partner="umbrella",
                             file="f.csv").orders
    places = _ship_to_places(orders, "umbrella", ["U-3", "U-4"])
    assert not _one_place(places.values())
    assert _places_named(places, ["U-3", "U-4", "U-9"]) == {"U-3": f"Juniper Lane at {TOWN}",
                                                            "U-4": f"Juniper Lane at {CANYONS}", "U-9": "unknown"}
    assert _one_place([places["U-3"], {**places["U-3"], "ship_to_postal_code": "84060-1234"}])


def test_a_shipments_lines_for_their_own_doors_of_one_name_are_two_places():
    """engine.lifecycle.ship_checks.ship_tos_mixed: U-5's lines 2 and 3 name their own doors, both "Juniper Lane"
    (the order's own ship-to is store UMB-9); shipped together they went to one place by name (no finding: the 856
    named line 2's door for both). By address they are two: held or split into stops, each door named."""
    from engine.lifecycle.ship_checks import ship_tos_mixed
    from tests.csv_feed_support import MAPPING, feed

    got = read_csv_orders(feed(
        "U-5;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;Umbrella Store 9;1 Main St;Palo Alto;CA;94301",
        f"U-5;26.11.2026;2;10;EA;26,25;VP-1010;04.12.2026;;Juniper Lane;{TOWN.replace(', ', ';')}",
        f"U-5;26.11.2026;3;10;EA;26,25;VP-1010;04.12.2026;;Juniper Lane;{CANYONS.replace(', ', ';')}"),
        MAPPING, partner="umbrella", file="f.csv")
    confirmed = pa.table({"shipment_id": ["S9", "S9"], "partner": ["umbrella"] * 2, "po_number": ["U-5"] * 2,
                          "line_id": ["2", "3"], "source_file": ["e.csv"] * 2, "isa13": [None] * 2,
                          "gs06": [None] * 2, "st02": [None] * 2}, schema=pa.schema([
                              (c, pa.string()) for c in ("shipment_id", "partner", "po_number", "line_id",
                                                         "source_file", "isa13", "gs06", "st02")]))
    [(row, f)] = ship_tos_mixed(confirmed, got.orders, got.lines)
    assert row == 0 and f.message == (
        f"Shipment S9 holds lines for 2 ship-tos (Juniper Lane at {TOWN}: U-5 line 2; Juniper Lane at {CANYONS}: U-5 "
        "line 3): one 856 names one ship-to (N1*ST). Confirm one shipment per destination.")


# --- 2. places named side by side -------------------------------------------------------------------------------

def test_places_are_named_by_id_else_name_and_with_their_address_where_those_collide():
    """rules.business.places.places_words: an id (with its qualifier) or a name alone where it tells the places
    apart; two of one name each with its address; None is the order's ship-to; with_names: name and id."""
    from rules.business.places import places_words

    town = {"ship_to_name": "Juniper Lane", "ship_to_id_qualifier": None, "ship_to_id": None,
            "ship_to_address1": "410 Main St", "ship_to_city": "Park City", "ship_to_state": "UT",
            "ship_to_postal_code": "84060"}
    canyons = {**town, "ship_to_address1": "1 Canyons Resort Dr", "ship_to_postal_code": "84098"}
    dc = {"ship_to_name": "DC 1", "ship_to_id_qualifier": "92", "ship_to_id": "0001"}
    assert places_words([dc, town, None]) == ["92 0001", "Juniper Lane", "the order ship-to"]
    assert places_words([town, dc, canyons]) == [f"Juniper Lane at {TOWN}", "92 0001", f"Juniper Lane at {CANYONS}"]
    assert places_words([dc, town], with_names=True) == ["DC 1 92 0001", "Juniper Lane"]


def test_a_box_of_two_stops_of_one_name_names_each_by_its_address():
    """engine.lifecycle.stops.boxes_mixed: a carton of a load's two stops, both "Juniper Lane", named each by its
    door; stops told apart by their ids as before."""
    from engine.lifecycle.stops import boxes_mixed, number_stops

    town = {"ship_to_name": "Juniper Lane", "ship_to_id_qualifier": "", "ship_to_id": "",
            "ship_to_address1": "410 Main St", "ship_to_address2": "", "ship_to_city": "Park City",
            "ship_to_state": "UT", "ship_to_postal_code": "84060", "ship_to_country": ""}
    canyons = {**town, "ship_to_address1": "1 Canyons Resort Dr", "ship_to_postal_code": "84098"}
    numbers, known = number_stops(["L1", "L1"], [town, canyons], {"L1"})
    assert numbers == [1, 2]
    lines = pa.table({"shipment_id": ["L1", "L1"], "po_number": ["A", "B"], "line_id": ["1", "1"],
                      "carton_id": ["C1", "C1"], "carton_sscc": [None, None], "pallet_id": [None, None],
                      "pallet_sscc": [None, None], "source_file": ["f.csv"] * 2, "isa13": [None] * 2,
                      "gs06": [None] * 2, "st02": [None] * 2})
    [(row, f)] = boxes_mixed(lines, numbers, known)
    assert row == 0 and f.message.startswith(
        f"Shipment L1: carton C1 holds lines for 2 ship-tos (Juniper Lane at {TOWN}: A; Juniper Lane at {CANYONS}: B)")


# --- 3. a cart's shipping, fee and discount as columns of the order --------------------------------------------

WOO = FIXTURES / "woocommerce_orders.csv"
SHOPIFY = FIXTURES / "shopify_orders.csv"
WOO_CHARGES = {"shipping_total": "C:D240", "cart_discount": "A:C310", "fee_total": "C:D500"}


def _sacs(got) -> list[tuple]:
    return [(r["po_number"], r["kind"], r["code"], r["amount"], r["description"], r["file_segment"])
            for r in got.sacs.to_pylist()]


def _woo(data: bytes | None = None, **charges):
    layout = layout_of("woocommerce", order_charges=charges or WOO_CHARGES)
    return read_csv_orders(data or WOO.read_bytes(), layout, partner="woocommerce", file=WOO.name)


def test_woocommerces_order_columns_repeated_on_each_line_row_are_the_orders_sacs_once():
    """WooCommerce's Customer/Order CSV Export (one row per item) repeats the order's shipping_total, fee_total and
    cart_discount on every row of it: read by the layout's order_charges, each is the order's heading SAC once (not
    one per row: W5120's two rows bill 18.00 of shipping, not 36.00), at the order's first row; a 0.00 is none; the
    cancelled order's rows are passed over. Without the setting no SAC is read (the shipping never billed)."""
    got = _woo()
    assert got.findings == [] and got.refused == []
    assert got.orders.select(["po_number", "line_count"]).to_pylist() == [
        {"po_number": "W5120", "line_count": 2}, {"po_number": "W5121", "line_count": 2}]
    assert _sacs(got) == [("W5120", "C", "D240", Decimal("18.0000"), "shipping_total", 2),
                          ("W5120", "A", "C310", Decimal("10.0000"), "cart_discount", 2),
                          ("W5121", "C", "D240", Decimal("12.5000"), "shipping_total", 4),
                          ("W5121", "C", "D500", Decimal("4.5000"), "fee_total", 4)]
    # (rg80's profile reads them since csvgaps4: the layout without its order_charges)
    assert read_csv_orders(WOO.read_bytes(), layout_of("woocommerce", order_charges={}), partner="woocommerce",
                           file=WOO.name).sacs.num_rows == 0


def test_shopifys_order_columns_on_the_first_row_only_are_the_orders_sacs_once():
    """Shopify's orders export gives an order's Shipping and Discount Amount (and its other order values) on its first
    row only, the later line rows blank: the order's SACs once, from that row; #1052's 0.00 shipping and discount
    are none."""
    layout = CsvOrderMapping(
        po_number="Name", po_date="Created at", line_id=None, unit=None, upc=None, buyer_part=None,
        currency="Currency", requested_ship_date=None, quantity="Lineitem quantity", unit_price="Lineitem price",
        vendor_part="Lineitem sku", description="Lineitem name", ship_to_id=None, ship_to_name="Shipping Name",
        ship_to_name2="Shipping Company", ship_to_address1="Shipping Address1", ship_to_address2="Shipping Address2",
        ship_to_city="Shipping City", ship_to_state="Shipping Province", ship_to_postal_code="Shipping Zip",
        ship_to_country="Shipping Country", order_charges={"Shipping": "C:D240", "Discount Amount": "A:C310"})
    got = read_csv_orders(SHOPIFY.read_bytes(), layout, partner="p", file=SHOPIFY.name)
    assert got.findings == [] and got.refused == []
    assert got.orders.select(["po_number", "line_count", "ship_to_postal_code"]).to_pylist() == [
        {"po_number": "#1051", "line_count": 3, "ship_to_postal_code": "02540"},
        {"po_number": "#1052", "line_count": 1, "ship_to_postal_code": "02554"}]
    assert _sacs(got) == [("#1051", "C", "D240", Decimal("18.0000"), "Shipping", 2),
                          ("#1051", "A", "C310", Decimal("42.5000"), "Discount Amount", 2)]


def _woo_rows(*edits: tuple[str, str]) -> bytes:
    """The WooCommerce export with W5120's second row (row 3) edited."""
    text = WOO.read_text(encoding="utf-8").splitlines()
    for old, new in edits:
        text[2] = text[2].replace(old, new, 1)
    return ("\n".join(text) + "\n").encode()


def test_an_order_column_a_later_row_gives_otherwise_is_inconsistent_and_the_first_is_counted():
    """W5120's second row says 20.00 of shipping: CSV_ORDER_INCONSISTENT at that row and column (a warning), the
    first row's 18.00 counted once; a discount written negative (-10.00) is an allowance of 10.00 all the same."""
    got = _woo(_woo_rows(("processing,18.00,", "processing,20.00,")))
    assert [(f.code, f.severity, f.location.row, f.location.column) for f in got.findings] == [
        ("CSV_ORDER_INCONSISTENT", "warning", 3, "shipping_total")]
    assert "shipping_total 20.0000 here, 18.0000 on row 2" in got.findings[0].message
    assert _sacs(got)[:2] == [("W5120", "C", "D240", Decimal("18.0000"), "shipping_total", 2),
                              ("W5120", "A", "C310", Decimal("10.0000"), "cart_discount", 2)]
    text = WOO.read_text(encoding="utf-8").replace(",10.00,10.00,313.00,", ",-10.00,10.00,313.00,")
    assert _sacs(_woo(text.encode()))[1] == ("W5120", "A", "C310", Decimal("10.0000"), "cart_discount", 2)


def test_an_order_column_no_number_or_a_charge_written_negative_refuses_the_po_at_its_row_and_column():
    """A shipping cell "n/a", or -18.00 of shipping (a charge never lowers the total: charged or allowed is not
    known), refuses W5120 at its row and column; W5121 stands with its own SACs."""
    for edit, code in ((("processing,18.00,", "processing,n/a,"), "CSV_NUMBER_INVALID"),
                       (("processing,18.00,", "processing,-18.00,"), "CSV_VALUE_INVALID")):
        got = _woo(_woo_rows(edit))
        assert [(f.code, f.location.row, f.location.column) for f in got.findings] == [
            (code, 3, "shipping_total")], code
        assert got.rejected == ("W5120",) and {r[0] for r in _sacs(got)} == {"W5121"}


def test_order_charges_name_each_columns_kind_and_code():
    assert CsvOrderMapping(order_charges={"Shipping": "C:D240"}).order_charges == (("Shipping", "C:D240"),)
    for bad in ({"Shipping": "D240"}, {"Shipping": "X:D240"}, {" ": "C:D240"}, {"Discount": "A:c310"}):
        with pytest.raises(ValidationError, match="order_charges"):
            CsvOrderMapping(order_charges=bad)


def test_a_woocommerce_orders_shipping_and_discount_are_billed_once_on_its_810(tmp_path):
    """Through the night and the east DC's confirmation (rg80's, shipping W5120 whole): W5120's 810 bills its two
    lines (180.00 + 125.00) with the shipping charge and the discount once each (SAC*C*D240 18.00, SAC*A*C310
    10.00): TDS 313.00, the export's order_total."""
    from tests.marketplace_support import NIGHT
    from tests.retailer_support import of_its_own, po_segments, segments, shipped_night

    ws = of_its_own(RG80, tmp_path / "ws", {"woocommerce": []}, warehouses=REPO / "warehouses")
    profile = ws.root / "partners" / "woocommerce.toml"
    said = 'order_charges = { shipping_total = "C:D240", cart_discount = "A:C310" }'  # rg80's (csvgaps4)
    assert said in profile.read_text(encoding="utf-8")
    profile.write_text(profile.read_text(encoding="utf-8").replace(said, 'order_charges = { shipping_total = '
                       '"C:D240", cart_discount = "A:C310", fee_total = "C:D500" }'), encoding="utf-8")
    shutil.copy2(WOO, ws.drop_root / "woocommerce" / "inbox" / WOO.name)
    _ws, _found, states = shipped_night(ws, RG80, NIGHT, datetime(2026, 12, 1, 15))
    assert states[("woocommerce", "W5120")] == "invoiced"
    invoice = po_segments(segments(ws, "woocommerce", "810"), "W5120", "BIG")
    assert [s[:6] for s in invoice if s[0] == "SAC"] == [["SAC", "C", "D240", "", "", "1800"],
                                                          ["SAC", "A", "C310", "", "", "1000"]]
    assert [s[1] for s in invoice if s[0] == "TDS"] == ["31300"]
