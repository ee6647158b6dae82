"""The 850's N1 loop allows two N3 segments (max use 2): a consumer's or a store's second address line
('APT 4B', 'BLDG C') comes in the second. It was dropped without a word (the first N3 filled the party's
address), so a dropship parcel went out without its apartment; it now joins address2 (after the first N3's
N302, ', ' between values), in the heading's N1 loops and a ship-to sent with the lines alike."""

from __future__ import annotations

from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from tests.support import GOOD_PO, x12_850

LINES = ["PO1*1*1*EA*2.50*PE*VN*SKU-1", "CTT*1*1"]


def _orders(body: list[str]) -> list[dict]:
    result = read_interchanges(x12_850(body))
    sets = [s for s in result.transaction_sets() if s[2].set_id == "850"]
    return read_orders(result, sets, partner="acme")[0].to_pylist()


def _streets(row: dict, prefix: str = "ship_to") -> tuple:
    return row[f"{prefix}_address1"], row[f"{prefix}_address2"], row[f"{prefix}_city"]


def test_a_second_n3_joins_address2():
    head = ["BEG*00*DS*PO-1**20261126", "N1*BT*ACME HQ*92*HQ1", "N3*9 MAIN ST", "N3*FLOOR 3", "N4*Akron*OH*44301",
            "N1*ST*JANE DOE", "N3*12 ELM ST", "N3*APT 4B", "N4*Columbus*OH*43215*US"]
    [row] = _orders(head + LINES)
    assert _streets(row) == ("12 ELM ST", "APT 4B", "Columbus")
    assert _streets(row, "bill_to") == ("9 MAIN ST", "FLOOR 3", "Akron")
    both = ["BEG*00*DS*PO-1**20261126", "N1*ST*JANE DOE", "N3*12 ELM ST*UNIT 9", "N3*BLDG C*REAR", "N4*Columbus*OH"]
    assert _streets(_orders(both + LINES)[0]) == ("12 ELM ST", "UNIT 9, BLDG C, REAR", "Columbus")


def test_one_n3_and_several_sets_read_as_before():
    [row] = _orders(GOOD_PO)
    assert _streets(row) == ("1 Way", None, "Columbus")
    result = read_interchanges(x12_850(GOOD_PO).replace(b"SE*12*0001~\n", b"SE*12*0001~\nST*850*0002~\n"
                                                        + b"".join(s.encode() + b"~\n" for s in [
                                                            "BEG*00*DS*PO-2**20261126", "N1*ST*JOE", "N3*1 A ST",
                                                            "N3*APT 2", "N4*Dayton*OH", *LINES]) + b"SE*8*0002~\n"))
    sets = [s for s in result.transaction_sets() if s[2].set_id == "850"]
    rows = read_orders(result, sets, partner="acme")[0].to_pylist()
    assert [_streets(r) for r in rows] == [("1 Way", None, "Columbus"), ("1 A ST", "APT 2", "Dayton")]


def test_a_ship_to_sent_with_the_lines_keeps_its_second_n3():
    body = ["BEG*00*DS*PO-1**20261126", "PO1*1*1*EA*2.50*PE*VN*SKU-1", "N1*ST*JANE DOE", "N3*12 ELM ST",
            "N3*APT 4B", "N4*Columbus*OH*43215", "CTT*1*1"]
    assert _streets(_orders(body)[0]) == ("12 ELM ST", "APT 4B", "Columbus")


def test_an_n2_joins_the_name_of_the_party_it_follows():
    """N2 (additional name information: a company, 'C/O ...', 'ATTN ...') was dropped without a word too: it
    now joins the name of the party whose N1 it follows (', ' between values), heading and detail alike;
    a party without N2, or an N2 under an N1 we do not keep (N1*VN), changes nothing."""
    head = ["BEG*00*DS*PO-1**20261126", "N1*VN*OUR CO*92*V1", "N2*SALES DESK", "N1*ST*JANE DOE", "N2*C/O JOHN DOE",
            "N3*12 ELM ST", "N4*Columbus*OH*43215", "N1*BT*ACME HQ*92*HQ1", "N2*ACCOUNTS PAYABLE*ROOM 4"]
    [row] = _orders(head + LINES)
    assert (row["ship_to_name"], row["bill_to_name"]) == ("JANE DOE, C/O JOHN DOE", "ACME HQ, ACCOUNTS PAYABLE, ROOM 4")
    assert row["buyer_name"] is None
    detail = ["BEG*00*DS*PO-1**20261126", "PO1*1*1*EA*2.50*PE*VN*SKU-1", "N1*ST*JANE DOE", "N2*ATTN DOCK 3",
              "N3*12 ELM ST", "N4*Columbus*OH*43215", "CTT*1*1"]
    assert _orders(detail)[0]["ship_to_name"] == "JANE DOE, ATTN DOCK 3"
    assert _orders(GOOD_PO)[0]["ship_to_name"] == "DC 7"
