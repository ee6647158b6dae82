"""An N2 sent with two elements (N201 a department, N202 an attention line: GHX's hospitals, HCA's nursing units)
comes back as sent, N201 and N202, on every document that echoes the party: the 855's N1 ST and BY, the 856's N1
ST, the 810's N1 ST and BT, in 004010 and 005010. It used to come back as one N201 joined with ", " (the text kept,
the shape lost: a guide that matches on N202 did not find it). An N2 of one element is written as it always was."""

from __future__ import annotations

from datetime import datetime

from engine.asn import mark_for_of, party_segments
from schemas.orders import name2_kept, name2_sent, name2_text
from schemas.shipments import Party, with_name2
from tests.retailer_support import po_segments, segments, variant_night
from tests.support import REPO, x12_850

FIXTURES = REPO / "tests" / "fixtures" / "rg73"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)


def _row(body: list[str]) -> dict:
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    result = read_interchanges(x12_850(body))
    return read_orders(result, list(result.transaction_sets()), partner="acme")[0].to_pylist()[0]


def _n2s(party: Party) -> list[list[str]]:
    return [s for s in party_segments(party) if s[0] == "N2"]


def test_the_850_keeps_each_n2_s_elements_apart_and_the_name_as_before():
    body = ["BEG*00*SA*PO-1**20261126", "N1*BT*PROVIDENCE HEALTH*91*AP", "N2*ACCOUNTS PAYABLE*ATTN INVOICES",
            "N1*BY*PROVIDENCE HEALTH*91*PH", "N2*SUPPLY CHAIN", "N2*ATTN ANA RUIZ",
            "N1*ST*PORTLAND MEDICAL CENTER*91*PPMC", "N2*CENTRAL STERILE SUPPLY*ATTN 3RD FLOOR",
            "N1*Z7*PPMC OR*92*OR7", "N2*SURGERY*BAY 4", "PO1*1*1*EA*2.50*PE*VN*SKU-1", "CTT*1"]
    row = _row(body)
    # the names hold every element after ", ", as ever (matching, display)
    assert row["ship_to_name"] == "PORTLAND MEDICAL CENTER, CENTRAL STERILE SUPPLY, ATTN 3RD FLOOR"
    assert row["buyer_name"] == "PROVIDENCE HEALTH, SUPPLY CHAIN, ATTN ANA RUIZ"
    for prefix, sent in (("ship_to", [["CENTRAL STERILE SUPPLY", "ATTN 3RD FLOOR"]]),
                         ("bill_to", [["ACCOUNTS PAYABLE", "ATTN INVOICES"]]), ("mark_for", [["SURGERY", "BAY 4"]])):
        name, name2 = with_name2(row[f"{prefix}_name"], row[f"{prefix}_name2"])
        assert name2_sent(name2) == sent, prefix
        assert name == row[f"{prefix}_name"][: -len(name2_text(name2)) - 2]
        assert _n2s(Party("ST", name, name2=name2)) == [["N2", *s] for s in sent]
    # two N2s of one element each: the text as before (one N201, ", " between), the N1 its N102 alone
    name, name2 = with_name2(row["buyer_name"], row["buyer_name2"])
    assert name == "PROVIDENCE HEALTH" and name2_sent(name2) is None
    assert _n2s(Party("BY", name, name2=name2)) == [["N2", "SUPPLY CHAIN, ATTN ANA RUIZ"]]
    # the mark-for N1 (written without its N2s) keeps its N102 as sent
    assert mark_for_of(row).name == "PPMC OR"


def test_a_line_level_ship_to_and_an_860_s_ship_to_keep_the_elements_apart_too():
    from parsers.orders_860 import read_changes
    from tests.changes.builders import parse_860, sets_860, x12_860

    row = _row(["BEG*00*SA*PO-1**20261126", "PO1*1*1*EA*2.50*PE*VN*SKU-1", "N1*ST*CLINIC*92*C1",
                "N2*ROOM 12*ATTN DR LEE", "CTT*1"])
    assert row["ship_to_name"] == "CLINIC, ROOM 12, ATTN DR LEE"
    assert name2_sent(row["ship_to_name2"]) == [["ROOM 12", "ATTN DR LEE"]]
    result = parse_860(x12_860(["BCH*04*SA*PO-1**3*20261126", "N1*ST*CLINIC*92*C1", "N2*ROOM 14*ATTN DR LEE",
                                "POC*1*QI*20**EA", "CTT*1"]))
    head = read_changes(result, sets_860(result), partner="acme")[0].to_pylist()[0]
    assert head["ship_to_name"] == "CLINIC, ROOM 14, ATTN DR LEE"
    assert name2_sent(head["ship_to_name2"]) == [["ROOM 14", "ATTN DR LEE"]]


def test_an_n2_of_one_element_and_a_value_kept_before_are_written_as_ever():
    assert name2_kept([["C/O BRIGHTSIDE APARTMENTS", None]]) == "C/O BRIGHTSIDE APARTMENTS"
    assert name2_kept([]) is None
    old = "CENTRAL STERILE SUPPLY, ATTN 3RD FLOOR"  # an order stored before: its N2s joined by ", "
    assert with_name2("PPMC, " + old, old) == ("PPMC", old)
    assert _n2s(Party("ST", "PPMC", name2=old)) == [["N2", old]]
    # each element cut to its 60 characters; at most the two N2s the N1 loop allows
    assert _n2s(Party("ST", "X", name2=name2_kept([["A" * 70, "B"], ["C", "D"], ["E", "F"]]))) == [
        ["N2", "A" * 60, "B"], ["N2", "C", "D"]]


def _night(tmp_path, version_swaps=()):
    """HCA's PO (005010; rg73) with the unit's N2 in two elements, a bill-to and a buying party with theirs, the 855
    echoing the ST and BY loops."""
    swaps = [("N1*BY*HCA HEALTHCARE*UL*0614141000012~",
              "N1*BY*HCA HEALTHCARE*UL*0614141000012~\nN2*SUPPLY CHAIN SERVICES*ATTN PAR DESK~\n"
              "N1*BT*HCA HEALTHCARE*UL*0614141000005~\nN2*ACCOUNTS PAYABLE*MAIL CODE 7~"),
             ("N2*4 WEST MED SURG~", "N2*4 WEST MED SURG*ROOM 412 ATTN UNIT CLERK~"), *version_swaps]
    return variant_night(FIXTURES, "hca", "HCA7300202", tmp_path, [(a.encode(), b.encode()) for a, b in swaps],
                         warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY,
                         profile_swaps=[("[acks.po_ack]\n", "[acks.po_ack]\nship_to = true\nbuyer = true\n")])


def _check(ws):
    unit = ["N2", "4 WEST MED SURG", "ROOM 412 ATTN UNIT CLERK"]
    ack = po_segments(segments(ws, "hca", "855"), "HCA7300202", "BAK")
    asn = next(po_segments(segments(ws, "hca", "856"), s[2], "BSN") for s in segments(ws, "hca", "856")
               if s[0] == "BSN")
    inv = po_segments(segments(ws, "hca", "810"), "HCA7300202", "BIG")
    for doc in (ack, asn, inv):
        st = next(k for k, s in enumerate(doc) if s[:2] == ["N1", "ST"])
        assert doc[st + 1] == unit, doc[st: st + 2]
    by = next(k for k, s in enumerate(ack) if s[:2] == ["N1", "BY"])
    assert ack[by: by + 2] == [["N1", "BY", "HCA HEALTHCARE", "UL", "0614141000012"],
                               ["N2", "SUPPLY CHAIN SERVICES", "ATTN PAR DESK"]]
    bt = next(k for k, s in enumerate(inv) if s[:2] == ["N1", "BT"])
    assert inv[bt: bt + 2] == [["N1", "BT", "HCA HEALTHCARE", "UL", "0614141000005"],
                               ["N2", "ACCOUNTS PAYABLE", "MAIL CODE 7"]]


def test_the_855_856_and_810_write_each_n2_back_as_sent_in_005010(tmp_path):
    ws, _found, states = _night(tmp_path)
    assert states[("hca", "HCA7300202")] == "invoiced"
    _check(ws)


def test_the_855_856_and_810_write_each_n2_back_as_sent_in_004010(tmp_path):
    swaps = [("*^*00501*", "*U*00401*"), ("*X*005010~", "*X*004010~"),
             ("N9*ZZ*PAR REPLENISHMENT~\nMTX**WEEKLY PAR LEVEL ORDER 4 WEST MED SURG~\n", "")]
    ws, _found, states = _night(tmp_path, swaps)
    assert states[("hca", "HCA7300202")] == "invoiced"
    _check(ws)
