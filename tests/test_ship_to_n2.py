"""An 850's N1*ST loop with an N2 (additional name: a consumer's "C/O ..." as Wayfair sends it): the order keeps
it in its ship-to name (matching, display) and on its own (ORDERS ship_to_name2); our 856 and 810 write it back as
N2 after the N1*ST, not folded into N102 ("MARIA GONZALEZ, C/O BRIGHTSIDE APARTMENTS")."""

from __future__ import annotations

from decimal import Decimal

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


def test_an_n2_of_two_long_names_is_written_in_n201_and_n202_whole():
    """A consumer's N2 of two names (N201 and N202, 60 characters each; Logicbroker's and CommerceHub's ship-to
    second name lines) is kept as "N201, N202": written back in N201 alone it was cut at 60, the end of the second
    name lost on the 855, 856 and 810. Over 60 it goes back into N201 and N202 where the 850 had them (the last ", "
    that leaves N201 within 60; a name without one is cut at 60 and goes on in N202); within 60, in N201 as ever."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    first, second = "C/O MONTGOMERY-WASHINGTON FAMILY TRUST, SUITE A", "ATTN RECEIVING DEPT BUILDING 7 FLOOR 3"
    body = ["BEG*00*DS*PO-1**20261126", "N1*ST*KEISHA BROWN", f"N2*{first}*{second}", "N3*3100 N SHERIDAN RD",
            "N4*Chicago*IL*60657*US", "PO1*1*1*EA*2.50*PE*VN*SKU-1", "CTT*1"]
    result = read_interchanges(x12_850(body))
    row = read_orders(result, list(result.transaction_sets()), partner="acme")[0].to_pylist()[0]
    name, name2 = with_name2(row["ship_to_name"], row["ship_to_name2"])
    assert party_segments(Party("ST", name, name2=name2))[:2] == [["N1", "ST", "KEISHA BROWN", "", ""],
                                                                  ["N2", first, second]]
    assert party_segments(Party("ST", "X", name2="APT 5C, BUZZER 503"))[1] == ["N2", "APT 5C, BUZZER 503"]
    long = "Y" * 70
    assert party_segments(Party("ST", "X", name2=long))[1] == ["N2", "Y" * 60, "Y" * 10]
    assert party_segments(Party("ST", "X", name2="Z" * 130))[1] == ["N2", "Z" * 60, "Z" * 60]


def test_the_ship_to_s_per_is_read_and_written_after_its_n4_where_the_856_s_n1_loop_places_it(tmp_path):
    """The consumer's PER in the 850's N1*ST loop (a drop ship's phone and email) is kept as sent (ORDERS
    ship_to_contact_sent); an 856 with AsnSettings.ship_to_contact writes it after the ship-to's N4, valid 004010
    and 005010 by our validator and Bots'; without the setting no PER (the 856 as before). A PER of another party's
    loop, or the heading's own (the buyer's desk), is no ship-to's contact."""
    from dataclasses import replace

    from engine.asn import build_856
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from rules.outbound import validate_outbound
    from schemas.fulfilment import AsnSettings
    from tests.shipping_support import NOW, PROFILES, bots_check, wrap_for
    from tests.test_856_lots import _item, _shipment

    body = ["BEG*00*DS*PO-1**20261126", "PER*BD*BUYER DESK*TE*6145550000", "N1*BT*ACME HQ*92*0001",
            "PER*AP*PAYABLES*TE*6145550001", "N1*ST*MARIA GONZALEZ", "N3*4410 W ELM", "N4*Austin*TX*78701*US",
            "PER*IC*MARIA GONZALEZ*TE*5125550100*EM*maria@example.com", "PO1*1*1*EA*2.50*PE*VN*SKU-1", "CTT*1"]
    result = read_interchanges(x12_850(body) + x12_850([b for b in body if not b.startswith("PER*IC")]))
    orders = read_orders(result, list(result.transaction_sets()), partner="acme")[0]
    assert orders["ship_to_contact_sent"].to_pylist() == [
        "\x1f".join(["IC", "MARIA GONZALEZ", "TE", "5125550100", "EM", "maria@example.com"]), None]
    contact = ("IC", "MARIA GONZALEZ", "TE", "5125550100", "EM", "maria@example.com")
    shipment = _shipment(_item(24))
    shipment = replace(shipment, ship_to=replace(shipment.ship_to, contact=contact))
    expected = {("0113-7745120", "1"): Decimal(24)}
    plain = build_856(shipment, AsnSettings(), created=NOW, expected=expected)
    assert [seg for seg in plain if seg[0] == "PER"] == []
    made = build_856(shipment, AsnSettings(ship_to_contact=True), created=NOW, expected=expected)
    st = next(k for k, seg in enumerate(made) if seg[:2] == ["N1", "ST"])
    assert made[st + 3] == ["PER", *contact] and [seg for seg in made if seg[0] != "PER"] == plain
    for partner in ("acme", "globex"):
        content = wrap_for(PROFILES[partner], "SH", "856", [made])
        assert [f for f in validate_outbound(content) if f.severity == "error"] == []
        ok, errors = bots_check(content, tmp_path)
        assert ok, errors
