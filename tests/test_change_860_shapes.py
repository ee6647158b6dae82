"""860 shapes real buyers' translators send that the lifecycle used to get wrong, end to end through the real
run (docs/lifecycle.md "What an 860 asks, line by line").

A POC whose change is only in POC04 (quantity left to receive), POC03 empty: X12 defines POC03 as the quantity
ordered (the new total) and POC04 as the balance the buyer has left to receive, counted before the change (X12
5050+ C063-06: "based on the Current Order Quantity before any quantity changes are applied"): ordered less what
the buyer received, no more than what we shipped. A POC04 alone that the line cannot explain (below its open
balance, above its quantity) asks for a change nobody can know: the POC is refused (865 IR, never IA) with a
CHANGE_QUANTITY_INVALID saying why; one between the two (units shipped still in transit) only states it."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest

from connectors.state import StateStore
from flows.workspace import open_workspace
from tests import test_change_after_shipment as after
from tests import test_change_units_860 as after_units
from tests.support import run_stages
from tests.test_change_after_shipment import NIGHT2, answer, lines, reserved, send_860
from tests.test_change_orders import docs
from tests.test_change_units_860 import _answered_by_865s, _changed, _findings, _line, _ordered, _reserved

shipped_base = after.shipped_base  # night 1 and day 1's shipments (the module's fixture, made once)


@pytest.fixture
def shipped(shipped_base, tmp_path):
    shutil.copytree(shipped_base, tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


def _message(ws, partner: str, po: str, code: str) -> str:
    state = StateStore(ws.state_path)
    try:
        (found,) = [f for f in state.findings(partner=partner, po_number=po) if f["code"] == code]
        return found["message"]
    finally:
        state.close()


@pytest.mark.parametrize("poc", ["POC*1*CA**1*CA", "POC*1*QD**1*CA", "POC*1*CA**12*EA",
                                 "POC*1*PQ**1*CA*470.40*PE"])
def test_a_poc04_alone_on_an_order_not_shipped_is_refused_not_acknowledged(tmp_path, poc):
    """ACME's PO-1, 2 cases open, none shipped: a POC04 of 1 case (or 12 eaches, one case) is not its open
    balance. It used to be answered IA (CA, PQ) with the order unchanged."""
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    _answered_by_865s(ws)
    _changed(ws, [poc])
    (_p, bca, acks), = docs(ws, "865")["PO-1"]
    assert (bca, [a[:3] for a in acks]) == ("RD", [["IR", "2", "CA"]])
    assert "CHANGE_QUANTITY_INVALID" in _findings(ws)
    message = _message(ws, "acme", "PO-1", "CHANGE_QUANTITY_INVALID")
    assert "POC04 (quantity left to receive)" in message and "the 2 CA line 1 has open (2 CA ordered)" in message
    assert _line(ws) == ("CA", 2) and _reserved(ws) == 24


@pytest.mark.parametrize("poc", ["POC*1*CA**2*CA", "POC*1*CA**24*EA"])
def test_a_poc04_that_is_the_open_balance_only_states_it(tmp_path, poc):
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    _answered_by_865s(ws)
    _changed(ws, [poc])
    (_p, _bca, acks), = docs(ws, "865")["PO-1"]
    assert [a[0] for a in acks] == ["IA"]
    assert "CHANGE_QUANTITY_INVALID" not in _findings(ws)
    assert _line(ws) == ("CA", 2) and _reserved(ws) == 24


def _line_1_as_it_was(ws) -> None:
    """GLOBEX-2001 line 1 unchanged by the 860: 48 ordered, 24 shipped, the other 24 still reserved."""
    state = StateStore(ws.state_path)
    try:
        ln = lines(state, "globex", "GLOBEX-2001")[1]
        assert (ln.ordered, ln.shipped, ln.allocated, ln.backordered) == (48, 24, 48, 0)
        assert reserved(state, "globex", "GLOBEX-2001") == {1: 24}
    finally:
        state.close()


@pytest.mark.parametrize("change_type", ["CA", "QD"])
def test_a_poc04_alone_on_an_order_partly_shipped_is_refused_saying_what_shipped(shipped, change_type):
    ws = shipped
    """GLOBEX-2001 line 1: 48 ordered, 24 shipped, 24 open. POC04 12 alone is refused (IR 48, the line as it
    was), the finding naming what is open and what shipped; POC04 24 (the open balance) is acknowledged."""
    send_860(ws, "globex", "GLOBEX-2001", [["1", change_type, "", "12", "EA"]])
    _results, run = run_stages(ws, NIGHT2)
    assert answer(ws, "globex") == ("RD", [("1", change_type, "IR", "48")])
    (found,) = [f for f in run.findings if f.code == "CHANGE_QUANTITY_INVALID"]
    assert "the 24 EA line 1 has open (48 EA ordered, 24 shipped)" in found.message
    _line_1_as_it_was(ws)


def test_a_poc04_that_is_the_open_balance_after_shipment_only_states_it(shipped):
    ws = shipped
    send_860(ws, "globex", "GLOBEX-2001", [["1", "CA", "", "24", "EA"]])
    _results, run = run_stages(ws, NIGHT2)
    bca, pairs = answer(ws, "globex")
    assert [p[2] for p in pairs] == ["IA"]
    assert "CHANGE_QUANTITY_INVALID" not in {f.code for f in run.findings}


@pytest.mark.parametrize(("poc", "ack"), [
    (["1", "CA", "", "36", "EA"], "IA"),  # 12 of the 24 shipped still in transit
    (["1", "CA", "", "48", "EA"], "IA"),  # none of them received yet
    (["1", "PQ", "", "36", "EA", "5.10", "PE"], "IP"),  # the price taken, the balance only stated
])
def test_a_poc04_counting_shipped_units_in_transit_as_still_to_receive_only_states_the_balance(shipped, poc, ack):
    """GLOBEX-2001 line 1: 48 ordered, 24 shipped (on an 856), 24 open. The buyer's POC04 is what it ordered less
    what it received (X12), and the 24 shipped may not all have reached it: a POC04 from 24 (all received) to 48
    (none yet) is the line's balance as the buyer counts it, not a change. It goes on as without it: a CA is
    acknowledged IA with the line as it was, a PQ takes its new price. It used to be refused
    (CHANGE_QUANTITY_INVALID, 865 IR) for a person though nothing was asked."""
    ws = shipped
    send_860(ws, "globex", "GLOBEX-2001", [poc])
    _results, run = run_stages(ws, NIGHT2)
    bca, pairs = answer(ws, "globex")
    assert (bca, [p[2:] for p in pairs]) == ("AD", [(ack, "48")])
    assert "CHANGE_QUANTITY_INVALID" not in {f.code for f in run.findings}
    _line_1_as_it_was(ws)


@pytest.mark.parametrize(("poc", "said"), [
    (["1", "CA", "", "60", "EA"], "is above the 48 EA line 1 has ordered (48 EA ordered, 24 shipped): the buyer "
                                  "counts on a larger order than ours"),
    (["1", "CA", "", "12", "EA"], "is below the 24 EA line 1 has open (48 EA ordered, 24 shipped): the buyer cannot "
                                  "have received more than we shipped"),
    (["1", "QD", "", "36", "EA"], "POC03 is empty on a QD change. POC04 36 is the balance left to receive before the "
                                  "change"),
])
def test_a_poc04_the_line_cannot_explain_or_a_decrease_without_poc03_is_left_to_a_person(shipped, poc, said):
    """The other side of the rule: a POC04 above the quantity ordered, or below what is still to ship, is no balance
    our line explains (the buyer asks a raise or a cut in words X12 does not give POC04, or its order is not ours),
    and a QD whose only quantity is a POC04 the line explains asks no known decrease: each is refused (865 IR,
    the line as it was) with a CHANGE_QUANTITY_INVALID that says exactly why, for a person to confirm with the
    buyer."""
    ws = shipped
    send_860(ws, "globex", "GLOBEX-2001", [poc])
    _results, run = run_stages(ws, NIGHT2)
    assert answer(ws, "globex") == ("RD", [("1", poc[1], "IR", "48")])
    (found,) = [f for f in run.findings if f.code == "CHANGE_QUANTITY_INVALID"]
    assert said in found.message, found.message
    state = StateStore(ws.state_path)
    try:
        assert reserved(state, "globex", "GLOBEX-2001") == {1: 24}
    finally:
        state.close()


# (a line's requested ship or delivery date, DTM 010 or 002, is kept and the line decided again:
# tests/test_change_line_ship_date.py, tests/test_rg71_electronic_components.py)
@pytest.mark.parametrize("pocs", [["POC*1*CT", "DTM*017*20261215"], ["POC*1*RS***CA", "DTM*017*20261218"]])
def test_a_line_dates_only_change_for_a_partner_answered_by_855s_is_answered(tmp_path, pocs):
    """ACME answers its 860s with revised 855s. A POC that moves only a line's estimated delivery date (DTM 017,
    which an order line does not keep: CHANGE_DATES_NOT_STORED tells a person) changes nothing to decide again,
    and a revised 855 would restate the first one's 068 date: it is answered by an 865 echoing the POC (IA), as
    an 865 partner's is. It used to get no answer at all."""
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    _changed(ws, pocs)
    assert docs(ws, "865")["PO-1"] == [("00", "AD", [["IA", "2", "CA"]])]
    (ack,) = [p.read_text() for p in sorted((ws.drop_root / "acme" / "outbox").glob("*-865-*.x12"))]
    assert "POC*1*" + pocs[0].split("*", 2)[2] in ack
    assert [d for d in docs(ws, "855")["PO-1"] if d[0] == "05"] == []
    assert "CHANGE_DATES_NOT_STORED" in _findings(ws)
    assert _line(ws) == ("CA", 2) and _reserved(ws) == 24


def _initech_lines(ws) -> dict:
    state = StateStore(ws.state_path)
    try:
        return lines(state, "initech", "INITECH-3000"), reserved(state, "initech", "INITECH-3000")
    finally:
        state.close()


def _865s(ws, partner: str) -> list[tuple[str, list[tuple]]]:
    """Each 865 in the outbox: BCA02 and its (POC01, POC02, POC03, ACK01, ACK02)."""
    out = []
    for doc in after.outbox(ws, partner, "865"):
        bca = next(r for r in doc if r[0] == "BCA")
        pocs = [r for r in doc if r[0] == "POC"]
        acks = [r for r in doc if r[0] == "ACK"]
        out.append((bca[2], [(p[1], p[2], p[3], a[1], a[2]) for p, a in zip(pocs, acks, strict=True)]))
    return out


def test_two_860s_raising_lines_after_shipment_for_a_partner_that_takes_no_backorder_are_both_refused_in_part(
        shipped):
    """INITECH (backorder = "reject") ships lines 1 (6) and 2 (24) of INITECH-3000, then two 860s of one night raise
    line 1 to 5000 and line 2 to 2000, more than the DCs hold. Each raise is placed as stock allows and the rest
    refused, each 860's 865 saying IQ with what we ship (AC). Only the last 860's raise used to be tracked: line 1's
    4000-odd units stayed backordered for a partner that takes no backorder, its 865 claiming IQ 5000. (Both lines
    shipped: a raise of a line none of whose units shipped is decided by the rules instead, its case pack and the
    credit limit judged: tests/test_rg74_retailer_860s.py, redecided_lines.)"""
    ws = shipped
    after._initech_3000_shipped(ws, "1,2")
    send_860(ws, "initech", "INITECH-3000", [["1", "QI", "5000", "", "EA"]], isa13=2201)
    send_860(ws, "initech", "INITECH-3000", [["2", "QI", "2000", "", "EA"]], isa13=2202)
    _results, run = run_stages(ws, NIGHT2)
    got, kept = _initech_lines(ws)
    assert got[1].backordered == 0 and got[2].backordered == 0, got
    assert got[1].allocated == 6 + kept[1] and got[1].rejected == 5000 - 6 - kept[1], (got[1], kept)
    assert got[2].allocated == 24 + kept[2] and got[2].rejected == 2000 - 24 - kept[2], (got[2], kept)
    assert _865s(ws, "initech") == [("AC", [("1", "QI", "5000", "IQ", str(6 + kept[1]))]),
                                    ("AC", [("2", "QI", "2000", "IQ", str(24 + kept[2]))])]
    raised = sorted(f.message.split(" of PO")[0] for f in run.findings if f.code == "CHANGE_RAISE_NOT_BACKORDERED")
    assert raised == ["POC02 QI raises line 1", "POC02 QI raises line 2"]


def test_two_860s_raising_one_line_after_shipment_answer_what_ships_of_it(shipped):
    """Both raises of line 2 (to 1000, then 2000) are placed or refused; both 865s answer the line with what we
    ship of it, the units refused taken from the last raise first."""
    ws = shipped
    after._initech_3000_shipped(ws, "2")
    send_860(ws, "initech", "INITECH-3000", [["2", "QI", "1000", "", "EA"]], isa13=2201)
    send_860(ws, "initech", "INITECH-3000", [["2", "QI", "2000", "", "EA"]], isa13=2202)
    _results, run = run_stages(ws, NIGHT2)
    got, kept = _initech_lines(ws)
    ships = 24 + kept[2]
    assert (got[2].backordered, got[2].allocated, got[2].rejected) == (0, ships, 2000 - ships), (got[2], kept)
    assert ships < 1000  # the demo's stock of SKU-1009 places part of the first raise only
    assert _865s(ws, "initech") == [("AC", [("2", "QI", "1000", "IQ", str(ships))]),
                                    ("AC", [("2", "QI", "2000", "IQ", str(ships))])]
    assert len([f for f in run.findings if f.code == "CHANGE_RAISE_NOT_BACKORDERED"]) == 2


def test_a_line_added_by_an_earlier_860_of_the_night_is_changed_in_another_unit_by_a_later_one(tmp_path):
    """ACME's change 1 adds line 2 (2 cases of SKU-1003, by its UPC) and change 2 of the same night raises it
    to 36 eaches (3 cases of 12). The added line has no sku of ours until the order is decided, so the later
    860 found no count of eaches in its item and refused the raise (CHANGE_UNIT_MISMATCH, 865 IR): the added
    line's product ids now resolve it as an 850's line is, and the raise is applied in cases."""
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    changes = [("1", "POC*2*AI*2**CA*470.40*PE*UP*614141100248"), ("2", "POC*2*QI*36**EA")]
    for k, (seq, poc) in enumerate(changes):
        body = [f"BCH*04*SA*PO-1**{seq}*20261127", poc, "CTT*1"]
        (ws.drop_root / "acme" / "inbox" / f"change-{k}.x12").write_bytes(after_units.x12_860(body, control=2101 + k))
    run_stages(ws, after_units.NIGHT2)
    assert "CHANGE_UNIT_MISMATCH" not in _findings(ws)
    assert docs(ws, "865") == {}  # ACME's changes are answered by a revised 855: nothing refused
    state = StateStore(ws.state_path)
    try:
        got = {ln.line_number: ln for ln in state.order_lines("acme", "PO-1")}
    finally:
        state.close()
    assert (got[2].sku, got[2].unit, got[2].ordered) == ("SKU-1003", "CA", 3)
    assert got[2].allocated + got[2].backordered == 3
    (_p, _t, acks), = [d for d in docs(ws, "855")["PO-1"] if d[0] == "05"]
    assert sum(int(a[1]) for a in acks[1:]) == 3 and {a[2] for a in acks} == {"CA"}


def _globex_2000_line_4_shipped(ws) -> None:
    """GLOBEX-2000 line 4 (36 of SKU-1003: 24 reserved at WEST, 12 backordered, promised 2026-12-10, the ship
    date): the north 3PL's 945 confirms the 24 on day 1; night 2's snapshot has no SKU-1003 left, so the backorder
    waits."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    segs = ["W06*N*DO-88004*20261127*SHP-2004**GLOBEX-2000", "N1*SF*NORTH 3PL", "N9*BM*BOL-9104",
            "G62*11*20261127*8*1500",
            "W27*M*ODFL*LTL STANDARD", "LX*1", "MAN*GM*00007339400000050049",
            "W12*PP*36*24*12*EA*614141100248*VN*VP-1003", "N9*LI*4", "W03*24"]
    inbox = ws.warehouse_drop_root / "north" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "north-945-20261127b.x12").write_text(
        "ISA*00*          *00*          *ZZ*NORTH3PL       *ZZ*ORDERBRIDGE    *261127*1600*U*00401*000000911*0*P*>~"
        "GS*SW*NORTH3PL*ORDERBRIDGE*20261127*1600*911*X*004010~ST*945*0001~" + "".join(s + "~" for s in segs)
        + f"SE*{len(segs) + 2}*0001~GE*1*911~IEA*1*000000911~")
    after.ship_stages(ws, datetime(2026, 11, 27, 17), run_id="day1b")
    after.deliver_all(ws, datetime(2026, 11, 27, 17))
    snapshots = ws.root / "inventory" / "snapshots"
    stock = pq.read_table(snapshots / "as_of=2026-11-26" / "part-0.parquet")
    empty = pc.if_else(pc.equal(stock["sku"], "SKU-1003"), 0, stock["on_hand"]).cast(stock.schema.field("on_hand").type)
    (snapshots / "as_of=2026-11-28").mkdir()
    pq.write_table(stock.set_column(stock.schema.get_field_index("on_hand"), "on_hand", empty),
                   snapshots / "as_of=2026-11-28" / "part-0.parquet")
    state = StateStore(ws.state_path)
    try:
        four = lines(state, "globex", "GLOBEX-2000")[4]
    finally:
        state.close()
    assert (four.shipped, four.allocated, four.backordered, four.promised_date) == (24, 24, 12, date(2026, 12, 10))


def _acks(ws, partner: str) -> list[list]:
    (doc,) = after.outbox(ws, partner, "865")
    return [r[1:] for r in doc if r[0] == "ACK"]


@pytest.mark.parametrize(("poc", "ack"), [
    (["4", "QD", "30", "", "EA"], ["IQ", "30", "EA", "068", "20261210"]),  # 6 still backordered on its promise
    (["4", "PC", "", "", "EA", "39.00", "PE"], ["IP", "36", "EA", "068", "20261210"]),
    # 24 backordered, more than the promise was made for: the night's allocation promises them from WEST's receipt
    # of 48 SKU-1003 (12-04), the order's ship day 12-10 being later (they used to get no date)
    (["4", "QI", "48", "", "EA"], ["IQ", "48", "EA", "068", "20261210"]),
])
def test_an_865_after_shipment_dates_a_line_left_backordered(shipped, poc, ack):
    """An 865 answering a change before shipment dates a line left backordered (ACK04 068, ACK05: the day the
    whole line is to ship); the one answering a change after shipment, built before the night's backorder
    allocation, carried no date. GLOBEX-2000 line 4 shipped 24 and waits for 12 promised on 2026-12-10: a
    decrease to 30 or a new price leaves it backordered on that promise, answered with that day; a raise
    backorders units the old promise does not cover: the night's allocation promises them from the receipt that
    covers them (engine.lifecycle.backorders.promise_raised; what none covers is refused:
    tests/test_change_raise_promise.py)."""
    ws = shipped
    _globex_2000_line_4_shipped(ws)
    send_860(ws, "globex", "GLOBEX-2000", [poc])
    run_stages(ws, NIGHT2)
    assert _acks(ws, "globex") == [ack]


def test_with_skus_resolves_the_lines_without_one_from_their_product_ids():
    """engine.lifecycle.changes.with_skus: a line record without a sku (added by an 860 of this run) takes the one
    its canonical row's ids resolve to (our GTIN for its UPC, our vendor part, the partner's cross-reference); one
    with a sku keeps it; an id we do not know leaves none; without the item master nothing changes."""
    import pyarrow as pa

    from connectors.reference import load_reference
    from engine.lifecycle.changes import with_skus
    from rules.shipment_units import ShipmentUnits
    from schemas.lifecycle import LineRecord, LineState
    from schemas.orders import ORDER_LINES
    from schemas.rule_settings import RuleSettings
    from tests.support import REPO

    ref = load_reference(REPO / "sample_files" / "reference")
    units = ShipmentUnits(ref.items, ref.item_units, RuleSettings(), ref.partner_items)
    rows = [{"partner": "acme", "po_number": "PO-1", "line_number": n, "unit": "CA",
             "product_ids": [{"qualifier": q, "id": i}]}
            for n, q, i in ((1, "UP", "614141100248"), (2, "UP", "614141100248"), (3, "VN", "VP-1003"),
                            (4, "UP", "614141999996"))]
    table = pa.Table.from_pylist([{f.name: r.get(f.name) for f in ORDER_LINES} for r in rows], schema=ORDER_LINES)
    records = [LineRecord("acme", "PO-1", 1, LineState.ALLOCATED, sku="SKU-9", unit="CA"),
               *(LineRecord("acme", "PO-1", n, LineState.RECEIVED, unit="CA") for n in (2, 3, 4))]
    assert [ln.sku for ln in with_skus(records, table, units)] == ["SKU-9", "SKU-1003", "SKU-1003", ""]
    assert with_skus(records, table, None) == tuple(records)
