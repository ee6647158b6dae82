"""A line with its own ship-to is not shipped to the wrong address. An 850 may carry an N1*ST in a PO1 loop (X12
allows N1 there): a co-op's consolidated member drop ship (Ace, Do it Best: one member store per line), an SAP Ariba
item-level ShipTo, an MRO buyer's. The order ships, is answered and invoiced to the heading's ship-to, so such an
order used to send store B's goods to store A with only a set-level warning (LINE_SHIP_TO_NOT_APPLIED) and nobody
deciding. Each such line now raises LINE_SHIP_TO_DIFFERS, a business rule's finding whose default outcome holds
the order for a person (approve, reject; the failure report says what to do); a partner that agreed to
heading-only shipping maps it to accept in [rules.outcomes]. A line naming the heading's own party, an order
without line ship-tos, and one without a heading ship-to (SHIP_TO_UNKNOWN holds it) raise nothing new."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from connectors.state import StateStore
from engine.decide import ACCEPTED, HELD, decide
from engine.report_failures import HINTS
from flows.cli import app
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from schemas.outcomes import DEFAULT_OUTCOMES, HOLD_ORDER
from schemas.profile import PartnerProfile
from tests.retailer_support import on_demo, po_segments, segments
from tests.support import GOOD_PO, REPO, deliver_all, run_stages, ship_stages, x12_850

FIXTURES = REPO / "tests" / "fixtures" / "rg8"
NIGHT, NEXT = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)
SHIP_DAY = datetime(2026, 11, 28, 14, 30)
RSC = "N1*ST*ACE RSC WILTON*92*047"
# a member drop ship: lines 1 and 2 for two member stores, line 3 for the RSC the heading names
MEMBER_LINES = ["PO1*1*5*EA*24.04*PE*VN*VP-1020", "N1*ST*SMITH ACE HARDWARE*92*15522", "N3*210 MAIN ST",
                "N4*GREENVILLE*OH*45331*US", "PO1*2*1*EA*58.58*PE*VN*VP-1021", "N1*ST*JONES ACE HARDWARE*92*16001",
                "N3*9 ELM ST", "N4*DAYTON*OH*45402*US", "PO1*3*1*EA*58.58*PE*VN*VP-1021", RSC, "CTT*3*7"]
PLAIN_LINES = ["PO1*1*5*EA*24.04*PE*VN*VP-1020", "PO1*2*1*EA*58.58*PE*VN*VP-1021",
               "PO1*3*1*EA*58.58*PE*VN*VP-1021", "CTT*3*7"]


def check_line_ship_tos(orders, lines):
    from rules.business.places import check_line_ship_tos as check

    return check(orders, lines)


def _tables(body: list[str]):
    result = read_interchanges(x12_850(body), file="po.x12")
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    return orders, lines


def test_each_line_naming_another_party_than_the_order_s_ship_to_is_found_at_its_line():
    orders, lines = _tables(GOOD_PO[:6] + [
        "PO1*1*12*EA*2.50*PE*UP*073000040482", "N1*ST*DC 8*92*DC08",  # another party: found
        "PO1*2*6*EA*10*PE*VN*SKU-2", "N1*ST*DC 7 EAST DOCK*92*DC07",  # the heading's id: the same party
        "PO1*3*6*EA*10*PE*VN*SKU-2", "N1*ST*DC 7",  # no id, the heading's name: the same
        "PO1*4*6*EA*10*PE*VN*SKU-2",  # none of its own: the order's
        "PO1*5*6*EA*10*PE*VN*SKU-2", "N1*ST*STORE 12", "CTT*5"])
    assert lines.column("ship_to_id").to_pylist() == ["DC08", "DC07", None, None, None]
    assert lines.column("ship_to_name").to_pylist()[4] == "STORE 12"
    found = check_line_ship_tos(orders, lines)
    assert [(f.code, f.location.line_number, f.location.element, f.location.value) for f in found] == [
        ("LINE_SHIP_TO_DIFFERS", 1, "N104", "DC08"), ("LINE_SHIP_TO_DIFFERS", 5, "N102", "STORE 12")]
    assert "DC 8 92 DC08" in found[0].message and "not the order's (DC 7 92 DC07)" in found[0].message
    assert (found[0].location.st02, found[0].location.segment_id) == ("0001", "N1")


def test_an_order_without_line_ship_tos_or_without_a_ship_to_of_its_own_raises_nothing_here():
    assert check_line_ship_tos(*_tables(GOOD_PO)) == []
    # no heading N1*ST, lines for two places: the order has no ship-to (SHIP_TO_UNKNOWN holds it)
    assert check_line_ship_tos(*_tables(["BEG*00*SA*PO-1**20261126", "PO1*1*1*EA*2*PE*VN*SKU-1", "N1*ST*A*92*1",
                                         "PO1*2*1*EA*2*PE*VN*SKU-2", "N1*ST*B*92*2", "CTT*2"])) == []
    # no heading N1*ST, every line for the same place: that place is the order's
    orders, lines = _tables(["BEG*00*SA*PO-1**20261126", "PO1*1*1*EA*2*PE*VN*SKU-1", "N1*ST*A*92*1",
                             "PO1*2*1*EA*2*PE*VN*SKU-2", "N1*ST*A*92*1", "CTT*2"])
    assert orders.column("ship_to_id").to_pylist() == ["1"] and check_line_ship_tos(orders, lines) == []
    # a heading whose name carries its N2 (kept after ", "): a line naming the N102 alone is that party
    orders, lines = _tables(["BEG*00*SA*PO-1**20261126", "N1*ST*DC 7", "N2*RECEIVING", "PO1*1*1*EA*2*PE*VN*SKU-1",
                             "N1*ST*DC 7", "CTT*1"])
    assert orders.column("ship_to_name").to_pylist() == ["DC 7, RECEIVING"] and check_line_ship_tos(orders, lines) == []


def test_its_default_outcome_holds_the_order_and_a_partner_may_accept_or_hold_the_lines_only():
    from rules.business import resolve_items
    from schemas.rule_settings import RuleSettings
    from tests.business.tables import reference

    REF, SETTINGS = reference(), RuleSettings()
    orders, lines = _tables(GOOD_PO[:6] + ["PO1*1*12*EA*2.50*PE*UP*073000040482*VN*SKU-1", "N1*ST*DC 8*92*DC08",
                                           "PO1*2*6*EA*10*PE*VN*SKU-2", "CTT*2*18"])
    lines = resolve_items(lines, REF.items, REF.partner_items)
    found = check_line_ship_tos(orders, lines)
    assert DEFAULT_OUTCOMES["LINE_SHIP_TO_DIFFERS"] == HOLD_ORDER and HINTS["LINE_SHIP_TO_DIFFERS"]
    [held] = decide(orders, lines, found, REF, SETTINGS)
    assert held.status == HELD and held.codes == ("LINE_SHIP_TO_DIFFERS",)
    [accepted] = decide(orders, lines, found, REF, SETTINGS, policies={"acme": {"LINE_SHIP_TO_DIFFERS": "accept"}})
    assert accepted.status == ACCEPTED and [ln.ack01 for ln in accepted.lines] == ["IA", "IA"]
    [lines_held] = decide(orders, lines, found, REF, SETTINGS,
                          policies={"acme": {"LINE_SHIP_TO_DIFFERS": "hold_line"}})
    assert lines_held.status == HELD and [ln.ack01 for ln in lines_held.lines] == ["IH", "IA"]


def test_a_profile_sets_its_outcome_and_the_set_warning_s_code_points_to_it():
    data = tomllib.loads((FIXTURES / "partners" / "acehardware.toml").read_text(encoding="utf-8"))
    data.setdefault("rules", {})["outcomes"] = {"LINE_SHIP_TO_DIFFERS": "accept"}
    assert PartnerProfile.model_validate(data).rules.outcomes == {"LINE_SHIP_TO_DIFFERS": "accept"}
    data["rules"]["outcomes"] = {"LINE_SHIP_TO_NOT_APPLIED": "hold_order"}
    with pytest.raises(ValidationError, match="its orders are decided by LINE_SHIP_TO_DIFFERS"):
        PartnerProfile.model_validate(data)


def _workspace(root: Path, heading: list[str], lines: list[str], outcome: str | None = None):
    """The rg8 retailers' workspace with one Ace member drop ship (DS9900001) in Ace's inbox, alone."""
    ws = on_demo(FIXTURES, root)
    for folder in ws.drop_root.iterdir():
        for f in (folder / "inbox").iterdir():
            f.unlink()
    body = ["BEG*00*DS*DS9900001**20261126", "REF*IA*V22190", *heading, *lines]
    sets = ["ST*850*0001", *body, f"SE*{len(body) + 2}*0001"]
    (ws.drop_root / "acehardware" / "inbox" / "members.x12").write_text(
        "ISA*00*          *00*          *01*007064016      *ZZ*ORDERBRIDGE    *261126*0215*U*00401*000060099*0*P*>~"
        "GS*PO*007064016*ORDERBRIDGE*20261126*0215*60099*X*004010~" + "".join(seg + "~" for seg in sets)
        + "GE*1*60099~IEA*1*000060099~")
    if outcome:
        profile = ws.partners_dir / "acehardware.toml"
        added = f'\n[rules.outcomes]\nLINE_SHIP_TO_DIFFERS = "{outcome}"\n'
        profile.write_text(profile.read_text(encoding="utf-8") + added, encoding="utf-8")
    return ws


def _order(ws):
    state = StateStore(ws.state_path)
    try:
        return state.order("acehardware", "DS9900001"), {
            f["code"] for f in state.findings() if f["po_number"] == "DS9900001"}
    finally:
        state.close()


def _ship(ws, shipments: dict[int, str]) -> dict[str, list[list[str]]]:
    """The warehouse ships the three lines (5 + 1 + 1 EA) on SHIP_DAY, line n in shipment ``shipments[n]``; each
    856's segments by its BSN02."""
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    head = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
            "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID,Mark For Store\n")
    rows = "".join(f"{shipments[n]},2026-11-28,13:15,UPSN,GND,1Z88AC00000000{n}9,,DS9900001,{n},{sku},{q},EA,DS-C{n},9,"
                   "LB,,\n" for n, sku, q in ((1, "SKU-1020", 5), (2, "SKU-1021", 1), (3, "SKU-1021", 1)))
    (inbox / "east-shipments-20261128.csv").write_text(head + rows, encoding="utf-8")
    ship_stages(ws, SHIP_DAY, run_id="day2")
    deliver_all(ws, SHIP_DAY)
    segs = segments(ws, "acehardware", "856")
    return {sid: po_segments(segs, sid, "BSN") for sid in sorted(set(shipments.values()))
            if any(s[:3] == ["BSN", "00", sid] for s in segs)}


def _ship_to(asn: list[list[str]]) -> list[str]:
    return [s[1:5] for s in asn if s[:2] == ["N1", "ST"]][0]


def _approved(ws):
    """``ws``'s member drop ship held on NIGHT, approved, acknowledged on NEXT: it waits for the warehouse."""
    run_stages(ws, NIGHT)
    res = CliRunner().invoke(app, ["approve", "DS9900001", "--partner", "acehardware", "--by", "Kim",
                                   "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, NEXT)
    assert _order(ws)[0].state == "acknowledged"
    return ws


@pytest.mark.parametrize("objects", [False, True], ids=["columns", "objects"])
def test_a_co_op_order_with_lines_for_another_store_is_held_then_approved_and_shipped(tmp_path, objects):
    """``objects``: each carton's tracking number in its loop, so the 856s are built from assemble_shipments'
    objects (build_856), not from the columns."""
    ws = _workspace(tmp_path / "ws", [RSC], MEMBER_LINES)
    if objects:
        profile = ws.partners_dir / "acehardware.toml"
        text = profile.read_text(encoding="utf-8")
        assert "[fulfilment.asn]\n" in text
        profile.write_text(text.replace("[fulfilment.asn]\n", "[fulfilment.asn]\npackage_tracking = true\n"),
                           encoding="utf-8")
    run_stages(ws, NIGHT)
    order, codes = _order(ws)
    assert order.state == "held" and "LINE_SHIP_TO_DIFFERS" in order.hold_codes
    assert codes == {"LINE_SHIP_TO_NOT_APPLIED", "LINE_SHIP_TO_DIFFERS"}
    assert not list(ws.drop_root.glob("acehardware/outbox/*-855-*.x12"))  # nothing promised yet
    # status says why it is held; with --dates (what the PO asked) where each line's own N1*ST sends it
    res = CliRunner().invoke(app, ["status", "DS9900001", "-w", str(ws.root)])
    assert res.exit_code == 0 and "Line 2 names its own ship-to" in " ".join(res.output.split()), res.output
    res = CliRunner().invoke(app, ["status", "DS9900001", "--dates", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "line 1 ships to its own N1*ST: SMITH ACE HARDWARE 92 15522" in said
    assert "line 3 ships to its own N1*ST: ACE RSC WILTON 92 047" in said
    res = CliRunner().invoke(app, ["approve", "DS9900001", "--partner", "acehardware", "--by", "Kim",
                                   "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, NEXT)
    assert _order(ws)[0].state == "acknowledged"
    # one shipment per destination: each 856 names its lines' own ship-to, the RSC's line the heading's
    asns = _ship(ws, {1: "DS-SHP-01", 2: "DS-SHP-02", 3: "DS-SHP-03"})
    assert {sid: _ship_to(asn) for sid, asn in asns.items()} == {
        "DS-SHP-01": ["ST", "SMITH ACE HARDWARE", "92", "15522"],
        "DS-SHP-02": ["ST", "JONES ACE HARDWARE", "92", "16001"], "DS-SHP-03": ["ST", "ACE RSC WILTON", "92", "047"]}
    assert [[s[2] for s in asns[sid] if s[0] == "SN1"] for sid in sorted(asns)] == [["5"], ["1"], ["1"]]
    assert _order(ws)[0].state in ("shipped", "invoiced", "closed")
    # the 810 (one per PO, Ace's): its lines go to three places, so it names the heading's ship-to
    [invoice] = [po_segments(segments(ws, "acehardware", "810"), "DS9900001", "BIG")]
    assert _ship_to(invoice) == ["ST", "ACE RSC WILTON", "92", "047"]


def test_an_810_per_shipment_names_its_lines_own_ship_to(tmp_path):
    ws = _workspace(tmp_path / "ws", [RSC], MEMBER_LINES)
    profile = ws.partners_dir / "acehardware.toml"
    text = profile.read_text(encoding="utf-8")
    assert '[fulfilment.invoice]\nper = "order"\n' in text
    profile.write_text(text.replace('[fulfilment.invoice]\nper = "order"\n',
                                    '[fulfilment.invoice]\nper = "shipment"\n'), encoding="utf-8")
    _approved(ws)
    _ship(ws, {1: "DS-SHP-01", 2: "DS-SHP-02", 3: "DS-SHP-03"})
    segs = segments(ws, "acehardware", "810")
    starts = [k for k, s in enumerate(segs) if s[0] == "ST"]
    invoices = [segs[k: next(j for j in range(k, len(segs)) if segs[j][0] == "SE") + 1] for k in starts]
    # one 810 per shipment, each naming the ship-to its lines went to (N102-N104 as the PO1 loop sent them)
    assert sorted(_ship_to(inv)[1:] for inv in invoices) == [["ACE RSC WILTON", "92", "047"],
                                                           ["JONES ACE HARDWARE", "92", "16001"],
                                                           ["SMITH ACE HARDWARE", "92", "15522"]]


def test_a_shipment_holding_lines_for_two_ship_tos_ships_one_856_per_ship_to(tmp_path):
    """Smith's and Jones's lines in one confirmation shipment (one truck, two member stores): a multi-stop load, split
    into one shipment per stop (fulfilment.multi_stop "split", tests/test_multi_stop_loads.py), each 856 naming its
    line's own ship-to; it used to be held (SHIPMENT_SHIP_TOS_MIXED) though the goods had left."""
    ws = _approved(_workspace(tmp_path / "ws", [RSC], MEMBER_LINES))
    asns = _ship(ws, {1: "DS-SHP-01", 2: "DS-SHP-01", 3: "DS-SHP-03"})  # Smith's and Jones's lines in one
    segs = segments(ws, "acehardware", "856")
    stops = {sid: po_segments(segs, sid, "BSN") for sid in ("DS-SHP-01-ST1", "DS-SHP-01-ST2")}
    assert sorted(asns) == ["DS-SHP-03"] and _ship_to(asns["DS-SHP-03"]) == ["ST", "ACE RSC WILTON", "92", "047"]
    assert {sid: (_ship_to(asn), [s[2] for s in asn if s[0] == "SN1"]) for sid, asn in stops.items()} == {
        "DS-SHP-01-ST1": (["ST", "SMITH ACE HARDWARE", "92", "15522"], ["5"]),
        "DS-SHP-01-ST2": (["ST", "JONES ACE HARDWARE", "92", "16001"], ["1"])}
    state = StateStore(ws.state_path)
    try:
        assert [f for f in state.findings() if f["code"] == "SHIPMENT_SHIP_TOS_MIXED"] == []
    finally:
        state.close()


def test_a_shipment_holding_lines_for_two_ship_tos_is_held_for_a_partner_taking_no_split_load(tmp_path):
    ws = _workspace(tmp_path / "ws", [RSC], MEMBER_LINES)
    profile = ws.partners_dir / "acehardware.toml"
    text = profile.read_text(encoding="utf-8")
    assert text.count("[fulfilment.asn]\n") == 1
    profile.write_text(text.replace("[fulfilment.asn]\n", '[fulfilment]\nmulti_stop = "hold"\n\n[fulfilment.asn]\n'),
                       encoding="utf-8")
    asns = _ship(_approved(ws), {1: "DS-SHP-01", 2: "DS-SHP-01", 3: "DS-SHP-03"})
    assert sorted(asns) == ["DS-SHP-03"] and _ship_to(asns["DS-SHP-03"]) == ["ST", "ACE RSC WILTON", "92", "047"]
    assert not [s for s in segments(ws, "acehardware", "856") if s[0] == "BSN" and s[2].startswith("DS-SHP-01")]
    state = StateStore(ws.state_path)
    try:
        [mixed] = [f for f in state.findings() if f["code"] == "SHIPMENT_SHIP_TOS_MIXED"]
    finally:
        state.close()
    assert "SMITH ACE HARDWARE 92 15522: DS9900001 line 1; JONES ACE HARDWARE 92 16001: DS9900001 line 2" in (
        mixed["message"])


def test_a_partner_that_agreed_to_heading_only_shipping_accepts_such_orders(tmp_path):
    ws = _workspace(tmp_path / "ws", [RSC], MEMBER_LINES, outcome="accept")
    run_stages(ws, NIGHT)
    order, codes = _order(ws)
    assert order.state == "acknowledged" and "LINE_SHIP_TO_DIFFERS" in codes  # kept for ops, not held
    # every line in one shipment to the heading's ship-to, as agreed
    asns = _ship(ws, {1: "DS-SHP-01", 2: "DS-SHP-01", 3: "DS-SHP-01"})
    assert _ship_to(asns["DS-SHP-01"]) == ["ST", "ACE RSC WILTON", "92", "047"]


def test_the_heading_only_order_is_unchanged(tmp_path):
    ws = _workspace(tmp_path / "ws", [RSC], PLAIN_LINES)
    run_stages(ws, NIGHT)
    order, codes = _order(ws)
    assert order.state == "acknowledged" and not codes & {"LINE_SHIP_TO_DIFFERS", "LINE_SHIP_TO_NOT_APPLIED"}


def test_order_lines_stored_before_their_own_ship_to_was_kept_read_it_as_none(tmp_path):
    import pyarrow.parquet as pq

    from connectors.order_store import OrderStore
    from schemas.orders import LINES_ADDED_LATER, ORDER_LINES

    orders, lines = _tables(GOOD_PO[:6] + ["PO1*1*12*EA*2.50*PE*UP*073000040482", "N1*ST*DC 8*92*DC08", "CTT*1"])
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.lines.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["ship_to_name", "ship_to_id_qualifier", "ship_to_id"]), path)
    _, loaded = store.load("acme", "old")
    assert loaded.schema == ORDER_LINES and loaded["ship_to_id"].to_pylist() == [None]
    assert {"ship_to_name", "ship_to_id_qualifier", "ship_to_id"} <= LINES_ADDED_LATER
    assert check_line_ship_tos(orders, loaded) == []  # nothing to compare: no finding, as before


def _ship_945(ws, shipment: str, ship_to: str, line: int) -> tuple[dict[str, list[list[str]]], list[dict]]:
    """North's 945 (its N1 ST: ``ship_to``) shipping ``line`` of DS9900001 as ``shipment`` on SHIP_DAY: each 856
    sent by its BSN02, and the findings of the ship run."""
    part, qty = {1: ("VP-1020", 5), 2: ("VP-1021", 1), 3: ("VP-1021", 1)}[line]
    body = [f"W06*N*DO-{line}*20261128*{shipment}**DS9900001", ship_to, "N9*BM*BOL-9", "G62*11*20261128*8*1315",
            "W27*M*UPSN", "LX*1", f"MAN*GM*0000733940000005{line:03d}", f"W12*CC*{qty}*{qty}**EA**VN*{part}**9*G*L",
            f"N9*LI*{line}"]
    ctl = 940 + line  # each 945 its own interchange (one ISA13 sent again is ISA_DUPLICATE: nothing shipped)
    segs = ["ISA*00*          *00*          *ZZ*NORTH3PL       *ZZ*ORDERBRIDGE    *261128*1430*U*00401*"
            f"{ctl:09d}*0*P*>", f"GS*SW*NORTH3PL*ORDERBRIDGE*20261128*1430*{ctl}*X*004010", "ST*945*0001", *body,
            f"SE*{len(body) + 2}*0001", f"GE*1*{ctl}", f"IEA*1*{ctl:09d}"]
    inbox = ws.warehouse_drop_root / "north" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / f"north-{shipment}.x12").write_text("".join(s + "~" for s in segs), encoding="utf-8")
    ship_stages(ws, SHIP_DAY, run_id=f"ship-{shipment}")
    deliver_all(ws, SHIP_DAY)
    segs = segments(ws, "acehardware", "856")
    state = StateStore(ws.state_path)
    try:
        found = [f for f in state.findings() if f["run_id"] == f"ship-{shipment}"]
    finally:
        state.close()
    return {s[2]: po_segments(segs, s[2], "BSN") for s in segs if s[0] == "BSN"}, found


def test_a_945_naming_the_line_s_own_ship_to_is_the_right_place_and_the_heading_s_is_not(tmp_path):
    """The 945's N1 ST is compared with where the lines shipped go: a line's own N1*ST (the member store), the
    heading's for a line without one. Smith's line confirmed to Smith goes (it used to be held as
    SHIPMENT_SHIP_TO_MISMATCH: the check knew the heading's ship-to only); Smith's line confirmed to the RSC is
    held (it used to go, its 856 naming Smith); the RSC's line confirmed to the RSC goes, as before."""
    ws = _approved(_workspace(tmp_path / "ws", [RSC], MEMBER_LINES))
    asns, found = _ship_945(ws, "DS-SHP-01", "N1*ST*SMITH ACE HARDWARE*92*15522", 1)
    assert not [f for f in found if f["code"] == "SHIPMENT_SHIP_TO_MISMATCH"], found
    assert _ship_to(asns["DS-SHP-01"]) == ["ST", "SMITH ACE HARDWARE", "92", "15522"]
    asns, found = _ship_945(ws, "DS-SHP-02", RSC, 2)  # Jones's goods went to the RSC
    [wrong] = [f for f in found if f["code"] == "SHIPMENT_SHIP_TO_MISMATCH"]
    assert "DS-SHP-02" not in asns and wrong["consequence"].startswith("shipment DS-SHP-02 held")
    assert "92 047" in wrong["message"] and "line 2 ships to 92 16001 (JONES ACE HARDWARE)" in wrong["message"]
    asns, found = _ship_945(ws, "DS-SHP-03", RSC, 3)
    assert not [f for f in found if f["severity"] == "error"], found
    assert _ship_to(asns["DS-SHP-03"]) == ["ST", "ACE RSC WILTON", "92", "047"]


def _860_findings(pocs: list[str], heading: tuple[str, ...] = ()) -> list:
    from rules.structure import check_structure
    from tests.changes.builders import change_body, parse_860, sets_860, x12_860

    body = change_body(pocs)
    result = parse_860(x12_860([body[0], *heading, *body[1:]]))
    return [f for f in check_structure(result, sets_860(result)) if f.code == "CHANGE_LINE_SHIP_TO_NOT_APPLIED"]


def test_an_860_naming_a_second_ship_to_for_a_line_is_named_not_applied():
    """A POC loop's first N1*ST (a co-op moving a member's line to another store, an Ariba change order's item-level
    ShipTo) is the line's new ship-to, applied as an 850 line's own (tests/test_change_line_ship_to.py): not named.
    A second N1*ST in the same POC loop is read by nothing: one warning per 860 names each such for a person."""
    assert _860_findings(["POC*1*CA*12**EA*2.5*PE*UP*073000040482", "N1*ST*STORE 12*92*0012", "N3*1 MAIN ST",
                          "POC*2*QI*8**EA*10*PE*VN*SKU-2", "POC*3*AI*5**EA*4*PE*VN*SKU-9", "N1*ST*DC 8"],
                         heading=("N1*ST*DC 7*92*DC07",)) == []  # each line's first N1*ST: applied
    [f] = _860_findings(["POC*1*CA*12**EA*2.5*PE*UP*073000040482", "N1*ST*STORE 12*92*0012", "N3*1 MAIN ST",
                         "N1*ST*STORE 13*92*0013", "POC*3*AI*5**EA*4*PE*VN*SKU-9", "N1*ST*DC 8", "N1*ST*DC 9",
                         "POC*4*DI", "N1*ST*STORE 14*92*0014", "N1*ST*STORE 15*92*0015"],  # a deleted line: none
                        heading=("N1*ST*DC 7*92*DC07",))  # the heading's ship-to is applied: not this finding
    assert (f.severity, f.location.segment_id, f.location.element, f.location.value) == ("warning", "N1", "N104",
                                                                                          "0013")
    assert f.location.segment_position == 7  # ST, BCH, the heading's N1, POC, N1, N3, then the line's second N1
    assert "line 1 (CA) N1*ST STORE 13 92 0013; line 3 (AI) N1*ST DC 9" in f.message
    assert "STORE 12" not in f.message and "STORE 15" not in f.message and "not applied" in f.message
    assert _860_findings(["POC*1*QI*20**EA*2.5*PE*UP*073000040482", "POC*2*DI"]) == []
    assert _860_findings(["POC*1*CA*12**EA*2.5*PE*UP*073000040482", "N1*BY*BUYER 9", "N1*BY*BUYER 8"]) == []


def test_an_approved_co_op_order_s_860_moving_a_member_line_is_decided_again_and_the_line_ships_to_its_new_store(
        tmp_path):
    """The 860 moves line 2 from Jones's store to Brown's (its POC loop's N1*ST with N3/N4): the line takes Brown's
    store as its own ship-to and the order is decided again, held as the 850 was (LINE_SHIP_TO_DIFFERS) for a
    person; approved, the warehouse's 945 naming Brown's store is the right place for line 2 and its 856 names it.
    It used to be reported (CHANGE_LINE_SHIP_TO_NOT_APPLIED) and the line shipped to Jones."""
    ws = _approved(_workspace(tmp_path / "ws", [RSC], MEMBER_LINES))
    change = ["BCH*04*DS*DS9900001**1*20261126****20261128", "POC*2*CA*1**EA*58.58*PE*VN*VP-1021",
              "N1*ST*BROWN ACE HARDWARE*92*17777", "N3*5 OAK ST", "N4*XENIA*OH*45385*US", "CTT*1"]
    sets = ["ST*860*0001", *change, f"SE*{len(change) + 2}*0001"]
    (ws.drop_root / "acehardware" / "inbox" / "change.x12").write_text(
        "ISA*00*          *00*          *01*007064016      *ZZ*ORDERBRIDGE    *261127*0215*U*00401*000060100*0*P*>~"
        "GS*PC*007064016*ORDERBRIDGE*20261127*0215*60100*X*004010~" + "".join(seg + "~" for seg in sets)
        + "GE*1*60100~IEA*1*000060100~")
    run_stages(ws, datetime(2026, 11, 28, 3))
    order, codes = _order(ws)
    assert order.state == "held" and "LINE_SHIP_TO_DIFFERS" in order.hold_codes
    assert "CHANGE_LINE_SHIP_TO_NOT_APPLIED" not in codes
    res = CliRunner().invoke(app, ["approve", "DS9900001", "--partner", "acehardware", "--by", "Kim",
                                   "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, datetime(2026, 11, 28, 4))
    asns, found = _ship_945(ws, "DS-SHP-02", "N1*ST*BROWN ACE HARDWARE*92*17777", 2)
    assert not [f for f in found if f["code"] == "SHIPMENT_SHIP_TO_MISMATCH"], found
    assert _ship_to(asns["DS-SHP-02"]) == ["ST", "BROWN ACE HARDWARE", "92", "17777"]
