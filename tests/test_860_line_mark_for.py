"""An 860's POC loop may name the party the line's goods are marked for (N1*Z7 after the POC, as Home Hardware's
tag orders name each line's dealer after its PO1): read as the 850's PO1 loop's (ORDER_CHANGES mark_for_*), kept on a
line the 860 adds, taken by a line it changes, and the 856 marks the line's carton for it. It used to be read by
nothing: the added line's goods were shipped in a carton marked for no dealer, without a word."""

from __future__ import annotations

from datetime import datetime

from tests.retailer_support import of_its_own, po_segments, segments
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg38"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT, NIGHT2 = datetime(2026, 11, 25, 2), datetime(2026, 11, 26, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)


def _860(pocs: list[str]) -> bytes:
    body = ["BCH*04*SA*HH0331883***20261124", *pocs, f"CTT*{sum(p.startswith('POC') for p in pocs)}"]
    segs = ["ISA*00*          *00*          *ZZ*HOMEHARDWARE   *ZZ*ORDERBRIDGE    *261125*1400*U*00401*000000771*0*P*>",
            "GS*PC*HOMEHARDWARE*ORDERBRIDGE*20261125*1400*771*X*004010", "ST*860*0001", *body,
            f"SE*{len(body) + 2}*0001", "GE*1*771", "IEA*1*000000771"]
    return "".join(s + "~\n" for s in segs).encode()


ADDED = ["POC*3*AI*6*6*EA*18.2**UP*614141538072*IN*5047712", "PID*F****SNOW SHOVEL 24IN",
         "N1*Z7*GUELPH HOME HARDWARE*92*6203"]


def test_a_poc_loop_s_mark_for_is_read_as_sent():
    from parsers.orders_860 import read_changes
    from parsers.x12_reader import read_interchanges

    data = _860([*ADDED, "POC*2*QI*9*9*EA*24.75**UP*614141538089*IN*3160188", "N1*ST*SOMEONE*92*1",
                 "POC*1*QI*7*7*EA*18.2**UP*614141538072*IN*5047712", "N1*Z7*FERGUS HOME HARDWARE"])
    result = read_interchanges(data, file="HH_860.txt")
    changes = read_changes(result, list(result.transaction_sets()), partner="homehardware")[1]
    assert [tuple(r.values()) for r in changes.select(
        ["line_id", "mark_for_name", "mark_for_id_qualifier", "mark_for_id"]).to_pylist()] == [
        ("3", "GUELPH HOME HARDWARE", "92", "6203"), ("2", None, None, None), ("1", "FERGUS HOME HARDWARE", None, None)]


def _night(tmp_path, pocs: list[str], cartons: dict[str, str]):
    from connectors.state import StateStore
    from tests.support import deliver_all, run_stages, ship_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"homehardware": ["HH_850_HH0331876.txt"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    (ws.drop_root / "homehardware" / "inbox" / "HH_860_HH0331883.txt").write_bytes(_860(pocs))
    run_stages(ws, NIGHT2)
    rows = (FIXTURES / "shipments" / "east-shipments-20261201.csv").read_text(encoding="utf-8").splitlines()
    shipped = [rows[0], *(r for r in rows if r.startswith("HH-SHP-02"))]
    shipped += [f"HH-SHP-02,2026-12-01,06:30,DAYR,,,BOL-HH,HH0331883,{line},{sku},{qty},EA,{carton},40,LB,"
                f"HH-SHP-02-P1,," for line, sku, qty, carton in cartons.values()]
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261201.csv").write_text("\n".join(shipped) + "\n", encoding="utf-8")
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    state = StateStore(ws.state_path)
    try:
        lines = {ln.line_number: ln for ln in state.lines_for([("homehardware", "HH0331883")])[("homehardware",
                                                                                              "HH0331883")]}
        found = [(f["code"], f["po_number"]) for f in state.findings()]
    finally:
        state.close()
    return ws, lines, found


def test_a_line_an_860_adds_for_a_dealer_is_shipped_in_a_carton_marked_for_that_dealer(tmp_path):
    ws, lines, found = _night(tmp_path, ADDED, {"3": ("3", "ODR-3807", 6, "HH-SHP-02-C3")})
    assert lines[3].shipped == 6
    asn = po_segments(segments(ws, "homehardware", "856"), "HH-SHP-02", "BSN")
    assert [s for s in asn if s[0] == "N1" and s[1] == "Z7"] == [
        ["N1", "Z7", "SMITHS HOME HARDWARE", "92", "4471"], ["N1", "Z7", "ELORA HOME HARDWARE", "92", "5102"],
        ["N1", "Z7", "GUELPH HOME HARDWARE", "92", "6203"]]
    # the added line's carton: its MAN, then its dealer, then the item loop of line 3
    at = asn.index(["N1", "Z7", "GUELPH HOME HARDWARE", "92", "6203"])
    assert asn[at - 1][:2] == ["MAN", "GM"] and asn[at + 1][0] == "HL" and asn[at + 2][:2] == ["LIN", "3"]
    assert ("ASN_NOT_BUILT", "HH0331883") not in found


def test_a_line_an_860_changes_takes_its_new_dealer(tmp_path):
    """POC*2 (CA: changes to line items) restating line 2 with another dealer (the tag order's line moved to
    Fergus): the line's carton is marked for the new dealer."""
    moved = ["POC*2*CA*8*8*EA*24.75**UP*614141538089*IN*3160188", "N1*Z7*FERGUS HOME HARDWARE*92*7310"]
    ws, _lines, _found = _night(tmp_path, moved, {})
    asn = po_segments(segments(ws, "homehardware", "856"), "HH-SHP-02", "BSN")
    assert [s[2:] for s in asn if s[0] == "N1" and s[1] == "Z7"] == [
        ["SMITHS HOME HARDWARE", "92", "4471"], ["FERGUS HOME HARDWARE", "92", "7310"]]
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        notes = [e.get("note") or "" for e in state.order_history("homehardware", "HH0331883")]
    finally:
        state.close()
    # nothing else of the line changed: not decided again; the history says what moved
    moved = "line 2 N1*Z7 mark-for ELORA HOME HARDWARE 92 5102 -> FERGUS HOME HARDWARE 92 7310"
    assert any(n.startswith("mark-for changed by 860 in HH_860_HH0331883.txt") and moved in n for n in notes), notes


def test_an_860_repeated_with_another_dealer_is_a_new_change_not_a_repeat():
    from engine.changes import change_fingerprint
    from parsers.orders_860 import read_changes
    from parsers.x12_reader import read_interchanges

    def fingerprint(pocs):
        result = read_interchanges(_860(pocs), file="HH_860.txt")
        headers, changes = read_changes(result, list(result.transaction_sets()), partner="homehardware")[:2]
        return change_fingerprint(headers.to_pylist()[0], changes)

    other = [*ADDED[:2], "N1*Z7*GUELPH HOME HARDWARE*92*6204"]
    assert fingerprint(ADDED) == fingerprint(list(ADDED))
    assert fingerprint(ADDED) != fingerprint(other)


def test_without_the_poc_s_n1_the_added_line_has_no_dealer_of_its_own(tmp_path):
    """The same 860 without the N1*Z7: the added line ships in a carton marked for nobody (the order's heading named
    no mark-for), the other two cartons for their dealers as before."""
    ws, lines, _found = _night(tmp_path, ADDED[:2], {"3": ("3", "ODR-3807", 6, "HH-SHP-02-C3")})
    assert lines[3].ordered == 6 and lines[3].shipped == 6
    asn = po_segments(segments(ws, "homehardware", "856"), "HH-SHP-02", "BSN")
    assert [s[4] for s in asn if s[0] == "N1" and s[1] == "Z7"] == ["4471", "5102"]
    line3 = asn.index(next(s for s in asn if s[:2] == ["LIN", "3"]))
    assert asn[line3 - 2][:2] == ["MAN", "GM"]  # carton, then the item: no N1*Z7 between
