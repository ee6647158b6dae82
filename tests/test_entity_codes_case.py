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


# -- a PO1 loop's LIN and SLN product id qualifiers, SLN07 price basis and CTP02 price identifier ---------------------

def _lines(path, swaps) -> list[dict]:
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    data = path.read_bytes()
    for old, new in swaps:
        assert data.count(old) >= 1, old
        data = data.replace(old, new)
    result = read_interchanges(recounted(data))
    return read_orders(result, list(result.transaction_sets()), partner=path.parent.name)[1].to_pylist()


def test_a_lin_s_qualifiers_in_small_letters_are_read_as_their_codes(tmp_path):
    """HD Supply's ballast line named in its LIN alone, its qualifiers in small letters: the line is read by IN and
    VN (it was refused ITEM_ID_MISSING, no pair the item join reads), told at the LIN."""
    path = FIXTURES / "drops" / "hdsupply" / "HDS_850_HD77003301.x12"
    swap = (b"PO1*2*6*EA*21.5**IN*HD-338210*VN*RG77-10~", b"PO1*2*6*EA*21.5~\nLIN**in*HD-338210*vn*RG77-10~")
    line = _lines(path, [swap])[1]
    assert [(p["qualifier"], p["id"]) for p in line["product_ids"]] == [("IN", "HD-338210"), ("VN", "RG77-10")]
    assert line["vendor_part"] == "RG77-10" and line["codes_case_sent"] == "LIN02 in; LIN04 vn"
    copy = tmp_path / "rg77"
    shutil.copytree(FIXTURES, copy)
    po = copy / "drops" / "hdsupply" / path.name
    po.write_bytes(recounted(po.read_bytes().replace(*swap)))
    ws = of_its_own(copy, tmp_path / "ws", {"hdsupply": [po.name]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    found, states = findings_and_states(ws)
    assert "ITEM_ID_MISSING" not in {code for code, _message in found}
    assert [message for code, message in found if code == "CODE_CASE_CONVERTED"] == [
        "No code as sent (X12's codes are capitals), read as the one its capitals are: LIN02 'in' as IN, the product "
        "id qualifier; LIN04 'vn' as VN, the product id qualifier."]
    assert states == {("hdsupply", "HD77003301"): "acknowledged"}
    ack = po_segments(segments(ws, "hdsupply", "855"), "HD77003301", "BAK")
    assert [s[1] for s in ack if s[0] == "ACK"] == ["IA", "IA", "IA"]


def test_a_subline_s_qualifiers_and_basis_in_small_letters_are_read_as_their_codes():
    """Meijer's prepack: its SLN sublines' UP and VN pairs (and an SLN07 basis PE) sent in small letters are the
    components' ids in capitals (the 856 lists them so); a qualifier whose capitals we do not read (zz) stays."""
    path = FIXTURES / "drops" / "meijer" / "MEIJER_850_MJ77002201.x12"
    lines = _lines(path, [(b"SLN*1**I*2*EA*12***UP*614141770700*VN*RG77-07~",
                           b"SLN*1**I*2*EA*12*pe**up*614141770700*vn*RG77-07*zz*X1~")])
    pack = lines[2]["prepack_components"]
    assert [(p["qualifier"], p["id"]) for p in pack[0]["product_ids"]] == [
        ("UP", "614141770700"), ("VN", "RG77-07"), ("zz", "X1")]
    assert pack[0]["price_basis"] == "PE"
    assert [(p["qualifier"], p["id"]) for p in pack[1]["product_ids"]] == [("UP", "614141770809"), ("VN", "RG77-08")]
    assert lines[2]["codes_case_sent"] == "SLN07 pe; SLN09 up; SLN11 vn"
    assert lines[0]["codes_case_sent"] is None and lines[1]["codes_case_sent"] is None


def test_a_cost_ctp_in_small_letters_prices_its_line():
    """A line priced by its CTP alone (no PO104), its price identifier `con`: read as CON, the buyer's contract price
    (the line was unpriced, PRICE_MISSING); `res` (retail, no price the buyer pays) is left as sent."""
    path = FIXTURES / "drops" / "grainger" / PO
    lines = _lines(path, [(b"PO1*1*24*EA*3.1**VN*RG77-01*BP*4EY81~",
                           b"PO1*1*24*EA***VN*RG77-01*BP*4EY81~\nCTP**con*3.1~\nCTP**res*4.99~")])
    assert str(lines[0]["unit_price"]) in ("3.1", "3.10", "3.1000")
    assert [(p["qualifier"], p["price"]) for p in lines[0]["line_prices"]] == [("CON", "3.1"), ("res", "4.99")]
    assert lines[0]["codes_case_sent"] == "CTP02 con"
    assert [line["codes_case_sent"] for line in lines[1:]] == [None, None]


def test_an_860_s_poc_loop_codes_in_small_letters_are_read_and_told():
    """An 860's POC loop read as the 850's PO1 loop: its N1*st (the line's new ship-to) and its cost CTP `con` are
    read as ST and CON, told with the POC's own codes (ORDER_CHANGES codes_case_sent: engine.changes says
    CODE_CASE_CONVERTED at the POC)."""
    from parsers.orders_860 import read_changes
    from parsers.x12_reader import read_interchanges

    data = (REPO / "tests" / "fixtures" / "rg78" / "changes" / "SAPPI_ORDCHG_4500081234.x12").read_bytes()
    poc = b"PID*F****WASHER M12 DIN125 ZINC PLATED~"
    assert data.count(poc) == 1
    assert data.count(b"SE*19*0001~") == 1  # two segments more
    data = data.replace(poc, poc + b"\nCTP**con*0.46~\nN1*st*BRENNER DOCK 2*92*1002~").replace(b"SE*19*", b"SE*21*")
    result = read_interchanges(data)
    changes = read_changes(result, list(result.transaction_sets()), partner="brenner")[1].to_pylist()
    assert changes[1]["ship_to_id"] == "1002" and changes[1]["ship_to_name"] == "BRENNER DOCK 2"
    assert changes[1]["codes_case_sent"] == "N101 st; CTP02 con"
    assert [c["codes_case_sent"] for c in (changes[0], changes[2])] == [None, None]
