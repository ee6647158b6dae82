"""An 860 moving a line to another place: the POC loop's own N1*ST (a co-op moving a member's line to another store,
an item-level ShipTo of a change order), by a store or DC code alone (N1*ST**92*17777) or with its N3/N4. It is
read as an 850's PO1 loop N1*ST is (ORDER_CHANGES ship_to_*) and applied as one: the line's own ship-to is replaced
whole, the line decided again, its new place checked as an 850 line's (LINE_SHIP_TO_DIFFERS; a code ship_tos.csv
does not know, sent without an address: SHIP_TO_UNKNOWN at the line), the change answered (865, or a revised 855
per the profile's change_ack) and the 856 that follows sent to the new place. It used to be read by nothing
(CHANGE_LINE_SHIP_TO_NOT_APPLIED): the line shipped where it did. What still is not applied is named: a second
N1*ST in one POC loop, and a move asked of an order that has shipped (what went to the old place said)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from engine.changes import ACCEPTED, LineProgress, Progress, apply_changes
from flows.cli import app
from tests.changes.builders import live_order, read_change
from tests.retailer_support import on_demo, po_segments, segments
from tests.support import GOOD_PO, REPO, deliver_all, run_stages, ship_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg8"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 28, 14, 30)
RSC = "N1*ST*ACE RSC WILTON*92*047"
LINES = ["PO1*1*5*EA*24.04*PE*VN*VP-1020", "PO1*2*1*EA*58.58*PE*VN*VP-1021", "PO1*3*1*EA*58.58*PE*VN*VP-1021",
         "CTT*3*7"]
BROWN = ["N1*ST*BROWN ACE HARDWARE*92*17777", "N3*5 OAK ST", "N4*XENIA*OH*45385*US"]
VERSIONS = {"004010": ("00401", "855"), "005010": ("00501", "865")}


# --- read and applied --------------------------------------------------------------------------------------------

def test_a_poc_loop_s_ship_to_is_read_as_an_850_line_s_with_its_address():
    _header, changes = read_change(["POC*1*CA*12**EA*2.5*PE*UP*073000040482", "N1*ST**92*0012",
                                    "POC*2*QI*8**EA*10*PE*VN*SKU-2", "N1*ST*DC 8*92*DC08", "N2*RECEIVING",
                                    "N3*8 DOCK RD", "N3*BAY 4", "N4*MONTERREY**64000*MX*SP*NLE",
                                    "POC*3*QI*9**EA*10*PE*VN*SKU-2"])
    cols = ["ship_to_name", "ship_to_id_qualifier", "ship_to_id", "ship_to_address1", "ship_to_address2",
            "ship_to_city", "ship_to_state", "ship_to_postal_code", "ship_to_country"]
    assert [tuple(r.values()) for r in changes.select(cols).to_pylist()] == [
        (None, "92", "0012", None, None, None, None, None, None),
        ("DC 8", "92", "DC08", "8 DOCK RD", "BAY 4", "MONTERREY", "NLE", "64000", "MX"),
        (None,) * 9]


def _applied(pocs: list[str], progress: Progress | None = None):
    order, lines = live_order()
    header, changes = read_change(pocs)
    return apply_changes(order, lines, header, changes, shipped=progress is not None, progress=progress)


def test_the_line_takes_its_new_ship_to_whole_and_is_decided_again():
    result = _applied(["POC*2*CA*8**EA*10*PE*VN*SKU-2", *BROWN])
    [line2] = [r for r in result.new_lines.to_pylist() if r["line_number"] == 2]
    assert (line2["ship_to_name"], line2["ship_to_id"], line2["ship_to_address1"], line2["ship_to_city"],
            line2["ship_to_state"], line2["ship_to_postal_code"]) == (
        "BROWN ACE HARDWARE", "17777", "5 OAK ST", "XENIA", "OH", "45385")
    assert result.moved_line_numbers == frozenset({2}) and [r.status for r in result.line_results] == ["IQ"]
    assert not [f for f in result.findings if f.code == "CHANGE_LINE_SHIP_TO_NOT_APPLIED"]
    # a store named by its code alone replaces the whole party: the old address does not stay under the new code
    order, lines = live_order()
    first = _applied(["POC*2*NC", *BROWN]).new_lines
    header, changes = read_change(["POC*2*NC", "N1*ST**92*0012"])
    moved = apply_changes(order, first, header, changes, shipped=False)
    [line2] = [r for r in moved.new_lines.to_pylist() if r["line_number"] == 2]
    assert (line2["ship_to_id"], line2["ship_to_name"], line2["ship_to_address1"], line2["ship_to_city"]) == (
        "0012", None, None, None)
    assert moved.moved_line_numbers == frozenset({2}) and [r.status for r in moved.line_results] == [ACCEPTED]
    # the same place restated moves nothing; without an N1*ST the line keeps its own
    again = apply_changes(order, first, *read_change(["POC*2*NC", *BROWN]), shipped=False)
    assert again.moved_line_numbers == frozenset()
    kept = apply_changes(order, first, *read_change(["POC*2*QI*9**EA*10*PE*VN*SKU-2"]), shipped=False)
    assert kept.moved_line_numbers == frozenset() and kept.new_lines.to_pylist()[1]["ship_to_id"] == "17777"


def test_a_line_an_860_adds_keeps_its_ship_to():
    result = _applied(["POC*3*AI*4**EA*1*PE*VN*SKU-3", "N1*ST**92*0012"])
    [added] = [r for r in result.new_lines.to_pylist() if r["line_id"] == "3"]
    assert added["ship_to_id"] == "0012" and result.changed_line_numbers == frozenset({3})


def test_an_order_that_shipped_is_not_moved_and_what_went_to_the_old_place_is_said():
    progress = Progress({1: LineProgress(Decimal(12), Decimal(0), Decimal(12)),
                         2: LineProgress(Decimal(4), Decimal(0), Decimal(6))}, state="partially_shipped")
    result = _applied(["POC*2*NC", *BROWN], progress)
    assert result.moved_line_numbers == frozenset() and result.new_lines.to_pylist()[1]["ship_to_id"] is None
    [f] = [f for f in result.findings if f.code == "CHANGE_LINE_SHIP_TO_NOT_APPLIED"]
    assert (f.severity, f.location.segment_id, f.location.element, f.location.value) == (
        "warning", "N1", "N104", "17777")
    assert "line 2 to N1*ST BROWN ACE HARDWARE 92 17777 (XENIA, OH)" in f.message
    assert "(partially_shipped): 4 EA of it already shipped to DC 7 92 DC07 (Columbus, OH)" in f.message
    assert "not applied: what is still to ship goes to DC 7 92 DC07 (Columbus, OH)" in f.message
    # nothing of the line shipped yet (another line did): not moved either, and said so
    progress = Progress({1: LineProgress(Decimal(12), Decimal(0), Decimal(12))}, state="partially_shipped")
    [f] = [f for f in _applied(["POC*2*NC", *BROWN], progress).findings]
    assert "none of it has shipped yet, but the order is not decided again" in f.message
    # the place it goes to already (the order's, by its id), restated: nothing to move, nothing said
    assert _applied(["POC*2*NC", "N1*ST*DC 7 EAST*92*DC07"], progress).findings == []


def test_a_second_ship_to_in_one_poc_loop_is_the_one_named_not_applied():
    from rules.structure import check_structure
    from tests.changes.builders import change_body, parse_860, sets_860, x12_860

    def named(pocs):
        result = parse_860(x12_860(change_body(pocs)))
        return [f for f in check_structure(result, sets_860(result)) if f.code == "CHANGE_LINE_SHIP_TO_NOT_APPLIED"]

    assert named(["POC*1*CA*12**EA*2.5*PE*UP*073000040482", "N1*ST*STORE 12*92*0012", "N3*1 MAIN ST",
                  "POC*3*AI*5**EA*4*PE*VN*SKU-9", "N1*ST*DC 8"]) == []  # each line's first: applied
    [f] = named(["POC*1*CA*12**EA*2.5*PE*UP*073000040482", "N1*ST*STORE 12*92*0012",
                 "N1*ST*STORE 14*92*0014", "POC*4*DI", "N1*ST*A*92*1", "N1*ST*B*92*2"])
    assert (f.location.element, f.location.value, f.location.segment_position) == ("N104", "0014", 5)
    assert "line 1 (CA) N1*ST STORE 14 92 0014" in f.message and "92 0012" not in f.message
    assert "B 92 2" not in f.message  # a deleted line ships nowhere


# --- checked as an 850 line's --------------------------------------------------------------------------------------

def _places(lines_body: list[str], ship_tos: list[dict], **settings):
    import pyarrow as pa

    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from rules.business.places import check_line_places
    from schemas.rule_settings import RuleSettings
    from tests.support import x12_850

    result = read_interchanges(x12_850(GOOD_PO[:6] + lines_body), file="po.x12")
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    table = pa.Table.from_pylist(ship_tos, schema=pa.schema([("partner", pa.string()), ("location_id", pa.string())]))
    return check_line_places(orders, lines, table, RuleSettings(**settings))


def test_a_line_s_own_ship_to_is_known_by_its_code_or_its_address_is_checked_at_the_line():
    found = _places(["PO1*1*12*EA*2.50*PE*UP*073000040482", "N1*ST**92*0012",  # known: nothing
                     "PO1*2*6*EA*10*PE*VN*SKU-2", "N1*ST**92*9999",  # unknown code, no address
                     "PO1*3*6*EA*10*PE*VN*SKU-2", "N1*ST*STORE 5*92*0005", "N3*5 MAIN ST", "N4*DAYTON**45402",
                     "PO1*4*6*EA*10*PE*VN*SKU-2", "N1*ST*DC 7 EAST DOCK*92*DC07",  # the order's own: nothing
                     "CTT*4"], [{"partner": "acme", "location_id": "0012"}])
    assert [(f.code, f.location.line_number, f.location.element, f.location.value) for f in found] == [
        ("SHIP_TO_UNKNOWN", 2, "N104", "9999"), ("ADDRESS_INCOMPLETE", 3, "N402", None)]
    assert "Line 2's own ship-to (92 9999): id '9999' is unknown" in found[0].message
    assert found[0].severity == "error" and found[0].location.segment_id == "N1"
    # a partner that agreed to heading-only shipping sends every line to the order's ship-to: nothing to check
    assert _places(["PO1*2*6*EA*10*PE*VN*SKU-2", "N1*ST**92*9999", "CTT*1"], [], heading_only_shipping=True) == []


def test_heading_only_shipping_follows_the_profile_s_outcome():
    import tomllib

    from flows.decide import rule_settings
    from schemas.profile import PartnerProfile

    data = tomllib.loads((FIXTURES / "partners" / "acehardware.toml").read_text(encoding="utf-8"))
    plain = PartnerProfile.model_validate(data)
    data.setdefault("rules", {})["outcomes"] = {"LINE_SHIP_TO_DIFFERS": "accept"}
    agreed = PartnerProfile.model_validate(data)
    assert rule_settings({"a": plain}).for_partner("a").heading_only_shipping is False
    assert rule_settings({"a": agreed}).for_partner("a").heading_only_shipping is True


# --- a night: held, approved, answered, shipped there ------------------------------------------------------------

def _envelope(version: str, gs: str, sets: list[str], isa13: int) -> str:
    isa12 = VERSIONS[version][0]
    return (f"ISA*00*          *00*          *01*007064016      *ZZ*ORDERBRIDGE    *261126*0215*U*{isa12}*"
            f"{isa13:09d}*0*P*>~GS*{gs}*007064016*ORDERBRIDGE*20261126*0215*{isa13}*X*{version}~"
            + "".join(seg + "~" for seg in sets) + f"GE*1*{isa13}~IEA*1*{isa13:09d}~")


def _workspace(root: Path, version: str, *, line_refs: tuple[str, ...] = (), from_reference: bool = False):
    """The rg8 workspace with Ace's one PO (DS9900002: three lines, every one for the RSC the heading names) in
    ``version``, answered by revised 855s (004010, as Ace's profile says) or 865s (005010); ``line_refs``: the line
    REFs its 855 echoes ([acks.po_ack] line_refs); ``from_reference``: a ship-to named by its id alone is given
    ship_tos.csv's address on the 856 ([fulfilment] ship_to_address_from_reference)."""
    ws = on_demo(FIXTURES, root)
    for folder in ws.drop_root.iterdir():
        for f in (folder / "inbox").iterdir():
            f.unlink()
    profile = ws.partners_dir / "acehardware.toml"
    text = profile.read_text(encoding="utf-8").replace('version = "004010"', f'version = "{version}"')
    if VERSIONS[version][1] == "865":
        text = text.replace('receives = ["997", "855", "856", "810"]', 'receives = ["997", "855", "865", "856", "810"]')
        text = text.replace('change_ack = "855"', 'change_ack = "865"')
    if from_reference:
        text = text.replace("[fulfilment.sscc]\n", "[fulfilment]\nship_to_address_from_reference = true\n\n"
                            "[fulfilment.sscc]\n")
    if line_refs:
        text = text.replace("[acks.po_ack]\n", f"[acks.po_ack]\nline_refs = {list(line_refs)!r}\n".replace("'", '"'))
    profile.write_text(text, encoding="utf-8")
    with (ws.reference_dir / "ship_tos.csv").open("a", encoding="utf-8") as f:
        f.write("acehardware,17777,BROWN ACE HARDWARE,5 OAK ST,Xenia,OH,45385,US\n")
    body = ["BEG*00*DS*DS9900002**20261126", "REF*IA*V22190", RSC, *LINES]
    (ws.drop_root / "acehardware" / "inbox" / "po.x12").write_text(
        _envelope(version, "PO", ["ST*850*0001", *body, f"SE*{len(body) + 2}*0001"], 60101))
    run_stages(ws, NIGHT)
    assert _order(ws)[0].state == "acknowledged"
    return ws


def _change(ws, version: str, pocs: list[str], when: datetime, isa13: int):
    change = ["BCH*04*DS*DS9900002**1*20261126****20261127", *pocs, f"CTT*{sum(p.startswith('POC') for p in pocs)}"]
    (ws.drop_root / "acehardware" / "inbox" / f"change-{isa13}.x12").write_text(
        _envelope(version, "PC", ["ST*860*0001", *change, f"SE*{len(change) + 2}*0001"], isa13))
    run_stages(ws, when)


def _order(ws):
    state = StateStore(ws.state_path)
    try:
        return state.order("acehardware", "DS9900002"), [
            (f["code"], f["message"]) for f in state.findings() if f["po_number"] == "DS9900002"]
    finally:
        state.close()


def _approve(ws, when: datetime) -> None:
    res = CliRunner().invoke(app, ["approve", "DS9900002", "--partner", "acehardware", "--by", "Kim",
                                   "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, when)


def _ship(ws, shipments: dict[int, str]) -> dict[str, list[list[str]]]:
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    head = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
            "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID,Mark For Store\n")
    rows = "".join(f"{shipments[n]},2026-11-28,13:15,UPSN,GND,1Z88AC00000000{n}8,,DS9900002,{n},{sku},{q},EA,DS-D{n},9,"
                   "LB,,\n" for n, sku, q in ((1, "SKU-1020", 5), (2, "SKU-1021", 1), (3, "SKU-1021", 1)))
    (inbox / "east-shipments-20261128.csv").write_text(head + rows, encoding="utf-8")
    ship_stages(ws, SHIP_DAY, run_id="day2")
    deliver_all(ws, SHIP_DAY)
    segs = segments(ws, "acehardware", "856")
    return {sid: po_segments(segs, sid, "BSN") for sid in sorted(set(shipments.values()))
            if any(s[:3] == ["BSN", "00", sid] for s in segs)}


def _ship_to(doc: list[list[str]]) -> list[list[str]]:
    """The N1*ST loop of a document's segments (its N1 and the N2/N3/N4 after it)."""
    at = next(k for k, s in enumerate(doc) if s[:2] == ["N1", "ST"])
    return [doc[at], *(s for s in doc[at + 1: at + 4] if s[0] in ("N2", "N3", "N4"))]


def _answers(ws, version: str) -> list[list[list[str]]]:
    """Each answer to a change (the 865s, or the revised 855s: BAK01 05), its segments."""
    kind = VERSIONS[version][1]
    segs = segments(ws, "acehardware", kind)
    out: list[list[list[str]]] = []
    for s in segs:
        if s[0] == "ST":
            out.append([])
        elif out and s[0] != "SE":
            out[-1].append(s)
    return [d for d in out if kind == "865" or d[0][1] == "05"]


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_a_line_moved_to_a_member_store_is_checked_answered_and_shipped_there(tmp_path, version):
    ws = _workspace(tmp_path / "ws", version)
    _change(ws, version, ["POC*2*NC**1*EA*58.58*PE*VN*VP-1021", *BROWN], datetime(2026, 11, 27, 4), 60102)
    order, found = _order(ws)
    # held as an 850 whose line names another store is: a person decides (the store is known: nothing else)
    assert order.state == "held" and order.hold_codes == ("LINE_SHIP_TO_DIFFERS",), (order.state, found)
    assert "CHANGE_LINE_SHIP_TO_NOT_APPLIED" not in {c for c, _m in found}
    assert not _answers(ws, version)  # nothing answered while held
    _approve(ws, datetime(2026, 11, 27, 5))
    [answer] = _answers(ws, version)
    acks = [s for s in answer if s[0] == "ACK"]
    assert [a[1] for a in acks] in (["IA"], ["IA"] * 3)  # the 865 the POC, the revised 855 every line
    asns = _ship(ws, {1: "DS-SHP-11", 2: "DS-SHP-12", 3: "DS-SHP-11"})
    assert _ship_to(asns["DS-SHP-12"]) == [["N1", "ST", "BROWN ACE HARDWARE", "92", "17777"], ["N3", "5 OAK ST"],
                                           ["N4", "XENIA", "OH", "45385", "US"]]
    assert _ship_to(asns["DS-SHP-11"])[0] == ["N1", "ST", "ACE RSC WILTON", "92", "047"]


def test_a_line_moved_to_a_store_by_its_code_alone_ships_with_the_store_s_address_where_the_profile_asks(tmp_path):
    """N1*ST**92*17777 (a store by its code): the 856 of its shipment names it as sent, with ship_tos.csv's address
    for a partner whose 856 must carry the ship-to's address (ship_to_address_from_reference), as a heading ship-to
    named by its id alone is; it used to be N1 alone (a line's own ship-to was never looked up)."""
    ws = _workspace(tmp_path / "ws", "004010", from_reference=True)
    _change(ws, "004010", ["POC*2*NC**1*EA*58.58*PE*VN*VP-1021", "N1*ST**92*17777"], datetime(2026, 11, 27, 4),
            60102)
    _approve(ws, datetime(2026, 11, 27, 5))
    asns = _ship(ws, {1: "DS-SHP-31", 2: "DS-SHP-32", 3: "DS-SHP-31"})
    assert _ship_to(asns["DS-SHP-32"]) == [["N1", "ST", "", "92", "17777"], ["N3", "5 OAK ST"],
                                           ["N4", "Xenia", "OH", "45385", "US"]]


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_a_line_moved_back_to_the_order_s_ship_to_ships_there_unheld(tmp_path, version):
    ws = _workspace(tmp_path / "ws", version)
    _change(ws, version, ["POC*2*NC**1*EA*58.58*PE*VN*VP-1021", "N1*ST**92*17777"], datetime(2026, 11, 27, 4),
            60102)
    assert _order(ws)[0].state == "held"
    _approve(ws, datetime(2026, 11, 27, 5))
    _change(ws, version, ["POC*2*NC**1*EA*58.58*PE*VN*VP-1021", RSC], datetime(2026, 11, 27, 6), 60103)
    order, found = _order(ws)
    assert order.state == "acknowledged", found  # the order's own place: nothing to decide
    assert len(_answers(ws, version)) == 2
    asns = _ship(ws, {1: "DS-SHP-21", 2: "DS-SHP-21", 3: "DS-SHP-21"})  # one shipment: every line to the RSC
    assert _ship_to(asns["DS-SHP-21"])[0] == ["N1", "ST", "ACE RSC WILTON", "92", "047"]


def test_a_line_moved_to_a_store_code_we_do_not_know_is_held_at_that_line(tmp_path):
    ws = _workspace(tmp_path / "ws", "004010")
    _change(ws, "004010", ["POC*2*NC**1*EA*58.58*PE*VN*VP-1021", "N1*ST**92*99999"], datetime(2026, 11, 27, 4),
            60102)
    order, found = _order(ws)
    assert order.state == "held" and set(order.hold_codes) == {"SHIP_TO_UNKNOWN", "LINE_SHIP_TO_DIFFERS"}
    [unknown] = [m for c, m in found if c == "SHIP_TO_UNKNOWN"]
    assert "Line 2's own ship-to (92 99999): id '99999' is unknown" in unknown
