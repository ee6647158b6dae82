"""A line's own ship-to is kept whole and used when that line ships. An 850 may carry an N1*ST loop in a PO1 loop
(a co-op's member drop ship: tests/test_line_ship_to_held.py); its N3/N4 say where that store is. Only the N1 (name
and id) used to be kept: an approved member line's 856 and 810 named the store with no street, city or ZIP (an
N1*ST by name alone, an e-procurement item-level ShipTo without a code, said nowhere where the goods went). Its
N3 and N4 are kept (ORDER_LINES ship_to_address1 .. ship_to_country) and written after that N1*ST on the 856 of the
shipment going there and on its 810. A 5010 850 with MSG text in N9 loops, heading and line, reads as before (the
N9/MSG before a line's N1 loop do not hide it), and the MSG text is kept: the order's notes and the line's (ORDERS /
ORDER_LINES notes), shown by `status PO --dates`; it used to be passed over."""

from __future__ import annotations

from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from tests.retailer_support import po_segments, segments
from tests.support import GOOD_PO, x12_850
from tests.test_line_ship_to_held import MEMBER_LINES, RSC, _approved, _ship, _workspace


def _asn_party(segs: list[list[str]]) -> list[list[str]]:
    """The N1*ST loop (N1, N2, N3, N4) of a document's segments."""
    at = next(k for k, s in enumerate(segs) if s[:2] == ["N1", "ST"])
    out = [segs[at]]
    for s in segs[at + 1:]:
        if s[0] not in ("N2", "N3", "N4"):
            break
        out.append(s)
    return out


def test_a_5010_850_keeps_each_line_s_own_ship_to_address_behind_n9_msg_loops():
    body = GOOD_PO[:2] + ["N9*L1*SPECIAL INSTRUCTIONS", "MSG*DELIVER TO REAR DOOR"] + GOOD_PO[2:6] + [
        "PO1*1*12*EA*2.50*PE*UP*073000040482", "PID*F****WIDGET", "N9*L1*LINE NOTE", "MSG*GIFT WRAP",
        "N1*ST*STORE 12*92*S12", "N2*ATTN BOB", "N3*12 OAK ST*SUITE 4", "N4*DAYTON*OH*45402*US",
        "PO1*2*6*EA*10*PE*VN*SKU-2", "N1*ST*STORE 14", "N4*KETTERING*OH",
        "PO1*3*6*EA*10*PE*VN*SKU-2", "CTT*3"]
    data = x12_850(body).replace(b"*X*004010~", b"*X*005010~").replace(b"*00401*", b"*00501*")
    result = read_interchanges(data, file="po.x12")
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    got = {c: lines[c].to_pylist() for c in lines.column_names if c.startswith("ship_to_")}
    assert got == {"ship_to_name": ["STORE 12", "STORE 14", None], "ship_to_id_qualifier": ["92", None, None],
                   "ship_to_id": ["S12", None, None], "ship_to_address1": ["12 OAK ST", None, None],
                   "ship_to_address2": ["SUITE 4", None, None], "ship_to_city": ["DAYTON", "KETTERING", None],
                   "ship_to_state": ["OH", "OH", None], "ship_to_postal_code": ["45402", None, None],
                   "ship_to_country": ["US", None, None]}
    # the heading's ship-to is the heading's N1 loop's, not a line's
    assert orders.to_pylist()[0]["ship_to_address1"] == "1 Way" and lines.num_rows == 3


def test_a_member_line_ships_and_is_billed_to_its_store_s_address(tmp_path):
    ws = _workspace(tmp_path / "ws", [RSC], MEMBER_LINES)
    profile = ws.partners_dir / "acehardware.toml"
    text = profile.read_text(encoding="utf-8")
    per = '[fulfilment.invoice]\nper = "{}"\n'
    profile.write_text(text.replace(per.format("order"), per.format("shipment")), encoding="utf-8")
    _approved(ws)
    asns = _ship(ws, {1: "DS-SHP-01", 2: "DS-SHP-02", 3: "DS-SHP-03"})
    assert _asn_party(asns["DS-SHP-01"]) == [["N1", "ST", "SMITH ACE HARDWARE", "92", "15522"], ["N3", "210 MAIN ST"],
                                             ["N4", "GREENVILLE", "OH", "45331", "US"]]
    assert _asn_party(asns["DS-SHP-02"])[1:] == [["N3", "9 ELM ST"], ["N4", "DAYTON", "OH", "45402", "US"]]
    invoices = {}
    segs = segments(ws, "acehardware", "810")
    for k, s in enumerate(segs):
        if s[0] == "BIG":
            inv = po_segments(segs[k:], s[4], "BIG")
            invoices[_asn_party(inv)[0][2]] = _asn_party(inv)
    assert invoices["SMITH ACE HARDWARE"][1:] == [["N3", "210 MAIN ST"], ["N4", "GREENVILLE", "OH", "45331", "US"]]
    assert invoices["JONES ACE HARDWARE"][1:] == [["N3", "9 ELM ST"], ["N4", "DAYTON", "OH", "45402", "US"]]


def test_the_buyer_s_msg_text_is_kept_and_status_shows_it_with_each_line_s_address(tmp_path):
    """The heading's N9/MSG (what the buyer wrote for people) and a line's are kept (ORDERS / ORDER_LINES notes:
    they used to be passed over, kept nowhere); `status PO --dates` shows the order's notes and where each line's
    own N1*ST sends it, its address too."""
    from typer.testing import CliRunner

    from connectors.order_store import OrderStore
    from connectors.state import StateStore
    from flows.cli import app

    lines = [*MEMBER_LINES[:1], "N9*L1*MEMBER NOTE", "MSG*HOLD FOR PICKUP AT THE SERVICE DESK", *MEMBER_LINES[1:]]
    ws = _workspace(tmp_path / "ws", ["N9*L1*INSTRUCTIONS", "MSG*DELIVER TO THE REAR DOOR", "MSG*CALL 555-0100 FIRST",
                                      RSC], lines)
    _approved(ws)
    state = StateStore(ws.state_path)
    try:
        record = state.order("acehardware", "DS9900001")
    finally:
        state.close()
    assert record.state == "acknowledged"
    orders, order_lines = OrderStore(ws.orders_dir).load_columns("acehardware", record.lines_key, ["notes"],
                                                                 ["line_number", "notes"])
    assert orders["notes"].to_pylist() == ["DELIVER TO THE REAR DOOR\nCALL 555-0100 FIRST"]
    assert order_lines["notes"].to_pylist() == ["HOLD FOR PICKUP AT THE SERVICE DESK", None, None]
    res = CliRunner().invoke(app, ["status", "DS9900001", "--dates", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "notes (MSG): DELIVER TO THE REAR DOOR / CALL 555-0100 FIRST" in said
    assert "line 1 ships to its own N1*ST: SMITH ACE HARDWARE 92 15522 210 MAIN ST GREENVILLE OH 45331 US" in said


def test_a_second_n3_in_a_line_s_ship_to_loop_joins_its_address2_as_the_heading_s_does():
    """The N1 loop allows two N3s; a line's second N3 ("APT 4B", a dock) was dropped. Its elements join the line's
    address2 after the first N3's N302, ', ' between them, as the heading's ship-to keeps them."""
    body = GOOD_PO[:6] + ["PO1*1*1*EA*2.50*PE*VN*SKU-1", "N1*ST*STORE 12*92*S12", "N3*12 OAK ST*SUITE 4", "N3*DOCK 3",
                  "N4*DAYTON*OH*45402*US", "PO1*2*1*EA*2.50*PE*VN*SKU-1", "N1*ST*STORE 14", "N3*9 ELM ST",
                  "N3*BLDG 2*FLOOR 3", "N4*KETTERING*OH", "CTT*2"]
    result = read_interchanges(x12_850(body), file="po.x12")
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    assert lines["ship_to_address1"].to_pylist() == ["12 OAK ST", "9 ELM ST"]
    assert lines["ship_to_address2"].to_pylist() == ["SUITE 4, DOCK 3", "BLDG 2, FLOOR 3"]
    assert lines["ship_to_city"].to_pylist() == ["DAYTON", "KETTERING"]
