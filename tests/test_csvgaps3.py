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

import pyarrow as pa
import pytest

from connectors.local import LocalDrop
from connectors.reference import load_reference
from connectors.state import StateStore
from flows import shipments
from flows.workspace import open_workspace
from parsers.csv_orders import read_csv_orders
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "csvgaps3"
TOWN = "410 Main St, Park City, UT, 84060"
CANYONS = "1 Canyons Resort Dr, Park City, UT, 84098"


# --- 1. two POs for doors of one name in one shipment ---------------------------------------------------------------

def _doors_feed() -> bytes:
    """Umbrella's U-3 for "Juniper Lane" at its Main Street door, U-4 for "Juniper Lane" at its Canyons door: no
    location id, one name, two addresses (csvgaps2's same-name doors, each its own PO)."""
    from tests.test_csvgaps import feed

    return feed(f"U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;;Juniper Lane;{TOWN.replace(', ', ';')}",
                f"U-4;26.11.2026;1;10;EA;26,25;VP-1010;04.12.2026;;Juniper Lane;{CANYONS.replace(', ', ';')}")


@pytest.fixture(scope="module")
def doors(tmp_path_factory):
    """The night taking U-3 and U-4 (both answered IA: each order has one ship-to, nothing to hold)."""
    from tests.test_csvgaps import run_feed

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
    from tests.test_csvgaps import feed, run_feed

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
    from tests.test_csvgaps import MAPPING

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
    from tests.test_csvgaps import MAPPING, feed

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
