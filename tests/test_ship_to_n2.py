"""An 850's N1*ST loop with an N2 (additional name: a consumer's "C/O ..." as Wayfair sends it): the order keeps
it in its ship-to name (matching, display) and on its own (ORDERS ship_to_name2); our 856 and 810 write it back as
N2 after the N1*ST, not folded into N102 ("MARIA GONZALEZ, C/O BRIGHTSIDE APARTMENTS")."""

from __future__ import annotations

from engine.asn import party_segments
from schemas.shipments import Party, with_name2
from tests.support import x12_850


def test_the_850_keeps_the_ship_to_s_n2_on_its_own_too():
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    body = ["BEG*00*DS*PO-1**20261126", "N1*ST*MARIA GONZALEZ", "N2*C/O BRIGHTSIDE APARTMENTS", "N3*4410 W ELM",
            "N4*Austin*TX*78701*US", "N1*BT*ACME HQ*92*0001", "N2*ACCOUNTS PAYABLE",
            "PO1*1*1*EA*2.50*PE*VN*SKU-1", "CTT*1"]
    result = read_interchanges(x12_850(body))
    orders = read_orders(result, list(result.transaction_sets()), partner="acme")[0]
    row = orders.to_pylist()[0]
    assert row["ship_to_name"] == "MARIA GONZALEZ, C/O BRIGHTSIDE APARTMENTS"  # as before
    assert row["ship_to_name2"] == "C/O BRIGHTSIDE APARTMENTS"
    assert row["bill_to_name"] == "ACME HQ, ACCOUNTS PAYABLE"  # another party's N2 stays in its name only


def test_the_ship_to_s_n2_is_written_after_its_n1():
    name, name2 = with_name2("MARIA GONZALEZ, C/O BRIGHTSIDE APARTMENTS", "C/O BRIGHTSIDE APARTMENTS")
    assert party_segments(Party("ST", name, name2=name2, address1="4410 W ELM", city="Austin")) == [
        ["N1", "ST", "MARIA GONZALEZ", "", ""], ["N2", "C/O BRIGHTSIDE APARTMENTS"], ["N3", "4410 W ELM", ""],
        ["N4", "Austin", "", "", ""]]
    # a name an 860 replaced since (it no longer ends with the N2): written whole, no N2
    assert with_name2("DC 7", "C/O BRIGHTSIDE APARTMENTS") == ("DC 7", "")
    assert with_name2("MARIA GONZALEZ", None) == ("MARIA GONZALEZ", "")
