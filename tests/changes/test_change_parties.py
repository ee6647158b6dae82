"""An 860's heading N1 BT / BY / Z7 parties (which an 860 does not change) against the order's own: Hudson's Bay
repeats its unchanged N1*BY on every 860, which is no change; another party is named (CHANGE_HEADER_NOT_APPLIED)."""

from __future__ import annotations

from engine.changes import apply_changes
from parsers.orders_860 import read_changes
from rules.structure import check_structure

from .builders import change_body, live_order, parse_860, sets_860, x12_860

BUYER = {"buyer_name": "LA BAIE MONTRÉAL", "buyer_id_qualifier": "92", "buyer_id": "1003"}


def _change(heading: list[str]):
    body = change_body(["POC*1*QI*20**EA"])
    result = parse_860(x12_860([body[0], *heading, *body[1:]]))
    headers, changes = read_changes(result, sets_860(result), partner="acme", source_sha256="chg-sha")
    return result, headers.to_pylist()[0], changes


def _named(heading: list[str], order_parties: dict | None = None) -> list:
    """The CHANGE_HEADER_NOT_APPLIED findings of the set check and of the change applied to ACME PO-1 with
    ``order_parties`` (default: the buyer above), as (element, value, segment position, message)."""
    order, lines = live_order()
    result, header, changes = _change(heading)
    found = [*check_structure(result, sets_860(result)),
             *apply_changes({**order, **(BUYER if order_parties is None else order_parties)}, lines, header,
                            changes, shipped=False).findings]
    return [(f.location.element or f.location.segment_id, f.location.value, f.location.segment_position, f.message)
            for f in found if f.code == "CHANGE_HEADER_NOT_APPLIED"]


def test_the_860_repeating_the_order_s_own_buyer_is_no_change():
    """N1*BY with the order's id (its name in another case and spacing, or without the id: its name) is the
    order's buyer: nothing named (the set check named every N1 BY loop: a false warning on each 860)."""
    assert _named(["N1*BY*LA BAIE MONTRÉAL*92*1003"]) == []
    assert _named(["N1*BY*La Baie  Montréal*92*1003"]) == []
    assert _named(["N1*BY*la baie montréal"]) == []
    # an 850 that named its buyer without an id: the 860's id cannot differ from it, its name is compared
    no_id = {"buyer_name": "LA BAIE MONTRÉAL"}
    assert _named(["N1*BY*LA BAIE MONTRÉAL*92*1003"], order_parties=no_id) == []
    assert [f[:3] for f in _named(["N1*BY*HBC QUEBEC*92*1003"], order_parties=no_id)] == [("N101", "BY", 3)]


def test_another_buyer_or_bill_to_in_the_860_is_still_named_where_it_is_sent():
    """Another N104, another name sent without an id, a party the order has none of (N1 BT here), or an address
    the order's buyer does not have: named, at the N1, with the order's party beside it."""
    [(element, value, position, message)] = _named(["CUR*BY*USD", "N1*BY*LA BAIE MONTRÉAL*92*2004"])
    assert (element, value, position) == ("N101", "BY", 4)
    assert "N1 BY 2004 LA BAIE MONTRÉAL (the order's buyer: 1003 LA BAIE MONTRÉAL)" in message
    assert [f[:3] for f in _named(["N1*BY*LA BAIE QUÉBEC"])] == [("N101", "BY", 3)]
    [(_e, value, position, message)] = _named(["N1*BY*LA BAIE MONTRÉAL*92*1003", "N1*BT*HBC ACCOUNTS*92*9"])
    assert (value, position) == ("BT", 4) and "(the order's bill-to: (none))" in message
    assert [f[:3] for f in _named(["N1*BY*LA BAIE MONTRÉAL", "N3*1 RUE STE-CATHERINE"])] == [("N101", "BY", 3)]
    assert [f[:3] for f in _named(["N1*BY*LA BAIE MONTRÉAL*92*1003"], order_parties={})] == [("N101", "BY", 3)]


def test_a_party_an_order_does_not_keep_is_still_named_by_the_set_check():
    """An N1 the order keeps no party for (SF ship-from here) cannot be compared: the set check names it still."""
    assert [f[:3] for f in _named(["N1*SF*ACME WAREHOUSE*92*77", "N1*BY*LA BAIE MONTRÉAL*92*1003"])] == [
        ("N1", "N1", 3)]


def test_the_860_s_parties_are_read_as_the_850_reads_them():
    """parties_sent: each N1 BT / BY / Z7 loop of the heading with its N2 joined to the name, its N3s and N4, and
    its N1's position; none sent: null."""
    _r, header, _c = _change(["N1*ST*DC*92*0007", "N1*Z7*STORE 12*92*0012", "N2*ATTN RECEIVING",
                              "N3*12 MAIN ST*UNIT 4", "N3*DOCK B", "N4*TORONTO*ON*M5H 2S6*CA"])
    assert header["parties_sent"] == [{
        # (N2 and a second N3's street after ", ", as the 850 joins them: rg70)
        "qualifier": "Z7", "name": "STORE 12, ATTN RECEIVING", "id_qualifier": "92", "id": "0012",
        "address1": "12 MAIN ST", "address2": "UNIT 4, DOCK B", "city": "TORONTO", "state": "ON",
        "postal_code": "M5H 2S6", "country": "CA", "segment_position": 4}]
    assert _change([])[1]["parties_sent"] is None
