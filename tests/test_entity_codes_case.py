"""An 850 whose N1 entity identifier codes (N101, code list 98) come in small letters, as an ERP writing its own
table's case sends them (`N1*st*GRAINGER DC KANSAS CITY*92*0351`): X12's codes are capitals and the 997 accepts the
set, yet the PO was held SHIP_TO_UNKNOWN as if it named no destination (its bill-to, buyer ... dropped alike). An
N101 whose capitals are an entity code the reader reads (ST, BT, BY, Z7, BS, SN, SF, VN, SU:
parsers.orders_850.ENTITIES_READ) is read as that code, told by CODE_CASE_CONVERTED at the N1; any other stays as sent.
And SHIP_TO_UNKNOWN for a PO naming no ship-to says what was looked for and where (N1*ST, N1*BS, N1*SN, REF*ST, SDQ,
the lines' N1*ST). rg77's Grainger PO (its DC 0351 in ship_tos.csv)."""

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
BT = b"N1*BT*W.W. GRAINGER INC*92*ACCTPAY~"


def _order(data: bytes) -> dict:
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    result = read_interchanges(data)
    orders, _lines = read_orders(result, list(result.transaction_sets()), partner="grainger")
    return orders.to_pylist()[0]


def _po(st: bytes = ST, bt: bytes = BT) -> bytes:
    data = (FIXTURES / "drops" / "grainger" / PO).read_bytes()
    assert data.count(ST) == 1 and data.count(BT) == 1
    return recounted(data.replace(ST, st).replace(BT, bt))


@pytest.mark.parametrize("st, bt, told", [
    (b"N1*st*GRAINGER DC KANSAS CITY*92*0351~", BT, "N101 st"),
    (b"N1*St*GRAINGER DC KANSAS CITY*92*0351~", b"N1*bt*W.W. GRAINGER INC*92*ACCTPAY~", "N101 St; N101 bt"),
], ids=["st", "St-and-bt"])
def test_an_entity_code_in_small_letters_is_read_as_its_code(st, bt, told):
    order = _order(_po(st, bt))
    assert (order["ship_to_name"], order["ship_to_id_qualifier"], order["ship_to_id"], order["ship_to_address1"],
            order["ship_to_city"]) == ("GRAINGER DC KANSAS CITY", "92", "0351", "11211 N CONGRESS AVE",
                                       "KANSAS CITY")
    assert (order["bill_to_name"], order["bill_to_id"], order["bill_to_address1"]) == (
        "W.W. GRAINGER INC", "ACCTPAY", "PO BOX 419267")
    assert order["codes_case_sent"] == told


def test_only_an_entity_code_we_read_is_read_in_capitals():
    """`zz` (ZZ "Mutually Defined": no party the reader reads) stays as sent: the PO names no ship-to. A set in
    capitals tells nothing."""
    order = _order(_po(b"N1*zz*GRAINGER DC KANSAS CITY*92*0351~"))
    assert order["ship_to_name"] is None and order["ship_to_id"] is None
    assert order["codes_case_sent"] is None
    assert _order(_po())["codes_case_sent"] is None


def _night(tmp_path, st: bytes):
    copy = tmp_path / "rg77"
    shutil.copytree(FIXTURES, copy)
    po = copy / "drops" / "grainger" / PO
    po.write_bytes(_po(st))
    ws = of_its_own(copy, tmp_path / "ws", {"grainger": [po.name]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    return ws, *findings_and_states(ws)


def test_a_po_whose_ship_to_is_sent_as_st_in_small_letters_is_acknowledged_and_told(tmp_path):
    ws, found, states = _night(tmp_path, b"N1*st*GRAINGER DC KANSAS CITY*92*0351~")
    codes = {code for code, _message in found}
    assert "SHIP_TO_UNKNOWN" not in codes
    assert states == {("grainger", "4600770011"): "acknowledged"}
    told = [message for code, message in found if code == "CODE_CASE_CONVERTED"]
    assert told == ["No code as sent (X12's codes are capitals), read as the one its capitals are: N101 'st' as ST, "
                    "the entity identifier code."]
    assert po_segments(segments(ws, "grainger", "855"), "4600770011", "BAK")[0][1:3] == ["00", "AD"]


def test_ship_to_unknown_says_what_ship_to_was_looked_for_and_where(tmp_path):
    """A PO naming no ship-to by any means: the message names each place a ship-to is read from (the N1*BS and
    N1*SN the reader takes as the ship-to when no N1*ST is sent among them)."""
    _ws, found, states = _night(tmp_path, b"N1*zz*GRAINGER DC KANSAS CITY*92*0351~")
    held = [message for code, message in found if code == "SHIP_TO_UNKNOWN"]
    assert len(held) == 1
    for named in ("N1*ST", "N1*BS", "N1*SN", "REF*ST", "SDQ", "PO1"):
        assert named in held[0], (named, held[0])
    assert states == {("grainger", "4600770011"): "held"}
