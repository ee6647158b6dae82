"""860s that arrive after the warehouse shipped part or all of the order, or after its 810s went out,
end to end on the demo's data: night 1's 850s, day 1's shipment confirmations and 810s, then a night
with the buyer's late 860. What shipped stays shipped and invoiced, nothing is invoiced twice, each
change that cannot be honoured is a finding and an 865 line that says what we really did, the
reservations follow what is still to ship, and the next shipments and 810s bill the right units at the
price the 865 acknowledged (docs/lifecycle.md "An 860 for an order that shipped")."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

import pytest

from connectors.state import StateStore
from flows.workspace import open_workspace
from parsers.x12_reader import read_interchanges
from schemas.profile import load_profiles
from tests.support import REPO, deliver_all, drop_confirmations, run_stages, ship_stages, shipping_workspace

NIGHT1, DAY1, NIGHT2, NIGHT3 = (datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30),
                                datetime(2026, 11, 28, 2), datetime(2026, 11, 29, 2))
PROFILES = load_profiles(REPO / "partners")


@pytest.fixture(scope="module")
def shipped_base(tmp_path_factory):
    """Night 1 and day 1's shipments: ACME-1001 line 4 shipped 10 of 12 (invoiced, 2 reserved), lines 5, 6
    and 10 shipped and invoiced; GLOBEX-2001 shipped 24 of 48 (billed per order: no 810 yet);
    INITECH-3010 shipped and invoiced in full."""
    ws = shipping_workspace(tmp_path_factory.mktemp("base") / "ws", partners=("acme", "globex", "initech"))
    run_stages(ws, NIGHT1)
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, DAY1, run_id="day1")
    deliver_all(ws, DAY1)
    return ws.root


@pytest.fixture
def ws(shipped_base, tmp_path):
    shutil.copytree(shipped_base, tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


def send_860(ws, partner: str, po: str, pocs: list[list[str]], *, purpose: str = "04", isa13: int = 2201,
             heading: tuple[list[str], ...] = ()) -> None:
    from bench.synth_850 import change_order, interchange

    x = PROFILES[partner].x12
    body = change_order(po, pocs, purpose=purpose, po_date=NIGHT1.date())
    body[1:1] = heading
    data = interchange(sender=(x.their_qualifier, x.their_id), receiver=(x.our_qualifier, x.our_id),
                       gs_ids=(x.their_gs_id, x.our_gs_id), version=x.version, d=x.delimiters.to_delimiters(),
                       when=NIGHT2.date(), isa13=isa13, set_id="860", functional_id="PC", bodies=[body])
    (ws.drop_root / partner / "inbox" / f"change-{isa13}.x12").write_bytes(data)


def outbox(ws, partner: str, kind: str) -> list[list[list]]:
    """Each document of ``kind`` in the partner's outbox, as its segments' elements."""
    return [read_interchanges(p.read_bytes()).segments.elements.to_pylist()
            for p in sorted((ws.drop_root / partner / "outbox").glob(f"*-{kind}-*.x12"))]


def answer(ws, partner: str) -> tuple[str, list[list]]:
    """The one 865: its BCA02 and its POC/ACK pairs as (POC01, POC02, ACK01, ACK02)."""
    (doc,) = outbox(ws, partner, "865")
    bca = next(r for r in doc if r[0] == "BCA")
    pairs, poc = [], None
    for r in doc:
        if r[0] == "POC":
            poc = r
        elif r[0] == "ACK":
            pairs.append((poc[1], poc[2], r[1], r[2] if len(r) > 2 else None))
    return bca[2], pairs


def lines(state, partner, po):
    return {ln.line_number: ln for ln in state.order_lines(partner, po)}


def reserved(state, partner, po) -> dict[int, int]:
    out: dict[int, int] = {}
    for r in state.reservations_for([(partner, po)]).get((partner, po), ()):
        out[r.line_number] = out.get(r.line_number, 0) + r.quantity
    return out


def codes(run) -> set[str]:
    return {f.code for f in run.findings}


def test_a_decrease_below_shipped_keeps_the_shipped_units_and_cancels_the_rest(ws):
    """ACME lowers line 4 (12, 10 shipped and invoiced, 2 reserved) to 8, re-prices line 5 (invoiced at
    our 4.72) and raises line 6 (5 shipped and invoiced) to 8, the night the east DC confirms the 2 last
    units of line 4. Line 4 stays at its 10 (IQ 10: the 2 unshipped cancelled, their reservation released);
    the late confirmation of the 2 that left before is still recorded, its 856 sent and billed, with a
    SHIPPED_AFTER_CHANGE warning (not held as over-reserved: goods that left never fall off the books);
    line 5's price is refused (IR: nothing is invoiced again, a finding for finance); line 6's 3 new
    units are reserved the same night (IQ 8) and the order is open again (partially_shipped)."""
    state = StateStore(ws.state_path)
    invoices_before = state.invoices_for_order("acme", "ACME-1001")
    state.close()
    send_860(ws, "acme", "ACME-1001", [["4", "QD", "8", "", "EA"], ["5", "PC", "", "", "EA", "5.00", "PE"],
                                       ["6", "QI", "8", "", "EA"], ["1", "QI", "20", "", "EA"]])
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    day2 = (REPO / "sample_files" / "warehouse-drops-day2" / "east" / "east-shipments-20261128.csv").read_text()
    (inbox / "east-shipments-20261128.csv").write_text("".join(  # SHP-1004: line 4's last 2 units, picked before
        r for r in day2.splitlines(keepends=True) if "UMB-" not in r))
    shipping: list = []
    _results, run = run_stages(ws, NIGHT2, shipping=shipping)
    assert {"CHANGE_BELOW_SHIPPED", "CHANGE_PRICE_INVOICED", "CHANGE_AFTER_SHIPMENT"} <= codes(run)
    (east,) = [w for w in shipping[:-1] if w.warehouse == "east"]
    late = [f for f in east.findings if f["code"] == "SHIPPED_AFTER_CHANGE"]
    assert (east.shipments, east.held) == (1, 0) and len(late) == 1 and "ACME-1001" in late[0]["message"], east
    assert "SHIPMENT_OVER_RESERVED" not in {f["code"] for f in east.findings}
    assert answer(ws, "acme") == ("AC", [("4", "QD", "IQ", "10"), ("5", "PC", "IR", "48"), ("6", "QI", "IQ", "8"),
                                         ("1", "QI", "IR", "12")])  # line 1 was rejected (IR): not decided again
    state = StateStore(ws.state_path)
    try:
        order = state.order("acme", "ACME-1001")
        assert order.state.value == "partially_shipped" and order.revision == 2
        got = lines(state, "acme", "ACME-1001")
        four, five, six = got[4], got[5], got[6]
        # the 2 units that left before the 860 are recorded shipped and billed beyond the 10 the change left
        assert (four.ordered, four.allocated, four.backordered, four.shipped, four.invoiced, four.state.value) == \
            (Decimal(10), 10, 0, Decimal(12), Decimal(12), "invoiced")
        assert (five.unit_price, five.ack_price, five.invoiced, five.state.value) == \
            (Decimal("4.9"), Decimal("4.72"), Decimal(48), "invoiced")
        # the 3 raised units are reserved from stock the night the 860 comes (no night as a backorder)
        assert (six.ordered, six.allocated, six.backordered, six.shipped, six.state.value) == \
            (Decimal(8), 8, 0, Decimal(5), "partially_shipped")
        assert 4 not in reserved(state, "acme", "ACME-1001") and reserved(state, "acme", "ACME-1001")[6] == 3
        invoices = state.invoices_for_order("acme", "ACME-1001")  # nothing billed again but line 4's late 2
        assert invoices[:-1] == invoices_before and [(ln.line_number, ln.quantity) for ln in invoices[-1].lines] \
            == [(4, Decimal(2))]
        events = [h["event"] for h in state.order_history("acme", "ACME-1001")]
        assert events[-4:] == ["change_reopened", "backorder_allocated", "shipped_in_part", "invoiced_in_part"], \
            events
        assert "change_refused" not in events
    finally:
        state.close()
    # the four-way match: the 865's IRs refuse changes, they do not un-acknowledge line 5 (invoiced at the
    # price our 855 acknowledged) nor line 4, cut to the 10 that shipped; its 2 late units (shipped and
    # billed past the change) are an over-shipment for finance to settle with the buyer
    from flows.reconcile import reconcile_run

    deliver_all(ws, NIGHT2)
    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=NIGHT3, run_id="recon")
        found = {(x["line_number"], x["type"]) for x in state.stored_exceptions(active=True).to_pylist()
                 if x["po_number"] == "ACME-1001" and x["type"] != "DOCUMENT_UNACKNOWLEDGED"}
        assert found == {(4, "OVER_SHIPMENT")}, found  # the 2 units shipped past the change: nothing else
    finally:
        state.close()


def test_a_decrease_to_what_shipped_and_a_new_price_complete_the_order_and_its_810_bills_the_new_price(ws):
    """Globex (billed per order, once it shipped complete) lowers GLOBEX-2001's line (48, 24 shipped, 24
    reserved) to the 24 shipped and changes its price: the line is complete (reservation released, no
    backorder), the order shipped, and the same night's 810 bills 24 at the new price the 865 accepted."""
    send_860(ws, "globex", "GLOBEX-2001", [["1", "QD", "24", "", "EA"], ["1", "PC", "", "", "EA", "4.10", "PE"]])
    _results, run = run_stages(ws, NIGHT2)
    assert not {"CHANGE_BELOW_SHIPPED", "CHANGE_AFTER_SHIPMENT", "CHANGE_PRICE_INVOICED"} & codes(run)
    assert answer(ws, "globex") == ("AD", [("1", "QD", "IQ", "24"), ("1", "PC", "IP", "24")])
    (invoice,) = outbox(ws, "globex", "810")
    assert [(r[2], r[3], Decimal(r[4])) for r in invoice if r[0] == "IT1"] == [("24", "EA", Decimal("4.10"))]
    state = StateStore(ws.state_path)
    try:
        order = state.order("globex", "GLOBEX-2001")
        assert order.state.value == "invoiced"
        (line,) = state.order_lines("globex", "GLOBEX-2001")
        assert (line.ordered, line.allocated, line.backordered, line.shipped, line.invoiced, line.unit_price) == \
            (Decimal(24), 24, 0, Decimal(24), Decimal(24), Decimal("4.10"))
        assert reserved(state, "globex", "GLOBEX-2001") == {}
        (billed,) = state.invoices_for_order("globex", "GLOBEX-2001")
        assert billed.merchandise == Decimal("98.40")  # 24 x 4.10, not 24 x 3.74
        events = [h["event"] for h in state.order_history("globex", "GLOBEX-2001")]
        assert events[-2:] == ["change_completed", "invoiced_in_full"]
    finally:
        state.close()


@pytest.mark.parametrize("purpose, pocs", [("01", []), ("04", [["1", "DI"]])])
def test_a_cancellation_or_deletion_of_a_partly_shipped_order_cancels_only_what_did_not_ship(ws, purpose, pocs):
    """BCH01 01 (no POC lines, as most buyers cancel) or a DI of GLOBEX-2001's line after 24 of 48 shipped:
    the 24 unshipped are cancelled (reservation released), the 24 shipped stay on the order, which is
    shipped and billed for them; the 865 says IQ 24 for the line (BCA02 AC) and a finding says why."""
    send_860(ws, "globex", "GLOBEX-2001", pocs, purpose=purpose)
    _results, run = run_stages(ws, NIGHT2)
    assert "CHANGE_BELOW_SHIPPED" in codes(run)
    assert answer(ws, "globex") == ("AC", [("1", "DI", "IQ", "24")])
    (invoice,) = outbox(ws, "globex", "810")
    assert [r[2] for r in invoice if r[0] == "IT1"] == ["24"]
    state = StateStore(ws.state_path)
    try:
        order = state.order("globex", "GLOBEX-2001")
        assert order.state.value == "invoiced" and order.value == Decimal("89.76")  # 24 x 3.74, not 48
        (line,) = state.order_lines("globex", "GLOBEX-2001")
        assert (line.ordered, line.allocated, line.shipped, line.invoiced) == \
            (Decimal(24), 24, Decimal(24), Decimal(24))
        assert reserved(state, "globex", "GLOBEX-2001") == {}
    finally:
        state.close()


def test_a_change_to_a_closed_order_is_refused_with_a_reason(ws):
    """INITECH-3010 shipped and invoiced in full on day 1, closed by night 2 (its 810 delivered): an 860
    adding a line and raising line 4 on night 3 is answered RD, each POC IR, with a CHANGE_AFTER_SHIPMENT
    finding that says the order is closed (a new PO for new units); the order, its lines and its 810
    stay as they were."""
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    before = (state.order("initech", "INITECH-3010").state.value, state.order_lines("initech", "INITECH-3010"))
    state.close()
    assert before[0] == "closed"
    send_860(ws, "initech", "INITECH-3010", [["5", "AI", "6", "", "EA", "3.47", "PE", "VN", "SKU-1003"],
                                             ["4", "QI", "30", "", "EA"]])
    _results, run = run_stages(ws, NIGHT3)
    found = [f for f in run.findings if f.code == "CHANGE_AFTER_SHIPMENT"]
    assert len(found) == 1 and "is closed" in found[0].message, found
    assert answer(ws, "initech") == ("RD", [("5", "AI", "IR", None), ("4", "QI", "IR", "24")])
    state = StateStore(ws.state_path)
    try:
        assert state.order("initech", "INITECH-3010").state.value == "closed"
        after = state.order_lines("initech", "INITECH-3010")
        assert [(a.ordered, a.unit_price, a.shipped, a.invoiced) for a in after] \
            == [(b.ordered, b.unit_price, b.shipped, b.invoiced) for b in before[1]]
        assert len(state.invoices_for_order("initech", "INITECH-3010")) == 1
        events = [h["event"] for h in state.order_history("initech", "INITECH-3010")]
        assert events[-1] == "change_refused", events
    finally:
        state.close()


def test_a_line_added_to_an_invoiced_order_is_decided_and_the_order_reopened(ws):
    """INITECH-3010 shipped and invoiced in full on day 1, its 810 not closed yet: an 860 adding a line
    (SKU-1004) and raising line 4 is not refused. The new line is decided by the rules and allocated (865
    IA; the old lines' findings do not decide it), line 4's new units are reserved (IQ 48), the order is
    open again (partially_shipped); what was shipped and invoiced stays so and its 810 is not sent again."""
    state = StateStore(ws.state_path)
    before = {ln.line_number: ln for ln in state.order_lines("initech", "INITECH-3010")}
    assert state.order("initech", "INITECH-3010").state.value == "invoiced"
    state.close()
    send_860(ws, "initech", "INITECH-3010", [["5", "AI", "24", "", "EA", "6.23", "PE", "BP", "INI/003"],
                                             ["4", "QI", "48", "", "EA"]])
    _results, run = run_stages(ws, NIGHT2)
    assert "CHANGE_AFTER_SHIPMENT" not in codes(run)
    bca, pairs = answer(ws, "initech")
    # decided by the rules on its own: the findings of the lines answered before (line 1, IR on night 1: 15
    # is not a multiple of the case pack 6) are neither reported again nor weighed (a hold on an old line
    # would hold the shipped order, and with it its next shipments)
    assert pairs[0][:3] == ("5", "AI", "IA") and pairs[1] == ("4", "QI", "IQ", "48"), pairs
    assert "CASE_PACK_NOT_MULTIPLE" not in codes(run)
    state = StateStore(ws.state_path)
    try:
        assert state.order("initech", "INITECH-3010").state.value == "partially_shipped"
        got = {ln.line_number: ln for ln in state.order_lines("initech", "INITECH-3010")}
        new = next(ln for ln in got.values() if ln.line_id == "5")
        assert new.state.value in ("allocated", "backordered") and new.promised == 24, new
        assert got[1].state.value == "rejected"  # line 1 stays as it was answered
        # IQ 48: 24 shipped, the 24 raised reserved the same night (before the added line was decided)
        assert (got[4].allocated, got[4].backordered) == (48, 0), got[4]
        assert reserved(state, "initech", "INITECH-3010") == {4: 24, new.line_number: 24}
        for n, b in before.items():
            assert (got[n].shipped, got[n].invoiced) == (b.shipped, b.invoiced)
        assert len(state.invoices_for_order("initech", "INITECH-3010")) == 1
    finally:
        state.close()


def test_a_raised_line_is_allocated_shipped_and_billed_on_the_next_nights(ws):
    """ACME raises line 6 (5 shipped and invoiced) to 8 after shipment: the 3 new units are backordered
    (865 IQ 8), the next night's backorder allocation reserves them from stock, the DC ships them and
    they are billed once: 3 units on a new 810, the 5 billed before not again."""
    send_860(ws, "acme", "ACME-1001", [["6", "QI", "8", "", "EA"]])
    run_stages(ws, NIGHT2)
    assert answer(ws, "acme") == ("AD", [("6", "QI", "IQ", "8")])
    run_stages(ws, NIGHT3)
    state = StateStore(ws.state_path)
    try:
        six = lines(state, "acme", "ACME-1001")[6]
        assert (six.allocated, six.backordered, six.shipped) == (8, 0, Decimal(5))
        assert reserved(state, "acme", "ACME-1001").get(6) == 3
        billed_before = len(state.invoices_for_order("acme", "ACME-1001"))
    finally:
        state.close()
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261130.csv").write_text(
        "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"
        "SHP-1009,2026-11-29,15:00,UPSN,G2,1Z999AA10123456899,BOL-6009,ACME-1001,6,SKU-1006,3,EA,C-1019,2.5,LB,\n")
    ship_stages(ws, datetime(2026, 11, 29, 16), run_id="day3")
    state = StateStore(ws.state_path)
    try:
        six = lines(state, "acme", "ACME-1001")[6]
        assert (six.shipped, six.invoiced) == (Decimal(8), Decimal(8))
        invoices = state.invoices_for_order("acme", "ACME-1001")
        assert len(invoices) == billed_before + 1
        assert [(ln.line_number, ln.quantity) for ln in invoices[-1].lines] == [(6, Decimal(3))]
        assert 6 not in reserved(state, "acme", "ACME-1001")
    finally:
        state.close()


def test_a_decrease_above_what_shipped_releases_only_the_units_no_longer_wanted(ws):
    """GLOBEX-2001 (48, 24 shipped, 24 reserved) lowered to 30 with a new delivery date in the heading: 6
    stay reserved to ship (18 released), the order still has units to ship; the heading's date is not
    applied to an order that shipped (a warning for a person), the 865 says AD, IQ 30."""
    send_860(ws, "globex", "GLOBEX-2001", [["1", "QD", "30", "", "EA"]], heading=(["DTM", "002", "20261215"],))
    _results, run = run_stages(ws, NIGHT2)
    assert "CHANGE_HEADER_NOT_APPLIED" in codes(run) and "CHANGE_HEADER_APPLIED" not in codes(run)
    assert answer(ws, "globex") == ("AD", [("1", "QD", "IQ", "30")])
    assert outbox(ws, "globex", "810") == []  # billed per order: it has not shipped complete
    state = StateStore(ws.state_path)
    try:
        order = state.order("globex", "GLOBEX-2001")
        assert (order.state.value, order.revision) == ("partially_shipped", 2)
        (line,) = state.order_lines("globex", "GLOBEX-2001")
        assert (line.ordered, line.allocated, line.backordered, line.shipped) == (Decimal(30), 30, 0, Decimal(24))
        assert reserved(state, "globex", "GLOBEX-2001") == {1: 6}
    finally:
        state.close()


def test_units_that_left_before_the_860_are_still_shipped_and_billed_and_a_true_over_shipment_is_held(ws):
    """Night 2: ACME lowers line 4 (12, 10 shipped and invoiced, 2 reserved) to 8: cut to its 10, the 2
    unshipped released. Day 2: the east DC confirms the 2 units it had picked and sent before the 860
    (SHP-1004), and one more unit of line 6, which no 860 cut (5 of 5 shipped: SHP-1099). SHP-1004 is
    recorded, its 856 goes (the goods left: the buyer needs the ASN) and the 2 units are billed (ACME
    bills per shipment), with one SHIPPED_AFTER_CHANGE warning naming the 860 file and the units; SHP-1099
    is still held (SHIPMENT_OVER_RESERVED: no 856, nothing billed)."""
    send_860(ws, "acme", "ACME-1001", [["4", "QD", "8", "", "EA"]])
    _results, run = run_stages(ws, NIGHT2)
    assert answer(ws, "acme") == ("AC", [("4", "QD", "IQ", "10")])
    assert "SHIPPED_AFTER_CHANGE" not in codes(run)
    deliver_all(ws, NIGHT2)
    before_856 = len(outbox(ws, "acme", "856"))
    state = StateStore(ws.state_path)
    billed_before = len(state.invoices_for_order("acme", "ACME-1001"))
    state.close()
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261128.csv").write_text(
        "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"
        "SHP-1004,2026-11-28,01:40,UPSN,G2,1Z999AA10123456817,BOL-6004,ACME-1001,4,SKU-1002,2,EA,C-1007,2.5,LB,\n"
        "SHP-1099,2026-11-28,09:10,UPSN,G2,1Z999AA10123456899,BOL-6099,ACME-1001,6,SKU-1006,1,EA,C-1099,2.5,LB,\n")
    day2 = datetime(2026, 11, 28, 14, 30)
    results = ship_stages(ws, day2, run_id="day2")
    deliver_all(ws, day2)
    (east,) = [w for w in results[:-1] if w.warehouse == "east"]
    assert (east.shipments, east.held) == (1, 1), east
    late = [f for f in east.findings if f["code"] == "SHIPPED_AFTER_CHANGE"]
    assert len(late) == 1 and late[0]["severity"] == "warning", east.findings
    assert all(s in late[0]["message"] for s in ("ACME-1001", "change-2201.x12", "2 unit(s) shipped beyond")), late
    over = [f for f in east.findings if f["code"] == "SHIPMENT_OVER_RESERVED"]
    assert len(over) == 1 and "Line 6 of ACME-1001" in over[0]["message"], east.findings
    asns = outbox(ws, "acme", "856")
    assert len(asns) == before_856 + 1
    (asn,) = asns[before_856:]
    assert next(r for r in asn if r[0] == "BSN")[2] == "SHP-1004"
    assert [(r[2], r[3]) for r in asn if r[0] == "SN1"] == [("2", "EA")]
    (invoice,) = [doc for doc in outbox(ws, "acme", "810") if any(r[0] == "IT1" and r[1] == "4" and r[2] == "2"
                                                                   for r in doc)]
    assert [(r[1], r[2]) for r in invoice if r[0] == "IT1"] == [("4", "2")]  # SHP-1099's unit is not billed
    state = StateStore(ws.state_path)
    try:
        got = lines(state, "acme", "ACME-1001")
        assert (got[4].ordered, got[4].shipped, got[4].invoiced) == (Decimal(10), Decimal(12), Decimal(12))
        assert (got[6].shipped, got[6].invoiced) == (Decimal(5), Decimal(5))
        invoices = state.invoices_for_order("acme", "ACME-1001")
        assert len(invoices) == billed_before + 1
        assert [(ln.line_number, ln.quantity) for ln in invoices[-1].lines] == [(4, Decimal(2))]
        events = [h["event"] for h in state.order_history("acme", "ACME-1001")]
        assert "shipped_in_full" in events[-3:] and state.order("acme", "ACME-1001").state.value in (
            "invoiced", "closed")
        assert reserved(state, "acme", "ACME-1001").get(4) is None
    finally:
        state.close()
    # the finding is told once: the next night neither repeats it nor sends anything again for SHP-1004
    night3: list = []
    run_stages(ws, NIGHT3, shipping=night3)
    assert not [f for w in night3[:-1] for f in w.findings if f["code"] == "SHIPPED_AFTER_CHANGE"]
    assert len(outbox(ws, "acme", "856")) == before_856 + 1
    state = StateStore(ws.state_path)
    try:
        told = [f for f in state.findings(partner="acme") if f["code"] == "SHIPPED_AFTER_CHANGE"]
        assert len(told) == 1, told
    finally:
        state.close()


def test_a_decrease_to_the_buyers_own_quantity_below_our_case_pack_rounding_is_applied(ws, shipped_base, tmp_path):
    """ACME-1001 line 4: the buyer ordered 10, our 855 acknowledged 12 (case-pack rounding), 10 shipped, 2
    reserved. QD 10 asks for less than we acknowledged: applied (865 IQ 10), not refused as "not below
    the current 10" (the buyer's quantity as sent); the 2 reserved units are released, the line is done."""
    send_860(ws, "acme", "ACME-1001", [["4", "QD", "10", "", "EA"]])
    _results, run = run_stages(ws, NIGHT2)
    assert "CHANGE_QUANTITY_INVALID" not in codes(run)
    assert answer(ws, "acme") == ("AD", [("4", "QD", "IQ", "10")])  # done as asked
    state = StateStore(ws.state_path)
    try:
        four = lines(state, "acme", "ACME-1001")[4]
        assert (four.ordered, four.allocated, four.backordered, four.shipped) == (Decimal(10), 10, 0, Decimal(10))
        assert 4 not in reserved(state, "acme", "ACME-1001")
    finally:
        state.close()
    # QD 12 (what we acknowledged) is still no decrease (on the order as it was: once QD 10 is applied it is
    # shipped, invoiced and then closed, and a closed order takes no change at all)
    other = open_workspace(shutil.copytree(shipped_base, tmp_path / "ws2"))
    send_860(other, "acme", "ACME-1001", [["4", "QD", "12", "", "EA"]], isa13=2202)
    _results, run = run_stages(other, NIGHT2)
    assert "CHANGE_QUANTITY_INVALID" in codes(run)


def test_a_late_945_for_an_order_cancelled_after_part_shipped_is_shipped_and_billed_per_order(ws):
    """Globex (billed once per order, when it shipped) cancels GLOBEX-2001 (BCH01 01) after 24 of 48
    shipped: kept at 24, the 24 unshipped released, billed. The north 3PL's 945 then confirms the 24 it had
    sent before the cancellation: recorded, its 856 sent, the order shipped again and its new 810 bills
    those 24 alone; one SHIPPED_AFTER_CHANGE warning."""
    results = _globex_cancelled_then_late_945(ws)
    (north,) = [w for w in results[:-1] if w.warehouse == "north"]
    assert (north.shipments, north.held) == (1, 0), north
    assert [f["code"] for f in north.findings if f["severity"] != "info"].count("SHIPPED_AFTER_CHANGE") == 1
    assert not [f for f in north.findings if f["severity"] == "error"], north.findings
    invoices = outbox(ws, "globex", "810")
    assert len(invoices) == 2
    assert [r[2] for r in invoices[-1] if r[0] == "IT1"] == ["24"]
    state = StateStore(ws.state_path)
    try:
        (line,) = state.order_lines("globex", "GLOBEX-2001")
        assert (line.ordered, line.shipped, line.invoiced) == (Decimal(24), Decimal(48), Decimal(48))
        assert state.order("globex", "GLOBEX-2001").state.value in ("invoiced", "closed")
        billed = state.invoices_for_order("globex", "GLOBEX-2001")  # a second per-order 810, a document of its own
        assert [(b.doc_key, [ln.quantity for ln in b.lines]) for b in billed] == [
            ("810:order:GLOBEX-2001", [Decimal(24)]), ("810:order:GLOBEX-2001:north:SHP-2002", [Decimal(24)])]
    finally:
        state.close()


def _globex_cancelled_then_late_945(ws, *, shipped: int = 24, cut: str = "01"):
    """Night 2: Globex cancels GLOBEX-2001 (BCH01 01; or ``cut`` "QD24": lowers its line to the 24 shipped)
    after 24 of 48 shipped: billed for the 24 (its first 810). Day 2: the north 3PL's 945 SHP-2002 confirms
    ``shipped`` more units of the line, sent before the change. The shipments stages' results."""
    if cut == "01":
        send_860(ws, "globex", "GLOBEX-2001", [], purpose="01")
    else:
        send_860(ws, "globex", "GLOBEX-2001", [["1", "QD", "24", "", "EA"]])
    run_stages(ws, NIGHT2)
    deliver_all(ws, NIGHT2)
    assert len(outbox(ws, "globex", "810")) == 1
    sample = (REPO / "sample_files" / "warehouse-drops" / "north" / "north-945-20261127.x12").read_text()
    late = (sample.replace("000000452", "000000453").replace("*452*", "*453*").replace("GE*1*452", "GE*1*453")
            .replace("SHP-2001", "SHP-2002").replace("DO-88001", "DO-88002").replace("BOL-9101", "BOL-9102")
            .replace("00007339400000050018", "00007339400000050025")
            .replace("W12*BP*48*24*24", f"W12*BP*48*{shipped}*{max(0, 24 - shipped)}")
            .replace("W03*24*", f"W03*{shipped}*")
            .replace("261127*0200", "261128*0900").replace("20261127*0200", "20261128*0900"))  # G62: it left the 27th
    inbox = ws.warehouse_drop_root / "north" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "north-945-20261128.x12").write_text(late)
    day2 = datetime(2026, 11, 28, 14, 30)
    results = ship_stages(ws, day2, run_id="day2")
    deliver_all(ws, day2)
    return results


def test_a_second_per_order_810_bills_the_order_charges_once_and_reconciles_as_no_duplicate(ws):
    """Globex (billed per PO, a flat 25.00 freight per invoice in its profile: per order by its policy) is
    billed for GLOBEX-2001's 24 units once the order was cancelled after they shipped; the north 3PL's late
    945 then confirms 24 more that had left before: their 810 bills the 24 units alone - not the order's
    freight again (it used to: 25.00 over-billed on every later 810 of the order). The four-way match takes
    the second 810 as what it is (it used to be a DUPLICATE_INVOICE of the first: both name no shipment)
    and the finance report counts both in the invoiced value."""
    _globex_cancelled_then_late_945(ws)
    first, second = outbox(ws, "globex", "810")
    assert [r[1:3] for r in first if r[0] in ("SAC", "TDS")] == [["11476"], ["C", "D240"]]  # 89.76 + 25.00
    assert [r for r in second if r[0] == "SAC"] == [] and [r[1] for r in second if r[0] == "TDS"] == ["8976"]
    from flows.reconcile import reconcile_run

    state = StateStore(ws.state_path)
    try:
        billed = state.invoices_for_order("globex", "GLOBEX-2001")
        assert [(b.merchandise, b.charges, b.total) for b in billed] == [
            (Decimal("89.76"), Decimal(25), Decimal("114.76")), (Decimal("89.76"), Decimal(0), Decimal("89.76"))]
        reconcile_run(ws, ws.partners(), state, now=NIGHT3, run_id="recon")
        found = {x["type"] for x in state.stored_exceptions(active=True).to_pylist()
                 if x["po_number"] == "GLOBEX-2001" and x["type"] != "DOCUMENT_UNACKNOWLEDGED"}
        assert found == {"OVER_SHIPMENT"}, found  # the 24 that left before the cancellation: nothing else
    finally:
        state.close()
    import pyarrow.parquet as pq

    (match,) = [r for r in pq.read_table(ws.reports_dir / "recon" / "finance" / "data" / "lines.parquet").to_pylist()
                if r["po_number"] == "GLOBEX-2001"]
    assert (match["invoiced_quantity"], match["invoiced_value"]) == (Decimal(48), Decimal("179.52"))  # both 810s


@pytest.mark.parametrize("late, held", [(24, False), (30, True)])
def test_a_late_945_on_a_cut_line_is_bounded_by_what_the_line_had_before_the_cut(ws, late, held):
    """GLOBEX-2001's line had 48 allocated, 24 shipped when Globex cancelled the order (kept at the 24, the
    other 24 released). The north 3PL's late 945 then confirms more units of the line: 24 can have left
    before the cancellation (48 in all: SHIPPED_AFTER_CHANGE, recorded, its 856 sent, billed); 30 cannot
    (54 against the 48 the line ever had: it used to be shipped, 856'd and billed all the same, whatever the
    quantity): the shipment is held as an over-shipment (SHIPMENT_OVER_RESERVED naming the 6 beyond), no 856,
    nothing billed."""
    asns = len(outbox(ws, "globex", "856"))
    results = _globex_cancelled_then_late_945(ws, shipped=late)
    (north,) = [w for w in results[:-1] if w.warehouse == "north"]
    found = [(f["code"], f["severity"]) for f in north.findings  # (and ASN_LATE: the confirmation came a day late)
             if f["code"] in ("SHIPPED_AFTER_CHANGE", "SHIPMENT_OVER_RESERVED") or f["severity"] == "error"]
    state = StateStore(ws.state_path)
    try:
        (line,) = state.order_lines("globex", "GLOBEX-2001")
        assert line.cut_from == 48, line  # the promise before the cut, kept with the cut's mark
        billed = state.invoices_for_order("globex", "GLOBEX-2001")
        if held:
            assert (north.shipments, north.held) == (0, 1), north
            assert found == [("SHIPMENT_OVER_RESERVED", "error")], found
            (over,) = [f for f in north.findings if f["code"] == "SHIPMENT_OVER_RESERVED"]
            assert all(s in over["message"] for s in ("GLOBEX-2001", "of the 48", "6 beyond")), over["message"]
            assert len(outbox(ws, "globex", "856")) == asns  # SHP-2001's only
            assert (line.shipped, line.invoiced) == (Decimal(24), Decimal(24)) and len(billed) == 1
        else:
            assert (north.shipments, north.held) == (1, 0), north
            assert found == [("SHIPPED_AFTER_CHANGE", "warning")], found
            assert len(outbox(ws, "globex", "856")) == asns + 1
            assert (line.shipped, line.invoiced) == (Decimal(48), Decimal(48)) and len(billed) == 2
    finally:
        state.close()


def test_a_cancel_date_moved_after_a_partial_shipment_is_taken_for_what_is_left(ws):
    """ACME-1001 shipped in part: an 860 without POC lines extends its cancel date (DTM 001) and asks another
    ship date (DTM 010). The cancel date is taken (a new revision: what is still backordered follows it, the
    lines and reservations as they are), the ship date is left to a person, the 865 echoes the date taken."""
    from connectors.order_store import OrderStore
    from flows.shipments import order_dates

    state = StateStore(ws.state_url)
    before = state.order("acme", "ACME-1001")
    kept = lines(state, "acme", "ACME-1001")
    reserved = state.reservations_for([("acme", "ACME-1001")])
    state.close()
    assert before.state == "partially_shipped"
    send_860(ws, "acme", "ACME-1001", [], heading=(["DTM", "001", "20261230"], ["DTM", "010", "20261212"]))
    results, run = run_stages(ws, NIGHT2)
    state = StateStore(ws.state_url)
    after = state.order("acme", "ACME-1001")
    assert (after.state, after.revision) == ("partially_shipped", before.revision + 1)
    assert lines(state, "acme", "ACME-1001") == kept
    assert state.reservations_for([("acme", "ACME-1001")]) == reserved
    assert order_dates(OrderStore(ws.orders_dir), [after])[after.key]["cancel_after"].isoformat() == "2026-12-30"
    note = state.order_history("acme", "ACME-1001")[-1]["note"]
    state.close()
    assert "DTM 001 (cancel after) (none) -> 2026-12-30" in note
    codes = {f.code: f.message for f in run.findings}
    assert "requested_ship_date was not applied" in codes["CHANGE_HEADER_NOT_APPLIED"]
    assert "DTM 001" in codes["CHANGE_HEADER_APPLIED"] and "010" not in codes["CHANGE_HEADER_APPLIED"]
    bca, pairs = answer(ws, "acme")
    (doc,) = outbox(ws, "acme", "865")
    assert bca == "AK" and pairs == [] and ["DTM", "001", "20261230"] in doc


def test_lines_added_to_a_partly_shipped_order_are_decided_allocated_shipped_and_billed(ws):
    """Retailers add items to an open PO after its first shipment: ACME-1001 (partially shipped) gets an 860
    adding line 12 (4 x SKU-1016, known, in stock), line 13 (an item we do not know) and raising line 6 (5
    shipped and invoiced) to 8. The change is not refused: the new lines go through the rules and the
    allocation like an 850's (line 12 IA, reserved the same night; line 13 IR with the rule's reason), the
    raised units are allocated the same night too, the order stays partially
    shipped, and the new line ships (856) and is billed (810) like the others; `status` shows it."""
    send_860(ws, "acme", "ACME-1001", [["12", "AI", "4", "", "EA", "13.71", "PE", "VN", "VP-1016"],
                                       ["13", "AI", "2", "", "EA", "5.00", "PE", "VN", "VP-9999"],
                                       ["6", "QI", "8", "", "EA"]])
    _results, run = run_stages(ws, NIGHT2)
    assert "CHANGE_AFTER_SHIPMENT" not in codes(run)
    bca, pairs = answer(ws, "acme")
    assert pairs[0] == ("12", "AI", "IA", "4") and pairs[1][:3] == ("13", "AI", "IR") and \
        pairs[2] == ("6", "QI", "IQ", "8"), pairs
    state = StateStore(ws.state_path)
    try:
        order = state.order("acme", "ACME-1001")
        assert order.state.value == "partially_shipped", order.state
        got = lines(state, "acme", "ACME-1001")
        new = next(ln for ln in got.values() if ln.line_id == "12")
        bad = next(ln for ln in got.values() if ln.line_id == "13")
        assert (new.ordered, new.allocated, new.backordered, new.shipped, new.state.value) == \
            (Decimal(4), 4, 0, Decimal(0), "allocated"), new
        assert bad.state.value == "rejected" and bad.reason, bad
        # line 6's 3 new units are reserved the same night too (before the added lines are decided)
        assert (got[6].allocated, got[6].backordered, got[6].shipped) == (8, 0, Decimal(5))
        held = reserved(state, "acme", "ACME-1001")
        assert held.get(new.line_number) == 4 and held.get(6) == 3, held
        # the lines that shipped before keep their shipped and invoiced units
        assert (got[4].shipped, got[4].invoiced, got[5].invoiced) == (Decimal(10), Decimal(10), Decimal(48))
        events = [h["event"] for h in state.order_history("acme", "ACME-1001")]
        assert "change_refused" not in events and events[-4:] == [
            "change_applied", "backorder_allocated", "allocated", "change_reopened"], events
        billed_before = len(state.invoices_for_order("acme", "ACME-1001"))
        number = new.line_number
    finally:
        state.close()
    from flows.status import story

    state = StateStore(ws.state_path)
    try:  # `orderbridge status` shows the added line with its state
        told = story(state, state.order("acme", "ACME-1001"))
    finally:
        state.close()
    shown_lines = {ln["line_id"]: ln for ln in told["lines"]}
    assert shown_lines["12"]["state"] == "allocated" and shown_lines["13"]["state"] == "rejected", shown_lines
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261128.csv").write_text(
        "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"
        "SHP-1012,2026-11-28,15:00,UPSN,G2,1Z999AA10123456812,BOL-6012,ACME-1001,12,SKU-1016,4,EA,C-1112,2.5,LB,\n")
    before_856 = len(outbox(ws, "acme", "856"))
    ship_stages(ws, datetime(2026, 11, 28, 16), run_id="day2")
    deliver_all(ws, datetime(2026, 11, 28, 16))
    asns = outbox(ws, "acme", "856")
    assert len(asns) == before_856 + 1 and [(r[2], r[3]) for r in asns[-1] if r[0] == "SN1"] == [("4", "EA")]
    state = StateStore(ws.state_path)
    try:
        new = lines(state, "acme", "ACME-1001")[number]
        assert (new.shipped, new.invoiced) == (Decimal(4), Decimal(4))
        invoices = state.invoices_for_order("acme", "ACME-1001")
        assert len(invoices) == billed_before + 1
        assert [(ln.line_number, ln.quantity) for ln in invoices[-1].lines] == [(number, Decimal(4))]
        assert reserved(state, "acme", "ACME-1001").get(number) is None
    finally:
        state.close()


def test_units_raised_after_shipment_are_allocated_the_night_the_860_comes(ws):
    """ACME raises line 6 (5 shipped and invoiced) to 8: the 865 says IQ 8 and the 3 new units are reserved
    from stock in the same run that applied the 860 (they used to wait a night as a backorder)."""
    send_860(ws, "acme", "ACME-1001", [["6", "QI", "8", "", "EA"]])
    run_stages(ws, NIGHT2)
    assert answer(ws, "acme") == ("AD", [("6", "QI", "IQ", "8")])
    state = StateStore(ws.state_path)
    try:
        six = lines(state, "acme", "ACME-1001")[6]
        assert (six.allocated, six.backordered, six.shipped) == (8, 0, Decimal(5))
        assert reserved(state, "acme", "ACME-1001").get(6) == 3
        events = [h["event"] for h in state.order_history("acme", "ACME-1001")]
        assert events[-2:] == ["change_reopened", "backorder_allocated"], events
    finally:
        state.close()


@pytest.mark.parametrize("verdict", ["approve", "reject"])
def test_an_added_line_held_for_a_person_does_not_hold_the_shipments_of_the_order(ws, verdict):
    """ACME adds line 12 to ACME-1001 (partially shipped) at 3.00 against our 13.71, and lowers line 6 (5
    shipped) to 3: the order is held for a person (DISCOUNT_OVER_THRESHOLD). The east DC confirms the 2 last
    units of line 4 the next day: the shipment is recorded and its 856 sent while the order waits (it used
    to be refused: the goods left).
    Once a person decides, the next run answers the 865 (IA, or IR when rejected), bills the 2 units and
    moves the order by what is left: line 12 to ship (partially_shipped), or nothing (invoiced)."""
    from typer.testing import CliRunner

    from flows.cli import app

    send_860(ws, "acme", "ACME-1001", [["6", "QD", "3", "", "EA"],
                                       ["12", "AI", "4", "", "EA", "3.00", "PE", "VN", "VP-1016"]])
    _results, run = run_stages(ws, NIGHT2)
    assert "DISCOUNT_OVER_THRESHOLD" in codes(run) and outbox(ws, "acme", "865") == []
    state = StateStore(ws.state_path)
    assert state.order("acme", "ACME-1001").state.value == "held"
    state.close()
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261128.csv").write_text(
        "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"
        "SHP-1004,2026-11-28,15:40,UPSN,G2,1Z999AA10123456817,BOL-6004,ACME-1001,4,SKU-1002,2,EA,C-1007,2.5,LB,\n")
    day2 = datetime(2026, 11, 28, 16)
    results = ship_stages(ws, day2, run_id="day2")
    deliver_all(ws, day2)
    (east,) = [w for w in results[:-1] if w.warehouse == "east"]
    assert (east.shipments, east.held) == (1, 0), east.findings
    assert next(r for r in outbox(ws, "acme", "856")[-1] if r[0] == "BSN")[2] == "SHP-1004"
    state = StateStore(ws.state_path)
    assert state.order("acme", "ACME-1001").state.value == "held"
    assert lines(state, "acme", "ACME-1001")[4].shipped == Decimal(12)
    state.close()
    args = ["--reason", "price agreed"] if verdict == "reject" else []
    res = CliRunner().invoke(app, [verdict, "ACME-1001", "--partner", "acme", "--by", "Kim", *args, "-w",
                                   str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, NIGHT3)
    bca, pairs = answer(ws, "acme")
    # the change is answered as it was applied, shipped units known (replayed with them): line 6 shipped 5,
    # a decrease to 3 cancels nothing (IR 5), not "3 is not below the buyer's 2" (IR 2)
    assert pairs == [("6", "QD", "IR", "5"), ("12", "AI", "IA" if verdict == "approve" else "IR", "4")], pairs
    state = StateStore(ws.state_path)
    try:
        order = state.order("acme", "ACME-1001")
        twelve = next(ln for ln in state.order_lines("acme", "ACME-1001") if ln.line_id == "12")
        if verdict == "approve":
            assert order.state.value == "partially_shipped" and twelve.state.value == "allocated"
            assert reserved(state, "acme", "ACME-1001") == {twelve.line_number: 4}
        else:
            assert order.state.value in ("invoiced", "closed") and twelve.state.value == "rejected"
            assert reserved(state, "acme", "ACME-1001") == {}
        billed = state.invoices_for_order("acme", "ACME-1001")
        assert [(ln.line_number, ln.quantity) for ln in billed[-1].lines] == [(4, Decimal(2))]
    finally:
        state.close()


def test_a_replace_all_860_on_a_partly_shipped_order_applies_to_what_did_not_ship_and_adds_its_new_line(ws):
    """A translator that restates every line with POC02 RZ (replace all values) after the first shipment of
    ACME-1001: line 4 restated at 8 (10 shipped) is cut to its shipped 10 (IQ 10, CHANGE_BELOW_SHIPPED), line
    5 restated at another price (48 invoiced) keeps its price (IR, CHANGE_PRICE_INVOICED), line 6 restated at
    8 (5 shipped) is raised and its 3 units reserved the same night (IQ 8), line 10 restated as it was (IA),
    and line 12, which the order does not have, is added: decided and allocated (IA), not refused. The
    lines it does not restate (all IR when the order was answered) stay as they were (BCH01 04: RZ restates
    its own line)."""
    send_860(ws, "acme", "ACME-1001", [["4", "RZ", "8", "", "EA", "9.39", "PE", "VN", "VP-1002"],
                                       ["5", "RZ", "48", "", "EA", "5.00", "PE", "VN", "VP-1004"],
                                       ["6", "RZ", "8", "", "EA", "22.20", "PE", "VN", "VP-1006"],
                                       ["10", "RZ", "6", "", "EA", "", "", "VN", "VP-1012"],
                                       ["12", "RZ", "4", "", "EA", "13.71", "PE", "VN", "VP-1016"]])
    _results, run = run_stages(ws, NIGHT2)
    assert {"CHANGE_BELOW_SHIPPED", "CHANGE_PRICE_INVOICED"} <= codes(run) and "CHANGE_AFTER_SHIPMENT" not in codes(run)
    assert answer(ws, "acme") == ("AC", [("4", "RZ", "IQ", "10"), ("5", "RZ", "IR", "48"), ("6", "RZ", "IQ", "8"),
                                         ("10", "RZ", "IA", "6"), ("12", "RZ", "IA", "4")])
    state = StateStore(ws.state_path)
    try:
        assert state.order("acme", "ACME-1001").state.value == "partially_shipped"
        got = lines(state, "acme", "ACME-1001")
        assert (got[4].ordered, got[4].shipped, got[4].invoiced) == (Decimal(10), Decimal(10), Decimal(10))
        assert (got[5].unit_price, got[5].invoiced) == (Decimal("4.9"), Decimal(48))
        assert (got[6].allocated, got[6].backordered, got[6].shipped) == (8, 0, Decimal(5))
        assert (got[12].state.value, got[12].allocated) == ("allocated", 4)
        assert reserved(state, "acme", "ACME-1001") == {6: 3, 12: 4}
    finally:
        state.close()


def _initech_3000_shipped(ws, lines_shipped: str) -> None:
    """INITECH-3000's lines ``lines_shipped`` ("2", or "1,2") confirmed shipped by the east DC on day 1."""
    rows = {"1": "SHP-3001,2026-11-27,16:00,UPSN,G2,1Z999AA10123453001,BOL-3000,INITECH-3000,1,SKU-1002,6,EA,C-3001,"
                 "2.5,LB,\n",
            "2": "SHP-3000,2026-11-27,16:00,UPSN,G2,1Z999AA10123453000,BOL-3000,INITECH-3000,2,SKU-1009,24,EA,C-3000,"
                 "2.5,LB,\n"}
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261127b.csv").write_text(
        "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n" + "".join(rows[n] for n in lines_shipped.split(",")))
    ship_stages(ws, datetime(2026, 11, 27, 17), run_id="day1b")
    deliver_all(ws, datetime(2026, 11, 27, 17))


def no_stock_on_night2(ws, sku: str) -> None:
    """Night 2's inventory snapshot: night 1's with none of ``sku`` left."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    snapshots = ws.root / "inventory" / "snapshots"
    stock = pq.read_table(snapshots / "as_of=2026-11-26" / "part-0.parquet")
    empty = pc.if_else(pc.equal(stock["sku"], sku), 0, stock["on_hand"]).cast(stock.schema.field("on_hand").type)
    (snapshots / "as_of=2026-11-28").mkdir()
    pq.write_table(stock.set_column(stock.schema.get_field_index("on_hand"), "on_hand", empty),
                   snapshots / "as_of=2026-11-28" / "part-0.parquet")


def _pyx12_and_bots_accept(content: bytes, tmp_path_factory, tmp_path) -> None:
    from tests.shipping_support import bots_check, pyx12_map_folders
    from tests.test_pyx12_outbound import pyx12_accepts

    ok, ack = pyx12_accepts(content.decode(), pyx12_map_folders(tmp_path_factory))
    assert ok, ack[:800]
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


def test_units_raised_after_shipment_for_a_partner_that_takes_no_backorder_are_placed_or_refused(
        ws, tmp_path_factory, tmp_path):
    """INITECH (allocation backorder = "reject": an 850 line's short units are refused, IR, never backordered)
    ships line 2 of INITECH-3000 (24 of SKU-1009) and then raises it to 2000, more than the DCs hold: what the
    stock covers is reserved the same night, the rest is refused in the 865 (IQ with the quantity we ship,
    BCA02 AC, a CHANGE_RAISE_NOT_BACKORDERED finding) and rejected on the line, never left backordered."""
    _initech_3000_shipped(ws, "2")
    state = StateStore(ws.state_path)
    try:
        assert state.order("initech", "INITECH-3000").state.value == "partially_shipped"
    finally:
        state.close()
    send_860(ws, "initech", "INITECH-3000", [["2", "QI", "2000", "", "EA"]])
    _results, run = run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    try:
        two = lines(state, "initech", "INITECH-3000")[2]
        kept = reserved(state, "initech", "INITECH-3000").get(2, 0)
    finally:
        state.close()
    assert two.backordered == 0, two
    assert kept > 0 and two.allocated == 24 + kept, (two, kept)
    assert two.rejected == 2000 - 24 - kept, two
    bca02, pairs = answer(ws, "initech")
    assert (bca02, pairs) == ("AC", [("2", "QI", "IQ", str(24 + kept))])
    (found,) = [f for f in run.findings if f.code == "CHANGE_RAISE_NOT_BACKORDERED"]
    assert f"{kept} unit(s) were reserved" in found.message and f"other {2000 - 24 - kept} refused" in found.message
    state = StateStore(ws.state_path)
    try:
        order = state.order("initech", "INITECH-3000")
        events = [h["event"] for h in state.order_history("initech", "INITECH-3000")]
    finally:
        state.close()
    # line 1 (6 reserved) is still to ship: the order stays partially shipped, its 865 said AC
    assert (order.state.value, order.ack_type) == ("partially_shipped", "AC"), order
    assert events[-3:] == ["change_reopened", "backorder_allocated", "change_answered"], events
    _pyx12_and_bots_accept((next((ws.drop_root / "initech" / "outbox").glob("*-865-*.x12"))).read_bytes(),
                           tmp_path_factory, tmp_path)


@pytest.mark.parametrize("answers_865", [True, False])
def test_units_raised_after_shipment_for_a_partner_that_takes_no_backorder_with_no_stock_are_all_refused(
        ws, answers_865):
    """INITECH-3000 shipped and invoiced in full (6 + 24), then INITECH raises line 2 to 30 the night the
    snapshot shows no SKU-1009 left: nothing is placed, the 6 raised units are refused (865 IQ 24, AC) and
    rejected on the line, and the order goes back to invoiced, then closed (it used to wait, partially
    shipped, for a backorder INITECH never takes). A partner that takes no 865 gets none, the units are
    refused all the same."""
    if not answers_865:
        toml = ws.root / "partners" / "initech.toml"
        text = toml.read_text()
        assert '"865", ' in text
        toml.write_text(text.replace('"865", ', "", 1))
    _initech_3000_shipped(ws, "1,2")
    no_stock_on_night2(ws, "SKU-1009")
    state = StateStore(ws.state_path)
    try:
        assert state.order("initech", "INITECH-3000").state.value == "invoiced"
    finally:
        state.close()
    send_860(ws, "initech", "INITECH-3000", [["2", "QI", "30", "", "EA"]])
    _results, run = run_stages(ws, NIGHT2)
    if answers_865:
        assert answer(ws, "initech") == ("AC", [("2", "QI", "IQ", "24")])
    else:
        assert outbox(ws, "initech", "865") == []
    assert "CHANGE_RAISE_NOT_BACKORDERED" in codes(run)
    state = StateStore(ws.state_path)
    try:
        two = lines(state, "initech", "INITECH-3000")[2]
        order = state.order("initech", "INITECH-3000")
        events = [h["event"] for h in state.order_history("initech", "INITECH-3000")]
        assert 2 not in reserved(state, "initech", "INITECH-3000")
    finally:
        state.close()
    assert (two.allocated, two.backordered, two.rejected, two.shipped, two.state.value) == (
        24, 0, 6, Decimal(24), "closed"), two
    # nothing left to ship and every shipped unit billed and its 810 delivered: settled, then closed that night
    assert order.state.value == "closed", order
    assert events[-3:-1] == ["change_reopened", "change_settled"], events


def test_a_quantity_and_price_change_on_an_invoiced_line_applies_the_quantity_and_keeps_the_price(
        ws, tmp_path_factory, tmp_path):
    """ACME sends PQ for line 6 (5 shipped and invoiced): 8 units at 9.99. The price cannot change on invoiced
    units, but the quantity can: the 3 new units are reserved the same night, the price stays the invoiced
    one, and the 865 answers IC ("accepted - changes made") with ACK02 8 and a CHANGE_PRICE_INVOICED finding
    naming the refused 9.99 (the whole POC used to be refused, IR, the buyer's quantity lost with it)."""
    state = StateStore(ws.state_path)
    try:
        price = lines(state, "acme", "ACME-1001")[6].unit_price
    finally:
        state.close()
    send_860(ws, "acme", "ACME-1001", [["6", "PQ", "8", "", "EA", "9.99", "PE"]])
    _results, run = run_stages(ws, NIGHT2)
    assert answer(ws, "acme") == ("AC", [("6", "PQ", "IC", "8")])
    _pyx12_and_bots_accept((next((ws.drop_root / "acme" / "outbox").glob("*-865-*.x12"))).read_bytes(),
                           tmp_path_factory, tmp_path)
    (found,) = [f for f in run.findings if f.code == "CHANGE_PRICE_INVOICED"]
    assert "POC06 9.99" in found.message and "quantity (8) was applied" in found.message
    state = StateStore(ws.state_path)
    try:
        six = lines(state, "acme", "ACME-1001")[6]
        assert (six.ordered, six.allocated, six.backordered, six.shipped, six.unit_price) == (
            Decimal(8), 8, 0, Decimal(5), price)
        assert reserved(state, "acme", "ACME-1001").get(6) == 3
    finally:
        state.close()
