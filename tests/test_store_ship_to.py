"""A PO whose only destination is its heading's N1*SN (entity identifier 98 SN "Store": the buyer names the store the
goods go to, N103 92 its own location number, N104 the store) is read as shipping there: the N1*SN is its ship-to
when it names no N1*ST (or N1*BS) in the heading or its lines and no SDQ destination, as a REF*ST store number is
(parsers.orders_850._store_party_ship_to). It used to be held SHIP_TO_UNKNOWN ("no N1*ST id or N3/N4 address in the
heading") though the PO named its store. A PO with an N1*ST keeps it: the store is then the party the goods are
for. rg77's Grainger PO (its DC 0351 in ship_tos.csv)."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from tests.retailer_support import findings_and_states, of_its_own, po_segments, recounted, segments
from tests.support import REPO, run_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg77"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
PO = "GWW_850_4600770011.x12"
ST = b"N1*ST*GRAINGER DC KANSAS CITY*92*0351~"


def _lines_read(data: bytes):
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    result = read_interchanges(data)
    orders, _lines = read_orders(result, list(result.transaction_sets()), partner="grainger")
    return orders.to_pylist()[0]


@pytest.mark.parametrize("n1, ship_to", [
    (b"N1*SN*GRAINGER DC KANSAS CITY*92*0351~", ("GRAINGER DC KANSAS CITY", "92", "0351", "11211 N CONGRESS AVE")),
    (b"N1*SN*GRAINGER STORE 351~", ("GRAINGER STORE 351", None, None, "11211 N CONGRESS AVE")),
    (b"N1*SN*GRAINGER STORE 77*92*0077~\n" + ST, ("GRAINGER DC KANSAS CITY", "92", "0351", "11211 N CONGRESS AVE")),
], ids=["the-store-alone", "the-store-by-name-and-address", "a-ship-to-and-its-store"])
def test_a_po_s_store_is_its_ship_to_when_it_names_no_other(n1, ship_to):
    data = (FIXTURES / "drops" / "grainger" / PO).read_bytes()
    assert data.count(ST) == 1
    order = _lines_read(recounted(data.replace(ST, n1)))
    assert (order["ship_to_name"], order["ship_to_id_qualifier"], order["ship_to_id"],
            order["ship_to_address1"]) == ship_to
    assert order["ship_to_city"] == "KANSAS CITY"
    assert not any(k.startswith("store_") for k in order)


def test_a_po_naming_only_its_store_is_acknowledged_and_not_held(tmp_path):
    """The night takes the PO: no SHIP_TO_UNKNOWN, the 855 accepts it."""
    copy = tmp_path / "rg77"
    shutil.copytree(FIXTURES, copy)
    po = copy / "drops" / "grainger" / PO
    po.write_bytes(recounted(po.read_bytes().replace(ST, b"N1*SN*GRAINGER DC KANSAS CITY*92*0351~")))
    ws = of_its_own(copy, tmp_path / "ws", {"grainger": [po.name]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    found, states = findings_and_states(ws)
    assert "SHIP_TO_UNKNOWN" not in {code for code, _message in found}
    assert states == {("grainger", "4600770011"): "acknowledged"}
    assert po_segments(segments(ws, "grainger", "855"), "4600770011", "BAK")[0][1:3] == ["00", "AD"]
